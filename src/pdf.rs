//! `wingreport pdf`: prints site reports to A4 PDFs through headless Chromium.
//!
//! The site is built with [`crate::build::build`] into a fresh temporary
//! folder, and each report page is printed from there with the theme's print
//! stylesheet, so a PDF looks like the report printed from a browser. The
//! PDFs are printed into a temporary folder too and moved into the output
//! folder only when every report printed, so a failure leaves earlier PDFs
//! as they were.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Chromium's flags for a headless run on any machine: without the
/// network ones it waits on refused connections where there is no internet.
pub const HEADLESS_FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

use crate::build::Failure;

/// How long one page may take to print before the browser is stopped.
pub const PAGE_TIMEOUT: Duration = Duration::from_secs(120);

/// Names looked up on `PATH`, in this order, when `WINGREPORT_CHROMIUM` is not set.
pub const BROWSER_NAMES: [&str; 4] = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

/// Environment variable naming the browser to use (a path or a name on `PATH`).
pub const BROWSER_ENV: &str = "WINGREPORT_CHROMIUM";

const INSTALL_HINT: &str = "wingreport pdf needs Chromium or Google Chrome; install it (Debian: apt-get install chromium) \
     or set WINGREPORT_CHROMIUM to the browser's path";

/// What a successful `pdf` run wrote.
#[derive(Debug)]
pub struct Printed {
    /// The PDF files, one per report, in site-id order.
    pub files: Vec<PathBuf>,
    /// The folder they were written into.
    pub output: PathBuf,
}

/// Builds the project into a temporary folder and prints each site report
/// (or only `site`) to `<output>/<id>.pdf`; `output` defaults to `ROOT/pdf`.
pub fn pdf(root: &Path, site: Option<&str>, output: Option<&Path>, drafts: bool) -> Result<Printed, Failure> {
    let output = output.map_or_else(|| root.join("pdf"), Path::to_path_buf);
    if let Some(reason) = refuse_reason(root, &output) {
        return Err(Failure::Usage(reason));
    }
    let work = tempfile::Builder::new()
        .prefix("wingreport-pdf-")
        .tempdir()
        .map_err(|e| Failure::Io(format!("cannot make a temporary folder: {e}")))?;
    let built = work.path().join("site");
    crate::build::build(root, Some(&built), drafts)?;

    let known = site_ids(&built).map_err(|e| Failure::Io(format!("cannot read the built site: {e}")))?;
    let ids: Vec<String> = match site {
        Some(id) if known.iter().any(|k| k == id) => vec![id.to_string()],
        Some(id) => return Err(Failure::Usage(unknown_site(root, id, &known, drafts))),
        None => known,
    };
    if ids.is_empty() {
        return Err(Failure::Usage(format!(
            "{} has no site reports to print{}",
            root.display(),
            if drafts { "" } else { " (drafts are left out unless --drafts is given)" }
        )));
    }
    let browser = find_browser()?;

    let printed = work.path().join("pdf");
    std::fs::create_dir_all(&printed).map_err(|e| Failure::Io(format!("cannot make {}: {e}", printed.display())))?;
    for id in &ids {
        let page = built.join("sites").join(id).join("index.html");
        print_page(&browser, &page, &printed.join(format!("{id}.pdf")), work.path(), id)?;
    }

    std::fs::create_dir_all(&output).map_err(|e| Failure::Io(format!("cannot make {}: {e}", output.display())))?;
    let mut files = Vec::with_capacity(ids.len());
    for id in &ids {
        let target = output.join(format!("{id}.pdf"));
        move_into(&printed.join(format!("{id}.pdf")), &target)
            .map_err(|e| Failure::Io(format!("cannot write {}: {e}", target.display())))?;
        files.push(target);
    }
    Ok(Printed { files, output })
}

/// Why the PDF folder may not be used: it is the project (or holds it), or it
/// looks like a project itself. Unlike `build`, `pdf` only adds or replaces
/// `<id>.pdf` files, so an existing folder of other files is fine.
pub fn refuse_reason(root: &Path, output: &Path) -> Option<String> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let output_abs = crate::write::absolute(output);
    if root.starts_with(&output_abs) {
        return Some(format!(
            "{} is the project folder or holds it; pass --output with a folder for the PDFs",
            output.display()
        ));
    }
    if output_abs.join("content").exists() || output_abs.join("wingreport.toml").exists() {
        return Some(format!(
            "{} holds a project (content/ or wingreport.toml); it is not a PDF folder",
            output.display()
        ));
    }
    if output_abs.exists() && !output_abs.is_dir() {
        return Some(format!("{} exists and is not a folder", output.display()));
    }
    None
}

