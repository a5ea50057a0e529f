//! Text as a reader meets it, whatever markup, escapes or accents write it.

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

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
pub(super) struct Reading {
    pub(super) text: String,
    /// For each byte of `text`, the byte of the source it came from; kept
    /// only to point at a source line.
    pub(super) from: Option<Vec<usize>>,
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
pub(super) const BOUNDARY: char = '|';

impl Reading {
    pub(super) fn of(raw: &str, track: bool) -> Reading {
        Self::with_markup(raw, track, true)
    }

    pub(super) fn with_markup(raw: &str, track: bool, markup: bool) -> Reading {
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
pub(super) fn joined(text: &str, start: usize, end: usize) -> bool {
    let name = &text[start..end];
    let joins = |edge: Option<char>, next: Option<char>| match (edge, next) {
        (Some(edge), Some(next)) if edge.is_numeric() => next.is_numeric(),
        (_, next) => next.is_some_and(char::is_alphabetic),
    };
    joins(name.chars().next(), text[..start].chars().next_back())
        || joins(name.chars().next_back(), text[end..].chars().next())
}
