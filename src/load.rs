//! Walks `content/` and `static/`, splits and parses front matter into [`Doc`]s.
//!
//! Load knows nothing of URLs or the section tree (that is `link`), nor of Markdown (that is
//! `markdown`). It reads every file once, in parallel, and reports every unreadable file,
//! bad file name and bad front matter together. Non-Markdown files become [`Asset`]s to copy.

use crate::error::{Diagnostic, fs};
use crate::ids::{IdVec, id_type};
use crate::yaml::{Fields, valid_date};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

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

/// Parsed front matter. Keys are the same for pages and sections, except `sort_by`.
#[derive(Debug, Clone, Default)]
pub struct FrontMatter {
    pub title: String,
    pub description: Option<String>,
    pub date: Option<String>,
    pub updated: Option<String>,
    pub weight: Option<i64>,
    pub draft: bool,
    pub slug: Option<String>,
    pub template: Option<String>,
    pub tags: Vec<String>,
    pub aliases: Vec<String>,
    pub toc: Option<bool>,
    pub sources: Vec<String>,
    pub extra: serde_yaml::Value,
    pub sort_by: SortBy,
    /// 1-based lines of keys whose later checks need a location (slug, aliases, sources).
    pub lines: KeyLines,
}

#[derive(Debug, Clone, Default)]
pub struct KeyLines {
    pub slug: usize,
    pub aliases: usize,
    pub sources: usize,
    pub template: usize,
}

const PAGE_KEYS: &[&str] = &[
    "title",
    "description",
    "date",
    "updated",
    "weight",
    "draft",
    "slug",
    "template",
    "tags",
    "aliases",
    "toc",
    "extra",
    "sources",
];
const SECTION_KEYS: &[&str] = &[
    "title",
    "description",
    "date",
    "updated",
    "weight",
    "draft",
    "slug",
    "template",
    "tags",
    "aliases",
    "toc",
    "extra",
    "sources",
    "sort_by",
];

impl FrontMatter {
    /// Whether two versions of a page's front matter place it the same way in the site: same
    /// URL (slug, aliases), title, description, dates, order (weight, sort_by), draft state,
    /// tags, template and sources. Then only its body or its `extra` data changed (`extra` is
    /// not compared: other pages never show it), and no other page's navigation needs
    /// rendering again.
    pub fn places_like(&self, other: &FrontMatter) -> bool {
        self.title == other.title
            && self.description == other.description
            && self.date == other.date
            && self.updated == other.updated
            && self.weight == other.weight
            && self.draft == other.draft
            && self.slug == other.slug
            && self.template == other.template
            && self.tags == other.tags
            && self.aliases == other.aliases
            && self.sources == other.sources
            && self.sort_by == other.sort_by
    }
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
}

impl Doc {
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }

    /// The path as the user sees it in messages: `content/topics/trade.md`.
    pub fn shown(&self) -> PathBuf {
        Path::new("content").join(&self.rel)
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
}

