//! Rendered HTML kept on disk between the Markdown stage and render (issue 17).
//!
//! A build renders every page's Markdown before it renders any template (the anchor check
//! needs every page's headings first), so a large site would hold every page's HTML in memory
//! until render: over a gigabyte at 100,000 pages. `build` and `check` instead write each
//! page's HTML into one unnamed file (created beside the output, or in the temporary folder,
//! and unlinked at once, so nothing is left behind even if the build is killed) and render
//! reads it back, once, when it renders that page. `serve` keeps the HTML in memory: it
//! re-renders single pages and compares them with what it holds.
//!
//! The file is written with positioned writes at offsets reserved atomically, so every
//! rendering thread writes at once without a lock. Where no such file can be made, or a write
//! fails, the HTML simply stays in memory.

use std::borrow::Cow;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The unnamed file that rendered pages wait in.
#[derive(Debug)]
pub struct Spill {
    file: File,
    /// Where the next page goes.
    end: AtomicU64,
}

/// Where one page's HTML went.
#[derive(Debug, Clone)]
pub struct Spilled {
    spill: Arc<Spill>,
    at: u64,
    len: usize,
}

impl Spill {
    /// A new spill file in `dir`, already unlinked; `None` where that cannot be done (then
    /// the HTML stays in memory).
    #[cfg(unix)]
    pub fn create(dir: &Path) -> Option<Arc<Spill>> {
        use std::sync::atomic::AtomicUsize;
        static SEQ: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            ".mekong-html-{}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        );
        let path = dir.join(name);
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .ok()?;
        std::fs::remove_file(&path).ok()?;
        Some(Arc::new(Spill {
            file,
            end: AtomicU64::new(0),
        }))
    }

    /// No spill file off Unix: the HTML stays in memory.
    #[cfg(not(unix))]
    pub fn create(_dir: &Path) -> Option<Arc<Spill>> {
        None
    }

    /// Writes `html` and says where it went; `None` if the write failed.
    #[cfg(unix)]
    pub fn put(self: &Arc<Spill>, html: &str) -> Option<Spilled> {
        use std::os::unix::fs::FileExt;
        let len = html.len();
        let at = self.end.fetch_add(len as u64, Ordering::Relaxed);
        self.file.write_all_at(html.as_bytes(), at).ok()?;
        Some(Spilled {
            spill: self.clone(),
            at,
            len,
        })
    }

    #[cfg(not(unix))]
    pub fn put(self: &Arc<Spill>, _html: &str) -> Option<Spilled> {
        None
    }
}

impl Spilled {
    /// The HTML, read back.
    #[cfg(unix)]
    pub fn read(&self) -> std::io::Result<String> {
        use std::os::unix::fs::FileExt;
        let mut buf = vec![0; self.len];
        self.spill.file.read_exact_at(&mut buf, self.at)?;
        String::from_utf8(buf).map_err(std::io::Error::other)
    }

    #[cfg(not(unix))]
    pub fn read(&self) -> std::io::Result<String> {
        Err(std::io::Error::other("no spill file on this system"))
    }
}

/// A page's HTML, from memory or read back from the spill file.
pub fn html_of(r: &super::Rendered) -> std::io::Result<Cow<'_, str>> {
    match &r.spilled {
        Some(s) => s.read().map(Cow::Owned),
        None => Ok(Cow::Borrowed(&r.html)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn pages_come_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::create(dir.path()).expect("a spill file");
        // Nothing is left in the folder, even while the file is in use.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let pages: Vec<String> = (0..50)
            .map(|i| format!("<p>page {i} ü</p>").repeat(i))
            .collect();
        let placed: Vec<Spilled> = pages.iter().map(|p| spill.put(p).unwrap()).collect();
        for (p, s) in pages.iter().zip(&placed).rev() {
            assert_eq!(&s.read().unwrap(), p);
        }
    }
}
