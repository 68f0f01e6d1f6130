//! Helpers shared by the highlighter's tests.

use super::*;

pub(super) fn render(info: &str, code: &str) -> (String, Vec<Warning>) {
    render_with(info, code, &HighlightOptions::default())
}

pub(super) fn render_with(
    info: &str,
    code: &str,
    opts: &HighlightOptions,
) -> (String, Vec<Warning>) {
    Highlighter::without_cache().render_block(&CodeInfo::parse(info), code, opts)
}

/// The text a reader sees in `<code>`: tags dropped, entities decoded.
pub(super) fn code_text(html: &str) -> String {
    let start = html.find("<code").expect("a <code> element");
    let start = start + html[start..].find('>').expect("end of <code>") + 1;
    let end = html.rfind("</code>").expect("</code>");
    let mut text = String::new();
    let mut in_tag = false;
    for c in html[start..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Checks that `html` is only the markup this module writes, balanced, with every `<`, `>`
/// and `&` of the text escaped and no raw control character.
pub(super) fn assert_well_formed(html: &str) {
    const OPEN: &[&str] = &[
        "div",
        "figure",
        "figcaption",
        "pre",
        "code",
        "span",
        "mark",
        "button",
    ];
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(['<', '>', '&']) {
        let text = &rest[..i];
        assert!(
            !text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t'),
            "raw control character in {html:?}"
        );
        rest = &rest[i..];
        if rest.starts_with('&') {
            let end = rest.find(';').expect("entity ends with ;");
            let entity = &rest[..=end];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"].contains(&entity),
                "unexpected entity {entity} in {html:?}"
            );
            rest = &rest[end + 1..];
            continue;
        }
        assert!(rest.starts_with('<'), "raw > in text of {html:?}");
        let end = rest.find('>').expect("tag ends");
        let tag = &rest[1..end];
        assert!(!tag.contains('<'), "< inside a tag in {html:?}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop(), Some(name), "unbalanced </{name}> in {html:?}");
        } else {
            let name = tag.split([' ', '>']).next().unwrap_or("");
            assert!(OPEN.contains(&name), "unexpected tag <{tag}> in {html:?}");
            // Attribute values are quoted and hold no raw quote.
            assert_eq!(tag.matches('"').count() % 2, 0, "odd quotes in <{tag}>");
            stack.push(OPEN.iter().find(|n| **n == name).expect("known"));
        }
        rest = &rest[end + 1..];
    }
    assert!(stack.is_empty(), "unclosed {stack:?} in {html:?}");
}

pub(super) fn classes(html: &str) -> Vec<&str> {
    let mut out: Vec<&str> = html
        .split("class=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .flat_map(|c| c.split(' '))
        .filter(|c| c.starts_with("hl-"))
        .collect();
    out.sort();
    out.dedup();
    out
}

// ---- Info strings ----------------------------------------------------------------------
