//! `mekong import` (issue 18): each fixture under tests/fixtures/import/ (small sites of our
//! own writing, one per generator) is imported, the result builds with no error, and the
//! pages, the sidebar order and the rewritten links are what the source meant. SOURCE is
//! never written to, DEST must be empty, and what cannot be converted is reported with its
//! file and line while the command still exits 0.

use crate::support::{SiteTest, fixtures};
use std::path::Path;

/// Every file under `dir` with its bytes, to compare SOURCE before and after.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().display().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// Imports the fixture `name` into a new site and builds it.
fn import(name: &str) -> (SiteTest, mekong::import::Report) {
    let source = fixtures().join("import").join(name);
    let before = tree(&source);
    let t = SiteTest::empty();
    let report = mekong::import::import(&source, t.root(), None)
        .unwrap_or_else(|e| panic!("import failed:\n{e}"));
    assert_eq!(tree(&source), before, "SOURCE was changed");
    t.build_ok();
    (t, report)
}

/// Panics unless the needles occur in this order.
fn in_order(hay: &str, needles: &[&str]) {
    let mut at = 0;
    for n in needles {
        match hay[at..].find(n) {
            Some(i) => at += i + n.len(),
            None => panic!("`{n}` not found after byte {at} in:\n{hay}"),
        }
    }
}

fn sidebar(html: &str) -> &str {
    let s = html.find("id=\"sidebar\"").unwrap_or(0);
    &html[s..]
}

fn note_at<'a>(
    report: &'a mekong::import::Report,
    file: &str,
    line: usize,
) -> &'a mekong::import::Note {
    report
        .notes
        .iter()
        .find(|n| n.file == Path::new(file) && n.line == line)
        .unwrap_or_else(|| panic!("no note at {file}:{line} in\n{report}"))
}

#[test]
fn imports_an_mdbook_with_its_summary_order_nesting_and_includes() {
    let (t, report) = import("mdbook");
    assert_eq!(report.format, Some(mekong::import::Format::Mdbook));
    let site = t.read("site.yaml");
    for line in [
        "title: Riverboat Handbook",
        "author: A. Writer, B. Editor",
        "base_url: /handbook/",
        "edit_url: https://github.com/example/handbook/edit/main/",
        "heading_ids: mdbook",
        "title_from_heading: true",
    ] {
        assert!(site.contains(line), "{line} not in\n{site}");
    }
    // README.md is the home page; parts and chapters with children are sections.
    for f in [
        "content/_index.md",
        "content/getting-aboard/_index.md",
        "content/getting-aboard/tickets.md",
        "content/getting-aboard/boarding/_index.md",
        "content/getting-aboard/boarding/gangways.md",
        "content/getting-aboard/boarding/luggage/_index.md",
        "content/getting-aboard/boarding/luggage/oversized.md",
        "content/reference/knots.md",
        "content/credits.md",
        "content/images/deck.png",
        "content/listings/fare.rs",
    ] {
        assert!(t.exists(f), "{f} missing");
    }
    assert!(
        !t.exists("content/notes.md"),
        "unlisted chapters are not pages"
    );
    // The sidebar follows SUMMARY.md, nested (it opens the sections on the way to the page).
    let deep = t.read("public/getting-aboard/boarding/luggage/oversized/index.html");
    let nested = "<ul class=\"nav-children\">";
    in_order(
        sidebar(&deep),
        &[
            "Getting aboard",
            nested,
            "Tickets",
            "Boarding",
            nested,
            "Gangways",
            "Luggage",
            nested,
            "Oversized items",
        ],
    );
    in_order(
        sidebar(&deep),
        &[
            "Getting aboard",
            "Tickets",
            "Boarding",
            "Gangways",
            "Luggage",
            "Oversized items",
            "Reference",
            "Credits",
        ],
    );
    // Titles from SUMMARY, shown once; mdBook's heading ids; links to chapters rewritten.
    let tickets = t.main_of("public/getting-aboard/tickets/index.html");
    assert!(
        tickets.contains("data-pagefind-meta=\"title\">Tickets</span>"),
        "{tickets}"
    );
    assert!(
        !tickets.contains("id=\"tickets\""),
        "the chapter's `# Tickets` is not shown again"
    );
    assert!(
        tickets.contains("id=\"fares-for-adults--children\""),
        "{tickets}"
    );
    assert!(
        tickets.contains("href=\"/handbook/getting-aboard/boarding/gangways/#safety-first\""),
        "{tickets}"
    );
    assert!(
        tickets.contains("src=\"/handbook/images/deck.png\""),
        "{tickets}"
    );
    // Includes: the anchor's lines, a line range without rustdoc's hidden lines.
    // (The code is highlighted: its text is read through the spans.)
    let code = crate::support::without_tags(&tickets);
    assert!(code.contains("fn fare(age: u32)"), "{code}");
    assert!(!code.contains("ANCHOR"), "{code}");
    assert!(!code.contains("fn hidden"), "{code}");
    assert!(code.contains("println!"), "{code}");
    let gangways = t.main_of("public/getting-aboard/boarding/gangways/index.html");
    assert!(gangways.contains("Mind the gap."), "{gangways}");
    assert!(
        gangways.contains("href=\"/handbook/getting-aboard/tickets/#fares-for-adults--children\""),
        "{gangways}"
    );
    let luggage = t.main_of("public/getting-aboard/boarding/luggage/index.html");
    assert!(
        luggage.contains("src=\"/handbook/images/deck.png\""),
        "{luggage}"
    );
    let knots = t.main_of("public/reference/knots/index.html");
    assert!(knots.contains("{{#include not-expanded.rs}}"), "{knots}");
    // What could not be converted, with its place and what to do.
    assert!(
        note_at(&report, "src/SUMMARY.md", 12)
            .what
            .contains("Timetables")
    );
    assert!(
        note_at(&report, "src/tickets.md", 6)
            .what
            .contains("notes.md")
    );
    assert!(
        note_at(&report, "src/reference/knots.md", 5)
            .what
            .contains("missing.rs")
    );
    assert!(
        note_at(&report, "book.toml", 10)
            .what
            .contains("additional-css")
    );
    assert!(note_at(&report, "book.toml", 12).what.contains("admonish"));
}

