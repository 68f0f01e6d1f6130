#!/usr/bin/env python3
"""Time from saving a page to the reload event of `mekong serve`.

usage: bench/serve_latency.py SITE_DIR PAGE_REL [EDITS] [MEKONG_BINARY]

Starts `mekong serve --port 0` on SITE_DIR, listens to /__mekong/events like an open browser tab,
then appends a line to content/PAGE_REL EDITS times (default 9) and prints the median time from the
write to the `reload` event, and serve's own rebuild times. The page is restored afterwards.
PAGE_REL may also be `templates/NAME` or `static/NAME` (a path from the site root): then that
file is edited (an HTML comment is put before a template's last `{% endblock`, or at its end; a
CSS comment is appended), which rebuilds the whole site.
"""
import http.client, os, re, statistics, subprocess, sys, threading, time

site, page = sys.argv[1], sys.argv[2]
edits = int(sys.argv[3]) if len(sys.argv) > 3 else 9
binary = sys.argv[4] if len(sys.argv) > 4 else os.path.join(os.path.dirname(__file__), "..", "target", "release", "mekong")
proc = subprocess.Popen([binary, "serve", "--root", site, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
first = proc.stdout.readline()
port = int(re.search(r":(\d+)/", first).group(1))
log = []
threading.Thread(target=lambda: [log.append(l.strip()) for l in proc.stdout], daemon=True).start()

conn = http.client.HTTPConnection("127.0.0.1", port)
conn.request("GET", "/__mekong/events")
resp = conn.getresponse()
events = []
def listen():
    name = None
    while True:
        line = resp.fp.readline().decode()
        if not line:
            return
        if line.startswith("event: "):
            name = line[7:].strip()
        elif line.strip() == "" and name:
            events.append((time.monotonic(), name))
            name = None
threading.Thread(target=listen, daemon=True).start()
time.sleep(0.5)

path = os.path.join(site, page) if page.startswith(("templates/", "static/")) else os.path.join(site, "content", page)
original = open(path, encoding="utf-8").read()
latencies = []
try:
    for i in range(edits):
        seen = len(events)
        start = time.monotonic()
        with open(path, "w", encoding="utf-8") as f:
            if path.endswith(".css"):
                f.write(original + f"\n/* edit {i} */\n")
            elif "/templates/" in path:
                # A child template allows no text outside its blocks: the edit goes into the last.
                at = original.rfind("{% endblock")
                at = len(original) if at < 0 else at
                f.write(original[:at] + f"<!-- edit {i} -->" + original[at:])
            else:
                f.write(original + f"\n\nEdit number {i}.\n")
        while len(events) == seen and time.monotonic() - start < 120:
            time.sleep(0.001)
        if len(events) > seen:
            latencies.append((events[seen][0] - start) * 1000)
        time.sleep(float(os.environ.get("PAUSE", "0.3")))
finally:
    with open(path, "w", encoding="utf-8") as f:
        f.write(original)
    time.sleep(0.5)
    proc.terminate()
print("save -> reload event, ms:", ", ".join(f"{l:.0f}" for l in latencies))
print(f"median {statistics.median(latencies):.0f} ms over {len(latencies)} edits")
print("serve log:", *[l for l in log if "ms" in l][-4*edits:], sep="\n  ")
