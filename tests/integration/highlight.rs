//! Code blocks (issue 12): build-time highlighting for every listed language, titles, line
//! numbers, marked lines, Rust doc-test hidden lines, rustdoc flags, the copy button's markup,
//! the `code:` site options, the serve path, and bad input (unknown language, absurd
//! `hl_lines`, an unterminated fence, a 1 MB line, NUL and control characters): never a
//! panic, always a located warning. Fixtures: tests/fixtures/highlight/.

use crate::support::{SiteTest, fixtures};

fn warnings(summary: &mekong::Summary) -> Vec<String> {
    summary
        .produced
        .warnings
        .iter()
        .map(|w| w.to_string())
        .collect()
}

/// The HTML of the code block that follows the heading `## lang`.
fn block_after<'a>(main: &'a str, heading: &str) -> &'a str {
    let h = main
        .find(&format!("<h2 id=\"{heading}\""))
        .unwrap_or_else(|| panic!("no heading {heading}"));
    let rest = &main[h..];
    let start = rest.find("<div class=\"code-block").expect("a code block");
    let end = rest[start..].find("</pre>").expect("end of block") + start;
    &rest[start..end]
}

#[test]
fn every_listed_language_gets_highlighted_spans_without_warnings() {
    let t = SiteTest::fixture("highlight/languages");
    let summary = t.build_ok();
    assert_eq!(warnings(&summary), Vec::<String>::new());
    let main = t.main_of("public/langs/index.html");
    let langs = std::fs::read_to_string(fixtures().join("highlight/languages/LANGS")).unwrap();
    let mut missing = Vec::new();
    for lang in langs.lines().filter(|l| !l.is_empty()) {
        let block = block_after(&main, lang);
        if !block.contains("<span class=\"hl-") {
            missing.push(format!("{lang}: {block}"));
        }
        assert!(
            block.contains(&format!("class=\"language-{lang}\"")),
            "{lang}: {block}"
        );
    }
    assert!(
        missing.is_empty(),
        "no hl- spans for:\n{}",
        missing.join("\n")
    );
    // No colour reaches the HTML: classes only.
    assert!(!main.contains("style=\"color"), "inline colours");
}

#[test]
fn titles_numbers_marks_hidden_lines_flags_and_the_copy_button() {
    let t = SiteTest::fixture("highlight/blocks");
    let summary = t.build_ok();
    assert_eq!(warnings(&summary), Vec::<String>::new());
    let main = t.main_of("public/blocks/index.html");
    // The title is a caption; rustdoc's `ignore` is a flag, not part of the language class.
    assert!(
        main.contains(
            "<figure class=\"code-block has-linenos\" data-lang=\"rust\" data-flags=\"ignore\">"
        ),
        "{main}"
    );
    assert!(main.contains("<figcaption class=\"code-title\">src/main.rs</figcaption>"));
    assert!(main.contains("class=\"language-rust\""));
    assert!(!main.contains("language-rust,ignore"));
    // Hidden lines are not in the page; `##` shows one `#`; numbering skips hidden lines.
    assert!(!main.contains("use std::fmt"), "hidden line shown");
    assert!(!main.contains("hidden = 1"), "hidden line shown");
    assert!(
        crate::support::without_tags(&main).contains("\n# not hidden\n"),
        "{main}"
    );
    assert!(!main.contains("## not hidden"));
    assert!(main.contains("data-n=\"1\""));
    // hl_lines="2" marks the second visible line (`println!`).
    let mark = main
        .find("<mark class=\"line hl-line\">")
        .expect("a marked line");
    assert!(main[mark..].find("println").unwrap() < main[mark..].find("</mark>").unwrap());
    // linenostart=10.
    assert!(main.contains("data-n=\"10\"") && main.contains("data-n=\"11\""));
    // A shell session: prompts and output have their own classes.
    assert!(
        main.contains("<span class=\"hl-prompt\">$ </span>"),
        "{main}"
    );
    assert!(main.contains("<span class=\"hl-output\">"));
    // text, no language and indented blocks are plain (escaped), with no warning.
    assert!(main.contains("plain &lt;b&gt;text&lt;/b&gt;"));
    assert!(main.contains("no language"));
    assert!(main.contains("indented code"));
    // Every block has the copy button, hidden until the script shows it.
    let buttons = main
        .matches("<button type=\"button\" class=\"code-copy\" aria-label=\"Copy code\" hidden>")
        .count();
    assert_eq!(buttons, 7, "{main}");
    // The theme links the stylesheet and the script, and ships both.
    let page = t.read("public/blocks/index.html");
    assert!(page.contains("assets/highlight.css") && page.contains("assets/code-copy.js"));
    assert!(t.exists("public/assets/highlight.css") && t.exists("public/assets/code-copy.js"));
}

