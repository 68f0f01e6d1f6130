//! Failure and recovery of the atomic write: builds killed with SIGKILL, two builds at once,
//! read-only and full disks (a tmpfs), the output's `.git`, the output lock,
//! and the no-change fast path. `public/` is always the complete old or new site.

use super::{Fence, assert_errors_located, build_once, fm, guarded, same_tree, tree};
use crate::support::unavailable;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_mekong");

/// A deterministic xorshift generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// A site of `12 * 25` pages. `version` changes every other page's text and the home page, so
/// that a rebuild both rewrites and hard-links files.
fn write_many_pages(root: &Path, version: u32) {
    let w = |rel: &str, text: String| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w("site.yaml", "title: Many\n".into());
    w(
        "content/_index.md",
        format!("{}Version {version}\n", fm("Home")),
    );
    for s in 0..12 {
        w(
            &format!("content/s{s:02}/_index.md"),
            fm(&format!("Section {s}")),
        );
        for p in 0..25 {
            let changed = if p % 2 == 0 { version } else { 0 };
            w(
                &format!("content/s{s:02}/p{p:02}.md"),
                format!(
                    "{}## One\n\nPage {s}-{p}, text {changed}. [home](@/_index.md) [next](p{:02}.md#one)\n\n## Two\n\nMore words about trade and the region.\n",
                    fm(&format!("Page {s}-{p}")),
                    (p + 1) % 25
                ),
            );
        }
    }
}

