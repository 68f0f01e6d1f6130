//! `mekong init`: the scaffold builds at once with the default theme, its links become URLs, it
//! works under a sub-path, and init never writes into a non-empty folder without --force.

use crate::support::SiteTest;
use std::path::Path;

/// Every `href="…"` and `src="…"` value in `html`.
fn urls(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attr in [" href=\"", " src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').unwrap_or(rest.len());
            found.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    found
}

/// Every HTML file under `dir`, relative path and text.
fn html_files(dir: &Path) -> Vec<(String, String)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().display().to_string(),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect()
}

fn is_external(url: &str) -> bool {
    url.starts_with("//")
        || url.starts_with('#')
        || url
            .split_once(':')
            .is_some_and(|(scheme, _)| !scheme.contains('/'))
}

#[test]
fn a_new_site_builds_at_once_with_the_default_theme() {
    let t = SiteTest::empty();
    let site = t.root().join("mysite");
    let files = mekong::init::init(&site, false).unwrap();
    for expected in [
        "site.yaml",
        "content/_index.md",
        "content/guide/_index.md",
        "content/guide/getting-started.md",
        "content/guide/writing.md",
        ".github/workflows/pages.yml",
        "data/project.yaml",
        "templates/components/version.html",
    ] {
        assert!(
            files.iter().any(|f| f == Path::new(expected)),
            "{expected} not in {files:?}"
        );
        assert!(site.join(expected).is_file(), "{expected} not written");
    }
    assert!(files.iter().all(|f| f.is_relative()), "{files:?}");

    let summary = mekong::build(&mekong::Options::new(&site))
        .unwrap_or_else(|e| panic!("build failed:\n{e}"));
    // The one warning: `base_url: "/"` gives no sitemap or canonical links (issue 19); the
    // Pages workflow passes the absolute URL.
    let warnings: Vec<String> = summary
        .produced
        .warnings
        .iter()
        .map(|w| w.to_string())
        .collect();
    assert!(
        warnings.len() == 1 && warnings[0].contains("base_url `/` is a path, not an absolute URL"),
        "{warnings:?}"
    );
    assert!(summary.produced.pages >= 4);
    for page in [
        "index.html",
        "guide/index.html",
        "guide/getting-started/index.html",
        "guide/writing/index.html",
        "404.html",
    ] {
        assert!(
            t.exists(&format!("mysite/public/{page}")),
            "public/{page} missing"
        );
    }

    // A table of contents on each guide page, pointing at the page's own headings.
    let started = t.main_of("mysite/public/guide/getting-started/index.html");
    assert!(started.contains(r#"<nav class="toc""#), "{started}");
    assert!(started.contains(r##"href="#build-the-site""##), "{started}");
    assert!(started.contains(r#"id="build-the-site""#), "{started}");
    let writing = t.main_of("mysite/public/guide/writing/index.html");
    assert!(writing.contains(r#"<nav class="toc""#), "{writing}");
    assert!(
        writing.contains(r#"id="links""#),
        "the explicit {{#links}} id: {writing}"
    );
    assert!(
        writing.contains("<table>") && writing.contains("<pre"),
        "a table and code: {writing}"
    );

    // The rich Markdown the starter shows: a callout, a definition list, a component, a
    // formula, and a component of the site's own that reads its data file.
    for shown in [
        "<div class=\"callout callout-tip\"",
        "<dl>",
        "<details",
        "<math",
        "<strong class=\"version\">My project 0.1.0</strong>",
    ] {
        assert!(
            writing.contains(shown),
            "{shown} not on the writing page: {writing}"
        );
    }
    let yaml = std::fs::read_to_string(site.join("site.yaml")).unwrap();
    assert!(
        yaml.contains("# edit_url: ") && yaml.contains("# last_updated: git"),
        "site.yaml explains the edit link and last-updated date: {yaml}"
    );

    // Links written as source paths became URLs, anchors kept.
    assert!(
        started.contains(r##"href="/guide/writing/#headings""##),
        "{started}"
    );
    assert!(
        started.contains(r##"href="/guide/writing/#links""##),
        "{started}"
    );
    assert!(
        writing.contains(r##"href="/guide/getting-started/#build-the-site""##),
        "{writing}"
    );
    let home = t.main_of("mysite/public/index.html");
    assert!(home.contains(r#"href="/guide/getting-started/""#), "{home}");
    assert!(home.contains(r#"href="/guide/writing/""#), "{home}");
    for (rel, html) in html_files(&site.join("public")) {
        for url in urls(&html) {
            assert!(
                !url.contains(".md"),
                "{rel}: link left as a source path: {url}"
            );
        }
    }
}

#[test]
fn a_new_site_works_under_a_project_sub_path() {
    let t = SiteTest::empty();
    mekong::init::init(t.root(), false).unwrap();
    t.build_with(|o| o.base_url = Some("https://example.github.io/mysite/".into()))
        .unwrap_or_else(|e| panic!("build failed:\n{e}"));

    let pages = html_files(&t.root().join("public"));
    assert!(
        pages.len() >= 5,
        "{:?}",
        pages.iter().map(|p| &p.0).collect::<Vec<_>>()
    );
    let mut checked = 0;
    for (rel, html) in &pages {
        for url in urls(html) {
            if let Some(rest) = url.strip_prefix("https://example.github.io") {
                assert!(rest.starts_with("/mysite/"), "{rel}: {url}");
            } else if !is_external(&url) {
                assert!(
                    url.starts_with("/mysite/"),
                    "{rel}: internal URL outside /mysite/: {url}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 20, "only {checked} internal URLs found");
    // 404.html is served at any depth: its assets must be absolute, with the base path.
    let not_found = t.read("public/404.html");
    assert!(
        not_found.contains(r#"href="/mysite/assets/mekong.css""#),
        "{not_found}"
    );
    let started = t.read("public/guide/getting-started/index.html");
    assert!(
        started.contains(r##"href="/mysite/guide/writing/#headings""##),
        "{started}"
    );
}

/// The README's recipe for previewing a sub-path build on localhost: the scaffold must not link
/// to `http://localhost:8000/` itself, which would then count as an internal URL off the path.
#[test]
fn a_new_site_builds_for_a_local_sub_path_preview() {
    let t = SiteTest::empty();
    mekong::init::init(t.root(), false).unwrap();
    let out = t.root().join("preview/REPO");
    t.build_with(|o| {
        o.base_url = Some("http://localhost:8000/REPO/".into());
        o.output = Some(out.clone());
    })
    .unwrap_or_else(|e| panic!("build failed:\n{e}"));
    let started = t.read("preview/REPO/guide/getting-started/index.html");
    assert!(
        started.contains(r#"href="/REPO/assets/mekong.css""#),
        "{started}"
    );
}

#[test]
fn init_refuses_a_non_empty_folder_without_force() {
    let t = SiteTest::empty();
    t.write("notes.txt", "mine");
    let err = mekong::init::init(t.root(), false).unwrap_err().to_string();
    assert!(
        err.contains(&t.root().display().to_string()),
        "names the folder: {err}"
    );
    assert!(
        err.contains("not empty") && err.contains("`notes.txt`"),
        "{err}"
    );
    assert!(err.contains("--force"), "{err}");
    assert!(!t.exists("site.yaml"), "nothing is written");
    assert_eq!(t.read("notes.txt"), "mine");

    // Not even over a file of a scaffold name.
    let t = SiteTest::empty();
    t.write("site.yaml", "title: Mine\n");
    assert!(mekong::init::init(t.root(), false).is_err());
    assert_eq!(t.read("site.yaml"), "title: Mine\n");
}

#[test]
fn init_with_force_overwrites_scaffold_files_and_keeps_the_others() {
    let t = SiteTest::empty();
    t.write("notes.txt", "mine");
    t.write("site.yaml", "title: Mine\n");
    t.write("content/guide/writing.md", "old");
    let files = mekong::init::init(t.root(), true).unwrap();
    assert!(files.iter().any(|f| f == Path::new("site.yaml")));
    assert!(
        t.read("site.yaml").contains("base_url:"),
        "site.yaml overwritten"
    );
    assert!(
        t.read("content/guide/writing.md")
            .starts_with("---\ntitle:"),
        "page overwritten"
    );
    assert_eq!(t.read("notes.txt"), "mine", "other files are left alone");
    t.build_ok();
}

#[test]
fn init_refuses_a_path_that_is_a_file() {
    let t = SiteTest::empty();
    t.write("site", "a file");
    let err = mekong::init::init(&t.root().join("site"), true)
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a folder"), "{err}");
    assert_eq!(t.read("site"), "a file");
}

/// Needs the lead's wiring: `Command::Init` in src/cli.rs and its arm in src/main.rs.
#[test]
fn the_binary_inits_then_builds() {
    let t = SiteTest::empty();
    let (code, out, err) = t.run(&["init", "site"]);
    assert_eq!(code, 0, "init failed:\n{out}\n{err}");
    assert!(out.contains("site.yaml"), "{out}");
    let (code, out, err) = t.run(&["build", "--root", "site"]);
    assert_eq!(code, 0, "build failed:\n{out}\n{err}");
    assert!(t.exists("site/public/guide/writing/index.html"));

    // Again, into the same folder: refused, nothing touched.
    let before = t.read("site/site.yaml");
    let (code, _, err) = t.run(&["init", "site"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("site") && err.contains("--force"), "{err}");
    assert_eq!(t.read("site/site.yaml"), before);
    let (code, out, err) = t.run(&["init", "site", "--force"]);
    assert_eq!(code, 0, "init --force failed:\n{out}\n{err}");
}
