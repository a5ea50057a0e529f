//! One report page's `<main>` to a Word document.
//!
//! The built page is the one place where every shortcode, table, chart,
//! citation and footnote has been rendered and numbered, so the document is
//! made from it rather than from the content again: headings become Word
//! heading styles, captions keep the report's own numbers, charts become
//! PNGs with their title and description as alt text, footnotes become
//! Word footnotes, and quotations take the Quote style.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use docx_rs::{
    AbstractNumbering, AlignmentType, BreakType, Docx, FieldCharType, Footer, Footnote, Header, HeightRule, Hyperlink,
    HyperlinkData, HyperlinkType, IndentLevel, InstrPAGEREF, InstrText, Level, LevelJc, LevelOverride, LevelText,
    LineSpacing, LineSpacingType, NumberFormat, Numbering, NumberingId, PageMargin, PageNum, Paragraph, Pic, Run,
    RunFonts, Shading, SpecialIndentType, Start, Style, StyleType, Tab, TabLeaderType, TabValueType, Table, TableCell,
    TableLayoutType, TableRow, VertAlignType, WidthType, XMLDocx,
};
use scraper::node::Node;
use scraper::{ElementRef, Html, Selector};

use super::chart::{Png, Rasteriser};
use super::package::{Alt, FOOTNOTE_MARK, Marks, Properties};

/// A4 with 2.54 cm margins, in twentieths of a point.
const PAGE_WIDTH: u32 = 11906;
const PAGE_HEIGHT: u32 = 16838;
const MARGIN: i32 = 1440;
const TEXT_WIDTH: usize = (PAGE_WIDTH as usize) - 2 * (MARGIN as usize);
/// English Metric Units per twentieth of a point, for picture sizes.
const EMU_PER_TWIP: u32 = 635;
/// How far each list level is indented.
const LIST_INDENT: i32 = 720;
/// Space before a paragraph that follows a table.
const TABLE_GAP: u32 = 200;
/// Space after a quotation: more than between its own paragraphs, so two
/// quotations in a row read as two.
const QUOTATION_GAP: u32 = 360;

// docx-rs always writes a decimal list numbered 1 of its own.
const BULLETS: usize = 10;
const DECIMAL: usize = 11;

/// The parts of a converted report.
pub struct Converted {
    pub xml: XMLDocx,
    pub marks: Marks,
    pub properties: Properties,
    /// The characters the document's pictures draw that need a glyph.
    pub drawn: BTreeSet<char>,
}

/// What a report page says about itself beyond its `<main>`.
#[derive(Debug, Default)]
pub struct Meta<'a> {
    /// Authors from the report's record (site.json), when it has them.
    pub authors: Vec<String>,
    /// The built report's folder, for the page's pictures.
    pub folder: Option<&'a Path>,
}

/// Converts one built report page.
pub fn convert(html: &str, meta: &Meta, raster: &Rasteriser) -> Result<Converted, String> {
    let page = Html::parse_document(html);
    let main = page.select(&selector("main")).next().ok_or("the page has no <main> element")?;
    let language = page.root_element().attr("lang").unwrap_or("").to_string();
    let draft = page.select(&selector("body.is-draft")).next().is_some();

    let mut c = Converter::new(main, raster, meta.folder);
    c.blocks(main, &Context::default())?;

    let title = main.select(&selector("h1")).next().map(|h| inline_text(&h)).unwrap_or_default();
    let description = main.select(&selector(".cover-summary")).next().map(|p| inline_text(&p)).unwrap_or_default();
    let authors = if meta.authors.is_empty() { cover_authors(main) } else { meta.authors.clone() };
    let subject = main.select(&selector(".cover-series")).next().map(|p| inline_text(&p)).unwrap_or_default();
    let properties = Properties { title, authors, language, subject, description };

    let marks = std::mem::take(&mut c.marks);
    let drawn = std::mem::take(&mut c.drawn);
    let docx = c.into_docx(draft);
    Ok(Converted { xml: docx.build(), marks, properties, drawn })
}

/// Authors as the cover lists them, when the record is not at hand.
fn cover_authors(main: ElementRef) -> Vec<String> {
    main.select(&selector(".cover-meta dt"))
        .filter(|dt| inline_text(dt).starts_with("Author"))
        .filter_map(|dt| dt.next_siblings().find_map(ElementRef::wrap))
        .map(|dd| inline_text(&dd))
        .collect()
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("selectors here are valid")
}

/// An element's text with whitespace collapsed.
fn inline_text(el: &ElementRef) -> String {
    el.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")
}

fn has_class(el: &ElementRef, class: &str) -> bool {
    el.value().has_class(class, scraper::CaseSensitivity::CaseSensitive)
}

/// Where a paragraph stands: the style its blocks default to.
#[derive(Clone, Default)]
struct Context {
    style: Option<&'static str>,
    /// Inside a table cell: header cells are bold, number cells right-aligned.
    cell: Option<Cell>,
}

#[derive(Clone, Copy)]
struct Cell {
    header: bool,
    number: bool,
    /// A Markdown column aligned `:-:`.
    centred: bool,
}

/// Run formatting carried down through inline elements.
#[derive(Clone, Copy, Default, PartialEq)]
struct Fmt {
    bold: bool,
    italic: bool,
    code: bool,
    sup: bool,
    sub: bool,
    strike: bool,
    /// A link: underlined as well as coloured, so it is seen as one in
    /// print and by readers who do not see colour.
    link: bool,
    color: Option<&'static str>,
}

#[derive(Clone, PartialEq)]
enum Link {
    Anchor(String),
    External(String),
}

enum Piece {
    Text { text: String, fmt: Fmt, link: Option<Link> },
    Break,
    Note(Box<Footnote>),
    Image(Box<Pic>),
}

enum Block {
    Para(Box<Paragraph>),
    Table(Box<Table>),
}

struct Converter<'a> {
    raster: &'a Rasteriser,
    /// The built report's folder, which the page's pictures are relative to.
    folder: Option<&'a Path>,
    notes: HashMap<String, ElementRef<'a>>,
    /// Ids that links in the page point to; their elements get bookmarks.
    targets: HashSet<String>,
    /// Every id in the page, so links to missing ones stay plain text.
    ids: HashSet<String>,
    bookmarks: HashMap<String, String>,
    /// The bookmark the next paragraph starts with.
    pending_bookmark: Option<String>,
    next_bookmark: usize,
    next_link: usize,
    next_image: usize,
    next_note: usize,
    notes_used: HashSet<String>,
    /// Converting a footnote: docx-rs gives footnotes no relationships of
    /// their own, so links to other sites are written out as text there.
    in_note: bool,
    /// Output of the cover and of the body; tables cells push their own.
    out: Vec<Vec<Block>>,
    cover_end: Option<usize>,
    toc: Vec<ContentsEntry>,
    /// The page's lists of figures and of tables: title, then each entry's
    /// text ("Table 1.2: ...") and the id it links to.
    listed: Vec<(String, Vec<(String, String)>)>,
    numberings: Vec<Numbering>,
    /// The list item whose first paragraph is still to come: numbering and level.
    list_item: Option<(Option<usize>, usize)>,
    list_depth: usize,
    /// "Figure 2.1" while inside a numbered figure, for its data table's label.
    figure_label: Option<String>,
    marks: Marks,
    /// The characters of the pictures' text (see [`Png::characters`]).
    drawn: BTreeSet<char>,
}

