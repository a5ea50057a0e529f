//! The CommonMark 0.31.2 spec examples (tests/data/commonmark-0.31.2.json)
//! rendered by `wingreport::markdown::render_standalone` and compared with
//! the spec's HTML after normalising both (see `normalise`).
//!
//! Every example must pass except the two lists below: `INTENTIONAL`
//! (differences we choose, each with its reason, checked where it can be)
//! and `KNOWN_FAILING` (bugs being fixed; the lead empties it). Both lists
//! are kept honest: an example in either that starts passing fails the test
//! until it is removed from the list.

use scraper::{ElementRef, Html, Node};
use serde::Deserialize;

#[derive(Deserialize)]
struct Example {
    markdown: String,
    html: String,
    example: u32,
    section: String,
}

/// Why an example is allowed to differ from the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    /// Raw HTML is sanitised (scripts, comments, unknown tags and attributes
    /// removed), so it cannot come out as written.
    SanitisedRawHtml,
    /// A `#` heading is refused: the front-matter title is a section's heading.
    RefusedH1,
    /// Link and image targets with a scheme other than http(s), mailto and
    /// tel are refused.
    RefusedScheme,
    /// An image without alt text (a raw `<img>` without `alt`) is refused:
    /// screen readers need it.
    RefusedMissingAlt,
    /// A heading that skips a level (a section's first heading `###`, its
    /// title being the level above `##`) is refused: screen-reader users
    /// move through a report by heading level.
    RefusedSkippedLevel,
    /// A raw HTML `<table>` without header cells (`<th>`) is refused: screen
    /// readers announce each cell with its headers.
    RefusedTableWithoutHeaders,
    /// Inline raw HTML that opens an element (`<a href="x">`) and does not
    /// close it in its paragraph is refused: sanitised with the rest of the
    /// section, it would run on through it.
    RefusedUnclosedInline,
    /// A raw HTML block that ends inside a tag (`<div id="foo"` and no `>`)
    /// is refused: sanitised, the tag would swallow the markup after it.
    RefusedUnfinishedTag,
}

use Reason::{
    RefusedH1, RefusedMissingAlt, RefusedScheme, RefusedSkippedLevel, RefusedTableWithoutHeaders,
    RefusedUnclosedInline, RefusedUnfinishedTag, SanitisedRawHtml,
};

const INTENTIONAL: &[(u32, Reason)] = &[
    (10, RefusedH1),
    (62, RefusedH1),
    (66, RefusedH1),
    (67, RefusedH1),
    (68, RefusedH1),
    (72, RefusedH1),
    (73, RefusedSkippedLevel),
    (74, RefusedSkippedLevel),
    (75, RefusedH1),
    (76, RefusedH1),
    (78, RefusedH1),
    (79, RefusedH1),
    (80, RefusedH1),
    (81, RefusedH1),
    (82, RefusedH1),
    (83, RefusedH1),
    (84, RefusedH1),
    (115, RefusedH1),
    (141, RefusedH1),
    (148, RefusedTableWithoutHeaders),
    (149, RefusedTableWithoutHeaders),
    (150, SanitisedRawHtml),
    (156, RefusedUnfinishedTag),
    (157, RefusedUnfinishedTag),
    (160, RefusedTableWithoutHeaders),
    (163, SanitisedRawHtml),
    (169, SanitisedRawHtml),
    (170, SanitisedRawHtml),
    (171, SanitisedRawHtml),
    (172, SanitisedRawHtml),
    (173, SanitisedRawHtml),
    (176, SanitisedRawHtml),
    (177, SanitisedRawHtml),
    (178, SanitisedRawHtml),
    (179, SanitisedRawHtml),
    (180, SanitisedRawHtml),
    (182, SanitisedRawHtml),
    (183, SanitisedRawHtml),
    (187, RefusedUnclosedInline),
    (190, RefusedTableWithoutHeaders),
    (191, RefusedTableWithoutHeaders),
    (201, SanitisedRawHtml),
    (214, RefusedH1),
    (215, RefusedH1),
    (227, RefusedH1),
    (228, RefusedH1),
    (229, RefusedH1),
    (230, RefusedH1),
    (232, RefusedH1),
    (300, RefusedH1),
    (308, SanitisedRawHtml),
    (309, SanitisedRawHtml),
    (344, RefusedUnclosedInline),
    (475, RefusedMissingAlt),
    (476, RefusedUnclosedInline),
    (477, RefusedUnclosedInline),
    (491, SanitisedRawHtml),
    (494, RefusedUnclosedInline),
    (524, SanitisedRawHtml),
    (536, SanitisedRawHtml),
    (581, RefusedMissingAlt),
    (596, RefusedScheme),
    (598, RefusedScheme),
    (599, RefusedScheme),
    (601, RefusedScheme),
    (613, SanitisedRawHtml),
    (614, SanitisedRawHtml),
    (615, SanitisedRawHtml),
    (616, SanitisedRawHtml),
    (617, SanitisedRawHtml),
    (625, SanitisedRawHtml),
    (626, SanitisedRawHtml),
    (627, SanitisedRawHtml),
    (628, SanitisedRawHtml),
    (629, SanitisedRawHtml),
    (630, RefusedUnclosedInline),
    (631, RefusedUnclosedInline),
    (642, RefusedUnclosedInline),
    (643, RefusedUnclosedInline),
    (646, RefusedSkippedLevel),
    (647, RefusedSkippedLevel),
];

