//! Tests of the rendered blocks: classes per language, hidden lines, numbers, marks, copy
//! button, escaping, limits, the cache, the stylesheet's contrast, and properties.

use super::test_support::*;
use super::tests_info::SAMPLES;
use super::*;
use proptest::prelude::*;

#[test]
fn every_listed_language_and_alias_gets_token_classes() {
    let h = Highlighter::without_cache();
    for (names, code, want) in SAMPLES {
        for name in *names {
            let (html, w) =
                h.render_block(&CodeInfo::parse(name), code, &HighlightOptions::default());
            assert!(w.is_empty(), "{name}: {w:?}");
            let got = classes(&html);
            for class in *want {
                assert!(got.contains(class), "{name}: no {class} in {got:?}\n{html}");
            }
            assert!(
                html.contains(&format!("<code class=\"language-{name}\">")),
                "{name}"
            );
            assert_eq!(code_text(&html), *code, "{name}: text changed");
            assert_well_formed(&html);
        }
    }
}

#[test]
fn rust_lifetimes_macros_and_labels_have_classes() {
    let (html, _) = render(
        "rust",
        "fn f<'a>(x: &'a str) { 'outer: loop { break 'outer; } }\nmacro_rules! sq { ($x:expr) => { $x * $x }; }\nprintln!(\"{x:?}\");\n",
    );
    assert!(
        html.contains("<span class=\"hl-lifetime\">'a</span>"),
        "{html}"
    );
    assert!(
        html.contains("<span class=\"hl-lifetime\">'outer</span>"),
        "{html}"
    );
    assert!(
        html.contains("<span class=\"hl-macro\">println!</span>"),
        "{html}"
    );
    assert!(
        html.contains("<span class=\"hl-escape\">{x:?}</span>"),
        "{html}"
    );
}

#[test]
fn flags_never_leak_into_the_language_class() {
    let (html, w) = render("rust,ignore,edition2021", "fn main() {}\n");
    assert!(w.is_empty());
    assert!(html.contains("<code class=\"language-rust\">"), "{html}");
    assert!(html.contains("data-flags=\"ignore edition2021\""), "{html}");
    assert!(!html.contains("language-rust,"));
}

#[test]
fn unknown_language_is_plain_text_with_a_warning() {
    let (html, w) = render("rsut", "fn main() {}\n");
    assert_eq!(w.len(), 1);
    assert_eq!(
        w[0].message,
        "unknown language `rsut` in a code block; it is shown as plain text"
    );
    assert!(w[0].hint.contains("`rust`"), "{:?}", w[0]);
    assert!(classes(&html).is_empty(), "{html}");
    assert!(html.contains("class=\"language-rsut\""));
    let (_, w) = render("qqqqqqqqqq", "x\n");
    assert!(w[0].hint.contains("```text"), "{:?}", w[0]);
}

#[test]
fn text_plain_and_no_language_are_plain_without_a_warning() {
    for info in ["", "text", "plain", "txt", "TEXT", "text title=\"x\""] {
        let (html, w) = render(info, "fn main() {}\n");
        assert!(w.is_empty(), "{info}: {w:?}");
        assert!(!html.contains("hl-"), "{info}: {html}");
        assert_eq!(code_text(&html), "fn main() {}\n");
    }
    let (html, _) = render("", "x\n");
    assert!(html.contains("<code>"), "{html}");
    assert!(!html.contains("data-lang"), "{html}");
}

#[test]
fn highlighting_off_keeps_structure() {
    let opts = HighlightOptions {
        highlight: false,
        ..HighlightOptions::default()
    };
    let (html, w) = render_with("rust title=\"a.rs\" hl_lines=1", "fn main() {}\n", &opts);
    assert!(w.is_empty());
    assert!(!html.contains("hl-keyword"));
    assert!(html.contains("<figcaption class=\"code-title\">a.rs</figcaption>"));
    assert!(html.contains("<mark class=\"line hl-line\">"));
}

// ---- Rust hidden lines ---------------------------------------------------------------

const DOCTEST: &str = "# use std::fmt;\n#\n# fn main() {\nlet x = 1;\n    # let hidden = 2;\n## not hidden\n#[derive(Debug)]\n#![allow(unused)]\n#\tlet tab = 3;\n# }\n";

