# End to end: idp-mfa against a loopback fake of Entra ID, Okta, Google
# Workspace and Duo (tests/helpers/fake_idp.py) over TLS with a throwaway CA:
# every scenario of the reference notes 3.5 judged pass, fail or error with
# per-user evidence, and the secrets nowhere in output, history or reports.
. "$PLUMB_TOP/tests/e2e/lib.sh"
FAKE="$PLUMB_TOP/tests/helpers/fake_idp.py"
TPL="$FIX/idp-scenarios/baseline.xml.in"
ROOT="$FIX/idp-scenarios/root"
D="$T_TMP"
DB="$D/h.db"
SECRET="s3cr3t-CANARY-7f3a9c"
TOKCANARY="TOKCANARY-51d2e8"
SRV_PID=

stop_server() {
	[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null
	[ -n "$SRV_PID" ] && wait "$SRV_PID" 2>/dev/null
	SRV_PID=
}
trap 'stop_server; rm -rf "$T_TMP"' EXIT

# jq_py FILE EXPR: a Python expression over the JSON document d.
jq_py() {
	/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
# res ID: the result of control ID in the scan document, as d for jq_py.
res() {
	jq_py "$D/scan.json" "[r for r in d['results'] if r['id']=='$1'][0]$2"
}

# ---- a throwaway CA, a server certificate for 127.0.0.1, a client key ----
{
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/ca.key" \
		-out "$D/ca.pem" -days 1 -subj /CN=plumb-idp-test-ca &&
	openssl req -newkey rsa:2048 -nodes -keyout "$D/srv.key" \
		-out "$D/srv.csr" -subj /CN=127.0.0.1 &&
	printf 'subjectAltName=IP:127.0.0.1\n' >"$D/ext" &&
	openssl x509 -req -in "$D/srv.csr" -CA "$D/ca.pem" -CAkey "$D/ca.key" \
		-CAcreateserial -out "$D/srv.pem" -days 1 -extfile "$D/ext" &&
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
		-out "$D/client.key" &&
	openssl pkey -in "$D/client.key" -pubout -out "$D/client.pub"
} >"$D/openssl.log" 2>&1
check "openssl made the test CA, server certificate and client key" test -s "$D/client.pub"
# A second CA the server's certificate does not chain to.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/other.key" \
	-out "$D/other.pem" -days 1 -subj /CN=other-ca >/dev/null 2>&1

# ---- credentials, by reference -------------------------------------------
umask 077
/usr/bin/python3 - "$D" "$SECRET" <<'PY'
import json, os, sys
d, secret = sys.argv[1], sys.argv[2]
key = open(os.path.join(d, "client.key")).read()
files = {
    "entra.json": {"client_id": "plumb-test-app", "client_secret": secret},
    "okta-ssws.json": {"api_token": secret},
    "okta-jwt.json": {"client_id": "plumb-test-app", "private_key": key},
    "google.json": {"type": "service_account",
                    "client_email": "plumb@smbco.iam.example",
                    "private_key_id": "k1", "private_key": key},
    "duo.json": {"ikey": "DIXXXXXXXXXXXXXXXXXX", "skey": secret},
}
for name, obj in files.items():
    with open(os.path.join(d, name), "w") as f:
        json.dump(obj, f)
PY
cp "$D/entra.json" "$D/open.json"
chmod 0644 "$D/open.json"
umask 022

# ---- the fake server -------------------------------------------------------
/usr/bin/python3 "$FAKE" --cert "$D/srv.pem" --key "$D/srv.key" \
	--pubkey "$D/client.pub" --secret "$SECRET" --token-canary "$TOKCANARY" \
	--port-file "$D/port" --log "$D/requests.log" --max-requests 400 \
	--timeout 120 2>"$D/server.err" &
SRV_PID=$!
i=0
while [ ! -s "$D/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
PORT=$(cat "$D/port" 2>/dev/null)
check "the fake server listens on a loopback port" test -n "$PORT"
BASE="https://127.0.0.1:$PORT"

sed -e "s|@BASE@|$BASE|g" -e "s|@CA@|$D/ca.pem|g" \
	-e "s|@CREDS@|$D/entra.json|g" -e "s|@OPENCREDS@|$D/open.json|g" \
	-e "s|@OKTA_SSWS@|$D/okta-ssws.json|g" -e "s|@OKTA_JWT@|$D/okta-jwt.json|g" \
	-e "s|@GOOGLE@|$D/google.json|g" -e "s|@DUO@|$D/duo.json|g" \
	"$TPL" >"$D/baseline.xml"
check "the scenario baseline validates" "$PLUMB" baseline lint "$D/baseline.xml"

PLUMB_TEST_IDP_CREDS=$(cat "$D/entra.json")
export PLUMB_TEST_IDP_CREDS
start=$(date +%s)
"$PLUMB" scan --root "$ROOT" --baseline "$D/baseline.xml" --db "$DB" \
	--format json -o "$D/scan.json" >"$D/scan.out" 2>"$D/scan.err"
st=$?
end=$(date +%s)
if [ "$st" -eq 2 ]; then ok "the scan exits 2 (failures and errors)"; else
	not_ok "the scan exits 2 (failures and errors)" "exit $st: $(cat "$D/scan.err")"; fi

check "the scan document validates against plumb.scan/1" \
	/usr/bin/python3 -c 'import json, sys, jsonschema
jsonschema.Draft7Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))' \
	"$PLUMB_TOP/output/plumb.scan.schema.json" "$D/scan.json"

# ---- statuses --------------------------------------------------------------
for pair in idp.entra-pass.all=pass idp.entra-fail.all=fail \
	idp.entra-fail.admins=fail idp.entra-403=error idp.entra-slow=error \
	idp.entra-offsite=error idp.entra-echo=error idp.entra-huge=error \
	idp.entra-hang=error \
	idp.entra-env.all=pass idp.entra-openperm=error idp.okta-ssws.all=fail \
	idp.okta-jwt.admins=fail idp.okta-oie.all=fail idp.google.all=fail idp.google.admins=pass \
	idp.duo.all=fail idp.duo-badsig=error; do
	id=${pair%=*}
	want=${pair#*=}
	got=$(res "$id" "['status']")
	if [ "$got" = "$want" ]; then ok "$id is $want"; else
		not_ok "$id is $want" "got $got: $(res "$id" "['message']")"; fi
done

LOG="$D/requests.log"
count() {	# scenario method path-prefix status
	/usr/bin/python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["scenario"] == sys.argv[2] and r["method"] == sys.argv[3] and \
       r["path"].startswith(sys.argv[4]) and str(r["status"]) == sys.argv[5]:
        n += 1
print(n)' "$LOG" "$@"
}

# ---- evidence --------------------------------------------------------------
# user USERS_OF_ID USER KEY: one field of one user's evidence entry.
user() {
	res "$1" "['evidence']['users']" >/dev/null 2>&1 || { echo "(no users)"; return; }
	jq_py "$D/scan.json" "[u for u in [r for r in d['results'] if r['id']=='$1'][0]['evidence']['users'] if u['user']=='$2'][0]['$3']"
}
check "entra pass: the guest and the disabled user are skipped, two judged" \
	test "$(res idp.entra-pass.all "['evidence']['counts']['in_scope']")/$(res idp.entra-pass.all "['evidence']['counts']['guests_skipped']")/$(res idp.entra-pass.all "['evidence']['counts']['inactive_skipped']")" = "2/1/1"
check "entra pass: the admin's methods are listed" \
	test "$(user idp.entra-pass.all admin@smbco.example methods)" = "['fido2', 'microsoftAuthenticatorPush']"
check "entra pass: enforced by the CA policy" \
	test "$(user idp.entra-pass.all ana@smbco.example enforced_by)" = "[\"conditional access policy 'Require MFA for all users'\"]"
check "entra fail: the admin without MFA is not registered yet enforced" \
	test "$(user idp.entra-fail.all admin@smbco.example registered)/$(user idp.entra-fail.all admin@smbco.example enforced)/$(user idp.entra-fail.all admin@smbco.example admin)" = "False/True/True"
check "entra fail: registered but not required fails" \
	test "$(user idp.entra-fail.all ben@smbco.example registered)/$(user idp.entra-fail.all ben@smbco.example enforced)/$(user idp.entra-fail.all ben@smbco.example compliant)" = "True/False/False"
check "entra fail: a report-only policy is a bypass, not enforcement" \
	test "$(user idp.entra-fail.all cy@smbco.example bypass)" = "[\"conditional access policy 'MFA pilot' is report-only (not enforced)\"]"
check "entra fail: the break-glass exclusion is a bypass" \
	sh -c "echo \"$(user idp.entra-fail.all breakglass@smbco.example bypass)\" | grep -q 'excluded from conditional access policy'"
check "entra fail: only ana is compliant" \
	test "$(res idp.entra-fail.all "['evidence']['counts']['compliant']")/$(res idp.entra-fail.all "['evidence']['counts']['in_scope']")" = "1/5"
check "entra fail: users are listed sorted, for stable drift" \
	test "$(res idp.entra-fail.all "['evidence']['users']" | /usr/bin/python3 -c 'import ast,sys; print([u["user"] for u in ast.literal_eval(sys.stdin.read())])')" = "['admin@smbco.example', 'ana@smbco.example', 'ben@smbco.example', 'breakglass@smbco.example', 'cy@smbco.example']"
check "entra admins: two admins judged (admin, break-glass)" \
	test "$(res idp.entra-fail.admins "['evidence']['counts']['in_scope']")" = 2
check "entra 403: error says permission or licence" \
	sh -c "echo \"$(res idp.entra-403 "['message']")\" | grep -q 'HTTP 403; missing permission or licence): Insufficient privileges'"
check "entra slow: 429 beyond the budget is an error" \
	sh -c "echo \"$(res idp.entra-slow "['message']")\" | grep -q '429'"
check "entra offsite: a next link to another host is not followed" \
	sh -c "echo \"$(res idp.entra-offsite "['message']")\" | grep -q 'outside https://127.0.0.1:$PORT/s/entra-offsite: not followed'"
check "entra offsite: no request reached another host" \
	test "$(count entra-offsite GET /s/entra-offsite/v1.0/users 200)" = 1
check "entra echo: the echoed secret is redacted from the message" \
	sh -c "echo \"$(res idp.entra-echo "['message']")\" | grep -q \"client secret '\[redacted\]' is not valid\""
check "entra huge: an answer past the size cap is refused" \
	sh -c "echo \"$(res idp.entra-huge "['message']")\" | grep -q 'answered more than 16777216 bytes'"
check "entra hang: a request past its timeout fails" \
	sh -c "echo \"$(res idp.entra-hang "['message']")\" | grep -q 'no complete answer within the timeout of 1 s'"
check "entra open credentials file: refused before any request" \
	sh -c "echo \"$(res idp.entra-openperm "['message']")\" | grep -q 'must be mode 0600'"
check "okta: a pending factor only is not registered" \
	test "$(user idp.okta-ssws.all bob@smbco.example registered)/$(user idp.okta-ssws.all bob@smbco.example methods)" = "False/['question']"
check "okta: the zone rule without MFA is a bypass for the admin" \
	sh -c "echo \"$(user idp.okta-ssws.all carol@smbco.example bypass)\" | grep -q 'allows sign-in without MFA from its network zones'"
check "okta: webauthn user is compliant" \
	test "$(user idp.okta-ssws.all alice@smbco.example compliant)" = True
check "okta jwt: the admin scope holds carol only" \
	test "$(res idp.okta-jwt.admins "['evidence']['counts']['in_scope']")/$(user idp.okta-jwt.admins carol@smbco.example admin)" = "1/True"
check "okta: a Classic Engine org's refusal of authentication policies (once per connection) is not an error" \
	test "$(count okta-mix GET '/s/okta-mix/api/v1/policies?type=ACCESS_POLICY' 400)" = 2
check "okta oie: every authentication policy demanding 2FA enforces MFA" \
	test "$(user idp.okta-oie.all alice@smbco.example enforced_by)" = "[\"authentication policy 'Intranet' rule 'Catch-all'\", \"authentication policy 'Office 365' rule 'Catch-all'\"]"
check "okta oie: an application policy allowing one factor is a bypass" \
	test "$(user idp.okta-oie.all bob@smbco.example enforced)/$(user idp.okta-oie.all bob@smbco.example bypass)" = "False/[\"authentication policy 'Intranet' rule 'Contractors one factor' allows its applications with one factor\"]"
check "google: enrolled but not enforced fails" \
	test "$(user idp.google.all eve@smbco.example registered)/$(user idp.google.all eve@smbco.example enforced)" = "True/False"
check "google: the suspended user is skipped" \
	test "$(res idp.google.all "['evidence']['counts']['inactive_skipped']")" = 1
check "duo: bypass status is a bypass" \
	test "$(user idp.duo.all contractor1 bypass)" = "['Duo user status is bypass (no second factor asked)']"
check "duo: methods from phones and webauthn" \
	test "$(user idp.duo.all jsmith methods)/$(user idp.duo.all kim methods)" = "['mobile_otp', 'push']/['webauthn']"
check "duo: a refused signature is an error naming it" \
	sh -c "echo \"$(res idp.duo-badsig "['message']")\" | grep -q 'Invalid signature'"

# ---- HTTP behaviour, from the server's log --------------------------------
check "entra fail: the expired token was refreshed exactly once" \
	test "$(count entra-fail POST /s/entra-fail/token 200)/$(count entra-fail GET /s/entra-fail/v1.0 401)" = "2/1"
check "entra pass: the 429 was retried" \
	test "$(count entra-pass GET /s/entra-pass/v1.0/users 429)" = 1
check "entra pass: the empty page's next link was followed" \
	test "$(count entra-pass GET '/s/entra-pass/v1.0/reports/authenticationMethods/userRegistrationDetails?$skiptoken=X%271%27' 200)" -ge 1
check "okta: the rate-limited factors call was retried after X-Rate-Limit-Reset" \
	test "$(count okta-mix GET /s/okta-mix/api/v1/users/00uB/factors 429)/$(count okta-mix GET /s/okta-mix/api/v1/users/00uB/factors 200)" = "1/2"
check "okta: both user pages were read through Link rel=next" \
	test "$(count okta-mix GET '/s/okta-mix/api/v1/users?after=00uB' 200)" = 2
check "google: two pages (pageToken), read once for the two controls" \
	test "$(count google-mix GET /s/google-mix/admin/directory/v1/users 200)" = 2
check "duo: both pages were read through next_offset" \
	test "$(count duo-mix GET '/s/duo-mix/admin/v1/users?limit=300&offset=2' 200)" = 1
check "entra slow: no request after the budget was exceeded" \
	test "$(count entra-slow GET /s/entra-slow/v1.0 429)" = 1
check "the scan took bounded time (429 waits within budget)" \
	test $((end - start)) -lt 60

# ---- secrets never leak ----------------------------------------------------
"$PLUMB" report --db "$DB" --scan latest --format html -o "$D/report.html" 2>>"$D/scan.err"
check "report --format html renders the IdP scan" test -s "$D/report.html"
check "the HTML report shows per-user evidence (ben's registered method)" grep -q 'softwareOneTimePasscode' "$D/report.html"
"$PLUMB" report --db "$DB" --scan latest --format text -o "$D/report.txt" 2>>"$D/scan.err"
sqlite3 "$DB" .dump >"$D/db.dump" 2>&1
check "the history database dumps" test -s "$D/db.dump"
for f in scan.out scan.err scan.json report.html report.txt db.dump; do
	if grep -q -e "$SECRET" -e "$TOKCANARY" "$D/$f"; then
		not_ok "no secret or token in $f" "$(grep -o -e "$SECRET" -e "$TOKCANARY" "$D/$f" | head -3)"
	else ok "no secret or token in $f"; fi
done

# ---- the same tenant scanned again gives the same evidence -----------------
"$PLUMB" scan --root "$ROOT" --baseline "$D/baseline.xml" --db "$DB" \
	--format json -o "$D/scan2.json" >/dev/null 2>&1
"$PLUMB" diff --db "$DB" --format json -o "$D/diff2.json" >/dev/null 2>&1
check "a rescan of unchanged tenants shows no drift (stable evidence)" \
	test "$(jq_py "$D/diff2.json" "d['events']")" = "[]"

# ---- drift: a new user without MFA regresses the control -------------------
/usr/bin/python3 - "$D/baseline.xml" >"$D/grow.xml" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
controls = re.findall(r"  <control .*?</control>\n", s, re.S)
print(s[:s.index("  <control ")] +
      controls[0].replace("entra-pass", "entra-grow") + "</baseline>")
PY
"$PLUMB" scan --root "$ROOT" --baseline "$D/grow.xml" --db "$D/g.db" \
	--format json -o "$D/g1.json" >/dev/null 2>&1
"$PLUMB" scan --root "$ROOT" --baseline "$D/grow.xml" --db "$D/g.db" \
	--format json -o "$D/g2.json" >/dev/null 2>&1
check "drift: the first scan passes, the second fails" \
	test "$(jq_py "$D/g1.json" "d['results'][0]['status']")/$(jq_py "$D/g2.json" "d['results'][0]['status']")" = "pass/fail"
"$PLUMB" diff --db "$D/g.db" --format json -o "$D/gdiff.json" >/dev/null 2>&1
check "drift: plumb diff reports the control regressed for its owner" \
	test "$(jq_py "$D/gdiff.json" "[(e['kind'], e['control'], e['owner']) for e in d['events']]")" = "[('regressed', 'idp.entra-grow.all', 'msp')]"
check "drift: the new user is in the second scan's evidence" \
	test "$(jq_py "$D/g2.json" "[u['user'] for u in d['results'][0]['evidence']['users'] if not u['compliant']]")" = "['newhire@smbco.example']"

# ---- TLS verification cannot be skipped -------------------------------------
# The first control alone (entra-pass), trusting a CA that did not sign.
/usr/bin/python3 - "$D/baseline.xml" "$D/ca.pem" "$D/other.pem" >"$D/wrongca.xml" <<'PY'
import re, sys
s = open(sys.argv[1]).read().replace(sys.argv[2], sys.argv[3])
controls = re.findall(r"  <control .*?</control>\n", s, re.S)
print(s[:s.index("  <control ")] + controls[0] + "</baseline>")
PY
"$PLUMB" scan --root "$ROOT" --baseline "$D/wrongca.xml" --db "$D/w.db" \
	--format json -o "$D/wrongca.json" >/dev/null 2>&1
check "a server certificate from another CA is refused (error)" \
	test "$(jq_py "$D/wrongca.json" "[r['status'] for r in d['results'] if r['id']=='idp.entra-pass.all'][0]")" = error

stop_server
check "the fake server stopped" sh -c "! kill -0 $SRV_PID 2>/dev/null"
done_testing
