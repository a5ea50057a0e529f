//! The cross-site social-capital matrix: one row per site, one column per
//! stage grouped by source, each cell in the rating's colour with its symbol.
//! Drawn only while the sites fit one screen; [`rating_counts`] summarises
//! any number of them.

pub mod rating_counts;

use plotters::prelude::RGBColor;
use plotters::style::text_anchor::{HPos, VPos};

use super::stages::{CELL_GAP, Legend, LegendItem, StageColumns, draw_no_stages, look, rating_of, stage_groups};
use super::{
    ChartMeta, INK, INK_SECONDARY, TextOpts, render_svg, text_on, text_width, truncate_bold_to, truncate_to, wrap_text,
};
use crate::model::{Palette, Rating, SocialCapitalFramework, StageRating};

const MIN_WIDTH: i32 = 640;
const PAD: i32 = 8;
const LABEL_FONT: f64 = 14.0;
/// Pitch of the lines of a wrapped site name.
const LABEL_LINE: i32 = 17;
/// A prison, its wing and the wing's short name ("HMP High Down
/// (Community Living Unit (CLU))") take three lines: at two it was cut
/// (QA30-C F11).
const LABEL_MAX_LINES: usize = 3;
/// Widest the site-name column gets, as a share of the base width.
const LABEL_SHARE: f64 = 0.3;
/// Gap between the site names and the first column of cells.
const LABEL_GAP: i32 = 8;
const STAGE_FONT: f64 = 14.0;
const MESSAGE_FONT: f64 = 14.0;
const STAGE_FONT_SMALL: f64 = 12.0;
/// Height of the row of "Stage N" column headings.
const STAGE_HEAD_H: i32 = 22;
const SYMBOL_FONT: f64 = 20.0;
const NOTE_FONT: f64 = 14.0;
/// Height of a row of cells; fits two lines of a site name, and grows
/// by a line's pitch for each further line the longest name takes.
const ROW_H: i32 = 44;
/// Light grey for the cells of a site that did not report ratings
/// ("not reported" in secondary text on it: 5.7:1).
const NOT_REPORTED: RGBColor = RGBColor(0xe5, 0xe6, 0xe7);

/// The legend entry for the cells of sites whose record has no ratings,
/// under `key` and `label` as each chart names them.
fn no_ratings_legend(key: &str, label: &str) -> LegendItem {
    LegendItem { key: key.to_string(), fill: NOT_REPORTED, symbol: String::new(), label: label.to_string() }
}

/// A site's row: its rating per stage in column order (`None` for a stage
/// without a known rating), or `None` when the site reported no ratings.
type RatedRow<'f> = Option<Vec<RatedCell<'f>>>;

/// A stage's rating key and definition (`None`: not rated), and whether the
/// record marks it illustrative.
type RatedCell<'f> = (Option<(&'f str, &'f Rating)>, bool);

/// "Success identified", "Success identified (illustrative)" or "not rated".
fn cell_label(&(rating, illustrative): &RatedCell<'_>) -> String {
    match rating {
        Some((_, r)) if illustrative => format!("{} (illustrative)", r.label),
        Some((_, r)) => r.label.clone(),
        None => "not rated".to_string(),
    }
}

