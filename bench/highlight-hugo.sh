#!/usr/bin/env bash
# Code highlighting beside Hugo's Chroma (issue 12): one run each, on one code-heavy corpus.
#
#   bench/highlight-hugo.sh [N]        # default N=10000
#
# Prepares $HL_DIR (default /dev/shm/hl-hugo-N) with the corpus of `gen_corpus N DIR --code`
# and bench/hugo/'s layouts, then runs, each once, clean (no output before the run), search
# off, under /usr/bin/time -v:
#
#   mekong, not highlighted    site.yaml plus `code: {highlight: false}` (titles, numbers and
#                              buttons stay, in plain text); no cache file
#   mekong, highlighted        site.yaml as generated; no `.out-*.highlight` cache file
#   hugo, codeFences off       bench/hugo/hugo.toml (`markup.highlight.codeFences = false`)
#   hugo, Chroma               the same with `codeFences = true`, `noClasses = false` (classes,
#                              like mekong)
#
# and prints one Markdown table: wall, CPU user+sys, peak RSS, output size, and the load
# average (1 min) just before each run. The machine is shared: read CPU and RSS first.
#
# Environment: MEKONG_BIN (default target/release/mekong), GEN_CORPUS (default
# target/release/examples/gen_corpus), HUGO (default hugo), HL_DIR.
set -euo pipefail

N=${1:-10000}
REPO=$(cd "$(dirname "$0")/.." && pwd)
MEKONG=${MEKONG_BIN:-$REPO/target/release/mekong}
GEN=${GEN_CORPUS:-$REPO/target/release/examples/gen_corpus}
HUGO=${HUGO:-hugo}
DIR=${HL_DIR:-/dev/shm/hl-hugo-$N}
[ -x "$MEKONG" ] && [ -x "$GEN" ] || {
  echo "build first: cargo build --release --bin mekong --example gen_corpus" >&2
  exit 2
}
command -v "$HUGO" >/dev/null || { echo "hugo is missing (apt-get install hugo)" >&2; exit 2; }

rm -rf "$DIR"
"$GEN" "$N" "$DIR/on" --code >/dev/null
cp -r "$DIR/on" "$DIR/off"
printf '\ncode:\n  highlight: false\n' >>"$DIR/off/site.yaml"
cp -r "$REPO/bench/hugo/layouts" "$DIR/on/"
cp "$REPO/bench/hugo/hugo.toml" "$DIR/on/hugo-plain.toml"
sed 's/codeFences = false/codeFences = true\n  noClasses = false/' \
  "$REPO/bench/hugo/hugo.toml" >"$DIR/on/hugo-chroma.toml"

row() { # name, output dir, command...
  local name=$1 out=$2
  shift 2
  # The output, and beside it mekong's build record and highlight cache: a clean build.
  rm -rf "$out" "$(dirname "$out")/.$(basename "$out")".*
  sync
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -v "$@" >/dev/null 2>"$DIR/time.log" || { cat "$DIR/time.log" >&2; exit 1; }
  python3 - "$name" "$load" "$DIR/time.log" "$out" <<'EOF'
import re, subprocess, sys
name, load, log, out = sys.argv[1:5]
t = open(log).read()
def num(key):
    return re.search(re.escape(key) + r":\s*(\S+)", t).group(1)
wall = num("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")
wall = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall)))
cpu = float(num("User time (seconds)")) + float(num("System time (seconds)"))
rss = int(num("Maximum resident set size (kbytes)")) / 1024
size = int(subprocess.check_output(["du", "-sb", out]).split()[0]) / 1e6
print(f"| {name} | {wall:.1f} s | {cpu:.1f} s | {rss:.0f} MB | {size:.1f} MB | {load} |")
EOF
}

echo "$N code-heavy pages ($(grep -rc '^```[a-z]' "$DIR/on/content" | awk -F: '{s+=$2} END {print s}') blocks), $(nproc) cores, $(date -u +%H:%M) UTC"
echo
echo "| build | wall | CPU user+sys | peak RSS | output | load (1 min) before |"
echo "| --- | --: | --: | --: | --: | --: |"
row "mekong, not highlighted" "$DIR/off/out" "$MEKONG" build --root "$DIR/off" --output "$DIR/off/out"
row "mekong, highlighted" "$DIR/on/out-mekong" "$MEKONG" build --root "$DIR/on" --output "$DIR/on/out-mekong"
row "hugo, codeFences off" "$DIR/on/out-hugo-plain" "$HUGO" --quiet --config "$DIR/on/hugo-plain.toml" -s "$DIR/on" -d "$DIR/on/out-hugo-plain"
row "hugo, Chroma" "$DIR/on/out-hugo-chroma" "$HUGO" --quiet --config "$DIR/on/hugo-chroma.toml" -s "$DIR/on" -d "$DIR/on/out-hugo-chroma"
