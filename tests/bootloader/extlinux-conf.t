#!/bin/bash
# extlinux-conf: boot trees with several kernels (Debian-style, ~rc, epochs,
# with and without initrds) against expected files; the mount table decides
# the path prefix (a fake mountinfo through HOSTKIT_PROCFS); updates in
# place keep hand-written text byte for byte; a second run leaves the file
# (and its mtime) alone; --dry-run, --diff, .bak; root= from a real ext4
# UUID on a loop device through libblkid; the kernel hook.
. "$HK_ROOT/tests/lib.sh"
X=$HK_ROOT/bootloader/extlinux-conf
E=$T_DIR/expected
TMP=$(realpath "$T_TMP")

# --- a boot tree ---------------------------------------------------------------
B=$TMP/root/boot
mkdir -p "$B" "$TMP/proc/self"
for f in vmlinuz-6.1.0-9-amd64 initrd.img-6.1.0-9-amd64 \
	vmlinuz-6.1.0-18-amd64 initrd.img-6.1.0-18-amd64 config-6.1.0-18-amd64 System.map-6.1.0-18-amd64 \
	vmlinuz-6.10.0-1-amd64 \
	vmlinuz-6.12~rc3 initramfs-6.12~rc3.img \
	bzImage-6.12 vmlinux-6.12 initrd-6.12 \
	vmlinuz-6.1.0-18-amd64.dpkg-tmp vmlinuz-5.10.bak; do
	echo "$f" > "$B/$f"
done
mkdir "$B/vmlinuz-4.0"          # a directory is no kernel
# /boot is a mount of its own: entries read /vmlinuz-X
separate_boot() {
	printf '%s\n' "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw" \
		"40 27 8:1 / $1 rw,relatime shared:5 - ext4 /dev/sda1 rw" > "$TMP/proc/self/mountinfo"
}
# /boot is a directory of the root filesystem: entries read /boot/vmlinuz-X
boot_on_root() {
	printf '%s\n' "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw" \
		"41 27 8:2 / $1 rw - ext4 /dev/sda2 rw" > "$TMP/proc/self/mountinfo"
}
export HOSTKIT_PROCFS=$TMP/proc
C=$B/extlinux/extlinux.conf

# --- fresh files ------------------------------------------------------------------
separate_boot "$B"
run $X --boot "$B" --root UUID=1111-2222 --append "ro quiet"
check_out create-out 0 "$C: created (5 kernels, default linux-6.12)"
run cat "$C"; check_out create-separate 0 "$E/separate.conf"
check no-bak-on-create "a .bak appeared for a new file" test ! -e "$C.bak"

boot_on_root "$TMP/root"
run $X --boot "$B" --output "$TMP/rootfs.conf" --root /dev/sda2 --timeout 30 --menu
run cat "$TMP/rootfs.conf"; check_out create-rootfs-menu 0 "$E/rootfs-menu.conf"
run $X --boot "$B" --output "$TMP/rootfs.conf" --root /dev/sda2 --timeout 30 --menu --json
check json-valid "not JSON" json_valid
check json-unchanged "changed is not false" test "$(json_get 'd["changed"]')" = false
check json-prefix "prefix is not /boot" test "$(json_get 'd["prefix"]')" = /boot
check json-order "kernel order" test "$(json_get '" ".join(k["version"] for k in d["kernels"])')" = \
	"6.12 6.12~rc3 6.10.0-1-amd64 6.1.0-18-amd64 6.1.0-9-amd64"
check json-initrd-null "no initrd is not null" test "$(json_get 'd["kernels"][2]["initrd"]')" = null
check json-image-preferred "bzImage over vmlinux" test "$(json_get 'd["kernels"][0]["image"]')" = bzImage-6.12

# Epochs and ~ in file names: dpkg's order, not the alphabet's.
mkdir -p "$TMP/epoch"
touch "$TMP/epoch/vmlinuz-"{9.9,1:4.19,4.19~rc1,4.19,0:10.0}
separate_boot "$TMP/epoch"
run $X --boot "$TMP/epoch" --root none --append "" --json --dry-run
check epoch-order "epoch order" test "$(json_get '" ".join(k["version"] for k in d["kernels"])')" = \
	"1:4.19 0:10.0 9.9 4.19 4.19~rc1"
check epoch-dry-run "dry run wrote a file" test ! -e "$TMP/epoch/extlinux"
check epoch-dry-changed "dry run: changed is not true" test "$(json_get 'd["changed"]')" = true

