//! Internal links and anchors, checked after Markdown because they need every page's headings
//! (Zola's order too), and the whole output checked as a browser would see it.
//!
//! [`anchors`] (this file) checks each `page.md#anchor` written in Markdown against the ids of
//! the target page, with the line and column of the link. [`output()`] then checks every HTML
//! page that the build writes, including what templates produced: each internal `href` and
//! `src` must resolve to a file of this build under the base path, and each `#fragment` to an
//! id on that page. It catches a theme's broken asset path or a missing base path before a
//! reader does. [`Scanning`] is the sink that scans each page as it is rendered (with
//! [`crate::scan`]), so that a large site's HTML can leave memory at once.
//!
//! Verify imports the output types but not `render`: `lib` hands it the paths a build will
//! write and wraps the output's sink in [`Scanning`].

mod output;

pub use crate::scan::{scan, scan_file, urls_of};
pub use output::{Checker, Scanning, output, output_of};

use crate::config::Config;
use crate::error::{Diagnostic, did_you_mean};
use crate::ids::IdVec;
use crate::link::{NodeId, Site};
use crate::load::Content;
use crate::markdown::Rendered;
use std::collections::HashSet;

/// Checks every `#anchor` of every Markdown link against the target's heading ids.
pub fn anchors(
    content: &Content,
    site: &Site,
    rendered: &IdVec<NodeId, Option<Rendered>>,
    config: &Config,
) -> Vec<Diagnostic> {
    anchors_from(content, site, rendered, config, None)
}

/// [`anchors`] for the links of one page only (when only that page changed and its own
/// headings did not).
pub fn anchors_from(
    content: &Content,
    site: &Site,
    rendered: &IdVec<NodeId, Option<Rendered>>,
    config: &Config,
    only: Option<NodeId>,
) -> Vec<Diagnostic> {
    // Every language's glossary page (issue 20) has its terms' anchors.
    let glossary_ids: Vec<(NodeId, HashSet<&str>)> = config
        .glossaries()
        .into_iter()
        .flatten()
        .filter_map(|g| {
            let node = site.by_rel.get(&g.page)?;
            Some((*node, g.entries.iter().map(|e| e.id.as_str()).collect()))
        })
        .collect();
    let mut errors = Vec::new();
    for (id, r) in rendered.iter_enumerated() {
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
            // `#N%C3%BC` links to `{#Nü}`, as the output check and browsers decode it.
            let decoded = crate::markdown::percent_decode(&link.fragment);
            let frag = crate::markdown::escape_attr(&link.fragment);
            if target
                .ids
                .iter()
                .any(|i| *i == link.fragment || *i == frag || *i == decoded)
            {
                continue;
            }
            if glossary_ids
                .iter()
                .any(|(g, ids)| *g == link.target && ids.contains(link.fragment.as_str()))
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
            let d = Diagnostic::new(
                doc.shown(),
                format!("link to a missing anchor `#{}`{where_}", link.fragment),
            );
            // A build frees the sources before this check, keeping each link's position.
            let d = match link.line_col {
                Some((line, column)) => d.at(line, column),
                None => d.at_offset(&doc.text, link.offset, 1),
            };
            errors.push(d.hint(hint).broken_link());
        }
    }
    errors
}

/// Splits `diagnostics` into errors and warnings by the `links` policy: a broken link or
/// anchor is a warning where `links: warn` applies (site.yaml for the whole site, a section's
/// `_index.md` for its folder and below, the deepest setting winning); everything else stays
/// an error.
pub fn by_link_policy(
    diagnostics: Vec<Diagnostic>,
    content: &Content,
    config: &Config,
) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    use crate::config::LinkPolicy;
    use crate::load::Kind;
    // Section folders with their own setting, as `content/dir/` prefixes (`content/` for root).
    let mut scopes: Vec<(String, LinkPolicy)> = content
        .docs
        .iter()
        .filter(|d| d.kind == Kind::Section)
        .filter_map(|d| {
            let dir = d.dir();
            let prefix = if dir.is_empty() {
                "content/".to_string()
            } else {
                format!("content/{dir}/")
            };
            Some((prefix, d.front.links?))
        })
        .collect();
    if scopes.is_empty() && config.links == LinkPolicy::Error {
        return (diagnostics, Vec::new());
    }
    scopes.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    let policy = |d: &Diagnostic| {
        let path = d.path.to_string_lossy().replace('\\', "/");
        scopes
            .iter()
            .find(|(prefix, _)| path.starts_with(prefix.as_str()))
            .map_or(config.links, |(_, p)| *p)
    };
    diagnostics
        .into_iter()
        .partition(|d| !(d.link && policy(d) == LinkPolicy::Warn))
}
