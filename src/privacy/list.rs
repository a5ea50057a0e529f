//! The private real-names list: where it is, and each line read as the
//! names it holds.

use std::path::Path;

use crate::diagnostics::Diagnostic;
use crate::model::DEFAULT_REAL_NAMES;

use super::packed::Packed;

/// The names of the deny-list: one per line, `#` starts a comment, a
/// byte-order mark is not part of the first name. A missing list at the
/// default place is an empty list: projects without pseudonymised data
/// need none. One that `[privacy] real_names` names must exist: a typo in
/// the path would otherwise turn the check off without a word.
///
/// Lists come out of spreadsheets and old editors: lines may end in CR
/// alone, the file may be UTF-16, and a line may be a row `Smith, Ida` or
/// `"Ida","Smith"`. Each is read as the names it holds; what cannot be read
/// as names fails the run, since it would leave names unchecked.
pub fn read_deny_list(root: &Path, relative: &str) -> Result<Vec<String>, Diagnostic> {
    let path = root.join(relative);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && relative == DEFAULT_REAL_NAMES => {
            return look_alike(root).map_or(Ok(Vec::new()), Err);
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let config = std::fs::read_to_string(root.join("wingreport.toml")).unwrap_or_default();
            let line = config.lines().position(|l| l.trim_start().starts_with("real_names")).map_or(0, |i| i + 1);
            return Err(Diagnostic::new(
                "wingreport.toml",
                line,
                usize::from(line > 0),
                format!("`[privacy] real_names` names `{relative}`, which does not exist"),
            )
            .with_hint("correct the path, or create the list there: without it no real name is checked"));
        }
        Err(e) => return Err(Diagnostic::whole_file(relative, format!("cannot read the real-names list: {e}"))),
    };
    if let Some(kind) = office_kind(&bytes) {
        return Err(Diagnostic::whole_file(relative, format!("the real-names list is {kind}, not text")).with_hint(
            "save it as text, one name a line (a spreadsheet's \"CSV UTF-8\", a word processor's \"Plain Text\"), \
             and name that file: no name in it is checked until then",
        ));
    }
    let text = decoded(&bytes).map_err(|(line, col)| {
        Diagnostic::new(relative, line, col, "the real-names list is not UTF-8 text from here on").with_hint(
            "save it as UTF-8 (a spreadsheet's \"CSV UTF-8\", an editor's \"UTF-8\" encoding): no name in it is \
             checked until then",
        )
    })?;
    let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n").replace('\r', "\n");
    let mut names = Vec::new();
    for (index, line) in text.lines().enumerate() {
        names.extend(
            list_line(line)
                .map_err(|(col, message, hint)| Diagnostic::new(relative, index + 1, col, message).with_hint(hint))?,
        );
    }
    Ok(names)
}

/// The names one line of the list stands for, or where and why it cannot
/// be read as names: a line that matched no name would check nothing.
fn list_line(line: &str) -> Result<Vec<String>, (usize, String, &'static str)> {
    let entry = line.split('#').next().unwrap_or("");
    // A list pasted from a word processor: `1. Ida Smith`, `• Ida Smith`.
    let marker = list_marker(entry);
    let parts: Vec<&str> = entry[marker..]
        .split([',', ';', '\t'])
        .map(|part| part.trim().trim_matches(['"', '\'']).trim())
        .filter(|part| !part.is_empty())
        .collect();
    let col = |c: char| entry.find(c).map_or(1, |at| entry[..at].chars().count() + 1);
    for part in &parts {
        if let Some(c) = part.chars().find(|&c| !(c.is_alphabetic() || is_name_mark(c))) {
            let hint = if c.is_numeric() {
                "write the name alone; keep notes after a `#` (`Ida Smith  # withdrew`)"
            } else {
                "write the name alone, one person a line; keep notes after a `#` (`Ida Smith  # withdrew`), and \
                 write each form of a name on a line of its own (`Robert Smith`, `Bob Smith`)"
            };
            return Err((col(c), format!("`{c}` is no part of a name, so this line would match no name"), hint));
        }
        if part.contains(" - ") || part.contains(" '") || part.contains("' ") {
            return Err((
                1,
                "this line holds more than a name".to_string(),
                "write the name alone; keep notes after a `#`",
            ));
        }
    }
    let title = |name: &str| {
        let (first, rest) = name.split_once(' ')?;
        let first = first.trim_end_matches('.');
        TITLES.iter().any(|t| t.eq_ignore_ascii_case(first)).then(|| rest.trim().to_string())
    };
    let mut names: Vec<String> = match parts[..] {
        [] => Vec::new(),
        [name] => vec![name.to_string()],
        // Two people: each has words of their own (`Bob Day, Cy Ray`).
        [first, second] if first.contains(' ') && second.contains(' ') => {
            vec![first.to_string(), second.to_string()]
        }
        // `Smith, Ida` is Ida Smith; a row `Ida,Smith` may be either way round.
        [first, second] => vec![format!("{second} {first}"), format!("{first} {second}")],
        _ => {
            return Err((
                1,
                format!("this line of the real-names list holds {} values separated by commas", parts.len()),
                "write one person a line, as `Given Surname` or `Surname, Given`; keep other columns (a site, a \
                 role) out of the list",
            ));
        }
    };
    // `Mr Ida Smith` is written `Ida Smith` as often: both are looked for.
    let untitled: Vec<String> = names.iter().filter_map(|name| title(name)).filter(|n| !n.is_empty()).collect();
    names.extend(untitled);
    Ok(names)
}

