//! Tera: page contexts, tag pages, 404, redirects, sitemap, feed and robots, all into an
//! in-memory [`Output`] (path to bytes).
//!
//! Render compiles the templates once (the embedded default theme, overridden by the site's own
//! `templates/`), then renders every page and section in parallel, each with a small context
//! built from borrowed views: the page itself, the pruned navigation, breadcrumbs and prev/next.
//! Site-wide values (config, glossary) live in Tera's global context, once. The search index is
//! added by `search`, and `verify::output` checks the result before `write` touches the disk.

use crate::config::Config;
use crate::error::{Diagnostic, fs};
use crate::link::{NodeId, ROOT, Site};
use crate::load::{Content, Kind};
use crate::markdown::{Rendered, TocEntry, escape_attr};
use crate::theme;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where an output file came from: what `verify` names when a link in it is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A page or section rendered from a Markdown file (or a folder) with a template.
    Page { source: PathBuf, template: String },
    /// A page rendered from a template alone (404, tags).
    Template(String),
    /// Written by mekong itself (sitemap, feed, redirects, search index).
    Generated(&'static str),
    /// Copied from `static/`, `content/` or the default theme.
    Copy(PathBuf),
}

impl Origin {
    /// The source file to name in an error, when there is one.
    pub fn source(&self) -> Option<&Path> {
        match self {
            Origin::Page { source, .. } | Origin::Copy(source) => Some(source),
            Origin::Template(_) | Origin::Generated(_) => None,
        }
    }

    /// The origin in words: `content/a.md`, `the template templates/term.html`, `mekong`.
    pub fn describe(&self) -> String {
        match self {
            Origin::Page { source, .. } | Origin::Copy(source) => source.display().to_string(),
            Origin::Template(t) => format!("the template {t}"),
            Origin::Generated(what) => what.to_string(),
        }
    }
}

/// The bytes of an output file, or where they went.
#[derive(Debug, Clone)]
pub enum Data {
    /// Kept in memory (`serve`, and every file until the sink takes it).
    Bytes(Vec<u8>),
    /// A file copied as it is, read by `write` when needed.
    File(PathBuf),
    /// Written to the staging folder; the length.
    Staged(u64),
    /// Identical to the file already in the output folder; the length.
    Unchanged(u64),
    /// Checked and dropped (`check`); the length.
    Dropped(u64),
}

impl Data {
    /// The size in bytes (a copied file's current size).
    pub fn size(&self) -> u64 {
        match self {
            Data::Bytes(b) => b.len() as u64,
            Data::File(p) => std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
            Data::Staged(n) | Data::Unchanged(n) | Data::Dropped(n) => *n,
        }
    }
}

#[derive(Debug, Clone)]
pub struct OutFile {
    pub data: Data,
    pub origin: Origin,
    /// Ids and outgoing URLs of an HTML page, sitemap or feed, for the output check.
    pub scan: Option<crate::verify::Scan>,
}

impl OutFile {
    pub fn new(data: Data, origin: Origin) -> Self {
        OutFile {
            data,
            origin,
            scan: None,
        }
    }
}

/// Where rendered files go as soon as they are made, so that a large site is never held in
/// memory whole: kept (`serve`), dropped after the output check has what it needs (`check`),
/// or written into the staging folder (`build`).
#[derive(Debug, Default)]
pub enum Sink {
    #[default]
    Memory,
    Discard,
    Stage(crate::write::Staging),
}

impl Sink {
    /// Scans a new file for the output check, then keeps, drops or stages its bytes.
    pub fn process(
        &self,
        path: &str,
        mut file: OutFile,
        checker: &crate::verify::Checker,
    ) -> Result<OutFile, Diagnostic> {
        if let Data::Bytes(b) = &file.data {
            if file.scan.is_none() && (path.ends_with(".html") || path.ends_with(".xml")) {
                let mut scan = crate::verify::scan_file(path, b);
                checker.prune(path, &mut scan);
                file.scan = Some(scan);
            }
            match self {
                Sink::Memory => {}
                Sink::Discard => file.data = Data::Dropped(b.len() as u64),
                Sink::Stage(staging) => file.data = staging.put(path, b)?,
            }
        }
        Ok(file)
    }
}

/// The whole site, keyed by output path (`topics/trade/index.html`).
#[derive(Debug, Default)]
pub struct Output {
    pub files: BTreeMap<String, OutFile>,
    pub sink: Arc<Sink>,
    pub checker: Arc<crate::verify::Checker>,
}

