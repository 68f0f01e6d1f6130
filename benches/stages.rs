//! Criterion benchmarks of mekong's pipeline stages, each on the same corpus.
//!
//! The corpus is `$MEKONG_BENCH_CORPUS` when set (a site folder made by
//! `cargo run --release --example gen_corpus -- 500 DIR`; `bench/stages.sh` does that and runs
//! this), else a smaller corpus generated here in-process (same shape: nested sections of 20,
//! headings, a table, code, footnotes, `@/` links and `#anchor` links).
//!
//! ```sh
//! bench/stages.sh                                   # 500 pages, then cargo bench
//! MEKONG_BENCH_CORPUS=/tmp/corpus-500 cargo bench --bench stages -- --quick
//! MEKONG_BENCH_ONCE=1 MEKONG_BENCH_CORPUS=/tmp/bench-10000/site cargo bench --bench stages
//! ```
//!
//! Each stage is measured alone, on the output of the stages before it (computed once, outside
//! the measurement), with the same parallelism as `mekong::produce` (rayon over pages where
//! the library uses it). `write` writes a clean output folder on every iteration, so it is the
//! file system's cost as much as mekong's: put the corpus and `TMPDIR` on the file system you
//! care about.

use criterion::{BatchSize, Criterion, criterion_group};
use mekong::error::Diagnostic;
use mekong::output::{Data, Memory, Output, Sink};
use mekong::{config, link, load, markdown, quote, render, search, verify, write};
use rayon::prelude::*;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// The site folder to benchmark on, and a guard that removes it when it was generated here.
fn corpus() -> (PathBuf, Option<tempfile::TempDir>) {
    if let Some(dir) = std::env::var_os("MEKONG_BENCH_CORPUS") {
        let dir = PathBuf::from(dir);
        assert!(
            dir.join("content").is_dir(),
            "MEKONG_BENCH_CORPUS={} has no content/ folder",
            dir.display()
        );
        return (dir, None);
    }
    let tmp = tempfile::tempdir().expect("a temporary folder");
    generate(tmp.path(), 200);
    eprintln!(
        "stages: MEKONG_BENCH_CORPUS is not set; using 200 pages generated in {} (bench/stages.sh uses 500 from examples/gen_corpus)",
        tmp.path().display()
    );
    (tmp.path().to_path_buf(), Some(tmp))
}

/// A small deterministic corpus of the same shape as examples/gen_corpus.rs.
fn generate(dir: &Path, n: usize) {
    const WORDS: &[&str] = &[
        "the", "site", "page", "build", "template", "section", "render", "link", "anchor",
        "output", "content", "server", "cache", "index", "module", "option", "and", "of", "to",
        "with", "for", "each", "which", "is", "a",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |k: usize| {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_F491_4F6C_DD1D) % k as u64) as usize
    };
    let sections = n.div_ceil(20);
    let path = |i: usize| format!("s{}/page-{i}.md", i / 20);
    let content = dir.join("content");
    std::fs::create_dir_all(&content).expect("create content/");
    std::fs::write(
        dir.join("site.yaml"),
        "title: Stage benchmark corpus\nbase_url: https://example.org/docs/\nsearch: false\n",
    )
    .expect("write site.yaml");
    std::fs::write(
        content.join("_index.md"),
        "---\ntitle: Home\n---\nThe corpus.\n",
    )
    .expect("write the home page");
    for s in 0..sections {
        std::fs::create_dir_all(content.join(format!("s{s}"))).expect("create a section");
        std::fs::write(
            content.join(format!("s{s}/_index.md")),
            format!("---\ntitle: Section {s}\nweight: {s}\n---\nThis section groups pages.\n"),
        )
        .expect("write a section");
    }
    for i in 0..n {
        let mut sentence = |out: &mut String, words: usize| {
            for w in 0..words {
                if w > 0 {
                    out.push(' ');
                }
                out.push_str(WORDS[next(WORDS.len())]);
            }
            out.push_str(". ");
        };
        let mut body = format!(
            "---\ntitle: \"Page {i}\"\ndescription: \"How page {i} works.\"\ndate: 2024-01-{:02}\nweight: {}\n---\n",
            1 + i % 28,
            i % 20
        );
        let para = |body: &mut String, sentence: &mut dyn FnMut(&mut String, usize)| {
            for _ in 0..4 {
                sentence(body, 12);
            }
            body.push_str("\n\n");
        };
        para(&mut body, &mut sentence);
        body.push_str("## Overview\n\n");
        para(&mut body, &mut sentence);
        let _ = write!(
            body,
            "See [the details](#details), [another page](@/{}) and [its usage](@/{}#usage).[^note]\n\n",
            path((i * 7 + 3) % n),
            path((i * 13 + 5) % n)
        );
        body.push_str("- first item\n- second item with `code`\n\n## Details {#details}\n\n");
        for h in 1..=4 {
            let _ = write!(body, "### Part {h}\n\n");
            para(&mut body, &mut sentence);
        }
        body.push_str(
            "| option | default |\n|---|---|\n| `depth` | 3 |\n\n```rust\nfn main() {}\n```\n\n",
        );
        body.push_str("## Usage {#usage}\n\n");
        para(&mut body, &mut sentence);
        body.push_str("[^note]: A footnote.\n");
        std::fs::write(content.join(path(i)), body).expect("write a page");
    }
}

