//! Reading a printed PDF back and finishing it.
//!
//! Chromium writes a named destination for every element a link in the page
//! points to, so the print contents' links (`#section-id`, `#figure-id`) tell
//! on which page each section, figure and table landed. The metadata
//! Chromium leaves out (author, an XMP packet with title, creators and
//! language) is added here.

use std::collections::BTreeMap;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, dictionary, text_string};

use crate::markdown::escape_html;

/// What the PDF says about its report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    pub title: String,
    pub authors: Vec<String>,
    pub subject: String,
    /// BCP 47 tag, such as `en-GB`.
    pub language: String,
    /// The page's headings as read, to mend the bookmarks' titles.
    pub headings: Vec<String>,
}

/// The page (1-based) of each named destination.
pub fn destination_pages(pdf: &[u8]) -> Result<BTreeMap<String, u32>, String> {
    let doc = Document::load_mem(pdf).map_err(|e| e.to_string())?;
    let page_numbers: BTreeMap<ObjectId, u32> = doc.get_pages().into_iter().map(|(n, id)| (id, n)).collect();
    let catalog = doc.catalog().map_err(|e| e.to_string())?;
    let mut named = Vec::new();
    // PDF 1.1 keeps destinations in one dictionary; later writers may use a name tree.
    if let Ok(dests) = catalog.get(b"Dests").and_then(|o| resolve(&doc, o)).and_then(Object::as_dict) {
        named.extend(dests.iter().map(|(k, v)| (k.clone(), v)));
    }
    if let Ok(tree) = catalog
        .get(b"Names")
        .and_then(|o| resolve(&doc, o))
        .and_then(Object::as_dict)
        .and_then(|names| names.get(b"Dests"))
        .and_then(|o| resolve(&doc, o))
    {
        name_tree(&doc, tree, &mut named, 0);
    }
    let mut pages = BTreeMap::new();
    for (name, target) in named {
        let Ok(target) = resolve(&doc, target) else { continue };
        // A destination is `[page /XYZ ...]` or a dictionary with `/D [page ...]`.
        let array = match target {
            Object::Array(a) => Some(a),
            Object::Dictionary(d) => d.get(b"D").and_then(|o| resolve(&doc, o)).and_then(Object::as_array).ok(),
            _ => None,
        };
        let page =
            array.and_then(|a| a.first()).and_then(|p| p.as_reference().ok()).and_then(|id| page_numbers.get(&id));
        if let Some(&page) = page {
            pages.insert(String::from_utf8_lossy(&name).into_owned(), page);
        }
    }
    Ok(pages)
}

fn resolve<'a>(doc: &'a Document, object: &'a Object) -> lopdf::Result<&'a Object> {
    doc.dereference(object).map(|(_, o)| o)
}

/// Gathers the `/Names` pairs of a name tree, following `/Kids` (to a depth
/// no real tree reaches, so a looping file cannot hang us).
fn name_tree<'a>(doc: &'a Document, node: &'a Object, out: &mut Vec<(Vec<u8>, &'a Object)>, depth: usize) {
    let Ok(node) = node.as_dict() else { return };
    if depth > 32 {
        return;
    }
    if let Ok(pairs) = node.get(b"Names").and_then(|o| resolve(doc, o)).and_then(Object::as_array) {
        for pair in pairs.chunks(2) {
            if let [Object::String(name, _), value] = pair {
                out.push((name.clone(), value));
            }
        }
    }
    if let Ok(kids) = node.get(b"Kids").and_then(|o| resolve(doc, o)).and_then(Object::as_array) {
        for kid in kids {
            if let Ok(kid) = resolve(doc, kid) {
                name_tree(doc, kid, out, depth + 1);
            }
        }
    }
}

