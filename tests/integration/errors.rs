//! Every class of bad input gives a located error, exit code 1, and leaves public/ untouched.

use crate::support::SiteTest;

/// Builds the fixture with a sentinel public/ in place; returns the errors and checks that the
/// old output survived byte for byte.
fn fails(name: &str) -> String {
    let t = SiteTest::fixture(&format!("errors/{name}"));
    t.write("public/index.html", "old site");
    t.write("public/keep/me.txt", "old file");
    let before = t.snapshot("public");
    let err = t.build_err();
    assert_eq!(
        t.snapshot("public"),
        before,
        "a failed build changed public/"
    );
    let entries: Vec<_> = std::fs::read_dir(t.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !entries.iter().any(|e| e.contains("staging")),
        "staging folder left behind: {entries:?}"
    );
    err
}

#[test]
fn errors_on_malformed_yaml() {
    assert_eq!(
        fails("malformed_yaml"),
        "error: content/page.md:4:1: invalid YAML: did not find expected ',' or ']'\n  hint: check the indentation and quote values that contain ': ' or start with a special character"
    );
}

#[test]
fn errors_on_unknown_front_matter_key_with_suggestion() {
    assert_eq!(
        fails("unknown_key"),
        "error: content/page.md:3:1: unknown key `descripton` in front matter\n  hint: did you mean `description`?"
    );
}

#[test]
fn errors_on_unknown_config_key_with_suggestion() {
    assert_eq!(
        fails("unknown_config_key"),
        "error: site.yaml:2:1: unknown key `base_ur` in site.yaml\n  hint: did you mean `base_url`?"
    );
}

#[test]
fn errors_on_missing_title() {
    assert_eq!(
        fails("missing_title"),
        "error: content/page.md:2: missing `title` in front matter\n  hint: add a line `title: ...` between the `---` lines, or set `title_from_heading: true` in site.yaml to take the first `# ` heading"
    );
}

#[test]
fn errors_on_bad_date() {
    assert_eq!(
        fails("bad_date"),
        "error: content/page.md:3:1: `date` is not a valid date: `2024-02-30`\n  hint: write dates as YYYY-MM-DD, for example 2018-08-02, or as RFC 3339 date-times such as 2018-08-02T09:30:00+07:00"
    );
}

#[test]
fn errors_on_broken_link_with_its_column() {
    assert_eq!(
        fails("broken_link"),
        "error: content/page.md:6:5: link to a missing file: `other.md`\n  hint: no file content/other.md exists; paths are relative to this file, or start with `@/` for the content root"
    );
}

#[test]
fn errors_on_missing_anchor() {
    assert_eq!(
        fails("missing_anchor"),
        "error: content/page.md:6:5: link to a missing anchor `#nope` in content/other.md\n  hint: anchors there: #real-heading"
    );
}

#[test]
fn errors_on_duplicate_url_naming_both_files() {
    assert_eq!(
        fails("duplicate_url"),
        "error: content/two.md:3: content/one.md and content/two.md both map to the URL /one/\n  hint: rename one of the files or give it another `slug`"
    );
}

#[test]
fn errors_on_escaping_slug() {
    let err = fails("escaping_slug");
    assert!(
        err.starts_with("error: content/page.md:3: slug `../../etc` would leave the page's folder"),
        "{err}"
    );
}

#[test]
fn errors_on_template_syntax_with_template_line() {
    let err = fails("template_syntax");
    assert!(
        err.starts_with("error: templates/page.html:4:19: template syntax error:"),
        "{err}"
    );
}

/// Every template with a syntax error is reported in one run, not only the first.
#[test]
fn errors_on_every_template_with_a_syntax_error() {
    let err = fails("template_syntax_twice");
    for file in [
        "templates/page.html:4:19",
        "templates/section.html:3:",
        "templates/tags.html:2:",
    ] {
        assert!(
            err.contains(&format!("error: {file}")) && err.matches(file).count() == 1,
            "{file} reported once: {err}"
        );
    }
    assert_eq!(err.matches("template syntax error").count(), 3, "{err}");
}

#[test]
fn errors_on_undefined_template_variable_naming_the_page() {
    let err = fails("undefined_variable");
    assert!(
        err.starts_with(
            "error: templates/page.html:4:9: template error: Field `no_such_field` is not defined"
        ),
        "{err}"
    );
    assert!(err.contains("(while rendering content/page.md)"), "{err}");
}

