//! The build record behind the no-change fast path: what the last successful build read (a
//! hash of every input, the options and the binary) and wrote (each output file's size and
//! mtime), kept beside the output as `.public.manifest`.
//!
//! `lib::build` asks [`Record::unchanged`] before doing any work, under the output's lock: when
//! the inputs hash the same and the output folder holds exactly the recorded files, untouched,
//! the build stops there and writes nothing. Otherwise it forgets the record, builds, and
//! writes a new one after the swap. A missing or unreadable record only costs a full build.

use crate::load;
use crate::write::{is_kept, list_files};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// What the last successful build read and wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// A hash of every input's bytes, the options and the mekong binary.
    pub key: u64,
    pub pages: usize,
    pub indexed: usize,
    /// Output files with their size and mtime (nanoseconds since the epoch).
    pub files: Vec<(String, u64, u128)>,
}

fn record_path(out_dir: &Path) -> PathBuf {
    let name = out_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    out_dir.with_file_name(format!(".{name}.manifest"))
}

fn stamp(meta: &std::fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

impl Record {
    /// Hashes the inputs: every file and folder that `load` and the template loader read
    /// ([`load::input_files`], the same walk with the same rules), the extra files named
    /// (source texts, the glossary), the options and the running binary. `None` when the walk
    /// finds a problem, which only a build can report.
    pub fn key(root: &Path, options: &str, extra: &[PathBuf]) -> Option<u64> {
        use std::hash::{Hash, Hasher};
        let mut files: Vec<(String, Option<PathBuf>)> = load::input_files(root)?;
        files.extend(
            extra
                .iter()
                .map(|p| (p.display().to_string(), Some(root.join(p)))),
        );
        let hashes: Vec<u64> = files
            .par_iter()
            .map(|(name, abs)| {
                let mut h = std::hash::DefaultHasher::new();
                name.hash(&mut h);
                abs.as_ref().map(|p| std::fs::read(p).ok()).hash(&mut h);
                h.finish()
            })
            .collect();
        let mut h = std::hash::DefaultHasher::new();
        hashes.hash(&mut h);
        options.hash(&mut h);
        env!("CARGO_PKG_VERSION").hash(&mut h);
        if let Ok(meta) = std::env::current_exe().and_then(std::fs::metadata) {
            (meta.len(), stamp(&meta)).hash(&mut h);
        }
        Some(h.finish())
    }

    /// Records the output as it is on disk now.
    pub fn of_output(
        key: u64,
        pages: usize,
        indexed: usize,
        out_dir: &Path,
        paths: impl Iterator<Item = String>,
    ) -> Record {
        let files = paths
            .filter_map(|p| {
                let meta = std::fs::symlink_metadata(out_dir.join(&p)).ok()?;
                Some((p, meta.len(), stamp(&meta)))
            })
            .collect();
        Record {
            key,
            pages,
            indexed,
            files,
        }
    }

    fn read(out_dir: &Path) -> Option<Record> {
        let text = std::fs::read_to_string(record_path(out_dir)).ok()?;
        let mut lines = text.lines();
        if lines.next()? != "mekong-manifest 1" {
            return None;
        }
        let mut field = |name: &str| lines.next()?.strip_prefix(name)?.trim().parse::<u64>().ok();
        let key = field("key")?;
        let pages = field("pages")? as usize;
        let indexed = field("indexed")? as usize;
        let mut files = Vec::new();
        for line in lines {
            let mut parts = line.splitn(3, '\t');
            let (len, mtime, path) = (parts.next()?, parts.next()?, parts.next()?);
            files.push((path.to_string(), len.parse().ok()?, mtime.parse().ok()?));
        }
        Some(Record {
            key,
            pages,
            indexed,
            files,
        })
    }

    /// Writes the record beside the output (a temporary file, then a rename).
    pub fn write(&self, out_dir: &Path) {
        let mut text = format!(
            "mekong-manifest 1\nkey {}\npages {}\nindexed {}\n",
            self.key, self.pages, self.indexed
        );
        for (p, len, mtime) in &self.files {
            text.push_str(&format!("{len}\t{mtime}\t{p}\n"));
        }
        let path = record_path(out_dir);
        let tmp = path.with_extension("tmp");
        // The record only saves time; failing to write it must not fail the build.
        if std::fs::write(&tmp, text).is_ok() {
            let _ = std::fs::rename(&tmp, &path);
        }
    }

    /// Whether the output folder holds exactly the recorded files, untouched.
    pub fn intact(&self, out_dir: &Path) -> bool {
        let on_disk = list_files(out_dir);
        let recorded = on_disk.iter().filter(|p| !is_kept(p)).count() == self.files.len();
        recorded
            && self.files.par_iter().all(|(p, len, mtime)| {
                std::fs::symlink_metadata(out_dir.join(p))
                    .is_ok_and(|m| m.is_file() && m.len() == *len && stamp(&m) == *mtime)
            })
    }

    /// The record of the last build, if it matches `key` and the output is as it left it.
    pub fn unchanged(out_dir: &Path, key: u64) -> Option<Record> {
        Record::read(out_dir).filter(|r| r.key == key && r.intact(out_dir))
    }

    /// Forgets the record (before a build changes the output).
    pub fn remove(out_dir: &Path) {
        let _ = std::fs::remove_file(record_path(out_dir));
    }
}
