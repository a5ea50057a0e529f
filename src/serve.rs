//! `wingreport serve`: a draft preview served from memory. Builds with
//! drafts, watches content, themes and config, rebuilds on save and tells
//! open tabs to reload; when the content is broken, every page shows the
//! problems over the last good version. Never writes to disk.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use percent_encoding::percent_decode_str;
use socket2::{SockRef, TcpKeepalive};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore};
use tower_livereload::{LiveReloadLayer, Reloader};

use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::build::cache::{self, PartCache};
use crate::build::{self, Failure};
use crate::diagnostics::Diagnostic;
use crate::links::{AuthoredLink, Output, PageFacts};
use crate::load::ParsedStore;
use crate::markdown::escape_html;
use crate::model::{FrontMatter, Project, Site, SiteRecord};
use crate::privacy::Scanner;
use crate::render::{OutputFile, PageDocs, PartStore, Rendered, Renderer, ReportKeys, Selection, search_pages};
use crate::search::SearchIndex;
use crate::templates::Theme;
use crate::{load, validate};

pub struct ServeOptions {
    pub root: PathBuf,
    /// `None`: 1111 or the next free port; `Some(0)`: any free port.
    pub port: Option<u16>,
    pub bind: IpAddr,
    pub open: bool,
    pub limits: Limits,
    /// Called after each build, once its pages are served: gives what the
    /// build freed back to the system. The allocator is the program's
    /// choice, so the program says how. Without it serve at 1,000 sites
    /// grew with every rebuild (363 to 411 MB over 100 saves of records);
    /// with it, it stays within a few MB of where the first rebuild left it.
    pub release_memory: fn(),
}

/// What one client may hold, so that many idle or stalled connections
/// cannot stop the preview answering.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Connections served at once; a new one waits in the kernel's listen
    /// queue while the oldest is asked to close.
    pub max_connections: usize,
    /// How long a connection may take to send a whole request head, from
    /// when it opened or was last answered; then it is closed.
    pub idle_timeout: Duration,
}

impl Default for Limits {
    /// A browser opens about six connections per tab; 512 leaves room for
    /// many tabs and stays well under the common limit of 1,024 open files.
    /// Browsers reopen a closed keep-alive connection unseen, so a short idle
    /// time (Apache's is 5 s) costs nothing and frees slots sooner.
    fn default() -> Self {
        Limits { max_connections: 512, idle_timeout: Duration::from_secs(10) }
    }
}

/// The last good build and the problems of the latest one.
#[derive(Default)]
struct Preview {
    /// Each file once: the cache keeps only what the checks need of it.
    files: HashMap<String, Bytes>,
    errors: Vec<Diagnostic>,
    /// Counts the rebuilds: a page that missed one reloads (see [`RELOAD_JS`]).
    generation: u64,
    /// Whether other machines can connect: the pages then leave out any
    /// real name found, which the terminal alone shows.
    reachable: bool,
    /// `errors` as the pages show them when `reachable`: without the
    /// problems quoting a real name (see [`Preview::show_problems`]).
    shared_errors: Vec<Diagnostic>,
}

type Shared = Arc<RwLock<Preview>>;

/// What the watcher keeps between rebuilds, so an edit re-renders only
/// what it touched: the loaded project, and of each rendered part what the
/// checks across pages need (its files live in the preview only).
struct Cache {
    project: Project,
    theme: Theme,
    /// Whether the pages link the comparison, and its rows (see
    /// `Renderer::compare_links`): when an edit changes either, every
    /// page is stale.
    compare_links: (bool, bool),
    /// The real-names list every served file was scanned against.
    names: Vec<String>,
    /// Reads files for those names.
    scanner: Scanner,
    /// Each site's report, by folder.
    sites: HashMap<String, Rendered>,
    /// Free pages.
    pages: Vec<Rendered>,
    /// The series index and the comparison, which read every record.
    cross: Vec<Rendered>,
    search: SearchIndex,
    /// The sitemap, search and static files.
    extra: Vec<String>,
}

/// How the served files change.
enum Update {
    /// A whole new output.
    All(Vec<OutputFile>),
    /// New or changed files, and paths that are gone.
    Some { put: Vec<OutputFile>, remove: Vec<String> },
}

/// What an edit touched.
#[derive(Debug, PartialEq, Eq)]
enum Change {
    /// Narrative or records of these site folders; `records` when a
    /// `site.yaml` changed, which the cross-site pages read too.
    Sites { folders: BTreeSet<String>, records: bool },
    /// The real-names list alone: every served file is scanned again.
    Names,
    /// Config, theme, frameworks, references, series, pages, or a site
    /// added or removed: everything may differ.
    Everything,
}

/// Whether `path` is the real-names list `names`, or its folder appearing
/// (with the list in it, maybe).
fn is_names_list(names: Option<&Path>, path: &Path) -> bool {
    names.is_some_and(|names| names == path || names.parent() == Some(path))
}

