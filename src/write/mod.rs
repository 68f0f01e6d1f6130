//! Puts the output on disk: a staging folder beside `public/`, swapped in only when complete.
//!
//! The previous site survives any failure: nothing touches `public/` until the staging folder
//! holds the whole new site. `render` hands each file to [`Staging::put`] as soon as it is made,
//! which writes it into the staging folder only if its bytes differ from the file already in
//! `public/`; [`finish`] then hard-links the unchanged files into the staging folder (so they
//! keep their mtime), copies static files, syncs what is new to disk, and swaps the folders
//! ([`swap`]: atomically where the OS allows, so `public/` is at every instant either the
//! complete old site or the complete new one; a symlinked output is followed, a mount point
//! has its contents swapped). When nothing changed at all, nothing is written. A lock file
//! beside the output serializes concurrent builds of the same output. [`check_location`]
//! refuses, before anything runs, an output folder that would replace or publish the site.

mod swap;

use crate::error::{Diagnostic, Error, fs};
use crate::output::{Data, OutFile, Output, Sink};
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

/// What `stat` says of a file, enough to tell that it was not touched: size, mtime and ctime
/// (nanoseconds) and inode. `ctime` cannot be set back (`touch -r` and `cp -p` change it), so an
/// equal stamp means the same bytes, as for git's index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stamp {
    pub len: u64,
    pub mtime: u128,
    pub ctime: u128,
    pub ino: u64,
}

impl Stamp {
    pub fn of(meta: &std::fs::Metadata) -> Stamp {
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        #[cfg(unix)]
        let (ctime, ino) = {
            use std::os::unix::fs::MetadataExt;
            let ctime = u128::try_from(meta.ctime()).unwrap_or(0) * 1_000_000_000
                + u128::try_from(meta.ctime_nsec()).unwrap_or(0);
            (ctime, meta.ino())
        };
        #[cfg(not(unix))]
        let (ctime, ino) = (0, 0);
        Stamp {
            len: meta.len(),
            mtime,
            ctime,
            ino,
        }
    }
}

/// The hash an output file's bytes are recorded by (64-bit SipHash, with the length).
pub fn content_hash(bytes: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = std::hash::DefaultHasher::new();
    h.write_usize(bytes.len());
    h.write(bytes);
    h.finish()
}

/// What the last build's record says of each output file: its stamp then and its hash.
pub type Previous = std::collections::HashMap<String, (Stamp, u64)>;

/// A staging folder beside the output, holding the lock until it is swapped in or dropped.
#[derive(Debug)]
pub struct Staging {
    /// The folder the site goes into: the output path with symlinks followed.
    out_dir: PathBuf,
    dir: PathBuf,
    shown: PathBuf,
    /// The output is a mount point: the staging folder is inside it, its contents are swapped.
    inside: bool,
    /// Where the two-rename fallback keeps the old site until the new one is in place.
    old: PathBuf,
    /// Sync new files and folders to disk before the swap, and the swap after it.
    sync: bool,
    hook: swap::Hook,
    /// Held until [`Staging::close`]: a finished build must not keep other builds waiting.
    lock: std::sync::Mutex<Option<std::fs::File>>,
    /// The last build's record of the output: a file whose stamp and hash match is unchanged
    /// without reading it back (issue 17).
    previous: Previous,
    /// The hash of every file staged or found unchanged, for the next record.
    hashes: std::sync::Mutex<Vec<(String, u64)>>,
}

impl Staging {
    /// [`Staging::begin_with`], syncing to disk.
    pub fn begin(out_dir: &Path, shown: &Path) -> Result<Staging, Error> {
        Staging::begin_with(out_dir, shown, true)
    }

