//! Narrative as authors really write it, built in memory on a copy of the
//! bundled project with one extra free page: typography pasted from Word,
//! citations next to code, links and images, and the mistakes that must be
//! errors at their line rather than silently published.

mod common;

use common::*;
use wingreport::build::{Failure, generate};
use wingreport::diagnostics::Diagnostic;

const PAGE: &str = "content/pages/field-notes.md";
const OUTPUT: &str = "pages/field-notes/index.html";
/// Front matter takes three lines, so the body starts on line 4.
const FRONT: &str = "---\ntitle: Field notes\n---\n";

/// Builds the bundled project plus a free page with `body`.
fn build_page(body: &str) -> Result<scraper::Html, Vec<Diagnostic>> {
    let dir = bundled_project();
    std::fs::write(dir.path().join(PAGE), format!("{FRONT}{body}")).unwrap();
    match generate(dir.path(), false) {
        Ok(files) => {
            let page = files.iter().find(|f| f.path == OUTPUT).expect("the page is written");
            Ok(scraper::Html::parse_document(std::str::from_utf8(&page.bytes).unwrap()))
        }
        Err(Failure::Content(diags)) => Err(diags),
        Err(other) => panic!("not a content failure: {other:?}"),
    }
}

fn page(body: &str) -> scraper::Html {
    build_page(body).unwrap_or_else(|d| panic!("build failed: {d:#?}"))
}

fn errors(body: &str) -> Vec<Diagnostic> {
    match build_page(body) {
        Ok(_) => panic!("built, but should have failed: {body}"),
        Err(diags) => diags,
    }
}

fn main_text(doc: &scraper::Html) -> String {
    select(doc, "main").iter().map(text).collect()
}

#[test]
fn typography_in_narrative_does_not_panic() {
    let doc = page("Ann & – “x”\n\n&中文字\n\nStaff & residents – “a second chance” [@buck2020].\n");
    let text = main_text(&doc);
    assert!(text.contains("Ann & – “x”"), "{text}");
    assert!(text.contains("&中文字"), "{text}");
    assert!(text.contains("Staff & residents – “a second chance” (Buck, 2020)."), "{text}");
}

#[test]
fn citations_are_read_in_headings_but_not_in_code_links_or_images() {
    let doc = page(concat!(
        "## About @buck2020\n\n",
        "    {{ page.title }} and {{ profile() }}\n\n",
        "````\n```\n{{ profile() }}\n```\n````\n\n",
        "Follow <https://social.example.org/@nokey>, [see @buck2020](https://example.org),\n",
        "&#64;nokey and Mail jo+@example.org.\n\n",
        "![photo by @buck2020](../../static/favicon.svg)\n\n",
        "<div class=\"note\">\n{{ page.title }}\n</div>\n",
    ));
    let heading = &select(&doc, "main h2")[0];
    assert_eq!(text(heading), "About Buck (2020)");
    assert_eq!(select(&doc, "main h2 a.citation").len(), 1);
    let code: Vec<String> = select(&doc, "main pre").iter().map(text).collect();
    assert_eq!(code, ["{{ page.title }} and {{ profile() }}", "``` {{ profile() }} ```"]);
    assert!(select(&doc, "a a").is_empty(), "a link inside a link");
    let link = select(&doc, "a[href='https://example.org']");
    assert_eq!(text(&link[0]), "see @buck2020");
    let img = select(&doc, "main img");
    assert_eq!(img[0].value().attr("alt"), Some("photo by @buck2020"));
    let text = main_text(&doc);
    assert!(text.contains("@nokey and Mail jo+@example.org."), "{text}");
    assert!(text.contains("{{ page.title }}"), "{text}");
}

#[test]
fn a_citation_wrapped_over_two_lines_is_one_citation() {
    let doc = page("As shown [@buck2020;\n@buck2018].\n");
    let paragraphs: Vec<String> = select(&doc, "main p").iter().map(text).collect();
    assert!(paragraphs.contains(&"As shown (Buck, 2020; Buck, 2018).".to_string()), "{paragraphs:?}");
    assert_eq!(select(&doc, "main p a.citation").len(), 2);
}

#[test]
fn pandoc_forms_render_as_pandoc_does() {
    let doc = page("Buck [-@buck2020] and @buck2020 [p. 5] and [@buck2020 p. 12] and [@{buck2018}].\n");
    let text = main_text(&doc);
    assert!(text.contains("Buck (2020) and Buck (2020, p. 5) and (Buck, 2020, p. 12) and (Buck, 2018)."), "{text}");
}

/// Found by a publisher's audit: each box was labelled with its item's
/// words, so a screen reader read every item twice.
#[test]
fn task_list_items_are_read_once() {
    let doc = page("- [ ] Why do you need it?\n- [x] Who will support you?\n");
    let boxes = select(&doc, "main input[type=checkbox]");
    assert!(
        boxes.iter().all(|b| b.value().attr("aria-hidden") == Some("true") && b.value().attr("aria-label").is_none())
    );
    let items: Vec<String> = select(&doc, "main li").iter().map(text).collect();
    assert_eq!(items, ["Why do you need it?", "Done: Who will support you?"]);
}

