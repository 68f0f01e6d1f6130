//! Real-browser tests: the AMM-51 site, built by `mekong::build` and served under `/amm51/` as
//! GitHub Pages would, driven in Debian's headless chromium; and `mekong serve`'s live reload.
//!
//! Without chromium build.rs marks every test here ignored ("chromium not found"), except under
//! `CI=true`, where they run and fail (see `harness::chromium`). Screenshots are written to
//! `target/screenshots/` on every run for a person to look at.

mod axe;
mod harness;
mod highlight;
mod i18n;
mod reader;
mod rich;
mod search;
mod server;

use crate::support::SiteTest;
use harness::{Chrome, Page, poll};
use server::StaticServer;
use std::collections::{BTreeSet, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

const PREFIX: &str = "/amm51/";

/// The flagship site, built for `http://127.0.0.1:<port>/amm51/` and served there.
struct Site {
    server: StaticServer,
    _site: SiteTest,
}

impl Site {
    fn port(&self) -> u16 {
        self.server.addr.port()
    }

    fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port())
    }

    /// `url("topics/")` is the absolute URL of /amm51/topics/.
    fn url(&self, rel: &str) -> String {
        format!("{}{PREFIX}{rel}", self.origin())
    }
}

/// One built and served site shared by the tests that run at the same time; it is removed
/// when the last of them finishes (a later test builds it again).
fn site() -> Arc<Site> {
    static SHARED: Mutex<Weak<Site>> = Mutex::new(Weak::new());
    let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(s) = shared.upgrade() {
        return s;
    }
    let t = SiteTest::flagship();
    let (server, _) = server::build_and_serve(&t, PREFIX, "the flagship site");
    let s = Arc::new(Site { server, _site: t });
    *shared = Arc::downgrade(&s);
    s
}

/// `target/screenshots/`, beside the test binary's `target/debug/deps/`.
fn screenshot_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let target = exe
        .ancestors()
        .find(|p| p.file_name().is_some_and(|n| n == "target"))
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::support::repo_root().join("target"));
    target.join("screenshots")
}

/// A page of a fresh chromium.
fn browser() -> (Chrome, Page) {
    let chrome = Chrome::launch();
    let page = chrome.page();
    (chrome, page)
}

/// Asserts that every request so far went to the test server (or stayed inside the page).
fn assert_local(page: &Page, site: &Site) {
    let origin = format!("{}/", site.origin());
    let r = page.rec();
    let foreign: BTreeSet<&String> = r
        .requests
        .iter()
        .filter(|u| {
            !(u.starts_with(&origin)
                || u.starts_with("data:")
                || u.starts_with("blob:")
                || u.starts_with("about:"))
        })
        .collect();
    assert!(
        foreign.is_empty(),
        "requests left 127.0.0.1:{}: {foreign:?}",
        site.port()
    );
}

const VISIBLE_JS: &str = "(e) => { if (!e) return false; const s = getComputedStyle(e); \
    const r = e.getBoundingClientRect(); \
    return e.offsetParent !== null && s.visibility !== 'hidden' && r.width > 0 && r.height > 0 \
    && r.right > 0 && r.left < window.innerWidth; }";

