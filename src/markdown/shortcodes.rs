//! Parses a shortcode call, `{{ name(arg="value", n=3) }}`. The Markdown
//! stage finds the calls (a paragraph of its own holding only the call);
//! the render stage checks each against the known shortcodes.

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
    /// 1-based line in the file.
    pub line: usize,
    /// 1-based column of the opening `{{`.
    pub col: usize,
    /// The call as written, from `{{` to `}}`.
    pub written: String,
}

impl Call {
    /// The 1-based column where argument `name` is written, if it is.
    pub fn column_of(&self, name: &str) -> Option<usize> {
        let open = self.written.find('(')?;
        let args = &self.written[open..];
        let at = args.match_indices(name).map(|(i, _)| i).find(|&i| {
            let before = args[..i].chars().next_back();
            let after = args[i + name.len()..].trim_start();
            matches!(before, Some('(' | ',' | ' ')) && after.starts_with('=')
        })?;
        Some(self.col + self.written[..open + at].chars().count())
    }
}

/// Whether a page can call `name`: letters, digits and `_`.
pub fn is_shortcode_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Parses `{{ name(a="x", b=2, c=true) }}`, trimmed, into its name and arguments.
pub fn parse_call(text: &str) -> Result<(String, IndexMap<String, ArgValue>), String> {
    let inner = text
        .strip_prefix("{{")
        .and_then(|t| t.strip_suffix("}}"))
        .ok_or("a shortcode must be alone on its line and end with `}}`")?
        .trim();
    let open = inner.find('(').ok_or("expected `(` after the shortcode name, as in `{{ profile() }}`")?;
    let name = inner[..open].trim();
    if !is_shortcode_name(name) {
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
                _ if raw.starts_with(['“', '”', '‘', '’', '\'']) => {
                    let text = raw.trim_matches(['“', '”', '‘', '’', '\'']);
                    return Err(format!(
                        "the value of `{key}` is in curly or single quotes; write straight double quotes: `{key}=\"{text}\"`"
                    ));
                }
                _ => ArgValue::Int(raw.parse().map_err(|_| {
                    format!(
                        "the value of `{key}` must be \"text in quotes\" (`{key}=\"{raw}\"`), a whole number, true or false"
                    )
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
        let (name, args) = parse_call("{{ profile() }}").unwrap();
        assert_eq!(name, "profile");
        assert!(args.is_empty());
    }

    #[test]
    fn arguments_of_each_type_parse_in_order() {
        let (_, args) = parse_call("{{ table(key=\"a, b\", n=3, wide=true) }}").unwrap();
        let args: Vec<_> = args.iter().collect();
        assert_eq!(args[0], (&"key".to_string(), &ArgValue::Str("a, b".into())));
        assert_eq!(args[1].1, &ArgValue::Int(3));
        assert_eq!(args[2].1, &ArgValue::Bool(true));
    }

    #[test]
    fn wide_characters_in_arguments_parse() {
        let (_, args) = parse_call("{{ quote(id=\"中文 – “x” & é\") }}").unwrap();
        assert_eq!(args["id"], ArgValue::Str("中文 – “x” & é".into()));
    }

    #[test]
    fn an_unquoted_or_curly_quoted_text_says_how_to_write_it() {
        assert!(parse_call("{{ list(key=aims) }}").unwrap_err().contains("(`key=\"aims\"`)"));
        assert!(parse_call("{{ list(key=“aims”) }}").unwrap_err().contains("straight double quotes: `key=\"aims\"`"));
    }

    #[test]
    fn unclosed_string_is_a_syntax_error() {
        assert!(parse_call("{{ list(key=\"x) }}").unwrap_err().contains("closing"));
    }

    #[test]
    fn missing_parentheses_is_a_syntax_error() {
        assert!(parse_call("{{ profile }}").unwrap_err().contains("expected `(`"));
    }

    #[test]
    fn duplicate_argument_is_a_syntax_error() {
        assert!(parse_call("{{ quote(id=\"a\", id=\"b\") }}").unwrap_err().contains("twice"));
    }

    #[test]
    fn an_argument_is_found_at_its_column() {
        let written = "{{ table(caption=\"key = x\", key = \"staff\") }}";
        let (name, args) = parse_call(written).unwrap();
        let call = Call { name, args, line: 3, col: 5, written: written.to_string() };
        assert_eq!(call.column_of("caption"), Some(5 + 9));
        assert_eq!(call.column_of("key"), Some(5 + 28), "the argument, not the word in the caption");
        assert_eq!(call.column_of("id"), None);
    }
}
