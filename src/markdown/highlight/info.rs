//! Info strings of fenced code blocks: the language (first word before a comma or space, with
//! aliases), `title`, `linenos`, `linenostart`, `hl_lines`, `hidelines`, rustdoc and mdBook
//! flags, Pandoc braces; every problem is a warning with a fix, never an error.

use super::*;

/// rustdoc's code-block attributes: a block whose first word is one of these is Rust, as in
/// rustdoc (```` ```ignore ````).
pub(super) const RUSTDOC_FLAGS: &[&str] = &[
    "ignore",
    "should_panic",
    "no_run",
    "compile_fail",
    "test_harness",
    "standalone_crate",
    "edition2015",
    "edition2018",
    "edition2021",
    "edition2024",
];

pub(super) const KNOWN_KEYS: &[&str] =
    &["title", "linenos", "linenostart", "hl_lines", "hidelines"];

/// Plain-text names: no highlighting and no warning.
pub(super) const PLAIN: &[&str] = &[
    "text",
    "plain",
    "plaintext",
    "txt",
    "none",
    "output",
    "nohighlight",
];

/// The languages that documentation uses most, preferred in "did you mean" hints.
pub(super) const COMMON: &[&str] = &[
    "rust",
    "toml",
    "yaml",
    "json",
    "bash",
    "sh",
    "console",
    "python",
    "javascript",
    "typescript",
    "html",
    "css",
    "go",
    "c",
    "cpp",
    "java",
    "kotlin",
    "swift",
    "sql",
    "diff",
    "dockerfile",
    "makefile",
    "markdown",
    "xml",
    "ini",
    "powershell",
    "ruby",
    "php",
    "lua",
    "haskell",
    "elixir",
    "zig",
    "text",
];

/// Shell sessions: prompts, commands highlighted as Bash, output as plain text.
pub(super) const CONSOLE: &[&str] = &[
    "console",
    "shell-session",
    "shellsession",
    "sh-session",
    "terminal",
    "session",
];

/// Names that syntect's grammars do not answer to, and what they mean.
pub(super) const ALIASES: &[(&str, &str)] = &[
    ("shell", "bash"),
    ("zsh", "bash"),
    ("ksh", "bash"),
    ("pwsh", "ps1"),
    ("powershell", "ps1"),
    ("ps", "ps1"),
    ("docker", "dockerfile"),
    ("containerfile", "dockerfile"),
    ("csharp", "cs"),
    ("c#", "cs"),
    ("jsonc", "json"),
    ("json5", "json"),
    ("jsonl", "json"),
    ("golang", "go"),
    ("kts", "kt"),
    ("objc", "objective-c"),
    ("mjs", "js"),
    ("cjs", "js"),
    ("node", "js"),
    ("htm", "html"),
    ("xhtml", "html"),
    ("svg", "xml"),
    ("cfg", "ini"),
    ("conf", "ini"),
    ("mk", "makefile"),
    ("elisp", "lisp"),
    ("sqlite", "sql"),
    ("postgres", "sql"),
    ("postgresql", "sql"),
    ("mysql", "sql"),
    ("hcl", "terraform"),
    ("tf", "terraform"),
    ("exs", "ex"),
    ("yml", "yaml"),
    ("vim", "viml"),
];

