//! Drives Debian's headless chromium over the DevTools protocol: finding chromium, launching
//! it offline with `--remote-debugging-pipe` (JSON messages ended by a NUL byte on file
//! descriptors 3 and 4, so no WebSocket and no DevTools crate), and a `Page` that records every
//! console error, exception and failed or refused request. It speaks only the few commands
//! and events the tests use, as plain `serde_json` values.

use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// How long a command may take before the test fails (the first one waits for chromium to
/// start).
const CALL_TIMEOUT: Duration = Duration::from_secs(20);
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Where chromium is: `$MEKONG_CHROMIUM` if set (a missing path simulates a machine without
/// chromium), else Debian's `/usr/bin/chromium` or a usual alternative; keep in step with
/// build.rs, which ignores the browser tests where it finds none. A test that runs without
/// chromium (under `CI=true`, or after it was removed) fails.
pub fn chromium() -> PathBuf {
    let candidates: Vec<PathBuf> = match std::env::var_os("MEKONG_CHROMIUM") {
        Some(p) => vec![PathBuf::from(p)],
        None => [
            "/usr/bin/chromium",
            "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome",
        ]
        .iter()
        .map(PathBuf::from)
        .collect(),
    };
    match candidates.iter().find(|p| p.is_file()) {
        Some(p) => p.clone(),
        None => crate::support::unavailable(&format!(
            "chromium not found (looked at {candidates:?}; install it with `apt-get install -y chromium`)"
        )),
    }
}

/// Polls `f` every 50 ms until it returns `Some`, or panics after `timeout` with `what`.
pub fn poll<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        if start.elapsed() > timeout {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The DevTools connection: commands go out on chromium's fd 3; a reader thread takes replies
/// and events from its fd 4, hands each reply to the caller waiting for its id and each event
/// to the page whose session sent it.
struct Connection {
    to_chrome: Mutex<std::io::PipeWriter>,
    next_id: AtomicU64,
    pending: Mutex<HashMap<u64, mpsc::Sender<Value>>>,
    pages: Mutex<HashMap<String, Arc<Mutex<Recorded>>>>,
}

impl Connection {
    /// Sends `method` (to a page's session, or to the browser) and waits for its result.
    fn call(
        &self,
        session: Option<&str>,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Value, String> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel();
        self.pending.lock().unwrap().insert(id, tx);
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            message["sessionId"] = s.into();
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        if let Err(e) = self.to_chrome.lock().unwrap().write_all(&bytes) {
            self.pending.lock().unwrap().remove(&id);
            return Err(format!("{method}: cannot write to chromium: {e}"));
        }
        let reply = rx.recv_timeout(timeout).map_err(|e| {
            self.pending.lock().unwrap().remove(&id);
            match e {
                mpsc::RecvTimeoutError::Timeout => format!("{method}: no answer in {timeout:?}"),
                mpsc::RecvTimeoutError::Disconnected => format!("{method}: chromium went away"),
            }
        })?;
        if let Some(e) = reply.get("error") {
            return Err(format!("{method}: {e}"));
        }
        Ok(reply.get("result").cloned().unwrap_or(Value::Null))
    }

    fn read_loop(&self, from_chrome: std::io::PipeReader) {
        let mut from_chrome = BufReader::new(from_chrome);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match from_chrome.read_until(0, &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            if buf.last() == Some(&0) {
                buf.pop();
            }
            let Ok(message) = serde_json::from_slice::<Value>(&buf) else {
                continue;
            };
            if let Some(id) = message.get("id").and_then(Value::as_u64) {
                if let Some(tx) = self.pending.lock().unwrap().remove(&id) {
                    let _ = tx.send(message);
                }
            } else if let (Some(session), Some(method)) = (
                message.get("sessionId").and_then(Value::as_str),
                message.get("method").and_then(Value::as_str),
            ) {
                let page = self.pages.lock().unwrap().get(session).cloned();
                if let Some(page) = page
                    && let Ok(mut r) = page.lock()
                {
                    r.on_event(method, &message["params"]);
                }
            }
        }
        // Chromium is gone: whoever still waits gets an error at once.
        self.pending.lock().unwrap().clear();
    }
}

/// A duplicate of `fd` numbered 10 or more, so that moving it to 3 or 4 in the child cannot
/// overwrite the other one.
fn high_fd(fd: &impl AsRawFd) -> OwnedFd {
    // SAFETY: F_DUPFD_CLOEXEC makes a new descriptor, which we then own.
    let new = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 10) };
    assert!(new >= 0, "fcntl: {}", std::io::Error::last_os_error());
    // SAFETY: `new` is open and owned by nobody else.
    unsafe { OwnedFd::from_raw_fd(new) }
}

