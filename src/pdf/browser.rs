//! Finding a Chromium-based browser: `--browser`, then `WINGREPORT_CHROMIUM`,
//! then the standard install locations of Chromium, Google Chrome and
//! Microsoft Edge and their names on `PATH`.
//!
//! The candidate list is a pure function of the operating system and the
//! environment, so every platform's list is tested on any machine.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use crate::build::Failure;

/// Environment variable naming the browser to use (a path or a name on `PATH`).
pub const BROWSER_ENV: &str = "WINGREPORT_CHROMIUM";

/// The operating systems whose install locations are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    MacOs,
    Windows,
}

impl Os {
    /// The system this program runs on; other Unixes look like Linux.
    pub fn current() -> Os {
        if cfg!(windows) {
            Os::Windows
        } else if cfg!(target_os = "macos") {
            Os::MacOs
        } else {
            Os::Linux
        }
    }
}

/// One place a browser may be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Candidate {
    /// A program name looked up on `PATH`.
    OnPath(String),
    /// A full path.
    At(PathBuf),
}

impl std::fmt::Display for Candidate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Candidate::OnPath(name) => write!(f, "{name} on PATH"),
            Candidate::At(path) => write!(f, "{}", path.display()),
        }
    }
}

/// Where to look, in order: names on `PATH` first (what the user chose to
/// put there), then the standard install locations. `env` reads an
/// environment variable (Windows install folders depend on them).
pub fn candidates(os: Os, env: &dyn Fn(&str) -> Option<OsString>) -> Vec<Candidate> {
    let names: &[&str] = match os {
        Os::Linux => &[
            "chromium",
            "chromium-browser",
            "google-chrome",
            "google-chrome-stable",
            "microsoft-edge",
            "microsoft-edge-stable",
        ],
        Os::MacOs => &["chromium", "google-chrome", "microsoft-edge"],
        Os::Windows => &["chrome.exe", "msedge.exe", "chromium.exe"],
    };
    let mut list: Vec<Candidate> = names.iter().map(|n| Candidate::OnPath((*n).to_string())).collect();
    match os {
        Os::Linux => list.extend(
            [
                "/usr/bin/chromium",
                "/usr/bin/chromium-browser",
                "/snap/bin/chromium",
                "/usr/bin/google-chrome",
                "/usr/bin/google-chrome-stable",
                "/opt/google/chrome/chrome",
                "/usr/bin/microsoft-edge",
                "/usr/bin/microsoft-edge-stable",
                "/opt/microsoft/msedge/msedge",
                "/var/lib/flatpak/exports/bin/org.chromium.Chromium",
            ]
            .map(|p| Candidate::At(PathBuf::from(p))),
        ),
        Os::MacOs => {
            let apps = [
                "Google Chrome.app/Contents/MacOS/Google Chrome",
                "Chromium.app/Contents/MacOS/Chromium",
                "Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
            ];
            let home = env("HOME").map(|h| PathBuf::from(h).join("Applications"));
            for app in apps {
                list.push(Candidate::At(Path::new("/Applications").join(app)));
                if let Some(home) = &home {
                    list.push(Candidate::At(home.join(app)));
                }
            }
        }
        Os::Windows => {
            // Per-user installs (the Chrome installer's default without admin
            // rights) live under LOCALAPPDATA; machine-wide ones under the
            // two Program Files folders.
            let roots: Vec<PathBuf> = ["PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA"]
                .iter()
                .filter_map(|var| env(var).filter(|v| !v.is_empty()).map(PathBuf::from))
                .collect();
            for exe in [
                r"Google\Chrome\Application\chrome.exe",
                r"Microsoft\Edge\Application\msedge.exe",
                r"Chromium\Application\chrome.exe",
            ] {
                for root in &roots {
                    let candidate = Candidate::At(join_windows(root, exe));
                    if !list.contains(&candidate) {
                        list.push(candidate);
                    }
                }
            }
        }
    }
    list
}

