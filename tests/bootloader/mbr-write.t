#!/bin/bash
# mbr-write on real disk images made with sfdisk (msdos with a disk
# signature, GPT) and on loop devices: bytes 0-439 become mbr.bin or
# gptmbr.bin and bytes 440 to the end of the disk stay as they were;
# idempotence, --dry-run, backup/restore round trip, --activate, and every
# refusal leaving the target byte-identical.
. "$HK_ROOT/tests/lib.sh"
. "$T_DIR/lib-disk.sh"
W=$HK_ROOT/bootloader/mbr-write
TMP=$T_TMP
for d in /usr/lib/syslinux/mbr /usr/share/syslinux /usr/lib/syslinux/bios; do
	[ -f "$d/mbr.bin" ] && [ -f "$d/gptmbr.bin" ] && { SYSL=$d; break; }
done
if [ -z "${SYSL:-}" ] || ! have_cmd sfdisk; then
	skip all "needs syslinux's mbr.bin/gptmbr.bin and sfdisk"
	exit 0
fi

# Images: random bytes everywhere first (old boot code, data in every
# sector), then a partition table, so that "untouched" means something.
mk_image() {  # FILE dos|gpt
	head -c $((8 * 1024 * 1024)) /dev/urandom > "$1"
	# a fresh label keeps the old boot code: sfdisk --wipe never
	if [ "$2" = dos ]; then
		printf 'label: dos\nlabel-id: 0x1a2b3c4d\nstart=2048, size=4096, type=83, bootable\nstart=6144, type=83\n'
	else
		printf 'label: gpt\nstart=2048, size=4096\nstart=6144\n'
	fi | sfdisk -q --wipe never "$1" >/dev/null
}
# untouched FILE ORIG: bytes 440..end are ORIG's
untouched() { cmp -s -i 440 "$1" "$2"; }
same() { cmp -s "$1" "$2"; }
for label in dos gpt; do
	code=$SYSL/mbr.bin; [ $label = gpt ] && code=$SYSL/gptmbr.bin
	I=$TMP/$label.img
	mk_image "$I" $label
	cp "$I" "$TMP/$label.orig"
	# sanity: sfdisk left our bytes 0-439 and made a table
	check $label/image-ok "sfdisk changed the boot code or made no table" \
		cmp -s -n 440 "$I" "$TMP/$label.orig"

	run $W --dry-run "$I"
	check_out $label/dry-run 0 "$I: would write 440 bytes from $code ($label label)"
	check $label/dry-run-untouched "dry run changed the image" same "$I" "$TMP/$label.orig"

	run $W "$I"
	check_out $label/write 0 "$I: wrote 440 bytes from $code ($label label)"
	check $label/code "bytes 0-439 are not $(basename "$code")" cmp -s -n 440 "$I" "$code"
	check $label/rest-untouched "bytes 440.. changed" untouched "$I" "$TMP/$label.orig"
	run sfdisk -d "$I"; check_grep $label/table-reads out 'start= *6144'

	before=$(stat -c %y "$I")
	run $W --json "$I"
	check $label/rerun-json "not JSON" json_valid
	check $label/rerun-unchanged "changed is not false" test "$(json_get 'd["changed"]')" = false
	check $label/rerun-label "label is not $label" test "$(json_get 'd["label"]')" = $label
	check $label/rerun-mtime "the image was written" test "$before" = "$(stat -c %y "$I")"

	# backup, then restore: the image is the original again
	cp "$TMP/$label.orig" "$I"
	run $W --backup "$TMP/$label.bak" "$I"
	check_out $label/backup 0 "$I: wrote 440 bytes from $code ($label label), old sector saved to $TMP/$label.bak"
	head -c 512 "$TMP/$label.orig" > "$TMP/.sec0"
	check $label/backup-is-sector0 "backup is not the old sector 0" same "$TMP/$label.bak" "$TMP/.sec0"
	run stat -c %s "$TMP/$label.bak"; check_out $label/backup-size 0 512
	other=$SYSL/gptmbr.bin; [ $label = gpt ] && other=$SYSL/mbr.bin
	refuse $label/backup-exists 1 'exists; a backup is never overwritten' "$I" \
		--backup "$TMP/$label.bak" --mbr "$other"
	refuse $label/backup-never-overwritten 1 'exists; a backup is never overwritten' "$I" \
		--backup "$TMP/$label.bak" --restore "$TMP/$label.bak"
	run $W --restore "$TMP/$label.bak" "$I"
	check_out $label/restore 0 "$I: wrote 440 bytes from $TMP/$label.bak ($label label)"
	check $label/restore-roundtrip "image differs from the original" same "$I" "$TMP/$label.orig"
