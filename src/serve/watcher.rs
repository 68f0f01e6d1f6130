//! Watching the site for changes: which paths are inputs (the same ignore rules as `load`),
//! a size+mtime fingerprint per file to tell real changes from the access events that reading
//! inputs produces, and the loop that turns each burst of events into one rebuild.

use super::{Live, rebuild};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The file watcher, set up before the first build so that no change is missed.
pub(super) struct Watch {
    _debouncer: notify_debouncer_mini::Debouncer<notify_debouncer_mini::notify::RecommendedWatcher>,
    rx: std::sync::mpsc::Receiver<notify_debouncer_mini::DebounceEventResult>,
    root: PathBuf,
    output_dir: PathBuf,
    /// Size and mtime of every input, to tell real changes from access events.
    seen: std::collections::HashMap<PathBuf, Option<(std::time::SystemTime, u64)>>,
}

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
        for dir in ["content", "templates", "static"] {
            let p = root.join(dir);
            if p.is_dir() {
                debouncer
                    .watcher()
                    .watch(&p, RecursiveMode::Recursive)
                    .map_err(|e| e.to_string())?;
            }
        }
        let output_dir = root.join(
            opts.output_dir()
                .strip_prefix(&opts.root)
                .unwrap_or(Path::new("public")),
        );
        let mut w = Watch {
            _debouncer: debouncer,
            rx,
            root,
            output_dir,
            seen: Default::default(),
        };
        let seen = walkdir::WalkDir::new(&w.root)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || w.relevant(e.path()))
            .filter_map(Result::ok)
            .map(|e| (e.path().to_path_buf(), fingerprint(e.path())))
            .collect();
        w.seen = seen;
        Ok(w)
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
                Some("site.yaml" | "content" | "templates" | "static")
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
            // A folder's mtime changes with its entries; the entries' own events say what changed.
            if p.is_dir() {
                return false;
            }
            let now = fingerprint(p);
            w.seen.insert(p.clone(), now) != Some(now)
        });
        if changed.is_empty() {
            continue;
        }
        rebuild(opts, live, &changed);
    }
}

fn fingerprint(p: &Path) -> Option<(std::time::SystemTime, u64)> {
    let m = std::fs::metadata(p).ok()?;
    Some((m.modified().ok()?, m.len()))
}
