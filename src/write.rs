//! Stage 5, write: puts rendered files on disk atomically. A fresh sibling
//! directory is filled and swapped in, so a failed build never leaves a
//! half-written or emptied output. Refuses directories it did not create.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::render::OutputFile;

/// Name of the file that marks a directory as wingreport's to replace.
pub const MARKER: &str = ".wingreport-output";

/// Why an output directory may not be used; each is a usage error.
pub fn refuse_reason(root: &Path, output: &Path) -> Option<String> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let output_abs = absolute(output);
    if root.starts_with(&output_abs) {
        return Some(format!(
            "{} is the project folder or holds it; building there would replace the content",
            output.display()
        ));
    }
    if !output_abs.exists() {
        return None;
    }
    if output_abs.join("content").exists() {
        return Some(format!("{} holds a content/ folder; it looks like a project, not an output", output.display()));
    }
    let empty = std::fs::read_dir(&output_abs).map(|mut d| d.next().is_none()).unwrap_or(false);
    if !output_abs.is_dir() || (!empty && !output_abs.join(MARKER).exists()) {
        return Some(format!(
            "{} already exists and was not written by wingreport; refusing to replace it",
            output.display()
        ));
    }
    None
}

/// `path` made absolute, resolving symlinks where it exists.
pub(crate) fn absolute(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    // A path that does not exist yet: resolve its parent instead.
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => absolute(parent).join(name),
        _ => std::env::current_dir().map(|d| d.join(path)).unwrap_or_else(|_| path.to_path_buf()),
    }
}

/// Writes `files` as the new content of `output`, replacing it in one step.
pub fn write_atomic(output: &Path, files: &[OutputFile]) -> io::Result<()> {
    lock(output)?.write(files)
}

/// Exclusive use of one output folder for as long as it is held. The lock is
/// an advisory lock on `.NAME.lock` beside the output, so the OS releases it
/// when the process dies, even by SIGKILL.
#[derive(Debug)]
pub struct OutputLock {
    _file: std::fs::File,
    output: PathBuf,
    staging: PathBuf,
    old: PathBuf,
}

/// Takes the lock on `output`, waiting for another build that holds it, then
/// removes what interrupted builds left beside it.
pub fn lock(output: &Path) -> io::Result<OutputLock> {
    let shown = output.display().to_string();
    let output = absolute(output);
    let parent = output.parent().ok_or_else(|| io::Error::other("output has no parent folder"))?;
    std::fs::create_dir_all(parent)?;
    let name = output.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let lock_path = parent.join(format!(".{name}.lock"));
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| io::Error::new(e.kind(), format!("cannot open the lock file {}: {e}", lock_path.display())))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            eprintln!("waiting for another build of {shown} to finish");
            file.lock().map_err(|e| lock_error(&lock_path, e))?;
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(lock_error(&lock_path, e)),
    }
    clean_leftovers(parent, &name, &output)?;
    let pid = std::process::id();
    Ok(OutputLock {
        _file: file,
        staging: parent.join(format!(".{name}.staging-{pid}")),
        old: parent.join(format!(".{name}.old-{pid}")),
        output,
    })
}

fn lock_error(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("cannot lock {}: {e}", path.display()))
}

impl OutputLock {
    /// Writes `files` as the new content of the output, replacing it in one step.
    pub fn write(&self, files: &[OutputFile]) -> io::Result<()> {
        self.write_with(files, EXCHANGE)
    }

    /// `exchange: false` forces the two-rename swap of other systems, so
    /// tests cover it on Linux too.
    fn write_with(&self, files: &[OutputFile], exchange: bool) -> io::Result<()> {
        let staging = self.stage()?;
        // Writing dominates a large build on slow disks.
        files.par_iter().for_each(|file| staging.put(file));
        staging.commit_with(exchange)
    }

    /// A fresh staging folder to fill file by file while the output is
    /// rendered; the output changes only when it is committed, and a
    /// staging folder dropped uncommitted is removed.
    pub fn stage(&self) -> io::Result<Staging<'_>> {
        if self.staging.exists() {
            std::fs::remove_dir_all(&self.staging)?;
        }
        std::fs::create_dir_all(&self.staging)?;
        Ok(Staging { lock: self, failed: Mutex::new(None), open: true })
    }

    /// Puts the filled staging folder in place of the output.
    fn swap(&self, exchange: bool) -> io::Result<()> {
        if !self.output.exists() {
            return std::fs::rename(&self.staging, &self.output).inspect_err(|_| {
                let _ = std::fs::remove_dir_all(&self.staging);
            });
        }
        if exchange {
            match exchange_dirs(&self.staging, &self.output) {
                Ok(()) => {
                    // The previous output now sits under the staging name.
                    discard(&self.staging);
                    return Ok(());
                }
                Err(err) if err.kind() != io::ErrorKind::Unsupported => {
                    let _ = std::fs::remove_dir_all(&self.staging);
                    return Err(err);
                }
                Err(_) => {}
            }
        }
        self.swap_by_renames()
    }

    /// Two renames: a kill between them leaves no output, only `old`, which
    /// the next build puts back (see `clean_leftovers`).
    fn swap_by_renames(&self) -> io::Result<()> {
        std::fs::rename(&self.output, &self.old).inspect_err(|_| {
            let _ = std::fs::remove_dir_all(&self.staging);
        })?;
        if let Err(err) = std::fs::rename(&self.staging, &self.output) {
            let _ = std::fs::rename(&self.old, &self.output);
            let _ = std::fs::remove_dir_all(&self.staging);
            return Err(err);
        }
        discard(&self.old);
        Ok(())
    }
}

