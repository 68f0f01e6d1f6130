//! The atomic write's edge cases (issue 15, "Atomic write"): data made durable before the swap,
//! the two-rename fallback where `renameat2(RENAME_EXCHANGE)` is missing, `public/` as a
//! symlink and as a mount point. Tests that need a tool or a privilege the machine lacks are
//! ignored with the reason (build.rs's `mekong_no_strace`, `mekong_no_tmpfs`), except under
//! `CI=true`, where they run and fail if the machine lacks it.

use crate::support::SiteTest;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A small site whose pages say `v{version}`; `a.md` exists only in even versions.
fn site(version: u32) -> SiteTest {
    let t = SiteTest::empty();
    write_version(&t, version);
    t
}

fn write_version(t: &SiteTest, version: u32) {
    t.write("site.yaml", "title: Safe\nsearch: false\n");
    t.write(
        "content/_index.md",
        &format!("---\ntitle: Home\n---\nhome v{version}\n"),
    );
    t.write(
        "content/b.md",
        &format!("---\ntitle: B\n---\nb v{version}\n"),
    );
    let a = t.root().join("content/a.md");
    if version.is_multiple_of(2) {
        t.write(
            "content/a.md",
            &format!("---\ntitle: A\n---\na v{version}\n"),
        );
    } else if a.exists() {
        std::fs::remove_file(a).unwrap();
    }
}

/// A page whose link does not resolve: the build fails after rendering starts.
fn break_site(t: &SiteTest) {
    t.write(
        "content/b.md",
        "---\ntitle: B\n---\nsee [nowhere](@/no/such/page.md)\n",
    );
}

/// Every file under `dir` with its text.
fn tree(dir: &Path) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (
                rel,
                String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

/// The names in `dir` that are not `keep`: what a build left behind beside the output.
fn leftovers(dir: &Path, keep: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            !keep.contains(&n.as_str()) && !n.ends_with(".lock") && !n.ends_with(".manifest")
        })
        .collect();
    v.sort();
    v
}

/// Runs the real binary on `t` with extra environment variables.
fn run_env(t: &SiteTest, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mekong"));
    c.args(args).current_dir(t.root());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// A test that is not ignored and finds the machine lacking fails, saying what it lacks.
fn lacking(why: &str) -> ! {
    panic!("cannot run: {why}");
}

fn expected(version: u32) -> Vec<(String, String)> {
    let t = site(version);
    t.build_ok();
    tree(&t.root().join("public"))
}

// ------------------------------------------------------------------------------------------
// fsync
// ------------------------------------------------------------------------------------------

/// The syscalls of one `mekong build`, with file descriptors shown as paths (`strace -y`).
fn traced_build(t: &SiteTest, extra: &[&str]) -> Vec<String> {
    if Command::new("strace").arg("-V").output().is_err() {
        lacking("strace is not installed (apt-get install strace, then touch build.rs)");
    }
    let log = t.root().join("strace.log");
    let status = Command::new("strace")
        .args(["-f", "-qq", "-y", "-o"])
        .arg(&log)
        .args([
            "-e",
            "trace=fsync,fdatasync,syncfs,rename,renameat,renameat2",
            env!("CARGO_BIN_EXE_mekong"),
            "build",
        ])
        .args(extra)
        .current_dir(t.root())
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "the traced build failed");
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::remove_file(&log).unwrap();
    text.lines().map(str::to_string).collect()
}

/// The index of the first line that swaps the new site in: `rename*(… ".public.staging-…",
/// … "…/public" …)`.
fn swap_line(lines: &[String]) -> usize {
    lines
        .iter()
        .position(|l| {
            l.contains("rename") && l.contains(".public.staging-") && l.contains("/public\"")
        })
        .unwrap_or_else(|| panic!("no swap in the trace:\n{}", lines.join("\n")))
}

fn is_sync(l: &str) -> bool {
    l.contains("fsync(") || l.contains("fdatasync(")
}

/// The path a sync line names (`fsync(5</x/y>)`), if it is one.
fn synced(l: &str) -> Option<&str> {
    if !is_sync(l) {
        return None;
    }
    let (_, rest) = l.split_once('<')?;
    Some(rest.split_once('>')?.0)
}

