//! `wingreport serve`: a draft preview served from memory. Builds with
//! drafts, watches content, themes and config, rebuilds on save and tells
//! open tabs to reload; when the content is broken, every page shows the
//! problems over the last good version. Never writes to disk.

use std::collections::{BTreeSet, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use tower_livereload::{LiveReloadLayer, Reloader};

use rayon::prelude::*;

use crate::build::{self, Failure};
use crate::diagnostics::Diagnostic;
use crate::markdown::escape_html;
use crate::model::Project;
use crate::render::{OutputFile, Rendered, Renderer, Selection};
use crate::templates::Theme;
use crate::{load, validate};

pub struct ServeOptions {
    pub root: PathBuf,
    /// `None`: 1111 or the next free port; `Some(0)`: any free port.
    pub port: Option<u16>,
    pub bind: IpAddr,
    pub open: bool,
}

/// The last good build and the problems of the latest one.
#[derive(Default)]
struct Preview {
    files: HashMap<String, Vec<u8>>,
    errors: Vec<Diagnostic>,
}

type Shared = Arc<RwLock<Preview>>;

/// What the watcher keeps between rebuilds, so an edit re-renders only
/// what it touched: the loaded project and the rendered parts.
struct Cache {
    project: Project,
    theme: Theme,
    /// Each site's rendered report, by folder.
    sites: HashMap<String, Rendered>,
    /// Free pages, the series index and the comparison.
    shared: Vec<Rendered>,
}

/// What an edit touched.
#[derive(Debug, PartialEq, Eq)]
enum Change {
    /// Narrative or records of these site folders; `records` when a
    /// `site.yaml` changed, which the cross-site pages read too.
    Sites { folders: BTreeSet<String>, records: bool },
    /// Config, theme, frameworks, references, series, pages, or a site
    /// added or removed: everything may differ.
    Everything,
}

fn classify(root: &Path, paths: &[&PathBuf]) -> Change {
    let sites_dir = root.join("content").join("sites");
    let mut folders = BTreeSet::new();
    let mut records = false;
    for path in paths {
        let Ok(rel) = path.strip_prefix(&sites_dir) else { return Change::Everything };
        let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        match parts.as_slice() {
            [folder, file] if file == "site.yaml" => {
                records = true;
                folders.insert(folder.clone());
            }
            [folder, file] if file.ends_with(".md") => {
                folders.insert(folder.clone());
            }
            _ => return Change::Everything,
        }
    }
    Change::Sites { folders, records }
}

const PREVIEW: Selection = Selection { drafts: true };

fn assemble(root: &Path, cache: &Cache) -> Result<Vec<OutputFile>, Failure> {
    let renderer = Renderer::new(&cache.project, &cache.theme, PREVIEW);
    let mut parts: Vec<Rendered> =
        renderer.sites().iter().filter_map(|s| cache.sites.get(&s.folder).cloned()).collect();
    parts.extend(cache.shared.iter().cloned());
    let files = renderer.assemble(parts).map_err(Failure::Content)?;
    build::check_privacy(root, &cache.project, &files)?;
    Ok(files)
}

/// Loads and renders everything.
fn build_everything(root: &Path) -> Result<(Cache, Vec<OutputFile>), Failure> {
    let (project, theme) = build::prepare(root)?;
    let renderer = Renderer::new(&project, &theme, PREVIEW);
    let sites: HashMap<String, Rendered> =
        renderer.sites().par_iter().map(|site| (site.folder.clone(), renderer.site(site))).collect();
    let shared = renderer.shared();
    drop(renderer);
    let cache = Cache { project, theme, sites, shared };
    let files = assemble(root, &cache)?;
    Ok((cache, files))
}

/// Reloads and re-renders the changed sites, and the cross-site pages when
/// a record changed. `None` when the change needs a full build instead.
fn build_sites(
    root: &Path,
    cache: &mut Cache,
    folders: &BTreeSet<String>,
    records: bool,
) -> Option<Result<Vec<OutputFile>, Failure>> {
    for folder in folders {
        let index = cache.project.sites.iter().position(|s| &s.folder == folder)?;
        let (site, mut diags) = load::load_site(root, &root.join("content").join("sites").join(folder));
        let Some(site) = site else { return Some(Err(Failure::Content(diags))) };
        diags.extend(validate::validate_site(&site, &cache.project));
        if !diags.is_empty() {
            return Some(Err(Failure::Content(diags)));
        }
        cache.project.sites[index] = site;
    }
    let Cache { project, theme, sites, shared } = cache;
    let renderer = Renderer::new(project, theme, PREVIEW);
    for site in project.sites.iter().filter(|s| folders.contains(&s.folder)) {
        sites.insert(site.folder.clone(), renderer.site(site));
    }
    if records {
        *shared = renderer.shared();
    }
    Some(assemble(root, cache))
}

/// The watcher's side: rebuilds what a change needs and publishes the result.
struct Rebuilder {
    root: PathBuf,
    preview: Shared,
    /// `None` after a failed build: the next change rebuilds everything.
    cache: Option<Cache>,
}

impl Rebuilder {
    /// Rebuilds for `change`; returns what was rebuilt, for the terminal.
    fn rebuild(&mut self, change: &Change) -> Result<String, Failure> {
        let started = Instant::now();
        let (what, result) = match (change, self.cache.as_mut()) {
            (Change::Sites { folders, records }, Some(cache)) => {
                match build_sites(&self.root, cache, folders, *records) {
                    Some(result) => {
                        let names: Vec<&str> = folders.iter().map(String::as_str).collect();
                        let extra = if *records { " and the index, comparison and search" } else { " and search" };
                        (format!("re-rendered {}{extra}", names.join(", ")), result)
                    }
                    None => ("rebuilt everything".to_string(), self.everything()),
                }
            }
            _ => ("rebuilt everything".to_string(), self.everything()),
        };
        let elapsed = started.elapsed().as_millis();
        let mut state = self.preview.write().unwrap_or_else(|e| e.into_inner());
        match result {
            Ok(files) => {
                state.files = files.into_iter().map(|f| (f.path, f.bytes)).collect();
                state.errors.clear();
                Ok(format!("{what} in {elapsed} ms"))
            }
            Err(Failure::Content(diags)) => {
                self.cache = None;
                let count = diags.len();
                state.errors = diags;
                Ok(format!("{count} problem(s) found in {elapsed} ms; showing them over the last good pages"))
            }
            Err(other) => {
                self.cache = None;
                Err(other)
            }
        }
    }

    fn everything(&mut self) -> Result<Vec<OutputFile>, Failure> {
        let (cache, files) = build_everything(&self.root)?;
        self.cache = Some(cache);
        Ok(files)
    }
}

fn print_problems(root: &Path, preview: &Shared) {
    let errors = preview.read().map(|p| p.errors.clone()).unwrap_or_default();
    if !errors.is_empty() {
        eprint!("{}", crate::diagnostics::report(root, &errors, false));
    }
}

/// Runs the preview until Ctrl+C.
pub fn serve(options: ServeOptions) -> Result<(), Failure> {
    let root = options.root.clone();
    let preview: Shared = Arc::default();
    let mut rebuilder = Rebuilder { root: root.clone(), preview: preview.clone(), cache: None };
    eprintln!("{}", rebuilder.rebuild(&Change::Everything)?);
    print_problems(&root, &preview);

    let runtime = tokio::runtime::Runtime::new().map_err(|e| Failure::Io(format!("cannot start the server: {e}")))?;
    runtime.block_on(async move {
        let listener = bind(options.bind, options.port).await?;
        let address = listener.local_addr().map_err(|e| Failure::Io(e.to_string()))?;
        if !options.bind.is_loopback() {
            eprintln!("warning: serving on {address}, reachable from other machines; drafts are visible to anyone who can connect");
        }
        let url = format!("http://{address}/");
        println!("Serving drafts of {} at {url} (Ctrl+C to stop)", root.display());

        let livereload = LiveReloadLayer::new();
        let reloader = livereload.reloader();
        let _watcher = watch(rebuilder, reloader)?;
        if options.open {
            let _ = open::that_detached(&url);
        }
        let app = axum::Router::new().fallback(page).with_state(preview).layer(livereload);
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| Failure::Io(format!("server stopped: {e}")))
    })
}

