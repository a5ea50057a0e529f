//! Stage 1, load: read `wingreport.toml` and `content/` into a `Project`.
//! Syntax and type errors become diagnostics here; cross-checks between
//! files belong to `validate`. Never reads `private/` or `output/`.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde_saphyr::Error as YamlError;

use crate::diagnostics::{Diagnostic, did_you_mean, one_of, rel_path};
mod controls;
mod hidden_text;
pub(crate) mod language;
pub mod strict;

use crate::model::{
    Body, Config, Frameworks, FrontMatter, Narrative, Project, Reference, Role, Series, Site, SiteRecord, Status,
};

/// Reads the whole project, collecting every parse error. The project is
/// returned even when some records failed, so `validate` can report the
/// rest in the same run; it is `None` when nothing sensible can be checked
/// (no config, no series, or broken frameworks that every record relies on).
pub fn load(root: &Path) -> (Option<Project>, Vec<Diagnostic>) {
    load_with(root, None, Bodies::Kept)
}

/// What a load keeps of the text of site reports' narrative files.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Bodies {
    /// Every text, as a preview or a conversion reads them.
    Kept,
    /// Each text's digest only, once it is checked: for a build that reads
    /// most reports back from its cache, and reads a text again
    /// ([`read_body`]) for a report it renders. A report with a draft
    /// section keeps its texts: what a build without drafts withholds from
    /// its record is read from them (`render::draft_only`).
    Digested,
}

/// The YAML of site records and of their narratives' front matter as an
/// earlier run parsed it, by [`parsed_key`] (`build::cache`): reading it
/// back skips the YAML parser, which is most of the time an archive takes
/// to load. Only what parsed without a single mistake is kept.
pub trait ParsedStore: Sync {
    fn record(&self, key: u128) -> Option<SiteRecord>;
    fn keep_record(&self, key: u128, record: &SiteRecord);
    fn front_matter(&self, key: u128) -> Option<FrontMatter>;
    fn keep_front_matter(&self, key: u128, front: &FrontMatter);
}

/// What a `kind` of YAML is parsed from: the path its messages name and its text.
pub fn parsed_key(kind: &str, path: &str, text: &str) -> u128 {
    crate::digest::Digest::new().text(kind).text(path).text(text).finish()
}

/// [`load`], reading unchanged site records and front matter back from
/// `parsed`, keeping the text of site narratives as `bodies` says.
pub fn load_with(root: &Path, parsed: Option<&dyn ParsedStore>, bodies: Bodies) -> (Option<Project>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let content = root.join("content");

    let config = read_config(root, &mut diags);
    let series_file = content.join("series.yaml");
    let series: Option<(Series, String)> =
        read_yaml_and_text(root, &series_file, true, &mut diags).map(|(series, text, _)| (series, text));
    let frameworks_file = content.join("frameworks.yaml");
    let before = diags.len();
    let frameworks: Option<Frameworks> = read_yaml(root, &frameworks_file, false, &mut diags);
    let frameworks_broken = diags.len() > before;
    let references_file = content.join("references.yaml");
    let before = diags.len();
    let references: Option<Vec<Reference>> = read_yaml(root, &references_file, false, &mut diags);
    let references_complete = diags.len() == before;
    let roles_file = content.join("roles.yaml");
    let roles: Option<(Vec<Role>, String)> =
        read_yaml_and_text(root, &roles_file, false, &mut diags).map(|(roles, text, _)| (roles, text));

    let index = read_optional_narrative(root, &content.join("index.md"), &mut diags);
    let compare = read_optional_narrative(root, &content.join("compare.md"), &mut diags);
    let pages = read_narratives(root, &content.join("pages"), &mut diags);
    let (sites, unread_sites) = read_sites(root, &content.join("sites"), parsed, bodies, &mut diags);

    // A new project previews as it was written; once a report is on its
    // way to readers, so are the series page and the free pages.
    if sites.iter().any(|site| site.record.status != Status::Draft) {
        let unfinished = Unfinished {
            why: "this file is published with the reports",
            hint: "replace it with the study's own words: the series index and the free pages are published as \
                   soon as one report is not a draft",
        };
        if let Some((_, text)) = &series {
            unfinished.check(text, &rel_path(root, &series_file), 1, true, &mut diags);
        }
        for page in pages.iter().chain(&index).chain(&compare).filter(|page| !page.front.draft) {
            let text = page.body.text().unwrap_or_default();
            unfinished.check(text, &page.path, page.body_line, false, &mut diags);
        }
    }

    let (roles, roles_text) = roles.unwrap_or_default();
    let project = match (config, series) {
        (Some(config), Some((series, series_text))) if !frameworks_broken => Some(Project {
            root: root.to_path_buf(),
            config,
            series,
            series_path: rel_path(root, &series_file),
            series_text: series_text.into(),
            frameworks: frameworks.unwrap_or_default(),
            frameworks_path: rel_path(root, &frameworks_file),
            references: references.unwrap_or_default(),
            references_path: rel_path(root, &references_file),
            references_complete,
            roles,
            roles_path: rel_path(root, &roles_file),
            roles_text: roles_text.into(),
            index,
            compare,
            pages,
            sites,
            unread_sites,
        }),
        _ => None,
    };
    (project, diags)
}

fn read_config(root: &Path, diags: &mut Vec<Diagnostic>) -> Option<Config> {
    let path = root.join("wingreport.toml");
    let rel = rel_path(root, &path);
    let text = read_text(root, &path, diags)?;
    controls::report(&text, &rel, 0, &controls::escaped_in_toml(&text), diags);
    match toml::from_str::<Config>(&text) {
        Ok(config) => Some(config),
        Err(err) => {
            let (line, col) = err.span().map_or((0, 0), |s| line_col(&text, s.start));
            let message = err.message().to_string();
            let mut diag = Diagnostic::new(rel, line, col, message.clone());
            // A key with a character that does not show comes first: toml
            // names only the key it cannot read. A value's own check gives
            // its message, a line break and its hint.
            if let Some(hidden) = hidden_in_toml_key(&text, line, &diag.path) {
                diag = hidden;
            } else if let Some((message, hint)) = message.split_once('\n') {
                diag = Diagnostic::new(diag.path, line, col, message).with_hint(hint);
            } else if message.contains(crate::model::NOT_A_PUBLIC_ADDRESS) {
                diag = diag.with_hint(
                    "write the whole address of the folder readers open, such as \
                     `url = \"https://intranet.example/reports/cfo/\"`",
                );
            } else if let Some(hint) = top_level_key_in_a_table(&message, &text, line) {
                diag = diag.with_hint(hint);
            } else if let Some(hint) = unknown_key_hint(&message) {
                diag = diag.with_hint(hint);
            } else if let Some((value, hint)) = unknown_value(&message) {
                diag = Diagnostic::new(diag.path, line, col, format!("`{value}` is not an allowed value here"))
                    .with_hint(hint);
            } else if let Some(hint) = toml_type_hint(&message) {
                diag = diag.with_hint(hint);
            }
            diags.push(diag);
            None
        }
    }
}

/// A key on `line` of wingreport.toml holding a character that does not
/// show as itself (`language` and a no-break space, pasted from a
/// document), which toml reports as a key it cannot read.
fn hidden_in_toml_key(text: &str, line: usize, path: &str) -> Option<Diagnostic> {
    let here = text.lines().nth(line.checked_sub(1)?)?;
    let key = here.split(['=', '#']).next()?;
    let at = key.find(crate::diagnostics::is_hidden)?;
    let plain: String = key.chars().filter(|&c| !crate::diagnostics::is_hidden(c)).collect();
    let plain = plain.trim();
    let shown = key.trim_matches([' ', '\t']);
    Some(
        Diagnostic::new(
            path,
            line,
            key[..at].chars().count() + 1,
            format!("the key `{shown}` cannot be read{}", crate::diagnostics::hidden_in(key)),
        )
        .with_hint(format!(
            "delete the key and type it again, with ordinary spaces around `=`: `{plain} = ...` (a word processor \
             or a copied web page may have put it there)"
        )),
    )
}

/// How to write the value a wingreport.toml type mistake expected.
fn toml_type_hint(message: &str) -> Option<&'static str> {
    Some(if message.contains("expected a boolean") {
        "write `true` or `false`, without quotes"
    } else if message.contains("string values must be quoted") || message.contains("expected a string") {
        "put the text in double quotes, as in `language = \"en-GB\"`"
    } else if message.contains("expected an integer") || message.contains("expected a number") {
        "write the number alone, without quotes"
    } else {
        return None;
    })
}

/// A key of the top level of wingreport.toml written after a `[table]`
/// line (`url` added at the end of the file), which toml reads as the
/// table's and reports as unknown there: where it goes instead.
fn top_level_key_in_a_table(message: &str, text: &str, line: usize) -> Option<String> {
    let field = message.strip_prefix("unknown field `")?.split('`').next()?;
    // The top level's keys, as the config's own type names them.
    let top = toml::from_str::<Config>("\"\" = 0").err()?.message().to_string();
    if !top.split('`').skip(3).step_by(2).any(|key| key == field) {
        return None;
    }
    let tables: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|&(n, l)| n < line && l.starts_with('['))
        .collect();
    let (first, first_table) = tables.first()?;
    let (_, table) = tables.last()?;
    Some(format!(
        "`{field}` is a key of the top level, but after the line `{table}` it is read as part of that table: \
         move it above the first table, `{first_table}` at line {first}"
    ))
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

/// Characters that turn the direction of the text after them until a
/// closing one, which a page may never have: published in a card, a table
/// row or a chart's description, one reverses whatever follows it. Words
/// written right to left (Arabic, Hebrew, Urdu) need none of them.
fn direction_overrides(text: &str, path: &str, diags: &mut Vec<Diagnostic>) {
    // U+202A, U+202B, U+202D and U+202E are E2 80 AA.. in UTF-8: found a byte
    // search at a time, since every file of every build is read here.
    let bytes = text.as_bytes();
    for at in memchr::memchr_iter(0xE2, bytes) {
        let Some(&[0x80, 0xAA | 0xAB | 0xAD | 0xAE]) = bytes.get(at + 1..at + 3) else { continue };
        let c = text[at..].chars().next().unwrap_or_default();
        let (line, col) = line_col(text, at);
        diags.push(
            Diagnostic::new(path, line, col, format!("{} turns the direction of the text after it", crate::diagnostics::char_name(c)))
                .with_hint("delete it: right-to-left words are shown in their own order without it, and on a page it would reverse what follows"),
        );
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// `text` with each lone `\r` (classic Mac OS line ends) made a `\n`, as
/// YAML and CommonMark read it; a `\r\n` stays. Every position stays where
/// it was, as both are one byte.
pub fn lone_cr_as_newline(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    let mut bytes = text.into_bytes();
    for i in 0..bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n') {
            bytes[i] = b'\n';
        }
    }
    String::from_utf8(bytes).expect("one ASCII byte replaced by another")
}

