//! Translations (issue 20): where each language's pages go, and which pages are one page in
//! several languages.
//!
//! [`place`] runs between `load` and `link`: a translation `a/b.fr.md` (or `a/_index.fr.md`)
//! takes the place `fr/a/b.md` in the docs, so that `link` builds the French tree, its URLs
//! (`/fr/a/b/`), sections, reading order and tags with the code it has for one language; the
//! `fr` section is a root of its own (no parent), so the default language's navigation never
//! shows it. The doc keeps its own file in [`Doc::source`] for messages, edit links and git
//! dates. Only codes declared in `languages:` are languages, so `v1.2.md` stays a page; a
//! suffix that looks like an undeclared language (`page.de.md`) is an error, as is a
//! translation without its original and a real `content/fr/` folder where the French tree goes.
//!
//! After `link`, [`Langs`] joins the pages of the languages by their default-language path
//! (for hreflang, the switcher and sitemaps), and [`Site::localize`] sends a translated
//! page's links to the same language's page when there is one.

use super::{NodeId, ROOT, Site};
use crate::config::Config;
use crate::error::Diagnostic;
use crate::load::{Content, Doc, Kind, looks_like_language};
use std::collections::{HashMap, HashSet};

/// The languages of a linked multilingual site.
#[derive(Debug, Clone, Default)]
pub struct Langs {
    /// Index 0 is the default language, then the others in site.yaml's order.
    pub codes: Vec<String>,
    /// The home of each language's tree; `roots[0]` is [`ROOT`].
    pub roots: Vec<NodeId>,
    /// Every page and section in each language, by its default-language content path.
    pub groups: Vec<Vec<Option<NodeId>>>,
    /// The group of each node.
    pub group_of: HashMap<NodeId, usize>,
}

impl Langs {
    /// The language (index into `codes`) of a node, from its URL path.
    pub fn lang_of(&self, site: &Site, id: NodeId) -> usize {
        self.lang_of_path(&site.nodes[id].path)
    }

    /// The language of a URL path below the base path (`fr/a/`, `tags/`).
    pub fn lang_of_path(&self, path: &str) -> usize {
        self.codes
            .iter()
            .enumerate()
            .skip(1)
            .find(|(_, c)| {
                path.strip_prefix(c.as_str())
                    .is_some_and(|r| r.is_empty() || r.starts_with('/'))
            })
            .map_or(0, |(i, _)| i)
    }

    /// The same page in every language (`None` where it is not translated).
    pub fn variants(&self, id: NodeId) -> Option<&[Option<NodeId>]> {
        self.group_of.get(&id).map(|&g| self.groups[g].as_slice())
    }
}

/// The language suffix of a Markdown path: `a/b.fr.md` is (`a/b.md`, `fr`).
fn split_suffix(rel: &str) -> Option<(String, &str)> {
    let stem = rel.strip_suffix(".md")?;
    let (dir, name) = stem.rsplit_once('/').map_or(("", stem), |(d, n)| (d, n));
    let (base, code) = name.rsplit_once('.')?;
    if base.is_empty() || code.is_empty() {
        return None;
    }
    let original = if dir.is_empty() {
        format!("{base}.md")
    } else {
        format!("{dir}/{base}.md")
    };
    Some((original, code))
}