/// One headless chromium with its own fresh profile, killed when dropped.
pub struct Chrome {
    conn: Arc<Connection>,
    child: Child,
    _profile: tempfile::TempDir,
}

impl Chrome {
    /// Launches chromium (and fails the test when it is not installed).
    pub fn launch() -> Chrome {
        let path = chromium();
        let profile = crate::support::tempdir();
        let mut args: Vec<String> = [
            "--remote-debugging-pipe",
            "--no-first-run",
            // The switches the `headless_chrome` crate added, which these tests grew up with.
            "--disable-background-networking",
            "--enable-features=NetworkService,NetworkServiceInProcess",
            "--disable-background-timer-throttling",
            "--disable-backgrounding-occluded-windows",
            "--disable-breakpad",
            "--disable-client-side-phishing-detection",
            "--disable-component-extensions-with-background-pages",
            "--disable-default-apps",
            "--disable-dev-shm-usage",
            "--disable-extensions",
            "--disable-hang-monitor",
            "--disable-ipc-flooding-protection",
            "--disable-popup-blocking",
            "--disable-prompt-on-repost",
            "--disable-renderer-backgrounding",
            "--force-color-profile=srgb",
            "--enable-automation",
            "--password-store=basic",
            "--use-mock-keychain",
            // Ours.
            "--headless",
            "--no-sandbox",
            "--disable-setuid-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-default-browser-check",
            "--disable-component-update",
            "--disable-sync",
            "--disable-domain-reliability",
            "--no-pings",
            "--metrics-recording-only",
            "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
            // No name resolves but the loopback address: nothing can leave the machine.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--hide-scrollbars",
            "--font-render-hinting=none",
            "--window-size=1280,800",
        ]
        .iter()
        .map(|a| a.to_string())
        .collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        args.push("about:blank".into());

        // Chromium reads commands from fd 3 and writes replies and events to fd 4.
        let (chrome_reads, we_write) = std::io::pipe().unwrap();
        let (we_read, chrome_writes) = std::io::pipe().unwrap();
        let (r, w) = (high_fd(&chrome_reads), high_fd(&chrome_writes));
        drop((chrome_reads, chrome_writes));
        let (r_raw, w_raw): (RawFd, RawFd) = (r.as_raw_fd(), w.as_raw_fd());
        let mut cmd = Command::new(&path);
        // Its own process group, so that the drop can end its helpers (renderers, the network
        // service) too: killed alone, the browser leaves them writing into the profile.
        cmd.process_group(0)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: only dup2, which is async-signal-safe, runs between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                if libc::dup2(r_raw, 3) < 0 || libc::dup2(w_raw, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot launch {}: {e}", path.display()));
        // Only chromium may hold its ends, or its exit would not end the reader.
        drop((r, w, cmd));
        let conn = Arc::new(Connection {
            to_chrome: Mutex::new(we_write),
            next_id: AtomicU64::new(1),
            pending: Mutex::new(HashMap::new()),
            pages: Mutex::new(HashMap::new()),
        });
        let reader = conn.clone();
        std::thread::spawn(move || reader.read_loop(we_read));
        let chrome = Chrome {
            conn,
            child,
            _profile: profile,
        };
        chrome
            .conn
            .call(None, "Browser.getVersion", json!({}), START_TIMEOUT)
            .unwrap_or_else(|e| panic!("cannot talk to {}: {e}", path.display()));
        chrome
    }

    /// A new tab that records what the page does.
    pub fn page(&self) -> Page {
        let call = |method: &str, params: Value| {
            self.conn
                .call(None, method, params, CALL_TIMEOUT)
                .unwrap_or_else(|e| panic!("cannot open a tab: {e}"))
        };
        let target = call("Target.createTarget", json!({"url": "about:blank"}));
        let target_id = target["targetId"].as_str().unwrap_or_default().to_string();
        let attached = call(
            "Target.attachToTarget",
            json!({"targetId": target_id, "flatten": true}),
        );
        let session = attached["sessionId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let rec = Arc::new(Mutex::new(Recorded::default()));
        self.conn
            .pages
            .lock()
            .unwrap()
            .insert(session.clone(), rec.clone());
        let page = Page {
            conn: self.conn.clone(),
            session,
            rec,
        };
        page.call("Page.enable", json!({}));
        page.call("Page.setLifecycleEventsEnabled", json!({"enabled": true}));
        page.call("Runtime.enable", json!({}));
        page.call("Log.enable", json!({}));
        page.call("Network.enable", json!({}));
        // No cache: every visit really asks the server.
        page.call("Network.setCacheDisabled", json!({"cacheDisabled": true}));
        page
    }
}

impl Drop for Chrome {
    fn drop(&mut self) {
        // Asked to close, chromium ends its helpers itself and stops writing its profile.
        let _ = self
            .conn
            .call(None, "Browser.close", json!({}), Duration::from_secs(5));
        let deadline = Instant::now() + Duration::from_secs(5);
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        // SAFETY: kill(2) on the process group chromium leads; no memory is touched.
        unsafe {
            libc::kill(-(self.child.id() as i32), libc::SIGKILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Helpers that were still alive may have written after the removal started.
        for _ in 0..50 {
            if !self._profile.path().exists()
                || std::fs::remove_dir_all(self._profile.path()).is_ok()
            {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Everything a tab reported that the tests look at.
#[derive(Default)]
pub struct Recorded {
    /// The page the tests last navigated to, to say where a problem happened.
    pub at: String,
    /// Console errors, uncaught exceptions, log errors, failed and >= 400 requests.
    pub problems: Vec<String>,
    /// Every request URL, in order.
    pub requests: Vec<String>,
    /// (loader id, lifecycle event name) of the main frame and its children.
    pub lifecycle: Vec<(String, String)>,
    /// Requests not finished yet (EventSource streams excluded), with their loader id.
    pub inflight: HashMap<String, String>,
    /// (url, status) of every response.
    pub responses: Vec<(String, u32)>,
    /// URLs expected to answer >= 400 (a deliberate visit of a missing page).
    pub expected_errors: HashSet<String>,
    /// Request id to URL, to name failed requests.
    urls: HashMap<String, String>,
    /// Request id to the URL of the document that made it.
    documents: HashMap<String, String>,
}

/// A console argument or exception as text.
fn remote_text(o: &Value) -> String {
    match o.get("value") {
        Some(Value::String(s)) => s.clone(),
        Some(v) if !v.is_null() => v.to_string(),
        _ => match o.get("description").and_then(Value::as_str) {
            Some(d) => d.to_string(),
            None => o["type"].as_str().unwrap_or("undefined").to_string(),
        },
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        v => v.to_string(),
    }
}

fn strip_fragment(url: &str) -> &str {
    url.split('#').next().unwrap_or(url)
}

impl Recorded {
    fn on_event(&mut self, method: &str, p: &Value) {
        match method {
            "Runtime.consoleAPICalled" if p["type"] == "error" || p["type"] == "assert" => {
                let args = p["args"].as_array().map(Vec::as_slice).unwrap_or_default();
                let text: Vec<String> = args.iter().map(remote_text).collect();
                let msg = format!("console.error on {}: {}", self.at, text.join(" "));
                self.problems.push(msg);
            }
            "Runtime.exceptionThrown" => {
                let d = &p["exceptionDetails"];
                let desc = text(&d["exception"]["description"]);
                self.problems.push(format!(
                    "uncaught exception on {}: {} {} (at {}:{}:{})",
                    self.at,
                    text(&d["text"]),
                    desc,
                    text(&d["url"]),
                    d["lineNumber"].as_i64().unwrap_or(0) + 1,
                    d["columnNumber"].as_i64().unwrap_or(0) + 1
                ));
            }
            "Log.entryAdded" => {
                let entry = &p["entry"];
                if entry["level"] == "error" {
                    let url = text(&entry["url"]);
                    if !self.expected_errors.contains(strip_fragment(&url)) {
                        self.problems.push(format!(
                            "log error ({}) on {}: {} [{url}]",
                            text(&entry["source"]),
                            self.at,
                            text(&entry["text"])
                        ));
                    }
                }
            }
            "Network.requestWillBeSent" => {
                let url = text(&p["request"]["url"]);
                let id = text(&p["requestId"]);
                self.requests.push(url.clone());
                self.urls.insert(id.clone(), url);
                self.documents.insert(id.clone(), text(&p["documentURL"]));
                if p["type"] != "EventSource" {
                    self.inflight.insert(id, text(&p["loaderId"]));
                }
            }
            "Network.responseReceived" => {
                let r = &p["response"];
                let url = text(&r["url"]);
                let status = r["status"].as_f64().unwrap_or(0.0) as u32;
                self.responses.push((url.clone(), status));
                if status >= 400 && !self.expected_errors.contains(strip_fragment(&url)) {
                    let by = self
                        .documents
                        .get(&text(&p["requestId"]))
                        .filter(|d| !d.is_empty())
                        .unwrap_or(&self.at);
                    self.problems
                        .push(format!("HTTP {status} for {url} (requested by {by})"));
                }
            }
            "Network.loadingFinished" => {
                self.inflight.remove(&text(&p["requestId"]));
            }
            "Network.loadingFailed" => {
                let id = text(&p["requestId"]);
                self.inflight.remove(&id);
                let url = self.urls.get(&id).cloned().unwrap_or_default();
                // A request the page itself gave up (navigating away, an aborted fetch) is not
                // a failure of the site.
                if p["canceled"] != true && !self.expected_errors.contains(strip_fragment(&url)) {
                    self.problems.push(format!(
                        "request failed: {url} ({}, {}) on {}",
                        text(&p["errorText"]),
                        text(&p["type"]),
                        self.at
                    ));
                }
            }
            "Page.lifecycleEvent" => {
                let loader = text(&p["loaderId"]);
                if p["name"] == "init" {
                    // A new document: what the previous one was loading no longer matters.
                    self.inflight.retain(|_, l| *l == loader);
                }
                self.lifecycle.push((loader, text(&p["name"])));
            }
            _ => {}
        }
    }
}

/// What a key sends: (key, code, key code, text), as a US keyboard types it.
fn key_definition(key: &str) -> Option<(String, String, u32, Option<String>)> {
    let named = |code: &str, key_code: u32, text: Option<&str>| {
        Some((
            key.to_string(),
            code.to_string(),
            key_code,
            text.map(str::to_string),
        ))
    };
    match key {
        "Enter" => named("Enter", 13, Some("\r")),
        "Escape" => named("Escape", 27, None),
        "Tab" => named("Tab", 9, None),
        "Backspace" => named("Backspace", 8, None),
        "ArrowLeft" => named("ArrowLeft", 37, None),
        "ArrowUp" => named("ArrowUp", 38, None),
        "ArrowRight" => named("ArrowRight", 39, None),
        "ArrowDown" => named("ArrowDown", 40, None),
        " " => named("Space", 32, Some(" ")),
        "/" => named("Slash", 191, Some("/")),
        _ => {
            let mut chars = key.chars();
            let (Some(c), None) = (chars.next(), chars.next()) else {
                return None;
            };
            let upper = c.to_ascii_uppercase();
            if c.is_ascii_alphabetic() {
                named(&format!("Key{upper}"), upper as u32, Some(key))
            } else if c.is_ascii_digit() {
                named(&format!("Digit{c}"), c as u32, Some(key))
            } else {
                None
            }
        }
    }
}

/// A tab plus what it recorded.
pub struct Page {
    conn: Arc<Connection>,
    session: String,
    pub rec: Arc<Mutex<Recorded>>,
}

impl Page {
    /// Sends a command to this tab.
    fn try_call(&self, method: &str, params: Value, timeout: Duration) -> Result<Value, String> {
        self.conn.call(Some(&self.session), method, params, timeout)
    }

    /// `try_call` that must succeed.
    fn call(&self, method: &str, params: Value) -> Value {
        self.try_call(method, params, CALL_TIMEOUT)
            .unwrap_or_else(|e| panic!("on {}: {e}", self.rec().at))
    }

    pub fn rec(&self) -> std::sync::MutexGuard<'_, Recorded> {
        self.rec.lock().unwrap()
    }

    /// Checks that the event plumbing works with this chromium: a console.error, an uncaught
    /// exception and a 404 must each be reported, or every "no error" assertion would be hollow.
    pub fn self_test(&self, missing_url: &str) {
        self.eval(&format!(
            "console.error('mekong-probe-console'); \
             setTimeout(() => {{ throw new Error('mekong-probe-exception') }}, 0); \
             fetch({missing_url:?}).then(r => r.text()).catch(() => {{}}); true"
        ))
        .unwrap();
        poll(
            "the probe console.error, exception and 404 to be reported over the DevTools protocol \
             (if this times out, the harness cannot read this chromium's events)",
            Duration::from_secs(5),
            || {
                let r = self.rec();
                let has = |s: &str| r.problems.iter().any(|p| p.contains(s));
                (has("mekong-probe-console")
                    && has("mekong-probe-exception")
                    && has(&format!("HTTP 404 for {missing_url}")))
                .then_some(())
            },
        );
        self.rec()
            .problems
            .retain(|p| !p.contains("mekong-probe") && !p.contains(missing_url));
    }

    /// Evaluates `js` in the page, awaiting a promise, and returns its value as JSON.
    pub fn eval(&self, js: &str) -> Result<Value, String> {
        let r = self.try_call(
            "Runtime.evaluate",
            json!({
                "expression": js,
                "silent": true,
                "returnByValue": true,
                "userGesture": true,
                "awaitPromise": true,
            }),
            CALL_TIMEOUT,
        )?;
        if let Some(d) = r.get("exceptionDetails") {
            let desc = text(&d["exception"]["description"]);
            return Err(format!("{}: {desc}", text(&d["text"])));
        }
        Ok(r["result"].get("value").cloned().unwrap_or(Value::Null))
    }

    /// `eval` that must succeed.
    pub fn js(&self, js: &str) -> Value {
        self.eval(js)
            .unwrap_or_else(|e| panic!("on {}: `{js}` failed: {e}", self.url()))
    }

    pub fn js_bool(&self, js: &str) -> bool {
        self.js(js).as_bool().unwrap_or(false)
    }

    pub fn js_str(&self, js: &str) -> String {
        match self.js(js) {
            Value::String(s) => s,
            Value::Null => String::new(),
            v => v.to_string(),
        }
    }

    pub fn js_f64(&self, js: &str) -> f64 {
        self.js(js).as_f64().unwrap_or(f64::NAN)
    }

    /// Polls the JavaScript condition `js` until it is true. Evaluation errors (the page is
    /// being replaced) count as false.
    pub fn wait_js(&self, what: &str, timeout: Duration, js: &str) {
        let mut last;
        let start = Instant::now();
        loop {
            match self.eval(js) {
                Ok(Value::Bool(true)) => return,
                Ok(v) => last = format!("last value {v}"),
                Err(e) => last = format!("last error {e}"),
            }
            if start.elapsed() > timeout {
                panic!(
                    "timed out after {timeout:?} waiting for {what} on {} (`{js}`: {last})",
                    self.url()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The page's current URL, from the page itself.
    pub fn url(&self) -> String {
        self.eval("location.href")
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| self.rec().at.clone())
    }

    /// Navigates and waits for the `load` event, then for the network to be quiet.
    pub fn goto(&self, url: &str) {
        {
            // What the previous document was still loading is cancelled by the navigation.
            let mut r = self.rec();
            r.at = url.to_string();
            r.inflight.clear();
        }
        let ret = self
            .try_call("Page.navigate", json!({"url": url}), CALL_TIMEOUT)
            .unwrap_or_else(|e| panic!("cannot navigate to {url}: {e}"));
        if let Some(err) = ret.get("errorText").and_then(Value::as_str) {
            panic!("navigation to {url} failed: {err}");
        }
        let loader = text(&ret["loaderId"]);
        poll(
            &format!("the load event of {url}"),
            Duration::from_secs(15),
            || {
                self.rec()
                    .lifecycle
                    .iter()
                    .any(|(l, n)| *l == loader && n == "load")
                    .then_some(())
            },
        );
        self.settle();
    }

    /// Waits until no request is in flight for 100 ms (at most 5 s).
    pub fn settle(&self) {
        let start = Instant::now();
        let mut quiet_since: Option<Instant> = None;
        while start.elapsed() < Duration::from_secs(5) {
            let idle = self.rec().inflight.is_empty();
            match (idle, quiet_since) {
                (true, Some(t)) if t.elapsed() >= Duration::from_millis(100) => return,
                (true, None) => quiet_since = Some(Instant::now()),
                (false, _) => quiet_since = None,
                _ => {}
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let r = self.rec();
        let names: Vec<&String> = r.inflight.keys().filter_map(|id| r.urls.get(id)).collect();
        eprintln!("note: {} still loading after 5 s: {names:?}", r.at);
    }

    /// Sets the viewport size (CSS pixels, device scale 1, desktop-style: the page cannot be
    /// zoomed out to hide an overflow).
    pub fn viewport(&self, width: u32, height: u32) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({
                "width": width,
                "height": height,
                "deviceScaleFactor": 1,
                "mobile": false,
                "screenWidth": width,
                "screenHeight": height,
            }),
        );
    }

    /// Emulates `prefers-color-scheme`.
    pub fn color_scheme(&self, scheme: &str) {
        self.call(
            "Emulation.setEmulatedMedia",
            json!({"features": [{"name": "prefers-color-scheme", "value": scheme}]}),
        );
    }

    /// Clicks the middle of the first element matching `selector`, with real mouse events,
    /// after scrolling it into view.
    pub fn click(&self, selector: &str) {
        let js = format!(
            "(() => {{ const e = document.querySelector({selector:?}); if (!e) return null; \
             e.scrollIntoView({{block: 'center', inline: 'center'}}); \
             const r = e.getBoundingClientRect(); \
             return [r.left + r.width / 2, r.top + r.height / 2, r.width, r.height]; }})()"
        );
        let v = self.js(&js);
        let Some(a) = v.as_array() else {
            panic!("on {}: nothing matches `{selector}` to click", self.url());
        };
        let n = |i: usize| a[i].as_f64().unwrap_or(0.0);
        assert!(
            n(2) > 0.0 && n(3) > 0.0,
            "on {}: `{selector}` has no size ({} x {}), so it cannot be clicked",
            self.url(),
            n(2),
            n(3)
        );
        let (x, y) = (n(0), n(1));
        self.call(
            "Input.dispatchMouseEvent",
            json!({"type": "mouseMoved", "x": x, "y": y}),
        );
        for kind in ["mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}),
            );
        }
    }

    /// Presses and releases `key` ("Enter", "ArrowDown", "/", a letter...).
    pub fn press(&self, key: &str) {
        let Some((key, code, key_code, text)) = key_definition(key) else {
            panic!("cannot press {key}: no key definition");
        };
        // Like puppeteer: a key that types text goes down as `keyDown`, others as
        // `rawKeyDown`.
        let down = if text.is_some() {
            "keyDown"
        } else {
            "rawKeyDown"
        };
        for kind in [down, "keyUp"] {
            let mut event = json!({
                "type": kind,
                "key": key,
                "code": code,
                "windowsVirtualKeyCode": key_code,
                "nativeVirtualKeyCode": key_code,
            });
            if let Some(t) = &text {
                event["text"] = t.as_str().into();
            }
            self.call("Input.dispatchKeyEvent", event);
        }
    }

    /// Inserts `text` at the caret in one go, as a paste or an input method would (one `input`
    /// event); much faster than `type_text` for long strings.
    pub fn insert_text(&self, text: &str) {
        self.call("Input.insertText", json!({"text": text}));
    }

    /// Types `text` key by key (keydown, keypress, input, keyup for each character).
    pub fn type_text(&self, text: &str) {
        for c in text.chars() {
            let c = c.to_string();
            if key_definition(&c).is_some() {
                self.press(&c);
            } else {
                self.insert_text(&c);
            }
        }
    }

    /// The page's whole accessibility tree (`Accessibility.getFullAXTree`): what a screen
    /// reader is given, each node with its role, name and properties.
    pub fn ax_tree(&self) -> Vec<Value> {
        let r = self.call("Accessibility.getFullAXTree", json!({}));
        r["nodes"].as_array().cloned().unwrap_or_default()
    }

    /// Writes a PNG of the whole page (up to 12000 px tall) at the current viewport, which
    /// stays as it is (so `vh` units and sticky elements behave as on screen).
    pub fn screenshot(&self, path: &Path) {
        let size = self.js(
            "[document.documentElement.clientWidth, \
              Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)]",
        );
        let width = size[0].as_f64().unwrap_or(800.0);
        let height = size[1].as_f64().unwrap_or(800.0).clamp(200.0, 12000.0);
        // Let layout and fonts settle.
        let _ = self.eval(
            "document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true)))))",
        );
        let shot = self
            .try_call(
                "Page.captureScreenshot",
                json!({
                    "format": "png",
                    "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
                    "fromSurface": true,
                    "captureBeyondViewport": true,
                }),
                START_TIMEOUT,
            )
            .unwrap_or_else(|e| panic!("cannot take a screenshot of {}: {e}", self.url()));
        let data = text(&shot["data"]);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, base64_decode(&data)).unwrap();
    }

    /// Writes a PNG of the viewport as it is on screen. Chromium offsets a capture beyond the
    /// viewport of a right-to-left page (issue 20), so RTL screenshots use this.
    pub fn screenshot_viewport(&self, path: &Path) {
        let _ = self.eval(
            "document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true)))))",
        );
        let shot = self
            .try_call(
                "Page.captureScreenshot",
                json!({"format": "png", "fromSurface": true}),
                START_TIMEOUT,
            )
            .unwrap_or_else(|e| panic!("cannot take a screenshot of {}: {e}", self.url()));
        let data = text(&shot["data"]);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, base64_decode(&data)).unwrap();
    }

    /// Panics listing every problem recorded so far.
    pub fn assert_clean(&self, context: &str) {
        let r = self.rec();
        assert!(
            r.problems.is_empty(),
            "{context}: {} problem(s):\n  {}",
            r.problems.len(),
            r.problems.join("\n  ")
        );
    }
}

/// Standard base64 (what the DevTools protocol sends binary data as).
fn base64_decode(text: &str) -> Vec<u8> {
    fn value(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for v in text.bytes().filter_map(value) {
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}