/// The cross-site social-capital matrix as an inline SVG string.
///
/// `rows` are (site name, the site's ratings) in display order; `None`
/// means the record has no social-capital block. Each site is a row, its
/// name on the left (wrapped onto at most three lines, then cut with "…" and
/// a tooltip); each stage is a column, grouped under a header band per
/// `framework.sources` entry as in
/// [`social_capital_svg`](super::social_capital::social_capital_svg), with
/// a "Stage N" heading. A cell is filled with the rating's colour (through
/// [`palette_colour`](super::palette_colour)) and shows the rating's symbol
/// in white or near-black, whichever contrasts more; a stage the site did
/// not rate (or rated with a key the framework lacks) is a grey "?" cell. A
/// site without ratings is a row of light grey cells with "not reported"
/// across them.
///
/// Each cell `<rect>` has `data-site`, `data-stage` and `data-rating` (the
/// rating key, empty when there is none) and a tooltip; cells of a site
/// that did not report also have `data-status="not-reported"`. The legend
/// below lists each rating's symbol and label in framework order, then
/// "Not rated" and "Not reported" when the matrix has such cells. The
/// `<desc>` reads "HMP Risley: not reported. HMP Drake Hall: stage 1
/// Success identified, stage 2 ...". Ids are `<id_prefix>-title` and
/// `<id_prefix>-desc`. 640 wide in its viewBox (wider only when the stages
/// would get narrower than 48 px) and as tall as the rows need.
pub fn social_capital_comparison_svg(
    rows: &[(String, Option<Vec<StageRating>>)],
    framework: &SocialCapitalFramework,
    palette: Palette,
    title: &str,
    id_prefix: &str,
) -> String {
    let groups = stage_groups(framework);
    let stages: Vec<u32> = groups.iter().flat_map(|(_, s)| s.iter().copied()).collect();

    let rated: Vec<RatedRow<'_>> = rows
        .iter()
        .map(|(_, ratings)| {
            ratings.as_ref().map(|ratings| {
                stages
                    .iter()
                    .map(|&stage| {
                        let entry = ratings.iter().find(|r| r.stage.value == stage);
                        let rating = entry.and_then(|r| rating_of(framework, &r.rating.value));
                        (rating, rating.is_some() && entry.is_some_and(|r| r.illustrative))
                    })
                    .collect()
            })
        })
        .collect();

    let desc = describe(rows, &stages, &rated);
    let meta = ChartMeta { title, desc: &desc, id_prefix, class: "wr-chart wr-chart-social-capital-comparison" };

    // Site names: wrapped within the widest column allowed; the column is
    // as wide as the widest line.
    let max_label = (f64::from(MIN_WIDTH) * LABEL_SHARE).floor();
    let labels: Vec<(Vec<String>, bool)> =
        rows.iter().map(|(name, _)| wrap_text(name, max_label, LABEL_FONT, LABEL_MAX_LINES)).collect();
    let label_w =
        labels.iter().flat_map(|(l, _)| l).map(|l| text_width(l, LABEL_FONT)).fold(0.0, f64::max).ceil() as i32;
    let most_lines = labels.iter().map(|(l, _)| l.len() as i32).max().unwrap_or(0);
    let row_h = ROW_H + (most_lines - 2).max(0) * LABEL_LINE;

    // Columns share the room right of the names.
    let cells_x0 = PAD + label_w + LABEL_GAP;
    let width = MIN_WIDTH.max(cells_x0 + StageColumns::min_room(&groups) + PAD);
    let columns = StageColumns::new(groups, cells_x0, width - PAD - cells_x0);
    let total = columns.total();
    let cell_w = columns.cell_w;

    let stage_head_y = PAD + columns.band_h + if columns.band_h > 0 { CELL_GAP } else { 0 };
    let rows_y = stage_head_y + STAGE_HEAD_H;
    let row_top = |i: usize| rows_y + i as i32 * (row_h + CELL_GAP);
    let body_bottom = if total == 0 {
        PAD + 20
    } else if rows.is_empty() {
        rows_y + row_h
    } else {
        row_top(rows.len()) - CELL_GAP
    };

    // The legend: framework order, then the kinds of empty cell drawn.
    let any_not_rated = total > 0 && rated.iter().flatten().any(|r| r.iter().any(|(rating, _)| rating.is_none()));
    let any_not_reported = total > 0 && rated.iter().any(Option::is_none);
    let mut items = LegendItem::ratings(framework, palette);
    if any_not_rated {
        items.push(LegendItem::not_rated());
    }
    if any_not_reported {
        items.push(no_ratings_legend("not-reported", "Not reported"));
    }
    let legend = Legend::new(items, PAD, width - PAD, body_bottom + 16);
    let height = legend.bottom + PAD;

    render_svg(width as u32, height as u32, &meta, |canvas| {
        if total == 0 {
            draw_no_stages(canvas, width, PAD);
            legend.draw(canvas);
            return;
        }

        columns.draw_headers(canvas, PAD);
        let room = f64::from(cell_w - 4);
        for group in &columns.groups {
            for (i, stage) in group.stages.iter().enumerate() {
                // "Stage N", smaller if need be, else the bare number.
                let text = format!("Stage {stage}");
                let (text, font) = if text_width(&text, STAGE_FONT) <= room {
                    (text, STAGE_FONT)
                } else if text_width(&text, STAGE_FONT_SMALL) <= room {
                    (text, STAGE_FONT_SMALL)
                } else {
                    (stage.to_string(), STAGE_FONT)
                };
                let (text, _) = truncate_to(&text, usize::MAX, room, font);
                let x = group.cell_x(i, cell_w) + cell_w / 2;
                canvas.text(&text, x, stage_head_y, TextOpts::new(font, INK, HPos::Center, VPos::Top));
            }
        }

        // Column left edges in stage order.
        let xs: Vec<i32> =
            columns.groups.iter().flat_map(|g| (0..g.stages.len()).map(move |i| g.cell_x(i, cell_w))).collect();

        for (r, ((site, _), (label, cut))) in rows.iter().zip(&labels).enumerate() {
            let top = row_top(r);
            let mid = top + row_h / 2;
            let shown = label.len() as f64;
            for (k, line) in label.iter().enumerate() {
                let offset = ((2.0 * k as f64 - (shown - 1.0)) * f64::from(LABEL_LINE) / 2.0).round() as i32;
                let drawn =
                    canvas.text(line, PAD, mid + offset, TextOpts::new(LABEL_FONT, INK, HPos::Left, VPos::Center));
                if *cut {
                    canvas.annotate(drawn, Vec::new(), Some(site));
                }
            }

            match &rated[r] {
                Some(ratings) => {
                    for ((&x, &stage), rated) in xs.iter().zip(&stages).zip(ratings) {
                        let rating = rated.0;
                        let (fill, symbol) = look(palette, rating);
                        let cell = canvas.rect(x, top, x + cell_w, top + row_h, fill);
                        let label = cell_label(rated);
                        canvas.annotate(
                            cell,
                            vec![
                                ("data-site", site.clone()),
                                ("data-stage", stage.to_string()),
                                ("data-rating", rating.map_or(String::new(), |(k, _)| k.to_string())),
                            ],
                            Some(&format!("{site}, stage {stage}: {label}")),
                        );
                        let (symbol, _) = truncate_bold_to(&symbol, room, SYMBOL_FONT);
                        let drawn = canvas.text(
                            &symbol,
                            x + cell_w / 2,
                            mid,
                            TextOpts::new(SYMBOL_FONT, text_on(fill), HPos::Center, VPos::Center).bold(),
                        );
                        canvas.annotate(
                            drawn,
                            vec![("data-site", site.clone()), ("data-symbol", stage.to_string())],
                            None,
                        );
                    }
                }
                None => {
                    // One band under the row's cells, so the note centred
                    // across them sits on grey rather than over the gaps.
                    canvas.rect(xs[0], top, xs[xs.len() - 1] + cell_w, top + row_h, NOT_REPORTED);
                    for (&x, &stage) in xs.iter().zip(&stages) {
                        let cell = canvas.rect(x, top, x + cell_w, top + row_h, NOT_REPORTED);
                        canvas.annotate(
                            cell,
                            vec![
                                ("data-site", site.clone()),
                                ("data-stage", stage.to_string()),
                                ("data-rating", String::new()),
                                ("data-status", "not-reported".to_string()),
                            ],
                            Some(&format!("{site}: not reported")),
                        );
                    }
                    let (left, right) = (xs[0], xs[xs.len() - 1] + cell_w);
                    let (note, _) = truncate_to("not reported", usize::MAX, f64::from(right - left - 8), NOTE_FONT);
                    let drawn = canvas.text(
                        &note,
                        (left + right) / 2,
                        mid,
                        TextOpts::new(NOTE_FONT, INK_SECONDARY, HPos::Center, VPos::Center),
                    );
                    canvas.annotate(drawn, vec![("data-site", site.clone())], None);
                }
            }
        }
        if rows.is_empty() {
            canvas.text(
                "No sites to compare",
                (cells_x0 + width - PAD) / 2,
                rows_y + row_h / 2,
                TextOpts::new(MESSAGE_FONT, INK, HPos::Center, VPos::Center),
            );
        }
        legend.draw(canvas);
    })
}

