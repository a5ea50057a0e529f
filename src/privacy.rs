//! Check after render: no name on the real-names deny-list may appear in
//! the generated output. Reads the private list and the rendered files;
//! reports where each leaked name came from, and never writes the list out.
//!
//! Names are looked for in the text as a reader meets it ([`Reading`]),
//! not in the markup, so no tag, entity, emphasis mark, accent written as
//! two characters, soft hyphen or address can hide one.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use std::sync::{LazyLock, Mutex};

use aho_corasick::AhoCorasick;
use regex::Regex;
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

use crate::diagnostics::{Diagnostic, rel_path};
use crate::model::DEFAULT_REAL_NAMES;
use crate::render::OutputFile;

/// The names of the deny-list: one per line, `#` starts a comment, a
/// byte-order mark is not part of the first name. A missing list at the
/// default place is an empty list: projects without pseudonymised data
/// need none. One that `[privacy] real_names` names must exist: a typo in
/// the path would otherwise turn the check off without a word.
///
/// Lists come out of spreadsheets and old editors: lines may end in CR
/// alone, the file may be UTF-16, and a line may be a row `Smith, Ida` or
/// `"Ida","Smith"`. Each is read as the names it holds; what cannot be read
/// as names fails the run, since it would leave names unchecked.
pub fn read_deny_list(root: &Path, relative: &str) -> Result<Vec<String>, Diagnostic> {
    let path = root.join(relative);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && relative == DEFAULT_REAL_NAMES => {
            return look_alike(root).map_or(Ok(Vec::new()), Err);
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let config = std::fs::read_to_string(root.join("wingreport.toml")).unwrap_or_default();
            let line = config.lines().position(|l| l.trim_start().starts_with("real_names")).map_or(0, |i| i + 1);
            return Err(Diagnostic::new(
                "wingreport.toml",
                line,
                usize::from(line > 0),
                format!("`[privacy] real_names` names `{relative}`, which does not exist"),
            )
            .with_hint("correct the path, or create the list there: without it no real name is checked"));
        }
        Err(e) => return Err(Diagnostic::whole_file(relative, format!("cannot read the real-names list: {e}"))),
    };
    if let Some(kind) = office_kind(&bytes) {
        return Err(Diagnostic::whole_file(relative, format!("the real-names list is {kind}, not text")).with_hint(
            "save it as text, one name a line (a spreadsheet's \"CSV UTF-8\", a word processor's \"Plain Text\"), \
             and name that file: no name in it is checked until then",
        ));
    }
    let text = decoded(&bytes).map_err(|(line, col)| {
        Diagnostic::new(relative, line, col, "the real-names list is not UTF-8 text from here on").with_hint(
            "save it as UTF-8 (a spreadsheet's \"CSV UTF-8\", an editor's \"UTF-8\" encoding): no name in it is \
             checked until then",
        )
    })?;
    let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n").replace('\r', "\n");
    let mut names = Vec::new();
    for (index, line) in text.lines().enumerate() {
        names.extend(
            list_line(line)
                .map_err(|(col, message, hint)| Diagnostic::new(relative, index + 1, col, message).with_hint(hint))?,
        );
    }
    Ok(names)
}

/// The names one line of the list stands for, or where and why it cannot
/// be read as names: a line that matched no name would check nothing.
fn list_line(line: &str) -> Result<Vec<String>, (usize, String, &'static str)> {
    let entry = line.split('#').next().unwrap_or("");
    // A list pasted from a word processor: `1. Ida Smith`, `• Ida Smith`.
    let marker = list_marker(entry);
    let parts: Vec<&str> = entry[marker..]
        .split([',', ';', '\t'])
        .map(|part| part.trim().trim_matches(['"', '\'']).trim())
        .filter(|part| !part.is_empty())
        .collect();
    let col = |c: char| entry.find(c).map_or(1, |at| entry[..at].chars().count() + 1);
    for part in &parts {
        if let Some(c) = part.chars().find(|&c| !(c.is_alphabetic() || is_name_mark(c))) {
            let hint = if c.is_numeric() {
                "write the name alone; keep notes after a `#` (`Ida Smith  # withdrew`)"
            } else {
                "write the name alone, one person a line; keep notes after a `#` (`Ida Smith  # withdrew`), and \
                 write each form of a name on a line of its own (`Robert Smith`, `Bob Smith`)"
            };
            return Err((col(c), format!("`{c}` is no part of a name, so this line would match no name"), hint));
        }
        if part.contains(" - ") || part.contains(" '") || part.contains("' ") {
            return Err((
                1,
                "this line holds more than a name".to_string(),
                "write the name alone; keep notes after a `#`",
            ));
        }
    }
    let title = |name: &str| {
        let (first, rest) = name.split_once(' ')?;
        let first = first.trim_end_matches('.');
        TITLES.iter().any(|t| t.eq_ignore_ascii_case(first)).then(|| rest.trim().to_string())
    };
    let mut names: Vec<String> = match parts[..] {
        [] => Vec::new(),
        [name] => vec![name.to_string()],
        // Two people: each has words of their own (`Bob Day, Cy Ray`).
        [first, second] if first.contains(' ') && second.contains(' ') => {
            vec![first.to_string(), second.to_string()]
        }
        // `Smith, Ida` is Ida Smith; a row `Ida,Smith` may be either way round.
        [first, second] => vec![format!("{second} {first}"), format!("{first} {second}")],
        _ => {
            return Err((
                1,
                format!("this line of the real-names list holds {} values separated by commas", parts.len()),
                "write one person a line, as `Given Surname` or `Surname, Given`; keep other columns (a site, a \
                 role) out of the list",
            ));
        }
    };
    // `Mr Ida Smith` is written `Ida Smith` as often: both are looked for.
    let untitled: Vec<String> = names.iter().filter_map(|name| title(name)).filter(|n| !n.is_empty()).collect();
    names.extend(untitled);
    Ok(names)
}

/// Titles a name may be listed with.
const TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "rev",
    "revd",
    "lord",
    "lady",
    "sister",
    "brother",
    "father",
];

/// Letters' companions in names: apostrophes, hyphens, spaces, full stops
/// (`St. John`), combining accents.
fn is_name_mark(c: char) -> bool {
    matches!(c, ' ' | '\'' | '\u{2019}' | '\u{2bc}' | '-' | '\u{2010}' | '\u{2011}' | '.' | '\u{a0}')
        || unicode_normalization::char::is_combining_mark(c)
}

/// Bytes of a list item's marker at the start of `entry`: `1.`, `2)`, `•`,
/// `-`, `*` and the spaces after it; 0 when there is none.
fn list_marker(entry: &str) -> usize {
    let trimmed = entry.trim_start();
    let lead = entry.len() - trimmed.len();
    let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
    let after = if digits > 0 {
        trimmed[digits..].strip_prefix(['.', ')'])
    } else {
        trimmed.strip_prefix(['\u{2022}', '\u{b7}', '\u{25e6}', '\u{2023}', '-', '*'])
    };
    match after {
        Some(rest) if rest.starts_with(char::is_whitespace) => {
            lead + (trimmed.len() - rest.len()) + (rest.len() - rest.trim_start().len())
        }
        _ => 0,
    }
}

/// The text of a list saved as UTF-8 or as UTF-16 (with a byte-order
/// mark, or without one, when its NUL bytes give it away), or the line and
/// column where it stops being UTF-8.
fn decoded(bytes: &[u8]) -> Result<String, (usize, usize)> {
    let utf16 = |body: &[u8], little: bool| {
        let units = body.chunks(2).map(|pair| match (pair, little) {
            ([a, b], true) => u16::from_le_bytes([*a, *b]),
            ([a, b], false) => u16::from_be_bytes([*a, *b]),
            _ => 0xD800,
        });
        char::decode_utf16(units).collect::<Result<String, _>>().map_err(|_| (1, 1))
    };
    match bytes {
        [0xFF, 0xFE, body @ ..] => utf16(body, true),
        [0xFE, 0xFF, body @ ..] => utf16(body, false),
        // ASCII in UTF-16 has a NUL beside every letter: after it when little-endian.
        _ if bytes.contains(&0) => {
            let odd_nuls = bytes.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
            utf16(bytes, odd_nuls * 2 >= bytes.len() / 2)
        }
        _ => String::from_utf8(bytes.to_vec()).map_err(|e| {
            let valid = std::str::from_utf8(&bytes[..e.utf8_error().valid_up_to()]).unwrap_or_default();
            crate::load::line_col(valid, valid.len())
        }),
    }
}

/// What a list saved by an office program is, by its first bytes (a zip
/// for today's formats, a compound file for older ones), which no text is.
fn office_kind(bytes: &[u8]) -> Option<&'static str> {
    match Packed::of("", bytes) {
        Some(Packed::Zip) => Some("a spreadsheet or word-processor file"),
        Some(Packed::Pdf) => Some("a PDF"),
        _ if bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") => Some("a spreadsheet or word-processor file"),
        _ if bytes.starts_with(b"{\\rtf") => Some("a word-processor file (RTF)"),
        _ => None,
    }
}

/// Extensions of spreadsheets and word-processor files, which a list may
/// be kept in but must be saved out of as text to be read.
const SPREADSHEETS: &[&str] = &[".xlsx", ".xlsm", ".xls", ".ods", ".numbers"];
const WORD_PROCESSED: &[&str] = &[".docx", ".doc", ".odt", ".rtf", ".pages", ".pdf"];

