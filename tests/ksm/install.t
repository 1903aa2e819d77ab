#!/bin/bash
# make install puts ksm-settings.service under PREFIX/lib/systemd/system; the
# unit is valid and its ExecStart applies a saved file.
. "$HK_ROOT/tests/lib.sh"
K=$HK_ROOT/ksm
D=$T_TMP/root

run make -s -C "$HK_ROOT" install-ksm DESTDIR="$D" PREFIX=/usr SBINDIR="$K"
U=$D/usr/lib/systemd/system/ksm-settings.service
check install-unit "installed, mode 0644" eval '[ "$RC" = 0 ] && [ "$(stat -c %a "$U")" = 644 ]'
exec_line=$(sed -n 's/^ExecStart=//p' "$U")
check unit-execstart "ExecStart runs ksmctl --load /etc/hostkit/ksm.conf from SBINDIR" \
	eval '[ "$exec_line" = "$K/ksmctl --load /etc/hostkit/ksm.conf" ]'
check unit-oneshot "a oneshot that stays active, wanted by multi-user.target" \
	eval 'grep -qx Type=oneshot "$U" && grep -qx RemainAfterExit=yes "$U" && grep -qx WantedBy=multi-user.target "$U"'

if have_cmd systemd-analyze; then
	run systemd-analyze verify --man=no "$U"
	check unit-verify "systemd-analyze verify accepts it" eval '[ "$RC" = 0 ] && [ -z "$ERR" ]'
else
	skip unit-verify "systemd-analyze is not installed"
fi

# What the unit does at boot, on a copy of the 6.x tree: apply the file.
T6=$T_TMP/t6; cp -r "$T_DIR/fixtures/6.x" "$T6"
printf 'pages_to_scan=1500\nsleep_millisecs=40\nrun=1\n' > "$T_TMP/ksm.conf"
set -- ${exec_line//\/etc\/hostkit\/ksm.conf/$T_TMP/ksm.conf}
run env HOSTKIT_SYSFS="$T6" "$@"
check unit-applies "the ExecStart command applies the saved settings" \
	eval '[ "$RC" = 0 ] && [ "$(cat "$T6/kernel/mm/ksm/pages_to_scan") $(cat "$T6/kernel/mm/ksm/sleep_millisecs")" = "1500 40" ]'
