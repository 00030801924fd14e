#!/bin/sh
# tests/fuzz/seed.sh - writes the seed inputs of every harness into
# tests/fuzz/corpus/NAME/seed-* from the test fixtures and shipped files,
# in each harness's input layout (see the comment at the top of each
# fuzz_NAME.c: several files are joined with NUL bytes).  Run from the
# repository top after fixtures change; crash inputs (crash-*) and the
# inputs found by fuzzing that were kept (min-*) are left alone.
# Needs gzip, xz and lz4 for the dpkg harness's compressed seeds.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
fx=tests/fixtures
c=tests/fuzz/corpus

# join OUT FILE...: FILE contents separated by NUL; "-" or a missing file
# is an empty part.
join() {
	out=$1
	shift
	first=1
	: >"$out"
	for f in "$@"; do
		[ $first -eq 1 ] || printf '\000' >>"$out"
		first=0
		if [ "$f" != - ] && [ -f "$f" ]; then
			cat "$f" >>"$out"
		fi
	done
}

# prefixed OUT BYTE FILE: one selector byte (octal) then FILE.
prefixed() {
	printf "\\$2" >"$1"
	cat "$3" >>"$1"
}

for h in baseline owners tailoring config dpkg aptconf ports disk pam \
	sshd osrelease patch drift; do
	mkdir -p "$c/$h"
	rm -f "$c/$h"/seed-*
done

for f in $fx/hostile-baselines/*.xml $fx/*/baseline.xml \
	baselines/*/[0-9]*.xml; do
	[ -f "$f" ] || continue
	n=$(echo "$f" | tr '/' '_')
	case $f in */billion-laughs.xml) continue ;; esac
	cp "$f" "$c/baseline/seed-$n"
done
cp baselines/owners.example.xml "$c/owners/seed-example.xml"
cp $fx/reports/owners.xml "$c/owners/seed-reports.xml"
for f in baselines/tailoring*.xml; do
	cp "$f" "$c/tailoring/seed-$(basename "$f")"
done
cp contrib/plumb.conf.example "$c/config/seed-example"
# Every documented key set, as an unattended host would have it.
sed -n 's/^#\([a-z_]* = \)/\1/p' contrib/plumb.conf.example \
	>"$c/config/seed-all-keys"
printf 'nice = 20\npush_url = ftp://x\nroot = relative\nio_idle = maybe\n' \
	>"$c/config/seed-bad"

for case in patch-current patch-pending; do
	s=$fx/$case/root/var/lib/dpkg/status
	prefixed "$c/dpkg/seed-$case-plain" 000 "$s"
	gzip -9n <"$s" >"$c/dpkg/tmp" && prefixed "$c/dpkg/seed-$case-gz" 001 "$c/dpkg/tmp"
	xz --lzma2=preset=0,dict=4KiB <"$s" >"$c/dpkg/tmp" && prefixed "$c/dpkg/seed-$case-xz" 002 "$c/dpkg/tmp"
	lz4 -9 -q <"$s" >"$c/dpkg/tmp" && prefixed "$c/dpkg/seed-$case-lz4" 003 "$c/dpkg/tmp"
	rm -f "$c/dpkg/tmp"
	for f in $fx/$case/root/etc/apt/apt.conf.d/*; do
		cp "$f" "$c/aptconf/seed-$case-$(basename "$f")"
	done
	l=$fx/$case/root/var/lib/apt/lists/mirror.example.org_debian
	lz4 -dc "$l"_dists_bookworm_main_binary-amd64_Packages.lz4 >"$c/patch/main"
	gzip -dc "$l"-security_dists_bookworm-security_main_binary-amd64_Packages.gz \
		>"$c/patch/sec"
	a=$fx/$case/root/etc/apt/apt.conf.d
	join "$c/patch/seed-$case" "$s" "$l"_dists_bookworm_InRelease \
		"$c/patch/main" "$l"-security_dists_bookworm-security_InRelease \
		"$c/patch/sec" "$a/50unattended-upgrades" "$a/20auto-upgrades" -
	rm -f "$c/patch/main" "$c/patch/sec"
done

for p in tcp:000 udp:001 tcp6:002 udp6:003; do
	t=${p%%:*}
	prefixed "$c/ports/seed-$t" "${p#*:}" $fx/ports-basic/root/proc/net/$t
done
printf '\000tcp/8000-8099@loopback:sshd\n' >"$c/ports/seed-rule"
printf '\002udp6/5353@[::1]:/usr/sbin/avahi-daemon\n' >"$c/ports/seed-rule6"

for d in $fx/enc-*/root; do
	n=$(basename "$(dirname "$d")")
	join "$c/disk/seed-$n" $d/proc/self/mounts $d/proc/self/mountinfo \
		$d/proc/swaps $d/etc/crypttab $d/etc/fstab \
		"$(ls $d/etc/lvm/backup/* 2>/dev/null | head -n 1)"
