//! Which template line wrote a tag of a generated page, so that a broken
//! link or an accessibility barrier no Markdown wrote is reported where
//! the author can fix it, once, rather than at each output page it is on.
//! Each tag of the templates is read as a pattern, its text as written and
//! any `{{ }}` or `{% %}` as a gap, and the page's tag (or link) is matched
//! against them: the pattern with the most text written out wins, and
//! names its place when it is in the project's own theme. A built-in
//! template's mistake is wingreport's, and stays reported at the page.

use std::sync::OnceLock;

use super::block_at;
use crate::diagnostics::Diagnostic;
use crate::load::line_col;

/// The tags of the theme's templates, as patterns, read from the templates
/// only once a page's problem asks which wrote it: a build without one
/// never reads them.
#[derive(Debug, Default)]
pub struct TemplateTags {
    /// Each template's file, text and whether the project's theme wrote it.
    templates: Vec<(String, String, bool)>,
    tags: OnceLock<Vec<TemplateTag>>,
}

/// Where a template wrote a tag: file (`themes/acme/templates/base.html`),
/// 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Place {
    pub file: String,
    pub line: usize,
    pub col: usize,
}

impl Place {
    /// A diagnostic at this place.
    pub fn diagnostic(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(&self.file, self.line, self.col, message)
    }
}

#[derive(Debug)]
struct TemplateTag {
    place: Place,
    /// Written by the project's theme, not the built-in one.
    own: bool,
    whole: Pattern,
    /// The values of the attributes a link check reads.
    urls: Vec<Pattern>,
}

/// Text with gaps where a template fills in a value.
#[derive(Debug, PartialEq)]
struct Pattern {
    /// Literal text between the gaps, whitespace runs as one space: the
    /// first piece is before any gap, the last after all of them.
    pieces: Vec<String>,
}

/// The attributes whose value a link check reads (see `links::scan`).
const URL_ATTRIBUTES: [&str; 5] = ["href", "src", "poster", "action", "data"];

impl TemplateTags {
    /// The tags of `templates`: each its file (`themes/acme/templates/
    /// base.html`), its text and whether the project's theme wrote it.
    pub fn new(templates: impl IntoIterator<Item = (String, String, bool)>) -> Self {
        TemplateTags { templates: templates.into_iter().collect(), tags: OnceLock::new() }
    }

    /// The project template's place that wrote `tag` (`<img src="…">`, as
    /// the page has it), if one did.
    pub fn writer_of_tag(&self, tag: &str) -> Option<&Place> {
        let tag = spaced(tag);
        self.best(|t| t.whole.matches(&tag).then(|| t.whole.written()))
    }

    /// The project template's place whose link attribute wrote `url`, if
    /// one did. A value written out entirely from variables
    /// (`{{ link.href }}`) could have written any: it names no place.
    pub fn writer_of_url(&self, url: &str) -> Option<&Place> {
        let url = spaced(url);
        self.best(|t| t.urls.iter().filter(|p| p.written() > 0 && p.matches(&url)).map(Pattern::written).max())
    }

    /// The place of the tag that matches with the most text written out,
    /// a project's tag before a built-in one; `None` when that is built-in.
    fn best(&self, written: impl Fn(&TemplateTag) -> Option<usize>) -> Option<&Place> {
        let tags = self.tags.get_or_init(|| self.read());
        let best = tags.iter().filter_map(|t| Some(((written(t)?, t.own), t))).max_by_key(|&(key, _)| key);
        best.filter(|(_, t)| t.own).map(|(_, t)| &t.place)
    }

    fn read(&self) -> Vec<TemplateTag> {
        let mut tags = Vec::new();
        for (file, text, own) in &self.templates {
            for (at, tag) in tags_of(text) {
                let (line, col) = line_col(text, at);
                let place = Place { file: file.clone(), line, col };
                let urls = URL_ATTRIBUTES.iter().filter_map(|name| attribute(tag, name)).map(Pattern::of).collect();
                tags.push(TemplateTag { place, own: *own, whole: Pattern::of(tag), urls });
            }
        }
        tags
    }
}

