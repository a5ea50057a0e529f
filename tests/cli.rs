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
    assert_eq!(text(&select(&doc, "figure > figcaption")[0]), "Table 1.1: Delivery model");
    assert!(root.join("output/static/style.css").is_file());
}

/// `--timings` lists every stage once, in the order the run goes through
/// them, with a whole number of milliseconds; `--quiet` keeps the timings
/// and drops the summary. Only the shape is checked: the times are the
/// benchmark's business.
#[test]
fn timings_list_each_stage_in_order() {
    let dir = bundled_project();
    let stages = |output: &std::process::Output| -> Vec<String> {
        let err = stderr(output);
        let mut lines = err.lines().skip_while(|l| *l != "Time by stage (wall clock):").skip(1);
        let mut names = Vec::new();
        for line in lines.by_ref().take_while(|l| l.starts_with("  ")) {
            let (name, rest) = line.trim().split_once("  ").expect("a name, then the time");
            let ms = rest.trim().split(' ').next().unwrap();
            assert!(ms.parse::<u64>().is_ok(), "{line:?} gives whole milliseconds");
            assert!(rest.trim_end().ends_with('%'), "{line:?} gives the share of the run");
            names.push(name.to_string());
        }
        names
    };
    let built = build(dir.path(), &["--quiet", "--timings"]);
    assert!(built.status.success(), "{}", stderr(&built));
    assert_eq!(
        stages(&built),
        ["staging", "load", "validate", "theme", "render", "search index", "link check", "swap"]
    );
    assert!(!stderr(&built).contains("Built "), "--quiet drops the summary: {}", stderr(&built));
    let checked = wingreport().args(["check", "--timings", "--root"]).arg(dir.path()).output().unwrap();
    assert!(checked.status.success(), "{}", stderr(&checked));
    assert_eq!(stages(&checked), ["load", "validate", "theme", "render", "search index", "link check"]);
    assert!(stderr(&checked).contains("Checked "), "{}", stderr(&checked));
    let plain = build(dir.path(), &[]);
    assert!(!stderr(&plain).contains("Time by stage"), "only when asked: {}", stderr(&plain));
}

/// Found by a researcher's audit: a new project's `build` said "Built 0
/// site reports" with no word of the draft it left out, and `check
/// --format json` gave a problem with a whole file `"line": 0`.
#[test]
fn a_run_says_how_many_drafts_it_left_out_and_json_has_no_made_up_position() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("study");
    let new = wingreport().args(["new", "project"]).arg(&project).args(["--title", "A study"]).output().unwrap();
    assert!(new.status.success(), "{}", stderr(&new));
    let out = build(&project, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Built 0 site reports (1 draft left out: `wingreport serve` or `--drafts` shows them)"),
        "{}",
        stderr(&out)
    );
    std::fs::write(project.join("content/sites/first-report/site.yaml"), "").unwrap();
    let out = wingreport().arg("check").arg("--root").arg(&project).args(["--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let empty = found.as_array().unwrap().iter().find(|d| d["message"] == "the file is empty").expect("reported");
    assert_eq!((empty["line"].as_u64(), empty["col"].as_u64()), (Some(1), Some(1)));
    std::fs::remove_dir_all(project.join("content/sites/first-report")).unwrap();
    std::fs::create_dir_all(project.join("content/sites/second")).unwrap();
    let out = wingreport().arg("check").arg("--root").arg(&project).args(["--format", "json"]).output().unwrap();
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let missing = &found[0];
    assert_eq!(missing["message"], "file not found");
    assert!(missing["line"].is_null() && missing["col"].is_null(), "{missing}");
}
