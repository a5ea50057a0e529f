//! `wingreport pdf`: the Drake Hall report printed through headless Chromium
//! (when one is installed; CI installs it), and the command's usage errors,
//! which need no browser.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::*;

const TITLE: &str = "CFO Hamlet Peer mentor initiative at HMP Drake Hall";
const INSTALL_MESSAGE: &str = "wingreport pdf needs Chromium or Google Chrome; install it (Debian: apt-get install chromium) or set WINGREPORT_CHROMIUM";

fn pdf(root: &Path, extra: &[&str]) -> Output {
    wingreport().arg("pdf").arg("--root").arg(root).args(extra).output().unwrap()
}

/// A program on PATH, for the poppler tools.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file())
}

fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Page count: `pdfinfo` when installed, else the number of `/Type /Page` objects.
fn page_count(pdf: &Path) -> usize {
    if let Some(pdfinfo) = on_path("pdfinfo") {
        let out = std::process::Command::new(pdfinfo).arg(pdf).output().unwrap();
        assert!(out.status.success(), "pdfinfo failed: {}", stderr(&out));
        let info = String::from_utf8_lossy(&out.stdout);
        let pages = info.lines().find_map(|l| l.strip_prefix("Pages:")).expect("pdfinfo prints Pages:");
        return pages.trim().parse().unwrap();
    }
    let bytes = std::fs::read(pdf).unwrap();
    let needle = b"/Type /Page";
    bytes
        .windows(needle.len() + 1)
        .filter(|w| &w[..needle.len()] == needle && !w[needle.len()].is_ascii_alphanumeric())
        .count()
}

/// The text of each page, through `pdftotext`.
fn page_texts(pdftotext: &Path, pdf: &Path, pages: usize) -> Vec<String> {
    (1..=pages)
        .map(|n| {
            let n = n.to_string();
            let out =
                std::process::Command::new(pdftotext).args(["-f", &n, "-l", &n]).arg(pdf).arg("-").output().unwrap();
            assert!(out.status.success(), "pdftotext failed: {}", stderr(&out));
            words(&String::from_utf8_lossy(&out.stdout))
        })
        .collect()
}

/// True where a missing browser or poppler must fail, as in the browser
/// suite: CI (.ci/run sets WINGREPORT_E2E=1; CI=true is how CI runs it).
fn strict() -> bool {
    std::env::var("WINGREPORT_E2E").is_ok_and(|v| v == "1") || std::env::var("CI").is_ok_and(|v| v == "true")
}

