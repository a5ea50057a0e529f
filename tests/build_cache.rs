//! The build cache (`.wingreport-cache/`): a build that reads reports back
//! from it writes exactly what a build without it writes, whatever changed
//! in between, and a broken cache is only a slower build.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use common::{build, bundled_project, copy_tree, edit, snapshot, stderr};

const CACHE: &str = ".wingreport-cache";

fn built(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let out = build(root, &["--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    snapshot(&root.join("output"))
}

/// The output a build of a copy of `root` without its cache writes.
fn built_without_cache(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let fresh = tempfile::tempdir().unwrap();
    copy_tree(root, fresh.path());
    for made in [CACHE, "output", ".output.spare", ".output.lock"] {
        let _ = std::fs::remove_dir_all(fresh.path().join(made));
        let _ = std::fs::remove_file(fresh.path().join(made));
    }
    built(fresh.path())
}

/// Each kept entry by name, with its inode: an entry written again gets a
/// new one, as it is written under another name and renamed.
fn entries(root: &Path) -> BTreeMap<String, u64> {
    std::fs::read_dir(root.join(CACHE).join("parts"))
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.metadata().unwrap().ino()))
        .collect()
}

/// Adds a paragraph to one narrative file of the high-down report.
fn add_to_high_down(root: &Path, paragraph: &str) {
    let heading = "## Delivery model\n";
    edit(root, "content/sites/high-down/02-peer-role.md", heading, &format!("{heading}\n{paragraph}\n"));
}

fn assert_same(cached: &BTreeMap<String, Vec<u8>>, fresh: &BTreeMap<String, Vec<u8>>, after: &str) {
    let paths = |files: &BTreeMap<String, Vec<u8>>| files.keys().cloned().collect::<Vec<_>>();
    assert_eq!(paths(cached), paths(fresh), "after {after}: the same files");
    let differ: Vec<&String> = cached.iter().filter(|(path, bytes)| fresh[*path] != **bytes).map(|(p, _)| p).collect();
    assert!(differ.is_empty(), "after {after}, a build from the cache differs from one without it in {differ:?}");
}

#[test]
fn a_second_build_reads_every_report_back_and_writes_the_same_bytes() {
    let project = bundled_project();
    let root = project.path();
    let first = built(root);
    let kept = entries(root);
    // The four reports, the search index and its pages analysed.
    assert_eq!(kept.len(), 6, "{kept:?}");
    let out = build(root, &[]);
    assert!(stderr(&out).contains("4 reports read back from the build cache"), "{}", stderr(&out));
    let second = snapshot(&root.join("output"));
    assert_same(&second, &first, "no change");
    assert_eq!(entries(root), kept, "every entry was read, none written again");
    assert!(!first.keys().any(|path| path.contains(CACHE)), "the cache is never published");
    let ignore = std::fs::read_to_string(root.join(CACHE).join(".gitignore")).unwrap();
    assert!(ignore.lines().any(|line| line == "*"), "git ignores the cache: {ignore}");
}

#[test]
fn an_edit_renders_again_what_it_changes_and_the_output_is_a_fresh_builds() {
    let project = bundled_project();
    let root = project.path();
    built(root);
    type Edit = fn(&Path);
    let edits: [(&str, Edit); 5] = [
        ("a narrative edited", |root| add_to_high_down(root, "An added line.")),
        ("another site's record edited", |root| {
            edit(root, "content/sites/risley/site.yaml", "title: CFO Discovery wings", "title: CFO wings")
        }),
        ("a narrative made a draft", |root| {
            edit(root, "content/sites/high-down/02-peer-role.md", "weight: 2\n", "weight: 2\ndraft: true\n")
        }),
        ("the series edited", |root| {
            let series = std::fs::read_to_string(root.join("content/series.yaml")).unwrap();
            let title = series.lines().find(|l| l.starts_with("title:")).unwrap().to_string();
            edit(root, "content/series.yaml", &title, &format!("{title} (revised)"))
        }),
        ("the config edited", |root| std::fs::write(root.join("wingreport.toml"), "language = \"en-US\"\n").unwrap()),
    ];
    for (what, apply) in edits {
        let before = entries(root);
        apply(root);
        let cached = built(root);
        assert_same(&cached, &built_without_cache(root), what);
        if what == "a narrative edited" {
            let after = entries(root);
            let kept_again = before.iter().filter(|(name, ino)| after.get(*name) == Some(ino)).count();
            // The three other reports, not the edited one nor the search
            // index and its pages analysed (the other pages read back).
            assert_eq!(kept_again, 3, "{what}: only the edited report and the index are new: {before:?} {after:?}");
            assert_eq!(after.len(), 6, "{what}: the entries replaced are gone: {after:?}");
        }
    }
}

