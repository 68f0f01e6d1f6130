//! The reader's language in templates (issue 20): the theme's strings, the language of each
//! page, its translations and the language switcher.
//!
//! [`Strings`] holds every string the default theme prints, a file per language: the
//! embedded `src/theme/i18n/LANG.yaml` (English, Vietnamese, French, Indonesian, Thai and
//! Arabic) overridden key by key by the site's `i18n/LANG.yaml`; a language with neither
//! falls back to English. Templates reach them through the Tera function
//! `t(key="search_placeholder")` (with `{name}` placeholders filled from the other arguments,
//! and `_one`/`_other` forms picked by `n`), in the language of the page being rendered
//! (`lang_code` in its context; a component, which does not see that context, is given
//! `lang=lang_code` and passes it on as `t(lang=lang, key=...)`). [`insert`] puts `lang` (code, name, dir, title, home, feed)
//! and `translations` (the same page in every language, or that language's home, marked)
//! into each page's context; `link::i18n` decided which pages translate which.

use super::context::Urls;
use crate::config::Config;
use crate::error::{Diagnostic, fs};
use crate::link::{NodeId, Site};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

/// The theme's own strings, by language.
const BUILTIN: &[(&str, &str)] = &[
    ("en", include_str!("../theme/i18n/en.yaml")),
    ("vi", include_str!("../theme/i18n/vi.yaml")),
    ("fr", include_str!("../theme/i18n/fr.yaml")),
    ("id", include_str!("../theme/i18n/id.yaml")),
    ("th", include_str!("../theme/i18n/th.yaml")),
    ("ar", include_str!("../theme/i18n/ar.yaml")),
];

/// The strings the search box and the code-copy button need in the browser.
const SCRIPT_KEYS: &[&str] = &[
    "search_results",
    "filter_section",
    "filter_tag",
    "filter_any",
    "no_results",
    "no_results_for",
    "results_one",
    "results_other",
    "results_for_one",
    "results_for_other",
    "show_more",
    "search_unavailable",
    "copy",
    "copied",
    "copy_failed",
    "code_copied",
    "code_not_copied",
    "theme_to_light",
    "theme_to_dark",
    "dark_theme",
    "table",
    "table_scrolls",
];

/// Every language's strings, English filling what a language lacks.
#[derive(Debug, Default)]
pub struct Strings {
    by_lang: HashMap<String, BTreeMap<String, String>>,
    english: BTreeMap<String, String>,
}

fn parse_builtin(text: &str) -> BTreeMap<String, String> {
    serde_yaml::from_str(text).expect("the theme's string files are valid YAML mappings")
}

impl Strings {
    /// The strings of the site's languages: built in, then the site's `i18n/LANG.yaml`.
    pub fn load(root: &Path, config: &Config) -> Result<Strings, Vec<Diagnostic>> {
        let english = parse_builtin(BUILTIN[0].1);
        let known: Vec<&str> = english.keys().map(String::as_str).collect();
        let mut codes: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
        if codes.is_empty() {
            codes.push(&config.language);
        }
        let mut errors = Vec::new();
        let mut by_lang = HashMap::new();
        for code in codes {
            let mut table = BUILTIN
                .iter()
                .find(|(c, _)| c.eq_ignore_ascii_case(code) || code.starts_with(&format!("{c}-")))
                .map(|(_, t)| parse_builtin(t))
                .unwrap_or_default();
            let shown = Path::new("i18n").join(format!("{code}.yaml"));
            let file = root.join(&shown);
            if file.is_file() {
                match fs::read_to_string(&file, &shown) {
                    Ok(text) => {
                        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
                        match crate::yaml::Fields::parse(text, &shown, 1) {
                            Ok(fields) => {
                                fields.check_known(
                                    &known,
                                    &shown.display().to_string(),
                                    &mut errors,
                                );
                                for key in &known {
                                    if let Some(v) =
                                        fields.get::<String>(key, "a string", &mut errors)
                                    {
                                        table.insert(key.to_string(), v);
                                    }
                                }
                            }
                            Err(d) => errors.push(d),
                        }
                    }
                    Err(d) => errors.push(d),
                }
            }
            by_lang.insert(code.to_string(), table);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Strings { by_lang, english })
    }

