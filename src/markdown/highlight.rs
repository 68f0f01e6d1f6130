//! Fenced code blocks: the info string, build-time highlighting into CSS classes, titles, line
//! numbers, marked lines, Rust doc-test hidden lines, console sessions and the copy button's
//! markup (issue 12).
//!
//! What it owns: turning one block (its info string and its text) into the finished HTML and a
//! list of [`Warning`]s. It never fails and never panics on input: an unknown language, a bad
//! `hl_lines` or an oversized block is rendered as plain text with a warning that says how to
//! fix it.
//!
//! What it leaves to others: the Markdown event loop collects a fenced block's text between
//! `Start(Tag::CodeBlock(Fenced(info)))` and `End(TagEnd::CodeBlock)` and emits the returned
//! HTML as one `Event::Html`; it also turns each warning into a located `Diagnostic` (the
//! fence's file and line). The theme colours the classes (`highlight.css`) and wires the copy
//! button (`code-copy.js`); without that script the page reads the same, minus the button.
//!
//! How highlighting works: syntect parses each line with a Sublime Text grammar (syntect's and
//! bat's, through two-face) into scope stacks, and a fixed table ([`CLASSES`]) maps scope
//! selectors to a small set of class names (`hl-keyword`, `hl-string`, ...). The table is fed to
//! syntect as a "theme" whose colour values are class numbers, so syntect's own selector
//! scoring decides which class wins; no colour ever reaches the HTML. The grammars are loaded
//! once per [`Highlighter`] on first use and shared by every rayon thread.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};
use std::ops::RangeInclusive;
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};

use syntect::highlighting::{
    Color, HighlightIterator, HighlightState, Highlighter as ScopeHighlighter, ScopeSelectors,
    StyleModifier, Theme, ThemeItem, ThemeSettings,
};
use syntect::parsing::{ParseState, ScopeStack, SyntaxReference, SyntaxSet};

/// A problem with one code block. The caller locates it at the block's opening fence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

impl Warning {
    fn new(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Warning {
            message: message.into(),
            hint: hint.into(),
        }
    }
}

/// Site-wide settings for code blocks (site.yaml), which a block's info string can override.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HighlightOptions {
    /// Highlight at all; `false` renders every block as plain text (still with titles, line
    /// numbers, marked lines and the copy button).
    pub highlight: bool,
    /// Hide rustdoc's `# ` lines in Rust blocks.
    pub hide_rust_lines: bool,
    /// Number the lines of every block (a block can say `linenos` or `linenos=false`).
    pub line_numbers: bool,
    /// Emit the copy button's markup.
    pub copy_button: bool,
    /// A block longer than this (bytes) is shown as plain text with a warning.
    pub max_bytes: usize,
    /// A block with a line longer than this (bytes) is shown as plain text with a warning:
    /// minified code gains nothing from colours and costs the most to parse.
    pub max_line_bytes: usize,
}

impl Default for HighlightOptions {
    fn default() -> Self {
        HighlightOptions {
            highlight: true,
            hide_rust_lines: true,
            line_numbers: false,
            copy_button: true,
            max_bytes: 256 * 1024,
            max_line_bytes: 16 * 1024,
        }
    }
}

/// What a fenced block's info string says, parsed once: ```` ```rust,ignore title="main.rs" ````.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeInfo {
    /// The language as written, lower-cased (`rust`, `py`, `console`); `None` without one.
    pub lang: Option<String>,
    /// `title="app.py"`: shown as a caption above the block.
    pub title: Option<String>,
    /// `linenos` / `linenos=false`; `None` follows the site option.
    pub linenos: Option<bool>,
    /// `linenostart=N`: the first line's number (default 1).
    pub linenostart: Option<u64>,
    /// `hl_lines="2 4-6"`: the lines to mark, as numbered on the page.
    pub hl_lines: Vec<RangeInclusive<u64>>,
    /// `hidelines=false` turns Rust's hidden lines off for this block; `hidelines=PREFIX` hides
    /// the lines that start with PREFIX in any language (mdBook's syntax).
    pub hidelines: Option<HideLines>,
    /// Bare words after the language: rustdoc's and mdBook's `ignore`, `should_panic`,
    /// `no_run`, `compile_fail`, `edition2021`, ... Kept as `data-flags`, never in the class.
    pub flags: Vec<String>,
    /// Other `key=value` attributes, in order. Unknown keys also produce a warning.
    pub attrs: Vec<(String, String)>,
    /// Problems found in the info string; [`Highlighter::render_block`] returns them too.
    pub problems: Vec<Warning>,
}

/// A block's own choice about hidden lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HideLines {
    Off,
    Prefix(String),
}

