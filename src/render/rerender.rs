//! Rendering again a part of the site for `serve`: what shows one page's body, found by the
//! page, its parent's listing (every pager of it), its tags' pages and the pages whose
//! templates read it with `get_page`. The full render is in `mod.rs`.

use super::context::Urls;
use super::site_files::atom;
use super::{
    Input, Templates, pagers_of_node, pagers_of_term, render_node, render_not_found,
    render_taxonomy, render_term,
};
use crate::error::Diagnostic;
use crate::link::{NodeId, TagId};
use crate::output::{Data, Origin, OutFile, Output};
use rayon::prelude::*;
use std::collections::HashMap;

/// Renders again what shows one page's body: the page, its parent's listing, its tags' pages
/// (they show its reading time), the feed when its summary changed, and every page whose
/// template read it with `get_page`. Used by `serve` when only that page's body changed; the
/// navigation, prev/next and every other page stay as they are. Replaces the files in `output`
/// and returns the paths whose bytes changed, or `None` when a reader of the page cannot be
/// found again (then only a full build is sure to be right).
pub fn rerender_page(
    input: &Input,
    templates: &Templates,
    output: &mut Output,
    id: NodeId,
    summary_changed: bool,
) -> Option<Result<Vec<String>, Vec<Diagnostic>>> {
    let urls = Urls::new(input);
    let site = input.site;
    let mut targets: Vec<Target> = vec![Target::Node(id)];
    targets.extend(site.nodes[id].parent.map(Target::Node));
    targets.extend(site.nodes[id].tags.iter().map(|&t| Target::Term(t)));
    if let Some(doc) = site.nodes[id].doc {
        let readers = templates.readers_of(&input.content.docs[doc].rel);
        if !readers.is_empty() {
            let by_url = targets_by_url(input, &urls);
            for url in readers {
                targets.push(*by_url.get(&url)?);
            }
        }
    }
    targets.sort();
    targets.dedup();
    let mut made: Vec<Result<(String, OutFile), Diagnostic>> = targets
        .par_iter()
        .map(|&t| render_target(t, input, templates, &urls))
        .collect::<Vec<_>>()
        .into_iter()
        .flat_map(|r| match r {
            Ok(files) => files.into_iter().map(Ok).collect(),
            Err(d) => vec![Err(d)],
        })
        .collect();
    // The feed shows the summary, not the body.
    if summary_changed {
        // The feed of the page's language (issue 20).
        let lang = site.lang_of(id);
        let feed = match lang {
            0 => "atom.xml".to_string(),
            l => format!("{}/atom.xml", urls.langs[l].code),
        };
        made.push(Ok((
            feed,
            OutFile::new(
                Data::Bytes(atom(input, &urls, lang).into_bytes()),
                Origin::Generated("mekong"),
            ),
        )));
    }
    let mut errors = Vec::new();
    let mut changed = Vec::new();
    for m in made {
        match m.and_then(|(path, file)| Ok((path.clone(), output.sink.take(&path, file)?))) {
            Ok((path, file)) => {
                let same = matches!((output.files.get(&path).map(|f| &f.data), &file.data), (Some(Data::Bytes(a)), Data::Bytes(b)) if a == b);
                if !same {
                    changed.push(path.clone());
                }
                output.files.insert(path, file);
            }
            Err(d) => errors.push(d),
        }
    }
    Some(if errors.is_empty() {
        Ok(changed)
    } else {
        Err(errors)
    })
}

/// Something render can make on its own: a page or section, a tag's page, the tag list or
/// the 404 page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    Node(NodeId),
    Term(TagId),
    Taxonomy,
    NotFound,
}

fn render_target(
    target: Target,
    input: &Input,
    templates: &Templates,
    urls: &Urls,
) -> Result<Vec<(String, OutFile)>, Diagnostic> {
    match target {
        Target::Node(id) => render_node(id, input, templates, urls),
        Target::Term(t) => render_term(t, input, templates, urls),
        Target::Taxonomy => render_taxonomy(input, templates, urls, "").map(|f| vec![f]),
        Target::NotFound => render_not_found(input, templates, urls).map(|f| vec![f]),
    }
}

/// What each `current_url` of this build renders (every pager of a listing too).
fn targets_by_url(input: &Input, urls: &Urls) -> HashMap<String, Target> {
    use super::paginate::pager_url;
    let mut by_url: HashMap<String, Target> = HashMap::new();
    for id in input.site.nodes.ids() {
        for n in 1..=pagers_of_node(input, id) {
            by_url.insert(pager_url(&urls.url[id], n), Target::Node(id));
        }
    }
    if !input.site.tags.is_empty() {
        for t in input.site.tags.ids() {
            for n in 1..=pagers_of_term(input, t) {
                by_url.insert(pager_url(&urls.tag_url[t], n), Target::Term(t));
            }
        }
        by_url.insert(urls.tags_url.clone(), Target::Taxonomy);
    }
    by_url.insert(urls.not_found_url.clone(), Target::NotFound);
    by_url
}
