//! axe-core, the accessibility engine of browsers' developer tools, run in chromium over every
//! page of the AMM-51 site and the rich-Markdown demo (callouts, definition lists, math,
//! figures, details, tabs), in the light and the dark theme: no violation of impact
//! `serious` or `critical` (issue 13; contrast is one of them, so both themes count).
//!
//! axe-core is not vendored: `.ci/run` installs the npm package and points `MEKONG_AXE` at its
//! `axe.min.js`. Without it (or without chromium) build.rs marks these tests ignored with the
//! reason, except under `CI=true`, where they run and fail.

use super::server::build_and_serve;
use super::{PREFIX, browser, site};
use crate::support::SiteTest;
use std::path::Path;

/// The source of axe-core, from `$MEKONG_AXE`.
pub(super) fn axe_source() -> String {
    let path = std::env::var_os("MEKONG_AXE").unwrap_or_else(|| {
        panic!("MEKONG_AXE is not set: install axe-core (npm install axe-core) and set MEKONG_AXE to its axe.min.js, as .ci/run does")
    });
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("MEKONG_AXE={}: {e}", Path::new(&path).display()))
}

/// Runs axe on the page and returns its serious and critical violations, one line each.
pub(super) fn serious_violations(page: &super::harness::Page, axe: &str) -> Vec<String> {
    page.js(axe);
    let found = page.js(
        "axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations \
         .filter(v => v.impact === 'serious' || v.impact === 'critical') \
         .map(v => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.slice(0, 4) \
            .map(n => n.target.join(' ') + (n.failureSummary ? ' (' + n.failureSummary.replace(/\\s+/g, ' ') + ')' : '')) \
            .join('; ')}${v.nodes.length > 4 ? ` and ${v.nodes.length - 4} more` : ''}`))",
    );
    found
        .as_array()
        .map(|a| {
            a.iter()
                .map(|v| v.as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The pages of a built site: every `index.html` that is not a redirect, and the 404 page, as
/// paths relative to the site's root URL.
fn pages(public: &Path) -> Vec<String> {
    let mut pages: Vec<String> = walkdir::WalkDir::new(public)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy();
            name == "index.html" || name == "404.html"
        })
        .filter(|e| {
            let html = std::fs::read_to_string(e.path()).unwrap_or_default();
            !html.contains("http-equiv=\"refresh\"")
        })
        .map(|e| {
            let rel = e.path().strip_prefix(public).unwrap().to_string_lossy();
            rel.trim_end_matches("index.html").replace('\\', "/")
        })
        .collect();
    pages.sort();
    pages
}

#[cfg_attr(
    any(mekong_no_chromium, mekong_no_axe),
    ignore = "needs chromium (apt-get install chromium) and axe-core (npm install axe-core, then MEKONG_AXE=…/axe.min.js; .ci/run does both)"
)]
#[test]
fn axe_finds_nothing_serious_on_any_amm51_page_in_light_and_dark() {
    let axe = axe_source();
    let (_chrome, page) = browser();
    let site = site();
    let paths = pages(&site._site.root().join("public"));
    assert!(paths.len() >= 20, "only {} pages: {paths:?}", paths.len());
    let mut problems = Vec::new();
    for scheme in ["light", "dark"] {
        page.color_scheme(scheme);
        page.viewport(1280, 900);
        for path in &paths {
            page.goto(&site.url(path));
            for v in serious_violations(&page, &axe) {
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

#[cfg_attr(
    any(mekong_no_chromium, mekong_no_axe),
    ignore = "needs chromium (apt-get install chromium) and axe-core (npm install axe-core, then MEKONG_AXE=…/axe.min.js; .ci/run does both)"
)]
#[test]
fn axe_finds_nothing_serious_in_rich_markdown_in_light_and_dark() {
    let axe = axe_source();
    let (_chrome, page) = browser();
    let t = SiteTest::fixture("rich/demo");
    let (_server, base) = build_and_serve(&t, "/rich/", "the demo site");
    let mut problems = Vec::new();
    for scheme in ["light", "dark"] {
        page.color_scheme(scheme);
        for width in [375, 1280] {
            page.viewport(width, 900);
            for path in pages(&t.root().join("public")) {
                page.goto(&format!("{base}{path}"));
                // The details open and the second tab chosen: their content counts too.
                page.js("document.querySelectorAll('details').forEach(d => d.open = true)");
                for v in serious_violations(&page, &axe) {
                    problems.push(format!("/rich/{path} ({scheme}, {width} px): {v}"));
                }
                page.js("(() => { const r = document.querySelectorAll('.tabs input[type=radio]')[1]; if (r) r.click(); })()");
                for v in serious_violations(&page, &axe) {
                    problems.push(format!(
                        "/rich/{path} ({scheme}, {width} px, second tab): {v}"
                    ));
                }
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
