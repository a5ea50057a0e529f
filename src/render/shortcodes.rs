//! Shortcode calls checked against the known shortcodes and rendered through
//! the theme's `shortcodes/<name>.html`, with tables and figures numbered.

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::{Value, json};

use super::Bibliography;
use crate::diagnostics::{Diagnostic, did_you_mean, one_of};
use crate::markdown::shortcodes::{ArgValue, Call};
use crate::markdown::{PageState, slugify};
use crate::model::{Delivery, Project, Role, Site};
use crate::templates::Theme;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Numbered {
    Table,
    Figure,
    No,
}

struct Builtin {
    name: &'static str,
    numbered: Numbered,
    args: &'static [&'static str],
    required: &'static [&'static str],
}

const BUILTINS: &[Builtin] = &[
    Builtin { name: "profile", numbered: Numbered::Table, args: &["id", "caption"], required: &[] },
    Builtin { name: "delivery", numbered: Numbered::Table, args: &["id", "caption"], required: &[] },
    Builtin { name: "phases", numbered: Numbered::Table, args: &["id", "caption"], required: &[] },
    Builtin { name: "attributes_chart", numbered: Numbered::Figure, args: &["id", "caption"], required: &[] },
    Builtin { name: "social_capital", numbered: Numbered::Figure, args: &["id", "caption"], required: &[] },
    Builtin { name: "ladder", numbered: Numbered::Figure, args: &["id", "caption"], required: &[] },
    Builtin { name: "roles", numbered: Numbered::Table, args: &["id", "caption"], required: &[] },
    Builtin { name: "list", numbered: Numbered::No, args: &["key"], required: &["key"] },
    Builtin { name: "table", numbered: Numbered::Table, args: &["key", "id", "caption"], required: &["key"] },
    Builtin { name: "recommendations", numbered: Numbered::No, args: &[], required: &[] },
    Builtin { name: "quote", numbered: Numbered::No, args: &["id"], required: &["id"] },
];

/// Counts tables and figures within one section: "Table 1.3", "Figure A.1".
pub struct Numbering {
    prefix: Option<String>,
    tables: usize,
    figures: usize,
}

impl Numbering {
    pub fn new(prefix: Option<&str>) -> Self {
        Numbering { prefix: prefix.map(str::to_string), tables: 0, figures: 0 }
    }

    fn next(&mut self, kind: Numbered) -> Option<String> {
        let (word, counter) = match kind {
            Numbered::Table => ("Table", &mut self.tables),
            Numbered::Figure => ("Figure", &mut self.figures),
            Numbered::No => return None,
        };
        *counter += 1;
        Some(match &self.prefix {
            Some(p) => format!("{word} {p}.{counter}"),
            None => format!("{word} {counter}"),
        })
    }
}

/// What a shortcode may draw on.
pub struct Env<'a> {
    pub project: &'a Project,
    pub site: Option<&'a Site>,
    /// The record as a template value, converted once per page: every
    /// shortcode template may read `site`, and converting the whole record
    /// per call dominated render time.
    site_value: Option<tera::Value>,
    pub theme: &'a Theme,
    /// Relative prefix from the page to the output root.
    pub root: &'a str,
    pub bibliography: &'a Bibliography<'a>,
}

impl<'a> Env<'a> {
    pub fn for_site(
        project: &'a Project,
        site: &'a Site,
        theme: &'a Theme,
        root: &'a str,
        bibliography: &'a Bibliography<'a>,
    ) -> Self {
        let site_value = Some(tera::Value::from_serializable(&site.record));
        Env { project, site: Some(site), site_value, theme, root, bibliography }
    }

    pub fn without_site(
        project: &'a Project,
        theme: &'a Theme,
        root: &'a str,
        bibliography: &'a Bibliography<'a>,
    ) -> Self {
        Env { project, site: None, site_value: None, theme, root, bibliography }
    }
}

/// The context of every shortcode template.
#[derive(Serialize)]
struct ShortcodeView<'a> {
    root: &'a str,
    args: &'a IndexMap<String, ArgValue>,
    /// "Table 1.3" when numbered.
    number: Option<String>,
    /// Anchor id of the table or figure.
    id: String,
    caption: String,
    /// Shortcode-specific rows and items, already in display form.
    data: Value,
}

