//! Part of stage 3, render: one narrative body to HTML. Small event passes
//! (shortcode placeholders, heading numbering, footnotes, highlighting),
//! then sanitising. Knows nothing of sites or templates: shortcode calls are
//! returned for the caller to render.

pub mod citations;
pub mod highlight;
pub mod shortcodes;

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::diagnostics::Diagnostic;
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
}

/// State shared by all the bodies of one page, so ids and notes never clash.
#[derive(Default)]
pub struct PageState {
    ids: HashSet<String>,
    footnotes: HashMap<String, usize>,
}

impl PageState {
    /// Reserves `base` (or `base-2`, `base-3`...) as an element id on the page.
    pub fn unique_id(&mut self, base: &str) -> String {
        let base = if base.is_empty() { "section" } else { base };
        let mut id = base.to_string();
        let mut n = 1;
        while !self.ids.insert(id.clone()) {
            n += 1;
            id = format!("{base}-{n}");
        }
        id
    }

    /// Reserves exactly `id`; false when the page already uses it.
    pub fn claim(&mut self, id: &str) -> bool {
        self.ids.insert(id.to_string())
    }

    fn footnote_number(&mut self, path: &str, label: &str) -> usize {
        let next = self.footnotes.len() + 1;
        *self.footnotes.entry(format!("{path}#{label}")).or_insert(next)
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
    /// Position in the file, for diagnostics.
    pub line: usize,
    pub col: usize,
}

/// The text a reference is replaced with until it is resolved.
pub fn ref_placeholder(index: usize) -> String {
    format!("WRREF{index}END")
}

/// A rendered body: HTML with shortcode and reference placeholders in it.
pub struct RenderedBody {
    pub html: String,
    pub calls: Vec<Call>,
    pub refs: Vec<RefUse>,
    pub headings: Vec<Heading>,
    pub diagnostics: Vec<Diagnostic>,
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

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders one Markdown body.
pub fn render(body: &str, ctx: &BodyContext, page: &mut PageState) -> RenderedBody {
    let extracted = shortcodes::extract(body);
    let source = extracted.text.as_str();
    let mut diagnostics: Vec<Diagnostic> = extracted
        .errors
        .iter()
        .map(|e| {
            Diagnostic::new(ctx.path, ctx.body_line + e.line - 1, e.col, e.message.clone())
                .with_hint("write a shortcode alone on its line, as in `{{ list(key=\"enablers\") }}`")
        })
        .collect();

    let events: Vec<(Event, std::ops::Range<usize>)> = Parser::new_ext(source, options()).into_offset_iter().collect();
    diagnostics.extend(unsafe_links(&events, &extracted, ctx));
    let raw_html = events.iter().any(|(e, _)| matches!(e, Event::Html(_) | Event::InlineHtml(_)));
    let mut refs = Vec::new();
    let events = find_references(events, &extracted, ctx, &mut refs);
    let mut headings = Vec::new();
    let events = number_headings(events, ctx, page, &extracted, &mut headings, &mut diagnostics);
    let events = render_footnotes(events, ctx.path, page);
    let events = highlight_code(events);

    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    // Markdown syntax alone cannot produce unsafe HTML once link schemes are
    // checked, and sanitising is the costliest step, so only raw HTML pays it.
    let html = if raw_html { sanitise(&html) } else { html };
    RenderedBody { html, calls: extracted.calls, refs, headings, diagnostics }
}

/// Renders a Markdown body on its own, as a free page's body with no
/// project around it: headings keep their level (`##` is `<h2>`), and
/// shortcodes, citations and cross-references are not resolved. For
/// conformance tests against the CommonMark spec.
pub fn render_standalone(body: &str) -> (String, Vec<Diagnostic>) {
    let ctx = BodyContext { path: "standalone.md", body_line: 1, label: None, title_level: 1 };
    let rendered = render(body, &ctx, &mut PageState::default());
    (rendered.html, rendered.diagnostics)
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
        && !url[..colon].contains(['/', '?', '#']);
    is_scheme.then_some(candidate)
}

fn unsafe_links(
    events: &[(Event, std::ops::Range<usize>)],
    src: &shortcodes::Extracted,
    ctx: &BodyContext,
) -> Vec<Diagnostic> {
    events
        .iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                let scheme = scheme(dest_url.trim())?.to_ascii_lowercase();
                (!SAFE_SCHEMES.contains(&scheme.as_str())).then(|| {
                    Diagnostic::new(
                        ctx.path,
                        file_line(src, range.start, ctx),
                        1,
                        format!("link to a `{scheme}:` address"),
                    )
                    .with_hint("links may point to pages of this site or to http(s) and mailto addresses")
                })
            }
            _ => None,
        })
        .collect()
}

