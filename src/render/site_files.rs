//! The files a site gets besides its pages: the sitemap (an index of sitemaps past 50,000
//! URLs), the Atom feed, robots.txt, the
//! redirects that `aliases` ask for, `.nojekyll` and `navigation.json` (the whole tree, for
//! themes that want it). Each is a plain function of the linked site; `render` adds them to the
//! output like any page.

use super::Input;
use super::context::Urls;
use super::paginate::pager_url;
use crate::link::{NodeId, ROOT, Site};
use crate::markdown::escape_attr;
use serde::Serialize;

/// Files that render writes itself, besides pages.
pub const GENERATED: &[&str] = &[
    "sitemap.xml",
    "atom.xml",
    "robots.txt",
    ".nojekyll",
    "navigation.json",
];

pub fn navigation_json(site: &Site, urls: &Urls) -> String {
    #[derive(Serialize)]
    struct Item<'a> {
        title: &'a str,
        url: &'a str,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        children: Vec<Item<'a>>,
    }
    fn walk<'a>(site: &'a Site, urls: &'a Urls, id: NodeId) -> Item<'a> {
        Item {
            title: &site.nodes[id].title,
            url: &urls.url[id],
            children: site.nodes[id]
                .children
                .iter()
                .map(|&c| walk(site, urls, c))
                .collect(),
        }
    }
    serde_json::to_string(&walk(site, urls, ROOT)).unwrap_or_default()
}

/// A small page that sends readers (and search engines) to the new URL; the canonical link
/// only with an absolute URL (`permalink` is `None` for a path-only base URL).
pub fn redirect_html(lang: &str, to: &str, permalink: Option<&str>) -> String {
    let to = escape_attr(to);
    let canon = permalink
        .map(|p| format!("<link rel=\"canonical\" href=\"{}\">\n", escape_attr(p)))
        .unwrap_or_default();
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>Redirecting to {to}</title>\n{canon}<meta name=\"robots\" content=\"noindex\">\n<meta http-equiv=\"refresh\" content=\"0; url={to}\">\n</head>\n<body>\n<p>This page has moved to <a href=\"{to}\">{to}</a>.</p>\n</body>\n</html>\n",
        lang = escape_attr(lang),
    )
}

pub fn xml_escape(s: &str) -> String {
    escape_attr(s)
}

/// The most URLs one sitemap file may list (the protocol's limit); past it `sitemap.xml`
/// becomes an index of `sitemap-1.xml`, `sitemap-2.xml`... (issue 17).
pub const SITEMAP_MAX_URLS: usize = 50_000;

/// The sitemap files: `sitemap.xml` alone, or the index and its parts. Every page, every pager
/// of a paginated listing but the first's redirect, the tag list and every tag's pagers.
pub fn sitemaps(input: &Input, urls: &Urls) -> Vec<(String, String)> {
    let mut entries: Vec<String> = Vec::new();
    let url_entry = |url: &str| {
        format!(
            "  <url>\n    <loc>{}</loc>\n  </url>\n",
            xml_escape(&urls.permalink(url))
        )
    };
    for &id in &input.site.order {
        let node = &input.site.nodes[id];
        let front = node.doc.map(|i| &input.content.docs[i].front);
        let mut s = String::from("  <url>\n    <loc>");
        s.push_str(&xml_escape(&urls.permalink(&urls.url[id])));
        s.push_str("</loc>\n");
        if let Some(d) = front.and_then(|f| f.updated.as_deref().or(f.date.as_deref())) {
            s.push_str(&format!("    <lastmod>{d}</lastmod>\n"));
        }
        s.push_str(&super::i18n::sitemap_alternates(input.site, urls, id));
        s.push_str("  </url>\n");
        entries.push(s);
        for n in 2..=super::pagers_of_node(input, id) {
            entries.push(url_entry(&pager_url(&urls.url[id], n)));
        }
    }
    if !input.site.tags.is_empty() {
        for prefix in super::i18n::tag_prefixes(input.site) {
            entries.push(url_entry(&format!(
                "{}{prefix}tags/",
                input.config.base_path
            )));
        }
        for (t, u) in urls.tag_url.iter_enumerated() {
            for n in 1..=super::pagers_of_term(input, t) {
                entries.push(url_entry(&pager_url(u, n)));
            }
        }
    }
    split_sitemap(&entries, SITEMAP_MAX_URLS, |name| {
        urls.permalink(&format!("{}{name}", input.config.base_path))
    })
}