#[test]
fn errors_on_non_utf8_file_at_the_bad_byte() {
    let err = fails("non_utf8");
    assert!(
        err.starts_with("error: content/page.md:4:11: file is not valid UTF-8"),
        "{err}"
    );
}

#[test]
fn errors_on_empty_file() {
    assert!(fails("empty_file").starts_with("error: content/page.md:1:1: file is empty"));
}

#[test]
fn errors_on_missing_front_matter() {
    assert!(fails("no_front_matter").starts_with(
        "error: content/page.md:1:1: missing front matter: the first line must be `---`"
    ));
}

#[test]
fn reports_every_error_at_once() {
    let err = fails("many_errors");
    assert!(
        err.contains("content/a.md:3:1: unknown key `wieght`"),
        "{err}"
    );
    assert!(
        err.contains("content/b.md:3:1: `date` is not a valid date: `yesterday`"),
        "{err}"
    );
}

#[test]
fn errors_on_altered_quotation_with_closest_passage() {
    let err = fails("bad_quote");
    assert!(
        err.starts_with("error: content/page.md:7:1: quotation not found in source 'report'"),
        "{err}"
    );
    assert!(
        err.contains("The meeting took place amidst big changes in geo-economics and politics."),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn errors_on_symlink_loop_without_hanging() {
    let t = SiteTest::fixture("errors/empty_file");
    std::fs::remove_file(t.root().join("content/page.md")).unwrap();
    std::fs::create_dir_all(t.root().join("content/sub")).unwrap();
    std::os::unix::fs::symlink("..", t.root().join("content/sub/loop")).unwrap();
    let err = t.build_err();
    assert!(
        err.starts_with("error: content/sub/loop: symbolic link loop"),
        "{err}"
    );
}

/// Root reads any file; on Linux the build runs without that privilege (see
/// `enforcing_permissions`), elsewhere build.rs ignores the test for root.
#[cfg(unix)]
#[cfg_attr(
    all(mekong_ignores_permissions, not(target_os = "linux")),
    ignore = "this user (root) reads a mode-000 file"
)]
#[test]
fn errors_on_unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let t = SiteTest::fixture("errors/empty_file");
    t.write("content/page.md", "---\ntitle: P\n---\n");
    let p = t.root().join("content/page.md");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    crate::support::enforcing_permissions(|| {
        if std::fs::read(&p).is_ok() {
            crate::support::unavailable(
                "this user can read a mode-000 file, so there is nothing to test",
            );
        }
        assert!(
            t.build_err()
                .contains("content/page.md: cannot read file: permission denied")
        );
    });
}

#[test]
fn binary_exits_1_on_content_errors_and_2_on_usage_errors() {
    let t = SiteTest::fixture("errors/bad_date");
    let (code, _, stderr) = t.run(&["build"]);
    assert_eq!(code, 1);
    assert!(
        stderr.starts_with("error: content/page.md:3:1: `date` is not a valid date"),
        "{stderr}"
    );
    let (code, _, _) = t.run(&["build", "--no-such-flag"]);
    assert_eq!(code, 2);
    let (code, _, _) = t.run(&["check"]);
    assert_eq!(code, 1);
    assert!(!t.exists("public"), "check must not write");
}

#[test]
fn output_path_that_is_a_file_is_an_error_and_kept() {
    let t = SiteTest::fixture("build/basic");
    t.write("public", "I am a file");
    let err = t.build_err();
    assert!(
        err.contains("public: the output path exists and is not a folder"),
        "{err}"
    );
    assert_eq!(t.read("public"), "I am a file");
}

#[test]
fn errors_on_broken_links_that_templates_make_once_per_template() {
    let err = fails("template_broken_link");
    assert!(
        err.contains("error: content/one.md: broken link `/assets/missing.css` (in one/index.html, rendered by template templates/page.html): no file assets/missing.css is written by this build (and on 1 more pages)"),
        "{err}"
    );
    assert!(
        err.contains("one/index.html has no element with id `nowhere`"),
        "{err}"
    );
    assert_eq!(
        err.matches("missing.css").count(),
        2,
        "reported once (message and its file name): {err}"
    );
}
