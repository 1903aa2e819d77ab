#!/bin/bash
# bcache-register against a register file that refuses the write, in a
# sysfs test tree (HOSTKIT_SYSFS) with a real loop device holding a real
# backing superblock: write() failing with EINVAL, EBUSY and
# ENODEV (the LD_PRELOAD shim), register on a read-only bind mount, and a
# directory where the file should be.  Each time: one line of error naming
# the device, status 1, nothing registered, the superblock byte for byte.
. "$HK_ROOT/tests/lib.sh"
. "$HK_ROOT/tests/faults/faults-lib.sh"
R=$HK_ROOT/bcache/bcache-register
need_prog bcache-register "$R"
need_root bcache-register "loop devices"
have_cmd losetup || { skip bcache-register "losetup is not installed"; exit 0; }
TMP=$(realpath "$T_TMP")
IMG=$HK_ROOT/tests/bcache/sb-images
truncate -s "$(cat "$IMG/backing.size")" "$TMP/backing.img"
dd if="$IMG/backing.sb" of="$TMP/backing.img" bs=4096 seek=1 conv=notrunc status=none
cp "$TMP/backing.img" "$TMP/old.img"
dev=$(losetup -f --show "$TMP/backing.img") || { skip bcache-register "no loop device"; exit 0; }
on_exit "losetup -d $dev"

S=$TMP/sys
tree() {  # a fresh tree: register files present, nothing registered
	rm -rf "$S"
	mkdir -p "$S/fs/bcache" "$S/dev/block" "$S/class/block"
	: > "$S/fs/bcache/register"; : > "$S/fs/bcache/register_quiet"
}
export HOSTKIT_SYSFS=$S
nothing_registered() { [ -z "$(ls -A "$S/dev/block")" ]; }
# A kernel that accepts would need an answer; --timeout 1 bounds the wait
# for one that never comes.
REG="$R --timeout 1 --no-modprobe"

build_shim
for how in EINVAL EBUSY ENODEV; do
	tree
	with_fault /fs/bcache/register "$how" $REG "$dev"
	check "$how/injected" "the shim saw no write to register" fault_happened
	check_refused "$how/refused" bcache-register
	check_grep "$how/names-device" err "^bcache-register: $dev: "
	check "$how/nothing-registered" "dev/block is not empty" nothing_registered
	check_same "$how/superblock-intact" "$TMP/backing.img" "$TMP/old.img"
done
tree
with_fault /fs/bcache/register_quiet EBUSY $REG --quiet "$dev"
check quiet-EBUSY/injected "the shim saw no write to register_quiet" fault_happened
check_refused quiet-EBUSY/refused bcache-register

# register on a read-only bind mount: open() fails with EROFS.
tree
if mount --bind "$S/fs/bcache/register" "$S/fs/bcache/register" 2>/dev/null; then
	if mount -o remount,bind,ro "$S/fs/bcache/register" 2>/dev/null; then
		run $REG "$dev"
		check_refused ro/refused bcache-register
		check_grep ro/says-why err 'Read-only file system'
		check ro/nothing-registered "dev/block is not empty" nothing_registered
	else
		skip ro "cannot remount a bind mount read-only here"
	fi
	umount "$S/fs/bcache/register"
else
	skip ro "cannot bind-mount here"
fi

# A directory in place of the file.
tree
rm "$S/fs/bcache/register"; mkdir "$S/fs/bcache/register"
run $REG "$dev"
check_refused dir/refused bcache-register
check dir/nothing-registered "dev/block is not empty" nothing_registered
check_same dir/superblock-intact "$TMP/backing.img" "$TMP/old.img"
