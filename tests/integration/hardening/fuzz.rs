//! Fuzz regressions: inputs that once crashed a fuzz target (fuzz/), kept as fixtures under
//! `tests/fixtures/hardening/fuzz/<target>/` and replayed through the code each target drives.

use super::{Fence, assert_errors_located, fm, guarded, markdown_site};
use crate::support::fixtures;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Replays `tests/fixtures/hardening/fuzz/<target>/*` through the code each target drives
/// (`markdown` inputs as the body of a page, through `check`).
#[test]
fn fuzz_regressions_do_not_crash() {
    let base = fixtures().join("hardening/fuzz");
    let files = |target: &str| -> Vec<(PathBuf, Vec<u8>)> {
        let dir = base.join(target);
        let mut v: Vec<_> = std::fs::read_dir(&dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                    .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                    .map(|e| (e.path(), std::fs::read(e.path()).unwrap()))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    for (path, data) in files("front_matter") {
        let text = String::from_utf8_lossy(&data).into_owned();
        guarded(&path.display().to_string(), || {
            let _ = mekong::load::parse_doc("page.md", text.clone(), false);
            let _ = mekong::load::parse_doc("page.md", text, true);
        });
    }
    for (path, data) in files("markdown") {
        // As in the target: a flags byte (bit 0: check quotations), then the body.
        let Some((&flags, body)) = data.split_first() else {
            continue;
        };
        let body = String::from_utf8_lossy(body).into_owned();
        let f = markdown_site(&body, 0, false, flags & 1 != 0);
        guarded(&path.display().to_string(), || {
            if let Err(e) = mekong::check(&f.options()) {
                assert_errors_located(&e);
            }
        });
    }
    for (path, data) in files("site") {
        let Some((&flags, page)) = data.split_first() else {
            continue;
        };
        let f = Fence::new();
        f.write(
            "site.yaml",
            format!("title: Fuzz\nsearch: {}\n", flags & 1 != 0),
        );
        f.write("content/_index.md", fm("Home"));
        f.write("content/topics/page.md", page);
        guarded(&path.display().to_string(), || {
            if let Err(e) = mekong::check(&f.options()) {
                assert_errors_located(&e);
            }
        });
    }
    for (path, data) in files("quote") {
        let text = String::from_utf8_lossy(&data).into_owned();
        let (source, quote) = text.split_once('\u{1}').unwrap_or((&text, ""));
        guarded(&path.display().to_string(), || quote_oracle(source, quote));
    }
}

/// What the quote fuzz target checks: no panic, and every line of a source quotes itself.
fn quote_oracle(source: &str, quote: &str) {
    let mut map = BTreeMap::new();
    map.insert(
        "r".to_string(),
        mekong::config::SourceText {
            path: PathBuf::from("r.txt"),
            text: source.to_string(),
        },
    );
    let sources = mekong::quote::Sources::new(&map);
    let names = vec!["r".to_string()];
    let _ = sources.check_blockquote(quote, &names);
    let _ = sources.check_inline(quote, &names);
    let _ = mekong::quote::curly_quotes(quote);
    for line in source.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            sources.check_blockquote(line, &names).is_ok(),
            "a line of the source does not quote itself: {line:?}"
        );
    }
}
