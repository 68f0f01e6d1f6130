//! The output: every file a build produces, and the [`Sink`] that takes each one as it is made.
//!
//! This is the bottom of the render side and imports none of the stages. `render` adds files to
//! an [`Output`]; the sink decides where their bytes go: kept in memory ([`Memory`], for
//! `serve`), dropped once checked ([`Discard`], for `check`), or streamed into the staging
//! folder (`write::Staging`). `verify` wraps any sink to scan each page for the output check
//! before its bytes leave memory. `lib` puts the chain together, so producers and consumers
//! never name each other (ripgrep's `grep-searcher` Sink keeps its searcher and printers apart
//! the same way).

use crate::error::Diagnostic;
use std::collections::BTreeMap;
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
    pub scan: Option<Scan>,
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

/// The ids and outgoing URLs of one HTML document, kept compact: a large site keeps one per
/// page until the output check.
#[derive(Debug, Default, Clone)]
pub struct Scan {
    /// Sorted, for binary search.
    pub ids: Vec<Box<str>>,
    /// Distinct URLs in order of appearance.
    pub urls: Vec<Box<str>>,
    /// The page's `<base href>`, against which its relative URLs resolve.
    pub base: Option<Box<str>>,
    /// Ids that more than one element of the page has (issue 13): the output check rejects them.
    pub duplicate_ids: Vec<Box<str>>,
}

impl Scan {
    pub fn has_id(&self, id: &str) -> bool {
        self.ids.binary_search_by(|i| i.as_ref().cmp(id)).is_ok()
    }
}

/// Where rendered files go as soon as they are made, so that a large site is never held in
/// memory whole. A sink takes a file and returns what the [`Output`] keeps of it: the same
/// bytes, or a [`Data`] that says where they went. A file that is no longer [`Data::Bytes`]
/// passes through unchanged, so taking a file twice is harmless.
pub trait Sink: Send + Sync + std::fmt::Debug {
    fn take(&self, path: &str, file: OutFile) -> Result<OutFile, Diagnostic>;
}

/// Keeps every file in memory (`serve`, tests).
#[derive(Debug, Default)]
pub struct Memory;

impl Sink for Memory {
    fn take(&self, _: &str, file: OutFile) -> Result<OutFile, Diagnostic> {
        Ok(file)
    }
}

/// Drops the bytes, keeping their length (`check`).
#[derive(Debug, Default)]
pub struct Discard;

impl Sink for Discard {
    fn take(&self, _: &str, mut file: OutFile) -> Result<OutFile, Diagnostic> {
        if let Data::Bytes(b) = &file.data {
            file.data = Data::Dropped(b.len() as u64);
        }
        Ok(file)
    }
}

/// The whole site, keyed by output path (`topics/trade/index.html`).
#[derive(Debug)]
pub struct Output {
    pub files: BTreeMap<String, OutFile>,
    /// Where each new file goes as soon as it is added.
    pub sink: Arc<dyn Sink>,
}

impl Default for Output {
    fn default() -> Self {
        Output::new(Arc::new(Memory))
    }
}

impl Output {
    pub fn new(sink: Arc<dyn Sink>) -> Self {
        Output {
            files: BTreeMap::new(),
            sink,
        }
    }

    /// Why `file` cannot be written at `path`: outside the output, a file and a folder at
    /// once, or a second file at the same path (an error naming both origins).
    fn conflict(&self, path: &str, file: &OutFile) -> Option<Diagnostic> {
        // Every output path is relative and stays inside the output, whatever produced it.
        if !is_contained(path) {
            let blame = file
                .origin
                .source()
                .map_or_else(|| PathBuf::from(file.origin.describe()), Path::to_path_buf);
            return Some(
                Diagnostic::new(
                    blame,
                    format!("refusing to write `{path}`: it would leave the output folder"),
                )
                .hint("check slugs, aliases and names for `..`, absolute paths and drive prefixes"),
            );
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
            return Some(Diagnostic::new(blame, format!("{mine} writes {path} and {theirs} writes {other}: a path cannot be both a file and a folder"))
                    .hint("rename one of them, or change the alias or slug"));
        }
        if let Some(existing) = self.files.get(path) {
            let blame = file
                .origin
                .source()
                .map_or_else(|| PathBuf::from(file.origin.describe()), Path::to_path_buf);
            return Some(
                Diagnostic::new(
                    blame,
                    format!(
                        "writes {path}, which {} writes too",
                        existing.origin.describe()
                    ),
                )
                .hint("rename or move one of them so that each output file has one source"),
            );
        }
        None
    }

    /// Adds a file and hands it to the sink; a second file at the same path is an error naming
    /// both origins.
    pub fn add(&mut self, path: String, file: OutFile, errors: &mut Vec<Diagnostic>) {
        if let Some(d) = self.conflict(&path, &file) {
            errors.push(d);
            return;
        }
        match self.sink.take(&path, file) {
            Ok(file) => {
                self.files.insert(path, file);
            }
            Err(d) => errors.push(d),
        }
    }

    /// [`Output::add`] for a file that `sink` has already taken (pages are handed to the sink
    /// in parallel, then added in order).
    pub fn add_taken(&mut self, path: String, file: OutFile, errors: &mut Vec<Diagnostic>) {
        if let Some(d) = self.conflict(&path, &file) {
            errors.push(d);
        } else {
            self.files.insert(path, file);
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
