//! Writes a page of highlighted code blocks, to look at the default theme's code styles (issue
//! 12) in a browser: `cargo run --example highlight_demo -- /tmp/hl-demo`, then open
//! /tmp/hl-demo/index.html (add `?dark` for the dark theme).

use mekong::markdown::highlight::{CodeInfo, HighlightOptions, Highlighter};

const BLOCKS: &[(&str, &str)] = &[
    (
        r#"rust title="src/view.rs" linenos hl_lines="4-5""#,
        "# use std::collections::HashMap;\n/// A borrowed view of a page.\n#[derive(Debug, Clone)]\npub struct View<'a, T: AsRef<str> + 'a> {\n    title: &'a str,\n    items: Vec<T>,\n}\n\nmacro_rules! square {\n    ($x:expr) => { $x * $x };\n}\n\nfn main() {\n    let mut counts: HashMap<&'static str, u32> = HashMap::new();\n    *counts.entry(\"a\").or_insert(0) += square!(3);\n    println!(\"{:?} {}\", counts, r#\"raw\"#);\n    let n = 'outer: loop { break 'outer 1u8 };\n}\n",
    ),
    (
        "toml",
        "[package]\nname = \"mekong\"   # the crate\nversion = \"0.1.0\"\n\n[dependencies]\nsyntect = { version = \"5.3\", default-features = false }\ndate = 1979-05-27T07:32:00Z\nenabled = true\n",
    ),
    (
        "console",
        "$ cargo build --release\n   Compiling mekong v0.1.0 (/work)\n    Finished `release` profile [optimized] target(s) in 1m 02s\n$ ./target/release/mekong build --root site | tee log.txt\nbuilt 12 pages in 0.03 s\n",
    ),
    (
        "diff",
        "--- a/src/lib.rs\n+++ b/src/lib.rs\n@@ -1,3 +1,3 @@\n fn main() {\n-    old();\n+    new();\n }\n",
    ),
    (
        r#"python title="app.py""#,
        "import json\n\n@dataclass\nclass Page:\n    \"\"\"One page.\"\"\"\n    def words(self, n: int = 0) -> dict[str, int]:\n        return {\"a\": 1, \"b\": n}  # counts\n",
    ),
    (
        "typescript",
        "interface Page { title: string; weight?: number }\nexport const first = (pages: Page[]): Page | undefined => pages[0];\n",
    ),
    (
        "html",
        "<!doctype html>\n<a class=\"x\" href=\"/about/\">About &amp; more</a> <!-- a comment -->\n",
    ),
    (
        "yaml",
        "title: My site\nbase_url: /docs/\nsearch: true\nextra:\n  retries: 3\n",
    ),
];

fn main() {
    let dir = std::path::PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "/tmp/hl-demo".into()),
    );
    std::fs::create_dir_all(&dir).expect("create the demo folder");
    let h = Highlighter::new();
    let mut body = String::new();
    for (info, code) in BLOCKS {
        let (html, warnings) =
            h.render_block(&CodeInfo::parse(info), code, &HighlightOptions::default());
        assert!(warnings.is_empty(), "{info}: {warnings:?}");
        body.push_str(&format!("<p><code>```{info}</code></p>\n{html}"));
    }
    let assets = concat!(env!("CARGO_MANIFEST_DIR"), "/src/theme/static/assets");
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Code blocks</title>\
         <script>document.documentElement.className+=\" js\";if(location.search==\"?dark\")document.documentElement.setAttribute(\"data-theme\",\"dark\");</script>\
         <link rel=\"stylesheet\" href=\"file://{assets}/mekong.css\"><link rel=\"stylesheet\" href=\"file://{assets}/highlight.css\">\
         <script src=\"file://{assets}/code-copy.js\" defer></script></head>\
         <body><main class=\"main\" style=\"padding:1rem\"><div class=\"prose\">\n{body}</div></main></body></html>\n"
    );
    let out = dir.join("index.html");
    std::fs::write(&out, page).expect("write the demo page");
    println!("{}", out.display());
}