/// Each mistake is an error at its own line of the page (the body starts on line 4).
#[test]
fn silent_mistakes_are_errors_at_their_line() {
    let cases: &[(&str, usize, &str)] = &[
        ("Few drawbacks[^few-drawbacks].\n", 4, "footnote `[^few-drawbacks]` has no note"),
        ("Text.\n\n[^unused]: A note nobody refers to.\n", 6, "footnote `[^unused]` is never referred to"),
        ("Both [@buck2020, @buck2018].\n", 4, "`@buck2018` is in the locator of `@buck2020`"),
        ("Line\n\n[*see* @buck2020]\n", 6, "a `]` closes a citation bracket"),
        ("Look:\n\n![](https://example.org/pic.png)\n", 6, "has no alt text"),
        (
            "Look:\n\n![A map](https://example.org/map.png)\n",
            6,
            "image `https://example.org/map.png` is on another site",
        ),
        ("Look:\n\n![A map](//example.org/map.png)\n", 6, "image `//example.org/map.png` is on another site"),
        ("Look:\n\n<p>A <img src=\"https://example.org/map.png\" alt=\"map\"></p>\n", 6, "is on another site"),
        ("Look <img src=\"../../static/favicon.svg\"> here.\n", 4, "image `../../static/favicon.svg` has no alt text"),
        ("See {{ roles() }} here.\n", 4, "is inside a paragraph"),
        ("- {{ roles() }}\n", 4, "is inside a paragraph"),
        ("## About @nokey\n", 4, "citation `@nokey` is not in the bibliography"),
    ];
    for (body, line, message) in cases {
        let diags = errors(body);
        let found = diags.iter().find(|d| d.message.contains(message));
        let d = found.unwrap_or_else(|| panic!("{body:?}: no {message:?} in {diags:#?}"));
        assert_eq!((d.path.as_str(), d.line), (PAGE, *line), "{body:?}");
        assert!(d.hint.is_some(), "{body:?}: no hint");
    }
}

/// The column is the unknown key's, not the bracket's: in `[see @a; @b]`
/// the author looks for the key to correct.
#[test]
fn an_unknown_key_in_a_bracket_is_an_error_at_the_key() {
    let body = "As argued before,\nthe wing was tense [see @buck2020, p. 3; @nobody2019].\n";
    let diags = errors(body);
    let d = diags.iter().find(|d| d.message.contains("`@nobody2019`")).unwrap_or_else(|| panic!("{diags:#?}"));
    let col = "the wing was tense [see @buck2020, p. 3; ".chars().count() + 1;
    assert_eq!((d.path.as_str(), d.line, d.col), (PAGE, 5, col));
}

#[test]
fn an_id_in_a_front_matter_title_is_an_error() {
    let dir = bundled_project();
    std::fs::write(dir.path().join(PAGE), "---\ntitle: Field notes {#sec-notes}\n---\nText.\n").unwrap();
    let Err(Failure::Content(diags)) = generate(dir.path(), false) else { panic!("should fail") };
    assert!(diags.iter().any(|d| d.path == PAGE && d.message.contains("{#sec-notes}")), "{diags:#?}");
}

#[test]
fn a_failed_build_with_typography_keeps_the_previous_output() {
    let dir = bundled_project();
    let out = build(dir.path(), &["--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let before = snapshot(&dir.path().join("output"));
    std::fs::write(dir.path().join(PAGE), format!("{FRONT}Ann & – “x” [@nokey]\n")).unwrap();
    let out = build(dir.path(), &["--quiet"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("{PAGE}:4:")), "{}", stderr(&out));
    assert_eq!(before, snapshot(&dir.path().join("output")));
}

#[test]
fn a_table_shortcode_takes_a_caption_as_the_readme_says() {
    let dir = bundled_project();
    edit(
        dir.path(),
        "content/sites/drake-hall/01-introduction.md",
        "{{ table(key=\"staff-team\", id=\"tbl-staff-team\") }}",
        "{{ table(key=\"staff-team\", id=\"tbl-staff-team\", caption=\"Staff at the Hamlet\") }}",
    );
    let files = generate(dir.path(), false).unwrap_or_else(|e| panic!("{e:?}"));
    let page = files.iter().find(|f| f.path == "sites/drake-hall/index.html").unwrap();
    let doc = scraper::Html::parse_document(std::str::from_utf8(&page.bytes).unwrap());
    let captions: Vec<String> = select(&doc, "figure figcaption").iter().map(text).collect();
    assert!(captions.iter().any(|c| c.ends_with(": Staff at the Hamlet")), "{captions:?}");
}
