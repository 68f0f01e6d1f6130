//! Heading ids: a slug of the heading's text or its explicit `{#id}`, unique on the page and
//! never one the theme or the footnotes use (issue 13).
//!
//! Every page starts with the theme's ids taken ([`crate::theme::RESERVED_IDS`]): `## Search`
//! gets `search-1`, not the search form's `search`. Automatic ids never start with a reserved
//! prefix ([`crate::theme::RESERVED_ID_PREFIXES`], such as the footnotes' `fn-` and `fnref-`):
//! `## Fn 1` gets `h-fn-1`, so a heading and a footnote can never share an id. An explicit id
//! that is taken or reserved is an error the event loop reports at the heading. The output
//! check (`verify`) then rejects any id used twice in a finished page, templates included.

use crate::config::HeadingIdRule;
use crate::theme::{RESERVED_ID_PREFIXES, RESERVED_IDS};
use std::collections::HashSet;

/// The ids already taken on a page.
pub(super) struct HeadingIds {
    used: HashSet<String>,
    rule: HeadingIdRule,
}

/// Why an explicit `{#id}` cannot be used as it is.
pub(super) struct Refused {
    pub message: String,
    pub hint: String,
}

impl HeadingIds {
    /// A page's ids, with the theme's taken and `also` (the glossary page's term ids).
    #[cfg(test)]
    pub(super) fn new<'a>(also: impl IntoIterator<Item = &'a str>) -> HeadingIds {
        Self::with_rule(also, HeadingIdRule::Mekong)
    }

    /// The same, with automatic ids made by `rule` (site.yaml `heading_ids`, issue 18).
    pub(super) fn with_rule<'a>(
        also: impl IntoIterator<Item = &'a str>,
        rule: HeadingIdRule,
    ) -> HeadingIds {
        let mut used: HashSet<String> = RESERVED_IDS.iter().map(|s| s.to_string()).collect();
        used.extend(also.into_iter().map(str::to_string));
        HeadingIds { used, rule }
    }

    /// The id of a heading with this text and optional `{#id}`. An explicit id that cannot be
    /// used still gets a unique id (so rendering goes on), and the reason to report.
    pub(super) fn choose(
        &mut self,
        explicit: Option<&str>,
        text: &str,
    ) -> (String, Option<Refused>) {
        let mut refused = None;
        let base = match explicit {
            Some(e) => {
                if let Some(p) = reserved_prefix(e) {
                    refused = Some(Refused {
                        message: format!(
                            "heading id `{e}` starts with `{p}`, which mekong keeps for its own ids"
                        ),
                        hint: format!(
                            "ids starting with {} are reserved (footnotes use `fn-` and `fnref-`); choose another `{{#id}}`",
                            RESERVED_ID_PREFIXES
                                .iter()
                                .map(|p| format!("`{p}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    });
                } else if RESERVED_IDS.contains(&e) {
                    refused = Some(Refused {
                        message: format!("heading id `{e}` is used by the theme on every page"),
                        hint: format!(
                            "choose another `{{#id}}`; the theme uses {}",
                            RESERVED_IDS
                                .iter()
                                .map(|p| format!("`{p}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    });
                } else if self.used.contains(e) {
                    refused = Some(Refused {
                        message: format!("heading id `{e}` is used twice on this page"),
                        hint: "give each `{#id}` a distinct name".into(),
                    });
                }
                match reserved_prefix(e) {
                    Some(_) => format!("h-{e}"),
                    None => e.to_string(),
                }
            }
            None => {
                let s = slug_by(self.rule, text);
                if s.is_empty() {
                    "section".to_string()
                } else if reserved_prefix(&s).is_some() {
                    format!("h-{s}")
                } else {
                    s
                }
            }
        };
        let mut id = base.clone();
        let mut n = 1;
        while self.used.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.used.insert(id.clone());
        (id, refused)
    }
}

/// A heading's automatic id by `rule`. GitHub's and mdBook's keep letters, digits, `-` and
/// `_`, turn each whitespace character into `-` and drop the rest (so `a + b` is `a--b`);
/// GitHub lower-cases every letter, mdBook only ASCII ones.
pub fn slug_by(rule: HeadingIdRule, text: &str) -> String {
    let keep = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    match rule {
        HeadingIdRule::Mekong => slug::slugify(text),
        HeadingIdRule::Github => text
            .trim()
            .chars()
            .flat_map(|c| {
                let c = if c.is_whitespace() { '-' } else { c };
                keep(c)
                    .then_some(c)
                    .into_iter()
                    .flat_map(char::to_lowercase)
            })
            .collect(),
        HeadingIdRule::Mdbook => text
            .trim()
            .chars()
            .filter_map(|c| match c {
                c if c.is_whitespace() => Some('-'),
                c if keep(c) => Some(c.to_ascii_lowercase()),
                _ => None,
            })
            .collect(),
    }
}

fn reserved_prefix(id: &str) -> Option<&'static str> {
    RESERVED_ID_PREFIXES
        .iter()
        .copied()
        .find(|p| id.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn automatic_ids_avoid_the_theme_and_footnote_ids() {
        let mut ids = HeadingIds::new(["term-rcep"]);
        assert_eq!(ids.choose(None, "Search").0, "search-1");
        assert_eq!(ids.choose(None, "Main").0, "main-1");
        assert_eq!(ids.choose(None, "Fn 1").0, "h-fn-1");
        assert_eq!(ids.choose(None, "Fnref note").0, "h-fnref-note");
        assert_eq!(ids.choose(None, "Term RCEP").0, "term-rcep-1");
        assert_eq!(ids.choose(None, "Trade").0, "trade");
        assert_eq!(ids.choose(None, "Trade").0, "trade-1");
        assert_eq!(ids.choose(None, "!!!").0, "section");
    }

    #[test]
    fn explicit_ids_that_are_taken_or_reserved_are_refused() {
        let mut ids = HeadingIds::new([]);
        assert!(ids.choose(Some("intro"), "A").1.is_none());
        let (id, why) = ids.choose(Some("intro"), "B");
        assert_eq!(id, "intro-1");
        assert!(why.unwrap().message.contains("used twice"));
        let (id, why) = ids.choose(Some("search"), "C");
        assert_eq!(id, "search-1");
        assert!(why.unwrap().message.contains("theme"));
        let (id, why) = ids.choose(Some("fn-1"), "D");
        assert_eq!(id, "h-fn-1");
        assert!(why.unwrap().message.contains("`fn-`"));
    }

    #[test]
    fn github_and_mdbook_rules_keep_doubled_dashes() {
        let t = "Concatenating with `+` or `format!`";
        let text = t.replace('`', "");
        assert_eq!(
            slug_by(HeadingIdRule::Mekong, &text),
            "concatenating-with-or-format"
        );
        assert_eq!(
            slug_by(HeadingIdRule::Github, &text),
            "concatenating-with--or-format"
        );
        assert_eq!(
            slug_by(HeadingIdRule::Mdbook, &text),
            "concatenating-with--or-format"
        );
        assert_eq!(slug_by(HeadingIdRule::Github, "Ärger_x"), "ärger_x");
        assert_eq!(slug_by(HeadingIdRule::Mdbook, "Ärger_x"), "Ärger_x");
        let mut ids = HeadingIds::with_rule([], HeadingIdRule::Mdbook);
        assert_eq!(ids.choose(None, "A b").0, "a-b");
        assert_eq!(ids.choose(None, "A b").0, "a-b-1");
    }
}
