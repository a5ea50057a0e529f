//! Finds `{{ name(arg="value", n=3) }}` lines in a Markdown body and swaps
//! them for placeholders, so Markdown never sees them and the render stage
//! can check each call against the known shortcodes before rendering it.

use indexmap::IndexMap;
use serde::Serialize;

/// One argument value; shortcodes take strings, integers and booleans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ArgValue {
    Str(String),
    Int(i64),
    Bool(bool),
}

impl ArgValue {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            ArgValue::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// A shortcode call and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub name: String,
    pub args: IndexMap<String, ArgValue>,
    /// 1-based line within the body.
    pub line: usize,
    /// 1-based column of the opening `{{`.
    pub col: usize,
}

/// A malformed call: its position in the body and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

/// The text a call is replaced with; unique and inert in Markdown and HTML.
pub fn placeholder(index: usize) -> String {
    format!("WRSHORTCODE{index}END")
}

/// The body with shortcodes swapped out, and what was found.
pub struct Extracted {
    pub text: String,
    pub calls: Vec<Call>,
    pub errors: Vec<SyntaxError>,
    /// Lines added around placeholders, as (line of `text`, lines added so
    /// far), so positions in `text` map back to the author's lines.
    shifts: Vec<(usize, usize)>,
}

impl Extracted {
    /// The body's 1-based line for a 1-based line of `text`.
    pub fn original_line(&self, line: usize) -> usize {
        let added = self.shifts.iter().take_while(|(from, _)| *from <= line).last().map_or(0, |(_, n)| *n);
        line - added
    }
}

/// Replaces every shortcode line outside fenced code with a placeholder
/// paragraph (blank lines around it, so it never joins a paragraph).
pub fn extract(body: &str) -> Extracted {
    let mut out = String::with_capacity(body.len());
    let mut calls = Vec::new();
    let mut errors = Vec::new();
    let mut shifts = Vec::new();
    if !body.contains("{{") {
        return Extracted { text: body.to_string(), calls, errors, shifts };
    }
    let mut fence: Option<String> = None;
    for (i, line) in body.split_inclusive('\n').enumerate() {
        let trimmed = line.trim();
        if let Some(marker) = &fence {
            if trimmed.starts_with(marker.as_str()) {
                fence = None;
            }
            out.push_str(line);
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(trimmed[..3].to_string());
            out.push_str(line);
            continue;
        }
        if !trimmed.starts_with("{{") {
            out.push_str(line);
            continue;
        }
        let col = line.len() - line.trim_start().len() + 1;
        match parse_call(trimmed) {
            Ok((name, args)) => {
                calls.push(Call { name, args, line: i + 1, col });
                out.push_str(&format!("\n{}\n\n", placeholder(calls.len() - 1)));
                // The placeholder sits one line down, and the next line two down.
                let added = 2 * calls.len();
                shifts.push((i + 2 + added - 2, added - 1));
                shifts.push((i + 2 + added, added));
            }
            Err(message) => {
                errors.push(SyntaxError { line: i + 1, col, message });
                out.push('\n');
            }
        }
    }
    Extracted { text: out, calls, errors, shifts }
}

/// Parses `{{ name(a="x", b=2, c=true) }}`.
fn parse_call(text: &str) -> Result<(String, IndexMap<String, ArgValue>), String> {
    let inner = text
        .strip_prefix("{{")
        .and_then(|t| t.strip_suffix("}}"))
        .ok_or("a shortcode must be alone on its line and end with `}}`")?
        .trim();
    let open = inner.find('(').ok_or("expected `(` after the shortcode name, as in `{{ profile() }}`")?;
    let name = inner[..open].trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("`{name}` is not a shortcode name; names use letters, digits and `_`"));
    }
    let args_text = inner[open + 1..].strip_suffix(')').ok_or("expected `)` before `}}`")?;
    Ok((name.to_string(), parse_args(args_text)?))
}

