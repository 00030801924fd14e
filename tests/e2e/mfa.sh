# End to end: the mfa family (pam-mfa, sshd-mfa, sshd-option) over the
# tests/fixtures/mfa-* roots: a PAM stack whose "sufficient" module returns
# before the second factor, an "optional" second factor, an sshd drop-in
# that wins over the main file, AuthenticationMethods lists and Match
# blocks, and a host where every path needs a second factor.
. "$PLUMB_TOP/tests/e2e/lib.sh"

OUT="$T_TMP/mfa.json"

# scan CASE EXIT: scans a fixture with its own baseline into $OUT.
scan() {
	rm -f "$OUT"
	expect_exit "$2" "$1: the scan exits $2" "$PLUMB" scan \
		--root "$FIX/$1/root" --baseline "$FIX/$1/baseline.xml" \
		--db "$T_TMP/$1.db" --format json -o "$OUT"
}
# q EXPR: a Python expression over the scan document d; res(ID) is a
# control's result, ev(ID) its evidence, svc(ID, NAME) one service of a
# pam-mfa evidence, eff(ID, KEY) "value file:line" of an effective sshd
# keyword in an sshd-mfa evidence, blk(ID, CRITERIA) one of its Match
# blocks.
q() {
	/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
def res(i):
    return [r for r in d["results"] if r["id"] == i][0]
def ev(i):
    return res(i)["evidence"]
def svc(i, n):
    return [s for s in ev(i)["services"] if s["service"] == n][0]
def where(v):
    return "%s %s:%s" % (v["value"], v["file"], v["line"])
def eff(i, k):
    return where(ev(i)["effective"][k])
def blk(i, c):
    return [b for b in ev(i)["match_blocks"] if b["match"] == c][0]
print(eval(sys.argv[2]))' "$OUT" "$1"
}
# is DESCRIPTION EXPR WANT
is() {
	got=$(q "$2" 2>&1)
	if [ "$got" = "$3" ]; then ok "$1"; else not_ok "$1" "got:  $got
want: $3"; fi
}

# -- every path needs a second factor
scan mfa-enforced 0
is "enforced: every control passes" \
	'sorted(set(r["status"] for r in d["results"]))' "['pass']"
is "enforced: sshd, login, sudo, su and the installed gdm are judged" \
	'[(s["service"], s["second_factor_module"], s["path_that_bypasses"]) for s in ev("mfa.pam-services")["services"]]' \
	"[('sshd', 'pam_google_authenticator', None), ('login', 'pam_u2f', None), ('sudo', 'pam_u2f', None), ('su', 'pam_u2f', None), ('gdm-password', 'pam_u2f', None)]"
is "enforced: su's pam_rootok is not a bypass, and says so" \
	'[n for n in svc("mfa.pam-services", "su")["notes"] if "pam_rootok" in n]' \
	"['/etc/pam.d/su:2 pam_rootok: a caller that is already root passes without authenticating; that run is not counted as skipping the second factor']"
is "enforced: a NOPASSWD rule for one command is listed, not failed; dotted and ~ files are skipped" \
	'[(k["who"], k["commands"], k["all"], k["file"], k["line"]) for k in svc("mfa.pam-services", "sudo")["sudoers_without_authentication"]]' \
	"[('backup', '/usr/bin/rsync --server *', False, '/etc/sudoers.d/backup', 2)]"
is "enforced: lightdm is not installed, so not judged" \
	'[s["service"] for s in ev("mfa.pam-services")["services"] if s["service"] == "lightdm"]' "[]"
is "enforced: the effective AuthenticationMethods with file:line" \
	'eff("mfa.ssh", "authenticationmethods")' \
	"publickey,keyboard-interactive /etc/ssh/sshd_config:4"
is "enforced: UsePAM and KbdInteractiveAuthentication with file:line" \
	'[eff("mfa.ssh", "usepam"), eff("mfa.ssh", "kbdinteractiveauthentication")]' \
	"['yes /etc/ssh/sshd_config:2', 'yes /etc/ssh/sshd_config:3']"