/// Swaps two directories in one step (renameat2 RENAME_EXCHANGE). A
/// filesystem or kernel without it gives `Unsupported`.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn exchange_dirs(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    use rustix::io::Errno;
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(|errno| match errno {
        Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP => io::Error::new(io::ErrorKind::Unsupported, errno),
        other => io::Error::from(other),
    })
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn exchange_dirs(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

/// Removes a replaced output. The marker goes first, so a folder that still
/// has it is known to be whole (see `clean_leftovers`). What cannot be
/// removed now is a leftover that the next build removes.
fn discard(dir: &Path) {
    let _ = std::fs::remove_file(dir.join(MARKER));
    let _ = std::fs::remove_dir_all(dir);
}

/// Whether `file_name` is `prefix` followed by a process id.
fn is_leftover(file_name: &str, prefix: &str) -> bool {
    file_name.strip_prefix(prefix).is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}

/// Removes the staging and old folders of interrupted builds of `output`.
/// Called with the lock held, so no live build owns any of them whatever
/// its pid (a pid check alone would be fooled by pid reuse). An old folder
/// that still has its marker while the output is missing is a whole
/// previous output cut off between the two renames: it is put back.
fn clean_leftovers(parent: &Path, name: &str, output: &Path) -> io::Result<()> {
    let (staging, old) = (format!(".{name}.staging-"), format!(".{name}.old-"));
    let mut leftovers: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(parent)? {
        let entry = entry?;
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        if is_leftover(&file_name, &old) && !output.exists() && entry.path().join(MARKER).is_file() {
            std::fs::rename(entry.path(), output)?;
        } else if is_leftover(&file_name, &staging) || is_leftover(&file_name, &old) {
            leftovers.push(entry.path());
        }
    }
    for path in leftovers {
        let removed = if path.symlink_metadata()?.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.map_err(|e| {
            io::Error::new(e.kind(), format!("cannot remove {}, left by an interrupted build: {e}", path.display()))
        })?;
    }
    Ok(())
}

/// Whether this system swaps two folders in one step.
const EXCHANGE: bool = cfg!(any(target_os = "linux", target_os = "android"));

/// The next output, filled while it is rendered (see [`OutputLock::stage`]).
pub struct Staging<'a> {
    lock: &'a OutputLock,
    /// The first write that failed: the rest are skipped and the commit fails.
    failed: Mutex<Option<io::Error>>,
    open: bool,
}

impl Staging<'_> {
    /// Writes one file, from any thread.
    pub fn put(&self, file: &OutputFile) {
        let mut failed = self.failed.lock().unwrap_or_else(|e| e.into_inner());
        if failed.is_some() {
            return;
        }
        drop(failed);
        let path = self.lock.staging.join(&file.path);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, &file.bytes))
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())));
        if let Err(err) = written {
            failed = self.failed.lock().unwrap_or_else(|e| e.into_inner());
            failed.get_or_insert(err);
        }
    }

    /// Replaces the output with what was written, in one step; or, when a
    /// write failed, removes the staging folder and leaves the output.
    pub fn commit(self) -> io::Result<()> {
        self.commit_with(EXCHANGE)
    }

    fn commit_with(mut self, exchange: bool) -> io::Result<()> {
        if let Some(err) = self.failed.get_mut().unwrap_or_else(|e| e.into_inner()).take() {
            return Err(err);
        }
        std::fs::write(
            self.lock.staging.join(MARKER),
            "This folder is generated by wingreport build; it is replaced on every build.\n",
        )?;
        // From here the swap cleans up after itself.
        self.open = false;
        self.lock.swap(exchange)
    }
}

