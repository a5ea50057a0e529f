//! Text that YAML reads as a comment. A `#` after a space starts a comment
//! to the end of the line, so `text: We met on wing #3 weekly` reads as
//! "We met on wing", and a published quotation or finding loses its end
//! without a word. A comment written by hand has a space after its `#`
//! (`year: 2026  # the year of fieldwork`, as `wingreport new` writes, and
//! as yamllint's `comments` rule asks); a `#` followed at once by a letter
//! or digit after text on its line is taken for lost text, as it almost
//! always is (`wing #3`, `#MeToo`).
//!
//! A value's first word can be lost the same way: YAML reads `&word` there
//! as an anchor (a name for the value) and `!word` as a tag, so
//! `text: !Important read this` is published as "read this". Records have
//! no use for either.

use granit_parser::{Event, Parser, ScalarStyle};

/// Text that YAML reads as something else and leaves out of a value.
#[derive(Debug, PartialEq)]
pub struct HiddenText {
    /// Byte offset of the `#`, `&` or `!`.
    pub at: usize,
    /// The comment, from `#` to the end of its line, or the anchor or tag.
    pub comment: String,
    /// The plain value the comment cut short, when it follows one on its
    /// line; the value after an anchor or a tag.
    pub value: Option<String>,
    pub lost_as: LostAs,
}

/// What YAML took the lost text for.
#[derive(Debug, PartialEq, Clone, Copy)]
pub enum LostAs {
    Comment,
    Anchor,
    Tag,
}

impl HiddenText {
    pub fn message(&self) -> String {
        let comment = &self.comment;
        match (self.lost_as, &self.value) {
            (LostAs::Comment, Some(value)) => {
                format!("`{comment}` is read as a YAML comment and left out: the value ends at `{value}`")
            }
            (LostAs::Comment, None) => {
                format!("`{comment}` is read as a YAML comment and left out: the value is empty")
            }
            (lost_as, value) => {
                let read_as =
                    if lost_as == LostAs::Tag { "a YAML tag" } else { "a YAML anchor (a name for the value)" };
                let value = value.as_ref().map_or("empty".to_string(), |value| format!("`{value}`"));
                format!("`{comment}` is read as {read_as} and left out: the value is {value}")
            }
        }
    }

    pub fn hint(&self) -> String {
        let whole = match (self.lost_as, &self.value) {
            (LostAs::Comment, Some(value)) => format!("{value} {}", self.comment),
            (_, None) => self.comment.clone(),
            (_, Some(value)) => format!("{} {value}", self.comment),
        };
        let keep = format!("put the whole value in double quotes to keep it: {}", super::double_quoted(&whole));
        match self.lost_as {
            LostAs::Comment => {
                format!("in YAML, ` #` starts a comment; {keep}; if it is a comment, write a space after `#`")
            }
            LostAs::Anchor => format!("in YAML, `&` starting a value names it; {keep}"),
            LostAs::Tag => format!("in YAML, `!` starting a value tags it; {keep}"),
        }
    }
}

