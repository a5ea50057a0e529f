//! Stage 5, write: puts rendered files on disk atomically. A sibling
//! directory is filled and swapped in, so a failed build never leaves a
//! half-written or emptied output. Refuses directories it did not create.
//!
//! The output a build replaces is kept beside it as a spare, which the next
//! build fills: overwriting a file costs the system a fraction of creating
//! one and removing the old one, which was most of a large build's system
//! time (about 5,000 files for 1,000 reports).

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::render::OutputFile;

/// Name of the file that marks a directory as wingreport's to replace.
pub const MARKER: &str = ".wingreport-output";

/// The marker's line for an output with drafts in it, which is never kept
/// as a spare: beside a published output, it would publish them.
const HOLDS_DRAFTS: &str = "It holds drafts.";

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
    /// The output before the current one, whole, for the next build to fill.
    spare: PathBuf,
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
        spare: parent.join(format!(".{name}.spare")),
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
        staging.commit_with(exchange, false)
    }

    /// A staging folder to fill file by file while the output is rendered:
    /// the spare when there is a whole one, else a new folder. The output
    /// changes only when it is committed, and a staging folder dropped
    /// uncommitted is removed.
    pub fn stage(&self) -> io::Result<Staging<'_>> {
        crate::interrupt::guard_folder(&self.staging);
        if self.staging.exists() {
            std::fs::remove_dir_all(&self.staging)?;
        }
        let reused = self.reuse_spare();
        let mode = if reused {
            self.output.metadata().map_or(0o755, |m| permissions_of(&m))
        } else {
            std::fs::create_dir_all(&self.staging)?;
            self.staging.metadata().map_or(0o755, |m| permissions_of(&m))
        };
        // Its owner's alone until committed: the pages are not yet checked
        // for real names, and a build killed outright leaves the folder
        // behind. (Ctrl-C, SIGTERM and SIGHUP remove it.)
        set_mode(&self.staging, 0o700);
        let written = reused.then(|| Mutex::new(FxHashSet::default()));
        Ok(Staging { lock: self, failed: Mutex::new(None), open: true, written, mode })
    }

    /// Moves the spare to the staging name when it is a whole output (it has
    /// its marker), taking the marker off first: from then on an interrupted
    /// build leaves a staging folder like any other. Anything else under the
    /// spare's name is removed.
    fn reuse_spare(&self) -> bool {
        let Ok(meta) = self.spare.symlink_metadata() else { return false };
        let whole = meta.is_dir() && std::fs::remove_file(self.spare.join(MARKER)).is_ok();
        if whole && std::fs::rename(&self.spare, &self.staging).is_ok() {
            return true;
        }
        let _ = if meta.is_dir() { std::fs::remove_dir_all(&self.spare) } else { std::fs::remove_file(&self.spare) };
        false
    }

    /// Keeps a replaced output, still marked whole, as the next build's
    /// spare, unless it holds drafts.
    fn keep_as_spare(&self, replaced: &Path) {
        let drafts = std::fs::read_to_string(replaced.join(MARKER)).is_ok_and(|m| m.contains(HOLDS_DRAFTS));
        if drafts || std::fs::rename(replaced, &self.spare).is_err() {
            discard(replaced);
        } else {
            // Beside a published output, a web server running as another
            // user must not serve it: it holds reports withdrawn since.
            set_mode(&self.spare, 0o700);
        }
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
                    self.keep_as_spare(&self.staging);
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
        self.keep_as_spare(&self.old);
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

#[cfg(unix)]
fn permissions_of(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn permissions_of(_: &std::fs::Metadata) -> u32 {
    0o755
}

/// Sets a folder's permission bits; where there are none, nothing.
#[cfg(unix)]
fn set_mode(dir: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode));
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) {}

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

/// Removes what stands in the way of writing the file `path` under `root`:
/// a folder at its path, or a file at one of its parent folders' paths.
fn clear_way(root: &Path, path: &Path) -> io::Result<()> {
    if path.symlink_metadata().is_ok_and(|m| m.is_dir()) {
        return std::fs::remove_dir_all(path);
    }
    for parent in path.ancestors().skip(1).take_while(|p| p.starts_with(root) && *p != root) {
        if parent.symlink_metadata().is_ok_and(|m| !m.is_dir()) {
            return std::fs::remove_file(parent);
        }
    }
    Ok(())
}

