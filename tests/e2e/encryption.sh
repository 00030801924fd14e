# End to end: the disk-encryption check over the tests/fixtures/enc-*
# roots (sysfs device stacks, mount tables, fstab and crypttab), then on
# this host, where each judged mount is compared with lsblk's view of the
# same device stack (util-linux reads the same sysfs, independently).
. "$PLUMB_TOP/tests/e2e/lib.sh"

OUT="$T_TMP/enc.json"

# scan CASE EXIT: scans a fixture with its own baseline into $OUT.
scan() {
	expect_exit "$2" "$1: the scan exits $2" "$PLUMB" scan \
		--root "$FIX/$1/root" --baseline "$FIX/$1/baseline.xml" \
		--db "$T_TMP/h.db" --format json -o "$OUT"
}
# q EXPR: a Python expression over the scan document d; res(ID) is a
# control's result, mnt(ID, MP) a mount of its evidence, swp(ID, DEV) a
# swap area, kinds(E) the "kind:dev" list of an entry's layers.
q() {
	/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
def res(i):
    return [r for r in d["results"] if r["id"] == i][0]
def mnt(i, mp):
    return [m for m in res(i)["evidence"]["mounts"] if m.get("mountpoint") == mp][0]
def swp(i, dev):
    return [m for m in res(i)["evidence"]["swap"] if m["device"] == dev][0]
def kinds(e):
    return " ".join("%s:%s" % (l["kind"], l["dev"]) for l in e["layers"])
print(eval(sys.argv[2]))' "$OUT" "$1"
}
# is DESCRIPTION EXPR WANT
is() {
	got=$(q "$2")
	if [ "$got" = "$3" ]; then ok "$1"; else not_ok "$1" "got:  $got
want: $3"; fi
}

scan enc-lvm-on-luks 0
is "LVM on LUKS passes" 'res("encryption.disks")["status"]' pass
is "the root stack is LV, LUKS2, partition, disk" \
	'kinds(mnt("encryption.disks", "/"))' "lvm:dm-1 crypt:dm-0 part:sda3 disk:sda"
is "the scheme is reported" 'mnt("encryption.disks", "/")["scheme"]' luks2
is "/boot and /boot/efi are exempt, not judged" \
	'[(m["exempt"] is not None, m["judged"]) for m in (mnt("encryption.disks", "/boot"), mnt("encryption.disks", "/boot/efi"))]' \
	"[(True, False), (True, False)]"
is "an NFS mount is not applicable" \
	'mnt("encryption.disks", "/mnt/projects")["not_applicable"]' "network filesystem"
is "a bind mount of /home is reported once" \
	'mnt("encryption.disks", "/home")["also_mounted_at"]' "['/srv/shared data']"
is "swap on an LV inside LUKS is encrypted; zram is memory" \
	'[(s["device"], s["encrypted"], s["class"]) for s in res("encryption.disks")["evidence"]["swap"]]' \
	"[('/dev/dm-2', True, 'disk'), ('/dev/zram0', None, 'memory')]"
is "the evidence says the state is live" 'res("encryption.disks")["evidence"]["source"]' live

scan enc-home-plain 2
is "an unencrypted /home fails" 'res("encryption.disks")["status"]' fail
is "the message names /home and its device" 'res("encryption.disks")["message"]' \
	"not encrypted: /home (/dev/nvme0n1p3)"
is "the evidence lists it as unencrypted" 'res("encryption.disks")["evidence"]["unencrypted"]' \
	"['/home (/dev/nvme0n1p3)']"
is "LUKS on md raid1 is encrypted down both mirrors" \
	'kinds(mnt("encryption.disks", "/srv"))' \
	"crypt:dm-1 raid:md127 part:sdb1 disk:sdb part:sdc1 disk:sdc"
is "exempting /home passes" 'res("encryption.home-exempt")["status"]' pass
is "mount=/srv/www judges only /srv" \
	'[m["mountpoint"] for m in res("encryption.srv")["evidence"]["mounts"] if m.get("judged")]' "['/srv']"

scan enc-swap-plain 2
is "a plain swap partition fails" 'res("encryption.disks")["message"]' \
	"not encrypted: swap (/dev/sda3)"
