//! What templates see: borrowed views of pages and sections, the pruned navigation,
//! breadcrumbs and prev/next ("the chrome"), and the per-node URLs they share.
//!
//! Views borrow from the stages before render, as Zola's `SerializingPage` does, so a page's
//! Tera context holds little of its own. The navigation of a page shows its ancestors and
//! their children, each level cut to the `nav_siblings` entries nearest the path (with a link
//! to the section's full listing), so a page's size does not grow with the site; the whole
//! tree goes once into `navigation.json` (`site_files`).

use super::Input;
use crate::ids::IdVec;
use crate::link::{NodeId, ROOT, Site, TagId};
use crate::load::Kind;
use crate::markdown::TocEntry;
use serde::Serialize;
use std::collections::HashMap;

/// A page or section as templates see it.
#[derive(Serialize)]
pub struct DocView<'a> {
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub url: &'a str,
    pub permalink: String,
    pub path: String,
    pub content: &'a str,
    pub summary: &'a str,
    pub toc: &'a [TocEntry],
    pub show_toc: bool,
    /// Front matter does not say `toc: false`: a template that adds h2s of its own (listings)
    /// shows the table of contents when they and the Markdown h2s make two or more (issue 19).
    pub toc_enabled: bool,
    pub word_count: usize,
    pub reading_time: usize,
    pub date: Option<&'a str>,
    pub updated: Option<&'a str>,
    /// The date of the last commit that changed the page (`last_updated: git`), issue 13.
    pub last_updated: Option<&'a str>,
    /// Where the page's source can be edited (`edit_url`), issue 13.
    pub edit_url: Option<String>,
    pub tags: Vec<LinkView<'a>>,
    pub weight: Option<i64>,
    pub extra: &'a serde_yaml::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages: Option<&'a [SummaryView<'a>]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subsections: Option<&'a [SubsectionView<'a>]>,
}

#[derive(Serialize, Clone)]
pub struct LinkView<'a> {
    #[serde(rename = "name")]
    pub title: &'a str,
    pub url: &'a str,
}

#[derive(Serialize)]
pub struct TitleUrl<'a> {
    pub title: &'a str,
    pub url: &'a str,
}

#[derive(Serialize)]
pub struct SubsectionView<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub description: Option<&'a str>,
}

#[derive(Serialize)]
pub struct SummaryView<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub description: Option<&'a str>,
    pub date: Option<&'a str>,
    pub summary: &'a str,
    pub reading_time: usize,
    pub word_count: usize,
}

#[derive(Serialize)]
pub struct NavItem<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub is_section: bool,
    pub current: bool,
    pub active: bool,
    pub children: Vec<NavItem<'a>>,
    /// Set when `children` is shortened: the link to the section's full listing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub more: Option<NavMore<'a>>,
}

/// The end of a shortened level of the sidebar: the section whose listing has every entry.
#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct NavMore<'a> {
    pub title: &'a str,
    pub url: &'a str,
    /// Entries of the level, and how many of them the sidebar shows.
    pub total: usize,
    pub shown: usize,
}

#[derive(Serialize)]
pub struct TermView<'a> {
    pub name: &'a str,
    pub url: &'a str,
    pub count: usize,
}

#[derive(Serialize)]
pub struct TermPageView<'a> {
    pub name: &'a str,
    pub url: &'a str,
    pub pages: &'a [SummaryView<'a>],
}

/// Precomputed per-node strings, shared by every page's context.
pub struct Urls {
    /// `base_path` + node path.
    pub url: IdVec<NodeId, String>,
    pub tag_url: IdVec<TagId, String>,
    /// The tag list and the 404 page.
    pub tags_url: String,
    pub not_found_url: String,
    pub origin: String,
    /// `nav_siblings` of site.yaml.
    pub nav_siblings: usize,
    /// Each language (the default first; one on a single-language site), issue 20.
    pub langs: Vec<super::i18n::LangView>,
    /// The glossary entries of each language that has its own (issue 20), by language.
    pub glossaries: Vec<Option<Vec<crate::config::GlossaryEntry>>>,
}

impl Urls {
    pub fn new(input: &Input) -> Urls {
        let (config, site) = (input.config, input.site);
        Urls {
            url: site
                .nodes
                .iter()
                .map(|n| format!("{}{}", config.base_path, n.path))
                .collect(),
            tag_url: site
                .tags
                .iter()
                .map(|t| format!("{}{}tags/{}/", config.base_path, t.prefix, t.slug))
                .collect(),
            tags_url: format!("{}tags/", config.base_path),
            not_found_url: format!("{}404.html", config.base_path),
            origin: config
                .base_url
                .strip_suffix(config.base_path.as_str())
                .unwrap_or("")
                .to_string(),
            nav_siblings: config.nav_siblings,
            langs: super::i18n::lang_views(config),
            glossaries: super::i18n::own_glossaries(config),
        }
    }

    /// The base path: the default language's home.
    pub fn base_path(&self) -> &str {
        &self.langs[0].home
    }

    pub fn permalink(&self, url: &str) -> String {
        format!("{}{}", self.origin, url)
    }
}

pub fn reading_time(words: usize) -> usize {
    words.div_ceil(200).max(1)
}