async fn bind(ip: IpAddr, port: Option<u16>) -> Result<tokio::net::TcpListener, Failure> {
    let candidates: Vec<u16> = match port {
        Some(port) => vec![port],
        None => (1111..=1130).collect(),
    };
    for port in &candidates {
        if let Ok(listener) = tokio::net::TcpListener::bind(SocketAddr::new(ip, *port)).await {
            return Ok(listener);
        }
    }
    Err(Failure::Usage(format!(
        "no free port among {}..={} on {ip}; pass --port",
        candidates[0],
        candidates[candidates.len() - 1]
    )))
}

/// Editors write swap, backup and temporary files beside the real one.
fn is_editor_noise(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name == "4913"
        || [".swp", ".swx", ".swo", ".tmp", ".bak"].iter().any(|ext| name.ends_with(ext))
}

/// Watches what a build reads and rebuilds once per burst of saves.
fn watch(
    mut rebuilder: Rebuilder,
    reloader: Reloader,
) -> Result<
    notify_debouncer_full::Debouncer<notify::RecommendedWatcher, notify_debouncer_full::RecommendedCache>,
    Failure,
> {
    let root = rebuilder.root.clone();
    let output = root.join("output");
    let private = root.join("private");
    let handler = move |result: DebounceEventResult| {
        let Ok(events) = result else { return };
        // Reading files raises access events too; a build must not trigger the next.
        let changed: Vec<&PathBuf> = events
            .iter()
            .filter(|e| !e.event.kind.is_access())
            .flat_map(|e| e.paths.iter())
            .filter(|p| !is_editor_noise(p) && !p.starts_with(&output) && !p.starts_with(&private))
            .collect();
        let Some(first) = changed.first() else { return };
        let shown = crate::diagnostics::rel_path(&rebuilder.root, first);
        let change = classify(&rebuilder.root, &changed);
        match rebuilder.rebuild(&change) {
            Ok(summary) => eprintln!("{shown} changed: {summary}"),
            Err(Failure::Usage(m) | Failure::Io(m)) => eprintln!("{shown} changed: error: {m}"),
            Err(Failure::Content(_)) => {}
        }
        print_problems(&rebuilder.root, &rebuilder.preview);
        reloader.reload();
    };
    let watch_error = |e: notify::Error| Failure::Io(format!("cannot watch the project: {e}"));
    let mut debouncer = new_debouncer(Duration::from_millis(60), None, handler).map_err(watch_error)?;
    debouncer.watch(root.join("content"), RecursiveMode::Recursive).map_err(watch_error)?;
    debouncer.watch(&root, RecursiveMode::NonRecursive).map_err(watch_error)?;
    if root.join("themes").is_dir() {
        debouncer.watch(root.join("themes"), RecursiveMode::Recursive).map_err(watch_error)?;
    }
    Ok(debouncer)
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "xml" => "application/xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        _ => "application/octet-stream",
    }
}

