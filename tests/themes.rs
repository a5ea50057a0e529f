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

/// Moves `from` to `to` inside the project at `root`.
fn rename(root: &Path, from: &str, to: &str) {
    std::fs::create_dir_all(root.join(to).parent().unwrap()).unwrap();
    std::fs::rename(root.join(from), root.join(to)).unwrap();
}

/// Found by a theme audit (QA30-C F6): a misnamed template or theme
/// folder was silently ignored, and the pages took the built-in look.
#[test]
fn misnamed_theme_files_are_errors_with_the_name_meant() {
    let dir = bundled_project();
    let root = dir.path();
    acme_theme(root);
    rename(root, "themes/acme/templates/partials/caption.html", "themes/acme/templates/partials/captions.html");
    rename(root, "themes/acme/templates/site.html", "themes/acme/templates/Site.html");
    let callout = root.join("themes/acme/templates/shortcodes/key-point.html");
    std::fs::write(&callout, "<aside>{{ args.text }}</aside>").unwrap();
    let problems = failed_check_json(root);
    let found: Vec<(&str, &str, &str)> = problems
        .iter()
        .map(|p| (p["path"].as_str().unwrap(), p["message"].as_str().unwrap(), p["hint"].as_str().unwrap()))
        .collect();
    assert_eq!(found.len(), 3, "{found:#?}");
    assert_eq!(found[0].0, "themes/acme/templates/Site.html");
    assert!(found[0].1.starts_with("template `Site.html` is not used"), "{}", found[0].1);
    assert!(found[0].2.starts_with("did you mean `site.html`?"), "{}", found[0].2);
    assert_eq!(found[1].0, "themes/acme/templates/partials/captions.html");
    assert!(found[1].2.starts_with("did you mean `partials/caption.html`?"), "{}", found[1].2);
    assert_eq!(found[2].0, "themes/acme/templates/shortcodes/key-point.html");
    assert_eq!(found[2].1, "shortcode template `key-point.html` can never be called");
    assert!(found[2].2.contains("rename it to shortcodes/key_point.html"), "{}", found[2].2);
}

#[test]
fn a_misnamed_templates_folder_is_an_error_and_an_unused_partial_a_warning() {
    let dir = bundled_project();
    let root = dir.path();
    acme_theme(root);
    rename(root, "themes/acme/templates", "themes/acme/template");
    let problems = failed_check_json(root);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0]["path"], "themes/acme/template/");
    assert_eq!(problems[0]["message"], "folder `template/` is not read");
    assert!(problems[0]["hint"].as_str().unwrap().starts_with("did you mean `templates/`?"), "{problems:#?}");

    rename(root, "themes/acme/template", "themes/acme/templates");
    std::fs::write(root.join("themes/acme/templates/partials/banner.html"), "<p>ACME</p>").unwrap();
    let out = build(root, &["--quiet"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "warning: themes/acme/templates/partials/banner.html: template `partials/banner.html` is not used"
        ),
        "{}",
        stderr(&out)
    );
}
