//! How many sites gave each rating at each stage: one stacked bar per stage
//! across all the sites compared. It reads the same at 4 sites as at 5,000,
//! where a row per site would not.

use plotters::prelude::RGBColor;
use plotters::style::text_anchor::{HPos, VPos};

use super::super::stages::{ILLUSTRATIVE_RATINGS, Legend, LegendItem, MARK_BAND, MARK_FONT, look, rating_of};
use super::super::{ChartMeta, INK, INK_SECONDARY, TextOpts, render_svg, text_on, text_width};
use super::{NOT_REPORTED, no_ratings_legend};
use crate::model::{Palette, SocialCapitalFramework, StageRating};

/// The outline of a "not recorded" segment: GOV.UK's dark grey, 4.6:1 on white.
const OUTLINE: &str = "#6F777B";

/// Drawn at a phone's width (a phone 390 px wide gives it 358), so that its
/// 14 px type is about 14 px there: 640 wide, it scrolled sideways in a box
/// of its own on a phone and still drew its axis at 9 px. The theme keeps
/// it from growing much wider on a large screen.
const WIDTH: i32 = 360;
const PAD: i32 = 8;
const LABEL_FONT: f64 = 14.0;
const SEGMENT_FONT: f64 = 14.0;
const AXIS_FONT: f64 = 12.0;
const BAR_H: i32 = 32;
const BAR_GAP: i32 = 8;
/// Gap between a stage's name and its bar.
const LABEL_GAP: i32 = 8;
const AXIS: RGBColor = RGBColor(0x50, 0x5a, 0x5f);

/// The number of sites per rating at one stage. Every compared site is
/// counted once per stage: under its rating, as "not rated" (its record
/// rates other stages but not this one, or with a key the framework lacks),
/// or as "not recorded" (its record has no ratings at all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageCounts {
    pub stage: u32,
    /// One count per rating of the framework, in framework order.
    pub ratings: Vec<u32>,
    pub not_rated: u32,
    pub not_recorded: u32,
}

impl StageCounts {
    pub fn total(&self) -> u32 {
        self.ratings.iter().sum::<u32>() + self.not_rated + self.not_recorded
    }
}

/// Counts the ratings of `sites` (each site's ratings, `None` when its
/// record has none) at every stage of the framework, in stage order.
pub fn rating_counts(sites: &[Option<&[StageRating]>], framework: &SocialCapitalFramework) -> Vec<StageCounts> {
    framework
        .stages
        .iter()
        .map(|stage| {
            let mut counts = StageCounts {
                stage: stage.n.value,
                ratings: vec![0; framework.ratings.len()],
                not_rated: 0,
                not_recorded: 0,
            };
            for ratings in sites {
                let Some(ratings) = ratings else {
                    counts.not_recorded += 1;
                    continue;
                };
                let key = ratings.iter().find(|r| r.stage.value == stage.n.value).map(|r| r.rating.value.as_str());
                match key.and_then(|k| framework.ratings.get_index_of(k)) {
                    Some(i) => counts.ratings[i] += 1,
                    None => counts.not_rated += 1,
                }
            }
            counts
        })
        .collect()
}

/// One segment of a bar: its legend key, fill, symbol, label and count.
struct Segment<'a> {
    key: &'a str,
    fill: RGBColor,
    symbol: String,
    label: &'a str,
    count: u32,
}

