//! The client that `serve` injects into every served page: a script that listens to the
//! events stream, reloads keeping the scroll position, swaps stylesheets, and shows a failed
//! rebuild as an overlay over the last good page. `build` output never has it.

pub(super) const LIVE_JS: &str = include_str!("../theme/live.js");

/// Adds the live-reload script to a page (only when serving; `build` output never has it).
pub(super) fn inject(html: &[u8]) -> Vec<u8> {
    const TAG: &[u8] = b"<script src=\"/__mekong/live.js\"></script>";
    let pos = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + TAG.len());
    out.extend_from_slice(&html[..pos]);
    out.extend_from_slice(TAG);
    out.extend_from_slice(&html[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injects_before_the_last_body_end() {
        let out = inject(b"<html><body>x</body></html>");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<html><body>x<script src=\"/__mekong/live.js\"></script></body></html>"
        );
    }
}
