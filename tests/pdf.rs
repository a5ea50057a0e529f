//! `wingreport pdf`: the Drake Hall report printed through headless Chromium
//! (when one is installed; CI installs it), and the command's usage errors,
//! which need no browser.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::*;

const TITLE: &str = "CFO Hamlet Peer mentor initiative at HMP Drake Hall";
const SERIES: &str = "Peer mentor & peer involvement roles in prison study series";

fn pdf(root: &Path, extra: &[&str]) -> Output {
    wingreport().arg("pdf").arg("--root").arg(root).args(extra).output().unwrap()
}

/// A program on PATH, for the poppler tools.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file())
}

fn select_in<'a>(el: &scraper::ElementRef<'a>, css: &str) -> Vec<scraper::ElementRef<'a>> {
    el.select(&scraper::Selector::parse(css).unwrap()).collect()
}

/// A chart's labels as drawn: each `<text>`'s own words, not its tooltip's.
fn labels(svg: &scraper::ElementRef) -> Vec<String> {
    select_in(svg, "text")
        .iter()
        .map(|t| words(&t.children().filter_map(|c| c.value().as_text().map(|s| s.to_string())).collect::<String>()))
        .filter(|t| !t.is_empty())
        .collect()
}

fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Page count: `pdfinfo` when installed, else the number of `/Type /Page` objects.
fn page_count(pdf: &Path) -> usize {
    if let Some(pdfinfo) = on_path("pdfinfo") {
        let out = std::process::Command::new(pdfinfo).arg(pdf).output().unwrap();
        assert!(out.status.success(), "pdfinfo failed: {}", stderr(&out));
        let info = String::from_utf8_lossy(&out.stdout);
        let pages = info.lines().find_map(|l| l.strip_prefix("Pages:")).expect("pdfinfo prints Pages:");
        return pages.trim().parse().unwrap();
    }
    let bytes = std::fs::read(pdf).unwrap();
    let needle = b"/Type /Page";
    bytes
        .windows(needle.len() + 1)
        .filter(|w| &w[..needle.len()] == needle && !w[needle.len()].is_ascii_alphanumeric())
        .count()
}

/// The text of each page, through `pdftotext`.
fn page_texts(pdftotext: &Path, pdf: &Path, pages: usize) -> Vec<String> {
    (1..=pages)
        .map(|n| {
            let n = n.to_string();
            let out =
                std::process::Command::new(pdftotext).args(["-f", &n, "-l", &n]).arg(pdf).arg("-").output().unwrap();
            assert!(out.status.success(), "pdftotext failed: {}", stderr(&out));
            words(&String::from_utf8_lossy(&out.stdout))
        })
        .collect()
}

/// The headings that end a page (above its number) with fewer than two
/// lines of text under them, and their pages.
fn stranded_headings(pdftotext: &Path, pdf: &Path, pages: usize, headings: &[String]) -> Vec<(usize, String)> {
    let mut stranded = Vec::new();
    for n in 1..=pages {
        let page = n.to_string();
        let out = std::process::Command::new(pdftotext)
            .args(["-layout", "-f", &page, "-l", &page])
            .arg(pdf)
            .arg("-")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let lines: Vec<String> = text.lines().map(words).filter(|l| !l.is_empty()).collect();
        let body = &lines[..lines.len().saturating_sub(1)];
        let foot = &body[body.len().saturating_sub(3)..];
        for (i, line) in foot.iter().enumerate() {
            if headings.contains(line) && foot.len() - i - 1 < 2 {
                stranded.push((n, line.clone()));
            }
        }
    }
    stranded
}

/// A word `pdftotext -bbox` places on a page.
struct Placed {
    x_max: f64,
    y_min: f64,
    y_max: f64,
    text: String,
}

/// The width of the first page and every word of `pages` (`-f N -l N`, or
/// none for all), with where each ends.
fn placed_words(pdftotext: &Path, pdf: &Path, pages: &[&str]) -> (f64, Vec<Placed>) {
    let out = std::process::Command::new(pdftotext).arg("-bbox").args(pages).arg(pdf).arg("-").output().unwrap();
    let xml = String::from_utf8_lossy(&out.stdout);
    let attr = |tag: &str, name: &str| -> f64 {
        tag.split(&format!("{name}=\"")).nth(1).and_then(|v| v.split('"').next()).unwrap().parse().unwrap()
    };
    let width = attr(xml.split("<page ").nth(1).unwrap(), "width");
    let words = xml
        .split("<word ")
        .skip(1)
        .map(|w| Placed {
            x_max: attr(w, "xMax"),
            y_min: attr(w, "yMin"),
            y_max: attr(w, "yMax"),
            text: w.split('>').nth(1).unwrap_or("").split('<').next().unwrap_or("").to_string(),
        })
        .collect();
    (width, words)
}

/// The word printed lowest on page `n` (the rightmost of its line).
fn foot_word(pdftotext: &Path, pdf: &Path, n: usize) -> String {
    let n = n.to_string();
    let (_, words) = placed_words(pdftotext, pdf, &["-f", &n, "-l", &n]);
    words
        .into_iter()
        .max_by(|a, b| (a.y_max, a.x_max).partial_cmp(&(b.y_max, b.x_max)).unwrap())
        .map(|w| w.text)
        .unwrap_or_default()
}

/// True where a missing browser or poppler must fail, as in the browser
/// suite: CI (.ci/run sets WINGREPORT_E2E=1; CI=true is how CI runs it).
fn strict() -> bool {
    std::env::var("WINGREPORT_E2E").is_ok_and(|v| v == "1") || std::env::var("CI").is_ok_and(|v| v == "true")
}

