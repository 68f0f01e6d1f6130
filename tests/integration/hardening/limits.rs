//! Limits: very large, deep or long inputs build, or fail with a located error, in bounded
//! time. The 50 MB page and the 5,000 pages in one folder run only with `--ignored`.

use super::{Fence, assert_builds, assert_errors_located, fm, guarded, tree};
use std::time::Instant;

#[test]
fn ten_thousand_headings_on_one_page_build() {
    let f = Fence::new();
    f.write("site.yaml", "title: H\n");
    let mut body = fm("Home");
    for i in 0..10_000 {
        body.push_str(&format!("## Heading {i}\n\ntext {i}\n\n"));
    }
    body.push_str("[last](#heading-9999)\n");
    f.write("content/_index.md", body);
    assert_builds(&f);
    let html = std::fs::read_to_string(f.path("public/index.html")).unwrap();
    assert!(html.contains("id=\"heading-9999\""));
}

#[test]
fn a_link_chain_a_thousand_pages_deep_builds() {
    let f = Fence::new();
    f.write("site.yaml", "title: Chain\nsearch: false\n");
    f.write(
        "content/_index.md",
        format!("{}[start](s00/p0000.md#next)\n", fm("Home")),
    );
    // 40 sections of 25 pages, so that the sidebar stays small; page i links to page i+1.
    let rel = |i: usize| format!("s{:02}/p{i:04}.md", i / 25);
    for i in 0..1000 {
        let link = if i + 1 < 1000 {
            format!("[next](@/{}#next)", rel(i + 1))
        } else {
            "[home](@/_index.md)".to_string()
        };
        f.write(
            &format!("content/{}", rel(i)),
            format!("{}## Next\n\n{link}\n", fm(&format!("P{i}"))),
        );
    }
    let s = assert_builds(&f);
    assert_eq!(s.pages, 1 + 40 + 1000);
    let last = std::fs::read_to_string(f.path("public/s38/p0974/index.html")).unwrap();
    assert!(
        last.contains("href=\"/s39/p0975/#next\""),
        "chain link rewritten"
    );
}

/// 5,000 static files in one folder: linear, fast.
#[test]
fn five_thousand_static_files_in_one_folder_build() {
    let f = Fence::new();
    f.write("site.yaml", "title: Many\nsearch: false\n");
    f.write("content/_index.md", fm("Home"));
    let dir = f.path("static/many");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..5000 {
        std::fs::write(dir.join(format!("f{i:04}.txt")), i.to_string()).unwrap();
    }
    assert_builds(&f);
    assert_eq!(
        std::fs::read_dir(f.path("public/many")).unwrap().count(),
        5000
    );
}

/// 5,000 Markdown pages in one folder. The sidebar shows the `nav_siblings` nearest entries
/// (issue 17), so the output grows with the count, not with its square (it was about 2 GB).
#[test]
fn five_thousand_pages_in_one_folder_build() {
    let f = Fence::new();
    f.write("site.yaml", "title: Many\n");
    f.write("content/_index.md", fm("Home"));
    for i in 0..5000 {
        f.write(
            &format!("content/f/p{i:05}.md"),
            format!("{}text {i}\n", fm(&format!("P{i}"))),
        );
    }
    let s = guarded("build", || mekong::build(&f.options())).unwrap();
    assert_eq!(s.produced.pages, 5002);
}

/// A content path of about 4,000 bytes (folders of 200 bytes): a site, or a clean error.
#[test]
fn a_path_of_four_thousand_bytes_builds_or_fails_cleanly() {
    let f = Fence::new();
    f.write("content/_index.md", fm("Home"));
    let mut rel = String::from("content");
    while rel.len() < 3_800 {
        rel.push_str(&format!("/{}", "d".repeat(200)));
    }
    rel.push_str(&format!("/{}.md", "p".repeat(150)));
    assert!(rel.len() > 3_900, "{}", rel.len());
    f.write(&rel, format!("{}Deep down\n", fm("Deep")));
    let before = f.inventory();
    match guarded("build", || mekong::build(&f.options())) {
        Ok(_) => {
            let n = tree(&f.path("public"))
                .keys()
                .filter(|k| k.ends_with(&format!("{}/index.html", "p".repeat(150))))
                .count();
            assert_eq!(n, 1, "the deep page was written");
        }
        Err(e) => {
            assert_errors_located(&e);
            eprintln!("4,000-byte path: {e}");
        }
    }
    f.assert_contained(&before, &f.inventory(), &["public"]);
}

