//! The build record behind the no-change fast path: what the last successful build read (every
//! input's stamp and hash, and a key over them, the options and the binary) and wrote (each
//! output file's stamp and content hash), kept beside the output as `.public.manifest`.
//!
//! `lib::build` reads the record and computes [`Record::key`] before doing any work, under the
//! output's lock: when the inputs hash the same and the output folder holds exactly the
//! recorded files, untouched ([`Record::intact`]: every file's and every folder's stamp, so
//! that a file added anywhere is found without listing a folder), the build stops there and
//! writes nothing. An input whose stamp (size, mtime, ctime, inode)
//! is the recorded one keeps its recorded hash without being read; only the others are read
//! and hashed (issue 17). Otherwise the build forgets the record, builds, and writes a new one
//! after the swap; the recorded output hashes let `write` skip reading the old output back. A
//! missing or unreadable record only costs a full build.

use crate::load;
use crate::write::{Stamp, is_kept, is_staging_name};
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// What the last successful build read and wrote.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record {
    /// A hash of every input's bytes, the options and the mekong binary.
    pub key: u64,
    pub pages: usize,
    pub indexed: usize,
    /// When the inputs were looked at (ns since the epoch): a stamp this recent is not trusted,
    /// as the file may have changed again within the clock's resolution.
    pub seen: u128,
    /// Every input file: its name, stamp and hash.
    pub inputs: Vec<(String, Stamp, u64)>,
    /// Output files with their stamp and content hash (0: not known, compare the bytes).
    pub files: Vec<(String, Stamp, u64)>,
    /// Every folder of the output (`` for the output folder itself) with its stamp: a file
    /// added or removed anywhere changes its folder's mtime, so stat-ing the folders finds
    /// it without listing them ([`Record::intact`]).
    pub dirs: Vec<(String, Stamp)>,
    /// When the folders were stamped (ns since the epoch): a folder changed less than
    /// [`RACY_NS`] before may change again without a new mtime, so it is listed instead.
    pub dirs_seen: u128,
}

/// The inputs as [`Record::key`] found them.
pub struct Key {
    pub key: u64,
    pub seen: u128,
    pub inputs: Vec<(String, Stamp, u64)>,
}

/// How recent a stamp must be not to be trusted: coarse file systems keep whole seconds.
const RACY_NS: u128 = 2_000_000_000;

fn record_path(out_dir: &Path) -> PathBuf {
    let name = out_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    out_dir.with_file_name(format!(".{name}.manifest"))
}

/// Whether a folder stamped at `seen` changed too shortly before to trust its mtime: a file
/// added within the same clock tick would not move it.
fn too_new(stamp: &Stamp, seen: u128) -> bool {
    stamp.mtime.max(stamp.ctime) + RACY_NS >= seen
}

fn now_ns() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

fn stamp_line(text: &mut String, name: &str, s: &Stamp, hash: u64) {
    use std::fmt::Write as _;
    let _ = writeln!(
        text,
        "{}\t{}\t{}\t{}\t{hash}\t{name}",
        s.len, s.mtime, s.ctime, s.ino
    );
}

fn parse_stamp_line(line: &str) -> Option<(String, Stamp, u64)> {
    let mut parts = line.splitn(6, '\t');
    let mut num = || parts.next()?.parse::<u128>().ok();
    let (len, mtime, ctime, ino, hash) = (num()?, num()?, num()?, num()?, num()?);
    let name = parts.next()?.to_string();
    Some((
        name,
        Stamp {
            len: u64::try_from(len).ok()?,
            mtime,
            ctime,
            ino: u64::try_from(ino).ok()?,
        },
        u64::try_from(hash).ok()?,
    ))
}

