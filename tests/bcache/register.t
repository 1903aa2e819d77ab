#!/bin/bash
# bcache-register on real loop devices holding real superblocks, against a
# sysfs test tree (HOSTKIT_SYSFS) where register is a plain file and a
# "fake kernel" (a polling loop below) answers each write the way bcache
# does: it creates dev/block/MAJ:MIN/bcache.  This host has no bcache
# module; the real driver is exercised in the VM lab (tests/vm/).
. "$HK_ROOT/tests/lib.sh"
R=$HK_ROOT/bcache/bcache-register
IMG=$T_DIR/sb-images
SYS=$T_TMP/sys
# killed from outside: still detach the loop devices and stop the helpers
trap 'exit 143' TERM INT

rebuild() {  # NAME DEST: a sparse image from a recorded superblock
	truncate -s "$(cat "$IMG/$1.size")" "$2"
	dd if="$IMG/$1.sb" of="$2" bs=4096 seek=1 conv=notrunc status=none
}
# wait_until SECONDS CMD...: polls CMD every 50 ms, false at the deadline
wait_until() {
	local end=$((SECONDS + $1)); shift
	until "$@"; do [ "$SECONDS" -ge "$end" ] && return 1; sleep 0.05; done
}
majmin() { printf '%d:%d' "0x$(stat -Lc %t "$1")" "0x$(stat -Lc %T "$1")"; }
make_tree() {  # DIR: an empty sysfs tree with the bcache register files
	mkdir -p "$1/fs/bcache" "$1/dev/block" "$1/class/block"
	: > "$1/fs/bcache/register"; : > "$1/fs/bcache/register_quiet"
}
fake_kernel() {  # DIR: answers writes to register and register_quiet
	local f dev
	while kill -0 $$ 2>/dev/null; do
		for f in "$1"/fs/bcache/register "$1"/fs/bcache/register_quiet; do
			[ -s "$f" ] || continue
			dev=$(head -n1 "$f"); : > "$f"
			echo "${f##*/} $dev" >> "$1/written"
			mkdir -p "$1/dev/block/$(majmin "$dev")/bcache"
		done
		sleep 0.05
	done
}
written() { cat "$SYS/written" 2>/dev/null; }

# --- what needs no device --------------------------------------------------
run "$R"; check_rc usage-no-device 2
run "$R" --all /dev/sda; check_rc usage-all-with-device 2
run "$R" --timeout x /dev/sda; check_rc usage-bad-timeout 2
run "$R" --help; check_grep help out '^Usage: bcache-register'
run "$R" --version; check_grep version out '^bcache-register \(hostkit\) '
rebuild backing "$T_TMP/file.img"
HOSTKIT_SYSFS=$T_TMP/none run "$R" "$T_TMP/file.img"
check_out image-file-refused 1 ""
check_grep image-file-reason err 'file.img: not a block device$'

if ! is_root || ! have_cmd losetup || ! losetup -f >/dev/null 2>&1; then
	skip loop "needs root, losetup and loop devices"
	exit 0
fi
loop() {  # VAR IMAGE: attaches IMAGE, sets VAR to the loop device
	local l i
	# other tests attach loop devices too: the free one found may be
	# taken before it is bound, so try again
	for i in 1 2 3 4 5; do
		l=$(losetup -f --show "$2" 2>/dev/null) && break
	done
	[ -n "$l" ] || { fail "loop-$1" "no loop device for $2"; return 1; }
	on_exit "losetup -d $l"
	printf -v "$1" '%s' "$l"
}
rebuild backing-writeback "$T_TMP/b.img"
rebuild cache-b64k "$T_TMP/c.img"
rebuild cache "$T_TMP/small.img"                  # 256 buckets
rebuild backing "$T_TMP/bad.img"; "$T_DIR/sb-edit" "$T_TMP/bad.img" csum=1
truncate -s 64M "$T_TMP/zero.img"
loop B "$T_TMP/b.img" && loop C "$T_TMP/c.img" && loop SMALL "$T_TMP/small.img" &&
	loop BAD "$T_TMP/bad.img" && loop ZERO "$T_TMP/zero.img" ||
	{ skip loop "no free loop devices"; exit 0; }

