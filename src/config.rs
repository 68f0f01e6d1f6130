//! `site.yaml` plus command-line overrides becomes a validated [`Config`].
//!
//! This is the first stage: it reads nothing but `site.yaml` (and the source texts it names, for
//! the quotation check, and the glossary file). Loading `content/` is `load`'s job.

use crate::error::{Diagnostic, Result, fs};
use crate::yaml::Fields;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod code;
mod languages;
pub use code::CodeConfig;
use code::code_config;
pub use languages::{Language, is_rtl};

const KNOWN_KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "language",
    "author",
    "extra",
    "search",
    "sources",
    "glossary",
    "links",
    "math",
    "edit_url",
    "last_updated",
    "publish",
    "title_from_heading",
    "heading_ids",
    "code",
    "nav_siblings",
    "tags_paginate_by",
    "languages",
];

/// What a broken internal link or anchor is: an error (the default), or with `links: warn`
/// (in site.yaml, or in a section's `_index.md` for that section and those below it) a
/// warning with the same location, for pages such as a catalogue of third-party themes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkPolicy {
    #[default]
    Error,
    Warn,
}

/// How automatic heading ids are made from a heading's text (issue 18): mekong's own slug
/// (the default), or the rule of GitHub or mdBook, so that anchors of imported docs keep
/// working (`Concatenating with + or format!` is `concatenating-with--or-format` there).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HeadingIdRule {
    #[default]
    Mekong,
    Github,
    Mdbook,
}

/// The validated site configuration.
#[derive(Debug, Clone, Serialize)]
pub struct Config {
    pub title: String,
    pub description: Option<String>,
    /// Absolute (`https://host/sub/`) or a bare path (`/sub/`); always ends with `/`.
    pub base_url: String,
    /// The path part of `base_url`: `/` or `/sub/`. Every internal URL starts with it.
    pub base_path: String,
    pub language: String,
    pub author: Option<String>,
    pub search: bool,
    /// Whether broken links fail the build.
    pub links: LinkPolicy,
    /// `$...$` and `$$...$$` are math, converted to MathML (issue 13); a page's front matter
    /// can say otherwise.
    pub math: bool,
    /// Where a page's source can be edited: the site folder's URL in the repository's web
    /// editor, ending with `/` (`https://github.com/USER/REPO/edit/main/`), issue 13.
    pub edit_url: Option<String>,
    /// `last_updated: git`: each page shows the date of the last commit that changed it.
    pub last_updated: bool,
    /// Build inputs inside `content/` (the glossary file, source texts) that are published as
    /// they are all the same, by path from the site root (issue 19); the others are not.
    #[serde(skip)]
    pub publish: Vec<String>,
    /// A page without `title` takes its first `# ` heading (issue 18).
    pub title_from_heading: bool,
    /// The rule of automatic heading ids (issue 18).
    pub heading_ids: HeadingIdRule,
    /// `code:`: how fenced code blocks are rendered (issue 12).
    pub code: CodeConfig,
    /// How many entries one level of the sidebar shows around the page on the path (issue
    /// 17); a longer level ends with a link to the section's full listing.
    pub nav_siblings: usize,
    /// Pages per tag page (`/tags/x/page/2/`); `None` puts every tagged page on one page.
    pub tags_paginate_by: Option<usize>,
    /// `languages:` (issue 20): empty for a single-language site; else every language, the
    /// default (at the site root, `language` is its code) among them.
    pub languages: Vec<Language>,
    pub extra: serde_yaml::Value,
    #[serde(skip)]
    pub root: PathBuf,
    /// Named source texts for the quotation check, already read.
    #[serde(skip)]
    pub sources: BTreeMap<String, SourceText>,
    #[serde(skip)]
    pub glossary: Option<Glossary>,
}

/// A source text named in `site.yaml`, read once.
#[derive(Debug, Clone)]
pub struct SourceText {
    pub path: PathBuf,
    pub text: String,
}

/// The glossary: terms read from a YAML file and the content page that lists them.
#[derive(Debug, Clone, Serialize)]
pub struct Glossary {
    /// The terms file, relative to the site root.
    pub file: PathBuf,
    /// The page, relative to `content/`, e.g. `glossary.md`.
    pub page: String,
    pub entries: Vec<GlossaryEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GlossaryEntry {
    pub term: String,
    pub expansion: String,
    pub definition: String,
    /// A general definition that does not come from the site's source, shown marked as
    /// background (`background:` in the glossary file), issue 19.
    pub background: Option<String>,
    /// The anchor of the entry on the glossary page.
    pub id: String,
}

/// What the command line may override.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub base_url: Option<String>,
}

