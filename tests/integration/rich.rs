//! Rich Markdown (issue 13): callouts, definition lists, footnotes with ids of their own, heading ids that never take
//! the theme's, and the output check that rejects an id used twice on a page. Each fixture
//! under tests/fixtures/rich/ is one behaviour; every bad input gets a located error and
//! leaves public/ as it was.

use crate::support::{SiteTest, repo_root};

fn built(name: &str) -> SiteTest {
    let t = SiteTest::fixture(&format!("rich/{name}"));
    t.build_ok();
    t
}

/// Builds a fixture that must fail, over a sentinel public/; returns the printed errors and
/// checks that public/ is byte for byte what it was.
fn fails(name: &str) -> String {
    let t = SiteTest::fixture(&format!("rich/{name}"));
    t.write("public/index.html", "old site");
    let before = t.snapshot("public");
    let err = t.build_err();
    assert_eq!(
        t.snapshot("public"),
        before,
        "a failed build changed public/"
    );
    err
}

/// The text of the first code block that starts with `open` (highlighted since issue 12: the
/// spans are removed, the escaped text stays).
fn code_text(html: &str, open: &str) -> String {
    let Some(start) = html.find(open) else {
        return String::new();
    };
    let rest = &html[start + open.len()..];
    let inner = &rest[..rest.find("</code>").unwrap_or(rest.len())];
    crate::support::without_tags(inner)
}

/// The page's prose with the callout icons (long SVGs) cut out.
fn prose(t: &SiteTest, page: &str) -> String {
    let main = t.main_of(page);
    let start = main.find("<div class=\"prose\">").expect("prose");
    let mut s = main[start..].to_string();
    while let Some(i) = s.find("<svg class=\"callout-icon\"") {
        let end = s[i..].find("</svg>").map_or(s.len(), |j| i + j + 6);
        s.replace_range(i..end, "[icon]");
    }
    s
}

#[test]
fn github_alerts_become_callouts_with_an_icon_and_a_title() {
    let t = built("callouts");
    let html = prose(&t, "public/callouts/index.html");
    assert!(html.contains("<div class=\"callout callout-note\" role=\"note\">\n<p class=\"callout-title\">[icon]Note</p>\n<p>A plain note with a <a href=\"#search-1\">link</a>.</p>\n</div>"), "{html}");
    assert!(
        !html.contains("[!NOTE]\n") && !html.contains("<blockquote class"),
        "{html}"
    );
    // The icon is decoration: hidden from screen readers, which read the title.
    let raw = t.read("public/callouts/index.html");
    assert!(raw.contains("<svg class=\"callout-icon\" aria-hidden=\"true\" focusable=\"false\""));
}

#[test]
fn a_callout_title_can_follow_the_marker() {
    let t = built("callouts");
    let html = prose(&t, "public/callouts/index.html");
    assert!(html.contains("<div class=\"callout callout-warning\" role=\"note\">\n<p class=\"callout-title\">[icon]<span class=\"visually-hidden\">Warning: </span>Before <strong>you</strong> start</p>\n<p>Back up first.</p>\n</div>"), "{html}");
    assert!(html.contains("<div class=\"callout callout-tip\" role=\"note\">\n<p class=\"callout-title\">[icon]<span class=\"visually-hidden\">Tip: </span>A title only</p>\n</div>"), "{html}");
}

#[test]
fn only_a_marker_at_the_start_of_a_quote_makes_a_callout() {
    let t = built("callouts");
    let html = prose(&t, "public/callouts/index.html");
    assert!(
        html.contains(
            "<blockquote>\n<p>An ordinary quote, [!NOTE] in the middle.</p>\n</blockquote>"
        ),
        "{html}"
    );
    assert!(
        html.contains("<blockquote>\n<p>[!NOTE] shown as text</p>\n</blockquote>"),
        "a backslash keeps the marker as text: {html}"
    );
}

