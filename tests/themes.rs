//! A theme author's workflow: `wingreport new theme` writes the built-in
//! theme out, and mistakes in a theme's templates, static files and file
//! names (found by QA audit 30-C) are reported at the file, line and
//! column, with what was expected; a failed build leaves the previous
//! output as it was.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;

/// A project with the theme `acme` whose `static/brand.css` holds `css`,
/// built once, and its output then.
fn built_theme(css: &str) -> (tempfile::TempDir, BTreeMap<String, Vec<u8>>) {
    let dir = themed_project(css);
    let first = build(dir.path(), &["--quiet"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = snapshot(&dir.path().join("output"));
    (dir, before)
}

/// What a build that must fail printed; the previous output is kept.
fn failed_build(root: &Path, before: &BTreeMap<String, Vec<u8>>) -> String {
    let out = build(root, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(&snapshot(&root.join("output")), before, "nothing published");
    stderr(&out)
}

/// Appends `text` to a theme file; returns the number of its first line.
fn append(root: &Path, file: &str, text: &str) -> usize {
    let path = root.join(file);
    let before = std::fs::read_to_string(&path).unwrap_or_default();
    std::fs::write(&path, format!("{before}{text}")).unwrap();
    before.lines().count() + 1
}

const BRAND: &str = "themes/acme/static/brand.css";

/// Writes the project's private list of real names.
fn list_real_names(root: &Path, names: &str) {
    std::fs::create_dir_all(root.join("private")).unwrap();
    std::fs::write(root.join("private/real-names.txt"), names).unwrap();
}

/// QA30-C F2: a real name in a theme stylesheet's `content:` was published
/// on every page with exit 0, as stylesheets and scripts were not read.
#[test]
fn a_real_name_in_a_theme_stylesheet_or_script_string_is_refused_at_its_line() {
    let (dir, before) = built_theme("h1 { color: #5b2a86; }\n");
    let root = dir.path();
    // Words of the built-in stylesheet and scripts' code: no false alarm.
    list_real_names(root, "Ida Smith\nJo Brown\nMark\n");
    copy_tree(&repo().join("themes/default/static"), &root.join("themes/acme/static"));
    let css =
        append(root, BRAND, "/* Mark the footer. */\n.site-footer::after { content: \"Report design: Ida Smith\"; }\n");
    let script = "themes/acme/static/credits.js";
    std::fs::write(
        root.join(script),
        "// Adds a credit line to the footer; mark it as ours.\n\
         const credit = document.createElement('mark');\n\
         credit.textContent = \"Layout by \" + \"Jo Brown\";\n",
    )
    .unwrap();
    let err = failed_build(root, &before);
    let at = format!("{BRAND}:{}:48: real name `Ida Smith` would be published (in static/brand.css)", css + 1);
    assert!(err.contains(&at), "{err}");
    assert!(err.contains(&format!("{script}:3:38: real name `Jo Brown` would be published")), "{err}");
    assert!(!err.to_lowercase().contains("real name `mark`"), "{err}");
    assert_eq!(err.matches("real name `").count(), 2, "{err}");
    // A designer's credit is nobody's pseudonym.
    assert_eq!(err.matches("help: take the name out of the theme").count(), 2, "{err}");
    assert!(!err.contains("pseudonym"), "{err}");
}

/// A real name in a theme stylesheet is reported in the same run as a
/// broken `url()` beside it: the stylesheet was read for names only once
/// the links passed, so the author learned of the name one build late.
#[test]
fn a_real_name_in_a_theme_stylesheet_is_reported_beside_a_broken_link() {
    let (dir, before) = built_theme("h1 { color: #5b2a86; }\n");
    let root = dir.path();
    list_real_names(root, "Jo Brown\n");
    let line = append(
        root,
        BRAND,
        ".site-footer::after { content: \"Design: Jo Brown\"; }\n.x { background: url(/static/logo.png) }\n",
    );
    let err = failed_build(root, &before);
    assert!(err.contains(&format!("{BRAND}:{line}:41: real name `Jo Brown` would be published")), "{err}");
    assert!(err.contains(&format!("{BRAND}:{}:18: `url(/static/logo.png)` has no target", line + 1)), "{err}");
    assert_eq!(err.matches('×').count(), 2, "{err}");
}

/// QA30-C F3: `url()` in a theme stylesheet was not checked, so an address
/// from the server's root broke at an intranet sub-path, and a missing
/// file passed.
#[test]
fn a_theme_stylesheet_loads_only_files_of_the_output_written_relative_to_it() {
    let fine = "@font-face { font-family: \"Brand\"; src: url(\"fonts/brand.woff2\") format(\"woff2\"); }\n\
                .cover { background: url(logo.png) no-repeat, url(\"data:image/gif;base64,R0lGODlhAQABAAAAACw=\"); }\n";
    let dir = themed_project(fine);
    let root = dir.path();
    std::fs::create_dir_all(root.join("themes/acme/static/fonts")).unwrap();
    std::fs::write(root.join("themes/acme/static/fonts/brand.woff2"), b"wOF2").unwrap();
    std::fs::write(root.join("themes/acme/static/logo.png"), b"\x89PNG").unwrap();
    let first = build(root, &["--quiet"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = snapshot(&root.join("output"));
    let line = append(
        root,
        BRAND,
        ".cover { background: url(\"/static/logo.png\") no-repeat right top; }\n\
         .topbar { background-image: url(missing-texture.png); }\n",
    );
    let err = failed_build(root, &before);
    for (at, says) in [
        (format!("{BRAND}:{line}:22"), "`url(/static/logo.png)` has no target: it starts with `/`"),
        (format!("{BRAND}:{line}:22"), "write it relative to this stylesheet: `logo.png`"),
        (format!("{BRAND}:{}:29", line + 1), "`url(missing-texture.png)` has no target"),
    ] {
        assert!(err.contains(&at) && err.contains(says), "{at}: {says}: {err}");
    }
    assert_eq!(err.matches('×').count(), 2, "{err}");
}

/// QA30-C F7: a theme's file with the path of one the build writes into
/// `static/` silently lost to it (`ratings.css`) or silently replaced it
/// (a shard of the search index, which broke search).
#[test]
fn a_theme_file_in_the_place_of_a_generated_one_is_refused() {
    let (dir, before) = built_theme("h1 { color: #5b2a86; }\n");
    let root = dir.path();
    let statics = root.join("themes/acme/static");
    std::fs::create_dir_all(statics.join("search/t")).unwrap();
    for name in ["ratings.css", "Syntax.css", "search/t/me.js", "search/manifest.js"] {
        std::fs::write(statics.join(name), "/* the theme's */\n").unwrap();
    }
    // The built-in files a theme may replace, and a stylesheet beside them.
    std::fs::write(statics.join("favicon.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").unwrap();
    let err = failed_build(root, &before);
    for (name, hint) in [
        ("ratings.css", "rename it, say to `acme-ratings.css`, and link it from the theme's base.html"),
        ("Syntax.css", "rename it, say to `acme-Syntax.css`"),
        ("search/manifest.js", "move it to a folder of its own, such as `static/acme/`"),
        ("search/t/me.js", "move it to a folder of its own, such as `static/acme/`"),
    ] {
        assert!(err.contains(&format!("themes/acme/static/{name}: `static/{name}` ")), "{name}: {err}");
        assert!(err.contains(hint), "{name}: {err}");
    }
    assert_eq!(err.matches('×').count(), 4, "{err}");

    for name in ["ratings.css", "Syntax.css", "search/t/me.js", "search/manifest.js"] {
        std::fs::remove_file(statics.join(name)).unwrap();
    }
    let out = build(root, &["--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let favicon = std::fs::read_to_string(root.join("output/static/favicon.svg")).unwrap();
    assert_eq!(favicon, "<svg xmlns=\"http://www.w3.org/2000/svg\"/>", "a built-in file is the theme's to replace");
    assert!(root.join("output/static/search/manifest.js").is_file());
}

/// QA30-C F13: `theme = "themes/acme"` was told to create
/// `themes/themes/acme/templates/`, and `theme = ""` built with the
/// built-in theme in silence.
#[test]
fn a_theme_named_by_its_path_or_not_at_all_is_told_its_name() {
    let (dir, before) = built_theme("h1 { color: #5b2a86; }\n");
    let root = dir.path();
    edit(root, "wingreport.toml", "theme = \"acme\"", "theme = \"themes/acme/\"");
    let err = failed_build(root, &before);
    assert!(err.contains("wingreport.toml:1:9: theme `themes/acme/` not found"), "{err}");
    assert!(err.contains("name the theme by its folder in themes/, without a path: `theme = \"acme\"`"), "{err}");
    edit(root, "wingreport.toml", "theme = \"themes/acme/\"", "theme = \" \"");
    let err = failed_build(root, &before);
    assert!(err.contains("wingreport.toml:1:9: this theme name is empty"), "{err}");
    assert!(err.contains("or leave `theme` out for the built-in theme"), "{err}");
}

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

/// What `check --format json` says of the acme theme's `site.html` once
/// `from` is replaced by `to` in it: its one problem.
fn site_template_problem(from: &str, to: &str) -> serde_json::Value {
    let dir = bundled_project();
    let root = dir.path();
    acme_theme(root);
    edit(root, "themes/acme/templates/site.html", from, to);
    let problems = failed_check_json(root);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0]["path"], "themes/acme/templates/site.html");
    problems[0].clone()
}

/// Found by a theme audit (QA30-C F8): Tera's words for an unclosed tag
/// ("Unexpected end of input", "Unknown tag" at a known tag) named
/// neither the tag left open nor where.
#[test]
fn an_unclosed_tag_is_named_with_where_it_was_opened() {
    let problem = site_template_problem("{% endblock body %}", "");
    assert_eq!(
        problem["message"],
        "the template does not parse: expected `{% endblock %}` to close `{% block body %}` at 2:1, but the template ends"
    );

    let problem = site_template_problem("    {% endfor %}\n    </div>", "    </div>");
    assert_eq!((problem["line"].as_u64(), problem["col"].as_u64()), (Some(44), Some(4)));
    assert_eq!(
        problem["message"],
        "the template does not parse: expected `{% endfor %}` to close `{% for section in sections %}` at 35:5 \
         before `{% endblock body %}`"
    );
    assert!(problem["hint"].as_str().unwrap().contains("`{% for %}` ends with `{% endfor %}`"), "{problem:#}");
}

#[test]
fn an_unknown_filter_gets_the_nearest_and_a_missing_include_the_templates_there_are() {
    let problem = site_template_problem("{{ title }}", "{{ title | uppercase }}");
    assert_eq!(problem["message"], "the template does not parse: Unknown filter `uppercase`");
    assert!(problem["hint"].as_str().unwrap().starts_with("did you mean `upper`?"), "{problem:#}");

    let problem = site_template_problem(
        "{% include \"partials/contents.html\" %}",
        "{% include \"partials/contents.html\" %}{% include \"partials/brand-banner.html\" %}",
    );
    assert_eq!(problem["message"], "the template does not parse: Unknown template `partials/brand-banner.html`");
    let hint = problem["hint"].as_str().unwrap();
    assert!(hint.starts_with("there is no themes/acme/templates/partials/brand-banner.html"), "{hint}");
    assert!(hint.contains("`partials/caption.html`") && hint.contains("`partials/toc_list.html`"), "{hint}");
}

/// QA30-C F4: a broken link or an accessibility barrier a theme template
/// wrote was reported at the output page (`compare/index.html:20`, no
/// column), once per relative prefix, a file the author never edits.
#[test]
fn a_problem_a_template_wrote_is_reported_once_at_the_template_line() {
    let dir = bundled_project();
    let root = dir.path();
    acme_theme(root);
    let first = build(root, &["--quiet"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = snapshot(&root.join("output"));
    let header = "<header class=\"topbar\">\n";
    let logos = "  <img src=\"{{ page.root }}static/logo-missing.svg\" alt=\"\">\n  <img src=\"/static/logo.svg\"\n       \
                 class=\"brand\">\n";
    edit(root, BASE, header, &format!("{header}{logos}"));
    let missing = line_of(root, BASE, "logo-missing.svg");

    let problems = failed_check_json(root);
    let found: Vec<(&str, u64, u64)> = problems
        .iter()
        .map(|p| (p["path"].as_str().unwrap(), p["line"].as_u64().unwrap(), p["col"].as_u64().unwrap()))
        .collect();
    let line = missing as u64;
    assert_eq!(found, [(BASE, line, 3), (BASE, line + 1, 3), (BASE, line + 1, 3)], "{problems:#?}");
    let text = |i: usize, key: &str| problems[i][key].as_str().unwrap().to_string();
    assert!(text(0, "message").contains("`static/logo-missing.svg` is not in the output"), "{problems:#?}");
    assert!(text(0, "message").contains("(and 7 other pages)"), "one problem for all eight pages: {problems:#?}");
    let root_relative = problems.iter().find(|p| p["message"].as_str().unwrap().contains("starts with `/`")).unwrap();
    assert!(root_relative["hint"].as_str().unwrap().contains("`{{ page.root }}static/"), "{root_relative:#}");
    let alt = problems.iter().find(|p| p["message"].as_str().unwrap().contains("has no `alt`")).unwrap();
    assert!(alt["message"].as_str().unwrap().starts_with("accessibility: image `/static/logo.svg` has no `alt`"));
    assert!(!alt["hint"].as_str().unwrap().contains("no Markdown line wrote this"), "{alt:#}");

    failed_build(root, &before);
}
