//! Components in Markdown (issue 13; Zola and Hugo call them shortcodes): Tera 2 components
//! defined under `templates/components/` (and built into the theme: `figure`, `details`,
//! `tabs`/`tab`), called from a page as `{{ figure(src="map.png", alt="...") }}`, or with a
//! Markdown body between `{% details(summary="More") %}` and `{% end %}`.
//!
//! [`Components::load`] compiles them once per build, before any page is rendered. For each
//! page, [`calls`] finds the calls and puts markers in their place; [`PageCalls::new`] checks
//! every call against the component's declared arguments (unknown component or argument: an
//! error with the nearest name; a value of the wrong type; a required argument left out) and
//! renders it; [`PageCalls::event`] puts the HTML where the markers come out of the parser.
//! A body is Markdown like the rest of the page (its links, headings and footnotes are the
//! page's), so a component with a body is rendered around a placeholder and split there.
//! An argument `src` is resolved like an image path and, when the component has `width` and
//! `height` arguments and the call gives neither, they are read from the image file.

use super::{Env, Rendered};
use crate::config::Config;
use crate::error::{Diagnostic, did_you_mean, fs};
use crate::link::{NodeId, Site};
use crate::load::Doc;
use crate::theme;
use pulldown_cmark::{CowStr, Event, LinkType};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

mod calls;

pub(super) use calls::Calls;

/// Where a component's body goes in its rendered HTML (no character of it can be escaped).
const BODY: &str = "\u{E000}mekong-body\u{E000}";

/// The compiled components of a site: the theme's, overridden file by file by the site's.
pub struct Components {
    tera: tera::Tera,
    /// Names of the components, for "did you mean".
    names: Vec<String>,
}

impl std::fmt::Debug for Components {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Components")
            .field("names", &self.names)
            .finish()
    }
}

impl Components {
    /// Compiles the theme's components and the site's `templates/components/`, with `config`,
    /// `data` and `url()` as in page templates.
    pub fn load(root: &Path, config: &Config, data: &Value) -> Result<Components, Vec<Diagnostic>> {
        let mut sources: BTreeMap<String, (String, String)> = theme::COMPONENTS
            .iter()
            .map(|(n, t)| {
                (
                    n.to_string(),
                    (t.to_string(), format!("(default theme) {n}")),
                )
            })
            .collect();
        let (files, mut errors) = crate::load::template_files(root);
        for (name, abs) in files {
            if !name.starts_with("components/") {
                continue;
            }
            let shown = Path::new("templates").join(&name);
            match fs::read_to_string(&abs, &shown) {
                Ok(text) => {
                    sources.insert(name, (text, shown.display().to_string()));
                }
                Err(d) => errors.push(d),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut tera = tera::Tera::new();
        tera.autoescape_on([".html", ".htm", ".xml"]);
        let base_path = config.base_path.clone();
        tera.register_function(
            "url",
            move |kwargs: tera::Kwargs, _: &tera::State| -> tera::TeraResult<String> {
                let path: String = kwargs.must_get("path")?;
                if super::is_external(&path) {
                    return Ok(path);
                }
                Ok(format!("{base_path}{}", path.trim_start_matches('/')))
            },
        );
        {
            let g = tera.global_context();
            g.insert("config", config);
            g.insert("data", data);
            g.insert("mekong_version", env!("CARGO_PKG_VERSION"));
        }
        if let Err(e) =
            tera.add_raw_templates(sources.iter().map(|(n, (t, _))| (n.as_str(), t.as_str())))
        {
            let shown = |name: &str| {
                sources
                    .get(name)
                    .map_or(name.to_string(), |(_, s)| s.clone())
            };
            return Err(vec![compile_error(&e, &shown)]);
        }
        let mut names: Vec<String> = tera.get_component_names().map(str::to_string).collect();
        names.sort();
        Ok(Components { tera, names })
    }
}

/// A Tera error while compiling components, at the template's line where Tera says.
fn compile_error(e: &tera::Error, shown: &dyn Fn(&str) -> String) -> Diagnostic {
    let mut cause = String::new();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        cause.push_str(&format!(": {s}"));
        src = s.source();
    }
    match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            let span = r.span();
            Diagnostic::new(shown(r.filename()), format!("component template error: {}{cause}", r.message()))
                .at(span.start_line.max(1), span.start_col + 1)
                .hint("define components as `{% component name(arg: string, other: integer = 0) %}...{% endcomponent name %}`")
        }
        _ => Diagnostic::new("templates/components", format!("component template error: {e}{cause}"))
            .hint("each component name may be defined once; a file of templates/components/ replaces the theme's file of the same name"),
    }
}

