//! Regression tests for issue 14, "Never stale": `serve` (through `session::apply`, or the real
//! server where the watcher is the point) and the no-change fast path of `build` must always
//! equal a fresh build. One test (or a few) per numbered case of the issue, each named after
//! what it guards; every incremental result is compared with a fresh `Session::start` or a
//! fresh build into an empty folder, byte for byte. The random sequences are in `model.rs`.

use crate::model::{BASE, dir_files, first_difference, session_files};
use crate::support::SiteTest;
use mekong::Options;
use mekong::session::{Applied, Session, apply};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// A site written from code: `site.yaml` (search off unless given) and the files listed.
fn site(files: &[(&str, &str)]) -> SiteTest {
    let t = SiteTest::empty();
    if !files.iter().any(|(p, _)| *p == "site.yaml") {
        t.write("site.yaml", "title: Stale\nsearch: false\n");
    }
    for (path, text) in files {
        t.write(path, text);
    }
    t
}

/// What `serve` builds with: the canonical root (watch events carry absolute paths) and the
/// served address as the base URL.
fn serve_opts(t: &SiteTest) -> Options {
    Options {
        root: t.root().canonicalize().unwrap(),
        output: None,
        base_url: Some(BASE.into()),
        drafts: false,
        ..Default::default()
    }
}

/// A session as `serve` starts it: the first `apply`, with nothing changed.
fn started(o: &Options) -> RwLock<Option<Session>> {
    let slot = RwLock::new(None);
    if let Err(e) = apply(&slot, o, &[]) {
        panic!("the first build failed:\n{e}");
    }
    slot
}

/// `apply` after the saves of `rels` (paths relative to the site root), as the watcher calls it.
fn saved(
    slot: &RwLock<Option<Session>>,
    o: &Options,
    rels: &[&str],
) -> Result<(Applied, Vec<String>), mekong::error::Error> {
    let changed: Vec<PathBuf> = rels.iter().map(|r| o.root.join(r)).collect();
    apply(slot, o, &changed)
}

/// Panics with the first differing file unless the session equals a fresh `Session::start`.
fn assert_fresh(slot: &RwLock<Option<Session>>, o: &Options) {
    let fresh = match Session::start(o) {
        Ok(s) => session_files(&s),
        Err(e) => panic!("a fresh build fails, but serve succeeded:\n{e}"),
    };
    let guard = slot.read().unwrap();
    let served = session_files(guard.as_ref().expect("a session"));
    if let Some(d) = first_difference(&served, &fresh, "serve", "a fresh build") {
        panic!("serve is stale: {d}");
    }
}

/// The error text of a fresh `Session::start`, which must fail.
fn fresh_error(o: &Options) -> String {
    match Session::start(o) {
        Ok(_) => panic!("a fresh build succeeds, but it was expected to fail"),
        Err(e) => e.to_string(),
    }
}

fn file_of(slot: &RwLock<Option<Session>>, path: &str) -> String {
    let guard = slot.read().unwrap();
    let files = session_files(guard.as_ref().expect("a session"));
    String::from_utf8_lossy(
        files
            .get(path)
            .unwrap_or_else(|| panic!("serve has no {path}")),
    )
    .into_owned()
}

// ---------------------------------------------------------------------------------------------
// Case 1: the no-change fast path must see every input that `load` sees.

/// `mekong build` into `out`, from the site root.
fn build_into(t: &SiteTest, out: &Path) -> Result<mekong::Summary, mekong::error::Error> {
    mekong::build(&Options {
        root: t.root().to_path_buf(),
        output: Some(out.to_path_buf()),
        base_url: None,
        drafts: false,
        ..Default::default()
    })
}

fn check_of(t: &SiteTest) -> Result<mekong::Produced, mekong::error::Error> {
    mekong::check(&Options::new(t.root()))
}

/// Whether a build stopped at the fast path: every file it reports is the last build's.
fn took_fast_path(s: &mekong::Summary) -> bool {
    s.produced
        .output
        .files
        .values()
        .all(|f| matches!(f.data, mekong::output::Data::Unchanged(_)))
}

fn case1_site() -> SiteTest {
    site(&[
        ("content/_index.md", "---\ntitle: Home\n---\nHome.\n"),
        ("content/a.md", "---\ntitle: A\n---\nPage A.\n"),
        ("content/s/b.md", "---\ntitle: B\n---\nPage B.\n"),
        ("static/style.css", "body { color: teal; }\n"),
        ("templates/extra.html", "{# unused #}\n"),
    ])
}

