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
mod i18n;
use i18n::tag_prefixes;
mod json_ld;
mod paginate;
mod rerender;
mod site_files;
mod templates;

pub use context::page_index;
pub use rerender::rerender_page;
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
use paginate::PaginatorView;
use rayon::prelude::*;
use site_files::{
    GENERATED, SITEMAP_MAX_URLS, atom, navigation_json, robots, sitemap_files, sitemap_len,
    sitemaps,
};
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
        // Each page is parsed for the search index on the thread that rendered it; a node's
        // first file is its page, the other pagers of a listing are not indexed.
        type Made = Result<Vec<(String, OutFile)>, Diagnostic>;
        let (rendered, parsed): (Vec<Made>, Vec<Option<crate::search::Parsed>>) = chunk
            .par_iter()
            .map(|&id| {
                let r = render_node(id, input, templates, &urls);
                let parsed = match (indexer, &r) {
                    (Some(ix), Ok(files)) => match files.first().map(|(_, f)| &f.data) {
                        Some(Data::Bytes(html)) => Some(ix.parse(&urls.url[id], html)),
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
        let rendered: Vec<Result<(String, OutFile), Diagnostic>> = rendered
            .into_iter()
            .flat_map(|r| match r {
                Ok(files) => files.into_iter().map(Ok).collect(),
                Err(d) => vec![Err(d)],
            })
            .collect();
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
        for prefix in tag_prefixes(site) {
            match render_taxonomy(input, templates, &urls, &prefix) {
                Ok((path, file)) => output.add(path, file, &mut errors),
                Err(d) => errors.push(d),
            }
        }
        let term_pages: Vec<Result<Vec<(String, OutFile)>, Diagnostic>> = site
            .tags
            .par_ids()
            .map(|i| render_term(i, input, templates, &urls))
            .collect();
        for page in term_pages {
            match page {
                Ok(files) => {
                    for (path, file) in files {
                        output.add(path, file, &mut errors);
                    }
                }
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
        let permalink = (!urls.origin.is_empty()).then(|| urls.permalink(to));
        let html = redirect_html(&config.language, to, permalink.as_deref());
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

    // A sitemap must list absolute URLs: with a path-only base URL there is none (issue 19).
    let sitemap_list = if urls.origin.is_empty() {
        Vec::new()
    } else {
        sitemaps(input, &urls)
    };
    for (path, text) in sitemap_list {
        output.add(
            path,
            OutFile::new(Data::Bytes(text.into_bytes()), Origin::Generated("mekong")),
            &mut errors,
        );
    }
    // Each other language's feed (issue 20).
    for (lang, view) in urls.langs.iter().enumerate().skip(1) {
        output.add(
            format!("{}/atom.xml", view.code),
            OutFile::new(
                Data::Bytes(atom(input, &urls, lang).into_bytes()),
                Origin::Generated("mekong"),
            ),
            &mut errors,
        );
    }
    let generated = [
        ("atom.xml", atom(input, &urls, 0)),
        ("robots.txt", robots(&urls)),
        (".nojekyll", String::new()),
        ("navigation.json", navigation_json(site, &urls)),
    ];
    for (path, text) in generated {
        // A sitemap must list absolute URLs: with a path-only base URL there is none.
        if path == "sitemap.xml" && urls.origin.is_empty() {
            continue;
        }
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
    prefix: &str,
) -> Result<(String, OutFile), Diagnostic> {
    let site = input.site;
    let terms: Vec<TermView> = site
        .tags
        .iter_enumerated()
        .filter(|(_, t)| t.prefix == prefix)
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
        &format!("{}{prefix}tags/", input.config.base_path),
    );
    let html = templates.render("taxonomy.html", &ctx, None)?;
    Ok((
        format!("{prefix}tags/index.html"),
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
) -> Result<Vec<(String, OutFile)>, Diagnostic> {
    let t = &input.site.tags[i];
    let listed: Vec<SummaryView> = t
        .pages
        .iter()
        .map(|&p| summary_view(p, input, urls))
        .collect();
    let url = &urls.tag_url[i];
    let per = input.config.tags_paginate_by;
    let dir = format!("{}tags/{}/", t.prefix, t.slug);
    let origin = || Origin::Template(templates.shown("term.html"));
    let mut files = Vec::new();
    for pager in paginate::pagers(listed.len(), per) {
        let share = &listed[pager.items.clone()];
        let mut ctx = tera::Context::new();
        if let Some(per) = per {
            ctx.insert(
                "paginator",
                &PaginatorView::new(&pager, per, listed.len(), url, share),
            );
        }
        let view = TermPageView {
            name: &t.name,
            url,
            pages: share,
        };
        ctx.insert("term", &view);
        ctx.insert("title", &t.name);
        let here = paginate::pager_url(url, pager.index);
        insert_chrome(&mut ctx, input.site, urls, None, &here);
        let html = templates.render("term.html", &ctx, None)?;
        files.push((
            paginate::pager_file(&dir, pager.index),
            OutFile::new(Data::Bytes(html.into_bytes()), origin()),
        ));
    }
    if files.len() > 1 {
        files.push(first_pager_redirect(input, urls, &dir, url, origin()));
    }
    Ok(files)
}

/// Every path this build will write, but the search index's: known before rendering.
pub fn expected_paths(input: &Input) -> std::collections::HashSet<String> {
    let site = input.site;
    let mut e: std::collections::HashSet<String> =
        site.nodes.ids().map(|id| site.file(id)).collect();
    for id in site.nodes.ids() {
        let count = pagers_of_node(input, id);
        e.extend(paginate::extra_files(&site.nodes[id].path, count));
    }
    if !site.tags.is_empty() {
        e.extend(tag_prefixes(site).map(|p| format!("{p}tags/index.html")));
        for (i, t) in site.tags.iter_enumerated() {
            let dir = format!("{}tags/{}/", t.prefix, t.slug);
            e.extend(paginate::extra_files(&dir, pagers_of_term(input, i)));
            e.insert(format!("{dir}index.html"));
        }
    }
    e.extend(site.aliases.iter().map(|a| a.file.clone()));
    e.extend(site.assets.values().map(|a| a.out.clone()));
    e.extend(input.content.statics.iter().map(|s| s.rel.clone()));
    e.extend(theme::ASSETS.iter().map(|(p, _)| p.to_string()));
    e.extend(GENERATED.iter().map(|p| p.to_string()));
    e.extend(
        input
            .config
            .translated_languages()
            .map(|l| format!("{}/atom.xml", l.code)),
    );
    if input.config.base_url != input.config.base_path {
        e.extend(sitemap_files(sitemap_len(input), SITEMAP_MAX_URLS));
    }
    e.insert("404.html".into());
    e
}

fn render_node(
    id: NodeId,
    input: &Input,
    templates: &Templates,
    urls: &Urls,
) -> Result<Vec<(String, OutFile)>, Diagnostic> {
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
        // Each language's home is a home page (issue 20).
        None if id == ROOT || site.langs.as_ref().is_some_and(|l| l.roots.contains(&id)) => {
            "index.html".to_string()
        }
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
    // Read back from the spill file (issue 17) once, for this page only.
    let html = crate::markdown::spill::html_of(md_ref).map_err(|e| {
        Diagnostic::new(&shown, format!("cannot read back the rendered page: {e}"))
            .hint("check that the disk holding the output folder is not full, then build again")
    })?;
    let url = &urls.url[id];
    let listed: Vec<SummaryView> = if node.kind == Kind::Section {
        node.children
            .iter()
            .filter(|&&c| site.nodes[c].kind == Kind::Page)
            .map(|&c| summary_view(c, input, urls))
            .collect()
    } else {
        Vec::new()
    };
    let per = front.and_then(|f| f.paginate_by);
    let subs: Vec<SubsectionView> = node
        .children
        .iter()
        .filter(|&&c| node.kind == Kind::Section && site.nodes[c].kind == Kind::Section)
        .map(|&c| SubsectionView {
            title: &site.nodes[c].title,
            url: &urls.url[c],
            description: site.nodes[c]
                .doc
                .and_then(|i| content.docs[i].front.description.as_deref()),
        })
        .collect();
    let (pages, subsections) = match node.kind {
        Kind::Section => (Some(&listed[..]), Some(&subs[..])),
        Kind::Page => (None, None),
    };
    let mut view = DocView {
        title: &node.title,
        description: front.and_then(|f| f.description.as_deref()),
        url,
        permalink: urls.permalink(url),
        path: doc.map(|d| d.rel.clone()).unwrap_or_default(),
        content: &html,
        summary: &md_ref.summary,
        toc: &md_ref.toc,
        show_toc: front.and_then(|f| f.toc).unwrap_or(true) && md_ref.h2_count >= 2,
        toc_enabled: front.and_then(|f| f.toc).unwrap_or(true),
        word_count: md_ref.word_count,
        reading_time: reading_time(md_ref.word_count),
        date: front.and_then(|f| f.date.as_deref()),
        updated: front.and_then(|f| f.updated.as_deref()),
        last_updated: doc.and_then(|d| content.last_updated.get(d.file()).map(String::as_str)),
        edit_url: input
            .config
            .edit_url
            .as_ref()
            .zip(doc)
            .map(|(base, d)| format!("{base}content/{}", url_path(d.file()))),
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
    let name = if node.kind == Kind::Section {
        "section"
    } else {
        "page"
    };
    let origin = || Origin::Page {
        source: shown.clone(),
        template: templates.shown(&template),
    };
    let mut files = Vec::new();
    for pager in paginate::pagers(listed.len(), per) {
        let share = &listed[pager.items.clone()];
        let here = paginate::pager_url(url, pager.index);
        let mut ctx = tera::Context::new();
        if let Some(per) = per {
            view.pages = Some(share);
            ctx.insert(
                "paginator",
                &PaginatorView::new(&pager, per, listed.len(), url, share),
            );
        }
        ctx.insert(name, &view);
        if let Some(p) = node.parent {
            ctx.insert(
                "parent",
                &TitleUrl {
                    title: &site.nodes[p].title,
                    url: &urls.url[p],
                },
            );
        }
        insert_chrome(&mut ctx, site, urls, Some(id), &here);
        ctx.insert("json_ld", &json_ld::for_node(input, urls, id));
        let html = templates.render(&template, &ctx, Some(&shown))?;
        files.push((
            paginate::pager_file(&node.path, pager.index),
            OutFile::new(Data::Bytes(html.into_bytes()), origin()),
        ));
    }
    if files.len() > 1 {
        files.push(first_pager_redirect(input, urls, &node.path, url, origin()));
    }
    Ok(files)
}

/// `<dir>page/1/`, a redirect to the listing's own URL (as Zola makes it).
fn first_pager_redirect(
    input: &Input,
    urls: &Urls,
    dir: &str,
    url: &str,
    origin: Origin,
) -> (String, OutFile) {
    let permalink = (!urls.origin.is_empty()).then(|| urls.permalink(url));
    let html = redirect_html(&input.config.language, url, permalink.as_deref());
    (
        paginate::first_redirect_file(dir),
        OutFile::new(Data::Bytes(html.into_bytes()), origin),
    )
}

/// How many pagers the listing of node `id` has (1 unless it is a paginated section).
pub(crate) fn pagers_of_node(input: &Input, id: NodeId) -> usize {
    let site = input.site;
    let node = &site.nodes[id];
    let per = node
        .doc
        .and_then(|d| input.content.docs[d].front.paginate_by);
    if node.kind != Kind::Section || per.is_none() {
        return 1;
    }
    let listed = node
        .children
        .iter()
        .filter(|&&c| site.nodes[c].kind == Kind::Page)
        .count();
    paginate::pagers(listed, per).len()
}

/// How many pagers the page of tag `t` has.
pub(crate) fn pagers_of_term(input: &Input, t: TagId) -> usize {
    paginate::pagers(
        input.site.tags[t].pages.len(),
        input.config.tags_paginate_by,
    )
    .len()
}