/// Places every translation under its language's folder (see the module doc). Docs that
/// cannot be placed are dropped, with an error naming their file, and marked failed.
pub fn place(content: &mut Content, config: &Config) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let Some(default) = config.languages.iter().find(|l| l.default) else {
        // Without `languages:`, `_index.fr.md` would be a second section for its folder.
        let (bad, docs): (Vec<Doc>, Vec<Doc>) = std::mem::take(&mut content.docs)
            .into_vec()
            .into_iter()
            .partition(|d| {
                d.kind == Kind::Section && d.rel.rsplit('/').next().is_none_or(|n| n != "_index.md")
            });
        for doc in bad {
            errors.push(
                Diagnostic::new(
                    doc.shown(),
                    "a section's translation, but site.yaml declares no `languages:`",
                )
                .hint(
                    "list the site's languages under `languages:` in site.yaml, or rename the file",
                ),
            );
            content.failed.insert(doc.rel);
        }
        content.docs = docs.into();
        return errors;
    };
    content.default_language = default.code.clone();
    content.translated = config
        .translated_languages()
        .map(|l| {
            let title = l.title.clone().unwrap_or_else(|| config.title.clone());
            (l.code.clone(), title)
        })
        .collect();
    let codes: Vec<&str> = content.translated.iter().map(|(c, _)| c.as_str()).collect();
    let known = |c: &str| codes.contains(&c);
    // The originals (and the folders that hold one): what translations may translate.
    let mut originals: HashSet<String> = content.drafts.iter().cloned().collect();
    let mut folders: HashSet<String> = HashSet::from([String::new()]);
    for doc in &content.docs {
        let translation = split_suffix(&doc.rel)
            .is_some_and(|(_, c)| known(c) || c == default.code || looks_like_language(c));
        if !translation {
            originals.insert(doc.rel.clone());
            let mut d = doc.dir();
            loop {
                folders.insert(d.to_string());
                match d.rsplit_once('/') {
                    Some((p, _)) => d = p,
                    None if !d.is_empty() => d = "",
                    None => break,
                }
            }
        }
    }
    let docs = std::mem::take(&mut content.docs).into_vec();
    let mut kept: Vec<Doc> = Vec::with_capacity(docs.len());
    for mut doc in docs {
        let shown = doc.shown();
        let first = doc.rel.split('/').next().unwrap_or("");
        if doc.rel.contains('/') && known(first) {
            errors.push(
                Diagnostic::new(&shown, format!("content/{first}/ is where the pages translated into `{first}` are built"))
                    .hint(format!("put a translation beside its original as `page.{first}.md`, or rename the folder")),
            );
            content.failed.insert(doc.rel);
            continue;
        }
        let Some((original, code)) = split_suffix(&doc.rel).map(|(o, c)| (o, c.to_string())) else {
            kept.push(doc);
            continue;
        };
        let code = code.as_str();
        let problem = if code == default.code {
            Some((
                format!("`.{code}` is the default language, whose pages take no suffix"),
                format!("rename it to content/{original}"),
            ))
        } else if !known(code) {
            looks_like_language(code).then(|| {
                (
                    format!("`{code}` is not a language of this site"),
                    format!("add `{code}` to `languages:` in site.yaml, or rename the file if `.{code}` is not a language code"),
                )
            })
        } else if !(originals.contains(&original)
            || (original.ends_with("_index.md")
                && folders.contains(original.trim_end_matches("_index.md").trim_end_matches('/'))))
        {
            Some((
                format!("translation without an original: there is no content/{original}"),
                format!(
                    "write the page in the default language (`{}`) as content/{original} first, or fix the file name",
                    default.code
                ),
            ))
        } else {
            None
        };
        if let Some((message, hint)) = problem {
            errors.push(Diagnostic::new(&shown, message).hint(hint));
            content.failed.insert(doc.rel);
            continue;
        }
        if !known(code) {
            kept.push(doc);
            continue;
        }
        doc.source = Some(std::mem::replace(
            &mut doc.rel,
            format!("{code}/{original}"),
        ));
        kept.push(doc);
    }
    kept.sort_by(|a, b| a.rel.cmp(&b.rel));
    content.docs = kept.into();
    errors
}