/// Joins with backslashes whatever the host, so the Windows list reads the
/// same when tested elsewhere.
fn join_windows(root: &Path, rest: &str) -> PathBuf {
    let root = root.to_string_lossy();
    PathBuf::from(format!("{}\\{rest}", root.trim_end_matches(['\\', '/'])))
}

/// How to install a browser, per system.
pub fn install_hint(os: Os) -> &'static str {
    match os {
        Os::Linux => {
            "install Chromium (Debian/Ubuntu: apt-get install chromium; Fedora: dnf install chromium) or Google Chrome"
        }
        Os::MacOs => {
            "install Google Chrome (https://www.google.com/chrome/) or Chromium (brew install --cask chromium)"
        }
        Os::Windows => "install Google Chrome (https://www.google.com/chrome/); Microsoft Edge comes with Windows",
    }
}

/// The browser to print with: `flag` (`--browser`) when given, else
/// `WINGREPORT_CHROMIUM` when set, else the first of [`candidates`] found.
pub fn find_browser(flag: Option<&Path>) -> Result<PathBuf, Failure> {
    let os = Os::current();
    let hint = install_hint(os);
    let given = flag
        .map(|p| ("--browser".to_string(), p.as_os_str().to_os_string()))
        .or_else(|| std::env::var_os(BROWSER_ENV).filter(|v| !v.is_empty()).map(|v| (format!("{BROWSER_ENV}="), v)));
    if let Some((source, value)) = given {
        return resolve(&value).ok_or_else(|| {
            Failure::Usage(format!(
                "{source}{}{} is not an executable file; wingreport pdf needs Chromium, Google Chrome or Microsoft Edge: {hint}",
                if source.ends_with('=') { "" } else { " " },
                Path::new(&value).display()
            ))
        });
    }
    let list = candidates(os, &|var| std::env::var_os(var));
    list.iter().find_map(found).ok_or_else(|| Failure::Usage(none_found(os, &list)))
}

/// The message for no browser found: what was tried and how to install one.
fn none_found(os: Os, tried: &[Candidate]) -> String {
    let tried: Vec<String> = tried.iter().map(ToString::to_string).collect();
    format!(
        "wingreport pdf needs Chromium, Google Chrome or Microsoft Edge and found none; {}, \
         or pass --browser PATH or set {BROWSER_ENV} to the browser's path (tried: {})",
        install_hint(os),
        tried.join(", ")
    )
}

/// A path when it names a folder part, else a name on `PATH`.
fn resolve(value: &OsStr) -> Option<PathBuf> {
    let given = PathBuf::from(value);
    if given.components().count() > 1 { is_executable(&given).then_some(given) } else { on_path(value) }
}

fn found(candidate: &Candidate) -> Option<PathBuf> {
    match candidate {
        Candidate::OnPath(name) => on_path(OsStr::new(name)),
        Candidate::At(path) => is_executable(path).then(|| path.clone()),
    }
}