fn run_build(root: &Path) -> std::process::Output {
    Command::new(BIN)
        .args(["build", "--root"])
        .arg(root)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn staging_left(root: &Path) -> Vec<String> {
    std::fs::read_dir(root)
        .unwrap()
        .filter_map(|e| {
            let n = e.ok()?.file_name().to_string_lossy().into_owned();
            n.contains(".staging-").then_some(n)
        })
        .collect()
}

/// The expected output of `version`, built by the library into a folder of its own.
fn expected_tree(version: u32) -> BTreeMap<String, Vec<u8>> {
    let site = crate::support::tempdir();
    write_many_pages(site.path(), version);
    let out = site.path().join("expected");
    mekong::build(&mekong::Options {
        output: Some(out.clone()),
        ..mekong::Options::new(site.path())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    tree(&out)
}

/// SIGKILL at 20 seeded random moments of a build over a complete old site: public/ is always
/// the complete old site or the complete new one, and the next build succeeds and cleans up.
#[cfg(unix)]
#[test]
fn a_killed_build_leaves_the_old_or_the_new_site() {
    let site = crate::support::tempdir();
    let root = site.path();
    let trees = [expected_tree(1), expected_tree(2)];
    write_many_pages(root, 1);
    let out = run_build(root);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    same_tree(&tree(&root.join("public")), &trees[0]).unwrap();

    // How long a complete build takes here, to spread the kills over it.
    write_many_pages(root, 2);
    let started = Instant::now();
    assert!(run_build(root).status.success());
    let full = started.elapsed().max(Duration::from_millis(50));
    let mut current = 1; // index into trees of what public/ holds

    let mut rng = Rng(0x5eed_cafe_f00d);
    let mut outcomes = [0usize; 2];
    for round in 0..20 {
        let next = 1 - current;
        write_many_pages(root, next as u32 + 1);
        let delay = full.mul_f64((rng.next() % 1000) as f64 / 1000.0 * 1.1);
        let mut child = Command::new(BIN)
            .args(["build", "--root"])
            .arg(root)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let now = tree(&root.join("public"));
        let old = same_tree(&now, &trees[current]);
        let new = same_tree(&now, &trees[next]);
        assert!(
            old.is_ok() || new.is_ok(),
            "round {round}, killed after {delay:?}: public/ is neither the old site ({}) nor the new one ({})",
            old.unwrap_err(),
            new.unwrap_err()
        );
        outcomes[usize::from(new.is_ok())] += 1;
        let out = run_build(root);
        assert!(
            out.status.success(),
            "round {round}: the build after a kill failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        same_tree(&tree(&root.join("public")), &trees[next]).unwrap();
        assert_eq!(staging_left(root), Vec::<String>::new(), "round {round}");
        current = next;
    }
    eprintln!(
        "kill test: a complete build takes {full:?}; after the kills public/ held the old site {} times, the new one {} times",
        outcomes[0], outcomes[1]
    );
}

/// Two builds of the same site at once: both succeed and the result is the complete site.
#[test]
fn two_builds_at_once_both_succeed_with_a_complete_site() {
    let site = crate::support::tempdir();
    let root = site.path();
    let trees = [expected_tree(1), expected_tree(2)];
    for round in 0..4 {
        let v = round % 2;
        write_many_pages(root, v as u32 + 1);
        let spawn = || {
            Command::new(BIN)
                .args(["build", "--root"])
                .arg(root)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        for child in [a, b] {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        if let Err(d) = same_tree(&tree(&root.join("public")), &trees[v]) {
            panic!("round {round}: two builds at once left an incomplete site: {d}");
        }
        assert_eq!(staging_left(root), Vec::<String>::new());
    }
}

/// A tmpfs mounted for one test and unmounted when dropped. `None` where this user may not mount
/// (build.rs makes the same probe to ignore the tests that need one).
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs(dir.to_path_buf()))
    }

    fn remount_read_only(&self) -> bool {
        Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Builds a small site into `out`, changes it, builds again expecting failure: the error is
/// located and clear, the old site is intact, no staging folder is left.
fn assert_failed_write_keeps_old_site(
    f: &Fence,
    out: &Path,
    break_it: impl FnOnce(),
    want: &[&str],
) {
    let opts = mekong::Options {
        output: Some(out.to_path_buf()),
        ..f.options()
    };
    guarded("build", || mekong::build(&opts)).unwrap_or_else(|e| panic!("{e}"));
    let old = tree(out);
    break_it();
    f.write(
        "content/big.md",
        format!("{}{}\n", fm("Big"), "many words here ".repeat(150_000)),
    );
    let e = guarded("build", || mekong::build(&opts)).expect_err("the build should fail");
    assert_errors_located(&e);
    let text = e.to_string();
    assert!(
        want.iter().any(|w| text.contains(w)),
        "the error does not say why: {text}"
    );
    same_tree(&tree(out), &old).unwrap_or_else(|d| panic!("the old site changed: {d}"));
    assert_eq!(staging_left(out.parent().unwrap()), Vec::<String>::new());
}

/// A read-only folder where the output goes. Root ignores permission bits, so there the
/// folder is a tmpfs remounted read-only (ignored by build.rs where root cannot mount one).
#[cfg(unix)]
#[cfg_attr(
    all(mekong_ignores_permissions, mekong_no_tmpfs),
    ignore = "root ignores permission bits and cannot mount a tmpfs here to make a read-only folder"
)]
#[test]
fn a_read_only_output_folder_is_a_clear_error_and_keeps_the_old_site() {
    use std::os::unix::fs::PermissionsExt;
    let f = Fence::new();
    f.write("site.yaml", "title: RO\nsearch: false\n");
    f.write("content/_index.md", fm("Home"));
    let parent = f.dir.path().join("ro");
    std::fs::create_dir_all(&parent).unwrap();
    let probe = parent.join("probe");
    std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o555)).unwrap();
    let root_bypasses = std::fs::write(&probe, "x").is_ok();
    std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o755)).unwrap();
    let _ = std::fs::remove_file(&probe);
    if !root_bypasses {
        let out = parent.join("public");
        assert_failed_write_keeps_old_site(
            &f,
            &out,
            || {
                std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o555)).unwrap();
            },
            &["permission denied"],
        );
        std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o755)).unwrap();
        return;
    }
    eprintln!("note: this user bypasses permission bits (root); using a read-only tmpfs instead");
    let Some(mnt) = Tmpfs::mount(&parent, "8m") else {
        unavailable("cannot mount a tmpfs here, so no read-only folder can be made as root");
    };
    let out = parent.join("public");
    assert_failed_write_keeps_old_site(
        &f,
        &out,
        || assert!(mnt.remount_read_only(), "remount read-only"),
        &["Read-only file system", "read-only"],
    );
}

/// A full disk: a 1 MB tmpfs holds the old site but not the new one.
#[cfg(unix)]
#[cfg_attr(
    mekong_no_tmpfs,
    ignore = "cannot mount a tmpfs here (mount needs root and a permissive sandbox)"
)]
#[test]
fn a_full_disk_is_a_clear_error_and_keeps_the_old_site() {
    let f = Fence::new();
    f.write("site.yaml", "title: Full\nsearch: false\n");
    f.write("content/_index.md", fm("Home"));
    let dir = f.dir.path().join("small");
    let Some(_mnt) = Tmpfs::mount(&dir, "1m") else {
        unavailable("cannot mount a tmpfs here (mount needs root and a permissive sandbox)");
    };
    assert_failed_write_keeps_old_site(
        &f,
        &dir.join("public"),
        || {},
        &["No space left on device", "no space"],
    );
}

