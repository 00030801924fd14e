# End to end: the history survives kill -9 at random points of `plumb scan`
# (20 kills: during quick scans, around the commit, and during long YARA
# sweeps): after each, sqlite's integrity check passes, the hash chain
# verifies (plumb verify --db and an independent recomputation), the scans
# recorded before are unchanged and no scan is recorded without all its
# results.  Concurrent scans on one history never corrupt it, and a corrupt
# history is refused at open and left byte-identical.
. "$PLUMB_TOP/tests/e2e/lib.sh"
. "$PLUMB_TOP/tests/helpers/slowscan.sh"
BL="$FIX/scan-basic/baseline.xml"
ROOT="$FIX/config-pass/root"
DB="$T_TMP/h.db"
S="$T_TMP/slow"
slowscan "$S" 3

# chain DB: recomputes every link as store.h documents it (hash =
# sha256(prev_hash || stored text), prev_hash = the previous row's hash, 64
# zeros first), checks that the text names its row's seq and prev_hash and
# that each scan has exactly the results its document lists; prints
# "seq hash" per scan on success, the problem and exit 1 otherwise.
chain() {
	python3 - "$1" <<'PY'
import hashlib, json, sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
prev = "0" * 64
for seq, doc, ph, h in db.execute(
        "select seq, doc, prev_hash, hash from scans order by seq"):
    d = json.loads(doc)
    n = db.execute("select count(*) from results where scan_seq = ?",
                   (seq,)).fetchone()[0]
    problems = []
    if ph != prev:
        problems.append("prev_hash is not the previous hash")
    if hashlib.sha256((ph + doc).encode()).hexdigest() != h:
        problems.append("hash does not match its text")
    if d["scan"]["seq"] != seq or d["scan"]["prev_hash"] != ph:
        problems.append("text names another link")
    if n != len(d["results"]):
        problems.append("%d results rows for %d results" % (n, len(d["results"])))
    if problems:
        print("scan %d: %s" % (seq, "; ".join(problems)))
        sys.exit(1)
    print(seq, h)
    prev = h
PY
}
# rand N: a random whole number in [0, N).
rand() { echo $(( $(od -An -N4 -tu4 /dev/urandom) % $1 )); }

# Two scans first, so every kill has history to lose.
"$PLUMB" scan --root "$ROOT" --baseline "$BL" --db "$DB" >/dev/null 2>&1
"$PLUMB" scan --root "$S/root" --baseline "$S/baseline.xml" --db "$DB" >/dev/null 2>&1
chain "$DB" >"$T_TMP/before" || true
check "two scans recorded before the kills" test "$(wc -l <"$T_TMP/before")" -eq 2

# A quick scan's length, to spread kills over the whole of it.
t0=$(date +%s%N)
"$PLUMB" scan --root "$ROOT" --baseline "$BL" --db "$T_TMP/t.db" >/dev/null 2>&1
quick_ms=$(( ($(date +%s%N) - t0) / 1000000 + 20 ))

k=0
bad=""
killed=0
while [ "$k" -lt 20 ]; do
	k=$((k + 1))
	if [ $((k % 2)) -eq 0 ]; then
		ms=$(rand "$quick_ms")
		"$PLUMB" scan --root "$ROOT" --baseline "$BL" --db "$DB" >/dev/null 2>&1 &
	else
		ms=$(rand 4000)
		"$PLUMB" scan --root "$S/root" --baseline "$S/baseline.xml" --db "$DB" >/dev/null 2>&1 &
	fi
	pid=$!
	sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
	kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
	wait "$pid" 2>/dev/null
	ic=$(sqlite3 "$DB" 'pragma integrity_check' 2>&1)
	if [ "$ic" != ok ]; then
		bad="$bad
kill $k after ${ms} ms: integrity_check: $ic"
		break
	fi
	if ! out=$("$PLUMB" verify --db "$DB" 2>&1); then
		bad="$bad
kill $k after ${ms} ms: plumb verify --db: $out"
		break
	fi
	if ! chain "$DB" >"$T_TMP/after"; then
		bad="$bad