impl CodeInfo {
    /// Parses an info string. Never fails: problems are kept in [`CodeInfo::problems`].
    ///
    /// The language is the first word, up to a comma or white space (`rust,ignore`,
    /// `rust ignore`); the rest are `key=value` attributes (values may be quoted with `"` or
    /// `'`) and bare flags, separated by commas or spaces. Pandoc's `{.rust title="x"}` also
    /// works.
    pub fn parse(info: &str) -> CodeInfo {
        let mut out = CodeInfo::default();
        let mut s = info.trim();
        let braced = s.len() >= 2 && s.starts_with('{') && s.ends_with('}');
        if braced {
            s = s[1..s.len() - 1].trim();
        }
        let mut tokens = tokenize(s, &mut out.problems).into_iter().peekable();
        if !braced && let Some(Token::Bare(first)) = tokens.peek() {
            let first = first.to_lowercase();
            tokens.next();
            if RUSTDOC_FLAGS.contains(&first.as_str()) {
                out.lang = Some("rust".to_string());
                out.flags.push(first);
            } else {
                out.lang = Some(first);
            }
        }
        let mut last_was_hl_lines = false;
        for token in tokens {
            match token {
                Token::Bare(word) => {
                    if braced && let Some(class) = word.strip_prefix('.') {
                        if out.lang.is_none() {
                            out.lang = Some(class.to_lowercase());
                        } else {
                            out.flags.push(class.to_string());
                        }
                        continue;
                    }
                    // Zola writes `hl_lines=1 3-5` without quotes: numbers that follow belong to it.
                    if last_was_hl_lines && looks_like_line_spec(&word) {
                        out.hl_lines
                            .extend(parse_hl_lines(&word, &mut out.problems));
                        continue;
                    }
                    last_was_hl_lines = false;
                    match word.as_str() {
                        "linenos" => out.linenos = Some(true),
                        "hl_lines" | "title" | "linenostart" | "hidelines" => {
                            out.problems.push(Warning::new(
                                format!("code block attribute `{word}` has no value"),
                                format!("write it as `{word}=\"...\"`, e.g. {}", example(&word)),
                            ))
                        }
                        _ => out.flags.push(word),
                    }
                }
                Token::Pair(key, value) => {
                    last_was_hl_lines = key == "hl_lines";
                    out.set(&key, value);
                }
            }
        }
        out
    }

    fn set(&mut self, key: &str, value: String) {
        match key {
            "title" => {
                let t = value.trim();
                if t.is_empty() {
                    self.problems.push(Warning::new(
                        "code block title is empty",
                        "write the file name or caption: title=\"src/main.rs\"",
                    ));
                } else {
                    self.title = Some(t.to_string());
                }
            }
            "linenos" => match value.to_ascii_lowercase().as_str() {
                // Hugo's `table` and `inline` both mean "show them" here.
                "true" | "yes" | "on" | "1" | "table" | "inline" | "" => self.linenos = Some(true),
                "false" | "no" | "off" | "0" => self.linenos = Some(false),
                other => self.problems.push(Warning::new(
                    format!("`linenos={other}` is neither true nor false"),
                    "write `linenos` (or `linenos=true`) to number the lines, `linenos=false` to not",
                )),
            },
            "linenostart" => match value.trim().parse::<u64>() {
                Ok(n) if (1..=MAX_LINE_NUMBER).contains(&n) => self.linenostart = Some(n),
                _ => self.problems.push(Warning::new(
                    format!("`linenostart={value}` is not a line number"),
                    format!("write the first line's number, from 1 to {MAX_LINE_NUMBER}: linenostart=10"),
                )),
            },
            "hl_lines" => {
                let parsed = parse_hl_lines(&value, &mut self.problems);
                self.hl_lines.extend(parsed);
            }
            "hidelines" => {
                let v = value.trim();
                if v.is_empty() {
                    self.problems.push(Warning::new(
                        "`hidelines` needs a prefix or `false`",
                        "write hidelines=false to show every line, or hidelines=\"!!!\" to hide lines starting with `!!!`",
                    ));
                } else if v.eq_ignore_ascii_case("false") || v.eq_ignore_ascii_case("off") {
                    self.hidelines = Some(HideLines::Off);
                } else {
                    self.hidelines = Some(HideLines::Prefix(v.to_string()));
                }
            }
            _ => {
                let near = KNOWN_KEYS
                    .iter()
                    .map(|k| (strsim::levenshtein(k, key), *k))
                    .min()
                    .filter(|(d, _)| *d <= 3);
                let hint = match near {
                    Some((_, k)) => format!("did you mean `{k}`? (known: {})", KNOWN_KEYS.join(", ")),
                    None => format!("known attributes: {}", KNOWN_KEYS.join(", ")),
                };
                self.problems.push(Warning::new(
                    format!("unknown code block attribute `{key}`"),
                    hint,
                ));
                self.attrs.push((key.to_string(), value));
            }
        }
    }
}

