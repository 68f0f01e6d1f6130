//! Hugo to mekong (issue 18). `content/` keeps its layout (`_index.md` sections, `index.md`
//! leaf bundles); YAML, TOML and JSON front matter become YAML with mekong's keys
//! ([`super::front`]: `lastmod` is `updated`, custom keys go under `extra`); `ref` and
//! `relref` shortcodes become `@/` links to the page's source, `figure` and `details` become
//! mekong's components, other shortcodes are reported ([`super::shortcodes`]). The config
//! (hugo.toml, config.toml, .yaml or .json) becomes site.yaml; `data/` is copied.

use super::Out;
use super::front::key_line;
use super::markdown::{dir_of, join, set};
use crate::error::{Diagnostic, fs};
use serde_yaml::{Mapping, Value};
use std::collections::HashSet;
use std::path::Path;

pub(super) fn convert(source: &Path) -> Result<Out, Diagnostic> {
    let mut out = Out::default();
    let names = [
        "hugo.toml",
        "hugo.yaml",
        "hugo.yml",
        "hugo.json",
        "config.toml",
        "config.yaml",
        "config.yml",
        "config.json",
    ];
    let (name, text) = match names.iter().find(|n| source.join(n).is_file()) {
        Some(n) => (
            n.to_string(),
            fs::read_to_string(&source.join(n), Path::new(n))?,
        ),
        None => ("hugo.toml".to_string(), String::new()),
    };
    let config: Value = if name.ends_with(".toml") {
        let t: toml::Table = toml::from_str(&text)
            .map_err(|e| bad(&name, &text, e.message(), e.span().map(|s| s.start)))?;
        serde_yaml::to_value(t).unwrap_or(Value::Null)
    } else if name.ends_with(".json") {
        let v: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| bad(&name, &text, &e.to_string(), None))?;
        serde_yaml::to_value(v).unwrap_or(Value::Null)
    } else {
        serde_yaml::from_str(&text).map_err(|e| bad(&name, &text, &e.to_string(), None))?
    };
    let get = |k: &str| config.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let mut site = Mapping::new();
    let title = get("title").unwrap_or_else(|| "Site".into());
    set(&mut site, "title", title.as_str());
    if let Some(u) = get("baseURL").or_else(|| get("baseurl")) {
        set(&mut site, "base_url", u);
    }
    if let Some(l) = get("languageCode").or_else(|| get("defaultContentLanguage")) {
        set(&mut site, "language", l);
    }
    let params = config.get("params").cloned();
    if let Some(d) = params
        .as_ref()
        .and_then(|p| p.get("description"))
        .and_then(|v| v.as_str())
    {
        set(&mut site, "description", d);
    }
    if let Some(p @ Value::Mapping(_)) = params {
        set(&mut site, "extra", p);
    }
    set(&mut site, "heading_ids", "github");
    for key in [
        "theme",
        "menu",
        "taxonomies",
        "languages",
        "outputs",
        "markup",
    ] {
        if config.get(key).is_some() {
            out.note(
                &name,
                key_line(&text, key),
                format!("`{key}` has no equivalent"),
                "mekong builds its sidebar from the content tree and has one tag list; see README",
            );
        }
    }
    out.site_yaml(&name, &site);

    let sources: HashSet<String> = super::files_under(source, "content")?
        .into_iter()
        .map(|(r, _)| r)
        .filter(|r| r.ends_with(".md"))
        .collect();
    let n = super::zola::pages(source, &title, &mut out, |body, shown, line, out, rel| {
        super::shortcodes::hugo(body, shown, line, out, |target| {
            resolve(target, rel, &sources)
        })
    })?;
    out.converted.push(format!(
        "content/: {n} pages, front matter as YAML, ref/relref as @/ links"
    ));
    let data = out.copy_tree(source, "data", "data", |r| {
        [".yaml", ".yml", ".json", ".toml", ".csv"]
            .iter()
            .any(|e| r.ends_with(e))
    })?;
    if data > 0 {
        out.converted.push(format!("data/: {data} files copied"));
    }
    super::zola::common_folders(source, &mut out)?;
    Ok(out)
}

fn bad(name: &str, text: &str, message: &str, at: Option<usize>) -> Diagnostic {
    let mut d = Diagnostic::new(
        name,
        format!("cannot read the Hugo configuration: {}", message.trim()),
    );
    if let Some(at) = at {
        let (l, c) = crate::error::line_col(text, at);
        d = d.at(l, c);
    }
    d.hint("fix the file so that Hugo itself can read it")
}

/// A `ref` target (`/docs/a.md`, `a`, `../b/#x`, `#x`) from the page `rel`, as an `@/` link.
fn resolve(target: &str, rel: &str, sources: &HashSet<String>) -> Option<String> {
    let (path, frag) = match target.find('#') {
        Some(i) => (&target[..i], &target[i..]),
        None => (target, ""),
    };
    if path.is_empty() {
        return Some(frag.to_string());
    }
    let bases: Vec<Option<String>> = if let Some(abs) = path.strip_prefix('/') {
        vec![join("", abs)]
    } else {
        vec![join(dir_of(rel), path), join("", path)]
    };
    for base in bases.into_iter().flatten() {
        let b = base.trim_end_matches('/');
        for cand in [
            b.to_string(),
            format!("{b}.md"),
            format!("{b}/_index.md"),
            format!("{b}/index.md"),
        ] {
            if sources.contains(&cand) {
                return Some(format!("@/{cand}{frag}"));
            }
        }
        if b.is_empty() && sources.contains("_index.md") {
            return Some(format!("@/_index.md{frag}"));
        }
    }
    None
}
