#!/bin/bash
# make install DESTDIR=... PREFIX=/usr/local lays out a real system tool:
# programs in sbin, man pages, bash completion, munin plugins, systemd
# units, the udev rule and the kernel hook.  Programs not built yet are
# skipped (named); a missing piece of a built one fails.
. "$HK_ROOT/tests/lib.sh"
cd "$HK_ROOT"
D=$T_TMP/root
P=/usr/local

# What the Makefile knows, after every module.mk has added itself.
mkvar() { make -pnq 2>/dev/null | sed -n "s/^$1 :\?= *//p" | head -1; }
PROGS=$(mkvar PROGS) PLUGINS=$(mkvar PLUGINS) MAN8=$(mkvar MAN8) MAN1=$(mkvar MAN1)

run make -s install DESTDIR="$D" PREFIX=$P
check_rc make-install 0
[ "$RC" = 0 ] || exit 0

has() {  # has NAME PATH: PATH exists under DESTDIR
	if [ -e "$D$2" ] || [ -L "$D$2" ]; then pass "$1"; else
		fail "$1" "not installed: $2" "$(cd "$D" && find . ! -type d | sort | head -80)"; fi
}

# The programs of the README, each with its man page and completion.
for p in raidcalc bcache-probe bcache-register bcache-stats ksmctl ksmtop nslastpid \
	extlinux-conf mbr-write hostkit-textfile; do
	case " $PROGS " in *"/$p "*) ;; *) skip "prog/$p" "not built by this tree yet"; continue ;; esac
	has "prog/$p" $P/sbin/$p
	[ -x "$D$P/sbin/$p" ] || fail "prog/$p-exec" "$P/sbin/$p is not executable"
	has "completion/$p" $P/share/bash-completion/completions/$p
done
for m in $MAN8; do has "man8/${m##*/}" "$P/share/man/man8/${m##*/}"; done
for m in $MAN1; do has "man1/${m##*/}" "$P/share/man/man1/${m##*/}"; done
if [ -z "$PLUGINS" ]; then skip munin-plugins "none built yet"; fi
for m in $PLUGINS; do has "munin/${m##*/}" "$P/share/munin/plugins/${m##*/}"; done

# systemd units: where systemd looks for a PREFIX install, each ExecStart
# naming a program this install put in place.
U=$P/lib/systemd/system
unit() {  # unit NAME OWNER
	local u=$1 owner=$2 exe
	if [ ! -e "$D$U/$u" ]; then
		case " $PROGS " in *"/$owner "*) ;; *) skip "unit/$u" "$owner not built yet"; return ;; esac
		local elsewhere; elsewhere=$(cd "$D" && find . -name "$u" | sed 's/^\.//')
		fail "unit/$u" "not in $U${elsewhere:+ (installed as $elsewhere)}" \
			"systemd reads packaged units from \$(PREFIX)/lib/systemd/system (/usr/local too); /etc/systemd/system is the administrator's"
		return
	fi
	pass "unit/$u"
	for exe in $(sed -n 's/^Exec[A-Za-z]*=[-@+!:]*\([^ ]*\).*/\1/p' "$D$U/$u"); do
		[ -x "$D$exe" ] && pass "unit/$u-exec" || fail "unit/$u-exec" "$exe: not installed"
	done
	if have_cmd systemd-analyze; then
		run systemd-analyze verify --man=no --root="$D" "$D$U/$u"
		# Only problems of the unit itself: nothing else is installed in $D.
		local errs; errs=$(printf '%s\n' "$ERR" | grep -v -e 'Unit [^ ]* not found' -e '^$')
		[ -z "$errs" ] && pass "unit/$u-verify" || fail "unit/$u-verify" "$errs"
	fi
}
unit ksm-settings.service ksmctl
unit bcache-register.service bcache-register
unit hostkit-textfile.service hostkit-textfile
unit hostkit-textfile.timer hostkit-textfile

# The udev rule (bcache), where udev reads packaged rules.
case " $PROGS " in
*"/bcache-register "*)
	rules=$(cd "$D" && find . -path '*/rules.d/*.rules' | sed 's/^\.//')
	case $rules in
	$P/lib/udev/rules.d/*) pass udev-rule ;;
	"") fail udev-rule "no udev rule installed" ;;
	*) fail udev-rule "installed as $rules, not in $P/lib/udev/rules.d" \
		"udev reads packaged rules from \$(PREFIX)/lib/udev/rules.d (/usr/local too); /etc/udev/rules.d is the administrator's" ;;
	esac ;;
*) skip udev-rule "bcache-register not built yet" ;;
esac

# The kernel hook: extlinux.conf follows kernel installs and removals.
for d in postinst.d postrm.d; do
	has "kernel-hook/$d" /etc/kernel/$d/zz-extlinux-conf
	[ -x "$D/etc/kernel/$d/zz-extlinux-conf" ] || fail "kernel-hook/$d-exec" "not executable"
done

# Nothing outside PREFIX but the kernel hook (and nothing left by a
# half-written install: no temporary files).
stray=$(cd "$D" && find . ! -type d | sed 's/^\.//' | grep -v -e "^$P/" -e '^/etc/kernel/')
[ -z "$stray" ] && pass only-prefix || fail only-prefix "installed outside $P:" "$stray"
