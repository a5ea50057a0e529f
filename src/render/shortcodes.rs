//! Shortcode calls checked against the known shortcodes and rendered through
//! the theme's `shortcodes/<name>.html`, with tables and figures numbered.

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::{Value, json};

use super::Bibliography;
use super::prose::ProseRenderer;
use crate::diagnostics::{Diagnostic, Gap, did_you_mean, one_of};
use crate::markdown::shortcodes::{ArgValue, Call};
use crate::markdown::{PageState, Resolved, slugify};
use crate::model::{Cell, Delivery, NumberingConfig, NumberingScope, Paid, Project, Prose, Role, Site};
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
    Builtin { name: READING_LIST, numbered: Numbered::No, args: &["works"], required: &["works"] },
    // Planned like the others, but rendered by `render_reference_list` once
    // every work the page cites is known.
    Builtin { name: REFERENCES, numbered: Numbered::No, args: &[], required: &[] },
];

/// The shortcode that places the reference list where it is written.
pub const REFERENCES: &str = "references";

/// The shortcode that lists chosen works of references.yaml, cited or not,
/// as a report's annex of further reading does.
const READING_LIST: &str = "reading_list";

/// Counts tables and figures, restarting in each section ("Table 1.3",
/// "Figure A.1") or running across the whole report ("Table 7"), as
/// `[numbering]` in wingreport.toml says for each kind.
pub struct Numbering {
    table_scope: NumberingScope,
    figure_scope: NumberingScope,
    prefix: Option<String>,
    tables: usize,
    figures: usize,
}

impl Numbering {
    pub fn new(config: &NumberingConfig) -> Self {
        Numbering { table_scope: config.tables, figure_scope: config.figures, prefix: None, tables: 0, figures: 0 }
    }

    /// Enters the next section, labelled `prefix` ("1", "A") or unnumbered.
    pub fn section(&mut self, prefix: Option<&str>) {
        self.prefix = prefix.map(str::to_string);
        if self.table_scope == NumberingScope::Section {
            self.tables = 0;
        }
        if self.figure_scope == NumberingScope::Section {
            self.figures = 0;
        }
    }

    fn next(&mut self, kind: Numbered) -> Option<String> {
        let (word, counter, scope) = match kind {
            Numbered::Table => ("Table", &mut self.tables, self.table_scope),
            Numbered::Figure => ("Figure", &mut self.figures, self.figure_scope),
            Numbered::No => return None,
        };
        *counter += 1;
        Some(match (&self.prefix, scope) {
            (Some(p), NumberingScope::Section) => format!("{word} {p}.{counter}"),
            _ => format!("{word} {counter}"),
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
    /// The report's draft sections this build leaves out: a cross-reference
    /// into one says so.
    pub left_out: Vec<&'a crate::model::Narrative>,
    /// The delivery fields some report of the output states, in
    /// [`DELIVERY_COLUMNS`](super::compare::DELIVERY_COLUMNS) order.
    pub delivery_stated: [bool; 7],
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
        Env {
            project,
            site: Some(site),
            site_value,
            theme,
            root,
            bibliography,
            left_out: Vec::new(),
            delivery_stated: [false; 7],
        }
    }

    pub fn without_site(
        project: &'a Project,
        theme: &'a Theme,
        root: &'a str,
        bibliography: &'a Bibliography<'a>,
    ) -> Self {
        Env {
            project,
            site: None,
            site_value: None,
            theme,
            root,
            bibliography,
            left_out: Vec::new(),
            delivery_stated: [false; 7],
        }
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
    /// `table` or `figure`, for the printed lists of each.
    pub kind: &'static str,
}

/// What a call rendered to.
pub struct ShortcodeOutput {
    pub html: String,
    /// The words it shows, for the search index.
    pub text: String,
}

/// A call checked, numbered and given its data, waiting for every label of
/// the page, which the Markdown in its record fields may cross-reference.
pub struct Planned<'a> {
    name: String,
    args: IndexMap<String, ArgValue>,
    /// Where the call is written.
    path: String,
    line: usize,
    number: Option<String>,
    id: String,
    caption: String,
    /// Display data, with `{"$prose": i}` where `prose[i]` goes.
    data: Value,
    prose: Slots<'a>,
}

/// Collects the Markdown fields a shortcode shows, leaving a slot in its
/// data for each, and whether it fills a table cell.
#[derive(Default)]
pub(super) struct Slots<'a>(Vec<(&'a Prose, bool)>);