is "enforced: the one method list has its second factor from PAM" \
	'[(l["methods"], l["second_factor"]) for l in ev("mfa.ssh")["lists"]]' \
	"[('publickey,keyboard-interactive', 'keyboard-interactive via PAM (pam_google_authenticator)')]"
is "enforced: the Match Group block with a password list still needs key and PAM's code" \
	'(blk("mfa.ssh", "Group admins")["status"], [(l["first_factor"], l["second_factor"]) for l in blk("mfa.ssh", "Group admins")["lists"]])' \
	"('pass', [('publickey', 'keyboard-interactive via PAM (pam_google_authenticator)'), ('publickey', 'password via PAM (pam_google_authenticator)')])"
is "enforced: PAM stacks with a password and a key report both factors" \
	'[(s["service"], s["first_factor_required"], s["first_factor_module"]) for s in ev("mfa.pam-services")["services"]]' \
	"[('sshd', False, None), ('login', True, 'pam_unix'), ('sudo', True, 'pam_unix'), ('su', True, 'pam_rootok'), ('gdm-password', True, 'pam_unix')]"
is "enforced: a Match block that changes no login keyword is not judged" \
	'[b["match"] for b in ev("mfa.ssh")["match_blocks"]]' "['Group admins']"
is "enforced: PasswordAuthentication in a Match block is shown beside the global value" \
	'(ev("config.ssh-password-auth")["value"], [(m["match"], m["value"], m["line"]) for m in ev("config.ssh-password-auth")["set_in_match_blocks"]])' \
	"('no', [('Group admins', 'yes', 13)])"

# -- a "sufficient" module that returns before the second factor
scan mfa-pam-bypass 2
is "bypass: the sshd service fails" 'res("mfa.pam-sshd")["status"]' fail
is "bypass: path_that_bypasses names the sufficient pam_unix line" \
	'svc("mfa.pam-sshd", "sshd")["path_that_bypasses"]' \
	"['/etc/pam.d/sshd:2 pam_unix(success)']"
is "bypass: the module it skips is still named" \
	'svc("mfa.pam-sshd", "sshd")["second_factor_module"]' pam_google_authenticator
is "bypass: lightdm is installed and has no second factor at all" \
	'(svc("mfa.pam-services", "lightdm")["second_factor_module"], svc("mfa.pam-services", "lightdm")["path_that_bypasses"])' \
	"(None, ['/etc/pam.d/common-auth:5 pam_unix(success)', '/etc/pam.d/common-auth:9 pam_permit(success)'])"
is "bypass: services without configuration are listed as absent" \
	'[(s["service"], s["verdict"], s["second_factor_module"], s["path_that_bypasses"]) for s in ev("mfa.pam-services")["services"] if s["service"] in ("login", "su")]' \
	"[('login', 'absent', None, None), ('su', 'absent', None, None)]"
is "bypass: the pam-mfa message names the bypassable services" \
	'res("mfa.pam-services")["message"]' \
	"no second factor needed for sshd, lightdm; the second factor alone is enough (no password or other first factor) for gdm-password; not configured: login, sudo, su"
is "bypass: a passwordless gdm (pam_u2f alone) is one factor" \
	'(svc("mfa.pam-services", "gdm-password")["verdict"], svc("mfa.pam-services", "gdm-password")["path_without_first_factor"])' \
	"('enforced', ['/etc/pam.d/gdm-password:2 pam_u2f(success)'])"
is "bypass: publickey,keyboard-interactive over that stack fails" \
	'(res("mfa.ssh")["status"], ev("mfa.ssh")["lists"][0]["second_factor"], ev("mfa.ssh")["pam"]["path_that_bypasses"])' \
	"('fail', None, ['/etc/pam.d/sshd:2 pam_unix(success)'])"

# -- an "optional" second factor
scan mfa-pam-optional 2
is "optional: sshd and sudo fail, login and su are absent" \
	'[(s["service"], s["verdict"]) for s in ev("mfa.pam-services")["services"]]' \
	"[('sshd', 'bypass'), ('login', 'absent'), ('sudo', 'bypass'), ('su', 'absent')]"