/// Reads `root/content` and `root/static`. Returns what loaded and every problem found.
pub fn load(root: &Path, include_drafts: bool) -> (Content, Vec<Diagnostic>) {
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
                .and_then(|text| parse_doc(&rel, text));
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

/// Every file a build reads from the site folder, by the same walk and rules as [`load`] and
/// the template loader: `site.yaml`, then `content/` (with its folders, which make sections),
/// `static/` and `templates/`, each as (path relative to the site root, absolute path), in a
/// fixed order. `None` when a walk finds a problem (a symlink loop, an unreadable entry, a link
/// out of the site, a name that is not UTF-8): a build must run to report it.
pub fn input_files(root: &Path) -> Option<Vec<(String, Option<PathBuf>)>> {
    let canonical_root = root.canonicalize().ok()?;
    let mut errors = Vec::new();
    let mut inputs = vec![("site.yaml".to_string(), Some(root.join("site.yaml")))];
    for dir in ["content", "static", "templates"] {
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

id_type!(
    /// A loaded document of [`Content::docs`].
    DocId
);

/// Splits a file into front matter and body, and parses the front matter.
pub fn parse_doc(rel: &str, text: String) -> Result<Doc, Vec<Diagnostic>> {
    let shown = Path::new("content").join(rel);
    let mut text = match text.strip_prefix('\u{feff}') {
        Some(t) => t.to_string(),
        None => text,
    };
    if text.contains('\r') {
        text = text.replace("\r\n", "\n").replace('\r', "\n");
    }
    let how = "start the file with front matter:\n---\ntitle: My page\n---";
    if text.trim().is_empty() {
        return Err(vec![
            Diagnostic::new(&shown, "file is empty").at(1, 1).hint(how),
        ]);
    }
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "---" {
        return Err(vec![
            Diagnostic::new(&shown, "missing front matter: the first line must be `---`")
                .at(1, 1)
                .hint(how),
        ]);
    }
    let fm_start = first.len();
    let mut offset = fm_start;
    let mut close = None;
    let mut line_no = 1;
    for line in lines {
        line_no += 1;
        if line.trim_end() == "---" {
            close = Some((offset, offset + line.len(), line_no));
            break;
        }
        offset += line.len();
    }
    let Some((fm_end, body_start, close_line)) = close else {
        return Err(vec![
            Diagnostic::new(&shown, "front matter is not closed: no second `---` line")
                .at(1, 1)
                .hint("end the front matter with a line containing only `---`"),
        ]);
    };
    let kind = if rel == "_index.md" || rel.ends_with("/_index.md") {
        Kind::Section
    } else {
        Kind::Page
    };
    let front = parse_front_matter(&text[fm_start..fm_end], &shown, kind)?;
    Ok(Doc {
        rel: rel.to_string(),
        kind,
        front,
        body_start,
        body_line: close_line + 1,
        text,
    })
}

fn parse_front_matter(
    yaml: &str,
    shown: &Path,
    kind: Kind,
) -> Result<FrontMatter, Vec<Diagnostic>> {
    let fields = Fields::parse(yaml, shown, 2).map_err(|d| vec![d])?;
    let mut errors = Vec::new();
    let what = match kind {
        Kind::Page => "front matter",
        Kind::Section => "section front matter",
    };
    let known = match kind {
        Kind::Page => PAGE_KEYS,
        Kind::Section => SECTION_KEYS,
    };
    fields.check_known(known, what, &mut errors);
    if kind == Kind::Page && fields.contains("sort_by") {
        // check_known reported it; make the hint useful.
        if let Some(last) = errors.last_mut() {
            last.hint = Some(
                "`sort_by` orders the pages of a section: put it in that folder's _index.md".into(),
            );
        }
    }

    let title = fields.get::<String>("title", "a string", &mut errors);
    if title.as_deref().is_none_or(|t| t.trim().is_empty()) && !fields.contains("title") {
        errors.push(
            Diagnostic::new(shown, "missing `title` in front matter")
                .at_line(2)
                .hint("add a line `title: ...` between the `---` lines"),
        );
    } else if title.as_deref().is_some_and(|t| t.trim().is_empty()) {
        errors.push(
            fields
                .error("title", "`title` is empty")
                .hint("give the page a title"),
        );
    }
    let mut date_of = |key: &str| -> Option<String> {
        let v = fields.get::<serde_yaml::Value>(key, "a date", &mut errors)?;
        let s = match &v {
            serde_yaml::Value::String(s) => s.clone(),
            other => serde_yaml::to_string(other)
                .unwrap_or_default()
                .trim()
                .to_string(),
        };
        if valid_date(&s) {
            Some(s)
        } else {
            errors.push(
                fields
                    .error(key, format!("`{key}` is not a valid date: `{s}`"))
                    .hint("write dates as YYYY-MM-DD, for example 2018-08-02"),
            );
            None
        }
    };
    let date = date_of("date");
    let updated = date_of("updated");
    let extra = match fields.raw("extra") {
        None | Some(serde_yaml::Value::Null) => serde_yaml::Value::Mapping(Default::default()),
        Some(v @ serde_yaml::Value::Mapping(_)) => v.clone(),
        Some(_) => {
            errors.push(
                fields
                    .error("extra", "`extra` must be a mapping")
                    .hint("write `extra:` followed by indented `key: value` lines"),
            );
            Default::default()
        }
    };
    let front = FrontMatter {
        title: title.unwrap_or_default(),
        description: fields.get("description", "a string", &mut errors),
        date,
        updated,
        weight: fields.get("weight", "a whole number", &mut errors),
        draft: fields
            .get("draft", "`true` or `false`", &mut errors)
            .unwrap_or(false),
        slug: fields.get("slug", "a string", &mut errors),
        template: fields.get(
            "template",
            "a template file name such as `page.html`",
            &mut errors,
        ),
        tags: fields.strings("tags", &mut errors),
        aliases: fields.strings("aliases", &mut errors),
        toc: fields.get("toc", "`true` or `false`", &mut errors),
        sources: fields.strings("sources", &mut errors),
        extra,
        sort_by: fields
            .get("sort_by", "one of `weight`, `date` or `title`", &mut errors)
            .unwrap_or_default(),
        lines: KeyLines {
            slug: fields.locate("slug").0,
            aliases: fields.locate("aliases").0,
            sources: fields.locate("sources").0,
            template: fields.locate("template").0,
        },
    };
    if errors.is_empty() {
        Ok(front)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_with_crlf_and_bom() {
        let doc = parse_doc("a.md", "\u{feff}---\r\ntitle: A\r\n---\r\nBody\r\n".into()).unwrap();
        assert_eq!(doc.front.title, "A");
        assert_eq!(doc.body(), "Body\n");
        assert_eq!(doc.body_line, 4);
    }

    #[test]
    fn locates_yaml_errors_in_the_file_not_the_block() {
        let err = parse_doc("a.md", "---\ntitle: A\nweight: [\n---\n".into()).unwrap_err();
        assert_eq!(err[0].path, Path::new("content/a.md"));
        assert!(err[0].line.unwrap() >= 3, "{:?}", err[0]);
    }

    #[test]
    fn unknown_key_names_line_and_suggestion() {
        let err = parse_doc("a.md", "---\ntitle: A\ntages: [x]\n---\n".into()).unwrap_err();
        assert_eq!(
            err[0].to_string(),
            "content/a.md:3:1: unknown key `tages` in front matter\n  hint: did you mean `tags`?"
        );
    }
}