#[test]
fn fenced_callouts_hold_markdown_and_nest_in_lists() {
    let t = built("callouts");
    let html = prose(&t, "public/callouts/index.html");
    assert!(html.contains("<div class=\"callout callout-caution\" role=\"note\">\n<p class=\"callout-title\">[icon]<span class=\"visually-hidden\">Caution: </span>Mind the gap</p>\n<p>A <em>fenced</em> callout.</p>\n<ul>\n<li>with a list</li>\n</ul>\n</div>"), "{html}");
    assert!(
        html.contains("<div class=\"callout callout-note\" role=\"note\">\n<p class=\"callout-title\">[icon]Note</p>\n<p>Docusaurus’ name for a note.</p>\n</div>"),
        "`:::info` is a note: {html}"
    );
    assert!(html.contains("<li>\n<p>An item.</p>\n<div class=\"callout callout-important\" role=\"note\">\n<p class=\"callout-title\">[icon]Important</p>\n<p>A callout in a list item.</p>\n</div>\n</li>"), "{html}");
}

/// `:::` lines inside a `>` block quote make a callout inside the quote (they were a
/// definition list before).
#[test]
fn fenced_callouts_work_inside_block_quotes() {
    let t = built("callouts");
    let html = prose(&t, "public/callouts/index.html");
    assert!(
        html.contains("<blockquote>\n<p>Quoted.</p>\n<div class=\"callout callout-warning\" role=\"note\">\n<p class=\"callout-title\">[icon]<span class=\"visually-hidden\">Warning: </span>In a quote</p>\n<p>Inside the <strong>quote</strong>.</p>\n</div>\n</blockquote>"),
        "{html}"
    );
    assert!(!html.contains("<dt>:::"), "{html}");
}

#[test]
fn code_blocks_keep_callout_syntax_as_it_is() {
    let t = built("callouts");
    let html = prose(&t, "public/callouts/index.html");
    assert!(
        code_text(&html, "<code class=\"language-md\">") == ":::note\n&gt; [!NOTES]\n",
        "{html}"
    );
}

#[test]
fn a_callout_is_not_a_checked_quotation() {
    // quoted.md declares `sources: [report]`: its blockquote is checked, its callout is not.
    let t = built("callouts");
    let html = prose(&t, "public/quoted/index.html");
    assert!(html.contains("<blockquote>"), "{html}");
    assert!(html.contains("What the source does not say</p>"), "{html}");
}

#[test]
fn definition_lists_are_dl_elements() {
    let t = built("callouts");
    let html = prose(&t, "public/callouts/index.html");
    assert!(html.contains("<dl>\n<dt>Terms</dt>\n<dd>Definition lists come out as <code>dl</code>.</dd>\n<dd>A second definition.</dd>\n<dt>Another term</dt>\n<dd>Its definition.</dd>\n</dl>"), "{html}");
}

#[test]
fn footnotes_have_prefixed_ids_and_link_back_to_every_reference() {
    let t = built("callouts");
    let html = prose(&t, "public/callouts/index.html");
    assert!(html.contains("A claim<sup class=\"footnote-reference\" id=\"fnref-source\"><a href=\"#fn-source\" aria-label=\"Footnote 1\">1</a></sup>, a second one<sup class=\"footnote-reference\" id=\"fnref-source-2\"><a href=\"#fn-source\" aria-label=\"Footnote 1\">1</a></sup>"), "{html}");
    assert!(html.contains("<div class=\"footnote-definition\" id=\"fn-source\"><sup class=\"footnote-definition-label\">1</sup>\n<p>The source.</p>\n<p class=\"footnote-backrefs\"><a class=\"footnote-backref\" href=\"#fnref-source\" aria-label=\"Back to reference 1 (1)\">↩</a><a class=\"footnote-backref\" href=\"#fnref-source-2\" aria-label=\"Back to reference 1 (2)\">↩<sup>2</sup></a></p>\n</div>"), "{html}");
    assert!(html.contains("id=\"fn-2\""), "{html}");
    // Another page links to a footnote by its id; the anchor check knows it.
    let home = t.main_of("public/index.html");
    assert!(home.contains("href=\"/callouts/#fn-source\""), "{home}");
}

