//! Issue 12 experiment (not part of mekong): tree-sitter-highlight's cost per line on the blocks of a
//! `gen_corpus --code` corpus, for the languages with a tree-sitter grammar here.
use std::collections::BTreeMap;
use std::time::Instant;
use tree_sitter_highlight::{HighlightConfiguration, Highlighter, HtmlRenderer};

const NAMES: &[&str] = &[
    "attribute",
    "comment",
    "constant",
    "constant.builtin",
    "constructor",
    "embedded",
    "function",
    "function.builtin",
    "function.method",
    "keyword",
    "label",
    "number",
    "operator",
    "property",
    "punctuation",
    "punctuation.bracket",
    "punctuation.delimiter",
    "string",
    "string.special",
    "tag",
    "type",
    "type.builtin",
    "variable",
    "variable.builtin",
    "variable.parameter",
    "escape",
    "module",
];

fn blocks(dir: &std::path::Path, out: &mut BTreeMap<String, Vec<String>>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            blocks(&p, out);
        } else if p.extension().is_some_and(|x| x == "md") {
            let text = std::fs::read_to_string(&p).unwrap();
            let mut cur: Option<(String, String)> = None;
            for line in text.lines() {
                if let Some(rest) = line.strip_prefix("```") {
                    match cur.take() {
                        Some((l, c)) => out.entry(l).or_default().push(c),
                        None => {
                            cur = Some((
                                rest.split([' ', ',']).next().unwrap().to_string(),
                                String::new(),
                            ))
                        }
                    }
                } else if let Some((_, c)) = cur.as_mut() {
                    c.push_str(line);
                    c.push('\n');
                }
            }
        }
    }
}

fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let mut by_lang = BTreeMap::new();
    blocks(std::path::Path::new(&dir), &mut by_lang);
    let js = format!("{}", tree_sitter_javascript::HIGHLIGHT_QUERY);
    let ts = format!(
        "{}\n{}",
        tree_sitter_typescript::HIGHLIGHTS_QUERY,
        tree_sitter_javascript::HIGHLIGHT_QUERY
    );
    let t0 = Instant::now();
    let mk = |lang: tree_sitter::Language, name: &str, hl: &str, inj: &str, loc: &str| {
        let mut c = HighlightConfiguration::new(lang, name, hl, inj, loc).unwrap();
        c.configure(NAMES);
        c
    };
    let configs: Vec<(&str, HighlightConfiguration)> = vec![
        (
            "rust",
            mk(
                tree_sitter_rust::LANGUAGE.into(),
                "rust",
                tree_sitter_rust::HIGHLIGHTS_QUERY,
                tree_sitter_rust::INJECTIONS_QUERY,
                "",
            ),
        ),
        (
            "typescript",
            mk(
                tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
                "typescript",
                &ts,
                "",
                tree_sitter_typescript::LOCALS_QUERY,
            ),
        ),
        (
            "javascript",
            mk(
                tree_sitter_javascript::LANGUAGE.into(),
                "javascript",
                &js,
                "",
                tree_sitter_javascript::LOCALS_QUERY,
            ),
        ),
        (
            "python",
            mk(
                tree_sitter_python::LANGUAGE.into(),
                "python",
                tree_sitter_python::HIGHLIGHTS_QUERY,
                "",
                "",
            ),
        ),
        (
            "c",
            mk(
                tree_sitter_c::LANGUAGE.into(),
                "c",
                tree_sitter_c::HIGHLIGHT_QUERY,
                "",
                "",
            ),
        ),
        (
            "go",
            mk(
                tree_sitter_go::LANGUAGE.into(),
                "go",
                tree_sitter_go::HIGHLIGHTS_QUERY,
                "",
                "",
            ),
        ),
        (
            "bash",
            mk(
                tree_sitter_bash::LANGUAGE.into(),
                "bash",
                tree_sitter_bash::HIGHLIGHT_QUERY,
                "",
                "",
            ),
        ),
        (
            "css",
            mk(
                tree_sitter_css::LANGUAGE.into(),
                "css",
                tree_sitter_css::HIGHLIGHTS_QUERY,
                "",
                "",
            ),
        ),
        (
            "html",
            mk(
                tree_sitter_html::LANGUAGE.into(),
                "html",
                tree_sitter_html::HIGHLIGHTS_QUERY,
                "",
                "",
            ),
        ),
        (
            "json",
            mk(
                tree_sitter_json::LANGUAGE.into(),
                "json",
                tree_sitter_json::HIGHLIGHTS_QUERY,
                "",
                "",
            ),
        ),
    ];
    eprintln!("configs (query compile) {:?}", t0.elapsed());
    let _ = (tree_sitter_cpp::LANGUAGE, tree_sitter_java::LANGUAGE);
    let attrs: Vec<String> = NAMES
        .iter()
        .map(|n| format!("class=\"hl-{}\"", n.replace('.', "-")))
        .collect();
    let mut hl = Highlighter::new();
    let (mut all_lines, mut all_time) = (0usize, 0f64);
    for (name, cfg) in &configs {
        let Some(bs) = by_lang.get(*name) else {
            continue;
        };
        let lines: usize = bs.iter().map(|b| b.lines().count()).sum();
        let mut best = f64::MAX;
        let mut bytes = 0;
        for _ in 0..5 {
            let t = Instant::now();
            bytes = 0;
            for b in bs {
                let events = hl.highlight(cfg, b.as_bytes(), None, |_| None).unwrap();
                let mut r = HtmlRenderer::new();
                r.render(events, b.as_bytes(), &|h, out: &mut Vec<u8>| {
                    out.extend_from_slice(attrs[h.0].as_bytes())
                })
                .unwrap();
                bytes += r.html.len();
            }
            best = best.min(t.elapsed().as_secs_f64());
        }
        all_lines += lines;
        all_time += best;
        println!(
            "{name:12} {:4} blocks {:5} lines  {:6.2} us/line  html {bytes} B",
            bs.len(),
            lines,
            best * 1e6 / lines as f64
        );
    }
    println!(
        "all {all_lines} lines {:.1} ms = {:.2} us/line",
        all_time * 1e3,
        all_time * 1e6 / all_lines as f64
    );
    if let Some(b) = by_lang.get("rust").and_then(|b| b.first()) {
        let events = hl
            .highlight(&configs[0].1, b.as_bytes(), None, |_| None)
            .unwrap();
        let mut r = HtmlRenderer::new();
        r.render(events, b.as_bytes(), &|h, out: &mut Vec<u8>| {
            out.extend_from_slice(attrs[h.0].as_bytes())
        })
        .unwrap();
        println!("{}", String::from_utf8_lossy(&r.html));
    }
}