pub fn summary_view<'a>(id: NodeId, input: &Input<'a>, urls: &'a Urls) -> SummaryView<'a> {
    let node = &input.site.nodes[id];
    let front = node.doc.map(|i| &input.content.docs[i].front);
    let md = input.rendered[id].as_ref();
    SummaryView {
        title: &node.title,
        url: &urls.url[id],
        description: front.and_then(|f| f.description.as_deref()),
        date: front.and_then(|f| f.date.as_deref()),
        summary: md.map(|m| m.summary.as_str()).unwrap_or(""),
        reading_time: reading_time(md.map_or(0, |m| m.word_count)),
        word_count: md.map_or(0, |m| m.word_count),
    }
}

/// Navigation, breadcrumbs and prev/next: what every page's chrome needs.
pub fn insert_chrome(
    ctx: &mut tera::Context,
    site: &Site,
    urls: &Urls,
    current: Option<NodeId>,
    here: &str,
) {
    ctx.insert("current_url", here);
    ctx.insert("current_permalink", &urls.permalink(here));
    super::i18n::insert(ctx, site, urls, current, here);
    // The navigation of the page's own language tree (issue 20).
    let root = site.langs.as_ref().map_or(ROOT, |l| {
        let lang = match current {
            Some(id) => l.lang_of(site, id),
            None => l.lang_of_path(here.strip_prefix(urls.base_path()).unwrap_or(here)),
        };
        l.roots[lang]
    });
    let path: Vec<NodeId> = match current {
        Some(id) => {
            let mut p = site.ancestors(id);
            p.push(id);
            p
        }
        None => vec![root],
    };
    let (nav, more) = nav_level(site, urls, root, &path, current);
    ctx.insert("nav", &nav);
    ctx.insert("nav_more", &more);
    let crumbs: Vec<TitleUrl> = match current {
        Some(id) => site
            .ancestors(id)
            .into_iter()
            .map(|a| TitleUrl {
                title: &site.nodes[a].title,
                url: &urls.url[a],
            })
            .collect(),
        None => Vec::new(),
    };
    ctx.insert("breadcrumbs", &crumbs);
    let link = |n: Option<NodeId>| {
        n.map(|n| TitleUrl {
            title: &site.nodes[n].title,
            url: &urls.url[n],
        })
    };
    ctx.insert("prev", &current.and_then(|c| link(site.nodes[c].prev)));
    ctx.insert("next", &current.and_then(|c| link(site.nodes[c].next)));
}

/// The children of `section`, with those on `path` expanded, each level shortened to the
/// `siblings` entries nearest the one on the path (issue 17): then the level also returns the
/// link to the section's full listing.
pub fn nav_level<'a>(
    site: &'a Site,
    urls: &'a Urls,
    section: NodeId,
    path: &[NodeId],
    current: Option<NodeId>,
) -> (Vec<NavItem<'a>>, Option<NavMore<'a>>) {
    let siblings = urls.nav_siblings;
    let kids = &site.nodes[section].children;
    let on_path = kids.iter().position(|c| path.contains(c));
    let shown = window(kids.len(), on_path, siblings);
    let more = (shown.len() < kids.len()).then(|| NavMore {
        title: &site.nodes[section].title,
        url: &urls.url[section],
        total: kids.len(),
        shown: shown.len(),
    });
    let items = kids[shown]
        .iter()
        .map(|&c| {
            let node = &site.nodes[c];
            let on_path = path.contains(&c);
            let (children, more) = if on_path && node.kind == Kind::Section {
                nav_level(site, urls, c, path, current)
            } else {
                (Vec::new(), None)
            };
            NavItem {
                title: &node.title,
                url: &urls.url[c],
                is_section: node.kind == Kind::Section,
                current: current == Some(c),
                active: on_path && current != Some(c),
                children,
                more,
            }
        })
        .collect();
    (items, more)
}

/// The range of at most `n` entries out of `len` centred on `at` (the start without it).
pub fn window(len: usize, at: Option<usize>, n: usize) -> std::ops::Range<usize> {
    if len <= n {
        return 0..len;
    }
    let n = n.max(1);
    let start = at.map_or(0, |a| a.saturating_sub((n - 1) / 2).min(len - n));
    start..start + n
}

/// Page summaries for `get_page`, keyed by content path.
pub fn page_index(input: &Input) -> HashMap<String, tera::Value> {
    let urls_struct = Urls::new(input);
    input
        .site
        .by_rel
        .iter()
        .map(|(rel, &id)| {
            (
                rel.clone(),
                tera::Value::from_serializable(&summary_view(id, input, &urls_struct)),
            )
        })
        .collect()
}

/// A path for a URL: `/` kept, everything but unreserved characters percent-encoded.
pub(super) fn url_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::window;

    #[test]
    fn window_keeps_short_levels_whole() {
        assert_eq!(window(5, Some(2), 20), 0..5);
        assert_eq!(window(20, None, 20), 0..20);
    }

    #[test]
    fn window_centres_on_the_page_and_stays_inside() {
        assert_eq!(window(100, Some(50), 5), 48..53);
        assert_eq!(window(100, Some(0), 5), 0..5);
        assert_eq!(window(100, Some(1), 4), 0..4);
        assert_eq!(window(100, Some(99), 5), 95..100);
        assert_eq!(window(100, None, 5), 0..5);
        assert!(window(100, Some(42), 6).contains(&42));
    }
}
