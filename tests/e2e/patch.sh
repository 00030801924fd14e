# End to end: the patch family over fixture roots.
#
# Pending updates are compared with apt itself (`apt list --upgradable`
# confined to the fixture root), the installed count with dpkg-query
# --admindir, and the lists are re-compressed in every form apt stores
# (plain, .gz, .xz, .lz4) to show the answer does not depend on it.  File
# times are set here, never taken from the checkout; first-seen dates are
# made by scanning in the past with faketime and again now into one history.
. "$PLUMB_TOP/tests/e2e/lib.sh"
export TZ=UTC
NOW=$(date +%s)
DAY=86400

# A private copy of a fixture root, with every file dated two days ago.
copy_root() {	# FIXTURE DEST
	rm -rf "$2"
	mkdir -p "$2"
	cp -a "$FIX/$1/root/." "$2/"
	find "$2" -exec touch -h -d "@$((NOW - 2 * DAY))" {} +
}
# scan ROOT BASELINE OUT [DB]: a JSON scan; exit status in $SCAN_ST.
scan() {
	"$PLUMB" scan --root "$1" --baseline "$2" --db "${4:-$T_TMP/scratch.db}" \
	    --format json -o "$3" 2>"$T_TMP/scan.err"
	SCAN_ST=$?
}
# q FILE EXPR: a Python expression over the scan document d; R(id) is the
# result of control id, E(id) its evidence.
q() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def R(i):
    return next(r for r in d["results"] if r["id"] == i)
def E(i):
    return R(i)["evidence"]
def pend(i):
    return sorted((p["package"], p["installed"], p["candidate"], p["security"])
                  for p in E(i)["pending"])
print(eval(sys.argv[2]))
PY
}
# is FILE EXPR WANT DESCRIPTION
is() {
	got=$(q "$1" "$2" 2>&1)
	if [ "$got" = "$3" ]; then ok "$4"; else
		not_ok "$4" "$2: got [$got], want [$3]"; fi
}

# apt_oracle ROOT: apt's own `apt list --upgradable` over ROOT, as sorted
# Python tuples (package, installed, candidate, security).  The apt
# configuration names only the root, so the host's own apt.conf.d is not read.
apt_oracle() {
	mkdir -p "$T_TMP/aptcache/archives/partial" "$T_TMP/aptlog"
	cat >"$T_TMP/apt.conf" <<EOF
Dir "$1/";
Dir::State::status "$1/var/lib/dpkg/status";
Dir::Cache "$T_TMP/aptcache/";
Dir::Log "$T_TMP/aptlog/";
Debug::NoLocking "true";
EOF
	APT_CONFIG="$T_TMP/apt.conf" apt list --upgradable 2>/dev/null |
	    /usr/bin/python3 -c '
import re, sys
out = []
for line in sys.stdin:
    m = re.match(r"^(\S+?)/(\S+) (\S+) (\S+) \[upgradable from: (\S+)\]", line)
    if m:
        suites = m.group(2).split(",")
        out.append((m.group(1), m.group(5), m.group(3),
                    any(s.endswith("-security") for s in suites)))
print(sorted(out))'
}

PEND="$T_TMP/pending"
copy_root patch-pending "$PEND"
BLP="$FIX/patch-pending/baseline.xml"
BLC="$FIX/patch-current/baseline.xml"

# --- pending updates, against apt ----------------------------------------
scan "$PEND" "$BLP" "$T_TMP/p.json"
check "a host behind on updates exits 2" test "$SCAN_ST" -eq 2
WANT="[('cockpit', '287-1~bpo12+1', '300-1~bpo12+1', False), ('libc6', '2.36-9+deb12u7', '2.36-9+deb12u10', False), ('libssl3', '3.0.15-1~deb12u1', '3.0.17-1~deb12u2', True), ('openssl', '3.0.15-1~deb12u1', '3.0.17-1~deb12u2', True), ('tzdata', '2024a-0+deb12u1', '2025b-0+deb12u1', False), ('vim', '2:9.0.1378-2', '2:9.0.1378-2+deb12u2', False)]"
is "$T_TMP/p.json" 'pend("patch.window")' "$WANT" \
    "pending = {package, installed, candidate, security} as reviewed by hand"
