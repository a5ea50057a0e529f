//! Every internal link and anchor of the generated pages is checked by
//! `check` and `build`: a broken one is an error at the Markdown line that
//! wrote it, with a hint; links that work, and external ones, pass.

mod common;

use common::*;
use wingreport::build::{Failure, generate};
use wingreport::diagnostics::Diagnostic;

const FILE: &str = "content/sites/drake-hall/03-recommendations.md";

/// The bundled project with `text` appended to a Drake Hall section.
fn project_with(text: &str) -> tempfile::TempDir {
    let dir = bundled_project();
    let path = dir.path().join(FILE);
    let mut body = std::fs::read_to_string(&path).unwrap();
    body.push_str(&format!("\n{text}\n"));
    std::fs::write(path, body).unwrap();
    dir
}

fn line_count(dir: &tempfile::TempDir) -> usize {
    std::fs::read_to_string(dir.path().join(FILE)).unwrap().lines().count()
}

fn problems(dir: &tempfile::TempDir) -> Vec<Diagnostic> {
    match generate(dir.path(), false) {
        Err(Failure::Content(diags)) => diags,
        other => panic!("expected content problems, got {other:?}"),
    }
}

#[test]
fn links_between_reports_pages_sections_and_notes_pass() {
    let dir = project_with(concat!(
        "See [Risley](../risley/index.html), [the guidance](../../pages/commissioning-guidance/index.html), ",
        "[the index](../../index.html), [lessons](#key-lessons-learnt), [Figure 2.1](#fig-attributes), ",
        "[the references](#references), [a source](https://example.org/report) and ",
        "[the comparison](../../compare/index.html).",
    ));
    generate(dir.path(), false).unwrap_or_else(|e| panic!("{e:?}"));
}

#[test]
fn a_broken_cross_report_link_is_an_error_at_its_line() {
    let dir = project_with("See [Risley](../risly/index.html).");
    let line = line_count(&dir);
    let diags = problems(&dir);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!((diags[0].path.as_str(), diags[0].line, diags[0].col), (FILE, line, 5));
    assert!(diags[0].message.contains("`../risly/index.html`"), "{}", diags[0].message);
    assert!(diags[0].hint.as_deref().unwrap_or("").contains("risley"), "{:?}", diags[0].hint);
}

#[test]
fn a_missing_anchor_gets_a_did_you_mean_hint() {
    let dir = project_with("Read [the lessons](#key-lesons).");
    let diags = problems(&dir);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].line, line_count(&dir));
    assert!(diags[0].message.contains("no anchor `key-lesons`"), "{}", diags[0].message);
    assert_eq!(diags[0].hint.as_deref(), Some("did you mean `#key-lessons-learnt`?"));
}

#[test]
fn a_link_to_a_draft_report_says_it_is_a_draft() {
    let dir = project_with("Compare [Holme House](../holme-house/index.html).");
    edit(dir.path(), "content/sites/holme-house/site.yaml", "status: published", "status: draft");
    let diags = problems(&dir);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].line, line_count(&dir));
    assert!(diags[0].hint.as_deref().unwrap_or("").contains("`holme-house` is a draft"), "{:?}", diags[0].hint);
    // With drafts the same link has its target.
    generate(dir.path(), true).unwrap_or_else(|e| panic!("{e:?}"));
}

#[test]
fn check_exits_1_naming_the_line_and_lists_external_links_when_clean() {
    let dir = project_with("Read [the lessons](#key-lesons).");
    let line = line_count(&dir);
    let out = wingreport().arg("check").arg("--root").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains(&format!("{FILE}:{line}:6")), "{}", stderr(&out));

    let dir = project_with("Read [the report](https://example.org/report).");
    let out = wingreport().arg("check").arg("--root").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let listed: Vec<String> = stderr(&out).lines().map(str::trim).map(String::from).collect();
    assert!(listed.contains(&"https://example.org/report  (1 page)".to_string()), "{listed:#?}");
}

