# Sourced by every tests/*/*.t script.  Results are lines the runner counts:
#   PASS <name>   FAIL <name>   SKIP <name>: <reason>
# A check that cannot run here says SKIP with the reason; it never passes.
set -u
HK_ROOT=${HK_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
T_NAME=${T_NAME:-$(basename "$0" .t)}
T_DIR=$(cd "$(dirname "$0")" && pwd)
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/hostkit-test.XXXXXX")
trap 't_cleanup' EXIT
t_cleanup_hooks=()
t_cleanup() {
	local h
	for h in "${t_cleanup_hooks[@]}"; do eval "$h"; done
	rm -rf "$T_TMP"
}
# on_exit CMD: run CMD when the script ends (unmount, detach loop, ...)
on_exit() { t_cleanup_hooks=("$*" "${t_cleanup_hooks[@]}"); }

pass() { echo "PASS $T_NAME/$1"; }
fail() {
	local n=$1; shift
	echo "FAIL $T_NAME/$n"
	local l; for l in "$@"; do printf '    %s\n' "$l"; done
}
skip() { echo "SKIP $T_NAME/$1: $2"; }

# run CMD...: runs it, keeps stdout in $OUT, stderr in $ERR, status in $RC.
run() {
	OUT=$("$@" 2>"$T_TMP/.err"); RC=$?
	ERR=$(cat "$T_TMP/.err")
}

# check NAME COND_DESC TEST...: passes when the test command succeeds.
check() {
	local n=$1 desc=$2; shift 2
	if "$@"; then pass "$n"; else fail "$n" "$desc" "stdout: ${OUT:-}" "stderr: ${ERR:-}" "status: ${RC:-}"; fi
}

# check_rc NAME WANT: the last run's status is WANT.
check_rc() {
	if [ "$RC" = "$2" ]; then pass "$1"; else
		fail "$1" "exit status $RC, wanted $2" "stdout: $OUT" "stderr: $ERR"; fi
}

# check_out NAME WANT_RC EXPECTED: status and exact stdout (EXPECTED is a
# file path, or a string when it is not a file).
check_out() {
	local n=$1 want_rc=$2 exp=$3 expected
	if [ -f "$exp" ]; then expected=$(cat "$exp"); else expected=$exp; fi
	if [ "$RC" = "$want_rc" ] && [ "$OUT" = "$expected" ]; then pass "$n"; else
		fail "$n" "exit status $RC (wanted $want_rc); stdout differs:" \
			"$(diff <(printf '%s\n' "$expected") <(printf '%s\n' "$OUT") | head -40)" \
			"stderr: $ERR"
	fi
}

# check_grep NAME WHERE REGEX: $OUT or $ERR (WHERE = out|err) matches REGEX.
check_grep() {
	local n=$1 where=$2 re=$3 text
	if [ "$where" = err ]; then text=$ERR; else text=$OUT; fi
	if printf '%s\n' "$text" | grep -Eq -- "$re"; then pass "$n"; else
		fail "$n" "$where does not match /$re/" "stdout: $OUT" "stderr: $ERR" "status: $RC"; fi
}

# have_cmd CMD...: true when every command exists.
have_cmd() { local c; for c in "$@"; do command -v "$c" >/dev/null 2>&1 || return 1; done; }
is_root() { [ "$(id -u)" = 0 ]; }

# json_get FILE-or-string EXPR: evaluates a python expression on parsed JSON
# held in $OUT, e.g. json_get 'd["xfs"]["sw"]'.
json_get() {
	printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); v='"$1"'; print(json.dumps(v) if isinstance(v,(dict,list,bool)) or v is None else v)'
}
# json_valid: $OUT parses as JSON.
json_valid() { printf '%s' "$OUT" | python3 -c 'import json,sys; json.load(sys.stdin)' 2>/dev/null; }