impl<'a> Slots<'a> {
    /// `data` with every slot filled with its field rendered by `prose`.
    pub(super) fn fill(self, mut data: Value, prose: &mut ProseRenderer) -> Value {
        let rendered: Vec<Value> = self
            .0
            .iter()
            .map(|&(field, cell)| if cell { prose.render_cell(field) } else { prose.render(field) })
            .collect();
        fill_slots(&mut data, &rendered);
        data
    }

    fn slot(&mut self, prose: &'a Prose, cell: bool) -> Value {
        self.0.push((prose, cell));
        json!({ PROSE_SLOT: self.0.len() - 1 })
    }

    pub(super) fn put(&mut self, prose: &'a Prose) -> Value {
        self.slot(prose, false)
    }

    pub(super) fn put_opt(&mut self, prose: Option<&'a Prose>) -> Value {
        prose.map_or(Value::Null, |p| self.put(p))
    }

    /// A slot for a field that fills a table cell.
    pub(super) fn cell(&mut self, prose: &'a Prose) -> Value {
        self.slot(prose, true)
    }

    pub(super) fn cell_opt(&mut self, prose: Option<&'a Prose>) -> Value {
        prose.map_or(Value::Null, |p| self.cell(p))
    }
}

const PROSE_SLOT: &str = "$prose";