fn read_text(root: &Path, path: &Path, diags: &mut Vec<Diagnostic>) -> Option<String> {
    let rel = rel_path(root, path);
    match std::fs::read(path).map(String::from_utf8) {
        Ok(Ok(text)) if !saved_as_utf16(text.as_bytes()) => {
            // Line numbers, front matter and the names list read `\n`.
            let text = lone_cr_as_newline(text);
            direction_overrides(&text, &rel, diags);
            Some(controls::reported(text, &rel, diags))
        }
        // UTF-16 is not UTF-8 from its first letter; without a byte-order
        // mark it passes for UTF-8, a NUL beside each letter.
        Ok(Ok(_)) => {
            diags.push(not_utf8_as_utf16(rel));
            None
        }
        Ok(Err(err)) if saved_as_utf16(err.as_bytes()) => {
            diags.push(not_utf8_as_utf16(rel));
            None
        }
        Ok(Err(err)) => {
            // Where the text stops being UTF-8: the prefix before it is.
            let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
            let valid = std::str::from_utf8(valid).unwrap_or_default();
            let (line, col) = line_col(valid, valid.len());
            diags.push(Diagnostic::new(rel, line, col, "the file is not UTF-8 text from here on").with_hint(
                "save it as UTF-8 (most editors offer the encoding under Save As); a character such as `é` \
                     saved in another encoding stops the reading here",
            ));
            None
        }
        Err(err) => {
            let site_record = path.file_name().is_some_and(|n| n == "site.yaml");
            let diag = if err.kind() == std::io::ErrorKind::NotFound && site_record {
                Diagnostic::whole_file(rel, "file not found").with_hint(
                    "every folder under content/sites/ is a report and needs a site.yaml: \
                     `wingreport new site <id>` writes one with every key explained",
                )
            } else if err.kind() == std::io::ErrorKind::NotFound {
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

/// Whether `bytes` are text saved as UTF-16: with a byte-order mark, or
/// without one when NULs stand beside many of its letters, as one stands
/// beside each ASCII letter (after it when little-endian, before it when
/// big-endian). UTF-8 text has none, or a stray one.
pub(crate) fn saved_as_utf16(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    if memchr::memchr(0, bytes).is_none() {
        return false;
    }
    let nuls = |first: usize| bytes.iter().skip(first).step_by(2).filter(|&&b| b == 0).count();
    let most = nuls(0).max(nuls(1));
    most >= 2 && most * 4 >= bytes.len() / 2
}

/// A file saved as UTF-16, with or without a byte-order mark.
fn not_utf8_as_utf16(rel: String) -> Diagnostic {
    Diagnostic::new(rel, 1, 1, "the file is not UTF-8 text: it is saved as UTF-16").with_hint(
        "save it as UTF-8 (most editors offer the encoding under Save As, where UTF-16 may be called \"Unicode\")",
    )
}

/// Reads one YAML file; a missing optional file is `None` without a diagnostic.
fn read_yaml<T: DeserializeOwned>(root: &Path, path: &Path, required: bool, diags: &mut Vec<Diagnostic>) -> Option<T> {
    read_yaml_and_text(root, path, required, diags).map(|(value, _, _)| value)
}

/// [`read_yaml`], the text read, and whether the value holds every entry
/// of the file (see [`read_yaml_text_whole`]).
fn read_yaml_and_text<T: DeserializeOwned>(
    root: &Path,
    path: &Path,
    required: bool,
    diags: &mut Vec<Diagnostic>,
) -> Option<(T, String, bool)> {
    if !required && !path.exists() {
        return None;
    }
    let text = read_text(root, path, diags)?;
    parse_file(root, path, text, required, diags)
}

/// The site record at `path`: read back from `parsed` when it holds its
/// text, else parsed, and kept there when it had no mistake.
fn read_record(
    root: &Path,
    path: &Path,
    parsed: Option<&dyn ParsedStore>,
    diags: &mut Vec<Diagnostic>,
) -> Option<(SiteRecord, String, bool)> {
    let Some(parsed) = parsed else { return read_yaml_and_text(root, path, true, diags) };
    let text = read_text(root, path, diags)?;
    let key = parsed_key("site record", &rel_path(root, path), &text);
    if let Some(record) = parsed.record(key) {
        return Some((record, text, true));
    }
    let before = diags.len();
    let read = parse_file(root, path, text, true, diags);
    if let Some((record, _, true)) = &read
        && diags.len() == before
    {
        parsed.keep_record(key, record);
    }
    read
}

/// [`read_yaml_and_text`] of the `text` read from `path`.
fn parse_file<T: DeserializeOwned>(
    root: &Path,
    path: &Path,
    text: String,
    required: bool,
    diags: &mut Vec<Diagnostic>,
) -> Option<(T, String, bool)> {
    // Notepad starts a file it saves as UTF-8, even an empty one, with a
    // byte-order mark, which is no letter of the text.
    let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let blank = body.trim().is_empty();
    // A scaffold with every line commented out is as empty as a blank file,
    // but the parser says only "unexpected end of input".
    // Document markers (`---`, `...`) hold nothing either: a template's
    // record with every key commented out still starts with one.
    let nothing =
        |l: &str| l.trim().is_empty() || l.trim_start().starts_with('#') || ["---", "..."].contains(&l.trim_end());
    if blank || body.lines().all(nothing) {
        let commented = body.lines().any(|l| l.trim_start().starts_with('#'));
        let what = if commented { "the file holds only comments" } else { "the file is empty" };
        let hint = if required {
            "write its keys (see the content guide in README.md); this file is required"
        } else {
            "write its keys (see the content guide in README.md), or delete the file: it is optional"
        };
        diags.push(Diagnostic::new(rel_path(root, path), 1, 1, what).with_hint(hint));
        return None;
    }
    let (value, found, whole) = read_yaml_text_whole(&text, &rel_path(root, path), 0);
    diags.extend(found);
    value.map(|value| (value, text, whole))
}

/// Why a placeholder of `wingreport new` may not stay, and what to do.
struct Unfinished<'a> {
    why: &'a str,
    hint: &'a str,
}

impl Unfinished<'_> {
    /// Reports each placeholder in `text`, whose first line is line
    /// `first_line` of `path`.
    fn check(&self, text: &str, path: &str, first_line: usize, yaml: bool, diags: &mut Vec<Diagnostic>) {
        for (at, placeholder) in crate::scaffold::placeholders_in(text, yaml) {
            let (line, col) = line_col(text, at);
            // The year is a number the author keeps: what goes is the comment.
            let (message, hint) = if placeholder == crate::scaffold::UNCONFIRMED_YEAR {
                (
                    format!("`year` is still marked `# TO CONFIRM` as `wingreport new` wrote it, and {}", self.why),
                    "check that the year after `year:` is the year of publication (`new` wrote the year it ran), \
                     then delete the comment `# TO CONFIRM: ...` after it",
                )
            } else {
                (format!("`{placeholder}` is a placeholder that `wingreport new` wrote, and {}", self.why), self.hint)
            };
            diags.push(Diagnostic::new(path, first_line + line - 1, col, message).with_hint(hint));
        }
    }
}

/// How every YAML file is read: flags are YAML 1.2's `true` and `false`
/// only, as editors and the schema read them (`yes` is text, not a flag).
pub fn yaml_options() -> serde_saphyr::Options {
    serde_saphyr::options! { strict_booleans: true }
}

/// Parses YAML text whose first line is line `line_offset + 1` of `path`;
/// every mistake found is an error (see [`read_yaml_text`]).
pub fn parse_yaml<T: DeserializeOwned>(text: &str, path: &str, line_offset: usize) -> Result<T, Vec<Diagnostic>> {
    match read_yaml_text(text, path, line_offset) {
        (Some(value), found) if found.is_empty() => Ok(value),
        (_, found) => Err(found),
    }
}

/// How many mistakes of one file are set aside to look for more: more than
/// any real file has, and a bound on the work for a file that is not YAML.
const MAX_MISTAKES: usize = 50;

/// Reads YAML text whose first line is line `line_offset + 1` of `path` as
/// `T`, with every mistake it has. A valid text is parsed once. After a
/// mistake, it is reported and set aside in a copy of the text (a misspelt
/// key or value replaced by the nearest allowed one, quotes around a number
/// removed, a text with `: ` quoted, or else the entry blanked, keeping every
/// line in its place) and the copy is parsed again, so one typo does not
/// hide the next. The value comes back when every mistake could be set
/// aside without making a value up, for later stages to check the rest; a
/// mistake that cannot be set aside (broken YAML, a missing required key)
/// ends the search.
pub fn read_yaml_text<T: DeserializeOwned>(text: &str, path: &str, line_offset: usize) -> (Option<T>, Vec<Diagnostic>) {
    let (value, found, _) = read_yaml_text_whole(text, path, line_offset);
    (value, found)
}

/// [`read_yaml_text`], and whether the value holds every entry of the text:
/// true unless a mistake was set aside by blanking its entry (a quote
/// whose `text:` was a list). A mistake only corrected (quotes removed, a
/// misspelt key put right) leaves the value whole, so what refers to its
/// entries (a quote's id in a narrative) is still checked.
fn read_yaml_text_whole<T: DeserializeOwned>(
    text: &str,
    path: &str,
    line_offset: usize,
) -> (Option<T>, Vec<Diagnostic>, bool) {
    let (value, mut diags, whole) = read_yaml_mistakes(text, path, line_offset);
    diags.extend(hidden_text::hidden_text(text).into_iter().map(|hidden| {
        let (line, col) = line_col(text, hidden.at);
        Diagnostic::new(path, line + line_offset, col, hidden.message()).with_hint(hidden.hint())
    }));
    controls::report(text, path, line_offset, &controls::escaped(text), &mut diags);
    (value, diags, whole)
}

/// [`read_yaml_text_whole`] but for text lost to comments, which YAML
/// reads without a mistake (see [`hidden_text`]).
fn read_yaml_mistakes<T: DeserializeOwned>(
    text: &str,
    path: &str,
    line_offset: usize,
) -> (Option<T>, Vec<Diagnostic>, bool) {
    let first = match serde_saphyr::from_str_with_options(text, yaml_options()) {
        Ok(value) => return (Some(value), Vec::new(), true),
        Err(err) => err,
    };
    let mut draft = Draft::new(text);
    let mut diags = Vec::new();
    let mut err = first;
    // The draft before the last value was blanked, and that value's stand-in.
    let mut before_blank: Option<(Draft, usize, usize, &'static str)> = None;
    loop {
        let mistake = explain(&err, &draft.text);
        if draft.caused(&mistake) {
            // A required key blanked: put it back with a stand-in instead.
            match before_blank.take() {
                Some((before, line, col, value)) if mistake.missing.is_some() => {
                    draft = before;
                    if !draft.stand_in(line, col, value) {
                        return (None, diags, false);
                    }
                }
                _ => return (None, diags, false),
            }
        } else if matches!(err.without_snippet(), YamlError::Eof { .. }) && !diags.is_empty() {
            return (None, diags, false);
        } else {
            diags.push(mistake.diagnostic(&draft, path, line_offset));
            before_blank = match mistake.fix {
                Fix::StandIn(value) => Some((draft.clone(), mistake.line, mistake.col, value)),
                _ => None,
            };
            if diags.len() >= MAX_MISTAKES || !draft.set_aside(&mistake) {
                return (None, diags, false);
            }
        }
        match serde_saphyr::from_str_with_options(&draft.text, yaml_options()) {
            Ok(value) => return ((!draft.stood_in).then_some(value), diags, draft.blanked.is_empty()),
            Err(next) => err = next,
        }
    }
}

/// One mistake, in the words of a researcher, at its place in the text parsed.
struct Mistake {
    line: usize,
    col: usize,
    message: String,
    hint: Option<String>,
    fix: Fix,
    /// The key a "missing required key" names.
    missing: Option<String>,
}

/// How a mistake is set aside to look for the next one.
enum Fix {
    /// Replace the text at the mistake (a misspelt key or value) with this.
    Replace { old: String, new: String },
    /// Blank the quotes around the number or flag at the mistake.
    Unquote,
    /// Quote the value of the line's key (a text containing `: `).
    Quote,
    /// Blank the entry (key, value and nested lines) holding the mistake.
    Blank,
    /// Blank the entry, or, when its key is required, replace the value
    /// with this stand-in of the type wanted, so that the search reads on;
    /// the value read from such a draft is made up and is never returned.
    StandIn(&'static str),
    /// Nothing sensible: stop looking in this file.
    Stop,
}

impl Mistake {
    fn at(line: usize, col: usize, message: impl Into<String>, hint: Option<String>, fix: Fix) -> Self {
        Mistake { line, col, message: message.into(), hint, fix, missing: None }
    }

    fn diagnostic(&self, draft: &Draft, path: &str, line_offset: usize) -> Diagnostic {
        let line = if self.line == 0 { 0 } else { self.line + line_offset };
        let mut diag = Diagnostic::new(path, line, draft.original_col(self.line, self.col), &self.message);
        diag.hint = self.hint.clone();
        diag
    }
}

/// Turns a serde-saphyr error into a mistake in plain words, with a hint.
fn explain(err: &YamlError, text: &str) -> Mistake {
    let (line, col) = err.location().map_or((0, 0), |l| (l.line() as usize, l.column() as usize));
    let mut inner = err;
    while let YamlError::WithSnippet { error, .. } | YamlError::AliasError { error, .. } = inner {
        inner = error;
    }
    let at = |message: String, hint: Option<String>, fix| Mistake::at(line, col, message, hint, fix);
    // What the parser reports a line or two late, in its own words.
    if let Some(cause) = written_wrong(text, line) {
        return cause;
    }
    if matches!(inner, YamlError::Message { .. } | YamlError::SerdeInvalidType { .. } | YamlError::InvalidScalar { .. })
        && let Some(cause) = indented_into_value(text, line)
    {
        return cause;
    }
    if let YamlError::SerdeUnknownField { field, .. } = inner
        && let Some(cause) = curly_quoted(text, line, col, field)
    {
        return cause;
    }
    match inner {
        YamlError::SerdeUnknownField { field, expected, .. } => {
            let near = did_you_mean(field, expected.iter().copied());
            let hint = match (near, crate::schema::key_holding(field, expected)) {
                (Some(near), _) => format!("did you mean `{near}`? Keys allowed here: {}", one_of(expected)),
                (None, Some(holder)) => {
                    format!(
                        "`{field}` is a key of `{holder}`: indent it under `{holder}:`, with that block's other keys"
                    )
                }
                (None, None) => format!("keys allowed here: {}", one_of(expected)),
            };
            let fix = near.map_or(Fix::Blank, |near| Fix::Replace { old: field.clone(), new: near.to_string() });
            at(format!("unknown key `{field}`{}", crate::diagnostics::hidden_in(field)), Some(hint), fix)
        }
        YamlError::SerdeUnknownVariant { variant, expected, .. } => {
            let near = did_you_mean(variant, expected.iter().copied());
            let hint = match near {
                Some(near) => format!("did you mean `{near}`? Allowed: {}", one_of(expected)),
                None => format!("allowed values: {}", one_of(expected)),
            };
            let fix = near.map_or(Fix::Blank, |near| Fix::Replace { old: variant.clone(), new: near.to_string() });
            at(
                format!("`{variant}` is not an allowed value here{}", crate::diagnostics::hidden_in(variant)),
                Some(hint),
                fix,
            )
        }
        YamlError::SerdeMissingField { field, .. } => {
            let (line, col) = block_start(text, line, col);
            let within = parent_key(text, line, col).map_or(String::new(), |p| format!(" of `{p}`"));
            let mut mistake = stray_key(text, line, col, field).unwrap_or_else(|| Mistake::at(
                line,
                col,
                format!("missing required key `{field}`"),
                Some(format!(
                    "add a line `{field}: ...` to the block{within} that starts here (see the content guide in README.md)"
                )),
                Fix::Stop,
            ));
            mistake.missing = Some(field.to_string());
            mistake
        }
        YamlError::DuplicateMappingKey { key, .. } => {
            let key = key.as_deref().unwrap_or("?");
            // The first one: above, at the same column, within the block
            // (a line further left, or a list item's `- `, ends it).
            let above: Vec<&str> = text.lines().take(line.saturating_sub(1)).collect();
            let mut first = None;
            for (i, l) in above.iter().enumerate().rev() {
                let Some((dash, at)) = key_column(l) else { continue };
                if at + 1 == col && key_on(l).is_some_and(|(k, _)| k == key) {
                    first = Some(i + 1);
                    break;
                }
                if at + 1 < col || (dash && at + 1 == col) {
                    break;
                }
            }
            let hint = match first {
                Some(first) => format!("the first is on line {first}; remove or rename one of the two entries"),
                None => "remove or rename one of the two entries".to_string(),
            };
            at(format!("key `{key}` appears twice"), Some(hint), Fix::Blank)
        }
        // A message of our own (see `strict` and `model`): the text, then the hint.
        YamlError::Message { msg, .. } => {
            let (message, hint) = msg.split_once('\n').map_or((msg.as_str(), None), |(m, h)| (m, Some(h)));
            let hint = hint.map(str::to_string).or_else(|| type_hint(message));
            let fix = if hint.as_deref().is_some_and(|h| h.starts_with("remove the quotes")) {
                Fix::Unquote
            } else {
                strict::stand_in(msg).map_or(Fix::Blank, Fix::StandIn)
            };
            at(plain_words(message), hint, fix)
        }
        YamlError::InvalidScalar { ty, .. } => {
            let fix = match type_words(ty) {
                words if words.contains("number") => Fix::StandIn("1"),
                words if words.contains("`true`") => Fix::StandIn("false"),
                _ => Fix::Blank,
            };
            at(format!("expected {}; found `{}`", type_words(ty), scalar_at(text, line, col)), None, fix)
        }
        // `.nan`, `.inf` or `1e400` where any value may stand: YAML's words
        // for what no count, rating or order can be.
        YamlError::NonFiniteFloat { value, .. } => at(
            format!("`{value}` is not a number that can be used: YAML reads it as infinite or not a number"),
            Some("write an ordinary number, such as 3 or 2.5; if the study did not find it, leave the key out".into()),
            Fix::StandIn("1"),
        ),
        // `title:` with nothing after it.
        YamlError::NullIntoString { .. } => at(
            "nothing is written after this key, where a text belongs".to_string(),
            Some("write the text after the colon, or leave the key out if it is optional".to_string()),
            Fix::Blank,
        ),
        YamlError::InvalidBooleanStrict { .. } => at(
            format!("expected `true` or `false`; found `{}`", scalar_at(text, line, col)),
            Some("write `true` or `false`".to_string()),
            Fix::StandIn("false"),
        ),
        YamlError::SerdeInvalidType { unexpected, expected, .. }
        | YamlError::SerdeInvalidValue { unexpected, expected, .. } => {
            let message = plain_words(&format!("expected {expected}; found {unexpected}"));
            let hint = entry_hint(&message, text, line).or_else(|| type_hint(&message));
            at(message, hint, Fix::Blank)
        }
        YamlError::Unexpected { expected, .. } => {
            // "string scalar" is any single value, asked for where a list or
            // `key: value` pairs were written.
            let wanted = match *expected {
                "string scalar" | "scalar" => "a single value, such as a text",
                other => type_words(other),
            };
            let found = match scalar_at(text, line, col).chars().next() {
                Some('[' | '-') => "; found a list",
                Some('{') => "; found `key: value` pairs",
                _ => "",
            };
            let message = format!("expected {wanted}{found}");
            let hint = entry_hint(&message, text, line).or_else(|| type_hint(&message));
            at(message, hint, Fix::Blank)
        }
        other => {
            let plain = plain_message(other);
            if plain.contains("tab") {
                let (line, col) = tab_at(text, line).unwrap_or((line, col));
                let hint = "YAML indents with spaces, not tabs: replace the tab with spaces".to_string();
                Mistake::at(line, col, "a tab is used for indentation", Some(hint), Fix::Stop)
            } else if plain.contains("mapping values are not allowed") {
                stray_colon(text, line, col)
            } else if plain.contains("did not find expected key") || plain.contains("did not find expected '-'") {
                misindented(text, line, col)
            } else if plain.contains("trailing content after single-quoted") {
                let hint = "inside single quotes an apostrophe is written twice (`'The Hamlet''s wing'`); or use \
                            double quotes, or none";
                // At the quote that ended the text, just before what the parser found after it.
                let col = if scalar_at(text, line, col.saturating_sub(1)).starts_with('\'') { col - 1 } else { col };
                Mistake::at(
                    line,
                    col,
                    "a `'` inside the text ends its single quotes early",
                    Some(hint.to_string()),
                    Fix::Stop,
                )
            } else if plain.contains("while parsing a flow mapping") || plain.contains("while parsing a flow sequence")
            {
                in_brackets(text, line, col)
            } else if let Some(slip) = parser_slip(&plain, text, line, col) {
                slip
            } else {
                let hint = type_hint(&plain);
                at(plain_words(&plain), hint, Fix::Stop)
            }
        }
    }
}

/// The parser's own words for a value written as prose but read by YAML
/// as syntax: a text opening with a quotation, a character YAML reserves,
/// a backslash in double quotes, text after `|` or `>`.
fn parser_slip(plain: &str, text: &str, line: usize, col: usize) -> Option<Mistake> {
    let here = text.lines().nth(line.checked_sub(1)?)?;
    if plain.contains("surrogate") {
        return Some(lone_surrogate(text, line, col));
    }
    let value = key_on(here).map(|(key, value_col)| (key, here.chars().skip(value_col - 1).collect::<String>()));
    let quoted = |value: &str| format!("'{}'", value.trim_end().replace('\'', "''"));
    let (message, hint) = if plain.contains("trailing content after double-quoted") {
        let hint = match &value {
            Some((key, value)) => format!(
                "to begin a text with a quotation, put the whole text in single quotes: `{key}: {}`",
                quoted(value)
            ),
            None => "to begin a text with a quotation, put the whole text in single quotes".to_string(),
        };
        ("the `\"` that ends the quotation also ends the value, and more text follows it".to_string(), hint)
    } else if plain.contains("unknown escape") || plain.contains("expected hexadecimal") {
        (
            "in double quotes a `\\` starts an escape such as `\\\"`, and this one is not one".to_string(),
            "write a backslash as `\\\\`, or put the text in single quotes, where `\\` is a letter".to_string(),
        )
    } else if plain.contains("unexpected character") || plain.contains("alias references unknown anchor") {
        let c = here.chars().nth(col.saturating_sub(1)).filter(|c| "@`%*".contains(*c))?;
        let hint = match &value {
            Some((key, value)) => format!("put the text in quotes: `{key}: {}`", quoted(value)),
            None => "put the text in quotes".to_string(),
        };
        let c = if c == '`' { "a backtick".to_string() } else { format!("`{c}`") };
        (format!("YAML reserves {c} at the start of a value, so this text cannot start with it unquoted"), hint)
    } else if plain.contains("while scanning a block scalar") {
        let (key, _) = value?;
        (
            "after `|` or `>` the text starts on the next line; only a comment may follow it here".to_string(),
            format!("move the text to the lines below `{key}: >-`, indented, or put it in quotes after `{key}:`"),
        )
    } else if plain.contains("entries are not allowed in this context") {
        let (key, _) = value?;
        (
            "a list cannot start on the line of its key".to_string(),
            format!(
                "put each `- ` item on a line of its own below `{key}:`, indented; for a text that starts with `-`, \
                 put it in quotes"
            ),
        )
    } else if plain.contains("comment intercepting") {
        if let Some(indented) = indented_into_value(text, line) {
            return Some(indented);
        }
        (
            "a comment breaks a text that runs on over lines".to_string(),
            "move the comment above the key, or remove it; a line of the text that starts with `#` goes in quotes"
                .to_string(),
        )
    } else {
        return None;
    };
    Some(Mistake::at(line, col, message, Some(hint), Fix::Stop))
}

/// `"\ud83d"` in double quotes: an escape for one half of a character
/// written in two (an emoji, say), without the other half. Reported at
/// the escape, on the line of the error or below it (a text in double
/// quotes may run on over lines), not at the quote the parser names.
fn lone_surrogate(text: &str, line: usize, col: usize) -> Mistake {
    // Either half alone; a pair is matched whole and passed over.
    static HALF: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"\\u[dD][89abAB][[:xdigit:]]{2}(?:\\u[dD][c-fC-F][[:xdigit:]]{2})?|\\u[dD][c-fC-F][[:xdigit:]]{2}",
        )
        .expect("a valid regular expression")
    });
    let half = text.lines().enumerate().skip(line.saturating_sub(1)).find_map(|(n, l)| {
        let m = HALF.find_iter(l).find(|m| m.len() == 6)?;
        Some((n + 1, l[..m.start()].chars().count() + 1, format!("`{}`", m.as_str())))
    });
    let (line, col, escape) = half.unwrap_or((line, col, "an escape in this text".to_string()));
    Mistake::at(
        line,
        col,
        format!("{escape} stands for half of a character (such as half of an emoji), which cannot stand alone"),
        Some(
            "write the character itself, or both of its halves (`\\ud83d\\ude00`), or the whole character as \
             `\\U0001F600`"
                .to_string(),
        ),
        Fix::Stop,
    )
}

/// `{text: “Fine,” she said: “yes”, speaker: X}`: curly quotes, which YAML
/// reads as letters, around a text with `, ` or `: ` in it, so the text
/// ended there and its rest became the key `field` at (`line`, `col`).
/// Reported at the start of the text, with the text in straight quotes.
fn curly_quoted(text: &str, line: usize, col: usize, field: &str) -> Option<Mistake> {
    if !field.contains(['\u{201c}', '\u{201d}']) {
        return None;
    }
    let here = text.lines().nth(line.checked_sub(1)?)?;
    let field_at = here.char_indices().nth(col.checked_sub(1)?)?.0;
    // The key whose value the text began as: the last before the stray one.
    let colon = here[..field_at].rfind(": ")?;
    let key = here[..colon].rsplit(['{', ',']).next()?.trim();
    let value_at = colon + 1 + (here[colon + 1..].len() - here[colon + 1..].trim_start().len());
    // The text runs past its last closing quote up to the next `,` or `}`.
    let close = here.rfind('\u{201d}')? + '\u{201d}'.len_utf8();
    let end = here[close..].find([',', '}']).map_or(here.len(), |i| close + i);
    let value = here.get(value_at..end).filter(|_| key_like(key))?.trim_end();
    Some(Mistake::at(
        line,
        here[..value_at].chars().count() + 1,
        format!(
            "YAML does not take curly quotes (“ ”) as quotes, so the text ends early and `{field}` is read as a key"
        ),
        Some(format!(
            "put the whole text in straight double quotes, keeping the curly ones inside it: `{key}: {}`",
            double_quoted(value)
        )),
        Fix::Blank,
    ))
}

/// A value inside `{ … }` or `[ … ]` that YAML ended early: a second `: `,
/// or curly quotes, which YAML reads as letters of the text.
fn in_brackets(text: &str, line: usize, col: usize) -> Mistake {
    let here = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
    // Not ‘ ’: the closing one is also an apostrophe.
    let curly = here.contains(['\u{201c}', '\u{201d}']);
    let hint = if curly {
        "curly quotes (“ ”) are letters to YAML, not quotes: write straight ones, as in \
         `{text: \"Searches: up to 40 minutes\"}`"
    } else {
        "put a value holding `: `, `,` or `#` in quotes, as in `{text: \"Searches: up to 40 minutes\"}`, or write the \
         entry's keys one per line"
    };
    Mistake::at(
        line,
        col,
        "a value inside `{ … }` or `[ … ]` ends before its text does",
        Some(hint.to_string()),
        Fix::Stop,
    )
}

/// A `key: value` line indented further than the key above it, whose value
/// YAML then reads on into that line (`14 residents interviewed`): the
/// mistake is that line's indentation, not the value's kind.
fn indented_into_value(text: &str, line: usize) -> Option<Mistake> {
    let lines: Vec<&str> = text.lines().collect();
    let here = *lines.get(line.checked_sub(1)?)?;
    let next = *lines.get(line)?;
    let (above, value_col) = key_on(here)?;
    let (_, key_at) = key_column(here)?;
    let (_, next_at) = key_column(next)?;
    if value_col > here.chars().count() || next_at <= key_at {
        return None;
    }
    let (key, _) = key_on(next)?;
    let col = next[..next_at].chars().count() + 1;
    Some(Mistake::at(
        line + 1,
        col,
        format!("`{key}:` is indented further than `{above}:` above it, so YAML reads it as more of that value"),
        Some(format!("indent `{key}:` as far as `{above}:` on line {line}, if it is a key of the same block")),
        Fix::Stop,
    ))
}

/// `estate:female`: a colon with no space after it, which YAML reads as
/// part of a text rather than the end of a key.
fn no_space_after_colon(here: &str, line: usize) -> Option<Mistake> {
    let (_, start) = key_column(here)?;
    let rest = &here[start..];
    let colon = rest.find(':')?;
    let key = &rest[..colon];
    let value = &rest[colon + 1..];
    if !key_like(key) || value.is_empty() || value.starts_with(char::is_whitespace) {
        return None;
    }
    let col = here[..start + colon].chars().count() + 1;
    Some(Mistake::at(
        line,
        col,
        format!("`{key}:{}` has no space after its colon", value.trim_end()),
        Some(format!("write `{key}: {}`: a key ends at a colon followed by a space", value.trim_end())),
        Fix::Stop,
    ))
}

/// Whether `word` could be a key of ours: ASCII letters first, then
/// letters, digits, `_` or `-`.
fn key_like(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_alphabetic())
        && word.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// `title： Hints`: a key ended by the full-width colon a Chinese,
/// Japanese or Korean input method types, which YAML reads as a letter.
fn full_width_colon(here: &str, line: usize) -> Option<Mistake> {
    let (_, start) = key_column(here)?;
    let rest = &here[start..];
    let colon = rest.find('\u{ff1a}')?;
    let key = &rest[..colon];
    if !key_like(key) {
        return None;
    }
    let value = rest[colon + '\u{ff1a}'.len_utf8()..].split(" #").next().unwrap_or_default().trim();
    let col = here[..start + colon].chars().count() + 1;
    Some(Mistake::at(
        line,
        col,
        format!("the colon after `{key}` is a full-width colon `：` (U+FF1A), which YAML does not read as one"),
        Some(format!(
            "type the ASCII colon `:` in its place, followed by a space: `{key}: {value}` (a Chinese, Japanese or \
             Korean input method types the full-width one)"
        )),
        Fix::Stop,
    ))
}

/// Slips the parser reports at a later place or in its own words: a
/// no-break space after a key's colon, a full-width colon, a quote or a
/// `{`/`[` never closed on its line before the next key. Looked for on the
/// line of the error and the two above it.
fn written_wrong(text: &str, line: usize) -> Option<Mistake> {
    let lines: Vec<&str> = text.lines().collect();
    let first = line.saturating_sub(3);
    for n in (first..line.min(lines.len())).rev() {
        let here = lines[n];
        if let Some(mistake) = no_space_after_colon(here, n + 1).or_else(|| full_width_colon(here, n + 1)) {
            return Some(mistake);
        }
        // A list item typed with a dash where YAML needs a hyphen: `– id: q1`.
        let dash = here.trim_start().chars().next().filter(|c| matches!(c, '\u{2013}' | '\u{2014}' | '\u{2212}'));
        if let Some(dash) = dash.filter(|_| here.trim_start().chars().nth(1) == Some(' ')) {
            let col = here.chars().take_while(|c| *c == ' ').count() + 1;
            return Some(Mistake::at(
                n + 1,
                col,
                format!(
                    "this list item starts with {}, where YAML needs a hyphen `-`",
                    crate::diagnostics::char_name(dash)
                ),
                Some("replace it with `-` (a word processor or autocorrect may have changed it)".to_string()),
                Fix::Stop,
            ));
        }
        if let Some(at) = here.find(":\u{a0}") {
            let col = here[..at].chars().count() + 2;
            return Some(Mistake::at(
                n + 1,
                col,
                "a no-break space follows the `:`, where YAML needs an ordinary space",
                Some("delete the space after the colon and type it again".to_string()),
                Fix::Stop,
            ));
        }
        let Some((key, value_col)) = key_on(here) else { continue };
        let value: String = here.chars().skip(value_col - 1).collect();
        let value = value.trim_end();
        // The next line with a key, no deeper than this one: the value ended before it.
        let indent = here.len() - here.trim_start().len();
        let ends = lines[n + 1..]
            .iter()
            .find(|l| !l.trim().is_empty())
            .is_none_or(|next| next.len() - next.trim_start().len() <= indent);
        if !ends {
            continue;
        }
        let unclosed = match value.chars().next() {
            Some(quote @ ('"' | '\'')) if !closes_quote(&value[1..], quote) => Some((quote, quote)),
            Some(open @ ('{' | '[')) if !closes_brackets(value) => Some((open, if open == '{' { '}' } else { ']' })),
            _ => None,
        };
        if let Some((open, close)) = unclosed {
            return Some(Mistake::at(
                n + 1,
                value_col,
                format!("the `{open}` that starts the value of `{key}` is never closed"),
                Some(format!("end the value with `{close}` on this line")),
                Fix::Stop,
            ));
        }
    }
    None
}

/// Whether `rest`, after an opening `quote`, has its closing one: in
/// double quotes `\"` is no end, in single quotes `''` is none.
fn closes_quote(rest: &str, quote: char) -> bool {
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if quote == '"' => {
                chars.next();
            }
            c if c == quote && quote == '\'' && chars.peek() == Some(&'\'') => {
                chars.next();
            }
            c if c == quote => return true,
            _ => {}
        }
    }
    false
}

