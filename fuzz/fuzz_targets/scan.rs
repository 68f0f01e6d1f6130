//! The HTML/CSS/XML scanner of the output check (`mekong::scan`) on arbitrary bytes, as an HTML
//! page, a stylesheet and a sitemap: it must never panic, and a sentinel link appended after a
//! closed tag context must always be found unless the input opened a comment, a raw-text
//! element or an unterminated tag or quote that swallows it (what a browser does too). On
//! UTF-8 input, the raw-HTML URL spans that `markdown` rewrites in place must be in bounds, on
//! character boundaries, in order and not overlapping.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for path in ["a/index.html", "assets/x.css", "sitemap.xml"] {
        // Empty URLs (`@import ""`, `<loc></loc>`) are fine: they resolve to the page itself.
        let _ = mekong::scan::scan_file(path, data);
    }
    if let Ok(html) = std::str::from_utf8(data) {
        let mut end = 0;
        for span in mekong::scan::url_spans(html) {
            assert!(span.range.start >= end, "{span:?} overlaps the span before it");
            assert!(html.get(span.range.clone()).is_some(), "{span:?} is not a slice");
            end = span.range.end;
        }
    }
    // After a plain `<p>` with no `<`, quote or `&` in the data, the sentinel is always seen.
    if !data.iter().any(|b| matches!(b, b'<' | b'"' | b'\'' | b'&' | b'\\')) {
        let mut page = data.to_vec();
        page.extend_from_slice(b"<a href=\"/sentinel/\">");
        let s = mekong::scan::scan_file("a/index.html", &page);
        assert!(s.urls.iter().any(|u| &**u == "/sentinel/"), "{s:?}");
    }
});
