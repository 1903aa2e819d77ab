#!/bin/bash
# Bash completion: every file loads on its own, registers its program, and
# completes what the program takes -- its long options (the same set as its
# --help), KSM knobs, bcache intervals, RAID levels, block devices...
# Completion is simulated as bash does it: COMP_WORDS, COMP_CWORD,
# COMP_LINE, COMP_POINT set, the registered function called, COMPREPLY read.
. "$HK_ROOT/tests/lib.sh"
cd "$HK_ROOT"
trap 'exit 143' TERM INT HUP   # killed from outside: the on_exit cleanups still run
BC=/usr/share/bash-completion/bash_completion

# 1. Each file loads in a bare bash (no bash-completion) and registers
#    a completion function for the program named like the file.
files=$(ls completions/ | grep -v '\.mk$')
for f in $files; do
	run bash -c 'source "$1" && complete -p "$2"' _ "completions/$f" "$f"
	if [ "$RC" = 0 ] && [ -z "$ERR" ] && [[ $OUT == "complete -F "*" $f" ]]; then
		pass "load/$f"; else fail "load/$f" "rc=$RC out=$OUT err=$ERR"; fi
done
# ... and every program built has one.
for p in $(make -pnq 2>/dev/null | sed -n 's/^PROGS :\?= *//p' | head -1); do
	[ -f "completions/${p##*/}" ] && pass "exists/${p##*/}" ||
		fail "exists/${p##*/}" "no completions/${p##*/}"
done

if [ ! -f "$BC" ]; then
	skip complete "bash-completion is not installed ($BC)"
	exit 0
fi