/// Whether the flow collection `value` starts is closed on its line,
/// quotes inside it and a comment after it aside.
fn closes_brackets(value: &str) -> bool {
    let mut depth = 0i32;
    let mut quote = None;
    let mut after_space = false;
    // Whether a value starts here: a quote opens only at a value's start
    // (`['O''Brien']`); within one it is a letter (`[O'Brien, J.]`).
    let mut at_value = true;
    for c in value.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') if at_value => quote = Some(c),
            (None, '{' | '[') => depth += 1,
            (None, '}' | ']') => depth -= 1,
            (None, '#') if after_space => break,
            _ => {}
        }
        after_space = c == ' ';
        at_value = quote.is_none() && (matches!(c, '{' | '[' | ',' | ':') || (at_value && c == ' '));
    }
    depth <= 0
}

/// "mapping values are not allowed": a `: ` inside a plain text, or a key
/// where none can start.
fn stray_colon(text: &str, line: usize, col: usize) -> Mistake {
    let line_text = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
    if let Some((key, value_col)) = key_on(line_text).filter(|&(_, value_col)| value_col < col) {
        let value = line_text.chars().skip(value_col - 1).collect::<String>();
        let value = value.trim_end();
        if !value.is_empty() && !value.starts_with(['"', '\'', '[', '{', '|', '>', '&', '*', '!']) {
            let hint = format!("put the whole text in quotes: `{key}: {}`", double_quoted(value));
            return Mistake::at(
                line,
                col,
                "this text contains `: `, which YAML reads as the start of another key",
                Some(hint),
                Fix::Quote,
            );
        }
    }
    Mistake::at(
        line,
        col,
        "YAML cannot read a `key: value` pair here",
        Some("keys of one block start in the same column; put a text that contains `: ` in quotes".to_string()),
        Fix::Stop,
    )
}

