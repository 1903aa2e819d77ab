#!/bin/bash
# End to end in qemu: a disk image whose ext4 boot partition holds two
# kernels (the VM lab's cached Debian kernel under two version names, each
# with its own tiny busybox initrd) gets its extlinux.conf from
# extlinux-conf, its loader from `extlinux --install` and its boot code and
# boot flag from mbr-write; SeaBIOS -> mbr.bin -> extlinux must then start
# the newest kernel with the requested APPEND line, which its initrd prints
# on the serial console.
. "$HK_ROOT/tests/lib.sh"
. "$HK_ROOT/tests/vm/lib.sh"
TMP=$T_TMP

if ! is_root; then skip boot "needs root (loop devices, mount)"; exit 0; fi
if ! have_cmd extlinux sfdisk mkfs.ext4 losetup partx; then
	skip boot "needs extlinux, sfdisk, mkfs.ext4, losetup, partx (make deps)"; exit 0
fi
if ! vm_qemu_ok || ! vm_kernel; then skip boot "$VM_WHY"; exit 0; fi
for p in extlinux-conf mbr-write; do
	[ -x "$HK_ROOT/bootloader/$p" ] || { skip boot "bootloader/$p is not built"; exit 0; }
done

NEW=$(cat "$VM_KDIR/version")      # e.g. 6.1.0-56-cloud-amd64
OLD=6.1.0-9-cloud-amd64            # older by dpkg's order, the same binary
MARK="hostkit.boot=$$.$RANDOM"

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

# The disk: msdos label, one partition without the boot flag (mbr-write
# --activate sets it), ext4 without the features syslinux cannot read.
IMG=$TMP/disk.img
truncate -s 64M "$IMG"
printf 'label: dos\nlabel-id: 0x0badc0de\nstart=2048, type=83\n' | sfdisk -q "$IMG" >/dev/null
detach() { [ "$(losetup -nO BACK-FILE "$1" 2>/dev/null)" = "$2" ] && losetup -d "$1"; }
if ! L=$(losetup -f --show -P "$IMG" 2>/dev/null); then skip boot "no free loop device"; exit 0; fi
on_exit "detach $L '$IMG'"
n=${L#/dev/}
partx -a "$L" >/dev/null 2>&1
for _ in $(seq 50); do [ -r "/sys/block/$n/${n}p1/dev" ] && break; sleep 0.1; done
if [ ! -r "/sys/block/$n/${n}p1/dev" ]; then skip boot "no partition of $L in sysfs"; exit 0; fi
mknod "$TMP/p1" b $(tr ':' ' ' < "/sys/block/$n/${n}p1/dev")
mkfs.ext4 -q -O ^64bit,^metadata_csum "$TMP/p1"
M=$TMP/mnt
mkdir "$M"
mount "$TMP/p1" "$M" || { fail boot-mount "cannot mount the boot partition"; exit 0; }
on_exit "mountpoint -q '$M' && umount '$M'"
for v in "$NEW" "$OLD"; do
	cp "$VM_KDIR/vmlinuz" "$M/vmlinuz-$v"
	mkinitrd "$v" "$M/initrd.img-$v"
done

# /boot is its own partition here: the mount table says so, paths are /vmlinuz-X
run "$HK_ROOT/bootloader/extlinux-conf" --boot "$M" --root none --timeout 1 \
	--append "console=ttyS0 $MARK panic=-1" --json
check conf-written "extlinux-conf failed" test "$RC" = 0
check conf-prefix "prefix is not the partition root" test "$(json_get 'd["prefix"]')" = ""
check conf-newest "default is not the newest kernel" test "$(json_get 'd["default"]')" = "linux-$NEW"
extlinux --install "$M/extlinux" >/dev/null 2>&1 || { fail extlinux-install "extlinux --install failed"; exit 0; }
umount "$M"
detach "$L" "$IMG"
run "$HK_ROOT/bootloader/mbr-write" --activate 1 "$IMG"
check_grep mbr-write out "^$IMG: wrote 512 bytes from .*/mbr\\.bin \\(dos label\\)$"

LOG=$TMP/console.log
start=$SECONDS
vm_qemu "${HOSTKIT_VM_TIMEOUT:-120}" "$LOG" -m 256 -drive "file=$IMG,format=raw"
rc=$?
booted=$(tr -d '\r' < "$LOG" | grep -a -m 1 '^HOSTKIT-BOOTED ')
if [ -z "$booted" ]; then
	fail boot "no HOSTKIT-BOOTED line on the console (qemu status $rc)"
	vm_console_tail "$LOG"
else
	initrd=$(printf '%s' "$booted" | sed -n 's/^HOSTKIT-BOOTED initrd=\([^ ]*\) .*/\1/p')
	check boot-newest "the initrd of $initrd booted, not $NEW's: $booted" test "$initrd" = "$NEW"
	check boot-image "BOOT_IMAGE is not /vmlinuz-$NEW: $booted" \
		grep -q "cmdline=BOOT_IMAGE=/vmlinuz-$NEW " <<<"$booted"
	check boot-append "the APPEND line is not on the command line: $booted" \
		grep -q " console=ttyS0 $MARK panic=-1 initrd=/initrd.img-$NEW\$" <<<"$booted"
fi
echo "    (boot-vm: VM ran $((SECONDS - start))s)"
