//! The HTML scanner: what `verify` reads from output files and `markdown` from raw HTML in
//! Markdown (its ids, so that `page.md#x` can link to `<a id="x">`). For output files: the ids and the URLs of an HTML page, a stylesheet, or the
//! `<loc>`s and links of a sitemap or feed.
//!
//! The HTML side is a tokenizer that follows the tokenization states of the HTML standard for
//! tags and attributes (so `<div ="x">`, `<a href=x/>` or a stray quote end a tag where a
//! browser ends it, and never swallow the tags after them), works on bytes (it cannot slice
//! inside a character), skips comments, doctypes and the raw text of `<script>`, `<textarea>`,
//! `<title>` and the like, and reads CSS in `<style>` blocks and `style` attributes. URLs come
//! from every attribute a browser fetches or follows: `href` (a, area, link, base, SVG `use`
//! and `image`, also `xlink:href`), `src`, `srcset`, `poster`, `<object data>`, `<form action>`,
//! `formaction`, meta refresh, and CSS `url()` and `@import`.

use crate::output::Scan;
use std::collections::HashSet;

mod css;
mod spans;

pub use css::css_urls;
pub use spans::{UrlSpan, url_spans};

/// Scans an output file: an HTML page, a stylesheet, or a sitemap or feed.
pub fn scan_file(path: &str, bytes: &[u8]) -> Scan {
    if path.ends_with(".css") {
        let mut s = Scan {
            urls: css_urls(&String::from_utf8_lossy(bytes))
                .into_iter()
                .map(String::into_boxed_str)
                .collect(),
            ..Scan::default()
        };
        dedup_in_order(&mut s.urls);
        return s;
    }
    let mut s = scan_bytes(bytes);
    if path.ends_with(".xml") {
        let text = String::from_utf8_lossy(bytes);
        s.urls.splice(
            0..0,
            xml_urls(&text).into_iter().map(String::into_boxed_str),
        );
        dedup_in_order(&mut s.urls);
    }
    s
}

fn dedup_in_order(urls: &mut Vec<Box<str>>) {
    let mut seen = HashSet::new();
    urls.retain(|u| seen.insert(u.clone()));
}

/// `<loc>` of a sitemap (feeds' links are ordinary `href` attributes).
fn xml_urls(xml: &str) -> Vec<String> {
    let mut urls = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find("<loc>") {
        let after = &rest[i + 5..];
        if let Some(j) = after.find("</loc>") {
            urls.push(decode_entities(&after[..j]));
            rest = &after[j..];
        } else {
            break;
        }
    }
    urls
}

/// The URLs of an HTML document, as strings (for tests and tools).
pub fn urls_of(html: &str) -> Vec<String> {
    scan(html).urls.into_iter().map(String::from).collect()
}

/// The ids and URLs of an HTML document.
pub fn scan(html: &str) -> Scan {
    scan_bytes(html.as_bytes())
}

/// One start tag as the tokenizer saw it: lower-case name and attributes (names lower-cased,
/// values with character references decoded).
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
    /// Where each attribute's value is in the input (without its quotes), for [`spans`].
    spans: Vec<std::ops::Range<usize>>,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Elements whose content is text to the tokenizer, not markup, until their end tag.
const RAW_TEXT: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
];

/// Walks the start tags of `b` as the HTML tokenizer sees them (text, comments, doctypes and
/// end tags are skipped) and hands each to `f` with the bytes of its raw text: for `script`,
/// `style`, `textarea` and the other raw-text elements, everything up to the closing tag,
/// which is never read for tags; empty for other elements. The output check and the raw-HTML
/// URL rewrite both read HTML through this one walk.
fn for_each_start_tag(b: &[u8], mut f: impl FnMut(&Tag, &[u8])) {
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        let rest = &b[i..];
        if rest.starts_with(b"<!--") {
            i = find(b, i + 4, b"-->").map_or(b.len(), |j| j + 3);
            continue;
        }
        if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
            // Doctype, CDATA or a bogus comment: up to the next `>`.
            i = find(b, i + 2, b">").map_or(b.len(), |j| j + 1);
            continue;
        }
        let end_tag = rest.starts_with(b"</");
        let name_start = if end_tag { i + 2 } else { i + 1 };
        if !b.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            // `<` as text (`a < b`), or `</` not followed by a letter.
            i += 1;
            continue;
        }
        let (tag, after) = read_tag(b, name_start);
        i = after;
        if end_tag {
            continue;
        }
        let raw_end = if RAW_TEXT.contains(&tag.name.as_str()) {
            let close = format!("</{}", tag.name);
            find_ignore_case(b, i, close.as_bytes()).unwrap_or(b.len())
        } else {
            i
        };
        f(&tag, &b[i..raw_end]);
        i = raw_end;
    }
}

