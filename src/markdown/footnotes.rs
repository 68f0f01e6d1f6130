//! Footnotes with ids of their own (issue 13): a reference `[^note]` links to `#fn-note` and
//! has the id `fnref-note` (`fnref-note-2` for the second reference to the same note), and each
//! footnote ends with a back-link to every reference. Headings never get ids with these
//! prefixes (`heading_ids`), so the two cannot collide.
//!
//! pulldown-cmark numbers notes in the order they first appear, reference or definition; so do
//! we. References are turned into HTML as the event loop meets them ([`Footnotes::reference`]),
//! so that one inside a heading is rendered too; definitions when the page's HTML is written
//! ([`Footnotes::html`]), once every reference is known for the back-links. `verify` checks
//! every `#fn-` and `#fnref-` link of the output like any other fragment.

use super::links::escape_attr;
use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
use std::collections::HashMap;

/// The footnotes of one page.
#[derive(Default)]
pub(super) struct Footnotes {
    /// Note name -> (number, references so far).
    notes: HashMap<String, (usize, usize)>,
    /// Names of the definitions being written, innermost last.
    open: Vec<String>,
}

/// The id fragment of a note name: whitespace (allowed in labels, not in ids) becomes `-`.
fn key(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join("-")
}

/// The id of a note's `n`th reference (1-based).
pub(super) fn ref_id(name: &str, n: usize) -> String {
    if n <= 1 {
        format!("fnref-{}", key(name))
    } else {
        format!("fnref-{}-{n}", key(name))
    }
}

/// The id of a note's definition.
pub(super) fn note_id(name: &str) -> String {
    format!("fn-{}", key(name))
}

impl Footnotes {
    fn number(&mut self, name: &str) -> usize {
        let next = self.notes.len() + 1;
        self.notes.entry(name.to_string()).or_insert((next, 0)).0
    }

    /// A reference becomes its HTML; a definition is numbered. Other events pass through.
    /// Also returns the id that a reference defines.
    pub(super) fn reference<'a>(&mut self, event: Event<'a>) -> (Event<'a>, Option<String>) {
        match event {
            Event::FootnoteReference(name) => {
                let number = self.number(&name);
                let entry = self.notes.get_mut(name.as_ref()).expect("numbered above");
                entry.1 += 1;
                let id = ref_id(&name, entry.1);
                let html = format!(
                    "<sup class=\"footnote-reference\" id=\"{id}\"><a href=\"#{note}\" aria-label=\"Footnote {number}\">{number}</a></sup>",
                    id = escape_attr(&id),
                    note = escape_attr(&note_id(&name)),
                );
                (Event::InlineHtml(CowStr::from(html)), Some(id))
            }
            Event::Start(Tag::FootnoteDefinition(ref name)) => {
                self.number(name);
                (event, None)
            }
            e => (e, None),
        }
    }

    /// Writes definitions, with their back-links, once every reference has been seen.
    pub(super) fn html<'a>(&mut self, event: Event<'a>) -> Event<'a> {
        match event {
            Event::Start(Tag::FootnoteDefinition(name)) => {
                let number = self.number(&name);
                let html = format!(
                    "<div class=\"footnote-definition\" id=\"{id}\"><sup class=\"footnote-definition-label\">{number}</sup>\n",
                    id = escape_attr(&note_id(&name)),
                );
                self.open.push(name.to_string());
                Event::Html(CowStr::from(html))
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                let name = self.open.pop().unwrap_or_default();
                let (number, refs) = self.notes.get(&name).copied().unwrap_or((0, 0));
                let mut html = String::new();
                if refs > 0 {
                    html.push_str("<p class=\"footnote-backrefs\">");
                    for n in 1..=refs {
                        let label = if refs == 1 {
                            format!("Back to reference {number}")
                        } else {
                            format!("Back to reference {number} ({n})")
                        };
                        html.push_str(&format!(
                            "<a class=\"footnote-backref\" href=\"#{}\" aria-label=\"{label}\">↩{}</a>",
                            escape_attr(&ref_id(&name, n)),
                            if n > 1 { format!("<sup>{n}</sup>") } else { String::new() },
                        ));
                    }
                    html.push_str("</p>\n");
                }
                html.push_str("</div>\n");
                Event::Html(CowStr::from(html))
            }
            e => e,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_notes_get_prefixed_ids_and_back_links() {
        let mut f = Footnotes::default();
        let (r1, id1) = f.reference(Event::FootnoteReference("a b".into()));
        let (_, id2) = f.reference(Event::FootnoteReference("a b".into()));
        assert_eq!(id1.as_deref(), Some("fnref-a-b"));
        assert_eq!(id2.as_deref(), Some("fnref-a-b-2"));
        let Event::InlineHtml(h) = r1 else { panic!() };
        assert!(h.contains("href=\"#fn-a-b\""), "{h}");
        let Event::Html(open) = f.html(Event::Start(Tag::FootnoteDefinition("a b".into()))) else {
            panic!()
        };
        assert!(open.contains("id=\"fn-a-b\""), "{open}");
        let Event::Html(close) = f.html(Event::End(TagEnd::FootnoteDefinition)) else {
            panic!()
        };
        assert!(close.contains("href=\"#fnref-a-b\"") && close.contains("href=\"#fnref-a-b-2\""));
    }
}
