# Oracle: the listeners plumb reports on this host equal `ss -Htuln`.
# tests/helpers/listen opens its own sockets (TCP on 127.0.0.1, 0.0.0.0 and
# ::, UDP on 0.0.0.0) so the comparison always covers every address form;
# then the (proto, address, port) set of a live scan's evidence is compared
# with ss's, taken just before and just after the scan so a socket that
# comes or goes in between cannot fail the test: plumb must hold every
# socket ss saw both times and nothing ss saw neither time.
. "$PLUMB_TOP/tests/e2e/lib.sh"

HELPER=${PLUMB_BUILD:-$(dirname "$PLUMB")}/tests/helpers/listen
BL="$T_TMP/ports-live.xml"
cat >"$BL" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<baseline xmlns="urn:plumb:baseline:1" id="test-ports-live" version="1.0.0">
  <title>Every listener of this host, allowed, for the ss oracle</title>
  <control id="ports.inventory" family="ports" severity="info" owner="internal">
    <title>Listening sockets are inventoried</title>
    <rationale>The oracle test compares the listener set with ss.</rationale>
    <check type="listening-ports">
      <param name="allow">*/*</param>
    </check>
  </control>
</baseline>
EOF

if ! command -v ss >/dev/null 2>&1; then
	not_ok "ss is installed (iproute2, in DEB_TEST)"
	done_testing
	exit
fi
if [ ! -x "$HELPER" ]; then
	not_ok "the listen helper is built" "$HELPER missing"
	done_testing
	exit
fi

# Start the helper with its standard input on a FIFO the test holds open:
# closing it (or the helper's own 60 s bound) ends the helper.
mkfifo "$T_TMP/in"
"$HELPER" 60 <"$T_TMP/in" >"$T_TMP/ports" 2>"$T_TMP/helper.err" &
HPID=$!
exec 3>"$T_TMP/in"
i=0
while ! grep -q '^ready$' "$T_TMP/ports" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
check "the listen helper opened its sockets" grep -q '^ready$' "$T_TMP/ports"

# compare: prints nothing when the sets agree, else the differences.
compare() {
	/usr/bin/python3 - "$T_TMP/ss1" "$T_TMP/ss2" "$T_TMP/scan.json" <<'PY'
import ipaddress, json, sys

def norm(addr):
    # ss: "*" (dual-stack ::), "[v6]", "addr%iface"; plumb: inet_ntop.
    if "%" in addr:
        addr = addr.split("%", 1)[0]
    if addr.startswith("[") and addr.endswith("]"):
        addr = addr[1:-1]
    if addr == "*":
        addr = "::"
    return ipaddress.ip_address(addr).compressed

def ss_set(path):
    out = set()
    for line in open(path):
        f = line.split()
        if len(f) < 5:
            continue
        local = f[4]
        addr, port = local.rsplit(":", 1)
        out.add((f[0], norm(addr), int(port)))
    return out

ss1, ss2 = ss_set(sys.argv[1]), ss_set(sys.argv[2])
doc = json.load(open(sys.argv[3]))
res = [r for r in doc["results"] if r["id"] == "ports.inventory"][0]
got = {(l["proto"], norm(l["address"]), l["port"])
       for l in res["evidence"]["listening"]}
missing = (ss1 & ss2) - got
extra = got - (ss1 | ss2)
for m in sorted(missing):
    print("ss lists, plumb does not:", m)
for x in sorted(extra):
    print("plumb lists, ss does not:", x)
PY
}

diff=
for attempt in 1 2 3; do
	ss -Htuln >"$T_TMP/ss1"
	"$PLUMB" scan --root / --baseline "$BL" --db "$T_TMP/h.db" \
		--format json -o "$T_TMP/scan.json" 2>"$T_TMP/scan.err"
	st=$?
	ss -Htuln >"$T_TMP/ss2"
	[ "$st" -eq 0 ] || break
	diff=$(compare)
	[ -z "$diff" ] && break
done
if [ "$st" -eq 0 ]; then ok "a live scan allowing every listener exits 0"; else
	not_ok "a live scan allowing every listener exits 0" "exit $st: $(cat "$T_TMP/scan.err")"; fi
if [ "$st" -eq 0 ] && [ -z "$diff" ]; then
	ok "the (proto, address, port) set equals ss -Htuln"
else
	not_ok "the (proto, address, port) set equals ss -Htuln" "$diff"
fi

# The helper's own sockets are there, owned by the helper.
while read -r proto addr port; do
	[ "$proto" = ready ] && continue
	out=$(/usr/bin/python3 - "$T_TMP/scan.json" "$proto" "$addr" "$port" "$HPID" <<'PY'
import ipaddress, json, sys
doc = json.load(open(sys.argv[1]))
proto, addr, port, pid = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
want = ipaddress.ip_address(addr).compressed
res = [r for r in doc["results"] if r["id"] == "ports.inventory"][0]
hits = [l for l in res["evidence"]["listening"]
        if l["proto"] == proto and l["port"] == port
        and ipaddress.ip_address(l["address"]).compressed == want]
if len(hits) != 1:
    print("found %d entries" % len(hits)); sys.exit(1)
l = hits[0]
fam = 6 if ":" in addr else 4
problems = []
if l["family"] != fam: problems.append("family %r" % l["family"])
if l["pid"] != pid: problems.append("pid %r, want %d" % (l["pid"], pid))
if l["process"] != "listen": problems.append("process %r" % l["process"])
if not (l["exe"] or "").endswith("/tests/helpers/listen"): problems.append("exe %r" % l["exe"])
if l["allowed"] is not True or l["rule"] != "*/*": problems.append("allowed %r by %r" % (l["allowed"], l["rule"]))
print("; ".join(problems)); sys.exit(1 if problems else 0)
PY
)
	if [ $? -eq 0 ]; then ok "helper's $proto $addr:$port is listed with its pid, name and exe"; else
		not_ok "helper's $proto $addr:$port is listed with its pid, name and exe" "$out"; fi
done <"$T_TMP/ports"

# Closing its input ends the helper.
exec 3>&-
i=0
while kill -0 "$HPID" 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
if kill -0 "$HPID" 2>/dev/null; then
	not_ok "the helper exits when its input closes"
	kill "$HPID"
else
	ok "the helper exits when its input closes"
fi
wait "$HPID" 2>/dev/null

# After the helper is gone its sockets are gone from a new scan.
"$PLUMB" scan --root / --baseline "$BL" --db "$T_TMP/h.db" --format json \
	-o "$T_TMP/scan2.json" 2>/dev/null
gone=$(/usr/bin/python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
pid = int(sys.argv[2])
print(sum(1 for r in doc["results"] for l in r["evidence"].get("listening", []) if l["pid"] == pid))' "$T_TMP/scan2.json" "$HPID")
check "a scan after the helper exited lists none of its sockets" test "$gone" = 0
done_testing
