//! Deserializers for the numbers and flags of a record that read a YAML
//! scalar as it is written. serde-saphyr reads the quoted text `"12"` into a
//! number field as 12 and `"no"` into a flag as false, which the schema (and
//! so an editor) refuses; here quoted text where a number or flag belongs is
//! a mistake whose hint is to remove the quotes. Whole numbers written with a
//! zero fraction (`2025.0`) are accepted, as the JSON Schema `integer` type
//! accepts them. Each message is the text of the diagnostic, then a newline
//! and its hint (see `load::yaml_diagnostic`).

use std::marker::PhantomData;

use crate::model::Spanned;
use indexmap::IndexMap;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::diagnostics::shows_nothing;

/// A kind of value, with the words a researcher knows it by.
pub trait Scalar: Sized {
    /// "a whole number of 0 or more, such as 26".
    const EXPECTED: &'static str;
    /// How to write one, for the hint.
    const FIX: &'static str;
    fn from_i128(_: i128) -> Option<Self> {
        None
    }
    fn from_bool(_: bool) -> Option<Self> {
        None
    }
    /// The value the text would be without quotes, if any.
    fn parse(text: &str) -> Option<Self>;
}

// "About 6" or "unknown" is often a number the study did not find: the hint
// must not push the author to make one up.
const WHOLE_FIX: &str =
    "write the number alone, without words, units or quotes; if the study did not find it, leave the key out";

/// The whole-number types, each with the words for what it expects.
macro_rules! whole_numbers {
    ($($ty:ty => $expected:literal),* $(,)?) => {$(
        impl Scalar for $ty {
            const EXPECTED: &'static str = $expected;
            const FIX: &'static str = WHOLE_FIX;
            fn from_i128(v: i128) -> Option<Self> {
                v.try_into().ok()
            }
            fn parse(text: &str) -> Option<Self> {
                text.parse().ok()
            }
        }
    )*};
}

whole_numbers! {
    u32 => "a whole number of 0 or more, such as 26",
    u64 => "a whole number of 0 or more, such as 26",
    i64 => "a whole number, such as 3",
}

impl Scalar for bool {
    const EXPECTED: &'static str = "`true` or `false`";
    const FIX: &'static str = "write `true` or `false`, without quotes";
    fn from_bool(v: bool) -> Option<Self> {
        Some(v)
    }
    /// YAML 1.2 spellings only, as the loader reads flags (`strict_booleans`).
    fn parse(text: &str) -> Option<Self> {
        match text {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            _ => None,
        }
    }
}

/// A publication year: a whole number, named as a year in messages.
struct Year(u32);

impl Scalar for Year {
    const EXPECTED: &'static str = "a year such as 2024";
    const FIX: &'static str = "write the year as four digits, without quotes";
    /// Four digits: `20244` or `0` is a slip, never a year of a study.
    fn from_i128(v: i128) -> Option<Self> {
        (1000..=9999).contains(&v).then_some(Year(v as u32))
    }
    fn parse(text: &str) -> Option<Self> {
        text.parse().ok().and_then(Self::from_i128)
    }
}

/// A value that reads as the kind a message of this module expected, to
/// stand in for the value refused while the loader looks for more mistakes
/// (see `load::Fix::StandIn`).
pub fn stand_in(message: &str) -> Option<&'static str> {
    let expects = |expected: &str| message.strip_prefix("expected ").is_some_and(|m| m.starts_with(expected));
    if expects(u32::EXPECTED) || expects(i64::EXPECTED) {
        Some("1")
    } else if expects(bool::EXPECTED) {
        Some("false")
    } else if expects(Year::EXPECTED) {
        Some("2000")
    } else if message.starts_with(BLANK) {
        Some("x")
    } else {
        None
    }
}

/// A value read through [`StrictVisitor`].
struct Strict<T>(T);

impl<'de, T: Scalar> Deserialize<'de> for Strict<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // `deserialize_any` keeps quoted scalars as text, where the typed
        // entry points would parse them.
        deserializer.deserialize_any(StrictVisitor(PhantomData)).map(Strict)
    }
}

