#!/bin/bash
# extlinux-conf under faults: the configuration on a full filesystem and on
# a read-only one (a small tmpfs), the temporary file's write or fsync
# failing (the LD_PRELOAD shim), and two runs at once.  Each time the old
# file stays byte for byte (hand-written lines included) and no temporary
# file is left behind; a refusal is one line and status 1.  Two runs at once
# must leave one of the two complete results.
. "$HK_ROOT/tests/lib.sh"
. "$HK_ROOT/tests/faults/faults-lib.sh"
X=$HK_ROOT/bootloader/extlinux-conf
need_prog extlinux-conf "$X"
need_root extlinux-conf "mounting a small tmpfs"
TMP=$(realpath "$T_TMP")
F=$TMP/fs
mkdir -p "$F" "$TMP/proc/self"
mount -t tmpfs -o size=256k,nr_inodes=64 tmpfs "$F" || { skip extlinux-conf "cannot mount a tmpfs"; exit 0; }
on_exit umount -l "$F"

B=$F/boot C=$F/boot/extlinux/extlinux.conf
mkdir -p "$B/extlinux"
for v in 6.1.0-18-amd64 6.10.0-1-amd64; do
	echo k > "$B/vmlinuz-$v"; echo i > "$B/initrd.img-$v"
done
printf '%s\n' "27 1 254:0 / / rw - ext4 /dev/vda rw" "40 27 8:1 / $B rw - ext4 /dev/sda1 rw" \
	> "$TMP/proc/self/mountinfo"
export HOSTKIT_PROCFS=$TMP/proc
xc() { run "$X" --boot "$B" --output "${OUTPUT:-$C}" --root UUID=1111-2222 "$@"; }

# The starting file: hand-written lines around our block.
printf '# by hand, before\nLABEL rescue\n\tLINUX /rescue\n' > "$C"
xc --timeout 50
check setup "the first run failed" test "$RC" = 0
printf '# by hand, after\n' >> "$C"
cp "$C" "$TMP/old.conf"
listing() { (cd "$B/extlinux" && ls -A); }
listing > "$TMP/old.ls"
check_listing() {  # NAME: no file appeared or vanished in extlinux/
	if [ "$(listing)" = "$(cat "$TMP/old.ls")" ]; then pass "$1"; else
		fail "$1" "extlinux/ now holds: $(listing | tr '\n' ' ')" "before: $(tr '\n' ' ' < "$TMP/old.ls")"; fi
}

# --- a full filesystem ------------------------------------------------------
dd if=/dev/zero of="$F/filler" bs=4k 2>/dev/null
xc --timeout 30
check_refused full/refused extlinux-conf
check_grep full/says-why err 'No space left on device'
check_same full/file-intact "$C" "$TMP/old.conf"
check_listing full/no-leftovers
# Nothing to change needs no space: a run with the same settings succeeds.
xc --timeout 50
check_rc full/unchanged-ok 0; check_grep full/unchanged-says out ": unchanged"
rm -f "$F/filler"

# --- a read-only filesystem ----------------------------------------------------
if mount -o remount,ro "$F"; then
	xc --timeout 30
	check_refused ro/refused extlinux-conf
	check_grep ro/says-why err 'Read-only file system'
	check_same ro/file-intact "$C" "$TMP/old.conf"
	xc --timeout 30 --dry-run
	check_rc ro/dry-run-ok 0
	mount -o remount,rw "$F"
	check_listing ro/no-leftovers
else
	skip ro "cannot remount the tmpfs read-only"
fi

# --- the temporary file's write or fsync failing (the LD_PRELOAD shim) --------------
build_shim
for how in ENOSPC EIO fsync-EIO; do
	cp "$TMP/old.conf" "$C"
	with_fault extlinux.conf.tmp "$how" "$X" --boot "$B" --output "$C" --root UUID=1111-2222 --timeout 30
	check "$how/injected" "the shim saw no write or fsync of the temporary file" fault_happened
	check_refused "$how/refused" extlinux-conf
	check_same "$how/file-intact" "$C" "$TMP/old.conf"
	check_listing "$how/no-leftovers"
done

# --- two runs at once ------------------------------------------------------------
# The results of each run alone, from the same starting file.
for t in 10 20; do
	cp "$TMP/old.conf" "$TMP/want-$t.conf"
	OUTPUT=$TMP/want-$t.conf xc --timeout $t
done
rounds=25 bad=0 refused=0 msgs=
for ((r = 0; r < rounds; r++)); do
	cp "$TMP/old.conf" "$C"; rm -f "$C.bak"
	"$X" --boot "$B" --output "$C" --root UUID=1111-2222 --timeout 10 >/dev/null 2>"$TMP/a.err" &
	a=$!
	"$X" --boot "$B" --output "$C" --root UUID=1111-2222 --timeout 20 >/dev/null 2>"$TMP/b.err" &
	b=$!
	wait $a; ra=$?; wait $b; rb=$?
	for x in "$ra:$TMP/a.err" "$rb:$TMP/b.err"; do
		rc=${x%%:*} e=${x#*:}
		if [ "$rc" != 0 ]; then
			refused=$((refused + 1)); msgs="$msgs $(head -1 "$e")"
			[ "$(grep -c '' "$e")" = 1 ] || { bad=$((bad + 1)); msgs="$msgs [not one line]"; }
		fi
	done
	if ! cmp -s "$C" "$TMP/want-10.conf" && ! cmp -s "$C" "$TMP/want-20.conf"; then
		bad=$((bad + 1)); msgs="$msgs [round $r: neither complete result]"
	fi
	[ "$ra" = 0 ] || [ "$rb" = 0 ] || { bad=$((bad + 1)); msgs="$msgs [round $r: both failed]"; }
	ls "$B/extlinux" | grep -q 'tmp' && { bad=$((bad + 1)); msgs="$msgs [round $r: temporary file left]"; }
done
check concurrent/one-complete-result "$bad bad rounds of $rounds:$msgs" test "$bad" = 0
echo "# concurrent: $rounds rounds, $refused runs refused${msgs:+:$msgs}"
check concurrent/no-refusals "$refused of $((2 * rounds)) runs failed beside another run:$msgs" test "$refused" = 0
