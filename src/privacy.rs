//! Check after render: no name on the real-names deny-list may appear in
//! the generated output. Reads the private list and the rendered files;
//! reports where each leaked name came from, and never writes the list out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{LazyLock, Mutex};

use regex::{Regex, RegexBuilder};

use crate::diagnostics::{Diagnostic, rel_path};
use crate::render::OutputFile;

/// The names of the deny-list: one per line, `#` starts a comment. A missing
/// file is an empty list: projects without pseudonymised data need none.
pub fn read_deny_list(root: &Path, relative: &str) -> Result<Vec<String>, Diagnostic> {
    let path = root.join(relative);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Diagnostic::whole_file(relative, format!("cannot read the real-names list: {e}"))),
    };
    Ok(text
        .lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|name| !name.is_empty())
        .map(str::to_string)
        .collect())
}

/// What may stand between the words of a name in the output, so that a
/// name is found however the page wraps or marks it up: whitespace and
/// no-break spaces (as characters or entities), JSON's `\n`, Markdown
/// emphasis (`Ida *Smith*` in `site.json`) and inline tags (`Ida
/// <em>Smith</em>`, a link around one word). Block tags are not: words in
/// two paragraphs or table cells are not a name to a reader.
const OUTPUT_GAP: &str = r"(?:\s|&nbsp;|&#160;|&#x0*a0;|\\[nrt]|[*_]|</?(?:a|abbr|b|cite|code|em|i|mark|q|s|small|span|strong|sub|sup|u)\b[^<>]{0,300}>)+";

/// The same in a source file: a line break of a folded YAML text or a
/// Markdown paragraph, emphasis, or an HTML tag written in the Markdown.
const SOURCE_GAP: &str = r"(?:\s|[*_]|</?[a-z][^<>]{0,300}>)+";

/// Every spelling of an apostrophe in a page (templates escape `'` as
/// `&#x27;`), and of a hyphen.
const APOSTROPHE: &str = r"(?:'|\x{2019}|\x{2018}|&#0*39;|&#x0*27;|&apos;|&rsquo;|&lsquo;)";
const HYPHEN: &str = r"(?:-|\x{2010}|\x{2011}|&#8209;|&#x2011;)";

/// `name` as a pattern: its words with `gap` between them, an apostrophe
/// or a hyphen in any spelling.
fn name_pattern(name: &str, gap: &str) -> String {
    let word = |w: &str| -> String {
        w.chars()
            .map(|c| match c {
                '\'' | '\u{2019}' | '\u{2018}' => APOSTROPHE.to_string(),
                '-' | '\u{2010}' | '\u{2011}' => HYPHEN.to_string(),
                c => regex::escape(c.encode_utf8(&mut [0; 4])),
            })
            .collect()
    };
    name.split_whitespace().map(word).collect::<Vec<_>>().join(gap)
}

/// Whole-word, case-insensitive matcher for any of `names` in the output.
fn matcher(names: &[String]) -> Option<Regex> {
    if names.is_empty() {
        return None;
    }
    let alternatives: Vec<String> = names.iter().map(|n| name_pattern(n, OUTPUT_GAP)).collect();
    RegexBuilder::new(&format!(r"\b(?:{})\b", alternatives.join("|"))).case_insensitive(true).build().ok()
}

/// One diagnostic per source line that put a listed name into the output;
/// a name found only in the output (from a template, say) points there.
pub fn find_leaks(root: &Path, names: &[String], files: &[OutputFile]) -> Vec<Diagnostic> {
    let scanner = Scanner::new(names);
    for file in files {
        scanner.scan(&file.path, &file.bytes);
    }
    scanner.finish(root)
}

/// Looks for the listed names file by file, as each is written, from any
/// thread; [`Scanner::finish`] explains what it found.
pub struct Scanner {
    matcher: Option<Regex>,
    /// Each leaked name, lower-cased, and the first output path (in path
    /// order, so threads cannot change the report) that holds it.
    leaked: Mutex<BTreeMap<String, String>>,
}

impl Scanner {
    pub fn new(names: &[String]) -> Self {
        Scanner { matcher: matcher(names), leaked: Mutex::default() }
    }

    pub fn scan(&self, path: &str, bytes: &[u8]) {
        let Some(re) = &self.matcher else { return };
        let text = String::from_utf8_lossy(bytes);
        let found: BTreeSet<String> = re.find_iter(&text).map(|m| as_read(m.as_str())).collect();
        if found.is_empty() {
            return;
        }
        let mut leaked = self.leaked.lock().unwrap_or_else(|e| e.into_inner());
        for name in found {
            let first = leaked.entry(name).or_insert_with(|| path.to_string());
            if path < first.as_str() {
                *first = path.to_string();
            }
        }
    }

    /// The leaks found, each at the source lines that wrote the name.
    pub fn finish(self, root: &Path) -> Vec<Diagnostic> {
        let leaked = self.leaked.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut diags = Vec::new();
        for (name, output_path) in leaked {
            let sources = source_lines(root, &name);
            let message = |shown: &str| format!("real name `{shown}` would be published (in {output_path})");
            let hint = "replace it with the participant's pseudonym; the name is on the private real-names list";
            if sources.is_empty() {
                diags.push(Diagnostic::whole_file(output_path.clone(), message(&name)).with_hint(hint));
            }
            for (path, line, col, shown) in sources {
                diags.push(Diagnostic::new(path, line, col, message(&shown)).with_hint(hint));
            }
        }
        diags
    }
}

