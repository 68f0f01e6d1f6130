//! "Last updated" from the repository's history (issue 13): with `last_updated: git` in
//! site.yaml, each page shows the date of the last commit that changed its file. Read with the
//! `git` binary, as Starlight and Docusaurus do: one `git log` for the whole site.
//!
//! The log follows first parents from `HEAD` (the history of the branch as it was published:
//! a page changed on a merged branch dates from the merge), newest first, limited to the
//! site's `content/`; a page's date is that of the first commit that names it, and reading
//! stops as soon as every page has one. A site that is not in a repository, a shallow clone
//! whose history stops before a page's last change, a page not committed yet, or a machine
//! without git, builds fine: those pages have no date, and the build says why once (a
//! warning), not once per page.

use crate::error::Diagnostic;
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

/// `git -C DIR` with output that parses the same whatever the user's configuration says.
fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("-C")
        .arg(dir)
        .args([
            "-c",
            "log.showSignature=false",
            "-c",
            "core.quotePath=false",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// What `git ARGS` prints, if it ran and succeeded; `Err` when git could not be started.
fn output(dir: &Path, args: &[&str]) -> Result<Option<String>, std::io::Error> {
    let out = git(dir).args(args).output()?;
    Ok(out
        .status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim_end().to_string()))
}

/// The last-commit date (`YYYY-MM-DD`, in the committer's time zone) of each of `rels` (paths
/// relative to `content/`), and a warning naming the pages left without one and why.
pub fn last_updated(root: &Path, rels: &[&str]) -> (HashMap<String, String>, Option<Diagnostic>) {
    let mut dates = HashMap::new();
    let note = |what: String, hint: &str| Some(Diagnostic::new("site.yaml", what).hint(hint));
    let warn = |why: &str, hint: &str| {
        note(
            format!("`last_updated: git`: {why}, so pages show no last-updated date"),
            hint,
        )
    };
    let top = match output(
        root,
        &["rev-parse", "--is-inside-work-tree", "--show-toplevel"],
    ) {
        Err(_) => {
            return (
                dates,
                warn(
                    "git was not found",
                    "install git (`apt-get install git`), or remove `last_updated`",
                ),
            );
        }
        Ok(None) => {
            // Not a repository, or a repository without a work tree (a bare one).
            let why = match output(root, &["rev-parse", "--git-dir"]) {
                Ok(Some(_)) => (
                    "the repository has no work tree",
                    "build from a checkout of the repository",
                ),
                _ => (
                    "the site is not in a git repository",
                    "build from a clone of the repository, or remove `last_updated`",
                ),
            };
            return (dates, warn(why.0, why.1));
        }
        Ok(Some(out)) => out,
    };
    let mut lines = top.lines();
    let (Some("true"), Some(workdir)) = (lines.next(), lines.next()) else {
        return (
            dates,
            warn(
                "the repository has no work tree",
                "build from a checkout of the repository",
            ),
        );
    };
    let workdir = Path::new(workdir);
    let prefix = root
        .canonicalize()
        .ok()
        .and_then(|site| {
            let w = workdir
                .canonicalize()
                .unwrap_or_else(|_| workdir.to_path_buf());
            site.strip_prefix(w)
                .ok()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
        })
        .unwrap_or_default();
    let content = if prefix.is_empty() {
        "content".to_string()
    } else {
        format!("{prefix}/content")
    };
    if !matches!(
        output(workdir, &["rev-parse", "-q", "--verify", "HEAD"]),
        Ok(Some(_))
    ) {
        return (
            dates,
            warn(
                "the repository has no commit yet",
                "commit the site, then build again",
            ),
        );
    }
    let shallow = matches!(
        output(workdir, &["rev-parse", "--is-shallow-repository"])
            .ok()
            .flatten()
            .as_deref(),
        Some("true")
    );
    let spec = format!(":(top,literal){content}");
    // The pages in HEAD's tree; the others are not committed yet.
    let committed: HashSet<String> = match git(workdir)
        .args([
            "ls-tree",
            "-r",
            "-z",
            "--name-only",
            "--full-tree",
            "HEAD",
            "--",
            &spec,
        ])
        .output()
    {
        Ok(o) if o.status.success() => o
            .stdout
            .split(|&b| b == 0)
            .filter(|n| !n.is_empty())
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .collect(),
        _ => HashSet::new(),
    };
    let mut uncommitted: Vec<&str> = Vec::new();
    let mut pending: HashMap<String, &str> = HashMap::new();
    for rel in rels {
        let path = format!("{content}/{rel}");
        if committed.contains(&path) {
            pending.insert(path, rel);
        } else {
            uncommitted.push(rel);
        }
    }
    let mut history_ends_early = false;
    if !pending.is_empty() {
        history_ends_early = read_log(workdir, &spec, shallow, &mut pending, &mut dates);
    }
    let mut missing: Vec<&str> = if history_ends_early {
        pending.values().copied().collect()
    } else {
        Vec::new()
    };
    missing.sort_unstable();
    let list = |rels: &[&str]| {
        let names: Vec<String> = rels
            .iter()
            .take(5)
            .map(|r| format!("content/{r}"))
            .collect();
        match rels.len().saturating_sub(names.len()) {
            0 => names.join(", "),
            more => format!("{} and {more} more", names.join(", ")),
        }
    };
    let warning = if !missing.is_empty() {
        note(
            format!(
                "`last_updated: git`: no last-updated date for {}: the clone is shallow, and its history stops before their last change",
                list(&missing)
            ),
            "fetch the whole history (`git fetch --unshallow`; with actions/checkout, `fetch-depth: 0`)",
        )
    } else if !uncommitted.is_empty() {
        note(
            format!(
                "`last_updated: git`: no last-updated date for {}: not committed yet",
                list(&uncommitted)
            ),
            "commit them; their date is then the commit's",
        )
    } else {
        None
    };
    (dates, warning)
}

/// Reads `git log` newest first and dates each pending page (path in the repository -> rel)
/// by the first commit that names it, until none is pending. In a shallow clone a commit
/// without parents is where the history was cut: the files it names are not dated (their last
/// change may be older), and the return value says the history ended early.
fn read_log(
    workdir: &Path,
    spec: &str,
    shallow: bool,
    pending: &mut HashMap<String, &str>,
    dates: &mut HashMap<String, String>,
) -> bool {
    let Ok(mut child) = git(workdir)
        .args([
            "log",
            "--first-parent",
            "--no-renames",
            "--no-color",
            "-z",
            "--format=%x01%P%x02%cs",
            "--name-only",
            "--",
            spec,
        ])
        .stdout(Stdio::piped())
        .spawn()
    else {
        return true;
    };
    let mut ended_early = false;
    if let Some(stdout) = child.stdout.take() {
        // Each commit: `\x01PARENTS\x02DATE\0\nNAME\0NAME\0...`.
        for record in BufReader::new(stdout).split(0x01) {
            let Ok(record) = record else { break };
            let Some(head_end) = record.iter().position(|&b| b == 0) else {
                continue;
            };
            let header = String::from_utf8_lossy(&record[..head_end]);
            let Some((parents, date)) = header.split_once('\x02') else {
                continue;
            };
            let cut = shallow && parents.trim().is_empty();
            for name in record[head_end + 1..].split(|&b| b == 0) {
                let name = name.strip_prefix(b"\n").unwrap_or(name);
                if name.is_empty() {
                    continue;
                }
                let name = String::from_utf8_lossy(name);
                if cut {
                    ended_early |= pending.contains_key(name.as_ref());
                } else if let Some(rel) = pending.remove(name.as_ref()) {
                    dates.insert(rel.to_string(), date.to_string());
                }
            }
            if pending.is_empty() || cut {
                break;
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    ended_early || (shallow && !pending.is_empty())
}

/// The id of the commit at `HEAD`, for the build record: a new commit changes dates.
pub fn head(root: &Path) -> Option<String> {
    output(root, &["rev-parse", "-q", "--verify", "HEAD"])
        .ok()
        .flatten()
}
