//! The AMM-51 site as readers, validators and search engines meet it (issue 19), checked on
//! the built HTML: heading ids and anchors everywhere (template headings too), tag titles as
//! written, the absolute-URL rule for the sitemap, robots.txt, canonical and og:url, JSON-LD,
//! build inputs kept out of the site, background marked, and every number traced to the
//! report. The same points in a real browser: tests/integration/browser/reader.rs.

use crate::support::{SiteTest, repo_root};
use serde_json::Value;

const BASE: &str = "https://example.org/repo/";

fn built(base: &str) -> (SiteTest, mekong::Summary) {
    let t = SiteTest::flagship();
    match t.build_with(|o| o.base_url = Some(base.into())) {
        Ok(s) => (t, s),
        Err(e) => panic!("the flagship site does not build:\n{e}"),
    }
}

/// Every HTML page but the redirects, as (path, html).
fn pages(t: &SiteTest) -> Vec<(String, String)> {
    t.snapshot("public")
        .into_iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, b)| (p, String::from_utf8(b).unwrap()))
        .filter(|(_, html)| !html.contains("http-equiv=\"refresh\""))
        .collect()
}

fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("a <main>");
    let end = html.find("</main>").unwrap_or(html.len());
    &html[start..end]
}

/// The opening tags `<hN ...>` of a piece of HTML with what follows up to `</hN>`.
fn headings(html: &str) -> Vec<(u8, String)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<h") {
        let tail = &rest[i + 2..];
        let level = tail.as_bytes().first().copied().unwrap_or(b'x');
        if (b'1'..=b'6').contains(&level) && matches!(tail.as_bytes().get(1), Some(b' ' | b'>')) {
            let close = format!("</h{}>", level as char);
            let end = tail.find(&close).unwrap_or(tail.len());
            out.push((level - b'0', format!("<h{}", &tail[..end])));
            rest = &tail[end..];
        } else {
            rest = tail;
        }
    }
    out
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let open = &tag[..tag.find('>').unwrap_or(tag.len())];
    let key = format!(" {name}=\"");
    let i = open.find(&key)? + key.len();
    Some(&open[i..i + open[i..].find('"')?])
}

#[test]
fn every_heading_has_an_id_and_an_anchor_link_and_two_h2_show_a_toc() {
    let (t, _) = built(BASE);
    let pages = pages(&t);
    assert!(pages.len() >= 25, "only {} pages", pages.len());
    let mut checked = 0;
    for (path, html) in &pages {
        let main = main_of(html);
        let hs = headings(main);
        assert!(!hs.is_empty(), "{path}: no headings");
        for (level, h) in &hs {
            let id = attr(h, "id").unwrap_or_else(|| panic!("{path}: h{level} without id: {h}"));
            assert!(
                h.contains(&format!("class=\"heading-anchor\" href=\"#{id}\"")),
                "{path}: h{level} #{id} has no anchor link: {h}"
            );
            checked += 1;
        }
        let h2 = hs.iter().filter(|(l, _)| *l == 2).count();
        if h2 >= 2 {
            assert!(
                main.contains("<nav class=\"toc\" aria-label=\"On this page\""),
                "{path} has {h2} h2 but no table of contents"
            );
            for (_, h) in hs.iter().filter(|(l, _)| *l == 2) {
                let id = attr(h, "id").unwrap();
                assert!(
                    main.contains(&format!("<li><a href=\"#{id}\">")),
                    "{path}: the TOC lacks h2 #{id}"
                );
            }
        }
    }
    assert!(checked > 100, "only {checked} headings");
    // The section page of issue 19: its text has one h2, its listing another.
    let topics = main_of(
        &pages
            .iter()
            .find(|(p, _)| p == "topics/index.html")
            .unwrap()
            .1,
    )
    .to_string();
    assert!(topics.contains("<li><a href=\"#mekong-pages\">In this section</a></li>"));
}

#[test]
fn tag_pages_are_titled_as_the_tag_is_written_and_a_second_spelling_warns() {
    let (t, _) = built(BASE);
    let vietnam = t.read("public/tags/vietnam/index.html");
    assert!(
        vietnam.contains(">Vietnam<a class=\"heading-anchor\""),
        "the h1 is not “Vietnam”"
    );
    assert!(vietnam.contains("<title>Vietnam – "));
    // Another page spelling it in lower case: the first spelling (in reading order) stays,
    // and the build says so.
    let path = "content/quotations.md";
    let text = t.read(path).replace(
        "tags: [quotations, people]",
        "tags: [quotations, people, vietnam]",
    );
    t.write(path, &text);
    let summary = t.build_with(|o| o.base_url = Some(BASE.into())).unwrap();
    let warnings: Vec<String> = summary
        .produced
        .warnings
        .iter()
        .map(|w| w.to_string())
        .collect();
    assert!(
        warnings.iter().any(|w| w.contains("content/quotations.md")
            && w.contains("tag `vietnam` is spelled `Vietnam` on an earlier page")),
        "no warning for the second spelling: {warnings:?}"
    );
    assert!(
        t.read("public/tags/vietnam/index.html")
            .contains(">Vietnam<a class=\"heading-anchor\"")
    );
}

