//! The search index, built with Pagefind's Rust API from the rendered pages.
//!
//! Pagefind writes a chunked index that the browser loads piece by piece, so a large site does
//! not make every reader download the whole index. Templates mark the indexed part of each page
//! with `data-pagefind-body`; navigation, breadcrumbs, the TOC and footers stay outside it. This
//! runs after `render` and adds its files under `pagefind/` to the same in-memory [`Output`].

use crate::config::Config;
use crate::error::Diagnostic;
use crate::link::Site;
use crate::render::{Data, Origin, OutFile, Output};

/// Indexes every page and section of `site` and adds the index files to `output`.
pub fn index(output: &mut Output, site: &Site, config: &Config) -> Result<usize, Diagnostic> {
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        Diagnostic::new("site.yaml", format!("search index: {what}: {e}"))
            .hint("set `search: false` in site.yaml to build without search")
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| fail("cannot start", &e))?;
    let options = pagefind::options::PagefindServiceConfig::builder()
        .keep_index_url(false)
        .force_language(config.language.clone())
        .build();
    let mut pf =
        pagefind::api::PagefindIndex::new(Some(options)).map_err(|e| fail("bad options", &e))?;
    let pages: Vec<(String, String)> = site
        .order
        .iter()
        .filter_map(|&id| {
            let file = site.file(id);
            match &output.files.get(&file)?.data {
                Data::Bytes(b) => Some((
                    format!("{}{}", config.base_path, site.nodes[id].path),
                    String::from_utf8_lossy(b).into_owned(),
                )),
                Data::File(_) => None,
            }
        })
        .collect();
    let files = runtime.block_on(async {
        let mut indexed = 0;
        for (url, html) in pages {
            let r = pf
                .add_html_file(None, Some(url.clone()), html)
                .await
                .map_err(|e| fail(&format!("cannot index {url}"), &e))?;
            if r.page_word_count > 0 {
                indexed += 1;
            }
        }
        let files = pf.get_files().await.map_err(|e| fail("cannot build", &e))?;
        Ok::<_, Diagnostic>((indexed, files))
    })?;
    let (indexed, files) = files;
    let mut errors = Vec::new();
    for f in files {
        let rel = f.filename.to_string_lossy().replace('\\', "/");
        output.add(
            format!("pagefind/{}", rel.trim_start_matches('/')),
            OutFile {
                data: Data::Bytes(f.contents),
                origin: Origin::Generated("the search index"),
            },
            &mut errors,
        );
    }
    match errors.into_iter().next() {
        Some(d) => Err(d),
        None => Ok(indexed),
    }
}
