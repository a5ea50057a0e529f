//! Content errors as values: every stage returns `Diagnostic`s instead of
//! failing on the first one, and only `report` turns them into text.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use miette::{GraphicalReportHandler, GraphicalTheme, MietteError, MietteSpanContents, SourceSpan, SpanContents};
use serde::Serialize;

/// "1 problem", "2 problems".
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// One mistake in the content, pointing at the file and position that caused it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Path relative to the project root, with `/` separators.
    pub path: String,
    /// 1-based line; 0 when the mistake concerns the whole file (`null` in JSON).
    #[serde(serialize_with = "known")]
    pub line: usize,
    /// 1-based column; 0 when unknown (`null` in JSON).
    #[serde(serialize_with = "known")]
    pub col: usize,
    pub message: String,
    pub hint: Option<String>,
    /// An input whose own mistake, reported already, may be all that
    /// causes this one; the stage that knows drops it then. Not part of
    /// the report, so `check --format json` leaves it out.
    #[serde(skip)]
    pub follows: Option<Gap>,
}

/// A line or column for `check --format json`: a script reading it must not
/// take the 0 of "the whole file" for a place.
fn known<S: serde::Serializer>(n: &usize, serializer: S) -> Result<S::Ok, S::Error> {
    (*n > 0).then_some(*n).serialize(serializer)
}

/// An input that a mistake elsewhere can leave incomplete, so that a later
/// stage misses something the files do have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gap {
    /// A narrative file that could not be read, which may hold a
    /// cross-reference's target.
    Narrative,
    /// An entry of `site.yaml` set aside, which may be the block or entry a
    /// shortcode shows.
    Record,
}

impl Diagnostic {
    pub fn new(path: impl Into<String>, line: usize, col: usize, message: impl Into<String>) -> Self {
        Diagnostic { path: path.into(), line, col, message: message.into(), hint: None, follows: None }
    }

