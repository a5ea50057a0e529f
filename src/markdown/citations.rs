//! Finds pandoc-style citations (`[@key]`, `[@key, p. 12]`, `[@a; @b]`,
//! `@key`) and Quarto-style cross-references (`@fig-x`, `@tbl-x`, `@sec-x`)
//! in running text. Parsing only: which keys exist is the render stage's
//! business.

/// Marks an `@` the author escaped as `\@`, so it stays literal text.
pub const ESCAPED_AT: char = '\u{E000}';

/// Prefixes that make `@id` a cross-reference rather than a citation.
pub const XREF_PREFIXES: [&str; 3] = ["fig-", "tbl-", "sec-"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiteItem {
    pub key: String,
    /// Text before the key inside brackets, such as "see".
    pub prefix: String,
    /// Text after the key's comma, such as "p. 12".
    pub locator: String,
}

/// A citation or cross-reference and its byte offset in the text.
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Ref { reference: Reference, offset: usize },
}

fn is_key_start(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

fn is_xref(key: &str) -> bool {
    XREF_PREFIXES.iter().any(|p| key.starts_with(p) && key.len() > p.len())
}

/// Length in bytes of the key at the start of `text` (after `@`), without a
/// trailing `-`, which is punctuation rather than part of a key.
fn key_len(text: &str) -> usize {
    if !text.starts_with(is_key_start) {
        return 0;
    }
    let end = text.find(|c: char| !is_key_char(c)).unwrap_or(text.len());
    text[..end].trim_end_matches('-').len()
}

/// Parses one `prefix @key, locator` part of a bracketed citation.
fn bracket_item(part: &str) -> Option<CiteItem> {
    let at = part.find('@')?;
    let prefix = part[..at].trim();
    let rest = &part[at + 1..];
    let len = key_len(rest);
    if len == 0 || prefix.contains('@') {
        return None;
    }
    let after = rest[len..].trim();
    let locator = match after.strip_prefix(',') {
        Some(locator) => locator.trim(),
        None if after.is_empty() => "",
        None => return None,
    };
    Some(CiteItem { key: rest[..len].to_string(), prefix: prefix.to_string(), locator: locator.to_string() })
}

/// A bracket `[...]` holding only citations, or `None` for ordinary text.
fn bracket(inner: &str) -> Option<Reference> {
    if !inner.contains('@') || inner.contains(ESCAPED_AT) {
        return None;
    }
    let items: Vec<CiteItem> = inner.split(';').map(bracket_item).collect::<Option<_>>()?;
    match items.as_slice() {
        [only] if is_xref(&only.key) && only.prefix.is_empty() && only.locator.is_empty() => {
            Some(Reference::Xref { id: only.key.clone() })
        }
        _ => Some(Reference::Cite { items, narrative: false }),
    }
}

/// Splits text into plain runs and references.
pub fn parse(text: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut plain = String::new();
    let mut i = 0;
    let mut prev: Option<char> = None;
    while i < text.len() {
        let rest = &text[i..];
        let c = rest.chars().next().unwrap_or(' ');
        let mut found: Option<(Reference, usize)> = None;
        if c == '[' {
            if let Some(close) = rest.find(']') {
                let inner = &rest[1..close];
                if !inner.contains('[') {
                    found = bracket(inner).map(|r| (r, close + 1));
                }
            }
        } else if c == '@' && !prev.is_some_and(|p| p.is_alphanumeric() || p == ESCAPED_AT) {
            let len = key_len(&rest[1..]);
            if len > 0 {
                let key = &rest[1..1 + len];
                let reference = if is_xref(key) {
                    Reference::Xref { id: key.to_string() }
                } else {
                    let item = CiteItem { key: key.to_string(), prefix: String::new(), locator: String::new() };
                    Reference::Cite { items: vec![item], narrative: true }
                };
                found = Some((reference, 1 + len));
            }
        }
        match found {
            Some((reference, len)) => {
                if !plain.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut plain)));
                }
                pieces.push(Piece::Ref { reference, offset: i });
                i += len;
                prev = text[..i].chars().next_back();
            }
            None => {
                if c != ESCAPED_AT {
                    plain.push(c);
                }
                prev = Some(c);
                i += c.len_utf8();
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

    fn refs(text: &str) -> Vec<Reference> {
        parse(text)
            .into_iter()
            .filter_map(|p| match p {
                Piece::Ref { reference, .. } => Some(reference),
                Piece::Text(_) => None,
            })
            .collect()
    }

    fn item(key: &str, prefix: &str, locator: &str) -> CiteItem {
        CiteItem { key: key.into(), prefix: prefix.into(), locator: locator.into() }
    }

    #[test]
    fn bracketed_citation_with_locator() {
        assert_eq!(
            refs("as shown [@buck2020, p. 12]."),
            [Reference::Cite { items: vec![item("buck2020", "", "p. 12")], narrative: false }]
        );
    }

    #[test]
    fn several_keys_in_one_bracket() {
        assert_eq!(
            refs("[see @a; @b-2, pp. 3-4]"),
            [Reference::Cite { items: vec![item("a", "see", ""), item("b-2", "", "pp. 3-4")], narrative: false }]
        );
    }

    #[test]
    fn bare_key_is_a_narrative_citation_and_keeps_following_punctuation() {
        let pieces = parse("@buck2020 argues.");
        assert_eq!(
            pieces[0],
            Piece::Ref {
                reference: Reference::Cite { items: vec![item("buck2020", "", "")], narrative: true },
                offset: 0
            }
        );
        assert_eq!(pieces[1], Piece::Text(" argues.".into()));
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
    fn emails_escapes_and_plain_brackets_are_text() {
        let text = format!("mail a@b.org, {ESCAPED_AT}@home, [a note], @ alone");
        assert!(refs(&text).is_empty());
        let plain: String = parse(&text)
            .into_iter()
            .map(|p| match p {
                Piece::Text(t) => t,
                Piece::Ref { .. } => String::new(),
            })
            .collect();
        assert_eq!(plain, "mail a@b.org, @home, [a note], @ alone");
    }

    #[test]
    fn offsets_point_at_the_reference() {
        let pieces = parse("ab [@k]");
        assert!(matches!(pieces[1], Piece::Ref { offset: 3, .. }));
    }
}