impl Output {
    pub fn new(sink: Arc<Sink>, checker: Arc<crate::verify::Checker>) -> Self {
        Output {
            files: BTreeMap::new(),
            sink,
            checker,
        }
    }

    /// Adds a file; a second file at the same path is an error naming both origins.
    pub fn add(&mut self, path: String, file: OutFile, errors: &mut Vec<Diagnostic>) {
        // Every output path is relative and stays inside the output, whatever produced it.
        if !is_contained(&path) {
            let blame = file
                .origin
                .source()
                .map_or_else(|| PathBuf::from(file.origin.describe()), Path::to_path_buf);
            errors.push(
                Diagnostic::new(
                    blame,
                    format!("refusing to write `{path}`: it would leave the output folder"),
                )
                .hint("check slugs, aliases and names for `..`, absolute paths and drive prefixes"),
            );
            return;
        }
        // A path cannot be a file and a folder (`about` and `about/index.html`).
        let prefix = format!("{path}/");
        let inside = self
            .files
            .range(prefix.clone()..)
            .next()
            .filter(|(p, _)| p.starts_with(&prefix))
            .map(|(p, _)| p.clone());
        let above = path
            .match_indices('/')
            .map(|(i, _)| &path[..i])
            .find(|a| self.files.contains_key(*a))
            .map(str::to_string);
        if let Some(other) = inside.or(above) {
            let (mine, theirs) = (file.origin.describe(), self.files[&other].origin.describe());
            let blame = match (file.origin.source(), self.files[&other].origin.source()) {
                (Some(source), _) | (None, Some(source)) => source.to_path_buf(),
                (None, None) => PathBuf::from(&mine),
            };
            errors.push(
                Diagnostic::new(blame, format!("{mine} writes {path} and {theirs} writes {other}: a path cannot be both a file and a folder"))
                    .hint("rename one of them, or change the alias or slug"),
            );
            return;
        }
        if let Some(existing) = self.files.get(&path) {
            let blame = file
                .origin
                .source()
                .map_or_else(|| PathBuf::from(file.origin.describe()), Path::to_path_buf);
            errors.push(
                Diagnostic::new(
                    blame,
                    format!(
                        "writes {path}, which {} writes too",
                        existing.origin.describe()
                    ),
                )
                .hint("rename or move one of them so that each output file has one source"),
            );
            return;
        }
        match self.sink.process(&path, file, &self.checker) {
            Ok(file) => {
                self.files.insert(path, file);
            }
            Err(d) => errors.push(d),
        }
    }

    pub fn bytes(&self, path: &str) -> Option<&[u8]> {
        match &self.files.get(path)?.data {
            Data::Bytes(b) => Some(b),
            _ => None,
        }
    }
}

/// Whether an output path stays inside the output folder: relative, no `..` or `.` segment,
/// no backslash, drive prefix or NUL.
pub fn is_contained(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains(['\\', '\0', ':'])
        && path
            .split('/')
            .all(|seg| !seg.is_empty() && seg != ".." && seg != ".")
}

/// A page or section as templates see it.
#[derive(Serialize)]
struct DocView<'a> {
    title: &'a str,
    description: Option<&'a str>,
    url: &'a str,
    permalink: String,
    path: String,
    content: &'a str,
    summary: &'a str,
    toc: &'a [TocEntry],
    show_toc: bool,
    word_count: usize,
    reading_time: usize,
    date: Option<&'a str>,
    updated: Option<&'a str>,
    tags: Vec<LinkView<'a>>,
    weight: Option<i64>,
    extra: &'a serde_yaml::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pages: Option<Vec<SummaryView<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subsections: Option<Vec<SubsectionView<'a>>>,
}

#[derive(Serialize, Clone)]
struct LinkView<'a> {
    #[serde(rename = "name")]
    title: &'a str,
    url: &'a str,
}

#[derive(Serialize)]
struct TitleUrl<'a> {
    title: &'a str,
    url: &'a str,
}

#[derive(Serialize)]
struct SubsectionView<'a> {
    title: &'a str,
    url: &'a str,
    description: Option<&'a str>,
}

#[derive(Serialize)]
struct SummaryView<'a> {
    title: &'a str,
    url: &'a str,
    description: Option<&'a str>,
    date: Option<&'a str>,
    summary: &'a str,
    reading_time: usize,
    word_count: usize,
}

#[derive(Serialize)]
struct NavItem<'a> {
    title: &'a str,
    url: &'a str,
    is_section: bool,
    current: bool,
    active: bool,
    children: Vec<NavItem<'a>>,
}

