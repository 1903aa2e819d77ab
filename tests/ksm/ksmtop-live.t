#!/bin/bash
# ksmtop's live view in a real terminal (tmux): it shows the load merging,
# follows a resize, sorts on a key, and quits on q.
. "$HK_ROOT/tests/lib.sh"
. "$T_DIR/ksm-lib.sh"
K=$HK_ROOT/ksm

if ! have_cmd tmux; then skip live "tmux is not installed"; exit 0; fi
ksm_real_or_skip live
ksm_lock
ksm_remember

S=hostkit-ksmtop-$$
export TMUX_TMPDIR=$T_TMP   # a private tmux server
echo none > $KSM_SYS/advisor_mode 2>/dev/null
echo 5000 > $KSM_SYS/pages_to_scan; echo 10 > $KSM_SYS/sleep_millisecs; echo 1 > $KSM_SYS/run
start_load "$T_DIR/ksm-load" 2048 || { fail live-load "ksm-load did not get ready"; exit 1; }
merged() { [ "$(ksm_stat_of $LOAD_PID ksm_merging_pages)" -gt 1024 ]; }
wait_for 60 merged || { fail live-load "the load did not merge within 60 s"; exit 1; }

tmux new-session -d -s $S -x 100 -y 30 "$K/ksmtop --delay 0.2" 9>&- || { fail live-start "tmux new-session"; exit 1; }
on_exit "tmux kill-server 2>/dev/null"
screen() { tmux capture-pane -p -t $S 2>/dev/null; }
shows() { screen | grep -Eq -- "$1"; }

if wait_for 10 shows "^ *$LOAD_PID ksm-load +[0-9]{4}"; then pass live-shows-load; else
	fail live-shows-load "no line for pid $LOAD_PID" "$(screen)"; fi
check live-header "global figures and rates" shows "^KSM run 1 .*sharing [1-9].*saved"
# ksmd scans the load all the time: from the second sample on, the rates
# are measured, not the zeros of the first screen.
if wait_for 5 shows "merged [-+][0-9]+ pages/s +scanned [1-9][0-9]* pages/s +full scans [0-9]+ \(\+[0-9.]*[1-9][0-9.]*/s\)"; then
	pass live-rates; else fail live-rates "no rates line with pages scanned and full scans per second" "$(screen)"; fi

tmux send-keys -t $S p
if wait_for 5 shows "sorted by profit"; then pass live-sort-key; else fail live-sort-key "p did not sort by profit" "$(screen)"; fi

tmux resize-window -t $S -x 60 -y 12 2>/dev/null || tmux resize-pane -t $S -x 60 -y 12
narrow() { [ "$(screen | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')" -le 60 ] && shows "^ *$LOAD_PID ksm-load"; }
if wait_for 5 narrow; then pass live-resize; else fail live-resize "lines wider than 60 columns after resize" "$(screen)"; fi

tmux send-keys -t $S q
gone() { ! tmux has-session -t $S 2>/dev/null; }
if wait_for 5 gone; then pass live-quit; else fail live-quit "ksmtop still running after q" "$(screen)"; fi
