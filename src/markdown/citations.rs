//! Finds pandoc-style citations (`[@key]`, `[@key, p. 12]`, `[see @a; @b]`,
//! `[-@key]`, `@key`, `@key [p. 5]`, `@{key}`) and Quarto-style
//! cross-references (`@fig-x`, `@tbl-x`, `@sec-x`) in a run of running
//! text. Parsing only: which keys exist is the render stage's business.
//!
//! The caller says which characters the author typed literally: an `@` or a
//! bracket that came from an escape (`\@`) or an entity (`&#64;`) is text.

/// Prefixes that make `@id` a cross-reference rather than a citation.
pub const XREF_PREFIXES: [&str; 3] = ["fig-", "tbl-", "sec-"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiteItem {
    pub key: String,
    /// Text before the key inside brackets, such as "see".
    pub prefix: String,
    /// Text after the key, such as "p. 12".
    pub locator: String,
    /// `[-@key]`: the year only, for when the text already names the author.
    pub suppress_author: bool,
}

impl CiteItem {
    pub fn new(key: &str) -> Self {
        CiteItem { key: key.to_string(), prefix: String::new(), locator: String::new(), suppress_author: false }
    }
}

/// A citation or cross-reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// `[@a; @b]` (parenthetical) or `@a` (narrative: "Author (Year)").
    Cite {
        items: Vec<CiteItem>,
        narrative: bool,
    },
    Xref {
        id: String,
    },
}

/// A piece of a text run: plain text, a reference, or a mistake; `offset`
/// and `len` are byte positions in the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Ref { reference: Reference, offset: usize, len: usize },
    Error { offset: usize, message: String, hint: String },
}

fn is_key_start(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '.')
}

fn is_xref(key: &str) -> bool {
    XREF_PREFIXES.iter().any(|p| key.starts_with(p) && key.len() > p.len())
}

