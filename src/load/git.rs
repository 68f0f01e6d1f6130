//! "Last updated" from the repository's history (issue 13): with `last_updated: git` in
//! site.yaml, each page shows the date of the last commit that changed its file. Read with
//! [gix](https://crates.io/crates/gix), in-process: no `git` binary is needed.
//!
//! The walk follows first parents from `HEAD` (the history of the branch as it was published:
//! a page changed on a merged branch dates from the merge) and, at each commit, compares the
//! page files' blob ids with the parent's, so it reads a few tree entries per commit and stops
//! as soon as every page has its date. A site that is not in a repository, a shallow clone
//! whose history stops before a page's last change, or a page not committed yet, builds fine:
//! those pages have no date, and the build says why once (a warning), not once per page.

use crate::error::Diagnostic;
use std::collections::HashMap;
use std::path::Path;

/// How many commits the walk reads at most (a very long history ends the walk there).
const MAX_COMMITS: usize = 200_000;

/// The last-commit date (`YYYY-MM-DD`, in the committer's time zone) of each of `rels` (paths
/// relative to `content/`), and a warning naming the pages left without one and why.
pub fn last_updated(root: &Path, rels: &[&str]) -> (HashMap<String, String>, Option<Diagnostic>) {
    let mut dates = HashMap::new();
    let warn = |why: String, hint: &str| Some(Diagnostic::new("site.yaml", why).hint(hint));
    let repo = match gix::discover(root) {
        Ok(r) => r,
        Err(_) => {
            return (
                dates,
                warn(
                    "`last_updated: git`: the site is not in a git repository, so pages show no last-updated date".into(),
                    "build from a clone of the repository, or remove `last_updated`",
                ),
            );
        }
    };
    let (Some(workdir), Ok(site)) = (repo.workdir().map(Path::to_path_buf), root.canonicalize())
    else {
        return (
            dates,
            warn(
                "`last_updated: git`: the repository has no work tree, so pages show no last-updated date".into(),
                "build from a checkout of the repository",
            ),
        );
    };
    let prefix = match site.strip_prefix(workdir.canonicalize().unwrap_or(workdir)) {
        Ok(p) => p.to_string_lossy().replace('\\', "/"),
        Err(_) => String::new(),
    };
    let in_repo = |rel: &str| {
        if prefix.is_empty() {
            format!("content/{rel}")
        } else {
            format!("{prefix}/content/{rel}")
        }
    };
    let shallow = repo.is_shallow().unwrap_or(false);
    let Ok(mut commit) = repo.head_commit() else {
        return (
            dates,
            warn(
                "`last_updated: git`: the repository has no commit yet, so pages show no last-updated date".into(),
                "commit the site, then build again",
            ),
        );
    };
    // Pages still looking for their date: (rel, path in the repository, blob id in `commit`).
    let entry_id = |tree: &gix::Tree<'_>, path: &str| {
        tree.lookup_entry_by_path(path)
            .ok()
            .flatten()
            .map(|e| e.object_id())
    };
    let mut uncommitted: Vec<&str> = Vec::new();
    let mut pending: Vec<(&str, String, Option<gix::ObjectId>)> = Vec::new();
    if let Ok(tree) = commit.tree() {
        for rel in rels {
            let path = in_repo(rel);
            match entry_id(&tree, &path) {
                Some(id) => pending.push((*rel, path, Some(id))),
                None => uncommitted.push(rel),
            }
        }
    }
    let mut history_ends_early = false;
    for _ in 0..MAX_COMMITS {
        if pending.is_empty() {
            break;
        }
        let date = commit.time().ok().map(|t| civil_date(t.seconds, t.offset));
        let parent = commit.parent_ids().next().map(|id| id.detach());
        let parent = match parent {
            None => None,
            Some(id) => match repo.find_commit(id) {
                Ok(p) => Some(p),
                Err(_) => {
                    // A shallow clone: the parent is not here, so nothing older is known.
                    history_ends_early = true;
                    break;
                }
            },
        };
        let parent_tree = parent.as_ref().and_then(|p| p.tree().ok());
        pending.retain_mut(|(rel, path, id)| {
            let before = parent_tree.as_ref().and_then(|t| entry_id(t, path));
            if *id != before && id.is_some() {
                if let Some(d) = &date {
                    dates.insert(rel.to_string(), d.clone());
                }
                return false;
            }
            *id = before;
            true
        });
        match parent {
            Some(p) => commit = p,
            None => break,
        }
    }
    let missing: Vec<&str> = if history_ends_early || shallow {
        pending.iter().map(|(rel, _, _)| *rel).collect()
    } else {
        Vec::new()
    };
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
        warn(
            format!(
                "`last_updated: git`: no last-updated date for {}: the clone is shallow, and its history stops before their last change",
                list(&missing)
            ),
            "fetch the whole history (`git fetch --unshallow`; with actions/checkout, `fetch-depth: 0`)",
        )
    } else if !uncommitted.is_empty() {
        warn(
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

/// The id of the commit at `HEAD`, for the build record: a new commit changes dates.
pub fn head(root: &Path) -> Option<String> {
    let repo = gix::discover(root).ok()?;
    Some(repo.head_id().ok()?.to_string())
}

/// `YYYY-MM-DD` of a Unix time at a UTC offset in seconds (Howard Hinnant's civil_from_days).
fn civil_date(seconds: i64, offset: i32) -> String {
    let days = (seconds + i64::from(offset)).div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_follow_the_committers_time_zone() {
        assert_eq!(civil_date(0, 0), "1970-01-01");
        assert_eq!(civil_date(1_533_168_000, 0), "2018-08-02");
        // 23:30 UTC on 2018-08-01 is already 2018-08-02 in Singapore (UTC+8).
        assert_eq!(civil_date(1_533_166_200, 8 * 3600), "2018-08-02");
        assert_eq!(civil_date(1_533_166_200, 0), "2018-08-01");
        assert_eq!(civil_date(951_782_400, 0), "2000-02-29");
    }
}