type Spanned<'a> = (Event<'a>, std::ops::Range<usize>);

/// Replaces citations and cross-references in running text (not in headings
/// or code) with placeholders. Adjacent text events are joined first, since
/// the parser splits `[@key]` at its brackets.
fn find_references<'a>(
    events: Vec<Spanned<'a>>,
    src: &shortcodes::Extracted,
    ctx: &BodyContext,
    refs: &mut Vec<RefUse>,
) -> Vec<Spanned<'a>> {
    let source = src.text.as_str();
    let mut out = Vec::with_capacity(events.len());
    let mut run: Option<(String, std::ops::Range<usize>)> = None;
    let mut skip_depth = 0usize;
    let flush =
        |run: &mut Option<(String, std::ops::Range<usize>)>, out: &mut Vec<Spanned<'a>>, refs: &mut Vec<RefUse>| {
            let Some((text, range)) = run.take() else { return };
            if !text.contains('@') {
                out.push((Event::Text(CowStr::from(text)), range));
                return;
            }
            for piece in citations::parse(&text) {
                match piece {
                    citations::Piece::Text(t) => out.push((Event::Text(CowStr::from(t)), range.clone())),
                    citations::Piece::Ref { reference, offset } => {
                        // Offsets are in the joined text, which entities and escapes make
                        // shorter than the source: stay on a character boundary.
                        let mut at = (range.start + offset).min(source.len());
                        while !source.is_char_boundary(at) {
                            at -= 1;
                        }
                        let line_start = source[..at].rfind('\n').map_or(0, |i| i + 1);
                        let col = source[line_start..at].chars().count() + 1;
                        refs.push(RefUse { reference, line: file_line(src, at, ctx), col });
                        out.push((Event::Text(CowStr::from(ref_placeholder(refs.len() - 1))), range.clone()));
                    }
                }
            }
        };
    for (event, range) in events {
        match &event {
            Event::Start(Tag::Heading { .. } | Tag::CodeBlock(_)) => skip_depth += 1,
            Event::End(TagEnd::Heading(_) | TagEnd::CodeBlock) => skip_depth = skip_depth.saturating_sub(1),
            _ => {}
        }
        match event {
            Event::Text(text) if skip_depth == 0 => {
                let escaped = text.starts_with('@') && source[..range.start.min(source.len())].ends_with('\\');
                let piece = if escaped { format!("{}{text}", citations::ESCAPED_AT) } else { text.to_string() };
                match &mut run {
                    Some((buf, r)) => {
                        buf.push_str(&piece);
                        r.end = range.end;
                    }
                    None => run = Some((piece, range)),
                }
            }
            other => {
                flush(&mut run, &mut out, refs);
                out.push((other, range));
            }
        }
    }
    flush(&mut run, &mut out, refs);
    out
}

/// Line of `offset` within the file (not the body), for diagnostics.
fn file_line(src: &shortcodes::Extracted, offset: usize, ctx: &BodyContext) -> usize {
    let line = src.text[..offset.min(src.text.len())].matches('\n').count() + 1;
    ctx.body_line + src.original_line(line) - 1
}