#[test]
fn imports_a_zola_site_with_its_front_matter_bundles_and_shortcodes() {
    let (t, report) = import("zola");
    assert_eq!(report.format, Some(mekong::import::Format::Zola));
    let site = t.read("site.yaml");
    assert!(
        site.contains("base_url: https://example.org/ferry"),
        "{site}"
    );
    assert!(site.contains("author_url"), "{site}");
    let delta = t.read("content/routes/delta.md");
    assert!(delta.starts_with("---\ntitle: Delta run\n"), "{delta}");
    assert!(delta.contains("date: 2026-05-25T02:49:47+02:00"), "{delta}");
    assert!(delta.contains("tags:\n- delta\n- night"), "{delta}");
    assert!(delta.contains("extra:\n  vessel: Lotus"), "{delta}");
    // Shortcodes: a built-in component kept, another escaped and reported.
    let html = t.main_of("public/routes/delta/index.html");
    assert!(html.contains("<figure class=\"figure\">"), "{html}");
    assert!(html.contains("<details class=\"details\">"), "{html}");
    assert!(html.contains("note(kind="), "{html}");
    assert!(
        html.contains("href=\"/ferry/routes/upstream/#timing\""),
        "{html}"
    );
    assert!(
        note_at(&report, "content/routes/delta.md", 16)
            .what
            .contains("`note`")
    );
    // A bundle is its folder's page with its image beside it.
    let up = t.main_of("public/routes/upstream/index.html");
    assert!(
        up.contains("src=\"/ferry/routes/upstream/river.png\""),
        "{up}"
    );
    assert!(t.exists("public/routes/upstream/river.png"));
    // Sections sorted by date: the newest first.
    let routes = t.read("public/routes/index.html");
    in_order(
        &t.main_of("public/routes/index.html"),
        &["Upstream run", "Delta run"],
    );
    assert!(routes.contains("Routes"));
    // Keys mekong lacks are kept under extra and reported.
    let about = t.read("content/about.md");
    assert!(
        about.contains("extra:\n  template: about.html\n  in_search_index: false"),
        "{about}"
    );
    assert!(
        note_at(&report, "content/about.md", 4)
            .what
            .contains("template")
    );
    assert!(
        note_at(&report, "content/about.md", 7)
            .what
            .contains("youtube")
    );
    assert!(
        t.main_of("public/about/index.html")
            .contains("{{ youtube(id=\"kept\") }}")
    );
    let old = t.main_of("public/old-routes/index.html");
    assert!(old.contains("href=\"/ferry/routes/\""), "{old}");
    assert!(
        note_at(&report, "content/old-routes.md", 3)
            .what
            .contains("redirect_to")
    );
    assert!(t.exists("public/files/timetable.txt"));
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.file == Path::new("templates/"))
    );
}

