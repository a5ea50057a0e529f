//! `wingreport docx`: one Word document per site report.
//!
//! The site is built into a temporary folder ([`crate::export`], as for
//! `pdf`), and each report page's rendered `<main>` is turned into a .docx
//! ([`convert`]), so the document holds exactly what the page does,
//! numbered the same way. The same input gives the same bytes: nothing in a document
//! depends on the time, the order reports are converted in or the machine's
//! state beyond its fonts (which draw the chart labels).

mod chart;
mod convert;
mod package;

use std::collections::BTreeSet;
use std::path::Path;

use rayon::prelude::*;

use crate::build::Failure;
use crate::export::{Exported, Format, Prepared, Request};

pub use chart::Rasteriser;

/// How `docx` names its files and says what it does.
pub const FORMAT: Format = Format { extension: "docx", files: "Word documents", verb: "convert", done: "Converted" };

/// Builds the project into a temporary folder and converts each site report
/// (or only the one asked for) to `<output>/<id>.docx`; the output folder
/// defaults to `ROOT/docx`.
pub fn docx(request: &Request) -> Result<Exported, Failure> {
    let prepared = Prepared::new(request, FORMAT)?;
    let raster = Rasteriser::new();
    let progress = prepared.progress();
    let converted = prepared
        .ids
        .par_iter()
        .map(|id| {
            let (bytes, drawn) = report(&prepared.report_folder(id), &raster)
                .map_err(|e| Failure::Io(format!("cannot convert site {id} to Word: {e}")))?;
            prepared.put(id, &bytes)?;
            progress.inc(1);
            Ok((id.clone(), drawn))
        })
        .collect::<Result<Vec<_>, Failure>>();
    progress.finish_and_clear();
    // Word draws the document's text with the reader's fonts; only the
    // charts and pictures are drawn here, with this machine's.
    let unprintable = crate::fonts::unprintable(converted?, || raster.fonts());
    prepared.finish(unprintable)
}

/// One built report folder (index.html, site.json) to .docx bytes, and
/// the characters its pictures draw that need a glyph.
pub fn report(folder: &Path, raster: &Rasteriser) -> Result<(Vec<u8>, BTreeSet<char>), String> {
    let page = folder.join("index.html");
    let html = std::fs::read_to_string(&page).map_err(|e| format!("cannot read {}: {e}", page.display()))?;
    let meta = convert::Meta { authors: record_authors(&folder.join("site.json")), folder: Some(folder) };
    let converted = convert::convert(&html, &meta, raster)?;
    let bytes = package::finish(converted.xml, &converted.properties, &converted.marks)?;
    Ok((bytes, converted.drawn))
}

/// The authors listed in the report's data download, when it has them; the
/// cover's list is the fallback.
fn record_authors(path: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(path) else { return Vec::new() };
    let Ok(record) = serde_json::from_str::<serde_json::Value>(&text) else { return Vec::new() };
    record
        .get("authors")
        .and_then(|a| a.as_array())
        .map(|list| list.iter().filter_map(|a| a.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authors_come_from_the_record_when_it_lists_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("site.json");
        std::fs::write(&path, r#"{"authors": ["A. Author", "B. Author"]}"#).unwrap();
        assert_eq!(record_authors(&path), ["A. Author", "B. Author"]);
        std::fs::write(&path, "not json").unwrap();
        assert!(record_authors(&path).is_empty());
    }

    /// Found by QA: a vertical tab (Word's manual line break) pasted into a
    /// section was written into document.xml as it was, and the document
    /// did not open. Whatever reaches the writer, every part is XML 1.0.
    #[test]
    fn control_characters_that_reach_the_writer_leave_every_part_well_formed() {
        let dir = tempfile::tempdir().unwrap();
        let page = "<html lang=\"en\"><body><main><h1>Title\u{b}one</h1><p class=\"cover-summary\">Sum\u{1}mary</p>\
            <h2 id=\"s\">Sec\u{1b}tion</h2><p>Pasted from Word\u{b}with a break\u{7}, and \u{ffff}.</p>\
            <table><thead><tr><th>Head\u{c}</th></tr></thead><tbody><tr><td>cell\u{8}</td></tr></tbody></table>\
            </main></body></html>";
        std::fs::write(dir.path().join("index.html"), page).unwrap();
        let (bytes, _) = report(dir.path(), &Rasteriser::new()).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut document = String::new();
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).unwrap();
            let name = entry.name().to_string();
            let mut xml = String::new();
            std::io::Read::read_to_string(&mut entry, &mut xml).unwrap();
            if let Err(err) = roxmltree::Document::parse(&xml) {
                panic!("{name} is not well-formed: {err}");
            }
            if name == "word/document.xml" {
                document = xml;
            }
        }
        assert!(document.contains("Pasted from Wordwith a break, and ."), "the text is kept: {document}");
    }
}
