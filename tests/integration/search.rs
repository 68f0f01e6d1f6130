//! The search index of the AMM-51 site: every page with content is indexed with its title,
//! only the main content is indexed, and result URLs carry the base path.

use crate::support::SiteTest;
use std::io::Read;

/// The decoded JSON of every Pagefind fragment (gzip, then a `pagefind_dcd` prefix).
fn fragments(t: &SiteTest) -> Vec<serde_json::Value> {
    t.snapshot("public/pagefind/fragment")
        .into_iter()
        .map(|(name, bytes)| {
            let mut text = String::new();
            flate2::read::GzDecoder::new(bytes.as_slice())
                .read_to_string(&mut text)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let json = text
                .strip_prefix("pagefind_dcd")
                .unwrap_or_else(|| panic!("{name}: no pagefind_dcd prefix"));
            serde_json::from_str(json).unwrap_or_else(|e| panic!("{name}: {e}"))
        })
        .collect()
}

#[test]
fn indexes_every_page_with_its_title_and_only_main_content() {
    let t = SiteTest::flagship();
    let summary = t
        .build_with(|o| o.base_url = Some("https://example.github.io/amm51/".into()))
        .unwrap();
    for f in [
        "public/pagefind/pagefind.js",
        "public/pagefind/pagefind-entry.json",
    ] {
        assert!(t.exists(f), "{f} missing");
    }
    // Every page and section (not tag pages, redirects or the 404) has content to index.
    let pages = t
        .snapshot("public")
        .into_iter()
        .filter(|(p, b)| {
            p.ends_with("index.html") && String::from_utf8_lossy(b).contains("data-pagefind-body")
        })
        .count();
    assert!(pages >= 13, "{pages} pages marked for indexing");
    assert_eq!(
        summary.produced.indexed, pages,
        "every marked page was indexed"
    );
    let frags = fragments(&t);
    assert_eq!(frags.len(), pages, "one fragment per page");
    for f in &frags {
        let url = f["url"].as_str().unwrap();
        assert!(
            url.starts_with("/amm51/"),
            "result URL without the sub-path: {url}"
        );
        let title = f["meta"]["title"].as_str().unwrap_or("");
        assert!(!title.is_empty(), "{url} has no title");
        let content = f["content"].as_str().unwrap();
        for chrome in [
            "Skip to content",
            "On this page",
            "Read the source report (amm51-report.txt)",
            "Built with mekong",
        ] {
            assert!(
                !content.contains(chrome),
                "{url}: navigation or footer text `{chrome}` in the index"
            );
        }
    }
    let economy = frags
        .iter()
        .find(|f| f["url"] == "/amm51/topics/economy/")
        .expect("economy page indexed");
    assert!(
        economy["content"]
            .as_str()
            .unwrap()
            .contains("Regional Comprehensive Economic Partnership")
    );
}

#[test]
fn search_false_builds_no_index() {
    let t = SiteTest::fixture("build/basic");
    t.write(
        "site.yaml",
        &format!("{}search: false\n", t.read("site.yaml")),
    );
    let s = t.build_ok();
    assert_eq!(s.produced.indexed, 0);
    assert!(!t.exists("public/pagefind"));
    assert!(
        !t.read("public/index.html").contains("role=\"search\""),
        "no search box without an index"
    );
}

/// Issue 16: a table's cells are separated and its rows are sentences in the excerpt text;
/// every page carries its top-level section and its tags as filters; two builds of the same
/// input give the same index, byte for byte (the index is built on several threads now).
#[test]
fn table_text_reads_as_sentences_and_filters_are_indexed_identically_twice() {
    let t = SiteTest::fixture("search/quality");
    t.build_ok();
    let frags = fragments(&t);
    let trade = frags
        .iter()
        .find(|f| f["url"] == "/asean/trade/")
        .expect("the trade page is indexed");
    let content = trade["content"].as_str().unwrap();
    assert!(
        content.contains("RCEP · Agreed to push ahead with negotiating it. CPTPP · Urged"),
        "{content}"
    );
    assert_eq!(trade["filters"]["section"], serde_json::json!(["ASEAN"]));
    assert_eq!(trade["filters"]["tag"], serde_json::json!(["trade"]));
    let weather = frags
        .iter()
        .find(|f| f["url"] == "/notes/weather/")
        .unwrap();
    assert_eq!(weather["filters"]["section"], serde_json::json!(["Notes"]));
    let again = SiteTest::fixture("search/quality");
    again.build_ok();
    assert!(
        t.snapshot("public/pagefind") == again.snapshot("public/pagefind"),
        "a second build of the same input made another index"
    );
}
