//! `serve` under load: slow-loris clients and a burst of 1,000 concurrent requests.

use crate::support::SiteTest;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

fn serve_fixture() -> (SiteTest, mekong::serve::Running) {
    let t = SiteTest::fixture("build/basic");
    let running = t.serve();
    (t, running)
}

/// A plain GET with generous bounds; returns the status (0 when it did not answer in time).
fn get_status(addr: std::net::SocketAddr, path: &str, timeout: Duration) -> u16 {
    let Ok(mut s) = TcpStream::connect_timeout(&addr, timeout) else {
        return 0;
    };
    let _ = s.set_read_timeout(Some(timeout));
    let _ = s.set_write_timeout(Some(timeout));
    if write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .is_err()
    {
        return 0;
    }
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    String::from_utf8_lossy(&buf)
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// 50 clients that send one header byte every 200 ms do not stop normal requests.
#[test]
fn serve_answers_while_slow_loris_clients_are_connected() {
    let (_dir, r) = serve_fixture();
    let addr = r.addr;
    let stop = Arc::new(AtomicBool::new(false));
    let connected = Arc::new(Barrier::new(2));
    let slow = {
        let stop = stop.clone();
        let connected = connected.clone();
        std::thread::spawn(move || {
            let mut socks: Vec<TcpStream> = (0..50)
                .filter_map(|_| TcpStream::connect_timeout(&addr, Duration::from_secs(5)).ok())
                .collect();
            let n = socks.len();
            connected.wait();
            let request =
                b"GET / HTTP/1.1\r\nHost: slow\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
            // At most 40 ticks of 200 ms (8 s), fewer when the main thread is done.
            for tick in 0..40 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let byte = &request[tick % request.len()..tick % request.len() + 1];
                socks.retain_mut(|s| s.write_all(byte).is_ok());
                std::thread::sleep(Duration::from_millis(200));
            }
            (n, socks.len())
        })
    };
    connected.wait();
    std::thread::sleep(Duration::from_millis(400));
    for path in ["/", "/a/", "/assets/mekong.css"] {
        assert_eq!(
            get_status(addr, path, Duration::from_secs(10)),
            200,
            "{path} while 50 slow clients are connected"
        );
    }
    stop.store(true, Ordering::Relaxed);
    let (opened, still_open) = slow.join().unwrap();
    assert_eq!(opened, 50, "all slow clients connected");
    eprintln!("slow loris: {still_open} of 50 slow connections still open at the end");
}

/// 1,000 requests at once (20 threads of 50 open connections each) all answer, and the server
/// answers a normal request afterwards.
#[test]
fn serve_answers_a_burst_of_a_thousand_concurrent_requests() {
    let (_dir, r) = serve_fixture();
    let addr = r.addr;
    let start = Arc::new(Barrier::new(20));
    let threads: Vec<_> = (0..20)
        .map(|t| {
            let start = start.clone();
            std::thread::spawn(move || {
                start.wait();
                let timeout = Duration::from_secs(20);
                let paths = ["/", "/a/", "/s/b/", "/assets/mekong.css", "/nope/"];
                let mut socks = Vec::new();
                for i in 0..50 {
                    if let Ok(s) = TcpStream::connect_timeout(&addr, timeout) {
                        let _ = s.set_read_timeout(Some(timeout));
                        let _ = s.set_write_timeout(Some(timeout));
                        socks.push((s, paths[(t + i) % paths.len()]));
                    }
                }
                for (s, path) in &mut socks {
                    let _ = write!(
                        s,
                        "GET {path} HTTP/1.1\r\nHost: burst\r\nConnection: close\r\n\r\n"
                    );
                }
                let mut answered = 0;
                for (s, path) in &mut socks {
                    let mut buf = Vec::new();
                    let _ = s.read_to_end(&mut buf);
                    let status = String::from_utf8_lossy(&buf)
                        .split_whitespace()
                        .nth(1)
                        .and_then(|c| c.parse::<u16>().ok())
                        .unwrap_or(0);
                    let want = if *path == "/nope/" { 404 } else { 200 };
                    if status == want {
                        answered += 1;
                    }
                }
                answered
            })
        })
        .collect();
    let answered: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(answered, 1000, "every request of the burst got its answer");
    assert_eq!(get_status(addr, "/", Duration::from_secs(10)), 200);
}