/// Builds into a persistent folder and into a new empty one; both must give the same result
/// (the same error text, or byte-identical folders).
fn assert_build_is_fresh(t: &SiteTest, persistent: &Path, what: &str) {
    let fresh_dir = crate::support::tempdir();
    let fresh_out = fresh_dir.path().join("public");
    let kept = build_into(t, persistent);
    let fresh = build_into(t, &fresh_out);
    match (kept, fresh) {
        (Ok(_), Ok(_)) => {
            if let Some(d) = first_difference(
                &dir_files(persistent),
                &dir_files(&fresh_out),
                "the rebuilt output",
                "a fresh build",
            ) {
                panic!("after {what}: {d}");
            }
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "after {what}"),
        (Ok(_), Err(e)) => {
            panic!("after {what}, the rebuild succeeded (fast path), but a fresh build fails:\n{e}")
        }
        (Err(e), Ok(_)) => {
            panic!("after {what}, the rebuild fails but a fresh build does not:\n{e}")
        }
    }
}

/// Issue 14, case 1: a symbolic link loop added after a build (`content/loop -> .`, and the
/// same in static/ and templates/) fails the next build as it fails `check`, instead of the
/// fast path reporting "0 files written".
#[test]
fn build_after_adding_a_symlink_loop_fails_like_check() {
    let mut failures = Vec::new();
    for dir in ["content", "static", "templates"] {
        let t = case1_site();
        let out = t.root().join("public");
        build_into(&t, &out).unwrap_or_else(|e| panic!("first build: {e}"));
        std::os::unix::fs::symlink(".", t.root().join(dir).join("loop")).unwrap();
        let checked = match check_of(&t) {
            Ok(_) => panic!("check accepts a symlink loop in {dir}/"),
            Err(e) => e.to_string(),
        };
        assert!(checked.contains("loop"), "{checked}");
        match build_into(&t, &out) {
            Ok(s) => failures.push(format!(
                "build succeeded after adding {dir}/loop -> . (fast path: {}), but check says:\n{checked}",
                took_fast_path(&s)
            )),
            Err(e) if e.to_string() != checked => failures.push(format!(
                "build and check disagree on {dir}/loop:\nbuild: {e}\ncheck: {checked}"
            )),
            Err(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Issue 14, case 1: other entries that `load` refuses but the record used to skip (a
/// dangling symbolic link, a socket) fail the next build as they fail `check`.
#[test]
fn build_after_adding_an_unreadable_entry_fails_like_check() {
    type Add = fn(&Path);
    let make: [(&str, Add); 2] = [
        ("a dangling symbolic link", |root| {
            std::os::unix::fs::symlink("nowhere.md", root.join("content/dangling.md")).unwrap()
        }),
        ("a socket", |root| {
            let l = std::os::unix::net::UnixListener::bind(root.join("content/sock")).unwrap();
            drop(l); // the socket file stays
        }),
    ];
    let mut failures = Vec::new();
    for (what, add) in make {
        let t = case1_site();
        let out = t.root().join("public");
        build_into(&t, &out).unwrap_or_else(|e| panic!("first build: {e}"));
        add(t.root());
        let checked = match check_of(&t) {
            Ok(_) => panic!("check accepts {what}"),
            Err(e) => e.to_string(),
        };
        match build_into(&t, &out) {
            Ok(_) => failures.push(format!(
                "build succeeded after adding {what}, but check says:\n{checked}"
            )),
            Err(e) if e.to_string() != checked => failures.push(format!(
                "build and check disagree on {what}:\nbuild: {e}\ncheck: {checked}"
            )),
            Err(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Issue 14, case 1: the record follows the rules of `load`: hidden files and editor back-ups
/// are not inputs, so adding or changing one keeps the fast path, and the output equals a fresh
/// build.
#[test]
fn build_fast_path_ignores_hidden_files_and_backups_like_load() {
    let t = case1_site();
    let out = t.root().join("public");
    build_into(&t, &out).unwrap_or_else(|e| panic!("first build: {e}"));
    let mut rendered_again = Vec::new();
    for (rel, text) in [
        ("content/.notes.md", "---\nnot: [valid\n"),
        ("content/a.md~", "---\ntitle: old A\n---\n"),
        ("content/#a.md#", "autosave"),
        ("content/s/.a.md.swp", "swap"),
        ("content/s/b.md.bak", "backup"),
        ("static/.DS_Store", "junk"),
        ("templates/.page.html.swp", "{% broken"),
    ] {
        t.write(rel, text);
        let s = build_into(&t, &out).unwrap_or_else(|e| panic!("after adding {rel}: {e}"));
        if !took_fast_path(&s) {
            rendered_again.push(rel);
        }
        assert_build_is_fresh(&t, &out, &format!("adding {rel}"));
    }
    assert!(
        rendered_again.is_empty(),
        "adding files that load ignores made the next build render the site again: {rendered_again:?}"
    );
}

/// Issue 14, case 1 ("the same rules" for ignored files): editor back-ups and hidden files in
/// templates/ are not templates, as they are not pages in content/: a broken back-up does not
/// fail the build, and the fast path does not count it.
#[test]
fn editor_backups_and_hidden_files_in_templates_are_not_templates() {
    let t = case1_site();
    let out = t.root().join("public");
    build_into(&t, &out).unwrap_or_else(|e| panic!("first build: {e}"));
    for rel in [
        "templates/page.html~",
        "templates/#page.html#",
        "templates/page.html.bak",
        "templates/.page.html.swp",
    ] {
        t.write(rel, "{% if %}\n");
    }
    if let Err(e) = check_of(&t) {
        panic!("editor back-ups in templates/ were read as templates:\n{e}");
    }
    assert_build_is_fresh(&t, &out, "adding editor back-ups to templates/");
}

/// Issue 14, case 1: a new empty folder, a new folder with a file, and a removed file or
/// folder all give a rebuild that equals a fresh build.
#[test]
fn build_after_folders_appear_or_files_go_away_equals_a_fresh_build() {
    let t = case1_site();
    let out = t.root().join("public");
    build_into(&t, &out).unwrap_or_else(|e| panic!("first build: {e}"));
    std::fs::create_dir_all(t.root().join("content/empty")).unwrap();
    assert_build_is_fresh(&t, &out, "creating the empty folder content/empty");
    std::fs::create_dir_all(t.root().join("static/empty")).unwrap();
    assert_build_is_fresh(&t, &out, "creating the empty folder static/empty");
    t.write("content/t/c.md", "---\ntitle: C\n---\nPage C.\n");
    assert_build_is_fresh(&t, &out, "adding content/t/c.md");
    std::fs::remove_file(t.root().join("content/a.md")).unwrap();
    assert_build_is_fresh(&t, &out, "removing content/a.md");
    std::fs::remove_dir_all(t.root().join("content/s")).unwrap();
    assert_build_is_fresh(&t, &out, "removing content/s/");
    std::fs::remove_file(t.root().join("static/style.css")).unwrap();
    assert_build_is_fresh(&t, &out, "removing static/style.css");
    std::fs::remove_dir_all(t.root().join("content/empty")).unwrap();
    assert_build_is_fresh(&t, &out, "removing the empty folder content/empty");
}

// ---------------------------------------------------------------------------------------------
// Case 2: tag pages show each page's reading time.

fn words(n: usize) -> String {
    (0..n)
        .map(|i| ["river", "delta", "basin", "monsoon", "rice"][i % 5])
        .collect::<Vec<_>>()
        .join(" ")
}

/// Issue 14, case 2: adding words to a tagged page (its summary unchanged) changes its reading
/// time on the tag page too, not only on the page and its section.
#[test]
fn tag_pages_show_the_new_reading_time_after_a_body_edit() {
    let page = |n| {
        format!(
            "---\ntitle: Tagged\ntags: [x]\n---\nThe summary stays.\n\n<!-- more -->\n\n{}\n",
            words(n)
        )
    };
    let t = site(&[
        ("content/_index.md", "---\ntitle: Home\n---\nHome.\n"),
        ("content/s/tagged.md", &page(20)),
    ]);
    let o = serve_opts(&t);
    let slot = started(&o);
    assert!(file_of(&slot, "tags/x/index.html").contains("1 min read"));
    t.write("content/s/tagged.md", &page(500));
    saved(&slot, &o, &["content/s/tagged.md"]).unwrap_or_else(|e| panic!("{e}"));
    let tag_page = file_of(&slot, "tags/x/index.html");
    assert!(
        tag_page.contains("3 min read"),
        "tags/x/ keeps the old reading time: {}",
        tag_page
            .lines()
            .find(|l| l.contains("min read"))
            .unwrap_or("")
    );
    assert_fresh(&slot, &o);
}

// ---------------------------------------------------------------------------------------------
// Case 3: templates that show another page through `get_page`.

const GET_PAGE_TEMPLATE: &str = r#"{% extends "base.html" %}
{% block main -%}
{% set other = get_page(path="other.md") %}
<article class="doc">
<h1>{{ page.title }}</h1>
<p class="other">{{ other.title }} · {{ other.reading_time }} min · {{ other.word_count }} words</p>
<div class="other-summary">{{ other.summary | safe }}</div>
</article>
{%- endblock main %}
"#;

/// Issue 14, case 3: a page whose template shows another page's title, summary and reading time
/// through `get_page` is rendered again when that page's body changes.
#[test]
fn get_page_readers_show_the_new_data_after_a_body_edit_of_the_page_they_read() {
    let other = |summary: &str, n| {
        format!(
            "---\ntitle: Other\n---\n{summary}\n\n<!-- more -->\n\n{}\n",
            words(n)
        )
    };
    let t = site(&[
        ("content/_index.md", "---\ntitle: Home\n---\nHome.\n"),
        (
            "content/reader.md",
            "---\ntitle: Reader\ntemplate: reader.html\n---\nReads another page.\n",
        ),
        ("content/other.md", &other("The first summary.", 10)),
        ("templates/reader.html", GET_PAGE_TEMPLATE),
    ]);
    let o = serve_opts(&t);
    let slot = started(&o);
    assert!(file_of(&slot, "reader/index.html").contains("The first summary."));

    // Only the words after the summary: the reading time changes.
    t.write("content/other.md", &other("The first summary.", 450));
    saved(&slot, &o, &["content/other.md"]).unwrap_or_else(|e| panic!("{e}"));
    assert_fresh(&slot, &o);

    // The summary itself.
    t.write("content/other.md", &other("A second summary.", 450));
    saved(&slot, &o, &["content/other.md"]).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        file_of(&slot, "reader/index.html").contains("A second summary."),
        "reader/ still shows the old summary of other.md"
    );
    assert_fresh(&slot, &o);
}

// ---------------------------------------------------------------------------------------------
// Case 4: an error is never hidden by a later good save.

/// Issue 14, case 4: while page A is broken, saving page B (a body edit that alone would be
/// incremental) still fails with A's error, and the last good build stays; fixing A succeeds.
#[test]
fn an_error_in_one_page_persists_through_saves_of_another() {
    let t = site(&[
        ("content/_index.md", "---\ntitle: Home\n---\nHome.\n"),
        ("content/a.md", "---\ntitle: A\n---\nPage A.\n"),
        ("content/b.md", "---\ntitle: B\n---\nPage B.\n"),
    ]);
    let o = serve_opts(&t);
    let slot = started(&o);
    t.write("content/a.md", "---\ntitle: A\nbogus: 1\n---\nBroken A.\n");
    let first = match saved(&slot, &o, &["content/a.md"]) {
        Ok(r) => panic!("a broken page was accepted: {r:?}"),
        Err(e) => e.to_string(),
    };
    assert_eq!(first, fresh_error(&o));
    assert!(
        first.contains("content/a.md:3:1: unknown key `bogus`"),
        "{first}"
    );

    t.write("content/b.md", "---\ntitle: B\n---\nPage B, edited.\n");
    match saved(&slot, &o, &["content/b.md"]) {
        Ok(r) => panic!("saving b.md hid the error in a.md: {r:?}"),
        Err(e) => assert_eq!(
            e.to_string(),
            fresh_error(&o),
            "the error after saving b.md"
        ),
    }
    assert!(
        file_of(&slot, "a/index.html").contains("Page A."),
        "the last good build is still served"
    );

    t.write("content/a.md", "---\ntitle: A\n---\nPage A, fixed.\n");
    saved(&slot, &o, &["content/a.md"]).unwrap_or_else(|e| panic!("after the fix: {e}"));
    assert!(file_of(&slot, "b/index.html").contains("Page B, edited."));
    assert_fresh(&slot, &o);
}

/// Issue 14, case 4: after a failed full rebuild (a broken template), a body edit does not
/// patch the old session and report success: it fails with the template's error until the
/// template is fixed.
#[test]
fn a_failed_template_persists_through_a_body_edit() {
    let t = site(&[
        ("content/_index.md", "---\ntitle: Home\n---\nHome.\n"),
        (
            "content/a.md",
            "---\ntitle: A\ntemplate: mine.html\n---\nPage A.\n",
        ),
        ("content/b.md", "---\ntitle: B\n---\nPage B.\n"),
        (
            "templates/mine.html",
            "{% extends \"base.html\" %}{% block main %}<p>mine</p>{{ page.content | safe }}{% endblock main %}\n",
        ),
    ]);
    let o = serve_opts(&t);
    let slot = started(&o);
    t.write(
        "templates/mine.html",
        "{% extends \"base.html\" %}{% block main %}{% if %}{% endblock main %}\n",
    );
    let first = match saved(&slot, &o, &["templates/mine.html"]) {
        Ok(r) => panic!("a broken template was accepted: {r:?}"),
        Err(e) => e.to_string(),
    };
    assert_eq!(first, fresh_error(&o));
    for body in ["Page B, edited.", "Page B, edited again."] {
        t.write("content/b.md", &format!("---\ntitle: B\n---\n{body}\n"));
        match saved(&slot, &o, &["content/b.md"]) {
            Ok(r) => panic!("a body edit hid the template error: {r:?}"),
            Err(e) => assert_eq!(e.to_string(), first, "the error after a body edit"),
        }
    }
    t.write(
        "templates/mine.html",
        "{% extends \"base.html\" %}{% block main %}<p>mine, fixed</p>{% endblock main %}\n",
    );
    saved(&slot, &o, &["templates/mine.html"]).unwrap_or_else(|e| panic!("after the fix: {e}"));
    assert_fresh(&slot, &o);
}

/// Found by the model test (issue 14 asks for equal error lists): when the glossary page fails
/// to load, serve's incremental path reports the page's own error, and a build must report the
/// same list, not add that the glossary page "is not in content/".
#[test]
fn a_glossary_page_that_fails_to_load_gives_the_same_errors_in_serve_and_build() {
    let t = site(&[
        (
            "site.yaml",
            "title: Stale\nsearch: false\nglossary: {file: data/glossary.yaml, page: glossary.md}\n",
        ),
        (
            "data/glossary.yaml",
            "- term: MKG\n  expansion: Mekong Knowledge Graph\n  definition: A made-up term.\n",
        ),
        ("content/_index.md", "---\ntitle: Home\n---\nHome.\n"),
        (
            "content/glossary.md",
            "---\ntitle: Glossary\ntemplate: glossary.html\n---\nTerms.\n",
        ),
    ]);
    let o = serve_opts(&t);
    let slot = started(&o);
    t.write(
        "content/glossary.md",
        "---\ntitle: Glossary\nbogus: 1\ntemplate: glossary.html\n---\nTerms.\n",
    );
    let served = match saved(&slot, &o, &["content/glossary.md"]) {
        Ok(r) => panic!("a broken glossary page was accepted: {r:?}"),
        Err(e) => e.to_string(),
    };
    assert!(
        served.contains("content/glossary.md:3:1: unknown key `bogus`"),
        "{served}"
    );
    assert_eq!(
        fresh_error(&o),
        served,
        "a fresh build and serve list different errors"
    );
}

// ---------------------------------------------------------------------------------------------
// Cases 4, 5 and 7 through the real server: the watcher and what a new tab sees.

fn serve(t: &SiteTest) -> mekong::serve::Running {
    mekong::serve::start(&mekong::serve::ServeOptions {
        root: t.root().to_path_buf(),
        port: 0,
        bind: "127.0.0.1".parse().unwrap(),
        open: false,
        drafts: false,
    })
    .unwrap_or_else(|e| panic!("serve failed: {e}"))
}

/// A GET over HTTP: (status, body).
fn get(r: &mekong::serve::Running, path: &str) -> (u16, Vec<u8>) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(r.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        r.addr
    )
    .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(buf.len(), |i| i + 4);
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, buf[split..].to_vec())
}

fn get_text(r: &mekong::serve::Running, path: &str) -> (u16, String) {
    let (status, body) = get(r, path);
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// Waits (at most `secs`) until `ok` holds; panics with `what` otherwise. Never a sleep that
/// stands for an assertion: the condition is what is checked, the bound only ends a failure.
fn wait_until(secs: u64, what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !ok() {
        assert!(Instant::now() < deadline, "within {secs} s: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether a notice matching `want` arrives within `secs`.
fn notice_within(
    rx: &mut tokio::sync::broadcast::Receiver<mekong::serve::Notice>,
    secs: u64,
    want: impl Fn(&mekong::serve::Notice) -> bool,
) -> Option<mekong::serve::Notice> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        match rx.try_recv() {
            Ok(n) if want(&n) => return Some(n),
            Ok(_) => {}
            Err(tokio::sync::broadcast::error::TryRecvError::Empty) => {
                if Instant::now() >= deadline {
                    return None;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(tokio::sync::broadcast::error::TryRecvError::Lagged(_)) => {}
            Err(e) => panic!("notices closed: {e}"),
        }
    }
}

/// The first event that a newly opened tab's event stream receives, if one comes within 3 s.
fn first_event_of_a_new_tab(r: &mekong::serve::Running) -> Option<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(r.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    write!(s, "GET /__mekong/events HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut got = String::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        if let Ok(n) = s.read(&mut buf) {
            got.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
        if let Some(i) = got.find("event: ") {
            let rest = &got[i..];
            if let Some(end) = rest.find("\n\n") {
                return Some(rest[..end].to_string());
            }
        }
    }
    None
}

/// Every file of a fresh build, fetched from the server, equals the fresh build's bytes once
/// the injected live-reload script is taken out of HTML pages.
fn assert_served_is_fresh(r: &mekong::serve::Running, t: &SiteTest) {
    let fresh = Session::start(&Options {
        root: t.root().canonicalize().unwrap(),
        output: None,
        base_url: Some(format!("http://{}/", r.addr)),
        drafts: false,
        ..Default::default()
    })
    .unwrap_or_else(|e| panic!("a fresh build fails:\n{e}"));
    let script = b"<script src=\"/__mekong/live.js\"></script>";
    for (path, bytes) in session_files(&fresh) {
        let (status, mut body) = get(r, &format!("/{path}"));
        assert_eq!(status, 200, "{path} is not served");
        if path.ends_with(".html")
            && let Some(i) = body.windows(script.len()).rposition(|w| w == script)
        {
            body.drain(i..i + script.len());
        }
        if body != bytes {
            let mut one = BTreeMap::new();
            one.insert(path.clone(), body);
            let mut other = BTreeMap::new();
            other.insert(path.clone(), bytes);
            panic!(
                "serve is stale: {}",
                first_difference(&one, &other, "served", "a fresh build").unwrap()
            );
        }
    }
}

/// Issue 14, case 4, as a reader sees it: after page A broke and page B was saved, a tab opened
/// then is told about A's error, and the terminal-side notice names it too.
#[test]
fn a_new_tab_sees_the_error_after_another_page_is_saved() {
    let t = site(&[
        ("content/_index.md", "---\ntitle: Home\n---\nHome.\n"),
        ("content/a.md", "---\ntitle: A\n---\nPage A.\n"),
        ("content/b.md", "---\ntitle: B\n---\nPage B.\n"),
    ]);
    let r = serve(&t);
    let mut rx = r.notices();
    t.write("content/a.md", "---\ntitle: A\nbogus: 1\n---\nBroken A.\n");
    assert!(
        notice_within(&mut rx, 15, |n| matches!(
            n,
            mekong::serve::Notice::Failed(_)
        ))
        .is_some(),
        "no error notice for the broken a.md"
    );
    t.write("content/b.md", "---\ntitle: B\n---\nPage B, edited.\n");
    let n = notice_within(&mut rx, 15, |n| *n != mekong::serve::Notice::Css)
        .expect("no notice after saving b.md");
    match n {
        mekong::serve::Notice::Failed(text) => {
            assert!(
                text.contains("content/a.md:3:1: unknown key `bogus`"),
                "{text}"
            )
        }
        other => panic!("saving b.md told pages {other:?}: the error in a.md was hidden"),
    }
    let first = first_event_of_a_new_tab(&r).unwrap_or_default();
    assert!(
        first.starts_with("event: build-error") && first.contains("content/a.md:3:1"),
        "a new tab is not told about the error: {first:?}"
    );
}

fn case5_site() -> SiteTest {
    site(&[
        ("content/_index.md", "---\ntitle: Home\n---\nHome.\n"),
        ("content/a.md", "---\ntitle: A\n---\nPage A.\n"),
    ])
}

/// Issue 14, case 5: a `templates/` folder created after `serve` started is watched: its first
/// template is used, and later edits to it too.
#[test]
fn serve_picks_up_a_templates_folder_created_after_start() {
    let t = case5_site();
    let r = serve(&t);
    let mut rx = r.notices();
    let template = |marker: &str| {
        format!(
            "{{% extends \"base.html\" %}}{{% block main %}}<p>{marker}</p>{{{{ page.content | safe }}}}{{% endblock main %}}\n"
        )
    };
    t.write("templates/page.html", &template("made-after-start"));
    wait_until(15, "/a/ uses the new templates/page.html", || {
        get_text(&r, "/a/").1.contains("made-after-start")
    });
    assert!(
        notice_within(&mut rx, 5, |n| *n == mekong::serve::Notice::Reload).is_some(),
        "open pages were not told to reload"
    );
    t.write("templates/page.html", &template("edited-later"));
    wait_until(15, "/a/ uses the edited templates/page.html", || {
        get_text(&r, "/a/").1.contains("edited-later")
    });
    assert_served_is_fresh(&r, &t);
}

/// Issue 14, case 5: a `static/` folder created after `serve` started is watched.
#[test]
fn serve_picks_up_a_static_folder_created_after_start() {
    let t = case5_site();
    let r = serve(&t);
    let mut rx = r.notices();
    t.write("static/notes.txt", "made after start\n");
    wait_until(15, "/notes.txt is served", || {
        get_text(&r, "/notes.txt").1.contains("made after start")
    });
    assert!(notice_within(&mut rx, 5, |n| *n == mekong::serve::Notice::Reload).is_some());
    t.write("static/notes.txt", "edited later\n");
    wait_until(15, "/notes.txt is served as edited", || {
        get_text(&r, "/notes.txt").1.contains("edited later")
    });
    assert_served_is_fresh(&r, &t);
}

/// Issue 14, case 5: a new section folder, created with its first page after `serve` started,
/// is watched: the page appears, and a later page in it too.
#[test]
fn serve_picks_up_a_section_folder_created_after_start() {
    let t = case5_site();
    let r = serve(&t);
    let mut rx = r.notices();
    // A folder moved in with its page (`mv`, a file manager, a `git checkout`): the page itself
    // makes no event of its own.
    let outside = tempfile::tempdir_in(t.root()).unwrap();
    std::fs::create_dir(outside.path().join("moved")).unwrap();
    std::fs::write(
        outside.path().join("moved/page.md"),
        "---\ntitle: Moved\n---\nMoved in with its folder.\n",
    )
    .unwrap();
    std::fs::rename(outside.path().join("moved"), t.root().join("content/moved")).unwrap();
    wait_until(15, "/moved/page/ is served", || {
        get_text(&r, "/moved/page/")
            .1
            .contains("Moved in with its folder.")
    });
    assert!(notice_within(&mut rx, 5, |n| *n == mekong::serve::Notice::Reload).is_some());
    // A folder made, then its first page written at once.
    t.write(
        "content/fresh/first.md",
        "---\ntitle: First\n---\nIn a new folder.\n",
    );
    wait_until(15, "/fresh/first/ is served", || {
        get_text(&r, "/fresh/first/").1.contains("In a new folder.")
    });
    assert!(notice_within(&mut rx, 5, |n| *n == mekong::serve::Notice::Reload).is_some());
    t.write(
        "content/fresh/second.md",
        "---\ntitle: Second\n---\nThe second one.\n",
    );
    wait_until(15, "/fresh/second/ is served", || {
        get_text(&r, "/fresh/second/").1.contains("The second one.")
    });
    // Folders inside a new folder, made at once (`mkdir -p`, a copied tree, a `git checkout`).
    t.write(
        "content/deep/er/page.md",
        "---\ntitle: Deep\n---\nTwo new folders down.\n",
    );
    wait_until(15, "/deep/er/page/ is served", || {
        get_text(&r, "/deep/er/page/")
            .1
            .contains("Two new folders down.")
    });
    assert_served_is_fresh(&r, &t);
}

/// Issue 14, case 5 (`data/`): a data file that site.yaml names outside content/ (here the
/// glossary, under data/) is an input of the build, so `serve` watches it like content/.
#[test]
fn serve_picks_up_edits_to_a_glossary_file_under_data() {
    let glossary = |expansion: &str| {
        format!("- term: MKG\n  expansion: {expansion}\n  definition: A made-up term.\n")
    };
    let t = site(&[
        (
            "site.yaml",
            "title: Stale\nsearch: false\nglossary: {file: data/glossary.yaml, page: glossary.md}\n",
        ),
        ("data/glossary.yaml", &glossary("Mekong Knowledge Graph")),
        ("content/_index.md", "---\ntitle: Home\n---\nHome.\n"),
        (
            "content/glossary.md",
            "---\ntitle: Glossary\ntemplate: glossary.html\n---\nTerms.\n",
        ),
        ("content/a.md", "---\ntitle: A\n---\nThe MKG is made up.\n"),
    ]);
    let r = serve(&t);
    assert!(get_text(&r, "/a/").1.contains("Mekong Knowledge Graph"));
    t.write("data/glossary.yaml", &glossary("Mighty Kettle Gong"));
    wait_until(15, "/a/ shows the edited glossary expansion", || {
        get_text(&r, "/a/").1.contains("Mighty Kettle Gong")
    });
    assert_served_is_fresh(&r, &t);
}

// ---------------------------------------------------------------------------------------------
// Case 6: a heading change rechecks every link into the page.

/// Issue 14, case 6: links into a page from raw HTML in another page's Markdown, and from a
/// template, are rechecked when the page's headings change: the save fails with the error a
/// fresh build reports, naming the link.
#[test]
fn heading_change_rechecks_raw_html_and_template_links_into_the_page() {
    let a = |heading: &str| format!("---\ntitle: A\n---\nPage A.\n\n## {heading}\n\nText.\n");
    let variants: [(&str, Vec<(&str, String)>); 2] = [
        (
            "a raw HTML link in content/b.md",
            vec![(
                "content/b.md",
                "---\ntitle: B\n---\nSee <a href=\"/a/#old\">the old part</a>.\n".to_string(),
            )],
        ),
        (
            "a link in templates/linking.html",
            vec![
                (
                    "content/b.md",
                    "---\ntitle: B\ntemplate: linking.html\n---\nPage B.\n".to_string(),
                ),
                (
                    "templates/linking.html",
                    "{% extends \"base.html\" %}{% block main %}<a href=\"{{ url(path='a/') }}#old\">old</a>{% endblock main %}\n"
                        .to_string(),
                ),
            ],
        ),
    ];
    let mut failures = Vec::new();
    for (what, files) in variants {
        let t = site(&[
            ("content/_index.md", "---\ntitle: Home\n---\nHome.\n"),
            ("content/a.md", &a("Old")),
        ]);
        for (p, text) in &files {
            t.write(p, text);
        }
        let o = serve_opts(&t);
        let slot = started(&o);
        t.write("content/a.md", &a("New"));
        let expected = fresh_error(&o);
        assert!(expected.contains("#old"), "{expected}");
        match saved(&slot, &o, &["content/a.md"]) {
            Ok(r) => failures.push(format!(
                "renaming the heading #old of a.md was accepted ({r:?}), though {what} points to it; a fresh build says:\n{expected}"
            )),
            Err(e) if e.to_string() != expected => failures.push(format!(
                "{what}: serve says\n{e}\nbut a fresh build says\n{expected}"
            )),
            Err(_) => {}
        }
        // Back to the old heading: good again, and equal to a fresh build.
        t.write("content/a.md", &a("Old"));
        saved(&slot, &o, &["content/a.md"]).unwrap_or_else(|e| panic!("{what}, fixed: {e}"));
        assert_fresh(&slot, &o);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Case 7: the search index after a body edit.

/// Issue 14, case 7 (the part that can be checked without timing): after a body edit, the
/// search index that `serve` serves is, within a bound, the one a fresh build makes. Whether
/// the reload comes before the index is refreshed is a matter of timing and is not tested here.
#[test]
fn serve_refreshes_the_search_index_after_a_body_edit() {
    let t = site(&[
        ("site.yaml", "title: Stale\nsearch: true\n"),
        ("content/_index.md", "---\ntitle: Home\n---\nHome.\n"),
        ("content/a.md", "---\ntitle: A\n---\nPage A about rivers.\n"),
    ]);
    let r = serve(&t);
    t.write(
        "content/a.md",
        "---\ntitle: A\n---\nPage A about zebrafish.\n",
    );
    // What a build with the served address as base URL makes, after the edit.
    let out = crate::support::tempdir();
    mekong::build(&Options {
        root: t.root().canonicalize().unwrap(),
        output: Some(out.path().join("public")),
        base_url: Some(format!("http://{}/", r.addr)),
        drafts: false,
        ..Default::default()
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let built: BTreeMap<String, Vec<u8>> = dir_files(&out.path().join("public"))
        .into_iter()
        .filter(|(p, _)| p.starts_with("pagefind/"))
        .collect();
    assert!(!built.is_empty(), "the build made no search index");
    wait_until(30, "serve's search index equals a fresh build's", || {
        get_text(&r, "/a/").1.contains("zebrafish")
            && built.iter().all(|(p, bytes)| {
                let (status, body) = get(&r, &format!("/{p}"));
                status == 200 && body == *bytes
            })
    });
}

// ---------------------------------------------------------------------------------------------
// Template edits: rendered again from the kept Markdown.

/// Issue 14 ("a template edit re-served within 3 s"): a change to page templates alone renders
/// every page again from the Markdown the session holds, without loading or rendering
/// Markdown again, and the result equals a fresh build; a new template and a get_page reader
/// too. A component under `templates/components/` (Markdown calls it) rebuilds the site.
#[test]
fn a_template_edit_renders_every_page_again_and_equals_a_fresh_build() {
    let t = site(&[
        ("content/_index.md", "---\ntitle: Home\n---\nHome.\n"),
        (
            "content/a.md",
            "---\ntitle: A\ntemplate: mine.html\n---\nPage A, {{ badge(text=\"new\") }}.\n",
        ),
        ("content/b.md", "---\ntitle: B\n---\nPage B.\n"),
        (
            "templates/mine.html",
            "{% extends \"base.html\" %}{% block main %}<p>mine</p>{{ page.content | safe }}{% endblock main %}\n",
        ),
        (
            "templates/components/badge.html",
            "{% component badge(text: string) %}<b>{{ text }}</b>{% endcomponent badge %}\n",
        ),
    ]);
    let o = serve_opts(&t);
    let slot = started(&o);
    t.write(
        "templates/mine.html",
        "{% extends \"base.html\" %}{% block main %}{% set b = get_page(path=\"b.md\") %}<p>mine, edited: {{ b.title }}</p>{{ page.content | safe }}{% endblock main %}\n",
    );
    let (how, diff) = saved(&slot, &o, &["templates/mine.html"]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(how, Applied::Rerendered);
    assert_eq!(
        diff,
        ["a/index.html"],
        "only the page that uses the template changed"
    );
    assert!(file_of(&slot, "a/index.html").contains("mine, edited: B"));
    assert_fresh(&slot, &o);
    // A page template that did not exist: the default theme's page.html is overridden.
    t.write(
        "templates/page.html",
        "{% extends \"default/page.html\" %}{% block prose %}<p>site page</p>{{ super() }}{% endblock prose %}\n",
    );
    let (how, _) = saved(&slot, &o, &["templates/page.html"]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(how, Applied::Rerendered);
    assert!(file_of(&slot, "b/index.html").contains("site page"));
    assert_fresh(&slot, &o);
    // A component changes the Markdown's output: the whole site is built again.
    t.write(
        "templates/components/badge.html",
        "{% component badge(text: string) %}<i>{{ text }}</i>{% endcomponent badge %}\n",
    );
    let (how, _) =
        saved(&slot, &o, &["templates/components/badge.html"]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(how, Applied::Rebuilt);
    assert!(file_of(&slot, "a/index.html").contains("<i>new</i>"));
    assert_fresh(&slot, &o);
}