/// rustdoc's code-block attributes: a block whose first word is one of these is Rust, as in
/// rustdoc (```` ```ignore ````).
const RUSTDOC_FLAGS: &[&str] = &[
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

const KNOWN_KEYS: &[&str] = &["title", "linenos", "linenostart", "hl_lines", "hidelines"];

/// Plain-text names: no highlighting and no warning.
const PLAIN: &[&str] = &[
    "text",
    "plain",
    "plaintext",
    "txt",
    "none",
    "output",
    "nohighlight",
];

/// The languages that documentation uses most, preferred in "did you mean" hints.
const COMMON: &[&str] = &[
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
const CONSOLE: &[&str] = &[
    "console",
    "shell-session",
    "shellsession",
    "sh-session",
    "terminal",
    "session",
];

/// Names that syntect's grammars do not answer to, and what they mean.
const ALIASES: &[(&str, &str)] = &[
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
const MAX_LINE_NUMBER: u64 = 1_000_000_000;

fn example(key: &str) -> &'static str {
    match key {
        "hl_lines" => "hl_lines=\"2 4-6\"",
        "title" => "title=\"src/main.rs\"",
        "linenostart" => "linenostart=10",
        _ => "hidelines=false",
    }
}

enum Token {
    Bare(String),
    Pair(String, String),
}

/// Splits an info string's attributes at commas and white space outside quotes.
fn tokenize(s: &str, problems: &mut Vec<Warning>) -> Vec<Token> {
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

fn looks_like_line_spec(word: &str) -> bool {
    !word.is_empty() && word.chars().all(|c| c.is_ascii_digit() || c == '-')
}

/// `"2 4-6"` (also with commas) into ranges. Bad parts are skipped with a warning each.
fn parse_hl_lines(value: &str, problems: &mut Vec<Warning>) -> Vec<RangeInclusive<u64>> {
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

fn class_theme() -> Theme {
    let mut scopes = Vec::new();
    for (i, (_, selectors)) in CLASSES.iter().enumerate().skip(1) {
        let scope = ScopeSelectors::from_str(selectors)
            .unwrap_or_else(|e| panic!("bad selector in CLASSES[{i}]: {e}"));
        scopes.push(ThemeItem {
            scope,
            style: StyleModifier {
                foreground: Some(class_color(i)),
                background: None,
                font_style: None,
            },
        });
    }
    Theme {
        name: Some("mekong classes".into()),
        author: None,
        settings: ThemeSettings {
            foreground: Some(class_color(0)),
            ..ThemeSettings::default()
        },
        scopes,
    }
}

fn class_color(i: usize) -> Color {
    Color {
        r: i as u8,
        g: 0,
        b: 0,
        a: 0xff,
    }
}

// ---- The highlighter --------------------------------------------------------------------------

/// The grammars, loaded on first use, and a cache of rendered blocks. One per process (or per
/// `serve` session, where the cache pays: a full rebuild re-renders every unchanged block);
/// it is `Sync`, so every rayon thread shares it.
pub struct Highlighter {
    syntaxes: OnceLock<SyntaxSet>,
    theme: OnceLock<Theme>,
    cache: Option<Mutex<Cache>>,
}

#[derive(Default)]
struct Cache {
    map: HashMap<u64, Vec<(CacheKey, Arc<str>)>>,
    bytes: usize,
}

#[derive(PartialEq, Eq)]
struct CacheKey {
    syntax: String,
    hide: Option<String>,
    code: String,
}

/// The cache stops growing past this many bytes of code and HTML.
const CACHE_BYTES: usize = 64 * 1024 * 1024;

impl Default for Highlighter {
    fn default() -> Self {
        Highlighter::new()
    }
}

/// How one block's lines are turned into HTML.
enum Mode<'s> {
    Plain,
    Syntax(&'s SyntaxReference),
    Console(&'s SyntaxReference),
}

/// One line of the block as the reader sees it: the text given to the grammar, and whether it
/// is shown.
struct SourceLine<'a> {
    code: Cow<'a, str>,
    visible: bool,
}

impl Highlighter {
    /// A highlighter with a cache of rendered blocks (for `serve`).
    pub fn new() -> Self {
        Highlighter {
            syntaxes: OnceLock::new(),
            theme: OnceLock::new(),
            cache: Some(Mutex::new(Cache::default())),
        }
    }

    /// A highlighter without a cache, for one-shot builds where no block is seen twice.
    pub fn without_cache() -> Self {
        Highlighter {
            cache: None,
            ..Highlighter::new()
        }
    }

    /// Empties the cache (the grammars stay loaded).
    pub fn clear_cache(&self) {
        if let Some(cache) = &self.cache
            && let Ok(mut c) = cache.lock()
        {
            *c = Cache::default();
        }
    }

    fn syntaxes(&self) -> &SyntaxSet {
        self.syntaxes.get_or_init(two_face::syntax::extra_newlines)
    }

    fn theme(&self) -> &Theme {
        self.theme.get_or_init(class_theme)
    }

    /// The grammar for a language name (lower-case), after mekong's aliases.
    fn find(&self, lang: &str) -> Option<&SyntaxReference> {
        let ss = self.syntaxes();
        let token = ALIASES
            .iter()
            .find(|(a, _)| *a == lang)
            .map_or(lang, |(_, to)| to);
        ss.find_syntax_by_token(token).or_else(|| {
            ss.syntaxes()
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(token))
        })
    }

    /// Whether `lang` is highlighted (a grammar, an alias, or a console session), is plain text
    /// on purpose, or is unknown.
    pub fn knows(&self, lang: &str) -> bool {
        let lang = lang.to_lowercase();
        PLAIN.contains(&lang.as_str())
            || CONSOLE.contains(&lang.as_str())
            || self.find(&lang).is_some()
    }

    /// Every language name a block may use, sorted: grammar names and extensions, aliases,
    /// plain and console names.
    pub fn language_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for s in self.syntaxes().syntaxes() {
            if s.hidden {
                continue;
            }
            names.push(s.name.to_lowercase());
            names.extend(s.file_extensions.iter().map(|e| e.to_lowercase()));
        }
        names.extend(ALIASES.iter().map(|(a, _)| a.to_string()));
        names.extend(PLAIN.iter().chain(CONSOLE).map(|s| s.to_string()));
        names.sort();
        names.dedup();
        names
    }

    /// Renders one fenced block. `code` is the block's text as pulldown-cmark gives it (each
    /// line ending in `\n`). Returns the HTML and every warning, those of the info string
    /// first.
    pub fn render_block(
        &self,
        info: &CodeInfo,
        code: &str,
        opts: &HighlightOptions,
    ) -> (String, Vec<Warning>) {
        let mut warnings = info.problems.clone();
        let lang = info.lang.as_deref().unwrap_or("");

        // Which lines are hidden, and the text each line gives the grammar.
        let mut mode = self.mode(lang, opts, &mut warnings);
        let is_rust = matches!(mode, Mode::Syntax(s) if s.name == "Rust");
        let hide: Option<Cow<str>> = match &info.hidelines {
            Some(HideLines::Off) => None,
            Some(HideLines::Prefix(p)) => Some(Cow::Borrowed(p.as_str())),
            None if is_rust && opts.hide_rust_lines => Some(Cow::Borrowed("#")),
            None => None,
        };
        let lines = split_lines(code, hide.as_deref(), is_rust && info.hidelines.is_none());

        // Oversized input is shown as it is: bounded time whatever the grammar does.
        if !matches!(mode, Mode::Plain) {
            let longest = lines.iter().map(|l| l.code.len()).max().unwrap_or(0);
            if code.len() > opts.max_bytes {
                warnings.push(Warning::new(
                    format!(
                        "code block of {} KiB is not highlighted (the limit is {} KiB)",
                        code.len() / 1024,
                        opts.max_bytes / 1024
                    ),
                    "split it into smaller blocks, or mark it ```text to skip highlighting",
                ));
                mode = Mode::Plain;
            } else if longest > opts.max_line_bytes {
                warnings.push(Warning::new(
                    format!(
                        "code block has a line of {} KiB and is not highlighted (the limit is {} KiB a line)",
                        longest / 1024,
                        opts.max_line_bytes / 1024
                    ),
                    "break the long line (minified code?), or mark the block ```text",
                ));
                mode = Mode::Plain;
            }
        }

        let body = match mode {
            Mode::Plain => Arc::from(plain_lines(&lines).join("\u{0}")),
            Mode::Syntax(syntax) | Mode::Console(syntax) => {
                let console = matches!(mode, Mode::Console(_));
                match self.cached_lines(syntax, console, hide.as_deref(), code, &lines) {
                    Ok(html) => html,
                    Err(why) => {
                        warnings.push(Warning::new(
                            format!("code block could not be highlighted ({why}); it is shown as plain text"),
                            "mark the block ```text to silence this, and report the block to mekong",
                        ));
                        Arc::from(plain_lines(&lines).join("\u{0}"))
                    }
                }
            }
        };
        let visible: Vec<&str> = if body.is_empty() && lines.iter().all(|l| !l.visible) {
            Vec::new()
        } else {
            body.split('\u{0}').collect()
        };

        // Line numbers and marked lines count the lines as shown.
        let start = info.linenostart.unwrap_or(1);
        let last = start + (visible.len() as u64).saturating_sub(1);
        for r in &info.hl_lines {
            if visible.is_empty() || *r.end() > last || *r.start() < start {
                let shown = if visible.is_empty() {
                    "it has no lines".to_string()
                } else {
                    format!("its lines are numbered {start} to {last}")
                };
                warnings.push(Warning::new(
                    format!(
                        "`hl_lines` marks line {}, outside this block ({shown})",
                        if *r.end() > last { r.end() } else { r.start() },
                    ),
                    "count the lines as they are shown (hidden lines do not count, `linenostart` shifts the numbers)",
                ));
            }
        }
        let linenos = info.linenos.unwrap_or(opts.line_numbers);
        let html = assemble(info, lang, &visible, start, linenos, opts.copy_button);
        (html, warnings)
    }

    fn mode(&self, lang: &str, opts: &HighlightOptions, warnings: &mut Vec<Warning>) -> Mode<'_> {
        if lang.is_empty() || PLAIN.contains(&lang) || !opts.highlight {
            return Mode::Plain;
        }
        if CONSOLE.contains(&lang) {
            return match self.find("bash") {
                Some(s) => Mode::Console(s),
                None => Mode::Plain,
            };
        }
        match self.find(lang) {
            Some(s) => Mode::Syntax(s),
            None => {
                // The languages documentation uses come first: `rsut` means `rust`, not `rst`.
                let nearest = |names: &mut dyn Iterator<Item = String>| {
                    names
                        .map(|n| (strsim::osa_distance(&n, lang), n))
                        .filter(|(d, n)| *d <= 2 && *d < n.len())
                        .min()
                };
                let near = nearest(&mut COMMON.iter().map(|s| s.to_string()))
                    .or_else(|| nearest(&mut self.language_names().into_iter()));
                let hint = match near {
                    Some((_, n)) => format!("did you mean `{n}`? Write ```text for plain text"),
                    None => "name a known language (rust, toml, python, console, ...) or write ```text for plain text".to_string(),
                };
                warnings.push(Warning::new(
                    format!("unknown language `{lang}` in a code block; it is shown as plain text"),
                    hint,
                ));
                Mode::Plain
            }
        }
    }

    /// The highlighted HTML of the visible lines, joined by NUL (which never occurs in the
    /// HTML: control characters are escaped). Looked up in the cache first.
    fn cached_lines(
        &self,
        syntax: &SyntaxReference,
        console: bool,
        hide: Option<&str>,
        code: &str,
        lines: &[SourceLine],
    ) -> Result<Arc<str>, String> {
        let Some(cache) = &self.cache else {
            return self.highlight_lines(syntax, console, lines).map(Arc::from);
        };
        let key = CacheKey {
            syntax: if console {
                format!("console:{}", syntax.name)
            } else {
                syntax.name.clone()
            },
            hide: hide.map(str::to_string),
            code: code.to_string(),
        };
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        key.syntax.hash(&mut hasher);
        key.hide.hash(&mut hasher);
        key.code.hash(&mut hasher);
        let hash = hasher.finish();
        if let Ok(c) = cache.lock()
            && let Some(bucket) = c.map.get(&hash)
            && let Some((_, html)) = bucket.iter().find(|(k, _)| *k == key)
        {
            return Ok(html.clone());
        }
        let html: Arc<str> = Arc::from(self.highlight_lines(syntax, console, lines)?);
        if let Ok(mut c) = cache.lock() {
            let size = key.code.len() + html.len();
            if c.bytes + size <= CACHE_BYTES {
                c.bytes += size;
                c.map.entry(hash).or_default().push((key, html.clone()));
            }
        }
        Ok(html)
    }

    /// Runs the grammar over every line (hidden ones too: they change what follows) and
    /// returns the visible lines' HTML, joined by NUL. A panic inside syntect becomes an error.
    fn highlight_lines(
        &self,
        syntax: &SyntaxReference,
        console: bool,
        lines: &[SourceLine],
    ) -> Result<String, String> {
        let ss = self.syntaxes();
        let theme = self.theme();
        let run = || -> Result<String, String> {
            let hl = ScopeHighlighter::new(theme);
            let mut parse = ParseState::new(syntax);
            let mut state = HighlightState::new(&hl, ScopeStack::new());
            let mut out = String::with_capacity(lines.iter().map(|l| l.code.len() * 3).sum());
            let mut line_buf = String::new();
            let mut first = true;
            let mut continued = false;
            for line in lines {
                if line.visible {
                    if !first {
                        out.push('\u{0}');
                    }
                    first = false;
                }
                let mut code: &str = &line.code;
                if console {
                    // A prompt starts a command; so does the line after one ending in `\`.
                    let prompt = if continued { Some(0) } else { prompt_len(code) };
                    let Some(n) = prompt else {
                        if line.visible {
                            let _ = write!(out, "<span class=\"{OUTPUT_CLASS}\">");
                            escape_into(&mut out, code);
                            out.push_str("</span>");
                        }
                        continue;
                    };
                    if n > 0 && line.visible {
                        let _ = write!(out, "<span class=\"{PROMPT_CLASS}\">");
                        escape_into(&mut out, &code[..n]);
                        out.push_str("</span>");
                    }
                    code = &code[n..];
                    continued = code.trim_end().ends_with('\\');
                }
                line_buf.clear();
                line_buf.push_str(code);
                line_buf.push('\n');
                let ops = parse.parse_line(&line_buf, ss).map_err(|e| e.to_string())?;
                let iter = HighlightIterator::new(&mut state, &ops, &line_buf, &hl);
                if !line.visible {
                    iter.for_each(drop);
                    continue;
                }
                // Merge neighbouring runs of one class; leave the newline out (the caller
                // wraps each line).
                let mut run_class = 0usize;
                let mut run = String::new();
                for (style, text) in iter {
                    let text = text.strip_suffix('\n').unwrap_or(text);
                    if text.is_empty() {
                        continue;
                    }
                    let class = usize::from(style.foreground.r).min(CLASSES.len() - 1);
                    // White space takes the class of whatever it sits in, to save spans.
                    let blank = text.trim().is_empty();
                    if class != run_class && (run.is_empty() || !blank) {
                        push_run(&mut out, run_class, &run);
                        run.clear();
                        run_class = class;
                    }
                    run.push_str(text);
                }
                push_run(&mut out, run_class, &run);
            }
            Ok(out)
        };
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
            Ok(r) => r,
            Err(_) => Err("the highlighter panicked".to_string()),
        }
    }
}

