//! `code:` in site.yaml (issue 12): the site-wide defaults of code blocks, read key by key so
//! that a bad key or value is an error at its own line.

use crate::error::Diagnostic;
use crate::yaml::Fields;
use serde::Serialize;

/// `code:` in site.yaml (issue 12): the site-wide defaults of code blocks, which a block's info
/// string can override. `markdown::highlight` turns it into its own options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CodeConfig {
    /// Highlight at build time; `false` keeps titles, numbers, marks and the button.
    pub highlight: bool,
    /// Number the lines of every block.
    pub line_numbers: bool,
    /// The copy button on every block.
    pub copy_button: bool,
    /// Hide rustdoc's `# ` lines in Rust blocks.
    pub rust_hidden_lines: bool,
}

impl Default for CodeConfig {
    fn default() -> Self {
        CodeConfig {
            highlight: true,
            line_numbers: false,
            copy_button: true,
            rust_hidden_lines: true,
        }
    }
}

/// `code:` (issue 12): a mapping of known keys to booleans; each bad key or value is an error
/// at its own line.
pub(super) fn code_config(fields: &Fields, text: &str, errors: &mut Vec<Diagnostic>) -> CodeConfig {
    const KEYS: &[&str] = &[
        "highlight",
        "line_numbers",
        "copy_button",
        "rust_hidden_lines",
    ];
    let mut code = CodeConfig::default();
    let map = match fields.raw("code") {
        None | Some(serde_yaml::Value::Null) => return code,
        Some(serde_yaml::Value::Mapping(m)) => m,
        Some(other) => {
            errors.push(
                fields
                    .error(
                        "code",
                        format!(
                            "`code` must be a mapping, found {}",
                            crate::yaml::kind(other)
                        ),
                    )
                    .hint("write `code:` followed by indented lines such as `line_numbers: true`"),
            );
            return code;
        }
    };
    // The line of `key:` inside the `code:` block, for the error's location.
    let (code_line, _) = fields.locate("code");
    let at = |key: &str| -> (usize, usize) {
        text.lines()
            .enumerate()
            .skip(code_line)
            .take_while(|(_, l)| l.trim().is_empty() || l.starts_with([' ', '\t']))
            .find_map(|(i, l)| {
                let t = l.trim_start();
                t.strip_prefix(key)
                    .filter(|r| r.trim_start().starts_with(':'))
                    .map(|_| (i + 1, l.len() - t.len() + 1))
            })
            .unwrap_or((code_line, 1))
    };
    for (k, v) in map {
        let key = k.as_str().unwrap_or("?");
        let (line, column) = at(key);
        let slot = match key {
            "highlight" => &mut code.highlight,
            "line_numbers" => &mut code.line_numbers,
            "copy_button" => &mut code.copy_button,
            "rust_hidden_lines" => &mut code.rust_hidden_lines,
            _ => {
                let hint = match crate::error::did_you_mean(key, KEYS) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!(
                        "known keys are {}",
                        KEYS.iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                errors.push(
                    Diagnostic::new("site.yaml", format!("unknown key `{key}` in `code:`"))
                        .at(line, column)
                        .hint(hint),
                );
                continue;
            }
        };
        match v.as_bool() {
            Some(b) => *slot = b,
            None => errors.push(
                Diagnostic::new(
                    "site.yaml",
                    format!(
                        "`code.{key}` must be `true` or `false`, found {}",
                        crate::yaml::kind(v)
                    ),
                )
                .at(line, column)
                .hint(format!("write `{key}: true` or `{key}: false`")),
            ),
        }
    }
    code
}
