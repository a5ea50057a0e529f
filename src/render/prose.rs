//! Markdown kept in YAML fields (list items, table cells, evidence, quotes,
//! acknowledgements...), rendered through the same pipeline as narrative,
//! with every mistake reported at its own line and column in its YAML file.

use rustc_hash::FxHashMap;
use std::sync::LazyLock;

use serde_json::{Value, json};

use super::{Bibliography, authored_link, resolve};
use crate::diagnostics::Diagnostic;
use crate::links::AuthoredLink;
use crate::markdown::citations::Reference;
use crate::markdown::{self, BodyContext, LinkUse, Resolved};
use crate::model::Prose;

/// How a citation in a field is written.
enum Citations<'r> {
    /// Linked to the page's reference list, which lists the work: the
    /// keys cited are added to `cited` in order.
    Linked(&'r mut Vec<String>),
    /// As text alone, on a page without a reference list.
    Text,
}

/// The cross-reference targets of a page that has none.
static NO_LABELS: LazyLock<FxHashMap<String, String>> = LazyLock::new(FxHashMap::default);

/// Renders the Markdown fields of one YAML file for one page.
pub struct ProseRenderer<'r> {
    path: &'r str,
    /// The file as written, where each field's mistakes are placed.
    source: &'r str,
    labels: &'r FxHashMap<String, String>,
    bibliography: &'r Bibliography<'r>,
    citations: Citations<'r>,
    pub diagnostics: Vec<Diagnostic>,
    pub links: Vec<LinkUse>,
}

impl<'r> ProseRenderer<'r> {
    /// For the fields of the YAML file at `path`, whose text is `source`,
    /// that a report shows among its sections: `labels` are the report's
    /// cross-reference targets by id, and each work cited is added to
    /// `cited`, the works of its reference list.
    pub fn in_report(
        (path, source): (&'r str, &'r str),
        labels: &'r FxHashMap<String, String>,
        bibliography: &'r Bibliography<'r>,
        cited: &'r mut Vec<String>,
    ) -> Self {
        Self::with((path, source), labels, bibliography, Citations::Linked(cited))
    }

    /// For fields on a page without a reference list (the index, a cover,
    /// the comparison): a citation is its text, and nothing is a target.
    pub fn outside_report((path, source): (&'r str, &'r str), bibliography: &'r Bibliography<'r>) -> Self {
        Self::with((path, source), &NO_LABELS, bibliography, Citations::Text)
    }

    fn with(
        (path, source): (&'r str, &'r str),
        labels: &'r FxHashMap<String, String>,
        bibliography: &'r Bibliography<'r>,
        citations: Citations<'r>,
    ) -> Self {
        let (diagnostics, links) = (Vec::new(), Vec::new());
        ProseRenderer { path, source, labels, bibliography, citations, diagnostics, links }
    }

    /// Hands over what the fields held: their problems, and the links
    /// written in them, for the link check of `page`.
    pub fn finish(self, page: &str, diags: &mut Vec<Diagnostic>, links: &mut Vec<AuthoredLink>) {
        diags.extend(self.diagnostics);
        links.extend(self.links.iter().map(|link| authored_link(page, self.path, link)));
    }

    /// The field as `{"html", "text", "block"}`: inline HTML when it is a
    /// single paragraph (so it sits in a cell or a list item as the text
    /// itself), block HTML otherwise, which `block` says; `text` is the
    /// words for search.
    pub fn render(&mut self, prose: &Prose) -> Value {
        self.render_as(prose, false)
    }

    /// [`ProseRenderer::render`] for a field that fills a table cell: its
    /// long words are marked, as a Markdown table's are (see
    /// [`markdown::long_words_marked`]).
    pub fn render_cell(&mut self, prose: &Prose) -> Value {
        self.render_as(prose, true)
    }

    fn render_as(&mut self, prose: &Prose, table_cell: bool) -> Value {
        let (html, text) = self.rendered(prose, table_cell);
        let (html, block) = match inline(&html) {
            Some(inner) => (inner.to_string(), false),
            None => (html, true),
        };
        json!({"html": html, "text": text, "block": block})
    }

