//! The second highlighting engine (issue 12): tree-sitter, for the languages whose Sublime
//! grammars cost syntect the most a line (JavaScript, TypeScript, Python, C and shell, console
//! sessions included). On the code corpus's blocks tree-sitter takes 3 to 6 times less time a
//! line for these, rendering included (bench/highlight.md); the other languages stay with
//! syntect, whose grammars are cheap enough for them (Rust's also mark format placeholders,
//! lifetimes and macros the way rustdoc readers expect).
//!
//! What it owns: the tree-sitter grammars and their queries, compiled once per process on first
//! use; and turning a block's lines (as the grammar should read them) into HTML, one line per
//! `\n`, with the same `hl-*` classes syntect's path uses ([`CLASSES`]). Which block goes to
//! which engine is decided in `grammars.rs`, by the syntect grammar a language name resolves
//! to, so every alias and file extension keeps meaning what it meant.
//!
//! tree-sitter's highlight names (`keyword`, `function.method`, `punctuation.special`, ...) are
//! mapped to classes by [`NAMES`]; a capture matches the longest name that prefixes it, and a
//! capture no name prefixes (`variable`, `punctuation.bracket`) stays plain text, as syntect's
//! unstyled scopes do. Where captures nest, the innermost wins.

use std::cell::RefCell;
use std::sync::OnceLock;

use tree_sitter_highlight::{HighlightConfiguration, HighlightEvent, Highlighter};

use super::info::CLASSES;
use super::lines::push_run;

/// A language tree-sitter reads, by the name of the syntect grammar it replaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tree {
    JavaScript,
    TypeScript,
    Tsx,
    Python,
    C,
    Bash,
}

impl Tree {
    /// The tree-sitter language for a syntect grammar's name (two-face's names).
    pub fn for_grammar(name: &str) -> Option<Tree> {
        Some(match name {
            "JavaScript" | "JavaScript (Babel)" | "JSX" => Tree::JavaScript,
            "TypeScript" => Tree::TypeScript,
            "TypeScriptReact" | "TSX" => Tree::Tsx,
            "Python" => Tree::Python,
            "C" => Tree::C,
            "Bourne Again Shell (bash)" | "Shell-Unix-Generic" => Tree::Bash,
            _ => return None,
        })
    }

    /// The name in the block cache (never one of syntect's grammar names).
    pub fn id(self) -> &'static str {
        match self {
            Tree::JavaScript => "tree-sitter javascript",
            Tree::TypeScript => "tree-sitter typescript",
            Tree::Tsx => "tree-sitter tsx",
            Tree::Python => "tree-sitter python",
            Tree::C => "tree-sitter c",
            Tree::Bash => "tree-sitter bash",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    /// The grammar with its queries. The TypeScript queries extend JavaScript's, as the
    /// grammars' own `tree-sitter.json` files say.
    fn configuration(self) -> Result<HighlightConfiguration, String> {
        use tree_sitter_javascript as js;
        use tree_sitter_typescript as ts;
        // mekong's own patterns come last: where two patterns capture one node, the last
        // wins (tree-sitter-highlight 0.25).
        let (language, highlights, locals): (tree_sitter::Language, String, &str) = match self {
            Tree::JavaScript => (
                js::LANGUAGE.into(),
                [js::JSX_HIGHLIGHT_QUERY, js::HIGHLIGHT_QUERY, JS_EXTRA].join("\n"),
                js::LOCALS_QUERY,
            ),
            Tree::TypeScript => (
                ts::LANGUAGE_TYPESCRIPT.into(),
                [ts::HIGHLIGHTS_QUERY, js::HIGHLIGHT_QUERY, TS_EXTRA].join("\n"),
                ts::LOCALS_QUERY,
            ),
            Tree::Tsx => (
                ts::LANGUAGE_TSX.into(),
                [
                    ts::HIGHLIGHTS_QUERY,
                    js::JSX_HIGHLIGHT_QUERY,
                    js::HIGHLIGHT_QUERY,
                    TS_EXTRA,
                ]
                .join("\n"),
                ts::LOCALS_QUERY,
            ),
            Tree::Python => (
                tree_sitter_python::LANGUAGE.into(),
                [tree_sitter_python::HIGHLIGHTS_QUERY, PYTHON_EXTRA].join("\n"),
                "",
            ),
            Tree::C => (
                tree_sitter_c::LANGUAGE.into(),
                tree_sitter_c::HIGHLIGHT_QUERY.to_string(),
                "",
            ),
            Tree::Bash => (
                tree_sitter_bash::LANGUAGE.into(),
                [tree_sitter_bash::HIGHLIGHT_QUERY, BASH_EXTRA].join("\n"),
                "",
            ),
        };
        let mut config = HighlightConfiguration::new(language, self.id(), &highlights, "", locals)
            .map_err(|e| format!("the {} query does not compile: {e}", self.id()))?;
        let names: Vec<&str> = NAMES.iter().map(|(n, _)| *n).collect();
        config.configure(&names);
        Ok(config)
    }

    /// The class a highlight name gives in this language, where it differs from [`NAMES`].
    fn class_override(self, name: &str) -> Option<&'static str> {
        match (self, name) {
            // `variable_name` is the only `property` of the shell grammar: `$HOME`, `x=1`.
            (Tree::Bash, "property") => Some("hl-variable"),
            _ => None,
        }
    }
}

