//! Walks `content/`, `static/` and `data/`, splits and parses front matter into [`Doc`]s.
//!
//! Load knows nothing of URLs or the section tree (that is `link`), nor of Markdown (that is
//! `markdown`). It reads every file once, in parallel, and reports every unreadable file,
//! bad file name and bad front matter together. Non-Markdown files become [`Asset`]s to copy.
//! [`front_matter`] splits and types each file's YAML block. The walk and its ignore rule
//! ([`is_ignored`]) are the one definition of what an input is: the build record
//! ([`input_files`]), the template loader ([`template_files`]) and the `serve` watcher use them.

use crate::error::{Diagnostic, fs};
use crate::ids::{IdVec, id_type};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

mod data;
mod front_matter;
pub mod git;

pub use front_matter::{FrontMatter, KeyLines, normalize_text, parse_doc};

/// Whether a Markdown file is a page or a section's `_index.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Kind {
    Page,
    Section,
}

/// How a section orders its pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    #[default]
    Weight,
    Date,
    Title,
}

/// One Markdown file.
#[derive(Debug, Clone)]
pub struct Doc {
    /// Path relative to `content/`, with `/` separators: `topics/trade.md`.
    pub rel: String,
    pub kind: Kind,
    pub front: FrontMatter,
    /// The whole file, with line ends normalized to `\n` and without a BOM.
    pub text: String,
    /// Byte offset of the Markdown body in `text`.
    pub body_start: usize,
    /// 1-based line on which the body starts.
    pub body_line: usize,
    /// A translation's own file relative to `content/` (`topics/trade.fr.md`), when `rel` is
    /// the place `link::i18n` gave it in its language's tree (`fr/topics/trade.md`), issue 20.
    pub source: Option<String>,
    /// Set while `text` is dropped ([`Doc::drop_text`]): what the text was, so that
    /// [`Doc::reload`] reads back exactly it.
    pub dropped: Option<Stamp>,
}

/// The length and CRC-32 of a dropped text: a file saved again during the build is noticed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    len: usize,
    crc: u32,
}

impl Stamp {
    fn of(text: &str) -> Stamp {
        Stamp {
            len: text.len(),
            crc: crc32fast::hash(text.as_bytes()),
        }
    }
}

impl Doc {
    pub fn body(&self) -> &str {
        // Empty while the text is dropped (never read then: `reload` comes first).
        self.text.get(self.body_start..).unwrap_or("")
    }

    /// The path as the user sees it in messages: `content/topics/trade.md`.
    pub fn shown(&self) -> PathBuf {
        Path::new("content").join(self.file())
    }

    /// The file's own path relative to `content/` (a translation's, not its place).
    pub fn file(&self) -> &str {
        self.source.as_deref().unwrap_or(&self.rel)
    }

    /// Frees the text until [`Doc::reload`] (a lean build, issue 17: a site of 100,000 pages
    /// would hold 700 MB of sources from load to the Markdown stage, which needs them only a
    /// chunk at a time). Nothing between load and the Markdown stage reads the text.
    pub fn drop_text(&mut self) {
        if self.dropped.is_none() {
            self.dropped = Some(Stamp::of(&self.text));
            self.text = String::new();
        }
    }

    /// Reads a dropped text back from `content_dir` (`None` if the text is here). The file
    /// must still hold the text that load parsed: else an error, rather than a page whose
    /// front matter and body disagree. [`Doc::restore`] puts it back.
    pub fn read_back(&self, content_dir: &Path) -> Result<Option<String>, Diagnostic> {
        let Some(stamp) = self.dropped else {
            return Ok(None);
        };
        let shown = self.shown();
        let text = normalize_text(fs::read_to_string(&content_dir.join(self.file()), &shown)?);
        if Stamp::of(&text) != stamp {
            return Err(
                Diagnostic::new(&shown, "the file changed while the build was running")
                    .hint("run the build again once the file is saved"),
            );
        }
        Ok(Some(text))
    }