/// A power loss after the swap must not leave zero-length files in the new site: every new
/// file and the staging folder are synced before the swap, the parent folder after it.
/// Regression for issue 15 ("Atomic write": fsync).
#[test]
#[cfg_attr(mekong_no_strace, ignore = "strace not found: apt-get install strace")]
fn syncs_new_files_and_folders_before_the_swap_and_the_parent_after() {
    let t = site(1);
    t.build_ok();
    write_version(&t, 2);
    let lines = traced_build(&t, &[]);
    let swap = swap_line(&lines);
    let root = t.root().canonicalize().unwrap();
    let before: Vec<&str> = lines[..swap].iter().filter_map(|l| synced(l)).collect();
    let after: Vec<&str> = lines[swap..].iter().filter_map(|l| synced(l)).collect();
    let trace = lines.join("\n");
    // The path inside the staging folder ("" for the folder itself).
    fn staged(p: &str) -> Option<&str> {
        let (_, rest) = p.rsplit_once("/.public.staging-")?;
        Some(rest.split_once('/').map_or("", |(_, r)| r))
    }
    for file in ["index.html", "a/index.html", "b/index.html", "a"] {
        assert!(
            before.iter().any(|p| staged(p) == Some(file)),
            "{file} is not synced before the swap:\n{trace}"
        );
    }
    assert!(
        before.iter().any(|p| staged(p) == Some("")),
        "the staging folder is not synced before the swap:\n{trace}"
    );
    assert!(
        after.iter().any(|p| Path::new(p) == root),
        "the parent folder is not synced after the swap:\n{trace}"
    );
}

/// `--no-fsync` skips every sync (for throwaway builds); the site is the same.
/// Issue 15 ("Atomic write": fsync, "offer --no-fsync").
#[test]
#[cfg_attr(mekong_no_strace, ignore = "strace not found: apt-get install strace")]
fn no_fsync_builds_the_same_site_without_syncing() {
    let t = site(2);
    let lines = traced_build(&t, &["--no-fsync"]);
    assert!(
        !lines.iter().any(|l| is_sync(l)),
        "--no-fsync still syncs:\n{}",
        lines.join("\n")
    );
    assert_eq!(tree(&t.root().join("public")), expected(2));
}

// ------------------------------------------------------------------------------------------
// The two-rename fallback
// ------------------------------------------------------------------------------------------