/// A name found in the output as a reader sees it: lower-cased, tags,
/// emphasis and entities left out, one space between words.
fn as_read(found: &str) -> String {
    static GAP: LazyLock<Regex> = LazyLock::new(|| Regex::new(OUTPUT_GAP).expect("valid pattern"));
    static APOSTROPHES: LazyLock<Regex> = LazyLock::new(|| Regex::new(APOSTROPHE).expect("valid pattern"));
    static HYPHENS: LazyLock<Regex> = LazyLock::new(|| Regex::new(HYPHEN).expect("valid pattern"));
    let lower = found.to_lowercase();
    let spaced = GAP.replace_all(&lower, " ");
    HYPHENS.replace_all(&APOSTROPHES.replace_all(&spaced, "'"), "-").into_owned()
}

/// Every place under `content/` and `themes/` where `name` is written,
/// also when the source spells it differently from the output: wrapped
/// over two lines of a folded YAML scalar, or just after an escape
/// (`\0Zebedee`). Whole-word places come first; only when there are none
/// are the places inside a longer word given, since a name can reach a
/// page without being written whole (a label cut short turns "Zebedee
/// Quuxa" into "Zebedee Quux…").
fn source_lines(root: &Path, name: &str) -> Vec<(String, usize, usize, String)> {
    let Ok(spelled) = Regex::new(&format!("(?i){}", name_pattern(name, SOURCE_GAP))) else { return Vec::new() };
    static GAP: LazyLock<Regex> = LazyLock::new(|| Regex::new(SOURCE_GAP).expect("valid pattern"));
    // A YAML escape such as `\x1a` just before the name ends in a letter.
    let escape_before = Regex::new(r"\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[^xuU])$").expect("valid");
    let (mut whole, mut inside) = (Vec::new(), Vec::new());
    for dir in ["content", "themes"] {
        let files = walkdir::WalkDir::new(root.join(dir)).sort_by_file_name().into_iter().filter_map(Result::ok);
        for entry in files.filter(|e| e.file_type().is_file()) {
            let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
            for m in spelled.find_iter(&text) {
                let before_match = &text[..m.start()];
                // The longest escape, `\U` and eight digits, is ten characters.
                let tail_start = before_match.char_indices().rev().nth(9).map_or(0, |(i, _)| i);
                let escaped = escape_before.is_match(&before_match[tail_start..]);
                let before = before_match.chars().next_back();
                let after = text[m.end()..].chars().next();
                let joined =
                    (before.is_some_and(char::is_alphabetic) && !escaped) || after.is_some_and(char::is_alphabetic);
                let line_start = before_match.rfind('\n').map_or(0, |i| i + 1);
                let line = before_match.matches('\n').count() + 1;
                let col = text[line_start..m.start()].chars().count() + 1;
                let shown = GAP.replace_all(m.as_str(), " ").into_owned();
                let place = (rel_path(root, entry.path()), line, col, shown);
                if joined { inside.push(place) } else { whole.push(place) }
            }
        }
    }
    if whole.is_empty() { inside } else { whole }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_found_however_the_output_wraps_or_marks_them_up() {
        let re = matcher(&["Ida Smith".to_string(), "Siobhan O'Brien-Kaur".to_string()]).unwrap();
        let found = |text: &str| re.find(text).map(|m| as_read(m.as_str()));
        for text in [
            "with Ida\nSmith",
            "with Ida  Smith",
            "with Ida\u{a0}Smith",
            "with Ida&nbsp;Smith",
            "with Ida&#xA0;Smith",
            "with Ida <em>Smith</em>",
            "with <strong>Ida</strong>\n<a href=\"#q1\">Smith</a>",
            r#"{"text": "with Ida *Smith*"}"#,
            r#"{"text": "with Ida\nSmith"}"#,
        ] {
            assert_eq!(found(text).as_deref(), Some("ida smith"), "{text:?}");
        }
        for text in
            ["Siobhan O&#x27;Brien-Kaur", "Siobhan O\u{2019}Brien\u{2011}Kaur", "Siobhan O&#39;Brien&#8209;Kaur"]
        {
            assert_eq!(found(text).as_deref(), Some("siobhan o'brien-kaur"), "{text:?}");
        }
        for text in ["Ida</p>\n<p>Smith", "Ida</td><td>Smith", "Ida, Smith", "Idaho Smith", "Ida Smithers"] {
            assert_eq!(found(text), None, "not a name to a reader: {text:?}");
        }
    }

    #[test]
    fn names_match_whole_words_in_any_case() {
        let re = matcher(&["Ida Smith".to_string(), "Jo".to_string()]).unwrap();
        assert!(re.is_match("said ida smith, twice"));
        assert!(re.is_match("(JO)"));
        assert!(!re.is_match("Joanne and Idaho"));
    }

    #[test]
    fn each_name_is_reported_once_at_the_first_output_path_whatever_the_scan_order() {
        let dir = tempfile::tempdir().unwrap();
        let scanner = Scanner::new(&["Ida Smith".to_string()]);
        scanner.scan("sites/b/index.html", b"<p>IDA SMITH</p>");
        scanner.scan("sites/c/index.html", b"<p>nobody</p>");
        scanner.scan("sites/a/index.html", b"<p>Ida Smith and ida smith</p>");
        let diags = scanner.finish(dir.path());
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].message, "real name `ida smith` would be published (in sites/a/index.html)");
    }

    #[test]
    fn comments_and_blank_lines_are_not_names() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("names.txt"), "# staff\nIda Smith  # interviewee\n\n  Jo\n").unwrap();
        assert_eq!(read_deny_list(dir.path(), "names.txt").unwrap(), ["Ida Smith", "Jo"]);
        assert!(read_deny_list(dir.path(), "missing.txt").unwrap().is_empty());
    }
}
