//! mekong: a fast, dependable static documentation site generator.
//!
//! The pipeline, one module per stage, each taking the previous stage's value by reference:
//!
//! 1. [`config`]: `site.yaml` plus command-line overrides becomes a validated `Config`.
//! 2. [`load`]: walk `content/` and `static/`, split and parse front matter into `Doc`s.
//! 3. [`link`]: URLs, slugs, the section tree, reading order, tags, aliases.
//! 4. [`markdown`]: HTML, heading ids, TOC, rewritten links, glossary marks, checked quotations.
//! 5. [`verify`]: every `#anchor` of every Markdown link.
//! 6. [`render`]: Tera templates into an in-memory `Output`; [`search`] adds the index;
//!    [`verify::output`] checks every internal URL of the output as a browser would.
//! 7. [`write`]: a staging folder beside `public/`, swapped in only on success.
//!
//! [`build`] runs them all; [`check`] runs all but `write`. Both report every problem found
//! (up to a cap) as located diagnostics rather than stopping at the first.

pub mod cli;
pub mod config;
pub mod error;
pub mod init;
pub mod link;
pub mod load;
pub mod markdown;
pub mod quote;
pub mod render;
pub mod search;
pub mod serve;
pub mod theme;
pub mod verify;
pub mod write;
mod yaml;

use error::{Diagnostic, Error};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What `build` and `check` take.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The site folder.
    pub root: PathBuf,
    /// The output folder; default `root/public`.
    pub output: Option<PathBuf>,
    /// Overrides `base_url` of site.yaml.
    pub base_url: Option<String>,
    /// Include drafts.
    pub drafts: bool,
}

impl Options {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Options {
            root: root.into(),
            ..Default::default()
        }
    }

    pub fn output_dir(&self) -> PathBuf {
        self.output
            .clone()
            .unwrap_or_else(|| self.root.join("public"))
    }
}

/// A site produced in memory, before it is written.
#[derive(Debug)]
pub struct Produced {
    pub output: render::Output,
    pub config: config::Config,
    /// Pages and sections rendered.
    pub pages: usize,
    /// Pages indexed for search (0 with search off).
    pub indexed: usize,
    pub warnings: Vec<Diagnostic>,
}

/// What a build did.
#[derive(Debug)]
pub struct Summary {
    pub produced: Produced,
    pub written: write::WriteReport,
}

/// Runs every stage but `write`, keeping the output in memory (what `serve` needs).
pub fn produce(opts: &Options) -> Result<Produced, Error> {
    produce_into(opts, Arc::new(render::Sink::Memory))
}

