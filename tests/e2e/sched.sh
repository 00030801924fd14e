# End to end: `plumb scan --scheduled` is silent on stdout and writes one
# line to the system log, keeps the exit codes, reads plumb.conf, runs one
# scan at a time (the second waits or exits 1 naming the first), lowers
# itself (data limit, nice, idle I/O) and stops at its time budget with the
# scan still recorded.  The systemd units pass systemd-analyze verify.
. "$PLUMB_TOP/tests/e2e/lib.sh"
. "$PLUMB_TOP/tests/helpers/slowscan.sh"
BL="$FIX/scan-basic/baseline.xml"
PASS="$FIX/config-pass/root"
FAILR="$FIX/config-fail/root"
LOG="$T_TMP/syslog"
export PLUMB_LOG_SOCKET="$T_TMP/log.sock"
python3 "$PLUMB_TOP/tests/helpers/logsink.py" "$PLUMB_LOG_SOCKET" "$LOG" 600 &
SINK=$!
i=0
while [ ! -S "$PLUMB_LOG_SOCKET" ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
stop_sink() { kill "$SINK" 2>/dev/null; wait "$SINK" 2>/dev/null; }
trap 'stop_sink; rm -rf "$T_TMP"' EXIT

# nlog: number of log records so far; waitlog N: until there are N.
nlog() { [ -f "$LOG" ] && wc -l <"$LOG" || echo 0; }
waitlog() {
	j=0
	while [ "$(nlog)" -lt "$1" ] && [ "$j" -lt 50 ]; do sleep 0.1; j=$((j + 1)); done
}
# scans DB: how many scans the history holds.
scans() { sqlite3 "$1" 'select count(*) from scans' 2>/dev/null || echo 0; }

# --- silence, one log line, exit codes ---------------------------------
n0=$(nlog)
"$PLUMB" scan --scheduled --root "$PASS" --baseline "$BL" --db "$T_TMP/a.db" \
    >"$T_TMP/out" 2>"$T_TMP/err"
st=$?
if [ "$st" -eq 0 ] && [ ! -s "$T_TMP/out" ] && [ ! -s "$T_TMP/err" ]; then
	ok "a passing scheduled scan exits 0 with nothing on stdout or stderr"
else
	not_ok "a passing scheduled scan exits 0 with nothing on stdout or stderr" \
	    "exit $st; out: $(cat "$T_TMP/out") err: $(cat "$T_TMP/err")"
fi
waitlog $((n0 + 1))
line=$(tail -n 1 "$LOG")
if [ "$(nlog)" -eq $((n0 + 1)) ] && printf '%s\n' "$line" | grep -Eq \
    '^<30>[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} plumb\[[0-9]+\]: scan [0-9a-f-]{36} \(#1\) scan-basic 1\.0\.0: 4 controls, pass 4; drift 0; exit 0$'; then
	ok "one syslog record (daemon.info) with the summary, drift and exit status"
else
	not_ok "one syslog record (daemon.info) with the summary, drift and exit status" "$(cat "$LOG")"
fi
check "the scheduled scan is in the history" test "$(scans "$T_TMP/a.db")" -eq 1

# The failing root as the same host (machine id), so its failures drift.
cp -R "$FAILR" "$T_TMP/failroot"
cp "$PASS/etc/machine-id" "$T_TMP/failroot/etc/machine-id"
n0=$(nlog)
"$PLUMB" scan --scheduled --root "$T_TMP/failroot" --baseline "$BL" --db "$T_TMP/a.db" \
    >"$T_TMP/out" 2>"$T_TMP/err"
st=$?
waitlog $((n0 + 1))
if [ "$st" -eq 2 ] && [ ! -s "$T_TMP/out" ] &&
    tail -n 1 "$LOG" | grep -Eq 'fail [0-9]+;.* drift [1-9][0-9]*; exit 2$'; then
	ok "a failing scheduled scan exits 2, silent, its drift counted in the log"
else
	not_ok "a failing scheduled scan exits 2, silent, its drift counted in the log" \
	    "exit $st; out: $(cat "$T_TMP/out"); log: $(tail -n 1 "$LOG")"
fi
"$PLUMB" scan --scheduled --root "$PASS" --baseline "$BL" --db "$T_TMP/a.db" \
    --format json -o "$T_TMP/r.json" >"$T_TMP/out" 2>&1
st=$?
if [ "$st" -eq 0 ] && [ ! -s "$T_TMP/out" ] &&
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T_TMP/r.json"; then
	ok "-o still writes the report in scheduled mode"
else
	not_ok "-o still writes the report in scheduled mode" "exit $st"
fi

# --- plumb.conf --------------------------------------------------------
C="$T_TMP/plumb.conf"
printf '# test\nroot = %s\nbaseline = %s\ndb = %s\n' "$PASS" "$BL" \
    "$T_TMP/c.db" >"$C"
chmod 600 "$C"
expect_exit 0 "--config gives root, baseline and db" \
    "$PLUMB" scan --scheduled --config "$C"
check "the scan went to the configured history" test "$(scans "$T_TMP/c.db")" -eq 1
cat >"$T_TMP/t.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<tailoring xmlns="urn:plumb:tailoring:1" id="acme" version="1.0.0" baseline="scan-basic">
  <title>Acme</title>
  <deselect control="config.aslr">Hardened by the hypervisor.</deselect>
</tailoring>
EOF
printf 'root = %s\nbaseline = %s\ndb = %s\ntailoring = %s\n' "$FAILR" "$BL" \
    "$T_TMP/t.db" "$T_TMP/t.xml" >"$T_TMP/t.conf"
chmod 600 "$T_TMP/t.conf"
"$PLUMB" scan --scheduled --config "$T_TMP/t.conf" --format json \
    -o "$T_TMP/t.json" >/dev/null 2>&1
if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["scan"]["tailoring"]["deselected"][0]["control"] == "config.aslr"
assert "config.aslr" not in [r["id"] for r in d["results"]]
' "$T_TMP/t.json" 2>"$T_TMP/err"; then
	ok "plumb.conf's tailoring is applied and recorded in the scan"
else
	not_ok "plumb.conf's tailoring is applied and recorded in the scan" "$(cat "$T_TMP/err")"
fi
printf 'root = %s\nbaseline = %s\ndb = %s\nnice = 99\nfrobnicate = 1\n' \
    "$PASS" "$BL" "$T_TMP/bad.db" >"$C"
n0=$(nlog)
"$PLUMB" scan --scheduled --config "$C" >"$T_TMP/out" 2>"$T_TMP/err"
st=$?
waitlog $((n0 + 1))
if [ "$st" -eq 1 ] && grep -q "^$C:4: nice: '99'" "$T_TMP/err" &&
    grep -q "^$C:5: unknown key 'frobnicate'" "$T_TMP/err" &&
    [ ! -e "$T_TMP/bad.db" ] && tail -n 1 "$LOG" | grep -q '^<27>.*scan not recorded:'; then
	ok "a malformed plumb.conf: exit 1, every problem as file:line, nothing created, logged as err"
else
	not_ok "a malformed plumb.conf: exit 1, every problem as file:line, nothing created, logged as err" \
	    "exit $st; $(cat "$T_TMP/err"); log: $(tail -n 1 "$LOG")"
fi
expect_exit 1 "a missing --config file is an error" \
    "$PLUMB" scan --scheduled --config "$T_TMP/none.conf"
printf 'root = %s\nbaseline = %s\ndb = %s\n' "$PASS" "$BL" "$T_TMP/c.db" >"$C"
chmod 666 "$C"
if [ "$(id -u)" -eq 0 ]; then
	"$PLUMB" scan --scheduled --config "$C" >/dev/null 2>"$T_TMP/err"
	st=$?
	if [ "$st" -eq 1 ] && grep -q 'writable by group or others' "$T_TMP/err"; then
		ok "root refuses a plumb.conf others can write"
	else
		not_ok "root refuses a plumb.conf others can write" "exit $st: $(cat "$T_TMP/err")"
	fi
else
	ok "# SKIP not root: the ownership rule applies to root only"
fi
chmod 600 "$C"

# --- one run at a time ---------------------------------------------------
S="$T_TMP/slow"
slowscan "$S" 5
printf 'root = %s\nbaseline = %s\ndb = %s\nnice = 19\nmemory_max_mb = 512\ntime_budget_s = 0\n' \
    "$S/root" "$S/baseline.xml" "$S/h.db" >"$S/conf"
chmod 600 "$S/conf"
# waitlock: until the lock file names a running scan (at most 20 s).
waitlock() {
	j=0
	while ! [ -s "$S/h.db.lock" ] && [ "$j" -lt 200 ]; do sleep 0.1; j=$((j + 1)); done
}
"$PLUMB" scan --scheduled --config "$S/conf" >/dev/null 2>"$T_TMP/errA" &
A=$!
waitlock
check "the lock file names the running scan's pid" test "$(cat "$S/h.db.lock")" = "$A"
"$PLUMB" scan --scheduled --config "$S/conf" >"$T_TMP/out" 2>"$T_TMP/err"
st=$?
if [ "$st" -eq 1 ] && grep -q "^plumb: another plumb scan is running (pid $A)" "$T_TMP/err"; then
	ok "a second run exits 1 naming the first one's pid"
else
	not_ok "a second run exits 1 naming the first one's pid" "exit $st: $(cat "$T_TMP/err")"
fi
# The limits, read from the running scan (ASan needs its address space).
if [ -d "/proc/$A" ]; then
	lim=$(awk '/^Max data size/ {print $4}' "/proc/$A/limits")
	ni=$(awk '{print $19}' "/proc/$A/stat")
	io=$(ionice -p "$A" 2>/dev/null)
	if [ "$ni" = 19 ] && [ "$io" = idle ] &&
	    { [ -n "${SANITIZE:-}" ] || [ "$lim" = 536870912 ]; }; then
		ok "the running scan has nice 19, idle I/O and its data limit"
	else
		not_ok "the running scan has nice 19, idle I/O and its data limit" \
		    "nice $ni, ionice '$io', data limit $lim"
	fi
else
	not_ok "the running scan has nice 19, idle I/O and its data limit" "it ended too soon"
fi
wait "$A"
st=$?
check "the first run still completes (exit $st)" test "$st" -eq 0
check "and only it was recorded" test "$(scans "$S/h.db")" -eq 1

printf 'lock_wait_s = 1\n' >>"$S/conf"
"$PLUMB" scan --scheduled --config "$S/conf" >/dev/null 2>&1 &
A=$!
: >"$S/h.db.lock"
waitlock
t0=$(date +%s)
"$PLUMB" scan --scheduled --config "$S/conf" >"$T_TMP/out" 2>"$T_TMP/err"
st=$?
t1=$(date +%s)
wait "$A"
if [ "$st" -eq 1 ] && [ $((t1 - t0)) -le 15 ] &&
    grep -q "another plumb scan is running (pid $A) and did not finish in time" "$T_TMP/err"; then
	ok "with lock_wait_s = 1 the second run gives up after about a second"
else
	not_ok "with lock_wait_s = 1 the second run gives up after about a second" \
	    "exit $st after $((t1 - t0)) s: $(cat "$T_TMP/err")"
fi
sed -i 's/^lock_wait_s = 1$/lock_wait_s = 300/' "$S/conf"
"$PLUMB" scan --scheduled --config "$S/conf" >/dev/null 2>&1 &
A=$!
: >"$S/h.db.lock"
waitlock
"$PLUMB" scan --scheduled --config "$S/conf" >"$T_TMP/out" 2>"$T_TMP/err"
st=$?
wait "$A"
stA=$?
if [ "$st" -eq 0 ] && [ "$stA" -eq 0 ] && [ "$(scans "$S/h.db")" -eq 4 ]; then
	ok "with lock_wait_s the second run waits for the first, both recorded"
else
	not_ok "with lock_wait_s the second run waits for the first, both recorded" \
	    "exit $stA/$st, $(scans "$S/h.db") scans: $(cat "$T_TMP/err")"
fi
check "the chain of the serialized runs verifies" sh -c \
    "sqlite3 '$S/h.db' 'select seq, prev_hash, hash from scans order by seq' | awk -F'|' 'NR > 1 && \$2 != h {exit 1} {h = \$3}'"

"$PLUMB" scan --scheduled --config "$S/conf" >/dev/null 2>&1 &
A=$!
: >"$S/h.db.lock"
waitlock
kill -9 "$A"
wait "$A" 2>/dev/null
sed -i 's/^lock_wait_s = 300$/lock_wait_s = 0/' "$S/conf"
expect_exit 0 "a run killed with -9 leaves no lock behind" \
    "$PLUMB" scan --scheduled --config "$S/conf"

# --- yara_rules: the rules a check without its own rules uses ---------------
mkdir "$T_TMP/myrules"
printf 'rule plumb_test_aaaa { strings: $a = "aaaaaaaa" condition: $a }\n' \
    >"$T_TMP/myrules/a.yar"
sed -e 's|<param name="rules">[^<]*</param>||' -e 's|id="slow-scan"|id="own-rules"|' \
    "$S/baseline.xml" >"$T_TMP/own.xml"
printf 'root = %s\nbaseline = %s\ndb = %s\nyara_rules = %s\ntime_budget_s = 0\n' \
    "$S/root" "$T_TMP/own.xml" "$T_TMP/rules.db" "$T_TMP/myrules" >"$S/conf"
"$PLUMB" scan --scheduled --config "$S/conf" >/dev/null 2>"$T_TMP/err"
st=$?
got=$(sqlite3 "$T_TMP/rules.db" "select count(*) from results where control_id like 'malware.%' and status = 'fail' and evidence like '%plumb_test_aaaa%'" 2>&1)
if [ "$st" -eq 2 ] && [ "$got" -eq 5 ]; then
	ok "yara_rules from plumb.conf are the rules of checks that name none"
else
	not_ok "yara_rules from plumb.conf are the rules of checks that name none" \
	    "exit $st, $got matching failures: $(cat "$T_TMP/err")"
fi

# --- the time budget ---------------------------------------------------
printf 'root = %s\nbaseline = %s\ndb = %s\ntime_budget_s = 1\n' \
    "$S/root" "$S/baseline.xml" "$T_TMP/budget.db" >"$S/conf"
n0=$(nlog)
"$PLUMB" scan --scheduled --config "$S/conf" >"$T_TMP/out" 2>"$T_TMP/err"
st=$?
waitlog $((n0 + 1))
nc=$(sqlite3 "$T_TMP/budget.db" "select count(*) from results where status = 'notchecked' and message like '%time budget%'" 2>&1)
pass1=$(sqlite3 "$T_TMP/budget.db" "select status from results where control_id = 'config.aslr'" 2>&1)
# notchecked is "could not be evaluated": exit 2, as for error.
if [ "$st" -eq 2 ] && [ "$(scans "$T_TMP/budget.db")" -eq 1 ] &&
    [ "$nc" -ge 1 ] && [ "$pass1" = pass ] && tail -n 1 "$LOG" | grep -q "notchecked $nc;"; then
	ok "past the budget the rest is notchecked, the scan recorded and logged ($nc left)"
else
	not_ok "past the budget the rest is notchecked, the scan recorded and logged" \
	    "exit $st, notchecked $nc, first $pass1: $(cat "$T_TMP/err"); $(tail -n 1 "$LOG")"
fi

# --- the systemd units ---------------------------------------------------
U="$PLUMB_TOP/contrib/systemd"
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir "$T_TMP/units"
	sed "s|@BINDIR@/plumb|$PLUMB|" "$U/plumb.service" >"$T_TMP/units/plumb.service"
	cp "$U/plumb.timer" "$T_TMP/units/plumb.timer"
	if systemd-analyze verify "$T_TMP/units/plumb.service" \
	    "$T_TMP/units/plumb.timer" >"$T_TMP/out" 2>&1 && [ ! -s "$T_TMP/out" ]; then
		ok "systemd-analyze verify accepts plumb.service and plumb.timer"
	else
		not_ok "systemd-analyze verify accepts plumb.service and plumb.timer" "$(cat "$T_TMP/out")"
	fi
	# The sandbox as systemd rates it: "OK" or "SAFE", never "EXPOSED".
	lvl=$(systemd-analyze security --offline=yes "$T_TMP/units/plumb.service" 2>&1 |
	    sed -n 's/.*Overall exposure level for plumb.service: \([0-9.]*\) \([A-Z]*\).*/\1 \2/p')
	case $lvl in
	*" OK" | *" SAFE") ok "systemd-analyze security rates the sandbox $lvl" ;;
	*) not_ok "systemd-analyze security rates the sandbox OK or SAFE" "got '$lvl'" ;;
	esac
else
	ok "# SKIP systemd-analyze is not installed"
fi
for k in 'ExecStart=@BINDIR@/plumb scan --scheduled' 'SuccessExitStatus=2' \
    'Nice=19' 'IOSchedulingClass=idle' 'NoNewPrivileges=yes' \
    'ProtectSystem=strict' 'ReadWritePaths=/var/lib/plumb' 'PrivateTmp=yes' \
    'CapabilityBoundingSet=CAP_DAC_READ_SEARCH CAP_SYS_PTRACE' \
    'MemoryMax=' 'RuntimeMaxSec='; do
	check "plumb.service sets $k" grep -q "^$k" "$U/plumb.service"
done
for k in 'OnCalendar=daily' 'RandomizedDelaySec=' 'Persistent=true'; do
	check "plumb.timer sets $k" grep -q "^$k" "$U/plumb.timer"
done

done_testing