fn scan_bytes(b: &[u8]) -> Scan {
    let mut ids: Vec<Box<str>> = Vec::new();
    let mut urls: Vec<Box<str>> = Vec::new();
    let mut base: Option<Box<str>> = None;
    for_each_start_tag(b, |tag, raw| {
        collect(tag, &mut ids, &mut urls, &mut base);
        if tag.name == "style" {
            let css = String::from_utf8_lossy(raw);
            urls.extend(css_urls(&css).into_iter().map(String::into_boxed_str));
        }
    });
    ids.sort_unstable();
    let mut duplicate_ids: Vec<Box<str>> = ids
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0].clone())
        .collect();
    duplicate_ids.dedup();
    ids.dedup();
    dedup_in_order(&mut urls);
    Scan {
        ids,
        urls,
        base,
        duplicate_ids,
    }
}

/// Reads a tag from its name at `start` to its `>`, with the attribute states of the HTML
/// standard. Returns the tag and the position after it.
fn read_tag(b: &[u8], start: usize) -> (Tag, usize) {
    let is_space = |c: u8| matches!(c, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ');
    let mut k = start;
    while k < b.len() && !is_space(b[k]) && b[k] != b'/' && b[k] != b'>' {
        k += 1;
    }
    let name = String::from_utf8_lossy(&b[start..k]).to_ascii_lowercase();
    let mut attrs: Vec<(String, String)> = Vec::new();
    let mut spans = Vec::new();
    loop {
        // Before attribute name.
        while k < b.len() && (is_space(b[k]) || b[k] == b'/') {
            k += 1;
        }
        if k >= b.len() {
            break;
        }
        if b[k] == b'>' {
            k += 1;
            break;
        }
        // Attribute name: the first character may be `=`; then up to a space, `/`, `>` or `=`.
        let ns = k;
        k += 1;
        while k < b.len() && !is_space(b[k]) && !matches!(b[k], b'/' | b'>' | b'=') {
            k += 1;
        }
        let attr_name = String::from_utf8_lossy(&b[ns..k]).to_ascii_lowercase();
        // After attribute name.
        while k < b.len() && is_space(b[k]) {
            k += 1;
        }
        let mut value = String::new();
        let mut span = k..k;
        if k < b.len() && b[k] == b'=' {
            k += 1;
            while k < b.len() && is_space(b[k]) {
                k += 1;
            }
            match b.get(k) {
                Some(&q @ (b'"' | b'\'')) => {
                    let vs = k + 1;
                    let ve = b[vs..]
                        .iter()
                        .position(|&c| c == q)
                        .map_or(b.len(), |p| vs + p);
                    value = decode_entities(&String::from_utf8_lossy(&b[vs..ve]));
                    span = vs..ve;
                    k = (ve + 1).min(b.len());
                }
                // `a=>`: a missing value; the `>` ends the tag.
                Some(b'>') | None => {}
                Some(_) => {
                    let vs = k;
                    while k < b.len() && !is_space(b[k]) && b[k] != b'>' {
                        k += 1;
                    }
                    value = decode_entities(&String::from_utf8_lossy(&b[vs..k]));
                    span = vs..k;
                }
            }
        }
        // The first of two attributes of the same name wins, as in a browser.
        if !attrs.iter().any(|(n, _)| *n == attr_name) {
            attrs.push((attr_name, value));
            spans.push(span);
        }
    }
    (Tag { name, attrs, spans }, k)
}

/// The ids and URLs of one start tag.
fn collect(
    tag: &Tag,
    ids: &mut Vec<Box<str>>,
    urls: &mut Vec<Box<str>>,
    base: &mut Option<Box<str>>,
) {
    let name = tag.name.as_str();
    let mut url = |u: &str| urls.push(u.trim().into());
    for (attr, value) in &tag.attrs {
        match attr.as_str() {
            "id" => ids.push(value.as_str().into()),
            // `<a name="x" id="x">` is one element with one id.
            "name" if name == "a" && tag.attr("id") != Some(value.as_str()) => {
                ids.push(value.as_str().into())
            }
            "href" if name == "base" => {
                if base.is_none() {
                    *base = Some(value.trim().into());
                }
                url(value);
            }
            "href" if matches!(name, "a" | "area") => url(value),
            "href" | "xlink:href" if matches!(name, "use" | "image" | "a" | "feimage") => {
                url(value)
            }
            "href" if name == "link" => {
                let rel = tag.attr("rel").unwrap_or("").to_ascii_lowercase();
                // Hints to other hosts are not requests for our files.
                if !rel
                    .split_ascii_whitespace()
                    .any(|r| matches!(r, "preconnect" | "dns-prefetch"))
                {
                    url(value);
                }
            }
            "src"
                if matches!(
                    name,
                    "img"
                        | "script"
                        | "iframe"
                        | "source"
                        | "audio"
                        | "video"
                        | "embed"
                        | "track"
                        | "input"
                        | "frame"
                ) =>
            {
                url(value)
            }
            "srcset" if matches!(name, "img" | "source") => {
                for u in srcset_urls(value) {
                    url(u);
                }
            }
            "poster" if name == "video" => url(value),
            "data" if name == "object" => url(value),
            "action" if name == "form" => url(value),
            "formaction" if matches!(name, "button" | "input") => url(value),
            "style" => {
                for u in css_urls(value) {
                    url(&u);
                }
            }
            "content" if name == "meta" => {
                let refresh = tag
                    .attr("http-equiv")
                    .is_some_and(|v| v.eq_ignore_ascii_case("refresh"));
                if refresh && let Some(u) = refresh_url(value) {
                    url(u);
                }
            }
            _ => {}
        }
    }
}

/// The URL of a meta refresh `content`: `0; url=/x/`, `0;URL='/x/'`, `5, url="/x/"`.
fn refresh_url(content: &str) -> Option<&str> {
    let lower = content.to_ascii_lowercase();
    let p = lower.find("url")?;
    let rest = content[p + 3..].trim_start();
    let rest = rest.strip_prefix('=')?.trim();
    let rest = match rest.as_bytes().first() {
        Some(&q @ (b'"' | b'\'')) => {
            let inner = &rest[1..];
            inner.split(q as char).next().unwrap_or(inner)
        }
        _ => rest,
    };
    (!rest.is_empty()).then_some(rest)
}

/// The URLs of a `srcset`: candidates separated by commas, each a URL and an optional width or
/// density descriptor (the standard's parsing, so a comma inside a URL is kept).
fn srcset_urls(srcset: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let b = srcset.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b',') {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut candidate = &srcset[start..i];
        let had_comma = candidate.ends_with(',');
        candidate = candidate.trim_end_matches(',');
        if !candidate.is_empty() {
            out.push(candidate);
        }
        if !had_comma {
            // Descriptors, up to the next comma outside parentheses.
            let mut depth = 0usize;
            while i < b.len() {
                match b[i] {
                    b'(' => depth += 1,
                    b')' => depth = depth.saturating_sub(1),
                    b',' if depth == 0 => break,
                    _ => {}
                }
                i += 1;
            }
        }
    }
    out
}

