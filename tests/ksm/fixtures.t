#!/bin/bash
# ksmctl and ksmtop on fixture trees: an old kernel (5.15: no ksm_stat, no
# general_profit, smart_scan or advisor) and a 6.x kernel.  Output is
# compared with expected files; writes go to copies of the trees.
. "$HK_ROOT/tests/lib.sh"
K=$HK_ROOT/ksm
E=$T_DIR/expected

if [ "$(getconf PAGESIZE)" != 4096 ]; then
	skip fixtures "the expected files assume 4K pages, this machine has $(getconf PAGESIZE)"
	exit 0
fi

on() {  # on PROFILE CMD...: run CMD against a fixture tree
	local p=$1; shift
	run env HOSTKIT_SYSFS="$T_DIR/fixtures/$p" HOSTKIT_PROCFS="$T_DIR/fixtures/$p/proc" "$@"
}
pretty() { printf '%s' "$OUT" | python3 -m json.tool --indent 1; }

for p in 6.x 5.15; do
	on $p "$K/ksmctl"
	check_out "status-$p" 0 "$E/status-$p.txt"
	on $p "$K/ksmctl" --json status
	OUT=$(pretty); check_out "status-json-$p" 0 "$E/status-$p.json"
	on $p "$K/ksmctl" status --prometheus
	check_out "status-prometheus-$p" 0 "$E/status-$p.prom"
	if have_cmd promtool; then
		printf '%s\n' "$OUT" > "$T_TMP/m.prom"
		run promtool check metrics < "$T_TMP/m.prom"
		check "prometheus-valid-$p" "promtool accepts the exposition, lint included" \
			eval '[ "$RC" = 0 ] && [ -z "$OUT$ERR" ]'
	else
		skip "prometheus-valid-$p" "promtool is not installed (Debian package prometheus)"
	fi
	on $p "$K/ksmctl" explain
	check_out "explain-$p" 0 "$E/explain-$p.txt"
	on $p "$K/ksmctl" --json explain
	OUT=$(pretty); check_out "explain-json-$p" 0 "$E/explain-$p.json"
	on $p "$K/ksmtop" --once
	check_out "ksmtop-once-$p" 0 "$E/ksmtop-$p.txt"
	on $p "$K/ksmtop" --json --sort profit
	OUT=$(pretty); check_out "ksmtop-json-profit-$p" 0 "$E/ksmtop-profit-$p.json"
done

# --- writes, on a copy of the 6.x tree --------------------------------------
T6=$T_TMP/t6; cp -r "$T_DIR/fixtures/6.x" "$T6"
KD=$T6/kernel/mm/ksm
ctl() { run env HOSTKIT_SYSFS="$T6" HOSTKIT_PROCFS="$T6/proc" "$K/ksmctl" "$@"; }
snapshot() { cp -r "$T6" "$T_TMP/before"; }
unchanged() { diff -r "$T_TMP/before" "$T6" >/dev/null; local r=$?; rm -rf "$T_TMP/before"; return $r; }

