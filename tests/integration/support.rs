//! The test helper: copy a fixture site to a temporary folder, build it, read what it wrote,
//! edit it and build again (after mdBook's BookTest). Also what tests that need something of
//! the environment share: `tempdir` (every test's scratch folder), `unavailable` fails one
//! that build.rs did not ignore, and `enforcing_permissions` makes permission bits apply even
//! to root.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct SiteTest {
    pub dir: tempfile::TempDir,
}

/// A new scratch folder, removed when dropped. The tests create and delete some hundred
/// thousand files; on an ext4 `/tmp` the kernel's side of that was a quarter of the suite's
/// time (62 s of system time against 15 s on tmpfs, 2 cores), so the folders go to a tmpfs
/// `/dev/shm` when it has room for them (at least 4 GiB free: Docker gives containers 64 MB),
/// else to the usual temporary folder. `MEKONG_TEST_TMPDIR` chooses the place.
pub fn tempdir() -> tempfile::TempDir {
    static ROOT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let root = ROOT.get_or_init(|| {
        if let Some(p) = std::env::var_os("MEKONG_TEST_TMPDIR") {
            return PathBuf::from(p);
        }
        let shm = Path::new("/dev/shm");
        if roomy_tmpfs(shm) {
            return shm.to_path_buf();
        }
        std::env::temp_dir()
    });
    tempfile::Builder::new()
        .prefix("mekong-test-")
        .tempdir_in(root)
        .unwrap_or_else(|e| panic!("cannot create a scratch folder in {}: {e}", root.display()))
}

/// Whether `dir` is a writable tmpfs with at least 4 GiB free.
#[cfg(target_os = "linux")]
fn roomy_tmpfs(dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    const TMPFS_MAGIC: i64 = 0x0102_1994;
    let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a NUL-ended path and `fs` a zeroed struct that statfs fills in.
    let mut fs: libc::statfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statfs(c.as_ptr(), &mut fs) } != 0 {
        return false;
    }
    // SAFETY: as above; `access` only reads the path.
    let writable = unsafe { libc::access(c.as_ptr(), libc::W_OK) } == 0;
    let free = fs.f_bavail as u64 * fs.f_bsize as u64;
    writable && fs.f_type as i64 == TMPFS_MAGIC && free >= 4 << 30
}

