//! Structured data for search engines (issue 19): a JSON-LD block per page, `WebSite` on the
//! home page and, on every other page and section, an `@graph` of its `Article` and its
//! `BreadcrumbList`.
//!
//! Render calls [`for_node`] and puts the result in the page's context as `json_ld`; the theme
//! writes it inside `<script type="application/ld+json">`. Schema.org wants absolute URLs, so
//! with a base URL that is only a path the block carries no URLs and no breadcrumbs (the build
//! warns about that once, see `config::relative_base_warning`). The text is JSON made by
//! serde_json, then made safe inside a script element: `<`, `>` and `&` become `\u003c`,
//! `\u003e` and `\u0026` (still the same JSON), so no `</script>` or `<!--` can end or change
//! the element, whatever a title says.

use super::Input;
use super::context::Urls;
use crate::link::{NodeId, ROOT};
use serde_json::{Value, json};

/// The JSON-LD of node `id`, ready to put between the script tags.
pub fn for_node(input: &Input, urls: &Urls, id: NodeId) -> String {
    let (config, site) = (input.config, input.site);
    let node = &site.nodes[id];
    let front = node.doc.map(|i| &input.content.docs[i].front);
    let absolute = !urls.origin.is_empty();
    let link = |url: &str| absolute.then(|| urls.permalink(url));
    // The page's language's home, title and description (issue 20).
    let lang = site.lang_of(id);
    let view = &urls.langs[lang];
    let root = site.langs.as_ref().map_or(ROOT, |l| l.roots[lang]);
    let description = front
        .and_then(|f| f.description.as_deref())
        .or(view.description.as_deref());
    let mut doc = if id == root {
        json!({
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": view.title,
            "inLanguage": view.code,
        })
    } else {
        json!({
            "@context": "https://schema.org",
            "@type": "Article",
            "headline": node.title,
            "inLanguage": view.code,
            "isPartOf": {"@type": "WebSite", "name": view.title},
        })
    };
    let obj = doc.as_object_mut().expect("a JSON object literal");
    if let Some(d) = description {
        obj.insert("description".into(), d.into());
    }
    if let Some(u) = link(&urls.url[id]) {
        obj.insert("url".into(), u.clone().into());
        if id != root {
            obj.insert("mainEntityOfPage".into(), u.into());
            if let Some(home) = link(&urls.url[root]) {
                obj["isPartOf"]["url"] = home.into();
            }
        }
    }
    if id != root {
        if let Some(a) = &config.author {
            obj.insert("author".into(), json!({"@type": "Organization", "name": a}));
        }
        if let Some(d) = front.and_then(|f| f.date.as_deref()) {
            obj.insert("datePublished".into(), d.into());
        }
        if let Some(d) = front.and_then(|f| f.updated.as_deref().or(f.date.as_deref())) {
            obj.insert("dateModified".into(), d.into());
        }
        if absolute {
            let mut trail = site.ancestors(id);
            trail.push(id);
            let items: Vec<Value> = trail
                .iter()
                .enumerate()
                .map(|(i, &n)| {
                    json!({
                        "@type": "ListItem",
                        "position": i + 1,
                        "name": site.nodes[n].title,
                        "item": urls.permalink(&urls.url[n]),
                    })
                })
                .collect();
            // Schema.org puts breadcrumbs on the page, not the article: one graph of both.
            obj.remove("@context");
            doc = json!({
                "@context": "https://schema.org",
                "@graph": [doc, {"@type": "BreadcrumbList", "itemListElement": items}],
            });
        }
    }
    script_safe(&doc.to_string())
}

/// JSON that can stand inside a `<script>` element: the same value, with no `<`, `>` or `&`.
pub fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::script_safe;

    #[test]
    fn script_safe_json_cannot_close_the_script_and_parses_to_the_same_value() {
        let v = serde_json::json!({"headline": "a </script><script>alert(1)</script> & <!-- b"});
        let safe = script_safe(&v.to_string());
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        assert_eq!(serde_json::from_str::<serde_json::Value>(&safe).unwrap(), v);
    }
}
