//! Stage 1, load: read `wingreport.toml` and `content/` into a `Project`.
//! Syntax and type errors become diagnostics here; cross-checks between
//! files belong to `validate`. Never reads `private/` or `output/`.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde_saphyr::Error as YamlError;

use crate::diagnostics::{Diagnostic, did_you_mean, one_of, rel_path};
use crate::model::{Config, Frameworks, FrontMatter, Narrative, Project, Reference, Role, Series, Site};

/// Reads the whole project, collecting every parse error. The project is
/// returned even when some records failed, so `validate` can report the
/// rest in the same run; it is `None` when nothing sensible can be checked
/// (no config, no series, or broken frameworks that every record relies on).
pub fn load(root: &Path) -> (Option<Project>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let content = root.join("content");

    let config = read_config(root, &mut diags);
    let series: Option<Series> = read_yaml(root, &content.join("series.yaml"), true, &mut diags);
    let frameworks_file = content.join("frameworks.yaml");
    let before = diags.len();
    let frameworks: Option<Frameworks> = read_yaml(root, &frameworks_file, false, &mut diags);
    let frameworks_broken = diags.len() > before;
    let references_file = content.join("references.yaml");
    let references: Option<Vec<Reference>> = read_yaml(root, &references_file, false, &mut diags);
    let roles: Option<Vec<Role>> = read_yaml(root, &content.join("roles.yaml"), false, &mut diags);

    let index = read_optional_narrative(root, &content.join("index.md"), &mut diags);
    let compare = read_optional_narrative(root, &content.join("compare.md"), &mut diags);
    let pages = read_narratives(root, &content.join("pages"), &mut diags);
    let sites = read_sites(root, &content.join("sites"), &mut diags);

    let project = match (config, series) {
        (Some(config), Some(series)) if !frameworks_broken => Some(Project {
            root: root.to_path_buf(),
            config,
            series,
            frameworks: frameworks.unwrap_or_default(),
            frameworks_path: rel_path(root, &frameworks_file),
            references: references.unwrap_or_default(),
            references_path: rel_path(root, &references_file),
            roles: roles.unwrap_or_default(),
            index,
            compare,
            pages,
            sites,
        }),
        _ => None,
    };
    (project, diags)
}

fn read_config(root: &Path, diags: &mut Vec<Diagnostic>) -> Option<Config> {
    let path = root.join("wingreport.toml");
    let rel = rel_path(root, &path);
    let text = read_text(root, &path, diags)?;
    match toml::from_str::<Config>(&text) {
        Ok(config) => Some(config),
        Err(err) => {
            let (line, col) = err.span().map_or((0, 0), |s| line_col(&text, s.start));
            let message = err.message().to_string();
            let mut diag = Diagnostic::new(rel, line, col, message.clone());
            if let Some(hint) = unknown_key_hint(&message) {
                diag = diag.with_hint(hint);
            } else if let Some((value, hint)) = unknown_value(&message) {
                diag = Diagnostic::new(diag.path, line, col, format!("`{value}` is not an allowed value here"))
                    .with_hint(hint);
            }
            diags.push(diag);
            None
        }
    }
}

/// toml reports unknown keys as "unknown field `x`, expected one of `a`, `b`".
fn unknown_key_hint(message: &str) -> Option<String> {
    let field = message.strip_prefix("unknown field `")?.split('`').next()?;
    let expected: Vec<&str> = message.split("expected").nth(1)?.split('`').skip(1).step_by(2).collect();
    Some(match did_you_mean(field, expected.iter().copied()) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!("known keys here are {}", one_of(&expected)),
    })
}

