//! Search index: turns rendered report sections into plain-text search
//! documents and renders them as `static/search-index.js`, a script the
//! theme's `search.js` loads (a script, not fetched JSON, so search works
//! from `file://`). Pure functions over strings; no I/O.
//!
//! Wiring, for `render`: for each page with sections, call
//! [`docs_for_page`] with the page's title, its path relative to the
//! output root and its sections as `(number, title, id, html)`; collect
//! the documents of all pages in page order and push
//! [`index_file`]`(&docs)` with the other output files.

use std::borrow::Cow;

use serde::Serialize;

use crate::render::OutputFile;

/// Where the index is written, relative to the output root.
pub const INDEX_PATH: &str = "static/search-index.js";

/// The global the index script assigns; `search.js` reads it.
pub const INDEX_GLOBAL: &str = "window.wingreportSearch";

/// One searchable piece of a page: a section's own text (before its first
/// subsection) or one `##` subsection.
#[derive(Debug, Clone, Serialize)]
pub struct SearchDoc {
    /// Title of the report (or page) the text is on.
    pub report: String,
    /// Section label as the reader sees it: "2.1 Peer involvement across the programme".
    pub section: String,
    /// Link relative to the output root: "sites/drake-hall/index.html#findings".
    pub href: String,
    /// Plain text, whitespace collapsed.
    pub text: String,
}

/// The index script: `window.wingreportSearch = [...];` with the documents
/// as compact JSON in the order given (so the same input gives the same
/// bytes). `</` is written `<\/` and U+2028/U+2029 as `\u2028`/`\u2029`,
/// so the text can neither end a `<script>` nor break an older JS parser.
pub fn index_file(docs: &[SearchDoc]) -> OutputFile {
    let mut json = serde_json::to_string(docs).expect("search docs serialise");
    // `<`, U+2028 and U+2029 only occur inside JSON strings, where `\/` and
    // `\uXXXX` are valid escapes meaning the same characters.
    if json.contains("</") {
        json = json.replace("</", "<\\/");
    }
    if json.contains(['\u{2028}', '\u{2029}']) {
        json = json.replace('\u{2028}', "\\u2028").replace('\u{2029}', "\\u2029");
    }
    let mut js = String::with_capacity(json.len() + 100);
    js.push_str("/* wingreport search index: generated, do not edit. */\n");
    js.push_str(INDEX_GLOBAL);
    js.push_str(" = ");
    js.push_str(&json);
    js.push_str(";\n");
    OutputFile { path: INDEX_PATH.to_string(), bytes: js.into_bytes() }
}

/// The search documents of one page.
///
/// `sections` holds `(number, title, id, html)` per section, as in
/// `SectionView`: `number` is "2", "Appendix A" or `None`; `id` the
/// section's anchor ("" when the page has none: the link then points at
/// the page itself); `html` the rendered body without the section heading.
///
/// Each section gives one document for its text before its first
/// subsection (labelled "2 Findings at the Hamlet"), then one per
/// subsection: the body is split at its shallowest headings that carry
/// an `id` (the `##` headings, `<h3>` in a report, `<h2>` on a free
/// page), each labelled by its heading text ("2.1 Peer involvement across
/// the programme") and holding everything up to the next such heading,
/// deeper headings included. Empty subsections are still listed, so a
/// heading alone can be found.
pub fn docs_for_page(report: &str, page_href: &str, sections: &[(Option<&str>, &str, &str, &str)]) -> Vec<SearchDoc> {
    let link = |id: &str| if id.is_empty() { page_href.to_string() } else { format!("{page_href}#{id}") };
    let mut docs = Vec::new();
    for (number, title, id, html) in sections {
        let headings = subsection_headings(html);
        let intro_end = headings.first().map_or(html.len(), |h| h.start);
        let section = match number {
            Some(n) if !n.is_empty() => format!("{n} {title}"),
            _ => title.to_string(),
        };
        docs.push(SearchDoc {
            report: report.to_string(),
            section: collapse(&section),
            href: link(id),
            text: plain_text(&html[..intro_end]),
        });
        for (i, h) in headings.iter().enumerate() {
            let end = headings.get(i + 1).map_or(html.len(), |next| next.start);
            docs.push(SearchDoc {
                report: report.to_string(),
                section: plain_text(&html[h.inner.clone()]),
                href: link(&h.id),
                text: plain_text(&html[h.end..end]),
            });
        }
    }
    docs
}