/// How many URLs [`sitemaps`] lists.
pub fn sitemap_len(input: &Input) -> usize {
    let site = input.site;
    let nodes: usize = site
        .order
        .iter()
        .map(|&id| super::pagers_of_node(input, id))
        .sum();
    let tags: usize = if site.tags.is_empty() {
        0
    } else {
        super::i18n::tag_prefixes(site).count()
            + site
                .tags
                .ids()
                .map(|t| super::pagers_of_term(input, t))
                .sum::<usize>()
    };
    nodes + tags
}

/// How many files [`sitemaps`] makes for `urls` URLs: 1, or the index and its parts.
pub fn sitemap_files(urls: usize, max: usize) -> Vec<String> {
    if urls <= max {
        return vec!["sitemap.xml".into()];
    }
    std::iter::once("sitemap.xml".to_string())
        .chain((1..=urls.div_ceil(max)).map(|i| format!("sitemap-{i}.xml")))
        .collect()
}

/// `sitemap.xml` with every entry, or, past `max` entries, `sitemap.xml` as an index of
/// sitemaps of at most `max` entries each; `loc` makes a file name absolute.
pub fn split_sitemap(
    entries: &[String],
    max: usize,
    loc: impl Fn(&str) -> String,
) -> Vec<(String, String)> {
    const HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    let urlset = |part: &[String]| {
        // Translations are listed with each URL (issue 20), in XHTML's namespace.
        let xhtml = if part.iter().any(|e| e.contains("<xhtml:link ")) {
            " xmlns:xhtml=\"http://www.w3.org/1999/xhtml\""
        } else {
            ""
        };
        let mut s = format!(
            "{HEAD}<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"{xhtml}>\n"
        );
        for e in part {
            s.push_str(e);
        }
        s.push_str("</urlset>\n");
        s
    };
    if entries.len() <= max {
        return vec![("sitemap.xml".into(), urlset(entries))];
    }
    let mut index =
        format!("{HEAD}<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    let mut files = Vec::new();
    for (i, part) in entries.chunks(max.max(1)).enumerate() {
        let name = format!("sitemap-{}.xml", i + 1);
        index.push_str(&format!(
            "  <sitemap>\n    <loc>{}</loc>\n  </sitemap>\n",
            xml_escape(&loc(&name))
        ));
        files.push((name, urlset(part)));
    }
    index.push_str("</sitemapindex>\n");
    files.insert(0, ("sitemap.xml".into(), index));
    files
}

/// The Atom feed of language `lang` (0, the default, or the only one): its dated pages.
pub fn atom(input: &Input, urls: &Urls, lang: usize) -> String {
    let config = input.config;
    let view = &urls.langs[lang];
    let mut dated: Vec<(NodeId, &str)> = input
        .site
        .order
        .iter()
        .filter(|&&id| input.site.lang_of(id) == lang)
        .filter_map(|&id| {
            let n = &input.site.nodes[id];
            let f = &input.content.docs[n.doc?].front;
            Some((id, f.date.as_deref()?))
        })
        .collect();
    dated.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(&b.0)));
    let updated_of = |id: NodeId| {
        let f = &input.content.docs[input.site.nodes[id].doc.expect("dated pages have docs")].front;
        f.updated
            .clone()
            .or_else(|| f.date.clone())
            .unwrap_or_default()
    };
    let feed_updated = dated
        .iter()
        .map(|&(id, _)| updated_of(id))
        .max()
        .unwrap_or_else(|| "1970-01-01".into());
    let author = config.author.as_deref().unwrap_or(&config.title);
    let home = urls.permalink(&view.home);
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{lang}\">\n  <title>{title}</title>\n{subtitle}  <link rel=\"self\" type=\"application/atom+xml\" href=\"{self_}\"/>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{home}\"/>\n  <id>{home}</id>\n  <updated>{feed_updated}T00:00:00Z</updated>\n  <author><name>{author}</name></author>\n  <generator uri=\"https://crates.io/crates/mekong\">mekong</generator>\n",
        lang = xml_escape(&view.code),
        title = xml_escape(&view.title),
        subtitle = view
            .description
            .as_deref()
            .map(|d| format!("  <subtitle>{}</subtitle>\n", xml_escape(d)))
            .unwrap_or_default(),
        self_ = xml_escape(&urls.permalink(&view.feed)),
        home = xml_escape(&home),
        author = xml_escape(author),
    );
    for (id, date) in dated {
        let n = &input.site.nodes[id];
        let link = xml_escape(&urls.permalink(&urls.url[id]));
        let summary = input.rendered[id]
            .as_ref()
            .map(|r| r.summary.as_str())
            .unwrap_or("");
        s.push_str(&format!(
            "  <entry>\n    <title>{title}</title>\n    <link rel=\"alternate\" type=\"text/html\" href=\"{link}\"/>\n    <id>{link}</id>\n    <published>{date}T00:00:00Z</published>\n    <updated>{upd}T00:00:00Z</updated>\n    <summary type=\"html\">{summary}</summary>\n  </entry>\n",
            title = xml_escape(&n.title),
            upd = updated_of(id),
            summary = xml_escape(summary),
        ));
    }
    s.push_str("</feed>\n");
    s
}

