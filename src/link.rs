//! URLs, slugs, the section tree, reading order, tags and aliases.
//!
//! Link turns the flat list of loaded [`Doc`]s into a [`Site`]: one [`Node`] per page and per
//! section (a folder without `_index.md` still gets a section node), each with its URL path,
//! parent, ordered children and place in the reading order. It refuses slugs and aliases that
//! would leave the output folder and two sources that map to the same URL. It does not read
//! Markdown bodies: rewriting links inside them is `markdown`'s job, using [`Site::resolve`].

use crate::error::Diagnostic;
use crate::load::{Content, Doc, Kind, SortBy};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::ids::{IdVec, id_type};
use crate::load::DocId;

mod bundles;
pub mod i18n;
mod paths;
mod tags;
use bundles::bundle_dirs;
pub use paths::push_segments;
pub use tags::tag_spelling_warnings;

id_type!(
    /// A node of the section tree: a page, or a section (with or without `_index.md`).
    NodeId
);
id_type!(
    /// A tag of [`Site::tags`].
    TagId
);

/// A page or a section, placed in the tree.
#[derive(Debug, Clone)]
pub struct Node {
    /// The document; `None` for a folder without `_index.md`.
    pub doc: Option<DocId>,
    pub kind: Kind,
    pub title: String,
    /// The URL path below the base path: `` for the home page, `topics/trade/` otherwise.
    pub path: String,
    pub parent: Option<NodeId>,
    /// For sections: pages and subsections, in the section's order.
    pub children: Vec<NodeId>,
    pub prev: Option<NodeId>,
    pub next: Option<NodeId>,
    pub tags: Vec<TagId>,
}

/// A tag and the pages that carry it, in reading order.
#[derive(Debug, Clone)]
pub struct Tag {
    pub name: String,
    pub slug: String,
    /// The folder of the tag pages' language: `` (the default) or `fr/` (issue 20).
    pub prefix: String,
    pub pages: Vec<NodeId>,
}

/// An old URL that redirects to a node.
#[derive(Debug, Clone)]
pub struct Alias {
    /// Output file path, e.g. `old/page/index.html`.
    pub file: String,
    pub to: NodeId,
}

/// A content file copied beside its section.
#[derive(Debug, Clone)]
pub struct PlacedAsset {
    /// Path relative to `content/`.
    pub rel: String,
    /// Output path relative to the output root.
    pub out: String,
    pub abs: PathBuf,
}

/// The linked site: the section tree over the loaded docs.
#[derive(Debug, Clone, Default)]
pub struct Site {
    pub nodes: IdVec<NodeId, Node>,
    /// Reading order: depth-first through sections, each section before its children.
    pub order: Vec<NodeId>,
    /// Source path relative to `content/` (`a/b.md`, `a/_index.md`) to node.
    pub by_rel: HashMap<String, NodeId>,
    pub tags: IdVec<TagId, Tag>,
    pub aliases: Vec<Alias>,
    /// Content assets by path relative to `content/`.
    pub assets: BTreeMap<String, PlacedAsset>,
    /// A multilingual site's languages and which pages translate which (issue 20).
    pub langs: Option<i18n::Langs>,
}

/// The home page: the root section, always node 0.
pub const ROOT: NodeId = NodeId::ROOT;

impl NodeId {
    const ROOT: NodeId = NodeId(0);
}

impl Site {
    /// The output file of a node: `index.html` or `topics/trade/index.html`.
    pub fn file(&self, id: NodeId) -> String {
        format!("{}index.html", self.nodes[id].path)
    }

    /// Ancestors from the root down to the parent of `id`.
    pub fn ancestors(&self, id: NodeId) -> Vec<NodeId> {
        let mut chain = Vec::new();
        let mut cur = self.nodes[id].parent;
        while let Some(p) = cur {
            chain.push(p);
            cur = self.nodes[p].parent;
        }
        chain.reverse();
        chain
    }

