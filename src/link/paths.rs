//! Dot segments: the one rule for `.` and `..` in content paths (links), output URLs (the
//! output check) and imported paths.

/// Appends the segments of a `/` path to `parts`, resolving `.` and `..` (empty segments are
/// skipped); `None` when a `..` climbs above what `parts` holds. The one dot-segment rule of
/// content paths (links), output URLs (the output check) and imported paths.
pub fn push_segments<'a>(parts: &mut Vec<&'a str>, path: &'a str) -> Option<()> {
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(())
}
