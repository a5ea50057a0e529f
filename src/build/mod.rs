//! Orchestration: load -> validate -> render -> privacy -> write, in that fixed order.
//! Decides nothing about content itself; it only sequences the stages and
//! stops before writing when any stage found a problem.

pub mod cache;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::diagnostics::Diagnostic;
use crate::load::{Bodies, ParsedStore};
use crate::model::{Narrative, Project};
use crate::privacy::Scanner;
use crate::render::{self, Assembled, OutputFile, PartStore, Selection, Sink};
use crate::templates::Theme;

/// Why a run failed, which decides its exit code.
#[derive(Debug)]
pub enum Failure {
    /// Mistakes in the content or theme (exit 1).
    Content(Vec<Diagnostic>),
    /// The command was asked for something it must not do (exit 2).
    Usage(String),
    /// The disk refused (exit 1).
    Io(String),
}

impl Failure {
    /// Mistakes in the content, in reading order: files in the order the
    /// run first found a mistake in each, and each file's from its top.
    pub fn content(mut diags: Vec<Diagnostic>) -> Failure {
        crate::diagnostics::in_reading_order(&mut diags);
        Failure::Content(diags)
    }
}

/// What a successful run produced.
#[derive(Debug)]
pub struct Summary {
    pub sites: usize,
    pub pages: usize,
    pub files: usize,
    /// Drafts are among the files, each marked DRAFT.
    pub drafts: bool,
    /// Draft reports left out, which a run says, or a new project seems to build nothing.
    pub draft_reports: usize,
    /// What records held only for draft sections, left out (see `render::draft_only`).
    pub withheld: Vec<String>,
    pub output: Option<PathBuf>,
    /// http(s) links of the pages, listed by `check`, never fetched.
    pub external_links: Vec<crate::links::ExternalLink>,
    /// What the run could do without but its author should know, such as
    /// a theme file no page uses.
    pub warnings: Vec<Diagnostic>,
    /// Wall-clock time of each stage, in order (`--timings`).
    pub stages: Vec<(&'static str, Duration)>,
    /// Site reports read back from the build cache, not rendered.
    pub reused: usize,
}

impl Summary {
    /// The whole run: its stages follow one another.
    pub fn elapsed(&self) -> Duration {
        self.stages.iter().map(|(_, took)| *took).sum()
    }
}

/// The wall-clock time of each stage of a run, for `--timings`: where a
/// large archive's build spends its time.
#[derive(Debug)]
struct Stopwatch {
    lap_start: Instant,
    stages: Vec<(&'static str, Duration)>,
}

impl Stopwatch {
    fn start() -> Self {
        Stopwatch { lap_start: Instant::now(), stages: Vec::new() }
    }

    /// Ends the stage `name`, which began when the previous one ended.
    fn lap(&mut self, name: &'static str) {
        let now = Instant::now();
        self.stages.push((name, now - self.lap_start));
        self.lap_start = now;
    }
}

/// Runs every stage but writing, keeping the files in memory (sorted by
/// path). `drafts` adds to the config's `[build] drafts`.
pub fn generate(root: &Path, drafts: bool) -> Result<Vec<OutputFile>, Failure> {
    let files = Mutex::new(Vec::new());
    let mut watch = Stopwatch::start();
    let keep = |file| files.lock().unwrap_or_else(|e| e.into_inner()).push(file);
    generate_into(root, drafts, None, &keep, &mut watch)?;
    let mut files = files.into_inner().unwrap_or_else(|e| e.into_inner());
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// What a run that succeeded made.
struct Generated {
    assembled: Assembled,
    warnings: Vec<Diagnostic>,
    /// Site reports read back from the build cache.
    reused: usize,
}

/// Reads each file for real names, then hands it on unless the content
/// already had mistakes, as it is then not worth writing out.
struct Scanned<'a> {
    scanner: &'a Scanner,
    clean: bool,
    emit: &'a (dyn Fn(OutputFile) + Sync),
}

impl Sink for Scanned<'_> {
    fn scan(&self, file: &OutputFile) -> bool {
        self.scanner.scan(&file.path, &file.bytes)
    }

