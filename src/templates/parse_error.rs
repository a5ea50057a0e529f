//! Templates that do not parse: where, and what was expected where Tera's
//! words leave it out (an unclosed tag, an unknown filter, a missing
//! include).

use super::{Located, Templates, block_at, is_built_in, located, with_causes};
use crate::diagnostics::{Diagnostic, did_you_mean, one_of};
use crate::load::line_col;

/// A template that does not parse, at its file, line and column when Tera
/// names them (`--> site.html:42:14` in its message), with what was
/// expected where Tera's words do not say.
pub(super) fn parse_error(err: &tera::Error, theme: &str, templates: &Templates) -> Diagnostic {
    let message = with_causes(err, "\n");
    let Some(at) = located(&message) else {
        let message = message.replace('\n', ": ");
        return Diagnostic::whole_file(theme, format!("a template does not parse: {message}")).with_hint(SYNTAX);
    };
    let (file, text) = match templates.get(&at.template) {
        Some((origin, text)) => (origin.clone(), text.as_str()),
        None => (format!("{theme}/templates/{}", at.template), ""),
    };
    let (what, hint) = explained(&at, text, theme, templates).unwrap_or_else(|| (at.what.clone(), SYNTAX.to_string()));
    Diagnostic::new(file, at.line, at.col, format!("the template does not parse: {what}")).with_hint(hint)
}

const SYNTAX: &str = "see Tera's template syntax: `{{ value }}`, `{% if ... %}...{% endif %}`, `{# comment #}`";

/// Tera's own filters, as of the Tera this crate is built with.
const TERA_FILTERS: [&str; 37] = [
    "safe",
    "default",
    "upper",
    "lower",
    "wordcount",
    "escape",
    "escape_html",
    "escape_xml",
    "newlines_to_br",
    "pluralize",
    "trim",
    "trim_start",
    "trim_end",
    "replace",
    "capitalize",
    "title",
    "truncate",
    "indent",
    "str",
    "int",
    "float",
    "length",
    "reverse",
    "split",
    "abs",
    "round",
    "first",
    "last",
    "nth",
    "join",
    "sort",
    "unique",
    "get",
    "values",
    "keys",
    "pairs",
    "group_by",
];

/// wingreport's filters, which [`super::register_filters`] adds.
const OWN_FILTERS: [&str; 3] = ["slug", "long_words", "and_list"];

/// What was expected, and a hint, for the parse errors whose Tera words
/// leave it out: an unclosed tag, an unknown filter, a missing include.
fn explained(at: &Located, text: &str, theme: &str, templates: &Templates) -> Option<(String, String)> {
    if at.what == "Unexpected end of input" || at.what == "Unknown tag" {
        let hint = "every `{% for %}` ends with `{% endfor %}`, `{% if %}` with `{% endif %}` and `{% block %}` with \
                    `{% endblock %}`; what is between them is their body";
        return Some((nesting(text)?.message(), hint.to_string()));
    }
    let named = |prefix: &str| Some(at.what.strip_prefix(prefix)?.trim().trim_matches('`').to_string());
    if let Some(filter) = named("Unknown filter") {
        let filters = || TERA_FILTERS.into_iter().chain(OWN_FILTERS);
        let near = did_you_mean(&filter, filters()).map(|near| format!("did you mean `{near}`? "));
        let all: Vec<&str> = filters().collect();
        let hint = format!("{}The filters are {}", near.unwrap_or_default(), one_of(&all));
        return Some((at.what.clone(), hint));
    }
    let name = named("Unknown template")?;
    let folder_of = |n: &str| n.rsplit_once('/').map_or(String::new(), |(f, _)| format!("{f}/"));
    let folder = folder_of(&name);
    let there: Vec<&str> = templates.keys().filter(|n| folder_of(n) == folder).map(String::as_str).collect();
    let mut hint = match is_built_in(theme) {
        true => format!("the built-in theme has no {name}"),
        false => format!("there is no {theme}/templates/{name}, nor a built-in template of that name"),
    };
    // By file name: every partial shares the `partials/` that would make any two look alike.
    let file = |n: &str| n.rsplit('/').next().unwrap_or(n).to_string();
    let files: Vec<String> = there.iter().map(|n| file(n)).collect();
    match did_you_mean(&file(&name), files.iter().map(String::as_str)) {
        Some(near) => hint.push_str(&format!("; did you mean `{folder}{near}`? Templates")),
        None => hint.push_str(". Templates"),
    }
    hint.push_str(&format!(" in templates/{folder}: {}", one_of(&there)));
    Some((at.what.clone(), hint))
}

