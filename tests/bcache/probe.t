#!/bin/bash
# bcache-probe against bcache-super-show, on superblocks written by
# make-bcache with every option, on damaged copies, and on a loop device.
. "$HK_ROOT/tests/lib.sh"
P=$HK_ROOT/bcache/bcache-probe
IMG=$T_DIR/sb-images
EDIT=$T_DIR/sb-edit

# rebuild NAME DEST: a sparse image from the recorded superblock
rebuild() {
	truncate -s "$(cat "$IMG/$1.size")" "$2"
	dd if="$IMG/$1.sb" of="$2" bs=4096 seek=1 conv=notrunc status=none
}

# 1. recorded images: output equals what bcache-super-show printed for them
for sb in "$IMG"/*.sb; do
	n=$(basename "$sb" .sb)
	rebuild "$n" "$T_TMP/$n.img"
	run "$P" "$T_TMP/$n.img"
	check_out "recorded-$n" 0 "$IMG/$n.show"
done

# 2. fresh images from make-bcache, compared with bcache-super-show live
if have_cmd make-bcache bcache-super-show; then
	while read -r name size args; do
		img=$T_TMP/live-$name.img
		truncate -s "$size" "$img"
		# shellcheck disable=SC2086
		make-bcache $args "$img" --wipe-bcache >/dev/null 2>&1 ||
			{ fail "live-$name" "make-bcache $args failed"; continue; }
		run "$P" "$img"
		check_out "live-$name" 0 "$(bcache-super-show "$img")"
	done <<-'LIST'
	backing            64M  -B
	backing-writeback  64M  -B --writeback
	backing-offset     64M  -B -o 4096
	backing-w512       64M  -B -w 512
	cache              128M -C
	cache-b64k         128M -C -b 64k
	cache-w512-b128k   128M -C -w 512 -b 128k
	cache-b1M          512M -C -b 1M
	cache-discard      128M -C --discard
	cache-fifo         128M -C --cache_replacement_policy=fifo
	cache-random       128M -C --cache-replacement-policy=random
	cache-all          128M -C -w 4k -b 128k --discard --writeback --cache_replacement_policy=fifo
	LIST

	# a backing + cache pair made together shares one cache-set UUID
	truncate -s 64M "$T_TMP/pb.img"; truncate -s 128M "$T_TMP/pc.img"
	if make-bcache -B "$T_TMP/pb.img" -C "$T_TMP/pc.img" -b 64k --writeback --wipe-bcache >/dev/null 2>&1; then
		run "$P" "$T_TMP/pb.img"; check_out pair-backing 0 "$(bcache-super-show "$T_TMP/pb.img")"
		run "$P" "$T_TMP/pc.img"; check_out pair-cache 0 "$(bcache-super-show "$T_TMP/pc.img")"
		a=$("$P" --json "$T_TMP/pb.img" | python3 -c 'import json,sys; print(json.load(sys.stdin)["devices"][0]["set_uuid"])')
		b=$("$P" --json "$T_TMP/pc.img" | python3 -c 'import json,sys; print(json.load(sys.stdin)["devices"][0]["set_uuid"])')
		check pair-set-uuid "both halves name the same cache set ($a, $b)" test -n "$a" -a "$a" = "$b"
	else
		fail pair "make-bcache -B -C failed"
	fi
else
	skip live "make-bcache/bcache-super-show not installed (package bcache-tools)"
fi

# 3. damaged copies: the kernel's reason, exit 1, nothing on stdout
damaged() {  # NAME BASE WANT_REASON EDITS...
	local n=$1 base=$2 want=$3; shift 3
	rebuild "$base" "$T_TMP/d-$n.img"
	"$EDIT" "$T_TMP/d-$n.img" "$@"
	run "$P" "$T_TMP/d-$n.img"
	if [ "$RC" = 1 ] && [ -z "$OUT" ] && [ "$ERR" = "bcache-probe: $T_TMP/d-$n.img: $want" ]; then
		pass "damaged-$n"
	else
		fail "damaged-$n" "wanted exit 1, no output, reason '$want'" "stdout: $OUT" "stderr: $ERR" "status: $RC"
	fi
}
damaged magic backing "Not a bcache superblock (bad magic)" magic=00112233445566778899aabbccddeeff
damaged offset backing "Not a bcache superblock (bad offset)" offset=9 --reseal
damaged csum backing "Bad checksum" csum=0x1234
damaged label-csum cache "Bad checksum" label=changed
damaged keys-cache cache "Too many journal buckets" keys=300 --reseal
damaged keys-unsealed backing "Bad checksum" keys=300
damaged version2 backing "Unsupported superblock version" version=2 --reseal
damaged version7 cache "Unsupported superblock version" version=7 --reseal
damaged incompat cache "Unsupported incompatible feature found" version=5 feature_incompat=0x4 --reseal
damaged compat cache "Unsupported compatible feature found" version=5 feature_compat=0x1 --reseal
damaged data-offset backing-offset "Bad data offset" data_offset=8 --reseal
damaged nbuckets cache "Not enough buckets" nbuckets=100 --reseal
damaged too-small cache "Invalid superblock: device too small" nbuckets=4096 --reseal
damaged bucket-size cache "Bad bucket size (not power of 2)" bucket_size=1000 --reseal
damaged block-size cache "Bad block size (larger than page size)" block_size=16 --reseal
damaged nr-in-set cache "Bad cache device number in set" nr_in_set=0 --reseal
damaged journal cache "Journal buckets not sequential" keys=2 --reseal
damaged uuid backing "Bad UUID" uuid=00000000000000000000000000000000 --reseal
damaged bcachefs backing "bcachefs superblock, not bcache" magic=c68573f666ce90a9d96a60cf803df7ef

# what a backing device with keys > 256 gets from the kernel: nothing to
# object to (it checks journal buckets on caches only)
rebuild backing "$T_TMP/keys-backing.img"
"$EDIT" "$T_TMP/keys-backing.img" keys=300 --reseal
run "$P" "$T_TMP/keys-backing.img"
check_rc keys-backing-accepted 0

# --force prints anyway, and for a bad checksum exactly what
# bcache-super-show -f prints; the status stays 1
rebuild backing-writeback "$T_TMP/f.img"
"$EDIT" "$T_TMP/f.img" csum=0xdeadbeef
run "$P" --force "$T_TMP/f.img"
if have_cmd bcache-super-show; then
	check_out force-csum-vs-super-show 1 "$(bcache-super-show -f "$T_TMP/f.img")"
	# bcache-super-show's own opinion of the damaged copies: it refuses the
	# ones with bad magic, offset and checksum too (exit 2)
	for n in magic offset csum label-csum; do
		bcache-super-show "$T_TMP/d-$n.img" >/dev/null 2>&1
		rc=$?
		check "super-show-agrees-$n" "bcache-super-show exit $rc, wanted 2" test "$rc" = 2
	done
else
	check_grep force-csum out "^sb.csum[[:space:]]+DEADBEEF \[expected [0-9A-F]+\]$"
fi
rebuild cache "$T_TMP/f2.img"
"$EDIT" "$T_TMP/f2.img" version=2 --reseal
run "$P" --force "$T_TMP/f2.img"
check_grep force-version2 out $'^sb.version\t\t2 \\[unknown\\]$'
check_rc force-version2-status 1

# 4. versions 5 and 6 (bcache-tools 1.1 and the kernel's feature sets)
rebuild cache "$T_TMP/v5.img"
"$EDIT" "$T_TMP/v5.img" version=5 feature_incompat=0x2 bucket_size=10 --reseal
run "$P" --json "$T_TMP/v5.img"
check v5-large-bucket "large_bucket: bucket size 2^10 sectors" \
	test "$(json_get 'd["devices"][0]["bucket_sectors"]')" = 1024 -a "$RC" = 0
rebuild backing-offset "$T_TMP/v6.img"
"$EDIT" "$T_TMP/v6.img" version=6 label="my data" flags=$(( (2 << 61) | 1 )) --reseal
run "$P" "$T_TMP/v6.img"
check_grep v6-backing out $'^dev.data.cache_state\t2 \\[dirty\\]$'
check_grep v6-label out $'^dev.label\t\tmy%20data$'

# 5. JSON and udev output
rebuild backing-offset "$T_TMP/j.img"
"$EDIT" "$T_TMP/j.img" label="data disk" --reseal
run "$P" --json "$T_TMP/j.img"
check json-valid "output parses as JSON" json_valid
check json-fields "typed fields" test \
	"$(json_get '[d["devices"][0][k] for k in ("valid","type","version","data_offset_sectors","cache_mode","state","label")]')" = \
	'[true, "backing", 4, 2048, "writethrough", "detached", "data disk"]'
uuid=$(grep '^dev.uuid' "$IMG/backing-offset.show" | cut -f3)
cset=$(grep '^cset.uuid' "$IMG/backing-offset.show" | cut -f3)
run "$P" --udev "$T_TMP/j.img"
check_out udev-backing 0 "ID_FS_TYPE=bcache
ID_FS_UUID=$uuid
ID_FS_UUID_ENC=$uuid
ID_FS_LABEL=data_disk
ID_FS_LABEL_ENC=data\\x20disk
BCACHE_SET_UUID=$cset
BCACHE_TYPE=backing
BCACHE_CACHE_MODE=writethrough
BCACHE_STATE=detached
BCACHE_SB_VERSION=4"
rebuild cache-fifo "$T_TMP/u.img"
run "$P" --udev "$T_TMP/u.img"
check_grep udev-cache out '^BCACHE_TYPE=cache$'
# Labels as udev would import them from libblkid: compared with what
# blkid prints for a swap area with the same label (blkid reads no bcache
# labels before util-linux 2.39).
if have_cmd mkswap blkid; then
	i=0
	for label in 'x  y!é$%' ' lead trail ' $'tab\there' 'a/b "q"\\' 'ünïcödé'; do
		i=$((i + 1))
		truncate -s 1M "$T_TMP/swap$i.img"
		mkswap -L "$label" "$T_TMP/swap$i.img" >/dev/null 2>&1
		want=$(blkid -p -o udev "$T_TMP/swap$i.img" | grep '^ID_FS_LABEL')
		rebuild backing "$T_TMP/label$i.img"
		"$EDIT" "$T_TMP/label$i.img" label="$label" --reseal
		run "$P" --udev "$T_TMP/label$i.img"
		check "udev-label-$i" "label '$label': wanted $(printf '%s' "$want" | tr '\n' ' '), got $(printf '%s\n' "$OUT" | grep '^ID_FS_LABEL' | tr '\n' ' ')" \
			test -n "$want" -a "$want" = "$(printf '%s\n' "$OUT" | grep '^ID_FS_LABEL')"
	done
else
	skip udev-labels "mkswap and blkid not installed"
fi
run "$P" --udev "$T_TMP/d-csum.img"
check_out udev-invalid 1 ""
run "$P" --json "$T_TMP/d-csum.img" "$T_TMP/nonexistent"
check json-invalid "two entries, both invalid, exit 1" test "$RC" = 1 -a \
	"$(json_get '[(e["valid"], e["error"]) for e in d["devices"]]')" = \
	'[[false, "Bad checksum"], [false, "No such file or directory"]]'

# a cache the kernel reads but will not run (256 buckets): valid, warned
rebuild cache "$T_TMP/w.img"
run "$P" "$T_TMP/w.img"
check_grep small-cache-warning err 'warning: .*cache device is too small'
check_rc small-cache-status 0

# 6. usage
run "$P"; check_rc usage-no-device 2
run "$P" --bogus x; check_rc usage-unknown-option 2
run "$P" --udev a b; check_rc usage-udev-two 2
run "$P" --help; check_grep help out '^Usage: bcache-probe'
run "$P" --version; check_grep version out '^bcache-probe \(hostkit\) '
run "$P" /dev/null; check_out not-a-device 1 ""
check_grep not-a-device-reason err '^bcache-probe: /dev/null: neither a block device nor an image file$'
truncate -s 4096 "$T_TMP/sb-tiny"; run "$P" "$T_TMP/sb-tiny"; check_out too-small 1 ""
check_grep too-small-reason err "^bcache-probe: $T_TMP/sb-tiny: too small to hold a bcache superblock\$"


# 7. a real block device: a loop device, compared with blkid
if ! is_root || ! have_cmd losetup; then
	skip loop "needs root and losetup"
else
	rebuild backing-writeback "$T_TMP/loop.img"
	# another test may take the free device first: try again
	for i in 1 2 3 4 5; do
		loop=$(losetup -f --show "$T_TMP/loop.img" 2>/dev/null) && break
	done
	if [ -n "$loop" ]; then
		on_exit "losetup -d $loop"
		run "$P" "$loop"
		check_out loop-backing 0 "$IMG/backing-writeback.show"
		run "$P" --udev "$loop"
		want=$(blkid -p -o udev "$loop" | grep '^ID_FS_UUID=')
		check_grep loop-udev-vs-blkid out "^${want:-blkid found nothing}\$"
	else
		skip loop "no free loop device"
	fi
fi
