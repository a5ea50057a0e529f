//! The text inside packed files (PDF, Office, zip, gzip, PNG) a reader opens whole.

/// Most that is read out of one packed file: a bound on the work for a
/// file that claims to unpack to far more than it holds.
const MAX_UNPACKED: u64 = 64 << 20;

/// The text packed inside a file a reader opens whole, which its bytes do
/// not show: a PDF's compressed pages and metadata, and the parts of a
/// Word, spreadsheet, OpenDocument, EPUB or zip file, a PNG's compressed
/// text, a gzip's content; and what these hold in turn. Files the theme's
/// `static/` folder publishes as they are, such as a questionnaire.
/// The text comes part by part, each with where it is in the file: empty
/// for the file's own text, or the path of a file packed in it
/// (`2024/interview.docx` in a zip of Word files).
pub(super) fn unpacked_text(path: &str, bytes: &[u8]) -> Vec<(String, String)> {
    unpacked(path, bytes, 0).unwrap_or_default()
}

/// How deep packed files inside packed files are read: a zip of Word files,
/// a Word file's embedded spreadsheet, and what that embeds.
const MAX_NESTING: u32 = 3;

/// [`unpacked_text`] of a file packed `depth` files deep.
fn unpacked(path: &str, bytes: &[u8], depth: u32) -> Option<Vec<(String, String)>> {
    let inner = |name: &str, bytes: &[u8]| (depth < MAX_NESTING).then(|| unpacked(name, bytes, depth + 1)).flatten();
    let whole = |text: String| Some(vec![(String::new(), text)]);
    match Packed::of(path, bytes)? {
        Packed::Pdf => {
            let mut document = lopdf::Document::load_mem(bytes).ok()?;
            document.decompress();
            let pages: Vec<u32> = document.get_pages().keys().copied().collect();
            let mut text = document.extract_text_with_limit(&pages, MAX_UNPACKED as usize).unwrap_or_default();
            // The metadata (title, author) and any text the extraction missed,
            // as the decompressed file holds it.
            let mut raw = Vec::new();
            if document.save_to(&mut raw).is_ok() {
                text.push('\n');
                text.push_str(&String::from_utf8_lossy(&raw));
            }
            whole(text)
        }
        Packed::Zip => {
            use std::io::Read;
            let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
            let mut parts = Vec::new();
            for i in 0..archive.len() {
                let Ok(entry) = archive.by_index(i) else { continue };
                let name = entry.name().to_string();
                let mut part = Vec::new();
                let _ = entry.take(MAX_UNPACKED).read_to_end(&mut part);
                // A Word or OpenDocument file's own parts are that file to
                // its author, who never sees `word/document.xml`.
                let office = name.ends_with(".xml") || name.ends_with(".rels");
                let shown = if office { String::new() } else { name.clone() };
                for (inner_part, text) in inner(&name, &part).unwrap_or_default() {
                    parts.push((within(&shown, &inner_part), text));
                }
                let part = String::from_utf8_lossy(&part);
                let text = if office { office_text(&part) } else { part.into_owned() };
                parts.push((shown, format!("{name}\n{text}")));
            }
            Some(parts)
        }
        Packed::Png => whole(png_text(bytes)),
        Packed::Gzip => {
            use std::io::Read;
            let mut unpacked = Vec::new();
            flate2::read::MultiGzDecoder::new(bytes).take(MAX_UNPACKED).read_to_end(&mut unpacked).ok()?;
            // `notes.zip.gz` holds `notes.zip`, which is the gzip to its author.
            let name = path.strip_suffix(".gz").unwrap_or(path);
            let mut parts = inner(name, &unpacked).unwrap_or_default();
            parts.push((String::new(), String::from_utf8_lossy(&unpacked).into_owned()));
            Some(parts)
        }
    }
}

/// Where `inner` is, as a part of the packed file `outer` (empty: the
/// file whose part this is).
fn within(outer: &str, inner: &str) -> String {
    match (outer.is_empty(), inner.is_empty()) {
        (true, _) => inner.to_string(),
        (false, true) => outer.to_string(),
        (false, false) => format!("{outer} \u{203a} {inner}"),
    }
}

