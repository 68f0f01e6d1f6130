//! `mekong init DIR`: writes a small working site into a new or empty folder.
//!
//! This module owns the scaffold: `site.yaml` with every key explained, a home page, a `guide`
//! section with two pages that show front matter, checked internal links and anchors, a table
//! of contents, callouts, components, formulas, a data file read by a component of the site's
//! own, a table and code blocks, a `.gitignore` for `public/`, and a GitHub Pages
//! workflow. The files live under `src/init/` and are embedded with `include_str!`, so the
//! binary needs nothing beside it; the site builds at once with the embedded default theme.
//!
//! Safety: `init` refuses a folder that holds anything (but a bare `.git`, as in a freshly
//! cloned empty repository) unless `force` is set, so it never overwrites a file by surprise.
//! With `force` it writes into the folder and overwrites files of the same name; other files
//! are left alone. It writes nothing else, and nothing outside `dir`.

use crate::error::{Diagnostic, Error, fs};
use std::path::{Path, PathBuf};

/// What the workflow's `MEKONG_VERSION` says in `src/init/pages.yml`, replaced on writing by the
/// version of the mekong that runs `init`, so that the site's CI builds with the same version.
const VERSION_PLACEHOLDER: &str = "@MEKONG_VERSION@";

/// The scaffold: path in the new site (with `/`) and contents.
const FILES: &[(&str, &str)] = &[
    ("site.yaml", include_str!("init/site.yaml")),
    ("content/_index.md", include_str!("init/content/_index.md")),
    (
        "content/guide/_index.md",
        include_str!("init/content/guide/_index.md"),
    ),
    (
        "content/guide/getting-started.md",
        include_str!("init/content/guide/getting-started.md"),
    ),
    (
        "content/guide/writing.md",
        include_str!("init/content/guide/writing.md"),
    ),
    ("data/project.yaml", include_str!("init/data/project.yaml")),
    (
        "templates/components/version.html",
        include_str!("init/templates/components/version.html"),
    ),
    (
        ".github/workflows/pages.yml",
        include_str!("init/pages.yml"),
    ),
    (".gitignore", include_str!("init/gitignore")),
];

/// Writes a new site into `dir`, creating it (and its parents) if needed.
///
/// Refuses a non-empty folder unless `force`; with `force`, files of the same name are
/// overwritten. Returns the files written, relative to `dir`, in the order written.
pub fn init(dir: &Path, force: bool) -> Result<Vec<PathBuf>, Error> {
    if dir.exists() && !dir.is_dir() {
        return Err(Diagnostic::new(dir, "exists and is not a folder")
            .hint("choose the path of a new or empty folder for the site")
            .into());
    }
    if dir.is_dir() && !force {
        let found = entries(dir)?;
        if !found.is_empty() {
            let shown = found
                .iter()
                .take(3)
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let more = match found.len() {
                n if n > 3 => format!(" and {} more", n - 3),
                _ => String::new(),
            };
            return Err(Diagnostic::new(
                dir,
                format!("folder is not empty: it holds {shown}{more}"),
            )
            .hint(
                "choose a new folder, or pass --force to write into it \
                 (existing files of the same name are overwritten)",
            )
            .into());
        }
    }

    let mut written = Vec::with_capacity(FILES.len());
    for (rel, text) in FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent, parent)?;
        }
        let text = text.replace(VERSION_PLACEHOLDER, env!("CARGO_PKG_VERSION"));
        fs::write(&path, text.as_bytes(), &path)?;
        written.push(rel.split('/').collect::<PathBuf>());
    }
    Ok(written)
}

/// The names in `dir`, sorted, leaving out a `.git` folder (a cloned empty repository).
fn entries(dir: &Path) -> Result<Vec<String>, Diagnostic> {
    let read = std::fs::read_dir(dir).map_err(|e| fs::io(dir, "cannot read folder", &e))?;
    let mut names = Vec::new();
    for entry in read {
        let entry = entry.map_err(|e| fs::io(dir, "cannot read folder", &e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if name == ".git" && is_dir {
            continue;
        }
        names.push(if is_dir { format!("{name}/") } else { name });
    }
    names.sort();
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scaffold_file_is_written_and_versioned() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("new/site");
        let files = init(&dir, false).unwrap();
        assert_eq!(files.len(), FILES.len());
        for f in &files {
            assert!(dir.join(f).is_file(), "{} missing", f.display());
        }
        let wf = std::fs::read_to_string(dir.join(".github/workflows/pages.yml")).unwrap();
        assert!(!wf.contains(VERSION_PLACEHOLDER));
        assert!(wf.contains(&format!(
            "MEKONG_VERSION: \"{}\"",
            env!("CARGO_PKG_VERSION")
        )));
    }

    #[test]
    fn a_bare_git_folder_counts_as_empty() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join(".git")).unwrap();
        assert!(init(tmp.path(), false).is_ok());
    }

    #[test]
    fn refuses_a_file_and_a_non_empty_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("f");
        std::fs::write(&file, "x").unwrap();
        let e = init(&file, true).unwrap_err().to_string();
        assert!(e.contains("is not a folder"), "{e}");
        for n in ["a", "b", "c", "d"] {
            std::fs::write(tmp.path().join(n), "x").unwrap();
        }
        let e = init(tmp.path(), false).unwrap_err().to_string();
        assert!(e.contains("`a`, `b`, `c` and 2 more"), "{e}");
        assert!(e.contains("--force"), "{e}");
    }
}