#[test]
fn headings_never_take_the_theme_or_footnote_ids() {
    let t = built("callouts");
    let html = prose(&t, "public/callouts/index.html");
    // `## Search` would otherwise be `id="search"`, the search form's id.
    assert!(html.contains("<h2 id=\"search-1\">Search"), "{html}");
    assert!(html.contains("<h2 id=\"h-fn-1\">Fn 1"), "{html}");
    assert!(html.contains("<h2 id=\"before-you-start\">"), "{html}");
}

#[test]
fn every_literal_id_of_the_theme_is_reserved() {
    let theme = repo_root().join("src/theme");
    let mut files = Vec::new();
    for dir in ["templates", "static/assets"] {
        for e in std::fs::read_dir(theme.join(dir)).unwrap() {
            files.push(e.unwrap().path());
        }
    }
    files.push(theme.join("live.js"));
    let reserved = |id: &str| {
        mekong::theme::RESERVED_IDS.contains(&id)
            || mekong::theme::RESERVED_ID_PREFIXES
                .iter()
                .any(|p| id.starts_with(p))
    };
    let mut missing = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        for pat in ["id=\"", ".id = \""] {
            for part in text.split(pat).skip(1) {
                let id = part.split('"').next().unwrap_or("");
                if !id.contains("{{") && !id.is_empty() && !reserved(id) {
                    missing.push(format!("{}: {id}", f.display()));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "add these to theme::RESERVED_IDS: {missing:#?}"
    );
}

#[test]
fn errors_on_bad_callouts_and_reserved_heading_ids() {
    assert_eq!(
        fails("bad_callouts"),
        "error: content/_index.md:15:1: heading id `search` is used by the theme on every page
  hint: choose another `{#id}`; the theme uses `main`, `sidebar`, `menu-toggle`, `theme-toggle`, `search`, `search-input`, `search-results`, `search-status`, `search-listbox`
error: content/_index.md:17:1: heading id `fn-1` starts with `fn-`, which mekong keeps for its own ids
  hint: ids starting with `fn-`, `fnref-`, `mekong-`, `search-option-` are reserved (footnotes use `fn-` and `fnref-`); choose another `{#id}`
error: content/_index.md:4:3: unknown callout `[!NOTES]`
  hint: did you mean `[!NOTE]`? Callouts are `[!NOTE]`, `[!TIP]`, `[!IMPORTANT]`, `[!WARNING]`, `[!CAUTION]`
error: content/_index.md:6:3: callout marker `[!WARNING` is not closed
  hint: write `[!WARNING]`, then the title (optional) on the same line; start with a backslash (`\\[!`) to show it as text
error: content/_index.md:8:1: unknown callout `:::tips`
  hint: did you mean `:::tip`? Callouts are `:::note`, `:::tip`, `:::important`, `:::warning`, `:::caution`
error: content/_index.md:12:1: callout `:::note` is not closed
  hint: end it with a line `:::` at the same indentation (`> :::` inside a block quote)
error: content/_index.md:22:3: this `:::` is not in the block where its callout opened
  hint: put the closing `:::` in the same list item or quote as the opening line, as much indented
error: content/_index.md:24:3: callout `:::warning` is not closed
  hint: end it with a line `:::` at the same indentation (`> :::` inside a block quote)
error: content/_index.md:27:1: `:::` outside any `>` block quote cannot close the callout opened inside 1 `>` at `:::warning`
  hint: close a callout at the same block quote level it was opened at: inside a quote, write the closing line as `> :::`"
    );
}

#[test]
fn a_stray_closing_fence_is_located() {
    let t = SiteTest::empty();
    t.write(
        "content/_index.md",
        "---\ntitle: Home\n---\nText.\n\n:::\n\n\\:::\n",
    );
    assert_eq!(
        t.build_err(),
        "error: content/_index.md:6:1: `:::` closes no callout\n  hint: remove it, or open a callout before it with `:::note` (or tip, important, warning, caution); write `\\:::` to show the colons as text"
    );
}

#[test]
fn errors_on_an_id_used_twice_in_the_output() {
    assert_eq!(
        fails("duplicate_ids"),
        "error: content/_index.md: id `intro` is used by more than one element (in index.html, rendered by template (default theme) index.html)
  hint: ids must be unique on a page, or links to `#id` reach only the first; rename the `{#id}` of a heading, or the id in raw HTML or in the template
error: content/other.md: id `main` is used by more than one element (in other/index.html, rendered by template templates/twice.html)
  hint: ids must be unique on a page, or links to `#id` reach only the first; rename the `{#id}` of a heading, or the id in raw HTML or in the template"
    );
}

#[test]
fn math_is_off_by_default_so_dollars_stay_text() {
    let t = built("math");
    let html = prose(&t, "public/index.html");
    let html = &html[..html.find("</div>").unwrap()];
    assert!(
        html.contains("Prices stay prices: $5 and $x$ are text here"),
        "{html}"
    );
    assert!(!html.contains("<math"), "{html}");
}

#[test]
fn math_becomes_mathml_at_build_time() {
    let t = built("math");
    let html = prose(&t, "public/formulas/index.html");
    assert!(html.contains("Inline <span class=\"math math-inline\"><math display=\"inline\"><semantics><mrow><msup><mi>a</mi><mn>2</mn></msup><mo>+</mo>"), "{html}");
    assert!(
        html.contains("<annotation encoding=\"application/x-tex\">a^2 + b^2 = c^2</annotation>"),
        "{html}"
    );
    assert!(
        html.contains(
            "<span class=\"math math-display\"><math display=\"block\"><semantics><mrow><mfrac>"
        ),
        "{html}"
    );
    assert!(
        html.contains("<code>$x$</code>"),
        "code keeps its dollars: {html}"
    );
    assert!(html.contains("escaped: $5."), "{html}");
    // No script, no stylesheet or font from elsewhere: the page has only the theme's files.
    let page = t.read("public/formulas/index.html");
    assert!(
        !page.contains("katex") && !page.contains("mathjax"),
        "{page}"
    );
}

#[test]
fn site_yaml_turns_math_on_and_front_matter_off_again() {
    let t = SiteTest::fixture("rich/math");
    t.write("site.yaml", "title: Math\nsearch: false\nmath: true\n");
    t.write(
        "content/prices.md",
        "---\ntitle: Prices\nmath: false\n---\nFrom $5 to $x$.\n",
    );
    t.build_ok();
    assert!(
        t.main_of("public/index.html")
            .contains("<math display=\"inline\">")
    );
    assert!(
        t.main_of("public/prices/index.html")
            .contains("From $5 to $x$.")
    );
}

#[test]
fn errors_on_invalid_latex_with_the_converters_message() {
    assert_eq!(
        fails("bad_math"),
        "error: content/_index.md:6:9: invalid LaTeX: expected a token
  hint: at `\\frac{a}`; fix the LaTeX (math mode, as in `$x^2$` or `$$\\frac{a}{b}$$`), or write `\\$` for a dollar sign
error: content/_index.md:8:1: invalid LaTeX: unknown primitive command found
  hint: at `…suchcommand`; fix the LaTeX (math mode, as in `$x^2$` or `$$\\frac{a}{b}$$`), or write `\\$` for a dollar sign"
    );
}

#[test]
fn errors_on_a_math_setting_that_is_not_a_boolean() {
    let t = SiteTest::fixture("rich/math");
    t.write("site.yaml", "title: Math\nmath: yes please\n");
    let err = t.build_err();
    assert!(err.starts_with("error: site.yaml:2:"), "{err}");
    assert!(err.contains("`math`"), "{err}");
}

#[test]
fn data_files_are_data_in_templates() {
    let t = built("data");
    let html = t.main_of("public/figures/index.html");
    assert!(
        html.contains("<p id=\"members\">10 members at AMM-51</p>"),
        "{html}"
    );
    assert!(
        html.contains("<p id=\"chair\">Singapore, 2018, opened 2018-08-02</p>"),
        "json and toml (dates as text): {html}"
    );
    assert!(
        html.contains("<li>Lee, A.: chair</li><li>B: says &quot;hi&quot;</li>"),
        "csv rows, in a folder: {html}"
    );
}

#[test]
fn a_changed_data_file_is_built_again() {
    let t = built("data");
    t.write("data/figures.yaml", "members: 11\nmeeting: AMM-51\n");
    let s = t.build_ok();
    assert!(s.written.written >= 1, "{:?}", s.written);
    assert!(
        t.main_of("public/figures/index.html")
            .contains("11 members")
    );
}

#[test]
fn errors_on_malformed_data_files() {
    assert_eq!(
        fails("bad_data"),
        "error: data/README.txt: not a data file
  hint: data/ holds .yaml, .yml, .json, .toml and .csv files; put other files in static/ or content/
error: data/conf.toml:1:14: invalid TOML: invalid basic string, expected `\"`
  hint: check the quotes and brackets at that place; TOML strings are always quoted
error: data/figures.yaml:2:8: invalid YAML: did not find expected ',' or ']'
  hint: check the indentation, and quote values that contain ': ' or start with a special character
error: data/meta.json:2:7: invalid JSON: expected value
  hint: check for a missing comma or quote, or a comma after the last item
error: data/rows.csv:2:1: this row has 3 cells, the header row 2
  hint: give every row one cell per column (an empty cell is still a cell: `a,,c`)"
    );
}

#[test]
fn errors_on_two_data_files_of_one_name() {
    let t = built("data");
    t.write("data/meta.yaml", "chair: x\n");
    t.write("data/team.toml", "a = 1\n");
    assert_eq!(
        t.build_err(),
        "error: data/meta.yaml: `data.meta` is given twice: by data/meta.json and by this file
  hint: keep one file per name: data/x.yaml and data/x.json, or data/x.yaml and a folder data/x/, cannot both be there
error: data/team.toml: `data.team` is given twice: by this file and by the folder of data/team/people.csv
  hint: keep one file per name: data/x.yaml and data/x.json, or data/x.yaml and a folder data/x/, cannot both be there"
    );
}

#[test]
fn serve_renders_again_when_a_data_file_changes() {
    use mekong::serve::{Notice, ServeOptions, start};
    use std::io::{Read, Write};
    use std::time::{Duration, Instant};
    let t = SiteTest::fixture("rich/data");
    let r = start(&ServeOptions {
        root: t.root().to_path_buf(),
        port: 0,
        bind: "127.0.0.1".parse().unwrap(),
        open: false,
        drafts: false,
    })
    .unwrap_or_else(|e| panic!("serve failed: {e}"));
    let get = |path: &str| {
        let mut s = std::net::TcpStream::connect(r.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut buf = String::new();
        s.read_to_string(&mut buf).unwrap();
        buf
    };
    assert!(get("/figures/").contains("10 members"));
    let mut rx = r.notices();
    t.write("data/figures.yaml", "members: 12\nmeeting: AMM-51\n");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        match rx.try_recv() {
            Ok(Notice::Reload) => break,
            Ok(_) => {}
            Err(_) => {
                assert!(Instant::now() < deadline, "no reload within 15 s");
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
    assert!(get("/figures/").contains("12 members"));
}

#[test]
fn figure_reads_the_image_size_and_resolves_its_path() {
    let t = built("components");
    let html = prose(&t, "public/guide/page/index.html");
    assert!(html.contains("<figure class=\"figure\">\n<img src=\"/guide/map.png\" alt=\"A grey map\" width=\"40\" height=\"30\" loading=\"lazy\">\n<figcaption>The map, 40 by 30</figcaption>\n</figure>\n"), "{html}");
    assert!(
        html.contains(
            "<img src=\"/guide/map.png\" alt=\"\" width=\"20\" height=\"15\" loading=\"lazy\">"
        ),
        "a given size wins: {html}"
    );
}

#[test]
fn details_and_tabs_hold_markdown() {
    let t = built("components");
    let html = prose(&t, "public/guide/page/index.html");
    assert!(html.contains("<details class=\"details\">\n<summary>What the page leaves out</summary>\n<div class=\"details-body\">\n<p>A body in <strong>Markdown</strong>, with <a href=\"#usage\">a link</a>.</p>"), "{html}");
    assert!(html.contains("<details class=\"details\" open>"), "{html}");
    assert!(html.contains("<div class=\"tabs\" role=\"group\" aria-label=\"Systems\">\n<input class=\"tab-input\" type=\"radio\" name=\"mekong-tabs-4\" id=\"mekong-tabs-4-0\" checked>\n<label class=\"tab-label\" for=\"mekong-tabs-4-0\">Linux</label>\n<div class=\"tab-panel\">\n<p>Run <code>apt-get install</code>.</p>"), "{html}");
    assert!(html.contains("id=\"mekong-tabs-4-1\">\n<label class=\"tab-label\" for=\"mekong-tabs-4-1\">macOS</label>"), "{html}");
}

#[test]
fn a_site_defines_its_own_components() {
    let t = built("components");
    let html = prose(&t, "public/guide/page/index.html");
    assert!(
        html.contains("<p>Inline: <span class=\"badge\">new</span> in a sentence.</p>"),
        "{html}"
    );
}

#[test]
fn code_and_the_escape_keep_calls_as_text() {
    let t = built("components");
    let html = prose(&t, "public/guide/page/index.html");
    assert!(
        html.contains("<code>{{ figure(src=\"x\") }}</code>"),
        "{html}"
    );
    assert!(
        code_text(&html, "<pre class=\"code\" tabindex=\"0\"><code>")
            == "{% details(summary=\"x\") %}\n",
        "{html}"
    );
    assert!(
        html.contains("The escape shows a call as text: {{ figure(src=“map.png”) }}."),
        "{html}"
    );
}

#[test]
fn errors_on_bad_component_calls() {
    assert_eq!(
        fails("bad_components"),
        "error: content/_index.md:12:15: `bare` is not a value: quote text, as in \"bare\"
  hint: write arguments as `name=value`, separated by commas: strings in quotes, numbers, `true`/`false` or `[lists]`, as in `{{ figure(src=\"map.png\", alt=\"Map\", width=400) }}`
error: content/_index.md:14:4: component `details` is not closed
  hint: end its body with a line `{% end %}`
error: content/_index.md:4:4: unknown component `figur`
  hint: did you mean `figure`?
error: content/_index.md:6:39: unknown argument `widht` of component `figure`
  hint: did you mean `width`?
error: content/_index.md:8:39: argument `width` of component `figure` must be an integer, not a string
  hint: write a whole number without quotes: `width=400`
error: content/_index.md:10:4: component `figure` needs the argument `src`
  hint: add `src=...` to the call
error: content/more.md:6:1: `{% end %}` closes no component
  hint: remove it, or open a component before it, as in `{% details(summary=\"More\") %}`; write `{%/* end */%}` to show it as text
error: content/more.md:8:4: component `details` needs a body
  hint: call it as `{% details(...) %}` on a line of its own, then the Markdown body, then a line `{% end %}`"
    );
}

#[test]
fn errors_on_a_missing_image_and_a_broken_component_template() {
    let t = built("components");
    t.write(
        "content/guide/page.md",
        "---\ntitle: Page\n---\n{{ figure(src=\"nope.png\", alt=\"\") }}\n",
    );
    let err = t.build_err();
    assert!(
        err.starts_with("error: content/guide/page.md:4:11: link to a missing file: `nope.png`"),
        "{err}"
    );
    t.write(
        "templates/components/badge.html",
        "{% component badge(text: string) %}{{ text }\n{% endcomponent badge %}\n",
    );
    let err = t.build_err();
    assert!(
        err.starts_with("error: templates/components/badge.html:1:"),
        "{err}"
    );
}

/// Runs git in the site folder (to set up a history; mekong reads it with the same binary).
/// A missing git, or a git command that fails, fails the test.
fn git(t: &SiteTest, args: &[&str], date: &str) {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(t.root())
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output();
    match out {
        Ok(o) if o.status.success() => {}
        Ok(o) => panic!("git {args:?}: {}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => panic!("these tests make a history with the git binary: {e}"),
    }
}

/// The edit fixture with three commits: all pages, then `b page.md`, then `a.md`.
fn with_history() -> SiteTest {
    let t = SiteTest::fixture("rich/edit");
    git(
        &t,
        &["init", "-q", "-b", "main"],
        "2019-01-02T10:00:00+00:00",
    );
    git(&t, &["add", "."], "2019-01-02T10:00:00+00:00");
    git(&t, &["commit", "-qm", "one"], "2019-01-02T10:00:00+00:00");
    t.write(
        "content/b page.md",
        "---\ntitle: Beta page\n---\nBeta, edited.\n",
    );
    git(&t, &["commit", "-qam", "two"], "2020-03-04T10:00:00+00:00");
    t.write("content/a.md", "---\ntitle: Alpha\n---\nAlpha, edited.\n");
    // 23:30 in UTC-05:00 is the next day in UTC: the committer's own date counts.
    git(
        &t,
        &["commit", "-qam", "three"],
        "2021-05-06T23:30:00-05:00",
    );
    t
}

#[test]
fn every_page_links_to_its_source_in_the_editor() {
    let t = SiteTest::fixture("rich/edit");
    t.write(
        "site.yaml",
        "title: Edit\nsearch: false\nedit_url: https://github.com/USER/REPO/edit/main/docs\n",
    );
    t.build_ok();
    assert!(t.main_of("public/a/index.html").contains(
        "<p class=\"doc-edit\" data-pagefind-ignore><a href=\"https://github.com/USER/REPO/edit/main/docs/content/a.md\">Edit this page</a></p>"
    ));
    assert!(
        t.main_of("public/b-page/index.html")
            .contains("href=\"https://github.com/USER/REPO/edit/main/docs/content/b%20page.md\""),
        "paths are percent-encoded"
    );
}

#[test]
fn pages_show_the_date_of_their_last_commit() {
    let t = with_history();
    let s = t.build_ok();
    assert!(s.produced.warnings.is_empty(), "{:?}", s.produced.warnings);
    let a = t.main_of("public/a/index.html");
    assert!(
        a.contains("<span class=\"doc-meta-item\">Last updated <time datetime=\"2021-05-06\">2021-05-06</time></span>"),
        "{a}"
    );
    assert!(
        t.main_of("public/b-page/index.html")
            .contains("datetime=\"2020-03-04\"")
    );
    // A new commit is a new date: the build record must not stop the build.
    t.write(
        "content/a.md",
        "---\ntitle: Alpha\n---\nAlpha, edited.\n\nAgain.\n",
    );
    git(&t, &["commit", "-qam", "four"], "2022-07-08T10:00:00+00:00");
    t.build_ok();
    assert!(
        t.main_of("public/a/index.html")
            .contains("datetime=\"2022-07-08\"")
    );
}

#[test]
fn a_shallow_clone_or_no_repository_builds_and_says_why_once() {
    let t = SiteTest::fixture("rich/edit");
    let s = t.build_ok();
    let w: Vec<String> = s.produced.warnings.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        w,
        [
            "site.yaml: `last_updated: git`: the site is not in a git repository, so pages show no last-updated date\n  hint: build from a clone of the repository, or remove `last_updated`"
        ]
    );
    assert!(!t.main_of("public/a/index.html").contains("Last updated"));

    let origin = with_history();
    let clone = SiteTest::empty();
    let from = format!("file://{}", origin.root().display());
    git(
        &clone,
        &["clone", "-q", "--depth", "2", &from, "site"],
        "2022-01-01T00:00:00+00:00",
    );
    let mut opts = mekong::Options::new(clone.root().join("site"));
    opts.output = Some(clone.root().join("out"));
    let s = mekong::build(&opts).unwrap_or_else(|e| panic!("{e}"));
    let w: Vec<String> = s.produced.warnings.iter().map(|d| d.to_string()).collect();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with("site.yaml: `last_updated: git`: no last-updated date for content/_index.md, content/b page.md: the clone is shallow"),
        "{w:?}"
    );
    let a = std::fs::read_to_string(clone.root().join("out/a/index.html")).unwrap();
    assert!(
        a.contains("datetime=\"2021-05-06\""),
        "the shallow history still dates a.md"
    );
}

/// Without a `git` binary the build still succeeds, and says once why pages have no date.
#[test]
fn a_machine_without_git_builds_and_says_why_once() {
    let t = with_history();
    let no_git = crate::support::tempdir();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mekong"))
        .args(["build", "--root"])
        .arg(t.root())
        .env("PATH", no_git.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        stderr.matches("last_updated: git").count(),
        1,
        "one warning: {stderr}"
    );
    assert!(
        stderr
            .contains("`last_updated: git`: git was not found, so pages show no last-updated date"),
        "{stderr}"
    );
    assert!(!t.main_of("public/a/index.html").contains("Last updated"));
}

#[test]
fn the_pages_workflows_fetch_the_whole_history() {
    for f in [".github/workflows/pages.yml", "src/init/pages.yml"] {
        let text = std::fs::read_to_string(repo_root().join(f)).unwrap();
        assert!(
            text.contains("uses: actions/checkout@v4\n        with:\n          # The whole history, so that `last_updated: git` can date every page.\n          fetch-depth: 0"),
            "{f}"
        );
    }
}

#[test]
fn errors_on_a_bad_edit_url_or_last_updated() {
    let t = SiteTest::fixture("rich/edit");
    t.write("site.yaml", "edit_url: github.com/x\nlast_updated: yes\n");
    assert_eq!(
        t.build_err(),
        "error: site.yaml:1:1: `edit_url` is not an http(s) URL: `github.com/x`
  hint: give the web editor's URL of the site folder, such as `https://github.com/USER/REPO/edit/main/`; a page's link adds `content/<its path>`
error: site.yaml:2:1: `last_updated` must be `git`, not `yes`
  hint: write `last_updated: git` to show each page's last commit date, or leave the key out"
    );
}

/// A component reads the site's data files through the implicit argument `@data` (and the
/// site's settings through `@config`); an inline call at the start of a paragraph's line stays
/// in the paragraph.
#[test]
fn components_read_data_files_and_stay_inline_at_a_line_start() {
    let t = SiteTest::empty();
    t.write("site.yaml", "title: Test site\n");
    t.write("data/project.yaml", "name: Mekong\nversion: \"1.2.0\"\n");
    t.write(
        "templates/components/release.html",
        "{% component release(@data, @config) -%}\n<b class=\"release\">{{ config.title }}: {{ data.project.name }} {{ data.project.version }}</b>\n{%- endcomponent release %}\n",
    );
    t.write(
        "content/_index.md",
        "---\ntitle: Home\n---\nThe release is\n{{ release() }}, out now.\n\n{{ release() }} comes first.\n",
    );
    t.build_ok();
    let main = t.main_of("public/index.html");
    let b = "<b class=\"release\">Test site: Mekong 1.2.0</b>";
    assert!(
        main.contains(&format!("<p>The release is\n{b}, out now.</p>")),
        "{main}"
    );
    assert!(main.contains(&format!("<p>{b} comes first.</p>")), "{main}");
    assert!(!main.contains("mekong-component"), "{main}");
}
