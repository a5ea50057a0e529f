//! Part of stage 3, render: one narrative body from Markdown to HTML, as
//! transforms of the parser's events. Citations, cross-references and
//! shortcodes are found in text events outside code, links, images and raw
//! HTML (headings included), never in the raw source, so code and
//! autolinks stay exactly as written. Rendering is two steps, because a
//! reference may point forward to a figure of a later section: [`parse`]
//! finds headings, shortcode calls, references and links; once the caller
//! has resolved those, [`Content::into_html`] writes the HTML and the
//! body's search text in one pass. Knows nothing of sites or templates.

pub mod citations;
pub mod highlight;
pub mod shortcodes;

use rustc_hash::{FxHashMap, FxHashSet};
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::diagnostics::{Diagnostic, Written, control_hint, control_message, did_you_mean, is_forbidden_control};
use citations::Piece;
use indexmap::IndexMap;
use shortcodes::Call;

/// Where a body sits in its page and how it may be rendered.
pub struct BodyContext<'a> {
    /// Source path, for diagnostics.
    pub path: &'a str,
    /// 1-based line of the file on which the body starts.
    pub body_line: usize,
    /// Section label of the file ("1", "A"), or `None` when unnumbered.
    pub label: Option<&'a str>,
    /// HTML heading level of the body's enclosing title: `##` renders one below it.
    pub title_level: usize,
    /// The body fills a table cell (a record's field in a shortcode's
    /// table), so its long words are marked as a Markdown table's are.
    pub table_cell: bool,
}

/// `base`, or `base-2`, `base-3`... whichever `taken` does not hold yet,
/// added to it.
pub fn unique_name(base: &str, taken: &mut FxHashSet<String>) -> String {
    let mut name = base.to_string();
    let mut n = 1;
    while !taken.insert(name.clone()) {
        n += 1;
        name = format!("{base}-{n}");
    }
    name
}

/// State shared by all the bodies of one page, so ids and notes never clash.
#[derive(Default)]
pub struct PageState {
    ids: FxHashSet<String>,
    footnotes: FxHashMap<String, usize>,
    /// How many times each note number has been referred to so far.
    footnote_references: FxHashMap<usize, usize>,
}

impl PageState {
    /// Reserves `base` (or `base-2`, `base-3`...) as an element id on the page.
    pub fn unique_id(&mut self, base: &str) -> String {
        unique_name(if base.is_empty() { "section" } else { base }, &mut self.ids)
    }

    /// Reserves exactly `id`; false when the page already uses it.
    pub fn claim(&mut self, id: &str) -> bool {
        self.ids.insert(id.to_string())
    }

    fn footnote_number(&mut self, path: &str, label: &str) -> usize {
        let next = self.footnotes.len() + 1;
        *self.footnotes.entry(format!("{path}#{label}")).or_insert(next)
    }

    /// The id of the next reference to note `n`: `fnref-n` for the first;
    /// `fnref-n-2`, `fnref-n-3`... for the others, as an id may be used
    /// once on a page. The note links back to each.
    fn footnote_reference_id(&mut self, n: usize) -> String {
        let count = self.footnote_references.entry(n).or_default();
        *count += 1;
        match *count {
            1 => format!("fnref-{n}"),
            k => format!("fnref-{n}-{k}"),
        }
    }
}

/// A heading found in a body, numbered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// 1 for `##`, 2 for `###`...
    pub depth: usize,
    pub number: Option<String>,
    pub text: String,
    pub id: String,
}

/// A citation or cross-reference written in a body, for the render stage
/// to resolve once every label of the page is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUse {
    pub reference: citations::Reference,
    /// The reference as the author wrote it.
    pub written: String,
    /// Position in the file, for diagnostics.
    pub line: usize,
    pub col: usize,
    /// Where each cited key's `@` is in the file, in the items' order (none
    /// for a cross-reference): a mistake in `[see @a; @b]` points at its key.
    pub keys: Vec<(usize, usize)>,
}

/// A link or image target the author wrote, where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkUse {
    pub href: String,
    pub line: usize,
    pub col: usize,
    /// An image's source, not a link.
    pub image: bool,
}

/// The HTML a shortcode call or a reference resolved to, and its text for search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    pub html: String,
    pub text: String,
}

/// One event of a parsed body, or a slot the caller fills.
enum Item<'a> {
    Event(Event<'a>),
    Shortcode(usize),
    Ref(usize),
    HeadingOpen(usize),
    HeadingClose(usize),
}

/// A parsed body's events, waiting for its shortcodes and references.
pub struct Content<'a> {
    items: Vec<Item<'a>>,
    /// The author wrote raw HTML, so the output must be sanitised.
    raw_html: bool,
    /// A table column is aligned (see [`alignment_as_classes`]).
    aligned_columns: bool,
    title_level: usize,
    /// See [`BodyContext::table_cell`].
    table_cell: bool,
}

/// What [`parse`] found in a body.
pub struct Body<'a> {
    pub content: Content<'a>,
    pub calls: Vec<Call>,
    pub refs: Vec<RefUse>,
    pub headings: Vec<Heading>,
    pub links: Vec<LinkUse>,
    pub diagnostics: Vec<Diagnostic>,
    /// Whether it refers to or writes a footnote.
    pub footnotes: bool,
    /// The `id`s of shortcodes refused where they stand (inside a
    /// paragraph): a cross-reference to one is no mistake of its own.
    pub refused_ids: Vec<String>,
}

/// Search text of a body: what comes before its first `##` heading, then
/// one part per `##` heading (deeper headings stay in their part).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPart {
    /// Index into the body's headings; `None` for the text before the first.
    pub heading: Option<usize>,
    pub text: String,
}

/// A body rendered to HTML, with its search text.
pub struct BodyHtml {
    pub html: String,
    pub search: Vec<SearchPart>,
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A URL- and id-safe form of a heading: lower case, words joined by `-`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_string()
}

/// Whitespace runs (as `char::is_whitespace` defines it) as single spaces,
/// trimmed. Search text runs through this once per page, so words of
/// printable ASCII are skipped over in a tight loop and only other
/// characters are decoded.
pub fn collapse_whitespace(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let (space, len) = whitespace_at(text, i);
        if space {
            i += len;
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        // Copied a stretch at a time: words and the single spaces between
        // them, up to other whitespace. Every section's search text passes here.
        let start = i;
        while i < bytes.len() {
            let b = bytes[i];
            let next_is_word = || bytes.get(i + 1).is_some_and(|&n| n > b' ' && n < 0x80);
            if (b > b' ' && b < 0x80) || (b == b' ' && next_is_word()) {
                i += 1;
                continue;
            }
            let (space, len) = whitespace_at(text, i);
            if space {
                break;
            }
            i += len;
        }
        out.push_str(&text[start..i]);
    }
    out
}

/// Whether `text` has whitespace at byte `at` (a char boundary), and the
/// length of the char there.
fn whitespace_at(text: &str, at: usize) -> (bool, usize) {
    match text.as_bytes()[at] {
        // Control characters other than these are not whitespace.
        b @ 0..0x80 => (matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c'), 1),
        _ => text[at..].chars().next().map_or((false, 1), |c| (c.is_whitespace(), c.len_utf8())),
    }
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}
/// Byte offsets of line starts, to turn a position in a body into the
/// file's line and column.
struct Lines<'a> {
    body: &'a str,
    starts: Vec<usize>,
    body_line: usize,
}

impl<'a> Lines<'a> {
    fn new(body: &'a str, body_line: usize) -> Self {
        let starts = std::iter::once(0).chain(body.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Lines { body, starts, body_line }
    }

    /// 1-based file line and character column of byte `offset`.
    fn position(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.body.len());
        while !self.body.is_char_boundary(offset) {
            offset -= 1;
        }
        let index = self.starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let col = self.body[self.starts[index]..offset].chars().count() + 1;
        (self.body_line + index, col)
    }
}

/// A piece of a text run and where it came from: `literal` when the
/// author typed these characters as themselves (not an escape, an entity or
/// a line break).
struct Segment {
    at: usize,
    source: Range<usize>,
    literal: bool,
}

/// Consecutive text and soft line breaks, joined so that `[@a;⏎@b]`, which
/// the parser splits at brackets and line ends, reads as one citation.
#[derive(Default)]
struct Run<'a> {
    text: String,
    segments: Vec<Segment>,
    /// The events as parsed, kept for runs with nothing to transform.
    events: Vec<Event<'a>>,
}

impl<'a> Run<'a> {
    /// Adds a text event or a soft break. `escaped`: the parser dropped a
    /// backslash just before, so the first character is not syntax.
    fn push(&mut self, event: Event<'a>, source: Range<usize>, literal: bool, escaped: bool) {
        let text = match &event {
            Event::Text(text) => text.as_ref(),
            _ => "\n",
        };
        let first = if escaped { text.chars().next().map_or(0, char::len_utf8) } else { 0 };
        if first > 0 {
            self.segments.push(Segment { at: self.text.len(), source: source.clone(), literal: false });
        }
        let source = source.start + first..source.end;
        self.segments.push(Segment { at: self.text.len() + first, source, literal });
        self.text.push_str(text);
        self.events.push(event);
    }

    fn segment(&self, offset: usize) -> &Segment {
        let index = self.segments.partition_point(|s| s.at <= offset).saturating_sub(1);
        &self.segments[index]
    }

    fn literal(&self, offset: usize) -> bool {
        self.segment(offset).literal
    }

    /// Byte offset in the body of byte `offset` of the run.
    fn source(&self, offset: usize) -> usize {
        let segment = self.segment(offset);
        if segment.literal { segment.source.start + (offset - segment.at) } else { segment.source.start }
    }
}

/// The `{{ call() }}` a paragraph is made of, if it is one line of that.
fn call_source(paragraph: &str) -> Option<&str> {
    let source = paragraph.trim();
    (source.starts_with("{{") && source.ends_with("}}") && !source.contains('\n')).then_some(source)
}

