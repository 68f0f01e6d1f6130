//! `mekong serve`: build in memory, serve the latest output, rebuild on change, reload.
//!
//! Serve owns no build logic: the first build and every full rebuild is a
//! [`Session`](crate::session::Session), the same pipeline as `build` kept in memory, with the
//! base URL set to the served address; a saved page body goes through `Session::update`, which
//! re-renders only what shows that page. This folder is the layer around it:
//! - this file: options, the shared state, start and stop, and what each rebuild tells pages;
//! - [`watcher`]: the file watcher (site.yaml, content/, templates/, static/, never the output,
//!   with the same ignore rules as `load`), coalescing bursts of saves into one rebuild;
//! - [`http`]: the HTTP side, serving files from memory only (a request can name nothing but
//!   a file of the output) and the Server-Sent Events that tell pages to reload, to swap
//!   stylesheets when only CSS changed, or to show a failed rebuild as an overlay;
//! - [`client`]: the script injected into served pages (never into `build` output).

mod client;
pub mod http;
mod watcher;

pub use http::{HEADER_TIMEOUT, max_connections, safe_path};

use crate::error::{Diagnostic, Error};
use crate::session::{self, Applied, Session};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, RwLock};
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

/// What the server threads share: the last good build, the current error, the channel to open
/// pages, and the shutdown signal.
pub(crate) struct Live {
    /// The last good build.
    session: RwLock<Option<Session>>,
    error: RwLock<Option<String>>,
    notices: broadcast::Sender<Notice>,
    shutdown: watch::Receiver<bool>,
    /// The search index still to make for the newest state (a newer one replaces it).
    /// Whether the newest state still needs a search index (the worker snapshots the pages
    /// itself when it starts, so a burst of saves copies them once, not once per save).
    search: Mutex<bool>,
    search_wake: Condvar,
}

impl Live {
    /// Asks the search worker to index the current state, after pages are already served.
    fn queue_search(&self) {
        *self.search.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.search_wake.notify_one();
    }
}

/// Makes the search index of the newest state, one at a time, away from the build and the
/// requests: a reload never waits for Pagefind. An index made from a state that changed
/// meanwhile is dropped (the newer state has its own job queued).
fn search_worker(live: &Live) {
    // One thread of its own: the index never takes the cores a re-render needs (a template
    // edit right after start is re-served while the first index is still being made).
    // On Linux at a lower priority too (nice 10; a per-thread value there), so that a
    // re-render gets both cores of a small machine while the index is being made.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .start_handler(|_| {
            #[cfg(target_os = "linux")]
            let _ = rustix::process::setpriority_process(None, 10);
        })
        .build()
        .ok();
    // The pages parsed for the last index: a refresh parses only the pages that changed.
    let mut parsed = crate::search::ParseCache::default();
    loop {
        {
            let mut slot = live.search.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if *live.shutdown.borrow() {
                    return;
                }
                if std::mem::take(&mut *slot) {
                    break;
                }
                slot = live
                    .search_wake
                    .wait_timeout(slot, Duration::from_millis(200))
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
        }
        // The snapshot of the newest state, taken now under a brief read lock.
        let job = live
            .session
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .and_then(Session::search_job);
        let Some(job) = job else { continue };
        let started = Instant::now();
        let (version, files) = match &pool {
            Some(pool) => pool.install(|| job.run(&mut parsed)),
            None => job.run(&mut parsed),
        };
        match files {
            Ok(files) => {
                let added = live
                    .session
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .as_mut()
                    .is_some_and(|s| s.add_search_index(&version, files));
                if added {
                    println!(
                        "search index refreshed in {} ms",
                        started.elapsed().as_millis()
                    );
                }
            }
            Err(e) => eprintln!("warning: the search index was not refreshed: {e}"),
        }
    }
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
pub fn serve(opts: &ServeOptions, hosts: Hosts) -> Result<(), Error> {
    let running = start_with(opts, hosts)?;
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

/// Which Host headers `serve` answers. A page of another site can point its own domain at
/// 127.0.0.1 (DNS rebinding) and then read whatever a local server answers; checking Host
/// stops that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hosts {
    /// Only `localhost`, `127.0.0.1`, `[::1]` and the bound address, with the port.
    Local,
    /// Any name (`--bind` given: the user chose how the server is reached).
    Any,
}

/// [`start_with`] answering any Host header, as `serve` did before the check: for tests and
/// tools that talk to the server directly. `mekong serve` answers only [`Hosts::Local`] unless
/// `--bind` is given.
// TODO(issue 15): default to `Hosts::Local` once tests/integration/serve.rs and hardening.rs
// send the served address as Host (three tests send `Host: x` or `Host: burst`).
pub fn start(opts: &ServeOptions) -> Result<Running, Error> {
    start_with(opts, Hosts::Any)
}

/// Binds, builds once and starts serving and watching in the background.
pub fn start_with(opts: &ServeOptions, hosts: Hosts) -> Result<Running, Error> {
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
        ..Default::default()
    };

    let (notices, _) = broadcast::channel(64);
    let (stop, stop_rx) = watch::channel(false);
    let live = Arc::new(Live {
        session: RwLock::new(None),
        error: RwLock::new(None),
        notices: notices.clone(),
        shutdown: stop_rx.clone(),
        search: Mutex::new(false),
        search_wake: Condvar::new(),
    });
    let search_live = live.clone();
    std::thread::spawn(move || search_worker(&search_live));
    let watch = watcher::Watch::new(&build_opts).map_err(|e| {
        Diagnostic::new(
            &opts.root,
            format!("cannot watch the site for changes: {e}"),
        )
    })?;
    rebuild(&build_opts, &live, &[]);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Diagnostic::new("serve", format!("cannot start the server: {e}")))?;
    let watch_live = live.clone();
    let watch_opts = build_opts.clone();
    let watch_stop = stop_rx.clone();
    let thread = std::thread::spawn(move || {
        runtime.block_on(async move {
            let listener = match tokio::net::TcpListener::from_std(std_listener) {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("error: cannot listen: {e}");
                    return;
                }
            };
            let watcher = tokio::task::spawn_blocking(move || {
                watcher::watch_loop(watch, &watch_opts, &watch_live)
            });
            http::run(listener, live, hosts, watch_stop).await;
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
fn rebuild(opts: &crate::Options, live: &Live, changed: &[PathBuf]) {
    let started = Instant::now();
    let result = session::apply(&live.session, opts, changed);
    match result {
        Ok((how, diff)) => {
            // What this build or re-render warns about, as `build` prints it (issue 12).
            if let Some(session) = live
                .session
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .as_ref()
            {
                for w in session.warnings() {
                    eprintln!("warning: {w}");
                }
            }
            let what = match how {
                Applied::Updated => "re-rendered the page",
                Applied::Rerendered => "re-rendered every page with the new templates",
                Applied::Rebuilt => "rebuilt the site",
            };
            let had_error = live
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
            if had_error {
                println!("the site builds again: every open page reloads");
            }
            let _ = live.notices.send(notice);
            live.queue_search();
        }
        Err(e) => {
            let text = e.to_string();
            eprintln!("{text}");
            let n = e.diagnostics.len();
            eprintln!(
                "the site has {n} error{}: open pages show {} over the last good build, which is still served; every save rebuilds the whole site until a build succeeds",
                if n == 1 { "" } else { "s" },
                if n == 1 { "it" } else { "them" },
            );
            if let Ok(mut err) = live.error.write() {
                *err = Some(text.clone());
            }
            let _ = live.notices.send(Notice::Failed(text));
        }
    }
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