/// The required `field` of the block starting at (`line`, `col`), written
/// below it but indented less than its keys, so YAML read it as a key of
/// some outer block (or of none) and the block as lacking it.
fn stray_key(text: &str, line: usize, col: usize, field: &str) -> Option<Mistake> {
    let lines: Vec<&str> = text.lines().collect();
    let first = lines.get(line.checked_sub(1)?)?;
    let (first_key, _) = key_on(first)?;
    for (n, l) in lines.iter().enumerate().skip(line) {
        let Some((dash, at)) = key_column(l) else { continue };
        let key = key_on(l).map(|(k, _)| k);
        if key == Some(field) && at + 1 < col && !dash {
            let have = l[..at].chars().count();
            return Some(Mistake::at(
                n + 1,
                at + 1,
                format!("`{field}:` is indented less than the keys of the block above it, so it is not one of them"),
                Some(format!(
                    "indent `{field}:` by {} spaces, as far as `{first_key}:` on line {line}, instead of {have}",
                    col - 1
                )),
                Fix::Stop,
            ));
        }
        // The next item of the list, or a key of an outer block: the block is over.
        if (dash && at < col) || at + 3 < col {
            return None;
        }
    }
    None
}

/// "did not find expected key": a line indented less than the block it
/// is in, and more than the one around that.
fn misindented(text: &str, line: usize, col: usize) -> Mistake {
    let lines: Vec<&str> = text.lines().collect();
    let above = line.checked_sub(2).and_then(|n| lines.get(n)).map(|l| l.trim_start());
    let here = line.checked_sub(1).and_then(|n| lines.get(n)).copied().unwrap_or("");
    // A comment line within a text that runs on over lines ends the text.
    if above.is_some_and(|l| l.starts_with('#')) && key_on(here).is_none() {
        return Mistake::at(
            line,
            col,
            "the comment line above ends the text before it, so this line is left on its own",
            Some("move the comment above the text's key, or remove it".to_string()),
            Fix::Stop,
        );
    }
    let above = text.lines().take(line.saturating_sub(1)).filter_map(key_column).last().map(|(_, at)| at + 1);
    let hint = match above {
        Some(above) if above != col => format!(
            "keys of one block start in the same column: the key above starts in column {above}, this one in \
             column {col}; line them up, or indent a key that belongs to an outer block as far as that block's keys"
        ),
        _ => "keys of one block start in the same column; indent this line as far as the keys of its block".to_string(),
    };
    Mistake::at(line, col, "this line's indentation matches no block above it", Some(hint), Fix::Stop)
}

fn double_quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The key of a block-style `key: value` line (after any `- `) and the
/// 1-based column where its value starts.
fn key_on(line: &str) -> Option<(&str, usize)> {
    let (_, key_byte) = key_column(line)?;
    let rest = &line[key_byte..];
    if rest.starts_with(['"', '\'', '[', '{', '#', '?']) {
        return None;
    }
    let colon = rest.find(": ").or_else(|| rest.strip_suffix(':').map(str::len))?;
    let key = &rest[..colon];
    let after = &rest[colon + 1..];
    let value_byte = key_byte + colon + 1 + (after.len() - after.trim_start().len());
    Some((key, line[..value_byte].chars().count() + 1))
}

/// 1-based column and byte offset where a line's content starts after its
/// indentation and any `- ` list markers, and whether it had such a marker;
/// `None` for a blank or comment line.
fn key_column(line: &str) -> Option<(bool, usize)> {
    let mut at = line.len() - line.trim_start_matches(' ').len();
    let mut dash = false;
    while let Some(rest) = line[at..].strip_prefix("- ") {
        dash = true;
        at = line.len() - rest.trim_start_matches(' ').len();
    }
    let rest = &line[at..];
    (!rest.trim().is_empty() && !rest.starts_with('#')).then_some((dash, at))
}

/// Where the block lacking a key starts. serde reports a missing key at the
/// block's last key; its first key is the line above at the same column,
/// past deeper lines, up to a list item's `- ` or a shallower line.
fn block_start(text: &str, line: usize, col: usize) -> (usize, usize) {
    let lines: Vec<&str> = text.lines().collect();
    let mut start = (line, col);
    // The last key is the first of a list item: the block is that item.
    if lines.get(line.wrapping_sub(1)).and_then(|l| key_column(l)).is_some_and(|(dash, at)| dash && at + 1 == col) {
        return start;
    }
    for n in (1..line).rev() {
        let Some(l) = lines.get(n - 1) else { break };
        match key_column(l) {
            None => continue,
            Some((dash, at)) if at + 1 == col => {
                start = (n, col);
                if dash {
                    break;
                }
            }
            Some((_, at)) if at + 1 > col => continue,
            Some(_) => break,
        }
    }
    start
}

/// The key whose value is the block starting at (`line`, `col`), if any.
fn parent_key(text: &str, line: usize, col: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let own = lines.get(line.checked_sub(1)?)?;
    if key_column(own).is_some_and(|(dash, at)| dash && at + 1 == col) {
        return None;
    }
    (1..line).rev().find_map(|n| {
        let l = lines[n - 1];
        let (_, at) = key_column(l)?;
        (at + 1 < col).then(|| key_on(l).map(|(k, _)| k.to_string())).flatten()
    })
}

/// The first tab in the indentation of a line from `line` on: serde-saphyr
/// reports a tab at the end of the line before it.
fn tab_at(text: &str, line: usize) -> Option<(usize, usize)> {
    text.lines().enumerate().skip(line.saturating_sub(1)).find_map(|(n, l)| {
        let indent = &l[..l.len() - l.trim_start_matches([' ', '\t']).len()];
        indent.find('\t').map(|i| (n + 1, indent[..i].chars().count() + 1))
    })
}

/// The plain scalar starting at a position, for "found `...`".
fn scalar_at(text: &str, line: usize, col: usize) -> String {
    let l = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
    let rest: String = l.chars().skip(col.saturating_sub(1)).collect();
    let end = rest.find(" #").unwrap_or(rest.len());
    let value = rest[..end].trim_end();
    value.strip_suffix([',', '}', ']']).unwrap_or(value).trim_end().to_string()
}

/// Words for the Rust type names serde-saphyr reports.
fn type_words(ty: &str) -> &'static str {
    match ty {
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "a whole number of 0 or more, such as 26",
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number, such as 3",
        "f32" | "f64" | "floating point" => "a number, such as 2.5",
        "boolean" | "bool" | "a boolean" => "`true` or `false`",
        "char" | "a character" => "a single character",
        "string scalar" | "string" | "a string" | "scalar" => "text",
        "sequence start" | "a sequence" | "sequence" => "a list",
        "mapping start" | "a map" | "map" => "`key: value` pairs",
        _ => "a value of another kind",
    }
}

/// Replaces Rust and serde jargon in a message with a researcher's words.
fn plain_words(message: &str) -> String {
    static JARGON: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"\b(?:[ui](?:8|16|32|64|128|size)|f32|f64|floating point|a boolean|boolean|a string|string scalar|a sequence|sequence start|a map|mapping start|(?:struct|enum) [A-Za-z]+|an? (?:integer|unsigned integer|float)|integer `-?\d+`|unit value|map|sequence)\b",
        )
        .expect("a valid regular expression")
    });
    let message = message.strip_prefix("invalid type: ").unwrap_or(message);
    let message = JARGON.replace_all(message, |c: &regex::Captures| {
        let word = &c[0];
        if let Some(rest) = word.strip_prefix("integer `") {
            format!("`{}", rest)
        } else if word.starts_with("struct ") {
            "a block of `key: value` pairs".to_string()
        } else if word.starts_with("enum ") {
            "one of the allowed values".to_string()
        } else if word.contains("integer") {
            "a whole number".to_string()
        } else if word.contains("float") {
            "a number".to_string()
        } else if word == "unit value" {
            "nothing".to_string()
        } else {
            type_words(word).to_string()
        }
    });
    strip_position(&message)
}

/// serde-saphyr ends some messages with their own "at line N, column M",
/// which would contradict the diagnostic's position in front matter.
fn strip_position(message: &str) -> String {
    static AT: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\s*(?:at )?line \d+,? column \d+:?\s*").expect("a valid regular expression")
    });
    AT.replace_all(message, " ").trim().to_string()
}

/// The first line of serde-saphyr's rendering, without its own position prefix.
fn plain_message(err: &YamlError) -> String {
    let text = err.to_string();
    let first = text.lines().next().unwrap_or("invalid YAML").trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let plain = match first.split_once(": ") {
        Some((prefix, rest)) if prefix.starts_with("line ") => rest,
        _ => first,
    };
    strip_position(plain)
}

/// For a list entry written as a plain text where the key's entries are
/// `key: value` pairs (recommendations as a bare list, say): which key
/// that is, and where its shape is documented.
fn entry_hint(message: &str, text: &str, line: usize) -> Option<String> {
    if !message.starts_with("expected `key: value` pairs") {
        return None;
    }
    let lines: Vec<&str> = text.lines().collect();
    let own = lines.get(line.checked_sub(1)?)?;
    let indent = |l: &str| l.len() - l.trim_start().len();
    let key = lines[..line - 1]
        .iter()
        .rev()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .find(|l| indent(l) < indent(own) && !l.trim_start().starts_with('-'))
        .and_then(|l| key_on(l))
        .map(|(k, _)| k.to_string())?;
    Some(format!(
        "each entry of `{key}` is `key: value` pairs, each on its own line under its `- `; the content guide in \
         README.md shows `{key}`'s keys"
    ))
}