#[derive(Serialize)]
struct TermView<'a> {
    name: &'a str,
    url: &'a str,
    count: usize,
}

#[derive(Serialize)]
struct TermPageView<'a> {
    name: &'a str,
    url: &'a str,
    pages: Vec<SummaryView<'a>>,
}

/// Everything render needs from the stages before it.
pub struct Input<'a> {
    pub config: &'a Config,
    pub content: &'a Content,
    pub site: &'a Site,
    /// Rendered Markdown per node (`None` for folders without `_index.md`).
    pub rendered: &'a [Option<Rendered>],
}

/// Precomputed per-node strings, shared by every page's context.
struct Urls {
    /// `base_path` + node path.
    url: Vec<String>,
    tag_url: Vec<String>,
    origin: String,
}

impl Urls {
    fn new(input: &Input) -> Urls {
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
                .map(|t| format!("{}tags/{}/", config.base_path, t.slug))
                .collect(),
            origin: config
                .base_url
                .strip_suffix(config.base_path.as_str())
                .unwrap_or("")
                .to_string(),
        }
    }

    fn permalink(&self, url: &str) -> String {
        format!("{}{}", self.origin, url)
    }
}

/// Renders the whole site into an [`Output`].
pub fn render(
    input: &Input,
    templates: &Templates,
    sink: Arc<Sink>,
    indexer: Option<&crate::search::Indexer>,
) -> (Output, Vec<Diagnostic>) {
    let Input {
        config,
        content,
        site,
        ..
    } = *input;
    let mut errors = Vec::new();
    let checker = Arc::new(crate::verify::Checker::new(config, expected_paths(input)));
    let mut output = Output::new(sink.clone(), checker.clone());
    let urls = Urls::new(input);

    // Pages and sections, in parallel, in chunks: the search index must see pages in a fixed
    // order (Pagefind's output depends on it), and a chunk bounds what is held in memory.
    let mut pages: Vec<Result<(String, OutFile), Diagnostic>> =
        Vec::with_capacity(site.nodes.len());
    let ids: Vec<NodeId> = (0..site.nodes.len()).collect();
    for chunk in ids.chunks(512) {
        let rendered: Vec<Result<(String, OutFile), Diagnostic>> = chunk
            .par_iter()
            .map(|&id| render_node(id, input, templates, &urls))
            .collect();
        if let Some(ix) = indexer {
            for (id, r) in chunk.iter().zip(&rendered) {
                if let Ok((
                    _,
                    OutFile {
                        data: Data::Bytes(html),
                        ..
                    },
                )) = r
                {
                    ix.add(urls.url[*id].clone(), html);
                }
            }
        }
        pages.par_extend(rendered.into_par_iter().map(|r| {
            let (path, file) = r?;
            let file = sink.process(&path, file, &checker)?;
            Ok((path, file))
        }));
    }
    for page in pages {
        match page {
            Ok((path, file)) => output.add(path, file, &mut errors),
            Err(d) => errors.push(d),
        }
    }

    // Tags.
    if !site.tags.is_empty() {
        let terms: Vec<TermView> = site
            .tags
            .iter()
            .enumerate()
            .map(|(i, t)| TermView {
                name: &t.name,
                url: &urls.tag_url[i],
                count: t.pages.len(),
            })
            .collect();
        let mut ctx = tera::Context::new();
        ctx.insert("terms", &terms);
        ctx.insert("title", "Tags");
        insert_chrome(
            &mut ctx,
            site,
            &urls,
            None,
            &format!("{}tags/", config.base_path),
        );
        match templates.render("taxonomy.html", &ctx, None) {
            Ok(html) => output.add(
                "tags/index.html".into(),
                OutFile {
                    data: Data::Bytes(html.into_bytes()),
                    origin: Origin::Template(templates.shown("taxonomy.html")),
                    scan: None,
                },
                &mut errors,
            ),
            Err(d) => errors.push(d),
        }
        let term_pages: Vec<Result<(String, OutFile), Diagnostic>> = (0..site.tags.len())
            .into_par_iter()
            .map(|i| render_term(i, input, templates, &urls))
            .collect();
        for page in term_pages {
            match page {
                Ok((path, file)) => output.add(path, file, &mut errors),
                Err(d) => errors.push(d),
            }
        }
    }

    // 404.
    let mut ctx = tera::Context::new();
    ctx.insert("title", "Page not found");
    insert_chrome(
        &mut ctx,
        site,
        &urls,
        None,
        &format!("{}404.html", config.base_path),
    );
    match templates.render("404.html", &ctx, None) {
        Ok(html) => output.add(
            "404.html".into(),
            OutFile {
                data: Data::Bytes(html.into_bytes()),
                origin: Origin::Template(templates.shown("404.html")),
                scan: None,
            },
            &mut errors,
        ),
        Err(d) => errors.push(d),
    }

    // Redirects.
    // A redirect is blamed on the page that declares the alias.
    let alias_origin = |to: NodeId| match site.nodes[to].doc {
        Some(i) => Origin::Page {
            source: content.docs[i].shown(),
            template: "(a redirect for `aliases`)".into(),
        },
        None => Origin::Generated("a redirect (aliases)"),
    };
    for alias in &site.aliases {
        let to = &urls.url[alias.to];
        let html = redirect_html(&config.language, to, &urls.permalink(to));
        output.add(
            alias.file.clone(),
            OutFile {
                data: Data::Bytes(html.into_bytes()),
                origin: alias_origin(alias.to),
                scan: None,
            },
            &mut errors,
        );
    }

    let generated = [
        ("sitemap.xml", sitemap(input, &urls)),
        ("atom.xml", atom(input, &urls)),
        (
            "robots.txt",
            format!(
                "User-agent: *\nAllow: /\nSitemap: {}sitemap.xml\n",
                config.base_url
            ),
        ),
        (".nojekyll", String::new()),
        ("navigation.json", navigation_json(site, &urls)),
    ];
    for (path, text) in generated {
        output.add(
            path.into(),
            OutFile {
                data: Data::Bytes(text.into_bytes()),
                origin: Origin::Generated("mekong"),
                scan: None,
            },
            &mut errors,
        );
    }

    // Files copied as they are: content assets, static/, then the theme's assets where the site
    // does not override them.
    for asset in site.assets.values() {
        output.add(
            asset.out.clone(),
            OutFile {
                data: Data::File(asset.abs.clone()),
                origin: Origin::Copy(Path::new("content").join(&asset.rel)),
                scan: None,
            },
            &mut errors,
        );
    }
    for s in &content.statics {
        output.add(
            s.rel.clone(),
            OutFile {
                data: Data::File(s.abs.clone()),
                origin: Origin::Copy(Path::new("static").join(&s.rel)),
                scan: None,
            },
            &mut errors,
        );
    }
    for (path, bytes) in theme::ASSETS {
        if !output.files.contains_key(*path) {
            output.files.insert(
                path.to_string(),
                OutFile {
                    data: Data::Bytes(bytes.to_vec()),
                    origin: Origin::Copy(PathBuf::from(format!("(default theme) {path}"))),
                    scan: None,
                },
            );
        }
    }
    (output, errors)
}

