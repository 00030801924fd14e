# Oracle: the effective sshd values plumb reports (sshd-option evidence)
# equal what OpenSSH's own `sshd -T` prints for the same configuration:
# compiled-in defaults, Include globs and nested includes in lexical order,
# first value wins, keyword aliases and case, time units, and Match blocks
# evaluated for a connection (`sshd -T -C user=...,host=...,addr=...`
# against plumb's match parameter).  Each configuration is written into a
# scratch directory with absolute Include paths, so sshd (-f, with a host
# key of its own through -h) and plumb (--root / with the config parameter)
# read the same files.  Last, this host's own /etc/ssh/sshd_config is
# compared the same way when it is readable.
. "$PLUMB_TOP/tests/e2e/lib.sh"

SSHD=${SSHD:-/usr/sbin/sshd}
if [ ! -x "$SSHD" ] || ! command -v ssh-keygen >/dev/null 2>&1; then
	ok "sshd -T oracle # SKIP sshd or ssh-keygen not installed (openssh-server, openssh-client)"
	done_testing
	exit
fi
if ! ssh-keygen -q -t ed25519 -N '' -C plumb-test -f "$T_TMP/hostkey" \
	>/dev/null 2>&1; then
	not_ok "ssh-keygen makes a host key for sshd -T"
	done_testing
	exit
fi

# sshd -T refuses to run without its privilege separation directory.  Where
# the host has none (sshd never started), run it in a private mount
# namespace with a scratch /run, so the test changes nothing on the host.
if [ -d /run/sshd ]; then
	SSHD_RUN=
elif unshare -m sh -c 'mount -t tmpfs -o size=64k plumb-run /run' \
	>/dev/null 2>&1; then
	SSHD_RUN=ns
else
	ok "sshd -T oracle # SKIP no /run/sshd and no mount namespace to make one"
	done_testing
	exit
fi

# sshd_t OUT ARGS...: runs sshd -T with ARGS, output into OUT.
sshd_t() {
	o=$1
	shift
	if [ -z "$SSHD_RUN" ]; then
		"$SSHD" -T "$@" >"$o" 2>"$o.err"
	else
		# shellcheck disable=SC2016
		unshare -m sh -c 'mount -t tmpfs -o size=64k plumb-run /run &&
			mkdir -m 755 /run/sshd && exec "$@"' sh \
			"$SSHD" -T "$@" >"$o" 2>"$o.err"
	fi
}

# The keywords compared, each with a parameter that makes sshd-option accept
# the check whatever the value (the oracle reads the evidence, not the
# status).  Multi-valued keywords (Port, AcceptEnv, ...) are not judged by
# sshd-option and are left out.
KEYS='AuthenticationMethods equals any
UsePAM equals yes
KbdInteractiveAuthentication equals yes
PasswordAuthentication equals yes
PermitRootLogin equals no
PubkeyAuthentication equals yes
PermitEmptyPasswords equals no
HostbasedAuthentication equals no
GSSAPIAuthentication equals no
KerberosAuthentication equals no
PubkeyAuthOptions equals none
X11Forwarding equals no
AllowTcpForwarding equals yes
AllowAgentForwarding equals yes
PermitTunnel equals no
PermitTTY equals yes
DisableForwarding equals no
IgnoreRhosts equals yes
LogLevel equals INFO
Banner equals none
ForceCommand equals none
ChrootDirectory equals none
PermitUserEnvironment equals no
UseDNS equals no
StrictModes equals yes
PrintMotd equals yes
MaxAuthTries min 0
MaxSessions min 0
LoginGraceTime min 0
ClientAliveInterval min 0
ClientAliveCountMax min 0'

