//! A theme author's workflow: `wingreport new theme` writes the built-in
//! theme out, and mistakes in a theme's templates and file names are
//! reported at the file, line and column, with what was expected.

mod common;

use common::*;
use std::path::Path;

/// Writes the built-in theme as `themes/acme/` and selects it.
fn acme_theme(root: &Path) {
    let out = wingreport().args(["new", "theme", "acme", "--root"]).arg(root).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("`theme = \"acme\"` in wingreport.toml"), "{}", stderr(&out));
    let config = std::fs::read_to_string(root.join("wingreport.toml")).unwrap();
    std::fs::write(root.join("wingreport.toml"), format!("theme = \"acme\"\n{config}")).unwrap();
}

const BASE: &str = "themes/acme/templates/base.html";

#[test]
fn new_theme_writes_the_built_in_theme_which_builds_the_same_pages() {
    let dir = bundled_project();
    let root = dir.path();
    let builtin = build(root, &["--quiet"]);
    assert_eq!(builtin.status.code(), Some(0), "{}", stderr(&builtin));
    let before = snapshot(&root.join("output"));
    acme_theme(root);
    for file in ["templates/base.html", "templates/partials/caption.html", "templates/shortcodes/quote.html"] {
        assert!(root.join("themes/acme").join(file).is_file(), "{file}");
    }
    assert_eq!(
        std::fs::read(root.join("themes/acme/static/style.css")).unwrap(),
        std::fs::read(repo().join("themes/default/static/style.css")).unwrap()
    );
    let themed = build(root, &["--quiet"]);
    assert_eq!(themed.status.code(), Some(0), "{}", stderr(&themed));
    let after = snapshot(&root.join("output"));
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
    for (path, bytes) in &before {
        assert!(bytes == &after[path], "{path} differs from the built-in theme's");
    }

    // A second run would overwrite the author's edits: refused, and nothing changes.
    std::fs::write(root.join(BASE), "edited").unwrap();
    let again = wingreport().args(["new", "theme", "acme", "--root"]).arg(root).output().unwrap();
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(stderr(&again).contains("already exists"), "{}", stderr(&again));
    assert_eq!(std::fs::read_to_string(root.join(BASE)).unwrap(), "edited");
}

/// Found by a theme audit (QA30-C F5): an undefined variable in base.html
/// was 4 problems, one per kind of page, whose hint pointed to a guide
/// that did not exist.
#[test]
fn an_undefined_variable_in_base_is_one_problem_pointing_at_the_theme_guide() {
    let dir = bundled_project();
    let root = dir.path();
    acme_theme(root);
    edit(root, BASE, "{{ page.series_title }}", "{{ organisation }} {{ page.series_title }}");
    let line = line_of(root, BASE, "{{ organisation }}");
    let problems = failed_check_json(root);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let problem = &problems[0];
    assert_eq!(problem["path"], BASE);
    assert_eq!(problem["line"], line);
    let message = problem["message"].as_str().unwrap();
    assert!(message.starts_with("template error: Variable `organisation` is not defined."), "{message}");
    // Only the variables every kind of page has.
    assert!(message.ends_with("Available variables: page, title"), "{message}");
    let hint = problem["hint"].as_str().unwrap();
    assert!(hint.contains("under \"Themes\" in README.md") && hint.contains("wingreport new theme"), "{hint}");
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(readme.contains("\n## Themes\n"), "the hint names a README section that exists");
}