fn render_term(
    i: usize,
    input: &Input,
    templates: &Templates,
    urls: &Urls,
) -> Result<(String, OutFile), Diagnostic> {
    let t = &input.site.tags[i];
    let view = TermPageView {
        name: &t.name,
        url: &urls.tag_url[i],
        pages: t
            .pages
            .iter()
            .map(|&p| summary_view(p, input, urls))
            .collect(),
    };
    let mut ctx = tera::Context::new();
    ctx.insert("term", &view);
    ctx.insert("title", &t.name);
    insert_chrome(&mut ctx, input.site, urls, None, &urls.tag_url[i]);
    let html = templates.render("term.html", &ctx, None)?;
    Ok((
        format!("tags/{}/index.html", t.slug),
        OutFile::new(
            Data::Bytes(html.into_bytes()),
            Origin::Template(templates.shown("term.html")),
        ),
    ))
}

/// Renders again what shows one page's body: the page, its parent's listing, its tags' pages
/// and the feed (its summary). Used by `serve` when only that page's body changed; the
/// navigation, prev/next and every other page stay as they are. Replaces the files in `output`
/// and returns the paths that changed.
pub fn rerender_page(
    input: &Input,
    templates: &Templates,
    output: &mut Output,
    id: NodeId,
    summary_changed: bool,
) -> Result<Vec<String>, Vec<Diagnostic>> {
    let urls = Urls::new(input);
    let site = input.site;
    let mut nodes = vec![id];
    nodes.extend(site.nodes[id].parent);
    let mut made: Vec<Result<(String, OutFile), Diagnostic>> = nodes
        .par_iter()
        .map(|&n| render_node(n, input, templates, &urls))
        .collect();
    // Tag pages and the feed show the summary, not the body.
    if summary_changed {
        made.extend(
            site.nodes[id]
                .tags
                .iter()
                .map(|&t| render_term(t, input, templates, &urls)),
        );
        made.push(Ok((
            "atom.xml".to_string(),
            OutFile::new(
                Data::Bytes(atom(input, &urls).into_bytes()),
                Origin::Generated("mekong"),
            ),
        )));
    }
    let mut errors = Vec::new();
    let mut changed = Vec::new();
    for m in made {
        match m.and_then(|(path, file)| {
            Ok((
                path.clone(),
                output.sink.process(&path, file, &output.checker)?,
            ))
        }) {
            Ok((path, file)) => {
                let same = matches!((output.files.get(&path).map(|f| &f.data), &file.data), (Some(Data::Bytes(a)), Data::Bytes(b)) if a == b);
                if !same {
                    changed.push(path.clone());
                }
                output.files.insert(path, file);
            }
            Err(d) => errors.push(d),
        }
    }
    if errors.is_empty() {
        Ok(changed)
    } else {
        Err(errors)
    }
}