impl Drop for Staging<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = std::fs::remove_dir_all(&self.lock.staging);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> OutputFile {
        OutputFile { path: path.to_string(), bytes: text.as_bytes().to_vec() }
    }

    #[test]
    fn second_write_replaces_the_first_completely() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        write_atomic(&out, &[file("a.html", "1"), file("sub/b.html", "2")]).unwrap();
        write_atomic(&out, &[file("c.html", "3")]).unwrap();
        assert!(!out.join("a.html").exists());
        assert_eq!(std::fs::read_to_string(out.join("c.html")).unwrap(), "3");
        assert!(out.join(MARKER).exists());
        assert_eq!(names(dir.path()), [".output.lock", "output"], "staging and old folders are removed");
    }

    #[test]
    fn a_staging_folder_dropped_or_failed_leaves_the_output_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        write_atomic(&out, &[file("a.html", "1")]).unwrap();
        let lock = lock(&out).unwrap();
        let staging = lock.stage().unwrap();
        staging.put(&file("b.html", "2"));
        assert!(dir.path().join(format!(".output.staging-{}/b.html", std::process::id())).is_file());
        drop(staging);
        let staging = lock.stage().unwrap();
        // A file where the folder `a.html/` would go makes the second write fail.
        staging.put(&file("a.html", "3"));
        staging.put(&file("a.html/b.html", "4"));
        assert!(staging.commit().is_err());
        drop(lock);
        assert_eq!(std::fs::read_to_string(out.join("a.html")).unwrap(), "1");
        assert_eq!(names(dir.path()), [".output.lock", "output"]);
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    /// Writes twice through one swap method and checks the second output replaced the first.
    fn replaces_with(exchange: bool) {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        lock(&out).unwrap().write_with(&[file("a.html", "1")], exchange).unwrap();
        lock(&out).unwrap().write_with(&[file("b.html", "2")], exchange).unwrap();
        assert!(!out.join("a.html").exists());
        assert_eq!(std::fs::read_to_string(out.join("b.html")).unwrap(), "2");
        assert_eq!(names(dir.path()), [".output.lock", "output"]);
    }

    #[test]
    fn exchange_swap_replaces_the_output() {
        replaces_with(true);
    }

    #[test]
    fn two_rename_fallback_replaces_the_output() {
        replaces_with(false);
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[test]
    fn exchange_swaps_two_folders_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir(&a).unwrap();
        std::fs::create_dir(&b).unwrap();
        std::fs::write(a.join("from-a"), "").unwrap();
        exchange_dirs(&a, &b).unwrap();
        assert!(b.join("from-a").exists() && !a.join("from-a").exists());
    }

    #[test]
    fn leftovers_of_interrupted_builds_are_removed_and_other_files_kept() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        write_atomic(&out, &[file("a.html", "1")]).unwrap();
        // A pid above Linux's pid_max: no live process can own these.
        for leftover in [".output.staging-4194305", ".output.old-4194306"] {
            std::fs::create_dir(dir.path().join(leftover)).unwrap();
            std::fs::write(dir.path().join(leftover).join("big.html"), "x").unwrap();
        }
        std::fs::write(dir.path().join(".output.staging-4194307"), "a file, not a folder").unwrap();
        for keep in [".output.staging-notes", ".other.old-12", "output.old-12"] {
            std::fs::write(dir.path().join(keep), "").unwrap();
        }
        drop(lock(&out).unwrap());
        assert_eq!(
            names(dir.path()),
            [".other.old-12", ".output.lock", ".output.staging-notes", "output", "output.old-12"]
        );
        assert_eq!(std::fs::read_to_string(out.join("a.html")).unwrap(), "1");
    }

    #[test]
    fn whole_old_output_cut_off_between_renames_is_put_back() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        write_atomic(&out, &[file("a.html", "1")]).unwrap();
        std::fs::rename(&out, dir.path().join(".output.old-4194305")).unwrap();
        drop(lock(&out).unwrap());
        assert_eq!(std::fs::read_to_string(out.join("a.html")).unwrap(), "1");
        assert_eq!(names(dir.path()), [".output.lock", "output"]);
    }

    #[test]
    fn half_removed_old_output_is_not_put_back() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        let old = dir.path().join(".output.old-4194305");
        std::fs::create_dir(&old).unwrap();
        std::fs::write(old.join("a.html"), "1").unwrap();
        drop(lock(&out).unwrap());
        assert_eq!(names(dir.path()), [".output.lock"]);
    }

    #[test]
    fn leftover_names_need_the_output_name_and_a_pid() {
        assert!(is_leftover(".output.old-123", ".output.old-"));
        assert!(!is_leftover(".output.old-", ".output.old-"));
        assert!(!is_leftover(".output.old-12a", ".output.old-"));
        assert!(!is_leftover(".outputs.old-12", ".output.old-"));
    }

    #[test]
    fn project_folder_is_refused_as_output() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("content")).unwrap();
        assert!(refuse_reason(dir.path(), dir.path()).is_some());
        assert!(refuse_reason(dir.path(), dir.path().parent().unwrap()).is_some());
    }

    #[test]
    fn foreign_folder_is_refused_but_empty_or_marked_ones_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        std::fs::create_dir(&root).unwrap();
        let foreign = dir.path().join("docs");
        std::fs::create_dir(&foreign).unwrap();
        std::fs::write(foreign.join("notes.txt"), "mine").unwrap();
        assert!(refuse_reason(&root, &foreign).unwrap().contains("not written by wingreport"));
        let empty = dir.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        assert!(refuse_reason(&root, &empty).is_none());
        std::fs::write(foreign.join(MARKER), "").unwrap();
        assert!(refuse_reason(&root, &foreign).is_none());
        assert!(refuse_reason(&root, &dir.path().join("new")).is_none());
    }
}
