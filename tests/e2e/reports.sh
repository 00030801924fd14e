# End to end: every report format of a stored scan, each checked by the
# tool that consumes it: oscap (XCCDF, ARF), NIST's OSCAL JSON Schema,
# SARIF and JUnit parsed with Python, CSV read with Python's csv module, and
# the HTML parsed for self-containment and rendered in headless Chromium.
# The host is hostile: its hostname and evidence carry markup, quotes,
# commas and invalid UTF-8, which every format must carry as text.
. "$PLUMB_TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
BL="$FIX/reports/baseline.xml"
OWN="$FIX/reports/owners.xml"
ROOT="$T_TMP/root"
DB="$T_TMP/h.db"
OSCAL_SCHEMA="$PLUMB_TOP/../shared/data/oscal/oscal_assessment-results_schema.json"
HOSTILE='ws<b>&"q'"'"',x'
ART="${PLUMB_BUILD:-$T_TMP}/artefacts"

# skip DESCRIPTION REASON: a TAP line for a check this machine cannot run.
skip() {
	T_N=$((T_N + 1))
	echo "ok $T_N - $1 # SKIP $2"
}
scan() {	# exit status 0 or 2 is a completed scan
	"$PLUMB" scan --root "$ROOT" --baseline "$BL" --owners "$OWN" \
		--db "$DB" --format json -o "$T_TMP/last.json" 2>"$T_TMP/err"
	st=$?
	if [ "$st" -eq 0 ] || [ "$st" -eq 2 ]; then ok "scan $1 completes"
	else not_ok "scan $1 completes" "exit $st: $(cat "$T_TMP/err")"; fi
}
failroot() {	# copies the failing fixture's settings over the root
	cp -r "$FIX/config-fail/root/proc/." "$ROOT/proc/"
	cp "$FIX/config-fail/root/etc/shadow" "$ROOT/etc/shadow"
}

# Four scans of one machine, so the trend charts have a history: all good,
# everything broken, partly repaired, then hostile values.
cp -r "$FIX/config-pass/root" "$ROOT"
printf '%s\n' "$HOSTILE" >"$ROOT/etc/hostname"
scan 1
failroot
scan 2
cp "$FIX/config-pass/root/proc/sys/net/ipv4/ip_forward" \
   "$FIX/config-pass/root/proc/sys/net/ipv4/tcp_syncookies" "$ROOT/proc/sys/net/ipv4/"
scan 3
printf '0 <script>alert("x")</script>, & '"'"'q'"'"' "end"\n' \
	>"$ROOT/proc/sys/kernel/randomize_va_space"
printf 'evil<&>"\377\376::1:2\n' >>"$ROOT/etc/shadow"
scan 4

for f in xccdf arf oscal sarif junit csv html json text; do
	expect_exit 0 "report --format $f exits 0" "$PLUMB" report --db "$DB" \
		--format "$f" -o "$T_TMP/r.$f"
done

# ---- XCCDF and ARF: OpenSCAP ----
if command -v oscap >/dev/null 2>&1; then
	check "oscap xccdf validate accepts the XCCDF" oscap xccdf validate "$T_TMP/r.xccdf"
	oscap xccdf generate report "$T_TMP/r.xccdf" >"$T_TMP/oscap.html" 2>"$T_TMP/err"
	st=$?
	if [ "$st" -eq 0 ] && grep -q 'config.no-empty-passwords' "$T_TMP/oscap.html"; then
		ok "oscap xccdf generate report renders every rule"
	else not_ok "oscap xccdf generate report renders every rule" "exit $st: $(cat "$T_TMP/err")"; fi
	check "oscap ds rds-validate accepts the ARF" oscap ds rds-validate "$T_TMP/r.arf"
else
	skip "oscap validates XCCDF and ARF" "oscap is not installed (openscap-scanner)"
fi

# The formats' own parsers: each script exits non-zero with a reason.
pycheck() {	# DESCRIPTION SCRIPT ARGS...
	d=$1
	s=$2
	shift 2
	if out=$("$PY" -c "$s" "$@" 2>&1); then ok "$d"; else not_ok "$d" "$out"; fi
}
JSON_DOC="$T_TMP/r.json"

