//! Heading ids: a slug of the heading's text or its explicit `{#id}`, unique on the page and
//! never one the theme or the footnotes use (issue 13).
//!
//! Every page starts with the theme's ids taken ([`crate::theme::RESERVED_IDS`]): `## Search`
//! gets `search-1`, not the search form's `search`. Automatic ids never start with a reserved
//! prefix ([`crate::theme::RESERVED_ID_PREFIXES`], such as the footnotes' `fn-` and `fnref-`):
//! `## Fn 1` gets `h-fn-1`, so a heading and a footnote can never share an id. An explicit id
//! that is taken or reserved is an error the event loop reports at the heading. The output
//! check (`verify`) then rejects any id used twice in a finished page, templates included.

use crate::theme::{RESERVED_ID_PREFIXES, RESERVED_IDS};
use std::collections::HashSet;

/// The ids already taken on a page.
pub(super) struct HeadingIds {
    used: HashSet<String>,
}

/// Why an explicit `{#id}` cannot be used as it is.
pub(super) struct Refused {
    pub message: String,
    pub hint: String,
}

impl HeadingIds {
    /// A page's ids, with the theme's taken and `also` (the glossary page's term ids).
    pub(super) fn new<'a>(also: impl IntoIterator<Item = &'a str>) -> HeadingIds {
        let mut used: HashSet<String> = RESERVED_IDS.iter().map(|s| s.to_string()).collect();
        used.extend(also.into_iter().map(str::to_string));
        HeadingIds { used }
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
                let s = slug::slugify(text);
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
}