if command -v apt >/dev/null 2>&1; then
	ORACLE=$(apt_oracle "$PEND")
	is "$T_TMP/p.json" 'pend("patch.window")' "$ORACLE" \
	    "pending equals apt list --upgradable over the same root"
else
	echo "# apt is not installed: the apt oracle comparison is left out"
fi
is "$T_TMP/p.json" '[p["package"] for p in E("patch.window")["pending"] if p["security"]]' \
    "['libssl3', 'openssl']" "security is true exactly for candidates from a -security suite"
is "$T_TMP/p.json" 'sorted(set(p["suite"] for p in E("patch.window")["pending"] if p["security"]))' \
    "['stable-security']" "a security candidate names its -security suite"
is "$T_TMP/p.json" '[p["package"] for p in E("patch.window")["pending"] if p["package"] in ("oldpkg", "broken-pkg", "gone", "libtrap", "curl", "golang-1.19-go")]' \
    "[]" "config-files, half-configured and purged packages, epoch-newer installs, older ~rc security builds and low-priority backports are not pending"
is "$T_TMP/p.json" '[p["package"] for p in E("patch.window")["pending"] if p.get("hold")]' \
    "['vim']" "a held package is pending and marked as held"
INST=$(dpkg-query --admindir="$PEND/var/lib/dpkg" -W -f='${Status}\n' 2>/dev/null | grep -c ' installed$')
is "$T_TMP/p.json" 'E("patch.window")["installed_count"]' "$INST" \
    "installed_count counts only installed packages, as dpkg-query --admindir does ($INST)"
is "$T_TMP/p.json" 'R("patch.security-pending")["status"]' "fail" \
    "security_only with no window fails on any pending security fix"
is "$T_TMP/p.json" 'E("patch.security-pending")["selected_count"]' "2" \
    "security_only selects the two security fixes"
is "$T_TMP/p.json" 'R("patch.max-pending")["status"]' "fail" "six pending is more than max_pending 3"
is "$T_TMP/p.json" 'R("config.openssl-min")["status"]' "fail" "package min_version fails on the older openssl"
is "$T_TMP/p.json" 'R("config.oldpkg-absent")["status"]' "pass" "a config-files remnant is not installed"

scan "$FIX/patch-current/root" "$BLC" "$T_TMP/c.json"
check "an up-to-date host exits 0" test "$SCAN_ST" -eq 0
is "$T_TMP/c.json" 'sorted(set(r["status"] for r in d["results"]))' "['pass']" \
    "every control of the up-to-date host passes"
is "$T_TMP/c.json" 'E("patch.window")["pending"]' "[]" "an up-to-date host has nothing pending"
if command -v apt >/dev/null 2>&1; then
	check "apt agrees nothing is pending on the up-to-date host" \
	    test "$(apt_oracle "$FIX/patch-current/root")" = "[]"
fi

