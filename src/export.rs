//! What `wingreport pdf` and `wingreport docx` share: the site is built into
//! a temporary folder exactly as `build` would, the reports asked for are
//! picked from it, each is converted into the temporary folder, and the
//! files are moved into the output folder only when every report converted
//! and every file reached the folder, so a failure leaves earlier files as
//! they were. A run without `--drafts` removes the files of draft reports
//! that an earlier run with it left; other files in the output folder are
//! left alone.

use std::path::{Path, PathBuf};

use crate::build::Failure;
use crate::fonts::Unprintable;

/// One kind of export: its file extension and how messages name it.
#[derive(Debug, Clone, Copy)]
pub struct Format {
    /// `pdf`, `docx`: the files are `<id>.<extension>` and the default
    /// output folder is `ROOT/<extension>`.
    pub extension: &'static str,
    /// "PDFs", "Word documents".
    pub files: &'static str,
    /// "print", "convert".
    pub verb: &'static str,
    /// "Printed", "Converted": what a progress bar says of the reports done.
    pub done: &'static str,
}

/// What to export, from the command's arguments.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub root: &'a Path,
    /// Only this site's report.
    pub site: Option<&'a str>,
    /// The folder to write into; `ROOT/<extension>` when not given.
    pub output: Option<&'a Path>,
    pub drafts: bool,
}

/// The built site and the reports to export from it.
pub struct Prepared {
    /// Holds the built site and the converted files until they are moved.
    work: WorkFolder,
    format: Format,
    /// The output folder the files go to.
    pub output: PathBuf,
    /// Ids of the reports to export, sorted.
    pub ids: Vec<String>,
    /// Ids of the project's reports this run leaves out as drafts, without
    /// `--drafts`; none with it.
    drafts_left_out: Vec<String>,
    /// `--drafts`: drafts are asked for.
    with_drafts: bool,
}

/// The output folder's list of the files written as drafts, so that a run
/// without --drafts removes them even once their report is gone.
const DRAFTS_WRITTEN: &str = ".wingreport-drafts";

/// The temporary folder of a run, removed when the run ends, however it ends.
struct WorkFolder(tempfile::TempDir);

impl WorkFolder {
    fn new(folder: tempfile::TempDir) -> Self {
        crate::interrupt::guard_folder(folder.path());
        WorkFolder(folder)
    }

    fn path(&self) -> &Path {
        self.0.path()
    }
}

impl Drop for WorkFolder {
    fn drop(&mut self) {
        crate::interrupt::release_folder(self.path());
    }
}

/// What a successful export wrote.
#[derive(Debug)]
pub struct Exported {
    /// The files, one per report, in site-id order.
    pub files: Vec<PathBuf>,
    /// The folder they were written into.
    pub output: PathBuf,
    /// Files of draft reports that an earlier run with `--drafts` wrote
    /// there, removed so the folder holds no draft.
    pub removed: Vec<PathBuf>,
    /// Ids of the reports written that are drafts or hold a draft section
    /// (`--drafts`), each marked DRAFT on every page.
    pub drafts: Vec<String>,
    /// The reports written that show characters no font of the machine
    /// has, which print as empty boxes.
    pub unprintable: Vec<Unprintable>,
}

impl Prepared {
    /// Refuses an output folder that is (or holds) a project, builds the
    /// site, and picks the reports: `site` alone, or every one built.
    pub fn new(request: &Request, format: Format) -> Result<Prepared, Failure> {
        let Request { root, site, output, drafts } = *request;
        let output = output.map_or_else(|| root.join(format.extension), Path::to_path_buf);
        if let Some(reason) = refuse_reason(root, &output, format) {
            return Err(Failure::Usage(reason));
        }
        crate::interrupt::remove_stale_folders(&std::env::temp_dir(), format.extension);
        let work = tempfile::Builder::new()
            .prefix(&crate::interrupt::folder_prefix(format.extension))
            .tempdir()
            .map_err(|e| Failure::Io(format!("cannot make a temporary folder: {e}")))?;
        let work = WorkFolder::new(work);
        let built = work.path().join("site");
        crate::build::build(root, Some(&built), drafts)?;

        let known = site_ids(&built).map_err(|e| Failure::Io(format!("cannot read the built site: {e}")))?;
        let ids: Vec<String> = match site {
            Some(id) if known.iter().any(|k| k == id) => vec![id.to_string()],
            Some(id) => return Err(Failure::Usage(unknown_site(root, id, &known, drafts))),
            None => known.clone(),
        };
        if ids.is_empty() {
            return Err(Failure::Usage(format!(
                "{} has no site reports to {}{}",
                root.display(),
                format.verb,
                if drafts { "" } else { " (drafts are left out unless --drafts is given)" }
            )));
        }
        // A report not built without --drafts is a draft, whether asked for or not.
        let drafts_left_out = match drafts {
            false => site_folders(root).into_iter().filter(|id| !known.contains(id)).collect(),
            true => Vec::new(),
        };
        let prepared = Prepared { work, format, output, ids, drafts_left_out, with_drafts: drafts };
        let converted = prepared.converted_folder();
        std::fs::create_dir_all(&converted)
            .map_err(|e| Failure::Io(format!("cannot make {}: {e}", converted.display())))?;
        Ok(prepared)
    }

