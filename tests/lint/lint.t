#!/bin/bash
# Static analysis of hostkit's own C files (those git tracks): cppcheck
# (--enable=warning,portability) and clang-tidy (the checked-in .clang-tidy),
# with the include paths and defines the Makefile uses.  One result per tool
# and folder, so a finding goes to whoever owns the folder:
#   FAIL lint/cppcheck/bootloader   followed by  file:line:col: message [check]
# A tool that is not installed is a SKIP.  Silence a false positive in the
# code with "// cppcheck-suppress ID" or "// NOLINT(check)" on that line,
# saying why.
. "$HK_ROOT/tests/lib.sh"
cd "$HK_ROOT" || exit 1
JOBS=${LINT_JOBS:-2}

if [ -d .git ] && have_cmd git; then
	files=$(git ls-files '*.c')
else
	files=$(find . -name '*.c' -not -path './.git/*' | sed 's|^\./||' | sort)
fi
[ -n "$files" ] || { fail files "no C files found"; exit 0; }
dirs=$(printf '%s\n' $files | xargs -n1 dirname | sort -u)

# The Makefile's flags (HK_CFLAGS, the pkg-config libraries, the per-test
# -I of the folder under test).
pkgs=
for p in blkid libudev libmnl ncursesw cmocka; do
	pkg-config --exists "$p" 2>/dev/null && pkgs="$pkgs $p"
done
pkgflags=$(pkg-config --cflags $pkgs 2>/dev/null)
# Folders whose headers others include (munin-plugins uses bcache's):
# after the file's own folder, every folder with a header.
hdirs=$(printf '%s\n' $(if [ -d .git ]; then git ls-files '*.h'; else find . -name '*.h' | sed 's|^\./||'; fi) |
	xargs -n1 dirname | sort -u | grep -v '^tests' | sed 's/^/-I/' | tr '\n' ' ')
export LINT_BASE="-std=gnu11 -D_GNU_SOURCE -DHOSTKIT_VERSION=\"lint\" -Ilibutil $pkgflags"
export LINT_INC="$hdirs"
flags_for() {  # FILE -> its extra -I flags
	local d=${1%/*} sub
	case $d in
	tests/fuzz) echo "-I$d $(sed -n 's/^ \* FUZZ-CFLAGS:[[:space:]]*//p' "$1")" ;;
	tests/*) sub=${d#tests/}; [ -d "$sub" ] && echo "-I$d -I$sub" || echo "-I$d" ;;
	*) echo "-I$d" ;;
	esac
}

# report TOOL RAW-OUTPUT-FILE: one PASS/FAIL per folder.
report() {
	local tool=$1 raw=$2 d found
	for d in $dirs; do
		mapfile -t found < <(grep -E "^$d/[^/]+\.c:[0-9]+:" "$raw" | sort -u -t: -k1,1 -k2,2n)
		if [ ${#found[@]} -gt 0 ]; then
			fail "$tool/$d" "${found[@]}"
		else
			pass "$tool/$d"
		fi
	done
}

# --- cppcheck ----------------------------------------------------------------
if have_cmd cppcheck; then
	: > "$T_TMP/cppcheck.out"
	for f in $files; do
		# shellcheck disable=SC2046
		cppcheck --library=tests/lint/hostkit.cfg --enable=warning,portability \
			--error-exitcode=1 --inline-suppr --quiet --std=c11 \
			-D_GNU_SOURCE -DHOSTKIT_VERSION='"lint"' -Ilibutil $(flags_for "$f") $LINT_INC \
			--template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
			"$f" 2>> "$T_TMP/cppcheck.out" >/dev/null
	done
	report cppcheck "$T_TMP/cppcheck.out"
else
	skip cppcheck "cppcheck is not installed"
fi

# --- clang-tidy ----------------------------------------------------------------
tidy=
for t in clang-tidy clang-tidy-14; do have_cmd "$t" && { tidy=$t; break; }; done
if [ -n "$tidy" ]; then
	mkdir -p "$T_TMP/tidy"
	export TIDY=$tidy TIDY_OUT=$T_TMP/tidy
	for f in $files; do printf '%s\t%s\n' "$f" "$(flags_for "$f")"; done |
	xargs -P "$JOBS" -d '\n' -n1 bash -c '
		f=${1%%	*} extra=${1#*	}
		# shellcheck disable=SC2086
		"$TIDY" --quiet "$f" -- $LINT_BASE $extra $LINT_INC 2>&1 |
			grep -E "^[^ ]+:[0-9]+:[0-9]+: (warning|error):" |
			sed "s|^$PWD/||" > "$TIDY_OUT/$(echo "$f" | tr / _)"' _
	cat "$T_TMP"/tidy/* > "$T_TMP/tidy.out" 2>/dev/null
	report clang-tidy "$T_TMP/tidy.out"
else
	skip clang-tidy "clang-tidy is not installed"
fi