/// Differences that are bugs, with what goes wrong. The lead is fixing the
/// renderer and empties this list as they are fixed.
const KNOWN_FAILING: &[(u32, &str)] = &[];

fn examples() -> Vec<Example> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/commonmark-0.31.2.json");
    let text = std::fs::read_to_string(path).expect("vendored spec examples");
    serde_json::from_str(&text).expect("spec examples parse")
}

const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "html",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// A canonical text form of an HTML fragment, in which these differences
/// vanish:
/// - markup spelling (entities, quoting, attribute order, `<br />` vs
///   `<br>`): both sides are parsed by html5ever and re-serialised;
/// - whitespace outside `<pre>`: runs collapse to one space and whitespace
///   next to block tags is dropped, as the spec's own normalize.py does;
/// - what our renderer adds on top of CommonMark: `id` on headings, the
///   `code` class on `<pre>`, syntax-highlighting `<span>`s inside `<pre>`
///   (their text is kept), scrolling wrappers (`<div class="…-wrap">`)
///   around tables and code, whose children are kept, the `bare-url`
///   class on a link written as its address, and the `long-word` span
///   that lets print break a word of 30 characters or more (its text is kept).
///
/// The language class on `<code>` is kept: it is what the spec checks.
fn normalise(html: &str) -> String {
    let doc = Html::parse_fragment(html);
    let mut out = String::new();
    walk(doc.root_element(), false, &mut out);
    tidy_block_whitespace(&out)
}

