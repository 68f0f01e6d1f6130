#!/usr/bin/env bash
# Side-by-side build benchmark: mekong against Hugo on the same generated corpus.
#
#   bench/run.sh N            # e.g. bench/run.sh 1000, bench/run.sh 10000
#
# For each file system in $BENCH_FS (default: "/tmp /dev/shm", i.e. the disk and tmpfs) it
# prepares $FS/bench-N/ (the corpus of examples/gen_corpus.rs plus a copy of bench/hugo/),
# then measures, in one hyperfine run (--warmup 1 --runs 5):
#
#   mekong build                      clean build (no output before each run), search off
#   mekong build, search on           the same corpus with `search: true`
#   mekong rebuild, nothing changed   the output of the clean build left in place
#   mekong build, minimal templates   bench/mekong-minimal/templates, equivalent to the Hugo ones
#   hugo                              clean build, `hugo --quiet`
#   hugo rebuild, output kept         Hugo with its previous output left in place
#
# then runs each once more under /usr/bin/time -v (peak RSS, CPU), and measures the output
# (du -sb, file count) and the size of one page (content/.../page-1.md) in every output.
# Every tool writes to its own folder under $FS/bench-N/out/, on the same file system as its
# input. Before each clean run the previous output is moved aside (BENCH_CLEAN=mv, the
# default; deleted after all measurements) or deleted (BENCH_CLEAN=rm), then `sync` is run, so
# that no run pays for writing back the previous run's files (neither is timed).
#
# Results: $BENCH_RESULTS/N/ (default /tmp/bench-results/N/): hyperfine JSON and Markdown per
# file system, the /usr/bin/time logs, and summary.md with one table per file system.
#
# Environment:
#   MEKONG_BIN    the mekong binary to measure (default: a copy of target/release/mekong,
#                 built with `cargo build --release` only if it is missing)
#   GEN_CORPUS    the gen_corpus binary (default: target/release/examples/gen_corpus, built
#                 if missing)
#   HUGO          the hugo binary (default: hugo on PATH; `apt-get install hugo`)
#   BENCH_FS      file systems to run on (default "/tmp /dev/shm")
#   BENCH_RUNS    hyperfine --runs (default 5); BENCH_WARMUP (default 1)
#   BENCH_CLEAN   mv (default) or rm: how a clean run gets rid of the previous output
#   BENCH_NOTE    a line for env.txt, e.g. which commit the binary was built from
#   BENCH_IDLE_WAIT  seconds to wait for an idle machine before each hyperfine run (default
#                 300; 0 = don't wait). Other sessions' CPU use is logged either way.
set -euo pipefail

N=${1:?usage: bench/run.sh N}
REPO=$(cd "$(dirname "$0")/.." && pwd)
RESULTS=${BENCH_RESULTS:-/tmp/bench-results}/$N
RUNS=${BENCH_RUNS:-5}
WARMUP=${BENCH_WARMUP:-1}
IDLE_WAIT=${BENCH_IDLE_WAIT:-300}
HUGO=${HUGO:-hugo}
mkdir -p "$RESULTS"

need() { command -v "$1" >/dev/null || { echo "bench/run.sh: $1 is missing ($2)" >&2; exit 2; }; }
need hyperfine "apt-get install hyperfine"
need "$HUGO" "apt-get install hugo"
need python3 "apt-get install python3"
[ -x /usr/bin/time ] || { echo "bench/run.sh: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }

# The binaries, copied so that a rebuild in target/ cannot change them during the run.
if [ -z "${MEKONG_BIN:-}" ]; then
  [ -x "$REPO/target/release/mekong" ] || (cd "$REPO" && cargo build --release)
  cp -p "$REPO/target/release/mekong" "$RESULTS/mekong"
  MEKONG_BIN=$RESULTS/mekong
fi
if [ -z "${GEN_CORPUS:-}" ]; then
  [ -x "$REPO/target/release/examples/gen_corpus" ] || (cd "$REPO" && cargo build --release --example gen_corpus)
  cp -p "$REPO/target/release/examples/gen_corpus" "$RESULTS/gen_corpus"
  GEN_CORPUS=$RESULTS/gen_corpus
fi
M=$MEKONG_BIN

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "mekong: $("$M" --version) sha256 $(sha256sum "$M" | cut -c1-16) ($M)"
  echo "repo at run time: $(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$REPO" && [ -n "$(git status --porcelain -- src Cargo.toml 2>/dev/null)" ] && echo ' (src/ has uncommitted changes)' || true); the binary was built $(date -u -r "$M" +%Y-%m-%dT%H:%M:%SZ)"
  [ -z "${BENCH_NOTE:-}" ] || echo "note: $BENCH_NOTE"
  echo "hugo: $("$HUGO" version | cut -d' ' -f1-2)"
  echo "hyperfine: $(hyperfine --version)"
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
} | tee "$RESULTS/env.txt"