/// Every path this build will write, but the search index's: known before rendering.
fn expected_paths(input: &Input) -> std::collections::HashSet<String> {
    let site = input.site;
    let mut e: std::collections::HashSet<String> =
        (0..site.nodes.len()).map(|id| site.file(id)).collect();
    if !site.tags.is_empty() {
        e.insert("tags/index.html".into());
        e.extend(
            site.tags
                .iter()
                .map(|t| format!("tags/{}/index.html", t.slug)),
        );
    }
    e.extend(site.aliases.iter().map(|a| a.file.clone()));
    e.extend(site.assets.values().map(|a| a.out.clone()));
    e.extend(input.content.statics.iter().map(|s| s.rel.clone()));
    e.extend(theme::ASSETS.iter().map(|(p, _)| p.to_string()));
    e.extend(GENERATED.iter().map(|p| p.to_string()));
    e.insert("404.html".into());
    e
}

/// Files that render writes itself, besides pages.
const GENERATED: &[&str] = &[
    "sitemap.xml",
    "atom.xml",
    "robots.txt",
    ".nojekyll",
    "navigation.json",
];

fn render_node(
    id: NodeId,
    input: &Input,
    templates: &Templates,
    urls: &Urls,
) -> Result<(String, OutFile), Diagnostic> {
    let Input {
        config: _,
        content,
        site,
        rendered,
    } = *input;
    let node = &site.nodes[id];
    let doc = node.doc.map(|i| &content.docs[i]);
    let md = rendered[id].as_ref();
    let empty = Rendered::default();
    let md_ref = md.unwrap_or(&empty);
    let front = doc.map(|d| &d.front);
    let default_extra = serde_yaml::Value::Mapping(Default::default());
    let shown: PathBuf = doc
        .map(|d| d.shown())
        .unwrap_or_else(|| PathBuf::from(format!("content/{}", node.path.trim_end_matches('/'))));
    let template = match front.and_then(|f| f.template.clone()) {
        Some(t) => t,
        None if id == ROOT => "index.html".to_string(),
        None if node.kind == Kind::Section => "section.html".to_string(),
        None => "page.html".to_string(),
    };
    if !templates.contains(&template) {
        let mut d =
            Diagnostic::new(&shown, format!("template `{template}` not found")).hint(format!(
                "add templates/{template}, or use one of: {}",
                templates.names().join(", ")
            ));
        if let Some(f) = front {
            d = d.at_line(f.lines.template);
        }
        return Err(d);
    }
    let url = &urls.url[id];
    let (pages, subsections) = if node.kind == Kind::Section {
        let pages = node
            .children
            .iter()
            .filter(|&&c| site.nodes[c].kind == Kind::Page)
            .map(|&c| summary_view(c, input, urls))
            .collect();
        let subs = node
            .children
            .iter()
            .filter(|&&c| site.nodes[c].kind == Kind::Section)
            .map(|&c| SubsectionView {
                title: &site.nodes[c].title,
                url: &urls.url[c],
                description: site.nodes[c]
                    .doc
                    .and_then(|i| content.docs[i].front.description.as_deref()),
            })
            .collect();
        (Some(pages), Some(subs))
    } else {
        (None, None)
    };
    let view = DocView {
        title: &node.title,
        description: front.and_then(|f| f.description.as_deref()),
        url,
        permalink: urls.permalink(url),
        path: doc.map(|d| d.rel.clone()).unwrap_or_default(),
        content: &md_ref.html,
        summary: &md_ref.summary,
        toc: &md_ref.toc,
        show_toc: front.and_then(|f| f.toc).unwrap_or(true) && md_ref.h2_count >= 2,
        word_count: md_ref.word_count,
        reading_time: reading_time(md_ref.word_count),
        date: front.and_then(|f| f.date.as_deref()),
        updated: front.and_then(|f| f.updated.as_deref()),
        tags: node
            .tags
            .iter()
            .map(|&t| LinkView {
                title: &site.tags[t].name,
                url: &urls.tag_url[t],
            })
            .collect(),
        weight: front.and_then(|f| f.weight),
        extra: front.map(|f| &f.extra).unwrap_or(&default_extra),
        pages,
        subsections,
    };
    let mut ctx = tera::Context::new();
    ctx.insert(
        if node.kind == Kind::Section {
            "section"
        } else {
            "page"
        },
        &view,
    );
    if let Some(p) = node.parent {
        ctx.insert(
            "parent",
            &TitleUrl {
                title: &site.nodes[p].title,
                url: &urls.url[p],
            },
        );
    }
    insert_chrome(&mut ctx, site, urls, Some(id), url);
    let html = templates.render(&template, &ctx, Some(&shown))?;
    Ok((
        site.file(id),
        OutFile {
            data: Data::Bytes(html.into_bytes()),
            origin: Origin::Page {
                source: shown,
                template: templates.shown(&template),
            },
            scan: None,
        },
    ))
}

