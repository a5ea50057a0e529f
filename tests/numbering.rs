//! `[numbering]` options, whole-section cross-references (`id: sec-...`),
//! `nocite` and the `{{ references() }}` shortcode, on small projects
//! built in temp dirs.

mod common;

use std::path::Path;

use common::*;

const SITE: &str = "content/sites/study";

const RECORD: &str = "id: study
title: A study
prison: Five prisons
authors: [A. Author]
year: 2024
status: published
summary: A study.
profile: {category: Mixed, resident_profile: Mixed, estate: male}
delivery: {role: Mentor, paid: false, training_provider: P, training: T, accreditation: unaccredited, supervision: S, progression: P}
tables:
  a: {caption: First, columns: [X], rows: [[\"1\"]]}
  b: {caption: Second, columns: [X], rows: [[\"2\"]]}
  c: {caption: Third, columns: [X], rows: [[\"3\"]]}
  d: {caption: Fourth, columns: [X], rows: [[\"4\"]]}
";

const REFERENCES: &str =
    "- {key: buck2020, authors: [\"Buck, G.\"], year: \"2020\", title: Peer mentoring, publisher: Routledge}
- {key: nixon2019, authors: [\"Nixon, S.\"], year: \"2019\", title: Giving back}
";

/// A project with one site whose narrative files are `files` (name,
/// contents), plus `toml` appended to wingreport.toml.
fn project(toml: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("wingreport.toml"), format!("title = \"Series\"\n{toml}")).unwrap();
    std::fs::create_dir_all(root.join(SITE)).unwrap();
    std::fs::write(
        root.join("content/series.yaml"),
        "title: Series\nauthors: [A. Author]\nyear: 2024\nsummary: Studies.\n",
    )
    .unwrap();
    std::fs::write(root.join("content/references.yaml"), REFERENCES).unwrap();
    std::fs::write(root.join(SITE).join("site.yaml"), RECORD).unwrap();
    for (name, text) in files {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn site_file(name: &str) -> String {
    format!("{SITE}/{name}")
}

fn built(dir: &tempfile::TempDir) -> scraper::Html {
    let out = build(dir.path(), &["--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    html(&dir.path().join("output/sites/study/index.html"))
}

/// The diagnostics of `check --format json`, which must fail.
fn problems(root: &Path) -> Vec<serde_json::Value> {
    let out = wingreport().args(["check", "--format", "json", "--root"]).arg(root).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout).unwrap()
}

fn xrefs(doc: &scraper::Html) -> Vec<(String, String)> {
    select(doc, "a.xref").iter().map(|a| (a.value().attr("href").unwrap().to_string(), text(a))).collect()
}

fn section_numbers(doc: &scraper::Html) -> Vec<String> {
    select(doc, "section.section > h2").iter().map(text).collect()
}

#[test]
fn section_ids_name_whole_sections_and_appendices() {
    let dir = project(
        "[numbering]\nappendix_label = \"Annex\"\n",
        &[
            (
                &site_file("01-intro.md"),
                "---\ntitle: Introduction\nweight: 1\n---\nSee @sec-findings and @sec-method.\n",
            ),
            (&site_file("02-findings.md"), "---\ntitle: Findings\nweight: 2\nid: sec-findings\n---\nText.\n"),
            (&site_file("03-method.md"), "---\ntitle: Method\nweight: 3\nappendix: true\nid: sec-method\n---\nText.\n"),
        ],
    );
    let doc = built(&dir);
    assert_eq!(
        xrefs(&doc),
        [("#sec-findings".to_string(), "Section 2".to_string()), ("#sec-method".to_string(), "Annex A".to_string())]
    );
    // The id replaces the title's anchor, on the heading and in the contents.
    assert_eq!(text(&select(&doc, "h2#sec-findings")[0]), "2 Findings");
    assert_eq!(text(&select(&doc, "h2#sec-method")[0]), "Annex A Method");
    assert!(select(&doc, "#findings").is_empty());
    let toc: Vec<&str> = select(&doc, "nav.toc a").iter().filter_map(|a| a.value().attr("href")).collect();
    assert!(toc.contains(&"#sec-findings") && toc.contains(&"#sec-method"), "{toc:?}");
}

#[test]
fn a_section_added_without_weight_is_numbered_after_the_weighted_ones() {
    let dir = project(
        "",
        &[
            (&site_file("01-introduction.md"), "---\ntitle: Introduction\nweight: 1\n---\nText.\n"),
            (&site_file("02-findings.md"), "---\ntitle: Findings\nweight: 2\n---\nText.\n"),
            (&site_file("03-discussion.md"), "---\ntitle: Discussion\n---\nText.\n"),
            (&site_file("00-notes.md"), "---\ntitle: Notes\n---\nText.\n"),
        ],
    );
    assert_eq!(section_numbers(&built(&dir)), ["1 Introduction", "2 Findings", "3 Notes", "4 Discussion"]);
}

#[test]
fn an_unnumbered_section_is_referred_to_by_its_title() {
    let dir = project(
        "",
        &[
            (&site_file("01-intro.md"), "---\ntitle: Introduction\n---\nSee @sec-thanks.\n"),
            (&site_file("02-thanks.md"), "---\ntitle: Thanks\nnumbered: false\nid: sec-thanks\n---\nText.\n"),
        ],
    );
    assert_eq!(xrefs(&built(&dir)), [("#sec-thanks".to_string(), "Thanks".to_string())]);
}

#[test]
fn two_sections_with_one_id_are_an_error_at_the_second_front_matter() {
    let dir = project(
        "",
        &[
            (&site_file("01-a.md"), "---\ntitle: A\nweight: 0\nid: sec-same\n---\nText.\n"),
            (&site_file("02-b.md"), "---\ntitle: B\nweight: 2\nid: sec-same\n---\nText.\n"),
        ],
    );
    let found = problems(dir.path());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["path"], site_file("02-b.md"));
    assert_eq!((found[0]["line"].as_u64(), found[0]["col"].as_u64()), (Some(4), Some(5)));
    assert_eq!(found[0]["message"], "section id `sec-same` is used twice in this report");
    assert!(found[0]["hint"].as_str().unwrap().contains(&site_file("01-a.md")), "{found:?}");
}

#[test]
fn a_section_id_must_start_with_sec_and_be_a_slug() {
    let dir = project(
        "",
        &[
            (&site_file("01-a.md"), "---\ntitle: A\nid: findings\n---\nText.\n"),
            (&site_file("02-b.md"), "---\ntitle: B\nid: sec-Key Findings\n---\nText.\n"),
        ],
    );
    let found = problems(dir.path());
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0]["message"], "section id `findings` does not start with `sec-`");
    assert_eq!(found[0]["line"], 3);
    assert!(found[0]["hint"].as_str().unwrap().contains("id: sec-findings"), "{found:?}");
    assert_eq!(found[1]["message"], "section id `sec-Key Findings` has characters that are not allowed");
    assert_eq!(found[1]["path"], site_file("02-b.md"));
}

#[test]
fn a_section_id_that_a_heading_also_has_is_an_error_at_the_front_matter() {
    let dir = project(
        "",
        &[
            (&site_file("01-a.md"), "---\ntitle: A\nweight: 0\n---\n## Results {#sec-results}\n\nText.\n"),
            (&site_file("02-b.md"), "---\ntitle: B\nweight: 1\nid: sec-results\n---\nText.\n"),
        ],
    );
    let found = problems(dir.path());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["path"], site_file("02-b.md"));
    assert_eq!(found[0]["line"], 4);
    assert!(found[0]["message"].as_str().unwrap().contains("also the id of a heading or table"), "{found:?}");
}

#[test]
fn report_numbering_counts_tables_across_sections_and_appendices() {
    let dir = project(
        "[numbering]\ntables = \"report\"\n",
        &[
            (
                &site_file("01-a.md"),
                "---\ntitle: A\nweight: 0\n---\n{{ table(key=\"a\") }}\n\n{{ table(key=\"b\") }}\n",
            ),
            (
                &site_file("02-b.md"),
                "---\ntitle: B\nweight: 1\n---\n{{ table(key=\"c\", id=\"tbl-c\") }}\n\nSee @tbl-c.\n",
            ),
            (&site_file("03-c.md"), "---\ntitle: C\nweight: 2\nappendix: true\n---\n{{ table(key=\"d\") }}\n"),
        ],
    );
    let doc = built(&dir);
    let numbers: Vec<String> = select(&doc, ".caption-number").iter().map(text).collect();
    assert_eq!(numbers, ["Table 1:", "Table 2:", "Table 3:", "Table 4:"]);
    assert_eq!(xrefs(&doc), [("#tbl-c".to_string(), "Table 3".to_string())]);
    // Sections keep their own numbers.
    assert_eq!(section_numbers(&doc), ["1 A", "2 B", "Appendix A C"]);
}

#[test]
fn section_numbering_is_the_default() {
    let dir = project(
        "",
        &[
            (
                &site_file("01-a.md"),
                "---\ntitle: A\nweight: 0\n---\n{{ table(key=\"a\") }}\n\n{{ table(key=\"b\") }}\n",
            ),
            (&site_file("02-c.md"), "---\ntitle: C\nweight: 2\nappendix: true\n---\n{{ table(key=\"d\") }}\n"),
        ],
    );
    let numbers: Vec<String> = select(&built(&dir), ".caption-number").iter().map(text).collect();
    assert_eq!(numbers, ["Table 1.1:", "Table 1.2:", "Table A.1:"]);
}

#[test]
fn numbered_annexes_use_their_label_everywhere() {
    let dir = project(
        "[numbering]\nappendix_label = \"Annex\"\nappendix_style = \"number\"\n",
        &[
            (&site_file("01-a.md"), "---\ntitle: A\nweight: 0\n---\nSee @sec-tables.\n"),
            (
                &site_file("02-b.md"),
                "---\ntitle: Tables\nappendix: true\nweight: 1\nid: sec-tables\n---\n## Part\n\n{{ table(key=\"a\") }}\n",
            ),
            (&site_file("03-c.md"), "---\ntitle: More\nappendix: true\nweight: 2\n---\nText.\n"),
        ],
    );
    let doc = built(&dir);
    assert_eq!(section_numbers(&doc), ["1 A", "Annex 1 Tables", "Annex 2 More"]);
    assert_eq!(xrefs(&doc), [("#sec-tables".to_string(), "Annex 1".to_string())]);
    let toc: Vec<String> = select(&doc, "nav.toc .toc-list > li > a").iter().map(text).collect();
    assert!(toc.contains(&"Annex 2 More".to_string()), "{toc:?}");
    // Tables and headings of an annex are told apart from section 1's.
    let numbers: Vec<String> = select(&doc, ".caption-number").iter().map(text).collect();
    assert_eq!(numbers, ["Table A1.1:"]);
    assert_eq!(text(&select(&doc, "#part")[0]), "A1.1 Part");
    assert!(!doc.html().contains("Appendix"), "no appendix is called an Appendix");
}

#[test]
fn weights_may_be_any_number_and_ties_go_by_file_name() {
    let dir = project(
        "",
        &[
            (&site_file("a.md"), "---\ntitle: Half\nweight: 2.5\n---\nText.\n"),
            (&site_file("b.md"), "---\ntitle: Minus\nweight: -1\n---\nText.\n"),
            (&site_file("c.md"), "---\ntitle: Three\nweight: 3\n---\nText.\n"),
            (&site_file("d.md"), "---\ntitle: Two\nweight: 2\n---\nText.\n"),
            (&site_file("e.md"), "---\ntitle: Also two\nweight: 2.0\n---\nText.\n"),
        ],
    );
    assert_eq!(section_numbers(&built(&dir)), ["1 Minus", "2 Two", "3 Also two", "4 Half", "5 Three"]);
}

#[test]
fn a_weight_that_is_not_a_number_says_what_a_weight_is() {
    let dir = project("", &[(&site_file("a.md"), "---\ntitle: A\nweight: first\n---\nText.\n")]);
    let found = problems(dir.path());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["line"], 3);
    let message = found[0]["message"].as_str().unwrap();
    assert!(message.contains("`weight` is `\"first\"`") && message.contains("such as `3`, `-1` or `2.5`"), "{found:?}");
}

#[test]
fn nocite_lists_a_work_that_is_not_cited() {
    let dir = project("", &[(&site_file("01-a.md"), "---\ntitle: A\nnocite: [nixon2019]\n---\nAs @buck2020 found.\n")]);
    let doc = built(&dir);
    let listed: Vec<&str> = select(&doc, "ul.references li").iter().filter_map(|li| li.value().attr("id")).collect();
    assert_eq!(listed, ["ref-buck2020", "ref-nixon2019"]);
    assert_eq!(select(&doc, "a.citation").len(), 1, "nixon2019 is listed, not cited");
}

#[test]
fn unknown_nocite_key_is_an_error_at_its_line_with_the_nearest_key() {
    let dir =
        project("", &[(&site_file("01-a.md"), "---\ntitle: A\nnocite:\n  - buck2020\n  - nixon2091\n---\nText.\n")]);
    let found = problems(dir.path());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["path"], site_file("01-a.md"));
    assert_eq!((found[0]["line"].as_u64(), found[0]["col"].as_u64()), (Some(5), Some(5)));
    assert_eq!(found[0]["message"], "`nocite` lists `nixon2091`, which is not in the bibliography");
    assert!(found[0]["hint"].as_str().unwrap().starts_with("did you mean `nixon2019`?"), "{found:?}");
}

#[test]
fn a_reference_list_placed_in_an_annex_replaces_the_automatic_one() {
    let dir = project(
        "[numbering]\nappendix_label = \"Annex\"\n",
        &[
            (&site_file("01-a.md"), "---\ntitle: A\nweight: 0\n---\nAs @buck2020 found.\n"),
            (&site_file("02-b.md"), "---\ntitle: B\nweight: 1\n---\nText.\n"),
            (
                &site_file("03-refs.md"),
                "---\ntitle: Reading\nweight: 2\nappendix: true\nnocite: [nixon2019]\n---\nWorks we drew on.\n\n{{ references() }}\n",
            ),
        ],
    );
    let doc = built(&dir);
    let in_annex: Vec<&str> =
        select(&doc, "section.appendix ul.references li").iter().filter_map(|li| li.value().attr("id")).collect();
    assert_eq!(in_annex, ["ref-buck2020", "ref-nixon2019"]);
    assert_eq!(select(&doc, "ul.references").len(), 1, "one list only");
    assert!(select(&doc, "#references").is_empty(), "no automatic References section");
    let toc: Vec<String> = select(&doc, "nav.toc .toc-list > li > a").iter().map(text).collect();
    assert_eq!(toc, ["1 A", "2 B", "Annex A Reading"]);
    let citation = select(&doc, "a.citation")[0].value().attr("href").unwrap();
    assert_eq!(select(&doc, &format!("section.appendix li{citation}")).len(), 1);
}

#[test]
fn a_second_reference_list_is_an_error_at_its_call() {
    let dir = project(
        "",
        &[
            (&site_file("01-a.md"), "---\ntitle: A\nweight: 0\n---\nAs @buck2020 found.\n\n{{ references() }}\n"),
            (&site_file("02-b.md"), "---\ntitle: B\nweight: 1\n---\nText.\n\n{{ references() }}\n"),
        ],
    );
    let found = problems(dir.path());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["path"], site_file("02-b.md"));
    assert_eq!((found[0]["line"].as_u64(), found[0]["col"].as_u64()), (Some(7), Some(1)));
    assert_eq!(found[0]["message"], "the reference list is placed twice");
    assert!(found[0]["hint"].as_str().unwrap().contains(&format!("{}:7", site_file("01-a.md"))), "{found:?}");
}

#[test]
fn a_reference_list_with_nothing_to_list_is_an_error() {
    let dir = project("", &[(&site_file("01-a.md"), "---\ntitle: A\n---\nText.\n\n{{ references() }}\n")]);
    let found = problems(dir.path());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["line"], 6);
    assert!(found[0]["message"].as_str().unwrap().contains("cites no works"), "{found:?}");
}

#[test]
fn free_pages_take_nocite_and_a_placed_reference_list() {
    let dir = project(
        "",
        &[
            (&site_file("01-a.md"), "---\ntitle: A\n---\nText.\n"),
            (
                "content/pages/reading.md",
                "---\ntitle: Reading list\nnocite: [buck2020, nixon2019]\n---\n## Books\n\n{{ references() }}\n\n## Notes\n\nMore.\n",
            ),
        ],
    );
    let out = build(dir.path(), &["--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = html(&dir.path().join("output/pages/reading/index.html"));
    let listed: Vec<&str> = select(&doc, "ul.references li").iter().filter_map(|li| li.value().attr("id")).collect();
    assert_eq!(listed, ["ref-buck2020", "ref-nixon2019"]);
    assert!(select(&doc, "#references").is_empty(), "placed, so not added again at the end");
    let list = doc.html();
    assert!(
        list.find("ref-nixon2019").unwrap() < list.find("id=\"notes\"").unwrap(),
        "the list is where it was written"
    );
}

#[test]
fn unknown_numbering_values_name_the_allowed_ones() {
    for (toml, message, hint) in [
        ("tables = \"chapter\"", "`chapter` is not an allowed value here", "allowed values: `section` or `report`"),
        ("figures = \"Report\"", "`Report` is not an allowed value here", "did you mean `report`?"),
        ("appendix_style = \"roman\"", "`roman` is not an allowed value here", "allowed values: `letter` or `number`"),
    ] {
        let dir = project(&format!("[numbering]\n{toml}\n"), &[(&site_file("01-a.md"), "---\ntitle: A\n---\nText.\n")]);
        let found = problems(dir.path());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0]["path"], "wingreport.toml");
        assert_eq!(found[0]["line"], 3);
        assert_eq!(found[0]["message"], message);
        assert!(found[0]["hint"].as_str().unwrap().starts_with(hint), "{found:?}");
    }
}

#[test]
fn an_appendix_label_may_not_be_empty() {
    let dir =
        project("[numbering]\nappendix_label = \"\"\n", &[(&site_file("01-a.md"), "---\ntitle: A\n---\nText.\n")]);
    let found = problems(dir.path());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0]["line"].as_u64(), found[0]["col"].as_u64()), (Some(3), Some(18)));
    assert!(found[0]["message"].as_str().unwrap().contains("such as \"Appendix\" or \"Annex\""));
}