    /// Puts back a text that [`Doc::read_back`] read.
    pub fn restore(&mut self, text: String) {
        self.text = text;
        self.dropped = None;
    }

    /// The folder of the file relative to `content/`: `topics` (or `` at the root).
    pub fn dir(&self) -> &str {
        self.rel.rsplit_once('/').map_or("", |(d, _)| d)
    }
}

/// A file copied as it is: from `static/` to the output root, or from `content/` beside its page.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Path relative to `content/` or `static/`.
    pub rel: String,
    pub abs: PathBuf,
}

/// Everything read from disk.
#[derive(Debug, Default)]
pub struct Content {
    pub docs: IdVec<DocId, Doc>,
    /// Non-Markdown files under `content/`.
    pub assets: Vec<Asset>,
    /// Files under `static/`.
    pub statics: Vec<Asset>,
    /// Every folder under `content/` (relative, `` for the root), sorted.
    pub dirs: Vec<String>,
    /// Markdown files that exist but failed to load: links to them are not reported again.
    pub failed: HashSet<String>,
    /// Drafts left out of this build.
    pub drafts: HashSet<String>,
    /// The data files under `data/`, as one mapping: `data.<name>` in templates (issue 13).
    pub data: serde_json::Value,
    /// The date (`YYYY-MM-DD`) of the last commit that changed each doc, by `rel`, when
    /// site.yaml says `last_updated: git` ([`last_updated`]).
    pub last_updated: std::collections::HashMap<String, String>,
    /// A multilingual site's languages (issue 20), set by `link::i18n::place`: the default's
    /// code, then (code, home title) of each other one, whose docs are placed under `CODE/`.
    pub default_language: String,
    pub translated: Vec<(String, String)>,
}

id_type!(
    /// A loaded document of [`Content::docs`].
    DocId
);

/// Reads `root/content` and `root/static`. Returns what loaded and every problem found. With
/// `lean`, each doc's text is dropped once its front matter is parsed ([`Doc::drop_text`]).
pub fn load(
    root: &Path,
    include_drafts: bool,
    title_from_heading: bool,
    lean: bool,
) -> (Content, Vec<Diagnostic>) {
    let mut errors = Vec::new();
    let mut content = Content::default();
    let content_dir = root.join("content");
    if !content_dir.is_dir() {
        errors.push(
            Diagnostic::new("content", "the site has no content/ folder").hint(
                "create content/_index.md for the home page, or run `mekong init` to start a site",
            ),
        );
        return (content, errors);
    }

    let mut markdown = Vec::new();
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    for (rel, abs) in walk(
        &content_dir,
        Path::new("content"),
        &canonical_root,
        &mut errors,
        Some(&mut content.dirs),
    ) {
        if rel.ends_with(".md") {
            markdown.push((rel, abs));
        } else {
            content.assets.push(Asset { rel, abs });
        }
    }
    content.data = data::load(root, &canonical_root, &mut errors);
    let static_dir = root.join("static");
    if static_dir.is_dir() {
        for (rel, abs) in walk(
            &static_dir,
            Path::new("static"),
            &canonical_root,
            &mut errors,
            None,
        ) {
            content.statics.push(Asset { rel, abs });
        }
    }

    let parsed: Vec<(String, Result<Doc, Vec<Diagnostic>>)> = markdown
        .into_par_iter()
        .map(|(rel, abs)| {
            let shown = Path::new("content").join(&rel);
            let doc = fs::read_to_string(&abs, &shown)
                .map_err(|d| vec![d])
                .and_then(|text| parse_doc(&rel, text, title_from_heading))
                .map(|mut doc| {
                    if lean {
                        doc.drop_text();
                    }
                    doc
                });
            (rel, doc)
        })
        .collect();
    let mut docs = Vec::new();
    for (rel, doc) in parsed {
        match doc {
            Ok(doc) if doc.front.draft && !include_drafts => {
                content.drafts.insert(rel);
            }
            Ok(doc) => docs.push(doc),
            Err(mut ds) => {
                content.failed.insert(rel);
                errors.append(&mut ds);
            }
        }
    }
    docs.sort_by(|a, b| a.rel.cmp(&b.rel));
    content.docs = docs.into();
    (content, errors)
}

