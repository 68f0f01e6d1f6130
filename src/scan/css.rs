//! URLs in CSS: `url(...)` (quoted or not, with CSS escapes) and `@import "..."`, outside
//! comments. Used for stylesheets, `<style>` blocks and `style` attributes.

use super::find;

/// The URLs of a stylesheet: `url(...)` (quoted or not) and `@import "..."`, outside comments.
pub fn css_urls(css: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = css.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"/*") {
            i = find(b, i + 2, b"*/").map_or(b.len(), |j| j + 2);
            continue;
        }
        let at_url = b.len() - i >= 4 && b[i..i + 4].eq_ignore_ascii_case(b"url(");
        let at_import = b.len() - i >= 7 && b[i..i + 7].eq_ignore_ascii_case(b"@import");
        if at_url {
            let start = i + 4;
            let end = b[start..]
                .iter()
                .position(|&c| c == b')')
                .map_or(b.len(), |p| start + p);
            let inner = css[start..end].trim().trim_matches(['"', '\'']).trim();
            if !inner.is_empty() {
                out.push(css_unescape(inner));
            }
            i = (end + 1).min(b.len());
            continue;
        }
        if at_import {
            let mut j = i + 7;
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            if let Some(&q @ (b'"' | b'\'')) = b.get(j) {
                let start = j + 1;
                let end = b[start..]
                    .iter()
                    .position(|&c| c == q)
                    .map_or(b.len(), |p| start + p);
                out.push(css_unescape(&css[start..end]));
                i = (end + 1).min(b.len());
                continue;
            }
            i = j;
            continue;
        }
        i += 1;
    }
    out
}

/// CSS escapes in a URL: `\` before a character stands for it (hex escapes are rare in URLs
/// and kept as they are).
fn css_unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}
