//! The source tree reads as the pipeline (issue 11): every module uses only the shared types
//! and the stages before it, no file under `src/` grows past 600 lines, and every file opens
//! with a `//!` comment saying what it owns. These read the sources, so a new import circle or
//! an overgrown room fails `cargo test`, not a later review.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The top-level modules in the order data flows; a module may use those before it only.
/// `lib` (the crate root: `Options`, `Prepared`, `build`, `check`) sits between the stages and
/// the layers that wrap it (`session`, `serve`, `init`, `cli`).
const ORDER: &[&str] = &[
    "error", "ids", "yaml", "theme", "output", "scan", "config", "load", "link", "quote",
    "markdown", "verify", "search", "render", "write", "record", "lib", "session", "serve", "init",
    "import", "cli", "main",
];

fn sources() -> Vec<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files: Vec<PathBuf> = walkdir(&src);
    files.retain(|p| p.extension().is_some_and(|e| e == "rs"));
    files.sort();
    files
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walkdir(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// `src/render/context.rs` -> `render`, `src/lib.rs` -> `lib`.
fn module_of(path: &Path) -> String {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let rel = path.strip_prefix(&src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// The top-level modules a file names through `crate::`: `crate::link::Site`,
/// `use crate::{load, markdown}`, and items of the crate root (`crate::Options`) as `lib`.
fn uses(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + 7..];
        let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            group[..end]
                .split(',')
                .map(|s| s.trim().split("::").next().unwrap_or("").trim())
                .collect()
        } else {
            vec![
                rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .next()
                    .unwrap_or(""),
            ]
        };
        for name in names {
            if name.is_empty() || name == "self" {
                continue;
            }
            if ORDER.contains(&name) {
                found.push(name.to_string());
            } else if name.chars().next().is_some_and(|c| c.is_uppercase())
                || name.ends_with("_config")
            {
                // A type or function of the crate root.
                found.push("lib".to_string());
            }
        }
    }
    found
}

#[test]
fn modules_use_only_the_stages_before_them() {
    let mut wrong: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for path in sources() {
        let module = module_of(&path);
        let Some(me) = ORDER.iter().position(|m| *m == module) else {
            panic!("{}: module `{module}` is not in ORDER", path.display());
        };
        let text = std::fs::read_to_string(&path).unwrap();
        // Doc comments may name any module ([`crate::serve`]); only code counts.
        let code: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for used in uses(&code) {
            let them = ORDER.iter().position(|m| *m == used).unwrap();
            if used != module && them > me {
                wrong
                    .entry(path.display().to_string())
                    .or_default()
                    .push(used);
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "modules that use a stage after them (order: {ORDER:?}): {wrong:#?}"
    );
}

#[test]
fn no_source_file_is_over_600_lines() {
    let long: Vec<String> = sources()
        .iter()
        .filter_map(|p| {
            let n = std::fs::read_to_string(p).unwrap().lines().count();
            (n > 600).then(|| format!("{}: {n} lines", p.display()))
        })
        .collect();
    assert!(long.is_empty(), "split these: {long:#?}");
}

#[test]
fn every_source_file_opens_with_a_module_comment() {
    let bare: Vec<String> = sources()
        .iter()
        .filter(|p| {
            !std::fs::read_to_string(p)
                .unwrap()
                .trim_start()
                .starts_with("//!")
        })
        .map(|p| p.display().to_string())
        .collect();
    assert!(bare.is_empty(), "add a //! comment to: {bare:#?}");
}

#[test]
fn the_dependency_check_sees_grouped_and_root_imports() {
    let found = uses("use crate::{Options, load, markdown::Env};\nlet x = crate::link::ROOT;");
    assert_eq!(found, vec!["lib", "load", "markdown", "link"]);
}
