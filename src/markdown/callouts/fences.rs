//! The `:::` form of callouts: finds the `:::` lines of a page's body that are outside code
//! (at the top level, in list items, or inside `>` block quotes), pairs them, and replaces each with an HTML comment marker that pulldown-cmark parses as a
//! block of its own. [`Fences::original`] maps offsets of the new text back to the body, so
//! that every error of the page stays located in the file the writer sees. The markers are
//! turned into callouts by the event adapter in the parent module.

use super::{Problem, kind_named, unknown_kind_hint};
use pulldown_cmark::{BlockQuoteKind, Event, Options, Parser, Tag};
use std::borrow::Cow;
use std::ops::Range;

const OPEN: &str = "<!--mekong-callout:";
const CLOSE: &str = "<!--/mekong-callout:";

/// One `:::` callout, opened and closed.
#[derive(Debug)]
pub(in crate::markdown) struct Fence {
    pub kind: BlockQuoteKind,
    pub title: Option<String>,
    /// Offset of the opening `:::` in the original body.
    pub open_at: usize,
    /// Offsets of the two markers in the new text.
    open_new: usize,
    close_new: usize,
}

/// A replaced line: `new_start..new_end` of the new text was `orig_start..orig_end`.
#[derive(Debug)]
struct Edit {
    new_start: usize,
    new_end: usize,
    orig_start: usize,
    orig_end: usize,
}

/// The body with its `:::` lines replaced by markers, and what was found.
#[derive(Debug)]
pub(in crate::markdown) struct Fences<'a> {
    pub text: Cow<'a, str>,
    pub fences: Vec<Fence>,
    edits: Vec<Edit>,
    pub problems: Vec<Problem>,
}

/// The content of a line after its indentation and its block quote markers (`> > `), and how
/// many `>` it had.
fn unquoted(line: &str) -> (&str, usize) {
    let mut rest = line.trim_start_matches([' ', '\t']);
    let mut depth = 0;
    while let Some(r) = rest.strip_prefix('>') {
        depth += 1;
        rest = r.trim_start_matches([' ', '\t']);
    }
    (rest, depth)
}

enum Line<'a> {
    Open(BlockQuoteKind, Option<&'a str>),
    /// An opening line with a mistake (reported): it still pairs with its `:::`.
    BadOpen,
    Close,
}

