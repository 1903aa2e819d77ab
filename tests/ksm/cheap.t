#!/bin/bash
# ksmtop --once must stay cheap with many processes: per process it opens
# ksm_stat only, comm only for the processes it lists, and nothing else
# under /proc/PID.  Vanishing processes are skipped.
. "$HK_ROOT/tests/lib.sh"
K=$HK_ROOT/ksm
N=300

if ! have_cmd strace; then skip cheap "strace is not installed"; exit 0; fi
pids=()
for ((i = 0; i < N; i++)); do sleep 120 & pids+=($!); done
on_exit "kill ${pids[*]} 2>/dev/null; wait 2>/dev/null"

# LeakSanitizer cannot run under ptrace.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	strace -f -qq -e trace=openat,open -o "$T_TMP/trace" "$K/ksmtop" --once > "$T_TMP/out"
rc=$?
listed=$(($(wc -l < "$T_TMP/out") - 2))
stat_opens=$(grep -Ec '/proc/[0-9]+/ksm_stat"' "$T_TMP/trace")
comm_opens=$(grep -Ec '/proc/[0-9]+/comm"' "$T_TMP/trace")
other=$(grep -E '"/proc/[0-9]+/' "$T_TMP/trace" | grep -Ev '/(ksm_stat|comm|ksm_merging_pages)"' | head -3)
check opens-ksm-stat "one ksm_stat open per process ($stat_opens for >= $N)" \
	eval '[ "$rc" = 0 ] && [ "$stat_opens" -ge $N ]'
check opens-comm-listed "comm only for the $listed listed processes ($comm_opens)" eval '[ "$comm_opens" = "$listed" ]'
check opens-nothing-else "no other /proc/PID file" eval '[ -z "$other" ]'

TIMEFORMAT=%R
t=$( { time "$K/ksmtop" --once >/dev/null; } 2>&1 )
echo "    measured: ksmtop --once over $(ls -d /proc/[0-9]* 2>/dev/null | wc -l) processes: ${t}s"

# Processes that vanish between the listing and the read are skipped.
(for ((i = 0; i < 200; i++)); do /bin/true & done; wait) &
churn=$!
ok=1
for ((i = 0; i < 20; i++)); do "$K/ksmtop" --once --json > "$T_TMP/j" || ok=0; done
wait $churn
OUT=$(cat "$T_TMP/j")
check vanishing "20 samples during process churn all succeed with valid JSON" eval '[ $ok = 1 ] && json_valid'
