//! The AMM-51 site in chromium under a sub-path (`/repo/`), every page, light and dark, 375 and
//! 1280 px wide (issue 19): every heading has an id and an anchor link, a page with two h2
//! shows its table of contents, no table clips a column (each one fits its box or scrolls in a
//! focusable, marked box whose last column can be scrolled into view), inline code breaks only
//! at spaces, nothing scrolls the page sideways, background is labelled, and on a 375x812
//! phone the first paragraph of the text starts on the first screen. The search field is
//! checked in the accessibility tree. Screenshots: `target/screenshots/reader-*.png`.

use super::server::{StaticServer, build_and_serve};
use super::{browser, screenshot_dir};
use crate::support::SiteTest;
use serde_json::Value;
use std::time::Duration;

const PREFIX: &str = "/repo/";

fn served() -> (SiteTest, StaticServer, String) {
    let t = SiteTest::flagship();
    let (server, base) = build_and_serve(&t, PREFIX, "the flagship site");
    let origin = base.strip_suffix(PREFIX).unwrap().to_string();
    (t, server, origin)
}

/// Every page of the sitemap, and the 404 page.
fn page_urls(t: &SiteTest, origin: &str) -> Vec<String> {
    let sitemap = t.read("public/sitemap.xml");
    let mut urls: Vec<String> = sitemap
        .split("<loc>")
        .skip(1)
        .map(|s| s[..s.find("</loc>").unwrap()].to_string())
        .collect();
    urls.push(format!("{origin}{PREFIX}404.html"));
    urls
}

/// What one page looks like to the checks below, measured in the page.
const MEASURE: &str = r##"(() => {
  const main = document.querySelector('main');
  const out = {problems: [], scrolling: 0, tables: 0};
  const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
  // Headings: an id and an anchor link to it.
  const hs = [...main.querySelectorAll('h1, h2, h3, h4, h5, h6')];
  for (const h of hs) {
    if (!h.id) { out.problems.push(h.tagName + ' without id: ' + h.textContent.trim()); continue; }
    if (!h.querySelector('a.heading-anchor[href="#' + CSS.escape(h.id) + '"]')) out.problems.push(h.tagName + '#' + h.id + ' has no anchor link');
    if (document.querySelectorAll('#' + CSS.escape(h.id)).length !== 1) out.problems.push('id ' + h.id + ' is not unique');
  }
  out.headings = hs.length;
  // Two h2 or more: a table of contents that lists each.
  const h2 = hs.filter(h => h.tagName === 'H2');
  const toc = main.querySelector('nav.toc');
  out.h2 = h2.length;
  if (h2.length >= 2) {
    if (!toc || !visible(toc)) out.problems.push(h2.length + ' h2 but no visible table of contents');
    else for (const h of h2) if (!toc.querySelector('a[href="#' + CSS.escape(h.id) + '"]')) out.problems.push('the TOC lacks #' + h.id);
  }
  out.tocOpen = !!(toc && toc.querySelector('details') && toc.querySelector('details').open);
  // Tables: fit, or scroll inside a focusable, marked box up to the last column.
  for (const table of main.querySelectorAll('table')) {
    out.tables++;
    const box = table.closest('.table-scroll') || table;
    const b = box.getBoundingClientRect();
    if (b.right > window.innerWidth + 0.5) out.problems.push('a table box sticks out of the window: right ' + Math.round(b.right));
    if (box.scrollWidth > box.clientWidth + 1) {
      out.scrolling++;
      const s = getComputedStyle(box);
      if (!['auto', 'scroll'].includes(s.overflowX)) out.problems.push('a wide table is clipped (overflow-x ' + s.overflowX + ')');
      if (box.getAttribute('tabindex') !== '0') out.problems.push('a wide table cannot be reached by keyboard');
      if (!box.classList.contains('is-scrollable') || !s.backgroundImage.includes('gradient')) out.problems.push('a wide table shows no cue that it scrolls');
      box.scrollLeft = box.scrollWidth;
      const cells = table.rows[table.rows.length - 1].cells;
      const last = cells[cells.length - 1].getBoundingClientRect();
      const after = box.getBoundingClientRect();
      if (last.right > after.right + 1) out.problems.push('the last column cannot be scrolled into view');
      box.scrollLeft = 0;
    }
  }
  // Inline code breaks only at its spaces.
  for (const c of main.querySelectorAll(':not(pre) > code')) {
    if (c.getClientRects().length > 1 && !/\s/.test(c.textContent)) out.problems.push('inline code split mid-token: ' + c.textContent);
  }
  // Background: labelled.
  for (const bg of main.querySelectorAll('.background')) {
    const label = bg.querySelector('.background-label');
    if (!label || !visible(label) || !/Background/.test(label.textContent)) out.problems.push('background without a visible label');
  }
  // The page itself never scrolls sideways.
  if (document.documentElement.scrollWidth > window.innerWidth) out.problems.push('the page scrolls sideways: ' + document.documentElement.scrollWidth);
  // The first paragraph of the text (or the lede of a page without text).
  window.scrollTo(0, 0);
  const first = main.querySelector('.prose > p') || main.querySelector('.doc-lede') || main.querySelector('p');
  const r = first.getBoundingClientRect();
  out.firstTop = Math.round(r.top);
  out.firstLine = Math.round(r.top + parseFloat(getComputedStyle(first).lineHeight || '24'));
  out.firstText = first.textContent.trim().slice(0, 50);
  return out;
})()"##;

