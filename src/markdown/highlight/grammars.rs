//! Which grammar reads a language (issue 12): bat's curated Sublime Text grammars through
//! two-face (about 220 languages) for most, and for the languages in [`FROM_SYNTECT`] the older
//! grammar of the same name that syntect ships, because bat's is several times slower to parse
//! for little visible gain (measured by `examples/grammar_bench.rs`, see bench/highlight.md).
//!
//! A grammar that [`Tree::for_grammar`] names is then read with tree-sitter instead
//! (`trees.rs`): the syntect grammar still decides which names and extensions mean the
//! language, and whether a block is Rust.
//!
//! Both sets are loaded on first use and shared by every thread. A grammar is named in the
//! block cache by [`Grammar::id`], so a block is never served from the other set's entry.

use std::sync::OnceLock;
use syntect::parsing::{SyntaxReference, SyntaxSet};

use super::trees::Tree;

/// two-face grammars (by name) that are read with syntect's own grammar (by name) instead.
/// Instructions to parse the blocks of the 100-page code-heavy corpus (callgrind, with the
/// regexes compiled; bench/highlight.md): Go 62.0 M with bat's grammar, 31.7 M with syntect's;
/// JavaScript 223 M (bat's `JavaScript`), 248 M (`JavaScript (Babel)`, what `js` named), 155 M
/// (syntect's). The other languages of the corpus differ by under 10%, or syntect has none.
/// JavaScript stays with bat's: syntect's older grammar does not know `await` nor `${}` in
/// template strings, which readers of JavaScript docs see on every page, for 5% of parse time.
pub(super) const FROM_SYNTECT: &[(&str, &str)] = &[("Go", "Go")];

/// A grammar and the set it belongs to (syntect parses a line with both).
#[derive(Clone, Copy)]
pub(super) struct Grammar<'s> {
    pub set: &'s SyntaxSet,
    pub syntax: &'s SyntaxReference,
    from_syntect: bool,
    /// Read with tree-sitter instead of this syntect grammar (`trees.rs`).
    pub tree: Option<Tree>,
}

impl Grammar<'_> {
    /// The grammar's name in the block cache and its file.
    pub fn id(&self) -> String {
        if let Some(tree) = self.tree {
            tree.id().to_string()
        } else if self.from_syntect {
            format!("syntect {}", self.syntax.name)
        } else {
            self.syntax.name.clone()
        }
    }
}

#[derive(Default)]
pub(super) struct Grammars {
    extra: OnceLock<SyntaxSet>,
    defaults: OnceLock<SyntaxSet>,
}

impl Grammars {
    /// two-face's set: the names and extensions a block may use.
    pub fn extra(&self) -> &SyntaxSet {
        self.extra.get_or_init(two_face::syntax::extra_newlines)
    }

    fn defaults(&self) -> &SyntaxSet {
        self.defaults.get_or_init(SyntaxSet::load_defaults_newlines)
    }

    /// The grammar for a token (a language name or extension, lower-case, after aliases).
    pub fn find(&self, token: &str) -> Option<Grammar<'_>> {
        let ss = self.extra();
        let syntax = ss.find_syntax_by_token(token).or_else(|| {
            ss.syntaxes()
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(token))
        })?;
        if let Some((_, own)) = FROM_SYNTECT.iter().find(|(bat, _)| *bat == syntax.name) {
            let defaults = self.defaults();
            if let Some(own) = defaults.find_syntax_by_name(own) {
                return Some(Grammar {
                    set: defaults,
                    syntax: own,
                    from_syntect: true,
                    tree: Tree::for_grammar(&own.name),
                });
            }
        }
        Some(Grammar {
            set: ss,
            syntax,
            from_syntect: false,
            tree: Tree::for_grammar(&syntax.name),
        })
    }
}
