//! Usage errors exit 2 and never touch a folder wingreport did not write.

mod common;

use common::*;

#[test]
fn output_that_is_the_project_is_refused() {
    let dir = bundled_project();
    let out = build(dir.path(), &["--output", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("project folder"), "{}", stderr(&out));
    assert!(dir.path().join("content/series.yaml").exists());
}

#[test]
fn foreign_output_folder_is_refused_and_kept() {
    let dir = bundled_project();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join("keep.txt"), "mine").unwrap();
    let out = build(dir.path(), &["--output", docs.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not written by wingreport"));
    assert_eq!(std::fs::read_to_string(docs.join("keep.txt")).unwrap(), "mine");
}

#[test]
fn folder_without_a_project_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = build(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no wingreport.toml"));
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let out = wingreport().args(["build", "--draft"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--drafts"), "clap suggests the right flag");
}

#[test]
fn help_explains_each_command() {
    let out = wingreport().arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("build") && help.contains("check"));
    let out = wingreport().args(["build", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in ["--root", "--output", "--drafts", "--quiet"] {
        assert!(help.contains(flag), "build --help lists {flag}");
    }
}

#[test]
fn minimal_project_builds_with_the_built_in_theme() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("wingreport.toml"), "title = \"Tiny\"\n").unwrap();
    std::fs::create_dir_all(root.join("content/sites/a")).unwrap();
    std::fs::write(root.join("content/series.yaml"), "title: Tiny\nauthors: [A]\nyear: 2024\nsummary: S\n").unwrap();
    std::fs::write(
        root.join("content/sites/a/site.yaml"),
        "id: a\ntitle: Site A\nprison: HMP A\nauthors: [A]\nyear: 2024\nstatus: review\nsummary: S\n\
         profile: {category: C, resident_profile: R, estate: mixed}\n\
         delivery: {role: Peer mentor, paid: false, training_provider: P, training: T, accreditation: unaccredited, supervision: S, progression: P}\n",
    )
    .unwrap();
    std::fs::write(
        root.join("content/sites/a/intro.md"),
        "---\ntitle: Introduction\nweight: 1\n---\n\n{{ delivery() }}\n",
    )
    .unwrap();
    let out = build(root, &["--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = html(&root.join("output/sites/a/index.html"));
    assert_eq!(text(&select(&doc, ".status-tag")[0]), "Status: In review");
    assert_eq!(text(&select(&doc, "figure > figcaption")[0]), "Table 1.1: Peer involvement role delivery model");
    assert!(root.join("output/static/style.css").is_file());
}
