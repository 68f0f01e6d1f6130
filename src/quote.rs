//! Checked quotations: every blockquote, and every quotation in curly double quotes of five
//! words or more, on a page that declares `sources:` must occur verbatim in a named source.
//!
//! Matching normalizes whitespace and quote glyphs only, so a changed word, a dropped comma or a
//! paraphrase fails. An ellipsis (`…`, `...`, `[…]`) splits a quotation into parts that are
//! checked one by one. `markdown` finds the quotations while it renders; this module owns the
//! normalized source texts, the matching and the "closest passage" hint.

use crate::config::SourceText;
use std::collections::BTreeMap;

/// The named source texts, normalized once per build.
#[derive(Debug, Default)]
pub struct Sources {
    texts: BTreeMap<String, Normalized>,
}

#[derive(Debug)]
struct Normalized {
    /// Normalized text: one space between words, straight quotes.
    text: String,
    /// The original passages (lines) for hints.
    lines: Vec<String>,
}

/// Words a curly quotation needs before it is checked.
pub const MIN_WORDS: usize = 5;

impl Sources {
    pub fn new(sources: &BTreeMap<String, SourceText>) -> Self {
        Sources {
            texts: sources
                .iter()
                .map(|(name, s)| {
                    (
                        name.clone(),
                        Normalized {
                            text: normalize(&s.text),
                            lines: s
                                .text
                                .lines()
                                .filter(|l| !l.trim().is_empty())
                                .map(str::to_string)
                                .collect(),
                        },
                    )
                })
                .collect(),
        }
    }

    pub fn contains(&self, name: &str) -> bool {
        self.texts.contains_key(name)
    }

    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    pub fn names(&self) -> Vec<&str> {
        self.texts.keys().map(String::as_str).collect()
    }

    /// Checks a whole blockquote. `Err` carries the hint (the closest passage).
    pub fn check_blockquote(&self, text: &str, names: &[String]) -> Result<(), String> {
        let text = text.trim();
        let inner = strip_outer_quotes(text);
        self.check_parts(inner, names, 1)
    }

    /// Checks a quotation found in curly quotes; short ones are not checked.
    pub fn check_inline(&self, text: &str, names: &[String]) -> Result<(), String> {
        if text.split_whitespace().count() < MIN_WORDS {
            return Ok(());
        }
        self.check_parts(text, names, 2)
    }

    fn check_parts(
        &self,
        text: &str,
        names: &[String],
        min_part_words: usize,
    ) -> Result<(), String> {
        for part in split_ellipsis(text) {
            let norm = normalize(part);
            let norm = norm.trim_matches(|c: char| c == ' ' || c == '"');
            if norm.split(' ').filter(|w| !w.is_empty()).count() < min_part_words {
                continue;
            }
            let found = names
                .iter()
                .filter_map(|n| self.texts.get(n))
                .any(|s| s.text.contains(norm));
            if !found {
                return Err(self.closest(norm, names));
            }
        }
        Ok(())
    }

    /// The passage of the named sources that shares the most words with `quote`.
    fn closest(&self, quote: &str, names: &[String]) -> String {
        let words: Vec<String> = quote
            .split(' ')
            .map(word_key)
            .filter(|w| !w.is_empty())
            .collect();
        let mut best: Option<(usize, &str)> = None;
        for s in names.iter().filter_map(|n| self.texts.get(n)) {
            for line in &s.lines {
                let lw: std::collections::HashSet<String> =
                    normalize(line).split(' ').map(word_key).collect();
                let score = words.iter().filter(|w| lw.contains(*w)).count();
                if best.is_none_or(|(b, _)| score > b) {
                    best = Some((score, line));
                }
            }
        }
        match best {
            Some((score, line)) if score > 0 => {
                let passage = closest_window(line, &words);
                format!(
                    "the closest passage of the source is:\n“{passage}”\ncopy the words exactly (only spacing and quote marks may differ), or mark a cut with …"
                )
            }
            _ => "no passage of the source shares its words; quote the source exactly".to_string(),
        }
    }
}

