//! Zola's and Hugo's front matter (YAML `---`, TOML `+++`, Hugo's JSON `{…}`) mapped to
//! mekong's keys (issue 18): the keys mekong has are kept (`lastmod` is `updated`, Zola's
//! `taxonomies.tags` is `tags`), every other key goes under `extra`, and the ones whose
//! behaviour is lost (a template, a redirect, pagination) are reported at their line.

use super::Out;
use super::markdown::set;
use crate::yaml::valid_date_time;
use serde_yaml::{Mapping, Value};

/// A source file split: its front matter as YAML values and where the body starts.
pub(super) struct Split {
    pub front: Mapping,
    pub body_start: usize,
}

/// Splits `text` (normalized to `\n`). A front matter that does not parse is reported and
/// taken as empty.
pub(super) fn split(text: &str, shown: &str, out: &mut Out) -> Split {
    let empty = Split {
        front: Mapping::new(),
        body_start: 0,
    };
    let first = text.lines().next().unwrap_or("").trim_end();
    if first == "---" || first == "+++" {
        let start = first.len() + 1;
        let Some(close) = find_fence(text, start, first) else {
            out.note(
                shown,
                1,
                format!("front matter is not closed by a `{first}` line"),
                "close it; the file was imported with a title only",
            );
            return empty;
        };
        let block = &text[start.min(text.len())..close.0];
        let front = if first == "+++" {
            match toml::from_str::<toml::Table>(block) {
                Ok(t) => crate::yaml::from_toml(toml::Value::Table(t)),
                Err(e) => {
                    let line = e
                        .span()
                        .map_or(2, |s| super::markdown::line_of(text, start + s.start));
                    out.note(
                        shown,
                        line,
                        format!("invalid TOML front matter: {}", e.message().trim()),
                        "fix it in the imported page; it was imported with a title only",
                    );
                    Value::Null
                }
            }
        } else {
            match serde_yaml::from_str::<Value>(block) {
                Ok(v) => v,
                Err(e) => {
                    let line = e.location().map_or(2, |l| l.line() + 1);
                    out.note(
                        shown,
                        line,
                        "invalid YAML front matter",
                        "fix it in the imported page; it was imported with a title only",
                    );
                    Value::Null
                }
            }
        };
        return Split {
            front: match front {
                Value::Mapping(m) => m,
                _ => Mapping::new(),
            },
            body_start: close.1,
        };
    }
    if first.starts_with('{') {
        let mut stream = serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>();
        match stream.next() {
            Some(Ok(v)) => {
                let end = stream.byte_offset();
                let body_start = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
                let front = serde_yaml::to_value(&v).ok().and_then(|v| match v {
                    Value::Mapping(m) => Some(m),
                    _ => None,
                });
                return Split {
                    front: front.unwrap_or_default(),
                    body_start,
                };
            }
            _ => {
                out.note(
                    shown,
                    1,
                    "invalid JSON front matter",
                    "fix it in the imported page; it was imported with a title only",
                );
                return empty;
            }
        }
    }
    empty
}

/// The end of the front matter block and the start of the body.
fn find_fence(text: &str, from: usize, fence: &str) -> Option<(usize, usize)> {
    let mut at = from.min(text.len());
    for line in text[at..].split_inclusive('\n') {
        if line.trim_end() == fence {
            return Some((at, at + line.len()));
        }
        at += line.len();
    }
    None
}

/// The 1-based line of a top-level `key` in the front matter of `text`, for notes.
pub(super) fn key_line(text: &str, key: &str) -> usize {
    text.lines()
        .take(200)
        .position(|l| {
            let l = l.trim_start();
            // A TOML table of that name: `[menu]`, `[[menu.main]]`.
            if l.starts_with('[')
                && l.trim_start_matches('[')
                    .strip_prefix(key)
                    .is_some_and(|r| r.starts_with([']', '.']))
            {
                return true;
            }
            let l = l.trim_start_matches('"');
            l.strip_prefix(key).is_some_and(|r| {
                r.trim_start_matches('"')
                    .trim_start()
                    .starts_with([':', '='])
            })
        })
        .map_or(1, |i| i + 1)
}

