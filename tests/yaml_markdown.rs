//! Markdown in a record's free-text fields: the same emphasis, links,
//! citations and cross-references as narrative, with a mistake reported at
//! its YAML line and column; table cells that are lists.

mod common;

use common::{build, bundled_project, edit, html, line_of, select, stderr, text};

const RECORD: &str = "content/sites/drake-hall/site.yaml";

#[test]
fn record_fields_render_emphasis_links_citations_and_cross_references() {
    let project = bundled_project();
    let root = project.path();
    edit(
        root,
        RECORD,
        "      - text: A community wing environment",
        "      - text: A *community* wing, as in [@buck2020], see @tbl-staff-team and [the guide](https://example.org/guide)",
    );
    edit(
        root,
        RECORD,
        "\"Dedicated full-time CFO Prison Officers\"",
        "\"Dedicated **full-time** officers (@sec-staff-team)\"",
    );
    let out = root.join("out");
    let run = build(root, &["--output", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", stderr(&run));

    let doc = html(&out.join("sites/drake-hall/index.html"));
    let item = select(&doc, ".named-list li").into_iter().find(|li| text(li).starts_with("A community")).unwrap();
    assert_eq!(select_in(&item, "em"), vec!["community"]);
    let citation =
        item.select(&sel("a[href='#ref-buck2020']")).next().expect("the citation links to the reference list");
    assert_eq!(text(&citation), "Buck, 2020");
    let xref = item.select(&sel("a.xref")).next().expect("a cross-reference to the table");
    assert_eq!(xref.value().attr("href"), Some("#tbl-staff-team"));
    assert!(text(&xref).starts_with("Table "), "{}", text(&xref));
    let link = item.select(&sel("a[href='https://example.org/guide']")).next().expect("the link");
    assert_eq!(text(&link), "the guide");
    // One paragraph stays inline: the item holds no <p>.
    assert!(item.select(&sel("p")).next().is_none());

    let cell = select(&doc, "#tbl-staff-team td").into_iter().find(|td| text(td).starts_with("Dedicated")).unwrap();
    assert_eq!(select_in(&cell, "strong"), vec!["full-time"]);
    assert_eq!(cell.select(&sel("a.xref")).next().and_then(|a| a.value().attr("href")), Some("#sec-staff-team"));

    // The work cited only from the record is in the report's reference list.
    assert_eq!(select(&doc, "#ref-buck2020").len(), 1);
    // Search holds the field's words, never its markup.
    // (The index holds terms and snippets: the render stage's search text is
    // what it was made from.)
    let (project, theme) = wingreport::build::prepare(root).unwrap_or_else(|_| panic!("the project loads"));
    let renderer = wingreport::render::Renderer::new(&project, &theme, wingreport::build::selection(&project, false));
    let drake = renderer.sites().iter().find(|s| s.record.id.value == "drake-hall").expect("drake-hall");
    let docs = renderer.site(drake).take_search_docs().expect("rendered, not read back");
    let search: Vec<String> = docs.into_iter().map(|d| d.text).collect();
    let search = search.join(" ");
    assert!(search.contains("A community wing, as in"), "the list item's words are searchable");
    assert!(!search.contains("<em>community"), "no markup in search text");
}

#[test]
fn a_table_cell_may_be_a_list_of_texts() {
    let project = bundled_project();
    let root = project.path();
    edit(root, RECORD, "\"Prime provider (Shaw Trust/Ixion)\"", "[Shaw Trust, \"*Ixion*\"]");
    let out = root.join("out");
    let run = build(root, &["--output", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", stderr(&run));
    let doc = html(&out.join("sites/drake-hall/index.html"));
    let items: Vec<String> = select(&doc, "#tbl-staff-team td ul li").iter().map(text).collect();
    assert_eq!(items, ["Shaw Trust", "Ixion"]);
    assert_eq!(select(&doc, "#tbl-staff-team td ul li em").len(), 1);
}

/// Found by a new-study audit: a cell the study did not state, written
/// `""` as the hints say, printed as a blank cell, which may read as zero
/// or as a slip. It shows a dash, read out as "not stated".
#[test]
fn a_table_cell_the_study_did_not_state_says_so() {
    let project = bundled_project();
    let root = project.path();
    edit(root, RECORD, "\"Prime provider (Shaw Trust/Ixion)\"", "\"\"");
    let out = root.join("out");
    let run = build(root, &["--output", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", stderr(&run));
    let doc = html(&out.join("sites/drake-hall/index.html"));
    let said: Vec<String> = select(&doc, "#tbl-staff-team td .visually-hidden").iter().map(text).collect();
    assert_eq!(said, ["not stated"]);
    assert!(select(&doc, "#tbl-staff-team td").iter().all(|td| !text(td).is_empty()), "no blank cell");
}

#[test]
fn an_unknown_citation_in_a_field_is_an_error_at_its_yaml_line_and_column() {
    let project = bundled_project();
    let root = project.path();
    let out = root.join("out");
    assert!(build(root, &["--output", out.to_str().unwrap()]).status.success());
    let before = std::fs::read(out.join("sites/drake-hall/index.html")).unwrap();
    // Plain, then quoted: the column is where the cited key starts in the
    // file either way.
    edit(root, RECORD, "      - text: Welcoming newcomers", "      - text: Welcoming newcomers [@bukc2020]");
    edit(root, RECORD, "text: \"We actively seek out the difficult to engage.\"", "text: \"We seek @nobody2019 out.\"");
    let run = build(root, &["--output", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    let err = stderr(&run);
    let line = line_of(root, RECORD, "Welcoming newcomers [@bukc2020]");
    let col = "      - text: Welcoming newcomers [".chars().count() + 1;
    assert!(err.contains(&format!("{RECORD}:{line}:{col}")), "{err}");
    assert!(err.contains("citation `@bukc2020` is not in the bibliography"), "{err}");
    assert!(err.contains("did you mean `@buck2020`?"), "{err}");
    let line = line_of(root, RECORD, "We seek @nobody2019 out.");
    let col = "    text: \"We seek ".chars().count() + 1;
    assert!(err.contains(&format!("{RECORD}:{line}:{col}")), "{err}");
    assert_eq!(std::fs::read(out.join("sites/drake-hall/index.html")).unwrap(), before, "nothing lost");
}

#[test]
fn a_mistake_in_a_folded_or_block_field_is_reported_at_its_own_line_and_column() {
    let project = bundled_project();
    let root = project.path();
    let folded = "    text: >\n      We actively seek out\n      the difficult [see @nobody2019] and\n      \
                  [turn](../nowhere.html) to engage.";
    edit(root, RECORD, "    text: \"We actively seek out the difficult to engage.\"", folded);
    edit(
        root,
        RECORD,
        "      - text: Welcoming newcomers",
        "      - text: |\n          Welcoming\n          newcomers @tbl-none",
    );
    let run = build(root, &["--output", root.join("out").to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    let err = stderr(&run);
    let at = |needle: &str, before: &str| {
        format!("{RECORD}:{}:{}:", line_of(root, RECORD, needle), before.chars().count() + 1)
    };
    let citation = at("the difficult [see @nobody2019] and", "      the difficult [see ");
    assert!(err.contains(&format!("{citation} citation `@nobody2019` is not in the bibliography")), "{err}");
    let xref = at("newcomers @tbl-none", "          newcomers ");
    assert!(err.contains(&format!("{xref} cross-reference `@tbl-none` has no target")), "{err}");
    // Links are checked once the pages render.
    edit(root, RECORD, " [see @nobody2019]", "");
    edit(root, RECORD, " @tbl-none", "");
    let run = build(root, &["--output", root.join("out").to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    let err = stderr(&run);
    let link = at("[turn](../nowhere.html)", "      ");
    assert!(err.contains(&format!("{link} link `../nowhere.html` has no target")), "{err}");
}

#[test]
fn a_cross_reference_without_target_and_a_heading_in_a_field_are_errors_at_the_field() {
    let project = bundled_project();
    let root = project.path();
    edit(root, RECORD, "      - text: Role modelling", "      - text: Role modelling, see @tbl-nowhere");
    edit(root, RECORD, "      - text: The peer mentors themselves", "      - text: \"# The peer mentors\"");
    let run = build(root, &["--output", root.join("out").to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    let err = stderr(&run);
    let line = line_of(root, RECORD, "Role modelling, see @tbl-nowhere");
    assert!(err.contains(&format!("{RECORD}:{line}:")), "{err}");
    assert!(err.contains("cross-reference `@tbl-nowhere` has no target"), "{err}");
    let line = line_of(root, RECORD, "# The peer mentors");
    assert!(err.contains(&format!("{RECORD}:{line}:")), "{err}");
    assert!(err.contains("a heading inside a YAML field"), "{err}");
}

#[test]
fn a_cross_reference_in_the_summary_is_one_error_saying_the_summary_is_shown_outside_the_report() {
    let project = bundled_project();
    let root = project.path();
    edit(root, RECORD, "  At HMP Drake Hall the CFO", "  See @sec-staff-team. At HMP Drake Hall the CFO");
    let run = build(root, &["--output", root.join("out").to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    let err = stderr(&run);
    let line = line_of(root, RECORD, "See @sec-staff-team.");
    let message = "cross-reference `@sec-staff-team` in a field shown outside the report's sections";
    // The summary is on the cover and on the index card: reported once.
    assert_eq!(err.matches(message).count(), 1, "{err}");
    // At the reference itself, inside the folded text.
    assert!(err.contains(&format!("{RECORD}:{line}:7: {message}")), "{err}");
    assert!(err.contains("name it in words"), "{err}");
}

#[test]
fn a_footnote_in_a_field_is_an_error_at_the_field() {
    let project = bundled_project();
    let root = project.path();
    // A note written in the field too: numbered per field, its id would clash with the page's.
    edit(
        root,
        RECORD,
        "      - text: Role modelling",
        "      - text: |\n          Role modelling[^a]\n\n          [^a]: A note.\n        ",
    );
    let run = build(root, &["--output", root.join("out").to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    let err = stderr(&run);
    let line = line_of(root, RECORD, "Role modelling[^a]");
    assert!(err.contains(&format!("{RECORD}:{line}:")) && err.contains("a footnote outside a narrative file"), "{err}");
}

#[test]
fn a_quote_of_several_paragraphs_keeps_them() {
    let project = bundled_project();
    let root = project.path();
    edit(
        root,
        RECORD,
        "text: \"We actively seek out the difficult to engage.\"",
        "text: |\n      We actively seek them out.\n\n      And we *keep* them.",
    );
    let out = root.join("out");
    let run = build(root, &["--output", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", stderr(&run));
    let doc = html(&out.join("sites/drake-hall/index.html"));
    let quote = select(&doc, "#ida-difficult-to-engage blockquote").into_iter().next().expect("the quote");
    let paragraphs: Vec<String> = quote.select(&sel("p")).map(|p| text(&p)).collect();
    assert_eq!(paragraphs, ["We actively seek them out.", "And we keep them."]);
    assert!(quote.select(&sel("p p")).next().is_none(), "no paragraph inside a paragraph");
}

fn sel(css: &str) -> scraper::Selector {
    scraper::Selector::parse(css).unwrap()
}

fn select_in(el: &scraper::ElementRef, css: &str) -> Vec<String> {
    el.select(&sel(css)).map(|e| text(&e)).collect()
}

#[test]
fn a_placed_reference_list_holds_works_cited_only_from_the_record() {
    let project = bundled_project();
    let root = project.path();
    edit(root, RECORD, "      - text: Role modelling", "      - text: Role modelling [@bagnall2015]");
    std::fs::write(
        root.join("content/sites/drake-hall/07-references.md"),
        "---\ntitle: Works cited\nweight: 7\nappendix: true\n---\n\n{{ references() }}\n",
    )
    .unwrap();
    let out = root.join("out");
    let run = build(root, &["--output", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", stderr(&run));
    let doc = html(&out.join("sites/drake-hall/index.html"));
    let appendix = select(&doc, "section.appendix").into_iter().last().expect("the placed list");
    assert!(appendix.select(&sel("#ref-bagnall2015")).next().is_some(), "{}", text(&appendix));
    assert_eq!(select(&doc, "#ref-bagnall2015").len(), 1, "listed once, where it is placed");
    let citation = select(&doc, ".named-list a[href='#ref-bagnall2015']");
    assert_eq!(citation.len(), 1, "the record's citation links to it");
}