fn reading_time(words: usize) -> usize {
    words.div_ceil(200).max(1)
}

fn summary_view<'a>(id: NodeId, input: &Input<'a>, urls: &'a Urls) -> SummaryView<'a> {
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
fn insert_chrome(
    ctx: &mut tera::Context,
    site: &Site,
    urls: &Urls,
    current: Option<NodeId>,
    here: &str,
) {
    ctx.insert("current_url", here);
    ctx.insert("current_permalink", &urls.permalink(here));
    let path: Vec<NodeId> = match current {
        Some(id) => {
            let mut p = site.ancestors(id);
            p.push(id);
            p
        }
        None => vec![ROOT],
    };
    ctx.insert("nav", &nav_items(site, urls, ROOT, &path, current));
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

/// The children of `section`, with those on `path` expanded.
fn nav_items<'a>(
    site: &'a Site,
    urls: &'a Urls,
    section: NodeId,
    path: &[NodeId],
    current: Option<NodeId>,
) -> Vec<NavItem<'a>> {
    site.nodes[section]
        .children
        .iter()
        .map(|&c| {
            let node = &site.nodes[c];
            let on_path = path.contains(&c);
            NavItem {
                title: &node.title,
                url: &urls.url[c],
                is_section: node.kind == Kind::Section,
                current: current == Some(c),
                active: on_path && current != Some(c),
                children: if on_path && node.kind == Kind::Section {
                    nav_items(site, urls, c, path, current)
                } else {
                    Vec::new()
                },
            }
        })
        .collect()
}

fn navigation_json(site: &Site, urls: &Urls) -> String {
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

/// A small page that sends readers (and search engines) to the new URL.
pub fn redirect_html(lang: &str, to: &str, permalink: &str) -> String {
    let to = escape_attr(to);
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>Redirecting to {to}</title>\n<link rel=\"canonical\" href=\"{canon}\">\n<meta name=\"robots\" content=\"noindex\">\n<meta http-equiv=\"refresh\" content=\"0; url={to}\">\n</head>\n<body>\n<p>This page has moved to <a href=\"{to}\">{to}</a>.</p>\n</body>\n</html>\n",
        lang = escape_attr(lang),
        canon = escape_attr(permalink),
    )
}

fn xml_escape(s: &str) -> String {
    escape_attr(s)
}

fn sitemap(input: &Input, urls: &Urls) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for &id in &input.site.order {
        let node = &input.site.nodes[id];
        let front = node.doc.map(|i| &input.content.docs[i].front);
        s.push_str("  <url>\n    <loc>");
        s.push_str(&xml_escape(&urls.permalink(&urls.url[id])));
        s.push_str("</loc>\n");
        if let Some(d) = front.and_then(|f| f.updated.as_deref().or(f.date.as_deref())) {
            s.push_str(&format!("    <lastmod>{d}</lastmod>\n"));
        }
        s.push_str("  </url>\n");
    }
    if !input.site.tags.is_empty() {
        s.push_str(&format!(
            "  <url>\n    <loc>{}</loc>\n  </url>\n",
            xml_escape(&urls.permalink(&format!("{}tags/", input.config.base_path)))
        ));
        for u in &urls.tag_url {
            s.push_str(&format!(
                "  <url>\n    <loc>{}</loc>\n  </url>\n",
                xml_escape(&urls.permalink(u))
            ));
        }
    }
    s.push_str("</urlset>\n");
    s
}

