#!/bin/bash
# Every man page renders with no warning; every program's --help and
# --version follow the conventions.
. "$HK_ROOT/tests/lib.sh"
cd "$HK_ROOT"
# Man pages live beside their programs; tests/ and debian/ hold data files
# whose names may end in .1 too.
pages=$(find . \( -path ./.git -o -path ./tests -o -path ./debian \) -prune -o \
	-type f -name '*.[18]' -print | sort)
if ! have_cmd groff; then
	skip groff "groff not installed"
else
	for m in $pages; do
		run groff -man -ww -z "$m"
		if [ "$RC" = 0 ] && [ -z "$ERR" ]; then pass "render/${m#./}"; else
			fail "render/${m#./}" "$ERR"; fi
		for s in NAME SYNOPSIS DESCRIPTION 'EXIT STATUS' EXAMPLES; do
			grep -q "^\.SH \"\?$s" "$m" || fail "sections/${m#./}" "no $s section"
		done
	done
fi
# Programs: the man page beside each, --help on stdout exit 0, --version.
for mk in */*.mk; do
	for p in $(sed -n 's/^\(PROGS\|PLUGINS\) *+= *//p' "$mk"); do
		[ -x "$p" ] || { fail "built/$p" "not built"; continue; }
		case $p in munin-plugins/*) continue ;; esac
		ls "${p}".[18] >/dev/null 2>&1 && pass "manpage/$p" || fail "manpage/$p" "no ${p}.8 or .1"
		run "$p" --help
		[ "$RC" = 0 ] && printf '%s' "$OUT" | grep -q "Usage:" && pass "help/$p" ||
			fail "help/$p" "rc=$RC" "$OUT" "$ERR"
		run "$p" --version
		[ "$RC" = 0 ] && [ "$OUT" = "$(basename "$p") (hostkit) $(sed -n 's/^VERSION *= *//p' Makefile)" ] &&
			pass "version/$p" || fail "version/$p" "got '$OUT'"
		run "$p" --no-such-option
		[ "$RC" = 2 ] && [ -z "$OUT" ] && pass "unknown-option/$p" || fail "unknown-option/$p" "rc=$RC out=$OUT"
	done
done
