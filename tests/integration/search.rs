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

/// The site's files without its output and what a build keeps beside it, for a clean build
/// of the same input elsewhere.
fn clean_copy(t: &SiteTest) -> SiteTest {
    let c = SiteTest::empty();
    for d in ["content", "templates", "static", "data"] {
        if t.root().join(d).is_dir() {
            crate::support::copy_dir(&t.root().join(d), &c.root().join(d));
        }
    }
    std::fs::copy(t.root().join("site.yaml"), c.root().join("site.yaml")).unwrap();
    c
}

/// The temporary files (`.public.search.<pid>.tmp`) in the site folder.
fn temporary_files(t: &SiteTest) -> Vec<String> {
    std::fs::read_dir(t.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect()
}

/// Issue 16: `build` keeps the pages it parsed for the index in `.public.search` and the next
/// build parses only the pages whose HTML changed; the index is the one a clean build makes.
#[test]
fn a_rebuild_parses_only_changed_pages_and_makes_the_index_a_clean_build_makes() {
    let t = SiteTest::flagship();
    let first = t.build_ok();
    assert!(first.produced.indexed >= 13);
    assert_eq!(
        first.produced.parsed, first.produced.indexed,
        "nothing to reuse yet"
    );
    let store = t.root().join(".public.search");
    assert!(store.is_file(), "no .public.search beside the output");

    let page = "content/topics/economy.md";
    t.write(
        page,
        &format!("{}\nA sentence added by the test.\n", t.read(page)),
    );
    let second = t.build_ok();
    assert_eq!(second.produced.indexed, first.produced.indexed);
    assert!(
        second.produced.parsed >= 1 && second.produced.parsed * 2 < second.produced.indexed,
        "parsed {} of {} pages after a one-page edit",
        second.produced.parsed,
        second.produced.indexed
    );
    let text: String = fragments(&t)
        .iter()
        .map(|f| f["content"].as_str().unwrap().to_string())
        .collect();
    assert!(
        text.contains("A sentence added by the test."),
        "the edit is indexed"
    );

    let clean = clean_copy(&t);
    let c = clean.build_ok();
    assert_eq!(c.produced.parsed, c.produced.indexed);
    assert!(
        t.snapshot("public/pagefind") == clean.snapshot("public/pagefind"),
        "the index of a build that reused parsed pages differs from a clean build's"
    );
    // Nothing temporary is left beside the output.
    let left = temporary_files(&t);
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// A damaged, cut or foreign `.public.search` costs parsing, never a wrong index or an error.
#[test]
fn a_damaged_store_is_parsed_around_and_the_index_stays_right() {
    let t = SiteTest::flagship();
    t.build_ok();
    let store = t.root().join(".public.search");
    let good = std::fs::read(&store).unwrap();
    let clean = clean_copy(&t);
    let page = "content/about.md";
    let mut n = 0;
    let damaged: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("garbage", b"not a store at all".repeat(50)),
        ("cut in half", good[..good.len() / 2].to_vec()),
        ("every 97th byte flipped", {
            let mut b = good.clone();
            b.iter_mut().step_by(97).skip(1).for_each(|x| *x ^= 0x5a);
            b
        }),
    ];
    for (what, bytes) in damaged {
        n += 1;
        let line = format!("\nEdit {n} of the test.\n");
        t.write(page, &format!("{}{line}", t.read(page)));
        clean.write(page, &format!("{}{line}", clean.read(page)));
        std::fs::write(&store, &bytes).unwrap();
        let s = t
            .build()
            .unwrap_or_else(|e| panic!("{what}: the build failed:\n{e}"));
        let _ = std::fs::remove_file(clean.root().join(".public.search"));
        clean.build_ok();
        assert!(
            t.snapshot("public/pagefind") == clean.snapshot("public/pagefind"),
            "{what}: the index differs from a clean build's"
        );
        if what != "cut in half" && what != "every 97th byte flipped" {
            assert_eq!(
                s.produced.parsed, s.produced.indexed,
                "{what}: nothing reused"
            );
        }
        assert!(
            std::fs::read(&store).unwrap().len() > 1000,
            "{what}: a new store"
        );
    }
}

/// A build that fails leaves the last `.public.search` as it was (and no temporary file).
#[test]
fn a_failed_build_keeps_the_last_store() {
    let t = SiteTest::flagship();
    t.build_ok();
    let store = t.root().join(".public.search");
    let before = std::fs::read(&store).unwrap();
    // A page template that fails at render time: sections render (and are parsed for the
    // index) before the pages' errors stop the build.
    t.write(
        "templates/page.html",
        "<html><body>{{ page.no_such_field.x }}</body></html>",
    );
    assert!(t.build().is_err(), "a broken template must fail the build");
    assert!(
        std::fs::read(&store).unwrap() == before,
        "the store changed"
    );
    let left = temporary_files(&t);
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// A parsed page read back from damaged bytes (what a store whose checksums were forged
/// could hold) is refused or is a page an index can be built with: never a panic.
mod damaged_pages {
    use pagefind::api::{PagefindIndex, ParsedHtmlFile};
    use proptest::prelude::*;

    const HTML: &str = r#"<html lang="en"><body><main data-pagefind-body>
        <h1 id="t">Ministers' Meeting</h1><p data-pagefind-filter="tag">ASEAN</p>
        <p>Café résumé; <span data-pagefind-meta="kind">report</span> · Hà Nội</p>
        <table><tr><td>RCEP</td><td>Agreed</td></tr></table><h2 id="two">Two</h2>
        <p data-pagefind-sort="date">2018</p><p>会议 การประชุม</p></main></body></html>"#;

    fn index_with(page: ParsedHtmlFile) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let mut pf = PagefindIndex::new(None).unwrap();
            pf.add_parsed_file(page).await.unwrap();
            pf.get_files().await.unwrap();
        });
    }

    fn good() -> Vec<u8> {
        let pf = PagefindIndex::new(None).unwrap();
        let page = pf
            .parser()
            .parse(None, Some("/a/".into()), HTML.into())
            .unwrap();
        page.to_bytes()
    }

    #[test]
    fn a_page_survives_its_bytes() {
        let bytes = good();
        let back = ParsedHtmlFile::from_bytes(&bytes).expect("decodes");
        assert_eq!(back.to_bytes(), bytes, "the same bytes again");
        index_with(back);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
        #[test]
        fn changed_bytes_never_panic(
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 1..6)
        ) {
            let mut bytes = good();
            for (at, v, how) in edits {
                let i = at.index(bytes.len());
                match how {
                    0 => bytes[i] = v,
                    1 => bytes.insert(i, v),
                    _ => { bytes.remove(i); }
                }
            }
            if let Some(page) = ParsedHtmlFile::from_bytes(&bytes) {
                index_with(page);
            }
        }

        /// Small values in place (a varint or a letter changed): most of these still decode,
        /// so they reach the index builder.
        #[test]
        fn changed_numbers_and_letters_still_index(
            edits in proptest::collection::vec((any::<prop::sample::Index>(), 0..128u8), 1..3)
        ) {
            let mut bytes = good();
            for (at, v) in edits {
                let i = at.index(bytes.len());
                bytes[i] = v;
            }
            if let Some(page) = ParsedHtmlFile::from_bytes(&bytes) {
                index_with(page);
            }
        }
    }
}