    /// Takes the lock, puts back or removes what killed builds left, and creates a staging
    /// folder: beside the output, or inside it when it is a mount point. With `sync` off,
    /// nothing is synced to disk (a power loss may then leave empty files in the site).
    pub fn begin_with(out_dir: &Path, shown: &Path, sync: bool) -> Result<Staging, Error> {
        let out_dir = &swap::resolve(out_dir, shown)?;
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
        // What a killed build left is ours to tidy: we hold the lock. The old site of an
        // interrupted two-rename swap first, so that it is never lost.
        let old = swap::aside(&parent, &name);
        swap::recover(out_dir, &old, shown)?;
        let prefix = format!(".{name}.staging-");
        remove_named(&parent, &prefix);
        // A mount point cannot be renamed: found now, before rendering, not at the swap.
        let inside = out_dir.is_dir() && swap::is_mount_point(out_dir);
        let dir = if inside {
            remove_named(out_dir, swap::INSIDE_PREFIX);
            out_dir.join(format!("{}{}", swap::INSIDE_PREFIX, std::process::id()))
        } else {
            parent.join(format!("{prefix}{}", std::process::id()))
        };
        fs::create_dir_all(&dir, shown)?;
        Ok(Staging {
            out_dir: out_dir.to_path_buf(),
            dir,
            shown: shown.to_path_buf(),
            inside,
            old,
            sync,
            hook: swap::Hook::from_env(),
            lock: std::sync::Mutex::new(Some(lock)),
            previous: Previous::new(),
            hashes: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// Tells the staging folder what the last build's record says of the output.
    pub fn with_previous(mut self, previous: Previous) -> Staging {
        self.previous = previous;
        self
    }

    /// The hashes of the files put so far, by path.
    pub fn hashes(&self) -> std::collections::HashMap<String, u64> {
        self.hashes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    /// Whether `bytes` are those of the output's `path` already: by the record when the file
    /// is as the last build left it (same stamp), else by reading it back.
    fn unchanged(&self, path: &str, bytes: &[u8], hash: u64) -> bool {
        let old = self.out_dir.join(path);
        if let Some((stamp, recorded)) = self.previous.get(path) {
            match std::fs::symlink_metadata(&old) {
                Ok(m) if m.is_file() && Stamp::of(&m) == *stamp => return *recorded == hash,
                Ok(m) if !m.is_file() => return false,
                Err(_) => return false,
                // Touched since the last build: only the bytes can tell.
                Ok(_) => {}
            }
        }
        same_bytes(&old, bytes)
    }

    /// Stages a file: written only if it differs from the one in the output folder.
    fn put(&self, path: &str, bytes: &[u8]) -> Result<Data, Diagnostic> {
        if !crate::output::is_contained(path) {
            return Err(Diagnostic::new(
                &self.shown,
                format!("refusing to write `{path}`: it would leave the output folder"),
            ));
        }
        let len = bytes.len() as u64;
        let hash = content_hash(bytes);
        self.hashes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((path.to_string(), hash));
        if self.unchanged(path, bytes, hash) {
            return Ok(Data::Unchanged(len));
        }
        let dest = self.dir.join(path);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent, &self.shown.join(path))?;
        }
        fs::write(&dest, bytes, &self.shown.join(path))?;
        Ok(Data::Staged(len))
    }
}

impl Sink for Staging {
    /// Streams a rendered file into the staging folder; the output keeps only its length.
    fn take(&self, path: &str, mut file: OutFile) -> Result<OutFile, Diagnostic> {
        if let Data::Bytes(b) = &file.data {
            file.data = self.put(path, b)?;
        }
        Ok(file)
    }
}

impl Staging {
    /// Removes the staging folder (after a swap it holds the old site; after a failure, the
    /// unfinished new one) and releases the lock. Idempotent.
    pub fn close(&self) {
        let mut lock = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        if lock.is_some() {
            let _ = std::fs::remove_dir_all(&self.dir);
            *lock = None;
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        self.close();
    }
}

fn same_bytes(old: &Path, bytes: &[u8]) -> bool {
    match std::fs::symlink_metadata(old) {
        Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => {
            std::fs::read(old).is_ok_and(|o| o == bytes)
        }
        _ => false,
    }
}

fn same_file(old: &Path, src: &Path) -> bool {
    match (std::fs::symlink_metadata(old), std::fs::metadata(src)) {
        (Ok(a), Ok(b)) if a.is_file() && a.len() == b.len() => {
            matches!((std::fs::read(old), std::fs::read(src)), (Ok(x), Ok(y)) if x == y)
        }
        _ => false,
    }
}

/// Top-level entries of the output that a build keeps: a `.git` of a branch checkout.
pub fn is_kept(path: &str) -> bool {
    path == ".git" || path.starts_with(".git/")
}

/// Whether `name`, at the top of the output, is the staging folder of a build inside a mount
/// point (not part of the site).
pub fn is_staging_name(name: &str) -> bool {
    name.starts_with(swap::INSIDE_PREFIX)
}

/// Every file under `dir` (not folders), as `/`-separated relative paths; not the staging
/// folder of a build inside a mount point.
pub fn list_files(dir: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| {
            e.depth() != 1
                || !e
                    .file_name()
                    .to_string_lossy()
                    .starts_with(swap::INSIDE_PREFIX)
        })
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(dir).ok()?;
            Some(rel.to_str()?.replace('\\', "/"))
        })
        .collect()
}

