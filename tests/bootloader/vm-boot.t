#!/bin/bash
# End to end in the VM lab, twice.  A disk image whose ext4 boot partition
# holds kernels (the lab's cached Debian kernel under version names, each
# with the lab's initramfs for boot.vm plus a few files saying which it
# is) gets its extlinux.conf from extlinux-conf, its loader from
# `extlinux --install` and its boot code from mbr-write; qemu's BIOS then
# boots the disk, and boot.vm checks inside that the newest kernel started
# with the requested APPEND line.
#   msdos: two kernels; mbr.bin; the boot flag set by mbr-write --activate
#   gpt:   gptmbr.bin chosen by mbr-write from the protective MBR; the
#          partition marked LegacyBIOSBootable by sfdisk
. "$HK_ROOT/tests/lib.sh"
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

detach() { [ "$(losetup -nO BACK-FILE "$1" 2>/dev/null)" = "$2" ] && losetup -d "$1"; }

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
# gpt: mbr-write picks gptmbr.bin by itself
if make_disk gpt 'label: gpt\nstart=2048, type=L, attrs="LegacyBIOSBootable"\n' "$NEW"; then
	run "$HK_ROOT/bootloader/mbr-write" "$TMP/gpt.img"
	check_grep gpt/mbr-write out "^$TMP/gpt.img: wrote 440 bytes from .*/gptmbr\\.bin \\(gpt label\\)$"
	cp "$TMP/boot.vm" "$TMP/boot-gpt.vm"
	vm_boot "$TMP/boot-gpt.vm" -drive "file=$TMP/gpt.img,format=raw,if=virtio"
fi