/// Reads back, in parallel, the dropped texts of `which` ([`Doc::read_back`]); the problems.
pub fn read_back(
    docs: &mut IdVec<DocId, Doc>,
    which: impl Iterator<Item = DocId>,
    content_dir: &Path,
) -> Vec<Diagnostic> {
    let which: Vec<DocId> = which.collect();
    let texts: Vec<(DocId, Result<Option<String>, Diagnostic>)> = which
        .par_iter()
        .map(|&i| (i, docs[i].read_back(content_dir)))
        .collect();
    let mut errors = Vec::new();
    for (i, text) in texts {
        match text {
            Ok(Some(text)) => docs[i].restore(text),
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    errors
}

/// Every file a build reads from the site folder, by the same walk and rules as [`load`] and
/// the template loader: `site.yaml`, then `content/` (with its folders, which make sections),
/// `static/`, `templates/`, `data/` and `i18n/` (theme strings, issue 20), each as (path relative to the site root, absolute path), in a
/// fixed order. `None` when a walk finds a problem (a symlink loop, an unreadable entry, a link
/// out of the site, a name that is not UTF-8): a build must run to report it.
pub fn input_files(root: &Path) -> Option<Vec<(String, Option<PathBuf>)>> {
    let canonical_root = root.canonicalize().ok()?;
    let mut errors = Vec::new();
    let mut inputs = vec![("site.yaml".to_string(), Some(root.join("site.yaml")))];
    for dir in ["content", "static", "templates", "data", "i18n"] {
        let abs = root.join(dir);
        if !abs.is_dir() {
            continue;
        }
        let mut dirs = Vec::new();
        let files = walk(
            &abs,
            Path::new(dir),
            &canonical_root,
            &mut errors,
            Some(&mut dirs),
        );
        // Folders are inputs too: an empty new folder under content/ becomes a section.
        inputs.extend(dirs.into_iter().map(|d| (format!("{dir}/{d}/"), None)));
        inputs.extend(
            files
                .into_iter()
                .map(|(rel, abs)| (format!("{dir}/{rel}"), Some(abs))),
        );
    }
    errors.is_empty().then_some(inputs)
}

/// The site's own templates under `templates/`, as (name with `/`, absolute path), by the same
/// rules as content: hidden files and editor back-ups skipped, links out of the site refused.
pub fn template_files(root: &Path) -> (Vec<(String, PathBuf)>, Vec<Diagnostic>) {
    let mut errors = Vec::new();
    let dir = root.join("templates");
    if !dir.is_dir() {
        return (Vec::new(), errors);
    }
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let files = walk(
        &dir,
        Path::new("templates"),
        &canonical_root,
        &mut errors,
        None,
    );
    (files, errors)
}

/// Lists the files under `dir` as (relative path with `/`, absolute path), sorted, skipping
/// hidden files and editor back-ups. Unreadable entries, symlink loops and names that are not
/// UTF-8 are errors, and so is a symbolic link that points outside the site folder.
fn walk(
    dir: &Path,
    shown_root: &Path,
    site_root: &Path,
    errors: &mut Vec<Diagnostic>,
    mut dirs: Option<&mut Vec<String>>,
) -> Vec<(String, PathBuf)> {
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored(e.file_name()));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| shown_root.join(p.strip_prefix(dir).unwrap_or(p)))
                    .unwrap_or_else(|| shown_root.to_path_buf());
                let d = if let Some(ancestor) = e.loop_ancestor() {
                    Diagnostic::new(
                        path,
                        format!(
                            "symbolic link loop: it points back to {}",
                            shown_root
                                .join(ancestor.strip_prefix(dir).unwrap_or(ancestor))
                                .display()
                        ),
                    )
                    .hint("remove the link or point it somewhere outside this folder")
                } else {
                    let why = e
                        .io_error()
                        .map(|io| fs::io(&path, "cannot read", io).message)
                        .unwrap_or_else(|| e.to_string());
                    Diagnostic::new(path, why).hint("check that the file exists and is readable")
                };
                errors.push(d);
                continue;
            }
        };
        let Ok(rel) = entry.path().strip_prefix(dir) else {
            continue;
        };
        let mut parts = Vec::new();
        let mut bad_name = false;
        for c in rel.components() {
            match c.as_os_str().to_str() {
                Some(s) => parts.push(s),
                None => bad_name = true,
            }
        }
        if bad_name {
            errors.push(
                Diagnostic::new(shown_root.join(rel), "file name is not valid UTF-8")
                    .hint("rename the file using UTF-8 characters"),
            );
            continue;
        }
        let rel_str = parts.join("/");
        if entry.path_is_symlink() {
            let inside = entry
                .path()
                .canonicalize()
                .is_ok_and(|t| t.starts_with(site_root));
            if !inside {
                errors.push(
                    Diagnostic::new(shown_root.join(rel), "symbolic link points outside the site folder")
                        .hint("copy the file into the site instead; links may only point inside the site folder"),
                );
                continue;
            }
        }
        if entry.file_type().is_dir() {
            if let Some(dirs) = dirs.as_deref_mut() {
                dirs.push(rel_str);
            }
        } else if entry.file_type().is_file() {
            files.push((rel_str, entry.path().to_path_buf()));
        } else {
            errors.push(
                Diagnostic::new(shown_root.join(rel), "not a regular file or folder")
                    .hint("remove it (sockets, pipes and devices cannot be published)"),
            );
        }
    }
    files
}

