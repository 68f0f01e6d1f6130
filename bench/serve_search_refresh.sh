#!/usr/bin/env bash
# How long `mekong serve` takes to refresh the search index after an edit (issue 16), and its
# memory: starts serve on SITE (search on), waits for the first index, then appends a line to
# one page three times, waiting each time for serve's "search index refreshed in N ms".
#
#   bench/serve_search_refresh.sh target/release/mekong /dev/shm/lat10k
#
# (a corpus of examples/gen_corpus.rs with `search: true` in its site.yaml). The page is
# restored afterwards. Prints the four refresh lines and serve's RSS after the first index
# and after the edits.
set -euo pipefail
BIN=${1:?usage: bench/serve_search_refresh.sh MEKONG_BIN SITE}
SITE=${2:?usage: bench/serve_search_refresh.sh MEKONG_BIN SITE}
OUT=$(mktemp)
page=$(find "$SITE/content" -name 'page-1.md' | head -1)
backup=$(mktemp)
cp "$page" "$backup"
"$BIN" serve --root "$SITE" --port 0 >"$OUT" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; cp "$backup" "$page"; rm -f "$backup" "$OUT"' EXIT
wait_for() { # N: until serve has printed N refresh lines
  for _ in $(seq 1 1200); do
    [ "$(grep -c 'search index refreshed' "$OUT")" -ge "$1" ] && return
    sleep 0.1
  done
  echo "no refresh $1 after 120 s" >&2; exit 1
}
wait_for 1
sleep 1
rss1=$(ps -o rss= -p $pid)
for k in 1 2 3; do
  echo "Edited zanzib$k here." >>"$page"
  wait_for $((k + 1))
  sleep 1
done
rss2=$(ps -o rss= -p $pid)
grep 'search index refreshed' "$OUT"
echo "RSS after the first index: $((rss1 / 1024)) MB; after the edits: $((rss2 / 1024)) MB"