    /// The field's HTML, inline when it is a single paragraph.
    pub fn render_inline(&mut self, prose: &Prose) -> String {
        self.render_inline_and_words(prose).0
    }

    /// [`ProseRenderer::render_inline`], and the field's words for search.
    pub fn render_inline_and_words(&mut self, prose: &Prose) -> (String, String) {
        let (html, text) = self.render_block(prose);
        (inline_or_blocks(html), text)
    }

    /// [`ProseRenderer::render_inline`] for a field that fills a table
    /// cell (see [`ProseRenderer::render_cell`]).
    pub fn render_inline_cell(&mut self, prose: &Prose) -> String {
        inline_or_blocks(self.rendered(prose, true).0)
    }

    /// The field's HTML as blocks (paragraphs kept) and its words.
    pub fn render_block(&mut self, prose: &Prose) -> (String, String) {
        self.rendered(prose, false)
    }

    /// [`ProseRenderer::render_block`], in a table cell or not.
    fn rendered(&mut self, prose: &Prose, table_cell: bool) -> (String, String) {
        // Most fields are a plain sentence: no need to run the parser.
        if is_plain(prose) {
            // `<`, `>` and `&` are not in it, so the text is its own HTML.
            let marked = table_cell.then(|| markdown::long_words_marked(prose)).flatten();
            let html = format!("<p>{}</p>\n", marked.as_deref().unwrap_or(prose.as_str()));
            return (html, markdown::collapse_whitespace(prose));
        }
        let place = Place::of(prose, self.source);
        let ctx = BodyContext { path: self.path, body_line: place.line, label: None, title_level: 2, table_cell };
        let (path, labels, bibliography) = (self.path, self.labels, self.bibliography);
        let citations = &mut self.citations;
        let mut unresolved = Vec::new();
        let rendered = markdown::render_text(prose.as_str(), &ctx, |used| {
            let outcome = match citations {
                Citations::Linked(cited) => resolve(used, path, (labels, &|_| None), bibliography, cited),
                Citations::Text => match &used.reference {
                    Reference::Xref { id } => Err(Diagnostic::new(
                        path,
                        used.line,
                        used.col,
                        format!("cross-reference `@{id}` in a field shown outside the report's sections"),
                    )
                    .with_hint(
                        "this field is shown on a cover, the series index or the comparison page, where no \
                         section, table or figure is a target: name it in words, or move the text into the narrative",
                    )),
                    Reference::Cite { .. } => resolve(used, path, (labels, &|_| None), bibliography, &mut Vec::new())
                        .map(|r| Resolved { html: markdown::escape_html(&r.text), text: r.text }),
                },
            };
            outcome.unwrap_or_else(|d| {
                unresolved.push(d);
                Resolved::default()
            })
        });
        // Placed in the file only when reported: most fields have no mistake.
        for mut diag in rendered.diagnostics.into_iter().chain(unresolved) {
            (diag.line, diag.col) = place.line_of(diag.line, diag.col);
            self.diagnostics.push(diag);
        }
        if !rendered.headings.is_empty() {
            let (line, col) = place.line_of(place.line, 1);
            self.diagnostics.push(
                Diagnostic::new(self.path, line, col, "a heading inside a YAML field")
                    .with_hint("headings belong in the narrative files; start the line without `#`, or write `\\#`"),
            );
        }
        self.links.extend(rendered.links.into_iter().map(|mut link| {
            (link.line, link.col) = place.line_of(link.line, link.col);
            link
        }));
        (rendered.html, rendered.text)
    }
}

/// A field's text and where it was written: `source` is its file, in
/// which the field starts at `line` and `col` (its quote or block
/// indicator, if any).
struct Place<'s> {
    text: &'s str,
    line: usize,
    col: usize,
    source: &'s str,
}

