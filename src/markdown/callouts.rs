//! Callouts (issue 13): GitHub's alerts (`> [!NOTE]`, `[!TIP]`, `[!IMPORTANT]`, `[!WARNING]`,
//! `[!CAUTION]`), with an optional title after the marker (`> [!WARNING] Before you upgrade`),
//! and the fenced form that mdBook and Docusaurus users write (`:::note Title` ... `:::`), all
//! rendered as one accessible `<div class="callout callout-KIND" role="note">` with an icon
//! and a title.
//!
//! Three steps, in the order the Markdown pass runs them:
//! 1. [`Fences::scan`] finds the `:::` lines outside code (a first parse says where code is),
//!    pairs them and replaces each with an HTML comment, which pulldown-cmark parses as a
//!    block of its own; [`Fences::original`] maps offsets in the new text back to the file.
//! 2. [`Callouts`] wraps the parser's events: every callout comes out as
//!    `Start(BlockQuote(Some(kind)))`, its title (HTML), its body and
//!    `End(BlockQuote(Some(kind)))`, whatever syntax made it. The event loop then treats it as
//!    one block (it is not a quotation to check; the summary does not start inside it), and a
//!    plain quote stays `BlockQuote(None)`.
//! 3. [`html`] turns those two events into the callout's `<div>` when the page is written.
//!
//! Problems (an unknown kind, a marker without `]`, a `:::` block never closed or closed
//! inside another block) are returned as [`Problem`]s at offsets of the original body.

use super::links::escape_attr;
use crate::error::did_you_mean;
use pulldown_cmark::{BlockQuoteKind, CowStr, Event, Tag, TagEnd};
use std::collections::VecDeque;
use std::ops::Range;

mod fences;

pub(super) use fences::Fences;
use fences::Marker;

/// A problem with a callout, at a byte offset of the page's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Problem {
    pub at: usize,
    pub message: String,
    pub hint: String,
}

const KINDS: &[(&str, BlockQuoteKind)] = &[
    ("note", BlockQuoteKind::Note),
    ("tip", BlockQuoteKind::Tip),
    ("important", BlockQuoteKind::Important),
    ("warning", BlockQuoteKind::Warning),
    ("caution", BlockQuoteKind::Caution),
    // Docusaurus' names for the same two.
    ("info", BlockQuoteKind::Note),
    ("danger", BlockQuoteKind::Caution),
];

fn kind_named(name: &str) -> Option<BlockQuoteKind> {
    let name = name.to_ascii_lowercase();
    KINDS.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
}

fn name_of(kind: BlockQuoteKind) -> &'static str {
    match kind {
        BlockQuoteKind::Note => "note",
        BlockQuoteKind::Tip => "tip",
        BlockQuoteKind::Important => "important",
        BlockQuoteKind::Warning => "warning",
        BlockQuoteKind::Caution => "caution",
    }
}

fn label_of(kind: BlockQuoteKind) -> &'static str {
    match kind {
        BlockQuoteKind::Note => "Note",
        BlockQuoteKind::Tip => "Tip",
        BlockQuoteKind::Important => "Important",
        BlockQuoteKind::Warning => "Warning",
        BlockQuoteKind::Caution => "Caution",
    }
}

/// The kind names a hint lists, and the nearest one to a misspelt name.
fn unknown_kind_hint(name: &str, syntax: impl Fn(&str) -> String) -> String {
    let names: Vec<&str> = KINDS.iter().map(|(n, _)| *n).collect();
    let all = KINDS[..5]
        .iter()
        .map(|(n, _)| format!("`{}`", syntax(n)))
        .collect::<Vec<_>>()
        .join(", ");
    match did_you_mean(&name.to_ascii_lowercase(), &names) {
        Some(near) => format!("did you mean `{}`? Callouts are {all}", syntax(near)),
        None => format!("callouts are {all}; to show the text as it is, start it with a backslash"),
    }
}

/// An icon per kind, drawn for the theme (no icon font, no request), hidden from screen
/// readers: the title says the kind.
fn icon(kind: BlockQuoteKind) -> &'static str {
    ICONS[match kind {
        BlockQuoteKind::Note => 0,
        BlockQuoteKind::Tip => 1,
        BlockQuoteKind::Important => 2,
        BlockQuoteKind::Warning => 3,
        BlockQuoteKind::Caution => 4,
    }]
}

macro_rules! svg {
    ($inner:expr) => {
        concat!(
            r#"<svg class="callout-icon" aria-hidden="true" focusable="false" width="16" height="16" viewBox="0 0 16 16" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round">"#,
            $inner,
            "</svg>"
        )
    };
}

