//! Search quality in a real browser (issue 16), on tests/fixtures/search/quality served under
//! `/sq/`: excerpts of a table read as sentences and name the heading they are under; a page in
//! Vietnamese, Thai, Japanese and Chinese is found by a word from inside its text (mdBook's
//! search fails at this, rust-lang/mdBook#1081); the section and tag filters narrow the
//! results and work from the keyboard.

use super::harness::Page;
use super::server::{StaticServer, build_and_serve};
use super::{browser, screenshot_dir};
use crate::support::SiteTest;
use std::time::Duration;

const PREFIX: &str = "/sq/";

fn serve() -> (SiteTest, StaticServer, String) {
    let t = SiteTest::fixture("search/quality");
    let (server, base) = build_and_serve(&t, PREFIX, "the search fixture");
    (t, server, base)
}

/// Replaces the query (one input event) and waits until the results are exactly `paths`
/// (in any order), then returns the text of each result, in the order shown.
fn results_for(page: &Page, query: &str, paths: &[&str]) -> Vec<String> {
    page.js("(() => { const i = document.querySelector('#search-input'); i.focus(); i.select(); return true; })()");
    if query.is_empty() {
        page.press("Backspace");
    } else {
        page.insert_text(query);
    }
    wait_results(page, query, paths)
}

fn wait_results(page: &Page, what: &str, paths: &[&str]) -> Vec<String> {
    let mut want: Vec<String> = paths.iter().map(|p| format!("{PREFIX}{p}")).collect();
    want.sort();
    let js = "(() => { const p = document.getElementById('search-results'); \
              if (!p || p.hidden) return null; \
              return [...p.querySelectorAll('a.search-result')].map(a => \
                [new URL(a.href).pathname, a.textContent]); })()";
    let start = std::time::Instant::now();
    let mut last = serde_json::Value::Null;
    while start.elapsed() < Duration::from_secs(10) {
        last = page.js(js);
        if let Some(rows) = last.as_array() {
            let mut got: Vec<String> = rows
                .iter()
                .map(|r| r[0].as_str().unwrap_or("").to_string())
                .collect();
            got.sort();
            if got == want {
                return rows
                    .iter()
                    .map(|r| r[1].as_str().unwrap_or("").to_string())
                    .collect();
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "{what:?}: want results {want:?}, got {last}; panel: {:?}; problems: {:?}",
        page.js_str("(document.getElementById('search-results') || {}).textContent"),
        page.rec().problems
    );
}

#[cfg_attr(
    mekong_no_chromium,
    ignore = "chromium not found: apt-get install chromium (or set MEKONG_CHROMIUM)"
)]
#[test]
fn excerpts_read_as_sentences_and_name_their_heading() {
    let (_chrome, page) = browser();
    let (_t, _server, url) = serve();
    page.goto(&url);
    let texts = results_for(&page, "negotiating", &["asean/trade/"]);
    let text = &texts[0];
    // The table's cells are separated, its rows are sentences.
    assert!(
        text.contains("RCEP · Agreed to push ahead with negotiating it."),
        "excerpt of a table row: {text:?}"
    );
    assert!(!text.contains("RCEP. Agreed"), "{text:?}");
    // The heading the hit is under, and the link goes to it.
    assert!(text.contains("Trade › Trade agreements"), "{text:?}");
    let href = page.js_str("document.querySelector('a.search-result').getAttribute('href')");
    assert!(
        href.ends_with("/sq/asean/trade/#trade-agreements"),
        "{href}"
    );
    page.screenshot(&screenshot_dir().join("search-excerpt.png"));
    page.assert_clean("searching a table");
}

#[cfg_attr(
    mekong_no_chromium,
    ignore = "chromium not found: apt-get install chromium (or set MEKONG_CHROMIUM)"
)]
#[test]
fn pages_in_vietnamese_thai_japanese_and_chinese_are_found_by_a_word() {
    let (_chrome, page) = browser();
    let (_t, _server, url) = serve();
    page.goto(&url);
    // Words from the middle of the text: Thai, Japanese and Chinese have no spaces between
    // words, so these are inside one run of characters.
    for (query, path) in [
        ("Ngoại giao", "languages/vietnamese/"),
        ("ngoai giao", "languages/vietnamese/"),
        ("รัฐมนตรี", "languages/thai/"),
        ("สิงคโปร์", "languages/thai/"),
        ("外相会議", "languages/japanese/"),
        ("シンガポール", "languages/japanese/"),
        ("外长会议", "languages/chinese/"),
        ("新加坡", "languages/chinese/"),
    ] {
        results_for(&page, query, &[path]);
    }
    page.assert_clean("searching non-Latin pages");
}

#[cfg_attr(
    mekong_no_chromium,
    ignore = "chromium not found: apt-get install chromium (or set MEKONG_CHROMIUM)"
)]
#[test]
fn section_and_tag_filters_narrow_results_from_the_keyboard() {
    let (_chrome, page) = browser();
    let (_t, _server, url) = serve();
    page.goto(&url);
    let all = ["asean/trade/", "asean/security/", "notes/weather/"];
    results_for(&page, "weather", &all);
    // The filters: a labelled <select> each, with the values of the site.
    let options = |name: &str| {
        page.js(&format!(
            "[...document.querySelectorAll('select[data-filter={name}] option')].map(o => o.textContent)"
        ))
    };
    assert_eq!(
        options("section"),
        serde_json::json!(["Any", "ASEAN", "Languages", "Notes"])
    );
    assert_eq!(
        options("tag"),
        serde_json::json!(["Any", "security", "trade"])
    );
    // Tab from the field reaches the section filter; a key changes it.
    page.press("Tab");
    page.wait_js(
        "Tab from the field to focus the section filter",
        Duration::from_secs(2),
        "document.activeElement && document.activeElement.matches('select[data-filter=section]')",
    );
    page.press("ArrowDown"); // "ASEAN"
    wait_results(&page, "weather, section ASEAN", &all[..2]);
    // Tab again: the tag filter; both filters apply.
    page.press("Tab");
    page.wait_js(
        "Tab to focus the tag filter",
        Duration::from_secs(2),
        "document.activeElement && document.activeElement.matches('select[data-filter=tag]')",
    );
    page.press("ArrowDown"); // "security"
    wait_results(&page, "weather, ASEAN, security", &["asean/security/"]);
    page.screenshot(&screenshot_dir().join("search-filters.png"));
    // Back to the field with Escape; the section filter back to "Any": the tag alone.
    page.press("Escape");
    page.wait_js(
        "Escape in a filter to go back to the field",
        Duration::from_secs(2),
        "document.activeElement && document.activeElement.matches('#search-input')",
    );
    page.js("(() => { const s = document.querySelector('select[data-filter=section]'); s.value = ''; s.dispatchEvent(new Event('change')); return true; })()");
    wait_results(&page, "weather, tag security", &["asean/security/"]);
    page.assert_clean("filtering search results");
}