/// What the edit of `paths` touched; `names` is the real-names list.
fn classify(root: &Path, names: Option<&Path>, paths: &[&PathBuf]) -> Change {
    let sites_dir = root.join("content").join("sites");
    let mut folders = BTreeSet::new();
    let mut records = false;
    let is_names = |path: &Path| is_names_list(names, path);
    if paths.iter().all(|path| is_names(path)) {
        return Change::Names;
    }
    // A rebuild of sites reads the list again and scans every file if it changed.
    for path in paths.iter().filter(|path| !is_names(path)) {
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

fn deny_list(root: &Path, project: &Project) -> Result<Vec<String>, Failure> {
    crate::privacy::read_deny_list(root, &project.config.privacy.real_names).map_err(|d| Failure::content(vec![d]))
}

/// Each listed name in `files`, a problem. Also looked for when another
/// mistake refuses the build, as `check` does: an author told of a name
/// only once the other mistake is fixed would think the page not updating.
fn leaks_in<'a>(
    root: &Path,
    scanner: Scanner,
    files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Vec<Diagnostic> {
    for (path, bytes) in files {
        scanner.scan(path, bytes);
    }
    scanner.finish(root)
}

/// Output files, as the scan takes them.
fn scanned<'a>(files: impl IntoIterator<Item = &'a OutputFile>) -> impl Iterator<Item = (&'a str, &'a [u8])> {
    files.into_iter().map(|f| (f.path.as_str(), f.bytes.as_slice()))
}

/// Loads and renders everything, reading the reports a build with drafts
/// (or serve) kept back from the build cache: also how many.
fn build_everything(root: &Path) -> Result<(Cache, Vec<OutputFile>, usize), Failure> {
    // Mistakes the loader set aside are reported with rendering's, as `check` does.
    let (project, theme, mut diags) = build::prepare_with_mistakes(root)?;
    let names = deny_list(root, &project)?;
    let renderer = Renderer::new(&project, &theme, PREVIEW);
    let sites = renderer.sites();
    let store = PartCache::open(root, &names, PREVIEW.drafts, cache::Use::ReadAndKeep);
    let keys = store.as_ref().map(|_| ReportKeys::new(&project, &theme, PREVIEW));
    let scanner = Scanner::new(&names);
    // Each report read back (it was read for these names before it was
    // kept), or rendered, read for them, and kept as a build keeps it.
    let (mut site_parts, reused): (Vec<Rendered>, Vec<bool>) = sites
        .par_iter()
        .map(|site| {
            let key = keys.as_ref().map(|keys| keys.of(site));
            if let Some(part) = store.as_ref().zip(key).and_then(|(store, key)| store.get(key)) {
                return (part, true);
            }
            let part = renderer.site(site);
            let named = part.files.iter().fold(false, |named, file| scanner.scan(&file.path, &file.bytes) | named);
            let barriers = part.pages.iter().any(|page| !page.barriers.is_empty());
            if let (Some(store), Some(key)) = (&store, key)
                && part.diags.is_empty()
                && !named
                && !barriers
            {
                store.put(key, &part, &part.files);
            }
            (part, false)
        })
        .unzip();
    let mut pages = renderer.free_pages();
    let mut cross = renderer.cross_site(sites);
    let documents = site_parts.iter_mut().chain(pages.iter_mut()).chain(cross.iter_mut());
    let search = cache::search_index(store.as_ref(), documents)?;
    let parts: Vec<&Rendered> = site_parts.iter().chain(&pages).chain(&cross).collect();
    let assembled = renderer.assemble(&parts, search.files());
    let extra = match &assembled {
        Ok(assembled) => &assembled.extra,
        Err(incomplete) => &incomplete.extra,
    };
    for file in pages.iter().chain(&cross).flat_map(|part| &part.files).chain(extra) {
        scanner.scan(&file.path, &file.bytes);
    }
    let kept_scanner = scanner.again();
    let leaks = scanner.finish(root);
    let assembled = match assembled {
        Ok(assembled) if diags.is_empty() && leaks.is_empty() => assembled,
        assembled => {
            diags.extend(assembled.err().map(|incomplete| incomplete.diagnostics).unwrap_or_default());
            diags.extend(leaks);
            crate::diagnostics::dedup(&mut diags);
            return Err(Failure::content(diags));
        }
    };
    store.into_iter().for_each(PartCache::finish);
    let extra = assembled.extra.iter().map(|f| f.path.clone()).collect();
    let mut files: Vec<OutputFile> = assembled.extra;
    for part in site_parts.iter_mut().chain(pages.iter_mut()).chain(cross.iter_mut()) {
        files.append(&mut part.files);
    }
    let reused = reused.into_iter().filter(|&read_back| read_back).count();
    let folders: Vec<String> = sites.iter().map(|s| s.folder.clone()).collect();
    let compare_links = renderer.compare_links();
    drop(renderer);
    let sites = folders.into_iter().zip(site_parts).collect();
    let cache =
        Cache { project, theme, compare_links, names, scanner: kept_scanner, sites, pages, cross, search, extra };
    Ok((cache, files, reused))
}
/// The report page of `site`, as the search index names it.
fn site_href(site: &Site) -> String {
    format!("sites/{}/index.html", site.record.id.value)
}

/// How an incremental build ended.
enum Built {
    Done(Update),
    /// A mistake found before anything in the cache changed: it still holds
    /// the last good build, and the next build can start from it.
    Refused(Failure),
    /// The cache is half updated and must be dropped.
    Broke(Failure),
}

/// A site's record as serve last loaded it: a save of the site's
/// narrative reads its site.yaml again, which is then unchanged, and
/// parsing it was a tenth of the time the save took to be served.
struct LastRecord<'a>(&'a Site);

impl ParsedStore for LastRecord<'_> {
    fn record(&self, key: u128) -> Option<SiteRecord> {
        let Site { record, record_path, record_text, .. } = self.0;
        (key == load::parsed_key("site record", record_path, record_text)).then(|| record.clone())
    }

    fn keep_record(&self, _: u128, _: &SiteRecord) {}

    fn front_matter(&self, _: u128) -> Option<FrontMatter> {
        None
    }

    fn keep_front_matter(&self, _: u128, _: &FrontMatter) {}
}