is "optional: the path passes the optional module with a failure" \
	'svc("mfa.pam-sshd", "sshd")["path_that_bypasses"]' \
	"['/etc/pam.d/common-auth:5 pam_unix(success)', '/etc/pam.d/common-auth:9 pam_permit(success)', '/etc/pam.d/sshd:3 pam_google_authenticator(failure)']"
is "optional: sudo's optional pam_u2f is bypassed the same way" \
	'svc("mfa.pam-services", "sudo")["path_that_bypasses"][-1]' \
	"/etc/pam.d/sudo:4 pam_u2f(failure)"
is "optional: keyboard-interactive:pam does not count as a second factor" \
	'(res("mfa.ssh")["status"], res("mfa.ssh")["message"])' \
	"('fail', 'SSH second factor not enforced: logins with publickey,keyboard-interactive:pam need no second factor')"

# -- an Include drop-in that wins over the main file (first value wins)
scan mfa-ssh-dropin 2
is "drop-in: PasswordAuthentication comes from the first drop-in" \
	'(res("config.ssh-password-auth")["status"], ev("config.ssh-password-auth")["value"], ev("config.ssh-password-auth")["file"], ev("config.ssh-password-auth")["line"])' \
	"('fail', 'yes', '/etc/ssh/sshd_config.d/50-cloud-init.conf', 1)"
is "drop-in: a later drop-in still wins over the main file" \
	'(res("config.ssh-x11")["status"], ev("config.ssh-x11")["value"], ev("config.ssh-x11")["file"], ev("config.ssh-x11")["line"])' \
	"('fail', 'yes', '/etc/ssh/sshd_config.d/60-legacy.conf', 3)"
is "drop-in: the sshd-mfa evidence carries the drop-in's file:line" \
	'eff("mfa.ssh", "passwordauthentication")' \
	"yes /etc/ssh/sshd_config.d/50-cloud-init.conf:1"
is "drop-in: values the drop-ins do not set come from the main file" \
	'[eff("mfa.ssh", "permitrootlogin"), eff("mfa.ssh", "authenticationmethods")]' \
	"['no /etc/ssh/sshd_config:10', 'publickey,keyboard-interactive /etc/ssh/sshd_config:8']"
is "drop-in: the global method list passes, the Match User backup block fails" \
	'[(l["methods"], l["second_factor"] is not None) for l in ev("mfa.ssh")["lists"]] + [(blk("mfa.ssh", "User backup")["status"], blk("mfa.ssh", "User backup")["line"])]' \
	"[('publickey,keyboard-interactive', True), ('fail', 14)]"
is "drop-in: the sshd-mfa message names the Match block and its line" \
	'res("mfa.ssh")["message"]' \
	"SSH second factor not enforced: for Match User backup (/etc/ssh/sshd_config:14), logins with publickey need no second factor"
is "drop-in: sshd's PAM stack itself enforces the factor" \
	'res("mfa.pam-sshd")["status"]' pass

# -- sudoers rules that skip authentication, over a PAM stack with a key
scan mfa-sudo-nopasswd 2
is "sudo: NOPASSWD for every command (through an alias) fails despite pam_u2f" \
	'(res("mfa.sudo")["status"], res("mfa.sudo")["message"], svc("mfa.sudo", "sudo")["verdict"])' \
	"('fail', 'sudoers lets every command run without authentication: sudo (NOPASSWD: EVERYTHING for %wheel, /etc/sudoers.d/wheel:2)', 'enforced')"
is "sudo: every rule that skips authentication is evidence, with file:line" \
	'[(k["kind"], k["who"], k["commands"], k["all"], "%s:%d" % (k["file"], k["line"])) for k in svc("mfa.sudo", "sudo")["sudoers_without_authentication"]]' \
	"[('nopasswd', '%operators', 'PKG', False, '/etc/sudoers:11'), ('nopasswd', '%wheel', 'EVERYTHING', True, '/etc/sudoers.d/wheel:2'), ('!authenticate', 'deploy', 'ALL', True, '/etc/sudoers:3')]"

