# `plumb yara` over a hostile tree: a FIFO nobody writes to, a socket, a
# device, symlink loops, a 4 GiB sparse file, unreadable entries (for an
# unprivileged sweep), names with newlines and bytes that are not UTF-8, and
# files that shrink and vanish while they are swept.  Every sweep must end
# quickly, explain each skip in stats.skipped, keep its JSON valid, and
# still find the planted files.
. "$PLUMB_TOP/tests/e2e/lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
	not_ok "python3 is installed (DEB_TEST)"
	done_testing
	exit
fi
cd "$T_TMP" || exit 1
RULES="$T_TMP/r.yar"
cat >"$RULES" <<'EOF'
rule hostile_needle
{
    strings:
        $a = "hostile-needle"
    condition:
        $a
}
EOF

mkdir -p tree/sub tree/locked tree/deep
printf 'hostile-needle\n' >tree/sub/plain.txt
printf 'hostile-needle\n' >"tree/new
line.txt"
printf 'hostile-needle\n' >"$(printf 'tree/bad\377\376name.txt')"
printf 'a \\ backslash hostile-needle\n' >'tree/back\slash.txt'
printf 'clean\n' >tree/clean.txt
mkfifo tree/fifo
ln -s loop tree/loop
ln -s .. tree/sub/up
ln -s ../tree tree/deep/again
ln -s /etc/passwd tree/outside
truncate -s 4G tree/sparse-4g
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' tree/sock
have_dev=0
if mknod tree/null c 1 3 2>/dev/null; then have_dev=1; fi
printf 'hostile-needle\n' >tree/locked/hidden.txt
printf 'hostile-needle\n' >tree/unreadable.txt

# summ FILE: checks FILE is valid JSON (json.tool) and prints
# "files=N cached=N skipped_REASON=N... matches=N" for eval.
summ() {
	python3 -m json.tool "$1" >/dev/null 2>&1 || { echo "json_valid=0"; return; }
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = d["stats"]
out = ["json_valid=1", "files=%d" % s["files"], "matches=%d" % len(d["matches"])]
for k, v in s["skipped"].items():
    out.append("skipped_%s=%d" % (k.replace("-", "_"), v))
print(" ".join(out))' "$1"
}
reset_counts() {
	json_valid=0 files=0 matches=0 skipped_symlink=0 skipped_special=0
	skipped_too_large=0 skipped_unreadable=0 skipped_vanished=0
	skipped_changed=0 skipped_error=0
}

# ---- as root ----
start=$(date +%s)
timeout 60 "$PLUMB" yara --no-cache --format json --rules "$RULES" tree \
	>root.json 2>root.err
st=$?
took=$(( $(date +%s) - start ))
if [ "$st" -eq 2 ] && [ "$took" -le 20 ]; then
	ok "the hostile sweep ends quickly (${took}s) with matches, never blocking on the FIFO"
else
	not_ok "the hostile sweep ends quickly with matches" "exit $st after ${took}s: $(cat root.err)"
fi
reset_counts
eval "$(summ root.json)"
if [ "$json_valid" -eq 1 ]; then ok "JSON stays valid"; else not_ok "JSON stays valid"; fi
if [ "$matches" -eq 6 ] && [ "$files" -eq 7 ]; then
	ok "every regular file within the cap swept (7), every planted one found (6)"
else
	not_ok "every regular file within the cap swept, every planted one found" \
		"files $files matches $matches"
fi
if [ "$skipped_symlink" -eq 4 ]; then ok "four symlinks skipped as symlink"; else
	not_ok "four symlinks skipped as symlink" "$skipped_symlink"; fi
want_special=$((2 + have_dev))
if [ "$skipped_special" -eq "$want_special" ]; then
	ok "FIFO, socket and device skipped as special ($want_special)"
else
	not_ok "FIFO, socket and device skipped as special" "$skipped_special, want $want_special"
fi
if [ "$skipped_too_large" -eq 1 ]; then ok "the 4 GiB sparse file skipped as too-large"; else
	not_ok "the 4 GiB sparse file skipped as too-large" "$skipped_too_large"; fi
