//! The HTTP side of `serve`: files of the last good build from memory, the site's 404, `/a`
//! redirected to `/a/`, the injected client script and the Server-Sent Events stream. Request
//! paths that could leave the output are refused before any lookup.

use super::client::{LIVE_JS, inject};
use super::{Live, Notice};
use crate::output::Data;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, Request, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::Duration;

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
