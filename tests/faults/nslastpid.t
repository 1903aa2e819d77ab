#!/bin/bash
# nslastpid set against an ns_last_pid that refuses the write: EPERM and
# EINVAL from write() (the LD_PRELOAD shim; the kernel says EPERM without
# CAP_SYS_ADMIN over the namespace), in a procfs test tree
# (HOSTKIT_PROCFS), and a read-only bind mount of the real file inside a
# new pid namespace.  Each time: one line of error, status 1, the value
# unchanged.
. "$HK_ROOT/tests/lib.sh"
. "$HK_ROOT/tests/faults/faults-lib.sh"
N=$HK_ROOT/nslastpid/nslastpid
need_prog nslastpid "$N"
TMP=$(realpath "$T_TMP")
P=$TMP/proc
mkdir -p "$P/sys/kernel"
echo 4242 > "$P/sys/kernel/ns_last_pid"; echo 4194304 > "$P/sys/kernel/pid_max"
cp "$P/sys/kernel/ns_last_pid" "$TMP/old"

build_shim
for how in EPERM EINVAL; do
	HOSTKIT_PROCFS=$P with_fault /sys/kernel/ns_last_pid "$how" "$N" set 5000
	check "$how/injected" "the shim saw no write to ns_last_pid" fault_happened
	check_refused "$how/refused" nslastpid
	check_same "$how/value-unchanged" "$P/sys/kernel/ns_last_pid" "$TMP/old"
done

# The real file, read-only, in a pid and mount namespace of its own.
if is_root && have_cmd unshare; then
	run unshare -pf --mount-proc sh -c \
		'mount --bind /proc/sys/kernel/ns_last_pid /proc/sys/kernel/ns_last_pid &&
		 mount -o remount,bind,ro /proc/sys/kernel/ns_last_pid || exit 77
		 before=$(cat /proc/sys/kernel/ns_last_pid)
		 "$0" set 5000; rc=$?
		 after=$(cat /proc/sys/kernel/ns_last_pid)
		 [ "$after" -lt 5000 ] || echo "ns_last_pid became $after (was $before)" >&2
		 exit $rc' "$N"
	if [ "$RC" = 77 ]; then
		skip ro-real "cannot bind-mount ns_last_pid read-only here"
	else
		check_refused ro-real/refused nslastpid
	fi
else
	skip ro-real "needs root and unshare for a pid namespace of its own"
fi