#[cfg_attr(
    mekong_no_chromium,
    ignore = "chromium not found: apt-get install chromium (or set MEKONG_CHROMIUM)"
)]
#[test]
fn every_page_loads_without_console_errors_or_failed_requests() {
    let (_chrome, page) = browser();
    let site = site();
    let missing = site.url("no-such-page/");
    page.goto(&site.url(""));
    page.self_test(&site.url("mekong-probe-missing.js"));

    let origin = format!("{}/", site.origin());
    let mut queue: VecDeque<String> = VecDeque::from([site.url("")]);
    let mut seen: BTreeSet<String> = queue.iter().cloned().collect();
    let mut visited = Vec::new();
    // Links to files that are not pages (the feed, the report's text) are fetched, not
    // visited: the browser would show them in a viewer of its own, not the site's.
    let mut files = Vec::new();
    while let Some(url) = queue.pop_front() {
        let path = url.trim_start_matches(&origin);
        if !(path.is_empty() || path.ends_with('/') || path.ends_with(".html")) {
            let status = page.js(&format!("fetch({url:?}).then(r => r.status)"));
            assert_eq!(
                status.as_u64(),
                Some(200),
                "the link to {url} (found while crawling, last page {:?}) does not load",
                visited.last()
            );
            files.push(url);
            continue;
        }
        page.goto(&url);
        visited.push(url.clone());
        assert_eq!(
            page.js_str("document.contentType"),
            "text/html",
            "{url} is not served as HTML"
        );
        let links = page.js("[...document.querySelectorAll('a[href]')].map(a => a.href)");
        for link in links.as_array().unwrap() {
            let link = link.as_str().unwrap_or("");
            let link = link.split('#').next().unwrap();
            if link.starts_with(&origin) && seen.insert(link.to_string()) {
                queue.push_back(link.to_string());
            }
        }
        assert!(
            visited.len() < 200,
            "more than 200 pages: a link loop? {visited:?}"
        );
    }
    println!(
        "visited {} pages: {visited:#?}\nfetched {} linked files: {files:#?}",
        visited.len(),
        files.len()
    );
    assert!(
        visited.len() >= 20,
        "only {} pages reachable from {PREFIX} by links: {visited:?}",
        visited.len()
    );
    for must in ["topics/economy/", "glossary/", "source/"] {
        assert!(
            visited.contains(&site.url(must)),
            "{PREFIX}{must} is not reachable by links from {PREFIX}"
        );
    }

    // The deliberate miss: the 404 page, with status 404, its own assets loading from a
    // nested missing path.
    page.rec().expected_errors.insert(missing.clone());
    page.goto(&missing);
    let status = page
        .rec()
        .responses
        .iter()
        .rev()
        .find(|(u, _)| *u == missing)
        .map(|(_, s)| *s);
    assert_eq!(status, Some(404), "{missing} should answer 404");
    assert!(
        page.js_bool("!!document.querySelector('h1') && getComputedStyle(document.body).fontFamily !== '' && [...document.styleSheets].some(s => s.href && s.href.includes('/amm51/'))"),
        "the 404 page at {missing} has no h1 or did not load its stylesheet from /amm51/"
    );
    assert_local(&page, &site);
    page.assert_clean(&format!(
        "crawling {} pages from {PREFIX} and visiting a missing page",
        visited.len()
    ));
}

fn overflow_report(page: &Page) -> String {
    page.js_str(
        "(() => { const w = window.innerWidth; const out = []; \
         for (const e of document.querySelectorAll('body *')) { \
           const r = e.getBoundingClientRect(); \
           if (r.right > w + 0.5 && r.width > 0) { \
             let p = e.parentElement, clipped = false; \
             while (p && p !== document.body) { const o = getComputedStyle(p).overflowX; \
               if (o !== 'visible') { clipped = true; break; } p = p.parentElement; } \
             if (!clipped) out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + \
               (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '') + \
               ' right=' + Math.round(r.right)); } } \
         return out.slice(0, 12).join('; '); })()",
    )
}

#[cfg_attr(
    mekong_no_chromium,
    ignore = "chromium not found: apt-get install chromium (or set MEKONG_CHROMIUM)"
)]
#[test]
fn no_horizontal_scroll_at_375px() {
    let (_chrome, page) = browser();
    let site = site();
    page.viewport(375, 800);
    for rel in [
        "",
        "topics/",
        "topics/connectivity-and-innovation/",
        "topics/economy/",
        "source/",
        "glossary/",
    ] {
        let url = site.url(rel);
        page.goto(&url);
        let (sw, iw) = (
            page.js_f64("document.documentElement.scrollWidth"),
            page.js_f64("window.innerWidth"),
        );
        assert!(
            sw <= iw && iw <= 375.0,
            "{url} scrolls sideways at 375 px: scrollWidth {sw} > innerWidth {iw}; \
             sticking out: {}",
            overflow_report(&page)
        );
    }
    page.assert_clean("loading pages at 375 px");
}