/// Makes the file at `path` in a reused spare hold `bytes`, writing only
/// when it holds something else: most of a rebuild's files are the same as
/// two builds ago, and reading one back costs a fraction of writing it
/// (about a third of a 1,000-report build's wall time went on writing).
/// Unchanged files keep their times, so a copy to the intranet by size and
/// time sends only what changed. A file with other links (an output copied
/// with `cp -al`) or a symbolic link put in the output is replaced, never
/// written through.
fn refill(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::{Read, Seek, Write};
    // What is at the path itself, a link not followed.
    let meta = match path.symlink_metadata() {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return std::fs::write(path, bytes),
        Err(e) => return Err(e),
    };
    if !meta.is_file() || links(&meta) > 1 {
        std::fs::remove_file(path)?;
        return std::fs::write(path, bytes);
    }
    let mut old = std::fs::OpenOptions::new().read(true).write(true).open(path)?;
    if meta.len() == bytes.len() as u64 {
        let mut same = true;
        let mut chunk = [0u8; 16 * 1024];
        let mut rest = bytes;
        while same && !rest.is_empty() {
            let read = old.read(&mut chunk[..rest.len().min(16 * 1024)])?;
            same = read > 0 && chunk[..read] == rest[..read];
            rest = &rest[read..];
        }
        if same {
            return Ok(());
        }
        old.rewind()?;
    }
    // Over the old pages, then cut to length: cheaper than emptying the file first.
    old.write_all(bytes)?;
    old.set_len(bytes.len() as u64)
}

#[cfg(unix)]
fn links(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(meta)
}

#[cfg(not(unix))]
fn links(_: &std::fs::Metadata) -> u64 {
    1
}

/// Whether this system swaps two folders in one step.
const EXCHANGE: bool = cfg!(any(target_os = "linux", target_os = "android"));

/// The next output, filled while it is rendered (see [`OutputLock::stage`]).
pub struct Staging<'a> {
    lock: &'a OutputLock,
    /// The first write that failed: the rest are skipped and the commit fails.
    failed: Mutex<Option<io::Error>>,
    open: bool,
    /// In a reused spare, the paths written so far: the rest are stale.
    written: Option<Mutex<FxHashSet<String>>>,
    /// The folder's permissions once committed: the output's, or a new
    /// folder's.
    mode: u32,
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
        let reused = self.written.is_some();
        let write = || {
            path.parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| if reused { refill(&path, &file.bytes) } else { std::fs::write(&path, &file.bytes) })
        };
        let written = crate::interrupt::unless_interrupted(|| match write() {
            // A reused spare may hold a folder where this build writes a
            // file, or a file where it needs a folder.
            Err(_) if self.written.is_some() => clear_way(&self.lock.staging, &path).and_then(|()| write()),
            done => done,
        });
        // Interrupted: the folder is going, and the run with it.
        let Some(written) = written else { return };
        let written = written.map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())));
        match written {
            Ok(()) => {
                if let Some(paths) = &self.written {
                    paths.lock().unwrap_or_else(|e| e.into_inner()).insert(file.path.clone());
                }
            }
            Err(err) => {
                failed = self.failed.lock().unwrap_or_else(|e| e.into_inner());
                failed.get_or_insert(err);
            }
        }
    }

    /// Removes what a reused spare holds that this build did not write:
    /// files of reports since removed, and the folders left empty.
    fn remove_stale(&mut self) -> io::Result<()> {
        let Some(written) = self.written.take() else { return Ok(()) };
        let written = written.into_inner().unwrap_or_else(|e| e.into_inner());
        let root = &self.lock.staging;
        for entry in walkdir::WalkDir::new(root).min_depth(1).contents_first(true) {
            let entry = entry.map_err(io::Error::other)?;
            let path = entry.path();
            if entry.file_type().is_dir() {
                if std::fs::read_dir(path)?.next().is_none() {
                    std::fs::remove_dir(path)?;
                }
                continue;
            }
            let relative = path.strip_prefix(root).map_err(io::Error::other)?;
            let relative = relative.to_string_lossy();
            let key = if std::path::MAIN_SEPARATOR == '/' { relative } else { relative.replace('\\', "/").into() };
            if !written.contains(key.as_ref()) {
                std::fs::remove_file(path)?;
            }
        }
        Ok(())
    }

    /// Replaces the output with what was written, in one step; or, when a
    /// write failed, removes the staging folder and leaves the output.
    /// `drafts`: the files include drafts.
    pub fn commit(self, drafts: bool) -> io::Result<()> {
        self.commit_with(EXCHANGE, drafts)
    }

    fn commit_with(mut self, exchange: bool, drafts: bool) -> io::Result<()> {
        if let Some(err) = self.failed.get_mut().unwrap_or_else(|e| e.into_inner()).take() {
            return Err(err);
        }
        self.remove_stale()?;
        let about = "This folder is generated by wingreport build; it is replaced on every build.";
        let marker = if drafts { format!("{about}\n{HOLDS_DRAFTS}\n") } else { format!("{about}\n") };
        // A signal from here waits for the swap: removing the folder as the
        // marker went in left the marker, in a folder readable by all.
        crate::interrupt::unless_interrupted(|| {
            std::fs::write(self.lock.staging.join(MARKER), marker)?;
            // Readable again, as the output it becomes.
            set_mode(&self.lock.staging, self.mode);
            // From here the swap cleans up after itself, and the folder,
            // once swapped, may be the output.
            self.open = false;
            crate::interrupt::release_folder(&self.lock.staging);
            self.lock.swap(exchange)
        })
        .unwrap_or_else(|| Err(io::Error::new(io::ErrorKind::Interrupted, "the build was interrupted")))
    }
}

