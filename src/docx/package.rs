//! Packs the parts docx-rs renders into the .docx zip, with what docx-rs
//! cannot say yet filled in, and nothing that changes from run to run.
//!
//! docx-rs has no alt text on pictures, no repeated table header rows, no
//! footnote number mark inside a footnote, and no title, author or language
//! in core.xml. The converter leaves a marker for each in the rendered XML
//! and [`finish`] swaps it for the real element; each swap checks it found
//! as many markers as were left, so a docx-rs upgrade that renders them
//! differently fails loudly instead of dropping them. The zip is written
//! here rather than by docx-rs so every entry has the same fixed date.

use std::io::Write;

use docx_rs::XMLDocx;
use zip::write::SimpleFileOptions;

/// Text of the run the converter puts first in each footnote, replaced by
/// Word's footnote number mark (`w:footnoteRef`). A private-use character,
/// so no report text can look like it.
pub const FOOTNOTE_MARK: &str = "\u{E000}footnote-ref\u{E000}";

/// docx-rs renders every picture with this drawing id and name.
const DOC_PR: &str = r#"<wp:docPr id="1" name="Figure" />"#;

/// The converter marks table header rows with an automatic height of 0,
/// which changes nothing and which only header rows have; every row is
/// one that cannot split, so that no row is cut across two pages.
const HEADER_ROW: &str = r#"<w:trHeight w:val="0" w:hRule="auto" />"#;

/// docx-rs writes no language; the document's default text properties
/// get it, so Word checks spelling in the report's language.
const DEFAULT_RUN_PROPERTIES: &str = "<w:rPrDefault><w:rPr>";

/// A picture's alternative text: Word's title and description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alt {
    pub title: String,
    pub descr: String,
}

/// The document properties written to docProps/core.xml.
#[derive(Debug, Clone, Default)]
pub struct Properties {
    pub title: String,
    pub authors: Vec<String>,
    pub language: String,
    pub subject: String,
    pub description: String,
}

/// What the converter marked: how many of each marker [`finish`] must find.
#[derive(Debug, Default)]
pub struct Marks {
    pub alts: Vec<Alt>,
    pub header_rows: usize,
    pub footnotes: usize,
}