struct StrictVisitor<T>(PhantomData<T>);

fn mistake<T: Scalar, E: de::Error>(found: impl std::fmt::Display) -> E {
    E::custom(format!("expected {}; found {found}\n{}", T::EXPECTED, T::FIX))
}

impl<'de, T: Scalar> Visitor<'de> for StrictVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(T::EXPECTED)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<T, E> {
        T::from_bool(v).ok_or_else(|| mistake::<T, E>(format_args!("`{v}`")))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        T::from_i128(v.into()).ok_or_else(|| mistake::<T, E>(format_args!("`{v}`")))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        T::from_i128(v.into()).ok_or_else(|| mistake::<T, E>(format_args!("`{v}`")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        // Exact whole numbers only: 2025.0 is 2025, 2025.5 is a mistake.
        let whole = (v.is_finite() && v.fract() == 0.0 && v.abs() < 1e18).then_some(v as i128);
        whole.and_then(T::from_i128).ok_or_else(|| mistake::<T, E>(format_args!("`{v}`")))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        if T::parse(v.trim()).is_some() {
            Err(E::custom(format!(
                "`\"{v}\"` is text in quotes, where {} belongs\nremove the quotes: write `{}`",
                T::EXPECTED,
                v.trim()
            )))
        } else {
            Err(mistake::<T, E>(format_args!("`{v}`")))
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        Err(mistake::<T, E>("nothing"))
    }

    fn visit_none<E: de::Error>(self) -> Result<T, E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<T, A::Error> {
        Err(mistake::<T, A::Error>("a list"))
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<T, A::Error> {
        Err(mistake::<T, A::Error>("`key: value` pairs"))
    }
}

/// A required number or flag.
pub fn value<'de, D: Deserializer<'de>, T: Scalar>(deserializer: D) -> Result<T, D::Error> {
    Strict::deserialize(deserializer).map(|s| s.0)
}

/// A publication year.
pub fn year<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    Strict::<Year>::deserialize(deserializer).map(|s| s.0.0)
}

/// An optional number or flag (with `#[serde(default)]`).
pub fn optional<'de, D: Deserializer<'de>, T: Scalar>(deserializer: D) -> Result<Option<T>, D::Error> {
    Option::<Strict<T>>::deserialize(deserializer).map(|o| o.map(|s| s.0))
}

/// A number whose place in the file later stages point at.
pub fn spanned<'de, D: Deserializer<'de>, T: Scalar>(deserializer: D) -> Result<Spanned<T>, D::Error> {
    let s = Spanned::<Strict<T>>::deserialize(deserializer)?;
    Ok(Spanned { value: s.value.0, referenced: s.referenced })
}

/// An optional number whose place later stages point at (with `#[serde(default)]`).
pub fn optional_spanned<'de, D: Deserializer<'de>, T: Scalar>(deserializer: D) -> Result<Option<Spanned<T>>, D::Error> {
    spanned(deserializer).map(Some)
}

/// Why a blank text is refused: published, it is a heading, row, caption
/// or quotation with nothing in it.
const BLANK: &str = "this text is empty\nwrite what it says; a blank one would be published as an empty heading, row, \
                     caption or quotation";

/// A text that must say something: a title, a name, a caption.
pub fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let text = String::deserialize(deserializer)?;
    if shows_nothing(&text) { Err(de::Error::custom(BLANK)) } else { Ok(text) }
}

/// Markdown that must say something: a summary, a quotation, a list entry.
pub fn prose<'de, D: Deserializer<'de>>(deserializer: D) -> Result<crate::model::Prose, D::Error> {
    let prose = crate::model::Prose::deserialize(deserializer)?;
    if shows_nothing(&prose) { Err(de::Error::custom(BLANK)) } else { Ok(prose) }
}

/// Names of which there must be one at least, each saying something: authors.
pub fn names<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    let names = Vec::<String>::deserialize(deserializer)?;
    if names.is_empty() {
        Err(de::Error::custom("this list is empty\nname at least one, as in `[A. Researcher]`"))
    } else if names.iter().any(|name| shows_nothing(name)) {
        Err(de::Error::custom(BLANK))
    } else {
        Ok(names)
    }
}

