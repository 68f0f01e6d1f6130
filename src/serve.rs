//! `mekong serve`: build in memory, serve the latest [`Output`], rebuild on change, reload.
//!
//! Serve owns no build logic: every rebuild is [`crate::produce`], the same pipeline as
//! `build`, with the base URL set to the served address. It watches `site.yaml`, `content/`,
//! `templates/` and `static/` (never the output), coalesces bursts of saves into one rebuild,
//! and tells open pages over Server-Sent Events to reload (or to swap stylesheets when only CSS
//! changed). A failed rebuild keeps the last good site and shows the error as an overlay. Files
//! are served from memory only: a request can name nothing but a file of the output.

use crate::error::{Diagnostic, Error};
use crate::render::{Data, Output};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, Request, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, watch};

/// What `serve` takes.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub port: u16,
    pub bind: IpAddr,
    pub open: bool,
    pub drafts: bool,
}

/// A message to open pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// The site changed: reload.
    Reload,
    /// Only stylesheets changed: swap them.
    Css,
    /// The rebuild failed: show this over the last good page.
    Failed(String),
    /// A good build with nothing changed since the last good one: hide any overlay.
    Ok,
}

struct Shared {
    /// The last good build.
    session: RwLock<Option<crate::Session>>,
    error: RwLock<Option<String>>,
    notices: broadcast::Sender<Notice>,
    shutdown: watch::Receiver<bool>,
}

/// A running server; dropping it (or [`Running::stop`]) shuts it down.
pub struct Running {
    pub addr: SocketAddr,
    notices: broadcast::Sender<Notice>,
    stop: watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    /// Subscribes to what the server tells pages, for tests and tools.
    pub fn notices(&self) -> broadcast::Receiver<Notice> {
        self.notices.subscribe()
    }

    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Serves until Ctrl-C.
pub fn serve(opts: &ServeOptions) -> Result<(), Error> {
    let running = start(opts)?;
    let url = format!("http://{}/", display_addr(running.addr));
    println!("serving {} at {url} (Ctrl-C to stop)", opts.root.display());
    if opts.open {
        open_browser(&url);
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let _ = ctrlc_wait(tx);
    let _ = rx.recv();
    println!("stopping");
    running.stop();
    Ok(())
}

/// Binds, builds once and starts serving and watching in the background.
pub fn start(opts: &ServeOptions) -> Result<Running, Error> {
    if !opts.bind.is_loopback() {
        eprintln!(
            "warning: serving on {}: anyone who can reach this machine can read the site, drafts included",
            opts.bind
        );
    }
    let std_listener = std::net::TcpListener::bind((opts.bind, opts.port)).map_err(|e| {
        Diagnostic::new(
            "--port",
            format!("cannot listen on {}:{}: {e}", opts.bind, opts.port),
        )
        .hint("choose another port with --port, or --port 0 for any free one")
    })?;
    std_listener
        .set_nonblocking(true)
        .map_err(|e| Diagnostic::new("--port", format!("cannot listen: {e}")))?;
    let addr = std_listener
        .local_addr()
        .map_err(|e| Diagnostic::new("--port", format!("cannot listen: {e}")))?;
    // Watch events carry absolute paths; the session compares them with its root.
    let root = opts.root.canonicalize().map_err(|e| {
        Diagnostic::new(&opts.root, format!("cannot open the site folder: {e}"))
            .hint("pass the site folder with --root")
    })?;
    let build_opts = crate::Options {
        root,
        output: None,
        base_url: Some(format!("http://{}/", display_addr(addr))),
        drafts: opts.drafts,
    };

    let (notices, _) = broadcast::channel(64);
    let (stop, stop_rx) = watch::channel(false);
    let shared = Arc::new(Shared {
        session: RwLock::new(None),
        error: RwLock::new(None),
        notices: notices.clone(),
        shutdown: stop_rx.clone(),
    });
    let watch = Watch::new(&build_opts).map_err(|e| {
        Diagnostic::new(
            &opts.root,
            format!("cannot watch the site for changes: {e}"),
        )
    })?;
    rebuild(&build_opts, &shared, &[]);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Diagnostic::new("serve", format!("cannot start the server: {e}")))?;
    let watch_shared = shared.clone();
    let watch_opts = build_opts.clone();
    let mut watch_stop = stop_rx.clone();
    let thread = std::thread::spawn(move || {
        runtime.block_on(async move {
            let listener = match tokio::net::TcpListener::from_std(std_listener) {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("error: cannot listen: {e}");
                    return;
                }
            };
            let watcher =
                tokio::task::spawn_blocking(move || watch_loop(watch, &watch_opts, &watch_shared));
            let app = axum::Router::new().fallback(handle).with_state(shared);
            let server = axum::serve(listener, app).with_graceful_shutdown(async move {
                let _ = watch_stop.wait_for(|s| *s).await;
            });
            if let Err(e) = server.await {
                eprintln!("error: server stopped: {e}");
            }
            let _ = watcher.await;
        });
    });
    Ok(Running {
        addr,
        notices,
        stop,
        thread: Some(thread),
    })
}