    fn write(&self, file: OutputFile) {
        if self.clean {
            (self.emit)(file);
        }
    }
}

/// Runs every stage, handing each file to `emit` as soon as it is
/// rendered and scanned for private names (from several threads), so the
/// output is never held whole. Emitted files are only good when this
/// returns `Ok`.
fn generate_into(
    root: &Path,
    drafts: bool,
    cache: Option<cache::Use>,
    emit: &(dyn Fn(OutputFile) + Sync),
    watch: &mut Stopwatch,
) -> Result<Generated, Failure> {
    // With a cache, most reports are read back and need no narrative text.
    let bodies = if cache.is_some() { Bodies::Digested } else { Bodies::Kept };
    let (project, mut theme, mut diags) = prepare_all(root, cache, bodies, watch)?;
    let warnings = std::mem::take(&mut theme.warnings);
    let names = crate::privacy::read_deny_list(root, &project.config.privacy.real_names);
    let scanner = Scanner::new(names.as_deref().unwrap_or_default());
    let sink = Scanned { scanner: &scanner, clean: diags.is_empty(), emit };
    let selection = selection(&project, drafts);
    let store = match (cache, &names) {
        (Some(used_as), Ok(names)) => cache::PartCache::open(root, names, selection.drafts, used_as),
        _ => None,
    };
    // The loaded content goes with rendering: completing the output does not need it.
    let store_parts = store.as_ref().map(|store| store as &dyn PartStore);
    let read_body = |narrative: &mut Narrative| crate::load::read_body(root, narrative);
    let (mut parts, finish) = render::render(project, &theme, selection, &sink, store_parts, &read_body);
    drop(theme);
    watch.lap("render");
    let search = cache::search_files(store.as_ref(), &mut parts)?;
    watch.lap("search index");
    let assembled = finish.assemble(parts, search, &sink);
    watch.lap("link check");
    // Every problem of the run together: the loader's, rendering's and the
    // link check's, then any real name in the files rendered.
    let assembled = assembled.map_err(|more| diags.extend(more)).ok();
    diags.extend(names.err());
    diags.extend(scanner.finish(root));
    match assembled {
        Some(assembled) if diags.is_empty() => {
            let reused = store.as_ref().map_or(0, cache::PartCache::reused);
            store.into_iter().for_each(cache::PartCache::finish);
            Ok(Generated { assembled, warnings, reused })
        }
        _ => Err(Failure::content(diags)),
    }
}

/// Load, validate and the theme: everything rendering needs, or every
/// problem found on the way.
pub fn prepare(root: &Path) -> Result<(Project, Theme), Failure> {
    match prepare_all(root, None, Bodies::Kept, &mut Stopwatch::start())? {
        (project, theme, diags) if diags.is_empty() => Ok((project, theme)),
        (_, _, diags) => Err(Failure::content(diags)),
    }
}

/// As [`prepare`], but with the mistakes the loader could set aside, for
/// a caller that renders on to report the rest (see [`prepare_all`]),
/// reading what is unchanged back from the build cache and keeping the rest.
pub fn prepare_with_mistakes(root: &Path) -> Result<(Project, Theme, Vec<Diagnostic>), Failure> {
    prepare_all(root, Some(cache::Use::ReadAndKeep), Bodies::Kept, &mut Stopwatch::start())
}

/// As [`prepare`], but a project whose files had mistakes the loader could
/// set aside comes back with those mistakes when it validates cleanly, so
/// rendering still reports the rest (an unknown citation in a narrative)
/// in the same run. The caller fails the run on any of them. What was
/// parsed before is read back from the build cache as `parsed` says; site
/// narratives keep their text as `bodies` says.
fn prepare_all(
    root: &Path,
    parsed: Option<cache::Use>,
    bodies: Bodies,
    watch: &mut Stopwatch,
) -> Result<(Project, Theme, Vec<Diagnostic>), Failure> {
    if !root.join("wingreport.toml").is_file() {
        return Err(Failure::Usage(format!(
            "{} has no wingreport.toml; pass --root with the folder that holds wingreport.toml and content/",
            root.display()
        )));
    }
    let parsed = parsed.and_then(|used_as| cache::ParsedCache::open(root, used_as));
    let (project, mut diags) = crate::load::load_with(root, parsed.as_ref().map(|p| p as &dyn ParsedStore), bodies);
    // What a file parses to depends on its text alone, whatever the rest of the run finds.
    parsed.into_iter().for_each(cache::ParsedCache::finish);
    watch.lap("load");
    let Some(project) = project else { return Err(Failure::content(diags)) };
    let checked = crate::validate::validate(&project);
    watch.lap("validate");
    // Rendering relies on what validation guarantees.
    let valid = checked.is_empty();
    diags.extend(checked);
    let theme = Theme::load(root, &project.config.theme);
    watch.lap("theme");
    match theme {
        Ok(theme) if valid => Ok((project, theme, diags)),
        Ok(_) => Err(Failure::content(diags)),
        Err(theme_diags) => {
            diags.extend(theme_diags);
            Err(Failure::content(diags))
        }
    }
}

/// What reaches the output: drafts when asked on the command line or in the config.
pub fn selection(project: &Project, drafts: bool) -> Selection {
    Selection { drafts: drafts || project.config.build.drafts }
}

fn summary(Generated { assembled, warnings, reused }: Generated, output: Option<PathBuf>, watch: Stopwatch) -> Summary {
    let paths = &assembled.paths;
    let count = |prefix: &str| paths.iter().filter(|p| p.starts_with(prefix) && p.ends_with("index.html")).count();
    Summary {
        sites: count("sites/"),
        pages: count("pages/"),
        files: paths.len(),
        drafts: assembled.drafts,
        draft_reports: assembled.draft_reports,
        withheld: assembled.withheld,
        output,
        external_links: assembled.external_links,
        warnings,
        stages: watch.stages,
        reused,
    }
}

/// Validates everything a build would, writing nothing.
pub fn check(root: &Path, drafts: bool) -> Result<Summary, Failure> {
    let mut watch = Stopwatch::start();
    let generated = generate_into(root, drafts, Some(cache::Use::Read), &drop, &mut watch)?;
    Ok(summary(generated, None, watch))
}

/// Builds into `output` (default `ROOT/output`), replacing it atomically.
/// Files are written into the staging folder as they are rendered; on
/// any failure it goes and the previous output stays.
pub fn build(root: &Path, output: Option<&Path>, drafts: bool) -> Result<Summary, Failure> {
    let mut watch = Stopwatch::start();
    let output = output.map_or_else(|| root.join("output"), Path::to_path_buf);
    if let Some(reason) = crate::write::refuse_reason(root, &output) {
        return Err(Failure::Usage(reason));
    }
    let cannot_write = |e: std::io::Error| Failure::Io(format!("cannot write {}: {e}", output.display()));
    // Locked before generating, so leftovers of killed builds go even when
    // this one fails, and a second build waits instead of racing the swap.
    let lock = crate::write::lock(&output).map_err(cannot_write)?;
    let staging = lock.stage().map_err(cannot_write)?;
    watch.lap("staging");
    let generated = generate_into(root, drafts, Some(cache::Use::ReadAndKeep), &|file| staging.put(&file), &mut watch)?;
    staging.commit(generated.assembled.drafts).map_err(cannot_write)?;
    watch.lap("swap");
    Ok(summary(generated, Some(output), watch))
}
