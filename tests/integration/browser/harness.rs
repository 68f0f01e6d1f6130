//! Drives Debian's headless chromium over the DevTools protocol (the `headless_chrome` crate,
//! without its browser download): finding chromium, launching it offline, and a
//! `Page` that records every console error, exception and failed or refused request.

use headless_chrome::browser::tab::point::Point;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Emulation, Log, Network, Page as Cdp, Runtime};
use headless_chrome::{Browser, LaunchOptions, Tab};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

/// One headless chromium with its own fresh profile, killed when dropped.
pub struct Chrome {
    pub browser: Browser,
    _profile: tempfile::TempDir,
}

impl Chrome {
    /// Launches chromium (and fails the test when it is not installed).
    pub fn launch() -> Chrome {
        let path = chromium();
        let profile = tempfile::tempdir().unwrap();
        let args: Vec<&OsStr> = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-domain-reliability",
            "--disable-breakpad",
            "--no-pings",
            "--metrics-recording-only",
            "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
            // No name resolves but the loopback address: nothing can leave the machine.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--hide-scrollbars",
            "--font-render-hinting=none",
        ]
        .iter()
        .map(OsStr::new)
        .collect();
        let opts = LaunchOptions {
            headless: true,
            sandbox: false,
            enable_gpu: false,
            path: Some(path.clone()),
            user_data_dir: Some(profile.path().to_path_buf()),
            window_size: Some((1280, 800)),
            idle_browser_timeout: Duration::from_secs(120),
            args,
            ..Default::default()
        };
        let browser = Browser::new(opts)
            .unwrap_or_else(|e| panic!("cannot launch {}: {e:#}", path.display()));
        Chrome {
            browser,
            _profile: profile,
        }
    }

    /// A new tab that records what the page does.
    pub fn page(&self) -> Page {
        let tab = self.browser.new_tab().expect("cannot open a tab");
        Page::new(tab)
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

fn remote_text(o: &Runtime::RemoteObject) -> String {
    if let Some(v) = &o.value {
        match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    } else if let Some(d) = &o.description {
        d.clone()
    } else {
        format!("{:?}", o.Type)
    }
}

fn strip_fragment(url: &str) -> &str {
    url.split('#').next().unwrap_or(url)
}

impl Recorded {
    fn on_event(&mut self, event: &Event) {
        match event {
            Event::RuntimeConsoleAPICalled(e)
                if e.params.Type == Runtime::ConsoleAPICalledEventTypeOption::Error
                    || e.params.Type == Runtime::ConsoleAPICalledEventTypeOption::Assert =>
            {
                let text: Vec<String> = e.params.args.iter().map(remote_text).collect();
                let msg = format!("console.error on {}: {}", self.at, text.join(" "));
                self.problems.push(msg);
            }
            Event::RuntimeExceptionThrown(e) => {
                let d = &e.params.exception_details;
                let desc = d
                    .exception
                    .as_ref()
                    .and_then(|x| x.description.clone())
                    .unwrap_or_default();
                self.problems.push(format!(
                    "uncaught exception on {}: {} {} (at {}:{}:{})",
                    self.at,
                    d.text,
                    desc,
                    d.url.clone().unwrap_or_default(),
                    d.line_number + 1,
                    d.column_number + 1
                ));
            }
            Event::LogEntryAdded(e) => {
                let entry = &e.params.entry;
                if entry.level == Log::LogEntryLevel::Error {
                    let url = entry.url.clone().unwrap_or_default();
                    if !self.expected_errors.contains(strip_fragment(&url)) {
                        self.problems.push(format!(
                            "log error ({:?}) on {}: {} [{url}]",
                            entry.source, self.at, entry.text
                        ));
                    }
                }
            }
            Event::NetworkRequestWillBeSent(e) => {
                let p = &e.params;
                self.requests.push(p.request.url.clone());
                self.urls
                    .insert(p.request_id.clone(), p.request.url.clone());
                self.documents
                    .insert(p.request_id.clone(), p.document_url.clone());
                if p.Type != Some(Network::ResourceType::EventSource) {
                    self.inflight
                        .insert(p.request_id.clone(), p.loader_id.clone());
                }
            }
            Event::NetworkResponseReceived(e) => {
                let r = &e.params.response;
                let status = r.status;
                self.responses.push((r.url.clone(), status));
                if status >= 400 && !self.expected_errors.contains(strip_fragment(&r.url)) {
                    let by = self
                        .documents
                        .get(&e.params.request_id)
                        .filter(|d| !d.is_empty())
                        .unwrap_or(&self.at);
                    self.problems
                        .push(format!("HTTP {status} for {} (requested by {by})", r.url));
                }
            }
            Event::NetworkLoadingFinished(e) => {
                self.inflight.remove(&e.params.request_id);
            }
            Event::NetworkLoadingFailed(e) => {
                let p = &e.params;
                self.inflight.remove(&p.request_id);
                let url = self.urls.get(&p.request_id).cloned().unwrap_or_default();
                // A request the page itself gave up (navigating away, an aborted fetch) is not
                // a failure of the site.
                if p.canceled != Some(true) && !self.expected_errors.contains(strip_fragment(&url))
                {
                    self.problems.push(format!(
                        "request failed: {url} ({}, {:?}) on {}",
                        p.error_text, p.Type, self.at
                    ));
                }
            }
            Event::PageLifecycleEvent(e) => {
                if e.params.name == "init" {
                    // A new document: what the previous one was loading no longer matters.
                    let loader = &e.params.loader_id;
                    self.inflight.retain(|_, l| l == loader);
                }
                self.lifecycle
                    .push((e.params.loader_id.clone(), e.params.name.clone()));
            }
            _ => {}
        }
    }
}

/// A tab plus what it recorded.
pub struct Page {
    pub tab: Arc<Tab>,
    pub rec: Arc<Mutex<Recorded>>,
}

impl Page {
    fn new(tab: Arc<Tab>) -> Page {
        let rec = Arc::new(Mutex::new(Recorded::default()));
        let r = rec.clone();
        tab.add_event_listener(Arc::new(move |e: &Event| {
            if let Ok(mut r) = r.lock() {
                r.on_event(e);
            }
        }))
        .unwrap();
        tab.call_method(Runtime::Enable(None)).unwrap();
        tab.call_method(Log::Enable(None)).unwrap();
        tab.call_method(Network::Enable {
            max_total_buffer_size: None,
            max_resource_buffer_size: None,
            max_post_data_size: None,
            report_direct_socket_traffic: None,
            enable_durable_messages: None,
        })
        .unwrap();
        // No cache: every visit really asks the server.
        tab.call_method(Network::SetCacheDisabled {
            cache_disabled: true,
        })
        .unwrap();
        Page { tab, rec }
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
             (if this times out, headless_chrome cannot parse this chromium's events)",
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
        let r = self
            .tab
            .call_method(Runtime::Evaluate {
                expression: js.to_string(),
                object_group: None,
                include_command_line_api: None,
                silent: Some(true),
                context_id: None,
                return_by_value: Some(true),
                generate_preview: None,
                user_gesture: Some(true),
                await_promise: Some(true),
                throw_on_side_effect: None,
                timeout: None,
                disable_breaks: None,
                repl_mode: None,
                allow_unsafe_eval_blocked_by_csp: None,
                unique_context_id: None,
                serialization_options: None,
            })
            .map_err(|e| format!("{e:#}"))?;
        if let Some(d) = r.exception_details {
            let desc = d.exception.and_then(|x| x.description).unwrap_or_default();
            return Err(format!("{}: {desc}", d.text));
        }
        Ok(r.result.value.unwrap_or(Value::Null))
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
            .tab
            .call_method(Cdp::Navigate {
                url: url.to_string(),
                referrer: None,
                transition_Type: None,
                frame_id: None,
                referrer_policy: None,
            })
            .unwrap_or_else(|e| panic!("cannot navigate to {url}: {e:#}"));
        if let Some(err) = ret.error_text {
            panic!("navigation to {url} failed: {err}");
        }
        let loader = ret.loader_id.unwrap_or_default();
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
        self.tab
            .call_method(Emulation::SetDeviceMetricsOverride {
                width,
                height,
                device_scale_factor: 1.0,
                mobile: false,
                scale: None,
                screen_width: Some(width),
                screen_height: Some(height),
                position_x: None,
                position_y: None,
                dont_set_visible_size: None,
                screen_orientation: None,
                viewport: None,
                display_feature: None,
                device_posture: None,
            })
            .unwrap();
    }

    /// Emulates `prefers-color-scheme`.
    pub fn color_scheme(&self, scheme: &str) {
        self.tab
            .call_method(Emulation::SetEmulatedMedia {
                media: None,
                features: Some(vec![Emulation::MediaFeature {
                    name: "prefers-color-scheme".into(),
                    value: scheme.into(),
                }]),
            })
            .unwrap();
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
        self.tab.click_point(Point { x: n(0), y: n(1) }).unwrap();
    }

    pub fn press(&self, key: &str) {
        self.tab
            .press_key(key)
            .unwrap_or_else(|e| panic!("cannot press {key}: {e:#}"));
    }

    /// Inserts `text` at the caret in one go, as a paste or an input method would (one `input`
    /// event); much faster than `type_text` for long strings.
    pub fn insert_text(&self, text: &str) {
        self.tab
            .send_character(text)
            .unwrap_or_else(|e| panic!("cannot insert {text:?}: {e:#}"));
    }

    /// Types `text` key by key (keydown, keypress, input, keyup for each character).
    pub fn type_text(&self, text: &str) {
        self.tab
            .type_str(text)
            .unwrap_or_else(|e| panic!("cannot type {text:?}: {e:#}"));
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
        let data = self
            .tab
            .call_method(Cdp::CaptureScreenshot {
                format: Some(Cdp::CaptureScreenshotFormatOption::Png),
                quality: None,
                clip: Some(Cdp::Viewport {
                    x: 0.0,
                    y: 0.0,
                    width,
                    height,
                    scale: 1.0,
                }),
                from_surface: Some(true),
                capture_beyond_viewport: Some(true),
                optimize_for_speed: None,
            })
            .unwrap_or_else(|e| panic!("cannot take a screenshot of {}: {e:#}", self.url()))
            .data;
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