/// Fills in the marked parts and zips the package.
pub fn finish(mut xml: XMLDocx, properties: &Properties, marks: &Marks) -> Result<Vec<u8>, String> {
    let document = String::from_utf8(std::mem::take(&mut xml.document)).map_err(|e| e.to_string())?;
    let mut alts = marks.alts.iter().enumerate();
    let document = replace_each(&document, DOC_PR, marks.alts.len(), "picture", |_| {
        let (i, alt) = alts.next().expect("counted above");
        format!(
            r#"<wp:docPr id="{n}" name="Chart {n}" title="{}" descr="{}" />"#,
            escape(&alt.title),
            escape(&alt.descr),
            n = i + 1
        )
    })?;
    let document =
        replace_each(&document, HEADER_ROW, marks.header_rows, "table header row", |_| "<w:tblHeader />".to_string())?;
    let styles = String::from_utf8(std::mem::take(&mut xml.styles)).map_err(|e| e.to_string())?;
    let styles = replace_each(&styles, DEFAULT_RUN_PROPERTIES, 1, "default text properties", |_| {
        format!(r#"{DEFAULT_RUN_PROPERTIES}<w:lang w:val="{}" />"#, escape(&properties.language))
    })?;
    xml.styles = styles.into_bytes();
    xml.document = document.into_bytes();

    let footnotes = String::from_utf8(std::mem::take(&mut xml.footnotes)).map_err(|e| e.to_string())?;
    let mark = format!(r#"<w:t xml:space="preserve">{FOOTNOTE_MARK}</w:t>"#);
    let footnotes = replace_each(&footnotes, &mark, marks.footnotes, "footnote", |_| "<w:footnoteRef />".to_string())?;
    xml.footnotes = footnotes.into_bytes();
    xml.doc_props.core = core_xml(properties).into_bytes();
    let rels = String::from_utf8(std::mem::take(&mut xml.document_rels)).map_err(|e| e.to_string())?;
    xml.document_rels = sort_relationships(&rels).into_bytes();
    xml.media.sort();
    zip(xml).map_err(|e| format!("cannot write the .docx: {e}"))
}

/// Replaces every `marker` in `text` with `with(i)`, which must happen
/// exactly `expected` times.
fn replace_each(
    text: &str,
    marker: &str,
    expected: usize,
    what: &str,
    mut with: impl FnMut(usize) -> String,
) -> Result<String, String> {
    let found = text.matches(marker).count();
    if found != expected {
        return Err(format!(
            "the Word writer rendered {found} {what} markers where {expected} were expected (a docx-rs version wingreport does not know?)"
        ));
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut i = 0;
    while let Some(at) = rest.find(marker) {
        out.push_str(&rest[..at]);
        out.push_str(&with(i));
        rest = &rest[at + marker.len()..];
        i += 1;
    }
    out.push_str(rest);
    Ok(out)
}

/// The relationships in a fixed order: docx-rs lists the hyperlinks' from
/// a hash map, in an order that changes from run to run.
fn sort_relationships(xml: &str) -> String {
    const ITEM: &str = "<Relationship ";
    let (Some(start), Some(end)) = (xml.find(ITEM), xml.rfind("</Relationships>")) else {
        return xml.to_string();
    };
    let mut items: Vec<String> =
        xml[start..end].split(ITEM).filter(|i| !i.is_empty()).map(|i| format!("{ITEM}{i}")).collect();
    items.sort();
    format!("{}{}{}", &xml[..start], items.concat(), &xml[end..])
}

/// docProps/core.xml without dates: a build date would make every run's
/// bytes differ, and the report's year is on its cover.
fn core_xml(p: &Properties) -> String {
    let mut out = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
    );
    let mut element = |name: &str, value: &str| {
        if !value.is_empty() {
            out.push_str(&format!("<{name}>{}</{name}>", escape(value)));
        }
    };
    element("dc:title", &p.title);
    element("dc:subject", &p.subject);
    // Word shows `creator` as Authors and splits it at semicolons.
    element("dc:creator", &p.authors.join("; "));
    element("dc:description", &p.description);
    element("dc:language", &p.language);
    out.push_str("</cp:coreProperties>");
    out
}

/// Text for core.xml and the attributes put in here: escaped as for HTML,
/// line breaks kept as character references. The characters XML 1.0
/// cannot hold are dropped from every part as it is zipped (see
/// [`xml_chars_only`]).
fn escape(text: &str) -> String {
    crate::markdown::escape_html(text).replace('\n', "&#10;")
}

/// Whether XML 1.0 allows `c` in a document: not a control character but
/// tab and the line ends, nor U+FFFE or U+FFFF.
fn allowed_in_xml(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// An XML part without the characters XML 1.0 forbids. docx-rs writes a
/// text's characters as they are, and one of them (a vertical tab that
/// Word itself writes for a manual line break) makes the whole document
/// one that Word and LibreOffice refuse to open; the markup has none, so
/// only text loses them. The loader refuses them in content: this is for
/// whatever reaches the writer another way.
fn xml_chars_only(part: Vec<u8>) -> Vec<u8> {
    match String::from_utf8(part) {
        Ok(text) if text.chars().all(allowed_in_xml) => text.into_bytes(),
        Ok(text) => text.chars().filter(|&c| allowed_in_xml(c)).collect::<String>().into_bytes(),
        Err(err) => err.into_bytes(),
    }
}

/// The package, every entry deflated and dated 1980-01-01 (the zip format's
/// earliest date), in a fixed order.
fn zip(xml: XMLDocx) -> zip::result::ZipResult<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let mut parts: Vec<(String, Vec<u8>)> = vec![
        ("[Content_Types].xml".into(), xml.content_type),
        ("_rels/.rels".into(), xml.rels),
        ("docProps/app.xml".into(), xml.doc_props.app),
        ("docProps/core.xml".into(), xml.doc_props.core),
        ("docProps/custom.xml".into(), xml.doc_props.custom),
        ("word/_rels/document.xml.rels".into(), xml.document_rels),
        ("word/document.xml".into(), xml.document),
        ("word/styles.xml".into(), xml.styles),
        ("word/settings.xml".into(), xml.settings),
        ("word/fontTable.xml".into(), xml.font_table),
        ("word/comments.xml".into(), xml.comments),
        ("word/numbering.xml".into(), xml.numberings),
        ("word/commentsExtended.xml".into(), xml.comments_extended),
        ("word/footnotes.xml".into(), xml.footnotes),
    ];
    for (i, header) in xml.headers.into_iter().enumerate() {
        parts.push((format!("word/header{}.xml", i + 1), header));
        if let Some(rels) = xml.header_rels.get(i) {
            parts.push((format!("word/_rels/header{}.xml.rels", i + 1), rels.clone()));
        }
    }
    for (i, footer) in xml.footers.into_iter().enumerate() {
        parts.push((format!("word/footer{}.xml", i + 1), footer));
        if let Some(rels) = xml.footer_rels.get(i) {
            parts.push((format!("word/_rels/footer{}.xml.rels", i + 1), rels.clone()));
        }
    }
    for (id, png) in xml.media {
        // docx-rs's relationships point at word/media/<id>.png.
        parts.push((format!("word/media/{id}.png"), png));
    }
    for (name, bytes) in parts {
        let bytes = if name.ends_with(".xml") || name.ends_with(".rels") { xml_chars_only(bytes) } else { bytes };
        zip.start_file(name, options)?;
        zip.write_all(&bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_replaced_in_order_and_counted() {
        let text = "a<m/>b<m/>c";
        assert_eq!(replace_each(text, "<m/>", 2, "x", |i| i.to_string()).unwrap(), "a0b1c");
        let err = replace_each(text, "<m/>", 3, "picture", |_| String::new()).unwrap_err();
        assert!(err.contains("2 picture markers where 3"), "{err}");
    }

    #[test]
    fn relationships_are_sorted() {
        let rels = r#"<?xml version="1.0"?><Relationships xmlns="x"><Relationship Id="rIdHyperlink2" Target="b" /><Relationship Id="rId1" Target="s" /><Relationship Id="rIdHyperlink1" Target="a" /></Relationships>"#;
        assert_eq!(
            sort_relationships(rels),
            r#"<?xml version="1.0"?><Relationships xmlns="x"><Relationship Id="rId1" Target="s" /><Relationship Id="rIdHyperlink1" Target="a" /><Relationship Id="rIdHyperlink2" Target="b" /></Relationships>"#
        );
    }

    #[test]
    fn core_properties_are_escaped_and_undated() {
        let core = core_xml(&Properties {
            title: "Peer \"mentors\" & <wings>".into(),
            authors: vec!["A. Author".into(), "B. Author".into()],
            language: "en-GB".into(),
            ..Properties::default()
        });
        assert!(core.contains("<dc:title>Peer &quot;mentors&quot; &amp; &lt;wings&gt;</dc:title>"), "{core}");
        assert!(core.contains("<dc:creator>A. Author; B. Author</dc:creator>"));
        assert!(core.contains("<dc:language>en-GB</dc:language>"));
        assert!(!core.contains("dcterms:created") && !core.contains("<dc:subject>"));
    }
}