make_tree "$SYS"
fake_kernel "$SYS" & fk=$!
on_exit "kill $fk 2>/dev/null"
export HOSTKIT_SYSFS=$SYS

# --- one-shot ----------------------------------------------------------------
run "$R" "$B"
check_out register-backing 0 "$B: registered (backing)"
check written-to-register "the device path went to register" test "$(written)" = "register $B"

run "$R" "$B"
check_out again-unchanged 0 "$B: already registered, unchanged"
check again-nothing-written "nothing written the second time" test "$(written)" = "register $B"
run "$R" --json "$B"
check again-json "changed false" test "$(json_get '[d["changed"], d["devices"][0]["result"], d["devices"][0]["changed"]]')" = '[false, "unchanged", false]'

run "$R" --quiet --json "$C"
check quiet-cache-json "registered, changed" test "$(json_get '[d["changed"], d["devices"][0]["type"], d["devices"][0]["result"]]')" = '[true, "cache", "registered"]'
check quiet-uses-register-quiet "written to register_quiet" test "$(written | tail -n1)" = "register_quiet $C"

before=$(written)
run "$R" "$ZERO"
check_out refuse-non-bcache 1 ""
check_grep refuse-non-bcache-reason err "^bcache-register: $ZERO: not registered: Not a bcache superblock \(bad offset\)$"
run "$R" "$BAD"
check_grep refuse-bad-csum err "$BAD: not registered: Bad checksum$"
run "$R" "$SMALL"
check_grep refuse-small-cache err "$SMALL: not registered: cache_alloc\(\): cache device is too small$"
check refused-nothing-written "nothing written for refused devices" test "$(written)" = "$before"

# several devices: each reported, the status says one failed
run "$R" "$B" "$ZERO"
check_rc several-one-failed 1
check_grep several-first-reported out "^$B: already registered, unchanged$"

# --- waiting for the module, and for the kernel --------------------------------
W=$T_TMP/late; mkdir -p "$W"
HOSTKIT_SYSFS=$W run "$R" --timeout 0 "$B"
check_grep no-module err "$W/fs/bcache/register did not appear within 0 ms"
# the module "loads" while bcache-register waits
(sleep 0.3; make_tree "$W") & late=$!
HOSTKIT_SYSFS=$W "$R" --timeout 2 "$B" > "$T_TMP/late.out" 2> "$T_TMP/late.err"; rc=$?
wait $late
# nobody answers in this tree: the write happens, then the timeout
check late-module "waited for the register file, wrote, then timed out waiting for sysfs" \
	test $rc = 1 -a "$(cat "$W/fs/bcache/register")" = "$B" -a \
	"$(grep -c 'did not appear within 2000 ms' "$T_TMP/late.err")" = 1
fake_kernel "$W" & fk2=$!
on_exit "kill $fk2 2>/dev/null"
: > "$W/fs/bcache/register"
HOSTKIT_SYSFS=$W run "$R" --timeout 5 "$B"
check_out late-answer 0 "$B: registered (backing)"