impl<'a> Converter<'a> {
    fn new(main: ElementRef<'a>, raster: &'a Rasteriser, folder: Option<&'a Path>) -> Self {
        let mut notes = HashMap::new();
        let mut ids = HashSet::new();
        let mut targets = HashSet::new();
        let lists = ["figures", "tables"].map(|kind| {
            let entries = main
                .select(&selector(&format!(".toc ol.toc-{kind} a[href^=\"#\"]")))
                .map(|a| {
                    let number = a.select(&selector(".secno")).next().map(|s| inline_text(&s)).unwrap_or_default();
                    let all = inline_text(&a);
                    let caption = all.strip_prefix(number.as_str()).unwrap_or(&all).trim();
                    let text = if number.is_empty() { caption.to_string() } else { format!("{number}: {caption}") };
                    (text, a.attr("href").unwrap_or_default()[1..].to_string())
                })
                .collect::<Vec<_>>();
            (format!("List of {kind}"), entries)
        });
        let listed = lists.into_iter().filter(|(_, entries)| !entries.is_empty()).collect();
        for el in main.descendants().filter_map(ElementRef::wrap) {
            if let Some(id) = el.attr("id") {
                ids.insert(id.to_string());
                if has_class(&el, "footnote") {
                    notes.insert(id.to_string(), el);
                }
            }
            if let Some(target) = el.attr("href").and_then(|h| h.strip_prefix('#')) {
                targets.insert(target.to_string());
            }
        }
        Converter {
            raster,
            folder,
            notes,
            targets,
            ids,
            bookmarks: HashMap::new(),
            pending_bookmark: None,
            next_bookmark: 0,
            next_link: 0,
            next_image: 0,
            next_note: 0,
            notes_used: HashSet::new(),
            in_note: false,
            out: vec![Vec::new()],
            cover_end: None,
            listed,
            toc: Vec::new(),
            numberings: Vec::new(),
            list_item: None,
            list_depth: 0,
            figure_label: None,
            marks: Marks::default(),
            drawn: BTreeSet::new(),
        }
    }

    /// The Word bookmark standing for an HTML id: Word wants at most 40
    /// letters, digits and underscores, and hides names starting with `_`.
    fn bookmark(&mut self, id: &str) -> String {
        let n = self.bookmarks.len();
        self.bookmarks.entry(id.to_string()).or_insert_with(|| format!("_Ref{n:06}")).clone()
    }

    fn push(&mut self, block: Block) {
        self.out.last_mut().expect("always one output").push(block);
    }

    /// Children of `el` as blocks; runs of inline content between blocks
    /// become paragraphs of the context's style.
    fn blocks(&mut self, el: ElementRef<'a>, cx: &Context) -> Result<(), String> {
        let mut inline: Vec<Piece> = Vec::new();
        for child in el.children() {
            match child.value() {
                Node::Text(text) => inline.push(Piece::Text { text: text.to_string(), fmt: cx_fmt(cx), link: None }),
                Node::Element(_) => {
                    let child = ElementRef::wrap(child).expect("an element");
                    if is_block(&child) {
                        self.flush(&mut inline, cx);
                        self.block(child, cx)?;
                    } else {
                        self.inline(child, cx_fmt(cx), None, &mut inline)?;
                    }
                }
                _ => {}
            }
        }
        self.flush(&mut inline, cx);
        Ok(())
    }

    fn flush(&mut self, inline: &mut Vec<Piece>, cx: &Context) {
        let pieces = std::mem::take(inline);
        if has_text(&pieces) {
            let style = cx.style.unwrap_or(if cx.cell.is_some() { "TableText" } else { "Normal" });
            self.paragraph(pieces, style, cx, |p| p);
        }
    }

    /// Emits one paragraph: the pending bookmark around it, list numbering
    /// or indent, the cell alignment.
    fn paragraph(&mut self, pieces: Vec<Piece>, style: &str, cx: &Context, tweak: impl FnOnce(Paragraph) -> Paragraph) {
        let mut p = Paragraph::new().style(style);
        let bookmark = self.pending_bookmark.take().map(|name| {
            self.next_bookmark += 1;
            (self.next_bookmark, name)
        });
        if let Some((id, name)) = &bookmark {
            p = p.add_bookmark_start(*id, name.clone());
        }
        p = self.add_pieces(p, pieces);
        if let Some((id, _)) = bookmark {
            p = p.add_bookmark_end(id);
        }
        match self.list_item.take() {
            Some((Some(num), level)) => p = p.numbering(NumberingId::new(num), IndentLevel::new(level)),
            Some((None, level)) => p = p.indent(Some(LIST_INDENT * level as i32), None, None, None),
            None if self.list_depth > 0 => {
                p = p.indent(Some(LIST_INDENT * self.list_depth as i32), None, None, None);
            }
            None => {}
        }
        if cx.cell.is_some_and(|c| c.number) {
            p = p.align(AlignmentType::Right);
        } else if cx.cell.is_some_and(|c| c.centred) {
            p = p.align(AlignmentType::Center);
        }
        if matches!(self.out.last().and_then(|o| o.last()), Some(Block::Table(_))) {
            // Word and LibreOffice put no space between a table and what follows.
            p = p.line_spacing(LineSpacing::new().before(TABLE_GAP));
        }
        self.push(Block::Para(Box::new(tweak(p))));
    }

    fn add_pieces(&mut self, mut p: Paragraph, pieces: Vec<Piece>) -> Paragraph {
        let pieces = collapse_whitespace(pieces);
        let mut link: Option<(Link, Hyperlink)> = None;
        for piece in pieces {
            let (run, piece_link) = match piece {
                Piece::Text { text, fmt, link } => (text_run(&text, fmt), link),
                Piece::Break => (Run::new().add_break(BreakType::TextWrapping), None),
                Piece::Note(note) => (Run::new().add_footnote_reference(*note), None),
                Piece::Image(pic) => (Run::new().add_image(*pic), None),
            };
            if link.as_ref().map(|(l, _)| l) != piece_link.as_ref() {
                if let Some((_, h)) = link.take() {
                    p = p.add_hyperlink(h);
                }
                if let Some(l) = piece_link {
                    link = Some((l.clone(), self.hyperlink(&l)));
                }
            }
            match &mut link {
                Some((_, h)) => *h = std::mem::replace(h, Hyperlink::new("", HyperlinkType::Anchor)).add_run(run),
                None => p = p.add_run(run),
            }
        }
        if let Some((_, h)) = link {
            p = p.add_hyperlink(h);
        }
        p
    }

    /// A hyperlink with a relationship id numbered per document (docx-rs
    /// numbers them per process, which would change a report's bytes with
    /// the reports converted before it).
    fn hyperlink(&mut self, link: &Link) -> Hyperlink {
        match link {
            Link::Anchor(name) => Hyperlink::new(name.clone(), HyperlinkType::Anchor),
            Link::External(url) => {
                self.next_link += 1;
                let mut h = Hyperlink::new(url.clone(), HyperlinkType::External);
                if let HyperlinkData::External { rid, .. } = &mut h.link {
                    *rid = format!("rIdHyperlink{}", self.next_link);
                }
                h
            }
        }
    }

