//! Search index: the plain-text search documents the render stage collects
//! from its Markdown events as it renders each page, written as
//! `static/search-index.js`, a script the theme's `search.js` loads (a
//! script, not fetched JSON, so search works from `file://`). No I/O.

use serde::Serialize;

use crate::render::OutputFile;

/// Where the index is written, relative to the output root.
pub const INDEX_PATH: &str = "static/search-index.js";

/// The global the index script assigns; `search.js` reads it.
pub const INDEX_GLOBAL: &str = "window.wingreportSearch";

/// One searchable piece of a page: a section's own text (before its first
/// subsection) or one `##` subsection.
#[derive(Debug, Clone, Serialize)]
pub struct SearchDoc {
    /// Title of the report (or page) the text is on.
    pub report: String,
    /// Section label as the reader sees it: "2.1 Peer involvement across the programme".
    pub section: String,
    /// Link relative to the output root: "sites/drake-hall/index.html#findings".
    pub href: String,
    /// Plain text, whitespace collapsed.
    pub text: String,
}

/// The index script: `window.wingreportSearch = [...];` with the documents
/// as compact JSON in the order given (so the same input gives the same
/// bytes). `</` is written `<\/` and U+2028/U+2029 as `\u2028`/`\u2029`,
/// so the text can neither end a `<script>` nor break an older JS parser.
pub fn index_file(docs: &[SearchDoc]) -> OutputFile {
    let mut json = serde_json::to_string(docs).expect("search docs serialise");
    // `<`, U+2028 and U+2029 only occur inside JSON strings, where `\/` and
    // `\uXXXX` are valid escapes meaning the same characters.
    if json.contains("</") {
        json = json.replace("</", "<\\/");
    }
    if json.contains(['\u{2028}', '\u{2029}']) {
        json = json.replace('\u{2028}', "\\u2028").replace('\u{2029}', "\\u2029");
    }
    let mut js = String::with_capacity(json.len() + 100);
    js.push_str("/* wingreport search index: generated, do not edit. */\n");
    js.push_str(INDEX_GLOBAL);
    js.push_str(" = ");
    js.push_str(&json);
    js.push_str(";\n");
    OutputFile { path: INDEX_PATH.to_string(), bytes: js.into_bytes() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> SearchDoc {
        SearchDoc {
            report: "CFO Hamlet Peer mentor initiative at HMP Drake Hall".into(),
            section: "2.1 Peer involvement across the programme".into(),
            href: "sites/drake-hall/index.html#peer-involvement-across-the-programme".into(),
            text: text.into(),
        }
    }

    /// The JSON array inside the index script, parsed.
    fn parse_index(file: &OutputFile) -> serde_json::Value {
        let js = std::str::from_utf8(&file.bytes).unwrap();
        let body = js.split_once("\nwindow.wingreportSearch = ").expect("assigns the global").1;
        let json = body.strip_suffix(";\n").expect("ends with ;");
        serde_json::from_str(json).expect("valid JSON")
    }

    #[test]
    fn index_file_is_a_script_assigning_the_docs_as_json() {
        let file = index_file(&[doc("Peer mentors welcome newcomers."), doc("Second")]);
        assert_eq!(file.path, "static/search-index.js");
        let value = parse_index(&file);
        let docs = value.as_array().unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0]["report"], "CFO Hamlet Peer mentor initiative at HMP Drake Hall");
        assert_eq!(docs[0]["section"], "2.1 Peer involvement across the programme");
        assert_eq!(docs[0]["href"], "sites/drake-hall/index.html#peer-involvement-across-the-programme");
        assert_eq!(docs[0]["text"], "Peer mentors welcome newcomers.");
        assert_eq!(docs[1]["text"], "Second");
    }

    #[test]
    fn index_file_cannot_end_a_script_element() {
        let nasty = "a </script><script>alert(1)</script> b </SCRIPT> \u{2028} \"quoted\" \\ <!-- c";
        let file = index_file(&[doc(nasty)]);
        let js = std::str::from_utf8(&file.bytes).unwrap();
        assert!(!js.contains("</"), "{js}");
        assert!(!js.contains('\u{2028}'));
        assert!(js.contains("<\\/script>"));
        // The escapes mean the same text.
        assert_eq!(parse_index(&file)[0]["text"], nasty);
    }

    #[test]
    fn index_file_is_deterministic_and_keeps_order() {
        let docs = [doc("b"), doc("a"), doc("ü ✓ “quotes”")];
        let one = index_file(&docs);
        let two = index_file(&docs.clone());
        assert_eq!(one, two);
        let texts: Vec<_> = parse_index(&one).as_array().unwrap().iter().map(|d| d["text"].clone()).collect();
        assert_eq!(texts, ["b", "a", "ü ✓ “quotes”"]);
    }

    #[test]
    fn empty_index_is_an_empty_array() {
        assert_eq!(parse_index(&index_file(&[])), serde_json::json!([]));
    }
}
