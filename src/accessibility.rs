//! Check after render: the barriers a theme can put between a reader and a
//! report, found in each generated page's tags during the same walk that
//! reads its links ([`crate::links::PageFacts::scan`]). The built-in theme
//! has none of them, and Markdown mistakes that would make them (a heading
//! that skips a level, an image without a description) are already errors
//! at their line; these rules keep a theme override from bringing them back:
//! a language, a `<main>`, a skip link, one `<h1>` and no skipped heading
//! level, a description for every image, a name for every graphic, a data
//! table beside every chart, header cells in every table, a label for every
//! form field, unique ids, and ARIA references that resolve. Colour contrast
//! and focus styles live in CSS: the browser tests check them with axe.

use std::collections::BTreeMap;

use rustc_hash::FxHashSet;

use crate::diagnostics::Diagnostic;
use crate::tags::Tag;
use crate::templates::{Place, TemplateTags};

/// One barrier on a generated page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Barrier {
    /// 1-based line of the page.
    pub line: usize,
    pub message: String,
    pub hint: &'static str,
    /// The tag it is at, as the page has it; `None` for what the whole
    /// page lacks (a `<main>`, a skip link).
    pub tag: Option<String>,
}

/// A barrier found at a byte offset of the page, before lines are counted.
#[derive(Debug)]
pub struct Found {
    pub offset: usize,
    pub message: String,
    pub hint: &'static str,
}

const LANG: &str = "write the language on the root element, as the built-in `base.html` does: \
                    `<html lang=\"{{ page.language }}\">`; screen readers choose their voice by it";
const MAIN: &str = "wrap the page's content in one `<main id=\"main\">`, as the built-in `base.html` does: \
                    landmarks let screen-reader users jump to it";
const SKIP: &str = "make the first link of the page a skip link to the content, as the built-in `base.html` \
                    does: `<a class=\"skip-link\" href=\"#main\">Skip to main content</a>`; keyboard users \
                    would otherwise tab through the whole top bar on every page";
const H1: &str = "give the page one `<h1>` with its title, as the built-in templates do: screen-reader users \
                  find a page's title by it";
const HEADINGS: &str = "use the next level down (`<h2>` under `<h1>`, `<h3>` under `<h2>`): screen-reader users \
                        move through a page by heading level, and a skipped level looks like missing content";
const ALT: &str = "say what the picture shows in `alt=\"...\"`, or write `alt=\"\"` for one that is only \
                   decoration; screen readers read it aloud";
const GRAPHIC: &str = "an `<svg>` that shows something needs `role=\"img\"` and a name (`aria-labelledby`, \
                       `aria-label` or a first `<title>`); one that only decorates needs `aria-hidden=\"true\"`. \
                       A chart's SVG from wingreport has its name: put `{{ data.svg | safe }}` in unchanged";
const CHART_TABLE: &str = "keep the chart's numbers as a `<table>` in the same `<figure>`, as the built-in \
                           `shortcodes/attributes_chart.html` does (`data.rows`): readers who cannot see the \
                           chart read them there";
const TABLE_HEADERS: &str = "mark the header row or column with `<th scope=\"col\">` or `<th scope=\"row\">`: \
                             screen readers announce each cell with its headers; a table only for layout \
                             takes `role=\"presentation\"`";
const LABEL: &str = "give the field a `<label for=\"its-id\">`, or `aria-label=\"...\"` as the built-in search \
                     box has: screen readers announce the field by it";
const DUPLICATE_ID: &str = "give each element its own `id`: links, labels and `aria-labelledby` find only the \
                            first element with an id";
const REFERENCE: &str = "give the element meant `id=\"...\"` with this name, or fix the reference: screen \
                         readers find the name, description or controlled element by it";

/// A `<figure>` open at this point of the page.
struct Figure {
    offset: usize,
    chart: bool,
    table: bool,
}

/// A `<table>` open at this point of the page.
struct Table {
    offset: usize,
    headers: bool,
    layout: bool,
}

