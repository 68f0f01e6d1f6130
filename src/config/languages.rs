//! `languages:` in site.yaml (issue 20): the languages of a multilingual site, each with its
//! code, its name in that language, an optional title and description, and exactly one
//! default. Each entry is checked key by key, at its own line.
//!
//! The default language lives at the site root; every other one under `/CODE/`, its pages
//! written beside the originals as `page.CODE.md` (`link::i18n` places them). A site without
//! `languages:` is a single-language site in `language:`, as before.

use crate::error::Diagnostic;
use crate::yaml::Fields;
use serde::Serialize;

/// One language of a multilingual site.
#[derive(Debug, Clone, Serialize)]
pub struct Language {
    /// The BCP 47 tag: `en`, `vi`, `pt-BR`. The URL prefix of a non-default language.
    pub code: String,
    /// The language's name in itself (`Français`), shown in the language switcher.
    pub name: String,
    /// The site's title in this language (site.yaml's `title` otherwise).
    pub title: Option<String>,
    pub description: Option<String>,
    /// `rtl` or `ltr`: given, or known from the code (Arabic, Hebrew, Persian, Urdu ...).
    pub dir: &'static str,
    pub default: bool,
    /// This language's glossary (`glossary: {file, page}` in its entry): the terms file and
    /// the place of its page (`fr/glossary.md` for `glossary.fr.md`). Without one, its pages
    /// use the site's glossary.
    #[serde(skip)]
    pub glossary: Option<super::Glossary>,
}

const KEYS: &[&str] = &[
    "code",
    "name",
    "title",
    "description",
    "default",
    "dir",
    "glossary",
];

/// Scripts written right to left, by primary language subtag.
const RTL: &[&str] = &[
    "ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ps", "sd", "syr", "ug", "ur", "yi",
];

/// Whether a language tag's primary subtag is written right to left.
pub fn is_rtl(code: &str) -> bool {
    let primary = code.split('-').next().unwrap_or("").to_ascii_lowercase();
    RTL.contains(&primary.as_str())
}

