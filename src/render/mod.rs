//! Render: every page, section, tag page and site file into an [`Output`], through Tera.
//!
//! Render compiles the templates once ([`templates`]: the embedded default theme, overridden by
//! the site's own `templates/`), then renders every page and section in parallel, each with a
//! small context built from borrowed views ([`context`]: the page itself, the pruned
//! navigation, breadcrumbs and prev/next), then tag pages, the 404 and the site files
//! ([`site_files`]). Site-wide values (config, glossary) live in Tera's global context, once.
//! Each file goes to the output's [`Sink`] as soon as it is made; render does not know whether
//! that sink checks, keeps, drops or writes it. `search` indexes pages on the way, and
//! `verify::output` checks the finished output before `write` swaps it in.

mod context;
mod site_files;
mod templates;

pub use context::page_index;
pub use site_files::redirect_html;
pub use templates::Templates;

use crate::config::Config;
use crate::error::Diagnostic;
use crate::ids::IdVec;
use crate::link::{NodeId, ROOT, Site, TagId};
use crate::load::{Content, Kind};
use crate::markdown::Rendered;
use crate::output::{Data, Origin, OutFile, Output, Sink};
use crate::theme;
use context::*;
use rayon::prelude::*;
use site_files::{GENERATED, atom, navigation_json, robots, sitemap};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Everything render needs from the stages before it.
pub struct Input<'a> {
    pub config: &'a Config,
    pub content: &'a Content,
    pub site: &'a Site,
    /// Rendered Markdown per node (`None` for folders without `_index.md`).
    pub rendered: &'a IdVec<NodeId, Option<Rendered>>,
}

/// Renders the whole site into an [`Output`].
pub fn render(
    input: &Input,
    templates: &Templates,
    sink: Arc<dyn Sink>,
    indexer: Option<&crate::search::Indexer>,
) -> (Output, Vec<Diagnostic>) {
    let Input {
        config,
        content,
        site,
        ..
    } = *input;
    let mut errors = Vec::new();
    let mut output = Output::new(sink.clone());
    let urls = Urls::new(input);

    // Pages and sections, in parallel, in chunks: the search index must see pages in a fixed
    // order (Pagefind's output depends on it), and a chunk bounds what is held in memory.
    let mut pages: Vec<Result<(String, OutFile), Diagnostic>> =
        Vec::with_capacity(site.nodes.len());
    let ids: Vec<NodeId> = site.nodes.ids().collect();
    for chunk in ids.chunks(512) {
        // Each page is parsed for the search index on the thread that rendered it.
        type Made = Result<(String, OutFile), Diagnostic>;
        let (rendered, parsed): (Vec<Made>, Vec<Option<crate::search::Parsed>>) = chunk
            .par_iter()
            .map(|&id| {
                let r = render_node(id, input, templates, &urls);
                let parsed = match (indexer, &r) {
                    (Some(ix), Ok((_, file))) => match &file.data {
                        Data::Bytes(html) => Some(ix.parse(&urls.url[id], html)),
                        _ => None,
                    },
                    _ => None,
                };
                (r, parsed)
            })
            .unzip();
        if let Some(ix) = indexer {
            parsed.into_iter().flatten().for_each(|p| ix.add(p));
        }
        pages.par_extend(rendered.into_par_iter().map(|r| {
            let (path, file) = r?;
            let file = sink.take(&path, file)?;
            Ok((path, file))
        }));
    }
    for page in pages {
        match page {
            Ok((path, file)) => output.add_taken(path, file, &mut errors),
            Err(d) => errors.push(d),
        }
    }

    // Tags.
    if !site.tags.is_empty() {
        match render_taxonomy(input, templates, &urls) {
            Ok((path, file)) => output.add(path, file, &mut errors),
            Err(d) => errors.push(d),
        }
        let term_pages: Vec<Result<(String, OutFile), Diagnostic>> = site
            .tags
            .par_ids()
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
    match render_not_found(input, templates, &urls) {
        Ok((path, file)) => output.add(path, file, &mut errors),
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
        ("robots.txt", robots(&config.base_url)),
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
            output.add(
                path.to_string(),
                OutFile::new(
                    Data::Bytes(bytes.to_vec()),
                    Origin::Copy(PathBuf::from(format!("(default theme) {path}"))),
                ),
                &mut errors,
            );
        }
    }
    (output, errors)
}

/// The list of every tag (`tags/index.html`).
fn render_taxonomy(
    input: &Input,
    templates: &Templates,
    urls: &Urls,
) -> Result<(String, OutFile), Diagnostic> {
    let site = input.site;
    let terms: Vec<TermView> = site
        .tags
        .iter_enumerated()
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
        urls,
        None,
        &format!("{}tags/", input.config.base_path),
    );
    let html = templates.render("taxonomy.html", &ctx, None)?;
    Ok((
        "tags/index.html".into(),
        OutFile::new(
            Data::Bytes(html.into_bytes()),
            Origin::Template(templates.shown("taxonomy.html")),
        ),
    ))
}

