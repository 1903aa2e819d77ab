#!/bin/bash
# exec --pid while another process forks continuously, in a fresh pid
# namespace: clone3 lands on N every time; the fallback loses some races,
# retries, and never runs the command under another PID.  The hit rates
# are printed (bench/ runs the same script, nslastpid/bench-hitrate).
. "$HK_ROOT/tests/lib.sh"
. "$T_DIR/lib-pidns.sh"
if ! is_root; then skip storm "needs root to create pid namespaces"; exit 0; fi
if ! unshare --pid --fork --mount-proc true 2>/dev/null; then
	skip storm "unshare --pid --fork --mount-proc does not work here"; exit 0
fi
TRIALS=40
run "$HK_ROOT/nslastpid/bench-hitrate" --trials "$TRIALS" --seconds 60 "$NSL"
printf '%s\n' "$OUT" | sed 's/^/    /'
field() {  # field METHOD KEY
	printf '%s\n' "$OUT" | sed -n "s/^hitrate $1 .*[ ]$2=\([0-9.]*\).*/\1/p"
}
rate=$(printf '%s\n' "$OUT" | sed -n 's/^storm .*forks_per_second=//p')
check storm-forks "the storm forked (forks_per_second > 0)" eval '[ "$RC" = 0 ] && [ "${rate:-0}" -gt 0 ]'
check clone3-every-trial-exact "clone3: exact=$TRIALS, wrong=0" \
	eval '[ "$(field clone3 exact)" = $TRIALS ] && [ "$(field clone3 wrong)" = 0 ]'
check clone3-no-retries "clone3: one attempt per trial" [ "$(field clone3 attempts)" = "$TRIALS" ]
check fallback-never-wrong "fallback: the command never ran under another PID" [ "$(field fallback wrong)" = 0 ]
check fallback-lands "fallback: trials end exact or refused, most exact" \
	eval 'e=$(field fallback exact) f=$(field fallback failed); [ $((e + f)) = $TRIALS ] && [ "$e" -ge $((TRIALS / 2)) ]'