    /// A progress bar for a run of more than one report, on a terminal
    /// only: a run for a thousand reports takes minutes.
    pub fn progress(&self) -> indicatif::ProgressBar {
        let total = self.ids.len();
        if total < 2 {
            return indicatif::ProgressBar::hidden();
        }
        // Drawn on stderr, and not at all when that is no terminal (a log, CI).
        let bar = indicatif::ProgressBar::new(total as u64);
        let template = format!("{} {{pos}} of {{len}} reports [{{bar:30}}] {{eta}} left", self.format.done);
        if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar
    }

    /// The temporary folder holding everything else (browser profiles, logs).
    pub fn work(&self) -> &Path {
        self.work.path()
    }

    /// The built report page of site `id`'s folder: `sites/<id>/`.
    pub fn report_folder(&self, id: &str) -> PathBuf {
        self.work.path().join("site").join("sites").join(id)
    }

    fn converted_folder(&self) -> PathBuf {
        self.work.path().join("converted")
    }

    /// Keeps site `id`'s converted file until [`Prepared::finish`].
    pub fn put(&self, id: &str, bytes: &[u8]) -> Result<(), Failure> {
        let path = self.converted_folder().join(self.file_name(id));
        std::fs::write(&path, bytes).map_err(|e| Failure::Io(format!("cannot write {}: {e}", path.display())))
    }

    /// Moves every converted file into the output folder: first each
    /// under a hidden name beside its place, then, once all are there, all
    /// into their places at once (see [`replace_all`]), so that a file that
    /// cannot be replaced leaves every file as it was. `unprintable` is
    /// passed on to the caller to warn of.
    pub fn finish(self, unprintable: Vec<Unprintable>) -> Result<Exported, Failure> {
        let output = &self.output;
        std::fs::create_dir_all(output).map_err(|e| Failure::Io(format!("cannot make {}: {e}", output.display())))?;
        let pid = std::process::id();
        let mut arrived: Vec<(PathBuf, PathBuf)> = Vec::with_capacity(self.ids.len());
        let remove_arrived = |arrived: &[(PathBuf, PathBuf)]| {
            arrived.iter().for_each(|(partial, _)| drop(std::fs::remove_file(partial)))
        };
        for id in &self.ids {
            let name = self.file_name(id);
            let (partial, target) = (output.join(format!(".{name}.partial-{pid}")), output.join(&name));
            if let Err(e) = move_into(&self.converted_folder().join(&name), &partial) {
                remove_arrived(&arrived);
                return Err(unchanged(&target, &e));
            }
            arrived.push((partial, target));
        }
        if let Err((target, e)) = replace_all(&arrived, |name| format!(".{name}.previous-{pid}")) {
            remove_arrived(&arrived);
            return Err(unchanged(&target, &e));
        }
        let files: Vec<PathBuf> = arrived.into_iter().map(|(_, target)| target).collect();
        let drafts: Vec<String> = self.ids.iter().filter(|id| self.is_draft(id)).cloned().collect();
        let removed = self.remove_drafts_not_asked_for(&drafts);
        Ok(Exported { files, output: self.output, removed, drafts, unprintable })
    }

