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
//!
//! JavaScript, TypeScript, Python, C and shell (console sessions too), whose Sublime grammars
//! cost syntect the most, are read with tree-sitter instead (`trees.rs`), into the same
//! classes. Both engines give each line's HTML, separated by `\n`; [`lines::compose`] adds
//! console prompts and output and drops hidden lines, whichever engine ran.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::ops::RangeInclusive;
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};

use syntect::highlighting::{
    Color, HighlightIterator, HighlightState, Highlighter as ScopeHighlighter, ScopeSelectors,
    StyleModifier, Theme, ThemeItem, ThemeSettings,
};
use syntect::parsing::{ParseState, ScopeStack};

mod cache;
mod grammars;
mod info;
mod lines;
mod notices;
mod trees;
pub use notices::notices;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests_info;
#[cfg(test)]
mod tests_render;

use grammars::{Grammar, Grammars};
use info::*;
use lines::*;

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
    grammars: Grammars,
    theme: OnceLock<Theme>,
    cache: Option<Mutex<cache::Cache>>,
}

#[derive(PartialEq, Eq, Hash)]
struct CacheKey {
    syntax: String,
    hide: Option<String>,
    code: String,
}

impl Default for Highlighter {
    fn default() -> Self {
        Highlighter::new()
    }
}

/// How one block's lines are turned into HTML.
enum Mode<'s> {
    Plain,
    Syntax(Grammar<'s>),
    Console(Grammar<'s>),
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
            grammars: Grammars::default(),
            theme: OnceLock::new(),
            cache: Some(Mutex::new(cache::Cache::default())),
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
            *c = cache::Cache::default();
        }
    }

    /// Adds the blocks saved by an earlier build (`path` beside the output); a missing or
    /// stale file adds nothing.
    pub fn load_cache(&self, path: &std::path::Path) {
        if let Some(cache) = &self.cache
            && let Ok(mut c) = cache.lock()
        {
            c.load(path);
        }
    }

    /// Saves the blocks this highlighter rendered or reused, for the next build.
    pub fn save_cache(&self, path: &std::path::Path) -> std::io::Result<()> {
        match &self.cache {
            Some(cache) => match cache.lock() {
                Ok(c) => c.save(path),
                Err(_) => Ok(()),
            },
            None => Ok(()),
        }
    }

    fn theme(&self) -> &Theme {
        self.theme.get_or_init(class_theme)
    }

    /// The grammar for a language name (lower-case), after mekong's aliases.
    fn find(&self, lang: &str) -> Option<Grammar<'_>> {
        let token = ALIASES
            .iter()
            .find(|(a, _)| *a == lang)
            .map_or(lang, |(_, to)| to);
        self.grammars.find(token)
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
        for s in self.grammars.extra().syntaxes() {
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
        let is_rust = matches!(mode, Mode::Syntax(g) if g.syntax.name == "Rust");
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
        syntax: Grammar,
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
                format!("console:{}", syntax.id())
            } else {
                syntax.id()
            },
            hide: hide.map(str::to_string),
            code: code.to_string(),
        };
        let hash = cache::hash_key(&key);
        if let Ok(mut c) = cache.lock()
            && let Some(html) = c.get(hash, &key)
        {
            return Ok(html);
        }
        let html: Arc<str> = Arc::from(self.highlight_lines(syntax, console, lines)?);
        if let Ok(mut c) = cache.lock() {
            c.insert(hash, key, html.clone(), true);
        }
        Ok(html)
    }

    /// Runs the grammar over every line (hidden ones too: they change what follows) and
    /// returns the visible lines' HTML, joined by NUL. A panic inside an engine becomes an
    /// error.
    fn highlight_lines(
        &self,
        grammar: Grammar,
        console: bool,
        lines: &[SourceLine],
    ) -> Result<String, String> {
        let parts = line_parts(lines, console);
        let run = || -> Result<String, String> {
            let body = match grammar.tree {
                Some(tree) => {
                    let mut source =
                        String::with_capacity(lines.iter().map(|l| l.code.len() + 1).sum());
                    for (line, part) in lines.iter().zip(&parts) {
                        if let Part::Command(n) = part {
                            source.push_str(&line.code[*n..]);
                        }
                        source.push('\n');
                    }
                    trees::highlight(tree, &source)?
                }
                None => self.syntect_lines(grammar, lines, &parts)?,
            };
            // A lost line would be text lost from the page: show the block plain instead.
            if body.split('\n').count() < lines.len() {
                return Err("the highlighter lost lines".to_string());
            }
            Ok(compose(lines, &parts, &body))
        };
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
            Ok(r) => r,
            Err(_) => Err("the highlighter panicked".to_string()),
        }
    }

    /// syntect's pass: each line's HTML, lines separated by `\n`; output and hidden lines are
    /// empty (hidden ones are still parsed).
    fn syntect_lines(
        &self,
        grammar: Grammar,
        lines: &[SourceLine],
        parts: &[Part],
    ) -> Result<String, String> {
        let (ss, syntax) = (grammar.set, grammar.syntax);
        let hl = ScopeHighlighter::new(self.theme());
        let mut parse = ParseState::new(syntax);
        let mut state = HighlightState::new(&hl, ScopeStack::new());
        let mut out = String::with_capacity(lines.iter().map(|l| l.code.len() * 3).sum());
        let mut line_buf = String::new();
        for (i, (line, part)) in lines.iter().zip(parts).enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let Part::Command(n) = part else {
                continue;
            };
            line_buf.clear();
            line_buf.push_str(&line.code[*n..]);
            line_buf.push('\n');
            let ops = parse.parse_line(&line_buf, ss).map_err(|e| e.to_string())?;
            let iter = HighlightIterator::new(&mut state, &ops, &line_buf, &hl);
            if !line.visible {
                iter.for_each(drop);
                continue;
            }
            // Merge neighbouring runs of one class; leave the newline out (the caller wraps
            // each line).
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
    }
}