/// The shortcode calls of a body that is not rendered (a draft section
/// left out of a build), by name and arguments: what it would show of the
/// record. Calls that could not run are among them, as their intent is.
pub fn shortcode_calls(body: &str) -> Vec<(String, IndexMap<String, shortcodes::ArgValue>)> {
    Parser::new_ext(body, options())
        .into_offset_iter()
        .filter(|(event, _)| matches!(event, Event::Start(Tag::Paragraph)))
        .filter_map(|(_, range)| shortcodes::parse_call(call_source(&body[range])?).ok())
        .collect()
}

/// Parses one Markdown body: numbers its headings and footnotes, finds its
/// shortcode calls, references and links, and checks what the author wrote.
pub fn parse<'a>(body: &'a str, ctx: &BodyContext, page: &mut PageState) -> Body<'a> {
    let events: Vec<(Event<'a>, Range<usize>)> = Parser::new_ext(body, options()).into_offset_iter().collect();
    let mut parsing = Parsing {
        body,
        ctx,
        lines: Lines::new(body, ctx.body_line),
        page,
        items: Vec::with_capacity(events.len()),
        calls: Vec::new(),
        refs: Vec::new(),
        headings: Vec::new(),
        links: Vec::new(),
        diagnostics: Vec::new(),
        footnotes_defined: FxHashSet::default(),
        footnotes_used: FxHashSet::default(),
        footnotes_written: FxHashSet::default(),
        footnote_references: FxHashMap::default(),
        back_links: Vec::new(),
        raw_html: false,
        counters: [0; 5],
        refused_ids: Vec::new(),
        run: None,
        open_footnote: None,
    };
    let mut aligned_columns = false;
    for (event, _) in &events {
        match event {
            Event::Start(Tag::FootnoteDefinition(label)) => {
                parsing.footnotes_defined.insert(label.to_string());
            }
            Event::Start(Tag::Table(alignments)) => {
                aligned_columns |= alignments.iter().any(|a| *a != pulldown_cmark::Alignment::None);
            }
            Event::FootnoteReference(label) => {
                parsing.footnotes_used.insert(label.to_string());
            }
            _ => {}
        }
    }
    parsing.walk(events);
    parsing.fill_back_links();
    let footnotes = !parsing.footnotes_defined.is_empty() || !parsing.footnotes_used.is_empty();
    let Parsing { items, calls, refs, headings, links, diagnostics, raw_html, refused_ids, .. } = parsing;
    Body {
        content: Content { items, raw_html, aligned_columns, title_level: ctx.title_level, table_cell: ctx.table_cell },
        calls,
        refs,
        headings,
        links,
        diagnostics,
        footnotes,
        refused_ids,
    }
}

struct Parsing<'a, 'c, 'p> {
    body: &'a str,
    ctx: &'c BodyContext<'c>,
    lines: Lines<'a>,
    page: &'p mut PageState,
    items: Vec<Item<'a>>,
    calls: Vec<Call>,
    refs: Vec<RefUse>,
    headings: Vec<Heading>,
    links: Vec<LinkUse>,
    diagnostics: Vec<Diagnostic>,
    footnotes_defined: FxHashSet<String>,
    footnotes_used: FxHashSet<String>,
    /// Labels whose note has been met, to tell a second note of one label.
    footnotes_written: FxHashSet<String>,
    /// The ids of the references to each note number, in the text's order.
    footnote_references: FxHashMap<usize, Vec<String>>,
    /// Where each note's back links go (an item to fill) and its number: a
    /// note may come before references to it, so they are filled at the end.
    back_links: Vec<(usize, usize)>,
    raw_html: bool,
    counters: [usize; 5],
    refused_ids: Vec<String>,
    run: Option<Run<'a>>,
    /// Number of the footnote being defined (definitions never nest).
    open_footnote: Option<usize>,
}

/// "second", "third"... "tenth", then "11th", "21st", "22nd".
fn ordinal(k: usize) -> String {
    const WORDS: [&str; 9] = ["second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"];
    match k {
        2..=10 => WORDS[k - 2].to_string(),
        _ => {
            let suffix = match (k % 10, k % 100) {
                (_, 11..=13) => "th",
                (1, _) => "st",
                (2, _) => "nd",
                (3, _) => "rd",
                _ => "th",
            };
            format!("{k}{suffix}")
        }
    }
}

/// Index of the event that ends the element started at `start`.
fn matching_end(events: &[(Event, Range<usize>)], start: usize) -> usize {
    let mut depth = 0usize;
    for (i, (event, _)) in events.iter().enumerate().skip(start) {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    events.len().saturating_sub(1)
}

/// The plain text of events, as a reader would read it aloud.
fn plain_text(events: &[(Event, Range<usize>)]) -> String {
    let mut text = String::new();
    for (event, _) in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::Start(Tag::List(_)) => break,
            _ => {}
        }
    }
    collapse_whitespace(&text)
}

impl<'a> Parsing<'a, '_, '_> {
    fn error(&mut self, offset: usize, message: impl Into<String>, hint: impl Into<String>) {
        let (line, col) = self.lines.position(offset);
        self.diagnostics.push(Diagnostic::new(self.ctx.path, line, col, message).with_hint(hint));
    }