    fn block(&mut self, el: ElementRef<'a>, cx: &Context) -> Result<(), String> {
        let tag = el.value().name();
        if skipped(&el) {
            return Ok(());
        }
        if let Some(id) = el.attr("id")
            && self.targets.contains(id)
            && self.pending_bookmark.is_none()
        {
            self.pending_bookmark = Some(self.bookmark(id));
        }
        match tag {
            "h1" => {
                let pieces = self.pieces(el, Fmt::default())?;
                self.paragraph(pieces, "Title", cx, |p| p);
            }
            "h2" | "h3" | "h4" | "h5" | "h6" => self.heading(el, tag)?,
            "p" => {
                let style = if has_class(&el, "cover-series") {
                    "Subtitle"
                } else if has_class(&el, "figure-note") {
                    "FigureNote"
                } else {
                    cx.style.unwrap_or(if cx.cell.is_some() { "TableText" } else { "Normal" })
                };
                // A label over what follows: the cover's "Who took part" is
                // bold, as list titles are by their own markup.
                let label = has_class(&el, "cover-sample-title");
                // A figure's notes sit between its caption and its chart or table.
                let keep = label
                    || ["list-title", "recommendation-heading", "figure-note", "illustrative-flag"]
                        .iter()
                        .any(|class| has_class(&el, class));
                let fmt = Fmt { bold: label || cx_fmt(cx).bold, ..cx_fmt(cx) };
                let pieces = self.pieces(el, fmt)?;
                if has_text(&pieces) {
                    self.paragraph(pieces, style, cx, |p| p.keep_next(keep));
                }
            }
            "figcaption" if has_class(&el, "quote-attribution") => {
                let pieces = self.pieces(el, Fmt::default())?;
                self.paragraph(pieces, "QuoteAttribution", cx, |p| p);
            }
            "figcaption" => {
                let pieces = self.pieces(el, Fmt::default())?;
                self.paragraph(pieces, "Caption", cx, |p| p.keep_next(true));
            }
            "figure" if has_class(&el, "quote") => self.quotation(|c| c.blocks(el, cx))?,
            "figure" => {
                let label = el
                    .select(&selector("figcaption .caption-number"))
                    .next()
                    .map(|n| inline_text(&n).trim_end_matches(':').to_string());
                let outer = std::mem::replace(&mut self.figure_label, label);
                self.blocks(el, cx)?;
                self.figure_label = outer;
            }
            "blockquote" => {
                let quoted = Context { style: Some("Quote"), ..cx.clone() };
                // In a quotation's figure, the figure sets the quotation and its attribution apart.
                let in_figure = el.parent().and_then(ElementRef::wrap).is_some_and(|p| has_class(&p, "quote"));
                if in_figure { self.blocks(el, &quoted)? } else { self.quotation(|c| c.blocks(el, &quoted))? }
            }
            "ul" if has_class(&el, "references") => {
                for li in el.children().filter_map(ElementRef::wrap) {
                    if let Some(id) = li.attr("id").filter(|id| self.targets.contains(*id)) {
                        self.pending_bookmark = Some(self.bookmark(id));
                    }
                    let pieces = self.pieces(li, Fmt::default())?;
                    self.paragraph(pieces, "Bibliography", cx, |p| p);
                }
            }
            "ul" | "ol" => self.list(el, tag == "ol", cx)?,
            "li" => self.blocks(el, cx)?,
            "table" => {
                // A raw HTML table's own <caption> (a Markdown one's is the figure's).
                if let Some(caption) = el.select(&selector(":scope > caption")).next() {
                    let pieces = self.pieces(caption, Fmt::default())?;
                    self.paragraph(pieces, "Caption", cx, |p| p.keep_next(true));
                }
                self.table(el)?;
            }
            "svg" => self.chart(el)?,
            "details" => {
                let label = match &self.figure_label {
                    Some(figure) => format!("Data of {figure}"),
                    None => el.select(&selector("summary")).next().map(|s| inline_text(&s)).unwrap_or_default(),
                };
                let pieces = vec![Piece::Text { text: label, fmt: Fmt::default(), link: None }];
                self.paragraph(pieces, "DataTitle", cx, |p| p.keep_next(true));
                self.blocks(el, cx)?;
            }
            "dl" => self.definitions(el, cx)?,
            "pre" => {
                let text = el.text().collect::<String>();
                let mut pieces = Vec::new();
                let code = Fmt { code: true, ..Fmt::default() };
                for (i, line) in text.trim_end_matches('\n').split('\n').enumerate() {
                    if i > 0 {
                        pieces.push(Piece::Break);
                    }
                    // Keep indentation: non-breaking spaces survive whitespace collapsing.
                    pieces.push(Piece::Text { text: line.replace(' ', "\u{A0}"), fmt: code, link: None });
                }
                self.paragraph(pieces, "SourceCode", cx, |p| p);
            }
            "header" if has_class(&el, "cover") => {
                self.blocks(el, cx)?;
                self.cover_end = Some(self.out[0].len());
            }
            "hr" => {}
            _ => self.blocks(el, cx)?,
        }
        Ok(())
    }

    /// One quotation (its paragraphs, then its attribution when it has
    /// one): kept together, and set apart from what follows by space after
    /// its last paragraph. In the Quote style alone, a quotation without
    /// attribution followed by another read as one quotation of two
    /// paragraphs, under the second one's attribution.
    fn quotation(&mut self, convert: impl FnOnce(&mut Self) -> Result<(), String>) -> Result<(), String> {
        let start = self.out.last().map_or(0, Vec::len);
        convert(self)?;
        let blocks = self.out.last_mut().expect("always one output");
        let Some(last) = blocks.iter().rposition(|b| matches!(b, Block::Para(_))).filter(|&i| i >= start) else {
            return Ok(());
        };
        for block in &mut blocks[start..last] {
            if let Block::Para(p) = block {
                p.property.keep_next = Some(true);
            }
        }
        if let Block::Para(p) = &mut blocks[last] {
            // Added to the space it has, such as a table's before it.
            let spacing = p.property.line_spacing.take().unwrap_or_default();
            p.property.line_spacing = Some(spacing.after(QUOTATION_GAP));
        }
        Ok(())
    }

    fn heading(&mut self, el: ElementRef<'a>, tag: &str) -> Result<(), String> {
        let level = usize::from(tag.as_bytes()[1] - b'1');
        let text = inline_text(&el);
        // Links to the heading and its contents entry share one bookmark.
        let name = match el.attr("id") {
            Some(id) => self.bookmark(id),
            None => format!("_Toc{:06}", self.toc.len()),
        };
        self.toc.push((level, text, name.clone()));
        self.pending_bookmark = Some(name);
        let pieces = self.pieces(el, Fmt::default())?;
        let style = format!("Heading{level}");
        let cx = Context::default();
        self.paragraph(pieces, &style, &cx, |p| p.keep_next(true).page_break_before(level == 1));
        Ok(())
    }

    fn list(&mut self, el: ElementRef<'a>, ordered: bool, cx: &Context) -> Result<(), String> {
        let level = self.list_depth.min(8);
        // Word cannot count down: lists that do (the involvement ladder)
        // carry their numbers in their text, so they get none of their own.
        let counts_itself =
            el.attr("reversed").is_some() || el.select(&selector(":scope > li[value]")).next().is_some();
        let num = if !ordered {
            Some(BULLETS)
        } else if counts_itself {
            None
        } else {
            let id = DECIMAL + 10 + self.numberings.len();
            let start = el.attr("start").and_then(|s| s.parse().ok()).unwrap_or(1);
            self.numberings.push(Numbering::new(id, DECIMAL).add_override(LevelOverride::new(level).start(start)));
            Some(id)
        };
        self.list_depth += 1;
        for li in el.children().filter_map(ElementRef::wrap).filter(|c| c.value().name() == "li") {
            self.list_item = Some((num, level + usize::from(num.is_none())));
            self.block(li, cx)?;
            self.list_item = None;
        }
        self.list_depth -= 1;
        Ok(())
    }

    /// `dt` and `dd` pairs as "term: description" paragraphs.
    fn definitions(&mut self, el: ElementRef<'a>, cx: &Context) -> Result<(), String> {
        for dt in el.select(&selector("dt")) {
            let mut pieces = self.pieces(dt, Fmt { bold: true, ..Fmt::default() })?;
            if let Some(dd) = dt.next_siblings().filter_map(ElementRef::wrap).find(|s| s.value().name() == "dd") {
                pieces.push(Piece::Text { text: ": ".into(), fmt: Fmt { bold: true, ..Fmt::default() }, link: None });
                pieces.extend(self.pieces(dd, Fmt::default())?);
            }
            self.paragraph(pieces, "Normal", cx, |p| p);
        }
        Ok(())
    }

