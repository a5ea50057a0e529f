//! Search in the built site: every page carries the (no-JS hidden) search
//! form and loads `static/search.js` by a relative path that resolves to the
//! file, so search works at any sub-path and from `file://`; the index
//! holds every published section with links that resolve.

mod common;

use std::path::Path;

use common::*;

fn built() -> tempfile::TempDir {
    let dir = bundled_project();
    let out = build(dir.path(), &["--quiet"]);
    assert!(out.status.success(), "build failed:\n{}", stderr(&out));
    dir
}

fn html_pages(output: &Path) -> Vec<std::path::PathBuf> {
    let mut pages: Vec<_> = walkdir::WalkDir::new(output)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| e.into_path())
        .collect();
    pages.sort();
    pages
}

#[test]
fn search_script_ships_with_the_theme() {
    let dir = built();
    let js = std::fs::read_to_string(dir.path().join("output/static/search.js")).expect("static/search.js");
    // Loads the index as a script relative to itself, never over the network.
    assert!(js.contains("static/search-index.js"));
    for banned in ["fetch(", "XMLHttpRequest", "innerHTML", "eval(", "http://", "https://", ".style."] {
        assert!(!js.contains(banned), "search.js contains {banned:?}");
    }
}

#[test]
fn every_page_has_the_search_form_and_a_relative_script_tag() {
    let dir = built();
    let output = dir.path().join("output");
    let pages = html_pages(&output);
    assert!(pages.len() >= 6, "expected the index, reports, comparison and pages, got {pages:?}");
    for page in pages {
        let name = page.strip_prefix(&output).unwrap().display().to_string();
        let doc = html(&page);

        let forms = select(&doc, "header.topbar form[role=search]");
        assert_eq!(forms.len(), 1, "{name}: one search form in the top bar");
        let form = forms[0].value();
        assert!(form.attr("hidden").is_some(), "{name}: the form is hidden until search.js shows it");
        assert!(form.attr("action").is_none(), "{name}: the form never submits anywhere");

        let inputs = select(&doc, "form[role=search] input[type=search]");
        assert_eq!(inputs.len(), 1, "{name}: one search box");
        let id = inputs[0].value().attr("id").expect("the search box has an id");
        let labels = select(&doc, &format!("form[role=search] label[for={id}]"));
        assert_eq!(labels.len(), 1, "{name}: the search box is labelled");
        assert_eq!(text(&labels[0]), "Search the reports");
        let controls = inputs[0].value().attr("aria-controls").expect("aria-controls");
        assert_eq!(select(&doc, &format!("#{controls}")).len(), 1, "{name}: aria-controls points at the panel");
        assert_eq!(select(&doc, "form[role=search] [role=status]").len(), 1, "{name}: a live region for counts");

        let scripts: Vec<&str> = select(&doc, "script").iter().map(|s| s.value().attr("src").unwrap_or("")).collect();
        assert!(scripts.iter().all(|s| !s.is_empty()), "{name}: no inline scripts (the CSP forbids them)");
        let search: Vec<&&str> = scripts.iter().filter(|s| s.ends_with("static/search.js")).collect();
        assert_eq!(search.len(), 1, "{name}: one search.js script tag, got {scripts:?}");
        let src = search[0];
        assert!(!src.starts_with('/') && !src.contains("://"), "{name}: {src} is not relative");
        let resolved = page.parent().unwrap().join(src);
        assert!(resolved.is_file(), "{name}: {src} does not resolve to a file");
        assert_eq!(
            resolved.canonicalize().unwrap(),
            output.join("static/search.js").canonicalize().unwrap(),
            "{name}: {src} resolves elsewhere"
        );
    }
}

#[test]
fn index_holds_every_published_section_with_resolving_links() {
    let dir = bundled_project();
    common::edit(dir.path(), "content/sites/risley/site.yaml", "status: published", "status: draft");
    let out = build(dir.path(), &["--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let script = std::fs::read_to_string(dir.path().join("output/static/search-index.js")).unwrap();
    let json = script.split_once(" = ").unwrap().1.trim_end().trim_end_matches(';');
    let docs: Vec<serde_json::Value> = serde_json::from_str(json).unwrap();
    let field = |d: &serde_json::Value, k: &str| d[k].as_str().unwrap().to_string();

    let drake: Vec<&serde_json::Value> =
        docs.iter().filter(|d| field(d, "report") == "CFO Hamlet Peer mentor initiative at HMP Drake Hall").collect();
    let sections: Vec<String> = drake.iter().map(|d| field(d, "section")).collect();
    assert!(sections.contains(&"2 Findings at the Hamlet".to_string()), "{sections:?}");
    assert!(sections.contains(&"2.1 Peer involvement across the programme".to_string()));
    assert!(sections.contains(&"References".to_string()));
    let findings = drake.iter().find(|d| field(d, "section") == "2.1 Peer involvement across the programme").unwrap();
    assert!(field(findings, "text").contains("difficult to engage"), "quotes are searchable");
    assert!(!field(findings, "text").contains("WRREF"), "no placeholders leak");

    for doc in &docs {
        let href = field(doc, "href");
        let (page, anchor) = href.split_once('#').unwrap_or((&href, ""));
        let file = dir.path().join("output").join(page);
        assert!(file.is_file(), "{href}");
        if !anchor.is_empty() {
            assert_eq!(select(&html(&file), &format!("[id=\"{anchor}\"]")).len(), 1, "{href}");
        }
    }
    assert!(docs.iter().all(|d| !field(d, "href").starts_with("sites/risley/")), "drafts are not indexed");
    assert!(
        docs.iter().any(|d| field(d, "href").starts_with("pages/commissioning-guidance/")),
        "free pages are indexed"
    );
}
