//! Probes what the test environment can do, for the tests that need something from it, and
//! tells the compiler with a `cfg` each (the library and binary ignore them):
//!
//! - `mekong_no_chromium`: no chromium at `$MEKONG_CHROMIUM` or the usual paths, so the
//!   browser tests (tests/integration/browser.rs) are ignored;
//! - `mekong_no_axe`: `$MEKONG_AXE` does not name axe-core's `axe.min.js` (`.ci/run` installs
//!   it from npm), so the accessibility tests (tests/integration/browser/axe.rs) are ignored;
//! - `mekong_ignores_permissions`: this user reads a mode-000 file (root), so permission bits
//!   cannot make a read-only folder;
//! - `mekong_no_tmpfs`: this user cannot mount a tmpfs (a full disk, or a read-only folder
//!   for root);
//! - `mekong_case_insensitive_tmp`: the temporary folder's file system folds case.
//! - `mekong_no_strace`: `strace` does not run, so the fsync tests
//!   (tests/integration/write_safety.rs), which read a build's syscalls, are ignored.
//! - `mekong_no_vnu`: no `java` on PATH or no Nu HTML checker jar (`$MEKONG_VNU_JAR`, else
//!   `target/vnu/node_modules/vnu-jar/build/dist/vnu.jar`, where `.ci/run` installs the npm
//!   package `vnu-jar`), so the HTML validation test (tests/integration/vnu.rs) is ignored.
//!
//! A test marked `#[cfg_attr(<cfg>, ignore = "<why>")]` is then reported by `cargo test` as
//! ignored with its reason instead of passing without testing anything. Under `CI=true` no cfg
//! is set: every test runs, and one whose environment lacks what it needs fails.
//!
//! The build script runs again when CI, MEKONG_CHROMIUM, MEKONG_AXE, MEKONG_VNU_JAR or TMPDIR change, and (on Debian)
//! when a package is installed, so installing chromium is noticed. Nothing else is watched:
//! a watched path that does not exist would rebuild the package every time.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where the browser tests look for chromium; keep in step with
/// tests/integration/browser/harness.rs.
const CHROMIUM: &[&str] = &[
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
];

const CFGS: &[&str] = &[
    "mekong_no_chromium",
    "mekong_no_axe",
    "mekong_ignores_permissions",
    "mekong_no_tmpfs",
    "mekong_case_insensitive_tmp",
    "mekong_no_vnu",
    "mekong_no_strace",
];

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    for var in [
        "CI",
        "MEKONG_CHROMIUM",
        "MEKONG_AXE",
        "MEKONG_VNU_JAR",
        "TMPDIR",
    ] {
        println!("cargo::rerun-if-env-changed={var}");
    }
    // dpkg rewrites its status file on every install or removal.
    let dpkg = Path::new("/var/lib/dpkg/status");
    if dpkg.is_file() {
        println!("cargo::rerun-if-changed={}", dpkg.display());
    }
    for cfg in CFGS {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        return;
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut set = Vec::new();
    if !has_chromium() {
        set.push("mekong_no_chromium");
    }
    if !std::env::var_os("MEKONG_AXE").is_some_and(|p| Path::new(&p).is_file()) {
        set.push("mekong_no_axe");
    }
    let ignores_permissions = ignores_permissions(&out);
    if ignores_permissions {
        set.push("mekong_ignores_permissions");
    }
    if !can_mount_tmpfs(&out) {
        set.push("mekong_no_tmpfs");
    }
    if tmp_folds_case() {
        set.push("mekong_case_insensitive_tmp");
    }
    if !has_vnu() {
        set.push("mekong_no_vnu");
    }
    if !Command::new("strace")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
    {
        set.push("mekong_no_strace");
    }
    for cfg in set {
        println!("cargo::rustc-cfg={cfg}");
    }
}

fn has_chromium() -> bool {
    match std::env::var_os("MEKONG_CHROMIUM") {
        Some(p) => Path::new(&p).is_file(),
        None => CHROMIUM.iter().any(|p| Path::new(p).is_file()),
    }
}

/// Whether `java` is on PATH and the Nu HTML checker's jar is where tests/integration/vnu.rs
/// looks for it (keep the two in step).
fn has_vnu() -> bool {
    let jar = match std::env::var_os("MEKONG_VNU_JAR") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target/vnu/node_modules/vnu-jar/build/dist/vnu.jar"),
    };
    let java = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|d| d.join("java").is_file()));
    java && jar.is_file()
}

/// Whether a file of mode 000 can be read, as it can by root.
#[cfg(unix)]
fn ignores_permissions(out: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let probe = out.join("mode-000-probe");
    let _ = std::fs::remove_file(&probe);
    if std::fs::write(&probe, "x").is_err() {
        return false;
    }
    let _ = std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o000));
    let readable = std::fs::read(&probe).is_ok();
    let _ = std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o600));
    let _ = std::fs::remove_file(&probe);
    readable
}

#[cfg(not(unix))]
fn ignores_permissions(_: &Path) -> bool {
    false
}

/// Mounts a 1 MB tmpfs inside OUT_DIR and unmounts it again.
fn can_mount_tmpfs(out: &Path) -> bool {
    if !cfg!(target_os = "linux") {
        return false;
    }
    let dir = out.join("tmpfs-probe");
    if std::fs::create_dir_all(&dir).is_err() {
        return false;
    }
    let quiet = |c: &mut Command| {
        c.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let mounted = quiet(
        Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
            .arg(&dir),
    );
    if mounted {
        quiet(Command::new("umount").arg("-l").arg(&dir));
    }
    let _ = std::fs::remove_dir(&dir);
    mounted
}

/// Whether `A` and `a` name the same file in the temporary folder (where the tests' sites go).
fn tmp_folds_case() -> bool {
    let dir = std::env::temp_dir().join(format!("mekong-case-probe-{}", std::process::id()));
    if std::fs::create_dir_all(&dir).is_err() {
        return false;
    }
    let folds = std::fs::write(dir.join("A"), "x").is_ok() && dir.join("a").exists();
    let _ = std::fs::remove_dir_all(&dir);
    folds
}
