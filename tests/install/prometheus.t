#!/bin/bash
# hostkit-textfile feeding a real prometheus-node-exporter: the exporter
# runs on loopback with its textfile collector on a temporary directory,
# hostkit-textfile writes KSM (this kernel) and bcache (a fixture tree)
# metrics there, and a scrape of /metrics must carry them, parsed without
# error.  Also: the files appear atomically, and a failing program leaves
# the previous file in place.
. "$HK_ROOT/tests/lib.sh"
cd "$HK_ROOT"
trap 'exit 143' TERM INT HUP   # killed from outside: the on_exit cleanups still run
TF=$HK_ROOT/prometheus/hostkit-textfile
NE=$(command -v prometheus-node-exporter || command -v node_exporter)

[ -x "$TF" ] || { skip all "prometheus/hostkit-textfile not built"; exit 0; }
[ -x ksm/ksmctl ] || { skip all "ksm/ksmctl not built"; exit 0; }
[ -n "$NE" ] || { skip all "prometheus-node-exporter not installed"; exit 0; }
have_cmd curl python3 || { skip all "needs curl and python3"; exit 0; }
[ -d /sys/kernel/mm/ksm ] || { skip all "this kernel has no KSM"; exit 0; }

# The programs of this tree, found on PATH as the installed ones would be.
bin=$T_TMP/bin
mkdir -p "$bin"
ln -s "$HK_ROOT/ksm/ksmctl" "$bin/ksmctl"
if [ -x bcache/bcache-stats ]; then
	ln -s "$HK_ROOT/bcache/bcache-stats" "$bin/bcache-stats"
fi
export PATH=$bin:$PATH

# A sysfs tree: bcache from the fixture (6.x profile), KSM the real one.
sys=$T_TMP/sys
bcache=0
if [ -x bcache/bcache-stats ] && [ -f tests/bcache/mkfixture.sh ]; then
	bash tests/bcache/mkfixture.sh 6.x "$sys" && bcache=1
fi
mkdir -p "$sys/kernel/mm"
ln -s /sys/kernel/mm/ksm "$sys/kernel/mm/ksm"
export HOSTKIT_SYSFS=$sys

dir=$T_TMP/textfile
mkdir "$dir"

# --- the script alone ------------------------------------------------------
run "$TF" --dir "$dir"
check_rc write 0
check ksm-file "no $dir/hostkit_ksm.prom" test -s "$dir/hostkit_ksm.prom"
if ((bcache)); then
	check bcache-file "no $dir/hostkit_bcache.prom" test -s "$dir/hostkit_bcache.prom"
else
	skip bcache-file "bcache/bcache-stats not built"
fi
# readable by node_exporter's own user; no temporary file left behind
mode=$(stat -c %a "$dir/hostkit_ksm.prom")
[ "$mode" = 644 ] && pass mode-644 || fail mode-644 "mode $mode"
left=$(find "$dir" -name '.*')
[ -z "$left" ] && pass no-temp-left || fail no-temp-left "$left"
# the env var names the directory too
env_dir=$T_TMP/by-env
mkdir "$env_dir"
run env HOSTKIT_TEXTFILE_DIR="$env_dir" "$TF"
check env-dir "HOSTKIT_TEXTFILE_DIR not honoured" test -s "$env_dir/hostkit_ksm.prom"
run "$TF" --dir "$T_TMP/nonexistent"
check_rc missing-dir 1
check_grep missing-dir-msg err 'nonexistent: not a directory'

# A failing program: its file stays as it was, the run fails, the other
# file is still written.
before=$(cat "$dir/hostkit_ksm.prom")
cat > "$T_TMP/ksmctl" <<'SH'
#!/bin/sh
echo "# half a file"
echo "ksmctl: simulated failure" >&2
exit 1
SH
chmod +x "$T_TMP/ksmctl"
run env PATH="$T_TMP:$PATH" "$TF" --dir "$dir"
check_rc failing-program-rc 1
[ "$(cat "$dir/hostkit_ksm.prom")" = "$before" ] && pass failing-program-keeps-file ||
	fail failing-program-keeps-file "hostkit_ksm.prom changed"
check_grep failing-program-msg err 'ksmctl status --prometheus: failed'
left=$(find "$dir" -name '.*')
[ -z "$left" ] && pass failing-program-no-temp || fail failing-program-no-temp "$left"