    /// Resolves a link written in `from` (a path relative to `content/`) to a source file:
    /// `@/a/b.md`, `../b.md`, `b.md` or a folder `b/`. Returns the normalized content path.
    pub fn resolve_path(from: &str, target: &str) -> Option<String> {
        let (base, rest): (Vec<&str>, &str) = if let Some(rest) = target.strip_prefix("@/") {
            (Vec::new(), rest)
        } else if target.starts_with('/') {
            return None;
        } else {
            let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
            (dir.split('/').filter(|s| !s.is_empty()).collect(), target)
        };
        let mut parts = base;
        push_segments(&mut parts, rest)?;
        Some(parts.join("/"))
    }

    /// The node for a content path, accepting a folder for its `_index.md`.
    pub fn node_for(&self, rel: &str) -> Option<NodeId> {
        if let Some(&id) = self.by_rel.get(rel) {
            return Some(id);
        }
        let dir_index = if rel.is_empty() {
            "_index.md".to_string()
        } else {
            format!("{}/_index.md", rel.trim_end_matches('/'))
        };
        self.by_rel.get(&dir_index).copied().or_else(|| {
            // A page bundle's folder is its page (issue 18).
            let bundle = format!("{}/index.md", rel.trim_end_matches('/'));
            self.by_rel.get(&bundle).copied()
        })
    }
}