/// Ids of the site reports a build wrote, sorted.
fn site_ids(built: &Path) -> std::io::Result<Vec<String>> {
    let sites = built.join("sites");
    if !sites.is_dir() {
        return Ok(Vec::new());
    }
    let mut ids = Vec::new();
    for entry in std::fs::read_dir(&sites)? {
        let entry = entry?;
        if entry.path().join("index.html").is_file() {
            ids.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    ids.sort();
    Ok(ids)
}

fn unknown_site(root: &Path, id: &str, known: &[String], drafts: bool) -> String {
    let known_list = if known.is_empty() { "none".to_string() } else { known.join(", ") };
    let draft_hint = if !drafts && root.join("content/sites").join(id).join("site.yaml").is_file() {
        " (it is a draft or has no report page; add --drafts to include drafts)"
    } else {
        ""
    };
    format!("unknown site `{id}`{draft_hint}; known sites: {known_list}")
}

/// The browser to print with: `WINGREPORT_CHROMIUM` when set, else the first
/// of [`BROWSER_NAMES`] on `PATH`.
pub fn find_browser() -> Result<PathBuf, Failure> {
    if let Some(value) = std::env::var_os(BROWSER_ENV).filter(|v| !v.is_empty()) {
        let given = PathBuf::from(&value);
        let found =
            if given.components().count() > 1 { is_executable(&given).then_some(given) } else { on_path(&value) };
        return found.ok_or_else(|| {
            Failure::Usage(format!(
                "{BROWSER_ENV}={} is not an executable file; {INSTALL_HINT}",
                Path::new(&value).display()
            ))
        });
    }
    BROWSER_NAMES
        .iter()
        .find_map(|name| on_path(&OsString::from(name)))
        .ok_or_else(|| Failure::Usage(format!("{INSTALL_HINT} (looked for {} on PATH)", BROWSER_NAMES.join(", "))))
}

fn on_path(name: &std::ffi::OsStr) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else { return false };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// Prints one page to `pdf` with a fresh browser profile, waiting at most
/// [`PAGE_TIMEOUT`].
fn print_page(browser: &Path, page: &Path, pdf: &Path, work: &Path, id: &str) -> Result<(), Failure> {
    let io = |what: &str, e: std::io::Error| Failure::Io(format!("{what} for site {id}: {e}"));
    let profile = tempfile::Builder::new()
        .prefix("profile-")
        .tempdir_in(work)
        .map_err(|e| io("cannot make a browser profile folder", e))?;
    let log_path = work.join(format!("{id}.browser.log"));
    let log = std::fs::File::create(&log_path).map_err(|e| io("cannot make the browser log", e))?;
    let log_err = log.try_clone().map_err(|e| io("cannot make the browser log", e))?;

    let mut command = Command::new(browser);
    command
        .args(HEADLESS_FLAGS)
        .arg("--disable-dev-shm-usage")
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--no-pdf-header-footer")
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(file_url(page))
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err);
    let mut child =
        command.spawn().map_err(|e| Failure::Io(format!("cannot start {} for site {id}: {e}", browser.display())))?;

    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= PAGE_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Failure::Io(format!(
                    "{} did not finish printing site {id} within {} s and was stopped{}",
                    browser.display(),
                    PAGE_TIMEOUT.as_secs(),
                    log_tail(&log_path)
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(io("cannot wait for the browser", e)),
        }
    };
    if !status.success() {
        return Err(Failure::Io(format!(
            "{} failed to print site {id} ({status}){}",
            browser.display(),
            log_tail(&log_path)
        )));
    }
    match std::fs::metadata(pdf) {
        Ok(meta) if meta.len() > 0 => Ok(()),
        _ => Err(Failure::Io(format!(
            "{} exited without writing the PDF of site {id}{}",
            browser.display(),
            log_tail(&log_path)
        ))),
    }
}

/// The last lines the browser printed, for error messages.
fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        return String::new();
    }
    let tail = &lines[lines.len().saturating_sub(5)..];
    format!("; the browser said:\n  {}", tail.join("\n  "))
}

/// A `file://` URL for an absolute path, percent-encoding what a URL path may not hold.
fn file_url(path: &Path) -> String {
    let path = crate::write::absolute(path);
    let mut url = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            url.push(byte as char);
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    url
}

/// Moves a finished PDF into place: renamed when on the same disk, else
/// copied beside the target and renamed, so no half-written PDF is seen.
fn move_into(from: &Path, to: &Path) -> std::io::Result<()> {
    if std::fs::rename(from, to).is_ok() {
        return Ok(());
    }
    let name = to.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let partial = to.with_file_name(format!(".{name}.partial-{}", std::process::id()));
    std::fs::copy(from, &partial)?;
    std::fs::rename(&partial, to).inspect_err(|_| {
        let _ = std::fs::remove_file(&partial);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_are_percent_encoded() {
        assert_eq!(file_url(Path::new("/tmp/a b/ü.html")), "file:///tmp/a%20b/%C3%BC.html");
    }

    #[test]
    fn project_folder_and_projects_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("content")).unwrap();
        assert!(refuse_reason(dir.path(), dir.path()).is_some());
        assert!(refuse_reason(&dir.path().join("sub"), dir.path()).is_some());
        assert!(refuse_reason(dir.path(), &dir.path().join("pdf")).is_none());
        std::fs::create_dir(dir.path().join("other")).unwrap();
        std::fs::write(dir.path().join("other/keep.txt"), "x").unwrap();
        assert!(refuse_reason(dir.path(), &dir.path().join("other")).is_none());
    }
}
