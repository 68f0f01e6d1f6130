//! Property tests over the whole pipeline on generated sites (see the list in `super`): a site
//! or located errors, never a panic, nothing written outside the output, deterministic output.
//! Each property runs a fixed number of cases from a fixed seed, so its cost is bounded by
//! case count, not by time.

use super::{
    Fence, assert_errors_located, assert_keys_inside, build_once, fm, guarded, markdown_site,
    mtimes, same_tree, tree,
};
use mekong::error::Error;
use proptest::prelude::*;
use proptest::test_runner::{Config as PtConfig, RngSeed};

/// KNOWN BUG (see `check_reports_an_output_file_that_is_also_a_folder`): two outputs where one
/// is a file and the other a folder of the same name pass `check` and fail only when written.
fn is_file_folder_clash(e: &Error) -> bool {
    e.diagnostics.iter().all(|d| {
        d.message.contains("Is a directory")
            || d.message.contains("Not a directory")
            || d.message.contains("File exists")
    })
}

/// Builds into public/ and checks what every build must do. With `full`, also builds into
/// public2/ (byte-identical) and again into public/ (nothing rewritten, mtimes kept). With
/// `agree_with_check`, `check` must pass exactly when `build` does. Returns whether it built.
fn assert_build_properties(f: &Fence, full: bool, agree_with_check: bool) -> bool {
    let before = f.inventory();
    let result = build_once("build", &f.options());
    if let Err(e) = &result {
        assert_errors_located(e);
    }
    if agree_with_check {
        let checked = guarded("check", || {
            mekong::check(&f.options()).map(|p| assert_keys_inside(&p.output))
        });
        match (&checked, &result) {
            (Ok(_), Err(e)) if is_file_folder_clash(e) => {}
            (Ok(_), Err(e)) => panic!("check passed but build failed:\n{e}"),
            (Err(e), Ok(_)) => panic!("build passed but check failed:\n{e}"),
            (Err(e), Err(_)) => assert_errors_located(e),
            (Ok(_), Ok(_)) => {}
        }
    }
    let ok = result.is_ok();
    if ok && full {
        let public = f.path("public");
        let first = tree(&public);
        let times = mtimes(&public);
        let public2 = mekong::Options {
            output: Some(f.path("public2")),
            ..f.options()
        };
        if let Err(e) = build_once("second build", &public2) {
            panic!("the same site failed the second time:\n{e}");
        }
        if let Err(d) = same_tree(&first, &tree(&f.path("public2"))) {
            panic!("two builds of the same site differ: {d}");
        }
        let third =
            build_once("rebuild", &f.options()).unwrap_or_else(|e| panic!("rebuild failed:\n{e}"));
        assert_eq!(
            (third.written, third.removed),
            (0, 0),
            "a rebuild with nothing changed wrote or removed files"
        );
        assert_eq!(mtimes(&public), times, "a rebuild changed mtimes");
    }
    f.assert_contained(&before, &f.inventory(), &["public", "public2"]);
    ok
}

fn pt_config(cases: u32) -> PtConfig {
    PtConfig {
        cases,
        rng_seed: RngSeed::Fixed(0x6d656b6f6e67),
        failure_persistence: None,
        // A failure shrinks for at most 30 s: enough for a small reproduction, bounded.
        max_shrink_iters: 256,
        max_shrink_time: 30_000,
        ..PtConfig::default()
    }
}

const YAML_KEYS: &[&str] = &[
    "title",
    "description",
    "date",
    "updated",
    "weight",
    "draft",
    "slug",
    "template",
    "tags",
    "aliases",
    "toc",
    "sources",
    "extra",
    "sort_by",
    "titel",
    "\"title\"",
    "'slug'",
    "? title",
    "<<",
    "title ",
    "",
    "-",
    "extra:\n  nested",
    "日本",
];