#[test]
fn a_theme_template_edited_renders_the_reports_again() {
    let project = bundled_project();
    let root = project.path();
    let out = common::wingreport().args(["new", "theme", "acme", "--root"]).arg(root).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::write(root.join("wingreport.toml"), "language = \"en-GB\"\ntheme = \"acme\"\n").unwrap();
    built(root);
    let base = std::fs::read_to_string(root.join("themes/acme/templates/base.html")).unwrap();
    assert!(base.contains("</body>"), "{base}");
    std::fs::write(root.join("themes/acme/templates/base.html"), base.replacen("</body>", "<p>Revised.</p></body>", 1))
        .unwrap();
    let cached = built(root);
    let report = String::from_utf8(cached["sites/risley/index.html"].clone()).unwrap();
    assert!(report.contains("<p>Revised.</p>"), "the report is rendered with the edited template");
    assert_same(&cached, &built_without_cache(root), "a template edited");
}

#[test]
fn a_real_name_added_to_the_list_is_found_in_a_report_the_cache_kept() {
    let project = bundled_project();
    let root = project.path();
    // Words of one report only, kept in the cache by the first build.
    add_to_high_down(root, "Ida Smithson ran it.");
    let first = built(root);
    // Nothing but the list changes: every report is read for names again.
    std::fs::create_dir_all(root.join("private")).unwrap();
    std::fs::write(root.join("private/real-names.txt"), "Ida Smithson\n").unwrap();
    let out = build(root, &["--quiet"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("real name `Ida Smithson`"), "{}", stderr(&out));
    std::fs::remove_file(root.join("private/real-names.txt")).unwrap();
    assert_same(&built(root), &first, "the list emptied again");
}

#[test]
fn a_broken_cache_is_a_slower_build_never_a_wrong_or_failed_one() {
    let project = bundled_project();
    let root = project.path();
    let first = built(root);
    let parts = std::fs::read_dir(root.join(CACHE).join("parts")).unwrap();
    let parsed = std::fs::read_dir(root.join(CACHE).join("parsed")).unwrap();
    for (i, entry) in parts.chain(parsed).enumerate() {
        let path = entry.unwrap().path();
        let mut bytes = std::fs::read(&path).unwrap();
        // Cut short, emptied, or a byte changed in the middle.
        match i % 3 {
            0 => bytes.truncate(bytes.len() / 2),
            1 => bytes.clear(),
            _ => {
                let middle = bytes.len() / 2;
                bytes[middle] ^= 0xff;
            }
        }
        std::fs::write(&path, bytes).unwrap();
    }
    assert_same(&built(root), &first, "every entry broken");
    std::fs::remove_dir_all(root.join(CACHE)).unwrap();
    std::fs::write(root.join(CACHE), "a file where the folder goes").unwrap();
    assert_same(&built(root), &first, "the cache folder a file");
}

#[test]
fn a_mistake_in_a_record_read_back_is_placed_as_in_one_parsed() {
    let project = bundled_project();
    let root = project.path();
    built(root);
    let parsed = root.join(CACHE).join("parsed/yaml");
    // Mistakes found after loading, so the file parses without one and is
    // kept: by the render stage in a summary's Markdown, and by validation
    // in a record and in front matter.
    let mistakes = [
        (
            "an unknown citation",
            "content/sites/risley/site.yaml",
            "  On HMP Risley's CFO",
            "  On HMP Risley's [@nokey] CFO",
        ),
        ("a stage rated twice", "content/sites/drake-hall/site.yaml", "  - stage: 2\n", "  - stage: 1\n"),
        ("an unknown work", "content/sites/high-down/02-peer-role.md", "weight: 2\n", "weight: 2\nnocite: [nokey]\n"),
    ];
    for (what, file, written, mistake) in mistakes {
        let before = std::fs::metadata(&parsed).unwrap().ino();
        edit(root, file, written, mistake);
        let failed = |root: &Path| {
            let out = build(root, &["--quiet"]);
            assert_eq!(out.status.code(), Some(1), "{what}: {}", stderr(&out));
            stderr(&out).replace(&root.display().to_string(), "ROOT")
        };
        let first = failed(root);
        assert!(first.contains(&format!("{file}:")), "{what}: {first}");
        let kept = std::fs::metadata(&parsed).unwrap().ino();
        assert_ne!(kept, before, "{what}: the file edited was kept parsed");
        let read_back = failed(root);
        assert_eq!(std::fs::metadata(&parsed).unwrap().ino(), kept, "{what}: every file was read back");
        assert_eq!(read_back, first, "{what}");
        let fresh = tempfile::tempdir().unwrap();
        copy_tree(root, fresh.path());
        std::fs::remove_dir_all(fresh.path().join(CACHE)).unwrap();
        assert_eq!(failed(fresh.path()), first, "{what}: as without the cache");
        edit(root, file, mistake, written);
    }
}

#[test]
fn check_reads_the_cache_and_writes_none() {
    let project = bundled_project();
    let root = project.path();
    let check = |root: &Path| {
        let out = common::wingreport().arg("check").arg("--root").arg(root).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    };
    check(root);
    assert!(!root.join(CACHE).exists(), "check made no cache");
    built(root);
    let kept = entries(root);
    let list = std::fs::read(root.join(CACHE).join("last-published.txt")).unwrap();
    add_to_high_down(root, "An added line.");
    check(root);
    assert_eq!(entries(root), kept, "check kept nothing new and removed nothing");
    assert_eq!(std::fs::read(root.join(CACHE).join("last-published.txt")).unwrap(), list);
}
