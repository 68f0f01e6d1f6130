//! The output check: every internal URL of every page, sitemap and feed must resolve to a file
//! of this build under the base path, and every `#fragment` to an id of that file.
//!
//! Most URLs are settled as soon as their page is rendered ([`Checker::prune`], inside the
//! [`Scanning`] sink), against the paths the build will write; what is left (fragments into
//! other pages, files known only at the end such as the search index) is checked against the
//! finished output by [`output`]. Broken links that one template makes on many pages are
//! grouped into one report with a count.

use crate::config::Config;
use crate::error::Diagnostic;
use crate::markdown::percent_decode;
use crate::output::{Data, Origin, OutFile, Output, Scan, Sink};
use crate::scan::scan_file;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

/// Checks every internal `href`/`src` of every generated HTML page, the sitemap and the feed.
/// Broken links that a template makes on many pages are reported once, with a count.
pub fn output(output: &Output, config: &Config) -> Vec<Diagnostic> {
    output_of(output, config, None)
}

/// Where a broken link comes from (the template, or the file) and the URL.
type GroupKey = (String, String);

/// A broken link: the page it is on, where that page came from, and why.
type Broken<'a> = (String, &'a Origin, String);

/// [`output`] for some files only (those a partial rebuild changed).
pub fn output_of(
    output: &Output,
    config: &Config,
    only: Option<&HashSet<&str>>,
) -> Vec<Diagnostic> {
    let host = site_host(config);
    let resolver = Resolver {
        base_path: &config.base_path,
        host: &host,
    };
    let found: Vec<(String, &Origin, String, String)> = output
        .files
        .par_iter()
        .flat_map_iter(|(path, f)| {
            let mut errs = Vec::new();
            if only.is_some_and(|o| !o.contains(path.as_str())) {
                return errs;
            }
            if let Some(scan) = &f.scan {
                let exists = |p: &str| output.files.contains_key(p);
                let base = resolver.document_base(path, scan);
                for url in &scan.urls {
                    if path == "404.html" && relative_in_404(url) {
                        errs.push((
                            path.clone(),
                            &f.origin,
                            url.to_string(),
                            "404.html is served for missing pages at any depth, so a relative URL in it points somewhere else on each of them; write it from the base path (in templates, url(path=...))".to_string(),
                        ));
                        continue;
                    }
                    let why = match resolver.resolve(url, path, base.as_deref(), &exists) {
                        Resolved::Ok => continue,
                        Resolved::Broken(why) => why,
                        Resolved::NeedsId { file, frag } => {
                            let found = output
                                .files
                                .get(&file)
                                .and_then(|f| f.scan.as_ref())
                                .is_none_or(|s| s.has_id(&frag));
                            if found {
                                continue;
                            }
                            format!("{file} has no element with id `{frag}`")
                        }
                    };
                    errs.push((path.clone(), &f.origin, url.to_string(), why));
                }
            }
            errs
        })
        .collect();
    // Group by where the link came from: a template's broken asset path is one problem.
    let mut groups: Vec<(GroupKey, Vec<Broken>)> = Vec::new();
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    for (path, origin, url, why) in found {
        let key = match origin {
            Origin::Page { template, .. } => (template.clone(), url.clone()),
            Origin::Template(t) => (t.clone(), url.clone()),
            _ => (path.clone(), url.clone()),
        };
        let generic_why = why.clone();
        let i = *index.entry(key.clone()).or_insert_with(|| {
            groups.push((key, Vec::new()));
            groups.len() - 1
        });
        groups[i].1.push((path, origin, generic_why));
    }
    let mut errors: Vec<Diagnostic> = groups
        .into_iter()
        .map(|((_, url), pages)| {
            let (path, origin, why) = &pages[0];
            let mut d = blame(path, origin, &url, why.clone());
            if pages.len() > 1 {
                d.message
                    .push_str(&format!(" (and on {} more pages)", pages.len() - 1));
            }
            d
        })
        .collect();
    errors.extend(duplicate_ids(output, only));
    errors.sort_by(|a, b| a.path.cmp(&b.path).then(a.message.cmp(&b.message)));
    errors
}

