# End to end: `plumb push` store-and-forward to a loopback collector over
# HTTPS (a throwaway CA, server and client certificates): offline the scans
# stay queued (exit 1); once the collector is up each is delivered exactly
# once, byte for byte as stored, with Idempotency-Key = scan id; a 503 is
# retried, a 400 is not; an untrusted server and a collector that requires
# a client certificate are refused until plumb.conf names the CA and the
# certificate; a scheduled scan pushes through push_url.
. "$PLUMB_TOP/tests/e2e/lib.sh"
BL="$FIX/scan-basic/baseline.xml"
ROOT="$FIX/config-pass/root"
DB="$T_TMP/h.db"
COL="$PLUMB_TOP/tests/helpers/collector.py"
K="$T_TMP/pki"
mkdir "$K"
SRV=""
stop() { [ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null; SRV=""; }
trap 'stop; rm -rf "$T_TMP"' EXIT

# A CA, a server certificate for 127.0.0.1 and a client certificate.
ossl() { openssl "$@" >/dev/null 2>&1 || echo "openssl $1 failed" >&2; }
ossl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=plumb test CA" \
    -keyout "$K/ca.key" -out "$K/ca.pem"
ossl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=another CA" \
    -keyout "$K/other.key" -out "$K/other.pem"
for who in server client; do
	ossl req -newkey rsa:2048 -nodes -subj "/CN=plumb-test-$who" \
	    -keyout "$K/$who.key" -out "$K/$who.csr"
	printf 'subjectAltName=IP:127.0.0.1\n' >"$K/$who.ext"
	ossl x509 -req -in "$K/$who.csr" -CA "$K/ca.pem" -CAkey "$K/ca.key" \
	    -CAcreateserial -days 2 -extfile "$K/$who.ext" -out "$K/$who.pem"
done

# serve [collector options]: starts the collector (on $PORT when set).
serve() {
	rm -f "$T_TMP/port"
	python3 "$COL" --port-file "$T_TMP/port" --log "$T_TMP/log" \
	    --port "${PORT:-0}" --lifetime 120 --cert "$K/server.pem" \
	    --key "$K/server.key" "$@" &
	SRV=$!
	i=0
	while [ ! -s "$T_TMP/port" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	PORT=$(cat "$T_TMP/port")
	URL="https://127.0.0.1:$PORT/scans"
}
# conf [extra lines]: writes plumb.conf for the tests.
conf() {
	{
		printf 'push_attempts = 3\npush_timeout_s = 10\npush_connect_timeout_s = 3\n'
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$T_TMP/plumb.conf"
	chmod 600 "$T_TMP/plumb.conf"
}
push() { "$PLUMB" push --db "$DB" --config "$T_TMP/plumb.conf" "$URL" \
    >"$T_TMP/out" 2>"$T_TMP/err"; }
posts() { [ -f "$T_TMP/log" ] && wc -l <"$T_TMP/log" || echo 0; }
pending() { sqlite3 "$DB" "select count(*) from deliveries where channel = 'push' and state = 'pending'"; }

"$PLUMB" scan --root "$ROOT" --baseline "$BL" --db "$DB" >/dev/null 2>&1
"$PLUMB" scan --root "$ROOT" --baseline "$BL" --db "$DB" >/dev/null 2>&1

# --- offline: queued -------------------------------------------------------
serve
stop
conf "push_ca_file = $K/ca.pem"
t0=$(date +%s)
push
st=$?
t1=$(date +%s)
if [ "$st" -eq 1 ] && grep -q '^0 scans delivered .* 2 left queued$' "$T_TMP/out" &&
    [ "$(pending)" -eq 2 ] && [ $((t1 - t0)) -lt 30 ]; then
	ok "offline: exit 1, both scans queued, bounded ($((t1 - t0)) s)"
else
	not_ok "offline: exit 1, both scans queued, bounded" \
	    "exit $st after $((t1 - t0)) s, $(pending) pending: $(cat "$T_TMP/out" "$T_TMP/err")"
fi
check "the failure is recorded with the queued scan" test \
    "$(sqlite3 "$DB" "select count(*) from deliveries where last_error like '%127.0.0.1%'")" -ge 1

# --- the collector comes up: each scan exactly once ---------------------------
serve
push
st=$?
if [ "$st" -eq 0 ] && grep -q '^2 scans delivered .* 0 left queued$' "$T_TMP/out" &&
    [ "$(posts)" -eq 2 ] && [ "$(pending)" -eq 0 ]; then
	ok "collector up: both queued scans delivered, exit 0"
else
	not_ok "collector up: both queued scans delivered, exit 0" \
	    "exit $st, $(posts) posts: $(cat "$T_TMP/out" "$T_TMP/err")"
fi
check "each body is the stored document byte for byte, keyed by its scan id" \
    python3 - "$DB" "$T_TMP/log" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
stored = dict(db.execute("select id, doc from scans"))
got = [json.loads(l) for l in open(sys.argv[2])]
assert len(got) == len(stored), (len(got), len(stored))
for g in got:
    assert g["status"] == 200
    assert stored[g["idempotency_key"]] == g["body"], g["idempotency_key"]
    assert json.loads(g["body"])["schema"] == "plumb.scan/1"
PY
push
st=$?
if [ "$st" -eq 0 ] && [ "$(posts)" -eq 2 ] && grep -q '^0 scans delivered .* 0 left' "$T_TMP/out"; then
	ok "a second push sends nothing again"
else
	not_ok "a second push sends nothing again" "exit $st, $(posts) posts"
fi
stop

# --- 503 then 200, and a 400 -------------------------------------------------
"$PLUMB" scan --root "$ROOT" --baseline "$BL" --db "$DB" >/dev/null 2>&1
: >"$T_TMP/log"
serve --fail 1
push
st=$?
att=$(sqlite3 "$DB" "select attempts from deliveries where channel = 'push' order by id desc limit 1")
if [ "$st" -eq 0 ] && [ "$(posts)" -eq 2 ] && [ "$att" -eq 2 ] &&
    [ "$(sed -n 1p "$T_TMP/log" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" = 503 ]; then
	ok "a 503 is retried and the scan delivered on the second try"
else
	not_ok "a 503 is retried and the scan delivered on the second try" \
	    "exit $st, $(posts) posts, attempts $att: $(cat "$T_TMP/err")"
fi
stop
"$PLUMB" scan --root "$ROOT" --baseline "$BL" --db "$DB" >/dev/null 2>&1
: >"$T_TMP/log"
serve --status 400
push
st=$?
if [ "$st" -eq 1 ] && [ "$(posts)" -eq 1 ] && [ "$(pending)" -eq 1 ] &&
    grep -q 'HTTP 400: try later' "$T_TMP/err"; then
	ok "a 400 is not retried, the scan stays queued, the answer is shown"
else
	not_ok "a 400 is not retried, the scan stays queued, the answer is shown" \
	    "exit $st, $(posts) posts: $(cat "$T_TMP/err")"
fi
stop

# --- trust: the server's CA, and mutual TLS -------------------------------------
: >"$T_TMP/log"
serve
conf "push_ca_file = $K/other.pem"
push
st=$?
if [ "$st" -eq 1 ] && [ "$(posts)" -eq 0 ] && [ "$(pending)" -eq 1 ]; then
	ok "a server certificate the configured CA did not sign is refused"
else
	not_ok "a server certificate the configured CA did not sign is refused" "exit $st: $(cat "$T_TMP/err")"
fi
stop
serve --client-ca "$K/ca.pem"
conf "push_ca_file = $K/ca.pem"
push
st=$?
if [ "$st" -eq 1 ] && [ "$(posts)" -eq 0 ] && [ "$(pending)" -eq 1 ]; then
	ok "a collector requiring a client certificate refuses plumb without one"
else
	not_ok "a collector requiring a client certificate refuses plumb without one" "exit $st: $(cat "$T_TMP/err")"
fi
conf "push_ca_file = $K/ca.pem" "push_client_cert = $K/client.pem" \
    "push_client_key = $K/client.key"
push
st=$?
if [ "$st" -eq 0 ] && [ "$(posts)" -eq 1 ] && [ "$(pending)" -eq 0 ] &&
    grep -q '"client_cn": "plumb-test-client"' "$T_TMP/log"; then
	ok "with push_client_cert and push_client_key mutual TLS delivers the scan"
else
	not_ok "with push_client_cert and push_client_key mutual TLS delivers the scan" \
	    "exit $st: $(cat "$T_TMP/out" "$T_TMP/err")"
fi
stop

# --- plumb push killed while the collector holds the request -------------------
"$PLUMB" scan --root "$ROOT" --baseline "$BL" --db "$DB" >/dev/null 2>&1
: >"$T_TMP/log"
serve --delay 30
conf "push_ca_file = $K/ca.pem"
"$PLUMB" push --db "$DB" --config "$T_TMP/plumb.conf" "$URL" >/dev/null 2>&1 &
P=$!
i=0
while [ "$(posts)" -lt 1 ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill -9 "$P"
wait "$P" 2>/dev/null
p1=$(pending)
stop
serve
push
st=$?
keys=$(python3 -c 'import json,sys; print(" ".join(sorted(set(json.loads(l)["idempotency_key"] for l in open(sys.argv[1])))))' "$T_TMP/log")
if [ "$p1" -eq 1 ] && [ "$st" -eq 0 ] && [ "$(posts)" -eq 2 ] && [ "$(pending)" -eq 0 ] &&
    [ "$(printf '%s\n' "$keys" | wc -w)" -eq 1 ]; then
	ok "push killed mid-request: the scan stays queued, the next push delivers it under the same Idempotency-Key"
else
	not_ok "push killed mid-request: the scan stays queued, the next push delivers it under the same Idempotency-Key" \
	    "pending after kill $p1, exit $st, $(posts) posts, keys $keys"
fi
stop

# --- a scheduled scan pushes through push_url --------------------------------
: >"$T_TMP/log"
serve
conf "push_ca_file = $K/ca.pem" "push_url = $URL" "root = $ROOT" \
    "baseline = $BL" "db = $DB"
PLUMB_LOG_SOCKET="$T_TMP/no-such-socket" "$PLUMB" scan --scheduled \
    --config "$T_TMP/plumb.conf" >"$T_TMP/out" 2>"$T_TMP/err"
st=$?
if [ "$st" -eq 0 ] && [ ! -s "$T_TMP/out" ] && [ "$(posts)" -eq 1 ] &&
    grep -q 'exit 0; pushed 1, 0 queued$' "$T_TMP/err"; then
	ok "scan --scheduled with push_url delivers the new scan and says so in its log line"
else
	not_ok "scan --scheduled with push_url delivers the new scan and says so in its log line" \
	    "exit $st, $(posts) posts: $(cat "$T_TMP/out" "$T_TMP/err")"
fi
stop
PLUMB_LOG_SOCKET="$T_TMP/no-such-socket" "$PLUMB" scan --scheduled \
    --config "$T_TMP/plumb.conf" >"$T_TMP/out" 2>"$T_TMP/err"
st=$?
if [ "$st" -eq 0 ] && grep -q 'pushed 0, 1 queued (last failure: scan ' "$T_TMP/err"; then
	ok "a scheduled scan with the collector down still exits as the scan says, the scan queued"
else
	not_ok "a scheduled scan with the collector down still exits as the scan says, the scan queued" \
	    "exit $st: $(cat "$T_TMP/err")"
fi
conf "push_ca_file = $K/ca.pem"
"$PLUMB" push --db "$DB" --config "$T_TMP/plumb.conf" >"$T_TMP/out" 2>"$T_TMP/err"
st=$?
if [ "$st" -eq 1 ] && grep -q 'no URL given and no push_url in' "$T_TMP/err"; then
	ok "push without a URL or push_url is a usage error"
else
	not_ok "push without a URL or push_url is a usage error" "exit $st: $(cat "$T_TMP/err")"
fi

done_testing
