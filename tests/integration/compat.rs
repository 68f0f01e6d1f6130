//! Compatibility with what real docs contain (issue 18): TOML front matter, RFC 3339
//! date-times, page bundles, raw-HTML URLs rewritten like Markdown links, titles from the
//! first heading and GitHub's or mdBook's heading ids. The fixture tests/fixtures/compat/site
//! uses all of them; the error cases are written inline, one behaviour each.

use crate::support::SiteTest;

#[test]
fn a_site_using_every_compatibility_feature_builds() {
    let t = SiteTest::fixture("compat/site");
    t.build_ok();
    // A bundle is its folder's page, its asset beside it.
    assert!(t.exists("public/topics/trade/index.html"));
    assert!(!t.exists("public/topics/trade/index/index.html"));
    assert!(t.exists("public/topics/trade/map.png"));
    let trade = t.main_of("public/topics/trade/index.html");
    assert!(trade.contains("<h1"), "{trade}");
    assert!(trade.contains("src=\"/topics/trade/map.png\""), "{trade}");
    assert!(trade.contains("href=\"/topics/energy/#grids\""), "{trade}");
    assert!(trade.contains("href=\"#top-line\""), "{trade}");
    // Raw HTML in a page that is not a bundle: its source paths become output URLs.
    let energy = t.main_of("public/topics/energy/index.html");
    assert!(energy.contains("href=\"/topics/trade/\""), "{energy}");
    assert!(energy.contains("src=\"/topics/trade/map.png\""), "{energy}");
    // Links to a bundle's index.md and to its folder.
    let home = t.main_of("public/index.html");
    assert_eq!(home.matches("href=\"/topics/trade/\"").count(), 2, "{home}");
    // RFC 3339 dates: shown as the day, and order pages newest first.
    assert!(trade.contains("2026-05-25"), "{trade}");
    let topics = t.read("public/topics/index.html");
    let (e, tr) = (
        topics.find("/topics/energy/").unwrap(),
        topics.find("/topics/trade/").unwrap(),
    );
    assert!(
        e < tr,
        "09:00Z comes after 02:49+02:00, so it is listed first"
    );
    // The title from the first heading, shown once.
    let start = t.main_of("public/guide/start/index.html");
    assert!(
        start.contains("data-pagefind-meta=\"title\">Getting started</span>"),
        "{start}"
    );
    assert!(
        !start.contains("id=\"getting-started\""),
        "the heading is not rendered again: {start}"
    );
    // mdBook's heading ids.
    assert!(
        start.contains("id=\"concatenating-with--or-format\""),
        "{start}"
    );
    let bare = t.main_of("public/guide/bare/index.html");
    assert!(
        bare.contains(">A page without front matter</span>"),
        "{bare}"
    );
    assert!(
        !bare.contains("id=\"a-page-without-front-matter\""),
        "{bare}"
    );
}

#[test]
fn the_default_heading_ids_stay_as_they_were() {
    let t = SiteTest::empty();
    t.write("content/_index.md", "---\ntitle: H\n---\n## A + b\n");
    t.build_ok();
    assert!(t.main_of("public/index.html").contains("id=\"a-b\""));
    t.write("site.yaml", "heading_ids: github\n");
    t.build_ok();
    assert!(t.main_of("public/index.html").contains("id=\"a--b\""));
}

#[test]
fn errors_on_bad_toml_front_matter_at_its_line() {
    let t = SiteTest::empty();
    t.write(
        "content/_index.md",
        "+++\ntitle = \"H\"\nweight = \"x\"\ndate = \"2026-13-01\"\ncolour = 1\n+++\n",
    );
    let err = t.build_err();
    assert!(
        err.contains("content/_index.md:3:1: `weight` must be a whole number"),
        "{err}"
    );
    assert!(
        err.contains("content/_index.md:4:1: `date` is not a valid date"),
        "{err}"
    );
    assert!(
        err.contains("content/_index.md:5:1: unknown key `colour`"),
        "{err}"
    );
    t.write(
        "content/_index.md",
        "+++\ntitle = \"H\"\ndate = 2026-13-01\n+++\n",
    );
    let err = t.build_err();
    assert!(
        err.contains("content/_index.md:3:8: invalid TOML: invalid date"),
        "{err}"
    );
    t.write("content/_index.md", "+++\ntitle = H\n+++\n");
    let err = t.build_err();
    assert!(err.contains("content/_index.md:2:"), "{err}");
    assert!(err.contains("invalid TOML"), "{err}");
    t.write("content/_index.md", "+++\ntitle = \"H\"\n");
    let err = t.build_err();
    assert!(err.contains("no second `+++` line"), "{err}");
}

#[test]
fn errors_on_a_date_time_that_is_not_rfc_3339() {
    let t = SiteTest::empty();
    t.write(
        "content/_index.md",
        "---\ntitle: H\ndate: 2026-05-25T02:49\n---\n",
    );
    let err = t.build_err();
    assert!(
        err.contains("content/_index.md:3:1: `date` is not a valid date: `2026-05-25T02:49`"),
        "{err}"
    );
}

#[test]
fn missing_front_matter_mentions_toml_and_title_from_heading() {
    let t = SiteTest::empty();
    t.write("content/_index.md", "# Home\n");
    let err = t.build_err();
    assert!(err.contains("`---` (YAML) or `+++` (TOML)"), "{err}");
    t.write("content/_index.md", "---\nweight: 1\n---\n# Home\n");
    let err = t.build_err();
    assert!(err.contains("title_from_heading: true"), "{err}");
    t.write("site.yaml", "title_from_heading: true\n");
    t.build_ok();
}

#[test]
fn errors_on_a_missing_file_in_raw_html_at_its_line_and_column() {
    let t = SiteTest::empty();
    t.write(
        "content/_index.md",
        "---\ntitle: H\n---\nText.\n\n<p>\n  <img src=\"nope.png\" alt=\"\">\n</p>\n\nInline <a href=\"gone.md\">x</a>.\n",
    );
    let err = t.build_err();
    assert!(
        err.contains("content/_index.md:7:13: link to a missing file: `nope.png`"),
        "{err}"
    );
    assert!(
        err.contains("content/_index.md:10:17: link to a missing file: `gone.md`"),
        "{err}"
    );
    assert!(!t.exists("public"));
}

#[test]
fn a_folder_with_other_pages_is_still_a_section() {
    let t = SiteTest::empty();
    t.write("content/_index.md", "---\ntitle: H\n---\n");
    t.write("content/a/index.md", "---\ntitle: I\n---\n");
    t.write("content/a/b.md", "---\ntitle: B\n---\n");
    t.build_ok();
    assert!(t.exists("public/a/index/index.html"));
    assert!(t.exists("public/a/b/index.html"));
}