/// The stacked bars as an inline SVG string: a row per stage ("Stage N" on
/// the left), each bar the full width for all the sites, split into
/// segments in framework order, then "Not rated" (grey, "?") and "Not
/// recorded" (light grey). A segment shows its rating's symbol and count
/// when they fit, else the count, else nothing (the tooltip, the
/// description and the table beside the chart hold every number). Each
/// segment `<rect>` has `data-stage`, `data-rating` (the key; `not-rated`
/// or `not-recorded` for the greys) and `data-count`. An axis below marks
/// 0, 50 and 100 % of the sites; the legend lists the kinds drawn. When
/// every rating counted is marked illustrative (`illustrative`), an
/// "Illustrative ratings" mark sits top right, as on a site's matrix, and
/// the description opens by saying so.
pub fn rating_counts_svg(
    counts: &[StageCounts],
    framework: &SocialCapitalFramework,
    palette: Palette,
    title: &str,
    id_prefix: &str,
    illustrative: bool,
) -> String {
    let desc = describe(counts, framework);
    let desc = if illustrative { format!("{ILLUSTRATIVE_RATINGS}, not study findings. {desc}") } else { desc };
    let meta = ChartMeta { title, desc: &desc, id_prefix, class: "wr-chart wr-chart-rating-counts wr-chart-compact" };
    let label_w =
        counts.iter().map(|c| text_width(&format!("Stage {}", c.stage), LABEL_FONT)).fold(0.0, f64::max).ceil() as i32;
    let bar_x0 = PAD + label_w + LABEL_GAP;
    let bar_w = WIDTH - PAD - bar_x0;
    let top = PAD + if illustrative { MARK_BAND } else { 0 };
    let row_top = |i: usize| top + i as i32 * (BAR_H + BAR_GAP);
    let bars_bottom = if counts.is_empty() { top + BAR_H } else { row_top(counts.len()) - BAR_GAP };
    let axis_y = bars_bottom + 4;
    let axis_label_y = axis_y + 8;

    let mut items = LegendItem::ratings(framework, palette);
    if counts.iter().any(|c| c.not_rated > 0) {
        items.push(LegendItem::not_rated());
    }
    if counts.iter().any(|c| c.not_recorded > 0) {
        items.push(no_ratings_legend("not-recorded", "Not recorded"));
    }
    let legend = Legend::new(items, PAD, WIDTH - PAD, axis_label_y + 24);
    let height = legend.bottom + PAD;

    render_svg(WIDTH as u32, height as u32, &meta, |canvas| {
        if counts.is_empty() {
            canvas.text(
                "No stages in the framework",
                WIDTH / 2,
                top + BAR_H / 2,
                TextOpts::new(LABEL_FONT, INK, HPos::Center, VPos::Center),
            );
            return;
        }
        for (i, stage) in counts.iter().enumerate() {
            let top = row_top(i);
            let mid = top + BAR_H / 2;
            canvas.text(
                &format!("Stage {}", stage.stage),
                PAD,
                mid,
                TextOpts::new(LABEL_FONT, INK, HPos::Left, VPos::Center),
            );
            let total = stage.total();
            if total == 0 {
                continue;
            }
            let mut done = 0u32;
            for segment in segments(stage, framework, palette).into_iter().filter(|s| s.count > 0) {
                // Edges from the running total, so rounding never leaves a
                // gap or pushes the last segment past the bar's end.
                let x0 = bar_x0 + scale(done, total, bar_w);
                done += segment.count;
                let x1 = bar_x0 + scale(done, total, bar_w);
                let rect = canvas.rect(x0, top, x1, top + BAR_H, segment.fill);
                let tooltip = format!("Stage {}: {} {}", stage.stage, segment.count, sites_word(segment.count));
                let mut attributes = vec![
                    ("data-stage", stage.stage.to_string()),
                    ("data-rating", segment.key.to_string()),
                    ("data-count", segment.count.to_string()),
                ];
                // The pale grey is 1.25:1 on white: an outline gives the bar its length (WCAG 1.4.11).
                if segment.fill == NOT_REPORTED {
                    attributes.push(("stroke", OUTLINE.to_string()));
                }
                canvas.annotate(rect, attributes, Some(&format!("{tooltip}, {}", segment.label)));
                let room = f64::from(x1 - x0 - 6);
                let full = format!("{} {}", segment.symbol, segment.count);
                let shown = [full.trim().to_string(), segment.count.to_string()]
                    .into_iter()
                    .find(|t| text_width(t, SEGMENT_FONT) <= room);
                if let Some(shown) = shown {
                    canvas.text(
                        &shown,
                        (x0 + x1) / 2,
                        mid,
                        TextOpts::new(SEGMENT_FONT, text_on(segment.fill), HPos::Center, VPos::Center).bold(),
                    );
                }
            }
        }
        canvas.line((bar_x0, axis_y), (bar_x0 + bar_w, axis_y), AXIS, 1);
        for (share, anchor) in [(0, HPos::Left), (50, HPos::Center), (100, HPos::Right)] {
            let x = bar_x0 + scale(share, 100, bar_w);
            canvas.line((x, axis_y), (x, axis_y + 5), AXIS, 1);
            canvas.text(
                &format!("{share}% of sites"),
                x,
                axis_label_y,
                TextOpts::new(AXIS_FONT, INK_SECONDARY, anchor, VPos::Top),
            );
        }
        legend.draw(canvas);
        if illustrative {
            canvas.illustrative_mark(ILLUSTRATIVE_RATINGS, WIDTH - PAD, PAD, MARK_FONT);
        }
    })
}

