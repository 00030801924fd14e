#!/bin/sh
# fuzz_replay: every fuzz harness (tests/fuzz/fuzz_*.c) built with the
# project's compiler against tests/fuzz/replay.c instead of libFuzzer,
# linked with the build's libplumb.a (so under SANITIZE=address,undefined
# it runs under the sanitizers too), and fed every file of its corpus in
# tests/fuzz/corpus/NAME: the seeds and every crash input fuzzing found.
# One test per harness; a crash, a sanitizer report or a harness's own
# abort fails it.  Binaries are rebuilt only when a source is newer.
. "$PLUMB_TOP/tests/e2e/lib.sh"

: "${PLUMB_BUILD:?run through tests/run.sh (make test)}"
cc=${CC:-cc}
fz=$PLUMB_TOP/tests/fuzz
out=$PLUMB_BUILD/tests/fuzz
lib=$PLUMB_BUILD/libplumb.a
mkdir -p "$out"

if [ ! -f "$lib" ]; then
	not_ok "libplumb.a is built" "$lib is missing (make test-bins)"
	done_testing
	exit 1
fi

# The flags the Makefile uses for unit tests.  libcurl's .pc names the
# multiarch include directory, which must not come before the compiler's
# own headers (the Makefile drops it for the same reason).
pcs="libcrypto libssl libxml-2.0 yara sqlite3 libcurl jansson zlib liblzma liblz4"
multi="-I/usr/include/$($cc -dumpmachine 2>/dev/null)"
pc_cflags=
for f in $(pkg-config --cflags $pcs); do
	[ "$f" = "$multi" ] || pc_cflags="$pc_cflags $f"
done
pc_libs=$(pkg-config --libs $pcs)
san=
if [ -n "${SANITIZE:-}" ]; then
	san="-fsanitize=$SANITIZE -fno-sanitize-recover=all -fno-omit-frame-pointer"
fi
flags="-std=c11 -O1 -g -D_GNU_SOURCE -Wall -Wextra -Wmissing-prototypes -Werror
	-iquote $PLUMB_TOP/scanner -iquote $PLUMB_TOP/output -iquote $fz
	-fPIE -pthread $san"

# newer TARGET SOURCE...: true when TARGET is missing or older than one.
newer() {
	t=$1
	shift
	[ -e "$t" ] || return 0
	for s in "$@"; do
		[ "$s" -nt "$t" ] && return 0
	done
	return 1
}

if newer "$out/replay.o" "$fz/replay.c"; then
	# shellcheck disable=SC2086
	if ! err=$($cc $flags -c -o "$out/replay.o.tmp" "$fz/replay.c" 2>&1)
	then
		not_ok "replay main compiles" "$err"
		done_testing
		exit 1
	fi
	mv -f "$out/replay.o.tmp" "$out/replay.o"
fi

for src in "$fz"/fuzz_*.c; do
	name=$(basename "$src" .c)
	name=${name#fuzz_}
	bin=$out/fuzz_$name
	if newer "$bin" "$src" "$fz/fuzz.h" "$out/replay.o" "$lib"; then
		# Linked under a temporary name and renamed, so an
		# interrupted link never leaves a binary that looks current.
		rm -f "$bin"
		# shellcheck disable=SC2086
		if ! err=$($cc $flags $pc_cflags -pie -o "$bin.tmp" "$src" \
			"$out/replay.o" "$lib" $pc_libs -lm 2>&1); then
			not_ok "fuzz_$name builds for replay" "$err"
			continue
		fi
		mv -f "$bin.tmp" "$bin"
	fi
	corpus=$fz/corpus/$name
	if [ ! -d "$corpus" ] || [ -z "$(ls "$corpus")" ]; then
		not_ok "fuzz_$name has a corpus" "no files in tests/fuzz/corpus/$name"
		continue
	fi
	n=$(ls "$corpus" | wc -l)
	# A hang found by fuzzing is a failure here too, not a stuck run.
	if res=$(TMPDIR=$T_TMP timeout 120 "$bin" "$corpus" 2>&1); then
		ok "fuzz_$name replays its $n corpus inputs"
	else
		not_ok "fuzz_$name replays its $n corpus inputs" \
			"$(printf '%s\n' "$res" | tail -n 30)"
	fi
done
done_testing
