//! A theme override that puts a barrier between readers and a report fails
//! `build` and `check` with the barrier named at the template line that
//! wrote it, once for all the pages that share it, and the previous output
//! stays as it was.

mod common;

use common::*;
use scraper::Html;

const BASE: &str = "themes/default/templates/base.html";
const CHART: &str = "themes/default/templates/shortcodes/attributes_chart.html";

/// Overrides the built-in template `file` in the project at `root` with
/// its text, changed by `change`.
fn override_template(root: &std::path::Path, file: &str, change: impl Fn(&str) -> String) {
    let text = std::fs::read_to_string(repo().join(file)).unwrap();
    let changed = change(&text);
    assert_ne!(changed, text, "{file} has changed under the test");
    std::fs::create_dir_all(root.join(file).parent().unwrap()).unwrap();
    std::fs::write(root.join(file), changed).unwrap();
}

#[test]
fn a_theme_that_drops_the_language_and_a_charts_table_fails_and_keeps_the_output() {
    let dir = bundled_project();
    let root = dir.path();
    let first = build(root, &["--quiet"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let before = snapshot(&root.join("output"));

    override_template(root, BASE, |base| base.replace("<html lang=\"{{ page.language }}\">", "<html>"));
    // The chart's data table is in its <details>.
    override_template(root, CHART, |chart| {
        let (start, end) = (chart.find("<details").unwrap_or(0), chart.find("</details>").unwrap_or(0));
        format!("{}{}", &chart[..start], &chart[end + "</details>".len()..])
    });
    let out = build(root, &["--quiet"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    let pages = before.keys().filter(|p| p.ends_with(".html")).count();
    assert!(
        err.contains(&format!(
            "accessibility: `<html>` has no `lang` (on `compare/index.html` and {} other pages)",
            pages - 1
        )),
        "{err}"
    );
    assert!(err.contains(&format!("{BASE}:2:1: accessibility")), "at the template line: {err}");
    assert!(err.contains("page.language"), "{err}");
    let charted: Vec<String> = before
        .iter()
        .filter(|(path, bytes)| {
            path.ends_with(".html")
                && !select(&Html::parse_document(&String::from_utf8_lossy(bytes)), "figure.attributes-chart").is_empty()
        })
        .map(|(path, _)| path.clone())
        .collect();
    let others = match charted.len() {
        0 => panic!("no page of the bundled series has an attribute chart"),
        1 => String::new(),
        2 => " and 1 other page".to_string(),
        n => format!(" and {} other pages", n - 1),
    };
    assert!(
        err.contains(&format!("accessibility: chart `<figure>` has no data table (on `{}`{others})", charted[0])),
        "{err}"
    );
    assert!(err.contains(&format!("{CHART}:1:1: accessibility")), "at the template line: {err}");
    assert_eq!(err.matches("accessibility:").count(), 2, "{err}");
    assert_eq!(snapshot(&root.join("output")), before, "a failed build changed the output");

    let check = wingreport().arg("check").arg("--root").arg(root).output().unwrap();
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    assert!(stderr(&check).contains("has no data table"), "{}", stderr(&check));
}