/// Completes the staging folder with what `output` still holds (copied files, and any bytes
/// not yet staged) and swaps it in, unless nothing changed.
pub fn finish(staging: &Staging, output: &Output) -> Result<WriteReport, Error> {
    let out_dir = &staging.out_dir;
    let shown = &staging.shown;

    // Files still to place: copies (static, content assets) and anything kept in memory.
    let pending: Vec<(&String, &Data)> = output
        .files
        .iter()
        .filter(|(_, f)| matches!(f.data, Data::File(_) | Data::Bytes(_)))
        .map(|(p, f)| (p, &f.data))
        .collect();
    let placed: Vec<Result<bool, Diagnostic>> = pending
        .par_iter()
        .map(|(path, data)| -> Result<bool, Diagnostic> {
            let old = out_dir.join(path);
            match data {
                Data::File(src) => {
                    if same_file(&old, src) {
                        return Ok(false);
                    }
                    let dest = staging.dir.join(path);
                    if let Some(parent) = dest.parent() {
                        fs::create_dir_all(parent, &shown.join(path))?;
                    }
                    std::fs::copy(src, &dest)
                        .map_err(|e| fs::io(&shown.join(path), "cannot copy", &e))?;
                    Ok(true)
                }
                Data::Bytes(b) => Ok(matches!(staging.put(path, b)?, Data::Staged(_))),
                _ => Ok(false),
            }
        })
        .collect();
    let mut errors = Vec::new();
    let mut copied: HashSet<&str> = HashSet::new();
    for (r, (path, _)) in placed.into_iter().zip(&pending) {
        match r {
            Ok(true) => {
                copied.insert(path.as_str());
            }
            Ok(false) => {}
            Err(d) => errors.push(d),
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }

    let old_files: BTreeSet<String> = if out_dir.is_dir() {
        list_files(out_dir)
    } else {
        BTreeSet::new()
    };
    let stale = old_files
        .iter()
        .filter(|p| !output.files.contains_key(p.as_str()) && !is_kept(p))
        .count();
    let changed: Vec<&String> = output
        .files
        .iter()
        .filter(|(p, f)| matches!(f.data, Data::Staged(_)) || copied.contains(p.as_str()))
        .map(|(p, _)| p)
        .collect();
    let mut report = WriteReport {
        written: changed.len(),
        unchanged: output.files.len() - changed.len(),
        removed: stale,
        bytes: output
            .files
            .iter()
            .filter(|(p, _)| {
                copied.contains(p.as_str()) || matches!(output.files[*p].data, Data::Staged(_))
            })
            .map(|(_, f)| f.data.size())
            .sum(),
    };
    if report.written == 0 && report.removed == 0 && out_dir.is_dir() {
        staging.close();
        return Ok(report);
    }

    // Unchanged files join the new site as hard links: no bytes written, mtimes kept.
    let unchanged: Vec<&String> = output
        .files
        .iter()
        .filter(|(p, f)| !copied.contains(p.as_str()) && !matches!(f.data, Data::Staged(_)))
        .map(|(p, _)| p)
        .collect();
    let dirs: BTreeSet<&str> = unchanged
        .iter()
        .filter_map(|p| p.rsplit_once('/').map(|(d, _)| d))
        .collect();
    for d in dirs {
        fs::create_dir_all(&staging.dir.join(d), &shown.join(d))?;
    }
    let linked: Vec<Result<(), Diagnostic>> = unchanged
        .par_iter()
        .map(|path| {
            let (from, to) = (out_dir.join(path), staging.dir.join(path));
            if std::fs::hard_link(&from, &to).is_ok() {
                return Ok(());
            }
            std::fs::copy(&from, &to)
                .map(|_| ())
                .map_err(|e| fs::io(&shown.join(path), "cannot keep", &e))
        })
        .collect();
    let errors: Vec<Diagnostic> = linked.into_iter().filter_map(Result::err).collect();
    if !errors.is_empty() {
        return Err(errors.into());
    }
    // A branch checkout's .git is kept: hard-linked into the new site, never moved, so a
    // build killed at any point leaves it where it was.
    // Inside a mount point `.git` is not swapped at all.
    let git = out_dir.join(".git");
    if git.is_dir() && !staging.inside {
        link_tree(&git, &staging.dir.join(".git"))
            .map_err(|e| fs::io(&shown.join(".git"), "cannot keep", &e))?;
    }
    if staging.inside {
        swap::swap_inside(&staging.dir, out_dir, staging.sync, staging.hook, shown)?;
    } else {
        swap::swap_beside(
            &staging.dir,
            out_dir,
            &staging.old,
            staging.sync,
            staging.hook,
            shown,
        )?;
    }
    staging.close();
    report.written = changed.len();
    Ok(report)
}

/// Recreates the tree `from` at `to` with hard links (copies where links fail).
fn link_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.map_err(std::io::Error::other)?;
        let rel = entry
            .path()
            .strip_prefix(from)
            .map_err(std::io::Error::other)?;
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest)?;
        } else if std::fs::hard_link(entry.path(), &dest).is_err() {
            std::fs::copy(entry.path(), &dest)?;
        }
    }
    Ok(())
}

