#!/bin/bash
# bcache-stats against fixture trees of three kernel eras (made by
# mkfixture.sh): table, JSON, Prometheus (checked by promtool), device
# selection, priority_stats only on request, errors.
. "$HK_ROOT/tests/lib.sh"
S=$HK_ROOT/bcache/bcache-stats
E=$T_DIR/expected
[ -x "$S" ] || { fail built "bcache/bcache-stats not built"; exit 0; }

for p in 4.9 4.19 6.x; do
	"$T_DIR/mkfixture.sh" "$p" "$T_TMP/$p" || { fail "fixture/$p" "mkfixture.sh failed"; continue; }
	export HOSTKIT_SYSFS=$T_TMP/$p
	run "$S"; check_out "table/$p" 0 "$E/stats-$p.txt"
	run "$S" --interval five_minute; check_out "table-five-minute/$p" 0 "$E/stats-$p-five_minute.txt"
	run "$S" --json; check_out "json/$p" 0 "$E/stats-$p.json"
	check "json-valid/$p" "output is JSON" json_valid
	run "$S" --prometheus; check_out "prometheus/$p" 0 "$E/stats-$p.prom"
	if have_cmd promtool; then
		prom=$OUT
		run promtool check metrics <<<"$prom"
		check_rc "promtool/$p" 0
	else
		skip "promtool/$p" "promtool not installed (package prometheus)"
	fi
done

# The JSON shape the issue gives.
export HOSTKIT_SYSFS=$T_TMP/6.x
run "$S" --json
[ "$(json_get 'd["devices"][0]["name"]')" = bcache0 ] &&
[ "$(json_get 'd["devices"][0]["backing"]')" = sdb ] &&
[ "$(json_get 'd["devices"][0]["cache_set"]')" = 5bc072a8-ab17-446d-9744-e247949913c1 ] &&
[ "$(json_get 'd["devices"][0]["cache_mode"]')" = writeback ] &&
[ "$(json_get 'd["devices"][0]["dirty_bytes"]')" = 1073741824 ] &&
[ "$(json_get 'sorted(d["devices"][0]["stats"])')" = '["day", "five_minute", "hour", "total"]' ] &&
[ "$(json_get 'sorted(d["devices"][0]["stats"]["total"])')" = '["bypass_hits", "bypass_misses", "bypassed_bytes", "hit_ratio", "hits", "miss_collisions", "misses"]' ] &&
[ "$(json_get 'd["devices"][2]["name"]')" = null ] &&
[ "$(json_get 'd["cache_sets"][0]["available_percent"]')" = 42 ] &&
	pass json-fields || fail json-fields "unexpected JSON" "$OUT"
run "$S" --json --interval hour
[ "$(json_get 'list(d["devices"][0]["stats"])')" = '["hour"]' ] && pass json-interval ||
	fail json-interval "--interval hour should keep only the hour window" "$OUT"

# Device selection: every way of naming bcache0.
for name in bcache0 /dev/bcache0 sdb /dev/sdb 0f5b5e5c-3c1b-4d8e-9a4f-2b8c6e7d1a90; do
	run "$S" --json "$name"
	[ "$RC" = 0 ] && [ "$(json_get '[x["backing"] for x in d["devices"]]')" = '["sdb"]' ] &&
		[ "$(json_get '[x["uuid"] for x in d["cache_sets"]]')" = '["5bc072a8-ab17-446d-9744-e247949913c1"]' ] &&
		pass "select/$name" || fail "select/$name" "wanted only bcache0" "$OUT" "$ERR"
done
run "$S" --json data-disk sdd
[ "$(json_get '[x["backing"] for x in d["devices"]]')" = '["sdc1", "sdd"]' ] &&
	[ "$(json_get 'd["cache_sets"]')" = '[]' ] && pass select-label ||
	fail select-label "label and not-running device" "$OUT"
run "$S" sdz
[ "$RC" = 1 ] && [ -z "$OUT" ] && [ "$ERR" = "bcache-stats: sdz: not a registered bcache device" ] &&
	pass unknown-device || fail unknown-device "rc=$RC" "$OUT" "$ERR"

