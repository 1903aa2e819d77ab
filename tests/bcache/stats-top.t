#!/bin/bash
# bcache-stats --top in a real terminal (tmux): draws the devices, shows
# per-second rates once the counters move, redraws on resize, q quits.
. "$HK_ROOT/tests/lib.sh"
S=$HK_ROOT/bcache/bcache-stats
[ -x "$S" ] || { fail built "bcache/bcache-stats not built"; exit 0; }
have_cmd tmux || { skip top "tmux not installed"; exit 0; }

"$T_DIR/mkfixture.sh" 6.x "$T_TMP/sys"
hits=$(readlink -f "$T_TMP/sys/class/block/sdb")/bcache/stats_total/cache_hits
sock=$T_TMP/tmux.sock
tm() { tmux -S "$sock" "$@"; }
tm -f /dev/null new-session -d -s top -x 132 -y 30 \
	"HOSTKIT_SYSFS=$T_TMP/sys TERM=screen $S --top --delay 0.2; echo EXITED \$?; sleep 60"
on_exit "tmux -S '$sock' kill-server 2>/dev/null"

# wait_for REGEX [SECONDS]: polls the screen until REGEX shows.
wait_for() {
	local i
	for ((i = 0; i < ${2:-10} * 10; i++)); do
		SCREEN=$(tm capture-pane -p -t top 2>/dev/null)
		printf '%s\n' "$SCREEN" | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	return 1
}

wait_for '^bcache0 +sdb +dirty +writeback' && pass draws ||
	fail draws "no bcache0 row" "$SCREEN"
wait_for '^- +sdd +dirty' && printf '%s\n' "$SCREEN" | grep -q 'warning: sdd: dirty data but no cache set' &&
	pass not-running-and-warning || fail not-running-and-warning "sdd row and its warning" "$SCREEN"
# The kernel's counters move: 1000 more hits every 0.1 s is about 10000/s.
(
	h=$(cat "$hits")
	for ((i = 0; i < 40; i++)); do h=$((h + 1000)); echo $h > "$hits"; sleep 0.1; done
) &
bump=$!
on_exit "kill $bump 2>/dev/null"
if wait_for '^bcache0 .* [0-9]{4,5} +0 +0 +0 +0 ' 5; then
	pass rates
else
	fail rates "wanted a hits/s rate in the thousands and zero misses/s" "$SCREEN"
fi
wait "$bump" 2>/dev/null

# A device unregistered while watched: its row goes, the view goes on.
rm -rf "$(readlink -f "$T_TMP/sys/class/block/sdd")/bcache"
gone() {
	local i
	for ((i = 0; i < 50; i++)); do
		SCREEN=$(tm capture-pane -p -t top 2>/dev/null)
		printf '%s\n' "$SCREEN" | grep -q '^bcache1 ' &&
			! printf '%s\n' "$SCREEN" | grep -q ' sdd ' && return 0
		sleep 0.1
	done
	return 1
}
gone && pass device-gone || fail device-gone "sdd row should disappear, bcache1 stay" "$SCREEN"

tm resize-window -t top -x 70 -y 12
# Lines are cut at the edge, not wrapped: the row after the header is bcache0.
wait_for '^bcache-stats' 5 && [ "$(printf '%s\n' "$SCREEN" | sed -n 4p)" = \
	"$(printf '%-10s %-10s %-12s %-12s %7s %8s %8s' bcache0 sdb dirty writeback 1G 512K ' ' | cut -c1-70 | sed 's/ *$//')" ] &&
	pass resize || fail resize "clean redraw in 70 columns" "$SCREEN"
tm resize-window -t top -x 132 -y 30
wait_for '^cache set 5bc072a8' 5 && pass resize-back || fail resize-back "full view again" "$SCREEN"

tm send-keys -t top q
wait_for '^EXITED 0' 5 && pass q-quits || fail q-quits "q should end with status 0" "$SCREEN"

# A name that is no device: the error before the screen is taken over.
tm new-window -t top -n bad "HOSTKIT_SYSFS=$T_TMP/sys TERM=screen $S --top sdz 2>&1; echo EXITED \$?; sleep 60"
for ((i = 0; i < 50; i++)); do
	SCREEN=$(tm capture-pane -p -t top:bad 2>/dev/null)
	printf '%s\n' "$SCREEN" | grep -q '^EXITED' && break
	sleep 0.1
done
[ "$(printf '%s\n' "$SCREEN" | grep -v '^$')" = "bcache-stats: sdz: not a registered bcache device
EXITED 1" ] && pass bad-device || fail bad-device "one error line, status 1" "$SCREEN"
