//! How a complete staging folder becomes the output, and what makes it survive a power loss.
//!
//! [`super`] fills the staging folder; this file decides where that folder lives and swaps it
//! in. Three shapes of output:
//! - a plain folder (the usual case): the staging folder sits beside it and the two are
//!   exchanged in one step (`renameat2(RENAME_EXCHANGE)` on Linux). Where the exchange is
//!   missing, two renames: the old site is first renamed to `.NAME.previous` (never a name the
//!   clean-up of killed builds deletes), and [`recover`] puts it back if a build was killed
//!   before the new site was in place;
//! - a symlink: [`resolve`] follows it, so the site goes into the link's target and the link
//!   stays;
//! - a mount point (a Docker volume), which cannot be renamed (EBUSY): [`is_mount_point`] finds
//!   it before rendering, the staging folder goes inside it, and [`swap_inside`] exchanges its
//!   top-level entries one by one (each atomic, the whole not).
//!
//! With `sync` on, every file and folder of the staging tree is synced before the swap
//! ([`sync_tree`], after all are written, many at once, so that the disk sees one long queue
//! rather than one write at a time), and the folder whose entries the swap changed after it
//! ([`sync_dir`]).

use crate::error::{Diagnostic, fs};
use std::path::{Path, PathBuf};

/// Where the staging folder of a killed build inside a mount point starts.
pub(super) const INSIDE_PREFIX: &str = ".mekong-staging-";

/// Where old entries go inside a mount-point staging folder during [`swap_inside`].
const TRASH: &str = ".mekong-old";

/// How the swap is forced in tests (`MEKONG_TEST_SWAP`): `rename` takes the two-rename path
/// where the exchange exists; `rename-then-abort` and `rename-then-abort-after` also abort
/// the process between the two renames or after them, as a kill there would. Only for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Hook {
    #[default]
    None,
    Rename,
    AbortBetween,
    AbortAfter,
}

impl Hook {
    pub(super) fn from_env() -> Hook {
        match std::env::var("MEKONG_TEST_SWAP").as_deref() {
            Ok("rename") => Hook::Rename,
            Ok("rename-then-abort") => Hook::AbortBetween,
            Ok("rename-then-abort-after") => Hook::AbortAfter,
            _ => Hook::None,
        }
    }

    fn exchange(self) -> bool {
        self == Hook::None
    }
}

/// The folder a build writes into: the output path, with symlinks followed to their target
/// (which need not exist yet).
pub(super) fn resolve(out_dir: &Path, shown: &Path) -> Result<PathBuf, Diagnostic> {
    let mut p = out_dir.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&p)
                    .map_err(|e| fs::io(shown, "cannot read the symlink", &e))?;
                p = match p.parent() {
                    Some(dir) => dir.join(target),
                    None => target,
                };
                // `a/..` and the like: name the real folder, so that it has a file name.
                if let (Some(dir), Some(name)) = (p.parent(), p.file_name())
                    && let Ok(dir) = dir.canonicalize()
                {
                    p = dir.join(name);
                } else if let Ok(c) = p.canonicalize() {
                    p = c;
                }
            }
            _ => return Ok(p),
        }
    }
    Err(
        Diagnostic::new(shown, "the output is a symlink that leads to itself")
            .hint("point the symlink at a folder, or choose another output with --output"),
    )
}

/// Whether `dir` is the root of a mount: it cannot be renamed or exchanged.
pub(super) fn is_mount_point(dir: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{AtFlags, CWD, StatxAttributes, StatxFlags, statx};
        if let Ok(s) = statx(
            CWD,
            dir,
            AtFlags::NO_AUTOMOUNT | AtFlags::SYMLINK_NOFOLLOW,
            StatxFlags::empty(),
        ) && s.stx_attributes_mask.contains(StatxAttributes::MOUNT_ROOT)
        {
            return s.stx_attributes.contains(StatxAttributes::MOUNT_ROOT);
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(a), Ok(b)) = (std::fs::metadata(dir), std::fs::metadata(dir.join(".."))) {
            return a.dev() != b.dev() || a.ino() == b.ino();
        }
    }
    false
}

