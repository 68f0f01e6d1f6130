//! Escaping: HTML and script in every user string come out escaped in every page, the feed,
//! the sitemap, tag pages, redirects and the search index.

use super::{Fence, assert_builds, tree};
use crate::support::{copy_dir, fixtures};
use std::io::Read;

const XSS_SCRIPT: &str = "<script>alert(1)</script>";
const XSS_IMG: &str = "\"><img src=x onerror=alert(1)>";

/// Copies `tests/fixtures/hardening/<name>` into a fence.
fn fixture(name: &str) -> Fence {
    let f = Fence::new();
    copy_dir(&fixtures().join("hardening").join(name), &f.root());
    f
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// HTML and script in titles, descriptions, tags, `extra`, the site's title and footer: escaped
/// in every page, the feed, the sitemap, tag pages, redirects and the search index.
#[test]
fn html_in_every_user_string_is_escaped_in_every_output() {
    let f = fixture("xss");
    let s = assert_builds(&f);
    let out = tree(&f.path("public"));
    let mut checked = 0;
    for (path, bytes) in &out {
        if !(path.ends_with(".html") || path.ends_with(".xml")) {
            continue;
        }
        let text = String::from_utf8_lossy(bytes);
        for bad in [XSS_SCRIPT, XSS_IMG, "<img src=x", "<b>bold</b>"] {
            assert!(!text.contains(bad), "{path} holds unescaped `{bad}`");
        }
        checked += 1;
    }
    // Every kind of output was looked at.
    for p in [
        "index.html",
        "s/index.html",
        "s/page/index.html",
        "tags/index.html",
        "atom.xml",
        "sitemap.xml",
        "404.html",
    ] {
        assert!(out.contains_key(p), "{p} missing");
    }
    let tag_pages = out
        .keys()
        .filter(|k| k.starts_with("tags/") && k.ends_with("/index.html"))
        .count();
    assert!(tag_pages >= 3, "tag pages: {tag_pages}");
    let redirect = out
        .keys()
        .find(|k| k.starts_with("old/"))
        .expect("the alias's redirect page");
    assert!(
        redirect.contains("<img"),
        "the alias made a folder named as written: {redirect}"
    );
    assert!(checked > 10);
    // The escaped forms are there (the strings were not dropped).
    let page = String::from_utf8_lossy(&out["s/page/index.html"]);
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;"),
        "the escaped title is there"
    );
    assert!(
        page.contains("class=\"note\""),
        "the custom template printed page.extra"
    );
    let feed = String::from_utf8_lossy(&out["atom.xml"]);
    assert!(
        feed.contains("&lt;script&gt;"),
        "the feed holds the escaped title"
    );

    // The search index holds the pages' text, decoded: `<script>` in a title is stored as
    // those characters, not as markup. What matters is how the search UI inserts it.
    let mut fragments = 0;
    let mut meta_titles = Vec::new();
    let mut contents = Vec::new();
    for (path, bytes) in &out {
        if !path.ends_with(".pf_fragment") {
            continue;
        }
        let raw = gunzip(bytes);
        let json = raw.strip_prefix(b"pagefind_dcd").expect("fragment prefix");
        let v: serde_json::Value = serde_json::from_slice(json).unwrap();
        contents.push(v["content"].as_str().unwrap_or("").to_string());
        if let Some(t) = v["meta"]["title"].as_str() {
            meta_titles.push(t.to_string());
        }
        fragments += 1;
    }
    assert_eq!(fragments, s.indexed, "one fragment per indexed page");
    assert!(
        contents.iter().any(|c| c.contains(XSS_SCRIPT)),
        "fragment content is decoded text: {contents:?}"
    );
    // Excerpts are the one piece of the index inserted as HTML; Pagefind's search API escapes
    // `<` and `>` of the page text before it adds its <mark> elements.
    let api = String::from_utf8_lossy(&out["pagefind/pagefind.js"]);
    assert!(
        api.contains(
            r#"fragment.raw_content=fragment.content.replace(/</g,"&lt;").replace(/>/g,"&gt;")"#
        ),
        "pagefind.js escapes the text it builds excerpts from"
    );
    assert!(api.contains("build_excerpt(fragment.raw_content,"));
    // Result titles are plain text in the index: the search UI must insert them as text.
    assert!(
        meta_titles.iter().any(|t| t.contains(XSS_SCRIPT)),
        "meta titles hold the raw text: {meta_titles:?}"
    );
    let js = String::from_utf8_lossy(&out["assets/search.js"]);
    assert!(
        js.contains("title.textContent = meta.title"),
        "titles as text"
    );
    assert!(
        js.contains("section.textContent = meta.section"),
        "sections as text"
    );
    let inner: Vec<&str> = js
        .lines()
        .map(str::trim)
        .filter(|l| l.contains("innerHTML"))
        .collect();
    assert_eq!(
        inner,
        vec!["excerpt.innerHTML = data.excerpt;"],
        "the only HTML the search UI inserts is Pagefind's excerpt (escaped text plus <mark>)"
    );
}