/// Titles a name may be listed with.
const TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "rev",
    "revd",
    "lord",
    "lady",
    "sister",
    "brother",
    "father",
];

/// Letters' companions in names: apostrophes, hyphens, spaces, full stops
/// (`St. John`), combining accents.
fn is_name_mark(c: char) -> bool {
    matches!(c, ' ' | '\'' | '\u{2019}' | '\u{2bc}' | '-' | '\u{2010}' | '\u{2011}' | '.' | '\u{a0}')
        || unicode_normalization::char::is_combining_mark(c)
}

/// Bytes of a list item's marker at the start of `entry`: `1.`, `2)`, `•`,
/// `-`, `*` and the spaces after it; 0 when there is none.
fn list_marker(entry: &str) -> usize {
    let trimmed = entry.trim_start();
    let lead = entry.len() - trimmed.len();
    let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
    let after = if digits > 0 {
        trimmed[digits..].strip_prefix(['.', ')'])
    } else {
        trimmed.strip_prefix(['\u{2022}', '\u{b7}', '\u{25e6}', '\u{2023}', '-', '*'])
    };
    match after {
        Some(rest) if rest.starts_with(char::is_whitespace) => {
            lead + (trimmed.len() - rest.len()) + (rest.len() - rest.trim_start().len())
        }
        _ => 0,
    }
}

/// The text of a list saved as UTF-8 or as UTF-16 (with a byte-order
/// mark, or without one, when its NUL bytes give it away), or the line and
/// column where it stops being UTF-8.
fn decoded(bytes: &[u8]) -> Result<String, (usize, usize)> {
    let utf16 = |body: &[u8], little: bool| {
        let units = body.chunks(2).map(|pair| match (pair, little) {
            ([a, b], true) => u16::from_le_bytes([*a, *b]),
            ([a, b], false) => u16::from_be_bytes([*a, *b]),
            _ => 0xD800,
        });
        char::decode_utf16(units).collect::<Result<String, _>>().map_err(|_| (1, 1))
    };
    match bytes {
        [0xFF, 0xFE, body @ ..] => utf16(body, true),
        [0xFE, 0xFF, body @ ..] => utf16(body, false),
        // ASCII in UTF-16 has a NUL beside every letter: after it when little-endian.
        _ if bytes.contains(&0) => {
            let odd_nuls = bytes.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
            utf16(bytes, odd_nuls * 2 >= bytes.len() / 2)
        }
        _ => String::from_utf8(bytes.to_vec()).map_err(|e| {
            let valid = std::str::from_utf8(&bytes[..e.utf8_error().valid_up_to()]).unwrap_or_default();
            crate::load::line_col(valid, valid.len())
        }),
    }
}

