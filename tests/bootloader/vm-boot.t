#!/bin/bash
# End to end in the VM lab, twice.  A disk image whose ext4 boot partition
# holds kernels (the lab's cached Debian kernel under version names, each
# with the lab's initramfs for boot.vm plus a few files saying which it
# is) gets its extlinux.conf from extlinux-conf, its loader from
# `extlinux --install` and its boot code from mbr-write; qemu's BIOS then
# boots the disk, and boot.vm checks inside that the newest kernel started
# with the requested APPEND line.
#   msdos: two kernels; mbr.bin; the boot flag set by mbr-write --activate
#   gpt:   gptmbr.bin chosen by mbr-write from the protective MBR; sfdisk
#          marks partitions 1 and 2 LegacyBIOSBootable, and gptmbr.bin
#          refuses to boot (read from the screen); mbr-write --activate 1
#          clears the attribute on 2, and the disk boots
. "$HK_ROOT/tests/lib.sh"
. "$T_DIR/lib-disk.sh"
. "$HK_ROOT/tests/vm/lib.sh"
TMP=$T_TMP

if ! is_root; then skip boot "needs root (loop devices, mount)"; exit 0; fi
if ! have_cmd extlinux sfdisk mkfs.ext4 losetup partx cpio; then
	skip boot "needs extlinux, sfdisk, mkfs.ext4, losetup, partx, cpio (make deps)"; exit 0
fi
for p in extlinux-conf mbr-write; do
	[ -x "$HK_ROOT/bootloader/$p" ] || { skip boot "bootloader/$p is not built"; exit 0; }
done
cp "$T_DIR/boot.vm" "$TMP/boot.vm"
vm_prepare "$TMP/boot.vm" || exit 0      # says SKIP or FAIL itself
NEW=$(cat "$VM_KDIR/version")      # e.g. 6.1.0-56-cloud-amd64
OLD=6.1.0-9-cloud-amd64            # older by dpkg's order, the same binary

# bios_screen IMG REGEX: boots IMG without a kernel console (the boot code
# writes to the VGA text screen only) until the screen, read through the
# qemu monitor, matches REGEX or says "No bootable device" (30 s at most).
# Prints the screen's lines.  (A subshell: the fifo and the trap stay in it.)
bios_screen() (
	local img=$1 re=$2 accel=tcg qpid i
	trap '' PIPE     # qemu gone: the loop ends on the failed echo
	[ "${HOSTKIT_VM_ACCEL:-tcg}" = kvm ] && [ -w /dev/kvm ] && accel=kvm
	rm -f "$TMP/mon" "$TMP/vga.bin"
	mkfifo "$TMP/mon"
	timeout -k 5 60 qemu-system-x86_64 -accel $accel -display none -monitor stdio \
		-serial none -no-reboot -nic none -m 32 -drive "file=$img,format=raw,if=virtio" \
		< "$TMP/mon" > /dev/null 2>&1 &
	qpid=$!
	exec 3> "$TMP/mon"
	for i in $(seq 150); do
		echo "pmemsave 0xb8000 4000 \"$TMP/vga.bin\"" >&3 || break
		sleep 0.2
		[ -s "$TMP/vga.bin" ] && python3 -c '
import sys
t = open(sys.argv[1], "rb").read()[::2].decode("latin1")
print("\n".join(t[i:i + 80].rstrip() for i in range(0, 2000, 80) if t[i:i + 80].strip()))' \
			"$TMP/vga.bin" > "$TMP/screen.txt" 2>/dev/null &&
			grep -Eq "$re|No bootable device" "$TMP/screen.txt" && break
	done
	echo quit >&3 2>/dev/null
	exec 3>&-
	wait $qpid 2>/dev/null
	cat "$TMP/screen.txt" 2>/dev/null
)

# initrd NAME VERSION APPEND OUT: the lab's initramfs plus a second cpio
# archive (the kernel unpacks both) with /etc/vm/boot-*.
initrd() {
	local d
	d=$(mktemp -d "$TMP/id.XXXXXX")
	mkdir -p "$d/etc/vm"
	echo "$1" > "$d/etc/vm/boot-name"
	echo "$2" > "$d/etc/vm/boot-version"
	echo "$NEW" > "$d/etc/vm/boot-newest"
	echo "$3" > "$d/etc/vm/boot-append"
	cp "$VM_INITRD" "$4"
	(cd "$d" && find . | cpio -o -H newc -R 0:0 --quiet) >> "$4"
	rm -rf "$d"
}

