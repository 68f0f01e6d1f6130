//! Hardening: no input crashes mekong, no failure loses a site, nothing escapes the output.
//!
//! 1. `properties`: property tests (proptest, fixed seed, bounded case counts) over the whole
//!    pipeline on generated sites: arbitrary front matter, Markdown, file names, slugs, aliases
//!    and links. Every build either succeeds or returns diagnostics that each name a file; it
//!    never panics; it writes nothing outside the output folder (the site sits three folders
//!    deep inside a "fence" that is inventoried before and after); two builds give
//!    byte-identical trees; a rebuild with nothing changed rewrites nothing.
//! 2. `limits`: 10,000 headings, a 1,000-page link chain, 5,000 files in one folder, a
//!    4,000-byte path, deep nesting, YAML bombs (the 50 MB page and 5,000 pages run with
//!    `--ignored`).
//! 3. `atomic`: failure and recovery with the real binary: SIGKILL at seeded random moments,
//!    read-only and full file systems (tmpfs), two builds at once, the output's `.git`, the
//!    output lock and the no-change fast path.
//! 4. `escaping`: HTML in every user string, in every output and the search index.
//! 5. `paths`: containment: slugs, aliases, symbolic links, case-only collisions, and output
//!    folders that overlap the sources.
//! 6. `serve_load`: `serve` under slow-loris clients and a burst of 1,000 concurrent requests.
//! 7. `fuzz`: inputs that once crashed a fuzz target (fuzz/), replayed.
//!
//! This file holds what several of them share: the fence, tree comparisons and build helpers.
//! A test named after a behaviour mekong does not have yet is `#[ignore = "bug: ..."]`; the
//! properties tolerate those inputs explicitly (marked `KNOWN BUG`) so that they guard
//! everything else. A test the environment cannot run (no tmpfs, a case-insensitive temporary
//! folder) is ignored with its reason by build.rs, never passed silently.

mod atomic;
mod escaping;
mod fuzz;
mod limits;
mod paths;
mod properties;
mod serve_load;

use mekong::error::Error;
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// A site nested three folders deep in a temporary folder, so that a file written up to three
/// levels above the site (`../../../x`) still lands where the test sees it.
struct Fence {
    dir: tempfile::TempDir,
}

/// What is at a path, for before/after comparisons.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Dir,
    File(Vec<u8>),
    Link(PathBuf),
}

const SITE: &str = "f1/f2/site";

impl Fence {
    fn new() -> Fence {
        let f = Fence {
            dir: crate::support::tempdir(),
        };
        std::fs::create_dir_all(f.root()).unwrap();
        f
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join(SITE)
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }

    fn options(&self) -> mekong::Options {
        mekong::Options::new(self.root())
    }

    fn inventory(&self) -> BTreeMap<String, Entry> {
        inventory(self.dir.path())
    }

    /// Panics if anything outside `SITE/<out>` (and its lock file) differs between the two.
    fn assert_contained(
        &self,
        before: &BTreeMap<String, Entry>,
        after: &BTreeMap<String, Entry>,
        outputs: &[&str],
    ) {
        let allowed = |p: &str| {
            outputs.iter().any(|o| {
                let out = format!("{SITE}/{o}");
                // Beside the output: the lock, the build manifest, the highlight cache and
                // the parsed pages of the search index (its temporary name must not stay).
                p == out
                    || p == format!("{SITE}/.{o}.highlight")
                    || p == format!("{SITE}/.{o}.search")
                    || p.starts_with(&format!("{out}/"))
                    || p == format!("{SITE}/.{o}.lock")
                    || p == format!("{SITE}/.{o}.manifest")
            })
        };
        for (p, e) in after {
            if before.get(p) != Some(e) && !allowed(p) {
                panic!("the build wrote {p:?} outside the output folder");
            }
        }
        for p in before.keys() {
            if !after.contains_key(p) && !allowed(p) {
                panic!("the build removed {p:?}, which is outside the output folder");
            }
        }
    }
}

fn inventory(dir: &Path) -> BTreeMap<String, Entry> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let entry = if e.path_is_symlink() {
                Entry::Link(std::fs::read_link(e.path()).unwrap_or_default())
            } else if e.file_type().is_dir() {
                Entry::Dir
            } else {
                Entry::File(std::fs::read(e.path()).unwrap_or_default())
            };
            (rel, entry)
        })
        .collect()
}

