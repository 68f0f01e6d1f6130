//! Times code-block highlighting (issue 12) on the fenced blocks of a corpus:
//! `cargo run --release --example highlight_bench -- DIR [PASSES]`, with DIR made by
//! `cargo run --release --example gen_corpus -- 1000 DIR --code`.
//!
//! Prints the cost of the first pass (grammars loaded and regexes compiled on first use), the
//! mean of the later passes per block and per line, one pass on every rayon thread, a pass
//! through a warm cache, and the cost per line of each language. Plain escaping of the same
//! blocks (what mekong does without highlighting) is the baseline.

use mekong::markdown::highlight::{CodeInfo, HighlightOptions, Highlighter};
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

fn blocks_of(dir: &Path, out: &mut Vec<(String, String)>) {
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
                        current = Some((info.to_string(), String::new()))
                    }
                    Event::Text(t) => {
                        if let Some((_, code)) = current.as_mut() {
                            code.push_str(&t);
                        }
                    }
                    Event::End(TagEnd::CodeBlock) => out.extend(current.take()),
                    _ => {}
                }
            }
        }
    }
}

fn per(d: Duration, n: usize) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6 / n.max(1) as f64)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: highlight_bench DIR [PASSES]");
    let passes: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let mut blocks = Vec::new();
    blocks_of(&Path::new(&dir).join("content"), &mut blocks);
    let infos: Vec<CodeInfo> = blocks.iter().map(|(i, _)| CodeInfo::parse(i)).collect();
    let lines: usize = blocks.iter().map(|(_, c)| c.lines().count()).sum();
    let bytes: usize = blocks.iter().map(|(_, c)| c.len()).sum();
    let opts = HighlightOptions::default();
    println!(
        "{} blocks, {lines} lines, {} KiB of code in {dir}",
        blocks.len(),
        bytes / 1024
    );

    let run = |h: &Highlighter| -> (Duration, usize) {
        let t = Instant::now();
        let mut out = 0;
        for (info, (_, code)) in infos.iter().zip(&blocks) {
            out += h.render_block(info, code, &opts).0.len();
        }
        (t.elapsed(), out)
    };

    let h = Highlighter::without_cache();
    let (first, html_bytes) = run(&h);
    println!(
        "first pass (loads grammars, compiles regexes): {:.1} ms, {} per block",
        first.as_secs_f64() * 1e3,
        per(first, blocks.len())
    );
    let mut times = Vec::new();
    for _ in 0..passes {
        times.push(run(&h).0);
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "later passes, median of {passes}: {:.1} ms, {} per block, {} per line; HTML {} KiB ({:.1}x the code)",
        median.as_secs_f64() * 1e3,
        per(median, blocks.len()),
        per(median, lines),
        html_bytes / 1024,
        html_bytes as f64 / bytes as f64
    );

    let t = Instant::now();
    let _: usize = infos
        .par_iter()
        .zip(&blocks)
        .map(|(info, (_, code))| h.render_block(info, code, &opts).0.len())
        .sum();
    let par = t.elapsed();
    println!(
        "one pass on {} rayon threads: {:.1} ms",
        rayon::current_num_threads(),
        par.as_secs_f64() * 1e3
    );

    let cached = Highlighter::new();
    run(&cached);
    cached.clear_cache();
    let (miss, _) = run(&cached);
    let (hit, _) = run(&cached);
    println!(
        "with the cache: a pass of misses {:.1} ms, a pass of hits {:.1} ms ({} per block)",
        miss.as_secs_f64() * 1e3,
        hit.as_secs_f64() * 1e3,
        per(hit, blocks.len())
    );

    let plain = HighlightOptions {
        highlight: false,
        ..HighlightOptions::default()
    };
    let t = Instant::now();
    for (info, (_, code)) in infos.iter().zip(&blocks) {
        std::hint::black_box(h.render_block(info, code, &plain));
    }
    let base = t.elapsed();
    println!(
        "baseline, same markup without highlighting: {:.1} ms, {} per block",
        base.as_secs_f64() * 1e3,
        per(base, blocks.len())
    );

    let mut by_lang: BTreeMap<String, (Duration, usize, usize)> = BTreeMap::new();
    for _ in 0..passes.min(3) {
        for (info, (_, code)) in infos.iter().zip(&blocks) {
            let t = Instant::now();
            std::hint::black_box(h.render_block(info, code, &opts));
            let e = by_lang
                .entry(info.lang.clone().unwrap_or_default())
                .or_default();
            e.0 += t.elapsed();
            e.1 += code.lines().count();
            e.2 += 1;
        }
    }
    println!("per language (µs per line, µs per block):");
    for (lang, (d, l, n)) in by_lang {
        println!("  {lang:<12} {:>6} {:>8}", per(d, l), per(d, n));
    }
}