#[test]
fn rust_hidden_lines_are_left_out() {
    let (html, w) = render("rust", DOCTEST);
    assert!(w.is_empty());
    assert_eq!(
        code_text(&html),
        "let x = 1;\n# not hidden\n#[derive(Debug)]\n#![allow(unused)]\n"
    );
    // The hidden `fn main() {` was parsed: `let` still gets its class.
    assert!(
        html.contains("<span class=\"hl-keyword\">let</span>"),
        "{html}"
    );
    // rustdoc flags do not turn hiding off.
    let (html, _) = render("rust,ignore", DOCTEST);
    assert!(!code_text(&html).contains("use std::fmt"));
    // `ignore` alone is Rust too.
    let (html, _) = render("ignore", DOCTEST);
    assert!(!code_text(&html).contains("use std::fmt"));
}

#[test]
fn rust_hidden_lines_can_be_turned_off() {
    let opts = HighlightOptions {
        hide_rust_lines: false,
        ..HighlightOptions::default()
    };
    let (html, _) = render_with("rust", DOCTEST, &opts);
    assert_eq!(code_text(&html), DOCTEST);
    let (html, _) = render("rust hidelines=false", DOCTEST);
    assert_eq!(code_text(&html), DOCTEST);
    // Other languages keep `# ` lines: they are comments there.
    let (html, _) = render("python", "# comment\nx = 1\n");
    assert_eq!(code_text(&html), "# comment\nx = 1\n");
}

#[test]
fn hidelines_prefix_hides_in_any_language() {
    let (html, w) = render("python hidelines=!!!", "!!! import os\nprint(os.name)\n");
    assert!(w.is_empty());
    assert_eq!(code_text(&html), "print(os.name)\n");
}

#[test]
fn hidden_lines_do_not_count_for_numbers_and_marks() {
    let (html, w) = render(
        "rust linenos hl_lines=2",
        "# fn main() {\nlet a = 1;\nlet b = 2;\n# }\n",
    );
    assert!(w.is_empty(), "{w:?}");
    assert!(html.contains("data-n=\"1\""));
    assert!(html.contains("data-n=\"2\""));
    assert!(!html.contains("data-n=\"3\""));
    let marked = html.split("<mark class=\"line hl-line\">").nth(1).unwrap();
    assert!(marked.starts_with("<span class=\"ln\" aria-hidden=\"true\" data-n=\"2\"></span><span class=\"hl-keyword\">let</span> b"), "{html}");
}

// ---- Lines, title, button ------------------------------------------------------------

#[test]
fn line_numbers_are_not_text() {
    let (html, _) = render("text linenos linenostart=9", "a\nb\n");
    assert!(html.contains("class=\"code-block has-linenos\""));
    assert!(html.contains("<span class=\"line\"><span class=\"ln\" aria-hidden=\"true\" data-n=\"9\"></span>a\n</span>"), "{html}");
    assert!(html.contains("data-n=\"10\""));
    // Numbers live in an attribute, shown by CSS: selecting or copying never picks them up.
    assert_eq!(code_text(&html), "a\nb\n");
    let opts = HighlightOptions {
        line_numbers: true,
        ..HighlightOptions::default()
    };
    assert!(render_with("text", "a\n", &opts).0.contains("data-n=\"1\""));
    assert!(
        !render_with("text linenos=false", "a\n", &opts)
            .0
            .contains("data-n")
    );
}

#[test]
fn hl_lines_marks_lines_as_numbered() {
    let (html, w) = render("text hl_lines=\"1 3-4\"", "a\nb\nc\nd\ne\n");
    assert!(w.is_empty());
    assert_eq!(html.matches("<mark class=\"line hl-line\">").count(), 3);
    assert!(html.contains("<mark class=\"line hl-line\">c\n</mark>"));
    assert!(html.contains("<span class=\"line\">b\n</span>"));
    // With linenostart, marks follow the numbers shown.
    let (html, w) = render("text linenostart=10 hl_lines=11", "a\nb\n");
    assert!(w.is_empty(), "{w:?}");
    assert!(
        html.contains("<mark class=\"line hl-line\">b\n</mark>"),
        "{html}"
    );
    let (_, w) = render("text linenostart=10 hl_lines=1", "a\nb\n");
    assert!(w[0].message.contains("numbered 10 to 11"), "{w:?}");
}