fn display_addr(addr: SocketAddr) -> String {
    if addr.ip().is_unspecified() {
        format!("127.0.0.1:{}", addr.port())
    } else {
        addr.to_string()
    }
}

/// Rebuilds after `changed` (nothing for the first build) and tells the open pages. A change
/// to the body of one Markdown page re-renders what shows it; anything else rebuilds the site.
fn rebuild(opts: &crate::Options, shared: &Shared, changed: &[PathBuf]) {
    let started = Instant::now();
    let bodies_only = !changed.is_empty()
        && changed
            .iter()
            .all(|p| p.extension().is_some_and(|e| e == "md") && p.is_file());
    let mut outcome: Option<Result<Vec<String>, Error>> = None;
    if bodies_only
        && let Ok(mut guard) = shared.session.write()
        && let Some(session) = guard.as_mut()
    {
        let mut all = Vec::new();
        for path in changed {
            match session.update(path) {
                Some(Ok(paths)) => all.extend(paths),
                Some(Err(e)) => {
                    outcome = Some(Err(e));
                    break;
                }
                None => {
                    all.clear();
                    outcome = None;
                    break;
                }
            }
            outcome = Some(Ok(Vec::new()));
        }
        if let Some(Ok(_)) = outcome {
            outcome = Some(Ok(all));
        }
    }
    let (what, result) = match outcome {
        Some(r) => ("re-rendered the page", r),
        None => (
            "rebuilt the site",
            crate::Session::start(opts).map(|new| {
                let mut guard = shared.session.write().unwrap_or_else(|e| e.into_inner());
                let diff = match guard.as_ref() {
                    Some(old) => differing(&old.output, &new.output),
                    None => new.output.files.keys().cloned().collect(),
                };
                *guard = Some(new);
                diff
            }),
        ),
    };
    match result {
        Ok(diff) => {
            let had_error = shared
                .error
                .write()
                .map(|mut e| e.take().is_some())
                .unwrap_or(false);
            // Copied files are compared by path in `differing`, so a changed input that is
            // copied (a stylesheet, an image) counts on its own.
            let is_copied = |p: &PathBuf| {
                let name = p.to_string_lossy();
                !name.ends_with(".md")
                    && !name.ends_with("site.yaml")
                    && !p.components().any(|c| c.as_os_str() == "templates")
            };
            let css_only = !changed.is_empty()
                && changed
                    .iter()
                    .all(|p| p.extension().is_some_and(|e| e == "css"));
            let notice = if css_only && !had_error {
                Notice::Css
            } else if !diff.is_empty() || had_error || changed.iter().any(is_copied) {
                Notice::Reload
            } else {
                Notice::Ok
            };
            if !changed.is_empty() {
                println!(
                    "{what} in {} ms: {} files changed",
                    started.elapsed().as_millis(),
                    diff.len()
                );
            }
            let _ = shared.notices.send(notice);
        }
        Err(e) => {
            let text = e.to_string();
            eprintln!("{text}");
            if let Ok(mut err) = shared.error.write() {
                *err = Some(text.clone());
            }
            let _ = shared.notices.send(Notice::Failed(text));
        }
    }
}

