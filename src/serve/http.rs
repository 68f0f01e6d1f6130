//! The HTTP side of `serve`: files of the last good build from memory, the site's 404, `/a`
//! redirected to `/a/`, the injected client script and the Server-Sent Events stream. Request
//! paths that could leave the output are refused before any lookup.
//!
//! [`run`] is the accept loop: at most [`max_connections`] at once (the others wait in the
//! kernel's queue), a connection that has not sent a request's head within [`HEADER_TIMEOUT`]
//! is closed, and [`check_host`] refuses a Host header that names another machine (DNS
//! rebinding) unless the user chose the address with `--bind`.

use super::client::{LIVE_JS, inject};
use super::{Hosts, Live, Notice};
use crate::output::Data;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// How long a client may take to send the head of a request (also of the next request on a
/// kept-alive connection) before the connection is closed.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// How many connections are served at once: half the files this process may open (each
/// connection holds one, and serving needs some of its own), at most 1,024. Browsers open at
/// most six per host.
pub fn max_connections() -> usize {
    #[cfg(target_os = "linux")]
    {
        let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile);
        limit
            .current
            .map_or(1024, |n| usize::try_from(n / 2).unwrap_or(1024))
            .clamp(16, 1024)
    }
    #[cfg(not(target_os = "linux"))]
    {
        128
    }
}

/// Serves `live` on `listener` until `stop`, then lets open responses finish (for a few
/// seconds at most; event streams end on `stop` by themselves).
pub(super) async fn run(
    listener: tokio::net::TcpListener,
    live: Arc<Live>,
    hosts: Hosts,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;
    let addr = listener.local_addr().ok();
    let allowed = Arc::new(Allowed { addr, hosts });
    let app = axum::Router::new()
        .fallback(handle)
        .with_state(live)
        .layer(axum::middleware::from_fn_with_state(allowed, check_host));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    let slots = Arc::new(tokio::sync::Semaphore::new(max_connections()));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        // A free slot first: past the limit, connections wait in the kernel's queue.
        let slot = tokio::select! {
            s = slots.clone().acquire_owned() => match s {
                Ok(s) => s,
                Err(_) => break,
            },
            _ = stop.wait_for(|s| *s) => break,
        };
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors or the like: wait, as axum::serve does.
                    if !matches!(
                        e.kind(),
                        std::io::ErrorKind::ConnectionAborted | std::io::ErrorKind::ConnectionReset
                    ) {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    continue;
                }
            },
            _ = stop.wait_for(|s| *s) => break,
        };
        let conn =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
            drop(slot);
        });
    }
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(5)) => {}
    }
}

/// Which Host headers are answered.
struct Allowed {
    addr: Option<SocketAddr>,
    hosts: Hosts,
}

impl Allowed {
    /// `localhost`, `127.0.0.1`, `[::1]` or the bound address, with the bound port (which a
    /// browser leaves out only for port 80).
    fn allows(&self, host: &str) -> bool {
        let Some(addr) = self.addr else {
            return false;
        };
        let (name, port) = match host.strip_prefix('[') {
            Some(rest) => match rest.split_once(']') {
                Some((name, port)) => (name, port),
                None => return false,
            },
            None => match host.rsplit_once(':') {
                Some((name, _)) => (name, &host[name.len()..]),
                None => (host, ""),
            },
        };
        let port_ok = match port.strip_prefix(':') {
            Some(p) => p.parse::<u16>().is_ok_and(|p| p == addr.port()),
            None => port.is_empty() && addr.port() == 80,
        };
        let name = name.to_ascii_lowercase();
        port_ok
            && (name == "localhost"
                || name == "127.0.0.1"
                || name == "::1"
                || name
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip == addr.ip()))
    }
}

/// Refuses a request whose Host is not this machine's loopback name, unless any is allowed: a
/// page elsewhere could point its own domain at 127.0.0.1 and read the preview (DNS rebinding).
async fn check_host(
    State(allowed): State<Arc<Allowed>>,
    req: Request<Body>,
    next: Next,
) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .map(|h| String::from_utf8_lossy(h.as_bytes()).into_owned());
    if allowed.hosts == Hosts::Any || host.as_deref().is_some_and(|h| allowed.allows(h)) {
        return next.run(req).await;
    }
    let port = allowed.addr.map_or(0, |a| a.port());
    let asked = match &host {
        Some(h) => format!("for host `{h}`"),
        None => "without a Host header".to_string(),
    };
    let text = format!(
        "mekong serve refused a request {asked}: it answers only localhost, 127.0.0.1 and [::1] \
         on port {port}, so that a page of another site cannot read this preview (DNS rebinding). \
         To be reached under another name, start it with --bind (for example --bind 127.0.0.1 \
         behind a proxy, or --bind 0.0.0.0 for the network).\n"
    );
    with_type(
        StatusCode::FORBIDDEN,
        "text/plain; charset=utf-8",
        text.into_bytes(),
    )
}

pub(super) async fn handle(State(live): State<Arc<Live>>, req: Request<Body>) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return (StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD").into_response();
    }
    let raw = req.uri().path();
    if raw == "/__mekong/events" {
        return events(&live).into_response();
    }
    if raw == "/__mekong/live.js" {
        return with_type(
            StatusCode::OK,
            "text/javascript; charset=utf-8",
            LIVE_JS.as_bytes().to_vec(),
        );
    }
    let Some(rel) = safe_path(raw) else {
        return not_found(&live).await;
    };
    let file = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.clone()
    };
    if let Some(data) = lookup(&live, &file) {
        return serve_file(&file, data, StatusCode::OK).await;
    }
    if lookup(&live, &format!("{rel}/index.html")).is_some() {
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
    not_found(&live).await
}

async fn not_found(live: &Live) -> Response {
    match lookup(live, "404.html") {
        Some(data) => serve_file("404.html", data, StatusCode::NOT_FOUND).await,
        None => with_type(
            StatusCode::NOT_FOUND,
            "text/html; charset=utf-8",
            inject(b"<!DOCTYPE html><title>Not found</title><h1>Not found</h1>"),
        ),
    }
}

/// A copy of an output file of the last good build (the lock is not held across awaits).
fn lookup(live: &Live, path: &str) -> Option<Data> {
    let guard = live.session.read().unwrap_or_else(|e| e.into_inner());
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

fn with_type(status: StatusCode, mime: &str, body: Vec<u8>) -> Response {
    let mut r = (status, body).into_response();
    if let Ok(v) = HeaderValue::from_str(mime) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn events(live: &Live) -> impl IntoResponse + use<> {
    let current = live.error.read().ok().and_then(|e| e.clone());
    let first = futures_util::stream::iter(current.map(Notice::Failed));
    let rx = tokio_stream::wrappers::BroadcastStream::new(live.notices.subscribe())
        .filter_map(|n| async move { n.ok() });
    let mut stop = live.shutdown.clone();
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
}
