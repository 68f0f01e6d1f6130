//! Finding component calls in a page's body: `{{ name(arg=value, ...) }}` (inline, no body),
//! `{% name(args) %}` ... `{% end %}` (each on a line of its own, with Markdown between), and
//! the escapes `{{/* ... */}}` and `{%/* ... */%}`, which show the call as text. Calls inside
//! code, math or raw HTML are left alone (a first parse says where those are).
//!
//! Each call is replaced by an HTML comment marker, which the Markdown parser passes through
//! as one event (a block of its own when the call is alone on its line); the parent module
//! renders the component and puts its HTML there. [`Calls::original`] maps offsets of the new
//! text back to the body. Argument values are JSON-like: `"text"` or `'text'`, numbers,
//! `true`/`false`, and `[lists, of, values]`.

use pulldown_cmark::{Event, Options, Parser, Tag};
use serde_json::Value;
use std::borrow::Cow;
use std::ops::Range;

pub(in crate::markdown) const OPEN: &str = "<!--mekong-component:";
pub(in crate::markdown) const CLOSE: &str = "<!--/mekong-component:";
/// The marker of an inline call that shares its line with text: an element, not a comment,
/// because a line that starts with `<!--` starts an HTML block (one that interrupts a
/// paragraph and swallows the rest of the line), while a tag followed by text on its line
/// never does.
pub(in crate::markdown) const INLINE: &str = "<mekong-component-";

/// One call found in the body.
#[derive(Debug)]
pub(in crate::markdown) struct Call {
    pub name: String,
    /// Offset of the name in the original body.
    pub at: usize,
    /// Arguments with the offset of each name.
    pub args: Vec<(String, Value, usize)>,
    /// `{% name() %}`: it has a body, closed by `{% end %}`.
    pub has_body: bool,
    /// The call whose body holds this one, and this call's place among its children.
    pub parent: Option<usize>,
    pub index: usize,
}

/// A problem at an offset of the original body.
#[derive(Debug)]
pub(in crate::markdown) struct Problem {
    pub at: usize,
    pub message: String,
    pub hint: String,
}

#[derive(Debug)]
struct Edit {
    new_start: usize,
    new_end: usize,
    orig_start: usize,
    orig_end: usize,
}

/// The body with every call replaced by its marker.
#[derive(Debug)]
pub(in crate::markdown) struct Calls<'a> {
    pub text: Cow<'a, str>,
    pub calls: Vec<Call>,
    pub problems: Vec<Problem>,
    edits: Vec<Edit>,
}