/// Reads and validates `root/site.yaml`. A missing file gives a default configuration, so that a
/// folder with only `content/` still builds.
pub fn load(root: &Path, overrides: &Overrides) -> Result<Config> {
    let file = root.join("site.yaml");
    let shown = Path::new("site.yaml");
    let text = if file.exists() {
        fs::read_to_string(&file, shown)?
    } else {
        String::new()
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let fields = Fields::parse(text, shown, 1)?;
    let mut errors = Vec::new();
    fields.check_known(KNOWN_KEYS, "site.yaml", &mut errors);

    let title = fields
        .get::<String>("title", "a string", &mut errors)
        .unwrap_or_else(|| {
            root.canonicalize()
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| "Documentation".to_string())
        });
    let description = fields.get::<String>("description", "a string", &mut errors);
    let links = fields
        .get::<LinkPolicy>("links", "`error` or `warn`", &mut errors)
        .unwrap_or_default();
    let language = fields
        .get::<String>("language", "a language code such as `en`", &mut errors)
        .unwrap_or_else(|| "en".to_string());
    if !is_language_tag(&language) {
        errors.push(
            fields
                .error(
                    "language",
                    format!("`language` is not a language tag: `{language}`"),
                )
                .hint("use a tag such as `en`, `vi` or `pt-BR` (letters, digits and `-`)"),
        );
    }
    let author = fields.get::<String>("author", "a string", &mut errors);
    let search = fields
        .get::<bool>("search", "`true` or `false`", &mut errors)
        .unwrap_or(true);
    let math = fields
        .get::<bool>("math", "`true` or `false`", &mut errors)
        .unwrap_or(false);
    let extra = match fields.raw("extra") {
        None | Some(serde_yaml::Value::Null) => serde_yaml::Value::Mapping(Default::default()),
        Some(v @ serde_yaml::Value::Mapping(_)) => v.clone(),
        Some(_) => {
            errors.push(
                fields
                    .error("extra", "`extra` must be a mapping")
                    .hint("write `extra:` followed by indented `key: value` lines"),
            );
            serde_yaml::Value::Mapping(Default::default())
        }
    };
    let edit_url = fields
        .get::<String>("edit_url", "a URL such as `https://github.com/USER/REPO/edit/main/`", &mut errors)
        .and_then(|u| {
            let u = u.trim().to_string();
            let ok = (u.starts_with("https://") || u.starts_with("http://"))
                && !u.contains(char::is_whitespace)
                && !u.contains(['"', '<', '>']);
            if ok {
                Some(if u.ends_with('/') { u } else { format!("{u}/") })
            } else {
                errors.push(
                    fields
                        .error("edit_url", format!("`edit_url` is not an http(s) URL: `{u}`"))
                        .hint("give the web editor's URL of the site folder, such as `https://github.com/USER/REPO/edit/main/`; a page's link adds `content/<its path>`"),
                );
                None
            }
        });
    let publish = fields
        .get::<Vec<String>>(
            "publish",
            "a list of paths such as `[content/source/report.txt]`",
            &mut errors,
        )
        .unwrap_or_default()
        .into_iter()
        .map(|p| p.trim_start_matches("./").to_string())
        .collect();
    let last_updated = match fields.get::<String>("last_updated", "`git`", &mut errors) {
        None => false,
        Some(v) if v == "git" => true,
        Some(v) => {
            errors.push(
                fields
                    .error("last_updated", format!("`last_updated` must be `git`, not `{v}`"))
                    .hint("write `last_updated: git` to show each page's last commit date, or leave the key out"),
            );
            false
        }
    };
    let title_from_heading = fields
        .get::<bool>("title_from_heading", "`true` or `false`", &mut errors)
        .unwrap_or(false);
    let heading_ids = fields
        .get::<HeadingIdRule>(
            "heading_ids",
            "one of `mekong`, `github` or `mdbook`",
            &mut errors,
        )
        .unwrap_or_default();

    let code = code_config(&fields, text, &mut errors);
    let nav_siblings = positive(&fields, "nav_siblings", &mut errors).unwrap_or(NAV_SIBLINGS);
    let tags_paginate_by = positive(&fields, "tags_paginate_by", &mut errors);
    let languages = languages::languages(root, &fields, text, is_language_tag, &mut errors);
    // With `languages:`, the default language is the site's `language`.
    let language = match languages.iter().find(|l| l.default) {
        Some(l) if fields.contains("language") && l.code != language => {
            errors.push(
                fields
                    .error(
                        "language",
                        format!(
                            "`language: {language}` is not the default of `languages` (`{}`)",
                            l.code
                        ),
                    )
                    .hint("leave `language:` out: the language with `default: true` is the site's"),
            );
            language
        }
        Some(l) => l.code.clone(),
        None => language,
    };

    let raw_base = overrides
        .base_url
        .clone()
        .or_else(|| {
            fields.get::<String>(
                "base_url",
                "a URL such as `https://user.github.io/repo/`",
                &mut errors,
            )
        })
        .unwrap_or_else(|| "/".to_string());
    let (base_url, base_path) = match normalize_base_url(&raw_base) {
        Ok(pair) => pair,
        Err(why) => {
            let d = if overrides.base_url.is_some() {
                Diagnostic::new("--base-url", why)
            } else {
                fields.error("base_url", why)
            };
            errors.push(d.hint("use an absolute URL such as `https://user.github.io/repo/` or a path such as `/repo/`"));
            ("/".to_string(), "/".to_string())
        }
    };

    let mut sources = BTreeMap::new();
    if let Some(map) = fields.get::<BTreeMap<String, String>>(
        "sources",
        "a mapping of names to file paths",
        &mut errors,
    ) {
        for (name, rel) in map {
            match read_inside(root, &rel) {
                Ok((path, text)) => {
                    sources.insert(name, SourceText { path, text });
                }
                Err(why) => errors.push(
                    fields
                        .error("sources", format!("source `{name}`: {why}"))
                        .hint("give a path relative to the folder of site.yaml"),
                ),
            }
        }
    }

    let glossary = match fields.raw("glossary") {
        None | Some(serde_yaml::Value::Null) => None,
        Some(_) => {
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Raw {
                file: String,
                page: String,
            }
            fields
                .get::<Raw>("glossary", "a mapping with `file:` (the terms) and `page:` (the glossary page, e.g. `glossary.md`)", &mut errors)
                .and_then(|raw| match read_glossary(root, &raw.file) {
                    Ok(entries) => Some(Glossary {
                        file: PathBuf::from(&raw.file),
                        page: raw.page.trim_start_matches("@/").to_string(),
                        entries,
                    }),
                    Err(d) => {
                        errors.push(d);
                        None
                    }
                })
        }
    };

    if !errors.is_empty() {
        return Err(errors.into());
    }
    Ok(Config {
        title,
        description,
        base_url,
        base_path,
        language,
        author,
        search,
        links,
        math,
        edit_url,
        last_updated,
        publish,
        title_from_heading,
        heading_ids,
        code,
        nav_siblings,
        tags_paginate_by,
        languages,
        extra,
        root: root.to_path_buf(),
        sources,
        glossary,
    })
}

