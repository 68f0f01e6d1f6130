//! The in-memory build that `serve` keeps: every stage's result, so that saving one page's
//! body re-renders only what shows that page instead of the whole site.
//!
//! [`Session::start`] runs the same stages as `build` into a [`Memory`] sink. [`Session::update`]
//! takes one changed Markdown file: when its front matter still places the page the same way
//! (title, weight, slug, tags, template... see `load::FrontMatter::places_like`), it renders
//! that page's Markdown again, re-checks its links (and links into it if its headings changed),
//! and re-renders the page, its section's listing, and, when its summary changed, its tag pages
//! and the feed. Anything else returns `None`, and `serve` runs a full build. Either way
//! [`Session::warnings`] holds what that build or re-render warned about, for `serve` to print.

use crate::error::{self, Diagnostic, Error};
use crate::output::{Data, Memory, Output};
use crate::{Options, Prepared, load, markdown, render, verify};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// A build kept in memory with everything it computed, so that `serve` can rebuild one page
/// whose body changed without rebuilding the site.
pub struct Session {
    pub opts: Options,
    prepared: Prepared,
    templates: render::Templates,
    pub output: Output,
    /// A change since this build failed: until a full build succeeds, every change rebuilds
    /// the site, so that an error in one file is never hidden by a good save of another.
    failing: bool,
    /// Replaced at every change, so that a search index made from an older state is known to
    /// be stale (compared by pointer).
    version: Arc<()>,
    /// The warnings of the last full build or one-page update (issue 12: an unknown language
    /// added while serving is reported like in `build`).
    warnings: Vec<Diagnostic>,
}

/// The search index of a session's pages, to be made away from the lock that requests take:
/// with search on, a session renders without the index, and `serve` runs the job (on its own
/// thread) after each change, then hands the files back with [`Session::add_search_index`].
pub struct SearchJob {
    version: Arc<()>,
    config: crate::config::Config,
    /// (URL with the base path, HTML) of every page and section, in node order: Pagefind's
    /// file names depend on the order, and `build` feeds it the same way.
    pages: Vec<(String, Vec<u8>)>,
}

impl SearchJob {
    /// Indexes the pages; the index files (paths under `pagefind/`) or the indexer's error.
    /// Pages whose HTML `cache` parsed before are not parsed again (issue 16: an edit in
    /// `serve` re-parses the pages it changed); `cache` becomes this index's.
    pub fn run(
        self,
        cache: &mut crate::search::ParseCache,
    ) -> (Arc<()>, Result<Vec<crate::search::IndexFile>, Error>) {
        use rayon::prelude::*;
        let indexer = crate::search::Indexer::start(&self.config);
        let old = std::mem::take(cache).for_config(&self.config);
        let mut fresh = Vec::new();
        for chunk in self.pages.chunks(512) {
            let parsed: Vec<_> = chunk
                .par_iter()
                .map(|(url, html)| indexer.parse_cached(&old, url, html))
                .collect();
            for (page, new) in parsed {
                indexer.add(page);
                fresh.extend(new);
            }
        }
        let files = indexer
            .finish(true)
            .map(|index| index.files)
            .map_err(Error::from);
        if files.is_ok() {
            *cache = old.renew(self.pages.iter().map(|(url, _)| url.as_str()), fresh);
        }
        (self.version, files)
    }
}

/// How [`apply`] brought a session up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Only what shows the saved pages was rendered again.
    Updated,
    /// Every page was rendered again with the changed templates, from the Markdown already
    /// rendered (no load, no Markdown stage).
    Rerendered,
    /// The whole site was built again.
    Rebuilt,
}

