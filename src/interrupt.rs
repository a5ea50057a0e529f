//! What an interrupted `build`, `pdf` or `docx` run must not leave behind.
//! Ctrl-C, SIGTERM or SIGHUP would end the process at once, leaving a
//! build's staging folder (pages not yet checked for real names) beside its
//! output, an export's temporary folder (a whole built site) in the
//! system's temporary folder, and a browser printing for nobody. Here the signal stops every browser started
//! (each in a process group of its own, with the helpers it started) and
//! removes the folders first. A run killed outright cannot clean up: the
//! next run removes the folders of runs that are no longer running.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once, PoisonError, RwLock};

/// Folders and browser processes to clear up if the run is interrupted.
struct Leftovers {
    folders: Vec<PathBuf>,
    browsers: Vec<u32>,
}

static LEFTOVERS: Mutex<Leftovers> = Mutex::new(Leftovers { folders: Vec::new(), browsers: Vec::new() });
/// True once a signal is being handled; taken for writing only then, so
/// that a guarded folder goes after every write into it has ended.
static STOPPING: RwLock<bool> = RwLock::new(false);
static WATCH: Once = Once::new();

fn leftovers() -> std::sync::MutexGuard<'static, Leftovers> {
    LEFTOVERS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Removes `folder` if the run is interrupted, until [`release_folder`].
pub fn guard_folder(folder: &Path) {
    watch();
    leftovers().folders.push(folder.to_path_buf());
}

/// Runs `write`, which writes into a guarded folder, unless the run is
/// being interrupted: a write begun as the signal came would otherwise put
/// back the folder being removed.
pub fn unless_interrupted<T>(write: impl FnOnce() -> T) -> Option<T> {
    let stopping = STOPPING.read().unwrap_or_else(PoisonError::into_inner);
    (!*stopping).then(write)
}

pub fn release_folder(folder: &Path) {
    leftovers().folders.retain(|f| f != folder);
}

/// Stops the browser `pid` (and its process group) if the run is
/// interrupted, until [`browser_ended`].
pub fn browser_started(pid: u32) {
    watch();
    leftovers().browsers.push(pid);
}

pub fn browser_ended(pid: u32) {
    leftovers().browsers.retain(|&p| p != pid);
}

/// Kills the process group led by `pid`: a browser and the renderers and
/// helpers it started, which killing the browser alone can leave running.
#[cfg(unix)]
pub fn kill_group(pid: u32) {
    if let Ok(pid) = libc::pid_t::try_from(pid) {
        // SAFETY: killpg only sends a signal; a group that is gone is ESRCH.
        unsafe { libc::killpg(pid, libc::SIGKILL) };
    }
}

#[cfg(not(unix))]
pub fn kill_group(_pid: u32) {}

/// Starts, once, the thread that waits for an interrupting signal.
fn watch() {
    WATCH.call_once(|| {
        let (ready, listening) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            let (name, code) = runtime.block_on(signal(move || {
                let _ = ready.send(());
            }));
            *STOPPING.write().unwrap_or_else(PoisonError::into_inner) = true;
            let left = leftovers();
            left.browsers.iter().for_each(|&pid| kill_group(pid));
            for folder in &left.folders {
                let _ = std::fs::remove_dir_all(folder);
            }
            eprintln!("interrupted ({name}): stopped, and removed the temporary files");
            std::process::exit(code);
        });
        // A signal before the handlers are in place would end the run with
        // the folder just guarded still there.
        let _ = listening.recv_timeout(std::time::Duration::from_secs(2));
    });
}

/// Waits for Ctrl-C, SIGTERM or SIGHUP, calling `ready` once they are
/// caught: the signal's name and the exit code a shell gives a process that
/// signal ended (128 + its number).
#[cfg(unix)]
async fn signal(ready: impl FnOnce()) -> (&'static str, i32) {
    use tokio::signal::unix::{SignalKind, signal};
    let kinds = [SignalKind::interrupt(), SignalKind::terminate(), SignalKind::hangup()];
    let [Ok(mut interrupt), Ok(mut term), Ok(mut hangup)] = kinds.map(signal) else {
        ready();
        return std::future::pending().await;
    };
    ready();
    tokio::select! {
        _ = interrupt.recv() => ("Ctrl-C", 130),
        _ = term.recv() => ("SIGTERM", 143),
        _ = hangup.recv() => ("SIGHUP", 129),
    }
}

#[cfg(not(unix))]
async fn signal(ready: impl FnOnce()) -> (&'static str, i32) {
    ready();
    match tokio::signal::ctrl_c().await {
        Ok(()) => ("Ctrl-C", 130),
        Err(_) => std::future::pending().await,
    }
}

/// The prefix of this run's temporary folder for `extension`: it names the
/// process, so a later run can tell whether the run that made it is over.
pub fn folder_prefix(extension: &str) -> String {
    format!("wingreport-{extension}-{}-", std::process::id())
}

/// Removes the temporary folders in `temp` that runs no longer running left.
pub fn remove_stale_folders(temp: &Path, extension: &str) {
    let Ok(entries) = std::fs::read_dir(temp) else { return };
    let prefix = format!("wingreport-{extension}-");
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(&prefix)).and_then(|rest| rest.split_once('-'))
        else {
            continue;
        };
        if pid.0.parse::<u32>().is_ok_and(|pid| !is_running(pid)) && entry.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(unix)]
fn is_running(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return true };
    // SAFETY: signal 0 only asks whether the process exists.
    unsafe { libc::kill(pid, 0) == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM) }
}

/// Elsewhere a process cannot be asked about as cheaply: keep every folder.
#[cfg(not(unix))]
fn is_running(_pid: u32) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn only_folders_of_runs_that_are_over_are_removed() {
        let temp = tempfile::tempdir().unwrap();
        let mut gone = std::process::Command::new("true").spawn().unwrap();
        let gone_pid = gone.id();
        gone.wait().unwrap();
        let stale = temp.path().join(format!("wingreport-pdf-{gone_pid}-abc"));
        let ours = temp.path().join(format!("{}xyz", folder_prefix("pdf")));
        let docx = temp.path().join(format!("wingreport-docx-{gone_pid}-abc"));
        let other = temp.path().join("wingreport-pdf-notapid");
        for folder in [&stale, &ours, &docx, &other] {
            std::fs::create_dir(folder).unwrap();
        }
        remove_stale_folders(temp.path(), "pdf");
        assert!(!stale.exists());
        assert!(ours.exists() && docx.exists() && other.exists());
    }
}