#[test]
fn title_is_a_caption_above_the_block() {
    let (html, _) = render(r#"python title="src/<app>&.py""#, "x = 1\n");
    assert!(html.starts_with("<figure class=\"code-block\" data-lang=\"python\"><figcaption class=\"code-title\">src/&lt;app&gt;&amp;.py</figcaption><div class=\"code-body\"><pre"), "{html}");
    assert!(html.ends_with("</div></figure>\n"));
    let (html, _) = render("python", "x = 1\n");
    assert!(
        html.starts_with(
            "<div class=\"code-block\" data-lang=\"python\"><div class=\"code-body\">"
        ),
        "{html}"
    );
}

#[test]
fn copy_button_is_hidden_until_scripted_and_optional() {
    let (html, _) = render("rust", "fn main() {}\n");
    assert!(html.contains("<button type=\"button\" class=\"code-copy\" aria-label=\"Copy code\" hidden>Copy</button></div></div>"), "{html}");
    let opts = HighlightOptions {
        copy_button: false,
        ..HighlightOptions::default()
    };
    assert!(
        !render_with("rust", "fn main() {}\n", &opts)
            .0
            .contains("button")
    );
}

// ---- Console sessions --------------------------------------------------------------

#[test]
fn console_prompts_commands_and_output() {
    let code = "$ cargo build \\\n    --release\n   Compiling x\nuser@host:~/src$ ls\nPS C:\\> Get-Item x\n# apt-get install x\n% make\n$\n";
    let (html, w) = render("console", code);
    assert!(w.is_empty());
    assert_eq!(code_text(&html), code);
    let prompts: Vec<&str> = html
        .split("<span class=\"hl-prompt\">")
        .skip(1)
        .map(|s| s.split("</span>").next().unwrap())
        .collect();
    assert_eq!(
        prompts,
        ["$ ", "user@host:~/src$ ", "PS C:\\&gt; ", "# ", "% ", "$"]
    );
    assert!(
        html.contains("<span class=\"hl-output\">   Compiling x</span>"),
        "{html}"
    );
    // The continued line is a command, not output.
    assert!(
        !html.contains("<span class=\"hl-output\">    --release"),
        "{html}"
    );
}

// ---- Escaping and bad input -----------------------------------------------------------

#[test]
fn escapes_markup_in_code() {
    for info in ["text", "rust", "html", "console", "nosuchlang"] {
        let code = "<script>alert('&amp;')</script> a < b && c > d \"q\"\n";
        let (html, _) = render(info, code);
        assert!(!html.contains("<script"), "{info}: {html}");
        assert_eq!(code_text(&html), code, "{info}");
        assert_well_formed(&html);
    }
    let (html, _) = render("rust,\"><script>,x=\"<\"", "x\n");
    assert_well_formed(&html);
    assert!(!html.contains("<script"), "{html}");
}

#[test]
fn control_characters_become_visible_pictures() {
    let (html, _) = render("rust", "let a = \"\u{0}\u{1b}[31m\u{7f}\";\n\tx\r\n");
    assert_well_formed(&html);
    assert!(
        html.contains('\u{2400}') && html.contains('\u{241b}') && html.contains('\u{2421}'),
        "{html}"
    );
    assert!(
        html.contains("\tx\n"),
        "tab kept, CR of CRLF dropped: {html}"
    );
}

#[test]
fn huge_blocks_are_plain_with_a_warning() {
    let line = "x".repeat(1 << 20);
    let t = std::time::Instant::now();
    let (html, w) = render("rust", &format!("{line}\n"));
    assert!(t.elapsed().as_secs() < 5, "took {:?}", t.elapsed());
    assert_eq!(w.len(), 1);
    assert!(
        w[0].message.contains("1024 KiB is not highlighted"),
        "{w:?}"
    );
    assert!(html.len() > line.len());
    // Under the block limit but with one very long line.
    let (_, w) = render("json", &format!("[{}1]\n", "1,".repeat(20_000)));
    assert!(w[0].message.contains("a line of 39 KiB"), "{w:?}");
    // Many lines under both limits: highlighted.
    let code = "let x = 1;\n".repeat(10_000);
    let t = std::time::Instant::now();
    let (html, w) = render("rust", &code);
    assert!(w.is_empty());
    assert!(html.contains("hl-keyword"));
    assert!(t.elapsed().as_secs() < 20, "took {:?}", t.elapsed());
}

#[test]
fn empty_and_odd_blocks() {
    for code in ["", "\n", "\n\n", "no newline", "\r\n", "# \n"] {
        for info in ["rust", "text", "console"] {
            let (html, _) = render(info, code);
            assert_well_formed(&html);
        }
    }
    let (html, _) = render("rust", "");
    assert!(html.contains("<code class=\"language-rust\"></code>"));
    let (html, _) = render("rust", "#\n# x\n");
    assert!(
        html.contains("<code class=\"language-rust\"></code>"),
        "{html}"
    );
    let (html, _) = render("text", "\n");
    assert_eq!(code_text(&html), "\n");
}

#[test]
fn cache_gives_the_same_html() {
    let cached = Highlighter::new();
    let plain = Highlighter::without_cache();
    let opts = HighlightOptions::default();
    for (names, code, _) in SAMPLES {
        let info = CodeInfo::parse(names[0]);
        let a = cached.render_block(&info, code, &opts);
        let b = cached.render_block(&info, code, &opts);
        let c = plain.render_block(&info, code, &opts);
        assert_eq!(a, b);
        assert_eq!(a, c);
    }
    // Same code, different hiding: different HTML.
    let a = cached.render_block(&CodeInfo::parse("rust"), DOCTEST, &opts);
    let b = cached.render_block(&CodeInfo::parse("rust hidelines=false"), DOCTEST, &opts);
    assert_ne!(a.0, b.0);
}

#[test]
fn highlighter_is_shared_across_threads() {
    fn assert_sync<T: Sync + Send>() {}
    assert_sync::<Highlighter>();
    let h = Highlighter::new();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for (names, code, _) in SAMPLES {
                    let (html, _) = h.render_block(
                        &CodeInfo::parse(names[0]),
                        code,
                        &HighlightOptions::default(),
                    );
                    assert_well_formed(&html);
                }
            });
        }
    });
}

