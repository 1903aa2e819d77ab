#!/bin/bash
# mbr-write under faults: a read-only image (read-only bind mount), a
# read-only loop device, a write that stores half the bytes or fails
# (EIO, ENOSPC through the LD_PRELOAD shim), fsync failing, and a --backup that cannot be
# written (a full tmpfs).  Each time: the old sector stays byte for byte,
# one line of error, status 1 -- or, for a short write that the program
# completes, exactly the sector a fault-free run writes.
. "$HK_ROOT/tests/lib.sh"
. "$HK_ROOT/tests/faults/faults-lib.sh"
M=$HK_ROOT/bootloader/mbr-write
need_prog mbr-write "$M"
have_cmd sfdisk || { skip mbr-write "sfdisk is not installed"; exit 0; }
TMP=$(realpath "$T_TMP")

img=$TMP/disk.img
truncate -s 8M "$img"
printf 'label: dos\nstart=2048, size=4096, type=83\nstart=6144, type=83\n' | sfdisk -q "$img" >/dev/null
head -c 440 /dev/zero | tr '\0' '\220' > "$TMP/code.bin"     # 440 NOPs
cp "$img" "$TMP/old.img"
# What a fault-free run writes, for the runs that may complete.
cp "$img" "$TMP/want.img"
run "$M" --mbr "$TMP/code.bin" "$TMP/want.img"
check reference-run "a fault-free mbr-write failed" test "$RC" = 0
differ() { ! cmp -s "$1" "$2"; }
check reference-changes "the fault-free run changed nothing" differ "$TMP/want.img" "$img"

# --- write faults through the shim -----------------------------------------
build_shim
for how in EIO ENOSPC EPERM; do
	with_fault "$img" "$how" "$M" --mbr "$TMP/code.bin" "$img"
	check "$how/injected" "the shim saw no write to the image" fault_happened
	check_refused "$how/refused" mbr-write
	check_same "$how/sector-intact" "$img" "$TMP/old.img"
done

# A short write: half of the bytes land.  Either the program finishes the
# write (the result is the new sector) or it fails and the old sector is
# back; a half-new sector is the one wrong outcome.
HK_FAULT_COUNT=1 with_fault "$img" short "$M" --mbr "$TMP/code.bin" "$img"
check short/injected "the shim saw no write to the image" fault_happened
if [ "$RC" = 0 ]; then
	check_same short/completed "$img" "$TMP/want.img"
else
	check_refused short/refused mbr-write
	check_same short/sector-intact "$img" "$TMP/old.img"
fi
cp "$TMP/old.img" "$img"

# fsync failing: the bytes were handed to the kernel, whether they reached
# the disk is unknown.  A one-line error and status 1, and the sector is
# the old or the new one, never a mix.
with_fault "$img" fsync-EIO "$M" --mbr "$TMP/code.bin" "$img"
check fsync/injected "the shim saw no fsync of the image" fault_happened
check_refused fsync/refused mbr-write
old_or_new() { cmp -s "$img" "$TMP/old.img" || cmp -s "$img" "$TMP/want.img"; }
check fsync/old-or-new "sector 0 is neither the old nor the new one" old_or_new
cp "$TMP/old.img" "$img"

# --- a read-only image and a read-only loop device ----------------------------
if is_root; then
	ro=$TMP/ro.img
	cp "$TMP/old.img" "$ro"
	if mount --bind "$ro" "$ro" 2>/dev/null; then
		on_exit umount "$ro"
		if mount -o remount,bind,ro "$ro" 2>/dev/null; then
			run "$M" --mbr "$TMP/code.bin" "$ro"
			check_refused ro-image/refused mbr-write
			check_grep ro-image/says-read-only err 'read-only'
			check_same ro-image/sector-intact "$ro" "$TMP/old.img"
		else
			skip ro-image "cannot remount a bind mount read-only here"
		fi
	else
		skip ro-image "cannot bind-mount here"
	fi
	if have_cmd losetup && loop=$(losetup -r -f --show "$TMP/old.img" 2>/dev/null); then
		on_exit losetup -d "$loop"
		cp "$TMP/old.img" "$TMP/old2.img"
		run "$M" --mbr "$TMP/code.bin" "$loop"
		check_refused ro-loop/refused mbr-write
		check_grep ro-loop/says-read-only err 'read-only'
		check_same ro-loop/sector-intact "$TMP/old.img" "$TMP/old2.img"
	else
		skip ro-loop "no loop device here"
	fi
else
	skip ro-image "needs root for bind mounts"
	skip ro-loop "needs root for loop devices"
fi

# --- --backup onto a full filesystem ---------------------------------------
if is_root && mkdir -p "$TMP/full" && mount -t tmpfs -o size=64k tmpfs "$TMP/full" 2>/dev/null; then
	on_exit umount "$TMP/full"
	dd if=/dev/zero of="$TMP/full/filler" bs=4k 2>/dev/null
	run "$M" --mbr "$TMP/code.bin" --backup "$TMP/full/sector0.bak" "$img"
	check_refused full-backup/refused mbr-write
	check_same full-backup/sector-intact "$img" "$TMP/old.img"
	check full-backup/no-partial-backup "a partial backup file was left" test ! -e "$TMP/full/sector0.bak"
else
	skip full-backup "needs root to mount a small tmpfs"
fi
