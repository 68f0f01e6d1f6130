//! The search index, built with Pagefind's Rust API from the rendered pages.
//!
//! Pagefind writes a chunked index that the browser loads piece by piece, so a large site does
//! not make every reader download the whole index. Templates mark the indexed part of each page
//! with `data-pagefind-body`; navigation, breadcrumbs, the TOC and footers stay outside it.
//! Indexing runs on its own thread while `render` works: each page is handed over as soon as it
//! is rendered (through a bounded channel, so memory stays flat), and [`Indexer::finish`]
//! returns the index files, which `lib` adds to the same [`crate::output::Output`].

use crate::config::Config;
use crate::error::Diagnostic;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

/// A file of the index, relative to the output root (`pagefind/pagefind.js`).
pub struct IndexFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// The indexing thread and the channel that feeds it.
pub struct Indexer {
    tx: SyncSender<(String, String)>,
    thread: JoinHandle<Result<(usize, Vec<IndexFile>), Diagnostic>>,
}

fn fail(what: &str, e: &dyn std::fmt::Display) -> Diagnostic {
    Diagnostic::new("site.yaml", format!("search index: {what}: {e}"))
        .hint("set `search: false` in site.yaml to build without search")
}

impl Indexer {
    /// Starts the indexing thread.
    pub fn start(config: &Config) -> Indexer {
        let (tx, rx) = sync_channel::<(String, String)>(64);
        let language = config.language.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| fail("cannot start", &e))?;
            let options = pagefind::options::PagefindServiceConfig::builder()
                .keep_index_url(false)
                .force_language(language)
                .build();
            let mut pf = pagefind::api::PagefindIndex::new(Some(options))
                .map_err(|e| fail("bad options", &e))?;
            runtime.block_on(async {
                let mut indexed = 0;
                // Pages arrive in node order: `render` feeds each chunk in order once it is
                // rendered, because Pagefind's file names depend on the order of pages and two
                // builds of the same input must be byte-identical.
                while let Ok((url, html)) = rx.recv() {
                    let r = pf
                        .add_html_file(None, Some(url.clone()), html)
                        .await
                        .map_err(|e| fail(&format!("cannot index {url}"), &e))?;
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
        Indexer { tx, thread }
    }

    /// Hands a rendered page (its URL with the base path, and its HTML) to the indexer.
    pub fn add(&self, url: String, html: &[u8]) {
        // A send fails only if the thread stopped on an error, which `finish` reports.
        let _ = self
            .tx
            .send((url, String::from_utf8_lossy(html).into_owned()));
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