/// Builds the tree. Every problem is returned; the site is as complete as the input allows.
pub fn link(content: &Content, site_title: &str) -> (Site, Vec<Diagnostic>) {
    let mut errors = Vec::new();
    let mut site = Site::default();

    // Page bundles (issue 18): `dir/index.md`, with no other Markdown in or below `dir`, is
    // the page `dir/`, with the folder's other files beside it.
    let bundles = bundle_dirs(content);
    let home_dir = |doc: &Doc| -> String {
        let dir = doc.dir();
        if bundles.contains_key(dir) {
            dir.rsplit_once('/').map_or("", |(p, _)| p).to_string()
        } else {
            dir.to_string()
        }
    };
    // Which folders hold Markdown, at any depth: they are sections.
    let mut section_dirs: BTreeMap<String, Option<DocId>> = BTreeMap::new();
    section_dirs.insert(String::new(), None);
    // Each other language's tree has a home, translated or not (issue 20).
    let lang_root = |dir: &str| content.translated.iter().find(|(c, _)| c == dir);
    for (code, _) in &content.translated {
        section_dirs.insert(code.clone(), None);
    }
    for doc in &content.docs {
        let dir = home_dir(doc);
        let mut d = dir.as_str();
        loop {
            section_dirs.entry(d.to_string()).or_insert(None);
            match d.rsplit_once('/') {
                Some((parent, _)) => d = parent,
                None if !d.is_empty() => d = "",
                None => break,
            }
        }
    }
    for (i, doc) in content.docs.iter_enumerated() {
        if doc.kind == Kind::Section {
            section_dirs.insert(doc.dir().to_string(), Some(i));
        }
    }

    // Sections first, parents before children (BTreeMap order puts `a` before `a/b`).
    let mut section_node: HashMap<String, NodeId> = HashMap::new();
    for (dir, doc) in &section_dirs {
        let parent = if dir.is_empty() || lang_root(dir).is_some() {
            None
        } else {
            let pdir = dir.rsplit_once('/').map_or("", |(p, _)| p);
            section_node.get(pdir).copied()
        };
        let folder = dir.rsplit('/').next().unwrap_or("");
        let title = match doc {
            Some(i) => content.docs[*i].front.title.clone(),
            None if dir.is_empty() => site_title.to_string(),
            None => match lang_root(dir) {
                Some((_, t)) => t.clone(),
                // A section not translated into its language takes the original's title.
                None => dir
                    .split_once('/')
                    .filter(|(code, _)| lang_root(code).is_some())
                    .and_then(|(_, rest)| *section_dirs.get(rest)?)
                    .map_or_else(
                        || title_from_folder(folder),
                        |i| content.docs[i].front.title.clone(),
                    ),
            },
        };
        let path = match parent {
            None if !dir.is_empty() => format!("{dir}/"),
            None => String::new(),
            Some(p) => {
                let seg = segment(doc.map(|i| &content.docs[i]), folder, &mut errors);
                format!("{}{}/", site.nodes[p].path, seg)
            }
        };
        let id = site.nodes.push(Node {
            doc: *doc,
            kind: Kind::Section,
            title,
            path,
            parent,
            children: Vec::new(),
            prev: None,
            next: None,
            tags: Vec::new(),
        });
        if let Some(p) = parent {
            site.nodes[p].children.push(id);
        }
        section_node.insert(dir.clone(), id);
        match doc {
            Some(i) => {
                site.by_rel.insert(content.docs[*i].rel.clone(), id);
            }
            None => {
                let rel = if dir.is_empty() {
                    "_index.md".to_string()
                } else {
                    format!("{dir}/_index.md")
                };
                site.by_rel.insert(rel, id);
            }
        }
    }

    let mut bundle_path: Vec<(String, String)> = Vec::new();
    for (i, doc) in content.docs.iter_enumerated() {
        if doc.kind != Kind::Page {
            continue;
        }
        let parent = section_node[home_dir(doc).as_str()];
        let stem = if bundles.contains_key(doc.dir()) {
            doc.dir().rsplit('/').next().unwrap_or("")
        } else {
            doc.rel
                .rsplit('/')
                .next()
                .unwrap_or("")
                .trim_end_matches(".md")
        };
        let seg = segment(Some(doc), stem, &mut errors);
        let id = site.nodes.push(Node {
            doc: Some(i),
            kind: Kind::Page,
            title: doc.front.title.clone(),
            path: format!("{}{}/", site.nodes[parent].path, seg),
            parent: Some(parent),
            children: Vec::new(),
            prev: None,
            next: None,
            tags: Vec::new(),
        });
        site.nodes[parent].children.push(id);
        site.by_rel.insert(doc.rel.clone(), id);
        if bundles.contains_key(doc.dir()) {
            bundle_path.push((doc.dir().to_string(), site.nodes[id].path.clone()));
        }
    }

    // Order each section's children.
    for id in site.nodes.ids() {
        if site.nodes[id].kind != Kind::Section {
            continue;
        }
        let sort_by = site.nodes[id]
            .doc
            .map(|i| content.docs[i].front.sort_by)
            .unwrap_or_default();
        let mut children = std::mem::take(&mut site.nodes[id].children);
        children.sort_by(|&a, &b| compare(&site.nodes[a], &site.nodes[b], content, sort_by));
        site.nodes[id].children = children;
    }

    // Reading order and prev/next, one tree after the other (each language's, issue 20).
    let roots: Vec<NodeId> = std::iter::once(ROOT)
        .chain(
            content
                .translated
                .iter()
                .map(|(c, _)| section_node[c.as_str()]),
        )
        .collect();
    for root in roots {
        let start = site.order.len();
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            site.order.push(id);
            stack.extend(site.nodes[id].children.iter().rev());
        }
        for i in start + 1..site.order.len() {
            let (a, b) = (site.order[i - 1], site.order[i]);
            site.nodes[a].next = Some(b);
            site.nodes[b].prev = Some(a);
        }
    }

    // Duplicate URLs.
    let mut seen: HashMap<String, NodeId> = HashMap::new();
    for (id, node) in site.nodes.iter_enumerated() {
        if let Some(&other) = seen.get(&node.path) {
            let shown = |n: &Node| {
                n.doc
                    .map(|i| content.docs[i].shown().display().to_string())
                    .unwrap_or_else(|| {
                        format!("the folder content/{}", n.path.trim_end_matches('/'))
                    })
            };
            let mut d = Diagnostic::new(
                node.doc
                    .map(|i| content.docs[i].shown())
                    .unwrap_or_else(|| "content".into()),
                format!(
                    "{} and {} both map to the URL /{}",
                    shown(&site.nodes[other]),
                    shown(node),
                    node.path
                ),
            )
            .hint("rename one of the files or give it another `slug`");
            if let Some(i) = node.doc {
                let line = content.docs[i].front.lines.slug;
                if content.docs[i].front.slug.is_some() {
                    d = d.at_line(line);
                }
            }
            errors.push(d);
        } else {
            seen.insert(node.path.clone(), id);
        }
    }

    // Tags, in reading order; each language has its own (issue 20).
    site.langs = i18n::langs(&site, content);
    let mut tag_index: BTreeMap<(usize, String), TagId> = BTreeMap::new();
    for &id in &site.order {
        let Some(i) = site.nodes[id].doc else {
            continue;
        };
        let doc = &content.docs[i];
        let lang = site.lang_of(id);
        let prefix = match &site.langs {
            Some(l) if lang > 0 => format!("{}/", l.codes[lang]),
            _ => String::new(),
        };
        for name in &doc.front.tags {
            let slug = slug::slugify(name);
            if slug.is_empty() {
                errors.push(
                    Diagnostic::new(
                        doc.shown(),
                        format!("tag `{name}` has no letters or digits to make a URL from"),
                    )
                    .hint("use a tag with letters or digits"),
                );
                continue;
            }
            let t = *tag_index.entry((lang, slug.clone())).or_insert_with(|| {
                site.tags.push(Tag {
                    name: name.clone(),
                    slug,
                    prefix: prefix.clone(),
                    pages: Vec::new(),
                })
            });
            if !site.tags[t].pages.contains(&id) {
                site.tags[t].pages.push(id);
                site.nodes[id].tags.push(t);
            }
        }
    }

    // Aliases.
    let mut alias_files: HashMap<String, NodeId> = HashMap::new();
    for (id, node) in site.nodes.iter_enumerated() {
        let Some(i) = node.doc else { continue };
        let doc = &content.docs[i];
        for alias in &doc.front.aliases {
            match alias_file(alias) {
                Ok(file) => {
                    let page_file = file.strip_suffix("index.html").unwrap_or("\u{0}");
                    if seen.contains_key(page_file) || alias_files.contains_key(&file) {
                        errors.push(
                            Diagnostic::new(
                                doc.shown(),
                                format!("alias `{alias}` is already the URL of another page"),
                            )
                            .at_line(doc.front.lines.aliases)
                            .hint("remove the alias or change it"),
                        );
                    } else {
                        alias_files.insert(file.clone(), id);
                        site.aliases.push(Alias { file, to: id });
                    }
                }
                Err(why) => errors.push(
                    Diagnostic::new(doc.shown(), why)
                        .at_line(doc.front.lines.aliases)
                        .hint("write aliases as paths inside the site, such as `/old/page/`"),
                ),
            }
        }
    }

    // Content assets go beside their section.
    for asset in &content.assets {
        let (dir, name) = asset.rel.rsplit_once('/').unwrap_or(("", &asset.rel));
        // In a bundle (or a folder below one), under the bundle page's URL.
        let in_bundle = bundle_path.iter().find_map(|(b, path)| {
            let below = dir.strip_prefix(b.as_str())?;
            (below.is_empty() || below.starts_with('/'))
                .then(|| format!("{path}{}", below.trim_start_matches('/')))
        });
        let base = in_bundle
            .map(|p| {
                if p.ends_with('/') || p.is_empty() {
                    p
                } else {
                    format!("{p}/")
                }
            })
            .or_else(|| section_node.get(dir).map(|&s| site.nodes[s].path.clone()))
            .unwrap_or_else(|| {
                if dir.is_empty() {
                    String::new()
                } else {
                    format!("{dir}/")
                }
            });
        site.assets.insert(
            asset.rel.clone(),
            PlacedAsset {
                rel: asset.rel.clone(),
                out: format!("{base}{name}"),
                abs: asset.abs.clone(),
            },
        );
    }

    (site, errors)
}