done

# --- --restore over a changed table ---------------------------------------------
I=$TMP/dos.img
$W "$I" >/dev/null
sfdisk -q --part-type "$I" 2 82 >/dev/null 2>&1
cp "$I" "$TMP/changed.orig"
refuse restore-table-changed 1 'partition table changed since' "$I" --restore "$TMP/dos.bak"
run $W --restore "$TMP/dos.bak" --force "$I"
check_out restore-force 0 "$I: wrote 512 bytes from $TMP/dos.bak (dos label)"
check restore-force-sector "sector 0 is not the backup" cmp -s -n 512 "$I" "$TMP/dos.bak"
check restore-force-rest "bytes 512.. changed" cmp -s -i 512 "$I" "$TMP/changed.orig"
# --mbr BACKUP puts back only the boot code of a saved sector
cp "$TMP/changed.orig" "$I"
run $W --mbr "$TMP/dos.bak" "$I"
check mbr-from-sector "boot code is not the saved one" cmp -s -n 440 "$I" "$TMP/dos.bak"
check mbr-from-sector-rest "bytes 440.. changed" untouched "$I" "$TMP/changed.orig"
head -c 100 /dev/urandom > "$TMP/short.bak"
refuse restore-not-sector 1 'not a saved sector 0' "$I" --restore "$TMP/short.bak"

# --- --activate -------------------------------------------------------------------
cp "$TMP/dos.orig" "$I"
run $W --activate 2 "$I"
check_out activate 0 "$I: wrote 512 bytes from $SYSL/mbr.bin (dos label)
$I: boot flag on partition 2 only"
# cmp -l counts from 1: 447 and 463 are the status bytes of partitions 1 and 2
run sh -c "cmp -l '$I' '$TMP/dos.orig' | awk '\$1 > 440 {print \$1, \$2, \$3}'"
check_out activate-bytes 0 "$(printf '447 0 200\n463 200 0')"
run sfdisk -d "$I"; check_grep activate-sfdisk out 'start= *6144.*bootable'
run $W --activate 2 "$I"; check_out activate-again 0 "$I: unchanged ($SYSL/mbr.bin already in place)
$I: boot flag on partition 2 only (unchanged)"
refuse activate-empty 1 'has no partition 3' "$I" --activate 3
refuse activate-logical 1 'an msdos table has partitions 1-4' "$I" --activate 5
run $W --activate 0 "$I"; check_rc activate-zero 2
# (GPT: gpt-activate.t)

# --- refusals ---------------------------------------------------------------------
head -c 1M /dev/zero > "$TMP/blank.img"
refuse no-table 1 'no partition table \(no 0x55AA' "$TMP/blank.img"
run $W --force "$TMP/blank.img"
check force-no-table "--force did not write mbr.bin" cmp -s -n 440 "$TMP/blank.img" "$SYSL/mbr.bin"
check force-no-table-rest "bytes 440.. changed" cmp -s -i 440 "$TMP/blank.img" /dev/zero -n $((1024 * 1024 - 440))
# a FAT boot sector ends in 0x55AA too, with code where the table would be
python3 -c 'import sys; s=bytearray(b"\xeb\x3c\x90MSDOS5.0" + b"\xf4" * 499 + b"\x55\xaa"); sys.stdout.buffer.write(s + bytes(1024*1024))' > "$TMP/fat.img"
refuse fat-boot-sector 1 'no partition table \(a filesystem boot sector' "$TMP/fat.img"
cp "$TMP/dos.orig" "$I"
head -c 441 /dev/urandom > "$TMP/441.bin"; head -c 0 /dev/urandom > "$TMP/0.bin"
refuse code-441 1 '441 bytes; boot code is 440' "$I" --mbr "$TMP/441.bin"
refuse code-439 1 '439 bytes; boot code is 440' "$I" --mbr "$SYSL/altmbr.bin"
refuse code-empty 1 '0 bytes' "$I" --mbr "$TMP/0.bin"
head -c 1024 /dev/urandom > "$TMP/1k.bin"
refuse code-1k 1 'larger than 512 bytes' "$I" --mbr "$TMP/1k.bin"
refuse code-missing 1 'nothing.bin: No such file' "$I" --mbr "$TMP/nothing.bin"
chmod 0444 "$I"
refuse mode-0444 1 'read-only image \(mode 0444\)' "$I"
chmod 0644 "$I"
head -c 300 /dev/zero > "$TMP/tiny.img"
refuse tiny 1 'shorter than 512 bytes' "$TMP/tiny.img" --force
run $W /dev/null; check_out char-device 1 ""
run $W "$TMP"; check_grep directory err 'neither a block device nor an image file'
if is_root; then
	mkdir -p "$TMP/ro"
	cp "$TMP/dos.orig" "$TMP/ro/disk.img"
	if mount --bind "$TMP/ro" "$TMP/ro" 2>/dev/null; then
		on_exit "mountpoint -q '$TMP/ro' && umount '$TMP/ro'"
		mount -o remount,bind,ro "$TMP/ro"
		refuse ro-filesystem 1 'read-only' "$TMP/ro/disk.img"
	else skip ro-filesystem "bind mount failed"; fi
