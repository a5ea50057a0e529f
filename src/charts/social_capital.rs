//! The six-stage social-capital matrix: one traffic-light cell per stage,
//! grouped by source, with the rating's symbol as well as its colour.

use plotters::style::text_anchor::{HPos, VPos};

use super::stages::{
    CELL_GAP, ILLUSTRATIVE_RATINGS, Legend, LegendItem, MARK_BAND, MARK_FONT, StageColumns, draw_no_stages, look,
    rating_of, stage_groups,
};
use super::{ChartMeta, TextOpts, render_svg, text_on, text_width, truncate_bold_to, truncate_to};
use crate::model::{Palette, Rating, SocialCapitalFramework, StageRating};

const MIN_WIDTH: i32 = 640;
const PAD: i32 = 8;
const STAGE_FONT: f64 = 14.0;
const SYMBOL_FONT: f64 = 24.0;
const CELL_H: i32 = 72;

/// One stage's cell: what it shows and how it is described.
struct Cell<'a> {
    stage: u32,
    /// The rating key and its definition; `None` when the stage has no
    /// rating or its key is not in the framework.
    rating: Option<(&'a str, &'a Rating)>,
    /// The record marks the rating illustrative, not a study finding.
    illustrative: bool,
}

impl Cell<'_> {
    /// "Success identified", "Success identified (illustrative)" or "not rated".
    fn label(&self) -> String {
        match self.rating {
            Some((_, r)) if self.illustrative => format!("{} (illustrative)", r.label),
            Some((_, r)) => r.label.clone(),
            None => "not rated".to_string(),
        }
    }
}

