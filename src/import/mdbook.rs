//! mdBook to mekong (issue 18). `book.toml` becomes site.yaml (title, authors, description,
//! language, `site-url`, `edit-url-template`); `SUMMARY.md` gives the order and the nesting:
//! each part title a section, each chapter with nested chapters a section (its file the
//! section's `_index.md`, the nested ones its pages, so the sidebar shows them nested), the
//! rest pages, with weights in SUMMARY's order and titles from SUMMARY. A `README.md` is its
//! folder's index. `{{#include}}` and `{{#rustdoc_include}}` (whole files, `:anchor`, line
//! ranges) are expanded; links to chapters (`ch02.md#x` and `ch02.html#x`) become `@/` links
//! to where the chapter now is; other files under `src/` are copied to the same place.

use super::markdown::{
    dir_of, is_external_or_anchor, join, line_of, page, rewrite_links, set, split_dest,
};
use super::{Out, files_under};
use crate::error::{Diagnostic, fs};
use serde_yaml::{Mapping, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

mod include;

/// A chapter of SUMMARY.md.
#[derive(Debug)]
struct Chapter {
    title: String,
    /// Relative to `src/`; `None` for a draft chapter (`[Title]()`).
    path: Option<String>,
    line: usize,
    children: Vec<Chapter>,
}

/// A part of the book: chapters under an optional part title (`# Part`).
#[derive(Debug)]
struct Part {
    title: Option<(String, usize)>,
    chapters: Vec<Chapter>,
}

pub(super) fn convert(source: &Path) -> Result<Out, Diagnostic> {
    let mut out = Out::default();
    let book = read_book(source, &mut out)?;
    let src = book.src.clone();
    let summary_rel = format!("{src}/SUMMARY.md");
    let summary = fs::read_to_string(&source.join(&summary_rel), Path::new(&summary_rel))?;
    let parts = parse_summary(&summary, &summary_rel, &mut out);

    // Where each chapter goes: source path (relative to src/) -> content path.
    let mut placed: Vec<(String, String, String, i64, usize)> = Vec::new(); // (src, dest, title, weight, line)
    let mut sections: Vec<(String, String, i64)> = Vec::new(); // part sections: (dest, title, weight)
    let mut taken: HashMap<String, usize> = HashMap::new();
    let mut home_done = false;
    let mut count = 0usize;
    for (pi, part) in parts.iter().enumerate() {
        let dir = match &part.title {
            Some((title, _)) => {
                let mut d = slug::slugify(title);
                if d.is_empty() {
                    d = format!("part-{}", pi + 1);
                }
                sections.push((format!("{d}/_index.md"), title.clone(), pi as i64 * 1000));
                d
            }
            None => String::new(),
        };
        for (ci, ch) in part.chapters.iter().enumerate() {
            // Parts are sections of weight 1000 × their place; chapters outside parts
            // (prefix and suffix chapters) sit between them in SUMMARY's order.
            let weight = if part.title.is_some() {
                (ci as i64 + 1) * 10
            } else {
                pi as i64 * 1000 + (ci as i64 + 1) * 10
            };
            place(
                ch,
                &dir,
                weight,
                &mut placed,
                &mut taken,
                &mut home_done,
                &mut count,
                &summary_rel,
                &mut out,
            );
        }
    }
    let dest_of: HashMap<String, String> = placed
        .iter()
        .map(|(s, d, ..)| (s.clone(), d.clone()))
        .collect();

    // Other files under src/ are copied as they are (images, listings).
    let files = files_under(source, &src)?;
    let mut copied = 0;
    for (rel, abs) in &files {
        if rel.ends_with(".md") {
            continue;
        }
        let bytes = fs::read(abs, &Path::new(&src).join(rel))?;
        out.files.insert(Path::new("content").join(rel), bytes);
        copied += 1;
    }
    let listed: std::collections::HashSet<&str> = files.iter().map(|(r, _)| r.as_str()).collect();

    for (src_rel, dest, title, weight, line) in &placed {
        let shown = format!("{src}/{src_rel}");
        let abs = source.join(&src).join(src_rel);
        let text = if abs.is_file() {
            fs::read_to_string(&abs, Path::new(&shown))?
        } else {
            out.note(
                &summary_rel,
                *line,
                format!("chapter file `{src_rel}` does not exist"),
                "mdBook would create it empty; write the page or remove it from SUMMARY.md",
            );
            String::new()
        };
        let text = text
            .strip_prefix('\u{feff}')
            .unwrap_or(&text)
            .replace("\r\n", "\n");
        let text = include::expand(&text, source, &src, src_rel, &mut out);
        let from_dir = dir_of(src_rel).to_string();
        let body = rewrite_links(&text, |d, at| {
            if is_external_or_anchor(d) || d.starts_with('/') {
                return None;
            }
            let (path, rest) = split_dest(d);
            let path = crate::markdown::percent_decode(path);
            let target = join(&from_dir, &path)?;
            let as_md = target
                .strip_suffix(".html")
                .map(|t| format!("{t}.md"))
                .unwrap_or_else(|| target.clone());
            let as_md = if as_md.ends_with("/index.md") || as_md == "index.md" {
                // mdBook renders README.md as index.html.
                let readme = as_md.replace("index.md", "README.md");
                if dest_of.contains_key(&readme) {
                    readme
                } else {
                    as_md
                }
            } else {
                as_md
            };
            if let Some(new) = dest_of.get(&as_md) {
                return Some(format!("@/{new}{rest}"));
            }
            if listed.contains(target.as_str()) && !target.ends_with(".md") {
                return Some(format!("@/{target}{rest}"));
            }
            out.note(&shown, line_of(&text, at), format!("link to `{d}`, which is not a chapter of SUMMARY.md"), "mdBook does not render files missing from SUMMARY.md; the link now points to this page (`#`): add the file to SUMMARY.md and link to it, or remove the link");
            Some("#".to_string())
        });
        let mut front = Mapping::new();
        set(&mut front, "title", title.as_str());
        if dest != "_index.md" {
            set(&mut front, "weight", *weight);
        }
        out.text(Path::new("content").join(dest), page(&front, &body));
    }
    for (dest, title, weight) in &sections {
        let mut front = Mapping::new();
        set(&mut front, "title", title.as_str());
        set(&mut front, "weight", *weight);
        out.text(Path::new("content").join(dest), page(&front, ""));
    }
    if !home_done {
        let mut front = Mapping::new();
        set(&mut front, "title", book.title.as_str());
        let first = placed
            .first()
            .map(|(_, d, t, ..)| format!("Start with [{t}](@/{d}).\n"))
            .unwrap_or_default();
        out.text("content/_index.md", page(&front, &first));
    }
    out.text("site.yaml", book.site_yaml);
    out.converted.push(format!(
        "{summary_rel}: {} chapters{}",
        placed.len(),
        if sections.is_empty() {
            String::new()
        } else {
            format!(" in {} parts", sections.len())
        }
    ));
    out.converted
        .push(format!("{src}/: {copied} other files copied to content/"));
    out.converted.push("book.toml: site.yaml".into());
    let _ = count;
    Ok(out)
}

/// Places a chapter (and its nested chapters) under `dir`.
#[allow(clippy::too_many_arguments)]
fn place(
    ch: &Chapter,
    dir: &str,
    weight: i64,
    placed: &mut Vec<(String, String, String, i64, usize)>,
    taken: &mut HashMap<String, usize>,
    home_done: &mut bool,
    count: &mut usize,
    summary_rel: &str,
    out: &mut Out,
) {
    *count += 1;
    let Some(path) = &ch.path else {
        out.note(
            summary_rel,
            ch.line,
            format!("draft chapter `{}` (no file)", ch.title),
            "write the page and add it to content/, where its place in SUMMARY.md would put it",
        );
        for (i, c) in ch.children.iter().enumerate() {
            place(
                c,
                dir,
                weight + i as i64 + 1,
                placed,
                taken,
                home_done,
                count,
                summary_rel,
                out,
            );
        }
        return;
    };
    let file = path.rsplit('/').next().unwrap_or(path);
    let is_readme = file.eq_ignore_ascii_case("README.md") || file == "index.md";
    let stem = if is_readme {
        dir_of(path).rsplit('/').next().unwrap_or("").to_string()
    } else {
        file.trim_end_matches(".md").to_string()
    };
    let join_dir = |name: &str| {
        if dir.is_empty() {
            name.to_string()
        } else {
            format!("{dir}/{name}")
        }
    };
    let dest = if is_readme
        && dir.is_empty()
        && stem.is_empty()
        && !*home_done
        && ch.children.is_empty()
    {
        *home_done = true;
        "_index.md".to_string()
    } else if !ch.children.is_empty() {
        let stem = if stem.is_empty() {
            slug::slugify(&ch.title)
        } else {
            stem
        };
        unique(&format!("{}/_index.md", join_dir(&stem)), taken)
    } else {
        let stem = if stem.is_empty() {
            slug::slugify(&ch.title)
        } else {
            stem
        };
        unique(&format!("{}.md", join_dir(&stem)), taken)
    };
    placed.push((
        path.clone(),
        dest.clone(),
        ch.title.clone(),
        weight,
        ch.line,
    ));
    if !ch.children.is_empty() {
        let sub = dir_of(&dest).to_string();
        for (i, c) in ch.children.iter().enumerate() {
            place(
                c,
                &sub,
                (i as i64 + 1) * 10,
                placed,
                taken,
                home_done,
                count,
                summary_rel,
                out,
            );
        }
    }
}

/// `want`, or `want` with `-2`, `-3`… before its extension when two chapters meet there.
fn unique(want: &str, taken: &mut HashMap<String, usize>) -> String {
    let n = taken.entry(want.to_string()).or_insert(0);
    *n += 1;
    if *n == 1 {
        return want.to_string();
    }
    match want.strip_suffix("/_index.md") {
        Some(d) => format!("{d}-{n}/_index.md"),
        None => format!("{}-{n}.md", want.trim_end_matches(".md")),
    }
}

/// SUMMARY.md: prefix chapters, parts (`# Title`), nested lists of `[Title](path.md)`,
/// separators, suffix chapters.
fn parse_summary(text: &str, shown: &str, out: &mut Out) -> Vec<Part> {
    let mut parts = vec![Part {
        title: None,
        chapters: Vec::new(),
    }];
    // The open list items: (indent, index among their siblings), outermost first.
    let mut stack: Vec<(usize, usize)> = Vec::new();
    let mut seen_title = false;
    let mut in_comment = false;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim_end();
        let t = line.trim_start();
        if in_comment {
            in_comment = !t.contains("-->");
            continue;
        }
        if t.starts_with("<!--") {
            in_comment = !t.contains("-->");
            continue;
        }
        if t.is_empty() {
            continue;
        }
        if let Some(h) = t.strip_prefix('#') {
            let title = h.trim_start_matches('#').trim();
            if !seen_title && parts.len() == 1 && parts[0].chapters.is_empty() {
                seen_title = true; // `# Summary`
                continue;
            }
            parts.push(Part {
                title: Some((title.to_string(), line_no)),
                chapters: Vec::new(),
            });
            stack.clear();
            continue;
        }
        seen_title = true;
        if t.chars().all(|c| c == '-' || c == '*' || c == ' ') && t.len() >= 3 {
            stack.clear();
            continue; // a separator
        }
        let lead = &line[..line.len() - t.len()];
        let indent = lead.len() + lead.matches('\t').count() * 3;
        let (item, is_list) = match t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
            Some(rest) => (rest.trim(), true),
            None => (t, false),
        };
        let Some((title, path)) = parse_link(item) else {
            out.note(
                shown,
                line_no,
                format!("line not understood: `{t}`"),
                "write `- [Title](file.md)`; the line was left out",
            );
            continue;
        };
        let ch = Chapter {
            title,
            path,
            line: line_no,
            children: Vec::new(),
        };
        if !is_list {
            // A suffix chapter, after the parts, is outside them.
            if parts.last().is_some_and(|p| p.title.is_some()) {
                parts.push(Part {
                    title: None,
                    chapters: Vec::new(),
                });
            }
            stack.clear();
            parts
                .last_mut()
                .expect("one part at least")
                .chapters
                .push(ch);
            continue;
        }
        let part = parts.last_mut().expect("one part at least");
        // The parent is the nearest open item indented less than this one.
        while stack.last().is_some_and(|&(i, _)| i >= indent) {
            stack.pop();
        }
        let mut list = &mut part.chapters;
        for &(_, k) in &stack {
            list = &mut list[k].children;
        }
        list.push(ch);
        stack.push((indent, list.len() - 1));
    }
    parts.retain(|p| p.title.is_some() || !p.chapters.is_empty());
    parts
}

