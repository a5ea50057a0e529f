//! Snapshot of the Drake Hall report's reading order: every heading,
//! caption, table row, list item and quotation inside `<main>`, as text.
//! A change to rendering shows up as a readable diff (`cargo insta review`).

mod common;

use common::*;
use scraper::ElementRef;

fn outline(el: ElementRef, out: &mut Vec<String>) {
    for child in el.children().filter_map(ElementRef::wrap) {
        let name = child.value().name();
        match name {
            "h1" | "h2" | "h3" | "h4" | "h5" => {
                out.push(format!("{} {}", "#".repeat(name[1..].parse().unwrap()), text(&child)))
            }
            "figcaption" => out.push(format!("[caption] {}", text(&child))),
            "tr" => {
                let cells: Vec<String> = child.children().filter_map(ElementRef::wrap).map(|c| text(&c)).collect();
                out.push(format!("| {} |", cells.join(" | ")));
            }
            "li" if child.children().filter_map(ElementRef::wrap).all(|c| !matches!(c.value().name(), "ul" | "ol")) => {
                out.push(format!("- {}", text(&child)));
            }
            "blockquote" => out.push(format!("> {}", text(&child))),
            "svg" => out.push(format!("[svg] {}", child.value().attr("aria-labelledby").unwrap_or(""))),
            "p" => out.push(format!("[p] {}", text(&child).chars().take(60).collect::<String>())),
            _ => outline(child, out),
        }
    }
}

#[test]
fn drake_hall_report_outline() {
    let dir = bundled_project();
    let out = build(dir.path(), &["--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = html(&dir.path().join("output/sites/drake-hall/index.html"));
    let main = select(&doc, "main")[0];
    let mut lines = Vec::new();
    outline(main, &mut lines);
    insta::assert_snapshot!(lines.join("\n"));
}