#[cfg_attr(
    mekong_no_chromium,
    ignore = "chromium not found: apt-get install chromium (or set MEKONG_CHROMIUM)"
)]
#[test]
fn narrow_screen_menu_opens() {
    let (_chrome, page) = browser();
    let site = site();
    page.viewport(375, 800);
    let url = site.url("topics/economy/");
    page.goto(&url);
    // The menu button: a header button that controls or expands something.
    let button = "header button[aria-controls], header button[aria-expanded]";
    page.wait_js(
        "the menu button to be shown",
        Duration::from_secs(5),
        &format!("({VISIBLE_JS})(document.querySelector({button:?}))"),
    );
    let nav_js = format!(
        "(() => {{ const b = document.querySelector({button:?}); \
         const id = b.getAttribute('aria-controls'); \
         return (id && document.getElementById(id)) || document.querySelector('.sidebar, aside nav, nav[aria-label]'); }})()"
    );
    assert!(
        page.js_bool(&format!("!!{nav_js}")),
        "on {url}: the element the menu button controls is missing"
    );
    assert_eq!(
        page.js_str(&format!(
            "document.querySelector({button:?}).getAttribute('aria-expanded')"
        )),
        "false",
        "on {url}: the menu button should start with aria-expanded=\"false\""
    );
    assert!(
        !page.js_bool(&format!("({VISIBLE_JS})({nav_js})")),
        "on {url}: at 375 px the sidebar nav should be hidden until the menu is opened"
    );
    page.click(button);
    page.wait_js(
        "the sidebar nav to show after clicking the menu button",
        Duration::from_secs(3),
        &format!("({VISIBLE_JS})({nav_js})"),
    );
    assert_eq!(
        page.js_str(&format!(
            "document.querySelector({button:?}).getAttribute('aria-expanded')"
        )),
        "true",
        "on {url}: the open menu's button should say aria-expanded=\"true\""
    );
    // The open menu's links can be reached: the first one is inside the viewport.
    assert!(
        page.js_bool(&format!(
            "(() => {{ const a = {nav_js}.querySelector('a'); const r = a.getBoundingClientRect(); \
             return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth; }})()"
        )),
        "on {url}: the open menu's first link is not inside the 375 px viewport"
    );
    page.assert_clean("opening the menu");
}

/// The theme toggle: `[data-theme-toggle]`, or a button whose label, title or text mentions
/// the theme (the default theme's is `button#theme-toggle`, text "Dark theme").
const THEME_TOGGLE_JS: &str = "(document.querySelector('[data-theme-toggle]') || \
    [...document.querySelectorAll('button')].find(b => /theme/i.test((b.getAttribute('aria-label') || '') + ' ' + (b.title || '') + ' ' + b.textContent)))";

#[cfg_attr(
    mekong_no_chromium,
    ignore = "chromium not found: apt-get install chromium (or set MEKONG_CHROMIUM)"
)]
#[test]
fn theme_toggle_switches_and_persists() {
    let (_chrome, page) = browser();
    let site = site();
    page.color_scheme("light");
    let url = site.url("topics/");
    page.goto(&url);
    page.wait_js(
        "the theme toggle to be shown",
        Duration::from_secs(5),
        &format!("({VISIBLE_JS})({THEME_TOGGLE_JS})"),
    );
    let id = page.js_str(&format!("{THEME_TOGGLE_JS}.id"));
    assert!(!id.is_empty(), "the theme toggle has no id to click it by");
    let selector = format!("#{id}");
    let theme = "document.documentElement.getAttribute('data-theme') || ''";
    let bg = "getComputedStyle(document.body).backgroundColor";
    let (theme0, bg0) = (page.js_str(theme), page.js_str(bg));
    page.click(&selector);
    page.wait_js(
        "data-theme on <html> to change after clicking the theme toggle",
        Duration::from_secs(3),
        &format!("({theme}) !== {theme0:?}"),
    );
    // A colour transition may be running: wait for the background to settle.
    page.wait_js(
        "the body background to change with the theme",
        Duration::from_secs(3),
        &format!("{bg} !== {bg0:?}"),
    );
    let _ = page.eval("new Promise(r => setTimeout(() => r(true), 400))");
    let (theme1, bg1) = (page.js_str(theme), page.js_str(bg));
    assert_ne!(theme1, "", "the toggle should set data-theme on <html>");
    assert_ne!(bg0, bg1, "the body background is the same in both themes");
    let stored = page.js("Object.values(localStorage)");
    assert!(
        stored
            .as_array()
            .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(theme1.as_str()))),
        "the chosen theme {theme1:?} is not in localStorage: {stored}"
    );
    page.goto(&url);
    assert_eq!(
        page.js_str(theme),
        theme1,
        "the theme did not persist across a reload of {url}"
    );
    let _ = page.eval("new Promise(r => setTimeout(() => r(true), 400))");
    assert_eq!(page.js_str(bg), bg1, "after reload the background differs");
    // And back.
    page.click(&selector);
    page.wait_js(
        "the second click to switch the theme back",
        Duration::from_secs(3),
        &format!("({theme}) !== {theme1:?}"),
    );
    page.assert_clean("toggling the theme");
}

