//! Check after render: no name on the real-names deny-list may appear in
//! the generated output. Reads the private list and the rendered files;
//! reports where each leaked name came from, and never writes the list out.
//!
//! Names are looked for in the text as a reader meets it ([`Reading`]),
//! not in the markup, so no tag, entity, emphasis mark, accent written as
//! two characters, soft hyphen or address can hide one.

mod forms;
mod list;
mod packed;
mod reading;
mod script;
mod sources;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::diagnostics::Diagnostic;
use crate::render::OutputFile;
use forms::{Matcher, address_forms, camel_case_words, linked_file_names, read_names, text_forms};
pub use list::read_deny_list;
use packed::unpacked_text;
use reading::Reading;
use sources::source_lines;

/// Looks for the listed names file by file, as each is written, from any
/// thread; [`Scanner::finish`] explains what it found.
pub struct Scanner {
    forms: Arc<Forms>,
    /// Each leaked name, as read, and where it was found.
    leaked: Mutex<BTreeMap<String, Leak>>,
}

/// The list's names in every form they are looked for in.
struct Forms {
    /// `Err` when the list cannot be checked at all, which fails the run.
    matcher: Result<Option<Matcher>, String>,
    /// The forms only addresses and file names are read for (see [`address_forms`]).
    addresses: Option<Matcher>,
}

/// Where a listed name was found in the output.
#[derive(Debug, Default)]
struct Leak {
    /// The first output path (in path order, so threads cannot change the
    /// report) that holds it.
    first: String,
    /// Each packed file, or part of one, that holds it (`static/a.zip ›
    /// interview-3.docx`): no source line wrote those, so each is reported.
    packed: BTreeSet<String>,
}

impl Scanner {
    pub fn new(names: &[String]) -> Self {
        let read = read_names(names);
        let matcher = Matcher::of_forms(text_forms(&read)).map_err(|e| e.to_string());
        let addresses = Matcher::of_forms(address_forms(&read)).ok().flatten();
        Scanner { forms: Arc::new(Forms { matcher, addresses }), leaked: Mutex::default() }
    }

    /// A scanner for the same list with nothing found yet. Making the
    /// forms' automata is most of the time `serve` takes to scan a save.
    pub fn again(&self) -> Scanner {
        Scanner { forms: self.forms.clone(), leaked: Mutex::default() }
    }

    /// Reads the file's path and its text; of a stylesheet or a script,
    /// only the strings (`content: "..."`, a script's messages), since
    /// their other words (`mark`, `white-space`) are code, not prose. The
    /// search files and the built-in theme's own files hold only words
    /// wingreport wrote (the pages' own, coded), and are not read. Whether
    /// it found a name, or could not look for one.
    pub fn scan(&self, path: &str, bytes: &[u8]) -> bool {
        let Ok(Some(matcher)) = &self.forms.matcher else { return self.forms.matcher.is_err() };
        let style = path.ends_with(".css");
        let code = style || path.ends_with(".js");
        let own = code && (path.starts_with(crate::search::DIR) || crate::templates::is_built_in_static(path, bytes));
        // `from_utf8` checks ASCII a word at a time; `from_utf8_lossy` goes a
        // byte at a time, which was 3% of a build's instructions.
        let text = match std::str::from_utf8(if own { &[] } else { bytes }) {
            Ok(text) => std::borrow::Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(bytes),
        };
        let text = match (code, style) {
            (false, _) => text,
            (true, true) => crate::css::read(&text).texts.join(script::APART).into(),
            (true, false) => script::literals(&text).into(),
        };
        // The names a text holds as a reader reads it, and before an address's `@`.
        let in_text = |text: &str| -> Vec<&str> {
            let reading = Reading::of(text, false);
            let before_at = self.forms.addresses.iter().flat_map(|addresses| addresses.find_before_at(&reading.text));
            matcher.find(&reading.text).chain(before_at).collect()
        };
        let in_words = |words: &str| matcher.find(&Reading::of(words, false).text).collect::<Vec<_>>();
        let mut found = in_text(&text);
        found.extend(in_words(path));
        // Names inside a packed file, each with the part that holds it.
        let mut inside: Vec<(&str, String)> = Vec::new();
        for (part, text) in unpacked_text(path, bytes) {
            let place = if part.is_empty() { path.to_string() } else { format!("{path} \u{203a} {part}") };
            inside.extend(in_text(&text).into_iter().map(|name| (name, place.clone())));
        }
        // The file's own name, not its folders' (`sites/frankland/`), run
        // together; or else its words as capitals start them
        // (`IdaSmithInterview.pdf`), so that `IdaSmith.jpg` is one leak, not two.
        let own_name = path.rsplit('/').next().unwrap_or(path);
        let before = found.len();
        if let Some(addresses) = &self.forms.addresses {
            found.extend(addresses.find(&Reading::of(own_name, false).text));
        }
        if found.len() == before
            && let Some(words) = camel_case_words(own_name)
        {
            found.extend(in_words(&words));
        }
        // Its folders with their camel-case words apart
        // (`static/IdaSmith/photo.jpg`), not run together, for the same reason.
        for words in path.rsplit('/').skip(1).filter_map(camel_case_words) {
            found.extend(in_words(&words));
        }
        // A file a link points to, here or elsewhere, with its camel-case
        // words apart (`…/IdaSmithInterview.pdf`); not run together, as a
        // link to `…/frankland` is to a place.
        for words in linked_file_names(&text).filter_map(camel_case_words) {
            found.extend(in_words(&words));
        }
        if found.is_empty() && inside.is_empty() {
            return false;
        }
        let mut found: Vec<(&str, String, bool)> = found
            .into_iter()
            .map(|name| (name, path.to_string(), false))
            .chain(inside.into_iter().map(|(name, place)| (name, place, true)))
            .collect();
        found.sort_unstable();
        found.dedup();
        let mut leaked = self.leaked.lock().unwrap_or_else(|e| e.into_inner());
        for (name, place, packed) in found {
            let leak =
                leaked.entry(name.to_string()).or_insert_with(|| Leak { first: place.clone(), ..Leak::default() });
            if place < leak.first {
                leak.first = place.clone();
            }
            if packed {
                leak.packed.insert(place);
            }
        }
        true
    }

