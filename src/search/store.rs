//! The pages the last build parsed for the index, on disk beside the output as
//! `.public.search` (next to the build record and `.public.highlight`), so that a build parses
//! again only the pages whose HTML changed (issue 16): parsing is most of an index's cost.
//!
//! A record holds a page's URL, a hash of the HTML it was parsed from, and the parsed page in
//! the patched Pagefind's binary form (`ParsedHtmlFile::to_bytes`) with a checksum. The last
//! build's file is only indexed when a build starts (where each record is); a page's record is
//! read when that page comes up with the same HTML. The next file is written as pages reach the
//! indexing thread, under a temporary name, and takes the real name only when the index is
//! complete. The file starts with a fingerprint (mekong's version, the form of parsed pages,
//! the parse options); any other file, a record whose checksum is wrong or that does not
//! decode, is a miss: the page is parsed again, never an error.

use pagefind::api::ParsedHtmlFile;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// What a file starts with, before the fingerprint.
const MAGIC: &[u8] = b"mekong parsed pages\n";

/// The form of parsed pages: bump it when `vendor/pagefind` changes what a page parses to
/// (or its binary form), so that files of an older build are not read as this one's.
const FORM: &str = "pagefind 1.6.0, mekong patches 1-15";

/// The longest URL a record holds (a longer one is not cached): bounds what a damaged file
/// can make a build allocate before its checksum is read.
const MAX_URL: usize = 64 * 1024;

/// A page's record in the file: `url_len` u32, URL, HTML hash u64, checksum u64, `len` u32,
/// the page's bytes.
struct Entry {
    html: u64,
    sum: u64,
    at: u64,
    len: u32,
}

/// The last build's parsed pages, by URL.
pub struct Previous {
    file: Reader,
    pages: HashMap<String, Entry>,
}

/// A page parsed (or read back) by this build, as the next file stores it. Made on the thread
/// that rendered the page, checksum included, so the indexing thread only writes it.
pub struct Record {
    url: String,
    html: u64,
    sum: u64,
    bytes: Vec<u8>,
}

impl Record {
    pub fn new(url: &str, html: u64, page: &ParsedHtmlFile) -> Record {
        let bytes = page.to_bytes();
        Record {
            url: url.to_string(),
            html,
            sum: hash(&bytes),
            bytes,
        }
    }
}

/// The next file, written as the pages come (in page order).
pub struct Next {
    tmp: PathBuf,
    path: PathBuf,
    out: Option<BufWriter<File>>,
}

/// The fingerprint of files this build reads and writes.
fn fingerprint(options: &str) -> String {
    format!("mekong {}|{FORM}|{options}", env!("CARGO_PKG_VERSION"))
}