/// The paths of the links in the search results.
fn result_paths(page: &Page) -> Vec<String> {
    page.js(
        "[...document.querySelectorAll('#search-results a')].map(a => new URL(a.href).pathname)",
    )
    .as_array()
    .unwrap()
    .iter()
    .map(|v| v.as_str().unwrap_or("").to_string())
    .collect()
}

fn search_for(page: &Page, query: &str) {
    // Select what the field holds, then replace it (in one input event: typing key by key is
    // slow in headless chromium, and the first query below is typed key by key).
    page.js("(() => { const i = document.querySelector('#search-input'); i.focus(); i.select(); return true; })()");
    page.insert_text(query);
}

fn wait_for_result(page: &Page, query: &str, path: &str) {
    let js = format!(
        "(() => {{ const p = document.getElementById('search-results'); \
         if (!p || p.hidden) return false; \
         return [...p.querySelectorAll('a')].some(a => new URL(a.href).pathname === {path:?}); }})()"
    );
    let start = std::time::Instant::now();
    while start.elapsed() < Duration::from_secs(8) {
        if page.js_bool(&js) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "searching {query:?} does not list {path}; results: {:?}; panel text: {:?}; problems: {:?}",
        result_paths(page),
        page.js_str("(document.getElementById('search-results') || {}).textContent"),
        page.rec().problems
    );
}

#[cfg_attr(
    mekong_no_chromium,
    ignore = "chromium not found: apt-get install chromium (or set MEKONG_CHROMIUM)"
)]
#[test]
fn search_finds_pages_and_works_from_the_keyboard() {
    let (_chrome, page) = browser();
    let site = site();
    let url = site.url("about/");
    page.goto(&url);
    page.wait_js(
        "the search field to be shown",
        Duration::from_secs(5),
        &format!("({VISIBLE_JS})(document.querySelector('#search-input'))"),
    );
    // Focus is on the page, not in a field: "/" jumps to search.
    page.js("document.activeElement && document.activeElement.blur(); true");
    page.press("/");
    page.wait_js(
        "`/` to focus the search field",
        Duration::from_secs(2),
        "document.activeElement && document.activeElement.matches('#search-input')",
    );
    assert_eq!(
        page.js_str("document.activeElement.value"),
        "",
        "the `/` that focused search must not be typed into it"
    );

    page.type_text("RCEP");
    wait_for_result(&page, "RCEP", "/amm51/topics/economy/");

    search_for(&page, "Master Plan on ASEAN Connectivity");
    wait_for_result(
        &page,
        "Master Plan on ASEAN Connectivity",
        "/amm51/glossary/",
    );

    search_for(&page, "zqxjvw");
    page.wait_js(
        "a nonsense word to show \"No results\"",
        Duration::from_secs(8),
        "(() => { const p = document.getElementById('search-results'); \
         return !!p && !p.hidden && /No results/.test(p.textContent) && !p.querySelector('a'); })()",
    );

    search_for(&page, "RCEP");
    wait_for_result(&page, "RCEP", "/amm51/topics/economy/");
    page.press("ArrowDown");
    page.wait_js(
        "ArrowDown to select the first result",
        Duration::from_secs(2),
        "(() => { const a = document.querySelector('#search-results a'); \
         return !!a && (a.getAttribute('aria-selected') === 'true' || document.activeElement === a); })()",
    );
    let first = page.js_str("new URL(document.querySelector('#search-results a').href).pathname");
    // Enter opens the selected result.
    let before = page.rec().lifecycle.len();
    page.press("Enter");
    poll(
        &format!("Enter to open the selected result {first}"),
        Duration::from_secs(8),
        || {
            let loaded = page.rec().lifecycle[before..]
                .iter()
                .any(|(_, n)| n == "load");
            (loaded && page.eval("location.pathname").ok()?.as_str()? == first).then_some(())
        },
    );
    page.settle();
    page.assert_clean("searching");
    assert_local(&page, &site);
}

