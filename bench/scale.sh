#!/usr/bin/env bash
# Scale measurements of issue 17: clean build, no-change rebuild, output size and one page's
# size, each under /usr/bin/time -v, for nested corpora (10k, 100k) and flat sections (1k, 4k).
#
#   bench/scale.sh [DIR]     # DIR: where corpora and outputs go (default /dev/shm/scale17)
#
# Environment: MEKONG_BIN (default target/release/mekong), GEN_CORPUS (default
# target/release/examples/gen_corpus), SCALE_RUNS (default "10000 100000 flat1000 flat4000").
# Prints one line per run: name, wall, user+sys CPU, peak RSS, output size, one page's bytes.
set -euo pipefail
dir=${1:-/dev/shm/scale17}
bin=${MEKONG_BIN:-target/release/mekong}
gen=${GEN_CORPUS:-target/release/examples/gen_corpus}
mkdir -p "$dir"
measure() { # name, log, then the command
  local name=$1 log=$2; shift 2
  /usr/bin/time -v "$@" >"$log.out" 2>"$log" || { echo "$name failed"; tail "$log"; return 1; }
  local wall cpu rss
  wall=$(grep 'Elapsed (wall' "$log" | awk '{print $NF}')
  cpu=$(awk -F': ' '/User time/{u=$2} /System time/{s=$2} END{printf "%.2f", u+s}' "$log")
  rss=$(awk -F': ' '/Maximum resident/{printf "%.0f", $2/1024}' "$log")
  echo "$name wall=$wall cpu=${cpu}s peak=${rss}MB"
}
for run in ${SCALE_RUNS:-10000 100000 flat1000 flat4000}; do
  case $run in
    flat*) n=${run#flat}; flag=--flat; page=flat/page-$((n / 2)) ;;
    *) n=$run; flag=; page= ;;
  esac
  corpus=$dir/c-$run
  [ -d "$corpus/content" ] || "$gen" "$n" "$corpus" $flag >/dev/null
  rm -rf "$corpus/public" "$corpus/.public.manifest"
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
  measure "$run clean" "$dir/$run-clean.log" "$bin" build --root "$corpus"
  measure "$run no-change" "$dir/$run-nochange.log" "$bin" build --root "$corpus"
  size=$(du -sh "$corpus/public" | cut -f1)
  files=$(find "$corpus/public" -name index.html | wc -l)
  # The nested corpus: page 0 (the same text at every N).
  if [ -z "$page" ]; then page=$(cd "$corpus/content" && find . -name 'page-0.md' | sed 's|^\./||; s|\.md$||'); fi
  avg=$(find "$corpus/public" -name index.html -printf '%s\n' | awk '{s+=$1} END{printf "%.0f", s/NR}')
  echo "$run output=$size pages=$files avg-page=${avg}B page($page)=$(stat -c %s "$corpus/public/$page/index.html")B"
done