/// Checks one call written in `path`, numbers it and gathers its data.
pub fn plan_call<'a>(
    call: &Call,
    env: &Env<'a>,
    numbering: &mut Numbering,
    page: &mut PageState,
    path: &str,
) -> Result<(Planned<'a>, Option<FigureEntry>), Diagnostic> {
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
    let mut slots = Slots::default();
    let (numbered, data, default_caption) = match builtin {
        Some(spec) => {
            let located = |p: Problem| {
                let col = p.arg.as_deref().and_then(|arg| call.column_of(arg)).unwrap_or(col);
                let diag = Diagnostic::new(path, line, col, p.message).with_hint(p.hint);
                Diagnostic { follows: p.follows, ..diag }
            };
            check_args(call, spec).map_err(located)?;
            let (data, caption) = builtin_data(call, env, &mut slots).map_err(located)?;
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
    let kind = if numbered == Numbered::Table { "table" } else { "figure" };
    let figure = number.clone().map(|number| FigureEntry { id: id.clone(), number, caption: caption.clone(), kind });
    let planned = Planned {
        name: call.name.clone(),
        args: call.args.clone(),
        path: path.to_string(),
        line,
        number,
        id,
        caption,
        data,
        prose: slots,
    };
    Ok((planned, figure))
}

/// Renders a planned call to HTML, its record fields through `prose`.
pub fn render_planned(planned: Planned, env: &Env, prose: &mut ProseRenderer) -> Result<ShortcodeOutput, Diagnostic> {
    let Planned { name, args, path, line, number, id, caption, data, prose: slots } = planned;
    let data = slots.fill(data, prose);
    let mut text = format!("{} {caption}", number.as_deref().unwrap_or(""));
    crate::search::end_block(&mut text);
    searchable_text(&data, &mut text);
    let view = ShortcodeView { root: env.root, args: &args, number, id, caption, data };
    let site = env.site_value.clone().unwrap_or(tera::Value::none());
    let html =
        env.theme.render_with(&format!("shortcodes/{name}.html"), &view, [("site", site)]).map_err(|mut d| {
            d.message = format!("shortcode `{name}` at {path}:{line}: {}", d.message);
            d
        })?;
    Ok(ShortcodeOutput { html, text })
}

impl Planned<'_> {
    pub fn is_reference_list(&self) -> bool {
        self.name == REFERENCES
    }
}

/// Renders a planned `{{ references() }}` with the page's reference list.
pub fn render_reference_list(planned: Planned, env: &Env, entries: &[Resolved]) -> Result<ShortcodeOutput, Diagnostic> {
    let text = entries.iter().map(|e| e.text.as_str()).collect::<Vec<_>>().join(" ");
    let data = json!({ "entries": entries.iter().map(|e| &e.html).collect::<Vec<_>>() });
    let Planned { name, args, path, line, number, id, caption, .. } = planned;
    let view = ShortcodeView { root: env.root, args: &args, number, id, caption, data };
    let html = env
        .theme
        .render_with(&format!("shortcodes/{name}.html"), &view, [("site", tera::Value::none())])
        .map_err(|mut d| {
            d.message = format!("shortcode `{name}` at {path}:{line}: {}", d.message);
            d
        })?;
    Ok(ShortcodeOutput { html, text })
}

/// A table cell that reads as a number: digits with optional sign, currency,
/// thousands separators, decimals and a trailing percent sign, such as
/// `1,204`, `-3.5`, `£12` or `45%`.
fn is_number(text: &str) -> bool {
    let text = text.trim();
    let text = text.strip_prefix(['-', '+', '\u{2212}']).unwrap_or(text);
    let text = text.strip_prefix(['£', '$', '€']).unwrap_or(text);
    let text = text.strip_suffix('%').unwrap_or(text).trim_end();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let grouped = whole.split(',').enumerate().all(|(i, group)| {
        !group.is_empty() && group.bytes().all(|b| b.is_ascii_digit()) && (i == 0 || group.len() == 3)
    });
    grouped && fraction.bytes().all(|b| b.is_ascii_digit()) && !(text.contains('.') && fraction.is_empty())
}

/// Puts each rendered field in its slot.
fn fill_slots(value: &mut Value, rendered: &[Value]) {
    match value {
        Value::Object(map) => match map.get(PROSE_SLOT).and_then(Value::as_u64) {
            Some(i) if map.len() == 1 => *value = rendered[i as usize].clone(),
            _ => map.values_mut().for_each(|v| fill_slots(v, rendered)),
        },
        Value::Array(items) => items.iter_mut().for_each(|v| fill_slots(v, rendered)),
        _ => {}
    }
}

/// The words of a shortcode's display data, read from the data itself
/// rather than from the HTML its template makes of it.
fn searchable_text(value: &Value, out: &mut String) {
    match value {
        Value::String(s) => {
            out.push_str(s);
            crate::search::end_block(out);
        }
        Value::Number(n) => {
            out.push_str(&n.to_string());
            crate::search::end_block(out);
        }
        Value::Array(items) => items.iter().for_each(|v| searchable_text(v, out)),
        Value::Object(map) => map
            .iter()
            // Markup, file names and machine keys are not words a reader
            // sees; a Markdown field's words are its `text`, and a quote's
            // `attribution` joins words read from its other keys.
            .filter(|(k, _)| {
                !matches!(
                    k.as_str(),
                    "svg" | "csv" | "csv_name" | "colour" | "key" | "symbol" | "href" | "id" | "html" | "attribution"
                )
            })
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

/// Display rows of a role table, and which of its columns any role states:
/// a column no role states is left out, not filled with dashes.
pub(super) fn roles_data<'a>(roles: &'a [Role], slots: &mut Slots<'a>) -> Value {
    let rows: Vec<Value> = roles
        .iter()
        .map(|role| {
            json!({
                "title": role.title,
                "paid": role.paid.as_ref().map(Paid::label),
                "lcr": role.lcr.map(|l| l.label()),
                "induction": slots.cell_opt(role.induction.as_ref()),
                "single_issue": slots.cell_opt(role.single_issue.as_ref()),
                "bridging": slots.cell_opt(role.bridging.as_ref()),
                "representation": slots.cell_opt(role.representation.as_ref()),
            })
        })
        .collect();
    let any = |stated: fn(&Role) -> bool| roles.iter().any(stated);
    json!({"roles": rows, "stated": {
        "paid": any(|r| r.paid.is_some()),
        "lcr": any(|r| r.lcr.is_some()),
        "induction": any(|r| r.induction.is_some()),
        "single_issue": any(|r| r.single_issue.is_some()),
        "bridging": any(|r| r.bridging.is_some()),
        "representation": any(|r| r.representation.is_some()),
    }})
}

/// A shortcode mistake before it has a place in a file.
struct Problem {
    message: String,
    hint: String,
    /// Set when the record's own mistakes could have left out what is missing.
    follows: Option<Gap>,
    /// The argument at fault, which the error points at.
    arg: Option<String>,
}

impl From<(String, String)> for Problem {
    fn from((message, hint): (String, String)) -> Self {
        Problem { message, hint, follows: None, arg: None }
    }
}

impl Problem {
    fn at_arg(self, name: &str) -> Self {
        Problem { arg: Some(name.to_string()), ..self }
    }
}

fn check_args(call: &Call, spec: &Builtin) -> Result<(), Problem> {
    let allowed = if spec.args.is_empty() {
        "it takes no arguments".to_string()
    } else {
        format!("its arguments are {}", one_of(spec.args))
    };
    for (name, value) in &call.args {
        if !spec.args.contains(&name.as_str()) {
            return Err(Problem::from((format!("`{}` has no argument `{name}`", spec.name), allowed)).at_arg(name));
        }
        if value.as_str().is_none() {
            return Err(Problem::from((
                format!("argument `{name}` of `{}` must be text in quotes", spec.name),
                format!("write `{name}=\"...\"`"),
            ))
            .at_arg(name));
        }
    }
    for required in spec.required {
        if !call.args.contains_key(*required) {
            return Err((
                format!("`{}` needs the argument `{required}`", spec.name),
                format!("write `{{{{ {}({required}=\"...\") }}}}`", spec.name),
            )
                .into());
        }
    }
    Ok(())
}

fn arg<'c>(call: &'c Call, name: &str) -> &'c str {
    call.args.get(name).and_then(ArgValue::as_str).unwrap_or("")
}