if python3 - root.json <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
paths = sorted(m["path"] for m in d["matches"])
want = sorted(["tree/sub/plain.txt", "tree/new\nline.txt",
               "tree/bad\\xff\\xfename.txt", "tree/back\\\\slash.txt",
               "tree/locked/hidden.txt", "tree/unreadable.txt"])
assert paths == want, (paths, want)
EOF
then ok "newline kept, non-UTF-8 bytes as \\xNN and backslash doubled in JSON paths"
else not_ok "newline kept, non-UTF-8 bytes as \\xNN and backslash doubled in JSON paths"; fi

# Text output: one line per match, control characters escaped.
"$PLUMB" yara --no-cache --rules "$RULES" tree >root.txt 2>/dev/null
if [ "$(grep -c '^hostile_needle ' root.txt)" -eq 6 ] &&
   grep -q '^hostile_needle tree/new\\nline.txt$' root.txt; then
	ok "text output keeps one match per line"
else
	not_ok "text output keeps one match per line" "$(cat root.txt)"
fi

# -v lists each skip with its reason.
"$PLUMB" yara --no-cache -v --rules "$RULES" tree >/dev/null 2>verbose.err
if grep -q 'skipped tree/fifo: special' verbose.err &&
   grep -q 'skipped tree/sparse-4g: too-large' verbose.err &&
   grep -q 'skipped tree/loop: symlink' verbose.err; then
	ok "--verbose names each skipped entry and why"
else
	not_ok "--verbose names each skipped entry and why" "$(cat verbose.err)"
fi

# A FIFO, /proc and a symlink given as the start.
timeout 20 "$PLUMB" yara --no-cache --format json --rules "$RULES" tree/fifo >fifo.json 2>&1
st=$?
reset_counts
eval "$(summ fifo.json)"
if [ "$st" -eq 0 ] && [ "$skipped_special" -eq 1 ]; then
	ok "a FIFO given as the path is skipped as special without blocking"
else
	not_ok "a FIFO given as the path is skipped as special without blocking" "exit $st"
fi
timeout 20 "$PLUMB" yara --no-cache --format json --rules "$RULES" /proc >proc.json 2>&1
if [ $? -eq 0 ] && grep -q '"pseudo-fs": 1' proc.json; then
	ok "/proc is not entered (pseudo-fs)"
else
	not_ok "/proc is not entered (pseudo-fs)" "$(cat proc.json)"
fi

# A rule that would run for minutes on every file: --timeout gives up on
# the file and says so.
mkdir slowtree && printf 'x\n' >slowtree/f
printf 'rule slow { condition: for all i in (0..2000000000) : (i >= 0) }\n' >slow.yar
start=$(date +%s)
timeout 60 "$PLUMB" yara --no-cache --timeout 1 --format json --rules slow.yar slowtree >slow.json 2>&1
st=$?
took=$(( $(date +%s) - start ))
reset_counts
skipped_timeout=0
eval "$(summ slow.json)"
if [ "$st" -eq 0 ] && [ "$skipped_timeout" -eq 1 ] && [ "$took" -le 15 ]; then
	ok "--timeout gives up on a file after its time and counts it as timeout"
else
	not_ok "--timeout gives up on a file after its time and counts it as timeout" \
		"exit $st after ${took}s: $(cat slow.json)"
fi

# ---- unprivileged: unreadable entries ----
if command -v setpriv >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
	chmod 755 "$T_TMP"
	chmod -R a+rX tree 2>/dev/null
	chmod 000 tree/locked tree/unreadable.txt
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		timeout 60 "$PLUMB" yara --no-cache --format json --rules "$RULES" tree \
		>user.json 2>user.err
	reset_counts
	eval "$(summ user.json)"
	if [ "$skipped_unreadable" -eq 2 ] && [ "$matches" -eq 4 ]; then
		ok "unprivileged: an unreadable file and directory skipped as unreadable"
	else
		not_ok "unprivileged: an unreadable file and directory skipped as unreadable" \
			"unreadable $skipped_unreadable matches $matches: $(cat user.err)"
	fi
	chmod 755 tree/locked
	chmod 644 tree/unreadable.txt
else
	ok "# SKIP unreadable entries need root and setpriv to drop privileges"
fi

