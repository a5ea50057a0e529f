//! The spellings each listed name is looked for in, and the automaton
//! that finds them.

use aho_corasick::AhoCorasick;

use super::reading::{Reading, joined};

/// Each name (as read, see [`read_names`]) as text also writes it: as
/// it is, and surname first, as registers and reference lists do
/// (`Smith, Ida`, `O'Brien, Sean`), with a surname of any number of words
/// (`Smith Jones, Ida`, as `Smith-Jones` reads; `van der Berg, Anna`).
pub(super) fn text_forms(read: &[String]) -> Vec<String> {
    let reversed = read.iter().flat_map(|name| {
        let spaces = name.match_indices(' ').map(|(at, _)| at);
        spaces.map(|at| format!("{}, {}", &name[at + 1..], &name[..at])).collect::<Vec<_>>()
    });
    read.iter().cloned().chain(reversed).collect()
}

/// A name (as read) with its apostrophe kept, dropped or read as a space,
/// which is how a hyphen reads too: `O'Brien`, `OBrien`, `O Brien`,
/// `O-Brien` are one surname. A name listed with one of the letters that
/// take an apostrophe standing alone before a word (`Sean O Brien`,
/// `Maire O Suilleabhain`, `Ann D Arcy`) is also that letter joined to the
/// word, with an apostrophe and without; not any initial, as `Kim A Long`
/// joined is `Kim along`, which text writes.
fn apostrophe_forms(name: &str) -> Vec<String> {
    let mut forms = vec![name.to_string()];
    if name.contains('\'') {
        forms.push(name.replace('\'', ""));
        forms.push(name.replace('\'', " "));
    }
    let words: Vec<&str> = name.split(' ').collect();
    for (at, pair) in words.windows(2).enumerate() {
        let alone = matches!(pair[0], "o" | "d" | "l");
        if alone && !pair[1].is_empty() {
            for joint in ["'", ""] {
                let mut joined = words[..at].to_vec();
                let word = format!("{}{joint}{}", pair[0], pair[1]);
                joined.push(&word);
                joined.extend(&words[at + 2..]);
                forms.push(joined.join(" "));
            }
        }
    }
    forms
}

/// Each name (as read) as an address or a file name also writes it, which
/// only addresses and file names are read for: run together, either way
/// round, its apostrophe spelt any way (`idasmith@…`, `IdaSmith.jpg`,
/// `smith.ida@…`, `seano'brien@…`). Only a name long enough to be no
/// ordinary word run together is (`Pat Tern` is not, as `pattern.svg`);
/// in text, run-together names are ordinary words and places (`Frank Land`,
/// HMP Frankland), so they are not looked for there.
pub(super) fn address_forms(read: &[String]) -> Vec<String> {
    let mut forms = Vec::new();
    for name in read {
        let words: Vec<&str> = name.split(' ').collect();
        let letters = |word: &&str| word.chars().filter(|&c| c != '\'').count();
        let Some((surname, given)) = words.split_last() else { continue };
        if given.is_empty()
            || words.iter().any(|word| letters(word) < MIN_SQUEEZED_WORD)
            || words.iter().map(letters).sum::<usize>() < MIN_SQUEEZED
        {
            continue;
        }
        forms.extend([
            words.concat(),
            format!("{surname}{}", given.concat()),
            format!("{surname} {}", given.join(" ")),
        ]);
    }
    forms
}

/// The shortest word, and the shortest whole, of a name looked for run together.
const MIN_SQUEEZED_WORD: usize = 3;
const MIN_SQUEEZED: usize = 8;

/// The longest list, in bytes of names as read (each also reversed), that
/// is matched with a DFA: about 2,000 names.
const DFA_PATTERN_BYTES: usize = 60_000;

/// The listed names as read, and a matcher for all of them at once, which
/// takes any number of names.
pub(super) struct Matcher {
    names: Vec<String>,
    pub(super) any: AhoCorasick,
}