/// The rendered calls of one page, put in place as their markers come out of the parser.
pub(super) struct PageCalls {
    /// Per call: its HTML (before the body, for a call with one) and after the body.
    html: Vec<Option<(String, String)>>,
    /// Per body call: the depth of events where it opened.
    opened: Vec<Option<usize>>,
    problems: Vec<(usize, String, String)>,
}

impl PageCalls {
    /// Checks and renders every call of the page; problems go to `errors` at their place
    /// (`base` is the body's offset in the doc's text).
    pub(super) fn new(
        calls: &Calls,
        doc: &Doc,
        id: NodeId,
        env: &Env,
        out: &mut Rendered,
        errors: &mut Vec<Diagnostic>,
    ) -> PageCalls {
        let base = doc.body_start;
        let mut page = PageCalls {
            html: Vec::with_capacity(calls.calls.len()),
            opened: vec![None; calls.calls.len()],
            problems: Vec::new(),
        };
        for p in &calls.problems {
            errors.push(
                Diagnostic::new(doc.shown(), p.message.clone())
                    .at_offset(&doc.text, base + p.at, 1)
                    .hint(p.hint.clone()),
            );
        }
        for n in 0..calls.calls.len() {
            let html = match env.components {
                Some(c) => render_call(c, calls, n, doc, id, env, out, errors),
                None => None,
            };
            page.html.push(html);
        }
        page
    }

    /// A marker's HTML in its place (other events pass); `depth` is the event loop's nesting
    /// depth, to check that a body closes in the block where it opened.
    pub(super) fn event<'a>(&mut self, event: Event<'a>, depth: usize, at: usize) -> Event<'a> {
        let (Event::Html(h) | Event::InlineHtml(h)) = &event else {
            return event;
        };
        let Some((n, open)) = calls::marker(h) else {
            return event;
        };
        let inline = matches!(event, Event::InlineHtml(_));
        let Some(Some((before, after))) = self.html.get(n) else {
            return Event::Html(CowStr::Borrowed(""));
        };
        let html = if open {
            self.opened[n] = Some(depth);
            before.clone()
        } else {
            if self.opened[n].is_some_and(|d| d != depth) {
                self.problems.push((
                    at,
                    "this `{% end %}` is not in the block where its component opened".into(),
                    "put `{% end %}` in the same list item or quote as its `{% name(...) %}`, as much indented".into(),
                ));
            }
            after.clone()
        };
        if inline {
            Event::InlineHtml(CowStr::from(html))
        } else {
            let mut html = html;
            if !html.ends_with('\n') {
                html.push('\n');
            }
            Event::Html(CowStr::from(html))
        }
    }

    /// Problems found while putting the HTML in place: (offset in the body, message, hint).
    pub(super) fn problems(self) -> Vec<(usize, String, String)> {
        self.problems
    }
}

/// What a declared type accepts, in words for the hint.
fn type_ok(t: tera::ComponentArgType, v: &Value) -> bool {
    use tera::ComponentArgType as T;
    match t {
        T::String => v.is_string(),
        T::Bool => v.is_boolean(),
        T::Integer => v.is_i64() || v.is_u64(),
        T::Float | T::Number => v.is_number(),
        T::Array => v.is_array(),
        T::Map => v.is_object(),
        _ => true,
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Bool(_) => "a bool",
        Value::Number(n) if n.is_f64() => "a float",
        Value::Number(_) => "an integer",
        Value::Array(_) => "an array",
        Value::Object(_) => "a map",
        Value::Null => "nothing",
    }
}