/// Output paths whose bytes differ between two builds.
fn differing(old: &Output, new: &Output) -> Vec<String> {
    let mut diff = Vec::new();
    for (path, f) in &new.files {
        let same = match (old.files.get(path).map(|o| &o.data), &f.data) {
            (Some(Data::Bytes(a)), Data::Bytes(b)) => a == b,
            (Some(Data::File(a)), Data::File(b)) => a == b,
            _ => false,
        };
        if !same {
            diff.push(path.clone());
        }
    }
    diff.extend(
        old.files
            .keys()
            .filter(|p| !new.files.contains_key(*p))
            .cloned(),
    );
    diff
}

/// The file watcher, set up before the first build so that no change is missed.
struct Watch {
    _debouncer: notify_debouncer_mini::Debouncer<notify_debouncer_mini::notify::RecommendedWatcher>,
    rx: std::sync::mpsc::Receiver<notify_debouncer_mini::DebounceEventResult>,
    root: PathBuf,
    output_dir: PathBuf,
    /// Size and mtime of every input, to tell real changes from access events.
    seen: std::collections::HashMap<PathBuf, Option<(std::time::SystemTime, u64)>>,
}

impl Watch {
    fn new(opts: &crate::Options) -> Result<Watch, String> {
        use notify_debouncer_mini::{new_debouncer, notify::RecursiveMode};
        let (tx, rx) = std::sync::mpsc::channel();
        let mut debouncer =
            new_debouncer(Duration::from_millis(25), tx).map_err(|e| e.to_string())?;
        // Events carry absolute paths; compare against the canonical root.
        let root = opts.root.canonicalize().map_err(|e| e.to_string())?;
        debouncer
            .watcher()
            .watch(&root, RecursiveMode::NonRecursive)
            .map_err(|e| e.to_string())?;
        for dir in ["content", "templates", "static"] {
            let p = root.join(dir);
            if p.is_dir() {
                debouncer
                    .watcher()
                    .watch(&p, RecursiveMode::Recursive)
                    .map_err(|e| e.to_string())?;
            }
        }
        let output_dir = root.join(
            opts.output_dir()
                .strip_prefix(&opts.root)
                .unwrap_or(Path::new("public")),
        );
        let mut w = Watch {
            _debouncer: debouncer,
            rx,
            root,
            output_dir,
            seen: Default::default(),
        };
        let seen = walkdir::WalkDir::new(&w.root)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || w.relevant(e.path()))
            .filter_map(Result::ok)
            .map(|e| (e.path().to_path_buf(), fingerprint(e.path())))
            .collect();
        w.seen = seen;
        Ok(w)
    }

    /// Inputs of the site: site.yaml, content/, templates/, static/, minus hidden files,
    /// editor back-ups and the output.
    fn relevant(&self, p: &Path) -> bool {
        let Ok(rel) = p.strip_prefix(&self.root) else {
            return false;
        };
        if p.starts_with(&self.output_dir) {
            return false;
        }
        let hidden = rel.components().any(|c| {
            let s = c.as_os_str().to_string_lossy();
            s.starts_with('.') || s.ends_with('~') || s.ends_with(".swp") || s.ends_with(".tmp")
        });
        let top = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned());
        !hidden
            && matches!(
                top.as_deref(),
                Some("site.yaml" | "content" | "templates" | "static")
            )
    }
}

