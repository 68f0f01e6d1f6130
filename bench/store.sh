#!/bin/bash
# bench/store.sh SITE ROUNDS: a clean build, then a build after a one-line edit of one page,
# with two mekong binaries in turn (OLD_BIN, NEW_BIN; default /dev/shm/bin/head and
# /dev/shm/bin/new), each round from no output and no `.public.*` files. SITE is a generated
# corpus (`gen_corpus N SITE`) with `search: true` in its site.yaml. Prints wall s, user s,
# sys s and peak RSS KB per build, and the load average. Issue 16; results in bench/search.md.
set -euo pipefail
site=$1
rounds=$2
old=${OLD_BIN:-/dev/shm/bin/head}
new=${NEW_BIN:-/dev/shm/bin/new}
cd "$site"
page=$(find content -name '*.md' ! -name '_index.md' | sort | head -1)
t() { /usr/bin/time -f "%e %U %S %M" "$@" 2>&1 >/dev/null | tail -1; }
for r in $(seq "$rounds"); do
  for b in old new; do
    bin=$old
    [ "$b" = new ] && bin=$new
    rm -rf public .public*
    echo "$b clean: $(t "$bin" build --root .)   load $(cut -d' ' -f1 /proc/loadavg)"
    echo "edit $r $b" >> "$page"
    echo "$b edit1: $(t "$bin" build --root .)   load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
ls -la .public.search 2>/dev/null || true