/// A table's column headings: one at least, or the table has no cells.
pub fn columns<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    let columns = Vec::<String>::deserialize(deserializer)?;
    if columns.is_empty() {
        Err(de::Error::custom("this table has no columns\nname its column headings, as in `[Site, Interviews]`"))
    } else {
        Ok(columns)
    }
}

/// Optional `label: number` pairs (with `#[serde(default)]`).
pub fn optional_map<'de, D: Deserializer<'de>, T: Scalar>(
    deserializer: D,
) -> Result<Option<IndexMap<String, T>>, D::Error> {
    let map = Option::<IndexMap<String, Strict<T>>>::deserialize(deserializer)?;
    Ok(map.map(|m| m.into_iter().map(|(k, v)| (k, v.0)).collect()))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Record {
        #[serde(deserialize_with = "super::year")]
        year: u32,
        #[serde(default, deserialize_with = "super::text")]
        title: String,
        #[serde(default, deserialize_with = "super::optional")]
        count: Option<u32>,
        #[serde(default, deserialize_with = "super::optional")]
        paid: Option<bool>,
    }

    fn read(yaml: &str) -> Result<Record, String> {
        serde_saphyr::from_str_with_options(yaml, crate::load::yaml_options())
            .map_err(|e| e.without_snippet().to_string())
    }

    #[test]
    fn plain_values_are_read() {
        let r = read("year: 2024\ncount: 12\npaid: false\n").unwrap();
        assert_eq!((r.year, r.count, r.paid), (2024, Some(12), Some(false)));
        let r = read("year: 2025.0\ncount: ~\n").unwrap();
        assert_eq!((r.year, r.count, r.paid), (2025, None, None));
    }

    #[test]
    fn a_text_of_only_spaces_or_invisible_characters_is_empty() {
        assert_eq!(read("year: 2024\ntitle: \"\u{2011}\"\n").unwrap().title, "\u{2011}");
        for blank in ["' '", "\"\\u200B\"", "\"\u{a0}\\u2060\"", "\"\\uFEFF\""] {
            let err = read(&format!("year: 2024\ntitle: {blank}\n")).unwrap_err();
            assert!(err.starts_with("this text is empty"), "{blank}: {err}");
        }
    }

    #[test]
    fn quoted_values_are_mistakes_whose_fix_is_to_remove_the_quotes() {
        for (yaml, words) in [
            ("year: \"2025\"\n", "a year such as 2024"),
            ("year: 2024\ncount: '12'\n", "a whole number of 0 or more"),
            ("year: 2024\npaid: \"false\"\n", "`true` or `false`"),
        ] {
            let err = read(yaml).unwrap_err();
            assert!(err.contains("is text in quotes") && err.contains(words), "{yaml}: {err}");
            assert!(err.contains("remove the quotes"), "{yaml}: {err}");
        }
    }

    #[test]
    fn other_mistakes_say_what_was_expected_in_plain_words() {
        for (yaml, words) in [
            ("year: 2024.5\n", "expected a year such as 2024; found `2024.5`"),
            ("year: 20244\n", "expected a year such as 2024; found `20244`"),
            ("year: 0\n", "expected a year such as 2024; found `0`"),
            ("year: 2024\ncount: -3\n", "expected a whole number of 0 or more, such as 26; found `-3`"),
            ("year: 2024\ncount: about 3\n", "found `about 3`"),
            ("year: 2024\npaid: no\n", "expected `true` or `false`; found `no`"),
            ("year: 2024\ncount: [1]\n", "found a list"),
        ] {
            let err = read(yaml).unwrap_err();
            assert!(err.contains(words), "{yaml}: {err}");
            assert!(!err.contains("u32") && !err.contains("i64"), "{yaml}: {err}");
        }
    }
}
