#!/bin/bash
# ksmctl and ksmtop: the conventions every hostkit program keeps.
. "$HK_ROOT/tests/lib.sh"
K=$HK_ROOT/ksm

for p in ksmctl ksmtop; do
	run "$K/$p" --help
	check "$p-help" "usage on stdout, exit 0" \
		eval '[ "$RC" = 0 ] && [[ $OUT == Usage:\ $p* ]] && [ -z "$ERR" ]'
	run "$K/$p" --version
	check_out "$p-version" 0 "$p (hostkit) $(sed -n 's/^VERSION *= *//p' "$HK_ROOT/Makefile")"
	run "$K/$p" --bogus
	check "$p-unknown-option" "exit 2, nothing on stdout, a hint on stderr" \
		eval '[ "$RC" = 2 ] && [ -z "$OUT" ] && [[ $ERR == *"--help"* ]]'
	if have_cmd groff; then
		run groff -man -ww -z "$K/$p.8"
		check "$p-man" "man page renders without warnings" eval '[ "$RC" = 0 ] && [ -z "$ERR" ]'
	else
		skip "$p-man" "groff is not installed"
	fi
done

# Bad arguments: exit 2, nothing on stdout, a message naming the thing.
f="HOSTKIT_SYSFS=$T_DIR/fixtures/6.x"
usage_case() {  # name regex args...
	local n=$1 re=$2; shift 2
	run env "$f" "$@"
	check "$n" "exit 2, empty stdout, stderr matches /$re/" \
		eval '[ "$RC" = 2 ] && [ -z "$OUT" ] && printf "%s" "$ERR" | grep -Eq -- "$re"'
}
usage_case ctl-unknown-command "unknown command 'frobnicate'" "$K/ksmctl" frobnicate
usage_case ctl-set-nothing "KEY=VALUE expected" "$K/ksmctl" set
usage_case ctl-set-syntax "expected KEY=VALUE" "$K/ksmctl" set pages_to_scan
usage_case ctl-set-readonly "pages_shared: not a writable" "$K/ksmctl" set pages_shared=3
usage_case ctl-set-range "max_page_sharing: 1 is out of range 2\.\." "$K/ksmctl" set max_page_sharing=1
usage_case ctl-set-number "sleep_millisecs: '1e3' is not a whole number" "$K/ksmctl" set sleep_millisecs=1e3
usage_case ctl-set-choice "advisor_mode: 'fast' is not one of" "$K/ksmctl" set advisor_mode=fast
usage_case ctl-prom-not-status "--prometheus goes with status" "$K/ksmctl" --prometheus explain
usage_case ctl-prom-json "exclude each other" "$K/ksmctl" --json --prometheus status
usage_case ctl-load-with-cmd "give no command" "$K/ksmctl" --load /dev/null on
usage_case ctl-status-arg "unexpected argument" "$K/ksmctl" status now
usage_case ctl-run-nothing "a command is expected" "$K/ksmctl" run --
usage_case top-delay "--delay: 'soon'" "$K/ksmtop" --delay soon --once
usage_case top-delay-zero "--delay: '0'" "$K/ksmtop" --delay 0 --once
usage_case top-sort "--sort: 'size'" "$K/ksmtop" --sort size --once

# No KSM in the kernel: a runtime failure naming the directory.
run env HOSTKIT_SYSFS="$T_TMP" "$K/ksmctl" status
check ctl-no-ksm "exit 1, stderr names kernel/mm/ksm" \
	eval '[ "$RC" = 1 ] && [ -z "$OUT" ] && [[ $ERR == *kernel/mm/ksm*CONFIG_KSM* ]]'
run env HOSTKIT_SYSFS="$T_TMP" "$K/ksmtop" --once
check top-no-ksm "exit 1" eval '[ "$RC" = 1 ] && [[ $ERR == *CONFIG_KSM* ]]'
# The live view without a usable terminal: our own one-line error, exit 1
# (initscr would print ncurses' message and exit by itself).
run env "$f" HOSTKIT_PROCFS="$T_DIR/fixtures/6.x/proc" TERM=no-such-terminal "$K/ksmtop" </dev/null
check top-bad-term "exit 1, one line naming the terminal, the way out" eval '[ "$RC" = 1 ] && [ -z "$OUT" ] &&
	[ "$ERR" = "ksmtop: terminal '"'no-such-terminal'"': unknown here, no live view; try --once or --json" ]'
run env -u TERM "$f" HOSTKIT_PROCFS="$T_DIR/fixtures/6.x/proc" "$K/ksmtop" </dev/null
check top-no-term "exit 1, TERM named" eval '[ "$RC" = 1 ] && [ -z "$OUT" ] && [[ $ERR == "ksmtop: TERM is not set"* ]]'
run env HOSTKIT_SYSFS="$T_TMP" "$K/ksmctl" --json explain
check ctl-explain-no-ksm "explain says KSM is not compiled in, exit 1" \
	eval '[ "$RC" = 1 ] && [ "$(json_get "d[\"findings\"][0][\"check\"]")" = compiled ] &&
	      [ "$(json_get "d[\"problems\"]")" = 1 ]'

# ksmctl run on a kernel without PR_SET_MEMORY_MERGE (a shim fails it).
shim=$T_DIR/prctl-einval.so
if [ -n "${HOSTKIT_SANITIZED:-}" ]; then
	skip run-old-kernel "an LD_PRELOAD shim does not mix with AddressSanitizer"
elif [ ! -f "$shim" ]; then
	skip run-old-kernel "tests/ksm/prctl-einval.so not built"
else
	run env LD_PRELOAD="$shim" "$K/ksmctl" run -- /bin/echo never
	check run-old-kernel "exit 1, the kernel requirement named, the command not run" \
		eval '[ "$RC" = 1 ] && [ -z "$OUT" ] && [[ $ERR == *"PR_SET_MEMORY_MERGE: not supported by this kernel (needs Linux 6.4"* ]]'
fi
