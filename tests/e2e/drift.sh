# End to end: drift between scans, routed to the party that owns each
# control.  Two loopback webhook receivers (internal, msp) and a loopback
# SMTP sink stand in for the parties; a copy of the config-pass root is
# broken and repaired between scans.
. "$PLUMB_TOP/tests/e2e/lib.sh"
SINK="$PLUMB_TOP/tests/helpers/sink.py"
ROOT="$T_TMP/root"
DB="$T_TMP/h.db"
BL="$T_TMP/baseline.xml"
OWN="$T_TMP/owners.xml"
cp -R "$FIX/config-pass/root" "$ROOT"
cp "$FIX/scan-basic/baseline.xml" "$BL"
PIDS=""
[ -n "${KEEP:-}" ] && echo "# keeping $T_TMP"
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; [ -n "${KEEP:-}" ] || rm -rf "$T_TMP"' EXIT

# start_sink NAME KIND [PORT]: starts a receiver in the background, logging
# to $T_TMP/NAME.log, and waits (at most 30 s) for its port in
# $T_TMP/NAME.port.  Not in $(...): that would wait for the receiver to end.
start_sink() {
	rm -f "$T_TMP/$1.port"
	python3 "$SINK" "$2" --port-file "$T_TMP/$1.port" --log "$T_TMP/$1.log" \
		--port "${3:-0}" --lifetime 300 </dev/null >/dev/null 2>&1 &
	eval "PID_$1=$!"
	PIDS="$PIDS $!"
	i=0
	while [ ! -s "$T_TMP/$1.port" ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
stop_sink() {
	eval "kill \$PID_$1; wait \$PID_$1" 2>/dev/null
}
# py FILE EXPR: evaluates EXPR over d = the JSON document in FILE, or over
# L = the list of JSON lines in FILE when FILE ends in .log.
py() {
	python3 -c 'import json,sys
f=sys.argv[1]
if f.endswith(".log"):
    L=[json.loads(l) for l in open(f) if l.strip()]
else:
    d=json.load(open(f))
print(eval(sys.argv[2]))' "$1" "$2"
}
# is DESCRIPTION GOT WANT
is() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi
}

start_sink internal http
start_sink msp http
start_sink smtp smtp
PI=$(cat "$T_TMP/internal.port")
PM=$(cat "$T_TMP/msp.port")
PS=$(cat "$T_TMP/smtp.port")
if [ -n "$PI" ] && [ -n "$PM" ] && [ -n "$PS" ]; then ok "loopback receivers started"
else not_ok "loopback receivers started"; fi

# internal is never on duty today (UTC), so the shared control goes to msp.
today=$(date -u +%a | tr 'A-Z' 'a-z')
case $today in mon) other=wed ;; *) other=mon ;; esac
cat >"$OWN" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<owners xmlns="urn:plumb:owners:1">
  <smtp url="smtp://127.0.0.1:$PS" from="plumb@example.org" starttls="try"/>
  <party id="internal">
    <name>Internal IT</name>
    <email>it@example.org</email>
    <webhook>http://127.0.0.1:$PI/internal</webhook>
    <coverage days="$other" from="08:00" to="09:00" tz="UTC"/>
  </party>
  <party id="msp">
    <name>MSP</name>
    <webhook>http://127.0.0.1:$PM/msp</webhook>
  </party>
  <assign control="config.aslr" party="internal"/>
  <assign control="config.no-empty-passwords" party="internal"/>
  <assign control="config.suid-dumpable" shared="internal msp"/>
  <assign family="config" party="msp"/>
  <waiver control="config.routing" approved-by="Head of IT" expires="2020-01-31">
    <reason>Router role until the move.</reason>
  </waiver>
  <sla party="internal" hours="168"/>
</owners>
EOF

scan() {	# JSON-OUT [extra args]: scan with notify, stderr to JSON-OUT.err
	o=$1
	shift
	"$PLUMB" scan --root "$ROOT" --baseline "$BL" --db "$DB" --owners "$OWN" \
		--notify --format json -o "$o" "$@" 2>"$o.err"
}
lines() { grep -c . "$1" 2>/dev/null || true; }

scan "$T_TMP/s1.json"
is "first scan passes" $? 0
is "first scan has no drift to send" "$(lines "$T_TMP/internal.log")$(lines "$T_TMP/msp.log")$(lines "$T_TMP/smtp.log")" "000"