/// The default of `nav_siblings`: a section of 20 pages shows in full.
pub const NAV_SIBLINGS: usize = 20;

/// A whole number of at least 1, or an error naming the key.
fn positive(fields: &Fields, key: &str, errors: &mut Vec<Diagnostic>) -> Option<usize> {
    let n = fields.get::<u64>(key, "a whole number of at least 1", errors)?;
    if n == 0 {
        errors.push(
            fields
                .error(key, format!("`{key}` must be at least 1"))
                .hint(format!("write `{key}: 20`, or leave the key out")),
        );
        return None;
    }
    Some(n.min(u32::MAX as u64) as usize)
}

/// A BCP 47-shaped language tag: `en`, `pt-BR`, `zh-Hant-TW`. It ends up in file names of
/// the search index and in `<html lang>`, so nothing else may pass.
fn is_language_tag(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 35
        && s.split('-').all(|part| {
            !part.is_empty() && part.len() <= 8 && part.chars().all(|c| c.is_ascii_alphanumeric())
        })
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
}

impl Config {
    /// The files under `content/` that are build inputs (the glossary file, the source texts)
    /// and not listed in `publish:`, by path relative to `content/`: they are read, not copied
    /// into the site (issue 19).
    pub fn unpublished_inputs(&self) -> Vec<String> {
        let inputs = self
            .glossary
            .iter()
            .chain(self.languages.iter().filter_map(|l| l.glossary.as_ref()))
            .map(|g| g.file.as_path())
            .chain(self.sources.values().map(|s| s.path.as_path()));
        inputs
            .filter_map(|p| {
                let rel = p.to_str()?.replace('\\', "/");
                let rel = rel.trim_start_matches("./");
                if self.publish.iter().any(|x| x == rel) {
                    return None;
                }
                rel.strip_prefix("content/").map(str::to_string)
            })
            .collect()
    }
}

/// The one warning for a base URL that is only a path (such as the default `/`): the
/// sitemap, robots.txt's `Sitemap:` line, canonical links, `og:url` and the JSON-LD URLs need
/// absolute URLs, so the build leaves them out (issue 19).
pub fn relative_base_warning(config: &Config) -> Option<Diagnostic> {
    (config.base_url == config.base_path).then(|| {
        Diagnostic::new(
            "site.yaml",
            format!(
                "base_url `{}` is a path, not an absolute URL: sitemap.xml, the Sitemap line of robots.txt, canonical links, og:url and the URLs in JSON-LD are left out",
                config.base_url
            ),
        )
        .hint("set `base_url: https://USER.github.io/REPO/` in site.yaml, or pass `--base-url` with an absolute URL (the GitHub Pages workflow does)")
    })
}

