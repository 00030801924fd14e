# End to end on this live host: what plumb's patch probe reads from / is
# what Debian's own tools say.
#
# - the pending set equals `apt list --upgradable` (package with its
#   foreign architecture, installed version, candidate, and whether the
#   candidate comes from a -security suite), read before and after the scan
#   so a list refresh in between is noticed rather than blamed on plumb;
# - installed_count equals dpkg-query's count of installed packages;
# - the reboot evidence matches /run/reboot-required and the newest
#   installed linux-image of the running kernel's flavour (ordered by
#   dpkg --compare-versions);
# - the lists' age is the newest Release file or update-success-stamp.
# Nothing here fetches anything: apt-get update is never run.
. "$PLUMB_TOP/tests/e2e/lib.sh"

if ! command -v apt >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1 ||
    [ ! -f /var/lib/dpkg/status ]; then
	echo "# not a dpkg/apt host: nothing to compare"
	ok "skipped: this host has no dpkg database and apt"
	done_testing
	exit $?
fi

BL="$T_TMP/live.xml"
cat >"$BL" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<baseline xmlns="urn:plumb:baseline:1" id="test-patch-live" version="1.0.0">
  <title>Patch family on the live host</title>
  <control id="patch.pending" family="patch" severity="high" owner="msp">
    <title>Pending updates</title>
    <rationale>Test control.</rationale>
    <check type="patch-pending">
      <param name="window_days">14</param>
      <param name="critical_window_hours">48</param>
    </check>
  </control>
  <control id="patch.reboot" family="patch" severity="medium" owner="msp">
    <title>No reboot pending</title>
    <rationale>Test control.</rationale>
    <check type="reboot-required"/>
  </control>
  <control id="patch.lists" family="patch" severity="low" owner="msp">
    <title>Lists fresh</title>
    <rationale>Test control.</rationale>
    <check type="apt-lists-fresh"/>
  </control>
</baseline>
EOF

# apt's pending set as sorted Python tuples.
apt_set() {
	apt list --upgradable 2>/dev/null | /usr/bin/python3 -c '
import re, sys
out = []
for line in sys.stdin:
    m = re.match(r"^(\S+?)/(\S+) (\S+) (\S+) \[upgradable from: (\S+)\]", line)
    if m:
        out.append((m.group(1), m.group(5), m.group(3),
                    any(s.endswith("-security") for s in m.group(2).split(","))))
print(sorted(out))'
}
NATIVE=$(dpkg --print-architecture)
# q EXPR: a Python expression over the scan; E(id) is a control's evidence.
q() {
	/usr/bin/python3 - "$T_TMP/live.json" "$NATIVE" "$1" <<'PY'
import json, os, subprocess, sys
d = json.load(open(sys.argv[1]))
native = sys.argv[2]
def R(i):
    return next(r for r in d["results"] if r["id"] == i)
def E(i):
    return R(i)["evidence"]
def name(p):
    a = p["arch"]
    return p["package"] if a in (native, "all") else p["package"] + ":" + a
def pend():
    return sorted((name(p), p["installed"], p["candidate"], p["security"])
                  for p in E("patch.pending")["pending"])
print(eval(sys.argv[3]))
PY
}

BEFORE=$(apt_set)
"$PLUMB" scan --baseline "$BL" --db "$T_TMP/h.db" --format json -o "$T_TMP/live.json" 2>"$T_TMP/err"
st=$?
AFTER=$(apt_set)
if [ "$st" -ne 0 ] && [ "$st" -ne 2 ]; then
	not_ok "plumb scan of this host ran" "exit $st: $(cat "$T_TMP/err")"
	done_testing
	exit $?
fi
ok "plumb scan of this host ran (exit $st)"
if [ "$BEFORE" != "$AFTER" ]; then
	not_ok "apt's pending set did not change during the scan (were the lists refreshed meanwhile?)" \
	    "before: $BEFORE
after: $AFTER"
fi

NLISTS=$(ls /var/lib/apt/lists/ 2>/dev/null | grep -c '_Packages')
if [ "$NLISTS" -eq 0 ]; then
	echo "# this host has no apt lists (apt-get update never ran): apt knows of no upgrade, and"
	echo "# plumb must say pending updates are unknown rather than none: both empty, compared honestly"
	check "apt list --upgradable is empty without lists" test "$BEFORE" = "[]"
	check "plumb's patch-pending is error, naming the missing lists, never pass" \
	    test "$(q '(R("patch.pending")["status"], "no apt package lists" in R("patch.pending")["message"])')" = "('error', True)"