#[test]
fn a_broken_link_in_raw_html_is_an_error_at_its_markdown_line() {
    let dir = project_with("See <a href=\"/sites/risley/\">Risley</a> and <img src=\"pic.png\" alt=\"A wing\">.");
    let line = line_count(&dir);
    let diags = problems(&dir);
    assert_eq!(diags.len(), 2, "{diags:#?}");
    let root = &diags[0];
    assert_eq!((root.path.as_str(), root.line, root.col), (FILE, line, 5));
    assert!(root.message.contains("starts with `/`"), "{}", root.message);
    let hint = root.hint.as_deref().unwrap_or("");
    assert!(hint.contains("../risley/index.html") && !hint.contains("bug"), "{hint}");
    let image = &diags[1];
    assert_eq!((image.path.as_str(), image.line, image.col), (FILE, line, 45));
    assert!(image.message.contains("`pic.png`"), "{}", image.message);
    let hint = image.hint.as_deref().unwrap_or("");
    assert!(hint.contains("`static/` folder") && hint.contains("`../../static/pic.png`"), "{hint}");
}

/// QA30-C F12: `![ACME logo](/logo.png)` was "link `/logo.png` has no
/// target" with no hint, where `/static/logo.png` got its relative form.
#[test]
fn an_image_from_the_server_root_is_called_an_image_and_given_its_relative_form() {
    let dir = project_with("![ACME logo](/logo.png)\n\n<img src=\"/banner.png\" alt=\"ACME\">");
    let line = line_count(&dir) - 2;
    let statics = dir.path().join("themes/default/static");
    std::fs::create_dir_all(&statics).unwrap();
    std::fs::write(statics.join("logo.png"), b"\x89PNG").unwrap();
    let diags = problems(&dir);
    let found: Vec<(usize, &str, Option<&str>)> =
        diags.iter().map(|d| (d.line, d.message.as_str(), d.hint.as_deref())).collect();
    assert_eq!(
        found,
        [
            (
                line,
                "image `/logo.png` has no target: it starts with `/`, the web server's root, not the reports' folder",
                Some("write it relative to this page: `../../static/logo.png`")
            ),
            (
                line + 2,
                "image `/banner.png` has no target: it starts with `/`, the web server's root, not the reports' \
                 folder",
                Some(
                    "save the picture in the theme's `static/` folder, which is copied to `output/static/`, and \
                     link it from here as `../../static/banner.png`"
                )
            ),
        ]
    );
}

/// A note cited three times has a back link to each citation (↩, ↩², ↩³),
/// each citation its own id, and every link a name that says where it
/// goes: "Footnote 5", "Back to reference 5 (second)".
#[test]
fn a_note_cited_three_times_links_back_to_each_citation() {
    let dir =
        project_with("Once[^thrice], twice[^thrice] and three times.[^thrice]\n\n[^thrice]: A note cited three times.");
    let files = generate(dir.path(), false).unwrap_or_else(|e| panic!("{e:?}"));
    let page = files.iter().find(|f| f.path == "sites/drake-hall/index.html").unwrap();
    let doc = scraper::Html::parse_document(&String::from_utf8_lossy(&page.bytes));
    let note = select(&doc, "div.footnote").into_iter().find(|n| text(n).contains("A note cited three times")).unwrap();
    let id = note.value().id().unwrap();
    let n = id.strip_prefix("fn-").unwrap();
    let references = select(&doc, &format!("sup.footnote-ref a[href=\"#{id}\"]"));
    assert_eq!(references.len(), 3);
    for reference in &references {
        assert_eq!(reference.value().attr("aria-label"), Some(format!("Footnote {n}").as_str()));
        assert_eq!(text(reference), n, "the number shows");
    }
    let back: Vec<(String, String, String)> = select(&doc, &format!("#{id} a.footnote-back"))
        .iter()
        .map(|a| {
            let href = a.value().attr("href").unwrap().to_string();
            (href, a.value().attr("aria-label").unwrap_or_default().to_string(), text(a))
        })
        .collect();
    let to: Vec<String> = references.iter().map(|r| format!("#{}", r.value().id().unwrap())).collect();
    assert_eq!(
        back,
        [
            (to[0].clone(), format!("Back to reference {n}"), "↩".to_string()),
            (to[1].clone(), format!("Back to reference {n} (second)"), "↩2".to_string()),
            (to[2].clone(), format!("Back to reference {n} (third)"), "↩3".to_string()),
        ]
    );
    let ids: Vec<&str> = select(&doc, "[id]").iter().map(|e| e.value().id().unwrap()).collect();
    let unique: std::collections::BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "ids are unique on the page");
}
