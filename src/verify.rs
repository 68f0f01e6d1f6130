//! Internal links and anchors, checked after Markdown because they need every page's headings
//! (Zola's order too), and the whole output checked as a browser would see it.
//!
//! [`anchors`] checks each `page.md#anchor` written in Markdown against the ids of the target
//! page, with the line and column of the link. [`output`] then scans every HTML page that the
//! build writes, including what templates produced, and checks that each internal `href` and
//! `src` resolves to a file of this build under the base path, and each `#fragment` to an id on
//! that page. It catches a theme's broken asset path or a missing base path before a reader does.

use crate::config::Config;
use crate::error::{Diagnostic, did_you_mean};
use crate::link::Site;
use crate::load::Content;
use crate::markdown::{Rendered, percent_decode};
use crate::render::{Origin, Output};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

/// Checks every `#anchor` of every Markdown link against the target's heading ids.
pub fn anchors(
    content: &Content,
    site: &Site,
    rendered: &[Option<Rendered>],
    config: &Config,
) -> Vec<Diagnostic> {
    anchors_from(content, site, rendered, config, None)
}

/// [`anchors`] for the links of one page only (when only that page changed and its own
/// headings did not).
pub fn anchors_from(
    content: &Content,
    site: &Site,
    rendered: &[Option<Rendered>],
    config: &Config,
    only: Option<usize>,
) -> Vec<Diagnostic> {
    let glossary_ids: Option<(usize, HashSet<&str>)> = config.glossary.as_ref().and_then(|g| {
        let node = site.by_rel.get(&g.page)?;
        Some((*node, g.entries.iter().map(|e| e.id.as_str()).collect()))
    });
    let mut errors = Vec::new();
    for (id, r) in rendered.iter().enumerate() {
        if only.is_some_and(|o| o != id) {
            continue;
        }
        let Some(r) = r else { continue };
        let Some(doc) = site.nodes[id].doc.map(|i| &content.docs[i]) else {
            continue;
        };
        for link in &r.links {
            if link.fragment.is_empty() {
                continue;
            }
            let Some(target) = rendered[link.target].as_ref() else {
                continue;
            };
            let frag = crate::markdown::escape_attr(&link.fragment);
            if target.ids.iter().any(|i| *i == link.fragment || *i == frag) {
                continue;
            }
            if let Some((g, ids)) = &glossary_ids
                && *g == link.target
                && ids.contains(link.fragment.as_str())
            {
                continue;
            }
            let target_doc = site.nodes[link.target].doc.map(|i| content.docs[i].shown());
            let where_ = match &target_doc {
                Some(p) if link.target != id => format!(" in {}", p.display()),
                _ => " on this page".to_string(),
            };
            let names: Vec<&str> = target.ids.iter().map(String::as_str).collect();
            let hint = match did_you_mean(&link.fragment, &names) {
                Some(near) => format!("did you mean `#{near}`?"),
                None if names.is_empty() => "that page has no headings to link to".to_string(),
                None => format!(
                    "anchors there: {}",
                    names
                        .iter()
                        .take(12)
                        .map(|n| format!("#{n}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            errors.push(
                Diagnostic::new(
                    doc.shown(),
                    format!("link to a missing anchor `#{}`{where_}", link.fragment),
                )
                .at_offset(&doc.text, link.offset, 1)
                .hint(hint),
            );
        }
    }
    errors
}

/// The ids and outgoing URLs of one HTML document, kept compact: a large site keeps one per
/// page until the output check.
#[derive(Debug, Default, Clone)]
pub struct Scan {
    /// Sorted, for binary search.
    pub ids: Vec<Box<str>>,
    /// Distinct URLs in order of appearance.
    pub urls: Vec<Box<str>>,
}

impl Scan {
    pub fn has_id(&self, id: &str) -> bool {
        self.ids.binary_search_by(|i| i.as_ref().cmp(id)).is_ok()
    }
}

/// Scans an output file: HTML tags, or the `<loc>`s and links of a sitemap or feed.
pub fn scan_file(path: &str, bytes: &[u8]) -> Scan {
    let text = String::from_utf8_lossy(bytes);
    if path.ends_with(".xml") {
        let mut s = scan(&text);
        s.urls.splice(
            0..0,
            xml_urls(&text).into_iter().map(String::into_boxed_str),
        );
        dedup_in_order(&mut s.urls);
        s
    } else {
        scan(&text)
    }
}

fn dedup_in_order(urls: &mut Vec<Box<str>>) {
    let mut seen = HashSet::new();
    urls.retain(|u| seen.insert(u.clone()));
}

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
    let origin = config
        .base_url
        .strip_suffix(config.base_path.as_str())
        .unwrap_or("");
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
                for url in &scan.urls {
                    let why = match resolve(url, path, &config.base_path, origin, &exists) {
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
    errors.sort_by(|a, b| a.path.cmp(&b.path).then(a.message.cmp(&b.message)));
    errors
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
        .hint("internal URLs must point at a file this build writes, under the base path; in templates use url(path=...) or the `url` fields of the context")
}

/// Resolves an URL found in `from` (an output path) against the output.
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

/// Resolves a URL found in `from` (an output path); `exists` says whether an output path is
/// written by this build.
fn resolve(
    url: &str,
    from: &str,
    base_path: &str,
    origin: &str,
    exists: &dyn Fn(&str) -> bool,
) -> Resolved {
    let url = url.trim();
    if url.is_empty() || url.starts_with("data:") || url.starts_with("javascript:") {
        return Resolved::Ok;
    }
    let local =
        if !origin.is_empty() && url.starts_with(origin) && url[origin.len()..].starts_with('/') {
            &url[origin.len()..]
        } else if crate::markdown::is_external(url) {
            return Resolved::Ok;
        } else {
            url
        };
    let (path_q, fragment) = match local.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (local, None),
    };
    let path_part = path_q.split('?').next().unwrap_or("");
    let target: String = if path_part.is_empty() {
        from.to_string()
    } else if let Some(abs) = path_part.strip_prefix('/') {
        let abs = format!("/{abs}");
        match abs.strip_prefix(base_path) {
            Some(rest) => match normalize(rest) {
                Some(t) => t,
                None => return Resolved::Broken("it leaves the site".into()),
            },
            None if abs == base_path.trim_end_matches('/') => String::new(),
            None => {
                return Resolved::Broken(format!(
                    "it does not start with the base path {base_path}"
                ));
            }
        }
    } else {
        let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
        match normalize(&format!("{dir}/{path_part}")) {
            Some(t) => t,
            None => return Resolved::Broken("it leaves the site".into()),
        }
    };
    let target = percent_decode(&target);
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

/// What the output check knows before rendering: every path the build will write (but the
/// search index), so that most URLs can be checked as soon as a page is rendered and only
/// the rest kept for [`output`].
#[derive(Debug, Default)]
pub struct Checker {
    pub expected: HashSet<String>,
    pub base_path: String,
    pub origin: String,
}

impl Checker {
    pub fn new(config: &Config, expected: HashSet<String>) -> Self {
        Checker {
            expected,
            base_path: config.base_path.clone(),
            origin: config
                .base_url
                .strip_suffix(config.base_path.as_str())
                .unwrap_or("")
                .to_string(),
        }
    }

    /// Drops the URLs of `scan` that already resolve: to an expected file, or to an id of
    /// the same page. What is left is checked against the finished output.
    pub fn prune(&self, path: &str, scan: &mut Scan) {
        let exists = |p: &str| self.expected.contains(p);
        let ids = std::mem::take(&mut scan.ids);
        scan.urls.retain(
            |url| match resolve(url, path, &self.base_path, &self.origin, &exists) {
                Resolved::Ok => false,
                Resolved::NeedsId { file, frag } if file == path => ids
                    .binary_search_by(|i| i.as_ref().cmp(frag.as_str()))
                    .is_err(),
                _ => true,
            },
        );
        scan.ids = ids;
    }
}

/// Resolves `.` and `..` segments; `None` if the path climbs above the root.
fn normalize(path: &str) -> Option<String> {
    let trailing = path.ends_with('/') || path.is_empty();
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut s = parts.join("/");
    if trailing && !s.is_empty() {
        s.push('/');
    }
    Some(s)
}

/// `<loc>` and `<link href>` of a sitemap or feed.
fn xml_urls(xml: &str) -> Vec<String> {
    let mut urls = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find("<loc>") {
        let after = &rest[i + 5..];
        if let Some(j) = after.find("</loc>") {
            urls.push(decode_entities(&after[..j]));
            rest = &after[j..];
        } else {
            break;
        }
    }
    urls
}

/// The URLs of an HTML document, as strings (for tests and tools).
pub fn urls_of(html: &str) -> Vec<String> {
    scan(html).urls.into_iter().map(String::from).collect()
}

/// A small HTML tokenizer: collects `id`/`name` attributes and the URLs of `href`, `src` and
/// meta refresh, skipping comments and the contents of `<script>` and `<style>`.
pub fn scan(html: &str) -> Scan {
    let mut ids: Vec<Box<str>> = Vec::new();
    let mut urls: Vec<Box<str>> = Vec::new();
    let b = html.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        if html[i..].starts_with("<!--") {
            i = html[i..].find("-->").map_or(b.len(), |j| i + j + 3);
            continue;
        }
        let start = i + 1;
        let mut j = start;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'-') {
            j += 1;
        }
        if j == start {
            i += 1;
            continue;
        }
        let tag = html[start..j].to_ascii_lowercase();
        // Attributes until '>'.
        let mut attrs: Vec<(String, String)> = Vec::new();
        let mut k = j;
        loop {
            while k < b.len() && (b[k].is_ascii_whitespace() || b[k] == b'/') {
                k += 1;
            }
            if k >= b.len() || b[k] == b'>' {
                break;
            }
            let ns = k;
            while k < b.len() && !b[k].is_ascii_whitespace() && !matches!(b[k], b'=' | b'>' | b'/')
            {
                k += 1;
            }
            let name = html[ns..k].to_ascii_lowercase();
            while k < b.len() && b[k].is_ascii_whitespace() {
                k += 1;
            }
            let mut value = String::new();
            if k < b.len() && b[k] == b'=' {
                k += 1;
                while k < b.len() && b[k].is_ascii_whitespace() {
                    k += 1;
                }
                if k < b.len() && (b[k] == b'"' || b[k] == b'\'') {
                    let q = b[k];
                    let vs = k + 1;
                    k = vs;
                    while k < b.len() && b[k] != q {
                        k += 1;
                    }
                    value = decode_entities(&html[vs..k.min(b.len())]);
                    k = (k + 1).min(b.len());
                } else {
                    let vs = k;
                    while k < b.len() && !b[k].is_ascii_whitespace() && b[k] != b'>' {
                        k += 1;
                    }
                    value = decode_entities(&html[vs..k]);
                }
            }
            if name.is_empty() {
                k += 1;
                continue;
            }
            attrs.push((name, value));
        }
        for (name, value) in &attrs {
            match name.as_str() {
                "id" => ids.push(value.as_str().into()),
                "name" if tag == "a" => ids.push(value.as_str().into()),
                "href" if matches!(tag.as_str(), "a" | "link" | "area") => {
                    let rel = attrs
                        .iter()
                        .find(|(n, _)| n == "rel")
                        .map(|(_, v)| v.as_str())
                        .unwrap_or("");
                    // Hints to other hosts are not requests for our files.
                    if !matches!(rel, "preconnect" | "dns-prefetch") {
                        urls.push(value.as_str().into());
                    }
                }
                "src"
                    if matches!(
                        tag.as_str(),
                        "img"
                            | "script"
                            | "iframe"
                            | "source"
                            | "audio"
                            | "video"
                            | "embed"
                            | "track"
                    ) =>
                {
                    urls.push(value.as_str().into())
                }
                "content" if tag == "meta" => {
                    let refresh = attrs
                        .iter()
                        .any(|(n, v)| n == "http-equiv" && v.eq_ignore_ascii_case("refresh"));
                    if refresh && let Some(p) = value.to_ascii_lowercase().find("url=") {
                        urls.push(value[p + 4..].trim().into());
                    }
                }
                _ => {}
            }
        }
        i = (k + 1).min(b.len());
        if tag == "script" || tag == "style" {
            let close = format!("</{tag}");
            let c = close.as_bytes();
            i = b[i..]
                .windows(c.len())
                .position(|w| w.eq_ignore_ascii_case(c))
                .map_or(b.len(), |j| i + j);
        }
    }
    ids.sort_unstable();
    ids.dedup();
    dedup_in_order(&mut urls);
    Scan { ids, urls }
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_ids_and_urls_but_not_script_or_comments() {
        let s = scan(
            "<a href=\"/x/?a=1&amp;b\" id=top>t</a><!-- <a href=\"/no\"> --><script>if(a<b){x='<img src=\"/no\">'}</script><img src='/i.png'><meta http-equiv=\"refresh\" content=\"0; url=/new/\">",
        );
        let urls: Vec<&str> = s.urls.iter().map(|u| u.as_ref()).collect();
        assert_eq!(urls, vec!["/x/?a=1&b", "/i.png", "/new/"]);
        assert!(s.has_id("top"));
    }

    #[test]
    fn normalizes_dot_segments() {
        assert_eq!(normalize("a/../b/").as_deref(), Some("b/"));
        assert_eq!(normalize("../x"), None);
    }
}