/// With no list at the default place: a file that looks like the list
/// elsewhere, which would otherwise go unread. Looked for in `private/`
/// and its folders (`real_names.txt`, `real-names.txt.txt`, `names.csv`,
/// `lists/real-names.txt`, `participants.txt`, `interviewees.csv`), in a
/// `Private/` folder, and at the project's top (`real-names.txt`).
fn look_alike(root: &Path) -> Option<Diagnostic> {
    let (folder, expected) = DEFAULT_REAL_NAMES.rsplit_once('/')?;
    // A text file named for the people a study met (not for its prisons or
    // wings); their transcripts and forms (`interviewee-3.docx`) are no list.
    let like_a_list = |name: &str| {
        let name = name.to_lowercase();
        let for_names = ["name", "realname", "surname", "namelist"];
        let for_people = ["participant", "pseudonym", "people", "interviewee", "respondent", "mentee", "mentor"];
        let ends = |extensions: &[&str]| extensions.iter().any(|ext| name.ends_with(ext));
        let text = ends(&[".txt", ".csv", ".tsv"]) || !name.contains('.') || ends(SPREADSHEETS);
        // Whole words, one or many (`mentors.txt`, not `mentoring-notes.txt`).
        let mut words = name.split(|c: char| !c.is_alphanumeric()).map(|word| word.strip_suffix('s').unwrap_or(word));
        // A word-processor file named for people is a transcript or a form
        // (`interviewee-3.docx`); one named for names is a list (`real names.docx`).
        let people = !ends(WORD_PROCESSED);
        (text || ends(WORD_PROCESSED))
            && words.any(|word| for_names.contains(&word) || (people && for_people.contains(&word)))
    };
    let mut found: Vec<String> = Vec::new();
    let top = std::fs::read_dir(root).ok()?.flatten().collect::<Vec<_>>();
    for entry in &top {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if path.is_dir() && name.eq_ignore_ascii_case(folder) {
            let files = walkdir::WalkDir::new(&path).max_depth(3).into_iter().flatten();
            found.extend(
                files
                    .filter(|file| file.file_type().is_file() && like_a_list(&file.file_name().to_string_lossy()))
                    .filter_map(|file| {
                        file.path().strip_prefix(root).ok().map(|p| p.to_string_lossy().replace('\\', "/"))
                    }),
            );
        } else if path.is_file() && like_a_list(&name) && name.contains('.') {
            // At the top, only with its extension (`.txt`, `.csv`, `.tsv`).
            found.push(name);
        } else if path.is_dir()
            && !name.starts_with('.')
            && !["content", "themes", "output", "target"].contains(&name.as_str())
        {
            // The list itself one folder off (`lists/real-names.txt`, `privte/`).
            let inside = std::fs::read_dir(&path).into_iter().flatten().flatten();
            found.extend(inside.filter_map(|file| {
                let file_name = file.file_name().to_string_lossy().to_lowercase();
                let real_names = file_name.contains("real") && file_name.contains("name");
                (real_names && file.path().is_file()).then(|| format!("{name}/{}", file.file_name().to_string_lossy()))
            }));
        }
    }
    found.sort();
    let name = found.first()?;
    let lower = name.to_lowercase();
    let office = SPREADSHEETS.iter().chain(WORD_PROCESSED).any(|ext| lower.ends_with(ext));
    let place = if office {
        format!(
            "save it as text, one name a line (a spreadsheet's \"CSV UTF-8\", a word processor's \"Plain Text\"), \
             at `{DEFAULT_REAL_NAMES}`"
        )
    } else {
        format!(
            "move or rename it to `{DEFAULT_REAL_NAMES}` (`{expected}` in `{folder}/`), or name it in wingreport.toml \
             (`[privacy] real_names = \"{name}\"`)"
        )
    };
    Some(
        Diagnostic::whole_file(
            name.clone(),
            format!("this looks like the real-names list, which is read from `{DEFAULT_REAL_NAMES}` only"),
        )
        .with_hint(format!(
            "{place}: until then no real name is checked. If it lists no participant (prisons, say), keep the real \
             list at `{DEFAULT_REAL_NAMES}`, empty if no participant is named"
        )),
    )
}

/// Text as a reader meets it, to look for names in. Letters are lower
/// case, without accents (`José` written with one character or two reads
/// `jose`, `Strauß` reads `strauss`). One space stands for any run of
/// whitespace, hyphens, dashes, `_`, `+`, `%20`, JSON's `\n` or a `<br>`,
/// so `Mary-Jane`, `mary_jane` and `Mary Jane` read alike, and a name in an
/// id or an address is found too. Entities are decoded; inline tags,
/// emphasis marks (`*`, `~`), soft hyphens and zero-width characters are
/// left out, so `Jo<b>hn</b>` reads `john`. Block tags and punctuation stay
/// as a boundary that no name crosses: words in two paragraphs or two
/// table cells are not a name. Attribute values (alt texts, titles,
/// addresses) follow the text, each on its own.
struct Reading {
    text: String,
    /// For each byte of `text`, the byte of the source it came from; kept
    /// only to point at a source line.
    from: Option<Vec<usize>>,
    /// Whether `<...>` is a tag; a source whose `<` is text to its page
    /// (a YAML value `<Ida`) is read again with none.
    markup: bool,
}

/// Tags that sit inside a line of text, so that a word may go on through them.
const INLINE_TAGS: &[&str] = &[
    "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em", "font", "i", "img",
    "input", "ins", "kbd", "mark", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strike", "strong", "sub",
    "sup", "time", "tspan", "tt", "u", "var", "wbr",
];

/// ASCII bytes read as they are, but for case: everything except markup,
/// escapes, dots, whitespace and the marks that [`Reading::char`] drops or
/// reads as a space. (A run of them also takes a single space between
/// words, which is what a gap would write.)
static PLAIN: [bool; 256] = {
    let mut plain = [false; 256];
    let mut b = 0;
    while b < 128 {
        plain[b] = !matches!(b as u8, b'<' | b'&' | b'\\' | b'%' | b'.' | b'_' | b'-' | b'+' | b'*' | b'~')
            && !(b as u8).is_ascii_whitespace();
        b += 1;
    }
    plain
};

/// Where a boundary stands in a [`Reading`]: never part of a name.
const BOUNDARY: char = '|';

impl Reading {
    fn of(raw: &str, track: bool) -> Reading {
        Self::with_markup(raw, track, true)
    }

    fn with_markup(raw: &str, track: bool, markup: bool) -> Reading {
        let mut reading = Reading { text: String::with_capacity(raw.len()), from: track.then(Vec::new), markup };
        let mut attributes = Vec::new();
        reading.read(raw, 0, Some(&mut attributes));
        for (start, end) in attributes {
            reading.push(BOUNDARY, start);
            reading.read(&raw[start..end], start, None);
        }
        reading
    }

    /// Reads `raw`, which starts at byte `base` of the source; the ranges
    /// of attribute values go to `attributes`, when given.
    fn read(&mut self, raw: &str, base: usize, mut attributes: Option<&mut Vec<(usize, usize)>>) {
        let bytes = raw.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let at = base + i;
            match bytes[i] {
                b'<' => match self.markup.then(|| tag(raw, i)).flatten() {
                    Some(tag) => {
                        if let Some(attributes) = attributes.as_deref_mut() {
                            attributes.extend(tag.values.iter().map(|&(s, e)| (base + s, base + e)));
                        }
                        i = tag.end;
                        match tag.kind {
                            TagKind::Inline => {}
                            TagKind::LineBreak => self.gap(at),
                            TagKind::Block => self.push(BOUNDARY, at),
                            // A footnote's number is no letter of a name it follows: `Bea¹ Clark`.
                            TagKind::NoteMark => {
                                i = raw[i..].find("</sup>").map_or(i, |end| i + end + "</sup>".len());
                            }
                        }
                    }
                    None => {
                        self.push('<', at);
                        i += 1;
                    }
                },
                b'&' => i += self.decoded(entity(raw, i), '&', at),
                b'\\' if matches!(bytes.get(i + 1), Some(b'n' | b'r' | b't')) => {
                    self.gap(at);
                    i += 2;
                }
                // A Markdown or JSON escape (`Ida\_Smith`): the mark alone is read.
                b'\\' if bytes.get(i + 1).is_some_and(u8::is_ascii_punctuation) => i += 1,
                // An address's `Jos%C3%A9`, `Ida%20Smith`.
                b'%' => i += self.decoded(percent_decoded(&raw[i..]), '%', at),
                // `lucy.gray@…`, `ida.smith.png`: a dot between letters.
                b'.' if bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) => {
                    self.gap(at);
                    i += 1;
                }
                b if b.is_ascii() && !PLAIN[usize::from(b)] => {
                    self.char(char::from(b), at);
                    i += 1;
                }
                // Most of a page: copied a run at a time, which keeps the
                // check a small part of a build.
                _ if bytes[i].is_ascii() => {
                    let mut prev = 0;
                    // A space after a plain byte is what `gap` would write.
                    let run = bytes[i..]
                        .iter()
                        .take_while(|&&b| {
                            let plain = PLAIN[usize::from(b)] || (b == b' ' && prev != b' ' && prev != 0);
                            prev = b;
                            plain
                        })
                        .count();
                    let start = self.text.len();
                    self.text.push_str(&raw[i..i + run]);
                    self.text[start..].make_ascii_lowercase();
                    if let Some(from) = &mut self.from {
                        from.extend(at..at + run);
                    }
                    i += run;
                }
                _ => {
                    let c = raw[i..].chars().next().unwrap_or(char::REPLACEMENT_CHARACTER);
                    self.char(c, at);
                    i += c.len_utf8();
                }
            }
        }
    }

    /// Reads what an entity or a percent escape decodes to, or, when it is
    /// none, its `mark` as it stands; returns the source bytes read.
    fn decoded(&mut self, decoded: Option<(String, usize)>, mark: char, at: usize) -> usize {
        match decoded {
            Some((text, len)) => {
                text.chars().for_each(|c| self.char(c, at));
                len
            }
            None => {
                self.push(mark, at);
                1
            }
        }
    }

    fn char(&mut self, c: char, at: usize) {
        match c {
            'A'..='Z' => self.push(c.to_ascii_lowercase(), at),
            '_' | '-' | '+' => self.gap(at),
            '*' | '~' => {}
            c if c.is_ascii() && !c.is_ascii_whitespace() => self.push(c, at),
            '\u{2018}' | '\u{2019}' | '\u{02bc}' | '\u{2032}' | '\u{b4}' | '\u{2bb}' => self.push('\'', at),
            '\u{2010}'..='\u{2015}' | '\u{2212}' => self.gap(at),
            c if is_invisible(c) => {}
            c if c.is_whitespace() => self.gap(at),
            // Compatibility forms too: `ﬁ`, fullwidth and mathematical letters.
            c => decompose_compatible(c, |part| {
                if is_combining_mark(part) {
                } else if part.is_ascii() {
                    self.char(part, at);
                } else {
                    for lower in part.to_lowercase() {
                        match crate::search::plain_letters(lower) {
                            Some(plain) => self.push_str(plain, at),
                            None => self.push(lower, at),
                        }
                    }
                }
            }),
        }
    }

    fn gap(&mut self, at: usize) {
        if !self.text.is_empty() && !self.text.ends_with(' ') {
            self.push(' ', at);
        }
    }

    fn push_str(&mut self, s: &str, at: usize) {
        s.chars().for_each(|c| self.push(c, at));
    }

    fn push(&mut self, c: char, at: usize) {
        self.text.push(c);
        if let Some(from) = &mut self.from {
            from.extend(std::iter::repeat_n(at, c.len_utf8()));
        }
    }
}