/// The length of a shell prompt at the start of a console line (`$ `, `# `, `% `, `> `, `❯ `,
/// `user@host:~$ `, `PS C:\> `), or `None` for an output line.
fn prompt_len(line: &str) -> Option<usize> {
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

fn push_run(out: &mut String, class: usize, text: &str) {
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
fn split_lines<'a>(code: &'a str, hide: Option<&str>, rust_rules: bool) -> Vec<SourceLine<'a>> {
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

fn plain_lines(lines: &[SourceLine]) -> Vec<String> {
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
fn assemble(
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
fn escape_into(out: &mut String, s: &str) {
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

fn escape_attr_into(out: &mut String, s: &str) {
    let mut text = String::new();
    escape_into(&mut text, s);
    out.push_str(&text.replace('"', "&quot;").replace('\'', "&#39;"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn render(info: &str, code: &str) -> (String, Vec<Warning>) {
        render_with(info, code, &HighlightOptions::default())
    }

    fn render_with(info: &str, code: &str, opts: &HighlightOptions) -> (String, Vec<Warning>) {
        Highlighter::without_cache().render_block(&CodeInfo::parse(info), code, opts)
    }

    /// The text a reader sees in `<code>`: tags dropped, entities decoded.
    fn code_text(html: &str) -> String {
        let start = html.find("<code").expect("a <code> element");
        let start = start + html[start..].find('>').expect("end of <code>") + 1;
        let end = html.rfind("</code>").expect("</code>");
        let mut text = String::new();
        let mut in_tag = false;
        for c in html[start..end].chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    /// Checks that `html` is only the markup this module writes, balanced, with every `<`, `>`
    /// and `&` of the text escaped and no raw control character.
    fn assert_well_formed(html: &str) {
        const OPEN: &[&str] = &[
            "div",
            "figure",
            "figcaption",
            "pre",
            "code",
            "span",
            "mark",
            "button",
        ];
        let mut stack: Vec<&str> = Vec::new();
        let mut rest = html;
        while let Some(i) = rest.find(['<', '>', '&']) {
            let text = &rest[..i];
            assert!(
                !text
                    .chars()
                    .any(|c| c.is_control() && c != '\n' && c != '\t'),
                "raw control character in {html:?}"
            );
            rest = &rest[i..];
            if rest.starts_with('&') {
                let end = rest.find(';').expect("entity ends with ;");
                let entity = &rest[..=end];
                assert!(
                    ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"].contains(&entity),
                    "unexpected entity {entity} in {html:?}"
                );
                rest = &rest[end + 1..];
                continue;
            }
            assert!(rest.starts_with('<'), "raw > in text of {html:?}");
            let end = rest.find('>').expect("tag ends");
            let tag = &rest[1..end];
            assert!(!tag.contains('<'), "< inside a tag in {html:?}");
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop(), Some(name), "unbalanced </{name}> in {html:?}");
            } else {
                let name = tag.split([' ', '>']).next().unwrap_or("");
                assert!(OPEN.contains(&name), "unexpected tag <{tag}> in {html:?}");
                // Attribute values are quoted and hold no raw quote.
                assert_eq!(tag.matches('"').count() % 2, 0, "odd quotes in <{tag}>");
                stack.push(OPEN.iter().find(|n| **n == name).expect("known"));
            }
            rest = &rest[end + 1..];
        }
        assert!(stack.is_empty(), "unclosed {stack:?} in {html:?}");
    }

    fn classes(html: &str) -> Vec<&str> {
        let mut out: Vec<&str> = html
            .split("class=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .flat_map(|c| c.split(' '))
            .filter(|c| c.starts_with("hl-"))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    // ---- Info strings ----------------------------------------------------------------------

    #[test]
    fn parses_language_before_comma_or_space() {
        for info in [
            "rust,ignore",
            "rust ignore",
            "rust, ignore",
            "  rust\tignore  ",
            "Rust,ignore",
        ] {
            let i = CodeInfo::parse(info);
            assert_eq!(i.lang.as_deref(), Some("rust"), "{info}");
            assert_eq!(i.flags, ["ignore"], "{info}");
            assert!(i.problems.is_empty(), "{info}: {:?}", i.problems);
        }
        assert_eq!(CodeInfo::parse("").lang, None);
        assert_eq!(CodeInfo::parse("   ").lang, None);
    }

    #[test]
    fn parses_rustdoc_and_mdbook_flags() {
        let i =
            CodeInfo::parse("rust,should_panic,no_run,compile_fail,edition2021,does_not_compile");
        assert_eq!(
            i.flags,
            [
                "should_panic",
                "no_run",
                "compile_fail",
                "edition2021",
                "does_not_compile"
            ]
        );
        assert!(i.problems.is_empty());
        // rustdoc: a block that starts with a flag is Rust.
        let i = CodeInfo::parse("ignore");
        assert_eq!(i.lang.as_deref(), Some("rust"));
        assert_eq!(i.flags, ["ignore"]);
        let i = CodeInfo::parse("edition2024");
        assert_eq!(i.lang.as_deref(), Some("rust"));
    }

    #[test]
    fn parses_title_linenos_and_hl_lines() {
        let i = CodeInfo::parse(r#"python title="app.py" linenos hl_lines="2 4-6""#);
        assert_eq!(i.lang.as_deref(), Some("python"));
        assert_eq!(i.title.as_deref(), Some("app.py"));
        assert_eq!(i.linenos, Some(true));
        assert_eq!(i.hl_lines, vec![2..=2, 4..=6]);
        assert!(i.problems.is_empty(), "{:?}", i.problems);

        let i = CodeInfo::parse("rust,title='src/main.rs',linenos=false,linenostart=10,hl_lines=3");
        assert_eq!(i.title.as_deref(), Some("src/main.rs"));
        assert_eq!(i.linenos, Some(false));
        assert_eq!(i.linenostart, Some(10));
        assert_eq!(i.hl_lines, vec![3..=3]);

        // A title with spaces, commas and an `=` inside its quotes.
        let i = CodeInfo::parse(r#"toml title="a, b = c.toml""#);
        assert_eq!(i.title.as_deref(), Some("a, b = c.toml"));
    }

    #[test]
    fn parses_zola_unquoted_hl_lines_and_commas() {
        assert_eq!(
            CodeInfo::parse("rust,hl_lines=1 3-5 9").hl_lines,
            vec![1..=1, 3..=5, 9..=9]
        );
        assert_eq!(
            CodeInfo::parse(r#"rust hl_lines="1,3-5""#).hl_lines,
            vec![1..=1, 3..=5]
        );
        // A number after another attribute is a flag, not a line.
        assert_eq!(CodeInfo::parse("rust,linenos 7").flags, ["7"]);
    }

    #[test]
    fn parses_pandoc_braces() {
        let i = CodeInfo::parse(r#"{.python title="x.py" .numberLines}"#);
        assert_eq!(i.lang.as_deref(), Some("python"));
        assert_eq!(i.title.as_deref(), Some("x.py"));
        assert_eq!(i.flags, ["numberLines"]);
    }

    #[test]
    fn warns_on_bad_attributes_with_a_fix() {
        let i = CodeInfo::parse("rust hl_line=2");
        assert_eq!(i.problems.len(), 1);
        assert_eq!(
            i.problems[0].message,
            "unknown code block attribute `hl_line`"
        );
        assert!(
            i.problems[0].hint.starts_with("did you mean `hl_lines`?"),
            "{:?}",
            i.problems
        );
        assert_eq!(i.attrs, [("hl_line".to_string(), "2".to_string())]);

        let i = CodeInfo::parse(r#"rust title="open"#);
        assert_eq!(i.title.as_deref(), Some("open"));
        assert!(
            i.problems[0].message.contains("no closing \""),
            "{:?}",
            i.problems
        );

        for (info, needle) in [
            ("rust title=\"\"", "title is empty"),
            ("rust hl_lines", "has no value"),
            ("rust linenos=maybe", "neither true nor false"),
            ("rust linenostart=0", "not a line number"),
            ("rust linenostart=-3", "not a line number"),
            (
                "rust linenostart=99999999999999999999999",
                "not a line number",
            ),
            ("rust =x", "has no name"),
            ("rust hidelines=", "needs a prefix"),
        ] {
            let i = CodeInfo::parse(info);
            assert!(
                i.problems
                    .iter()
                    .any(|p| p.message.contains(needle) && !p.hint.is_empty()),
                "{info}: {:?}",
                i.problems
            );
        }
    }

    #[test]
    fn hl_lines_edge_cases_warn_and_never_panic() {
        let cases: &[(&str, &str, Vec<RangeInclusive<u64>>)] = &[
            ("x", "not a line number or range", vec![]),
            ("0", "not a line number or range", vec![]),
            ("-", "not a line number or range", vec![]),
            ("1-", "not a line number or range", vec![]),
            ("-3", "not a line number or range", vec![]),
            ("2-3-4", "not a line number or range", vec![]),
            ("18446744073709551616", "not a line number or range", vec![]),
            ("3-1", "runs backwards", vec![1..=3]),
            ("", "is empty", vec![]),
        ];
        for (spec, needle, ranges) in cases {
            let i = CodeInfo::parse(&format!("rust hl_lines=\"{spec}\""));
            assert_eq!(&i.hl_lines, ranges, "{spec}");
            assert!(
                i.problems
                    .iter()
                    .any(|p| p.message.contains(needle) && !p.hint.is_empty()),
                "{spec}: {:?}",
                i.problems
            );
        }
        // Past the end of the block: found when rendering.
        let (html, w) = render("text hl_lines=\"999999\"", "a\nb\n");
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(
            w[0].message,
            "`hl_lines` marks line 999999, outside this block (its lines are numbered 1 to 2)"
        );
        assert!(!html.contains("hl-line"));
        let (_, w) = render("text hl_lines=\"1-1000000000\"", "a\n");
        assert_eq!(w.len(), 1, "{w:?}");
        let (_, w) = render("text hl_lines=1", "");
        assert!(w[0].message.contains("it has no lines"), "{w:?}");
    }

    // ---- Languages ---------------------------------------------------------------------------

    /// One snippet per language the issue lists, every name a block may use for it, and the
    /// classes the snippet must produce.
    const SAMPLES: &[(&[&str], &str, &[&str])] = &[
        (
            &["rust", "rs"],
            "fn main() { let x: u8 = 1; } // c\n",
            &["hl-keyword", "hl-function", "hl-number", "hl-comment"],
        ),
        (
            &["toml"],
            "[package]\nname = \"x\" # c\n",
            &["hl-heading", "hl-property", "hl-string", "hl-comment"],
        ),
        (
            &["yaml", "yml"],
            "key: \"value\" # c\ncount: 3\n",
            &["hl-property", "hl-string", "hl-comment", "hl-number"],
        ),
        (
            &["json", "jsonc", "json5"],
            "{\"key\": [1, true, \"s\"]}\n",
            &["hl-property", "hl-number", "hl-constant", "hl-string"],
        ),
        (
            &["sh", "bash", "shell", "zsh"],
            "if [ -f \"$f\" ]; then echo hi; fi # c\n",
            &["hl-keyword", "hl-variable", "hl-string", "hl-comment"],
        ),
        (
            &["console", "shell-session", "terminal"],
            "$ ls -la\ntotal 0\n",
            &["hl-prompt", "hl-output", "hl-function"],
        ),
        (
            &["python", "py"],
            "def f(x):\n    return x and 'a'  # c\n",
            &["hl-keyword", "hl-function", "hl-string", "hl-comment"],
        ),
        (
            &["javascript", "js", "mjs"],
            "const f = (x) => x + 1; // c\n",
            &["hl-keyword", "hl-number", "hl-comment"],
        ),
        (
            &["typescript", "ts"],
            "function f(x: number): string { return 'a'; }\n",
            &["hl-keyword", "hl-function", "hl-type", "hl-string"],
        ),
        (
            &["html", "htm"],
            "<a href=\"/x\">t</a><!-- c -->\n",
            &["hl-tag", "hl-attribute", "hl-string", "hl-comment"],
        ),
        (
            &["css"],
            "a { color: #fff; } /* c */\n",
            &["hl-tag", "hl-attribute", "hl-constant", "hl-comment"],
        ),
        (
            &["go", "golang"],
            "func main() { x := 1 } // c\n",
            &["hl-keyword", "hl-function", "hl-number", "hl-comment"],
        ),
        (
            &["c", "h"],
            "#include <stdio.h>\nint main(void) { return 0; }\n",
            &["hl-keyword", "hl-string", "hl-function", "hl-number"],
        ),
        (
            &["cpp", "c++", "cxx"],
            "template <typename T> T f() { return 1; } // c\n",
            &["hl-keyword", "hl-function", "hl-number", "hl-comment"],
        ),
        (
            &["java"],
            "public class A { void f() { int x = 1; } }\n",
            &["hl-keyword", "hl-type", "hl-function", "hl-number"],
        ),
        (
            &["kotlin", "kt"],
            "fun main() { val x = \"s\" } // c\n",
            &["hl-keyword", "hl-function", "hl-string", "hl-comment"],
        ),
        (
            &["swift"],
            "func f() -> Int { let x = 1; return x } // c\n",
            &["hl-keyword", "hl-type", "hl-number", "hl-comment"],
        ),
        (
            &["sql"],
            "SELECT a FROM t WHERE b = 'x'; -- c\n",
            &["hl-keyword", "hl-string", "hl-comment"],
        ),
        (
            &["diff", "patch"],
            "--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new\n",
            &["hl-heading", "hl-deleted", "hl-inserted"],
        ),
        (
            &["dockerfile", "docker"],
            "FROM debian:12\n# c\nRUN echo hi\n",
            &["hl-keyword", "hl-comment"],
        ),
        (
            &["makefile", "make", "mk"],
            "all: main.o\n\tcc -o $@ $^ # c\n",
            &["hl-function", "hl-variable", "hl-comment"],
        ),
        (
            &["markdown", "md"],
            "# Title\n\n*em* **strong** `code` [l](http://x)\n",
            &[
                "hl-heading",
                "hl-emphasis",
                "hl-strong",
                "hl-string",
                "hl-link",
            ],
        ),
        (
            &["xml", "svg"],
            "<?xml version=\"1.0\"?><a b=\"c\"><!-- d --></a>\n",
            &["hl-tag", "hl-attribute", "hl-string", "hl-comment"],
        ),
        (
            &["ini", "cfg"],
            "[section]\nkey = value ; c\n",
            &["hl-heading", "hl-property", "hl-comment"],
        ),
        (
            &["powershell", "ps1", "pwsh"],
            "function Get-X { param($a) Write-Host \"hi\" } # c\n",
            &[
                "hl-keyword",
                "hl-function",
                "hl-variable",
                "hl-string",
                "hl-comment",
            ],
        ),
        (
            &["ruby", "rb"],
            "def f(x)\n  puts \"hi\" # c\nend\n",
            &["hl-keyword", "hl-function", "hl-string", "hl-comment"],
        ),
        (
            &["php"],
            "<?php function f($x) { return 'a'; } // c\n",
            &[
                "hl-keyword",
                "hl-function",
                "hl-variable",
                "hl-string",
                "hl-comment",
            ],
        ),
        (
            &["lua"],
            "local function f(x) return x .. 'a' end -- c\n",
            &["hl-keyword", "hl-function", "hl-string", "hl-comment"],
        ),
        (
            &["haskell", "hs"],
            "main :: IO ()\nmain = putStrLn \"hi\" -- c\n",
            &["hl-type", "hl-string", "hl-comment"],
        ),
        (
            &["elixir", "ex", "exs"],
            "defmodule A do\n  def f(x), do: :ok # c\nend\n",
            &["hl-keyword", "hl-function", "hl-constant", "hl-comment"],
        ),
        (
            &["zig"],
            "pub fn main() void { const x: u8 = 1; } // c\n",
            &["hl-keyword", "hl-function", "hl-number", "hl-comment"],
        ),
    ];

    #[test]
    fn every_listed_language_and_alias_gets_token_classes() {
        let h = Highlighter::without_cache();
        for (names, code, want) in SAMPLES {
            for name in *names {
                let (html, w) =
                    h.render_block(&CodeInfo::parse(name), code, &HighlightOptions::default());
                assert!(w.is_empty(), "{name}: {w:?}");
                let got = classes(&html);
                for class in *want {
                    assert!(got.contains(class), "{name}: no {class} in {got:?}\n{html}");
                }
                assert!(
                    html.contains(&format!("<code class=\"language-{name}\">")),
                    "{name}"
                );
                assert_eq!(code_text(&html), *code, "{name}: text changed");
                assert_well_formed(&html);
            }
        }
    }

    #[test]
    fn rust_lifetimes_macros_and_labels_have_classes() {
        let (html, _) = render(
            "rust",
            "fn f<'a>(x: &'a str) { 'outer: loop { break 'outer; } }\nmacro_rules! sq { ($x:expr) => { $x * $x }; }\nprintln!(\"{x:?}\");\n",
        );
        assert!(
            html.contains("<span class=\"hl-lifetime\">'a</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-lifetime\">'outer</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-macro\">println!</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-escape\">{x:?}</span>"),
            "{html}"
        );
    }

    #[test]
    fn flags_never_leak_into_the_language_class() {
        let (html, w) = render("rust,ignore,edition2021", "fn main() {}\n");
        assert!(w.is_empty());
        assert!(html.contains("<code class=\"language-rust\">"), "{html}");
        assert!(html.contains("data-flags=\"ignore edition2021\""), "{html}");
        assert!(!html.contains("language-rust,"));
    }

    #[test]
    fn unknown_language_is_plain_text_with_a_warning() {
        let (html, w) = render("rsut", "fn main() {}\n");
        assert_eq!(w.len(), 1);
        assert_eq!(
            w[0].message,
            "unknown language `rsut` in a code block; it is shown as plain text"
        );
        assert!(w[0].hint.contains("`rust`"), "{:?}", w[0]);
        assert!(classes(&html).is_empty(), "{html}");
        assert!(html.contains("class=\"language-rsut\""));
        let (_, w) = render("qqqqqqqqqq", "x\n");
        assert!(w[0].hint.contains("```text"), "{:?}", w[0]);
    }

    #[test]
    fn text_plain_and_no_language_are_plain_without_a_warning() {
        for info in ["", "text", "plain", "txt", "TEXT", "text title=\"x\""] {
            let (html, w) = render(info, "fn main() {}\n");
            assert!(w.is_empty(), "{info}: {w:?}");
            assert!(!html.contains("hl-"), "{info}: {html}");
            assert_eq!(code_text(&html), "fn main() {}\n");
        }
        let (html, _) = render("", "x\n");
        assert!(html.contains("<code>"), "{html}");
        assert!(!html.contains("data-lang"), "{html}");
    }

    #[test]
    fn highlighting_off_keeps_structure() {
        let opts = HighlightOptions {
            highlight: false,
            ..HighlightOptions::default()
        };
        let (html, w) = render_with("rust title=\"a.rs\" hl_lines=1", "fn main() {}\n", &opts);
        assert!(w.is_empty());
        assert!(!html.contains("hl-keyword"));
        assert!(html.contains("<figcaption class=\"code-title\">a.rs</figcaption>"));
        assert!(html.contains("<mark class=\"line hl-line\">"));
    }

    // ---- Rust hidden lines ---------------------------------------------------------------

    const DOCTEST: &str = "# use std::fmt;\n#\n# fn main() {\nlet x = 1;\n    # let hidden = 2;\n## not hidden\n#[derive(Debug)]\n#![allow(unused)]\n#\tlet tab = 3;\n# }\n";

    #[test]
    fn rust_hidden_lines_are_left_out() {
        let (html, w) = render("rust", DOCTEST);
        assert!(w.is_empty());
        assert_eq!(
            code_text(&html),
            "let x = 1;\n# not hidden\n#[derive(Debug)]\n#![allow(unused)]\n"
        );
        // The hidden `fn main() {` was parsed: `let` still gets its class.
        assert!(
            html.contains("<span class=\"hl-keyword\">let</span>"),
            "{html}"
        );
        // rustdoc flags do not turn hiding off.
        let (html, _) = render("rust,ignore", DOCTEST);
        assert!(!code_text(&html).contains("use std::fmt"));
        // `ignore` alone is Rust too.
        let (html, _) = render("ignore", DOCTEST);
        assert!(!code_text(&html).contains("use std::fmt"));
    }

    #[test]
    fn rust_hidden_lines_can_be_turned_off() {
        let opts = HighlightOptions {
            hide_rust_lines: false,
            ..HighlightOptions::default()
        };
        let (html, _) = render_with("rust", DOCTEST, &opts);
        assert_eq!(code_text(&html), DOCTEST);
        let (html, _) = render("rust hidelines=false", DOCTEST);
        assert_eq!(code_text(&html), DOCTEST);
        // Other languages keep `# ` lines: they are comments there.
        let (html, _) = render("python", "# comment\nx = 1\n");
        assert_eq!(code_text(&html), "# comment\nx = 1\n");
    }

    #[test]
    fn hidelines_prefix_hides_in_any_language() {
        let (html, w) = render("python hidelines=!!!", "!!! import os\nprint(os.name)\n");
        assert!(w.is_empty());
        assert_eq!(code_text(&html), "print(os.name)\n");
    }

    #[test]
    fn hidden_lines_do_not_count_for_numbers_and_marks() {
        let (html, w) = render(
            "rust linenos hl_lines=2",
            "# fn main() {\nlet a = 1;\nlet b = 2;\n# }\n",
        );
        assert!(w.is_empty(), "{w:?}");
        assert!(html.contains("data-n=\"1\""));
        assert!(html.contains("data-n=\"2\""));
        assert!(!html.contains("data-n=\"3\""));
        let marked = html.split("<mark class=\"line hl-line\">").nth(1).unwrap();
        assert!(marked.starts_with("<span class=\"ln\" aria-hidden=\"true\" data-n=\"2\"></span><span class=\"hl-keyword\">let</span> b"), "{html}");
    }

    // ---- Lines, title, button ------------------------------------------------------------

    #[test]
    fn line_numbers_are_not_text() {
        let (html, _) = render("text linenos linenostart=9", "a\nb\n");
        assert!(html.contains("class=\"code-block has-linenos\""));
        assert!(html.contains("<span class=\"line\"><span class=\"ln\" aria-hidden=\"true\" data-n=\"9\"></span>a\n</span>"), "{html}");
        assert!(html.contains("data-n=\"10\""));
        // Numbers live in an attribute, shown by CSS: selecting or copying never picks them up.
        assert_eq!(code_text(&html), "a\nb\n");
        let opts = HighlightOptions {
            line_numbers: true,
            ..HighlightOptions::default()
        };
        assert!(render_with("text", "a\n", &opts).0.contains("data-n=\"1\""));
        assert!(
            !render_with("text linenos=false", "a\n", &opts)
                .0
                .contains("data-n")
        );
    }

    #[test]
    fn hl_lines_marks_lines_as_numbered() {
        let (html, w) = render("text hl_lines=\"1 3-4\"", "a\nb\nc\nd\ne\n");
        assert!(w.is_empty());
        assert_eq!(html.matches("<mark class=\"line hl-line\">").count(), 3);
        assert!(html.contains("<mark class=\"line hl-line\">c\n</mark>"));
        assert!(html.contains("<span class=\"line\">b\n</span>"));
        // With linenostart, marks follow the numbers shown.
        let (html, w) = render("text linenostart=10 hl_lines=11", "a\nb\n");
        assert!(w.is_empty(), "{w:?}");
        assert!(
            html.contains("<mark class=\"line hl-line\">b\n</mark>"),
            "{html}"
        );
        let (_, w) = render("text linenostart=10 hl_lines=1", "a\nb\n");
        assert!(w[0].message.contains("numbered 10 to 11"), "{w:?}");
    }

    #[test]
    fn title_is_a_caption_above_the_block() {
        let (html, _) = render(r#"python title="src/<app>&.py""#, "x = 1\n");
        assert!(html.starts_with("<figure class=\"code-block\" data-lang=\"python\"><figcaption class=\"code-title\">src/&lt;app&gt;&amp;.py</figcaption><div class=\"code-body\"><pre"), "{html}");
        assert!(html.ends_with("</div></figure>\n"));
        let (html, _) = render("python", "x = 1\n");
        assert!(
            html.starts_with(
                "<div class=\"code-block\" data-lang=\"python\"><div class=\"code-body\">"
            ),
            "{html}"
        );
    }

    #[test]
    fn copy_button_is_hidden_until_scripted_and_optional() {
        let (html, _) = render("rust", "fn main() {}\n");
        assert!(html.contains("<button type=\"button\" class=\"code-copy\" aria-label=\"Copy code\" hidden>Copy</button></div></div>"), "{html}");
        let opts = HighlightOptions {
            copy_button: false,
            ..HighlightOptions::default()
        };
        assert!(
            !render_with("rust", "fn main() {}\n", &opts)
                .0
                .contains("button")
        );
    }

    // ---- Console sessions --------------------------------------------------------------

    #[test]
    fn console_prompts_commands_and_output() {
        let code = "$ cargo build \\\n    --release\n   Compiling x\nuser@host:~/src$ ls\nPS C:\\> Get-Item x\n# apt-get install x\n% make\n$\n";
        let (html, w) = render("console", code);
        assert!(w.is_empty());
        assert_eq!(code_text(&html), code);
        let prompts: Vec<&str> = html
            .split("<span class=\"hl-prompt\">")
            .skip(1)
            .map(|s| s.split("</span>").next().unwrap())
            .collect();
        assert_eq!(
            prompts,
            ["$ ", "user@host:~/src$ ", "PS C:\\&gt; ", "# ", "% ", "$"]
        );
        assert!(
            html.contains("<span class=\"hl-output\">   Compiling x</span>"),
            "{html}"
        );
        // The continued line is a command, not output.
        assert!(
            !html.contains("<span class=\"hl-output\">    --release"),
            "{html}"
        );
    }

    // ---- Escaping and bad input -----------------------------------------------------------

    #[test]
    fn escapes_markup_in_code() {
        for info in ["text", "rust", "html", "console", "nosuchlang"] {
            let code = "<script>alert('&amp;')</script> a < b && c > d \"q\"\n";
            let (html, _) = render(info, code);
            assert!(!html.contains("<script"), "{info}: {html}");
            assert_eq!(code_text(&html), code, "{info}");
            assert_well_formed(&html);
        }
        let (html, _) = render("rust,\"><script>,x=\"<\"", "x\n");
        assert_well_formed(&html);
        assert!(!html.contains("<script"), "{html}");
    }

    #[test]
    fn control_characters_become_visible_pictures() {
        let (html, _) = render("rust", "let a = \"\u{0}\u{1b}[31m\u{7f}\";\n\tx\r\n");
        assert_well_formed(&html);
        assert!(
            html.contains('\u{2400}') && html.contains('\u{241b}') && html.contains('\u{2421}'),
            "{html}"
        );
        assert!(
            html.contains("\tx\n"),
            "tab kept, CR of CRLF dropped: {html}"
        );
    }

    #[test]
    fn huge_blocks_are_plain_with_a_warning() {
        let line = "x".repeat(1 << 20);
        let t = std::time::Instant::now();
        let (html, w) = render("rust", &format!("{line}\n"));
        assert!(t.elapsed().as_secs() < 5, "took {:?}", t.elapsed());
        assert_eq!(w.len(), 1);
        assert!(
            w[0].message.contains("1024 KiB is not highlighted"),
            "{w:?}"
        );
        assert!(html.len() > line.len());
        // Under the block limit but with one very long line.
        let (_, w) = render("json", &format!("[{}1]\n", "1,".repeat(20_000)));
        assert!(w[0].message.contains("a line of 39 KiB"), "{w:?}");
        // Many lines under both limits: highlighted.
        let code = "let x = 1;\n".repeat(10_000);
        let t = std::time::Instant::now();
        let (html, w) = render("rust", &code);
        assert!(w.is_empty());
        assert!(html.contains("hl-keyword"));
        assert!(t.elapsed().as_secs() < 20, "took {:?}", t.elapsed());
    }

    #[test]
    fn empty_and_odd_blocks() {
        for code in ["", "\n", "\n\n", "no newline", "\r\n", "# \n"] {
            for info in ["rust", "text", "console"] {
                let (html, _) = render(info, code);
                assert_well_formed(&html);
            }
        }
        let (html, _) = render("rust", "");
        assert!(html.contains("<code class=\"language-rust\"></code>"));
        let (html, _) = render("rust", "#\n# x\n");
        assert!(
            html.contains("<code class=\"language-rust\"></code>"),
            "{html}"
        );
        let (html, _) = render("text", "\n");
        assert_eq!(code_text(&html), "\n");
    }

    #[test]
    fn cache_gives_the_same_html() {
        let cached = Highlighter::new();
        let plain = Highlighter::without_cache();
        let opts = HighlightOptions::default();
        for (names, code, _) in SAMPLES {
            let info = CodeInfo::parse(names[0]);
            let a = cached.render_block(&info, code, &opts);
            let b = cached.render_block(&info, code, &opts);
            let c = plain.render_block(&info, code, &opts);
            assert_eq!(a, b);
            assert_eq!(a, c);
        }
        // Same code, different hiding: different HTML.
        let a = cached.render_block(&CodeInfo::parse("rust"), DOCTEST, &opts);
        let b = cached.render_block(&CodeInfo::parse("rust hidelines=false"), DOCTEST, &opts);
        assert_ne!(a.0, b.0);
    }

    #[test]
    fn highlighter_is_shared_across_threads() {
        fn assert_sync<T: Sync + Send>() {}
        assert_sync::<Highlighter>();
        let h = Highlighter::new();
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for (names, code, _) in SAMPLES {
                        let (html, _) = h.render_block(
                            &CodeInfo::parse(names[0]),
                            code,
                            &HighlightOptions::default(),
                        );
                        assert_well_formed(&html);
                    }
                });
            }
        });
    }

    #[test]
    fn class_table_selectors_parse_and_names_are_unique() {
        let theme = class_theme();
        assert_eq!(theme.scopes.len(), CLASSES.len() - 1);
        let mut names: Vec<&str> = CLASSES.iter().map(|c| c.0).collect();
        names.extend([PROMPT_CLASS, OUTPUT_CLASS]);
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n);
        assert!(CLASSES.len() < 256, "class numbers are stored in one byte");
    }

    // ---- The stylesheet ------------------------------------------------------------------

    const CSS: &str = include_str!("../theme/static/assets/highlight.css");

    /// The `--hl-*` colours declared in the block that opens with `selector {`.
    fn css_colors(after: &str, selector: &str) -> Vec<(String, [f64; 3])> {
        let start = CSS[CSS.find(after).expect(after)..]
            .find(selector)
            .map(|i| i + CSS.find(after).unwrap() + selector.len())
            .expect(selector);
        let block = &CSS[start..start + CSS[start..].find('}').expect("block end")];
        block
            .lines()
            .filter_map(|l| {
                let (name, value) = l.trim().strip_prefix("--hl-")?.split_once(':')?;
                let hex = value
                    .trim()
                    .trim_end_matches(';')
                    .trim_end_matches("!important")
                    .trim();
                let hex = hex.strip_prefix('#')?;
                assert_eq!(hex.len(), 6, "--hl-{name}: write colours as #rrggbb");
                let c =
                    |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex") as f64 / 255.0;
                Some((name.to_string(), [c(0), c(2), c(4)]))
            })
            .collect()
    }

    /// WCAG 2 relative luminance and contrast ratio.
    fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
        let lum = |c: [f64; 3]| {
            let f = |v: f64| {
                if v <= 0.04045 {
                    v / 12.92
                } else {
                    ((v + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2])
        };
        let (x, y) = (lum(a), lum(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    /// Every token colour against the block and the marked-line background, in both themes:
    /// at least 4.5:1. `cargo test --lib highlight_css_contrast -- --nocapture` prints the table.
    #[test]
    fn highlight_css_contrast() {
        let light = css_colors("/* ---- Colours", ":root {");
        let dark = css_colors(
            "@media (prefers-color-scheme: dark)",
            ":root:not([data-theme=\"light\"]) {",
        );
        let dark_toggle = css_colors(
            "@media (prefers-color-scheme: dark)",
            ":root[data-theme=\"dark\"] {",
        );
        let print = css_colors("@media print", ":root {");
        assert_eq!(dark, dark_toggle, "the two dark blocks differ");
        assert_eq!(light, print, "the print block differs from the light one");
        // Every class of the HTML has a colour or a style rule.
        for (name, _) in CLASSES.iter().skip(1) {
            assert!(CSS.contains(&format!(".{name} {{")), "no rule for .{name}");
        }
        for (theme, colors) in [("light", &light), ("dark", &dark)] {
            let get = |n: &str| {
                colors
                    .iter()
                    .find(|(k, _)| k == n)
                    .unwrap_or_else(|| panic!("{theme}: no --hl-{n}"))
                    .1
            };
            let (bg, line_bg) = (get("bg"), get("line-bg"));
            println!("{theme}: token on block / on marked line");
            let mut pairs: Vec<(String, f64)> = Vec::new();
            for (name, color) in colors.iter() {
                if name.ends_with("bg") || name == "line-edge" || name == "title-fg" {
                    continue;
                }
                let on = match name.as_str() {
                    "inserted" => vec![get("inserted-bg")],
                    "deleted" => vec![get("deleted-bg")],
                    _ => vec![bg, line_bg],
                };
                let ratios: Vec<f64> = on.iter().map(|b| contrast(*color, *b)).collect();
                let min = ratios.iter().cloned().fold(f64::MAX, f64::min);
                println!(
                    "  --hl-{name:<10} {}",
                    ratios
                        .iter()
                        .map(|r| format!("{r:5.2}"))
                        .collect::<Vec<_>>()
                        .join(" / ")
                );
                pairs.push((name.clone(), min));
            }
            let title = contrast(get("title-fg"), get("title-bg"));
            println!("  --hl-title-fg  {title:5.2} (on --hl-title-bg)");
            pairs.push(("title-fg".into(), title));
            // The marked line's edge is not text: WCAG 1.4.11 asks 3:1 against its neighbour.
            let edge = contrast(get("line-edge"), line_bg);
            println!("  --hl-line-edge {edge:5.2} (on --hl-line-bg, needs 3)");
            assert!(
                edge >= 3.0,
                "{theme}: --hl-line-edge has a contrast of {edge:.2}, under 3"
            );
            for (name, min) in pairs {
                assert!(
                    min >= 4.5,
                    "{theme}: --hl-{name} has a contrast of {min:.2}, under 4.5"
                );
            }
        }
    }

    fn info_strings() -> impl Strategy<Value = String> {
        let lang = prop::sample::select(vec![
            "", "rust", "rs", "toml", "console", "text", "python", "html", "ps1", "md", "nosuch",
            "ignore",
        ]);
        let attr = prop::sample::select(vec![
            "ignore",
            "linenos",
            "linenos=false",
            "hl_lines=\"2 4-6\"",
            "hl_lines=x",
            "hl_lines=3-1",
            "hl_lines=999999",
            "title=\"a<b>\"",
            "title='x",
            "linenostart=5",
            "hidelines=false",
            "hidelines=!!",
            "=",
            "\"",
            ",",
            "{",
            "}",
            "hl_lines=1 2",
        ]);
        (lang, prop::collection::vec(attr, 0..4), ".{0,12}")
            .prop_map(|(l, a, junk)| format!("{l} {} {junk}", a.join(" ")))
    }

    fn code_strings() -> impl Strategy<Value = String> {
        let line = prop::sample::select(vec![
            "# hidden",
            "#",
            "## shown",
            "$ ls -la",
            "> x",
            "fn main() {",
            "}",
            "\"unterminated",
            "/* open",
            "<tag attr=\"&\">",
            "\u{0}\u{1}\u{1b}",
            "\t\r",
            "'a: loop {}",
            "",
        ]);
        prop_oneof![
            prop::collection::vec(line, 0..12).prop_map(|l| l.join("\n")),
            any::<String>(),
            "[\\PC\\n#$<>&\"']{0,200}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 300,
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x6d656b6f6e67),
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Any info string and any code: no panic, well-formed escaped markup, and the text a
        /// reader sees is the code itself (less hidden lines).
        #[test]
        fn any_block_renders_well_formed(info in info_strings(), code in code_strings(), linenos: bool) {
            let opts = HighlightOptions { line_numbers: linenos, ..HighlightOptions::default() };
            let h = Highlighter::without_cache();
            let parsed = CodeInfo::parse(&info);
            let (html, _) = h.render_block(&parsed, &code, &opts);
            assert_well_formed(&html);
            let hides = parsed.hidelines.is_some()
                || matches!(parsed.lang.as_deref(), Some("rust" | "rs"));
            if !hides {
                let mut want = String::new();
                if !code.is_empty() {
                    for line in code.strip_suffix('\n').unwrap_or(&code).split('\n') {
                        escape_into(&mut want, line.strip_suffix('\r').unwrap_or(line));
                        want.push('\n');
                    }
                }
                let want = want.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
                prop_assert_eq!(code_text(&html), want);
            }
        }
    }
}