/// The contents page's entries as (text, page), from `pdftotext -layout`:
/// a line ending in a number is an entry (a wrapped title's page number is
/// on its first line).
fn contents_entries(pdftotext: &Path, pdf: &Path, page: usize) -> Vec<(String, u32)> {
    let n = page.to_string();
    let out =
        std::process::Command::new(pdftotext).args(["-layout", "-f", &n, "-l", &n]).arg(pdf).arg("-").output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            let line = words(line);
            let (text, number) = line.rsplit_once(' ')?;
            Some((text.to_string(), number.parse().ok()?))
        })
        .collect()
}

/// The page a contents entry gives for `title`.
fn listed_page(entries: &[(String, u32)], title: &str) -> u32 {
    entries
        .iter()
        .find(|(text, _)| title.starts_with(text.as_str()) && text.len() >= title.len().min(20))
        .map(|&(_, page)| page)
        .unwrap_or_else(|| panic!("the contents lists no page for {title:?}: {entries:?}"))
}

/// The titles of the PDF's bookmarks, depth first.
fn bookmarks(pdf: &Path) -> Vec<String> {
    use lopdf::{Document, Object};
    let doc = Document::load(pdf).unwrap();
    let get = |o: &Object| doc.dereference(o).unwrap().1.clone();
    let catalog = doc.catalog().unwrap();
    let Ok(outlines) = catalog.get(b"Outlines") else { return Vec::new() };
    let mut titles = Vec::new();
    let mut stack: Vec<Object> = get(outlines).as_dict().unwrap().get(b"First").ok().map(get).into_iter().collect();
    while let Some(item) = stack.pop() {
        let item = item.as_dict().unwrap();
        titles.push(lopdf::decode_text_string(&get(item.get(b"Title").unwrap())).unwrap());
        if let Ok(next) = item.get(b"Next") {
            stack.push(get(next));
        }
        if let Ok(child) = item.get(b"First") {
            stack.push(get(child));
        }
    }
    titles
}

/// The PDF's structure elements, depth first: each type (`Table`,
/// `Figure`) and whether it has alternative text.
fn structure(pdf: &Path) -> Vec<(String, bool)> {
    use lopdf::{Document, Object};
    let doc = Document::load(pdf).unwrap();
    let get = |o: &Object| doc.dereference(o).unwrap().1.clone();
    let root = get(doc.catalog().unwrap().get(b"StructTreeRoot").expect("a tagged PDF has a structure tree"));
    let mut found = Vec::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        let Ok(node) = node.as_dict() else { continue };
        if let Ok(kind) = node.get(b"S").map(&get) {
            found.push((String::from_utf8_lossy(kind.as_name().unwrap()).into_owned(), node.has(b"Alt")));
        }
        match node.get(b"K").map(&get) {
            Ok(Object::Array(kids)) => stack.extend(kids.iter().rev().map(&get)),
            Ok(kid @ Object::Dictionary(_)) => stack.push(kid),
            _ => {}
        }
    }
    found
}