/// Runs every stage but the final swap; rendered files go to `sink` as they are made.
pub fn produce_into(opts: &Options, sink: Arc<render::Sink>) -> Result<Produced, Error> {
    let config = config::load(
        &opts.root,
        &config::Overrides {
            base_url: opts.base_url.clone(),
        },
    )?;
    let (content, mut errors) = load::load(&opts.root, opts.drafts);
    let (site, link_errors) = link::link(&content, &config.title);
    errors.extend(link_errors);

    let sources = quote::Sources::new(&config.sources);
    let glossary_node = config
        .glossary
        .as_ref()
        .and_then(|g| site.by_rel.get(&g.page).copied());
    if let Some(g) = &config.glossary
        && glossary_node.is_none()
    {
        errors.push(
            Diagnostic::new("site.yaml", format!("glossary page `{}` is not in content/", g.page))
                .hint("set `glossary: page:` to the content path of the glossary page, e.g. `glossary.md`"),
        );
    }
    let shared = markdown::Shared {
        site: &site,
        content: &content,
        config: &config,
        sources: &sources,
        glossary: match (&config.glossary, glossary_node) {
            (Some(g), Some(n)) => Some((
                format!("{}{}", config.base_path, site.nodes[n].path),
                g.entries.as_slice(),
            )),
            _ => None,
        },
        glossary_node,
    };
    let results: Vec<(Option<markdown::Rendered>, Vec<Diagnostic>)> = (0..site.nodes.len())
        .into_par_iter()
        .map(|id| match site.nodes[id].doc {
            Some(i) => {
                let mut errs = Vec::new();
                let r = markdown::render(&content.docs[i], id, &shared, &mut errs);
                (Some(r), errs)
            }
            None => (None, Vec::new()),
        })
        .collect();
    let mut rendered = Vec::with_capacity(results.len());
    for (r, errs) in results {
        rendered.push(r);
        errors.extend(errs);
    }
    errors.extend(verify::anchors(&content, &site, &rendered, &config));
    if !errors.is_empty() {
        return Err(errors.into());
    }
    // The Markdown sources are rendered and checked: free them before rendering a large site.
    let mut content = content;
    for doc in &mut content.docs {
        doc.text = String::new();
        doc.body_start = 0;
    }

    let input = render::Input {
        config: &config,
        content: &content,
        site: &site,
        rendered: &rendered,
    };
    let templates =
        render::Templates::load(&opts.root, &config, Arc::new(render::page_index(&input)))?;
    let indexer = config.search.then(|| search::Indexer::start(&config));
    let (mut output, mut errors) = render::render(&input, &templates, sink, indexer.as_ref());
    let mut indexed = 0;
    if let Some(indexer) = indexer {
        match indexer.finish() {
            Ok((n, files)) => {
                indexed = n;
                for f in files {
                    output.add(
                        f.path,
                        render::OutFile::new(
                            render::Data::Bytes(f.bytes),
                            render::Origin::Generated("the search index"),
                        ),
                        &mut errors,
                    );
                }
            }
            Err(d) => errors.push(d),
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let errors = verify::output(&output, &config);
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let warnings = pages_warnings(&output);
    Ok(Produced {
        output,
        pages: site.nodes.len(),
        indexed,
        warnings,
        config,
    })
}

/// Builds the site and writes it to the output folder. When no input changed since the last
/// build and the output is as that build left it, nothing is rendered or written.
pub fn build(opts: &Options) -> Result<Summary, Error> {
    let out = opts.output_dir();
    let shown = error::relative(&opts.root, &out);
    let staging = write::Staging::begin(&out, &shown)?;
    let config = config::load(
        &opts.root,
        &config::Overrides {
            base_url: opts.base_url.clone(),
        },
    )?;
    let extra: Vec<PathBuf> = config.sources.values().map(|s| s.path.clone()).collect();
    let key = write::Manifest::key(
        &opts.root,
        &format!("{:?}|{}", opts.base_url, opts.drafts),
        &extra,
    );
    if let Some(m) = write::Manifest::read(&out)
        && m.key == key
        && m.intact(&out)
    {
        let mut output = render::Output::default();
        for (p, len, _) in &m.files {
            output.files.insert(
                p.clone(),
                render::OutFile::new(
                    render::Data::Unchanged(*len),
                    render::Origin::Generated("the previous build"),
                ),
            );
        }
        let written = write::WriteReport {
            unchanged: m.files.len(),
            ..Default::default()
        };
        let produced = Produced {
            output,
            config,
            pages: m.pages,
            indexed: m.indexed,
            warnings: Vec::new(),
        };
        return Ok(Summary { produced, written });
    }
    write::Manifest::remove(&out);
    let produced = produce_into(opts, Arc::new(render::Sink::Stage(staging)))?;
    let written = write::finish(&produced.output)?;
    write::Manifest::record(
        key,
        produced.pages,
        produced.indexed,
        &out,
        produced.output.files.keys().cloned(),
    )
    .write(&out);
    Ok(Summary { produced, written })
}

/// Runs the whole pipeline, checking every output file and then dropping it; writes nothing.
pub fn check(opts: &Options) -> Result<Produced, Error> {
    produce_into(opts, Arc::new(render::Sink::Discard))
}

/// GitHub Pages limits: the artifact must stay under 1 GB.
fn pages_warnings(output: &render::Output) -> Vec<Diagnostic> {
    let size: u64 = output.files.values().map(|f| f.data.len()).sum();
    let mut w = Vec::new();
    if size > 1_000_000_000 {
        w.push(
            Diagnostic::new(
                Path::new("public"),
                format!(
                    "the site is {} MB; GitHub Pages refuses sites over 1 GB",
                    size / 1_000_000
                ),
            )
            .hint("move large files elsewhere or host the site another way"),
        );
    }
    w
}