kill $k after ${ms} ms: $(cat "$T_TMP/after")"
		break
	fi
	if ! head -n "$(wc -l <"$T_TMP/before")" "$T_TMP/after" | cmp -s - "$T_TMP/before"; then
		bad="$bad
kill $k after ${ms} ms: earlier scans changed"
		break
	fi
	cp "$T_TMP/after" "$T_TMP/before"
done
if [ -z "$bad" ]; then
	ok "20 kill -9 ($killed landed mid-scan): integrity ok, chain verifies, history kept, no partial scan"
else
	not_ok "20 kill -9: integrity ok, chain verifies, history kept, no partial scan" "$bad"
fi
check "scans that finished between kills were recorded whole" test "$(wc -l <"$T_TMP/after")" -ge 2

# --- concurrent writers ----------------------------------------------------
n0=$(wc -l <"$T_TMP/after")
r=0
fails=""
while [ "$r" -lt 3 ]; do
	r=$((r + 1))
	pids=""
	for j in 1 2 3 4; do
		"$PLUMB" scan --root "$ROOT" --baseline "$BL" --db "$DB" \
		    >/dev/null 2>"$T_TMP/cerr$j" &
		pids="$pids $!"
	done
	j=0
	for p in $pids; do
		j=$((j + 1))
		wait "$p"
		st=$?
		[ "$st" -eq 0 ] || fails="$fails
round $r scan $j: exit $st: $(cat "$T_TMP/cerr$j")"
	done
done
n1=$(chain "$DB" | wc -l)
if [ -z "$fails" ] && [ "$n1" -eq $((n0 + 12)) ] &&
    [ "$(sqlite3 "$DB" 'pragma integrity_check')" = ok ] &&
    "$PLUMB" verify --db "$DB" >/dev/null 2>&1; then
	ok "12 scans in rounds of 4 concurrent: all recorded, integrity ok, chain verifies"
else
	not_ok "12 scans in rounds of 4 concurrent: all recorded, integrity ok, chain verifies" \
	    "before $n0, after $n1$fails"
fi

# --- a corrupt history is refused and left alone ----------------------------
sqlite3 "$DB" 'pragma wal_checkpoint(TRUNCATE)' >/dev/null
# corrupt SRC DST OFFSET: DST is SRC with 4 bytes at OFFSET overwritten.
corrupt() {
	cp "$1" "$2"
	printf '\377\377\377\377' | dd of="$2" bs=1 seek="$3" conv=notrunc 2>/dev/null
}
psz=$(od -An -j16 -N2 -tu1 "$DB" | awk '{print $1 * 256 + $2}')
[ "$psz" -eq 256 ] && psz=65536
corrupt "$DB" "$T_TMP/hdr.db" 16
corrupt "$DB" "$T_TMP/page.db" $((psz * 2))
corrupt "$DB" "$T_TMP/magic.db" 0
for c in hdr page magic; do
	f="$T_TMP/$c.db"
	cp "$f" "$T_TMP/orig"
	for verb in history scan; do
		if [ "$verb" = scan ]; then
			"$PLUMB" scan --root "$ROOT" --baseline "$BL" --db "$f" \
			    >"$T_TMP/out" 2>"$T_TMP/err"
		else
			"$PLUMB" history --db "$f" >"$T_TMP/out" 2>"$T_TMP/err"
		fi
		st=$?
		if [ "$st" -eq 1 ] && grep -Eqi "$f.*(corrupt|not a plumb history|not a database|malformed)" "$T_TMP/err" &&
		    cmp -s "$f" "$T_TMP/orig"; then
			ok "$c-corrupted history: $verb refuses it clearly, file byte-identical"
		else
			not_ok "$c-corrupted history: $verb refuses it clearly, file byte-identical" \
			    "exit $st: $(cat "$T_TMP/err"); $(cmp "$f" "$T_TMP/orig" 2>&1)"
		fi
	done
done

done_testing
