//! Property tests of the scanner: arbitrary bytes, and tags with arbitrary attributes.

use super::*;
use proptest::prelude::*;

/// An attribute as a browser tokenizes it without swallowing what follows: a name of any
/// characters but space, `/`, `>`, `=` and quotes (it may start with `=`), then nothing, an
/// unquoted value, or a quoted value without its own quote. As (name, value).
fn attribute() -> impl Strategy<Value = (String, String)> {
    // Not empty: `="x"` starts a name `="` (a quote in a name is kept), as browsers do.
    let name = "=|=?[^ \t\n\r\x0c/>=\"'<]{1,6}";
    let unquoted = "[^ \t\n\r\x0c>\"'`=<]{1,6}";
    let quoted = "[^\"]{0,8}";
    (
        name,
        prop_oneof![
            Just(String::new()),
            unquoted.prop_map(|v| format!("={v}")),
            quoted.prop_map(|v| format!("=\"{v}\"")),
        ],
    )
}

/// Attributes joined as written. A name after a valueless attribute may not start with
/// `=`: after `a ` the tokenizer is in the after-attribute-name state, where `=` starts
/// the value of `a`, so `a =="x y"` is `a` with the value `="x`, and the quote left open
/// by ` y"` swallows the rest of the page in a browser too (CI found
/// `<a = =="\t#=">`). Such a valueless attribute gets an empty value.
fn joined(attrs: &[(String, String)]) -> String {
    attrs
        .iter()
        .enumerate()
        .map(|(i, (n, v))| {
            let next_is_eq = attrs.get(i + 1).is_some_and(|(n2, _)| n2.starts_with('='));
            if v.is_empty() && next_is_eq {
                format!("{n}=\"\"")
            } else {
                format!("{n}{v}")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The input CI found: the tokenizer reads it as a browser does, `=` after a valueless
/// attribute starts that attribute's value, and the quote left open hides the link.
#[test]
fn a_valueless_attribute_takes_the_next_equals_sign_as_browsers_do() {
    let s = scan("<a = ==\"\t#=\"><a href=\"/sentinel/\">x</a>\"><a href=\"/after/\">y</a>");
    assert!(!s.urls.iter().any(|u| &**u == "/sentinel/"), "{s:?}");
    assert!(s.urls.iter().any(|u| &**u == "/after/"), "{s:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Any bytes: no panic, on every kind of file.
    #[test]
    fn never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        for path in ["a/index.html", "x.css", "sitemap.xml"] {
            let _ = scan_file(path, &bytes);
        }
    }

    /// A tag with arbitrary attributes never hides the link after it (issue 15).
    #[test]
    fn a_tag_with_any_attributes_never_hides_the_next_link(
        tag in "[a-z]{1,6}",
        attrs in prop::collection::vec(attribute(), 0..5),
        text in "[^<&]{0,10}",
    ) {
        prop_assume!(!RAW_TEXT.contains(&tag.as_str()));
        let html = format!("<{tag} {}>{text}<a href=\"/sentinel/\">x</a>", joined(&attrs));
        let s = scan(&html);
        prop_assert!(s.urls.iter().any(|u| &**u == "/sentinel/"), "{html}: {s:?}");
    }
}
