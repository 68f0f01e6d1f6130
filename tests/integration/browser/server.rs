//! A tiny static file server for the browser tests: serves a built `public/` under a sub-path
//! (`/amm51/`), as GitHub Pages serves a project site, on loopback only. One thread per
//! connection, one request per connection (`Connection: close`).

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// Builds `t` with its base URL under `prefix` on a free loopback port and serves the output
/// there; the server and that base URL (`http://127.0.0.1:PORT/prefix/`). `what` names the
/// site in the panic of a failed build.
pub fn build_and_serve(
    t: &crate::support::SiteTest,
    prefix: &str,
    what: &str,
) -> (StaticServer, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!(
        "http://127.0.0.1:{}{prefix}",
        listener.local_addr().unwrap().port()
    );
    if let Err(e) = t.build_with(|o| o.base_url = Some(base.clone())) {
        panic!("{what} does not build:\n{e}");
    }
    (
        StaticServer::start(listener, t.root().join("public"), prefix),
        base,
    )
}

pub struct StaticServer {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl StaticServer {
    /// Serves `root` at `http://<listener addr><prefix>` (prefix like `/amm51/`) until dropped.
    pub fn start(listener: TcpListener, root: PathBuf, prefix: &str) -> StaticServer {
        let addr = listener.local_addr().unwrap();
        assert!(
            addr.ip().is_loopback(),
            "the test server must listen on loopback only"
        );
        let stop = Arc::new(AtomicBool::new(false));
        let prefix = prefix.to_string();
        let stop2 = stop.clone();
        let thread = std::thread::spawn(move || {
            let root = Arc::new(root);
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let root = root.clone();
                let prefix = prefix.clone();
                std::thread::spawn(move || {
                    let _ = handle(conn, &root, &prefix);
                });
            }
        });
        StaticServer {
            addr,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        "woff2" => "font/woff2",
        "pf_meta" | "pf_index" | "pf_fragment" | "pagefind" => "application/octet-stream",
        _ => "application/octet-stream",
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// What a request path maps to.
enum Target {
    File(PathBuf),
    Redirect(String),
    NotFound,
}

fn resolve(root: &Path, prefix: &str, raw_path: &str) -> Target {
    let path = raw_path.split(['?', '#']).next().unwrap_or("");
    let Some(path) = percent_decode(path) else {
        return Target::NotFound;
    };
    if path == prefix.trim_end_matches('/') {
        return Target::Redirect(prefix.to_string());
    }
    let Some(rel) = path.strip_prefix(prefix) else {
        return Target::NotFound;
    };
    let rel_path = Path::new(rel);
    if rel_path
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return Target::NotFound;
    }
    let mut file = root.join(rel_path);
    if rel.is_empty() || rel.ends_with('/') {
        file = file.join("index.html");
    } else if file.is_dir() {
        return Target::Redirect(format!("{path}/"));
    }
    if file.is_file() {
        Target::File(file)
    } else {
        Target::NotFound
    }
}

fn handle(mut conn: TcpStream, root: &Path, prefix: &str) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the headers.
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("/");
    let head = method == "HEAD";
    let (status, ctype, body, location) = if method != "GET" && !head {
        (
            "405 Method Not Allowed",
            "text/plain; charset=utf-8",
            b"method not allowed".to_vec(),
            None,
        )
    } else {
        match resolve(root, prefix, target) {
            Target::File(f) => ("200 OK", content_type(&f), std::fs::read(&f)?, None),
            Target::Redirect(to) => (
                "301 Moved Permanently",
                "text/plain; charset=utf-8",
                Vec::new(),
                Some(to),
            ),
            Target::NotFound => {
                let page = root.join("404.html");
                match std::fs::read(&page) {
                    Ok(b) => ("404 Not Found", "text/html; charset=utf-8", b, None),
                    Err(_) => (
                        "404 Not Found",
                        "text/plain; charset=utf-8",
                        b"not found".to_vec(),
                        None,
                    ),
                }
            }
        }
    };
    let mut head_text = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n",
        body.len()
    );
    if let Some(l) = location {
        head_text.push_str(&format!("Location: {l}\r\n"));
    }
    head_text.push_str("\r\n");
    conn.write_all(head_text.as_bytes())?;
    if !head {
        conn.write_all(&body)?;
    }
    conn.flush()?;
    let _ = conn.shutdown(Shutdown::Write);
    Ok(())
}
