//! mdBook's `{{#include file}}`, `{{#include file:anchor}}`, `{{#include file:2:10}}` (also
//! `:5`, `:2:` and `::10`), `{{#rustdoc_include …}}` (the same lines, without the lines
//! rustdoc would hide) and `{{#playground file}}`, expanded in place. Lines `ANCHOR: name` and
//! `ANCHOR_END: name` are left out of what is included. `\{{#include …}}` is the text
//! `{{#include …}}`. A file that cannot be read is reported and the directive left as text.

use super::super::Out;
use super::super::markdown::{dir_of, join, line_of};
use std::path::Path;

/// `text` (the chapter `src_rel` under `src/`) with its include directives expanded.
pub(super) fn expand(text: &str, source: &Path, src: &str, src_rel: &str, out: &mut Out) -> String {
    expand_depth(text, source, src, src_rel, out, 0)
}

fn expand_depth(
    text: &str,
    source: &Path,
    src: &str,
    src_rel: &str,
    out: &mut Out,
    depth: usize,
) -> String {
    let shown = format!("{src}/{src_rel}");
    let mut result = String::with_capacity(text.len());
    let mut rest = text;
    let mut consumed = 0;
    while let Some(i) = rest.find("{{#") {
        let abs_at = consumed + i;
        let escaped = i > 0 && rest.as_bytes()[i - 1] == b'\\';
        let Some(end) = rest[i..].find("}}") else {
            break;
        };
        let inner = &rest[i + 3..i + end];
        if escaped {
            result.push_str(&rest[..i - 1]);
            result.push_str(&rest[i..i + end + 2]);
            consumed += i + end + 2;
            rest = &rest[i + end + 2..];
            continue;
        }
        result.push_str(&rest[..i]);
        let (name, arg) = inner
            .trim()
            .split_once(char::is_whitespace)
            .unwrap_or((inner.trim(), ""));
        let line = line_of(text, abs_at);
        let expanded = match name {
            "include" | "rustdoc_include" | "playground" | "playpen" => include(
                arg.trim(),
                name == "rustdoc_include",
                source,
                src,
                src_rel,
                out,
                &shown,
                line,
                depth,
            ),
            "title" => {
                out.note(
                    &shown,
                    line,
                    "`{{#title}}` has no equivalent",
                    "the page's title comes from SUMMARY.md; set `title:` in its front matter",
                );
                Some(String::new())
            }
            _ => None,
        };
        match expanded {
            Some(s) => result.push_str(&s),
            None => result.push_str(&rest[i..i + end + 2]),
        }
        consumed += i + end + 2;
        rest = &rest[i + end + 2..];
    }
    result.push_str(rest);
    result
}

#[allow(clippy::too_many_arguments)]
fn include(
    arg: &str,
    rustdoc: bool,
    source: &Path,
    src: &str,
    src_rel: &str,
    out: &mut Out,
    shown: &str,
    line: usize,
    depth: usize,
) -> Option<String> {
    let (file, selector) = match arg.split_once(':') {
        Some((f, s)) => (f.trim(), Some(s.trim())),
        None => (arg.trim(), None),
    };
    let Some(rel) = join(dir_of(src_rel), file) else {
        out.note(
            shown,
            line,
            format!("`{{{{#include {arg}}}}}` leaves the book's folder"),
            "copy the file into src/ and include it from there",
        );
        return None;
    };
    let path = source.join(src).join(&rel);
    let Ok(text) = std::fs::read_to_string(&path) else {
        out.note(
            shown,
            line,
            format!("cannot read the included file `{file}`"),
            "fix the path (relative to this chapter); the directive was left as text",
        );
        return None;
    };
    let lines: Vec<&str> = text.lines().collect();
    let chosen: Vec<&str> = match selector {
        None | Some("") => lines.clone(),
        Some(s)
            if s.chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit() || c == ':') =>
        {
            let (a, b) = match s.split_once(':') {
                Some((a, b)) => (
                    a.trim().parse::<usize>().ok(),
                    b.trim().parse::<usize>().ok(),
                ),
                None => {
                    let n = s.parse::<usize>().ok();
                    (n, n)
                }
            };
            let start = a.unwrap_or(1).max(1) - 1;
            let end = b.unwrap_or(lines.len()).min(lines.len());
            lines.get(start..end.max(start)).unwrap_or(&[]).to_vec()
        }
        Some(anchor) => {
            let open = lines
                .iter()
                .position(|l| anchor_of(l, "ANCHOR:") == Some(anchor));
            let Some(open) = open else {
                out.note(
                    shown,
                    line,
                    format!("no `ANCHOR: {anchor}` in `{file}`"),
                    "add the anchor to the file or include line numbers instead",
                );
                return None;
            };
            let close = lines[open + 1..]
                .iter()
                .position(|l| anchor_of(l, "ANCHOR_END:") == Some(anchor))
                .map_or(lines.len(), |p| open + 1 + p);
            lines[open + 1..close].to_vec()
        }
    };
    let mut body: Vec<&str> = chosen
        .into_iter()
        .filter(|l| anchor_of(l, "ANCHOR:").is_none() && anchor_of(l, "ANCHOR_END:").is_none())
        .collect();
    if rustdoc {
        // Lines rustdoc hides (`# ` in Rust code) are not shown by mdBook either.
        body.retain(|l| !(l.trim_start().starts_with("# ") || l.trim() == "#"));
    }
    let joined = body.join("\n");
    if depth < 8 && rel.ends_with(".md") {
        return Some(expand_depth(&joined, source, src, &rel, out, depth + 1));
    }
    Some(joined)
}

/// The anchor name of a line holding `ANCHOR: name` (or `ANCHOR_END: name`).
fn anchor_of<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    let i = line.find(marker)?;
    let name = line[i + marker.len()..].trim();
    let name = name.split_whitespace().next()?;
    Some(name.trim_end_matches("*/").trim_end_matches("-->"))
}
