//! Page bundles (issue 18), as Zola and Hugo have them: `topics/trade/index.md` is the page
//! `/topics/trade/` when it is the only Markdown file in or below its folder, and the folder's
//! other files are its assets. `link` places the page and its assets with this list.

use crate::load::{Content, DocId, Kind};
use std::collections::HashMap;

/// The folders of page bundles (issue 18), with their `index.md`: a folder below the content
/// root whose only Markdown file, at any depth, is its own `index.md` (and no `_index.md`).
pub(super) fn bundle_dirs(content: &Content) -> HashMap<String, DocId> {
    let mut markdown_below: HashMap<&str, usize> = HashMap::new();
    for doc in &content.docs {
        let mut d = doc.dir();
        while !d.is_empty() {
            *markdown_below.entry(d).or_default() += 1;
            d = d.rsplit_once('/').map_or("", |(p, _)| p);
        }
    }
    content
        .docs
        .iter_enumerated()
        .filter(|(_, doc)| {
            doc.kind == Kind::Page
                && doc.rel.ends_with("/index.md")
                && markdown_below.get(doc.dir()) == Some(&1)
        })
        .map(|(i, doc)| (doc.dir().to_string(), i))
        .collect()
}