/// Where the two-rename fallback keeps the old site until the new one is in place.
pub(super) fn aside(parent: &Path, name: &str) -> PathBuf {
    parent.join(format!(".{name}.previous"))
}

/// Undoes a build killed during the two-rename fallback (we hold the lock): the old site goes
/// back when no new one replaced it, and is removed when one did.
pub(super) fn recover(out_dir: &Path, aside: &Path, shown: &Path) -> Result<(), Diagnostic> {
    if std::fs::symlink_metadata(aside).is_err() {
        return Ok(());
    }
    if std::fs::symlink_metadata(out_dir).is_err() {
        std::fs::rename(aside, out_dir).map_err(|e| {
            fs::io(
                shown,
                "cannot put back the site of an interrupted build",
                &e,
            )
        })
    } else {
        let _ = std::fs::remove_dir_all(aside);
        Ok(())
    }
}

/// Syncs a folder, so that the entries made or renamed in it survive a power loss.
pub(super) fn sync_dir(dir: &Path, shown: &Path) -> Result<(), Diagnostic> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)
            .and_then(|f| f.sync_all())
            .map_err(|e| fs::io(shown, "cannot sync the folder to disk", &e))
    }
    #[cfg(not(unix))]
    {
        // Folders cannot be opened for syncing here; renames are durable on NTFS.
        let _ = (dir, shown);
        Ok(())
    }
}

/// Syncs every file and folder of the staging tree (hard-linked unchanged files too: a clean
/// one costs little, and one a `--no-fsync` build left unwritten gets written). Syncing waits
/// for the disk, not the CPU, so many threads at once, whatever the core count.
pub(super) fn sync_tree(root: &Path, shown: &Path) -> Result<(), Diagnostic> {
    let entries: Vec<(PathBuf, bool)> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_dir() || e.file_type().is_file())
        .map(|e| {
            let dir = e.file_type().is_dir();
            (e.into_path(), dir)
        })
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let sync_one = |(path, dir): &(PathBuf, bool)| -> Result<(), Diagnostic> {
        if *dir {
            return sync_dir(path, shown);
        }
        std::fs::File::open(path)
            .and_then(|f| f.sync_data())
            .map_err(|e| {
                let rel = path.strip_prefix(root).unwrap_or(path);
                fs::io(&shown.join(rel), "cannot sync the file to disk", &e)
            })
    };
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..SYNC_THREADS)
            .map(|_| {
                scope.spawn(|| -> Result<(), Diagnostic> {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(entry) = entries.get(i) else {
                            return Ok(());
                        };
                        sync_one(entry)?;
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect::<Result<Vec<()>, Diagnostic>>()
            .map(|_| ())
    })
}

/// How many files are synced at once.
const SYNC_THREADS: usize = 16;

/// Exchanges two paths in one step where the OS can; `false` where it cannot.
fn exchange(a: &Path, b: &Path, hook: Hook) -> bool {
    #[cfg(target_os = "linux")]
    if hook.exchange() {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        return renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).is_ok();
    }
    let _ = (a, b, hook);
    false
}

/// What to do about an EBUSY or a cross-device rename: the output is a mount point that was
/// not recognized before rendering.
fn rename_error(shown: &Path, what: &str, e: &std::io::Error) -> Diagnostic {
    let d = fs::io(shown, what, e);
    match e.raw_os_error() {
        Some(16 | 18) => d.hint(
            "the output folder seems to be a mount point; mount its parent instead, or build into a folder inside it with --output",
        ),
        _ => d,
    }
}