/// Removes the entries of `dir` whose names start with `prefix` (staging folders of killed
/// builds).
fn remove_named(dir: &Path, prefix: &str) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(prefix) {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
}

/// Refuses an output folder that would replace the site or be published into itself: the
/// site folder or one of its ancestors, or a folder inside content/, templates/ or static/.
pub fn check_location(root: &Path, out: &Path) -> Result<(), Diagnostic> {
    // The deepest existing ancestor, canonicalized, plus the rest of the path.
    let canonical = |p: &Path| -> Option<PathBuf> {
        let p = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().ok()?.join(p)
        };
        let mut rest = Vec::new();
        let mut cur = p.as_path();
        loop {
            if let Ok(c) = cur.canonicalize() {
                let mut c = c;
                for part in rest.iter().rev() {
                    c.push(part);
                }
                return Some(c);
            }
            rest.push(cur.file_name()?.to_os_string());
            cur = cur.parent()?;
        }
    };
    let (Some(root_c), Some(out_c)) = (canonical(root), canonical(out)) else {
        return Ok(()); // a missing root is reported by `load`; a bad output by `write`
    };
    let named = if out.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        out.to_path_buf()
    };
    let refuse = |why: String| {
        Diagnostic::new(
            "--output",
            format!("output folder {}: {why}", named.display()),
        )
        .hint("write the site to a folder of its own, such as public/ (the default)")
    };
    if root_c.starts_with(&out_c) {
        return Err(refuse(
            "it holds the site itself, which a build would replace".into(),
        ));
    }
    for dir in ["content", "templates", "static", "data"] {
        if out_c.starts_with(root_c.join(dir)) {
            return Err(refuse(format!(
                "it is inside {dir}/, so every build would publish the previous one"
            )));
        }
    }
    Ok(())
}