const YAML_VALUES: &[&str] = &[
    "x",
    "\"\"",
    "''",
    "~",
    "null",
    "true",
    "yes",
    "no",
    "1e400",
    "-9223372036854775809",
    "99999999999999999999",
    "2018-08-02",
    "2024-02-30",
    "0000-00-00",
    "9999-12-31",
    "2018-08-02T10:00:00Z",
    "[a, b]",
    "[]",
    "{}",
    "{a: 1}",
    "[[[[[[[[[[[[[[[[",
    "&a x",
    "*a",
    "*nowhere",
    "!!binary aGVsbG8=",
    "!!str 1",
    "!custom x",
    "|\n  block\n  text",
    ">-\n  folded\n  text",
    "\"\\0\"",
    "\"\\ud800\"",
    "'it''s'",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "/abs/",
    "%2e%2e",
    "@/x.md",
    "\"a\\tb\"",
    "\n  - item\n  - 2",
    "0x1F",
    ".inf",
    ".nan",
    "{title: nested}",
    "@",
    "`",
    "%",
    "#comment",
    ": :",
    "- - -",
    "weight",
    "page.html",
    "../page.html",
    "date",
    "title",
    "\u{202e}evil",
    "\"\u{0}\"",
];

fn yaml_line() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        3 => prop::sample::select(YAML_KEYS).prop_map(String::from),
        1 => "[a-z_]{1,8}",
    ];
    let value = prop_oneof![
        4 => prop::sample::select(YAML_VALUES).prop_map(String::from),
        1 => "\\PC{0,20}",
        1 => any::<i64>().prop_map(|n| n.to_string()),
    ];
    (key, value, 0usize..3).prop_map(|(k, v, indent)| format!("{}{k}: {v}", "  ".repeat(indent)))
}

/// The bytes of a page whose front matter is anything.
fn front_matter_file() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // YAML-looking lines, closed.
        3 => prop::collection::vec(yaml_line(), 0..8).prop_map(|lines| {
            format!("---\n{}\n---\nBody\n", lines.join("\n")).into_bytes()
        }),
        // Valid front matter with odd values.
        2 => (
            prop::sample::select(vec![
                "x", "\"<script>\"", "日本", "'a: b'", "|\n  multi\n  line", "\"\\u202e\"",
                "\"  \"x", "[not, a, string]",
            ]),
            prop::collection::vec("\\PC{0,10}", 0..4),
            prop::option::of("[a-z]{1,8}"),
            prop::option::of(any::<i64>()),
        )
            .prop_map(|(title, tags, slug, weight)| {
                let tags: Vec<String> = tags.iter().map(|t| yaml_string(t)).collect();
                let mut t = format!("---\ntitle: {title}\ntags: [{}]\n", tags.join(", "));
                if let Some(s) = slug {
                    t.push_str(&format!("slug: {s}\n"));
                }
                if let Some(w) = weight {
                    t.push_str(&format!("weight: {w}\nextra:\n  a: {{b: [1, {w}]}}\n"));
                }
                t.push_str("---\nBody\n");
                t.into_bytes()
            }),
        // A title, then arbitrary bytes.
        2 => prop::collection::vec(any::<u8>(), 0..200).prop_map(|b| {
            let mut v = b"---\ntitle: T\n".to_vec();
            v.extend(b);
            v.extend(b"\n---\nBody\n");
            v
        }),
        // Arbitrary bytes as the whole file.
        1 => prop::collection::vec(any::<u8>(), 0..200),
        // Unclosed, BOM, CRLF, lone CR.
        1 => prop::sample::select(vec![
            "---\ntitle: T\n",
            "\u{feff}---\r\ntitle: T\r\n---\r\nx",
            "---\rtitle: T\r---\rx\r",
            "---   \ntitle: T\n---\t\n",
            "--- \n---\n",
            "---\n---\n---\n",
            "\n---\ntitle: T\n---\n",
            "---\ntitle: T\n---",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
    ]
}

const LINKS: &[&str] = &[
    // Good.
    "other.md",
    "other.md#known",
    "@/other.md",
    "@/sub/deep.md",
    "sub/deep.md#deep-heading",
    "./other.md",
    "sub/",
    "@/",
    "pic.png",
    "other.md?x=1#known",
    "https://example.com/<x>",
    "mailto:a@b.c",
    "//cdn.example.com/x.js",
    "javascript:alert(1)",
    "data:text/html,<x>",
    // Bad or odd.
    "missing.md",
    "../x.md",
    "%2e%2e/%2e%2e/x.md",
    "/abs/path/",
    "#",
    "other.md#",
    "#nowhere",
    "C:\\x",
    "\\\\server\\share",
    "sub%2Fdeep.md",
    "other%2Emd",
    "<a b.md>",
    "@/../x.md",
    "../../../../etc/passwd",
    "/..",
    "/../../x",
    "%",
    "%zz",
    "other.md#%2e%2e",
    "?q",
    "@",
];