# internal's control regresses.
echo 0 >"$ROOT/proc/sys/kernel/randomize_va_space"
scan "$T_TMP/s2.json"
is "a regression exits 2" $? 2
is "the scan records config.aslr as regressed, owned by internal" \
	"$(py "$T_TMP/s2.json" '[(e["control"],e["kind"],e["owner"],e["from"],e["to"]) for e in d["drift"]["events"]]')" \
	"[('config.aslr', 'regressed', 'internal', 'pass', 'fail')]"
is "internal's receiver got one message" "$(lines "$T_TMP/internal.log")" 1
is "msp's receiver got nothing" "$(lines "$T_TMP/msp.log")" 0
is "the message holds internal's event only" \
	"$(py "$T_TMP/internal.log" '[(L[0]["body"]["schema"],L[0]["body"]["party"],[e["control"] for e in L[0]["body"]["events"]])]')" \
	"[('plumb.notify/1', 'internal', ['config.aslr'])]"
check "the message has a Slack/Teams text naming the control" \
	py "$T_TMP/internal.log" 'exit(0 if "config.aslr" in L[0]["body"]["text"] else 1)'
is "the idempotency key is scan id/party/channel" \
	"$(py "$T_TMP/internal.log" 'L[0]["idempotency_key"]')" \
	"$(py "$T_TMP/s2.json" 'd["scan"]["id"]')/internal/webhook"
is "one mail went to internal's address" \
	"$(py "$T_TMP/smtp.log" '[(m["from"],m["to"]) for m in L]')" \
	"[('plumb@example.org', ['it@example.org'])]"
check "the mail body names the control" \
	py "$T_TMP/smtp.log" 'exit(0 if "regressed config.aslr" in L[0]["data"].split("\r\n\r\n",1)[1] else 1)'

"$PLUMB" diff --db "$DB" --format json -o "$T_TMP/diff.json"
is "plumb diff --format json has the plumb.diff/1 shape" \
	"$(py "$T_TMP/diff.json" '(d["schema"], sorted(d.keys()), sorted(d["events"][0].keys()))')" \
	"('plumb.diff/1', ['baseline_changed', 'events', 'from', 'schema', 'to'], ['baseline_changed', 'control', 'evidence_changes', 'family', 'from', 'kind', 'owner', 'severity', 'title', 'to'])"

# Nothing changed: nothing new, nothing twice.
scan "$T_TMP/s3.json"
is "an unchanged rerun records no drift" "$(py "$T_TMP/s3.json" 'len(d["drift"]["events"])')" 0
is "an unchanged rerun sends nothing again" "$(lines "$T_TMP/internal.log")$(lines "$T_TMP/smtp.log")" "11"

# The shared control, outside internal's hours, goes to msp.
echo 1 >"$ROOT/proc/sys/fs/suid_dumpable"
scan "$T_TMP/s4.json"
is "the shared control went to msp's receiver only" \
	"$(lines "$T_TMP/internal.log") $(py "$T_TMP/msp.log" '[(m["body"]["party"],[e["control"] for e in m["body"]["events"]]) for m in L]')" \
	"1 [('msp', ['config.suid-dumpable'])]"

# internal's receiver is down: the scan still succeeds and the message waits.
stop_sink internal
sed -i 's/^alice:[^:]*:/alice::/' "$ROOT/etc/shadow"
scan "$T_TMP/s5.json"
is "a failed delivery does not change the exit status" $? 2
check "a failed delivery is a warning naming the receiver" \
	grep -q "warning: webhook to http://127.0.0.1:$PI/internal not delivered" "$T_TMP/s5.json.err"
check "the scan was stored regardless" test "$(py "$T_TMP/s5.json" 'd["scan"]["seq"]')" = 5
start_sink internal http "$PI"
scan "$T_TMP/s6.json"
is "the queued message is delivered by the next run" \
	"$(py "$T_TMP/internal.log" '[[e["control"] for e in m["body"]["events"]] for m in L]')" \
	"[['config.aslr'], ['config.no-empty-passwords']]"
check "it carries the scan it was about" test \
	"$(py "$T_TMP/internal.log" 'L[1]["idempotency_key"]')" = \
	"$(py "$T_TMP/s5.json" 'd["scan"]["id"]')/internal/webhook"
scan "$T_TMP/s7.json"
is "and is never sent twice" "$(lines "$T_TMP/internal.log")" 2