    /// The leaks found, each at the source lines that wrote the name.
    pub fn finish(self, root: &Path) -> Vec<Diagnostic> {
        if let Err(why) = &self.forms.matcher {
            return vec![
                Diagnostic::whole_file("wingreport.toml", format!("the real-names list is too large to check: {why}"))
                    .with_hint("`[privacy] real_names` names the list; keep one name per line"),
            ];
        }
        let leaked = self.leaked.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut diags = Vec::new();
        for (name, leak) in leaked {
            let sources = source_lines(root, &name);
            let output_path = &leak.first;
            let message = |shown: &str| format!("{LEAK}`{shown}` would be published (in {output_path})");
            let hint = "replace it with the participant's pseudonym; the name is on the private real-names list";
            // Every packed file holding it, so that one run lists each
            // transcript of a zip to fix.
            for place in &leak.packed {
                diags.push(
                    Diagnostic::whole_file(place.clone(), format!("{LEAK}`{name}` would be published"))
                        .with_hint("replace it with the participant's pseudonym in that file, and pack it again"),
                );
            }
            if sources.is_empty() && !leak.packed.contains(output_path) {
                diags.push(Diagnostic::whole_file(output_path.clone(), message(&name)).with_hint(hint));
            }
            for (path, line, col, shown) in sources {
                // Line 0: the name is in the file's name, which is its page's
                // address, or, for any other file, its own.
                let hint = match line {
                    0 if path.ends_with(".md") => {
                        "rename the file: its name is the address of its page, which every page links to"
                    }
                    0 if root.join(&path).is_dir() => {
                        "rename the folder: its name is published in the address of every file in it"
                    }
                    0 => "rename the file: its name is published as its address",
                    // A designer's credit or a sample name in a theme is nobody's pseudonym.
                    _ if path.starts_with("themes/") => {
                        "take the name out of the theme: it is on the private real-names list, and a theme's \
                         files are published with every page (credit a role or an organisation instead)"
                    }
                    _ => hint,
                };
                diags.push(Diagnostic::new(path, line, col, message(&shown)).with_hint(hint));
            }
        }
        diags
    }
}

/// How each problem of a real name found in the output begins.
const LEAK: &str = "real name ";

/// Whether a problem is a real name found in the output.
pub fn is_leak(problem: &Diagnostic) -> bool {
    problem.message.starts_with(LEAK)
}

