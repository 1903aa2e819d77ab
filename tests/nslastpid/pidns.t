#!/bin/bash
# exec --pidns: the PID is chosen in another (nested) pid namespace, through
# clone3 and through the fallback, whose ns_last_pid write must happen
# inside that namespace.
. "$HK_ROOT/tests/lib.sh"
. "$T_DIR/lib-pidns.sh"
in_fresh_pidns pidns
# Under the sanitizers (make check-asan): LeakSanitizer checks at exit from
# a helper task it clones, which after setns(CLONE_NEWPID) is born in the
# other namespace, cannot attach to us, and leaves exit() spinning forever.
# Leak checks are off here; ASan and UBSan stay on.
[ -n "${HOSTKIT_SANITIZED:-}" ] && export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

# A nested namespace B, kept alive by its init, a sleeping process.
unshare --pid --fork sleep 300 & u=$!
if ! wait_for 10 first_child "$u" >/dev/null; then
	fail nested-namespace "unshare did not start its sleeping init"; exit 0
fi
b=$(first_child "$u")
B=/proc/$b/ns/pid
if [ "$(readlink "$B")" = "$(readlink /proc/self/ns/pid)" ]; then
	fail nested-namespace "the sleeper is not in a namespace of its own"; exit 0
fi

# 4242 is taken here, in the outer namespace: only B's 4242 can be had.
"$NSL" exec --pid 4242 -- sleep 60 & holder=$!
wait_for 10 first_child "$holder" >/dev/null

for m in clone3 fallback; do
	run "$NSL" exec --method "$m" --pid 4242 --pidns "$B" -- sh -c 'echo $$'
	check_out "$m-pid-in-nested-namespace" 0 4242

	"$NSL" exec --method "$m" --pid 4343 --pidns "$B" -- sleep 30 & p=$!
	wait_for 10 first_child "$p" >/dev/null
	c=$(first_child "$p")
	got "child $c: NSpid $(grep NSpid "/proc/$c/status" 2>/dev/null) ns $(readlink "/proc/$c/ns/pid")"
	check "$m-child-in-namespace-B" "the child lives in B" [ "$(readlink "/proc/$c/ns/pid")" = "$(readlink "$B")" ]
	check "$m-child-pid-in-B" "its innermost PID is 4343" [ "$(nspid_innermost "$c")" = 4343 ]
	check "$m-child-pid-outside-differs" "here it has another PID" [ "$c" != 4343 ]
	kill -TERM "$p"; wait "$p"; RC=$?
	check "$m-signal-through-namespaces" "SIGTERM passed on: 143" [ "$RC" = 143 ]

	run "$NSL" exec --method "$m" --pid 77 --pidns "$B" -- sh -c 'exit 9'
	check_rc "$m-exit-status-through-namespaces" 9
	run "$NSL" exec --method "$m" --pid 1 --pidns "$B" -- true
	check "$m-refuses-B-init" "exit 1: pid 1 is B's init" eval '[ "$RC" = 1 ] && [[ $ERR == *"pid 1 is already in use"* ]]'
done
kill "$holder"

run "$NSL" exec --pid 500 --pidns "$T_TMP/none" -- true
check pidns-missing-file "exit 1 naming the file" eval '[ "$RC" = 1 ] && [[ $ERR == *"$T_TMP/none"* ]]'
run "$NSL" exec --pid 500 --pidns /proc/self/ns/net -- true
check pidns-not-pid-namespace "exit 1" eval '[ "$RC" = 1 ] && [[ $ERR == *"not a pid namespace"* ]]'
# From inside B, our namespace is above: setns refuses.
run "$NSL" exec --pid 500 --pidns "$B" -- "$NSL" exec --pid 600 --pidns /proc/1/ns/pid -- true
check pidns-ancestor-refused "exit 1" eval '[ "$RC" = 1 ] && [[ $ERR == *"not a pid namespace at or below ours"* ]]'
kill "$u" 2>/dev/null