impl Drop for Staging<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = std::fs::remove_dir_all(&self.lock.staging);
            crate::interrupt::release_folder(&self.lock.staging);
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
        assert_eq!(
            names(dir.path()),
            [".output.lock", ".output.spare", "output"],
            "staging and old folders are removed; the replaced output is the spare"
        );
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
        assert!(staging.commit(false).is_err());
        drop(lock);
        assert_eq!(std::fs::read_to_string(out.join("a.html")).unwrap(), "1");
        assert_eq!(names(dir.path()), [".output.lock", "output"]);
    }

    /// Found by a privacy audit: `build --drafts` and then `build` left the
    /// drafts build beside the published output as its spare.
    #[test]
    fn an_output_with_drafts_is_never_kept_as_the_spare() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        for drafts in [true, false] {
            let lock = lock(&out).unwrap();
            let staging = lock.stage().unwrap();
            staging.put(&file("a.html", if drafts { "draft" } else { "published" }));
            staging.commit(drafts).unwrap();
        }
        assert_eq!(std::fs::read_to_string(out.join("a.html")).unwrap(), "published");
        assert_eq!(names(dir.path()), [".output.lock", "output"], "no spare holds the drafts");
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
        assert_eq!(names(dir.path()), [".output.lock", ".output.spare", "output"]);
        let spare = dir.path().join(".output.spare");
        assert_eq!(std::fs::read_to_string(spare.join("a.html")).unwrap(), "1");
        assert!(spare.join(MARKER).is_file(), "the spare is marked whole");
        #[cfg(unix)]
        {
            let mode = |p: &Path| permissions_of(&p.metadata().unwrap());
            assert_eq!(mode(&spare), 0o700, "only its owner may read the spare");
            let before = mode(&out);
            lock(&out).unwrap().write_with(&[file("c.html", "3")], exchange).unwrap();
            assert_eq!(mode(&out), before, "the spare made the output is as readable as the one it replaced");
        }
    }

    /// Found by a privacy audit: a killed build left its staging folder,
    /// pages not yet checked for real names, readable by every user.
    #[cfg(unix)]
    #[test]
    fn a_staging_folder_is_its_owners_alone_until_committed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        let mode = |p: &Path| permissions_of(&p.metadata().unwrap());
        for round in 0..3 {
            let locked = lock(&out).unwrap();
            let staging = locked.stage().unwrap();
            staging.put(&file("a.html", "1"));
            assert_eq!(mode(&locked.staging), 0o700, "round {round}");
            staging.commit_with(true, false).unwrap();
            let probe = dir.path().join(format!("probe-{round}"));
            std::fs::create_dir(&probe).unwrap();
            assert_eq!(mode(&out), mode(&probe), "round {round}: the output is as readable as a new folder");
        }
    }

    /// Every file under `dir` with its text, the marker left out.
    fn contents(dir: &Path) -> Vec<(String, String)> {
        let mut found: Vec<(String, String)> = walkdir::WalkDir::new(dir)
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file() && e.file_name() != MARKER)
            .map(|e| {
                let name = e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                (name, std::fs::read_to_string(e.path()).unwrap())
            })
            .collect();
        found.sort();
        found
    }

    #[test]
    fn the_third_write_fills_the_spare_and_keeps_only_what_it_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        write_atomic(&out, &[file("a.html", "1"), file("sub/b.html", "1"), file("sub/deep/c.html", "1")]).unwrap();
        #[cfg(unix)]
        let first_inode = std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(out.join("a.html")).unwrap());
        write_atomic(&out, &[file("a.html", "2")]).unwrap();
        write_atomic(&out, &[file("a.html", "3"), file("d.html", "3")]).unwrap();
        assert_eq!(contents(&out), [("a.html".into(), "3".into()), ("d.html".into(), "3".into())]);
        assert!(out.join(MARKER).is_file());
        assert!(!out.join("sub").exists(), "folders left empty are removed");
        #[cfg(unix)]
        assert_eq!(
            std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(out.join("a.html")).unwrap()),
            first_inode,
            "the first output's file was overwritten in place"
        );
        assert_eq!(contents(&dir.path().join(".output.spare")), [("a.html".into(), "2".into())]);
    }

    #[test]
    fn a_filled_spare_file_is_written_only_when_it_changes() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        let (long, short) = ("x".repeat(40_000), "y".repeat(10));
        let first = [file("same.html", &long), file("grows.html", "ab"), file("shrinks.html", &long)];
        write_atomic(&out, &first).unwrap();
        let modified = |name: &str| std::fs::metadata(out.join(name)).unwrap().modified().unwrap();
        let before = modified("same.html");
        write_atomic(&out, &[file("other.html", "2")]).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let mut same_length = long.clone();
        same_length.replace_range(39_999.., "z");
        let third = [
            file("same.html", &long),
            file("grows.html", &long),
            file("shrinks.html", &short),
            file("edited.html", &same_length),
        ];
        write_atomic(&out, &third).unwrap();
        assert_eq!(modified("same.html"), before, "an unchanged file is not written again");
        let expected: Vec<(String, String)> = [
            ("edited.html", same_length.as_str()),
            ("grows.html", long.as_str()),
            ("same.html", long.as_str()),
            ("shrinks.html", short.as_str()),
        ]
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
        assert_eq!(contents(&out), expected);
    }

    #[cfg(unix)]
    #[test]
    fn a_spare_file_with_another_link_is_replaced_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        write_atomic(&out, &[file("a.html", "1")]).unwrap();
        // A publisher's copy made with hard links (`cp -al output published`).
        let published = dir.path().join("published.html");
        std::fs::hard_link(out.join("a.html"), &published).unwrap();
        write_atomic(&out, &[file("b.html", "2")]).unwrap();
        write_atomic(&out, &[file("a.html", "3")]).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a.html")).unwrap(), "3");
        assert_eq!(std::fs::read_to_string(&published).unwrap(), "1", "the published copy is untouched");
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_put_in_the_output_is_replaced_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        let elsewhere = dir.path().join("theme-style.css");
        std::fs::write(&elsewhere, "the author's own").unwrap();
        write_atomic(&out, &[file("style.css", "1")]).unwrap();
        std::fs::remove_file(out.join("style.css")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, out.join("style.css")).unwrap();
        write_atomic(&out, &[file("b.html", "2")]).unwrap();
        write_atomic(&out, &[file("style.css", "3")]).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("style.css")).unwrap(), "3");
        assert!(!out.join("style.css").symlink_metadata().unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "the author's own");
    }

    #[test]
    fn a_spare_with_a_folder_where_a_file_goes_or_a_file_where_a_folder_goes_is_cleared() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        write_atomic(&out, &[file("x/index.html", "1"), file("p", "1")]).unwrap();
        write_atomic(&out, &[file("y.html", "2")]).unwrap();
        write_atomic(&out, &[file("x", "3"), file("p/q.html", "3")]).unwrap();
        assert_eq!(contents(&out), [("p/q.html".into(), "3".into()), ("x".into(), "3".into())]);
    }

    #[test]
    fn a_spare_without_its_marker_is_removed_not_filled() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        std::fs::create_dir_all(dir.path().join(".output.spare")).unwrap();
        std::fs::write(dir.path().join(".output.spare/junk.html"), "half removed").unwrap();
        write_atomic(&out, &[file("a.html", "1")]).unwrap();
        assert_eq!(contents(&out), [("a.html".into(), "1".into())]);
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
