#!/bin/bash
# exec --pid on the real kernel, in a fresh pid namespace: the exact PID
# through clone3 and through the ns_last_pid fallback (forced, and chosen
# when clone3 is missing), taken PIDs, exit status, signals.
. "$HK_ROOT/tests/lib.sh"
. "$T_DIR/lib-pidns.sh"
in_fresh_pidns exec
NOCLONE3=$HK_ROOT/tests/nslastpid/seccomp-noclone3

n=1000
for m in clone3 fallback; do
	n=$((n + 111))
	run "$NSL" exec --method "$m" --pid "$n" -- sh -c 'echo $$'
	check_out "$m-exact-pid" 0 "$n"

	# Seen from outside the command: the child of nslastpid has PID N.
	n=$((n + 111))
	"$NSL" exec --method "$m" --pid "$n" -- sleep 30 & p=$!
	wait_for 10 first_child "$p" >/dev/null
	c=$(first_child "$p")
	got "$c"
	check "$m-child-pid-from-outside" "nslastpid's child is $n" [ "$c" = "$n" ]
	kill -TERM "$p"; wait "$p"; RC=$?
	check "$m-sigterm-forwarded" "SIGTERM passed on, exit 128+15" [ "$RC" = 143 ]
	check "$m-child-gone" "no process $n left" eval '! kill -0 '"$n"' 2>/dev/null'

	# Exit status, and death by a signal as a shell reports it.
	run "$NSL" exec --method "$m" --pid 2000 -- sh -c 'exit 7'
	check_rc "$m-exit-status" 7
	run "$NSL" exec --method "$m" --pid 2001 -- sh -c 'kill -KILL $$'
	check_rc "$m-killed-status" 137
	run "$NSL" exec --method "$m" --pid 2002 -- "$T_TMP/no-such-command"
	check "$m-not-found-127" "exit 127 naming the command" eval '[ "$RC" = 127 ] && [[ $ERR == *no-such-command* ]]'
	: > "$T_TMP/not-executable"
	run "$NSL" exec --method "$m" --pid 2003 -- "$T_TMP/not-executable"
	check_rc "$m-not-executable-126" 126

	run "$NSL" exec -v --method "$m" --pid 2004 -- true
	check_grep "$m-verbose" err "^nslastpid: pid 2004: $m, attempt 1$"
done

# Where ns_last_pid ends: clone3 leaves it, the fallback leaves it at N.
# (The backgrounded nslastpid get is the next fork and prints its own PID.)
"${nolsan[@]}" "$NSL" exec --method fallback --pid 6000 -- true
"${nolsan[@]}" "$NSL" get > "$T_TMP/next" & wait $!
got "$(cat "$T_TMP/next")"
check fallback-moves-last-pid "the next fork after the fallback got 6001" [ "$OUT" = 6001 ]
"${nolsan[@]}" "$NSL" exec --method clone3 --pid 7000 -- true
"${nolsan[@]}" "$NSL" get > "$T_TMP/next" & wait $!
got "$(cat "$T_TMP/next")"
check clone3-leaves-last-pid "the next fork after clone3 continues after 6001" eval '[ "$OUT" -gt 6001 ] && [ "$OUT" -lt 6010 ]'

# Taken PIDs -- by a process, by a thread, by a zombie -- are refused with
# exit 1 naming the PID, and the command does not run.
sleep 30 & taken=$!
sh -c 'true & exec sleep 30' & zparent=$!
wait_for 10 first_child "$zparent" >/dev/null
zombie=$(first_child "$zparent")
thread=
if have_cmd python3; then
	python3 -c 'import threading, time, sys
t = threading.Thread(target=time.sleep, args=(30,), daemon=True); t.start()
print(t.native_id, flush=True); time.sleep(30)' > "$T_TMP/tid" & tparent=$!
	wait_for 10 test -s "$T_TMP/tid" && thread=$(cat "$T_TMP/tid")
