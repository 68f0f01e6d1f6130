//! Tag checks after linking: one spelling per tag (and language).

use super::Site;
use crate::error::Diagnostic;
use crate::load::Content;
use std::collections::HashMap;

/// A tag is titled as it is first written, in reading order ("Vietnam"); a page that spells
/// the same tag (the same URL) otherwise ("vietnam") gets a warning naming the spelling in use,
/// so the tag page's title never depends on which page happened to come first unnoticed
/// (issue 19).
pub fn tag_spelling_warnings(content: &Content, site: &Site) -> Vec<Diagnostic> {
    let by_slug: HashMap<(&str, &str), &str> = site
        .tags
        .iter()
        .map(|t| ((t.prefix.as_str(), t.slug.as_str()), t.name.as_str()))
        .collect();
    let mut out = Vec::new();
    for &id in &site.order {
        let Some(i) = site.nodes[id].doc else {
            continue;
        };
        let doc = &content.docs[i];
        let prefix = site
            .langs
            .as_ref()
            .map_or(String::new(), |l| match l.lang_of(site, id) {
                0 => String::new(),
                n => format!("{}/", l.codes[n]),
            });
        for name in &doc.front.tags {
            let slug = slug::slugify(name);
            if let Some(&first) = by_slug.get(&(prefix.as_str(), slug.as_str()))
                && first != name
            {
                out.push(Diagnostic::new(
                    doc.shown(),
                    format!("tag `{name}` is spelled `{first}` on an earlier page; the tag page is titled `{first}`"),
                )
                .hint(format!("write the tag as `{first}` everywhere (tags are titled as first written, in reading order)")));
            }
        }
    }
    out
}