/// The rules, fed the page's tags in order.
#[derive(Default)]
pub struct Audit {
    found: Vec<Found>,
    root: bool,
    mains: usize,
    h1s: usize,
    last_heading: Option<u8>,
    /// Where the page's first link is, and whether it goes to the page itself.
    first_link: Option<(usize, bool)>,
    figures: Vec<Figure>,
    tables: Vec<Table>,
    svg_depth: usize,
    /// An outermost `<svg role="img">` named only if its first child is `<title>`.
    untitled_svg: Option<usize>,
    label_depth: usize,
    labels_for: FxHashSet<String>,
    /// Form fields named only if a `<label for>` names their id.
    unlabelled: Vec<(usize, String)>,
    references: Vec<(usize, &'static str, String)>,
}

impl Audit {
    fn barrier(&mut self, offset: usize, message: impl Into<String>, hint: &'static str) {
        self.found.push(Found { offset, message: message.into(), hint });
    }

    /// Reads the page's next tag.
    pub fn tag(&mut self, tag: &Tag) {
        if tag.end {
            self.end_tag(tag);
            return;
        }
        if let Some(offset) = self.untitled_svg.take()
            && !tag.is("title")
        {
            self.barrier(offset, "`<svg role=\"img\">` has no name", GRAPHIC);
        }
        let attribute = |name: &str| tag.get(name).map(|v| String::from_utf8_lossy(v).trim().to_string());
        let has = |name: &str| attribute(name).is_some_and(|v| !v.is_empty());
        for name in ["aria-labelledby", "aria-describedby", "aria-controls"] {
            if let Some(ids) = attribute(name) {
                self.references.extend(ids.split_ascii_whitespace().map(|id| (tag.offset, name, id.to_string())));
            }
        }
        if let Some(level) = heading_level(tag.name) {
            self.heading(tag.offset, level);
            return;
        }
        if tag.is("html") {
            self.root = true;
            if !has("lang") {
                self.barrier(tag.offset, "`<html>` has no `lang`", LANG);
            }
        } else if tag.is("main") {
            self.mains += 1;
            if self.mains == 2 {
                self.barrier(tag.offset, "a second `<main>`", MAIN);
            }
        } else if tag.is("a")
            && self.first_link.is_none()
            && let Some(href) = attribute("href")
        {
            // `#main`, or `page.html#main`.
            let same_page = href.split_once('#').is_some_and(|(file, _)| !file.contains(['/', ':']));
            self.first_link = Some((tag.offset, same_page));
        } else if tag.is("img") {
            if tag.get("alt").is_none() {
                let src = attribute("src").unwrap_or_default();
                self.barrier(tag.offset, format!("image `{src}` has no `alt`"), ALT);
            }
        } else if tag.is("svg") {
            self.svg_depth += 1;
            let decorative = attribute("aria-hidden").as_deref() == Some("true");
            if self.svg_depth > 1 || decorative {
                return;
            }
            if attribute("role").as_deref() != Some("img") {
                self.barrier(tag.offset, "`<svg>` without `role=\"img\"` or `aria-hidden=\"true\"`", GRAPHIC);
            } else if !has("aria-labelledby") && !has("aria-label") {
                self.untitled_svg = Some(tag.offset);
            }
            if let Some(figure) = self.figures.last_mut() {
                figure.chart = true;
            }
        } else if tag.is("figure") {
            self.figures.push(Figure { offset: tag.offset, chart: false, table: false });
        } else if tag.is("table") {
            let layout = matches!(attribute("role").as_deref(), Some("presentation" | "none"));
            self.tables.push(Table { offset: tag.offset, headers: false, layout });
            if let Some(figure) = self.figures.last_mut() {
                figure.table = true;
            }
        } else if tag.is("th") {
            if let Some(table) = self.tables.last_mut() {
                table.headers = true;
            }
        } else if tag.is("label") {
            self.label_depth += 1;
            if let Some(id) = attribute("for") {
                self.references.push((tag.offset, "for", id.clone()));
                self.labels_for.insert(id);
            }
        } else if tag.is("input") || tag.is("select") || tag.is("textarea") {
            let kind = attribute("type").unwrap_or_default().to_ascii_lowercase();
            let named_by_itself = matches!(kind.as_str(), "hidden" | "submit" | "reset" | "button" | "image");
            // A disabled field hidden from screen readers (a checklist's box)
            // takes no focus and is never announced: it needs no name.
            let unseen = attribute("disabled").is_some() && attribute("aria-hidden").is_some_and(|v| v == "true");
            if !named_by_itself
                && !unseen
                && self.label_depth == 0
                && !has("aria-label")
                && !has("aria-labelledby")
                && !has("title")
            {
                self.unlabelled.push((tag.offset, attribute("id").unwrap_or_default()));
            }
        }
    }

