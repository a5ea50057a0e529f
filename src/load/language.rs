//! The `language` of wingreport.toml, read as a BCP 47 language tag (RFC
//! 5646): it becomes every page's `<html lang>` and the Word and PDF
//! language, where a name such as `English` or a locale such as `en_GB`
//! leaves screen readers without a language. Only the tag's form is checked
//! (no registry is consulted), with the primary language limited to the 2 or
//! 3 letters of ISO 639, as a browser and axe's `html-lang-valid` expect.

use serde::{Deserialize, Deserializer, de};

/// A language tag, as `language = "..."` gives it; the error's hint follows
/// a line break (see `load::read_config`).
pub fn tag<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let text = String::deserialize(deserializer)?;
    // The one region written wrong most often: the United Kingdom's ISO
    // 3166 code is GB, and `en-UK` is no language a reader's browser knows.
    if let Some(uk) = text.split('-').skip(1).position(|part| part.eq_ignore_ascii_case("uk")) {
        let mut parts: Vec<&str> = text.split('-').collect();
        parts[uk + 1] = "GB";
        return Err(de::Error::custom(format!(
            "`language = \"{text}\"` names no region: the United Kingdom's code is `GB`\nwrite `language = \"{}\"`",
            parts.join("-")
        )));
    }
    if well_formed(&text) {
        return Ok(text);
    }
    Err(de::Error::custom(format!("`language = \"{text}\"` is not a language tag\n{}", hint(&text))))
}

/// Whether `text` is a well-formed tag: a language of 2 or 3 letters, then
/// optionally extended language subtags, a script, a region, variants,
/// extensions and a private use part, joined by `-`.
fn well_formed(text: &str) -> bool {
    let subtags: Vec<&str> = text.split('-').collect();
    if subtags.iter().any(|s| s.is_empty() || s.len() > 8 || !s.bytes().all(|b| b.is_ascii_alphanumeric())) {
        return false;
    }
    let alpha = |s: &str, lens: std::ops::RangeInclusive<usize>| {
        lens.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphabetic())
    };
    let mut rest = subtags.as_slice();
    let mut next = |accept: &dyn Fn(&str) -> bool| match rest.split_first() {
        Some((first, after)) if accept(first) => {
            rest = after;
            true
        }
        _ => false,
    };
    if !next(&|s| alpha(s, 2..=3)) {
        return false;
    }
    for _ in 0..3 {
        if !next(&|s| alpha(s, 3..=3)) {
            break;
        }
    }
    next(&|s| alpha(s, 4..=4));
    next(&|s| alpha(s, 2..=2) || (s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit())));
    while next(&|s| (5..=8).contains(&s.len()) || (s.len() == 4 && s.as_bytes()[0].is_ascii_digit())) {}
    // Extensions (`u-ca-gregory`) and private use (`x-cfo`): a single
    // character, then one subtag at least.
    while let Some((singleton, after)) = rest.split_first() {
        if singleton.len() != 1 {
            return false;
        }
        let taken = if singleton.eq_ignore_ascii_case("x") {
            after.len()
        } else {
            after.iter().take_while(|s| s.len() >= 2).count()
        };
        if taken == 0 {
            return false;
        }
        rest = &after[taken..];
    }
    true
}

/// The tag the author most likely meant, in the hint.
fn hint(text: &str) -> String {
    let joined = text.trim().replace(['_', ' '], "-");
    if joined != text && well_formed(&joined) {
        return format!("write `language = \"{}\"`: the parts of a tag are joined with `-`", cased(&joined));
    }
    let named = match text.trim().to_lowercase().as_str() {
        "english" => Some("`en-GB` for British English, or `en`"),
        "british english" | "english (uk)" | "english (united kingdom)" | "uk english" => Some("`en-GB`"),
        "welsh" | "cymraeg" => Some("`cy`"),
        "irish" | "gaeilge" => Some("`ga`"),
        "gaelic" | "scottish gaelic" | "gàidhlig" => Some("`gd`"),
        "french" | "français" => Some("`fr`"),
        "german" | "deutsch" => Some("`de`"),
        "spanish" | "español" => Some("`es`"),
        _ => None,
    };
    match named {
        Some(tag) => format!("write the language's tag, not its name: {tag}"),
        None => "write a BCP 47 language tag: a language code of 2 or 3 letters, optionally followed by a \
                 region, such as `en-GB` (British English), `en` or `cy` (Welsh)"
            .to_string(),
    }
}

/// A well-formed tag in its usual case: `en-gb` -> `en-GB`, `sr-latn` -> `sr-Latn`.
fn cased(tag: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for (i, subtag) in tag.split('-').enumerate() {
        let after_singleton = out.iter().any(|s| s.len() == 1);
        out.push(match subtag.len() {
            _ if i == 0 || after_singleton => subtag.to_ascii_lowercase(),
            2 => subtag.to_ascii_uppercase(),
            4 if subtag.as_bytes()[0].is_ascii_alphabetic() => {
                let lower = subtag.to_ascii_lowercase();
                lower[..1].to_ascii_uppercase() + &lower[1..]
            }
            _ => subtag.to_ascii_lowercase(),
        });
    }
    out.join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_of_every_shape_are_well_formed() {
        for tag in [
            "en",
            "en-GB",
            "en-gb",
            "cy",
            "gd-GB",
            "sr-Latn-RS",
            "zh-yue-HK",
            "es-419",
            "de-CH-1996",
            "sl-rozaj",
            "en-GB-u-ca-gregory",
            "en-x-cfo",
            "fil",
            "EN-GB",
        ] {
            assert!(well_formed(tag), "{tag}");
        }
    }

    #[test]
    fn names_locales_and_broken_tags_are_not() {
        for text in [
            "",
            "English",
            "en_GB",
            "en GB",
            "e",
            "english-GB",
            "en-",
            "-en",
            "en--GB",
            "xx-nonsense-!!",
            "en-GB-",
            "en-u",
            "en-u-x",
            "en-a-b",
            "en-x",
            "i-klingon",
            "x-private",
            "123",
            "en-GB-toolongsubtag",
        ] {
            assert!(!well_formed(text), "{text}");
        }
    }

    #[test]
    fn the_hint_suggests_the_tag_meant() {
        assert_eq!(hint("en_GB"), "write `language = \"en-GB\"`: the parts of a tag are joined with `-`");
        assert_eq!(hint("en_gb"), "write `language = \"en-GB\"`: the parts of a tag are joined with `-`");
        assert_eq!(hint("sr_latn_rs"), "write `language = \"sr-Latn-RS\"`: the parts of a tag are joined with `-`");
        assert_eq!(hint("English"), "write the language's tag, not its name: `en-GB` for British English, or `en`");
        assert_eq!(hint("Welsh"), "write the language's tag, not its name: `cy`");
        assert!(hint("xx-nonsense-!!").contains("such as `en-GB` (British English)"));
    }
}