/// Ids used by more than one element of a page (issue 13): a `#fragment` could only reach the
/// first. Grouped by template like broken links, so a theme's mistake is reported once.
fn duplicate_ids(output: &Output, only: Option<&HashSet<&str>>) -> Vec<Diagnostic> {
    let mut groups: Vec<(GroupKey, Vec<(&str, &Origin)>)> = Vec::new();
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    for (path, f) in &output.files {
        if only.is_some_and(|o| !o.contains(path.as_str())) {
            continue;
        }
        let Some(scan) = &f.scan else { continue };
        for id in &scan.duplicate_ids {
            let key = match &f.origin {
                Origin::Page { template, .. } => (template.clone(), id.to_string()),
                Origin::Template(t) => (t.clone(), id.to_string()),
                _ => (path.clone(), id.to_string()),
            };
            let i = *index.entry(key.clone()).or_insert_with(|| {
                groups.push((key, Vec::new()));
                groups.len() - 1
            });
            groups[i].1.push((path, &f.origin));
        }
    }
    groups
        .into_iter()
        .map(|((_, id), pages)| {
            let (path, origin) = pages[0];
            let (file, via) = match origin {
                Origin::Page { source, template } => (
                    source.clone(),
                    format!(" (in {path}, rendered by template {template})"),
                ),
                Origin::Template(t) => (PathBuf::from(t), format!(" (in {path})")),
                Origin::Generated(what) => (PathBuf::from(path), format!(" (written by {what})")),
                Origin::Copy(p) => (p.clone(), String::new()),
            };
            let more = if pages.len() > 1 {
                format!(" (and on {} more pages)", pages.len() - 1)
            } else {
                String::new()
            };
            Diagnostic::new(
                file,
                format!("id `{id}` is used by more than one element{via}{more}"),
            )
            .hint("ids must be unique on a page, or links to `#id` reach only the first; rename the `{#id}` of a heading, or the id in raw HTML or in the template")
        })
        .collect()
}

fn blame(path: &str, origin: &Origin, url: &str, why: String) -> Diagnostic {
    let (file, via) = match origin {
        Origin::Page { source, template } => (
            source.clone(),
            format!(" (in {path}, rendered by template {template})"),
        ),
        Origin::Template(t) => (PathBuf::from(t), format!(" (in {path})")),
        Origin::Generated(what) => (PathBuf::from(path), format!(" (written by {what})")),
        Origin::Copy(p) => (p.clone(), String::new()),
    };
    Diagnostic::new(file, format!("broken link `{url}`{via}: {why}"))
        .broken_link()
        .hint("internal URLs must point at a file this build writes, under the base path; in templates use url(path=...) or the `url` fields of the context")
}

/// Where a URL of the output points.
enum Resolved {
    /// External, or a file of this build without a fragment to check.
    Ok,
    Broken(String),
    /// A file of this build whose ids must contain `frag`.
    NeedsId {
        file: String,
        frag: String,
    },
}

/// The scheme and host of the base URL (`https://example.github.io` for
/// `https://example.github.io/repo/`), empty for a base URL that is only a path. Not to be
/// confused with a file's [`Origin`], which says what produced it.
fn site_host(config: &Config) -> String {
    config
        .base_url
        .strip_suffix(config.base_path.as_str())
        .unwrap_or("")
        .to_string()
}

/// Where a URL points before the file is looked up.
enum Located<'u> {
    /// Another site, a `data:` or `javascript:` URL, or this host outside the base path.
    External,
    Broken(String),
    /// An output path (`a/b/`, `x.css`) and the fragment, if any.
    Local {
        target: String,
        fragment: Option<&'u str>,
    },
}

/// Resolves URLs found in the output against the output, as a browser at the base URL would.
struct Resolver<'a> {
    base_path: &'a str,
    /// [`site_host`].
    host: &'a str,
}