/// Brings the session in `slot` up to date with the files in `changed` (absolute, or relative
/// to the site root; empty for the first build), as `serve` does after each burst of saves,
/// and returns how, with the output paths whose bytes changed.
///
/// A change goes through [`Session::update`] when every changed file is the body of a Markdown
/// page that the session knows and no earlier change failed; a change to page templates alone
/// renders every page again from the kept Markdown ([`Applied::Rerendered`]); anything else, or
/// an update that cannot tell what depends on the change, builds the site again. A full build runs outside
/// the lock (requests keep being answered from the last good build) and replaces the session
/// only if it succeeds. On failure the last good build stays in `slot`, marked as failing.
pub fn apply(
    slot: &RwLock<Option<Session>>,
    opts: &Options,
    changed: &[PathBuf],
) -> Result<(Applied, Vec<String>), Error> {
    let bodies_only = !changed.is_empty()
        && changed
            .iter()
            .all(|p| p.extension().is_some_and(|e| e == "md") && p.is_file());
    if bodies_only {
        let mut guard = slot.write().unwrap_or_else(|e| e.into_inner());
        if let Some(session) = guard.as_mut().filter(|s| !s.failing) {
            let mut all = Vec::new();
            let mut warnings = Vec::new();
            let mut outcome = Some(Ok(()));
            for path in changed {
                match session.update(path) {
                    Some(Ok(paths)) => {
                        all.extend(paths);
                        warnings.append(&mut session.warnings);
                    }
                    Some(Err(e)) => {
                        outcome = Some(Err(e));
                        break;
                    }
                    None => {
                        outcome = None;
                        break;
                    }
                }
            }
            match outcome {
                Some(Ok(())) => {
                    session.warnings = warnings;
                    all.sort();
                    all.dedup();
                    return Ok((Applied::Updated, all));
                }
                Some(Err(e)) => {
                    session.failing = true;
                    return Err(e);
                }
                None => {}
            }
        }
    }
    if !changed.is_empty() && changed.iter().all(|p| is_page_template(&opts.root, p)) {
        let guard = slot.read().unwrap_or_else(|e| e.into_inner());
        if let Some(old) = guard.as_ref().filter(|s| !s.failing) {
            let rendered = old
                .prepared
                .render(&opts.root, Arc::new(Memory), false, None);
            drop(guard);
            let mut guard = slot.write().unwrap_or_else(|e| e.into_inner());
            if let Some(session) = guard.as_mut() {
                return match rendered {
                    Ok((mut output, templates, _, link_warnings)) => {
                        keep_search_index(&session.output, &mut output);
                        let diff = differing(&session.output, &output);
                        session.output = output;
                        session.templates = templates;
                        session.version = Arc::new(());
                        session.warnings = session.prepared.warnings.clone();
                        session.warnings.extend(link_warnings);
                        Ok((Applied::Rerendered, diff))
                    }
                    Err(e) => {
                        session.failing = true;
                        Err(e)
                    }
                };
            }
        }
    }
    let highlighter = slot
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .map(|s| s.prepared.highlighter.clone())
        .unwrap_or_default();
    match Session::start_with(opts, highlighter) {
        Ok(mut new) => {
            let mut guard = slot.write().unwrap_or_else(|e| e.into_inner());
            if let Some(old) = guard.as_ref().filter(|_| new.prepared.config.search) {
                keep_search_index(&old.output, &mut new.output);
            }
            let diff = match guard.as_ref() {
                Some(old) => differing(&old.output, &new.output),
                None => new.output.files.keys().cloned().collect(),
            };
            *guard = Some(new);
            Ok((Applied::Rebuilt, diff))
        }
        Err(e) => {
            if let Some(old) = slot.write().unwrap_or_else(|e| e.into_inner()).as_mut() {
                old.failing = true;
            }
            Err(e)
        }
    }
}

/// Until the search worker refreshes it, a rebuilt session serves the last search index (a
/// few seconds stale) rather than none: searching keeps working while the index is made.
fn keep_search_index(old: &Output, new: &mut Output) {
    for (path, f) in &old.files {
        if matches!(
            f.origin,
            crate::output::Origin::Generated("the search index")
        ) {
            new.files.entry(path.clone()).or_insert_with(|| f.clone());
        }
    }
}

/// Whether `path` (absolute, or relative to `root`) is a page template: a file under
/// `templates/` other than the components under `templates/components/`, which Markdown
/// calls too. Templates are read by render alone, so a change to one renders the kept
/// Markdown again; a component, like any other input, rebuilds the site.
fn is_page_template(root: &Path, path: &Path) -> bool {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut parts = rel.components().map(|c| c.as_os_str());
    parts.next().is_some_and(|c| c == "templates")
        && parts.next().is_some_and(|c| c != "components")
}

/// Output paths whose bytes differ between two builds (copied files compare by source path).
fn differing(old: &Output, new: &Output) -> Vec<String> {
    let mut diff = Vec::new();
    for (path, f) in &new.files {
        let same = match (old.files.get(path).map(|o| &o.data), &f.data) {
            (Some(Data::Bytes(a)), Data::Bytes(b)) => a == b,
            (Some(Data::File(a)), Data::File(b)) => a == b,
            _ => false,
        };
        if !same {
            diff.push(path.clone());
        }
    }
    diff.extend(
        old.files
            .keys()
            .filter(|p| !new.files.contains_key(*p))
            .cloned(),
    );
    diff
}

impl Session {
    /// A complete build in memory.
    pub fn start(opts: &Options) -> Result<Session, Error> {
        Session::start_with(opts, Default::default())
    }

    /// [`Session::start`] with the highlighter of the session it replaces, whose cache holds
    /// every block seen so far: a full rebuild highlights only new blocks (issue 12).
    pub fn start_with(
        opts: &Options,
        highlighter: Arc<crate::markdown::highlight::Highlighter>,
    ) -> Result<Session, Error> {
        let config = crate::load_config(opts)?;
        let prepared = Prepared::with_highlighter(opts, config, highlighter)?;
        // The search index is made afterwards, off the request path (see `SearchJob`).
        let (output, templates, _, link_warnings) =
            prepared.render(&opts.root, Arc::new(Memory), false, None)?;
        let mut warnings = prepared.warnings.clone();
        warnings.extend(link_warnings);
        Ok(Session {
            opts: opts.clone(),
            prepared,
            templates,
            output,
            failing: false,
            version: Arc::new(()),
            warnings,
        })
    }