/// What a value that is "nothing" (`~`, `null`) should have been.
const NOTHING_HINT: &str = "a table cell the study did not state is `\"\"`; elsewhere, leave an optional key out rather \
                            than write `~` or `null`";

fn type_hint(message: &str) -> Option<String> {
    let hint = if message.contains(crate::model::NOT_A_WEB_ADDRESS) {
        "write the whole address, starting with `https://`, such as `https://example.org/report.pdf`; a DOI goes under `doi:`"
    } else if message.contains(crate::model::NOT_A_YEAR) {
        "write the year in digits, as in `2020`, with a letter for a second work of the author's that year (`\"2020a\"`), `forthcoming`, or `n.d.` when the work gives no date"
    } else if message.ends_with("found nothing") {
        NOTHING_HINT
    } else if message.starts_with("expected a text") && message.ends_with("found `key: value` pairs") {
        "a text holding `: ` is read as a `key: value` pair: put the whole text in quotes, as in \
         `\"Provider: Shaw Trust\"`"
    } else if message.contains("expected text") || message.contains("such as a text") {
        "put the text in quotes if it contains `: ` or starts with `[`, `{` or `-`"
    } else if message.contains("did not match any variant") {
        "expected `true`, `false` or a short text in quotes"
    } else if message.contains("expected a list") {
        "expected a list here: one `- item` per line, or `[a, b]`"
    } else if message.contains("`key: value` pairs") {
        "expected `key: value` pairs here, each on its own line"
    } else {
        return None;
    };
    Some(hint.to_string())
}

/// A copy of a YAML text in which the mistakes already reported are set
/// aside, line for line, so positions found in it map back to the original.
#[derive(Clone)]
struct Draft {
    text: String,
    /// Replacements made, by line: (line, original column, old length, new length).
    edits: Vec<(usize, usize, usize, usize)>,
    /// Lines blanked (inclusive ranges) and the keys they held.
    blanked: Vec<(usize, usize, String)>,
    /// A value was replaced by a stand-in (see [`Fix::StandIn`]).
    stood_in: bool,
}

impl Draft {
    fn new(text: &str) -> Self {
        Draft { text: text.to_string(), edits: Vec::new(), blanked: Vec::new(), stood_in: false }
    }

    /// The column in the original text of a column of the draft.
    fn original_col(&self, line: usize, col: usize) -> usize {
        let mut on_line: Vec<_> = self.edits.iter().filter(|e| e.0 == line).collect();
        on_line.sort_by_key(|e| e.1);
        let mut shift: isize = 0;
        for &&(_, at, old, new) in &on_line {
            let end_in_draft = (at as isize + shift) as usize + new;
            if col >= end_in_draft {
                shift += new as isize - old as isize;
            }
        }
        (col as isize - shift).max(1) as usize
    }

    /// A mistake the setting aside made: in a blanked entry, at a
    /// replacement, or a required key that was blanked.
    fn caused(&self, mistake: &Mistake) -> bool {
        let original = self.original_col(mistake.line, mistake.col);
        self.blanked.iter().any(|(from, to, key)| {
            (*from..=*to).contains(&mistake.line) || mistake.missing.as_deref() == Some(key.as_str())
        }) || self.edits.iter().any(|&(line, at, _, _)| line == mistake.line && at == original)
    }

    /// Byte range of 1-based `line` (without its line break), if it exists.
    fn line_range(&self, line: usize) -> Option<std::ops::Range<usize>> {
        let mut start = 0;
        for (n, l) in self.text.split_inclusive('\n').enumerate() {
            if n + 1 == line {
                let content = l.trim_end_matches(['\n', '\r']);
                return Some(start..start + content.len());
            }
            start += l.len();
        }
        None
    }

    /// Byte offset of a 1-based column of a line.
    fn offset(&self, line: usize, col: usize) -> Option<usize> {
        let range = self.line_range(line)?;
        let text = &self.text[range.clone()];
        let within = text.char_indices().nth(col.checked_sub(1)?).map(|(i, _)| i)?;
        Some(range.start + within)
    }

    fn replace(&mut self, line: usize, col: usize, old: &str, new: &str) -> bool {
        let Some(at) = self.offset(line, col) else { return false };
        if !self.text[at..].starts_with(old) {
            return false;
        }
        let original = self.original_col(line, col);
        self.text.replace_range(at..at + old.len(), new);
        self.edits.push((line, original, old.chars().count(), new.chars().count()));
        true
    }

    /// Sets a mistake aside; false when it cannot be.
    fn set_aside(&mut self, mistake: &Mistake) -> bool {
        let (line, col) = (mistake.line, mistake.col);
        match &mistake.fix {
            Fix::Replace { old, new } => self.replace(line, col, old, new) || self.blank(line, col),
            Fix::Unquote => self.unquote(line, col) || self.blank(line, col),
            Fix::Quote => self.quote(line),
            Fix::Blank | Fix::StandIn(_) => self.blank(line, col),
            Fix::Stop => false,
        }
    }

    /// Replaces the value at a position with `value` (see [`Fix::StandIn`]).
    fn stand_in(&mut self, line: usize, col: usize, value: &str) -> bool {
        let Some(at) = self.offset(line, col) else { return false };
        let rest = &self.text[at..self.line_range(line).map_or(at, |r| r.end)];
        // A quoted value up to its closing quote; a plain one up to what
        // ends it in a `{...}` or `[...]` too, which is where the stand-ins'
        // kinds (numbers, flags, an empty text) end.
        let len = match rest.chars().next() {
            Some(q @ ('"' | '\'')) => rest[1..].find(q).map(|i| i + 2),
            // `year:` with nothing after it is placed at its colon.
            Some(':') => None,
            _ => Some(rest.find([',', '}', ']']).or_else(|| rest.find(" #")).unwrap_or(rest.len())),
        };
        let stood_in = match len {
            Some(len) => {
                let old = rest[..len].trim_end().to_string();
                !old.is_empty() && self.replace(line, col, &old, value)
            }
            None if rest[1..].trim().is_empty() || rest[1..].trim_start().starts_with('#') => {
                self.replace(line, col, ":", &format!(": {value}"))
            }
            None => false,
        };
        self.stood_in |= stood_in;
        stood_in
    }

    /// `"12"` becomes ` 12 `: same columns, now a number.
    fn unquote(&mut self, line: usize, col: usize) -> bool {
        let Some(at) = self.offset(line, col) else { return false };
        let Some(end) = self.line_range(line).map(|r| r.end) else { return false };
        let scalar = &self.text[at..end];
        let Some(quote) = scalar.chars().next().filter(|c| *c == '"' || *c == '\'') else { return false };
        let Some(close) = scalar[1..].find(quote).map(|i| at + 1 + i) else { return false };
        if self.text[at + 1..close].contains(['\\', '\'', '"']) {
            return false;
        }
        self.text.replace_range(close..close + 1, " ");
        self.text.replace_range(at..at + 1, " ");
        true
    }

    /// Puts the value of the line's key in double quotes.
    fn quote(&mut self, line: usize) -> bool {
        let Some(range) = self.line_range(line) else { return false };
        let line_text = self.text[range].to_string();
        let Some((_, value_col)) = key_on(&line_text) else { return false };
        let value: String = line_text.chars().skip(value_col - 1).collect();
        let value = value.trim_end();
        self.replace(line, value_col, value, &double_quoted(value))
    }

    /// Blanks the entry holding a position: its key line from the key on
    /// (keeping a list item's `- `) and every line nested under it.
    fn blank(&mut self, line: usize, col: usize) -> bool {
        let lines: Vec<String> = self.text.lines().map(str::to_string).collect();
        let holder = (1..=line.min(lines.len())).rev().find_map(|n| {
            let l = &lines[n - 1];
            let (key, _) = key_on(l)?;
            let (_, at) = key_column(l)?;
            let key_col = l[..at].chars().count() + 1;
            let holds = if n == line { key_col <= col } else { key_col < col };
            holds.then(|| (n, key_col, at, key.to_string()))
        });
        let Some((from, key_col, at, key)) = holder else { return false };
        let mut to = from;
        while let Some(next) = lines.get(to) {
            let indent = next.len() - next.trim_start_matches(' ').len();
            let nested = next.trim().is_empty()
                || indent + 1 > key_col
                || (indent + 1 == key_col && next[indent..].starts_with('-'));
            if !nested {
                break;
            }
            to += 1;
        }
        let Some(range) = self.line_range(from) else { return false };
        let width = self.text[range.start + at..range.end].len();
        self.text.replace_range(range.start + at..range.end, &" ".repeat(width));
        for n in from + 1..=to {
            if let Some(range) = self.line_range(n) {
                self.text.replace_range(range.clone(), &" ".repeat(range.len()));
            }
        }
        self.blanked.push((from, to, key));
        true
    }
}

/// Splits `---` front matter from a Markdown body. The narrative comes
/// back whenever its front matter could be read, with every mistake found.
pub fn read_narrative(path: &str, stem: &str, text: &str) -> (Option<Narrative>, Vec<Diagnostic>) {
    let (narrative, diags, _) = read_narrative_with(path, stem, text.to_string(), None);
    (narrative, diags)
}

/// [`read_narrative`], reading the front matter back from `parsed` when it
/// holds its text, which it says: the file is then as an earlier run read
/// it, and its report most likely kept by the build cache. The body is what is left of `file` once the front
/// matter is cut from its front: every narrative of an archive is held at
/// once, and a copy of each was a tenth of a 5,000-report rebuild, most of
/// it the system clearing fresh pages for the copies.
fn read_narrative_with(
    path: &str,
    stem: &str,
    mut file: String,
    parsed: Option<&dyn ParsedStore>,
) -> (Option<Narrative>, Vec<Diagnostic>, bool) {
    let (yaml, body_start) = match front_matter_of(path, &file) {
        Ok(found) => found,
        Err(diag) => return (None, vec![diag], false),
    };
    let yaml = &file[yaml];
    if yaml.trim().is_empty() {
        let empty = Diagnostic::new(path, 2, 1, "front matter is empty").with_hint("add at least `title: ...`");
        return (None, vec![empty], false);
    }
    let (front, diags, read_back) = read_front_matter(yaml, path, parsed);
    let body_line = 2 + yaml.matches('\n').count() + 1;
    let narrative = front.map(|front| {
        file.drain(..body_start);
        Narrative { path: path.to_string(), stem: stem.to_string(), front, body: Body::Text(file), body_line }
    });
    (narrative, diags, read_back)
}

/// Where the front matter of the narrative file `file` (at `path`) is,
/// between its `---` lines, and where its body starts.
fn front_matter_of(path: &str, file: &str) -> Result<(std::ops::Range<usize>, usize), Diagnostic> {
    let text = file.strip_prefix('\u{feff}').unwrap_or(file);
    let Some(rest) = text.strip_prefix("---\n").or_else(|| text.strip_prefix("---\r\n")) else {
        return Err(Diagnostic::new(path, 1, 1, "missing front matter")
            .with_hint("start the file with `---`, a line `title: ...`, `weight: 1`, and a closing `---`"));
    };
    let yaml_start = file.len() - rest.len();
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Ok((yaml_start..yaml_start + offset, yaml_start + offset + line.len()));
        }
        offset += line.len();
    }
    Err(Diagnostic::new(path, 1, 1, "front matter is never closed")
        .with_hint("add a line `---` after the last front-matter key"))
}

/// Reads again the text of `narrative` that a load left on disk
/// ([`Bodies::Digested`]), as that load read it; the reason when the file
/// cannot be read or changed since, as the report would not be what was
/// checked.
pub fn read_body(root: &Path, narrative: &mut Narrative) -> Result<(), Diagnostic> {
    let Body::Left { digest } = narrative.body else { return Ok(()) };
    let changed = || {
        Diagnostic::whole_file(&narrative.path, "this file changed while the build was reading it")
            .with_hint("build again once it is saved")
    };
    // Its mistakes were reported when it was first read.
    let mut reported = Vec::new();
    let mut file = read_text(root, &root.join(&narrative.path), &mut reported).ok_or_else(changed)?;
    let (_, body_start) = front_matter_of(&narrative.path, &file).map_err(|_| changed())?;
    file.drain(..body_start);
    let body = Body::Text(file);
    if body.digest() != digest {
        return Err(changed());
    }
    narrative.body = body;
    Ok(())
}

/// The front matter `yaml` of the file `path`, which starts on its second
/// line, and whether it was read back from `parsed`.
fn read_front_matter(
    yaml: &str,
    path: &str,
    parsed: Option<&dyn ParsedStore>,
) -> (Option<FrontMatter>, Vec<Diagnostic>, bool) {
    let Some(parsed) = parsed else {
        let (front, diags) = read_yaml_text(yaml, path, 1);
        return (front, diags, false);
    };
    let key = parsed_key("front matter", path, yaml);
    if let Some(front) = parsed.front_matter(key) {
        return (Some(front), Vec::new(), true);
    }
    let (front, diags) = read_yaml_text(yaml, path, 1);
    if let (Some(front), true) = (&front, diags.is_empty()) {
        parsed.keep_front_matter(key, front);
    }
    (front, diags, false)
}

/// The narrative file at `path`, and whether its front matter was read
/// back from `parsed` (see [`read_narrative_with`]).
fn read_narrative_file(
    root: &Path,
    path: &Path,
    parsed: Option<&dyn ParsedStore>,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Narrative, bool)> {
    let text = read_text(root, path, diags)?;
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let (narrative, found, read_back) = read_narrative_with(&rel_path(root, path), &stem, text, parsed);
    diags.extend(found);
    Some((narrative?, read_back))
}

