//! [mekong patch] A compact binary form of a parsed page ([`FossickedData`]), so that a caller
//! can keep the pages it parsed between runs (on disk) and parse again only the pages whose
//! HTML changed. The form is private to this version of the crate: a caller stores it with its
//! own fingerprint and drops it when the crate changes.
//!
//! Integers are LEB128 varints (zig-zag for signed ones), strings and lists are prefixed by
//! their length. Maps are written in key order, so the same page always encodes to the same
//! bytes. [`decode`] never panics: bytes that are short, too long, not UTF-8 where text is
//! expected, that describe packed words whose offsets do not fit or meta words of a field the
//! page does not have, give `None`.

use hashbrown::HashMap;
use std::collections::BTreeMap;

use super::{FossickedData, FossickedWord, MetaFossickedWord};
use crate::fragments::{PageAnchorData, PageFragment, PageFragmentData};
use crate::index::PagePackedWords;

/// The first byte of every encoded page; another byte is another form.
const FORM: u8 = 1;

/// Encodes a parsed page; [`decode`] gives it back.
pub(crate) fn encode(page: &FossickedData) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(page.fragment.data.content.len() * 2 + 256));
    w.0.push(FORM);
    w.str(&page.url);
    let data = &page.fragment.data;
    w.str(&data.url);
    w.str(&data.content);
    w.uint(data.word_count as u64);
    w.uint(data.filters.len() as u64);
    for (name, values) in &data.filters {
        w.str(name);
        w.uint(values.len() as u64);
        values.iter().for_each(|v| w.str(v));
    }
    w.str_map(&data.meta);
    w.uint(data.anchors.len() as u64);
    for a in &data.anchors {
        w.str(&a.element);
        w.str(&a.id);
        w.str(&a.text);
        w.opt_str(a.title.as_deref());
        w.uint(a.location as u64);
    }
    let mut words: Vec<_> = page.word_data.iter().collect();
    words.sort_by(|a, b| a.0.cmp(b.0));
    w.uint(words.len() as u64);
    for (word, positions) in words {
        w.str(word);
        w.uint(positions.len() as u64);
        for p in positions {
            w.uint(p.position as u64);
            w.uint(p.weight as u64);
            w.opt_str(p.original_word.as_deref());
        }
    }
    let packed = &page.packed_words;
    w.str(&packed.text);
    w.uint(packed.ends.len() as u64);
    for &(a, b, c) in &packed.ends {
        w.uint(a as u64);
        w.uint(b as u64);
        w.uint(c as u64);
    }
    w.ints(&packed.locs);
    w.uint(packed.variants.len() as u64);
    for (form, locs) in &packed.variants {
        w.str(form);
        w.ints(locs);
    }
    let mut meta_words: Vec<_> = page.meta_word_data.iter().collect();
    meta_words.sort_by(|a, b| a.0.cmp(b.0));
    w.uint(meta_words.len() as u64);
    for (word, positions) in meta_words {
        w.str(word);
        w.uint(positions.len() as u64);
        for p in positions {
            w.uint(p.field_id as u64);
            w.uint(p.position as u64);
            w.opt_str(p.original_word.as_deref());
        }
    }
    w.str_map(&page.sort);
    for flag in [
        page.has_custom_body,
        page.force_inclusion,
        page.has_html_element,
        page.has_old_bundle_reference,
        page.has_default_ui_reference,
    ] {
        w.0.push(flag as u8);
    }
    w.str(&page.language);
    w.0
}

/// The page that [`encode`] made these bytes from, or `None` if they are not such bytes.
pub(crate) fn decode(bytes: &[u8]) -> Option<FossickedData> {
    let mut r = Reader(bytes);
    if r.byte()? != FORM {
        return None;
    }
    let url = r.str()?;
    let fragment_url = r.str()?;
    let content = r.str()?;
    let word_count = r.uint()? as usize;
    let mut filters = BTreeMap::new();
    for _ in 0..r.count()? {
        let name = r.str()?;
        let n = r.count()?;
        let mut values = Vec::with_capacity(n.min(64));
        for _ in 0..n {
            values.push(r.str()?);
        }
        filters.insert(name, values);
    }
    let meta = r.str_map()?;
    let n = r.count()?;
    let mut anchors = Vec::with_capacity(n.min(1024));
    for _ in 0..n {
        anchors.push(PageAnchorData {
            element: r.str()?,
            id: r.str()?,
            text: r.str()?,
            title: r.opt_str()?,
            location: r.u32()?,
        });
    }
    let mut word_data = HashMap::new();
    for _ in 0..r.count()? {
        let word = r.str()?;
        let n = r.count()?;
        let mut positions = Vec::with_capacity(n.min(1024));
        for _ in 0..n {
            positions.push(FossickedWord {
                position: r.u32()?,
                weight: u8::try_from(r.uint()?).ok()?,
                original_word: r.opt_str()?,
            });
        }
        word_data.insert(word, positions);
    }
    let text = r.str()?;
    let n = r.count()?;
    let mut ends = Vec::with_capacity(n.min(4096));
    for _ in 0..n {
        ends.push((r.u32()?, r.u32()?, r.u32()?));
    }
    let locs = r.ints()?;
    let n = r.count()?;
    let mut variants = Vec::with_capacity(n.min(1024));
    for _ in 0..n {
        variants.push((r.str()?, r.ints()?));
    }
    let packed_words = PagePackedWords {
        text,
        ends,
        locs,
        variants,
    };
    if !packed_words.is_consistent() {
        return None;
    }
    let mut meta_word_data = HashMap::new();
    for _ in 0..r.count()? {
        let word = r.str()?;
        let n = r.count()?;
        let mut positions = Vec::with_capacity(n.min(1024));
        for _ in 0..n {
            positions.push(MetaFossickedWord {
                field_id: u16::try_from(r.uint()?).ok()?,
                position: r.u32()?,
                original_word: r.opt_str()?,
            });
        }
        meta_word_data.insert(word, positions);
    }
    // A meta word's field is the place of a key of the page's meta (the index maps it).
    if meta_word_data
        .values()
        .flatten()
        .any(|w: &MetaFossickedWord| w.field_id as usize >= meta.len())
    {
        return None;
    }
    let sort = r.str_map()?;
    let mut flags = [false; 5];
    for f in &mut flags {
        *f = match r.byte()? {
            0 => false,
            1 => true,
            _ => return None,
        };
    }
    let language = r.str()?;
    if !r.0.is_empty() {
        return None;
    }
    let [has_custom_body, force_inclusion, has_html_element, has_old_bundle_reference, has_default_ui_reference] =
        flags;
    Some(FossickedData {
        url,
        fragment: PageFragment {
            data: PageFragmentData {
                url: fragment_url,
                content,
                word_count,
                filters,
                meta,
                anchors,
            },
        },
        word_data,
        packed_words,
        meta_word_data,
        sort,
        has_custom_body,
        force_inclusion,
        has_html_element,
        has_old_bundle_reference,
        has_default_ui_reference,
        language,
    })
}