const ICONS: [&str; 5] = [
    svg!(r#"<circle cx="8" cy="8" r="6.25"/><path d="M8 7.2v4M8 4.8v.1"/>"#),
    svg!(
        r#"<path d="M6 12.5h4M6.7 14.6h2.6M8 1.6a4.4 4.4 0 0 0-2.6 7.9c.5.4.8 1 .8 1.6v.2h3.6v-.2c0-.6.3-1.2.8-1.6A4.4 4.4 0 0 0 8 1.6z"/>"#
    ),
    svg!(r#"<path d="M2 2.5h12v8.6H8.6L5.2 14v-2.9H2z"/><path d="M8 4.9v2.9M8 9.6v.1"/>"#),
    svg!(r#"<path d="M8 1.9l6.6 11.8H1.4z"/><path d="M8 6.2v3.4M8 11.6v.1"/>"#),
    svg!(
        r#"<path d="M5.3 1.6h5.4l3.7 3.7v5.4l-3.7 3.7H5.3l-3.7-3.7V5.3z"/><path d="M8 4.8v3.6M8 10.9v.1"/>"#
    ),
];

/// The callout's title line: the icon, then the kind's name, or a custom title (which the
/// caller writes) after the kind for screen readers.
fn title_open(kind: BlockQuoteKind, custom: bool) -> String {
    if custom {
        format!(
            "<p class=\"callout-title\">{}<span class=\"visually-hidden\">{}: </span>",
            icon(kind),
            label_of(kind)
        )
    } else {
        format!(
            "<p class=\"callout-title\">{}{}",
            icon(kind),
            label_of(kind)
        )
    }
}

fn title_html(kind: BlockQuoteKind, title: Option<&str>) -> String {
    match title {
        Some(t) => format!("{}{}</p>\n", title_open(kind, true), escape_attr(t)),
        None => format!("{}</p>\n", title_open(kind, false)),
    }
}

/// The callout's `<div>` for the two events every callout becomes; other events pass.
pub(super) fn html(event: Event<'_>) -> Event<'_> {
    match event {
        Event::Start(Tag::BlockQuote(Some(kind))) => Event::Html(CowStr::from(format!(
            "<div class=\"callout callout-{}\" role=\"note\">\n",
            name_of(kind)
        ))),
        Event::End(TagEnd::BlockQuote(Some(_))) => Event::Html(CowStr::Borrowed("</div>\n")),
        e => e,
    }
}

type Spanned<'t> = (Event<'t>, Range<usize>);

/// The parser's events with every callout as `BlockQuote(Some(kind))` and its title: see the
/// module comment. Offsets stay those of [`Fences::text`].
pub(super) struct Callouts<'t, I> {
    inner: I,
    fences: &'t Fences<'t>,
    /// Events read ahead, not yet looked at.
    ahead: VecDeque<Spanned<'t>>,
    /// Events ready to hand out.
    ready: VecDeque<Spanned<'t>>,
    /// The kind of every open quote, innermost last.
    quotes: Vec<Option<BlockQuoteKind>>,
    /// The open blocks and inlines (numbered by their start), innermost last.
    containers: Vec<usize>,
    starts: usize,
    /// `:::` callouts open: the fence and the block it opened in.
    open: Vec<(usize, usize)>,
    /// Fences already reported, so that one mistake is reported once.
    reported: Vec<usize>,
    problems: Vec<Problem>,
}

impl<'t, I: Iterator<Item = Spanned<'t>>> Callouts<'t, I> {
    pub(super) fn new(inner: I, fences: &'t Fences<'t>) -> Self {
        Callouts {
            inner,
            fences,
            ahead: VecDeque::new(),
            ready: VecDeque::new(),
            quotes: Vec::new(),
            containers: Vec::new(),
            starts: 0,
            open: Vec::new(),
            reported: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Every problem found, at offsets of the original body; call once the events are read.
    pub(super) fn problems(&mut self) -> Vec<Problem> {
        let mut all = self.fences.problems.clone();
        all.append(&mut self.problems);
        all.sort_by_key(|p| p.at);
        all
    }

    fn pull(&mut self) -> Option<Spanned<'t>> {
        self.ahead.pop_front().or_else(|| self.inner.next())
    }

    fn peek(&mut self) -> Option<&Spanned<'t>> {
        if self.ahead.is_empty() {
            let next = self.inner.next()?;
            self.ahead.push_back(next);
        }
        self.ahead.front()
    }

    fn emit(&mut self, event: Event<'t>, range: Range<usize>) {
        self.ready.push_back((event, range));
    }

    fn track(&mut self, event: &Event) {
        match event {
            Event::Start(_) => {
                self.starts += 1;
                self.containers.push(self.starts);
            }
            Event::End(_) => {
                self.containers.pop();
            }
            _ => {}
        }
    }

    fn here(&self) -> usize {
        self.containers.last().copied().unwrap_or(0)
    }

    fn problem(&mut self, fence: Option<usize>, at: usize, message: String, hint: &str) {
        if let Some(n) = fence {
            if self.reported.contains(&n) {
                return;
            }
            self.reported.push(n);
        }
        self.problems.push(Problem {
            at: self.fences.original(at),
            message,
            hint: hint.to_string(),
        });
    }

    fn process(&mut self, event: Event<'t>, range: Range<usize>) {
        // A marker that pulldown-cmark did not see as a block of its own.
        if let Event::Html(h) | Event::InlineHtml(h) = &event
            && let Some(Marker::Open(n) | Marker::Close(n)) = self.fences.marker(h, &range)
        {
            self.problem(
                Some(n),
                range.start,
                "a `:::` line must start a block of its own".into(),
                "put it on a line of its own, indented no more than the text around it (in a list item, as much as the item's text)",
            );
            if self.open.last().is_some_and(|&(open, _)| open == n) {
                self.open.pop();
            }
            return;
        }
        match event {
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                self.track(&event);
                self.quotes.push(Some(kind));
                self.emit(event, range.clone());
                self.emit(Event::Html(title_html(kind, None).into()), range);
            }
            Event::Start(Tag::BlockQuote(None)) => {
                self.track(&event);
                self.quote(range);
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                self.track(&event);
                let kind = self.quotes.pop().flatten();
                self.emit(Event::End(TagEnd::BlockQuote(kind)), range);
            }
            Event::Start(Tag::HtmlBlock) => {
                let fences = self.fences;
                let marker = match self.peek() {
                    Some((Event::Html(h), r)) => fences.marker(h, r),
                    _ => None,
                };
                match marker {
                    Some(m) => {
                        self.pull();
                        if let Some((Event::End(TagEnd::HtmlBlock), _)) = self.peek() {
                            self.pull();
                        }
                        self.fence(m, range);
                    }
                    None => {
                        self.track(&event);
                        self.emit(event, range);
                    }
                }
            }
            e => {
                self.track(&e);
                self.emit(e, range);
            }
        }
    }

    /// A `:::` marker: open the callout, or close it if it is open in this very block.
    fn fence(&mut self, marker: Marker, range: Range<usize>) {
        match marker {
            Marker::Open(n) => {
                let (kind, title) = (self.fences.fences[n].kind, &self.fences.fences[n].title);
                let title = title_html(kind, title.as_deref());
                self.open.push((n, self.here()));
                self.emit(Event::Start(Tag::BlockQuote(Some(kind))), range.clone());
                self.emit(Event::Html(title.into()), range);
            }
            Marker::Close(n) => match self.open.last().copied() {
                Some((open, block)) if open == n => {
                    self.open.pop();
                    if block == self.here() {
                        let kind = self.fences.fences[n].kind;
                        self.emit(Event::End(TagEnd::BlockQuote(Some(kind))), range);
                    } else {
                        self.problem(
                            Some(n),
                            range.start,
                            "this `:::` is not in the block where its callout opened".into(),
                            "put the closing `:::` in the same list item or quote as the opening line, as much indented",
                        );
                    }
                }
                _ => self.problem(
                    Some(n),
                    range.start,
                    "this `:::` is not in the block where its callout opened".into(),
                    "put the closing `:::` in the same list item or quote as the opening line, as much indented",
                ),
            },
        }
    }

    /// A quote that may be a callout with a title: `> [!NOTE] Title`, or a mistaken marker.
    fn quote(&mut self, range: Range<usize>) {
        let para = match self.peek() {
            Some((Event::Start(Tag::Paragraph), r)) => r.clone(),
            _ => {
                self.quotes.push(None);
                self.emit(Event::Start(Tag::BlockQuote(None)), range);
                return;
            }
        };
        self.pull();
        // The paragraph's first text, whole (pulldown-cmark splits it at brackets).
        let mut text = String::new();
        let mut text_range: Option<Range<usize>> = None;
        while let Some((Event::Text(_), _)) = self.peek() {
            if let Some((Event::Text(t), r)) = self.pull() {
                text.push_str(&t);
                text_range = Some(text_range.map_or(r.clone(), |a| a.start..r.end));
            }
        }
        let text_range = text_range.unwrap_or(para.start..para.start);
        // A backslash before `[` shows the marker as text (the text starts after it).
        let bytes = self.fences.text.as_bytes();
        let literal = bytes.get(text_range.start) != Some(&b'[')
            || text_range
                .start
                .checked_sub(1)
                .is_some_and(|i| bytes[i] == b'\\');
        let marker = if literal { None } else { parse_marker(&text) };
        let kind = match marker {
            Some(Ok((kind, rest_at))) => Some((kind, rest_at)),
            Some(Err((message, hint))) => {
                self.problem(None, text_range.start, message, &hint);
                None
            }
            None => None,
        };
        let Some((kind, rest_at)) = kind else {
            self.quotes.push(None);
            self.emit(Event::Start(Tag::BlockQuote(None)), range);
            self.track(&Event::Start(Tag::Paragraph));
            self.emit(Event::Start(Tag::Paragraph), para);
            if !text.is_empty() {
                self.emit(Event::Text(text.into()), text_range);
            }
            return;
        };
        self.quotes.push(Some(kind));
        self.emit(Event::Start(Tag::BlockQuote(Some(kind))), range);
        let rest = text[rest_at..].trim_start();
        let custom = !rest.is_empty()
            || !matches!(
                self.peek(),
                None | Some((Event::SoftBreak | Event::HardBreak | Event::End(_), _))
            );
        if !custom {
            // `> [!NOTE]` and text on the next line that pulldown-cmark did not take as an
            // alert (it does when the marker ends its line; this is trailing spaces).
            self.emit(Event::Html(title_html(kind, None).into()), para.clone());
        } else {
            self.emit(Event::Html(title_open(kind, true).into()), para.clone());
            if !rest.is_empty() {
                self.emit(Event::Text(rest.to_string().into()), text_range);
            }
        }
        // The rest of the title: inline events up to the first line break outside them.
        let mut depth = 0usize;
        loop {
            match self.pull() {
                None => break,
                Some((Event::End(TagEnd::Paragraph), _)) if depth == 0 => {
                    if custom {
                        self.emit(Event::Html("</p>\n".into()), para.clone());
                    }
                    break;
                }
                Some((Event::SoftBreak | Event::HardBreak, r)) if depth == 0 => {
                    if custom {
                        self.emit(Event::Html("</p>\n".into()), r);
                    }
                    self.track(&Event::Start(Tag::Paragraph));
                    self.emit(Event::Start(Tag::Paragraph), para);
                    break;
                }
                Some((e, r)) => {
                    match e {
                        Event::Start(_) => depth += 1,
                        Event::End(_) => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                    self.process(e, r);
                }
            }
        }
    }
}

/// `[!KIND]` at the start of a quote's first text: the kind and where the title starts, or
/// what is wrong with the marker; `None` when the text is no marker at all.
fn parse_marker(text: &str) -> Option<Result<(BlockQuoteKind, usize), (String, String)>> {
    let rest = text.strip_prefix("[!")?;
    let len = rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    if len == 0 {
        return None;
    }
    let name = &rest[..len];
    let syntax = |n: &str| format!("[!{}]", n.to_ascii_uppercase());
    if !rest[len..].starts_with(']') {
        return Some(Err((
            format!("callout marker `[!{name}` is not closed"),
            format!(
                "write `{}`, then the title (optional) on the same line; start with a backslash (`\\[!`) to show it as text",
                syntax(name)
            ),
        )));
    }
    Some(match kind_named(name) {
        // `info` and `danger` are for the `:::` form; GitHub knows five kinds.
        Some(kind) if KINDS[..5].iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) => {
            Ok((kind, 2 + len + 1))
        }
        _ => Err((
            format!("unknown callout `[!{name}]`"),
            unknown_kind_hint(name, syntax),
        )),
    })
}

impl<'t, I: Iterator<Item = Spanned<'t>>> Iterator for Callouts<'t, I> {
    type Item = Spanned<'t>;

    fn next(&mut self) -> Option<Spanned<'t>> {
        loop {
            if let Some(e) = self.ready.pop_front() {
                return Some(e);
            }
            match self.pull() {
                Some((e, r)) => self.process(e, r),
                None => {
                    while let Some((n, _)) = self.open.pop() {
                        let at = self.fences.fences[n].open_at;
                        if !self.reported.contains(&n) {
                            self.reported.push(n);
                            self.problems.push(Problem {
                                at,
                                message: "this callout is not closed in its block".into(),
                                hint: "end it with a line `:::` in the same list item or quote, as much indented".into(),
                            });
                        }
                    }
                    return None;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