/// Rebuilds after each burst of changes until shutdown.
fn watch_loop(mut w: Watch, opts: &crate::Options, shared: &Shared) {
    loop {
        if *shared.shutdown.borrow() {
            return;
        }
        let events = match w.rx.recv_timeout(Duration::from_millis(200)) {
            Ok(Ok(events)) => events,
            Ok(Err(e)) => {
                eprintln!("warning: file watching: {e}");
                continue;
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
            Err(_) => return,
        };
        let mut changed: Vec<PathBuf> = events
            .into_iter()
            .map(|e| e.path)
            .filter(|p| w.relevant(p))
            .collect();
        // Coalesce whatever else arrived meanwhile (editors write several files, or
        // write-then-rename).
        while let Ok(Ok(more)) = w.rx.try_recv() {
            changed.extend(more.into_iter().map(|e| e.path).filter(|p| w.relevant(p)));
        }
        changed.sort();
        changed.dedup();
        changed.retain(|p| {
            // A folder's mtime changes with its entries; the entries' own events say what changed.
            if p.is_dir() {
                return false;
            }
            let now = fingerprint(p);
            w.seen.insert(p.clone(), now) != Some(now)
        });
        if changed.is_empty() {
            continue;
        }
        rebuild(opts, shared, &changed);
    }
}

fn fingerprint(p: &Path) -> Option<(std::time::SystemTime, u64)> {
    let m = std::fs::metadata(p).ok()?;
    Some((m.modified().ok()?, m.len()))
}

const LIVE_JS: &str = include_str!("theme/live.js");

async fn handle(State(shared): State<Arc<Shared>>, req: Request<Body>) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return (StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD").into_response();
    }
    let raw = req.uri().path();
    if raw == "/__mekong/events" {
        return events(&shared).into_response();
    }
    if raw == "/__mekong/live.js" {
        return with_type(
            StatusCode::OK,
            "text/javascript; charset=utf-8",
            LIVE_JS.as_bytes().to_vec(),
        );
    }
    let Some(rel) = safe_path(raw) else {
        return not_found(&shared).await;
    };
    let file = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.clone()
    };
    if let Some(data) = lookup(&shared, &file) {
        return serve_file(&file, data, StatusCode::OK).await;
    }
    if lookup(&shared, &format!("{rel}/index.html")).is_some() {
        let mut to = format!("/{rel}/");
        if let Some(q) = req.uri().query() {
            to.push('?');
            to.push_str(q);
        }
        let mut r = StatusCode::MOVED_PERMANENTLY.into_response();
        if let Ok(v) = HeaderValue::from_str(&to) {
            r.headers_mut().insert(header::LOCATION, v);
        }
        return r;
    }
    not_found(&shared).await
}

async fn not_found(shared: &Shared) -> Response {
    match lookup(shared, "404.html") {
        Some(data) => serve_file("404.html", data, StatusCode::NOT_FOUND).await,
        None => with_type(
            StatusCode::NOT_FOUND,
            "text/html; charset=utf-8",
            inject(b"<!DOCTYPE html><title>Not found</title><h1>Not found</h1>"),
        ),
    }
}

/// A copy of an output file of the last good build (the lock is not held across awaits).
fn lookup(shared: &Shared, path: &str) -> Option<Data> {
    let guard = shared.session.read().unwrap_or_else(|e| e.into_inner());
    guard
        .as_ref()?
        .output
        .files
        .get(path)
        .map(|f| f.data.clone())
}

/// Maps a request path to an output path, refusing anything that could leave the output:
/// `..` and `.` segments (also percent-encoded), backslashes, NUL and invalid UTF-8.
pub fn safe_path(raw: &str) -> Option<String> {
    let decoded = crate::markdown::percent_decode(raw);
    if decoded.contains(['\\', '\0']) || decoded.contains('\u{FFFD}') || !decoded.starts_with('/') {
        return None;
    }
    let trailing = decoded.ends_with('/');
    let mut parts = Vec::new();
    for seg in decoded.split('/') {
        match seg {
            "" => {}
            "." | ".." => return None,
            s if s.contains(':') => return None,
            s => parts.push(s),
        }
    }
    let mut rel = parts.join("/");
    if trailing && !rel.is_empty() {
        rel.push('/');
    }
    Some(rel)
}