pycheck "the XCCDF holds one rule-result per control with the real results and the hostname as text" '
import sys, json, xml.etree.ElementTree as ET
ns = {"x": "http://checklists.nist.gov/xccdf/1.2"}
t = ET.parse(sys.argv[1]).getroot()
doc = json.load(open(sys.argv[3]))
rr = {r.get("idref").split("_rule_")[1]: r.find("x:result", ns).text
      for r in t.iter("{%s}rule-result" % ns["x"])}
want = {r["id"]: r["status"] for r in doc["results"]}
xmap = {"waived": "pass"}
for k, v in want.items():
    got = rr.get(k)
    assert got is not None, "no rule-result for " + k
    assert got in (v, xmap.get(v)), (k, got, v)
assert len(rr) == len(want), (len(rr), len(want))
assert t.find(".//x:target", ns).text == sys.argv[2], t.find(".//x:target", ns).text
assert len(t.findall(".//x:Rule", ns)) == len(want)
' "$T_TMP/r.xccdf" "$HOSTILE" "$JSON_DOC"

pycheck "the ARF carries the baseline and the owners file the scan used, and the host" '
import sys, xml.etree.ElementTree as ET
t = ET.parse(sys.argv[1]).getroot()
tags = [e.tag for e in t.iter()]
assert "{urn:plumb:baseline:1}baseline" in tags, "no baseline in the ARF"
assert "{urn:plumb:owners:1}owners" in tags, "no owners file in the ARF"
b = next(e for e in t.iter("{urn:plumb:baseline:1}baseline"))
assert b.get("id") == "reports", b.get("id")
w = [e for e in t.iter("{urn:plumb:owners:1}waiver")]
assert w and w[0].get("control") == "config.suid-dumpable"
texts = [e.text for e in t.iter() if e.text] + [v for e in t.iter() for v in e.attrib.values()]
assert sys.argv[2] in texts, "hostname not carried as text"
' "$T_TMP/r.arf" "$HOSTILE"

# ---- OSCAL: NIST's JSON Schema (its patterns use \p{L}: the regex module) ----
if [ ! -f "$OSCAL_SCHEMA" ]; then
	skip "OSCAL assessment-results validates against NIST's schema" "no schema at ../shared/data/oscal"
elif ! "$PY" -c 'import jsonschema, regex' 2>/dev/null; then
	skip "OSCAL assessment-results validates against NIST's schema" "python3-jsonschema or python3-regex missing"
else
	pycheck "OSCAL assessment-results validates against NIST's JSON Schema" '
import sys, json, regex, jsonschema
import jsonschema._validators as V
V.re = regex
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
cls = jsonschema.validators.validator_for(schema)
v = cls(schema, format_checker=cls.FORMAT_CHECKER)
errs = sorted(v.iter_errors(doc), key=str)
for e in errs[:5]:
    print("/".join(map(str, e.absolute_path)), e.message[:300])
sys.exit(1 if errs else 0)
' "$OSCAL_SCHEMA" "$T_TMP/r.oscal"
fi
pycheck "OSCAL findings give each control its state, framework refs and owner" '
import sys, json
ar = json.load(open(sys.argv[1]))["assessment-results"]
doc = json.load(open(sys.argv[2]))
res = ar["results"][0]
fs = res.get("findings", [])
obs = res.get("observations", [])
assert len(obs) >= len(doc["results"]), (len(obs), len(doc["results"]))
states = {f["target"]["status"]["state"] for f in fs}
assert "not-satisfied" in states, states
blob = json.dumps(ar)
assert "IA-5" in blob or "ia-5" in blob, "framework ref missing"
assert "responsible" in blob and "internal" in blob, "owner missing"
def strings(o):
    if isinstance(o, dict):
        for v in o.values(): yield from strings(v)
    elif isinstance(o, list):
        for v in o: yield from strings(v)
    elif isinstance(o, str):
        yield o
assert sys.argv[3] in set(strings(ar)), "hostname not carried"
' "$T_TMP/r.oscal" "$JSON_DOC" "$HOSTILE"

