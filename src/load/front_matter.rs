//! Front matter: the `---` YAML block at the top of a Markdown file, split from the body and
//! typed key by key, with the line of every key for errors (an unknown key names its line and
//! the closest known key).

use super::{Doc, Kind, SortBy};
use crate::error::Diagnostic;
use crate::yaml::{Fields, valid_date_time};
use std::path::Path;

/// Parsed front matter. Keys are the same for pages and sections, except `sort_by`.
#[derive(Debug, Clone, Default)]
pub struct FrontMatter {
    pub title: String,
    pub description: Option<String>,
    /// The day, `YYYY-MM-DD`, also of a date-time.
    pub date: Option<String>,
    pub updated: Option<String>,
    /// The RFC 3339 date-time when `date` gave a time (`2026-05-25T02:49:47+02:00`), issue 18.
    pub date_time: Option<String>,
    pub updated_time: Option<String>,
    pub weight: Option<i64>,
    pub draft: bool,
    pub slug: Option<String>,
    pub template: Option<String>,
    pub tags: Vec<String>,
    pub aliases: Vec<String>,
    pub toc: Option<bool>,
    /// Math on or off for this page, over site.yaml's `math` (issue 13).
    pub math: Option<bool>,
    pub sources: Vec<String>,
    pub extra: serde_yaml::Value,
    pub sort_by: SortBy,
    /// Sections only: `links: warn` makes broken links in this section warnings.
    pub links: Option<crate::config::LinkPolicy>,
    /// Sections only: list the section's pages this many at a time (issue 17).
    pub paginate_by: Option<usize>,
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
    "math",
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
    "links",
    "math",
    "paginate_by",
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
            && self.date_time == other.date_time
            && self.updated == other.updated
            && self.weight == other.weight
            && self.draft == other.draft
            && self.slug == other.slug
            && self.template == other.template
            && self.tags == other.tags
            && self.aliases == other.aliases
            && self.sources == other.sources
            && self.sort_by == other.sort_by
            && self.paginate_by == other.paginate_by
    }
}

/// Splits a file into front matter and body, and parses the front matter: YAML between `---`
/// lines, or TOML between `+++` lines (Zola's and Hugo's, issue 18), with the same keys. With
/// `title_from_heading` (site.yaml, issue 18) a page without `title` takes the text of a `# `
/// heading that starts its body, and the heading is left out of the body (the template shows
/// the title); a file without front matter is then a page too if its body starts so.
pub fn parse_doc(
    rel: &str,
    text: String,
    title_from_heading: bool,
) -> Result<Doc, Vec<Diagnostic>> {
    let shown = Path::new("content").join(rel);
    let text = normalize_text(text);
    let how = "start the file with front matter:\n---\ntitle: My page\n---";
    if text.trim().is_empty() {
        return Err(vec![
            Diagnostic::new(&shown, "file is empty").at(1, 1).hint(how),
        ]);
    }
    // `_index.fr.md` is a section's translation (issue 20); `link::i18n` places it.
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let translated_index = name
        .strip_prefix("_index.")
        .and_then(|n| n.strip_suffix(".md"))
        .is_some_and(super::looks_like_language);
    let kind = if name == "_index.md" || translated_index {
        Kind::Section
    } else {
        Kind::Page
    };
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    let fence = first.trim_end();
    if fence != "---" && fence != "+++" {
        if title_from_heading && let Some((title, after)) = leading_heading(&text, 0) {
            let mut front = FrontMatter {
                title,
                ..FrontMatter::default()
            };
            front.extra = serde_yaml::Value::Mapping(Default::default());
            let body_line = 1 + text[..after].matches('\n').count();
            return Ok(Doc {
                rel: rel.to_string(),
                kind,
                front,
                body_start: after,
                body_line,
                source: None,
                text,
                dropped: None,
            });
        }
        return Err(vec![
            Diagnostic::new(
                &shown,
                "missing front matter: the first line must be `---` (YAML) or `+++` (TOML)",
            )
            .at(1, 1)
            .hint(how),
        ]);
    }
    let toml = fence == "+++";
    let fm_start = first.len();
    let mut offset = fm_start;
    let mut close = None;
    let mut line_no = 1;
    for line in lines {
        line_no += 1;
        if line.trim_end() == fence {
            close = Some((offset, offset + line.len(), line_no));
            break;
        }
        offset += line.len();
    }
    let Some((fm_end, mut body_start, close_line)) = close else {
        return Err(vec![
            Diagnostic::new(
                &shown,
                format!("front matter is not closed: no second `{fence}` line"),
            )
            .at(1, 1)
            .hint(format!(
                "end the front matter with a line containing only `{fence}`"
            )),
        ]);
    };
    let block = &text[fm_start..fm_end];
    let fields = if toml {
        Fields::parse_toml(block, &shown, 2)
    } else {
        Fields::parse(block, &shown, 2)
    }
    .map_err(|d| vec![d])?;
    let heading = title_from_heading
        .then(|| leading_heading(&text, body_start))
        .flatten();
    let mut front = parse_front_matter(
        &fields,
        &shown,
        kind,
        heading.as_ref().map(|h| h.0.as_str()),
    )?;
    let mut body_line = close_line + 1;
    if let Some((title, after)) = heading {
        // The heading is the title: shown once, by the template.
        if front.title.is_empty() || front.title == title {
            front.title = title;
            body_line += text[body_start..after].matches('\n').count();
            body_start = after;
        }
    }
    Ok(Doc {
        rel: rel.to_string(),
        kind,
        front,
        body_start,
        body_line,
        source: None,
        text,
        dropped: None,
    })
}