/// The kinds of packed file whose text is read unpacked.
pub(super) enum Packed {
    Pdf,
    /// Word, Excel, PowerPoint, OpenDocument, EPUB and zip files.
    Zip,
    Png,
    /// `.gz`, `.svgz`.
    Gzip,
}

impl Packed {
    /// What `bytes` are by their first bytes, whatever the file's name says
    /// (a Word file saved as `consent.dat`), or else by its extension.
    pub(super) fn of(path: &str, bytes: &[u8]) -> Option<Packed> {
        let starts = |magic: &[u8]| bytes.starts_with(magic);
        if starts(b"%PDF-") {
            Some(Packed::Pdf)
        } else if starts(b"PK\x03\x04") {
            Some(Packed::Zip)
        } else if starts(b"\x89PNG\r\n\x1a\n") {
            Some(Packed::Png)
        } else if starts(&[0x1f, 0x8b]) {
            Some(Packed::Gzip)
        } else {
            // Every output file comes here: its extension is compared, not copied.
            let extension = path.rsplit_once('.')?.1;
            let is = |names: &[&str]| names.iter().any(|name| extension.eq_ignore_ascii_case(name));
            // A PDF may have bytes before its `%PDF-`, which readers allow.
            is(&["pdf"]).then_some(Packed::Pdf)
        }
    }
}

/// A PNG's compressed text chunks (`zTXt`, and `iTXt` when compressed),
/// unpacked: a photo's caption or author that its bytes do not show.
/// (`tEXt` is plain, and read with the file.)
fn png_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut text = String::new();
    let mut at = 8;
    while let Some(head) = bytes.get(at..at + 8) {
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let Some(data) = bytes.get(at + 8..at + 8 + len) else { break };
        let packed = match &head[4..8] {
            b"zTXt" => data.iter().position(|&b| b == 0).and_then(|nul| data.get(nul + 2..)),
            b"iTXt" => data.iter().position(|&b| b == 0).and_then(|nul| {
                // Compressed flag and method, then a language and a translated keyword, each NUL-ended.
                let rest = data.get(nul + 3..).filter(|_| data.get(nul + 1) == Some(&1))?;
                let lang = rest.iter().position(|&b| b == 0)?;
                let keyword = rest[lang + 1..].iter().position(|&b| b == 0)?;
                rest.get(lang + 1 + keyword + 1..)
            }),
            _ => None,
        };
        if let Some(packed) = packed {
            let mut unpacked = Vec::new();
            let _ = flate2::read::ZlibDecoder::new(packed).take(MAX_UNPACKED).read_to_end(&mut unpacked);
            text.push_str(" | ");
            text.push_str(&String::from_utf8_lossy(&unpacked));
        }
        at += 12 + len;
    }
    text
}

/// The text of an office document's XML part as its reader sees it: a
/// word processor splits a line into runs anywhere (`<w:t>Jo</w:t>` then
/// `<w:t> Brown</w:t>`), so tags are no boundary, but the end of a
/// paragraph or a table cell is.
pub(super) fn office_text(xml: &str) -> String {
    const ENDS: &[&str] = &["/w:p", "/w:tc", "/a:p", "/a:tc", "/text:p", "/text:h", "/table:table-cell", "/si", "/c"];
    let mut text = String::with_capacity(xml.len() / 2);
    let mut attributes = String::new();
    let mut rest = xml;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else { break };
        let tag = &rest[open + 1..open + close];
        let name = tag.split([' ', '\t', '\r', '\n']).next().unwrap_or(tag).trim_end_matches('/');
        if ENDS.contains(&name) {
            text.push_str(" | ");
        } else if matches!(name, "w:tab" | "w:br" | "text:s" | "text:tab" | "text:line-break" | "a:br") {
            text.push(' ');
        }
        // Attribute values, each on its own after the text (a run's
        // `xml:space` must not split it): a comment's or a tracked change's
        // `w:author="…"` is a name the document carries.
        for value in tag.split('"').skip(1).step_by(2) {
            attributes.push_str(" | ");
            attributes.push_str(value);
        }
        rest = &rest[open + close + 1..];
    }
    text.push_str(rest);
    text.push_str(&attributes);
    text
}
