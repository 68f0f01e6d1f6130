//! Multilingual sites (issue 20): the fixture tests/fixtures/i18n/site in English (the
//! default), French and Arabic. URLs per language, `<html lang dir>`, hreflang alternates,
//! the language switcher, sitemaps with alternates, feeds and tags per language, the theme's
//! strings per language (and a site's override), links from translated pages, a glossary per
//! language, per-language search indexes, and the located errors of bad translations and bad
//! `languages:`.

use crate::support::SiteTest;

fn site() -> SiteTest {
    SiteTest::fixture("i18n/site")
}

/// The `<head>` of an output page.
fn head_of(t: &SiteTest, rel: &str) -> String {
    let html = t.read(rel);
    html[..html.find("</head>").unwrap()].to_string()
}

#[test]
fn each_language_gets_its_own_tree_of_urls() {
    let t = site();
    t.build_ok();
    for f in [
        "index.html",
        "guide/rivers/index.html",
        "guide/markets/index.html",
        "fr/index.html",
        "fr/guide/index.html",
        "fr/guide/rivers/index.html",
        "ar/index.html",
        "ar/guide/rivers/index.html",
        "ar/guide/markets/index.html",
        // A name with a dot that is no language stays a page.
        "v1-2/index.html",
    ] {
        assert!(t.exists(&format!("public/{f}")), "{f} missing");
    }
    // Only what is translated exists in a language; sections are never pages.
    assert!(!t.exists("public/fr/guide/markets/index.html"));
    assert!(!t.exists("public/fr/index/index.html"));
    assert!(!t.exists("public/fr/guide/index/index.html"));
}