/// Every inline comment of `text` that starts with a letter or digit right
/// after its `#`. Most files have no `#` of that kind, and are not parsed;
/// a text YAML cannot read yields nothing here (its syntax error is
/// reported where it is parsed).
pub fn hidden_text(text: &str) -> Vec<HiddenText> {
    let candidates = candidates(text);
    let properties = properties(text);
    if candidates.is_empty() && properties.is_empty() {
        return Vec::new();
    }
    // Byte ranges of every scalar: a `#` inside one (quoted, or a block
    // scalar's line) is text, not a comment.
    let mut scalars: Vec<(usize, usize, bool)> = Vec::new();
    let mut lost = Vec::new();
    for event in Parser::new_from_str(text) {
        let Ok((event, span)) = event else { return in_open_brackets(text, &candidates) };
        if let Event::Scalar(value, style, anchor, tag) = event {
            let (Some(start), Some(end)) = (span.start.byte_offset(), span.end.byte_offset()) else {
                return Vec::new();
            };
            scalars.push((start, end, style == ScalarStyle::Plain));
            let lost_as = match (anchor, tag) {
                (0, None) => continue,
                (0, Some(_)) => LostAs::Tag,
                _ => LostAs::Anchor,
            };
            // The anchor or tag written before the value on its line.
            let Some(&at) = properties.iter().rev().find(|&&at| at < start && at >= line_start(text, start)) else {
                continue;
            };
            let comment = text[at..].split([' ', '\t', '\n', '\r']).next().unwrap_or_default().to_string();
            let value = (!value.is_empty()).then(|| value.into_owned());
            lost.push(HiddenText { at, comment, value, lost_as });
        }
    }
    lost.extend(
        candidates
            .into_iter()
            .filter(|&(at, _)| !scalars.iter().any(|&(start, end, _)| start <= at && at < end))
            .filter_map(|(at, own_line)| {
                let here = line_start(text, at);
                let comment = text[at..line_end(text, at)].trim_end().to_string();
                let plain = |&(start, end, plain): &(usize, usize, bool)| plain && end > start;
                if !own_line {
                    let value = scalars
                        .iter()
                        .rev()
                        .find(|&&(start, end, _)| start >= here && end <= at)
                        .filter(|scalar| plain(scalar))
                        .map(|&(start, end, _)| text[start..end].to_string());
                    return Some(HiddenText { at, comment, value, lost_as: LostAs::Comment });
                }
                // On a line of its own, indented under a text value as the
                // value's next line would be: the text ends where it starts.
                let i = scalars.iter().rposition(|&(_, end, _)| end <= here)?;
                let (start, end, _) = scalars[i];
                let key_col = match i.checked_sub(1).map(|k| scalars[k]) {
                    Some((key, _, _)) if !text[key..start].contains('\n') => key - line_start(text, key),
                    _ => {
                        let line = &text[line_start(text, start)..start];
                        line.len() - line.trim_start().len()
                    }
                };
                let below_value = at - here > key_col;
                (plain(&scalars[i]) && below_value).then(|| HiddenText {
                    at,
                    comment,
                    value: Some(crate::markdown::collapse_whitespace(&text[start..end])),
                    lost_as: LostAs::Comment,
                })
            }),
    );
    lost.sort_by_key(|hidden| hidden.at);
    lost
}

/// Offsets of each `&` or `!` (not a standard `!!` tag) starting a word at
/// the start of a value, where YAML may read it as an anchor or a tag.
fn properties(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    memchr::memchr2_iter(b'&', b'!', bytes)
        .filter(|&i| {
            let starts_value = i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'[' | b'{' | b',');
            let word = bytes.get(i + 1).is_some_and(|b| !b" \t\r\n!".contains(b));
            starts_value && word
        })
        .collect()
}

/// For a text YAML cannot read: each `#` after an unclosed `[` or `{` on
/// its line (`- [Wing #3 mentors, "41"]`). The comment takes the closing
/// bracket with it, and the parser reports a later line, not the `#`.
fn in_open_brackets(text: &str, candidates: &[(usize, bool)]) -> Vec<HiddenText> {
    candidates
        .iter()
        .filter(|&&(_, own_line)| !own_line)
        .filter_map(|&(at, _)| {
            let before = &text[line_start(text, at)..at];
            let open = |o: char, c: char| before.matches(o).count() > before.matches(c).count();
            // Inside a quoted cell, `#` is text.
            let in_quotes = before.matches('"').count() % 2 == 1;
            if in_quotes || (!open('[', ']') && !open('{', '}')) {
                return None;
            }
            let cell_start = before.rfind([',', '[', '{']).map_or(0, |i| i + 1);
            let value = before[cell_start..].trim();
            let comment = text[at..line_end(text, at)].trim_end();
            let comment = comment.split([',', ']', '}']).next().unwrap_or(comment).trim_end().to_string();
            Some(HiddenText {
                at,
                comment,
                value: (!value.is_empty()).then(|| value.to_string()),
                lost_as: LostAs::Comment,
            })
        })
        .collect()
}

/// Offsets of each `#` with a letter or digit right after it that YAML
/// may read as a comment: after a space or tab following text on its line,
/// or first on an indented line (`true`), where it may end a text wrapped
/// over lines.
fn candidates(text: &str) -> Vec<(usize, bool)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find('#').map(|i| from + i) {
        from = i + 1;
        if i == 0 || !matches!(bytes[i - 1], b' ' | b'\t') {
            continue;
        }
        if !text[i + 1..].chars().next().is_some_and(char::is_alphanumeric) {
            continue;
        }
        found.push((i, text[line_start(text, i)..i].trim().is_empty()));
    }
    found
}