/// The line above the matrix when ratings are marked illustrative: the
/// whole matrix, or the stages that are.
fn illustrative_mark(cells: &[Cell<'_>]) -> Option<String> {
    let marked: Vec<String> =
        cells.iter().filter(|c| c.rating.is_some() && c.illustrative).map(|c| c.stage.to_string()).collect();
    let rated = cells.iter().filter(|c| c.rating.is_some()).count();
    match marked.len() {
        0 => None,
        n if n == rated => Some(ILLUSTRATIVE_RATINGS.to_string()),
        1 => Some(format!("Illustrative rating: stage {}", marked[0])),
        _ => Some(format!("Illustrative ratings: stages {}", marked.join(", "))),
    }
}

/// The social-capital matrix as an inline SVG string.
///
/// Stages are grouped under a header band per `framework.sources` entry, in
/// order (stages in no source follow in a last, unlabelled group). Each cell
/// shows "Stage N" and the rating's symbol on the rating's colour (through
/// [`palette_colour`](super::palette_colour)), with text in white or
/// near-black, whichever contrasts more; a stage without a known rating is
/// a grey "?" cell. Each cell `<rect>` has `data-stage` and `data-rating`
/// and a tooltip. A legend below lists each rating's symbol and label in
/// framework order. The `<desc>` reads "Stage 1: Success identified; ...".
/// Ids are `<id_prefix>-title` and `<id_prefix>-desc`.
pub fn social_capital_svg(
    ratings: &[StageRating],
    framework: &SocialCapitalFramework,
    palette: Palette,
    title: &str,
    id_prefix: &str,
) -> String {
    let cell = |stage: u32| {
        let entry = ratings.iter().find(|r| r.stage.value == stage);
        Cell {
            stage,
            rating: entry.and_then(|r| rating_of(framework, &r.rating.value)),
            illustrative: entry.is_some_and(|r| r.illustrative),
        }
    };

    let groups = stage_groups(framework);
    let cells: Vec<Cell<'_>> = groups.iter().flat_map(|(_, s)| s).map(|&stage| cell(stage)).collect();
    let mark = illustrative_mark(&cells);
    let desc = describe(&cells, mark.as_deref());
    let meta = ChartMeta { title, desc: &desc, id_prefix, class: "wr-chart wr-chart-social-capital" };
    let any_missing = cells.iter().any(|c| c.rating.is_none());

    // Horizontal layout: cells share the width left after the gaps.
    let width = MIN_WIDTH.max(2 * PAD + StageColumns::min_room(&groups));
    let columns = StageColumns::new(groups, PAD, width - 2 * PAD);
    let total = columns.total();
    let cell_w = columns.cell_w;
    let top = PAD + if mark.is_some() { MARK_BAND } else { 0 };
    let cell_y = top + columns.band_h + if columns.band_h > 0 { CELL_GAP } else { 0 };

    // The legend: framework order, then "Not rated" if a cell needs it.
    let mut items = LegendItem::ratings(framework, palette);
    if any_missing {
        items.push(LegendItem::not_rated());
    }
    let legend_y = cell_y + if total == 0 { 0 } else { CELL_H + 16 };
    let legend = Legend::new(items, PAD, width - PAD, legend_y);
    let height = legend.bottom + PAD;
    let height = if total == 0 && legend.is_empty() { height + 2 * PAD + 20 } else { height };

    render_svg(width as u32, height as u32, &meta, |canvas| {
        let mut cells = cells.iter();
        for group in &columns.groups {
            columns.draw_header(canvas, group, top);
            for (i, cell) in cells.by_ref().take(group.stages.len()).enumerate() {
                let cx0 = group.cell_x(i, cell_w);
                let (fill, symbol) = look(palette, cell.rating);
                let ink = text_on(fill);
                let rect = canvas.rect(cx0, cell_y, cx0 + cell_w, cell_y + CELL_H, fill);
                canvas.annotate(
                    rect,
                    vec![
                        ("data-stage", cell.stage.to_string()),
                        ("data-rating", cell.rating.map_or(String::new(), |(k, _)| k.to_string())),
                    ],
                    Some(&format!("Stage {}: {}", cell.stage, cell.label())),
                );
                let mid = cx0 + cell_w / 2;
                let room = f64::from(cell_w - 8);
                let stage_text = format!("Stage {}", cell.stage);
                let stage_text =
                    if text_width(&stage_text, STAGE_FONT) <= room { stage_text } else { cell.stage.to_string() };
                let (stage_text, _) = truncate_to(&stage_text, usize::MAX, room, STAGE_FONT);
                canvas.text(&stage_text, mid, cell_y + 8, TextOpts::new(STAGE_FONT, ink, HPos::Center, VPos::Top));
                let (symbol, _) = truncate_bold_to(&symbol, room, SYMBOL_FONT);
                let drawn = canvas.text(
                    &symbol,
                    mid,
                    cell_y + 46,
                    TextOpts::new(SYMBOL_FONT, ink, HPos::Center, VPos::Center).bold(),
                );
                canvas.annotate(drawn, vec![("data-symbol", cell.stage.to_string())], None);
            }
        }
        if total == 0 {
            draw_no_stages(canvas, width, PAD);
        }
        legend.draw(canvas);
        if let Some(mark) = &mark {
            canvas.illustrative_mark(mark, width - PAD, PAD, MARK_FONT);
        }
    })
}

/// "Stage 1: Success identified; Stage 2: Realistic future potential."
fn describe(cells: &[Cell<'_>], mark: Option<&str>) -> String {
    if cells.is_empty() {
        return "No stages in the framework.".to_string();
    }
    let parts: Vec<String> = cells.iter().map(|c| format!("Stage {}: {}", c.stage, c.label())).collect();
    let note = mark.map_or(String::new(), |mark| format!("{mark}, not study findings. "));
    format!("{note}{}.", parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{SIX_STAGE_FRAMEWORK, assert_everything_fits, attr, num, tags, texts};
    use super::super::{INK, MISSING_GREY, WHITE};
    use super::*;
    use plotters::prelude::RGBColor;

    const FRAMEWORK: &str = SIX_STAGE_FRAMEWORK;

    const RATINGS: &str = r#"
- {stage: 1, rating: green, evidence: "Groups meet weekly."}
- {stage: 2, rating: green, evidence: "Problem-solving circles."}
- {stage: 3, rating: amber, evidence: "Some delivery."}
- {stage: 4, rating: amber, evidence: "Wing forum planned."}
- {stage: 5, rating: red, evidence: "None."}
- {stage: 6, rating: red, evidence: "None."}
"#;

    fn framework(yaml: &str) -> SocialCapitalFramework {
        serde_saphyr::from_str(yaml).expect("framework YAML")
    }

    fn ratings(yaml: &str) -> Vec<StageRating> {
        serde_saphyr::from_str(yaml).expect("ratings YAML")
    }

    /// (stage, rating key, x, y, width, height, fill) of each cell, in document order.
    fn cells(svg: &str) -> Vec<(u32, String, f64, f64, f64, f64, String)> {
        tags(svg, "rect")
            .into_iter()
            .filter(|t| attr(t, "data-stage").is_some())
            .map(|t| {
                (
                    attr(t, "data-stage").unwrap().parse().unwrap(),
                    attr(t, "data-rating").unwrap().to_string(),
                    num(t, "x"),
                    num(t, "y"),
                    num(t, "width"),
                    num(t, "height"),
                    attr(t, "fill").unwrap().to_string(),
                )
            })
            .collect()
    }

    /// (content, fill) of the symbol drawn in the cell of `stage`.
    fn symbol(svg: &str, stage: u32) -> (String, String) {
        let stage = stage.to_string();
        texts(svg)
            .into_iter()
            .find(|(t, _)| attr(t, "data-symbol") == Some(stage.as_str()))
            .map(|(t, c)| (c, attr(&t, "fill").unwrap().to_string()))
            .expect("symbol")
    }

    fn hex(c: RGBColor) -> String {
        format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
    }

    fn chart(palette: Palette) -> String {
        social_capital_svg(&ratings(RATINGS), &framework(FRAMEWORK), palette, "Social capital", "sc")
    }

    #[test]
    fn cells_follow_the_sources_in_order() {
        let svg = chart(Palette::TrafficLight);
        let cells = cells(&svg);
        let stages: Vec<u32> = cells.iter().map(|c| c.0).collect();
        assert_eq!(stages, [1, 2, 3, 4, 5, 6]);
        assert!(cells.windows(2).all(|p| p[0].2 + p[0].4 < p[1].2), "cells left to right without overlap");
        // A gap between groups wider than the gap inside a group.
        let gap = |i: usize| cells[i + 1].2 - (cells[i].2 + cells[i].4);
        assert!(gap(1) > gap(0));
        // Each header band covers its group's cells and carries its label.
        for (label, first) in [("A: Micro-level", 0), ("B: Meso-level", 2), ("C: Macro-level", 4)] {
            let (tag, _) = texts(&svg).into_iter().find(|(_, c)| c.starts_with(label)).expect("header");
            assert!(num(&tag, "x") >= cells[first].2 && num(&tag, "x") < cells[first].2 + cells[first].4);
        }
        let header_words: Vec<String> = texts(&svg)
            .into_iter()
            .filter(|(t, _)| num(t, "y") < cells[0].3 && attr(t, "text-anchor") == Some("start"))
            .map(|(_, c)| c)
            .collect();
        // A line broken after a slash continues the word on the next.
        let header = header_words.join(" ").replace("/ ", "/");
        assert!(header.contains("A: Micro-level: relational/bonding social capital"), "{header}");
    }

    #[test]
    fn cells_carry_rating_colour_symbol_and_contrasting_text() {
        let svg = chart(Palette::TrafficLight);
        let cells = cells(&svg);
        let expected = [
            ("green", "#2E7D32", "✓", WHITE),
            ("green", "#2E7D32", "✓", WHITE),
            ("amber", "#F9A825", "~", INK),
            ("amber", "#F9A825", "~", INK),
            ("red", "#C62828", "✗", WHITE),
            ("red", "#C62828", "✗", WHITE),
        ];
        for (cell, (key, fill, sym, ink)) in cells.iter().zip(expected) {
            assert_eq!(cell.1, key);
            assert_eq!(cell.6, fill);
            let (content, text_fill) = symbol(&svg, cell.0);
            assert_eq!(content, sym);
            assert_eq!(text_fill, hex(ink));
        }
        assert!(svg.contains("<title>Stage 5: Little or no opportunity identified</title></rect>"));
        let stage_labels: Vec<String> =
            texts(&svg).into_iter().map(|(_, c)| c).filter(|c| c.starts_with("Stage ")).collect();
        assert_eq!(stage_labels, ["Stage 1", "Stage 2", "Stage 3", "Stage 4", "Stage 5", "Stage 6"]);
    }

    #[test]
    fn colour_blind_palette_changes_the_colours_not_the_symbols() {
        let svg = chart(Palette::ColourBlind);
        let fills: Vec<String> = cells(&svg).into_iter().map(|c| c.6).collect();
        assert_eq!(fills, ["#0072B2", "#0072B2", "#E69F00", "#E69F00", "#D55E00", "#D55E00"]);
        assert_eq!(symbol(&svg, 1), ("✓".to_string(), hex(WHITE)));
        assert_eq!(symbol(&svg, 3), ("~".to_string(), hex(INK)));
        assert_eq!(symbol(&svg, 5).0, "✗");
        assert!(!svg.contains("#2E7D32") && !svg.contains("#F9A825") && !svg.contains("#C62828"));
        let legend: Vec<String> = tags(&svg, "rect")
            .into_iter()
            .filter(|t| attr(t, "data-legend").is_some())
            .map(|t| attr(t, "fill").unwrap().to_string())
            .collect();
        assert_eq!(legend, ["#0072B2", "#E69F00", "#D55E00"]);
    }

    #[test]
    fn legend_lists_ratings_in_framework_order_below_the_cells() {
        let svg = chart(Palette::TrafficLight);
        let keys: Vec<String> =
            tags(&svg, "rect").into_iter().filter_map(|t| attr(t, "data-legend").map(str::to_string)).collect();
        assert_eq!(keys, ["green", "amber", "red"]);
        let all: Vec<String> = texts(&svg).into_iter().map(|(_, c)| c).collect();
        let pos = |s: &str| all.iter().position(|c| c == s).unwrap_or_else(|| panic!("{s} missing"));
        assert!(pos("Success identified") < pos("Realistic future potential"));
        assert!(pos("Realistic future potential") < pos("Little or no opportunity identified"));
        let cell_bottom = cells(&svg).iter().map(|c| c.3 + c.5).fold(0.0, f64::max);
        let legend_top = tags(&svg, "rect")
            .into_iter()
            .filter(|t| attr(t, "data-legend").is_some())
            .map(|t| num(t, "y"))
            .fold(f64::MAX, f64::min);
        assert!(legend_top > cell_bottom);
        assert!(!all.contains(&"Not rated".to_string()));
        assert_everything_fits(&svg);
    }

    #[test]
    fn description_lists_each_stage_and_root_is_accessible() {
        let svg = chart(Palette::TrafficLight);
        assert!(svg.starts_with("<svg "));
        let root = &svg[..svg.find('>').unwrap()];
        assert!(root.contains(" role=\"img\" aria-labelledby=\"sc-title\" aria-describedby=\"sc-desc\""));
        assert!(svg.contains(
            "<title id=\"sc-title\">Social capital</title>\n<desc id=\"sc-desc\">Stage 1: Success identified; \
             Stage 2: Success identified; Stage 3: Realistic future potential; Stage 4: Realistic future potential; \
             Stage 5: Little or no opportunity identified; Stage 6: Little or no opportunity identified.</desc>\n"
        ));
    }

    #[test]
    fn missing_or_unknown_ratings_draw_a_grey_question_mark() {
        let partial = ratings(
            r#"
- {stage: 1, rating: green, evidence: "x"}
- {stage: 2, rating: purple, evidence: "unknown key"}
- {stage: 3, rating: amber, evidence: "x"}
- {stage: 5, rating: red, evidence: "x"}
- {stage: 6, rating: red, evidence: "x"}
"#,
        );
        let svg = social_capital_svg(&partial, &framework(FRAMEWORK), Palette::TrafficLight, "SC", "sc");
        let cells = cells(&svg);
        assert_eq!(cells.len(), 6);
        for stage in [2, 4] {
            let cell = cells.iter().find(|c| c.0 == stage).unwrap();
            assert_eq!(cell.1, "");
            assert_eq!(cell.6, hex(MISSING_GREY));
            assert_eq!(symbol(&svg, stage), ("?".to_string(), hex(INK)));
        }
        assert!(svg.contains("Stage 2: not rated; "));
        assert!(texts(&svg).iter().any(|(_, c)| c == "Not rated"));
        assert_everything_fits(&svg);
    }

    #[test]
    fn empty_inputs_do_not_panic() {
        let empty = framework("title: T\nsources: []\nstages: []\nratings: {}\n");
        let svg = social_capital_svg(&[], &empty, Palette::ColourBlind, "SC", "sc");
        assert!(svg.contains("<desc id=\"sc-desc\">No stages in the framework.</desc>"));
        assert_everything_fits(&svg);
        let svg = social_capital_svg(&[], &framework(FRAMEWORK), Palette::TrafficLight, "SC", "sc");
        assert_eq!(cells(&svg).len(), 6);
        assert_everything_fits(&svg);
    }

    #[test]
    fn stages_outside_any_source_still_get_a_cell() {
        let fw = framework(&FRAMEWORK.replace("stages: [5, 6]", "stages: [5]"));
        let svg = social_capital_svg(&ratings(RATINGS), &fw, Palette::TrafficLight, "SC", "sc");
        let stages: Vec<u32> = cells(&svg).iter().map(|c| c.0).collect();
        assert_eq!(stages, [1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn many_stages_and_long_labels_fit() {
        let mut yaml = String::from("title: T\nsources:\n");
        yaml.push_str(&format!("  - {{id: a, label: \"{}\", stages: [1]}}\n", "Very long source label ".repeat(10)));
        yaml.push_str("  - {id: b, label: \"B\", stages: [");
        yaml.push_str(&(2..=20).map(|i| i.to_string()).collect::<Vec<_>>().join(", "));
        yaml.push_str("]}\nstages:\n");
        for i in 1..=20 {
            yaml.push_str(&format!("  - {{n: {i}, question: \"Q?\"}}\n"));
        }
        yaml.push_str(&format!(
            "ratings:\n  green: {{label: \"{}\", colour: \"#2e7d32\", symbol: \"\"}}\n  odd: {{label: Odd, colour: notacolour, symbol: \"✓✓✓✓✓✓✓✓✓✓\"}}\n",
            "An extremely long rating label ".repeat(6)
        ));
        let fw = framework(&yaml);
        let rs: Vec<StageRating> = ratings(
            &(1..=20)
                .map(|i| {
                    format!("- {{stage: {i}, rating: {}, evidence: x}}\n", if i % 2 == 0 { "green" } else { "odd" })
                })
                .collect::<String>(),
        );
        let svg = social_capital_svg(&rs, &fw, Palette::TrafficLight, "SC", "sc");
        assert_eq!(cells(&svg).len(), 20);
        assert_everything_fits(&svg);
        // An empty symbol falls back to a letter: never colour alone.
        assert_eq!(symbol(&svg, 2).0, "A");
        // The cut header keeps its full text as a tooltip.
        assert!(svg.contains("<title>Very long source label"));
    }

    #[test]
    fn text_is_escaped() {
        let fw = framework(&FRAMEWORK.replace("Success identified", "Success & <growth>"));
        let svg = social_capital_svg(&ratings(RATINGS), &fw, Palette::TrafficLight, "A & B", "sc");
        assert!(!svg.contains("<growth>"));
        assert!(svg.contains("<title id=\"sc-title\">A &amp; B</title>"));
        assert!(svg.contains("Stage 1: Success &amp; &lt;growth&gt;;"));
        assert!(svg.contains(">Success &amp; &lt;growth&gt;</text>"));
    }

    #[test]
    fn font_sizes_are_whole_pixels() {
        let svg = chart(Palette::TrafficLight);
        for (tag, _) in texts(&svg) {
            let size = attr(&tag, "font-size").unwrap();
            assert!(size.parse::<u32>().is_ok(), "font-size {size}");
        }
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(chart(Palette::TrafficLight), chart(Palette::TrafficLight));
        assert_eq!(chart(Palette::ColourBlind), chart(Palette::ColourBlind));
    }
}
