//! The Markdown stage's side of code blocks (issue 12): collects a block's text between its
//! start and end events, hands it to [`highlight`](super::highlight) and puts the finished HTML
//! in its place; each of the block's warnings is located at the opening fence.
//!
//! Highlighting itself (grammars, classes, lines, the copy button) is `highlight`'s. The
//! highlighter is shared by every page of a run (it is `Sync`, with one cache of blocks), and
//! the site's `code:` options come from `config`.

use super::highlight::{CodeInfo, HighlightOptions, Highlighter};
use crate::config::CodeConfig;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, Tag, TagEnd};

/// The site's options for code blocks, as the highlighter takes them.
pub fn options(code: &CodeConfig) -> HighlightOptions {
    HighlightOptions {
        highlight: code.highlight,
        hide_rust_lines: code.rust_hidden_lines,
        line_numbers: code.line_numbers,
        copy_button: code.copy_button,
        ..HighlightOptions::default()
    }
}

/// A warning of one block: where its fence starts (an offset in the body) and what is wrong.
pub struct BlockWarning {
    pub at: usize,
    pub message: String,
    pub hint: String,
}

/// The block being collected on one page.
pub struct CodeBlocks<'a> {
    body: &'a str,
    highlighter: &'a Highlighter,
    opts: &'a HighlightOptions,
    open: Option<(CodeInfo, String, usize)>,
    pub warnings: Vec<BlockWarning>,
}

/// What the event loop does with an event.
pub enum Step<'e> {
    /// Not part of a code block: carry on with it.
    Pass(Event<'e>),
    /// Taken into the open block.
    Taken,
    /// The block ended: its HTML replaces it.
    Block(Event<'e>),
}

impl<'a> CodeBlocks<'a> {
    pub fn new(body: &'a str, highlighter: &'a Highlighter, opts: &'a HighlightOptions) -> Self {
        CodeBlocks {
            body,
            highlighter,
            opts,
            open: None,
            warnings: Vec::new(),
        }
    }

    /// Feeds one event; `at..end` is its source in the page's body.
    pub fn event<'e>(&mut self, event: Event<'e>, at: usize, end: usize) -> Step<'e> {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match &kind {
                    CodeBlockKind::Fenced(info) => {
                        let src = self.body.get(at..end).unwrap_or("");
                        if !is_closed(src) {
                            self.warnings.push(BlockWarning {
                                at,
                                message: "code block is never closed: it runs to the end of its container".into(),
                                hint: "end the block with a line of the same fence (```), as long as the opening one".into(),
                            });
                        }
                        CodeInfo::parse(info)
                    }
                    CodeBlockKind::Indented => CodeInfo::default(),
                };
                self.open = Some((info, String::new(), at));
                Step::Taken
            }
            Event::Text(t) if self.open.is_some() => {
                if let Some((_, code, _)) = self.open.as_mut() {
                    code.push_str(&t);
                }
                Step::Taken
            }
            Event::End(TagEnd::CodeBlock) => match self.open.take() {
                Some((info, code, start)) => {
                    let (html, warnings) = self.highlighter.render_block(&info, &code, self.opts);
                    self.warnings
                        .extend(warnings.into_iter().map(|w| BlockWarning {
                            at: start,
                            message: w.message,
                            hint: w.hint,
                        }));
                    Step::Block(Event::Html(CowStr::from(html)))
                }
                None => Step::Pass(Event::End(TagEnd::CodeBlock)),
            },
            e => Step::Pass(e),
        }
    }
}

/// Whether a fenced block's source (from its opening fence to its end) ends with a closing
/// fence: a line of at least as many of the same fence characters, inside any `>` and spaces.
fn is_closed(src: &str) -> bool {
    let strip = |l: &'_ str| -> String {
        l.trim_start_matches(|c: char| c == '>' || c.is_whitespace())
            .to_string()
    };
    let mut lines = src.trim_end().lines();
    let Some(open) = lines.next().map(strip) else {
        return false;
    };
    let Some(ch) = open.chars().next().filter(|c| *c == '`' || *c == '~') else {
        return true;
    };
    let n = open.chars().take_while(|c| *c == ch).count();
    let Some(last) = lines.last().map(strip) else {
        return false;
    };
    let run = last.chars().take_while(|c| *c == ch).count();
    run >= n && last[run * ch.len_utf8()..].trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::is_closed;

    #[test]
    fn tells_closed_fences_from_open_ones() {
        assert!(is_closed("```rust\nfn f() {}\n```\n"));
        assert!(is_closed("~~~~\nx\n~~~~~\n"));
        assert!(is_closed("> ```\n> x\n> ```"));
        assert!(!is_closed("```rust\nfn f() {\n"));
        assert!(!is_closed("````\nx\n```\n"));
        assert!(!is_closed("```\n"));
        assert!(!is_closed(""));
    }
}
