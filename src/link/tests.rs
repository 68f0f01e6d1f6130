//! Unit tests of path resolution, slugs and aliases.

use super::*;

#[test]
fn resolves_relative_and_root_paths() {
    assert_eq!(
        Site::resolve_path("topics/a.md", "b.md").as_deref(),
        Some("topics/b.md")
    );
    assert_eq!(
        Site::resolve_path("topics/a.md", "../b.md").as_deref(),
        Some("b.md")
    );
    assert_eq!(
        Site::resolve_path("topics/a.md", "@/x/y.md").as_deref(),
        Some("x/y.md")
    );
    assert_eq!(Site::resolve_path("a.md", "../b.md"), None);
}

#[test]
fn refuses_escaping_slugs_and_aliases() {
    assert!(check_slug("../x").is_err());
    assert!(check_slug("a/b").is_err());
    assert!(check_slug("C:").is_err());
    assert!(check_slug("good-slug").is_ok());
    assert!(alias_file("/../etc/x").is_err());
    assert!(alias_file("C:\\x").is_err());
    assert_eq!(alias_file("/old/page/").unwrap(), "old/page/index.html");
    assert_eq!(alias_file("old.html").unwrap(), "old.html");
}
