//! The front-matter splitter and parser (YAML `---` and TOML `+++`): any text gives a `Doc` or
//! located diagnostics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The first byte picks a page or a section, whose keys differ.
    let rel = match data.first().map(|b| b % 3) {
        Some(0) => "_index.md",
        Some(1) => "topics/_index.md",
        _ => "topics/page.md",
    };
    // Bit 2 of the first byte: `title_from_heading: true` (issue 18).
    let from_heading = data.first().is_some_and(|b| b & 4 != 0);
    match mekong::load::parse_doc(rel, text.to_string(), from_heading) {
        Ok(doc) => {
            // The body is a suffix of the normalized text, on a character boundary.
            assert!(doc.body_start <= doc.text.len());
            let _ = doc.body();
            assert!(!doc.text.contains('\r'), "line ends are normalized");
            assert!(!doc.text.starts_with('\u{feff}'), "the BOM is dropped");
        }
        Err(diagnostics) => {
            assert!(!diagnostics.is_empty());
            for d in diagnostics {
                assert!(!d.path.as_os_str().is_empty());
                assert!(d.line.is_none_or(|l| l >= 1));
                assert!(d.column.is_none_or(|c| c >= 1));
            }
        }
    }
});