/// A 64-bit hash (SipHash with fixed keys: the same in every run).
pub fn hash(bytes: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

impl Previous {
    /// The pages of the file at `path`, if it is one of this mekong's with these parse
    /// options; `None` otherwise (no file, another version, unreadable).
    pub fn open(path: &Path, options: &str) -> Option<Previous> {
        let file = File::open(path).ok()?;
        let mut r = BufReader::new(file.try_clone().ok()?);
        let fingerprint = fingerprint(options);
        let mut head = vec![0; MAGIC.len() + fingerprint.len()];
        r.read_exact(&mut head).ok()?;
        if head[..MAGIC.len()] != *MAGIC || head[MAGIC.len()..] != *fingerprint.as_bytes() {
            return None;
        }
        let mut pages = HashMap::new();
        let mut at = head.len() as u64;
        // Records up to the first that does not read whole (a file cut short keeps the rest).
        while let Some((url, html, sum, len)) = read_head(&mut r) {
            at += 4 + url.len() as u64 + 8 + 8 + 4;
            if r.seek_relative(len as i64).is_err() {
                break;
            }
            pages.insert(url, Entry { html, sum, at, len });
            at += len as u64;
        }
        let end = file.metadata().ok()?.len();
        pages.retain(|_, e| e.at + e.len as u64 <= end);
        Some(Previous {
            file: Reader::new(file),
            pages,
        })
    }

    /// The page parsed from this URL and HTML by the last build, with its record for the next
    /// file; `None` when the HTML changed, the page is new or its record is damaged.
    pub fn get(&self, url: &str, html: u64) -> Option<(ParsedHtmlFile, Record)> {
        let e = self.pages.get(url).filter(|e| e.html == html)?;
        let bytes = self.file.read(e.at, e.len as usize)?;
        if hash(&bytes) != e.sum {
            return None;
        }
        let page = ParsedHtmlFile::from_bytes(&bytes)?;
        let record = Record {
            url: url.to_string(),
            html,
            sum: e.sum,
            bytes,
        };
        Some((page, record))
    }
}

/// A record's head: URL, HTML hash, checksum, length.
fn read_head(r: &mut impl Read) -> Option<(String, u64, u64, u32)> {
    let mut n = [0; 4];
    r.read_exact(&mut n).ok()?;
    let n = u32::from_le_bytes(n) as usize;
    if n > MAX_URL {
        return None;
    }
    let mut url = vec![0; n];
    r.read_exact(&mut url).ok()?;
    let mut nums = [0; 20];
    r.read_exact(&mut nums).ok()?;
    let html = u64::from_le_bytes(nums[..8].try_into().ok()?);
    let sum = u64::from_le_bytes(nums[8..16].try_into().ok()?);
    let len = u32::from_le_bytes(nums[16..].try_into().ok()?);
    Some((String::from_utf8(url).ok()?, html, sum, len))
}

impl Next {
    /// Starts the file that will replace `path` (written under a temporary name beside it).
    /// A file that cannot be made costs the next build time, nothing else: writes stop.
    pub fn create(path: &Path, options: &str) -> Next {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = path.with_file_name(format!("{name}.{}.tmp", std::process::id()));
        let out = File::create(&tmp)
            .ok()
            .map(BufWriter::new)
            .and_then(|mut w| {
                w.write_all(MAGIC).ok()?;
                w.write_all(fingerprint(options).as_bytes()).ok()?;
                Some(w)
            });
        Next {
            tmp,
            path: path.to_path_buf(),
            out,
        }
    }

    /// Appends a page's record; after a failed write, the file is dropped at the end.
    pub fn add(&mut self, r: &Record) {
        let Ok(len) = u32::try_from(r.bytes.len()) else {
            return;
        };
        if r.url.len() > MAX_URL {
            return;
        }
        let url_len = r.url.len() as u32;
        let Some(w) = &mut self.out else { return };
        let ok = (|| {
            w.write_all(&url_len.to_le_bytes())?;
            w.write_all(r.url.as_bytes())?;
            w.write_all(&r.html.to_le_bytes())?;
            w.write_all(&r.sum.to_le_bytes())?;
            w.write_all(&len.to_le_bytes())?;
            w.write_all(&r.bytes)
        })();
        if ok.is_err() {
            self.out = None;
        }
    }

    /// Gives the file its real name if `keep` (the index was complete) and every write
    /// succeeded; else removes it, leaving the last build's file as it was.
    pub fn finish(mut self, keep: bool) {
        // Not synced: a file that a crash left damaged fails its fingerprint or checksums.
        let written = self.out.take().is_some_and(|w| w.into_inner().is_ok());
        let kept = keep && written && std::fs::rename(&self.tmp, &self.path).is_ok();
        if !kept {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Reads records of the last build's file, from any thread.
struct Reader {
    #[cfg(unix)]
    file: File,
    #[cfg(not(unix))]
    file: std::sync::Mutex<File>,
}

impl Reader {
    fn new(file: File) -> Reader {
        Reader {
            #[cfg(unix)]
            file,
            #[cfg(not(unix))]
            file: std::sync::Mutex::new(file),
        }
    }

    #[cfg(unix)]
    fn read(&self, at: u64, len: usize) -> Option<Vec<u8>> {
        use std::os::unix::fs::FileExt;
        let mut buf = vec![0; len];
        self.file.read_exact_at(&mut buf, at).ok()?;
        Some(buf)
    }

    #[cfg(not(unix))]
    fn read(&self, at: u64, len: usize) -> Option<Vec<u8>> {
        use std::io::Seek;
        let mut file = self.file.lock().ok()?;
        file.seek(std::io::SeekFrom::Start(at)).ok()?;
        let mut buf = vec![0; len];
        file.read_exact(&mut buf).ok()?;
        Some(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(url: &str, text: &str) -> ParsedHtmlFile {
        let pf = pagefind::api::PagefindIndex::new(None).unwrap();
        let html = format!(
            "<html lang=\"en\"><body><main><h1>{text}</h1><p>{text}</p></main></body></html>"
        );
        pf.parser().parse(None, Some(url.into()), html).unwrap()
    }

    fn write(path: &Path, pages: &[(&str, u64, &ParsedHtmlFile)]) {
        let mut next = Next::create(path, "en|");
        for (url, html, p) in pages {
            next.add(&Record::new(url, *html, p));
        }
        next.finish(true);
    }

    #[test]
    fn a_page_comes_back_only_for_the_same_url_html_and_options() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".public.search");
        let (a, b) = (page("/a/", "alpha words"), page("/b/", "beta words"));
        write(&path, &[("/a/", 1, &a), ("/b/", 2, &b)]);
        let prev = Previous::open(&path, "en|").expect("opens");
        let (got, record) = prev.get("/a/", 1).expect("a hit");
        assert_eq!(got.to_bytes(), a.to_bytes());
        assert_eq!(record.bytes, a.to_bytes());
        assert!(prev.get("/a/", 2).is_none(), "other HTML");
        assert!(prev.get("/c/", 1).is_none(), "other URL");
        assert!(
            Previous::open(&path, "vi|").is_none(),
            "other parse options"
        );
        assert!(
            !std::fs::read_dir(dir.path())
                .unwrap()
                .any(|e| { e.unwrap().file_name().to_string_lossy().ends_with(".tmp") })
        );
    }

    #[test]
    fn a_cut_file_keeps_its_whole_records_and_a_damaged_record_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".public.search");
        let (a, b) = (page("/a/", "alpha"), page("/b/", "beta"));
        write(&path, &[("/a/", 1, &a), ("/b/", 2, &b)]);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 3]).unwrap();
        let prev = Previous::open(&path, "en|").unwrap();
        assert!(
            prev.get("/a/", 1).is_some(),
            "the whole first record is kept"
        );
        assert!(prev.get("/b/", 2).is_none(), "the cut one is not");
        // A changed byte inside the first record's page fails its checksum.
        let mut damaged = bytes.clone();
        let at = MAGIC.len() + fingerprint("en|").len() + 4 + 3 + 20 + 5;
        damaged[at] ^= 1;
        std::fs::write(&path, &damaged).unwrap();
        let prev = Previous::open(&path, "en|").unwrap();
        assert!(prev.get("/a/", 1).is_none());
        assert!(prev.get("/b/", 2).is_some());
    }

    #[test]
    fn an_unfinished_store_is_not_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".public.search");
        let mut next = Next::create(&path, "en|");
        next.add(&Record::new("/a/", 1, &page("/a/", "alpha")));
        next.finish(false);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