fn on_path(name: &OsStr) -> Option<PathBuf> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(list: &[Candidate]) -> Vec<String> {
        list.iter()
            .filter_map(|c| match c {
                Candidate::At(p) => Some(p.to_string_lossy().into_owned()),
                Candidate::OnPath(_) => None,
            })
            .collect()
    }

    fn names(list: &[Candidate]) -> Vec<&str> {
        list.iter()
            .filter_map(|c| match c {
                Candidate::OnPath(n) => Some(n.as_str()),
                Candidate::At(_) => None,
            })
            .collect()
    }

    #[test]
    fn linux_looks_on_path_then_in_the_usual_folders_for_all_three_browsers() {
        let list = candidates(Os::Linux, &|_| None);
        assert_eq!(names(&list)[..2], ["chromium", "chromium-browser"], "PATH names come first");
        assert!(names(&list).contains(&"microsoft-edge"));
        for path in ["/usr/bin/chromium", "/snap/bin/chromium", "/usr/bin/google-chrome", "/usr/bin/microsoft-edge"] {
            assert!(at(&list).iter().any(|p| p == path), "{path} in {list:?}");
        }
        let first_path = list.iter().position(|c| matches!(c, Candidate::At(_))).unwrap();
        assert!(list[first_path..].iter().all(|c| matches!(c, Candidate::At(_))), "names before paths");
    }

    #[test]
    fn macos_looks_in_applications_and_the_users_own_applications() {
        let list = candidates(Os::MacOs, &|var| (var == "HOME").then(|| OsString::from("/Users/ann")));
        let paths = at(&list);
        assert_eq!(paths[0], "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome");
        assert!(paths.contains(&"/Users/ann/Applications/Google Chrome.app/Contents/MacOS/Google Chrome".to_string()));
        assert!(paths.contains(&"/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge".to_string()));
        assert!(paths.contains(&"/Applications/Chromium.app/Contents/MacOS/Chromium".to_string()));
        let without_home = candidates(Os::MacOs, &|_| None);
        assert!(at(&without_home).iter().all(|p| p.starts_with("/Applications/")), "{without_home:?}");
    }

    #[test]
    fn windows_looks_in_program_files_and_local_app_data() {
        let env = |var: &str| {
            Some(OsString::from(match var {
                "PROGRAMFILES" => r"C:\Program Files",
                "PROGRAMFILES(X86)" => r"C:\Program Files (x86)",
                "LOCALAPPDATA" => r"C:\Users\ann\AppData\Local\",
                _ => return None,
            }))
        };
        let list = candidates(Os::Windows, &env);
        assert_eq!(names(&list), ["chrome.exe", "msedge.exe", "chromium.exe"]);
        let paths = at(&list);
        for path in [
            r"C:\Program Files\Google\Chrome\Application\chrome.exe",
            r"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe",
            r"C:\Users\ann\AppData\Local\Google\Chrome\Application\chrome.exe",
            r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
            r"C:\Program Files\Microsoft\Edge\Application\msedge.exe",
        ] {
            assert!(paths.iter().any(|p| p == path), "{path} in {paths:?}");
        }
        assert_eq!(paths[0], r"C:\Program Files\Google\Chrome\Application\chrome.exe", "Chrome before Edge");
        // Unset folders are skipped rather than producing relative paths.
        let only_local = candidates(Os::Windows, &|var| (var == "LOCALAPPDATA").then(|| OsString::from(r"D:\L")));
        assert_eq!(at(&only_local)[0], r"D:\L\Google\Chrome\Application\chrome.exe");
        assert!(at(&only_local).iter().all(|p| p.starts_with(r"D:\L\")), "{only_local:?}");
    }

    #[test]
    fn no_browser_says_what_was_tried_and_how_to_install_one() {
        let list = candidates(Os::Linux, &|_| None);
        let message = none_found(Os::Linux, &list);
        assert!(message.contains("apt-get install chromium"), "{message}");
        assert!(message.contains("--browser PATH") && message.contains(BROWSER_ENV), "{message}");
        assert!(message.contains("chromium on PATH, chromium-browser on PATH"), "{message}");
        assert!(message.contains("/snap/bin/chromium") && message.contains("/usr/bin/microsoft-edge"), "{message}");
        let mac = none_found(Os::MacOs, &candidates(Os::MacOs, &|_| None));
        assert!(mac.contains("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"), "{mac}");
    }

    #[test]
    fn every_system_has_an_install_hint_and_a_readable_list() {
        for os in [Os::Linux, Os::MacOs, Os::Windows] {
            assert!(install_hint(os).starts_with("install "));
            let shown: Vec<String> = candidates(os, &|_| None).iter().map(ToString::to_string).collect();
            assert!(shown.iter().any(|s| s.ends_with(" on PATH")), "{shown:?}");
        }
    }
}