fn read_optional_narrative(root: &Path, path: &Path, diags: &mut Vec<Diagnostic>) -> Option<Narrative> {
    path.exists().then(|| read_narrative_file(root, path, None, diags)).flatten().map(|(narrative, _)| narrative)
}

/// Hidden files and folders, and the swap, backup, lock and temporary files
/// editors write beside the real one: never part of a report (a hidden
/// `.notes.md` is not published, macOS's `._01-intro.md` is not a section)
/// and never a reason for `serve` to rebuild.
pub fn is_editor_noise(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name == "4913"
        || [".swp", ".swx", ".swo", ".tmp", ".bak", "___jb_tmp___", "___jb_old___"]
            .iter()
            .any(|ext| name.ends_with(ext))
}

/// Files of one folder (not recursive), sorted by name so builds are
/// deterministic. A folder that does not exist has none (every folder
/// read here is optional); one that cannot be read, and an entry whose
/// link target cannot be read, are diagnostics instead of being skipped.
fn files_in(root: &Path, dir: &Path, diags: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).min_depth(1).max_depth(1) {
        match entry {
            Ok(entry) if is_editor_noise(entry.path()) => {}
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

/// Markdown files of a folder in reading order (see [`Narrative::reading_order`]).
fn read_narratives(root: &Path, dir: &Path, diags: &mut Vec<Diagnostic>) -> Vec<Narrative> {
    let files: Vec<PathBuf> = files_in(root, dir, diags).into_iter().filter(|p| p.is_file()).collect();
    narratives_among(root, &files, None, diags).0.into_iter().map(|(narrative, _)| narrative).collect()
}

/// The Markdown files of a folder's `files`, in reading order, each with
/// whether its front matter was read back from `parsed`, and whether every
/// one could be read; the other files are checked for misnamed ones.
fn narratives_among(
    root: &Path,
    files: &[PathBuf],
    parsed: Option<&dyn ParsedStore>,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<(Narrative, bool)>, bool) {
    let (markdown, others): (Vec<&PathBuf>, Vec<&PathBuf>) =
        files.iter().partition(|p| p.extension().is_some_and(|e| e == "md"));
    diags.extend(others.iter().filter_map(|p| misnamed(root, p)));
    let mut narratives: Vec<(Narrative, bool)> =
        markdown.iter().filter_map(|p| read_narrative_file(root, p, parsed, diags)).collect();
    narratives.sort_by(|(a, _), (b, _)| a.reading_order(b));
    let complete = narratives.len() == markdown.len();
    (narratives, complete)
}

/// A section saved as `.markdown`, `.MD` or `.md.txt` (an editor or a
/// system that hides extensions), which would be left out of the report
/// without a word. A plain text file is a section only by its name
/// (`01-intro.md.txt`) or its front matter: `notes.txt` is the
/// researcher's own, and renaming it would publish it.
fn misnamed(root: &Path, path: &Path) -> Option<Diagnostic> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_lowercase();
    let (stem, extension) = lower.rsplit_once('.')?;
    let markdown = matches!(extension, "md" | "markdown" | "mdown" | "mkd" | "mkdn");
    let section_as_text =
        matches!(extension, "txt" | "text") && (stem.ends_with(".md") || starts_with_front_matter(path));
    if name.starts_with('.') || !(markdown || section_as_text) || record_look_alike(&lower) {
        return None;
    }
    let stem = &name[..stem.len()];
    let fix = stem.strip_suffix(".md").or_else(|| stem.strip_suffix(".MD")).unwrap_or(stem);
    // Renaming a backup onto the section beside it would overwrite the section.
    let hint = if path.with_file_name(format!("{fix}.md")).is_file() {
        format!(
            "`{fix}.md` is beside it and is read: if this is an old copy, move it outside content/; otherwise bring \
             its text into `{fix}.md`"
        )
    } else {
        format!("rename it to `{fix}.md`; keep notes and other files outside content/")
    };
    Some(
        Diagnostic::whole_file(rel_path(root, path), "this file is not read: only Markdown files ending in `.md` are")
            .with_hint(hint),
    )
}

/// Whether the file's first line is `---`, as a section's is.
fn starts_with_front_matter(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 8];
    let read = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)).unwrap_or(0);
    let head = head[..read].strip_prefix("\u{feff}".as_bytes()).unwrap_or(&head[..read]);
    head.starts_with(b"---\n") || head.starts_with(b"---\r")
}

/// A file name, lower-cased, that is the record's under another spelling.
fn record_look_alike(lower: &str) -> bool {
    matches!(lower, "site.yml" | "site.yaml" | "site.yaml.txt")
}

/// Of a folder's `look_alikes` (files named like a record), those beside
/// its `site.yaml`: an editor that opened one instead shows edits that
/// never reach the report.
fn second_records(root: &Path, record_file: &Path, look_alikes: &[&PathBuf]) -> Vec<Diagnostic> {
    look_alikes
        .iter()
        .filter(|path| **path != record_file)
        // The record itself, under the case a case-insensitive disk lists.
        .filter(|path| path.canonicalize().ok() != record_file.canonicalize().ok())
        .map(|path| {
            Diagnostic::whole_file(
                rel_path(root, path),
                "this file is not read: the report's record is the `site.yaml` beside it",
            )
            .with_hint(
                "an edit here never reaches the report: bring what it adds into `site.yaml`, then delete it or move \
                 it outside content/",
            )
        })
        .collect()
}

/// One site folder: its record and narrative, or the problems found.
pub fn load_site(
    root: &Path,
    folder_path: &Path,
    parsed: Option<&dyn ParsedStore>,
    bodies: Bodies,
) -> (Option<Site>, Vec<Diagnostic>) {
    let mut found = Vec::new();
    // One listing of the folder serves the record's look-alikes and the narrative.
    let files: Vec<PathBuf> = files_in(root, folder_path, &mut found).into_iter().filter(|p| p.is_file()).collect();
    let look_alikes: Vec<&PathBuf> = files
        .iter()
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| record_look_alike(&n.to_lowercase())))
        .collect();
    let record_file = folder_path.join("site.yaml");
    let record: Option<(SiteRecord, String, bool)> = match look_alikes.first() {
        // A record saved as `site.yml` is reported where it is, not as a missing `site.yaml`.
        Some(path) if !record_file.is_file() => {
            found.push(
                Diagnostic::whole_file(
                    rel_path(root, path),
                    "this file is not read: a report's record is read from `site.yaml` only",
                )
                .with_hint("rename it to `site.yaml`; keep notes and other files outside content/"),
            );
            None
        }
        _ => {
            found.extend(second_records(root, &record_file, &look_alikes));
            read_record(root, &record_file, parsed, &mut found)
        }
    };
    let record_complete = record.as_ref().is_some_and(|(_, _, whole)| *whole);
    let (narrative, narrative_complete) = narratives_among(root, &files, parsed, &mut found);
    let (mut narrative, read_back): (Vec<Narrative>, Vec<bool>) = narrative.into_iter().unzip();
    let record_path = rel_path(root, &record_file);
    if let Some((record, text, _)) = &record
        && record.status != Status::Draft
    {
        let why = format!("this report is marked `{}`", record.status.key());
        let unfinished = Unfinished {
            why: &why,
            hint: "replace it with the report's own words, or keep `status: draft` in site.yaml until the report is \
                   ready",
        };
        unfinished.check(text, &record_path, 1, true, &mut found);
        for file in narrative.iter().filter(|file| !file.front.draft) {
            let text = file.body.text().unwrap_or_default();
            unfinished.check(text, &file.path, file.body_line, false, &mut found);
        }
    }
    if bodies == Bodies::Digested && !narrative.iter().any(|file| file.front.draft) {
        // A file whose front matter is new since the last run, as every
        // file is in a first build, is rendered: it keeps its text, so as
        // not to be read twice. Nor would a path that is not UTF-8, named
        // lossily, lead back to its file.
        let unchanged = narrative.iter_mut().zip(read_back).filter(|(_, read_back)| *read_back);
        unchanged.filter(|(file, _)| !file.path.contains('\u{fffd}')).for_each(|(file, _)| file.body.leave());
    }
    let site = record.map(|(record, text, _)| Site {
        folder: folder_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        record,
        record_path,
        record_text: text.into(),
        narrative,
        narrative_complete,
        record_complete,
    });
    (site, found)
}

