//! Puts an [`Output`] on disk: a staging folder beside `public/`, swapped in only when complete.
//!
//! The previous site survives any failure: nothing touches `public/` until the staging folder
//! holds the whole new site. Files whose bytes did not change are hard-linked from the old site
//! into the staging folder, so they keep their mtime; on Linux the two folders are then
//! exchanged atomically (`renameat2(RENAME_EXCHANGE)`), so `public/` is at every instant either
//! the complete old site or the complete new one. When nothing changed at all, nothing is
//! written. A lock file beside the output serializes concurrent builds of the same output.

use crate::error::{Diagnostic, Error, fs};
use crate::render::{Data, Output};
use rayon::prelude::*;
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

/// What a write did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteReport {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    pub bytes: u64,
}

/// Writes `output` to `out_dir`. `shown` is how messages name the output folder.
pub fn write(output: &Output, out_dir: &Path, shown: &Path) -> Result<WriteReport, Error> {
    let parent = match out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = out_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| {
            Diagnostic::new(shown, "the output path has no folder name")
                .hint("give an output folder such as `public`")
        })?;
    fs::create_dir_all(&parent, &parent)?;
    if out_dir.exists() && !out_dir.is_dir() {
        return Err(
            Diagnostic::new(shown, "the output path exists and is not a folder")
                .hint("move that file away or choose another output with --output")
                .into(),
        );
    }

    // One build at a time per output folder.
    let lock_path = parent.join(format!(".{name}.lock"));
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| fs::io(&lock_path, "cannot create the lock file", &e))?;
    lock.lock()
        .map_err(|e| fs::io(&lock_path, "cannot lock", &e))?;

    // Staging folders left by a killed build are ours to remove: we hold the lock.
    let prefix = format!(".{name}.staging-");
    if let Ok(entries) = std::fs::read_dir(&parent) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }

    // Compare with what is there.
    let old_files: BTreeSet<String> = if out_dir.is_dir() {
        list_files(out_dir)
    } else {
        BTreeSet::new()
    };
    let same: Vec<bool> = output
        .files
        .par_iter()
        .map(|(path, f)| old_files.contains(path) && unchanged(&out_dir.join(path), &f.data))
        .collect();
    let unchanged_count = same.iter().filter(|s| **s).count();
    let new_paths: HashSet<&str> = output.files.keys().map(String::as_str).collect();
    let stale = old_files
        .iter()
        .filter(|p| !new_paths.contains(p.as_str()) && !is_kept(p))
        .count();
    let mut report = WriteReport {
        written: output.files.len() - unchanged_count,
        unchanged: unchanged_count,
        removed: stale,
        bytes: 0,
    };
    if report.written == 0 && report.removed == 0 {
        return Ok(report);
    }

    let staging = parent.join(format!("{prefix}{}", std::process::id()));
    let result = fill(output, &same, out_dir, &staging, shown).and_then(|bytes| {
        report.bytes = bytes;
        swap(&staging, out_dir, shown)
    });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result?;
    drop(lock);
    Ok(report)
}

/// Top-level entries of the output that a build keeps: a `.git` of a branch checkout.
fn is_kept(path: &str) -> bool {
    path == ".git" || path.starts_with(".git/")
}

fn list_files(dir: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(dir).ok()?;
            Some(rel.to_str()?.replace('\\', "/"))
        })
        .collect()
}

fn unchanged(old: &Path, data: &Data) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(old) else {
        return false;
    };
    if !meta.is_file() {
        return false;
    }
    match data {
        Data::Bytes(b) => meta.len() == b.len() as u64 && std::fs::read(old).is_ok_and(|o| o == *b),
        Data::File(src) => {
            std::fs::metadata(src).is_ok_and(|m| m.len() == meta.len())
                && matches!((std::fs::read(old), std::fs::read(src)), (Ok(a), Ok(b)) if a == b)
        }
    }
}

/// Writes the staging folder; returns the bytes written.
fn fill(
    output: &Output,
    same: &[bool],
    out_dir: &Path,
    staging: &Path,
    shown: &Path,
) -> Result<u64, Error> {
    let staged_name = |p: &str| shown.join(p);
    fs::create_dir_all(staging, shown)?;
    let dirs: BTreeSet<&str> = output
        .files
        .keys()
        .filter_map(|p| p.rsplit_once('/').map(|(d, _)| d))
        .collect();
    for d in dirs {
        fs::create_dir_all(&staging.join(d), &staged_name(d))?;
    }
    let files: Vec<(&String, &crate::render::OutFile, bool)> = output
        .files
        .iter()
        .zip(same)
        .map(|((p, f), s)| (p, f, *s))
        .collect();
    let results: Vec<Result<u64, Diagnostic>> = files
        .par_iter()
        .map(|(path, f, same)| {
            let dest = staging.join(path);
            if *same && std::fs::hard_link(out_dir.join(path), &dest).is_ok() {
                return Ok(0);
            }
            match &f.data {
                Data::Bytes(b) => fs::write(&dest, b, &staged_name(path)).map(|_| b.len() as u64),
                Data::File(src) => std::fs::copy(src, &dest)
                    .map_err(|e| fs::io(&staged_name(path), "cannot copy", &e)),
            }
        })
        .collect();
    let mut errors = Vec::new();
    let mut bytes = 0;
    for r in results {
        match r {
            Ok(n) => bytes += n,
            Err(d) => errors.push(d),
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    // Keep a branch checkout's .git across builds.
    let git = out_dir.join(".git");
    if git.exists() {
        std::fs::rename(&git, staging.join(".git"))
            .map_err(|e| fs::io(&shown.join(".git"), "cannot keep", &e))?;
    }
    Ok(bytes)
}

/// Replaces `out_dir` with `staging`, atomically where the OS allows.
fn swap(staging: &Path, out_dir: &Path, shown: &Path) -> Result<(), Error> {
    if !out_dir.exists() {
        return std::fs::rename(staging, out_dir)
            .map_err(|e| fs::io(shown, "cannot move the new site into place", &e).into());
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        if renameat_with(CWD, staging, CWD, out_dir, RenameFlags::EXCHANGE).is_ok() {
            // `staging` now holds the old site.
            let _ = std::fs::remove_dir_all(staging);
            return Ok(());
        }
    }
    // Elsewhere (or on a file system without exchange): two renames, old site kept until the
    // new one is in place.
    let old = staging.with_file_name(format!(
        "{}-old",
        staging
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    std::fs::rename(out_dir, &old)
        .map_err(|e| fs::io(shown, "cannot move the old site aside", &e))?;
    if let Err(e) = std::fs::rename(staging, out_dir) {
        let _ = std::fs::rename(&old, out_dir);
        return Err(fs::io(shown, "cannot move the new site into place", &e).into());
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}
