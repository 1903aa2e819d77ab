# The VM lab, guest side: helpers every scenario body can use (busybox sh).
# Results go to the second serial port, one line each, which the host reads
# after the VM stopped; everything else a body prints goes to the console.
VM_RESULTS=${VM_RESULTS:-/dev/ttyS1}

vm_result() { printf '%s\n' "$*" >> "$VM_RESULTS"; }

# ok NAME / not_ok NAME [WHY...] / skip NAME WHY: report one result.  Each
# WHY argument may hold several lines; they are shown indented under FAIL.
ok() { vm_result "PASS $1"; echo "PASS $1"; }
not_ok() {
	local n=$1
	shift
	vm_result "FAIL $n"
	echo "FAIL $n"
	[ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/    /' | tee -a "$VM_RESULTS"
	return 0
}
skip() { vm_result "SKIP $1: $2"; echo "SKIP $1: $2"; }

# check NAME CMD...: PASS when CMD succeeds; FAIL shows the command, its
# status and the last lines of its output.  The output stays in $OUT.
check() {
	local n=$1 rc
	shift
	OUT=$("$@" 2>&1); rc=$?
	if [ $rc = 0 ]; then ok "$n"; else
		not_ok "$n" "command: $*" "status: $rc" ${OUT:+"$(printf '%s\n' "$OUT" | tail -n 15)"}
	fi
	return $rc
}

# check_eq NAME WANT GOT [WHY...]: PASS when the two strings are equal.
check_eq() {
	local n=$1 want=$2 got=$3
	shift 3
	if [ "$want" = "$got" ]; then ok "$n"; else
		not_ok "$n" "wanted: $want" "got:    $got" "$@"
		return 1
	fi
}

# run CMD...: echoes the command on the console, then runs it.
run() { echo "+ $*"; "$@"; }

# modload NAME [PARAM=VALUE...]: loads a module copied in by the header
# (modules: or modules-noload:) after what it depends on.  A module already
# loaded is left alone (unload it first to change its parameters).
modload() {
	local m d
	m=$(echo "$1" | tr - _)
	shift
	grep -q "^$m " /proc/modules && return 0
	[ -e "/lib/modules/$m.ko" ] || {
		# Built into the kernel: nothing to load.
		[ -d "/sys/module/$m" ] && return 0
		echo "modload: no module $m in this initramfs" >&2; return 1
	}
	for d in $(sed -n "s/^$m://p" /etc/vm/modules.dep); do
		modload "$d" || return 1
	done
	insmod "/lib/modules/$m.ko" "$@"
}
# modunload NAME: removes a module (not what it depends on).
modunload() { rmmod "$(echo "$1" | tr - _)"; }

# mknodes: creates the /dev nodes devtmpfs did not (it normally makes them
# all, partitions included; there is no udev here).
mknodes() {
	local d n
	for d in /sys/class/block/*; do
		[ -r "$d/dev" ] || continue
		n=/dev/${d##*/}
		[ -e "$n" ] || mknod "$n" b $(tr : ' ' < "$d/dev")
	done
}

# wait_for CMD...: runs CMD every 0.1 s until it succeeds, for up to
# $WAIT_SECONDS (10) seconds; fails when it never did.
#   wait_for test -b /dev/sda
#   wait_for grep -q clean /sys/block/bcache0/bcache/state
wait_for() {
	local i=0 max=$((${WAIT_SECONDS:-10} * 10))
	until "$@"; do
		i=$((i + 1))
		[ $i -ge $max ] && return 1
		sleep 0.1
	done
}

# mkloop SIZE_MB: creates a sparse image on /tmp and attaches it to a free
# loop device (module loop) with partition scanning on, printing the
# device's name.  A partition table written later shows up after
# `blockdev --rereadpt DEV; mknodes` as DEVp1, DEVp2, ...
mkloop() {
	local img dev
	img=$(mktemp /tmp/loop.XXXXXX) || return 1
	truncate -s "${1}M" "$img" || return 1
	dev=$(losetup -f) || return 1
	losetup -P "$dev" "$img" || return 1
	echo "$dev"
}

# sysval PATH: a sysfs value, or "?" when it cannot be read.
sysval() { cat "$1" 2>/dev/null || echo '?'; }

# json_flat [FILE]: flattens JSON to lines "path value", nested keys joined
# with "." and array elements numbered from 0; strings lose their quotes.
#   {"xfs": {"su": "64k", "sw": 13}}  ->  xfs.su 64k / xfs.sw 13
json_flat() {
	awk '
	function fail(m) { print "json_flat: " m > "/dev/stderr"; bad = 1; exit 1 }
	function ws() { while (pos <= len && index(" \t\r\n", substr(s, pos, 1)) > 0) pos++ }
	function emit(p, v) { print (p == "" ? "." : p) " " v }
	function str(   c, r) {
		pos++; r = ""
		while (pos <= len) {
			c = substr(s, pos, 1)
			if (c == "\"") { pos++; return r }
			if (c == "\\") { pos++; c = substr(s, pos, 1)
				if (c == "n") c = "\n"; else if (c == "t") c = "\t"
				else if (c == "u") { c = "\\u" substr(s, pos + 1, 4); pos += 4 } }
			r = r c; pos++
		}
		fail("unterminated string")
	}
	function value(p,   c, k, i) {
		ws(); c = substr(s, pos, 1)
		if (c == "{") {
			pos++; ws()
			if (substr(s, pos, 1) == "}") { pos++; return }
			while (1) {
				ws(); if (substr(s, pos, 1) != "\"") fail("key expected at " pos)
				k = str(); ws()
				if (substr(s, pos, 1) != ":") fail(": expected at " pos)
				pos++; value(p == "" ? k : p "." k); ws()
				c = substr(s, pos, 1); pos++
				if (c == "}") return
				if (c != ",") fail(", or } expected at " pos)
			}
		} else if (c == "[") {
			pos++; ws(); i = 0
			if (substr(s, pos, 1) == "]") { pos++; return }
			while (1) {
				value(p == "" ? i : p "." i); i++; ws()
				c = substr(s, pos, 1); pos++
				if (c == "]") return
				if (c != ",") fail(", or ] expected at " pos)
			}
		} else if (c == "\"") emit(p, str())
		else if (match(substr(s, pos), /^(-?[0-9][0-9.eE+-]*|true|false|null)/)) {
			emit(p, substr(s, pos, RLENGTH)); pos += RLENGTH
		} else fail("value expected at " pos)
	}
	{ s = s $0 "\n" }
	END { if (bad) exit 1; len = length(s); pos = 1; value(""); ws()
	      if (pos <= len) fail("trailing text at " pos) }
	' "$@"
}

# json_get KEY [FILE]: the value at KEY (as json_flat names it).
json_get() {
	local k=$1
	shift
	json_flat "$@" | awk -v k="$k" 'index($0, k " ") == 1 { print substr($0, length(k) + 2); f = 1 } END { exit !f }'
}