# ---- mounts: a bind-mount loop and another filesystem ----
# In a private mount namespace of its own (unshare -m), so nothing is
# mounted on the host; skipped where mounting is not allowed.
mkdir -p mnt/a/b mnt/other
printf 'hostile-needle\n' >mnt/a/top.txt
if unshare -m --propagation private true 2>/dev/null; then
	unshare -m --propagation private sh -c '
		mount --bind mnt/a mnt/a/b || exit 3
		mount -t tmpfs plumb-test mnt/other || exit 3
		printf "hostile-needle\n" >mnt/other/in-tmpfs.txt
		"$1" yara --no-cache --format json --rules "$2" mnt >mnt1.json 2>mnt1.err
		"$1" yara --no-cache --cross-fs --format json --rules "$2" mnt >mnt2.json 2>mnt2.err
		exit 0' sh "$PLUMB" "$RULES"
	st=$?
	if [ "$st" -eq 0 ]; then
		reset_counts
		skipped_loop=0 skipped_other_fs=0
		eval "$(summ mnt1.json)"
		if [ "$skipped_loop" -eq 1 ] && [ "$skipped_other_fs" -eq 1 ] && [ "$matches" -eq 1 ]; then
			ok "a bind-mount loop is skipped as loop, another filesystem as other-fs"
		else
			not_ok "a bind-mount loop is skipped as loop, another filesystem as other-fs" \
				"loop $skipped_loop other-fs $skipped_other_fs matches $matches: $(cat mnt1.json mnt1.err)"
		fi
		reset_counts
		skipped_loop=0 skipped_other_fs=0
		eval "$(summ mnt2.json)"
		if [ "$skipped_other_fs" -eq 0 ] && [ "$matches" -eq 2 ]; then
			ok "--cross-fs enters the other filesystem"
		else
			not_ok "--cross-fs enters the other filesystem" "$(cat mnt2.json mnt2.err)"
		fi
	else
		ok "# SKIP mounting is not allowed here"
	fi
else
	ok "# SKIP no private mount namespace (unshare -m) here"
fi

# ---- files that shrink and vanish while swept ----
mkdir churn
for i in 1 2 3 4 5 6 7 8; do
	printf 'hostile-needle\n' >churn/stable$i
done
# A background writer, bounded in time, grows, shrinks and removes files
# as fast as it can while the sweeps below read them.
(
	end=$(( $(date +%s) + 20 ))
	while [ "$(date +%s)" -lt "$end" ] && [ ! -e churn.stop ]; do
		for i in 1 2 3 4; do
			truncate -s 24M churn/shrink$i
			truncate -s 1K churn/shrink$i
			truncate -s 16M churn/shrink$i
		done
		rm -f churn/gone
		truncate -s 8M churn/gone
	done
) &
writer=$!
bad=0
crashed=0
for n in 1 2 3 4 5 6; do
	"$PLUMB" yara --db "$T_TMP/churn.db" --format json --threads 2 \
		--rules "$RULES" churn >churn$n.json 2>churn$n.err
	st=$?
	if [ "$st" -ne 0 ] && [ "$st" -ne 2 ]; then crashed=$((crashed + 1)); fi
	reset_counts
	eval "$(summ churn$n.json)"
	if [ "$json_valid" -ne 1 ] || [ "$matches" -ne 8 ]; then bad=$((bad + 1)); fi
done
touch churn.stop
wait "$writer"
if [ "$crashed" -eq 0 ]; then
	ok "no sweep dies while files shrink, grow and vanish under it"
else
	not_ok "no sweep dies while files shrink, grow and vanish under it" \
		"$crashed died: $(cat churn*.err)"
fi
if [ "$bad" -eq 0 ]; then
	ok "every churned sweep writes valid JSON and finds the 8 stable files"
else
	not_ok "every churned sweep writes valid JSON and finds the 8 stable files" "$bad bad"
fi

# Under a sanitizer build (make SANITIZE=...) a report on stderr fails.
if cat "$T_TMP"/*.err 2>/dev/null | grep -q -E 'Sanitizer|runtime error'; then
	not_ok "no sanitizer report" "$(cat "$T_TMP"/*.err | grep -E -A5 'Sanitizer|runtime error' | head -40)"
else
	ok "no sanitizer report in any sweep's stderr"
fi

done_testing
