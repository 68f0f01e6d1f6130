//! Markdown to HTML: heading ids and anchors, the table of contents, link rewriting, glossary
//! marks and the quotation check, in one pass of pulldown-cmark events per page.
//!
//! Markdown runs after `link` (it needs every page's URL to rewrite `../trade.md#rcep`) and
//! before `verify` (which checks each `#anchor` against the target page's heading ids, so it
//! needs every page rendered first). It returns, for each page, the HTML and what `verify` and
//! `render` need: headings, outgoing links with their source offsets, summary and word count.

// TODO(#11): wired properly when markdown.rs becomes the folder markdown/ (issue 12).
#[path = "markdown/highlight.rs"]
pub mod highlight;

use crate::config::{Config, GlossaryEntry};
use crate::error::Diagnostic;
use crate::link::{NodeId, Site};
use crate::load::{Content, Doc};
use crate::quote::Sources;
use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use serde::Serialize;
use std::collections::HashSet;

/// One entry of a table of contents: an h2 with its h3s, or a lone h3.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
    pub children: Vec<TocEntry>,
}

/// A link to another page of the site, kept so that `verify` can check its `#anchor`.
#[derive(Debug, Clone)]
pub struct LinkRef {
    pub target: NodeId,
    pub fragment: String,
    /// Byte offset in the doc's text.
    pub offset: usize,
}

/// A rendered Markdown body.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub summary: String,
    pub toc: Vec<TocEntry>,
    pub h2_count: usize,
    pub word_count: usize,
    /// Every id the body defines: headings and footnotes.
    pub ids: Vec<String>,
    pub links: Vec<LinkRef>,
}

/// A heading whose inner events are collected until its end, to give it an id.
struct PendingHeading<'a> {
    level: HeadingLevel,
    id: Option<String>,
    classes: Vec<String>,
    events: Vec<Event<'a>>,
    text: String,
}

/// What every page's rendering shares.
pub struct Shared<'a> {
    pub site: &'a Site,
    pub content: &'a Content,
    pub config: &'a Config,
    pub sources: &'a Sources,
    /// The glossary page's URL and the terms, if the site has a glossary.
    pub glossary: Option<(String, &'a [GlossaryEntry])>,
    pub glossary_node: Option<NodeId>,
}

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
}