    pub fn whole_file(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(path, 0, 0, message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Marks this mistake as one that a gap in `input` alone could cause.
    pub fn following(mut self, input: Gap) -> Self {
        self.follows = Some(input);
        self
    }

    /// `path:line:col` as editors and terminals understand it.
    pub fn location(&self) -> String {
        match (self.line, self.col) {
            (0, _) => self.path.clone(),
            (l, 0) => format!("{}:{l}", self.path),
            (l, c) => format!("{}:{l}:{c}", self.path),
        }
    }
}

/// Display form of a path relative to the project root.
pub fn rel_path(root: &Path, path: &Path) -> String {
    match path.strip_prefix(root) {
        Ok(rel) => rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"),
        // Outside the project (a real-names list kept elsewhere): as it is.
        Err(_) => path.display().to_string(),
    }
}

/// The closest candidate by edit distance, if it is close enough to be a
/// typo. Case and characters that cannot be seen count for nothing:
/// `Red` is `red`, and `published` with a no-break space after it is `published`.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let plain = |s: &str| s.chars().filter(|&c| !is_hidden(c)).collect::<String>().trim().to_lowercase();
    let word = plain(word);
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&word, &plain(c)), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Formats a list of known names for a hint: "`a`, `b` or `c`".
pub fn one_of<S: AsRef<str>>(names: &[S]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{}`", n.as_ref())).collect();
    match quoted.split_last() {
        None => "(none)".to_string(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// A diagnostic paired with its source text, in the shape miette renders.
#[derive(Debug)]
struct Rendered<'a> {
    diag: &'a Diagnostic,
    source: Option<Source>,
    span: Option<SourceSpan>,
}

/// A file's text for a snippet, whose header counts columns in characters
/// as the message above it and editors do (miette counts bytes, so a line
/// with accented letters had two columns for one place).
#[derive(Debug)]
struct Source {
    name: String,
    text: String,
}

impl miette::SourceCode for Source {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let contents = self.text.read_span(span, before, after)?;
        let start = contents.span().offset();
        let line_start = self.text[..start].rfind('\n').map_or(0, |i| i + 1);
        let column = self.text[line_start..start].chars().count();
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            contents.data(),
            *contents.span(),
            contents.line(),
            column,
            contents.line_count(),
        )))
    }
}

impl std::fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.diag.location(), self.diag.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.diag.hint.as_ref().map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = self.span?;
        Some(Box::new(std::iter::once(miette::LabeledSpan::new_with_span(Some("here".to_string()), span))))
    }
}

/// A character that does not show as itself: a space other than the
/// ordinary one, a zero-width or direction mark, a soft or non-breaking hyphen.
pub fn is_hidden(c: char) -> bool {
    (c.is_whitespace() && !c.is_ascii())
        || matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2010}' | '\u{2011}' | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// Whether `text` would show nothing: only whitespace and characters
/// without a mark of their own (a zero-width space, a direction mark), so
/// a title of nothing but `\u{200b}` is as empty as one of spaces.
pub fn shows_nothing(text: &str) -> bool {
    text.chars().all(has_no_mark)
}

/// Whitespace, or a hidden character that is not a hyphen: nothing a
/// reader sees.
pub fn has_no_mark(c: char) -> bool {
    c.is_whitespace() || (is_hidden(c) && !matches!(c, '\u{2010}' | '\u{2011}'))
}

/// " It holds a no-break space (U+00A0)." for a key or value with a
/// character that does not show as itself, which is why it was not
/// recognised; empty otherwise.
pub fn hidden_in(word: &str) -> String {
    word.chars().find(|&c| is_hidden(c)).map_or(String::new(), |c| format!(": it holds {}", char_name(c)))
}

/// A character an author cannot see, named as they would look it up: "a
/// no-break space (U+00A0)", "a vertical tab (U+000B), which Word writes
/// for a manual line break (Shift+Enter)".
pub fn char_name(c: char) -> String {
    // Word's own text uses control characters for some marks, and they
    // come along when its text is pasted or exported: say which mark.
    let from_word = match c {
        '\u{7}' => ", which Word writes at the end of a table cell",
        '\u{b}' => ", which Word writes for a manual line break (Shift+Enter)",
        '\u{c}' => ", a page break from a word processor",
        '\u{1e}' => ", which Word writes for a non-breaking hyphen",
        '\u{1f}' => ", which Word writes for an optional hyphen",
        _ => "",
    };
    let name = match c {
        '\u{0}' => "a NUL byte",
        '\u{7}' => "a bell character",
        '\u{8}' => "a backspace",
        '\u{b}' => "a vertical tab",
        '\u{c}' => "a form feed",
        '\u{1b}' => "an escape character",
        '\u{7f}' => "a delete character",
        c if c.is_control() => "a control character",
        '\u{a0}' => "a no-break space",
        '\u{202f}' => "a narrow no-break space",
        '\u{2007}' => "a figure space",
        '\u{2002}' => "an en space",
        '\u{2003}' => "an em space",
        '\u{2009}' => "a thin space",
        '\u{3000}' => "an ideographic space",
        '\u{200b}' => "a zero-width space",
        '\u{200c}' => "a zero-width non-joiner",
        '\u{200d}' => "a zero-width joiner",
        '\u{2060}' => "a word joiner",
        '\u{feff}' => "a byte-order mark",
        '\u{ad}' => "a soft hyphen",
        '\u{2011}' => "a non-breaking hyphen",
        '\u{2013}' => "an en dash",
        '\u{2014}' => "an em dash",
        '\u{2212}' => "a minus sign",
        '\u{202a}' => "a left-to-right embedding",
        '\u{202b}' => "a right-to-left embedding",
        '\u{202c}' => "a pop directional formatting mark",
        '\u{202e}' => "a right-to-left override",
        '\u{202d}' => "a left-to-right override",
        _ => return format!("the character U+{:04X}", u32::from(c)),
    };
    format!("{name} (U+{:04X}){from_word}", u32::from(c))
}

/// A control character that no page or Word document can hold: any of
/// U+0000 to U+001F but tab and the line ends, and DEL (U+007F). XML 1.0
/// forbids them, so one in a .docx stops Word and LibreOffice opening it.
pub fn is_forbidden_control(c: char) -> bool {
    c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// How a control character was written, which its error names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written<'a> {
    /// As itself, which most editors show as nothing.
    Itself,
    /// As an escape in a double-quoted YAML or TOML string (`\v`, `\u000b`).
    Escape(&'a str),
    /// As a Markdown character reference (`&#11;`, `&#x0B;`).
    Reference(&'a str),
}

/// The error of a forbidden control character (see
/// [`is_forbidden_control`]) written as `written`.
pub fn control_message(c: char, written: Written) -> String {
    let what = match written {
        Written::Itself => "the text holds".to_string(),
        Written::Escape(escape) => format!("`{escape}` is"),
        Written::Reference(reference) => format!("the character reference `{reference}` is"),
    };
    format!("{what} a control character that a page or a Word document cannot hold: {}", char_name(c))
}

/// What to do about a forbidden control character (see
/// [`is_forbidden_control`]) written as `written`: in the text itself,
/// most editors show nothing there.
pub fn control_hint(c: char, written: Written) -> String {
    let (Written::Escape(shown) | Written::Reference(shown)) = written else {
        let unseen = "most editors show nothing there: put the cursor at this line and column";
        return match c {
            '\u{b}' => format!(
                "replace it with a space, or start a new line there (a blank line starts a new paragraph); {unseen}"
            ),
            '\u{1e}' => format!("replace it with a hyphen `-`; {unseen}"),
            // UTF-16 has a NUL beside each letter of English text.
            '\u{0}' => format!(
                "delete it; {unseen}; if the file has one after every letter, it was saved as UTF-16: save it as \
                 UTF-8 (most editors offer the encoding under Save As)"
            ),
            _ => format!("delete it ({unseen} and press Delete)"),
        };
    };
    match c {
        // In Markdown a new line is written as itself; in a quoted string
        // it would be another escape.
        '\u{b}' if matches!(written, Written::Reference(_)) => {
            format!("replace `{shown}` with a space, or start a new line there (a blank line starts a new paragraph)")
        }
        '\u{b}' => format!("replace `{shown}` with a space"),
        '\u{1e}' => format!("replace `{shown}` with a hyphen `-`"),
        _ => format!("delete `{shown}`"),
    }
}

/// Byte offset of a 1-based line and column (in characters) within `text`.
pub fn offset_of(text: &str, line: usize, col: usize) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let start: usize = text.split_inclusive('\n').take(line - 1).map(str::len).sum();
    let line_text = text[start..].lines().next().unwrap_or("");
    let within = line_text.char_indices().nth(col.saturating_sub(1)).map_or(line_text.len(), |(i, _)| i);
    (start <= text.len()).then_some(start + within)
}

/// Drops repeats of a diagnostic, keeping the first: a field shown on two
/// pages (a summary on the cover and on the index card) is checked twice.
pub fn dedup(diags: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    diags.retain(|d| seen.insert((d.path.clone(), d.line, d.col, d.message.clone())));
}

/// Orders `diags` as a reader goes through the files: each file's
/// mistakes together, from its top (a whole-file one first), the files in
/// the order their first mistake was found.
pub fn in_reading_order(diags: &mut [Diagnostic]) {
    let mut first_seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for d in diags.iter() {
        let next = first_seen.len();
        first_seen.entry(d.path.clone()).or_insert(next);
    }
    diags.sort_by_key(|d| (first_seen[&d.path], d.line, d.col));
}

/// Lines longer than this are not shown as a snippet: one would fill the
/// terminal, and miette cannot draw a marker past column 65,535.
const LONGEST_SNIPPET_LINE: usize = 500;

/// Whether line `line` of `text` or a line next to it (the snippet's
/// context) is too long to show.
fn has_long_line_near(text: &str, line: usize) -> bool {
    let first = line.saturating_sub(1).max(1);
    text.lines().skip(first - 1).take(line + 2 - first).any(|l| l.chars().count() > LONGEST_SNIPPET_LINE)
}

/// `text` with each forbidden control character as its symbol (`␋` for a
/// vertical tab), so that a snippet shows where it is, and an escape
/// character does not reach the terminal. One character stands for one, so
/// every column stays.
fn shown_controls(text: String) -> String {
    if !text.chars().any(is_forbidden_control) {
        return text;
    }
    let symbol = |c: char| match c {
        '\u{7f}' => '\u{2421}',
        c => char::from_u32(0x2400 + u32::from(c)).unwrap_or(c),
    };
    text.chars().map(|c| if is_forbidden_control(c) { symbol(c) } else { c }).collect()
}

/// Renders diagnostics for a terminal (with source snippets) in the order given.
pub fn report(root: &Path, diags: &[Diagnostic], colour: bool) -> String {
    let theme = if colour { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
    let mut out = String::new();
    for diag in diags {
        let full: PathBuf = root.join(&diag.path);
        // UTF-16 read as UTF-8 would show a NUL beside each letter.
        let text = std::fs::read_to_string(&full)
            .ok()
            .filter(|t| !crate::load::saved_as_utf16(t.as_bytes()))
            .map(crate::load::lone_cr_as_newline)
            .map(shown_controls);
        let span = text
            .as_deref()
            .filter(|t| !has_long_line_near(t, diag.line))
            .and_then(|t| offset_of(t, diag.line, diag.col))
            .map(|o| SourceSpan::new(o.into(), 1));
        let source = match (text, span) {
            (Some(text), Some(_)) => Some(Source { name: diag.path.clone(), text }),
            _ => None,
        };
        let rendered = Rendered { diag, source, span };
        if handler.render_report(&mut out, &rendered).is_err() {
            let _ = writeln!(out, "error: {rendered}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mistakes_are_listed_file_by_file_from_the_top() {
        let mut diags = vec![
            Diagnostic::new("b.md", 13, 1, "shortcode"),
            Diagnostic::new("a.yaml", 4, 2, "key"),
            Diagnostic::new("b.md", 11, 5, "citation"),
            Diagnostic::new("a.yaml", 2, 9, "value"),
        ];
        in_reading_order(&mut diags);
        let order: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(order, ["citation", "shortcode", "value", "key"]);
    }

    #[test]
    fn a_path_outside_the_project_is_shown_whole_with_one_slash() {
        let root = Path::new("/p/study");
        assert_eq!(rel_path(root, Path::new("/p/study/content/sites/a/site.yaml")), "content/sites/a/site.yaml");
        assert_eq!(rel_path(root, Path::new("/tmp/names.txt")), "/tmp/names.txt");
    }

    #[test]
    fn a_suggestion_sees_past_case_and_characters_that_do_not_show() {
        let ratings = ["green", "amber", "red"];
        assert_eq!(did_you_mean("Red", ratings), Some("red"));
        assert_eq!(did_you_mean("GREEN", ratings), Some("green"));
        assert_eq!(did_you_mean("amber\u{a0}", ratings), Some("amber"));
        assert_eq!(did_you_mean("blue", ratings), None);
        assert_eq!(hidden_in("published\u{a0}"), ": it holds a no-break space (U+00A0)");
        assert_eq!(hidden_in("fem\u{200b}ale"), ": it holds a zero-width space (U+200B)");
        assert_eq!(hidden_in("accredited-l2"), "");
    }

    #[test]
    fn did_you_mean_finds_a_one_letter_typo() {
        let known = ["accreditation", "supervision", "training"];
        assert_eq!(did_you_mean("acreditation", known), Some("accreditation"));
        assert_eq!(did_you_mean("zzz", known), None);
    }

    #[test]
    fn one_of_joins_with_or() {
        assert_eq!(one_of(&["a", "b", "c"]), "`a`, `b` or `c`");
        assert_eq!(one_of(&["a"]), "`a`");
    }

    #[test]
    fn offset_of_counts_lines_and_characters() {
        let text = "ab\nçd: x\n";
        assert_eq!(offset_of(text, 2, 1), Some(3));
        assert_eq!(offset_of(text, 2, 2), Some(5));
    }

    #[test]
    fn a_mistake_on_a_very_long_line_is_reported_without_a_snippet() {
        let dir = tempfile::tempdir().unwrap();
        let long = format!("{} [@nokey].\n", "word ".repeat(14_000));
        std::fs::write(dir.path().join("a.md"), format!("title\n\n{long}\nnext\n")).unwrap();
        let diag = Diagnostic::new("a.md", 3, 70_002, "citation `@nokey` is not in the bibliography");
        let out = report(dir.path(), &[diag], false);
        assert!(out.contains("a.md:3:70002: citation `@nokey`"), "{out}");
        assert!(!out.contains("word word"), "no snippet of the long line: {out}");
        let short = Diagnostic::new("a.md", 5, 1, "m");
        assert!(report(dir.path(), &[short], false).contains("next"), "a short line's snippet is shown");
    }

    #[test]
    fn the_snippet_header_counts_columns_in_characters_as_the_message_does() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.yaml"), "id: a\nwing: Découverte ééé wing: x\n").unwrap();
        let out = report(dir.path(), &[Diagnostic::new("a.yaml", 2, 26, "m")], false);
        assert!(out.contains("a.yaml:2:26: m"), "{out}");
        assert!(out.contains("[a.yaml:2:26]"), "the header agrees: {out}");
    }

    #[test]
    fn a_control_character_is_shown_by_its_symbol_in_the_snippet() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), "Word\u{b}line \u{1b}[2J\u{7f}\n").unwrap();
        let out = report(dir.path(), &[Diagnostic::new("a.md", 1, 5, "m")], false);
        assert!(out.contains("Word\u{240b}line \u{241b}[2J\u{2421}"), "{out}");
        assert!(!out.contains('\u{1b}'), "no escape character reaches the terminal: {out}");
    }

    #[test]
    fn location_omits_unknown_parts() {
        assert_eq!(Diagnostic::new("a.yaml", 3, 4, "m").location(), "a.yaml:3:4");
        assert_eq!(Diagnostic::whole_file("a.yaml", "m").location(), "a.yaml");
    }
}