/// Splits a base URL into its normalized form and its path part, both ending with `/`.
fn normalize_base_url(raw: &str) -> std::result::Result<(String, String), String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(("/".into(), "/".into()));
    }
    if raw.contains(char::is_whitespace) || raw.contains(['?', '#', '"', '<', '>', '\\']) {
        return Err(format!(
            "base_url `{raw}` contains characters a URL path cannot have"
        ));
    }
    let (origin, path) = if let Some(rest) = raw
        .strip_prefix("https://")
        .or_else(|| raw.strip_prefix("http://"))
    {
        let scheme_len = raw.len() - rest.len();
        let host_end = rest.find('/').unwrap_or(rest.len());
        if host_end == 0 {
            return Err(format!("base_url `{raw}` has no host"));
        }
        (&raw[..scheme_len + host_end], &rest[host_end..])
    } else if raw.starts_with('/') {
        ("", raw)
    } else {
        return Err(format!(
            "base_url `{raw}` must start with `https://`, `http://` or `/`"
        ));
    };
    if path.split('/').any(|seg| seg == ".." || seg == ".") {
        return Err(format!("base_url `{raw}` contains `.` or `..` segments"));
    }
    let mut path = path.to_string();
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    if !path.ends_with('/') {
        path.push('/');
    }
    while path.contains("//") {
        path = path.replace("//", "/");
    }
    Ok((format!("{origin}{path}"), path))
}

/// Reads a file named in site.yaml, refusing paths that leave the site root.
fn read_inside(root: &Path, rel: &str) -> std::result::Result<(PathBuf, String), String> {
    let p = Path::new(rel);
    if p.is_absolute()
        || p.components()
            .any(|c| matches!(c, std::path::Component::ParentDir))
    {
        return Err(format!("`{rel}` must be a path inside the site folder"));
    }
    let text = fs::read_to_string(&root.join(p), p).map_err(|d| d.message)?;
    Ok((p.to_path_buf(), text))
}

fn read_glossary(root: &Path, rel: &str) -> std::result::Result<Vec<GlossaryEntry>, Diagnostic> {
    let p = Path::new(rel);
    let (_, text) = read_inside(root, rel)
        .map_err(|why| Diagnostic::new("site.yaml", format!("glossary file: {why}")))?;
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Raw {
        term: String,
        expansion: String,
        definition: String,
        /// General background that is not from the site's source (issue 19), shown marked.
        #[serde(default)]
        background: Option<String>,
    }
    let raw: Vec<Raw> = serde_yaml::from_str(&text).map_err(|e| {
        let mut d = Diagnostic::new(
            p,
            format!("invalid glossary: {}", {
                let s = e.to_string();
                s.find(" at line ")
                    .map_or(s.clone(), |i| s[..i].to_string())
            }),
        );
        if let Some(loc) = e.location() {
            d = d.at(loc.line(), loc.column());
        }
        d.hint(
            "the glossary is a list of entries, each with `term:`, `expansion:` and `definition:` (and optionally `background:`)",
        )
    })?;
    let mut seen = std::collections::HashSet::new();
    let mut entries = Vec::with_capacity(raw.len());
    for r in raw {
        let id = format!("term-{}", slug::slugify(&r.term));
        if r.term.trim().is_empty() || !seen.insert(id.clone()) {
            return Err(Diagnostic::new(
                p,
                format!("glossary term `{}` is empty or listed twice", r.term),
            )
            .hint("give every entry a distinct `term`"));
        }
        entries.push(GlossaryEntry {
            term: r.term,
            expansion: r.expansion,
            definition: r.definition,
            background: r.background,
            id,
        });
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_language_tags() {
        assert!(is_language_tag("en"));
        assert!(is_language_tag("pt-BR"));
        assert!(!is_language_tag("en/../../x"));
        assert!(!is_language_tag(""));
        assert!(!is_language_tag("e n"));
    }

    #[test]
    fn normalizes_base_urls() {
        let n = |s| normalize_base_url(s).unwrap();
        assert_eq!(n("/"), ("/".into(), "/".into()));
        assert_eq!(
            n("https://u.github.io/repo"),
            ("https://u.github.io/repo/".into(), "/repo/".into())
        );
        assert_eq!(
            n("https://example.com"),
            ("https://example.com/".into(), "/".into())
        );
        assert_eq!(n("/amm51"), ("/amm51/".into(), "/amm51/".into()));
        assert!(normalize_base_url("repo/").is_err());
        assert!(normalize_base_url("https:///x").is_err());
        assert!(normalize_base_url("/a/../b").is_err());
    }
}