#[cfg_attr(
    mekong_no_chromium,
    ignore = "chromium not found: apt-get install chromium (or set MEKONG_CHROMIUM)"
)]
#[test]
fn screenshots_of_home_and_a_topic_page() {
    let (_chrome, page) = browser();
    let site = site();
    let dir = screenshot_dir();
    for (name, rel) in [("home", ""), ("topic", "topics/economy/")] {
        for scheme in ["light", "dark"] {
            page.color_scheme(scheme);
            for width in [375, 1280] {
                page.viewport(width, 800);
                page.goto(&site.url(rel));
                let path = dir.join(format!("{name}-{width}-{scheme}.png"));
                page.screenshot(&path);
            }
        }
    }
    println!("screenshots in {}", dir.display());
    page.assert_clean("taking screenshots");
}

#[cfg_attr(
    mekong_no_chromium,
    ignore = "chromium not found: apt-get install chromium (or set MEKONG_CHROMIUM)"
)]
#[test]
fn serve_reloads_the_page_on_a_content_edit_and_keeps_the_scroll_position() {
    let (_chrome, page) = browser();
    let t = SiteTest::fixture("build/basic");
    let filler: String = (1..=120)
        .map(|i| {
            format!("\n\nFiller paragraph {i}: enough text to make the page tall enough to scroll.")
        })
        .collect();
    let original = t.read("content/a.md");
    t.write("content/a.md", &format!("{original}{filler}\n"));
    let running = mekong::serve::start(&mekong::serve::ServeOptions {
        root: t.root().to_path_buf(),
        port: 0,
        bind: "127.0.0.1".parse().unwrap(),
        open: false,
        drafts: false,
    })
    .unwrap_or_else(|e| panic!("serve did not start:\n{e}"));
    let url = format!("http://{}/a/", running.addr);
    page.viewport(1024, 700);
    page.goto(&url);
    // The live-reload script's event stream must be connected before the edit.
    poll(
        "the live-reload event stream to connect",
        Duration::from_secs(5),
        || {
            page.rec()
                .responses
                .iter()
                .any(|(u, s)| u.contains("/__mekong/events") && *s == 200)
                .then_some(())
        },
    );
    let tall = page.js_f64("document.documentElement.scrollHeight - window.innerHeight");
    assert!(
        tall > 1500.0,
        "{url} is not tall enough to scroll ({tall} px)"
    );
    page.js("window.scrollTo(0, 1200); true");
    page.wait_js(
        "the page to scroll to 1200",
        Duration::from_secs(2),
        "Math.abs(window.scrollY - 1200) < 1",
    );
    assert!(
        !page
            .js_str("document.body.innerText")
            .contains("Live edit works"),
        "the text is there before the edit"
    );
    let before = page.rec().lifecycle.len();

    t.write(
        "content/a.md",
        &format!("{original}{filler}\n\nLive edit works\n"),
    );
    page.wait_js(
        "the page to reload by itself and show the edit",
        Duration::from_secs(10),
        "document.body.innerText.includes('Live edit works')",
    );
    // The text shows before the reloaded page's `load` event (stylesheets, the icon).
    poll(
        "the reloaded page's load event (did the text appear without a reload?)",
        Duration::from_secs(5),
        || {
            page.rec().lifecycle[before..]
                .iter()
                .any(|(_, n)| n == "load")
                .then_some(())
        },
    );
    page.wait_js(
        "the scroll position to be restored after the reload",
        Duration::from_secs(3),
        "document.readyState === 'complete' && Math.abs(window.scrollY - 1200) < 2",
    );
    page.assert_clean("live reload");
    drop(running);
}
