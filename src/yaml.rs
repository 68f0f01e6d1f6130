//! YAML with locations: the shared reader of `site.yaml` and front matter.
//!
//! serde_yaml gives a location for syntax errors but not for keys, and its typed errors do not
//! say which key was wrong. So we parse into a mapping once, then type each key on its own: an
//! unknown key, or a value of the wrong type, is reported at the line of that key with a hint.
//! Callers pass the line on which the YAML text starts in its file (front matter starts on 2).

use crate::error::{Diagnostic, did_you_mean};
use serde::de::DeserializeOwned;
use serde_yaml::Value;
use std::path::Path;

/// A parsed top-level mapping whose keys can be typed one by one with located errors.
pub struct Fields<'a> {
    text: &'a str,
    path: &'a Path,
    first_line: usize,
    entries: Vec<(String, Value)>,
    /// Keys are `key = value` lines (TOML front matter, issue 18), not `key: value`.
    toml: bool,
}

impl<'a> Fields<'a> {
    /// Parses `text` as a mapping (an empty document is an empty mapping).
    pub fn parse(text: &'a str, path: &'a Path, first_line: usize) -> Result<Self, Diagnostic> {
        let value: Value = serde_yaml::from_str(text).map_err(|e| {
            let mut d = Diagnostic::new(path, format!("invalid YAML: {}", strip_location(&e)));
            if let Some(loc) = e.location() {
                d = d.at(loc.line() + first_line - 1, loc.column());
            } else {
                d = d.at_line(first_line);
            }
            d.hint("check the indentation and quote values that contain ': ' or start with a special character")
        })?;
        let mapping = match value {
            Value::Mapping(m) => m,
            Value::Null => Default::default(),
            other => {
                return Err(Diagnostic::new(
                    path,
                    format!(
                        "expected a mapping of `key: value` lines, found {}",
                        kind(&other)
                    ),
                )
                .at_line(first_line)
                .hint("write one `key: value` per line, for example `title: My page`"));
            }
        };
        let mut entries = Vec::with_capacity(mapping.len());
        for (k, v) in mapping {
            match k {
                Value::String(s) => entries.push((s, v)),
                other => {
                    let shown = serde_yaml::to_string(&other).unwrap_or_default();
                    return Err(Diagnostic::new(
                        path,
                        format!("key `{}` is not a string", shown.trim()),
                    )
                    .at_line(first_line)
                    .hint("keys are names such as `title`"));
                }
            }
        }
        Ok(Fields {
            text,
            path,
            first_line,
            entries,
            toml: false,
        })
    }

    /// Parses `text` as a TOML table (the `+++` front matter of Zola and Hugo, issue 18), with
    /// its values as YAML's: dates and times become their TOML text (`2026-05-25T02:49:47Z`).
    pub fn parse_toml(
        text: &'a str,
        path: &'a Path,
        first_line: usize,
    ) -> Result<Self, Diagnostic> {
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            let mut d = Diagnostic::new(path, format!("invalid TOML: {}", e.message().trim()));
            d = match e.span() {
                Some(span) => {
                    let before = &text[..span.start.min(text.len())];
                    let line = before.matches('\n').count() + first_line;
                    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                    d.at(line, column)
                }
                None => d.at_line(first_line),
            };
            d.hint("TOML front matter is `key = value` lines; strings are always quoted, as in `title = \"My page\"`")
        })?;
        Ok(Fields {
            text,
            path,
            first_line,
            entries: table.into_iter().map(|(k, v)| (k, from_toml(v))).collect(),
            toml: true,
        })
    }

    /// The location of a top-level `key:` line, as (line, column) in the file.
    pub fn locate(&self, key: &str) -> (usize, usize) {
        locate_key(self.text, key, if self.toml { '=' } else { ':' })
            .map(|(l, c)| (l + self.first_line - 1, c))
            .unwrap_or((self.first_line, 1))
    }

    /// A diagnostic located at `key`.
    pub fn error(&self, key: &str, message: impl Into<String>) -> Diagnostic {
        let (line, column) = self.locate(key);
        Diagnostic::new(self.path, message).at(line, column)
    }

    /// Reports every key that is not in `known`, with the nearest known key as a hint.
    pub fn check_known(&self, known: &[&str], what: &str, errors: &mut Vec<Diagnostic>) {
        for (key, _) in &self.entries {
            if known.contains(&key.as_str()) {
                continue;
            }
            let hint = match did_you_mean(key, known) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!(
                    "known keys are {}; put your own data under `extra:`",
                    known
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            errors.push(
                self.error(key, format!("unknown key `{key}` in {what}"))
                    .hint(hint),
            );
        }
    }

    pub fn contains(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _)| k == key)
    }

    /// Types the value of `key` as `T`; `None` when absent or null.
    pub fn get<T: DeserializeOwned>(
        &self,
        key: &str,
        expected: &str,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<T> {
        let (_, value) = self.entries.iter().find(|(k, _)| k == key)?;
        if value.is_null() {
            return None;
        }
        match serde_yaml::from_value::<T>(value.clone()) {
            Ok(v) => Some(v),
            Err(_) => {
                errors.push(
                    self.error(
                        key,
                        format!("`{key}` must be {expected}, found {}", kind(value)),
                    )
                    .hint(format!("write `{key}:` followed by {expected}")),
                );
                None
            }
        }
    }

    /// The raw value of `key`.
    pub fn raw(&self, key: &str) -> Option<&Value> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// A string or a list of strings, as a list.
    pub fn strings(&self, key: &str, errors: &mut Vec<Diagnostic>) -> Vec<String> {
        match self.raw(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(s)) => vec![s.clone()],
            Some(_) => self
                .get::<Vec<String>>(key, "a list of strings", errors)
                .unwrap_or_default(),
        }
    }
}

