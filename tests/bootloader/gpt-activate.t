#!/bin/bash
# mbr-write --activate N on GPT disk images made by sfdisk and on loop
# devices (512- and 4096-byte sectors): the legacy BIOS bootable attribute
# on partition N only, in both copies of the GPT; sfdisk and sgdisk find
# the result clean, and only the attribute bytes and the four CRC fields
# changed.  Damaged or half-updated GPTs are refused with the image
# byte-identical; a second run writes nothing.
. "$HK_ROOT/tests/lib.sh"
. "$T_DIR/lib-disk.sh"
W=$HK_ROOT/bootloader/mbr-write
TMP=$T_TMP
for d in /usr/lib/syslinux/mbr /usr/share/syslinux /usr/lib/syslinux/bios; do
	[ -f "$d/gptmbr.bin" ] && { GPTMBR=$d/gptmbr.bin; break; }
done
if [ -z "${GPTMBR:-}" ] || ! have_cmd sfdisk; then
	skip all "needs syslinux's gptmbr.bin and sfdisk"
	exit 0
fi

SIZE=$((8 * 1024 * 1024))
LAST=$((SIZE / 512 - 1))                 # the backup header's LBA
BARRAY=$((LAST - 32))                    # the backup entry array's LBA
# Byte offsets counted from 1, as cmp -l prints them.
hdr_crc() { seq $(($1 * 512 + 17)) $(($1 * 512 + 20)); }
arr_crc() { seq $(($1 * 512 + 89)) $(($1 * 512 + 92)); }
attr() { echo $(($1 * 512 + ($2 - 1) * 128 + 48 + 1)); }   # LBA of the array, partition

# mk_image FILE: random bytes everywhere (so that "untouched" means
# something), then a GPT with three partitions.
mk_image() {
	head -c $SIZE /dev/urandom > "$1"
	printf 'label: gpt\nstart=2048, size=4096\nstart=6144, size=4096\nstart=10240\n' |
		sfdisk -q --wipe never "$1" >/dev/null
}
# attrs FILE N: sfdisk's view of partition N's attributes
attrs() { sfdisk --part-attrs "$1" "$2" 2>&1; }
# clean NAME FILE: sfdisk --verify and sgdisk -v find nothing wrong
clean() {
	run sfdisk --verify "$2"
	check "$1-sfdisk-verify" "sfdisk --verify complains" \
		eval '[ "$RC" = 0 ] && printf "%s" "$OUT" | grep -q "No errors detected" && ! printf "%s" "$OUT$ERR" | grep -qi "corrupt\|differ"'
	if have_cmd sgdisk; then
		run sgdisk -v "$2"
		check "$1-sgdisk-verify" "sgdisk -v found problems" \
			eval 'printf "%s" "$OUT" | grep -q "No problems found" && ! printf "%s" "$OUT$ERR" | grep -qi "CRC\|corrupt\|differ\|caution\|problems! *$\|identified"'
	else
		skip "$1-sgdisk-verify" "no sgdisk (gdisk package)"
	fi
}
# changed_offsets A B: the byte offsets past the boot code where A and B differ
changed_offsets() { cmp -l "$1" "$2" | awk '$1 > 440 {print $1}'; }
# only_in_allowed NAME A B ALLOWED...: every differing offset is allowed
only_allowed() {
	local n=$1 a=$2 b=$3 extra; shift 3
	extra=$(comm -23 <(changed_offsets "$a" "$b" | sort) <(printf '%s\n' "$@" | sort))
	check "$n" "bytes changed outside the CRC fields and attribute bytes: $(echo $extra | head -c 300)" \
		test -z "$extra"
}
I=$TMP/gpt.img
mk_image "$I"
cp "$I" "$TMP/orig.img"
check image-table "sfdisk made no GPT" eval 'sfdisk -d "$I" | grep -q "^label: gpt"'
check image-no-attrs "partition 1 has attributes already" test -z "$(attrs "$I" 1)"

# --- dry run, then the real thing --------------------------------------------
run $W --dry-run --activate 2 "$I"
check_out dry-run 0 "$I: would write 440 bytes from $GPTMBR (gpt label)
$I: would write the backup, then the primary GPT: LegacyBIOSBootable on partition 2 only (1 entry changed)"
check dry-run-untouched "the dry run changed the image" cmp -s "$I" "$TMP/orig.img"
run $W --dry-run --json --activate 2 "$I"
check dry-run-json "changed/gpt_changed/bytes" test \
	"$(json_get '[d["changed"], d["gpt_changed"], d["dry_run"], d["bytes"], d["active"]]')" = \
	"[true, true, true, $((440 + 2 * (512 + 128 * 128))), 2]"

