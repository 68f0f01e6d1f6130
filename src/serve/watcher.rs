//! Watching the site for changes: which paths are inputs (the same ignore rules as `load`),
//! a size+mtime fingerprint per file to tell real changes from the access events that reading
//! inputs produces, and the loop that turns each burst of events into one rebuild.

use super::{Live, rebuild};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The file watcher, set up before the first build so that no change is missed.
pub(super) struct Watch {
    debouncer: notify_debouncer_mini::Debouncer<notify_debouncer_mini::notify::RecommendedWatcher>,
    rx: std::sync::mpsc::Receiver<notify_debouncer_mini::DebounceEventResult>,
    root: PathBuf,
    output_dir: PathBuf,
    /// Size and mtime of every input, to tell real changes from access events.
    seen: std::collections::HashMap<PathBuf, Option<Fingerprint>>,
    /// The input folders watched recursively so far (`content/`, `templates/`, `static/`).
    watched: std::collections::HashSet<PathBuf>,
}

/// The folders under the site root that hold inputs; each is watched as soon as it exists.
const INPUT_DIRS: &[&str] = &["content", "templates", "static", "data"];

type Fingerprint = (std::time::SystemTime, u64);

/// What `seen` holds for a folder: only whether it exists counts, since its mtime changes
/// with every entry, hidden editor files included.
const FOLDER: Fingerprint = (std::time::UNIX_EPOCH, u64::MAX);

impl Watch {
    pub(super) fn new(opts: &crate::Options) -> Result<Watch, String> {
        use notify_debouncer_mini::{new_debouncer, notify::RecursiveMode};
        let (tx, rx) = std::sync::mpsc::channel();
        let mut debouncer =
            new_debouncer(Duration::from_millis(25), tx).map_err(|e| e.to_string())?;
        // Events carry absolute paths; compare against the canonical root.
        let root = opts.root.canonicalize().map_err(|e| e.to_string())?;
        debouncer
            .watcher()
            .watch(&root, RecursiveMode::NonRecursive)
            .map_err(|e| e.to_string())?;
        let output_dir = root.join(
            opts.output_dir()
                .strip_prefix(&opts.root)
                .unwrap_or(Path::new("public")),
        );
        let mut w = Watch {
            debouncer,
            rx,
            root,
            output_dir,
            seen: Default::default(),
            watched: Default::default(),
        };
        w.watch_input_dirs()?;
        let seen = walkdir::WalkDir::new(&w.root)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || w.relevant(e.path()))
            .filter_map(Result::ok)
            .map(|e| (e.path().to_path_buf(), fingerprint(e.path())))
            .collect();
        w.seen = seen;
        Ok(w)
    }

    /// Watches every input folder that exists and is not watched yet: one created after
    /// `serve` started (the first `templates/` or `static/`) is picked up here. Its files are
    /// read by the rebuild that its creation triggers, so none is missed in between.
    fn watch_input_dirs(&mut self) -> Result<(), String> {
        use notify_debouncer_mini::notify::RecursiveMode;
        for dir in INPUT_DIRS {
            let p = self.root.join(dir);
            if p.is_dir() && !self.watched.contains(&p) {
                self.debouncer
                    .watcher()
                    .watch(&p, RecursiveMode::Recursive)
                    .map_err(|e| e.to_string())?;
                self.watched.insert(p);
            }
        }
        // A removed folder is no longer watched by the system; forget it so that a new one
        // of the same name is watched again.
        self.watched.retain(|p| p.is_dir());
        Ok(())
    }

    /// Inputs of the site: site.yaml, content/, templates/, static/, minus hidden files,
    /// editor back-ups and the output.
    fn relevant(&self, p: &Path) -> bool {
        let Ok(rel) = p.strip_prefix(&self.root) else {
            return false;
        };
        if p.starts_with(&self.output_dir) {
            return false;
        }
        let hidden = rel
            .components()
            .any(|c| crate::load::is_ignored(c.as_os_str()));
        let top = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned());
        !hidden
            && matches!(
                top.as_deref(),
                Some("site.yaml" | "content" | "templates" | "static" | "data" | "i18n")
            )
    }
}

/// Rebuilds after each burst of changes until shutdown.
pub(super) fn watch_loop(mut w: Watch, opts: &crate::Options, live: &Live) {
    loop {
        if *live.shutdown.borrow() {
            return;
        }
        let events = match w.rx.recv_timeout(Duration::from_millis(200)) {
            Ok(Ok(events)) => events,
            Ok(Err(e)) => {
                eprintln!("warning: file watching: {e}");
                continue;
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
            Err(_) => return,
        };
        let mut changed: Vec<PathBuf> = events
            .into_iter()
            .map(|e| e.path)
            .filter(|p| w.relevant(p))
            .collect();
        // Coalesce whatever else arrived meanwhile (editors write several files, or
        // write-then-rename).
        while let Ok(Ok(more)) = w.rx.try_recv() {
            changed.extend(more.into_iter().map(|e| e.path).filter(|p| w.relevant(p)));
        }
        changed.sort();
        changed.dedup();
        changed.retain(|p| {
            // A file counts when its size or mtime changed; a folder when it appeared or went
            // away (its files may have been written before the watch on it was in place).
            let now = fingerprint(p);
            w.seen.insert(p.clone(), now) != Some(now)
        });
        if changed.is_empty() {
            continue;
        }
        if let Err(e) = w.watch_input_dirs() {
            eprintln!("warning: file watching: {e}");
        }
        rebuild(opts, live, &changed);
    }
}

fn fingerprint(p: &Path) -> Option<Fingerprint> {
    let m = std::fs::metadata(p).ok()?;
    if m.is_dir() {
        return Some(FOLDER);
    }
    Some((m.modified().ok()?, m.len()))
}