/// Reloads and re-renders the changed sites, and the cross-site pages when
/// a record changed; checks their links and the links into them, scans
/// their files for private names and updates the search index page by
/// page. `None` when the change needs a full build instead.
fn build_sites(
    root: &Path,
    cache: &mut Cache,
    preview: &Shared,
    folders: &BTreeSet<String>,
    records: bool,
) -> Option<Built> {
    // Mistakes the loader set aside: reported with rendering's, as `check` does.
    let mut set_aside = Vec::new();
    let mut reloaded = Vec::new();
    // A site that cannot be read or fails validation is not rendered, but
    // the others still are, for their own mistakes, as a full build does.
    let mut unread = false;
    for folder in folders {
        let index = cache.project.sites.iter().position(|s| &s.folder == folder)?;
        let last = LastRecord(&cache.project.sites[index]);
        let (site, diags) =
            load::load_site(root, &root.join("content").join("sites").join(folder), Some(&last), load::Bodies::Kept);
        set_aside.extend(diags);
        let Some(site) = site else {
            unread = true;
            continue;
        };
        // Rendering relies on what validation guarantees.
        let checked = validate::validate_site(&site, &cache.project);
        if checked.is_empty() {
            reloaded.push((index, site));
        } else {
            set_aside.extend(checked);
            unread = true;
        }
    }
    // The sites as they were, put back if the edit is refused below.
    let previous: Vec<(usize, Site)> = reloaded
        .into_iter()
        .map(|(index, site)| (index, std::mem::replace(&mut cache.project.sites[index], site)))
        .collect();
    let restore = |cache: &mut Cache, previous: Vec<(usize, Site)>| {
        for (index, site) in previous {
            cache.project.sites[index] = site;
        }
    };
    let names = match deny_list(root, &cache.project) {
        Ok(names) => names,
        Err(failure) => {
            restore(cache, previous);
            return Some(Built::Refused(failure));
        }
    };
    let scanner = if names == cache.names { cache.scanner.again() } else { Scanner::new(&names) };
    // One renderer for the rest: sorting a thousand reports for each of
    // three was a tenth of a save's time.
    let renderer = Renderer::new(&cache.project, &cache.theme, PREVIEW);
    let refused = {
        let edited: Vec<&Site> = previous.iter().map(|(index, _)| &cache.project.sites[*index]).collect();
        let fresh_sites: Vec<Rendered> = edited.par_iter().map(|site| renderer.site(site)).collect();
        let fresh_cross = records.then(|| renderer.cross_site(renderer.sites()));
        let mut diags = set_aside;
        diags
            .extend(fresh_sites.iter().chain(fresh_cross.iter().flatten()).flat_map(|part| part.diags.iter().cloned()));
        if diags.is_empty() && !unread {
            Ok((fresh_sites, fresh_cross))
        } else {
            diags.extend(clean_parts_problems(&*cache, &renderer, &edited, &fresh_sites, fresh_cross.as_deref()));
            let fresh = fresh_sites.iter().chain(fresh_cross.iter().flatten());
            diags.extend(leaks_in(root, scanner.again(), scanned(fresh.flat_map(|part| &part.files))));
            crate::diagnostics::dedup(&mut diags);
            Err(diags)
        }
    };
    let (fresh_sites, fresh_cross) = match refused {
        Ok(fresh) => fresh,
        Err(diags) => {
            drop(renderer);
            restore(cache, previous);
            return Some(Built::Refused(Failure::content(diags)));
        }
    };
    // Every page links the comparison, and every report its row there, so
    // the cached pages of other sites are stale when an edit makes the
    // comparison or its rows appear or go.
    if renderer.compare_links() != cache.compare_links {
        return None;
    }
    let Cache {
        ref project,
        names: ref mut scanned_for,
        scanner: ref mut scanning,
        ref mut sites,
        ref mut pages,
        ref mut cross,
        ref mut search,
        ref mut extra,
        ..
    } = *cache;
    // A changed weight or title may reorder the reports, whose order the
    // search index's page numbers keep: only a full build renumbers them.
    let order: Vec<String> = renderer.sites().iter().map(|site| site_href(site)).collect();
    if !search.in_order(order.iter().map(String::as_str)) {
        return None;
    }
    // In the order the fresh parts were rendered in, which they are zipped with.
    let edited: Vec<&Site> = previous.iter().map(|(index, _)| &project.sites[*index]).collect();

    // The new parts go into the cache, their files out to be served; the
    // old parts only say what went.
    let mut old: Vec<Rendered> = Vec::new();
    let mut put: Vec<OutputFile> = Vec::new();
    let mut remove: Vec<String> = Vec::new();
    for (site, mut part) in edited.iter().zip(fresh_sites) {
        let href = site_href(site);
        let docs = part.take_search_docs()?;
        put.append(&mut part.files);
        old.extend(sites.insert(site.folder.clone(), part));
        // A page the index never had: only a full build places it.
        let (files, gone) = search.replace_page(&href, docs)?;
        put.extend(files);
        remove.extend(gone);
    }
    if let Some(mut fresh) = fresh_cross {
        // The index and comparison narratives read no record, but their
        // pages are rendered again: their documents replace the same ones.
        for page in search_pages(fresh.iter_mut()) {
            let PageDocs::Rendered(docs) = page.docs else { return None };
            let (files, gone) = search.replace_page(&page.href, docs)?;
            put.extend(files);
            remove.extend(gone);
        }
        for part in &mut fresh {
            put.append(&mut part.files);
        }
        old.extend(std::mem::replace(cross, fresh));
    }
    let fresh: Vec<&Rendered> =
        edited.iter().filter_map(|s| sites.get(&s.folder)).chain(cross.iter().filter(|_| records)).collect();
    let new_paths: FxHashSet<&str> = fresh.iter().flat_map(|part| &part.paths).map(String::as_str).collect();
    let old_paths: FxHashSet<&str> = old.iter().flat_map(|part| &part.paths).map(String::as_str).collect();
    remove.extend(old_paths.difference(&new_paths).map(|p| p.to_string()));
    // Search files that appeared or went; the others keep their paths.
    extra.retain(|path| !remove.contains(path));
    let appeared: Vec<String> = put
        .iter()
        .filter(|f| !new_paths.contains(f.path.as_str()) && !extra.contains(&f.path))
        .map(|f| f.path.clone())
        .collect();
    extra.extend(appeared.iter().cloned());
    // Pages whose links into these are checked again: what may have
    // appeared, gone or changed its anchors.
    let changed: FxHashSet<&str> = new_paths
        .union(&old_paths)
        .copied()
        .chain(remove.iter().map(String::as_str))
        .chain(appeared.iter().map(String::as_str))
        .collect();
    let parts = || sites.values().chain(pages.iter()).chain(cross.iter());
    let paths = || parts().flat_map(|part| &part.paths).chain(extra.iter()).map(String::as_str);
    let html = |paths: &FxHashSet<&str>| paths.iter().filter(|p| p.ends_with(".html")).count();
    if old_paths.len() != new_paths.len() || html(&old_paths) != html(&new_paths) || !old_paths.is_subset(&new_paths) {
        put.extend(renderer.sitemap(paths()));
    }

    let unpublished = renderer.unpublished();
    let output =
        Output::new(parts().flat_map(|part| &part.pages), paths(), &unpublished).written_by(renderer.template_tags());
    let mut diags = own_problems(&output, &fresh);
    let fresh_pages: HashSet<&str> = fresh.iter().flat_map(|part| &part.pages).map(|p| p.path.as_str()).collect();
    let linking: Vec<&Rendered> = parts()
        .filter(|part| part.pages.iter().any(|p| !fresh_pages.contains(p.path.as_str()) && p.links_into(&changed)))
        .collect();
    let their_links: Vec<AuthoredLink> = linking.iter().flat_map(|part| part.links.iter().cloned()).collect();
    let their_pages: Vec<&PageFacts> =
        linking.iter().flat_map(|part| &part.pages).filter(|p| !fresh_pages.contains(p.path.as_str())).collect();
    diags.extend(output.check(&their_pages, Some(&changed), &their_links).diagnostics);
    // Names are looked for beside the link check's problems, as `check`
    // does; a list changed since the last scan is checked against every file.
    if names == *scanned_for {
        diags.extend(leaks_in(root, scanner.again(), scanned(&put)));
    } else {
        let state = preview.read().unwrap_or_else(|e| e.into_inner());
        let replaced: HashSet<&str> = put.iter().map(|f| f.path.as_str()).collect();
        let kept = state.files.iter().filter(|(path, _)| !replaced.contains(path.as_str()));
        let all = kept.map(|(path, bytes)| (path.as_str(), bytes.as_ref())).chain(scanned(&put));
        diags.extend(leaks_in(root, scanner.again(), all));
    }
    if !diags.is_empty() {
        return Some(Built::Broke(Failure::content(diags)));
    }
    *scanned_for = names;
    *scanning = scanner;
    Some(Built::Done(Update::Some { put, remove }))
}

/// The broken links and barriers of the fresh parts that rendered without
/// a mistake, in the output as the edit would leave it: an edit refused for
/// one report's mistake still reports another's broken link, as `check`
/// does (see `Finish::complete`).
fn clean_parts_problems(
    cache: &Cache,
    renderer: &Renderer,
    edited: &[&Site],
    fresh_sites: &[Rendered],
    fresh_cross: Option<&[Rendered]>,
) -> Vec<Diagnostic> {
    let fresh = fresh_sites.iter().chain(fresh_cross.into_iter().flatten());
    let clean: Vec<&Rendered> = fresh.filter(|part| part.diags.is_empty()).collect();
    if clean.is_empty() {
        return Vec::new();
    }
    let kept = cache.sites.iter().filter(|(folder, _)| !edited.iter().any(|site| &site.folder == *folder));
    let cross = fresh_cross.unwrap_or(&cache.cross);
    let parts = || kept.clone().map(|(_, part)| part).chain(fresh_sites).chain(&cache.pages).chain(cross);
    let paths = parts().flat_map(|part| &part.paths).chain(&cache.extra).map(String::as_str);
    let unpublished = renderer.unpublished();
    let output = Output::new(parts().flat_map(|part| &part.pages), paths, &unpublished);
    own_problems(&output.written_by(renderer.template_tags()), &clean)
}

