//! The build pipeline on a small complete site: URLs, links, sections, tags, feeds, redirects,
//! sub-paths, atomic writes and unchanged-file mtimes.

use crate::support::SiteTest;
use std::collections::BTreeMap;
use std::time::SystemTime;

fn basic() -> SiteTest {
    let t = SiteTest::fixture("build/basic");
    t.build_ok();
    t
}

#[test]
fn writes_pretty_urls_assets_and_generated_files() {
    let t = basic();
    for f in [
        "public/index.html",
        "public/a/index.html",
        "public/s/index.html",
        "public/s/b/index.html",
        "public/s/custom-c/index.html",
        "public/loose/index.html",
        "public/loose/d/index.html",
        "public/s/dot.png",
        "public/css/extra.css",
        "public/tags/index.html",
        "public/tags/alpha/index.html",
        "public/tags/beta-tag/index.html",
        "public/404.html",
        "public/sitemap.xml",
        "public/robots.txt",
        "public/atom.xml",
        "public/.nojekyll",
        "public/old/a/index.html",
        "public/legacy.html",
        "public/assets/mekong.css",
    ] {
        assert!(t.exists(f), "{f} missing");
    }
    for f in [
        "public/a.md~",
        "public/.hidden",
        "public/s/hidden-draft/index.html",
        "public/s/c/index.html",
    ] {
        assert!(!t.exists(f), "{f} should not exist");
    }
}

#[test]
fn drafts_are_built_with_the_flag() {
    let t = SiteTest::fixture("build/basic");
    t.build_with(|o| o.drafts = true).unwrap();
    assert!(t.exists("public/s/hidden-draft/index.html"));
}

