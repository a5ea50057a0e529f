//! The output swap under kills and concurrent builds (issue 8): whatever
//! happens, one whole output is left, and no staging or old folder outlives
//! the next build.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;

use common::{build, bundled_project, snapshot, stderr, wingreport};

/// Names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// A project and an output folder in a separate temp folder, so that
/// everything beside the output is the build's doing.
fn project_and_output() -> (tempfile::TempDir, tempfile::TempDir) {
    (bundled_project(), tempfile::tempdir().unwrap())
}

fn build_into(root: &Path, out: &Path) -> std::process::Output {
    build(root, &["--quiet", "--output", out.to_str().unwrap()])
}

#[test]
fn leftovers_of_a_dead_build_are_removed_by_the_next_build() {
    let (project, parent) = project_and_output();
    let out = parent.path().join("out");
    assert!(build_into(project.path(), &out).status.success());
    let before = snapshot(&out);
    // Pids above Linux's pid_max: no live process owns these.
    for leftover in [".out.staging-4194305", ".out.old-4194306"] {
        std::fs::create_dir_all(parent.path().join(leftover).join("sites")).unwrap();
        std::fs::write(parent.path().join(leftover).join("sites/index.html"), "stale").unwrap();
    }
    let second = build_into(project.path(), &out);
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(names(parent.path()), [".out.lock", ".out.spare", "out"]);
    assert!(snapshot(&out) == before, "the output is the same as before");
}

#[test]
fn three_concurrent_builds_leave_one_output_and_no_leftovers() {
    let (project, parent) = project_and_output();
    let out = parent.path().join("out");
    assert!(build_into(project.path(), &out).status.success());
    let expected = snapshot(&out);
    for round in 0..10 {
        let children: Vec<_> = (0..3)
            .map(|_| {
                let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("wingreport"));
                cmd.args(["build", "--quiet", "--root"]).arg(project.path()).arg("--output").arg(&out);
                cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap()
            })
            .collect();
        for child in children {
            let result = child.wait_with_output().unwrap();
            assert!(result.status.success(), "round {round}: {}", stderr(&result));
        }
        assert_eq!(names(parent.path()), [".out.lock", ".out.spare", "out"], "round {round}");
        assert!(snapshot(&out) == expected, "round {round}: the output differs from a lone build's");
    }
}

#[test]
fn a_second_build_says_it_waits_for_the_first() {
    let (project, parent) = project_and_output();
    let out = parent.path().join("out");
    let lock = std::fs::File::create(parent.path().join(".out.lock")).unwrap();
    lock.lock().unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("wingreport"))
        .args(["build", "--quiet", "--root"])
        .arg(project.path())
        .arg("--output")
        .arg(&out)
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert_eq!(first, format!("waiting for another build of {} to finish", out.display()));
    assert!(!out.exists(), "nothing is written while the lock is held elsewhere");
    lock.unlock().unwrap();
    assert!(child.wait().unwrap().success());
    assert!(out.join("index.html").is_file());
}

/// The bundled project plus thousands of theme files, so that writing the
/// output takes long enough to be caught in the middle.
fn big_project() -> tempfile::TempDir {
    let project = bundled_project();
    let bulk = project.path().join("themes/default/static/bulk");
    std::fs::create_dir_all(&bulk).unwrap();
    for i in 0..3000 {
        std::fs::write(bulk.join(format!("f{i}.txt")), [b'x'; 4096]).unwrap();
    }
    project
}

/// Starts a build of `root` into `out` and returns once its staging folder
/// is there (or the build has ended), with that folder's path.
fn build_until_staged(root: &Path, out: &Path, stderr: Stdio) -> (std::process::Child, std::path::PathBuf) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("wingreport"))
        .args(["build", "--quiet", "--root"])
        .arg(root)
        .arg("--output")
        .arg(out)
        .stderr(stderr)
        .spawn()
        .unwrap();
    let name = out.file_name().unwrap().to_string_lossy();
    let staging = out.with_file_name(format!(".{name}.staging-{}", child.id()));
    while !staging.exists() && child.try_wait().unwrap().is_none() {
        std::thread::yield_now();
    }
    (child, staging)
}

