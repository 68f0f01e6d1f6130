//! Data files (issue 13): `data/*.yaml`, `*.yml`, `*.json`, `*.toml` and `*.csv`, read into one
//! value that templates and components see as `data`: `data/key_figures.yaml` is
//! `data.key_figures`, `data/team/people.csv` is `data.team.people`. A CSV file is a list of
//! rows, each a mapping from the header row's names to the cells (strings).
//!
//! Load reads them with the same walk and ignore rules as `content/` (so the build record and
//! `serve` see every change, through [`super::input_files`] and the watcher), and reports every
//! malformed file at its line and column. What templates make of the values is `render`'s
//! and `markdown`'s business (components).

use super::walk;
use crate::error::{Diagnostic, fs, line_col};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// The extensions of data files, in the order a hint lists them.
const EXTENSIONS: &[&str] = &["yaml", "yml", "json", "toml", "csv"];

/// Reads `root/data/` into one mapping (empty when there is no such folder).
pub(super) fn load(root: &Path, canonical_root: &Path, errors: &mut Vec<Diagnostic>) -> Value {
    let dir = root.join("data");
    if !dir.is_dir() {
        return Value::Object(Map::new());
    }
    // (name without extension, value, path shown), in file-name order.
    let mut files: Vec<(String, Value, PathBuf)> = Vec::new();
    for (rel, abs) in walk(&dir, Path::new("data"), canonical_root, errors, None) {
        let shown = Path::new("data").join(&rel);
        let Some((stem, ext)) = rel.rsplit_once('.').filter(|(s, e)| {
            !s.is_empty()
                && !s.ends_with('/')
                && EXTENSIONS.contains(&e.to_ascii_lowercase().as_str())
        }) else {
            errors.push(
                Diagnostic::new(&shown, "not a data file").hint(
                    "data/ holds .yaml, .yml, .json, .toml and .csv files; put other files in static/ or content/",
                ),
            );
            continue;
        };
        let text = match fs::read_to_string(&abs, &shown) {
            Ok(t) => t,
            Err(d) => {
                errors.push(d);
                continue;
            }
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let value = match ext.to_ascii_lowercase().as_str() {
            "yaml" | "yml" => yaml(text, &shown),
            "json" => json(text, &shown),
            "toml" => toml(text, &shown),
            _ => csv(text, &shown),
        };
        match value {
            Ok(v) => files.push((stem.to_string(), v, shown)),
            Err(d) => errors.push(d),
        }
    }
    // One value per name: `x.yaml` and `x.json`, or `x.yaml` and a folder `x/`, collide.
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut bad = false;
    let mut seen: std::collections::HashMap<&str, &Path> = Default::default();
    for (stem, _, shown) in &files {
        let name = stem.replace('/', ".");
        let why = if let Some(first) = seen.get(stem.as_str()) {
            format!(
                "`data.{name}` is given twice: by {} and by this file",
                first.display()
            )
        } else if let Some((_, _, inner)) = files
            .iter()
            .find(|(o, _, _)| o.starts_with(&format!("{stem}/")))
        {
            format!(
                "`data.{name}` is given twice: by this file and by the folder of {}",
                inner.display()
            )
        } else {
            seen.insert(stem, shown);
            continue;
        };
        bad = true;
        errors.push(Diagnostic::new(shown, why).hint(
            "keep one file per name: data/x.yaml and data/x.json, or data/x.yaml and a folder data/x/, cannot both be there",
        ));
    }
    let mut data = Map::new();
    if bad {
        return Value::Object(data);
    }
    for (stem, value, _) in files {
        let mut parts: Vec<&str> = stem.split('/').collect();
        let last = parts.pop().unwrap_or_default();
        let mut map = &mut data;
        for part in parts {
            let entry = map
                .entry(part.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                // A file of that name was refused above.
                *entry = Value::Object(Map::new());
            }
            map = entry.as_object_mut().expect("an object: made so above");
        }
        map.insert(last.to_string(), value);
    }
    Value::Object(data)
}

fn yaml(text: &str, shown: &Path) -> Result<Value, Diagnostic> {
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_yaml::from_str::<Value>(text).map_err(|e| {
        let msg = e.to_string();
        let msg = msg.find(" at line ").map_or(msg.clone(), |i| msg[..i].to_string());
        let mut d = Diagnostic::new(shown, format!("invalid YAML: {msg}"));
        if let Some(loc) = e.location() {
            d = d.at(loc.line(), loc.column());
        }
        d.hint("check the indentation, and quote values that contain ': ' or start with a special character")
    })
}

fn json(text: &str, shown: &Path) -> Result<Value, Diagnostic> {
    serde_json::from_str::<Value>(text).map_err(|e| {
        let msg = e.to_string();
        let msg = msg
            .find(" at line ")
            .map_or(msg.clone(), |i| msg[..i].to_string());
        Diagnostic::new(shown, format!("invalid JSON: {msg}"))
            .at(e.line().max(1), e.column().max(1))
            .hint("check for a missing comma or quote, or a comma after the last item")
    })
}

fn toml(text: &str, shown: &Path) -> Result<Value, Diagnostic> {
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let mut d = Diagnostic::new(shown, format!("invalid TOML: {}", e.message().trim()));
        if let Some(span) = e.span() {
            let (line, column) = line_col(text, span.start);
            d = d.at(line, column);
        }
        d.hint("check the quotes and brackets at that place; TOML strings are always quoted")
    })?;
    Ok(from_toml(toml::Value::Table(table)))
}