    /// Applies a change to the Markdown file `path` (absolute or relative to the root). When
    /// only the body changed (the front matter still places the page the same way), renders
    /// its Markdown again, checks its links (and every link into it if its headings changed),
    /// re-renders what shows it (see [`render::rerender_page`]) and returns the output paths
    /// that changed. `None` means the change needs a full rebuild.
    pub fn update(&mut self, path: &Path) -> Option<Result<Vec<String>, Error>> {
        let rel = path
            .strip_prefix(self.opts.root.join("content"))
            .ok()?
            .to_str()?
            .replace('\\', "/");
        let id = *self.prepared.site.by_rel.get(&rel)?;
        let i = self.prepared.site.nodes[id].doc?;
        let text = match error::fs::read_to_string(path, &Path::new("content").join(&rel)) {
            Ok(t) => t,
            Err(d) => return Some(Err(d.into())),
        };
        let doc = match load::parse_doc(&rel, text, self.prepared.config.title_from_heading) {
            Ok(d) => d,
            Err(ds) => return Some(Err(ds.into())),
        };
        if !self.prepared.content.docs[i].front.places_like(&doc.front) {
            return None;
        }
        let old = std::mem::replace(&mut self.prepared.content.docs[i], doc);
        self.version = Arc::new(());
        let mut errors = Vec::new();
        let mut r = markdown::render(
            &self.prepared.content.docs[i],
            id,
            &self.prepared.markdown_env_of(id),
            &mut errors,
        );
        let mut warnings = std::mem::take(&mut r.warnings);
        let old_rendered = self.prepared.rendered[id].replace(r);
        // Links into this page need checking again only if its headings changed.
        let same_ids = old_rendered.as_ref().map(|r| &r.ids)
            == self.prepared.rendered[id].as_ref().map(|r| &r.ids);
        errors.extend(verify::anchors_from(
            &self.prepared.content,
            &self.prepared.site,
            &self.prepared.rendered,
            &self.prepared.config,
            same_ids.then_some(id),
        ));
        // `links: warn`: broken links there are warnings, as in a full build.
        let (errors, link_warnings) =
            verify::by_link_policy(errors, &self.prepared.content, &self.prepared.config);
        warnings.extend(link_warnings);
        if !errors.is_empty() {
            // Keep the last good state: the next save starts from it.
            self.prepared.content.docs[i] = old;
            self.prepared.rendered[id] = old_rendered;
            return Some(Err(errors.into()));
        }
        // `get_page` answers from the page index, which holds this page's summary.
        self.templates.update_page(&self.prepared.input(), id);
        let summary_changed = old_rendered.as_ref().map(|r| &r.summary)
            != self.prepared.rendered[id].as_ref().map(|r| &r.summary);
        let changed = match render::rerender_page(
            &self.prepared.input(),
            &self.templates,
            &mut self.output,
            id,
            summary_changed,
        )? {
            Ok(changed) => changed,
            Err(errors) => return Some(Err(errors.into())),
        };
        // New headings can break a `#fragment` anywhere, also in links that templates or raw
        // HTML make: then the whole output is checked again (the scans are kept, so this is
        // cheap); else only the files that changed.
        let found = if same_ids {
            let only: std::collections::HashSet<&str> =
                changed.iter().map(String::as_str).collect();
            verify::output_of(&self.output, &self.prepared.config, Some(&only))
        } else {
            verify::output(&self.output, &self.prepared.config)
        };
        let (errors, link_warnings) =
            verify::by_link_policy(found, &self.prepared.content, &self.prepared.config);
        warnings.extend(link_warnings);
        self.warnings = warnings;
        Some(if errors.is_empty() {
            Ok(changed)
        } else {
            Err(Error::from(errors))
        })
    }

    /// What the search index of this state needs, when the site has search on.
    pub fn search_job(&self) -> Option<SearchJob> {
        let config = &self.prepared.config;
        if !config.search {
            return None;
        }
        let site = &self.prepared.site;
        let pages = site
            .nodes
            .iter_enumerated()
            .filter_map(|(id, node)| {
                let html = self.output.bytes(&site.file(id))?;
                Some((format!("{}{}", config.base_path, node.path), html.to_vec()))
            })
            .collect();
        Some(SearchJob {
            version: self.version.clone(),
            config: config.clone(),
            pages,
        })
    }

    /// Puts in the index files that a [`SearchJob`] of this very state made, replacing the
    /// previous index; returns false (and changes nothing) if the session changed meanwhile.
    pub fn add_search_index(
        &mut self,
        version: &Arc<()>,
        files: Vec<crate::search::IndexFile>,
    ) -> bool {
        if !Arc::ptr_eq(version, &self.version) {
            return false;
        }
        self.output.files.retain(|_, f| {
            !matches!(
                f.origin,
                crate::output::Origin::Generated("the search index")
            )
        });
        for f in files {
            self.output.files.insert(
                f.path,
                crate::output::OutFile::new(
                    Data::Bytes(f.bytes),
                    crate::output::Origin::Generated("the search index"),
                ),
            );
        }
        true
    }

    /// What the last full build or one-page update warned about (the update's page only).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    pub fn pages(&self) -> usize {
        self.prepared.site.nodes.len()
    }
}
