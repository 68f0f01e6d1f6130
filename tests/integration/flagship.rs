//! The AMM-51 site, built from the repository's own content: the reader-facing contract of
//! every page, every fact of the report reachable, checked quotations and glossary marks.

use crate::support::{SiteTest, repo_root};

/// Built for an absolute base URL, as the Pages workflow builds it: with a path-only base
/// URL the canonical link and og:url are left out (issue 19, tests/integration/reader.rs).
fn built() -> SiteTest {
    let t = SiteTest::flagship();
    if let Err(e) = t.build_with(|o| o.base_url = Some("https://example.org/".into())) {
        panic!("build failed:\n{e}");
    }
    t
}

fn pages(t: &SiteTest) -> Vec<(String, String)> {
    t.snapshot("public")
        .into_iter()
        .filter(|(p, _)| p.ends_with("index.html") || p == "404.html")
        .map(|(p, b)| (p, String::from_utf8(b).unwrap()))
        .filter(|(_, html)| !html.contains("http-equiv=\"refresh\""))
        .collect()
}

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

#[test]
fn every_page_meets_the_reader_contract() {
    let t = built();
    let pages = pages(&t);
    assert!(pages.len() >= 12, "only {} pages", pages.len());
    for (path, html) in &pages {
        let ctx = |what: &str| format!("{path}: {what}");
        assert!(html.starts_with("<!DOCTYPE html>"), "{}", ctx("doctype"));
        assert!(html.contains("<html lang=\"en\""), "{}", ctx("lang"));
        assert!(
            html.contains("<meta charset=\"utf-8\">"),
            "{}",
            ctx("charset")
        );
        assert!(html.contains("name=\"viewport\""), "{}", ctx("viewport"));
        assert_eq!(count(html, "<title>"), 1, "{}", ctx("one title"));
        assert!(
            html.contains("<meta name=\"description\" content=\""),
            "{}",
            ctx("meta description")
        );
        assert_eq!(count(html, "<h1"), 1, "{}", ctx("exactly one h1"));
        assert!(html.contains("href=\"#main\""), "{}", ctx("skip link"));
        assert!(
            html.contains("<main id=\"main\""),
            "{}",
            ctx("main landmark")
        );
        assert!(html.contains("<footer"), "{}", ctx("footer"));
        assert!(
            html.contains("amm51-report.txt"),
            "{}",
            ctx("footer credits the source report")
        );
        for needle in [
            "https://cdn",
            "fonts.googleapis",
            "googletagmanager",
            "<script src=\"http",
        ] {
            assert!(!html.contains(needle), "{}", ctx(needle));
        }
        if path == "404.html" {
            continue;
        }
        assert!(
            html.contains("<link rel=\"canonical\" href=\""),
            "{}",
            ctx("canonical")
        );
        for og in [
            "og:title",
            "og:description",
            "og:type",
            "og:url",
            "og:site_name",
        ] {
            assert!(html.contains(&format!("property=\"{og}\"")), "{}", ctx(og));
        }
        assert!(
            html.contains("aria-current=\"page\""),
            "{}",
            ctx("current page marked")
        );
        if path != "index.html" {
            assert!(
                html.contains("aria-label=\"Breadcrumb\""),
                "{}",
                ctx("breadcrumbs")
            );
        }
    }
}

#[test]
fn pages_with_two_h2_have_a_toc_and_all_have_prev_or_next() {
    let t = built();
    for (path, html) in pages(&t) {
        if path == "404.html" || path.starts_with("tags/") {
            continue;
        }
        let main = &html[html.find("<main").unwrap()..];
        let h2 = count(main, "<h2 id=");
        if h2 >= 2 {
            assert!(
                main.contains("aria-label=\"On this page\""),
                "{path} has {h2} h2 but no TOC"
            );
        }
        assert!(
            html.contains("rel=\"prev\"") || html.contains("rel=\"next\""),
            "{path} lacks prev/next"
        );
    }
}

/// Facts of the report, each as words that must appear on some page (whitespace-normalized,
/// quote glyphs straightened, tags stripped).
const FACTS: &[&str] = &[
    "Resilience and Innovation",
    "enhancing regional connectivity",
    "firm stance",
    "global partners",
    "multilateral system",
    "protectionism and anti-globalization",
    "30 activities",
    "constructive manner",
    "Nguyen Quoc Dung",
    "Deputy Foreign Minister",
    "Head of Vietnam's delegation to the ASEAN Senior Officials' Meeting",
    "One Belt, One Road",
    "Indo-Pacific",
    "Sustainable Infrastructure Connectivity",
    "Code of Conduct",
    "East Sea",
    "Master Plan on ASEAN Connectivity",
    "4th industrial revolution",
    "digital economy",
    "disaster",
    "Regional Comprehensive Economic Partnership",
    "Comprehensive and Progressive Trans-Pacific Partnership",
    "EU and Canada",
    "Singapore",
    "2018 chair",
    "smart cities",
    "narrowing the development gap",
    "ASEAN-Japan relations",
    "2018-2021",
    "ASEAN-India relations",
];