/// Checks one call and renders it: `None` when it has a problem (reported to `errors`).
#[allow(clippy::too_many_arguments)]
fn render_call(
    c: &Components,
    calls: &Calls,
    n: usize,
    doc: &Doc,
    id: NodeId,
    env: &Env,
    out: &mut Rendered,
    errors: &mut Vec<Diagnostic>,
) -> Option<(String, String)> {
    let call = &calls.calls[n];
    let base = doc.body_start;
    let error = |at: usize, message: String, hint: String| {
        Diagnostic::new(doc.shown(), message)
            .at_offset(&doc.text, base + at, 1)
            .hint(hint)
    };
    let Some(info) = c.tera.get_component_definition(&call.name) else {
        let names: Vec<&str> = c.names.iter().map(String::as_str).collect();
        let hint = match did_you_mean(&call.name, &names) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!(
                "the components are {}; define others in templates/components/",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        errors.push(error(
            call.at,
            format!("unknown component `{}`", call.name),
            hint,
        ));
        return None;
    };
    let declared: Vec<&str> = info
        .args()
        .iter()
        .filter(|a| !a.is_implicit())
        .map(|a| a.name())
        .collect();
    let mut ok = true;
    let mut ctx = tera::Context::new();
    for (name, value, at) in &call.args {
        let Some(arg) = info
            .args()
            .iter()
            .find(|a| a.name() == name && !a.is_implicit())
        else {
            if info.rest_param().is_some() {
                ctx.insert(name.clone(), value);
                continue;
            }
            let hint = match did_you_mean(name, &declared) {
                Some(near) => format!("did you mean `{near}`?"),
                None if declared.is_empty() => format!("`{}` takes no arguments", call.name),
                None => format!(
                    "`{}` takes {}",
                    call.name,
                    declared
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            errors.push(error(
                *at,
                format!("unknown argument `{name}` of component `{}`", call.name),
                hint,
            ));
            ok = false;
            continue;
        };
        if let Some(t) = arg.arg_type()
            && !type_ok(t, value)
        {
            errors.push(error(
                *at,
                format!(
                    "argument `{name}` of component `{}` must be {} {t}, not {}",
                    call.name,
                    if matches!(
                        t,
                        tera::ComponentArgType::Integer | tera::ComponentArgType::Array
                    ) {
                        "an"
                    } else {
                        "a"
                    },
                    kind_of(value)
                ),
                match t {
                    tera::ComponentArgType::String => format!("quote it: `{name}=\"...\"`"),
                    tera::ComponentArgType::Integer => {
                        format!("write a whole number without quotes: `{name}=400`")
                    }
                    tera::ComponentArgType::Bool => {
                        format!("write `{name}=true` or `{name}=false`")
                    }
                    _ => format!(
                        "see the definition of `{}` in templates/components/",
                        call.name
                    ),
                },
            ));
            ok = false;
            continue;
        }
        ctx.insert(name.clone(), value);
    }
    for arg in info.args() {
        if arg.is_required() && !call.args.iter().any(|(n, _, _)| n == arg.name()) {
            errors.push(error(
                call.at,
                format!(
                    "component `{}` needs the argument `{}`",
                    call.name,
                    arg.name()
                ),
                format!("add `{}=...` to the call", arg.name()),
            ));
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    // `src`: an image path, like `![](...)`; its size when the component wants one.
    if let Some((_, Value::String(src), at)) = call.args.iter().find(|(n, _, _)| n == "src") {
        let url = super::links::rewrite(
            doc,
            id,
            &CowStr::from(src.as_str()),
            LinkType::Inline,
            base + at,
            env,
            out,
            errors,
        );
        ctx.insert("src", url.as_ref());
        let wants = |n: &str| declared.contains(&n) && !call.args.iter().any(|(a, _, _)| a == n);
        if wants("width")
            && wants("height")
            && let Some((w, h)) = image_size(env.site, doc, src)
        {
            ctx.insert("width", &w);
            ctx.insert("height", &h);
        }
    }
    let mut implicits = tera::Context::new();
    implicits.insert("id", &format!("mekong-{}-{n}", call.name));
    implicits.insert(
        "parent",
        &call.parent.map_or(String::new(), |p| {
            format!("mekong-{}-{p}", calls.calls[p].name)
        }),
    );
    implicits.insert("index", &call.index);
    let body = call.has_body.then_some(BODY);
    match c
        .tera
        .render_component_with_implicits(&call.name, &ctx, &implicits, body, true)
    {
        Ok(html) if call.has_body => match html.split_once(BODY) {
            Some((before, after)) if !after.contains(BODY) => {
                Some((before.to_string(), after.to_string()))
            }
            _ => {
                errors.push(error(call.at, format!("component `{}` must show its body exactly once", call.name), "write `{{ body }}` once in its template, or call it without a body as `{{ name(...) }}`".into()));
                None
            }
        },
        Ok(html) => Some((html, String::new())),
        Err(e) if !call.has_body && format!("{e}").contains("`body` is not defined") => {
            errors.push(error(
                call.at,
                format!("component `{}` needs a body", call.name),
                format!("call it as `{{% {}(...) %}}` on a line of its own, then the Markdown body, then a line `{{% end %}}`", call.name),
            ));
            None
        }
        Err(e) => {
            let mut msg = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                msg.push_str(&format!(": {s}"));
                src = s.source();
            }
            errors.push(error(
                call.at,
                format!("component `{}` failed: {msg}", call.name),
                "check the call's arguments against the component's template".into(),
            ));
            None
        }
    }
}

/// The pixel size of an image of the site (PNG, JPEG, GIF, WebP), by its path from the page.
fn image_size(site: &Site, doc: &Doc, src: &str) -> Option<(usize, usize)> {
    if super::is_external(src) || src.starts_with('/') {
        return None;
    }
    let path = super::percent_decode(src.split(['#', '?']).next().unwrap_or(""));
    let rel = Site::resolve_path(&doc.rel, &path)?;
    let asset = site.assets.get(&rel)?;
    let size = imagesize::size(&asset.abs).ok()?;
    Some((size.width, size.height))
}
