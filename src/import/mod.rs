//! `mekong import SOURCE DEST` (issue 18): bring an mdBook, Zola or Hugo site in as a new
//! mekong site. One file per source format ([`mdbook`], [`zola`], [`hugo`]) turns the source
//! into a list of files; this file detects the format, refuses a DEST that is not empty, and
//! writes the files only once the whole conversion is done (so a failure writes nothing and
//! SOURCE is never written to). [`markdown`] holds what the formats share: front matter as
//! YAML, links rewritten in place, shortcodes.
//!
//! What cannot be converted is not dropped: it stays in the page, marked where that helps,
//! and the [`Report`] names its source file and line and says what to do. The imported site
//! builds as it is; `tests/integration/import.rs` checks that for every format.

use crate::error::{Diagnostic, Error, fs};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

mod front;
mod hugo;
mod markdown;
mod mdbook;
mod shortcodes;
mod zola;

/// The generator a site comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Mdbook,
    Zola,
    Hugo,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "mdbook" => Some(Format::Mdbook),
            "zola" => Some(Format::Zola),
            "hugo" => Some(Format::Hugo),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::Mdbook => "mdBook",
            Format::Zola => "Zola",
            Format::Hugo => "Hugo",
        }
    }
}

/// Something the import could not convert: where it is in the source, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Relative to SOURCE.
    pub file: PathBuf,
    /// 1-based; 0 when the whole file is meant.
    pub line: usize,
    pub what: String,
    pub todo: String,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct Report {
    pub format: Option<Format>,
    /// Files written into DEST, relative to it.
    pub written: Vec<PathBuf>,
    /// What was converted, one line each (`SUMMARY.md: 12 chapters in 3 parts`).
    pub converted: Vec<String>,
    pub notes: Vec<Note>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.format.map_or("?", Format::name);
        let article = if name == "mdBook" { "an" } else { "a" };
        writeln!(
            f,
            "imported {article} {name} site: {} files written",
            self.written.len()
        )?;
        for c in &self.converted {
            writeln!(f, "  converted: {c}")?;
        }
        if self.notes.is_empty() {
            writeln!(f, "everything was converted")?;
        } else {
            writeln!(f, "{} things to look at:", self.notes.len())?;
            for n in &self.notes {
                if n.line > 0 {
                    writeln!(f, "  {}:{}: {}", n.file.display(), n.line, n.what)?;
                } else {
                    writeln!(f, "  {}: {}", n.file.display(), n.what)?;
                }
                writeln!(f, "    to do: {}", n.todo)?;
            }
        }
        Ok(())
    }
}

/// The new site, before it is written: path relative to DEST to bytes.
#[derive(Debug, Default)]
pub(crate) struct Out {
    pub files: BTreeMap<PathBuf, Vec<u8>>,
    pub converted: Vec<String>,
    pub notes: Vec<Note>,
}

impl Out {
    pub fn text(&mut self, rel: impl Into<PathBuf>, text: String) {
        self.files.insert(rel.into(), text.into_bytes());
    }

    /// Writes `site.yaml` from the settings read out of `from` (a Zola or Hugo config file).
    pub fn site_yaml(&mut self, from: &str, site: &serde_yaml::Mapping) {
        let yaml = serde_yaml::to_string(site).unwrap_or_default();
        self.text(
            "site.yaml",
            format!("# Imported from {from} by `mekong import` (issue 18).\n{yaml}"),
        );
        self.converted.push(format!("{from}: site.yaml"));
    }

    pub fn note(
        &mut self,
        file: impl Into<PathBuf>,
        line: usize,
        what: impl Into<String>,
        todo: impl Into<String>,
    ) {
        self.notes.push(Note {
            file: file.into(),
            line,
            what: what.into(),
            todo: todo.into(),
        });
    }

    /// Copies the files under `source/dir` that `keep` accepts into `dest/to`, as they are.
    pub fn copy_tree(
        &mut self,
        source: &Path,
        dir: &str,
        to: &str,
        keep: impl Fn(&str) -> bool,
    ) -> Result<usize, Diagnostic> {
        let mut n = 0;
        for (rel, abs) in files_under(source, dir)? {
            if keep(&rel) {
                let bytes = fs::read(&abs, &Path::new(dir).join(&rel))?;
                self.files.insert(Path::new(to).join(&rel), bytes);
                n += 1;
            }
        }
        Ok(n)
    }
}