struct Writer(Vec<u8>);

impl Writer {
    fn uint(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.0.push((n as u8) | 0x80);
            n >>= 7;
        }
        self.0.push(n as u8);
    }

    fn str(&mut self, s: &str) {
        self.uint(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.0.push(0),
            Some(s) => {
                self.0.push(1);
                self.str(s);
            }
        }
    }

    fn str_map(&mut self, map: &BTreeMap<String, String>) {
        self.uint(map.len() as u64);
        for (k, v) in map {
            self.str(k);
            self.str(v);
        }
    }

    fn ints(&mut self, ints: &[i32]) {
        self.uint(ints.len() as u64);
        for &i in ints {
            self.uint(((i << 1) ^ (i >> 31)) as u32 as u64);
        }
    }
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }

    fn uint(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= ((b & 0x7f) as u64).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }

    fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.uint()?).ok()
    }

    /// A count of items that follow: each takes at least one byte, so a count larger than
    /// what is left is wrong (and must not size an allocation).
    fn count(&mut self) -> Option<usize> {
        let n = usize::try_from(self.uint()?).ok()?;
        (n <= self.0.len()).then_some(n)
    }

    fn str(&mut self) -> Option<String> {
        let n = self.count()?;
        let (s, rest) = self.0.split_at(n);
        self.0 = rest;
        String::from_utf8(s.to_vec()).ok()
    }

    fn opt_str(&mut self) -> Option<Option<String>> {
        match self.byte()? {
            0 => Some(None),
            1 => Some(Some(self.str()?)),
            _ => None,
        }
    }

    fn str_map(&mut self) -> Option<BTreeMap<String, String>> {
        let mut map = BTreeMap::new();
        for _ in 0..self.count()? {
            let k = self.str()?;
            map.insert(k, self.str()?);
        }
        Some(map)
    }

    fn ints(&mut self) -> Option<Vec<i32>> {
        let n = self.count()?;
        let mut ints = Vec::with_capacity(n);
        for _ in 0..n {
            let z = self.u32()?;
            ints.push(((z >> 1) as i32) ^ -((z & 1) as i32));
        }
        Some(ints)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(html: &str) -> FossickedData {
        let options = crate::SearchOptions::load(
            serde_json::from_str::<crate::PagefindInboundConfig>(r#"{"service": true}"#)
                .unwrap(),
        )
        .unwrap();
        let file = super::super::Fossicker::new_synthetic(
            None,
            Some("/a/".into()),
            html.to_string(),
        );
        let mut page = file.fossick_sync(&options).unwrap();
        page.pack();
        page
    }

    const HTML: &str = r#"<html lang="en"><body><main data-pagefind-body>
        <h1 id="t">Ministers' Meeting</h1><p data-pagefind-filter="tag">ASEAN</p>
        <p>Café résumé, ministers met; <span data-pagefind-meta="kind">report</span></p>
        <table><tr><td>RCEP</td><td>Agreed</td></tr></table><h2 id="two">Two</h2>
        <p data-pagefind-sort="date">2018</p><p>会议 การประชุม</p></main></body></html>"#;

    #[test]
    fn a_page_comes_back_as_it_was_encoded() {
        let p = page(HTML);
        assert!(!p.packed_words.is_empty());
        let bytes = encode(&p);
        let back = decode(&bytes).expect("decodes");
        assert_eq!(encode(&back), bytes);
        assert_eq!(back.fragment.data.content, p.fragment.data.content);
        assert_eq!(back.fragment.data.anchors.len(), p.fragment.data.anchors.len());
        assert_eq!(back.meta_word_data, p.meta_word_data);
        assert_eq!(back.sort, p.sort);
        assert_eq!(back.language, p.language);
    }

    #[test]
    fn cut_or_changed_bytes_never_panic() {
        let bytes = encode(&page(HTML));
        for end in 0..bytes.len() {
            assert!(decode(&bytes[..end]).is_none(), "cut at {end}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer).is_none());
        // Every byte changed in turn, to several values: decoding may succeed (a changed
        // letter is still a page) but must not panic, and what it gives must be usable.
        for i in 0..bytes.len() {
            for v in [0u8, 1, 0x7f, 0x80, 0xff] {
                let mut b = bytes.clone();
                b[i] = v;
                if let Some(p) = decode(&b) {
                    let _ = p.packed_words.words(0).count();
                }
            }
        }
    }
}
