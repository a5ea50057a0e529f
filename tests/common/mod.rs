//! Shared helpers: a private copy of the bundled project, the binary, and
//! parsed HTML.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use scraper::{Html, Selector};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temp folder holding only `wingreport.toml` and `content/` of the bundled
/// project: the built-in theme must be enough to build it.
pub fn bundled_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(repo().join("wingreport.toml"), dir.path().join("wingreport.toml")).unwrap();
    copy_tree(&repo().join("content"), &dir.path().join("content"));
    dir
}

pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

pub fn wingreport() -> Command {
    let mut cmd = Command::cargo_bin("wingreport").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Runs `wingreport build --root ROOT` plus `extra` arguments.
pub fn build(root: &Path, extra: &[&str]) -> std::process::Output {
    let mut cmd = wingreport();
    cmd.arg("build").arg("--root").arg(root).args(extra);
    cmd.output().unwrap()
}

pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// What `wingreport check --root ROOT` printed, when it must find mistakes (exit 1).
pub fn failed_check(root: &Path) -> String {
    let out = wingreport().arg("check").arg("--root").arg(root).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    stderr(&out)
}

pub fn html(path: &Path) -> Html {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Html::parse_document(&text)
}

pub fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    let selector = Selector::parse(css).unwrap();
    doc.select(&selector).collect()
}

pub fn text(el: &scraper::ElementRef) -> String {
    el.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every file under `dir` with its bytes, for byte-for-byte comparisons.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect()
}

/// Replaces the first occurrence of `from` in a project file, failing loudly
/// when the bundled content has changed under the test.
pub fn edit(root: &Path, file: &str, from: &str, to: &str) {
    let path = root.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} no longer contains {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// 1-based line of the first line of `file` containing `needle`.
pub fn line_of(root: &Path, file: &str, needle: &str) -> usize {
    let text = std::fs::read_to_string(root.join(file)).unwrap();
    text.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("{file} has no {needle:?}")) + 1
}

/// The line of `stderr` warning that no installed font has `c`, for the
/// report `site`; `None`, after checking there is no such warning, when a
/// font on this machine has it, as `pdf` and `docx` find out.
pub fn missing_font_warning<'e>(stderr: &'e str, c: char, site: &str) -> Option<&'e str> {
    let code = format!("U+{:04X}", u32::from(c));
    if wingreport::fonts::missing(&wingreport::fonts::system(), &[c].into()).is_empty() {
        eprintln!("this machine has a font with {code}, so there is nothing to warn of");
        assert!(!stderr.contains(&code), "{stderr}");
        return None;
    }
    let warning = stderr.lines().find(|l| l.contains(&code)).unwrap_or_else(|| panic!("no warning: {stderr}"));
    assert!(warning.starts_with(&format!("warning: site {site}: no font on this machine has ")), "{warning}");
    Some(warning)
}

/// The bundled project with a theme, `acme`, as a theme author starts one:
/// the built-in `base.html` with one more stylesheet linked after the
/// built-in ones, `static/brand.css`, which holds `css`.
pub fn themed_project(css: &str) -> tempfile::TempDir {
    let dir = bundled_project();
    let root = dir.path();
    let config = std::fs::read_to_string(root.join("wingreport.toml")).unwrap();
    std::fs::write(root.join("wingreport.toml"), format!("theme = \"acme\"\n{config}")).unwrap();
    let theme = root.join("themes/acme");
    std::fs::create_dir_all(theme.join("templates")).unwrap();
    std::fs::create_dir_all(theme.join("static")).unwrap();
    let base = std::fs::read_to_string(repo().join("themes/default/templates/base.html")).unwrap();
    let ratings = "<link rel=\"stylesheet\" href=\"{{ page.root }}static/ratings.css\">\n";
    assert!(base.contains(ratings), "the built-in base.html no longer links ratings.css as {ratings:?}");
    let brand = "<link rel=\"stylesheet\" href=\"{{ page.root }}static/brand.css\">\n";
    std::fs::write(theme.join("templates/base.html"), base.replacen(ratings, &format!("{ratings}{brand}"), 1)).unwrap();
    std::fs::write(theme.join("static/brand.css"), css).unwrap();
    dir
}

/// The problems `wingreport check --format json --root ROOT` found, when
/// it must find some (exit 1).
pub fn failed_check_json(root: &Path) -> Vec<serde_json::Value> {
    let out = wingreport().args(["check", "--format", "json", "--root"]).arg(root).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}