/// TOML's values as JSON's; dates and times become their TOML text (`1979-05-27`).
fn from_toml(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(from_toml).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, from_toml(v))).collect())
        }
    }
}

/// RFC 4180 CSV: a header row, then rows of the same number of cells; cells in double quotes
/// may hold commas, line breaks and doubled quotes (`""`). Every cell is a string.
fn csv(text: &str, shown: &Path) -> Result<Value, Diagnostic> {
    let records = csv_records(text).map_err(|(at, message)| {
        let (line, column) = line_col(text, at);
        Diagnostic::new(shown, message)
            .at(line, column)
            .hint("close the quoted cell with `\"`; write a quote inside a quoted cell as `\"\"`")
    })?;
    let mut rows = records.into_iter();
    let Some((_, header)) = rows.next() else {
        return Ok(Value::Array(Vec::new()));
    };
    for (i, name) in header.iter().enumerate() {
        if name.trim().is_empty() || header[..i].contains(name) {
            return Err(Diagnostic::new(
                shown,
                format!("column {} of the header row is empty or repeated", i + 1),
            )
            .at(1, 1)
            .hint("the first row names the columns: give each a distinct name"));
        }
    }
    let mut out = Vec::new();
    for (at, cells) in rows {
        if cells.len() != header.len() {
            let (line, _) = line_col(text, at);
            return Err(Diagnostic::new(
                shown,
                format!(
                    "this row has {} cells, the header row {}",
                    cells.len(),
                    header.len()
                ),
            )
            .at(line, 1)
            .hint("give every row one cell per column (an empty cell is still a cell: `a,,c`)"));
        }
        let row: Map<String, Value> = header
            .iter()
            .cloned()
            .zip(cells.into_iter().map(Value::String))
            .collect();
        out.push(Value::Object(row));
    }
    Ok(Value::Array(out))
}

/// A CSV record: where it starts, and its cells.
type Record = (usize, Vec<String>);

/// The records of a CSV text, each with the offset where it starts; blank lines are skipped.
/// An unclosed quote is an error at the quote (offset, message).
fn csv_records(text: &str) -> Result<Vec<Record>, (usize, String)> {
    let mut records = Vec::new();
    let mut cells: Vec<String> = Vec::new();
    let mut cell = String::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    let mut at_cell_start = true;
    let end_record = |cells: &mut Vec<String>, cell: &mut String, records: &mut Vec<_>, start| {
        cells.push(std::mem::take(cell));
        let r = std::mem::take(cells);
        if !(r.len() == 1 && r[0].is_empty()) {
            records.push((start, r));
        }
    };
    while let Some((i, c)) = chars.next() {
        match c {
            '"' if at_cell_start => {
                let open = i;
                loop {
                    match chars.next() {
                        Some((_, '"')) if matches!(chars.peek(), Some((_, '"'))) => {
                            chars.next();
                            cell.push('"');
                        }
                        Some((_, '"')) => break,
                        Some((_, ch)) => cell.push(ch),
                        None => return Err((open, "quoted cell is not closed".into())),
                    }
                }
                at_cell_start = false;
            }
            ',' => {
                cells.push(std::mem::take(&mut cell));
                at_cell_start = true;
            }
            '\r' if matches!(chars.peek(), Some((_, '\n'))) => {}
            '\n' => {
                end_record(&mut cells, &mut cell, &mut records, start);
                start = i + 1;
                at_cell_start = true;
            }
            c => {
                cell.push(c);
                at_cell_start = false;
            }
        }
    }
    end_record(&mut cells, &mut cell, &mut records, start);
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_are_mappings_of_the_header() {
        let v = csv(
            "name,note\nASEAN,\"ten members, one voice\"\r\n\"Quote \"\"x\"\"\",\n\n",
            Path::new("data/x.csv"),
        )
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!([
                {"name": "ASEAN", "note": "ten members, one voice"},
                {"name": "Quote \"x\"", "note": ""}
            ])
        );
    }

    #[test]
    fn csv_errors_are_located() {
        let e = csv("a,b\n1,2\n3\n", Path::new("data/x.csv")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "data/x.csv:3:1: this row has 1 cells, the header row 2\n  hint: give every row one cell per column (an empty cell is still a cell: `a,,c`)"
        );
        let e = csv("a,b\n1,\"2\n", Path::new("data/x.csv")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("data/x.csv:2:3: quoted cell is not closed"),
            "{e}"
        );
    }

    #[test]
    fn toml_dates_become_text() {
        let v = toml("when = 2018-08-02\nn = 3\n", Path::new("data/x.toml")).unwrap();
        assert_eq!(v, serde_json::json!({"when": "2018-08-02", "n": 3}));
        let e = toml("a = \n", Path::new("data/x.toml")).unwrap_err();
        assert!(e.to_string().starts_with("data/x.toml:1:"), "{e}");
    }
}
