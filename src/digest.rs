//! Digests of what a part of the output is made from, naming the parts the
//! build cache keeps (see `build::cache`). 128 bits, so that two different
//! inputs sharing a name is not a risk worth a thought at any archive's size.

use std::fmt::{self, Debug, Write as _};
use std::hash::Hasher as _;

use siphasher::sip128::{Hasher128, SipHasher13};

/// A running digest; [`Digest::finish`] gives its value.
#[derive(Clone, Debug, Default)]
pub struct Digest(SipHasher13);

impl Digest {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `bytes`, with their length first, so that `("ab", "c")` and
    /// `("a", "bc")` differ.
    pub fn bytes(&mut self, bytes: &[u8]) -> &mut Self {
        self.0.write_usize(bytes.len());
        self.0.write(bytes);
        self
    }

    pub fn text(&mut self, text: &str) -> &mut Self {
        self.bytes(text.as_bytes())
    }

    pub fn value(&mut self, value: u128) -> &mut Self {
        self.0.write_u128(value);
        self
    }

    /// Adds a value as its derived `Debug` shows it: every field, in
    /// declaration order, without writing the whole text out first.
    pub fn debug(&mut self, value: &impl Debug) -> &mut Self {
        // The separator ends the value, as a length would.
        write!(Streamed(&mut self.0), "{value:?}\u{0}").expect("a digest takes any text");
        self
    }

    pub fn finish(&self) -> u128 {
        self.0.finish128().as_u128()
    }
}

/// Feeds formatted text straight into the hasher.
struct Streamed<'a>(&'a mut SipHasher13);

impl fmt::Write for Streamed<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.write(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_input_gives_the_same_value_and_any_change_another() {
        let of = |parts: &[&str]| {
            let mut digest = Digest::new();
            parts.iter().for_each(|p| {
                digest.text(p);
            });
            digest.finish()
        };
        assert_eq!(of(&["ab", "c"]), of(&["ab", "c"]));
        assert_ne!(of(&["ab", "c"]), of(&["a", "bc"]));
        assert_ne!(of(&["ab", "c"]), of(&["ab", "d"]));
        assert_ne!(of(&[]), of(&[""]));
    }

    #[test]
    fn a_value_is_read_through_its_debug_form() {
        let of = |record: &(&str, Vec<u32>)| Digest::new().debug(record).finish();
        let a = ("a", vec![1, 2]);
        assert_eq!(of(&a), of(&("a", vec![1, 2])));
        assert_ne!(of(&a), of(&("a", vec![1, 2, 3])));
        assert_ne!(of(&a), of(&("b", vec![1, 2])));
    }
}
