//! Generates a deterministic documentation corpus for benchmarks:
//! `cargo run --release --example gen_corpus -- <pages> <dir> [--code] [--flat]`.
//!
//! N pages of documentation prose (300 to 1,500 words) with h2/h3 headings, lists, a table, a
//! fenced code block, footnotes, links to other pages of the corpus and `#anchor` links, in
//! nested sections of 20 pages (20 sections per parent section), with YAML front matter (title,
//! description, date, weight). The same N always gives the same bytes.
//!
//! With `--code` (or `GEN_CORPUS_CODE=1`) the corpus is code-heavy, for the highlighting
//! benchmarks of issue 12: every page gets two or three fenced blocks in varied languages
//! instead of the one Rust block, sized so that about 30% of its non-blank lines are code. The
//! blocks are cut from [`SNIPPETS`] at a page-dependent line and get page-dependent
//! identifiers (a word and a number), so few blocks repeat exactly: 6.5% of the 24,894 blocks
//! at 10,000 pages, as short shared snippets do in real docs (no cache can fake speed).
//!
//! With `--flat` (or `GEN_CORPUS_FLAT=1`) every page goes into one section, `flat/`, for the
//! navigation-size measurements of issue 17. Page i reads the same as in the nested corpus;
//! only its folder and its link targets differ.

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

