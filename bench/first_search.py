#!/usr/bin/env python3
"""What a reader's first search downloads (issue 16), measured in headless chromium.

    PREFIX=/docs/ python3 bench/first_search.py PUBLIC_DIR [QUERY ...]

Serves PUBLIC_DIR under the sub-path $PREFIX (default /repo/, as GitHub Pages serves a project
site; it must be the site's base path), opens
its home page in a fresh chromium profile, waits until the page has loaded, then types each
QUERY (default: "trade") into the search field and waits for results. The server records every
file it sends; what was sent after the page had loaded is what the search cost. Prints each
file with its size as stored and as GitHub Pages would send it (text types gzipped, Pagefind's
index files are already gzipped and sent as they are), then the totals.

Needs only Python 3 and chromium (`apt-get install chromium`); the DevTools protocol is spoken
over --remote-debugging-pipe (NUL-ended JSON on file descriptors 3 and 4), as the browser tests
do.
"""

import gzip
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

PREFIX = os.environ.get("PREFIX", "/repo/")
TEXT = (".js", ".json", ".html", ".css", ".svg", ".xml", ".txt")
sent = []  # (seconds, path, bytes)
lock = threading.Lock()


def make_handler(root):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=root, **k)

        def translate_path(self, path):
            path = path.split("?", 1)[0].split("#", 1)[0]
            if not path.startswith(PREFIX):
                return os.path.join(root, "__not_under_prefix__")
            return super().translate_path("/" + path[len(PREFIX):])

        def copyfile(self, source, outputfile):
            n = 0
            while True:
                buf = source.read(65536)
                if not buf:
                    break
                outputfile.write(buf)
                n += len(buf)
            with lock:
                sent.append((time.monotonic(), self.path, n))

        def log_message(self, *a):
            pass

    return Handler


class Chromium:
    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="first-search-")
        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()
        exe = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"

        def child_fds():
            os.dup2(to_r, 3)
            os.dup2(from_w, 4)

        self.proc = subprocess.Popen(
            [exe, "--headless", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--disable-extensions", "--disable-background-networking",
             f"--user-data-dir={self.profile}", "about:blank"],
            preexec_fn=child_fds, pass_fds=(3, 4, to_r, from_w),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_r)
        os.close(from_w)
        self.w = os.fdopen(to_w, "wb", buffering=0)
        self.r = os.fdopen(from_r, "rb", buffering=0)
        self.buf = b""
        self.next = 0

    def _read(self):
        while b"\0" not in self.buf:
            chunk = self.r.read(65536)
            if not chunk:
                raise RuntimeError("chromium went away")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None):
        self.next += 1
        m = {"id": self.next, "method": method, "params": params or {}}
        if session:
            m["sessionId"] = session
        self.w.write(json.dumps(m).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self.next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def js(self, session, expr):
        r = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                           "awaitPromise": True}, session)
        return r.get("result", {}).get("value")

    def close(self):
        self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def poll(what, f, timeout=60, why=lambda: ""):
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        v = f()
        if v:
            return v
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what} {why()}")


def wire_size(root, path):
    rel = path.split("?", 1)[0][len(PREFIX):]
    full = os.path.join(root, rel)
    if os.path.isdir(full):
        full = os.path.join(full, "index.html")
    data = open(full, "rb").read()
    if full.endswith(TEXT):
        return len(gzip.compress(data, 6))
    return len(data)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    root = os.path.abspath(sys.argv[1])
    queries = sys.argv[2:] or ["trade"]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(root))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}{PREFIX}"
    chrome = Chromium()
    try:
        target = chrome.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = chrome.call("Target.attachToTarget",
                              {"targetId": target, "flatten": True})["sessionId"]
        chrome.call("Page.navigate", {"url": base}, session)
        poll("the page to load", lambda: chrome.js(session, "document.readyState") == "complete")
        time.sleep(1.0)  # anything the page fetches on its own, before a search
        for q in queries:
            with lock:
                mark = len(sent)
            chrome.js(session, "(() => { const i = document.querySelector('#search-input');"
                      " i.focus(); i.select(); return true; })()")
            chrome.call("Input.insertText", {"text": q}, session)
            n = poll(f"results for {q!r}", lambda: chrome.js(
                session, "document.querySelectorAll('#search-results a.search-result').length"),
                why=lambda: "(files sent: {}; results panel: {!r})".format(
                    [p for _, p, _ in sent[mark:]],
                    chrome.js(session, "(document.getElementById('search-results') || {})"
                              ".textContent")))
            time.sleep(1.0)  # the fragments of the shown results
            with lock:
                files = sent[mark:]
            stored = sum(b for _, _, b in files)
            wire = sum(wire_size(root, p) for _, p, _ in files)
            print(f"query {q!r}: {n} results shown, {len(files)} files fetched")
            for _, p, b in files:
                print(f"  {b:>9,} B stored  {wire_size(root, p):>9,} B sent  {p}")
            print(f"  total: {stored / 1000:.1f} KB stored, {wire / 1000:.1f} KB as GitHub Pages"
                  " sends it (text gzipped)")
    finally:
        chrome.close()
        server.shutdown()


if __name__ == "__main__":
    main()
