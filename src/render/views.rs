//! The typed views templates receive. Plain data, built by `render`, read
//! by Tera; nothing here computes.

use serde::Serialize;

/// What every page's `base.html` needs.
#[derive(Debug, Clone, Serialize)]
pub struct PageMeta {
    /// `<title>` text.
    pub title: String,
    /// Prefix from this page to the output root: relative ("", "../../"),
    /// or the public address's path ("/reports/cfo/") on `404.html`, which
    /// a server shows at any address.
    pub root: String,
    pub language: String,
    pub series_title: String,
    /// Shows the DRAFT watermark.
    pub draft: bool,
    /// Free pages for the top bar, in reading order.
    pub nav_pages: Vec<Link>,
    /// The output has more than one report, so the top bar links "All
    /// reports"; a study of one reaches its index by the title alone.
    pub many_reports: bool,
    /// This page's path from the output root, when the top bar links it
    /// (the top-bar link marks it `aria-current`).
    pub current: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub title: String,
    /// Relative to the output root; templates prefix it with `page.root`.
    pub href: String,
}

/// One entry of a numbered table of contents.
#[derive(Debug, Clone, Serialize)]
pub struct TocEntry {
    pub number: Option<String>,
    pub title: String,
    pub id: String,
    pub children: Vec<TocEntry>,
}

/// A narrative file rendered as a section of a page.
#[derive(Debug, Clone, Serialize)]
pub struct SectionView {
    /// "1", "Appendix A", or nothing for unnumbered sections.
    pub number: Option<String>,
    pub title: String,
    pub id: String,
    pub appendix: bool,
    /// A narrative file with `draft: true`, shown only in a preview or
    /// with `--drafts`: marked so that its author sees what a published
    /// build leaves out.
    pub draft: bool,
    pub html: String,
}

/// `site.html`.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub page: PageMeta,
    pub id: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub prison: Option<String>,
    pub setting: Option<String>,
    pub wing: Option<String>,
    pub authors: Vec<String>,
    pub year: u32,
    pub publisher: Option<String>,
    pub isbn: Option<String>,
    /// The DOI as written (`10.1234/abcd`) and as an address.
    pub doi: Option<Doi>,
    /// The licence's Markdown as inline HTML.
    pub licence_html: Option<String>,
    /// The disclaimer's Markdown as HTML.
    pub disclaimer_html: Option<String>,
    pub status: String,
    pub status_label: String,
    /// The summary's Markdown as inline HTML.
    pub summary_html: String,
    /// The record as loaded, relative to the report.
    pub data_href: String,
    /// The site's row in the comparison (or the comparison, when it has
    /// no rows per site), from the report; `None` without a comparison.
    pub compare: Option<Link>,
    /// Who took part, as "label: count" in the record's order.
    pub sample: Vec<SampleRow>,
    pub toc: Vec<TocEntry>,
    /// Numbered tables and figures, for the "Figures and tables" list.
    pub figures: Vec<super::shortcodes::FigureEntry>,
    pub sections: Vec<SectionView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Doi {
    pub name: String,
    pub href: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SampleRow {
    pub label: String,
    pub count: u64,
}

/// One card on the series index.
#[derive(Debug, Clone, Serialize)]
pub struct SiteCard {
    pub id: String,
    pub title: String,
    /// The prison, else the setting; `None` when the record names neither.
    pub place: Option<String>,
    pub wing: Option<String>,
    /// The profile's region, when it gives one: what tells 1,000 cards apart.
    pub region: Option<String>,
    pub year: u32,
    /// The summary's Markdown as inline HTML.
    pub summary_html: String,
    pub status: String,
    pub status_label: String,
    pub href: String,
}

/// `index.html`.
#[derive(Debug, Clone, Serialize)]
pub struct IndexView {
    pub page: PageMeta,
    pub title: String,
    pub subtitle: Option<String>,
    pub authors: Vec<String>,
    pub year: u32,
    /// The summary's Markdown as inline HTML.
    pub summary_html: String,
    pub funders: Vec<String>,
    pub acknowledgements_html: Option<String>,
    pub narrative_html: Option<String>,
    /// `index.md`'s title, the heading of its text.
    pub narrative_title: Option<String>,
    /// `index.md` is a draft, shown only by a preview or `--drafts`.
    pub narrative_draft: bool,
    pub sites: Vec<SiteCard>,
    /// "1,000": how many reports, said above the cards once they run past one screen.
    pub long_list: Option<String>,
    pub pages: Vec<Link>,
}

/// `page.html`: a free page.
#[derive(Debug, Clone, Serialize)]
pub struct FreePageView {
    pub page: PageMeta,
    pub title: String,
    pub toc: Vec<TocEntry>,
    pub html: String,
}
