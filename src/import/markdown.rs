//! What the importers share: a page written as YAML front matter and a body, and the link
//! destinations of a Markdown body (Markdown links and images, reference definitions, and
//! the `href`/`src` of raw HTML, found by the build's own scanner) rewritten in place.

use pulldown_cmark::{Event, Parser, Tag};
use serde_yaml::{Mapping, Value};
use std::ops::Range;

/// A page: `---`, the front matter as YAML, `---`, the body.
pub(super) fn page(front: &Mapping, body: &str) -> String {
    let yaml = serde_yaml::to_string(front).unwrap_or_default();
    let yaml = if front.is_empty() {
        String::new()
    } else {
        yaml
    };
    format!("---\n{yaml}---\n{body}")
}

/// Sets `key` in a front matter mapping.
pub(super) fn set(front: &mut Mapping, key: &str, value: impl Into<Value>) {
    front.insert(Value::String(key.to_string()), value.into());
}

/// The 1-based line of `offset` in `text`.
pub(super) fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// `body` with every link destination that `f` maps to something else replaced. `f` gets
/// the destination and its byte offset in `body`.
pub(super) fn rewrite_links(
    body: &str,
    mut f: impl FnMut(&str, usize) -> Option<String>,
) -> String {
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let parser = Parser::new_ext(body, crate::markdown::options()).into_offset_iter();
    let mut in_code = false;
    let mut parser = parser;
    for (event, range) in parser.by_ref() {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(pulldown_cmark::TagEnd::CodeBlock) => in_code = false,
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                let src = &body[range.clone()];
                // The destination is after the last `](` of the link's text (inline links);
                // reference links are handled at their definition below.
                if let Some(p) = src.rfind("](") {
                    let start = range.start + p + 2;
                    let inner = &body[start..range.end];
                    let lead = inner.len() - inner.trim_start().len();
                    let inner = inner.trim_start();
                    let (s, len) = if let Some(stripped) = inner.strip_prefix('<') {
                        (start + lead + 1, stripped.find('>').unwrap_or(0))
                    } else {
                        (
                            start + lead,
                            inner.find([' ', ')', '\n']).unwrap_or(inner.len()),
                        )
                    };
                    let written = &body[s..s + len];
                    if !written.is_empty()
                        && (written == dest_url.as_ref()
                            || written.contains('\\')
                            || written.contains('%'))
                        && let Some(new) = f(&dest_url, s)
                    {
                        edits.push((s..s + len, new));
                    }
                }
            }
            Event::Html(_) | Event::InlineHtml(_) if !in_code => {
                let src = &body[range.clone()];
                for span in crate::scan::url_spans(src) {
                    let s = range.start + span.range.start;
                    if let Some(new) = f(span.value.trim(), s) {
                        edits.push((
                            s..range.start + span.range.end,
                            crate::markdown::escape_attr(&new),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    for (_, def) in parser.reference_definitions().iter() {
        let src = &body[def.span.clone()];
        if let Some(p) = src.find(def.dest.as_ref())
            && let Some(new) = f(&def.dest, def.span.start + p)
        {
            let s = def.span.start + p;
            edits.push((s..s + def.dest.len(), new));
        }
    }
    apply(body, edits)
}

/// Applies non-overlapping edits (later ones that overlap an earlier one are dropped).
pub(super) fn apply(text: &str, mut edits: Vec<(Range<usize>, String)>) -> String {
    edits.sort_by_key(|(r, _)| r.start);
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (r, new) in edits {
        if r.start < last {
            continue;
        }
        out.push_str(&text[last..r.start]);
        out.push_str(&new);
        last = r.end;
    }
    out.push_str(&text[last..]);
    out
}

/// Splits a link destination into the path and what follows it (`#x`, `?q`), both as written.
pub(super) fn split_dest(dest: &str) -> (&str, &str) {
    let i = dest.find(['#', '?']).unwrap_or(dest.len());
    (&dest[..i], &dest[i..])
}

/// Whether a destination points outside the site (a scheme, `//host`, `mailto:`), or only at
/// an anchor of the same page.
pub(super) fn is_external_or_anchor(dest: &str) -> bool {
    dest.is_empty() || dest.starts_with('#') || crate::markdown::is_external(dest)
}

/// Normalizes `dir/../x/./y` to `x/y`; `None` when it leaves the root.
pub(super) fn normalize(path: &str) -> Option<String> {
    let mut parts = Vec::new();
    crate::link::push_segments(&mut parts, path)?;
    Some(parts.join("/"))
}

/// The folder part of a `/` path (`` at the root).
pub(super) fn dir_of(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}

/// `from_dir` joined with a relative path, normalized.
pub(super) fn join(from_dir: &str, rel: &str) -> Option<String> {
    if from_dir.is_empty() {
        normalize(rel)
    } else {
        normalize(&format!("{from_dir}/{rel}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_inline_reference_and_html_destinations() {
        let body = "[a](x.md#y) ![i](<p q.png>) [r][1] `[c](x.md)`\n\n<img src=\"x.md\">\n\n    [code](x.md)\n\n[1]: x.md\n";
        let out = rewrite_links(body, |d, _| {
            d.starts_with("x.md").then(|| d.replace("x.md", "@/z.md"))
        });
        assert_eq!(
            out,
            "[a](@/z.md#y) ![i](<p q.png>) [r][1] `[c](x.md)`\n\n<img src=\"@/z.md\">\n\n    [code](x.md)\n\n[1]: @/z.md\n"
        );
    }

    #[test]
    fn normalizes_paths() {
        assert_eq!(join("a/b", "../c.md").as_deref(), Some("a/c.md"));
        assert_eq!(join("", "../c.md"), None);
        assert_eq!(split_dest("a.md#x"), ("a.md", "#x"));
    }
}
