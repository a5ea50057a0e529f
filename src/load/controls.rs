//! Control characters in the text (see
//! [`crate::diagnostics::is_forbidden_control`]). They come with text
//! pasted from Word (a manual line break is a vertical tab) and show as
//! nothing in an editor, but XML 1.0 forbids them: a Word document holding
//! one does not open. Each is an error at its own line and column, whether
//! it is in the text itself or written as an escape in a double-quoted YAML
//! value (`"a\vb"`) or a basic TOML string (`"a\u000bb"`), which YAML and
//! TOML read as the same character.

use granit_parser::{Event, Parser, ScalarStyle};

use crate::diagnostics::{Diagnostic, Written, control_hint, control_message, is_forbidden_control};

/// How many control characters of one file are reported one by one: a
/// file saved as UTF-16 has one beside every letter, and the first few
/// say what is wrong.
const MOST: usize = 10;

/// One control character, at a byte offset of the text.
#[derive(Debug)]
pub struct Control {
    pub at: usize,
    pub c: char,
    /// The YAML escape it was written as (`\v`), or `None` when it is in
    /// the text itself.
    pub escape: Option<String>,
}

/// `text` with each control character in it reported and read as a space,
/// so that the YAML or TOML parser reads on rather than stopping at it in
/// words of its own; every position stays where it was, as both are one
/// byte.
pub fn reported(text: String, path: &str, diags: &mut Vec<Diagnostic>) -> String {
    let found = written(&text);
    if found.is_empty() {
        return text;
    }
    report(&text, path, 0, &found, diags);
    let mut bytes = text.into_bytes();
    for control in &found {
        bytes[control.at] = b' ';
    }
    String::from_utf8(bytes).expect("one ASCII byte replaced by another")
}

/// Reports `found` in `text`, whose first line is line `line_offset + 1`
/// of `path`: the first [`MOST`] one by one, the last of those saying how
/// many more there are.
pub fn report(text: &str, path: &str, line_offset: usize, found: &[Control], diags: &mut Vec<Diagnostic>) {
    for (i, control) in found.iter().take(MOST).enumerate() {
        let (line, col) = super::line_col(text, control.at);
        let written = control.escape.as_deref().map_or(Written::Itself, Written::Escape);
        let mut message = control_message(control.c, written);
        if i + 1 == MOST && found.len() > MOST {
            message.push_str(&format!(" (and {} more after it in this file)", found.len() - MOST));
        }
        diags.push(Diagnostic::new(path, line + line_offset, col, message).with_hint(control_hint(control.c, written)));
    }
}

/// Each control character written as itself in `text`. They are ASCII,
/// so a byte search finds them: no byte of a longer UTF-8 character is one.
fn written(text: &str) -> Vec<Control> {
    // Nearly every file has none: a pass without an early exit, which the
    // compiler vectorises, spares them the one below.
    if !text.bytes().fold(false, |any, b| any | is_forbidden_control(char::from(b))) {
        return Vec::new();
    }
    text.bytes()
        .enumerate()
        .filter(|&(_, b)| is_forbidden_control(char::from(b)))
        .map(|(at, b)| Control { at, c: char::from(b), escape: None })
        .collect()
}