/// Names of every shortcode a page may call: built-ins and the theme's own.
pub fn known_names(theme: &Theme) -> Vec<String> {
    let mut names: Vec<String> = BUILTINS.iter().map(|b| b.name.to_string()).collect();
    names.extend(theme.shortcodes.iter().filter(|n| !names.contains(n)).cloned().collect::<Vec<_>>());
    names.sort();
    names
}

/// A numbered table or figure, for cross-references and the list of figures.
#[derive(Debug, Clone, Serialize)]
pub struct FigureEntry {
    pub id: String,
    /// "Table 1.3", "Figure A.1"
    pub number: String,
    pub caption: String,
}

/// What a call rendered to.
pub struct ShortcodeOutput {
    pub html: String,
    /// The words it shows, for the search index.
    pub text: String,
    pub figure: Option<FigureEntry>,
}

/// Checks and renders one call, written in `path`, to HTML.
pub fn render_call(
    call: &Call,
    env: &Env,
    numbering: &mut Numbering,
    page: &mut PageState,
    path: &str,
) -> Result<ShortcodeOutput, Diagnostic> {
    let (line, col) = (call.line, call.col);
    let error = |message: String, hint: String| Diagnostic::new(path, line, col, message).with_hint(hint);
    let builtin = BUILTINS.iter().find(|b| b.name == call.name);
    if builtin.is_none() && !env.theme.shortcodes.contains(&call.name) {
        let known = known_names(env.theme);
        let hint = match did_you_mean(&call.name, known.iter().map(String::as_str)) {
            Some(near) => format!("did you mean `{near}`? Known shortcodes: {}", one_of(&known)),
            None => format!("known shortcodes: {}", one_of(&known)),
        };
        return Err(error(format!("unknown shortcode `{}`", call.name), hint));
    }
    let (numbered, data, default_caption) = match builtin {
        Some(spec) => {
            check_args(call, spec).map_err(|(m, h)| error(m, h))?;
            let (data, caption) = builtin_data(call, env).map_err(|(m, h)| error(m, h))?;
            (spec.numbered, data, caption)
        }
        None => (Numbered::No, Value::Null, String::new()),
    };
    let caption = call.args.get("caption").and_then(ArgValue::as_str).map_or(default_caption, str::to_string);
    let number = numbering.next(numbered);
    let explicit_id = if call.name == "quote" { None } else { call.args.get("id").and_then(ArgValue::as_str) };
    let id = match explicit_id {
        Some(id) if !page.claim(id) => {
            return Err(error(
                format!("id `{id}` is used twice in this report"),
                "give each table and figure its own `id`".to_string(),
            ));
        }
        Some(id) => id.to_string(),
        // A quote is anchored by its own id; it may be quoted more than once.
        None if call.name == "quote" => page.unique_id(&slugify(arg(call, "id"))),
        None => page.unique_id(&slugify(&format!("{} {}", call.name, arg(call, "key")))),
    };
    let figure = number.clone().map(|number| FigureEntry { id: id.clone(), number, caption: caption.clone() });
    let mut text = format!("{} {caption} ", number.as_deref().unwrap_or(""));
    searchable_text(&data, &mut text);
    let view = ShortcodeView { root: env.root, args: &call.args, number, id, caption, data };
    let site = env.site_value.clone().unwrap_or(tera::Value::none());
    let html = env.theme.render_with(&format!("shortcodes/{}.html", call.name), &view, [("site", site)]).map_err(
        |mut d| {
            d.message = format!("shortcode `{}` at {path}:{line}: {}", call.name, d.message);
            d
        },
    )?;
    Ok(ShortcodeOutput { html, text, figure })
}

/// The words of a shortcode's display data, read from the data itself
/// rather than from the HTML its template makes of it.
fn searchable_text(value: &Value, out: &mut String) {
    match value {
        Value::String(s) => {
            out.push_str(s);
            out.push(' ');
        }
        Value::Number(n) => {
            out.push_str(&n.to_string());
            out.push(' ');
        }
        Value::Array(items) => items.iter().for_each(|v| searchable_text(v, out)),
        Value::Object(map) => map
            .iter()
            // Markup, file names and machine keys are not words a reader sees.
            .filter(|(k, _)| !matches!(k.as_str(), "svg" | "csv" | "colour" | "key" | "symbol" | "href" | "id"))
            .for_each(|(_, v)| searchable_text(v, out)),
        Value::Null | Value::Bool(_) => {}
    }
}