# make_disk NAME SFDISK-SCRIPT VERSION...: $TMP/NAME.img with one ext4 boot
# partition (without the features syslinux cannot read) holding a kernel
# and initrd per VERSION, extlinux.conf from extlinux-conf, and extlinux.
# Returns 1 after saying SKIP or FAIL.
make_disk() {
	local name=$1 script=$2 img=$TMP/$1.img m=$TMP/$1.mnt l n v
	local append="$VM_APPEND hostkit.boot=$1"
	shift 2
	truncate -s 64M "$img"
	printf '%b' "$script" | sfdisk -q "$img" >/dev/null || { fail $name/sfdisk "sfdisk failed"; return 1; }
	l=$(losetup -f --show -P "$img" 2>/dev/null) || { skip $name "no free loop device"; return 1; }
	on_exit "detach $l '$img'"
	n=${l#/dev/}
	# The partitions may need partx, and nothing makes their /dev nodes here.
	partx -a "$l" >/dev/null 2>&1
	for _ in $(seq 50); do [ -r "/sys/block/$n/${n}p1/dev" ] && break; sleep 0.1; done
	[ -r "/sys/block/$n/${n}p1/dev" ] || { skip $name "no partition of $l in sysfs"; return 1; }
	mknod "$TMP/$name.p1" b $(tr ':' ' ' < "/sys/block/$n/${n}p1/dev")
	mkfs.ext4 -q -O ^64bit,^metadata_csum "$TMP/$name.p1"
	mkdir "$m"
	mount "$TMP/$name.p1" "$m" || { fail $name/mount "cannot mount the boot partition"; return 1; }
	on_exit "mountpoint -q '$m' && umount '$m'"
	for v in "$@"; do
		cp "$VM_KERNEL" "$m/vmlinuz-$v"
		initrd "$name" "$v" "$append" "$m/initrd.img-$v"
	done
	# Mounted on its own, the partition gets paths /vmlinuz-X from the mount table.
	run "$HK_ROOT/bootloader/extlinux-conf" --boot "$m" --root none --timeout 1 --append "$append" --json
	check $name/conf-written "extlinux-conf failed" test "$RC" = 0
	check $name/conf-prefix "prefix is not the partition root" test "$(json_get 'd["prefix"]')" = ""
	extlinux --install "$m/extlinux" >/dev/null 2>&1 || { fail $name/extlinux "extlinux --install failed"; return 1; }
	umount "$m"
	detach "$l" "$img"
}

# msdos: no boot flag until mbr-write --activate sets it (mbr.bin needs one)
if make_disk msdos 'label: dos\nlabel-id: 0x0badc0de\nstart=2048, type=83\n' "$OLD" "$NEW"; then
	run "$HK_ROOT/bootloader/mbr-write" --activate 1 "$TMP/msdos.img"
	check_grep msdos/mbr-write out "^$TMP/msdos.img: wrote 512 bytes from .*/mbr\\.bin \\(dos label\\)$"
	cp "$TMP/boot.vm" "$TMP/boot-msdos.vm"
	vm_boot "$TMP/boot-msdos.vm" -drive "file=$TMP/msdos.img,format=raw,if=virtio"
fi
# gpt: mbr-write picks gptmbr.bin by itself.  With the attribute on two
# partitions gptmbr.bin stops ("Multiple active partitions"; with none,
# "Missing OS"); mbr-write --activate 1 leaves it on partition 1 only.
if make_disk gpt 'label: gpt\nstart=2048, size=98304, type=L, attrs="LegacyBIOSBootable"\nstart=100352, type=L, attrs="LegacyBIOSBootable"\n' "$NEW"; then
	run "$HK_ROOT/bootloader/mbr-write" "$TMP/gpt.img"
	check_grep gpt/mbr-write out "^$TMP/gpt.img: wrote 440 bytes from .*/gptmbr\\.bin \\(gpt label\\)$"
	run bios_screen "$TMP/gpt.img" "Multiple active partitions"
	check_grep gpt/two-bootable-refused out "^Multiple active partitions$"
	run "$HK_ROOT/bootloader/mbr-write" --activate 1 "$TMP/gpt.img"
	check_grep gpt/mbr-write-gpt out "^$TMP/gpt.img: wrote the backup, then the primary GPT: LegacyBIOSBootable on partition 1 only \\(1 entry changed\\)$"
	run sfdisk --part-attrs "$TMP/gpt.img" 1
	check_out gpt/attrs-1 0 LegacyBIOSBootable
	run sfdisk --part-attrs "$TMP/gpt.img" 2
	check_out gpt/attrs-2 0 ""
	cp "$TMP/boot.vm" "$TMP/boot-gpt.vm"
	vm_boot "$TMP/boot-gpt.vm" -drive "file=$TMP/gpt.img,format=raw,if=virtio"
fi