/// A Markdown file's text as mekong reads it: without a BOM, with line ends normalized to `\n`.
pub fn normalize_text(text: String) -> String {
    let mut text = match text.strip_prefix('\u{feff}') {
        Some(t) => t.to_string(),
        None => text,
    };
    if text.contains('\r') {
        text = text.replace("\r\n", "\n").replace('\r', "\n");
    }
    text
}

/// The text of an ATX `# ` heading that is the first non-blank line at or after `from`, and
/// the offset after its line. A closing `#` run and a `{#id .class}` are left out, and so are
/// the backticks of code spans.
fn leading_heading(text: &str, from: usize) -> Option<(String, usize)> {
    let mut at = from;
    for line in text[from..].split_inclusive('\n') {
        let end = at + line.len();
        let l = line.trim_end();
        if l.trim().is_empty() {
            at = end;
            continue;
        }
        let rest = l.strip_prefix("# ").or_else(|| (l == "#").then_some(""))?;
        let mut t = rest.trim();
        if t.ends_with('}')
            && let Some(i) = t.rfind('{')
        {
            t = t[..i].trim_end();
        }
        let t = t.trim_end_matches('#').trim_end();
        let t: String = t.chars().filter(|&c| c != '`').collect();
        return (!t.trim().is_empty()).then(|| (t.trim().to_string(), end));
    }
    None
}