# ---- SARIF 2.1.0 and JUnit ----
pycheck "SARIF 2.1.0 parses with one result per control and the right kinds" '
import sys, json
s = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
assert s["version"] == "2.1.0"
run = s["runs"][0]
assert run["tool"]["driver"]["name"] == "plumb"
res = run["results"]
assert len(res) == len(doc["results"]), (len(res), len(doc["results"]))
nfail = sum(r["status"] in ("fail", "waived") for r in doc["results"])
assert sum(r.get("kind", "fail") == "fail" for r in res) == nfail
for r in res:
    assert r["message"]["text"]
    if r.get("kind", "fail") != "fail":
        assert r.get("level", "none") == "none", r
waived = [r for r in res if r.get("suppressions")]
assert len(waived) == sum(r["status"] == "waived" for r in doc["results"])
def strings(o):
    if isinstance(o, dict):
        for v in o.values(): yield from strings(v)
    elif isinstance(o, list):
        for v in o: yield from strings(v)
    elif isinstance(o, str):
        yield o
assert sys.argv[3] in set(strings(s)), "hostname not carried"
' "$T_TMP/r.sarif" "$JSON_DOC" "$HOSTILE"

pycheck "JUnit parses with one testcase per control and failures counted" '
import sys, json, xml.etree.ElementTree as ET
t = ET.parse(sys.argv[1]).getroot()
doc = json.load(open(sys.argv[2]))
cases = list(t.iter("testcase"))
assert len(cases) == len(doc["results"]), (len(cases), len(doc["results"]))
nfail = sum(r["status"] == "fail" for r in doc["results"])
fails = [c for c in cases if c.find("failure") is not None]
assert len(fails) == nfail, (len(fails), nfail)
suite = next(t.iter("testsuite"))
assert int(suite.get("failures")) == nfail and int(suite.get("tests")) == len(cases)
assert suite.get("hostname") == sys.argv[3], suite.get("hostname")
ids = {r["id"] for r in doc["results"]}
assert all(any(i in c.get("name") for i in ids) for c in cases)
for c in fails:
    assert c.find("failure").get("message")
' "$T_TMP/r.junit" "$JSON_DOC" "$HOSTILE"

# ---- CSV (RFC 4180) ----
pycheck "CSV reads back with csv: one row per control, host strings intact" '
import sys, csv, json
doc = json.load(open(sys.argv[2]))
raw = open(sys.argv[1], "rb").read()
assert raw.count(b"\r\n") == len(doc["results"]) + 1, "CRLF line ends"
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8"), strict=True))
assert len(rows) == len(doc["results"]), (len(rows), len(doc["results"]))
byid = {r["control_id"]: r for r in rows}
assert all(r["hostname"] == sys.argv[3] for r in rows), rows[0]["hostname"]
want = {r["id"]: r for r in doc["results"]}
for k, r in byid.items():
    assert r["status"] == want[k]["status"]
    assert r["message"] == want[k]["message"].lstrip("=+-@") or r["message"] == "\x27" + want[k]["message"], (r["message"], want[k]["message"])
    assert json.loads(r["evidence"]) == want[k]["evidence"]
assert "<script>" in byid["config.aslr"]["message"]
assert "\ufffd" in byid["config.no-empty-passwords"]["evidence"]
' "$T_TMP/r.csv" "$JSON_DOC" "$HOSTILE"

# ---- HTML ----
pycheck "HTML is self-contained: no script, nothing loaded from the network" '
import sys, re
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(s):
        super().__init__(); s.tags = []; s.refs = []; s.text = []
    def handle_starttag(s, tag, attrs):
        s.tags.append(tag)
        for k, v in attrs:
            if k in ("src", "href", "xlink:href", "action", "data", "poster") and v:
                s.refs.append(v)
    def handle_data(s, d): s.text.append(d)
p = P(); src = open(sys.argv[1], encoding="utf-8").read(); p.feed(src)
assert "script" not in p.tags, "a script element"
assert not [r for r in p.refs if not r.startswith("#")], p.refs
assert not re.search(r"url\(\s*[\x27\"]?(?!#|data:)", src), "CSS loads a URL"
assert not re.search(r"@import", src)
assert "link" not in p.tags and "iframe" not in p.tags and "img" not in p.tags
text = "".join(p.text)
assert sys.argv[2] in text, "hostname not shown as text"
assert "<script>alert" in text, "hostile evidence not shown as text"
' "$T_TMP/r.html" "$HOSTILE"