/// "HMP Risley: not reported. HMP Drake Hall: stage 1 Success identified,
/// stage 2 Success identified."
fn describe(rows: &[(String, Option<Vec<StageRating>>)], stages: &[u32], rated: &[RatedRow<'_>]) -> String {
    if stages.is_empty() {
        return "No stages in the framework.".to_string();
    }
    if rows.is_empty() {
        return "No sites to compare.".to_string();
    }
    let parts: Vec<String> = rows
        .iter()
        .zip(rated)
        .map(|((site, _), ratings)| match ratings {
            None => format!("{site}: not reported."),
            Some(ratings) => {
                let cells: Vec<String> = stages
                    .iter()
                    .zip(ratings)
                    .map(|(stage, rated)| format!("stage {stage} {}", cell_label(rated)))
                    .collect();
                format!("{site}: {}.", cells.join(", "))
            }
        })
        .collect();
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        SIX_STAGE_FRAMEWORK, assert_everything_fits, assert_no_text_overlap, attr, html_unescape, num, tags, text_box,
        texts, view_box,
    };
    use super::super::{INK, MISSING_GREY, WHITE, escape_xml};
    use super::*;

    const DRAKE_HALL: &str = r#"
- {stage: 1, rating: green, evidence: x}
- {stage: 2, rating: green, evidence: x}
- {stage: 3, rating: amber, evidence: x}
- {stage: 4, rating: amber, evidence: x}
- {stage: 5, rating: amber, evidence: x}
- {stage: 6, rating: red, evidence: x}
"#;

    const HIGH_DOWN: &str = r#"
- {stage: 1, rating: green, evidence: x}
- {stage: 2, rating: amber, evidence: x}
- {stage: 3, rating: red, evidence: x}
- {stage: 4, rating: red, evidence: x}
- {stage: 5, rating: red, evidence: x}
- {stage: 6, rating: red, evidence: x}
"#;

    fn framework(yaml: &str) -> SocialCapitalFramework {
        serde_saphyr::from_str(yaml).expect("framework YAML")
    }

    fn ratings(yaml: &str) -> Vec<StageRating> {
        serde_saphyr::from_str(yaml).expect("ratings YAML")
    }

    fn row(site: &str, yaml: Option<&str>) -> (String, Option<Vec<StageRating>>) {
        (site.to_string(), yaml.map(ratings))
    }

    /// Four sites, the third not reported.
    fn four_sites() -> Vec<(String, Option<Vec<StageRating>>)> {
        vec![
            row("HMP Drake Hall", Some(DRAKE_HALL)),
            row("HMP High Down", Some(HIGH_DOWN)),
            row("HMP Risley", None),
            row("HMP Holme House", Some(DRAKE_HALL)),
        ]
    }

    fn chart(rows: &[(String, Option<Vec<StageRating>>)], palette: Palette) -> String {
        social_capital_comparison_svg(rows, &framework(SIX_STAGE_FRAMEWORK), palette, "Social capital by site", "cmp")
    }

    /// A cell: site, stage, rating key, x, y, width, height, fill, status.
    struct Cell {
        site: String,
        stage: u32,
        rating: String,
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        fill: String,
        status: Option<String>,
    }

    fn cells(svg: &str) -> Vec<Cell> {
        tags(svg, "rect")
            .into_iter()
            .filter(|t| attr(t, "data-stage").is_some())
            .map(|t| Cell {
                site: html_unescape(attr(t, "data-site").unwrap()),
                stage: attr(t, "data-stage").unwrap().parse().unwrap(),
                rating: attr(t, "data-rating").unwrap().to_string(),
                x: num(t, "x"),
                y: num(t, "y"),
                w: num(t, "width"),
                h: num(t, "height"),
                fill: attr(t, "fill").unwrap().to_string(),
                status: attr(t, "data-status").map(str::to_string),
            })
            .collect()
    }

    /// (content, fill, x, y) of the symbol drawn in a site's cell of `stage`.
    fn symbol(svg: &str, site: &str, stage: u32) -> (String, String, f64, f64) {
        let stage = stage.to_string();
        texts(svg)
            .into_iter()
            .find(|(t, _)| attr(t, "data-symbol") == Some(stage.as_str()) && attr(t, "data-site") == Some(site))
            .map(|(t, c)| (c, attr(&t, "fill").unwrap().to_string(), num(&t, "x"), num(&t, "y")))
            .expect("symbol")
    }

    fn hex(c: RGBColor) -> String {
        format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
    }

    fn legend_keys(svg: &str) -> Vec<String> {
        tags(svg, "rect").into_iter().filter_map(|t| attr(t, "data-legend").map(str::to_string)).collect()
    }

    /// Texts left-aligned at the chart's padding: the site names.
    fn site_labels(svg: &str) -> Vec<(String, String)> {
        texts(svg)
            .into_iter()
            .filter(|(t, _)| attr(t, "text-anchor") == Some("start") && num(t, "x") == f64::from(PAD))
            .collect()
    }

    #[test]
    fn one_row_per_site_and_one_column_per_stage_grouped_by_source() {
        let svg = chart(&four_sites(), Palette::TrafficLight);
        assert_eq!(view_box(&svg).0, 640.0);
        let cells = cells(&svg);
        assert_eq!(cells.len(), 24);
        let sites = ["HMP Drake Hall", "HMP High Down", "HMP Risley", "HMP Holme House"];
        for (r, site) in sites.iter().enumerate() {
            let row: Vec<&Cell> = cells.iter().filter(|c| c.site == *site).collect();
            assert_eq!(row.iter().map(|c| c.stage).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6]);
            // One row: same top, left to right without overlap.
            assert!(row.iter().all(|c| c.y == row[0].y && c.h == row[0].h));
            assert!(row.windows(2).all(|p| p[0].x + p[0].w < p[1].x));
            // Below the previous row, with a gap, in the order given.
            if r > 0 {
                let above = cells.iter().find(|c| c.site == sites[r - 1]).unwrap();
                assert!(above.y + above.h < row[0].y);
            }
            // Columns line up from row to row.
            for c in &row {
                let first = cells.iter().find(|d| d.stage == c.stage).unwrap();
                assert_eq!((c.x, c.w), (first.x, first.w));
            }
        }
        // A gap between source groups wider than inside a group.
        let top: Vec<&Cell> = cells.iter().take(6).collect();
        let gap = |i: usize| top[i + 1].x - (top[i].x + top[i].w);
        assert!(gap(1) > gap(0) && gap(3) > gap(2));
        // Each source header sits over its own stages, above the cells.
        for (label, first) in [("A: Micro-level", 0), ("B: Meso-level", 2), ("C: Macro-level", 4)] {
            let (tag, _) = texts(&svg).into_iter().find(|(_, c)| c.starts_with(label)).expect("header");
            assert!(num(&tag, "x") >= top[first].x && num(&tag, "x") < top[first].x + top[first].w);
            assert!(num(&tag, "y") < top[0].y);
        }
        // Header bands show the whole source label, at 14 px.
        let headers: Vec<(String, String)> = texts(&svg)
            .into_iter()
            .filter(|(t, _)| num(t, "y") < top[0].y && attr(t, "text-anchor") == Some("start"))
            .collect();
        assert!(headers.iter().all(|(t, c)| num(t, "font-size") == 14.0 && !c.ends_with('…')));
        let joined = headers.iter().map(|(_, c)| c.as_str()).collect::<Vec<_>>().join(" ").replace("/ ", "/");
        assert!(joined.contains("A: Micro-level: relational/bonding social capital"), "{joined}");
        // "Stage N" headings centred over their columns, above the cells.
        for c in &top {
            let heading = format!("Stage {}", c.stage);
            let (tag, _) = texts(&svg).into_iter().find(|(_, t)| *t == heading).expect("stage heading");
            assert_eq!(num(&tag, "x"), (c.x + (c.x + c.w)) / 2.0 - (c.w as i32 % 2) as f64 / 2.0);
            assert!(text_box(&tag, &heading).3 <= c.y);
        }
        // Site names in the left column, each centred on its row.
        let labels = site_labels(&svg);
        assert_eq!(labels.iter().map(|(_, c)| c.as_str()).collect::<Vec<_>>(), sites);
        for ((tag, content), site) in labels.iter().zip(sites) {
            let cell = cells.iter().find(|c| c.site == site).unwrap();
            assert!((num(tag, "y") - (cell.y + cell.h / 2.0)).abs() <= 1.0);
            assert!(text_box(tag, content).2 < cell.x);
        }
        assert_everything_fits(&svg);
        assert_no_text_overlap(&svg);
    }

    #[test]
    fn cells_carry_rating_colour_symbol_and_contrasting_text() {
        let svg = chart(&four_sites(), Palette::TrafficLight);
        let cells = cells(&svg);
        let expect = |key: &str| match key {
            "green" => ("#2E7D32", "✓", WHITE),
            "amber" => ("#F9A825", "~", INK),
            _ => ("#C62828", "✗", WHITE),
        };
        let drake: Vec<&str> = ["green", "green", "amber", "amber", "amber", "red"].to_vec();
        let high_down: Vec<&str> = ["green", "amber", "red", "red", "red", "red"].to_vec();
        for (site, keys) in [("HMP Drake Hall", &drake), ("HMP High Down", &high_down), ("HMP Holme House", &drake)] {
            for (stage, key) in (1..=6).zip(keys.iter()) {
                let cell = cells.iter().find(|c| c.site == site && c.stage == stage).unwrap();
                let (fill, sym, ink) = expect(key);
                assert_eq!((cell.rating.as_str(), cell.fill.as_str()), (*key, fill), "{site} stage {stage}");
                let (content, text_fill, x, y) = symbol(&svg, site, stage);
                assert_eq!((content.as_str(), text_fill), (sym, hex(ink)));
                assert!(x > cell.x && x < cell.x + cell.w && y > cell.y && y < cell.y + cell.h);
            }
        }
        assert!(svg.contains("<title>HMP High Down, stage 3: Little or no opportunity identified</title></rect>"));
    }

    #[test]
    fn colour_blind_palette_changes_the_colours_not_the_symbols() {
        let svg = chart(&four_sites(), Palette::ColourBlind);
        let fills: Vec<String> =
            cells(&svg).into_iter().filter(|c| c.site == "HMP Drake Hall").map(|c| c.fill).collect();
        assert_eq!(fills, ["#0072B2", "#0072B2", "#E69F00", "#E69F00", "#E69F00", "#D55E00"]);
        assert_eq!(symbol(&svg, "HMP Drake Hall", 1).0, "✓");
        assert_eq!(symbol(&svg, "HMP Drake Hall", 3).1, hex(INK));
        assert!(!svg.contains("#2E7D32") && !svg.contains("#F9A825") && !svg.contains("#C62828"));
        let legend: Vec<String> = tags(&svg, "rect")
            .into_iter()
            .filter(|t| attr(t, "data-legend").is_some())
            .map(|t| attr(t, "fill").unwrap().to_string())
            .collect();
        assert_eq!(legend[..3], ["#0072B2", "#E69F00", "#D55E00"]);
    }

    #[test]
    fn a_site_without_ratings_is_a_grey_not_reported_row() {
        let svg = chart(&four_sites(), Palette::TrafficLight);
        let cells = cells(&svg);
        let risley: Vec<&Cell> = cells.iter().filter(|c| c.site == "HMP Risley").collect();
        assert_eq!(risley.len(), 6);
        for c in &risley {
            assert_eq!(c.rating, "");
            assert_eq!(c.status.as_deref(), Some("not-reported"));
            assert_eq!(c.fill, hex(NOT_REPORTED));
        }
        assert!(cells.iter().filter(|c| c.site != "HMP Risley").all(|c| c.status.is_none()));
        // One "not reported" across the row, centred on it, no symbols.
        let notes: Vec<(String, String)> = texts(&svg).into_iter().filter(|(_, c)| c == "not reported").collect();
        assert_eq!(notes.len(), 1);
        let (tag, content) = &notes[0];
        assert_eq!(attr(tag, "data-site"), Some("HMP Risley"));
        let (l, t, r, b) = text_box(tag, content);
        let (first, last) = (risley[0], risley[5]);
        assert!(l > first.x + first.w && r < last.x, "spans the row's middle cells");
        assert!(t > first.y && b < first.y + first.h);
        assert!((num(tag, "x") - (first.x + last.x + last.w) / 2.0).abs() <= 1.0);
        assert!(
            !texts(&svg)
                .iter()
                .any(|(t, _)| attr(t, "data-symbol").is_some() && attr(t, "data-site") == Some("HMP Risley"))
        );
        // The legend explains the grey; no "Not rated" since every reported stage is rated.
        assert_eq!(legend_keys(&svg), ["green", "amber", "red", "not-reported"]);
        assert!(texts(&svg).iter().any(|(_, c)| c == "Not reported"));
        assert!(!texts(&svg).iter().any(|(_, c)| c == "Not rated"));
        // Without such a site, no "Not reported" entry.
        let all = chart(&four_sites().into_iter().filter(|r| r.1.is_some()).collect::<Vec<_>>(), Palette::TrafficLight);
        assert_eq!(legend_keys(&all), ["green", "amber", "red"]);
        assert!(!all.contains("not reported") && !all.contains("Not reported"));
    }

    #[test]
    fn missing_or_unknown_ratings_draw_a_grey_question_mark() {
        let partial = "- {stage: 1, rating: green, evidence: x}\n- {stage: 2, rating: purple, evidence: x}\n";
        let svg = chart(&[row("HMP Partial", Some(partial)), row("HMP Risley", None)], Palette::TrafficLight);
        let cells = cells(&svg);
        for stage in 2..=6 {
            let cell = cells.iter().find(|c| c.site == "HMP Partial" && c.stage == stage).unwrap();
            assert_eq!((cell.rating.as_str(), cell.fill.clone()), ("", hex(MISSING_GREY)));
            assert_eq!(symbol(&svg, "HMP Partial", stage).0, "?");
        }
        assert_eq!(legend_keys(&svg), ["green", "amber", "red", "", "not-reported"]);
        assert!(svg.contains("HMP Partial: stage 1 Success identified, stage 2 not rated, stage 3 not rated"));
        assert_everything_fits(&svg);
        assert_no_text_overlap(&svg);
    }

    #[test]
    fn description_lists_each_site_and_root_is_accessible() {
        let svg = chart(&four_sites(), Palette::TrafficLight);
        assert!(svg.starts_with("<svg "));
        let root = &svg[..svg.find('>').unwrap()];
        assert!(root.contains(" role=\"img\" aria-labelledby=\"cmp-title\" aria-describedby=\"cmp-desc\""));
        assert!(root.contains("class=\"wr-chart wr-chart-social-capital-comparison\""));
        assert!(svg.contains(
            "<title id=\"cmp-title\">Social capital by site</title>\n<desc id=\"cmp-desc\">HMP Drake Hall: \
             stage 1 Success identified, stage 2 Success identified, stage 3 Realistic future potential, \
             stage 4 Realistic future potential, stage 5 Realistic future potential, stage 6 Little or no \
             opportunity identified. HMP High Down: stage 1 Success identified, stage 2 Realistic future \
             potential, stage 3 Little or no opportunity identified, stage 4 Little or no opportunity identified, \
             stage 5 Little or no opportunity identified, stage 6 Little or no opportunity identified. \
             HMP Risley: not reported. HMP Holme House: stage 1 Success identified, "
        ));
        assert!(svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn legend_lists_ratings_in_framework_order_below_the_cells() {
        let svg = chart(&four_sites(), Palette::TrafficLight);
        let all: Vec<String> = texts(&svg).into_iter().map(|(_, c)| c).collect();
        let pos = |s: &str| all.iter().position(|c| c == s).unwrap_or_else(|| panic!("{s} missing"));
        assert!(pos("Success identified") < pos("Realistic future potential"));
        assert!(pos("Realistic future potential") < pos("Little or no opportunity identified"));
        assert!(pos("Little or no opportunity identified") < pos("Not reported"));
        let cell_bottom = cells(&svg).iter().map(|c| c.y + c.h).fold(0.0, f64::max);
        let legend_top = tags(&svg, "rect")
            .into_iter()
            .filter(|t| attr(t, "data-legend").is_some())
            .map(|t| num(t, "y"))
            .fold(f64::MAX, f64::min);
        assert!(legend_top > cell_bottom);
    }

    #[test]
    fn long_site_names_wrap_onto_three_lines_then_are_cut() {
        let wraps = "HMP and YOI Drake Hall, Staffordshire";
        let cut = "HMP and YOI Drake Hall, a closed and open women's prison in Staffordshire, with its Hamlet house \
                   blocks and a working farm";
        let svg = chart(
            &[row(wraps, Some(DRAKE_HALL)), row(cut, None), row("HMP Risley", Some(HIGH_DOWN))],
            Palette::TrafficLight,
        );
        assert_everything_fits(&svg);
        assert_no_text_overlap(&svg);
        let labels: Vec<String> = site_labels(&svg).into_iter().map(|(_, c)| html_unescape(&c)).collect();
        assert_eq!(labels.len(), 6);
        assert_eq!(format!("{} {}", labels[0], labels[1]), wraps);
        assert!(cut.starts_with(&format!("{} {}", labels[2], labels[3])) && labels[4].ends_with('…'));
        assert_eq!(labels[5], "HMP Risley");
        let (cut_xml, wraps_xml) = (escape_xml(cut), escape_xml(wraps));
        assert_eq!(svg.matches(&format!("<title>{cut_xml}</title>\n")).count(), 3, "tooltip on every line");
        assert!(!svg.contains(&format!("<title>{wraps_xml}</title>\n")));
        // Names stay left of the cells, within 30 % of the width, inside their rows.
        let cells = cells(&svg);
        let first_x = cells.iter().map(|c| c.x).fold(f64::MAX, f64::min);
        for (tag, content) in site_labels(&svg) {
            let (_, top, right, bottom) = text_box(&tag, &content);
            assert!(right < first_x && right <= 8.0 + 0.3 * 640.0);
            assert!(cells.iter().any(|c| top >= c.y && bottom <= c.y + c.h), "{content} leaves its row");
        }
        // The source labels still fit whole in their bands.
        let first_y = cells.iter().map(|c| c.y).fold(f64::MAX, f64::min);
        let headers: Vec<String> = texts(&svg)
            .into_iter()
            .filter(|(t, _)| num(t, "y") < first_y && attr(t, "text-anchor") == Some("start"))
            .map(|(_, c)| c)
            .collect();
        assert!(headers.iter().all(|c| !c.ends_with('…')), "{headers:?}");
        let header = headers.join(" ").replace("/ ", "/");
        for source in [
            "relational/bonding social capital",
            "cognitive/bridging social capital",
            "structural/linking social capital",
        ] {
            assert!(header.contains(source), "{header}");
        }
        assert!(texts(&svg).iter().any(|(_, c)| c == "Stage 1"));
        // The full names are in the cells' data and the description.
        assert!(cells.iter().any(|c| c.site == cut));
        assert!(svg.contains(&format!("{cut_xml}: not reported.")));
    }

    /// Found by QA (QA30-C F11): a prison with its wing's name and short
    /// name was cut to "HMP High Down (Community Living Unit (…". It takes
    /// three lines, whole, and every row grows to hold them.
    #[test]
    fn a_prison_with_its_wing_reads_whole_on_three_lines() {
        let long = "HMP High Down (Community Living Unit (CLU))";
        let svg = chart(&[row(long, Some(HIGH_DOWN)), row("HMP Risley", None)], Palette::TrafficLight);
        assert_everything_fits(&svg);
        assert_no_text_overlap(&svg);
        let labels: Vec<String> = site_labels(&svg).into_iter().map(|(_, c)| html_unescape(&c)).collect();
        assert_eq!(labels.len(), 4, "{labels:?}");
        assert_eq!(labels[..3].join(" "), long);
        let heights: Vec<f64> = cells(&svg).iter().map(|c| c.h).collect();
        assert!(heights.iter().all(|&h| h == heights[0] && h >= 3.0 * f64::from(LABEL_LINE)), "{heights:?}");
        for (tag, content) in site_labels(&svg) {
            let (_, top, _, bottom) = text_box(&tag, &content);
            assert!(cells(&svg).iter().any(|c| top >= c.y && bottom <= c.y + c.h), "{content} leaves its row");
        }
    }

    #[test]
    fn one_to_twelve_sites_fit_without_overlap() {
        let mut previous = 0.0;
        for count in 1..=12 {
            let rows: Vec<(String, Option<Vec<StageRating>>)> = (1..=count)
                .map(|i| {
                    let name = format!("HMP Site number {i} with a name that is rather long");
                    let yaml = match i % 3 {
                        0 => None,
                        1 => Some(DRAKE_HALL),
                        _ => Some(HIGH_DOWN),
                    };
                    row(&name, yaml)
                })
                .collect();
            let svg = chart(&rows, Palette::TrafficLight);
            let (w, h) = view_box(&svg);
            assert_eq!(w, 640.0);
            assert!(h > previous, "the chart grows with the rows");
            previous = h;
            let cells = cells(&svg);
            assert_eq!(cells.len(), 6 * count);
            for (i, a) in cells.iter().enumerate() {
                for b in &cells[i + 1..] {
                    assert!(
                        a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y,
                        "cells overlap"
                    );
                }
            }
            assert_everything_fits(&svg);
            assert_no_text_overlap(&svg);
        }
    }

    #[test]
    fn empty_inputs_do_not_panic() {
        let empty = framework("title: T\nsources: []\nstages: []\nratings: {}\n");
        for rows in [vec![], four_sites()] {
            let svg = social_capital_comparison_svg(&rows, &empty, Palette::ColourBlind, "SC", "cmp");
            assert!(svg.contains("<desc id=\"cmp-desc\">No stages in the framework.</desc>"));
            assert!(cells(&svg).is_empty());
            assert_everything_fits(&svg);
            assert_no_text_overlap(&svg);
        }
        let svg = chart(&[], Palette::TrafficLight);
        assert!(svg.contains("<desc id=\"cmp-desc\">No sites to compare.</desc>"));
        assert!(texts(&svg).iter().any(|(_, c)| c == "No sites to compare"));
        assert!(cells(&svg).is_empty());
        assert_everything_fits(&svg);
        assert_no_text_overlap(&svg);
        // Odd names and an empty ratings list.
        let rows = [row("", Some("[]")), row("   ", None), row("e\u{301}\t🙂 'x' \"y\" & <z>", Some(DRAKE_HALL))];
        let svg = social_capital_comparison_svg(&rows, &framework(SIX_STAGE_FRAMEWORK), Palette::TrafficLight, "", "");
        assert!(svg.contains("aria-labelledby=\"chart-title\" aria-describedby=\"chart-desc\""));
        assert_eq!(cells(&svg).len(), 18);
        assert_everything_fits(&svg);
        assert_no_text_overlap(&svg);
    }

    #[test]
    fn stages_outside_any_source_and_many_stages_fit() {
        let fw = framework(&SIX_STAGE_FRAMEWORK.replace("stages: [5, 6]", "stages: [5]"));
        let svg = social_capital_comparison_svg(&four_sites(), &fw, Palette::TrafficLight, "SC", "cmp");
        let stages: Vec<u32> = cells(&svg).iter().filter(|c| c.site == "HMP Drake Hall").map(|c| c.stage).collect();
        assert_eq!(stages, [1, 2, 3, 4, 5, 6]);
        assert_everything_fits(&svg);

        let mut yaml = String::from("title: T\nsources:\n  - {id: a, label: \"A long source label \", stages: [");
        yaml.push_str(&(1..=20).map(|i| i.to_string()).collect::<Vec<_>>().join(", "));
        yaml.push_str("]}\nstages:\n");
        for i in 1..=20 {
            yaml.push_str(&format!("  - {{n: {i}, question: \"Q?\"}}\n"));
        }
        yaml.push_str("ratings:\n  green: {label: Good, colour: \"#2e7d32\", symbol: \"✓✓✓✓✓✓✓✓✓✓\"}\n");
        let rs = (1..=20).map(|i| format!("- {{stage: {i}, rating: green, evidence: x}}\n")).collect::<String>();
        let svg = social_capital_comparison_svg(
            &[row("HMP Wide", Some(&rs)), row("HMP None", None)],
            &framework(&yaml),
            Palette::TrafficLight,
            "SC",
            "cmp",
        );
        assert!(view_box(&svg).0 > 640.0, "widens rather than squeezing cells under 48 px");
        assert!(cells(&svg).iter().all(|c| c.w >= 48.0));
        assert_everything_fits(&svg);
        assert_no_text_overlap(&svg);
    }

    #[test]
    fn narrow_source_bands_drop_to_smaller_type_and_keep_a_tooltip() {
        let mut yaml = String::from(
            "title: T\nsources:\n  - {id: a, label: \"Micro-level: relational/bonding social capital\", stages: [1]}\n  \
             - {id: b, label: \"B\", stages: [2, 3, 4, 5, 6, 7, 8, 9]}\nstages:\n",
        );
        for i in 1..=9 {
            yaml.push_str(&format!("  - {{n: {i}, question: \"Q?\"}}\n"));
        }
        yaml.push_str("ratings:\n  green: {label: Good, colour: \"#2e7d32\", symbol: \"✓\"}\n");
        let svg = social_capital_comparison_svg(
            &[row("HMP Drake Hall", None)],
            &framework(&yaml),
            Palette::TrafficLight,
            "SC",
            "cmp",
        );
        let first_y = cells(&svg).iter().map(|c| c.y).fold(f64::MAX, f64::min);
        let headers: Vec<(String, String)> = texts(&svg)
            .into_iter()
            .filter(|(t, _)| num(t, "y") < first_y && attr(t, "text-anchor") == Some("start"))
            .collect();
        assert!(headers.iter().all(|(t, _)| num(t, "font-size") == 12.0));
        assert!(svg.contains("<title>Micro-level: relational/bonding social capital</title>"));
        assert_everything_fits(&svg);
        assert_no_text_overlap(&svg);
    }

    #[test]
    fn text_is_escaped() {
        let fw = framework(&SIX_STAGE_FRAMEWORK.replace("Success identified", "Success & <growth>"));
        let rows = [row("HMP <b>A & B</b>", Some(DRAKE_HALL))];
        let svg = social_capital_comparison_svg(&rows, &fw, Palette::TrafficLight, "A & B", "cmp");
        assert!(!svg.contains("<growth>") && !svg.contains("<b>"));
        assert!(svg.contains("<title id=\"cmp-title\">A &amp; B</title>"));
        assert!(svg.contains("HMP &lt;b&gt;A &amp; B&lt;/b&gt;: stage 1 Success &amp; &lt;growth&gt;,"));
        assert!(svg.contains("data-site=\"HMP &lt;b&gt;A &amp; B&lt;/b&gt;\""));
        assert!(svg.contains(">Success &amp; &lt;growth&gt;</text>"));
    }

    #[test]
    fn font_sizes_are_whole_pixels_and_output_is_deterministic() {
        let svg = chart(&four_sites(), Palette::TrafficLight);
        for (tag, _) in texts(&svg) {
            let size = attr(&tag, "font-size").unwrap();
            assert!(size.parse::<u32>().is_ok(), "font-size {size}");
        }
        assert_eq!(svg, chart(&four_sites(), Palette::TrafficLight));
        assert_eq!(chart(&four_sites(), Palette::ColourBlind), chart(&four_sites(), Palette::ColourBlind));
    }
}
