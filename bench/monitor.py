#!/usr/bin/env python3
"""Logs the CPU that other sessions use while a benchmark runs: `monitor.py SID`.

Every 2 s it prints `time other_cores top_other`: the cores used (0 to nproc) by processes
outside session SID (the benchmark's; kernel threads are left out) since the last sample,
and the busiest such process. A process that starts and ends between two samples is not
seen, so this is a lower bound. bench/run.sh runs it during hyperfine, and summary.py reports
how much of the machine other work took, so a disturbed run can be seen as such.
"""

import os
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")


def sample(own_sid):
    cpu = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        sid = int(fields[3])
        if sid == 0 or sid == own_sid:
            continue
        cpu[pid] = (comm, int(fields[11]) + int(fields[12]))
    return cpu


def main():
    own_sid = int(sys.argv[1]) if len(sys.argv) > 1 else os.getsid(0)
    prev, t0 = sample(own_sid), time.monotonic()
    while True:
        time.sleep(2)
        cur, t1 = sample(own_sid), time.monotonic()
        deltas = {}
        for pid, (comm, ticks) in cur.items():
            d = ticks - (prev[pid][1] if pid in prev else 0)
            if d > 0:
                deltas[comm] = deltas.get(comm, 0) + d
        total = sum(deltas.values()) / HZ / (t1 - t0)
        top = max(deltas, key=deltas.get) if deltas else "-"
        print(f"{time.time():.0f} {total:.2f} {top}", flush=True)
        prev, t0 = cur, t1


if __name__ == "__main__":
    main()
