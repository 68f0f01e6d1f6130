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
];