/// Where the line holding byte `at` starts.
fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// Where the line holding byte `at` ends, before its line break.
fn line_end(text: &str, at: usize) -> usize {
    text[at..].find(['\n', '\r']).map_or(text.len(), |i| at + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(String, Option<String>)> {
        hidden_text(text).into_iter().map(|h| (h.comment, h.value)).collect()
    }

    #[test]
    fn a_hash_and_a_word_after_a_plain_value_is_text_left_out() {
        let text = "quotes:\n  - id: q1\n    text: We met on wing #3 weekly\n";
        let hidden = hidden_text(text);
        assert_eq!(hidden.len(), 1);
        assert_eq!(&text[hidden[0].at..hidden[0].at + 2], "#3");
        assert_eq!(hidden[0].comment, "#3 weekly");
        assert_eq!(hidden[0].value.as_deref(), Some("We met on wing"));
        assert!(hidden[0].hint().contains("\"We met on wing #3 weekly\""), "{}", hidden[0].hint());
    }

    #[test]
    fn a_hash_starting_the_next_line_of_a_wrapped_text_is_text_left_out() {
        let text = "items:\n  - text: Mentors moved between wings\n      #3 and 4 without notice\n  - text: Next\n";
        assert_eq!(
            found(text),
            [("#3 and 4 without notice".to_string(), Some("Mentors moved between wings".to_string()))]
        );
        // At the key's own column or left of it, a line of its own is a comment.
        assert_eq!(found("a:\n  b: text\n  #2 is next\n  c: d\n#1 note\n"), []);
    }

    #[test]
    fn a_value_that_is_all_comment_is_named_empty() {
        assert_eq!(found("title: #MeToo on the wing\n"), [("#MeToo on the wing".to_string(), None)]);
    }

    #[test]
    fn comments_written_as_comments_and_hashes_inside_text_are_not_reported() {
        let text = "\
# a whole-line comment
year: 2026  # the year of fieldwork
title: \"Wing #3\"
other: 'C #4'
url: https://example.org/page#part
tag: C# course
note: |
  Wing #3 in a block
list: [a, b]  #\n";
        assert_eq!(found(text), []);
    }

    #[test]
    fn a_first_word_read_as_an_anchor_or_a_tag_is_text_left_out() {
        let text = "quotes:\n  - id: q1\n    text: !Important read this\n  - id: q2\n    text: &amp more\n";
        let hidden = hidden_text(text);
        let lost: Vec<_> =
            hidden.iter().map(|h| (h.comment.as_str(), h.value.as_deref().unwrap(), h.lost_as)).collect();
        assert_eq!(lost, [("!Important", "read this", LostAs::Tag), ("&amp", "more", LostAs::Anchor)]);
        assert_eq!(&text[hidden[0].at..hidden[0].at + 3], "!Im");
        assert_eq!(hidden[0].message(), "`!Important` is read as a YAML tag and left out: the value is `read this`");
        assert!(hidden[1].hint().ends_with("keep it: \"&amp more\""), "{}", hidden[1].hint());
        // In quotes, within a text, after `&` and a space, or a standard tag: kept.
        let fine = "a: \"!Important\"\nb: men & women\nc: Tom&Jerry !now\nd: !!str 2024\ne: [x, \"&y\"]\n";
        assert_eq!(found(fine), []);
    }

    #[test]
    fn broken_yaml_reports_nothing_here_but_a_hash_that_took_a_closing_bracket() {
        assert_eq!(found("a: \"b #c\n  d: e\n"), []);
        assert_eq!(found("a: [\"b #c\", d\n"), [], "quoted, the # is text");
        let row = "rows:\n  - [Wing #3 mentors are easy to approach, \"41\", \"12\"]\n  - [a, \"1\", \"2\"]\n";
        let hidden = hidden_text(row);
        assert_eq!(hidden.len(), 1);
        assert_eq!(
            (hidden[0].comment.as_str(), hidden[0].value.as_deref()),
            ("#3 mentors are easy to approach", Some("Wing"))
        );
        assert!(hidden[0].hint().contains("\"Wing #3 mentors are easy to approach\""), "{}", hidden[0].hint());
    }
}