/// The broken links and accessibility barriers of the pages of `parts`
/// in `output`.
fn own_problems(output: &Output, parts: &[&Rendered]) -> Vec<Diagnostic> {
    let links: Vec<AuthoredLink> = parts.iter().flat_map(|part| part.links.iter().cloned()).collect();
    let pages: Vec<&PageFacts> = parts.iter().flat_map(|part| &part.pages).collect();
    let mut diags = output.check(&pages, None, &links).diagnostics;
    diags.extend(output.barriers(pages.iter().copied()));
    diags
}

/// The watcher's side: rebuilds what a change needs and publishes the result.
struct Rebuilder {
    root: PathBuf,
    preview: Shared,
    /// `None` after a failed build: the next change rebuilds everything.
    cache: Option<Cache>,
    /// The sites of an edit refused with the cache kept: built again with
    /// the next change, so their mistakes stay shown until fixed.
    refused: BTreeSet<String>,
    refused_records: bool,
    /// The real-names list of the last good full build, a canonical path.
    names_file: Option<PathBuf>,
}

impl Rebuilder {
    /// Rebuilds for `change`; returns what was rebuilt, for the terminal.
    fn rebuild(&mut self, change: &Change) -> Result<String, Failure> {
        let started = Instant::now();
        let refused = std::mem::take(&mut self.refused);
        let refused_records = std::mem::take(&mut self.refused_records);
        let (folders, records) = match change {
            Change::Sites { folders, records } => {
                (folders.union(&refused).cloned().collect(), records | refused_records)
            }
            _ => (refused, refused_records),
        };
        let (what, built) = match (change, self.cache.as_mut()) {
            (Change::Sites { .. }, Some(cache)) => {
                match build_sites(&self.root, cache, &self.preview, &folders, records) {
                    Some(built) => {
                        let mut parts: Vec<&str> = folders.iter().map(String::as_str).collect();
                        if records {
                            parts.push("the index");
                            if self.preview.read().is_ok_and(|s| s.files.contains_key("compare/index.html")) {
                                parts.push("the comparison");
                            }
                        }
                        (format!("re-rendered {} and search", parts.join(", ")), built)
                    }
                    None => self.everything(),
                }
            }
            (Change::Names, Some(cache)) => match build_sites(&self.root, cache, &self.preview, &folders, records) {
                Some(built) => ("checked every page against the real-names list".to_string(), built),
                None => self.everything(),
            },
            _ => self.everything(),
        };
        let result = match built {
            Built::Done(update) => Ok(update),
            Built::Refused(failure) => {
                self.refused = folders;
                self.refused_records = records;
                Err(failure)
            }
            Built::Broke(failure) => {
                self.cache = None;
                Err(failure)
            }
        };
        let elapsed = started.elapsed().as_millis();
        let reachable = self.preview.read().is_ok_and(|state| state.reachable);
        // Read before the lock: a list that cannot be read is among the
        // problems, and hides none.
        let names = if reachable && result.is_err() { self.names() } else { Vec::new() };
        let mut state = self.preview.write().unwrap_or_else(|e| e.into_inner());
        state.generation += 1;
        match result {
            Ok(update) => {
                state.update(update);
                state.show_problems(Vec::new(), &names);
                Ok(format!("{what} in {elapsed} ms"))
            }
            Err(Failure::Content(diags)) => {
                let found = crate::diagnostics::plural(diags.len(), "problem");
                state.show_problems(diags, &names);
                // Nothing of this build is served: say so, not what was re-rendered.
                Ok(format!("{found} found in {elapsed} ms; {}", state.served()))
            }
            Err(failure @ (Failure::Usage(_) | Failure::Io(_))) => {
                self.cache = None;
                // Shown in the browser too, in place of problems that may be fixed by now.
                if let Failure::Usage(message) | Failure::Io(message) = &failure {
                    state.show_problems(vec![Diagnostic::whole_file("the project", message.clone())], &names);
                }
                Err(failure)
            }
        }
    }

    /// The real-names list as it stands, or none when it cannot be read.
    fn names(&self) -> Vec<String> {
        let list =
            self.cache.as_ref().map_or(crate::model::DEFAULT_REAL_NAMES, |c| &c.project.config.privacy.real_names);
        crate::privacy::read_deny_list(&self.root, list).unwrap_or_default()
    }

    /// Builds everything again: what it did, and what came of it. On
    /// failure it keeps no cache.
    fn everything(&mut self) -> (String, Built) {
        match self.build_everything() {
            Ok((update, 0)) => ("rebuilt everything".to_string(), Built::Done(update)),
            Ok((update, reused)) => {
                let read = crate::diagnostics::plural(reused, "report");
                (format!("rebuilt everything ({read} read back from the build cache)"), Built::Done(update))
            }
            Err(failure) => ("rebuilt everything".to_string(), Built::Broke(failure)),
        }
    }

    fn build_everything(&mut self) -> Result<(Update, usize), Failure> {
        // The old cache goes first, so two never live at once.
        self.cache = None;
        let (cache, files, reused) = build_everything(&self.root)?;
        let names = self.root.join(&cache.project.config.privacy.real_names);
        // The watcher reports canonical paths; the list, and its folder,
        // may not exist yet (the root is canonical already).
        self.names_file = match (names.parent().and_then(|dir| dir.canonicalize().ok()), names.file_name()) {
            (Some(dir), Some(file)) => Some(dir.join(file)),
            _ => Some(names),
        };
        self.cache = Some(cache);
        Ok((Update::All(files), reused))
    }
}

impl Preview {
    /// Whether every page is withheld: the last good pages may hold a name
    /// the list has named since, so none is served, on this machine or
    /// another, until a build is clean of it.
    fn withholds(&self) -> bool {
        self.errors.iter().any(crate::privacy::is_leak)
    }

