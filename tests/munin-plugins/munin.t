#!/bin/bash
# The plugins under the real munin tools: munin-run on this host's KSM with
# a real merging load, munin-node-configure --suggest finding them by their
# markers, and a munin-node of our own on loopback answering list, fetch
# and config over TCP.  Plugins run as the unprivileged user nobody.
. "$HK_ROOT/tests/lib.sh"
P=$HK_ROOT/munin-plugins
for b in ksm bcache; do
	[ -x "$P/$b" ] || { fail "built/$b" "munin-plugins/$b not built"; exit 0; }
done
if ! have_cmd munin-run munin-node munin-node-configure; then
	skip munin "munin-node not installed (package munin-node)"; exit 0
fi
is_root || { skip munin "needs root (munin-run switches to the plugin user)"; exit 0; }

# A world-readable copy: the plugins run as nobody.
chmod 755 "$T_TMP"
mkdir -p "$T_TMP/lib" "$T_TMP/plugins" "$T_TMP/conf.d" "$T_TMP/state"
cp "$P/ksm" "$P/bcache" "$T_TMP/lib/"
ln -s "$T_TMP/lib/ksm" "$T_TMP/plugins/ksm"
ln -s "$T_TMP/lib/bcache" "$T_TMP/plugins/bcache"
"$HK_ROOT/tests/bcache/mkfixture.sh" 6.x "$T_TMP/sys"
chmod -R a+rX "$T_TMP/sys"
cat > "$T_TMP/conf.d/hostkit" <<EOF
[ksm]
user nobody
[bcache]
user nobody
env.HOSTKIT_SYSFS $T_TMP/sys
EOF
MR=(munin-run --servicedir "$T_TMP/plugins" --sconfdir "$T_TMP/conf.d")

ksm=/sys/kernel/mm/ksm
if ! [ -w $ksm/run ]; then
	skip munin-run/ksm "no writable $ksm (kernel without CONFIG_KSM)"
elif ! [ -x "$HK_ROOT/tests/ksm/ksm-load" ]; then
	skip munin-run/ksm "tests/ksm/ksm-load not built"
else
	# Merge a real load: KSM on, fast scanning; put everything back after.
	# The lock the KSM tests hold while they change KSM (tests/ksm): two
	# test runs at once must not undo each other's settings.
	exec 9>/run/lock/hostkit-ksm-test.lock
	flock -w 300 9
	for k in run pages_to_scan sleep_millisecs; do
		on_exit "echo $(cat $ksm/$k) > $ksm/$k"
	done
	echo 5000 > $ksm/pages_to_scan
	echo 10 > $ksm/sleep_millisecs
	echo 1 > $ksm/run
	"$HK_ROOT/tests/ksm/ksm-load" 4000 "$T_TMP/ready" 120 9>&- &
	load=$!
	on_exit "kill $load 2>/dev/null; wait $load 2>/dev/null"
	for _ in $(seq 300); do
		[ -s "$T_TMP/ready" ] && [ "$(cat $ksm/pages_sharing)" -gt 1000 ] && break
		sleep 0.1
	done
	run "${MR[@]}" ksm
	sharing=$(printf '%s\n' "$OUT" | sed -n 's/^pages_sharing\.value //p')
	saved=$(printf '%s\n' "$OUT" | sed -n 's/^saved\.value //p')
	zero=$(cat $ksm/ksm_zero_pages 2>/dev/null || echo 0)
	if [ "$RC" = 0 ] && [ "${sharing:-0}" -gt 1000 ] &&
	   [ "$saved" = $(((sharing + zero) * $(getconf PAGESIZE))) ]; then
		pass munin-run/ksm-fetch
	else
		fail munin-run/ksm-fetch "wanted pages_sharing > 1000 from the load and saved = (sharing + zero) * page" \
			"$OUT" "$ERR" "kernel pages_sharing now: $(cat $ksm/pages_sharing)"
	fi
	check_grep munin-run/ksm-scans out '^full_scans\.value [0-9]+$'
	run "${MR[@]}" ksm config
	check_grep munin-run/ksm-config out '^multigraph ksm_scans$'