/// Narrows a long passage to the sentence-sized window around the best match.
fn closest_window(line: &str, words: &[String]) -> String {
    let lw: Vec<&str> = line.split_whitespace().collect();
    if lw.len() <= words.len() + 12 {
        return lw.join(" ");
    }
    let set: std::collections::HashSet<&str> = words.iter().map(String::as_str).collect();
    let width = (words.len() + 6).min(lw.len());
    let mut best = (0, 0);
    for start in 0..=lw.len() - width {
        let score = lw[start..start + width]
            .iter()
            .filter(|w| set.contains(word_key(w).as_str()))
            .count();
        if score > best.0 {
            best = (score, start);
        }
    }
    let mut s = lw[best.1..best.1 + width].join(" ");
    if best.1 > 0 {
        s.insert_str(0, "… ");
    }
    if best.1 + width < lw.len() {
        s.push_str(" …");
    }
    s
}

fn word_key(w: &str) -> String {
    w.trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase()
}

/// One space between words and straight quote glyphs.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(match c {
            '“' | '”' | '„' | '‟' | '″' | '«' | '»' => '"',
            '‘' | '’' | '‚' | '‛' | '′' => '\'',
            c => c,
        });
    }
    out
}

fn strip_outer_quotes(s: &str) -> &str {
    let s = s.trim();
    let opens = ['“', '"', '„', '«'];
    let closes = ['”', '"', '»', '“'];
    match (s.chars().next(), s.chars().next_back()) {
        (Some(a), Some(b))
            if opens.contains(&a)
                && closes.contains(&b)
                && s.len() > a.len_utf8() + b.len_utf8() =>
        {
            &s[a.len_utf8()..s.len() - b.len_utf8()]
        }
        _ => s,
    }
}

fn split_ellipsis(s: &str) -> Vec<&str> {
    let mut parts = vec![s];
    for sep in ["[…]", "[...]", "…", "..."] {
        parts = parts.into_iter().flat_map(|p| p.split(sep)).collect();
    }
    parts
}

/// Quotations in curly double quotes in a block of text: (byte offset of the opening mark,
/// the quoted words). Unbalanced marks are ignored.
pub fn curly_quotes(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut open: Option<usize> = None;
    for (i, c) in text.char_indices() {
        match c {
            '“' => open = Some(i),
            '”' => {
                if let Some(start) = open.take() {
                    let inner = &text[start + '“'.len_utf8()..i];
                    found.push((start, inner.to_string()));
                }
            }
            _ => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn sources() -> Sources {
        let mut m = BTreeMap::new();
        m.insert(
            "report".to_string(),
            SourceText {
                path: PathBuf::from("r.txt"),
                text: "He said: “The meeting took place amidst big changes in geo-economics.”\nVietnam’s contribution to AMM-51\n".into(),
            },
        );
        Sources::new(&m)
    }

    #[test]
    fn accepts_verbatim_with_other_spacing_and_quote_glyphs() {
        let s = sources();
        let names = vec!["report".to_string()];
        assert!(
            s.check_blockquote(
                "\"The meeting  took place\namidst big changes in geo-economics.\"",
                &names
            )
            .is_ok()
        );
        assert!(
            s.check_inline("Vietnam's contribution to AMM-51 is", &names)
                .is_err()
        );
        assert!(
            s.check_inline("Vietnam's contribution to AMM-51", &names)
                .is_ok()
        );
    }

    #[test]
    fn rejects_an_altered_word_and_shows_the_closest_passage() {
        let s = sources();
        let names = vec!["report".to_string()];
        let err = s
            .check_blockquote("The meeting took place amidst small changes", &names)
            .unwrap_err();
        assert!(
            err.contains("The meeting took place amidst big changes"),
            "{err}"
        );
    }

    #[test]
    fn checks_each_part_around_an_ellipsis() {
        let s = sources();
        let names = vec!["report".to_string()];
        assert!(
            s.check_blockquote("The meeting took place … in geo-economics.", &names)
                .is_ok()
        );
        assert!(
            s.check_blockquote("The meeting took place … in geo-politics today.", &names)
                .is_err()
        );
    }

    #[test]
    fn short_curly_quotes_are_not_checked() {
        let s = sources();
        assert!(
            s.check_inline("One Belt, One Road", &["report".into()])
                .is_ok()
        );
        assert_eq!(curly_quotes("a “b c” d “e"), vec![(2, "b c".to_string())]);
    }
}
