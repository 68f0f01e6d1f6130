#!/usr/bin/env bash
# Criterion stage benchmarks (benches/stages.rs) on a generated corpus.
#
#   bench/stages.sh [PAGES] [criterion args...]    # default 500 pages, e.g. bench/stages.sh 500 --quick
#
# Generates the corpus once with examples/gen_corpus into $MEKONG_BENCH_CORPUS (default
# /tmp/mekong-stages-PAGES) unless it is already there, then runs
# `cargo bench --bench stages` on it.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
PAGES=${1:-500}
shift || true
export MEKONG_BENCH_CORPUS=${MEKONG_BENCH_CORPUS:-/tmp/mekong-stages-$PAGES}
cd "$REPO"
if [ ! -f "$MEKONG_BENCH_CORPUS/site.yaml" ]; then
  cargo run --release --quiet --example gen_corpus -- "$PAGES" "$MEKONG_BENCH_CORPUS"
fi
exec cargo bench --bench stages -- "$@"
