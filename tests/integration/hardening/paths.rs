//! Containment: slugs, aliases, symbolic links, the search language and output folders that
//! would leave the output or overlap the sources are refused with located errors (or kept
//! inside), and nothing is written outside the output.

use super::{Fence, assert_builds, assert_errors_located, build_once, fm, guarded, inventory};
use crate::support::unavailable;
use mekong::error::Error;
use std::path::Path;

/// Slugs and aliases that would leave the output, `..`, `%2e%2e`, absolute and Windows paths:
/// refused with located errors or kept inside; nothing is written outside.
#[test]
fn escaping_aliases_and_slugs_are_refused_or_kept_inside() {
    let f = Fence::new();
    f.write("content/_index.md", fm("Home"));
    f.write(
        "content/a.md",
        "---\ntitle: A\naliases: [\"../../../x\", \"/../../x/\", \"a/../../x\", \"C:\\\\x\", \"\\\\\\\\srv\\\\x\", \"/./x\"]\n---\n",
    );
    f.write("content/b.md", "---\ntitle: B\nslug: \"../../../x\"\n---\n");
    f.write("content/c.md", "---\ntitle: C\nslug: \"..\\\\x\"\n---\n");
    let before = f.inventory();
    let e = guarded("build", || mekong::build(&f.options())).unwrap_err();
    f.assert_contained(&before, &f.inventory(), &["public"]);
    assert_errors_located(&e);
    let text = e.to_string();
    for a in [
        "../../../x",
        "/../../x/",
        "a/../../x",
        "C:\\x",
        "\\\\srv\\x",
        "/./x",
    ] {
        assert!(
            text.contains(&format!("alias `{a}` would leave the output folder")),
            "{a}: {text}"
        );
    }
    assert!(
        text.contains("content/b.md:3: slug `../../../x` would leave"),
        "{text}"
    );
    assert!(
        text.contains("content/c.md:3: slug `..\\x` would leave"),
        "{text}"
    );

    // Absolute and percent-encoded aliases stay inside the output, as plain folders.
    let f = Fence::new();
    f.write("content/_index.md", fm("Home"));
    f.write(
        "content/a.md",
        "---\ntitle: A\naliases: [\"/etc/passwd\", \"%2e%2e/%2e%2e/x\", \"/%2e%2e/\"]\n---\n",
    );
    let before = f.inventory();
    guarded("build", || mekong::build(&f.options())).unwrap_or_else(|e| panic!("{e}"));
    f.assert_contained(&before, &f.inventory(), &["public"]);
    for p in [
        "public/etc/passwd/index.html",
        "public/%2e%2e/%2e%2e/x/index.html",
        "public/%2e%2e/index.html",
    ] {
        assert!(f.path(p).is_file(), "{p}");
    }
}

/// Symbolic links in content/ and static/ that point outside the site are refused, naming the
/// link; links that stay inside are followed.
#[cfg(unix)]
#[test]
fn symlinks_out_of_the_site_are_refused_naming_the_link() {
    use std::os::unix::fs::symlink;
    let f = Fence::new();
    f.write("content/_index.md", fm("Home"));
    let outside = f.dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.md"), fm("Secret")).unwrap();
    std::fs::write(outside.join("secret.txt"), "secret").unwrap();
    symlink(&outside, f.path("content/out")).unwrap();
    std::fs::create_dir_all(f.path("static")).unwrap();
    symlink(outside.join("secret.txt"), f.path("static/secret.txt")).unwrap();
    // content/ -> site -> f2 -> f1 -> the fence, where outside/ is.
    symlink("../../../../outside/secret.txt", f.path("content/rel.txt")).unwrap();
    let before = f.inventory();
    let e = guarded("build", || mekong::build(&f.options())).unwrap_err();
    f.assert_contained(&before, &f.inventory(), &["public"]);
    let text = e.to_string();
    for link in ["content/out", "static/secret.txt", "content/rel.txt"] {
        assert!(
            text.contains(&format!(
                "error: {link}: symbolic link points outside the site folder"
            )),
            "{link}: {text}"
        );
    }

    // Inside the site: followed.
    let f = Fence::new();
    f.write("content/_index.md", fm("Home"));
    f.write("shared/logo.txt", "logo");
    std::fs::create_dir_all(f.path("static")).unwrap();
    symlink("../shared/logo.txt", f.path("static/logo.txt")).unwrap();
    assert_builds(&f);
    assert_eq!(
        std::fs::read_to_string(f.path("public/logo.txt")).unwrap(),
        "logo"
    );
}