    /// The string `key` in `lang`, English where the language has none.
    pub fn get(&self, lang: &str, key: &str) -> Option<&str> {
        self.by_lang
            .get(lang)
            .and_then(|t| t.get(key))
            .or_else(|| self.english.get(key))
            .map(String::as_str)
    }

    /// The script strings of `lang` as JSON, or `` when they are the English ones the scripts
    /// already hold (so that an English page does not carry them).
    fn script_json(&self, lang: &str) -> String {
        let map: BTreeMap<&str, &str> = SCRIPT_KEYS
            .iter()
            .filter_map(|k| Some((*k, self.get(lang, k)?)))
            .collect();
        let english = SCRIPT_KEYS
            .iter()
            .all(|k| self.english.get(*k).map(String::as_str) == map.get(k).copied());
        if english {
            String::new()
        } else {
            serde_json::to_string(&map).unwrap_or_default()
        }
    }
}

/// Registers `t(key=..., name=value...)` and `t_script()` (the script strings as JSON).
pub fn register(tera: &mut tera::Tera, strings: Arc<Strings>, default: String) {
    let s = strings.clone();
    let d = default.clone();
    tera.register_function(
        "t",
        move |kwargs: tera::Kwargs, state: &tera::State| -> tera::TeraResult<String> {
            let key: String = kwargs.must_get("key")?;
            // Components do not see the page's context: the default theme's pass `lang`.
            let given: Option<String> = kwargs.get("lang").ok().flatten();
            let lang: String = given
                .filter(|l| !l.is_empty())
                .or_else(|| state.get("lang_code").ok().flatten())
                .unwrap_or(d.clone());
            let n: Option<i64> = kwargs.get("n").ok().flatten();
            let form = match n {
                Some(1) => format!("{key}_one"),
                Some(_) => format!("{key}_other"),
                None => key.clone(),
            };
            let text = s
                .get(&lang, &form)
                .or_else(|| s.get(&lang, &key))
                .ok_or_else(|| {
                    tera::Error::message(format!(
                        "t: no theme string `{key}` (the keys are those of src/theme/i18n/en.yaml)"
                    ))
                })?;
            let mut out = text.to_string();
            for (k, v) in kwargs.iter() {
                let name = k.to_string();
                if name != "key" && name != "lang" {
                    let value = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                    out = out.replace(&format!("{{{name}}}"), &value);
                }
            }
            Ok(out)
        },
    );
    tera.register_function(
        "t_script",
        move |_: tera::Kwargs, state: &tera::State| -> tera::TeraResult<String> {
            let lang: String = state
                .get("lang_code")
                .ok()
                .flatten()
                .unwrap_or(default.clone());
            Ok(strings.script_json(&lang))
        },
    );
}

/// A language as templates see it.
#[derive(Serialize, Debug, Clone)]
pub struct LangView {
    pub code: String,
    pub name: String,
    pub dir: &'static str,
    pub title: String,
    pub description: Option<String>,
    /// The language's home (`/fr/`) and Atom feed (`/fr/atom.xml`).
    pub home: String,
    pub feed: String,
    pub default: bool,
}

/// Each language, in `Langs` order (the default first); one on a single-language site.
pub fn lang_views(config: &Config) -> Vec<LangView> {
    if config.languages.is_empty() {
        return vec![LangView {
            code: config.language.clone(),
            name: String::new(),
            dir: if crate::config::is_rtl(&config.language) {
                "rtl"
            } else {
                "ltr"
            },
            title: config.title.clone(),
            description: config.description.clone(),
            home: config.base_path.clone(),
            feed: format!("{}atom.xml", config.base_path),
            default: true,
        }];
    }
    let default = config.languages.iter().filter(|l| l.default);
    default
        .chain(config.translated_languages())
        .map(|l| {
            let prefix = if l.default {
                String::new()
            } else {
                format!("{}/", l.code)
            };
            LangView {
                code: l.code.clone(),
                name: l.name.clone(),
                dir: l.dir,
                title: l.title.clone().unwrap_or_else(|| config.title.clone()),
                description: l.description.clone().or_else(|| config.description.clone()),
                home: format!("{}{prefix}", config.base_path),
                feed: format!("{}{prefix}atom.xml", config.base_path),
                default: l.default,
            }
        })
        .collect()
}