fn table(cols: usize, rows: usize) -> String {
    let mut s = String::new();
    s.push('|');
    for c in 0..cols {
        s.push_str(&format!(" h{c} |"));
    }
    s.push_str("\n|");
    for _ in 0..cols {
        s.push_str("---|");
    }
    s.push('\n');
    for r in 0..rows {
        s.push('|');
        for c in 0..cols {
            s.push_str(&format!(" {r}x{c} |"));
        }
        s.push('\n');
    }
    s
}

fn md_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        (0usize..12, "[a-z ]{0,12}").prop_map(|(d, t)| format!("{}- {t}\n", "  ".repeat(d))),
        (0usize..12).prop_map(|d| format!("{}1. item\n", "   ".repeat(d))),
        Just("```rust\nfn main() {\n".to_string()),
        Just("~~~\ncode ``` \n~~~\n".to_string()),
        (1usize..40).prop_map(|d| format!(
            "{} “The meeting took place amidst big changes”\n",
            ">".repeat(d)
        )),
        (1usize..30, 0usize..6).prop_map(|(c, r)| table(c, r)),
        Just("| a |\n|\n| --- |".to_string()),
        Just("\u{0}\u{1}\u{7}\u{8}\u{b}\u{c}\u{1b}[31m\u{7f}\u{85}\u{2028}\u{2029}".to_string()),
        Just("\u{202e}שלום עולם مرحبا بالعالم\u{202c}\n".to_string()),
        Just("👩‍👩‍👧‍👦 🏳️‍🌈 🇻🇳 é\u{301} \u{fffd}".to_string()),
        Just("\r\n".to_string()),
        Just("\r".to_string()),
        Just("\n\n".to_string()),
        Just("\u{feff}".to_string()),
        "#{1,7} \\PC{0,20}\n",
        Just("## Same\n".to_string()),
        Just("## Known {#known}\n".to_string()),
        Just("## Attr {#a .b .<c> data-x=\"<y>\"}\n".to_string()),
        prop::sample::select(LINKS).prop_map(|l| format!("[link]({l}) ")),
        prop::sample::select(LINKS).prop_map(|l| format!("![img]({l}) ")),
        Just("[^n]\n\n[^n]: note\n".to_string()),
        Just("[^undefined] [^]".to_string()),
        Just("<div>\n".to_string()),
        Just("</div>\n".to_string()),
        Just("<!-- more -->\n".to_string()),
        Just("<!--".to_string()),
        Just("“".to_string()),
        Just("”".to_string()),
        Just("    indented code\n".to_string()),
        Just("***\n---\n___\n".to_string()),
        Just("* [ ] task\n* [x] done\n".to_string()),
        Just("~~strike~~ **bold** _em_ `code` \\".to_string()),
        Just("[ref]: other.md\n\n[ref]\n".to_string()),
        Just("Term\n: definition\n".to_string()),
        Just("$$ x $$ {{ config.title }} {% raw %}".to_string()),
        "\\PC{0,30}",
        prop::collection::vec(any::<char>(), 0..20).prop_map(String::from_iter),
    ]
}

fn markdown_body() -> impl Strategy<Value = String> {
    prop::collection::vec(md_piece(), 0..30).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(pt_config(40))]

    /// Arbitrary bytes as front matter: a located error or a site, never a panic or an escape.
    #[test]
    fn any_front_matter_gives_a_site_or_located_errors(page in front_matter_file()) {
        let f = Fence::new();
        f.write("content/_index.md", fm("Home"));
        f.write("content/page.md", &page);
        assert_build_properties(&f, false, false);
    }

    /// Arbitrary Markdown: a complete, deterministic site that a rebuild does not rewrite, or
    /// located errors.
    #[test]
    fn any_markdown_gives_a_deterministic_site_or_located_errors(
        body in markdown_body(),
        line_end in 0u8..3,
        bom in any::<bool>(),
        quotes in prop::bool::weighted(0.25),
    ) {
        let f = markdown_site(&body, line_end, bom, quotes);
        assert_build_properties(&f, true, false);
    }
}