/// The files under `source/dir`, as (path relative to it with `/`, absolute path), sorted;
/// hidden files and editor back-ups skipped, as a build skips them.
pub(crate) fn files_under(source: &Path, dir: &str) -> Result<Vec<(String, PathBuf)>, Diagnostic> {
    let root = source.join(dir);
    let mut out = Vec::new();
    if !root.is_dir() {
        return Ok(out);
    }
    let walker = walkdir::WalkDir::new(&root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !crate::load::is_ignored(e.file_name()));
    for entry in walker {
        let entry = entry.map_err(|e| {
            Diagnostic::new(Path::new(dir), format!("cannot read the folder: {e}"))
                .hint("check that SOURCE is readable")
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(&root) else {
            continue;
        };
        let Some(rel) = rel.to_str() else {
            return Err(
                Diagnostic::new(Path::new(dir).join(rel), "file name is not valid UTF-8")
                    .hint("rename the file using UTF-8 characters"),
            );
        };
        out.push((rel.replace('\\', "/"), entry.path().to_path_buf()));
    }
    Ok(out)
}

/// Which generator made the site in `source`: mdBook (`book.toml` and `src/SUMMARY.md`,
/// or the `src` that book.toml names), Zola (`config.toml` or `zola.toml` and `content/`
/// with `+++` front matter), Hugo (`hugo.*` or `config.*` and `content/`).
pub fn detect(source: &Path) -> Option<Format> {
    if source.join("book.toml").is_file() {
        return Some(Format::Mdbook);
    }
    let has = |f: &str| source.join(f).is_file();
    if !source.join("content").is_dir() {
        return None;
    }
    if ["hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json"]
        .iter()
        .any(|f| has(f))
        || source.join("archetypes").is_dir()
        || has("config.yaml")
        || has("config.json")
    {
        return Some(Format::Hugo);
    }
    if has("zola.toml") {
        return Some(Format::Zola);
    }
    if has("config.toml") {
        // Zola's config has `base_url`, Hugo's `baseURL`.
        let text = std::fs::read_to_string(source.join("config.toml")).unwrap_or_default();
        return Some(if text.contains("baseURL") || text.contains("baseurl") {
            Format::Hugo
        } else {
            Format::Zola
        });
    }
    None
}

/// Imports the site in `source` into the new folder `dest`. A `dest` that exists must be
/// empty; nothing is written when the import fails.
pub fn import(source: &Path, dest: &Path, from: Option<Format>) -> Result<Report, Error> {
    if !source.is_dir() {
        return Err(Diagnostic::new(source, "SOURCE is not a folder")
            .hint("give the folder of the mdBook, Zola or Hugo site")
            .into());
    }
    if dest.exists() {
        let empty = std::fs::read_dir(dest)
            .map_err(|e| fs::io(dest, "cannot read", &e))?
            .next()
            .is_none();
        if !empty {
            return Err(Diagnostic::new(dest, "DEST is not empty")
                .hint("import into a new or empty folder; nothing was written")
                .into());
        }
    }
    if let (Ok(s), Ok(d)) = (source.canonicalize(), dest.canonicalize())
        && d.starts_with(&s)
    {
        return Err(Diagnostic::new(dest, "DEST is inside SOURCE")
            .hint("import into a folder outside the site, which is never written to")
            .into());
    }
    let Some(format) = from.or_else(|| detect(source)) else {
        return Err(Diagnostic::new(source, "cannot tell which generator made this site")
            .hint("mdBook has book.toml, Zola config.toml or zola.toml and content/, Hugo hugo.toml and content/; or say it with --from mdbook|zola|hugo")
            .into());
    };
    let out = match format {
        Format::Mdbook => mdbook::convert(source)?,
        Format::Zola => zola::convert(source)?,
        Format::Hugo => hugo::convert(source)?,
    };
    let mut report = Report {
        format: Some(format),
        converted: out.converted,
        notes: out.notes,
        written: Vec::new(),
    };
    for (rel, bytes) in &out.files {
        let path = dest.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent, parent)?;
        }
        fs::write(&path, bytes, rel)?;
        report.written.push(rel.clone());
    }
    Ok(report)
}
