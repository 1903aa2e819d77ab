#!/bin/bash
# For Ansible and shell scripts: every action's --json carries a top-level
# "changed": true|false, true when it changed (or, with --dry-run, would
# change) something and false when run again.  A missing or wrong key fails
# under the program's name, so it can be routed to its owner.
# KSM is exercised on a copy of the knobs (HOSTKIT_SYSFS), with one no-op
# on the real kernel, so that nothing here races another KSM user.
. "$HK_ROOT/tests/lib.sh"
cd "$HK_ROOT"
trap 'exit 143' TERM INT HUP   # killed from outside: the on_exit cleanups still run

# changed NAME WANT CMD...: CMD exits 0 with JSON whose "changed" is WANT.
changed() {
	local n=$1 want=$2 got; shift 2
	run "$@"
	if [ "$RC" != 0 ] || ! json_valid; then
		fail "$n" "wanted exit 0 and JSON" "command: $*" "rc=$RC" "stdout: $OUT" "stderr: $ERR"
		return
	fi
	got=$(json_get 'd["changed"] if isinstance(d, dict) and "changed" in d and isinstance(d["changed"], bool) else "missing"' 2>&1)
	if [ "$got" = "$want" ]; then pass "$n"; else
		fail "$n" "\"changed\" is $got, wanted $want" "command: $*" "stdout: $OUT"; fi
}
built() { [ -x "$1" ] || { skip "${1##*/}" "$1 not built"; return 1; }; }

# --- ksmctl on / off / unmerge / set / --save / --load -------------------------
if built ksm/ksmctl; then
	K=ksm/ksmctl
	sys=$T_TMP/sys; k=$sys/kernel/mm/ksm
	mkdir -p "$k"
	if [ -d /sys/kernel/mm/ksm ]; then
		for f in /sys/kernel/mm/ksm/*; do cat "$f" > "$k/${f##*/}"; done
		# The real kernel: setting a knob to its value changes nothing.
		# Under the lock of the tests that change KSM (tests/ksm), so that
		# the value read is still the value when ksmctl runs.
		lock=/run/lock/hostkit-ksm-test.lock; [ -d /run/lock ] || lock=/tmp/hostkit-ksm-test.lock
		exec 9>"$lock"
		if flock -w 300 9; then
			v=$(cat /sys/kernel/mm/ksm/pages_to_scan)
			changed ksmctl/set-same-real false $K --json set "pages_to_scan=$v"
		else
			fail ksmctl/set-same-real "the KSM test lock was held for 5 minutes"
		fi
		exec 9>&-
	else
		for f in pages_shared pages_sharing pages_unshared pages_volatile full_scans; do echo 0 > "$k/$f"; done
		echo 100 > "$k/pages_to_scan"; echo 20 > "$k/sleep_millisecs"
		skip ksmctl/set-same-real "this kernel has no KSM"
	fi
	# Nothing merged: in a copy, writing run=2 splits no page, and ksmctl
	# rightly counts an unmerge as a change while pages are merged.
	echo 0 > "$k/run"; echo 0 > "$k/pages_shared"; echo 0 > "$k/pages_sharing"
	export HOSTKIT_SYSFS=$sys
	changed ksmctl/on true $K --json on
	changed ksmctl/on-again false $K --json on
	changed ksmctl/off true $K --json off
	changed ksmctl/off-again false $K --json off
	changed ksmctl/unmerge true $K --json unmerge
	changed ksmctl/unmerge-again false $K --json unmerge
	p=$(($(cat "$k/pages_to_scan") + 1))
	changed ksmctl/set true $K --json set "pages_to_scan=$p"
	changed ksmctl/set-again false $K --json set "pages_to_scan=$p"
	$K on >/dev/null	# (unmerge is saved as run=0: a load would change it)
	changed ksmctl/save true $K --json --save "$T_TMP/ksm.conf"
	changed ksmctl/save-again false $K --json --save "$T_TMP/ksm.conf"
	changed ksmctl/load-same false $K --json --load "$T_TMP/ksm.conf"
	echo $((p + 1)) > "$k/pages_to_scan"
	changed ksmctl/load true $K --json --load "$T_TMP/ksm.conf"
	unset HOSTKIT_SYSFS
fi