fn row(label: &str, value: Value) -> Value {
    json!({"label": label, "value": value})
}

/// A value of our own wording (a label, a number) in the shape of a
/// rendered Markdown field, so a template prints every cell alike.
fn plain(text: &str) -> Value {
    // Every such value fills a table cell (a profile's or a delivery model's).
    let html = crate::markdown::long_words_marked(text).unwrap_or_else(|| crate::markdown::escape_html(text));
    json!({"html": html, "text": text, "block": false})
}

/// Display data and default caption of a built-in shortcode.
fn builtin_data<'a>(call: &Call, env: &Env<'a>, slots: &mut Slots<'a>) -> Result<(Value, String), Problem> {
    // The one built-in that shows no record; its data comes last.
    if call.name == REFERENCES {
        return Ok((Value::Null, String::new()));
    }
    if call.name == READING_LIST {
        return reading_list(arg(call, "works"), env.bibliography)
            .map(|entries| (json!({ "entries": entries }), String::new()));
    }
    // Every built-in shows part of a site record.
    let Some(site) = env.site else {
        return Err((
            format!("`{}` shows a site record, so it only works in a site report", call.name),
            "move it into a file under content/sites/<id>/".to_string(),
        )
            .into());
    };
    let r = &site.record;
    let missing = |key: &str| Problem {
        message: format!("`{}()` needs `{key}` in {}, which has none", call.name, site.record_path),
        hint: format!("add a `{key}:` block to the record, or remove this shortcode"),
        follows: Some(Gap::Record),
        arg: None,
    };
    Ok(match call.name.as_str() {
        "profile" => {
            let p = &r.profile.as_ref().ok_or_else(|| missing("profile"))?.value;
            // Only the rows the record states: no row is filled in for it.
            let stated = [
                ("Prison", r.prison.as_deref().map(plain)),
                ("Wing", r.wing.as_deref().map(plain)),
                ("Category", p.category.as_ref().map(|v| slots.cell(v))),
                ("Resident profile", p.resident_profile.as_ref().map(|v| slots.cell(v))),
                ("Estate", p.estate.map(|e| plain(e.label()))),
                ("Region", p.region.as_ref().map(|v| slots.cell(v))),
                ("Population", p.population.map(|n| plain(&super::thousands(n as usize)))),
            ];
            let mut rows: Vec<Value> =
                stated.into_iter().filter_map(|(label, value)| value.map(|v| row(label, v))).collect();
            for (label, value) in p.extra.iter().flatten() {
                rows.push(row(label, slots.cell(value)));
            }
            let caption = match &r.prison {
                Some(prison) => format!("Profile of {prison}"),
                None => format!("Profile: {}", r.place()),
            };
            (json!({"rows": rows}), caption)
        }
        "delivery" => {
            let d = &r.delivery.as_ref().ok_or_else(|| missing("delivery"))?.value;
            let values = [
                d.role.as_ref().map(|v| slots.cell(v)),
                d.paid.map(|paid| plain(Delivery::paid_label(paid))),
                d.training_provider.as_ref().map(|v| slots.cell(v)),
                d.training.as_ref().map(|v| slots.cell(v)),
                d.accreditation.map(|a| plain(a.label())),
                d.supervision.as_ref().map(|v| slots.cell(v)),
                d.progression.as_ref().map(|v| slots.cell(v)),
            ];
            // A field another report states has a row here too, read as
            // "not stated", as the comparison's column shows it "Not
            // reported"; a field no report states has no row, as it has no
            // column there.
            let rows: Vec<Value> = super::compare::DELIVERY_COLUMNS
                .iter()
                .zip(values)
                .zip(env.delivery_stated)
                .filter(|((_, value), elsewhere)| value.is_some() || *elsewhere)
                .map(|((label, value), _)| row(label, value.unwrap_or(Value::Null)))
                .collect();
            (json!({"rows": rows}), "Delivery model".to_string())
        }
        "phases" => {
            let phases = r.phases.as_ref().ok_or_else(|| missing("phases"))?;
            let stated = json!({
                "weeks": phases.iter().any(|p| p.weeks.is_some()),
                "location": phases.iter().any(|p| p.location.is_some()),
                "cohort": phases.iter().any(|p| p.cohort.is_some()),
            });
            let phases: Vec<Value> = phases
                .iter()
                .map(|p| {
                    json!({
                        "name": p.name, "weeks": p.weeks,
                        "location": slots.cell_opt(p.location.as_ref()), "cohort": slots.cell_opt(p.cohort.as_ref()),
                    })
                })
                .collect();
            (json!({"phases": phases, "stated": stated}), "Phases of the activity programme".to_string())
        }
        "roles" => {
            let roles = r.roles.as_ref().ok_or_else(|| missing("roles"))?;
            let caption = match &r.prison {
                Some(prison) => format!("Peer involvement roles at {prison}"),
                None => format!("Peer involvement roles: {}", r.place()),
            };
            (roles_data(roles, slots), caption)
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
                        "current": ladder.current.as_ref().is_some_and(|c| c.value == l.n),
                        "target": ladder.target.as_ref().is_some_and(|t| t.value == l.n),
                    })
                })
                .collect();
            (
                json!({"levels": levels, "note": slots.put_opt(ladder.note.as_ref())}),
                match (&ladder.current, &ladder.target) {
                    (Some(_), Some(_)) => "Service-user involvement ladder: current and target levels",
                    (Some(_), None) => "Service-user involvement ladder: current level",
                    (None, Some(_)) => "Service-user involvement ladder: target level",
                    (None, None) => "Service-user involvement ladder",
                }
                .to_string(),
            )
        }
        "list" => {
            let key = arg(call, "key");
            let lists = r.lists.as_ref().ok_or_else(|| missing("lists"))?;
            let list = lists
                .get(key)
                .ok_or_else(|| unknown_key("list", key, lists.keys(), &site.record_path).at_arg("key"))?;
            let items: Vec<Value> = list
                .items
                .iter()
                .map(|item| {
                    // A detail after a full sentence follows it as a sentence, not after a colon.
                    let sentence = item.text.as_str().trim_end().ends_with(['.', '!', '?', '\u{2026}']);
                    json!({
                        "text": slots.put(&item.text),
                        "detail": slots.put_opt(item.detail.as_ref()),
                        "sentence": sentence,
                    })
                })
                .collect();
            let caption = list.title.clone().unwrap_or_default();
            (json!({"list": {"title": list.title, "ordered": list.ordered, "items": items}}), caption)
        }
        "table" => {
            let key = arg(call, "key");
            let tables = r.tables.as_ref().ok_or_else(|| missing("tables"))?;
            let table = tables
                .get(key)
                .ok_or_else(|| unknown_key("table", key, tables.keys(), &site.record_path).at_arg("key"))?;
            let rows: Vec<Vec<Value>> = table
                .rows
                .iter()
                .map(|row| {
                    row.value
                        .iter()
                        .map(|cell| match cell {
                            Cell::Text(text) => slots.cell(text),
                            Cell::List(items) => {
                                json!({"list": items.iter().map(|i| slots.cell(i)).collect::<Vec<_>>()})
                            }
                        })
                        .collect()
                })
                .collect();
            // A column whose every filled cell is a number is set right-aligned.
            let numeric: Vec<bool> = (0..table.columns.len())
                .map(|c| {
                    let mut cells =
                        table.rows.iter().filter_map(|row| row.value.get(c)).filter_map(|cell| match cell {
                            Cell::Text(text) if !text.as_str().trim().is_empty() => Some(Some(text.as_str())),
                            Cell::Text(_) => None,
                            Cell::List(_) => Some(None),
                        });
                    let mut any = false;
                    cells.all(|text| {
                        any = true;
                        text.is_some_and(is_number)
                    }) && any
                })
                .collect();
            (json!({"columns": table.columns, "rows": rows, "numeric": numeric}), table.caption.clone())
        }
        "recommendations" => {
            let recommendations = r.recommendations.as_ref().ok_or_else(|| missing("recommendations"))?;
            let heading = |group: &crate::model::Recommendation| group.heading.clone().filter(|h| !h.trim().is_empty());
            let groups: Vec<Value> = recommendations
                .iter()
                .map(|group| {
                    let items: Vec<Value> = group.items.iter().map(|item| slots.put(item)).collect();
                    json!({"heading": heading(group), "items": items})
                })
                .collect();
            // Without any heading, the recommendations are one numbered list.
            let grouped = recommendations.iter().any(|group| heading(group).is_some());
            (json!({"recommendations": groups, "grouped": grouped}), "Recommendations".to_string())
        }
        "quote" => {
            let id = arg(call, "id");
            let quotes = r.quotes.as_ref().ok_or_else(|| missing("quotes"))?;
            let quote = quotes.iter().find(|q| q.id.value == id).ok_or_else(|| {
                unknown_key("quote", id, quotes.iter().map(|q| &q.id.value), &site.record_path).at_arg("id")
            })?;
            // "(Sam, Resident, interview)" from the parts the record states.
            let method = quote.method.map(|m| m.label());
            let parts: Vec<&str> =
                [quote.speaker.as_deref(), quote.role.as_deref(), method].into_iter().flatten().collect();
            let data = json!({
                "text": slots.put(&quote.text), "speaker": quote.speaker, "role": quote.role, "method": method,
                "attribution": (!parts.is_empty()).then(|| parts.join(", ")),
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
            let palette = env.project.config.charts.palette;
            super::figures::social_capital_figure(ratings, framework, palette, &r.id.value, slots)
        }
        _ => (Value::Null, String::new()),
    })
}

