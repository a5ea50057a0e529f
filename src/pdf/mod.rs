//! `wingreport pdf`: prints site reports to A4 PDFs through headless Chromium,
//! Google Chrome or Microsoft Edge.
//!
//! The site is built into a temporary folder ([`crate::export`], as for
//! `docx`), and each report page is printed from there with the theme's print
//! stylesheet, driven over the DevTools protocol ([`cdp`]): a running header
//! and page numbers (none on the cover, whose page has no margins to hold
//! them), bookmarks and tags. The contents page lists the page of each
//! section, figure and table: the page is printed once, the pages where they
//! landed are read back from the PDF's named destinations ([`document`]),
//! written into the contents, and the page is printed again (until the
//! numbers stand still).

pub mod browser;
mod cdp;
pub mod document;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Value, json};

pub use browser::{BROWSER_ENV, find_browser};
use cdp::{Browser, CdpError};
use document::Metadata;

use crate::build::Failure;
use crate::export::{Exported, Format, Prepared, Request};

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

/// How long one report may take to print (all its passes) before the browser is stopped.
pub const PAGE_TIMEOUT: Duration = Duration::from_secs(120);

/// Prints of one report at most: the first finds the pages, the second
/// shows them; a third or fourth only when filling in the numbers moved
/// something (the contents reserves room for them, so it should not).
const MAX_PRINTS: usize = 4;

/// How `pdf` names its files and says what it does.
pub const FORMAT: Format = Format { extension: "pdf", files: "PDFs", verb: "print", done: "Printed" };