run $W --activate 2 "$I"
check_out activate 0 "$I: wrote 440 bytes from $GPTMBR (gpt label)
$I: wrote the backup, then the primary GPT: LegacyBIOSBootable on partition 2 only (1 entry changed)"
check attrs-2 "partition 2: '$(attrs "$I" 2)'" test "$(attrs "$I" 2)" = LegacyBIOSBootable
check attrs-1 "partition 1: '$(attrs "$I" 1)'" test -z "$(attrs "$I" 1)"
check attrs-3 "partition 3: '$(attrs "$I" 3)'" test -z "$(attrs "$I" 3)"
clean activate "$I"
check code "bytes 0-439 are not gptmbr.bin" cmp -s -n 440 "$I" "$GPTMBR"
# exactly the attribute byte of partition 2 in both arrays, 0 -> 4 ...
run sh -c "cmp -l '$TMP/orig.img' '$I' | awk '\$1 > 440 && \$2 == 0 && \$3 == 4 {print \$1}'"
check_out attr-bytes 0 "$(attr 2 2)
$(attr $BARRAY 2)"
# ... and otherwise only the CRC fields of the two headers
only_allowed only-crcs-and-attrs "$TMP/orig.img" "$I" $(attr 2 2) $(attr $BARRAY 2) \
	$(hdr_crc 1) $(arr_crc 1) $(hdr_crc $LAST) $(arr_crc $LAST)
# the same GPT, byte for byte, as sfdisk's own --part-attrs makes
cp "$TMP/orig.img" "$TMP/sfdisk.img"
sfdisk -q --part-attrs "$TMP/sfdisk.img" 2 LegacyBIOSBootable
check same-as-sfdisk "differs from sfdisk --part-attrs 2 LegacyBIOSBootable" \
	cmp -s -i 440 "$I" "$TMP/sfdisk.img"

# --- idempotence ----------------------------------------------------------------
before=$(stat -c %y "$I")
run $W --activate 2 "$I"
check_out again 0 "$I: unchanged ($GPTMBR already in place)
$I: GPT unchanged (LegacyBIOSBootable on partition 2 only)"
run $W --activate 2 --json "$I"
check again-json "changed or gpt_changed not false" \
	test "$(json_get '[d["changed"], d["gpt_changed"], d["bytes"]]')" = "[false, false, 0]"
check again-mtime "the image was written" test "$before" = "$(stat -c %y "$I")"

# --- moving the attribute: cleared on 2, set on 3 --------------------------------
cp "$I" "$TMP/act2.img"
run $W --json --activate 3 "$I"
check move-json "changed/gpt_changed/bytes" \
	test "$(json_get '[d["changed"], d["gpt_changed"], d["bytes"]]')" = "[true, true, $((2 * (512 + 128 * 128)))]"
check move-attrs "2: '$(attrs "$I" 2)', 3: '$(attrs "$I" 3)'" \
	test "$(attrs "$I" 2)/$(attrs "$I" 3)" = /LegacyBIOSBootable
clean move "$I"
only_allowed move-bytes "$TMP/act2.img" "$I" $(attr 2 2) $(attr $BARRAY 2) $(attr 2 3) $(attr $BARRAY 3) \
	$(hdr_crc 1) $(arr_crc 1) $(hdr_crc $LAST) $(arr_crc $LAST)

# --- other attribute bits stay; the bit goes on the others ------------------------
cp "$TMP/orig.img" "$I"
sfdisk -q --part-attrs "$I" 1 "RequiredPartition,60"
sfdisk -q --part-attrs "$I" 2 "LegacyBIOSBootable,NoBlockIOProtocol"
sfdisk -q --part-attrs "$I" 3 LegacyBIOSBootable
run $W --activate 1 "$I"
check_grep keep-bits-run out 'LegacyBIOSBootable on partition 1 only \(3 entries changed\)'
check keep-bits "1: '$(attrs "$I" 1)', 2: '$(attrs "$I" 2)', 3: '$(attrs "$I" 3)'" test \
	"$(attrs "$I" 1)|$(attrs "$I" 2)|$(attrs "$I" 3)" = "RequiredPartition LegacyBIOSBootable GUID:60|NoBlockIOProtocol|"
clean keep-bits "$I"