/// Maps a source front matter to mekong's. `section` for `_index.md`; `fallback_title` when
/// the source has none. `redirect` receives Zola's `redirect_to`.
pub(super) fn map(
    src: &Mapping,
    section: bool,
    fallback_title: &str,
    text: &str,
    shown: &str,
    out: &mut Out,
) -> (Mapping, Option<String>) {
    let mut front = Mapping::new();
    let mut extra = Mapping::new();
    let mut redirect = None;
    let s = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    let title = src
        .get("title")
        .and_then(s)
        .filter(|t| !t.trim().is_empty());
    set(
        &mut front,
        "title",
        title.unwrap_or_else(|| fallback_title.to_string()),
    );
    for (k, v) in src {
        let Some(key) = k.as_str() else { continue };
        let line = || key_line(text, key);
        match key {
            "title" => {}
            "description" if v.is_string() => set(&mut front, "description", v.clone()),
            "date" | "updated" | "lastmod" => {
                let to = if key == "date" { "date" } else { "updated" };
                match s(v).filter(|d| valid_date_time(d).is_some()) {
                    Some(d) => set(&mut front, to, d),
                    None => {
                        out.note(
                            shown,
                            line(),
                            format!("`{key}` is not a date mekong reads"),
                            format!(
                                "it is under `extra.{key}`; write it as YYYY-MM-DD or RFC 3339"
                            ),
                        );
                        extra.insert(k.clone(), v.clone());
                    }
                }
            }
            "weight" if v.as_i64().is_some() => set(&mut front, "weight", v.clone()),
            "draft" if v.is_bool() => set(&mut front, "draft", v.clone()),
            "slug" if v.as_str().is_some_and(slug_ok) => set(&mut front, "slug", v.clone()),
            "aliases" => {
                let list: Vec<Value> = match v {
                    Value::Sequence(a) => a.clone(),
                    Value::String(_) => vec![v.clone()],
                    _ => Vec::new(),
                };
                set(&mut front, "aliases", Value::Sequence(list));
            }
            "tags" => set(&mut front, "tags", v.clone()),
            "taxonomies" => {
                if let Value::Mapping(t) = v {
                    for (tk, tv) in t {
                        if tk.as_str() == Some("tags") {
                            set(&mut front, "tags", tv.clone());
                        } else {
                            extra.insert(tk.clone(), tv.clone());
                        }
                    }
                }
            }
            "sort_by" if section => match v.as_str() {
                Some(m @ ("weight" | "date" | "title")) => set(&mut front, "sort_by", m),
                Some("none") => {}
                _ => {
                    out.note(shown, line(), format!("`sort_by = {}` has no equivalent", s(v).unwrap_or_default()), "mekong sorts by `weight`, `date` or `title`; the section now sorts by weight");
                }
            },
            "extra" | "params" => {
                if let Value::Mapping(m) = v {
                    for (ek, ev) in m {
                        extra.insert(ek.clone(), ev.clone());
                    }
                }
            }
            "redirect_to" => {
                redirect = s(v);
                extra.insert(k.clone(), v.clone());
                out.note(shown, line(), format!("`redirect_to = \"{}\"`: mekong has no redirecting section", s(v).unwrap_or_default()), "the page now links to the target; to redirect, add this page's URL to the target's `aliases` and delete this page");
            }
            "template" | "page_template" | "layout" | "type" | "paginate_by" | "transparent"
            | "render" | "url" | "outputs" => {
                extra.insert(k.clone(), v.clone());
                out.note(shown, line(), format!("`{key}` has no equivalent in mekong"), format!("it is kept as `extra.{key}`; mekong's default templates are used (see README \"Templates\")"));
            }
            _ => {
                if key == "slug" {
                    out.note(
                        shown,
                        line(),
                        format!(
                            "`slug` `{}` is not one URL segment",
                            s(v).unwrap_or_default()
                        ),
                        "it is under `extra.slug`; use `aliases` for the old URL",
                    );
                }
                extra.insert(k.clone(), v.clone());
            }
        }
    }
    if !extra.is_empty() {
        set(&mut front, "extra", Value::Mapping(extra));
    }
    (front, redirect)
}

fn slug_ok(s: &str) -> bool {
    !s.contains(['/', '\\', ':'])
        && !s.contains("..")
        && !s.starts_with('.')
        && !slug::slugify(s).is_empty()
}
