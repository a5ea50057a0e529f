//! Pieces shared by the charts drawn from the social-capital framework (the
//! per-site matrix in `social_capital` and the cross-site matrix in
//! `comparison`): how stages group under their sources, the column layout
//! with its source header bands, rating colours and symbols, and the legend.

use plotters::prelude::RGBColor;
use plotters::style::text_anchor::{HPos, VPos};

use super::{
    Canvas, INK, MISSING_GREY, TextOpts, palette_colour, parse_hex_colour, text_on, text_width, truncate_bold_to,
    truncate_to, wrap_text,
};
use crate::model::{Palette, Rating, SocialCapitalFramework};

/// The mark of a chart whose every rating is marked illustrative.
pub(crate) const ILLUSTRATIVE_RATINGS: &str = "Illustrative ratings";
/// Type size of that mark, and the band a chart keeps free above its cells
/// for it: a line of 18 px and a gap.
pub(crate) const MARK_FONT: f64 = 14.0;
pub(crate) const MARK_BAND: i32 = 18 + 7;

/// The message drawn instead of cells when a framework defines no stages.
pub(crate) fn draw_no_stages(canvas: &mut Canvas, width: i32, top: i32) {
    canvas.text(
        "No stages in the framework",
        width / 2,
        top + 10,
        TextOpts::new(14.0, INK, HPos::Center, VPos::Center),
    );
}

/// Gap between two source groups of cells.
pub(crate) const GROUP_GAP: i32 = 8;
/// Gap between two cells of a group (and between rows of cells).
pub(crate) const CELL_GAP: i32 = 4;
/// Narrowest cell before a chart widens (the viewBox scales it back).
pub(crate) const MIN_CELL: i32 = 48;
/// Type size and line pitch of the source headers; the smaller size is
/// used when a label does not fit in four lines at the larger.
const HEADER_FONT: f64 = 14.0;
const HEADER_LINE: i32 = 18;
const HEADER_FONT_SMALL: f64 = 12.0;
const HEADER_LINE_SMALL: i32 = 15;
const HEADER_MAX_LINES: usize = 4;
const HEADER_PAD: i32 = 6;
const LEGEND_FONT: f64 = 14.0;
const SWATCH: i32 = 22;
const LEGEND_LINE: i32 = 30;
const LEGEND_ITEM_GAP: i32 = 20;
/// GOV.UK light grey for the source header bands.
const BAND: RGBColor = RGBColor(0xf3, 0xf2, 0xf1);

/// The stages of the framework in drawing order, grouped: each source that
/// has stages, in order, with its label; then the stages in no source, in a
/// last group without a label.
pub(crate) fn stage_groups(framework: &SocialCapitalFramework) -> Vec<(Option<&str>, Vec<u32>)> {
    let mut groups: Vec<(Option<&str>, Vec<u32>)> = framework
        .sources
        .iter()
        .filter(|s| !s.stages.is_empty())
        .map(|s| (Some(s.label.as_str()), s.stages.iter().map(|n| n.value).collect()))
        .collect();
    let loose: Vec<u32> =
        framework.stages.iter().filter(|st| framework.source_of(st.n.value).is_none()).map(|st| st.n.value).collect();
    if !loose.is_empty() {
        groups.push((None, loose));
    }
    groups
}

/// The rating key and definition a record's rating name refers to, if the
/// framework knows it.
pub(crate) fn rating_of<'f>(framework: &'f SocialCapitalFramework, key: &str) -> Option<(&'f str, &'f Rating)> {
    framework.ratings.get_key_value(key).map(|(k, v)| (k.as_str(), v))
}

/// Fill and symbol of a rating under the palette; a grey "?" without one.
pub(crate) fn look(palette: Palette, rating: Option<(&str, &Rating)>) -> (RGBColor, String) {
    match rating {
        Some((key, r)) => {
            let fill = parse_hex_colour(&palette_colour(palette, key, &r.colour.value)).unwrap_or(MISSING_GREY);
            (fill, symbol_of(r))
        }
        None => (MISSING_GREY, "?".to_string()),
    }
}

/// The rating's symbol; never colour alone, so an empty symbol falls back
/// to the label's first letter.
fn symbol_of(rating: &Rating) -> String {
    let symbol = rating.symbol.trim();
    if symbol.is_empty() {
        rating.label.trim().chars().next().map_or_else(|| "?".to_string(), |c| c.to_uppercase().collect())
    } else {
        symbol.to_string()
    }
}