/// robots.txt: everything may be crawled; the sitemap is named when there is one (an
/// absolute base URL: the `Sitemap:` line must be an absolute URL, and so must the sitemap's).
pub fn robots(urls: &Urls) -> String {
    let mut s = String::from("User-agent: *\nAllow: /\n");
    if !urls.origin.is_empty() {
        s.push_str(&format!(
            "Sitemap: {}sitemap.xml\n",
            urls.permalink(&urls.url[ROOT])
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| format!("  <url>\n    <loc>https://x.org/p{i}/</loc>\n  </url>\n"))
            .collect()
    }

    #[test]
    fn sitemap_stays_one_file_up_to_the_limit() {
        let files = split_sitemap(&entries(3), 3, |n| format!("https://x.org/{n}"));
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0, "sitemap.xml");
        assert!(files[0].1.contains("<urlset") && files[0].1.contains("/p2/"));
        assert_eq!(sitemap_files(3, 3), vec!["sitemap.xml"]);
    }

    #[test]
    fn sitemap_becomes_an_index_past_the_limit() {
        let files = split_sitemap(&entries(7), 3, |n| format!("https://x.org/repo/{n}"));
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "sitemap.xml",
                "sitemap-1.xml",
                "sitemap-2.xml",
                "sitemap-3.xml"
            ]
        );
        assert_eq!(sitemap_files(7, 3), names);
        let index = &files[0].1;
        assert!(
            index.contains("<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">")
        );
        for i in 1..=3 {
            assert!(index.contains(&format!("<loc>https://x.org/repo/sitemap-{i}.xml</loc>")));
        }
        // Every URL once, in order, at most 3 a file.
        let all: String = files[1..].iter().map(|(_, t)| t.as_str()).collect();
        for i in 0..7 {
            assert_eq!(all.matches(&format!("/p{i}/<")).count(), 1, "p{i}");
        }
        assert!(
            files[1..]
                .iter()
                .all(|(_, t)| t.matches("<url>").count() <= 3)
        );
        assert_eq!(files[3].1.matches("<url>").count(), 1);
    }
}