/// The sink chain that `mekong::build` uses: each page scanned for the output check, then
/// handed to `inner`.
fn scanning(input: &render::Input, inner: Arc<dyn Sink>) -> Arc<dyn Sink> {
    let checker = verify::Checker::new(input.config, render::expected_paths(input));
    Arc::new(verify::Scanning::new(checker, inner))
}

/// `get_page`'s page index, as `render::Templates::load` takes it.
fn page_index(input: &render::Input) -> Arc<RwLock<HashMap<String, tera::Value>>> {
    Arc::new(RwLock::new(render::page_index(input)))
}

fn no_errors(what: &str, errors: &[Diagnostic]) {
    assert!(
        errors.is_empty(),
        "{what}: {} errors, the first: {}",
        errors.len(),
        errors[0]
    );
}

fn stages(c: &mut Criterion) {
    let (root, _guard) = corpus();
    let config = config::load(&root, &config::Overrides { base_url: None }).expect("site.yaml");

    // Every stage's input, computed once.
    let (content, errors) = load::load(&root, false, false, false);
    no_errors("load", &errors);
    let (site, errors) = link::link(&content, &config.title);
    no_errors("link", &errors);
    let sources = quote::Sources::new(&config.sources);
    let shared = markdown::Env {
        site: &site,
        content: &content,
        config: &config,
        sources: &sources,
        glossary: None,
        glossary_node: None,
        components: None,
        highlighter: None,
        code: Default::default(),
    };
    let markdown_all =
        || -> mekong::ids::IdVec<mekong::link::NodeId, Option<markdown::Rendered>> {
            site.nodes
                .par_ids()
                .map(|id| {
                    site.nodes[id].doc.map(|i| {
                        let mut errs = Vec::new();
                        let r = markdown::render(&content.docs[i], id, &shared, &mut errs);
                        debug_assert!(errs.is_empty());
                        r
                    })
                })
                .collect()
        };
    let rendered = markdown_all();
    no_errors(
        "anchors",
        &verify::anchors(&content, &site, &rendered, &config),
    );
    let input = render::Input {
        config: &config,
        content: &content,
        site: &site,
        rendered: &rendered,
    };
    let templates = render::Templates::load(&root, &config, page_index(&input)).expect("templates");
    let (output, errors) =
        render::render(&input, &templates, scanning(&input, Arc::new(Memory)), None);
    no_errors("render", &errors);
    no_errors("verify::output", &verify::output(&output, &config));
    let pages = content.docs.len();
    let bytes: u64 = output.files.values().map(|f| f.data.size()).sum();
    eprintln!(
        "stages: {} ({pages} Markdown files, {} output files, {:.1} MB)",
        root.display(),
        output.files.len(),
        bytes as f64 / 1e6
    );
    // The pages as the search index gets them: URL with the base path, and the HTML.
    let html_pages: Vec<(String, &[u8])> = site
        .nodes
        .ids()
        .filter_map(|id| match &output.files.get(&site.file(id))?.data {
            Data::Bytes(b) => Some((
                format!("{}{}", config.base_path, site.nodes[id].path),
                b.as_slice(),
            )),
            _ => None,
        })
        .collect();

    let mut g = c.benchmark_group("stages");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));

    g.bench_function("load", |b| {
        b.iter(|| black_box(load::load(&root, false, false, false)))
    });
    g.bench_function("link", |b| {
        b.iter(|| black_box(link::link(&content, &config.title)))
    });
    g.bench_function("markdown", |b| b.iter(|| black_box(markdown_all())));
    g.bench_function("anchors", |b| {
        b.iter(|| black_box(verify::anchors(&content, &site, &rendered, &config)))
    });
    g.bench_function("templates_load", |b| {
        b.iter(|| black_box(render::Templates::load(&root, &config, page_index(&input)).is_ok()))
    });
    // Rendering includes scanning each page for the output check (done as pages are made).
    g.bench_function("render", |b| {
        b.iter(|| {
            black_box(render::render(
                &input,
                &templates,
                scanning(&input, Arc::new(Memory)),
                None,
            ))
        })
    });
    // The output check: what is left after rendering (`verify::output`), and the scan of
    // every page that rendering does on the way (`verify::scan_file`).
    g.bench_function("verify_output", |b| {
        b.iter(|| black_box(verify::output(&output, &config)))
    });
    g.bench_function("verify_scan", |b| {
        b.iter(|| {
            output
                .files
                .par_iter()
                .filter_map(|(path, f)| match &f.data {
                    Data::Bytes(b) if path.ends_with(".html") || path.ends_with(".xml") => {
                        Some(verify::scan_file(path, b).urls.len())
                    }
                    _ => None,
                })
                .sum::<usize>()
        })
    });
    g.bench_function("search", |b| {
        b.iter(|| {
            let indexer = search::Indexer::start(&config);
            for (url, html) in &html_pages {
                indexer.add(indexer.parse(url, html));
            }
            black_box(indexer.finish(true).expect("search index").pages)
        })
    });
    // A clean write: a new output folder each time. The old ones are deleted only after the
    // benchmark, not between iterations: on an ext4 without a journal, files created right
    // after a large delete are slower to create (the kernel's recently_deleted() check), and
    // that would be measured as write's cost.
    let out_parent =
        tempfile::tempdir_in(root.parent().unwrap_or(&root)).expect("a temporary folder");
    let mut n = 0usize;
    g.bench_function("write", |b| {
        b.iter_batched(
            || {
                n += 1;
                out_parent.path().join(format!("public-{n}"))
            },
            |out_dir| {
                let staging =
                    write::Staging::begin(&out_dir, Path::new("public")).expect("staging");
                let staging = Arc::new(staging);
                let mut staged = Output::new(staging.clone());
                let mut errors = Vec::new();
                for (path, f) in &output.files {
                    staged.add(path.clone(), f.clone(), &mut errors);
                }
                debug_assert!(errors.is_empty());
                black_box(write::finish(&staging, &staged).expect("write"))
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

/// `MEKONG_BENCH_ONCE=1`: one pass through the stages, each timed once (wall clock), in the
/// order `mekong::build` runs them, for a stage breakdown of a large corpus where criterion's
/// repeated sampling would take too long. `render` keeps the output in memory (it scans each
/// page for the output check on the way, as in a build); `write` then writes it to a new
/// folder beside the corpus.
fn once() {
    use std::time::Instant;
    let (root, _guard) = corpus();
    let mut times: Vec<(&str, f64)> = Vec::new();
    let mut t = Instant::now();
    let mut lap = |name: &'static str, times: &mut Vec<(&str, f64)>| {
        times.push((name, t.elapsed().as_secs_f64()));
        t = Instant::now();
    };
    let config = config::load(&root, &config::Overrides { base_url: None }).expect("site.yaml");
    lap("config", &mut times);
    let (content, errors) = load::load(&root, false, false, false);
    no_errors("load", &errors);
    lap("load", &mut times);
    let (site, errors) = link::link(&content, &config.title);
    no_errors("link", &errors);
    lap("link", &mut times);
    let sources = quote::Sources::new(&config.sources);
    let shared = markdown::Env {
        site: &site,
        content: &content,
        config: &config,
        sources: &sources,
        glossary: None,
        glossary_node: None,
        components: None,
        highlighter: None,
        code: Default::default(),
    };
    let rendered: mekong::ids::IdVec<mekong::link::NodeId, Option<markdown::Rendered>> = site
        .nodes
        .par_ids()
        .map(|id| {
            site.nodes[id].doc.map(|i| {
                let mut errs = Vec::new();
                markdown::render(&content.docs[i], id, &shared, &mut errs)
            })
        })
        .collect();
    lap("markdown", &mut times);
    no_errors(
        "anchors",
        &verify::anchors(&content, &site, &rendered, &config),
    );
    lap("anchors", &mut times);
    let input = render::Input {
        config: &config,
        content: &content,
        site: &site,
        rendered: &rendered,
    };
    let templates = render::Templates::load(&root, &config, page_index(&input)).expect("templates");
    lap("templates_load", &mut times);
    let (output, errors) =
        render::render(&input, &templates, scanning(&input, Arc::new(Memory)), None);
    no_errors("render", &errors);
    lap("render (with scan)", &mut times);
    no_errors("verify::output", &verify::output(&output, &config));
    lap("verify_output", &mut times);
    let indexer = search::Indexer::start(&config);
    for id in site.nodes.ids() {
        if let Some(Data::Bytes(b)) = output.files.get(&site.file(id)).map(|f| &f.data) {
            let url = format!("{}{}", config.base_path, site.nodes[id].path);
            indexer.add(indexer.parse(&url, b));
        }
    }
    let indexed = indexer.finish(true).expect("search index").pages;
    lap("search (not in a search-off build)", &mut times);
    let out_parent =
        tempfile::tempdir_in(root.parent().unwrap_or(&root)).expect("a temporary folder");
    let out_dir = out_parent.path().join("public");
    let staging = write::Staging::begin(&out_dir, Path::new("public")).expect("staging");
    let staging = Arc::new(staging);
    let mut staged = Output::new(staging.clone());
    let mut errors = Vec::new();
    for (path, f) in &output.files {
        staged.add(path.clone(), f.clone(), &mut errors);
    }
    no_errors("write", &errors);
    let report = write::finish(&staging, &staged).expect("write");
    lap("write (clean)", &mut times);
    println!(
        "{}: {} Markdown files, {} output files, {} pages indexed, {} files written",
        root.display(),
        content.docs.len(),
        output.files.len(),
        indexed,
        report.written
    );
    println!("| stage | wall (ms) |\n|---|--:|");
    for (name, secs) in &times {
        println!("| {name} | {:.0} |", secs * 1000.0);
    }
    let total: f64 = times.iter().map(|(_, s)| s).sum();
    println!("| total | {:.0} |", total * 1000.0);
}

criterion_group!(benches, stages);

fn main() {
    if std::env::var_os("MEKONG_BENCH_ONCE").is_some() {
        once();
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