# --- lists in every compressed form --------------------------------------
FORMS=""
for l in "$PEND"/var/lib/apt/lists/*_Packages*; do
	case $l in
	*.gz) FORMS="$FORMS gz" ;; *.xz) FORMS="$FORMS xz" ;;
	*.lz4) FORMS="$FORMS lz4" ;; *) FORMS="$FORMS plain" ;;
	esac
done
check "the fixture itself stores lists as plain, .gz, .xz and .lz4" \
    test "$(echo $FORMS | tr ' ' '\n' | sort -u | tr '\n' ' ')" = "gz lz4 plain xz "
# Plain copies of every list, then each form made from them by the tools.
PLAIN="$T_TMP/plain"
copy_root patch-pending "$PLAIN"
for l in "$PLAIN"/var/lib/apt/lists/*_Packages*; do
	case $l in
	*.gz) gzip -dc "$l" >"${l%.gz}" && rm "$l" ;;
	*.xz) xz -dc "$l" >"${l%.xz}" && rm "$l" ;;
	*.lz4) lz4 -dcq "$l" >"${l%.lz4}" && rm "$l" ;;
	esac
done
for form in plain gz xz lz4; do
	R="$T_TMP/form-$form"
	rm -rf "$R"
	cp -a "$PLAIN" "$R"
	for l in "$R"/var/lib/apt/lists/*_Packages; do
		case $form in
		gz) gzip -9n "$l" ;;
		xz) xz "$l" ;;
		lz4) lz4 -qm --rm "$l" ;;
		esac
	done
	n=$(ls "$R"/var/lib/apt/lists/ | grep -c "_Packages")
	scan "$R" "$BLP" "$T_TMP/f-$form.json"
	is "$T_TMP/f-$form.json" 'pend("patch.window")' "$WANT" \
	    "all $n lists as $form: the same pending set"
	is "$T_TMP/f-$form.json" 'E("patch.window")["lists"]' "5" "all $n lists as $form are read"
done
# A list cut short must make the answer unknown, never "nothing pending".
BAD="$T_TMP/bad-xz"
rm -rf "$BAD"
cp -a "$T_TMP/form-xz" "$BAD"
for l in "$BAD"/var/lib/apt/lists/*bookworm_main*_Packages.xz; do
	head -c 60 "$l" >"$l.cut" && mv "$l.cut" "$l"
done
scan "$BAD" "$BLP" "$T_TMP/bad.json"
is "$T_TMP/bad.json" 'R("patch.window")["status"]' "error" "a truncated .xz list makes patch-pending error"
is "$T_TMP/bad.json" '"bookworm_main_binary-amd64_Packages.xz" in R("patch.window")["message"]' "True" \
    "the error names the list that could not be read"
printf 'garbage, not lz4' >"$BAD/var/lib/apt/lists/mirror.example.org_debian_dists_bookworm_main_binary-amd64_Packages.xz"
mv "$BAD/var/lib/apt/lists/mirror.example.org_debian_dists_bookworm_main_binary-amd64_Packages.xz" \
   "$BAD/var/lib/apt/lists/mirror.example.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4"
scan "$BAD" "$BLP" "$T_TMP/bad2.json"
is "$T_TMP/bad2.json" 'R("patch.window")["status"]' "error" "a .lz4 list that is not lz4 makes patch-pending error"
NOLISTS="$T_TMP/nolists"
copy_root patch-pending "$NOLISTS"
rm -f "$NOLISTS"/var/lib/apt/lists/*
scan "$NOLISTS" "$BLP" "$T_TMP/nl.json"
is "$T_TMP/nl.json" 'R("patch.window")["status"]' "error" "no lists at all: pending updates are unknown (error), not none"
is "$T_TMP/nl.json" 'R("patch.lists-fresh")["status"]' "fail" "no lists at all: the lists were never refreshed"

# --- reboot pending -------------------------------------------------------
is "$T_TMP/p.json" 'R("patch.reboot")["status"]' "fail" "run/reboot-required makes reboot-required fail"
is "$T_TMP/p.json" 'E("patch.reboot")["flag_packages"]' "['libc6', 'linux-image-6.1.0-20-amd64']" \
    "the packages asking for the reboot are listed once each, in order"
is "$T_TMP/p.json" '(E("patch.reboot")["running_kernel"], E("patch.reboot")["kernel_check"].startswith("not done: no running kernel"))' "(None, True)" \
    "an offline image (no proc) has no running kernel, and the check says it was not done"
is "$T_TMP/c.json" 'R("patch.reboot")["status"]' "pass" "no flag file: no reboot pending"
# A root with its proc (a host scanned from a container): the running
# kernel is proc/sys/kernel/osrelease, compared with the linux-image
# packages of its flavour (installed here: 6.1.0-18-amd64 and -20-amd64).
KERN="$T_TMP/kernel"
copy_root patch-pending "$KERN"
rm -f "$KERN"/run/reboot-required*
mkdir -p "$KERN/proc/sys/kernel"
echo 6.1.0-18-amd64 >"$KERN/proc/sys/kernel/osrelease"
scan "$KERN" "$BLP" "$T_TMP/k1.json"
is "$T_TMP/k1.json" '(R("patch.reboot")["status"], E("patch.reboot")["reasons"], E("patch.reboot")["newest_kernel_package"], E("patch.reboot")["running_kernel_source"])' \
    "('fail', ['running kernel 6.1.0-18-amd64 is older than installed 6.1.0-20-amd64'], 'linux-image-6.1.0-20-amd64', '/proc/sys/kernel/osrelease')" \
    "running 6.1.0-18 with 6.1.0-20 installed: reboot required, and why"
echo 6.1.0-20-amd64 >"$KERN/proc/sys/kernel/osrelease"
scan "$KERN" "$BLP" "$T_TMP/k2.json"
is "$T_TMP/k2.json" '(R("patch.reboot")["status"], E("patch.reboot")["kernel_check"])' \
    "('pass', 'done: the running kernel is the newest installed one')" "running the newest installed kernel passes"
echo 6.1.0-20-cloud-amd64 >"$KERN/proc/sys/kernel/osrelease"
scan "$KERN" "$BLP" "$T_TMP/k3.json"
is "$T_TMP/k3.json" '(R("patch.reboot")["status"], E("patch.reboot")["newest_kernel"])' "('pass', None)" \
    "another flavour (cloud-amd64) is not compared with amd64 kernels"

# --- lists age ------------------------------------------------------------
AGE="$T_TMP/age"
copy_root patch-pending "$AGE"
for f in "$AGE"/var/lib/apt/lists/*Release; do touch -d "@$((NOW - 10 * DAY))" "$f"; done
touch -d "@$((NOW - 9 * DAY))" "$AGE"/var/lib/apt/lists/mirror.example.org_debian_dists_bookworm_InRelease
scan "$AGE" "$BLP" "$T_TMP/a1.json"
is "$T_TMP/a1.json" 'R("patch.lists-fresh")["status"]' "fail" "lists refreshed 9 days ago fail max_age_days 7"
is "$T_TMP/a1.json" 'E("patch.lists-fresh")["age_days"]' "9" "the age is the newest Release file's (9 days)"
is "$T_TMP/a1.json" 'E("patch.lists-fresh")["source"]' \
    "/var/lib/apt/lists/mirror.example.org_debian_dists_bookworm_InRelease" "the evidence names the newest Release file"
mkdir -p "$AGE/var/lib/apt/periodic"
touch -d "@$((NOW - 3 * DAY))" "$AGE/var/lib/apt/periodic/update-success-stamp"
scan "$AGE" "$BLP" "$T_TMP/a2.json"
is "$T_TMP/a2.json" 'R("patch.lists-fresh")["status"]' "pass" "a 3-day-old update-success-stamp passes"
is "$T_TMP/a2.json" '(E("patch.lists-fresh")["age_days"], E("patch.lists-fresh")["source"])' \
    "(3, '/var/lib/apt/periodic/update-success-stamp')" "the stamp is newer than every Release file and wins"

# --- last upgrade (apt history, rotated history, dpkg log) ----------------
is "$T_TMP/p.json" '(E("patch.window")["last_upgrade"]["time"], E("patch.window")["last_upgrade"]["action"], E("patch.window")["last_upgrade"]["source"], E("patch.window")["last_upgrade"]["line"])' \
    "('2026-10-01T06:01:30Z', 'Upgrade', 'var/log/apt/history.log', 7)" \
    "last upgrade = End-Date of the last apt run that upgraded (a later Remove does not count)"
LOGS="$T_TMP/logs"
copy_root patch-pending "$LOGS"
printf '\nStart-Date: 2026-11-05  08:00:00\nCommandline: apt-get remove x\nRemove: x:amd64 (1)\nEnd-Date: 2026-11-05  08:00:01\n' \
    >"$LOGS/var/log/apt/history.log"
printf '\nStart-Date: 2026-11-02  09:00:00\nCommandline: apt-get dist-upgrade\nUpgrade: tzdata:all (2024a-0+deb12u1, 2025b-0+deb12u1)\nEnd-Date: 2026-11-02  09:00:40\n' |
    gzip -n >"$LOGS/var/log/apt/history.log.1.gz"
scan "$LOGS" "$BLP" "$T_TMP/l1.json"
is "$T_TMP/l1.json" '(E("patch.window")["last_upgrade"]["time"], E("patch.window")["last_upgrade"]["source"])' \
    "('2026-11-02T09:00:40Z', 'var/log/apt/history.log.1.gz')" "the rotated, compressed history is read when the current one has no upgrade"
rm -f "$LOGS"/var/log/apt/history.log*
printf '%s\n' '2026-11-07 10:00:00 startup archives unpack' \
    '2026-11-07 10:00:01 upgrade tzdata:all 2024a-0+deb12u1 2025b-0+deb12u1' \
    '2026-11-07 10:00:02 status half-configured tzdata:all 2025b-0+deb12u1' \
    '2026-11-08 11:00:00 remove oldpkg:amd64 1.0-1 <none>' >"$LOGS/var/log/dpkg.log"
scan "$LOGS" "$BLP" "$T_TMP/l2.json"
is "$T_TMP/l2.json" '(E("patch.window")["last_upgrade"]["time"], E("patch.window")["last_upgrade"]["action"], E("patch.window")["last_upgrade"]["source"], E("patch.window")["last_upgrade"]["line"])' \
    "('2026-11-07T10:00:01Z', 'upgrade', 'var/log/dpkg.log', 2)" "without apt history, dpkg.log's last upgrade line is used"
rm -f "$LOGS/var/log/dpkg.log"
scan "$LOGS" "$BLP" "$T_TMP/l3.json"
is "$T_TMP/l3.json" 'E("patch.window")["last_upgrade"]["time"]' "None" "no logs: the last upgrade is unknown (null), not invented"

# --- unattended-upgrades --------------------------------------------------
is "$T_TMP/c.json" 'R("patch.unattended")["status"]' "pass" "installed, scheduled by an enabled timer, security origins: pass"
is "$T_TMP/p.json" 'R("patch.unattended")["status"]' "fail" "the behind host does not upgrade itself"
is "$T_TMP/p.json" '[c["name"] for c in E("patch.unattended")["criteria"] if not c["ok"]]' \
    "['package', 'APT::Periodic::Unattended-Upgrade', 'schedule', 'origins']" "every unmet criterion is named"
is "$T_TMP/p.json" '[(c["file"], c["line"]) for c in E("patch.unattended")["criteria"] if c["name"] == "APT::Periodic::Unattended-Upgrade"]' \
    "[('/etc/apt/apt.conf.d/20auto-upgrades', 2)]" "the setting that disables it is named with file:line"
UU="$T_TMP/uu"
copy_root patch-current "$UU"
rm -f "$UU/etc/systemd/system/timers.target.wants/apt-daily-upgrade.timer"
ln -s /dev/null "$UU/etc/systemd/system/apt-daily-upgrade.timer"
scan "$UU" "$BLC" "$T_TMP/u1.json"
is "$T_TMP/u1.json" '(R("patch.unattended")["status"], [c["detail"] for c in E("patch.unattended")["criteria"] if not c["ok"]])' \
    "('fail', ['apt-daily-upgrade.timer is masked'])" "a masked apt-daily-upgrade.timer fails"
copy_root patch-current "$UU"
sed -i '/[Ss]ecurity/d' "$UU/etc/apt/apt.conf.d/50unattended-upgrades"
scan "$UU" "$BLC" "$T_TMP/u2.json"
is "$T_TMP/u2.json" '[c["name"] for c in E("patch.unattended")["criteria"] if not c["ok"]]' \
    "['origins']" "allowed origins without a security archive fail"
copy_root patch-current "$UU"
printf 'APT::Periodic::Enable "0";\n' >"$UU/etc/apt/apt.conf.d/99off"
scan "$UU" "$BLC" "$T_TMP/u3.json"
is "$T_TMP/u3.json" '[(c["name"], c["file"], c["line"]) for c in E("patch.unattended")["criteria"] if not c["ok"]]' \
    "[('APT::Periodic::Enable', '/etc/apt/apt.conf.d/99off', 1)]" "APT::Periodic::Enable 0 turns every periodic job off"

# --- first seen, kept by the history, judged against the window -----------
# faketime sets the clock of the first scan; a sanitizer runtime must then
# accept being loaded after libfaketime.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS
if command -v faketime >/dev/null 2>&1 &&
    [ "$(faketime -f '-20d' date +%s)" -lt $((NOW - 19 * DAY)) ]; then
	# window DAYS_AGO TAG: scan in the past, then now, into one history.
	window() {
		faketime -f "-$1" "$PLUMB" scan --root "$PEND" --baseline "$BLP" \
		    --db "$T_TMP/$2.db" --format json -o "$T_TMP/$2-1.json" 2>/dev/null
		scan "$PEND" "$BLP" "$T_TMP/$2-2.json" "$T_TMP/$2.db"
	}
	window 20d w20
	is "$T_TMP/w20-1.json" '(R("patch.window")["status"], E("patch.window")["overdue_count"])' "('pass', 0)" \
	    "first scan, 20 days ago: just seen, within the window"
	FIRST=$(q "$T_TMP/w20-1.json" 'E("patch.window")["pending"][0]["first_seen"]')
	is "$T_TMP/w20-2.json" 'sorted(set(p["first_seen"] for p in E("patch.window")["pending"]))' "['$FIRST']" \
	    "second scan, now: every first_seen comes from the first scan"
	is "$T_TMP/w20-1.json" 'd["scan"]["started"][:10]' "$(date -u -d "@$((NOW - 20 * DAY))" +%F)" \
	    "the first scan is recorded 20 days back"
	is "$T_TMP/w20-2.json" '(R("patch.window")["status"], E("patch.window")["overdue_count"], sorted(set(p["age_days"] for p in E("patch.window")["pending"])))' \
	    "('fail', 6, [20])" "20 days pending fails the 14-day window, each fix aged 20 days"
	is "$T_TMP/w20-2.json" '"6 past the 14-day window" in R("patch.window")["message"] and "2 security fixes past 48 hours" in R("patch.window")["message"]' \
	    "True" "the message counts fixes past the window and security fixes past 48 hours"
	window 3d w3
	is "$T_TMP/w3-2.json" '(R("patch.window")["status"], E("patch.window")["overdue_count"])' "('fail', 0)" \
	    "3 days pending: within 14 days, yet the security fixes are past 48 hours"
	is "$T_TMP/w3-2.json" '"2 security fixes past 48 hours" in R("patch.window")["message"]' "True" \
	    "the 48-hour failure names the security fixes"
	window 1h w1
	is "$T_TMP/w1-2.json" 'R("patch.window")["status"]' "pass" "1 hour pending: within both windows"
	# A fix that stops pending is forgotten: seen again, it starts afresh.
	faketime -f "-20d" "$PLUMB" scan --root "$FIX/patch-current/root" --baseline "$BLP" \
	    --db "$T_TMP/w20.db" --format json -o "$T_TMP/w20-3.json" 2>/dev/null
	scan "$PEND" "$BLP" "$T_TMP/w20-4.json" "$T_TMP/w20.db"
	is "$T_TMP/w20-4.json" 'R("patch.window")["status"]' "pass" \
	    "after a scan with nothing pending, pending fixes are first seen anew"
else
	echo "# faketime is not installed: the first-seen window tests are left out"
	not_ok "faketime is needed for the first-seen window tests (Debian package faketime)"
fi

# --- RPM and empty roots: nothing read is never a pass ---------------------
scan "$FIX/patch-rpm/root" "$FIX/patch-rpm/baseline.xml" "$T_TMP/rpm.json"
check "an RPM host exits 2" test "$SCAN_ST" -eq 2
is "$T_TMP/rpm.json" 'sorted(set(r["status"] for r in d["results"]))' "['error']" \
    "on an RPM host every patch and package control is error, none pass"
is "$T_TMP/rpm.json" 'all("RPM" in r["message"] and "not read" in r["message"] for r in d["results"])' \
    "True" "the message says the RPM database is not read"
mkdir -p "$T_TMP/empty"
scan "$T_TMP/empty" "$BLP" "$T_TMP/empty.json"
is "$T_TMP/empty.json" 'sorted(set(r["status"] for r in d["results"]))' "['error']" \
    "a root with no package database: every control is error"
is "$T_TMP/empty.json" 'R("patch.window")["message"]' \
    "no package database: /var/lib/dpkg/status not found (and no /var/lib/rpm)" "and says which database is missing"

# An empty InRelease (a hostile or truncated list) is that list's error, not
# a crash (found by the patch fuzz harness: the Release fields were NULL).
cp -r "$FIX/patch-pending" "$T_TMP/emptyrel"
: >"$T_TMP/emptyrel/root/var/lib/apt/lists/mirror.example.org_debian_dists_bookworm-backports_InRelease"
"$PLUMB" scan --root "$T_TMP/emptyrel/root" --baseline "$T_TMP/emptyrel/baseline.xml" \
    --db "$T_TMP/emptyrel.db" --format json -o "$T_TMP/emptyrel.json" >/dev/null 2>&1
st=$?
if [ "$st" -eq 2 ] && grep -q 'bookworm-backports_InRelease: no fields' "$T_TMP/emptyrel.json"; then
	ok "an empty InRelease is reported as that list's error, and the scan goes on"
else
	not_ok "an empty InRelease is reported as that list's error, and the scan goes on" "exit $st"
fi

done_testing