/// toml reports a value outside a list as "unknown variant `x`, expected
/// `a` or `b`": the value, and a hint naming the allowed ones.
fn unknown_value(message: &str) -> Option<(String, String)> {
    let value = message.strip_prefix("unknown variant `")?.split('`').next()?;
    let allowed: Vec<&str> = message.split("expected").nth(1)?.split('`').skip(1).step_by(2).collect();
    let hint = match did_you_mean(value, allowed.iter().copied()) {
        Some(near) => format!("did you mean `{near}`? Allowed: {}", one_of(&allowed)),
        None => format!("allowed values: {}", one_of(&allowed)),
    };
    Some((value.to_string(), hint))
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

fn read_text(root: &Path, path: &Path, diags: &mut Vec<Diagnostic>) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(err) => {
            let rel = rel_path(root, path);
            let diag = if err.kind() == std::io::ErrorKind::NotFound {
                Diagnostic::whole_file(rel, "file not found")
                    .with_hint("every project needs this file; see the content guide in README.md")
            } else {
                Diagnostic::whole_file(rel, format!("cannot read file: {err}"))
            };
            diags.push(diag);
            None
        }
    }
}

/// Reads one YAML file; a missing optional file is `None` without a diagnostic.
fn read_yaml<T: DeserializeOwned>(root: &Path, path: &Path, required: bool, diags: &mut Vec<Diagnostic>) -> Option<T> {
    if !required && !path.exists() {
        return None;
    }
    let text = read_text(root, path, diags)?;
    parse_yaml(&text, &rel_path(root, path), 0).map_err(|d| diags.push(d)).ok()
}

/// Parses YAML text whose first line is line `line_offset + 1` of `path`.
pub fn parse_yaml<T: DeserializeOwned>(text: &str, path: &str, line_offset: usize) -> Result<T, Diagnostic> {
    serde_saphyr::from_str(text).map_err(|err| yaml_diagnostic(&err, path, line_offset))
}

/// Turns a serde-saphyr error into what was expected and how to fix it.
fn yaml_diagnostic(err: &YamlError, path: &str, line_offset: usize) -> Diagnostic {
    let (line, col) = err.location().map_or((0, 0), |l| (l.line() as usize + line_offset, l.column() as usize));
    let mut inner = err;
    while let YamlError::WithSnippet { error, .. } | YamlError::AliasError { error, .. } = inner {
        inner = error;
    }
    let (message, hint) = match inner {
        YamlError::SerdeUnknownField { field, expected, .. } => (
            format!("unknown key `{field}`"),
            Some(match did_you_mean(field, expected.iter().copied()) {
                Some(near) => format!("did you mean `{near}`? Keys allowed here: {}", one_of(expected)),
                None => format!("keys allowed here: {}", one_of(expected)),
            }),
        ),
        YamlError::SerdeUnknownVariant { variant, expected, .. } => (
            format!("`{variant}` is not an allowed value here"),
            Some(match did_you_mean(variant, expected.iter().copied()) {
                Some(near) => format!("did you mean `{near}`? Allowed: {}", one_of(expected)),
                None => format!("allowed values: {}", one_of(expected)),
            }),
        ),
        YamlError::SerdeMissingField { field, .. } => (
            format!("missing required key `{field}`"),
            Some(format!("add `{field}:` to this block (see the content guide in README.md)")),
        ),
        YamlError::DuplicateMappingKey { key, .. } => (
            format!("key `{}` appears twice", key.as_deref().unwrap_or("?")),
            Some("remove or rename one of the two entries".to_string()),
        ),
        // A message of our own (or serde's) without the position, which the diagnostic carries.
        YamlError::Message { msg, .. } => (msg.clone(), type_hint(msg)),
        other => {
            let plain = plain_message(other);
            let hint = type_hint(&plain);
            (plain, hint)
        }
    };
    let mut diag = Diagnostic::new(path, line, col, message);
    diag.hint = hint;
    diag
}

/// The first line of serde-saphyr's rendering, without its own position prefix.
fn plain_message(err: &YamlError) -> String {
    let text = err.to_string();
    let first = text.lines().next().unwrap_or("invalid YAML").trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    match first.split_once(": ") {
        Some((prefix, rest)) if prefix.starts_with("line ") => rest.to_string(),
        _ => first.to_string(),
    }
}