# --- second run: unchanged, nothing written --------------------------------------
separate_boot "$B"
before=$(stat -c '%i %y' "$C")
run $X --boot "$B" --root UUID=1111-2222 --append "ro quiet"
check_out rerun-unchanged 0 "$C: unchanged (5 kernels, default linux-6.12)"
check rerun-mtime "inode or mtime changed" test "$before" = "$(stat -c '%i %y' "$C")"
check rerun-no-bak "a .bak appeared" test ! -e "$C.bak"

# --- update in place: hand-written text kept byte for byte -----------------------
cp "$E/hand.in" "$C"
cp "$E/hand.in" "$TMP/hand.orig"
run $X --boot "$B" --root UUID=1111-2222 --append "ro quiet" --dry-run
check_out dry-run-out 0 "$C: would be updated (5 kernels, default linux-6.12)"
check dry-run-untouched "dry run changed the file" cmp -s "$C" "$TMP/hand.orig"
run $X --boot "$B" --root UUID=1111-2222 --append "ro quiet" --diff
OUT=${OUT//$TMP/TMP}
check_out diff-out 0 "$E/hand.diff"
check diff-untouched "--diff changed the file" cmp -s "$C" "$TMP/hand.orig"
# --diff without diff(1), or without a place for its temporary file: one
# line naming what failed and why, exit 1, the file untouched
run env PATH=/nonexistent $X --boot "$B" --root UUID=1111-2222 --append "ro quiet" --diff
check diff-no-diff "want exit 1, 'diff: No such file or directory'" \
	test "$RC" = 1 -a -z "$OUT" -a "$ERR" = "extlinux-conf: diff: No such file or directory"
run env TMPDIR=$TMP/none $X --boot "$B" --root UUID=1111-2222 --append "ro quiet" --diff
check diff-no-tmpdir "want exit 1 naming the temporary file and the reason" \
	eval '[ "$RC" = 1 ] && [ -z "$OUT" ] && [[ $ERR == "extlinux-conf: $TMP/none/extlinux-conf."*": No such file or directory" ]]'
check diff-failed-untouched "a failed --diff changed the file" cmp -s "$C" "$TMP/hand.orig"
# the diff applies to the old file and gives what a real run writes
run $X --boot "$B" --root UUID=1111-2222 --append "ro quiet" --diff
printf '%s\n' "$OUT" > "$TMP/hand.diff"
have_cmd patch && patch -s -o "$TMP/hand.patched" "$TMP/hand.orig" < "$TMP/hand.diff" >/dev/null 2>&1
run $X --boot "$B" --root UUID=1111-2222 --append "ro quiet"
check_out update-out 0 "$C: updated (5 kernels, default linux-6.12)"
run cat "$C"; check_out update-result 0 "$E/hand.out"
if have_cmd patch; then
	check diff-applies "patch of --diff output differs from the real result" cmp -s "$TMP/hand.patched" "$C"
else
	skip diff-applies "patch is not installed"
fi
check bak-kept "FILE.bak is not the old file" cmp -s "$C.bak" "$TMP/hand.orig"
# byte for byte outside the block: the text before BEGIN and after END
outside() { awk '/^# BEGIN extlinux-conf/{s=1} !s{print} /^# END extlinux-conf/{s=0}' "$1" | od -c; }
check outside-kept "text outside the block changed" test "$(outside "$C")" = "$(outside "$TMP/hand.orig")"
check no-tmp-left "a temporary file was left" test -z "$(find "$B/extlinux" -name '*.tmp*')"
run $X --boot "$B" --root UUID=1111-2222 --append "ro quiet" --diff
check_out diff-unchanged 0 ""

# A file without a block gets it appended; a file without a final newline gets one first.
printf 'PROMPT 0\nLABEL rescue\n\tLINUX /rescue' > "$TMP/noblock.conf"
run $X --boot "$B" --output "$TMP/noblock.conf" --root UUID=1111-2222 --append "ro quiet" --default rescue
run head -c 44 "$TMP/noblock.conf"
check_out append-keeps-head 0 "$(printf 'PROMPT 0\nLABEL rescue\n\tLINUX /rescue\n# BEGIN')"
run grep -c '^DEFAULT rescue$' "$TMP/noblock.conf"; check_out default-hand-label 0 1

# A symlinked configuration stays a symlink; its target is updated.
cp "$TMP/noblock.conf" "$TMP/real.conf"
ln -s real.conf "$TMP/link.conf"
run $X --boot "$B" --output "$TMP/link.conf" --root UUID=1111-2222 --append "ro quiet" --default rescue
check_out symlink-out 0 "$TMP/link.conf: unchanged (5 kernels, default rescue)"
run $X --boot "$B" --output "$TMP/link.conf" --root UUID=3333 --append "ro quiet"
check symlink-kept "link.conf is no longer a symlink" test -L "$TMP/link.conf"
check symlink-target "the target was not updated" grep -q 'root=UUID=3333' "$TMP/real.conf"
check symlink-bak "no .bak beside the target" test -f "$TMP/real.conf.bak"

# --- a kernel arrives, a kernel goes ---------------------------------------------
echo new > "$B/vmlinuz-6.13.1"
run $X --boot "$B" --root UUID=1111-2222 --append "ro quiet" --json
check new-kernel-changed "changed is not true" test "$(json_get 'd["changed"]')" = true
check new-kernel-default "default is not the new kernel" test "$(json_get 'd["default"]')" = linux-6.13.1
rm "$B/vmlinuz-6.13.1"
run $X --boot "$B" --root UUID=1111-2222 --append "ro quiet"
check_out removed-kernel 0 "$C: updated (5 kernels, default linux-6.12)"
run cat "$C"; check_out removed-kernel-result 0 "$E/hand.out"

# --- --default ------------------------------------------------------------------
run $X --boot "$B" --root UUID=1111-2222 --append "ro quiet" --default 6.1.0-18-amd64 --dry-run
check_out default-version 0 "$C: would be updated (5 kernels, default linux-6.1.0-18-amd64)"
run $X --boot "$B" --root UUID=1111-2222 --append "ro quiet" --default linux-6.12~rc3 --dry-run
check_out default-label 0 "$C: would be updated (5 kernels, default linux-6.12~rc3)"
run $X --boot "$B" --root UUID=1111-2222 --append "ro quiet" --default memtest --dry-run
check_out default-hand-written 0 "$C: would be updated (5 kernels, default memtest)"
run $X --boot "$B" --root UUID=1111-2222 --default 7.0
check default-unknown "want exit 1 naming the label" test "$RC" = 1 -a -z "$OUT" -a "$ERR" = \
	"extlinux-conf: --default 7.0: no such kernel version or label"

# --- refusals leave the file alone -----------------------------------------------
cp "$C" "$TMP/good.conf"
for bad in noend nobegin twoblocks; do
	case $bad in
	noend) printf 'a\n# BEGIN extlinux-conf\nDEFAULT x\n' ;;
	nobegin) printf 'a\nb\n# END extlinux-conf\n' ;;
	twoblocks) printf '# BEGIN extlinux-conf\n# END extlinux-conf\n# BEGIN extlinux-conf\n# END extlinux-conf\n' ;;
	esac > "$TMP/$bad.conf"
	cp "$TMP/$bad.conf" "$TMP/$bad.orig"
	run $X --boot "$B" --output "$TMP/$bad.conf" --root UUID=1
	if [ "$RC" = 1 ] && cmp -s "$TMP/$bad.conf" "$TMP/$bad.orig" && [ ! -e "$TMP/$bad.conf.bak" ] &&
		printf '%s' "$ERR" | grep -q "$TMP/$bad.conf:[0-9]*: .*fix the markers"; then
		pass "refuse-$bad"
	else fail "refuse-$bad" "rc=$RC err=$ERR"; fi