# -- AuthenticationMethods lists and Match blocks, one config per control
scan mfa-ssh-methods 2
is "methods: a list that cannot be completed does not fail the check" \
	'(res("ssh.lists-unusable")["status"], [(l["methods"], l["usable"]) for l in ev("ssh.lists-unusable")["lists"]])' \
	"('pass', [('publickey,keyboard-interactive', True), ('password', False)])"
is "methods: one list without a second factor fails" \
	'(res("ssh.lists-weak")["status"], res("ssh.lists-weak")["message"])' \
	"('fail', 'SSH second factor not enforced: logins with publickey need no second factor')"
is "methods: without AuthenticationMethods any single method is a way in" \
	'(res("ssh.any-password")["status"], sorted(l["methods"] for l in ev("ssh.any-password")["lists"] if l["usable"]))' \
	"('fail', ['password', 'publickey'])"
is "methods: a TOTP-only PAM stack behind keyboard-interactive alone is one factor" \
	'(res("ssh.pam-only")["status"], res("ssh.pam-only")["message"], ev("ssh.pam-only")["lists"][0]["first_factor"])' \
	"('fail', 'SSH second factor not enforced: logins with keyboard-interactive need only the second factor, no password, key or other first factor', None)"
is "methods: a Match block whose Include drops the factor fails, naming the drop-in" \
	'(res("ssh.match-blocks")["status"], where(blk("ssh.match-blocks", "User deploy")["effective"]["authenticationmethods"]))' \
	"('fail', 'publickey /etc/ssh/cases/deploy.d/10-keys.conf:2')"
is "methods: a connection outside the block passes (sshd -T -C)" \
	'(res("ssh.match-alice")["status"], ev("ssh.match-alice")["connection"])' \
	"('pass', 'user=alice,host=ws1.example.org,addr=192.0.2.10')"
is "methods: the connection of the block fails" \
	'(res("ssh.match-deploy")["status"], eff("ssh.match-deploy", "authenticationmethods"))' \
	"('fail', 'publickey /etc/ssh/cases/deploy.d/10-keys.conf:2')"
is "methods: sshd-option for a connection reports the block it came from" \
	'(res("ssh.deploy-methods")["status"], ev("ssh.deploy-methods")["match"]["criteria"], ev("ssh.deploy-methods")["file"])' \
	"('pass', 'User deploy', '/etc/ssh/cases/deploy.d/10-keys.conf')"
is "methods: a value under Match all applies globally" \
	'(res("ssh.match-all-root")["status"], ev("ssh.match-all-root")["line"])' \
	"('pass', 9)"
is "methods: each of two Match blocks passes alone" \
	'[(b["match"], b["status"]) for b in ev("ssh.match-combined")["match_blocks"]]' \
	"[('User alice', 'pass'), ('Address 198.51.100.0/24', 'pass')]"
is "methods: together they leave a password alone, both blocks named" \
	'(res("ssh.match-combined")["status"], res("ssh.match-combined")["message"], [(w["where"], w["effective"]["authenticationmethods"]["value"], w["effective"]["passwordauthentication"]["value"]) for w in ev("ssh.match-combined")["match_combinations"]["weaker"]])' \
	"('fail', 'SSH second factor not enforced: for Match User alice (/etc/ssh/cases/combo.conf:9) together with Match Address 198.51.100.0/24 (/etc/ssh/cases/combo.conf:11), logins with password need only the second factor, no password, key or other first factor', [(['/etc/ssh/cases/combo.conf:9', '/etc/ssh/cases/combo.conf:11'], 'password', 'yes')])"
is "methods: the connection that matches both agrees (sshd -T -C)" \
	'(res("ssh.match-combined-conn")["status"], eff("ssh.match-combined-conn", "authenticationmethods"), eff("ssh.match-combined-conn", "passwordauthentication"))' \
	"('fail', 'password /etc/ssh/cases/combo.conf:10', 'yes /etc/ssh/cases/combo.conf:12')"
is "methods: blocks for different users are never combined" \
	'(res("ssh.match-exclusive")["status"], ev("ssh.match-exclusive")["match_combinations"])' \
	"('pass', {'capped': False, 'checked': 0, 'exclusive': 1, 'weaker': []})"

done_testing