    fn table(&mut self, el: ElementRef<'a>) -> Result<(), String> {
        let mut rows = Vec::new();
        let mut columns: Vec<ColumnText> = Vec::new();
        let outer_list = (self.list_item.take(), std::mem::take(&mut self.list_depth));
        let all_rows: Vec<ElementRef> = el
            .select(&selector(":scope > thead > tr, :scope > tbody > tr, :scope > tfoot > tr, :scope > tr"))
            .collect();
        let cells_of = |tr: &ElementRef<'a>| {
            tr.children().filter_map(ElementRef::wrap).filter(|c| matches!(c.value().name(), "td" | "th")).count()
        };
        // A raw HTML table without <thead> has its header row as its first
        // row of <th> cells only.
        let no_thead = all_rows
            .iter()
            .all(|tr| tr.parent().and_then(ElementRef::wrap).is_none_or(|p| p.value().name() != "thead"));
        let first_is_header = no_thead
            && all_rows.first().is_some_and(|tr| {
                cells_of(tr) > 0 && tr.children().filter_map(ElementRef::wrap).all(|c| c.value().name() == "th")
            });
        for (index, tr) in all_rows.into_iter().enumerate() {
            let header = tr.parent().and_then(ElementRef::wrap).is_some_and(|p| p.value().name() == "thead")
                || (first_is_header && index == 0);
            let group = has_class(&tr, "group-row");
            let mut cells = Vec::new();
            let mut column = 0;
            for td in tr.children().filter_map(ElementRef::wrap).filter(|c| matches!(c.value().name(), "td" | "th")) {
                let span: usize = td.attr("colspan").and_then(|s| s.parse().ok()).unwrap_or(1).max(1);
                let cx = Context {
                    style: None,
                    cell: Some(Cell {
                        header: td.value().name() == "th",
                        number: has_class(&td, "num"),
                        centred: has_class(&td, "align-center"),
                    }),
                };
                self.out.push(Vec::new());
                self.blocks(td, &cx)?;
                let blocks = self.out.pop().expect("pushed above");
                let mut cell = TableCell::new();
                let mut empty = true;
                for block in blocks {
                    match block {
                        Block::Para(p) => cell = cell.add_paragraph(*p),
                        Block::Table(t) => cell = cell.add_table(*t),
                    }
                    empty = false;
                }
                if empty {
                    cell = cell.add_paragraph(Paragraph::new().style("TableText"));
                }
                if span > 1 {
                    cell = cell.grid_span(span);
                }
                if header || group {
                    cell = cell.shading(Shading::new().fill(if header { "E8EBEE" } else { "F3F2F1" }));
                }
                if columns.len() < column + span {
                    columns.resize(column + span, ColumnText::default());
                }
                if span == 1 {
                    columns[column].add(&inline_text(&td), td.value().name() == "th");
                }
                column += span;
                cells.push(cell);
            }
            let mut row = TableRow::new(cells).cant_split();
            if header {
                row = row.row_height(0.0).height_rule(HeightRule::Auto);
                self.marks.header_rows += 1;
            }
            rows.push(row);
        }
        (self.list_item, self.list_depth) = outer_list;
        if rows.is_empty() {
            return Ok(());
        }
        let grid = column_widths(&columns, TEXT_WIDTH);
        let table = Table::new(rows)
            .set_grid(grid)
            .width(TEXT_WIDTH, WidthType::Dxa)
            .layout(TableLayoutType::Fixed)
            .style("ReportTable");
        self.push(Block::Table(Box::new(table)));
        Ok(())
    }

    fn chart(&mut self, svg: ElementRef<'a>) -> Result<(), String> {
        let child_text = |name: &str| {
            svg.children()
                .filter_map(ElementRef::wrap)
                .find(|c| c.value().name() == name)
                .map(|c| inline_text(&c))
                .unwrap_or_default()
        };
        let title = match child_text("title") {
            t if t.is_empty() => svg.attr("aria-label").unwrap_or("Chart").to_string(),
            t => t,
        };
        let desc = child_text("desc");
        let png = self.raster.png(&svg.html()).map_err(|e| format!("chart `{title}`: {e}"))?;
        let descr = if desc.is_empty() { title.clone() } else { format!("{title}. {desc}") };
        let pic = self.pic(png, title, descr);
        let p = Paragraph::new().style("Figure").align(AlignmentType::Center).add_run(Run::new().add_image(pic));
        self.push(Block::Para(Box::new(p.keep_next(true))));
        Ok(())
    }

    /// A picture as wide as it was drawn for the page, at most the text
    /// width, with its alt text.
    fn pic(&mut self, png: Png, title: String, descr: String) -> Pic {
        let natural = (png.width as f32 / png.scale * 15.0) as usize;
        let width = natural.min(TEXT_WIDTH);
        let height = width * png.height as usize / png.width.max(1) as usize;
        self.next_image += 1;
        self.marks.alts.push(Alt { title, descr });
        self.drawn.extend(&png.characters);
        Pic::new_with_dimensions(png.bytes, png.width, png.height)
            .size(width as u32 * EMU_PER_TWIP, height as u32 * EMU_PER_TWIP)
            .id(format!("rIdImage{}", self.next_image))
    }

    /// The page's `<img>` as a Word picture, when `src` is a picture file of
    /// the built site; `None` (the alt text stands in) for a web address, a
    /// missing file, one that is not a picture, or a picture in a footnote.
    fn picture(&mut self, src: &str, alt: &str) -> Option<Pic> {
        let folder = self.folder.filter(|_| !self.in_note)?;
        if src.is_empty() || src.starts_with("//") || url::Url::parse(src).is_ok() {
            return None;
        }
        let path = src.split(['?', '#']).next().unwrap_or("");
        let path = percent_encoding::percent_decode_str(path).decode_utf8().ok()?;
        let bytes = std::fs::read(folder.join(path.as_ref())).ok()?;
        let png = self.raster.picture(&bytes).ok()?;
        Some(self.pic(png, alt.to_string(), alt.to_string()))
    }

    /// The inline content of `el` as pieces.
    fn pieces(&mut self, el: ElementRef<'a>, fmt: Fmt) -> Result<Vec<Piece>, String> {
        let mut out = Vec::new();
        self.children_inline(el, fmt, None, &mut out)?;
        Ok(out)
    }

    fn children_inline(
        &mut self,
        el: ElementRef<'a>,
        fmt: Fmt,
        link: Option<&Link>,
        out: &mut Vec<Piece>,
    ) -> Result<(), String> {
        for child in el.children() {
            match child.value() {
                Node::Text(text) => out.push(Piece::Text { text: text.to_string(), fmt, link: link.cloned() }),
                Node::Element(_) => self.inline(ElementRef::wrap(child).expect("an element"), fmt, link, out)?,
                _ => {}
            }
        }
        Ok(())
    }

    fn inline(
        &mut self,
        el: ElementRef<'a>,
        fmt: Fmt,
        link: Option<&Link>,
        out: &mut Vec<Piece>,
    ) -> Result<(), String> {
        if skipped(&el) {
            return Ok(());
        }
        let mut fmt = fmt;
        match el.value().name() {
            "strong" | "b" => fmt.bold = true,
            "em" | "i" | "cite" | "dfn" => fmt.italic = true,
            "code" | "kbd" | "samp" => fmt.code = true,
            "s" | "del" => fmt.strike = true,
            "sub" => fmt.sub = true,
            "br" => {
                out.push(Piece::Break);
                return Ok(());
            }
            "sup" if has_class(&el, "footnote-ref") => return self.footnote_ref(el, fmt, out),
            "sup" => fmt.sup = true,
            "span" if has_class(&el, "rating-swatch") => {
                fmt.bold = true;
                fmt.color = ["rating-green", "rating-amber", "rating-red"]
                    .iter()
                    .zip(["00703C", "B35C00", "D4351C"])
                    .find(|(class, _)| has_class(&el, class))
                    .map(|(_, colour)| colour);
            }
            "svg" => return self.chart(el),
            // A task list's box: Word has no read-only checkbox in text.
            "input" if el.attr("type") == Some("checkbox") => {
                let mark = if el.attr("checked").is_some() { "\u{2611} " } else { "\u{2610} " };
                out.push(Piece::Text { text: mark.to_string(), fmt, link: None });
                return Ok(());
            }
            "img" => {
                let alt = el.attr("alt").unwrap_or("").trim();
                match self.picture(el.attr("src").unwrap_or(""), alt) {
                    Some(pic) => out.push(Piece::Image(Box::new(pic))),
                    None => {
                        let shown = if alt.is_empty() { "image" } else { alt };
                        out.push(Piece::Text { text: format!("[{shown}]"), fmt, link: link.cloned() });
                    }
                }
                return Ok(());
            }
            "a" if link.is_none() => {
                let href = el.attr("href").unwrap_or("");
                let target = match href.strip_prefix('#') {
                    Some(id) if self.ids.contains(id) => Some(Link::Anchor(self.bookmark(id))),
                    Some(_) => None,
                    None if self.in_note && is_external(href) => {
                        self.children_inline(el, fmt, None, out)?;
                        if inline_text(&el) != href {
                            out.push(Piece::Text { text: format!(" ({href})"), fmt, link: None });
                        }
                        return Ok(());
                    }
                    None if is_external(href) => Some(Link::External(href.to_string())),
                    // Links into the website (other reports, downloads) mean nothing in a document.
                    None => None,
                };
                if target.is_some() {
                    fmt.color = Some("1D70B8");
                    fmt.link = true;
                }
                return self.children_inline(el, fmt, target.as_ref(), out);
            }
            _ => {}
        }
        self.children_inline(el, fmt, link, out)
    }

    /// A footnote reference: the note's paragraphs become a Word footnote
    /// at this point (a note cited twice is numbered once, as in the page).
    fn footnote_ref(&mut self, el: ElementRef<'a>, fmt: Fmt, out: &mut Vec<Piece>) -> Result<(), String> {
        let id = el.select(&selector("a[href^='#']")).next().and_then(|a| a.attr("href")).map(|h| h[1..].to_string());
        let note = id.as_ref().and_then(|id| self.notes.get(id).copied());
        let (Some(id), Some(note)) = (id, note) else {
            out.push(Piece::Text { text: inline_text(&el), fmt: Fmt { sup: true, ..fmt }, link: None });
            return Ok(());
        };
        // Word has no notes within notes, and numbers a note cited twice once.
        if self.in_note || !self.notes_used.insert(id) {
            out.push(Piece::Text { text: inline_text(&el), fmt: Fmt { sup: true, ..fmt }, link: None });
            return Ok(());
        }
        // The note's paragraphs are made in an output of their own, then taken back.
        self.out.push(Vec::new());
        let outer = (self.list_item.take(), std::mem::take(&mut self.list_depth), self.pending_bookmark.take());
        self.in_note = true;
        let converted = self.blocks(note, &Context { style: Some("FootnoteText"), cell: None });
        self.in_note = false;
        converted?;
        (self.list_item, self.list_depth, self.pending_bookmark) = outer;
        let mut paragraphs: Vec<Paragraph> = self
            .out
            .pop()
            .expect("pushed above")
            .into_iter()
            .filter_map(|b| match b {
                Block::Para(p) => Some(*p),
                Block::Table(_) => None,
            })
            .collect();
        if paragraphs.is_empty() {
            paragraphs.push(Paragraph::new().style("FootnoteText"));
        }
        // Word's own note number at the start of the note, then a space.
        let first = paragraphs.remove(0);
        let mut marked = Paragraph::new()
            .style("FootnoteText")
            .add_run(Run::new().style("FootnoteReference").add_text(FOOTNOTE_MARK))
            .add_run(Run::new().add_text(" "));
        marked.children.extend(first.children);
        paragraphs.insert(0, marked);
        self.marks.footnotes += 1;
        self.next_note += 1;
        out.push(Piece::Note(Box::new(Footnote { id: self.next_note, content: paragraphs })));
        Ok(())
    }

    /// The document: styles, numbering, page, the cover, a contents list
    /// Word can update, then the body.
    fn into_docx(mut self, draft: bool) -> Docx {
        let mut docx = Docx::new()
            .page_size(PAGE_WIDTH, PAGE_HEIGHT)
            .page_margin(
                PageMargin::new().top(MARGIN).bottom(MARGIN).left(MARGIN).right(MARGIN).header(720).footer(720),
            )
            .default_fonts(RunFonts::new().ascii("Arial").hi_ansi("Arial").cs("Arial").east_asia("Arial"))
            .default_size(22)
            .default_line_spacing(spacing(0, 160));
        for style in styles() {
            docx = docx.add_style(style);
        }
        docx = docx
            .add_abstract_numbering(bullets())
            .add_abstract_numbering(decimal())
            .add_numbering(Numbering::new(BULLETS, BULLETS));
        for n in std::mem::take(&mut self.numberings) {
            docx = docx.add_numbering(n);
        }
        // Page numbers, centred at the foot of every page, as the contents promise.
        let number = Paragraph::new().align(AlignmentType::Center).add_page_num(PageNum::new());
        docx = docx.footer(Footer::new().add_paragraph(number));
        if draft {
            let mark = Run::new().add_text("DRAFT").bold().color("D4351C").size(28);
            docx = docx.header(Header::new().add_paragraph(Paragraph::new().align(AlignmentType::Right).add_run(mark)));
        }
        let body = self.out.pop().expect("the body output");
        let cover_end = self.cover_end.unwrap_or(0).min(body.len());
        let mut blocks = body.into_iter();
        for block in blocks.by_ref().take(cover_end) {
            docx = add_block(docx, block);
        }
        let listed: Vec<(String, Vec<ContentsEntry>)> = std::mem::take(&mut self.listed)
            .into_iter()
            .map(|(title, entries)| {
                (title, entries.into_iter().map(|(text, id)| (1, text, self.bookmark(&id))).collect())
            })
            .collect();
        for p in contents(&self.toc, &listed) {
            docx = docx.add_paragraph(p);
        }
        for block in blocks {
            docx = add_block(docx, block);
        }
        docx
    }
}

