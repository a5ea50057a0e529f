//! The tags of a page and their attributes, read the way the HTML
//! standard's tokenizer reads them, but only as far as the checks after
//! render (links, accessibility), the Markdown's raw HTML and the font
//! check of `pdf` need: text is skipped with `memchr`, comments and
//! doctypes are passed over, and the contents of `<script>`, `<style>` and
//! the other raw-text elements are never read as markup. A general tokenizer lexes every character of every
//! page; this was a fifth of a build's instructions.

use memchr::{memchr, memmem};

/// One start or end tag: its name (as written) and, for a start tag, its
/// attributes, values raw.
pub struct Tag<'a> {
    /// Byte offset of its `<`.
    pub offset: usize,
    /// An end tag (`</p>`), whose attributes a browser ignores.
    pub end: bool,
    pub name: &'a [u8],
    /// Name and raw value (entities not yet decoded) of each attribute, the
    /// first of a repeated name only, as a browser keeps it.
    pub attributes: Vec<(&'a [u8], &'a [u8])>,
}

impl Tag<'_> {
    /// The raw value of attribute `name` (lowercase ASCII), if present.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.attributes.iter().find(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes())).map(|&(_, v)| v)
    }

    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name.as_bytes())
    }
}

/// Elements whose content is text up to their own end tag: raw text
/// (`script`, `style`...) and escapable raw text (`textarea`, `title`).
const TEXT_ONLY: [&str; 8] = ["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"];

/// Calls `each` with every start tag of `html`, in document order.
pub fn for_each_start_tag<'a>(html: &'a [u8], mut each: impl FnMut(&Tag<'a>)) {
    for_each_tag(html, |tag| {
        if !tag.end {
            each(tag);
        }
    });
}

/// Calls `each` with every start and end tag of `html`, in document order.
pub fn for_each_tag<'a>(html: &'a [u8], each: impl FnMut(&Tag<'a>)) {
    walk(html, each, |_| {});
}

/// Calls `each` with every run of text of `html` between its tags,
/// comments and doctypes, raw (entities not decoded). The content of
/// `<script>`, `<style>` and the other text-only elements is no text a
/// reader sees on the page, and is left out.
pub fn for_each_text<'a>(html: &'a [u8], each: impl FnMut(&'a [u8])) {
    walk(html, |_| {}, each);
}

/// Calls `tags` with every start and end tag and `text` with the text
/// between them, in document order.
fn walk<'a>(html: &'a [u8], mut tags: impl FnMut(&Tag<'a>), mut text: impl FnMut(&'a [u8])) {
    let (mut at, mut text_from) = (0, 0);
    while let Some(found) = memchr(b'<', &html[at..]) {
        let lt = at + found;
        let rest = &html[lt + 1..];
        let markup = match rest.first() {
            Some(b'!' | b'?') => true,
            Some(b'/') => rest.get(1).is_some_and(u8::is_ascii_alphabetic),
            Some(c) => c.is_ascii_alphabetic(),
            None => false,
        };
        if !markup {
            at = lt + 1;
            continue;
        }
        if lt > text_from {
            text(&html[text_from..lt]);
        }
        // A page that ends inside a tag ends there: a browser drops the tag.
        at = match rest.first() {
            Some(b'!') if rest.starts_with(b"!--") => after_comment(html, lt + 4),
            Some(b'!' | b'?') => after(html, lt + 1, b'>'),
            Some(b'/') => match read_tag(html, lt, lt + 2) {
                Some((mut tag, end)) => {
                    tag.end = true;
                    tags(&tag);
                    end
                }
                None => html.len(),
            },
            _ => match read_tag(html, lt, lt + 1) {
                Some((tag, end)) => {
                    tags(&tag);
                    match TEXT_ONLY.iter().find(|name| tag.is(name)) {
                        Some(name) => after_end_tag(html, end, name),
                        None => end,
                    }
                }
                None => html.len(),
            },
        };
        text_from = at;
    }
    if html.len() > text_from {
        text(&html[text_from..]);
    }
}

/// Just past the first `byte` at or after `from`, or the end of the page.
fn after(html: &[u8], from: usize, byte: u8) -> usize {
    memchr(byte, &html[from..]).map_or(html.len(), |i| from + i + 1)
}

/// Just past the comment whose text starts at `from` (after `<!--`); `<!-->`
/// and `<!--->` are empty comments.
fn after_comment(html: &[u8], from: usize) -> usize {
    let text = &html[from..];
    if text.starts_with(b">") {
        return from + 1;
    }
    if text.starts_with(b"->") {
        return from + 2;
    }
    memmem::find(text, b"-->").map_or(html.len(), |i| from + i + 3)
}

/// Just past the end tag `</name` (any case) that closes a text-only
/// element whose content starts at `from`, or the end of the page.
pub(crate) fn after_end_tag(html: &[u8], from: usize, name: &str) -> usize {
    let mut at = from;
    while let Some(i) = memmem::find(&html[at..], b"</") {
        let start = at + i + 2;
        let end = start + name.len();
        let named = html.get(start..end).is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()));
        if named && html.get(end).is_none_or(|&b| b == b'/' || b == b'>' || b.is_ascii_whitespace()) {
            return after(html, end, b'>');
        }
        at = start;
    }
    html.len()
}