/// A source whose absolute path is longer than PATH_MAX (4,096 bytes): a located error naming
/// it, not a panic. No system call accepts such a path, so the tree is made in two halves and
/// the second is renamed into the first.
#[cfg(unix)]
#[test]
fn a_path_longer_than_path_max_is_a_located_error() {
    let f = Fence::new();
    f.write("content/_index.md", fm("Home"));
    let name = "d".repeat(250);
    let mut deep = f.path("content");
    for _ in 0..12 {
        deep.push(&name);
    }
    std::fs::create_dir_all(&deep).unwrap();
    let half = f.dir.path().join("half");
    let mut leaf = half.clone();
    for _ in 0..6 {
        leaf.push(&name);
    }
    std::fs::create_dir_all(&leaf).unwrap();
    std::fs::write(leaf.join("page.md"), fm("Deep")).unwrap();
    std::fs::rename(half.join(&name), deep.join(&name)).unwrap();
    assert!(deep.as_os_str().len() + 6 * 251 + 8 > 4_096);
    let before = f.inventory();
    let e = guarded("build", || mekong::build(&f.options())).unwrap_err();
    f.assert_contained(&before, &f.inventory(), &["public"]);
    assert_errors_located(&e);
    let text = e.to_string();
    assert!(text.starts_with("error: content/dddd"), "{text}");
    assert!(text.contains("File name too long"), "{text}");
}

#[test]
fn ten_thousand_deep_quotes_and_lists_build() {
    let f = Fence::new();
    f.write("site.yaml", "title: Deep\n");
    let mut list = String::new();
    for i in 0..2000 {
        list.push_str(&format!("{}- x\n", "  ".repeat(i)));
    }
    f.write(
        "content/_index.md",
        format!(
            "{}{} deep\n\n{list}\n{}\n",
            fm("Home"),
            ">".repeat(10_000),
            "[".repeat(10_000)
        ),
    );
    assert_builds(&f);
}

#[test]
fn yaml_bombs_in_front_matter_fail_fast_with_located_errors() {
    let f = Fence::new();
    let mut laughs = String::from("---\ntitle: Home\nextra:\n  a: &a [x,x,x,x,x,x,x,x,x]\n");
    for (n, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
    {
        laughs.push_str(&format!(
            "  {n}: &{n} [{}]\n",
            vec![format!("*{prev}"); 9].join(",")
        ));
    }
    laughs.push_str("---\nhi\n");
    f.write("content/_index.md", laughs);
    f.write(
        "content/deep.md",
        format!(
            "---\ntitle: Deep\nextra:\n  a: {}\n---\n",
            "[".repeat(5_000)
        ),
    );
    let e = guarded("build", || mekong::build(&f.options())).unwrap_err();
    assert_errors_located(&e);
    let text = e.to_string();
    assert!(text.contains("content/_index.md"), "{text}");
    assert!(text.contains("content/deep.md"), "{text}");
}

/// A 50 MB page. Debug builds take longer than this suite allows; run with `--ignored`
/// (`cargo test --release --test integration -- --ignored fifty`).
#[test]
#[ignore = "slow: builds a 50 MB page"]
fn a_fifty_megabyte_page_builds() {
    let f = Fence::new();
    f.write("site.yaml", "title: Big\n");
    f.write("content/_index.md", big_page(50_000_000));
    let started = Instant::now();
    assert_builds(&f);
    eprintln!("50 MB page built in {:?}", started.elapsed());
}

/// Markdown of about `size` bytes: headings, paragraphs, lists, tables, code, links.
fn big_page(size: usize) -> String {
    let mut s = fm("Big");
    let mut i = 0;
    while s.len() < size {
        s.push_str(&format!(
            "## Part {i}\n\nThe meeting took place amidst big changes, part {i}; see [above](#part-0).\n\n- one\n- two\n  - nested\n\n| a | b |\n|---|---|\n| {i} | x |\n\n```\ncode {i}\n```\n\n"
        ));
        i += 1;
    }
    s
}