impl Record {
    /// Hashes the inputs: every file and folder that `load` and the template loader read
    /// ([`load::input_files`], the same walk with the same rules), the extra files named
    /// (source texts, the glossary), the options and the running binary. A file whose stamp
    /// is the one `last` recorded (and not too recent) keeps its hash unread. `None` when the
    /// walk finds a problem, which only a build can report.
    pub fn key(
        root: &Path,
        options: &str,
        extra: &[PathBuf],
        last: Option<&Record>,
    ) -> Option<Key> {
        use std::hash::{Hash, Hasher};
        let seen = now_ns();
        let mut files: Vec<(String, Option<PathBuf>)> = load::input_files(root)?;
        files.extend(
            extra
                .iter()
                .map(|p| (p.display().to_string(), Some(root.join(p)))),
        );
        let known: HashMap<&str, (&Stamp, u64)> = last
            .map(|r| {
                r.inputs
                    .iter()
                    .filter(|(_, s, _)| s.mtime.max(s.ctime) + RACY_NS < r.seen)
                    .map(|(n, s, h)| (n.as_str(), (s, *h)))
                    .collect()
            })
            .unwrap_or_default();
        let hashed: Vec<(u64, Option<Stamp>)> = files
            .par_iter()
            .map(|(name, abs)| {
                let stamp = abs
                    .as_ref()
                    .and_then(|p| std::fs::metadata(p).ok())
                    .map(|m| Stamp::of(&m));
                if let (Some(s), Some((old, h))) = (stamp, known.get(name.as_str()))
                    && s == **old
                {
                    return (*h, stamp);
                }
                let mut h = std::hash::DefaultHasher::new();
                name.hash(&mut h);
                abs.as_ref().map(|p| std::fs::read(p).ok()).hash(&mut h);
                (h.finish(), stamp)
            })
            .collect();
        let mut h = std::hash::DefaultHasher::new();
        for (hash, _) in &hashed {
            hash.hash(&mut h);
        }
        options.hash(&mut h);
        env!("CARGO_PKG_VERSION").hash(&mut h);
        if let Ok(meta) = std::env::current_exe().and_then(std::fs::metadata) {
            let s = Stamp::of(&meta);
            (s.len, s.mtime).hash(&mut h);
        }
        let inputs = files
            .into_iter()
            .zip(hashed)
            .filter_map(|((name, _), (hash, stamp))| Some((name, stamp?, hash)))
            .collect();
        Some(Key {
            key: h.finish(),
            seen,
            inputs,
        })
    }

    /// Records the output as it is on disk now, with the hashes `write` computed.
    pub fn of_output(
        key: Key,
        pages: usize,
        indexed: usize,
        out_dir: &Path,
        paths: impl Iterator<Item = String>,
        hashes: &HashMap<String, u64>,
    ) -> Record {
        let paths: Vec<String> = paths.collect();
        let dirs_seen = now_ns();
        let mut dirs: BTreeSet<&str> = BTreeSet::from([""]);
        for p in &paths {
            let mut at = p.as_str();
            while let Some((parent, _)) = at.rsplit_once('/') {
                if !dirs.insert(parent) {
                    break;
                }
                at = parent;
            }
        }
        let dirs = dirs
            .into_par_iter()
            .filter_map(|d| {
                let meta = std::fs::symlink_metadata(out_dir.join(d)).ok()?;
                Some((d.to_string(), Stamp::of(&meta)))
            })
            .collect();
        let files = paths
            .into_par_iter()
            .filter_map(|p| {
                let meta = std::fs::symlink_metadata(out_dir.join(&p)).ok()?;
                let hash = hashes.get(&p).copied().unwrap_or(0);
                Some((p, Stamp::of(&meta), hash))
            })
            .collect();
        Record {
            key: key.key,
            pages,
            indexed,
            seen: key.seen,
            inputs: key.inputs,
            files,
            dirs,
            dirs_seen,
        }
    }

    /// The record of the last build, if there is a readable one.
    pub fn read(out_dir: &Path) -> Option<Record> {
        let text = std::fs::read_to_string(record_path(out_dir)).ok()?;
        let mut lines = text.lines();
        if lines.next()? != "mekong-manifest 3" {
            return None;
        }
        let mut field = |name: &str| {
            lines
                .next()?
                .strip_prefix(name)?
                .trim()
                .parse::<u128>()
                .ok()
        };
        let key = u64::try_from(field("key ")?).ok()?;
        let pages = field("pages ")? as usize;
        let indexed = field("indexed ")? as usize;
        let seen = field("seen ")?;
        let n_inputs = field("inputs ")? as usize;
        let mut inputs = Vec::with_capacity(n_inputs.min(1 << 20));
        for _ in 0..n_inputs {
            inputs.push(parse_stamp_line(lines.next()?)?);
        }
        let n_files = lines
            .next()?
            .strip_prefix("files ")?
            .parse::<usize>()
            .ok()?;
        let mut files = Vec::with_capacity(n_files.min(1 << 20));
        for _ in 0..n_files {
            files.push(parse_stamp_line(lines.next()?)?);
        }
        let (n_dirs, dirs_seen) = lines.next()?.strip_prefix("dirs ")?.split_once(" seen ")?;
        let (n_dirs, dirs_seen) = (n_dirs.parse::<usize>().ok()?, dirs_seen.parse().ok()?);
        let mut dirs = Vec::with_capacity(n_dirs.min(1 << 20));
        for _ in 0..n_dirs {
            let (name, stamp, _) = parse_stamp_line(lines.next()?)?;
            dirs.push((name, stamp));
        }
        if lines.next().is_some() {
            return None;
        }
        Some(Record {
            key,
            pages,
            indexed,
            seen,
            inputs,
            files,
            dirs,
            dirs_seen,
        })
    }