#[cfg(not(target_os = "linux"))]
fn roomy_tmpfs(_: &Path) -> bool {
    false
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies the folder `from` (all of it) into `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

impl SiteTest {
    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> SiteTest {
        let dir = tempdir();
        copy_dir(&fixtures().join(name), dir.path());
        SiteTest { dir }
    }

    /// A copy of the repository's own site (site.yaml, content/, templates/, static/, data/).
    pub fn flagship() -> SiteTest {
        let dir = tempdir();
        let root = repo_root();
        for d in ["content", "templates", "static", "data"] {
            if root.join(d).is_dir() {
                copy_dir(&root.join(d), &dir.path().join(d));
            }
        }
        std::fs::copy(root.join("site.yaml"), dir.path().join("site.yaml")).unwrap();
        SiteTest { dir }
    }

    /// An empty site folder to fill with `write`.
    pub fn empty() -> SiteTest {
        SiteTest { dir: tempdir() }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn options(&self) -> mekong::Options {
        mekong::Options::new(self.root())
    }

    pub fn build(&self) -> Result<mekong::Summary, mekong::error::Error> {
        mekong::build(&self.options())
    }

    pub fn build_with(
        &self,
        f: impl FnOnce(&mut mekong::Options),
    ) -> Result<mekong::Summary, mekong::error::Error> {
        let mut o = self.options();
        f(&mut o);
        mekong::build(&o)
    }

    /// Builds and panics with the diagnostics if it fails.
    pub fn build_ok(&self) -> mekong::Summary {
        match self.build() {
            Ok(s) => s,
            Err(e) => panic!("build failed:\n{e}"),
        }
    }

    /// Builds, expecting failure; returns the printed errors.
    pub fn build_err(&self) -> String {
        match self.build() {
            Ok(_) => panic!("build succeeded but should have failed"),
            Err(e) => e.to_string(),
        }
    }

    /// Writes a file of the site in one step (a hidden temporary file, then a rename), as many
    /// editors save: a watcher never sees it half written, so `serve` tests do not race.
    pub fn write(&self, rel: &str, text: &str) {
        let p = self.root().join(rel);
        let dir = p.parent().unwrap();
        std::fs::create_dir_all(dir).unwrap();
        let tmp = dir.join(format!(
            ".{}.mekong-test-tmp",
            p.file_name().unwrap().to_string_lossy()
        ));
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(&tmp, &p).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        let p = self.root().join(rel);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.root().join(rel).exists()
    }

    /// The `<main>` element of an output page, so that layout changes do not churn tests.
    pub fn main_of(&self, rel: &str) -> String {
        let html = self.read(rel);
        let start = html
            .find("<main")
            .unwrap_or_else(|| panic!("{rel} has no <main>"));
        let end = html.find("</main>").map(|e| e + 7).unwrap_or(html.len());
        html[start..end].to_string()
    }

    /// Starts `serve` for this site on a free loopback port (stopped when dropped).
    pub fn serve(&self) -> mekong::serve::Running {
        mekong::serve::start(&mekong::serve::ServeOptions {
            root: self.root().to_path_buf(),
            port: 0,
            bind: "127.0.0.1".parse().unwrap(),
            open: false,
            drafts: false,
        })
        .unwrap_or_else(|e| panic!("serve failed: {e}"))
    }

    /// Runs the real binary in this site's folder.
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_mekong"))
            .args(args)
            .current_dir(self.root())
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Every file under `rel` with its bytes, for comparing whole outputs.
    pub fn snapshot(&self, rel: &str) -> Vec<(String, Vec<u8>)> {
        let base = self.root().join(rel);
        let mut v: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(&base)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                (
                    e.path()
                        .strip_prefix(&base)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    }
}

/// Fails a test whose environment lacks what it needs. Where it is lacking, build.rs marks the
/// test ignored (with the reason) instead, so this runs only under `CI=true`, where every test
/// must run, or when the environment changed after build.rs probed it.
pub fn unavailable(what: &str) -> ! {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{what}, and CI=true: every test must run in CI");
    }
    panic!(
        "{what}, but build.rs found it when this test was built: the environment has changed \
         since (run `touch build.rs` and test again to probe it afresh)"
    );
}

/// Runs `f` on a thread of its own (with a rayon pool of its own for the build's parallel
/// work) that lacks CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, so that permission bits apply
/// even when the tests run as root. Capabilities belong to a thread and pass to the threads
/// it starts; the rest of the test process keeps them.
#[cfg(target_os = "linux")]
pub fn enforcing_permissions<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        s.spawn(|| {
            drop_permission_override();
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(2)
                .build()
                .expect("a rayon pool");
            pool.install(f)
        })
        .join()
        .unwrap_or_else(|p| std::panic::resume_unwind(p))
    })
}

/// Elsewhere permission bits are left as they are (build.rs ignores the tests as root).
#[cfg(not(target_os = "linux"))]
pub fn enforcing_permissions<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    f()
}

/// Clears CAP_DAC_OVERRIDE (1) and CAP_DAC_READ_SEARCH (2) from this thread's effective set.
#[cfg(target_os = "linux")]
fn drop_permission_override() {
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    #[derive(Clone, Copy, Default)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    // _LINUX_CAPABILITY_VERSION_3: two `Data`, for capabilities 0-31 and 32-63; pid 0 is
    // the calling thread.
    let mut header = Header {
        version: 0x2008_0522,
        pid: 0,
    };
    let mut data = [Data::default(); 2];
    // SAFETY: capget reads the header and writes two `Data`, both valid for the call.
    let r = unsafe {
        libc::syscall(
            libc::SYS_capget,
            &mut header as *mut Header,
            data.as_mut_ptr(),
        )
    };
    assert_eq!(r, 0, "capget: {}", std::io::Error::last_os_error());
    data[0].effective &= !((1 << 1) | (1 << 2));
    // SAFETY: capset reads the header and two `Data`, both valid for the call.
    let r = unsafe { libc::syscall(libc::SYS_capset, &header as *const Header, data.as_ptr()) };
    assert_eq!(r, 0, "capset: {}", std::io::Error::last_os_error());
}

/// The text of some HTML with its tags removed (entities kept): what a test reads through
/// the spans of highlighted code or of marked-up prose.
pub fn without_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}