async fn serve_file(path: &str, data: Data, status: StatusCode) -> Response {
    let bytes = match data {
        Data::Bytes(b) => b,
        Data::File(p) => match tokio::fs::read(&p).await {
            Ok(b) => b,
            Err(_) => return (StatusCode::NOT_FOUND, "gone").into_response(),
        },
        // `serve` keeps everything in memory; these never occur here.
        Data::Staged(_) | Data::Unchanged(_) | Data::Dropped(_) => {
            return (StatusCode::NOT_FOUND, "not in memory").into_response();
        }
    };
    let mime = mime_guess::from_path(path)
        .first_raw()
        .unwrap_or("application/octet-stream");
    if mime == "text/html" {
        return with_type(status, "text/html; charset=utf-8", inject(&bytes));
    }
    let mime = match mime {
        "text/css"
        | "text/javascript"
        | "application/javascript"
        | "text/plain"
        | "application/json"
        | "application/xml"
        | "text/xml" => {
            format!("{mime}; charset=utf-8")
        }
        m => m.to_string(),
    };
    with_type(status, &mime, bytes)
}

/// Adds the live-reload script to a page (only when serving; `build` output never has it).
fn inject(html: &[u8]) -> Vec<u8> {
    const TAG: &[u8] = b"<script src=\"/__mekong/live.js\"></script>";
    let pos = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + TAG.len());
    out.extend_from_slice(&html[..pos]);
    out.extend_from_slice(TAG);
    out.extend_from_slice(&html[pos..]);
    out
}

fn with_type(status: StatusCode, mime: &str, body: Vec<u8>) -> Response {
    let mut r = (status, body).into_response();
    if let Ok(v) = HeaderValue::from_str(mime) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn events(shared: &Shared) -> impl IntoResponse + use<> {
    let current = shared.error.read().ok().and_then(|e| e.clone());
    let first = futures_util::stream::iter(current.map(Notice::Failed));
    let rx = tokio_stream::wrappers::BroadcastStream::new(shared.notices.subscribe())
        .filter_map(|n| async move { n.ok() });
    let mut stop = shared.shutdown.clone();
    let stream = first
        .chain(rx)
        .map(|n| {
            let e = match n {
                Notice::Reload => Event::default().event("reload").data("reload"),
                Notice::Css => Event::default().event("css").data("css"),
                Notice::Ok => Event::default().event("ok").data("ok"),
                Notice::Failed(text) => Event::default().event("build-error").data(text),
            };
            Ok::<_, std::convert::Infallible>(e)
        })
        .take_until(async move {
            let _ = stop.wait_for(|s| *s).await;
        });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

fn open_browser(url: &str) {
    let cmd = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(cmd).arg(url).spawn().is_err() {
        eprintln!("warning: could not open a browser; open {url} yourself");
    }
}

/// Sends on `tx` when the process gets Ctrl-C (SIGINT) or SIGTERM.
fn ctrlc_wait(tx: std::sync::mpsc::Sender<()>) -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    std::thread::spawn(move || {
        rt.block_on(async {
            #[cfg(unix)]
            {
                use tokio::signal::unix::{SignalKind, signal};
                if let Ok(mut term) = signal(SignalKind::terminate()) {
                    tokio::select! {
                        _ = tokio::signal::ctrl_c() => {}
                        _ = term.recv() => {}
                    }
                } else {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
            #[cfg(not(unix))]
            {
                let _ = tokio::signal::ctrl_c().await;
            }
        });
        let _ = tx.send(());
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_that_leave_the_output() {
        for bad in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/a/%2E%2E/%2e%2e/x",
            "/a\\..\\b",
            "/%5c..%5cb",
            "/a/./b",
            "/C:/x",
            "/%00",
        ] {
            assert_eq!(safe_path(bad), None, "{bad}");
        }
        assert_eq!(safe_path("/").as_deref(), Some(""));
        assert_eq!(safe_path("/a/b/").as_deref(), Some("a/b/"));
        assert_eq!(safe_path("/a%20b.css").as_deref(), Some("a b.css"));
    }

    #[test]
    fn injects_before_the_last_body_end() {
        let out = inject(b"<html><body>x</body></html>");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<html><body>x<script src=\"/__mekong/live.js\"></script></body></html>"
        );
    }
}
