//! Shortcodes (issue 18). Zola's `{{ name(args) }}` and `{% name(args) %}…{% end %}` are
//! mekong's component syntax: a call of a built-in component (`figure`, `details`, `tabs`,
//! `tab`) with arguments it knows is kept; any other is escaped (`{{/* … */}}`) so that it
//! shows as text, and reported. Hugo's `{{< ref "x" >}}` and `relref` become `@/` links; its
//! `figure` and `details` become mekong's; every other Hugo shortcode is left as text and
//! reported. Code blocks and inline code are left alone, as both generators leave them.

use super::Out;
use super::markdown::{apply, line_of};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use std::ops::Range;

/// mekong's built-in components and the arguments each takes (required first).
const BUILT_IN: &[(&str, &[&str], usize)] = &[
    ("figure", &["src", "alt", "caption", "width", "height"], 2),
    ("details", &["summary", "open"], 0),
    ("tabs", &["label"], 0),
    ("tab", &["title"], 0),
];

/// The byte ranges of code (blocks and spans) in a Markdown body.
fn code_ranges(body: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut block: Option<usize> = None;
    for (e, r) in Parser::new_ext(body, crate::markdown::options()).into_offset_iter() {
        match e {
            Event::Start(Tag::CodeBlock(_)) => block = Some(r.start),
            Event::End(TagEnd::CodeBlock) => {
                if let Some(s) = block.take() {
                    out.push(s..r.end);
                }
            }
            Event::Code(_) => out.push(r),
            _ => {}
        }
    }
    out
}

fn in_code(code: &[Range<usize>], at: usize) -> bool {
    code.iter().any(|r| r.contains(&at))
}

/// The names of `name(a=1, b="x")`'s arguments, or `None` if it is not of that form.
fn call_args(call: &str) -> Option<(String, Vec<String>)> {
    let call = call.trim();
    let open = call.find('(')?;
    let name = call[..open].trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let inner = call[open + 1..].strip_suffix(')')?;
    let mut names = Vec::new();
    let mut quote: Option<char> = None;
    let mut depth = 0;
    let mut current = String::new();
    for c in inner.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[') => depth += 1,
            (None, ']') => depth -= 1,
            (None, ',') if depth == 0 => {
                names.push(std::mem::take(&mut current));
            }
            (None, c) => current.push(c),
        }
    }
    names.push(current);
    let names = names
        .into_iter()
        .filter(|n| !n.trim().is_empty())
        .map(|n| n.split('=').next().unwrap_or("").trim().to_string())
        .collect();
    Some((name.to_string(), names))
}

/// Zola's shortcodes in `body`, kept or escaped. `first_line` is the body's line in the file.
pub(super) fn zola(body: &str, shown: &str, first_line: usize, out: &mut Out) -> String {
    let code = code_ranges(body);
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    // Open body calls: whether each was escaped, so that its `{% end %}` matches.
    let mut open: Vec<bool> = Vec::new();
    let mut i = 0;
    while let Some(p) = body[i..].find(['{']) {
        let at = i + p;
        i = at + 1;
        let rest = &body[at..];
        let (close, body_call) = if rest.starts_with("{{") {
            ("}}", false)
        } else if rest.starts_with("{%") {
            ("%}", true)
        } else {
            continue;
        };
        if in_code(&code, at) || rest[2..].starts_with("/*") {
            continue;
        }
        let Some(end) = rest.find(close) else {
            continue;
        };
        let inner = &rest[2..end];
        let whole = at..at + end + 2;
        let line = line_of(body, at) + first_line - 1;
        if body_call && inner.trim() == "end" {
            if open.pop() == Some(true) {
                edits.push((whole, "{%/* end */%}".into()));
            }
            i = at + end + 2;
            continue;
        }
        let Some((name, args)) = call_args(inner) else {
            continue;
        };
        let known = BUILT_IN.iter().find(|(n, _, _)| *n == name);
        let fits = known.is_some_and(|(_, allowed, required)| {
            args.iter().all(|a| allowed.contains(&a.as_str()))
                && allowed[..*required]
                    .iter()
                    .all(|r| args.iter().any(|a| a == r))
        });
        if body_call {
            open.push(!fits);
        }
        if !fits {
            let escaped = if body_call {
                format!("{{%/*{inner}*/%}}")
            } else {
                format!("{{{{/*{inner}*/}}}}")
            };
            edits.push((whole, escaped));
            let todo = match known {
                Some(_) => format!(
                    "mekong's `{name}` takes {}; rewrite the call with those arguments",
                    BUILT_IN
                        .iter()
                        .find(|(n, _, _)| *n == name)
                        .map(|(_, a, _)| a.join(", "))
                        .unwrap_or_default()
                ),
                None => format!(
                    "write a component templates/components/{name}.html (README \"Components\") and remove the `/* */`, or replace the call with Markdown; it shows as text now"
                ),
            };
            out.note(
                shown,
                line,
                format!("shortcode `{name}` is not one of mekong's components"),
                todo,
            );
        }
        i = at + end + 2;
    }
    apply(body, edits)
}

