//! A multilingual site in a real browser (issue 20), tests/fixtures/i18n/site served under
//! `/delta/`: the Arabic pages read right to left (the sidebar on the right, the arrows
//! mirrored), the language switcher opens and goes to the same page in another language, and
//! search loads the reader's language's index and speaks it. Screenshots of LTR and RTL, light
//! and dark, go to `target/screenshots/i18n-*.png`.

use super::harness::Page;
use super::server::{StaticServer, build_and_serve};
use super::{browser, screenshot_dir};
use crate::support::SiteTest;
use std::time::Duration;

const PREFIX: &str = "/delta/";

fn serve() -> (SiteTest, StaticServer, String) {
    let t = SiteTest::fixture("i18n/site");
    let (server, base) = build_and_serve(&t, PREFIX, "the i18n fixture");
    (t, server, base)
}

/// The left edge of the first element matching `selector`, in CSS pixels.
fn left(page: &Page, selector: &str) -> f64 {
    page.js_f64(&format!(
        "document.querySelector({selector:?}).getBoundingClientRect().left"
    ))
}

#[cfg_attr(
    mekong_no_chromium,
    ignore = "chromium not found: apt-get install chromium (or set MEKONG_CHROMIUM)"
)]
#[test]
fn arabic_pages_are_mirrored_and_english_ones_are_not() {
    let (_chrome, page) = browser();
    let (_t, _server, url) = serve();
    page.viewport(1280, 900);
    for scheme in ["light", "dark"] {
        page.color_scheme(scheme);
        page.goto(&format!("{url}guide/rivers/"));
        assert_eq!(
            page.js_str("getComputedStyle(document.body).direction"),
            "ltr"
        );
        assert!(
            left(&page, "#sidebar") < left(&page, "#main"),
            "English: the sidebar is on the left"
        );
        page.screenshot_viewport(&screenshot_dir().join(format!("i18n-ltr-{scheme}.png")));
        page.goto(&format!("{url}ar/guide/rivers/"));
        assert_eq!(page.js_str("document.documentElement.dir"), "rtl");
        assert_eq!(
            page.js_str("getComputedStyle(document.body).direction"),
            "rtl"
        );
        assert!(
            left(&page, "#sidebar") > left(&page, "#main"),
            "Arabic: the sidebar is on the right"
        );
        // "Next" is at the reading end (the left) and points left.
        let next =
            page.js_str("document.querySelector('.pagination-next .pagination-dir').textContent");
        assert_eq!(next, "التالي ←");
        page.screenshot_viewport(&screenshot_dir().join(format!("i18n-rtl-{scheme}.png")));
        page.assert_clean(&format!("the Arabic page ({scheme})"));
    }
}

#[cfg_attr(
    mekong_no_chromium,
    ignore = "chromium not found: apt-get install chromium (or set MEKONG_CHROMIUM)"
)]
#[test]
fn the_switcher_goes_to_the_same_page_in_another_language() {
    let (_chrome, page) = browser();
    let (_t, _server, url) = serve();
    page.viewport(1280, 900);
    page.goto(&format!("{url}fr/guide/rivers/"));
    page.click(".lang-details > summary");
    page.wait_js(
        "the switcher opens",
        Duration::from_secs(5),
        "document.querySelector('.lang-details').open",
    );
    page.screenshot_viewport(&screenshot_dir().join("i18n-switcher.png"));
    page.click(".lang-link[hreflang='ar']");
    page.wait_js(
        "the Arabic page",
        Duration::from_secs(10),
        "location.pathname.endsWith('/delta/ar/guide/rivers/') && document.readyState === 'complete'",
    );
    page.settle();
    assert_eq!(page.js_str("document.documentElement.lang"), "ar");
    page.assert_clean("switching language");
}

/// Types `query` into the search box and waits for the result paths to be `paths`; returns
/// the status message.
fn search(page: &Page, query: &str, paths: &[&str]) -> String {
    page.js("(() => { const i = document.querySelector('#search-input'); i.focus(); i.select(); return true; })()");
    page.insert_text(query);
    let mut want: Vec<String> = paths.iter().map(|p| format!("{PREFIX}{p}")).collect();
    want.sort();
    let js = "(() => { const p = document.getElementById('search-results'); \
              if (!p || p.hidden) return null; \
              return [...p.querySelectorAll('a.search-result')].map(a => new URL(a.href).pathname); })()";
    let start = std::time::Instant::now();
    let mut last = serde_json::Value::Null;
    while start.elapsed() < Duration::from_secs(10) {
        last = page.js(js);
        if let Some(rows) = last.as_array() {
            let mut got: Vec<String> = rows
                .iter()
                .map(|r| {
                    let p = r.as_str().unwrap_or("");
                    p.split('#').next().unwrap_or(p).to_string()
                })
                .collect();
            got.sort();
            got.dedup();
            if got == want {
                return page.js_str("document.querySelector('.search-message').textContent");
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{query:?}: want {want:?}, got {last}");
}

#[cfg_attr(
    mekong_no_chromium,
    ignore = "chromium not found: apt-get install chromium (or set MEKONG_CHROMIUM)"
)]
#[test]
fn search_uses_the_readers_language() {
    let (_chrome, page) = browser();
    let (_t, _server, url) = serve();
    page.viewport(1280, 900);
    page.goto(&format!("{url}fr/guide/rivers/"));
    // "dragons" is on the English and the French page: a French reader finds the French one,
    // and is told so in French.
    let message = search(&page, "dragons", &["fr/guide/rivers/"]);
    assert_eq!(message, "1 résultat pour “dragons”");
    // (Pagefind loads the index in its worker, whose requests the page does not see: that
    // only the French page is found is what shows the French index was searched.)
    page.goto(&format!("{url}ar/"));
    let message = search(&page, "الفجر", &["ar/guide/markets/"]);
    assert_eq!(message, "نتيجة واحدة لـ “الفجر”");
    page.screenshot_viewport(&screenshot_dir().join("i18n-rtl-search.png"));
    page.goto(&format!("{url}guide/"));
    search(&page, "dragons", &["guide/rivers/"]);
    page.assert_clean("searching in three languages");
}

#[cfg_attr(
    any(mekong_no_chromium, mekong_no_axe),
    ignore = "needs chromium (apt-get install chromium) and axe-core (npm install axe-core, then MEKONG_AXE=…/axe.min.js; .ci/run does both)"
)]
#[test]
fn axe_finds_nothing_serious_in_any_language_light_or_dark() {
    let axe = super::axe::axe_source();
    let (_chrome, page) = browser();
    let (_t, _server, url) = serve();
    let mut problems = Vec::new();
    for scheme in ["light", "dark"] {
        page.color_scheme(scheme);
        page.viewport(1280, 900);
        for path in [
            "",
            "guide/rivers/",
            "fr/",
            "fr/guide/rivers/",
            "ar/",
            "ar/guide/markets/",
            "ar/tags/",
        ] {
            page.goto(&format!("{url}{path}"));
            // The switcher open too: its list is part of the page.
            page.js("document.querySelector('.lang-details').open = true");
            for v in super::axe::serious_violations(&page, &axe) {
                problems.push(format!("{PREFIX}{path} ({scheme}): {v}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "axe found {} serious or critical violations:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