    /// What the pages show while there are problems, for the terminal: the
    /// same test the requests answer by, so the two never disagree.
    fn served(&self) -> &'static str {
        if self.files.is_empty() {
            "no page is served until they are fixed, only a list of them"
        } else if self.withholds() {
            "no page is served until the real name is replaced, only a list of the problems"
        } else {
            "the last good pages are served, with a list of them"
        }
    }

    /// Sets the problems, and, when other machines can connect, works out
    /// once how the pages show them (`names`: the real-names list), rather
    /// than on every request.
    fn show_problems(&mut self, errors: Vec<Diagnostic>, names: &[String]) {
        self.shared_errors = if self.reachable && !errors.is_empty() {
            crate::privacy::without_names(&errors, names)
        } else {
            Vec::new()
        };
        self.errors = errors;
    }

    /// Applies an update in place: bytes move in, nothing is copied.
    fn update(&mut self, update: Update) {
        let into_map = |files: Vec<OutputFile>| files.into_iter().map(|f| (f.path, Bytes::from(f.bytes)));
        match update {
            Update::All(files) => self.files = into_map(files).collect(),
            Update::Some { put, remove } => {
                for path in remove {
                    self.files.remove(&path);
                }
                self.files.extend(into_map(put));
            }
        }
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
    // The watcher reports canonical paths; a root given as `.` or relative
    // would never match them and every save would rebuild everything.
    let root = options.root.canonicalize().map_err(|e| {
        Failure::Usage(format!(
            "cannot open {}: {e}; pass --root with the folder that holds wingreport.toml and content/",
            options.root.display()
        ))
    })?;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| Failure::Io(format!("cannot start the server: {e}")))?;
    // Bound before the first build, so a busy port is reported at once.
    let listener = runtime.block_on(bind(options.bind, options.port))?;
    let address = listener.local_addr().map_err(|e| Failure::Io(e.to_string()))?;

    let reachable = !options.bind.is_loopback();
    let preview: Shared = Arc::new(RwLock::new(Preview { reachable, ..Preview::default() }));
    let mut rebuilder = Rebuilder {
        root: root.clone(),
        preview: preview.clone(),
        cache: None,
        refused: BTreeSet::new(),
        refused_records: false,
        names_file: None,
    };
    eprintln!("{}", rebuilder.rebuild(&Change::Everything)?);
    print_problems(&root, &preview);
    (options.release_memory)();

    runtime.block_on(async move {
        if reachable {
            eprintln!(
                "warning: serving on {address}, reachable from other machines; drafts and the problems shown \
                 are visible to anyone who can connect, but a real name found is left out of the pages and \
                 shown in this terminal only"
            );
        }
        let url = format!("http://{address}/");
        // The layer's stream, with our own script (see RELOAD_JS) in place of its own.
        let livereload = LiveReloadLayer::new().response_predicate(|_: &Response<Body>| false);
        let reloader = livereload.reloader();
        let _watcher = watch(rebuilder, reloader, options.release_memory)?;
        // Announced once watching, so a save made on seeing it is not lost.
        println!("Serving drafts of {} at {url} (Ctrl+C to stop)", root.display());
        if options.open {
            let _ = open::that_detached(&url);
        }
        let app = axum::Router::new()
            .fallback(page)
            .with_state(preview)
            .layer(livereload)
            .layer(middleware::from_fn(only_reads));
        let stop = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        run(listener, app, options.limits, stop).await;
        Ok(())
    })
}

/// Serves HTTP/1.1 until `stop` completes, at most `limits.max_connections`
/// at a time, closing connections that stay idle past `limits.idle_timeout`.
async fn run(listener: TcpListener, app: axum::Router, limits: Limits, stop: impl Future<Output = ()>) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut builder = hyper::server::conn::http1::Builder::new();
    // hyper's header read timeout runs while a connection waits for a
    // request, so it closes both idle keep-alive connections and ones that
    // stall mid-request; it never cuts a response, such as the reload channel.
    builder.timer(TokioTimer::new()).header_read_timeout(limits.idle_timeout);
    // Open connections, oldest first, each with its signal to close.
    let mut open: VecDeque<Arc<Notify>> = VecDeque::new();
    let mut stop = pin!(stop);
    loop {
        // When every slot is taken, the oldest connection is asked to close:
        // at once if idle, after its response if busy. Without this, a
        // request queued behind a flood of idle connections waits for them
        // all to time out (68 s behind 20,000).
        if open.len() >= limits.max_connections {
            // Forget the closed ones: their task has dropped its handle.
            open.retain(|close| Arc::strong_count(close) > 1);
        }
        if slots.available_permits() == 0
            && let Some(oldest) = open.pop_front()
        {
            oldest.notify_one();
        }
        // A slot is taken before accepting: connections over the cap wait in
        // the kernel's queue, where they cost the server nothing.
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => permit,
            () = &mut stop => return,
        };
        let Ok(permit) = permit else { return };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut stop => return,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            // Out of file descriptors, or the client gave up: pause rather than spin.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        probe_vanished_peers(&stream);
        let connection = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        let close = Arc::new(Notify::new());
        open.push_back(close.clone());
        tokio::spawn(async move {
            {
                let mut connection = pin!(connection);
                // A failed connection (a timeout, a client gone) concerns that client only.
                tokio::select! {
                    _ = connection.as_mut() => {}
                    () = close.notified() => {
                        connection.as_mut().graceful_shutdown();
                        let _ = connection.await;
                    }
                }
            }
            // The socket is closed with the connection above, before its slot
            // is given back, so the cap holds for open sockets too.
            drop(permit);
        });
    }
}

/// A client that vanished without closing (a laptop shut, a network gone)
/// would hold the reload channel, which never waits for a request, for
/// ever; TCP keep-alive probes find it. Best effort: without them the
/// connection still closes on the next reload.
fn probe_vanished_peers(stream: &TcpStream) {
    let probes = TcpKeepalive::new().with_time(Duration::from_secs(60)).with_interval(Duration::from_secs(10));
    let _ = SockRef::from(stream).set_tcp_keepalive(&probes);
}

/// The first of `DEFAULT_PORTS` that is free, or exactly `port` when given.
async fn bind(ip: IpAddr, port: Option<u16>) -> Result<TcpListener, Failure> {
    let cannot = |address: SocketAddr, e: std::io::Error| {
        Failure::Usage(format!("cannot listen on {address}: {e}; pick another address with --bind"))
    };
    if let Some(port) = port {
        let address = SocketAddr::new(ip, port);
        return TcpListener::bind(address).await.map_err(|e| match e.kind() {
            std::io::ErrorKind::AddrInUse => Failure::Usage(format!(
                "port {port} is in use; pick another with --port or leave --port out to take the next free one"
            )),
            _ => cannot(address, e),
        });
    }
    for port in DEFAULT_PORTS {
        let address = SocketAddr::new(ip, port);
        match TcpListener::bind(address).await {
            Ok(listener) => return Ok(listener),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {}
            Err(e) => return Err(cannot(address, e)),
        }
    }
    Err(Failure::Usage(format!(
        "no free port among {}..={} on {ip}; pass --port",
        DEFAULT_PORTS.start(),
        DEFAULT_PORTS.end()
    )))
}

const DEFAULT_PORTS: std::ops::RangeInclusive<u16> = 1111..=1130;