/// Line numbers beyond this are refused: no real block is that long, and it keeps sums small.
pub(super) const MAX_LINE_NUMBER: u64 = 1_000_000_000;

pub(super) fn example(key: &str) -> &'static str {
    match key {
        "hl_lines" => "hl_lines=\"2 4-6\"",
        "title" => "title=\"src/main.rs\"",
        "linenostart" => "linenostart=10",
        _ => "hidelines=false",
    }
}

pub(super) enum Token {
    Bare(String),
    Pair(String, String),
}

/// Splits an info string's attributes at commas and white space outside quotes.
pub(super) fn tokenize(s: &str, problems: &mut Vec<Warning>) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = s.char_indices().peekable();
    let is_sep = |c: char| c == ',' || c.is_whitespace();
    while let Some(&(start, c)) = chars.peek() {
        if is_sep(c) {
            chars.next();
            continue;
        }
        // A word, up to a separator or `=`.
        let mut end = start;
        while let Some(&(i, c)) = chars.peek() {
            if is_sep(c) || c == '=' {
                break;
            }
            end = i + c.len_utf8();
            chars.next();
        }
        let word = s[start..end].to_string();
        if let Some(&(_, '=')) = chars.peek() {
            chars.next();
            let value = match chars.peek() {
                Some(&(i, q @ ('"' | '\''))) => {
                    chars.next();
                    let vstart = i + 1;
                    let mut vend = None;
                    for (j, c) in chars.by_ref() {
                        if c == q {
                            vend = Some(j);
                            break;
                        }
                    }
                    match vend {
                        Some(j) => s[vstart..j].to_string(),
                        None => {
                            problems.push(Warning::new(
                                format!("the value of `{word}` has no closing {q}"),
                                format!("close the quote: {word}={q}...{q}"),
                            ));
                            s[vstart..].to_string()
                        }
                    }
                }
                Some(&(i, _)) => {
                    let mut vend = i;
                    while let Some(&(j, c)) = chars.peek() {
                        if is_sep(c) {
                            break;
                        }
                        vend = j + c.len_utf8();
                        chars.next();
                    }
                    s[i..vend].to_string()
                }
                None => String::new(),
            };
            if word.is_empty() {
                problems.push(Warning::new(
                    format!("code block attribute `={value}` has no name"),
                    "write name=value, e.g. title=\"app.py\"",
                ));
            } else {
                tokens.push(Token::Pair(word.to_ascii_lowercase(), value));
            }
        } else if !word.is_empty() {
            tokens.push(Token::Bare(word));
        }
    }
    tokens
}

pub(super) fn looks_like_line_spec(word: &str) -> bool {
    !word.is_empty() && word.chars().all(|c| c.is_ascii_digit() || c == '-')
}

/// `"2 4-6"` (also with commas) into ranges. Bad parts are skipped with a warning each.
pub(super) fn parse_hl_lines(value: &str, problems: &mut Vec<Warning>) -> Vec<RangeInclusive<u64>> {
    const HOW: &str = "list line numbers and ranges, separated by spaces: hl_lines=\"2 4-6\"";
    let mut out = Vec::new();
    let parts: Vec<&str> = value
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        problems.push(Warning::new("`hl_lines` is empty", HOW));
    }
    for part in parts {
        let number = |s: &str| -> Option<u64> {
            let n = s.trim().parse::<u64>().ok()?;
            (1..=MAX_LINE_NUMBER).contains(&n).then_some(n)
        };
        let parsed = match part.split_once('-') {
            Some((a, b)) => number(a).zip(number(b)),
            None => number(part).map(|n| (n, n)),
        };
        match parsed {
            Some((a, b)) if a <= b => out.push(a..=b),
            Some((a, b)) => {
                problems.push(Warning::new(
                    format!("`hl_lines` range `{part}` runs backwards"),
                    format!("write it as `{b}-{a}`"),
                ));
                out.push(b..=a);
            }
            None => problems.push(Warning::new(
                format!("`hl_lines` has `{part}`, which is not a line number or range"),
                format!("{HOW}; lines count from 1"),
            )),
        }
    }
    out
}