/// A heading found in section HTML: byte ranges of the whole element and
/// of its content, and its `id`.
struct FoundHeading {
    start: usize,
    end: usize,
    inner: std::ops::Range<usize>,
    id: String,
}

/// The headings `<hN id="...">` of the shallowest level that has any,
/// outside `<svg>`, `<script>`, `<style>` and comments.
fn subsection_headings(html: &str) -> Vec<FoundHeading> {
    let mut found: Vec<(u8, FoundHeading)> = Vec::new();
    let mut pos = 0;
    while let Some(tag) = next_tag(html, pos) {
        pos = tag.end;
        if tag.closing {
            continue;
        }
        if let Some(skip_to) = skip_element(html, &tag) {
            pos = skip_to;
            continue;
        }
        let name = tag.name.as_bytes();
        if name.len() == 2 && name[0] == b'h' && (b'1'..=b'6').contains(&name[1]) {
            let Some(id) = attr(&html[tag.start..tag.end], "id") else { continue };
            let close = format!("</{}", tag.name);
            let Some(close_at) = find_ci(html, tag.end, &close) else { continue };
            let end = html[close_at..].find('>').map_or(html.len(), |i| close_at + i + 1);
            found.push((
                name[1],
                FoundHeading { start: tag.start, end, inner: tag.end..close_at, id: decode(&id).into_owned() },
            ));
            pos = end;
        }
    }
    let Some(level) = found.iter().map(|(l, _)| *l).min() else { return Vec::new() };
    found.into_iter().filter(|(l, _)| *l == level).map(|(_, h)| h).collect()
}

/// The readable text of an HTML fragment: tags removed; `<svg>`,
/// `<script>`, `<style>`, `<template>` and comments dropped with their
/// content, as are footnote markers and back-links
/// (`class="footnote-ref"`/`"footnote-back"`) and `aria-hidden="true"`
/// elements; entities decoded (the named ones wingreport and its
/// sanitiser write, plus numeric ones); whitespace collapsed to single
/// spaces. Block-level tags separate words, inline ones (`em`, `a`,
/// `span`...) do not, so `peer<em>s</em>` stays "peers".
///
/// A hand-written scanner rather than an HTML parser: the input is
/// wingreport's own rendered, already sanitised HTML, and this runs over
/// every section of every report on each build.
pub fn plain_text(html: &str) -> String {
    let mut raw = String::with_capacity(html.len() / 2);
    let mut pos = 0;
    while pos < html.len() {
        let Some(tag) = next_tag(html, pos) else {
            raw.push_str(&decode(&html[pos..]));
            break;
        };
        raw.push_str(&decode(&html[pos..tag.start]));
        pos = tag.end;
        if !tag.closing
            && let Some(skip_to) = skip_element(html, &tag)
        {
            pos = skip_to;
        }
        if !is_inline(&tag.name) {
            raw.push(' ');
        }
    }
    collapse(&raw)
}

fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// A tag, comment or doctype at `start..end` (end after the `>`).
/// `name` is lower-cased and empty for comments and declarations.
struct Tag<'a> {
    start: usize,
    end: usize,
    name: Cow<'a, str>,
    closing: bool,
    self_closing: bool,
}

/// The next markup construct at or after `from`. A `<` not followed by a
/// letter, `/` or `!` is text and is skipped over.
fn next_tag(html: &str, from: usize) -> Option<Tag<'_>> {
    let bytes = html.as_bytes();
    let mut search = from;
    loop {
        let start = search + html[search..].find('<')?;
        let rest = &bytes[start + 1..];
        match rest.first() {
            Some(b'!') => {
                let end = if rest.starts_with(b"!--") {
                    html[start + 4..].find("-->").map_or(html.len(), |i| start + 4 + i + 3)
                } else {
                    html[start..].find('>').map_or(html.len(), |i| start + i + 1)
                };
                return Some(Tag { start, end, name: Cow::Borrowed(""), closing: false, self_closing: true });
            }
            Some(b'/') if rest.get(1).is_some_and(u8::is_ascii_alphabetic) => {
                let (name, end) = scan_tag(html, start + 2);
                return Some(Tag { start, end, name, closing: true, self_closing: false });
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let (name, end) = scan_tag(html, start + 1);
                let self_closing = html[..end].ends_with("/>");
                return Some(Tag { start, end, name, closing: false, self_closing });
            }
            _ => search = start + 1,
        }
    }
}

