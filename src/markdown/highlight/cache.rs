//! The cache of highlighted blocks: in memory for one run (shared by every rayon thread, and
//! by a `serve` session across rebuilds), and on disk between builds, beside the output as
//! `.public.highlight` (next to the build record), so that a rebuild highlights only the
//! blocks that changed.
//!
//! A block is keyed by its grammar (and console mode), its hidden-line prefix and its text:
//! everything else (title, numbers, marks, the button) is assembled around the cached lines
//! on every render, so options never make a stale entry. The file starts with a fingerprint of
//! mekong's version, the class table and the grammar set; any other file, or one that does not
//! read to its end, is ignored (the build then highlights everything). Only the entries used
//! by a build are saved, so the file never outgrows the site.

use super::{CLASSES, CacheKey};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;

/// The cache stops growing past this many bytes of code and HTML.
const CACHE_BYTES: usize = 96 * 1024 * 1024;

#[derive(Default)]
pub(super) struct Cache {
    map: HashMap<u64, Vec<Entry>>,
    bytes: usize,
}

struct Entry {
    key: CacheKey,
    html: Arc<str>,
    used: bool,
}

pub(super) fn hash_key(key: &CacheKey) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

impl Cache {
    pub(super) fn get(&mut self, hash: u64, key: &CacheKey) -> Option<Arc<str>> {
        let e = self
            .map
            .get_mut(&hash)?
            .iter_mut()
            .find(|e| e.key == *key)?;
        e.used = true;
        Some(e.html.clone())
    }

    pub(super) fn insert(&mut self, hash: u64, key: CacheKey, html: Arc<str>, used: bool) {
        let size = key.code.len() + html.len();
        if self.bytes + size > CACHE_BYTES {
            return;
        }
        self.bytes += size;
        self.map
            .entry(hash)
            .or_default()
            .push(Entry { key, html, used });
    }

    /// Reads a cache file written by [`Cache::save`]; nothing on any mismatch.
    pub(super) fn load(&mut self, path: &Path) {
        let Ok(bytes) = std::fs::read(path) else {
            return;
        };
        let mut r = Reader {
            bytes: &bytes,
            at: 0,
        };
        if r.bytes_field() != Some(fingerprint().as_bytes()) {
            return;
        }
        let mut entries = Vec::new();
        while r.at < r.bytes.len() {
            let (Some(syntax), Some(hide), Some(code), Some(html)) =
                (r.string(), r.opt_string(), r.string(), r.string())
            else {
                return;
            };
            entries.push((CacheKey { syntax, hide, code }, html));
        }
        for (key, html) in entries {
            let hash = hash_key(&key);
            self.insert(hash, key, Arc::from(html), false);
        }
    }

    /// Writes the entries used since the cache was made or loaded, through a temporary file;
    /// a site without highlighted blocks leaves no file. Not synced to disk: a torn file only
    /// fails to load.
    pub(super) fn save(&self, path: &Path) -> std::io::Result<()> {
        if !self.map.values().flatten().any(|e| e.used) {
            return match std::fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            };
        }
        let tmp = path.with_extension("highlight-tmp");
        let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        field(&mut out, fingerprint().as_bytes())?;
        for e in self.map.values().flatten().filter(|e| e.used) {
            field(&mut out, e.key.syntax.as_bytes())?;
            match &e.key.hide {
                None => out.write_all(&[0])?,
                Some(h) => {
                    out.write_all(&[1])?;
                    field(&mut out, h.as_bytes())?;
                }
            }
            field(&mut out, e.key.code.as_bytes())?;
            field(&mut out, e.html.as_bytes())?;
        }
        out.into_inner().map_err(|e| e.into_error())?;
        std::fs::rename(&tmp, path)
    }
}

/// What must match for a saved entry to be valid: mekong, its classes, its grammars.
fn fingerprint() -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    CLASSES.hash(&mut h);
    super::ALIASES.hash(&mut h);
    super::grammars::FROM_SYNTECT.hash(&mut h);
    format!(
        "mekong-highlight 1 {} {} {:x}",
        env!("CARGO_PKG_VERSION"),
        two_face::acknowledgement::url(),
        h.finish()
    )
}

fn field(out: &mut impl std::io::Write, b: &[u8]) -> std::io::Result<()> {
    out.write_all(&(b.len() as u64).to_le_bytes())?;
    out.write_all(b)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn bytes_field(&mut self) -> Option<&'a [u8]> {
        let len = self.bytes.get(self.at..self.at + 8)?;
        let len = usize::try_from(u64::from_le_bytes(len.try_into().ok()?)).ok()?;
        let start = self.at + 8;
        let end = start.checked_add(len)?;
        let b = self.bytes.get(start..end)?;
        self.at = end;
        Some(b)
    }

    fn string(&mut self) -> Option<String> {
        String::from_utf8(self.bytes_field()?.to_vec()).ok()
    }

    fn opt_string(&mut self) -> Option<Option<String>> {
        let flag = *self.bytes.get(self.at)?;
        self.at += 1;
        match flag {
            0 => Some(None),
            1 => Some(Some(self.string()?)),
            _ => None,
        }
    }
}
