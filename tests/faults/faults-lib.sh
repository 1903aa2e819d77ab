# Helpers of the fault-injection tests, sourced after tests/lib.sh.
# The invariant every writer keeps under a fault: nothing lost (the old
# file or sector byte for byte), a one-line error naming the program, and
# a non-zero exit status.

# build_shim: compiles faultshim.c into $SHIM; SKIP and exit without a compiler.
SHIM=$T_TMP/faultshim.so
build_shim() {
	local cc=${CC:-cc}
	if ! have_cmd "$cc"; then skip shim "no C compiler to build the fault shim"; exit 0; fi
	"$cc" -shared -fPIC -O1 -o "$SHIM" "$HK_ROOT/tests/faults/faultshim.c" -ldl 2>"$T_TMP/shim.err" ||
		{ fail shim "faultshim.c does not build" "$(cat "$T_TMP/shim.err")"; exit 0; }
}
# with_fault PATH-SUFFIX HOW CMD...: runs CMD (through run) with the shim.
# A sanitized build wants its runtime first; the shim does not mind.
with_fault() {
	local path=$1 how=$2; shift 2
	rm -f "$T_TMP/fault.log"
	run env LD_PRELOAD="$SHIM" HK_FAULT_PATH="$path" HK_FAULT="$how" \
		HK_FAULT_LOG="$T_TMP/fault.log" ${HK_FAULT_COUNT:+HK_FAULT_COUNT=$HK_FAULT_COUNT} \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" "$@"
}
fault_happened() { [ -s "$T_TMP/fault.log" ]; }

# check_refused NAME PROG: the last run failed (status 1) with exactly one
# line on stderr, "PROG: ...", and nothing on stdout.
check_refused() {
	local n=$1 prog=$2 lines
	lines=$(printf '%s' "$ERR" | grep -c '')
	if [ "$RC" = 1 ] && [ "$lines" = 1 ] && [[ $ERR == "$prog: "* ]] && [ -z "$OUT" ]; then
		pass "$n"
	else
		fail "$n" "wanted status 1 and one line '$prog: ...' on stderr, nothing on stdout" \
			"status: $RC" "stdout: $OUT" "stderr ($lines lines): $ERR"
	fi
}
# check_same NAME FILE COPY: FILE is byte for byte COPY.
check_same() {
	if cmp -s "$2" "$3"; then pass "$1"; else
		fail "$1" "$2 changed: $(cmp "$2" "$3" 2>&1 | head -1)"; fi
}
# need_prog NAME PATH: SKIP and exit when PATH is not built.
need_prog() {
	[ -x "$2" ] || { skip "$1" "${2#"$HK_ROOT"/} is not built (make ${2#"$HK_ROOT"/})"; exit 0; }
}
# need_root NAME WHAT: SKIP and exit when not root.
need_root() { is_root || { skip "$1" "needs root for $2"; exit 0; }; }
