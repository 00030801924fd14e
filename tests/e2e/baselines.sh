# End to end: every shipped baseline (baselines/ID/VERSION.xml) lints, is
# found by its id, and maps every control to the frameworks that have a
# mapping for its family, with identifiers from plumb's own framework lists
# (output/frameworks/*.csv) and a default owner; the endpoint profiles
# (smb-linux-*) have controls in all six families.
#
# Frameworks required per family, from the reference mapping: MFA and patch
# level map to all five; disk encryption is neither an Essential Eight
# strategy nor a Cyber Essentials requirement; open ports and malware have
# Cyber Essentials controls (firewalls, secure configuration, malware
# protection) but no Essential Eight strategy; configuration hardening maps
# to CIS, NIST and ISO everywhere (Cyber Essentials only in part).
. "$PLUMB_TOP/tests/e2e/lib.sh"

found=0
for f in "$PLUMB_TOP"/baselines/*/*.xml; do
	[ -f "$f" ] || continue
	found=$((found + 1))
	dir=$(basename "$(dirname "$f")")
	ver=$(basename "$f" .xml)
	expect_exit 0 "$dir/$ver.xml lints" "$PLUMB" baseline lint "$f"
	"$PLUMB" baseline show "$f" --format json -o "$T_TMP/b.json" 2>"$T_TMP/err" ||
	    { not_ok "$dir/$ver.xml shows as JSON" "$(cat "$T_TMP/err")"; continue; }
	out=$(/usr/bin/python3 - "$T_TMP/b.json" "$PLUMB_TOP/output/frameworks" "$dir" "$ver" <<'PY'
import csv, json, os, sys
d = json.load(open(sys.argv[1]))
fwdir, want_id, want_ver = sys.argv[2], sys.argv[3], sys.argv[4]
five = ["cis-controls-v8", "nist-800-53r5", "iso27001-2022",
        "essential-eight", "cyber-essentials"]
known = {}
for fw in five:
    with open(os.path.join(fwdir, fw + ".csv")) as fh:
        known[fw] = {row["id"] for row in csv.DictReader(fh)}
need = {
    "mfa": five, "patch": five,
    "encryption": five[:3], "config": five[:3],
    "ports": five[:3] + ["cyber-essentials"],
    "malware": five[:3] + ["cyber-essentials"],
}
problems = []
if (d["id"], d["version"]) != (want_id, want_ver):
    problems.append("file name says %s/%s but the baseline is %s %s"
                    % (want_id, want_ver, d["id"], d["version"]))
families = set()
for c in d["controls"]:
    families.add(c["family"])
    if c["owner"] not in ("internal", "msp"):
        problems.append("%s: default owner %r is neither internal nor msp"
                        % (c["id"], c["owner"]))
    have = {r["framework"] for r in c["refs"]}
    for fw in need[c["family"]]:
        if fw not in have:
            problems.append("%s (%s): no %s reference" % (c["id"], c["family"], fw))
    for r in c["refs"]:
        if r["framework"] not in known:
            problems.append("%s: unknown framework %s" % (c["id"], r["framework"]))
        elif r["id"] not in known[r["framework"]]:
            problems.append("%s: %s %s is not in output/frameworks/%s.csv"
                            % (c["id"], r["framework"], r["id"], r["framework"]))
# The endpoint profiles cover every family; a single-purpose baseline
# (smb-identity: the IdP tenant) need not.
missing = set(need) - families
if want_id.startswith("smb-linux-") and missing:
    problems.append("families without a control: " + ", ".join(sorted(missing)))
print("\n".join(problems) if problems else "ok %d" % len(d["controls"]))
PY
)
	case $out in
	ok*) ok "$dir/$ver.xml: every one of its ${out#ok } controls has an owner and refs for its family's frameworks (and an endpoint profile all six families)" ;;
	*) not_ok "$dir/$ver.xml: owners, framework refs and families" "$out" ;;
	esac
	expect_exit 0 "$dir is found by its id" "$PLUMB" baseline show "$dir"
done
check "the workstation and server baselines are shipped" \
    test -f "$PLUMB_TOP/baselines/smb-linux-workstation/1.0.0.xml" -a \
    -f "$PLUMB_TOP/baselines/smb-linux-server/1.0.0.xml"
echo "# $found shipped baselines"

# The server profile's own promises, read back through the loader.
"$PLUMB" baseline show smb-linux-server --format json -o "$T_TMP/s.json"
srv() {	# DESCRIPTION EXPR: EXPR over the server baseline's controls C(id)
	got=$(/usr/bin/python3 - "$T_TMP/s.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def C(i):
    return next(c for c in d["controls"] if c["id"] == i)
def P(i, t):
    return sorted((p["name"], p["value"]) for k in C(i)["checks"] if k["type"] == t
                  for p in k.get("params", []))
print(eval(sys.argv[2]))
PY
)
	if [ "$got" = True ]; then ok "$1"; else not_ok "$1" "$2: $got"; fi
}
srv "server: only sshd on tcp/22 (and the DHCP client) may listen on the network" \
    'P("ports.listening", "listening-ports") == [("allow", "tcp/22:sshd"), ("allow", "udp/68:dhclient")]'
srv "server: fixes within 14 days, security fixes within 48 hours" \
    'P("patch.window", "patch-pending") == [("critical_window_hours", "48"), ("window_days", "14")]'
srv "server: SSH needs a second factor, at critical severity" \
    '[k["type"] for k in C("mfa.ssh-second-factor")["checks"]] == ["sshd-mfa"] and C("mfa.ssh-second-factor")["severity"] == "critical"'
srv "server: data filesystems and swap must be encrypted" \
    '("mount", "/srv") in P("encryption.data-mounts", "disk-encryption") and ("include_swap", "true") in P("encryption.data-mounts", "disk-encryption")'
srv "server: auditd installed and enabled" \
    'sorted(k["type"] for k in C("config.auditd")["checks"]) == ["package", "systemd-unit"]'

done_testing
