//! The Markdown renderer with link rewriting, glossary marks and checked quotations, and the
//! anchor check: the in-memory stages of `mekong::produce` (load's parser, link, markdown,
//! verify::anchors) on a small site whose page `topics/page.md` has the fuzzed body. The
//! templates and the output check are fuzzed through `mekong::check` by the `site` target.
//!
//! The first byte holds flags: bit 0 checks quotations on the page, bit 1 adds a glossary,
//! bit 2 turns math on for the page, bit 3 expands component calls (the default theme's
//! `figure`, `details` and `tabs`), bit 4 highlights code blocks.
//! Never panics; every diagnostic names a file, with a 1-based line and column.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mekong::config::{self, Glossary, GlossaryEntry, SourceText};
use mekong::ids::Id;
use mekong::{link, load, markdown, quote, verify};
use std::path::{Path, PathBuf};

const ROOT: &str = "/nonexistent/mekong-fuzz-root";

fn doc(rel: &str, text: &str) -> load::Doc {
    load::parse_doc(rel, text.to_string(), false).unwrap_or_else(|e| panic!("fixture {rel}: {e:?}"))
}

fn entry(term: &str, expansion: &str) -> GlossaryEntry {
    GlossaryEntry {
        term: term.into(),
        expansion: expansion.into(),
        definition: "A definition.".into(),
        background: None,
        id: format!("term-{}", term.to_lowercase().replace(' ', "-")),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Ok(body) = std::str::from_utf8(rest) else {
        return;
    };
    let mut cfg = config::load(Path::new(ROOT), &config::Overrides::default())
        .expect("the default configuration");
    cfg.sources.insert(
        "report".into(),
        SourceText {
            path: PathBuf::from("report.txt"),
            text: "The meeting took place amidst big changes in geo-economics and politics.\n“Quoted words in the source text here.”\n".into(),
        },
    );
    if flags & 2 != 0 {
        cfg.glossary = Some(Glossary {
            file: PathBuf::from("glossary.yaml"),
            page: "glossary.md".into(),
            entries: vec![
                entry("ASEAN", "Association of <Southeast> \"Asian\" Nations"),
                entry("ASEAN Connectivity", "A & B"),
                entry("é", "e acute"),
            ],
        });
    }
    let sources = if flags & 1 != 0 {
        "sources: [report]\n"
    } else {
        ""
    };
    let math = if flags & 4 != 0 { "math: true\n" } else { "" };
    let Ok(page) = load::parse_doc(
        "topics/page.md",
        format!("---\ntitle: Fuzz\n{sources}{math}---\n{body}"),
        false,
    ) else {
        return;
    };

    let mut content = load::Content::default();
    content.docs = vec![
        doc("_index.md", "---\ntitle: Home\n---\nWelcome\n"),
        doc("glossary.md", "---\ntitle: Glossary\n---\n## Terms\n"),
        doc(
            "other.md",
            "---\ntitle: Other\n---\n## Known\n\n### Sub {#sub}\n",
        ),
        doc("topics/_index.md", "---\ntitle: Topics\n---\n"),
        page,
    ]
    .into();
    content.assets.push(load::Asset {
        rel: "topics/pic.png".into(),
        abs: PathBuf::from(ROOT).join("content/topics/pic.png"),
    });
    content.dirs = vec![String::new(), "topics".into()];
    content.failed.insert("topics/broken.md".into());
    content.drafts.insert("topics/draft.md".into());

    let (site, mut errors) = link::link(&content, &cfg.title);
    let srcs = quote::Sources::new(&cfg.sources);
    let glossary_node = cfg
        .glossary
        .as_ref()
        .and_then(|g| site.by_rel.get(&g.page).copied());
    let components = (flags & 8 != 0).then(|| {
        markdown::Components::load(Path::new(ROOT), &cfg, &serde_json::json!({"n": 1}))
            .expect("the default theme's components compile")
    });
    let highlighter = (flags & 16 != 0).then(markdown::highlight::Highlighter::new);
    let shared = markdown::Env {
        site: &site,
        content: &content,
        config: &cfg,
        sources: &srcs,
        glossary: match (&cfg.glossary, glossary_node) {
            (Some(g), Some(n)) => Some((
                format!("{}{}", cfg.base_path, site.nodes[n].path),
                g.entries.as_slice(),
            )),
            _ => None,
        },
        glossary_node,
        components: components.as_ref(),
        highlighter: highlighter.as_ref(),
        code: Default::default(),
    };
    let rendered: mekong::ids::IdVec<mekong::link::NodeId, Option<markdown::Rendered>> = site.nodes.ids()
        .map(|id| {
            site.nodes[id]
                .doc
                .map(|i| markdown::render(&content.docs[i], id, &shared, &mut errors))
        })
        .collect();
    errors.extend(verify::anchors(&content, &site, &rendered, &cfg));
    for d in &errors {
        assert!(!d.path.as_os_str().is_empty(), "{d:?}");
        assert!(
            d.line.is_none_or(|l| l >= 1) && d.column.is_none_or(|c| c >= 1),
            "{d:?}"
        );
    }
    for r in rendered.iter().flatten() {
        for l in &r.links {
            assert!(l.target.index() < site.nodes.len());
        }
    }
});