#[test]
fn class_table_selectors_parse_and_names_are_unique() {
    let theme = class_theme();
    assert_eq!(theme.scopes.len(), CLASSES.len() - 1);
    let mut names: Vec<&str> = CLASSES.iter().map(|c| c.0).collect();
    names.extend([PROMPT_CLASS, OUTPUT_CLASS]);
    let n = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), n);
    assert!(CLASSES.len() < 256, "class numbers are stored in one byte");
}

// ---- The stylesheet ------------------------------------------------------------------

const CSS: &str = include_str!("../../theme/static/assets/highlight.css");

/// The `--hl-*` colours declared in the block that opens with `selector {`.
fn css_colors(after: &str, selector: &str) -> Vec<(String, [f64; 3])> {
    let start = CSS[CSS.find(after).expect(after)..]
        .find(selector)
        .map(|i| i + CSS.find(after).unwrap() + selector.len())
        .expect(selector);
    let block = &CSS[start..start + CSS[start..].find('}').expect("block end")];
    block
        .lines()
        .filter_map(|l| {
            let (name, value) = l.trim().strip_prefix("--hl-")?.split_once(':')?;
            let hex = value
                .trim()
                .trim_end_matches(';')
                .trim_end_matches("!important")
                .trim();
            let hex = hex.strip_prefix('#')?;
            assert_eq!(hex.len(), 6, "--hl-{name}: write colours as #rrggbb");
            let c = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex") as f64 / 255.0;
            Some((name.to_string(), [c(0), c(2), c(4)]))
        })
        .collect()
}