/// Joins the languages' pages by default-language path, once `link` has placed them.
pub(super) fn langs(site: &Site, content: &Content) -> Option<Langs> {
    if content.translated.is_empty() && content.default_language.is_empty() {
        return None;
    }
    let mut codes = vec![content.default_language.clone()];
    codes.extend(content.translated.iter().map(|(c, _)| c.clone()));
    let mut langs = Langs {
        roots: vec![ROOT; codes.len()],
        codes,
        ..Langs::default()
    };
    let mut by_base: HashMap<&str, usize> = HashMap::new();
    // Sorted, so that the groups (and so the output) do not depend on hash order.
    let mut rels: Vec<(&String, &NodeId)> = site.by_rel.iter().collect();
    rels.sort();
    for (rel, &id) in rels {
        let lang = langs.lang_of(site, id);
        let base = if lang == 0 {
            rel.as_str()
        } else {
            &rel[langs.codes[lang].len() + 1..]
        };
        if lang > 0 && base == "_index.md" {
            langs.roots[lang] = id;
        }
        let g = *by_base.entry(base).or_insert_with(|| {
            langs.groups.push(vec![None; langs.codes.len()]);
            langs.groups.len() - 1
        });
        langs.groups[g][lang] = Some(id);
        langs.group_of.insert(id, g);
    }
    Some(langs)
}

/// Where a link written in a translated page goes.
pub struct Localized {
    /// The content path to look up.
    pub rel: String,
    /// The page has no translation in the writer's language: the link goes to the default
    /// language's page (a warning).
    pub fell_back: bool,
}

impl Site {
    /// A link from `from` (a doc's place, `fr/a.md`) to the resolved content path `rel`:
    /// `@/b.md` and `b.md` go to `fr/b.md` when it exists, else to `b.md` (marked as a
    /// fallback for a page); `@/b.de.md` names the German page (`de/b.md`); assets are shared
    /// by every language. On a single-language site, `rel` is returned as it is.
    pub fn localize(&self, from: &str, rel: String) -> Localized {
        let Some(langs) = &self.langs else {
            return Localized {
                rel,
                fell_back: false,
            };
        };
        let plain = |rel: String| Localized {
            rel,
            fell_back: false,
        };
        let here = langs.lang_of_path(from);
        let (own, base) = match langs.lang_of_path(&rel) {
            0 => (0, rel.as_str()),
            l => (l, &rel[langs.codes[l].len() + 1..]),
        };
        // Named explicitly: `b.fr.md`, `b.en.md` (the default language).
        if let Some((original, code)) = split_suffix(base)
            && let Some(l) = langs.codes.iter().position(|c| c == code)
        {
            return plain(if l == 0 {
                original
            } else {
                format!("{code}/{original}")
            });
        }
        if here == 0 && own == 0 {
            return plain(rel);
        }
        let lang = if own > 0 { own } else { here };
        let candidate = format!("{}/{base}", langs.codes[lang]);
        if self.node_for(&candidate).is_some() {
            return plain(candidate);
        }
        let base = base.to_string();
        if self.node_for(&base).is_some() {
            return Localized {
                rel: base,
                fell_back: true,
            };
        }
        plain(base)
    }

    /// The language of a node (0, the default, on a single-language site).
    pub fn lang_of(&self, id: NodeId) -> usize {
        self.langs.as_ref().map_or(0, |l| l.lang_of(self, id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_language_suffixes() {
        assert_eq!(split_suffix("a/b.fr.md"), Some(("a/b.md".into(), "fr")));
        assert_eq!(
            split_suffix("_index.ar.md"),
            Some(("_index.md".into(), "ar"))
        );
        assert_eq!(split_suffix("v1.2.md"), Some(("v1.md".into(), "2")));
        assert_eq!(split_suffix("b.md"), None);
        assert_eq!(split_suffix(".fr.md"), None);
    }

    #[test]
    fn only_language_shaped_suffixes_look_like_languages() {
        assert!(looks_like_language("de"));
        assert!(looks_like_language("pt-BR"));
        assert!(looks_like_language("zh-Hant"));
        assert!(!looks_like_language("2"));
        assert!(!looks_like_language("draft"));
        assert!(!looks_like_language("DE"));
    }
}