/// `content/A.md` and `content/a.md` both become /a/: a duplicate URL naming both files.
#[cfg_attr(
    mekong_case_insensitive_tmp,
    ignore = "the temporary folder's file system is case-insensitive"
)]
#[test]
fn case_only_collisions_are_duplicate_urls() {
    let f = Fence::new();
    f.write("content/_index.md", fm("Home"));
    f.write("content/A.md", fm("Upper"));
    f.write("content/a.md", fm("Lower"));
    if f.path("content/A.md") == f.path("content/a.md")
        || std::fs::read_to_string(f.path("content/A.md"))
            .unwrap()
            .contains("Lower")
    {
        unavailable("this file system is case-insensitive");
    }
    let e = guarded("build", || mekong::build(&f.options())).unwrap_err();
    assert_errors_located(&e);
    let text = e.to_string();
    assert!(
        text.contains("content/A.md and content/a.md both map to the URL /a/"),
        "{text}"
    );
    assert!(!f.path("public").exists());
}

/// `language` becomes part of Pagefind's file names; `en/../../../x` once wrote index files
/// three folders above the output. Now refused in site.yaml.
#[test]
fn search_language_never_writes_outside_the_output() {
    let f = Fence::new();
    f.write(
        "site.yaml",
        "title: L\nlanguage: \"en/../../../../escaped\"\n",
    );
    f.write(
        "content/_index.md",
        format!("{}Some words to index.\n", fm("Home")),
    );
    let before = f.inventory();
    let r = build_once("build", &f.options());
    f.assert_contained(&before, &f.inventory(), &["public"]);
    if let Err(e) = r {
        assert_errors_located(&e);
        assert!(e.to_string().contains("site.yaml"), "{e}");
    }
}

/// `--output .`, `--output <root>` or `--output content` swap the site's own folder for the
/// output and then delete it: the whole site (or every page) is gone.
#[test]
fn an_output_folder_that_holds_the_site_is_refused() {
    for output in ["", "content", "static", "templates"] {
        let f = Fence::new();
        f.write("site.yaml", "title: Mine\n");
        f.write("content/_index.md", fm("Home"));
        f.write("static/keep.txt", "keep");
        f.write("templates/.keep", "");
        f.write("notes.txt", "precious");
        let before = inventory(&f.root());
        let out = if output.is_empty() {
            f.root()
        } else {
            f.path(output)
        };
        let r = guarded("build", || {
            mekong::build(&mekong::Options {
                output: Some(out),
                ..f.options()
            })
        });
        let after = inventory(&f.root());
        for (p, e) in &before {
            assert_eq!(
                after.get(p),
                Some(e),
                "--output {output:?}: the build removed or changed the source {p}"
            );
        }
        let e = r.expect_err("an output that holds sources must be refused");
        assert_errors_located(&e);
    }
}

/// `--output <root>/.` is the site folder itself: the build gets as far as trying to move it
/// aside (EBUSY saves it), and the error names no file (`error: : cannot move the old site
/// aside`). Same root cause as `an_output_folder_that_holds_the_site_is_refused`.
#[test]
fn an_output_path_without_a_name_is_a_located_error() {
    let f = Fence::new();
    f.write("content/_index.md", fm("Home"));
    let e = guarded("build", || {
        mekong::build(&mekong::Options {
            output: Some(f.root().join(".")),
            ..f.options()
        })
    })
    .unwrap_err();
    assert_errors_located(&e);
}

