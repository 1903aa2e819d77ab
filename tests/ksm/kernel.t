#!/bin/bash
# ksmctl and ksmtop on the real kernel: turn KSM on, tune it, merge a test
# load, watch it merge, make an unmodified program mergeable, refuse bad
# values, save and load.  The KSM settings found are put back at the end.
. "$HK_ROOT/tests/lib.sh"
. "$T_DIR/ksm-lib.sh"
K=$HK_ROOT/ksm
LOAD=$T_DIR/ksm-load
PAGES=4096

ksm_real_or_skip kernel
ksm_lock
ksm_remember

# Start from KSM stopped and nothing merged by an earlier run.
echo 2 > $KSM_SYS/run; echo 0 > $KSM_SYS/run
[ -e $KSM_SYS/advisor_mode ] && echo none > $KSM_SYS/advisor_mode

run "$K/ksmctl" --json on
check on "run 0 -> 1, changed" eval '[ "$RC" = 0 ] && [ "$(json_get "d[\"changed\"]")" = true ] && [ "$(ksm_read run)" = 1 ]'
run "$K/ksmctl" --json on
check on-again "changed false" eval '[ "$RC" = 0 ] && [ "$(json_get "d[\"changed\"]")" = false ]'

# Fast merging for the test: many pages per batch, short sleeps.
run "$K/ksmctl" --json set pages_to_scan=5000 sleep_millisecs=10
check tune "both knobs written" eval '[ "$RC" = 0 ] && [ "$(ksm_read pages_to_scan)" = 5000 ] && [ "$(ksm_read sleep_millisecs)" = 10 ]'

# Refusals leave every knob as it was.
before=$(cat $KSM_SYS/pages_to_scan $KSM_SYS/sleep_millisecs $KSM_SYS/max_page_sharing)
run "$K/ksmctl" set pages_to_scan=77 sleep_millisecs=5 max_page_sharing=1
check refused-range "exit 2 and no knob changed" \
	eval '[ "$RC" = 2 ] && [ "$(cat $KSM_SYS/pages_to_scan $KSM_SYS/sleep_millisecs $KSM_SYS/max_page_sharing)" = "$before" ]'

# Other processes (a VM) may merge too: the load's own ksm_stat is the proof.
sharing0=$(ksm_read pages_sharing)
if start_load "$LOAD" $PAGES; then pass load-started; else fail load-started "ksm-load did not get ready"; exit 1; fi
merged() { [ "$(ksm_stat_of $LOAD_PID ksm_merging_pages)" -gt $((PAGES / 2)) ]; }
if wait_for 60 merged; then pass merges; else
	fail merges "the load's ksm_merging_pages stayed $(ksm_stat_of $LOAD_PID ksm_merging_pages) for 60 s" \
		"$(grep . $KSM_SYS/pages_* $KSM_SYS/full_scans)"; fi
check sharing-grew "pages_sharing grew by at least half the load" \
	eval '[ "$(ksm_read pages_sharing)" -gt $((sharing0 + PAGES / 2)) ]'

run "$K/ksmctl" --json status
check status-json "pages_sharing and memory_saved_bytes agree with the kernel" \
	eval '[ "$RC" = 0 ] && [ "$(json_get "d[\"pages_sharing\"] > $PAGES / 2 and d[\"memory_saved_bytes\"] == d[\"pages_sharing\"] * d[\"page_size\"] and d[\"run\"] == 1")" = true ]'

run "$K/ksmtop" --once --json
check ksmtop-json "the load is listed with its merging pages" \
	eval '[ "$RC" = 0 ] && [ "$(json_get "[(p[\"comm\"], p[\"merging_pages\"] > $PAGES / 2, p[\"mergeable\"]) for p in d[\"processes\"] if p[\"pid\"] == $LOAD_PID]")" = "[[\"ksm-load\", true, true]]" ]'
run "$K/ksmtop" --once
check ksmtop-once "the load's line" eval '[ "$RC" = 0 ] && printf "%s\n" "$OUT" | grep -Eq "^ *$LOAD_PID ksm-load +[0-9]+"'

run "$K/ksmctl" explain
check explain-merging "explain: running, mergeable, merging; exit 0" \
	eval '[ "$RC" = 0 ] && [[ $OUT == *"ok        run: KSM is running"* ]] && [[ $OUT == *"ok        merging: KSM is merging"* ]]'

if have_cmd promtool; then
	"$K/ksmctl" status --prometheus > "$T_TMP/ksm.prom"
	run promtool check metrics < "$T_TMP/ksm.prom"
	check prometheus "promtool accepts the real kernel's metrics" \
		eval '[ "$RC" = 0 ] && [ -z "$OUT$ERR" ] && grep -Eq "^hostkit_ksm_pages_sharing [1-9]" "$T_TMP/ksm.prom"'
else
	skip prometheus "promtool is not installed (Debian package prometheus)"
fi

# The kernel's own rule: merge_across_nodes changes only while nothing is merged.
if [ -e $KSM_SYS/merge_across_nodes ]; then
	before=$(cat $KSM_SYS/pages_to_scan $KSM_SYS/merge_across_nodes)
	want=$((1 - $(ksm_read merge_across_nodes)))
	run "$K/ksmctl" set pages_to_scan=77 merge_across_nodes=$want
	check refused-merged "exit 1, 'unmerge' advised, no knob changed" \
		eval '[ "$RC" = 1 ] && [[ $ERR == *"ksmctl unmerge"* ]] && [ "$(cat $KSM_SYS/pages_to_scan $KSM_SYS/merge_across_nodes)" = "$before" ]'