done
mkdir "$TMP/empty"
run $X --boot "$TMP/empty" --root UUID=1
check_out no-kernels 1 ""
check_grep no-kernels-msg err "empty: no kernels"
run $X --boot "$TMP/nonexistent" --root UUID=1
check_out no-boot-dir 1 ""
check_grep no-boot-dir-msg err "nonexistent: No such file or directory"

# --- conventions ----------------------------------------------------------------
run $X --help;    check_grep help out '^Usage: extlinux-conf'; check_rc help-rc 0
run $X --version; check_grep version out '^extlinux-conf \(hostkit\) [0-9]'
run $X --bogus;   check_rc unknown-option 2
check unknown-option-quiet "stdout not empty" test -z "$OUT"
run $X --timeout 5x;        check_rc bad-timeout 2
run $X --timeout 36001;     check_rc big-timeout 2
run $X --root "UUID=1 x";   check_rc root-two-words 2
run $X --diff --json;       check_rc diff-json 2
run $X extra;               check_rc extra-arg 2

# --- root= from the root filesystem's UUID (libblkid on a real device) -----------
if ! is_root || ! have_cmd losetup mkfs.ext4; then
	skip root-uuid "needs root, losetup and mkfs.ext4"
else
	truncate -s 8M "$TMP/root.img"
	uuid=3b0b6a1e-5c4d-4e2f-9a8b-7c6d5e4f3a2b
	mkfs.ext4 -q -F -U $uuid "$TMP/root.img"
	if loop=$(losetup -f --show "$TMP/root.img" 2>/dev/null); then
		on_exit "[ \"\$(losetup -nO BACK-FILE $loop 2>/dev/null)\" = \"$TMP/root.img\" ] && losetup -d $loop"
		dev=$(printf '%d:%d' "0x$(stat -c %t "$loop")" "0x$(stat -c %T "$loop")")
		printf '%s\n' "27 1 $dev / / rw,relatime - ext4 $loop rw" > "$TMP/proc/self/mountinfo"
		run $X --boot "$B" --output "$TMP/uuid.conf" --json
		check root-uuid "root is not the filesystem's UUID" test "$(json_get 'd["root"]')" = "UUID=$uuid"
		run grep -c "APPEND root=UUID=$uuid ro\$" "$TMP/uuid.conf"; check_out root-uuid-lines 0 5
		# tmpfs at /: no device, a clear error that asks for --root
		printf '%s\n' "27 1 0:99 / / rw - tmpfs tmpfs rw" > "$TMP/proc/self/mountinfo"
		run $X --boot "$B" --output "$TMP/uuid2.conf"
		check root-no-device "want exit 1 asking for --root" test "$RC" = 1 -a ! -e "$TMP/uuid2.conf"
		check_grep root-no-device-msg err 'give --root'
	else
		skip root-uuid "no free loop device"
	fi