/// A file or folder name: printable, Unicode, dots, spaces, reserved words, long, or not UTF-8.
fn name() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => "[a-zA-Z0-9 ._~#%-]{1,20}".prop_map(String::into_bytes),
        2 => "\\PC{1,12}".prop_map(String::into_bytes),
        2 => prop::sample::select(vec![
            " ", "  lead", "trail ", ".hidden", "..x", "...", "-", "_", "_index", "index",
            "a.md", "CON", "NUL", "#x#", "x~", "x.bak", "x.swp", "%2e%2e", "a:b", "a?b*",
            "\u{202e}evil", "😀", "é", "e\u{301}", "İ", "ß", "A", "a", "Ǆ", "tags", "pagefind",
            "assets", "404.html", "\u{200b}", "\t", "\n", "public", "static",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        1 => (200usize..=252).prop_map(|n| "a".repeat(n).into_bytes()),
        1 => (100usize..=127).prop_map(|n| "é".repeat(n).into_bytes()),
        1 => Just(vec![0xff, 0xfe, b'a']),
    ]
    .prop_filter("a name the file system accepts", |n| {
        !n.is_empty() && n != b"." && n != b".." && !n.contains(&b'/') && !n.contains(&0)
    })
}

/// (under static/ rather than content/, folders, the file name, the extension)
fn site_path() -> impl Strategy<Value = (bool, Vec<Vec<u8>>, Vec<u8>, &'static str)> {
    (
        prop::bool::weighted(0.2),
        prop::collection::vec(name(), 0..3),
        name(),
        prop::sample::select(vec![".md", ".md", ".md", ".png", ".txt", ""]),
    )
}

#[cfg(unix)]
fn os(bytes: &[u8]) -> &std::ffi::OsStr {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::OsStr::from_bytes(bytes)
}

proptest! {
    #![proptest_config(pt_config(32))]

    /// Arbitrary file and folder names: built, or refused with located errors; never a panic,
    /// never a file outside the output.
    #[cfg(unix)]
    #[test]
    fn any_file_names_give_a_site_or_located_errors(
        paths in prop::collection::vec(site_path(), 1..8),
    ) {
        let f = Fence::new();
        f.write("content/_index.md", fm("Home"));
        for (is_static, dirs, file, ext) in &paths {
            let mut p = f.path(if *is_static { "static" } else { "content" });
            for d in dirs {
                p.push(os(d));
            }
            let mut file = file.clone();
            file.extend_from_slice(ext.as_bytes());
            if std::fs::create_dir_all(&p).is_err() {
                continue; // a file of that name already exists, or the name is too long
            }
            p.push(os(&file));
            if p.exists() {
                continue;
            }
            let _ = std::fs::write(&p, format!("{}Body [home](@/_index.md)\n", fm("T")));
        }
        assert_build_properties(&f, false, false);
    }
}

const SLUGS: &[&str] = &[
    "ok-slug",
    "../../x",
    "..",
    ".",
    "a/b",
    "a\\b",
    "C:",
    "%2e%2e",
    "UPPER",
    "é",
    "<script>",
    "",
    " ",
    "-",
    "index",
    "tags",
    "pagefind",
    "assets",
    "404.html",
    "..%2f",
    "@/x",
    "#x",
    "/abs",
    "p0",
    "same",
    "same",
    "\u{202e}x",
    "a b",
];

const ALIASES: &[&str] = &[
    "/old/",
    "old.html",
    "../x",
    "/../../x",
    "%2e%2e/%2e%2e/x",
    "/%2e%2e/",
    "C:\\x",
    "\\\\srv\\x",
    "/abs/olute/path/",
    "@/x.md",
    "#frag",
    "x?y",
    "\0",
    ".",
    "..",
    "/",
    "",
    " ",
    "./x",
    "a/./b",
    ".well-known/x",
    "dir/../x",
    "тест/",
    "a b/",
    "/index.html",
    "s/",
    "p0/",
    "p1",
    "/p0/index.html",
    "same/",
    "same/",
    "old/\"><img src=x onerror=alert(1)>/",
    "%2F..%2F..%2Fx",
    "..\\..\\x",
    "/tags/",
    "x/y/z.htm",
    "a//b/",
    "//",
    "/x///",
];