impl Resolver<'_> {
    /// Where `url`, found in the output file `from`, points. `from` may be a page's `<base>`
    /// resolved beforehand (see [`Resolver::document_base`]).
    fn locate<'u>(&self, url: &'u str, from: &str) -> Located<'u> {
        let url = url.trim();
        if url.is_empty() || url.starts_with("data:") || url.starts_with("javascript:") {
            return Located::External;
        }
        let on_host = !self.host.is_empty()
            && url.starts_with(self.host)
            && url[self.host.len()..].starts_with('/');
        let local = if on_host {
            &url[self.host.len()..]
        } else if crate::markdown::is_external(url) {
            return Located::External;
        } else {
            url
        };
        let (path_q, fragment) = match local.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (local, None),
        };
        // Decoded before `..` is resolved, as a server does: `%2e%2e` is `..`.
        let path_part = percent_decode(path_q.split('?').next().unwrap_or(""));
        let target: String = if path_part.is_empty() {
            from.to_string()
        } else if let Some(abs) = path_part.strip_prefix('/') {
            let abs = format!("/{abs}");
            match abs.strip_prefix(self.base_path) {
                Some(rest) => match normalize(rest) {
                    Some(t) => t,
                    None => return Located::Broken("it leaves the site".into()),
                },
                None if abs == self.base_path.trim_end_matches('/') => String::new(),
                // The site's own host outside its base path: the user site or a sibling
                // project of a GitHub project site, not a file of this build.
                None if on_host => return Located::External,
                None => {
                    return Located::Broken(format!(
                        "it does not start with the base path {}",
                        self.base_path
                    ));
                }
            }
        } else {
            let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
            match normalize(&format!("{dir}/{path_part}")) {
                Some(t) => t,
                None => return Located::Broken("it leaves the site".into()),
            }
        };
        Located::Local { target, fragment }
    }

    /// What relative URLs of the file `from` resolve against: its `<base href>` when it has
    /// one (`None` when that base is another site: then they are not ours to check).
    fn document_base(&self, from: &str, scan: &Scan) -> Option<String> {
        match &scan.base {
            None => Some(from.to_string()),
            Some(base) => match self.locate(base, from) {
                Located::Local { target, .. } => Some(target),
                Located::External | Located::Broken(_) => None,
            },
        }
    }

    /// Resolves `url` found in `from` against the files that `exists` knows.
    fn resolve(
        &self,
        url: &str,
        from: &str,
        document_base: Option<&str>,
        exists: &dyn Fn(&str) -> bool,
    ) -> Resolved {
        let relative = !url.trim_start().starts_with('/') && !crate::markdown::is_external(url);
        let from = match document_base {
            Some(b) if relative => b,
            // An external `<base>`: relative URLs leave the site.
            None if relative => return Resolved::Ok,
            _ => from,
        };
        let (target, fragment) = match self.locate(url, from) {
            Located::External => return Resolved::Ok,
            Located::Broken(why) => return Resolved::Broken(why),
            Located::Local { target, fragment } => (target, fragment),
        };
        let file = if target.is_empty() || target.ends_with('/') {
            format!("{target}index.html")
        } else if exists(&target) {
            target
        } else if exists(&format!("{target}/index.html")) {
            format!("{target}/index.html")
        } else {
            target
        };
        if !exists(&file) {
            return Resolved::Broken(format!("no file {file} is written by this build"));
        }
        match fragment {
            Some(frag) if !frag.is_empty() && file.ends_with(".html") => Resolved::NeedsId {
                file,
                frag: percent_decode(frag),
            },
            _ => Resolved::Ok,
        }
    }
}

/// A URL that `404.html` must not have: GitHub Pages serves that file for every missing path
/// at any depth, so a relative URL in it points somewhere else on every such page.
fn relative_in_404(url: &str) -> bool {
    let u = url.trim();
    !(u.is_empty()
        || u.starts_with('/')
        || u.starts_with('#')
        || u.starts_with("data:")
        || u.starts_with("javascript:")
        || crate::markdown::is_external(u))
}