impl<'a> Calls<'a> {
    /// The body as it is: no calls (a build without components).
    pub(in crate::markdown) fn none(body: &'a str) -> Calls<'a> {
        Calls {
            text: Cow::Borrowed(body),
            calls: Vec::new(),
            problems: Vec::new(),
            edits: Vec::new(),
        }
    }

    pub(in crate::markdown) fn scan(body: &'a str, options: Options) -> Calls<'a> {
        let mut c = Calls::none(body);
        if !body.contains("{{") && !body.contains("{%") {
            return c;
        }
        let skip = skipped_ranges(body, options);
        let mut out = String::with_capacity(body.len() + 64);
        let mut last = 0;
        // Open body calls: (call, children so far).
        let mut open: Vec<(usize, usize)> = Vec::new();
        let mut top_children = 0;
        let mut i = 0;
        while let Some(found) = body[i..].find(['{']) {
            let at = i + found;
            i = at + 1;
            let rest = &body[at..];
            let inline = rest.starts_with("{{");
            if !(inline || rest.starts_with("{%")) || in_ranges(&skip, at) {
                continue;
            }
            let close = if inline { "}}" } else { "%}" };
            // The escape: `{{/* x */}}` is the text `{{ x }}`.
            if rest[2..].starts_with("/*")
                && let Some(end) = rest[4..].find(&format!("*/{close}")).map(|e| e + 4)
            {
                let inner = &rest[4..end];
                let replacement = format!("{}{inner}{close}", &rest[..2]);
                c.edit(&mut out, &mut last, body, at, at + end + 4, &replacement);
                i = at + end + 4;
                continue;
            }
            let inner_start = at + 2;
            let Some(name_len) = name_at(&body[inner_start..]) else {
                continue; // `{{ page.title }}` and the like are not calls: text
            };
            let lead = body[inner_start..].len() - body[inner_start..].trim_start().len();
            let name_at_ = inner_start + lead;
            let name = &body[name_at_..name_at_ + name_len];
            if !inline && name == "end" && body[name_at_ + 3..].trim_start().starts_with(close) {
                let end = name_at_ + 3 + body[name_at_ + 3..].find(close).unwrap_or(0) + 2;
                match open.pop() {
                    Some((n, _)) => {
                        let marker = format!("{CLOSE}{n}-->");
                        if !alone_on_line(body, at, end) {
                            c.problem(at, "`{% end %}` must be on a line of its own".into(), "put each `{% name(...) %}` and its `{% end %}` on lines of their own, with the Markdown body between".into());
                        }
                        c.edit(&mut out, &mut last, body, at, end, &marker);
                    }
                    None => c.problem(
                        at,
                        "`{% end %}` closes no component".into(),
                        "remove it, or open a component before it, as in `{% details(summary=\"More\") %}`; write `{%/* end */%}` to show it as text".into(),
                    ),
                }
                i = end;
                continue;
            }
            let after_name = name_at_ + name_len;
            if !body[after_name..].starts_with('(') {
                continue;
            }
            let args = match parse_args(body, after_name + 1) {
                Ok(a) => a,
                Err((off, message)) => {
                    c.problem(off, message, "write arguments as `name=value`, separated by commas: strings in quotes, numbers, `true`/`false` or `[lists]`, as in `{{ figure(src=\"map.png\", alt=\"Map\", width=400) }}`".to_string());
                    i = after_name;
                    continue;
                }
            };
            let (args, args_end) = args;
            let tail = &body[args_end..];
            let ws = tail.len() - tail.trim_start_matches([' ', '\t']).len();
            if !tail[ws..].starts_with(close) {
                c.problem(
                    args_end,
                    format!("component call `{name}(...)` is not closed with `{close}`"),
                    format!("end the call with `) {close}`"),
                );
                i = args_end;
                continue;
            }
            let end = args_end + ws + 2;
            let n = c.calls.len();
            let (parent, index) = match open.last_mut() {
                Some((p, children)) => {
                    *children += 1;
                    (Some(*p), *children - 1)
                }
                None => {
                    top_children += 1;
                    (None, top_children - 1)
                }
            };
            c.calls.push(Call {
                name: name.to_string(),
                at: name_at_,
                args,
                has_body: !inline,
                parent,
                index,
            });
            if !inline {
                if !alone_on_line(body, at, end) {
                    c.problem(at, format!("`{{% {name}(...) %}}` must be on a line of its own"), "a component with a body opens and closes on lines of their own; for one without a body, write `{{ name(...) }}`".into());
                }
                open.push((n, 0));
            }
            let marker = if inline && !alone_on_line(body, at, end) {
                format!("{INLINE}{n}>")
            } else {
                format!("{OPEN}{n}-->")
            };
            c.edit(&mut out, &mut last, body, at, end, &marker);
            i = end;
        }
        for (n, _) in open {
            let at = c.calls[n].at;
            let name = c.calls[n].name.clone();
            c.problem(
                at,
                format!("component `{name}` is not closed"),
                "end its body with a line `{% end %}`".into(),
            );
        }
        if !c.edits.is_empty() {
            out.push_str(&body[last..]);
            c.text = Cow::Owned(out);
        }
        c
    }

    fn problem(&mut self, at: usize, message: String, hint: String) {
        self.problems.push(Problem { at, message, hint });
    }

    fn edit(
        &mut self,
        out: &mut String,
        last: &mut usize,
        body: &str,
        start: usize,
        end: usize,
        with: &str,
    ) {
        out.push_str(&body[*last..start]);
        let new_start = out.len();
        out.push_str(with);
        self.edits.push(Edit {
            new_start,
            new_end: out.len(),
            orig_start: start,
            orig_end: end,
        });
        *last = end;
    }

    /// The offset in the original body of an offset in [`Calls::text`].
    pub(in crate::markdown) fn original(&self, offset: usize) -> usize {
        let i = self.edits.partition_point(|e| e.new_start <= offset);
        match i.checked_sub(1).map(|i| &self.edits[i]) {
            None => offset,
            Some(e) if offset < e.new_end => e.orig_start,
            Some(e) => e.orig_end + (offset - e.new_end),
        }
    }
}

/// A marker's call number, and whether it opens (or is) the call or closes its body.
pub(in crate::markdown) fn marker(html: &str) -> Option<(usize, bool)> {
    let h = html.trim();
    if let Some(n) = h.strip_prefix(OPEN).and_then(|r| r.strip_suffix("-->")) {
        return n.parse().ok().map(|n| (n, true));
    }
    if let Some(n) = h.strip_prefix(INLINE).and_then(|r| r.strip_suffix('>')) {
        return n.parse().ok().map(|n| (n, true));
    }
    let n = h.strip_prefix(CLOSE)?.strip_suffix("-->")?;
    n.parse().ok().map(|n| (n, false))
}

/// The length of a component name at the start of `s` (after spaces): `[A-Za-z_][A-Za-z0-9_]*`.
fn name_at(s: &str) -> Option<usize> {
    let t = s.trim_start();
    let len = t
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(t.len());
    (len > 0 && t.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')).then_some(len)
}

/// Whether `start..end` is all that its line holds, but spaces.
fn alone_on_line(body: &str, start: usize, end: usize) -> bool {
    let line_start = body[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = body[end..].find('\n').map_or(body.len(), |i| end + i);
    body[line_start..start].trim().is_empty() && body[end..line_end].trim().is_empty()
}

type Args = (Vec<(String, Value, usize)>, usize);

/// `name=value, ...)` from `from`; the arguments and the offset after `)`.
fn parse_args(body: &str, from: usize) -> Result<Args, (usize, String)> {
    let mut args = Vec::new();
    let mut i = skip_ws(body, from);
    if body[i..].starts_with(')') {
        return Ok((args, i + 1));
    }
    loop {
        let name_start = i;
        let len = body[i..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(body.len() - i);
        if len == 0 {
            return Err((i, "expected an argument name".into()));
        }
        let name = body[i..i + len].to_string();
        i = skip_ws(body, i + len);
        if !body[i..].starts_with('=') {
            return Err((i, format!("expected `=` after the argument name `{name}`")));
        }
        i = skip_ws(body, i + 1);
        let (value, next) = parse_value(body, i, 0)?;
        if args.iter().any(|(n, _, _)| *n == name) {
            return Err((name_start, format!("argument `{name}` is given twice")));
        }
        args.push((name, value, name_start));
        i = skip_ws(body, next);
        match body[i..].chars().next() {
            Some(',') => i = skip_ws(body, i + 1),
            Some(')') => return Ok((args, i + 1)),
            _ => return Err((i, "expected `,` or `)` after an argument".into())),
        }
        if body[i..].starts_with(')') {
            return Ok((args, i + 1));
        }
    }
}

fn skip_ws(body: &str, i: usize) -> usize {
    i + (body[i..].len() - body[i..].trim_start().len())
}

fn parse_value(body: &str, i: usize, depth: usize) -> Result<(Value, usize), (usize, String)> {
    let rest = &body[i..];
    let Some(c) = rest.chars().next() else {
        return Err((i, "expected a value".into()));
    };
    match c {
        '"' | '\'' => {
            let mut s = String::new();
            let mut chars = rest.char_indices().skip(1);
            while let Some((j, ch)) = chars.next() {
                match ch {
                    '\\' => match chars.next() {
                        Some((_, 'n')) => s.push('\n'),
                        Some((_, e)) => s.push(e),
                        None => break,
                    },
                    ch if ch == c => return Ok((Value::String(s), i + j + 1)),
                    ch => s.push(ch),
                }
            }
            Err((i, "this string is not closed".into()))
        }
        '[' if depth < 16 => {
            let mut items = Vec::new();
            let mut j = skip_ws(body, i + 1);
            if body[j..].starts_with(']') {
                return Ok((Value::Array(items), j + 1));
            }
            loop {
                let (v, next) = parse_value(body, j, depth + 1)?;
                items.push(v);
                j = skip_ws(body, next);
                match body[j..].chars().next() {
                    Some(',') => j = skip_ws(body, j + 1),
                    Some(']') => return Ok((Value::Array(items), j + 1)),
                    _ => return Err((j, "expected `,` or `]` in a list".into())),
                }
                if body[j..].starts_with(']') {
                    return Ok((Value::Array(items), j + 1));
                }
            }
        }
        _ => {
            let len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_')))
                .unwrap_or(rest.len());
            let word = &rest[..len];
            let value = match word {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                w => match (w.parse::<i64>(), w.parse::<f64>()) {
                    (Ok(n), _) => Value::from(n),
                    (_, Ok(f)) if f.is_finite() => Value::from(f),
                    _ => {
                        return Err((
                            i,
                            format!("`{w}` is not a value: quote text, as in \"{w}\""),
                        ));
                    }
                },
            };
            Ok((value, i + len))
        }
    }
}

/// Where code, math and raw HTML are: calls there stay text.
fn skipped_ranges(body: &str, options: Options) -> Vec<Range<usize>> {
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

fn in_ranges(ranges: &[Range<usize>], at: usize) -> bool {
    let i = ranges.partition_point(|r| r.start <= at);
    ranges[..i].iter().rev().take(4).any(|r| r.contains(&at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(body: &str) -> Calls<'_> {
        Calls::scan(body, Options::empty())
    }

    #[test]
    fn finds_inline_and_body_calls_but_not_in_code() {
        let body = "A {{ figure(src=\"a.png\", width=3, tags=['x', \"y\"], on=true) }} b.\n\n{% details(summary='S') %}\nIn.\n{% end %}\n\n`{{ figure() }}`\n\n{{ page.title }}\n";
        let c = scan(body);
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        assert_eq!(c.calls.len(), 2);
        assert_eq!(c.calls[0].name, "figure");
        assert_eq!(c.calls[0].args[2].1, serde_json::json!(["x", "y"]));
        assert!(c.calls[1].has_body);
        assert!(c.text.contains("`{{ figure() }}`"));
        assert!(c.text.contains("{{ page.title }}"));
        assert!(c.text.contains("<!--/mekong-component:1-->"));
        let b = c.text.find("b.").unwrap();
        assert_eq!(c.original(b), body.find("b.").unwrap());
    }

    /// A call that starts a line of a paragraph, with text after it, stays in the paragraph
    /// (its comment marker started an HTML block that swallowed the rest of the line).
    #[test]
    fn an_inline_call_at_the_start_of_a_line_stays_inline() {
        let body = "The release,\n{{ version() }}, is out.\n\n{{ version() }} is first.\n\n{{ version() }}\n";
        let c = Calls::scan(body, super::super::super::options());
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        let events: Vec<_> = Parser::new_ext(&c.text, super::super::super::options()).collect();
        let inline = events
            .iter()
            .filter(|e| matches!(e, Event::InlineHtml(h) if marker(h).is_some()))
            .count();
        let block = events
            .iter()
            .filter(|e| matches!(e, Event::Html(h) if marker(h).is_some()))
            .count();
        assert_eq!((inline, block), (2, 1), "{events:?}");
        assert!(
            !events
                .iter()
                .any(|e| matches!(e, Event::Html(h) if h.contains("is out"))),
            "{events:?}"
        );
    }

    #[test]
    fn the_escape_shows_a_call_as_text() {
        let c = scan("Write {{/* figure(src=\"x\") */}} and {%/* end */%}.\n");
        assert!(c.calls.is_empty());
        assert_eq!(c.text, "Write {{ figure(src=\"x\") }} and {% end %}.\n");
    }

    #[test]
    fn bad_calls_are_located() {
        let c = scan("x {{ f(a=\"open) }}\n");
        assert_eq!(c.problems[0].at, 9);
        let c = scan("{% d() %}\nbody\n");
        assert_eq!(c.problems[0].message, "component `d` is not closed");
        let c = scan("x {{ f(a=bare) }}\n");
        assert!(c.problems[0].message.contains("`bare` is not a value"));
    }
}