/// `problems` as a page that other machines can reach shows them: each real
/// name found, and each other problem quoting a listed name (a picture's
/// path, a link, a record value: `names`), says where it is, but not the
/// name, the line quoting it or the hint naming it; other problems are as
/// they are. A place at line 0 is a file's or folder's name holding the
/// name (or an output file no source line wrote it into), so that path is
/// left out, as is any path that holds a name.
pub fn without_names(problems: &[Diagnostic], names: &[String]) -> Vec<Diagnostic> {
    // Any form, in any place: a page other machines read loses no more
    // than a problem's details to a word that only looks like a name.
    let read = read_names(names);
    let matcher = Matcher::of_forms(text_forms(&read).into_iter().chain(address_forms(&read)).collect()).ok().flatten();
    let names_in =
        |text: &str| matcher.as_ref().is_some_and(|m| m.find(&Reading::of(text, false).text).next().is_some());
    let quotes = |p: &Diagnostic| names_in(&p.message) || p.hint.as_deref().is_some_and(names_in);
    let named: HashSet<&str> =
        problems.iter().filter(|p| (is_leak(p) && p.line == 0) || names_in(&p.path)).map(|p| p.path.as_str()).collect();
    let mut shown: Vec<Diagnostic> = problems
        .iter()
        .map(|p| match (is_leak(p) || quotes(p), named.contains(p.path.as_str())) {
            (false, false) => p.clone(),
            (true, false) => Diagnostic::new(
                p.path.clone(),
                p.line,
                p.col,
                if is_leak(p) {
                    "a real name from the private list was found here: the terminal running serve shows it"
                } else {
                    "a problem here quotes a real name from the private list: the terminal running serve shows it"
                },
            ),
            (_, true) => Diagnostic::whole_file(
                "a path left out",
                "a real name from the private list was found where the path itself may hold it: \
                 the terminal running serve shows where",
            ),
        })
        .collect();
    // Problems that now read alike are shown once.
    crate::diagnostics::dedup(&mut shown);
    shown
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

#[cfg(test)]
mod tests {
    use super::packed::office_text;
    use super::*;

    fn names(list: &[&str]) -> Matcher {
        let list: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        text_matcher(&list)
    }

    /// What the scan looks for in text.
    fn text_matcher(list: &[String]) -> Matcher {
        Matcher::of_forms(text_forms(&read_names(list))).unwrap().unwrap()
    }

    fn found(matcher: &Matcher, text: &str) -> Vec<String> {
        matcher.find(&Reading::of(text, false).text).map(str::to_string).collect()
    }

    #[test]
    fn an_office_part_reads_runs_as_one_line_and_paragraphs_apart() {
        let m = names(&["Jo Brown"]);
        let xml = "<w:p><w:r><w:t>Jo</w:t></w:r><w:r><w:t xml:space=\"preserve\"> Brown</w:t></w:r></w:p>";
        assert_eq!(found(&m, &office_text(xml)), ["jo brown"]);
        for apart in [
            "<w:p><w:t>Jo</w:t></w:p><w:p><w:t>Brown</w:t></w:p>",
            "<w:tc><w:t>Jo</w:t></w:tc><w:tc><w:t>Brown</w:t></w:tc>",
        ] {
            assert!(found(&m, &office_text(apart)).is_empty(), "{apart}");
        }
        let comment =
            "<w:comment w:id=\"0\" w:author=\"Jo Brown\" w:initials=\"JB\"><w:p><w:t>Ok</w:t></w:p></w:comment>";
        assert_eq!(found(&m, &office_text(comment)), ["jo brown"], "a comment's author");
    }

    /// A PDF with its page compressed, as every PDF writer makes one.
    fn compressed_pdf(text: &str) -> Vec<u8> {
        use lopdf::content::{Content, Operation};
        use lopdf::{Document, Object, Stream, dictionary};
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let font = doc.add_object(dictionary! {"Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Courier"});
        let operations = vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 12.into()]),
            Operation::new("Td", vec![72.into(), 720.into()]),
            Operation::new("Tj", vec![Object::string_literal(text)]),
            Operation::new("ET", vec![]),
        ];
        let mut deflated = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut deflated, &Content { operations }.encode().unwrap()).unwrap();
        let stream = Stream::new(dictionary! {"Filter" => "FlateDecode"}, deflated.finish().unwrap());
        let contents = doc.add_object(stream);
        let page = doc.add_object(dictionary! {"Type" => "Page", "Parent" => pages_id, "Contents" => contents});
        let pages = dictionary! {
            "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
            "Resources" => dictionary! {"Font" => dictionary! {"F1" => font}},
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        };
        doc.objects.insert(pages_id, Object::Dictionary(pages));
        let catalog = doc.add_object(dictionary! {"Type" => "Catalog", "Pages" => pages_id});
        doc.trailer.set("Root", catalog);
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes).unwrap();
        bytes
    }

    /// Found by a privacy audit: a compressed PDF, Word file, zip or svgz
    /// in the theme's `static/` was published unread.
    #[test]
    fn packed_files_are_read_unpacked() {
        use std::io::Write;
        let names = ["Ida Smith", "Jo Brown", "Al Day", "Kim Lee", "Ann Orr", "Eve Ng", "Uma Roy", "Cal Poe"];
        let scanner = Scanner::new(&names.map(str::to_string));
        let pdf = compressed_pdf("Consent of Ida Smith");
        assert!(!String::from_utf8_lossy(&pdf).contains("Ida Smith"), "the page is compressed");
        scanner.scan("static/consent.pdf", &pdf);
        let mut docx = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        docx.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).unwrap();
        docx.write_all(b"<w:p><w:r><w:t>Jo</w:t></w:r><w:r><w:t xml:space=\"preserve\"> Brown</w:t></w:r></w:p>")
            .unwrap();
        scanner.scan("static/transcript.docx", &docx.finish().unwrap().into_inner());
        // Found by the re-check: a zip of Word files was read one level down only.
        let zip_of = |name: &str, bytes: &[u8]| {
            let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            zip.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            zip.write_all(bytes).unwrap();
            zip.finish().unwrap().into_inner()
        };
        let inner = zip_of("word/document.xml", b"<w:p><w:r><w:t>Eve Ng</w:t></w:r></w:p>");
        scanner.scan("static/interviews.zip", &zip_of("2024/interview.docx", &inner));
        // Found by the next re-check: a gzip of a zip, and a Word file by another name.
        let gzip = |bytes: &[u8]| {
            let mut packed = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            packed.write_all(bytes).unwrap();
            packed.finish().unwrap()
        };
        let inner = zip_of("word/document.xml", b"<w:p><w:r><w:t>Uma Roy</w:t></w:r></w:p>");
        scanner.scan("static/archive.zip.gz", &gzip(&zip_of("a.docx", &inner)));
        let renamed = zip_of("word/document.xml", b"<w:p><w:r><w:t>Cal Poe</w:t></w:r></w:p>");
        scanner.scan("static/consent.dat", &renamed);
        let zlib = |text: &[u8]| {
            let mut packed = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            packed.write_all(text).unwrap();
            packed.finish().unwrap()
        };
        let chunk = |kind: &[u8], data: &[u8]| [&(data.len() as u32).to_be_bytes()[..], kind, data, &[0; 4]].concat();
        let png = [
            &b"\x89PNG\r\n\x1a\n"[..],
            &chunk(b"zTXt", &[&b"Comment\0\0"[..], &zlib(b"Photo of Kim Lee")].concat()),
            &chunk(b"iTXt", &[&b"Author\0\x01\0en\0\0"[..], &zlib(b"Ann Orr")].concat()),
            &chunk(b"IEND", b""),
        ]
        .concat();
        scanner.scan("static/photo.png", &png);
        let mut svgz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        svgz.write_all(b"<svg><text>Al Day</text></svg>").unwrap();
        scanner.scan("static/photo.svgz", &svgz.finish().unwrap());
        let mut leaked: Vec<(String, String)> =
            scanner.leaked.into_inner().unwrap().into_iter().map(|(name, leak)| (name, leak.first)).collect();
        leaked.sort();
        assert_eq!(
            leaked,
            [
                ("al day".to_string(), "static/photo.svgz".to_string()),
                ("ann orr".to_string(), "static/photo.png".to_string()),
                ("cal poe".to_string(), "static/consent.dat".to_string()),
                ("eve ng".to_string(), "static/interviews.zip \u{203a} 2024/interview.docx".to_string()),
                ("ida smith".to_string(), "static/consent.pdf".to_string()),
                ("jo brown".to_string(), "static/transcript.docx".to_string()),
                ("kim lee".to_string(), "static/photo.png".to_string()),
                ("uma roy".to_string(), "static/archive.zip.gz \u{203a} a.docx".to_string()),
            ]
        );
    }

    /// Found by the re-check after: a name in three of forty transcripts
    /// of a zip was reported in one, and not at all when a section also
    /// wrote it, so finding them all took a run for each.
    #[test]
    fn each_packed_file_holding_a_name_is_reported() {
        use std::io::Write;
        let zip_of = |files: &[(String, Vec<u8>)]| {
            let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            for (name, bytes) in files {
                zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
                zip.write_all(bytes).unwrap();
            }
            zip.finish().unwrap().into_inner()
        };
        let docx = |text: &str| {
            let document = format!("<w:p><w:r><w:t>{text}</w:t></w:r></w:p>");
            zip_of(&[("word/document.xml".to_string(), document.into_bytes())])
        };
        let transcripts: Vec<(String, Vec<u8>)> = (1..=40)
            .map(|i| {
                let said = if [3, 17, 29].contains(&i) { "Ida Smith spoke." } else { "A mentor spoke." };
                (format!("2024/interview-{i}.docx"), docx(said))
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        std::fs::write(dir.path().join("content/a.md"), "Ida Smith spoke.\n").unwrap();
        let scanner = Scanner::new(&["Ida Smith".to_string()]);
        scanner.scan("sites/a/index.html", b"<p>Ida Smith spoke.</p>");
        scanner.scan("static/interviews.zip", &zip_of(&transcripts));
        let places: Vec<(String, usize)> =
            scanner.finish(dir.path()).into_iter().map(|problem| (problem.path, problem.line)).collect();
        assert_eq!(
            places,
            [
                ("static/interviews.zip \u{203a} 2024/interview-17.docx".to_string(), 0),
                ("static/interviews.zip \u{203a} 2024/interview-29.docx".to_string(), 0),
                ("static/interviews.zip \u{203a} 2024/interview-3.docx".to_string(), 0),
                ("content/a.md".to_string(), 1),
            ]
        );
    }

    #[test]
    fn names_are_found_however_the_output_wraps_or_marks_them_up() {
        let m = names(&["Ida Smith", "Siobhan O'Brien-Kaur"]);
        for text in [
            "with Ida\nSmith",
            "with Ida  Smith",
            "with Ida\u{a0}Smith",
            "with Ida&nbsp;Smith",
            "with Ida&#xA0;Smith",
            "with Ida <em>Smith</em>",
            "with <strong>Ida</strong>\n<a href=\"#q1\">Smith</a>",
            "with Ida<br>Smith",
            r#"{"text": "with Ida *Smith*"}"#,
            r#"{"text": "with Ida\nSmith"}"#,
            "with I<b>da</b> Smi<span class=\"x\">th</span>",
            "with Ida ~~Smith~~",
            "with Ida Smi\u{ad}th",
            "with Ida\u{200b} Smith",
            "with &#73;da Smith",
            "said Ida Smith's friend",
            "footnote Ida Smith<sup><a href=\"#fn-1\">1</a></sup>",
            "<img alt=\"Ida Smith at work\" src=\"a.png\">",
            "<a href=\"https://example.org/people/ida-smith\">profile</a>",
            "<a href=\"mailto:ida_smith@example.org\">mail</a>",
            "<img src=\"../static/Ida%20Smith.png\" alt=\"\">",
            "<h2 id=\"sec-ida-smith\">Interviews</h2>",
            "<!-- layout reviewed with Ida Smith -->\n<p>Text</p>",
            "<p>Text</p><!-- Ida Smith, unclosed",
        ] {
            assert_eq!(found(&m, text), ["ida smith"], "{text:?}");
        }
        for text in [
            "Siobhan O&#x27;Brien-Kaur",
            "Siobhan O\u{2019}Brien\u{2011}Kaur",
            "Siobhan O&#39;Brien&#8209;Kaur",
            "Siobhan O\u{2bc}Brien Kaur",
            "Siobhan O'Brien\u{2013}Kaur",
        ] {
            assert_eq!(found(&m, text), ["siobhan o'brien kaur"], "{text:?}");
        }
        for text in [
            "Ida</p>\n<p>Smith",
            "Ida</td><td>Smith",
            "Ida, Smith",
            "Idaho Smith",
            "Ida Smithers",
            "Ida. Smith",
            "Ida | Smith",
        ] {
            assert!(found(&m, text).is_empty(), "not a name to a reader: {text:?}");
        }
    }

    /// Found by a second privacy audit: each of these was published.
    #[test]
    fn letters_without_decomposition_compatibility_forms_and_addresses_are_read_plainly() {
        let m =
            names(&["Søren Lund", "Michal Nowak", "Isil Kaya", "Fiona Baker", "Ida Smith", "Lucy Gray", "José Núñez"]);
        for (text, name) in [
            ("Soren Lund", "soren lund"),
            ("Michał Nowak", "michal nowak"),
            ("Işıl Kaya", "isil kaya"),
            ("\u{fb01}ona Baker", "fiona baker"),
            ("\u{ff29}\u{ff44}\u{ff41} Smith", "ida smith"),
            ("Ida\u{ff0d}Smith", "ida smith"),
            ("Ida Smi\u{200e}th", "ida smith"),
            ("Ida Smi\u{2063}th", "ida smith"),
            ("mailto:lucy.gray@example.org", "lucy gray"),
            ("https://example.org/Jos%C3%A9_N%C3%BA%C3%B1ez", "jose nunez"),
            ("Account: Ida\\_Smith", "ida smith"),
            ("Thanks to Ida<sup class=\"footnote-ref\"><a href=\"#fn-1\">5</a></sup> Smith.", "ida smith"),
            ("Rita <acronym>Ida</acronym> Smith", "ida smith"),
            ("Smith, Ida (interviewee 4)", "smith, ida"),
        ] {
            assert_eq!(found(&m, text), [name], "{text:?}");
        }
        assert_eq!(Reading::of("Søren", false).text, "soren");
    }

    /// Also found by it: a number inside a longer number, and a name only
    /// in the coded words of a script or a stylesheet.
    #[test]
    fn numbers_stand_alone_and_code_is_not_prose() {
        let m = names(&["1234", "Lee", "Mark"]);
        assert!(found(&m, "Room 41234").is_empty());
        assert_eq!(found(&m, "Room 1234, floor 2"), ["1234"]);
        let dir = tempfile::tempdir().unwrap();
        let scanner = Scanner::new(&["Lee".to_string(), "Mark".to_string()]);
        scanner.scan("static/search/t/ev.js", b"w(\"84195lee9\")");
        scanner.scan("static/style.css", b"mark { white-space: nowrap }");
        assert!(scanner.finish(dir.path()).is_empty());
        let scanner = Scanner::new(&["Ida Smith".to_string()]);
        scanner.scan("static/Ida Smith.png", b"\x89PNG");
        assert_eq!(scanner.finish(dir.path()).len(), 1, "a file's name is read too");
    }

    #[test]
    fn accents_and_case_are_read_alike_written_either_way() {
        let m = names(&["Jos\u{e9} Nunez", "Zoe\u{308} List", "Strau\u{df}", "\u{130}lkay G\u{fc}ndo\u{11f}an"]);
        assert_eq!(found(&m, "told by Jose\u{301} Nu\u{f1}ez"), ["jose nunez"]);
        assert_eq!(found(&m, "told by Zo\u{eb} List"), ["zoe list"]);
        assert_eq!(found(&m, "told by STRAUSS"), ["strauss"]);
        assert_eq!(found(&m, "ILKAY G\u{dc}NDO\u{11e}AN"), ["ilkay gundogan"]);
    }

    #[test]
    fn names_match_whole_words_in_any_case() {
        let m = names(&["Ida Smith", "Jo", "Bob Smith Jr."]);
        assert_eq!(found(&m, "said ida smith, twice"), ["ida smith"]);
        assert_eq!(found(&m, "(JO)"), ["jo"]);
        assert!(found(&m, "Joanne and Idaho").is_empty());
        assert_eq!(found(&m, "Bob Smith Jr. spoke"), ["bob smith jr."]);
    }

    /// Found by a privacy re-check: an address or a file name that runs a
    /// name together, or drops its apostrophe, was published unread; and
    /// by the next, run-together names read in text failed builds that
    /// named HMP Frankland or Bradford.
    #[test]
    fn names_run_together_are_found_in_addresses_and_file_names_and_without_their_apostrophe_anywhere() {
        let list = ["Ida Smith", "Sean O'Brien", "Pat Tern", "Frank Land", "Brad Ford"].map(str::to_string);
        let leaks = |path: &str, text: &str| {
            let scanner = Scanner::new(&list);
            scanner.scan(path, text.as_bytes());
            scanner.leaked.into_inner().unwrap().into_keys().collect::<Vec<_>>()
        };
        assert_eq!(leaks("a.html", "write to idasmith@example.org"), ["idasmith"]);
        assert_eq!(leaks("a.html", "<a href=\"mailto:Smith.Ida@example.org\">us</a>"), ["smith ida"]);
        assert_eq!(
            leaks("a.html", "seano'brien@example.org and SeanOBrien@example.org"),
            ["seano'brien", "seanobrien"]
        );
        assert_eq!(leaks("static/IdaSmith.jpg", ""), ["idasmith"]);
        // Found by the second re-check: a name run into other words of a file name.
        assert_eq!(leaks("static/IdaSmithInterview.pdf", ""), ["ida smith"]);
        assert_eq!(leaks("static/notesIdaSmith.txt", ""), ["ida smith"]);
        assert!(leaks("static/HMPFrankland.jpg", "").is_empty());
        assert_eq!(leaks("static/IdaSmith/photo.jpg", ""), ["ida smith"]);
        assert!(leaks("static/frankland/HMPFrankland/photo.jpg", "").is_empty());
        // Found by a later re-check: the file a link points to, named in camel case.
        assert_eq!(
            leaks("a.html", "<a href=\"https://example.org/share/IdaSmithInterview.pdf?v=2#p3\">the interview</a>"),
            ["ida smith"]
        );
        assert_eq!(leaks("a.html", "<img src=\"../../static/notesIdaSmith.png\" alt=\"notes\">"), ["ida smith"]);
        // And a file named in the address's query.
        assert_eq!(
            leaks("a.html", "<a href=\"https://example.org/view?file=IdaSmith.pdf&amp;v=2\">it</a>"),
            ["ida smith"]
        );
        assert_eq!(leaks("a.html", "<a href=\"/get?doc=%2Fshare%2FIdaSmithNotes.docx\">it</a>"), ["ida smith"]);
        assert!(leaks("a.html", "<a href=\"https://example.org/map?q=HMPFrankland\">HMP Frankland</a>").is_empty());
        assert!(leaks("a.html", "<a href=\"https://www.gov.uk/guidance/frankland\">HMP Frankland</a>").is_empty());
        assert!(leaks("a.html", "<a href=\"https://example.org/HMPFrankland/\">HMP Frankland</a>").is_empty());
        assert_eq!(leaks("a.html", "told by Sean OBrien"), ["sean obrien"]);
        assert_eq!(leaks("a.html", "Sean O\u{2019}Brien"), ["sean o'brien"]);
        // Found by a later re-check: the apostrophe as a space or a hyphen,
        // and a name listed with a space found with its apostrophe.
        assert_eq!(leaks("a.html", "SEAN O BRIEN and Sean O-Brien"), ["sean o brien"]);
        assert_eq!(leaks("a.html", "O'Brien, Sean"), ["o'brien, sean"]);
        let spaced = ["Máire Ó Súilleabháin".to_string()];
        let scanner = Scanner::new(&spaced);
        scanner.scan("a.html", "Máire O'Súilleabháin and Maire OSuilleabhain".as_bytes());
        let found: Vec<String> = scanner.leaked.into_inner().unwrap().into_keys().collect();
        assert_eq!(found, ["maire o'suilleabhain", "maire osuilleabhain"]);
        let scanner = Scanner::new(&["Sean O Brien".to_string()]);
        scanner.scan("a.html", b"write to seanobrien@example.org");
        assert_eq!(scanner.leaked.into_inner().unwrap().into_keys().collect::<Vec<_>>(), ["seanobrien"]);
        // Found by the re-check after: a surname of more than one word
        // written first, and a middle initial joined into an ordinary word.
        let list = ["Ida Smith-Jones", "Anna van der Berg", "Sean O'Brien", "Kim A Long"].map(str::to_string);
        let scanner = Scanner::new(&list);
        scanner.scan("a.html", b"Smith-Jones, Ida; van der Berg, Anna; O Brien, Sean. Kim along with two mentors.");
        let found: Vec<String> = scanner.leaked.into_inner().unwrap().into_keys().collect();
        assert_eq!(found, ["o brien, sean", "smith jones, ida", "van der berg, anna"]);
        // Words and places in text, and folders named after them, are no names.
        for (path, text) in [
            ("sites/frankland/index.html", "At HMP Frankland, near Bradford, willpower and a pattern."),
            ("static/pattern.svg", "idasmiths@example.org, an address of someone else"),
        ] {
            assert!(leaks(path, text).is_empty(), "{path}: {text}");
        }
    }

    /// A regular expression of every name went over its size limit at 32
    /// two-word names and then checked nothing.
    #[test]
    fn a_long_list_is_checked_whole() {
        let list: Vec<String> = (0..5000).map(|i| format!("Given{i} Family{i}")).collect();
        let m = text_matcher(&list);
        assert_eq!(
            found(&m, "we met Given4999\nFamily4999 and Given0 <em>Family0</em>"),
            ["given4999 family4999", "given0 family0"]
        );
        // Both kinds of automaton are checked: this list is past the DFA's size.
        use aho_corasick::AhoCorasickKind::{ContiguousNFA, DFA};
        assert_eq!(m.any.kind(), ContiguousNFA);
        assert_eq!(names(&list[..1000].iter().map(String::as_str).collect::<Vec<_>>()).any.kind(), DFA);
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

    /// A page that other machines can reach says where a real name is, but
    /// neither the name nor a path holding it.
    #[test]
    fn a_real_name_problem_is_shown_without_the_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content/pages")).unwrap();
        std::fs::create_dir_all(dir.path().join("content/sites/a")).unwrap();
        std::fs::write(dir.path().join("content/pages/ida-smith.md"), "# About\nIda Smith spoke.\n").unwrap();
        std::fs::write(dir.path().join("content/sites/a/02.md"), "x\ny\nas IDA SMITH said\n").unwrap();
        let scanner = Scanner::new(&["Ida Smith".to_string(), "Zebedee Quux".to_string()]);
        scanner.scan("pages/ida-smith/index.html", b"<p>Ida Smith spoke.</p>");
        // A name no source line writes: only its output file is known.
        scanner.scan("sites/zebedee-quux/index.html", b"<p>Zebedee Quux</p>");
        let mut problems = scanner.finish(dir.path());
        assert_eq!(problems.len(), 4, "{problems:?}");
        problems.push(Diagnostic::new("content/x.yaml", 1, 2, "bad value").with_hint("fix it"));
        // Found by a re-check: other problems quoted names to every machine.
        let quoting = [
            Diagnostic::new("content/sites/a/site.yaml", 4, 9, "`estate: Ida Smith` is not an estate"),
            Diagnostic::new("content/sites/a/03.md", 2, 1, "no picture ../../static/ida-smith-bikes.jpg")
                .with_hint("put it in static/"),
            Diagnostic::new("content/sites/a/04.md", 5, 1, "broken link").with_hint("did you mean Zebedee Quux?"),
            Diagnostic::new("content/ida-smith/notes.md", 1, 1, "not in a site's folder"),
            Diagnostic::new("content/sites/a/05.md", 7, 3, "citation `@idasmith2024` is not in references.yaml"),
            Diagnostic::new("content/sites/a/06.md", 1, 1, "no page IdaSmith.html"),
        ];
        problems.extend(quoting);
        let list = ["Ida Smith".to_string(), "Zebedee Quux".to_string()];
        let shown = without_names(&problems, &list);
        for p in &shown {
            let words = format!("{} {} {:?}", p.location(), p.message, p.hint).to_lowercase();
            for name in ["ida", "smith", "zebedee", "quux"] {
                assert!(!words.contains(name), "{name} in {words}");
            }
        }
        let place = |p: &Diagnostic| (p.location(), p.hint.is_some());
        let places: Vec<_> = shown.iter().map(place).collect();
        assert_eq!(
            places,
            [
                ("a path left out".to_string(), false),
                ("content/sites/a/02.md:3:4".to_string(), false),
                ("content/x.yaml:1:2".to_string(), true),
                ("content/sites/a/site.yaml:4:9".to_string(), false),
                ("content/sites/a/03.md:2:1".to_string(), false),
                ("content/sites/a/04.md:5:1".to_string(), false),
                ("content/sites/a/05.md:7:3".to_string(), false),
                ("content/sites/a/06.md:1:1".to_string(), false),
            ]
        );
        assert_eq!(shown[2], problems[4], "other problems are as they are");
    }

    /// Found by the narrative property: a heading `<A` and a later
    /// paragraph `>` were read as one tag, hiding the name between them.
    #[test]
    fn a_tag_does_not_run_over_a_blank_line() {
        let m = names(&["Zebedee Quux"]);
        assert_eq!(found(&m, "## <A\n\nAs Zebedee Quux said.\n\n>\n"), ["zebedee quux"]);
        assert_eq!(
            found(&m, "Zebedee <span\nclass=\"x\">Quux</span>"),
            ["zebedee quux"],
            "a tag over two lines is one"
        );
    }

    #[test]
    fn the_source_is_found_however_it_spells_the_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        let text = "intro\nwith Jo**hn** Smith and\nJose\u{301} Nunez\n";
        std::fs::write(dir.path().join("content/a.md"), text).unwrap();
        let at = |name: &str| source_lines(dir.path(), name);
        assert_eq!(at("john smith"), [("content/a.md".to_string(), 2, 6, "John Smith".to_string())]);
        assert_eq!(at("jose nunez"), [("content/a.md".to_string(), 3, 1, "Jose\u{301} Nunez".to_string())]);
        // Camel case, which only file names are read for: a link's and a published file's.
        std::fs::write(dir.path().join("content/b.md"), "see [it](https://example.org/IdaSmithInterview.pdf)\n")
            .unwrap();
        std::fs::write(dir.path().join("content/notesIdaSmith.png"), b"\x89PNG\xff").unwrap();
        assert_eq!(
            at("ida smith"),
            [
                ("content/notesIdaSmith.png".to_string(), 0, 0, "IdaSmith".to_string()),
                ("content/b.md".to_string(), 1, 30, "IdaSmith".to_string()),
            ]
        ); // A folder so named, with two files in it, is one place to rename.
        std::fs::remove_file(dir.path().join("content/notesIdaSmith.png")).unwrap();
        std::fs::create_dir_all(dir.path().join("content/static/JoSmithPhotos")).unwrap();
        for photo in ["1.jpg", "2.jpg"] {
            std::fs::write(dir.path().join("content/static/JoSmithPhotos").join(photo), b"\xff\xd8").unwrap();
        }
        assert_eq!(at("jo smith"), [("content/static/JoSmithPhotos".to_string(), 0, 0, "JoSmith".to_string())]);
    }
}
