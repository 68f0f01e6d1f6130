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
//! [`crate::output::Output`]. A build keeps the pages it parsed beside the output ([`store`])
//! and takes from there every page whose HTML did not change.

mod store;

use crate::config::Config;
use crate::error::Diagnostic;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

/// How many entries (a page of a word, or one of its positions) one chunk of the index holds,
/// Pagefind's default being 20,000. A first search downloads Pagefind's scripts, its wasm,
/// the metadata and the chunk of each word searched for, so a smaller chunk means fewer other
/// words fetched with it: on a site with a real vocabulary a chunk holds many rare words. A
/// word's own postings are never split (a word on every page of the 10,000-page benchmark
/// corpus is a ~216 KB chunk by itself at any size; bench/search.md). 8,000 made that
/// corpus's median chunk 156 KB instead of 221 KB, with 117 chunk files instead of 107.
const INDEX_CHUNK_SIZE: usize = 8_000;

/// A file of the index, relative to the output root (`pagefind/pagefind.js`).
pub struct IndexFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// A page parsed for the index by [`Indexer::parse`], or why it could not be; with its record
/// for the next build's store when the indexer keeps one, and whether it came from the last.
pub struct Parsed(
    Result<pagefind::api::ParsedHtmlFile, Diagnostic>,
    Option<store::Record>,
    bool,
);

/// What [`Indexer::finish`] gives: the index's files and what it took.
pub struct Index {
    /// Pages with indexed words.
    pub pages: usize,
    /// Of those, how many this run parsed from their HTML (the others came from a store or
    /// cache).
    pub parsed: usize,
    pub files: Vec<IndexFile>,
}

/// The pages parsed for the last index, by URL, each with a hash of the HTML it was parsed
/// from. `serve`'s search worker keeps one between refreshes, so that after an edit only the
/// pages whose HTML changed are parsed again (parsing is most of the cost of an index); the
/// index is then built from every page as a fresh one is, and comes out byte-identical.
#[derive(Default)]
pub struct ParseCache {
    /// What the pages were parsed with ([`parse_options`]): another language setting makes
    /// every page parse differently.
    options: String,
    pages: std::collections::HashMap<String, (u64, pagefind::api::ParsedHtmlFile)>,
    /// How many pages the index that made this cache parsed anew.
    parsed: usize,
}

/// The part of the configuration that Pagefind's parsing depends on (see [`Indexer::start`]).
fn parse_options(config: &Config) -> String {
    let codes: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
    format!("{}|{}", config.language, codes.join(","))
}

/// A page parsed anew by [`Indexer::parse_cached`], for the next [`ParseCache`].
pub struct CachedPage(String, u64, pagefind::api::ParsedHtmlFile);

impl ParseCache {
    /// The next cache: the pages of `urls` (the pages of the new index), each from `fresh`
    /// when it was parsed again, else from this cache. Pages that are gone are dropped.
    pub fn renew<'a>(
        mut self,
        urls: impl Iterator<Item = &'a str>,
        fresh: Vec<CachedPage>,
    ) -> ParseCache {
        let parsed = fresh.len();
        let mut pages = std::collections::HashMap::new();
        for CachedPage(url, hash, page) in fresh {
            pages.insert(url, (hash, page));
        }
        for url in urls {
            if !pages.contains_key(url)
                && let Some(old) = self.pages.remove(url)
            {
                pages.insert(url.to_string(), old);
            }
        }
        ParseCache {
            options: self.options,
            pages,
            parsed,
        }
    }

    /// This cache if it was made with `config`'s parse options, else an empty one for them.
    pub fn for_config(self, config: &Config) -> ParseCache {
        let options = parse_options(config);
        if self.options == options {
            self
        } else {
            ParseCache {
                options,
                ..ParseCache::default()
            }
        }
    }

    /// How many pages the index that made this cache parsed anew (the others came from the
    /// cache before it).
    pub fn parsed(&self) -> usize {
        self.parsed
    }

    pub fn len(&self) -> usize {
        self.pages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }
}

/// The indexing thread, the channel that feeds it, and the parser of its options.
pub struct Indexer {
    tx: SyncSender<Parsed>,
    parser: Option<pagefind::api::HtmlParser>,
    /// The pages the last build parsed (when this run keeps a store).
    previous: Option<store::Previous>,
    /// Whether this run writes a store: each page's record is made as it is parsed.
    records: bool,
    thread: JoinHandle<Result<Index, Diagnostic>>,
    /// Tells the thread whether to keep the store it wrote (the index and the build are good).
    keep: SyncSender<bool>,
}

