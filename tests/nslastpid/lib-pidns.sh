# Sourced by the nslastpid tests after tests/lib.sh.
NSL=$HK_ROOT/nslastpid/nslastpid
# Under the sanitizers (make check-asan), LeakSanitizer clones a helper
# task when a program exits, which takes the next PID: "${nolsan[@]}" "$NSL"
# runs without the leak check where a test counts PIDs.
nolsan=()
[ -n "${HOSTKIT_SANITIZED:-}" ] && nolsan=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0")

# in_fresh_pidns NAME: runs the rest of the calling test as PID 1 of a new
# pid namespace with its own /proc, so that PIDs are predictable and nothing
# of the host is touched; everything left running dies with the namespace.
# Where that is impossible, one SKIP line NAME with the reason, and exit.
in_fresh_pidns() {
	[ -n "${NSL_IN_PIDNS:-}" ] && return 0
	if ! is_root; then skip "$1" "needs root to create pid namespaces"; exit 0; fi
	if ! have_cmd unshare || ! unshare --pid --fork --mount-proc true 2>/dev/null; then
		skip "$1" "unshare --pid --fork --mount-proc does not work here"; exit 0
	fi
	rm -rf "$T_TMP"
	exec env NSL_IN_PIDNS=1 unshare --pid --fork --mount-proc bash "$0"
}

# got VALUE: a value measured by hand becomes $OUT for check's report.
got() { OUT=$1; ERR=''; RC=''; }

# wait_for TIMEOUT_SECONDS CMD...: polls CMD until it succeeds.
wait_for() {
	local deadline=$((SECONDS + $1)); shift
	until "$@"; do
		((SECONDS < deadline)) || return 1
		sleep 0.02
	done
}

# first_child PID: the PID of PID's first child, once it has one.
first_child() {
	local c=
	read -r c _ < "/proc/$1/task/$1/children" 2>/dev/null
	[ -n "$c" ] && echo "$c"
}

# nspid_innermost PID: the PID of PID in its own (innermost) pid namespace.
nspid_innermost() { awk '/^NSpid:/ { print $NF }' "/proc/$1/status"; }
