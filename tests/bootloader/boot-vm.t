#!/bin/bash
# End to end in qemu, twice.  A disk image whose ext4 boot partition holds
# kernels (the VM lab's cached Debian kernel under version names, each with
# its own tiny busybox initrd) gets its extlinux.conf from extlinux-conf,
# its loader from `extlinux --install` and its boot code from mbr-write;
# the BIOS must then run that boot code, extlinux, and the newest kernel
# with the requested APPEND line, which its initrd prints on the console.
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
if ! vm_qemu_ok || ! vm_kernel; then skip boot "$VM_WHY"; exit 0; fi
for p in extlinux-conf mbr-write; do
	[ -x "$HK_ROOT/bootloader/$p" ] || { skip boot "bootloader/$p is not built"; exit 0; }
done

NEW=$(cat "$VM_KDIR/version")      # e.g. 6.1.0-56-cloud-amd64
OLD=6.1.0-9-cloud-amd64            # older by dpkg's order, the same binary

# mkinitrd VERSION OUT: busybox and an /init that prints which initrd it is
# and the kernel command line, then powers off.
mkinitrd() {
	local s
	s=$(mktemp -d "$TMP/initrd.XXXXXX")
	mkdir -p "$s/bin" "$s/proc" "$s/dev"
	cp /bin/busybox "$s/bin/busybox"
	cat > "$s/init" <<-EOF
	#!/bin/busybox sh
	/bin/busybox mount -t proc proc /proc
	echo "HOSTKIT-BOOTED initrd=$1 cmdline=\$(/bin/busybox cat /proc/cmdline)"
	/bin/busybox poweroff -f
	EOF
	chmod 755 "$s/init"
	(cd "$s" && find . | cpio -o -H newc -R 0:0 --quiet) > "$2"
	rm -rf "$s"
}

detach() { [ "$(losetup -nO BACK-FILE "$1" 2>/dev/null)" = "$2" ] && losetup -d "$1"; }

# make_disk NAME SFDISK-SCRIPT VERSION...: an image with one ext4 boot
# partition (without the features syslinux cannot read) holding a kernel
# and initrd per VERSION, extlinux.conf by extlinux-conf and extlinux
# installed.  The image is $TMP/NAME.img; returns 1 after a SKIP/FAIL.
make_disk() {
	local name=$1 script=$2 img=$TMP/$1.img m=$TMP/$1.mnt l n v
	shift 2
	truncate -s 64M "$img"
	printf '%b' "$script" | sfdisk -q "$img" >/dev/null || { fail $name/sfdisk "sfdisk failed"; return 1; }
	l=$(losetup -f --show -P "$img" 2>/dev/null) || { skip $name "no free loop device"; return 1; }
	on_exit "detach $l '$img'"
	n=${l#/dev/}
	partx -a "$l" >/dev/null 2>&1
	for _ in $(seq 50); do [ -r "/sys/block/$n/${n}p1/dev" ] && break; sleep 0.1; done
	[ -r "/sys/block/$n/${n}p1/dev" ] || { skip $name "no partition of $l in sysfs"; return 1; }
	mknod "$TMP/$name.p1" b $(tr ':' ' ' < "/sys/block/$n/${n}p1/dev")
	mkfs.ext4 -q -O ^64bit,^metadata_csum "$TMP/$name.p1"
	mkdir "$m"
	mount "$TMP/$name.p1" "$m" || { fail $name/mount "cannot mount the boot partition"; return 1; }
	on_exit "mountpoint -q '$m' && umount '$m'"
	for v in "$@"; do
		cp "$VM_KDIR/vmlinuz" "$m/vmlinuz-$v"
		mkinitrd "$v" "$m/initrd.img-$v"
	done
	# The partition is mounted on its own: the mount table gives paths /vmlinuz-X.
	run "$HK_ROOT/bootloader/extlinux-conf" --boot "$m" --root none --timeout 1 \
		--append "console=ttyS0 hostkit.boot=$name panic=-1" --json
	check $name/conf-written "extlinux-conf failed" test "$RC" = 0
	check $name/conf-prefix "prefix is not the partition root" test "$(json_get 'd["prefix"]')" = ""
	check $name/conf-newest "default is not the newest kernel" test "$(json_get 'd["default"]')" = "linux-$NEW"
	extlinux --install "$m/extlinux" >/dev/null 2>&1 || { fail $name/extlinux "extlinux --install failed"; return 1; }
	umount "$m"
	detach "$l" "$img"
}

# boot NAME: boots $TMP/NAME.img from its MBR and checks what started.
boot() {
	local name=$1 log=$TMP/$1.console start=$SECONDS rc booted initrd
	vm_qemu "${HOSTKIT_VM_TIMEOUT:-120}" "$log" -m 256 -drive "file=$TMP/$name.img,format=raw"
	rc=$?
	booted=$(tr -d '\r' < "$log" | grep -a -m 1 '^HOSTKIT-BOOTED ')
	if [ -z "$booted" ]; then
		fail $name/boot "no HOSTKIT-BOOTED line on the console (qemu status $rc)"
		vm_console_tail "$log"
	else
		initrd=$(printf '%s' "$booted" | sed -n 's/^HOSTKIT-BOOTED initrd=\([^ ]*\) .*/\1/p')
		check $name/boot-newest "the initrd of $initrd booted, not $NEW's: $booted" test "$initrd" = "$NEW"
		check $name/boot-image "BOOT_IMAGE is not /vmlinuz-$NEW: $booted" \
			grep -q "cmdline=BOOT_IMAGE=/vmlinuz-$NEW " <<<"$booted"
		check $name/boot-append "the APPEND line is not on the command line: $booted" \
			grep -q " console=ttyS0 hostkit.boot=$name panic=-1 initrd=/initrd.img-$NEW\$" <<<"$booted"
	fi
	echo "    ($name: VM ran $((SECONDS - start))s)"
}

# msdos: no boot flag until mbr-write --activate sets it (mbr.bin needs it)
if make_disk msdos 'label: dos\nlabel-id: 0x0badc0de\nstart=2048, type=83\n' "$OLD" "$NEW"; then
	run "$HK_ROOT/bootloader/mbr-write" --activate 1 "$TMP/msdos.img"
	check_grep msdos/mbr-write out "^$TMP/msdos.img: wrote 512 bytes from .*/mbr\\.bin \\(dos label\\)$"
	boot msdos
fi
# gpt: mbr-write picks gptmbr.bin by itself
if make_disk gpt 'label: gpt\nstart=2048, type=L, attrs="LegacyBIOSBootable"\n' "$NEW"; then
	run "$HK_ROOT/bootloader/mbr-write" "$TMP/gpt.img"
	check_grep gpt/mbr-write out "^$TMP/gpt.img: wrote 440 bytes from .*/gptmbr\\.bin \\(gpt label\\)$"
	boot gpt
fi
