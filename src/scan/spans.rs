//! Where the link and image URLs of raw HTML in Markdown are (issue 18): the byte range of
//! each `<a href>`, `<area href>`, `<img src>`, `<source src>`, `<video src|poster>`,
//! `<audio src>`, `<track src>`, `<iframe src>` and `<embed src>` value, so that `markdown`
//! can rewrite source paths (`map.png`, `../trade.md#rcep`) to output URLs in place, as it
//! does for Markdown links. The same walk as the output check's (`for_each_start_tag`), so what
//! is rewritten here is what the check later reads. `srcset` is left to the output check.

use std::ops::Range;

/// One URL attribute value in an HTML fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlSpan {
    /// The value's bytes in the fragment, without quotes.
    pub range: Range<usize>,
    /// The value with character references decoded.
    pub value: String,
}

/// The rewritable URL attributes of `html`, in order.
pub fn url_spans(html: &str) -> Vec<UrlSpan> {
    let mut out = Vec::new();
    super::for_each_start_tag(html.as_bytes(), |tag, _| {
        for ((attr, value), range) in tag.attrs.iter().zip(&tag.spans) {
            let wanted = match attr.as_str() {
                "href" => matches!(tag.name.as_str(), "a" | "area"),
                "src" => matches!(
                    tag.name.as_str(),
                    "img" | "source" | "video" | "audio" | "track" | "iframe" | "embed"
                ),
                "poster" => tag.name == "video",
                _ => false,
            };
            if wanted && !range.is_empty() {
                out.push(UrlSpan {
                    range: range.clone(),
                    value: value.clone(),
                });
            }
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_link_and_image_values_with_their_ranges() {
        let html = "<p><a class=x href=\"a.md#b\">x</a><!-- <img src=no.png> --><img alt='' src='map.png'><a href=c.md>";
        let spans = url_spans(html);
        let got: Vec<(&str, &str)> = spans
            .iter()
            .map(|s| (&html[s.range.clone()], s.value.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a.md#b", "a.md#b"),
                ("map.png", "map.png"),
                ("c.md", "c.md")
            ]
        );
        assert!(url_spans("<script>'<img src=x>'</script><link href=x.css>").is_empty());
    }
}