    fn walk(&mut self, events: Vec<(Event<'a>, Range<usize>)>) {
        // Depths of the contexts that change how text is read.
        let (mut code, mut link, mut image, mut container) = (0usize, 0usize, 0usize, 0usize);
        let mut code_text: Option<(String, String)> = None;
        // Where an indented code block starts, to tell a shortcode indented by mistake.
        let mut indented_code: Option<usize> = None;
        let mut open_heading: Option<usize> = None;
        // The raw HTML block being read, and where it started.
        let mut html_block: Option<(String, usize)> = None;
        // Elements opened by inline raw HTML in the current paragraph or cell.
        let mut open_inline: Vec<(String, usize)> = Vec::new();
        let mut i = 0;
        while i < events.len() {
            let (event, range) = events[i].clone();
            let transformable = code == 0 && link == 0 && image == 0;
            match &event {
                // A raw `<script>` or `<style>` is an error of its own, and dropped.
                Event::InlineHtml(html) if raw_text_element(html).is_none() => {
                    track_inline_tags(html, range.start, &mut open_inline);
                }
                Event::Text(text) => self.check_control_reference(text, range.start),
                Event::End(TagEnd::Paragraph | TagEnd::TableCell | TagEnd::Item | TagEnd::Heading(_)) => {
                    if let Some((name, at)) = open_inline.first().cloned() {
                        self.error(
                            at,
                            format!("HTML tag `<{name}>` is not closed in its paragraph"),
                            format!("close it with `</{name}>` before the paragraph ends: left open, it runs on through the rest of the section"),
                        );
                    }
                    open_inline.clear();
                }
                _ => {}
            }
            match event {
                Event::Text(text) if code_text.is_some() => {
                    if let Some((_, buf)) = &mut code_text {
                        buf.push_str(&text);
                    }
                }
                Event::Text(ref text) if transformable => {
                    let literal = self.body.get(range.clone()) == Some(text.as_ref());
                    let escaped = self.body[..range.start].bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1;
                    self.run.get_or_insert_with(Run::default).push(event, range, literal, escaped);
                }
                Event::SoftBreak if transformable && self.run.is_some() => {
                    if let Some(run) = &mut self.run {
                        run.push(event, range, false, false);
                    }
                }
                other => {
                    self.flush();
                    if matches!(other, Event::Start(Tag::Paragraph)) {
                        self.check_heading_lookalikes(range.clone());
                    }
                    match other {
                        Event::Start(Tag::Paragraph) if container == 0 && self.shortcode(&events, i) => {
                            i = matching_end(&events, i);
                        }
                        Event::Start(Tag::Heading { level, id, .. }) => {
                            let end = matching_end(&events, i);
                            let h = self.heading(level, id.map(|id| id.to_string()), &events[i + 1..end], range.start);
                            open_heading = Some(h);
                            self.items.push(Item::HeadingOpen(h));
                        }
                        Event::End(TagEnd::Heading(_)) => {
                            if let Some(h) = open_heading.take() {
                                self.items.push(Item::HeadingClose(h));
                            }
                        }
                        Event::Start(Tag::CodeBlock(kind)) => {
                            code += 1;
                            let lang = match kind {
                                CodeBlockKind::Fenced(info) => info.to_string(),
                                CodeBlockKind::Indented => {
                                    indented_code = Some(range.start);
                                    String::new()
                                }
                            };
                            code_text = Some((lang, String::new()));
                        }
                        Event::End(TagEnd::CodeBlock) => {
                            code = code.saturating_sub(1);
                            if let (Some(start), Some((_, text))) = (indented_code.take(), &code_text)
                                && shortcodes::parse_call(text.trim()).is_ok()
                            {
                                let at = start + self.body[start..].find("{{").unwrap_or(0);
                                self.error(
                                    at,
                                    "this shortcode is indented four spaces or more, so Markdown prints it as code \
                                     and does not run it",
                                    "remove the spaces before `{{`; to show a shortcode as code, put it between ``` \
                                     lines",
                                );
                            }
                            if let Some((lang, text)) = code_text.take() {
                                self.items.push(Item::Event(Event::Html(highlight::highlight(&text, &lang).into())));
                            }
                        }
                        Event::Start(Tag::Link { ref dest_url, .. }) => {
                            link += 1;
                            self.link(dest_url, range.start, false);
                            self.items.push(Item::Event(other));
                        }
                        Event::End(TagEnd::Link) => {
                            link = link.saturating_sub(1);
                            self.items.push(Item::Event(other));
                        }
                        Event::Start(Tag::Image { ref dest_url, .. }) => {
                            image += 1;
                            self.link(dest_url, range.start, true);
                            self.image_source(dest_url, range.start);
                            let end = matching_end(&events, i);
                            if plain_text(&events[i + 1..end]).is_empty() {
                                self.error(
                                    range.start,
                                    format!("image `{dest_url}` has no alt text"),
                                    format!(
                                        "say what it shows between the brackets, as in `![Bar chart of attendance by month]({dest_url})`; screen readers read it aloud"
                                    ),
                                );
                            }
                            self.items.push(Item::Event(other));
                        }
                        Event::End(TagEnd::Image) => {
                            image = image.saturating_sub(1);
                            self.items.push(Item::Event(other));
                        }
                        Event::Start(Tag::FootnoteDefinition(label)) => {
                            container += 1;
                            self.footnote_start(&label, range.start);
                        }
                        Event::End(TagEnd::FootnoteDefinition) => {
                            container = container.saturating_sub(1);
                            self.footnote_end();
                        }
                        Event::Start(Tag::Item | Tag::BlockQuote(_)) => {
                            container += 1;
                            self.items.push(Item::Event(other));
                        }
                        Event::End(TagEnd::Item | TagEnd::BlockQuote(_)) => {
                            container = container.saturating_sub(1);
                            self.items.push(Item::Event(other));
                        }
                        // The box is drawn for the eye; a screen reader hears the
                        // item's words once, after "done" when it is ticked (a box
                        // labelled with them read them twice).
                        Event::TaskListMarker(checked) => {
                            let (checked, said) = if checked {
                                (" checked", "<span class=\"visually-hidden\">Done: </span>")
                            } else {
                                ("", "")
                            };
                            self.items.push(Item::Event(Event::InlineHtml(
                                format!("<input type=\"checkbox\" disabled{checked} aria-hidden=\"true\">{said} ")
                                    .into(),
                            )));
                        }
                        Event::FootnoteReference(label) => {
                            let n = self.page.footnote_number(self.ctx.path, &label);
                            if !self.footnotes_defined.contains(label.as_ref()) {
                                self.missing_footnote(&label, range.start);
                            }
                            let id = self.page.footnote_reference_id(n);
                            self.items.push(Item::Event(Event::InlineHtml(
                                format!(
                                    "<sup class=\"footnote-ref\"><a href=\"#fn-{n}\" id=\"{id}\" aria-label=\"Footnote {n}\">{n}</a></sup>"
                                )
                                .into(),
                            )));
                            self.footnote_references.entry(n).or_default().push(id);
                        }
                        Event::Start(Tag::Table(_)) => {
                            // A wide Markdown table scrolls in its own box, not the page; the
                            // box is named by the heading above it, so that a page's several
                            // tables are not each announced as "Table" alone.
                            let name = match self.headings.last() {
                                Some(heading) => format!("Table under \u{201c}{}\u{201d}", heading.text),
                                None => "Table".to_string(),
                            };
                            self.items.push(Item::Event(Event::Html(
                                format!(
                                    "<div class=\"table-wrap\" role=\"region\" aria-label=\"{}\" tabindex=\"0\">",
                                    escape_html(&name)
                                )
                                .into(),
                            )));
                            self.items.push(Item::Event(other));
                        }
                        Event::End(TagEnd::Table) => {
                            self.items.push(Item::Event(other));
                            self.items.push(Item::Event(Event::Html("</div>\n".into())));
                        }
                        Event::Start(Tag::HtmlBlock) => {
                            html_block = Some((String::new(), range.start));
                            self.items.push(Item::Event(other));
                        }
                        Event::End(TagEnd::HtmlBlock) => {
                            if let Some((html, at)) = html_block.take() {
                                match unfinished_tag(&html) {
                                    // Left open, the tag would take the markup after it as its attributes.
                                    Some(tag) => self.error(
                                        at,
                                        format!("HTML tag `{tag}` is not finished with `>`"),
                                        "finish the tag with `>`, or write `&lt;` for a `<` that is text",
                                    ),
                                    None => self.raw_barriers(&html, at),
                                }
                            }
                            self.items.push(Item::Event(other));
                        }
                        Event::Html(ref html) | Event::InlineHtml(ref html) => {
                            self.raw_html = true;
                            if let Some((block, _)) = &mut html_block {
                                block.push_str(html);
                            }
                            match raw_text_element(html) {
                                // Dropped, and the build fails: left in, an unclosed `<script>`
                                // would swallow the rest of the section when sanitised.
                                Some(tag) => self.error(
                                    range.start,
                                    format!("raw `<{tag}>` in narrative"),
                                    "scripts, styles, frames and form fields cannot be part of a report; to show the tag as text, put it in `code`",
                                ),
                                None => {
                                    self.raw_tags(html, range.start);
                                    self.items.push(Item::Event(other));
                                }
                            }
                        }
                        other => self.items.push(Item::Event(other)),
                    }
                }
            }
            i += 1;
        }
        self.flush();
    }

    /// A paragraph that is exactly one `{{ call() }}` line becomes a
    /// shortcode slot; true when it did (or was a malformed call).
    fn shortcode(&mut self, events: &[(Event, Range<usize>)], start: usize) -> bool {
        let range = events[start].1.clone();
        let slice = &self.body[range.clone()];
        let Some(source) = call_source(slice) else { return false };
        let at = range.start + (slice.len() - slice.trim_start().len());
        let (line, col) = self.lines.position(at);
        match shortcodes::parse_call(source) {
            Ok((name, args)) => {
                self.calls.push(Call { name, args, line, col, written: source.to_string() });
                self.items.push(Item::Shortcode(self.calls.len() - 1));
            }
            // Two calls on one line read as one with a stray `) }} {{` in its arguments.
            Err(_) if source.matches("}}").count() > 1 => self.error(
                at,
                "two shortcodes on one line",
                "put each on a line of its own, with a blank line between them",
            ),
            Err(message) => self.error(
                at,
                message,
                "a shortcode is written `{{ name(key=\"value\", n=3) }}`, alone on its line; README.md lists each with its arguments",
            ),
        }
        true
    }

    fn heading(
        &mut self,
        level: HeadingLevel,
        given_id: Option<String>,
        inner: &[(Event, Range<usize>)],
        at: usize,
    ) -> usize {
        if level == HeadingLevel::H1 {
            self.error(
                at,
                "`#` heading inside a section",
                "the front-matter `title` is this section's heading; use `##` for its subsections",
            );
        }
        let depth = (level as usize).saturating_sub(1).max(1);
        let above = self.headings.last().map_or(0, |h| h.depth);
        if depth > above + 1 {
            let hashes = |depth: usize| "#".repeat(depth + 1);
            let hint = match above {
                0 => "a section's first heading is `##`: its title is the level above".to_string(),
                _ => format!("under a `{}` heading, use `{}`", hashes(above), hashes(above + 1)),
            };
            self.error(
                at,
                format!("`{}` heading skips a level", hashes(depth)),
                format!(
                    "{hint}; screen-reader users move through a report by heading level, and its numbers count them"
                ),
            );
        }
        self.counters[depth - 1] += 1;
        self.counters[depth..].iter_mut().for_each(|c| *c = 0);
        let number = self.ctx.label.map(|label| {
            let parts: Vec<String> = self.counters[..depth].iter().map(usize::to_string).collect();
            format!("{label}.{}", parts.join("."))
        });
        let text = plain_text(inner);
        let id = match given_id {
            Some(id) => {
                if !self.page.claim(&id) {
                    self.error(
                        at,
                        format!("id `{id}` is used twice in this report"),
                        "give each heading its own `{#id}`",
                    );
                }
                id
            }
            None => self.page.unique_id(&slugify(&text)),
        };
        self.headings.push(Heading { depth, number, text, id });
        self.headings.len() - 1
    }

    fn link(&mut self, dest: &str, at: usize, image: bool) {
        if let Some(scheme) = scheme(dest.trim()).map(str::to_ascii_lowercase)
            && !SAFE_SCHEMES.contains(&scheme.as_str())
        {
            self.error(
                at,
                format!("link to a `{scheme}:` address"),
                "links may point to pages of this site or to http(s) and mailto addresses",
            );
        }
        let (line, col) = self.lines.position(at);
        self.links.push(LinkUse { href: dest.to_string(), line, col, image });
    }

    /// An image from another site is an error: every page's security
    /// policy loads images of the site itself only, so readers would see a
    /// broken image, and the request would leave the intranet. (Addresses
    /// of other schemes are already errors as links.)
    fn image_source(&mut self, dest: &str, at: usize) {
        let dest = dest.trim();
        let scheme = scheme(dest).map(str::to_ascii_lowercase);
        if dest.starts_with("//") || matches!(scheme.as_deref(), Some("http" | "https")) {
            self.error(
                at,
                format!("image `{dest}` is on another site"),
                "save the image into the theme's `static/` folder and link it by a relative path, as in `![...](../../static/chart.png)`: pages load images of this site only",
            );
        }
    }

    /// The tags of raw HTML at body offset `at` meet the rules of Markdown:
    /// an `id` is the report's only one; a heading is written in Markdown;
    /// links (`<a href>`, `<img src>`) are checked as Markdown links, so a
    /// broken one is reported at its line; an `<img>` is a file of this
    /// site, with an `alt` (which may be empty in HTML, marking a picture as
    /// decoration).
    fn raw_tags(&mut self, html: &str, at: usize) {
        crate::tags::for_each_start_tag(html.as_bytes(), |tag| {
            let place = at + tag.offset;
            if let Some(id) = tag.get("id").map(String::from_utf8_lossy)
                && !self.page.claim(&id)
            {
                self.error(place, format!("id `{id}` is used twice in this report"), "give each element its own `id`");
            }
            let attribute = |name: &str| {
                tag.get(name).map(|value| htmlize::unescape_attribute(String::from_utf8_lossy(value)).into_owned())
            };
            if let Some(level) = crate::accessibility::heading_level(tag.name) {
                let hashes = "#".repeat(usize::from(level.max(2)));
                self.error(
                    place,
                    format!("raw HTML heading `<h{level}>`"),
                    format!("write it as a Markdown heading (`{hashes} ...`), so it is numbered, listed in the contents and in heading order"),
                );
            }
            let url = if tag.is("a") {
                attribute("href")
            } else if tag.is("img") {
                attribute("src")
            } else {
                return;
            };
            if let Some(url) = &url {
                self.link(url, place, tag.is("img"));
            }
            if !tag.is("img") {
                return;
            }
            let src = url.unwrap_or_default();
            self.image_source(&src, place);
            if tag.get("alt").is_none() {
                self.error(
                    place,
                    format!("image `{src}` has no alt text"),
                    "say what it shows in `alt=\"...\"`, or write `alt=\"\"` for a picture that is only decoration; screen readers read it aloud",
                );
            }
        });
    }

    /// The accessibility barriers of an HTML block at body offset `at`
    /// (a table without header cells, say), at their line: the same rules
    /// the output's pages are checked by, so the author, not the theme, is
    /// told. Images are checked in [`Parsing::raw_tags`].
    fn raw_barriers(&mut self, html: &str, at: usize) {
        let mut audit = crate::accessibility::Audit::default();
        crate::tags::for_each_tag(html.as_bytes(), |tag| {
            if !tag.is("img") {
                audit.tag(tag);
            }
        });
        for found in audit.finish_fragment() {
            let place = (at + found.offset).min(self.body.len());
            self.error(place, format!("raw HTML: {}", found.message), found.hint);
        }
    }

    fn footnote_start(&mut self, label: &str, at: usize) {
        if !self.footnotes_written.insert(label.to_string()) {
            self.error(
                at,
                format!("footnote `[^{label}]` has a second note"),
                format!("keep one `[^{label}]:` note, or give the other a label of its own and refer to it"),
            );
        }
        if !self.footnotes_used.contains(label) {
            self.error(
                at,
                format!("footnote `[^{label}]` is never referred to"),
                format!("refer to it in the text with `[^{label}]`, or delete the note"),
            );
        }
        let n = self.page.footnote_number(self.ctx.path, label);
        self.open_footnote = Some(n);
        self.items.push(Item::Event(Event::Html(
            format!("<div class=\"footnote\" id=\"fn-{n}\"><span class=\"footnote-label\">{n}.</span>").into(),
        )));
    }

    fn footnote_end(&mut self) {
        let n = self.open_footnote.take().unwrap_or(0);
        self.back_links.push((self.items.len(), n));
        self.items.push(Item::Event(Event::Html("</div>\n".into())));
    }

    /// Ends each note with a link back to each reference to it, as GitHub
    /// and pandoc do (↩, ↩², ↩³...): with one, only the first reference of
    /// a note cited twice could be gone back to. Each is named for the
    /// reference it goes to: "Back to reference 2 (second)".
    fn fill_back_links(&mut self) {
        for (at, n) in std::mem::take(&mut self.back_links) {
            let ids = self.footnote_references.get(&n).map(Vec::as_slice).unwrap_or_default();
            let links: Vec<String> = ids
                .iter()
                .enumerate()
                .map(|(k, id)| {
                    let (mark, which) = match k + 1 {
                        1 => (String::new(), String::new()),
                        k => (format!("<sup>{k}</sup>"), format!(" ({})", ordinal(k))),
                    };
                    format!(
                        "<a class=\"footnote-back\" href=\"#{id}\" aria-label=\"Back to reference {n}{which}\">↩{mark}</a>"
                    )
                })
                .collect();
            self.items[at] = Item::Event(Event::Html(format!("{}</div>\n", links.join(" ")).into()));
        }
    }

    fn missing_footnote(&mut self, label: &str, at: usize) {
        let known: Vec<&str> = self.footnotes_defined.iter().map(String::as_str).collect();
        let hint = match did_you_mean(label, known.iter().copied()) {
            Some(near) => format!("did you mean `[^{near}]`?"),
            None => format!("add the note on a line of its own: `[^{label}]: The note's text.`"),
        };
        self.error(at, format!("footnote `[^{label}]` has no note"), hint);
    }

    /// Turns the pending text run into text events, references and
    /// diagnostics.
    fn flush(&mut self) {
        let Some(run) = self.run.take() else { return };
        let text = run.text.as_str();
        // Most runs have none of these ASCII bytes: searched for with memchr, not char by char.
        let bytes = text.as_bytes();
        if memchr::memchr3(b'@', b'[', b'{', bytes).is_none() && memchr::memchr2(b']', b'}', bytes).is_none() {
            self.items.extend(run.events.into_iter().map(Item::Event));
            return;
        }
        self.check_braces(&run);
        self.check_footnote_markers(&run);
        for piece in citations::parse(text, &|i| run.literal(i)) {
            match piece {
                Piece::Text(t) => self.push_text(&t),
                Piece::Ref { reference, offset, len } => {
                    let (line, col) = self.lines.position(run.source(offset));
                    let written = &text[offset..offset + len];
                    let keys = citations::key_offsets(&reference, written)
                        .into_iter()
                        .map(|at| self.lines.position(run.source(offset + at)))
                        .collect();
                    self.refs.push(RefUse { reference, written: written.to_string(), line, col, keys });
                    self.items.push(Item::Ref(self.refs.len() - 1));
                }
                Piece::Error { offset, message, hint } => self.error(run.source(offset), message, hint),
            }
        }
    }

    /// Text back as events, with its soft line breaks.
    fn push_text(&mut self, text: &str) {
        for (n, line) in text.split('\n').enumerate() {
            if n > 0 {
                self.items.push(Item::Event(Event::SoftBreak));
            }
            if !line.is_empty() {
                self.items.push(Item::Event(Event::Text(CowStr::from(line.to_string()))));
            }
        }
    }

    /// `{{ ... }}` in running text: a shortcode that is not a paragraph of
    /// its own, or one missing a brace, which would be printed as written.
    fn check_braces(&mut self, run: &Run<'a>) {
        const HOW: &str = "write a shortcode as `{{ name(...) }}`, alone on its line with a blank line before and after; to show braces as text, put them in `code`";
        let text = run.text.as_str();
        let find =
            |pattern: &[u8], from: usize| memchr::memmem::find(&text.as_bytes()[from..], pattern).map(|i| from + i);
        let mut from = 0;
        loop {
            let (open, close) = (find(b"{{", from), find(b"}}", from));
            match (open, close) {
                (Some(open), Some(close)) if open < close => {
                    if run.literal(open) {
                        let written = &text[open..close + 2];
                        if let Ok((_, args)) = shortcodes::parse_call(written)
                            && let Some(id) = args.get("id").and_then(shortcodes::ArgValue::as_str)
                        {
                            self.refused_ids.push(id.to_string());
                        }
                        self.error(
                            run.source(open),
                            format!("`{written}` is inside a paragraph, list, table or quote"),
                            "a shortcode must be a paragraph of its own: put it on its own line with a blank line before and after, outside lists and quotes; to show braces as text, put them in `code`",
                        );
                    }
                    from = close + 2;
                }
                (_, Some(close)) if open.is_none_or(|open| close < open) => {
                    if run.literal(close) {
                        self.error(run.source(close), "`}}` closes a shortcode that was never opened with `{{`", HOW);
                    }
                    from = close + 2;
                }
                (Some(open), _) => {
                    if run.literal(open) {
                        self.error(run.source(open), "`{{` opens a shortcode that is never closed with `}}`", HOW);
                    }
                    from = open + 2;
                }
                (None, _) => return,
            }
        }
    }

    /// A character reference (`&#11;`, `&#x0B;`) to a control character
    /// that a page or a Word document cannot hold, in text that starts at
    /// `at`: CommonMark reads it as the character. In code it is text as
    /// written, which holds no such character; one written as itself or
    /// as a YAML escape is reported where its file is read.
    fn check_control_reference(&mut self, text: &str, at: usize) {
        if !self.body[at..].starts_with("&#") {
            return;
        }
        let Some(c) = text.chars().find(|&c| is_forbidden_control(c)) else { return };
        let end = self.body[at..].find(';').map_or(self.body.len(), |i| at + i + 1);
        let written = Written::Reference(&self.body[at..end]);
        let (message, hint) = (control_message(c, written), control_hint(c, written));
        self.error(at, message, hint);
    }

    /// A line of a paragraph that starts `##` and then a space Markdown
    /// does not count (a no-break space, which some keyboards and word
    /// processors type): it would be published as text, and the section's
    /// numbering and contents would lose the heading.
    fn check_heading_lookalikes(&mut self, paragraph: Range<usize>) {
        let mut at = paragraph.start;
        for line in self.body[paragraph].split_inclusive('\n') {
            let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
            let hashes = line[indent..].bytes().take_while(|&b| b == b'#').count();
            let space = line[indent + hashes..].chars().next();
            if let Some(space) = space.filter(|&c| (1..=6).contains(&hashes) && c.is_whitespace() && !c.is_ascii()) {
                self.error(
                    at + indent + hashes,
                    format!(
                        "`{}` is followed by {}, which Markdown does not count as a space, so this line is text, not a heading",
                        "#".repeat(hashes),
                        crate::diagnostics::char_name(space)
                    ),
                    "delete the space after the `#` and type an ordinary one",
                );
            }
            at += line.len();
        }
    }

    /// `[^label]` left as text: a footnote reference without its note.
    fn check_footnote_markers(&mut self, run: &Run<'a>) {
        let text = run.text.as_str();
        let mut from = 0;
        while let Some(open) = memchr::memmem::find(&text.as_bytes()[from..], b"[^").map(|i| from + i) {
            let Some(close) = text[open..].find(']').map(|i| open + i) else { return };
            let label = &text[open + 2..close];
            if run.literal(open) && !label.is_empty() && !label.contains(char::is_whitespace) {
                let label = label.to_string();
                self.missing_footnote(&label, run.source(open));
            }
            from = close + 1;
        }
    }
}

impl Content<'_> {
    /// Writes the HTML with `calls[i]` and `refs[i]` in their slots, and the
    /// search text of each part, in one pass over the events.
    pub fn into_html(self, headings: &[Heading], calls: &[Resolved], refs: &[Resolved]) -> BodyHtml {
        let mut search = vec![SearchPart { heading: None, text: String::new() }];
        // Raw HTML is sanitised as a whole, which our own slots must not be:
        // they are written as markers no author can type (a random number
        // chosen per run), then put in after sanitising.
        let nonce = self.raw_html.then(random_marker);
        let marker = |kind: char, i: usize| format!("{}{kind}{i}z", nonce.as_deref().unwrap_or(""));
        let title_level = self.title_level;
        // A part's own heading labels it, so its words are not in its text.
        let mut in_part_heading = false;
        let add = |search: &mut Vec<SearchPart>, in_part_heading: bool, text: &str| {
            if let Some(part) = search.last_mut().filter(|_| !in_part_heading) {
                part.text.push_str(text);
            }
        };
        let end_block = |search: &mut Vec<SearchPart>, in_part_heading: bool| {
            if let Some(part) = search.last_mut().filter(|_| !in_part_heading) {
                crate::search::end_block(&mut part.text);
            }
        };
        let events = self.items.into_iter().map(|item| match item {
            // A link written as its address (`<https://...>`): marked, so
            // that print does not add the address after it a second time.
            Item::Event(Event::Start(Tag::Link {
                link_type: pulldown_cmark::LinkType::Autolink, dest_url, ..
            })) => {
                // Escaped as pulldown-cmark escapes every other link's
                // address, for the attribute too; writing to a String cannot fail.
                let mut href = String::new();
                let _ = pulldown_cmark_escape::escape_href(&mut href, &dest_url);
                Event::InlineHtml(format!("<a class=\"bare-url\" href=\"{href}\">").into())
            }
            Item::Event(event) => {
                match &event {
                    Event::Text(t) | Event::Code(t) => add(&mut search, in_part_heading, t),
                    Event::End(
                        TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link | TagEnd::Image,
                    ) => {}
                    Event::SoftBreak | Event::HardBreak => add(&mut search, in_part_heading, " "),
                    Event::End(_) => end_block(&mut search, in_part_heading),
                    _ => {}
                }
                event
            }
            Item::Shortcode(i) => {
                add(&mut search, in_part_heading, " ");
                add(&mut search, in_part_heading, &calls[i].text);
                add(&mut search, in_part_heading, " ");
                match &nonce {
                    Some(_) => Event::Html(format!("{}\n", marker('s', i)).into()),
                    None => Event::Html(calls[i].html.as_str().into()),
                }
            }
            Item::Ref(i) => {
                add(&mut search, in_part_heading, &refs[i].text);
                match &nonce {
                    Some(_) => Event::InlineHtml(marker('r', i).into()),
                    None => Event::InlineHtml(refs[i].html.as_str().into()),
                }
            }
            Item::HeadingOpen(h) => {
                let heading = &headings[h];
                if heading.depth == 1 {
                    search.push(SearchPart { heading: Some(h), text: String::new() });
                    in_part_heading = true;
                } else {
                    add(&mut search, false, &format!(" {} ", heading.number.as_deref().unwrap_or("")));
                }
                let tag = (heading.depth + title_level).min(6);
                let number =
                    heading.number.as_ref().map_or(String::new(), |n| format!("<span class=\"secno\">{n}</span> "));
                Event::Html(format!("<h{tag} id=\"{}\">{number}", escape_html(&heading.id)).into())
            }
            Item::HeadingClose(h) => {
                in_part_heading = false;
                add(&mut search, false, " ");
                let tag = (headings[h].depth + title_level).min(6);
                Event::Html(format!("</h{tag}>\n").into())
            }
        });
        // Long words are marked in tables only (a Markdown table, or a
        // field that fills a table cell): a paragraph already wraps them
        // (`overflow-wrap`), and a column is sized by its longest word.
        // Text is merged first, so that a long word split over events (at an
        // entity or a backslash) is seen whole. An image's text is its alt
        // attribute, where markup would be printed.
        let table_cell = self.table_cell;
        let (mut in_table, mut in_image) = (table_cell, 0usize);
        let events = pulldown_cmark::TextMergeStream::new(events).map(move |event| match event {
            Event::Start(Tag::Table(_)) | Event::End(TagEnd::Table) => {
                in_table = table_cell || matches!(event, Event::Start(_));
                event
            }
            Event::Start(Tag::Image { .. }) => {
                in_image += 1;
                event
            }
            Event::End(TagEnd::Image) => {
                in_image = in_image.saturating_sub(1);
                event
            }
            Event::Text(ref t) if in_table && in_image == 0 => {
                long_words_marked(t).map_or(event, |h| Event::InlineHtml(h.into()))
            }
            Event::Code(ref t) if in_table && in_image == 0 => {
                long_words_marked(t).map_or(event, |h| Event::InlineHtml(format!("<code>{h}</code>").into()))
            }
            other => other,
        });
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, events);
        if nonce.is_some() {
            html = sanitise(&html);
        }
        if self.aligned_columns {
            html = alignment_as_classes(&html);
        }
        if nonce.is_some() {
            for (i, call) in calls.iter().enumerate() {
                html = html.replacen(&marker('s', i), &call.html, 1);
            }
            for (i, reference) in refs.iter().enumerate() {
                html = html.replacen(&marker('r', i), &reference.html, 1);
            }
        }
        for part in &mut search {
            part.text = collapse_whitespace(&part.text);
            // Nothing follows the last block.
            part.text.truncate(part.text.trim_end_matches(" |").len());
        }
        BodyHtml { html, search }
    }
}