#[test]
fn a_path_only_base_url_leaves_out_what_needs_an_absolute_url_and_warns_once() {
    let (t, summary) = built("/repo/");
    let warnings: Vec<String> = summary
        .produced
        .warnings
        .iter()
        .map(|w| w.to_string())
        .collect();
    let base_warnings = warnings
        .iter()
        .filter(|w| w.contains("is a path, not an absolute URL"))
        .count();
    assert_eq!(base_warnings, 1, "{warnings:?}");
    assert!(
        !t.exists("public/sitemap.xml"),
        "a sitemap of relative URLs"
    );
    let robots = t.read("public/robots.txt");
    assert!(!robots.contains("Sitemap:"), "{robots}");
    for (path, html) in pages(&t) {
        assert!(
            !html.contains("rel=\"canonical\""),
            "{path}: relative canonical"
        );
        assert!(!html.contains("og:url"), "{path}: relative og:url");
    }
    // `--base-url` with an absolute URL: all of them, absolute.
    let (t, summary) = built(BASE);
    assert!(
        !summary
            .produced
            .warnings
            .iter()
            .any(|w| w.to_string().contains("not an absolute URL"))
    );
    let sitemap = t.read("public/sitemap.xml");
    let locs: Vec<&str> = sitemap
        .split("<loc>")
        .skip(1)
        .map(|s| &s[..s.find("</loc>").unwrap()])
        .collect();
    assert!(
        locs.len() >= 25 && locs.iter().all(|l| l.starts_with(BASE)),
        "{locs:?}"
    );
    assert!(
        t.read("public/robots.txt")
            .contains(&format!("Sitemap: {BASE}sitemap.xml"))
    );
    let economy = t.read("public/topics/economy/index.html");
    assert!(economy.contains(&format!(
        "<link rel=\"canonical\" href=\"{BASE}topics/economy/\">"
    )));
    assert!(economy.contains(&format!(
        "<meta property=\"og:url\" content=\"{BASE}topics/economy/\">"
    )));
}

fn json_ld(path: &str, html: &str) -> Value {
    let open = "<script type=\"application/ld+json\">";
    let i = html
        .find(open)
        .unwrap_or_else(|| panic!("{path}: no JSON-LD"))
        + open.len();
    let text = &html[i..i + html[i..].find("</script>").unwrap()];
    assert!(
        !text.contains('<') && !text.contains('&'),
        "{path}: unescaped JSON-LD"
    );
    serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("{path}: JSON-LD is not JSON: {e}\n{text}"))
}

#[test]
fn json_ld_gives_the_website_on_the_home_page_and_articles_with_breadcrumbs() {
    let (t, _) = built(BASE);
    let home = json_ld("index.html", &t.read("public/index.html"));
    assert_eq!(home["@type"], "WebSite");
    assert_eq!(home["url"], BASE);
    assert_eq!(home["name"], "AMM-51: Resilience and Innovation");
    let graph = json_ld(
        "topics/economy/",
        &t.read("public/topics/economy/index.html"),
    );
    assert_eq!(graph["@context"], "https://schema.org");
    let (economy, trail) = (&graph["@graph"][0], &graph["@graph"][1]);
    assert_eq!(economy["@type"], "Article");
    assert_eq!(trail["@type"], "BreadcrumbList");
    assert_eq!(economy["headline"], "Trade and the economic agenda");
    assert_eq!(economy["url"], format!("{BASE}topics/economy/"));
    let crumbs = trail["itemListElement"].as_array().unwrap();
    let names: Vec<&str> = crumbs.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "AMM-51: Resilience and Innovation",
            "Topics",
            "Trade and the economic agenda"
        ]
    );
    assert_eq!(crumbs[1]["item"], format!("{BASE}topics/"));
    assert_eq!(crumbs[2]["position"], 3);
    for (path, html) in pages(&t) {
        if path.starts_with("tags/") || path == "404.html" {
            continue;
        }
        json_ld(&path, &html);
    }
    // A title that tries to close the script stays inside it, as the same JSON value.
    let p = "content/about.md";
    t.write(
        p,
        &t.read(p).replace(
            "title: \"About this site\"",
            "title: \"About </script><script>alert(1)</script> & more\"",
        ),
    );
    t.build_with(|o| o.base_url = Some(BASE.into())).unwrap();
    let about = json_ld("about/", &t.read("public/about/index.html"));
    assert_eq!(
        about["@graph"][0]["headline"],
        "About </script><script>alert(1)</script> & more"
    );
}