    fn heading(&mut self, offset: usize, level: u8) {
        if level == 1 {
            self.h1s += 1;
        }
        if let Some(last) = self.last_heading
            && level > last + 1
        {
            self.barrier(offset, format!("`<h{level}>` follows `<h{last}>`: a heading level is skipped"), HEADINGS);
        }
        self.last_heading = Some(level);
    }

    fn end_tag(&mut self, tag: &Tag) {
        if tag.is("svg") {
            self.svg_depth = self.svg_depth.saturating_sub(1);
            if let Some(offset) = self.untitled_svg.take() {
                self.barrier(offset, "`<svg role=\"img\">` has no name", GRAPHIC);
            }
        } else if tag.is("figure") {
            if let Some(figure) = self.figures.pop() {
                self.close_figure(figure);
            }
        } else if tag.is("table") {
            if let Some(table) = self.tables.pop() {
                self.close_table(table);
            }
        } else if tag.is("label") {
            self.label_depth = self.label_depth.saturating_sub(1);
        }
    }

    fn close_figure(&mut self, figure: Figure) {
        if figure.chart && !figure.table {
            self.barrier(figure.offset, "chart `<figure>` has no data table", CHART_TABLE);
        }
        // A figure inside another shows its chart and table in it too.
        if let Some(outer) = self.figures.last_mut() {
            outer.chart |= figure.chart;
            outer.table |= figure.table;
        }
    }

    fn close_table(&mut self, table: Table) {
        if !table.headers && !table.layout {
            self.barrier(table.offset, "`<table>` has no header cells (`<th>`)", TABLE_HEADERS);
        }
    }

    /// An `id` already given to another element of the page.
    pub fn duplicate_id(&mut self, offset: usize, id: &str) {
        self.barrier(offset, format!("id `{id}` is used twice on this page"), DUPLICATE_ID);
    }

    /// The barriers of a piece of a page (raw HTML of a narrative) that it
    /// has whatever page it is part of, in order: those of its elements, not
    /// those of the page as a whole.
    pub fn finish_fragment(mut self) -> Vec<Found> {
        self.close_elements();
        self.found.sort_by_key(|f| f.offset);
        self.found
    }

    /// Closes what the page left open and checks its form fields' labels.
    fn close_elements(&mut self) {
        if let Some(offset) = self.untitled_svg.take() {
            self.barrier(offset, "`<svg role=\"img\">` has no name", GRAPHIC);
        }
        while let Some(figure) = self.figures.pop() {
            self.close_figure(figure);
        }
        while let Some(table) = self.tables.pop() {
            self.close_table(table);
        }
        for (offset, id) in std::mem::take(&mut self.unlabelled) {
            if id.is_empty() || !self.labels_for.contains(&id) {
                self.barrier(offset, "form field has no label", LABEL);
            }
        }
    }