enum TagKind {
    Inline,
    LineBreak,
    Block,
    /// A footnote's number, `<sup class="footnote-ref">`, read as nothing.
    NoteMark,
}

struct Tag {
    kind: TagKind,
    /// Byte after the tag's `>`.
    end: usize,
    /// Byte ranges of its attribute values.
    values: Vec<(usize, usize)>,
}

/// The tag or comment starting at byte `start` (a `<`), if it is one.
fn tag(raw: &str, start: usize) -> Option<Tag> {
    let rest = &raw[start + 1..];
    if rest.starts_with("!--") {
        // A comment is published with the page (a theme's `<!-- reviewed
        // with … -->`): its text is read apart, as an attribute's is.
        let close = rest.find("-->").map_or(raw.len(), |i| start + 1 + i);
        let end = (close + 3).min(raw.len());
        return Some(Tag { kind: TagKind::Block, end, values: vec![(start + 4, close.max(start + 4))] });
    }
    let name_start = usize::from(rest.starts_with('/'));
    let name_len = rest[name_start..].bytes().take_while(u8::is_ascii_alphanumeric).count();
    if name_len == 0 || !rest.as_bytes()[name_start].is_ascii_alphabetic() {
        return None;
    }
    let name = &rest[name_start..name_start + name_len];
    // A tag ends at the first `>` outside quotes.
    let bytes = rest.as_bytes();
    let mut values = Vec::new();
    let mut i = name_start + name_len;
    let end = loop {
        match bytes.get(i)? {
            b'>' => break i,
            b'=' => {
                i += 1;
                while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                    i += 1;
                }
                match bytes.get(i)? {
                    &quote @ (b'"' | b'\'') => {
                        let close = i + 1 + rest[i + 1..].find(char::from(quote))?;
                        values.push((start + 1 + i + 1, start + 1 + close));
                        i = close + 1;
                    }
                    _ => {
                        let len = rest[i..].bytes().take_while(|b| !b.is_ascii_whitespace() && *b != b'>').count();
                        values.push((start + 1 + i, start + 1 + i + len));
                        i += len;
                    }
                }
            }
            _ => i += 1,
        }
    };
    // No tag runs over a blank line: in Markdown, `<A` in one paragraph and
    // `>` in a later one are text, which the page shows.
    if memchr::memchr(b'\n', &bytes[..end]).is_some() && rest[..end].split('\n').skip(1).any(|l| l.trim().is_empty()) {
        return None;
    }
    // Every tag of every page comes here: names are compared without a lowercased copy.
    let is = |tag: &str| name.eq_ignore_ascii_case(tag);
    let kind = if is("br") {
        TagKind::LineBreak
    } else if is("sup") && rest[..end].contains("footnote-ref") {
        TagKind::NoteMark
    } else if INLINE_TAGS.iter().any(|tag| is(tag)) {
        TagKind::Inline
    } else {
        TagKind::Block
    };
    Some(Tag { kind, end: start + 1 + end + 1, values })
}

/// The character reference starting at byte `start` (a `&`) and its length.
fn entity(raw: &str, start: usize) -> Option<(String, usize)> {
    let len = raw[start..].bytes().take(40).position(|b| b == b';')? + 1;
    let reference = &raw[start..start + len];
    let decoded = htmlize::unescape(reference);
    (decoded != reference).then(|| (decoded.into_owned(), len))
}

/// Characters that show nothing: soft hyphens, zero-width and
/// direction marks, invisible operators, byte-order marks.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{ad}' | '\u{61c}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}')
}

/// The text of the `%XX` escapes `raw` starts with, and their length, when
/// they spell UTF-8.
fn percent_decoded(raw: &str) -> Option<(String, usize)> {
    let mut bytes = Vec::new();
    let mut len = 0;
    while let Some(hex) = raw[len..].strip_prefix('%').and_then(|rest| rest.get(..2)) {
        let Ok(byte) = u8::from_str_radix(hex, 16) else { break };
        bytes.push(byte);
        len += 3;
    }
    String::from_utf8(bytes).ok().filter(|text| !text.is_empty()).map(|text| (text, len))
}

/// Whether a letter stands just before byte `start` or at byte `end` of
/// `text`: then a match there is inside a longer word.
/// A name's edge ending in a digit joins a digit (`1234` in `41234`); one
/// ending in a letter, a letter (a note number after a name is no part of it).
fn joined(text: &str, start: usize, end: usize) -> bool {
    let name = &text[start..end];
    let joins = |edge: Option<char>, next: Option<char>| match (edge, next) {
        (Some(edge), Some(next)) if edge.is_numeric() => next.is_numeric(),
        (_, next) => next.is_some_and(char::is_alphabetic),
    };
    joins(name.chars().next(), text[..start].chars().next_back())
        || joins(name.chars().next_back(), text[end..].chars().next())
}