#[test]
fn bad_blocks_are_located_warnings_and_the_build_goes_on() {
    let t = SiteTest::fixture("highlight/bad");
    let summary = t.build_ok();
    let all = warnings(&summary).join("\n");
    for want in [
        "content/bad.md:7:1: unknown language `rsut` in a code block; it is shown as plain text\n  hint: did you mean `rust`?",
        "content/bad.md:11:1: `hl_lines` marks line 999999, outside this block (its lines are numbered 1 to 1)",
        "content/bad.md:15:1: `hl_lines` range `3-1` runs backwards\n  hint: write it as `1-3`",
        "content/bad.md:21:1: `hl_lines` has `x`, which is not a line number or range\n  hint: ",
        "content/bad.md:25:1: the value of `title` has no closing \"\n  hint: close the quote: title=\"...\"",
        "content/bad.md:31:1: code block is never closed",
    ] {
        assert!(all.contains(want), "missing {want:?} in:\n{all}");
    }
    let main = t.main_of("public/bad/index.html");
    assert!(
        crate::support::without_tags(&main).contains("fn open() {"),
        "the open block is still shown"
    );
}

#[test]
fn huge_lines_nul_and_control_characters_never_panic() {
    let t = SiteTest::fixture("highlight/bad");
    let long = "x".repeat(1 << 20);
    t.write(
        "content/huge.md",
        &format!("---\ntitle: Huge\n---\n\n```js\nvar a = \"{long}\";\n```\n\n```rust\nlet a = \"\u{0}\u{1}\u{7}\u{1b}[0m\\xff\\u{{fffe}}\";\n```\n"),
    );
    let summary = t.build_ok();
    let all = warnings(&summary).join("\n");
    assert!(
        all.contains("content/huge.md:5:1: code block of 1024 KiB is not highlighted"),
        "{all}"
    );
    let main = t.main_of("public/huge/index.html");
    assert!(
        !main.contains('\u{0}') && !main.contains('\u{1b}'),
        "raw control characters"
    );
    assert!(main.contains("\\xff"));
}

#[test]
fn site_options_turn_numbers_the_button_and_hidden_lines_on_or_off() {
    let t = SiteTest::fixture("highlight/options");
    t.build_ok();
    let main = t.main_of("public/page/index.html");
    assert!(!main.contains("class=\"code-copy\""), "copy_button: false");
    assert!(
        crate::support::without_tags(&main).contains("# hidden? no"),
        "rust_hidden_lines: false"
    );
    assert_eq!(main.matches("has-linenos").count(), 1, "{main}");
}

#[test]
fn bad_code_options_are_located_errors() {
    let t = SiteTest::fixture("highlight/options");
    t.write(
        "site.yaml",
        "title: Code options\nsearch: false\ncode:\n  line_numbers: yes please\n  copy_buton: false\n",
    );
    let err = t.build_err();
    assert!(
        err.contains(
            "site.yaml:4:3: `code.line_numbers` must be `true` or `false`, found a string"
        ),
        "{err}"
    );
    assert!(
        err.contains("site.yaml:5:3: unknown key `copy_buton` in `code:`\n  hint: did you mean `copy_button`?"),
        "{err}"
    );
    t.write("site.yaml", "title: x\ncode: true\n");
    assert!(
        t.build_err()
            .contains("site.yaml:2:1: `code` must be a mapping")
    );
}

#[test]
fn serve_highlights_an_edited_block() {
    let t = SiteTest::fixture("highlight/blocks");
    let mut session = mekong::session::Session::start(&t.options()).unwrap();
    t.write(
        "content/blocks.md",
        "---\ntitle: Blocks\n---\n\nNew.\n\n```toml title=\"Cargo.toml\"\n[package]\nname = \"x\"\n```\n",
    );
    let changed = session
        .update(&t.root().join("content/blocks.md"))
        .expect("an incremental update")
        .unwrap();
    assert!(
        changed.iter().any(|p| p == "blocks/index.html"),
        "{changed:?}"
    );
    let html =
        String::from_utf8_lossy(session.output.bytes("blocks/index.html").unwrap()).into_owned();
    assert!(html.contains("<figcaption class=\"code-title\">Cargo.toml</figcaption>"));
    assert!(html.contains("<span class=\"hl-"), "not highlighted");
}

