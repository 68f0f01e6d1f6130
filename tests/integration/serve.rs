//! `mekong serve` over real HTTP on loopback: status codes and types, live-reload events,
//! error recovery with the last good site still served, and requests that try to escape.

use crate::support::SiteTest;
use mekong::serve::{Notice, Running};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A raw GET: (status, headers, body). The path is sent as it is, unnormalized.
fn get(r: &Running, path: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(r.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        r.addr
    )
    .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, head.to_ascii_lowercase(), body.to_string())
}

fn wait_for(
    rx: &mut tokio::sync::broadcast::Receiver<Notice>,
    want: impl Fn(&Notice) -> bool,
) -> Notice {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        match rx.try_recv() {
            Ok(n) if want(&n) => return n,
            Ok(_) => {}
            Err(tokio::sync::broadcast::error::TryRecvError::Empty) => {
                assert!(Instant::now() < deadline, "no matching notice within 15 s");
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("notices closed: {e}"),
        }
    }
}

#[test]
fn serves_pages_assets_redirects_and_404_with_types() {
    let t = SiteTest::fixture("build/basic");
    let r = t.serve();
    let (status, head, body) = get(&r, "/a/");
    assert_eq!(status, 200);
    assert!(
        head.contains("content-type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(body.contains("/__mekong/live.js"), "live reload injected");
    let (status, head, _) = get(&r, "/assets/mekong.css");
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/css"), "{head}");
    let (status, head, _) = get(&r, "/s/dot.png");
    assert_eq!(status, 200);
    assert!(head.contains("content-type: image/png"), "{head}");
    let (status, head, _) = get(&r, "/a");
    assert_eq!(status, 301);
    assert!(head.contains("location: /a/"), "{head}");
    let (status, _, body) = get(&r, "/no/such/page/");
    assert_eq!(status, 404);
    assert!(body.contains("<h1"), "the site's 404 page");
    assert!(!t.exists("public"), "serve never writes public/");
}

#[test]
fn never_serves_a_file_outside_the_output() {
    let t = SiteTest::fixture("build/basic");
    t.write("secret.txt", "top secret");
    let r = t.serve();
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/etc/passwd",
        "/a/..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
        "/a\\..\\..\\secret.txt",
        "//etc/passwd",
        "/site.yaml",
        "/content/a.md",
    ] {
        let (status, _, body) = get(&r, path);
        assert_ne!(status, 200, "{path} served");
        assert!(
            !body.contains("top secret") && !body.contains("root:"),
            "{path} leaked"
        );
    }
}

#[test]
fn reloads_on_edit_shows_errors_and_recovers() {
    let t = SiteTest::fixture("build/basic");
    let r = t.serve();
    let mut rx = r.notices();
    t.write(
        "content/loose/d.md",
        "---\ntitle: Page D\n---\nEdited while serving.\n",
    );
    wait_for(&mut rx, |n| *n == Notice::Reload);
    assert!(get(&r, "/loose/d/").2.contains("Edited while serving."));

    t.write(
        "content/loose/d.md",
        "---\ntitle: Page D\nbogus: 1\n---\nBroken.\n",
    );
    let n = wait_for(&mut rx, |n| matches!(n, Notice::Failed(_)));
    let Notice::Failed(text) = n else {
        unreachable!()
    };
    assert!(
        text.contains("content/loose/d.md:3:1: unknown key `bogus`"),
        "{text}"
    );
    let (status, _, body) = get(&r, "/loose/d/");
    assert_eq!(status, 200, "the last good site is still served");
    assert!(body.contains("Edited while serving."));

    t.write("content/loose/d.md", "---\ntitle: Page D\n---\nFixed.\n");
    wait_for(&mut rx, |n| *n == Notice::Reload);
    assert!(get(&r, "/loose/d/").2.contains("Fixed."));
}

#[test]
fn stylesheet_only_change_swaps_css() {
    let t = SiteTest::fixture("build/basic");
    let r = t.serve();
    let mut rx = r.notices();
    t.write("static/css/extra.css", "body { color: navy; }\n");
    wait_for(&mut rx, |n| *n == Notice::Css);
    assert!(get(&r, "/css/extra.css").2.contains("navy"));
}

#[test]
fn event_stream_speaks_server_sent_events() {
    let t = SiteTest::fixture("build/basic");
    let r = t.serve();
    let mut s = TcpStream::connect(r.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    write!(s, "GET /__mekong/events HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    t.write(
        "content/a.md",
        &t.read("content/a.md")
            .replace("First paragraph", "Changed paragraph"),
    );
    let mut got = String::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(15);
    while !got.contains("event: reload") && Instant::now() < deadline {
        let n = s.read(&mut buf).unwrap_or(0);
        got.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(got.contains("content-type: text/event-stream"), "{got}");
    assert!(got.contains("event: reload"), "{got}");
}

#[test]
fn survives_aborted_and_many_concurrent_connections() {
    let t = SiteTest::fixture("build/basic");
    let r = t.serve();
    for _ in 0..50 {
        let mut s = TcpStream::connect(r.addr).unwrap();
        let _ = s.write_all(b"GET /a/ HTTP/1.1\r\nHo");
        drop(s);
    }
    let handles: Vec<_> = (0..200)
        .map(|i| {
            let addr = r.addr;
            std::thread::spawn(move || {
                let mut s = TcpStream::connect(addr).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
                let path = if i % 2 == 0 {
                    "/a/"
                } else {
                    "/assets/mekong.css"
                };
                write!(
                    s,
                    "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                )
                .unwrap();
                let mut buf = Vec::new();
                s.read_to_end(&mut buf).unwrap();
                String::from_utf8_lossy(&buf).starts_with("HTTP/1.1 200")
            })
        })
        .collect();
    let ok = handles
        .into_iter()
        .filter_map(|h| h.join().ok())
        .filter(|ok| *ok)
        .count();
    assert_eq!(ok, 200);
    assert_eq!(get(&r, "/").0, 200, "still responsive");
}

/// What two in-memory builds would serve, but the search index (refreshed on full rebuilds).
fn served(s: &mekong::session::Session) -> Vec<(String, Vec<u8>)> {
    s.output
        .files
        .iter()
        .filter(|(p, _)| !p.starts_with("pagefind/"))
        .filter_map(|(p, f)| match &f.data {
            mekong::output::Data::Bytes(b) => Some((p.clone(), b.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn body_edit_rerenders_only_what_shows_it_and_matches_a_full_build() {
    let t = SiteTest::fixture("build/basic");
    let root = t.root().canonicalize().unwrap();
    let mut session = mekong::session::Session::start(&mekong::Options::new(&root)).unwrap();
    t.write(
        "content/s/b.md",
        &t.read("content/s/b.md").replace("B's body", "B's new body"),
    );
    let changed = session
        .update(&root.join("content/s/b.md"))
        .expect("a body edit is incremental")
        .unwrap();
    assert!(
        changed.contains(&"s/b/index.html".to_string()),
        "{changed:?}"
    );
    assert!(
        changed.len() <= 5,
        "only the page, its section, its tags and the feed: {changed:?}"
    );
    let fresh = mekong::session::Session::start(&mekong::Options::new(&root)).unwrap();
    let (a, b) = (served(&session), served(&fresh));
    let differing: Vec<&String> = a
        .iter()
        .zip(&b)
        .filter(|(x, y)| x != y)
        .map(|(x, _)| &x.0)
        .collect();
    assert_eq!(a.len(), b.len());
    assert!(
        differing.is_empty(),
        "incremental differs from a full build in {differing:?}"
    );
}

#[test]
fn title_edit_needs_a_full_rebuild() {
    let t = SiteTest::fixture("build/basic");
    let root = t.root().canonicalize().unwrap();
    let mut session = mekong::session::Session::start(&mekong::Options::new(&root)).unwrap();
    t.write(
        "content/s/b.md",
        &t.read("content/s/b.md")
            .replace("title: Page B", "title: Page Bee"),
    );
    assert!(
        session.update(&root.join("content/s/b.md")).is_none(),
        "the navigation of other pages shows the title"
    );
}

/// Issue 14, case 7: serve renders without the search index and makes it afterwards, off the
/// request path; after a body edit the index made then is the one a build of the same input
/// makes, byte for byte, and an index made from an older state is refused.
#[test]
fn search_index_made_after_the_pages_equals_a_builds_and_follows_body_edits() {
    let t = SiteTest::fixture("build/basic");
    let root = t.root().canonicalize().unwrap();
    let opts = mekong::Options::new(&root);
    let mut session = mekong::session::Session::start(&opts).unwrap();
    assert!(
        !session
            .output
            .files
            .keys()
            .any(|p| p.starts_with("pagefind/")),
        "pages are served before the index exists"
    );
    let stale = session.search_job().expect("the fixture has search on");
    t.write(
        "content/s/b.md",
        &t.read("content/s/b.md")
            .replace("B's body", "B's body, now with zanzibarwords"),
    );
    session
        .update(&root.join("content/s/b.md"))
        .expect("a body edit is incremental")
        .unwrap();
    // The worker's cache of parsed pages: the first index parses every page, the second only
    // those whose HTML the edit changed (issue 16), and still equals a build's index.
    let mut cache = mekong::search::ParseCache::default();
    let (version, files) = stale.run(&mut cache);
    assert!(
        !session.add_search_index(&version, files.unwrap()),
        "an index of the state before the edit must not be used"
    );
    let all = cache.len();
    assert!(
        all > 3 && cache.parsed() == all,
        "{} of {all}",
        cache.parsed()
    );
    let (version, files) = session.search_job().unwrap().run(&mut cache);
    assert!(session.add_search_index(&version, files.unwrap()));
    assert_eq!(cache.len(), all);
    assert!(
        (1..all).contains(&cache.parsed()),
        "the edit changed one page's HTML and its neighbours', not all {all}: {} parsed again",
        cache.parsed()
    );

    let built = mekong::produce(&opts).unwrap();
    let index = |files: &std::collections::BTreeMap<String, mekong::output::OutFile>| {
        files
            .iter()
            .filter(|(p, _)| p.starts_with("pagefind/"))
            .map(|(p, f)| match &f.data {
                mekong::output::Data::Bytes(b) => (p.clone(), b.clone()),
                other => panic!("{p}: {other:?}"),
            })
            .collect::<Vec<_>>()
    };
    let (ours, theirs) = (index(&session.output.files), index(&built.output.files));
    assert!(!theirs.is_empty());
    assert_eq!(
        ours.iter().map(|f| &f.0).collect::<Vec<_>>(),
        theirs.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    assert!(ours == theirs, "the index differs from a build's");
}