# comp LINE: the completions bash would offer at the end of LINE, one a
# line, sorted and unique, in $OUT.  Words split at blanks and at '=' as
# COMP_WORDBREAKS does.
comp() {
	local prog=${1%% *}
	OUT=$(bash -c '
		. "$1" >/dev/null 2>&1; . "$2"
		line=$3
		COMP_LINE=$line COMP_POINT=${#line} COMP_WORDS=()
		for w in $line; do
			if [[ $w == *=* ]]; then
				COMP_WORDS+=("${w%%=*}" "="); [[ -n ${w#*=} ]] && COMP_WORDS+=("${w#*=}")
			else COMP_WORDS+=("$w"); fi
		done
		[[ $line == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		fn=$(complete -p "${COMP_WORDS[0]}" | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
		"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"
	' _ "$BC" "completions/$prog" "$1" 2>"$T_TMP/comp.err" | sed '/^$/d' | sort -u)
	# compopt only works inside real completion; anything else is an error.
	ERR=$(grep -v 'compopt: not currently executing completion function' "$T_TMP/comp.err")
}
words() { printf '%s\n' "$@" | sort -u; }
# expect NAME LINE WORD...: exactly these completions.
expect() {
	local n=$1 line=$2; shift 2
	comp "$line"
	if [ "$OUT" = "$(words "$@")" ] && [ -z "$ERR" ]; then pass "$n"; else
		fail "$n" "'$line<TAB>' offered:" "$(echo $OUT)" "wanted: $*" "stderr: $ERR"; fi
}
# offers NAME LINE WORD...: these completions among others.
offers() {
	local n=$1 line=$2 w missing=; shift 2
	comp "$line"
	for w; do grep -qxF -- "$w" <<<"$OUT" || missing+=" $w"; done
	if [ -z "$missing" ] && [ -z "$ERR" ]; then pass "$n"; else
		fail "$n" "'$line<TAB>' lacks:$missing" "offered: $(echo $OUT)" "stderr: $ERR"; fi
}

# 2. Options: '--<TAB>' offers exactly the long options of --help.
for f in $files; do
	exe=$(make -pnq 2>/dev/null | sed -n 's/^PROGS :\?= *//p' | head -1 | tr ' ' '\n' | grep "/$f\$")
	if [ -z "$exe" ] || [ ! -x "$exe" ]; then skip "options/$f" "$f not built"; continue; fi
	# the option lines of --help: "  -x, --long ..." or "      --long ..."
	want=$("$exe" --help | sed -n 's/^ *\(-[a-zA-Z0-9], *\)\{0,1\}\(--[a-z][a-z0-9-]*\).*/\2/p' | sort -u)
	comp "$f --"; got=$OUT
	# nslastpid offers the options of exec after 'exec'
	[ "$f" = nslastpid ] && { comp "$f exec --"; got+=$'\n'$OUT; }
	got=$(grep -- '^--.' <<<"$got" | sort -u)
	if [ "$got" = "$want" ]; then pass "options/$f"; else
		fail "options/$f" "completion and --help differ (< completion, > --help):" \
			"$(diff <(echo "$got") <(echo "$want") | grep '^[<>]')"; fi
done

# 3. Arguments.
expect raidcalc/level 'raidcalc --level ' 0 1 4 5 6 10
expect raidcalc/level= 'raidcalc --level=1' 1 10
expect raidcalc/layout 'raidcalc -l 10 -n 4 -L f' f2 f3
expect bcache-stats/interval 'bcache-stats --interval ' total day hour five_minute
expect bcache-stats/interval= 'bcache-stats --interval=h' hour
expect ksmtop/sort 'ksmtop --sort ' merging profit
expect ksmctl/commands 'ksmctl ' status on off unmerge set explain run
expect ksmctl/commands-after-option 'ksmctl --json s' status set
expect nslastpid/commands 'nslastpid ' get set exec
expect nslastpid/method 'nslastpid exec --pid 300 --method ' auto clone3 fallback
expect mbr-write/activate 'mbr-write --activate ' 1 2 3 4

# KSM knobs: the writable files of /sys/kernel/mm/ksm, on a test tree ...
k=$T_TMP/sys/kernel/mm/ksm
mkdir -p "$k"
for f in run pages_to_scan sleep_millisecs; do echo 0 > "$k/$f"; chmod 0644 "$k/$f"; done
for f in pages_shared pages_sharing full_scans; do echo 0 > "$k/$f"; chmod 0444 "$k/$f"; done
export HOSTKIT_SYSFS=$T_TMP/sys
expect ksmctl/set-knobs 'ksmctl set ' run= pages_to_scan= sleep_millisecs=
expect ksmctl/set-knob-prefix 'ksmctl set pages_to_scan=100 s' sleep_millisecs=
echo '[none] scan-time' > "$k/advisor_mode"; chmod 0644 "$k/advisor_mode"
expect ksmctl/set-choice 'ksmctl set advisor_mode=' none scan-time
expect ksmctl/set-run 'ksmctl set run=' 0 1 2
expect ksmctl/set-current 'ksmctl set pages_to_scan=' 0
# ... bcache devices from a test tree ...
mkdir -p "$T_TMP/sys/block/bcache0" "$T_TMP/sys/block/bcache1" "$T_TMP/sys/block/sda"
expect bcache-stats/devices 'bcache-stats --json ' bcache0 bcache1
unset HOSTKIT_SYSFS
# ... and on this kernel.
if [ -d /sys/kernel/mm/ksm ]; then
	want=$(find /sys/kernel/mm/ksm -maxdepth 1 -type f -perm -u+w -printf '%f=\n')
	expect ksmctl/set-knobs-real 'ksmctl set ' $want
	[ -n "$want" ] || fail ksmctl/set-knobs-real-nonempty "no writable KSM knob found"
else
	skip ksmctl/set-knobs-real "this kernel has no /sys/kernel/mm/ksm"
fi

# Commands after 'run --' / 'exec ... --' complete as commands.
offers ksmctl/run-command 'ksmctl run -- ech' echo
offers nslastpid/exec-command 'nslastpid exec --pid 300 -- ech' echo

# Files and directories.
mkdir -p "$T_TMP/boot/extlinux"
touch "$T_TMP/boot/vmlinuz-6.1.0-13-amd64" "$T_TMP/boot/vmlinuz-6.5.0-1-amd64" "$T_TMP/mbr.bin"
expect extlinux-conf/default "extlinux-conf --boot $T_TMP/boot --default " newest 6.1.0-13-amd64 6.5.0-1-amd64
expect extlinux-conf/boot-dir "extlinux-conf --boot $T_TMP/bo" "$T_TMP/boot"
offers mbr-write/mbr-file "mbr-write --mbr $T_TMP/m" "$T_TMP/mbr.bin"
offers bcache-probe/image "bcache-probe $T_TMP/m" "$T_TMP/mbr.bin"
offers mbr-write/image "mbr-write --dry-run $T_TMP/m" "$T_TMP/mbr.bin"
offers ksmctl/save-file "ksmctl --save $T_TMP/m" "$T_TMP/mbr.bin"
expect hostkit-textfile/dir "hostkit-textfile --dir $T_TMP/bo" "$T_TMP/boot"
offers extlinux-conf/root "extlinux-conf --root " none

# Block devices: every one offered exists in sysfs; disks only for mbr-write.
blockdevs() {  # NAME LINE [disks]
	comp "$2"
	local d bad= n=0
	for d in $OUT; do
		[[ $d == /dev/* ]] || continue
		n=$((n + 1))
		[ -e "/sys/class/block/${d#/dev/}" ] || bad+=" $d"
		[ "${3:-}" = disks ] && [ -e "/sys/class/block/${d#/dev/}/partition" ] && bad+=" $d(partition)"
	done
	if [ "$(ls /sys/class/block | wc -l)" = 0 ]; then skip "$1" "no block device here"
	elif [ $n -gt 0 ] && [ -z "$bad" ] && [ -z "$ERR" ]; then pass "$1"
	else fail "$1" "offered $n devices; not block devices:$bad" "stderr: $ERR"; fi
}
blockdevs bcache-register/devices 'bcache-register /dev/'
blockdevs raidcalc/device 'raidcalc --device /dev/'
blockdevs mbr-write/disks 'mbr-write --dry-run /dev/' disks
blockdevs raidcalc/check 'raidcalc -l 5 -n 4 -c 64K --check /dev/'
blockdevs bcache-probe/devices 'bcache-probe /dev/'

# Values offered are values the program takes: each offered word is tried.
accepted() {  # NAME LINE CMD... (the word @ in CMD stands for each offer)
	local n=$1 line=$2 w a bad= count=0 cmd; shift 2
	command -v "$1" >/dev/null || { skip "$n" "$1 not built"; return; }
	comp "$line"
	for w in $OUT; do
		count=$((count + 1)); cmd=()
		for a; do [ "$a" = @ ] && cmd+=("$w") || cmd+=("$a"); done
		"${cmd[@]}" >/dev/null 2>"$T_TMP/acc.err" || bad+=" $w: $(head -1 "$T_TMP/acc.err")"
	done
	if [ $count -gt 0 ] && [ -z "$bad" ]; then pass "$n"; else
		fail "$n" "offered $count; refused:$bad"; fi
}
accepted values/raidcalc-level 'raidcalc --level ' raidcalc/raidcalc -l @ -n 8 -c 64K
accepted values/raidcalc-layout 'raidcalc --layout ' raidcalc/raidcalc -l 10 -n 6 -c 64K -L @
accepted values/raidcalc-chunk 'raidcalc --chunk ' raidcalc/raidcalc -l 5 -n 4 -c @
accepted values/raidcalc-block-size 'raidcalc --block-size ' raidcalc/raidcalc -l 5 -n 4 -c 1M -b @
accepted values/bcache-stats-interval 'bcache-stats --interval ' bcache/bcache-stats --interval @
accepted values/ksmtop-sort 'ksmtop --sort ' ksm/ksmtop --once --json --sort @
accepted values/extlinux-conf-timeout 'extlinux-conf --timeout ' \
	bootloader/extlinux-conf --dry-run --boot "$T_TMP/boot" --root none --timeout @
accepted values/extlinux-conf-default "extlinux-conf --boot $T_TMP/boot --default " \
	bootloader/extlinux-conf --dry-run --boot "$T_TMP/boot" --root none --default @
if is_root && unshare --pid --fork --mount-proc true 2>/dev/null; then
	accepted values/nslastpid-method 'nslastpid exec --method ' \
		unshare --pid --fork --mount-proc "$HK_ROOT/nslastpid/nslastpid" exec --pid 500 --method @ -- true
else
	skip values/nslastpid-method "needs root and unshare --pid"
fi

# 4. In a real interactive bash (under tmux): what bash itself makes of the
#    replies, '=' word breaks included.
if ! have_cmd tmux; then
	skip interactive "tmux not installed"; exit 0
fi
sock=$T_TMP/tmux.sock
tm() { tmux -S "$sock" "$@"; }
on_exit "tmux -S $sock kill-server 2>/dev/null"
echo 4242 > "$k/pages_to_scan"
tm new-session -d -x 150 -y 40 "env -i HOME=$T_TMP HISTFILE= TERM=xterm PATH=$PATH HOSTKIT_SYSFS=$T_TMP/sys bash --norc --noprofile"
tm send-keys ". $BC; for f in completions/*; do . \$f; done; PS1='\$ '; cd $HK_ROOT" Enter
screen_has() {  # REGEX: the screen shows it within 5 s
	local i
	for i in $(seq 50); do
		tm capture-pane -p | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	return 1
}
tm send-keys "cd $HK_ROOT; clear" Enter
screen_has '^\$ $'	# typed before the prompt, keys would be echoed twice
tm send-keys 'ksmctl set pages_to_scan=' Tab
screen_has '\$ ksmctl set pages_to_scan=4242 *$' && pass interactive/knob-value ||
	fail interactive/knob-value "the line did not become 'ksmctl set pages_to_scan=4242'" "$(tm capture-pane -p | grep -v '^$')"
tm send-keys C-u 'clear' Enter
screen_has '^\$ $'
tm send-keys 'bcache-stats --interval=fi' Tab
screen_has '\$ bcache-stats --interval=five_minute *$' && pass interactive/interval ||
	fail interactive/interval "the line did not become 'bcache-stats --interval=five_minute'" "$(tm capture-pane -p | grep -v '^$')"