# baseline FILE CONFIG [MATCH]: one sshd-option control per keyword.
baseline() {
	{
		printf '%s\n' '<?xml version="1.0" encoding="UTF-8"?>' \
			'<baseline xmlns="urn:plumb:baseline:1" id="test-sshd-oracle" version="1.0.0">' \
			'  <title>Effective sshd values for the sshd -T oracle</title>'
		printf '%s\n' "$KEYS" | while read -r key op val; do
			printf '  <control id="o.%s" family="config" severity="info" owner="internal">\n' \
				"$(echo "$key" | tr 'A-Z' 'a-z')"
			printf '    <title>%s</title><rationale>oracle</rationale>\n' "$key"
			printf '    <check type="sshd-option">\n'
			printf '      <param name="key">%s</param>\n' "$key"
			printf '      <param name="%s">%s</param>\n' "$op" "$val"
			printf '      <param name="config">%s</param>\n' "$2"
			[ -n "${3:-}" ] &&
				printf '      <param name="match">%s</param>\n' "$3"
			printf '    </check>\n  </control>\n'
		done
		printf '</baseline>\n'
	} >"$1"
}

# compare NAME CONFIG [CONN] [HOSTKEY]: plumb's values for CONFIG (and
# connection CONN) against sshd -T's; one TAP line.
compare() {
	name=$1 cfg=$2 conn=${3:-} hk=${4:-$T_TMP/hostkey}
	baseline "$T_TMP/bl.xml" "$cfg" "$conn"
	if [ -n "$conn" ]; then
		sshd_t "$T_TMP/sshd.out" -f "$cfg" -h "$hk" -C "$conn"
	else
		sshd_t "$T_TMP/sshd.out" -f "$cfg" -h "$hk"
	fi
	st=$?
	if [ $st -ne 0 ]; then
		not_ok "$name: sshd -T accepts the configuration" \
			"$(cat "$T_TMP/sshd.out.err")"
		return
	fi
	rm -f "$T_TMP/scan.json"
	"$PLUMB" scan --root / --baseline "$T_TMP/bl.xml" --db "$T_TMP/o.db" \
		--format json -o "$T_TMP/scan.json" >"$T_TMP/scan.err" 2>&1
	st=$?
	if [ $st -gt 2 ] || [ ! -s "$T_TMP/scan.json" ]; then
		not_ok "$name: plumb scans the configuration" \
			"exit $st: $(cat "$T_TMP/scan.err")"
		return
	fi
	diffs=$(/usr/bin/python3 - "$T_TMP/scan.json" "$T_TMP/sshd.out" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
sshd = {}
for line in open(sys.argv[2]):
    k, _, v = line.rstrip("\n").partition(" ")
    sshd[k] = v
# sshd -T prints the first name its table gives the value; plumb names
# PermitRootLogin's without-password by its current spelling (sshd_config.h).
alias = {("permitrootlogin", "without-password"): "prohibit-password"}
bad = []
for r in doc["results"]:
    ev = r["evidence"]
    k = ev.get("key")
    if r["status"] not in ("pass", "fail"):
        bad.append("%s: %s %s" % (r["id"], r["status"], r["message"]))
        continue
    want = sshd.get(k)
    want = alias.get((k, want), want)
    if want is None:
        bad.append("%s: sshd -T does not print it" % k)
    elif ev["value"] != want:
        where = "default" if ev["default"] else "%s:%s" % (ev["file"], ev["line"])
        bad.append("%s: plumb %r (%s), sshd -T %r" % (k, ev["value"], where, want))
if len(doc["results"]) < 20:
    bad.append("only %d keywords compared" % len(doc["results"]))
print("\n".join(bad))
PY
)
	if [ -z "$diffs" ]; then ok "$name: plumb's effective values equal sshd -T"
	else not_ok "$name: plumb's effective values equal sshd -T" "$diffs"; fi
}

D="$T_TMP/etc"
mkdir -p "$D/main.d" "$D/nested" "$D/match.d"

# 1. nothing set: the compiled-in defaults of Debian's sshd
printf '# only a comment\n' >"$D/empty.conf"
compare "defaults" "$D/empty.conf"

