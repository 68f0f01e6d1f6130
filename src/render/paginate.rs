//! Pagination of listings (issue 17), as Zola does it: a section with `paginate_by: N` in its
//! `_index.md` (and every tag page with `tags_paginate_by: N` in site.yaml) lists its pages N
//! at a time. The first pager lives at the listing's own URL, pager n at `<url>page/n/`, and
//! `<url>page/1/` redirects to the listing's URL. Templates get a `paginator` (Zola's fields,
//! URLs with the base path) and the listing's `pages` cut to the pager's share.
//!
//! This module only does the arithmetic and the views; `render` renders each pager with them,
//! `site_files` lists the pagers in the sitemap, `expected_paths` knows their files.

use super::context::SummaryView;
use serde::Serialize;
use std::ops::Range;

/// One pager of a listing: its 1-based number, how many there are, and its share of the items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pager {
    pub index: usize,
    pub count: usize,
    pub items: Range<usize>,
}

/// The pagers of a listing of `total` items, `per` a pager (one pager without `per`, or for no
/// items at all: an empty section still has its page).
pub fn pagers(total: usize, per: Option<usize>) -> Vec<Pager> {
    let per = per.unwrap_or(total).max(1);
    let count = total.div_ceil(per).max(1);
    (0..count)
        .map(|i| Pager {
            index: i + 1,
            count,
            items: (i * per).min(total)..((i + 1) * per).min(total),
        })
        .collect()
}

/// The URL of pager `n` of the listing at `url` (which ends with `/`): the first is the
/// listing's own.
pub fn pager_url(url: &str, n: usize) -> String {
    if n <= 1 {
        url.to_string()
    } else {
        format!("{url}page/{n}/")
    }
}

/// The output file of pager `n` of the listing whose output folder is `dir` (`""` for the
/// root, else ending with `/`).
pub fn pager_file(dir: &str, n: usize) -> String {
    if n <= 1 {
        format!("{dir}index.html")
    } else {
        format!("{dir}page/{n}/index.html")
    }
}

/// The redirect `<dir>page/1/index.html` that sends readers to the listing's own URL.
pub fn first_redirect_file(dir: &str) -> String {
    format!("{dir}page/1/index.html")
}

/// Every extra file of a paginated listing in `dir`: pagers 2.. and the page-1 redirect.
pub fn extra_files(dir: &str, count: usize) -> impl Iterator<Item = String> + '_ {
    let redirect = (count > 1).then(|| first_redirect_file(dir));
    (2..=count).map(move |n| pager_file(dir, n)).chain(redirect)
}

/// What templates see as `paginator` (Zola's names).
#[derive(Serialize)]
pub struct PaginatorView<'a> {
    pub paginate_by: usize,
    /// 1-based.
    pub current_index: usize,
    pub number_pagers: usize,
    /// Items of the whole listing.
    pub total_pages: usize,
    pub base_url: &'a str,
    pub first: String,
    pub last: String,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub pages: &'a [SummaryView<'a>],
}

impl<'a> PaginatorView<'a> {
    pub fn new(
        pager: &Pager,
        per: usize,
        total: usize,
        url: &'a str,
        pages: &'a [SummaryView<'a>],
    ) -> PaginatorView<'a> {
        PaginatorView {
            paginate_by: per,
            current_index: pager.index,
            number_pagers: pager.count,
            total_pages: total,
            base_url: url,
            first: pager_url(url, 1),
            last: pager_url(url, pager.count),
            previous: (pager.index > 1).then(|| pager_url(url, pager.index - 1)),
            next: (pager.index < pager.count).then(|| pager_url(url, pager.index + 1)),
            pages,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagers_split_the_items_and_keep_one_for_an_empty_listing() {
        let p = pagers(7, Some(3));
        assert_eq!(
            p.iter().map(|p| p.items.clone()).collect::<Vec<_>>(),
            vec![0..3, 3..6, 6..7]
        );
        assert!(p.iter().all(|p| p.count == 3));
        assert_eq!(pagers(6, Some(3)).len(), 2);
        assert_eq!(
            pagers(0, Some(3)),
            vec![Pager {
                index: 1,
                count: 1,
                items: 0..0
            }]
        );
        assert_eq!(pagers(5, None).len(), 1);
        assert_eq!(pagers(5, None)[0].items, 0..5);
    }

    #[test]
    fn pager_urls_and_files() {
        assert_eq!(pager_url("/repo/docs/", 1), "/repo/docs/");
        assert_eq!(pager_url("/repo/docs/", 3), "/repo/docs/page/3/");
        assert_eq!(pager_file("docs/", 1), "docs/index.html");
        assert_eq!(pager_file("", 2), "page/2/index.html");
        assert_eq!(
            extra_files("docs/", 3).collect::<Vec<_>>(),
            vec![
                "docs/page/2/index.html",
                "docs/page/3/index.html",
                "docs/page/1/index.html"
            ]
        );
        assert_eq!(extra_files("docs/", 1).count(), 0);
    }
}