/// The site's 404 page, served by GitHub Pages at any depth.
fn render_not_found(
    input: &Input,
    templates: &Templates,
    urls: &Urls,
) -> Result<(String, OutFile), Diagnostic> {
    let mut ctx = tera::Context::new();
    ctx.insert("title", "Page not found");
    insert_chrome(
        &mut ctx,
        input.site,
        urls,
        None,
        &format!("{}404.html", input.config.base_path),
    );
    let html = templates.render("404.html", &ctx, None)?;
    Ok((
        "404.html".into(),
        OutFile::new(
            Data::Bytes(html.into_bytes()),
            Origin::Template(templates.shown("404.html")),
        ),
    ))
}

fn render_term(
    i: TagId,
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
/// (they show its reading time), the feed when its summary changed, and every page whose
/// template read it with `get_page`. Used by `serve` when only that page's body changed; the
/// navigation, prev/next and every other page stay as they are. Replaces the files in `output`
/// and returns the paths whose bytes changed, or `None` when a reader of the page cannot be
/// found again (then only a full build is sure to be right).
pub fn rerender_page(
    input: &Input,
    templates: &Templates,
    output: &mut Output,
    id: NodeId,
    summary_changed: bool,
) -> Option<Result<Vec<String>, Vec<Diagnostic>>> {
    let urls = Urls::new(input);
    let site = input.site;
    let mut targets: Vec<Target> = vec![Target::Node(id)];
    targets.extend(site.nodes[id].parent.map(Target::Node));
    targets.extend(site.nodes[id].tags.iter().map(|&t| Target::Term(t)));
    if let Some(doc) = site.nodes[id].doc {
        let readers = templates.readers_of(&input.content.docs[doc].rel);
        if !readers.is_empty() {
            let by_url = targets_by_url(input, &urls);
            for url in readers {
                targets.push(*by_url.get(url.as_str())?);
            }
        }
    }
    targets.sort();
    targets.dedup();
    let mut made: Vec<Result<(String, OutFile), Diagnostic>> = targets
        .par_iter()
        .map(|&t| render_target(t, input, templates, &urls))
        .collect();
    // The feed shows the summary, not the body.
    if summary_changed {
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
        match m.and_then(|(path, file)| Ok((path.clone(), output.sink.take(&path, file)?))) {
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
    Some(if errors.is_empty() {
        Ok(changed)
    } else {
        Err(errors)
    })
}

/// Something render can make on its own: a page or section, a tag's page, the tag list or
/// the 404 page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    Node(NodeId),
    Term(TagId),
    Taxonomy,
    NotFound,
}

fn render_target(
    target: Target,
    input: &Input,
    templates: &Templates,
    urls: &Urls,
) -> Result<(String, OutFile), Diagnostic> {
    match target {
        Target::Node(id) => render_node(id, input, templates, urls),
        Target::Term(t) => render_term(t, input, templates, urls),
        Target::Taxonomy => render_taxonomy(input, templates, urls),
        Target::NotFound => render_not_found(input, templates, urls),
    }
}

/// What each `current_url` of this build renders.
fn targets_by_url<'a>(input: &Input, urls: &'a Urls) -> HashMap<&'a str, Target> {
    let mut by_url: HashMap<&str, Target> = HashMap::new();
    for id in input.site.nodes.ids() {
        by_url.insert(&urls.url[id], Target::Node(id));
    }
    if !input.site.tags.is_empty() {
        for t in input.site.tags.ids() {
            by_url.insert(&urls.tag_url[t], Target::Term(t));
        }
        by_url.insert(&urls.tags_url, Target::Taxonomy);
    }
    by_url.insert(&urls.not_found_url, Target::NotFound);
    by_url
}

/// Every path this build will write, but the search index's: known before rendering.
pub fn expected_paths(input: &Input) -> std::collections::HashSet<String> {
    let site = input.site;
    let mut e: std::collections::HashSet<String> =
        site.nodes.ids().map(|id| site.file(id)).collect();
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

/// A path for a URL: `/` kept, everything but unreserved characters percent-encoded.
fn url_path(path: &str) -> String {
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
        last_updated: doc.and_then(|d| content.last_updated.get(&d.rel).map(String::as_str)),
        edit_url: input
            .config
            .edit_url
            .as_ref()
            .zip(doc)
            .map(|(base, d)| format!("{base}content/{}", url_path(&d.rel))),
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