# --- --all -------------------------------------------------------------------
rebuild backing-offset "$T_TMP/b2.img"
loop B2 "$T_TMP/b2.img"
for d in "$B" "$B2" "$ZERO" "$BAD"; do
	n=${d#/dev/}
	mkdir -p "$SYS/class/block/$n"
	majmin "$d" > "$SYS/class/block/$n/dev"
	echo $(( $(blockdev --getsz "$d") )) > "$SYS/class/block/$n/size"
	printf 'MAJOR=%s\nMINOR=%s\nDEVNAME=%s\nDEVTYPE=disk\n' "$(majmin "$d" | cut -d: -f1)" \
		"$(majmin "$d" | cut -d: -f2)" "$n" > "$SYS/class/block/$n/uevent"
done
mkdir -p "$SYS/class/block/loop99"; echo 0 > "$SYS/class/block/loop99/size"   # unbound: skipped
# a device without a node (or one we may not open): named, not a failure
mkdir -p "$SYS/class/block/ghost0"; echo 2048 > "$SYS/class/block/ghost0/size"
echo 'DEVNAME=hostkit-no-such-node' > "$SYS/class/block/ghost0/uevent"
run "$R" --all --json
check all-json "B2 registered, B unchanged, BAD failed, ghost skipped, ZERO not listed" test \
	"$(json_get 'sorted((e["device"], e["result"]) for e in d["devices"])')" = \
	"$(python3 -c "import json; print(json.dumps(sorted([('$B','unchanged'),('$B2','registered'),('$BAD','failed'),('/dev/hostkit-no-such-node','skipped')])))")"
check_rc all-status-bad-device 1
check all-wrote-b2 "B2 written" test "$(written | tail -n1)" = "register $B2"
rm -r "$SYS/class/block/${BAD#/dev/}"
run "$R" --all
check_out all-again 0 "$(printf '%s: already registered, unchanged\n' "$B" "$B2" | sort)"
check_grep all-skipped-named err '^bcache-register: /dev/hostkit-no-such-node: skipped, cannot read it: No such file or directory$'

# --all on the real /sys: libudev lists the block devices (no udevd
# needed), libblkid finds the bcache superblocks among them, the bad
# checksum included.  With no bcache module here nothing is written: each
# is a failure naming what is missing.  Other tests' loop devices may show
# up too: only ours are compared.
if [ -e /sys/fs/bcache ]; then
	skip all-real-sysfs "the bcache module is loaded here: --all would register for real"
else
	run env -u HOSTKIT_SYSFS "$R" --all --json --no-modprobe --timeout 0
	nomod="/sys/fs/bcache/register did not appear within 0 ms (bcache module not loaded?)"
	check all-real-sysfs "libudev and libblkid found ours, ZERO passed over ($ERR)" test \
		"$RC/$(json_get "sorted([e['device'], e['result'], e['error']] for e in d['devices'] if e['device'] in '$B $B2 $C $BAD $SMALL $ZERO'.split())")" = \
		"1/$(python3 -c "import json; print(json.dumps(sorted([['$B','failed','$nomod'], ['$B2','failed','$nomod'], ['$C','failed','$nomod'],
			['$BAD','failed','not registered: Bad checksum'], ['$SMALL','failed','not registered: cache_alloc(): cache device is too small']])))")"
fi

# --- --watch: real kernel uevents from loop devices ------------------------------
: > "$T_TMP/w.out"; : > "$T_TMP/w.err"
timeout --preserve-status 120 "$R" --watch --verbose > "$T_TMP/w.out" 2> "$T_TMP/w.err" & wp=$!
on_exit "kill $wp 2>/dev/null"
if ! wait_until 5 grep -q 'watching kernel uevents' "$T_TMP/w.err"; then
	fail watch-start "watcher did not start" "$(cat "$T_TMP/w.err")"
else
	pass watch-start
	rebuild backing "$T_TMP/b3.img"
	loop B3 "$T_TMP/b3.img"              # the kernel sends a uevent for it
	if wait_until 10 grep -q "^$B3: registered (backing)$" "$T_TMP/w.out"; then
		pass watch-registers-new-device
	else
		fail watch-registers-new-device "no registration logged" "out: $(cat "$T_TMP/w.out")" "err: $(cat "$T_TMP/w.err")"
	fi
	check watch-wrote "the watcher wrote the device" grep -qx "register $B3" "$SYS/written"
	loop Z2 "$T_TMP/zero.img"            # not bcache: no line
	# a forged uevent from user space naming a bcache device: refused
	rebuild backing "$T_TMP/b4.img"
	loop B4 "$T_TMP/b4.img"
	wait_until 5 grep -q "$B4" "$T_TMP/w.out"   # its real event first
	n=${B4#/dev/}
	# unregistered again in the tree, so that a forged event accepted
	# would show as a second write
	rm -r "$SYS/dev/block/$(majmin "$B4")"
	python3 -c "
import socket
s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 15)
s.bind((0, 0))
s.sendto(b'add@/devices/virtual/block/$n\0ACTION=add\0DEVPATH=/devices/virtual/block/$n\0SUBSYSTEM=block\0DEVNAME=$n\0', (0, 1))
"
	if wait_until 5 grep -q 'ignored uevent: sender port [1-9][0-9]* is not the kernel' "$T_TMP/w.err"; then
		pass watch-refuses-forged
	else
		fail watch-refuses-forged "forged message not reported as ignored" "$(cat "$T_TMP/w.err")"
	fi
	check watch-forged-not-registered "nothing written for the forged event" \
		test "$(grep -c "register $B4" "$SYS/written")" = 1
	check watch-non-bcache-silent "no line for the non-bcache device" test -z "$(grep "$Z2" "$T_TMP/w.out")"
	# (other tests may attach loop devices meanwhile: count ours only)
	check watch-one-line-per-action "one line per registration ($(tr '\n' ';' < "$T_TMP/w.out"))" \
		test "$(grep -c "^$B3: registered" "$T_TMP/w.out")" = 1 -a \
		"$(grep -c "^$B4: registered" "$T_TMP/w.out")" = 1
	kill -TERM $wp
	if wait_until 5 eval '! kill -0 $wp 2>/dev/null'; then
		wait $wp; rc=$?
		check watch-sigterm "clean exit 0 on SIGTERM" test $rc = 0
		check watch-stopping-line "logged stopping" grep -q 'stopping$' "$T_TMP/w.err"
	else
		fail watch-sigterm "still running 5 s after SIGTERM"
	fi
fi

# --watch --all: the scan registers what is there before the events
rm -rf "$SYS/dev/block/$(majmin "$B2")"
: > "$T_TMP/wa.out"; : > "$T_TMP/wa.err"
timeout --preserve-status 120 "$R" --watch --all --json > "$T_TMP/wa.out" 2> "$T_TMP/wa.err" & wp=$!
on_exit "kill $wp 2>/dev/null"
if wait_until 10 grep -q "\"device\":\"$B2\"" "$T_TMP/wa.out"; then
	OUT=$(grep "\"device\":\"$B2\"" "$T_TMP/wa.out")
	check watch-all-json "a JSON line with changed true" test "$(json_get '[d["result"], d["changed"]]')" = '["registered", true]'
else
	fail watch-all-json "no line for $B2" "$(cat "$T_TMP/wa.out" "$T_TMP/wa.err")"
fi
kill -TERM $wp; wait $wp

# --- the udev rule and the systemd unit ----------------------------------------
unset HOSTKIT_SYSFS
sed "s|@SBINDIR@|$HK_ROOT/bcache|g" "$HK_ROOT/bcache/69-hostkit-bcache.rules" > "$T_TMP/rule"
if ! have_cmd udevadm; then
	skip udev-rule "udevadm not installed"
elif pgrep -x systemd-udevd >/dev/null || pgrep -x udevd >/dev/null; then
	skip udev-rule "udevd is running: a test rule would act on real events"
else
	mkdir -p /run/udev/rules.d
	cp "$T_TMP/rule" /run/udev/rules.d/69-hostkit-bcache-test.rules
	on_exit "rm -f /run/udev/rules.d/69-hostkit-bcache-test.rules"
	ours="$HK_ROOT/bcache/bcache-register --quiet"
	check udev-add-runs "ACTION add on a bcache device runs bcache-register" \
		eval "udevadm test --action=add /sys/class/block/${B#/dev/} 2>&1 | grep -qF \"run: '$ours $B'\""
	check udev-change-silent "ACTION change does not" \
		eval "! udevadm test --action=change /sys/class/block/${B#/dev/} 2>&1 | grep -qF \"$ours\""
	check udev-non-bcache-silent "a device without a bcache superblock does not" \
		eval "! udevadm test --action=add /sys/class/block/${ZERO#/dev/} 2>&1 | grep -qF \"$ours\""
fi
if have_cmd systemd-analyze; then
	sed "s|@SBINDIR@|$HK_ROOT/bcache|g" "$HK_ROOT/bcache/bcache-register.service" > "$T_TMP/bcache-register.service"
	run systemd-analyze verify --man=no "$T_TMP/bcache-register.service"
	check_rc systemd-unit-verifies 0
else
	skip systemd-unit "systemd-analyze not installed"
fi
for m in bcache-probe bcache-register; do
	run groff -man -ww -z "$HK_ROOT/bcache/$m.8"
	check "man-$m" "renders clean" test "$RC" = 0 -a -z "$ERR"
done