    /// The barriers of the whole page, in page order; `ids` are its ids.
    pub fn finish(mut self, ids: &FxHashSet<String>) -> Vec<Found> {
        self.close_elements();
        if !self.root {
            self.barrier(0, "the page has no `<html lang>`", LANG);
        }
        if self.mains == 0 {
            self.barrier(0, "the page has no `<main>`", MAIN);
        }
        match self.first_link {
            None => self.barrier(0, "the page has no skip link", SKIP),
            Some((offset, false)) => self.barrier(offset, "the page's first link is not a skip link", SKIP),
            Some((_, true)) => {}
        }
        if self.h1s == 0 {
            self.barrier(0, "the page has no `<h1>`", H1);
        }
        for (offset, attribute, id) in std::mem::take(&mut self.references) {
            if !ids.contains(&id) {
                self.barrier(
                    offset,
                    format!("`{attribute}` names `{id}`, which no element of this page has"),
                    REFERENCE,
                );
            }
        }
        self.found.sort_by_key(|f| f.offset);
        self.found
    }
}

/// 1 to 6 for `h1` to `h6`, any case.
pub(crate) fn heading_level(name: &[u8]) -> Option<u8> {
    match name {
        [b'h' | b'H', digit @ b'1'..=b'6'] => Some(digit - b'0'),
        _ => None,
    }
}

/// One diagnostic per barrier: at the project template line that wrote
/// its tag, when `templates` names one, else at the page where it is; the
/// same barrier on many pages (a template's) is reported once, on the
/// first page by path.
pub fn diagnose<'a>(
    pages: impl IntoIterator<Item = (&'a str, &'a [Barrier])>,
    templates: Option<&TemplateTags>,
) -> Vec<Diagnostic> {
    // By message and the template place that wrote it: each page it is on.
    type OnPages<'b> = Vec<(&'b str, &'b Barrier)>;
    let mut by_message: BTreeMap<(&str, Option<&Place>), OnPages> = BTreeMap::new();
    for (page, barriers) in pages {
        for barrier in barriers {
            let place = barrier.tag.as_deref().zip(templates).and_then(|(tag, t)| t.writer_of_tag(tag));
            by_message.entry((barrier.message.as_str(), place)).or_default().push((page, barrier));
        }
    }
    let mut diags: Vec<Diagnostic> = by_message
        .into_iter()
        .map(|((_, place), mut found)| {
            found.sort_by_key(|&(page, barrier)| (page, barrier.line));
            let (page, barrier) = found[0];
            let others = found.iter().filter(|(p, _)| *p != page).map(|(p, _)| p).collect::<FxHashSet<_>>().len();
            let also = match others {
                0 => String::new(),
                1 => " and 1 other page".to_string(),
                n => format!(" and {n} other pages"),
            };
            let message = format!("accessibility: {} (on `{page}`{also})", barrier.message);
            match place {
                Some(place) => place.diagnostic(message).with_hint(barrier.hint),
                None => {
                    let hint =
                        format!("{} (no Markdown line wrote this: it comes from the theme's templates)", barrier.hint);
                    Diagnostic::new(page, barrier.line, 0, message).with_hint(hint)
                }
            }
        })
        .collect();
    diags.sort_by(|a, b| (&a.path, a.line, &a.message).cmp(&(&b.path, b.line, &b.message)));
    diags
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The barriers of a page built around `body` by a theme that does
    /// everything else right.
    fn barriers(body: &str) -> Vec<String> {
        let html = format!(
            "<!DOCTYPE html><html lang=\"en\"><body><a href=\"#main\">Skip</a><main id=\"main\"><h1>T</h1>{body}</main></body></html>"
        );
        page_barriers(&html)
    }

    fn page_barriers(html: &str) -> Vec<String> {
        let mut audit = Audit::default();
        let mut ids = FxHashSet::default();
        crate::tags::for_each_tag(html.as_bytes(), |tag| {
            if !tag.end
                && let Some(id) = tag.get("id")
                && !ids.insert(String::from_utf8_lossy(id).into_owned())
            {
                audit.duplicate_id(tag.offset, &String::from_utf8_lossy(id));
            }
            audit.tag(tag);
        });
        audit.finish(&ids).into_iter().map(|f| f.message).collect()
    }

    const CHART: &str = "<svg role=\"img\" aria-labelledby=\"t\"><title id=\"t\">Chart</title><rect/></svg>";

    #[test]
    fn a_page_like_the_built_in_themes_has_no_barrier() {
        let body = format!(
            "<h2>A</h2><h3>B</h3><h2>C</h2><figure>{CHART}<details><table><tr><th>x</th></tr></table></details></figure>\
             <img src=\"a.png\" alt=\"\"><svg aria-hidden=\"true\"></svg><label for=\"q\">Search</label><input id=\"q\">\
             <input type=\"search\" aria-label=\"Search\"><label>Name <input></label><input type=\"hidden\">\
             <table role=\"presentation\"><tr><td>x</td></tr></table><svg role=\"img\"><title>Icon</title></svg>"
        );
        assert_eq!(barriers(&body), Vec::<String>::new());
    }

    #[test]
    fn a_page_without_its_frame_has_each_frame_barrier() {
        assert_eq!(
            page_barriers("<html><body><a href=\"../index.html\">Home</a><h2>T</h2></body></html>"),
            [
                "`<html>` has no `lang`",
                "the page has no `<main>`",
                "the page has no `<h1>`",
                "the page's first link is not a skip link"
            ]
        );
        assert_eq!(
            page_barriers("<p>x</p>"),
            [
                "the page has no `<html lang>`",
                "the page has no `<main>`",
                "the page has no skip link",
                "the page has no `<h1>`"
            ]
        );
    }

    #[test]
    fn a_chart_without_its_table_or_name_is_a_barrier() {
        assert_eq!(
            barriers(&format!("<figure>{CHART}<figcaption>F</figcaption></figure>")),
            ["chart `<figure>` has no data table"]
        );
        assert_eq!(
            barriers("<figure><svg><rect/></svg><table><tr><th>x</th></tr></table></figure>"),
            ["`<svg>` without `role=\"img\"` or `aria-hidden=\"true\"`"]
        );
        assert_eq!(barriers("<svg role=\"img\"><rect/></svg>"), ["`<svg role=\"img\">` has no name"]);
        // A table in a nested figure counts for the outer one.
        assert_eq!(
            barriers(&format!("<figure>{CHART}<figure><table><tr><th>x</th></tr></table></figure></figure>")),
            Vec::<String>::new()
        );
    }

    #[test]
    fn headings_images_tables_and_fields_are_checked() {
        assert_eq!(barriers("<h2>A</h2><h4>B</h4>"), ["`<h4>` follows `<h2>`: a heading level is skipped"]);
        assert_eq!(barriers("<img src=\"logo.png\">"), ["image `logo.png` has no `alt`"]);
        assert_eq!(barriers("<table><tr><td>x</td></tr></table>"), ["`<table>` has no header cells (`<th>`)"]);
        assert_eq!(
            barriers("<input type=\"search\" id=\"q\"><label for=\"other\">x</label><input id=\"other\">"),
            ["form field has no label"]
        );
        assert!(barriers("<input type=\"checkbox\" disabled aria-hidden=\"true\">").is_empty(), "not announced");
        assert_eq!(
            barriers("<input type=\"checkbox\" aria-hidden=\"true\">"),
            ["form field has no label"],
            "focusable"
        );
    }

    #[test]
    fn ids_and_references_are_checked() {
        assert_eq!(barriers("<p id=\"x\"></p><p id=\"x\"></p>"), ["id `x` is used twice on this page"]);
        assert_eq!(
            barriers("<div aria-labelledby=\"x y\" id=\"x\"></div>"),
            ["`aria-labelledby` names `y`, which no element of this page has"]
        );
    }

    #[test]
    fn one_barrier_on_many_pages_is_one_diagnostic() {
        let barrier = |line| Barrier { line, message: "`<html>` has no `lang`".into(), hint: LANG, tag: None };
        let (a, b, c) = ([barrier(3)], [barrier(2)], [barrier(1)]);
        let pages = [("sites/b/index.html", &a[..]), ("index.html", &b[..]), ("sites/a/index.html", &c[..])];
        let diags = diagnose(pages, None);
        assert_eq!(diags.len(), 1);
        assert_eq!((diags[0].path.as_str(), diags[0].line), ("index.html", 2));
        assert_eq!(diags[0].message, "accessibility: `<html>` has no `lang` (on `index.html` and 2 other pages)");
        assert!(diags[0].hint.as_deref().unwrap().contains("base.html"));
    }
}