/// Renders the body of `doc` (node `id`). Problems are pushed to `errors`.
pub fn render(doc: &Doc, id: NodeId, shared: &Shared, errors: &mut Vec<Diagnostic>) -> Rendered {
    let body = doc.body();
    let base = doc.body_start;
    let page_url = format!("{}{}", shared.config.base_path, shared.site.nodes[id].path);
    let mut out = Rendered::default();
    let mut used_ids: HashSet<String> = HashSet::new();
    let mut events: Vec<Event> = Vec::new();
    // Where the summary ends in `events`: `<!-- more -->`, else the first paragraph.
    let mut more_at: Option<usize> = None;
    let mut first_para: Option<(usize, usize)> = None;

    let mut heading: Option<PendingHeading> = None;
    let mut in_link = 0usize;
    let mut in_code = 0usize;
    let mut in_html = 0usize;
    let mut quote_depth = 0usize;
    let mut quote: Option<(usize, String)> = None;
    let mut block_text: Option<(usize, String)> = None;
    let mut depth = 0usize;
    let mut para_start: Option<usize> = None;
    let mut glossary_done: HashSet<usize> = HashSet::new();
    let mark_glossary = shared.glossary.is_some() && shared.glossary_node != Some(id);
    let check_quotes = !doc.front.sources.is_empty();

    let mut source_errors = false;
    for name in &doc.front.sources {
        if !shared.sources.contains(name) {
            source_errors = true;
            errors.push(
                Diagnostic::new(doc.shown(), format!("unknown source `{name}`"))
                    .at_line(doc.front.lines.sources)
                    .hint(if shared.sources.is_empty() {
                        "name source texts in site.yaml under `sources:`, e.g. `report: content/source/report.txt`".to_string()
                    } else {
                        format!("site.yaml names: {}", shared.sources.names().join(", "))
                    }),
            );
        }
    }

    // Merge adjacent text events so that glossary terms and quotations are seen whole.
    let mut iter = Parser::new_ext(body, options())
        .into_offset_iter()
        .peekable();
    while let Some((event, range)) = iter.next() {
        let event = match event {
            Event::Text(t) => {
                let mut text = t.into_string();
                while let Some((Event::Text(_), _)) = iter.peek() {
                    if let Some((Event::Text(more), _)) = iter.next() {
                        text.push_str(&more);
                    }
                }
                Event::Text(CowStr::from(text))
            }
            e => e,
        };
        let at = range.start;

        // Collect plain text for quotation checks and the word count.
        if let Event::Text(t) | Event::Code(t) = &event {
            if in_code == 0 {
                out.word_count += t.split_whitespace().count();
            }
            if let Some((_, q)) = quote.as_mut() {
                q.push_str(t);
            } else if let Some((_, b)) = block_text.as_mut() {
                b.push_str(t);
            }
            if let Some(h) = heading.as_mut() {
                h.text.push_str(t);
            }
        }
        if matches!(event, Event::SoftBreak | Event::HardBreak) {
            if let Some((_, q)) = quote.as_mut() {
                q.push(' ');
            } else if let Some((_, b)) = block_text.as_mut() {
                b.push(' ');
            }
        }

        match &event {
            Event::Start(Tag::Heading {
                level, id, classes, ..
            }) => {
                heading = Some(PendingHeading {
                    level: *level,
                    id: id.as_ref().map(|s| s.to_string()),
                    classes: classes.iter().map(|c| c.to_string()).collect(),
                    events: Vec::new(),
                    text: String::new(),
                });
                continue;
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(PendingHeading {
                    level,
                    id: explicit,
                    classes,
                    events: inner,
                    text,
                }) = heading.take()
                {
                    let base_id = explicit.clone().unwrap_or_else(|| {
                        let s = slug::slugify(&text);
                        if s.is_empty() {
                            "section".to_string()
                        } else {
                            s
                        }
                    });
                    let mut hid = base_id.clone();
                    let mut n = 1;
                    while used_ids.contains(&hid) {
                        hid = format!("{base_id}-{n}");
                        n += 1;
                    }
                    if explicit.is_some() && hid != base_id {
                        errors.push(
                            Diagnostic::new(
                                doc.shown(),
                                format!("heading id `{base_id}` is used twice on this page"),
                            )
                            .at_offset(&doc.text, base + at, 1)
                            .hint("give each `{#id}` a distinct name"),
                        );
                    }
                    used_ids.insert(hid.clone());
                    out.ids.push(hid.clone());
                    let lvl = level as usize;
                    let mut inner_html = String::new();
                    pulldown_cmark::html::push_html(&mut inner_html, inner.into_iter());
                    let class_attr = if classes.is_empty() {
                        String::new()
                    } else {
                        format!(" class=\"{}\"", escape_attr(&classes.join(" ")))
                    };
                    let title = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    events.push(Event::Html(CowStr::from(format!(
                        "<h{lvl} id=\"{id}\"{class_attr}>{inner_html}<a class=\"heading-anchor\" href=\"#{id}\" aria-label=\"Link to this section: {label}\" data-pagefind-ignore>#</a></h{lvl}>\n",
                        id = escape_attr(&hid),
                        label = escape_attr(&title),
                    ))));
                    if level == HeadingLevel::H2 || level == HeadingLevel::H3 {
                        if level == HeadingLevel::H2 {
                            out.h2_count += 1;
                        }
                        let entry = TocEntry {
                            level: lvl as u8,
                            id: hid,
                            title,
                            children: Vec::new(),
                        };
                        match out.toc.last_mut() {
                            Some(last) if level == HeadingLevel::H3 && last.level == 2 => {
                                last.children.push(entry)
                            }
                            _ => out.toc.push(entry),
                        }
                    }
                }
                continue;
            }
            Event::Start(Tag::BlockQuote(_)) => {
                quote_depth += 1;
                if quote_depth == 1 && check_quotes {
                    quote = Some((at, String::new()));
                }
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                quote_depth = quote_depth.saturating_sub(1);
                if quote_depth == 0
                    && let Some((start, text)) = quote.take()
                    && !source_errors
                    && let Err(hint) = shared.sources.check_blockquote(&text, &doc.front.sources)
                {
                    errors.push(quote_error(doc, base + start, &doc.front.sources, hint));
                }
            }
            Event::Start(
                Tag::Paragraph | Tag::Item | Tag::TableCell | Tag::DefinitionListDefinition,
            ) => {
                if check_quotes && quote.is_none() && block_text.is_none() {
                    block_text = Some((at, String::new()));
                }
                if matches!(event, Event::Start(Tag::Paragraph)) && depth == 0 {
                    para_start = Some(events.len());
                }
            }
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::DefinitionListDefinition,
            ) => {
                if let Some((start, text)) = block_text.take()
                    && !source_errors
                {
                    for (_, q) in crate::quote::curly_quotes(&text) {
                        if let Err(hint) = shared.sources.check_inline(&q, &doc.front.sources) {
                            let off = locate_in_source(body, start, &q);
                            errors.push(quote_error(doc, base + off, &doc.front.sources, hint));
                        }
                    }
                }
            }
            Event::Start(Tag::CodeBlock(_)) => in_code += 1,
            Event::End(TagEnd::CodeBlock) => in_code = in_code.saturating_sub(1),
            Event::Start(Tag::HtmlBlock) => in_html += 1,
            Event::End(TagEnd::HtmlBlock) => in_html = in_html.saturating_sub(1),
            Event::Html(h) | Event::InlineHtml(h)
                if more_at.is_none() && h.trim() == "<!-- more -->" =>
            {
                more_at = Some(events.len());
            }
            Event::Start(Tag::FootnoteDefinition(name)) => {
                out.ids.push(name.to_string());
            }
            _ => {}
        }

        let event = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id: lid,
            }) => {
                in_link += 1;
                let dest = rewrite(
                    doc,
                    id,
                    &dest_url,
                    link_type,
                    base + at,
                    shared,
                    &mut out,
                    errors,
                );
                Event::Start(Tag::Link {
                    link_type,
                    dest_url: dest,
                    title,
                    id: lid,
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id: lid,
            }) => {
                in_link += 1;
                let dest = rewrite(
                    doc,
                    id,
                    &dest_url,
                    link_type,
                    base + at,
                    shared,
                    &mut out,
                    errors,
                );
                Event::Start(Tag::Image {
                    link_type,
                    dest_url: dest,
                    title,
                    id: lid,
                })
            }
            e @ Event::End(TagEnd::Link | TagEnd::Image) => {
                in_link = in_link.saturating_sub(1);
                e
            }
            Event::Text(t)
                if mark_glossary
                    && heading.is_none()
                    && in_link == 0
                    && in_code == 0
                    && in_html == 0 =>
            {
                let (url, entries) = shared.glossary.as_ref().expect("checked by mark_glossary");
                match mark_terms(&t, entries, url, &mut glossary_done) {
                    Some(html) => Event::InlineHtml(CowStr::from(html)),
                    None => Event::Text(t),
                }
            }
            e => e,
        };

        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        if let Some(h) = heading.as_mut() {
            h.events.push(event);
        } else {
            let is_para_end = matches!(event, Event::End(TagEnd::Paragraph));
            events.push(event);
            if is_para_end
                && depth == 0
                && first_para.is_none()
                && let Some(s) = para_start.take()
            {
                first_para = Some((s, events.len()));
            }
        }
    }

    let summary_events: &[Event] = match (more_at, first_para) {
        (Some(end), _) => &events[..end],
        (None, Some((s, e))) => &events[s..e],
        (None, None) => &[],
    };
    out.summary = summary_html(summary_events, &page_url);
    out.html.reserve(body.len() + body.len() / 2);
    pulldown_cmark::html::push_html(&mut out.html, events.into_iter());
    out
}

