//! Zola to mekong (issue 18). The layouts match (`_index.md` sections, `index.md` page
//! bundles with their assets, `@/` links, `static/`), so pages are copied to the same paths
//! with their front matter mapped ([`super::front`]: TOML to YAML, `taxonomies.tags` to
//! `tags`, `redirect_to` to a page that links to the target, dates with their time) and their
//! shortcodes kept where mekong has the component ([`super::shortcodes`]). config.toml (or
//! zola.toml) becomes site.yaml. [`pages`] is shared with the Hugo importer.

use super::front::{self, key_line};
use super::markdown::{line_of, page, set};
use super::{Out, files_under};
use crate::error::{Diagnostic, fs};
use serde_yaml::{Mapping, Value};
use std::path::Path;

pub(super) fn convert(source: &Path) -> Result<Out, Diagnostic> {
    let mut out = Out::default();
    let name = if source.join("zola.toml").is_file() {
        "zola.toml"
    } else {
        "config.toml"
    };
    let text = if source.join(name).is_file() {
        fs::read_to_string(&source.join(name), Path::new(name))?
    } else {
        String::new()
    };
    let config: toml::Table = toml::from_str(&text).map_err(|e| {
        let mut d = Diagnostic::new(name, format!("invalid TOML: {}", e.message().trim()));
        if let Some(span) = e.span() {
            let (l, c) = crate::error::line_col(&text, span.start);
            d = d.at(l, c);
        }
        d.hint("fix the file so that Zola itself can read it")
    })?;
    let mut site = Mapping::new();
    let title = config
        .get("title")
        .and_then(|v| v.as_str())
        .unwrap_or("Site")
        .to_string();
    set(&mut site, "title", title.as_str());
    if let Some(d) = config.get("description").and_then(|v| v.as_str()) {
        set(&mut site, "description", d);
    }
    if let Some(u) = config.get("base_url").and_then(|v| v.as_str()) {
        set(&mut site, "base_url", u);
    }
    if let Some(l) = config.get("default_language").and_then(|v| v.as_str()) {
        set(&mut site, "language", l);
    }
    if let Some(a) = config.get("author").and_then(|v| v.as_str()) {
        set(&mut site, "author", a);
    }
    if let Some(b) = config.get("build_search_index").and_then(|v| v.as_bool()) {
        set(&mut site, "search", b);
    }
    if let Some(extra) = config.get("extra") {
        let v = serde_yaml::to_value(extra).unwrap_or(Value::Null);
        if matches!(v, Value::Mapping(_)) {
            set(&mut site, "extra", v);
        }
    }
    for key in [
        "theme",
        "taxonomies",
        "languages",
        "generate_feeds",
        "compile_sass",
        "minify_html",
    ] {
        if config.contains_key(key) {
            out.note(
                name,
                key_line(&text, key),
                format!("`{key}` has no equivalent"),
                "mekong has one tag list (`/tags/`), feeds and its default theme; see README",
            );
        }
    }
    out.site_yaml(name, &site);
    let n = pages(source, &title, &mut out, |body, shown, line, out, _| {
        super::shortcodes::zola(body, shown, line, out)
    })?;
    out.converted
        .push(format!("content/: {n} pages, front matter as YAML"));
    common_folders(source, &mut out)?;
    Ok(out)
}

/// Copies `static/` and notes the folders mekong does not use.
pub(super) fn common_folders(source: &Path, out: &mut Out) -> Result<(), Diagnostic> {
    let n = out.copy_tree(source, "static", "static", |_| true)?;
    if n > 0 {
        out.converted.push(format!("static/: {n} files copied"));
    }
    for dir in [
        "templates",
        "layouts",
        "themes",
        "sass",
        "assets",
        "i18n",
        "archetypes",
    ] {
        if source.join(dir).is_dir() {
            out.note(format!("{dir}/"), 0, "not converted: mekong uses Tera 2 templates and its own theme", "the imported site uses mekong's default theme; see README \"Templates\" to override its files");
        }
    }
    Ok(())
}

/// Copies `content/`: Markdown pages with their front matter mapped and their body passed
/// through `body` (body, shown path, the body's first line, notes, content path), other
/// files as they are. Returns the number of pages.
pub(super) fn pages(
    source: &Path,
    site_title: &str,
    out: &mut Out,
    mut body: impl FnMut(&str, &str, usize, &mut Out, &str) -> String,
) -> Result<usize, Diagnostic> {
    let mut n = 0;
    for (rel, abs) in files_under(source, "content")? {
        let shown = format!("content/{rel}");
        if !rel.ends_with(".md") {
            let bytes = fs::read(&abs, Path::new(&shown))?;
            out.files.insert(Path::new("content").join(&rel), bytes);
            continue;
        }
        n += 1;
        let text = fs::read_to_string(&abs, Path::new(&shown))?;
        let text = text
            .strip_prefix('\u{feff}')
            .unwrap_or(&text)
            .replace("\r\n", "\n");
        let split = front::split(&text, &shown, out);
        let section = rel == "_index.md" || rel.ends_with("/_index.md");
        let fallback = fallback_title(&rel, site_title);
        let (mut fm, redirect) = front::map(&split.front, section, &fallback, &text, &shown, out);
        let first_line = line_of(&text, split.body_start);
        let mut text_body = body(&text[split.body_start..], &shown, first_line, out, &rel);
        if let Some(target) = redirect {
            let link = if target.starts_with("@/") || crate::markdown::is_external(&target) {
                target.clone()
            } else {
                format!("/{}", target.trim_start_matches('/'))
            };
            text_body = format!("This page has moved to [{target}]({link}).\n\n{text_body}");
        }
        if fm.get("title").is_none() {
            set(&mut fm, "title", fallback);
        }
        out.text(Path::new("content").join(&rel), page(&fm, &text_body));
    }
    Ok(n)
}

/// A title for a page without one: its file or folder name, words capitalized.
fn fallback_title(rel: &str, site_title: &str) -> String {
    let stem = rel.trim_end_matches(".md");
    let name = match stem.rsplit_once('/') {
        Some((dir, "_index" | "index")) => dir.rsplit('/').next().unwrap_or(dir),
        None if stem == "_index" || stem == "index" => return site_title.to_string(),
        Some((_, name)) => name,
        None => stem,
    };
    name.split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}
