//! The `language` of wingreport.toml, read as a BCP 47 language tag (RFC
//! 5646): it becomes every page's `<html lang>` and the Word and PDF
//! language, where a name such as `English` or a locale such as `en_GB`
//! leaves screen readers without a language. The tag's form is checked,
//! with the primary language limited to the 2 or 3 letters of ISO 639, as a
//! browser and axe's `html-lang-valid` expect; of the registry, only the
//! region is looked up (ISO 3166: `en-EN` and `en-UK` name none) and
//! `und`, "undetermined", is refused.

use serde::{Deserialize, Deserializer, de};

/// A language tag, as `language = "..."` gives it; the error's hint follows
/// a line break (see `load::read_config`).
pub fn tag<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let text = String::deserialize(deserializer)?;
    if !well_formed(&text) {
        return Err(de::Error::custom(format!("`language = \"{text}\"` is not a language tag\n{}", hint(&text))));
    }
    if text.split('-').next().is_some_and(|language| language.eq_ignore_ascii_case("und")) {
        return Err(de::Error::custom(format!(
            "`language = \"{text}\"` says the language is undetermined, which leaves screen readers guessing\n\
             name the language the reports are written in, such as `en-GB` (British English)"
        )));
    }
    match region(&text) {
        // The one region written wrong most often: `en-UK` is no language a
        // reader's browser knows.
        Some(region) if region.eq_ignore_ascii_case("uk") => Err(de::Error::custom(format!(
            "`language = \"{text}\"` names no region: the United Kingdom's code is `GB`\nwrite `language = \"{}\"`",
            uk_as_gb(&text)
        ))),
        Some(region) if !is_region(region) => Err(de::Error::custom(format!(
            "`language = \"{text}\"` names no region: `{region}` is no country's code\n\
             the part after the language names a country (ISO 3166), such as `GB` (United Kingdom), `IE` or \
             `US`; leave it out if none is meant: `language = \"{}\"`",
            text.split('-').next().unwrap_or_default()
        ))),
        _ => Ok(text),
    }
}

/// The region of a well-formed tag, when it names one by 2 letters: the
/// subtag after the language and any extended language and script subtags
/// (3 and 4 letters). A region of 3 digits (`419`) is not looked up.
fn region(tag: &str) -> Option<&str> {
    let alpha = |s: &str| s.bytes().all(|b| b.is_ascii_alphabetic());
    let next = tag.split('-').skip(1).find(|s| !(alpha(s) && matches!(s.len(), 3 | 4)))?;
    (next.len() == 2 && alpha(next)).then_some(next)
}

/// `tag` with its region `UK` written `GB`.
fn uk_as_gb(tag: &str) -> String {
    let region = region(tag);
    let parts: Vec<&str> =
        tag.split('-').map(|s| if Some(s) == region && s.eq_ignore_ascii_case("uk") { "GB" } else { s }).collect();
    parts.join("-")
}

/// ISO 3166-1's country codes, which BCP 47 takes as regions.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR \
    BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET \
    FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ \
    IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML \
    MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS \
    PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL \
    TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// Whether a region of 2 letters is one a tag may name: a country, the
/// European Union, the United Nations or Kosovo, or one of the codes kept
/// for private use (AA, QM to QZ, XA to XZ, ZZ).
fn is_region(code: &str) -> bool {
    let code = code.to_ascii_uppercase();
    let private = code == "AA" || code == "ZZ" || matches!(code.as_bytes(), [b'Q', b'M'..=b'Z'] | [b'X', b'A'..=b'Z']);
    private || ["EU", "UN"].contains(&code.as_str()) || COUNTRIES.split_whitespace().any(|country| country == code)
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
        let meant = cased(&uk_as_gb(&joined));
        return format!("write `language = \"{meant}\"`: the parts of a tag are joined with `-`");
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
        assert_eq!(hint("en_UK"), "write `language = \"en-GB\"`: the parts of a tag are joined with `-`");
    }

    fn read(tag: &str) -> Result<String, String> {
        #[derive(Deserialize)]
        struct Config {
            #[serde(deserialize_with = "super::tag")]
            language: String,
        }
        toml::from_str::<Config>(&format!("language = \"{tag}\""))
            .map(|c| c.language)
            .map_err(|e| e.message().to_string())
    }

    #[test]
    fn a_region_must_be_a_country_and_the_language_determined() {
        for tag in
            ["en-GB", "en-gb", "cy-GB", "sr-Latn-RS", "zh-yue-HK", "es-419", "en-EU", "en-x-uk", "de-CH-1996", "mul"]
        {
            assert_eq!(read(tag).as_deref(), Ok(tag), "{tag}");
        }
        let err = read("en-EN").unwrap_err();
        assert!(err.starts_with("`language = \"en-EN\"` names no region: `EN` is no country's code\n"), "{err}");
        assert!(err.ends_with("leave it out if none is meant: `language = \"en\"`"), "{err}");
        assert!(read("en-UK").unwrap_err().ends_with("\nwrite `language = \"en-GB\"`"));
        assert!(read("en-Latn-uk").unwrap_err().ends_with("\nwrite `language = \"en-Latn-GB\"`"));
        assert!(read("und").unwrap_err().contains("says the language is undetermined"));
        assert!(read("und-GB").unwrap_err().contains("says the language is undetermined"));
    }
}
