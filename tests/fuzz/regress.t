#!/bin/bash
# Replays every seed (corpus/NAME/) and every crash reproducer
# (regress/NAME/) through a plain build of each fuzz target: the target's
# code with a small main (replay-main.c) instead of libFuzzer, compiled
# here with $CC, under ASan and UBSan when the compiler has them.  So
# `make check` keeps every crash ever found fixed, without clang.
# known/NAME/ holds reproducers of crashes reported but not fixed yet: they
# SKIP while they still crash and PASS once fixed (then move them to
# regress/).
. "$HK_ROOT/tests/lib.sh"
cd "$HK_ROOT" || exit 1
CC=${CC:-cc}
if ! have_cmd "$CC"; then skip build "no C compiler ($CC)"; exit 0; fi

san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
echo 'int main(void){return 0;}' > "$T_TMP/probe.c"
if ! "$CC" $san -o "$T_TMP/probe" "$T_TMP/probe.c" 2>/dev/null || ! "$T_TMP/probe"; then
	echo "# $CC has no ASan/UBSan here: replaying without sanitizers"
	san=
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

field() { sed -n "s/^ \\* FUZZ-$2:[[:space:]]*//p" "tests/fuzz/fuzz-$1.c"; }
libutil=$(ls libutil/*.c)

# replay NAME INPUT...: 0 when every input runs through cleanly.
replay() {
	local name=$1; shift
	{ "$T_TMP/replay-$name" "$@" > "$T_TMP/replay.out" 2> "$T_TMP/replay.err"; } 2>/dev/null
}

for src in tests/fuzz/fuzz-*.c; do
	name=${src#tests/fuzz/fuzz-}; name=${name%.c}
	sources=$(field "$name" SOURCES) missing=
	for s in $sources; do [ -f "$s" ] || missing="$missing $s"; done
	if [ -n "$missing" ]; then skip "$name" "not in the tree yet:$missing"; continue; fi
	# shellcheck disable=SC2086
	if ! "$CC" -std=gnu11 -D_GNU_SOURCE -Ilibutil -Itests/fuzz $(field "$name" CFLAGS) \
		-O1 -g $san -o "$T_TMP/replay-$name" tests/fuzz/replay-main.c "$src" $sources $libutil \
		2> "$T_TMP/cc.err"; then
		fail "$name/build" "$(head -20 "$T_TMP/cc.err")"
		continue
	fi
	for kind in corpus regress; do
		dir=tests/fuzz/$kind/$name
		if [ ! -d "$dir" ] || [ -z "$(ls -A "$dir")" ]; then
			[ $kind = corpus ] && fail "$name/corpus" "no seeds in $dir"
			continue
		fi
		if replay "$name" "$dir"; then
			pass "$name/$kind ($(wc -l < "$T_TMP/replay.out") inputs)"
		else
			fail "$name/$kind" "crashed on: $(grep "^replay " "$T_TMP/replay.err" | tail -1 | cut -c8-)" \
				"$(grep -E 'ERROR|runtime error|property failed|#[0-9] ' "$T_TMP/replay.err" | head -12)"
		fi
	done
	if [ -d "tests/fuzz/known/$name" ]; then
		for f in "tests/fuzz/known/$name"/*; do
			[ -f "$f" ] || continue
			if replay "$name" "$f"; then
				pass "$name/known/${f##*/} (fixed: move it to regress/)"
			else
				skip "$name/known/${f##*/}" "still crashes, reported: $(grep -Em1 'ERROR|runtime error|property failed' "$T_TMP/replay.err")"
			fi
		done
	fi
done