/// Whether a file-name suffix looks like a language code (`de`, `pt-BR`, `zh-Hant`), as in
/// `page.de.md` (issue 20): on a multilingual site it must then be declared; `v1.2.md` or
/// `notes.draft.md` are not translations.
pub fn looks_like_language(s: &str) -> bool {
    let mut parts = s.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_lowercase())
        && parts.all(|p| (2..=4).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Hidden files and editor back-ups are never part of the site: the one rule that `load`, the
/// `serve` watcher and the build record share.
pub fn is_ignored(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.')
        || name.ends_with('~')
        || (name.starts_with('#') && name.ends_with('#'))
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".bak")
        || name.ends_with(".tmp")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Id;

    #[test]
    fn a_dropped_text_reads_back_the_same_or_reports_a_changed_file() {
        let dir = tempfile::tempdir().unwrap();
        let text = "\u{feff}---\r\ntitle: A\r\n---\r\nBody \u{e9}.\r\n";
        std::fs::write(dir.path().join("a.md"), text).unwrap();
        let mut doc = parse_doc("a.md", text.to_string(), false).unwrap();
        let whole = doc.text.clone();
        doc.drop_text();
        assert!(doc.text.is_empty());
        assert_eq!(doc.body(), "", "no panic while dropped");
        let mut docs: IdVec<DocId, Doc> = vec![doc.clone()].into();
        assert!(read_back(&mut docs, std::iter::once(DocId::new(0)), dir.path()).is_empty());
        assert_eq!(docs[DocId::new(0)].text, whole);
        assert_eq!(docs[DocId::new(0)].body(), "Body \u{e9}.\n");
        // Saved again between load and its Markdown chunk: the same length, other bytes.
        std::fs::write(dir.path().join("a.md"), text.replace('A', "B")).unwrap();
        let mut docs: IdVec<DocId, Doc> = vec![doc].into();
        let errors = read_back(&mut docs, std::iter::once(DocId::new(0)), dir.path());
        let e = format!("{}", errors[0]);
        assert!(
            e.contains("content/a.md") && e.contains("changed while the build"),
            "{e}"
        );
    }
}