/// The preview's pages allow the live-reload script and the error panel,
/// which the published pages' policy forbids.
fn preview_html(html: &str, errors: &[Diagnostic]) -> String {
    let html = html.replacen("script-src 'self'", "script-src 'self' 'unsafe-inline'; connect-src 'self'", 1).replacen(
        "style-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        1,
    );
    if errors.is_empty() {
        return html;
    }
    let panel = error_panel(errors);
    match html.rfind("</body>") {
        Some(at) => format!("{}{panel}{}", &html[..at], &html[at..]),
        None => format!("{html}{panel}"),
    }
}

/// The problems, shown over the page until the content is fixed.
fn error_panel(errors: &[Diagnostic]) -> String {
    let items: String = errors
        .iter()
        .map(|d| {
            let hint = d.hint.as_ref().map_or(String::new(), |h| {
                format!("<br><span style=\"color:#ffdd00\">hint: {}</span>", escape_html(h))
            });
            format!(
                "<li style=\"margin:0 0 1em\"><strong>{}</strong><br>{}{hint}</li>",
                escape_html(&d.location()),
                escape_html(&d.message)
            )
        })
        .collect();
    format!(
        "<div id=\"wingreport-errors\" role=\"alert\" style=\"position:fixed;inset:0;z-index:1000;overflow:auto;\
         background:rgba(11,12,12,.94);color:#fff;padding:2rem;font:16px/1.5 ui-monospace,monospace\">\
         <h1 style=\"font-size:1.5rem;margin:0 0 1rem\">The content has {} problem(s)</h1><ol>{items}</ol>\
         <p>Fix the file and save: this page reloads by itself.</p></div>",
        errors.len()
    )
}

