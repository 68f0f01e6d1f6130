//! Lines of a code block: hidden Rust doc-test lines, console prompts, plain fallbacks, and
//! the assembly of the finished block (caption, numbers, marks, copy button) with escaping.

use super::*;

/// The length of a shell prompt at the start of a console line (`$ `, `# `, `% `, `> `, `❯ `,
/// `user@host:~$ `, `PS C:\> `), or `None` for an output line.
pub(super) fn prompt_len(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let after = |i: usize| -> Option<usize> {
        match bytes.get(i) {
            None => Some(i),
            Some(b' ') => Some(i + 1),
            _ => None,
        }
    };
    if let Some(rest) = line.strip_prefix("PS")
        && let Some(gt) = rest.find('>')
        && (rest.starts_with('>') || rest.starts_with(' '))
        && !rest[..gt].contains('\n')
    {
        return after(2 + gt + 1);
    }
    if let Some(c) = line.chars().next()
        && matches!(c, '$' | '#' | '%' | '>' | '❯')
    {
        return after(c.len_utf8());
    }
    // user@host:path$ (no spaces before the prompt character)
    let word_end = line.find(' ').unwrap_or(line.len());
    let word = &line[..word_end];
    if word.contains('@') && (word.ends_with('$') || word.ends_with('#')) {
        return after(word_end);
    }
    None
}

/// What a line gives the grammar: a command after a prompt of `n` bytes (0 outside console
/// sessions), or, in a console session, program output, which no grammar reads.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    Command(usize),
    Output,
}

/// Each line's [`Part`]. In a console session a prompt starts a command; so does the line
/// after one ending in `\`.
pub(super) fn line_parts(lines: &[SourceLine], console: bool) -> Vec<Part> {
    let mut continued = false;
    lines
        .iter()
        .map(|line| {
            if !console {
                return Part::Command(0);
            }
            let prompt = if continued {
                Some(0)
            } else {
                prompt_len(&line.code)
            };
            match prompt {
                Some(n) => {
                    continued = line.code[n..].trim_end().ends_with('\\');
                    Part::Command(n)
                }
                None => Part::Output,
            }
        })
        .collect()
}

/// The visible lines' HTML, joined by NUL: `body` has each line's highlighted command (lines
/// separated by `\n`), to which prompts and output lines are added here.
pub(super) fn compose(lines: &[SourceLine], parts: &[Part], body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 16 * lines.len());
    let mut first = true;
    for ((line, part), html) in lines.iter().zip(parts).zip(body.split('\n')) {
        if !line.visible {
            continue;
        }
        if !first {
            out.push('\u{0}');
        }
        first = false;
        match part {
            Part::Output => {
                let _ = write!(out, "<span class=\"{OUTPUT_CLASS}\">");
                escape_into(&mut out, &line.code);
                out.push_str("</span>");
            }
            Part::Command(n) => {
                if *n > 0 {
                    let _ = write!(out, "<span class=\"{PROMPT_CLASS}\">");
                    escape_into(&mut out, &line.code[..*n]);
                    out.push_str("</span>");
                }
                out.push_str(html);
            }
        }
    }
    out
}

pub(super) fn push_run(out: &mut String, class: usize, text: &str) {
    if text.is_empty() {
        return;
    }
    match CLASSES.get(class).map(|c| c.0) {
        Some(name) if !name.is_empty() => {
            let _ = write!(out, "<span class=\"{name}\">");
            escape_into(out, text);
            out.push_str("</span>");
        }
        _ => escape_into(out, text),
    }
}

/// Splits the block into lines and applies hidden-line rules. With `rust_rules`, rustdoc's:
/// `# ` and a lone `#` hide the line, `##` shows a literal `#`. Otherwise a line starting with
/// the prefix is hidden, the prefix removed.
pub(super) fn split_lines<'a>(
    code: &'a str,
    hide: Option<&str>,
    rust_rules: bool,
) -> Vec<SourceLine<'a>> {
    let mut out = Vec::new();
    let body = code.strip_suffix('\n').unwrap_or(code);
    if code.is_empty() {
        return out;
    }
    for raw in body.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let source = match hide {
            None => SourceLine {
                code: Cow::Borrowed(line),
                visible: true,
            },
            Some(_) if rust_rules => {
                let trimmed = line.trim_start();
                let indent = &line[..line.len() - trimmed.len()];
                if trimmed == "#" {
                    SourceLine {
                        code: Cow::Borrowed(""),
                        visible: false,
                    }
                } else if let Some(rest) = trimmed
                    .strip_prefix("# ")
                    .or_else(|| trimmed.strip_prefix("#\t"))
                {
                    SourceLine {
                        code: Cow::Borrowed(rest),
                        visible: false,
                    }
                } else if trimmed.starts_with("##") {
                    SourceLine {
                        code: Cow::Owned(format!("{indent}{}", &trimmed[1..])),
                        visible: true,
                    }
                } else {
                    SourceLine {
                        code: Cow::Borrowed(line),
                        visible: true,
                    }
                }
            }
            Some(prefix) => {
                let trimmed = line.trim_start();
                match trimmed.strip_prefix(prefix) {
                    Some(rest) => SourceLine {
                        code: Cow::Borrowed(rest.strip_prefix(' ').unwrap_or(rest)),
                        visible: false,
                    },
                    None => SourceLine {
                        code: Cow::Borrowed(line),
                        visible: true,
                    },
                }
            }
        };
        out.push(source);
    }
    out
}

