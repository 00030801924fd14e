# Helpers for end-to-end tests: TAP output and a scratch directory.
# Source it from a test script; $PLUMB is the binary under test.
: "${PLUMB:?run through tests/run.sh (make test)}"
T_N=0
T_FAILED=0
T_TMP=$(mktemp -d)
trap 'rm -rf "$T_TMP"' EXIT
FIX="$PLUMB_TOP/tests/fixtures"

ok() {		# description
	T_N=$((T_N + 1))
	echo "ok $T_N - $1"
}
not_ok() {	# description [detail]
	T_N=$((T_N + 1))
	T_FAILED=$((T_FAILED + 1))
	echo "not ok $T_N - $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/#   /'
	return 0
}
# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() {
	d=$1
	shift
	if out=$("$@" 2>&1); then ok "$d"; else not_ok "$d" "$out"; fi
}
# expect_exit CODE DESCRIPTION COMMAND...: ok when the command exits CODE.
expect_exit() {
	want=$1
	d=$2
	shift 2
	out=$("$@" 2>&1)
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$d"; else
		not_ok "$d" "exit $got, want $want: $out"; fi
}
done_testing() {
	echo "1..$T_N"
	[ "$T_FAILED" -eq 0 ]
}