/// Each name (as read, see [`read_names`]) as text also writes it: as
/// it is, and surname first, as registers and reference lists do
/// (`Smith, Ida`, `O'Brien, Sean`), with a surname of any number of words
/// (`Smith Jones, Ida`, as `Smith-Jones` reads; `van der Berg, Anna`).
fn text_forms(read: &[String]) -> Vec<String> {
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
fn address_forms(read: &[String]) -> Vec<String> {
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
struct Matcher {
    names: Vec<String>,
    any: AhoCorasick,
}

impl Matcher {
    /// A matcher of `read`, names as read in the forms to look for.
    fn of_forms(mut read: Vec<String>) -> Result<Option<Matcher>, aho_corasick::BuildError> {
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
    fn find<'m>(&'m self, text: &str) -> impl Iterator<Item = &'m str> {
        self.any
            .find_overlapping_iter(text)
            .filter(|m| !joined(text, m.start(), m.end()))
            .map(|m| self.names[m.pattern().as_usize()].as_str())
    }

    /// The names, as read, that `text` holds as whole words just before an
    /// `@`: an address's local part.
    fn find_before_at<'m>(&'m self, text: &str) -> impl Iterator<Item = &'m str> {
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
fn camel_case_words(name: &str) -> Option<String> {
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
fn linked_file_names(page: &str) -> impl Iterator<Item = &str> {
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
fn read_names(names: &[String]) -> Vec<String> {
    names
        .iter()
        .map(|name| Reading::of(name, false).text.trim_matches(' ').to_string())
        .filter(|name| !name.is_empty())
        .flat_map(|name| apostrophe_forms(&name))
        .collect()
}

/// Looks for the listed names file by file, as each is written, from any
/// thread; [`Scanner::finish`] explains what it found.
pub struct Scanner {
    /// `Err` when the list cannot be checked at all, which fails the run.
    matcher: Result<Option<Matcher>, String>,
    /// The forms only addresses and file names are read for (see [`address_forms`]).
    addresses: Option<Matcher>,
    /// Each leaked name, as read, and where it was found.
    leaked: Mutex<BTreeMap<String, Leak>>,
}

/// Where a listed name was found in the output.
#[derive(Debug, Default)]
struct Leak {
    /// The first output path (in path order, so threads cannot change the
    /// report) that holds it.
    first: String,
    /// Each packed file, or part of one, that holds it (`static/a.zip ›
    /// interview-3.docx`): no source line wrote those, so each is reported.
    packed: BTreeSet<String>,
}

impl Scanner {
    pub fn new(names: &[String]) -> Self {
        let read = read_names(names);
        let matcher = Matcher::of_forms(text_forms(&read)).map_err(|e| e.to_string());
        let addresses = Matcher::of_forms(address_forms(&read)).ok().flatten();
        Scanner { matcher, addresses, leaked: Mutex::default() }
    }

    /// Reads the file's path, and its text unless it is a stylesheet or a
    /// script: their words (`mark`, `white-space`) are code, not prose, and
    /// the search files hold only the pages' own words, coded.
    pub fn scan(&self, path: &str, bytes: &[u8]) {
        let Ok(Some(matcher)) = &self.matcher else { return };
        let code = path.ends_with(".css") || path.ends_with(".js");
        // `from_utf8` checks ASCII a word at a time; `from_utf8_lossy` goes a
        // byte at a time, which was 3% of a build's instructions.
        let text = match std::str::from_utf8(if code { &[] } else { bytes }) {
            Ok(text) => std::borrow::Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(bytes),
        };
        // The names a text holds as a reader reads it, and before an address's `@`.
        let in_text = |text: &str| -> Vec<&str> {
            let reading = Reading::of(text, false);
            let before_at = self.addresses.iter().flat_map(|addresses| addresses.find_before_at(&reading.text));
            matcher.find(&reading.text).chain(before_at).collect()
        };
        let in_words = |words: &str| matcher.find(&Reading::of(words, false).text).collect::<Vec<_>>();
        let mut found = in_text(&text);
        found.extend(in_words(path));
        // Names inside a packed file, each with the part that holds it.
        let mut inside: Vec<(&str, String)> = Vec::new();
        for (part, text) in unpacked_text(path, bytes) {
            let place = if part.is_empty() { path.to_string() } else { format!("{path} \u{203a} {part}") };
            inside.extend(in_text(&text).into_iter().map(|name| (name, place.clone())));
        }
        // The file's own name, not its folders' (`sites/frankland/`), run
        // together; or else its words as capitals start them
        // (`IdaSmithInterview.pdf`), so that `IdaSmith.jpg` is one leak, not two.
        let own_name = path.rsplit('/').next().unwrap_or(path);
        let before = found.len();
        if let Some(addresses) = &self.addresses {
            found.extend(addresses.find(&Reading::of(own_name, false).text));
        }
        if found.len() == before
            && let Some(words) = camel_case_words(own_name)
        {
            found.extend(in_words(&words));
        }
        // Its folders with their camel-case words apart
        // (`static/IdaSmith/photo.jpg`), not run together, for the same reason.
        for words in path.rsplit('/').skip(1).filter_map(camel_case_words) {
            found.extend(in_words(&words));
        }
        // A file a link points to, here or elsewhere, with its camel-case
        // words apart (`…/IdaSmithInterview.pdf`); not run together, as a
        // link to `…/frankland` is to a place.
        for words in linked_file_names(&text).filter_map(camel_case_words) {
            found.extend(in_words(&words));
        }
        if found.is_empty() && inside.is_empty() {
            return;
        }
        let mut found: Vec<(&str, String, bool)> = found
            .into_iter()
            .map(|name| (name, path.to_string(), false))
            .chain(inside.into_iter().map(|(name, place)| (name, place, true)))
            .collect();
        found.sort_unstable();
        found.dedup();
        let mut leaked = self.leaked.lock().unwrap_or_else(|e| e.into_inner());
        for (name, place, packed) in found {
            let leak =
                leaked.entry(name.to_string()).or_insert_with(|| Leak { first: place.clone(), ..Leak::default() });
            if place < leak.first {
                leak.first = place.clone();
            }
            if packed {
                leak.packed.insert(place);
            }
        }
    }

    /// The leaks found, each at the source lines that wrote the name.
    pub fn finish(self, root: &Path) -> Vec<Diagnostic> {
        if let Err(why) = &self.matcher {
            return vec![
                Diagnostic::whole_file("wingreport.toml", format!("the real-names list is too large to check: {why}"))
                    .with_hint("`[privacy] real_names` names the list; keep one name per line"),
            ];
        }
        let leaked = self.leaked.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut diags = Vec::new();
        for (name, leak) in leaked {
            let sources = source_lines(root, &name);
            let output_path = &leak.first;
            let message = |shown: &str| format!("{LEAK}`{shown}` would be published (in {output_path})");
            let hint = "replace it with the participant's pseudonym; the name is on the private real-names list";
            // Every packed file holding it, so that one run lists each
            // transcript of a zip to fix.
            for place in &leak.packed {
                diags.push(
                    Diagnostic::whole_file(place.clone(), format!("{LEAK}`{name}` would be published"))
                        .with_hint("replace it with the participant's pseudonym in that file, and pack it again"),
                );
            }
            if sources.is_empty() && !leak.packed.contains(output_path) {
                diags.push(Diagnostic::whole_file(output_path.clone(), message(&name)).with_hint(hint));
            }
            for (path, line, col, shown) in sources {
                // Line 0: the name is in the file's name, which is its page's
                // address, or, for any other file, its own.
                let hint = match line {
                    0 if path.ends_with(".md") => {
                        "rename the file: its name is the address of its page, which every page links to"
                    }
                    0 if root.join(&path).is_dir() => {
                        "rename the folder: its name is published in the address of every file in it"
                    }
                    0 => "rename the file: its name is published as its address",
                    _ => hint,
                };
                diags.push(Diagnostic::new(path, line, col, message(&shown)).with_hint(hint));
            }
        }
        diags
    }
}

/// Every place in `wingreport.toml` and under `content/` and `themes/`
/// where `name` (as read) is written, however it is spelt. Whole-word
/// places come first; only when there are none are the places inside a
/// longer word given, since a name can reach a page without being written
/// whole (a label cut short turns "Zebedee Quuxa" into "Zebedee Quux…").
/// A YAML escape just before the name (`\0Zebedee`) does not join it to a
/// word. Read with `<...>` as tags first, and, when that finds nothing, as
/// text: a YAML value `<Zebedee Quux` and a `>` lines later are no tag.
fn source_lines(root: &Path, name: &str) -> Vec<(String, usize, usize, String)> {
    let files = ["content", "themes"]
        .into_iter()
        .flat_map(|dir| walkdir::WalkDir::new(root.join(dir)).sort_by_file_name().into_iter().filter_map(Result::ok));
    let config = root.join("wingreport.toml");
    let paths: Vec<std::path::PathBuf> =
        std::iter::once(config).chain(files.filter(|e| e.file_type().is_file()).map(|e| e.into_path())).collect();
    let texts: Vec<(&std::path::PathBuf, String)> =
        paths.iter().filter_map(|path| std::fs::read_to_string(path).ok().map(|text| (path, text))).collect();
    let mut found = places(root, name, &texts, true);
    if found.is_empty() {
        found = places(root, name, &texts, false);
    }
    // A page's file or folder name is its address (`pages/<name>/`).
    found.extend(paths.iter().map(|path| rel_path(root, path)).filter_map(|rel| {
        let reading = Reading::of(&rel, false);
        let at = reading.text.match_indices(name).find(|&(at, _)| !joined(&reading.text, at, at + name.len()))?.0;
        let shown = reading.text[at..at + name.len()].to_string();
        Some((rel, 0, 0, shown))
    }));
    if found.is_empty() {
        found = camel_case_places(root, name, &paths, &texts);
    }
    found
}

/// Where a source writes `name` (as read) in camel case, its words run
/// together inside a longer one (`IdaSmithInterview.pdf`), which only a
/// file name is read for: in a line, or in the file's own name (line 0).
fn camel_case_places(
    root: &Path,
    name: &str,
    paths: &[std::path::PathBuf],
    texts: &[(&std::path::PathBuf, String)],
) -> Vec<(String, usize, usize, String)> {
    let squeezed = name.replace(' ', "");
    // ASCII lowercase keeps every byte where it was.
    let mut found: Vec<_> = paths
        .iter()
        .map(|path| rel_path(root, path))
        .filter_map(|rel| {
            // The file's own name first, then its folders (`static/IdaSmith/`),
            // which are then the place to rename.
            let lower = rel.to_ascii_lowercase();
            let own = lower.rfind('/').map_or(0, |slash| slash + 1);
            let at = lower[own..].find(&squeezed).map(|at| own + at).or_else(|| lower[..own].find(&squeezed))?;
            let end = at + squeezed.len();
            let shown = rel[at..end].to_string();
            let place = rel[..rel[end..].find('/').map_or(rel.len(), |slash| end + slash)].to_string();
            Some((place, 0, 0, shown))
        })
        .collect();
    found.sort_unstable();
    found.dedup();
    for (path, text) in texts {
        for (first, _) in text.to_ascii_lowercase().match_indices(&squeezed) {
            let line_start = text[..first].rfind('\n').map_or(0, |i| i + 1);
            let line = text[..first].matches('\n').count() + 1;
            let col = text[line_start..first].chars().count() + 1;
            found.push((rel_path(root, path), line, col, text[first..first + squeezed.len()].to_string()));
        }
    }
    found
}

/// [`source_lines`] read with `<...>` as tags (`markup`), or as text.
fn places(
    root: &Path,
    name: &str,
    texts: &[(&std::path::PathBuf, String)],
    markup: bool,
) -> Vec<(String, usize, usize, String)> {
    static ESCAPE_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[^xuU])$").expect("valid pattern")
    });
    let (mut whole, mut inside) = (Vec::new(), Vec::new());
    for (path, text) in texts {
        let (path, text) = (*path, text.as_str());
        // A comment of a YAML or TOML file is never published.
        let commented = path.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "toml");
        let reading = Reading::with_markup(text, true, markup);
        let from = reading.from.as_deref().unwrap_or_default();
        for (start, _) in reading.text.match_indices(name) {
            let end = start + name.len();
            let (first, last) = (from[start], from[end - 1]);
            let last_end = last + text[last..].chars().next().map_or(1, char::len_utf8);
            // The longest escape, `\U` and eight digits, is ten characters.
            let tail_start = text[..first].char_indices().rev().nth(9).map_or(0, |(i, _)| i);
            let escaped = ESCAPE_BEFORE.is_match(&text[tail_start..first]);
            let before = reading.text[..start].chars().next_back();
            let after = reading.text[end..].chars().next();
            let is_joined =
                (before.is_some_and(char::is_alphabetic) && !escaped) || after.is_some_and(char::is_alphabetic);
            let line_start = text[..first].rfind('\n').map_or(0, |i| i + 1);
            if commented && text[line_start..first].trim_start().starts_with('#') {
                continue;
            }
            let line = text[..first].matches('\n').count() + 1;
            let col = text[line_start..first].chars().count() + 1;
            let shown = as_written(&text[first..last_end]);
            let place = (rel_path(root, path), line, col, shown);
            if is_joined { inside.push(place) } else { whole.push(place) }
        }
    }
    if whole.is_empty() { inside } else { whole }
}