    /// Removes, without --drafts, every file of a draft in the output
    /// folder: of a report that is a draft now, and each file an earlier
    /// run wrote as a draft (listed in [`DRAFTS_WRITTEN`]), even of a report
    /// renamed or deleted since. Lists the drafts written now, or none.
    fn remove_drafts_not_asked_for(&self, drafts: &[String]) -> Vec<PathBuf> {
        let list = self.output.join(DRAFTS_WRITTEN);
        let listed = std::fs::read_to_string(&list).unwrap_or_default();
        let written_now: Vec<String> = self.ids.iter().map(|id| self.file_name(id)).collect();
        let mut names: Vec<String> = self.drafts_left_out.iter().map(|id| self.file_name(id)).collect();
        let mut still_drafts: Vec<String> = drafts.iter().map(|id| self.file_name(id)).collect();
        for name in listed.lines().filter(|name| !name.is_empty() && !name.contains(['/', '\\'])) {
            if written_now.iter().any(|now| now == name) {
                continue;
            }
            if self.with_drafts {
                still_drafts.push(name.to_string());
            } else {
                names.push(name.to_string());
            }
        }
        names.sort();
        names.dedup();
        let removed = names
            .into_iter()
            .map(|name| self.output.join(name))
            .filter(|stale| std::fs::remove_file(stale).is_ok())
            .collect();
        still_drafts.sort();
        still_drafts.dedup();
        let _ = if still_drafts.is_empty() {
            std::fs::remove_file(&list)
        } else {
            std::fs::write(&list, still_drafts.join("\n") + "\n")
        };
        removed
    }

    /// Whether the built page of report `id` is marked DRAFT (see `base.html`).
    fn is_draft(&self, id: &str) -> bool {
        std::fs::read_to_string(self.report_folder(id).join("index.html"))
            .is_ok_and(|html| html.contains("<body class=\"is-draft\""))
    }

    fn file_name(&self, id: &str) -> String {
        format!("{id}.{}", self.format.extension)
    }
}

