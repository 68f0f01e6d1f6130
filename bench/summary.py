#!/usr/bin/env python3
"""Prints the Markdown summary of one bench/run.sh result folder: `summary.py RESULTS/N`."""

import json
import os
import re
import sys

ORDER = ["mekong", "mekong-search", "mekong-rebuild", "mekong-minimal", "hugo", "hugo-rebuild"]
LABEL = {
    "mekong": "mekong build",
    "mekong-search": "mekong build, search on",
    "mekong-rebuild": "mekong rebuild, nothing changed",
    "mekong-minimal": "mekong build, minimal templates",
    "hugo": "hugo",
    "hugo-rebuild": "hugo rebuild, output kept",
}
SIZE_OF = {"mekong-rebuild": "mekong", "hugo-rebuild": "hugo"}


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def time_v(text):
    """Peak RSS (MB), user+sys (s) and wall (s) from `/usr/bin/time -v`."""
    def num(key):
        m = re.search(re.escape(key) + r":\s*([0-9.:]+)", text)
        return m.group(1) if m else None

    rss = num("Maximum resident set size (kbytes)")
    user, sys_ = num("User time (seconds)"), num("System time (seconds)")
    wall = num("Elapsed (wall clock) time (h:mm:ss or m:ss)")
    secs = None
    if wall:
        parts = [float(p) for p in wall.split(":")]
        secs = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    return (
        int(rss) / 1024 if rss else None,
        float(user) + float(sys_) if user and sys_ else None,
        secs,
    )


def sizes(text):
    d = {}
    for line in text.splitlines():
        k, _, v = line.partition(" ")
        d[k] = v
    return d


def fmt(x, spec):
    return "–" if x is None else format(x, spec)


def main():
    root = sys.argv[1]
    n = os.path.basename(root.rstrip("/"))
    print(f"## N = {int(n):,} pages\n")
    print("```text\n" + read(os.path.join(root, "env.txt")).strip() + "\n```\n")
    for tag in sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d))):
        r = os.path.join(root, tag)
        hf = json.loads(read(os.path.join(r, "hyperfine.json")) or '{"results": []}')
        by_name = {x["command"]: x for x in hf["results"]}
        print(f"### {tag} (N = {int(n):,})\n")
        print(read(os.path.join(r, "page.txt")).strip() + "\n")
        print("| build | wall, median (s) | wall, min–max (s) | CPU user+sys, mean (s) "
              "| peak RSS (MB) | output: du -sb / file bytes (MB) | files | one page (bytes) | mekong's own line |")
        print("|---|--:|--:|--:|--:|--:|--:|--:|---|")
        for k in ORDER:
            h = by_name.get(LABEL[k])
            if h is None:
                continue
            rss, _cpu1, _wall1 = time_v(read(os.path.join(r, f"time-{k}.txt")))
            s = sizes(read(os.path.join(r, f"size-{SIZE_OF.get(k, k)}.txt")))
            line = read(os.path.join(r, f"stdout-{k}.txt")).strip().splitlines()
            own = ""
            if line and k.startswith("mekong"):
                m = re.search(r"in (\d+) ms: (.*)", line[-1])
                own = f"{m.group(1)} ms; {m.group(2)}" if m else line[-1]
            du = int(s["du_sb"]) / 1e6 if s.get("du_sb") else None
            fb = int(s["file_bytes"]) / 1e6 if s.get("file_bytes") else None
            print(
                f"| {LABEL[k]} | {h['median']:.3f} ± {h['stddev']:.3f} | {h['min']:.3f}–{h['max']:.3f} "
                f"| {h['user'] + h['system']:.2f} | {fmt(rss, '.0f')} | {fmt(du, '.1f')} / {fmt(fb, '.1f')} "
                f"| {s.get('files', '–')} | {s.get('page', '–')} | {own} |"
            )
        mon = [l.split() for l in read(os.path.join(r, "monitor.log")).splitlines() if l.strip()]
        mon = [m for m in mon if len(m) >= 3]
        if mon:
            cores = [float(m[1]) for m in mon]
            busy = sum(1 for c in cores if c >= 0.25)
            tops = {}
            for m in mon:
                if float(m[1]) >= 0.25:
                    tops[m[2]] = tops.get(m[2], 0) + 1
            top = ", ".join(f"{k} ({v})" for k, v in sorted(tops.items(), key=lambda kv: -kv[1])[:3])
            print(
                f"\nOther work on the machine during the hyperfine run: {sum(cores) / len(cores):.2f} cores "
                f"on average (of {os.cpu_count()}), at least a quarter core in {busy} of {len(mon)} "
                f"2-second samples" + (f"; busiest: {top}." if busy else ".")
                + (" Wall times of this table are disturbed; CPU times less so." if busy > len(mon) // 10 else "")
            )
        print()


if __name__ == "__main__":
    main()