#[test]
fn imports_a_hugo_site_with_refs_and_every_front_matter_format() {
    let (t, report) = import("hugo");
    assert_eq!(report.format, Some(mekong::import::Format::Hugo));
    let site = t.read("site.yaml");
    assert!(site.contains("language: en-us"), "{site}");
    assert!(site.contains("heading_ids: github"), "{site}");
    assert!(
        site.contains("description: A guide to the harbour"),
        "{site}"
    );
    let home = t.main_of("public/index.html");
    assert!(home.contains("href=\"/docs/docks/\""), "{home}");
    let docks = t.read("content/docs/docks.md");
    assert!(docks.contains("updated: 2026-03-02"), "{docks}");
    assert!(docks.contains("categories:"), "{docks}");
    let html = t.main_of("public/docs/docks/index.html");
    assert!(html.contains("href=\"/docs/lifting/\""), "{html}");
    assert!(html.contains("id=\"mooring--fees\""), "{html}");
    assert!(html.contains("<figcaption"), "{html}");
    assert!(
        html.contains("{{&lt; youtube w7Ft2ymGmfc &gt;}}") || html.contains("{{< youtube"),
        "{html}"
    );
    assert!(
        note_at(&report, "content/docs/docks.md", 12)
            .what
            .contains("youtube")
    );
    assert!(
        note_at(&report, "content/docs/docks.md", 16)
            .what
            .contains("nowhere.md")
    );
    let cranes = t.main_of("public/docs/lifting/index.html");
    assert!(cranes.contains("<details class=\"details\">"), "{cranes}");
    assert!(
        cranes.contains("src=\"/docs/lifting/crane.png\""),
        "{cranes}"
    );
    assert!(
        note_at(&report, "content/docs/cranes/index.md", 10)
            .what
            .contains("notice")
    );
    assert!(
        !report
            .notes
            .iter()
            .any(|n| n.line == 12 && n.file == Path::new("content/docs/cranes/index.md")),
        "a closing shortcode is not reported again:\n{report}"
    );
    assert!(note_at(&report, "hugo.toml", 9).what.contains("menu"));
    assert!(t.exists("data/berths.yaml"));
    assert!(t.exists("public/images/logo.png"));
    in_order(
        sidebar(&t.read("public/docs/index.html")),
        &["Docs", "Cranes", "The docks"],
    );
}

#[test]
fn refuses_a_dest_that_is_not_empty_and_writes_nothing() {
    let t = SiteTest::empty();
    t.write("keep.txt", "mine");
    let err = mekong::import::import(&fixtures().join("import/zola"), t.root(), None).unwrap_err();
    assert!(err.to_string().contains("DEST is not empty"), "{err}");
    assert_eq!(tree(t.root()).len(), 1);
    let err = mekong::import::import(&fixtures().join("compat"), &t.root().join("new"), None)
        .unwrap_err();
    assert!(err.to_string().contains("--from mdbook|zola|hugo"), "{err}");
    assert!(!t.exists("new/site.yaml"));
}

#[test]
fn the_command_exits_0_with_the_report_when_something_is_not_converted() {
    let t = SiteTest::empty();
    let dest = t.root().join("site");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mekong"))
        .arg("import")
        .arg(fixtures().join("import/zola"))
        .arg(&dest)
        .args(["--from", "zola"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("imported a Zola site"), "{stdout}");
    assert!(
        stdout.contains("content/about.md:7: shortcode `youtube`"),
        "{stdout}"
    );
    assert!(stdout.contains("to do: "), "{stdout}");
    assert!(dest.join("site.yaml").is_file());
}
