//! Where a quotation that failed the check starts in the Markdown source, and the located
//! error that says so. The matching itself is `quote`'s.

use crate::error::Diagnostic;
use crate::load::Doc;

pub(super) fn quote_error(
    doc: &Doc,
    offset: usize,
    sources: &[String],
    hint: String,
) -> Diagnostic {
    let names = sources
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(" or ");
    Diagnostic::new(
        doc.shown(),
        format!("quotation not found in source {names}"),
    )
    .at_offset(&doc.text, offset, 1)
    .hint(hint)
}

/// Best effort to find where a quotation starts in the Markdown source of its block.
pub(super) fn locate_in_source(body: &str, block_start: usize, quote: &str) -> usize {
    let tail = &body[block_start.min(body.len())..];
    let first_words: Vec<&str> = quote.split_whitespace().take(3).collect();
    let needle = first_words.join(" ");
    if !needle.is_empty()
        && let Some(i) = tail.find(&needle)
    {
        // Step back over the opening quote mark.
        let mut j = i;
        if let Some(c) = tail[..i].chars().next_back()
            && matches!(c, '“' | '"')
        {
            j -= c.len_utf8();
        }
        return block_start + j;
    }
    block_start
}