fn type_hint(message: &str) -> Option<String> {
    let hint = if message.contains(crate::model::NOT_A_WEB_ADDRESS) {
        "write the whole address, starting with `https://`, such as `https://example.org/report.pdf`; a DOI goes under `doi:`"
    } else if message.contains("invalid u32") || message.contains("invalid u64") {
        "expected a whole number of 0 or more, such as `26`"
    } else if message.contains("invalid i64") {
        "expected a whole number, such as `3`"
    } else if message.contains("boolean") {
        "expected `true` or `false`"
    } else if message.contains("expected string") {
        "expected text here; put it in quotes if it contains `:` or starts with `[`, `{` or `-`"
    } else if message.contains("did not match any variant") {
        "expected `true`, `false` or a short text in quotes"
    } else if message.contains("sequence") {
        "expected a list here: one `- item` per line, or `[a, b]`"
    } else if message.contains("map") {
        "expected `key: value` pairs here"
    } else {
        return None;
    };
    Some(hint.to_string())
}

/// Splits `---` front matter from a Markdown body.
pub fn read_narrative(path: &str, stem: &str, text: &str) -> Result<Narrative, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let missing = || {
        Diagnostic::new(path, 1, 1, "missing front matter")
            .with_hint("start the file with `---`, a line `title: ...`, `weight: 1`, and a closing `---`")
    };
    let rest = text.strip_prefix("---\n").or_else(|| text.strip_prefix("---\r\n")).ok_or_else(missing)?;
    let mut offset = 0;
    let mut close = None;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            close = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let (yaml_end, body_start) = close.ok_or_else(|| {
        Diagnostic::new(path, 1, 1, "front matter is never closed")
            .with_hint("add a line `---` after the last front-matter key")
    })?;
    let yaml = &rest[..yaml_end];
    let front: FrontMatter = if yaml.trim().is_empty() {
        return Err(Diagnostic::new(path, 2, 1, "front matter is empty").with_hint("add at least `title: ...`"));
    } else {
        parse_yaml(yaml, path, 1)?
    };
    let body_line = 2 + yaml.matches('\n').count() + 1;
    Ok(Narrative {
        path: path.to_string(),
        stem: stem.to_string(),
        front,
        body: rest[body_start..].to_string(),
        body_line,
    })
}

fn read_narrative_file(root: &Path, path: &Path, diags: &mut Vec<Diagnostic>) -> Option<Narrative> {
    let text = read_text(root, path, diags)?;
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    read_narrative(&rel_path(root, path), &stem, &text).map_err(|d| diags.push(d)).ok()
}

fn read_optional_narrative(root: &Path, path: &Path, diags: &mut Vec<Diagnostic>) -> Option<Narrative> {
    path.exists().then(|| read_narrative_file(root, path, diags)).flatten()
}

/// Files of one folder (not recursive), sorted by name so builds are
/// deterministic. A folder that does not exist has none (every folder
/// read here is optional); one that cannot be read, and an entry whose
/// link target cannot be read, are diagnostics instead of being skipped.
fn files_in(root: &Path, dir: &Path, diags: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).min_depth(1).max_depth(1) {
        match entry {
            Ok(entry) if entry.path_is_symlink() => match std::fs::metadata(entry.path()) {
                Ok(_) => files.push(entry.into_path()),
                Err(err) => diags.push(unreadable(root, entry.path(), &err, true)),
            },
            Ok(entry) => files.push(entry.into_path()),
            Err(err) => {
                let path = err.path().unwrap_or(dir);
                let absent = path == dir && dir.symlink_metadata().is_err();
                if let (false, Some(io)) = (absent, err.io_error()) {
                    diags.push(unreadable(root, path, io, path.is_symlink()));
                }
            }
        }
    }
    files.sort();
    files
}