/// A name as its source spells it, without the tags and emphasis marks
/// around or inside its words, on one line.
fn as_written(spelled: &str) -> String {
    static MARKUP: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[^<>]*>|[*~]").expect("valid pattern"));
    MARKUP.replace_all(spelled, "").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Most that is read out of one packed file: a bound on the work for a
/// file that claims to unpack to far more than it holds.
const MAX_UNPACKED: u64 = 64 << 20;

/// The text packed inside a file a reader opens whole, which its bytes do
/// not show: a PDF's compressed pages and metadata, and the parts of a
/// Word, spreadsheet, OpenDocument, EPUB or zip file, a PNG's compressed
/// text, a gzip's content; and what these hold in turn. Files the theme's
/// `static/` folder publishes as they are, such as a questionnaire.
/// The text comes part by part, each with where it is in the file: empty
/// for the file's own text, or the path of a file packed in it
/// (`2024/interview.docx` in a zip of Word files).
fn unpacked_text(path: &str, bytes: &[u8]) -> Vec<(String, String)> {
    unpacked(path, bytes, 0).unwrap_or_default()
}

/// How deep packed files inside packed files are read: a zip of Word files,
/// a Word file's embedded spreadsheet, and what that embeds.
const MAX_NESTING: u32 = 3;

/// [`unpacked_text`] of a file packed `depth` files deep.
fn unpacked(path: &str, bytes: &[u8], depth: u32) -> Option<Vec<(String, String)>> {
    let inner = |name: &str, bytes: &[u8]| (depth < MAX_NESTING).then(|| unpacked(name, bytes, depth + 1)).flatten();
    let whole = |text: String| Some(vec![(String::new(), text)]);
    match Packed::of(path, bytes)? {
        Packed::Pdf => {
            let mut document = lopdf::Document::load_mem(bytes).ok()?;
            document.decompress();
            let pages: Vec<u32> = document.get_pages().keys().copied().collect();
            let mut text = document.extract_text_with_limit(&pages, MAX_UNPACKED as usize).unwrap_or_default();
            // The metadata (title, author) and any text the extraction missed,
            // as the decompressed file holds it.
            let mut raw = Vec::new();
            if document.save_to(&mut raw).is_ok() {
                text.push('\n');
                text.push_str(&String::from_utf8_lossy(&raw));
            }
            whole(text)
        }
        Packed::Zip => {
            use std::io::Read;
            let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
            let mut parts = Vec::new();
            for i in 0..archive.len() {
                let Ok(entry) = archive.by_index(i) else { continue };
                let name = entry.name().to_string();
                let mut part = Vec::new();
                let _ = entry.take(MAX_UNPACKED).read_to_end(&mut part);
                // A Word or OpenDocument file's own parts are that file to
                // its author, who never sees `word/document.xml`.
                let office = name.ends_with(".xml") || name.ends_with(".rels");
                let shown = if office { String::new() } else { name.clone() };
                for (inner_part, text) in inner(&name, &part).unwrap_or_default() {
                    parts.push((within(&shown, &inner_part), text));
                }
                let part = String::from_utf8_lossy(&part);
                let text = if office { office_text(&part) } else { part.into_owned() };
                parts.push((shown, format!("{name}\n{text}")));
            }
            Some(parts)
        }
        Packed::Png => whole(png_text(bytes)),
        Packed::Gzip => {
            use std::io::Read;
            let mut unpacked = Vec::new();
            flate2::read::MultiGzDecoder::new(bytes).take(MAX_UNPACKED).read_to_end(&mut unpacked).ok()?;
            // `notes.zip.gz` holds `notes.zip`, which is the gzip to its author.
            let name = path.strip_suffix(".gz").unwrap_or(path);
            let mut parts = inner(name, &unpacked).unwrap_or_default();
            parts.push((String::new(), String::from_utf8_lossy(&unpacked).into_owned()));
            Some(parts)
        }
    }
}

/// Where `inner` is, as a part of the packed file `outer` (empty: the
/// file whose part this is).
fn within(outer: &str, inner: &str) -> String {
    match (outer.is_empty(), inner.is_empty()) {
        (true, _) => inner.to_string(),
        (false, true) => outer.to_string(),
        (false, false) => format!("{outer} \u{203a} {inner}"),
    }
}

/// The kinds of packed file whose text is read unpacked.
enum Packed {
    Pdf,
    /// Word, Excel, PowerPoint, OpenDocument, EPUB and zip files.
    Zip,
    Png,
    /// `.gz`, `.svgz`.
    Gzip,
}

impl Packed {
    /// What `bytes` are by their first bytes, whatever the file's name says
    /// (a Word file saved as `consent.dat`), or else by its extension.
    fn of(path: &str, bytes: &[u8]) -> Option<Packed> {
        let starts = |magic: &[u8]| bytes.starts_with(magic);
        if starts(b"%PDF-") {
            Some(Packed::Pdf)
        } else if starts(b"PK\x03\x04") {
            Some(Packed::Zip)
        } else if starts(b"\x89PNG\r\n\x1a\n") {
            Some(Packed::Png)
        } else if starts(&[0x1f, 0x8b]) {
            Some(Packed::Gzip)
        } else {
            // Every output file comes here: its extension is compared, not copied.
            let extension = path.rsplit_once('.')?.1;
            let is = |names: &[&str]| names.iter().any(|name| extension.eq_ignore_ascii_case(name));
            // A PDF may have bytes before its `%PDF-`, which readers allow.
            is(&["pdf"]).then_some(Packed::Pdf)
        }
    }
}

/// A PNG's compressed text chunks (`zTXt`, and `iTXt` when compressed),
/// unpacked: a photo's caption or author that its bytes do not show.
/// (`tEXt` is plain, and read with the file.)
fn png_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut text = String::new();
    let mut at = 8;
    while let Some(head) = bytes.get(at..at + 8) {
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let Some(data) = bytes.get(at + 8..at + 8 + len) else { break };
        let packed = match &head[4..8] {
            b"zTXt" => data.iter().position(|&b| b == 0).and_then(|nul| data.get(nul + 2..)),
            b"iTXt" => data.iter().position(|&b| b == 0).and_then(|nul| {
                // Compressed flag and method, then a language and a translated keyword, each NUL-ended.
                let rest = data.get(nul + 3..).filter(|_| data.get(nul + 1) == Some(&1))?;
                let lang = rest.iter().position(|&b| b == 0)?;
                let keyword = rest[lang + 1..].iter().position(|&b| b == 0)?;
                rest.get(lang + 1 + keyword + 1..)
            }),
            _ => None,
        };
        if let Some(packed) = packed {
            let mut unpacked = Vec::new();
            let _ = flate2::read::ZlibDecoder::new(packed).take(MAX_UNPACKED).read_to_end(&mut unpacked);
            text.push_str(" | ");
            text.push_str(&String::from_utf8_lossy(&unpacked));
        }
        at += 12 + len;
    }
    text
}

/// The text of an office document's XML part as its reader sees it: a
/// word processor splits a line into runs anywhere (`<w:t>Jo</w:t>` then
/// `<w:t> Brown</w:t>`), so tags are no boundary, but the end of a
/// paragraph or a table cell is.
fn office_text(xml: &str) -> String {
    const ENDS: &[&str] = &["/w:p", "/w:tc", "/a:p", "/a:tc", "/text:p", "/text:h", "/table:table-cell", "/si", "/c"];
    let mut text = String::with_capacity(xml.len() / 2);
    let mut attributes = String::new();
    let mut rest = xml;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else { break };
        let tag = &rest[open + 1..open + close];
        let name = tag.split([' ', '\t', '\r', '\n']).next().unwrap_or(tag).trim_end_matches('/');
        if ENDS.contains(&name) {
            text.push_str(" | ");
        } else if matches!(name, "w:tab" | "w:br" | "text:s" | "text:tab" | "text:line-break" | "a:br") {
            text.push(' ');
        }
        // Attribute values, each on its own after the text (a run's
        // `xml:space` must not split it): a comment's or a tracked change's
        // `w:author="…"` is a name the document carries.
        for value in tag.split('"').skip(1).step_by(2) {
            attributes.push_str(" | ");
            attributes.push_str(value);
        }
        rest = &rest[open + close + 1..];
    }
    text.push_str(rest);
    text.push_str(&attributes);
    text
}

/// How each problem of a real name found in the output begins.
const LEAK: &str = "real name ";

/// Whether a problem is a real name found in the output.
pub fn is_leak(problem: &Diagnostic) -> bool {
    problem.message.starts_with(LEAK)
}

/// `problems` as a page that other machines can reach shows them: each real
/// name found, and each other problem quoting a listed name (a picture's
/// path, a link, a record value: `names`), says where it is, but not the
/// name, the line quoting it or the hint naming it; other problems are as
/// they are. A place at line 0 is a file's or folder's name holding the
/// name (or an output file no source line wrote it into), so that path is
/// left out, as is any path that holds a name.
pub fn without_names(problems: &[Diagnostic], names: &[String]) -> Vec<Diagnostic> {
    // Any form, in any place: a page other machines read loses no more
    // than a problem's details to a word that only looks like a name.
    let read = read_names(names);
    let matcher = Matcher::of_forms(text_forms(&read).into_iter().chain(address_forms(&read)).collect()).ok().flatten();
    let names_in =
        |text: &str| matcher.as_ref().is_some_and(|m| m.find(&Reading::of(text, false).text).next().is_some());
    let quotes = |p: &Diagnostic| names_in(&p.message) || p.hint.as_deref().is_some_and(names_in);
    let named: HashSet<&str> =
        problems.iter().filter(|p| (is_leak(p) && p.line == 0) || names_in(&p.path)).map(|p| p.path.as_str()).collect();
    let mut shown: Vec<Diagnostic> = problems
        .iter()
        .map(|p| match (is_leak(p) || quotes(p), named.contains(p.path.as_str())) {
            (false, false) => p.clone(),
            (true, false) => Diagnostic::new(
                p.path.clone(),
                p.line,
                p.col,
                if is_leak(p) {
                    "a real name from the private list was found here: the terminal running serve shows it"
                } else {
                    "a problem here quotes a real name from the private list: the terminal running serve shows it"
                },
            ),
            (_, true) => Diagnostic::whole_file(
                "a path left out",
                "a real name from the private list was found where the path itself may hold it: \
                 the terminal running serve shows where",
            ),
        })
        .collect();
    // Problems that now read alike are shown once.
    crate::diagnostics::dedup(&mut shown);
    shown
}