/// A page: (in folder s/, slug, aliases, links in the body)
/// Slugs, aliases and links that must build: odd but valid, and inside the output.
const GOOD_SLUGS: &[&str] = &[
    "ok-slug", "%2e%2e", "UPPER", "é", "index", "a b", "x-1", "日本",
];
const GOOD_ALIASES: &[&str] = &[
    "/old/",
    "old.html",
    "%2e%2e/%2e%2e/x",
    "/%2e%2e/",
    "/abs/olute/path/",
    ".well-known/x",
    "тест/",
    "a b/",
    "x/y/z.htm",
    "/etc/passwd",
    "%2F..%2F..%2Fx",
    "old/\"><img src=x>/",
];
const GOOD_LINKS: &[&str] = &[
    "@/other.md#known",
    "@/other.md",
    "@/sub/deep.md",
    "@/sub/deep.md#deep-heading",
    "@/sub/",
    "@/",
    "@/pic.png",
    "@/other.md?x=1#known",
    "https://example.com/<x>",
    "mailto:a@b.c",
    "//cdn.example.com/x.js",
    "javascript:alert(1)",
    "#here",
    "@/_index.md",
    "@/./other.md",
];

/// A page: (in folder s/, slug, aliases, links in the body).
type PageSpec = (bool, Option<String>, Vec<String>, Vec<String>);

/// Hostile pages draw from every pool (and mostly fail); the others only from values that
/// must build.
fn page_spec(hostile: bool) -> BoxedStrategy<PageSpec> {
    if !hostile {
        let pick =
            |pool: &'static [&'static str]| prop::sample::select(pool).prop_map(String::from);
        return (
            any::<bool>(),
            prop::option::weighted(0.5, pick(GOOD_SLUGS)),
            prop::collection::vec(pick(GOOD_ALIASES), 0..3),
            prop::collection::vec(pick(GOOD_LINKS), 0..4),
        )
            .boxed();
    }
    let slug = prop_oneof![
        3 => prop::sample::select(SLUGS).prop_map(String::from),
        1 => "[a-z./%-]{0,12}",
        1 => "\\PC{0,12}",
    ];
    let alias = prop_oneof![
        3 => prop::sample::select(ALIASES).prop_map(String::from),
        1 => "[a-z./%]{0,12}",
    ];
    let link = prop_oneof![
        3 => prop::sample::select(LINKS).prop_map(String::from),
        1 => prop::sample::select(vec!["p0.md", "p1.md", "s/p2.md", "../p0.md", "@/s/p3.md"])
            .prop_map(String::from),
        1 => "[a-z./%#@]{0,12}",
    ];
    (
        any::<bool>(),
        prop::option::weighted(0.6, slug),
        prop::collection::vec(alias, 0..3),
        prop::collection::vec(link, 0..4),
    )
        .boxed()
}

fn yaml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

proptest! {
    #![proptest_config(pt_config(40))]

    /// Arbitrary slugs, aliases and links (`../`, `@/`, `#`, absolute, `%2e%2e`): every output
    /// path stays inside the output, `check` and `build` agree, errors are located.
    #[test]
    fn any_slugs_aliases_and_links_stay_inside_the_output(
        (hostile, pages) in prop::bool::weighted(0.5).prop_flat_map(|hostile| {
            (Just(hostile), prop::collection::vec(page_spec(hostile), 1..5))
        }),
    ) {
        let mut used = std::collections::HashSet::new();
        let f = Fence::new();
        f.write("content/_index.md", fm("Home"));
        f.write("content/other.md", format!("{}## Known\n", fm("Other")));
        f.write("content/sub/deep.md", format!("{}## Deep heading\n", fm("Deep")));
        f.write("content/pic.png", b"png");
        for (i, (in_s, slug, aliases, links)) in pages.iter().enumerate() {
            let rel = if *in_s { format!("content/s/p{i}.md") } else { format!("content/p{i}.md") };
            let mut text = format!("---\ntitle: P{i}\n");
            if let Some(s) = slug {
                text.push_str(&format!("slug: {}\n", yaml_string(s)));
            }
            // Friendly sites give each alias to one page only.
            let aliases: Vec<&String> =
                aliases.iter().filter(|a| hostile || used.insert(a.to_string())).collect();
            if !aliases.is_empty() {
                let list: Vec<String> = aliases.iter().map(|a| yaml_string(a)).collect();
                text.push_str(&format!("aliases: [{}]\n", list.join(", ")));
            }
            text.push_str("---\n## Here\n\n");
            for l in links {
                text.push_str(&format!("[x]({l}) "));
            }
            f.write(&rel, text);
        }
        assert_build_properties(&f, false, true);
    }
}
