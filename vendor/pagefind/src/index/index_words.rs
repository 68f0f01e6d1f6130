use minicbor::Encode;

/// The word index chunks in `pagefind/index/`

/// A single word index chunk: `pagefind/index/*.pf_index`
#[derive(Encode)]
pub struct WordIndex {
    #[n(0)]
    pub words: Vec<PackedWord>,
}

/// A single word as an inverse index of all locations on the site
#[derive(Encode, Clone, Debug)]
pub struct PackedWord {
    #[n(0)]
    pub word: String,
    #[n(1)]
    pub pages: Vec<PackedPage>,
    #[n(2)]
    pub additional_variants: Vec<PackedVariant>,
}

/// A variant of a word with different diacritics (e.g., "café" vs "cafe")
#[derive(Encode, Clone, Debug)]
pub struct PackedVariant {
    #[n(0)]
    pub form: String,
    #[n(1)]
    pub pages: Vec<PackedPage>,
}

/// A set of locations on a given page
#[derive(Encode, Clone, Debug)]
pub struct PackedPage {
    #[n(0)]
    pub page_number: usize, // Won't exceed u32 but saves us some into()s
    #[n(1)]
    pub locs: Vec<i32>,
    #[n(2)]
    pub meta_locs: Vec<i32>,
}

impl PackedWord {
    /// [mekong patch] A copy of a word packed for one page (see `pack_words`), placed on the
    /// given page.
    pub fn with_page_number(&self, page_number: usize) -> PackedWord {
        let place = |pages: &[PackedPage]| {
            pages
                .iter()
                .map(|p| PackedPage {
                    page_number,
                    locs: p.locs.clone(),
                    meta_locs: p.meta_locs.clone(),
                })
                .collect()
        };
        PackedWord {
            word: self.word.clone(),
            pages: place(&self.pages),
            additional_variants: self
                .additional_variants
                .iter()
                .map(|v| PackedVariant {
                    form: v.form.clone(),
                    pages: place(&v.pages),
                })
                .collect(),
        }
    }
}