/// The URL segment of a doc: its `slug`, else its file or folder name slugified.
fn segment(doc: Option<&Doc>, name: &str, errors: &mut Vec<Diagnostic>) -> String {
    if let Some(doc) = doc
        && let Some(slug) = &doc.front.slug
    {
        if let Err(why) = check_slug(slug) {
            errors.push(
                Diagnostic::new(doc.shown(), why)
                    .at_line(doc.front.lines.slug)
                    .hint("a slug is one URL segment of lower-case letters, digits and `-`, such as `trade-talks`"),
            );
            return format!("invalid-slug-{}", errors.len());
        }
        return slug::slugify(slug);
    }
    let s = slug::slugify(name);
    if s.is_empty() {
        let shown = doc
            .map(|d| d.shown())
            .unwrap_or_else(|| Path::new("content").join(name));
        errors.push(
            Diagnostic::new(shown, format!("cannot make a URL from the name `{name}`"))
                .hint("rename it with letters or digits, or set `slug:` in its front matter"),
        );
        return format!("invalid-name-{}", errors.len());
    }
    s
}

/// Rejects slugs that would leave their folder.
fn check_slug(slug: &str) -> Result<(), String> {
    if slug.contains(['/', '\\'])
        || slug.contains("..")
        || slug.contains(':')
        || slug.starts_with('.')
    {
        return Err(format!("slug `{slug}` would leave the page's folder"));
    }
    if slug::slugify(slug).is_empty() {
        return Err(format!("slug `{slug}` has no letters or digits"));
    }
    Ok(())
}

