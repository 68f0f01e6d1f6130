//! Rich Markdown in a real browser (issue 13): callouts, definition lists, math, a figure,
//! details and tabs from tests/fixtures/rich/demo, served under `/rich/`, in the light and the
//! dark theme (screenshots in `target/screenshots/rich-*.png`). Tabs must switch with a click
//! and with the arrow keys, with no script of ours involved (they are radio buttons and CSS).

use super::server::build_and_serve;
use super::{VISIBLE_JS, browser, screenshot_dir};
use crate::support::SiteTest;

#[cfg_attr(
    mekong_no_chromium,
    ignore = "chromium not found: apt-get install chromium (or set MEKONG_CHROMIUM)"
)]
#[test]
fn rich_markdown_renders_and_tabs_work_in_light_and_dark() {
    let (_chrome, page) = browser();
    let t = SiteTest::fixture("rich/demo");
    let (_server, url) = build_and_serve(&t, "/rich/", "the demo site");
    let dir = screenshot_dir();
    let visible = |selector: &str| {
        page.js_bool(&format!(
            "({VISIBLE_JS})(document.querySelectorAll('.tab-panel')[{selector}])"
        ))
    };
    for scheme in ["light", "dark"] {
        page.color_scheme(scheme);
        for width in [375, 1280] {
            page.viewport(width, 900);
            page.goto(&url);
            page.screenshot(&dir.join(format!("rich-{width}-{scheme}.png")));
        }
        // Five callouts with their titles; math laid out by the browser.
        assert_eq!(
            page.js("document.querySelectorAll('.callout-title').length"),
            5
        );
        assert!(
            page.js_f64(
                "document.querySelector('math[display=block]').getBoundingClientRect().width"
            ) > 20.0
        );
        // The first tab shows; a click on the second label shows the second panel only.
        assert!(visible("0") && !visible("1"));
        page.click("label.tab-label[for$='-1']");
        assert!(visible("1") && !visible("0"), "a click switches tabs");
        // Arrow keys move between the radio buttons, as in any radio group.
        page.press("ArrowLeft");
        assert!(
            visible("0") && !visible("1"),
            "ArrowLeft goes back to the first tab"
        );
        // details opens on a click.
        page.click(".details > summary");
        assert!(page.js_bool("document.querySelector('.details').open"));
    }
    page.assert_clean("the rich Markdown page");
}