/// Headings down to level 3 as a contents list linked to them, then the
/// page's lists of figures and of tables (`listed`), with each page number
/// a PAGEREF field: LibreOffice works them out as it lays the pages out,
/// and Word (which keeps a field's last value) is told they are out of
/// date, so it offers to update them on opening. Not a Word TOC field:
/// LibreOffice prints such a field as it was saved, without page numbers,
/// as no page is known when the document is written.
fn contents(toc: &[ContentsEntry], listed: &[(String, Vec<ContentsEntry>)]) -> Vec<Paragraph> {
    let entries: Vec<_> = toc.iter().filter(|(level, ..)| *level <= 3).collect();
    if entries.is_empty() {
        return Vec::new();
    }
    let title = Paragraph::new().style("TOCHeading").page_break_before(true).add_run(Run::new().add_text("Contents"));
    let mut out = vec![title];
    out.extend(entries.into_iter().map(contents_entry));
    for (title, entries) in listed {
        out.push(Paragraph::new().style("TOCListTitle").add_run(Run::new().add_text(title.as_str())));
        out.extend(entries.iter().map(contents_entry));
    }
    out
}

/// A line of the contents: level, text and the bookmark it links to.
type ContentsEntry = (usize, String, String);

/// One line of the contents: its text linked to bookmark `name`, a dotted
/// leader, and the page number.
fn contents_entry((level, text, name): &ContentsEntry) -> Paragraph {
    let p = Paragraph::new()
        .style(&format!("TOC{level}"))
        .add_tab(Tab::new().val(TabValueType::Right).leader(TabLeaderType::Dot).pos(TEXT_WIDTH));
    let page = InstrPAGEREF::new(name.as_str()).hyperlink();
    let link = Hyperlink::new(name.as_str(), HyperlinkType::Anchor)
        .add_run(Run::new().add_text(text.as_str()))
        .add_run(Run::new().add_tab())
        .add_run(
            Run::new()
                .add_field_char(FieldCharType::Begin, true)
                .add_instr_text(InstrText::PAGEREF(page))
                .add_field_char(FieldCharType::Separate, false)
                .add_field_char(FieldCharType::End, false),
        );
    p.add_hyperlink(link)
}

