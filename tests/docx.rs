//! `wingreport docx`: the Drake Hall report as a Word document, read back as
//! the zip of XML it is and checked against the built HTML page; the same
//! bytes on every run; the command's usage errors; and LibreOffice opening
//! it (when installed; CI installs libreoffice-writer).

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use common::*;
use roxmltree::{Document, Node};

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const WP: &str = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing";
const A: &str = "http://schemas.openxmlformats.org/drawingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

fn docx(root: &Path, extra: &[&str]) -> Output {
    wingreport().arg("docx").arg("--root").arg(root).args(extra).output().unwrap()
}

/// Every entry of a .docx by name.
fn entries(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut zip = zip::ZipArchive::new(file).expect("a .docx is a zip");
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (entry.name().to_string(), bytes)
        })
        .collect()
}

/// The Drake Hall report built as HTML and converted once for every test
/// that only reads them.
struct Fixture {
    _dir: tempfile::TempDir,
    html: PathBuf,
    parts: BTreeMap<String, Vec<u8>>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = bundled_project();
        let out = build(dir.path(), &["--output", dir.path().join("site").to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        let out = docx(dir.path(), &["--site", "drake-hall"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let folder = dir.path().join("docx");
        assert!(stderr(&out).contains(&format!("Wrote 1 Word document into {}", folder.display())), "{}", stderr(&out));
        let names: Vec<_> = std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["drake-hall.docx"]);
        let parts = entries(&folder.join("drake-hall.docx"));
        Fixture { html: dir.path().join("site/sites/drake-hall/index.html"), parts, _dir: dir }
    })
}

fn part(name: &str) -> String {
    let bytes = fixture().parts.get(name).unwrap_or_else(|| panic!("the .docx has no {name}"));
    String::from_utf8(bytes.clone()).unwrap()
}

fn is(node: &Node, ns: &str, name: &str) -> bool {
    node.is_element() && node.tag_name().namespace() == Some(ns) && node.tag_name().name() == name
}

fn w_attr<'a>(node: &Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attribute((W, name))
}

/// A paragraph's style id.
fn style<'a>(p: &Node<'a, '_>) -> Option<&'a str> {
    p.descendants().find(|n| is(n, W, "pStyle")).and_then(|s| w_attr(&s, "val"))
}