# Busy fraction of all CPUs over one second, from /proc/stat.
busy() {
  local a b
  a=($(head -1 /proc/stat)); sleep 1; b=($(head -1 /proc/stat))
  local idle=$(( (b[4] + b[5]) - (a[4] + a[5]) )) total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$(( total + b[i] - a[i] )); done
  echo $(( total > 0 ? 100 * (total - idle) / total : 0 ))
}
# Waits until the machine has been under 10% busy for 3 seconds in a row (at most IDLE_WAIT s).
wait_idle() {
  [ "$IDLE_WAIT" -gt 0 ] || return 0
  local quiet=0 waited=0 b
  while [ "$quiet" -lt 3 ]; do
    b=$(busy); waited=$((waited + 1))
    if [ "$b" -lt 10 ]; then quiet=$((quiet + 1)); else quiet=0; fi
    if [ "$waited" -ge "$IDLE_WAIT" ]; then
      echo "  warning: the machine did not become idle in ${IDLE_WAIT}s (last: ${b}% busy); measuring anyway" | tee -a "$RESULTS/env.txt"
      return 0
    fi
  done
  [ "$waited" -le 3 ] || echo "  (waited ${waited}s for an idle machine)"
}
# Logs, every 2 s, the cores that processes of other sessions use (bench/monitor.py): a run
# disturbed by other work on the machine is flagged in the summary.
SID=$(ps -o sid= -p $$ | tr -d ' ')
# Old outputs and corpora go here during the run and are deleted at the end (see clean below).
TRASH_ROOTS=()
mon=
trap '[ -z "$mon" ] || kill "$mon" 2>/dev/null || true; [ ${#TRASH_ROOTS[@]} -eq 0 ] || rm -rf "${TRASH_ROOTS[@]}"' EXIT