// ---- Token classes ------------------------------------------------------------------------

/// The CSS classes and the scope selectors they stand for, in class-number order. Number 0 is
/// "no span". Where two selectors match, syntect's TextMate scoring picks the more specific,
/// so `keyword.operator.word` (Python's `and`) beats `keyword.operator`.
pub const CLASSES: &[(&str, &str)] = &[
    ("", ""),
    ("hl-comment", "comment, punctuation.definition.comment"),
    (
        "hl-keyword",
        "keyword, storage.type, storage.modifier, variable.language, keyword.operator.word, \
         keyword.operator.logical.python, keyword.operator.comparison.python, \
         keyword.operator.new, keyword.operator.expression, keyword.operator.sizeof, \
         support.function.builtin.shell, keyword.control.import",
    ),
    (
        "hl-operator",
        "keyword.operator, punctuation.separator.key-value",
    ),
    (
        "hl-string",
        "string, markup.raw, constant.character - constant.character.escape",
    ),
    (
        "hl-escape",
        "constant.character.escape, constant.other.placeholder, string.regexp, \
         punctuation.section.interpolation, meta.interpolation punctuation",
    ),
    ("hl-number", "constant.numeric"),
    (
        "hl-constant",
        "constant.language, constant.other, support.constant, entity.name.constant, \
         variable.other.constant, constant.character.entity",
    ),
    (
        "hl-function",
        "entity.name.function, support.function, variable.function, \
         meta.function-call.identifier, entity.name.command",
    ),
    (
        "hl-type",
        "entity.name.type, entity.name.class, entity.name.struct, entity.name.enum, \
         entity.name.union, entity.name.trait, entity.name.impl, entity.name.interface, \
         support.type, support.class, entity.other.inherited-class, storage.type.numeric, \
         storage.type.primitive, entity.name.namespace, storage.type.haskell",
    ),
    (
        "hl-macro",
        "support.macro, entity.name.macro, meta.preprocessor, meta.preprocessor keyword, \
         meta.annotation, storage.type.annotation, meta.decorator, \
         entity.name.function.decorator, punctuation.definition.annotation",
    ),
    (
        "hl-attribute",
        "entity.other.attribute-name, support.type.property-name.css",
    ),
    (
        "hl-lifetime",
        "storage.modifier.lifetime, entity.name.label",
    ),
    (
        "hl-variable",
        "variable.parameter, variable.other.readwrite.shell, variable.language.shell, \
         variable.other.normal.shell, punctuation.definition.variable, variable.other.php, \
         variable.other.ruby, variable.other.readwrite.instance, variable.other.env, \
         variable.language.automatic",
    ),
    (
        "hl-property",
        "entity.name.tag.toml, entity.name.tag.yaml, meta.mapping.key string, \
         support.type.property-name, meta.object-literal.key, keyword.other.definition.ini, \
         entity.name.key, variable.other.key, keyword.name.ini",
    ),
    ("hl-tag", "entity.name.tag, meta.tag.sgml.doctype"),
    (
        "hl-heading",
        "markup.heading, entity.name.section, entity.name.table, meta.diff.header, \
         meta.diff.range, meta.diff.index, meta.separator.diff, entity.section.ini",
    ),
    ("hl-inserted", "markup.inserted"),
    ("hl-deleted", "markup.deleted"),
    ("hl-changed", "markup.changed"),
    ("hl-strong", "markup.bold"),
    ("hl-emphasis", "markup.italic"),
    (
        "hl-link",
        "markup.underline.link, string.other.link, meta.link.reference.def",
    ),
];

/// Console sessions add two classes of their own (no grammar has them).
pub const PROMPT_CLASS: &str = "hl-prompt";
pub const OUTPUT_CLASS: &str = "hl-output";