/// `[Title](path)`: the title and the path (`None` when empty, a draft).
fn parse_link(s: &str) -> Option<(String, Option<String>)> {
    let s = s.strip_prefix('[')?;
    let close = s.rfind("](")?;
    let title = s[..close].replace("\\[", "[").replace("\\]", "]");
    let rest = s[close + 2..].trim_end();
    let path = rest.strip_suffix(')')?.trim();
    let path = path.trim_start_matches("./");
    let path = crate::markdown::percent_decode(path.trim_matches(|c| c == '<' || c == '>'));
    Some((title.trim().to_string(), (!path.is_empty()).then_some(path)))
}

/// book.toml, read and mapped.
struct Book {
    title: String,
    src: String,
    site_yaml: String,
}

fn read_book(source: &Path, out: &mut Out) -> Result<Book, Diagnostic> {
    let shown = Path::new("book.toml");
    let text = fs::read_to_string(&source.join("book.toml"), shown)?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| {
        let mut d = Diagnostic::new(shown, format!("invalid TOML: {}", e.message().trim()));
        if let Some(span) = e.span() {
            let (l, c) = crate::error::line_col(&text, span.start);
            d = d.at(l, c);
        }
        d.hint("fix book.toml so that mdBook itself can read it")
    })?;
    let line = |key: &str| {
        text.lines()
            .position(|l| l.trim_start().starts_with(key))
            .map_or(0, |i| i + 1)
    };
    let book = table.get("book").and_then(|b| b.as_table());
    let get = |k: &str| {
        book.and_then(|b| b.get(k))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let title = get("title").unwrap_or_else(|| "Book".to_string());
    let src = get("src")
        .unwrap_or_else(|| "src".to_string())
        .trim_matches('/')
        .to_string();
    let mut site: BTreeMap<&str, Value> = BTreeMap::new();
    site.insert("title", title.clone().into());
    if let Some(d) = get("description") {
        site.insert("description", d.into());
    }
    if let Some(l) = get("language") {
        site.insert("language", l.into());
    }
    if let Some(a) = book
        .and_then(|b| b.get("authors"))
        .and_then(|v| v.as_array())
    {
        let names: Vec<&str> = a.iter().filter_map(|v| v.as_str()).collect();
        if !names.is_empty() {
            site.insert("author", names.join(", ").into());
        }
    }
    let html = table
        .get("output")
        .and_then(|o| o.get("html"))
        .and_then(|h| h.as_table());
    let html_get = |k: &str| {
        html.and_then(|h| h.get(k))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    if let Some(u) = html_get("site-url") {
        site.insert("base_url", u.into());
    }
    if let Some(t) = html_get("edit-url-template") {
        // mdBook's `{path}` is the chapter's path under the book; mekong adds
        // `content/<path>` to the site folder's URL.
        match t.split_once("{path}") {
            Some((base, "")) if base.starts_with("http") => {
                site.insert("edit_url", base.trim_end_matches("src/").to_string().into());
                out.note("book.toml", line("edit-url-template"), "`edit-url-template` became `edit_url`: pages now link to `content/<path>` in the same folder", "commit the imported site where the book was, or correct `edit_url` in site.yaml");
            }
            _ => out.note(
                "book.toml",
                line("edit-url-template"),
                format!("`edit-url-template = \"{t}\"` has no `{{path}}` at its end"),
                "set `edit_url` in site.yaml to the web editor's URL of the site folder",
            ),
        }
    }
    if html
        .and_then(|h| h.get("mathjax-support"))
        .and_then(|v| v.as_bool())
        == Some(true)
    {
        site.insert("math", true.into());
    }
    for key in [
        "additional-css",
        "additional-js",
        "theme",
        "playground",
        "fold",
        "redirect",
        "git-repository-url",
    ] {
        if html.is_some_and(|h| h.contains_key(key)) {
            out.note(
                "book.toml",
                line(key),
                format!("[output.html] `{key}` has no equivalent"),
                "mekong's default theme is used; see README \"Templates\" to override its files",
            );
        }
    }
    if let Some(pre) = table.get("preprocessor").and_then(|p| p.as_table()) {
        for name in pre.keys() {
            out.note(
                "book.toml",
                line(&format!("[preprocessor.{name}")),
                format!("preprocessor `{name}` is not run"),
                "check the pages that use it; its syntax is left as text",
            );
        }
    }
    let mut yaml = Mapping::new();
    for (k, v) in site {
        yaml.insert(Value::String(k.into()), v);
    }
    set(&mut yaml, "title_from_heading", true);
    set(&mut yaml, "heading_ids", "mdbook");
    let site_yaml = format!(
        "# Imported from book.toml by `mekong import` (issue 18).\n{}",
        serde_yaml::to_string(&yaml).unwrap_or_default()
    );
    Ok(Book {
        title,
        src,
        site_yaml,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_summary_nesting_parts_and_drafts() {
        let mut out = Out::default();
        let parts = parse_summary(
            "# Summary\n\n[Intro](README.md)\n\n# Part one\n\n- [A](a.md)\n  - [A1](a/one.md)\n    - [Deep](a/deep.md)\n  - [A2]()\n- [B](b.md)\n\n---\n\n[Credits](credits.md)\n",
            "src/SUMMARY.md",
            &mut out,
        );
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].chapters[0].title, "Intro");
        assert_eq!(parts[1].title.as_ref().unwrap().0, "Part one");
        let a = &parts[1].chapters[0];
        assert_eq!(a.children.len(), 2);
        assert_eq!(a.children[0].children[0].title, "Deep");
        assert_eq!(a.children[1].path, None);
        assert_eq!(parts[1].chapters[1].title, "B");
        assert_eq!(parts[2].chapters[0].title, "Credits");
        assert!(out.notes.is_empty());
    }
}