/// Whether a changed path is something a build reads. At the top of the
/// project only the config and the content and theme folders count: output/,
/// private/ and a log written there (`wingreport serve 2> serve.log`) would
/// otherwise each trigger a rebuild, the log for ever. Nothing in a hidden
/// folder (`content/sites/.old-copy/`) is read either.
fn can_change_the_site(root: &Path, path: &Path) -> bool {
    let Ok(relative) = path.strip_prefix(root) else { return false };
    let mut parts = relative.components().map(|part| part.as_os_str());
    let read = parts.next().is_some_and(|top| ["wingreport.toml", "content", "themes"].iter().any(|name| top == *name));
    read && !crate::load::is_editor_noise(path) && !parts.any(|part| part.to_string_lossy().starts_with('.'))
}

/// The watcher, shared with the thread that adds folders made while serve runs.
type Watcher = std::sync::Arc<
    std::sync::Mutex<
        notify_debouncer_full::Debouncer<notify::RecommendedWatcher, notify_debouncer_full::RecommendedCache>,
    >,
>;

/// Watches what a build reads and rebuilds once per burst of saves.
fn watch(mut rebuilder: Rebuilder, reloader: Reloader, release_memory: fn()) -> Result<Watcher, Failure> {
    let root = rebuilder.root.clone();
    // Folders made while serve runs are watched from then on: content/ or
    // themes/ made again (moved away and back, replaced by a copy: the old
    // watch went with the old folder), and the real-names list's folder
    // (private/ by default, watched for the list alone), made or named in
    // wingreport.toml after the start. The handler cannot add a watch to the
    // watcher that calls it, so it asks a thread to: the folder, how, and
    // where to say it is watched.
    type Request = (PathBuf, RecursiveMode, Option<std::sync::mpsc::Sender<()>>);
    let (watch_folder, folders_to_watch) = std::sync::mpsc::channel::<Request>();
    let list_folder = move |rebuilder: &Rebuilder| {
        let dir = rebuilder.names_file.as_ref().and_then(|file| file.parent())?;
        let elsewhere = dir != rebuilder.root && !dir.starts_with(rebuilder.root.join("content"));
        (elsewhere && dir.is_dir()).then(|| dir.to_path_buf())
    };
    let mut watched_list_folder = list_folder(&rebuilder);
    let start_with = watched_list_folder.clone();
    let handler = move |result: DebounceEventResult| {
        let Ok(events) = result else { return };
        // Reading files raises access events too; a build must not trigger the next.
        let changed: Vec<&PathBuf> = events
            .iter()
            .filter(|e| !e.event.kind.is_access())
            .flat_map(|e| e.paths.iter())
            .filter(|p| can_change_the_site(&rebuilder.root, p) || is_names_list(rebuilder.names_file.as_deref(), p))
            .collect();
        let Some(first) = changed.first() else { return };
        // A folder linked in (`ln -s ~/drafts/styal content/sites/styal`) is
        // no folder made, so the recursive watch does not take it up.
        let linked = changed.iter().filter(|p| p.is_symlink() && p.is_dir()).map(|p| p.to_path_buf());
        let tops = ["content", "themes"].map(|name| rebuilder.root.join(name));
        for top in linked.chain(tops) {
            if changed.iter().any(|p| **p == top) && top.is_dir() {
                // The rebuild below waits for the watch, so that a file
                // written into the folder before it is either read by this
                // rebuild or seen by the watch.
                let (watching, watched) = std::sync::mpsc::channel();
                let _ = watch_folder.send((top, RecursiveMode::Recursive, Some(watching)));
                let _ = watched.recv_timeout(Duration::from_secs(5));
            }
        }
        // A rename names its old path first: name what is there now.
        let shown = changed.iter().find(|p| p.exists()).unwrap_or(first);
        let shown = crate::diagnostics::rel_path(&rebuilder.root, shown);
        let change = classify(&rebuilder.root, rebuilder.names_file.as_deref(), &changed);
        match rebuilder.rebuild(&change) {
            Ok(summary) => eprintln!("{shown} changed: {summary}"),
            Err(Failure::Usage(m) | Failure::Io(m)) => eprintln!("{shown} changed: error: {m}"),
            Err(Failure::Content(_)) => {}
        }
        print_problems(&rebuilder.root, &rebuilder.preview);
        reloader.reload();
        release_memory();
        let now = list_folder(&rebuilder);
        if now.is_some() && now != watched_list_folder {
            watched_list_folder = now.clone();
            let _ = watch_folder.send((now.unwrap_or_default(), RecursiveMode::NonRecursive, None));
        }
    };
    let watch_error = |e: notify::Error| Failure::Io(format!("cannot watch the project: {e}"));
    // An editor's save (a temporary file renamed over the original) is a
    // burst of a few milliseconds; 15 ms keeps it one rebuild and leaves
    // most of the time a save may take to be served for the rebuild. The
    // watcher looks every 3 ms, not its default quarter of the wait.
    let mut debouncer =
        new_debouncer(Duration::from_millis(15), Some(Duration::from_millis(3)), handler).map_err(watch_error)?;
    // A project without content/ yet is watched for its making (see above).
    if root.join("content").is_dir() {
        debouncer.watch(root.join("content"), RecursiveMode::Recursive).map_err(watch_error)?;
    }
    debouncer.watch(&root, RecursiveMode::NonRecursive).map_err(watch_error)?;
    if root.join("themes").is_dir() {
        debouncer.watch(root.join("themes"), RecursiveMode::Recursive).map_err(watch_error)?;
    }
    if let Some(dir) = start_with {
        debouncer.watch(&dir, RecursiveMode::NonRecursive).map_err(watch_error)?;
    }
    let debouncer = std::sync::Arc::new(std::sync::Mutex::new(debouncer));
    let watcher = std::sync::Arc::clone(&debouncer);
    std::thread::spawn(move || {
        for (dir, mode, done) in folders_to_watch {
            let mut watcher = watcher.lock().unwrap_or_else(|e| e.into_inner());
            let _ = watcher.unwatch(&dir);
            if let Err(err) = watcher.watch(&dir, mode) {
                eprintln!("warning: cannot watch {}: {err}; restart serve to see its changes", dir.display());
            }
            drop(watcher);
            if let Some(done) = done {
                let _ = done.send(());
            }
        }
    });
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

/// Where a page asks for the build's generation (see [`RELOAD_JS`]); a
/// macro, so that the script's text can hold it.
macro_rules! generation_path {
    () => {
        "/_wingreport/generation"
    };
}
const GENERATION_PATH: &str = generation_path!();

/// The live reload of a previewed page. Each open page holding a stream
/// would take one of the six connections a browser opens to one server, and
/// a seventh tab would hang: only a page on screen holds one. A page coming
/// back on screen first asks for the build's generation, and reloads if it
/// missed a rebuild while hidden. After the stream breaks (serve restarted),
/// its next `init` reloads the page, as tower-livereload's own script does.
const RELOAD_JS: &str = concat!(
    r#"(() => {
  const generation = document.currentScript.dataset.generation;
  let source = null;
  let broken = false;
  const open = () => {
    if (source) return;
    source = new EventSource("/_tower-livereload/event-stream");
    source.addEventListener("reload", () => location.reload());
    source.addEventListener("init", () => { if (broken) location.reload(); });
    source.addEventListener("error", () => { broken = true; });
  };
  const close = () => { if (source) { source.close(); source = null; } };
  const shown = () => {
    fetch(""#,
    generation_path!(),
    r#"", { cache: "no-store" })
      .then((r) => r.text())
      .then((now) => { if (now.trim() !== generation) location.reload(); else open(); })
      .catch(() => open());
  };
  document.addEventListener("visibilitychange", () => (document.hidden ? close() : shown()));
  addEventListener("pagehide", close);
  addEventListener("pageshow", (e) => { if (e.persisted) shown(); });
  if (!document.hidden) open();
})();"#
);