ctl --json set pages_to_scan=5 sleep_millisecs=100
check set-json "changed true, old and new per key" eval '[ "$RC" = 0 ] &&
	[ "$(json_get "[d[\"changed\"], d[\"settings\"][\"pages_to_scan\"], d[\"settings\"][\"sleep_millisecs\"]]")" = \
	  "[true, {\"old\": 100, \"new\": 5, \"changed\": true}, {\"old\": 20, \"new\": 100, \"changed\": true}]" ]'
check set-written "the files hold exactly the new values" \
	eval '[ "$(cat "$KD/pages_to_scan")" = 5 ] && [ "$(cat "$KD/sleep_millisecs")" = 100 ]'
ctl set pages_to_scan=5 sleep_millisecs=100
check_out set-idempotent 0 "pages_to_scan: 5 (unchanged)
sleep_millisecs: 100 (unchanged)"
ctl --json set pages_to_scan=5
check set-idempotent-json '"changed": false' eval '[ "$(json_get "d[\"changed\"]")" = false ]'

snapshot
ctl set pages_to_scan=7 max_page_sharing=1
check refused-range-all-or-nothing "exit 2, nothing changed, the reason named" \
	eval '[ "$RC" = 2 ] && [ -z "$OUT" ] && [[ $ERR == *"max_page_sharing: 1 is out of range"*"nothing changed"* ]] && unchanged'
snapshot
ctl --json set pages_to_scan=7 merge_across_nodes=0
check refused-merged "merge_across_nodes while pages are merged: exit 1, nothing changed" \
	eval '[ "$RC" = 1 ] && [ -z "$OUT" ] && [[ $ERR == *"ksmctl unmerge"* ]] && unchanged'
snapshot
ctl set advisor_mode=scan-time pages_to_scan=900
check refused-advisor "pages_to_scan under the advisor: exit 1, nothing changed" \
	eval '[ "$RC" = 1 ] && [[ $ERR == *"advisor"* ]] && unchanged'
snapshot
ctl set run=1 run=0
check refused-twice "a key given twice" eval '[ "$RC" = 1 ] && [[ $ERR == *"given twice"* ]] && unchanged'
snapshot
ctl set advisor_min_pages_to_scan=40000
check refused-min-max "advisor min above max" eval '[ "$RC" = 1 ] && [[ $ERR == *above* ]] && unchanged'

# A refusal by the "kernel" halfway: an immutable file refuses even root.
# pages_to_scan is written first, then put back.
if is_root && chattr +i "$KD/sleep_millisecs" 2>/dev/null; then
	on_exit chattr -i "$KD/sleep_millisecs"
	snapshot
	ctl set pages_to_scan=9 sleep_millisecs=50
	check rollback "kernel refusal: exit 1, earlier writes put back" \
		eval '[ "$RC" = 1 ] && [[ $ERR == *"sleep_millisecs=50: the kernel refused it"*"nothing changed"* ]] && unchanged'
	chattr -i "$KD/sleep_millisecs"
else
	skip rollback "needs root and a filesystem with chattr +i under ${TMPDIR:-/tmp}"
fi

# on / off / unmerge
ctl off
check_out off 0 "run: 1 -> 0
note: 8172 pages stay merged; 'ksmctl unmerge' splits them"
ctl --json off
check off-idempotent "unchanged the second time" eval '[ "$RC" = 0 ] && [ "$(json_get "[d[\"action\"], d[\"changed\"]]")" = "[\"off\", false]" ]'
ctl --json on
check on "run 0 -> 1" eval '[ "$RC" = 0 ] && [ "$(json_get "d[\"changed\"]")" = true ] && [ "$(cat "$KD/run")" = 1 ]'
ctl --json unmerge
check unmerge "run 2" eval '[ "$RC" = 0 ] && [ "$(json_get "d[\"changed\"]")" = true ] && [ "$(cat "$KD/run")" = 2 ]'
echo 1 > "$KD/run"

# --save / --load
conf=$T_TMP/etc/hostkit/ksm.conf
mkdir -p "$T_TMP/etc"
ctl --json --save "$conf"
check save "directory created, file written, changed" eval '[ "$RC" = 0 ] &&
	[ "$(json_get "[d[\"action\"], d[\"save\"][\"changed\"], d[\"changed\"]]")" = "[\"save\", true, true]" ]'
run cat "$conf"
check_out save-content 0 "$E/saved-6.x.conf"
ctl --json --save "$conf"
check save-idempotent "unchanged file is not rewritten" eval '[ "$(json_get "d[\"changed\"]")" = false ] && [ ! -e "$conf.bak" ]'
ctl set sleep_millisecs=77 smart_scan=0 use_zero_pages=1
ctl --json --load "$conf"
check load "the saved values are back" eval '[ "$RC" = 0 ] && [ "$(json_get "d[\"changed\"]")" = true ] &&
	[ "$(cat "$KD/sleep_millisecs") $(cat "$KD/smart_scan") $(cat "$KD/use_zero_pages")" = "100 1 0" ]'
ctl --json --load "$conf"
check load-idempotent "loading twice changes nothing" eval '[ "$RC" = 0 ] && [ "$(json_get "d[\"changed\"]")" = false ]'
ctl --save "$conf" set sleep_millisecs=30
check save-after-set "set, then saved, previous file kept as .bak" \
	eval '[ "$RC" = 0 ] && grep -qx sleep_millisecs=30 "$conf" && grep -qx sleep_millisecs=100 "$conf.bak"'

printf 'pages_to_scan=10\nthis is not a setting\n' > "$T_TMP/bad.conf"
snapshot
ctl --load "$T_TMP/bad.conf"
check load-malformed "FILE:LINE named, nothing changed" \
	eval '[ "$RC" = 1 ] && [[ $ERR == *"bad.conf:2: expected KEY=VALUE"* ]] && unchanged'
printf '# tuned\n pages_to_scan = 10 \nmax_page_sharing=1\n' > "$T_TMP/range.conf"
snapshot
ctl --load "$T_TMP/range.conf"
check load-range "a value out of range: exit 1, nothing changed" \
	eval '[ "$RC" = 1 ] && [[ $ERR == *"range.conf:3: max_page_sharing"* ]] && unchanged'

# A file saved on 6.x applies to the 5.15 kernel what it can.
T5=$T_TMP/t5; cp -r "$T_DIR/fixtures/5.15" "$T5"
run env HOSTKIT_SYSFS="$T5" "$K/ksmctl" --load "$conf"
check load-older-kernel "keys the kernel lacks are skipped with a warning" \
	eval '[ "$RC" = 0 ] && [[ $ERR == *"smart_scan: not present on this kernel, skipped"* ]] &&
	      [ "$(cat "$T5/kernel/mm/ksm/sleep_millisecs")" = 30 ]'
run env HOSTKIT_SYSFS="$T5" "$K/ksmctl" set smart_scan=1
check set-older-kernel "set of a key the kernel lacks is refused" \
	eval '[ "$RC" = 1 ] && [[ $ERR == *"smart_scan: not present on this kernel"* ]]'