# Repair: resolved, and the time to remediate is reported.
echo 2 >"$ROOT/proc/sys/kernel/randomize_va_space"
scan "$T_TMP/s8.json"
is "the repair is recorded as resolved" \
	"$(py "$T_TMP/s8.json" '[(e["control"],e["kind"],e["to"]) for e in d["drift"]["events"]]')" \
	"[('config.aslr', 'resolved', 'pass')]"
is "internal hears about the repair" \
	"$(py "$T_TMP/internal.log" '[e["kind"] for e in L[-1]["body"]["events"]]')" "['resolved']"
"$PLUMB" report --owners --db "$DB" --owners-file "$OWN" --format json -o "$T_TMP/mttr.json"
is "report --owners: internal remediated one regression" \
	"$(py "$T_TMP/mttr.json" '[(p["party"],p["remediated"],p["worst_control"],type(p["mttr_seconds"]).__name__) for p in d["parties"]]')" \
	"[('internal', 1, 'config.aslr', 'int'), ('msp', 0, None, 'NoneType')]"
# A shared control counts for the party it is assigned to first (its owner
# of record), whoever was on duty when it was announced.
is "report --owners: open drift per party" \
	"$(py "$T_TMP/mttr.json" '[(p["party"],[(o["control"],o["sla_hours"],o["breached"]) for o in p["open"]]) for p in d["parties"]]')" \
	"[('internal', [('config.no-empty-passwords', 168, False), ('config.suid-dumpable', 168, False)]), ('msp', [])]"
"$PLUMB" report --owners --db "$DB" --owners-file "$OWN" >"$T_TMP/mttr.txt"
check "the text report shows the mean time to remediate" \
	grep -q "remediated: 1, mean time to remediate .* (config.aslr)" "$T_TMP/mttr.txt"
"$PLUMB" report --owners --db "$DB" --since 2999-01-01 --format json -o "$T_TMP/mttr2.json"
is "--since after the repair counts no remediation" \
	"$(py "$T_TMP/mttr2.json" 'sum(p["remediated"] for p in d["parties"])')" 0

# An expired waiver does not hold.
echo 1 >"$ROOT/proc/sys/net/ipv4/ip_forward"
scan "$T_TMP/s9.json"
is "a control under an expired waiver fails" \
	"$(py "$T_TMP/s9.json" '[(r["status"],r["waiver"]["expired"]) for r in d["results"] if r["id"]=="config.routing"]')" \
	"[('fail', True)]"
check "and says the waiver expired" \
	py "$T_TMP/s9.json" 'exit(0 if [r for r in d["results"] if r["id"]=="config.routing" and "waiver expired on 2020-01-31" in r["message"]] else 1)'

# A new baseline version: drift flagged as possibly the baseline's.
sed -e 's/version="1.0.0"/version="1.1.0"/' \
	-e 's|<param name="key">fs.suid_dumpable</param>|<param name="key">fs.suid_dumpable</param><!-- relaxed -->|' \
	-e '/fs.suid_dumpable/{n;s/<param name="equals">0</<param name="equals">1</;}' \
	"$FIX/scan-basic/baseline.xml" >"$BL"
scan "$T_TMP/s10.json"
is "a baseline version bump is flagged" \
	"$(py "$T_TMP/s10.json" '(d["drift"]["baseline_changed"], [(e["control"],e["kind"],e["baseline_changed"]) for e in d["drift"]["events"]])')" \
	"(True, [('config.suid-dumpable', 'resolved', True)])"
"$PLUMB" diff --db "$DB" --format json -o "$T_TMP/diff2.json"
is "plumb diff says the baseline changed" "$(py "$T_TMP/diff2.json" 'd["baseline_changed"]')" True
"$PLUMB" baseline diff "$FIX/scan-basic/baseline.xml" "$BL" --format json -o "$T_TMP/bdiff.json"
is "baseline diff names the changed parameter" \
	"$(py "$T_TMP/bdiff.json" '(d["old"]["version"], d["new"]["version"], d["added"], d["removed"], [(c["control"],[(x["field"],x["from"],x["to"]) for x in c["changes"]]) for c in d["changed"]])')" \
	"('1.0.0', '1.1.0', [], [], [('config.suid-dumpable', [('checks[0].params.equals', '0', '1')])])"

for p in $PIDS; do kill "$p" 2>/dev/null; done
wait 2>/dev/null
done_testing