/// Renders a built-in shortcode's template outside Markdown, so other pages
/// (the comparison) show the same tables in the same markup.
pub fn render_template(
    theme: &Theme,
    name: &str,
    number: Option<String>,
    id: &str,
    caption: &str,
    data: Value,
) -> Result<String, Diagnostic> {
    let args = IndexMap::new();
    let view = ShortcodeView { root: "", args: &args, number, id: id.to_string(), caption: caption.to_string(), data };
    theme.render_with(&format!("shortcodes/{name}.html"), &view, [("site", tera::Value::none())])
}

/// Display rows of a role table; the confidentiality column only when used.
pub fn roles_data(roles: &[Role]) -> Value {
    let rows: Vec<Value> = roles
        .iter()
        .map(|role| {
            json!({
                "title": role.title,
                "paid": role.paid.label(),
                "lcr": role.lcr.map(|l| l.label()),
                "induction": role.induction,
                "single_issue": role.single_issue,
                "bridging": role.bridging,
                "representation": role.representation,
            })
        })
        .collect();
    json!({"roles": rows, "with_lcr": roles.iter().any(|role| role.lcr.is_some())})
}

type Problem = (String, String);

fn check_args(call: &Call, spec: &Builtin) -> Result<(), Problem> {
    let allowed = if spec.args.is_empty() {
        "it takes no arguments".to_string()
    } else {
        format!("its arguments are {}", one_of(spec.args))
    };
    for (name, value) in &call.args {
        if !spec.args.contains(&name.as_str()) {
            return Err((format!("`{}` has no argument `{name}`", spec.name), allowed));
        }
        if value.as_str().is_none() {
            return Err((
                format!("argument `{name}` of `{}` must be text in quotes", spec.name),
                format!("write `{name}=\"...\"`"),
            ));
        }
    }
    for required in spec.required {
        if !call.args.contains_key(*required) {
            return Err((
                format!("`{}` needs the argument `{required}`", spec.name),
                format!("write `{{{{ {}({required}=\"...\") }}}}`", spec.name),
            ));
        }
    }
    Ok(())
}

fn arg<'c>(call: &'c Call, name: &str) -> &'c str {
    call.args.get(name).and_then(ArgValue::as_str).unwrap_or("")
}

fn row(label: &str, value: impl Into<String>) -> Value {
    json!({"label": label, "value": value.into()})
}

