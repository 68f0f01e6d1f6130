//! Code blocks in a real browser (issue 12): tests/fixtures/highlight/blocks served under
//! `/hl/`, in the light and the dark theme at 375 and 1280 px (screenshots in
//! `target/screenshots/highlight-*.png`). Tokens get their colours from highlight.css, the copy
//! button shows only with the script, and it copies the visible code: no hidden lines, no line
//! numbers, no prompts or output.

use super::server::build_and_serve;
use super::{browser, screenshot_dir};
use crate::support::SiteTest;
use std::time::Duration;

#[cfg_attr(
    mekong_no_chromium,
    ignore = "chromium not found: apt-get install chromium (or set MEKONG_CHROMIUM)"
)]
#[test]
fn code_blocks_are_coloured_and_the_copy_button_copies_the_visible_code() {
    let (_chrome, page) = browser();
    let t = SiteTest::fixture("highlight/blocks");
    let (_server, base) = build_and_serve(&t, "/hl/", "the highlight site");
    let url = format!("{base}blocks/");
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

/// Issue 12: at 375 px the copy button covered the end of a long first line. With the script,
/// the button sits in a strip of its own above the first line; without it there is no button
/// and no strip. Screenshots: `target/screenshots/highlight-long-375-*.png`.
#[cfg_attr(
    mekong_no_chromium,
    ignore = "chromium not found: apt-get install chromium (or set MEKONG_CHROMIUM)"
)]
#[test]
fn the_copy_button_never_covers_the_first_line() {
    let (_chrome, page) = browser();
    let t = SiteTest::fixture("highlight/blocks");
    let long = "let configuration = load_the_whole_configuration_from(\"site.yaml\", Options::default())?;";
    t.write(
        "content/long.md",
        &format!(
            "---\ntitle: Long\n---\n\n```rust\n{long}\nlet b = 2;\n```\n\n```rust title=\"src/lib.rs\" linenos\n{long}\n```\n\n```console\n$ cargo install --locked --path . --root /usr/local/share/a-long-prefix\n```\n"
        ),
    );
    let (_server, base) = build_and_serve(&t, "/hl/", "the highlight site");
    let dir = screenshot_dir();
    // For every block: [button bottom, first line top, button shown] in CSS pixels.
    let overlaps = "[...document.querySelectorAll('.code-body')].map(body => { \
        const b = body.querySelector('.code-copy').getBoundingClientRect(); \
        const l = body.querySelector('.line').getBoundingClientRect(); \
        const shown = getComputedStyle(body.querySelector('.code-copy')).display !== 'none'; \
        return shown && b.bottom > l.top + 0.5 && b.top < l.bottom ? `button ${b.top}-${b.bottom} over line ${l.top}-${l.bottom}` : ''; \
    }).filter(s => s).join('; ')";
    for url in ["long/", "blocks/"] {
        let url = format!("{base}{url}");
        for scheme in ["light", "dark"] {
            page.color_scheme(scheme);
            for width in [375, 1280] {
                page.viewport(width, 900);
                page.goto(&url);
                assert!(
                    page.js_bool(
                        "[...document.querySelectorAll('.code-copy')].every(b => !b.hidden)"
                    )
                );
                if url.ends_with("long/") {
                    page.screenshot(&dir.join(format!("highlight-long-{width}-{scheme}.png")));
                }
                let found = page.js_str(overlaps);
                assert!(found.is_empty(), "{url} {scheme} {width} px: {found}");
            }
        }
    }
    // Without the script (its only effects undone): no button, and the first line starts at
    // the block's usual padding, with nothing over it.
    page.viewport(375, 900);
    page.goto(&format!("{base}long/"));
    page.js(
        "document.querySelectorAll('.code-copy').forEach(b => b.hidden = true); \
         document.querySelectorAll('.code-body').forEach(b => b.classList.remove('has-copy')); 0",
    );
    assert!(page.js_bool(
        "[...document.querySelectorAll('.code-copy')].every(b => getComputedStyle(b).display === 'none')"
    ));
    let pad = page.js_f64(
        "parseFloat(getComputedStyle(document.querySelector('.code-block pre')).paddingTop)",
    );
    assert!(
        pad < 20.0,
        "without the script the block keeps its usual padding ({pad} px)"
    );
    page.screenshot(&dir.join("highlight-long-375-nojs.png"));
    page.assert_clean("the long-line page");
}