/// What the grammars' own queries leave out and syntect's grammars mark: parameters, escapes
/// in strings, decorators, method calls, Python's word operators, `$@`.
const JS_EXTRA: &str = "
(escape_sequence) @escape
(formal_parameters (identifier) @variable.parameter)
(formal_parameters (assignment_pattern left: (identifier) @variable.parameter))
(arrow_function parameter: (identifier) @variable.parameter)
";
const TS_EXTRA: &str = "
(escape_sequence) @escape
(required_parameter pattern: (identifier) @variable.parameter)
(optional_parameter pattern: (identifier) @variable.parameter)
(arrow_function parameter: (identifier) @variable.parameter)
";
const PYTHON_EXTRA: &str = "
(decorator) @attribute
(decorator (identifier) @attribute)
(parameters (identifier) @variable.parameter)
(default_parameter name: (identifier) @variable.parameter)
(typed_parameter (identifier) @variable.parameter)
(typed_default_parameter name: (identifier) @variable.parameter)
(call function: (attribute attribute: (identifier) @function.method))
[\"and\" \"or\" \"not\" \"in\" \"is\"] @keyword
";
const BASH_EXTRA: &str = "
(special_variable_name) @property
";

/// tree-sitter highlight names, with the class each gives (`""`: plain text).
const NAMES: &[(&str, &str)] = &[
    ("attribute", "hl-macro"),
    ("comment", "hl-comment"),
    ("constant", "hl-constant"),
    ("constant.builtin", "hl-constant"),
    ("constructor", "hl-type"),
    ("embedded", ""),
    ("escape", "hl-escape"),
    ("function", "hl-function"),
    ("function.builtin", "hl-function"),
    ("function.macro", "hl-macro"),
    ("function.method", "hl-function"),
    ("function.special", "hl-macro"),
    ("keyword", "hl-keyword"),
    ("label", "hl-lifetime"),
    ("module", "hl-type"),
    ("number", "hl-number"),
    ("operator", "hl-operator"),
    ("property", "hl-property"),
    // `${` and `}` of template strings and f-strings.
    ("punctuation.special", "hl-escape"),
    ("string", "hl-string"),
    // Regular expression literals.
    ("string.special", "hl-escape"),
    ("tag", "hl-tag"),
    ("type", "hl-type"),
    ("type.builtin", "hl-type"),
    ("variable.builtin", "hl-keyword"),
    ("variable.parameter", "hl-variable"),
];

const COUNT: usize = 6;

/// The compiled grammars, one slot per [`Tree`]; a query that fails to compile (a grammar
/// crate updated to a query this tree-sitter cannot read) is kept as its error.
fn configurations() -> &'static [OnceLock<Result<HighlightConfiguration, String>>; COUNT] {
    static CONFIGS: [OnceLock<Result<HighlightConfiguration, String>>; COUNT] =
        [const { OnceLock::new() }; COUNT];
    &CONFIGS
}

/// The class index in [`CLASSES`] of each name of [`NAMES`], per language.
fn class_indexes(tree: Tree) -> Vec<usize> {
    NAMES
        .iter()
        .map(|(name, class)| {
            let class = tree.class_override(name).unwrap_or(class);
            CLASSES.iter().position(|(c, _)| *c == class).unwrap_or(0)
        })
        .collect()
}

thread_local! {
    /// tree-sitter's highlighter holds a parser and query cursors: one per rayon thread.
    static HIGHLIGHTER: RefCell<Highlighter> = RefCell::new(Highlighter::new());
}