# 2. Debian's layout: drop-ins first, the first drop-in wins, lexical order
#    ("10-" sorts before "9-"), and the main file loses to them
cat >"$D/debian.conf" <<EOF
Include $D/main.d/*.conf
KbdInteractiveAuthentication no
UsePAM yes
X11Forwarding yes
PrintMotd no
PasswordAuthentication no
AcceptEnv LANG LC_*
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
printf 'PasswordAuthentication yes\nPermitRootLogin without-password\n' \
	>"$D/main.d/10-cloud.conf"
printf 'PasswordAuthentication no\nX11Forwarding no\nMaxAuthTries 2\n' \
	>"$D/main.d/9-hardening.conf"
printf 'MaxAuthTries 9\n' >"$D/main.d/ignored.conf.bak"
compare "debian drop-ins" "$D/debian.conf"

# 3. several patterns on one Include, a nested Include, aliases, keyword
#    case, key=value, time units, a second value that loses
cat >"$D/syntax.conf" <<EOF
Include $D/nested/b-*.conf $D/nested/a-*.conf
CHALLENGERESPONSEAUTHENTICATION yes
KbdInteractiveAuthentication no
pubkeyauthentication=no
LoginGraceTime 1m30s
ClientAliveInterval 5m
ClientAliveInterval 10
ClientAliveCountMax 0
PermitTunnel point-to-point
LogLevel verbose
AllowTcpForwarding local
UseDNS yes
Banner /etc/issue.net
EOF
printf 'Include %s/nested/inner.conf\nPermitRootLogin forced-commands-only\n' \
	"$D" >"$D/nested/b-outer.conf"
printf 'MaxSessions 4\nPermitRootLogin yes\n' >"$D/nested/inner.conf"
printf 'MaxSessions 7\nAuthenticationMethods password,keyboard-interactive:pam keyboard-interactive\n' \
	>"$D/nested/a-late.conf"
compare "include patterns and syntax" "$D/syntax.conf"

# 4. Match blocks: globally, and for connections that select each block
cat >"$D/match.conf" <<EOF
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication no
AuthenticationMethods publickey,keyboard-interactive
PermitRootLogin no

Match User deploy,backup
	Include $D/match.d/*.conf
	X11Forwarding yes
Match Address 10.0.0.0/8,!10.9.0.0/16
	PasswordAuthentication yes
	AuthenticationMethods password,keyboard-interactive
	AuthenticationMethods publickey
Match Host *.example.org User !alice,*
	PermitRootLogin prohibit-password
	MaxAuthTries 3
Match all
	MaxSessions 2
EOF
printf 'AuthenticationMethods publickey\nAllowTcpForwarding no\n' \
	>"$D/match.d/10-robots.conf"
compare "match: global values" "$D/match.conf"
compare "match: user deploy from 10/8" "$D/match.conf" \
	"user=deploy,host=ci.example.com,addr=10.1.2.3"
compare "match: user alice, excluded address" "$D/match.conf" \
	"user=alice,host=ws.example.org,addr=10.9.1.1"
compare "match: root, host pattern" "$D/match.conf" \
	"user=root,host=adm.example.org,addr=192.0.2.6"
# Two blocks one connection matches apply together (sshd-mfa judges such
# combinations): the fixture's alice from the office network.
compare "match: two blocks together" \
	"$FIX/mfa-ssh-methods/root/etc/ssh/cases/combo.conf" \
	"user=alice,host=ws9.example.org,addr=198.51.100.7"

# sshd -T refuses Match LocalPort unless the connection gives lport, so
# this block has a file of its own, compared for two connections
cat >"$D/lport.conf" <<EOF
PermitRootLogin no
Match LocalPort 2222 LocalAddress 192.0.2.1
	PermitRootLogin yes
	Banner none
	ForceCommand /usr/bin/true
Match LocalPort 22
	Banner /etc/issue.net
EOF
compare "match: local port and address" "$D/lport.conf" \
	"user=root,host=adm.example.org,addr=192.0.2.6,laddr=192.0.2.1,lport=2222"
compare "match: another local port" "$D/lport.conf" \
	"user=root,host=adm.example.org,addr=192.0.2.6,laddr=192.0.2.1,lport=22"

# 5. configurations sshd refuses are errors for plumb, and the near misses
#    it accepts are not.  (Unknown keywords are the one deliberate
#    difference: plumb lists them and goes on, as a newer sshd may know them.)
# agree NAME ACCEPTS CONTENT: CONTENT (printf format) as a config; ACCEPTS
# is 1 when sshd -T must accept it.
agree() {
	cfg="$D/agree-$1.conf"
	# shellcheck disable=SC2059
	printf "$3" >"$cfg"
	sshd_t "$T_TMP/sshd.out" -f "$cfg" -h "$T_TMP/hostkey"
	s_ok=$([ $? -eq 0 ] && echo 1 || echo 0)
	printf '%s\n' '<?xml version="1.0" encoding="UTF-8"?>' \
		'<baseline xmlns="urn:plumb:baseline:1" id="test-sshd-agree" version="1.0.0">' \
		'  <title>t</title><control id="o.x" family="config" severity="info" owner="internal">' \
		'  <title>t</title><rationale>t</rationale><check type="sshd-option">' \
		'  <param name="key">MaxAuthTries</param><param name="min">0</param>' \
		"  <param name=\"config\">$cfg</param></check></control></baseline>" \
		>"$T_TMP/agree.xml"
	"$PLUMB" scan --root / --baseline "$T_TMP/agree.xml" --db "$T_TMP/a.db" \
		--format json -o "$T_TMP/agree.json" >/dev/null 2>&1
	p_st=$(/usr/bin/python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["results"][0]["status"])' "$T_TMP/agree.json" 2>&1)
	p_ok=$([ "$p_st" != error ] && echo 1 || echo 0)
	if [ "$s_ok" = "$2" ] && [ "$p_ok" = "$2" ]; then
		ok "$1: sshd and plumb both $([ "$2" = 1 ] && echo accept || echo refuse) it"
	else
		not_ok "$1: sshd and plumb agree" "want accept=$2; sshd accept=$s_ok ($(cat "$T_TMP/sshd.out.err")); plumb status $p_st"
	fi
}
agree "any with another list" 0 'AuthenticationMethods any publickey\n'
agree "a flag that is not yes or no" 0 'PasswordAuthentication maybe\n'
agree "an unknown Match attribute" 0 'Match Colour blue\n\tPasswordAuthentication no\n'
agree "a global-only keyword in Match" 0 'Match User bob\n\tPort 2222\n'
agree "a bad number" 0 'MaxAuthTries lots\n'
agree "a bad time" 0 'LoginGraceTime 5x\n'
agree "no method list can be completed" 0 \
	'PubkeyAuthentication no\nAuthenticationMethods publickey\n'
agree "Match all disables the only method" 0 \
	'AuthenticationMethods publickey\nMatch all\n\tPubkeyAuthentication no\n'
agree "one list of two can be completed" 1 \
	'PubkeyAuthentication no\nAuthenticationMethods publickey password\n'
agree "an unsatisfiable list inside Match" 1 \
	'PubkeyAuthentication no\nMatch User x\n\tAuthenticationMethods publickey\n'
agree "an Include that matches nothing" 1 \
	"Include $D/nothing/*.conf\nMaxAuthTries 3\n"

# 6. this host's own configuration, when sshd is configured and readable
if [ -r /etc/ssh/sshd_config ]; then
	compare "this host's sshd_config" /etc/ssh/sshd_config
else
	ok "this host's sshd_config # SKIP /etc/ssh/sshd_config is not readable"
fi

done_testing