/// The preview's pages allow the live-reload script and the error panel,
/// which the published pages' policy forbids.
fn preview_html(html: &str, state: &Preview) -> String {
    let html = html.replacen("script-src 'self'", "script-src 'self' 'unsafe-inline'; connect-src 'self'", 1).replacen(
        "style-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        1,
    );
    // Anyone who can connect reads the panel: not the real names it would quote.
    let errors = if state.reachable { &state.shared_errors } else { &state.errors };
    let panel = if errors.is_empty() { String::new() } else { error_panel(errors) };
    let added = format!("{panel}<script data-generation=\"{}\">{RELOAD_JS}</script>", state.generation);
    match html.rfind("</body>") {
        Some(at) => format!("{}{added}{}", &html[..at], &html[at..]),
        None => format!("{html}{added}"),
    }
}

/// The panel's styles. A theme's stylesheet cannot restyle it (QA30-C
/// F15: a theme's `h1 { color: purple }` made its heading unreadable on
/// the near-black panel): every rule is `!important` under the panel's id,
/// which no ordinary theme rule outweighs; the panel starts from `initial`,
/// so it inherits nothing from the theme's `body`, and what it holds from
/// the browser's own styles (`revert`), pseudo-elements too.
const PANEL_CSS: &str = "#wingreport-errors *, #wingreport-errors::before, #wingreport-errors::after, \
#wingreport-errors *::before, #wingreport-errors *::after, #wingreport-errors *::marker { all: revert !important; }
#wingreport-errors { all: initial !important; display: block !important; position: fixed !important; \
inset: auto 0 0 0 !important; max-height: 100vh !important; z-index: 1000 !important; overflow: auto !important; \
background: rgb(11 12 12 / .94) !important; color: #fff !important; padding: 16px 32px !important; \
font: 16px/1.5 ui-monospace, monospace !important; }
#wingreport-errors summary { cursor: pointer !important; }
#wingreport-errors h1 { display: inline !important; font: 700 24px/1.25 ui-monospace, monospace !important; \
margin: 0 !important; }
#wingreport-errors li { margin: 0 0 1em !important; }
#wingreport-errors .wingreport-hint { color: #ffdd00 !important; }";

/// The problems, shown over the page until the content is fixed.
fn error_panel(errors: &[Diagnostic]) -> String {
    let items: String = errors
        .iter()
        .map(|d| {
            let hint = d.hint.as_ref().map_or(String::new(), |h| {
                format!("<br><span class=\"wingreport-hint\">hint: {}</span>", escape_html(h))
            });
            format!("<li><strong>{}</strong><br>{}{hint}</li>", escape_html(&d.location()), escape_html(&d.message))
        })
        .collect();
    // A <details>: its summary folds the list away to a bar at the foot of
    // the window, so the last good page under it can be read.
    format!(
        "<style>{PANEL_CSS}</style><div id=\"wingreport-errors\" role=\"alert\"><details open><summary>\
         <h1>The content has {}</h1> (select to fold away or show)</summary><ol>{items}</ol>\
         <p>Fix the file and save: this page reloads by itself.</p></details></div>",
        crate::diagnostics::plural(errors.len(), "problem")
    )
}

/// The preview only reads: anything else is refused before it reaches a
/// page or the reload channel.
async fn only_reads(request: Request, next: Next) -> Response {
    let method = request.method();
    if method == Method::GET || method == Method::HEAD {
        return next.run(request).await;
    }
    (
        StatusCode::METHOD_NOT_ALLOWED,
        [(header::ALLOW, "GET, HEAD"), (header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{method} is not allowed: the preview only answers GET and HEAD\n"),
    )
        .into_response()
}

async fn page(State(preview): State<Shared>, uri: Uri) -> Response {
    // A browser sends `pages/café/` as `pages/caf%C3%A9/`.
    let Ok(decoded) = percent_decode_str(uri.path()).decode_utf8() else {
        return (StatusCode::BAD_REQUEST, "the address is not UTF-8\n").into_response();
    };
    let mut path = decoded.trim_start_matches('/').to_string();
    if path.is_empty() || path.ends_with('/') {
        path.push_str("index.html");
    }
    let state = preview.read().unwrap_or_else(|e| e.into_inner());
    if uri.path() == GENERATION_PATH {
        return (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8"), (header::CACHE_CONTROL, "no-store")],
            state.generation.to_string(),
        )
            .into_response();
    }
    if state.withholds() {
        let why = "Every page is withheld while a real name is found in the site: the problems below say where. \
                   The pages come back once it is replaced";
        return problem_page(&path, &state, StatusCode::SERVICE_UNAVAILABLE, "Withheld", why.to_string());
    }
    let Some(bytes) = state.files.get(&path) else {
        // `/sites/x` is the folder `/sites/x/`, as a web server answers it,
        // so that the report's relative links resolve.
        if state.files.contains_key(&format!("{path}/index.html")) {
            // One leading slash: `//sites/x/` would name the host `sites`.
            let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
            let location = format!("/{}/{query}", uri.path().trim_start_matches('/'));
            return (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, location)]).into_response();
        }
        return not_found(&path, &state);
    };
    if path.ends_with(".html") {
        return html_response(StatusCode::OK, preview_html(&String::from_utf8_lossy(bytes), &state));
    }
    Response::builder()
        .header(header::CONTENT_TYPE, content_type(&path))
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(bytes.clone()))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// A 404 whatever state the content is in; a missing page still shows the
/// problems and reloads, so the reader sees why and when it is fixed.
fn not_found(path: &str, state: &Preview) -> Response {
    // Before a first good build, no page is missing: none is made yet.
    let (status, title, message) = if state.files.is_empty() && !state.errors.is_empty() {
        let why = "The site is not built yet: the problems below stop it. It appears once they are fixed";
        (StatusCode::SERVICE_UNAVAILABLE, "Not built yet", why.to_string())
    } else {
        (StatusCode::NOT_FOUND, "Not found", format!("{path} is not part of the site"))
    };
    problem_page(path, state, status, title, message)
}