/// Replaces headings with numbered HTML headings placed under the body's
/// title (in a report the file title is an `<h2>`, so `##` becomes `<h3>`).
fn number_headings<'a>(
    events: Vec<(Event<'a>, std::ops::Range<usize>)>,
    ctx: &BodyContext,
    page: &mut PageState,
    src: &shortcodes::Extracted,
    headings: &mut Vec<Heading>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Event<'a>> {
    let mut out = Vec::with_capacity(events.len());
    let mut counters = [0usize; 5];
    let mut open: Option<(HeadingLevel, Option<String>, Vec<Event<'a>>)> = None;
    for (event, range) in events {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                if level == HeadingLevel::H1 {
                    diagnostics.push(
                        Diagnostic::new(ctx.path, file_line(src, range.start, ctx), 1, "`#` heading inside a section")
                            .with_hint(
                                "the front-matter `title` is this section's heading; use `##` for its subsections",
                            ),
                    );
                }
                open = Some((level, id.map(|i| i.to_string()), Vec::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                let Some((level, given_id, inner)) = open.take() else { continue };
                let depth = (level as usize).saturating_sub(1).max(1);
                counters[depth - 1] += 1;
                counters[depth..].iter_mut().for_each(|c| *c = 0);
                let number = ctx.label.map(|label| {
                    let parts: Vec<String> = counters[..depth].iter().map(usize::to_string).collect();
                    format!("{label}.{}", parts.join("."))
                });
                let text = plain_text(&inner);
                let id = match given_id {
                    Some(id) => {
                        if !page.claim(&id) {
                            diagnostics.push(
                                Diagnostic::new(
                                    ctx.path,
                                    file_line(src, range.start, ctx),
                                    1,
                                    format!("id `{id}` is used twice in this report"),
                                )
                                .with_hint("give each heading its own `{#id}`"),
                            );
                        }
                        id
                    }
                    None => page.unique_id(&slugify(&text)),
                };
                let mut inner_html = String::new();
                pulldown_cmark::html::push_html(&mut inner_html, inner.into_iter());
                let tag = format!("h{}", (depth + ctx.title_level).min(6));
                let number_html =
                    number.as_ref().map_or(String::new(), |n| format!("<span class=\"secno\">{n}</span> "));
                out.push(Event::Html(CowStr::from(format!("<{tag} id=\"{id}\">{number_html}{inner_html}</{tag}>\n"))));
                headings.push(Heading { depth, number, text, id });
            }
            other => match &mut open {
                Some((_, _, inner)) => inner.push(other),
                None => out.push(other),
            },
        }
    }
    out
}

fn plain_text(events: &[Event]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
            _ => None,
        })
        .collect()
}

/// Numbers footnotes across the whole page and gives them page-unique ids
/// with links both ways.
fn render_footnotes<'a>(events: Vec<Event<'a>>, path: &str, page: &mut PageState) -> Vec<Event<'a>> {
    let mut current: Option<usize> = None;
    events
        .into_iter()
        .map(|event| match event {
            Event::FootnoteReference(label) => {
                let n = page.footnote_number(path, &label);
                Event::InlineHtml(CowStr::from(format!(
                    "<sup class=\"footnote-ref\"><a href=\"#fn-{n}\" id=\"fnref-{n}\">{n}</a></sup>"
                )))
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let n = page.footnote_number(path, &label);
                current = Some(n);
                Event::Html(CowStr::from(format!(
                    "<div class=\"footnote\" id=\"fn-{n}\"><span class=\"footnote-label\">{n}.</span>"
                )))
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                let n = current.take().unwrap_or(0);
                Event::Html(CowStr::from(format!(
                    "<a class=\"footnote-back\" href=\"#fnref-{n}\" aria-label=\"Back to note {n} in the text\">↩</a></div>\n"
                )))
            }
            other => other,
        })
        .collect()
}