#[cfg_attr(
    mekong_no_chromium,
    ignore = "chromium not found: apt-get install chromium (or set MEKONG_CHROMIUM)"
)]
#[test]
fn every_page_under_a_sub_path_reads_well_at_375_and_1280_in_light_and_dark() {
    let (_chrome, page) = browser();
    let (t, _server, origin) = served();
    let urls = page_urls(&t, &origin);
    assert!(urls.len() >= 25, "only {} pages", urls.len());
    let dir = screenshot_dir();
    // Every page is measured; a few are kept as screenshots to look at (home, the first
    // pages of the tree, the 404 page): a full-page capture of every page in four
    // renderings was a third of the test suite's longest test.
    let shot: Vec<&String> = urls
        .iter()
        .take(4)
        .chain(urls.iter().filter(|u| u.ends_with("404.html")))
        .collect();
    let mut problems = Vec::new();
    let mut scrolling_at_375 = 0;
    for scheme in ["light", "dark"] {
        page.color_scheme(scheme);
        for (width, height) in [(375, 812), (1280, 900)] {
            page.viewport(width, height);
            for url in &urls {
                if url.ends_with("404.html") {
                    page.rec().expected_errors.insert(url.clone());
                }
                page.goto(url);
                let m: Value = page.js(MEASURE);
                let rel = url.trim_start_matches(&format!("{origin}{PREFIX}"));
                let name = if rel.is_empty() {
                    "home".to_string()
                } else {
                    rel.trim_end_matches('/').replace(['/', '.'], "-")
                };
                for p in m["problems"].as_array().unwrap() {
                    problems.push(format!(
                        "{rel} at {width} px, {scheme}: {}",
                        p.as_str().unwrap()
                    ));
                }
                if width == 375 {
                    scrolling_at_375 += m["scrolling"].as_u64().unwrap();
                    let line = m["firstLine"].as_f64().unwrap();
                    if line > f64::from(height) {
                        problems.push(format!(
                            "{rel} at 375x812, {scheme}: the first paragraph ({:?}) starts at {} px, below the first screen",
                            m["firstText"], m["firstTop"]
                        ));
                    }
                    if m["tocOpen"].as_bool().unwrap() {
                        problems.push(format!(
                            "{rel} at 375 px: the table of contents is open above the text"
                        ));
                    }
                } else if m["h2"].as_u64().unwrap() >= 2 && !m["tocOpen"].as_bool().unwrap() {
                    problems.push(format!(
                        "{rel} at {width} px: the table of contents is closed"
                    ));
                }
                if shot.contains(&url) {
                    page.screenshot(&dir.join(format!("reader-{name}-{width}-{scheme}.png")));
                }
            }
        }
    }
    println!(
        "{} pages x 4; tables that scroll at 375 px (in both schemes): {scrolling_at_375}",
        urls.len()
    );
    assert!(
        problems.is_empty(),
        "{} problem(s):\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
    page.assert_clean("every page at 375 and 1280 px, light and dark");
}

/// The nodes of an accessibility tree with role `role`.
fn with_role<'a>(tree: &'a [Value], role: &str) -> Vec<&'a Value> {
    tree.iter()
        .filter(|n| n["role"]["value"] == role && n["ignored"] != true)
        .collect()
}

fn property<'a>(node: &'a Value, name: &str) -> Option<&'a Value> {
    node["properties"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)
        .map(|p| &p["value"]["value"])
}

#[cfg_attr(
    mekong_no_chromium,
    ignore = "chromium not found: apt-get install chromium (or set MEKONG_CHROMIUM)"
)]
#[test]
fn the_search_field_is_a_named_combobox_in_the_accessibility_tree() {
    let (_chrome, page) = browser();
    let (_t, _server, origin) = served();
    page.viewport(1280, 900);
    page.goto(&format!("{origin}{PREFIX}about/"));
    page.wait_js(
        "the search field",
        Duration::from_secs(5),
        "!document.getElementById('search').hidden",
    );
    let tree = page.ax_tree();
    let boxes = with_role(&tree, "combobox");
    assert_eq!(boxes.len(), 1, "one combobox: {boxes:?}");
    let b = boxes[0];
    assert_eq!(b["name"]["value"], "Search this site", "{b}");
    assert_eq!(property(b, "expanded"), Some(&Value::Bool(false)), "{b}");
    assert_eq!(
        property(b, "autocomplete").and_then(Value::as_str),
        Some("list"),
        "{b}"
    );
    assert!(with_role(&tree, "search").len() == 1, "the search landmark");
    // Typing shows results: the combobox is expanded, its listbox holds options, and the
    // selected one is the active descendant.
    page.js(
        "(() => { const i = document.getElementById('search-input'); i.focus(); return true; })()",
    );
    page.insert_text("RCEP");
    page.wait_js(
        "search results",
        Duration::from_secs(8),
        "document.querySelectorAll('#search-results [role=option]').length > 0",
    );
    page.press("ArrowDown");
    let tree = page.ax_tree();
    let b = with_role(&tree, "combobox")[0];
    assert_eq!(property(b, "expanded"), Some(&Value::Bool(true)), "{b}");
    let listbox = with_role(&tree, "listbox");
    assert_eq!(listbox.len(), 1, "one listbox of results");
    assert_eq!(listbox[0]["name"]["value"], "Search results");
    let options = with_role(&tree, "option");
    assert!(!options.is_empty(), "no options in the tree");
    assert!(
        options
            .iter()
            .any(|o| property(o, "selected") == Some(&Value::Bool(true))),
        "no option is selected after ArrowDown: {options:?}"
    );
    assert!(
        property(b, "activedescendant").is_some(),
        "no active descendant: {b}"
    );
    page.assert_clean("the search field's accessibility tree");
}
