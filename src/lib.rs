//! mekong: a fast, dependable static documentation site generator.
//!
//! The pipeline, one module per stage, each taking the previous stage's value by reference:
//!
//! 1. [`config`]: `site.yaml` plus command-line overrides becomes a validated `Config`.
//! 2. [`load`]: walk `content/` and `static/`, split and parse front matter into `Doc`s.
//! 3. [`link`]: URLs, slugs, the section tree, reading order, tags, aliases.
//! 4. [`markdown`]: HTML, heading ids, TOC, rewritten links, glossary marks, checked quotations.
//! 5. [`verify`]: every `#anchor` of every Markdown link.
//! 6. [`render`]: Tera templates; every file goes into an [`output::Output`] through a
//!    [`output::Sink`]. [`search`] indexes pages on the way; [`verify::Scanning`] scans them and
//!    [`verify::output()`] checks every internal URL of the output as a browser would.
//! 7. [`write`]: a staging folder beside `public/`, swapped in only on success; [`record`]
//!    remembers what went in and came out, so that an unchanged rebuild stops early.
//!
//! [`build`] runs them all; [`check`] runs all but `write`. Both report every problem found
//! (up to a cap) as located diagnostics rather than stopping at the first. [`session`] keeps a
//! build in memory for `serve`, which is HTTP and file watching around it.

pub mod cli;
pub mod config;
pub mod error;
pub mod ids;
pub mod import;
pub mod init;
pub mod link;
pub mod load;
pub mod markdown;
pub mod output;
pub mod quote;
pub mod record;
pub mod render;
pub mod scan;
pub mod search;
pub mod serve;
pub mod session;
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
    /// Skip syncing the new files to disk before the swap (`--no-fsync`).
    pub no_fsync: bool,
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
    pub output: output::Output,
    pub config: config::Config,
    /// Pages and sections rendered.
    pub pages: usize,
    /// Pages indexed for search (0 with search off).
    pub indexed: usize,
    /// Of the pages indexed, how many were parsed from their HTML (`build` takes the others
    /// from the last build's `.public.search`).
    pub parsed: usize,
    pub warnings: Vec<Diagnostic>,
}

/// What a build did.
#[derive(Debug)]
pub struct Summary {
    pub produced: Produced,
    pub written: write::WriteReport,
}

/// Runs every stage but `write`, keeping the output in memory.
pub fn produce(opts: &Options) -> Result<Produced, Error> {
    let config = load_config(opts)?;
    produce_into(opts, config, Arc::new(output::Memory))
}

/// The first stage: `site.yaml` with the command line's overrides.
fn load_config(opts: &Options) -> Result<config::Config, Error> {
    config::load(
        &opts.root,
        &config::Overrides {
            base_url: opts.base_url.clone(),
        },
    )
}

/// What a build computes before rendering: the stages from config to the anchor check.
pub struct Prepared {
    pub config: config::Config,
    pub content: load::Content,
    pub site: link::Site,
    pub rendered: ids::IdVec<link::NodeId, Option<markdown::Rendered>>,
    pub sources: quote::Sources,
    /// The components pages call from Markdown (issue 13).
    pub components: Option<markdown::Components>,
    /// Highlights code blocks (issue 12), shared by every thread and kept by `serve`.
    pub highlighter: Arc<markdown::highlight::Highlighter>,
    /// What the build says without failing: broken links where `links: warn` applies, why
    /// pages have no last-updated date.
    pub warnings: Vec<Diagnostic>,
}

impl Prepared {
    /// load, link, markdown and the anchor check; every problem found is returned.
    pub fn new(opts: &Options, config: config::Config) -> Result<Prepared, Error> {
        let highlighter = Arc::new(markdown::highlight::Highlighter::new());
        Prepared::with_highlighter(opts, config, highlighter)
    }

    /// [`Prepared::new`] with a highlighter whose cache earlier runs filled (`serve`'s rebuilds,
    /// `build`'s cache file).
    pub fn with_highlighter(
        opts: &Options,
        config: config::Config,
        highlighter: Arc<markdown::highlight::Highlighter>,
    ) -> Result<Prepared, Error> {
        Prepared::prepare(opts, config, highlighter, None)
    }