# --- a real node_exporter scraping the directory ---------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$NE" --web.listen-address="127.0.0.1:$port" --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$dir" \
	> "$T_TMP/exporter.log" 2>&1 &
ne_pid=$!
on_exit "kill $ne_pid 2>/dev/null; wait $ne_pid 2>/dev/null"

scrape() { curl -fsS --max-time 5 "http://127.0.0.1:$port/metrics" > "$T_TMP/metrics"; }
up=0
for _ in $(seq 100); do  # up to 10 s
	scrape 2>/dev/null && { up=1; break; }
	kill -0 $ne_pid 2>/dev/null || break
	sleep 0.1
done
if ((!up)); then
	fail exporter-up "node_exporter did not answer on 127.0.0.1:$port" "$(tail -5 "$T_TMP/exporter.log")"
	exit 0
fi
pass exporter-up

# KSM must not change between the write and the comparison with /sys:
# a shared hold on the lock of the tests that change KSM (tests/ksm).
lock=/run/lock/hostkit-ksm-test.lock; [ -d /run/lock ] || lock=/tmp/hostkit-ksm-test.lock
exec 9>"$lock"
flock -s -w 300 9 || fail lock "the KSM test lock was held for 5 minutes"
"$TF" --dir "$dir" || fail rewrite "hostkit-textfile failed"
scrape
M=$T_TMP/metrics
metric() {  # metric NAME{LABELS}: its value in the scrape
	awk -v n="$1" '$1 == n { print $2 }' "$M"
}
# same A B: equal numbers (the exporter writes 511469583 as 5.11469583e+08)
same() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 == b + 0) }'; }
# The collector parsed every file.
[ "$(metric node_textfile_scrape_error)" = 0 ] && pass scrape-no-error ||
	fail scrape-no-error "node_textfile_scrape_error $(metric node_textfile_scrape_error)" \
		"$(grep -i error "$T_TMP/exporter.log" | tail -5)"
grep -q "^node_textfile_mtime_seconds{file=\"[^\"]*hostkit_ksm.prom\"}" "$M" &&
	pass mtime-ksm || fail mtime-ksm "no node_textfile_mtime_seconds for hostkit_ksm.prom"

# KSM: the kernel's own values come back through the exporter.
for k in run pages_to_scan max_page_sharing; do
	[ -r "/sys/kernel/mm/ksm/$k" ] || continue
	want=$(cat "/sys/kernel/mm/ksm/$k")
	got=$(metric "hostkit_ksm_$k")
	same "$got" "$want" && pass "ksm/$k" ||
		fail "ksm/$k" "scraped '$got', /sys/kernel/mm/ksm/$k says $want"
done
for m in hostkit_ksm_pages_sharing hostkit_ksm_pages_shared hostkit_ksm_full_scans_total \
	hostkit_ksm_memory_saved_bytes; do
	[[ $(metric $m) =~ ^[0-9.e+]+$ ]] && pass "ksm/$m" || fail "ksm/$m" "not scraped: '$(metric $m)'"
done
grep -q '^# TYPE hostkit_ksm_full_scans_total counter' "$M" && pass ksm/counter-type ||
	fail ksm/counter-type "full_scans_total is not typed counter"

exec 9>&-

# bcache: the fixture's counters come back.
if ((bcache)); then
	want=$(cat "$sys/block/bcache0/bcache/stats_total/cache_hits")
	got=$(grep '^bcache_cache_hits_total{' "$M" | grep 'device="bcache0"' | awk '{print $2}')
	same "$got" "$want" && pass bcache/hits ||
		fail bcache/hits "scraped '$got', the fixture has $want"
	[ "$(metric bcache_loaded)" = 1 ] && pass bcache/loaded || fail bcache/loaded "bcache_loaded '$(metric bcache_loaded)'"
else
	skip bcache/hits "bcache/bcache-stats not built"
fi

# A KSM-less kernel: the KSM file goes rather than going stale.
rm "$sys/kernel/mm/ksm"
"$TF" --dir "$dir"
[ ! -e "$dir/hostkit_ksm.prom" ] && pass no-ksm-removes-file ||
	fail no-ksm-removes-file "hostkit_ksm.prom still there"
