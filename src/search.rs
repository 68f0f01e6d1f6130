//! The search index, built with Pagefind's Rust API from the rendered pages.
//!
//! Pagefind writes a chunked index that the browser loads piece by piece, so a large site does
//! not make every reader download the whole index. Templates mark the indexed part of each page
//! with `data-pagefind-body`; navigation, breadcrumbs, the TOC and footers stay outside it.
//! Parsing a page for the index (HTML to words, positions and the excerpt text) is most of
//! Pagefind's work, so it runs where the page is rendered, on render's threads
//! ([`Indexer::parse`], through the patched Pagefind's `HtmlParser`, which takes no lock; see
//! vendor/pagefind/PATCHES.md). The parsed pages go in node order, through a bounded channel,
//! to the indexing thread, which only files them ([`Indexer::add`]); [`Indexer::finish`] builds
//! the index (on rayon's threads) and returns its files, which `lib` adds to the same
//! [`crate::output::Output`].

use crate::config::Config;
use crate::error::Diagnostic;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

/// How many entries (a page of a word, or one of its positions) one chunk of the index holds.
/// A first search downloads Pagefind's script, its wasm, the metadata and the chunk of each
/// word searched for; at Pagefind's default (20,000) a chunk of the 10,000-page benchmark
/// corpus is ~220 KB compressed, and the first search ~420 KB. At 8,000 a chunk is ~90 KB
/// and the first search under 300 KB (issue 16; bench/search.md), for two and a half times
/// as many chunk files, which only the words searched for are fetched from.
const INDEX_CHUNK_SIZE: usize = 8_000;

/// A file of the index, relative to the output root (`pagefind/pagefind.js`).
pub struct IndexFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// A page parsed for the index by [`Indexer::parse`], or why it could not be.
pub struct Parsed(Result<pagefind::api::ParsedHtmlFile, Diagnostic>);

/// The indexing thread, the channel that feeds it, and the parser of its options.
pub struct Indexer {
    tx: SyncSender<Parsed>,
    parser: Option<pagefind::api::HtmlParser>,
    thread: JoinHandle<Result<(usize, Vec<IndexFile>), Diagnostic>>,
}

fn fail(what: &str, e: &dyn std::fmt::Display) -> Diagnostic {
    Diagnostic::new("site.yaml", format!("search index: {what}: {e}"))
        .hint("set `search: false` in site.yaml to build without search")
}

impl Indexer {
    /// Starts the indexing thread.
    pub fn start(config: &Config) -> Indexer {
        let (tx, rx) = sync_channel::<Parsed>(64);
        let options = pagefind::options::PagefindServiceConfig::builder()
            .keep_index_url(false)
            .index_chunk_size(INDEX_CHUNK_SIZE);
        // A multilingual site gets an index per language, read from each page's `<html lang>`
        // (issue 20); a single-language site's pages all go in the site's language.
        let options = if config.languages.is_empty() {
            options.force_language(config.language.clone()).build()
        } else {
            options.build()
        };
        let pf = pagefind::api::PagefindIndex::new(Some(options));
        let parser = pf.as_ref().ok().map(|pf| pf.parser());
        let thread = std::thread::spawn(move || {
            let mut pf = pf.map_err(|e| fail("bad options", &e))?;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| fail("cannot start", &e))?;
            runtime.block_on(async {
                let mut indexed = 0;
                // Pages arrive in node order: `render` sends each chunk in order once it is
                // rendered, because Pagefind's file names depend on the order of pages and two
                // builds of the same input must be byte-identical.
                while let Ok(Parsed(page)) = rx.recv() {
                    let r = pf
                        .add_parsed_file(page?)
                        .await
                        .map_err(|e| fail("cannot add a page", &e))?;
                    if r.page_word_count > 0 {
                        indexed += 1;
                    }
                }
                let files = pf.get_files().await.map_err(|e| fail("cannot build", &e))?;
                // Pagefind's ready-made UIs and highlighter are not used: the theme drives the
                // JavaScript API itself. Leaving them out saves ~400 KB per site.
                let files = files
                    .into_iter()
                    .filter(|f| {
                        let name = f.filename.to_string_lossy();
                        ![
                            "pagefind-ui.",
                            "pagefind-component-ui.",
                            "pagefind-modular-ui.",
                            "pagefind-highlight.",
                        ]
                        .iter()
                        .any(|ui| name.starts_with(ui))
                    })
                    .map(|f| IndexFile {
                        path: format!(
                            "pagefind/{}",
                            f.filename
                                .to_string_lossy()
                                .replace('\\', "/")
                                .trim_start_matches('/')
                        ),
                        bytes: f.contents,
                    })
                    .collect();
                Ok((indexed, files))
            })
        });
        Indexer { tx, parser, thread }
    }

    /// Parses a rendered page (its URL with the base path, and its HTML) for the index; safe
    /// to call on many threads at once. The result goes to [`Indexer::add`], in page order.
    pub fn parse(&self, url: &str, html: &[u8]) -> Parsed {
        let Some(parser) = &self.parser else {
            // The options were refused; the thread reports it from `finish`.
            return Parsed(Err(fail("bad options", &"see above")));
        };
        // Rendered pages are UTF-8; the lossy path only runs for raw HTML that is not.
        let html = String::from_utf8(html.to_vec())
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        Parsed(
            parser
                .parse(None, Some(url.to_string()), html)
                .map_err(|e| fail(&format!("cannot index {url}"), &e)),
        )
    }

    /// Hands a parsed page to the index.
    pub fn add(&self, page: Parsed) {
        // A send fails only if the thread stopped on an error, which `finish` reports.
        let _ = self.tx.send(page);
    }

    /// Waits for the index: the number of pages with indexed words, and the files.
    pub fn finish(self) -> Result<(usize, Vec<IndexFile>), Diagnostic> {
        drop(self.tx);
        self.thread.join().map_err(|_| {
            Diagnostic::new(
                "site.yaml",
                "search index: the indexer stopped unexpectedly",
            )
        })?
    }
}
