# End to end: the listening-ports check over tests/fixtures/ports-basic
# (proc/net tables and proc/<pid>/fd socket links of a workstation), one
# control per way a listener is allowed or refused.
. "$PLUMB_TOP/tests/e2e/lib.sh"

CASE="$FIX/ports-basic"
OUT="$T_TMP/ports.json"

# q EXPR: evaluates a Python expression over the scan document d, with
# res(ID) giving a control's result.
q() {
	/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
def res(i):
    return [r for r in d["results"] if r["id"] == i][0]
print(eval(sys.argv[2]))' "$OUT" "$1"
}

expect_exit 2 "a scan with refused listeners exits 2" "$PLUMB" scan \
	--root "$CASE/root" --baseline "$CASE/baseline.xml" --db "$T_TMP/h.db" \
	--format json -o "$OUT"

check "the unlisted web server and kernel socket fail the workstation rules" \
	test "$(q 'res("ports.workstation")["status"]')" = fail
check "the failure names both refused listeners" \
	test "$(q 'res("ports.workstation")["evidence"]["not_allowed"]')" = \
	"['tcp 0.0.0.0:8080 (python3)', 'udp 0.0.0.0:51820 (owner unknown)']"
check "every listener is in the evidence, sorted by protocol and port" \
	test "$(q '[(l["proto"], l["port"]) for l in res("ports.workstation")["evidence"]["listening"]]')" = \
	"[('tcp', 22), ('tcp', 22), ('tcp', 53), ('tcp', 631), ('tcp', 631), ('tcp', 8080), ('tcp', 8081), ('udp', 53), ('udp', 68), ('udp', 546), ('udp', 5353), ('udp', 5353), ('udp', 51820)]"
check "established and connected sockets are not listeners" \
	test "$(q '[l for l in res("ports.workstation")["evidence"]["listening"] if l["address"] in ("10.0.0.5", "192.168.1.20")]')" = "[]"
check "owners come from proc fd socket links" \
	test "$(q '[(l["pid"], l["process"], l["exe"]) for l in res("ports.workstation")["evidence"]["listening"] if l["port"] == 22]')" = \
	"[(612, 'sshd', '/usr/sbin/sshd'), (612, 'sshd', '/usr/sbin/sshd')]"
check "each allowed listener names the rule that allowed it" \
	test "$(q 'sorted(set(str(l["rule"]) for l in res("ports.workstation")["evidence"]["listening"]))')" = \
	"['None', 'allow_loopback', 'tcp/22', 'udp/5353', 'udp/546', 'udp/68']"
check "IPv6 listeners carry family 6 and inet_ntop addresses" \
	test "$(q 'sorted(l["address"] for l in res("ports.workstation")["evidence"]["listening"] if l["family"] == 6)')" = \
	"['::', '::', '::1', '::ffff:127.0.0.1', 'fe80::20a:5bff:a2fe:d0a0']"

check "rules by process, exe, range, scope and address allow every listener" \
	test "$(q 'res("ports.approved")["status"]')" = pass
check "the process-scoped range rule allowed the web server" \
	test "$(q '[l["rule"] for l in res("ports.approved")["evidence"]["listening"] if l["port"] == 8080]')" = \
	"['tcp/8000-8100@any:python3']"

check "allow_loopback=false makes unlisted loopback listeners fail" \
	test "$(q 'res("ports.no-loopback")["evidence"]["not_allowed"]')" = \
	"['tcp 127.0.0.53:53 (systemd-resolve)', 'tcp [::ffff:127.0.0.1]:8081 (python3)', 'udp 127.0.0.53:53 (systemd-resolve)']"
check "deny_any=false leaves only the link-local listener to the rules" \
	test "$(q 'res("ports.tolerate-any")["evidence"]["not_allowed"]')" = \
	"['udp [fe80::20a:5bff:a2fe:d0a0]:546 (dhclient)']"
check "a rule naming another process does not allow sshd" \
	test "$(q 'res("ports.wrong-process")["evidence"]["not_allowed"]')" = \
	"['tcp 0.0.0.0:22 (sshd)', 'tcp [::]:22 (sshd)']"
check "inodes, which change at every restart, stay out of the evidence" \
	test "$(q 'any("inode" in l for r in d["results"] for l in r["evidence"]["listening"])')" = False

# A root without /proc/net (an offline image) cannot show listeners.
expect_exit 2 "a root without /proc/net exits 2" "$PLUMB" scan \
	--root "$FIX/enc-declared/root" --baseline "$CASE/baseline.xml" \
	--db "$T_TMP/h.db" --format json -o "$OUT"
check "and every ports control is an error saying why" \
	test "$(q 'sorted(set((r["status"], "/proc/net/tcp" in r["message"]) for r in d["results"]))')" = \
	"[('error', True)]"

# A malformed allow rule is refused when the baseline loads.
sed 's|<param name="allow">tcp/22</param>|<param name="allow">tcp/22@lan</param>|' \
	"$CASE/baseline.xml" >"$T_TMP/bad.xml"
"$PLUMB" scan --root "$CASE/root" --baseline "$T_TMP/bad.xml" \
	--db "$T_TMP/h.db" --format json -o "$OUT" 2>"$T_TMP/bad.err"
st=$?
check "a baseline with a malformed allow rule is refused (exit 1)" test "$st" = 1
check "the refusal names the rule and its line" \
	grep -q 'line 9: allow rule "tcp/22@lan": scope "lan"' "$T_TMP/bad.err"
done_testing