#[test]
fn drake_hall_prints_to_a_published_report_pdf() {
    if let Err(wingreport::build::Failure::Usage(why)) = wingreport::pdf::find_browser(None) {
        assert!(!strict(), "{why} (required under WINGREPORT_E2E=1 or CI=true; .ci/run installs it)");
        eprintln!("skipped: {why}");
        return;
    }
    let dir = bundled_project();
    // The cover keys the bundled record leaves out.
    edit(
        dir.path(),
        "content/sites/drake-hall/site.yaml",
        "year: 2024\n",
        "year: 2024\nsubtitle: An evaluation of peer mentoring on a women's CFO wing\npublisher: Ministry of Justice\n\
         isbn: 978-0-306-40615-7\nlicence: \"[Open Government Licence v3.0](https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/)\"\n\
         disclaimer: The views expressed are the author's own.\n",
    );
    let out = pdf(dir.path(), &["--site", "drake-hall"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let pdf_dir = dir.path().join("pdf");
    assert!(stderr(&out).contains(&format!("Wrote 1 PDF into {}", pdf_dir.display())), "{}", stderr(&out));
    let file = pdf_dir.join("drake-hall.pdf");
    let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let names: Vec<_> = std::fs::read_dir(&pdf_dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["drake-hall.pdf"], "--site prints only that report");

    let pages = page_count(&file);
    eprintln!("drake-hall.pdf: {pages} pages");
    assert!(pages > 3, "the report has a cover, a contents page and several sections, got {pages} page(s)");

    // Bookmarks, from the headings; read with lopdf, as poppler's pdfinfo only
    // lists them from version 23.
    let built = build(dir.path(), &["--quiet", "--output", dir.path().join("site").to_str().unwrap()]);
    assert!(built.status.success(), "{}", stderr(&built));
    let doc = html(&dir.path().join("site/sites/drake-hall/index.html"));
    let headings: Vec<String> = select(&doc, ".report-body > section > h2").iter().map(text).collect();
    assert!(headings.len() > 1, "the report has sections");
    let marks = bookmarks(&file);
    assert!(marks.iter().any(|m| m == "Contents"), "the contents page has a bookmark: {marks:?}");
    for heading in &headings {
        assert!(marks.contains(heading), "no bookmark for {heading:?}: {marks:?}");
    }

    // Tags: a table is a Table and a quotation a BlockQuote, as on the
    // page; only pictures are Figures, each with its alternative text.
    let tags = structure(&file);
    let count = |kind: &str| tags.iter().filter(|(k, _)| k == kind).count();
    assert_eq!(count("Table"), select(&doc, "main table").len(), "{tags:?}");
    assert_eq!(count("BlockQuote"), select(&doc, "main blockquote").len(), "{tags:?}");
    let figures: Vec<bool> = tags.iter().filter(|(k, _)| k == "Figure").map(|&(_, alt)| alt).collect();
    assert_eq!(figures.len(), select(&doc, "main svg[role=img], main img[alt]:not([alt=''])").len(), "{tags:?}");
    assert!(figures.iter().all(|&alt| alt), "a Figure without alternative text: {tags:?}");

    let Some(pdfinfo) = on_path("pdfinfo") else {
        assert!(!strict(), "pdfinfo is required under WINGREPORT_E2E=1 or CI=true; .ci/run installs poppler-utils");
        eprintln!("text checks skipped: poppler-utils is not installed");
        return;
    };
    let pdftotext = on_path("pdftotext").expect("poppler-utils has pdftotext beside pdfinfo");

    // Metadata: title, author, tags, and the language in the XMP packet.
    let info = std::process::Command::new(&pdfinfo).arg(&file).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    let field =
        |name: &str| info.lines().find_map(|l| l.strip_prefix(name)).map(str::trim).unwrap_or_default().to_string();
    assert_eq!(field("Title:"), TITLE);
    assert_eq!(field("Author:"), "Dr Katherine Albertson");
    assert_eq!(field("Tagged:"), "yes");
    let meta = std::process::Command::new(&pdfinfo).arg("-meta").arg(&file).output().unwrap();
    let meta = String::from_utf8_lossy(&meta.stdout);
    assert!(meta.contains("<dc:language><rdf:Bag><rdf:li>en-GB</rdf:li>"), "{meta}");
    assert!(meta.contains(&format!("<rdf:li xml:lang=\"x-default\">{TITLE}</rdf:li>")), "{meta}");

    // The running header and page numbers are set in the body's sans
    // serif, as the text is: the page's margin boxes inherit no font, and
    // were printed in the browser's serif (QA30-C F16).
    let pdffonts = on_path("pdffonts").expect("poppler-utils has pdffonts beside pdfinfo");
    let fonts = std::process::Command::new(&pdffonts).arg(&file).output().unwrap();
    let fonts = String::from_utf8_lossy(&fonts.stdout);
    let names: Vec<&str> = fonts.lines().skip(2).filter_map(|l| l.split_whitespace().next()).collect();
    assert!(!names.is_empty(), "{fonts}");
    assert!(names.iter().all(|n| !n.contains("Serif") || n.contains("Sans")), "a serif font is printed: {names:?}");

    let texts = page_texts(&pdftotext, &file, pages);
    let all = texts.join(" ");

    // The cover: page 1, with every cover key, no running header, no page
    // number, and no printed link targets.
    let cover = &texts[0];
    for shown in [
        TITLE,
        "An evaluation of peer mentoring on a women's CFO wing",
        "Dr Katherine Albertson",
        "Ministry of Justice",
        "2024",
        "978-0-306-40615-7",
        "Open Government Licence v3.0",
        "The views expressed are the author's own.",
    ] {
        assert!(cover.contains(shown), "the cover shows {shown:?}: {cover}");
    }
    assert!(!cover.contains("http"), "the cover prints no link targets: {cover}");
    assert!(!cover.starts_with(TITLE) && !cover.ends_with(" 1"), "no header or page number on the cover: {cover}");
    assert!(!cover.contains(headings[0].as_str()), "the cover stands alone");

    // Every later page: the running header first, its page number last.
    // (pdftotext reads a table's header row, repeated at the top of a page
    // it goes on over, between the header's two halves: "TITLE Stage SERIES".)
    let mut bodies = vec![cover.clone()];
    for (i, page) in texts.iter().enumerate().skip(1) {
        let n = i + 1;
        let body = page
            .strip_prefix(TITLE)
            .and_then(|rest| rest.find(SERIES).filter(|&at| at < 40).map(|at| (rest, at)))
            .map(|(rest, at)| format!("{}{}", rest[..at].trim(), &rest[at + SERIES.len()..]))
            .unwrap_or_else(|| panic!("page {n} starts with the running header: {page}"));
        // The number is the lowest word on the page; pdftotext may read it
        // before the cells of a table's last row, so it is taken out where it is.
        assert_eq!(foot_word(&pdftotext, &file, n), n.to_string(), "page {n} ends with its page number: {page}");
        let at = body.rfind(&format!(" {n}")).unwrap_or_else(|| panic!("page {n} has its number: {page}"));
        let body = format!("{}{}", &body[..at], &body[at + 1 + n.to_string().len()..]);
        bodies.push(body.trim().to_string());
    }

    // The contents page lists where every section, figure and table is, and
    // they are there: sections start their page.
    let entries = contents_entries(&pdftotext, &file, 2);
    assert!(bodies[1].starts_with("Contents"), "page 2 is the contents: {}", bodies[1]);
    for heading in &headings {
        let page = listed_page(&entries, heading) as usize;
        assert!(
            bodies[page - 1].starts_with(heading.as_str()),
            "the contents puts {heading:?} on page {page}, which starts {:?}",
            &bodies[page - 1][..bodies[page - 1].len().min(80)]
        );
    }
    let subsections: Vec<String> = select(&doc, ".report-body > section > h3").iter().map(text).collect();
    assert!(!subsections.is_empty());
    for heading in &subsections {
        let page = listed_page(&entries, heading) as usize;
        assert!(bodies[page - 1].contains(heading.as_str()), "{heading:?} is not on page {page}");
    }
    for entry in select(&doc, ".print-figures a, .print-tables a") {
        let caption = text(&entry);
        let page = listed_page(&entries, &caption) as usize;
        // "Table 1.2", as its caption starts ("Table 1.2: ...").
        let label = caption.split(' ').take(2).collect::<Vec<_>>().join(" ");
        assert!(bodies[page - 1].contains(&format!("{label}:")), "{label} is not on page {page}");
    }
    assert!(
        entries.iter().any(|(t, _)| t.starts_with("Figure ")) && entries.iter().any(|(t, _)| t.starts_with("Table "))
    );

    // No heading at a page's foot with fewer than two lines under it (found
    // by a print audit at Drake Hall's "1.3.2 Training").
    let all_headings: Vec<String> = select(&doc, ".report-body :is(h2, h3, h4)").iter().map(text).collect();
    let stranded = stranded_headings(&pdftotext, &file, pages, &all_headings);
    assert!(stranded.is_empty(), "headings left at a page's foot: {stranded:?}");

    // No navigation chrome; chart data shown.
    for chrome in ["Skip to main content", "All reports", "Generated by wingreport"] {
        assert!(!all.contains(chrome), "the PDF shows {chrome:?}");
    }
    assert!(all.contains("Respondents (of"), "the attribute chart's data table is printed");
}

/// pdftotext, when a browser to print with is installed too; `None`, the
/// test skipped, when either is missing (an error under WINGREPORT_E2E=1 or
/// CI=true).
fn browser_and_pdftotext() -> Option<PathBuf> {
    if let Err(wingreport::build::Failure::Usage(why)) = wingreport::pdf::find_browser(None) {
        assert!(!strict(), "{why}");
        eprintln!("skipped: {why}");
        return None;
    }
    let pdftotext = on_path("pdftotext");
    assert!(pdftotext.is_some() || !strict(), "pdftotext is required under WINGREPORT_E2E=1 or CI=true");
    pdftotext
}

/// The text of the PDF `file` reaches across the page, as a page printed
/// at full size does, and not off it: Chromium shrinks every page to fit
/// a table too wide for one.
fn assert_printed_at_full_size(pdftotext: &Path, file: &Path) {
    let (width, words) = placed_words(pdftotext, file, &[]);
    let widest = words.iter().map(|w| w.x_max).fold(0.0, f64::max);
    assert!(widest / width > 0.85, "the text ends at {:.0}% of the page's width: shrunk", 100.0 * widest / width);
    assert!(widest < width, "a word runs off the page, at {widest} of {width}");
}

/// Found by audits of printed reports: one table too wide for the page made
/// Chromium shrink every page to fit it; then breaking the words of every
/// table of six columns or more to prevent that printed "Pa-id" and
/// "Ind-ucti-on" in tables that had room for them.
#[test]
fn wide_tables_print_at_full_size_with_their_words_whole() {
    let Some(pdftotext) = browser_and_pdftotext() else { return };
    let dir = bundled_project();
    let row = |cells: &[&str]| format!("| {} |\n", cells.join(" | "));
    // Words of a roles table, in forms the report does not hold.
    let eight = [
        "Representational",
        "Confidentialities",
        "Accreditations",
        "Progressions",
        "Supervisions",
        "Inductions",
        "Bridgings",
        "Paidness",
    ];
    let mut tables = String::from("\n\n");
    tables.push_str(&row(&eight));
    tables.push_str(&row(&["---"; 8]));
    for _ in 0..3 {
        tables.push_str(&row(&eight.map(|w| format!("{w} and more {w} in training")).each_ref().map(String::as_str)));
    }
    let twelve: Vec<String> = (1..=12).map(|n| format!("Incomprehensibilities{n}")).collect();
    let mut header: Vec<&str> = twelve.iter().map(String::as_str).collect();
    header[11] = "LASTCOLUMNEND";
    tables.push_str(&format!("\n{}{}{}", row(&header), row(&["---"; 12]), row(&header)));
    tables.push_str(
        "\n| Source |\n|---|\n| <https://example.org/a/very/long/address/that/has/no/break/in/it/END-OF-URL> |\n",
    );
    let findings = dir.path().join("content/sites/drake-hall/02-findings.md");
    let text = std::fs::read_to_string(&findings).unwrap();
    std::fs::write(&findings, format!("{text}{tables}")).unwrap();

    let out = pdf(dir.path(), &["--site", "drake-hall"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let file = dir.path().join("pdf/drake-hall.pdf");
    let plain = std::process::Command::new(&pdftotext).arg(&file).arg("-").output().unwrap();
    let plain = String::from_utf8_lossy(&plain.stdout);
    for word in eight {
        assert!(plain.contains(word), "{word} is printed whole");
    }
    assert_printed_at_full_size(&pdftotext, &file);
    // The address is there, broken inside the page, as are the wide
    // table's words (pdftotext reads their pieces cell by cell).
    let joined: String = plain.split_whitespace().collect();
    assert!(joined.contains("END-OF-URL"), "the address is printed to its end");
    assert!(joined.contains("LAST"), "the last column is printed");
}

/// Found by QA: a word of 162 characters with no hyphen (a token, a long
/// compound) in a table made Chromium shrink every page to two thirds and
/// still cut the table's last column, header and numbers, off the page.
#[test]
fn a_table_cell_of_one_long_word_keeps_the_last_column_on_the_page() {
    let Some(pdftotext) = browser_and_pdftotext() else { return };
    let dir = bundled_project();
    let token = long_token();
    let findings = dir.path().join("content/sites/drake-hall/02-findings.md");
    let text = std::fs::read_to_string(&findings).unwrap();
    let table = format!("\n\n| Name | Tally |\n|---|--:|\n| Alpha | 4711 |\n| {token} | 5822 |\n");
    std::fs::write(&findings, format!("{text}{table}")).unwrap();
    assert_long_word_printed_in_its_cell(&pdftotext, dir.path(), &token, &["Tally", "4711", "5822"]);
}

/// Found by QA, after the fix above: a table a template fills from the
/// record (here a role's title) did not mark the long word, so the
/// roles table still shrank every page.
#[test]
fn a_long_word_in_a_record_table_cell_keeps_the_last_column_on_the_page() {
    let Some(pdftotext) = browser_and_pdftotext() else { return };
    let dir = bundled_project();
    let token = long_token();
    edit(dir.path(), "content/sites/drake-hall/site.yaml", "{title: Listener,", &format!("{{title: {token},"));
    assert_long_word_printed_in_its_cell(&pdftotext, dir.path(), &token, &["Representation"]);
}

/// A word of 170 letters with no hyphen, as a token or a long compound is.
fn long_token() -> String {
    "Donaudampfschifffahrtsgesellschaft".repeat(5).chars().take(170).collect()
}

/// Drake Hall's PDF, printed from `root`, holds `last` (the words of the
/// last column of the table with `token` in it), `token` whole over its
/// lines, and is printed at full size.
fn assert_long_word_printed_in_its_cell(pdftotext: &Path, root: &Path, token: &str, last: &[&str]) {
    let out = pdf(root, &["--site", "drake-hall"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let file = root.join("pdf/drake-hall.pdf");
    let plain = std::process::Command::new(pdftotext).arg(&file).arg("-").output().unwrap();
    let plain = String::from_utf8_lossy(&plain.stdout);
    let printed: Vec<&str> = plain.split_whitespace().collect();
    for word in last {
        assert!(printed.contains(word), "the last column's {word:?} is printed");
    }
    // pdftotext reads the other cells of the row, or of the table, between
    // the lines of the word.
    let lines: String = printed.iter().filter(|w| w.len() >= 10 && token.contains(**w)).copied().collect();
    assert_eq!(lines, token, "the long word is printed to its end, over lines: {plain}");
    assert_printed_at_full_size(pdftotext, &file);
}

/// Found by a print audit of the comparison page, printed from a browser:
/// "Figure 1" and its stage key ended page 1 and the chart began page 2;
/// "Table 1" and its note ended a page and the rows began the next; a small
/// multiple's site name ended a page, its chart overleaf drawn the page's
/// width with labels larger than the text; and the "Stage 1" row headings
/// wrapped, "Stage" over "1".
#[test]
fn the_comparison_page_prints_each_caption_and_title_with_what_it_names() {
    let browser = match wingreport::pdf::find_browser(None) {
        Ok(browser) => browser,
        Err(why) => {
            assert!(!strict(), "{why:?}");
            eprintln!("skipped: {why:?}");
            return;
        }
    };
    let Some(pdftotext) = on_path("pdftotext") else {
        assert!(!strict(), "pdftotext is required under WINGREPORT_E2E=1 or CI=true");
        return;
    };
    let dir = bundled_project();
    let site = dir.path().join("site");
    let built = build(dir.path(), &["--quiet", "--output", site.to_str().unwrap()]);
    assert!(built.status.success(), "{}", stderr(&built));
    let page = site.join("compare/index.html");
    let file = dir.path().join("compare.pdf");
    // As a reader prints it: the browser's own print, with the page's stylesheet.
    let printed = std::process::Command::new(&browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-pdf-header-footer"])
        .arg(format!("--user-data-dir={}", dir.path().join("profile").display()))
        .arg(format!("--print-to-pdf={}", file.display()))
        .arg(url::Url::from_file_path(&page).unwrap().as_str())
        .output()
        .unwrap();
    assert!(file.exists(), "{} printed nothing: {}", browser.display(), stderr(&printed));
    let pages = page_count(&file);
    let texts = page_texts(&pdftotext, &file, pages);

    // Each numbered caption is on a page with what it names first: its
    // first small multiple's site, else its chart's every label, else its
    // first row; and each multiple's site is on the page of its chart.
    let doc = html(&page);
    let mut together: Vec<Vec<String>> = Vec::new();
    for figure in select(&doc, "main figure").into_iter().filter(|f| !select_in(f, ".caption-number").is_empty()) {
        let caption = text(&select_in(&figure, "figcaption")[0]);
        let named = match select_in(&figure, ".multiple-title a").first() {
            Some(title) => vec![text(title)],
            None => match select_in(&figure, ".chart-svg svg").first() {
                Some(svg) => labels(svg),
                None => vec![text(&select_in(&figure, "tbody tr > :first-child")[0])],
            },
        };
        together.push([vec![caption], named].concat());
    }
    for kind in ["Figure ", "Table "] {
        assert!(together.iter().any(|t| t[0].starts_with(kind)), "the page has a {kind}: {together:?}");
    }
    let multiples: Vec<_> =
        select(&doc, "main li.multiple").into_iter().filter(|m| !select_in(m, "svg").is_empty()).collect();
    assert!(!multiples.is_empty());
    for multiple in &multiples {
        let title = text(&select_in(multiple, ".multiple-title a")[0]);
        together.push([vec![title], labels(&select_in(multiple, "svg")[0])].concat());
    }
    // pdftotext sets a chart's "✓ 1" as "✓1", and drops a hyphen that ends a line.
    let bare = |t: &str| t.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>();
    let pages_bare: Vec<String> = texts.iter().map(|page| bare(page)).collect();
    for texts_of_one in &together {
        let on_one_page = pages_bare.iter().any(|page| texts_of_one.iter().all(|t| page.contains(&bare(t))));
        assert!(on_one_page, "no page holds all of {texts_of_one:?}");
    }

    // A multiple's labels are no larger than the text, as on screen.
    let (_, words) = placed_words(&pdftotext, &file, &[]);
    let height = |w: &Placed| w.y_max - w.y_min;
    let mut heights: Vec<f64> = words.iter().map(height).collect();
    heights.sort_by(f64::total_cmp);
    let body = heights[heights.len() / 2];
    let axis: Vec<&Placed> =
        words.windows(3).filter(|w| w[0].text == "Number" && w[2].text == "respondents").map(|w| &w[0]).collect();
    assert_eq!(axis.len(), multiples.len(), "each multiple's axis title is printed");
    for word in axis {
        assert!(
            height(word) <= body * 1.05,
            "a multiple's label is {:.1} pt high, the text {body:.1} pt",
            height(word)
        );
    }

    // "Stage 1" is one line, wherever it is printed.
    let split: Vec<String> = words
        .windows(2)
        .filter(|w| w[0].text == "Stage" && w[1].text.parse::<u32>().is_ok())
        .filter(|w| (w[0].y_max - w[1].y_max).abs() > 1.0)
        .map(|w| format!("Stage {}", w[1].text))
        .collect();
    assert!(split.is_empty(), "wrapped: {split:?}");
}

#[test]
fn the_report_page_carries_what_print_needs() {
    let dir = bundled_project();
    let built = build(dir.path(), &["--quiet", "--output", dir.path().join("site").to_str().unwrap()]);
    assert!(built.status.success(), "{}", stderr(&built));
    let doc = html(&dir.path().join("site/sites/drake-hall/index.html"));

    // The cover names what the PDF's metadata and running header say.
    let cover = select(&doc, ".cover[data-pdf-title]");
    assert_eq!(cover.len(), 1);
    assert_eq!(cover[0].value().attr("data-pdf-title"), Some(TITLE));
    assert_eq!(cover[0].value().attr("data-pdf-series"), Some(SERIES));
    assert_eq!(cover[0].value().attr("data-pdf-authors"), Some("Dr Katherine Albertson"));

    // The print contents links every section and every numbered table and
    // figure; `pdf` gives each link its page slot.
    let target =
        |a: &scraper::ElementRef| a.value().attr("href").and_then(|h| h.strip_prefix('#')).unwrap().to_string();
    let slots: Vec<String> = select(&doc, ".report > .toc a").iter().map(target).collect();
    for section in select(&doc, ".report-body > section > h2") {
        let id = section.value().attr("id").unwrap();
        assert!(slots.iter().any(|s| s == id), "no contents entry for section {id}");
    }
    let figures = select(&doc, ".toc-figures a");
    let tables = select(&doc, ".toc-tables a");
    assert!(!figures.is_empty() && !tables.is_empty());
    for link in figures.iter().chain(&tables) {
        let id = target(link);
        assert_eq!(select(&doc, &format!("figure#{id}")).len(), 1, "{id} is a figure of the report");
    }
    let listed = |css: &str| select(&doc, css).iter().map(text).collect::<Vec<_>>();
    assert!(listed(".toc-tables .secno").iter().all(|n| n.starts_with("Table ")));
    assert!(listed(".toc-figures .secno").iter().all(|n| n.starts_with("Figure ")));

    // Numeric columns of data tables are marked for right alignment, the others not.
    let heads: Vec<_> = select(&doc, "#tbl-staff-team thead th");
    let numeric: Vec<bool> = heads.iter().map(|th| th.value().classes().any(|c| c == "num")).collect();
    assert_eq!(numeric, [false, true, false], "Role, Number, Employer");
    let cells = select(&doc, "#tbl-staff-team tbody td.num");
    assert_eq!(cells.iter().map(text).collect::<Vec<_>>(), ["1", "2", "3", "1"]);
}

#[test]
fn unknown_site_is_a_usage_error_listing_the_known_ids() {
    let dir = bundled_project();
    let out = pdf(dir.path(), &["--site", "drake-hal"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("unknown site `drake-hal`"), "{err}");
    for id in ["drake-hall", "high-down", "holme-house", "risley"] {
        assert!(err.contains(id), "the error lists {id}: {err}");
    }
    assert!(!dir.path().join("pdf").exists(), "nothing is written");
}

#[test]
fn a_browser_that_is_not_there_is_a_usage_error_saying_how_to_install_one() {
    let dir = bundled_project();
    let runs: [(&[&str], Option<&str>, &str); 3] = [
        (&[], Some("/nonexistent"), "WINGREPORT_CHROMIUM=/nonexistent is not an executable file"),
        (&["--browser", "/nonexistent"], None, "--browser /nonexistent is not an executable file"),
        // The flag wins over the variable.
        (&["--browser", "/nonexistent"], Some("/bin/sh"), "--browser /nonexistent is not an executable file"),
    ];
    for (args, variable, message) in runs {
        let mut cmd = wingreport();
        cmd.arg("pdf").arg("--root").arg(dir.path()).args(args);
        match variable {
            Some(path) => cmd.env("WINGREPORT_CHROMIUM", path),
            None => cmd.env_remove("WINGREPORT_CHROMIUM"),
        };
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(message), "{err}");
        assert!(err.contains("needs Chromium, Google Chrome or Microsoft Edge") && err.contains("install "), "{err}");
        assert!(!dir.path().join("pdf").exists(), "nothing is written");
    }
}

#[test]
fn project_folder_as_output_is_refused() {
    let dir = bundled_project();
    let out = pdf(dir.path(), &["--output", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("project folder"), "{}", stderr(&out));
}

#[test]
fn content_mistakes_fail_with_the_usual_diagnostics() {
    let dir = bundled_project();
    edit(dir.path(), "content/sites/drake-hall/site.yaml", "estate: female", "estate: femail");
    let out = pdf(dir.path(), &["--site", "drake-hall"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("content/sites/drake-hall/site.yaml:"), "{err}");
    assert!(err.contains("did you mean `female`"), "{err}");
    assert!(err.contains("error: pdf failed: 1 problem"), "{err}");
}

/// A stand-in browser: a bash script that records its arguments and the
/// DevTools commands it reads on fd 3, and answers each on fd 4 with one
/// reply holding every field the driver reads (a target, a session, the
/// page's facts and `pdf` as the printed PDF). `before` runs first (to fail
/// on purpose).
#[cfg(unix)]
fn fake_browser(dir: &Path, before: &str, pdf: &[u8]) -> PathBuf {
    use base64::Engine;
    use std::os::unix::fs::PermissionsExt;
    let script = dir.join("fake-chromium");
    let facts = r#"{\"title\":\"Fake title\",\"series\":\"Fake series\",\"authors\":[\"Ann\",\"Bo\"],\"language\":\"cy\",\"targets\":[\"sec\"]}"#;
    let reply = format!(
        r#"{{"id":%s,"result":{{"targetId":"T","sessionId":"S","data":"{}","result":{{"type":"string","value":"{}"}}}}}}"#,
        base64::engine::general_purpose::STANDARD.encode(pdf),
        facts.replace('\\', "\\\\")
    );
    std::fs::write(
        &script,
        format!(
            "#!/usr/bin/env bash\nfor a in \"$@\"; do echo \"$a\" >> '{args}'; done\n{before}\n\
             while IFS= read -r -d '' msg <&3; do\n  echo \"$msg\" >> '{calls}'\n  id=${{msg#*\\\"id\\\":}}; id=${{id%%[,\\}}]*}}\n  \
             printf '{reply}\\0' \"$id\" >&4\ndone\n",
            args = dir.join("args.log").display(),
            calls = dir.join("calls.log").display(),
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

/// A one-page PDF with the destination `sec` on its page, as the fake browser's print.
fn one_page_pdf() -> Vec<u8> {
    use lopdf::{Document, Object, dictionary};
    let mut doc = Document::with_version("1.4");
    let pages = doc.new_object_id();
    let page = doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()] });
    doc.objects.insert(
        pages,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 }),
    );
    let dests = dictionary! { "sec" => vec![page.into(), "XYZ".into(), 0.into(), 842.into(), 0.into()] };
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages, "Dests" => dests });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[cfg(unix)]
#[test]
fn every_report_is_printed_over_the_devtools_pipe_with_the_documented_flags() {
    let dir = bundled_project();
    let bin = tempfile::tempdir().unwrap();
    let browser = fake_browser(bin.path(), "", &one_page_pdf());
    let out = wingreport()
        .arg("pdf")
        .arg("--root")
        .arg(dir.path())
        .arg("--browser")
        .arg(&browser)
        .env("WINGREPORT_CHROMIUM", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let pdf_dir = dir.path().join("pdf");
    assert!(stderr(&out).contains(&format!("Wrote 4 PDFs into {}", pdf_dir.display())), "{}", stderr(&out));
    assert!(!stderr(&out).contains("of 4 reports"), "a progress bar only on a terminal: {}", stderr(&out));
    for id in ["drake-hall", "high-down", "holme-house", "risley"] {
        // The fake's PDF, finished with the metadata the page gave.
        let doc = lopdf::Document::load(pdf_dir.join(format!("{id}.pdf"))).unwrap();
        let info = doc.get_dictionary(doc.trailer.get(b"Info").unwrap().as_reference().unwrap()).unwrap();
        let field = |key: &[u8]| lopdf::decode_text_string(info.get(key).unwrap()).unwrap();
        assert_eq!(
            (field(b"Title"), field(b"Author"), field(b"Subject")),
            ("Fake title".into(), "Ann; Bo".into(), "Fake series".into())
        );
        assert_eq!(lopdf::decode_text_string(doc.catalog().unwrap().get(b"Lang").unwrap()).unwrap(), "cy");
    }
    let args = std::fs::read_to_string(bin.path().join("args.log")).unwrap();
    let args: Vec<&str> = args.lines().collect();
    // One browser per printer, each printing report after report: starting
    // one took about as long as printing a report.
    let launches = args.iter().filter(|a| **a == "--remote-debugging-pipe").count();
    let printers = std::thread::available_parallelism().map_or(1, usize::from).clamp(1, 4);
    assert!((1..=printers).contains(&launches), "{launches} browsers for {printers} printers: {args:?}");
    for flag in wingreport::pdf::HEADLESS_FLAGS {
        assert_eq!(args.iter().filter(|a| **a == flag).count(), launches, "{flag} once per browser: {args:?}");
    }
    let mut profiles: Vec<_> = args.iter().filter(|a| a.starts_with("--user-data-dir=")).collect();
    profiles.sort();
    profiles.dedup();
    assert_eq!(profiles.len(), launches, "a fresh profile per browser");

    let calls = std::fs::read_to_string(bin.path().join("calls.log")).unwrap();
    let calls: Vec<serde_json::Value> = calls.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let method = |c: &serde_json::Value| c["method"].as_str().unwrap().to_string();
    let pages: Vec<&str> =
        calls.iter().filter(|c| method(c) == "Page.navigate").map(|c| c["params"]["url"].as_str().unwrap()).collect();
    assert_eq!(pages.len(), 4);
    assert!(pages.iter().all(|p| p.starts_with("file://")), "{pages:?}");
    assert!(pages.iter().any(|p| p.ends_with("/sites/drake-hall/index.html")), "{pages:?}");
    // Each report in a tab of its own, closed once printed.
    let count = |name: &str| calls.iter().filter(|c| method(c) == name).count();
    assert_eq!((count("Target.createTarget"), count("Target.closeTarget")), (4, 4));
    let prints: Vec<_> = calls.iter().filter(|c| method(c) == "Page.printToPDF").collect();
    // The first print finds `sec` on page 1, the second shows it and finds it unchanged.
    assert_eq!(prints.len(), 8, "two prints per report");
    let fills = calls.iter().filter_map(|c| c["params"]["expression"].as_str()).filter(|e| e.starts_with("(pages =>"));
    assert!(
        fills.clone().count() == 4 && fills.clone().all(|e| e.contains(r#"{"sec":1}"#)),
        "{:?}",
        fills.collect::<Vec<_>>()
    );
    for print in prints {
        let options = &print["params"];
        for option in ["preferCSSPageSize", "generateTaggedPDF", "generateDocumentOutline"] {
            assert_eq!(options[option], true, "{option}: {options}");
        }
        assert_eq!(print["sessionId"], "S", "printed in the report's tab");
    }
    let header: Vec<_> = calls
        .iter()
        .filter_map(|c| c["params"]["expression"].as_str())
        .filter(|e| e.contains("--wr-running-title"))
        .collect();
    assert_eq!(header.len(), 4);
    assert!(header[0].contains(r#"\"Fake title\""#) && header[0].contains(r#"\"Fake series\""#), "{}", header[0]);
}

/// Found by a commissioner's audit: on a machine without an emoji font, a
/// rocket in a heading printed as an empty box, without a word. The PDF is
/// still written; a warning names the character and how to get a font.
#[cfg(unix)]
#[test]
fn a_character_no_installed_font_has_is_named_in_a_warning() {
    let dir = bundled_project();
    let heading = "## Peer involvement across the programme";
    edit(dir.path(), "content/sites/drake-hall/02-findings.md", heading, &format!("{heading} \u{1f680}"));
    let bin = tempfile::tempdir().unwrap();
    let browser = fake_browser(bin.path(), "", &one_page_pdf());
    let out = pdf(dir.path(), &["--site", "drake-hall", "--browser", browser.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "a warning, not a failure: {}", stderr(&out));
    assert!(dir.path().join("pdf/drake-hall.pdf").is_file());
    let err = stderr(&out);
    let Some(warning) = missing_font_warning(&err, '\u{1f680}', "drake-hall") else { return };
    assert!(warning.contains("\u{1f680} (U+1F680)"), "{warning}");
    assert!(
        warning.contains("in its PDF; install a font") && warning.contains("`fonts-noto-color-emoji`"),
        "{warning}"
    );
    assert_eq!(err.matches("warning:").count(), 1, "one warning for the report: {err}");
}

#[cfg(unix)]
#[test]
fn a_failing_browser_names_the_site_and_writes_nothing() {
    let dir = bundled_project();
    let bin = tempfile::tempdir().unwrap();
    let browser = fake_browser(bin.path(), "echo 'crashed on purpose' >&2; exit 3", b"");
    let out = pdf_with(dir.path(), &browser, &["--site", "high-down"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("failed to print site high-down") && err.contains("crashed on purpose"), "{err}");
    assert!(!dir.path().join("pdf/high-down.pdf").exists());

    let silent = fake_browser(bin.path(), "exit 0", b"");
    let out = pdf_with(dir.path(), &silent, &["--site", "high-down"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("without writing the PDF of site high-down"), "{}", stderr(&out));

    // Every report: the browsers printing at once all fail, and the first report's failure is told.
    let out = pdf_with(dir.path(), &silent, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("without writing the PDF of site drake-hall"), "{}", stderr(&out));

    let garbled = fake_browser(bin.path(), "", b"%PDF-1.4 not really");
    let out = pdf_with(dir.path(), &garbled, &["--site", "high-down"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("printed for site high-down cannot be read"), "{}", stderr(&out));
    assert!(!dir.path().join("pdf").exists(), "nothing is written");
}

#[cfg(unix)]
fn pdf_with(root: &Path, browser: &Path, extra: &[&str]) -> Output {
    wingreport().arg("pdf").arg("--root").arg(root).args(extra).env("WINGREPORT_CHROMIUM", browser).output().unwrap()
}

/// Whether process `pid` is running (a zombie, ended but not yet reaped by
/// its new parent, is not).
#[cfg(unix)]
fn running(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|stat| stat.rsplit_once(") ").is_some_and(|(_, rest)| !rest.starts_with('Z')))
}

#[cfg(target_os = "linux")]
#[test]
fn an_interrupted_run_stops_the_browser_and_its_helpers_and_leaves_no_temporary_folder() {
    let dir = bundled_project();
    let bin = tempfile::tempdir().unwrap();
    let temp = tempfile::tempdir().unwrap();
    let (browser_pid, helper_pid) = (bin.path().join("browser.pid"), bin.path().join("helper.pid"));
    // A browser that never answers, with a helper process of its own, as a renderer is.
    let hung = format!(
        "sleep 600 & echo $! > '{}.tmp'; echo $$ > '{}'; mv '{0}.tmp' '{0}'; sleep 600",
        helper_pid.display(),
        browser_pid.display()
    );
    let browser = fake_browser(bin.path(), &hung, b"");
    let run = std::process::Command::new(assert_cmd::cargo::cargo_bin("wingreport"))
        .args(["pdf", "--site", "high-down", "--root"])
        .arg(dir.path())
        .env("WINGREPORT_CHROMIUM", &browser)
        .env("TMPDIR", temp.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while !helper_pid.exists() {
        assert!(started.elapsed().as_secs() < 120, "the fake browser never started");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let pid = |path: &Path| std::fs::read_to_string(path).unwrap().trim().parse::<i32>().unwrap();
    let (browser, helper) = (pid(&browser_pid), pid(&helper_pid));
    assert!(running(browser) && running(helper));
    let listed = |dir: &Path| std::fs::read_dir(dir).unwrap().count();
    assert_eq!(listed(temp.path()), 1, "the run's temporary folder");

    // SAFETY: a signal to the child this test started.
    unsafe { libc::kill(run.id() as i32, libc::SIGINT) };
    let out = run.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(stderr(&out).contains("interrupted (Ctrl-C)"), "{}", stderr(&out));
    let stopped = std::time::Instant::now();
    while (running(browser) || running(helper)) && stopped.elapsed().as_secs() < 10 {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(!running(browser), "the browser was stopped");
    assert!(!running(helper), "the process the browser started was stopped with it");
    assert_eq!(listed(temp.path()), 0, "the temporary folder was removed");
    assert!(!dir.path().join("pdf").exists(), "nothing was written");
}