/// What a table column holds, for sharing out the width.
#[derive(Clone, Default)]
struct ColumnText {
    /// The widest word, in twips, which the column should fit.
    word: usize,
    /// The longest cell, capped: long text wraps anyway.
    text: usize,
}

impl ColumnText {
    /// Adds a cell's text; `bold` for a header cell, set in bold.
    fn add(&mut self, text: &str, bold: bool) {
        // Word breaks a line after a hyphen, so each part is a word of its own.
        let widest = text.split_whitespace().flat_map(|w| w.split_inclusive('-')).map(|w| word_width(w, bold)).max();
        self.word = self.word.max(widest.unwrap_or(0));
        self.text = self.text.max(text.chars().count().min(60));
    }
}

/// A word's width in twips in the 10pt table text, from the width of each
/// kind of letter in DejaVu Sans, which LibreOffice sets in place of Arial
/// where Arial is missing, and which is wider than Arial: a word fits in
/// either. Thousandths of an em, for bold; plain text is a tenth narrower.
fn word_width(word: &str, bold: bool) -> usize {
    let em: usize = word
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '!' | '|' => 400,
            'f' | 'r' | 't' | 'I' | '(' | ')' | '-' | '/' => 500,
            'm' | 'w' | 'M' | 'W' | '@' | '%' => 1100,
            _ if c.is_uppercase() || "#&+<=>^~".contains(c) => 850,
            _ if c.is_lowercase() || c.is_ascii() => 720,
            // CJK and other scripts without case: a full em.
            _ => 1000,
        })
        .sum();
    let em = if bold { em } else { em * 9 / 10 };
    // 10pt is 200 twips.
    em / 5
}

/// A cell's side margins (Word's default of 108 twips each), with a little room.
const CELL_MARGINS: usize = 230;
/// A character of table text, for weighing how much text a column holds.
const CHAR: usize = 170;

/// Column widths in twips: each column gets room for its longest word,
/// and what is left goes to the columns with longer text. When the
/// longest words do not all fit, the narrow columns keep theirs and the
/// rest share what is left evenly, so that one very long word breaks
/// rather than every column: a column of numbers beside it was squeezed
/// to a letter a line.
fn column_widths(columns: &[ColumnText], total: usize) -> Vec<usize> {
    let need: Vec<usize> = columns.iter().map(|c| c.word.max(word_width("000", false)) + CELL_MARGINS).collect();
    let needed: usize = need.iter().sum();
    if needed > total {
        let cap = widest_share(&need, total);
        return need.iter().map(|&n| n.min(cap)).collect();
    }
    let spare = total - needed;
    let weights: Vec<usize> = columns.iter().zip(&need).map(|(c, n)| (c.text * CHAR).saturating_sub(*n)).collect();
    let weight: usize = weights.iter().sum();
    need.iter()
        .zip(&weights)
        .map(|(n, w)| n + (spare * w).checked_div(weight).unwrap_or(spare / columns.len()))
        .collect()
}

/// The most any column may take so that the columns, each given what it
/// needs up to that, fill `total`: the columns that need less keep what
/// they need, and the others share the rest evenly.
fn widest_share(need: &[usize], total: usize) -> usize {
    let mut sorted = need.to_vec();
    sorted.sort_unstable();
    let mut left = total;
    for (i, &n) in sorted.iter().enumerate() {
        let sharing = sorted.len() - i;
        if n * sharing > left {
            return left / sharing;
        }
        left -= n;
    }
    usize::MAX
}

fn add_block(docx: Docx, block: Block) -> Docx {
    match block {
        Block::Para(p) => docx.add_paragraph(*p),
        Block::Table(t) => docx.add_table(*t),
    }
}

/// Elements whose content the document leaves out: the page's own contents
/// list (Word makes its own), footnote bodies (they become Word footnotes
/// where they are cited), download links and text only for screen readers
/// or hidden on the page.
fn skipped(el: &ElementRef) -> bool {
    let tag = el.value().name();
    matches!(tag, "script" | "style" | "nav" | "summary" | "button" | "form" | "template")
        || el.attr("hidden").is_some()
        || ["footnote", "footnote-back", "downloads", "cover-data", "visually-hidden", "footnote-label"]
            .iter()
            .any(|class| has_class(el, class))
}

fn is_block(el: &ElementRef) -> bool {
    matches!(
        el.value().name(),
        "p" | "div"
            | "section"
            | "article"
            | "aside"
            | "header"
            | "footer"
            | "main"
            | "figure"
            | "figcaption"
            | "blockquote"
            | "ul"
            | "ol"
            | "li"
            | "dl"
            | "table"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "pre"
            | "hr"
            | "details"
            | "nav"
    ) || (el.value().name() == "svg"
        && el.parent().and_then(ElementRef::wrap).is_some_and(|p| has_class(&p, "chart-svg")))
}

fn is_external(href: &str) -> bool {
    href.starts_with("http://") || href.starts_with("https://") || href.starts_with("mailto:")
}

fn cx_fmt(cx: &Context) -> Fmt {
    Fmt { bold: cx.cell.is_some_and(|c| c.header), ..Fmt::default() }
}

fn has_text(pieces: &[Piece]) -> bool {
    pieces.iter().any(|p| match p {
        Piece::Text { text, .. } => !text.trim().is_empty(),
        Piece::Note(_) | Piece::Image(_) => true,
        Piece::Break => false,
    })
}

/// Collapses whitespace as a browser does: runs of it become one space,
/// none at the start or end of the paragraph or after a line break.
fn collapse_whitespace(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
    let mut after_space = true;
    for piece in pieces {
        match piece {
            Piece::Text { text, fmt, link } => {
                let mut collapsed = String::with_capacity(text.len());
                for c in text.chars() {
                    if c.is_ascii_whitespace() {
                        if !after_space {
                            collapsed.push(' ');
                            after_space = true;
                        }
                    } else {
                        collapsed.push(c);
                        after_space = false;
                    }
                }
                if !collapsed.is_empty() {
                    out.push(Piece::Text { text: collapsed, fmt, link });
                }
            }
            Piece::Break => {
                trim_end(&mut out);
                after_space = true;
                out.push(Piece::Break);
            }
            object @ (Piece::Note(_) | Piece::Image(_)) => {
                after_space = false;
                out.push(object);
            }
        }
    }
    trim_end(&mut out);
    out
}

fn trim_end(pieces: &mut Vec<Piece>) {
    if let Some(Piece::Text { text, .. }) = pieces.last_mut() {
        if text.ends_with(' ') {
            text.pop();
        }
        if text.is_empty() {
            pieces.pop();
        }
    }
}

fn text_run(text: &str, fmt: Fmt) -> Run {
    let mut run = Run::new().add_text(text);
    if fmt.bold {
        run = run.bold();
    }
    if fmt.italic {
        run = run.italic();
    }
    if fmt.strike {
        run = run.strike();
    }
    if fmt.code {
        run = run.fonts(RunFonts::new().ascii("Courier New").hi_ansi("Courier New").cs("Courier New"));
    }
    if let Some(colour) = fmt.color {
        run = run.color(colour);
    }
    if fmt.link {
        run = run.underline("single");
    }
    if fmt.sup || fmt.sub {
        let align = if fmt.sup { VertAlignType::SuperScript } else { VertAlignType::SubScript };
        run.run_property = run.run_property.vert_align(align);
    }
    run
}