/// Replaces the plain folder `out_dir` with `staging` (beside it, in `parent`). Afterwards
/// `staging` holds the old site (or nothing), which the caller removes.
pub(super) fn swap_beside(
    staging: &Path,
    out_dir: &Path,
    old: &Path,
    sync: bool,
    hook: Hook,
    shown: &Path,
) -> Result<(), Diagnostic> {
    let parent = staging.parent().unwrap_or(Path::new("."));
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    if sync {
        sync_tree(staging, shown)?;
    }
    let done = |r: Result<(), Diagnostic>| {
        r?;
        if sync {
            sync_dir(parent, shown)?;
        }
        Ok(())
    };
    if std::fs::symlink_metadata(out_dir).is_err() {
        return done(
            std::fs::rename(staging, out_dir)
                .map_err(|e| rename_error(shown, "cannot move the new site into place", &e)),
        );
    }
    if exchange(staging, out_dir, hook) {
        return done(Ok(()));
    }
    // Two renames. The old site is only ever renamed, to a name the clean-up of killed builds
    // leaves alone: a build killed between the renames finds it in `recover`.
    std::fs::rename(out_dir, old)
        .map_err(|e| rename_error(shown, "cannot move the old site aside", &e))?;
    if hook == Hook::AbortBetween {
        std::process::abort();
    }
    if let Err(e) = std::fs::rename(staging, out_dir) {
        let _ = std::fs::rename(old, out_dir);
        return Err(rename_error(
            shown,
            "cannot move the new site into place",
            &e,
        ));
    }
    done(Ok(()))?;
    if hook == Hook::AbortAfter {
        std::process::abort();
    }
    // The old site goes where the caller's clean-up removes it.
    if std::fs::rename(old, staging).is_err() {
        let _ = std::fs::remove_dir_all(old);
    }
    Ok(())
}

/// Replaces the contents of the mount point `out_dir` with those of `staging` (inside it): each
/// top-level entry is exchanged (or, where exchange is missing, the old one moved into the
/// staging folder and the new one renamed into place), then old entries the new site lacks
/// move into the staging folder too. `.git` stays. The caller removes `staging`.
pub(super) fn swap_inside(
    staging: &Path,
    out_dir: &Path,
    sync: bool,
    hook: Hook,
    shown: &Path,
) -> Result<(), Diagnostic> {
    if sync {
        sync_tree(staging, shown)?;
    }
    let names = |dir: &Path| -> Result<Vec<std::ffi::OsString>, Diagnostic> {
        let mut v: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| fs::io(shown, "cannot list the output folder", &e))?
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        v.sort();
        Ok(v)
    };
    let trash = staging.join(TRASH);
    let staging_name = staging.file_name().unwrap_or_default().to_os_string();
    let new = names(staging)?;
    let mut made_trash = false;
    let mut to_trash = |from: &Path, name: &std::ffi::OsStr| -> Result<(), Diagnostic> {
        if !made_trash {
            std::fs::create_dir_all(&trash)
                .map_err(|e| fs::io(shown, "cannot create folder", &e))?;
            made_trash = true;
        }
        std::fs::rename(from, trash.join(name))
            .map_err(|e| fs::io(shown, "cannot move an old file of the site aside", &e))
    };
    for name in &new {
        let (from, to) = (staging.join(name), out_dir.join(name));
        if std::fs::symlink_metadata(&to).is_ok() {
            if exchange(&from, &to, hook) {
                continue;
            }
            to_trash(&to, name)?;
        }
        std::fs::rename(&from, &to)
            .map_err(|e| fs::io(shown, "cannot move the new site into place", &e))?;
    }
    for name in names(out_dir)? {
        let s = name.to_string_lossy();
        if new.contains(&name)
            || name == staging_name
            || s == ".git"
            || s.starts_with(INSIDE_PREFIX)
        {
            continue;
        }
        to_trash(&out_dir.join(&name), &name)?;
    }
    if sync {
        sync_dir(out_dir, shown)?;
    }
    Ok(())
}
