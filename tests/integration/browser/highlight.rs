//! Code blocks in a real browser (issue 12): tests/fixtures/highlight/blocks served under
//! `/hl/`, in the light and the dark theme at 375 and 1280 px (screenshots in
//! `target/screenshots/highlight-*.png`). Tokens get their colours from highlight.css, the copy
//! button shows only with the script, and it copies the visible code: no hidden lines, no line
//! numbers, no prompts or output.

use super::server::StaticServer;
use super::{browser, screenshot_dir};
use crate::support::SiteTest;
use std::net::TcpListener;
use std::time::Duration;

#[cfg_attr(
    mekong_no_chromium,
    ignore = "chromium not found: apt-get install chromium (or set MEKONG_CHROMIUM)"
)]
#[test]
fn code_blocks_are_coloured_and_the_copy_button_copies_the_visible_code() {
    let (_chrome, page) = browser();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let t = SiteTest::fixture("highlight/blocks");
    if let Err(e) = t.build_with(|o| o.base_url = Some(format!("http://127.0.0.1:{port}/hl/"))) {
        panic!("the highlight site does not build:\n{e}");
    }
    let _server = StaticServer::start(listener, t.root().join("public"), "/hl/");
    let url = format!("http://127.0.0.1:{port}/hl/blocks/");
    let dir = screenshot_dir();
    let mut keyword_colours = Vec::new();
    for scheme in ["light", "dark"] {
        page.color_scheme(scheme);
        for width in [375, 1280] {
            page.viewport(width, 900);
            page.goto(&url);
            page.screenshot(&dir.join(format!("highlight-{width}-{scheme}.png")));
            // A wide block scrolls inside itself; the page does not scroll sideways.
            assert!(
                page.js_bool("document.documentElement.scrollWidth <= window.innerWidth + 1"),
                "{scheme} {width}: the page scrolls sideways"
            );
        }
        keyword_colours
            .push(page.js_str("getComputedStyle(document.querySelector('.hl-keyword')).color"));
        // The script shows the buttons.
        assert!(page.js_bool("[...document.querySelectorAll('.code-copy')].every(b => !b.hidden)"));
    }
    assert_ne!(
        keyword_colours[0], keyword_colours[1],
        "keywords have one colour in light and dark"
    );
    // What a click copies, caught at the clipboard API.
    let copy = |n: usize| -> String {
        page.js(&format!(
            "window.__copied = null; navigator.clipboard.writeText = t => {{ window.__copied = t; return Promise.resolve(); }}; document.querySelectorAll('.code-copy')[{n}].click(); 0"
        ));
        page.wait_js(
            "the copy",
            Duration::from_secs(5),
            "window.__copied !== null",
        );
        page.js_str("window.__copied")
    };
    assert_eq!(
        copy(0),
        "fn main() {\n    println!(\"hello\");\n}",
        "hidden lines and line numbers are not copied"
    );
    assert_eq!(
        copy(2),
        "print(\"a\")\nprint(\"b\")",
        "line numbers are not copied"
    );
    assert_eq!(
        copy(3),
        "cargo run --release",
        "a console block copies its commands only"
    );
    page.wait_js(
        "the announcement",
        Duration::from_secs(5),
        "(document.querySelector('[role=status][aria-live=polite]') || {}).textContent === 'Code copied to the clipboard'",
    );
    page.assert_clean("the code blocks page");
}
