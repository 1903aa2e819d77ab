# Helpers for the tests that change the real kernel's KSM state.  Sourced
# after tests/lib.sh.  Plain shell reads and writes, independent of ksmctl.
KSM_SYS=/sys/kernel/mm/ksm
KSM_KNOBS="pages_to_scan sleep_millisecs merge_across_nodes use_zero_pages max_page_sharing
 stable_node_chains_prune_millisecs smart_scan advisor_max_cpu advisor_min_pages_to_scan
 advisor_max_pages_to_scan advisor_target_scan_time"

# ksm_real_or_skip NAME: exits with SKIP unless the real KSM is writable.
ksm_real_or_skip() {
	if ! is_root; then skip "$1" "needs root to change /sys/kernel/mm/ksm"; exit 0; fi
	if [ ! -w $KSM_SYS/run ]; then skip "$1" "this kernel has no writable KSM"; exit 0; fi
	if [ -n "${HOSTKIT_SYSFS:-}${HOSTKIT_PROCFS:-}" ]; then
		skip "$1" "HOSTKIT_SYSFS/HOSTKIT_PROCFS point elsewhere"; exit 0; fi
}

# One test at a time changes KSM on this host (other suites may, too).
KSM_LOCK=/run/lock/hostkit-ksm-test.lock
[ -d /run/lock ] || KSM_LOCK=/tmp/hostkit-ksm-test.lock
ksm_lock() {
	exec 9>"$KSM_LOCK"
	flock -w 300 9 || { fail lock "another test held the KSM lock for 5 minutes"; exit 1; }
}

ksm_read() {  # ksm_read NAME: the value, the current word of a choice
	local v; v=$(cat "$KSM_SYS/$1")
	case $v in *\[*) v=${v#*[}; v=${v%%]*} ;; esac
	printf '%s\n' "$v"
}

# ksm_remember: keeps the settings found; on exit they are put back.
ksm_remember() {
	local k
	: > "$T_TMP/ksm.found"
	for k in advisor_mode $KSM_KNOBS run pages_shared; do
		[ -e "$KSM_SYS/$k" ] && echo "$k $(ksm_read $k)" >> "$T_TMP/ksm.found"
	done
	on_exit ksm_restore
}

ksm_restore() {
	local k v found_run found_shared
	found_run=$(awk '$1 == "run" { print $2 }' "$T_TMP/ksm.found")
	found_shared=$(awk '$1 == "pages_shared" { print $2 }' "$T_TMP/ksm.found")
	# Found nothing merged: split what the test merged (this also lets
	# merge_across_nodes and max_page_sharing change back).
	if [ "$found_shared" = 0 ] && [ "$(ksm_read pages_shared)" != 0 ]; then
		echo 2 > $KSM_SYS/run
	fi
	while read -r k v; do
		case $k in run|pages_shared) continue ;; esac
		[ "$(ksm_read $k)" = "$v" ] || echo "$v" > "$KSM_SYS/$k" ||
			echo "ksm_restore: could not put back $k=$v" >&2
	done < "$T_TMP/ksm.found"
	[ "$(ksm_read run)" = "$found_run" ] || echo "$found_run" > $KSM_SYS/run
}

# wait_for SECONDS CMD...: polls CMD every 0.1 s until it succeeds.
wait_for() {
	local limit=$(( $1 * 10 )) i=0; shift
	until "$@"; do
		i=$((i + 1)); [ $i -ge $limit ] && return 1
		sleep 0.1
	done
}

# start_load [--no-madvise] PAGES [via CMD...]: starts ksm-load in the
# background, waits until it has mapped its pages; LOAD_PID is its pid.
start_load() {
	local ready=$T_TMP/ready.$RANDOM
	"$@" "$ready" 120 9>&- &   # the lock stays with the test only
	LOAD_PID=$!
	on_exit "kill $LOAD_PID 2>/dev/null; wait $LOAD_PID 2>/dev/null"
	wait_for 30 test -s "$ready" || return 1
	# Through ksmctl run the pid is the same: ksmctl execs the load.
	[ "$(cat "$ready")" = "$LOAD_PID" ]
}

ksm_stat_of() {  # ksm_stat_of PID KEY
	awk -v k="$2" '{ sub(":", "", $1) } $1 == k { print $2 }' /proc/$1/ksm_stat 2>/dev/null
}