fn text_of(html: &str) -> String {
    // Inline tags vanish; block tags separate words.
    const INLINE: &[&str] = &[
        "a", "abbr", "em", "strong", "code", "span", "mark", "sup", "del", "i", "b",
    ];
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find('>').map_or(rest.len(), |e| i + e + 1);
        let tag = rest[i + 1..end].trim_start_matches('/');
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if !INLINE.contains(&name.as_str()) {
            out.push(' ');
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    let out = out
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .replace("&quot;", "\"");
    mekong::quote::normalize(&out)
}

#[test]
fn every_key_fact_of_the_report_is_on_a_topic_page() {
    let t = built();
    let texts: Vec<(String, String)> = pages(&t)
        .into_iter()
        .filter(|(p, _)| !p.starts_with("source/") && !p.starts_with("tags/"))
        .map(|(p, h)| {
            let main = h[h.find("<main").unwrap()..h.find("</main>").unwrap()].to_string();
            (p, text_of(&main))
        })
        .collect();
    for fact in FACTS {
        let fact = mekong::quote::normalize(fact);
        assert!(
            texts.iter().any(|(_, text)| text.contains(&fact)),
            "no page (other than the source) states: {fact}"
        );
    }
    // And within two clicks: the home page links to every top-level page and section.
    let home = t.read("public/index.html");
    for target in [
        "/topics/",
        "/vietnam/",
        "/people/",
        "/quotations/",
        "/glossary/",
        "/source/",
        "/about/",
    ] {
        assert!(
            home.contains(&format!("href=\"{target}\"")),
            "home does not link to {target}"
        );
    }
}

#[test]
fn the_source_page_holds_the_report_in_full() {
    let t = built();
    let report =
        std::fs::read_to_string(repo_root().join("content/source/amm51-report.txt")).unwrap();
    let shared = repo_root().join("../shared/source/amm51-report.txt");
    if let Ok(original) = std::fs::read(&shared) {
        assert_eq!(
            report.as_bytes(),
            original.as_slice(),
            "the copy in content/source differs from the report as received"
        );
    }
    let page = text_of(&t.main_of("public/source/index.html"));
    for line in report.lines().filter(|l| !l.trim().is_empty()) {
        let line = mekong::quote::normalize(line);
        assert!(page.contains(&line), "source page lacks: {line}");
    }
    assert_eq!(
        t.read("public/source/amm51-report.txt"),
        report,
        "raw report published as received"
    );
}

#[test]
fn quotation_check_rejects_an_altered_quotation() {
    let t = SiteTest::flagship();
    let q = t.read("content/quotations.md");
    assert!(
        q.contains("needs unity and consensus"),
        "fixture assumption"
    );
    t.write(
        "content/quotations.md",
        &q.replacen("needs unity and consensus", "needs unity and agreement", 1),
    );
    let err = t.build_err();
    assert!(err.starts_with("error: content/quotations.md:"), "{err}");
    assert!(
        err.contains("quotation not found in source 'report'"),
        "{err}"
    );
    assert!(
        err.contains("needs unity and consensus in approaching global issues"),
        "hint shows the passage: {err}"
    );
}

#[test]
fn glossary_marks_the_first_occurrence_only_and_never_in_headings_or_links() {
    let t = built();
    let main = t.main_of("public/topics/economy/index.html");
    let marked = main
        .matches("<abbr title=\"Association of Southeast Asian Nations\">ASEAN</abbr>")
        .count();
    assert_eq!(marked, 1, "ASEAN marked once on the page");
    let plain = text_of(&main).matches("ASEAN").count();
    assert!(
        plain > 3,
        "ASEAN occurs {plain} times; only the first is marked"
    );
    assert!(
        main.contains("href=\"/glossary/#term-asean\""),
        "linked to its entry"
    );
    for h in main.split("<h2").skip(1) {
        let h = &h[..h.find("</h2>").unwrap()];
        assert!(!h.contains("<abbr"), "glossary mark inside a heading: {h}");
    }
    let glossary = t.main_of("public/glossary/index.html");
    assert!(glossary.contains("id=\"term-rcep\""), "{glossary}");
    assert!(
        !glossary.contains("class=\"glossary-term\""),
        "the glossary page itself is not marked"
    );
}

#[test]
fn builds_under_a_sub_path_with_every_url_prefixed() {
    let t = SiteTest::flagship();
    t.build_with(|o| o.base_url = Some("https://example.github.io/amm51/".into()))
        .unwrap();
    let mut checked = 0;
    for (path, bytes) in t.snapshot("public") {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let urls: Vec<String> = if path.ends_with(".html") {
            mekong::verify::urls_of(&text)
        } else if path.ends_with(".xml") {
            text.split("<loc>")
                .skip(1)
                .map(|s| s[..s.find("</loc>").unwrap()].to_string())
                .chain(mekong::verify::urls_of(&text))
                .collect()
        } else {
            continue;
        };
        for u in urls {
            let local = u.strip_prefix("https://example.github.io").unwrap_or(&u);
            if local.starts_with('/') && !local.starts_with("//") {
                assert!(local.starts_with("/amm51/"), "{path}: {u}");
                checked += 1;
            }
        }
    }
    assert!(checked > 200, "checked only {checked} URLs");
}