pub(super) fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from > b.len() {
        return None;
    }
    b[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

fn find_ignore_case(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from > b.len() {
        return None;
    }
    b[from..]
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| from + p)
}

/// Decodes character references: `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&nbsp;`, and
/// numeric ones (`&#47;`, `&#x2F;`). Others are kept as written.
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        let end = rest[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
            .map_or(rest.len(), |e| e + 1);
        let name = &rest[1..end];
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => name.strip_prefix('#').and_then(|n| {
                let code = match n.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => n.parse().ok()?,
                };
                char::from_u32(code).filter(|&c| c != '\0')
            }),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = rest[end..].strip_prefix(';').unwrap_or(&rest[end..]);
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(html: &str) -> Vec<String> {
        urls_of(html)
    }

    #[test]
    fn scans_ids_and_urls_but_not_script_or_comments() {
        let s = scan(
            "<a href=\"/x/?a=1&amp;b\" id=top>t</a><!-- <a href=\"/no\"> --><script>if(a<b){x='<img src=\"/no\">'}</script><img src='/i.png'><meta http-equiv=\"refresh\" content=\"0; url=/new/\">",
        );
        let urls: Vec<&str> = s.urls.iter().map(|u| u.as_ref()).collect();
        assert_eq!(urls, vec!["/x/?a=1&b", "/i.png", "/new/"]);
        assert!(s.has_id("top"));
    }

    /// Issue 15: `<div ="x"é>` panicked (a byte index inside `é`), and after `<div =x>` the
    /// next tags were swallowed, so a broken link in them went unreported.
    #[test]
    fn an_attribute_without_a_name_neither_panics_nor_swallows_later_tags() {
        assert_eq!(scan("<div =\"x\"é>").urls.len(), 0);
        assert_eq!(urls("<div =x><a href=\"/nope/\">x</a>"), vec!["/nope/"]);
        assert_eq!(urls("<div ==\"é\"é=é><a href=/b/>"), vec!["/b/"]);
        assert_eq!(urls("<p a=\"é\"b><img src=/c.png>"), vec!["/c.png"]);
    }

    #[test]
    fn reads_every_attribute_a_browser_fetches() {
        let html = r#"<img srcset="/a.png 1x, /b,c.png 2x,/d.png" src="/e.png">
<video poster="/p.jpg"></video><object data="/o.svg"></object>
<form action="/f/"><button formaction="/g/">x</button></form>
<svg><use href="/s.svg#i"></use><use xlink:href="/t.svg#j"></use></svg>
<div style="background: url('/u.png')"></div>
<style>@import "/v.css"; .x { background: url(/w.png) } /* url(/no.png) */</style>
<base href="/docs/">"#;
        assert_eq!(
            urls(html),
            vec![
                "/a.png", "/b,c.png", "/d.png", "/e.png", "/p.jpg", "/o.svg", "/f/", "/g/",
                "/s.svg#i", "/t.svg#j", "/u.png", "/v.css", "/w.png", "/docs/"
            ]
        );
        assert_eq!(scan(html).base.as_deref(), Some("/docs/"));
    }

    #[test]
    fn decodes_numeric_references_and_quoted_refresh_urls() {
        assert_eq!(urls("<a href=\"&#x2F;a&#47;b&#X2f;\">"), vec!["/a/b/"]);
        assert_eq!(
            urls("<meta http-equiv=refresh content=\"0; url='/x/'\">"),
            vec!["/x/"]
        );
        assert_eq!(
            urls("<meta http-equiv=Refresh content='0;URL=\"/y/\"'>"),
            vec!["/y/"]
        );
        assert_eq!(
            decode_entities("a &unknown; &#0; b&"),
            "a &unknown; &#0; b&"
        );
    }

    #[test]
    fn ids_of_any_element_and_anchor_names() {
        let s = scan("<section id=s><a name=\"n\"></a><span id='x y'></span></section>");
        assert!(s.has_id("s") && s.has_id("n") && s.has_id("x y"));
    }

    #[test]
    fn stylesheets_give_their_urls() {
        let s = scan_file(
            "assets/site.css",
            b"@import url(\"/a.css\");\n.b{background:url( '/b.png' )}",
        );
        let urls: Vec<&str> = s.urls.iter().map(|u| u.as_ref()).collect();
        assert_eq!(urls, vec!["/a.css", "/b.png"]);
    }
}

#[cfg(test)]
mod properties;
