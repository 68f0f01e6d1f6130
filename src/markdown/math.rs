//! Math (issue 13): `$...$` and `$$...$$`, parsed by pulldown-cmark's math option, become
//! MathML at build time with [`pulldown_latex`], so formulas render in every current browser
//! with no JavaScript and no font download (the theme's `rich.css` asks for the system's math
//! font). A formula pulldown-latex cannot parse is an error at the formula, with its message.
//!
//! Off by default, so that a `$` in prose stays a dollar: `math: true` in site.yaml or in a
//! page's front matter turns it on (front matter wins either way). The event loop calls
//! [`mathml`] on every event; only math events change.

use pulldown_cmark::{CowStr, Event};
use pulldown_latex::config::DisplayMode;
use pulldown_latex::{Parser, RenderConfig, Storage, push_mathml};

/// The most commands (`\\x`) and groups (`{`) one formula may have.
const MAX_COMMANDS: usize = 1500;

/// Why a formula could not be converted.
pub(super) struct Invalid {
    pub message: String,
    pub hint: String,
}

/// A math event as MathML (inline HTML); any other event as it is. A formula that does not
/// parse comes back as it was, with the reason.
pub(super) fn mathml(event: Event<'_>) -> (Event<'_>, Option<Invalid>) {
    let (tex, display) = match &event {
        Event::InlineMath(t) => (t, false),
        Event::DisplayMath(t) => (t, true),
        _ => return (event, None),
    };
    match convert(tex, display) {
        Ok(html) => (Event::InlineHtml(CowStr::from(html)), None),
        Err(why) => (event, Some(why)),
    }
}

/// `<math>` for one formula, wrapped in a span the theme styles (a display formula scrolls
/// sideways on a narrow screen instead of overflowing the page).
fn convert(tex: &str, display: bool) -> Result<String, Invalid> {
    // Each level of nesting needs a command or a group; pulldown-latex recurses per level, so
    // a bound on both keeps any formula within a thread's stack (4,000 levels overflow 2 MB).
    let nesting = tex.bytes().filter(|b| matches!(b, b'\\' | b'{')).count();
    if nesting > MAX_COMMANDS {
        return Err(Invalid {
            message: format!(
                "formula too large: {nesting} commands and groups, more than {MAX_COMMANDS}"
            ),
            hint: "split it into several formulas".into(),
        });
    }
    let storage = Storage::new();
    let mut first_error: Option<String> = None;
    let mut out = String::with_capacity(tex.len() * 8 + 64);
    out.push_str(if display {
        "<span class=\"math math-display\">"
    } else {
        "<span class=\"math math-inline\">"
    });
    let config = RenderConfig {
        display_mode: if display {
            DisplayMode::Block
        } else {
            DisplayMode::Inline
        },
        // Our own annotation is added after `sanitize` (pulldown-latex writes it unescaped).
        annotation: None,
        ..RenderConfig::default()
    };
    // pulldown-latex renders a parse error into the MathML and goes on; we want the first
    // one as a located build error instead. Never let a converter bug take the build down.
    let mut math = String::with_capacity(tex.len() * 8 + 64);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let events = Parser::new(tex, &storage).inspect(|e| {
            if let Err(e) = e
                && first_error.is_none()
            {
                first_error = Some(e.to_string());
            }
        });
        push_mathml(&mut math, events, config)
    }));
    match result {
        Ok(Ok(())) if first_error.is_none() => {
            // `<math display="...">BODY</math>`, with the LaTeX kept beside it (not shown):
            // copy-paste and tools can read it.
            let math = sanitize(&math);
            let open_end = math.find('>').map_or(0, |i| i + 1);
            let body = math[open_end..].strip_suffix("</math>").unwrap_or("");
            out.push_str(&math[..open_end]);
            out.push_str("<semantics><mrow>");
            out.push_str(body);
            out.push_str("</mrow><annotation encoding=\"application/x-tex\">");
            out.push_str(&super::escape_attr(tex));
            out.push_str("</annotation></semantics></math></span>");
            Ok(out)
        }
        Ok(Ok(())) => Err(invalid(first_error.as_deref().unwrap_or(""))),
        Ok(Err(e)) => Err(Invalid {
            message: format!("cannot convert this formula to MathML: {e}"),
            hint: "simplify the formula; see pulldown-latex's list of supported commands".into(),
        }),
        Err(_) => Err(Invalid {
            message: "cannot convert this formula to MathML: the converter failed".into(),
            hint: "simplify the formula, or write it without `$` delimiters".into(),
        }),
    }
}

/// MathML elements and attributes pulldown-latex writes. Anything else that looks like a tag
/// came from the formula's own text (`\\operatorname{<b>}` is written as it is): escaped.
const ELEMENTS: &[&str] = &[
    "math",
    "semantics",
    "annotation",
    "mrow",
    "mi",
    "mn",
    "mo",
    "ms",
    "mtext",
    "mspace",
    "msub",
    "msup",
    "msubsup",
    "munder",
    "mover",
    "munderover",
    "mmultiscripts",
    "mprescripts",
    "none",
    "mfrac",
    "msqrt",
    "mroot",
    "mtable",
    "mtr",
    "mtd",
    "mstyle",
    "mpadded",
    "mphantom",
    "menclose",
];
const ATTRIBUTES: &[&str] = &[
    "display",
    "class",
    "mathvariant",
    "stretchy",
    "symmetric",
    "minsize",
    "maxsize",
    "largeop",
    "movablelimits",
    "linethickness",
    "width",
    "height",
    "depth",
    "displaystyle",
    "scriptlevel",
    "lspace",
    "rspace",
    "form",
    "accent",
    "accentunder",
    "fence",
    "separator",
    "columnalign",
    "rowalign",
    "mathcolor",
    "mathbackground",
    "mathsize",
    "voffset",
    "notation",
];