fn walk(node: ElementRef, in_pre: bool, out: &mut String) {
    for child in node.children() {
        match child.value() {
            Node::Text(text) if in_pre => out.push_str(&escape(text)),
            Node::Text(text) => {
                let collapsed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
                let lead = text.starts_with(char::is_whitespace) && !collapsed.is_empty();
                let trail = text.ends_with(char::is_whitespace);
                if lead || (collapsed.is_empty() && trail) {
                    out.push(' ');
                }
                out.push_str(&escape(&collapsed));
                if trail && !collapsed.is_empty() {
                    out.push(' ');
                }
            }
            Node::Element(el) => {
                let Some(child) = ElementRef::wrap(child) else { continue };
                let name = el.name();
                let is_wrapper = name == "div" && el.classes().any(|c| c.ends_with("-wrap"));
                let is_highlight = in_pre && name == "span";
                let is_long_word = name == "span" && el.classes().eq(["long-word"]);
                if is_wrapper || is_highlight || is_long_word {
                    walk(child, in_pre, out);
                    continue;
                }
                let heading = matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6");
                let mut attrs: Vec<(String, String)> = el
                    .attrs()
                    .filter(|(k, _)| !(heading && *k == "id"))
                    .filter_map(|(k, v)| {
                        if name == "a" && k == "class" && v == "bare-url" {
                            return None;
                        }
                        if name == "pre" && k == "class" {
                            let kept: Vec<&str> = v.split_whitespace().filter(|c| *c != "code").collect();
                            return (!kept.is_empty()).then(|| (k.to_string(), kept.join(" ")));
                        }
                        Some((k.to_string(), v.to_string()))
                    })
                    .collect();
                attrs.sort();
                out.push('<');
                out.push_str(name);
                for (k, v) in &attrs {
                    out.push_str(&format!(" {k}=\"{}\"", escape(v)));
                }
                out.push('>');
                walk(child, in_pre || name == "pre", out);
                if !is_void(name) {
                    out.push_str(&format!("</{name}>"));
                }
            }
            Node::Comment(c) => out.push_str(&format!("<!--{}-->", &**c)),
            _ => {}
        }
    }
}

fn is_void(name: &str) -> bool {
    matches!(name, "br" | "hr" | "img" | "input" | "meta" | "link" | "area" | "base" | "col" | "embed" | "source")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Drops single spaces that touch a block tag (`<p>`, `</li>`...), so that
/// line breaks between blocks do not count. `<pre>` content never ends in
/// such a space: its text is kept as written, newlines included.
fn tidy_block_whitespace(s: &str) -> String {
    let is_block_tag = |tag: &str| {
        let name = tag.trim_start_matches(['<', '/']).split([' ', '>']).next().unwrap_or("");
        BLOCK_TAGS.contains(&name)
    };
    let mut tokens: Vec<String> = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |i| i + 1);
            tokens.push(rest[..end].to_string());
            rest = &rest[end..];
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            tokens.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    let mut in_pre = 0usize;
    for i in 0..tokens.len() {
        let token = tokens[i].clone();
        if token.starts_with("<pre") {
            in_pre += 1;
        } else if token == "</pre>" {
            in_pre = in_pre.saturating_sub(1);
        } else if !token.starts_with('<') && in_pre == 0 {
            let before_block = tokens.get(i + 1).is_some_and(|t| t.starts_with('<') && is_block_tag(t));
            let after_block = i > 0 && tokens[i - 1].starts_with('<') && is_block_tag(&tokens[i - 1]);
            let mut text = token.as_str();
            if after_block || i == 0 {
                text = text.trim_start();
            }
            if before_block || i + 1 == tokens.len() {
                text = text.trim_end();
            }
            tokens[i] = text.to_string();
        }
    }
    tokens.concat()
}

struct Outcome {
    example: u32,
    passed: bool,
    diagnostics: Vec<String>,
    detail: String,
}

fn run(example: &Example) -> Outcome {
    let (html, diagnostics) = wingreport::markdown::render_standalone(&example.markdown);
    let expected = normalise(&example.html);
    let actual = normalise(&html);
    Outcome {
        example: example.example,
        passed: expected == actual && diagnostics.is_empty(),
        diagnostics: diagnostics.iter().map(|d| d.message.clone()).collect(),
        detail: format!(
            "example {} ({}):\n--- markdown\n{}--- expected\n{expected}\n--- actual\n{actual}\n--- diagnostics\n{diagnostics:?}\n",
            example.example, example.section, example.markdown
        ),
    }
}

