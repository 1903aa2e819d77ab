#!/bin/bash
# The munin plugins against fixture trees: ksm (4.19 and 6.x files), bcache
# (4.9, 4.19 and 6.x trees from tests/bcache/mkfixture.sh).  Output is
# compared with expected files; autoconf, multigraph and dirtyconfig
# behaviour, the magic markers and the memory budget are checked.
. "$HK_ROOT/tests/lib.sh"
P=$HK_ROOT/munin-plugins
E=$T_DIR/expected
for b in ksm bcache; do
	[ -x "$P/$b" ] || { fail "built/$b" "munin-plugins/$b not built"; exit 0; }
done
unset MUNIN_CAP_MULTIGRAPH MUNIN_CAP_DIRTYCONFIG

# run_mode OUTFILE PLUGIN [ARG]: output with and without the capabilities.
for p in 4.19 6.x; do
	export HOSTKIT_SYSFS=$T_DIR/fixtures/ksm-$p
	run "$P/ksm"; check_out "ksm/fetch-plain/$p" 0 "$E/ksm-$p.fetch-plain"
	run "$P/ksm" config; check_out "ksm/config-plain/$p" 0 "$E/ksm-$p.config-plain"
	run env MUNIN_CAP_MULTIGRAPH=1 "$P/ksm"; check_out "ksm/fetch/$p" 0 "$E/ksm-$p.fetch"
	run env MUNIN_CAP_MULTIGRAPH=1 "$P/ksm" config; check_out "ksm/config/$p" 0 "$E/ksm-$p.config"
	run "$P/ksm" autoconf; check_out "ksm/autoconf/$p" 0 yes
done
# What the page size makes of pages_sharing + ksm_zero_pages.
export HOSTKIT_SYSFS=$T_DIR/fixtures/ksm-6.x
run env MUNIN_CAP_MULTIGRAPH=1 "$P/ksm"
check_grep ksm/saved out "^saved.value $(((30 + 1500) * $(getconf PAGESIZE)))\$"
check_grep ksm/general-profit out '^general_profit.value -9736896$'
export HOSTKIT_SYSFS=$T_DIR/fixtures/ksm-4.19
run env MUNIN_CAP_MULTIGRAPH=1 "$P/ksm" config
printf '%s\n' "$OUT" | grep -q general_profit && fail ksm/no-general-profit "4.19 has no general_profit" ||
	pass ksm/no-general-profit

for p in 4.9 4.19 6.x; do
	"$HK_ROOT/tests/bcache/mkfixture.sh" "$p" "$T_TMP/$p" || { fail "fixture/$p" mkfixture.sh; continue; }
	export HOSTKIT_SYSFS=$T_TMP/$p
	run env MUNIN_CAP_MULTIGRAPH=1 "$P/bcache"; check_out "bcache/fetch/$p" 0 "$E/bcache-$p.fetch"
	run env MUNIN_CAP_MULTIGRAPH=1 "$P/bcache" config; check_out "bcache/config/$p" 0 "$E/bcache-$p.config"
	run env MUNIN_CAP_MULTIGRAPH=1 "$P/bcache" autoconf; check_out "bcache/autoconf/$p" 0 yes
done

# A fetch reads only what the graphs show: the cache sets' interval
# statistics and written counters are not opened (FIFOs in their place
# would block an open), and the values are unchanged.
cp -a "$T_TMP/6.x" "$T_TMP/brief"
cs=$T_TMP/brief/fs/bcache/5bc072a8-ab17-446d-9744-e247949913c1
for f in "$cs/stats_total/cache_hits" "$cs/stats_five_minute/bypassed" "$(readlink -f "$cs/cache0")/written"; do
	rm "$f" && mkfifo "$f"
done
run env HOSTKIT_SYSFS="$T_TMP/brief" MUNIN_CAP_MULTIGRAPH=1 timeout 10 "$P/bcache"
check_out bcache/fetch-reads-no-cset-stats 0 "$E/bcache-6.x.fetch"

