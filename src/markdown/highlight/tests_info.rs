//! Tests of info-string parsing and line specs.

use super::test_support::*;
use super::*;

#[test]
fn parses_language_before_comma_or_space() {
    for info in [
        "rust,ignore",
        "rust ignore",
        "rust, ignore",
        "  rust\tignore  ",
        "Rust,ignore",
    ] {
        let i = CodeInfo::parse(info);
        assert_eq!(i.lang.as_deref(), Some("rust"), "{info}");
        assert_eq!(i.flags, ["ignore"], "{info}");
        assert!(i.problems.is_empty(), "{info}: {:?}", i.problems);
    }
    assert_eq!(CodeInfo::parse("").lang, None);
    assert_eq!(CodeInfo::parse("   ").lang, None);
}

#[test]
fn parses_rustdoc_and_mdbook_flags() {
    let i = CodeInfo::parse("rust,should_panic,no_run,compile_fail,edition2021,does_not_compile");
    assert_eq!(
        i.flags,
        [
            "should_panic",
            "no_run",
            "compile_fail",
            "edition2021",
            "does_not_compile"
        ]
    );
    assert!(i.problems.is_empty());
    // rustdoc: a block that starts with a flag is Rust.
    let i = CodeInfo::parse("ignore");
    assert_eq!(i.lang.as_deref(), Some("rust"));
    assert_eq!(i.flags, ["ignore"]);
    let i = CodeInfo::parse("edition2024");
    assert_eq!(i.lang.as_deref(), Some("rust"));
}