/// Reads the tag whose `<` is at `lt` and whose name starts at `from`; the tag and the offset just past
/// its `>`, or `None` when the page ends inside it (a browser drops it).
fn read_tag(html: &[u8], lt: usize, from: usize) -> Option<(Tag<'_>, usize)> {
    let ends_name = |b: &u8| b.is_ascii_whitespace() || *b == b'/' || *b == b'>';
    let name_end = html[from..].iter().position(ends_name).map_or(html.len(), |i| from + i);
    let mut tag = Tag { offset: lt, end: false, name: &html[from..name_end], attributes: Vec::new() };
    let mut at = name_end;
    loop {
        while html.get(at).is_some_and(|&b| b.is_ascii_whitespace() || b == b'/') {
            at += 1;
        }
        match html.get(at)? {
            b'>' => return Some((tag, at + 1)),
            _ => {
                // An attribute name may start with `=`; it ends at space, `/`, `>` or `=`.
                let start = at;
                at += 1;
                while html.get(at).is_some_and(|&b| !ends_name(&b) && b != b'=') {
                    at += 1;
                }
                let name = &html[start..at];
                let mut value: &[u8] = b"";
                let mut look = at;
                while html.get(look).is_some_and(u8::is_ascii_whitespace) {
                    look += 1;
                }
                if html.get(look) == Some(&b'=') {
                    at = look + 1;
                    while html.get(at).is_some_and(u8::is_ascii_whitespace) {
                        at += 1;
                    }
                    match *html.get(at)? {
                        quote @ (b'"' | b'\'') => {
                            let close = memchr(quote, &html[at + 1..])?;
                            value = &html[at + 1..at + 1 + close];
                            at += close + 2;
                        }
                        b'>' => {}
                        _ => {
                            let start = at;
                            while html.get(at).is_some_and(|&b| !b.is_ascii_whitespace() && b != b'>') {
                                at += 1;
                            }
                            value = &html[start..at];
                        }
                    }
                }
                if !tag.attributes.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
                    tag.attributes.push((name, value));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `name attr=value ...` of every start tag.
    fn tags(html: &str) -> Vec<String> {
        let mut found = Vec::new();
        for_each_start_tag(html.as_bytes(), |tag| {
            let mut line = String::from_utf8_lossy(tag.name).into_owned();
            for (name, value) in &tag.attributes {
                line.push_str(&format!(" {}={}", String::from_utf8_lossy(name), String::from_utf8_lossy(value)));
            }
            found.push(line);
        });
        found
    }

    #[test]
    fn attributes_are_read_in_every_quoting_style() {
        assert_eq!(
            tags(r#"<p>x</p><a href="a b" id='c' data-x=plain hidden>y</a><IMG SRC = "z.png"/>"#),
            ["p", "a href=a b id=c data-x=plain hidden=", "IMG SRC=z.png"]
        );
    }

    #[test]
    fn a_greater_than_inside_quotes_does_not_end_the_tag() {
        assert_eq!(tags(r#"<a title="1 > 0" href="x.html">"#), ["a title=1 > 0 href=x.html"]);
    }

    #[test]
    fn the_first_of_a_repeated_attribute_wins() {
        assert_eq!(tags(r#"<a href="one" HREF="two">"#), ["a href=one"]);
    }

    #[test]
    fn comments_doctypes_and_end_tags_hold_no_start_tags() {
        let html = r#"<!DOCTYPE html><!-- <a href="x"> --><!--><b><!---><i></i></b><?php <u> ?><s></s a="<q>">"#;
        // A bogus comment (`<?`) ends at its first `>`, which takes `<u>` with it.
        assert_eq!(tags(html), ["b", "i", "s"]);
    }

    #[test]
    fn script_and_style_text_is_not_markup_until_their_own_end_tag() {
        let html = "<script>if (a<b) x = '<a href=\"no\">' + '</scriptx>';</SCRIPT ><style>p>a{}</style><title><i></title><em>";
        assert_eq!(tags(html), ["script", "style", "title", "em"]);
    }

    #[test]
    fn a_lone_less_than_is_text_and_a_page_ending_inside_a_tag_drops_it() {
        assert_eq!(tags("a < b <3 <p>ok</p><a href=\"unfinished"), ["p"]);
        assert_eq!(tags("<em"), Vec::<String>::new());
        assert_eq!(tags("<script>never closed <a href=x>"), ["script"]);
    }

    #[test]
    fn end_tags_are_given_in_order_with_their_names() {
        let mut found = Vec::new();
        for_each_tag(b"<figure><svg></svg ><Table x=1></TABLE></figure>", |tag| {
            found.push(format!("{}{}", if tag.end { "/" } else { "" }, String::from_utf8_lossy(tag.name)));
        });
        assert_eq!(found, ["figure", "svg", "/svg", "Table", "/TABLE", "/figure"]);
    }

    #[test]
    fn text_is_what_lies_between_the_markup_outside_scripts_and_styles() {
        let html = "<!DOCTYPE html><html><head><title>Tab</title><style>p::after { content: '\u{2192}' }</style>\
            <script>a<b</script></head><body><p>One &amp; <em>two</em></p><!-- not shown -->a < b<svg><text>3</text></svg>\
            <p>cut <em";
        let mut runs = Vec::new();
        for_each_text(html.as_bytes(), |text| runs.push(String::from_utf8_lossy(text).into_owned()));
        assert_eq!(runs, ["One &amp; ", "two", "a < b", "3", "cut "]);
    }

    #[test]
    fn offsets_point_at_the_tag() {
        let html = b"ab<p id=x>";
        let mut offsets = Vec::new();
        for_each_start_tag(html, |tag| offsets.push(tag.offset));
        assert_eq!(offsets, [2]);
    }
}