/// Highlights `source` (the block's lines as the grammar reads them, each ended by `\n`) and
/// returns its HTML with the lines separated by `\n`: as many lines as `source` has.
pub(super) fn highlight(tree: Tree, source: &str) -> Result<String, String> {
    let config = configurations()[tree.index()]
        .get_or_init(|| tree.configuration())
        .as_ref()
        .map_err(String::clone)?;
    let classes = class_indexes(tree);
    HIGHLIGHTER.with(|cell| {
        let Ok(mut hl) = cell.try_borrow_mut() else {
            return Err("the highlighter is busy on this thread".to_string());
        };
        let events = hl
            .highlight(config, source.as_bytes(), None, |_| None)
            .map_err(|e| format!("tree-sitter: {e:?}"))?;
        let mut out = String::with_capacity(source.len() * 3);
        let mut stack: Vec<usize> = Vec::new();
        let mut run_class = 0usize;
        let mut run = String::new();
        for event in events {
            match event.map_err(|e| format!("tree-sitter: {e:?}"))? {
                HighlightEvent::HighlightStart(h) => {
                    stack.push(classes.get(h.0).copied().unwrap_or(0));
                }
                HighlightEvent::HighlightEnd => {
                    stack.pop();
                }
                HighlightEvent::Source { start, end } => {
                    let text = source
                        .get(start..end)
                        .ok_or("tree-sitter gave a range inside a character")?;
                    // The innermost capture gives the class: `embedded` (a `${}` in a string)
                    // makes its code plain again.
                    let class = stack.last().copied().unwrap_or(0);
                    let mut pieces = text.split('\n');
                    let mut piece = pieces.next();
                    while let Some(p) = piece {
                        // Merge neighbouring runs of one class; white space takes the class
                        // of whatever it sits in, to save spans (as syntect's path does).
                        if !p.is_empty() {
                            let blank = p.trim().is_empty();
                            if class != run_class && (run.is_empty() || !blank) {
                                push_run(&mut out, run_class, &run);
                                run.clear();
                                run_class = class;
                            }
                            run.push_str(p);
                        }
                        piece = pieces.next();
                        if piece.is_some() {
                            push_run(&mut out, run_class, &run);
                            run.clear();
                            run_class = 0;
                            out.push('\n');
                        }
                    }
                }
            }
        }
        push_run(&mut out, run_class, &run);
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_query_compiles_and_every_name_has_a_class() {
        for tree in [
            Tree::JavaScript,
            Tree::TypeScript,
            Tree::Tsx,
            Tree::Python,
            Tree::C,
            Tree::Bash,
        ] {
            assert!(tree.index() < COUNT);
            tree.configuration()
                .unwrap_or_else(|e| panic!("{tree:?}: {e}"));
        }
        for (name, class) in NAMES {
            assert!(
                class.is_empty() || CLASSES.iter().any(|(c, _)| c == class),
                "{name}: {class} is not a class"
            );
        }
    }

    #[test]
    fn the_heavy_languages_and_their_aliases_go_to_tree_sitter() {
        let h = crate::markdown::highlight::Highlighter::without_cache();
        let want = [
            (
                &["javascript", "js", "mjs", "cjs", "node", "jsx"][..],
                Tree::JavaScript,
            ),
            (&["typescript", "ts", "mts"][..], Tree::TypeScript),
            (&["tsx"][..], Tree::Tsx),
            (&["python", "py"][..], Tree::Python),
            (&["c"][..], Tree::C),
            (&["bash", "sh", "shell", "zsh"][..], Tree::Bash),
        ];
        for (names, tree) in want {
            for name in names {
                let g = h.find(name).unwrap_or_else(|| panic!("{name}: no grammar"));
                assert_eq!(g.tree, Some(tree), "{name} ({})", g.syntax.name);
            }
        }
        for name in ["rust", "go", "toml", "cpp", "java", "json", "html"] {
            assert_eq!(h.find(name).and_then(|g| g.tree), None, "{name}");
        }
    }

    #[test]
    fn lines_come_out_one_per_newline_and_spans_close_at_line_ends() {
        let src = "const s = `a\nb ${x}\nc`;\n// end\n";
        let html = highlight(Tree::JavaScript, src).unwrap();
        let lines: Vec<&str> = html.split('\n').collect();
        assert_eq!(lines.len(), 5, "{html}");
        assert_eq!(lines[4], "");
        for l in &lines {
            assert_eq!(
                l.matches("<span").count(),
                l.matches("</span>").count(),
                "{l}"
            );
        }
        assert!(
            lines[0].starts_with("<span class=\"hl-keyword\">const</span>"),
            "{html}"
        );
        assert!(
            lines[1].contains("<span class=\"hl-escape\">${</span>"),
            "{html}"
        );
        assert!(lines[3].contains("hl-comment"), "{html}");
    }

    #[test]
    fn text_is_escaped_and_kept_whole() {
        let src = "if [ \"$a\" \\< '<b>' ]; then echo \"&\u{0}\"; fi\n";
        let html = highlight(Tree::Bash, src).unwrap();
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;b&gt;"), "{html}");
        assert!(
            html.contains("<span class=\"hl-variable\">a</span>"),
            "{html}"
        );
        // Only markup is added: the text is the source's.
        let mut text = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        assert!(
            text.starts_with("if [ \"$a\" \\&lt; '&lt;b&gt;' ]"),
            "{text}"
        );
    }

    #[test]
    fn broken_code_still_comes_out_whole() {
        for (tree, src) in [
            (Tree::Python, "def (:\n  ))) '''\n"),
            (Tree::C, "#include <\nint main( {{{ \"\n"),
            (Tree::TypeScript, "let x: = <<>>;\n`${\n"),
            (Tree::Bash, "$(( ${ \"\n"),
        ] {
            let html = highlight(tree, src).unwrap();
            assert_eq!(html.split('\n').count(), src.split('\n').count(), "{html}");
        }
    }
}