/// Reads `languages:`: empty when absent (a single-language site).
pub(super) fn languages(
    root: &std::path::Path,
    fields: &Fields,
    text: &str,
    is_tag: fn(&str) -> bool,
    errors: &mut Vec<Diagnostic>,
) -> Vec<Language> {
    let list = match fields.raw("languages") {
        None | Some(serde_yaml::Value::Null) => return Vec::new(),
        Some(serde_yaml::Value::Sequence(s)) => s,
        Some(other) => {
            errors.push(
                fields
                    .error(
                        "languages",
                        format!(
                            "`languages` must be a list, found {}",
                            crate::yaml::kind(other)
                        ),
                    )
                    .hint("write `languages:` followed by entries such as `- { code: en, name: English, default: true }`"),
            );
            return Vec::new();
        }
    };
    let (first, _) = fields.locate("languages");
    // The lines of the block: the entries' keys are found there for their locations.
    let block: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .skip(first)
        .take_while(|(_, l)| l.trim().is_empty() || l.starts_with([' ', '\t', '-']))
        .map(|(i, l)| (i + 1, l))
        .collect();
    // The line of the `n`th entry (its `- ` line), else the `languages:` line.
    let entry_line = |n: usize| -> usize {
        let mut flow = false;
        let starts: Vec<usize> = block
            .iter()
            .filter(|(_, l)| {
                let t = l.trim_start();
                flow |= t.starts_with('[');
                t.starts_with('-')
            })
            .map(|(i, _)| *i)
            .collect();
        if flow {
            return first;
        }
        starts.get(n).copied().unwrap_or(first)
    };
    let at = |n: usize| Diagnostic::new("site.yaml", "").at_line(entry_line(n));
    let mut out: Vec<Language> = Vec::new();
    for (n, entry) in list.iter().enumerate() {
        let located = |message: String, hint: &str| {
            let mut d = at(n).hint(hint);
            d.message = message;
            d
        };
        let Some(map) = entry.as_mapping() else {
            errors.push(located(
                format!("entry {} of `languages` is not a mapping", n + 1),
                "each entry is a mapping such as `- { code: fr, name: Français }`",
            ));
            continue;
        };
        let mut code = None;
        let mut name = None;
        let mut title = None;
        let mut description = None;
        let mut dir = None;
        let mut default = false;
        let mut glossary = None;
        for (k, v) in map {
            let key = k.as_str().unwrap_or("?");
            let string = |what: &str, errors: &mut Vec<Diagnostic>| match v.as_str() {
                Some(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
                _ => {
                    errors.push(located(
                        format!("`languages` entry {}: `{key}` must be {what}", n + 1),
                        "write the value as a string, such as `name: Français`",
                    ));
                    None
                }
            };
            match key {
                "code" => code = string("a language code such as `fr`", errors),
                "name" => name = string("the language's name, such as `Français`", errors),
                "title" => title = string("a string", errors),
                "description" => description = string("a string", errors),
                "dir" => match v.as_str() {
                    Some("rtl") => dir = Some("rtl"),
                    Some("ltr") => dir = Some("ltr"),
                    _ => errors.push(located(
                        format!("`languages` entry {}: `dir` must be `rtl` or `ltr`", n + 1),
                        "leave `dir` out: it is known from the code for Arabic, Hebrew, Persian and Urdu",
                    )),
                },
                "glossary" => {
                    #[derive(serde::Deserialize)]
                    #[serde(deny_unknown_fields)]
                    struct Raw {
                        file: String,
                        page: String,
                    }
                    match serde_yaml::from_value::<Raw>(v.clone()) {
                        Ok(raw) => match super::read_glossary(root, &raw.file) {
                            Ok(entries) => glossary = Some((raw, entries)),
                            Err(d) => errors.push(d),
                        },
                        Err(_) => errors.push(located(
                            format!("`languages` entry {}: `glossary` must be a mapping with `file:` and `page:`", n + 1),
                            "write `glossary: {file: content/glossary.fr.yaml, page: glossary.fr.md}`",
                        )),
                    }
                }
                "default" => match v.as_bool() {
                    Some(b) => default = b,
                    None => errors.push(located(
                        format!(
                            "`languages` entry {}: `default` must be `true` or `false`",
                            n + 1
                        ),
                        "write `default: true` on the one language at the site root",
                    )),
                },
                _ => {
                    let hint = match crate::error::did_you_mean(key, KEYS) {
                        Some(near) => format!("did you mean `{near}`?"),
                        None => "known keys are `code`, `name`, `title`, `description`, `default` and `dir`".to_string(),
                    };
                    errors.push(located(
                        format!("unknown key `{key}` in `languages` entry {}", n + 1),
                        &hint,
                    ));
                }
            }
        }
        let Some(code) = code else {
            errors.push(located(
                format!("`languages` entry {} has no `code`", n + 1),
                "give every language a code such as `code: fr`",
            ));
            continue;
        };
        // The code becomes a folder of the output and a file-name suffix: only a tag passes.
        if !is_tag(&code) {
            errors.push(located(
                format!(
                    "`languages` entry {}: `{code}` is not a language code",
                    n + 1
                ),
                "use a BCP 47 tag such as `fr`, `vi` or `pt-BR` (letters, digits and `-`)",
            ));
            continue;
        }
        if out.iter().any(|l| l.code.eq_ignore_ascii_case(&code)) {
            errors.push(located(
                format!("language `{code}` is listed twice in `languages`"),
                "list each language once",
            ));
            continue;
        }
        if matches!(code.as_str(), "tags" | "assets" | "pagefind") {
            errors.push(located(
                format!("`{code}` cannot be a language code: the site uses /{code}/ itself"),
                "use a BCP 47 tag such as `fr`",
            ));
            continue;
        }
        let name = name.unwrap_or_else(|| {
            errors.push(located(
                format!("language `{code}` has no `name`"),
                "give the language's name in itself, such as `name: Français`",
            ));
            String::new()
        });
        let glossary = glossary.map(|(raw, entries)| {
            let page = raw.page.trim_start_matches("@/");
            // `glossary.fr.md` (the file) or `glossary.md` (the page it translates).
            let page = page
                .strip_suffix(&format!(".{code}.md"))
                .map_or(page.to_string(), |p| format!("{p}.md"));
            super::Glossary {
                file: std::path::PathBuf::from(&raw.file),
                page: if default {
                    page
                } else {
                    format!("{code}/{page}")
                },
                entries,
            }
        });
        out.push(Language {
            glossary,
            dir: dir.unwrap_or(if is_rtl(&code) { "rtl" } else { "ltr" }),
            code,
            name,
            title,
            description,
            default,
        });
    }
    let defaults = out.iter().filter(|l| l.default).count();
    if !out.is_empty() && defaults != 1 {
        errors.push(
            fields
                .error(
                    "languages",
                    if defaults == 0 {
                        "no language of `languages` is the default".to_string()
                    } else {
                        format!("{defaults} languages of `languages` say `default: true`")
                    },
                )
                .hint("mark exactly one language, the one at the site root, with `default: true`"),
        );
    }
    out
}

impl super::Config {
    /// The glossary of each language in `render`'s order (the default first), each its own or
    /// the site's; one entry on a single-language site.
    pub fn glossaries(&self) -> Vec<Option<&super::Glossary>> {
        if self.languages.is_empty() {
            return vec![self.glossary.as_ref()];
        }
        let default = self.languages.iter().filter(|l| l.default);
        default
            .chain(self.translated_languages())
            .map(|l| l.glossary.as_ref().or(self.glossary.as_ref()))
            .collect()
    }

    /// The languages other than the default, in site.yaml's order: each under `/CODE/`.
    pub fn translated_languages(&self) -> impl Iterator<Item = &Language> {
        self.languages.iter().filter(|l| !l.default)
    }
}

#[cfg(test)]
mod tests {
    use super::is_rtl;

    #[test]
    fn knows_right_to_left_scripts() {
        assert!(is_rtl("ar"));
        assert!(is_rtl("he-IL"));
        assert!(is_rtl("fa"));
        assert!(!is_rtl("fr"));
        assert!(!is_rtl("th"));
    }
}
