# Helpers of the mbr-write tests on images and loop devices.  Sourced after
# tests/lib.sh; $W is the mbr-write to run, $TMP a scratch directory.

# detach LOOP FILE: only while LOOP still holds our FILE (the number may
# have gone to someone else since)
detach() { [ "$(losetup -nO BACK-FILE "$1" 2>/dev/null)" = "$2" ] && losetup -d "$1"; }

# refuse NAME WANT_RC ERR_REGEX TARGET ARGS...: mbr-write ARGS TARGET exits
# WANT_RC with nothing on stdout, stderr matching ERR_REGEX, and TARGET
# (an image file or a block device) byte-identical.
refuse() {
	local n=$1 want=$2 re=$3 target=$4; shift 4
	cat "$target" > "$TMP/.before"
	run $W "$@" "$target"
	if [ "$RC" = "$want" ] && [ -z "$OUT" ] && printf '%s' "$ERR" | grep -Eq -- "$re" &&
		cmp -s "$target" "$TMP/.before"; then
		pass "$n"
	else
		fail "$n" "want exit $want, no stdout, stderr ~ /$re/, target unchanged" \
			"rc=$RC out=$OUT err=$ERR"
	fi
}