/// What a path that cannot be read is reported as, with the OS's reason.
fn unreadable(root: &Path, path: &Path, err: &std::io::Error, link: bool) -> Diagnostic {
    let diag = Diagnostic::whole_file(rel_path(root, path), format!("cannot be read: {err}"));
    if link {
        diag.with_hint("this is a symbolic link whose target is missing or loops; fix the link or remove it")
    } else if err.kind() == std::io::ErrorKind::PermissionDenied {
        diag.with_hint("give the user running wingreport permission to read it, or move it out of content/")
    } else {
        diag
    }
}

/// Markdown files of a folder in reading order: by `weight`, then file name.
fn read_narratives(root: &Path, dir: &Path, diags: &mut Vec<Diagnostic>) -> Vec<Narrative> {
    let mut narratives: Vec<Narrative> = files_in(root, dir, diags)
        .iter()
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "md"))
        .filter_map(|p| read_narrative_file(root, p, diags))
        .collect();
    narratives.sort_by(|a, b| a.front.weight.total_cmp(&b.front.weight).then_with(|| a.stem.cmp(&b.stem)));
    narratives
}

/// One site folder: its record and narrative, or the problems found.
pub fn load_site(root: &Path, folder_path: &Path) -> (Option<Site>, Vec<Diagnostic>) {
    let mut found = Vec::new();
    let record_file = folder_path.join("site.yaml");
    let record = read_yaml(root, &record_file, true, &mut found);
    let narrative = read_narratives(root, folder_path, &mut found);
    let site = record.map(|record| Site {
        folder: folder_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        record,
        record_path: rel_path(root, &record_file),
        narrative,
    });
    (site, found)
}

