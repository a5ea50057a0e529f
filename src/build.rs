//! Orchestration: load -> validate -> render -> privacy -> write, in that fixed order.
//! Decides nothing about content itself; it only sequences the stages and
//! stops before writing when any stage found a problem.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::diagnostics::Diagnostic;
use crate::model::Project;
use crate::privacy::Scanner;
use crate::render::{self, Assembled, OutputFile, Selection};
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

/// What a successful run produced.
#[derive(Debug)]
pub struct Summary {
    pub sites: usize,
    pub pages: usize,
    pub files: usize,
    pub output: Option<PathBuf>,
    pub elapsed: Duration,
    /// http(s) links of the pages, listed by `check`, never fetched.
    pub external_links: Vec<crate::links::ExternalLink>,
}

/// Runs every stage but writing, keeping the files in memory (sorted by
/// path). `drafts` adds to the config's `[build] drafts`.
pub fn generate(root: &Path, drafts: bool) -> Result<Vec<OutputFile>, Failure> {
    let files = Mutex::new(Vec::new());
    generate_into(root, drafts, &|file| files.lock().unwrap_or_else(|e| e.into_inner()).push(file))?;
    let mut files = files.into_inner().unwrap_or_else(|e| e.into_inner());
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Runs every stage, handing each file to `emit` as soon as it is
/// rendered and scanned for private names (from several threads), so the
/// output is never held whole. Emitted files are only good when this
/// returns `Ok`.
fn generate_into(root: &Path, drafts: bool, emit: &(dyn Fn(OutputFile) + Sync)) -> Result<Assembled, Failure> {
    let (project, theme, mut diags) = prepare_all(root)?;
    let names = crate::privacy::read_deny_list(root, &project.config.privacy.real_names);
    let scanner = Scanner::new(names.as_deref().unwrap_or_default());
    // Content the loader already found wrong is not worth writing out.
    let clean = diags.is_empty();
    let scan_and_emit = |file: OutputFile| {
        scanner.scan(&file.path, &file.bytes);
        if clean {
            emit(file);
        }
    };
    let selection = selection(&project, drafts);
    // The loaded content goes with rendering: completing the output does not need it.
    let (parts, finish) = render::render(project, &theme, selection, &scan_and_emit);
    drop(theme);
    match finish.assemble(parts, &scan_and_emit) {
        Ok(assembled) if diags.is_empty() => {
            names.map_err(|d| Failure::Content(vec![d]))?;
            let leaks = scanner.finish(root);
            if leaks.is_empty() { Ok(assembled) } else { Err(Failure::Content(leaks)) }
        }
        Ok(_) => Err(Failure::Content(diags)),
        Err(more) => {
            diags.extend(more);
            Err(Failure::Content(diags))
        }
    }
}

/// Load, validate and the theme: everything rendering needs, or every
/// problem found on the way.
pub fn prepare(root: &Path) -> Result<(Project, Theme), Failure> {
    match prepare_all(root)? {
        (project, theme, diags) if diags.is_empty() => Ok((project, theme)),
        (_, _, diags) => Err(Failure::Content(diags)),
    }
}

/// As [`prepare`], but a project whose files had mistakes the loader could
/// set aside comes back with those mistakes when it validates cleanly, so
/// rendering still reports the rest (an unknown citation in a narrative)
/// in the same run. The caller fails the run on any of them.
fn prepare_all(root: &Path) -> Result<(Project, Theme, Vec<Diagnostic>), Failure> {
    if !root.join("wingreport.toml").is_file() {
        return Err(Failure::Usage(format!(
            "{} has no wingreport.toml; pass --root with the folder that holds wingreport.toml and content/",
            root.display()
        )));
    }
    let (project, mut diags) = crate::load::load(root);
    let Some(project) = project else { return Err(Failure::Content(diags)) };
    let checked = crate::validate::validate(&project);
    // Rendering relies on what validation guarantees.
    let valid = checked.is_empty();
    diags.extend(checked);
    match Theme::load(root, &project.config.theme) {
        Ok(theme) if valid => Ok((project, theme, diags)),
        Ok(_) => Err(Failure::Content(diags)),
        Err(theme_diags) => {
            diags.extend(theme_diags);
            Err(Failure::Content(diags))
        }
    }
}

/// What reaches the output: drafts when asked on the command line or in the config.
pub fn selection(project: &Project, drafts: bool) -> Selection {
    Selection { drafts: drafts || project.config.build.drafts }
}

fn summary(assembled: Assembled, output: Option<PathBuf>, started: Instant) -> Summary {
    let paths = &assembled.paths;
    let count = |prefix: &str| paths.iter().filter(|p| p.starts_with(prefix) && p.ends_with("index.html")).count();
    Summary {
        sites: count("sites/"),
        pages: count("pages/"),
        files: paths.len(),
        output,
        elapsed: started.elapsed(),
        external_links: assembled.external_links,
    }
}

/// Validates everything a build would, writing nothing.
pub fn check(root: &Path, drafts: bool) -> Result<Summary, Failure> {
    let started = Instant::now();
    let assembled = generate_into(root, drafts, &drop)?;
    Ok(summary(assembled, None, started))
}

/// Builds into `output` (default `ROOT/output`), replacing it atomically.
/// Files are written into the staging folder as they are rendered; on
/// any failure it goes and the previous output stays.
pub fn build(root: &Path, output: Option<&Path>, drafts: bool) -> Result<Summary, Failure> {
    let started = Instant::now();
    let output = output.map_or_else(|| root.join("output"), Path::to_path_buf);
    if let Some(reason) = crate::write::refuse_reason(root, &output) {
        return Err(Failure::Usage(reason));
    }
    let cannot_write = |e: std::io::Error| Failure::Io(format!("cannot write {}: {e}", output.display()));
    // Locked before generating, so leftovers of killed builds go even when
    // this one fails, and a second build waits instead of racing the swap.
    let lock = crate::write::lock(&output).map_err(cannot_write)?;
    let staging = lock.stage().map_err(cannot_write)?;
    let assembled = generate_into(root, drafts, &|file| staging.put(&file))?;
    staging.commit().map_err(cannot_write)?;
    Ok(summary(assembled, Some(output), started))
}