/// A TOML value as YAML's; dates and times become their TOML text.
pub fn from_toml(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Sequence(a.into_iter().map(from_toml).collect()),
        toml::Value::Table(t) => Value::Mapping(
            t.into_iter()
                .map(|(k, v)| (Value::String(k), from_toml(v)))
                .collect(),
        ),
    }
}

/// What kind of YAML value this is, for messages.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// serde_yaml appends " at line L column C" to its messages; we print locations ourselves.
fn strip_location(e: &serde_yaml::Error) -> String {
    let s = e.to_string();
    match s.find(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Finds the line (1-based) and column of a top-level `key:` in a YAML text.
fn locate_key(text: &str, key: &str, sep: char) -> Option<(usize, usize)> {
    for (i, line) in text.lines().enumerate() {
        let rest = line
            .strip_prefix(key)
            .or_else(|| line.strip_prefix(&format!("\"{key}\"")))
            .or_else(|| line.strip_prefix(&format!("'{key}'")));
        if let Some(rest) = rest
            && rest.trim_start().starts_with(sep)
        {
            return Some((i + 1, 1));
        }
    }
    None
}

/// Checks a `YYYY-MM-DD` date, including the length of the month.
pub fn valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = &s[r];
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// Checks a date or an RFC 3339 date-time (issue 18): `2026-05-25`, `2026-05-25T02:49:47Z`,
/// `2026-05-25T02:49:47.5+02:00`, also with a space or `t` for the `T` (as TOML allows) and
/// without a zone (a local time). Returns the day and, for a date-time, its normal form (with
/// `T`, and `Z` upper-case).
pub fn valid_date_time(s: &str) -> Option<(String, Option<String>)> {
    let s = s.trim();
    let day = s.get(..10)?;
    if !valid_date(day) {
        return None;
    }
    let rest = &s[10..];
    if rest.is_empty() {
        return Some((day.to_string(), None));
    }
    let time = rest.strip_prefix(['T', 't', ' '])?;
    let b = time.as_bytes();
    let two = |i: usize, max: u32| -> bool {
        b.get(i..i + 2).is_some_and(|d| {
            d.iter().all(u8::is_ascii_digit)
                && u32::from(d[0] - b'0') * 10 + u32::from(d[1] - b'0') <= max
        })
    };
    if !(two(0, 23)
        && b.get(2) == Some(&b':')
        && two(3, 59)
        && b.get(5) == Some(&b':')
        && two(6, 60))
    {
        return None;
    }
    let mut i = 8;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let zone = &time[i..];
    let zone_ok = zone.is_empty()
        || zone.eq_ignore_ascii_case("z")
        || (zone.len() == 6 && zone.starts_with(['+', '-']) && {
            let z = zone.as_bytes();
            z[3] == b':'
                && z[1..3].iter().all(u8::is_ascii_digit)
                && z[4..6].iter().all(u8::is_ascii_digit)
        });
    if !zone_ok {
        return None;
    }
    let normal = format!("{day}T{}{}", &time[..i], zone.to_ascii_uppercase());
    Some((day.to_string(), Some(normal)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_rfc3339_date_times() {
        let t = |s| valid_date_time(s).map(|(d, t)| (d, t.unwrap_or_default()));
        assert_eq!(t("2026-05-25"), Some(("2026-05-25".into(), String::new())));
        assert_eq!(
            t("2026-05-25T02:49:47+02:00"),
            Some(("2026-05-25".into(), "2026-05-25T02:49:47+02:00".into()))
        );
        assert_eq!(
            t("2026-05-25 02:49:47.25z"),
            Some(("2026-05-25".into(), "2026-05-25T02:49:47.25Z".into()))
        );
        assert!(t("2026-05-25T02:49").is_none());
        assert!(t("2026-05-25T25:00:00Z").is_none());
        assert!(t("2026-05-25T02:49:47+2").is_none());
        assert!(t("2026-02-30T02:49:47Z").is_none());
        assert!(t("2026-05-25X").is_none());
    }

    #[test]
    fn validates_dates() {
        assert!(valid_date("2018-08-02"));
        assert!(valid_date("2020-02-29"));
        assert!(!valid_date("2019-02-29"));
        assert!(!valid_date("2018-13-01"));
        assert!(!valid_date("2018-1-01"));
        assert!(!valid_date("2018-04-31"));
        assert!(!valid_date("20a8-04-01"));
    }

    #[test]
    fn locates_keys_on_later_lines() {
        let text = "title: a\nextra:\n  base_url: x\nbase_url: y\n";
        assert_eq!(locate_key(text, "base_url", ':'), Some((4, 1)));
        assert_eq!(locate_key(text, "title", ':'), Some((1, 1)));
        assert_eq!(
            locate_key("a = 1\nweight = 2\n", "weight", '='),
            Some((2, 1))
        );
    }
}