async fn page(State(preview): State<Shared>, uri: Uri) -> Response {
    let mut path = uri.path().trim_start_matches('/').to_string();
    if path.is_empty() || path.ends_with('/') {
        path.push_str("index.html");
    }
    let state = preview.read().unwrap_or_else(|e| e.into_inner());
    let Some(bytes) = state.files.get(&path) else {
        if !state.errors.is_empty() && path.ends_with(".html") {
            let html = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Problems</title></head><body></body></html>".to_string();
            return html_response(StatusCode::OK, preview_html(&html, &state.errors));
        }
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("{path} is not part of the site\n"),
        )
            .into_response();
    };
    if path.ends_with(".html") {
        return html_response(StatusCode::OK, preview_html(&String::from_utf8_lossy(bytes), &state.errors));
    }
    Response::builder()
        .header(header::CONTENT_TYPE, content_type(&path))
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(bytes.clone()))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

fn html_response(status: StatusCode, html: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], html)
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_are_classified_by_what_reads_them() {
        let root = Path::new("/p");
        let path = |p: &str| root.join(p);
        let narrative = path("content/sites/a/02-findings.md");
        let record = path("content/sites/b/site.yaml");
        let theme = path("themes/default/templates/site.html");
        let folders = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<BTreeSet<_>>();
        assert_eq!(classify(root, &[&narrative]), Change::Sites { folders: folders(&["a"]), records: false });
        assert_eq!(
            classify(root, &[&narrative, &record]),
            Change::Sites { folders: folders(&["a", "b"]), records: true }
        );
        assert_eq!(classify(root, &[&theme]), Change::Everything);
        assert_eq!(classify(root, &[&path("content/frameworks.yaml")]), Change::Everything);
        assert_eq!(classify(root, &[&path("content/sites/new")]), Change::Everything);
    }

    #[test]
    fn editor_swap_and_backup_files_are_ignored() {
        for noisy in [".02-findings.md.swp", "02-findings.md~", "#site.yaml#", "4913", ".#x"] {
            assert!(is_editor_noise(Path::new(noisy)), "{noisy}");
        }
        assert!(!is_editor_noise(Path::new("content/sites/a/site.yaml")));
    }

    #[test]
    fn preview_pages_allow_the_reload_script_and_show_errors() {
        let page = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'self'; script-src 'self'\"><body><p>x</p></body>";
        let clean = preview_html(page, &[]);
        assert!(clean.contains("script-src 'self' 'unsafe-inline'; connect-src 'self'"));
        assert!(!clean.contains("wingreport-errors"));
        let diag = Diagnostic::new("content/sites/a/site.yaml", 3, 5, "bad <value>").with_hint("fix it");
        let broken = preview_html(page, &[diag]);
        assert!(broken.contains("content/sites/a/site.yaml:3:5"));
        assert!(broken.contains("bad &lt;value&gt;"));
        assert!(broken.find("wingreport-errors") < broken.find("</body>"));
    }
}