fn parse_front_matter(
    fields: &Fields,
    shown: &Path,
    kind: Kind,
    heading_title: Option<&str>,
) -> Result<FrontMatter, Vec<Diagnostic>> {
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
        if heading_title.is_none() {
            errors.push(
            Diagnostic::new(shown, "missing `title` in front matter")
                .at_line(2)
                .hint("add a line `title: ...` between the `---` lines, or set `title_from_heading: true` in site.yaml to take the first `# ` heading"),
            );
        }
    } else if title.as_deref().is_some_and(|t| t.trim().is_empty()) {
        errors.push(
            fields
                .error("title", "`title` is empty")
                .hint("give the page a title"),
        );
    }
    let mut date_of = |key: &str| -> Option<(String, Option<String>)> {
        let v = fields.get::<serde_yaml::Value>(key, "a date", &mut errors)?;
        let s = match &v {
            serde_yaml::Value::String(s) => s.clone(),
            other => serde_yaml::to_string(other)
                .unwrap_or_default()
                .trim()
                .to_string(),
        };
        match valid_date_time(&s) {
            Some(d) => Some(d),
            None => {
                errors.push(
                    fields
                        .error(key, format!("`{key}` is not a valid date: `{s}`"))
                        .hint("write dates as YYYY-MM-DD, for example 2018-08-02, or as RFC 3339 date-times such as 2018-08-02T09:30:00+07:00"),
                );
                None
            }
        }
    };
    let (date, date_time) = date_of("date").unzip();
    let (updated, updated_time) = date_of("updated").unzip();
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
        date_time: date_time.flatten(),
        updated_time: updated_time.flatten(),
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
        math: fields.get("math", "`true` or `false`", &mut errors),
        sources: fields.strings("sources", &mut errors),
        extra,
        sort_by: fields
            .get("sort_by", "one of `weight`, `date` or `title`", &mut errors)
            .unwrap_or_default(),
        links: fields.get("links", "`error` or `warn`", &mut errors),
        paginate_by: match fields.get::<u64>(
            "paginate_by",
            "a whole number of at least 1",
            &mut errors,
        ) {
            Some(0) => {
                errors.push(
                    fields
                        .error("paginate_by", "`paginate_by` must be at least 1")
                        .hint(
                            "write `paginate_by: 10` to list 10 pages a page, or leave the key out",
                        ),
                );
                None
            }
            n => n.map(|n| n.min(u32::MAX as u64) as usize),
        },
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
        let doc = parse_doc(
            "a.md",
            "\u{feff}---\r\ntitle: A\r\n---\r\nBody\r\n".into(),
            false,
        )
        .unwrap();
        assert_eq!(doc.front.title, "A");
        assert_eq!(doc.body(), "Body\n");
        assert_eq!(doc.body_line, 4);
    }

    #[test]
    fn locates_yaml_errors_in_the_file_not_the_block() {
        let err = parse_doc("a.md", "---\ntitle: A\nweight: [\n---\n".into(), false).unwrap_err();
        assert_eq!(err[0].path, Path::new("content/a.md"));
        assert!(err[0].line.unwrap() >= 3, "{:?}", err[0]);
    }

    #[test]
    fn unknown_key_names_line_and_suggestion() {
        let err = parse_doc("a.md", "---\ntitle: A\ntages: [x]\n---\n".into(), false).unwrap_err();
        assert_eq!(
            err[0].to_string(),
            "content/a.md:3:1: unknown key `tages` in front matter\n  hint: did you mean `tags`?"
        );
    }

    #[test]
    fn title_from_heading_takes_the_first_heading_once() {
        let doc = parse_doc(
            "a.md",
            "---\nweight: 1\n---\n\n# The `x` tool {#t}\nBody\n".into(),
            true,
        )
        .unwrap();
        assert_eq!(doc.front.title, "The x tool");
        assert_eq!(doc.body(), "Body\n");
        assert_eq!(doc.body_line, 6);
        let doc = parse_doc("a.md", "# Bare\n\nText\n".into(), true).unwrap();
        assert_eq!(doc.front.title, "Bare");
        assert_eq!(doc.body(), "\nText\n");
        // Off: no title is still an error.
        assert!(parse_doc("a.md", "---\nweight: 1\n---\n# T\n".into(), false).is_err());
        // A different front matter title keeps the heading.
        let doc = parse_doc("a.md", "---\ntitle: Other\n---\n# T\n".into(), true).unwrap();
        assert_eq!(doc.body(), "# T\n");
    }

    #[test]
    fn toml_front_matter_has_the_same_keys_and_located_errors() {
        let doc = parse_doc(
            "a.md",
            "+++\ntitle = \"A\"\ndate = 2026-05-25T02:49:47+02:00\ntags = [\"x\"]\n[extra]\nk = 1\n+++\nBody\n".into(),
            false,
        )
        .unwrap();
        assert_eq!(doc.front.title, "A");
        assert_eq!(doc.front.date.as_deref(), Some("2026-05-25"));
        assert_eq!(
            doc.front.date_time.as_deref(),
            Some("2026-05-25T02:49:47+02:00")
        );
        assert_eq!(doc.front.tags, vec!["x"]);
        assert_eq!(doc.body(), "Body\n");
        let err = parse_doc(
            "a.md",
            "+++\ntitle = \"A\"\ntages = []\n+++\n".into(),
            false,
        )
        .unwrap_err();
        assert_eq!(
            err[0].to_string(),
            "content/a.md:3:1: unknown key `tages` in front matter\n  hint: did you mean `tags`?"
        );
        let err = parse_doc(
            "a.md",
            "+++\ntitle = \"A\"\nweight = x\n+++\n".into(),
            false,
        )
        .unwrap_err();
        assert!(
            err[0].to_string().starts_with("content/a.md:3:"),
            "{}",
            err[0]
        );
    }
}