#[test]
fn drake_hall_prints_to_a_multi_page_a4_pdf() {
    if let Err(wingreport::build::Failure::Usage(why)) = wingreport::pdf::find_browser() {
        assert!(!strict(), "{why} (required under WINGREPORT_E2E=1 or CI=true; .ci/run installs it)");
        eprintln!("skipped: {why}");
        return;
    }
    let dir = bundled_project();
    let out = pdf(dir.path(), &["--site", "drake-hall"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let pdf_dir = dir.path().join("pdf");
    assert!(stderr(&out).contains(&format!("Wrote 1 PDF into {}", pdf_dir.display())), "{}", stderr(&out));
    let file = pdf_dir.join("drake-hall.pdf");
    let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let names: Vec<_> = std::fs::read_dir(&pdf_dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["drake-hall.pdf"], "--site prints only that report");

    let pages = page_count(&file);
    eprintln!("drake-hall.pdf: {pages} pages");
    assert!(pages > 1, "the report has a cover and several sections, got {pages} page(s)");

    let Some(pdftotext) = on_path("pdftotext") else {
        assert!(!strict(), "pdftotext is required under WINGREPORT_E2E=1 or CI=true; .ci/run installs poppler-utils");
        eprintln!("text checks skipped: pdftotext (Debian: poppler-utils) is not installed");
        return;
    };
    let texts = page_texts(&pdftotext, &file, pages);
    let all = texts.join(" ");
    assert!(all.contains(TITLE), "the PDF's text has the report title");
    assert!(texts[0].contains(TITLE), "page 1 is the cover");

    // Every top-level section starts a new page, as the print stylesheet says.
    let built = build(dir.path(), &["--quiet", "--output", dir.path().join("site").to_str().unwrap()]);
    assert!(built.status.success(), "{}", stderr(&built));
    let doc = html(&dir.path().join("site/sites/drake-hall/index.html"));
    let headings: Vec<String> = select(&doc, ".report > section > h2").iter().map(text).collect();
    assert!(headings.len() > 1, "the report has sections");
    for heading in &headings {
        assert!(texts.iter().any(|t| t.starts_with(heading.as_str())), "no page starts with section {heading:?}");
    }
    assert!(!texts[0].contains(headings[0].as_str()), "the cover stands alone");

    // No navigation chrome; chart data shown.
    for chrome in ["Skip to main content", "All reports", "Generated by wingreport"] {
        assert!(!all.contains(chrome), "the PDF shows {chrome:?}");
    }
    assert!(all.contains("Respondents (of"), "the attribute chart's data table is printed");
}

#[test]
fn unknown_site_is_a_usage_error_listing_the_known_ids() {
    let dir = bundled_project();
    let out = pdf(dir.path(), &["--site", "drake-hal"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("unknown site `drake-hal`"), "{err}");
    for id in ["drake-hall", "high-down", "holme-house", "risley"] {
        assert!(err.contains(id), "the error lists {id}: {err}");
    }
    assert!(!dir.path().join("pdf").exists(), "nothing is written");
}

#[test]
fn missing_browser_is_a_usage_error_saying_how_to_install_one() {
    let dir = bundled_project();
    let empty = tempfile::tempdir().unwrap();
    for chromium in [Some("/nonexistent"), None] {
        let mut cmd = wingreport();
        cmd.arg("pdf").arg("--root").arg(dir.path()).env("PATH", empty.path());
        match chromium {
            Some(path) => cmd.env("WINGREPORT_CHROMIUM", path),
            None => cmd.env_remove("WINGREPORT_CHROMIUM"),
        };
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(INSTALL_MESSAGE), "{}", stderr(&out));
        assert!(!dir.path().join("pdf").exists(), "nothing is written");
    }
}

#[test]
fn project_folder_as_output_is_refused() {
    let dir = bundled_project();
    let out = pdf(dir.path(), &["--output", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("project folder"), "{}", stderr(&out));
}

#[test]
fn content_mistakes_fail_with_the_usual_diagnostics() {
    let dir = bundled_project();
    edit(dir.path(), "content/sites/drake-hall/site.yaml", "estate: female", "estate: femail");
    let out = pdf(dir.path(), &["--site", "drake-hall"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("content/sites/drake-hall/site.yaml:"), "{err}");
    assert!(err.contains("did you mean `female`"), "{err}");
    assert!(err.contains("error: pdf failed: 1 problem"), "{err}");
}

/// A stand-in browser: a shell script that records its arguments and, like
/// Chromium, writes the file named by --print-to-pdf (or fails when asked to).
#[cfg(unix)]
fn fake_browser(dir: &Path, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let script = dir.join("fake-chromium");
    let log = dir.join("args.log");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\" >> '{}'; done\n\
             for a in \"$@\"; do case \"$a\" in --print-to-pdf=*) out=\"${{a#--print-to-pdf=}}\";; esac; done\n{body}\n",
            log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

#[cfg(unix)]
#[test]
fn every_report_is_printed_with_the_documented_browser_flags() {
    let dir = bundled_project();
    let bin = tempfile::tempdir().unwrap();
    let browser = fake_browser(bin.path(), "printf '%%PDF-1.4 fake' > \"$out\"");
    let out =
        wingreport().arg("pdf").arg("--root").arg(dir.path()).env("WINGREPORT_CHROMIUM", &browser).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let pdf_dir = dir.path().join("pdf");
    assert!(stderr(&out).contains(&format!("Wrote 4 PDFs into {}", pdf_dir.display())), "{}", stderr(&out));
    for id in ["drake-hall", "high-down", "holme-house", "risley"] {
        assert_eq!(std::fs::read(pdf_dir.join(format!("{id}.pdf"))).unwrap(), b"%PDF-1.4 fake");
    }
    let args = std::fs::read_to_string(bin.path().join("args.log")).unwrap();
    let args: Vec<&str> = args.lines().collect();
    for flag in wingreport::pdf::HEADLESS_FLAGS.into_iter().chain(["--no-pdf-header-footer"]) {
        assert_eq!(args.iter().filter(|a| **a == flag).count(), 4, "{flag} once per report: {args:?}");
    }
    let profiles: Vec<_> = args.iter().filter(|a| a.starts_with("--user-data-dir=")).collect();
    assert_eq!(profiles.len(), 4);
    assert!(profiles.windows(2).all(|w| w[0] != w[1]), "a fresh profile per page");
    let pages: Vec<_> = args.iter().filter(|a| a.starts_with("file://")).collect();
    assert_eq!(pages.len(), 4);
    assert!(pages[0].ends_with("/sites/drake-hall/index.html"), "{pages:?}");
}

#[cfg(unix)]
#[test]
fn a_failing_browser_names_the_site_and_writes_nothing() {
    let dir = bundled_project();
    let bin = tempfile::tempdir().unwrap();
    let browser = fake_browser(bin.path(), "echo 'crashed on purpose' >&2; exit 3");
    let out = pdf_with(dir.path(), &browser, &["--site", "high-down"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("failed to print site high-down") && err.contains("crashed on purpose"), "{err}");
    assert!(!dir.path().join("pdf/high-down.pdf").exists());

    let silent = fake_browser(bin.path(), "exit 0");
    let out = pdf_with(dir.path(), &silent, &["--site", "high-down"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("without writing the PDF of site high-down"), "{}", stderr(&out));
}

#[cfg(unix)]
fn pdf_with(root: &Path, browser: &Path, extra: &[&str]) -> Output {
    wingreport().arg("pdf").arg("--root").arg(root).args(extra).env("WINGREPORT_CHROMIUM", browser).output().unwrap()
}
