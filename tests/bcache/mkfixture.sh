#!/bin/bash
# mkfixture.sh PROFILE DIR [N]: writes a fake sysfs tree with bcache devices,
# faithful to what the kernel of PROFILE shows, below DIR (HOSTKIT_SYSFS=DIR).
#   PROFILE  4.9   old bch_hprint ("512", "512k", "150M"); no backing_dev_*,
#                  no io_errors on backing devices, writeback PD controller
#          4.19  new bch_hprint ("0.5k", "512.0k"); readahead, cache_readaheads
#          6.x   no readahead (5.13), no cache_readaheads (6.5), feature_*,
#                  readahead_cache_policy, writeback_consider_fragment
#   N        instead of the profile's scenario: one cache set and N attached
#            backing devices loop0..loop(N-1) (benchmarks)
# Formats follow drivers/md/bcache/sysfs.c (and a 6.1 kernel's tree, read in
# the VM lab): every file but the empty feature_* ends in a newline,
# sizes go through bch_hprint, lists bracket the selected word, links are
# relative as sysfs makes them.  The scenarios are declared in scenario_*
# below; the functions between turn a declaration into files.
set -eu
PROFILE=${1:?usage: mkfixture.sh 4.9|4.19|6.x DIR [N]}
R=${2:?usage: mkfixture.sh 4.9|4.19|6.x DIR [N]}
N=${3:-}
case $PROFILE in 4.9|4.19|6.x) ;; *) echo "mkfixture.sh: unknown profile $PROFILE" >&2; exit 2 ;; esac
mkdir -p "$R"
R=$(cd "$R" && pwd)

K=1024 M=$((1024 * 1024)) G=$((1024 * 1024 * 1024))

# bch_hprint of the profile's kernel.
hprint() {
	local v=$1 neg= u=0 t=0 q
	local units=(? k M G T P E Z Y)
	if ((v < 0)); then neg=-; v=$((-v)); fi
	if [ "$PROFILE" = 4.9 ]; then
		# before 4.15: integer below 1024, ".t/100" only below 100
		while ((v >= 1024)); do t=$((v & 1023)); v=$((v >> 10)); u=$((u + 1)); done
		if ((u == 0)); then echo "$neg$v"; return; fi
		if ((v < 100)); then echo "$neg$v.$((t / 100))${units[u]}"; else echo "$neg$v${units[u]}"; fi
	else
		# since 4.15: divide at least once and while >= 1000, one truncated decimal
		q=$v
		while :; do u=$((u + 1)); t=$((q & 1023)); q=$((q >> 10)); ((q >= 1000)) || break; done
		echo "$neg$q.$((t * 10 / 1024))${units[u]}"
	fi
}
is_old() { [ "$PROFILE" = 4.9 ]; }
is_6x() { [ "$PROFILE" = 6.x ]; }

# f PATH VALUE [MODE]: an attribute file; the kernel ends every one in "\n".
f() { mkdir -p "$(dirname "$R/$1")"; printf '%s\n' "$2" > "$R/$1"; chmod "${3:-0444}" "$R/$1"; }
rw() { f "$1" "$2" 0644; }
# w PATH: a write-only attribute (0200); reading it fails in the kernel.
w() { mkdir -p "$(dirname "$R/$1")"; : > "$R/$1"; chmod 0200 "$R/$1"; }
# l TARGET LINK: a relative symlink, both given below the root.
l() {
	mkdir -p "$(dirname "$R/$2")"
	ln -sfn "$(realpath -m -s --relative-to="$(dirname "$R/$2")" "$R/$1")" "$R/$2"
}
# list CHOICE... with the selected one given as =word
list() { local out= c; for c; do case $c in =*) out+=" [${c#=}]" ;; *) out+=" $c" ;; esac; done; echo "${out# }"; }