done

for d in $fx/mfa-*/root; do
	n=$(basename "$(dirname "$d")")
	p=$d/etc/pam.d
	join "$c/pam/seed-$n" $p/sshd $p/common-auth $p/other $p/login \
		$p/sudo $p/su - -
	set -- $d/etc/ssh/sshd_config.d/*.conf
	join "$c/sshd/seed-$n" $d/etc/ssh/sshd_config "${1:--}" "${2:--}" \
		$p/sshd
	printf '\000user=root,host=h.example,addr=192.0.2.1,lport=22' \
		>>"$c/sshd/seed-$n"
done
for d in $fx/config-fail/root $fx/config-pass/root; do
	n=$(basename "$(dirname "$d")")
	join "$c/sshd/seed-$n" $d/etc/ssh/sshd_config - - -
done
printf 'auth required pam_unix.so\n' >"$c/pam/tmp"
join "$c/pam/seed-pam.conf" - - - - - - "$c/pam/tmp" -
printf '[duo]\nikey = x\nfailmode = secure\ngroups = *,!adm\n' \
	>"$c/pam/tmp"
join "$c/pam/seed-duo" $fx/mfa-enforced/root/etc/pam.d/sshd - - - - - - \
	"$c/pam/tmp"
rm -f "$c/pam/tmp"

for f in $fx/*/root/etc/os-release; do
	n=$(echo "$f" | cut -d/ -f3)
	printf 'host1\n' >"$c/osrelease/h"
	printf '0123456789abcdef0123456789abcdef\n' >"$c/osrelease/m"
	join "$c/osrelease/seed-$n" "$f" - "$c/osrelease/h" "$c/osrelease/m" -
	rm -f "$c/osrelease/h" "$c/osrelease/m"
done
join "$c/osrelease/seed-usrlib" - $fx/config-pass/root/etc/os-release - - -

# Two scans of the same fixture, one of them with a control flipped, as
# the history holds them (needs a built plumb: $PLUMB).
if [ -n "${PLUMB:-}" ] && [ -x "$PLUMB" ]; then
	tmp=$(mktemp -d)
	for case in config-fail config-pass; do
		PLUMB_BASELINE_PATH=$top/baselines "$PLUMB" scan --root \
			$fx/$case/root --baseline smb-linux-workstation \
			--db "$tmp/db" --format json >"$tmp/$case.json" || true
	done
	# Compact, and a short variant with the first results only, so the
	# fuzzer spends its time in drift rather than in the JSON reader.
	for case in config-fail config-pass; do
		python3 -c 'import json, sys
d = json.load(sys.stdin)
print(json.dumps(d, separators=(",", ":")))
d["results"] = d["results"][:4]
with open(sys.argv[1], "w") as f:
    f.write(json.dumps(d, separators=(",", ":")))' "$tmp/$case-short.json" \
			<"$tmp/$case.json" >"$tmp/$case-compact.json"
	done
	join "$c/drift/seed-fail-pass" "$tmp/config-fail-compact.json" \
		"$tmp/config-pass-compact.json"
	join "$c/drift/seed-pass-fail-short" "$tmp/config-pass-short.json" \
		"$tmp/config-fail-short.json"
	rm -rf "$tmp"
fi
printf '{"schema":"plumb.scan/1","results":[{"id":"a","status":"pass","evidence":{"x":[1,2]}}]}\000{"schema":"plumb.scan/1","results":[{"id":"a","status":"fail","evidence":{"x":[2,3],"age_days":4}},{"id":"b","status":"error"}]}' \
	>"$c/drift/seed-small"