/// The key at the start of `text` (just after `@`) and its length in bytes:
/// `{anything but braces}`, or letters, digits and `_-:.` without trailing
/// punctuation (`@buck2020.` ends a sentence).
fn key_at(text: &str) -> Option<(&str, usize)> {
    if let Some(inner) = text.strip_prefix('{') {
        let close = inner.find('}')?;
        let key = inner[..close].trim();
        return (!key.is_empty() && !key.contains(['{', '@'])).then_some((key, close + 2));
    }
    if !text.starts_with(is_key_start) {
        return None;
    }
    let end = text.find(|c: char| !is_key_char(c)).unwrap_or(text.len());
    let key = text[..end].trim_end_matches(['-', ':', '.']);
    Some((key, key.len()))
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parses one `prefix @key, locator` part of a bracketed citation.
fn bracket_item(part: &str) -> Result<Option<CiteItem>, (String, String)> {
    let Some(at) = part.find('@') else { return Ok(None) };
    let (prefix, suppress_author) = match part[..at].trim().strip_suffix('-') {
        Some(before) => (before.trim(), true),
        None => (part[..at].trim(), false),
    };
    if prefix.ends_with(|c: char| c.is_alphanumeric()) && !part[..at].ends_with(char::is_whitespace) {
        // `jo@example.org` inside brackets is an address, not a citation.
        return Ok(None);
    }
    let Some((key, len)) = key_at(&part[at + 1..]) else {
        // `[@ buck2020]`: a space typed between the `@` and its key.
        return match part[at + 1..].strip_prefix(char::is_whitespace).map(str::trim_start).and_then(key_at) {
            Some((key, _)) if prefix.is_empty() => Err((
                format!("`@` is followed by a space before `{key}`"),
                format!("write the key right after the `@`, as in `[@{key}]`"),
            )),
            _ => Ok(None),
        };
    };
    let after = part[at + 1 + len..].trim();
    let locator = after.strip_prefix(',').unwrap_or(after).trim();
    let second_key = locator.char_indices().find_map(|(i, c)| {
        let starts_word = locator[..i].chars().next_back().is_none_or(char::is_whitespace);
        (c == '@' && starts_word).then(|| key_at(&locator[i + 1..])).flatten()
    });
    if let Some((next, _)) = second_key {
        return Err((
            format!("`@{next}` is in the locator of `@{key}`"),
            format!("separate citations with `;`, as in `[@{key}; @{next}]`"),
        ));
    }
    Ok(Some(CiteItem { key: key.to_string(), prefix: collapse(prefix), locator: collapse(locator), suppress_author }))
}

/// A bracket `[...]` holding citations, `Ok(None)` for ordinary text.
fn bracket(inner: &str) -> Result<Option<Reference>, (String, String)> {
    let mut items = Vec::new();
    for part in inner.split(';') {
        match bracket_item(part)? {
            Some(item) => items.push(item),
            // A bracket with some parts that are not citations is prose.
            None => return Ok(None),
        }
    }
    Ok(match items.as_slice() {
        [] => None,
        [only] if is_xref(&only.key) && only.prefix.is_empty() && only.locator.is_empty() && !only.suppress_author => {
            Some(Reference::Xref { id: only.key.clone() })
        }
        _ => Some(Reference::Cite { items, narrative: false }),
    })
}

/// Where each cited key's `@` is in `written`, the text of `reference` as
/// parsed: its items' keys, in order (none for a cross-reference).
pub fn key_offsets(reference: &Reference, written: &str) -> Vec<usize> {
    let Reference::Cite { items, .. } = reference else { return Vec::new() };
    let mut from = 0;
    items
        .iter()
        .map(|item| {
            let found = written[from..]
                .match_indices('@')
                .map(|(at, _)| from + at)
                .find(|&at| key_at(&written[at + 1..]).is_some_and(|(key, _)| key == item.key));
            // Parsed from this text, every key is in it; the start is a safe place otherwise.
            let at = found.unwrap_or(0);
            from = found.map_or(from, |at| at + 1);
            at
        })
        .collect()
}

/// May a narrative `@key` start after `prev`? Not inside a word or an
/// address (`a@b.org`, `jo+@example.org`).
fn may_start_after(prev: Option<char>) -> bool {
    match prev {
        None => true,
        Some(c) => c.is_whitespace() || matches!(c, '(' | '[' | '{' | '"' | '\'' | '\u{201C}' | '\u{2018}' | '\u{AB}'),
    }
}

/// Splits a run of text into plain text, references and mistakes.
/// `literal(i)` says whether the byte at `i` was typed as itself.
pub fn parse(text: &str, literal: &dyn Fn(usize) -> bool) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut plain = String::new();
    let mut open_brackets = 0usize;
    let mut cited = false;
    let mut prev: Option<char> = None;
    let mut i = 0;
    let push_ref = |pieces: &mut Vec<Piece>, plain: &mut String, piece: Piece| {
        if !plain.is_empty() {
            pieces.push(Piece::Text(std::mem::take(plain)));
        }
        pieces.push(piece);
    };
    while i < text.len() {
        // Text up to the next byte that may open, close or start a
        // citation is copied in one go: most of a paragraph is.
        let next = memchr::memchr3(b'[', b'@', b']', &text.as_bytes()[i..]).map_or(text.len(), |n| i + n);
        if next > i {
            plain.push_str(&text[i..next]);
            prev = text[..next].chars().next_back();
            i = next;
            continue;
        }
        let c = char::from(text.as_bytes()[i]);
        let rest = &text[i..];
        let mut found: Option<(Piece, usize)> = None;
        if c == '[' && literal(i) && rest[1..].starts_with('@') && !rest.contains(']') {
            // `[@buck2020 found`: the bracket would be printed, the citation cut short.
            let key = key_at(&rest[2..]).map_or("", |(key, _)| key);
            found = Some((
                Piece::Error {
                    offset: i,
                    message: format!("the `[` before `@{key}` is never closed"),
                    hint: format!("end the citation with `]`, as in `[@{key}, p. 4]`"),
                },
                1,
            ));
        } else if c == '[' && literal(i) {
            if let Some(close) = rest.find(']').filter(|&close| literal(i + close) && !rest[1..close].contains('[')) {
                let inner = &rest[1..close];
                let inner_literal = inner.char_indices().all(|(j, ch)| ch != '@' || literal(i + 1 + j));
                if inner.contains('@') && inner_literal {
                    found = match bracket(inner) {
                        Ok(Some(reference)) => Some((Piece::Ref { reference, offset: i, len: close + 1 }, close + 1)),
                        Ok(None) => None,
                        Err((message, hint)) => Some((Piece::Error { offset: i, message, hint }, close + 1)),
                    };
                }
            }
        } else if c == '@' && literal(i) && may_start_after(prev) {
            if let Some((key, len)) = key_at(&rest[1..]) {
                let mut consumed = 1 + len;
                let reference = if is_xref(key) {
                    Reference::Xref { id: key.to_string() }
                } else {
                    let mut item = CiteItem::new(key);
                    // `@key [p. 5]`: a locator for a narrative citation.
                    let after = &rest[consumed..];
                    if let Some(bracketed) = after.strip_prefix(' ').and_then(|a| a.strip_prefix('['))
                        && let Some(close) = bracketed.find(']')
                        && !bracketed[..close].contains(['@', '['])
                        && literal(i + consumed + 1)
                    {
                        item.locator = collapse(&bracketed[..close]);
                        consumed += 2 + close + 1;
                    }
                    Reference::Cite { items: vec![item], narrative: true }
                };
                found = Some((Piece::Ref { reference, offset: i, len: consumed }, consumed));
            }
        } else if c == ']' && literal(i) && open_brackets == 0 && cited {
            found = Some((
                Piece::Error {
                    offset: i,
                    message: "a `]` closes a citation bracket that formatting, code or a link split".to_string(),
                    hint: "write what is inside citation brackets as plain text, as in `[see @key, p. 4]`".to_string(),
                },
                1,
            ));
        }
        match found {
            Some((piece, len)) => {
                cited |= matches!(piece, Piece::Ref { .. });
                push_ref(&mut pieces, &mut plain, piece);
                i += len;
                prev = text[..i].chars().next_back();
            }
            None => {
                if literal(i) {
                    match c {
                        '[' => open_brackets += 1,
                        ']' => open_brackets = open_brackets.saturating_sub(1),
                        _ => {}
                    }
                }
                plain.push(c);
                prev = Some(c);
                i += 1;
            }
        }
    }
    if !plain.is_empty() {
        pieces.push(Piece::Text(plain));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_literal(_: usize) -> bool {
        true
    }

    fn refs(text: &str) -> Vec<Reference> {
        parse(text, &all_literal)
            .into_iter()
            .filter_map(|p| match p {
                Piece::Ref { reference, .. } => Some(reference),
                _ => None,
            })
            .collect()
    }

    fn errors(text: &str) -> Vec<String> {
        parse(text, &all_literal)
            .into_iter()
            .filter_map(|p| match p {
                Piece::Error { message, .. } => Some(message),
                _ => None,
            })
            .collect()
    }

    fn item(key: &str, prefix: &str, locator: &str) -> CiteItem {
        CiteItem { key: key.into(), prefix: prefix.into(), locator: locator.into(), suppress_author: false }
    }

    fn cite(items: Vec<CiteItem>, narrative: bool) -> Reference {
        Reference::Cite { items, narrative }
    }

    /// Found by a researcher's audit: `[@buck2020 here.` was printed as
    /// "[Buck (2020) here." and `[@ buck2020]` as written, with no error.
    #[test]
    fn an_unclosed_bracket_and_a_space_after_the_at_are_errors() {
        assert_eq!(errors("Unclosed [@buck2020 here."), ["the `[` before `@buck2020` is never closed"]);
        assert_eq!(errors("As [@ buck2020] says."), ["`@` is followed by a space before `buck2020`"]);
        assert!(errors("Mail [jo @ home] or [a] and @buck2020.").is_empty());
    }

    #[test]
    fn bracketed_citation_with_locator() {
        assert_eq!(refs("as shown [@buck2020, p. 12]."), [cite(vec![item("buck2020", "", "p. 12")], false)]);
    }

    #[test]
    fn several_keys_in_one_bracket_even_across_a_line_break() {
        assert_eq!(
            refs("[see @a;\n@b-2, pp. 3-4]"),
            [cite(vec![item("a", "see", ""), item("b-2", "", "pp. 3-4")], false)]
        );
    }

    #[test]
    fn bare_key_is_a_narrative_citation_and_keeps_following_punctuation() {
        let pieces = parse("@buck2020 argues.", &all_literal);
        assert_eq!(pieces[0], Piece::Ref { reference: cite(vec![item("buck2020", "", "")], true), offset: 0, len: 9 });
        assert_eq!(pieces[1], Piece::Text(" argues.".into()));
    }

    #[test]
    fn pandoc_forms() {
        let suppressed = CiteItem { suppress_author: true, ..item("buck2020", "", "") };
        assert_eq!(refs("[-@buck2020]"), [cite(vec![suppressed], false)]);
        assert_eq!(refs("@buck2020 [p. 5] says"), [cite(vec![item("buck2020", "", "p. 5")], true)]);
        assert_eq!(refs("[@a p. 12]"), [cite(vec![item("a", "", "p. 12")], false)]);
        assert_eq!(refs("[@{a}]"), [cite(vec![item("a", "", "")], false)]);
    }

    #[test]
    fn a_comma_between_keys_is_a_mistake_with_a_hint() {
        assert_eq!(errors("[@a, @b]"), ["`@b` is in the locator of `@a`"]);
    }

    #[test]
    fn a_bracket_split_by_formatting_is_a_mistake() {
        // `[*see* @a]`: the run after the emphasis is " @a]".
        assert_eq!(errors(" @a]").len(), 1);
        assert!(errors("[a] @b and [c]").is_empty());
    }

    #[test]
    fn cross_references_by_prefix() {
        assert_eq!(
            refs("see @fig-attributes and [@tbl-roles]; @sec-x-."),
            [
                Reference::Xref { id: "fig-attributes".into() },
                Reference::Xref { id: "tbl-roles".into() },
                Reference::Xref { id: "sec-x".into() }
            ]
        );
    }

    #[test]
    fn addresses_and_plain_brackets_are_text() {
        assert!(refs("mail a@b.org, jo+@example.org, [a note], @ alone, [x@y.z]").is_empty());
    }

    #[test]
    fn characters_not_typed_literally_never_cite() {
        let text = "@home and [@k]";
        let escaped = |i: usize| i != 0 && i != 11;
        assert!(parse(text, &escaped).iter().all(|p| matches!(p, Piece::Text(_))));
    }

    #[test]
    fn each_cited_key_is_found_where_it_was_written() {
        for (written, expected) in [
            ("[see @crew2012, pp. 411-429]", vec![5]),
            ("[@a; -@{b c}, p. 4]", vec![1, 6]),
            ("[@a, mail jo@x.org; @x]", vec![1, 20]),
            ("@buck2020 [p. 5]", vec![0]),
        ] {
            let pieces = parse(written, &|_| true);
            let Piece::Ref { reference, .. } = &pieces[0] else { panic!("{written}: {pieces:?}") };
            assert_eq!(key_offsets(reference, written), expected, "{written}");
        }
        assert!(key_offsets(&Reference::Xref { id: "fig-a".into() }, "@fig-a").is_empty());
    }

    #[test]
    fn offsets_point_at_the_reference() {
        let pieces = parse("ab [@k]", &all_literal);
        assert!(matches!(pieces[1], Piece::Ref { offset: 3, len: 4, .. }));
    }

    #[test]
    fn wide_characters_before_and_inside_do_not_panic() {
        assert_eq!(refs("中文字 “@k” [中 @k, 頁 3]").len(), 2);
    }
}