/// What a list saved by an office program is, by its first bytes (a zip
/// for today's formats, a compound file for older ones), which no text is.
fn office_kind(bytes: &[u8]) -> Option<&'static str> {
    match Packed::of("", bytes) {
        Some(Packed::Zip) => Some("a spreadsheet or word-processor file"),
        Some(Packed::Pdf) => Some("a PDF"),
        _ if bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") => Some("a spreadsheet or word-processor file"),
        _ if bytes.starts_with(b"{\\rtf") => Some("a word-processor file (RTF)"),
        _ => None,
    }
}

/// Extensions of spreadsheets and word-processor files, which a list may
/// be kept in but must be saved out of as text to be read.
const SPREADSHEETS: &[&str] = &[".xlsx", ".xlsm", ".xls", ".ods", ".numbers"];
const WORD_PROCESSED: &[&str] = &[".docx", ".doc", ".odt", ".rtf", ".pages", ".pdf"];

/// With no list at the default place: a file that looks like the list
/// elsewhere, which would otherwise go unread. Looked for in `private/`
/// and its folders (`real_names.txt`, `real-names.txt.txt`, `names.csv`,
/// `lists/real-names.txt`, `participants.txt`, `interviewees.csv`), in a
/// `Private/` folder, and at the project's top (`real-names.txt`).
fn look_alike(root: &Path) -> Option<Diagnostic> {
    let (folder, expected) = DEFAULT_REAL_NAMES.rsplit_once('/')?;
    // A text file named for the people a study met (not for its prisons or
    // wings); their transcripts and forms (`interviewee-3.docx`) are no list.
    let like_a_list = |name: &str| {
        let name = name.to_lowercase();
        let for_names = ["name", "realname", "surname", "namelist"];
        let for_people = ["participant", "pseudonym", "people", "interviewee", "respondent", "mentee", "mentor"];
        let ends = |extensions: &[&str]| extensions.iter().any(|ext| name.ends_with(ext));
        let text = ends(&[".txt", ".csv", ".tsv"]) || !name.contains('.') || ends(SPREADSHEETS);
        // Whole words, one or many (`mentors.txt`, not `mentoring-notes.txt`).
        let mut words = name.split(|c: char| !c.is_alphanumeric()).map(|word| word.strip_suffix('s').unwrap_or(word));
        // A word-processor file named for people is a transcript or a form
        // (`interviewee-3.docx`); one named for names is a list (`real names.docx`).
        let people = !ends(WORD_PROCESSED);
        (text || ends(WORD_PROCESSED))
            && words.any(|word| for_names.contains(&word) || (people && for_people.contains(&word)))
    };
    let mut found: Vec<String> = Vec::new();
    let top = std::fs::read_dir(root).ok()?.flatten().collect::<Vec<_>>();
    for entry in &top {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if path.is_dir() && name.eq_ignore_ascii_case(folder) {
            let files = walkdir::WalkDir::new(&path).max_depth(3).into_iter().flatten();
            found.extend(
                files
                    .filter(|file| file.file_type().is_file() && like_a_list(&file.file_name().to_string_lossy()))
                    .filter_map(|file| {
                        file.path().strip_prefix(root).ok().map(|p| p.to_string_lossy().replace('\\', "/"))
                    }),
            );
        } else if path.is_file() && like_a_list(&name) && name.contains('.') {
            // At the top, only with its extension (`.txt`, `.csv`, `.tsv`).
            found.push(name);
        } else if path.is_dir()
            && !name.starts_with('.')
            && !["content", "themes", "output", "target"].contains(&name.as_str())
        {
            // The list itself one folder off (`lists/real-names.txt`, `privte/`).
            let inside = std::fs::read_dir(&path).into_iter().flatten().flatten();
            found.extend(inside.filter_map(|file| {
                let file_name = file.file_name().to_string_lossy().to_lowercase();
                let real_names = file_name.contains("real") && file_name.contains("name");
                (real_names && file.path().is_file()).then(|| format!("{name}/{}", file.file_name().to_string_lossy()))
            }));
        }
    }
    found.sort();
    let name = found.first()?;
    let lower = name.to_lowercase();
    let office = SPREADSHEETS.iter().chain(WORD_PROCESSED).any(|ext| lower.ends_with(ext));
    let place = if office {
        format!(
            "save it as text, one name a line (a spreadsheet's \"CSV UTF-8\", a word processor's \"Plain Text\"), \
             at `{DEFAULT_REAL_NAMES}`"
        )
    } else {
        format!(
            "move or rename it to `{DEFAULT_REAL_NAMES}` (`{expected}` in `{folder}/`), or name it in wingreport.toml \
             (`[privacy] real_names = \"{name}\"`)"
        )
    };
    Some(
        Diagnostic::whole_file(
            name.clone(),
            format!("this looks like the real-names list, which is read from `{DEFAULT_REAL_NAMES}` only"),
        )
        .with_hint(format!(
            "{place}: until then no real name is checked. If it lists no participant (prisons, say), keep the real \
             list at `{DEFAULT_REAL_NAMES}`, empty if no participant is named"
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_blank_lines_and_a_byte_order_mark_are_not_names() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("names.txt"), "\u{feff}# staff\nIda Smith  # interviewee\n\n  Jo\n").unwrap();
        assert_eq!(read_deny_list(dir.path(), "names.txt").unwrap(), ["Ida Smith", "Jo"]);
        let empty = tempfile::tempdir().unwrap();
        assert!(read_deny_list(empty.path(), DEFAULT_REAL_NAMES).unwrap().is_empty(), "the default may be missing");
        let missing = read_deny_list(dir.path(), "private/real_names.txt").unwrap_err();
        assert_eq!(missing.message, "`[privacy] real_names` names `private/real_names.txt`, which does not exist");
    }

    #[test]
    fn a_list_from_a_spreadsheet_or_an_old_editor_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let read = |bytes: &[u8]| {
            std::fs::write(dir.path().join("names.txt"), bytes).unwrap();
            read_deny_list(dir.path(), "names.txt")
        };
        let both = ["Ida Smith", "Jo Brown"];
        assert_eq!(read(b"Ida Smith\rJo Brown\r").unwrap(), both, "CR line ends");
        let utf16 = |little: bool, bom: bool| -> Vec<u8> {
            let units = bom.then_some(0xFEFF).into_iter().chain("Ida Smith\r\nJo Brown\r\n".encode_utf16());
            units.flat_map(|u| if little { u.to_le_bytes() } else { u.to_be_bytes() }).collect()
        };
        for (little, bom) in [(true, true), (true, false), (false, true), (false, false)] {
            assert_eq!(read(&utf16(little, bom)).unwrap(), both, "UTF-16, little-endian {little}, mark {bom}");
        }
        assert_eq!(
            read(b"\"Smith, Ida\"\n\"Jo\",\"Brown\",\nAl Day,\n").unwrap(),
            ["Ida Smith", "Smith Ida", "Brown Jo", "Jo Brown", "Al Day"]
        );
        let row = read(b"# name, surname\nIda,Smith,HMP Risley\n").unwrap_err();
        assert_eq!((row.line, row.col), (2, 1));
        assert!(row.message.contains("3 values separated by commas"), "{}", row.message);
        // Found by a privacy audit: each of these matched no name, in silence.
        assert_eq!(read(b"Bob Day, Cy Ray\nDi;Lee\n").unwrap(), ["Bob Day", "Cy Ray", "Lee Di", "Di Lee"]);
        assert_eq!(
            read(b"1. Hal Hunt\n\xe2\x80\xa2 Gus Gray\n- Flo Fry\n").unwrap(),
            ["Hal Hunt", "Gus Gray", "Flo Fry"]
        );
        assert_eq!(read(b"Mr Ed Ash\nDr. Jo Oak\n").unwrap(), ["Mr Ed Ash", "Ed Ash", "Dr. Jo Oak", "Jo Oak"]);
        assert_eq!(read(b"Professor Al Bay\n").unwrap(), ["Professor Al Bay", "Al Bay"]);
        assert_eq!(read(b"Smith\tIda\n").unwrap(), ["Ida Smith", "Smith Ida"], "a spreadsheet's tab");
        for (line, col, says) in [
            ("Ed Ash (mentor)", 8, "`(` is no part of a name"),
            ("Fay Fox \u{2013} withdrew consent", 9, "`\u{2013}` is no part of a name"),
            ("Fay Fox - withdrew consent", 1, "this line holds more than a name"),
            ("Robert \"Bob\" Smith", 8, "`\"` is no part of a name"),
            ("Ida Smith 2", 11, "`2` is no part of a name"),
        ] {
            let err = read(format!("Al Day\n{line}\n").as_bytes()).unwrap_err();
            assert_eq!((err.line, err.col), (2, col), "{line}");
            assert!(err.message.starts_with(says), "{line}: {}", err.message);
        }
        assert_eq!(read("Siobhan O\u{2019}Brien-Kaur\nSt. John Ray\n".as_bytes()).unwrap().len(), 2);
        let latin1 = read(b"Ida Smith\nJos\xe9 Nu\xf1ez\n").unwrap_err();
        assert_eq!((latin1.line, latin1.col), (2, 4));
        assert!(latin1.hint.unwrap().contains("save it as UTF-8"));
    }

    #[test]
    fn a_list_saved_under_another_name_beside_the_default_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("private")).unwrap();
        std::fs::write(dir.path().join("private/notes.txt"), "not a list").unwrap();
        // Found by a re-check: a list of prisons is no list of people, nor a transcript.
        std::fs::write(dir.path().join("private/prisons.txt"), "HMP Risley\nHMP Drake Hall\n").unwrap();
        std::fs::write(dir.path().join("private/interviewee-3.docx"), "a transcript").unwrap();
        std::fs::write(dir.path().join("private/mentoring-notes.txt"), "notes").unwrap();
        assert!(read_deny_list(dir.path(), DEFAULT_REAL_NAMES).unwrap().is_empty());
        std::fs::write(dir.path().join("private/real-names.txt.txt"), "Ida Smith\n").unwrap();
        let err = read_deny_list(dir.path(), DEFAULT_REAL_NAMES).unwrap_err();
        assert_eq!(err.path, "private/real-names.txt.txt");
        assert!(err.hint.unwrap().contains("rename it to `private/real-names.txt`"));
        // Found by a privacy audit: each of these was not read, in silence.
        for (place, shown) in [
            ("private/lists/real-names.txt", "private/lists/real-names.txt"),
            ("Private/real-names.txt", "Private/real-names.txt"),
            ("real-names.txt", "real-names.txt"),
            ("private/participants.txt", "private/participants.txt"),
            ("lists/real-names.txt", "lists/real-names.txt"),
            ("privte/real_names.csv", "privte/real_names.csv"),
            ("private/interviewees.txt", "private/interviewees.txt"),
            ("private/mentors.txt", "private/mentors.txt"),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(place);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "Ida Smith\n").unwrap();
            let err = read_deny_list(dir.path(), DEFAULT_REAL_NAMES).unwrap_err();
            assert_eq!(err.path, shown, "{place}");
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("names-of-sites.md"), "not a list").unwrap();
        assert!(read_deny_list(dir.path(), DEFAULT_REAL_NAMES).unwrap().is_empty(), "only text lists at the top");
        // Found by a later re-check: a list kept as a spreadsheet or a Word
        // file was not read, in silence, and named in the config it read as UTF-16.
        for place in [
            "private/real-names.xlsx",
            "private/Participant names.xlsx",
            "private/real names.docx",
            "private/real-names.pdf",
        ] {
            let dir = tempfile::tempdir().unwrap();
            std::fs::create_dir_all(dir.path().join("private")).unwrap();
            std::fs::write(dir.path().join(place), b"PK\x03\x04\0\0\0").unwrap();
            let err = read_deny_list(dir.path(), DEFAULT_REAL_NAMES).unwrap_err();
            assert_eq!(err.path, place);
            assert!(err.hint.unwrap().contains("save it as text, one name a line"), "{place}");
            let err = read_deny_list(dir.path(), place).unwrap_err();
            assert_eq!(err.message, "the real-names list is a spreadsheet or word-processor file, not text");
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("names.rtf"), "{\\rtf1\\ansi Ida Smith}").unwrap();
        let err = read_deny_list(dir.path(), "names.rtf").unwrap_err();
        assert_eq!(err.message, "the real-names list is a word-processor file (RTF), not text");
    }
}