/// Every file under `dir` (hidden ones too) with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn mtimes(dir: &Path) -> BTreeMap<String, SystemTime> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                e.metadata().unwrap().modified().unwrap(),
            )
        })
        .collect()
}

/// Compares two trees and names the first difference, instead of printing megabytes.
fn same_tree(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Result<(), String> {
    for (p, bytes) in a {
        match b.get(p) {
            None => return Err(format!("{p} is only in the first tree")),
            Some(other) if other != bytes => return Err(format!("{p} differs")),
            _ => {}
        }
    }
    if let Some(p) = b.keys().find(|p| !a.contains_key(*p)) {
        return Err(format!("{p} is only in the second tree"));
    }
    Ok(())
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

/// Runs a mekong call, turning a panic into a test failure that says so.
fn guarded<T>(what: &str, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(p) => panic!("mekong panicked during {what}: {}", panic_message(&*p)),
    }
}

/// A failed run must say what is wrong, and where.
fn assert_errors_located(e: &Error) {
    assert!(!e.diagnostics.is_empty(), "an error without diagnostics");
    for d in &e.diagnostics {
        assert!(
            !d.path.as_os_str().is_empty(),
            "a diagnostic that names no file: {d:?}"
        );
        assert!(
            !d.message.is_empty(),
            "a diagnostic without a message: {d:?}"
        );
    }
}

/// Every output path must stay inside the output folder once joined to it. (A backslash is an
/// ordinary character in a Unix file name, so a static file `a\b` may keep it.)
fn assert_keys_inside(output: &mekong::output::Output) {
    for key in output.files.keys() {
        let bad = key.is_empty()
            || key.starts_with('/')
            || key.contains('\0')
            || key.split('/').any(|s| s == ".." || s == ".");
        assert!(!bad, "output path {key:?} could leave the output folder");
    }
}

fn fm(title: &str) -> String {
    format!("---\ntitle: {title}\n---\n")
}

/// What the tests keep of a build, so that no test holds a `Summary` across another build
/// (one used to keep the output locked: `holding_a_build_summary_does_not_block_the_next_build`).
#[derive(Debug)]
struct Built {
    pages: usize,
    indexed: usize,
    written: usize,
    removed: usize,
}

/// Builds with `opts`, checks that every output path stays inside, and drops the summary.
fn build_once(what: &str, opts: &mekong::Options) -> Result<Built, Error> {
    let s = guarded(what, || mekong::build(opts))?;
    assert_keys_inside(&s.produced.output);
    Ok(Built {
        pages: s.produced.pages,
        indexed: s.produced.indexed,
        written: s.written.written,
        removed: s.written.removed,
    })
}

fn assert_builds(f: &Fence) -> Built {
    let before = f.inventory();
    let r = build_once("build", &f.options());
    f.assert_contained(&before, &f.inventory(), &["public"]);
    r.unwrap_or_else(|e| panic!("build failed:\n{e}"))
}

/// home, other.md (with `## Known`), sub/deep.md, pic.png, and page.md with `body` (whose
/// quotations are checked against a source with `quotes`).
fn markdown_site(body: &str, line_end: u8, bom: bool, quotes: bool) -> Fence {
    let f = Fence::new();
    f.write("site.yaml", "title: Fuzz\nsources:\n  report: report.txt\n");
    f.write(
        "report.txt",
        "The meeting took place amidst big changes in geo-economics and politics.\n",
    );
    f.write("content/_index.md", format!("{}Welcome\n", fm("Home")));
    f.write(
        "content/other.md",
        format!("{}## Known\n\ntext\n", fm("Other")),
    );
    f.write(
        "content/sub/deep.md",
        format!("{}## Deep heading\n", fm("Deep")),
    );
    f.write("content/pic.png", b"\x89PNG\r\n\x1a\n");
    let sources = if quotes { "sources: [report]\n" } else { "" };
    let mut text = format!("---\ntitle: Page\n{sources}---\n{body}");
    match line_end {
        1 => text = text.replace('\n', "\r\n"),
        2 => text = text.replace('\n', "\r"),
        _ => {}
    }
    if bom {
        text.insert(0, '\u{feff}');
    }
    f.write("content/page.md", text);
    f
}