/// `write` moves public/.git into the staging folder before the swap. A build killed between
/// that rename and the swap leaves public/ without .git and the staging folder holding it; the
/// next build deletes stale staging folders, and the branch checkout's .git with them. This
/// lays out exactly that state (the window is too short to hit with a real SIGKILL reliably).
#[test]
fn a_killed_build_never_loses_the_outputs_git_folder() {
    // .git is hard-linked into the staging folder, never moved: whatever moment a build is
    // killed at, public/.git stays where it was, and a finished build keeps it.
    let f = Fence::new();
    f.write("content/_index.md", fm("Home"));
    guarded("build", || mekong::build(&f.options())).unwrap();
    f.write("public/.git/HEAD", "ref: refs/heads/gh-pages\n");
    f.write("content/_index.md", format!("{}changed\n", fm("Home")));
    guarded("build", || mekong::build(&f.options())).unwrap();
    assert!(
        f.path("public/.git/HEAD").is_file(),
        "the .git folder of the output was deleted"
    );
    assert_eq!(
        std::fs::read_to_string(f.path("public/.git/HEAD")).unwrap(),
        "ref: refs/heads/gh-pages\n"
    );
}

/// `mekong::build` once returned a `Summary` that held the staging folder and the lock on
/// `.public.lock`: while a caller kept it, the next build of the same output in the same
/// process waited for the lock forever. Bounded by a 60 s wait, so a regression fails.
#[test]
fn holding_a_build_summary_does_not_block_the_next_build() {
    let f = Fence::new();
    f.write("content/_index.md", fm("Home"));
    let first = guarded("build", || mekong::build(&f.options())).unwrap();
    f.write("content/_index.md", format!("{}changed\n", fm("Home")));
    let (tx, rx) = std::sync::mpsc::channel();
    let opts = f.options();
    // Detached on failure: a blocked build cannot be cancelled, so the thread is left behind.
    std::thread::spawn(move || {
        let r = mekong::build(&opts).map(|s| s.written.written);
        let _ = tx.send(r);
    });
    let second = rx.recv_timeout(Duration::from_secs(60));
    drop(first);
    let second = second
        .expect("the second build did not finish within 60 s while the first summary was alive");
    assert!(second.is_ok(), "{second:?}");
    assert_eq!(staging_left(&f.root()), Vec::<String>::new());
}

/// The build manifest lets a rebuild whose inputs did not change stop early. Its key hashes
/// site.yaml, content/, templates/, static/ and the quotation sources, but not the glossary
/// file named in site.yaml: after editing `glossary.yaml` the rebuild writes nothing and the
/// site keeps the old definitions.
#[test]
fn a_changed_glossary_file_is_rebuilt() {
    let f = Fence::new();
    f.write(
        "site.yaml",
        "title: G\nglossary:\n  file: glossary.yaml\n  page: glossary.md\n",
    );
    f.write(
        "glossary.yaml",
        "- term: RCEP\n  expansion: Regional Comprehensive Economic Partnership\n  definition: A trade deal.\n",
    );
    f.write(
        "content/_index.md",
        format!("{}We talk about RCEP here.\n", fm("Home")),
    );
    f.write(
        "content/glossary.md",
        "---\ntitle: Glossary\ntemplate: glossary.html\n---\n",
    );
    build_once("build", &f.options()).unwrap_or_else(|e| panic!("{e}"));
    let home = || std::fs::read_to_string(f.path("public/index.html")).unwrap();
    assert!(home().contains("title=\"Regional Comprehensive Economic Partnership\""));
    f.write(
        "glossary.yaml",
        "- term: RCEP\n  expansion: The New Expansion\n  definition: A trade deal.\n",
    );
    let again = build_once("rebuild", &f.options()).unwrap_or_else(|e| panic!("{e}"));
    assert!(again.written > 0, "the rebuild wrote nothing");
    assert!(
        home().contains("title=\"The New Expansion\""),
        "stale glossary"
    );
}