/// A paragraph's text, whitespace collapsed (footnote marks have none).
fn para_text(p: &Node) -> String {
    let text: String = p.descendants().filter(|n| is(n, W, "t")).filter_map(|t| t.text()).collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// (style, text) of every body paragraph, in order.
fn paragraphs(doc: &Document) -> Vec<(String, String)> {
    doc.descendants().filter(|n| is(n, W, "p")).map(|p| (style(&p).unwrap_or("").to_string(), para_text(&p))).collect()
}

fn styled(doc: &Document, id: &str) -> Vec<String> {
    paragraphs(doc).into_iter().filter(|(s, _)| s == id).map(|(_, t)| t).collect()
}

/// The report's `<main>`, where the document comes from.
fn html_texts(css: &str) -> Vec<String> {
    let page = html(&fixture().html);
    select(&page, &format!("main {css}")).iter().map(text).collect()
}

#[test]
fn headings_carry_word_heading_styles_in_the_pages_order() {
    let xml = part("word/document.xml");
    let doc = Document::parse(&xml).unwrap();
    let page = html(&fixture().html);
    let expected: Vec<(String, String)> = select(&page, "main h2, main h3, main h4, main h5, main h6")
        .iter()
        .map(|h| {
            let level = h.value().name()[1..].parse::<usize>().unwrap() - 1;
            (format!("Heading{level}"), text(h))
        })
        .collect();
    assert!(expected.len() > 20, "the report has its sections: {expected:?}");
    let found: Vec<(String, String)> = paragraphs(&doc).into_iter().filter(|(s, _)| s.starts_with("Heading")).collect();
    assert_eq!(found, expected);
    assert_eq!(styled(&doc, "Title"), html_texts("h1"));

    // The styles are Word's built-in ones by name, with outline levels, so
    // the navigation pane and Insert > Table of Contents find them.
    let styles = part("word/styles.xml");
    let styles = Document::parse(&styles).unwrap();
    for level in 1..=5 {
        let style = styles
            .descendants()
            .find(|n| is(n, W, "style") && w_attr(n, "styleId") == Some(&format!("Heading{level}")))
            .unwrap_or_else(|| panic!("no Heading{level} style"));
        let name = style.children().find(|n| is(n, W, "name")).and_then(|n| w_attr(&n, "val"));
        assert_eq!(name, Some(format!("heading {level}").as_str()));
        let outline = style.descendants().find(|n| is(n, W, "outlineLvl")).and_then(|n| w_attr(&n, "val"));
        assert_eq!(outline, Some((level - 1).to_string().as_str()));
    }

    // The contents list links each section to its heading's bookmark.
    let contents = styled(&doc, "TOC1");
    assert!(contents.iter().any(|t| t.starts_with("2 Findings at the Hamlet")), "{contents:?}");
    let bookmarks: Vec<&str> =
        doc.descendants().filter(|n| is(n, W, "bookmarkStart")).filter_map(|n| w_attr(&n, "name")).collect();
    let anchors: Vec<&str> =
        doc.descendants().filter(|n| is(n, W, "hyperlink")).filter_map(|n| w_attr(&n, "anchor")).collect();
    assert!(anchors.len() > expected.len());
    for anchor in anchors {
        assert!(bookmarks.contains(&anchor), "link to a missing bookmark {anchor}");
    }
}

#[test]
fn tables_and_captions_are_those_of_the_page_with_header_rows() {
    let xml = part("word/document.xml");
    let doc = Document::parse(&xml).unwrap();
    let page = html(&fixture().html);
    let tables = doc.descendants().filter(|n| is(n, W, "tbl")).count();
    assert_eq!(tables, select(&page, "main table").len());
    assert!(tables >= 8, "{tables}");

    let captions = html_texts("figcaption:not(.quote-attribution)");
    assert!(captions.iter().any(|c| c.starts_with("Table 2.1:")), "{captions:?}");
    assert!(captions.iter().any(|c| c.starts_with("Figure A.1:")), "{captions:?}");
    assert_eq!(styled(&doc, "Caption"), captions);
    // The contents go on with the page's lists of figures and of tables,
    // every caption in its list (a researcher's audit found none in Word).
    assert_eq!(styled(&doc, "TOCListTitle"), ["List of figures", "List of tables"]);
    let entries = styled(&doc, "TOC1");
    let listed = entries.iter().skip_while(|e| !e.starts_with("Figure ")).map(|e| e.trim_end()).collect::<Vec<_>>();
    let of = |kind: &'static str| captions.iter().filter(move |c| c.starts_with(kind)).map(String::as_str);
    assert_eq!(listed, of("Figure ").chain(of("Table ")).collect::<Vec<_>>());

    // Each table with a header row repeats it on every page it spans.
    let header_rows: Vec<String> = doc
        .descendants()
        .filter(|n| is(n, W, "tr") && n.descendants().any(|d| is(&d, W, "tblHeader")))
        .map(|tr| tr.descendants().filter(|p| is(p, W, "p")).map(|p| para_text(&p)).collect::<Vec<_>>().join(" | "))
        .collect();
    let expected: Vec<String> =
        select(&page, "main thead tr").iter().map(|tr| select_in(tr, "th, td").join(" | ")).collect();
    assert_eq!(header_rows, expected);

    // No row is cut across two pages (found by an export audit: three
    // rows of the Drake Hall document were, in LibreOffice).
    let rows: Vec<Node> = doc.descendants().filter(|n| is(n, W, "tr")).collect();
    assert!(rows.iter().all(|tr| tr.descendants().any(|d| is(&d, W, "cantSplit"))));
    assert!(!rows.iter().any(|tr| tr.descendants().any(|d| is(&d, W, "trHeight"))), "the header marker is gone");
}

/// Found by QA: LibreOffice broke "SMT Communications Officer" in Table
/// B.1 as "Communication / s", the Role column a twip narrower than the word
/// in bold 10pt DejaVu Sans (1871 twips, set where Arial is missing) with
/// the cell's margins (216).
#[test]
fn the_roles_table_has_room_for_its_longest_word() {
    let xml = part("word/document.xml");
    let doc = Document::parse(&xml).unwrap();
    let table = doc
        .descendants()
        .find(|n| is(n, W, "tbl") && n.descendants().any(|t| is(&t, W, "t") && t.text() == Some("Representation")))
        .expect("Table B.1, the roles table");
    let widths: Vec<u32> = table
        .descendants()
        .filter(|n| is(n, W, "gridCol"))
        .map(|col| w_attr(&col, "w").unwrap().parse().unwrap())
        .collect();
    assert_eq!(widths.len(), 6, "{widths:?}");
    assert!(widths[0] >= 1871 + 216, "the Role column: {widths:?}");
}

/// Found by an export audit: the contents listed page numbers that no page
/// showed, and Word read the text in the user's language, not the report's.
#[test]
fn every_page_has_its_number_and_the_text_its_language() {
    let (footer, document, styles) = (part("word/footer1.xml"), part("word/document.xml"), part("word/styles.xml"));
    let footer = Document::parse(&footer).unwrap();
    let instructions: String =
        footer.descendants().filter(|n| is(n, W, "instrText")).filter_map(|n| n.text()).collect();
    assert_eq!(instructions.trim(), "PAGE");
    let document = Document::parse(&document).unwrap();
    assert!(document.descendants().any(|n| is(&n, W, "footerReference")), "the footer is used");
    let styles = Document::parse(&styles).unwrap();
    let defaults = styles.descendants().find(|n| is(n, W, "rPrDefault")).unwrap();
    let lang = defaults.descendants().find(|n| is(n, W, "lang")).unwrap();
    assert_eq!(w_attr(&lang, "val"), Some("en-GB"));
}

fn select_in(el: &scraper::ElementRef, css: &str) -> Vec<String> {
    let selector = scraper::Selector::parse(css).unwrap();
    el.select(&selector).map(|c| text(&c)).collect()
}

#[test]
fn charts_are_png_images_with_their_alt_text_and_data_tables() {
    let xml = part("word/document.xml");
    let doc = Document::parse(&xml).unwrap();
    let rels = part("word/_rels/document.xml.rels");
    let rels = Document::parse(&rels).unwrap();
    let page = html(&fixture().html);
    let svgs = select(&page, "main svg");
    assert_eq!(svgs.len(), 2, "Drake Hall has two charts");

    let drawings: Vec<Node> = doc.descendants().filter(|n| is(n, W, "drawing")).collect();
    assert_eq!(drawings.len(), svgs.len());
    for (drawing, svg) in drawings.iter().zip(&svgs) {
        let title = select_in(svg, "title").remove(0);
        let desc = select_in(svg, "desc").remove(0);
        let doc_pr = drawing.descendants().find(|n| is(n, WP, "docPr")).unwrap();
        assert_eq!(doc_pr.attribute("title"), Some(title.as_str()));
        assert_eq!(doc_pr.attribute("descr"), Some(format!("{title}. {desc}").as_str()));
        let embed = drawing.descendants().find(|n| is(n, A, "blip")).and_then(|b| b.attribute((R, "embed"))).unwrap();
        let target = rels
            .descendants()
            .find(|r| r.attribute("Id") == Some(embed))
            .and_then(|r| r.attribute("Target"))
            .unwrap_or_else(|| panic!("no relationship {embed}"));
        let png = fixture().parts.get(&format!("word/{target}")).unwrap_or_else(|| panic!("no {target}"));
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{target} is not a PNG");
    }
    let ids: Vec<_> = doc.descendants().filter(|n| is(n, WP, "docPr")).map(|n| n.attribute("id")).collect();
    assert_eq!(ids, [Some("1"), Some("2")], "drawing ids are unique");

    // The attribute chart's data table follows it, labelled with its number.
    let texts: Vec<String> = paragraphs(&doc).into_iter().map(|(_, t)| t).collect();
    let label = texts.iter().position(|t| t == "Data of Figure 2.1").expect("the data table's label");
    assert_eq!(texts[label + 1..label + 3], ["Attribute", "Respondents (of 26)"]);
}

/// The report's own pictures (here from the theme's static folder) are
/// Word pictures with their description as alt text; a picture in a
/// footnote, where Word takes none, stays the description in brackets.
#[test]
fn narrative_pictures_are_word_pictures_with_their_description() {
    let dir = bundled_project();
    let statics = dir.path().join("themes/default/static");
    std::fs::create_dir_all(&statics).unwrap();
    std::fs::write(
        statics.join("wing-plan.svg"),
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><rect width="200" height="100" fill="#1D70B8"/></svg>"##,
    )
    .unwrap();
    let section = dir.path().join("content/sites/risley/04-plan.md");
    std::fs::write(
        &section,
        "---\ntitle: The wing\nweight: 40\n---\n![Plan of the house block](../../static/wing-plan.svg)\n\n\
         The plan again.[^plan]\n\n[^plan]: ![Plan of the house block, again](../../static/wing-plan.svg)\n",
    )
    .unwrap();
    let out = docx(dir.path(), &["--site", "risley"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let parts = entries(&dir.path().join("docx/risley.docx"));
    let xml = String::from_utf8(parts["word/document.xml"].clone()).unwrap();
    let doc = Document::parse(&xml).unwrap();
    let described: Vec<&str> =
        doc.descendants().filter(|n| is(n, WP, "docPr")).filter_map(|n| n.attribute("descr")).collect();
    assert!(described.contains(&"Plan of the house block"), "{described:?}");
    let notes = String::from_utf8(parts["word/footnotes.xml"].clone()).unwrap();
    let notes = Document::parse(&notes).unwrap();
    let texts: Vec<String> = paragraphs(&notes).into_iter().map(|(_, t)| t).collect();
    assert!(texts.iter().any(|t| t.contains("[Plan of the house block, again]")), "{texts:?}");
    let pngs = parts.keys().filter(|k| k.starts_with("word/media/")).count();
    assert_eq!(pngs, described.len(), "one picture file per drawing");
}

#[test]
fn footnotes_are_word_footnotes_referenced_where_the_page_cites_them() {
    let document = part("word/document.xml");
    let doc = Document::parse(&document).unwrap();
    let notes = part("word/footnotes.xml");
    let notes = Document::parse(&notes).unwrap();
    let page = html(&fixture().html);
    let html_notes: Vec<String> =
        select(&page, "main div.footnote").iter().map(|note| select_in(note, "p").join(" ")).collect();
    assert_eq!(html_notes.len(), 4);

    let references: Vec<&str> =
        doc.descendants().filter(|n| is(n, W, "footnoteReference")).filter_map(|n| w_attr(&n, "id")).collect();
    let footnotes: Vec<(String, String)> = notes
        .descendants()
        .filter(|n| is(n, W, "footnote"))
        .map(|n| {
            let text: Vec<String> = n.children().filter(|p| is(p, W, "p")).map(|p| para_text(&p)).collect();
            assert!(n.descendants().any(|d| is(&d, W, "footnoteRef")), "a footnote shows its number");
            (w_attr(&n, "id").unwrap().to_string(), text.join(" "))
        })
        .collect();
    assert_eq!(references, footnotes.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>());
    assert_eq!(footnotes.iter().map(|(_, t)| t.clone()).collect::<Vec<_>>(), html_notes);
    assert!(!para_text(&doc.root_element()).contains('↩'), "the notes' back links are left out");
}

#[test]
fn citations_references_and_quotes_are_there() {
    let xml = part("word/document.xml");
    let doc = Document::parse(&xml).unwrap();
    let all: String = paragraphs(&doc).into_iter().map(|(_, t)| t).collect::<Vec<_>>().join("\n");
    for citation in html_texts("a.citation") {
        assert!(all.contains(&citation), "citation {citation} missing");
    }
    assert_eq!(styled(&doc, "Bibliography"), html_texts("ul.references li"));
    assert_eq!(styled(&doc, "Quote"), html_texts("blockquote p"));
    assert_eq!(styled(&doc, "QuoteAttribution"), html_texts("figcaption.quote-attribution"));
    // The page's own contents list and download links are left out.
    assert!(!all.contains("Download the data"));
    // A citation links to its reference, coloured and underlined (the
    // contents entries are links too, plain as contents are).
    let coloured = |r: &Node| r.descendants().any(|c| is(&c, W, "color") && w_attr(&c, "val") == Some("1D70B8"));
    let link_runs: Vec<Node> = doc
        .descendants()
        .filter(|n| is(n, W, "hyperlink"))
        .flat_map(|h| h.children().filter(|r| is(r, W, "r")))
        .filter(coloured)
        .collect();
    assert!(link_runs.len() >= html_texts("a.citation").len(), "{}", link_runs.len());
    assert!(link_runs.iter().all(|r| r.descendants().any(|u| is(&u, W, "u") && w_attr(&u, "val") == Some("single"))));
    assert_eq!(all.matches("Progression routes").count(), 2, "the heading and its contents entry only");
    // The cover's "Who took part" is a bold label kept with its list, as
    // on the page (a researcher's audit found it a plain paragraph).
    let label = doc.descendants().find(|p| is(p, W, "p") && para_text(p) == "Who took part").expect("the label");
    assert!(label.descendants().any(|n| is(&n, W, "keepNext")));
    assert!(label.descendants().filter(|r| is(r, W, "r")).all(|r| r.descendants().any(|b| is(&b, W, "b"))));
    // A figure's notes go with its chart: a publisher's audit found Figure
    // 2.2's caption and note at the foot of a page and the chart overleaf.
    let notes: Vec<Node> = doc
        .descendants()
        .filter(|p| is(p, W, "p"))
        .filter(|p| para_text(p).starts_with("Illustrative ratings:") || styled_as(p, "FigureNote"))
        .collect();
    assert!(notes.len() >= 2, "{}", notes.len());
    assert!(notes.iter().all(|p| p.descendants().any(|n| is(&n, W, "keepNext"))));
}

/// Found by a QA audit: a quotation without attribution followed by another
/// were two Quote paragraphs spaced as one quotation's two paragraphs, so
/// the second's attribution ("Ciara") seemed to cover both. Each quotation
/// of the page is its paragraphs in Word, kept together, with space after
/// the last that its own paragraphs do not have between them.
#[test]
fn each_quotation_reads_as_its_own_with_only_its_own_attribution() {
    let dir = bundled_project();
    let record = dir.path().join("content/sites/risley/site.yaml");
    let mut yaml = std::fs::read_to_string(&record).unwrap();
    assert!(!yaml.contains("\nquotes:"), "risley has no quotes of its own");
    yaml.push_str(
        "quotes:\n  - {id: staff-view, role: Officer, text: \"The wing felt calmer.\"}\n  - {id: anon, text: \"Nobody listened before.\"}\n  \
         - {id: ciara, speaker: Ciara, role: Learner, method: interview, text: \"They trusted us.\\n\\nAnd we trusted them.\"}\n",
    );
    std::fs::write(&record, yaml).unwrap();
    std::fs::write(
        dir.path().join("content/sites/risley/04-voices.md"),
        "---\ntitle: Voices\nweight: 40\n---\n\nTwo views.\n\n{{ quote(id=\"anon\") }}\n\n{{ quote(id=\"ciara\") }}\n\n\
         {{ quote(id=\"staff-view\") }}\n\n> A quotation written in the text.\n\n> And another.\n\nAfter the quotations.\n",
    )
    .unwrap();
    let site = dir.path().join("site");
    let out = build(dir.path(), &["--quiet", "--output", site.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = docx(dir.path(), &["--site", "risley"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // The page's quotations, each as the texts of its paragraphs and attribution.
    let page = html(&site.join("sites/risley/index.html"));
    let quotations: Vec<Vec<String>> =
        select(&page, "main figure.quote, main blockquote:not(figure.quote > blockquote)")
            .iter()
            .map(|q| select_in(q, "blockquote > p, figcaption"))
            .collect();
    assert_eq!(quotations.len(), 5, "{quotations:?}");
    assert!(quotations.contains(&vec!["Nobody listened before.".to_string()]), "{quotations:?}");
    assert!(quotations.iter().any(|q| q.len() == 3), "a quotation of two paragraphs, attributed: {quotations:?}");

    let parts = entries(&dir.path().join("docx/risley.docx"));
    let xml = String::from_utf8(parts["word/document.xml"].clone()).unwrap();
    let doc = Document::parse(&xml).unwrap();
    let quoted: Vec<Node> = doc
        .descendants()
        .filter(|p| is(p, W, "p") && (styled_as(p, "Quote") || styled_as(p, "QuoteAttribution")))
        .collect();
    let texts: Vec<String> = quoted.iter().map(para_text).collect();
    assert_eq!(texts, quotations.concat(), "Word has the page's quotations in its order");
    let after = |p: &Node| {
        p.descendants()
            .find(|n| is(n, W, "spacing"))
            .and_then(|s| w_attr(&s, "after"))
            .map(|a| a.parse::<u32>().unwrap())
    };
    let keeps = |p: &Node| p.descendants().any(|n| is(&n, W, "keepNext"));
    // Between two paragraphs of one quotation: the Quote style's space after, then before.
    let styles = String::from_utf8(parts["word/styles.xml"].clone()).unwrap();
    let styles = Document::parse(&styles).unwrap();
    let quote = styles.descendants().find(|n| is(n, W, "style") && w_attr(n, "styleId") == Some("Quote")).unwrap();
    let spacing = quote.descendants().find(|n| is(n, W, "spacing")).expect("the Quote style's spacing");
    let within: u32 = ["before", "after"].iter().map(|a| w_attr(&spacing, a).map_or(0, |v| v.parse().unwrap())).sum();
    let mut paragraphs = quoted.iter();
    for quotation in &quotations {
        let own: Vec<&Node> = paragraphs.by_ref().take(quotation.len()).collect();
        let (last, earlier) = own.split_last().unwrap();
        for p in earlier {
            assert!(keeps(p) && after(p).is_none(), "{:?} goes on with its quotation", para_text(p));
        }
        assert!(
            after(last).is_some_and(|a| a >= 2 * within),
            "{:?} ends its quotation with twice the space there is between its paragraphs ({within}): {:?}",
            para_text(last),
            after(last)
        );
    }
}

fn styled_as(p: &Node, style: &str) -> bool {
    p.descendants().any(|n| is(&n, W, "pStyle") && w_attr(&n, "val") == Some(style))
}

#[test]
fn core_properties_name_the_report_and_published_reports_have_no_draft_mark() {
    let core = part("docProps/core.xml");
    let core = Document::parse(&core).unwrap();
    let dc = |name: &str| {
        core.descendants()
            .find(|n| {
                n.tag_name().name() == name && n.tag_name().namespace() == Some("http://purl.org/dc/elements/1.1/")
            })
            .and_then(|n| n.text())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(dc("title"), "CFO Hamlet Peer mentor initiative at HMP Drake Hall");
    assert_eq!(dc("creator"), "Dr Katherine Albertson");
    assert_eq!(dc("language"), "en-GB");
    assert!(!fixture().parts.keys().any(|name| name.starts_with("word/header")));
}

#[test]
fn the_same_content_gives_the_same_bytes() {
    let dir = bundled_project();
    let first = dir.path().join("first");
    let second = dir.path().join("second");
    for out in [&first, &second] {
        let run = docx(dir.path(), &["--output", out.to_str().unwrap()]);
        assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    }
    let one = snapshot(&first);
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        ["drake-hall.docx", "high-down.docx", "holme-house.docx", "risley.docx"]
    );
    assert!(one == snapshot(&second), "a second run wrote different bytes");
    // Converted alone, a report is the same as converted with the others.
    let alone = dir.path().join("alone");
    let run = docx(dir.path(), &["--site", "risley", "--output", alone.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(
        snapshot(&alone)["risley.docx"] == one["risley.docx"],
        "risley.docx depends on what was converted before it"
    );
}

/// Found by a privacy audit: a draft's document stayed beside published
/// ones after a run for another report, or once its report was renamed.
#[test]
fn a_run_without_drafts_leaves_no_draft_document_behind() {
    let dir = bundled_project();
    let root = dir.path();
    edit(root, "content/sites/risley/site.yaml", "status: published", "status: draft");
    let out = docx(root, &["--site", "risley", "--drafts"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = docx(root, &["--site", "drake-hall"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("risley.docx: a draft, which only --drafts exports"), "{}", stderr(&out));
    assert!(!root.join("docx/risley.docx").exists() && root.join("docx/drake-hall.docx").exists());

    let out = docx(root, &["--drafts"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(root.join("docx/risley.docx").exists());
    std::fs::rename(root.join("content/sites/risley"), root.join("content/sites/risley-wing")).unwrap();
    edit(root, "content/sites/risley-wing/site.yaml", "id: risley", "id: risley-wing");
    let out = docx(root, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("risley.docx: a draft"), "{}", stderr(&out));
    let mut left: Vec<String> = std::fs::read_dir(root.join("docx"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["drake-hall.docx", "high-down.docx", "holme-house.docx"], "and no list of drafts is left");
}

#[test]
fn drafts_need_drafts_and_carry_a_draft_header() {
    let dir = bundled_project();
    edit(dir.path(), "content/sites/risley/site.yaml", "status: published", "status: draft");
    let out = docx(dir.path(), &["--site", "risley"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("add --drafts to include drafts"), "{}", stderr(&out));

    let out = docx(dir.path(), &["--site", "risley", "--drafts"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: risley is or holds drafts (--drafts or `[build] drafts = true`)"),
        "{}",
        stderr(&out)
    );
    let parts = entries(&dir.path().join("docx/risley.docx"));
    let header = String::from_utf8(parts["word/header1.xml"].clone()).unwrap();
    let header = Document::parse(&header).unwrap();
    assert_eq!(para_text(&header.root_element()), "DRAFT");
    let document = String::from_utf8(parts["word/document.xml"].clone()).unwrap();
    let document = Document::parse(&document).unwrap();
    assert!(document.descendants().any(|n| is(&n, W, "headerReference")), "the header is used");

    // Every report without --drafts: the draft's document of the run
    // before goes, so the folder never holds a draft; a stranger's file stays.
    std::fs::write(dir.path().join("docx/notes.docx"), "mine").unwrap();
    let out = docx(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("risley.docx: a draft, which only --drafts exports"), "{}", stderr(&out));
    let mut left: Vec<String> = std::fs::read_dir(dir.path().join("docx"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["drake-hall.docx", "high-down.docx", "holme-house.docx", "notes.docx"]);
    assert!(!stderr(&out).contains("warning:"), "nothing exported is a draft: {}", stderr(&out));

    // Found by a commissioner's audit: a published report exported with a
    // draft section in it (--drafts) was neither marked nor warned about.
    std::fs::write(
        dir.path().join("content/sites/drake-hall/07-notes.md"),
        "---\ntitle: Internal review notes\ndraft: true\n---\n\nNot for publication.\n",
    )
    .unwrap();
    let out = docx(dir.path(), &["--site", "drake-hall", "--drafts"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: drake-hall is or holds drafts (--drafts or `[build] drafts = true`)"),
        "{}",
        stderr(&out)
    );
    let parts = entries(&dir.path().join("docx/drake-hall.docx"));
    let header = String::from_utf8(parts["word/header1.xml"].clone()).unwrap();
    assert_eq!(para_text(&Document::parse(&header).unwrap().root_element()), "DRAFT");
}

/// Found by a commissioner's audit: a chart's text that no font of the
/// machine has was drawn as empty boxes in the Word picture. Word draws the
/// document's own text with the reader's fonts, so only the pictures' text
/// is checked.
#[test]
fn a_chart_character_no_installed_font_has_is_named_in_a_warning() {
    let dir = bundled_project();
    let (label, heading) = ("{name: Approachable, count: 19}", "## Peer involvement across the programme");
    edit(dir.path(), "content/sites/drake-hall/site.yaml", label, "{name: Approachable \u{1f680}, count: 19}");
    edit(dir.path(), "content/sites/drake-hall/02-findings.md", heading, &format!("{heading} \u{2728}"));
    let out = docx(dir.path(), &["--site", "drake-hall"]);
    assert_eq!(out.status.code(), Some(0), "a warning, not a failure: {}", stderr(&out));
    let err = stderr(&out);
    assert!(!err.contains("U+2728"), "the heading is drawn by Word: {err}");
    let Some(warning) = missing_font_warning(&err, '\u{1f680}', "drake-hall") else { return };
    assert!(warning.contains("in its Word document's pictures; install a font"), "{warning}");
}

#[test]
fn unknown_site_is_a_usage_error_listing_the_known_ids() {
    let dir = bundled_project();
    let out = docx(dir.path(), &["--site", "nowhere"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("unknown site `nowhere`; known sites: drake-hall, high-down, holme-house, risley"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("docx").exists());
}

#[test]
fn project_folder_as_output_is_refused() {
    let dir = bundled_project();
    let out = docx(dir.path(), &["--output", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("is the project folder or holds it"), "{}", stderr(&out));
    let inside = dir.path().join("content/sites");
    let out = docx(dir.path(), &["--output", inside.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("inside the project's content or theme"), "{}", stderr(&out));
}

#[test]
fn content_mistakes_fail_with_the_usual_diagnostics() {
    let dir = bundled_project();
    edit(dir.path(), "content/sites/drake-hall/site.yaml", "estate: female", "estate: femail");
    let out = docx(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("site.yaml:"), "{}", stderr(&out));
    assert!(stderr(&out).contains("error: docx failed"), "{}", stderr(&out));
    assert!(!dir.path().join("docx").exists());
}

/// LibreOffice's `soffice` on PATH.
fn soffice() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["soffice", "libreoffice"]
        .iter()
        .find_map(|name| std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file()))
}

#[test]
fn libreoffice_converts_the_document_to_pdf() {
    let Some(soffice) = soffice() else {
        let strict = std::env::var("WINGREPORT_E2E").is_ok_and(|v| v == "1");
        assert!(
            !strict,
            "soffice not found (required under WINGREPORT_E2E=1; Debian: apt-get install libreoffice-writer)"
        );
        eprintln!("skipped: soffice not found (Debian: apt-get install libreoffice-writer)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("drake-hall.docx");
    std::fs::write(&file, std::fs::read(fixture()._dir.path().join("docx/drake-hall.docx")).unwrap()).unwrap();
    // A profile of its own, so a LibreOffice already running does not take the job.
    let profile = url::Url::from_directory_path(dir.path().join("profile")).unwrap();
    let out = std::process::Command::new(soffice)
        .arg(format!("-env:UserInstallation={profile}"))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "soffice failed: {}", stderr(&out));
    let pdf = std::fs::read(dir.path().join("drake-hall.pdf")).expect("soffice wrote the PDF");
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");

    // Its contents list gives the page each section really starts on.
    let Some(pdftotext) = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join("pdftotext"))
        .find(|p| p.is_file())
    else {
        return;
    };
    let out = std::process::Command::new(pdftotext)
        .args(["-layout"])
        .arg(dir.path().join("drake-hall.pdf"))
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let pages: Vec<&str> = text.split('\u{c}').collect();
    let entry = pages
        .iter()
        .flat_map(|p| p.lines())
        .find(|l| l.trim_start().starts_with("2.5 Mapping social capital building potential") && l.contains(".."))
        .expect("the contents list has section 2.5");
    let listed: usize = entry.trim_end().rsplit(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap();
    let actual = pages
        .iter()
        .enumerate()
        .find(|(_, p)| p.lines().any(|l| l.trim() == "2.5 Mapping social capital building potential"))
        .map(|(i, _)| i + 1)
        .expect("section 2.5 is in the PDF");
    assert_eq!(listed, actual, "the contents list gives section 2.5's page");
}
