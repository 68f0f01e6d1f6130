//! The default theme, compiled into the binary: templates for every page kind and the CSS and
//! JavaScript they use. A site's own `templates/` and `static/` override these file by file, so
//! a folder with only `content/` still builds into a complete, usable site.
//!
//! The templates are registered under [`PREFIX`] (`default/page.html`), which is also Tera's
//! fallback prefix: `page.html` names the site's file when there is one and the theme's
//! otherwise, while `default/page.html` always names the theme's, so a site template can extend
//! the default one it replaces and override a single block.

/// Where the theme's templates live among the site's: `default/index.html`.
pub const PREFIX: &str = "default/";

/// Template name (without [`PREFIX`]) and source.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("theme/templates/base.html")),
    (
        "components.html",
        include_str!("theme/templates/components.html"),
    ),
    ("index.html", include_str!("theme/templates/index.html")),
    ("section.html", include_str!("theme/templates/section.html")),
    ("page.html", include_str!("theme/templates/page.html")),
    ("404.html", include_str!("theme/templates/404.html")),
    (
        "taxonomy.html",
        include_str!("theme/templates/taxonomy.html"),
    ),
    ("term.html", include_str!("theme/templates/term.html")),
    (
        "glossary.html",
        include_str!("theme/templates/glossary.html"),
    ),
];

/// The built-in components that pages can call from Markdown (issue 13): name (as under a
/// site's `templates/`, which overrides them file by file) and source.
pub const COMPONENTS: &[(&str, &str)] = &[
    (
        "components/figure.html",
        include_str!("theme/components/figure.html"),
    ),
    (
        "components/details.html",
        include_str!("theme/components/details.html"),
    ),
    (
        "components/tabs.html",
        include_str!("theme/components/tabs.html"),
    ),
];

/// Output path and bytes of the theme's static files.
pub const ASSETS: &[(&str, &[u8])] = &[
    (
        "assets/mekong.css",
        include_bytes!("theme/static/assets/mekong.css"),
    ),
    (
        "assets/mekong.js",
        include_bytes!("theme/static/assets/mekong.js"),
    ),
    (
        "assets/search.js",
        include_bytes!("theme/static/assets/search.js"),
    ),
    (
        "assets/favicon.svg",
        include_bytes!("theme/static/assets/favicon.svg"),
    ),
    // Rich Markdown (issue 13): callouts, definition lists, footnotes, math, components.
    (
        "assets/rich.css",
        include_bytes!("theme/static/assets/rich.css"),
    ),
    // Code blocks (issue 12): the token colours and the copy button.
    (
        "assets/highlight.css",
        include_bytes!("theme/static/assets/highlight.css"),
    ),
    (
        "assets/code-copy.js",
        include_bytes!("theme/static/assets/code-copy.js"),
    ),
];

/// Ids the theme's templates and scripts give elements of every page. A heading never gets
/// one of them as its automatic id (`## Search` becomes `search-1`), and an explicit
/// `{#search}` is an error, so that a table-of-contents link never jumps to the search box.
/// `tests/integration/rich.rs` checks that every literal id of the theme is listed here.
pub const RESERVED_IDS: &[&str] = &[
    "main",
    "sidebar",
    "menu-toggle",
    "theme-toggle",
    "search",
    "search-input",
    "search-results",
    "search-status",
    "search-listbox",
];

/// Id prefixes that belong to mekong: footnotes (`fn-note`, `fnref-note`), the theme's own
/// elements (`mekong-pages`, the `serve` error overlay) and search results. No automatic
/// heading id starts with one (`## Fn 1` becomes `h-fn-1`); an explicit one is an error.
pub const RESERVED_ID_PREFIXES: &[&str] = &["fn-", "fnref-", "mekong-", "search-option-"];
