#!/usr/bin/env bash
# Checks that two mekong binaries produce byte-identical sites: the AMM-51 site (at the root
# and under a /amm51/ sub-path), a generated corpus, the `mekong init` site and every fixture
# under tests/fixtures/ (build and check, exit codes and messages). Use it before and after a
# refactor that must not change behaviour (issue 11).
#
#   bench/same-output.sh OLD_BINARY NEW_BINARY [SITE_ROOT]
#
# SITE_ROOT defaults to this checkout; give an old checkout when the site itself changed in
# ways the old binary cannot build (e.g. `git worktree add /tmp/old OLD_COMMIT`). Timing numbers and the temporary folder names are
# removed from the logs before they are compared; `.manifest` files (which hash the binary)
# are not compared.
set -uo pipefail
old=$1 new=$2
src=${3:-$(cd "$(dirname "$0")/.." && pwd)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$new" init "$work/init-site" >/dev/null
cargo run --quiet --release --example gen_corpus -- 300 "$work/corpus" >/dev/null

build_all() { # BINARY OUT
  local bin=$1 out=$2
  mkdir -p "$out"
  "$bin" build --root "$src" --output "$out/amm" >"$out/amm.log" 2>&1; echo "amm $?" >>"$out/codes"
  "$bin" build --root "$src" --output "$out/amm-sub" --base-url https://example.github.io/amm51/ >"$out/amm-sub.log" 2>&1; echo "sub $?" >>"$out/codes"
  "$bin" build --root "$work/corpus" --output "$out/corpus" >"$out/corpus.log" 2>&1; echo "corpus $?" >>"$out/codes"
  "$bin" build --root "$work/init-site" --output "$out/init" >"$out/init.log" 2>&1; echo "init $?" >>"$out/codes"
  for f in $(cd "$src/tests/fixtures" && find . -name site.yaml | sed 's|/site.yaml||' | sort); do
    local n; n=$(echo "$f" | tr / _)
    "$bin" build --root "$src/tests/fixtures/$f" --output "$out/fx$n" >"$out/fx$n.log" 2>&1; echo "build $f $?" >>"$out/codes"
    "$bin" check --root "$src/tests/fixtures/$f" >"$out/check$n.log" 2>&1; echo "check $f $?" >>"$out/codes"
  done
  for l in "$out"/*.log; do sed -E -i "s/[0-9]+ ?ms/N ms/g; s|$out|OUT|g" "$l"; done
}
build_all "$old" "$work/old"
build_all "$new" "$work/new"
if diff -r -x '.*.manifest' -x '.*.lock' "$work/old" "$work/new"; then
  echo "same output: $(find "$work/new" -type f | wc -l) files and logs compared"
else
  echo "outputs differ (above)"; exit 1
fi