/// The output file for an alias, or why it is refused.
fn alias_file(alias: &str) -> Result<String, String> {
    let a = alias.trim();
    if a.contains('\\')
        || a.contains(':')
        || a.contains(['?', '#', '\0'])
        || a.split('/').any(|s| s == ".." || s == ".")
    {
        return Err(format!(
            "alias `{alias}` would leave the output folder or is not a plain path"
        ));
    }
    // `/a//b/` is `/a/b/`: browsers and servers treat the empty segment as nothing.
    let rel = a
        .split('/')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("/");
    let rel = if a.ends_with('/') && !rel.is_empty() {
        format!("{rel}/")
    } else {
        rel
    };
    let rel = rel.as_str();
    if rel.is_empty() {
        return Err(format!("alias `{alias}` is the home page"));
    }
    if rel.ends_with(".html") || rel.ends_with(".htm") {
        Ok(rel.to_string())
    } else {
        Ok(format!("{}/index.html", rel.trim_end_matches('/')))
    }
}

fn title_from_folder(folder: &str) -> String {
    let words: Vec<String> = folder
        .split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect(),
                None => String::new(),
            }
        })
        .collect();
    words.join(" ")
}

fn compare(a: &Node, b: &Node, content: &Content, sort_by: SortBy) -> std::cmp::Ordering {
    let fm = |n: &Node| n.doc.map(|i| &content.docs[i].front);
    let weight = |n: &Node| fm(n).and_then(|f| f.weight).unwrap_or(i64::MAX);
    // A date-time orders pages of one day (issue 18).
    let date = |n: &Node| fm(n).and_then(|f| f.date_time.clone().or_else(|| f.date.clone()));
    let title = |n: &Node| n.title.to_lowercase();
    let tie = title(a).cmp(&title(b)).then_with(|| a.path.cmp(&b.path));
    match sort_by {
        SortBy::Weight => weight(a).cmp(&weight(b)).then(tie),
        // Newest first; undated last.
        SortBy::Date => match (date(a), date(b)) {
            (Some(x), Some(y)) => y.cmp(&x).then(tie),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => tie,
        },
        SortBy::Title => tie,
    }
}

#[cfg(test)]
mod tests;