/// A tag of a template, where it was written.
#[derive(Debug, PartialEq)]
struct Tag {
    /// `for`, `endblock`.
    keyword: String,
    /// The tag as written, shortened: `{% for section in sections %}`.
    written: String,
    line: usize,
    col: usize,
}

/// What is wrong with a template's nesting of tags.
#[derive(Debug, PartialEq)]
enum Nesting {
    /// `open` has no end tag: `found` closes something else, or the
    /// template ends (`None`).
    Unclosed { open: Tag, found: Option<Tag> },
    /// An end tag with nothing of its kind open.
    Stray(Tag),
}

/// Tags that take a body and an `end…` tag. `set` does only without `=`.
const BODY_TAGS: [&str; 6] = ["for", "if", "block", "filter", "component", "set"];

/// The first mistake in how `text`'s tags nest, read tag by tag: what
/// Tera reports only as "Unexpected end of input" or "Unknown tag".
fn nesting(text: &str) -> Option<Nesting> {
    let mut open: Vec<Tag> = Vec::new();
    let mut at = 0;
    while let Some(found) = text[at..].find('{') {
        let start = at + found;
        let Some(block) = block_at(text, start) else {
            at = start + 1;
            continue;
        };
        at = block.end;
        let (inner, keyword) = (block.inner, block.keyword());
        if keyword.is_empty() {
            continue;
        }
        let tag = || {
            let (line, col) = line_col(text, start);
            let written = if inner.chars().count() > 60 {
                format!("{{% {}… %}}", inner.chars().take(60).collect::<String>())
            } else {
                format!("{{% {inner} %}}")
            };
            Tag { keyword: keyword.to_string(), written, line, col }
        };
        if keyword == "raw" {
            // Tags inside `{% raw %}` are text.
            at = text[at..].find("endraw").map_or(text.len(), |i| at + i);
            continue;
        }
        let body_set = keyword == "set" && !inner.split('|').next().unwrap_or("").contains('=');
        if BODY_TAGS.contains(&keyword) && (keyword != "set" || body_set) {
            open.push(tag());
        } else if let Some(kind) = keyword.strip_prefix("end").filter(|k| BODY_TAGS.contains(k)) {
            match open.pop() {
                Some(top) if top.keyword == kind => {}
                Some(top) => return Some(Nesting::Unclosed { open: top, found: Some(tag()) }),
                None => return Some(Nesting::Stray(tag())),
            }
        }
    }
    open.pop().map(|top| Nesting::Unclosed { open: top, found: None })
}

impl Nesting {
    /// The message for a template that does not parse because of this.
    fn message(&self) -> String {
        match self {
            Nesting::Unclosed { open, found } => {
                let expected = format!("`{{% end{} %}}`", open.keyword);
                let opened = format!("`{}` at {}:{}", open.written, open.line, open.col);
                match found {
                    Some(found) => format!("expected {expected} to close {opened} before `{}`", found.written),
                    None => format!("expected {expected} to close {opened}, but the template ends"),
                }
            }
            Nesting::Stray(tag) => {
                let kind = tag.keyword.trim_start_matches("end");
                format!("`{}` closes nothing: no `{{% {kind} %}}` is open here", tag.written)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filters_named_in_hints_are_known_and_wingreports_own_are_not_teras() {
        let parses = |tera: &mut tera::Tera, filter: &str| {
            tera.add_raw_template("t.html", &format!("{{{{ x | {filter} }}}}")).is_ok()
        };
        let mut bare = tera::Tera::new();
        let mut ours = tera::Tera::new();
        super::super::register_filters(&mut ours);
        for filter in TERA_FILTERS {
            assert!(parses(&mut bare, filter), "{filter}");
        }
        for filter in OWN_FILTERS {
            assert!(!parses(&mut bare, filter) && parses(&mut ours, filter), "{filter}");
        }
    }

    #[test]
    fn nesting_names_the_tag_left_open() {
        let unclosed = |text: &str| match nesting(text) {
            Some(Nesting::Unclosed { open, found }) => (open.written, open.line, open.col, found.map(|f| f.written)),
            other => panic!("{other:?}"),
        };
        let text = "{% block body %}\n  {% for a in b %}{% if a %}x{% endif %}\n{% endblock %}";
        assert_eq!(unclosed(text), ("{% for a in b %}".into(), 2, 3, Some("{% endblock %}".into())));
        assert_eq!(
            unclosed("{% block body %}\n{% set x = 1 %}{% set y %}a{% endset %}"),
            ("{% block body %}".into(), 1, 1, None)
        );
        assert_eq!(nesting("{% raw %}{% for %}{% endraw %}{#- {% if %} -#}{{ '{%' }}"), None);
        assert!(matches!(nesting("a {%- endif -%}"), Some(Nesting::Stray(tag)) if tag.keyword == "endif"));
    }
}
