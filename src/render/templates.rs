//! The compiled templates: the embedded default theme overridden file by file by the site's
//! `templates/`, the Tera functions `url` and `get_page`, and Tera errors turned into located
//! diagnostics (the template file and line, and the page being rendered).

use super::Input;
use super::context::{Urls, summary_view};
use crate::config::Config;
use crate::error::{Diagnostic, fs};
use crate::link::NodeId;
use crate::theme;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The compiled templates: the default theme overridden by the site's `templates/`.
pub struct Templates {
    tera: tera::Tera,
    /// Names of templates that come from the site (the rest come from the default theme).
    from_site: std::collections::HashSet<String>,
    /// What `get_page` answers from, by content path.
    pages: Arc<std::sync::RwLock<HashMap<String, tera::Value>>>,
    /// Who asked `get_page` for what: by content path, the `current_url` of every page whose
    /// rendering read it. `serve` renders those again when that page changes.
    readers: Arc<Mutex<HashMap<String, BTreeSet<String>>>>,
    /// Whether any template calls `get_page`: a build fills the page index only then.
    uses_get_page: bool,
}

impl Templates {
    /// Compiles the templates once. `get_page` needs page summaries, so it takes them here.
    pub fn load(
        root: &Path,
        config: &Config,
        pages: Arc<std::sync::RwLock<HashMap<String, tera::Value>>>,
    ) -> Result<Templates, Vec<Diagnostic>> {
        let pages_for_update = pages.clone();
        let readers: Arc<Mutex<HashMap<String, BTreeSet<String>>>> = Arc::default();
        let readers_for_get_page = readers.clone();
        let mut sources: BTreeMap<String, String> = theme::TEMPLATES
            .iter()
            .map(|(n, t)| (format!("{}{n}", theme::PREFIX), t.to_string()))
            .collect();
        let mut from_site = std::collections::HashSet::new();
        // The same walk and ignore rules as content (hidden files, editor back-ups).
        let (files, mut errors) = crate::load::template_files(root);
        for (name, abs) in files {
            match fs::read_to_string(&abs, &Path::new("templates").join(&name)) {
                Ok(text) => {
                    from_site.insert(name.clone());
                    sources.insert(name, text);
                }
                Err(d) => errors.push(d),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut tera = tera::Tera::new();
        tera.set_fallback_prefixes([theme::PREFIX])
            .expect("no template is added yet");
        tera.autoescape_on([".html", ".htm", ".xml"]);
        let strings = super::i18n::Strings::load(root, config)?;
        super::i18n::register(&mut tera, Arc::new(strings), config.language.clone());
        let base_path = config.base_path.clone();
        tera.register_function(
            "url",
            move |kwargs: tera::Kwargs, _: &tera::State| -> tera::TeraResult<String> {
                let path: String = kwargs.must_get("path")?;
                if crate::markdown::is_external(&path) {
                    return Ok(path);
                }
                Ok(format!("{base_path}{}", path.trim_start_matches('/')))
            },
        );
        tera.register_function(
            "get_page",
            move |kwargs: tera::Kwargs, state: &tera::State| -> tera::TeraResult<tera::Value> {
                let path: String = kwargs.must_get("path")?;
                let key = path.trim_start_matches("@/");
                // Every context has `current_url`; an empty one means "unknown reader", which
                // makes `serve` rebuild everything rather than guess.
                let here: String = state.get("current_url").ok().flatten().unwrap_or_default();
                readers_for_get_page
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .entry(key.to_string())
                    .or_default()
                    .insert(here);
                let pages = pages.read().unwrap_or_else(|e| e.into_inner());
                pages.get(key).cloned().ok_or_else(|| {
                    tera::Error::message(format!("get_page: no page `{path}` in content/"))
                })
            },
        );
        {
            let g = tera.global_context();
            g.insert("config", config);
            g.insert("mekong_version", env!("CARGO_PKG_VERSION"));
            g.insert(
                "glossary",
                &config
                    .glossary
                    .as_ref()
                    .map(|g| g.entries.as_slice())
                    .unwrap_or(&[]),
            );
        }
        let shown = |name: &str| shown(&from_site, name);
        if let Err(e) =
            tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        {
            return Err(every_template_error(&e, &sources, &shown));
        }
        Ok(Templates {
            tera,
            from_site,
            pages: pages_for_update,
            readers,
            uses_get_page: sources.values().any(|t| t.contains("get_page")),
        })
    }

    /// Hands templates the site's data files as `data` (issue 13), once for every page.
    pub fn with_data(mut self, data: &serde_json::Value) -> Self {
        self.tera.global_context().insert("data", data);
        self
    }

    /// Whether a template calls `get_page`. The page index holds a summary of every page, so
    /// a large site fills it only when one does (issue 17).
    pub fn uses_get_page(&self) -> bool {
        self.uses_get_page
    }

    /// Fills the page index that `get_page` answers from.
    pub fn set_pages(&self, index: HashMap<String, tera::Value>) {
        *self.pages.write().unwrap_or_else(|e| e.into_inner()) = index;
    }

    /// The `current_url` of every page whose rendering called `get_page` for the content path
    /// `rel` (one of them empty if a caller had no `current_url`).
    pub fn readers_of(&self, rel: &str) -> Vec<String> {
        self.readers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(rel)
            .map(|r| r.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Updates what `get_page` answers for one page after its body changed.
    pub fn update_page(&self, input: &Input, id: NodeId) {
        let urls = Urls::new(input);
        let value = tera::Value::from_serializable(&summary_view(id, input, &urls));
        if let Some(doc) = input.site.nodes[id].doc
            && let Ok(mut pages) = self.pages.write()
        {
            pages.insert(input.content.docs[doc].rel.clone(), value);
        }
    }

    pub fn contains(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }

    /// The names a page's `template:` can use (the theme's without their prefix).
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .tera
            .get_template_names()
            .map(|n| n.strip_prefix(theme::PREFIX).unwrap_or(n).to_string())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// The template's path as users see it.
    pub fn shown(&self, name: &str) -> String {
        shown(&self.from_site, name)
    }

    pub fn render(
        &self,
        name: &str,
        ctx: &tera::Context,
        page: Option<&Path>,
    ) -> Result<String, Diagnostic> {
        self.tera
            .render(name, ctx)
            .map_err(|e| tera_error(&e, &|n| self.shown(n), page))
    }
}

/// A template's path as users see it: `templates/x.html`, or `(default theme) x.html` for the
/// theme's (registered as `default/x.html`, or found under that name by fallback).
fn shown(from_site: &std::collections::HashSet<String>, name: &str) -> String {
    if from_site.contains(name) {
        format!("templates/{name}")
    } else {
        format!(
            "(default theme) {}",
            name.strip_prefix(theme::PREFIX).unwrap_or(name)
        )
    }
}

/// A Tera error as a located diagnostic: the template file and line, and the page being rendered.
/// All the errors of a set of templates that failed to compile: Tera stops at the first, so
/// each template is parsed again on its own to find every syntax error (a writer fixes them
/// in one go); an error that only the whole set shows (a missing parent template, a loop of
/// `extends`) is reported as Tera gave it.
fn every_template_error(
    first: &tera::Error,
    sources: &BTreeMap<String, String>,
    shown: &dyn Fn(&str) -> String,
) -> Vec<Diagnostic> {
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut push = |d: Diagnostic| {
        if !errors.iter().any(|e| e.to_string() == d.to_string()) {
            errors.push(d);
        }
    };
    for (name, text) in sources {
        let mut alone = tera::Tera::new();
        if let Err(e) = alone.add_raw_template(name, text)
            && matches!(e.kind(), tera::ErrorKind::SyntaxError(_))
        {
            push(tera_error(&e, shown, None));
        }
    }
    push(tera_error(first, shown, None));
    errors
}

fn tera_error(e: &tera::Error, shown: &dyn Fn(&str) -> String, page: Option<&Path>) -> Diagnostic {
    let while_rendering = page
        .map(|p| format!(" (while rendering {})", p.display()))
        .unwrap_or_default();
    let mut cause = String::new();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        cause.push_str(&format!(": {s}"));
        src = s.source();
    }
    match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            let what = if matches!(e.kind(), tera::ErrorKind::SyntaxError(_)) {
                "template syntax error"
            } else {
                "template error"
            };
            let span = r.span();
            Diagnostic::new(shown(r.filename()), format!("{what}: {}{cause}{while_rendering}", r.message()))
                .at(span.start_line.max(1), span.start_col + 1)
                .hint("check the template at that line; every variable must be defined (test optional ones with `is defined`)")
        }
        tera::ErrorKind::TemplateNotFound(name) => Diagnostic::new(
            page.map(Path::to_path_buf)
                .unwrap_or_else(|| "templates".into()),
            format!("template `{name}` not found{cause}"),
        )
        .hint("add it to templates/ or use a template of the default theme"),
        tera::ErrorKind::MissingParent { current, parent } => Diagnostic::new(
            shown(current),
            format!("extends `{parent}`, which does not exist"),
        )
        .hint("fix the name in `{% extends %}`"),
        _ => Diagnostic::new(
            page.map(Path::to_path_buf)
                .unwrap_or_else(|| "templates".into()),
            format!("template error: {e}{cause}{while_rendering}"),
        ),
    }
}
