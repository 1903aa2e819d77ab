#!/bin/bash
# ksmctl against KSM knobs that refuse writes, in a copy of the 6.x fixture
# tree (HOSTKIT_SYSFS): a knob on a read-only bind mount (open fails with
# EROFS), and knobs whose write() fails the way the kernel refuses values
# (EINVAL, EBUSY; the LD_PRELOAD shim).  "set" and "--load" are all or
# nothing: after a refusal every knob holds what it held before.  Also
# --save onto a full and a read-only filesystem: the old settings file stays.
. "$HK_ROOT/tests/lib.sh"
. "$HK_ROOT/tests/faults/faults-lib.sh"
K=$HK_ROOT/ksm/ksmctl
need_prog ksmctl "$K"
TMP=$(realpath "$T_TMP")
S=$TMP/sys D=$TMP/sys/kernel/mm/ksm
fresh() { rm -rf "$S"; cp -r "$HK_ROOT/tests/ksm/fixtures/6.x" "$S"; }   # each case starts anew
fresh
export HOSTKIT_SYSFS=$S HOSTKIT_PROCFS=$S/proc
snapshot() { (cd "$D" && grep -r '' . | sort); }
snapshot > "$TMP/before"
check_knobs() {  # NAME: every knob as before
	if [ "$(snapshot)" = "$(cat "$TMP/before")" ]; then pass "$1"; else
		fail "$1" "knobs changed:" "$(diff "$TMP/before" <(snapshot))"; fi
}
# Values of as many digits as the fixture's, since a fixture file is not
# truncated by a write the way a sysfs attribute is.
SET="pages_to_scan=300 sleep_millisecs=40"

# --- write() refused: each knob of the pair in turn -------------------------------
build_shim
for knob in pages_to_scan sleep_millisecs; do
	for how in EINVAL EBUSY; do
		fresh
		with_fault "/kernel/mm/ksm/$knob" "$how" "$K" set $SET
		check "set-$knob-$how/injected" "the shim saw no write to $knob" fault_happened
		check_refused "set-$knob-$how/refused" ksmctl
		check_grep "set-$knob-$how/names-knob" err "$knob"
		check_knobs "set-$knob-$how/all-or-nothing"
	done
done
fresh
with_fault /kernel/mm/ksm/run EBUSY "$K" off
check off-EBUSY/injected "the shim saw no write to run" fault_happened
check_refused off-EBUSY/refused ksmctl
check_knobs off-EBUSY/unchanged

fresh
printf '# saved\npages_to_scan=300\nsleep_millisecs=40\nuse_zero_pages=1\n' > "$TMP/settings"
with_fault /kernel/mm/ksm/use_zero_pages EINVAL "$K" --load "$TMP/settings"
check load-EINVAL/injected "the shim saw no write to use_zero_pages" fault_happened
check_refused load-EINVAL/refused ksmctl
check_knobs load-EINVAL/all-or-nothing

# --- a knob on a read-only mount: open() fails ----------------------------------------
fresh
if is_root && mount --bind "$D/sleep_millisecs" "$D/sleep_millisecs" 2>/dev/null; then
	on_exit umount "$D/sleep_millisecs"
	if mount -o remount,bind,ro "$D/sleep_millisecs" 2>/dev/null; then
		run "$K" set $SET
		check_refused ro-knob/refused ksmctl
		check_grep ro-knob/names-knob err sleep_millisecs
		check_knobs ro-knob/all-or-nothing
	else
		skip ro-knob "cannot remount a bind mount read-only here"
	fi
else
	skip ro-knob "needs root for a read-only bind mount"
fi

# --- --save onto a full and a read-only filesystem --------------------------------------
if is_root && mkdir -p "$TMP/fs" && mount -t tmpfs -o size=64k tmpfs "$TMP/fs" 2>/dev/null; then
	on_exit umount -l "$TMP/fs"
	printf '# old settings\npages_to_scan=123\n' > "$TMP/fs/ksm.conf"
	cp "$TMP/fs/ksm.conf" "$TMP/old.conf"
	dd if=/dev/zero of="$TMP/fs/filler" bs=4k 2>/dev/null
	run "$K" --save "$TMP/fs/ksm.conf"
	check_refused save-full/refused ksmctl
	check_same save-full/file-intact "$TMP/fs/ksm.conf" "$TMP/old.conf"
	check save-full/no-leftovers "files left: $(ls "$TMP/fs")" test "$(ls "$TMP/fs" | tr '\n' ' ')" = "filler ksm.conf "
	rm -f "$TMP/fs/filler"
	for how in EIO fsync-EIO; do
		with_fault ksm.conf.tmp "$how" "$K" --save "$TMP/fs/ksm.conf"
		check "save-$how/injected" "the shim saw no write or fsync of the temporary file" fault_happened
		check_refused "save-$how/refused" ksmctl
		check_same "save-$how/file-intact" "$TMP/fs/ksm.conf" "$TMP/old.conf"
		check "save-$how/no-leftovers" "files left: $(ls "$TMP/fs")" test "$(ls "$TMP/fs" | tr '\n' ' ')" = "ksm.conf "
	done
	if mount -o remount,ro "$TMP/fs"; then
		run "$K" --save "$TMP/fs/ksm.conf"
		check_refused save-ro/refused ksmctl
		check_same save-ro/file-intact "$TMP/fs/ksm.conf" "$TMP/old.conf"
	else
		skip save-ro "cannot remount the tmpfs read-only"
	fi
else
	skip save "needs root to mount a small tmpfs"
fi

# --- the real kernel's KSM, its second write refused -------------------------------------
# (last: ksm_real_or_skip ends the script with a SKIP where KSM is not writable)
unset HOSTKIT_SYSFS HOSTKIT_PROCFS
. "$HK_ROOT/tests/ksm/ksm-lib.sh"
ksm_real_or_skip real-kernel
ksm_lock
ksm_remember
p=$(ksm_read pages_to_scan) s=$(ksm_read sleep_millisecs)
for knob in pages_to_scan sleep_millisecs; do
	with_fault "/kernel/mm/ksm/$knob" EINVAL "$K" set pages_to_scan=$((p + 1)) sleep_millisecs=$((s + 1))
	check "real-$knob/injected" "the shim saw no write to $knob" fault_happened
	check_refused "real-$knob/refused" ksmctl
	check "real-$knob/all-or-nothing" "pages_to_scan $(ksm_read pages_to_scan) (was $p), sleep_millisecs $(ksm_read sleep_millisecs) (was $s)" \
		test "$(ksm_read pages_to_scan):$(ksm_read sleep_millisecs)" = "$p:$s"
done