/// Display data and default caption of a built-in shortcode.
fn builtin_data(call: &Call, env: &Env) -> Result<(Value, String), Problem> {
    // Every built-in shows part of a site record.
    let Some(site) = env.site else {
        return Err((
            format!("`{}` shows a site record, so it only works in a site report", call.name),
            "move it into a file under content/sites/<id>/".to_string(),
        ));
    };
    let r = &site.record;
    let missing = |key: &str| {
        (
            format!("`{}()` needs `{key}` in {}, which has none", call.name, site.record_path),
            format!("add a `{key}:` block to the record, or remove this shortcode"),
        )
    };
    Ok(match call.name.as_str() {
        "profile" => {
            let p = &r.profile.as_ref().ok_or_else(|| missing("profile"))?.value;
            // Only the rows the record states: no row is filled in for it.
            let stated = [
                ("Prison", r.prison.clone()),
                ("Wing", r.wing.clone()),
                ("Category", p.category.clone()),
                ("Resident profile", p.resident_profile.clone()),
                ("Estate", p.estate.map(|e| e.label().to_string())),
                ("Region", p.region.clone()),
                ("Population", p.population.map(|n| n.to_string())),
            ];
            let mut rows: Vec<Value> =
                stated.into_iter().filter_map(|(label, value)| value.map(|v| row(label, v))).collect();
            for (label, value) in p.extra.iter().flatten() {
                rows.push(row(label, value.clone()));
            }
            let caption = match &r.prison {
                Some(prison) => format!("Profile of {prison}"),
                None => format!("Profile: {}", r.place()),
            };
            (json!({"rows": rows}), caption)
        }
        "delivery" => {
            let d = &r.delivery.as_ref().ok_or_else(|| missing("delivery"))?.value;
            let stated = [
                ("Peer role", d.role.clone()),
                ("Paid", d.paid.map(|paid| Delivery::paid_label(paid).to_string())),
                ("Training provider", d.training_provider.clone()),
                ("Training", d.training.clone()),
                ("Accreditation", d.accreditation.map(|a| a.label().to_string())),
                ("Supervision", d.supervision.clone()),
                ("Progression", d.progression.clone()),
            ];
            let rows: Vec<Value> =
                stated.into_iter().filter_map(|(label, value)| value.map(|v| row(label, v))).collect();
            (json!({"rows": rows}), "Peer involvement role delivery model".to_string())
        }
        "phases" => {
            let phases = r.phases.as_ref().ok_or_else(|| missing("phases"))?;
            (json!({"phases": phases}), "Phases of the activity programme".to_string())
        }
        "roles" => {
            let roles = r.roles.as_ref().ok_or_else(|| missing("roles"))?;
            let caption = match &r.prison {
                Some(prison) => format!("Peer involvement roles at {prison}"),
                None => format!("Peer involvement roles: {}", r.place()),
            };
            (roles_data(roles), caption)
        }
        "ladder" => {
            let ladder = r.ladder.as_ref().ok_or_else(|| missing("ladder"))?;
            let framework = env.project.frameworks.ladder.as_ref().ok_or_else(|| {
                (
                    "`ladder()` needs the ladder levels".to_string(),
                    format!("add `ladder: levels:` to {}", env.project.frameworks_path),
                )
            })?;
            let levels: Vec<Value> = framework
                .levels
                .iter()
                .rev()
                .map(|l| {
                    json!({
                        "n": l.n, "name": l.name, "description": l.description,
                        "current": l.n == ladder.current.value, "target": l.n == ladder.target.value,
                    })
                })
                .collect();
            (
                json!({"levels": levels, "note": ladder.note}),
                "Service-user involvement ladder: current and target levels".to_string(),
            )
        }
        "list" => {
            let key = arg(call, "key");
            let lists = r.lists.as_ref().ok_or_else(|| missing("lists"))?;
            let list = lists.get(key).ok_or_else(|| unknown_key("list", key, lists.keys(), &site.record_path))?;
            (json!({"list": list}), list.title.clone())
        }
        "table" => {
            let key = arg(call, "key");
            let tables = r.tables.as_ref().ok_or_else(|| missing("tables"))?;
            let table = tables.get(key).ok_or_else(|| unknown_key("table", key, tables.keys(), &site.record_path))?;
            let rows: Vec<&Vec<String>> = table.rows.iter().map(|r| &r.value).collect();
            (json!({"columns": table.columns, "rows": rows}), table.caption.clone())
        }
        "recommendations" => {
            let recommendations = r.recommendations.as_ref().ok_or_else(|| missing("recommendations"))?;
            (json!({"recommendations": recommendations}), "Recommendations".to_string())
        }
        "quote" => {
            let id = arg(call, "id");
            let quotes = r.quotes.as_ref().ok_or_else(|| missing("quotes"))?;
            let quote = quotes
                .iter()
                .find(|q| q.id.value == id)
                .ok_or_else(|| unknown_key("quote", id, quotes.iter().map(|q| &q.id.value), &site.record_path))?;
            let data = json!({
                "text": quote.text, "speaker": quote.speaker, "role": quote.role, "method": quote.method.label(),
            });
            (data, String::new())
        }
        "attributes_chart" => {
            let attributes = r.attributes.as_ref().ok_or_else(|| missing("attributes"))?;
            super::figures::attributes_figure(attributes, &r.id.value)
        }
        "social_capital" => {
            let ratings = r.social_capital.as_ref().ok_or_else(|| missing("social_capital"))?;
            let framework = env.project.frameworks.social_capital.as_ref().ok_or_else(|| {
                (
                    "`social_capital()` needs the framework".to_string(),
                    format!("add `social_capital:` to {}", env.project.frameworks_path),
                )
            })?;
            super::figures::social_capital_figure(ratings, framework, env.project.config.charts.palette, &r.id.value)
        }
        _ => (Value::Null, String::new()),
    })
}

fn unknown_key<'k>(what: &str, key: &str, known: impl Iterator<Item = &'k String>, record_path: &str) -> Problem {
    let known: Vec<&str> = known.map(String::as_str).collect();
    let hint = match did_you_mean(key, known.iter().copied()) {
        Some(near) => format!("did you mean `{near}`? Defined in {record_path}: {}", one_of(&known)),
        None => format!("defined in {record_path}: {}", one_of(&known)),
    };
    (format!("no {what} `{key}` in this site's record"), hint)
}
