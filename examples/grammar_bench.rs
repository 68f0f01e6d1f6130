//! Compares the parse cost of the grammars mekong could use for each language of a corpus
//! (issue 12): `cargo run --release --example grammar_bench -- DIR [PASSES [LANG [N]]]`, with
//! DIR made by `gen_corpus 1000 DIR --code`; LANG and N keep one language and its N-th
//! candidate, for counting instructions on a shared machine:
//! `valgrind --tool=callgrind --toggle-collect='*parse_all*' grammar_bench DIR 1 rust 0`.
//!
//! For every language of the corpus's blocks, parses the same blocks with each candidate
//! grammar, on one thread, and prints µs per line (the fastest pass: on a loaded machine the
//! others measure the load) and how many scope operations the grammar produced (fewer means a
//! coarser grammar). Candidates: the grammar
//! two-face's set gives the name (what mekong uses), other grammars of that set for the same
//! language (`JavaScript` beside `JavaScript (Babel)`), and syntect's own older defaults.

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};
use syntect::parsing::{ParseState, SyntaxReference, SyntaxSet};

fn blocks_of(dir: &Path, out: &mut BTreeMap<String, Vec<String>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            blocks_of(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let mut current: Option<(String, String)> = None;
            for event in Parser::new(&text) {
                match event {
                    Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                        let lang = info.split([' ', ',']).next().unwrap_or("").to_string();
                        current = Some((lang, String::new()))
                    }
                    Event::Text(t) => {
                        if let Some((_, code)) = current.as_mut() {
                            code.push_str(&t);
                        }
                    }
                    Event::End(TagEnd::CodeBlock) => {
                        if let Some((lang, code)) = current.take() {
                            out.entry(lang).or_default().push(code);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

/// Parses every block; returns the time and the number of scope operations.
fn parse_all(ss: &SyntaxSet, syntax: &SyntaxReference, blocks: &[String]) -> (Duration, usize) {
    let t = Instant::now();
    let mut ops = 0;
    for code in blocks {
        let mut state = ParseState::new(syntax);
        for line in code.split_inclusive('\n') {
            ops += state.parse_line(line, ss).map(|o| o.len()).unwrap_or(0);
        }
    }
    (t.elapsed(), ops)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: grammar_bench DIR [PASSES]");
    let passes: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let only_lang = args.next();
    let only_n: Option<usize> = args.next().and_then(|a| a.parse().ok());
    let mut by_lang = BTreeMap::new();
    blocks_of(&Path::new(&dir).join("content"), &mut by_lang);
    let extra = two_face::syntax::extra_newlines();
    let defaults = SyntaxSet::load_defaults_newlines();
    println!("µs per line, fastest of {passes} passes, one thread (scope ops per line)");
    for (lang, blocks) in &by_lang {
        if only_lang.as_ref().is_some_and(|l| l != lang) {
            continue;
        }
        let token = match lang.as_str() {
            "console" => "bash",
            l => l,
        };
        let lines: usize = blocks.iter().map(|b| b.lines().count()).sum();
        let mut candidates: Vec<(String, &SyntaxSet, &SyntaxReference)> = Vec::new();
        if let Some(s) = extra.find_syntax_by_token(token) {
            candidates.push((format!("two-face `{}`", s.name), &extra, s));
            // Other grammars of the set for the same language.
            for other in extra.syntaxes() {
                let prefix: String = s.name.to_lowercase().chars().take(3).collect();
                let same = other.name != s.name
                    && other.name.to_lowercase().starts_with(&prefix)
                    && other
                        .file_extensions
                        .iter()
                        .any(|e| s.file_extensions.contains(e) || e == token);
                if same {
                    candidates.push((format!("two-face `{}`", other.name), &extra, other));
                }
            }
        }
        if let Some(s) = defaults.find_syntax_by_token(token) {
            candidates.push((format!("syntect default `{}`", s.name), &defaults, s));
        }
        for (n, (name, ss, syntax)) in candidates.into_iter().enumerate() {
            if only_n.is_some_and(|o| o != n) {
                continue;
            }
            parse_all(ss, syntax, blocks); // regexes compiled
            let mut times: Vec<(Duration, usize)> =
                (0..passes).map(|_| parse_all(ss, syntax, blocks)).collect();
            times.sort();
            let (d, ops) = times[0];
            println!(
                "  {lang:<11} {name:<40} {:>6.1} µs ({:.1} ops)",
                d.as_secs_f64() * 1e6 / lines.max(1) as f64,
                ops as f64 / lines.max(1) as f64
            );
        }
    }
}
