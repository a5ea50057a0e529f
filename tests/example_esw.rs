//! The second bundled study, examples/esw (a Ministry of Justice report
//! across five prisons), builds in its own shape: nothing of the CFO record
//! (prison, profile, delivery, status tag) appears, tables and annexes are
//! numbered MoJ style, and quotes are attributed by role only. Also the CFO
//! series' free page made from the "Peer support in prison" evidence summary.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use scraper::Html;

/// Builds a private copy of examples/esw and returns it with its output folder.
fn build_esw() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("examples/esw"), dir.path());
    let out = build(dir.path(), &["--quiet"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let output = dir.path().join("output");
    (dir, output)
}

fn report(output: &Path) -> Html {
    html(&output.join("sites/esw/index.html"))
}

fn texts(doc: &Html, css: &str) -> Vec<String> {
    select(doc, css).iter().map(text).collect()
}

#[test]
fn the_report_shows_no_cfo_block_or_status_tag() {
    let (_dir, output) = build_esw();
    let doc = report(&output);
    let cover = select(&doc, "header.cover")[0];
    let labels: Vec<String> = select(&doc, "header.cover dt").iter().map(text).collect();
    assert!(!labels.iter().any(|l| l == "Prison" || l == "Wing"), "{labels:?}");
    assert!(!text(&cover).contains("Who took part"), "the record has no `sample`");
    assert!(text(&cover).contains("Five men's prisons in England"), "the setting is on the cover");
    assert!(text(&cover).contains("Ministry of Justice Analytical Series"), "the publisher is on the cover");
    assert!(
        !select(&doc, "header.cover a[href^='https://www.nationalarchives.gov.uk/']").is_empty(),
        "the licence is Markdown with a link"
    );
    assert!(select(&doc, ".status-tag").is_empty(), "a published report carries no status tag");
    assert!(select(&doc, ".draft-mark").is_empty());

    let captions = texts(&doc, "figure.table-figure > figcaption");
    assert!(
        !captions.iter().any(|c| c.contains("Profile") || c.contains("Delivery") || c.contains("Phases")),
        "{captions:?}"
    );
    let main = text(&select(&doc, "main")[0]);
    for absent in ["not reported", "Not accredited"] {
        assert!(!main.contains(absent), "the report states nothing its record lacks: found {absent:?}");
    }
    for literal in ["[@", "@sec-", "@tbl-", "{{", "**"] {
        assert!(!main.contains(literal), "{literal:?} was printed literally");
    }
}

#[test]
fn tables_are_numbered_through_the_report() {
    let (_dir, output) = build_esw();
    let doc = report(&output);
    assert_eq!(
        texts(&doc, "figure.table-figure > figcaption"),
        [
            "Table 1: Number of participants per group",
            "Table 2: Example recruitment requirements encountered for various formalised schemes",
        ]
    );
    let refs = texts(&doc, "a[href='#tbl-recruitment']");
    assert!(refs.iter().any(|r| r == "Table 2"), "{refs:?}");
    assert_eq!(
        texts(&doc, "#tbl-participants tbody td"),
        ["Mentees", "12", "Mentors", "30", "Education, Skills and Work staff", "6"]
    );
}

#[test]
fn table_2_cells_are_bullet_lists() {
    let (_dir, output) = build_esw();
    let doc = report(&output);
    let cells = select(&doc, "#tbl-recruitment tbody td");
    assert_eq!(cells.len(), 2, "one row, one cell per column");
    let items: Vec<usize> = cells
        .iter()
        .map(|cell| {
            let lists: Vec<_> = cell.select(&scraper::Selector::parse("ul").unwrap()).collect();
            assert_eq!(lists.len(), 1, "{}", cell.html());
            lists[0].select(&scraper::Selector::parse("li").unwrap()).count()
        })
        .collect();
    assert_eq!(items, [6, 5]);
    assert_eq!(texts(&doc, "#tbl-recruitment tbody td:first-child li")[2], "Enhanced IEP status");
}

#[test]
fn annexes_are_lettered_annex_and_sec_links_reach_them() {
    let (_dir, output) = build_esw();
    let doc = report(&output);
    let whole = text(&doc.root_element());
    assert!(!whole.contains("Appendix"), "nothing is labelled Appendix");
    assert_eq!(
        texts(&doc, "section.appendix > h2"),
        ["Annex A Existing literature on peer mentoring in prisons", "Annex B Categories of prisons visited"]
    );

    for (id, label) in [("sec-annex-prisons", "Annex B"), ("sec-annex-literature", "Annex A")] {
        let links = texts(&doc, &format!("main section a.xref[href='#{id}']"));
        assert!(!links.is_empty() && links.iter().all(|l| l == label), "{id}: {links:?}");
        let target = select(&doc, &format!("[id='{id}']"));
        assert_eq!(target.len(), 1, "{id} names one element");
        assert!(text(&target[0]).starts_with(label), "{id} is the annex itself: {}", text(&target[0]));
    }
    // A whole numbered section named in its front matter resolves too.
    let links = texts(&doc, "main section a.xref[href='#sec-methodology']");
    assert!(links.iter().all(|l| l == "Section 4") && !links.is_empty(), "{links:?}");
}

#[test]
fn annex_a_lists_its_own_works_and_the_reference_list_the_cited_ones() {
    let (_dir, output) = build_esw();
    let doc = report(&output);
    // Annex A is a reading list of the source's 12 works (Taylor et al.
    // listed once), cited or not, without the ids citations link to.
    let annex = select(&doc, "section.appendix")[0];
    let listed: Vec<String> =
        annex.select(&scraper::Selector::parse("ul.reading-list > li").unwrap()).map(|li| text(&li)).collect();
    assert_eq!(listed.len(), 12, "{listed:#?}");
    for uncited in ["Nixon, S. (2020)", "Sells, D.", "Telfer, J.", "Tolan, P."] {
        assert!(listed.iter().any(|entry| entry.starts_with(uncited)), "{uncited} is listed in Annex A: {listed:#?}");
    }
    assert!(!listed.iter().any(|entry| entry.contains("white paper")), "the White Paper is not in Annex A");
    assert!(annex.select(&scraper::Selector::parse("li[id]").unwrap()).next().is_none());
    // The reference list, before the annexes, has the works cited and the
    // White Paper, listed with `nocite` in a section's front matter. Braun
    // and Clarke, cited in the text only, is listed with what it gives.
    let references: Vec<String> = texts(&doc, "ul.references:not(.reading-list) > li");
    assert_eq!(references.len(), 10, "{references:#?}");
    assert_eq!(references[0], "Braun and Clarke (2006).", "no title stands in for the one the source leaves out");
    assert!(references.iter().any(|entry| entry.contains("Prisons strategy white paper")), "{references:#?}");
}

#[test]
fn quotes_carry_a_role_and_no_speaker() {
    let (_dir, output) = build_esw();
    let doc = report(&output);
    let attributions = texts(&doc, "figure.quote figcaption");
    // As the source attributes them: by role only.
    assert_eq!(attributions, ["(Mentor)", "(Mentor)"]);
}

#[test]
fn a_series_of_one_report_has_no_comparison_page() {
    let (_dir, output) = build_esw();
    assert!(!output.join("compare").exists());
    let index = html(&output.join("index.html"));
    assert!(select(&index, "a[href*='compare']").is_empty(), "no link to a comparison page");
    let cards: Vec<String> = select(&index, "a[href='sites/esw/index.html']").iter().map(text).collect();
    assert!(!cards.is_empty(), "the series index links the report");
    // Headings that say what the index holds: one report, and the
    // source's acknowledgements (no funder is named).
    assert_eq!(texts(&index, "main h2"), ["The report", "Acknowledgements"]);
    // No "All reports" for a study of one: the title leads to the index.
    let report = report(&output);
    assert!(select(&report, ".topbar-links").is_empty(), "no top-bar links when there is nothing to list");
    assert_eq!(select(&report, ".topbar-title")[0].value().attr("href"), Some("../../index.html"));
}

#[test]
fn the_cfo_series_has_the_peer_support_evidence_page() {
    let dir = bundled_project();
    let out = build(dir.path(), &["--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = html(&dir.path().join("output/pages/peer-support/index.html"));
    assert_eq!(text(&select(&doc, "h1")[0]), "Peer support in prison");
    let checklist = select(&doc, "main li input[type='checkbox']");
    assert_eq!(checklist.len(), 25, "the four areas of the checklist, one box per item");
    // Drawn for the eye only: a screen reader reads each item's words once.
    assert!(checklist.iter().all(|b| b.value().attr("aria-hidden") == Some("true")));
    for key in ["hmip2016", "bagnall2015", "cowie2000", "finnegan2010"] {
        assert!(!select(&doc, &format!("a.citation[href='#ref-{key}']")).is_empty(), "{key} is cited");
        assert_eq!(select(&doc, &format!("[id='ref-{key}']")).len(), 1, "{key} is in the references");
    }
    let index = html(&dir.path().join("output/index.html"));
    let nav = select(&index, "a[href='pages/peer-support/index.html']");
    assert!(!nav.is_empty(), "the page is linked from the series index");
}
