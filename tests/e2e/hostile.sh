# End to end: hostile baselines are refused by the real binary, and the
# command line's help and version answer for every verb.
#
# Every file in tests/fixtures/hostile-baselines (but valid.xml) and a
# generated 50 MB attribute must make both `plumb baseline lint FILE` and
# `plumb scan --baseline FILE` exit 1 with a file-naming message on stderr,
# show nothing of the secret file the XXE fixtures point at, and leave the
# history exactly as it was (byte for byte, or absent when it was absent).
# valid.xml is the control: it lints, and its scan does change the history,
# so the byte comparison is seen to work.
. "$PLUMB_TOP/tests/e2e/lib.sh"

SECRET=PLUMB-E2E-SECRET-4b1d
ROOT="$FIX/config-pass/root"
W="$T_TMP/w"
mkdir -p "$W" "$T_TMP/db"
# The XXE fixtures name secret.txt relative to themselves.
printf '%s\n' "$SECRET" >"$W/secret.txt"
for f in "$FIX"/hostile-baselines/*.xml; do
	cp "$f" "$W/"
done
# 50 MB inside one attribute, over the 8 MiB cap for XML inputs.
{
	printf '<?xml version="1.0"?>\n<baseline xmlns="urn:plumb:baseline:1" version="1.0.0" id="'
	head -c 52428800 /dev/zero | tr '\0' a
	printf '"><title>t</title></baseline>\n'
} >"$W/attribute-50mb.xml"

# The history every refused scan must leave alone: one real scan in it.
DB="$T_TMP/db/history.db"
"$PLUMB" scan --baseline "$W/valid.xml" --root "$ROOT" --db "$DB" \
    --format json >/dev/null 2>"$T_TMP/err"
st=$?
if [ "$st" -eq 0 ] || [ "$st" -eq 2 ]; then ok "valid.xml scans into a new history"
else not_ok "valid.xml scans into a new history" "exit $st: $(cat "$T_TMP/err")"; fi
cp "$DB" "$T_TMP/db.before"
ls -a "$T_TMP/db" >"$T_TMP/dir.before"

# revealed FILE: the output names nothing a hostile file holds or points at.
revealed() {
	grep -q -e "$SECRET" -e 'lollol' -e 'aaaaaaaaaaaaaaaa' -e 'cat /etc/shadow' "$1"
}

n=0
for f in "$W"/*.xml; do
	name=$(basename "$f")
	[ "$name" = valid.xml ] && continue
	n=$((n + 1))

	"$PLUMB" baseline lint "$f" >"$T_TMP/out" 2>"$T_TMP/err"
	st=$?
	if [ "$st" -ne 1 ]; then
		not_ok "lint $name exits 1" "exit $st: $(cat "$T_TMP/out" "$T_TMP/err")"
	elif ! grep -q "^$f:[0-9]*: ." "$T_TMP/err" && ! grep -q "^$f: ." "$T_TMP/err"; then
		not_ok "lint $name says file[:line]: why on stderr" "$(cat "$T_TMP/err")"
	elif [ -s "$T_TMP/out" ]; then
		not_ok "lint $name writes nothing on stdout" "$(cat "$T_TMP/out")"
	elif revealed "$T_TMP/err"; then
		not_ok "lint $name reveals no file content" "$(cat "$T_TMP/err")"
	else
		ok "lint $name: exit 1, $(head -n 1 "$T_TMP/err" | sed "s|^$W/||")"
	fi

	"$PLUMB" scan --baseline "$f" --root "$ROOT" --db "$DB" >"$T_TMP/out" 2>"$T_TMP/err"
	st=$?
	ls -a "$T_TMP/db" >"$T_TMP/dir.after"
	if [ "$st" -ne 1 ]; then
		not_ok "scan $name exits 1" "exit $st: $(cat "$T_TMP/err")"
	elif ! grep -q "^$f[:]" "$T_TMP/err" || ! grep -q "baseline refused" "$T_TMP/err"; then
		not_ok "scan $name names the file and refuses it on stderr" "$(cat "$T_TMP/err")"
	elif [ -s "$T_TMP/out" ] || revealed "$T_TMP/err"; then
		not_ok "scan $name reveals no file content" "$(cat "$T_TMP/out" "$T_TMP/err")"
	elif ! cmp -s "$DB" "$T_TMP/db.before" ||
	     ! cmp -s "$T_TMP/dir.before" "$T_TMP/dir.after"; then
		not_ok "scan $name leaves the history byte-identical"
	else
		ok "scan $name: exit 1, history untouched"
	fi

	"$PLUMB" scan --baseline "$f" --root "$ROOT" --db "$T_TMP/new/history.db" \
	    >/dev/null 2>&1
	st=$?
	if [ "$st" -eq 1 ] && [ ! -e "$T_TMP/new" ]; then
		ok "scan $name creates no history where there was none"
	else
		not_ok "scan $name creates no history where there was none" \
		    "exit $st; $(ls -R "$T_TMP/new" 2>&1)"
	fi
done
if [ "$n" -ge 11 ]; then ok "$n hostile baselines tried"
else not_ok "$n hostile baselines tried" "want the 10 fixtures and the 50 MB file"; fi

# The control: a sound baseline lints, and its scan is recorded, so a
# history that stayed byte-identical above did so because plumb refused.
expect_exit 0 "lint valid.xml" "$PLUMB" baseline lint "$W/valid.xml"
"$PLUMB" scan --baseline "$W/valid.xml" --root "$ROOT" --db "$DB" >/dev/null 2>&1
if cmp -s "$DB" "$T_TMP/db.before"; then
	not_ok "a second valid scan changes the history"
else
	ok "a second valid scan changes the history"
fi

# Help and version, for every verb in the verb table (as --help lists it).
"$PLUMB" --help >"$T_TMP/help" 2>"$T_TMP/err"
st=$?
if [ "$st" -eq 0 ] && grep -q '^usage: plumb' "$T_TMP/help"; then ok "plumb --help"
else not_ok "plumb --help" "exit $st: $(cat "$T_TMP/help" "$T_TMP/err")"; fi
verbs=$(sed -n '/^verbs:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' "$T_TMP/help")
nv=0
for v in $verbs; do
	nv=$((nv + 1))
	"$PLUMB" "$v" --help >"$T_TMP/out" 2>"$T_TMP/err"
	st=$?
	if [ "$st" -eq 0 ] && grep -qi 'usage' "$T_TMP/out"; then
		ok "plumb $v --help"
	else
		not_ok "plumb $v --help" "exit $st: $(cat "$T_TMP/out" "$T_TMP/err")"
	fi
done
if [ "$nv" -ge 4 ]; then ok "--help lists $nv verbs"
else not_ok "--help lists $nv verbs" "$(cat "$T_TMP/help")"; fi
want="plumb $(cat "$PLUMB_TOP/VERSION")"
got=$("$PLUMB" --version)
st=$?
if [ "$st" -eq 0 ] && [ "$got" = "$want" ]; then ok "plumb --version says $want"
else not_ok "plumb --version" "exit $st: '$got', want '$want'"; fi

done_testing