/// What the output check knows before rendering: every path the build will write (but the
/// search index), so that most URLs can be checked as soon as a page is rendered and only
/// the rest kept for [`output`].
#[derive(Debug, Default)]
pub struct Checker {
    pub expected: HashSet<String>,
    pub base_path: String,
    /// [`site_host`].
    pub host: String,
}

impl Checker {
    pub fn new(config: &Config, expected: HashSet<String>) -> Self {
        Checker {
            expected,
            base_path: config.base_path.clone(),
            host: site_host(config),
        }
    }

    /// Drops the URLs of `scan` that already resolve: to an expected file, or to an id of
    /// the same page. What is left is checked against the finished output.
    pub fn prune(&self, path: &str, scan: &mut Scan) {
        let exists = |p: &str| self.expected.contains(p);
        let resolver = Resolver {
            base_path: &self.base_path,
            host: &self.host,
        };
        let base = resolver.document_base(path, scan);
        let ids = std::mem::take(&mut scan.ids);
        scan.urls.retain(|url| {
            // The 404 page's relative URLs are reported by `output`.
            if path == "404.html" && relative_in_404(url) {
                return true;
            }
            match resolver.resolve(url, path, base.as_deref(), &exists) {
                Resolved::Ok => false,
                Resolved::NeedsId { file, frag } if file == path => ids
                    .binary_search_by(|i| i.as_ref().cmp(frag.as_str()))
                    .is_err(),
                _ => true,
            }
        });
        scan.ids = ids;
        // One scan per page is held until the end: without the capacity of what was pruned.
        scan.urls.shrink_to_fit();
        scan.ids.shrink_to_fit();
    }
}

/// Resolves `.` and `..` segments; `None` if the path climbs above the root.
fn normalize(path: &str) -> Option<String> {
    let trailing = path.ends_with('/') || path.is_empty();
    let mut parts = Vec::new();
    crate::link::push_segments(&mut parts, path)?;
    let mut s = parts.join("/");
    if trailing && !s.is_empty() {
        s.push('/');
    }
    Some(s)
}

/// A sink that scans each HTML page, sitemap and feed for the output check (keeping only the
/// URLs that cannot be settled yet), then hands the file on to `inner`.
#[derive(Debug)]
pub struct Scanning {
    checker: Checker,
    inner: Arc<dyn Sink>,
}

impl Scanning {
    pub fn new(checker: Checker, inner: Arc<dyn Sink>) -> Self {
        Scanning { checker, inner }
    }
}

impl Sink for Scanning {
    fn take(&self, path: &str, mut file: OutFile) -> Result<OutFile, Diagnostic> {
        let scanned = path.ends_with(".html") || path.ends_with(".xml") || path.ends_with(".css");
        if file.scan.is_none() && scanned {
            match &file.data {
                Data::Bytes(b) => {
                    let mut scan = scan_file(path, b);
                    self.checker.prune(path, &mut scan);
                    file.scan = Some(scan);
                }
                // Copied files: a stylesheet's URLs are checked like the theme's; an HTML file
                // gives its ids (a `#fragment` into it is checked), but its own links are the
                // author's business (it may be a third-party document).
                Data::File(src) => {
                    let bytes =
                        crate::error::fs::read(src, std::path::Path::new(&file.origin.describe()))?;
                    let mut scan = scan_file(path, &bytes);
                    if path.ends_with(".css") {
                        self.checker.prune(path, &mut scan);
                    } else {
                        scan.urls = Vec::new();
                        scan.base = None;
                        scan.duplicate_ids = Vec::new();
                        scan.ids.shrink_to_fit();
                    }
                    file.scan = Some(scan);
                }
                _ => {}
            }
        }
        self.inner.take(path, file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_dot_segments() {
        assert_eq!(normalize("a/../b/").as_deref(), Some("b/"));
        assert_eq!(normalize("../x"), None);
    }
}
