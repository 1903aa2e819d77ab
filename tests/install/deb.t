#!/bin/bash
# The Debian package: dpkg-buildpackage builds it from a copy of the tree,
# lintian finds no error, it holds every program with its man page and
# completion, the units, the udev rule, the kernel hook and the munin
# plugins; installed with apt-get, each program answers --version and one
# read-only action; removed and purged, nothing of it stays.
. "$HK_ROOT/tests/lib.sh"
cd "$HK_ROOT"
VERSION=$(sed -n 's/^VERSION *= *//p' Makefile)

# The package's version is the Makefile's.
cver=$(dpkg-parsechangelog -S Version 2>/dev/null || sed -n '1s/.*(\(.*\)).*/\1/p' debian/changelog)
[ "$cver" = "$VERSION" ] && pass changelog-version ||
	fail changelog-version "debian/changelog says $cver, the Makefile $VERSION"

if ! have_cmd dpkg-buildpackage dh fakeroot; then
	skip build "needs dpkg-dev, debhelper and fakeroot (make deps)"; exit 0
fi
out=$T_TMP/out
run tests/install/build-deb "$out"
check_rc build 0
deb=$(ls "$out"/hostkit_"$VERSION"_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { fail deb-file "no hostkit_${VERSION}_*.deb" "$(ls "$out")" "$(tail -20 "$out/build.log" 2>/dev/null)"; exit 0; }
pass deb-file

# --- lintian: no error ---------------------------------------------------------
if have_cmd lintian; then
	run lintian "$out"/hostkit_"$VERSION"_*.changes
	# 0: clean; 1 or 2: tags found (E: lines decide); anything else: broken
	errors=$(printf '%s\n' "$OUT" | grep '^E:')
	if [ "$RC" -gt 2 ]; then fail lintian-ran "lintian exited $RC" "$ERR"
	elif [ -z "$errors" ]; then pass lintian-no-error
	else fail lintian-no-error "$errors"; fi
else
	skip lintian-no-error "lintian not installed"
fi

# --- contents --------------------------------------------------------------
contents=$(dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|')
holds() {  # NAME PATH
	grep -qxF -- "$2" <<<"$contents" && pass "$1" || fail "$1" "$2 not in the package"
}
progs=$(make -pnq 2>/dev/null | sed -n 's/^PROGS :\?= *//p' | head -1)
plugins=$(make -pnq 2>/dev/null | sed -n 's/^PLUGINS :\?= *//p' | head -1)
for p in $progs; do
	p=${p##*/}
	holds "holds/$p" /usr/sbin/$p
	holds "holds/$p.8" /usr/share/man/man8/$p.8.gz
	holds "holds/completion/$p" /usr/share/bash-completion/completions/$p
done
for p in $plugins; do
	# ELF files belong under /usr/lib; munin finds them through the links
	holds "holds/munin/${p##*/}" /usr/share/munin/plugins/${p##*/}
done
for u in ksm-settings.service bcache-register.service hostkit-textfile.service hostkit-textfile.timer; do
	grep -q "/systemd/system/$u\$" <<<"$contents" && pass "holds/$u" || fail "holds/$u" "no $u in the package"
done
grep -q '^/lib/udev/rules.d/.*bcache.*\.rules$' <<<"$contents" && pass holds/udev-rule ||
	fail holds/udev-rule "no bcache udev rule under /lib/udev/rules.d" "$(grep rules <<<"$contents")"
holds holds/kernel-hook-postinst /etc/kernel/postinst.d/zz-extlinux-conf
holds holds/kernel-hook-postrm /etc/kernel/postrm.d/zz-extlinux-conf

# --- install, smoke test, remove -----------------------------------------------------
if ! is_root || ! have_cmd apt-get; then
	skip install "needs root and apt-get"; exit 0
fi
if dpkg-query -W -f='${Status}' hostkit 2>/dev/null | grep -q 'ok installed'; then
	skip install "a hostkit package is already installed here: not replacing it"; exit 0
fi
on_exit "dpkg --purge hostkit >/dev/null 2>&1"
# killed from outside (a runner's timeout): still purge it, through the EXIT trap
trap 'exit 143' TERM INT HUP
cp "$deb" "$T_TMP/"   # apt reads it as its own user: a world-readable place
chmod 0755 "$T_TMP"; chmod 0644 "$T_TMP/${deb##*/}"
run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$T_TMP/${deb##*/}"
check_rc apt-install 0
[ "$RC" = 0 ] || exit 0

for p in $progs; do
	p=${p##*/}
	run /usr/sbin/$p --version
	[ "$RC" = 0 ] && [ "$OUT" = "$p (hostkit) $VERSION" ] && pass "installed/$p-version" ||
		fail "installed/$p-version" "rc=$RC out=$OUT err=$ERR"
done

smoke() {  # NAME WANT_RC CMD...: exit status WANT_RC and some output
	local n=$1 want=$2; shift 2
	run "$@"
	if [ "$RC" = "$want" ] && [ -n "$OUT$ERR" ]; then pass "smoke/$n"; else
		fail "smoke/$n" "command: $*" "rc=$RC (wanted $want)" "stdout: $(head -c 600 <<<"$OUT")" "stderr: $ERR"; fi
}
smokejson() {  # NAME CMD...: exit 0 and valid JSON
	local n=$1; shift
	run "$@"
	if [ "$RC" = 0 ] && json_valid; then pass "smoke/$n"; else
		fail "smoke/$n" "command: $*" "rc=$RC" "stdout: $(head -c 600 <<<"$OUT")" "stderr: $ERR"; fi
}
have() { grep -qx "$1" <<<"$(for p in $progs; do echo "${p##*/}"; done)"; }
have raidcalc && smokejson raidcalc /usr/sbin/raidcalc --level 6 --disks 8 --chunk 512K --json
if have bcache-probe; then
	I=tests/bcache/sb-images
	truncate -s "$(cat $I/backing.size)" "$T_TMP/b.img"
	dd if=$I/backing.sb of="$T_TMP/b.img" bs=4096 seek=1 conv=notrunc status=none
	smokejson bcache-probe /usr/sbin/bcache-probe --json "$T_TMP/b.img"
fi
have bcache-register && smoke bcache-register-refuses-file 1 /usr/sbin/bcache-register "$T_TMP/b.img"
have bcache-stats && smokejson bcache-stats /usr/sbin/bcache-stats --json
if [ -d /sys/kernel/mm/ksm ]; then
	have ksmctl && smokejson ksmctl /usr/sbin/ksmctl --json status
	have ksmtop && smokejson ksmtop /usr/sbin/ksmtop --once --json
fi
have nslastpid && smokejson nslastpid /usr/sbin/nslastpid --json get
if have extlinux-conf; then
	mkdir -p "$T_TMP/boot"; touch "$T_TMP/boot/vmlinuz-6.1.0-13-amd64"
	smokejson extlinux-conf /usr/sbin/extlinux-conf --json --dry-run --boot "$T_TMP/boot" --root none
fi
if have mbr-write && have_cmd sfdisk; then
	truncate -s 4M "$T_TMP/disk.img"
	printf 'label: dos\nstart=2048, type=83\n' | sfdisk -q "$T_TMP/disk.img"
	head -c 440 /dev/zero > "$T_TMP/code.bin"
	smokejson mbr-write /usr/sbin/mbr-write --json --dry-run --mbr "$T_TMP/code.bin" "$T_TMP/disk.img"
fi
if have hostkit-textfile; then
	mkdir "$T_TMP/textfile"
	run env PATH=/usr/sbin:/usr/bin:/sbin:/bin /usr/sbin/hostkit-textfile --dir "$T_TMP/textfile"
	[ "$RC" = 0 ] && ls "$T_TMP"/textfile/*.prom >/dev/null 2>&1 && pass smoke/hostkit-textfile ||
		fail smoke/hostkit-textfile "rc=$RC" "$ERR" "$(ls -a "$T_TMP/textfile")"
fi
for p in $plugins; do
	p=${p##*/}
	run /usr/share/munin/plugins/$p autoconf
	[ "$RC" = 0 ] && [[ $OUT == yes || $OUT == "no ("*")" ]] && pass "smoke/munin-$p-autoconf" ||
		fail "smoke/munin-$p-autoconf" "rc=$RC out=$OUT err=$ERR"
done
[ -d /sys/kernel/mm/ksm ] && [ -n "$plugins" ] && smoke munin-ksm-config 0 /usr/share/munin/plugins/ksm config
# munin-node-configure finds the plugins through their links in its libdir.
if [ -n "$plugins" ] && have_cmd munin-node-configure; then
	run munin-node-configure --suggest
	for p in $plugins; do
		p=${p##*/}
		grep -Eq "^$p +\| +(yes|no) +\| +(yes|no)" <<<"$OUT" && pass "munin-suggest/$p" ||
			fail "munin-suggest/$p" "munin-node-configure --suggest does not list $p" "$OUT" "$ERR"
	done
fi
for p in $progs; do
	p=${p##*/}
	run bash -c '. /usr/share/bash-completion/completions/$1 && complete -p $1' _ $p
	[ "$RC" = 0 ] && pass "installed/completion-$p" || fail "installed/completion-$p" "$ERR"
	if have_cmd man; then
		run man -w $p
		[ "$OUT" = /usr/share/man/man8/$p.8.gz ] && pass "installed/man-$p" || fail "installed/man-$p" "man -w: $OUT $ERR"
	fi
done
if have_cmd systemd-analyze; then
	for u in $(dpkg -L hostkit | grep '/systemd/system/.*\.\(service\|timer\)$'); do
		run systemd-analyze verify --man=no "$u"
		errs=$(printf '%s\n' "$ERR" | grep -v -e 'Unit [^ ]* not found' -e '^$')
		[ -z "$errs" ] && pass "installed/verify-${u##*/}" || fail "installed/verify-${u##*/}" "$errs"
	done
fi

# --- remove and purge ------------------------------------------------------------
run env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q hostkit
check_rc apt-remove 0
left=$(for p in $progs; do [ -e "/usr/sbin/${p##*/}" ] && echo "/usr/sbin/${p##*/}"; done)
[ -z "$left" ] && pass removed-programs || fail removed-programs "still there:" "$left"
run dpkg --purge hostkit
check_rc purge 0
[ ! -e /etc/kernel/postinst.d/zz-extlinux-conf ] && pass purged-conffiles ||
	fail purged-conffiles "/etc/kernel/postinst.d/zz-extlinux-conf still there"
dpkg-query -W -f='${Status}' hostkit 2>/dev/null | grep -q 'installed' &&
	fail purged "hostkit still known to dpkg" || pass purged