# --- nslastpid set, in a fresh pid namespace --------------------------------
if built nslastpid/nslastpid; then
	if is_root && have_cmd unshare && unshare --pid --fork --mount-proc true 2>/dev/null; then
		# There, nslastpid is PID 1 and ns_last_pid is 1.
		changed nslastpid/set true unshare --pid --fork --mount-proc nslastpid/nslastpid --json set 300
		changed nslastpid/set-same false unshare --pid --fork --mount-proc nslastpid/nslastpid --json set 1
	else
		skip nslastpid "needs root and unshare --pid"
	fi
fi

# --- extlinux-conf -----------------------------------------------------------
if built bootloader/extlinux-conf; then
	E="bootloader/extlinux-conf --json --boot $T_TMP/boot --root none"
	mkdir -p "$T_TMP/boot"
	touch "$T_TMP/boot/vmlinuz-6.1.0-13-amd64" "$T_TMP/boot/initrd.img-6.1.0-13-amd64"
	changed extlinux-conf/dry-run-new true $E --dry-run
	changed extlinux-conf/write true $E
	changed extlinux-conf/again false $E
	changed extlinux-conf/dry-run-same false $E --dry-run
	touch "$T_TMP/boot/vmlinuz-6.5.0-1-amd64"
	changed extlinux-conf/dry-run-new-kernel true $E --dry-run
	changed extlinux-conf/new-kernel true $E
fi

# --- mbr-write on a disk image -------------------------------------------------
if built bootloader/mbr-write; then
	img=$T_TMP/disk.img
	truncate -s 4M "$img"
	if have_cmd sfdisk && printf 'label: dos\nstart=2048, type=83\n' | sfdisk -q "$img" 2>/dev/null; then
		head -c 440 /dev/urandom > "$T_TMP/code.bin"
		M="bootloader/mbr-write --json --mbr $T_TMP/code.bin"
		changed mbr-write/dry-run true $M --dry-run "$img"
		changed mbr-write/write true $M --backup "$T_TMP/sector0" "$img"
		changed mbr-write/again false $M "$img"
		changed mbr-write/dry-run-same false $M --dry-run "$img"
		changed mbr-write/restore true bootloader/mbr-write --json --restore "$T_TMP/sector0" "$img"
		changed mbr-write/restore-again false bootloader/mbr-write --json --restore "$T_TMP/sector0" "$img"
		changed mbr-write/activate true $M --activate 1 "$img"
		changed mbr-write/activate-again false $M --activate 1 "$img"
	else
		skip mbr-write "sfdisk cannot label an image here"
	fi
fi

# --- bcache-register, on a loop device, against a sysfs test tree ----------------
# A fake kernel answers a write to register by creating
# dev/block/MAJ:MIN/bcache, as bcache does; the real driver is in tests/vm.
if built bcache/bcache-register; then
	if ! is_root || ! have_cmd losetup || [ ! -f tests/bcache/sb-images/backing.sb ]; then
		skip bcache-register "needs root, losetup and tests/bcache/sb-images"
	else
		I=tests/bcache/sb-images
		truncate -s "$(cat $I/backing.size)" "$T_TMP/b.img"
		dd if=$I/backing.sb of="$T_TMP/b.img" bs=4096 seek=1 conv=notrunc status=none
		if dev=$(losetup -f --show "$T_TMP/b.img"); then
			on_exit "losetup -d $dev"
			sys=$T_TMP/bsys
			mkdir -p "$sys/fs/bcache" "$sys/dev/block" "$sys/class/block"
			: > "$sys/fs/bcache/register"; : > "$sys/fs/bcache/register_quiet"
			mm=$(printf '%d:%d' "0x$(stat -Lc %t "$dev")" "0x$(stat -Lc %T "$dev")")
			( while [ ! -s "$sys/fs/bcache/register" ]; do sleep 0.05; done
			  mkdir -p "$sys/dev/block/$mm/bcache" ) & fk=$!
			on_exit "kill $fk 2>/dev/null"
			export HOSTKIT_SYSFS=$sys
			changed bcache-register/register true bcache/bcache-register --json --timeout 5 "$dev"
			changed bcache-register/again false bcache/bcache-register --json --timeout 5 "$dev"
			unset HOSTKIT_SYSFS
		else
			skip bcache-register "no free loop device"
		fi
	fi
fi