else
	skip refused-merged "no merge_across_nodes (kernel without NUMA)"
fi

# ksmctl run: a program that never calls madvise becomes mergeable.
if [ "$(ksm_stat_of self ksm_merge_any)" = "" ]; then
	skip run-mergeable "this kernel's ksm_stat has no ksm_merge_any (needs Linux 6.4+)"
else
	plain_pid=
	if start_load "$LOAD" --no-madvise 1024; then plain_pid=$LOAD_PID; fi
	if start_load "$K/ksmctl" run -- "$LOAD" --no-madvise $PAGES; then
		pass run-started
		check run-merge-any "ksm_merge_any: yes after exec" eval '[ "$(ksm_stat_of $LOAD_PID ksm_merge_any)" = yes ]'
		if wait_for 60 merged; then pass run-merges; else
			fail run-merges "ksm_merging_pages of $LOAD_PID stayed $(ksm_stat_of $LOAD_PID ksm_merging_pages)"; fi
		check run-smaps-mg "its anonymous mapping carries the mg flag" grep -q "^VmFlags:.* mg" /proc/$LOAD_PID/smaps
		check run-control "the same load without ksmctl run is not mergeable" \
			eval '[ -n "$plain_pid" ] && [ "$(ksm_stat_of $plain_pid ksm_merge_any)" = no ] && [ "$(ksm_stat_of $plain_pid ksm_merging_pages)" = 0 ]'
	else
		fail run-started "ksmctl run -- ksm-load did not start"
	fi
fi
run "$K/ksmctl" run -- /nonexistent/program
check run-missing "exit 1 naming the program" eval '[ "$RC" = 1 ] && [[ $ERR == *"/nonexistent/program"* ]]'

# The advisor owns pages_to_scan while advisor_mode is scan-time.
if [ -e $KSM_SYS/advisor_mode ]; then
	run "$K/ksmctl" --json set advisor_mode=scan-time
	check advisor-on "advisor_mode scan-time" eval '[ "$RC" = 0 ] && [ "$(ksm_read advisor_mode)" = scan-time ]'
	"$K/ksmctl" --save "$T_TMP/advisor.conf" >/dev/null
	check advisor-save "pages_to_scan is not saved under the advisor" \
		eval '! grep -q "^pages_to_scan=" "$T_TMP/advisor.conf" && grep -qx advisor_mode=scan-time "$T_TMP/advisor.conf"'
	before=$(cat $KSM_SYS/pages_to_scan)
	run "$K/ksmctl" set pages_to_scan=$((before + 1))
	check advisor-refuses "pages_to_scan refused, unchanged" \
		eval '[ "$RC" = 1 ] && [[ $ERR == *"advisor_mode=none first"* ]] && [ "$(cat $KSM_SYS/pages_to_scan)" = "$before" ]'
	run "$K/ksmctl" set advisor_mode=none pages_to_scan=5000
	check advisor-off "leaving the advisor and setting pages_to_scan in one list" \
		eval '[ "$RC" = 0 ] && [ "$(ksm_read advisor_mode) $(ksm_read pages_to_scan)" = "none 5000" ]'
else
	skip advisor "this kernel has no advisor_mode (Linux 6.9+)"
fi

# --save / --load round trip on the kernel.
conf=$T_TMP/ksm.conf
run "$K/ksmctl" --save "$conf"
check save "saved" eval '[ "$RC" = 0 ] && grep -qx "sleep_millisecs=10" "$conf" && [ "$(tail -n1 "$conf")" = run=1 ]'
"$K/ksmctl" set sleep_millisecs=33 pages_to_scan=1234 >/dev/null
run "$K/ksmctl" --json --load "$conf"
check load "the saved values are back" \
	eval '[ "$RC" = 0 ] && [ "$(json_get "d[\"changed\"]")" = true ] && [ "$(ksm_read sleep_millisecs) $(ksm_read pages_to_scan)" = "10 5000" ]'
run "$K/ksmctl" --json --load "$conf"
check load-again "unchanged the second time" eval '[ "$RC" = 0 ] && [ "$(json_get "d[\"changed\"]")" = false ]'

# off keeps merged pages; unmerge splits them.
run "$K/ksmctl" off
check off "run 0; merged pages noted" eval '[ "$RC" = 0 ] && [ "$(ksm_read run)" = 0 ] && [[ $OUT == *"stay merged"* ]]'
run "$K/ksmctl" --json unmerge
unmerged() { [ "$(ksm_read pages_sharing)" = 0 ]; }
check unmerge "run 2, changed" eval '[ "$RC" = 0 ] && [ "$(json_get "d[\"changed\"]")" = true ] && [ "$(ksm_read run)" = 2 ]'
if wait_for 30 unmerged; then pass unmerge-splits; else fail unmerge-splits "pages_sharing stayed $(ksm_read pages_sharing)"; fi
run "$K/ksmctl" --json set max_page_sharing=300
check unmerged-allows "max_page_sharing may change once nothing is merged" \
	eval '[ "$RC" = 0 ] && [ "$(ksm_read max_page_sharing)" = 300 ]'

run "$K/ksmctl" explain
check explain-stopped "explain names the stopped KSM, exit 1" \
	eval '[ "$RC" = 1 ] && [[ $OUT == *"problem   run: KSM is stopped and its pages were unmerged (run 2)"* ]]'