fi

# --- the kernel hook ------------------------------------------------------------
separate_boot "$B"
H=$HK_ROOT/bootloader/zz-extlinux-conf
printf 'EXTLINUX_CONF_BOOT=%s\nEXTLINUX_CONF_OPTIONS="--root UUID=1111-2222 --append \\"ro quiet\\""\n' "$B" > "$TMP/defaults"
export EXTLINUX_CONF_DEFAULTS=$TMP/defaults
cp "$C" "$TMP/before-hook.conf"
echo k > "$B/vmlinuz-6.14"
run env PATH="$HK_ROOT/bootloader:$PATH" sh "$H" 6.14 "$B/vmlinuz-6.14"
check hook-added "hook did not add 6.14" grep -q '^	LINUX /vmlinuz-6.14$' "$C"
check hook-default "hook: default is not 6.14" grep -q '^DEFAULT linux-6.14$' "$C"
rm "$B/vmlinuz-6.14"
run env PATH="$HK_ROOT/bootloader:$PATH" sh "$H" 6.14
check hook-removed "hook after removal differs from before" cmp -s "$C" "$TMP/before-hook.conf"
# no extlinux.conf: not an extlinux system, nothing done, success
printf 'EXTLINUX_CONF_BOOT=%s\n' "$TMP/epoch" > "$TMP/defaults"
run env PATH="$HK_ROOT/bootloader:$PATH" sh "$H" 6.14
check hook-no-conf "hook created a file or failed" test "$RC" = 0 -a ! -e "$TMP/epoch/extlinux"
# a hand-written file without the block: not ours, left alone
mkdir -p "$TMP/epoch/extlinux"; printf 'DEFAULT mine\n' > "$TMP/epoch/extlinux/extlinux.conf"
run env PATH="$HK_ROOT/bootloader:$PATH" sh "$H" 6.14
check hook-hand-written "hook changed a file without the block" \
	test "$RC" = 0 -a "$(cat "$TMP/epoch/extlinux/extlinux.conf")" = "DEFAULT mine"
# a failure does not fail the package
printf 'EXTLINUX_CONF_BOOT=%s\n' "$TMP/empty" > "$TMP/defaults"
mkdir -p "$TMP/empty/extlinux"
printf '# BEGIN extlinux-conf\n# END extlinux-conf\n' > "$TMP/empty/extlinux/extlinux.conf"
cp "$TMP/empty/extlinux/extlinux.conf" "$TMP/empty.orig"
run env PATH="$HK_ROOT/bootloader:$PATH" sh "$H" 6.14
check hook-failure-ok "hook failed or changed the file" test "$RC" = 0 -a \
	"$(cat "$TMP/empty/extlinux/extlinux.conf")" = "$(cat "$TMP/empty.orig")"
check_grep hook-failure-said err 'not updated'
