//! The whole pipeline but the write, through `mekong::check`, on a one-page site on disk whose
//! page has the fuzzed bytes (front matter and body): config, load, link, Markdown, templates,
//! search index (when bit 0 of the first byte is set) and the output check.
//! Never panics; a failure gives diagnostics that each name a file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

fn site() -> &'static PathBuf {
    static SITE: OnceLock<PathBuf> = OnceLock::new();
    SITE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("mekong-fuzz-site-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("content/topics")).unwrap();
        std::fs::write(
            dir.join("content/_index.md"),
            "---\ntitle: Home\n---\nWelcome\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("content/other.md"),
            "---\ntitle: Other\n---\n## Known\n\n### Sub {#sub}\n",
        )
        .unwrap();
        std::fs::write(dir.join("content/topics/pic.png"), b"\x89PNG\r\n").unwrap();
        std::fs::write(
            dir.join("report.txt"),
            "The meeting took place amidst big changes in geo-economics and politics.\n",
        )
        .unwrap();
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, page)) = data.split_first() else {
        return;
    };
    let root = site();
    let search = flags & 1 != 0;
    std::fs::write(
        root.join("site.yaml"),
        format!("title: Fuzz\nsearch: {search}\nsources:\n  report: report.txt\n"),
    )
    .unwrap();
    std::fs::write(root.join("content/topics/page.md"), page).unwrap();
    if let Err(e) = mekong::check(&mekong::Options::new(root)) {
        assert!(!e.diagnostics.is_empty());
        for d in &e.diagnostics {
            assert!(!d.path.as_os_str().is_empty(), "{d:?}");
        }
    }
});