for FS in ${BENCH_FS:-/tmp /dev/shm}; do
  D=$FS/bench-$N
  TRASH=$FS/bench-trash-$$
  TRASH_ROOTS+=("$TRASH")
  tag=$( [ "$FS" = /dev/shm ] && echo tmpfs || echo "$(basename "$FS")" )
  R=$RESULTS/$tag
  mkdir -p "$R"
  echo "== N=$N on $FS ($(stat -f -c %T "$FS"))"

  # The sites: one corpus, hard-linked into the two variants that need another site.yaml or
  # templates/. Hugo reads site/ (hugo.toml and layouts/ beside content/; it ignores site.yaml).
  mkdir -p "$TRASH"
  [ ! -e "$D" ] || mv "$D" "$TRASH/old-$tag-$N"
  mkdir -p "$D/out"
  "$GEN_CORPUS" "$N" "$D/site" >/dev/null
  cp "$REPO/bench/hugo/hugo.toml" "$D/site/"
  cp -r "$REPO/bench/hugo/layouts" "$D/site/"
  mkdir -p "$D/search" "$D/minimal"
  cp -al "$D/site/content" "$D/search/"
  sed 's/^search: false$/search: true/' "$D/site/site.yaml" >"$D/search/site.yaml"
  grep -q '^search: true$' "$D/search/site.yaml" || { echo "could not turn search on" >&2; exit 1; }
  cp -al "$D/site/content" "$D/minimal/"
  cp "$D/site/site.yaml" "$D/minimal/"
  cp -r "$REPO/bench/mekong-minimal/templates" "$D/minimal/"
  page_src=$(cd "$D/site/content" && find . -name page-1.md | head -1)
  page_out=${page_src#./}; page_out=${page_out%.md}/index.html

  names=(mekong mekong-search mekong-rebuild mekong-minimal hugo hugo-rebuild)
  declare -A label=(
    [mekong]="mekong build"
    [mekong-search]="mekong build, search on"
    [mekong-rebuild]="mekong rebuild, nothing changed"
    [mekong-minimal]="mekong build, minimal templates"
    [hugo]="hugo"
    [hugo-rebuild]="hugo rebuild, output kept"
  )
  declare -A cmd=(
    [mekong]="$M build --root $D/site --output $D/out/mekong"
    [mekong-search]="$M build --root $D/search --output $D/out/mekong-search"
    [mekong-rebuild]="$M build --root $D/site --output $D/out/mekong"
    [mekong-minimal]="$M build --root $D/minimal --output $D/out/mekong-minimal"
    [hugo]="$HUGO --quiet -s $D/site -d $D/out/hugo"
    [hugo-rebuild]="$HUGO --quiet -s $D/site -d $D/out/hugo"
  )
  declare -A out=(
    [mekong]=$D/out/mekong [mekong-search]=$D/out/mekong-search [mekong-rebuild]=$D/out/mekong
    [mekong-minimal]=$D/out/mekong-minimal [hugo]=$D/out/hugo [hugo-rebuild]=$D/out/hugo
  )
  # How a clean run starts from no output: BENCH_CLEAN=mv (default) moves the old output into
  # a trash folder that is deleted after all measurements; BENCH_CLEAN=rm deletes it right
  # before the run. On an ext4 without a journal (this machine's disk: /proc/fs/jbd2 empty),
  # every new inode is checked against recently deleted ones (the kernel's recently_deleted()),
  # so `rm -rf` right before a build makes that build's file creation slower, more so the more
  # was deleted in the last minutes: it measures the harness as much as the tool.
  mkdir -p "$TRASH/$tag"
  clean() {
    case ${BENCH_CLEAN:-mv} in
      rm) echo "rm -rf $1 && sync" ;;
      *) echo "if [ -e $1 ]; then mv $1 $TRASH/$tag/\$(date +%s%N); fi && sync" ;;
    esac
  }
  declare -A prep=(
    [mekong]="$(clean "$D/out/mekong")" [mekong-search]="$(clean "$D/out/mekong-search")"
    [mekong-rebuild]="sync" [mekong-minimal]="$(clean "$D/out/mekong-minimal")"
    [hugo]="$(clean "$D/out/hugo")" [hugo-rebuild]="sync"
  )

  # A first build of each: the outputs must be right before anything is timed.
  for k in mekong mekong-search mekong-minimal hugo; do
    ${cmd[$k]} >"$R/first-$k.log" 2>&1 || { echo "$k failed:"; cat "$R/first-$k.log"; exit 1; }
  done

  # 1. hyperfine, all six side by side.
  args=()
  for k in "${names[@]}"; do args+=(-n "${label[$k]}" --prepare "${prep[$k]}" "${cmd[$k]}"); done
  wait_idle
  python3 "$REPO/bench/monitor.py" "$SID" >"$R/monitor.log" 2>&1 & mon=$!
  hyperfine --warmup "$WARMUP" --runs "$RUNS" --style basic \
    --export-json "$R/hyperfine.json" --export-markdown "$R/hyperfine.md" "${args[@]}"
  kill "$mon" 2>/dev/null || true; wait "$mon" 2>/dev/null || true; mon=

  # 2. /usr/bin/time -v once each (clean builds start from no output; rebuilds from the last).
  for k in "${names[@]}"; do
    case $k in *rebuild) sync ;; *) sh -c "${prep[$k]}" ;; esac
    /usr/bin/time -v -o "$R/time-$k.txt" ${cmd[$k]} >"$R/stdout-$k.txt" 2>"$R/stderr-$k.txt"
  done

  # 3. Sizes.
  for k in mekong mekong-search mekong-minimal hugo; do
    o=${out[$k]}
    {
      echo "du_sb $(du -sb "$o" | cut -f1)"
      echo "files $(find "$o" -type f | wc -l)"
      echo "file_bytes $(find "$o" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')"
      echo "page $(stat -c %s "$o/$page_out" 2>/dev/null || echo missing)"
      echo "page_path $page_out"
    } >"$R/size-$k.txt"
  done
  echo "page: content/${page_src#./} -> $page_out" >"$R/page.txt"
done

echo "clean runs: the previous output was ${BENCH_CLEAN:-mv}-ed away first (BENCH_CLEAN)" >>"$RESULTS/env.txt"
python3 "$REPO/bench/summary.py" "$RESULTS" | tee "$RESULTS/summary.md"