/// `part` of `total` as pixels of `width`, rounded.
fn scale(part: u32, total: u32, width: i32) -> i32 {
    (f64::from(part) / f64::from(total.max(1)) * f64::from(width)).round() as i32
}

fn sites_word(count: u32) -> &'static str {
    if count == 1 { "site" } else { "sites" }
}

/// A stage's segments in drawing order, zero counts included.
fn segments<'a>(stage: &StageCounts, framework: &'a SocialCapitalFramework, palette: Palette) -> Vec<Segment<'a>> {
    let mut out: Vec<Segment<'a>> = framework
        .ratings
        .iter()
        .zip(&stage.ratings)
        .map(|((key, rating), &count)| {
            let (fill, symbol) = look(palette, rating_of(framework, key));
            Segment { key, fill, symbol, label: &rating.label, count }
        })
        .collect();
    let (grey, question) = look(palette, None);
    out.push(Segment { key: "not-rated", fill: grey, symbol: question, label: "Not rated", count: stage.not_rated });
    out.push(Segment {
        key: "not-recorded",
        fill: NOT_REPORTED,
        symbol: String::new(),
        label: "Not recorded",
        count: stage.not_recorded,
    });
    out
}

/// "Stage 1: 2 sites Success identified, 1 site Realistic future
/// potential, 1 site not recorded." Zero counts are left out.
fn describe(counts: &[StageCounts], framework: &SocialCapitalFramework) -> String {
    if counts.is_empty() {
        return "No stages in the framework.".to_string();
    }
    let parts: Vec<String> = counts
        .iter()
        .map(|stage| {
            let mut said: Vec<String> = framework
                .ratings
                .values()
                .zip(&stage.ratings)
                .filter(|(_, n)| **n > 0)
                .map(|(r, &n)| format!("{n} {} {}", sites_word(n), r.label))
                .collect();
            for (n, what) in [(stage.not_rated, "not rated"), (stage.not_recorded, "not recorded")] {
                if n > 0 {
                    said.push(format!("{n} {} {what}", sites_word(n)));
                }
            }
            if said.is_empty() {
                said.push("no sites".to_string());
            }
            format!("Stage {}: {}.", stage.stage, said.join(", "))
        })
        .collect();
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::super::super::test_support::{
        SIX_STAGE_FRAMEWORK, assert_everything_fits, assert_no_text_overlap, attr, num, tags, texts,
    };
    use super::*;

    fn framework() -> SocialCapitalFramework {
        serde_saphyr::from_str(SIX_STAGE_FRAMEWORK).expect("framework YAML")
    }

    fn ratings(keys: &[&str]) -> Vec<StageRating> {
        let yaml: String = keys
            .iter()
            .enumerate()
            .map(|(i, k)| format!("- {{stage: {}, rating: {k}, evidence: x}}\n", i + 1))
            .collect();
        serde_saphyr::from_str(&yaml).expect("ratings YAML")
    }

    #[test]
    fn every_site_is_counted_once_per_stage_under_its_rating_or_a_grey() {
        let all_green = ratings(&["green"; 6]);
        let mixed = ratings(&["green", "amber", "red", "purple", "amber"]);
        let sites = [Some(all_green.as_slice()), Some(mixed.as_slice()), None];
        let counts = rating_counts(&sites, &framework());
        assert_eq!(counts.len(), 6);
        assert_eq!(counts[0], StageCounts { stage: 1, ratings: vec![2, 0, 0], not_rated: 0, not_recorded: 1 });
        assert_eq!(counts[2].ratings, [1, 0, 1]);
        // An unknown key and a missing stage are "not rated", never a rating.
        assert_eq!((counts[3].ratings.clone(), counts[3].not_rated), (vec![1, 0, 0], 1));
        assert_eq!((counts[5].ratings.clone(), counts[5].not_rated), (vec![1, 0, 0], 1));
        assert!(counts.iter().all(|c| c.total() == 3));
    }

    #[test]
    fn segments_are_as_wide_as_their_share_and_fill_the_bar() {
        let green = ratings(&["green"; 6]);
        let red = ratings(&["red"; 6]);
        let mut sites = vec![Some(green.as_slice()); 3];
        sites.push(Some(red.as_slice()));
        sites.push(None);
        let counts = rating_counts(&sites, &framework());
        let svg = rating_counts_svg(&counts, &framework(), Palette::TrafficLight, "Ratings", "rc", false);
        let stage1: Vec<&str> = tags(&svg, "rect").into_iter().filter(|t| attr(t, "data-stage") == Some("1")).collect();
        let keys: Vec<&str> = stage1.iter().map(|t| attr(t, "data-rating").unwrap()).collect();
        assert_eq!(keys, ["green", "red", "not-recorded"], "no segment for a zero count");
        let outlined: Vec<bool> = stage1.iter().map(|t| t.contains(&format!(" stroke=\"{OUTLINE}\""))).collect();
        assert_eq!(outlined, [false, false, true], "only the pale grey is outlined");
        assert!(stage1.iter().all(|t| t.matches(" stroke=").count() <= 1), "one stroke at most: {stage1:?}");
        let widths: Vec<f64> = stage1.iter().map(|t| num(t, "width")).collect();
        let total: f64 = widths.iter().sum();
        assert!((widths[0] / total - 0.6).abs() < 0.01, "{widths:?}");
        assert!((num(stage1[0], "x") + total - (num(stage1[2], "x") + widths[2])).abs() < 1.0, "no gaps");
        assert!(svg.contains(
            "Stage 1: 3 sites Success identified, 1 site Little or no opportunity identified, 1 site not recorded."
        ));
        assert!(texts(&svg).iter().any(|(_, c)| c == "✓ 3"), "symbol and count on the segment");
        assert!(texts(&svg).iter().any(|(_, c)| c == "Not recorded"), "the legend explains the light grey");
        assert_everything_fits(&svg);
        assert_no_text_overlap(&svg);
    }

    #[test]
    fn a_thousand_sites_draw_the_same_six_bars() {
        let keys = ["green", "amber", "red"];
        let records: Vec<Vec<StageRating>> =
            (0..1000).map(|i| ratings(&[keys[i % 3], keys[i % 2], "red", "amber", "green", keys[i % 3]])).collect();
        let sites: Vec<Option<&[StageRating]>> = records.iter().map(|r| Some(r.as_slice())).collect();
        let counts = rating_counts(&sites, &framework());
        assert_eq!(counts[0].ratings, [334, 333, 333]);
        let svg = rating_counts_svg(&counts, &framework(), Palette::ColourBlind, "Ratings", "rc", false);
        assert!(svg.len() < 20_000, "{} bytes", svg.len());
        assert_everything_fits(&svg);
        assert_no_text_overlap(&svg);
    }

    #[test]
    fn illustrative_mark_above_the_bars_only_when_asked() {
        let green = ratings(&["green"; 6]);
        let counts = rating_counts(&[Some(green.as_slice())], &framework());
        let plain = rating_counts_svg(&counts, &framework(), Palette::TrafficLight, "T", "rc", false);
        let marked = rating_counts_svg(&counts, &framework(), Palette::TrafficLight, "T", "rc", true);
        assert!(!plain.contains("Illustrative"));
        let mark = texts(&marked).into_iter().find(|(_, c)| c == "Illustrative ratings").expect("mark");
        assert_eq!(attr(&mark.0, "data-mark"), Some("illustrative"));
        assert!(marked.contains("<desc id=\"rc-desc\">Illustrative ratings, not study findings. Stage 1: "));
        let first_bar = |svg: &str| {
            tags(svg, "rect").into_iter().find(|t| attr(t, "data-stage") == Some("1")).map(|t| num(t, "y")).unwrap()
        };
        assert!(first_bar(&marked) > first_bar(&plain), "the bars move down to make room for the mark");
        assert_everything_fits(&marked);
        assert_no_text_overlap(&marked);
    }

    #[test]
    fn empty_inputs_do_not_panic() {
        let empty: SocialCapitalFramework =
            serde_saphyr::from_str("title: T\nsources: []\nstages: []\nratings: {}\n").unwrap();
        let svg = rating_counts_svg(&rating_counts(&[None], &empty), &empty, Palette::TrafficLight, "", "", false);
        assert!(svg.contains("No stages in the framework."));
        let counts = rating_counts(&[], &framework());
        assert!(counts.iter().all(|c| c.total() == 0));
        let svg = rating_counts_svg(&counts, &framework(), Palette::TrafficLight, "T", "rc", false);
        assert!(svg.contains("Stage 1: no sites."));
        assert_everything_fits(&svg);
    }
}