fn atom(input: &Input, urls: &Urls) -> String {
    let config = input.config;
    let mut dated: Vec<(NodeId, &str)> = input
        .site
        .order
        .iter()
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
    let home = urls.permalink(&config.base_path);
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{lang}\">\n  <title>{title}</title>\n{subtitle}  <link rel=\"self\" type=\"application/atom+xml\" href=\"{self_}\"/>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{home}\"/>\n  <id>{home}</id>\n  <updated>{feed_updated}T00:00:00Z</updated>\n  <author><name>{author}</name></author>\n  <generator uri=\"https://crates.io/crates/mekong\">mekong</generator>\n",
        lang = xml_escape(&config.language),
        title = xml_escape(&config.title),
        subtitle = config
            .description
            .as_deref()
            .map(|d| format!("  <subtitle>{}</subtitle>\n", xml_escape(d)))
            .unwrap_or_default(),
        self_ = xml_escape(&urls.permalink(&format!("{}atom.xml", config.base_path))),
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

/// The compiled templates: the default theme overridden by the site's `templates/`.
pub struct Templates {
    tera: tera::Tera,
    /// Names of templates that come from the site (the rest come from the default theme).
    from_site: std::collections::HashSet<String>,
    /// What `get_page` answers from, by content path.
    pages: Arc<std::sync::RwLock<HashMap<String, tera::Value>>>,
}

impl Templates {
    /// Compiles the templates once. `get_page` needs page summaries, so it takes them here.
    pub fn load(
        root: &Path,
        config: &Config,
        pages: Arc<std::sync::RwLock<HashMap<String, tera::Value>>>,
    ) -> Result<Templates, Vec<Diagnostic>> {
        let pages_for_update = pages.clone();
        let mut errors = Vec::new();
        let mut sources: BTreeMap<String, String> = theme::TEMPLATES
            .iter()
            .map(|(n, t)| (format!("{}{n}", theme::PREFIX), t.to_string()))
            .collect();
        let mut from_site = std::collections::HashSet::new();
        let dir = root.join("templates");
        if dir.is_dir() {
            for entry in walkdir::WalkDir::new(&dir)
                .follow_links(true)
                .sort_by_file_name()
            {
                let entry = match entry {
                    Ok(e) => e,
                    Err(e) => {
                        let p = e
                            .path()
                            .map(|p| crate::error::relative(root, p))
                            .unwrap_or_else(|| "templates".into());
                        errors.push(Diagnostic::new(p, format!("cannot read: {e}")));
                        continue;
                    }
                };
                if !entry.file_type().is_file()
                    || entry.file_name().to_string_lossy().starts_with('.')
                {
                    continue;
                }
                let Ok(rel) = entry.path().strip_prefix(&dir) else {
                    continue;
                };
                let Some(name) = rel.to_str().map(|s| s.replace('\\', "/")) else {
                    errors.push(Diagnostic::new(
                        Path::new("templates").join(rel),
                        "file name is not valid UTF-8",
                    ));
                    continue;
                };
                match fs::read_to_string(entry.path(), &Path::new("templates").join(rel)) {
                    Ok(text) => {
                        from_site.insert(name.clone());
                        sources.insert(name, text);
                    }
                    Err(d) => errors.push(d),
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut tera = tera::Tera::new();
        tera.set_fallback_prefixes([theme::PREFIX])
            .expect("no template is added yet");
        tera.autoescape_on([".html", ".htm", ".xml"]);
        let base_path = config.base_path.clone();
        tera.register_function(
            "url",
            move |kwargs: tera::Kwargs, _: &tera::State| -> tera::TeraResult<String> {
                let path: String = kwargs.must_get("path")?;
                if crate::markdown::is_external(&path) {
                    return Ok(path);
                }
                Ok(format!("{base_path}{}", path.trim_start_matches('/')))
            },
        );
        tera.register_function(
            "get_page",
            move |kwargs: tera::Kwargs, _: &tera::State| -> tera::TeraResult<tera::Value> {
                let path: String = kwargs.must_get("path")?;
                let key = path.trim_start_matches("@/");
                let pages = pages.read().unwrap_or_else(|e| e.into_inner());
                pages.get(key).cloned().ok_or_else(|| {
                    tera::Error::message(format!("get_page: no page `{path}` in content/"))
                })
            },
        );
        {
            let g = tera.global_context();
            g.insert("config", config);
            g.insert("mekong_version", env!("CARGO_PKG_VERSION"));
            g.insert(
                "glossary",
                &config
                    .glossary
                    .as_ref()
                    .map(|g| g.entries.as_slice())
                    .unwrap_or(&[]),
            );
        }
        let shown = |name: &str| shown(&from_site, name);
        if let Err(e) =
            tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        {
            return Err(vec![tera_error(&e, &shown, None)]);
        }
        Ok(Templates {
            tera,
            from_site,
            pages: pages_for_update,
        })
    }

    /// Updates what `get_page` answers for one page after its body changed.
    pub fn update_page(&self, input: &Input, id: NodeId) {
        let urls = Urls::new(input);
        let value = tera::Value::from_serializable(&summary_view(id, input, &urls));
        if let Some(doc) = input.site.nodes[id].doc
            && let Ok(mut pages) = self.pages.write()
        {
            pages.insert(input.content.docs[doc].rel.clone(), value);
        }
    }

    pub fn contains(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }

    /// The names a page's `template:` can use (the theme's without their prefix).
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .tera
            .get_template_names()
            .map(|n| n.strip_prefix(theme::PREFIX).unwrap_or(n).to_string())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// The template's path as users see it.
    pub fn shown(&self, name: &str) -> String {
        shown(&self.from_site, name)
    }

    pub fn render(
        &self,
        name: &str,
        ctx: &tera::Context,
        page: Option<&Path>,
    ) -> Result<String, Diagnostic> {
        self.tera
            .render(name, ctx)
            .map_err(|e| tera_error(&e, &|n| self.shown(n), page))
    }
}

/// A template's path as users see it: `templates/x.html`, or `(default theme) x.html` for the
/// theme's (registered as `default/x.html`, or found under that name by fallback).
fn shown(from_site: &std::collections::HashSet<String>, name: &str) -> String {
    if from_site.contains(name) {
        format!("templates/{name}")
    } else {
        format!(
            "(default theme) {}",
            name.strip_prefix(theme::PREFIX).unwrap_or(name)
        )
    }
}

/// A Tera error as a located diagnostic: the template file and line, and the page being rendered.
fn tera_error(e: &tera::Error, shown: &dyn Fn(&str) -> String, page: Option<&Path>) -> Diagnostic {
    let while_rendering = page
        .map(|p| format!(" (while rendering {})", p.display()))
        .unwrap_or_default();
    let mut cause = String::new();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        cause.push_str(&format!(": {s}"));
        src = s.source();
    }
    match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            let what = if matches!(e.kind(), tera::ErrorKind::SyntaxError(_)) {
                "template syntax error"
            } else {
                "template error"
            };
            let span = r.span();
            Diagnostic::new(shown(r.filename()), format!("{what}: {}{cause}{while_rendering}", r.message()))
                .at(span.start_line.max(1), span.start_col + 1)
                .hint("check the template at that line; every variable must be defined (test optional ones with `is defined`)")
        }
        tera::ErrorKind::TemplateNotFound(name) => Diagnostic::new(
            page.map(Path::to_path_buf)
                .unwrap_or_else(|| "templates".into()),
            format!("template `{name}` not found{cause}"),
        )
        .hint("add it to templates/ or use a template of the default theme"),
        tera::ErrorKind::MissingParent { current, parent } => Diagnostic::new(
            shown(current),
            format!("extends `{parent}`, which does not exist"),
        )
        .hint("fix the name in `{% extends %}`"),
        _ => Diagnostic::new(
            page.map(Path::to_path_buf)
                .unwrap_or_else(|| "templates".into()),
            format!("template error: {e}{cause}{while_rendering}"),
        ),
    }
}

/// Page summaries for `get_page`, keyed by content path.
pub fn page_index(input: &Input) -> HashMap<String, tera::Value> {
    let urls: Vec<String> = input
        .site
        .nodes
        .iter()
        .map(|n| format!("{}{}", input.config.base_path, n.path))
        .collect();
    let urls_struct = Urls {
        url: urls,
        tag_url: Vec::new(),
        origin: String::new(),
    };
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