fn fail(what: &str, e: &dyn std::fmt::Display) -> Diagnostic {
    Diagnostic::new("site.yaml", format!("search index: {what}: {e}"))
        .hint("set `search: false` in site.yaml to build without search")
}

impl Indexer {
    /// Starts the indexing thread.
    pub fn start(config: &Config) -> Indexer {
        Indexer::start_with(config, None)
    }

    /// Starts the indexing thread, which reads the pages of the store at `store` (when there is
    /// one of these options) and writes the next one there.
    pub fn start_with(config: &Config, store: Option<&std::path::Path>) -> Indexer {
        let (tx, rx) = sync_channel::<Parsed>(64);
        let (keep, keep_rx) = sync_channel::<bool>(1);
        let options_key = parse_options(config);
        let previous = store.and_then(|p| store::Previous::open(p, &options_key));
        let mut next = store.map(|p| store::Next::create(p, &options_key));
        let records = next.is_some();
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
            let index = runtime.block_on(async {
                let (mut indexed, mut parsed) = (0, 0);
                // Pages arrive in node order: `render` sends each chunk in order once it is
                // rendered, because Pagefind's file names depend on the order of pages and two
                // builds of the same input must be byte-identical.
                while let Ok(Parsed(page, record, reused)) = rx.recv() {
                    if let (Some(next), Some(record)) = (&mut next, &record) {
                        next.add(record);
                    }
                    let r = pf
                        .add_parsed_file(page?)
                        .await
                        .map_err(|e| fail("cannot add a page", &e))?;
                    if r.page_word_count > 0 {
                        indexed += 1;
                        parsed += usize::from(!reused);
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
                Ok(Index {
                    pages: indexed,
                    parsed,
                    files,
                })
            });
            // The store is kept only for a complete index of a build that went through.
            let keep = index.is_ok() && keep_rx.recv().unwrap_or(false);
            if let Some(next) = next {
                next.finish(keep);
            }
            index
        });
        Indexer {
            tx,
            parser,
            previous,
            records,
            thread,
            keep,
        }
    }

    /// Parses a rendered page (its URL with the base path, and its HTML) for the index; safe
    /// to call on many threads at once. The result goes to [`Indexer::add`], in page order.
    pub fn parse(&self, url: &str, html: &[u8]) -> Parsed {
        if !self.records {
            return Parsed(self.parse_html(url, html), None, false);
        }
        let hash = store::hash(html);
        if let Some((page, record)) = self.previous.as_ref().and_then(|p| p.get(url, hash)) {
            return Parsed(Ok(page), Some(record), true);
        }
        let page = self.parse_html(url, html);
        let record = page.as_ref().ok().map(|p| store::Record::new(url, hash, p));
        Parsed(page, record, false)
    }

    fn parse_html(
        &self,
        url: &str,
        html: &[u8],
    ) -> Result<pagefind::api::ParsedHtmlFile, Diagnostic> {
        let Some(parser) = &self.parser else {
            // The options were refused; the thread reports it from `finish`.
            return Err(fail("bad options", &"see above"));
        };
        // Rendered pages are UTF-8; the lossy path only runs for raw HTML that is not.
        let html = String::from_utf8(html.to_vec())
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        parser
            .parse(None, Some(url.to_string()), html)
            .map_err(|e| fail(&format!("cannot index {url}"), &e))
    }

    /// Like [`Indexer::parse`], but a page whose HTML is the one `cache` parsed before is
    /// taken from it; what was parsed anew goes in `fresh`, to be the next cache.
    pub fn parse_cached(
        &self,
        cache: &ParseCache,
        url: &str,
        html: &[u8],
    ) -> (Parsed, Option<CachedPage>) {
        let hash = store::hash(html);
        if let Some((h, page)) = cache.pages.get(url)
            && *h == hash
        {
            return (Parsed(Ok(page.clone()), None, true), None);
        }
        let parsed = self.parse(url, html);
        let fresh = match &parsed.0 {
            Ok(page) => Some(CachedPage(url.to_string(), hash, page.clone())),
            Err(_) => None,
        };
        (parsed, fresh)
    }

    /// Hands a parsed page to the index.
    pub fn add(&self, page: Parsed) {
        // A send fails only if the thread stopped on an error, which `finish` reports.
        let _ = self.tx.send(page);
    }

    /// Waits for the index. `keep`: whether the run went through, so that the store written
    /// on the way replaces the last one (else the last one stays as it was).
    pub fn finish(self, keep: bool) -> Result<Index, Diagnostic> {
        drop(self.tx);
        let _ = self.keep.send(keep);
        self.thread.join().map_err(|_| {
            Diagnostic::new(
                "site.yaml",
                "search index: the indexer stopped unexpectedly",
            )
        })?
    }
}