else skip ro-filesystem "needs root"; fi

# --- conventions --------------------------------------------------------------------
run $W --help;    check_grep help out '^Usage: mbr-write'; check_rc help-rc 0
run $W --version; check_grep version out '^mbr-write \(hostkit\) [0-9]'
run $W --bogus "$I"; check_rc unknown-option 2
check unknown-option-quiet "stdout not empty" test -z "$OUT"
run $W;              check_rc no-disk 2
run $W "$I" "$I";    check_rc two-disks 2
run $W --restore x --mbr y "$I"; check_rc restore-and-mbr 2
run $W --dry-run --json "$I"
check dry-json "dry-run JSON" test "$(json_get '[d["changed"], d["dry_run"], d["bytes"], d["label"]]')" = '[true, true, 440, "dos"]'

# --- real block devices: loop devices -------------------------------------------
if ! is_root || ! have_cmd losetup partx mkfs.ext4; then
	skip loop "needs root, losetup, partx, mkfs.ext4"
	exit 0
fi
cp "$TMP/dos.orig" "$TMP/loop.img"
if ! L=$(losetup -f --show -P "$TMP/loop.img" 2>/dev/null); then
	skip loop "no free loop device"
	exit 0
fi
on_exit "detach $L '$TMP/loop.img'"
n=${L#/dev/}
run $W --dry-run "$L"
check_out loop-dry-run 0 "$L: would write 440 bytes from $SYSL/mbr.bin (dos label)"
run $W "$L"
check_out loop-write 0 "$L: wrote 440 bytes from $SYSL/mbr.bin (dos label)"
check loop-code "device bytes 0-439 are not mbr.bin" cmp -s -n 440 "$L" "$SYSL/mbr.bin"
check loop-rest "device bytes 440.. changed" untouched "$L" "$TMP/dos.orig"
run $W "$L"; check_out loop-unchanged 0 "$L: unchanged ($SYSL/mbr.bin already in place)"
# The partitions: the kernel may need partx to see them, and nothing makes
# the /dev nodes here: make one from sysfs.
partx -a "$L" >/dev/null 2>&1
for _ in $(seq 50); do [ -r "/sys/block/$n/${n}p1/dev" ] && break; sleep 0.1; done
if [ -r "/sys/block/$n/${n}p1/dev" ]; then
	mknod "$TMP/p1" b $(tr ':' ' ' < "/sys/block/$n/${n}p1/dev")
	refuse loop-partition 1 'a partition; the MBR belongs to the whole disk' "$TMP/p1"
	if mkfs.ext4 -q "$TMP/p1" && mkdir "$TMP/mnt" && mount "$TMP/p1" "$TMP/mnt"; then
		on_exit "mountpoint -q '$TMP/mnt' && umount '$TMP/mnt'"
		dd if="$TMP/dos.orig" of="$L" bs=440 count=1 conv=notrunc,fsync status=none
		refuse loop-busy 1 'busy \(a partition is mounted' "$L"
		run $W --force "$L"
		check loop-busy-force "--force did not write to the busy disk" cmp -s -n 440 "$L" "$SYSL/mbr.bin"
		umount "$TMP/mnt"
	else
		skip loop-busy "could not make and mount an ext4 filesystem on $TMP/p1"
	fi
else
	skip loop-partition "no partition of $L in sysfs after partx -a"
fi
detach "$L" "$TMP/loop.img"
if L=$(losetup -r -f --show "$TMP/dos.orig" 2>/dev/null); then
	on_exit "detach $L '$TMP/dos.orig'"
	refuse loop-read-only 1 'read-only' "$L"
	detach "$L" "$TMP/dos.orig"
else
	skip loop-read-only "no free loop device"
fi