/// The entries of `works` (keys of references.yaml, separated by spaces or
/// commas), in reference-list order, each as `{"html", "text"}`.
fn reading_list(works: &str, bibliography: &Bibliography) -> Result<Vec<Value>, Problem> {
    let keys: Vec<String> = works
        .split([' ', ',', '\n', '\t'])
        .filter(|key| !key.is_empty())
        .map(|key| key.trim_start_matches('@').to_string())
        .collect();
    if keys.is_empty() {
        return Err((
            "`reading_list` names no works".to_string(),
            "list the keys of references.yaml to show, as in `{{ reading_list(works=\"buck2021 nixon2019\") }}`"
                .to_string(),
        )
            .into());
    }
    if let Some(unknown) = keys.iter().find(|key| bibliography.lacks(key)) {
        let hint = match did_you_mean(unknown, bibliography.keys()) {
            Some(near) => format!("did you mean `{near}`? A reading list names works of content/references.yaml"),
            None => "a reading list names works of content/references.yaml; add the work there first".to_string(),
        };
        return Err((format!("no work `{unknown}` in references.yaml"), hint).into());
    }
    // `reading_list` leaves out a work that a mistake in references.yaml left out.
    Ok(bibliography.reading_list(&keys).into_iter().map(|e| json!({"html": e.html, "text": e.text})).collect())
}