is "a swap file on the encrypted root is encrypted" \
	'(swp("encryption.disks", "/swapfile")["encrypted"], kinds(swp("encryption.disks", "/swapfile")))' \
	"(True, 'file:/swapfile crypt:dm-0 part:sda2 disk:sda')"
is "include_swap=false passes" 'res("encryption.filesystems")["status"]' pass

scan enc-declared 0
is "an offline image is judged from declared state" \
	'(res("encryption.disks")["status"], res("encryption.disks")["evidence"]["source"])' \
	"('pass', 'declared')"
is "the message says it was declared, not mounted" \
	'"declared" in res("encryption.disks")["message"]' True
is "an fstab LV is followed through etc/lvm/backup to its crypttab PV" \
	'kinds(mnt("encryption.disks", "/"))' \
	"lvm:/dev/mapper/vg0-root crypt:/dev/mapper/sda3_crypt"
is "a random-key crypttab swap is plain dm-crypt" \
	'swp("encryption.disks", "/dev/mapper/cryptswap")["scheme"]' plain
is "crypttab is part of the evidence" \
	'[c["name"] for c in res("encryption.disks")["evidence"]["crypttab"]]' \
	"['sda3_crypt', 'cryptswap']"

scan enc-luks-on-lvm 0
is "LUKS on LVM passes with every scheme named" 'res("encryption.disks")["message"]' \
	"all 4 judged filesystems and swap areas are encrypted (luks1, luks2, plain)"
is "/dev/root is found through mountinfo" \
	'kinds(mnt("encryption.disks", "/"))' "crypt:dm-1 lvm:dm-0 part:sda2 disk:sda"
is "a loop mount follows its backing file" \
	'kinds(mnt("encryption.disks", "/mnt/data"))' \
	"loop:loop0 file:/var/lib/images/data.img crypt:dm-5 lvm:dm-4 part:sda2 disk:sda"

scan enc-container 0
is "a container root is not applicable" 'res("encryption.disks")["status"]' notapplicable
is "and says why" '"container" in res("encryption.disks")["message"]' True

# This host: whatever the answer, it is not an error, and every judged
# mount agrees with lsblk about whether each path down its stack passes a
# crypt layer.
BL="$FIX/enc-lvm-on-luks/baseline.xml"
"$PLUMB" scan --root / --baseline "$BL" --db "$T_TMP/h.db" --format json \
	-o "$OUT" 2>"$T_TMP/err"
st=$?
if [ "$st" -le 2 ]; then ok "a scan of this host runs (exit $st)"; else
	not_ok "a scan of this host runs" "exit $st: $(cat "$T_TMP/err")"; fi
is "this host's disk encryption is judged, not an error" \
	'res("encryption.disks")["status"] in ("pass", "fail", "unknown", "notapplicable")' True
if command -v lsblk >/dev/null 2>&1; then
	out=$(/usr/bin/python3 - "$OUT" <<'PY'
import json, subprocess, sys
d = json.load(open(sys.argv[1]))
r = [r for r in d["results"] if r["id"] == "encryption.disks"][0]
def enc(node):
    # lsblk -s lists a device's underlying devices as its children.
    if node.get("type") == "crypt":
        return True
    kids = node.get("children") or []
    return bool(kids) and all(enc(k) for k in kids)
bad = []
n = 0
for m in r["evidence"].get("mounts", []) + r["evidence"].get("swap", []):
    kinds = {l["kind"] for l in m.get("layers", [])}
    if not m.get("dev") or m.get("class") != "disk" or m["encrypted"] is None \
       or kinds & {"loop", "file", "memory"}:
        continue
    p = subprocess.run(["lsblk", "-s", "-J", "-o", "NAME,TYPE", "/dev/" + m["dev"]],
                       capture_output=True, text=True)
    if p.returncode != 0:
        continue
    n += 1
    want = all(enc(b) for b in json.loads(p.stdout)["blockdevices"])
    if want != m["encrypted"]:
        bad.append("%s: plumb %s, lsblk %s" % (m["dev"], m["encrypted"], want))
print("\n".join(bad) if bad else "agree on %d" % n)
PY
)
	case $out in
	"agree on 0") ok "lsblk oracle: no block device of this host to compare # SKIP" ;;
	agree*) ok "lsblk oracle: every judged mount of this host agrees ($out)" ;;
	*) not_ok "lsblk oracle: every judged mount of this host agrees" "$out" ;;
	esac
fi
done_testing