impl<'s> Place<'s> {
    fn of(prose: &'s Prose, source: &'s str) -> Place<'s> {
        let at = &prose.0.referenced;
        Place { text: prose.as_str(), line: at.line() as usize, col: at.column() as usize, source }
    }

    /// The file position of `(line, col)` as the Markdown parser counted it
    /// in the text, from line `self.line`, column 1. Only a mistake or a
    /// link is placed, so the file is searched only then.
    fn line_of(&self, line: usize, col: usize) -> (usize, usize) {
        let start = crate::diagnostics::offset_of(self.source, self.line, self.col).unwrap_or(self.source.len());
        let offset = crate::diagnostics::offset_of(self.text, line.saturating_sub(self.line) + 1, col);
        let written = written_at(self.text, offset.unwrap_or(0), self.source, start);
        crate::load::line_col(self.source, written)
    }
}

/// How many characters of quoting, escapes or a block indicator may stand
/// between two characters of a field's text in its file: `\U0001F600` is
/// the longest.
const WRITTEN_BETWEEN: usize = 10;

/// The byte of `source` where the character at byte `offset` of a field's
/// `text` was written, the field starting at byte `start`. The text is
/// followed through the file a character at a time, past the whitespace
/// that folding and indentation add or take away and past quotes and
/// escapes; a character written as an escape (`\u00e9`), found nowhere
/// near, is placed where the escape starts. Only ever moves forward, so a
/// place is always inside the field or just after it.
fn written_at(text: &str, offset: usize, source: &str, start: usize) -> usize {
    let mut at = start.min(source.len());
    for (i, c) in text.char_indices() {
        let rest = &source[at..];
        if c.is_whitespace() {
            // A space, a line break or indentation: one of the file's, if it has one here.
            if i == offset {
                return at;
            }
            at += rest.chars().next().filter(|w| w.is_whitespace()).map_or(0, char::len_utf8);
            continue;
        }
        let mut between = 0;
        let found = rest.char_indices().find(|&(_, w)| {
            between += usize::from(!w.is_whitespace() && w != c);
            w == c || between > WRITTEN_BETWEEN
        });
        let here = match found {
            Some((j, w)) if w == c => at + j,
            _ => at,
        };
        if i >= offset {
            return here;
        }
        if here > at || rest.starts_with(c) {
            at = here + c.len_utf8();
        }
    }
    at
}

/// Text in which Markdown can mean nothing, which renders as one paragraph
/// of itself: one line, none of the characters that open emphasis, code,
/// links, citations, cross-references, shortcodes, entities or raw HTML, and
/// no start that makes a list, a heading or a code block. Conservative: any
/// doubt goes to the parser, which gives the same result for these.
fn is_plain(text: &str) -> bool {
    const MARKUP: &[char] =
        &['*', '_', '`', '[', ']', '<', '>', '&', '\\', '@', '{', '}', '~', '|', '#', '\n', '\r', '\t'];
    let starts_like_block =
        |first: char| first.is_whitespace() || matches!(first, '-' | '+' | '=') || first.is_ascii_digit();
    match text.chars().next() {
        None => false,
        Some(first) => !starts_like_block(first) && text.trim_end() == text && !text.contains(MARKUP),
    }
}

/// `html` made inline when it is a single paragraph (see [`inline`]).
fn inline_or_blocks(html: String) -> String {
    inline(&html).map(str::to_string).unwrap_or(html)
}