fn unknown_key<'k>(what: &str, key: &str, known: impl Iterator<Item = &'k String>, record_path: &str) -> Problem {
    let known: Vec<&str> = known.map(String::as_str).collect();
    let hint = match did_you_mean(key, known.iter().copied()) {
        Some(near) => format!("did you mean `{near}`? Defined in {record_path}: {}", one_of(&known)),
        None => format!("defined in {record_path}: {}", one_of(&known)),
    };
    Problem { message: format!("no {what} `{key}` in this site's record"), hint, follows: Some(Gap::Record), arg: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_told_from_words() {
        for yes in ["1", "1,204", "-3.5", "\u{2212}2", "£12", "45%", "12.5 %", "0.75", "1,000,000"] {
            assert!(is_number(yes), "{yes}");
        }
        for no in ["", "Phase 1", "1.2.3", "12,34", "1,", "3.", "HMPPS", "n/a", "1-2", ".5"] {
            assert!(!is_number(no), "{no}");
        }
    }

    fn numbers(config: &NumberingConfig) -> Vec<String> {
        let mut numbering = Numbering::new(config);
        let mut seen = Vec::new();
        for (section, kinds) in [(Some("1"), 2), (None, 1), (Some("A"), 1)] {
            numbering.section(section);
            for _ in 0..kinds {
                seen.extend(numbering.next(Numbered::Table));
                seen.extend(numbering.next(Numbered::Figure));
            }
            assert_eq!(numbering.next(Numbered::No), None);
        }
        seen
    }

    #[test]
    fn numbers_restart_per_section_or_run_across_the_report() {
        let by_section = numbers(&NumberingConfig::default());
        assert_eq!(
            by_section,
            ["Table 1.1", "Figure 1.1", "Table 1.2", "Figure 1.2", "Table 1", "Figure 1", "Table A.1", "Figure A.1"]
        );
        let config = NumberingConfig { tables: NumberingScope::Report, ..NumberingConfig::default() };
        assert_eq!(
            numbers(&config),
            ["Table 1", "Figure 1.1", "Table 2", "Figure 1.2", "Table 3", "Figure 1", "Table 4", "Figure A.1"]
        );
    }
}