/// Sets the document information (title, author, subject, creator), an XMP
/// packet saying the same with the language, the catalog's language, and
/// asks viewers to show the title rather than the file name.
pub fn finish(pdf: &[u8], meta: &Metadata) -> Result<Vec<u8>, String> {
    let mut doc = Document::load_mem(pdf).map_err(|e| e.to_string())?;
    let info = dictionary! {
        "Title" => text_string(&meta.title),
        "Author" => text_string(&meta.authors.join("; ")),
        "Subject" => text_string(&meta.subject),
        "Creator" => text_string("wingreport"),
    };
    let mut info = info;
    if let Some(old) = doc.trailer.get(b"Info").ok().and_then(|o| o.as_reference().ok()) {
        // Keep what Chromium said (producer, dates), overriding the rest.
        if let Ok(previous) = doc.get_dictionary(old) {
            for (key, value) in previous.iter() {
                if !info.has(key) {
                    info.set(key.clone(), value.clone());
                }
            }
        }
    }
    let info_id = doc.add_object(info);
    doc.trailer.set("Info", info_id);

    let xmp = Stream::new(dictionary! { "Type" => "Metadata", "Subtype" => "XML" }, xmp(meta).into_bytes());
    let xmp_id = doc.add_object(xmp);
    let catalog = doc.catalog_mut().map_err(|e| e.to_string())?;
    catalog.set("Metadata", xmp_id);
    catalog.set("Lang", text_string(&meta.language));
    let mut prefs =
        catalog.get(b"ViewerPreferences").and_then(Object::as_dict).cloned().unwrap_or_else(|_| Dictionary::new());
    prefs.set("DisplayDocTitle", true);
    catalog.set("ViewerPreferences", prefs);

    mend_bookmarks(&mut doc, &meta.headings);

    let mut out = Vec::with_capacity(pdf.len() + 4096);
    doc.save_to(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// Chromium joins the lines of a heading that wraps without a space
/// ("house blockmodel"); a bookmark whose title is a heading but for its
/// spaces gets the heading's text.
fn mend_bookmarks(doc: &mut Document, headings: &[String]) {
    let squeeze = |text: &str| text.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let by_letters: BTreeMap<String, &String> = headings.iter().map(|h| (squeeze(h), h)).collect();
    let first = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Outlines").ok())
        .and_then(|o| o.as_reference().ok())
        .and_then(|id| doc.get_dictionary(id).ok())
        .and_then(|d| d.get(b"First").ok())
        .and_then(|o| o.as_reference().ok());
    let mut items = Vec::new();
    let mut stack: Vec<ObjectId> = first.into_iter().collect();
    while let Some(id) = stack.pop() {
        // A malformed outline that loops would otherwise never end.
        if items.contains(&id) || items.len() > 10_000 {
            continue;
        }
        items.push(id);
        if let Ok(item) = doc.get_dictionary(id) {
            for key in [&b"Next"[..], b"First"] {
                if let Ok(next) = item.get(key).and_then(Object::as_reference) {
                    stack.push(next);
                }
            }
        }
    }
    for id in items {
        let Ok(item) = doc.get_dictionary_mut(id) else { continue };
        let Some(title) = item.get(b"Title").ok().and_then(|t| lopdf::decode_text_string(t).ok()) else { continue };
        if let Some(heading) = by_letters.get(&squeeze(&title)).filter(|h| ***h != title) {
            item.set("Title", text_string(heading));
        }
    }
}

/// The XMP packet: Dublin Core title, creators and language.
fn xmp(meta: &Metadata) -> String {
    let creators: String = meta.authors.iter().map(|a| format!("<rdf:li>{}</rdf:li>", escape_html(a))).collect();
    format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
         <x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\
         <rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">\
         <dc:format>application/pdf</dc:format>\
         <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{title}</rdf:li></rdf:Alt></dc:title>\
         <dc:creator><rdf:Seq>{creators}</rdf:Seq></dc:creator>\
         <dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{subject}</rdf:li></rdf:Alt></dc:description>\
         <dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>\
         <xmp:CreatorTool>wingreport</xmp:CreatorTool>\
         </rdf:Description></rdf:RDF></x:xmpmeta>\n<?xpacket end=\"r\"?>",
        title = escape_html(&meta.title),
        subject = escape_html(&meta.subject),
        lang = escape_html(&meta.language),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A three-page PDF with destinations `a` (page 1) and `b` (page 3), as
    /// Chromium writes them: a `/Dests` dictionary in the catalog.
    pub(crate) fn sample() -> Vec<u8> {
        let mut doc = Document::with_version("1.4");
        let pages_id = doc.new_object_id();
        let page_ids: Vec<ObjectId> = (0..3)
            .map(|_| doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()] }))
            .collect();
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => page_ids.iter().map(|&id| Object::Reference(id)).collect::<Vec<_>>(),
                "Count" => 3,
            }),
        );
        let dest = |page: ObjectId| Object::Array(vec![page.into(), "XYZ".into(), 0.into(), 842.into(), 0.into()]);
        let dests = doc.add_object(dictionary! { "a" => dest(page_ids[0]), "b" => dest(page_ids[2]) });
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id, "Dests" => dests });
        doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    #[test]
    fn destinations_give_their_pages() {
        let pages = destination_pages(&sample()).unwrap();
        assert_eq!(pages, BTreeMap::from([("a".to_string(), 1), ("b".to_string(), 3)]));
    }

    #[test]
    fn bookmarks_get_back_the_spaces_of_wrapped_headings() {
        let mut doc = Document::load_mem(&sample()).unwrap();
        let outlines = doc.new_object_id();
        let wrapped =
            doc.add_object(dictionary! { "Title" => text_string("1 House blockmodel"), "Parent" => outlines });
        let other = doc.add_object(dictionary! { "Title" => text_string("Not a heading"), "Parent" => outlines });
        doc.get_dictionary_mut(wrapped).unwrap().set("Next", other);
        doc.objects
            .insert(outlines, Object::Dictionary(dictionary! { "First" => wrapped, "Last" => other, "Count" => 2 }));
        doc.catalog_mut().unwrap().set("Outlines", outlines);
        let mut pdf = Vec::new();
        doc.save_to(&mut pdf).unwrap();

        let meta = Metadata {
            title: String::new(),
            authors: Vec::new(),
            subject: String::new(),
            language: "en".into(),
            headings: vec!["1 House block model".into()],
        };
        let done = Document::load_mem(&finish(&pdf, &meta).unwrap()).unwrap();
        let title = |id| lopdf::decode_text_string(done.get_dictionary(id).unwrap().get(b"Title").unwrap()).unwrap();
        assert_eq!(title(wrapped), "1 House block model");
        assert_eq!(title(other), "Not a heading");
    }

    #[test]
    fn not_a_pdf_is_an_error_not_a_panic() {
        assert!(destination_pages(b"%PDF-1.4 fake").is_err());
    }

    #[test]
    fn finishing_sets_author_title_language_and_xmp() {
        let meta = Metadata {
            title: "Prison & peers".into(),
            authors: vec!["Ann Ó Briain".into(), "Bo Li".into()],
            subject: "A series".into(),
            language: "en-GB".into(),
            headings: Vec::new(),
        };
        let out = finish(&sample(), &meta).unwrap();
        let doc = Document::load_mem(&out).unwrap();
        let info = doc.get_dictionary(doc.trailer.get(b"Info").unwrap().as_reference().unwrap()).unwrap();
        let text = |key: &[u8]| lopdf::decode_text_string(info.get(key).unwrap()).unwrap();
        assert_eq!(text(b"Title"), "Prison & peers");
        assert_eq!(text(b"Author"), "Ann Ó Briain; Bo Li");
        let catalog = doc.catalog().unwrap();
        assert_eq!(lopdf::decode_text_string(catalog.get(b"Lang").unwrap()).unwrap(), "en-GB");
        let xmp = doc.get_object(catalog.get(b"Metadata").unwrap().as_reference().unwrap()).unwrap();
        let xmp = String::from_utf8(xmp.as_stream().unwrap().content.clone()).unwrap();
        assert!(xmp.contains("<rdf:li xml:lang=\"x-default\">Prison &amp; peers</rdf:li>"), "{xmp}");
        assert!(xmp.contains("<rdf:li>Ann Ó Briain</rdf:li><rdf:li>Bo Li</rdf:li>"), "{xmp}");
        assert!(xmp.contains("<dc:language><rdf:Bag><rdf:li>en-GB</rdf:li>"), "{xmp}");
        assert_eq!(destination_pages(&out).unwrap().len(), 2, "destinations survive");
    }
}
