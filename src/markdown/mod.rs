//! Markdown to HTML: heading ids and anchors, the table of contents, link rewriting, glossary
//! marks and the quotation check, in one pass of pulldown-cmark events per page.
//!
//! This file holds the event loop; [`links`] rewrites link destinations (and owns the URL
//! helpers other stages share), [`glossary`] marks terms, [`quotes`] locates quotation errors,
//! [`summary`] makes the summary shown on other pages, [`code`] hands fenced code blocks to
//! [`highlight`] (issue 12).
//!
//! Markdown runs after `link` (it needs every page's URL to rewrite `../trade.md#rcep`) and
//! before `verify` (which checks each `#anchor` against the target page's heading ids, so it
//! needs every page rendered first). It returns, for each page, the HTML and what `verify` and
//! `render` need: headings, outgoing links with their source offsets, summary and word count.

pub mod highlight;

use crate::config::{Config, GlossaryEntry};
use crate::error::Diagnostic;
use crate::link::{NodeId, Site};
use crate::load::{Content, Doc};
use crate::quote::Sources;
use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;
use std::collections::HashSet;

mod callouts;
pub mod code;
mod components;
mod footnotes;
mod glossary;
mod heading_ids;
mod links;
mod math;
mod quotes;
mod raw_html;
pub mod spill;
mod summary;

pub use components::Components;
use glossary::mark_terms;
use links::rewrite;
pub use links::{escape_attr, is_external, percent_decode};
use quotes::{locate_in_source, quote_error};
use summary::summary_html;

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
    /// The line and column of `offset`, kept when the doc's text is freed before the anchor
    /// check (issue 17).
    pub line_col: Option<(usize, usize)>,
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
    /// Set when `html` was moved to a spill file until render (issue 17): then `html` is
    /// empty and [`spill::html_of`] reads it back.
    pub spilled: Option<spill::Spilled>,
    /// What the page's code blocks warn about (unknown language, bad `hl_lines`, ...), located
    /// at each block's fence; the build lists them and goes on.
    pub warnings: Vec<Diagnostic>,
}

/// A heading whose inner events are collected until its end, to give it an id.
struct PendingHeading<'a> {
    level: HeadingLevel,
    id: Option<String>,
    classes: Vec<String>,
    events: Vec<Event<'a>>,
    text: String,
}

/// What every page's rendering reads from the stages before it.
pub struct Env<'a> {
    pub site: &'a Site,
    pub content: &'a Content,
    pub config: &'a Config,
    pub sources: &'a Sources,
    /// The glossary page's URL and the terms, if the site has a glossary.
    pub glossary: Option<(String, &'a [GlossaryEntry])>,
    pub glossary_node: Option<NodeId>,
    /// The site's components (issue 13); `None` leaves component calls as text.
    pub components: Option<&'a Components>,
    /// The run's highlighter (issue 12); `None` leaves code blocks to pulldown-cmark.
    pub highlighter: Option<&'a highlight::Highlighter>,
    /// The site's `code:` options.
    pub code: highlight::HighlightOptions,
}

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
        // Issue 13: GitHub's alerts (callouts) and definition lists.
        | Options::ENABLE_GFM
        | Options::ENABLE_DEFINITION_LIST
}