fi
run "${MR[@]}" bcache
check_grep munin-run/bcache out '^hits\.value 511469583$'
run "${MR[@]}" ksm autoconf
check_out munin-run/ksm-autoconf 0 "$([ -e $ksm/run ] && echo yes || echo "no ($ksm/run not found: kernel without CONFIG_KSM)")"

# munin-node-configure: markers read from the binaries, autoconf run.
run munin-node-configure --libdir "$T_TMP/lib" --servicedir "$T_TMP/plugins" \
	--sconfdir "$T_TMP/conf.d" --suggest
check_grep configure/ksm out '^ksm +\| yes +\| yes'
check_grep configure/bcache out '^bcache +\| yes +\| yes'
# Not offered where the feature is missing.
sed -i "s|^env.HOSTKIT_SYSFS .*|env.HOSTKIT_SYSFS $T_TMP/none|" "$T_TMP/conf.d/hostkit"
run munin-node-configure --libdir "$T_TMP/lib" --servicedir "$T_TMP/plugins" \
	--sconfdir "$T_TMP/conf.d" --suggest
check_grep configure/bcache-no out '^bcache +\| yes +\| no \[.*bcache module not loaded'
sed -i "s|^env.HOSTKIT_SYSFS .*|env.HOSTKIT_SYSFS $T_TMP/sys|" "$T_TMP/conf.d/hostkit"

# A munin-node of our own on a free loopback port.  munin-node takes its
# plugin directories from fixed paths, so it runs in a private mount
# namespace with ours bound over them.
if ! unshare -m true 2>/dev/null; then
	skip munin-node "no mount namespaces here (unshare -m)"; exit 0
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$T_TMP/munin-node.conf" <<EOF
log_level 4
log_file $T_TMP/munin-node.log
pid_file $T_TMP/munin-node.pid
background 0
setsid 0
user root
group root
allow ^127\.0\.0\.1\$
host 127.0.0.1
port $port
EOF
unshare -m --propagation private sh -c '
	mount --bind "$1/plugins" /etc/munin/plugins &&
	mount --bind "$1/conf.d" /etc/munin/plugin-conf.d &&
	exec munin-node --config "$1/munin-node.conf" --foreground' sh "$T_TMP" \
	>"$T_TMP/node.out" 2>&1 &
node=$!
on_exit "kill $node 2>/dev/null; wait $node 2>/dev/null"

# talk LINE...: sends each command, prints the answers (multi-line answers
# end with "."), with a timeout on every read.
talk() {
	python3 - "$port" "$@" <<'EOF'
import socket, sys, time
port, cmds = int(sys.argv[1]), sys.argv[2:]
for _ in range(100):                      # wait for the node to listen
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=10); break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("munin-node did not listen on port %d" % port)
f = s.makefile("rw", newline="\n")
f.readline()                              # "# munin node at ..."
for c in cmds:
    f.write(c + "\n"); f.flush()
    multi = c.split()[0] in ("fetch", "config")
    while True:
        line = f.readline()
        if not line:
            sys.exit("connection closed")
        line = line.rstrip("\n")
        if multi and line == ".":
            break
        print(line)
        if not multi:
            break
f.write("quit\n"); f.flush()
EOF
}
# A munin 2 master opens with "cap"; the node lists multigraph plugins only
# to masters that have the capability.
run talk "cap multigraph dirtyconfig" list
OUT=$(printf '%s\n' "$OUT" | sed '2s/ /\n/g' | sort | tr '\n' ' ')   # order is readdir's
check_out munin-node/list 0 "bcache cap multigraph dirtyconfig ksm "
run talk "cap multigraph" "fetch ksm"
[ "$RC" = 0 ] && printf '%s\n' "$OUT" | grep -Eq '^pages_sharing\.value [0-9]+$' &&
	printf '%s\n' "$OUT" | grep -q '^multigraph ksm_memory$' && pass munin-node/fetch-ksm ||
	fail munin-node/fetch-ksm "fetch over TCP" "$OUT" "$ERR"
run talk "cap multigraph dirtyconfig" "config bcache"
[ "$RC" = 0 ] && printf '%s\n' "$OUT" | grep -q '^graph_title bcache hit ratio' &&
	printf '%s\n' "$OUT" | grep -q '^hits\.value 511469583$' && pass munin-node/dirtyconfig-bcache ||
	fail munin-node/dirtyconfig-bcache "config with values through the node" "$OUT" "$ERR"