/// A static file `about` and a page `about.md` (folder about/), or an alias `/atom.xml/`
/// (folder atom.xml/ beside the feed): `check` passes, `build` fails naming only public/....
#[test]
fn check_reports_an_output_file_that_is_also_a_folder() {
    let cases: [(&str, &str, &str); 2] = [
        ("static/about", "x", "static/about"),
        (
            "content/other.md",
            "---\ntitle: Other\naliases: [\"/atom.xml/\"]\n---\n",
            "content/other.md",
        ),
    ];
    for (rel, text, culprit) in cases {
        let f = Fence::new();
        f.write("content/_index.md", fm("Home"));
        f.write("content/about.md", fm("About"));
        f.write(rel, text);
        let e = guarded("check", || mekong::check(&f.options()))
            .err()
            .unwrap_or_else(|| panic!("{rel}: check found no problem"));
        assert!(e.to_string().contains(culprit), "{rel}: {e}");
        let e = guarded("build", || mekong::build(&f.options())).unwrap_err();
        assert!(e.to_string().contains(culprit), "{rel}: {e}");
    }
}

/// An alias that collides with a generated file is reported against "a redirect (aliases)",
/// not the page that declares it.
#[test]
fn an_alias_colliding_with_a_generated_file_names_its_page() {
    let f = Fence::new();
    f.write("content/_index.md", fm("Home"));
    f.write(
        "content/other.md",
        "---\ntitle: Other\naliases: [\"/404.html\"]\n---\n",
    );
    let e = guarded("build", || mekong::build(&f.options())).unwrap_err();
    assert_errors_located(&e);
    assert!(
        e.diagnostics
            .iter()
            .all(|d| d.path == Path::new("content/other.md")),
        "{e}"
    );
}

/// `aliases: ["/a//b/"]` names the URL /a/b/. Before the output guard it was written to
/// a//b/index.html, which the file system opens as a/b/index.html: it silently clobbered the
/// page a/b and was rewritten on every build. Now it is refused, but the error names
/// "a redirect (aliases)" rather than the page, and says it "would leave the output folder".
/// Either behaviour is fine once located: normalized (a duplicate of content/a/b.md; /x//y/
/// builds and a rebuild writes nothing), or refused with an error on content/other.md.
#[test]
fn an_alias_with_an_empty_segment_is_normalized_or_refused_naming_its_page() {
    let on_the_page = |e: &Error| {
        assert_errors_located(e);
        assert!(
            e.diagnostics
                .iter()
                .all(|d| d.path == Path::new("content/other.md")),
            "{e}"
        );
    };
    let f = Fence::new();
    f.write("content/_index.md", fm("Home"));
    f.write("content/a/b.md", format!("{}Real B\n", fm("B")));
    f.write(
        "content/other.md",
        "---\ntitle: Other\naliases: [\"/a//b/\"]\n---\n",
    );
    let e = build_once("build", &f.options()).expect_err("the alias is the URL of content/a/b.md");
    on_the_page(&e);

    let f = Fence::new();
    f.write("content/_index.md", fm("Home"));
    f.write(
        "content/other.md",
        "---\ntitle: Other\naliases: [\"/x//y/\"]\n---\n",
    );
    match build_once("build", &f.options()) {
        Ok(_) => {
            let again = build_once("rebuild", &f.options()).unwrap();
            assert_eq!(
                (again.written, again.removed),
                (0, 0),
                "rebuild with nothing changed"
            );
        }
        Err(e) => on_the_page(&e),
    }
}

/// `--output content/out` (or static/out) puts the output among the sources: the next build
/// publishes the previous output inside the new one (out/out/out/... grows with every build).
#[test]
fn an_output_folder_inside_the_sources_is_refused() {
    for output in ["content/out", "static/out"] {
        let f = Fence::new();
        f.write("content/_index.md", fm("Home"));
        let opts = mekong::Options {
            output: Some(f.path(output)),
            ..f.options()
        };
        let first = build_once("build", &opts);
        let second = build_once("rebuild", &opts);
        let nested = f.path(output).join("out").exists();
        assert!(
            first.is_err() && second.is_err() && !nested,
            "--output {output}: built {:?} then {:?}; nested copy: {nested}",
            first.map(|b| b.written),
            second.map(|b| b.written)
        );
        assert_errors_located(&build_once("build", &opts).unwrap_err());
    }
}