/// Site folders parse independently, so they are read in parallel; results
/// keep the folders' order so diagnostics and output stay deterministic.
/// The sites read, and the folders of those whose record could not be.
fn read_sites(
    root: &Path,
    dir: &Path,
    parsed: Option<&dyn ParsedStore>,
    bodies: Bodies,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Site>, Vec<String>) {
    let (folders, files): (Vec<PathBuf>, Vec<PathBuf>) =
        files_in(root, dir, diags).into_iter().partition(|p| p.is_dir());
    // A report's text or record saved one folder too high would be left out of every report.
    let content_like = |p: &&PathBuf| p.extension().is_some_and(|e| e == "md" || e == "yaml" || e == "yml");
    for file in files.iter().filter(content_like) {
        diags.push(Diagnostic::whole_file(rel_path(root, file), "this file is in no site's folder").with_hint(
            "a report's narrative and site.yaml go in its own folder, `content/sites/<id>/`: move the file into \
             the folder of the report it belongs to",
        ));
    }
    let results: Vec<(Option<Site>, Vec<Diagnostic>)> =
        folders.par_iter().map(|folder_path| load_site(root, folder_path, parsed, bodies)).collect();
    let mut sites = Vec::with_capacity(results.len());
    let mut unread = Vec::new();
    for ((site, found), folder) in results.into_iter().zip(&folders) {
        match site {
            Some(site) => sites.push(site),
            None => unread.extend(folder.file_name().map(|name| name.to_string_lossy().into_owned())),
        }
        diags.extend(found);
    }
    (sites, unread)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SiteRecord;

    #[test]
    fn a_quote_or_bracket_left_open_and_a_no_break_space_are_named_where_they_are() {
        fn first_of<T: DeserializeOwned>(yaml: &str) -> String {
            let d = read_yaml_text::<T>(yaml, "a.yaml", 0).1.remove(0);
            format!("{}:{}: {}", d.line, d.col, d.message)
        }
        let first = first_of::<serde_json::Value>;
        assert_eq!(first("a: 1\nb: \"open\nc: 2\n"), "2:4: the `\"` that starts the value of `b` is never closed");
        assert_eq!(first("a: {n: 1\nc: 2\n"), "1:4: the `{` that starts the value of `a` is never closed");
        assert_eq!(
            first("a: 1\nb:\u{a0}x\nc: 2\n"),
            "2:3: a no-break space follows the `:`, where YAML needs an ordinary space"
        );
        // Closed ones, a `#` in quotes and a comment after the value are fine.
        // An apostrophe within a value is a letter, not an opening quote.
        assert_eq!(
            first_of::<Vec<crate::model::Reference>>("- key: k\n  authors: [O'Brien, J.]\n  title: T\n"),
            "1:3: missing required key `year`"
        );
        assert_eq!(first("a: ['it''s\nc: 2\n"), "1:4: the `[` that starts the value of `a` is never closed");
        for fine in ["a: \"C# basics\"\n", "a: [1, 2] # see [x\n", "a: \"it's \\\" fine\"\n", "a: {n: 1,\n  m: 2}\n"] {
            assert!(read_yaml_text::<serde_json::Value>(fine, "a.yaml", 0).1.is_empty(), "{fine:?}");
        }
    }

    /// Found by a researcher's audit, which had the parser's own words:
    /// "simple key expected ':'", "invalid trailing content after
    /// single-quoted scalar", "expected a list", and a bare key list.
    #[test]
    fn common_slips_are_named_in_plain_words() {
        let first = |yaml: &str| {
            let d = read_yaml_text::<SiteRecord>(yaml, "a.yaml", 0).1.remove(0);
            (format!("{}:{}: {}", d.line, d.col, d.message), d.hint.unwrap_or_default())
        };
        let record = "id: a\ntitle: T\nauthors: [A]\nyear: 2024\nstatus: draft\nsummary: S\n";
        let (at, hint) = first(&format!("{record}profile:\n  estate:female\n  region: North\n"));
        assert_eq!(at, "8:9: `estate:female` has no space after its colon");
        assert_eq!(hint, "write `estate: female`: a key ends at a colon followed by a space");
        let (at, _) = first(&format!("{record}wing: 'The Hamlet's wing'\n"));
        assert_eq!(at, "7:18: a `'` inside the text ends its single quotes early");
        let (at, hint) = first(&format!("{record}quotes:\n  \u{2013} id: q\n    text: x\n"));
        assert_eq!(at, "8:3: this list item starts with an en dash (U+2013), where YAML needs a hyphen `-`");
        assert!(hint.starts_with("replace it with `-`"));
        let (at, hint) = first(&format!("{record}region: North\n"));
        assert_eq!(at, "7:1: unknown key `region`");
        assert_eq!(hint, "`region` is a key of `profile`: indent it under `profile:`, with that block's other keys");
        let (_, hint) = first(&format!("{record}speaker: Ida\n"));
        assert!(hint.starts_with("`speaker` is a key of `quotes`"), "{hint}");
    }

    /// Found by a new-study audit: these came in the parser's words, with
    /// no hint.
    #[test]
    fn prose_that_yaml_reads_as_syntax_is_named_with_the_way_to_write_it() {
        let first = |value: &str| {
            let yaml = format!("id: a\ntitle: T\nauthors: [A]\nyear: 2024\nstatus: draft\nsummary: {value}\n");
            let d = read_yaml_text::<SiteRecord>(&yaml, "a.yaml", 0).1.remove(0);
            (format!("{}:{}: {}", d.line, d.col, d.message), d.hint.unwrap_or_default())
        };
        let (at, hint) = first("\"He said\" it helped");
        assert_eq!(at, "6:20: the `\"` that ends the quotation also ends the value, and more text follows it");
        assert_eq!(
            hint,
            "to begin a text with a quotation, put the whole text in single quotes: `summary: '\"He said\" it helped'`"
        );
        for (value, reserved) in [("@home", "`@`"), ("`code`", "a backtick"), ("%50 of men", "`%`"), ("*all*", "`*`")] {
            let (at, hint) = first(value);
            assert_eq!(
                at,
                format!(
                    "6:10: YAML reserves {reserved} at the start of a value, so this text cannot start with it unquoted"
                )
            );
            assert_eq!(hint, format!("put the text in quotes: `summary: '{value}'`"));
        }
        let (at, _) = first("\"C:\\Users\\x\"");
        assert!(at.starts_with("6:10: in double quotes a `\\` starts an escape"), "{at}");
        let (at, hint) = first("> folded");
        assert_eq!(at, "6:10: after `|` or `>` the text starts on the next line; only a comment may follow it here");
        assert!(hint.starts_with("move the text to the lines below `summary: >-`"), "{hint}");
        let (at, _) = first("- one");
        assert_eq!(at, "6:10: a list cannot start on the line of its key");
        let (at, hint) = first("first line\n  # a comment\n  more text");
        assert_eq!(at, "8:3: the comment line above ends the text before it, so this line is left on its own");
        assert_eq!(hint, "move the comment above the text's key, or remove it");
    }

    /// Found by QA: UTF-16 without a byte-order mark passed for UTF-8, a
    /// NUL beside each letter, so a section was "missing front matter" and
    /// a record had an "unexpected character".
    #[test]
    fn a_file_saved_as_utf16_without_a_byte_order_mark_is_named_as_not_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let utf16 = |text: &str, little: bool| -> Vec<u8> {
            text.encode_utf16().flat_map(|u| if little { u.to_le_bytes() } else { u.to_be_bytes() }).collect()
        };
        for little in [true, false] {
            std::fs::write(dir.path().join("wingreport.toml"), utf16("title = \"T\"\n", little)).unwrap();
            std::fs::write(dir.path().join("site.yaml"), utf16("id: a\ntitle: Wing café\n", little)).unwrap();
            std::fs::write(dir.path().join("01-intro.md"), utf16("---\ntitle: T\n---\n\nText.\n", little)).unwrap();
            let mut diags = Vec::new();
            assert!(read_config(dir.path(), &mut diags).is_none());
            assert!(
                read_yaml::<serde_json::Value>(dir.path(), &dir.path().join("site.yaml"), true, &mut diags).is_none()
            );
            assert!(read_narrative_file(dir.path(), &dir.path().join("01-intro.md"), None, &mut diags).is_none());
            let found: Vec<_> = diags.iter().map(|d| (d.path.as_str(), d.line, d.col, d.message.as_str())).collect();
            let message = "the file is not UTF-8 text: it is saved as UTF-16";
            assert_eq!(
                found,
                [("wingreport.toml", 1, 1, message), ("site.yaml", 1, 1, message), ("01-intro.md", 1, 1, message)],
                "little-endian {little}"
            );
            assert!(diags.iter().all(|d| d.hint.as_deref().unwrap().starts_with("save it as UTF-8")), "{diags:?}");
        }
        // UTF-8 with a stray NUL, or in Chinese, is not UTF-16.
        assert!(!saved_as_utf16(b"id: a\ntitle: T\0\nsummary: S\n"));
        assert!(!saved_as_utf16("title: 监狱同伴支持\n".as_bytes()));
        assert!(saved_as_utf16(&[0xFF, 0xFE, b'i', 0]));
    }

    /// Found by QA: what a Windows tool or an input method types came with
    /// the parser's words and no hint, or with a misleading hint.
    #[test]
    fn characters_typed_by_other_tools_are_named_with_the_fix() {
        let first = |yaml: &str| {
            let d = read_yaml_text::<SiteRecord>(yaml, "a.yaml", 0).1.remove(0);
            (d.line, d.col, d.message, d.hint.unwrap_or_default())
        };
        let record = "id: a\ntitle: T\nauthors: [A]\nyear: 2024\nstatus: draft\nsummary: S\n";

        for title in ["title\u{ff1a} T", "title\u{ff1a}T", "title\u{ff1a} T  # the report's own"] {
            let (line, col, message, hint) = first(&record.replace("title: T", title));
            assert_eq!(
                (line, col, message.as_str()),
                (2, 6, "the colon after `title` is a full-width colon `：` (U+FF1A), which YAML does not read as one"),
                "{title}"
            );
            assert!(
                hint.starts_with("type the ASCII colon `:` in its place, followed by a space: `title: T`"),
                "{hint}"
            );
        }

        let halves = "write the character itself, or both of its halves (`\\ud83d\\ude00`), or the whole character as \
                      `\\U0001F600`";
        for (wing, escape) in
            [(r"Wing \ud83d", r"\ud83d"), (r"\ud83d\ude00 \uDE00", r"\uDE00"), (r"W \ud83d\u0041", r"\ud83d")]
        {
            let (line, col, message, hint) = first(&format!("{record}wing: \"{wing}\"\n"));
            let at = 7 + wing.find(escape).unwrap() + 1;
            assert_eq!(
                (line, col, message),
                (
                    7,
                    at,
                    format!(
                        "`{escape}` stands for half of a character (such as half of an emoji), which cannot stand alone"
                    )
                ),
                "{wing}"
            );
            assert_eq!(hint, halves);
        }
        assert!(read_yaml_text::<SiteRecord>(&format!("{record}wing: \"\\ud83d\\ude00\"\n"), "a.yaml", 0).1.is_empty());

        let quote = "quotes:\n  - {id: q1, text: \u{201c}Fine,\u{201d} she said: \u{201c}yes\u{201d}, speaker: X}\n";
        let (line, col, message, hint) = first(&format!("{record}{quote}"));
        assert_eq!(
            (line, col, message.as_str()),
            (
                8,
                20,
                "YAML does not take curly quotes (“ ”) as quotes, so the text ends early and `” she said` is read as a key"
            )
        );
        assert_eq!(
            hint,
            "put the whole text in straight double quotes, keeping the curly ones inside it: \
             `text: \"“Fine,” she said: “yes”\"`"
        );
        let (_, col, message, hint) =
            first(&format!("{record}quotes:\n  - {{id: q1, text: She said “Fine, thanks”}}\n"));
        assert_eq!(
            (col, message.as_str()),
            (
                20,
                "YAML does not take curly quotes (“ ”) as quotes, so the text ends early and `thanks”` is read as a key"
            )
        );
        assert!(hint.ends_with("`text: \"She said “Fine, thanks”\"`"), "{hint}");
        // Words after the last closing quote belong to the text too.
        let (_, _, _, hint) = first(&format!("{record}quotes:\n  - {{id: q1, text: “Fine,” she said, speaker: X}}\n"));
        assert!(hint.ends_with("`text: \"“Fine,” she said\"`"), "{hint}");
    }

    /// Found by QA: Notepad begins an "empty" file with a byte-order mark,
    /// which made it "unexpected end of input"; and a no-break space in a
    /// key of wingreport.toml was a key toml could not read, with no hint.
    #[test]
    fn a_byte_order_mark_alone_is_empty_and_a_hidden_character_in_a_config_key_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("series.yaml");
        for (text, says) in [
            ("\u{feff}", "the file is empty"),
            ("\u{feff}# notes\r\n", "the file holds only comments"),
            ("\u{feff}---\n# title: T\n", "the file holds only comments"),
        ] {
            std::fs::write(&path, text).unwrap();
            let mut diags = Vec::new();
            assert!(read_yaml::<Series>(dir.path(), &path, true, &mut diags).is_none());
            let found: Vec<_> = diags.iter().map(|d| (d.line, d.col, d.message.as_str())).collect();
            assert_eq!(found, [(1, 1, says)], "{text:?}");
            assert!(diags[0].hint.as_deref().unwrap().starts_with("write its keys"), "{diags:?}");
        }

        for (toml, col, shown, name) in [
            ("title = \"T\"\nlanguage\u{a0}= \"en-GB\"\n", 9, "language\u{a0}", "a no-break space (U+00A0)"),
            ("title = \"T\"\nlang\u{200b}uage = \"en-GB\"\n", 5, "lang\u{200b}uage", "a zero-width space (U+200B)"),
        ] {
            std::fs::write(dir.path().join("wingreport.toml"), toml).unwrap();
            let mut diags = Vec::new();
            assert!(read_config(dir.path(), &mut diags).is_none());
            let found: Vec<_> = diags.iter().map(|d| (d.line, d.col, d.message.clone())).collect();
            assert_eq!(found, [(2, col, format!("the key `{shown}` cannot be read: it holds {name}"))], "{toml:?}");
            assert!(
                diags[0]
                    .hint
                    .as_deref()
                    .unwrap()
                    .starts_with("delete the key and type it again, with ordinary spaces around `=`: `language = ...`"),
                "{diags:?}"
            );
        }
    }

    #[test]
    fn a_direction_override_is_an_error_at_its_place() {
        let mut diags = Vec::new();
        direction_overrides(
            "wing: The Hamlet \u{202e}evil\nA \u{2018}quote\u{2019} \u{202b}x\u{202c}\n",
            "a.yaml",
            &mut diags,
        );
        let at: Vec<_> = diags.iter().map(|d| (d.line, d.col, d.message.as_str())).collect();
        assert_eq!(
            at,
            [
                (1, 18, "a right-to-left override (U+202E) turns the direction of the text after it"),
                (2, 11, "a right-to-left embedding (U+202B) turns the direction of the text after it"),
            ]
        );
    }

    #[test]
    fn a_key_written_twice_names_the_line_of_the_first() {
        let hint = |yaml: &str| read_yaml_text::<serde_json::Value>(yaml, "a.yaml", 0).1[0].hint.clone().unwrap();
        assert_eq!(hint("a: 1\nb: 2\na: 3\n"), "the first is on line 1; remove or rename one of the two entries");
        let items = "quotes:\n  - id: a\n    text: x\n  - id: b\n    text: y\n    id: c\n";
        assert_eq!(hint(items), "the first is on line 4; remove or rename one of the two entries");
    }

    #[test]
    fn front_matter_body_starts_after_closing_line() {
        let (n, diags) = read_narrative("a.md", "a", "---\ntitle: T\nweight: 2\n---\n## Hi\n");
        assert!(diags.is_empty(), "{diags:?}");
        let n = n.unwrap();
        assert_eq!(n.front.title, "T");
        assert_eq!(n.front.weight, Some(2.0));
        assert!(n.front.numbered);
        assert_eq!(n.body.text(), Some("## Hi\n"));
        assert_eq!(n.body_line, 5);
    }

    #[test]
    fn front_matter_error_line_counts_the_opening_fence() {
        let (n, diags) = read_narrative("a.md", "a", "---\ntitle: T\nwieght: 2\n---\n");
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!((diags[0].line, diags[0].col), (3, 1));
        assert!(diags[0].hint.as_deref().unwrap().contains("did you mean `weight`"));
        let weight = n.unwrap().front.weight;
        assert_eq!(weight, Some(2.0), "the misspelt key is read as the one meant, to check the rest");
    }

    #[test]
    fn a_section_without_weight_comes_after_the_weighted_ones_by_file_name() {
        let section = |stem: &str, front: &str| {
            read_narrative(&format!("{stem}.md"), stem, &format!("---\ntitle: T\n{front}---\n")).0.unwrap()
        };
        let mut narratives = [
            section("04-notes", ""),
            section("03-discussion", ""),
            section("02-findings", "weight: 2\n"),
            section("01-introduction", "weight: 1\n"),
            section("00-late", "weight: 99\n"),
            section("05-first", "weight: -1\n"),
        ];
        narratives.sort_by(Narrative::reading_order);
        let order: Vec<&str> = narratives.iter().map(|n| n.stem.as_str()).collect();
        assert_eq!(order, ["05-first", "01-introduction", "02-findings", "00-late", "03-discussion", "04-notes"]);
    }

    #[test]
    fn a_lone_cr_is_a_line_break_and_crlf_stays() {
        assert_eq!(lone_cr_as_newline("a\rb\r\nc\r".to_string()), "a\nb\r\nc\n");
        let (n, diags) = read_narrative("a.md", "a", &lone_cr_as_newline("---\rtitle: T\r---\rText.\r".to_string()));
        assert!(diags.is_empty(), "{diags:?}");
        let n = n.unwrap();
        assert_eq!((n.body_line, n.body.text()), (4, Some("Text.\n")));
    }

    #[test]
    fn file_without_front_matter_is_an_error() {
        let (n, diags) = read_narrative("a.md", "a", "## Hi\n");
        assert!(n.is_none());
        assert_eq!(diags[0].message, "missing front matter");
    }

    #[test]
    fn unknown_enum_value_suggests_the_nearest() {
        let yaml = "role: r\npaid: false\ntraining_provider: p\ntraining: t\naccreditation: acredited-l2\nsupervision: s\nprogression: p\n";
        let err = &parse_yaml::<crate::model::Delivery>(yaml, "s.yaml", 0).unwrap_err()[0];
        assert_eq!((err.line, err.col), (5, 16));
        assert!(err.hint.as_deref().unwrap().contains("did you mean `accredited-l2`"), "{err:?}");
    }

    /// Found by a new-study audit: a quotation's `text:` written under it
    /// but indented less was reported as missing, at the quotation's top.
    #[test]
    fn a_required_key_indented_too_little_is_named_at_its_own_line() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Quotes {
            quotes: Vec<crate::model::Quote>,
        }
        let head = "quotes:\n  - id: q1\n    speaker: Ann\n    method: interview\n";
        for (indent, col) in [("", 1), (" ", 2), ("  ", 3)] {
            let yaml = format!("{head}{indent}text: It helped.\n");
            let found = read_yaml_text::<Quotes>(&yaml, "a.yaml", 0).1;
            let d = &found[0];
            assert_eq!((d.line, d.col), (5, col), "{indent:?}: {found:?}");
            assert_eq!(
                d.message,
                "`text:` is indented less than the keys of the block above it, so it is not one of them"
            );
            let hint = format!("indent `text:` by 4 spaces, as far as `id:` on line 2, instead of {}", indent.len());
            assert_eq!(d.hint.as_deref(), Some(hint.as_str()));
        }
        // A `text:` that belongs to the next quotation is not this one's.
        let yaml = format!("{head}  - id: q2\n    text: Its own.\n");
        let d = &read_yaml_text::<Quotes>(&yaml, "a.yaml", 0).1[0];
        assert_eq!((d.line, d.col, d.message.as_str()), (2, 5, "missing required key `text`"));
    }

    /// Front matter as a build cache keeps it, in memory.
    #[derive(Default)]
    struct Remembered(std::sync::Mutex<std::collections::HashMap<u128, FrontMatter>>);

    impl ParsedStore for Remembered {
        fn record(&self, _: u128) -> Option<SiteRecord> {
            None
        }

        fn keep_record(&self, _: u128, _: &SiteRecord) {}

        fn front_matter(&self, key: u128) -> Option<FrontMatter> {
            self.0.lock().unwrap().get(&key).cloned()
        }

        fn keep_front_matter(&self, key: u128, front: &FrontMatter) {
            self.0.lock().unwrap().insert(key, front.clone());
        }
    }

    /// A copy of the repository's bundled project.
    fn bundled() -> tempfile::TempDir {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(repo.join("wingreport.toml"), dir.path().join("wingreport.toml")).unwrap();
        for entry in walkdir::WalkDir::new(repo.join("content")).into_iter().map(Result::unwrap) {
            let to = dir.path().join(entry.path().strip_prefix(repo).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&to).unwrap();
            } else {
                std::fs::copy(entry.path(), &to).unwrap();
            }
        }
        dir
    }

    fn texts(project: &Project) -> Vec<(String, Option<String>)> {
        let files = project.sites.iter().flat_map(|site| &site.narrative);
        files.map(|file| (file.path.clone(), file.body.text().map(str::to_string))).collect()
    }

    #[test]
    fn a_build_leaves_on_disk_the_text_of_files_read_before_and_reads_it_again_as_it_was() {
        let project = bundled();
        let root = project.path();
        let store = Remembered::default();
        let (first, _) = load_with(root, Some(&store), Bodies::Digested);
        let first = texts(&first.unwrap());
        assert!(first.len() >= 12 && first.iter().all(|(_, text)| text.is_some()), "nothing was read before");
        let edited = "content/sites/risley/01-initiative.md";
        let drafted = "content/sites/high-down/02-peer-role.md";
        let retitled = std::fs::read_to_string(root.join(edited)).unwrap().replacen("title: ", "title: Revised, ", 1);
        std::fs::write(root.join(edited), retitled).unwrap();
        let reworded = "content/sites/risley/02-peer-role.md";
        let added = std::fs::read_to_string(root.join(reworded)).unwrap() + "\nA new line.\n";
        std::fs::write(root.join(reworded), added).unwrap();
        let draft = std::fs::read_to_string(root.join(drafted)).unwrap().replacen("---\n", "---\ndraft: true\n", 1);
        std::fs::write(root.join(drafted), draft).unwrap();
        let (second, diags) = load_with(root, Some(&store), Bodies::Digested);
        assert!(diags.is_empty(), "{diags:?}");
        let mut second = second.unwrap();
        let kept: Vec<String> =
            texts(&second).into_iter().filter(|(_, text)| text.is_some()).map(|(path, _)| path).collect();
        assert!(kept.iter().any(|path| path == edited), "a file whose front matter changed keeps its text: {kept:?}");
        assert!(!kept.iter().any(|path| path == reworded), "one with only its text changed is read again: {kept:?}");
        assert!(kept.iter().all(|path| *path == edited || path.starts_with("content/sites/high-down/")), "{kept:?}");
        let high_down = second.sites.iter().find(|site| site.folder == "high-down").unwrap();
        assert!(high_down.narrative.iter().all(|file| file.body.text().is_some()), "a report with a draft keeps all");
        let (eager, _) = load(root);
        let eager = texts(&eager.unwrap());
        for file in second.sites.iter_mut().flat_map(|site| &mut site.narrative) {
            read_body(root, file).unwrap_or_else(|e| panic!("{}: {e:?}", file.path));
        }
        assert_eq!(texts(&second), eager, "read again as a load that keeps every text reads it");
        // A file changed after the load is not what was checked.
        let (mut third, _) = load_with(root, Some(&store), Bodies::Digested);
        let left = third.as_mut().unwrap().sites.iter_mut().find(|site| site.folder == "risley").unwrap();
        let file = left.narrative.iter_mut().find(|file| file.body.text().is_none()).unwrap();
        std::fs::write(root.join(&file.path), "---\ntitle: Other\n---\nOther words.\n").unwrap();
        let unread = read_body(root, file).unwrap_err();
        assert_eq!(
            (unread.path.as_str(), unread.message.as_str()),
            (file.path.as_str(), "this file changed while the build was reading it")
        );
        assert!(file.body.text().is_none());
    }

    #[test]
    fn missing_key_names_the_key() {
        let err = &parse_yaml::<SiteRecord>("id: x\n", "s.yaml", 0).unwrap_err()[0];
        assert!(err.message.starts_with("missing required key"), "{err:?}");
    }

    #[test]
    fn infinite_or_not_a_number_is_explained_at_its_value_with_a_hint() {
        for value in [".nan", ".inf", "-.inf", "1e400"] {
            let yaml = format!("title: T\nweight: {value}\n");
            let err = &parse_yaml::<crate::model::FrontMatter>(&yaml, "01.md", 0).unwrap_err()[0];
            assert_eq!((err.line, err.col), (2, 9), "{value}: {err:?}");
            assert!(err.message.starts_with(&format!("`{value}` is not a number that can be used")), "{err:?}");
            assert!(err.hint.as_deref().is_some_and(|h| h.starts_with("write an ordinary number")), "{err:?}");
        }
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
        let (sites, unread) = read_sites(dir.path(), &dir.path().join("content/sites"), None, Bodies::Kept, &mut diags);
        assert!(sites.is_empty() && unread.is_empty());
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
            let errs = parse_yaml::<Vec<Reference>>(&yaml, "content/references.yaml", 0).unwrap_err();
            let err = &errs[0];
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
    fn config_type_mistakes_say_how_to_write_the_value() {
        for (toml, says) in [
            ("title = \"T\"\n[build]\ndrafts = \"yes\"\n", "write `true` or `false`"),
            ("title = \"T\"\nlanguage = en-GB\n", "double quotes"),
        ] {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("wingreport.toml"), toml).unwrap();
            let mut diags = Vec::new();
            assert!(read_config(dir.path(), &mut diags).is_none(), "{toml}");
            assert!(diags[0].line > 1 && diags[0].hint.as_deref().unwrap_or("").contains(says), "{toml}: {diags:?}");
        }
    }

    /// QA30-C F14: `url` added at the end of a wingreport.toml that ends in
    /// a `[numbering]` table was "unknown field url" with a list of the
    /// table's keys.
    #[test]
    fn a_top_level_key_after_a_table_is_to_be_moved_above_the_first() {
        let toml = "language = \"en-GB\"\n\n[build]\ndrafts = false\n\n[numbering]\ntables = \"report\"\n\
                    url = \"http://127.0.0.1:8080/research/esw/\"\n";
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("wingreport.toml"), toml).unwrap();
        let mut diags = Vec::new();
        assert!(read_config(dir.path(), &mut diags).is_none());
        assert_eq!((diags[0].line, diags[0].col), (8, 1), "{diags:?}");
        assert_eq!(
            diags[0].hint.as_deref(),
            Some(
                "`url` is a key of the top level, but after the line `[numbering]` it is read as part of that \
                 table: move it above the first table, `[build]` at line 3"
            )
        );
        // A key no table or top level has keeps its own hint.
        std::fs::write(dir.path().join("wingreport.toml"), toml.replace("url =", "urls =")).unwrap();
        let mut diags = Vec::new();
        read_config(dir.path(), &mut diags);
        assert!(diags[0].hint.as_deref().unwrap().starts_with("known keys here are"), "{diags:?}");
    }

    #[test]
    fn reference_year_is_four_digits_a_letter_forthcoming_or_no_date() {
        let yaml = |year: &str| format!("- key: a\n  authors: [A]\n  year: {year}\n  title: T\n");
        for year in ["2020", "\"2020a\"", "forthcoming", "n.d."] {
            parse_yaml::<Vec<Reference>>(&yaml(year), "content/references.yaml", 0).unwrap();
        }
        for year in ["twenty18", "20", "\"2020ab\"", "2020.5", "nd", "n.d"] {
            let errs = parse_yaml::<Vec<Reference>>(&yaml(year), "content/references.yaml", 0).unwrap_err();
            assert_eq!((errs[0].line, errs[0].col), (3, 9), "{year}: {errs:?}");
            assert!(errs[0].message.contains(crate::model::NOT_A_YEAR), "{year}: {errs:?}");
            assert!(errs[0].hint.as_deref().unwrap().contains("forthcoming"), "{errs:?}");
        }
    }

    fn mistakes<T: DeserializeOwned>(yaml: &str) -> (Option<T>, Vec<(usize, usize, String)>) {
        let (value, diags) = read_yaml_text::<T>(yaml, "f.yaml", 0);
        (value, diags.into_iter().map(|d| (d.line, d.col, d.message)).collect())
    }

    #[test]
    fn every_mistake_of_a_file_is_found_and_the_value_still_read() {
        let yaml = "title: T\nordered: \"yes\"\nitems:\n  - txet: a\n    detail: b\n  - text: c\n    colour: red\n";
        let (list, found) = mistakes::<crate::model::NamedList>(yaml);
        let at: Vec<(usize, usize)> = found.iter().map(|(l, c, _)| (*l, *c)).collect();
        assert_eq!(at, [(2, 10), (4, 5), (7, 5)], "{found:?}");
        assert!(found[1].2.contains("unknown key `txet`"), "{found:?}");
        let list = list.expect("the typo is read as `text` and the unknown key left out");
        assert_eq!(&*list.items[0].text, "a");
        assert!(list.items[1].detail.is_none());
    }

    #[test]
    fn a_bad_value_is_left_out_and_a_duplicate_key_reported_once() {
        let yaml = "category: c\nresident_profile: r\nestate: male\npopulation: many\nregion: A\nregion: B\n";
        let (profile, found) = mistakes::<crate::model::Profile>(yaml);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!((found[0].0, found[0].1), (4, 13));
        assert!(found[1].2.contains("`region` appears twice"), "{found:?}");
        let profile = profile.unwrap();
        assert_eq!((profile.population, profile.region.as_deref()), (None, Some("A")));
    }

    #[test]
    fn a_required_value_left_out_is_not_reported_again_as_missing() {
        let (attributes, found) = mistakes::<crate::model::Attributes>("n: many\nsource: interviews\nitems: []\n");
        assert!(attributes.is_none());
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].2.contains("found `many`"), "{found:?}");
    }

    #[test]
    fn a_required_value_of_the_wrong_kind_does_not_hide_the_next_mistake() {
        let yaml = "n: many\nsource: interviews\nitems:\n  - {name: \"\", count: 3}\n  - {name: B, count: lots}\n";
        let (attributes, found) = mistakes::<crate::model::Attributes>(yaml);
        assert!(attributes.is_none(), "a value with a stand-in in it is never returned");
        let at: Vec<(usize, usize)> = found.iter().map(|(l, c, _)| (*l, *c)).collect();
        assert_eq!(at, [(1, 4), (4, 12), (5, 22)], "{found:?}");
        assert!(found[0].2.contains("found `many`"), "{found:?}");
        assert!(found[1].2.contains("empty"), "{found:?}");
        assert!(found[2].2.contains("found `lots`"), "{found:?}");

        // A key with nothing after it is placed at its colon: the stand-in goes after it.
        let (_, found) = mistakes::<crate::model::Attributes>("n:\nsource: s\nitems:\n  - {name: B, count: lots}\n");
        let at: Vec<(usize, usize)> = found.iter().map(|(l, c, _)| (*l, *c)).collect();
        assert_eq!(at, [(1, 2), (4, 22)], "{found:?}");
        assert!(found[0].2.contains("found nothing"), "{found:?}");
    }

    #[test]
    fn a_missing_key_points_at_its_block_in_a_list() {
        let yaml = "title: T\nitems:\n  - text: a\n  - detail: b\n    extra_line: x\n";
        let (_, found) = mistakes::<crate::model::NamedList>(yaml);
        let missing = found.iter().find(|(_, _, m)| m.contains("missing required key `text`")).unwrap();
        assert_eq!((missing.0, missing.1), (4, 5), "{found:?}");
    }

    #[test]
    fn a_stray_colon_is_quoted_to_read_on() {
        let yaml = "title: He said: no\nweight: x\n";
        let (_, found) = mistakes::<FrontMatter>(yaml);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!((found[0].0, found[0].1), (1, 15));
        assert_eq!((found[1].0, found[1].1), (2, 9), "columns after the quoting are the original ones");
    }

    #[test]
    fn text_that_is_not_yaml_is_one_mistake_and_the_search_is_bounded() {
        let (value, found) = mistakes::<FrontMatter>("title: T\n\tweight: 2\nnumbered: maybe\n");
        assert!(value.is_none());
        assert_eq!(found, [(2, 1, "a tab is used for indentation".to_string())]);
        let (_, found) = mistakes::<crate::model::LadderLevel>("n: 1\nname: [1, 2]\ndescription: d\n");
        assert_eq!(found, [(2, 7, "expected a single value, such as a text; found a list".to_string())]);
        let many: String = (0..200).map(|i| format!("key{i}: {i}\n")).collect();
        let (_, found) = mistakes::<FrontMatter>(&many);
        assert_eq!(found.len(), MAX_MISTAKES);
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        assert_eq!(line_col("é\nab", 4), (2, 2));
    }
}