    /// [`Prepared::with_highlighter`]; with `lean` (build and check, issue 17) each page's
    /// source is freed once its Markdown is rendered (its links keep their positions for the
    /// anchor check) and its HTML waits for render in a spill file in that folder, so a large
    /// site never holds every source or every page's HTML at once.
    fn prepare(
        opts: &Options,
        config: config::Config,
        highlighter: Arc<markdown::highlight::Highlighter>,
        lean: Option<&Path>,
    ) -> Result<Prepared, Error> {
        let (mut content, mut errors) = load::load(
            &opts.root,
            opts.drafts,
            config.title_from_heading,
            lean.is_some(),
        );
        errors.extend(link::i18n::place(&mut content, &config));
        let mut warnings: Vec<Diagnostic> =
            config::relative_base_warning(&config).into_iter().collect();
        if config.last_updated {
            let rels: Vec<&str> = content.docs.iter().map(|d| d.file()).collect();
            let (dates, warning) = load::git::last_updated(&opts.root, &rels);
            content.last_updated = dates;
            warnings.extend(warning);
        }
        let (mut site, link_errors) = link::link(&content, &config.title);
        errors.extend(link_errors);
        // Build inputs in content/ (glossary, source texts) are read, not published, unless
        // site.yaml's `publish:` names them; a link to one is then a link to a missing file.
        for rel in config.unpublished_inputs() {
            site.assets.remove(&rel);
        }
        warnings.extend(link::tag_spelling_warnings(&content, &site));
        // A glossary page that failed to load is reported as such, not as missing.
        let pages: std::collections::BTreeSet<&str> = config
            .glossaries()
            .into_iter()
            .flatten()
            .map(|g| g.page.as_str())
            .collect();
        for page in pages {
            if site.by_rel.contains_key(page) || content.failed.contains(page) {
                continue;
            }
            errors.push(
                Diagnostic::new("site.yaml", format!("glossary page `{page}` is not in content/"))
                    .hint("set `glossary: page:` to the content path of the glossary page, e.g. `glossary.md`"),
            );
        }
        let components = match markdown::Components::load(&opts.root, &config, &content.data) {
            Ok(c) => Some(c),
            Err(e) => {
                errors.extend(e);
                None
            }
        };
        let mut p = Prepared {
            components,
            warnings,
            highlighter,
            sources: quote::Sources::new(&config.sources),
            config,
            content,
            site,
            rendered: ids::IdVec::new(),
        };
        let spill = lean.and_then(markdown::spill::Spill::create);
        let ids: Vec<link::NodeId> = p.site.nodes.ids().collect();
        let mut rendered = ids::IdVec::with_capacity(ids.len());
        // In chunks: a lean load dropped the sources; each chunk's are read back, then freed.
        let content_dir = opts.root.join("content");
        for chunk in ids.chunks(if lean.is_some() { 512 } else { usize::MAX }) {
            let docs = chunk.iter().filter_map(|&id| p.site.nodes[id].doc);
            errors.extend(load::read_back(&mut p.content.docs, docs, &content_dir));
            // Each language marks its own glossary's terms (issue 20).
            let envs: Vec<markdown::Env> = (0..p.config.glossaries().len())
                .map(|l| p.markdown_env_for(l))
                .collect();
            let results: Vec<(Option<markdown::Rendered>, Vec<Diagnostic>)> = chunk
                .par_iter()
                .map(|&id| match p.site.nodes[id].doc {
                    Some(i) => {
                        let mut errs = Vec::new();
                        let env = &envs[p.site.lang_of(id).min(envs.len() - 1)];
                        let mut r = markdown::render(&p.content.docs[i], id, env, &mut errs);
                        // Every page's summary is held until render: not with the spare
                        // capacity of a grown String; nor the HTML, where it is not spilled.
                        r.summary.shrink_to_fit();
                        match spill.as_ref().and_then(|s| s.put(&r.html)) {
                            Some(spilled) => {
                                r.html = String::new();
                                r.spilled = Some(spilled);
                            }
                            None => r.html.shrink_to_fit(),
                        }
                        (Some(r), errs)
                    }
                    None => (None, Vec::new()),
                })
                .collect();
            drop(envs);
            for (&id, (mut r, errs)) in chunk.iter().zip(results) {
                if let Some(r) = r.as_mut() {
                    p.warnings.append(&mut r.warnings);
                    if let (Some(_), Some(i)) = (lean, p.site.nodes[id].doc) {
                        let doc = &mut p.content.docs[i];
                        for l in r.links.iter_mut().filter(|l| !l.fragment.is_empty()) {
                            l.line_col = Some(error::line_col(&doc.text, l.offset));
                        }
                        doc.text = String::new();
                        doc.body_start = 0;
                    }
                }
                rendered.push(r);
                errors.extend(errs);
            }
        }
        p.rendered = rendered;
        errors.extend(verify::anchors(&p.content, &p.site, &p.rendered, &p.config));
        if lean.is_some() {
            // Checked: render needs neither a page's ids nor its links.
            for r in p.rendered.iter_mut().flatten() {
                r.ids = Vec::new();
                r.links = Vec::new();
            }
        }
        let (errors, warnings) = verify::by_link_policy(errors, &p.content, &p.config);
        p.warnings.extend(warnings);
        if errors.is_empty() {
            Ok(p)
        } else {
            Err(errors.into())
        }
    }