/// Each tag of a template's `text` (`<` and a letter, to its `>`), with
/// its byte offset; a `>` inside `{{ }}`, `{% %}` or `{# #}` is the
/// template's, not the tag's end, and a `<` there no tag.
fn tags_of(text: &str) -> Vec<(usize, &str)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(i) = memchr::memchr2(b'<', b'{', &bytes[at..]).map(|i| at + i) {
        at = i + 1;
        if let Some(block) = block_at(text, i) {
            at = block.end;
            continue;
        }
        if bytes[i] == b'{' || !bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let mut j = i + 1;
        while j < bytes.len() && bytes[j] != b'>' {
            j = block_at(text, j).map_or(j + 1, |block| block.end);
        }
        if j >= bytes.len() {
            break;
        }
        found.push((i, &text[i..=j]));
        at = j + 1;
    }
    found
}

/// The value of attribute `name` of a template's `tag`, as written
/// (quoted, or up to a space), if the tag has one outside any block.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let bytes = tag.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if let Some(block) = block_at(tag, at) {
            at = block.end;
            continue;
        }
        let starts_name = at > 0 && bytes[at - 1].is_ascii_whitespace();
        if starts_name && tag.get(at..at + name.len()).is_some_and(|n| n.eq_ignore_ascii_case(name)) {
            let rest = tag[at + name.len()..].trim_start();
            if let Some(value) = rest.strip_prefix('=') {
                let value = value.trim_start();
                return Some(match value.chars().next() {
                    Some(quote @ ('"' | '\'')) => value[1..].split(quote).next().unwrap_or(""),
                    _ => value.split(|c: char| c.is_ascii_whitespace() || c == '>').next().unwrap_or(""),
                });
            }
        }
        at += tag[at..].chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// `text` with each run of ASCII whitespace as one space: a page's lines
/// lose the indentation their templates gave them.
fn spaced(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c.is_ascii_whitespace() {
            true if out.ends_with(' ') => {}
            true => out.push(' '),
            false => out.push(c),
        }
    }
    out
}

