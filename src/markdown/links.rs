//! Link destinations in Markdown: source paths (`../trade.md#rcep`, `@/trade.md`) rewritten to
//! URLs under the base path and recorded for the anchor check, with their offsets; plus the
//! URL and escaping helpers that `verify`, `render` and `serve` share.

use super::{Env, LinkRef, Rendered};
use crate::error::Diagnostic;
use crate::link::{NodeId, Site};
use crate::load::Doc;
use pulldown_cmark::{CowStr, LinkType};

/// Rewrites a link or image destination; records internal links for `verify`.
#[allow(clippy::too_many_arguments)]
pub(super) fn rewrite<'a>(
    doc: &Doc,
    id: NodeId,
    dest: &CowStr<'a>,
    link_type: LinkType,
    offset: usize,
    env: &Env,
    out: &mut Rendered,
    errors: &mut Vec<Diagnostic>,
) -> CowStr<'a> {
    if matches!(link_type, LinkType::Email) || dest.is_empty() || is_external(dest) {
        return dest.clone();
    }
    let base_path = &env.config.base_path;
    if let Some(frag) = dest.strip_prefix('#') {
        out.links.push(LinkRef {
            target: id,
            fragment: frag.to_string(),
            offset,
            line_col: None,
        });
        return dest.clone();
    }
    if let Some(abs) = dest.strip_prefix('/') {
        // Site-absolute: give it the base path; the output check verifies it.
        return CowStr::from(format!("{base_path}{abs}"));
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (dest.as_ref(), None),
    };
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path, None),
    };
    let path = percent_decode(path);
    let Some(rel) = Site::resolve_path(&doc.rel, &path) else {
        errors.push(
            Diagnostic::new(
                doc.shown(),
                format!("link `{dest}` leaves the content folder"),
            )
            .at_offset(&doc.text, offset, 1)
            .hint("link to a file inside content/, e.g. `@/page.md`")
            .broken_link(),
        );
        return dest.clone();
    };
    // A translated page's link goes to the page in its own language when there is one
    // (issue 20), else to the default language's, with a warning.
    let crate::link::i18n::Localized { rel, fell_back } = env.site.localize(&doc.rel, rel);
    if fell_back {
        out.warnings.push(
            Diagnostic::new(
                doc.shown(),
                format!("`{dest}` has no translation in this page's language: the link goes to content/{rel}"),
            )
            .at_offset(&doc.text, offset, 1)
            .hint("translate that page too, or name the language you mean, such as `@/page.en.md`"),
        );
    }
    let suffix = |url: String| -> CowStr<'a> {
        let mut s = url;
        if let Some(q) = query {
            s.push('?');
            s.push_str(q);
        }
        if let Some(f) = fragment {
            s.push('#');
            s.push_str(f);
        }
        CowStr::from(s)
    };
    if let Some(target) = env.site.node_for(&rel) {
        out.links.push(LinkRef {
            target,
            fragment: fragment.unwrap_or("").to_string(),
            offset,
            line_col: None,
        });
        return suffix(format!("{base_path}{}", env.site.nodes[target].path));
    }
    if let Some(asset) = env.site.assets.get(&rel) {
        return suffix(format!("{base_path}{}", asset.out));
    }
    let rel_md = rel.trim_end_matches('/');
    let missing = if env.content.failed.contains(rel_md) {
        None // already reported where it failed to load
    } else if env.content.drafts.contains(rel_md) {
        Some(format!("link to a draft: `{dest}`"))
    } else {
        Some(format!("link to a missing file: `{dest}`"))
    };
    if let Some(message) = missing {
        let hint = if path.ends_with(".md") || dest.starts_with("@/") {
            format!(
                "no file content/{rel} exists; paths are relative to this file, or start with `@/` for the content root"
            )
        } else {
            format!(
                "no file content/{rel} exists; link to a Markdown file (`page.md`) or a file beside it"
            )
        };
        errors.push(
            Diagnostic::new(doc.shown(), message)
                .at_offset(&doc.text, offset, 1)
                .hint(hint)
                .broken_link(),
        );
    }
    dest.clone()
}

/// A URL with a scheme (`https:`, `mailto:`) or protocol-relative (`//host`).
pub fn is_external(url: &str) -> bool {
    if url.starts_with("//") {
        return true;
    }
    match url.find(':') {
        Some(i) => {
            let scheme = &url[..i];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && !url[..i].contains('/')
        }
        None => false,
    }
}

/// Decodes `%XX` escapes; invalid escapes are kept as they are.
pub fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|b| hex(*b)),
                bytes.get(i + 2).and_then(|b| hex(*b)),
            )
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

pub fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