    /// The Markdown environment of node `id`'s page: its language's glossary.
    pub(crate) fn markdown_env_of(&self, id: link::NodeId) -> markdown::Env<'_> {
        self.markdown_env_for(self.site.lang_of(id))
    }

    /// The Markdown environment of language `lang` (0, the default): its glossary.
    fn markdown_env_for(&self, lang: usize) -> markdown::Env<'_> {
        let glossary = self.config.glossaries().get(lang).copied().flatten();
        let glossary_node = glossary.and_then(|g| self.site.by_rel.get(&g.page).copied());
        markdown::Env {
            site: &self.site,
            content: &self.content,
            config: &self.config,
            sources: &self.sources,
            glossary: match (glossary, glossary_node) {
                (Some(g), Some(n)) => Some((
                    format!("{}{}", self.config.base_path, self.site.nodes[n].path),
                    g.entries.as_slice(),
                )),
                _ => None,
            },
            glossary_node,
            components: self.components.as_ref(),
            highlighter: Some(&self.highlighter),
            code: markdown::code::options(&self.config.code),
        }
    }

    pub(crate) fn input(&self) -> render::Input<'_> {
        render::Input {
            config: &self.config,
            content: &self.content,
            site: &self.site,
            rendered: &self.rendered,
        }
    }

    /// Compiles the templates, with `get_page` answering from this build.
    fn templates(&self, root: &Path) -> Result<render::Templates, Error> {
        let templates = render::Templates::load(root, &self.config, Arc::default())?
            .with_data(&self.content.data);
        // A summary of every page, as Tera values: only for templates that ask (issue 17).
        if templates.uses_get_page() {
            templates.set_pages(render::page_index(&self.input()));
        }
        Ok(templates)
    }

    /// Renders, indexes for search (when `search` and the site has it on; with the store of
    /// parsed pages at `store`, if given) and checks the output; files go to `sink` as they
    /// are made, each scanned for the output check first.
    pub(crate) fn render(
        &self,
        root: &Path,
        sink: Arc<dyn output::Sink>,
        search: bool,
        store: Option<&Path>,
    ) -> Result<
        (
            output::Output,
            render::Templates,
            [usize; 2],
            Vec<Diagnostic>,
        ),
        Error,
    > {
        let templates = self.templates(root)?;
        let input = self.input();
        let checker = verify::Checker::new(&self.config, render::expected_paths(&input));
        let sink = Arc::new(verify::Scanning::new(checker, sink));
        let indexer = (search && self.config.search)
            .then(|| search::Indexer::start_with(&self.config, store));
        let (mut output, mut errors) = render::render(&input, &templates, sink, indexer.as_ref());
        let mut indexed = [0, 0];
        if let Some(indexer) = indexer {
            match indexer.finish(errors.is_empty()) {
                Ok(index) => {
                    indexed = [index.pages, index.parsed];
                    for f in index.files {
                        output.add(
                            f.path,
                            output::OutFile::new(
                                output::Data::Bytes(f.bytes),
                                output::Origin::Generated("the search index"),
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
        let (errors, warnings) = verify::by_link_policy(
            verify::output(&output, &self.config),
            &self.content,
            &self.config,
        );
        if !errors.is_empty() {
            return Err(errors.into());
        }
        Ok((output, templates, indexed, warnings))
    }
}

/// Runs every stage but the final swap; rendered files go to `sink` as they are made.
pub fn produce_into(
    opts: &Options,
    config: config::Config,
    sink: Arc<dyn output::Sink>,
) -> Result<Produced, Error> {
    let highlighter = Arc::new(markdown::highlight::Highlighter::new());
    produce_with(opts, config, sink, highlighter, &std::env::temp_dir(), None)
}

/// The pipeline up to the swap; rendered HTML waits for render in a spill file in `spill_dir`;
/// the search index reads and writes the store of parsed pages at `store`, if given.
fn produce_with(
    opts: &Options,
    config: config::Config,
    sink: Arc<dyn output::Sink>,
    highlighter: Arc<markdown::highlight::Highlighter>,
    spill_dir: &Path,
    store: Option<&Path>,
) -> Result<Produced, Error> {
    // A lean prepare holds no source by now: load dropped them, each chunk freed its own.
    let mut prepared = Prepared::prepare(opts, config, highlighter, Some(spill_dir))?;
    let (output, _, [indexed, parsed], link_warnings) =
        prepared.render(&opts.root, sink, true, store)?;
    let mut warnings = std::mem::take(&mut prepared.warnings);
    warnings.extend(link_warnings);
    warnings.extend(pages_warnings(&output));
    Ok(Produced {
        output,
        pages: prepared.site.nodes.len(),
        indexed,
        parsed,
        warnings,
        config: prepared.config,
    })
}

/// Builds the site and writes it to the output folder. When no input changed since the last
/// build and the output is as that build left it, nothing is rendered or written.
pub fn build(opts: &Options) -> Result<Summary, Error> {
    let out = opts.output_dir();
    let shown = error::relative(&opts.root, &out);
    write::check_location(&opts.root, &out)?;
    // The lock: one build at a time per output folder, from the record check to the swap.
    let staging = write::Staging::begin_with(&out, &shown, !opts.no_fsync)?;
    let config = load_config(opts)?;

    // The build record: stop here if nothing changed, else forget it until the swap is done.
    let mut extra: Vec<PathBuf> = config.sources.values().map(|s| s.path.clone()).collect();
    extra.extend(
        config
            .glossaries()
            .into_iter()
            .flatten()
            .map(|g| g.file.clone()),
    );
    // With `last_updated: git`, a new commit changes pages' dates: it is part of the key.
    let head = match config.last_updated {
        true => load::git::head(&opts.root).unwrap_or_default(),
        false => String::new(),
    };
    let last = record::Record::read(&out);
    let key = record::Record::key(
        &opts.root,
        &format!("{:?}|{}|{head}", opts.base_url, opts.drafts),
        &extra,
        last.as_ref(),
    );
    if let (Some(k), Some(last)) = (&key, &last)
        && last.key == k.key
        && last.intact(&out)
    {
        return Ok(unchanged_summary(last, config));
    }
    record::Record::remove(&out);
    let previous = last.map(|r| r.previous()).unwrap_or_default();
    let staging = Arc::new(staging.with_previous(previous));

    // Highlighted blocks of the last build (issue 12): only changed blocks are highlighted.
    let highlighter = Arc::new(markdown::highlight::Highlighter::new());
    let cache_file = beside(&out, "highlight");
    highlighter.load_cache(&cache_file);
    // The spill file goes beside the output, on the same disk as the staging folder.
    let spill_dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let produced = produce_with(
        opts,
        config,
        staging.clone(),
        highlighter.clone(),
        &spill_dir,
        Some(&beside(&out, "search")),
    )?;
    let written = write::finish(&staging, &produced.output)?;
    // A cache that cannot be saved costs the next build time, nothing else.
    let _ = highlighter.save_cache(&cache_file);

    if let Some(key) = key {
        record::Record::of_output(
            key,
            produced.pages,
            produced.indexed,
            &out,
            produced.output.files.keys().cloned(),
            &staging.hashes(),
        )
        .write(&out);
    }
    Ok(Summary { produced, written })
}

/// A file kept beside the output folder, next to the build record: for `public` and
/// `highlight`, `.public.highlight` (the highlighted blocks; `search`: the parsed pages).
fn beside(out: &Path, what: &str) -> PathBuf {
    let name = out.file_name().unwrap_or_default().to_string_lossy();
    out.with_file_name(format!(".{name}.{what}"))
}

/// What a build that stopped early reports: the last build's files, all unchanged.
fn unchanged_summary(last: &record::Record, config: config::Config) -> Summary {
    let mut output = output::Output::default();
    for (p, stamp, _) in &last.files {
        output.files.insert(
            p.clone(),
            output::OutFile::new(
                output::Data::Unchanged(stamp.len),
                output::Origin::Generated("the previous build"),
            ),
        );
    }
    let written = write::WriteReport {
        unchanged: last.files.len(),
        ..Default::default()
    };
    let produced = Produced {
        output,
        config,
        pages: last.pages,
        indexed: last.indexed,
        parsed: last.indexed,
        warnings: Vec::new(),
    };
    Summary { produced, written }
}

/// Runs the whole pipeline, checking every output file and then dropping it; writes nothing.
pub fn check(opts: &Options) -> Result<Produced, Error> {
    let config = load_config(opts)?;
    produce_into(opts, config, Arc::new(output::Discard))
}

/// GitHub Pages limits: the artifact must stay under 1 GB.
fn pages_warnings(output: &output::Output) -> Vec<Diagnostic> {
    let size: u64 = output.files.values().map(|f| f.data.size()).sum();
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
