//! Raw HTML in Markdown (issue 18): the relative URLs of `<a href>`, `<img src>` and the other
//! attributes [`crate::scan::url_spans`] finds, and `@/` ones, are source paths, like Markdown
//! links: rewritten
//! in place to output URLs (`map.png` beside `topics/trade.md` is `/topics/map.png`,
//! `../trade.md#rcep` is `/trade/#rcep`) by [`super::links::rewrite`], which also records them
//! for the anchor check and reports a missing file at its line and column.
//!
//! Component markers are HTML comments, which the scanner skips: their HTML is made later,
//! with its URLs resolved, and is not rewritten twice.

use super::links::{escape_attr, rewrite};
use super::{Env, Rendered};
use crate::error::Diagnostic;
use crate::link::NodeId;
use crate::load::Doc;
use pulldown_cmark::{CowStr, LinkType};

/// `html` with its URL attributes rewritten; `None` when nothing changed. `offset` is where
/// `html` starts in the doc's text, for errors.
pub(super) fn rewrite_urls(
    html: &str,
    offset: usize,
    doc: &Doc,
    id: NodeId,
    env: &Env,
    out: &mut Rendered,
    errors: &mut Vec<Diagnostic>,
) -> Option<String> {
    if !html.contains('<') {
        return None;
    }
    let spans = crate::scan::url_spans(html);
    if spans.is_empty() {
        return None;
    }
    let mut result = String::with_capacity(html.len() + 16);
    let mut last = 0;
    let mut changed = false;
    for span in spans {
        let value = span.value.trim();
        // Only source paths: a site-absolute URL (`/repo/x/`) or an anchor (`#x`) in raw
        // HTML is already a URL, which the output check verifies as the browser reads it
        // (under a `<base>` too).
        if value.starts_with('/') || value.starts_with('#') {
            continue;
        }
        let dest = CowStr::from(value.to_string());
        let new = rewrite(
            doc,
            id,
            &dest,
            LinkType::Inline,
            offset + span.range.start,
            env,
            out,
            errors,
        );
        if new.as_ref() != value {
            result.push_str(&html[last..span.range.start]);
            result.push_str(&escape_attr(&new));
            last = span.range.end;
            changed = true;
        }
    }
    changed.then(|| {
        result.push_str(&html[last..]);
        result
    })
}