/// Language and source of the snippets that code-heavy pages cut their blocks from. `WORD` is
/// replaced by a word of the page, so blocks differ from page to page. Only language names
/// that mekong and Hugo's Chroma both know.
const SNIPPETS: &[(&str, &str)] = &[
    (
        "rust",
        r#"use std::collections::HashMap;

/// A borrowed view of one WORD.
#[derive(Debug, Clone)]
pub struct View<'a, T: AsRef<str>> {
    title: &'a str,
    items: Vec<T>,
}

impl<'a, T: AsRef<str>> View<'a, T> {
    pub fn longest(&self) -> Option<&str> {
        self.items.iter().map(|s| s.as_ref()).max_by_key(|s| s.len())
    }
}

fn WORD_count(text: &str) -> HashMap<&str, usize> {
    let mut counts = HashMap::new();
    for w in text.split_whitespace() {
        *counts.entry(w).or_insert(0) += 1;
    }
    counts
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let counts = WORD_count("the WORD and the site");
    println!("{:?} {}", counts, r"raw");
    Ok(())
}"#,
    ),
    (
        "toml",
        r#"[package]
name = "WORD"
version = "0.1.0"
edition = "2024"

[dependencies]
serde = { version = "1", features = ["derive"] }
WORD = { path = "../WORD", default-features = false }

[profile.release]
debug = false
codegen-units = 16
lto = "thin"

[[bench]]
name = "WORD"
harness = false"#,
    ),
    (
        "yaml",
        r#"title: The WORD site
base_url: https://example.org/WORD/
language: en
search: true
extra:
  stylesheets:
    - assets/WORD.css
  menu:
    - name: Home
      url: /
    - name: WORD
      url: /WORD/
  retries: 3
  enabled: false"#,
    ),
    (
        "json",
        r#"{
  "name": "WORD",
  "version": "1.2.3",
  "private": true,
  "scripts": {
    "build": "mekong build",
    "WORD": "node scripts/WORD.js"
  },
  "dependencies": {
    "WORD": "^2.0.0"
  },
  "retries": 3,
  "timeout": 1.5
}"#,
    ),
    (
        "console",
        r#"$ cargo install mekong
    Updating crates.io index
  Installing mekong v0.1.0
$ mekong init WORD
wrote a new site to WORD/
$ cd WORD && mekong build --base-url /WORD/
built 12 pages in 0.03 s
$ ls public/
404.html  assets  index.html  WORD  sitemap.xml"#,
    ),
    (
        "python",
        r#"import json
from pathlib import Path


class WORDIndex:
    """Keeps the WORD of every page."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.pages: dict[str, int] = {}

    def add(self, name: str, words: int = 0) -> None:
        if words < 0:
            raise ValueError(f"negative count for {name!r}")
        self.pages[name] = words

    def save(self) -> None:
        data = json.dumps(self.pages, indent=2)
        (self.root / "WORD.json").write_text(data)  # one file"#,
    ),
    (
        "javascript",
        r#"// Loads the WORD index once and filters it.
const cache = new Map();

export async function loadWORD(url) {
  if (cache.has(url)) return cache.get(url);
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    throw new Error(`could not load ${url}: ${response.status}`);
  }
  const data = await response.json();
  cache.set(url, data);
  return data.filter((item) => item.WORD !== undefined && item.weight > 0);
}"#,
    ),
    (
        "typescript",
        r#"interface WORDPage {
  title: string;
  url: string;
  weight?: number;
}

export function sortWORD(pages: WORDPage[]): WORDPage[] {
  return [...pages].sort((a, b) => (a.weight ?? 0) - (b.weight ?? 0) || a.title.localeCompare(b.title));
}

export const first = (pages: WORDPage[]): WORDPage | undefined => sortWORD(pages)[0];"#,
    ),
    (
        "go",
        r#"package main

import (
	"fmt"
	"os"
)

// WORD holds one page.
type WORD struct {
	Title string
	Words int
}

func main() {
	pages := []WORD{{"home", 120}, {"about", 80}}
	for i, p := range pages {
		fmt.Printf("%d: %s (%d words)\n", i, p.Title, p.Words)
	}
	if len(pages) == 0 {
		os.Exit(1)
	}
}"#,
    ),
    (
        "html",
        r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>WORD</title>
  <link rel="stylesheet" href="/assets/WORD.css">
</head>
<body>
  <!-- the WORD page -->
  <main id="main" class="prose">
    <h1>WORD</h1>
    <p>Read the <a href="/WORD/">WORD guide</a> first.</p>
  </main>
</body>
</html>"#,
    ),
    (
        "css",
        r#"/* WORD styles */
:root {
  --WORD-bg: #ffffff;
  --WORD-fg: #1b2226;
}

.WORD > pre {
  margin: 0 0 1rem;
  padding: 0.9rem 1rem;
  background: var(--WORD-bg);
  border-radius: 6px;
}

@media (prefers-color-scheme: dark) {
  .WORD { color: #e2e8ea; }
}"#,
    ),
    (
        "sql",
        r#"-- pages with the most WORD
CREATE TABLE WORD (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    words INTEGER DEFAULT 0
);

SELECT title, words
FROM WORD
WHERE words > 100 AND title LIKE '%guide%'
ORDER BY words DESC
LIMIT 10;"#,
    ),
    (
        "bash",
        r#"#!/bin/sh
set -eu
# Build every WORD site below the current folder.
for site in */site.yaml; do
  dir=$(dirname "$site")
  if [ -d "$dir/content" ]; then
    echo "building $dir" >&2
    mekong build --root "$dir" || exit 1
  fi
done
tar -czf WORD.tar.gz */public"#,
    ),
    (
        "dockerfile",
        r#"FROM rust:1-slim AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked

FROM debian:stable-slim
# the WORD image
COPY --from=build /src/target/release/mekong /usr/local/bin/mekong
ENV WORD=1
EXPOSE 1111
ENTRYPOINT ["mekong", "serve", "--bind", "0.0.0.0"]"#,
    ),
    (
        "diff",
        r#"--- a/src/WORD.rs
+++ b/src/WORD.rs
@@ -10,7 +10,8 @@ fn render(page: &Page) -> String {
     let mut out = String::new();
-    out.push_str(&page.title);
+    out.push_str(&escape(&page.title));
+    out.push('\n');
     for WORD in &page.items {
         out.push_str(WORD);
     }"#,
    ),
    (
        "c",
        r#"#include <stdio.h>
#include <string.h>

/* Counts the WORD in a line. */
static int count_WORD(const char *line) {
    int n = 0;
    for (const char *p = line; *p != '\0'; p++) {
        if (*p == ' ') n++;
    }
    return n + 1;
}

int main(int argc, char **argv) {
    printf("%d\n", argc > 1 ? count_WORD(argv[1]) : 0);
    return 0;
}"#,
    ),
];

/// A code block of about `lines` lines cut from a snippet, with the page's words in it.
fn code_block(rng: &mut Rng, snippet: usize, lines: usize, out: &mut String) {
    let (lang, src) = SNIPPETS[snippet % SNIPPETS.len()];
    let all: Vec<&str> = src.lines().collect();
    let lines = lines.clamp(3, all.len());
    let start = rng.below(all.len() - lines + 1);
    // A word of the page and a number: two blocks cut at the same line of one snippet differ
    // too, as real docs' blocks do. With the word alone (10 words), 35% of the 24,894 blocks
    // of the 10,000-page corpus repeated an earlier block exactly, which an in-build cache of
    // blocks served for free; now 6.5% do (short cuts without the word).
    let word = format!("{}_{}", rng.word(), rng.below(10_000));
    let _ = writeln!(out, "```{lang}");
    for line in &all[start..start + lines] {
        out.push_str(&line.replace("WORD", &word));
        out.push('\n');
    }
    out.push_str("```\n\n");
}

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

/// Where page `i` lives: nested folders of 20, or the one folder `flat/`.
fn page_path(i: usize, n: usize, flat: bool) -> PathBuf {
    if flat {
        return Path::new("flat").join(format!("page-{i}.md"));
    }
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
    let mut code_heavy = std::env::var_os("GEN_CORPUS_CODE").is_some_and(|v| v == "1");
    let mut flat = std::env::var_os("GEN_CORPUS_FLAT").is_some_and(|v| v == "1");
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| {
            code_heavy |= a == "--code";
            flat |= a == "--flat";
            a != "--code" && a != "--flat"
        })
        .collect();
    let mut args = args.into_iter();
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
        let path = page_path(i, n, flat);
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
        let other = page_path(rng.below(n), n, flat);
        let _ = write!(
            body,
            "See [the details](#details), [another page]({}) and [its usage]({}#usage).[^note]\n\n",
            rel_link(&other),
            rel_link(&page_path(rng.below(n), n, flat))
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
                if !code_heavy {
                    body.push_str("```rust\nfn main() {\n    println!(\"hello\");\n}\n```\n\n");
                }
            }
        }
        body.push_str("## Usage {#usage}\n\n");
        para(&mut rng, &mut body, &mut written);
        body.push_str("[^note]: A footnote with more words.\n");
        if code_heavy {
            // Code lines C such that C / (prose lines + C) is about 30%, in 2 or 3 blocks of
            // different languages: the first after the overview, the others before the usage.
            let prose_lines = body.lines().filter(|l| !l.trim().is_empty()).count();
            let code_lines = (prose_lines * 3).div_ceil(7);
            let blocks = 2 + rng.below(2);
            let first = rng.below(SNIPPETS.len());
            let mut early = String::new();
            let mut late = String::new();
            for b in 0..blocks {
                let share = code_lines / blocks + usize::from(b < code_lines % blocks);
                let out = if b == 0 { &mut early } else { &mut late };
                code_block(&mut rng, first + b * 5, share, out);
            }
            let at = body.rfind("## Usage").unwrap_or(body.len());
            body.insert_str(at, &late);
            let at = body.find("## Details").unwrap_or(body.len());
            body.insert_str(at, &early);
        }
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