#[test]
fn pages_carry_their_language_direction_and_hreflang_alternates() {
    let t = site();
    t.build_ok();
    let fr = head_of(&t, "public/fr/guide/rivers/index.html");
    assert!(
        fr.contains(r#"<html lang="fr" data-base="/delta/">"#),
        "{fr}"
    );
    for (code, url) in [
        ("en", "https://example.org/delta/guide/rivers/"),
        ("fr", "https://example.org/delta/fr/guide/rivers/"),
        ("ar", "https://example.org/delta/ar/guide/rivers/"),
        ("x-default", "https://example.org/delta/guide/rivers/"),
    ] {
        let link = format!(r#"<link rel="alternate" hreflang="{code}" href="{url}">"#);
        assert!(fr.contains(&link), "missing {link}");
    }
    assert!(fr.contains("<title>Fleuves – Guide du delta du Mékong</title>"));
    let ar = head_of(&t, "public/ar/guide/markets/index.html");
    assert!(ar.contains(r#"<html lang="ar" dir="rtl" data-base="/delta/">"#));
    // Markets has no French version: no French alternate.
    assert!(!ar.contains(r#"hreflang="fr""#), "{ar}");
    assert!(ar.contains(r#"hreflang="en" href="https://example.org/delta/guide/markets/""#));
    let en = head_of(&t, "public/index.html");
    assert!(en.contains(r#"<html lang="en" data-base="/delta/">"#));
    // An untranslated page has no alternates at all.
    let v = head_of(&t, "public/v1-2/index.html");
    assert!(!v.contains("hreflang"), "{v}");
}

#[test]
fn the_switcher_goes_to_the_same_page_or_marks_the_languages_home() {
    let t = site();
    t.build_ok();
    let html = t.read("public/ar/guide/markets/index.html");
    let start = html
        .find(r#"<nav class="lang-switch""#)
        .expect("a switcher");
    let switcher = &html[start..start + html[start..].find("</nav>").unwrap()];
    assert!(switcher.contains(r#"<a class="lang-link" href="/delta/guide/markets/" hreflang="en" lang="en">English</a>"#), "{switcher}");
    assert!(switcher.contains(r#"<a class="lang-link is-untranslated" href="/delta/fr/" hreflang="fr" lang="fr">Français <span class="lang-note" lang="ar">(غير مترجمة)</span></a>"#), "{switcher}");
    assert!(switcher.contains(
        r#"href="/delta/ar/guide/markets/" hreflang="ar" lang="ar" aria-current="true">العربية</a>"#
    ));
}

#[test]
fn navigation_stays_inside_the_pages_language() {
    let t = site();
    t.build_ok();
    let en = t.read("public/guide/rivers/index.html");
    let nav = &en[en.find(r#"<nav id="sidebar""#).unwrap()..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    assert!(
        !nav.contains("/delta/fr/") && !nav.contains("/delta/ar/"),
        "{nav}"
    );
    let fr = t.read("public/fr/guide/rivers/index.html");
    let nav = &fr[fr.find(r#"<nav id="sidebar""#).unwrap()..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    assert!(
        nav.contains(r#"<a class="nav-link" href="/delta/fr/">Accueil</a>"#),
        "{nav}"
    );
    assert!(nav.contains(r#"href="/delta/fr/guide/rivers/""#));
    assert!(!nav.contains(r#"href="/delta/guide/"#), "{nav}");
    // Breadcrumbs start at the language's home.
    assert!(
        t.main_of("public/fr/guide/rivers/index.html")
            .contains(r#"<li><a href="/delta/fr/">Guide du delta du Mékong</a></li>"#)
    );
}

#[test]
fn theme_strings_follow_the_language_and_a_site_can_override_them() {
    let t = site();
    t.build_ok();
    let fr = t.read("public/fr/guide/rivers/index.html");
    for s in [
        "Aller au contenu",
        r#"placeholder="Rechercher""#,
        "Sur cette page",
        "1 min de lecture",
        "Étiquettes :",
        "Précédent",
    ] {
        assert!(fr.contains(s), "no {s:?} on the French page");
    }
    let ar = t.read("public/ar/guide/rivers/index.html");
    for s in ["انتقل إلى المحتوى", "في هذه الصفحة", "التالي"] {
        assert!(ar.contains(s), "no {s:?} on the Arabic page");
    }
    // The arrows point the way the page reads.
    assert!(
        ar.contains(r#"<span class="pagination-dir">التالي<span aria-hidden="true"> ←</span>"#)
    );
    let en = t.read("public/guide/rivers/index.html");
    assert!(en.contains("Skip to content") && en.contains("On this page"));
    assert!(
        !en.contains("mekong-strings"),
        "English pages carry no script strings"
    );
    // The browser scripts get the page's strings.
    assert!(fr.contains(r#""no_results":"Aucun résultat""#));
    // i18n/fr.yaml overrides one string; edit links use it.
    t.write(
        "site.yaml",
        &format!(
            "{}edit_url: https://example.org/edit/main/\n",
            t.read("site.yaml")
        ),
    );
    t.build_ok();
    let fr = t.read("public/fr/guide/rivers/index.html");
    assert!(
        fr.contains(r#"<a href="https://example.org/edit/main/content/guide/rivers.fr.md">Proposer une modification</a>"#),
        "edit link of the translation's own file"
    );
}

#[test]
fn an_unknown_key_in_a_string_file_is_a_located_error() {
    let t = site();
    t.write("i18n/fr.yaml", "edit_page: Modifier\nserch: Chercher\n");
    let err = t.build_err();
    assert!(
        err.contains("i18n/fr.yaml:2:1: unknown key `serch` in i18n/fr.yaml"),
        "{err}"
    );
    assert!(!t.exists("public"), "a failed build writes nothing");
}

#[test]
fn sitemap_lists_translations_as_alternates() {
    let t = site();
    t.build_ok();
    let map = t.read("public/sitemap.xml");
    assert!(map.contains(r#"xmlns:xhtml="http://www.w3.org/1999/xhtml""#));
    let entry = |loc: &str| {
        let at = map
            .find(&format!("<loc>{loc}</loc>"))
            .unwrap_or_else(|| panic!("{loc} not in the sitemap"));
        map[at..at + map[at..].find("</url>").unwrap()].to_string()
    };
    let rivers = entry("https://example.org/delta/fr/guide/rivers/");
    for code in ["en", "fr", "ar", "x-default"] {
        assert!(
            rivers.contains(&format!(r#"hreflang="{code}""#)),
            "{rivers}"
        );
    }
    assert!(rivers.contains(r#"<xhtml:link rel="alternate" hreflang="ar" href="https://example.org/delta/ar/guide/rivers/"/>"#));
    let markets = entry("https://example.org/delta/ar/guide/markets/");
    assert!(!markets.contains(r#"hreflang="fr""#), "{markets}");
    assert!(!entry("https://example.org/delta/v1-2/").contains("xhtml:link"));
}

#[test]
fn feeds_and_tags_are_per_language() {
    let t = site();
    t.build_ok();
    let en = t.read("public/atom.xml");
    let fr = t.read("public/fr/atom.xml");
    assert!(
        fr.contains(r#"xml:lang="fr""#) && fr.contains("<title>Guide du delta du Mékong</title>")
    );
    assert!(fr.contains("https://example.org/delta/fr/guide/rivers/"));
    assert!(!fr.contains("https://example.org/delta/guide/"), "{fr}");
    assert!(
        !en.contains("/delta/fr/") && !en.contains("/delta/ar/"),
        "{en}"
    );
    assert!(
        t.read("public/fr/guide/rivers/index.html")
            .contains(r#"href="/delta/fr/atom.xml""#)
    );
    // Tags: each language its own list and pages.
    assert!(t.exists("public/tags/water/index.html"));
    assert!(t.exists("public/fr/tags/eau/index.html"));
    assert!(t.exists("public/fr/tags/index.html"));
    assert!(!t.exists("public/fr/tags/water/index.html"));
    let eau = t.main_of("public/fr/tags/eau/index.html");
    assert!(eau.contains("1 page avec l’étiquette « eau »."), "{eau}");
    assert!(eau.contains(r#"href="/delta/fr/guide/rivers/""#));
    let water = t.main_of("public/tags/water/index.html");
    assert!(!water.contains("/delta/fr/"), "{water}");
}

#[test]
fn links_from_a_translation_go_to_its_language_or_warn_and_fall_back() {
    let t = site();
    let summary = t.build_ok();
    // `@/guide/rivers.md` from the French home: the French page.
    assert!(
        t.main_of("public/fr/index.html")
            .contains(r#"<a href="/delta/fr/guide/rivers/">les fleuves</a>"#)
    );
    let fr = t.main_of("public/fr/guide/rivers/index.html");
    // `markets.md` has no French version: the English page, with a warning.
    assert!(
        fr.contains(r#"<a href="/delta/guide/markets/">les marchés</a>"#),
        "{fr}"
    );
    // `@/guide/rivers.en.md` names the English page.
    assert!(
        fr.contains(r#"<a href="/delta/guide/rivers/">page anglaise</a>"#),
        "{fr}"
    );
    let ar = t.main_of("public/ar/guide/rivers/index.html");
    assert!(
        ar.contains(r#"<a href="/delta/ar/guide/markets/">الأسواق</a>"#),
        "{ar}"
    );
    let warnings: Vec<String> = summary
        .produced
        .warnings
        .iter()
        .map(|w| w.to_string())
        .collect();
    assert!(
        warnings.iter().any(|w| w.starts_with("content/guide/rivers.fr.md:11:27: `markets.md` has no translation in this page's language: the link goes to content/guide/markets.md")),
        "{warnings:#?}"
    );
}

#[test]
fn each_language_marks_and_lists_its_own_glossary() {
    let t = site();
    t.build_ok();
    let fr = t.main_of("public/fr/guide/rivers/index.html");
    assert!(fr.contains(r#"<a class="glossary-term" href="/delta/fr/glossary/#term-mousson"><abbr title="mousson">mousson</abbr></a>"#), "{fr}");
    assert!(!fr.contains("term-monsoon"), "{fr}");
    // `@/glossary.md#term-mousson` is the French glossary's entry (its anchor checks).
    assert!(fr.contains(r#"<a href="/delta/fr/glossary/#term-mousson">la mousson</a>"#));
    let en = t.main_of("public/guide/rivers/index.html");
    assert!(
        en.contains(r#"href="/delta/glossary/#term-monsoon""#),
        "{en}"
    );
    let list = t.main_of("public/fr/glossary/index.html");
    assert!(
        list.contains(r#"<div class="glossary-entry" id="term-mousson">"#),
        "{list}"
    );
    assert!(
        list.contains("La saison des pluies") && !list.contains("monsoon"),
        "{list}"
    );
    assert!(
        t.main_of("public/glossary/index.html")
            .contains(r#"id="term-monsoon""#)
    );
    // The terms files are read, not published.
    assert!(!t.exists("public/glossary.fr.yaml") && !t.exists("public/glossary.yaml"));
}

#[test]
fn each_language_gets_its_own_search_index() {
    let t = site();
    t.build_ok();
    let entry: serde_json::Value =
        serde_json::from_str(&t.read("public/pagefind/pagefind-entry.json")).unwrap();
    let langs = entry["languages"].as_object().unwrap();
    for code in ["en", "fr", "ar"] {
        let l = &langs[code];
        assert!(l["page_count"].as_u64().unwrap() >= 1, "{code}: {l}");
        let hash = l["hash"].as_str().unwrap();
        assert!(
            hash.starts_with(&format!("{code}_"))
                && t.exists(&format!("public/pagefind/pagefind.{hash}.pf_meta")),
            "{code} index missing"
        );
        assert!(t.exists(&format!("public/pagefind/wasm.{code}.pagefind")));
    }
    assert_eq!(langs["en"]["page_count"], 6, "{langs:?}");
    assert_eq!(langs["fr"]["page_count"], 4, "{langs:?}");
    assert_eq!(langs["ar"]["page_count"], 4, "{langs:?}");
}

#[test]
fn errors_on_a_translation_without_its_original() {
    let t = site();
    t.write(
        "content/guide/ferries.fr.md",
        "---\ntitle: Bacs\n---\nLes bacs.\n",
    );
    let err = t.build_err();
    assert!(err.contains("content/guide/ferries.fr.md: translation without an original: there is no content/guide/ferries.md"), "{err}");
    assert!(!t.exists("public"));
}

#[test]
fn errors_on_an_undeclared_language_code() {
    let t = site();
    t.write(
        "content/guide/rivers.de.md",
        "---\ntitle: Flüsse\n---\nDie Flüsse.\n",
    );
    let err = t.build_err();
    assert!(
        err.contains("content/guide/rivers.de.md: `de` is not a language of this site"),
        "{err}"
    );
    assert!(
        err.contains("add `de` to `languages:` in site.yaml"),
        "{err}"
    );
}

#[test]
fn errors_on_two_translations_with_one_url() {
    let t = site();
    t.write(
        "content/guide/markets.fr.md",
        "---\ntitle: Marchés\nslug: rivers\n---\nLes marchés.\n",
    );
    let err = t.build_err();
    assert!(err.contains("content/guide/markets.fr.md and content/guide/rivers.fr.md both map to the URL /fr/guide/rivers/"), "{err}");
}

#[test]
fn errors_on_a_folder_where_a_languages_tree_goes() {
    let t = site();
    t.write("content/fr/extra.md", "---\ntitle: Extra\n---\nText.\n");
    let err = t.build_err();
    assert!(
        err.contains(
            "content/fr/extra.md: content/fr/ is where the pages translated into `fr` are built"
        ),
        "{err}"
    );
}

#[test]
fn errors_on_bad_languages_in_site_yaml() {
    let t = site();
    t.write(
        "site.yaml",
        "title: X\nlanguages:\n  - code: en\n    name: English\n    default: true\n  - code: fr\n    name: Français\n    default: true\n  - code: \"e n\"\n    name: Bad\n  - code: vi\n    nom: Tiếng Việt\n",
    );
    let err = t.build_err();
    for want in [
        "site.yaml:9: `languages` entry 3: `e n` is not a language code",
        "site.yaml:11: unknown key `nom` in `languages` entry 4",
        "site.yaml:2:1: 2 languages of `languages` say `default: true`",
    ] {
        assert!(err.contains(want), "no {want:?} in\n{err}");
    }
}

#[test]
fn a_default_language_suffix_is_an_error() {
    let t = site();
    t.write(
        "content/guide/rivers.en.md",
        "---\ntitle: Rivers\n---\nText.\n",
    );
    let err = t.build_err();
    assert!(
        err.contains(
            "content/guide/rivers.en.md: `.en` is the default language, whose pages take no suffix"
        ),
        "{err}"
    );
}

#[test]
fn a_single_language_site_keeps_dotted_names_as_pages() {
    // Without `languages:`, `page.fr.md` is the page `page-fr/`, as before issue 20.
    let t = SiteTest::empty();
    t.write("content/_index.md", "---\ntitle: Home\n---\nHi.\n");
    t.write("content/notes.fr.md", "---\ntitle: Notes\n---\nText.\n");
    t.build_ok();
    assert!(t.exists("public/notes-fr/index.html"));
    assert!(!t.read("public/notes-fr/index.html").contains("hreflang"));
}