#[test]
fn parses_title_linenos_and_hl_lines() {
    let i = CodeInfo::parse(r#"python title="app.py" linenos hl_lines="2 4-6""#);
    assert_eq!(i.lang.as_deref(), Some("python"));
    assert_eq!(i.title.as_deref(), Some("app.py"));
    assert_eq!(i.linenos, Some(true));
    assert_eq!(i.hl_lines, vec![2..=2, 4..=6]);
    assert!(i.problems.is_empty(), "{:?}", i.problems);

    let i = CodeInfo::parse("rust,title='src/main.rs',linenos=false,linenostart=10,hl_lines=3");
    assert_eq!(i.title.as_deref(), Some("src/main.rs"));
    assert_eq!(i.linenos, Some(false));
    assert_eq!(i.linenostart, Some(10));
    assert_eq!(i.hl_lines, vec![3..=3]);

    // A title with spaces, commas and an `=` inside its quotes.
    let i = CodeInfo::parse(r#"toml title="a, b = c.toml""#);
    assert_eq!(i.title.as_deref(), Some("a, b = c.toml"));
}

#[test]
fn parses_zola_unquoted_hl_lines_and_commas() {
    assert_eq!(
        CodeInfo::parse("rust,hl_lines=1 3-5 9").hl_lines,
        vec![1..=1, 3..=5, 9..=9]
    );
    assert_eq!(
        CodeInfo::parse(r#"rust hl_lines="1,3-5""#).hl_lines,
        vec![1..=1, 3..=5]
    );
    // A number after another attribute is a flag, not a line.
    assert_eq!(CodeInfo::parse("rust,linenos 7").flags, ["7"]);
}

#[test]
fn parses_pandoc_braces() {
    let i = CodeInfo::parse(r#"{.python title="x.py" .numberLines}"#);
    assert_eq!(i.lang.as_deref(), Some("python"));
    assert_eq!(i.title.as_deref(), Some("x.py"));
    assert_eq!(i.flags, ["numberLines"]);
}

#[test]
fn warns_on_bad_attributes_with_a_fix() {
    let i = CodeInfo::parse("rust hl_line=2");
    assert_eq!(i.problems.len(), 1);
    assert_eq!(
        i.problems[0].message,
        "unknown code block attribute `hl_line`"
    );
    assert!(
        i.problems[0].hint.starts_with("did you mean `hl_lines`?"),
        "{:?}",
        i.problems
    );
    assert_eq!(i.attrs, [("hl_line".to_string(), "2".to_string())]);

    let i = CodeInfo::parse(r#"rust title="open"#);
    assert_eq!(i.title.as_deref(), Some("open"));
    assert!(
        i.problems[0].message.contains("no closing \""),
        "{:?}",
        i.problems
    );

    for (info, needle) in [
        ("rust title=\"\"", "title is empty"),
        ("rust hl_lines", "has no value"),
        ("rust linenos=maybe", "neither true nor false"),
        ("rust linenostart=0", "not a line number"),
        ("rust linenostart=-3", "not a line number"),
        (
            "rust linenostart=99999999999999999999999",
            "not a line number",
        ),
        ("rust =x", "has no name"),
        ("rust hidelines=", "needs a prefix"),
    ] {
        let i = CodeInfo::parse(info);
        assert!(
            i.problems
                .iter()
                .any(|p| p.message.contains(needle) && !p.hint.is_empty()),
            "{info}: {:?}",
            i.problems
        );
    }
}

#[test]
fn hl_lines_edge_cases_warn_and_never_panic() {
    let cases: &[(&str, &str, Vec<RangeInclusive<u64>>)] = &[
        ("x", "not a line number or range", vec![]),
        ("0", "not a line number or range", vec![]),
        ("-", "not a line number or range", vec![]),
        ("1-", "not a line number or range", vec![]),
        ("-3", "not a line number or range", vec![]),
        ("2-3-4", "not a line number or range", vec![]),
        ("18446744073709551616", "not a line number or range", vec![]),
        ("3-1", "runs backwards", vec![1..=3]),
        ("", "is empty", vec![]),
    ];
    for (spec, needle, ranges) in cases {
        let i = CodeInfo::parse(&format!("rust hl_lines=\"{spec}\""));
        assert_eq!(&i.hl_lines, ranges, "{spec}");
        assert!(
            i.problems
                .iter()
                .any(|p| p.message.contains(needle) && !p.hint.is_empty()),
            "{spec}: {:?}",
            i.problems
        );
    }
    // Past the end of the block: found when rendering.
    let (html, w) = render("text hl_lines=\"999999\"", "a\nb\n");
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(
        w[0].message,
        "`hl_lines` marks line 999999, outside this block (its lines are numbered 1 to 2)"
    );
    assert!(!html.contains("hl-line"));
    let (_, w) = render("text hl_lines=\"1-1000000000\"", "a\n");
    assert_eq!(w.len(), 1, "{w:?}");
    let (_, w) = render("text hl_lines=1", "");
    assert!(w[0].message.contains("it has no lines"), "{w:?}");
}

// ---- Languages ---------------------------------------------------------------------------

/// One snippet per language the issue lists, every name a block may use for it, and the
/// classes the snippet must produce.
pub(super) const SAMPLES: &[(&[&str], &str, &[&str])] = &[
    (
        &["rust", "rs"],
        "fn main() { let x: u8 = 1; } // c\n",
        &["hl-keyword", "hl-function", "hl-number", "hl-comment"],
    ),
    (
        &["toml"],
        "[package]\nname = \"x\" # c\n",
        &["hl-heading", "hl-property", "hl-string", "hl-comment"],
    ),
    (
        &["yaml", "yml"],
        "key: \"value\" # c\ncount: 3\n",
        &["hl-property", "hl-string", "hl-comment", "hl-number"],
    ),
    (
        &["json", "jsonc", "json5"],
        "{\"key\": [1, true, \"s\"]}\n",
        &["hl-property", "hl-number", "hl-constant", "hl-string"],
    ),
    (
        &["sh", "bash", "shell", "zsh"],
        "if [ -f \"$f\" ]; then echo hi; fi # c\n",
        &["hl-keyword", "hl-variable", "hl-string", "hl-comment"],
    ),
    (
        &["console", "shell-session", "terminal"],
        "$ ls -la\ntotal 0\n",
        &["hl-prompt", "hl-output", "hl-function"],
    ),
    (
        &["python", "py"],
        "def f(x):\n    return x and 'a'  # c\n",
        &["hl-keyword", "hl-function", "hl-string", "hl-comment"],
    ),
    (
        &["javascript", "js", "mjs"],
        "const f = (x) => x + 1; // c\n",
        &["hl-keyword", "hl-number", "hl-comment"],
    ),
    (
        &["typescript", "ts"],
        "function f(x: number): string { return 'a'; }\n",
        &["hl-keyword", "hl-function", "hl-type", "hl-string"],
    ),
    (
        &["html", "htm"],
        "<a href=\"/x\">t</a><!-- c -->\n",
        &["hl-tag", "hl-attribute", "hl-string", "hl-comment"],
    ),
    (
        &["css"],
        "a { color: #fff; } /* c */\n",
        &["hl-tag", "hl-attribute", "hl-constant", "hl-comment"],
    ),
    (
        &["go", "golang"],
        "func main() { x := 1 } // c\n",
        &["hl-keyword", "hl-function", "hl-number", "hl-comment"],
    ),
    (
        &["c", "h"],
        "#include <stdio.h>\nint main(void) { return 0; }\n",
        &["hl-keyword", "hl-string", "hl-function", "hl-number"],
    ),
    (
        &["cpp", "c++", "cxx"],
        "template <typename T> T f() { return 1; } // c\n",
        &["hl-keyword", "hl-function", "hl-number", "hl-comment"],
    ),
    (
        &["java"],
        "public class A { void f() { int x = 1; } }\n",
        &["hl-keyword", "hl-type", "hl-function", "hl-number"],
    ),
    (
        &["kotlin", "kt"],
        "fun main() { val x = \"s\" } // c\n",
        &["hl-keyword", "hl-function", "hl-string", "hl-comment"],
    ),
    (
        &["swift"],
        "func f() -> Int { let x = 1; return x } // c\n",
        &["hl-keyword", "hl-type", "hl-number", "hl-comment"],
    ),
    (
        &["sql"],
        "SELECT a FROM t WHERE b = 'x'; -- c\n",
        &["hl-keyword", "hl-string", "hl-comment"],
    ),
    (
        &["diff", "patch"],
        "--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new\n",
        &["hl-heading", "hl-deleted", "hl-inserted"],
    ),
    (
        &["dockerfile", "docker"],
        "FROM debian:12\n# c\nRUN echo hi\n",
        &["hl-keyword", "hl-comment"],
    ),
    (
        &["makefile", "make", "mk"],
        "all: main.o\n\tcc -o $@ $^ # c\n",
        &["hl-function", "hl-variable", "hl-comment"],
    ),
    (
        &["markdown", "md"],
        "# Title\n\n*em* **strong** `code` [l](http://x)\n",
        &[
            "hl-heading",
            "hl-emphasis",
            "hl-strong",
            "hl-string",
            "hl-link",
        ],
    ),
    (
        &["xml", "svg"],
        "<?xml version=\"1.0\"?><a b=\"c\"><!-- d --></a>\n",
        &["hl-tag", "hl-attribute", "hl-string", "hl-comment"],
    ),
    (
        &["ini", "cfg"],
        "[section]\nkey = value ; c\n",
        &["hl-heading", "hl-property", "hl-comment"],
    ),
    (
        &["powershell", "ps1", "pwsh"],
        "function Get-X { param($a) Write-Host \"hi\" } # c\n",
        &[
            "hl-keyword",
            "hl-function",
            "hl-variable",
            "hl-string",
            "hl-comment",
        ],
    ),
    (
        &["ruby", "rb"],
        "def f(x)\n  puts \"hi\" # c\nend\n",
        &["hl-keyword", "hl-function", "hl-string", "hl-comment"],
    ),
    (
        &["php"],
        "<?php function f($x) { return 'a'; } // c\n",
        &[
            "hl-keyword",
            "hl-function",
            "hl-variable",
            "hl-string",
            "hl-comment",
        ],
    ),
    (
        &["lua"],
        "local function f(x) return x .. 'a' end -- c\n",
        &["hl-keyword", "hl-function", "hl-string", "hl-comment"],
    ),
    (
        &["haskell", "hs"],
        "main :: IO ()\nmain = putStrLn \"hi\" -- c\n",
        &["hl-type", "hl-string", "hl-comment"],
    ),
    (
        &["elixir", "ex", "exs"],
        "defmodule A do\n  def f(x), do: :ok # c\nend\n",
        &["hl-keyword", "hl-function", "hl-constant", "hl-comment"],
    ),
    (
        &["zig"],
        "pub fn main() void { const x: u8 = 1; } // c\n",
        &["hl-keyword", "hl-function", "hl-number", "hl-comment"],
    ),
];

/// Issue 12: a site styles the classes from the README's table, so every class the
/// highlighter writes is documented there and coloured by the default theme.
#[test]
fn every_class_is_in_the_readme_and_the_stylesheet() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let css = std::fs::read_to_string(root.join("src/theme/static/assets/highlight.css")).unwrap();
    let names = CLASSES
        .iter()
        .skip(1)
        .map(|(n, _)| *n)
        .chain([PROMPT_CLASS, OUTPUT_CLASS]);
    for name in names {
        assert!(
            readme.contains(&format!("`{name}`")),
            "{name} not in README.md"
        );
        assert!(
            css.contains(&format!(".{name}")),
            "{name} not in highlight.css"
        );
    }
}
