#!/bin/bash
# get and set on the real kernel, in a fresh pid namespace: set N, then
# the next fork gets N+1.
. "$HK_ROOT/tests/lib.sh"
. "$T_DIR/lib-pidns.sh"
in_fresh_pidns set

# Nothing else forks here: the last PID handed out is nslastpid's own.
"$NSL" get > "$T_TMP/get" & p=$!
wait $p
got "$(cat "$T_TMP/get")"
check get-is-own-pid "ns_last_pid is the PID of nslastpid itself ($p)" [ "$OUT" = "$p" ]
run "$NSL" get --json
check get-json "valid JSON, pid_max as in procfs" \
	eval 'json_valid && [ "$(json_get "d[\"pid_max\"]")" = "$(cat /proc/sys/kernel/pid_max)" ]'

pid_max=$(cat /proc/sys/kernel/pid_max)
for n in 500 4999 $((pid_max - 2)) 301; do
	# nslastpid sets N, then sh is the next fork (not the last command of
	# the subshell, so that bash does not exec it in place).
	got "$("${nolsan[@]}" "$NSL" set "$n" >/dev/null && sh -c 'echo $$'; :)"
	check "set-$n-next-fork-gets-$((n + 1))" "the next fork got $((n + 1))" [ "$OUT" = $((n + 1)) ]
done

# nslastpid's own fork moves ns_last_pid to its PID: setting that is no change.
run sh -c 'exec "$0" set --json $$' "$NSL"
check set-own-pid-unchanged "changed false" eval '[ "$RC" = 0 ] && [ "$(json_get "d[\"changed\"]")" = false ]'
run sh -c 'exec "$0" set --json $(($$ + 10))' "$NSL"
check set-changed-real "changed true, previous is nslastpid's PID" \
	eval '[ "$RC" = 0 ] && [ "$(json_get "d[\"changed\"]")" = true ] && [ "$(json_get "d[\"previous\"] + 10")" = "$(json_get "d[\"ns_last_pid\"]")" ]'

run "$NSL" set "$pid_max"
check set-refuses-pid-max "exit 2 for N = pid_max" eval '[ "$RC" = 2 ] && [[ $ERR == *"not below pid_max $pid_max"* ]]'
run "$NSL" set -3
check set-refuses-negative "exit 2" eval '[ "$RC" = 2 ] && [ -z "$OUT" ]'
run "$NSL" set x7
check set-refuses-text "exit 2" eval '[ "$RC" = 2 ] && [ -z "$OUT" ]'

# Without the capability the kernel refuses, and we say what is missing.
if have_cmd setpriv; then
	run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$NSL" set 4000
	check set-eperm-explained "exit 1, EPERM with the capabilities named" \
		eval '[ "$RC" = 1 ] && [[ $ERR == *"Operation not permitted"*CAP_SYS_ADMIN*CAP_CHECKPOINT_RESTORE*"user namespace"* ]]'
else
	skip set-eperm-explained "setpriv (util-linux) not installed"
fi