#[cfg(unix)]
#[test]
fn a_build_killed_mid_write_leaves_the_previous_output_and_the_next_build_cleans_up() {
    use std::os::unix::process::ExitStatusExt;

    let project = big_project();
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    assert!(build_into(project.path(), &out).status.success());

    // Kill as soon as the staging folder appears. A build that finished
    // before the kill landed proves nothing, so it is tried again on a
    // newly edited project.
    let mut caught = None;
    for attempt in 0..5 {
        let previous = snapshot(&out);
        let page = format!("---\ntitle: Attempt {attempt}\nweight: 1\n---\nWritten by attempt {attempt}.\n");
        std::fs::write(project.path().join("content/pages/attempt.md"), page).unwrap();
        let (mut child, staging) = build_until_staged(project.path(), &out, Stdio::null());
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert!(status.success() || status.signal() == Some(9), "the build failed by itself: {status}");
        if status.signal() == Some(9) && staging.exists() {
            caught = Some((previous, snapshot(&out)));
            break;
        }
    }
    let (previous, after_kill) = caught.expect("every build finished before the kill; make big_project bigger");

    let next = build_into(project.path(), &out);
    assert!(next.status.success(), "{}", stderr(&next));
    assert_eq!(names(parent.path()), [".out.lock", ".out.spare", "out"]);
    let rebuilt = snapshot(&out);
    assert!(rebuilt != previous, "the next build wrote the edited content");
    // Killed while filling: the previous output, untouched. Killed after
    // the exchange, while removing the old one: the new output, whole.
    assert!(after_kill == previous || after_kill == rebuilt, "the output after the kill is one whole build");
}

/// Found by a privacy audit: a build stopped by SIGTERM or SIGHUP left its
/// staging folder, with pages not yet checked for real names, until the
/// next build.
#[cfg(unix)]
#[test]
fn a_build_stopped_by_a_signal_removes_its_staging_folder_and_keeps_the_output() {
    let project = big_project();
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    assert!(build_into(project.path(), &out).status.success());
    let previous = snapshot(&out);
    for (signal, code) in [(libc::SIGTERM, 143), (libc::SIGHUP, 129), (libc::SIGINT, 130)] {
        // A build that finished before the signal landed proves nothing: tried again.
        let mut stopped = None;
        for _ in 0..5 {
            let (child, _) = build_until_staged(project.path(), &out, Stdio::piped());
            // SAFETY: a signal to the child this test started.
            unsafe { libc::kill(child.id() as i32, signal) };
            let output = child.wait_with_output().unwrap();
            if output.status.code() == Some(code) {
                stopped = Some(output);
                break;
            }
            assert!(
                output.status.success(),
                "neither stopped cleanly nor finished: {} {}",
                output.status,
                stderr(&output)
            );
        }
        let output = stopped.unwrap_or_else(|| panic!("every build finished before signal {signal}"));
        assert!(stderr(&output).contains("removed the temporary files"), "{}", stderr(&output));
        let left = names(parent.path());
        assert!(left.iter().all(|name| !name.contains("staging")), "signal {signal} left {left:?}");
        assert!(snapshot(&out) == previous, "signal {signal}: the output is the previous build's");
    }
}

#[test]
fn a_project_that_fails_to_build_still_loses_the_leftovers() {
    let (project, parent) = project_and_output();
    let out = parent.path().join("out");
    assert!(build_into(project.path(), &out).status.success());
    let before = snapshot(&out);
    std::fs::create_dir(parent.path().join(".out.old-4194305")).unwrap();
    std::fs::write(project.path().join("content/sites/risley/site.yaml"), "id: [").unwrap();
    let failed = wingreport()
        .args(["build", "--quiet", "--root"])
        .arg(project.path())
        .arg("--output")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
    assert_eq!(names(parent.path()), [".out.lock", "out"]);
    assert!(snapshot(&out) == before, "the output is the same as before");
}