# blockdev DEVPATH MAJ:MIN SECTORS [PARTNO START]: a block device directory
# with its /sys/block (disks), /sys/class/block and /sys/dev/block links.
blockdev() {
	local p=$1 dev=$2 sectors=$3 name=${1##*/}
	f "$p/dev" "$dev"
	f "$p/size" "$sectors"
	f "$p/ro" 0
	mkdir -p "$R/$p/holders" "$R/$p/slaves"
	if [ $# -ge 5 ]; then
		f "$p/partition" "$4"
		f "$p/start" "$5"
	else
		l "$p" "block/$name"
	fi
	l "$p" "class/block/$name"
	l "$p" "dev/block/$dev"
}

stats_dir() {  # DIR hits misses bypass_hits bypass_misses collisions bypassed
	local d=$1 ratio=0
	(($2 + $3)) && ratio=$(($2 * 100 / ($2 + $3)))
	f "$d/cache_hits" "$2"
	f "$d/cache_misses" "$3"
	f "$d/cache_bypass_hits" "$4"
	f "$d/cache_bypass_misses" "$5"
	f "$d/cache_miss_collisions" "$6"
	f "$d/cache_hit_ratio" "$ratio"
	f "$d/bypassed" "$(hprint "$7")"
	is_6x || f "$d/cache_readaheads" 0
}
# stats DIR hits misses bypass_hits bypass_misses collisions bypassed: the
# four windows; the decaying ones hold a share of the total.
stats() {
	local d=$1; shift
	stats_dir "$d/stats_total" "$@"
	stats_dir "$d/stats_day" $(($1 / 2)) $(($2 / 2)) $(($3 / 2)) $(($4 / 2)) $(($5 / 2)) $(($6 / 2))
	stats_dir "$d/stats_hour" $(($1 / 24)) $(($2 / 20)) $(($3 / 24)) $(($4 / 24)) $(($5 / 24)) $(($6 / 24))
	stats_dir "$d/stats_five_minute" $(($1 / 300)) $(($2 / 200)) $(($3 / 300)) $(($4 / 300)) $(($5 / 300)) $(($6 / 300))
}

top_level() {
	w fs/bcache/register
	w fs/bcache/register_quiet
	is_6x && w fs/bcache/pendings_cleanup
	return 0
}

# cset UUID key=value...: a cache set (keys: avail, hits, misses, bhits,
# bmisses, coll, bypassed).
cset() {
	local u=$1 d=fs/bcache/$1; shift
	local -A a=([avail]=100 [hits]=0 [misses]=0 [bhits]=0 [bmisses]=0 [coll]=0 [bypassed]=0)
	local kv; for kv; do a[${kv%%=*}]=${kv#*=}; done
	w $d/unregister; w $d/stop; w $d/flash_vol_create; w $d/clear_stats
	rw $d/synchronous 1
	rw $d/journal_delay_ms 100
	f $d/bucket_size "$(hprint $((512 * K)))"
	f $d/block_size "$(hprint 512)"
	f $d/tree_depth 1
	f $d/root_usage_percent 3
	f $d/btree_cache_size "$(hprint $((131 * M)))"
	f $d/cache_available_percent "${a[avail]}"
	f $d/average_key_size "$(hprint $((26 * K)))"
	rw $d/errors "$(list =unregister panic)"
	rw $d/io_error_limit 8
	rw $d/io_error_halflife 0
	f $d/congested "$(hprint 0)"
	rw $d/congested_read_threshold_us 2000
	rw $d/congested_write_threshold_us 20000
	stats $d "${a[hits]}" "${a[misses]}" "${a[bhits]}" "${a[bmisses]}" "${a[coll]}" "${a[bypassed]}"
	local i=$d/internal
	f $i/active_journal_entries 5
	f $i/btree_nodes 310
	f $i/btree_used_percent 60
	f $i/btree_cache_max_chain 2
	f $i/cache_read_races 0
	f $i/writeback_keys_done 81234
	f $i/writeback_keys_failed 0
	f $i/btree_gc_average_frequency_sec 300
	f $i/btree_gc_average_duration_ms 120
	f $i/btree_gc_max_duration_ms 480
	f $i/btree_gc_last_sec 42
	f $i/btree_read_average_frequency_ms 950
	f $i/btree_read_average_duration_us 310
	f $i/btree_read_max_duration_us 9100
	f $i/btree_read_last_ms 20
	printf 'btree nodes:\t\t310\nwritten sets:\t\t512\nunwritten sets:\t\t12\nwritten key bytes:\t3145728\nunwritten key bytes:\t8192\nfloats:\t\t\t190000\nfailed:\t\t\t12\n' > "$R/$i/bset_tree_stats"; chmod 0444 "$R/$i/bset_tree_stats"
	w $i/trigger_gc; w $i/prune_cache
	rw $i/gc_always_rewrite 0
	rw $i/btree_shrinker_disabled 0
	rw $i/copy_gc_enabled 0
	is_old || rw $i/io_disable 0
	if is_6x; then
		rw $i/idle_max_writeback_rate 1
		rw $i/gc_after_writeback 0
		f $i/reclaim 0
		f $i/reclaimed_journal_buckets 0
		f $i/flush_write 0
		f $i/cutoff_writeback 40
		f $i/cutoff_writeback_sync 70
		# No known feature: the kernel prints nothing, not even "\n"
		# (checked on 6.1, the VM lab's kernel).
		: > "$R/$i/feature_compat"; chmod 0444 "$R/$i/feature_compat"
		: > "$R/$i/feature_ro_compat"; chmod 0444 "$R/$i/feature_ro_compat"
		f $i/feature_incompat "$(list large_bucket)"
	fi
	return 0
}

# cache NAME DEVPATH MAJ:MIN SECTORS CSET NR [key=value...] (keys: errors,
# written, btree, meta, part=PARTNO:START)
cache() {
	local name=$1 p=$2 dev=$3 sectors=$4 u=$5 nr=$6; shift 6
	local -A a=([errors]=0 [written]=0 [btree]=0 [meta]=0 [part]=)
	local kv; for kv; do a[${kv%%=*}]=${kv#*=}; done
	if [ -n "${a[part]}" ]; then
		blockdev "$p" "$dev" "$sectors" "${a[part]%%:*}" "${a[part]#*:}"
	else
		blockdev "$p" "$dev" "$sectors"
	fi
	local d=$p/bcache
	f $d/bucket_size "$(hprint $((512 * K)))"
	f $d/block_size "$(hprint 512)"
	f $d/nbuckets $((sectors / 1024))
	printf 'Unused:\t\t12%%\nClean:\t\t80%%\nDirty:\t\t6%%\nMetadata:\t0%%\nAverage:\t56\nSectors per Q:\t%s\nQuantiles:\t[1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31]\n' \
		$((sectors / 32)) > "$R/$d/priority_stats"; chmod 0444 "$R/$d/priority_stats"
	rw $d/discard 0
	f $d/written "$(hprint "${a[written]}")"
	f $d/btree_written "$(hprint "${a[btree]}")"
	f $d/metadata_written "$(hprint "${a[meta]}")"
	f $d/io_errors "${a[errors]}"
	w $d/clear_stats
	rw $d/cache_replacement_policy "$(list =lru fifo random)"
	l fs/bcache/$u $d/set
	l $d fs/bcache/$u/cache$nr
}

# backing NAME DEVPATH MAJ:MIN SECTORS key=value...  (keys: bcache=bcacheN
# MAJ:MIN, cset=UUID SLOT, cache=DEVPATH of the cache device, uuid, state,
# mode, dirty, wbrunning, wbrate, label, running, part, errors, and the
# request counters hits, misses, bhits, bmisses, coll, bypassed)
backing() {
	local name=$1 p=$2 dev=$3 sectors=$4; shift 4
	local -A a=([bcache]= [cset]= [cache]= [uuid]= [state]="no cache" [mode]=writethrough
		[dirty]=0 [wbrunning]=0 [wbrate]=0 [label]= [running]=1 [part]= [errors]=0
		[hits]=0 [misses]=0 [bhits]=0 [bmisses]=0 [coll]=0 [bypassed]=0)
	local kv; for kv; do a[${kv%%=*}]=${kv#*=}; done
	if [ -n "${a[part]}" ]; then
		blockdev "$p" "$dev" "$sectors" "${a[part]%%:*}" "${a[part]#*:}"
	else
		blockdev "$p" "$dev" "$sectors"
	fi
	local d=$p/bcache mode=${a[mode]}
	w $d/attach; w $d/detach; w $d/stop; w $d/clear_stats
	local modes=(writethrough writeback writearound none) m out=()
	for m in "${modes[@]}"; do [ "$m" = "$mode" ] && out+=("=$m") || out+=("$m"); done
	rw $d/cache_mode "$(list "${out[@]}")"
	rw $d/writeback_metadata 1
	rw $d/writeback_running "${a[wbrunning]}"
	rw $d/writeback_delay 30
	rw $d/writeback_percent 10
	rw $d/writeback_rate "$(hprint "${a[wbrate]}")"
	rw $d/writeback_rate_update_seconds 5
	rw $d/writeback_rate_p_term_inverse 40
	f $d/dirty_data "$(hprint "${a[dirty]}")"
	f $d/stripe_size "$(hprint $((1 << 40)))"
	f $d/partial_stripes_expensive 0
	rw $d/sequential_cutoff "$(hprint $((4 * M)))"
	rw $d/running "${a[running]}"
	f $d/state "${a[state]}"
	rw $d/label "${a[label]}"
	local target=$((sectors * 512 / 10))
	if is_old; then
		rw $d/writeback_rate_d_term 30
		printf 'rate:\t\t%s/sec\ndirty:\t\t%s\ntarget:\t\t%s\nproportional:\t%s\nderivative:\t%s\nchange:\t\t%s/sec\nnext io:\t%sms\n' \
			"$(hprint "${a[wbrate]}")" "$(hprint "${a[dirty]}")" "$(hprint $target)" \
			"$(hprint $(((a[dirty] - target) / 40)))" "$(hprint 0)" "$(hprint 0)" -1210 > "$R/$d/writeback_rate_debug"; chmod 0444 "$R/$d/writeback_rate_debug"
	else
		rw $d/writeback_rate_i_term_inverse 10000
		rw $d/writeback_rate_minimum 8
		rw $d/stop_when_cache_set_failed "$(list =auto always)"
		f $d/io_errors "${a[errors]}"
		rw $d/io_error_limit 64
		rw $d/io_disable 0
		f $d/backing_dev_name "$name"
		f $d/backing_dev_uuid "${a[uuid]}"
		printf 'rate:\t\t%s/sec\ndirty:\t\t%s\ntarget:\t\t%s\nproportional:\t%s\nintegral:\t%s\nchange:\t\t%s/sec\nnext io:\t%sms\n' \
			"$(hprint "${a[wbrate]}")" "$(hprint "${a[dirty]}")" "$(hprint $target)" \
			"$(hprint $(((a[dirty] - target) / 40)))" "$(hprint 0)" "$(hprint 0)" -13 > "$R/$d/writeback_rate_debug"; chmod 0444 "$R/$d/writeback_rate_debug"
	fi
	if is_6x; then
		rw $d/readahead_cache_policy "$(list =all meta-only)"
		rw $d/writeback_consider_fragment 1
		rw $d/writeback_rate_fp_term_low 1
		rw $d/writeback_rate_fp_term_mid 10
		rw $d/writeback_rate_fp_term_high 1000
	else
		rw $d/readahead "$(hprint 0)"
	fi
	stats $d "${a[hits]}" "${a[misses]}" "${a[bhits]}" "${a[bmisses]}" "${a[coll]}" "${a[bypassed]}"
	if [ -n "${a[cset]}" ]; then
		l fs/bcache/${a[cset]%% *} $d/cache
		l $d fs/bcache/${a[cset]%% *}/bdev${a[cset]#* }
	fi
	if [ -n "${a[bcache]}" ]; then   # running: /dev/bcacheN exists
		local b=devices/virtual/block/${a[bcache]%% *}
		blockdev $b "${a[bcache]#* }" "$((sectors - 16))"
		l $d $b/bcache
		l $b $d/dev
		l $p $b/slaves/$name
		l $b $p/holders/${a[bcache]%% *}
		if [ -n "${a[cache]}" ]; then
			l "${a[cache]}" $b/slaves/${a[cache]##*/}
			l $b "${a[cache]}/holders/${a[bcache]%% *}"
		fi
	fi
}

PCI_SATA=devices/pci0000:00/0000:00:17.0
sata() { echo "$PCI_SATA/ata$1/host$(($1 - 1))/target$(($1 - 1)):0:0/$(($1 - 1)):0:0:0/block/$2"; }
NVME=devices/pci0000:00/0000:00:1d.0/nvme/nvme0/nvme0n1

# A 6.x host: NVMe cache for a dirty writeback disk, a partition that was
# never attached, and a registered backing disk whose cache is missing.
scenario_6x() {
	local cs=5bc072a8-ab17-446d-9744-e247949913c1
	top_level
	cset $cs avail=42 hits=511469583 misses=38712345 bhits=20311 bmisses=3022 coll=12 bypassed=$((3 * G / 2))
	blockdev $NVME 259:0 500118192
	cache nvme0n1p1 $NVME/nvme0n1p1 259:1 419430400 $cs 0 part=1:2048 \
		written=$((124 * G / 10)) btree=$((12 * G / 10)) meta=$((13 * G / 10))
	backing sdb "$(sata 1 sdb)" 8:16 3907029168 bcache="bcache0 252:0" cset="$cs 0" cache=$NVME/nvme0n1p1 \
		uuid=0f5b5e5c-3c1b-4d8e-9a4f-2b8c6e7d1a90 state=dirty mode=writeback dirty=$((11 * G / 10)) \
		wbrunning=1 wbrate=$((512 * K)) hits=511469583 misses=38712345 bhits=20311 bmisses=3022 coll=12 \
		bypassed=$((3 * G / 2))
	blockdev "$(sata 2 sdc)" 8:32 1953525168
	backing sdc1 "$(sata 2 sdc)/sdc1" 8:33 1953523120 part=1:2048 bcache="bcache1 252:128" \
		uuid=7d3e2f1a-9b8c-4d5e-8f6a-1b2c3d4e5f60 label=data-disk
	backing sdd "$(sata 3 sdd)" 8:48 976773168 running=0 state=dirty mode=writeback \
		uuid=c0ffee00-1234-4abc-9def-001122334455
}

# A 4.19 (or 4.9) host: a SATA SSD cache with I/O errors, a writeback disk
# whose writeback was stopped, and a disk forced to run without its cache.
scenario_old() {
	local cs=2e0a4c1d-7f2b-4b8e-8d3c-5a6b7c8d9e0f
	top_level
	cset $cs avail=87 hits=90210 misses=30070 bhits=5 bmisses=17 coll=0 bypassed=$((150 * M))
	cache sdb "$(sata 1 sdb)" 8:16 468862128 $cs 0 errors=3 written=$((37 * G)) \
		btree=$((2 * G)) meta=$((2 * G + 300 * M))
	backing sdc "$(sata 2 sdc)" 8:32 7814037168 bcache="bcache0 252:0" cset="$cs 0" cache="$(sata 1 sdb)" \
		uuid=a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d state=dirty mode=writeback dirty=$((150 * M)) \
		wbrunning=0 wbrate=$((4 * K)) hits=90210 misses=30070 bhits=5 bmisses=17 bypassed=$((150 * M)) \
		label=archive
	blockdev "$(sata 3 sdd)" 8:48 1953525168
	backing sdd1 "$(sata 3 sdd)/sdd1" 8:49 1953523120 part=1:2048 bcache="bcache1 252:128" \
		uuid=5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9 state=inconsistent mode=writethrough errors=0
}

# N loop devices on one cache set, all busy.
scenario_n() {
	local cs=5bc072a8-ab17-446d-9744-e247949913c1 i
	top_level
	cset $cs avail=50 hits=$((N * 1000)) misses=$((N * 100))
	blockdev $NVME 259:0 500118192
	cache nvme0n1p1 $NVME/nvme0n1p1 259:1 419430400 $cs 0 part=1:2048 written=$((G))
	for ((i = 0; i < N; i++)); do
		backing loop$i devices/virtual/block/loop$i 7:$i 2097152 bcache="bcache$i 252:$((i * 128))" \
			cset="$cs $i" cache=$NVME/nvme0n1p1 uuid=$(printf '00000000-0000-4000-8000-%012x' $i) \
			state=clean mode=writethrough hits=1000 misses=100 bhits=1 bmisses=2 bypassed=$((i * M))
	done
}

if [ -n "$N" ]; then scenario_n
elif is_6x; then scenario_6x
else scenario_old
fi