/// A page of `message` over the problems, which reloads with the site; the
/// plain message for a file that is no page.
fn problem_page(path: &str, state: &Preview, status: StatusCode, title: &str, message: String) -> Response {
    // A page's address may have no extension (`/sites/risly`): it gets the
    // page, with the problems and the reload; a missing file the plain text.
    let page_like = path.ends_with(".html") || !path.rsplit('/').next().unwrap_or_default().contains('.');
    if !page_like {
        return (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], message + "\n").into_response();
    }
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><main><h1>{title}</h1><p>{}.</p></main></body></html>",
        escape_html(&message)
    );
    html_response(status, preview_html(&html, state))
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
        let names = path("private/real-names.txt");
        let classify = |paths: &[&PathBuf]| classify(root, Some(&names), paths);
        assert_eq!(classify(&[&narrative]), Change::Sites { folders: folders(&["a"]), records: false });
        assert_eq!(classify(&[&narrative, &record]), Change::Sites { folders: folders(&["a", "b"]), records: true });
        assert_eq!(classify(&[&theme]), Change::Everything);
        assert_eq!(classify(&[&path("content/frameworks.yaml")]), Change::Everything);
        assert_eq!(classify(&[&path("content/sites/new")]), Change::Everything);
        assert_eq!(classify(&[&names]), Change::Names);
        assert_eq!(classify(&[&names, &narrative]), Change::Sites { folders: folders(&["a"]), records: false });
    }

    #[test]
    fn editor_swap_and_backup_files_are_ignored() {
        for noisy in [
            ".02-findings.md.swp",
            "02-findings.md~",
            "#site.yaml#",
            "4913",
            ".#x",
            "site.yaml___jb_tmp___",
            "site.yaml___jb_old___",
        ] {
            assert!(crate::load::is_editor_noise(Path::new(noisy)), "{noisy}");
        }
        assert!(!crate::load::is_editor_noise(Path::new("content/sites/a/site.yaml")));
    }

    #[test]
    fn only_what_a_build_reads_triggers_a_rebuild() {
        let root = Path::new("/p");
        for read in ["wingreport.toml", "content/sites/a/site.yaml", "themes/default/templates/site.html", "content"] {
            assert!(can_change_the_site(root, &root.join(read)), "{read}");
        }
        for ignored in [
            "serve.log",
            "output/index.html",
            "private/names.txt",
            "content/sites/a/.site.yaml.swp",
            "",
            "content/sites/a/.backup/03-method.md",
            "content/sites/.a-old/site.yaml",
            "themes/mine/.cache/x.html",
        ] {
            assert!(!can_change_the_site(root, &root.join(ignored)), "{ignored}");
        }
    }

    #[test]
    fn preview_pages_allow_the_reload_script_and_show_errors() {
        let page = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'self'; script-src 'self'\"><body><p>x</p></body>";
        let clean = preview_html(page, &Preview { generation: 7, ..Preview::default() });
        assert!(clean.contains("script-src 'self' 'unsafe-inline'; connect-src 'self'"));
        assert!(!clean.contains("wingreport-errors"));
        assert!(clean.contains("<script data-generation=\"7\">"), "{clean}");
        assert!(clean.contains(&format!("fetch(\"{GENERATION_PATH}\", {{")), "the script asks where serve answers");
        let diag = Diagnostic::new("content/sites/a/site.yaml", 3, 5, "bad <value>").with_hint("fix it");
        let broken = preview_html(page, &Preview { errors: vec![diag], generation: 7, ..Preview::default() });
        assert!(broken.contains("content/sites/a/site.yaml:3:5"));
        assert!(broken.contains("bad &lt;value&gt;"));
        assert!(broken.find("wingreport-errors") < broken.find("</body>"));
    }

    /// A theme's stylesheet cannot outweigh the panel's (QA30-C F15): each
    /// of its rules is under the panel's id and each declaration important.
    #[test]
    fn every_rule_of_the_panel_is_its_own_and_important() {
        for rule in PANEL_CSS.split('}').map(str::trim).filter(|r| !r.is_empty()) {
            let (selectors, declarations) = rule.split_once('{').unwrap();
            for selector in selectors.split(',') {
                assert!(selector.trim().starts_with("#wingreport-errors"), "{selector}");
            }
            for declaration in declarations.split(';').map(str::trim).filter(|d| !d.is_empty()) {
                assert!(declaration.ends_with("!important"), "{declaration}");
            }
        }
    }

    /// Found by QA: a save that wrote a listed name logged "the last good
    /// pages are served" while every address answered 503.
    #[test]
    fn the_terminal_says_no_page_is_served_while_a_real_name_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let leak = Scanner::new(&["Ida Smith".to_string()]);
        leak.scan("sites/a/index.html", b"<p>Ida Smith spoke.</p>");
        let leaks = leak.finish(dir.path());
        let other = Diagnostic::new("content/b.md", 4, 1, "citation `@nokey` is not in the bibliography");
        let built = HashMap::from([("index.html".to_string(), Bytes::from_static(b"<p>x</p>"))]);
        let preview = |files: &HashMap<String, Bytes>, errors: Vec<Diagnostic>| {
            let mut preview = Preview { files: files.clone(), ..Preview::default() };
            preview.show_problems(errors, &[]);
            preview
        };

        let withheld = preview(&built, leaks.iter().cloned().chain([other.clone()]).collect());
        assert!(withheld.withholds());
        assert_eq!(withheld.served(), "no page is served until the real name is replaced, only a list of the problems");
        let kept = preview(&built, vec![other.clone()]);
        assert!(!kept.withholds());
        assert_eq!(kept.served(), "the last good pages are served, with a list of them");
        let first = preview(&HashMap::new(), leaks);
        assert_eq!(first.served(), "no page is served until they are fixed, only a list of them");
    }

    #[test]
    fn a_real_name_found_is_left_out_of_pages_other_machines_can_reach() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        std::fs::write(dir.path().join("content/a.md"), "x\nIda Smith spoke.\n").unwrap();
        let leak = Scanner::new(&["Ida Smith".to_string()]);
        leak.scan("sites/a/index.html", b"<p>Ida Smith spoke.</p>");
        let other = Diagnostic::new("content/b.md", 4, 1, "citation `@nokey` is not in the bibliography");
        let errors: Vec<Diagnostic> = leak.finish(dir.path()).into_iter().chain([other]).collect();
        let page = "<body><p>x</p></body>";
        let on = |reachable| {
            let mut preview = Preview { reachable, ..Preview::default() };
            preview.show_problems(errors.clone(), &[]);
            preview_html(page, &preview)
        };
        let local = on(false);
        assert!(local.contains("real name `Ida Smith` would be published (in sites/a/index.html)"), "{local}");
        let shared = on(true);
        assert!(!shared.to_lowercase().contains("ida smith"), "{shared}");
        assert!(shared.contains("content/a.md:2:1"), "where it is: {shared}");
        assert!(shared.contains("the terminal running serve shows it"), "{shared}");
        assert!(shared.contains("citation `@nokey`"), "other problems as they are: {shared}");
    }
}