/// Each control character written as an escape (`\v`, `\a`, `\x07`,
/// `\u0001`) in a double-quoted scalar of the YAML `text`. Most files have
/// no escape of that kind and are not parsed; in a text YAML cannot read,
/// the scalars before the mistake are looked at (the mistake is reported
/// where the text is parsed).
pub fn escaped(text: &str) -> Vec<Control> {
    let bytes = text.as_bytes();
    let may_have = memchr::memchr_iter(b'\\', bytes)
        .any(|i| matches!(bytes.get(i + 1), Some(b'0' | b'a' | b'b' | b'v' | b'f' | b'e' | b'x' | b'u' | b'U')));
    if !may_have {
        return Vec::new();
    }
    let mut found = Vec::new();
    for event in Parser::new_from_str(text) {
        match event {
            Ok((Event::Scalar(_, ScalarStyle::DoubleQuoted, ..), span)) => {
                let (Some(start), Some(end)) = (span.start.byte_offset(), span.end.byte_offset()) else { break };
                found.extend(escapes_in(text, start, end.min(text.len())));
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    found
}

/// Each control character written as an escape (`\u000b`, `\b`, `\f`,
/// `\e`) in a basic (double-quoted) string or key of the TOML `text`,
/// which toml reads as the character. A text toml cannot read is reported
/// where it is parsed.
pub fn escaped_in_toml(text: &str) -> Vec<Control> {
    use toml::de::{DeTable, DeValue};
    fn walk(text: &str, table: &DeTable, found: &mut Vec<Control>) {
        for (key, value) in table {
            basic(text, key.span(), found);
            value_of(text, value, found);
        }
    }
    fn value_of(text: &str, value: &toml::Spanned<DeValue>, found: &mut Vec<Control>) {
        match value.get_ref() {
            DeValue::String(_) => basic(text, value.span(), found),
            DeValue::Array(items) => items.iter().for_each(|item| value_of(text, item, found)),
            DeValue::Table(table) => walk(text, table, found),
            _ => {}
        }
    }
    // A literal ('…') string has no escapes: a backslash there is itself.
    fn basic(text: &str, span: std::ops::Range<usize>, found: &mut Vec<Control>) {
        if text.get(span.clone()).is_some_and(|s| s.starts_with('"')) {
            found.extend(escapes_in(text, span.start, span.end));
        }
    }
    if !text.contains('\\') {
        return Vec::new();
    }
    let mut found = Vec::new();
    if let Ok(table) = DeTable::parse(text) {
        walk(text, table.get_ref(), &mut found);
    }
    // toml's tables are sorted by key; problems are reported in file order.
    found.sort_by_key(|control| control.at);
    found
}

/// The control characters escaped in the double-quoted scalar at
/// `text[start..end]`.
fn escapes_in(text: &str, start: usize, end: usize) -> Vec<Control> {
    let scalar = &text[start..end];
    let mut found = Vec::new();
    let mut rest = scalar.char_indices();
    while let Some((i, c)) = rest.next() {
        if c != '\\' {
            continue;
        }
        let Some((_, kind)) = rest.next() else { break };
        let digits = match kind {
            'x' => 2,
            'u' => 4,
            'U' => 8,
            _ => 0,
        };
        let code = match kind {
            '0' => Some(0),
            'a' => Some(7),
            'b' => Some(8),
            'v' => Some(0xb),
            'f' => Some(0xc),
            'e' => Some(0x1b),
            _ if digits > 0 => scalar.get(i + 2..i + 2 + digits).and_then(|hex| u32::from_str_radix(hex, 16).ok()),
            _ => None,
        };
        for _ in 0..digits {
            rest.next();
        }
        if let Some(c) = code.and_then(char::from_u32).filter(|&c| is_forbidden_control(c)) {
            let escape = scalar[i..i + 2 + digits].to_string();
            found.push(Control { at: start + i, c, escape: Some(escape) });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Line, column, message and hint of each control character of a
    /// file's text, as the loader reports them.
    fn reported_in(text: &str) -> Vec<(usize, usize, String, String)> {
        let mut diags = Vec::new();
        let read = super::reported(text.to_string(), "a.md", &mut diags);
        report(&read, "a.yaml", 0, &escaped(&read), &mut diags);
        diags.into_iter().map(|d| (d.line, d.col, d.message, d.hint.unwrap())).collect()
    }

    #[test]
    fn each_control_character_in_the_text_is_named_at_its_own_column() {
        for (c, name, hint) in [
            ('\u{0}', "a NUL byte (U+0000)", "delete it; most editors"),
            ('\u{1}', "a control character (U+0001)", "delete it (most editors"),
            ('\u{7}', "a bell character (U+0007), which Word writes at the end of a table cell", "delete it"),
            ('\u{8}', "a backspace (U+0008)", "delete it"),
            (
                '\u{b}',
                "a vertical tab (U+000B), which Word writes for a manual line break (Shift+Enter)",
                "replace it with a space, or start a new line there",
            ),
            ('\u{c}', "a form feed (U+000C), a page break from a word processor", "delete it"),
            ('\u{e}', "a control character (U+000E)", "delete it"),
            ('\u{1b}', "an escape character (U+001B)", "delete it"),
            (
                '\u{1e}',
                "a control character (U+001E), which Word writes for a non-breaking hyphen",
                "replace it with a hyphen",
            ),
            ('\u{1f}', "a control character (U+001F), which Word writes for an optional hyphen", "delete it"),
            ('\u{7f}', "a delete character (U+007F)", "delete it"),
        ] {
            let found = reported_in(&format!("---\ntitle: T\n---\nAn é and{c}text\n"));
            assert_eq!(found.len(), 1, "{name}: {found:?}");
            let (line, col, message, found_hint) = &found[0];
            assert_eq!((*line, *col), (4, 9), "{name}");
            assert_eq!(
                message,
                &format!("the text holds a control character that a page or a Word document cannot hold: {name}")
            );
            assert!(found_hint.starts_with(hint), "{name}: {found_hint}");
        }
    }

    #[test]
    fn a_control_character_escaped_in_a_basic_toml_string_is_found_and_a_literal_one_is_text() {
        let text = "title = \"A\\u000bB\"\nliteral = 'C\\u000bD'\n[build]\nlist = [\"\\b\", \"\\t\"]\n\
                    long = \"\"\"\nE\\fF\"\"\"\n\"key\\u001f\" = 1\n";
        let found: Vec<(usize, char, Option<String>)> =
            escaped_in_toml(text).into_iter().map(|c| (super::super::line_col(text, c.at).0, c.c, c.escape)).collect();
        assert_eq!(
            found,
            [
                (1, '\u{b}', Some("\\u000b".to_string())),
                (4, '\u{8}', Some("\\b".to_string())),
                (6, '\u{c}', Some("\\f".to_string())),
                (7, '\u{1f}', Some("\\u001f".to_string())),
            ]
        );
        assert_eq!(escaped_in_toml("title = \"A\\vB\"\n").len(), 0, "not TOML: reported where it is parsed");
    }

    #[test]
    fn tabs_and_line_ends_are_text() {
        assert_eq!(reported_in("a:\t\"b\\tc\\nd\\re\"\r\nf: '\\v'\rg: \\x07\n"), []);
        assert_eq!(reported_in("a: \"\\\\v and \\\\x07\"\n"), [], "an escaped backslash, then letters");
    }

    #[test]
    fn a_control_character_in_the_text_is_read_as_a_space_so_the_yaml_reads_on() {
        let mut diags = Vec::new();
        let text = reported("wing: A\u{b}B\nyear: 2026\n".to_string(), "a.yaml", &mut diags);
        assert_eq!(text, "wing: A B\nyear: 2026\n");
        assert_eq!((diags[0].line, diags[0].col), (1, 8));
    }

    #[test]
    fn each_escape_of_a_control_character_is_named_at_the_backslash() {
        for (escape, name, hint) in [
            ("\\v", "a vertical tab (U+000B)", "replace `\\v` with a space"),
            ("\\a", "a bell character (U+0007)", "delete `\\a`"),
            ("\\x07", "a bell character (U+0007)", "delete `\\x07`"),
            ("\\u0001", "a control character (U+0001)", "delete `\\u0001`"),
            ("\\U0000001b", "an escape character (U+001B)", "delete `\\U0000001b`"),
            ("\\0", "a NUL byte (U+0000)", "delete `\\0`"),
            ("\\b", "a backspace (U+0008)", "delete `\\b`"),
            ("\\f", "a form feed (U+000C)", "delete `\\f`"),
            ("\\e", "an escape character (U+001B)", "delete `\\e`"),
            ("\\x7F", "a delete character (U+007F)", "delete `\\x7F`"),
            ("\\u001E", "a control character (U+001E)", "replace `\\u001E` with a hyphen `-`"),
        ] {
            let found = reported_in(&format!("id: a\nquotes:\n  - text: \"Café {escape}x\"\n"));
            assert_eq!(found.len(), 1, "{escape}: {found:?}");
            let (line, col, message, found_hint) = &found[0];
            assert_eq!((*line, *col), (3, 17), "{escape}");
            assert!(message.starts_with(&format!("`{escape}` is a control character that")), "{message}");
            assert!(message.contains(&format!("cannot hold: {name}")), "{message}");
            assert_eq!(found_hint, hint);
        }
    }

    #[test]
    fn escapes_in_keys_flows_and_wrapped_values_are_found_and_other_escapes_are_text() {
        let text = "\"k\\ay\": [\"x\", \"y\\u0041\\u0002\"]\nb: \"one\n  two \\v\"\nc: \"\\u00e9\\x20\\N\\_\\\"\"\n";
        let at: Vec<_> = reported_in(text).into_iter().map(|(line, col, ..)| (line, col)).collect();
        assert_eq!(at, [(1, 3), (1, 23), (3, 7)]);
    }

    #[test]
    fn escapes_before_a_yaml_mistake_are_found() {
        assert_eq!(reported_in("a: \"\\v\"\nb: [c\n").len(), 1);
    }

    #[test]
    fn a_file_full_of_them_is_reported_ten_times_with_the_count_of_the_rest() {
        let utf16: String = "Some more text\n".chars().flat_map(|c| [c, '\0']).collect();
        let found = reported_in(&utf16);
        assert_eq!(found.len(), MOST);
        assert!(found[MOST - 1].2.ends_with("(and 5 more after it in this file)"), "{}", found[MOST - 1].2);
        assert!(found[0].3.contains("saved as UTF-16"), "{}", found[0].3);
    }
}
