#!/usr/bin/env bash
# Search at scale (issue 16): mekong with search on against Hugo followed by the Pagefind CLI,
# the stack a Hugo site runs for the same feature, on the same corpus, side by side.
#
#   bench/search.sh N [RUNS]      # e.g. bench/search.sh 1000 5, bench/search.sh 10000 3
#
# Prepares $BENCH_DIR/search-N/ (default /tmp: the corpus of examples/gen_corpus.rs, once with
# `search: false` and once with `search: true`, plus bench/hugo/), then runs, RUNS times and
# interleaved (one of each in turn, so that a burst of load on the shared machine hits all
# three alike), every command under /usr/bin/time -v from no output (the previous output is
# moved aside and `sync` runs first, neither timed):
#
#   mekong, search off   mekong build --root site --output out/mekong
#   mekong, search on    mekong build --root search --output out/mekong-search
#   hugo + pagefind      hugo --quiet -s site -d out/hugo && pagefind --site out/hugo
#
# and prints, per row, the median wall time, the median CPU time (user+sys) and the largest
# peak RSS (for Hugo + Pagefind: the larger of the two processes, which run one after the
# other), with the load average before each round. Logs: $BENCH_DIR/search-N/logs/.
#
# Environment: MEKONG_BIN (default target/release/mekong), GEN_CORPUS (default
# target/release/examples/gen_corpus), HUGO (default hugo), PAGEFIND (default: the binary of
# the npm package in $PAGEFIND_NPM, /tmp/pfcli: `npm install pagefind@1.6` there; the npm
# package's launcher runs the same binary, `npx pagefind` adds node's start-up).
set -euo pipefail

N=${1:?usage: bench/search.sh N [RUNS]}
RUNS=${2:-3}
REPO=$(cd "$(dirname "$0")/.." && pwd)
D=${BENCH_DIR:-/tmp}/search-$N
M=${MEKONG_BIN:-$REPO/target/release/mekong}
G=${GEN_CORPUS:-$REPO/target/release/examples/gen_corpus}
HUGO=${HUGO:-hugo}
PAGEFIND_NPM=${PAGEFIND_NPM:-/tmp/pfcli}
PAGEFIND=${PAGEFIND:-$(ls "$PAGEFIND_NPM"/node_modules/@pagefind/*/bin/pagefind* 2>/dev/null | grep -v sha256 | head -1)}
[ -x "$PAGEFIND" ] || { echo "bench/search.sh: no Pagefind CLI; run: mkdir -p $PAGEFIND_NPM && cd $PAGEFIND_NPM && npm install pagefind@1.6" >&2; exit 2; }
command -v "$HUGO" >/dev/null || { echo "bench/search.sh: apt-get install hugo" >&2; exit 2; }

rm -rf "$D" && mkdir -p "$D/out" "$D/logs" "$D/trash"
"$G" "$N" "$D/site" >/dev/null
cp "$REPO/bench/hugo/hugo.toml" "$D/site/"
cp -r "$REPO/bench/hugo/layouts" "$D/site/"
mkdir -p "$D/search"
cp -al "$D/site/content" "$D/search/"
sed 's/^search: false$/search: true/' "$D/site/site.yaml" >"$D/search/site.yaml"
grep -q '^search: true$' "$D/search/site.yaml" || { echo "could not turn search on" >&2; exit 1; }

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "mekong: $("$M" --version), commit $(cd "$REPO" && git rev-parse --short HEAD)"
  echo "hugo: $("$HUGO" version | cut -d' ' -f1-2)"
  echo "pagefind: $("$PAGEFIND" --version) ($PAGEFIND)"
  echo "machine: $(nproc) cores, $(uname -sr)"
} | tee "$D/logs/env.txt"

# Moves an output folder out of the way, with what a build keeps beside it (its record, the
# highlighted blocks, the parsed pages of the index), so that every build starts clean.
aside() {
  if [ -e "$1" ]; then mv "$1" "$D/trash/$(date +%s%N)"; fi
  local dir name
  dir=$(dirname "$1") name=$(basename "$1")
  rm -f "$dir/.$name.manifest" "$dir/.$name.highlight" "$dir/.$name.search"
  sync
}
# Seconds of wall time, CPU seconds, peak RSS in KB, from one `time -v` log.
parse() {
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, t, ":"); w = (n == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2] }
    /User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { r = $2 }
    END { printf "%.2f %.2f %d\n", w, u + s, r }' "$1"
}
run() { # name, log, command...
  local name=$1 log=$2; shift 2
  /usr/bin/time -v -o "$log" "$@" >"$log.out" 2>&1 || { echo "$name failed:"; cat "$log.out"; exit 1; }
}

for i in $(seq 1 "$RUNS"); do
  echo "round $i: load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$D/logs/load.txt"
  aside "$D/out/mekong"
  run off "$D/logs/off-$i" "$M" build --no-fsync --root "$D/site" --output "$D/out/mekong"
  aside "$D/out/mekong-search"
  run on "$D/logs/on-$i" "$M" build --no-fsync --root "$D/search" --output "$D/out/mekong-search"
  aside "$D/out/hugo"
  run hugo "$D/logs/hugo-$i" "$HUGO" --quiet -s "$D/site" -d "$D/out/hugo"
  run pagefind "$D/logs/pagefind-$i" "$PAGEFIND" --site "$D/out/hugo"
  for k in off on hugo pagefind; do echo "  $k: $(parse "$D/logs/$k-$i") (wall s, cpu s, peak KB)"; done
done

python3 - "$D/logs" "$RUNS" <<'EOF'
import statistics, sys, re, os
logs, runs = sys.argv[1], int(sys.argv[2])
def parse(path):
    t = open(path).read()
    w = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t).group(1).split(":")
    wall = sum(float(x) * 60 ** i for i, x in enumerate(reversed(w)))
    cpu = float(re.search(r"User time \(seconds\): (\S+)", t).group(1)) + float(re.search(r"System time \(seconds\): (\S+)", t).group(1))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
    return wall, cpu, rss
rows = {"mekong, search off": ["off"], "mekong, search on": ["on"], "hugo + pagefind CLI": ["hugo", "pagefind"]}
print("| row | wall (median) | CPU user+sys (median) | peak RSS (max) |")
print("|---|--:|--:|--:|")
for label, parts in rows.items():
    walls, cpus, rss = [], [], 0
    for i in range(1, runs + 1):
        r = [parse(os.path.join(logs, f"{p}-{i}")) for p in parts]
        walls.append(sum(x[0] for x in r)); cpus.append(sum(x[1] for x in r)); rss = max(rss, *(x[2] for x in r))
    print(f"| {label} | {statistics.median(walls):.2f} s | {statistics.median(cpus):.2f} s | {rss / 1024:,.0f} MB |")
EOF
rm -rf "$D/trash"
