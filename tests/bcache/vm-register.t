#!/bin/bash
# bcache-probe and bcache-register against the real bcache driver, in one
# VM boot (tests/bcache/register.vm).  The damaged superblocks are made
# here (no python in the VM) and shipped as 4 KiB files with their device
# size; the VM lets the kernel itself judge each one.
. "$HK_ROOT/tests/lib.sh"
. "$HK_ROOT/tests/vm/lib.sh"
IMG=$T_DIR/sb-images
D=$T_TMP/damaged
mkdir -p "$D"
zero16=00000000000000000000000000000000
# NAME BASE EDITS...
while read -r name base edits; do
	[ -n "$name" ] || continue
	f=$T_TMP/$name.img
	{ head -c 4096 /dev/zero; cat "$IMG/$base.sb"; } > "$f"
	# shellcheck disable=SC2086
	"$T_DIR/sb-edit" "$f" $edits
	tail -c 4096 "$f" > "$D/$name.sb"
	cp "$IMG/$base.size" "$D/$name.size"
done <<EOF_LIST
magic        backing        magic=$zero16
offset       backing        offset=9 --reseal
csum         backing        csum=0x1234
keys-unsealed backing       keys=300
keys-cache   cache-b64k     keys=300 --reseal
version2     backing        version=2 --reseal
version7     cache-b64k     version=7 --reseal
incompat     cache-b64k     version=5 feature_incompat=0x4 --reseal
compat       cache-b64k     version=5 feature_compat=0x1 --reseal
ro-compat    cache-b64k     version=5 feature_ro_compat=0x1 --reseal
data-offset  backing-offset data_offset=8 --reseal
nbuckets     cache-b64k     nbuckets=100 --reseal
too-small    cache-b64k     nbuckets=4096 --reseal
bucket-npow2 cache-b64k     bucket_size=1000 --reseal
bucket-small cache-b64k     bucket_size=4 --reseal
block-large  cache-b64k     block_size=16 --reseal
block-npow2  cache-b64k     block_size=3 --reseal
nr-in-set    cache-b64k     nr_in_set=0 --reseal
nr-this-dev  cache-b64k     nr_this_dev=1 --reseal
journal      cache-b64k     keys=2 --reseal
first-bucket cache-b64k     first_bucket=0 --reseal
uuid         backing        uuid=$zero16 --reseal
set-uuid     cache-b64k     set_uuid=$zero16 --reseal
ok-keys-backing backing     keys=300 --reseal
ok-v5-large  cache-b64k     version=5 feature_incompat=0x2 bucket_size=7 --reseal
block-512-on-4k backing-512
ok-block-4k-on-4k backing
EOF_LIST
# these two go on loop devices with 4096-byte logical blocks
echo 4096 > "$D/block-512-on-4k.lbs"
echo 4096 > "$D/ok-block-4k-on-4k.lbs"
vm_run -f "$D:/files/damaged" "$T_DIR/register.vm"