else
	N=$(q 'len(pend())')
	if [ "$BEFORE" = "[]" ]; then
		echo "# $NLISTS apt lists, and nothing upgradable by apt: the empty sets are compared"
	else
		echo "# $NLISTS apt lists; apt lists $N upgradable packages"
	fi
	got=$(q 'pend()')
	if [ "$got" = "$BEFORE" ]; then
		ok "plumb's pending set equals apt list --upgradable (package, installed, candidate, security; $N entries)"
	else
		diff=$(/usr/bin/python3 -c '
import ast, sys
a = set(ast.literal_eval(sys.argv[1])); b = set(ast.literal_eval(sys.argv[2]))
for x in sorted(a - b)[:20]: print("plumb only:", x)
for x in sorted(b - a)[:20]: print("apt only:  ", x)' "$got" "$BEFORE")
		not_ok "plumb's pending set equals apt list --upgradable" "$diff"
	fi
	check "the evidence is not truncated" test "$(q 'E("patch.pending")["truncated"]')" = False
	check "security_count counts the pending security fixes" \
	    test "$(q 'E("patch.pending")["security_count"] == sum(1 for p in pend() if p[3])')" = True
	check "every pending entry carries package, installed, candidate, security" \
	    test "$(q 'all(set(("package", "installed", "candidate", "security")) <= set(p) for p in E("patch.pending")["pending"])')" = True
fi

INST=$(dpkg-query -W -f='${Status}\n' 2>/dev/null | grep -c ' installed$')
check "installed_count equals dpkg-query's installed packages ($INST)" \
    test "$(q 'E("patch.pending")["installed_count"]')" = "$INST"

# Reboot: the flag file and the kernel, with dpkg ordering the releases.
FLAG=False
[ -e /run/reboot-required ] && FLAG=True
check "the reboot flag file is seen exactly when it exists ($FLAG)" \
    test "$(q 'E("patch.reboot")["flag_file"] is not None')" = "$FLAG"
KREL=$(uname -r)
check "the running kernel is the one uname -r names" \
    test "$(q 'E("patch.reboot")["running_kernel"]')" = "$KREL"
NEWEST=$(dpkg-query -W -f='${Package} ${Status}\n' 'linux-image-*' 2>/dev/null |
    awk '$NF == "installed" { print $1 }' | /usr/bin/python3 -c '
import re, subprocess, sys
flav = lambda r: r.split("-", 2)[2] if r.count("-") >= 2 else ""
run = sys.argv[1]
best = None
for line in sys.stdin:
    rel = line.strip()[len("linux-image-"):]
    if not rel[:1].isdigit() or rel.endswith(("-dbg", "-dbgsym")):
        continue
    if rel.endswith("-unsigned"):
        rel = rel[:-len("-unsigned")]
    if flav(rel) != flav(run):
        continue
    if best is None or subprocess.call(["dpkg", "--compare-versions", rel, "gt", best]) == 0:
        best = rel
print(best)' "$KREL")
check "the newest installed kernel of the running flavour is dpkg's ($NEWEST)" \
    test "$(q 'E("patch.reboot")["newest_kernel"]')" = "$NEWEST"
if [ "$NEWEST" != None ]; then
	if dpkg --compare-versions "$KREL" lt "$NEWEST"; then BEHIND=True; else BEHIND=False; fi
	check "a reboot is asked for the kernel exactly when uname -r is older ($BEHIND)" \
	    test "$(q 'any(s.startswith("running kernel") for s in E("patch.reboot")["reasons"])')" = "$BEHIND"
else
	echo "# no linux-image package of the running kernel's flavour is installed (a container or a custom kernel)"
	check "and plumb says so instead of judging the kernel" \
	    test "$(q 'E("patch.reboot")["kernel_check"]')" = "done: no linux-image package of the running kernel's flavour is installed"
fi

# The lists' age: the newest Release file or update-success-stamp.
WANT=$(/usr/bin/python3 -c '
import glob, os, time
c = glob.glob("/var/lib/apt/lists/*_Release") + glob.glob("/var/lib/apt/lists/*_InRelease")
c += [p for p in ["/var/lib/apt/periodic/update-success-stamp"] if os.path.isfile(p)]
print(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(max(os.stat(p).st_mtime for p in c))) if c else None)')
check "the lists were refreshed when the newest Release file or stamp says ($WANT)" \
    test "$(q 'E("patch.lists")["newest"]')" = "$WANT"

# The shipped baselines on this host: every patch-pending control carries
# the full pending evidence, as many entries as apt lists (security ones
# alone for security_only controls).
NAPT=$(/usr/bin/python3 -c 'import ast, sys; print(len(ast.literal_eval(sys.argv[1])))' "$BEFORE")
NSEC=$(/usr/bin/python3 -c 'import ast, sys; print(sum(1 for p in ast.literal_eval(sys.argv[1]) if p[3]))' "$BEFORE")
for b in smb-linux-workstation smb-linux-server; do
	"$PLUMB" scan --baseline "$b" --db "$T_TMP/h.db" --format json -o "$T_TMP/$b.json" 2>"$T_TMP/err"
	st=$?
	if [ "$st" -ne 0 ] && [ "$st" -ne 2 ]; then
		not_ok "$b: plumb scan of this host ran" "exit $st: $(cat "$T_TMP/err")"
		continue
	fi
	got=$(/usr/bin/python3 - "$T_TMP/$b.json" "$NAPT" "$NSEC" "$NLISTS" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
napt, nsec, nlists = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
bad, n = [], 0
for r in d["results"]:
    ev = r["evidence"]
    if r["family"] != "patch" or "security_only" not in ev:
        continue
    n += 1
    if nlists == 0:
        if r["status"] != "error":
            bad.append("%s: %s without lists" % (r["id"], r["status"]))
        continue
    want = nsec if ev["security_only"] else napt
    p = ev.get("pending", [])
    if len(p) != want:
        bad.append("%s: %d pending, apt says %d" % (r["id"], len(p), want))
    for e in p:
        if not (isinstance(e.get("package"), str) and isinstance(e.get("installed"), str)
                and isinstance(e.get("candidate"), str) and isinstance(e.get("security"), bool)
                and isinstance(e.get("first_seen"), str)):
            bad.append("%s: incomplete entry %r" % (r["id"], e))
            break
print("\n".join(bad) if bad else "ok %d" % n)
PY
)
	case $got in
	"ok 0") not_ok "$b has a patch-pending control" ;;
	ok*) ok "$b on this host: ${got#ok } patch-pending control(s) with full pending evidence ({package, installed, candidate, security, first_seen}), counts as apt's" ;;
	*) not_ok "$b on this host: full pending evidence" "$got" ;;
	esac
done

done_testing