#[test]
fn rewrites_source_links_to_urls() {
    let t = basic();
    let home = t.main_of("public/index.html");
    assert!(home.contains(r#"href="/a/""#), "{home}");
    assert!(home.contains(r#"href="/s/b/#second-part""#), "{home}");
    let a = t.main_of("public/a/index.html");
    assert!(
        a.contains(r#"href="/""#) && a.contains(r#"href="/s/custom-c/""#),
        "{a}"
    );
    assert!(
        a.contains(r#"href="https://example.com/x""#),
        "external links are left alone"
    );
    let b = t.main_of("public/s/b/index.html");
    assert!(b.contains(r#"src="/s/dot.png""#), "{b}");
    assert!(b.contains(r##"href="#first-part""##), "{b}");
}

#[test]
fn headings_get_ids_anchors_and_a_toc() {
    let t = basic();
    let a = t.main_of("public/a/index.html");
    for id in ["one", "two", "two-point-one"] {
        assert!(a.contains(&format!(r#"id="{id}""#)), "{id} in {a}");
        assert!(
            a.contains(&format!(r##"href="#{id}""##)),
            "anchor link to {id}"
        );
    }
    assert!(a.contains("toc"), "A has two h2s so it shows a TOC");
    let c = t.main_of("public/s/custom-c/index.html");
    assert!(c.contains(r#"id="only""#));
    assert!(
        !c.contains(r##"<a href="#only">"##),
        "toc: false hides the TOC: {c}"
    );
}

#[test]
fn sections_order_pages_by_weight_and_link_prev_next_in_reading_order() {
    let t = basic();
    let s = t.main_of("public/s/index.html");
    let c = s.find("/s/custom-c/").expect("C listed");
    let b = s.find("/s/b/").expect("B listed");
    assert!(c < b, "C (weight 1) before B (weight 2)");
    // Reading order: home, A, S, C, B, loose, D.
    let b_html = t.read("public/s/b/index.html");
    let prev = b_html.find("/s/custom-c/").unwrap();
    assert!(
        b_html[prev..].contains("/loose/"),
        "B's next is the loose folder"
    );
    let loose = t.main_of("public/loose/index.html");
    assert!(
        loose.contains("Loose"),
        "a folder without _index.md is a section titled from its name"
    );
    assert!(loose.contains("/loose/d/"));
}

#[test]
fn tags_list_pages_and_counts() {
    let t = basic();
    let tags = t.main_of("public/tags/index.html");
    assert!(
        tags.contains("/tags/alpha/") && tags.contains("/tags/beta-tag/"),
        "{tags}"
    );
    let alpha = t.main_of("public/tags/alpha/index.html");
    assert!(alpha.contains("/a/") && alpha.contains("/s/b/"), "{alpha}");
}

#[test]
fn sitemap_feed_robots_and_redirects() {
    let t = basic();
    let sitemap = t.read("public/sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://example.org/s/b/</loc>\n    <lastmod>2024-03-01</lastmod>"),
        "{sitemap}"
    );
    assert!(sitemap.contains("<loc>https://example.org/</loc>"));
    let feed = t.read("public/atom.xml");
    assert!(feed.starts_with(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\""
    ));
    let b = feed
        .find("<id>https://example.org/s/b/</id>")
        .expect("B in feed");
    let a = feed
        .find("<id>https://example.org/a/</id>")
        .expect("A in feed");
    assert!(b < a, "newest first");
    assert!(feed.contains("<updated>2024-03-01T00:00:00Z</updated>"));
    assert!(
        !feed.contains("custom-c"),
        "undated pages are not in the feed"
    );
    assert!(
        t.read("public/robots.txt")
            .contains("Sitemap: https://example.org/sitemap.xml")
    );
    let redirect = t.read("public/old/a/index.html");
    assert!(
        redirect.contains(r#"<meta http-equiv="refresh" content="0; url=/a/">"#),
        "{redirect}"
    );
    assert!(redirect.contains(r#"<link rel="canonical" href="https://example.org/a/">"#));
    assert!(t.read("public/legacy.html").contains("url=/a/"));
}

/// Every internal URL in every HTML page, the sitemap and the feed.
fn internal_urls(t: &SiteTest, origin: &str) -> Vec<(String, String)> {
    let mut urls = Vec::new();
    for (path, bytes) in t.snapshot("public") {
        if !(path.ends_with(".html") || path.ends_with(".xml")) {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        let mut found = mekong::verify::urls_of(&text);
        let mut rest = text.as_ref();
        while let Some(i) = rest.find("<loc>") {
            let end = rest[i..].find("</loc>").unwrap() + i;
            found.push(rest[i + 5..end].to_string());
            rest = &rest[end..];
        }
        for u in found {
            let local = u
                .strip_prefix(origin)
                .map(str::to_string)
                .unwrap_or(u.clone());
            if local.starts_with('/') && !local.starts_with("//") {
                urls.push((path.clone(), local));
            }
        }
    }
    urls
}

#[test]
fn every_url_carries_the_sub_path() {
    let t = SiteTest::fixture("build/basic");
    t.build_with(|o| o.base_url = Some("https://example.github.io/repo/".into()))
        .unwrap();
    let urls = internal_urls(&t, "https://example.github.io");
    assert!(urls.len() > 50, "found only {} URLs", urls.len());
    for (page, url) in &urls {
        assert!(
            url.starts_with("/repo/"),
            "{page}: {url} lacks the sub-path"
        );
    }
    assert!(
        t.read("public/404.html")
            .contains("/repo/assets/mekong.css"),
        "404 assets are absolute with the base path"
    );
    assert!(
        t.read("public/robots.txt")
            .contains("Sitemap: https://example.github.io/repo/sitemap.xml")
    );
}

#[test]
fn builds_the_same_site_at_the_root() {
    let t = SiteTest::fixture("build/basic");
    t.build_with(|o| o.base_url = Some("/".into())).unwrap();
    for (page, url) in internal_urls(&t, "") {
        assert!(!url.starts_with("/repo/"), "{page}: {url}");
    }
}

fn mtimes(t: &SiteTest) -> BTreeMap<String, SystemTime> {
    walkdir::WalkDir::new(t.root().join("public"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().to_string_lossy().into_owned(),
                e.metadata().unwrap().modified().unwrap(),
            )
        })
        .collect()
}

#[test]
fn rebuilding_unchanged_site_writes_nothing_and_keeps_mtimes() {
    let t = basic();
    let before = mtimes(&t);
    std::thread::sleep(std::time::Duration::from_millis(30));
    let s = t.build_ok();
    assert_eq!(s.written.written, 0);
    assert_eq!(s.written.removed, 0);
    assert_eq!(mtimes(&t), before);
}

#[test]
fn changing_one_page_rewrites_only_what_changed_and_removes_stale_files() {
    let t = basic();
    let before = mtimes(&t);
    std::thread::sleep(std::time::Duration::from_millis(30));
    t.write(
        "content/s/b.md",
        &t.read("content/s/b.md")
            .replace("B's body", "New words in B's body"),
    );
    std::fs::remove_file(t.root().join("content/loose/d.md")).unwrap();
    let s = t.build_ok();
    assert!(s.written.removed >= 1);
    let after = mtimes(&t);
    let key = |p: &str| {
        t.root()
            .join("public")
            .join(p)
            .to_string_lossy()
            .into_owned()
    };
    assert_ne!(
        after[&key("s/b/index.html")],
        before[&key("s/b/index.html")]
    );
    assert_eq!(
        after[&key("css/extra.css")],
        before[&key("css/extra.css")],
        "unchanged file kept its mtime"
    );
    assert_eq!(after[&key("s/dot.png")], before[&key("s/dot.png")]);
    assert!(!t.exists("public/loose/d/index.html"), "stale page removed");
    assert!(
        !t.exists("public/loose/index.html"),
        "a folder left without pages is no section"
    );
    assert!(
        t.main_of("public/s/b/index.html")
            .contains("New words in B")
    );
}

#[test]
fn failed_build_leaves_previous_output_untouched() {
    let t = basic();
    let before = t.snapshot("public");
    t.write("content/a.md", "---\ntitle: A\ndate: never\n---\n");
    t.build_err();
    assert_eq!(t.snapshot("public"), before);
}

#[test]
fn two_builds_are_byte_identical() {
    let t1 = basic();
    let t2 = basic();
    let (a, b) = (t1.snapshot("public"), t2.snapshot("public"));
    let names = |v: &[(String, Vec<u8>)]| v.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b));
    let differing: Vec<&String> = a
        .iter()
        .zip(&b)
        .filter(|(x, y)| x.1 != y.1)
        .map(|(x, _)| &x.0)
        .collect();
    assert!(
        differing.is_empty(),
        "differ between two builds: {differing:?}"
    );
}

#[test]
fn site_with_only_content_builds_with_the_default_theme() {
    let t = SiteTest::empty();
    t.write("content/_index.md", "---\ntitle: Hello\n---\nHi.\n");
    t.write(
        "content/guide/start.md",
        "---\ntitle: Start\n---\n## A\n\n## B\n",
    );
    t.build_ok();
    let page = t.read("public/guide/start/index.html");
    assert!(page.contains("<h1") && page.contains("Start"));
    assert!(page.contains("/assets/mekong.css"));
}

#[test]
fn titles_with_html_are_escaped() {
    let t = SiteTest::empty();
    t.write("content/_index.md", "---\ntitle: Home\n---\n");
    t.write("content/x.md", "---\ntitle: \"<script>alert(1)</script>\"\ndescription: \"a \\\"quote\\\" & <b>\"\ndate: 2024-01-01\ntags: [\"<i>t</i>\"]\n---\nBody\n");
    t.build_ok();
    for f in [
        "public/x/index.html",
        "public/atom.xml",
        "public/tags/index.html",
        "public/index.html",
    ] {
        let html = t.read(f);
        assert!(!html.contains("<script>alert(1)"), "{f} has raw script");
        assert!(!html.contains("<i>t</i>"), "{f} has raw tag");
    }
}

#[test]
fn unchanged_rebuild_stops_early_but_repairs_a_touched_output() {
    let t = basic();
    let again = t.build_ok();
    assert_eq!(again.written.written, 0);
    // Someone deletes or edits a file of the output: the next build notices and repairs it.
    std::fs::remove_file(t.root().join("public/a/index.html")).unwrap();
    t.write("public/s/b/index.html", "tampered");
    let repaired = t.build_ok();
    assert!(repaired.written.written >= 2, "{:?}", repaired.written);
    assert!(
        t.main_of("public/a/index.html")
            .contains("First paragraph of A")
    );
    assert!(
        t.main_of("public/s/b/index.html")
            .contains("body with an image")
    );
}

#[test]
fn unchanged_rebuild_notices_template_and_option_changes() {
    let t = basic();
    t.write("templates/404.html", "<!DOCTYPE html><html lang=\"en\"><head><title>Lost</title></head><body><main><h1>Lost here</h1></main></body></html>");
    t.build_ok();
    assert!(t.read("public/404.html").contains("Lost here"));
    t.build_with(|o| o.drafts = true).unwrap();
    assert!(
        t.exists("public/s/hidden-draft/index.html"),
        "a different option is a different build"
    );
}

/// Issue 11: a site template extends the default one it replaces (`default/page.html`) and
/// overrides one block; a component defined by the site replaces the theme's everywhere.
#[test]
fn site_template_extends_the_default_it_replaces() {
    let t = basic();
    let before = t.main_of("public/a/index.html");
    t.write(
        "templates/page.html",
        "{% extends \"default/page.html\" %}\n{% block tags %}{{ super() }}\n<p class=\"note\">Corrections welcome.</p>{% endblock tags %}",
    );
    t.build_ok();
    let after = t.main_of("public/a/index.html");
    assert!(after.contains("</p>\n<p class=\"note\">Corrections welcome.</p>\n</article>"));
    assert_eq!(
        after.replace("\n<p class=\"note\">Corrections welcome.</p>", ""),
        before
    );

    assert!(
        t.main_of("public/index.html")
            .contains("<ul class=\"card-list\">")
    );
    t.write(
        "templates/components.html",
        "{% component mekong_section_list(sections) %}<p class=\"cards\">{{ sections | length }} sections</p>{% endcomponent mekong_section_list %}",
    );
    t.build_ok();
    let home = t.main_of("public/index.html");
    assert!(home.contains("<p class=\"cards\">2 sections</p>"), "{home}");
    assert!(!home.contains("<ul class=\"card-list\">"));
}
