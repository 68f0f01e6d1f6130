//! The summary of a page as other pages show it (section listings, tag pages, the feed):
//! footnotes dropped, headings turned into bold paragraphs without ids, and same-page
//! fragments pointed back at the page.

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

/// The summary is shown on other pages: footnote references are dropped and same-page
/// fragments point back at the page.
pub(super) fn summary_html(events: &[Event], page_url: &str) -> String {
    let mut html = String::new();
    let mut skip = 0usize;
    let iter = events.iter().filter_map(|e| match e {
        Event::FootnoteReference(_) => None,
        // What `footnotes` made of a reference (issue 13).
        Event::InlineHtml(h) if h.starts_with("<sup class=\"footnote-reference\"") => None,
        Event::Start(Tag::FootnoteDefinition(_)) => {
            skip += 1;
            None
        }
        Event::End(TagEnd::FootnoteDefinition) => {
            skip = skip.saturating_sub(1);
            None
        }
        _ if skip > 0 => None,
        Event::Html(h) if h.contains("<h") && h.contains("heading-anchor") => {
            // A heading inside the summary: keep its text, drop its id and anchor.
            Some(Event::Html(CowStr::from(strip_heading_ids(h))))
        }
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if dest_url.starts_with('#') => Some(Event::Start(Tag::Link {
            link_type: *link_type,
            dest_url: CowStr::from(format!("{page_url}{dest_url}")),
            title: title.clone(),
            id: id.clone(),
        })),
        e => Some(super::callouts::html(e.clone())),
    });
    pulldown_cmark::html::push_html(&mut html, iter);
    html
}

fn strip_heading_ids(h: &str) -> String {
    // `<h2 id="x">text<a class="heading-anchor" href="#x" ...>#</a></h2>` -> `<p><strong>text</strong></p>`
    let text_start = h.find('>').map_or(0, |i| i + 1);
    let text_end = h.find("<a class=\"heading-anchor\"").unwrap_or(h.len());
    format!(
        "<p><strong>{}</strong></p>\n",
        &h[text_start..text_end.max(text_start)]
    )
}
