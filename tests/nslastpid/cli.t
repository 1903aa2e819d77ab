#!/bin/bash
# nslastpid's interface, on a procfs test tree: get, set (validation, the
# exact bytes written), usage errors.  Needs no privileges.
. "$HK_ROOT/tests/lib.sh"
. "$T_DIR/lib-pidns.sh"
E=$T_DIR/expected
cp -r "$T_DIR/fixtures/proc" "$T_TMP/proc"
export HOSTKIT_PROCFS=$T_TMP/proc
KNOB=$T_TMP/proc/sys/kernel/ns_last_pid

run "$NSL" --help
check help "usage on stdout, exit 0" eval '[ "$RC" = 0 ] && [[ $OUT == Usage:* ]] && [ -z "$ERR" ]'
# The bench script's help is its header comment and nothing of its code.
run "$HK_ROOT/nslastpid/bench-hitrate" --help
check bench-help "the header comment only, exit 0" eval '[ "$RC" = 0 ] && [[ $OUT == bench-hitrate* ]] && [[ $OUT == *"2 on usage errors." ]] && ! grep -q "set -u" <<<"$OUT"'
run "$NSL" --version
check_out version 0 "nslastpid (hostkit) $(sed -n 's/^VERSION *= *//p' "$HK_ROOT/Makefile")"
run "$NSL" --bogus
check usage-unknown-option "exit 2, nothing on stdout" eval '[ "$RC" = 2 ] && [ -z "$OUT" ] && [[ $ERR == *--bogus* ]]'
run "$NSL" frobnicate
check usage-unknown-command "exit 2 naming it" eval '[ "$RC" = 2 ] && [ -z "$OUT" ] && [[ $ERR == *frobnicate* ]]'

run "$NSL"
check_out get-default 0 "$E/get.txt"
run "$NSL" get
check_out get 0 "$E/get.txt"
run "$NSL" get --json
check_out get-json 0 "$E/get.json"
run "$NSL" --json get
check_out get-json-before 0 "$E/get.json"
run "$NSL" get extra
check_rc get-extra-argument 2

run "$NSL" set 500
check_out set-changed 0 "$E/set-changed.txt"
# The kernel wants the digits alone: no newline.  (write_knob does not
# truncate, as on procfs; the tree holds "123" without a newline.)
check set-writes-no-newline "knob holds exactly '500'" eval '[ "$(od -An -c "$KNOB" | tr -d " ")" = 500 ]'
run "$NSL" set 500
check_out set-unchanged 0 "$E/set-unchanged.txt"
run "$NSL" set 999 --json
check_out set-json-changed 0 "$E/set-changed.json"
run "$NSL" --json set 999
check_out set-json-unchanged 0 "$E/set-unchanged.json"
printf 7 > "$KNOB"
run "$NSL" set 0
check set-zero "0 is a valid ns_last_pid" eval '[ "$RC" = 0 ] && [ "$(cat "$KNOB")" = 0 ]'
printf 999 > "$KNOB"

# Bad N: exit 2, a message naming it, nothing written.
for bad in -1 -- -5 1000 1001 99999999999999999999 abc 12x '' ' 7' 0x10; do
	case $bad in --) continue ;; esac
	run "$NSL" set "$bad"
	check "set-refuses-'$bad'" "exit 2, message names the value, knob untouched" \
		eval '[ "$RC" = 2 ] && [ -z "$OUT" ] && [[ $ERR == *"'"'$bad'"'"* ]] && [ "$(cat "$KNOB")" = 999 ]'
done
run "$NSL" set -- -5
check set-refuses-negative-after-dashdash "exit 2, says negative" eval '[ "$RC" = 2 ] && [[ $ERR == *negative* ]]'
run "$NSL" set -1
check_grep set-negative-message err "bad PID '-1': negative"
run "$NSL" set 1000
check_grep set-pid-max-message err "not below pid_max 1000"
run "$NSL" set abc
check_grep set-not-number-message err "bad PID 'abc': not a number"
run "$NSL" set
check_rc set-missing-argument 2
run "$NSL" set 1 2
check_rc set-two-arguments 2

# exec argument checks come before anything is started.
run "$NSL" exec -- true
check_grep exec-needs-pid err "needs --pid"
run "$NSL" exec --pid 5
check_grep exec-needs-command err "needs a command"
for bad in -1 0 1000 abc; do
	run "$NSL" exec --pid "$bad" -- true
	check "exec-refuses-pid-'$bad'" "exit 2 naming it" eval '[ "$RC" = 2 ] && [[ $ERR == *"'"'$bad'"'"* ]]'
done
run "$NSL" exec --pid 5 --retries 1001 -- true
check_rc exec-refuses-retries 2
run "$NSL" exec --pid 5 --retries x -- true
check_rc exec-refuses-retries-text 2
run "$NSL" exec --pid 5 --method vfork -- true
check_grep exec-refuses-method err "bad --method 'vfork'"
run env NSLASTPID_METHOD=vfork "$NSL" exec --pid 5 -- true
check_grep exec-refuses-method-env err "NSLASTPID_METHOD"
run "$NSL" exec --pid
check_grep exec-pid-needs-argument err "option --pid needs an argument"

# A missing kernel file is a runtime failure.
rm "$KNOB"
run "$NSL" get
check get-missing-file "exit 1 naming the file and the kernel option it needs" \
	eval '[ "$RC" = 1 ] && [ "$ERR" = "nslastpid: read $KNOB: No such file or directory (the kernel was built without CONFIG_CHECKPOINT_RESTORE)" ]'
printf 'junk\n' > "$T_TMP/proc/sys/kernel/pid_max"
run "$NSL" set 5
check set-bad-pid-max "exit 1 on a pid_max that is not a number" eval '[ "$RC" = 1 ] && [[ $ERR == *pid_max* ]]'