/// The entries of each language's own glossary (`None` for one that uses the site's), in
/// [`lang_views`]' order.
pub fn own_glossaries(config: &Config) -> Vec<Option<Vec<crate::config::GlossaryEntry>>> {
    let default = config.languages.iter().filter(|l| l.default);
    default
        .chain(config.translated_languages())
        .map(|l| l.glossary.as_ref().map(|g| g.entries.clone()))
        .collect()
}

/// One entry of the language switcher (and, when translated, of the hreflang links).
#[derive(Serialize)]
pub struct Translation<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub url: &'a str,
    pub permalink: String,
    /// The page exists in this language; else `url` is the language's home.
    pub translated: bool,
    /// Listed as an hreflang alternate: translated, and the page has another language.
    pub hreflang: bool,
    pub current: bool,
    pub default: bool,
}

/// `lang`, `lang_code` and `translations` of a page (`current`), or of a page without a node
/// (tag pages, 404) at the URL `here`.
pub fn insert(
    ctx: &mut tera::Context,
    site: &Site,
    urls: &Urls,
    current: Option<NodeId>,
    here: &str,
) {
    let lang = match (current, &site.langs) {
        (Some(id), _) => site.lang_of(id),
        (None, Some(l)) => l.lang_of_path(here.strip_prefix(urls.base_path()).unwrap_or(here)),
        (None, None) => 0,
    };
    let view = &urls.langs[lang];
    // A language with a glossary of its own lists that one (the site's is global).
    if let Some(Some(entries)) = urls.glossaries.get(lang) {
        ctx.insert("glossary", entries);
    }
    ctx.insert("lang", view);
    ctx.insert("lang_code", &view.code);
    ctx.insert("lang_dir", view.dir);
    let Some(langs) = &site.langs else {
        ctx.insert("translations", &[] as &[Translation]);
        return;
    };
    let variants = current.and_then(|id| langs.variants(id));
    let list: Vec<Translation> = urls
        .langs
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let page = variants.and_then(|v| v[i]);
            let url = page.map_or(l.home.as_str(), |p| urls.url[p].as_str());
            Translation {
                code: &l.code,
                name: &l.name,
                url,
                permalink: urls.permalink(url),
                translated: page.is_some(),
                hreflang: page.is_some()
                    && variants.is_some_and(|v| v.iter().flatten().count() > 1),
                current: i == lang,
                default: l.default,
            }
        })
        .collect();
    ctx.insert("translations", &list);
}

/// The `<xhtml:link rel="alternate">` lines of a node's sitemap entry: every language it is
/// translated into, itself included, and `x-default` (Google's form); none for a page
/// without translations.
pub fn sitemap_alternates(site: &Site, urls: &Urls, id: NodeId) -> String {
    let Some(variants) = site.langs.as_ref().and_then(|l| l.variants(id)) else {
        return String::new();
    };
    if variants.iter().flatten().count() < 2 {
        return String::new();
    }
    let mut s = String::new();
    let line = |s: &mut String, code: &str, node: NodeId| {
        s.push_str(&format!(
            "    <xhtml:link rel=\"alternate\" hreflang=\"{code}\" href=\"{}\"/>\n",
            super::site_files::xml_escape(&urls.permalink(&urls.url[node]))
        ));
    };
    for (i, v) in variants.iter().enumerate() {
        if let Some(node) = *v {
            line(&mut s, &urls.langs[i].code, node);
        }
    }
    if let Some(node) = variants[0] {
        line(&mut s, "x-default", node);
    }
    s
}

/// The language folders (`` and `fr/`) that have tags: each gets its own tag list.
pub(super) fn tag_prefixes(site: &Site) -> impl Iterator<Item = String> + '_ {
    let mut seen: Vec<&str> = site.tags.iter().map(|t| t.prefix.as_str()).collect();
    seen.sort();
    seen.dedup();
    seen.into_iter().map(str::to_string)
}
