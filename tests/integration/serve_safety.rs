//! `serve` against hostile clients (issue 15, "serve"): a request whose headers never end is
//! closed, connections past the limit wait for a free slot, and a Host header that names
//! another machine (DNS rebinding) is refused unless `--bind` was given.

use crate::support::SiteTest;
use mekong::serve::{Running, ServeOptions, start};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

fn site() -> SiteTest {
    let t = SiteTest::empty();
    t.write("site.yaml", "title: Guarded\nsearch: false\n");
    t.write("content/_index.md", "---\ntitle: Home\n---\nhome\n");
    t
}

fn options(t: &SiteTest) -> ServeOptions {
    ServeOptions {
        root: t.root().to_path_buf(),
        port: 0,
        bind: "127.0.0.1".parse().unwrap(),
        open: false,
        drafts: false,
    }
}

fn serve(t: &SiteTest) -> Running {
    start(&options(t)).unwrap_or_else(|e| panic!("serve failed: {e}"))
}

/// A GET with this Host header (none when `None`): (status, body).
fn get_with_host(addr: SocketAddr, host: Option<&str>) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let host = host.map(|h| format!("Host: {h}\r\n")).unwrap_or_default();
    let version = if host.is_empty() { "1.0" } else { "1.1" };
    write!(s, "GET / HTTP/{version}\r\n{host}Connection: close\r\n\r\n").unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

/// Whether the server closes `s` (EOF or reset) within `within`.
fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        s.set_read_timeout(Some(left)).unwrap();
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {} // a 408 before closing is fine
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return false;
            }
            Err(_) => return true,
        }
    }
}

/// A client that sends half a request and then nothing must not hold a connection forever.
/// Regression for issue 15 ("serve": header-read timeout).
#[test]
fn a_request_whose_headers_never_end_is_closed() {
    let t = site();
    let r = serve(&t);
    let mut s = TcpStream::connect(r.addr).unwrap();
    write!(s, "GET / HTTP/1.1\r\nHost: {}\r\nX-Slow: ", r.addr).unwrap();
    let started = Instant::now();
    assert!(
        closed_within(
            &mut s,
            mekong::serve::HEADER_TIMEOUT + Duration::from_secs(5)
        ),
        "a half-sent request is still open after {:?}",
        started.elapsed()
    );
    // The server still answers.
    assert_eq!(get_with_host(r.addr, Some(&r.addr.to_string())).0, 200);
}

/// Connections past the limit are not served until one of the open ones closes: a flood of
/// idle connections cannot make the server hold more sockets than it allows.
/// Regression for issue 15 ("serve": a limit on concurrent connections).
#[test]
fn connections_past_the_limit_wait_for_a_free_slot() {
    let t = site();
    let r = serve(&t);
    let limit = mekong::serve::max_connections();
    let mut idle: Vec<TcpStream> = (0..limit)
        .map(|_| {
            let mut s = TcpStream::connect(r.addr).unwrap();
            // Half a request, so that each holds its slot until the header timeout.
            s.write_all(b"GET / HTTP/1.1\r\n").unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let mut extra = TcpStream::connect(r.addr).unwrap();
    write!(
        extra,
        "GET / HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        r.addr
    )
    .unwrap();
    extra
        .set_read_timeout(Some(Duration::from_millis(1500)))
        .unwrap();
    let mut first = [0u8; 12];
    let early = extra.read(&mut first);
    assert!(
        early.is_err(),
        "request {} was answered while {limit} connections were open: {:?}",
        limit + 1,
        early.map(|n| String::from_utf8_lossy(&first[..n]).into_owned())
    );
    idle.truncate(limit - 1);
    extra
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut buf = Vec::new();
    let _ = extra.read_to_end(&mut buf);
    assert!(
        String::from_utf8_lossy(&buf).starts_with("HTTP/1.1 200"),
        "request {} not answered once a slot was free: {:?}",
        limit + 1,
        String::from_utf8_lossy(&buf)
    );
    drop(idle);
}

/// A page on another site that resolves its own name to 127.0.0.1 (DNS rebinding) must not
/// read the preview: only the bound address, localhost, 127.0.0.1 and [::1] with the port.
/// Regression for issue 15 ("serve": Host header check).
#[test]
fn requests_for_another_host_name_are_refused() {
    let t = site();
    let r = mekong::serve::start_with(&options(&t), mekong::serve::Hosts::Local)
        .unwrap_or_else(|e| panic!("serve failed: {e}"));
    let port = r.addr.port();
    for host in [
        r.addr.to_string(),
        format!("localhost:{port}"),
        format!("LocalHost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
    ] {
        assert_eq!(get_with_host(r.addr, Some(&host)).0, 200, "Host: {host}");
    }
    for host in [
        format!("evil.example:{port}"),
        "evil.example".to_string(),
        format!("localhost:{}", port.wrapping_add(1)),
        "localhost".to_string(),
        format!("127.0.0.1.evil.example:{port}"),
    ] {
        let (status, body) = get_with_host(r.addr, Some(&host));
        assert_eq!(status, 403, "Host: {host} was answered");
        assert!(
            body.contains("--bind"),
            "the refusal does not say what to do: {body}"
        );
    }
    assert_eq!(get_with_host(r.addr, None).0, 403, "a request without Host");
}

/// `--bind` given explicitly (here through the library) answers any Host: the user chose to
/// be reached under other names. Issue 15 ("serve": Host header check; this one passed before
/// the check too).
#[test]
fn an_explicit_bind_answers_any_host() {
    let t = site();
    let r = mekong::serve::start_with(&options(&t), mekong::serve::Hosts::Any)
        .unwrap_or_else(|e| panic!("serve failed: {e}"));
    assert_eq!(get_with_host(r.addr, Some("docs.example:80")).0, 200);
}

/// The real binary: no `--bind` refuses another Host, `--bind 127.0.0.1` answers it.
/// Issue 15 ("serve": Host header check).
#[test]
fn the_command_line_checks_host_unless_bind_is_given() {
    let t = site();
    for (args, want) in [
        (&["serve", "--port", "0"][..], 403),
        (&["serve", "--port", "0", "--bind", "127.0.0.1"][..], 200),
    ] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mekong"))
            .args(args)
            .current_dir(t.root())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        let addr: Option<SocketAddr> = loop {
            line.clear();
            if out.read_line(&mut line).unwrap_or(0) == 0 {
                break None;
            }
            if let Some(rest) = line.split("http://").nth(1) {
                break rest.split('/').next().and_then(|a| a.parse().ok());
            }
        };
        let status = addr.map(|a| get_with_host(a, Some("docs.example")).0);
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(status, Some(want), "mekong {}", args.join(" "));
    }
}
