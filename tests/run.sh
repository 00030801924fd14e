#!/bin/sh
# Runs every test: the cmocka unit binaries (TAP output) and the end-to-end
# scripts in tests/e2e.  Prints each TAP line and ends with one line
# "N passed, N failed".
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
case $BUILD in
/*) ;;
*) BUILD="$top/$BUILD" ;;
esac
export PLUMB="$BUILD/plumb" PLUMB_TOP="$top" PLUMB_BUILD="$BUILD"
export PLUMB_BASELINE_PATH="$top/baselines"
export CMOCKA_MESSAGE_OUTPUT=TAP
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
pass=0
fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count() {	# name status
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $1 exited with status $2"
		f=1
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $1 ran no test"
		f=1
	fi
	pass=$((pass + p))
	fail=$((fail + f))
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	echo "# $name"
	t0=$(date +%s)
	"$t" >"$log" 2>&1
	st=$?
	cat "$log"
	echo "# $name took $(($(date +%s) - t0)) s"
	count "$name" $st
done
for t in tests/e2e/*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	[ "$name" = lib ] && continue
	echo "# e2e $name"
	t0=$(date +%s)
	timeout 900 sh "$t" >"$log" 2>&1
	st=$?
	cat "$log"
	echo "# e2e $name took $(($(date +%s) - t0)) s"
	count "e2e $name" $st
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