fn parse_args(text: &str) -> Result<IndexMap<String, ArgValue>, String> {
    let mut args = IndexMap::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let eq = rest.find('=').ok_or_else(|| format!("expected `name=value` in `{rest}`"))?;
        let key = rest[..eq].trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("`{key}` is not an argument name"));
        }
        let after = rest[eq + 1..].trim_start();
        let (value, remainder) = if let Some(quoted) = after.strip_prefix('"') {
            let end = quoted.find('"').ok_or_else(|| format!("the value of `{key}` has no closing `\"`"))?;
            (ArgValue::Str(quoted[..end].to_string()), &quoted[end + 1..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            let raw = after[..end].trim();
            let value = match raw {
                "true" => ArgValue::Bool(true),
                "false" => ArgValue::Bool(false),
                _ => ArgValue::Int(raw.parse().map_err(|_| {
                    format!("the value of `{key}` must be \"text in quotes\", a whole number, true or false")
                })?),
            };
            (value, &after[end..])
        };
        if args.insert(key.to_string(), value).is_some() {
            return Err(format!("argument `{key}` is given twice"));
        }
        rest = remainder.trim_start();
        rest = match rest.strip_prefix(',') {
            Some(r) => r.trim_start(),
            None if rest.is_empty() => rest,
            None => return Err(format!("expected `,` between arguments, found `{rest}`")),
        };
    }
    Ok(args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_without_arguments_parses() {
        let Extracted { text: body, calls, errors, .. } = extract("Intro\n{{ profile() }}\nMore\n");
        assert!(errors.is_empty());
        assert_eq!(calls[0].name, "profile");
        assert_eq!(calls[0].line, 2);
        assert!(body.contains(&placeholder(0)));
        assert!(!body.contains("{{"));
    }

    #[test]
    fn arguments_of_each_type_parse_in_order() {
        let Extracted { calls, .. } = extract("  {{ table(key=\"a, b\", n=3, wide=true) }}\n");
        let args: Vec<_> = calls[0].args.iter().collect();
        assert_eq!(args[0], (&"key".to_string(), &ArgValue::Str("a, b".into())));
        assert_eq!(args[1].1, &ArgValue::Int(3));
        assert_eq!(args[2].1, &ArgValue::Bool(true));
        assert_eq!(calls[0].col, 3);
    }

    #[test]
    fn lines_after_placeholders_map_back_to_the_authors_lines() {
        let body = "a\n{{ profile() }}\nb\n{{ roles() }}\nc\n";
        let extracted = extract(body);
        for (line, text) in extracted.text.lines().enumerate() {
            let original = body.lines().nth(extracted.original_line(line + 1) - 1).unwrap();
            match text {
                "a" | "b" | "c" => assert_eq!(original, text),
                "WRSHORTCODE0END" => assert_eq!(original, "{{ profile() }}"),
                "WRSHORTCODE1END" => assert_eq!(original, "{{ roles() }}"),
                _ => {}
            }
        }
    }

    #[test]
    fn shortcodes_inside_fenced_code_are_left_alone() {
        let Extracted { text: body, calls, .. } = extract("```\n{{ profile() }}\n```\n");
        assert!(calls.is_empty());
        assert!(body.contains("{{ profile() }}"));
    }

    #[test]
    fn unclosed_string_is_a_syntax_error_on_its_line() {
        let Extracted { errors, .. } = extract("a\n\n{{ list(key=\"x) }}\n");
        assert_eq!(errors[0].line, 3);
        assert!(errors[0].message.contains("closing"));
    }

    #[test]
    fn missing_parentheses_is_a_syntax_error() {
        let Extracted { errors, .. } = extract("{{ profile }}\n");
        assert!(errors[0].message.contains("expected `(`"));
    }

    #[test]
    fn duplicate_argument_is_a_syntax_error() {
        let Extracted { errors, .. } = extract("{{ quote(id=\"a\", id=\"b\") }}\n");
        assert!(errors[0].message.contains("twice"));
    }
}