    /// Writes the record beside the output (a temporary file, then a rename). A name with a
    /// line break cannot be recorded: then there is no record, and the next build is full.
    pub fn write(&self, out_dir: &Path) {
        let path = record_path(out_dir);
        let names = self.inputs.iter().chain(&self.files).map(|(n, _, _)| n);
        if names
            .chain(self.dirs.iter().map(|(n, _)| n))
            .any(|n| n.contains(['\n', '\r']))
        {
            let _ = std::fs::remove_file(&path);
            return;
        }
        let mut text = format!(
            "mekong-manifest 3\nkey {}\npages {}\nindexed {}\nseen {}\ninputs {}\n",
            self.key,
            self.pages,
            self.indexed,
            self.seen,
            self.inputs.len()
        );
        for (n, s, h) in &self.inputs {
            stamp_line(&mut text, n, s, *h);
        }
        text.push_str(&format!("files {}\n", self.files.len()));
        for (n, s, h) in &self.files {
            stamp_line(&mut text, n, s, *h);
        }
        text.push_str(&format!(
            "dirs {} seen {}\n",
            self.dirs.len(),
            self.dirs_seen
        ));
        for (n, s) in &self.dirs {
            stamp_line(&mut text, n, s, 0);
        }
        let tmp = path.with_extension("tmp");
        // The record only saves time; failing to write it must not fail the build.
        if std::fs::write(&tmp, text).is_ok() {
            let _ = std::fs::rename(&tmp, &path);
        }
    }

    /// Whether the output folder holds exactly the recorded files, untouched: every recorded
    /// file and folder has its recorded stamp (a file added or removed changes its folder's
    /// mtime), and each folder stamped too soon after its last change to trust its mtime is
    /// listed. When the check had to list folders that are now old enough to trust, the
    /// record is written again to say so ([`Record::refresh`]).
    pub fn intact(&self, out_dir: &Path) -> bool {
        match self.check(out_dir) {
            Some(checked) => {
                self.refresh(out_dir, checked);
                true
            }
            None => false,
        }
    }

    /// [`Record::intact`]'s check: `Some(when it began)` if intact.
    fn check(&self, out_dir: &Path) -> Option<u128> {
        let started = now_ns();
        let stamped = |rel: &str, stamp: &Stamp, dir: bool| {
            std::fs::symlink_metadata(out_dir.join(rel)).is_ok_and(|m| {
                (if dir { m.is_dir() } else { m.is_file() }) && Stamp::of(&m) == *stamp
            })
        };
        let same = self.dirs.par_iter().all(|(d, s)| stamped(d, s, true))
            && self.files.par_iter().all(|(p, s, _)| stamped(p, s, false));
        if !same {
            return None;
        }
        let racy: Vec<&str> = self
            .dirs
            .iter()
            .filter(|(_, s)| too_new(s, self.dirs_seen))
            .map(|(d, _)| d.as_str())
            .collect();
        if racy.is_empty() {
            return Some(started);
        }
        // The names each racy folder must hold: its recorded files and folders.
        let mut expected: HashMap<&str, HashSet<&str>> =
            racy.iter().map(|d| (*d, HashSet::new())).collect();
        let names = self
            .files
            .iter()
            .map(|(p, _, _)| p)
            .chain(self.dirs.iter().map(|(d, _)| d));
        for path in names.filter(|p| !p.is_empty()) {
            let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
            if let Some(set) = expected.get_mut(parent) {
                set.insert(name);
            }
        }
        let listed_same = expected.par_iter().all(|(dir, want)| {
            let Ok(entries) = std::fs::read_dir(out_dir.join(dir)) else {
                return false;
            };
            let mut seen = 0;
            for e in entries {
                let Ok(e) = e else { return false };
                let name = e.file_name();
                let Some(name) = name.to_str() else {
                    return false;
                };
                if dir.is_empty() && (is_kept(name) || is_staging_name(name)) {
                    continue;
                }
                if !want.contains(name) {
                    return false;
                }
                seen += 1;
            }
            seen == want.len()
        });
        listed_same.then_some(started)
    }

    /// After a check that began at `checked` had to list folders
    /// stamped too soon after their last change: if they are now old enough to trust, writes
    /// the record again with that time, so later checks only stat them (what git does for a
    /// racily clean index).
    fn refresh(&self, out_dir: &Path, checked: u128) {
        let racy = |seen: u128| self.dirs.iter().any(|(_, s)| too_new(s, seen));
        if racy(self.dirs_seen) && !racy(checked) {
            let mut again = self.clone();
            again.dirs_seen = checked;
            again.write(out_dir);
        }
    }

    /// What the record says of each output file, for `write` to skip reading them back.
    pub fn previous(&self) -> crate::write::Previous {
        self.files
            .iter()
            .filter(|(_, _, h)| *h != 0)
            .map(|(p, s, h)| (p.clone(), (*s, *h)))
            .collect()
    }

    /// Forgets the record (before a build changes the output).
    pub fn remove(out_dir: &Path) {
        let _ = std::fs::remove_file(record_path(out_dir));
    }
}
