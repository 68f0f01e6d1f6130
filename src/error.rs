//! The located error type and the list of diagnostics.
//!
//! Every stage of the pipeline reports problems as [`Diagnostic`]s: a path relative to the site
//! root, an optional 1-based line and column, what is wrong and how to fix it. Stages collect them
//! instead of stopping at the first, and the pipeline hands the whole list back as an [`Error`];
//! `main` prints each one once, prefixed with `error: `. File I/O goes through the helpers at the
//! bottom so that no I/O error ever reaches the user without the path it is about.

use std::fmt;
use std::path::{Path, PathBuf};

/// How many errors one run reports before it says "and N more".
pub const ERROR_CAP: usize = 100;

/// One problem with the site, located as precisely as we know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file, relative to the site root where it is inside it.
    pub path: PathBuf,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column, counted in characters.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
    /// A broken link or anchor: what `links: warn` turns into a warning.
    pub link: bool,
}

impl Diagnostic {
    pub fn new(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            line: None,
            column: None,
            message: message.into(),
            hint: None,
            link: false,
        }
    }

    /// Sets the 1-based line and column.
    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// Sets only the line, for problems that span a whole line.
    pub fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    /// Locates the diagnostic at a byte offset of `text`, which starts at line `first_line`.
    pub fn at_offset(self, text: &str, offset: usize, first_line: usize) -> Self {
        let (line, column) = line_col(text, offset);
        self.at(line + first_line - 1, column)
    }

    /// Marks a broken link or anchor (see [`Diagnostic::link`]).
    pub fn broken_link(mut self) -> Self {
        self.link = true;
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)?;
        if let Some(hint) = &self.hint {
            for (i, line) in hint.lines().enumerate() {
                let lead = if i == 0 { "hint: " } else { "      " };
                write!(f, "\n  {lead}{line}")?;
            }
        }
        Ok(())
    }
}

/// A failed run: every diagnostic found, in the order the pipeline found them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub diagnostics: Vec<Diagnostic>,
}

impl Error {
    pub fn one(diagnostic: Diagnostic) -> Self {
        Error {
            diagnostics: vec![diagnostic],
        }
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Self {
        Error::one(d)
    }
}

impl From<Vec<Diagnostic>> for Error {
    fn from(diagnostics: Vec<Diagnostic>) -> Self {
        Error { diagnostics }
    }
}

impl fmt::Display for Error {
    /// Prints up to [`ERROR_CAP`] diagnostics, each prefixed with `error: `.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().take(ERROR_CAP).enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {d}")?;
        }
        let more = self.diagnostics.len().saturating_sub(ERROR_CAP);
        if more > 0 {
            write!(f, "\nerror: ... and {more} more errors")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Turns a byte offset into a 1-based line and a 1-based column counted in characters.
///
/// An offset past the end, or inside a multi-byte character, is clamped to the nearest
/// character boundary before it, so that a wrong offset never panics.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// The closest of `candidates` to `word`, if it is close enough to be a plausible typo.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Makes `path` relative to `root` for display; leaves it as it is when it is not inside.
pub fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// File-system helpers whose errors name the file. `shown` is the path as the user should see it.
pub mod fs {
    use super::Diagnostic;
    use std::path::Path;

    fn describe(e: &std::io::Error) -> String {
        match e.kind() {
            std::io::ErrorKind::NotFound => "no such file or folder".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        }
    }

    pub fn read(path: &Path, shown: &Path) -> Result<Vec<u8>, Diagnostic> {
        std::fs::read(path)
            .map_err(|e| Diagnostic::new(shown, format!("cannot read file: {}", describe(&e))))
    }

    pub fn read_to_string(path: &Path, shown: &Path) -> Result<String, Diagnostic> {
        let bytes = read(path, shown)?;
        String::from_utf8(bytes).map_err(|e| {
            let (line, column) = {
                let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                // The valid prefix is UTF-8 by definition, so this cannot fail.
                super::line_col(std::str::from_utf8(valid).unwrap_or(""), valid.len())
            };
            Diagnostic::new(shown, "file is not valid UTF-8")
                .at(line, column)
                .hint("save the file as UTF-8 (most editors offer this under 'Save with encoding')")
        })
    }

    pub fn write(path: &Path, bytes: &[u8], shown: &Path) -> Result<(), Diagnostic> {
        std::fs::write(path, bytes)
            .map_err(|e| Diagnostic::new(shown, format!("cannot write file: {}", describe(&e))))
    }

    pub fn create_dir_all(path: &Path, shown: &Path) -> Result<(), Diagnostic> {
        std::fs::create_dir_all(path)
            .map_err(|e| Diagnostic::new(shown, format!("cannot create folder: {}", describe(&e))))
    }

    pub fn io(shown: &Path, what: &str, e: &std::io::Error) -> Diagnostic {
        Diagnostic::new(shown, format!("{what}: {}", describe(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one_on_every_line() {
        let text = "ab\ncdé\nf";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 1), (1, 2));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 7), (2, 4)); // after the two-byte é
        assert_eq!(line_col(text, 8), (3, 1));
        assert_eq!(line_col(text, 999), (3, 2));
        assert_eq!(line_col(text, 6), (2, 3)); // inside é: clamped back
    }

    #[test]
    fn suggests_close_keys_only() {
        assert_eq!(
            did_you_mean("base_ur", &["title", "base_url"]),
            Some("base_url")
        );
        assert_eq!(did_you_mean("tilte", &["title", "base_url"]), Some("title"));
        assert_eq!(did_you_mean("zzzzzz", &["title", "base_url"]), None);
    }

    #[test]
    fn displays_path_line_column_and_hint() {
        let d = Diagnostic::new("content/a.md", "bad")
            .at(3, 5)
            .hint("fix it");
        assert_eq!(d.to_string(), "content/a.md:3:5: bad\n  hint: fix it");
    }
}