impl Matcher {
    /// A matcher of `read`, names as read in the forms to look for.
    pub(super) fn of_forms(mut read: Vec<String>) -> Result<Option<Matcher>, aho_corasick::BuildError> {
        read.sort_unstable();
        read.dedup();
        if read.is_empty() {
            return Ok(None);
        }
        // Every page is read byte by byte (overlapping search cannot skip
        // ahead), where a DFA takes one table lookup a byte and a contiguous
        // NFA, which the crate picks past 100 patterns, several: at 1,000
        // reports and 60 names that was a third of rendering. A list too
        // long for a DFA of a few megabytes gets the NFA.
        let dfa = read.iter().map(String::len).sum::<usize>() <= DFA_PATTERN_BYTES;
        let kind = dfa.then_some(aho_corasick::AhoCorasickKind::DFA);
        let any = match AhoCorasick::builder().kind(kind).build(&read) {
            Ok(any) => any,
            Err(_) if dfa => AhoCorasick::new(&read)?,
            Err(e) => return Err(e),
        };
        Ok(Some(Matcher { names: read, any }))
    }

    /// The names, as read, that `text` holds as whole words.
    pub(super) fn find<'m>(&'m self, text: &str) -> impl Iterator<Item = &'m str> {
        self.any
            .find_overlapping_iter(text)
            .filter(|m| !joined(text, m.start(), m.end()))
            .map(|m| self.names[m.pattern().as_usize()].as_str())
    }

    /// The names, as read, that `text` holds as whole words just before an
    /// `@`: an address's local part.
    pub(super) fn find_before_at<'m>(&'m self, text: &str) -> impl Iterator<Item = &'m str> {
        memchr::memchr_iter(b'@', text.as_bytes()).flat_map(move |at| {
            let mut start = at.saturating_sub(MAX_LOCAL_PART);
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            self.any
                .find_overlapping_iter(&text[start..at])
                .filter(move |m| start + m.end() == at && !joined(text, start + m.start(), at))
                .map(|m| self.names[m.pattern().as_usize()].as_str())
        })
    }
}

/// `name` with a space before each capital that follows a small letter:
/// the words of a file name written in camel case (`IdaSmithInterview`);
/// `None` when it has no such capital.
pub(super) fn camel_case_words(name: &str) -> Option<String> {
    let (mut words, mut copied, mut after_small) = (String::new(), 0, false);
    for (at, c) in name.char_indices() {
        if after_small && c.is_uppercase() {
            words.push_str(&name[copied..at]);
            words.push(' ');
            copied = at;
        }
        after_small = c.is_lowercase();
    }
    // No capital follows a small letter at the start: none was split.
    (copied > 0).then(|| words + &name[copied..])
}

/// The file names that the links and sources of a page point to: the last
/// part of each `href` and `src`, without its query or fragment, and of
/// each value in its query (`view?file=IdaSmith.pdf`, `…&doc=%2FIdaSmith`).
pub(super) fn linked_file_names(page: &str) -> impl Iterator<Item = &str> {
    ["href=\"", "src=\""].into_iter().flat_map(move |attribute| {
        memchr::memmem::find_iter(page.as_bytes(), attribute).flat_map(move |at| {
            let value = &page[at + attribute.len()..];
            let value = value.find('"').map_or("", |end| &value[..end]);
            let value = value.split('#').next().unwrap_or(value);
            let (path, query) = value.split_once('?').unwrap_or((value, ""));
            let query_values = query.split(['&', ';']).filter_map(|pair| pair.split_once('=').map(|(_, value)| value));
            std::iter::once(path).chain(query_values).filter_map(last_path_part)
        })
    })
}

/// The last part of a path, after its last `/`, `\` or `%2F`, unless empty.
fn last_path_part(path: &str) -> Option<&str> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let start = name.to_ascii_lowercase().rfind("%2f").map_or(0, |at| at + 3);
    Some(&name[start..]).filter(|name| !name.is_empty())
}

/// The longest part of an address before its `@` that is read for names.
const MAX_LOCAL_PART: usize = 64;

/// The listed names as read, without the blank ones, each in every way
/// its apostrophe is spelt (see [`apostrophe_forms`]).
pub(super) fn read_names(names: &[String]) -> Vec<String> {
    names
        .iter()
        .map(|name| Reading::of(name, false).text.trim_matches(' ').to_string())
        .filter(|name| !name.is_empty())
        .flat_map(|name| apostrophe_forms(&name))
        .collect()
}