#[test]
fn build_inputs_in_content_are_not_published_unless_site_yaml_asks() {
    let (t, _) = built(BASE);
    assert!(
        !t.exists("public/glossary.yaml"),
        "the glossary's data file is published"
    );
    assert!(
        t.exists("public/source/amm51-report.txt"),
        "the report's text is not published"
    );
    let source = t.read("public/source/index.html");
    assert!(
        source.contains("source/amm51-report.txt\""),
        "the source page does not link the text"
    );
    // Without `publish:` the report's text is an input only, and the link to it is broken.
    let yaml = t.read("site.yaml");
    let without: String = yaml
        .lines()
        .filter(|l| !l.starts_with("publish:"))
        .map(|l| format!("{l}\n"))
        .collect();
    t.write("site.yaml", &without);
    let err = match t.build_with(|o| o.base_url = Some(BASE.into())) {
        Ok(_) => panic!("a link to an unpublished input built"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("content/source/_index.md") && err.contains("amm51-report.txt"),
        "{err}"
    );
}

fn report() -> String {
    std::fs::read_to_string(repo_root().join("content/source/amm51-report.txt")).unwrap()
}

#[test]
fn the_key_figures_data_file_is_traced_to_the_report_line_by_line() {
    let report = report();
    let lines: Vec<&str> = report.lines().collect();
    let text = std::fs::read_to_string(repo_root().join("data/key_figures.yaml")).unwrap();
    let data: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let glance = data["glance"].as_sequence().unwrap();
    assert!(glance.len() >= 3);
    for f in glance {
        let line = f["line"].as_u64().unwrap() as usize;
        let words = f["report"].as_str().unwrap();
        let value = f["value"].as_str().unwrap();
        assert!(
            lines[line - 1].contains(words),
            "line {line} of the report lacks {words:?}"
        );
        assert!(words.contains(value), "{value:?} is not in {words:?}");
    }
    let (t, _) = built(BASE);
    let home = t.read("public/index.html");
    for f in glance {
        assert!(home.contains(&format!(
            "<dd class=\"glance-value\">{}</dd>",
            f["value"].as_str().unwrap()
        )));
    }
}

#[test]
fn background_is_marked_and_every_number_in_the_text_is_the_reports_or_a_line() {
    let (t, _) = built(BASE);
    let report = report();
    let numbers_of = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_ascii_digit())
            .filter(|n| !n.is_empty())
            .map(String::from)
            .collect()
    };
    let in_report = numbers_of(&report);
    for (path, html) in pages(&t) {
        let main = main_of(&html);
        // The prose (the Markdown text) and the home page's figures; the chrome's counts
        // (reading time, tag counts) are about the site, not the meeting.
        let mut text = String::new();
        for part in main.split("<div class=\"prose\">").skip(1) {
            text.push_str(&part[..part.find("\n</div>\n</article>").unwrap_or(part.len())]);
        }
        if let Some(i) = main.find("<dl class=\"glance-list\">") {
            text.push_str(&main[i..i + main[i..].find("</dl>").unwrap()]);
        }
        // Tags and attributes are not read (ids such as `fn-1`, URLs).
        let plain = crate::support::without_tags(&text);
        for n in numbers_of(&plain) {
            let line_ref = path == "source/index.html"
                && n.parse::<usize>()
                    .is_ok_and(|l| l <= report.lines().count());
            let glance_line = plain.contains(&format!("Report, line {n}"));
            assert!(
                in_report.contains(&n) || line_ref || glance_line,
                "{path}: the number {n} is not in the report"
            );
        }
    }
    let economy = t.read("public/topics/economy/index.html");
    assert!(
        economy
            .matches("<aside class=\"background\" aria-label=\"Background, not from the report\">")
            .count()
            >= 3,
        "the RCEP, CPTPP and EU definitions are not marked as background"
    );
    let glossary = t.read("public/glossary/index.html");
    assert!(glossary.contains("<dd class=\"background\"><span class=\"background-label\">Background, not from the source:</span> A free trade agreement among countries around the Pacific.</dd>"));
    let about = t.read("public/about/index.html");
    assert!(
        about.contains("Background, not from the report"),
        "the About page does not explain the convention"
    );
}