/// Keeps the converter's tags (known elements, known attributes, quoted values without
/// markup) and escapes every other `<` and `&`, so no formula can put HTML into a page.
fn sanitize(mathml: &str) -> String {
    let mut out = String::with_capacity(mathml.len() + 16);
    let mut rest = mathml;
    while let Some(c) = rest.chars().next() {
        if c == '<'
            && let Some(len) = tag_len(rest)
        {
            out.push_str(&rest[..len]);
            rest = &rest[len..];
            continue;
        }
        match c {
            '<' => out.push_str("&lt;"),
            '&' if ["&lt;", "&gt;", "&amp;", "&quot;"]
                .iter()
                .any(|e| rest.starts_with(e)) =>
            {
                out.push('&')
            }
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The length of a well-formed tag of [`ELEMENTS`] at the start of `s`, if it is one.
fn tag_len(s: &str) -> Option<usize> {
    let end = s.find('>')?;
    let inner = s[1..end].strip_suffix('/').unwrap_or(&s[1..end]);
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(i) => (true, i),
        None => (false, inner),
    };
    let name_end = inner.find(' ').unwrap_or(inner.len());
    if !ELEMENTS.contains(&&inner[..name_end]) {
        return None;
    }
    let mut attrs = inner[name_end..].trim_start();
    if closing && !attrs.is_empty() {
        return None;
    }
    while !attrs.is_empty() {
        let (name, after) = attrs.split_once("=\"")?;
        let (value, after) = after.split_once('"')?;
        if !ATTRIBUTES.contains(&name) || value.contains(['<', '>', '&']) {
            return None;
        }
        attrs = after.trim_start();
    }
    Some(end + 1)
}

/// pulldown-latex's error, `parsing error: what\n╭─► context:\n│\n│ near\n│ ^^^\n╰──`, as a
/// message (what) and a hint (the text it points at).
fn invalid(error: &str) -> Invalid {
    let mut lines = error.lines();
    let what = lines
        .next()
        .unwrap_or("")
        .trim_start_matches("parsing error: ")
        .trim();
    // The first line of context that is text, not the frame or the carets.
    let near = lines
        .filter_map(|l| l.strip_prefix('│'))
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.chars().all(|c| c == '^'));
    let mut hint = String::new();
    if let Some(near) = near {
        hint.push_str(&format!("at `{near}`; "));
    }
    hint.push_str(
        "fix the LaTeX (math mode, as in `$x^2$` or `$$\\frac{a}{b}$$`), or write `\\$` for a dollar sign",
    );
    Invalid {
        message: format!("invalid LaTeX: {what}"),
        hint,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_mathml_with_their_source() {
        let html = convert("x^2", false).ok().unwrap();
        assert!(
            html.starts_with("<span class=\"math math-inline\"><math"),
            "{html}"
        );
        assert!(html.contains("<msup>"), "{html}");
        assert!(
            html.contains("<annotation encoding=\"application/x-tex\">x^2</annotation>"),
            "{html}"
        );
        let block = convert("\\frac{a}{b}", true).ok().unwrap();
        assert!(block.contains("display=\"block\""), "{block}");
        assert!(block.contains("<mfrac>"), "{block}");
    }

    #[test]
    fn markup_in_a_formula_is_escaped() {
        let html = convert("a < b \\text{<script>&}", false).ok().unwrap();
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("<mo>&lt;</mo>"), "{html}");
        assert!(
            html.contains("a &lt; b \\text{&lt;script&gt;&amp;}</annotation>"),
            "{html}"
        );
        let html = convert("\\operatorname{<img src=x onerror=alert(1)>}", false)
            .ok()
            .unwrap();
        assert!(!html.contains("<img"), "{html}");
        let html = convert("\\operatorname{<mi onclick=\"x\">}", false)
            .ok()
            .unwrap();
        assert!(!html.contains("<mi onclick"), "{html}");
        assert_eq!(
            sanitize("<mo stretchy=\"true\">&</mo>"),
            "<mo stretchy=\"true\">&amp;</mo>"
        );
    }

    #[test]
    fn a_formula_too_deep_for_the_stack_is_refused() {
        let tex = format!("{}x", "\\sqrt".repeat(4000));
        let why = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || convert(&tex, false).err().map(|w| w.message))
            .unwrap()
            .join()
            .unwrap();
        assert!(why.unwrap().starts_with("formula too large"));
    }

    #[test]
    fn bad_latex_gives_the_converters_message() {
        let why = convert("\\frac{a}{b", false).err().unwrap();
        assert!(
            why.message.starts_with("invalid LaTeX: "),
            "{}",
            why.message
        );
        assert!(why.hint.starts_with("at `\\frac{a}{b`; "), "{}", why.hint);
        assert!(convert("\\notacommand", false).is_err());
    }
}