/// Where the exchange is missing, two renames replace the site and leave nothing beside it.
/// Issue 15 ("Atomic write": the non-exchange fallback).
#[test]
fn the_rename_fallback_replaces_the_site_and_leaves_nothing_beside_it() {
    let t = site(1);
    t.build_ok();
    write_version(&t, 2);
    let out = run_env(&t, &["build"], &[("MEKONG_TEST_SWAP", "rename")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(tree(&t.root().join("public")), expected(2));
    assert_eq!(
        leftovers(t.root(), &["public", "content", "site.yaml"]),
        Vec::<String>::new()
    );
}

/// A build killed between the fallback's two renames (the old site moved aside, the new one
/// not yet in place), then a build that fails: the old site is back in `public/`, never
/// deleted. Then a good build puts the new site in place and cleans up.
/// Regression for issue 15 ("Atomic write": the non-exchange fallback).
#[test]
fn a_build_killed_between_the_fallback_renames_then_a_failing_build_keeps_the_old_site() {
    let t = site(1);
    t.build_ok();
    let old = tree(&t.root().join("public"));
    write_version(&t, 2);
    let out = run_env(&t, &["build"], &[("MEKONG_TEST_SWAP", "rename-then-abort")]);
    assert!(
        !out.status.success(),
        "the test hook did not stop the build"
    );
    break_site(&t);
    let (code, _, err) = t.run(&["build"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        tree(&t.root().join("public")),
        old,
        "the old site is gone after a failed build"
    );
    write_version(&t, 4);
    t.build_ok();
    assert_eq!(tree(&t.root().join("public")), expected(4));
    assert_eq!(
        leftovers(t.root(), &["public", "content", "site.yaml"]),
        Vec::<String>::new()
    );
}

/// Killed after the new site is in place but before the old one is removed: the next build
/// removes the old one and keeps the new. Issue 15 ("Atomic write": the non-exchange fallback).
#[test]
fn a_build_killed_after_the_fallback_renames_keeps_the_new_site() {
    let t = site(1);
    t.build_ok();
    write_version(&t, 2);
    let out = run_env(
        &t,
        &["build"],
        &[("MEKONG_TEST_SWAP", "rename-then-abort-after")],
    );
    assert!(
        !out.status.success(),
        "the test hook did not stop the build"
    );
    assert_eq!(tree(&t.root().join("public")), expected(2));
    break_site(&t);
    let (code, _, err) = t.run(&["build"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(tree(&t.root().join("public")), expected(2));
    assert_eq!(
        leftovers(t.root(), &["public", "content", "site.yaml"]),
        Vec::<String>::new()
    );
}

// ------------------------------------------------------------------------------------------
// public/ as a symlink
// ------------------------------------------------------------------------------------------

/// `public/` a symlink to a folder elsewhere: the site goes into the target, the link stays.
/// Regression for issue 15 ("Atomic write": public/ as a symlink).
#[cfg(unix)]
#[test]
fn builds_into_the_target_of_a_symlinked_output_and_keeps_the_link() {
    let t = site(1);
    let elsewhere = crate::support::tempdir();
    let target = elsewhere.path().join("www");
    std::fs::create_dir(&target).unwrap();
    let link = t.root().join("public");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    for version in [1, 2, 3] {
        write_version(&t, version);
        t.build_ok();
        let meta = std::fs::symlink_metadata(&link).unwrap();
        assert!(
            meta.file_type().is_symlink(),
            "v{version}: public/ is no longer a symlink"
        );
        assert_eq!(
            std::fs::read_link(&link).unwrap(),
            target,
            "v{version}: the link changed"
        );
        assert_eq!(
            tree(&target),
            expected(version),
            "v{version}: the target does not hold the site"
        );
    }
    assert_eq!(leftovers(elsewhere.path(), &["www"]), Vec::<String>::new());
    assert_eq!(
        leftovers(t.root(), &["public", "content", "site.yaml"]),
        Vec::<String>::new()
    );
}

/// A relative symlink whose target does not exist yet: the target is created, the link kept.
/// Issue 15 ("Atomic write": public/ as a symlink).
#[cfg(unix)]
#[test]
fn a_dangling_symlinked_output_gets_its_target_created() {
    let t = site(2);
    std::fs::create_dir(t.root().join("out")).unwrap();
    std::os::unix::fs::symlink("out/site", t.root().join("public")).unwrap();
    t.build_ok();
    assert!(
        std::fs::symlink_metadata(t.root().join("public"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(tree(&t.root().join("out/site")), expected(2));
}

// ------------------------------------------------------------------------------------------
// public/ as a mount point
// ------------------------------------------------------------------------------------------

/// A tmpfs mounted on a folder, unmounted when dropped.
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(dir: &Path) -> Option<Mount> {
        std::fs::create_dir_all(dir).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=16m", "tmpfs"])
            .arg(dir)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Mount(dir.to_path_buf()))
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[cfg(unix)]
fn dev(p: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(p).unwrap().dev()
}

/// `public/` a mount point (a Docker volume): it cannot be renamed or exchanged, so the build
/// stages inside it and swaps its contents; the mount stays, `.git` inside it is kept, and
/// nothing is left behind. Regression for issue 15 ("Atomic write": public/ as a mount point).
#[cfg(target_os = "linux")]
#[test]
#[cfg_attr(
    mekong_no_tmpfs,
    ignore = "cannot mount a tmpfs here (needs root and a sandbox that allows mount)"
)]
fn builds_into_an_output_that_is_a_mount_point() {
    let t = site(1);
    let public = t.root().join("public");
    let Some(_mount) = Mount::tmpfs(&public) else {
        lacking("cannot mount a tmpfs here (needs root and a sandbox that allows mount)");
    };
    assert_ne!(dev(&public), dev(t.root()), "the tmpfs is not mounted");
    std::fs::create_dir_all(public.join(".git")).unwrap();
    std::fs::write(public.join(".git/HEAD"), "ref: refs/heads/gh-pages\n").unwrap();
    for version in [1, 2, 3] {
        write_version(&t, version);
        if let Err(e) = t.build() {
            panic!("v{version}: the build into a mount point failed:\n{e}");
        }
        assert_ne!(
            dev(&public),
            dev(t.root()),
            "v{version}: public/ is no longer the mount"
        );
        let mut want = expected(version);
        want.push((".git/HEAD".into(), "ref: refs/heads/gh-pages\n".into()));
        want.sort();
        assert_eq!(tree(&public), want, "v{version}");
    }
    // Where exchange is missing, each entry is moved aside and the new one renamed in.
    write_version(&t, 4);
    let out = run_env(&t, &["build"], &[("MEKONG_TEST_SWAP", "rename")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut want = expected(4);
    want.push((".git/HEAD".into(), "ref: refs/heads/gh-pages\n".into()));
    want.sort();
    assert_eq!(tree(&public), want, "v4, two renames per entry");
    assert_eq!(
        leftovers(t.root(), &["public", "content", "site.yaml"]),
        Vec::<String>::new()
    );
    // A failed build leaves the mount's contents as they were.
    let before = tree(&public);
    break_site(&t);
    t.build_err();
    assert_eq!(tree(&public), before);
}