# --- refusals: the image stays byte-identical -----------------------------------
cp "$TMP/orig.img" "$I"
refuse no-partition-4 1 'has no partition 4' "$I" --activate 4
refuse no-partition-200 1 'has no partition 200' "$I" --activate 200
# --backup would not hold the GPT
refuse backup-gpt 1 'saves sector 0 only.*sgdisk --backup' "$I" --activate 2 --backup "$TMP/b.bin"
check backup-gpt-no-file "a backup file was made" test ! -e "$TMP/b.bin"
# ... but with the GPT already as wanted, --backup saves sector 0 as ever
cp "$TMP/sfdisk.img" "$I"
run $W --activate 2 --backup "$TMP/b.bin" "$I"
check_out backup-code-only 0 "$I: wrote 440 bytes from $GPTMBR (gpt label), old sector saved to $TMP/b.bin
$I: GPT unchanged (LegacyBIOSBootable on partition 2 only)"
check backup-code-only-file "the backup is not the old sector 0" cmp -s -n 512 "$TMP/b.bin" "$TMP/sfdisk.img"

# damage FILE OFFSET: one byte flipped
damage() { printf "$(printf '\\%03o' $(($(od -An -tu1 -j "$2" -N1 "$1") ^ 1)))" |
	dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }
cp "$TMP/orig.img" "$I"; damage "$I" $((LAST * 512 + 60))       # backup header: disk GUID
refuse damaged-backup-header 1 "backup GPT header \(LBA $LAST\): header CRC32 0x[0-9a-f]{8}, computed" "$I" --activate 2
refuse damaged-backup-header-dry 1 "backup GPT header \(LBA $LAST\): header CRC32" "$I" --activate 2 --dry-run
cp "$TMP/orig.img" "$I"; damage "$I" $((LAST * 512 + 1))        # backup header: signature
refuse damaged-backup-signature 1 "backup GPT header \(LBA $LAST\): no \"EFI PART\" signature" "$I" --activate 2
cp "$TMP/orig.img" "$I"; damage "$I" $((512 + 16))              # primary header: its CRC
refuse damaged-primary-crc 1 "primary GPT header \(LBA 1\): header CRC32" "$I" --activate 2
cp "$TMP/orig.img" "$I"; damage "$I" $((BARRAY * 512 + 128 * 127))   # backup array: last entry
refuse damaged-backup-array 1 "backup GPT \(LBA $BARRAY\): entry array CRC32" "$I" --activate 2
cp "$TMP/orig.img" "$I"; damage "$I" $((2 * 512 + 200))          # primary array
refuse damaged-primary-array 1 "primary GPT \(LBA 2\): entry array CRC32" "$I" --activate 2
# a disk grown since the GPT was written: the backup is not at the end
cp "$TMP/orig.img" "$I"; truncate -s $((SIZE + 1024 * 1024)) "$I"
refuse grown 1 "primary GPT header \(LBA 1\): alternate_lba $LAST, not $((LAST + 2048)) \(the last LBA" "$I" --activate 2

# --- an interrupted run leaves one valid copy ------------------------------------
# After the backup was written (the old primary, the new backup) and in the
# middle of the primary (new array, old header): built from the old image
# and the finished one.
cp "$TMP/orig.img" "$TMP/half-a.img"
dd if="$TMP/act2.img" of="$TMP/half-a.img" bs=512 skip=$BARRAY seek=$BARRAY count=33 conv=notrunc status=none
cp "$TMP/half-a.img" "$TMP/half-b.img"
dd if="$TMP/act2.img" of="$TMP/half-b.img" bs=512 skip=2 seek=2 count=32 conv=notrunc status=none
refuse half-backup-written 1 'GPT: entry arrays differ between primary and backup' "$TMP/half-a.img" --activate 2
refuse half-primary-written 1 'primary GPT \(LBA 2\): entry array CRC32' "$TMP/half-b.img" --activate 2
# what sfdisk reads: the valid copy, old (a) or new (b)
check half-a-sfdisk "sfdisk does not read the old primary" \
	test -z "$(sfdisk --part-attrs "$TMP/half-a.img" 2 2>/dev/null)"
check half-b-sfdisk "sfdisk does not read the new backup" \
	test "$(sfdisk --part-attrs "$TMP/half-b.img" 2 2>/dev/null)" = LegacyBIOSBootable
# repaired as the manual says, the next run finishes the job
if have_cmd sgdisk; then
	for h in a b; do
		sgdisk -e "$TMP/half-$h.img" >/dev/null 2>&1
		run $W --activate 2 "$TMP/half-$h.img"
		check_rc half-$h-repaired 0
		check half-$h-attr "partition 2 is not LegacyBIOSBootable" test "$(attrs "$TMP/half-$h.img" 2)" = LegacyBIOSBootable
		clean half-$h "$TMP/half-$h.img"
	done