#[test]
fn licenses_prints_the_grammar_notices() {
    let t = SiteTest::empty();
    let (code, out, _) = t.run(&["licenses"]);
    assert_eq!(code, 0);
    for want in [
        "syntect",
        "two-face",
        "Oniguruma",
        "K.Kosako",
        "Syntax definitions",
    ] {
        assert!(out.contains(want), "{want} missing");
    }
}

#[test]
fn a_rebuild_reuses_the_cache_file_and_makes_the_same_site() {
    let t = SiteTest::fixture("highlight/blocks");
    t.build_ok();
    assert!(
        t.exists(".public.highlight"),
        "no cache file beside the output"
    );
    let clean = t.snapshot("public");
    // A cached rebuild (the input changed, so the build runs) gives the same pages.
    t.write("content/extra.md", "---\ntitle: Extra\n---\n\nText.\n");
    t.build_ok();
    std::fs::remove_file(t.root().join("content/extra.md")).unwrap();
    t.build_ok();
    assert!(
        t.snapshot("public") == clean,
        "a cached rebuild differs from a clean build"
    );
    // A damaged cache file is ignored.
    t.write(".public.highlight", "not a cache");
    t.write("content/extra.md", "---\ntitle: Extra\n---\n\nText.\n");
    t.build_ok();
    let main = t.main_of("public/blocks/index.html");
    assert!(
        main.contains("<span class=\"hl-keyword\">fn </span>"),
        "{main}"
    );
}

/// Issue 12: a block with an unknown language added while serving is re-rendered on its own
/// (no full rebuild), and its warning is kept for `serve` to print, with file and line.
#[test]
fn a_one_page_rerender_keeps_its_warnings() {
    let t = SiteTest::fixture("highlight/blocks");
    let opts = t.options();
    let slot = std::sync::RwLock::new(Some(mekong::session::Session::start(&opts).unwrap()));
    assert!(slot.read().unwrap().as_ref().unwrap().warnings().is_empty());
    t.write(
        "content/blocks.md",
        "---\ntitle: Blocks\n---\n\nNew.\n\n```rsut\nfn main() {}\n```\n",
    );
    let (how, _) =
        mekong::session::apply(&slot, &opts, &[t.root().join("content/blocks.md")]).unwrap();
    assert_eq!(how, mekong::session::Applied::Updated);
    let guard = slot.read().unwrap();
    let warnings: Vec<String> = guard
        .as_ref()
        .unwrap()
        .warnings()
        .iter()
        .map(|w| w.to_string())
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with(
            "content/blocks.md:7:1: unknown language `rsut` in a code block; it is shown as plain text"
        ),
        "{warnings:?}"
    );
}

/// Issue 12: `mekong serve` prints that warning on stderr, as `build` does, before it says the
/// page was re-rendered.
#[test]
fn serve_prints_the_warnings_of_a_one_page_rerender() {
    use std::io::{BufRead, BufReader, Read};
    let t = SiteTest::fixture("highlight/blocks");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mekong"))
        .args(["serve", "--port", "0"])
        .current_dir(t.root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let errors = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let mut wait_for = |what: &str| loop {
        line.clear();
        if out.read_line(&mut line).unwrap_or(0) == 0 {
            return false;
        }
        if line.contains(what) {
            return true;
        }
    };
    let started = wait_for("serving ");
    t.write(
        "content/blocks.md",
        "---\ntitle: Blocks\n---\n\nNew.\n\n```rsut\nfn main() {}\n```\n",
    );
    let rerendered = started && wait_for("re-rendered the page");
    let _ = child.kill();
    let _ = child.wait();
    let stderr = errors.join().unwrap();
    assert!(
        rerendered,
        "serve did not re-render the page; stderr:\n{stderr}"
    );
    assert!(
        stderr.contains(
            "warning: content/blocks.md:7:1: unknown language `rsut` in a code block; it is shown as plain text\n  hint: did you mean `rust`?"
        ),
        "{stderr}"
    );
}