/// The summary is shown on other pages: footnote references are dropped and same-page
/// fragments point back at the page.
fn summary_html(events: &[Event], page_url: &str) -> String {
    let mut html = String::new();
    let mut skip = 0usize;
    let iter = events.iter().filter_map(|e| match e {
        Event::FootnoteReference(_) => None,
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
        e => Some(e.clone()),
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

/// Rewrites a link or image destination; records internal links for `verify`.
#[allow(clippy::too_many_arguments)]
fn rewrite<'a>(
    doc: &Doc,
    id: NodeId,
    dest: &CowStr<'a>,
    link_type: LinkType,
    offset: usize,
    shared: &Shared,
    out: &mut Rendered,
    errors: &mut Vec<Diagnostic>,
) -> CowStr<'a> {
    if matches!(link_type, LinkType::Email) || dest.is_empty() || is_external(dest) {
        return dest.clone();
    }
    let base_path = &shared.config.base_path;
    if let Some(frag) = dest.strip_prefix('#') {
        out.links.push(LinkRef {
            target: id,
            fragment: frag.to_string(),
            offset,
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
            .hint("link to a file inside content/, e.g. `@/page.md`"),
        );
        return dest.clone();
    };
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
    if let Some(target) = shared.site.node_for(&rel) {
        out.links.push(LinkRef {
            target,
            fragment: fragment.unwrap_or("").to_string(),
            offset,
        });
        return suffix(format!("{base_path}{}", shared.site.nodes[target].path));
    }
    if let Some(asset) = shared.site.assets.get(&rel) {
        return suffix(format!("{base_path}{}", asset.out));
    }
    let rel_md = rel.trim_end_matches('/');
    let missing = if shared.content.failed.contains(rel_md) {
        None // already reported where it failed to load
    } else if shared.content.drafts.contains(rel_md) {
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
                .hint(hint),
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

/// Marks the first occurrence on the page of each glossary term found in `text`.
/// Returns the HTML for the whole text when it marked something.
fn mark_terms(
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

fn quote_error(doc: &Doc, offset: usize, sources: &[String], hint: String) -> Diagnostic {
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
fn locate_in_source(body: &str, block_start: usize, quote: &str) -> usize {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_urls_are_recognised() {
        assert!(is_external("https://x.org"));
        assert!(is_external("mailto:a@b"));
        assert!(is_external("//cdn"));
        assert!(!is_external("a.md"));
        assert!(!is_external("../a.md#x:y"));
        assert!(!is_external("#x"));
    }

    #[test]
    fn marks_first_whole_word_term_only() {
        let entries = vec![GlossaryEntry {
            term: "RCEP".into(),
            expansion: "Regional Comprehensive Economic Partnership".into(),
            definition: String::new(),
            id: "term-rcep".into(),
        }];
        let mut done = HashSet::new();
        let html = mark_terms("XRCEP and RCEP, RCEP", &entries, "/g/", &mut done).unwrap();
        assert_eq!(
            html,
            "XRCEP and <a class=\"glossary-term\" href=\"/g/#term-rcep\"><abbr title=\"Regional Comprehensive Economic Partnership\">RCEP</abbr></a>, RCEP"
        );
        assert!(mark_terms("RCEP again", &entries, "/g/", &mut done).is_none());
    }
}