impl<'a> Fences<'a> {
    /// Finds the `:::` lines of `body` that are not inside code or raw HTML, as pulldown-cmark
    /// with `options` sees it, and pairs them (a `:::` closes the innermost open callout).
    pub(in crate::markdown) fn scan(body: &'a str, options: Options) -> Fences<'a> {
        let mut f = Fences {
            text: Cow::Borrowed(body),
            fences: Vec::new(),
            edits: Vec::new(),
            problems: Vec::new(),
        };
        if !body.lines().any(|l| unquoted(l).0.starts_with(":::")) {
            return f;
        }
        let code = code_ranges(body, options);
        // (content start, line end, what the line is, block quote depth)
        let mut lines: Vec<(usize, usize, Line, usize)> = Vec::new();
        let mut offset = 0;
        for raw in body.split_inclusive('\n') {
            let start = offset;
            offset += raw.len();
            let line = raw.trim_end_matches('\n');
            let (content, depth) = unquoted(line);
            let at = start + (line.len() - content.len());
            if !content.starts_with(":::") || inside(&code, at) {
                continue;
            }
            let end = start + line.len();
            match parse_line(content) {
                Ok(l) => lines.push((at, end, l, depth)),
                Err((message, hint)) => {
                    f.problems.push(Problem { at, message, hint });
                    lines.push((at, end, Line::BadOpen, depth));
                }
            }
        }
        // Pair them.
        let mut stack: Vec<usize> = Vec::new();
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        for (i, (at, _, l, depth)) in lines.iter().enumerate() {
            match l {
                Line::Open(..) | Line::BadOpen => stack.push(i),
                // A callout opened inside a `>` quote closes inside the same quote.
                Line::Close if stack.last().is_some_and(|&o| lines[o].3 != *depth) => {
                    let o = stack[stack.len() - 1];
                    let quote = |d: usize| match d {
                        0 => "outside any `>` block quote".to_string(),
                        d => format!("inside {} `>`", d),
                    };
                    f.problems.push(Problem {
                        at: *at,
                        message: format!(
                            "`:::` {} cannot close the callout opened {} at `{}`",
                            quote(*depth),
                            quote(lines[o].3),
                            body[lines[o].0..lines[o].1].trim_end()
                        ),
                        hint: "close a callout at the same block quote level it was opened at: inside a quote, write the closing line as `> :::`".into(),
                    });
                }
                Line::Close => match stack.pop() {
                    Some(o) => pairs.push((o, i)),
                    None => f.problems.push(Problem {
                        at: *at,
                        message: "`:::` closes no callout".into(),
                        hint: "remove it, or open a callout before it with `:::note` (or tip, important, warning, caution); write `\\:::` to show the colons as text".into(),
                    }),
                },
            }
        }
        for o in stack {
            let (at, end, line, _) = &lines[o];
            if matches!(line, Line::BadOpen) {
                continue;
            }
            f.problems.push(Problem {
                at: *at,
                message: format!("callout `{}` is not closed", &body[*at..*end].trim_end()),
                hint: "end it with a line `:::` at the same indentation (`> :::` inside a block quote)".into(),
            });
        }
        if pairs.is_empty() {
            return f;
        }
        pairs.sort();
        // Each paired line becomes a marker naming its fence: (line index, marker).
        let mut markers: Vec<(usize, String)> = Vec::new();
        for &(o, c) in &pairs {
            let Line::Open(kind, title) = &lines[o].2 else {
                continue;
            };
            let n = f.fences.len();
            f.fences.push(Fence {
                kind: *kind,
                title: title.map(str::to_string),
                open_at: lines[o].0,
                open_new: 0,
                close_new: 0,
            });
            markers.push((o, format!("{OPEN}{n}-->")));
            markers.push((c, format!("{CLOSE}{n}-->")));
        }
        markers.sort();
        let mut out = String::with_capacity(body.len() + markers.len() * 24);
        let mut last = 0;
        for (i, marker) in markers {
            let (at, end, _, _) = &lines[i];
            out.push_str(&body[last..*at]);
            let new_start = out.len();
            out.push_str(&marker);
            // The fence number is in the marker; record where it landed.
            if let Some(n) = marker_number(&marker, OPEN) {
                f.fences[n].open_new = new_start;
            } else if let Some(n) = marker_number(&marker, CLOSE) {
                f.fences[n].close_new = new_start;
            }
            f.edits.push(Edit {
                new_start,
                new_end: out.len(),
                orig_start: *at,
                orig_end: *end,
            });
            last = *end;
        }
        out.push_str(&body[last..]);
        f.text = Cow::Owned(out);
        f
    }

    /// The offset in the original body of an offset in [`Fences::text`].
    pub(in crate::markdown) fn original(&self, offset: usize) -> usize {
        let i = self.edits.partition_point(|e| e.new_start <= offset);
        match i.checked_sub(1).map(|i| &self.edits[i]) {
            None => offset,
            Some(e) if offset < e.new_end => e.orig_start,
            Some(e) => e.orig_end + (offset - e.new_end),
        }
    }

    /// The marker an HTML event of the new text is, if it is one (at the place it was put).
    pub(in crate::markdown) fn marker(&self, html: &str, range: &Range<usize>) -> Option<Marker> {
        let h = html.trim();
        let (n, open) = match marker_number(h, OPEN) {
            Some(n) => (n, true),
            None => (marker_number(h, CLOSE)?, false),
        };
        let f = self.fences.get(n)?;
        let at = if open { f.open_new } else { f.close_new };
        range.contains(&at).then_some(if open {
            Marker::Open(n)
        } else {
            Marker::Close(n)
        })
    }
}

#[derive(Debug, Clone, Copy)]
pub(in crate::markdown) enum Marker {
    Open(usize),
    Close(usize),
}

fn marker_number(h: &str, prefix: &str) -> Option<usize> {
    h.strip_prefix(prefix)?.strip_suffix("-->")?.parse().ok()
}

/// A line that starts with `:::` (after its indentation): `:::`, `:::note`, `:::note Title`,
/// `::: note Title` or `:::note[Title]`; any number of colons from three.
fn parse_line(content: &str) -> Result<Line<'_>, (String, String)> {
    let rest = content.trim_start_matches(':').trim_start();
    if rest.trim().is_empty() {
        return Ok(Line::Close);
    }
    let syntax_hint = "open a callout with `:::note` (or tip, important, warning, caution) and an optional title, as in `:::note Before you start`, and close it with `:::`; write `\\:::` to show the colons as text";
    let not_a_line = || {
        Err((
            format!("`{}` is not a callout line", content.trim_end()),
            syntax_hint.to_string(),
        ))
    };
    let name_len = rest
        .find(|c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '_')
        .unwrap_or(rest.len());
    let (name, after) = rest.split_at(name_len);
    let title = if let Some(t) = after.strip_prefix('[') {
        match t.trim_end().strip_suffix(']') {
            Some(t) => Some(t.trim()),
            None => {
                return Err((
                    format!("callout title `{}` has no closing `]`", after.trim_end()),
                    "write `:::note[Title]` or `:::note Title`".into(),
                ));
            }
        }
    } else if after.is_empty() || after.starts_with([' ', '\t']) {
        Some(after.trim())
    } else {
        return not_a_line();
    };
    if name.is_empty() {
        return not_a_line();
    }
    match kind_named(name) {
        Some(kind) => Ok(Line::Open(kind, title.filter(|t| !t.is_empty()))),
        None => Err((
            format!("unknown callout `:::{name}`"),
            unknown_kind_hint(name, |n| format!(":::{n}")),
        )),
    }
}

/// Where code, math and raw HTML are, which `:::` lines inside do not open or close callouts.
fn code_ranges(body: &str, options: Options) -> Vec<Range<usize>> {
    let mut ranges: Vec<Range<usize>> = Parser::new_ext(body, options)
        .into_offset_iter()
        .filter(|(e, _)| {
            matches!(
                e,
                Event::Start(Tag::CodeBlock(_) | Tag::HtmlBlock)
                    | Event::Code(_)
                    | Event::InlineHtml(_)
                    | Event::InlineMath(_)
                    | Event::DisplayMath(_)
            )
        })
        .map(|(_, r)| r)
        .collect();
    ranges.sort_by_key(|r| r.start);
    ranges
}

fn inside(ranges: &[Range<usize>], at: usize) -> bool {
    let i = ranges.partition_point(|r| r.start <= at);
    ranges[..i].iter().rev().take(4).any(|r| r.contains(&at))
}