pycheck "HTML lists failing controls first, the waiver, and three trend charts" '
import sys, json
from html.parser import HTMLParser
doc = json.load(open(sys.argv[2]))
src = open(sys.argv[1], encoding="utf-8").read()
class P(HTMLParser):
    def __init__(s):
        super().__init__(); s.svg = 0; s.lines = 0; s.h = []; s.cur = None; s.buf = ""
    def handle_starttag(s, tag, attrs):
        if tag == "svg": s.svg += 1
        if tag in ("polyline", "path", "circle"): s.lines += 1
        if tag in ("h2", "h3"): s.cur = tag; s.buf = ""
    def handle_endtag(s, tag):
        if tag == s.cur: s.h.append(s.buf.strip()); s.cur = None
    def handle_data(s, d):
        if s.cur: s.buf += d
p = P(); p.feed(src)
assert p.svg >= 3, "charts: %d svg" % p.svg
assert p.lines >= 3, "charts hold no data"
h = p.h
assert "Open drift per party per scan" in h, h
assert "Pass rate per scan" in h, h
act, other = h.index("Controls that need action"), h.index("Other controls")
assert act < other
assert "Waivers" in h
fail = [r["id"] for r in doc["results"] if r["status"] == "fail"]
good = [r["id"] for r in doc["results"] if r["status"] in ("pass", "waived")]
first_good = min(src.find(">" + i + "<") for i in good)
assert all(0 <= src.find(">" + i + "<") < first_good for i in fail), "a passing control before a failing one"
wsec = src[src.find(">Waivers<"):]
assert "config.suid-dumpable" in wsec and "Head of IT" in wsec
' "$T_TMP/r.html" "$JSON_DOC"

if command -v chromium >/dev/null 2>&1; then
	mkdir -p "$ART"
	timeout 120 chromium --headless --no-sandbox --disable-gpu \
		--user-data-dir="$T_TMP/chromium" --window-size=1200,3000 \
		--screenshot="$ART/reports-html.png" "file://$T_TMP/r.html" \
		>"$T_TMP/chromium.log" 2>&1
	st=$?
	sz=$(wc -c <"$ART/reports-html.png" 2>/dev/null || echo 0)
	if [ "$st" -eq 0 ] && [ "$sz" -gt 20000 ]; then
		ok "headless Chromium renders the HTML (screenshot in $ART)"
	else not_ok "headless Chromium renders the HTML" "exit $st, $sz bytes: $(tail -3 "$T_TMP/chromium.log")"; fi
else
	skip "headless Chromium renders the HTML" "chromium is not installed"
fi

# ---- --framework ----
"$PLUMB" report --db "$DB" --framework essential-eight --format json -o "$T_TMP/fw.json"
pycheck "--framework essential-eight keeps its controls and a coverage table" '
import sys, json
v = json.load(open(sys.argv[1]))
fw = v["framework"]
assert fw["id"] == "essential-eight"
ids = sorted(r["id"] for r in v["results"])
assert ids == ["config.aslr", "config.no-empty-passwords"], ids
cov = {c["id"]: c for c in fw["coverage"]}
assert cov["ISM-1173"]["state"] == "failing", cov["ISM-1173"]
assert cov["ISM-1173"]["controls"] == ["config.no-empty-passwords"]
assert cov["ISM-0974"]["state"] == "not-covered", cov["ISM-0974"]
assert all(c["in_list"] for c in fw["coverage"])
' "$T_TMP/fw.json"
"$PLUMB" report --db "$DB" --framework essential-eight >"$T_TMP/fw.txt"
check "--framework text starts with the coverage table" grep -q "ISM-1173" "$T_TMP/fw.txt"
"$PLUMB" report --db "$DB" --framework essential-eight --format html -o "$T_TMP/fw.html"
check "--framework html shows the coverage" grep -q "ISM-0974" "$T_TMP/fw.html"
expect_exit 1 "an unknown framework exits 1" "$PLUMB" report --db "$DB" --framework nope
done_testing