/// The start of a tag that raw HTML leaves open at its end (`<c`), if any.
fn unfinished_tag(html: &str) -> Option<&str> {
    let open = html.rfind('<')?;
    let rest = &html[open..];
    let starts_tag = rest[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/');
    (starts_tag && !rest.contains('>')).then(|| rest.split_whitespace().next().unwrap_or(rest))
}

/// Elements that have no end tag.
const VOID_ELEMENTS: [&str; 13] =
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"];

/// Follows the elements inline raw HTML at body offset `at` opens and
/// closes: `open` holds those still open, with where each was opened.
fn track_inline_tags(html: &str, at: usize, open: &mut Vec<(String, usize)>) {
    crate::tags::for_each_tag(html.as_bytes(), |tag| {
        let name = String::from_utf8_lossy(tag.name).to_ascii_lowercase();
        if !tag.end {
            if !VOID_ELEMENTS.contains(&name.as_str()) {
                open.push((name, at + tag.offset));
            }
        } else if let Some(i) = open.iter().rposition(|(n, _)| *n == name) {
            open.truncate(i);
        }
    });
}

/// The element, if raw HTML opens one whose content HTML reads as raw
/// text up to its end tag.
fn raw_text_element(html: &str) -> Option<&'static str> {
    const TAGS: [&str; 10] =
        ["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "plaintext", "noscript"];
    let lower = html.to_ascii_lowercase();
    TAGS.into_iter().find(|tag| {
        lower.match_indices('<').any(|(i, _)| {
            let rest = &lower[i + 1..];
            rest.starts_with(tag) && !rest[tag.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-')
        })
    })
}

/// A marker prefix no author can guess: random per run, never written out.
fn random_marker() -> String {
    use std::hash::{BuildHasher, Hasher};
    // A hasher's keys are random per `RandomState`, so even its empty hash is.
    let hasher = std::collections::hash_map::RandomState::new().build_hasher();
    format!("wr{:016x}", hasher.finish())
}

/// Markdown rendered outside a page's sections.
pub struct TextHtml {
    pub html: String,
    /// The words a reader sees, for the search index.
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
    pub links: Vec<LinkUse>,
    pub headings: Vec<Heading>,
}

/// Renders Markdown that stands outside a page's sections (a YAML field,
/// a conformance example): shortcodes are refused, and each reference
/// becomes what `resolve` makes of it.
pub fn render_text(text: &str, ctx: &BodyContext, resolve: impl FnMut(&RefUse) -> Resolved) -> TextHtml {
    let parsed = parse(text, ctx, &mut PageState::default());
    let mut diagnostics = parsed.diagnostics;
    for call in &parsed.calls {
        diagnostics.push(
            Diagnostic::new(
                ctx.path,
                call.line,
                call.col,
                format!("shortcode `{}` outside a narrative file", call.name),
            )
            .with_hint("shortcodes work in the Markdown files of a report or a page"),
        );
    }
    if parsed.footnotes {
        // Numbered per field, a field's notes would clash with the page's.
        diagnostics.push(
            Diagnostic::new(ctx.path, ctx.body_line, 1, "a footnote outside a narrative file").with_hint(
                "footnotes belong in the Markdown files of a report or a page; write the note in the text, or write `\\[^` for a literal `[^`",
            ),
        );
    }
    let calls = vec![Resolved::default(); parsed.calls.len()];
    let refs: Vec<Resolved> = parsed.refs.iter().map(resolve).collect();
    let body = parsed.content.into_html(&parsed.headings, &calls, &refs);
    let text = body.search.iter().map(|part| part.text.as_str()).collect::<Vec<_>>().join(" ");
    TextHtml { html: body.html, text, diagnostics, links: parsed.links, headings: parsed.headings }
}

/// Renders a Markdown body on its own, as a free page's body with no
/// project around it: headings keep their level (`##` is `<h2>`),
/// references stay as written and shortcodes are refused. For conformance
/// tests against the CommonMark spec.
pub fn render_standalone(body: &str) -> (String, Vec<Diagnostic>) {
    let ctx = BodyContext { path: "standalone.md", body_line: 1, label: None, title_level: 1, table_cell: false };
    let rendered = render_text(body, &ctx, |r| Resolved { html: escape_html(&r.written), text: r.written.clone() });
    (rendered.html, rendered.diagnostics)
}

/// A word that runs this many characters with no hyphen or dash is taken
/// for a token, a hash or an address: no English word is so long.
const LONG_WORD: usize = 30;

/// `text` as HTML with each word that runs `LONG_WORD` characters without
/// a place to break in a `long-word` span, or `None` when it has none.
/// Print lets such a word break anywhere: a table sizes its columns by
/// their longest words, and one too long for the page made Chromium
/// shrink every page or cut a column off. Ordinary words are not marked,
/// so that no column that has room for them is narrowed past them.
pub fn long_words_marked(text: &str) -> Option<String> {
    let long = |word: &str| {
        word.split(['-', '\u{2010}', '\u{2013}', '\u{2014}']).any(|piece| piece.chars().count() >= LONG_WORD)
    };
    if !text.split_whitespace().any(long) {
        return None;
    }
    let mut html = String::with_capacity(text.len() + 32);
    // Writing to a String cannot fail.
    let push_word = |html: &mut String, word: &str| {
        let marked = long(word);
        if marked {
            html.push_str("<span class=\"long-word\">");
        }
        let _ = pulldown_cmark_escape::escape_html_body_text(&mut *html, word);
        if marked {
            html.push_str("</span>");
        }
    };
    let mut start = 0;
    for (at, c) in text.char_indices().filter(|(_, c)| c.is_whitespace()) {
        push_word(&mut html, &text[start..at]);
        html.push(c);
        start = at + c.len_utf8();
    }
    push_word(&mut html, &text[start..]);
    Some(html)
}

/// A Markdown table column's alignment as a class: pulldown-cmark writes it
/// as an inline `style`, which the pages' Content-Security-Policy refuses
/// (`style-src 'self'`). A right-aligned column is taken for numbers (`num`,
/// as in the shortcodes' tables, and right-aligned in Word too).
fn alignment_as_classes(html: &str) -> String {
    static ALIGNED: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"<(td|th) style="text-align: (left|center|right)">"#).expect("a valid regular expression")
    });
    ALIGNED
        .replace_all(html, |c: &regex::Captures| {
            let class = match &c[2] {
                "right" => "num",
                "center" => "align-center",
                _ => "align-left",
            };
            format!("<{} class=\"{class}\">", &c[1])
        })
        .into_owned()
}

