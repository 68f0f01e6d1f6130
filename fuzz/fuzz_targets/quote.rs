//! The quotation check: a source text and a quotation, split at the first U+0001. Never
//! panics, and every non-blank line of a source quotes itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use std::path::PathBuf;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (source, quote) = text.split_once('\u{1}').unwrap_or((text, ""));
    let mut map = BTreeMap::new();
    map.insert(
        "r".to_string(),
        mekong::config::SourceText {
            path: PathBuf::from("r.txt"),
            text: source.to_string(),
        },
    );
    let sources = mekong::quote::Sources::new(&map);
    let names = vec!["r".to_string()];
    let _ = sources.check_blockquote(quote, &names);
    let _ = sources.check_inline(quote, &names);
    for (at, q) in mekong::quote::curly_quotes(quote) {
        assert!(quote.is_char_boundary(at));
        assert!(quote[at..].starts_with('“'));
        let _ = sources.check_inline(&q, &names);
    }
    let _ = mekong::quote::normalize(quote);
    for line in source.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            sources.check_blockquote(line, &names).is_ok(),
            "a line of the source does not quote itself: {line:?}"
        );
    }
});