/// The inside of HTML that is a single paragraph, so a short field reads
/// as text; `None` for blocks.
fn inline(html: &str) -> Option<&str> {
    let inner = html.strip_prefix("<p>")?.strip_suffix("</p>\n")?;
    (!inner.contains("<p>") && !inner.contains("</p>")).then_some(inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_renders_as_the_parser_would_render_it() {
        for text in [
            "A community wing environment",
            "He said \"no\"; they didn't (mostly).",
            "Café, naïve, 中文, – and —: 50% of them?",
            "Ends with punctuation!",
        ] {
            assert!(is_plain(text), "{text}");
            let ctx = BodyContext { path: "s.yaml", body_line: 1, label: None, title_level: 2, table_cell: false };
            let parsed = markdown::render_text(text, &ctx, |_| Resolved::default());
            let fast = format!("<p>{text}</p>\n");
            assert_eq!(parsed.html, fast, "{text}");
            assert_eq!(parsed.text, markdown::collapse_whitespace(text), "{text}");
        }
        for text in
            ["", "1. first", "- item", " indented", "*em*", "see [@a]", "a @sec-x", "x{{ y }}", "a\nb", "trail "]
        {
            assert!(!is_plain(text), "{text:?}");
        }
    }

    #[derive(serde::Deserialize)]
    struct Field {
        text: Prose,
    }

    /// A field that fills a table cell has its long words marked, whether
    /// it is plain text or parsed; the same field elsewhere has not.
    #[test]
    fn a_cells_long_words_are_marked_on_either_path_and_only_in_a_cell() {
        let hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b";
        let marked = format!("<span class=\"long-word\">{hash}</span>");
        let bibliography = Bibliography::new(&[]);
        for (yaml, cell) in [
            (format!("text: Shared at {hash}\n"), format!("Shared at {marked}")),
            (format!("text: Shared *at* {hash}\n"), format!("Shared <em>at</em> {marked}")),
        ] {
            let field: Field = serde_saphyr::from_str(&yaml).expect("yaml");
            let mut prose = ProseRenderer::outside_report(("s.yaml", &yaml), &bibliography);
            assert_eq!(prose.render_cell(&field.text)["html"], cell.as_str());
            assert_eq!(prose.render_inline_cell(&field.text), cell);
            let elsewhere = prose.render(&field.text);
            assert!(!elsewhere["html"].as_str().unwrap().contains("long-word"), "{elsewhere}");
        }
    }

    /// The file position of `needle` in the field `text:` of `yaml`, as a
    /// mistake there is reported.
    fn placed(yaml: &str, needle: &str) -> (usize, usize) {
        let field: Field = serde_saphyr::from_str(yaml).expect("yaml");
        let place = Place::of(&field.text, yaml);
        let offset = field.text.find(needle).expect("needle");
        let (line, col) = crate::load::line_col(&field.text, offset);
        place.line_of(place.line + line - 1, col)
    }

    #[test]
    fn a_place_in_a_field_is_where_it_was_written_in_every_style() {
        let at = |yaml: &str| placed(yaml, "[@k]");
        assert_eq!(at("text: see [@k] there\n"), (1, 11));
        assert_eq!(at("text: \"see [@k]\"\n"), (1, 12));
        assert_eq!(at("text: 'it''s [@k]'\n"), (1, 14));
        assert_eq!(at("text: \"caf\\u00e9 \\\"x\\\" [@k]\"\n"), (1, 24));
        assert_eq!(at("text: >\n  one\n  two [@k] three\n"), (3, 7));
        assert_eq!(at("text: >-\n    one\n\n    two\n    and [@k]\n"), (5, 9));
        assert_eq!(at("text: |\n  one\n    two [@k]\n"), (3, 9));
        assert_eq!(at("text: plain\n  runs on [@k]\n"), (2, 11));
        assert_eq!(at("text: \"quoted\n  runs on [@k]\"\n"), (2, 11));
        assert_eq!(at("# note\ntext: >\n  É, ü and ✓\n  [@k]\n"), (4, 3));
        // Where the text begins, for a mistake in the field as a whole.
        assert_eq!(placed("text: >\n  # heading\n", "#"), (2, 3));
    }

    #[test]
    fn one_paragraph_is_inline_and_more_stay_blocks() {
        assert_eq!(inline("<p>a <em>b</em></p>\n"), Some("a <em>b</em>"));
        assert_eq!(inline("<p>a</p>\n<p>b</p>\n"), None);
        assert_eq!(inline("<ul>\n<li>a</li>\n</ul>\n"), None);
    }
}
