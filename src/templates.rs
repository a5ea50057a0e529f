//! Stage 4, template: Tera setup and theme lookup. The default theme is
//! compiled into the binary; a project's `themes/<name>/` overrides it file
//! by file. Renders views it is given; builds no data of its own.

use std::collections::BTreeSet;
use std::path::Path;

use include_dir::{Dir, include_dir};
use serde::Serialize;

use crate::diagnostics::{Diagnostic, rel_path};

static DEFAULT_THEME: Dir = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// The templates and static files of the active theme.
pub struct Theme {
    tera: tera::Tera,
    /// Names (without `.html`) of every template under `shortcodes/`.
    pub shortcodes: BTreeSet<String>,
    /// Files to copy to `static/`, by path relative to the theme's `static/`.
    pub static_files: Vec<(String, Vec<u8>)>,
    /// Where each template came from, for error messages.
    origins: std::collections::HashMap<String, String>,
}

impl Theme {
    /// The built-in theme with the project's theme files layered over it.
    pub fn load(root: &Path, name: &str) -> Result<Theme, Vec<Diagnostic>> {
        let mut templates: std::collections::BTreeMap<String, (String, String)> = Default::default();
        let mut statics: std::collections::BTreeMap<String, Vec<u8>> = Default::default();
        collect_embedded(&DEFAULT_THEME, &mut templates, &mut statics);

        let project_theme = root.join("themes").join(name);
        if project_theme.is_dir() {
            collect_project(root, &project_theme, &mut templates, &mut statics)?;
        } else if name != "default" {
            return Err(vec![
                Diagnostic::whole_file("wingreport.toml", format!("theme `{name}` not found"))
                    .with_hint(format!("create themes/{name}/templates/, or set `theme = \"default\"`")),
            ]);
        }

        let mut tera = tera::Tera::new();
        let mut diags = Vec::new();
        let mut origins = std::collections::HashMap::new();
        for (tpl_name, (origin, _)) in &templates {
            origins.insert(tpl_name.clone(), origin.clone());
        }
        let raw: Vec<(&str, &str)> = templates.iter().map(|(n, (_, t))| (n.as_str(), t.as_str())).collect();
        register_filters(&mut tera);
        if let Err(err) = tera.add_raw_templates(raw) {
            let origin =
                if project_theme.is_dir() { rel_path(root, &project_theme) } else { "(built-in theme)".to_string() };
            diags.push(Diagnostic::whole_file(origin, format!("a template does not parse: {err}")));
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        let shortcodes = templates
            .keys()
            .filter_map(|n| n.strip_prefix("shortcodes/")?.strip_suffix(".html"))
            .map(str::to_string)
            .collect();
        Ok(Theme { tera, shortcodes, static_files: statics.into_iter().collect(), origins })
    }

    /// Renders a template with a serialisable view as its context.
    pub fn render(&self, template: &str, view: &impl Serialize) -> Result<String, Diagnostic> {
        self.render_with(template, view, [])
    }

    /// Like `render`, with extra variables that are already template values.
    pub fn render_with<const N: usize>(
        &self,
        template: &str,
        view: &impl Serialize,
        extra: [(&'static str, tera::Value); N],
    ) -> Result<String, Diagnostic> {
        let mut context = tera::Context::from_serialize(view).map_err(|e| self.error(template, &e))?;
        for (name, value) in extra {
            context.insert_value(name, value);
        }
        self.tera.render(template, &context).map_err(|e| self.error(template, &e))
    }

    fn error(&self, template: &str, err: &tera::Error) -> Diagnostic {
        let origin = self.origins.get(template).cloned().unwrap_or_else(|| template.to_string());
        let mut message = err.to_string();
        let mut source = std::error::Error::source(err);
        while let Some(inner) = source {
            message.push_str(": ");
            message.push_str(&inner.to_string());
            source = inner.source();
        }
        Diagnostic::whole_file(origin, format!("template error: {message}"))
            .with_hint("check the template against the variables listed in the theme guide of README.md")
    }
}

type Templates = std::collections::BTreeMap<String, (String, String)>;
type Statics = std::collections::BTreeMap<String, Vec<u8>>;

fn collect_embedded(dir: &Dir, templates: &mut Templates, statics: &mut Statics) {
    for entry in dir.entries() {
        let file = match entry {
            include_dir::DirEntry::Dir(sub) => {
                collect_embedded(sub, templates, statics);
                continue;
            }
            include_dir::DirEntry::File(file) => file,
        };
        let path = file.path().to_string_lossy().replace('\\', "/");
        if let Some(name) = path.strip_prefix("templates/") {
            let text = String::from_utf8_lossy(file.contents()).into_owned();
            templates.insert(name.to_string(), (format!("(built-in theme) templates/{name}"), text));
        } else if let Some(name) = path.strip_prefix("static/") {
            statics.insert(name.to_string(), file.contents().to_vec());
        }
    }
}

fn collect_project(
    root: &Path,
    theme_dir: &Path,
    templates: &mut Templates,
    statics: &mut Statics,
) -> Result<(), Vec<Diagnostic>> {
    let mut diags = Vec::new();
    for entry in walkdir::WalkDir::new(theme_dir).sort_by_file_name().into_iter().filter_map(Result::ok) {
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = rel_path(theme_dir, entry.path());
        let read = std::fs::read(entry.path());
        let bytes = match read {
            Ok(b) => b,
            Err(err) => {
                diags.push(Diagnostic::whole_file(rel_path(root, entry.path()), format!("cannot read: {err}")));
                continue;
            }
        };
        if let Some(name) = rel.strip_prefix("templates/") {
            match String::from_utf8(bytes) {
                Ok(text) => {
                    templates.insert(name.to_string(), (rel_path(root, entry.path()), text));
                }
                Err(_) => {
                    diags.push(Diagnostic::whole_file(rel_path(root, entry.path()), "template is not UTF-8 text"))
                }
            }
        } else if let Some(name) = rel.strip_prefix("static/") {
            statics.insert(name.to_string(), bytes);
        }
    }
    if diags.is_empty() { Ok(()) } else { Err(diags) }
}

fn register_filters(tera: &mut tera::Tera) {
    // Makes content-defined keys (rating names) safe as CSS class names.
    tera.register_filter("slug", |value: &str, _: tera::Kwargs, _: &tera::State| crate::markdown::slugify(value));
    // Joins a list of names as people write them: "A, B and C".
    tera.register_filter("and_list", |value: Vec<String>, _: tera::Kwargs, _: &tera::State| match value.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    });
}