/// Builds the project into a temporary folder and prints each site report
/// (or only the one asked for) to `<output>/<id>.pdf`; the output folder
/// defaults to `ROOT/pdf`. `browser` (`--browser`) wins over
/// `WINGREPORT_CHROMIUM` and the search.
pub fn pdf(request: &Request, browser: Option<&Path>) -> Result<Exported, Failure> {
    let prepared = Prepared::new(request, FORMAT)?;
    let browser = find_browser(browser)?;
    let progress = prepared.progress();
    let (next, stop) = (AtomicUsize::new(0), AtomicBool::new(false));
    let printers = std::thread::available_parallelism().map_or(1, usize::from).clamp(1, MAX_PRINTERS);
    let failures: Vec<(usize, Failure)> = std::thread::scope(|scope| {
        let share = || print_share(&browser, &prepared, &next, &stop, &progress);
        let workers: Vec<_> = (0..printers.min(prepared.ids.len())).map(|_| scope.spawn(share)).collect();
        let joined = workers.into_iter().map(|worker| worker.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        joined.filter_map(Result::err).collect()
    });
    progress.finish_and_clear();
    // Of several failing at once, the first report's, whichever thread met it first.
    if let Some((_, failure)) = failures.into_iter().min_by_key(|(index, _)| *index) {
        return Err(failure);
    }
    let shown = prepared.ids.iter().map(|id| {
        // The page printed a moment ago; were it gone, there is nothing to warn of.
        let page = std::fs::read_to_string(prepared.report_folder(id).join("index.html")).unwrap_or_default();
        (id.clone(), crate::fonts::shown_in_page(&page))
    });
    let unprintable = crate::fonts::unprintable(shown.collect(), crate::fonts::system);
    prepared.finish(unprintable)
}

/// Browsers printing at once at most: each prints one report at a time, and
/// a browser's own processes already take more than one core while it prints.
const MAX_PRINTERS: usize = 4;

/// Prints reports, taking the next one not yet taken, until there are none
/// or another printer failed: the index of the report that failed and why.
fn print_share(
    browser: &Path,
    prepared: &Prepared,
    next: &AtomicUsize,
    stop: &AtomicBool,
    progress: &indicatif::ProgressBar,
) -> Result<(), (usize, Failure)> {
    let mut printer: Option<Printer> = None;
    while !stop.load(Ordering::Relaxed) {
        let index = next.fetch_add(1, Ordering::Relaxed);
        let Some(id) = prepared.ids.get(index) else { break };
        let printed = match &mut printer {
            Some(printer) => Ok(printer),
            // Started for its first report: one that fails to start names it.
            None => Printer::launch(browser, prepared.work(), id).map(|started| printer.insert(started)),
        }
        .and_then(|printer| printer.print(&prepared.report_folder(id).join("index.html"), id))
        .and_then(|bytes| prepared.put(id, &bytes));
        if let Err(failure) = printed {
            stop.store(true, Ordering::Relaxed);
            return Err((index, failure));
        }
        progress.inc(1);
    }
    if let Some(printer) = printer {
        printer.chrome.close();
    }
    Ok(())
}

/// Waits for the page and its fonts, gives each entry of the contents as
/// printed (two levels of sections, the figures and the tables) a
/// page-number slot after its text (`.print-entry`, `.print-page`; the
/// stylesheet draws the dotted leader between them), then says what the PDF
/// needs to know about the report (from the cover's `data-pdf-*` attributes)
/// and which ids the contents wants page numbers for.
const READY_JS: &str = r##"new Promise(done => document.readyState === 'complete' ? done() : addEventListener('load', () => done(), { once: true }))
  .then(() => document.fonts.ready)
  .then(() => {
    for (const link of document.querySelectorAll('.report > .toc a[href^="#"]:not(ol ol ol a)')) {
      const entry = document.createElement('span');
      entry.className = 'print-entry';
      entry.append(...link.childNodes);
      const page = document.createElement('span');
      page.className = 'print-page';
      page.dataset.pageOf = link.getAttribute('href').slice(1);
      link.append(entry, page);
    }
    // Chromium tags a <figure> as a PDF Figure, which a screen reader reads
    // as its alternative text alone, and these have none: a table, a
    // quotation or a chart with its caption is a group (Div). A chart's
    // picture is a Figure of its own, with its description as the text.
    for (const figure of document.querySelectorAll('figure')) figure.setAttribute('role', 'group');
    const cover = document.querySelector('[data-pdf-title]');
    const data = cover ? cover.dataset : {};
    return JSON.stringify({
      title: data.pdfTitle || document.title,
      series: data.pdfSeries || '',
      authors: (data.pdfAuthors || '').split('\n').filter(a => a.trim() !== ''),
      language: document.documentElement.lang || '',
      targets: [...document.querySelectorAll('[data-page-of]')].map(e => e.dataset.pageOf),
      headings: [...document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')]
        .map(h => h.textContent.replace(/\s+/g, ' ').trim()),
    });
  })"##;

/// What [`READY_JS`] returns.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PageFacts {
    title: String,
    series: String,
    authors: Vec<String>,
    language: String,
    targets: Vec<String>,
    headings: Vec<String>,
}

/// A browser, with a fresh profile of its own, that prints report after
/// report, each in a new tab: starting a browser took about as long as
/// printing a report.
struct Printer {
    chrome: Browser,
    program: std::path::PathBuf,
    log_path: std::path::PathBuf,
    /// Removed when the printer is dropped, after the browser has gone.
    _profile: tempfile::TempDir,
}

impl Printer {
    /// Starts the browser; `id` is the report it is started for, which a
    /// failure to start names.
    fn launch(program: &Path, work: &Path, id: &str) -> Result<Printer, Failure> {
        let io = |what: &str, e: std::io::Error| Failure::Io(format!("{what} for site {id}: {e}"));
        let profile = tempfile::Builder::new()
            .prefix("profile-")
            .tempdir_in(work)
            .map_err(|e| io("cannot make a browser profile folder", e))?;
        let log_path = profile.path().with_extension("log");
        let log = std::fs::File::create(&log_path).map_err(|e| io("cannot make the browser log", e))?;
        let mut args: Vec<String> = HEADLESS_FLAGS.iter().map(ToString::to_string).collect();
        args.push("--disable-dev-shm-usage".into());
        args.push(format!("--user-data-dir={}", profile.path().display()));
        args.push("about:blank".into());
        let chrome = Browser::launch(program, &args, log, work, Instant::now() + PAGE_TIMEOUT)
            .map_err(|e| Failure::Io(format!("cannot start {} for site {id}: {e}", program.display())))?;
        Ok(Printer { chrome, program: program.to_path_buf(), log_path, _profile: profile })
    }

    /// Prints the report `page` of site `id` to PDF bytes within [`PAGE_TIMEOUT`].
    fn print(&mut self, page: &Path, id: &str) -> Result<Vec<u8>, Failure> {
        self.chrome.set_deadline(Instant::now() + PAGE_TIMEOUT);
        let name = self.program.display();
        let (pdf, facts) = match drive(&mut self.chrome, &file_url(page)) {
            Ok(done) => done,
            Err(Printing::Browser(e)) => {
                let tail = log_tail(&self.log_path);
                return Err(Failure::Io(match e {
                    CdpError::Closed => match self.chrome.exit_status() {
                        Some(status) if !status.success() => {
                            format!("{name} failed to print site {id} ({status}){tail}")
                        }
                        _ => format!("{name} exited without writing the PDF of site {id}{tail}"),
                    },
                    CdpError::Timeout => format!(
                        "{name} did not finish printing site {id} within {} s and was stopped{tail}",
                        PAGE_TIMEOUT.as_secs()
                    ),
                    e => format!("{name} could not print site {id}: {e}{tail}"),
                }));
            }
            Err(Printing::Unreadable(e)) => {
                return Err(Failure::Io(format!("the PDF {name} printed for site {id} cannot be read: {e}")));
            }
        };
        let meta = Metadata {
            title: facts.title,
            authors: facts.authors,
            subject: facts.series,
            language: facts.language,
            headings: facts.headings,
        };
        document::finish(&pdf, &meta)
            .map_err(|e| Failure::Io(format!("the PDF {name} printed for site {id} cannot be read: {e}")))
    }
}

/// Why [`drive`] stopped.
enum Printing {
    Browser(CdpError),
    Unreadable(String),
}

impl From<CdpError> for Printing {
    fn from(e: CdpError) -> Self {
        Printing::Browser(e)
    }
}

/// Opens `url` in a new tab and prints it until the contents' page numbers
/// match where their targets landed, then closes the tab.
fn drive(chrome: &mut Browser, url: &str) -> Result<(Vec<u8>, PageFacts), Printing> {
    let target = chrome.call(None, "Target.createTarget", json!({"url": "about:blank"}))?;
    let target_id = target.get("targetId").cloned().unwrap_or(Value::Null);
    let attached = chrome.call(None, "Target.attachToTarget", json!({"targetId": target_id, "flatten": true}))?;
    let session = attached.get("sessionId").and_then(Value::as_str).unwrap_or_default().to_string();
    let session = Some(session.as_str());
    let navigated = chrome.call(session, "Page.navigate", json!({"url": url}))?;
    if let Some(error) = navigated.get("errorText").and_then(Value::as_str).filter(|e| !e.is_empty()) {
        return Err(Printing::Browser(CdpError::Protocol(format!("cannot open the report page: {error}"))));
    }
    let ready = chrome.call(
        session,
        "Runtime.evaluate",
        json!({"expression": READY_JS, "awaitPromise": true, "returnByValue": true}),
    )?;
    if let Some(details) = ready.get("exceptionDetails") {
        let text = details.pointer("/exception/description").or_else(|| details.get("text"));
        return Err(Printing::Browser(CdpError::Protocol(format!(
            "the page failed to load: {}",
            text.and_then(Value::as_str).unwrap_or("unknown error")
        ))));
    }
    let facts: PageFacts = ready
        .pointer("/result/value")
        .and_then(Value::as_str)
        .and_then(|v| serde_json::from_str(v).ok())
        .unwrap_or_default();
    chrome.call(session, "Runtime.evaluate", json!({"expression": running_header_js(&facts)}))?;
    let options = print_options();

    let mut filled: BTreeMap<String, u32> = BTreeMap::new();
    let mut pdf = Vec::new();
    for _ in 0..MAX_PRINTS {
        let printed = chrome.call(session, "Page.printToPDF", options.clone())?;
        pdf = cdp::base64_field(&printed, "data")?;
        let all = document::destination_pages(&pdf).map_err(Printing::Unreadable)?;
        let landed: BTreeMap<String, u32> =
            facts.targets.iter().filter_map(|t| all.get(t).map(|&p| (t.clone(), p))).collect();
        if landed == filled {
            break;
        }
        let fill = format!(
            "(pages => {{ for (const e of document.querySelectorAll('[data-page-of]')) e.textContent = pages[e.dataset.pageOf] ?? ''; }})({})",
            serde_json::to_string(&landed).unwrap_or_else(|_| "{}".into())
        );
        chrome.call(session, "Runtime.evaluate", json!({"expression": fill}))?;
        filled = landed;
    }
    // The browser goes on to the next report: this one's page is let go.
    chrome.call(None, "Target.closeTarget", json!({"targetId": target_id}))?;
    Ok((pdf, facts))
}

/// `Page.printToPDF`'s options: the stylesheet's page size, margins and
/// margin boxes (running header, page numbers), tags and bookmarks.
fn print_options() -> Value {
    json!({
        "preferCSSPageSize": true,
        "printBackground": false,
        "generateTaggedPDF": true,
        "generateDocumentOutline": true,
    })
}

/// Sets the custom properties the print stylesheet's running header shows.
fn running_header_js(facts: &PageFacts) -> String {
    let set = |name: &str, value: &str| {
        format!(
            "root.setProperty({}, {});",
            serde_json::to_string(name).unwrap_or_default(),
            serde_json::to_string(&css_string(value)).unwrap_or_default()
        )
    };
    let title = running_title(&facts.title);
    // A report that is the whole series would say the same thing twice.
    let series = if facts.series == title || facts.series == facts.title { "" } else { facts.series.as_str() };
    let (title, series) = fit_header(&title, series);
    format!(
        "(root => {{ {} {} }})(document.documentElement.style)",
        set("--wr-running-title", &title),
        set("--wr-running-series", &series)
    )
}

/// A CSS string token holding `text`.
fn css_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            // A control character ends a CSS string; it is written as its code point.
            c if c.is_control() => out.push_str(&format!("\\{:x} ", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The title's short form for the running header: the part before a colon
/// or a dash that starts a subtitle, such as `Peer mentoring at X` of
/// `Peer mentoring at X: an evaluation` ([`fit_header`] shortens what is
/// still too long).
fn running_title(title: &str) -> String {
    let cut = [": ", " \u{2013} ", " \u{2014} ", " - "].iter().filter_map(|sep| title.find(sep)).min();
    match cut {
        Some(at) if at > 0 => title[..at].trim().to_string(),
        _ => title.trim().to_string(),
    }
}

/// How many characters of 8-point text the header's line holds, title and
/// series together: the bundled headers of 110 stay on one line, of 115
/// wrap. The browser neither clips a margin box nor keeps two from
/// overlapping, so a longer header would wrap onto the heading below.
const HEADER_CHARACTERS: usize = 110;

/// The title and series shortened, each at a word, to share one header
/// line: the series gives way first, down to a third of the line.
fn fit_header(title: &str, series: &str) -> (String, String) {
    let length = |s: &str| s.chars().count();
    if length(title) + length(series) <= HEADER_CHARACTERS {
        return (title.to_string(), series.to_string());
    }
    let series_room = HEADER_CHARACTERS.saturating_sub(length(title)).max(HEADER_CHARACTERS / 3);
    let series = shorten(series, series_room);
    let title = shorten(title, HEADER_CHARACTERS - length(&series));
    (title, series)
}

/// `text` cut after its last whole word that fits in `room` characters,
/// with an ellipsis.
fn shorten(text: &str, room: usize) -> String {
    if text.chars().count() <= room {
        return text.to_string();
    }
    let fits: String = text.chars().take(room.saturating_sub(1)).collect();
    let cut = match fits.rfind(' ') {
        Some(at) if at > 0 => &fits[..at],
        _ => fits.as_str(),
    };
    format!("{}\u{2026}", cut.trim_end_matches([',', ';', ':', ' ', '&']))
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

/// A `file://` URL for a path, percent-encoded; `url` also writes a Windows
/// drive letter the way browsers expect (`file:///C:/...`).
fn file_url(path: &Path) -> String {
    let path = crate::write::absolute(path);
    url::Url::from_file_path(&path).map_or_else(|()| format!("file://{}", path.display()), String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_running_title_is_the_title_before_its_subtitle() {
        assert_eq!(running_title("Peer mentoring at X: an evaluation"), "Peer mentoring at X");
        assert_eq!(running_title("Peer work \u{2013} HMP Y"), "Peer work");
        assert_eq!(
            running_title("CFO Hamlet Peer mentor initiative at HMP Drake Hall"),
            "CFO Hamlet Peer mentor initiative at HMP Drake Hall"
        );
        assert_eq!(running_title(": odd"), ": odd", "nothing before the colon keeps the whole title");
    }

    /// Found by an export audit: three bundled reports' headers wrapped onto
    /// two lines and touched the first heading.
    #[test]
    fn title_and_series_are_shortened_at_words_to_share_one_line() {
        let title = "CFO Community Living Units Ambassador initiative at HMP High Down";
        let series = "Peer mentor & peer involvement roles in prison study series";
        let (t, s) = fit_header(title, series);
        assert_eq!(t, title, "the title comes first");
        assert_eq!(s, "Peer mentor & peer involvement roles in\u{2026}");
        assert!(t.chars().count() + s.chars().count() <= HEADER_CHARACTERS);
        let drake_hall = "CFO Hamlet Peer mentor initiative at HMP Drake Hall";
        assert_eq!(fit_header(drake_hall, series), (drake_hall.to_string(), series.to_string()), "it fits");
        let long = "word ".repeat(40);
        let (t, s) = fit_header(&long, series);
        assert!(t.ends_with("word\u{2026}") && t.chars().count() + s.chars().count() <= HEADER_CHARACTERS);
        assert_eq!(fit_header("Short", "Series"), ("Short".to_string(), "Series".to_string()));
    }

    #[test]
    fn running_header_text_is_a_quoted_css_string() {
        assert_eq!(css_string(r#"Say "hi" \ bye"#), r#""Say \"hi\" \\ bye""#);
        assert_eq!(css_string("a\nb"), "\"a\\a b\"");
        let facts = PageFacts { title: "T: sub".into(), series: "S".into(), ..PageFacts::default() };
        let js = running_header_js(&facts);
        assert!(js.contains(r#"root.setProperty("--wr-running-title", "\"T\"");"#), "{js}");
        assert!(js.contains(r#"root.setProperty("--wr-running-series", "\"S\"");"#), "{js}");
        let same = PageFacts { title: "Series".into(), series: "Series".into(), ..PageFacts::default() };
        assert!(running_header_js(&same).contains(r#"root.setProperty("--wr-running-series", "\"\"");"#));
    }

    #[test]
    fn file_urls_are_percent_encoded() {
        assert_eq!(file_url(Path::new("/tmp/a b/ü.html")), "file:///tmp/a%20b/%C3%BC.html");
    }
}