/// One diagnostic per source line that put a listed name into the output;
/// a name found only in the output (from a template, say) points there.
pub fn find_leaks(root: &Path, names: &[String], files: &[OutputFile]) -> Vec<Diagnostic> {
    let scanner = Scanner::new(names);
    for file in files {
        scanner.scan(&file.path, &file.bytes);
    }
    scanner.finish(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Matcher {
        let list: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        text_matcher(&list)
    }

    /// What the scan looks for in text.
    fn text_matcher(list: &[String]) -> Matcher {
        Matcher::of_forms(text_forms(&read_names(list))).unwrap().unwrap()
    }

    fn found(matcher: &Matcher, text: &str) -> Vec<String> {
        matcher.find(&Reading::of(text, false).text).map(str::to_string).collect()
    }

    #[test]
    fn an_office_part_reads_runs_as_one_line_and_paragraphs_apart() {
        let m = names(&["Jo Brown"]);
        let xml = "<w:p><w:r><w:t>Jo</w:t></w:r><w:r><w:t xml:space=\"preserve\"> Brown</w:t></w:r></w:p>";
        assert_eq!(found(&m, &office_text(xml)), ["jo brown"]);
        for apart in [
            "<w:p><w:t>Jo</w:t></w:p><w:p><w:t>Brown</w:t></w:p>",
            "<w:tc><w:t>Jo</w:t></w:tc><w:tc><w:t>Brown</w:t></w:tc>",
        ] {
            assert!(found(&m, &office_text(apart)).is_empty(), "{apart}");
        }
        let comment =
            "<w:comment w:id=\"0\" w:author=\"Jo Brown\" w:initials=\"JB\"><w:p><w:t>Ok</w:t></w:p></w:comment>";
        assert_eq!(found(&m, &office_text(comment)), ["jo brown"], "a comment's author");
    }

    /// A PDF with its page compressed, as every PDF writer makes one.
    fn compressed_pdf(text: &str) -> Vec<u8> {
        use lopdf::content::{Content, Operation};
        use lopdf::{Document, Object, Stream, dictionary};
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let font = doc.add_object(dictionary! {"Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Courier"});
        let operations = vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 12.into()]),
            Operation::new("Td", vec![72.into(), 720.into()]),
            Operation::new("Tj", vec![Object::string_literal(text)]),
            Operation::new("ET", vec![]),
        ];
        let mut deflated = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut deflated, &Content { operations }.encode().unwrap()).unwrap();
        let stream = Stream::new(dictionary! {"Filter" => "FlateDecode"}, deflated.finish().unwrap());
        let contents = doc.add_object(stream);
        let page = doc.add_object(dictionary! {"Type" => "Page", "Parent" => pages_id, "Contents" => contents});
        let pages = dictionary! {
            "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
            "Resources" => dictionary! {"Font" => dictionary! {"F1" => font}},
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        };
        doc.objects.insert(pages_id, Object::Dictionary(pages));
        let catalog = doc.add_object(dictionary! {"Type" => "Catalog", "Pages" => pages_id});
        doc.trailer.set("Root", catalog);
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes).unwrap();
        bytes
    }

    /// Found by a privacy audit: a compressed PDF, Word file, zip or svgz
    /// in the theme's `static/` was published unread.
    #[test]
    fn packed_files_are_read_unpacked() {
        use std::io::Write;
        let names = ["Ida Smith", "Jo Brown", "Al Day", "Kim Lee", "Ann Orr", "Eve Ng", "Uma Roy", "Cal Poe"];
        let scanner = Scanner::new(&names.map(str::to_string));
        let pdf = compressed_pdf("Consent of Ida Smith");
        assert!(!String::from_utf8_lossy(&pdf).contains("Ida Smith"), "the page is compressed");
        scanner.scan("static/consent.pdf", &pdf);
        let mut docx = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        docx.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).unwrap();
        docx.write_all(b"<w:p><w:r><w:t>Jo</w:t></w:r><w:r><w:t xml:space=\"preserve\"> Brown</w:t></w:r></w:p>")
            .unwrap();
        scanner.scan("static/transcript.docx", &docx.finish().unwrap().into_inner());
        // Found by the re-check: a zip of Word files was read one level down only.
        let zip_of = |name: &str, bytes: &[u8]| {
            let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            zip.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            zip.write_all(bytes).unwrap();
            zip.finish().unwrap().into_inner()
        };
        let inner = zip_of("word/document.xml", b"<w:p><w:r><w:t>Eve Ng</w:t></w:r></w:p>");
        scanner.scan("static/interviews.zip", &zip_of("2024/interview.docx", &inner));
        // Found by the next re-check: a gzip of a zip, and a Word file by another name.
        let gzip = |bytes: &[u8]| {
            let mut packed = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            packed.write_all(bytes).unwrap();
            packed.finish().unwrap()
        };
        let inner = zip_of("word/document.xml", b"<w:p><w:r><w:t>Uma Roy</w:t></w:r></w:p>");
        scanner.scan("static/archive.zip.gz", &gzip(&zip_of("a.docx", &inner)));
        let renamed = zip_of("word/document.xml", b"<w:p><w:r><w:t>Cal Poe</w:t></w:r></w:p>");
        scanner.scan("static/consent.dat", &renamed);
        let zlib = |text: &[u8]| {
            let mut packed = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            packed.write_all(text).unwrap();
            packed.finish().unwrap()
        };
        let chunk = |kind: &[u8], data: &[u8]| [&(data.len() as u32).to_be_bytes()[..], kind, data, &[0; 4]].concat();
        let png = [
            &b"\x89PNG\r\n\x1a\n"[..],
            &chunk(b"zTXt", &[&b"Comment\0\0"[..], &zlib(b"Photo of Kim Lee")].concat()),
            &chunk(b"iTXt", &[&b"Author\0\x01\0en\0\0"[..], &zlib(b"Ann Orr")].concat()),
            &chunk(b"IEND", b""),
        ]
        .concat();
        scanner.scan("static/photo.png", &png);
        let mut svgz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        svgz.write_all(b"<svg><text>Al Day</text></svg>").unwrap();
        scanner.scan("static/photo.svgz", &svgz.finish().unwrap());
        let mut leaked: Vec<(String, String)> =
            scanner.leaked.into_inner().unwrap().into_iter().map(|(name, leak)| (name, leak.first)).collect();
        leaked.sort();
        assert_eq!(
            leaked,
            [
                ("al day".to_string(), "static/photo.svgz".to_string()),
                ("ann orr".to_string(), "static/photo.png".to_string()),
                ("cal poe".to_string(), "static/consent.dat".to_string()),
                ("eve ng".to_string(), "static/interviews.zip \u{203a} 2024/interview.docx".to_string()),
                ("ida smith".to_string(), "static/consent.pdf".to_string()),
                ("jo brown".to_string(), "static/transcript.docx".to_string()),
                ("kim lee".to_string(), "static/photo.png".to_string()),
                ("uma roy".to_string(), "static/archive.zip.gz \u{203a} a.docx".to_string()),
            ]
        );
    }

    /// Found by the re-check after: a name in three of forty transcripts
    /// of a zip was reported in one, and not at all when a section also
    /// wrote it, so finding them all took a run for each.
    #[test]
    fn each_packed_file_holding_a_name_is_reported() {
        use std::io::Write;
        let zip_of = |files: &[(String, Vec<u8>)]| {
            let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            for (name, bytes) in files {
                zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
                zip.write_all(bytes).unwrap();
            }
            zip.finish().unwrap().into_inner()
        };
        let docx = |text: &str| {
            let document = format!("<w:p><w:r><w:t>{text}</w:t></w:r></w:p>");
            zip_of(&[("word/document.xml".to_string(), document.into_bytes())])
        };
        let transcripts: Vec<(String, Vec<u8>)> = (1..=40)
            .map(|i| {
                let said = if [3, 17, 29].contains(&i) { "Ida Smith spoke." } else { "A mentor spoke." };
                (format!("2024/interview-{i}.docx"), docx(said))
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        std::fs::write(dir.path().join("content/a.md"), "Ida Smith spoke.\n").unwrap();
        let scanner = Scanner::new(&["Ida Smith".to_string()]);
        scanner.scan("sites/a/index.html", b"<p>Ida Smith spoke.</p>");
        scanner.scan("static/interviews.zip", &zip_of(&transcripts));
        let places: Vec<(String, usize)> =
            scanner.finish(dir.path()).into_iter().map(|problem| (problem.path, problem.line)).collect();
        assert_eq!(
            places,
            [
                ("static/interviews.zip \u{203a} 2024/interview-17.docx".to_string(), 0),
                ("static/interviews.zip \u{203a} 2024/interview-29.docx".to_string(), 0),
                ("static/interviews.zip \u{203a} 2024/interview-3.docx".to_string(), 0),
                ("content/a.md".to_string(), 1),
            ]
        );
    }

    #[test]
    fn names_are_found_however_the_output_wraps_or_marks_them_up() {
        let m = names(&["Ida Smith", "Siobhan O'Brien-Kaur"]);
        for text in [
            "with Ida\nSmith",
            "with Ida  Smith",
            "with Ida\u{a0}Smith",
            "with Ida&nbsp;Smith",
            "with Ida&#xA0;Smith",
            "with Ida <em>Smith</em>",
            "with <strong>Ida</strong>\n<a href=\"#q1\">Smith</a>",
            "with Ida<br>Smith",
            r#"{"text": "with Ida *Smith*"}"#,
            r#"{"text": "with Ida\nSmith"}"#,
            "with I<b>da</b> Smi<span class=\"x\">th</span>",
            "with Ida ~~Smith~~",
            "with Ida Smi\u{ad}th",
            "with Ida\u{200b} Smith",
            "with &#73;da Smith",
            "said Ida Smith's friend",
            "footnote Ida Smith<sup><a href=\"#fn-1\">1</a></sup>",
            "<img alt=\"Ida Smith at work\" src=\"a.png\">",
            "<a href=\"https://example.org/people/ida-smith\">profile</a>",
            "<a href=\"mailto:ida_smith@example.org\">mail</a>",
            "<img src=\"../static/Ida%20Smith.png\" alt=\"\">",
            "<h2 id=\"sec-ida-smith\">Interviews</h2>",
            "<!-- layout reviewed with Ida Smith -->\n<p>Text</p>",
            "<p>Text</p><!-- Ida Smith, unclosed",
        ] {
            assert_eq!(found(&m, text), ["ida smith"], "{text:?}");
        }
        for text in [
            "Siobhan O&#x27;Brien-Kaur",
            "Siobhan O\u{2019}Brien\u{2011}Kaur",
            "Siobhan O&#39;Brien&#8209;Kaur",
            "Siobhan O\u{2bc}Brien Kaur",
            "Siobhan O'Brien\u{2013}Kaur",
        ] {
            assert_eq!(found(&m, text), ["siobhan o'brien kaur"], "{text:?}");
        }
        for text in [
            "Ida</p>\n<p>Smith",
            "Ida</td><td>Smith",
            "Ida, Smith",
            "Idaho Smith",
            "Ida Smithers",
            "Ida. Smith",
            "Ida | Smith",
        ] {
            assert!(found(&m, text).is_empty(), "not a name to a reader: {text:?}");
        }
    }

    /// Found by a second privacy audit: each of these was published.
    #[test]
    fn letters_without_decomposition_compatibility_forms_and_addresses_are_read_plainly() {
        let m =
            names(&["Søren Lund", "Michal Nowak", "Isil Kaya", "Fiona Baker", "Ida Smith", "Lucy Gray", "José Núñez"]);
        for (text, name) in [
            ("Soren Lund", "soren lund"),
            ("Michał Nowak", "michal nowak"),
            ("Işıl Kaya", "isil kaya"),
            ("\u{fb01}ona Baker", "fiona baker"),
            ("\u{ff29}\u{ff44}\u{ff41} Smith", "ida smith"),
            ("Ida\u{ff0d}Smith", "ida smith"),
            ("Ida Smi\u{200e}th", "ida smith"),
            ("Ida Smi\u{2063}th", "ida smith"),
            ("mailto:lucy.gray@example.org", "lucy gray"),
            ("https://example.org/Jos%C3%A9_N%C3%BA%C3%B1ez", "jose nunez"),
            ("Account: Ida\\_Smith", "ida smith"),
            ("Thanks to Ida<sup class=\"footnote-ref\"><a href=\"#fn-1\">5</a></sup> Smith.", "ida smith"),
            ("Rita <acronym>Ida</acronym> Smith", "ida smith"),
            ("Smith, Ida (interviewee 4)", "smith, ida"),
        ] {
            assert_eq!(found(&m, text), [name], "{text:?}");
        }
        assert_eq!(Reading::of("Søren", false).text, "soren");
    }

    /// Also found by it: a number inside a longer number, and a name only
    /// in the coded words of a script or a stylesheet.
    #[test]
    fn numbers_stand_alone_and_code_is_not_prose() {
        let m = names(&["1234", "Lee", "Mark"]);
        assert!(found(&m, "Room 41234").is_empty());
        assert_eq!(found(&m, "Room 1234, floor 2"), ["1234"]);
        let dir = tempfile::tempdir().unwrap();
        let scanner = Scanner::new(&["Lee".to_string(), "Mark".to_string()]);
        scanner.scan("static/search/t/ev.js", b"w(\"84195lee9\")");
        scanner.scan("static/style.css", b"mark { white-space: nowrap }");
        assert!(scanner.finish(dir.path()).is_empty());
        let scanner = Scanner::new(&["Ida Smith".to_string()]);
        scanner.scan("static/Ida Smith.png", b"\x89PNG");
        assert_eq!(scanner.finish(dir.path()).len(), 1, "a file's name is read too");
    }

    #[test]
    fn accents_and_case_are_read_alike_written_either_way() {
        let m = names(&["Jos\u{e9} Nunez", "Zoe\u{308} List", "Strau\u{df}", "\u{130}lkay G\u{fc}ndo\u{11f}an"]);
        assert_eq!(found(&m, "told by Jose\u{301} Nu\u{f1}ez"), ["jose nunez"]);
        assert_eq!(found(&m, "told by Zo\u{eb} List"), ["zoe list"]);
        assert_eq!(found(&m, "told by STRAUSS"), ["strauss"]);
        assert_eq!(found(&m, "ILKAY G\u{dc}NDO\u{11e}AN"), ["ilkay gundogan"]);
    }

    #[test]
    fn names_match_whole_words_in_any_case() {
        let m = names(&["Ida Smith", "Jo", "Bob Smith Jr."]);
        assert_eq!(found(&m, "said ida smith, twice"), ["ida smith"]);
        assert_eq!(found(&m, "(JO)"), ["jo"]);
        assert!(found(&m, "Joanne and Idaho").is_empty());
        assert_eq!(found(&m, "Bob Smith Jr. spoke"), ["bob smith jr."]);
    }

    /// Found by a privacy re-check: an address or a file name that runs a
    /// name together, or drops its apostrophe, was published unread; and
    /// by the next, run-together names read in text failed builds that
    /// named HMP Frankland or Bradford.
    #[test]
    fn names_run_together_are_found_in_addresses_and_file_names_and_without_their_apostrophe_anywhere() {
        let list = ["Ida Smith", "Sean O'Brien", "Pat Tern", "Frank Land", "Brad Ford"].map(str::to_string);
        let leaks = |path: &str, text: &str| {
            let scanner = Scanner::new(&list);
            scanner.scan(path, text.as_bytes());
            scanner.leaked.into_inner().unwrap().into_keys().collect::<Vec<_>>()
        };
        assert_eq!(leaks("a.html", "write to idasmith@example.org"), ["idasmith"]);
        assert_eq!(leaks("a.html", "<a href=\"mailto:Smith.Ida@example.org\">us</a>"), ["smith ida"]);
        assert_eq!(
            leaks("a.html", "seano'brien@example.org and SeanOBrien@example.org"),
            ["seano'brien", "seanobrien"]
        );
        assert_eq!(leaks("static/IdaSmith.jpg", ""), ["idasmith"]);
        // Found by the second re-check: a name run into other words of a file name.
        assert_eq!(leaks("static/IdaSmithInterview.pdf", ""), ["ida smith"]);
        assert_eq!(leaks("static/notesIdaSmith.txt", ""), ["ida smith"]);
        assert!(leaks("static/HMPFrankland.jpg", "").is_empty());
        assert_eq!(leaks("static/IdaSmith/photo.jpg", ""), ["ida smith"]);
        assert!(leaks("static/frankland/HMPFrankland/photo.jpg", "").is_empty());
        // Found by a later re-check: the file a link points to, named in camel case.
        assert_eq!(
            leaks("a.html", "<a href=\"https://example.org/share/IdaSmithInterview.pdf?v=2#p3\">the interview</a>"),
            ["ida smith"]
        );
        assert_eq!(leaks("a.html", "<img src=\"../../static/notesIdaSmith.png\" alt=\"notes\">"), ["ida smith"]);
        // And a file named in the address's query.
        assert_eq!(
            leaks("a.html", "<a href=\"https://example.org/view?file=IdaSmith.pdf&amp;v=2\">it</a>"),
            ["ida smith"]
        );
        assert_eq!(leaks("a.html", "<a href=\"/get?doc=%2Fshare%2FIdaSmithNotes.docx\">it</a>"), ["ida smith"]);
        assert!(leaks("a.html", "<a href=\"https://example.org/map?q=HMPFrankland\">HMP Frankland</a>").is_empty());
        assert!(leaks("a.html", "<a href=\"https://www.gov.uk/guidance/frankland\">HMP Frankland</a>").is_empty());
        assert!(leaks("a.html", "<a href=\"https://example.org/HMPFrankland/\">HMP Frankland</a>").is_empty());
        assert_eq!(leaks("a.html", "told by Sean OBrien"), ["sean obrien"]);
        assert_eq!(leaks("a.html", "Sean O\u{2019}Brien"), ["sean o'brien"]);
        // Found by a later re-check: the apostrophe as a space or a hyphen,
        // and a name listed with a space found with its apostrophe.
        assert_eq!(leaks("a.html", "SEAN O BRIEN and Sean O-Brien"), ["sean o brien"]);
        assert_eq!(leaks("a.html", "O'Brien, Sean"), ["o'brien, sean"]);
        let spaced = ["Máire Ó Súilleabháin".to_string()];
        let scanner = Scanner::new(&spaced);
        scanner.scan("a.html", "Máire O'Súilleabháin and Maire OSuilleabhain".as_bytes());
        let found: Vec<String> = scanner.leaked.into_inner().unwrap().into_keys().collect();
        assert_eq!(found, ["maire o'suilleabhain", "maire osuilleabhain"]);
        let scanner = Scanner::new(&["Sean O Brien".to_string()]);
        scanner.scan("a.html", b"write to seanobrien@example.org");
        assert_eq!(scanner.leaked.into_inner().unwrap().into_keys().collect::<Vec<_>>(), ["seanobrien"]);
        // Found by the re-check after: a surname of more than one word
        // written first, and a middle initial joined into an ordinary word.
        let list = ["Ida Smith-Jones", "Anna van der Berg", "Sean O'Brien", "Kim A Long"].map(str::to_string);
        let scanner = Scanner::new(&list);
        scanner.scan("a.html", b"Smith-Jones, Ida; van der Berg, Anna; O Brien, Sean. Kim along with two mentors.");
        let found: Vec<String> = scanner.leaked.into_inner().unwrap().into_keys().collect();
        assert_eq!(found, ["o brien, sean", "smith jones, ida", "van der berg, anna"]);
        // Words and places in text, and folders named after them, are no names.
        for (path, text) in [
            ("sites/frankland/index.html", "At HMP Frankland, near Bradford, willpower and a pattern."),
            ("static/pattern.svg", "idasmiths@example.org, an address of someone else"),
        ] {
            assert!(leaks(path, text).is_empty(), "{path}: {text}");
        }
    }

    /// A regular expression of every name went over its size limit at 32
    /// two-word names and then checked nothing.
    #[test]
    fn a_long_list_is_checked_whole() {
        let list: Vec<String> = (0..5000).map(|i| format!("Given{i} Family{i}")).collect();
        let m = text_matcher(&list);
        assert_eq!(
            found(&m, "we met Given4999\nFamily4999 and Given0 <em>Family0</em>"),
            ["given4999 family4999", "given0 family0"]
        );
        // Both kinds of automaton are checked: this list is past the DFA's size.
        use aho_corasick::AhoCorasickKind::{ContiguousNFA, DFA};
        assert_eq!(m.any.kind(), ContiguousNFA);
        assert_eq!(names(&list[..1000].iter().map(String::as_str).collect::<Vec<_>>()).any.kind(), DFA);
    }

    #[test]
    fn each_name_is_reported_once_at_the_first_output_path_whatever_the_scan_order() {
        let dir = tempfile::tempdir().unwrap();
        let scanner = Scanner::new(&["Ida Smith".to_string()]);
        scanner.scan("sites/b/index.html", b"<p>IDA SMITH</p>");
        scanner.scan("sites/c/index.html", b"<p>nobody</p>");
        scanner.scan("sites/a/index.html", b"<p>Ida Smith and ida smith</p>");
        let diags = scanner.finish(dir.path());
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].message, "real name `ida smith` would be published (in sites/a/index.html)");
    }

    /// A page that other machines can reach says where a real name is, but
    /// neither the name nor a path holding it.
    #[test]
    fn a_real_name_problem_is_shown_without_the_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content/pages")).unwrap();
        std::fs::create_dir_all(dir.path().join("content/sites/a")).unwrap();
        std::fs::write(dir.path().join("content/pages/ida-smith.md"), "# About\nIda Smith spoke.\n").unwrap();
        std::fs::write(dir.path().join("content/sites/a/02.md"), "x\ny\nas IDA SMITH said\n").unwrap();
        let scanner = Scanner::new(&["Ida Smith".to_string(), "Zebedee Quux".to_string()]);
        scanner.scan("pages/ida-smith/index.html", b"<p>Ida Smith spoke.</p>");
        // A name no source line writes: only its output file is known.
        scanner.scan("sites/zebedee-quux/index.html", b"<p>Zebedee Quux</p>");
        let mut problems = scanner.finish(dir.path());
        assert_eq!(problems.len(), 4, "{problems:?}");
        problems.push(Diagnostic::new("content/x.yaml", 1, 2, "bad value").with_hint("fix it"));
        // Found by a re-check: other problems quoted names to every machine.
        let quoting = [
            Diagnostic::new("content/sites/a/site.yaml", 4, 9, "`estate: Ida Smith` is not an estate"),
            Diagnostic::new("content/sites/a/03.md", 2, 1, "no picture ../../static/ida-smith-bikes.jpg")
                .with_hint("put it in static/"),
            Diagnostic::new("content/sites/a/04.md", 5, 1, "broken link").with_hint("did you mean Zebedee Quux?"),
            Diagnostic::new("content/ida-smith/notes.md", 1, 1, "not in a site's folder"),
            Diagnostic::new("content/sites/a/05.md", 7, 3, "citation `@idasmith2024` is not in references.yaml"),
            Diagnostic::new("content/sites/a/06.md", 1, 1, "no page IdaSmith.html"),
        ];
        problems.extend(quoting);
        let list = ["Ida Smith".to_string(), "Zebedee Quux".to_string()];
        let shown = without_names(&problems, &list);
        for p in &shown {
            let words = format!("{} {} {:?}", p.location(), p.message, p.hint).to_lowercase();
            for name in ["ida", "smith", "zebedee", "quux"] {
                assert!(!words.contains(name), "{name} in {words}");
            }
        }
        let place = |p: &Diagnostic| (p.location(), p.hint.is_some());
        let places: Vec<_> = shown.iter().map(place).collect();
        assert_eq!(
            places,
            [
                ("a path left out".to_string(), false),
                ("content/sites/a/02.md:3:4".to_string(), false),
                ("content/x.yaml:1:2".to_string(), true),
                ("content/sites/a/site.yaml:4:9".to_string(), false),
                ("content/sites/a/03.md:2:1".to_string(), false),
                ("content/sites/a/04.md:5:1".to_string(), false),
                ("content/sites/a/05.md:7:3".to_string(), false),
                ("content/sites/a/06.md:1:1".to_string(), false),
            ]
        );
        assert_eq!(shown[2], problems[4], "other problems are as they are");
    }

    /// Found by the narrative property: a heading `<A` and a later
    /// paragraph `>` were read as one tag, hiding the name between them.
    #[test]
    fn a_tag_does_not_run_over_a_blank_line() {
        let m = names(&["Zebedee Quux"]);
        assert_eq!(found(&m, "## <A\n\nAs Zebedee Quux said.\n\n>\n"), ["zebedee quux"]);
        assert_eq!(
            found(&m, "Zebedee <span\nclass=\"x\">Quux</span>"),
            ["zebedee quux"],
            "a tag over two lines is one"
        );
    }

    #[test]
    fn the_source_is_found_however_it_spells_the_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        let text = "intro\nwith Jo**hn** Smith and\nJose\u{301} Nunez\n";
        std::fs::write(dir.path().join("content/a.md"), text).unwrap();
        let at = |name: &str| source_lines(dir.path(), name);
        assert_eq!(at("john smith"), [("content/a.md".to_string(), 2, 6, "John Smith".to_string())]);
        assert_eq!(at("jose nunez"), [("content/a.md".to_string(), 3, 1, "Jose\u{301} Nunez".to_string())]);
        // Camel case, which only file names are read for: a link's and a published file's.
        std::fs::write(dir.path().join("content/b.md"), "see [it](https://example.org/IdaSmithInterview.pdf)\n")
            .unwrap();
        std::fs::write(dir.path().join("content/notesIdaSmith.png"), b"\x89PNG\xff").unwrap();
        assert_eq!(
            at("ida smith"),
            [
                ("content/notesIdaSmith.png".to_string(), 0, 0, "IdaSmith".to_string()),
                ("content/b.md".to_string(), 1, 30, "IdaSmith".to_string()),
            ]
        ); // A folder so named, with two files in it, is one place to rename.
        std::fs::remove_file(dir.path().join("content/notesIdaSmith.png")).unwrap();
        std::fs::create_dir_all(dir.path().join("content/static/JoSmithPhotos")).unwrap();
        for photo in ["1.jpg", "2.jpg"] {
            std::fs::write(dir.path().join("content/static/JoSmithPhotos").join(photo), b"\xff\xd8").unwrap();
        }
        assert_eq!(at("jo smith"), [("content/static/JoSmithPhotos".to_string(), 0, 0, "JoSmith".to_string())]);
    }

    #[test]
    fn comments_blank_lines_and_a_byte_order_mark_are_not_names() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("names.txt"), "\u{feff}# staff\nIda Smith  # interviewee\n\n  Jo\n").unwrap();
        assert_eq!(read_deny_list(dir.path(), "names.txt").unwrap(), ["Ida Smith", "Jo"]);
        let empty = tempfile::tempdir().unwrap();
        assert!(read_deny_list(empty.path(), DEFAULT_REAL_NAMES).unwrap().is_empty(), "the default may be missing");
        let missing = read_deny_list(dir.path(), "private/real_names.txt").unwrap_err();
        assert_eq!(missing.message, "`[privacy] real_names` names `private/real_names.txt`, which does not exist");
    }

    #[test]
    fn a_list_from_a_spreadsheet_or_an_old_editor_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let read = |bytes: &[u8]| {
            std::fs::write(dir.path().join("names.txt"), bytes).unwrap();
            read_deny_list(dir.path(), "names.txt")
        };
        let both = ["Ida Smith", "Jo Brown"];
        assert_eq!(read(b"Ida Smith\rJo Brown\r").unwrap(), both, "CR line ends");
        let utf16 = |little: bool, bom: bool| -> Vec<u8> {
            let units = bom.then_some(0xFEFF).into_iter().chain("Ida Smith\r\nJo Brown\r\n".encode_utf16());
            units.flat_map(|u| if little { u.to_le_bytes() } else { u.to_be_bytes() }).collect()
        };
        for (little, bom) in [(true, true), (true, false), (false, true), (false, false)] {
            assert_eq!(read(&utf16(little, bom)).unwrap(), both, "UTF-16, little-endian {little}, mark {bom}");
        }
        assert_eq!(
            read(b"\"Smith, Ida\"\n\"Jo\",\"Brown\",\nAl Day,\n").unwrap(),
            ["Ida Smith", "Smith Ida", "Brown Jo", "Jo Brown", "Al Day"]
        );
        let row = read(b"# name, surname\nIda,Smith,HMP Risley\n").unwrap_err();
        assert_eq!((row.line, row.col), (2, 1));
        assert!(row.message.contains("3 values separated by commas"), "{}", row.message);
        // Found by a privacy audit: each of these matched no name, in silence.
        assert_eq!(read(b"Bob Day, Cy Ray\nDi;Lee\n").unwrap(), ["Bob Day", "Cy Ray", "Lee Di", "Di Lee"]);
        assert_eq!(
            read(b"1. Hal Hunt\n\xe2\x80\xa2 Gus Gray\n- Flo Fry\n").unwrap(),
            ["Hal Hunt", "Gus Gray", "Flo Fry"]
        );
        assert_eq!(read(b"Mr Ed Ash\nDr. Jo Oak\n").unwrap(), ["Mr Ed Ash", "Ed Ash", "Dr. Jo Oak", "Jo Oak"]);
        assert_eq!(read(b"Professor Al Bay\n").unwrap(), ["Professor Al Bay", "Al Bay"]);
        assert_eq!(read(b"Smith\tIda\n").unwrap(), ["Ida Smith", "Smith Ida"], "a spreadsheet's tab");
        for (line, col, says) in [
            ("Ed Ash (mentor)", 8, "`(` is no part of a name"),
            ("Fay Fox \u{2013} withdrew consent", 9, "`\u{2013}` is no part of a name"),
            ("Fay Fox - withdrew consent", 1, "this line holds more than a name"),
            ("Robert \"Bob\" Smith", 8, "`\"` is no part of a name"),
            ("Ida Smith 2", 11, "`2` is no part of a name"),
        ] {
            let err = read(format!("Al Day\n{line}\n").as_bytes()).unwrap_err();
            assert_eq!((err.line, err.col), (2, col), "{line}");
            assert!(err.message.starts_with(says), "{line}: {}", err.message);
        }
        assert_eq!(read("Siobhan O\u{2019}Brien-Kaur\nSt. John Ray\n".as_bytes()).unwrap().len(), 2);
        let latin1 = read(b"Ida Smith\nJos\xe9 Nu\xf1ez\n").unwrap_err();
        assert_eq!((latin1.line, latin1.col), (2, 4));
        assert!(latin1.hint.unwrap().contains("save it as UTF-8"));
    }

    #[test]
    fn a_list_saved_under_another_name_beside_the_default_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("private")).unwrap();
        std::fs::write(dir.path().join("private/notes.txt"), "not a list").unwrap();
        // Found by a re-check: a list of prisons is no list of people, nor a transcript.
        std::fs::write(dir.path().join("private/prisons.txt"), "HMP Risley\nHMP Drake Hall\n").unwrap();
        std::fs::write(dir.path().join("private/interviewee-3.docx"), "a transcript").unwrap();
        std::fs::write(dir.path().join("private/mentoring-notes.txt"), "notes").unwrap();
        assert!(read_deny_list(dir.path(), DEFAULT_REAL_NAMES).unwrap().is_empty());
        std::fs::write(dir.path().join("private/real-names.txt.txt"), "Ida Smith\n").unwrap();
        let err = read_deny_list(dir.path(), DEFAULT_REAL_NAMES).unwrap_err();
        assert_eq!(err.path, "private/real-names.txt.txt");
        assert!(err.hint.unwrap().contains("rename it to `private/real-names.txt`"));
        // Found by a privacy audit: each of these was not read, in silence.
        for (place, shown) in [
            ("private/lists/real-names.txt", "private/lists/real-names.txt"),
            ("Private/real-names.txt", "Private/real-names.txt"),
            ("real-names.txt", "real-names.txt"),
            ("private/participants.txt", "private/participants.txt"),
            ("lists/real-names.txt", "lists/real-names.txt"),
            ("privte/real_names.csv", "privte/real_names.csv"),
            ("private/interviewees.txt", "private/interviewees.txt"),
            ("private/mentors.txt", "private/mentors.txt"),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(place);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "Ida Smith\n").unwrap();
            let err = read_deny_list(dir.path(), DEFAULT_REAL_NAMES).unwrap_err();
            assert_eq!(err.path, shown, "{place}");
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("names-of-sites.md"), "not a list").unwrap();
        assert!(read_deny_list(dir.path(), DEFAULT_REAL_NAMES).unwrap().is_empty(), "only text lists at the top");
        // Found by a later re-check: a list kept as a spreadsheet or a Word
        // file was not read, in silence, and named in the config it read as UTF-16.
        for place in [
            "private/real-names.xlsx",
            "private/Participant names.xlsx",
            "private/real names.docx",
            "private/real-names.pdf",
        ] {
            let dir = tempfile::tempdir().unwrap();
            std::fs::create_dir_all(dir.path().join("private")).unwrap();
            std::fs::write(dir.path().join(place), b"PK\x03\x04\0\0\0").unwrap();
            let err = read_deny_list(dir.path(), DEFAULT_REAL_NAMES).unwrap_err();
            assert_eq!(err.path, place);
            assert!(err.hint.unwrap().contains("save it as text, one name a line"), "{place}");
            let err = read_deny_list(dir.path(), place).unwrap_err();
            assert_eq!(err.message, "the real-names list is a spreadsheet or word-processor file, not text");
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("names.rtf"), "{\\rtf1\\ansi Ida Smith}").unwrap();
        let err = read_deny_list(dir.path(), "names.rtf").unwrap_err();
        assert_eq!(err.message, "the real-names list is a word-processor file (RTF), not text");
    }
}