/// Reads a tag name from `name_start`, then skips attributes (quoted
/// values may hold `>`) to just after the closing `>`.
fn scan_tag(html: &str, name_start: usize) -> (Cow<'_, str>, usize) {
    let bytes = html.as_bytes();
    let mut i = name_start;
    while i < bytes.len() && !matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>') {
        i += 1;
    }
    let name = &html[name_start..i];
    let name = if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    };
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return (name, i + 1),
            None => {}
        }
        i += 1;
    }
    (name, html.len())
}

/// The value of attribute `name` in the opening tag text `tag`, undecoded.
fn attr(tag: &str, name: &str) -> Option<String> {
    let bytes = tag.as_bytes();
    // Skip `<` and the tag name.
    let mut i = 1;
    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' && bytes[i] != b'/' {
        i += 1;
    }
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] == b'>' {
            return None;
        }
        let key_start = i;
        while i < bytes.len() && !matches!(bytes[i], b'=' | b'>' | b'/') && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let key = &tag[key_start..i];
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let value = if bytes.get(i) == Some(&b'=') {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            match bytes.get(i) {
                Some(&q) if q == b'"' || q == b'\'' => {
                    let value_start = i + 1;
                    let value_end = tag[value_start..].find(q as char).map_or(tag.len(), |j| value_start + j);
                    i = (value_end + 1).min(tag.len());
                    &tag[value_start..value_end]
                }
                _ => {
                    let value_start = i;
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                        i += 1;
                    }
                    &tag[value_start..i]
                }
            }
        } else {
            ""
        };
        if key.eq_ignore_ascii_case(name) {
            return Some(value.to_string());
        }
    }
}

/// When the element opened by `tag` is to be dropped with its content,
/// the position just after its end tag.
fn skip_element(html: &str, tag: &Tag) -> Option<usize> {
    if tag.name.is_empty() || tag.self_closing || is_void(&tag.name) {
        return None;
    }
    let open = &html[tag.start..tag.end];
    let dropped = match tag.name.as_ref() {
        "svg" | "script" | "style" | "template" | "math" => true,
        // Substring checks first: most tags have neither attribute.
        _ if !open.contains("aria-hidden") && !open.contains("footnote-") => false,
        _ => {
            attr(open, "aria-hidden").is_some_and(|v| v.eq_ignore_ascii_case("true"))
                || attr(open, "class").is_some_and(|c| {
                    c.split_ascii_whitespace().any(|class| class == "footnote-ref" || class == "footnote-back")
                })
        }
    };
    if !dropped {
        return None;
    }
    if matches!(tag.name.as_ref(), "script" | "style") {
        // Raw text: the first end tag closes it, whatever precedes it.
        let close = find_ci(html, tag.end, &format!("</{}", tag.name))?;
        return Some(html[close..].find('>').map_or(html.len(), |i| close + i + 1));
    }
    // Count nested elements of the same name to find the matching end tag.
    let mut depth = 1;
    let mut pos = tag.end;
    while let Some(inner) = next_tag(html, pos) {
        pos = inner.end;
        if inner.name == tag.name {
            if inner.closing {
                depth -= 1;
                if depth == 0 {
                    return Some(pos);
                }
            } else if !inner.self_closing {
                depth += 1;
            }
        }
    }
    Some(html.len())
}

/// Position of `needle` (ASCII) in `html` at or after `from`, ignoring ASCII case.
fn find_ci(html: &str, from: usize, needle: &str) -> Option<usize> {
    let hay = html.as_bytes();
    let needle = needle.as_bytes();
    (from..hay.len().saturating_sub(needle.len() - 1)).find(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Elements that sit inside a line of text, so their tags do not separate words.
fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "a" | "abbr"
            | "b"
            | "bdi"
            | "bdo"
            | "cite"
            | "code"
            | "data"
            | "del"
            | "dfn"
            | "em"
            | "i"
            | "ins"
            | "kbd"
            | "mark"
            | "q"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strong"
            | "sub"
            | "sup"
            | "time"
            | "u"
            | "var"
            | "wbr"
    ) || name.is_empty()
}