# Dirty config: config output carries the values, graph by graph, so that
# munin-node can skip the fetch: every fetch line appears, in order, after
# its graph's config lines.
export HOSTKIT_SYSFS=$T_TMP/6.x
for b in ksm bcache; do
	run env MUNIN_CAP_MULTIGRAPH=1 MUNIN_CAP_DIRTYCONFIG=1 "$P/$b" config
	dirty=$OUT
	run env MUNIN_CAP_MULTIGRAPH=1 "$P/$b"
	fetch=$OUT
	[ "$(printf '%s\n' "$dirty" | grep -E '^multigraph |\.value ')" = "$fetch" ] &&
		printf '%s\n' "$dirty" | grep -q '^graph_title ' && pass "dirtyconfig/$b" ||
		fail "dirtyconfig/$b" "config with MUNIN_CAP_DIRTYCONFIG=1 must carry the fetch values" "$dirty"
done

# autoconf says no, with the reason, exit 0.
mkdir -p "$T_TMP/empty"
export HOSTKIT_SYSFS=$T_TMP/empty
run "$P/ksm" autoconf
check_out ksm/autoconf-no 0 "no ($T_TMP/empty/kernel/mm/ksm/run not found: kernel without CONFIG_KSM)"
run env MUNIN_CAP_MULTIGRAPH=1 "$P/bcache" autoconf
check_out bcache/autoconf-no-module 0 "no ($T_TMP/empty/fs/bcache not found: bcache module not loaded)"
mkdir -p "$T_TMP/nodev/fs/bcache" "$T_TMP/nodev/class/block"
export HOSTKIT_SYSFS=$T_TMP/nodev
run env MUNIN_CAP_MULTIGRAPH=1 "$P/bcache" autoconf
check_out bcache/autoconf-no-device 0 "no (no bcache device registered)"
export HOSTKIT_SYSFS=$T_TMP/6.x
run "$P/bcache" autoconf
check_out bcache/autoconf-no-multigraph 0 "no (munin-node without multigraph support)"
run "$P/bcache"
check_out bcache/fetch-no-multigraph 0 "multigraph.value 0"
run "$P/bcache" suggest
check_out bcache/unknown-arg 2 ""
check_grep bcache/unknown-arg-reason err "^bcache: unknown argument 'suggest'"
for b in ksm bcache; do
	run "$P/$b" --help; check_out "$b/help" 0 "Usage: $b [config|autoconf|fetch]
A munin plugin (see munin-hostkit(8)): no argument or fetch prints the values,
config the graphs, autoconf yes or no (reason)."
	run "$P/$b" --version; check_grep "$b/version" out "^$b \\(hostkit\\) "
done

# munin-node-configure reads the markers line by line from the file.
for b in ksm bcache; do
	run perl -ne '$f=$1 if /#%#\s+family\s*=\s*(\S+)\s*/; $c=$1 if /#%#\s+capabilities\s*=\s*(.+)/;
		END { print "$f|$c\n" }' "$P/$b"
	check_out "markers/$b" 0 "auto|autoconf"
done

# Small: peak RSS of a fetch of 64 devices within 1.5 MB.
if [ -n "${HOSTKIT_SANITIZED:-}" ]; then
	skip rss "sanitizer build"
elif ! [ -x /usr/bin/time ]; then
	skip rss "/usr/bin/time not installed"
else
	"$HK_ROOT/tests/bcache/mkfixture.sh" 6.x "$T_TMP/n64" 64
	for b in ksm bcache; do
		HOSTKIT_SYSFS=$T_TMP/n64 MUNIN_CAP_MULTIGRAPH=1 /usr/bin/time -f %M -o "$T_TMP/rss" \
			"$P/$b" config >/dev/null
		kb=$(tail -1 "$T_TMP/rss")
		[ "$kb" -le 1536 ] && pass "rss/$b" || fail "rss/$b" "peak RSS $kb KB > 1536 KB"
	done
	run env HOSTKIT_SYSFS="$T_TMP/n64" MUNIN_CAP_MULTIGRAPH=1 "$P/bcache"
	[ "$(printf '%s\n' "$OUT" | grep -c '^multigraph bcache_hit_ratio\.bdev_')" = 64 ] &&
		pass bcache/64-devices || fail bcache/64-devices "wanted 64 hit-ratio children"
fi