/// Renders the body of `doc` (node `id`). Problems are pushed to `errors`.
pub fn render(doc: &Doc, id: NodeId, env: &Env, errors: &mut Vec<Diagnostic>) -> Rendered {
    let body = doc.body();
    let base = doc.body_start;
    let page_url = format!("{}{}", env.config.base_path, env.site.nodes[id].path);
    let mut out = Rendered::default();
    // Heading ids: the theme's are taken, and on the glossary page its terms' (issue 13).
    let glossary_ids = env
        .glossary
        .as_ref()
        .filter(|_| env.glossary_node == Some(id))
        .map(|(_, entries)| *entries)
        .unwrap_or(&[]);
    let mut used_ids = heading_ids::HeadingIds::with_rule(
        glossary_ids.iter().map(|e| e.id.as_str()),
        env.config.heading_ids,
    );
    let mut notes = footnotes::Footnotes::default();
    let mut events: Vec<Event> = Vec::new();
    // Where the summary ends in `events`: `<!-- more -->`, else the first paragraph.
    let mut more_at: Option<usize> = None;
    let mut first_para: Option<(usize, usize)> = None;

    let mut heading: Option<PendingHeading> = None;
    let mut in_link = 0usize;
    let mut in_code = 0usize;
    let mut in_html = 0usize;
    let mut raw_html = String::new();
    let mut quote_depth = 0usize;
    let mut quote: Option<(usize, String)> = None;
    let mut block_text: Option<(usize, String)> = None;
    let mut depth = 0usize;
    let mut para_start: Option<usize> = None;
    let mut glossary_done: HashSet<usize> = HashSet::new();
    let mark_glossary = env.glossary.is_some() && env.glossary_node != Some(id);
    let check_quotes = !doc.front.sources.is_empty();

    let mut source_errors = false;
    for name in &doc.front.sources {
        if !env.sources.contains(name) {
            source_errors = true;
            errors.push(
                Diagnostic::new(doc.shown(), format!("unknown source `{name}`"))
                    .at_line(doc.front.lines.sources)
                    .hint(if env.sources.is_empty() {
                        "name source texts in site.yaml under `sources:`, e.g. `report: content/source/report.txt`".to_string()
                    } else {
                        format!("site.yaml names: {}", env.sources.names().join(", "))
                    }),
            );
        }
    }

    // Rich Markdown (issue 13): `:::` callouts become markers in the text, and every callout
    // comes out of `rich` as `BlockQuote(Some(kind))`; `at` below is always an offset of `body`.
    let opts = match doc.front.math.unwrap_or(env.config.math) {
        true => options() | Options::ENABLE_MATH,
        false => options(),
    };
    // Components (issue 13): calls become markers, rendered now and put in place below.
    let calls = match env.components {
        Some(_) => components::Calls::scan(body, opts),
        None => components::Calls::none(body),
    };
    let mut called = components::PageCalls::new(&calls, doc, id, env, &mut out, errors);
    let fences = callouts::Fences::scan(&calls.text, opts);
    let mut rich = callouts::Callouts::new(
        Parser::new_ext(&fences.text, opts).into_offset_iter(),
        &fences,
    );
    let mut blocks = env
        .highlighter
        .map(|h| code::CodeBlocks::new(body, h, &env.code));
    // Merge adjacent text events so that glossary terms and quotations are seen whole.
    let mut iter = rich.by_ref().peekable();
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
            // The lines of an HTML block as one event, so that a tag over two lines is
            // read whole when its URLs are rewritten (issue 18).
            Event::Html(h) => {
                let mut html = h.into_string();
                while let Some((Event::Html(_), _)) = iter.peek() {
                    if let Some((Event::Html(more), _)) = iter.next() {
                        html.push_str(&more);
                    }
                }
                Event::Html(CowStr::from(html))
            }
            e => e,
        };
        let at = calls.original(fences.original(range.start));
        // A code block's text goes to the highlighter whole, and its HTML comes back as one
        // event (issue 12); nothing below sees the code.
        let event = match blocks.as_mut() {
            Some(b) => match b.event(event, at, calls.original(fences.original(range.end))) {
                code::Step::Taken => continue,
                // Finished HTML: not raw HTML to scan for ids, not text to count.
                code::Step::Block(html) => {
                    events.push(html);
                    continue;
                }
                code::Step::Pass(e) => e,
            },
            None => event,
        };
        let event = match event {
            Event::Html(h) if in_code == 0 => {
                match raw_html::rewrite_urls(&h, base + at, doc, id, env, &mut out, errors) {
                    Some(new) => Event::Html(CowStr::from(new)),
                    None => Event::Html(h),
                }
            }
            Event::InlineHtml(h) => {
                match raw_html::rewrite_urls(&h, base + at, doc, id, env, &mut out, errors) {
                    Some(new) => Event::InlineHtml(CowStr::from(new)),
                    None => Event::InlineHtml(h),
                }
            }
            e => e,
        };
        let event = called.event(event, depth, at);
        // Footnote references become HTML here (so that one in a heading is too), with ids
        // that no heading can take.
        let (event, ref_id) = notes.reference(event);
        out.ids.extend(ref_id);
        // Math becomes MathML here (issue 13); a formula that does not parse is an error.
        let (event, invalid) = math::mathml(event);
        if let Some(why) = invalid {
            errors.push(
                Diagnostic::new(doc.shown(), why.message)
                    .at_offset(&doc.text, base + at, 1)
                    .hint(why.hint),
            );
        }

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
                    let (hid, refused) = used_ids.choose(explicit.as_deref(), &text);
                    if let Some(why) = refused {
                        errors.push(
                            Diagnostic::new(doc.shown(), why.message)
                                .at_offset(&doc.text, base + at, 1)
                                .hint(why.hint),
                        );
                    }
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
            // A callout (`BlockQuote(Some(kind))`) is no quotation to check.
            Event::Start(Tag::BlockQuote(None)) => {
                quote_depth += 1;
                if quote_depth == 1 && check_quotes {
                    quote = Some((at, String::new()));
                }
            }
            Event::End(TagEnd::BlockQuote(None)) => {
                quote_depth = quote_depth.saturating_sub(1);
                if quote_depth == 0
                    && let Some((start, text)) = quote.take()
                    && !source_errors
                    && let Err(hint) = env.sources.check_blockquote(&text, &doc.front.sources)
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
                        if let Err(hint) = env.sources.check_inline(&q, &doc.front.sources) {
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
                out.ids.push(footnotes::note_id(name));
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                raw_html.push_str(h);
                raw_html.push('\n');
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
                    env,
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
                    env,
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
                let (url, entries) = env.glossary.as_ref().expect("checked by mark_glossary");
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

    drop(iter);
    for w in blocks.into_iter().flat_map(|b| b.warnings) {
        out.warnings.push(
            Diagnostic::new(doc.shown(), w.message)
                .at_offset(&doc.text, base + w.at, 1)
                .hint(w.hint),
        );
    }
    for p in rich.problems() {
        errors.push(
            Diagnostic::new(doc.shown(), p.message)
                .at_offset(&doc.text, base + calls.original(p.at), 1)
                .hint(p.hint),
        );
    }
    for (at, message, hint) in called.problems() {
        errors.push(
            Diagnostic::new(doc.shown(), message)
                .at_offset(&doc.text, base + at, 1)
                .hint(hint),
        );
    }

    let summary_events: &[Event] = match (more_at, first_para) {
        (Some(end), _) => &events[..end],
        (None, Some((s, e))) => &events[s..e],
        (None, None) => &[],
    };
    out.summary = summary_html(summary_events, &page_url);
    // Ids that raw HTML defines (`<a id="x">`, `<a name="x">`, any element's id) are anchors
    // too, read by the same scanner as the output check's.
    if !raw_html.is_empty() {
        out.ids.extend(
            crate::scan::scan(&raw_html)
                .ids
                .into_iter()
                .map(String::from),
        );
    }
    out.html.reserve(body.len() + body.len() / 2);
    pulldown_cmark::html::push_html(
        &mut out.html,
        events.into_iter().map(|e| notes.html(callouts::html(e))),
    );
    out
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
            background: None,
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