/// Hugo's shortcodes in `body`. `resolve` turns a `ref` argument into an `@/` path (or
/// `None` when there is no such page).
pub(super) fn hugo(
    body: &str,
    shown: &str,
    first_line: usize,
    out: &mut Out,
    mut resolve: impl FnMut(&str) -> Option<String>,
) -> String {
    let code = code_ranges(body);
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut i = 0;
    while let Some(p) = body[i..].find("{{") {
        let at = i + p;
        i = at + 2;
        let rest = &body[at..];
        let (close, _markdown) = if rest.starts_with("{{<") {
            (">}}", false)
        } else if rest.starts_with("{{%") {
            ("%}}", true)
        } else {
            continue;
        };
        if in_code(&code, at) || rest[3..].trim_start().starts_with("/*") {
            continue;
        }
        let Some(end) = rest.find(close) else {
            continue;
        };
        let inner = rest[3..end].trim();
        let whole = at..at + end + 3;
        i = at + end + 3;
        let line = line_of(body, at) + first_line - 1;
        let (name, args) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
        let args = args.trim().trim_end_matches('/').trim();
        match name {
            "ref" | "relref" => {
                let target = unquote(args.split_whitespace().next().unwrap_or(""));
                match resolve(target) {
                    Some(p) => edits.push((whole, p)),
                    None => {
                        out.note(shown, line, format!("`{name}` to `{target}`: no such page"), "fix the link; it points to this page (`#`) now");
                        edits.push((whole, "#".into()));
                    }
                }
            }
            "figure" => {
                let get = |k: &str| attr(args, k);
                match get("src") {
                    Some(src) => {
                        let alt = get("alt").unwrap_or_default();
                        let mut call = format!("{{{{ figure(src={}, alt={}", quote(&src), quote(&alt));
                        if let Some(c) = get("caption").or_else(|| get("title")) {
                            call.push_str(&format!(", caption={}", quote(&c)));
                        }
                        call.push_str(") }}");
                        edits.push((whole, call));
                    }
                    None => out.note(shown, line, "`figure` without `src`", "give it `src`; it is left as text"),
                }
            }
            "details" => {
                let summary = attr(args, "summary").unwrap_or_else(|| "Details".into());
                let mut call = format!("{{% details(summary={}", quote(&summary));
                if attr(args, "open").is_some_and(|o| o == "true") {
                    call.push_str(", open=true");
                }
                call.push_str(") %}");
                edits.push((whole, call));
            }
            "/details" => edits.push((whole, "{% end %}".into())),
            // A closing `{{< /name >}}` was reported with its opening.
            _ if name.starts_with('/') => {}
            _ => out.note(shown, line, format!("Hugo shortcode `{name}` is not converted"), "replace it with Markdown or a component (README \"Components\"); it shows as text now"),
        }
    }
    apply(body, edits)
}

fn unquote(s: &str) -> &str {
    s.trim()
        .trim_matches('"')
        .trim_matches('\'')
        .trim_matches('`')
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The value of `key="value"` (or `key=value`) in Hugo's named arguments.
fn attr(args: &str, key: &str) -> Option<String> {
    let mut rest = args;
    while let Some(p) = rest.find(key) {
        let before_ok = p == 0 || rest.as_bytes()[p - 1].is_ascii_whitespace();
        let after = rest[p + key.len()..].trim_start();
        if before_ok && let Some(v) = after.strip_prefix('=') {
            let v = v.trim_start();
            return Some(match v.chars().next() {
                Some(q @ ('"' | '\'' | '`')) => v[1..].split(q).next().unwrap_or("").to_string(),
                _ => v.split_whitespace().next().unwrap_or("").to_string(),
            });
        }
        rest = &rest[p + key.len()..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_fitting_zola_calls_and_escapes_the_others() {
        let mut out = Out::default();
        let body = "{{ figure(src=\"a.png\", alt=\"A\") }}\n\n{% note(kind=\"x\") %}\nin\n{% end %}\n\n{% details(summary=\"S\") %}\nok\n{% end %}\n\n`{{ youtube(id=1) }}`\n";
        let got = zola(body, "content/a.md", 4, &mut out);
        assert_eq!(
            got,
            "{{ figure(src=\"a.png\", alt=\"A\") }}\n\n{%/* note(kind=\"x\") */%}\nin\n{%/* end */%}\n\n{% details(summary=\"S\") %}\nok\n{% end %}\n\n`{{ youtube(id=1) }}`\n"
        );
        assert_eq!(out.notes.len(), 1);
        assert_eq!(out.notes[0].line, 6);
    }

    #[test]
    fn maps_hugo_refs_and_figures() {
        let mut out = Out::default();
        let body = "[x]({{< ref \"b.md#c\" >}}) {{< figure src=\"m.png\" title=\"T\" >}} {{< youtube 1 >}}\n";
        let got = hugo(body, "content/a.md", 1, &mut out, |t| {
            Some(format!("@/{t}"))
        });
        assert_eq!(
            got,
            "[x](@/b.md#c) {{ figure(src=\"m.png\", alt=\"\", caption=\"T\") }} {{< youtube 1 >}}\n"
        );
        assert_eq!(out.notes.len(), 1);
    }
}