fi
for m in clone3 fallback; do
	for what in process:$taken zombie:$zombie thread:$thread; do
		pid=${what#*:}
		if [ -z "$pid" ]; then skip "$m-refuses-${what%%:*}" "could not make one (python3?)"; continue; fi
		run "$NSL" exec --method "$m" --pid "$pid" -- touch "$T_TMP/ran"
		check "$m-refuses-${what%%:*}" "exit 1, 'pid $pid is already in use', command not run" \
			eval '[ "$RC" = 1 ] && [[ $ERR == *"pid $pid is already in use"* ]] && [ ! -e "$T_TMP/ran" ]'
	done
	run "$NSL" exec --method "$m" --pid 1 -- true
	check "$m-refuses-init" "exit 1 naming pid 1" eval '[ "$RC" = 1 ] && [[ $ERR == *"pid 1 is already in use"* ]]'
done
kill "$taken" "$zparent" ${tparent:+"$tparent"} 2>/dev/null

# A child that got another PID must not run the command.  With procfs
# pointed at a test tree the ns_last_pid write lands in a plain file, so
# every fallback child gets the wrong PID: each steps aside, and after
# the retries nslastpid gives up.
cp -r "$T_DIR/fixtures/proc" "$T_TMP/proc"
run env HOSTKIT_PROCFS="$T_TMP/proc" "$NSL" exec -v --method fallback --retries 2 --pid 900 -- touch "$T_TMP/ran"
check wrong-pid-child-never-runs "exit 1 after 3 attempts, 3 misses, command not run" \
	eval '[ "$RC" = 1 ] && [[ $ERR == *"pid 900: not obtained in 3 attempts"* ]] &&
	      [ "$(grep -c "missed, got" <<<"$ERR")" = 3 ] && [ ! -e "$T_TMP/ran" ] && [ "$(cat "$T_TMP/proc/sys/kernel/ns_last_pid")" = 899 ]'

# clone3 missing, as on old kernels or under container seccomp profiles:
# auto falls back, --method clone3 says why it cannot.
if [ -x "$NOCLONE3" ] && ! "$NOCLONE3" ENOSYS true; then
	skip auto-falls-back "no seccomp filter here to hide clone3"
elif [ -x "$NOCLONE3" ]; then
	for e in ENOSYS E2BIG; do
		run "$NOCLONE3" "$e" "$NSL" exec -v --pid 3000 -- sh -c 'echo $$'
		check "auto-falls-back-on-$e" "PID 3000 through the fallback" \
			eval '[ "$RC" = 0 ] && [ "$OUT" = 3000 ] && [[ $ERR == *"using ns_last_pid"*"fallback, attempt 1"* ]]'
		run "$NOCLONE3" "$e" "$NSL" exec --method clone3 --pid 3001 -- true
		check "forced-clone3-refuses-on-$e" "exit 1, Linux 5.5 named" eval '[ "$RC" = 1 ] && [[ $ERR == *"Linux 5.5"* ]]'
	done
	# EPERM: a seccomp profile, or a missing capability; the fallback
	# finds out which.
	run "$NOCLONE3" EPERM "$NSL" exec -v --pid 3003 -- sh -c 'echo $$'
	check auto-falls-back-on-EPERM "PID 3003 through the fallback" \
		eval '[ "$RC" = 0 ] && [ "$OUT" = 3003 ] && [[ $ERR == *"Operation not permitted, using ns_last_pid"*"fallback, attempt 1"* ]]'
	run "$NOCLONE3" EPERM "$NSL" exec --method clone3 --pid 3004 -- true
	check forced-clone3-eperm-explained "exit 1, capabilities named" \
		eval '[ "$RC" = 1 ] && [[ $ERR == *"clone3 with pid 3004: Operation not permitted"*CAP_CHECKPOINT_RESTORE* ]]'
else
	skip auto-falls-back "tests/nslastpid/seccomp-noclone3 not built (make check builds it)"
fi
# Without the capability both methods are refused, and the message says
# what is missing.
if have_cmd setpriv; then
	for m in auto clone3 fallback; do
		run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
			"$NSL" exec --method "$m" --pid 3005 -- touch "$T_TMP/ran"
		check "$m-eperm-explained" "exit 1, capabilities named, command not run" \
			eval '[ "$RC" = 1 ] && [[ $ERR == *"Operation not permitted"*CAP_SYS_ADMIN*CAP_CHECKPOINT_RESTORE* ]] && [ ! -e "$T_TMP/ran" ]'
	done
else
	skip eperm-explained "setpriv (util-linux) not installed"
fi
run env NSLASTPID_METHOD=fallback "$NSL" exec -v --pid 3002 -- true
check_grep method-from-environment err "pid 3002: fallback"

# Every forwarded signal reaches the command: it exits with 100 + signal.
if have_cmd python3; then
	py='import os, signal, sys, time
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
    signal.signal(s, lambda n, f: os._exit(100 + n))
open(sys.argv[1], "w").close()
time.sleep(30)'
	for sig in INT TERM HUP QUIT USR1 USR2; do
		rm -f "$T_TMP/ready"
		"$NSL" exec --pid 4000 -- python3 -c "$py" "$T_TMP/ready" & p=$!
		if ! wait_for 20 test -e "$T_TMP/ready"; then
			kill -KILL "$p"; fail "signal-$sig-forwarded" "the command never became ready"; continue
		fi
		kill -"$sig" "$p"; wait "$p"; RC=$?
		want=$((100 + $(kill -l "$sig")))
		check "signal-$sig-forwarded" "command exited $want" [ "$RC" = "$want" ]
	done
else
	skip signals-forwarded "python3 not installed"
fi