impl Pattern {
    fn of(written: &str) -> Self {
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut at = 0;
        // Text inside `{% if %}` or `{% for %}` may be written or not: a gap.
        let mut depth = 0usize;
        while at < written.len() {
            match block_at(written, at) {
                Some(block) => {
                    if depth == 0 {
                        pieces.push(spaced(&std::mem::take(&mut text)));
                    }
                    match block.keyword() {
                        "if" | "for" => depth += 1,
                        "endif" | "endfor" => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                    at = block.end;
                }
                None if depth > 0 => at += written[at..].chars().next().map_or(1, char::len_utf8),
                None => {
                    let c = written[at..].chars().next().unwrap_or(' ');
                    text.push(c);
                    at += c.len_utf8();
                }
            }
        }
        pieces.push(spaced(&text));
        Pattern { pieces }
    }

    /// How much of it is text written out.
    fn written(&self) -> usize {
        self.pieces.iter().map(String::len).sum()
    }

    /// Whether a value filling each gap makes it `text`. A gap may take
    /// any text, or none, or spaces left by a block that wrote nothing.
    /// `text` is [`spaced`] already.
    fn matches(&self, text: &str) -> bool {
        let Some((first, rest)) = self.pieces.split_first() else { return text.is_empty() };
        let Some((last, middle)) = rest.split_last() else { return text == *first };
        let (first, last) = (first.trim_end(), last.trim_start());
        if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
            return false;
        }
        let mut inside = &text[first.len()..text.len() - last.len()];
        for piece in middle.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
            match inside.find(piece) {
                Some(i) => inside = &inside[i + piece.len()..],
                None => return false,
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Whatever a theme author saves is read without a panic, and each
        /// tag written out in full (no block in it) is found in the template.
        #[test]
        fn any_template_text_is_read_and_its_plain_tags_found(text in "[<>{}%#\"'= a-c/é字\n-]{0,60}") {
            let tags = TemplateTags::new([("t.html".to_string(), text.clone(), true)]);
            for (_, tag) in tags_of(&text) {
                let found = tags.writer_of_tag(tag);
                proptest::prop_assert!(found.is_some() || tag.contains('{'), "{tag:?}");
                tags.writer_of_url(tag);
            }
        }
    }

    fn tags(templates: &[(&str, &str, bool)]) -> TemplateTags {
        TemplateTags::new(templates.iter().map(|&(file, text, own)| (file.to_string(), text.to_string(), own)))
    }

    #[test]
    fn a_tag_is_found_at_the_template_line_that_wrote_it() {
        let base =
            "<html>\n<body>\n  <header>\n    <img src=\"{{ page.root }}static/logo.svg\"\n         class=\"logo\">\n";
        let t = tags(&[("themes/acme/templates/base.html", base, true)]);
        let place = t.writer_of_tag("<img src=\"../../static/logo.svg\"\nclass=\"logo\">").unwrap();
        assert_eq!((place.file.as_str(), place.line, place.col), ("themes/acme/templates/base.html", 4, 5));
        assert_eq!(t.writer_of_url("../../static/logo.svg").map(|p| p.line), Some(4));
        assert_eq!(t.writer_of_url("../static/other.svg"), None);
        assert_eq!(t.writer_of_tag("<img src=\"a.png\">"), None);
    }

    #[test]
    fn the_most_written_out_pattern_wins_and_a_built_in_one_names_no_place() {
        let own = "<a href=\"{{ link.href }}\">\n<a href=\"{{ page.root }}compare/\" class=\"cmp\">";
        let builtin = "<a href=\"{{ page.root }}compare/index.html\" class=\"cmp\">";
        let t = tags(&[
            ("themes/acme/templates/site.html", own, true),
            ("(built-in theme) templates/x.html", builtin, false),
        ]);
        assert_eq!(t.writer_of_tag("<a href=\"../compare/\" class=\"cmp\">").map(|p| p.line), Some(2));
        assert_eq!(t.writer_of_tag("<a href=\"../compare/index.html\" class=\"cmp\">"), None, "the built-in one's");
        assert_eq!(t.writer_of_url("anything.html"), None, "a value of variables alone names no place");
    }

    #[test]
    fn blocks_inside_a_tag_are_gaps_and_their_angle_brackets_not_its_end() {
        let text = "<td{% if n > 1 %} class=\"many\"{% endif %} data-n=\"{{ n }}\">{# <b> #}<b>";
        let found: Vec<&str> = tags_of(text).into_iter().map(|(_, tag)| tag).collect();
        assert_eq!(found, ["<td{% if n > 1 %} class=\"many\"{% endif %} data-n=\"{{ n }}\">", "<b>"]);
        let pattern = Pattern::of(found[0]);
        assert!(pattern.matches("<td class=\"many\" data-n=\"3\">"));
        assert!(pattern.matches("<td data-n=\"1\">"));
        assert!(!pattern.matches("<th data-n=\"1\">"));
    }

    #[test]
    fn attribute_values_are_read_quoted_or_bare_and_never_inside_a_block() {
        let tag = "<img alt=\"\" {% if x %}src=\"no\"{% endif %} SRC='{{ a }}b.png' data=c.svg>";
        assert_eq!(attribute(tag, "src"), Some("{{ a }}b.png"));
        assert_eq!(attribute(tag, "data"), Some("c.svg"));
        assert_eq!(attribute(tag, "href"), None);
        assert_eq!(attribute("<img alt=\"\" é字 src=\"x\">", "src"), Some("x"), "letters of any width before it");
    }
}