/// Removes scripts, event handlers and `javascript:` URLs from narrative HTML.
fn sanitise(html: &str) -> String {
    ammonia::Builder::default()
        .add_generic_attributes(["id", "class", "aria-label", "aria-hidden", "role"])
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("td", ["style"])
        .link_rel(None)
        .clean(html)
        .to_string()
}

/// Link and image targets that could run script or leave the site in a way
/// the reader does not expect: anything with a scheme other than these.
const SAFE_SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

fn scheme(url: &str) -> Option<&str> {
    let colon = url.find(':')?;
    let candidate = &url[..colon];
    let is_scheme = !candidate.is_empty()
        && candidate.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !candidate.contains(['/', '?', '#']);
    is_scheme.then_some(candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The byte-wise fast path means exactly what `split_whitespace` does.
        #[test]
        fn collapse_whitespace_joins_the_words_split_whitespace_finds(text in "[ a\t\n\r\u{0b}\u{0c}é\u{a0}\u{2028}\u{3000}✓b]{0,40}") {
            let words: Vec<&str> = text.split_whitespace().collect();
            proptest::prop_assert_eq!(collapse_whitespace(&text), words.join(" "));
        }
    }

    fn ctx(label: Option<&str>) -> BodyContext<'_> {
        BodyContext { path: "s.md", body_line: 5, label, title_level: 2, table_cell: false }
    }

    /// A body parsed and written with each reference shown as `[ref N]` and
    /// each shortcode as `<div>call N</div>`.
    struct Out {
        html: String,
        body_refs: Vec<RefUse>,
        calls: Vec<Call>,
        headings: Vec<Heading>,
        links: Vec<LinkUse>,
        diagnostics: Vec<Diagnostic>,
        search: Vec<SearchPart>,
    }

    fn render(body: &str, ctx: &BodyContext, page: &mut PageState) -> Out {
        let parsed = parse(body, ctx, page);
        let calls: Vec<Resolved> = (0..parsed.calls.len())
            .map(|i| Resolved { html: format!("<div>call {i}</div>\n"), text: format!("call{i}") })
            .collect();
        let refs: Vec<Resolved> =
            (0..parsed.refs.len()).map(|i| Resolved { html: format!("[ref {i}]"), text: format!("ref{i}") }).collect();
        let out = parsed.content.into_html(&parsed.headings, &calls, &refs);
        Out {
            html: out.html,
            body_refs: parsed.refs,
            calls: parsed.calls,
            headings: parsed.headings,
            links: parsed.links,
            diagnostics: parsed.diagnostics,
            search: out.search,
        }
    }

    fn one(body: &str) -> Out {
        render(body, &ctx(None), &mut PageState::default())
    }

    fn messages(out: &Out) -> Vec<String> {
        out.diagnostics.iter().map(|d| d.message.clone()).collect()
    }

    /// Line, column, message and hint of each mistake of a body.
    fn found(out: &Out) -> Vec<(usize, usize, &str, &str)> {
        let found = out.diagnostics.iter();
        found.map(|d| (d.line, d.col, d.message.as_str(), d.hint.as_deref().unwrap_or(""))).collect()
    }

    #[test]
    fn a_character_reference_to_a_control_character_is_an_error_at_its_own_place() {
        let r = one(
            "A line&#11;break.\n\n## In a &#x0B; heading\n\n| A | B |\n|---|---|\n| *cell &#X1f;* | ![alt&#127;](a.png) |\n\n\
             A link [to&#7;](https://example.org) and &#0;, &#9;, &#10;, &#x85; and &amp;#11; are not.\n",
        );
        let vertical_tab = "a vertical tab (U+000B), which Word writes for a manual line break (Shift+Enter)";
        let cannot = "is a control character that a page or a Word document cannot hold";
        assert_eq!(
            found(&r),
            [
                (
                    5,
                    7,
                    format!("the character reference `&#11;` {cannot}: {vertical_tab}").as_str(),
                    "replace `&#11;` with a space, or start a new line there (a blank line starts a new paragraph)",
                ),
                (
                    7,
                    9,
                    &format!("the character reference `&#x0B;` {cannot}: {vertical_tab}"),
                    "replace `&#x0B;` with a space, or start a new line there (a blank line starts a new paragraph)"
                ),
                (
                    11,
                    9,
                    &format!(
                        "the character reference `&#X1f;` {cannot}: a control character (U+001F), which Word writes \
                         for an optional hyphen"
                    ),
                    "delete `&#X1f;`",
                ),
                (
                    11,
                    24,
                    &format!("the character reference `&#127;` {cannot}: a delete character (U+007F)"),
                    "delete `&#127;`"
                ),
                (
                    13,
                    11,
                    &format!(
                        "the character reference `&#7;` {cannot}: a bell character (U+0007), which Word writes at the end of a table cell"
                    ),
                    "delete `&#7;`"
                ),
            ]
        );
    }

    #[test]
    fn a_character_reference_in_code_is_text_as_written() {
        let r = one("A `&#11;` span.\n\n```\n&#x0B;\n```\n\n    &#127;\n\n<span>`&#7;`</span>\n");
        assert_eq!(found(&r), []);
        assert!(r.html.contains("<code>&amp;#11;</code>"), "{}", r.html);
    }

    #[test]
    fn headings_are_numbered_under_the_file_label() {
        let r = render("## A\n\n### B\n\n### C\n\n## D\n", &ctx(Some("2")), &mut PageState::default());
        let numbers: Vec<_> = r.headings.iter().map(|h| h.number.clone().unwrap()).collect();
        assert_eq!(numbers, ["2.1", "2.1.1", "2.1.2", "2.2"]);
        assert!(r.html.contains("<h3 id=\"a\"><span class=\"secno\">2.1</span> A</h3>"), "{}", r.html);
    }

    #[test]
    fn unnumbered_sections_have_no_numbers() {
        let r = one("## A\n");
        assert_eq!(r.headings[0].number, None);
    }

    #[test]
    fn heading_ids_come_from_attributes_or_text_and_stay_unique() {
        let mut page = PageState::default();
        let r = render("## Key lessons {#sec-lessons}\n\n## Same\n\n## Same\n", &ctx(Some("1")), &mut page);
        let ids: Vec<_> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["sec-lessons", "same", "same-2"]);
        let again = render("## Again {#sec-lessons}\n", &ctx(Some("2")), &mut page);
        assert!(again.diagnostics[0].message.contains("`sec-lessons` is used twice"));
    }

    #[test]
    fn level_one_heading_is_an_error_with_its_file_line() {
        let r = render("text\n\n# Big\n", &ctx(Some("1")), &mut PageState::default());
        assert_eq!(r.diagnostics[0].line, 7);
    }

    #[test]
    fn a_heading_that_skips_a_level_is_an_error_with_the_level_to_use() {
        let r = render("## A\n\n#### B\n\n### C\n", &ctx(Some("1")), &mut PageState::default());
        let found: Vec<_> = r.diagnostics.iter().map(|d| (d.line, d.message.as_str())).collect();
        assert_eq!(found, [(7, "`####` heading skips a level")]);
        assert!(r.diagnostics[0].hint.as_deref().unwrap().starts_with("under a `##` heading, use `###`"));
        let r = render("text\n\n### First\n", &ctx(None), &mut PageState::default());
        assert_eq!(r.diagnostics[0].message, "`###` heading skips a level");
        assert!(r.diagnostics[0].hint.as_deref().unwrap().starts_with("a section's first heading is `##`"));
    }

    #[test]
    fn raw_html_barriers_and_ids_are_errors_at_their_line() {
        let r = one("Text.\n\n<table>\n<tr><td>1</td></tr>\n</table>\n\n<p id=\"x\">a</p>\n\n<p id=\"x\">b</p>\n");
        let found: Vec<_> = r.diagnostics.iter().map(|d| (d.line, d.message.as_str())).collect();
        assert_eq!(
            found,
            [(7, "raw HTML: `<table>` has no header cells (`<th>`)"), (13, "id `x` is used twice in this report")]
        );
        let r = one("<table>\n<tr><th>Year</th></tr>\n<tr><td>1</td></tr>\n</table>\n");
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        let r = one("Text.\n\n<h3 id=\"y\">Raw</h3>\n");
        assert_eq!(messages(&r), ["raw HTML heading `<h3>`"]);
        assert!(r.diagnostics[0].hint.as_deref().unwrap().contains("`### ...`"));
    }

    #[test]
    fn inline_html_left_open_in_its_paragraph_is_an_error() {
        let r = one("Text <div class=\"note\">Unclosed <b>bold\n\n## Next\n");
        let found: Vec<_> = r.diagnostics.iter().map(|d| (d.line, d.col, d.message.as_str())).collect();
        assert_eq!(found, [(5, 6, "HTML tag `<div>` is not closed in its paragraph")]);
        for fine in [
            "a <b>bold</b>, a <br> and <img src=\"a.png\" alt=\"\">\n",
            "<span>one\ntwo</span>\n",
            "| <em>x</em> |\n|---|\n",
        ] {
            assert!(one(fine).diagnostics.is_empty(), "{fine}: {:?}", one(fine).diagnostics);
        }
        assert_eq!(messages(&one("| <em>x |\n|---|\n")), ["HTML tag `<em>` is not closed in its paragraph"]);
    }

    #[test]
    fn scripts_and_handlers_are_removed() {
        let r = one("<script>alert(1)</script>\n\n<a href=\"javascript:x\" onclick=\"y\">l</a>\n");
        assert!(!r.html.contains("script"));
        assert!(!r.html.contains("onclick"));
        assert!(!r.html.contains("javascript:"));
    }

    #[test]
    fn script_links_are_errors() {
        let r = one("[x](javascript:alert(1))\n\n[ok](https://example.org) [rel](../a.html#b)\n");
        assert_eq!(messages(&r), ["link to a `javascript:` address"]);
        let hrefs: Vec<_> = r.links.iter().map(|l| (l.href.as_str(), l.line, l.col)).collect();
        assert_eq!(hrefs, [("javascript:alert(1)", 5, 1), ("https://example.org", 7, 1), ("../a.html#b", 7, 27)]);
    }

    #[test]
    fn plain_markdown_is_escaped_without_the_sanitiser() {
        let r = one("a < b & \"c\"\n");
        assert!(r.html.contains("a &lt; b &amp;"), "{}", r.html);
    }

    #[test]
    fn citations_become_slots_with_their_file_position() {
        let r = render(
            "Intro.\n\nAs [@buck2020, p. 2] and @fig-a show, \\@home.\n",
            &ctx(Some("1")),
            &mut PageState::default(),
        );
        let at: Vec<_> = r.body_refs.iter().map(|u| (u.line, u.col, u.written.as_str())).collect();
        assert_eq!(at, [(7, 4, "[@buck2020, p. 2]"), (7, 26, "@fig-a")]);
        assert!(r.html.contains("As [ref 0] and [ref 1] show, @home."), "{}", r.html);
    }

    #[test]
    fn typography_pasted_from_word_does_not_panic() {
        let r = one("Staff & residents – “a second chance” [@k]\n\n&中文字 @k\n\nAnn & – “x”\n");
        assert_eq!(r.body_refs.len(), 2);
        assert_eq!((r.body_refs[1].line, r.body_refs[1].col), (7, 6));
        assert_eq!(r.search[0].text, "Staff & residents – “a second chance” ref0 | &中文字 ref1 | Ann & – “x”");
    }

    #[test]
    fn reference_after_entities_and_wide_characters_keeps_its_column() {
        let r = one("&lt;éééé[@k]\n");
        assert_eq!((r.body_refs[0].line, r.body_refs[0].col), (5, 9));
    }

    #[test]
    fn a_citation_wrapped_over_two_lines_is_one_citation() {
        let r = one("As shown [@buck2020;\n@south2017].\n");
        assert_eq!(r.body_refs.len(), 1);
        assert!(r.html.contains("As shown [ref 0]."), "{}", r.html);
    }

    #[test]
    fn references_in_headings_are_read_but_code_links_and_images_are_left_alone() {
        let r = one(concat!(
            "## About @nokey\n\n",
            "```\n@buck2020\n```\n\n",
            "    {{ page.title }} @x\n\n",
            "Inline `@x` too, <https://social.example.org/@nokey>, [see @buck2020](https://example.org).\n\n",
            "![photo by @buck2020](pic.png) &#64;nokey, Mail jo+@example.org\n",
        ));
        let written: Vec<_> = r.body_refs.iter().map(|u| u.written.as_str()).collect();
        assert_eq!(written, ["@nokey"]);
        assert!(r.diagnostics.is_empty(), "{:?}", messages(&r));
        assert!(r.html.contains("alt=\"photo by @buck2020\""), "{}", r.html);
        assert!(r.html.contains("{{ page.title }} @x"), "{}", r.html);
    }

    #[test]
    fn shortcodes_are_found_only_as_paragraphs_of_their_own() {
        let r = one(concat!(
            "Intro\n\n{{ profile() }}\n\n",
            "````\n```\n{{ profile() }}\n```\n````\n\n",
            "<div>\n{{ page.title }}\n</div>\n",
        ));
        assert_eq!(r.calls.len(), 1);
        assert_eq!((r.calls[0].line, r.calls[0].col), (7, 1));
        assert!(r.html.contains("<div>call 0</div>"), "{}", r.html);
        assert!(r.diagnostics.is_empty(), "{:?}", messages(&r));
    }

    #[test]
    fn an_indented_shortcode_is_an_error_not_printed_code() {
        let r = one("Intro\n\n    {{ recommendations() }}\n\nAfter.\n");
        assert_eq!(r.calls.len(), 0);
        assert_eq!(
            messages(&r),
            ["this shortcode is indented four spaces or more, so Markdown prints it as code and does not run it"]
        );
        assert_eq!((r.diagnostics[0].line, r.diagnostics[0].col), (7, 5), "after the front matter");
        // Code that only holds braces, and a shortcode fenced as code, are code.
        for body in ["Intro\n\n    {{ not a call }}\n", "```\n{{ recommendations() }}\n```\n"] {
            assert!(one(body).diagnostics.is_empty(), "{body}");
        }
    }

    #[test]
    fn a_shortcode_inside_a_sentence_list_or_quote_is_an_error_at_its_place() {
        for body in
            ["See {{ profile() }} here.\n", "- {{ profile() }}\n", "> {{ profile() }}\n", "Text\n{{ profile() }}\n"]
        {
            let r = one(body);
            assert_eq!(r.calls.len(), 0, "{body}");
            assert_eq!(r.diagnostics.len(), 1, "{body}: {:?}", messages(&r));
            assert!(r.diagnostics[0].hint.as_deref().unwrap_or("").contains("paragraph of its own"));
        }
    }

    #[test]
    fn a_shortcode_missing_a_brace_is_an_error_not_printed_text() {
        let r =
            one("{{ quote(id=\"a\")\n\n{{ list(key=\"b\") }\n\nA } brace, a stray }} and `{{ code }}`.\n\n\\{\\{ x\n");
        let at: Vec<_> = r.diagnostics.iter().map(|d| (d.line, d.col, d.message.as_str())).collect();
        assert_eq!(
            at,
            [
                (5, 1, "`{{` opens a shortcode that is never closed with `}}`"),
                (7, 1, "`{{` opens a shortcode that is never closed with `}}`"),
                (9, 20, "`}}` closes a shortcode that was never opened with `{{`"),
            ]
        );
        assert_eq!(r.calls.len(), 0);
    }

    #[test]
    fn a_heading_typed_with_a_no_break_space_is_an_error_not_text() {
        let r = one("Intro.\n\n##\u{a0}Impact\n\nText.\n\n## Kept\n\n    ##\u{a0}in code\n");
        let at: Vec<_> = r.diagnostics.iter().map(|d| (d.line, d.col)).collect();
        assert_eq!(at, [(7, 3)], "{:?}", messages(&r));
        assert!(r.diagnostics[0].message.contains("a no-break space (U+00A0)"));
    }

    #[test]
    fn malformed_shortcode_is_an_error_on_its_line() {
        let r = one("a\n\n{{ list(key=\"x) }}\n");
        assert_eq!((r.diagnostics[0].line, r.diagnostics[0].col), (7, 1));
        assert!(r.diagnostics[0].message.contains("closing"));
        assert!(r.diagnostics[0].hint.as_deref().unwrap_or("").starts_with("a shortcode is written"));
        let r = one("{{ list(key=\"a\") }} {{ list(key=\"b\") }}\n");
        assert_eq!(messages(&r), ["two shortcodes on one line"]);
    }

    #[test]
    fn pandoc_citation_mistakes_are_errors() {
        assert_eq!(messages(&one("Both [@a, @b].\n")), ["`@b` is in the locator of `@a`"]);
        assert_eq!(one("[*see* @a]\n").diagnostics.len(), 1);
    }

    #[test]
    fn footnotes_are_numbered_across_the_page() {
        let mut page = PageState::default();
        render("a[^x]\n\n[^x]: note\n", &BodyContext { path: "a.md", ..ctx(None) }, &mut page);
        let r = render("b[^x]\n\n[^x]: other\n", &BodyContext { path: "b.md", ..ctx(None) }, &mut page);
        assert!(r.html.contains("href=\"#fn-2\""), "{}", r.html);
        assert!(r.html.contains("id=\"fn-2\""));
        assert!(r.html.contains("href=\"#fnref-2\""));
    }

    #[test]
    fn a_note_cited_twice_links_back_to_each_reference_even_when_written_first() {
        let r = one("[^a]: The note.\n\nOne[^a] and two[^a].\n");
        assert!(r.diagnostics.is_empty(), "{:?}", messages(&r));
        assert!(r.html.contains("<a href=\"#fn-1\" id=\"fnref-1\" aria-label=\"Footnote 1\">1</a>"), "{}", r.html);
        assert!(r.html.contains("<a href=\"#fn-1\" id=\"fnref-1-2\" aria-label=\"Footnote 1\">1</a>"));
        assert!(r.html.contains(
            "<a class=\"footnote-back\" href=\"#fnref-1\" aria-label=\"Back to reference 1\">↩</a> \
             <a class=\"footnote-back\" href=\"#fnref-1-2\" aria-label=\"Back to reference 1 (second)\">↩<sup>2</sup></a></div>"
        ));
    }

    #[test]
    fn ordinals_name_the_later_references() {
        let said: Vec<String> = [2, 3, 10, 11, 12, 13, 21, 22, 23, 101, 111].into_iter().map(ordinal).collect();
        assert_eq!(
            said,
            ["second", "third", "tenth", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st", "111th"]
        );
    }

    #[test]
    fn a_footnote_in_a_field_is_refused() {
        let ctx = BodyContext { path: "site.yaml", body_line: 7, label: None, title_level: 2, table_cell: false };
        let r = render_text("Role modelling[^a]\n\n[^a]: A note.\n", &ctx, |_| Resolved::default());
        let found: Vec<_> = r.diagnostics.iter().map(|d| (d.line, d.message.as_str())).collect();
        assert_eq!(found, [(7, "a footnote outside a narrative file")]);
    }

    #[test]
    fn a_second_note_of_one_label_is_an_error_at_its_line() {
        let r = one("a[^x]\n\n[^x]: one\n\n[^x]: two\n");
        let found: Vec<_> = r.diagnostics.iter().map(|d| (d.line, d.message.as_str())).collect();
        assert_eq!(found, [(9, "footnote `[^x]` has a second note")]);
    }

    #[test]
    fn a_note_referred_to_twice_gives_each_reference_its_own_id() {
        let r = one("a[^x] b[^x] c[^x]\n\n[^x]: note\n");
        for id in ["id=\"fnref-1\"", "id=\"fnref-1-2\"", "id=\"fnref-1-3\""] {
            assert_eq!(r.html.matches(id).count(), 1, "{id}: {}", r.html);
        }
        assert!(r.html.contains("href=\"#fnref-1\""), "the back-link goes to the first: {}", r.html);
    }

    #[test]
    fn undefined_and_unused_footnotes_are_errors() {
        let r = one("Few drawbacks[^few-drawbacks].\n\n[^few-drawback]: A note.\n");
        let m = messages(&r);
        assert!(m.contains(&"footnote `[^few-drawbacks]` has no note".to_string()), "{m:?}");
        assert!(m.contains(&"footnote `[^few-drawback]` is never referred to".to_string()), "{m:?}");
        let missing = r.diagnostics.iter().find(|d| d.message.contains("has no note")).unwrap();
        assert_eq!(missing.hint.as_deref(), Some("did you mean `[^few-drawback]`?"));
    }

    #[test]
    fn task_list_items_are_read_once_and_a_ticked_one_says_so() {
        let r = one("- [ ] Why do you need it?\n- [x] Ask *now*\n");
        let doc = scraper::Html::parse_fragment(&r.html);
        let boxes = scraper::Selector::parse("input[type=checkbox][aria-hidden=true]").unwrap();
        assert_eq!(doc.select(&boxes).count(), 2, "{}", r.html);
        let items = scraper::Selector::parse("li").unwrap();
        let read: Vec<String> = doc.select(&items).map(|li| li.text().collect::<String>().trim().to_string()).collect();
        assert_eq!(read, ["Why do you need it?", "Done:  Ask now"]);
    }

    #[test]
    fn an_image_without_alt_text_is_an_error() {
        let r = one("Look:\n\n![](pic.png)\n");
        assert_eq!(messages(&r), ["image `pic.png` has no alt text"]);
        assert_eq!(r.diagnostics[0].line, 7);
    }

    #[test]
    fn an_unclosed_script_is_an_error_and_cannot_swallow_the_headings_after_it() {
        let r = one("&<script>\n\n## Later\n\n<STYLE>p{}</style>\n");
        assert_eq!(messages(&r), ["raw `<script>` in narrative", "raw `<style>` in narrative"]);
        assert!(r.html.contains("<h3 id=\"later\">Later</h3>"), "{}", r.html);
        assert!(raw_text_element("<scripts>").is_none());
    }

    #[test]
    fn an_unfinished_tag_in_raw_html_is_an_error_and_cannot_take_the_heading_after_it() {
        let r = one("</p><c\n\n## Later\n");
        assert_eq!(messages(&r), ["HTML tag `<c` is not finished with `>`"]);
        assert_eq!(unfinished_tag("<div class=\"a\">\n<p>x</p>\n"), None);
        assert_eq!(unfinished_tag("a <b"), Some("<b"));
    }

    /// Found by a commissioner's audit: an inline `style`, which the pages'
    /// CSP refuses, so aligned columns were left-aligned on screen, on paper
    /// and in Word.
    #[test]
    fn a_table_column_alignment_is_a_class_not_a_style() {
        let table = "| Name | Count | Note |\n|:--|--:|:-:|\n| A | 1,234 | x |\n";
        for body in [table.to_string(), format!("<div>raw</div>\n\n{table}")] {
            let (html, diags) = render_standalone(&body);
            assert!(diags.is_empty(), "{diags:?}");
            assert!(!html.contains("style="), "{html}");
            for cell in [r#"<td class="align-left">A"#, r#"<td class="num">1,234"#, r#"<td class="align-center">x"#] {
                assert!(html.contains(cell), "{cell} in {html}");
            }
            assert!(html.contains(r#"<th class="num">Count"#), "{html}");
        }
    }

    #[test]
    fn a_link_written_as_its_address_is_marked_for_print() {
        let (html, diags) = render_standalone("See <https://example.org/a?b=1&c=2> and [this](https://example.org).\n");
        assert!(diags.is_empty(), "{diags:?}");
        assert!(
            html.contains(
                r#"<a class="bare-url" href="https://example.org/a?b=1&amp;c=2">https://example.org/a?b=1&amp;c=2</a>"#
            ),
            "{html}"
        );
        assert!(html.contains(r#"<a href="https://example.org">this</a>"#), "{html}");
    }

    /// Found by QA: a 162-character word in a table cut its last column
    /// off the printed page; print may break only a word marked here.
    #[test]
    fn a_word_too_long_for_a_column_is_marked_and_ordinary_words_are_not() {
        let token = "AbCdEfGhIj0123456789".repeat(4);
        let body = format!(
            "| Name | Count |\n|---|--:|\n| {token}&amp;x | 2 |\n| `{token}` | 3 |\n| Communications \
             peer-mentoring-and-peer-involvement-roles | 4 |\n\n![A {token}](a.png)\n\nA paragraph wraps {token}.\n"
        );
        let (html, diags) = render_standalone(&body);
        assert!(diags.is_empty(), "{diags:?}");
        assert!(html.contains(&format!("<td><span class=\"long-word\">{token}&amp;x</span></td>")), "{html}");
        assert!(html.contains(&format!("<td><code><span class=\"long-word\">{token}</span></code></td>")), "{html}");
        assert!(html.contains("<td>Communications peer-mentoring-and-peer-involvement-roles</td>"), "{html}");
        assert!(html.contains(&format!("alt=\"A {token}\"")), "an image's alt text stays text: {html}");
        assert!(html.contains(&format!("<p>A paragraph wraps {token}.</p>")), "only tables are marked: {html}");
        assert_eq!(html.matches("long-word").count(), 2, "{html}");
    }

    #[test]
    fn raw_html_is_sanitised_but_slots_are_not() {
        let r = one("<div class=\"box\">\n\nSee @k.\n\n</div>\n\n{{ profile() }}\n");
        assert!(r.html.contains("See [ref 0]."), "{}", r.html);
        assert!(r.html.contains("<div>call 0</div>"), "{}", r.html);
        assert!(!r.html.contains("wr"), "{}", r.html);
    }

    #[test]
    fn search_text_is_split_at_second_level_headings() {
        let r = render(
            "Intro *text*.\n\n## First\n\nOne.\n\n### Deep\n\nTwo.\n\n## Second\n",
            &ctx(Some("1")),
            &mut PageState::default(),
        );
        let parts: Vec<_> = r.search.iter().map(|p| (p.heading, p.text.as_str())).collect();
        assert_eq!(parts, [(None, "Intro text."), (Some(0), "One. 1.1.1 Deep Two."), (Some(2), "")]);
    }

    /// Found by a privacy audit: a first name and a surname in two cells
    /// (or list items) read as one name in a search result.
    #[test]
    fn search_text_keeps_cells_and_items_apart() {
        let r = render(
            "| First | Surname |\n|---|---|\n| Ada | Cell |\n\n- Bo\n- Item\n\nA sentence.\n\nNext one\n",
            &ctx(None),
            &mut PageState::default(),
        );
        assert_eq!(r.search[0].text, "First | Surname | Ada | Cell | Bo | Item | A sentence. Next one");
    }

    #[test]
    fn tables_render() {
        let r = one("| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(
            r.html.contains("<div class=\"table-wrap\" role=\"region\" aria-label=\"Table\" tabindex=\"0\"><table>"),
            "{}",
            r.html
        );
        // Below a heading, the box is named by it (an accessibility audit heard "Table" for each).
        let r = one("## Staff & \"roles\"\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(
            r.html.contains("aria-label=\"Table under \u{201c}Staff &amp; &quot;roles&quot;\u{201d}\" tabindex"),
            "{}",
            r.html
        );
    }

    #[test]
    fn code_block_language_classes_keep_the_whole_word() {
        assert!(render_standalone("```föö\nx\n```\n").0.contains("class=\"language-föö\""));
        assert!(render_standalone("```f#\nx\n```\n").0.contains("class=\"language-f#\""));
    }

    #[test]
    fn slugify_joins_words() {
        assert_eq!(slugify("Good practice, key lessons!"), "good-practice-key-lessons");
        assert_eq!(slugify("Éire 2"), "éire-2");
    }
}