pub(super) fn plain_lines(lines: &[SourceLine]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| l.visible)
        .map(|l| {
            let mut s = String::with_capacity(l.code.len() + 8);
            escape_into(&mut s, &l.code);
            s
        })
        .collect()
}

/// The block's markup around its lines. `lines` are the visible lines' inner HTML.
pub(super) fn assemble(
    info: &CodeInfo,
    lang: &str,
    lines: &[&str],
    start: u64,
    linenos: bool,
    copy_button: bool,
) -> String {
    let size: usize = lines.iter().map(|l| l.len() + 40).sum::<usize>() + 300;
    let mut out = String::with_capacity(size);
    let (outer, close) = if info.title.is_some() {
        ("figure", "</figure>")
    } else {
        ("div", "</div>")
    };
    let _ = write!(out, "<{outer} class=\"code-block");
    if linenos {
        out.push_str(" has-linenos");
    }
    out.push('"');
    if !lang.is_empty() {
        out.push_str(" data-lang=\"");
        escape_attr_into(&mut out, lang);
        out.push('"');
    }
    if !info.flags.is_empty() {
        out.push_str(" data-flags=\"");
        escape_attr_into(&mut out, &info.flags.join(" "));
        out.push('"');
    }
    out.push('>');
    if let Some(title) = &info.title {
        out.push_str("<figcaption class=\"code-title\">");
        escape_into(&mut out, title);
        out.push_str("</figcaption>");
    }
    out.push_str("<div class=\"code-body\"><pre class=\"code\"");
    // A long block scrolls: let keyboard users reach it (axe's scrollable-region-focusable).
    out.push_str(" tabindex=\"0\"><code");
    if !lang.is_empty() {
        out.push_str(" class=\"language-");
        escape_attr_into(&mut out, lang);
        out.push('"');
    }
    out.push('>');
    let marked = |n: u64| info.hl_lines.iter().any(|r| r.contains(&n));
    for (i, line) in lines.iter().enumerate() {
        let n = start.saturating_add(i as u64);
        let mark = marked(n);
        out.push_str(if mark {
            "<mark class=\"line hl-line\">"
        } else {
            "<span class=\"line\">"
        });
        if linenos {
            let _ = write!(
                out,
                "<span class=\"ln\" aria-hidden=\"true\" data-n=\"{n}\"></span>"
            );
        }
        out.push_str(line);
        out.push('\n');
        out.push_str(if mark { "</mark>" } else { "</span>" });
    }
    out.push_str("</code></pre>");
    if copy_button {
        // Hidden until code-copy.js wires it: without JavaScript there is no dead button.
        out.push_str(
            "<button type=\"button\" class=\"code-copy\" aria-label=\"Copy code\" hidden>Copy</button>",
        );
    }
    out.push_str("</div>");
    out.push_str(close);
    out.push('\n');
    out
}

/// Escapes text for an element: `&`, `<`, `>`, and control characters, which become their
/// visible Control Pictures (U+2400...) so that no page or feed carries a raw control byte.
pub(super) fn escape_into(out: &mut String, s: &str) {
    let mut from = 0;
    for (i, c) in s.char_indices() {
        let rep: Option<Cow<str>> = match c {
            '&' => Some("&amp;".into()),
            '<' => Some("&lt;".into()),
            '>' => Some("&gt;".into()),
            '\t' => None,
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).map(|p| p.to_string().into()),
            '\u{7f}' => Some("\u{2421}".into()),
            _ => None,
        };
        if let Some(rep) = rep {
            out.push_str(&s[from..i]);
            out.push_str(&rep);
            from = i + c.len_utf8();
        }
    }
    out.push_str(&s[from..]);
}

pub(super) fn escape_attr_into(out: &mut String, s: &str) {
    let mut text = String::new();
    escape_into(&mut text, s);
    out.push_str(&text.replace('"', "&quot;").replace('\'', "&#39;"));
}