else
	skip half-repaired "no sgdisk (gdisk package)"
fi

# --- write faults, through the LD_PRELOAD shim of the fault tests ----------------
# Every write failing (EIO): the first one, of the backup array, fails and
# nothing of the image changes.  The first writes short (half the bytes
# stored): each is continued, and the result is a fault-free run's.
. "$HK_ROOT/tests/faults/faults-lib.sh"
if have_cmd "${CC:-cc}"; then
	build_shim
	cp "$TMP/orig.img" "$I"
	with_fault "$I" EIO $W --activate 2 "$I"
	check fault-eio-injected "the shim saw no write to the image" fault_happened
	check_refused fault-eio-refused mbr-write
	check_grep fault-eio-reason err 'writing the backup GPT failed: Input/output error \(the primary GPT is as it was\)'
	check_same fault-eio-intact "$I" "$TMP/orig.img"
	HK_FAULT_COUNT=3 with_fault "$I" short $W --activate 2 "$I"
	check fault-short-injected "the shim saw no write to the image" fault_happened
	check_rc fault-short-completed 0
	check_same fault-short-result "$I" "$TMP/act2.img"
else
	skip faults "no C compiler for the fault shim"
fi

# --- real block devices: loop devices, 512- and 4096-byte sectors ------------------
if ! is_root || ! have_cmd losetup; then
	skip loop "needs root and losetup"
	exit 0
fi
for ss in 512 4096; do
	L=
	if [ $ss = 512 ]; then
		cp "$TMP/orig.img" "$TMP/loop$ss.img"
		L=$(losetup -f --show -P "$TMP/loop$ss.img" 2>/dev/null)
	else
		# a GPT of 4096-byte sectors, made by sfdisk on the device itself
		head -c $SIZE /dev/urandom > "$TMP/loop$ss.img"
		L=$(losetup -f --show -b $ss "$TMP/loop$ss.img" 2>/dev/null) &&
			printf 'label: gpt\nstart=256, size=512\nstart=768, size=512\nstart=1280\n' |
			sfdisk -q --wipe never --no-reread "$L" >/dev/null 2>&1
	fi
	if [ -z "$L" ]; then skip loop$ss "no free loop device"; continue; fi
	on_exit "detach $L '$TMP/loop$ss.img'"
	check loop$ss-sector-size "blockdev says $(blockdev --getss "$L")" test "$(blockdev --getss "$L")" = $ss
	cp "$TMP/loop$ss.img" "$TMP/loop$ss.orig"
	run $W --activate 2 "$L"
	check_out loop$ss-activate 0 "$L: wrote 440 bytes from $GPTMBR (gpt label)
$L: wrote the backup, then the primary GPT: LegacyBIOSBootable on partition 2 only (1 entry changed)"
	check loop$ss-attrs "2: '$(attrs "$L" 2)', 1: '$(attrs "$L" 1)'" \
		test "$(attrs "$L" 2)/$(attrs "$L" 1)" = LegacyBIOSBootable/
	clean loop$ss "$L"
	last=$(($(blockdev --getsz "$L") * 512 / ss - 1))
	if [ $ss = 512 ]; then
		check loop$ss-same-as-image "the device differs from the image result" \
			cmp -s -i 440 "$L" "$TMP/act2.img"
	else
		# entry array at LBA 2 and last-4 (16 KiB in 4 sectors)
		only_allowed loop$ss-bytes "$TMP/loop$ss.orig" "$L" \
			$(($(attr 0 2) + 2 * ss)) $(($(attr 0 2) + (last - 4) * ss)) \
			$(seq $((ss + 17)) $((ss + 20))) $(seq $((ss + 89)) $((ss + 92))) \
			$(seq $((last * ss + 17)) $((last * ss + 20))) $(seq $((last * ss + 89)) $((last * ss + 92)))
	fi
	run $W --activate 2 "$L"
	check_out loop$ss-again 0 "$L: unchanged ($GPTMBR already in place)
$L: GPT unchanged (LegacyBIOSBootable on partition 2 only)"
	detach "$L" "$TMP/loop$ss.img"
	# the image of a 4096-byte-sector disk is refused, not misread
	[ $ss = 4096 ] && refuse loop4096-image-file 1 '4096-byte sectors in an image file.*losetup -b 4096' \
		"$TMP/loop$ss.img" --activate 2
done
