//! The scanner of output files: the ids and the URLs (`href`, `src`, meta refresh) of an HTML
//! page, or the `<loc>`s and links of a sitemap or feed. A small tokenizer of our own that
//! skips comments and the contents of `<script>` and `<style>`.

use crate::output::Scan;
use std::collections::HashSet;

/// Scans an output file: HTML tags, or the `<loc>`s and links of a sitemap or feed.
pub fn scan_file(path: &str, bytes: &[u8]) -> Scan {
    let text = String::from_utf8_lossy(bytes);
    if path.ends_with(".xml") {
        let mut s = scan(&text);
        s.urls.splice(
            0..0,
            xml_urls(&text).into_iter().map(String::into_boxed_str),
        );
        dedup_in_order(&mut s.urls);
        s
    } else {
        scan(&text)
    }
}

fn dedup_in_order(urls: &mut Vec<Box<str>>) {
    let mut seen = HashSet::new();
    urls.retain(|u| seen.insert(u.clone()));
}

/// `<loc>` and `<link href>` of a sitemap or feed.
fn xml_urls(xml: &str) -> Vec<String> {
    let mut urls = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find("<loc>") {
        let after = &rest[i + 5..];
        if let Some(j) = after.find("</loc>") {
            urls.push(decode_entities(&after[..j]));
            rest = &after[j..];
        } else {
            break;
        }
    }
    urls
}

/// The URLs of an HTML document, as strings (for tests and tools).
pub fn urls_of(html: &str) -> Vec<String> {
    scan(html).urls.into_iter().map(String::from).collect()
}

/// A small HTML tokenizer: collects `id`/`name` attributes and the URLs of `href`, `src` and
/// meta refresh, skipping comments and the contents of `<script>` and `<style>`.
pub fn scan(html: &str) -> Scan {
    let mut ids: Vec<Box<str>> = Vec::new();
    let mut urls: Vec<Box<str>> = Vec::new();
    let b = html.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        if html[i..].starts_with("<!--") {
            i = html[i..].find("-->").map_or(b.len(), |j| i + j + 3);
            continue;
        }
        let start = i + 1;
        let mut j = start;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'-') {
            j += 1;
        }
        if j == start {
            i += 1;
            continue;
        }
        let tag = html[start..j].to_ascii_lowercase();
        // Attributes until '>'.
        let mut attrs: Vec<(String, String)> = Vec::new();
        let mut k = j;
        loop {
            while k < b.len() && (b[k].is_ascii_whitespace() || b[k] == b'/') {
                k += 1;
            }
            if k >= b.len() || b[k] == b'>' {
                break;
            }
            let ns = k;
            while k < b.len() && !b[k].is_ascii_whitespace() && !matches!(b[k], b'=' | b'>' | b'/')
            {
                k += 1;
            }
            let name = html[ns..k].to_ascii_lowercase();
            while k < b.len() && b[k].is_ascii_whitespace() {
                k += 1;
            }
            let mut value = String::new();
            if k < b.len() && b[k] == b'=' {
                k += 1;
                while k < b.len() && b[k].is_ascii_whitespace() {
                    k += 1;
                }
                if k < b.len() && (b[k] == b'"' || b[k] == b'\'') {
                    let q = b[k];
                    let vs = k + 1;
                    k = vs;
                    while k < b.len() && b[k] != q {
                        k += 1;
                    }
                    value = decode_entities(&html[vs..k.min(b.len())]);
                    k = (k + 1).min(b.len());
                } else {
                    let vs = k;
                    while k < b.len() && !b[k].is_ascii_whitespace() && b[k] != b'>' {
                        k += 1;
                    }
                    value = decode_entities(&html[vs..k]);
                }
            }
            if name.is_empty() {
                k += 1;
                continue;
            }
            attrs.push((name, value));
        }
        for (name, value) in &attrs {
            match name.as_str() {
                "id" => ids.push(value.as_str().into()),
                // `<a name="x" id="x">` is one element with one id.
                "name" if tag == "a" && !attrs.iter().any(|(n, v)| n == "id" && v == value) => {
                    ids.push(value.as_str().into())
                }
                "href" if matches!(tag.as_str(), "a" | "link" | "area") => {
                    let rel = attrs
                        .iter()
                        .find(|(n, _)| n == "rel")
                        .map(|(_, v)| v.as_str())
                        .unwrap_or("");
                    // Hints to other hosts are not requests for our files.
                    if !matches!(rel, "preconnect" | "dns-prefetch") {
                        urls.push(value.as_str().into());
                    }
                }
                "src"
                    if matches!(
                        tag.as_str(),
                        "img"
                            | "script"
                            | "iframe"
                            | "source"
                            | "audio"
                            | "video"
                            | "embed"
                            | "track"
                    ) =>
                {
                    urls.push(value.as_str().into())
                }
                "content" if tag == "meta" => {
                    let refresh = attrs
                        .iter()
                        .any(|(n, v)| n == "http-equiv" && v.eq_ignore_ascii_case("refresh"));
                    if refresh && let Some(p) = value.to_ascii_lowercase().find("url=") {
                        urls.push(value[p + 4..].trim().into());
                    }
                }
                _ => {}
            }
        }
        i = (k + 1).min(b.len());
        if tag == "script" || tag == "style" {
            let close = format!("</{tag}");
            let c = close.as_bytes();
            i = b[i..]
                .windows(c.len())
                .position(|w| w.eq_ignore_ascii_case(c))
                .map_or(b.len(), |j| i + j);
        }
    }
    ids.sort_unstable();
    let mut duplicate_ids: Vec<Box<str>> = ids
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0].clone())
        .collect();
    duplicate_ids.dedup();
    ids.dedup();
    dedup_in_order(&mut urls);
    Scan {
        ids,
        urls,
        duplicate_ids,
    }
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_ids_and_urls_but_not_script_or_comments() {
        let s = scan(
            "<a href=\"/x/?a=1&amp;b\" id=top>t</a><!-- <a href=\"/no\"> --><script>if(a<b){x='<img src=\"/no\">'}</script><img src='/i.png'><meta http-equiv=\"refresh\" content=\"0; url=/new/\">",
        );
        let urls: Vec<&str> = s.urls.iter().map(|u| u.as_ref()).collect();
        assert_eq!(urls, vec!["/x/?a=1&b", "/i.png", "/new/"]);
        assert!(s.has_id("top"));
    }
}