/// WCAG 2 relative luminance and contrast ratio.
fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
    let lum = |c: [f64; 3]| {
        let f = |v: f64| {
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2])
    };
    let (x, y) = (lum(a), lum(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// Every token colour against the block and the marked-line background, in both themes:
/// at least 4.5:1. `cargo test --lib highlight_css_contrast -- --nocapture` prints the table.
#[test]
fn highlight_css_contrast() {
    let light = css_colors("/* ---- Colours", ":root {");
    let dark = css_colors(
        "@media (prefers-color-scheme: dark)",
        ":root:not([data-theme=\"light\"]) {",
    );
    let dark_toggle = css_colors(
        "@media (prefers-color-scheme: dark)",
        ":root[data-theme=\"dark\"] {",
    );
    let print = css_colors("@media print", ":root {");
    assert_eq!(dark, dark_toggle, "the two dark blocks differ");
    assert_eq!(light, print, "the print block differs from the light one");
    // Every class of the HTML has a colour or a style rule.
    for (name, _) in CLASSES.iter().skip(1) {
        assert!(CSS.contains(&format!(".{name} {{")), "no rule for .{name}");
    }
    for (theme, colors) in [("light", &light), ("dark", &dark)] {
        let get = |n: &str| {
            colors
                .iter()
                .find(|(k, _)| k == n)
                .unwrap_or_else(|| panic!("{theme}: no --hl-{n}"))
                .1
        };
        let (bg, line_bg) = (get("bg"), get("line-bg"));
        println!("{theme}: token on block / on marked line");
        let mut pairs: Vec<(String, f64)> = Vec::new();
        for (name, color) in colors.iter() {
            if name.ends_with("bg") || name == "line-edge" || name == "title-fg" {
                continue;
            }
            let on = match name.as_str() {
                "inserted" => vec![get("inserted-bg")],
                "deleted" => vec![get("deleted-bg")],
                _ => vec![bg, line_bg],
            };
            let ratios: Vec<f64> = on.iter().map(|b| contrast(*color, *b)).collect();
            let min = ratios.iter().cloned().fold(f64::MAX, f64::min);
            println!(
                "  --hl-{name:<10} {}",
                ratios
                    .iter()
                    .map(|r| format!("{r:5.2}"))
                    .collect::<Vec<_>>()
                    .join(" / ")
            );
            pairs.push((name.clone(), min));
        }
        let title = contrast(get("title-fg"), get("title-bg"));
        println!("  --hl-title-fg  {title:5.2} (on --hl-title-bg)");
        pairs.push(("title-fg".into(), title));
        // The marked line's edge is not text: WCAG 1.4.11 asks 3:1 against its neighbour.
        let edge = contrast(get("line-edge"), line_bg);
        println!("  --hl-line-edge {edge:5.2} (on --hl-line-bg, needs 3)");
        assert!(
            edge >= 3.0,
            "{theme}: --hl-line-edge has a contrast of {edge:.2}, under 3"
        );
        for (name, min) in pairs {
            assert!(
                min >= 4.5,
                "{theme}: --hl-{name} has a contrast of {min:.2}, under 4.5"
            );
        }
    }
}

fn info_strings() -> impl Strategy<Value = String> {
    let lang = prop::sample::select(vec![
        "", "rust", "rs", "toml", "console", "text", "python", "html", "ps1", "md", "nosuch",
        "ignore", "js", "ts", "tsx", "c", "bash",
    ]);
    let attr = prop::sample::select(vec![
        "ignore",
        "linenos",
        "linenos=false",
        "hl_lines=\"2 4-6\"",
        "hl_lines=x",
        "hl_lines=3-1",
        "hl_lines=999999",
        "title=\"a<b>\"",
        "title='x",
        "linenostart=5",
        "hidelines=false",
        "hidelines=!!",
        "=",
        "\"",
        ",",
        "{",
        "}",
        "hl_lines=1 2",
    ]);
    (lang, prop::collection::vec(attr, 0..4), ".{0,12}")
        .prop_map(|(l, a, junk)| format!("{l} {} {junk}", a.join(" ")))
}

fn code_strings() -> impl Strategy<Value = String> {
    let line = prop::sample::select(vec![
        "# hidden",
        "#",
        "## shown",
        "$ ls -la",
        "> x",
        "fn main() {",
        "}",
        "\"unterminated",
        "/* open",
        "<tag attr=\"&\">",
        "\u{0}\u{1}\u{1b}",
        "\t\r",
        "'a: loop {}",
        "`${x} \\n`",
        "f\"{a!r}\" /re/g",
        "",
    ]);
    prop_oneof![
        prop::collection::vec(line, 0..12).prop_map(|l| l.join("\n")),
        any::<String>(),
        "[\\PC\\n#$<>&\"']{0,200}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 300,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x6d656b6f6e67),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Any info string and any code: no panic, well-formed escaped markup, and the text a
    /// reader sees is the code itself (less hidden lines).
    #[test]
    fn any_block_renders_well_formed(info in info_strings(), code in code_strings(), linenos: bool) {
        let opts = HighlightOptions { line_numbers: linenos, ..HighlightOptions::default() };
        let h = Highlighter::without_cache();
        let parsed = CodeInfo::parse(&info);
        let (html, _) = h.render_block(&parsed, &code, &opts);
        assert_well_formed(&html);
        let hides = parsed.hidelines.is_some()
            || matches!(parsed.lang.as_deref(), Some("rust" | "rs"));
        if !hides {
            let mut want = String::new();
            if !code.is_empty() {
                for line in code.strip_suffix('\n').unwrap_or(&code).split('\n') {
                    escape_into(&mut want, line.strip_suffix('\r').unwrap_or(line));
                    want.push('\n');
                }
            }
            let want = want.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
            prop_assert_eq!(code_text(&html), want);
        }
    }
}