fn bullets() -> AbstractNumbering {
    let marks = ["\u{2022}", "\u{25E6}", "\u{25AA}"];
    (0..9).fold(AbstractNumbering::new(BULLETS), |n, level| {
        n.add_level(
            Level::new(
                level,
                Start::new(1),
                NumberFormat::new("bullet"),
                LevelText::new(marks[level % 3]),
                LevelJc::new("left"),
            )
            .indent(
                Some(LIST_INDENT * (level as i32 + 1)),
                Some(SpecialIndentType::Hanging(360)),
                None,
                None,
            ),
        )
    })
}

fn decimal() -> AbstractNumbering {
    let formats = ["decimal", "lowerLetter", "lowerRoman"];
    (0..9).fold(AbstractNumbering::new(DECIMAL), |n, level| {
        n.add_level(
            Level::new(
                level,
                Start::new(1),
                NumberFormat::new(formats[level % 3]),
                LevelText::new(format!("%{}.", level + 1)),
                LevelJc::new("left"),
            )
            .indent(
                Some(LIST_INDENT * (level as i32 + 1)),
                Some(SpecialIndentType::Hanging(360)),
                None,
                None,
            ),
        )
    })
}

/// Space before and after a paragraph, lines 1.1 high (Word's default
/// line rule is not LibreOffice's, so it is always given).
fn spacing(before: u32, after: u32) -> LineSpacing {
    LineSpacing::new().before(before).after(after).line(264).line_rule(LineSpacingType::Auto)
}

