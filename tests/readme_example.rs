//! The README's worked example must build and say what the README says it
//! does, so the guide cannot drift from the code.

mod common;

use common::*;

fn fenced_block_after(text: &str, marker: &str, lang: &str) -> String {
    let start = text.find(marker).expect("README has the marker") + marker.len();
    let fence = format!("```{lang}\n");
    let body = &text[start..][text[start..].find(&fence).expect("README has the block") + fence.len()..];
    body[..body.find("```").unwrap()].to_string()
}

#[test]
fn worked_example_builds_as_described() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let record = fenced_block_after(&readme, "`content/sites/example/site.yaml`:", "yaml");
    let narrative = fenced_block_after(&readme, "`content/sites/example/01-introduction.md`:", "markdown");

    let dir = bundled_project();
    let site = dir.path().join("content/sites/example");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(site.join("site.yaml"), record).unwrap();
    std::fs::write(site.join("01-introduction.md"), narrative).unwrap();

    let out = build(dir.path(), &["--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!dir.path().join("output/sites/example").exists(), "the example is a draft");

    let out = build(dir.path(), &["--quiet", "--drafts"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = html(&dir.path().join("output/sites/example/index.html"));
    assert_eq!(text(&select(&doc, "main section > h2")[0]), "1 Introduction");
    assert_eq!(text(&select(&doc, "main h3")[0]), "1.1 The site");
    assert_eq!(text(&select(&doc, "figure.table-figure > figcaption")[0]), "Table 1.1: Profile of HMP Example");
    assert_eq!(text(&select(&doc, "figure.quote figcaption")[0]), "(Sam, Resident, interview)");
}
