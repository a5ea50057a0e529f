//! A value of a YAML file with where it was written, so that a check of a
//! later stage can place its message. serde-saphyr's own `Spanned` reads
//! the place, but writes the value alone; this one also keeps the place in
//! the build cache (`build::cache`), which reads records back instead of
//! parsing them again, with every message still at its line.

use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, Serializer};

/// Where a value starts in its file: 1-based line and column (0 when the
/// parser could not say).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Position {
    line: u32,
    column: u32,
}

impl Position {
    pub fn line(self) -> u64 {
        u64::from(self.line)
    }

    pub fn column(self) -> u64 {
        u64::from(self.column)
    }
}

impl From<serde_saphyr::Location> for Position {
    fn from(at: serde_saphyr::Location) -> Self {
        let narrow = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        Position { line: narrow(at.line()), column: narrow(at.column()) }
    }
}

/// `value`, written at `referenced`.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub referenced: Position,
}

/// Templates and downloads (human-readable formats) see the value as it
/// was written; the cache's binary format keeps its place too.
impl<T: Serialize> Serialize for Spanned<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            self.value.serialize(serializer)
        } else {
            (&self.value, self.referenced.line, self.referenced.column).serialize(serializer)
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            let read = serde_saphyr::Spanned::<T>::deserialize(deserializer)?;
            Ok(Spanned { value: read.value, referenced: read.referenced.into() })
        } else {
            let (value, line, column) = <(T, u32, u32)>::deserialize(deserializer)?;
            Ok(Spanned { value, referenced: Position { line, column } })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize, serde::Serialize)]
    struct Record {
        year: Spanned<u32>,
        names: Vec<Spanned<String>>,
    }

    #[test]
    fn yaml_places_a_value_and_a_binary_copy_keeps_the_place() {
        let yaml = "year: 2024\nnames:\n  - Ann\n  - Bo\n";
        let record: Record = serde_saphyr::from_str(yaml).unwrap();
        let places: Vec<(u64, u64)> = std::iter::once(record.year.referenced)
            .chain(record.names.iter().map(|name| name.referenced))
            .map(|at| (at.line(), at.column()))
            .collect();
        assert_eq!(places, [(1, 7), (3, 5), (4, 5)]);
        let bytes = rmp_serde::to_vec(&record).unwrap();
        assert_eq!(rmp_serde::from_slice::<Record>(&bytes).unwrap(), record);
        // A template sees the value only.
        assert_eq!(serde_json::to_value(&record).unwrap(), serde_json::json!({"year": 2024, "names": ["Ann", "Bo"]}));
    }
}
