//! Glossary marks: the first occurrence on a page of each glossary term becomes an `<abbr>`
//! linked to its entry (never in headings, links or code; the longest term wins).

use super::escape_attr;
use crate::config::GlossaryEntry;
use std::collections::HashSet;

/// Marks the first occurrence on the page of each glossary term found in `text`.
/// Returns the HTML for the whole text when it marked something.
pub(super) fn mark_terms(
    text: &str,
    entries: &[GlossaryEntry],
    url: &str,
    done: &mut HashSet<usize>,
) -> Option<String> {
    // Find, for each term not yet marked, its first whole-word occurrence.
    let mut hits: Vec<(usize, usize, usize)> = Vec::new(); // (start, end, entry)
    for (i, e) in entries.iter().enumerate() {
        if done.contains(&i) || e.term.is_empty() {
            continue;
        }
        let mut from = 0;
        while let Some(pos) = text[from..].find(e.term.as_str()) {
            let start = from + pos;
            let end = start + e.term.len();
            let before = text[..start].chars().next_back();
            let after = text[end..].chars().next();
            let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '_');
            if boundary(before) && boundary(after) {
                hits.push((start, end, i));
                break;
            }
            from = start + e.term.chars().next().map_or(1, char::len_utf8);
        }
    }
    if hits.is_empty() {
        return None;
    }
    // Longer terms win over terms they contain ("ASEAN Connectivity" over "ASEAN").
    hits.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut html = String::with_capacity(text.len() + 128);
    let mut pos = 0;
    for (start, end, i) in hits {
        if start < pos {
            continue;
        }
        done.insert(i);
        let e = &entries[i];
        html.push_str(&escape_attr(&text[pos..start]));
        html.push_str(&format!(
            "<a class=\"glossary-term\" href=\"{url}#{id}\"><abbr title=\"{title}\">{term}</abbr></a>",
            id = escape_attr(&e.id),
            title = escape_attr(&e.expansion),
            term = escape_attr(&text[start..end]),
        ));
        pos = end;
    }
    html.push_str(&escape_attr(&text[pos..]));
    Some(html)
}