/// Highlights code blocks and wraps tables in a scrolling box.
fn highlight_code(events: Vec<Event>) -> Vec<Event> {
    let mut out = Vec::with_capacity(events.len());
    let mut code: Option<(String, String)> = None;
    for event in events {
        match event {
            // A wide Markdown table scrolls in its own box, not the page.
            Event::Start(Tag::Table(_)) => {
                out.push(Event::Html(CowStr::from(
                    "<div class=\"table-wrap\" role=\"region\" aria-label=\"Table\" tabindex=\"0\">",
                )));
                out.push(event);
            }
            Event::End(TagEnd::Table) => {
                out.push(event);
                out.push(Event::Html(CowStr::from("</div>\n")));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((lang, text)) = code.take() {
                    out.push(Event::Html(CowStr::from(highlight::highlight(&text, &lang))));
                }
            }
            Event::Text(text) if code.is_some() => {
                if let Some((_, buf)) = &mut code {
                    buf.push_str(&text);
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(label: Option<&str>) -> BodyContext<'_> {
        BodyContext { path: "s.md", body_line: 5, label, title_level: 2 }
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
        let r = render("## A\n", &ctx(None), &mut PageState::default());
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
    fn scripts_and_handlers_are_removed() {
        let r = render(
            "<script>alert(1)</script>\n\n<a href=\"javascript:x\" onclick=\"y\">l</a>\n",
            &ctx(None),
            &mut PageState::default(),
        );
        assert!(!r.html.contains("script"));
        assert!(!r.html.contains("onclick"));
        assert!(!r.html.contains("javascript:"));
    }

    #[test]
    fn script_links_are_errors() {
        let r = render(
            "[x](javascript:alert(1))\n\n[ok](https://example.org) [rel](../a.html#b)\n",
            &ctx(None),
            &mut PageState::default(),
        );
        assert_eq!(r.diagnostics.len(), 1);
        assert!(r.diagnostics[0].message.contains("`javascript:`"));
    }

    #[test]
    fn plain_markdown_is_escaped_without_the_sanitiser() {
        let r = render("a < b & \"c\"\n", &ctx(None), &mut PageState::default());
        assert!(r.html.contains("a &lt; b &amp;"), "{}", r.html);
    }

    #[test]
    fn citations_become_placeholders_with_their_file_position() {
        let r = render(
            "Intro.\n\nAs [@buck2020, p. 2] and @fig-a show, \\@home.\n",
            &ctx(Some("1")),
            &mut PageState::default(),
        );
        assert_eq!(r.refs.len(), 2);
        assert_eq!((r.refs[0].line, r.refs[0].col), (7, 4));
        assert!(r.html.contains("As WRREF0END and WRREF1END show, @home."), "{}", r.html);
    }

    #[test]
    fn reference_after_entities_and_wide_characters_does_not_panic() {
        let r = render("&lt;éééé[@k]\n", &ctx(None), &mut PageState::default());
        assert_eq!(r.refs.len(), 1);
        assert_eq!(r.refs[0].line, 5);
    }

    #[test]
    fn references_in_headings_and_code_are_left_alone() {
        let r = render(
            "## About @buck2020\n\n```\n@buck2020\n```\n\nInline `@x` too.\n",
            &ctx(Some("1")),
            &mut PageState::default(),
        );
        assert!(r.refs.is_empty());
    }

    #[test]
    fn footnotes_are_numbered_across_the_page() {
        let mut page = PageState::default();
        render("a[^x]\n\n[^x]: note\n", &BodyContext { path: "a.md", ..ctx(None) }, &mut page);
        let r = render("b[^x]\n\n[^x]: other\n", &BodyContext { path: "b.md", ..ctx(None) }, &mut page);
        assert!(r.html.contains("href=\"#fn-2\""), "{}", r.html);
        assert!(r.html.contains("id=\"fn-2\""));
    }

    #[test]
    fn tables_render() {
        let r = render("| a | b |\n|---|---|\n| 1 | 2 |\n", &ctx(None), &mut PageState::default());
        assert!(
            r.html.contains("<div class=\"table-wrap\" role=\"region\" aria-label=\"Table\" tabindex=\"0\"><table>"),
            "{}",
            r.html
        );
    }

    #[test]
    fn slugify_joins_words() {
        assert_eq!(slugify("Good practice, key lessons!"), "good-practice-key-lessons");
        assert_eq!(slugify("Éire 2"), "éire-2");
    }
}