/// One source group laid out as columns.
pub(crate) struct GroupColumns<'f> {
    /// The source's label; `None` for the stages in no source.
    pub label: Option<&'f str>,
    pub stages: Vec<u32>,
    /// Left edge and width of the group.
    pub x: i32,
    pub w: i32,
    /// Wrapped header lines and whether the label was cut.
    header: Option<(Vec<String>, bool)>,
}

impl GroupColumns<'_> {
    /// Left edge of the `i`-th cell of the group.
    pub fn cell_x(&self, i: usize, cell_w: i32) -> i32 {
        self.x + i as i32 * (cell_w + CELL_GAP)
    }
}

/// Stage columns grouped by source, each group under a header band that
/// carries the source's label wrapped to at most four lines (at 14 px, or
/// 12 px when a label would not fit at 14).
pub(crate) struct StageColumns<'f> {
    pub groups: Vec<GroupColumns<'f>>,
    pub cell_w: i32,
    /// Height of the header bands; 0 when no group has a label.
    pub band_h: i32,
    header_font: f64,
    header_line: i32,
}

impl<'f> StageColumns<'f> {
    /// Width the gaps between cells and groups take.
    fn gaps(groups: &[(Option<&'f str>, Vec<u32>)]) -> i32 {
        (groups.len() as i32 - 1).max(0) * GROUP_GAP
            + groups.iter().map(|(_, s)| (s.len() as i32 - 1).max(0) * CELL_GAP).sum::<i32>()
    }

    /// Narrowest room the groups fit in with cells of [`MIN_CELL`].
    pub fn min_room(groups: &[(Option<&'f str>, Vec<u32>)]) -> i32 {
        Self::gaps(groups) + groups.iter().map(|(_, s)| s.len() as i32).sum::<i32>() * MIN_CELL
    }

    /// Lays the groups out from `x0` rightwards; the cells share `room`
    /// pixels left after the gaps.
    pub fn new(groups: Vec<(Option<&'f str>, Vec<u32>)>, x0: i32, room: i32) -> Self {
        let total: i32 = groups.iter().map(|(_, s)| s.len() as i32).sum();
        let cell_w = if total == 0 { 0 } else { ((room - Self::gaps(&groups)) / total).max(0) };
        let wrap = |label: Option<&str>, w: i32, font: f64| {
            label.map(|l| wrap_text(l, f64::from(w - 2 * HEADER_PAD), font, HEADER_MAX_LINES))
        };
        let mut x = x0;
        let mut laid = Vec::with_capacity(groups.len());
        for (label, stages) in groups {
            let n = stages.len() as i32;
            let w = n * cell_w + (n - 1) * CELL_GAP;
            let header = wrap(label, w, HEADER_FONT);
            laid.push(GroupColumns { label, stages, x, w, header });
            x += w + GROUP_GAP;
        }
        let (mut header_font, mut header_line) = (HEADER_FONT, HEADER_LINE);
        if laid.iter().any(|g| g.header.as_ref().is_some_and(|(_, cut)| *cut)) {
            (header_font, header_line) = (HEADER_FONT_SMALL, HEADER_LINE_SMALL);
            for g in &mut laid {
                g.header = wrap(g.label, g.w, header_font);
            }
        }
        let lines = laid.iter().filter_map(|g| g.header.as_ref().map(|(l, _)| l.len())).max().unwrap_or(0);
        let band_h = if lines == 0 { 0 } else { lines as i32 * header_line + 2 * HEADER_PAD };
        StageColumns { groups: laid, cell_w, band_h, header_font, header_line }
    }

    /// Number of stage columns.
    pub fn total(&self) -> usize {
        self.groups.iter().map(|g| g.stages.len()).sum()
    }

    /// Draws the header bands with their top at `y`.
    pub fn draw_headers(&self, canvas: &mut Canvas<'_>, y: i32) {
        for group in &self.groups {
            self.draw_header(canvas, group, y);
        }
    }

    /// Draws one group's header band with its top at `y`; a cut label keeps
    /// its full text as a tooltip on its first line.
    pub fn draw_header(&self, canvas: &mut Canvas<'_>, group: &GroupColumns<'_>, y: i32) {
        let Some((lines, cut)) = &group.header else {
            return;
        };
        canvas.rect(group.x, y, group.x + group.w, y + self.band_h, BAND);
        for (i, text) in lines.iter().enumerate() {
            let drawn = canvas.text(
                text,
                group.x + HEADER_PAD,
                y + HEADER_PAD + i as i32 * self.header_line,
                TextOpts::new(self.header_font, INK, HPos::Left, VPos::Top),
            );
            if *cut && i == 0 {
                canvas.annotate(drawn, Vec::new(), group.label);
            }
        }
    }
}

/// One legend entry: a swatch (with the symbol on it, if any) and a label.
pub(crate) struct LegendItem {
    /// Written as the swatch's `data-legend`.
    pub key: String,
    pub fill: RGBColor,
    /// Drawn on the swatch; empty for none.
    pub symbol: String,
    pub label: String,
}

impl LegendItem {
    /// The entries for the framework's ratings, in framework order.
    pub fn ratings(framework: &SocialCapitalFramework, palette: Palette) -> Vec<LegendItem> {
        framework
            .ratings
            .iter()
            .map(|(key, r)| {
                let (fill, symbol) = look(palette, Some((key, r)));
                LegendItem { key: key.clone(), fill, symbol, label: r.label.clone() }
            })
            .collect()
    }

    /// The grey "?" entry for a stage without a usable rating.
    pub fn not_rated() -> LegendItem {
        LegendItem { key: String::new(), fill: MISSING_GREY, symbol: "?".to_string(), label: "Not rated".to_string() }
    }
}

/// A legend laid out in lines that wrap within the chart's width.
pub(crate) struct Legend {
    /// (x, y, item, label shown, whether the label was cut).
    placed: Vec<(i32, i32, LegendItem, String, bool)>,
    /// Bottom edge of the last line; the top when the legend is empty.
    pub bottom: i32,
}

impl Legend {
    /// Places `items` from (`left`, `top`), starting a new line when an item
    /// would pass `right`; a label too long for a whole line is cut with "…".
    pub fn new(items: Vec<LegendItem>, left: i32, right: i32, top: i32) -> Self {
        let label_room = f64::from(right - left - SWATCH - 6);
        let mut placed = Vec::with_capacity(items.len());
        let (mut x, mut line) = (left, 0);
        let count = items.len();
        for item in items {
            let (shown, cut) = truncate_to(&item.label, usize::MAX, label_room, LEGEND_FONT);
            let item_w = SWATCH + 6 + text_width(&shown, LEGEND_FONT).ceil() as i32;
            if x > left && x + item_w > right {
                x = left;
                line += 1;
            }
            placed.push((x, top + line * LEGEND_LINE, item, shown, cut));
            x += item_w + LEGEND_ITEM_GAP;
        }
        let lines = if count == 0 { 0 } else { line + 1 };
        Legend { placed, bottom: top + (lines * LEGEND_LINE - (LEGEND_LINE - SWATCH)).max(0) }
    }

    pub fn is_empty(&self) -> bool {
        self.placed.is_empty()
    }

    /// Draws the swatches (each `<rect>` with `data-legend`), their symbols
    /// in a contrasting colour and the labels (a cut one with its full text
    /// as a tooltip).
    pub fn draw(&self, canvas: &mut Canvas<'_>) {
        for (x, y, item, shown, cut) in &self.placed {
            let swatch = canvas.rect(*x, *y, x + SWATCH, y + SWATCH, item.fill);
            canvas.annotate(swatch, vec![("data-legend", item.key.clone())], None);
            if !item.symbol.is_empty() {
                let (symbol, _) = truncate_bold_to(&item.symbol, f64::from(SWATCH - 2), LEGEND_FONT);
                canvas.text(
                    &symbol,
                    x + SWATCH / 2,
                    y + SWATCH / 2,
                    TextOpts::new(LEGEND_FONT, text_on(item.fill), HPos::Center, VPos::Center).bold(),
                );
            }
            let text = canvas.text(
                shown,
                x + SWATCH + 6,
                y + SWATCH / 2,
                TextOpts::new(LEGEND_FONT, INK, HPos::Left, VPos::Center),
            );
            if *cut {
                canvas.annotate(text, Vec::new(), Some(&item.label));
            }
        }
    }
}
