//! Where in the project a name found in the output was written.

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use super::reading::{Reading, joined};
use crate::diagnostics::rel_path;

/// Every place in `wingreport.toml` and under `content/` and `themes/`
/// where `name` (as read) is written, however it is spelt. Whole-word
/// places come first; only when there are none are the places inside a
/// longer word given, since a name can reach a page without being written
/// whole (a label cut short turns "Zebedee Quuxa" into "Zebedee Quux…").
/// A YAML escape just before the name (`\0Zebedee`) does not join it to a
/// word. Read with `<...>` as tags first, and, when that finds nothing, as
/// text: a YAML value `<Zebedee Quux` and a `>` lines later are no tag.
pub(super) fn source_lines(root: &Path, name: &str) -> Vec<(String, usize, usize, String)> {
    let files = ["content", "themes"]
        .into_iter()
        .flat_map(|dir| walkdir::WalkDir::new(root.join(dir)).sort_by_file_name().into_iter().filter_map(Result::ok));
    let config = root.join("wingreport.toml");
    let paths: Vec<std::path::PathBuf> =
        std::iter::once(config).chain(files.filter(|e| e.file_type().is_file()).map(|e| e.into_path())).collect();
    let texts: Vec<(&std::path::PathBuf, String)> =
        paths.iter().filter_map(|path| std::fs::read_to_string(path).ok().map(|text| (path, text))).collect();
    let mut found = places(root, name, &texts, true);
    if found.is_empty() {
        found = places(root, name, &texts, false);
    }
    // A page's file or folder name is its address (`pages/<name>/`).
    found.extend(paths.iter().map(|path| rel_path(root, path)).filter_map(|rel| {
        let reading = Reading::of(&rel, false);
        let at = reading.text.match_indices(name).find(|&(at, _)| !joined(&reading.text, at, at + name.len()))?.0;
        let shown = reading.text[at..at + name.len()].to_string();
        Some((rel, 0, 0, shown))
    }));
    if found.is_empty() {
        found = camel_case_places(root, name, &paths, &texts);
    }
    found
}

/// Where a source writes `name` (as read) in camel case, its words run
/// together inside a longer one (`IdaSmithInterview.pdf`), which only a
/// file name is read for: in a line, or in the file's own name (line 0).
fn camel_case_places(
    root: &Path,
    name: &str,
    paths: &[std::path::PathBuf],
    texts: &[(&std::path::PathBuf, String)],
) -> Vec<(String, usize, usize, String)> {
    let squeezed = name.replace(' ', "");
    // ASCII lowercase keeps every byte where it was.
    let mut found: Vec<_> = paths
        .iter()
        .map(|path| rel_path(root, path))
        .filter_map(|rel| {
            // The file's own name first, then its folders (`static/IdaSmith/`),
            // which are then the place to rename.
            let lower = rel.to_ascii_lowercase();
            let own = lower.rfind('/').map_or(0, |slash| slash + 1);
            let at = lower[own..].find(&squeezed).map(|at| own + at).or_else(|| lower[..own].find(&squeezed))?;
            let end = at + squeezed.len();
            let shown = rel[at..end].to_string();
            let place = rel[..rel[end..].find('/').map_or(rel.len(), |slash| end + slash)].to_string();
            Some((place, 0, 0, shown))
        })
        .collect();
    found.sort_unstable();
    found.dedup();
    for (path, text) in texts {
        for (first, _) in text.to_ascii_lowercase().match_indices(&squeezed) {
            let line_start = text[..first].rfind('\n').map_or(0, |i| i + 1);
            let line = text[..first].matches('\n').count() + 1;
            let col = text[line_start..first].chars().count() + 1;
            found.push((rel_path(root, path), line, col, text[first..first + squeezed.len()].to_string()));
        }
    }
    found
}

/// [`source_lines`] read with `<...>` as tags (`markup`), or as text.
fn places(
    root: &Path,
    name: &str,
    texts: &[(&std::path::PathBuf, String)],
    markup: bool,
) -> Vec<(String, usize, usize, String)> {
    static ESCAPE_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[^xuU])$").expect("valid pattern")
    });
    let (mut whole, mut inside) = (Vec::new(), Vec::new());
    for (path, text) in texts {
        let (path, text) = (*path, text.as_str());
        // A comment of a YAML or TOML file is never published.
        let commented = path.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "toml");
        let reading = Reading::with_markup(text, true, markup);
        let from = reading.from.as_deref().unwrap_or_default();
        for (start, _) in reading.text.match_indices(name) {
            let end = start + name.len();
            let (first, last) = (from[start], from[end - 1]);
            let last_end = last + text[last..].chars().next().map_or(1, char::len_utf8);
            // The longest escape, `\U` and eight digits, is ten characters.
            let tail_start = text[..first].char_indices().rev().nth(9).map_or(0, |(i, _)| i);
            let escaped = ESCAPE_BEFORE.is_match(&text[tail_start..first]);
            let before = reading.text[..start].chars().next_back();
            let after = reading.text[end..].chars().next();
            let is_joined =
                (before.is_some_and(char::is_alphabetic) && !escaped) || after.is_some_and(char::is_alphabetic);
            let line_start = text[..first].rfind('\n').map_or(0, |i| i + 1);
            if commented && text[line_start..first].trim_start().starts_with('#') {
                continue;
            }
            let line = text[..first].matches('\n').count() + 1;
            let col = text[line_start..first].chars().count() + 1;
            let shown = as_written(&text[first..last_end]);
            let place = (rel_path(root, path), line, col, shown);
            if is_joined { inside.push(place) } else { whole.push(place) }
        }
    }
    if whole.is_empty() { inside } else { whole }
}

/// A name as its source spells it, without the tags and emphasis marks
/// around or inside its words, on one line.
fn as_written(spelled: &str) -> String {
    static MARKUP: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[^<>]*>|[*~]").expect("valid pattern"));
    MARKUP.replace_all(spelled, "").split_whitespace().collect::<Vec<_>>().join(" ")
}