/// Site folders parse independently, so they are read in parallel; results
/// keep the folders' order so diagnostics and output stay deterministic.
fn read_sites(root: &Path, dir: &Path, diags: &mut Vec<Diagnostic>) -> Vec<Site> {
    let folders: Vec<PathBuf> = files_in(root, dir, diags).into_iter().filter(|p| p.is_dir()).collect();
    let results: Vec<(Option<Site>, Vec<Diagnostic>)> =
        folders.par_iter().map(|folder_path| load_site(root, folder_path)).collect();
    let mut sites = Vec::with_capacity(results.len());
    for (site, found) in results {
        sites.extend(site);
        diags.extend(found);
    }
    sites
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SiteRecord;

    #[test]
    fn front_matter_body_starts_after_closing_line() {
        let n = read_narrative("a.md", "a", "---\ntitle: T\nweight: 2\n---\n## Hi\n").unwrap();
        assert_eq!(n.front.title, "T");
        assert_eq!(n.front.weight, 2.0);
        assert!(n.front.numbered);
        assert_eq!(n.body, "## Hi\n");
        assert_eq!(n.body_line, 5);
    }

    #[test]
    fn front_matter_error_line_counts_the_opening_fence() {
        let err = read_narrative("a.md", "a", "---\ntitle: T\nwieght: 2\n---\n").unwrap_err();
        assert_eq!((err.line, err.col), (3, 1));
        assert!(err.hint.unwrap().contains("did you mean `weight`"));
    }

    #[test]
    fn file_without_front_matter_is_an_error() {
        let err = read_narrative("a.md", "a", "## Hi\n").unwrap_err();
        assert_eq!(err.message, "missing front matter");
    }

    #[test]
    fn unknown_enum_value_suggests_the_nearest() {
        let yaml = "role: r\npaid: false\ntraining_provider: p\ntraining: t\naccreditation: acredited-l2\nsupervision: s\nprogression: p\n";
        let err = parse_yaml::<crate::model::Delivery>(yaml, "s.yaml", 0).unwrap_err();
        assert_eq!((err.line, err.col), (5, 16));
        assert!(err.hint.as_deref().unwrap().contains("did you mean `accredited-l2`"), "{err:?}");
    }

    #[test]
    fn missing_key_names_the_key() {
        let err = parse_yaml::<SiteRecord>("id: x\n", "s.yaml", 0).unwrap_err();
        assert!(err.message.starts_with("missing required key"), "{err:?}");
    }

    /// Tests run as root, where permissions never deny reading; a looping
    /// symbolic link fails to read for root too, through the same path.
    #[cfg(unix)]
    #[test]
    fn unreadable_sites_folder_is_an_error_not_an_empty_series() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("content")).unwrap();
        std::os::unix::fs::symlink("sites", dir.path().join("content/sites")).unwrap();
        let mut diags = Vec::new();
        assert!(read_sites(dir.path(), &dir.path().join("content/sites"), &mut diags).is_empty());
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].path, "content/sites");
        assert!(diags[0].message.starts_with("cannot be read: "), "{diags:?}");
        assert!(diags[0].hint.as_deref().unwrap().contains("symbolic link"));
    }

    #[cfg(unix)]
    #[test]
    fn broken_link_in_a_folder_is_an_error_and_the_rest_still_loads() {
        let dir = tempfile::tempdir().unwrap();
        let pages = dir.path().join("content/pages");
        std::fs::create_dir_all(&pages).unwrap();
        std::fs::write(pages.join("a.md"), "---\ntitle: A\n---\nText\n").unwrap();
        std::os::unix::fs::symlink("/nonexistent/b.md", pages.join("b.md")).unwrap();
        let mut diags = Vec::new();
        let read = read_narratives(dir.path(), &pages, &mut diags);
        assert_eq!(read.iter().map(|n| n.stem.as_str()).collect::<Vec<_>>(), ["a"]);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].path, "content/pages/b.md");
    }

    #[test]
    fn missing_optional_folder_is_empty_without_a_diagnostic() {
        let dir = tempfile::tempdir().unwrap();
        let mut diags = Vec::new();
        assert!(files_in(dir.path(), &dir.path().join("content/pages"), &mut diags).is_empty());
        assert!(diags.is_empty(), "{diags:?}");
    }

    #[test]
    fn unreadable_folder_names_the_reason_and_the_fix() {
        let err = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let diag = unreadable(Path::new("/p"), Path::new("/p/content/sites/risley"), &err, false);
        assert_eq!(diag.location(), "content/sites/risley");
        assert_eq!(diag.message, "cannot be read: permission denied");
        assert!(diag.hint.unwrap().contains("permission to read"));
    }

    #[test]
    fn reference_url_must_be_a_web_address_at_its_line() {
        let head =
            "- key: a\n  authors: [A]\n  year: 2020\n  title: T\n- key: b\n  authors: [B]\n  year: 2021\n  title: U\n";
        for (url, why) in [
            ("javascript:alert(1)", "scheme is `javascript:`"),
            ("file:///etc/passwd", "scheme is `file:`"),
            ("www.example.org/report", "relative URL without a base"),
            ("\"https://\"", "empty host"),
        ] {
            let yaml = format!("{head}  url: {url}\n");
            let err = parse_yaml::<Vec<Reference>>(&yaml, "content/references.yaml", 0).unwrap_err();
            assert_eq!((err.line, err.col), (9, 8), "{url}: {err:?}");
            assert!(err.message.contains(crate::model::NOT_A_WEB_ADDRESS) && err.message.contains(why), "{err:?}");
            assert!(!err.message.contains("at line"), "the position is given once: {err:?}");
            assert!(err.hint.as_deref().unwrap().contains("https://"), "{err:?}");
        }
        let ok = format!("{head}  url: https://example.org/r.pdf\n");
        let refs = parse_yaml::<Vec<Reference>>(&ok, "content/references.yaml", 0).unwrap();
        assert_eq!(refs[1].url.as_deref(), Some("https://example.org/r.pdf"));
        assert_eq!(refs[0].url, None);
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        assert_eq!(line_col("é\nab", 4), (2, 2));
    }
}
