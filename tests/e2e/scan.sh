# End to end: plumb scan / report / history over fixture roots and this host.
. "$PLUMB_TOP/tests/e2e/lib.sh"
SCHEMA="$PLUMB_TOP/output/plumb.scan.schema.json"
BL="$FIX/scan-basic/baseline.xml"
ROOT="$FIX/config-pass/root"
DB="$T_TMP/h.db"

# validate FILE: the document is valid against plumb.scan/1's JSON Schema.
validate() {
	/usr/bin/python3 - "$SCHEMA" "$1" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
jsonschema.Draft7Validator.check_schema(schema)
errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(doc), key=str)
for e in errors[:5]:
    print("schema:", "/".join(map(str, e.absolute_path)), e.message)
sys.exit(1 if errors else 0)
PY
}
# jq_py FILE EXPR: prints a Python expression evaluated over the document d.
jq_py() {
	/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

expect_exit 0 "--version exits 0" "$PLUMB" --version
check "--version names plumb" sh -c "'$PLUMB' --version | grep -q '^plumb [0-9]'"
expect_exit 0 "--help exits 0" "$PLUMB" --help
expect_exit 0 "scan --help exits 0" "$PLUMB" scan --help
expect_exit 1 "an unknown verb exits 1" "$PLUMB" frobnicate
expect_exit 1 "an unknown option exits 1" "$PLUMB" scan --frobnicate

"$PLUMB" scan --root "$ROOT" --baseline "$BL" --db "$DB" --format json -o "$T_TMP/s1.json" 2>"$T_TMP/err"
st=$?
if [ "$st" -eq 0 ]; then ok "a passing fixture exits 0"; else not_ok "a passing fixture exits 0" "exit $st: $(cat "$T_TMP/err")"; fi
check "the scan document validates against plumb.scan/1" validate "$T_TMP/s1.json"
check "the document names the schema" test "$(jq_py "$T_TMP/s1.json" 'd["schema"]')" = "plumb.scan/1"
check "the baseline id, version and sha256 are recorded" test "$(jq_py "$T_TMP/s1.json" 'd["scan"]["baseline"]["sha256"]')" = "$(sha256sum "$BL" | cut -d' ' -f1)"
check "the host identity comes from the root" test "$(jq_py "$T_TMP/s1.json" 'd["scan"]["host"]["hostname"]')" = "$(cat "$ROOT/etc/hostname")"
check "every result passed" test "$(jq_py "$T_TMP/s1.json" 'sorted(set(r["status"] for r in d["results"]))')" = "['pass']"

"$PLUMB" report --db "$DB" --scan latest --format json -o "$T_TMP/r1.json"
check "report re-renders the stored scan byte for byte" cmp "$T_TMP/s1.json" "$T_TMP/r1.json"

FAILROOT="$FIX/config-fail/root"
expect_exit 2 "a failing fixture exits 2" "$PLUMB" scan --root "$FAILROOT" --baseline "$BL" --db "$DB" --format json -o "$T_TMP/s2.json"
check "the failing document validates" validate "$T_TMP/s2.json"
check "failures carry a message" test "$(jq_py "$T_TMP/s2.json" 'all(r["message"] for r in d["results"] if r["status"]=="fail")')" = True
check "the second scan is chained to the first" test "$(jq_py "$T_TMP/s2.json" 'd["scan"]["seq"]')" = 2

"$PLUMB" history --db "$DB" --format json -o "$T_TMP/h.json"
check "history lists both scans oldest first" test "$(jq_py "$T_TMP/h.json" '[s["seq"] for s in d["scans"]]')" = "[1, 2]"
check "history text lists both scans" sh -c "'$PLUMB' history --db '$DB' | grep -c config-fail >/dev/null || '$PLUMB' history --db '$DB' | tail -n +2 | wc -l | grep -q 2"
"$PLUMB" report --db "$DB" --scan 1 --format text >"$T_TMP/r1.txt"
check "report --scan 1 renders text" grep -q "Summary:" "$T_TMP/r1.txt"
expect_exit 1 "report of a scan that does not exist exits 1" "$PLUMB" report --db "$DB" --scan 99

cp "$DB" "$T_TMP/before.db"
expect_exit 1 "an unknown format exits 1" "$PLUMB" scan --root "$ROOT" --baseline "$BL" --db "$DB" --format yaml
expect_exit 1 "a missing root exits 1" "$PLUMB" scan --root "$T_TMP/nonexistent" --baseline "$BL" --db "$DB"
expect_exit 1 "a missing baseline exits 1" "$PLUMB" scan --root "$ROOT" --baseline "$T_TMP/nope.xml" --db "$DB"
expect_exit 1 "an unwritable output exits 1" "$PLUMB" scan --root "$ROOT" --baseline "$BL" --db "$DB" -o "$T_TMP/no/such/dir/out.json"
check "refused scans leave the history as it was" test "$("$PLUMB" history --db "$DB" --format json | grep -c '"seq"')" = 2

# This machine, with the default baseline, as make scan runs it.
"$PLUMB" scan --db "$T_TMP/live.db" --format json -o "$T_TMP/live.json" 2>"$T_TMP/err"
st=$?
if [ "$st" -eq 0 ] || [ "$st" -eq 2 ]; then ok "scanning this host with the default baseline completes"; else not_ok "scanning this host with the default baseline completes" "exit $st: $(cat "$T_TMP/err")"; fi
check "this host's document validates against plumb.scan/1" validate "$T_TMP/live.json"
check "this host's scan covers the four mission families" test "$(jq_py "$T_TMP/live.json" 'sorted({"mfa","patch","encryption","ports"} & set(r["family"] for r in d["results"]))')" = "['encryption', 'mfa', 'patch', 'ports']"
done_testing