#[test]
fn commonmark_spec_examples_pass_except_documented_ones() {
    let examples = examples();
    assert_eq!(examples.len(), 652, "the vendored spec has 652 examples");
    let mut problems = Vec::new();
    let mut passed = 0;
    for example in &examples {
        let outcome = run(example);
        let intentional = INTENTIONAL.iter().find(|(n, _)| *n == outcome.example).map(|(_, r)| *r);
        let known = KNOWN_FAILING.iter().any(|(n, _)| *n == outcome.example);
        if outcome.passed {
            passed += 1;
        }
        match (outcome.passed, intentional, known) {
            (true, None, false) | (false, None, true) => {}
            (true, _, _) => problems.push(format!(
                "example {} passes now: remove it from {}",
                outcome.example,
                if known { "KNOWN_FAILING" } else { "INTENTIONAL" }
            )),
            (false, Some(reason), _) => {
                if let Err(why) = reason_holds(reason, example, &outcome) {
                    problems.push(format!(
                        "example {}: listed as {reason:?} but {why}\n{}",
                        outcome.example, outcome.detail
                    ));
                }
            }
            (false, None, false) => problems.push(outcome.detail),
        }
    }
    println!(
        "CommonMark 0.31.2: {passed} of {} examples pass; {} intentional differences; {} known failing",
        examples.len(),
        INTENTIONAL.len(),
        KNOWN_FAILING.len()
    );
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

/// Checks that an intentional difference has the cause it is listed with.
fn reason_holds(reason: Reason, example: &Example, outcome: &Outcome) -> Result<(), String> {
    let refused = |needle: &str| outcome.diagnostics.iter().any(|d| d.contains(needle));
    let holds = match reason {
        Reason::SanitisedRawHtml => example.markdown.contains('<'),
        Reason::RefusedH1 => refused("`#` heading"),
        Reason::RefusedSkippedLevel => refused("skips a level"),
        Reason::RefusedTableWithoutHeaders => refused("has no header cells"),
        Reason::RefusedUnclosedInline => refused("is not closed in its paragraph"),
        Reason::RefusedScheme => refused("link"),
        Reason::RefusedMissingAlt => refused("alt text"),
        Reason::RefusedUnfinishedTag => refused("is not finished"),
    };
    if holds { Ok(()) } else { Err(format!("the cause is not there (diagnostics: {:?})", outcome.diagnostics)) }
}

#[test]
fn lists_name_each_example_once() {
    let mut numbers: Vec<u32> =
        INTENTIONAL.iter().map(|(n, _)| *n).chain(KNOWN_FAILING.iter().map(|(n, _)| *n)).collect();
    let count = numbers.len();
    numbers.sort_unstable();
    numbers.dedup();
    assert_eq!(numbers.len(), count, "an example is listed twice");
}

#[test]
fn normalise_ignores_markup_spelling_and_our_additions() {
    assert_eq!(normalise("<p>a &quot;b&quot;</p>\n<hr />"), normalise("<p>a \"b\"</p><hr>"));
    assert_eq!(normalise("<h2 id=\"x\">T</h2>"), normalise("<h2>T</h2>"));
    assert_eq!(
        normalise("<pre class=\"code\"><code class=\"language-rust\"><span class=\"hl-k\">fn</span>\n</code></pre>"),
        normalise("<pre><code class=\"language-rust\">fn\n</code></pre>")
    );
    assert_eq!(normalise("<div class=\"table-wrap\"><table></table></div>"), normalise("<table></table>"));
    assert_eq!(normalise("<a class=\"bare-url\" href=\"x\">x</a>"), normalise("<a href=\"x\">x</a>"));
    assert_eq!(normalise("<p><span class=\"long-word\">abc</span></p>"), normalise("<p>abc</p>"));
}

#[test]
fn normalise_keeps_real_differences() {
    assert_ne!(normalise("<pre><code>a  b\n</code></pre>"), normalise("<pre><code>a b\n</code></pre>"));
    assert_ne!(normalise("<code class=\"language-f\">x</code>"), normalise("<code class=\"language-föö\">x</code>"));
    assert_ne!(normalise("<p>a</p>"), normalise("<p>a b</p>"));
    assert_ne!(normalise("<em>a</em>"), normalise("<strong>a</strong>"));
}