# priority_stats is expensive in the kernel: never opened unless asked.  A
# FIFO in its place makes any open() block, so a read would hang.
ps=$(readlink -f "$T_TMP/6.x/class/block/nvme0n1p1")/bcache/priority_stats
rm -f "$ps" && mkfifo "$ps"
run timeout 10 "$S"
check_rc no-priority-stats 0
run timeout 10 "$S" --json
check_rc no-priority-stats-json 0
# One write, as sysfs gives the whole value to one read (bash's printf
# would write line by line into the FIFO).
printf 'Unused:\t\t12%%\nClean:\t\t80%%\nDirty:\t\t6%%\nMetadata:\t0%%\nAverage:\t56\n' > "$T_TMP/prio"
cat "$T_TMP/prio" > "$ps" &
writer=$!
run timeout 10 "$S" --priority-stats bcache0
kill "$writer" 2>/dev/null; wait "$writer" 2>/dev/null
check_grep priority-stats out 'nvme0n1p1 +unused 12%, clean 80%, dirty 6%, metadata 0%'

# Attributes a kernel does not have, or values that do not parse, are
# unknown (null), never a crash or a made-up number.
d=$(readlink -f "$T_TMP/6.x/class/block/sdb")/bcache
echo "1.5 parsecs" > "$d/dirty_data"
echo -5 > "$d/stats_total/cache_hits"
echo "writethrough writeback" > "$d/cache_mode"
rm "$d/sequential_cutoff" "$d/writeback_rate_debug" "$d/stats_total/bypassed"
head -c 8192 /dev/zero | tr '\0' 7 > "$d/state"
export HOSTKIT_SYSFS=$T_TMP/6.x
run "$S" --json bcache0
[ "$RC" = 0 ] && [ "$(json_get '[d["devices"][0][k] for k in ("dirty_bytes", "cache_mode", "sequential_cutoff_bytes", "dirty_target_bytes", "state")]')" = '[null, null, null, null, null]' ] &&
	[ "$(json_get '[d["devices"][0]["stats"]["total"][k] for k in ("hits", "bypassed_bytes", "misses")]')" = '[null, null, 38712345]' ] &&
	pass unparsable-values || fail unparsable-values "wanted nulls for the broken attributes" "$OUT" "$ERR"
run "$S" bcache0
check_grep unparsable-table out '^  dirty data +-$'

# No bcache module: nothing to show, not an error.
mkdir -p "$T_TMP/empty/class/block"
export HOSTKIT_SYSFS=$T_TMP/empty
run "$S"; check_out no-module 0 "no bcache devices (bcache module not loaded)"
run "$S" --json; check_out no-module-json 0 '{"loaded":false,"devices":[],"cache_sets":[]}'
run "$S" --prometheus
check_grep no-module-prometheus out '^bcache_loaded 0$'

# Usage errors: exit 2, nothing on stdout.
for args in "--interval week" "--json --prometheus" "--delay 1" "--top --delay 0" "--nope"; do
	run "$S" $args
	[ "$RC" = 2 ] && [ -z "$OUT" ] && [ -n "$ERR" ] && pass "usage/$args" ||
		fail "usage/$args" "rc=$RC" "$OUT" "$ERR"
done
run "$S" --top </dev/null
[ "$RC" = 1 ] && check_grep top-needs-tty err 'needs a terminal' || fail top-needs-tty "rc=$RC"

# Many devices (the benchmark tree): all listed, quickly.
"$T_DIR/mkfixture.sh" 6.x "$T_TMP/n64" 64
export HOSTKIT_SYSFS=$T_TMP/n64
run "$S" --json
[ "$(json_get 'len(d["devices"])')" = 64 ] && [ "$(json_get 'd["devices"][63]["name"]')" = bcache63 ] &&
	pass 64-devices || fail 64-devices "wanted 64 devices, bcache63 last (version order)" "$ERR"