/// Decodes character references: `&amp; &lt; &gt; &quot; &#39; &apos;
/// &nbsp;` and numeric `&#NN;`/`&#xHH;`. Anything else is left as written.
fn decode(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let semi = rest[..rest.len().min(12)].find(';');
        let decoded = semi.and_then(|semi| {
            let name = &rest[1..semi];
            let ch = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => {
                    let code = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                        u32::from_str_radix(hex, 16).ok()
                    } else if let Some(dec) = name.strip_prefix('#') {
                        dec.parse::<u32>().ok()
                    } else {
                        None
                    };
                    code.and_then(char::from_u32).filter(|&c| c != '\0')
                }
            }?;
            Some((ch, semi + 1))
        });
        match decoded {
            Some((ch, len)) => {
                out.push(ch);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> SearchDoc {
        SearchDoc {
            report: "CFO Hamlet Peer mentor initiative at HMP Drake Hall".into(),
            section: "2.1 Peer involvement across the programme".into(),
            href: "sites/drake-hall/index.html#peer-involvement-across-the-programme".into(),
            text: text.into(),
        }
    }

    /// The JSON array inside the index script, parsed.
    fn parse_index(file: &OutputFile) -> serde_json::Value {
        let js = std::str::from_utf8(&file.bytes).unwrap();
        let body = js.split_once("\nwindow.wingreportSearch = ").expect("assigns the global").1;
        let json = body.strip_suffix(";\n").expect("ends with ;");
        serde_json::from_str(json).expect("valid JSON")
    }

    #[test]
    fn index_file_is_a_script_assigning_the_docs_as_json() {
        let file = index_file(&[doc("Peer mentors welcome newcomers."), doc("Second")]);
        assert_eq!(file.path, "static/search-index.js");
        let value = parse_index(&file);
        let docs = value.as_array().unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0]["report"], "CFO Hamlet Peer mentor initiative at HMP Drake Hall");
        assert_eq!(docs[0]["section"], "2.1 Peer involvement across the programme");
        assert_eq!(docs[0]["href"], "sites/drake-hall/index.html#peer-involvement-across-the-programme");
        assert_eq!(docs[0]["text"], "Peer mentors welcome newcomers.");
        assert_eq!(docs[1]["text"], "Second");
    }

    #[test]
    fn index_file_cannot_end_a_script_element() {
        let nasty = "a </script><script>alert(1)</script> b </SCRIPT> \u{2028} \"quoted\" \\ <!-- c";
        let file = index_file(&[doc(nasty)]);
        let js = std::str::from_utf8(&file.bytes).unwrap();
        assert!(!js.contains("</"), "{js}");
        assert!(!js.contains('\u{2028}'));
        assert!(js.contains("<\\/script>"));
        // The escapes mean the same text.
        assert_eq!(parse_index(&file)[0]["text"], nasty);
    }

    #[test]
    fn index_file_is_deterministic_and_keeps_order() {
        let docs = [doc("b"), doc("a"), doc("ü ✓ “quotes”")];
        let one = index_file(&docs);
        let two = index_file(&docs.clone());
        assert_eq!(one, two);
        let texts: Vec<_> = parse_index(&one).as_array().unwrap().iter().map(|d| d["text"].clone()).collect();
        assert_eq!(texts, ["b", "a", "ü ✓ “quotes”"]);
    }

    #[test]
    fn empty_index_is_an_empty_array() {
        assert_eq!(parse_index(&index_file(&[])), serde_json::json!([]));
    }

    #[test]
    fn plain_text_strips_tags_and_collapses_whitespace() {
        let html = "<p>Peer   mentors\n<em>support</em> residents.</p>\n<ul><li>One</li><li>Two</li></ul><p>End</p>";
        assert_eq!(plain_text(html), "Peer mentors support residents. One Two End");
    }

    #[test]
    fn inline_tags_do_not_split_words_but_blocks_do() {
        assert_eq!(plain_text("peer<em>s</em> and <a href=\"#x\">link</a>ed"), "peers and linked");
        assert_eq!(plain_text("<td>a</td><td>b</td><br>c<hr/>d"), "a b c d");
    }

    #[test]
    fn plain_text_decodes_basic_and_numeric_entities() {
        assert_eq!(
            plain_text("<p>Tom &amp; Jerry &lt;3 &gt; &quot;x&quot; it&#39;s&nbsp;here &#x2713; &#8211; &apos;</p>"),
            "Tom & Jerry <3 > \"x\" it's here ✓ – '"
        );
        // Unknown or broken references stay as written.
        assert_eq!(plain_text("R&D &copy; &#xZZ; & done &"), "R&D &copy; &#xZZ; & done &");
    }

    #[test]
    fn plain_text_drops_svg_script_style_and_comments() {
        let html = concat!(
            "<p>Before</p>",
            "<svg role=\"img\" viewBox=\"0 0 10 10\"><title>Chart title</title><svg><text>nested</text></svg>",
            "<text x=\"1\">Label</text></svg>",
            "<script>if (a < b && c > d) { x = \"</p>\"; }</script>",
            "<STYLE>p > a { color: red }</STYLE>",
            "<!-- a <b>comment</b> -->",
            "<p>After</p>"
        );
        assert_eq!(plain_text(html), "Before After");
    }

    #[test]
    fn plain_text_drops_footnote_markers_and_hidden_elements() {
        let html = concat!(
            "<p>Buck (2020).<sup class=\"footnote-ref\"><a href=\"#fn-2\" id=\"fnref-2\">2</a></sup> Next.</p>",
            "<div class=\"footnote\" id=\"fn-2\"><span class=\"footnote-label\">2.</span><p>The note.</p>",
            "<a class=\"footnote-back\" href=\"#fnref-2\" aria-label=\"Back\">↩</a></div>",
            "<span aria-hidden=\"true\">✓</span><span class=\"visually-hidden\">Success</span>"
        );
        assert_eq!(plain_text(html), "Buck (2020). Next. 2. The note. Success");
    }

    #[test]
    fn plain_text_keeps_quoted_angle_brackets_in_attributes_out() {
        assert_eq!(plain_text("<a title=\"a > b\" href='x>y'>text</a> < 5 and 3 <b>x</b>"), "text < 5 and 3 x");
        assert_eq!(plain_text("unclosed <p class=\"x"), "unclosed");
        assert_eq!(plain_text(""), "");
    }

    #[test]
    fn docs_for_page_splits_sections_at_their_subsections() {
        let findings = concat!(
            "<p>Intro &amp; overview.</p>\n",
            "<h3 id=\"peer-involvement-across-the-programme\"><span class=\"secno\">2.1</span> Peer involvement across the programme</h3>\n",
            "<p>Many women join.</p>\n",
            "<h4 id=\"phase-1\"><span class=\"secno\">2.1.1</span> Phase 1</h4><p>The course.</p>\n",
            "<h3 id=\"impact\"><span class=\"secno\">2.2</span> Impact</h3>\n<p>Mentors grew.</p>"
        );
        let sections = [
            (Some("1"), "Introduction", "introduction", "<p>Hello.</p>"),
            (Some("2"), "Findings at the Hamlet", "findings", findings),
            (Some("Appendix A"), "Method", "method", ""),
        ];
        let docs = docs_for_page("Drake Hall", "sites/drake-hall/index.html", &sections);
        let rows: Vec<(&str, &str, &str)> =
            docs.iter().map(|d| (d.section.as_str(), d.href.as_str(), d.text.as_str())).collect();
        assert_eq!(
            rows,
            [
                ("1 Introduction", "sites/drake-hall/index.html#introduction", "Hello."),
                ("2 Findings at the Hamlet", "sites/drake-hall/index.html#findings", "Intro & overview."),
                (
                    "2.1 Peer involvement across the programme",
                    "sites/drake-hall/index.html#peer-involvement-across-the-programme",
                    "Many women join. 2.1.1 Phase 1 The course."
                ),
                ("2.2 Impact", "sites/drake-hall/index.html#impact", "Mentors grew."),
                ("Appendix A Method", "sites/drake-hall/index.html#method", ""),
            ]
        );
        assert!(docs.iter().all(|d| d.report == "Drake Hall"));
    }

    #[test]
    fn docs_for_a_free_page_without_anchor_link_the_page() {
        let html = "<p>Top.</p><h2 id=\"who\">Who it is for</h2><p>Staff.</p>";
        let sections = [(None, "Guidance", "", html)];
        let docs = docs_for_page("Guidance", "pages/guidance/index.html", &sections);
        assert_eq!(docs[0].section, "Guidance");
        assert_eq!(docs[0].href, "pages/guidance/index.html");
        assert_eq!(docs[0].text, "Top.");
        assert_eq!(docs[1].section, "Who it is for");
        assert_eq!(docs[1].href, "pages/guidance/index.html#who");
        assert_eq!(docs[1].text, "Staff.");
    }

    #[test]
    fn headings_without_ids_or_inside_svg_do_not_split() {
        let html = concat!(
            "<p>A</p><h4 class=\"recommendation-heading\">Not a subsection</h4><p>B</p>",
            "<svg><h3 id=\"fake\">x</h3></svg><h3 id=\"real\">Real</h3><p>C</p>"
        );
        let sections = [(Some("3"), "Lessons", "lessons", html)];
        let docs = docs_for_page("R", "r.html", &sections);
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].text, "A Not a subsection B");
        assert_eq!(
            (docs[1].section.as_str(), docs[1].href.as_str(), docs[1].text.as_str()),
            ("Real", "r.html#real", "C")
        );
    }
}