/// Why the output folder may not be used: it is the project (or holds it),
/// or it looks like a project itself. Unlike `build`, an export only adds or
/// replaces `<id>.<extension>` files, so a folder of other files is fine.
pub fn refuse_reason(root: &Path, output: &Path, format: Format) -> Option<String> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let output_abs = crate::write::absolute(output);
    if root.starts_with(&output_abs) {
        return Some(format!(
            "{} is the project folder or holds it; pass --output with a folder for the {}",
            output.display(),
            format.files
        ));
    }
    if output_abs.join("content").exists() || output_abs.join("wingreport.toml").exists() {
        return Some(format!(
            "{} holds a project (content/ or wingreport.toml); it is not a folder for {}",
            output.display(),
            format.files
        ));
    }
    if ["content", "themes"].iter().any(|inside| output_abs.starts_with(root.join(inside))) {
        return Some(format!(
            "{} is inside the project's content or theme, which every build reads; pass --output with a folder \
             outside them, such as the default `{}`",
            output.display(),
            format.extension
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

/// Moves a file: renamed when on the same disk, else copied (`to` is a
/// hidden name, so a half-copied file is never taken for a finished one).
fn move_into(from: &Path, to: &Path) -> std::io::Result<()> {
    if std::fs::rename(from, to).is_ok() {
        return Ok(());
    }
    std::fs::copy(from, to).map(drop).inspect_err(|_| {
        let _ = std::fs::remove_file(to);
    })
}

fn unchanged(target: &Path, e: &std::io::Error) -> Failure {
    Failure::Io(format!("cannot write {}: {e}; the previous files were left as they were", target.display()))
}

/// Renames each `(new, target)` file onto its target, all or none: each
/// existing target is first renamed aside (to `aside(its name)` in its
/// folder), then each new file into place, then the set-aside files are
/// removed. On a failure every rename done is undone, and the target that
/// failed comes back with the error. A target that is a folder is refused
/// before anything moves.
fn replace_all(moves: &[(PathBuf, PathBuf)], aside: impl Fn(&str) -> String) -> Result<(), (PathBuf, std::io::Error)> {
    if let Some((_, folder)) = moves.iter().find(|(_, target)| target.is_dir()) {
        let e = std::io::Error::new(std::io::ErrorKind::IsADirectory, "a folder has its name");
        return Err((folder.clone(), e));
    }
    let mut set_aside: Vec<(PathBuf, &PathBuf)> = Vec::new();
    let put_back = |set_aside: &[(PathBuf, &PathBuf)]| {
        for (kept, target) in set_aside.iter().rev() {
            let _ = std::fs::rename(kept, target);
        }
    };
    for (_, target) in moves {
        if std::fs::symlink_metadata(target).is_err() {
            continue;
        }
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let kept = target.with_file_name(aside(&name));
        if let Err(e) = std::fs::rename(target, &kept) {
            put_back(&set_aside);
            return Err((target.clone(), e));
        }
        set_aside.push((kept, target));
    }
    for (done, (new, target)) in moves.iter().enumerate() {
        if let Err(e) = std::fs::rename(new, target) {
            for (new, target) in &moves[..done] {
                let _ = std::fs::rename(target, new);
            }
            put_back(&set_aside);
            return Err((target.clone(), e));
        }
    }
    for (kept, _) in set_aside {
        let _ = std::fs::remove_file(kept);
    }
    Ok(())
}

/// The site folders of the project, whatever their status.
fn site_folders(root: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root.join("content").join("sites")) else { return Vec::new() };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.path().join("site.yaml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: Format = Format { extension: "pdf", files: "PDFs", verb: "print", done: "Printed" };

    /// Three reports replacing earlier ones, in a fresh folder.
    fn three_replacements() -> (tempfile::TempDir, Vec<(PathBuf, PathBuf)>) {
        let dir = tempfile::tempdir().unwrap();
        let moves = ["a", "b", "c"]
            .iter()
            .map(|id| {
                let (new, target) = (dir.path().join(format!(".{id}.new")), dir.path().join(format!("{id}.pdf")));
                std::fs::write(&new, "new").unwrap();
                std::fs::write(&target, "old").unwrap();
                (new, target)
            })
            .collect();
        (dir, moves)
    }

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap_or_else(|e| format!("{e}"))
    }

    #[test]
    fn files_are_replaced_all_together_and_nothing_else_is_left() {
        let (dir, moves) = three_replacements();
        std::fs::remove_file(&moves[1].1).unwrap();
        replace_all(&moves, |name| format!(".{name}.old")).unwrap();
        assert!(moves.iter().all(|(_, target)| read(target) == "new"));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3, "only the three files");
    }

    #[test]
    fn a_file_that_cannot_be_replaced_leaves_every_file_as_it_was() {
        // The last target cannot be set aside: its aside name is a folder that is not empty.
        let (dir, moves) = three_replacements();
        std::fs::create_dir_all(dir.path().join(".c.pdf.old/inside")).unwrap();
        let (target, _) = replace_all(&moves, |name| format!(".{name}.old")).unwrap_err();
        assert_eq!(target, moves[2].1);
        assert!(moves.iter().all(|(new, target)| read(new) == "new" && read(target) == "old"));

        // A target that is a folder is refused before anything moves.
        let (_dir, moves) = three_replacements();
        std::fs::remove_file(&moves[1].1).unwrap();
        std::fs::create_dir(&moves[1].1).unwrap();
        let (target, e) = replace_all(&moves, |name| format!(".{name}.old")).unwrap_err();
        assert_eq!((target, e.kind()), (moves[1].1.clone(), std::io::ErrorKind::IsADirectory));
        assert_eq!((read(&moves[0].1), read(&moves[2].1)), ("old".to_string(), "old".to_string()));
    }

    #[test]
    fn project_folder_and_projects_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("content")).unwrap();
        assert!(refuse_reason(dir.path(), dir.path(), PDF).unwrap().contains("folder for the PDFs"));
        assert!(refuse_reason(&dir.path().join("sub"), dir.path(), PDF).is_some());
        assert!(refuse_reason(dir.path(), &dir.path().join("pdf"), PDF).is_none());
        for inside in ["content", "content/sites", "themes/default"] {
            let reason = refuse_reason(dir.path(), &dir.path().join(inside), PDF).unwrap();
            assert!(reason.contains("inside the project's content or theme"), "{inside}: {reason}");
        }
        std::fs::write(dir.path().join("file"), "x").unwrap();
        assert!(refuse_reason(dir.path(), &dir.path().join("file"), PDF).unwrap().contains("not a folder"));
    }

    #[test]
    fn an_unknown_site_lists_the_known_ones_and_says_when_it_is_a_draft() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content/sites/risley")).unwrap();
        std::fs::write(dir.path().join("content/sites/risley/site.yaml"), "id: risley\n").unwrap();
        let known = ["drake-hall".to_string()];
        assert_eq!(
            unknown_site(dir.path(), "risley", &known, false),
            "unknown site `risley` (it is a draft or has no report page; add --drafts to include drafts); \
             known sites: drake-hall"
        );
        assert_eq!(unknown_site(dir.path(), "nowhere", &[], true), "unknown site `nowhere`; known sites: none");
    }
}
