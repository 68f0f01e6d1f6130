//! Generates a deterministic documentation corpus for benchmarks:
//! `cargo run --release --example gen_corpus -- <pages> <dir>`.
//!
//! N pages of documentation prose (300 to 1,500 words) with h2/h3 headings, lists, a table, a
//! fenced code block, footnotes, links to other pages of the corpus and `#anchor` links, in
//! nested sections of 20 pages (20 sections per parent section), with YAML front matter (title,
//! description, date, weight). The same N always gives the same bytes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const WORDS: &[&str] = &[
    "the",
    "site",
    "page",
    "build",
    "template",
    "section",
    "render",
    "link",
    "anchor",
    "output",
    "content",
    "configure",
    "server",
    "request",
    "cache",
    "index",
    "search",
    "theme",
    "value",
    "module",
    "function",
    "example",
    "option",
    "default",
    "reader",
    "writer",
    "change",
    "deploy",
    "release",
    "version",
    "network",
    "storage",
    "format",
    "parser",
    "error",
    "message",
    "field",
    "record",
    "stream",
    "buffer",
    "thread",
    "process",
    "signal",
    "memory",
    "layout",
    "style",
    "and",
    "of",
    "to",
    "in",
    "with",
    "for",
    "when",
    "each",
    "every",
    "which",
    "that",
    "is",
    "a",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: small, fast and the same everywhere.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn word(&mut self) -> &'static str {
        WORDS[self.below(WORDS.len())]
    }
    fn sentence(&mut self, out: &mut String, words: usize) {
        for i in 0..words {
            let w = self.word();
            if i == 0 {
                let mut c = w.chars();
                if let Some(f) = c.next() {
                    out.extend(f.to_uppercase());
                    out.push_str(c.as_str());
                }
            } else {
                out.push(' ');
                out.push_str(w);
            }
        }
        out.push_str(". ");
    }
}

/// Where page `i` lives: nested folders of 20.
fn page_path(i: usize, n: usize) -> PathBuf {
    let mut parts = Vec::new();
    let mut group = i / 20;
    let mut levels = 0;
    let mut span = n.div_ceil(20);
    while span > 1 {
        parts.push(format!("s{}", group % 20));
        group /= 20;
        span = span.div_ceil(20);
        levels += 1;
    }
    let _ = levels;
    parts.reverse();
    let mut p = PathBuf::new();
    for part in parts {
        p.push(part);
    }
    p.push(format!("page-{i}.md"));
    p
}

/// A link from the content root, so it is right from any page.
fn rel_link(to: &Path) -> String {
    format!("@/{}", to.to_string_lossy().replace('\\', "/"))
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| format!("/tmp/corpus-{n}")));
    let content = dir.join("content");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&content).expect("create the corpus folder");
    std::fs::write(
        dir.join("site.yaml"),
        format!("title: Corpus of {n} pages\ndescription: A generated benchmark corpus.\nbase_url: https://example.org/docs/\nsearch: false\n"),
    )
    .expect("write site.yaml");
    std::fs::write(
        content.join("_index.md"),
        "---\ntitle: Home\ndescription: The corpus home.\n---\nThe corpus.\n",
    )
    .expect("write home");
    let mut sections = std::collections::BTreeSet::new();
    for i in 0..n {
        // Seeded by the page number, so page i reads the same at every N (only its link
        // targets differ): its size can be compared across corpus sizes.
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (i as u64 + 1).wrapping_mul(0x1000_0000_01B3));
        let path = page_path(i, n);
        let mut dir_part = path.parent().map(Path::to_path_buf).unwrap_or_default();
        while !dir_part.as_os_str().is_empty() {
            sections.insert(dir_part.clone());
            dir_part = dir_part.parent().map(Path::to_path_buf).unwrap_or_default();
        }
        let words = 300 + rng.below(1200);
        let mut body = String::with_capacity(words * 8);
        let _ = write!(
            body,
            "---\ntitle: \"Page {i}: {} {}\"\ndescription: \"How the {} {} works.\"\ndate: 20{:02}-{:02}-{:02}\nweight: {}\n---\n",
            rng.word(),
            rng.word(),
            rng.word(),
            rng.word(),
            10 + rng.below(15),
            1 + rng.below(12),
            1 + rng.below(28),
            i % 20
        );
        let mut written = 0;
        let para = |rng: &mut Rng, body: &mut String, written: &mut usize| {
            for _ in 0..4 {
                let w = 8 + rng.below(12);
                rng.sentence(body, w);
                *written += w;
            }
            body.push_str("\n\n");
        };
        para(&mut rng, &mut body, &mut written);
        body.push_str("## Overview\n\n");
        para(&mut rng, &mut body, &mut written);
        let other = page_path(rng.below(n), n);
        let _ = write!(
            body,
            "See [the details](#details), [another page]({}) and [its usage]({}#usage).[^note]\n\n",
            rel_link(&other),
            rel_link(&page_path(rng.below(n), n))
        );
        body.push_str("- first item of the list\n- second item with `code`\n- third item\n\n");
        body.push_str("## Details {#details}\n\n");
        let mut h = 0;
        while written < words {
            h += 1;
            let _ = write!(body, "### Part {h}\n\n");
            para(&mut rng, &mut body, &mut written);
            if h == 1 {
                body.push_str("| option | default | meaning |\n|---|---|---|\n| `depth` | 3 | how deep |\n| `mode` | fast | which way |\n\n");
                body.push_str("```rust\nfn main() {\n    println!(\"hello\");\n}\n```\n\n");
            }
        }
        body.push_str("## Usage {#usage}\n\n");
        para(&mut rng, &mut body, &mut written);
        body.push_str("[^note]: A footnote with more words.\n");
        let file = content.join(&path);
        std::fs::create_dir_all(file.parent().expect("pages are in folders"))
            .expect("create section");
        std::fs::write(&file, body).expect("write page");
    }
    for (k, s) in sections.iter().enumerate() {
        let name = s
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        std::fs::write(
            content.join(s).join("_index.md"),
            format!("---\ntitle: \"Section {name}\"\ndescription: \"Pages of section {name}.\"\nweight: {k}\n---\nThis section groups related pages.\n"),
        )
        .expect("write section");
    }
    println!(
        "wrote {n} pages in {} sections to {}",
        sections.len(),
        dir.display()
    );
}