/// The document's styles, named as Word's built-in ones where there is one
/// ("heading 1", "caption", "Quote"...) so Word's navigation pane, contents
/// and list of figures find them.
fn styles() -> Vec<Style> {
    let paragraph = |id: &str, name: &str| {
        Style::new(id, StyleType::Paragraph).name(name).based_on("Normal").next("Normal").q_format(true)
    };
    let mut styles = vec![
        paragraph("Title", "Title").size(48).bold().color("0B0C0C").line_spacing(spacing(0, 240)),
        paragraph("Subtitle", "Subtitle").size(28).color("505A5F").line_spacing(spacing(0, 240)),
    ];
    for (level, size) in [(1, 36), (2, 30), (3, 26), (4, 24), (5, 22), (6, 22)] {
        styles.push(
            paragraph(&format!("Heading{level}"), &format!("heading {level}"))
                .size(size)
                .bold()
                .color("0B0C0C")
                .outline_lvl(level - 1)
                .line_spacing(spacing(if level == 1 { 0 } else { 240 }, 120)),
        );
    }
    let mut footnote_reference = Style::new("FootnoteReference", StyleType::Character)
        .name("footnote reference")
        .based_on("DefaultParagraphFont");
    footnote_reference.run_property = footnote_reference.run_property.vert_align(VertAlignType::SuperScript);
    styles.extend([
        paragraph("Caption", "caption").size(20).bold().color("0B0C0C").line_spacing(spacing(240, 80)),
        paragraph("DataTitle", "Data table title").size(18).italic().color("505A5F").line_spacing(spacing(120, 80)),
        paragraph("Figure", "Figure").line_spacing(spacing(0, 120)),
        paragraph("FigureNote", "Figure note").size(18).color("505A5F"),
        paragraph("Quote", "Quote")
            .italic()
            .color("383F43")
            .indent(Some(720), None, Some(720), None)
            .line_spacing(spacing(120, 40)),
        paragraph("QuoteAttribution", "Quote attribution")
            .based_on("Quote")
            .size(20)
            .color("505A5F")
            .align(AlignmentType::Right)
            .line_spacing(spacing(0, QUOTATION_GAP)),
        paragraph("Bibliography", "Bibliography").indent(Some(720), Some(SpecialIndentType::Hanging(720)), None, None),
        paragraph("FootnoteText", "footnote text").size(18).line_spacing(spacing(0, 60)),
        footnote_reference,
        paragraph("TableText", "Table text").size(20).line_spacing(spacing(40, 40)),
        paragraph("SourceCode", "Source code").size(18),
        paragraph("TOCHeading", "TOC Heading").size(36).bold().line_spacing(spacing(0, 240)),
        paragraph("TOCListTitle", "Contents list title").size(26).bold().line_spacing(spacing(360, 120)),
        Style::new("ReportTable", StyleType::Table).name("Report table"),
    ]);
    for level in 1..=3 {
        styles.push(
            paragraph(&format!("TOC{level}"), &format!("toc {level}"))
                .indent(Some(360 * (level - 1)), None, None, None)
                .line_spacing(spacing(if level == 1 { 120 } else { 0 }, 40)),
        );
    }
    styles
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(pieces: &[Piece]) -> Vec<String> {
        pieces
            .iter()
            .map(|p| match p {
                Piece::Text { text, .. } => text.clone(),
                Piece::Break => "<br>".into(),
                Piece::Note(_) => "<note>".into(),
                Piece::Image(_) => "<image>".into(),
            })
            .collect()
    }

    #[test]
    fn whitespace_collapses_across_runs_and_trims_the_ends() {
        let t = |s: &str, bold| Piece::Text { text: s.into(), fmt: Fmt { bold, ..Fmt::default() }, link: None };
        let pieces =
            vec![t("\n  Hello ", false), t(" big\n", true), t(" world  ", false), Piece::Break, t(" next ", false)];
        assert_eq!(text(&collapse_whitespace(pieces)), ["Hello ", "big ", "world", "<br>", "next"]);
    }

    /// Found by a commissioner's audit: ticked and unticked items were the
    /// same bullets in Word; and an aligned column lost its alignment.
    #[test]
    fn task_boxes_and_aligned_cells_keep_their_meaning() {
        let page = r##"<html lang="en"><body><main><h2 id="s">Section</h2>
            <ul><li><input type="checkbox" disabled aria-hidden="true"> Open task</li>
            <li><input type="checkbox" disabled checked aria-hidden="true"><span class="visually-hidden">Done: </span> Done task</li></ul>
            <table><thead><tr><th>Name</th><th class="num">Count</th><th class="align-center">Note</th></tr></thead>
            <tbody><tr><td>A</td><td class="num">5</td><td class="align-center">x</td></tr></tbody></table>
            </main></body></html>"##;
        let converted = convert(page, &Meta::default(), &Rasteriser::new()).unwrap();
        let document = String::from_utf8(converted.xml.document).unwrap();
        let runs = regex::Regex::new(r"<w:t[^>]*>([^<]*)</w:t>").unwrap();
        let text: String = runs.captures_iter(&document).map(|c| c[1].to_string()).collect();
        assert!(text.contains("\u{2610} Open task") && text.contains("\u{2611} Done task"), "{text}");
        assert!(!text.contains("Done: "), "the screen-reader words stay out: {text}");
        let aligned = regex::Regex::new(r#"<w:jc w:val="(\w+)""#).unwrap();
        let alignments: Vec<String> = aligned.captures_iter(&document).map(|c| c[1].to_string()).collect();
        assert_eq!(alignments, ["left", "right", "center", "right", "center"], "the table, then its cells: {document}");
    }

    /// Found by a commissioner's audit: a raw HTML table lost its caption,
    /// and its row of <th> cells did not repeat on each page.
    #[test]
    fn a_raw_html_tables_caption_and_header_row_are_kept() {
        let page = r##"<html lang="en"><body><main><h2 id="s">Section</h2>
            <table><caption>Raw HTML table</caption><tr><th scope="col">H1</th><th scope="col">H2</th></tr>
            <tr><td>a</td><td>b</td></tr></table>
            </main></body></html>"##;
        let converted = convert(page, &Meta::default(), &Rasteriser::new()).unwrap();
        let document = String::from_utf8(converted.xml.document).unwrap();
        let caption = document.find(r#"<w:pStyle w:val="Caption" />"#).expect("a caption paragraph");
        assert!(document[caption..].find("Raw HTML table") < document.find("<w:tbl>"), "{document}");
        // The package turns each marked row into a repeating header row.
        assert_eq!(converted.marks.header_rows, 1);
        let marked = document.find(r#"<w:trHeight w:val="0" w:hRule="auto" />"#).expect("the header row is marked");
        assert!(Some(marked) < document.find(">H1<") && document[marked..].find(">a<").is_some(), "{document}");
    }

    #[test]
    fn links_in_footnotes_are_written_out_and_a_note_cited_twice_is_one_footnote() {
        let page = r##"<html lang="en"><body><main>
            <h2 id="s">Section</h2>
            <p>Text<sup class="footnote-ref"><a href="#fn-1">1</a></sup> and again<sup class="footnote-ref"><a href="#fn-1">1</a></sup>.</p>
            <div class="footnote" id="fn-1"><span class="footnote-label">1.</span>
            <p>See <a href="https://example.org/r">the report</a> and <a href="#s">Section</a>.</p>
            <a class="footnote-back" href="#fnref-1">↩</a></div>
            </main></body></html>"##;
        let converted = convert(page, &Meta::default(), &Rasteriser::new()).unwrap();
        assert_eq!(converted.marks.footnotes, 1);
        let notes = String::from_utf8(converted.xml.footnotes).unwrap();
        assert!(notes.contains("the report"), "{notes}");
        assert!(notes.contains(" (https://example.org/r)"), "{notes}");
        assert!(!notes.contains("r:id"), "no relationship in footnotes: {notes}");
        assert!(notes.contains(r#"w:anchor="_Ref"#), "links within the report stay links: {notes}");
        let document = String::from_utf8(converted.xml.document).unwrap();
        assert_eq!(document.matches("<w:footnoteReference").count(), 1);
        assert!(!document.contains("↩"));
        assert_eq!(converted.properties.language, "en");
    }

    /// Found by a QA audit: an unattributed quotation followed by an
    /// attributed one were two Quote paragraphs spaced as one quotation's
    /// paragraphs are, so the second's attribution seemed to cover both.
    #[test]
    fn each_quotation_is_set_apart_and_kept_with_its_attribution() {
        let page = r##"<html lang="en"><body><main><h2 id="s">Section</h2>
            <figure class="quote" id="anon"><blockquote><p>Nobody listened before.</p></blockquote></figure>
            <figure class="quote" id="ciara"><blockquote><p>They trusted us.</p><p>And we them.</p></blockquote>
            <figcaption class="quote-attribution">(Ciara, Learner, interview)</figcaption></figure>
            <blockquote><p>A quotation in the text.</p></blockquote>
            <p>After.</p>
            </main></body></html>"##;
        let converted = convert(page, &Meta::default(), &Rasteriser::new()).unwrap();
        let document = String::from_utf8(converted.xml.document).unwrap();
        let paragraph = |text: &str| {
            let at = document.find(&format!(">{text}<")).unwrap_or_else(|| panic!("no {text}: {document}"));
            let start = document[..at].rfind("<w:p ").unwrap();
            document[start..at].to_string()
        };
        let gap = format!(r#"<w:spacing w:after="{QUOTATION_GAP}" />"#);
        for last in ["Nobody listened before.", "(Ciara, Learner, interview)", "A quotation in the text."] {
            assert!(paragraph(last).contains(&gap), "{last} ends its quotation: {}", paragraph(last));
        }
        for within in ["They trusted us.", "And we them."] {
            let p = paragraph(within);
            assert!(p.contains("<w:keepNext />") && !p.contains("w:after"), "{within} goes on with its quotation: {p}");
        }
        assert!(!paragraph("After.").contains("w:spacing"), "{}", paragraph("After."));
    }

    /// Columns as the converter reads them: the first row and the first
    /// column are headings, set in bold.
    fn column_texts(rows: &[&[&str]]) -> Vec<ColumnText> {
        let mut columns = vec![ColumnText::default(); rows[0].len()];
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                columns[c].add(cell, r == 0 || c == 0);
            }
        }
        columns
    }

    #[test]
    fn narrow_columns_keep_their_longest_word() {
        let columns =
            column_texts(&[&["Role", "Number"], &["CFO wing Custody Manager, coordinating operational delivery", "1"]]);
        let widths = column_widths(&columns, TEXT_WIDTH);
        assert!(widths[1] >= word_width("Number", true) + CELL_MARGINS, "{widths:?}");
        assert!(widths[0] > widths[1] * 3, "{widths:?}");
        assert!(widths.iter().sum::<usize>() <= TEXT_WIDTH);
    }

    /// Found by QA in Drake Hall's Table B.1: "Communication/s", in the
    /// six columns of the roles table, which had room for every word.
    #[test]
    fn every_column_fits_its_longest_word_when_the_page_allows() {
        let rows: &[&[&str]] = &[
            &["Role", "Paid", "Induction", "Single issue", "Bridging", "Representation"],
            &["Neurodiversity mentor", "Paid", "Yes", "No", "Yes", "No"],
            &["SMT Communications Officer", "Unpaid (part of Purple band role)", "No", "Yes", "Yes", "No"],
            &["Peer mentors", "Unpaid", "Yes", "No", "Yes", "Most wing decision-making forums, some Prisoner Council"],
        ];
        let widths = column_widths(&column_texts(rows), TEXT_WIDTH);
        assert!(widths.iter().sum::<usize>() <= TEXT_WIDTH, "{widths:?}");
        for (c, width) in widths.iter().enumerate() {
            let longest = (rows.iter().enumerate())
                .flat_map(|(r, row)| {
                    let bold = r == 0 || c == 0;
                    row[c].split_whitespace().flat_map(|w| w.split_inclusive('-')).map(move |w| word_width(w, bold))
                })
                .max()
                .unwrap();
            assert!(*width >= longest + CELL_MARGINS, "column {c}: {width} < {longest}: {widths:?}");
        }
        // "Communications" in bold 10pt DejaVu Sans, which LibreOffice sets
        // in place of Arial, is 1871 twips, and Word's cell margins 216.
        assert!(widths[0] >= 1871 + 216, "{widths:?}");
    }

    /// Found by QA: a number column beside a cell of one very long word was
    /// one letter wide, its heading read down the page.
    #[test]
    fn a_word_wider_than_the_page_breaks_and_the_columns_beside_it_keep_their_words() {
        let long = "Donaudampfschifffahrtselektrizitaetenhauptbetriebswerkbauunterbeamtengesellschaft".repeat(2);
        let widths =
            column_widths(&column_texts(&[&["Name", "Count"], &["Alpha", "111"], &[&long, "222"]]), TEXT_WIDTH);
        assert_eq!(widths[1], word_width("Count", true) + CELL_MARGINS, "{widths:?}");
        assert_eq!(widths.iter().sum::<usize>(), TEXT_WIDTH, "the long word takes the rest: {widths:?}");
    }

    #[test]
    fn bookmarks_are_short_hidden_word_names() {
        let page = Html::parse_document(
            "<main><h2 id='a-very-long-heading-id-that-word-would-refuse-as-a-name'>x</h2></main>",
        );
        let main = page.select(&selector("main")).next().unwrap();
        let raster = Rasteriser::new();
        let mut c = Converter::new(main, &raster, None);
        let name = c.bookmark("a-very-long-heading-id-that-word-would-refuse-as-a-name");
        assert_eq!(name, "_Ref000000");
        assert_eq!(c.bookmark("a-very-long-heading-id-that-word-would-refuse-as-a-name"), name);
        assert_eq!(c.bookmark("other"), "_Ref000001");
    }
}
