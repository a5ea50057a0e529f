//! The attribute-priority graph: horizontal bars sorted by count.

use std::cmp::Reverse;

use plotters::prelude::RGBColor;
use plotters::style::text_anchor::{HPos, VPos};

use super::{ChartMeta, INK, INK_SECONDARY, TextOpts, render_svg, text_width, wrap_text};
use crate::model::Attributes;

const WIDTH: u32 = 640;
const PAD: i32 = 8;
/// Gap between a name and its bar, and between a bar and its count.
const GAP: i32 = 6;
/// Names beside their bars wrap onto at most this many lines, names above
/// them onto three; the last is cut with "…" (the full name is in a
/// tooltip, the description and the HTML table).
const MAX_LABEL_LINES: usize = 2;
const ABOVE_LABEL_LINES: usize = 3;
/// Names above their bars: the gap between a name and its bar, and between
/// a bar and the next name.
const ABOVE_GAP: i32 = 3;
const ABOVE_ROW_GAP: i32 = 12;
/// GOV.UK blue: 5.2:1 on white.
const BAR: RGBColor = RGBColor(0x1d, 0x70, 0xb8);
const AXIS: RGBColor = RGBColor(0x50, 0x5a, 0x5f);
const GRID: RGBColor = RGBColor(0xe5, 0xe6, 0xe7);

/// How an attribute chart is drawn; see [`attributes_svg_styled`].
///
/// `AttributesStyle { axis_max: n, compact: false }` is the chart of a site
/// report ([`attributes_svg`]). For small multiples on the comparison page
/// give every panel the same `axis_max` (the largest `n` of the sites shown)
/// and `compact: true`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttributesStyle {
    /// The x axis runs from 0 to `axis_max`, and a bar's length is
    /// `count / axis_max` of the plot width. Raised to the largest count
    /// when below it, so that every bar fits (validation reports counts
    /// above n).
    pub axis_max: u32,
    /// A small-multiple panel, made to be shown at 320 to 400 px wide:
    /// type about 1.5 times larger (all of it 22 px in the 640 px viewBox,
    /// so about 12 px on screen at 360 px), at most three ticks, and each name
    /// above its bar across the whole width, on up to three lines: beside
    /// the bars, in half the width of a phone, names of 50 letters were cut
    /// short. Panels with the same `axis_max` share the same plot area, so
    /// equal counts give bars of equal length whatever the names. Off:
    /// labels 14 px beside the bars, in a column as wide as the longest
    /// name needs, up to 45 % of the width.
    pub compact: bool,
}

/// Type sizes and proportions of one style.
struct Metrics {
    label_font: f64,
    count_font: f64,
    tick_font: f64,
    mark_font: f64,
    names: Names,
    /// About how many intervals the axis is cut into.
    tick_intervals: u32,
}

const FULL: Metrics = Metrics {
    label_font: 14.0,
    count_font: 14.0,
    tick_font: 12.0,
    mark_font: 14.0,
    names: Names::Beside { share: 0.45 },
    tick_intervals: 5,
};

const COMPACT: Metrics = Metrics {
    label_font: 22.0,
    count_font: 22.0,
    tick_font: 22.0,
    mark_font: 22.0,
    names: Names::Above,
    tick_intervals: 2,
};

/// Where the names of the attributes go.
enum Names {
    /// Left of the bars, right aligned, in a column as wide as the longest
    /// name needs, up to `share` of the width.
    Beside { share: f64 },
    /// Each above its bar, across the whole width.
    Above,
}

/// Pixel steps derived from a type size: a line of text, a row of one line.
fn line_h(font_px: f64) -> i32 {
    (font_px * 1.2).ceil() as i32
}

/// Name and count of each item in drawing order: by count, descending; the
/// sort is stable, so equal counts keep the record's order.
pub fn sorted_items(attributes: &Attributes) -> Vec<(&str, u32)> {
    let mut items: Vec<(&str, u32)> = attributes.items.iter().map(|i| (i.name.as_str(), i.count.value)).collect();
    items.sort_by_key(|&(_, count)| Reverse(count));
    items
}

/// The attribute-priority bar chart of a site report, on an axis from 0 to
/// the record's `n`: [`attributes_svg_on_scale`] with `axis_max = n`.
pub fn attributes_svg(attributes: &Attributes, title: &str, id_prefix: &str) -> String {
    attributes_svg_on_scale(attributes, title, id_prefix, attributes.n.value)
}

/// The attribute-priority bar chart on an axis from 0 to `axis_max` (the
/// axis title still gives this record's n):
/// [`attributes_svg_styled`] with `compact: false`.
pub fn attributes_svg_on_scale(attributes: &Attributes, title: &str, id_prefix: &str, axis_max: u32) -> String {
    attributes_svg_styled(attributes, title, id_prefix, AttributesStyle { axis_max, compact: false })
}

/// The attribute-priority bar chart as an inline SVG string, 640 wide in
/// its viewBox and as tall as the bars need.
///
/// One bar per item, longest first (ties keep the record's order), each
/// labelled with its count, on an axis from 0 to `style.axis_max` titled
/// "Number of respondents (n = N)" with the record's n. Names sit right
/// aligned left of their bars; a name too wide for the label column wraps
/// onto a second line (all rows then grow to fit two lines), and one too
/// long for two lines is cut with "…" and carries the full name as a
/// tooltip on its lines. In a compact panel each name sits above its bar,
/// left aligned, on up to three lines, cut in the same way past them.
///
/// Each bar `<rect>` has `data-name` and `data-count`. When the record is
/// illustrative, an "Illustrative data" mark sits top right. The `<title>`
/// is `title`; the `<desc>` lists every attribute with its count. Ids are
/// `<id_prefix>-title` and `<id_prefix>-desc`.
pub fn attributes_svg_styled(attributes: &Attributes, title: &str, id_prefix: &str, style: AttributesStyle) -> String {
    let m = if style.compact { &COMPACT } else { &FULL };
    let n = attributes.n.value;
    let items = sorted_items(attributes);

    let desc = describe(&items, n, attributes.illustrative);
    let class =
        if style.compact { "wr-chart wr-chart-attributes wr-chart-compact" } else { "wr-chart wr-chart-attributes" };
    let meta = ChartMeta { title, desc: &desc, id_prefix, class };

    let (max_col, max_lines) = match m.names {
        Names::Beside { share } => ((f64::from(WIDTH) * share).floor(), MAX_LABEL_LINES),
        Names::Above => (f64::from(WIDTH as i32 - 2 * PAD), ABOVE_LABEL_LINES),
    };
    let labels: Vec<(Vec<String>, bool)> =
        items.iter().map(|(name, _)| wrap_text(name, max_col, m.label_font, max_lines)).collect();
    let line = line_h(m.label_font);

    // The axis runs to axis_max; should a count exceed it, the axis
    // stretches so the bar still fits. The space right of the plot depends
    // on the scale only, so charts on one scale share their plot area.
    let scale = items.iter().map(|(_, c)| *c).fold(style.axis_max, u32::max);
    let count_w = text_width(&scale.to_string(), m.count_font);
    let end_tick_w = text_width(&scale.to_string(), m.tick_font);
    let right_reserve = (f64::from(GAP) + count_w).max(end_tick_w / 2.0).ceil() as i32 + PAD;

    // Beside the bars, the name column is as wide as its widest line.
    let x0 = match m.names {
        Names::Beside { .. } => {
            let label_w = labels.iter().flat_map(|(l, _)| l).map(|l| text_width(l, m.label_font)).fold(0.0, f64::max);
            PAD + label_w.ceil() as i32 + GAP
        }
        Names::Above => PAD,
    };
    let x_full = WIDTH as i32 - right_reserve;
    let plot_w = f64::from((x_full - x0).max(1));
    let bar_len = |count: u32| -> i32 {
        if scale == 0 { 0 } else { (f64::from(count) / f64::from(scale) * plot_w).round() as i32 }
    };

    let mark_band = line_h(m.mark_font) + 7;
    let top = PAD + if attributes.illustrative { mark_band } else { 0 };
    let (rows, plot_bottom) = row_layout(&m.names, &labels, line, top);
    let tick_label_y = plot_bottom + 7;
    let axis_title_y = tick_label_y + (m.tick_font * 1.5).round() as i32;
    let height = axis_title_y + (m.tick_font * 4.0 / 3.0).round() as i32 + PAD;

    let ticks = ticks(scale, plot_w, m.tick_font, m.tick_intervals);
    // Centre a line under the plot, moved in as far as needed to stay
    // inside the chart.
    let centred = |text: &str, font_px: f64| -> i32 {
        let half = (text_width(text, font_px) / 2.0).ceil() as i32;
        let lo = PAD + half;
        let hi = (WIDTH as i32 - PAD - half).max(lo);
        ((x0 + x_full) / 2).clamp(lo, hi)
    };

    render_svg(WIDTH, height as u32, &meta, |canvas| {
        for &t in ticks.iter().filter(|&&t| t > 0) {
            let x = x0 + bar_len(t);
            match m.names {
                Names::Beside { .. } => canvas.line((x, top), (x, plot_bottom), GRID, 1),
                // Beside each bar only: a line from top to bottom would run through the names.
                Names::Above => {
                    for row in &rows {
                        canvas.line((x, row.bar_y - ABOVE_GAP), (x, row.bar_y + row.bar_h + ABOVE_GAP), GRID, 1);
                    }
                }
            }
        }

        for (((name, count), (label, cut)), row) in items.iter().zip(&labels).zip(&rows) {
            let (y, bar_h) = (row.bar_y, row.bar_h);
            let mid = y + bar_h / 2;
            let len = bar_len(*count);
            let bar = canvas.rect(x0, y, x0 + len, y + bar_h, BAR);
            canvas.annotate(
                bar,
                vec![("data-name", name.to_string()), ("data-count", count.to_string())],
                Some(&format!("{name}: {count} of {n}")),
            );
            let shown = label.len() as f64;
            for (k, text) in label.iter().enumerate() {
                let at = match m.names {
                    Names::Beside { .. } => {
                        let offset = ((2.0 * k as f64 - (shown - 1.0)) * f64::from(line) / 2.0).round() as i32;
                        (x0 - GAP, mid + offset, HPos::Right, VPos::Center)
                    }
                    Names::Above => (PAD, row.top + k as i32 * line, HPos::Left, VPos::Top),
                };
                let drawn = canvas.text(text, at.0, at.1, TextOpts::new(m.label_font, INK, at.2, at.3));
                if *cut {
                    canvas.annotate(drawn, Vec::new(), Some(name));
                }
            }
            canvas.text(
                &count.to_string(),
                x0 + len + GAP,
                mid,
                TextOpts::new(m.count_font, INK, HPos::Left, VPos::Center),
            );
        }
        if items.is_empty() {
            let message = "No attributes recorded";
            canvas.text(
                message,
                centred(message, m.label_font),
                (top + plot_bottom) / 2,
                TextOpts::new(m.label_font, INK_SECONDARY, HPos::Center, VPos::Center),
            );
        }

        canvas.line((x0, plot_bottom), (x_full, plot_bottom), AXIS, 1);
        for &t in &ticks {
            let x = x0 + bar_len(t);
            canvas.line((x, plot_bottom), (x, plot_bottom + 4), AXIS, 1);
            canvas.text(
                &t.to_string(),
                x,
                tick_label_y,
                TextOpts::new(m.tick_font, INK_SECONDARY, HPos::Center, VPos::Top),
            );
        }
        let axis_title = format!("Number of respondents (n = {n})");
        canvas.text(
            &axis_title,
            centred(&axis_title, m.tick_font),
            axis_title_y,
            TextOpts::new(m.tick_font, INK_SECONDARY, HPos::Center, VPos::Top),
        );

        if attributes.illustrative {
            canvas.illustrative_mark("Illustrative data", WIDTH as i32 - PAD, PAD, m.mark_font);
        }
    })
}

/// Where one attribute is drawn: the top of its row, and its bar.
struct Row {
    top: i32,
    bar_y: i32,
    bar_h: i32,
}

/// The rows of `labels` (each name's lines) from `top` down, and the bottom
/// of the plot. Beside the bars every row is as tall as the most lines a
/// name takes, and its bar a little less; above them, each row is its own
/// name's lines, then a bar a line high.
fn row_layout(names: &Names, labels: &[(Vec<String>, bool)], line: i32, top: i32) -> (Vec<Row>, i32) {
    match names {
        Names::Beside { .. } => {
            let lines = labels.iter().map(|(l, _)| l.len()).max().unwrap_or(1).clamp(1, MAX_LABEL_LINES) as i32;
            let row_h = lines * line + 11;
            let bar_h = row_h - 8 - (lines - 1) * line / 2;
            let rows = (0..labels.len() as i32)
                .map(|i| Row { top: top + i * row_h, bar_y: top + i * row_h + (row_h - bar_h) / 2, bar_h })
                .collect();
            (rows, top + labels.len().max(1) as i32 * row_h)
        }
        Names::Above => {
            let mut rows = Vec::with_capacity(labels.len());
            let mut y = top;
            for (label, _) in labels {
                let bar_y = y + label.len().max(1) as i32 * line + ABOVE_GAP;
                rows.push(Row { top: y, bar_y, bar_h: line });
                y = bar_y + line + ABOVE_ROW_GAP;
            }
            // With no attributes, the room of one row, for the message.
            let bottom = if labels.is_empty() { y + 2 * line + ABOVE_GAP + ABOVE_ROW_GAP } else { y };
            (rows, bottom - ABOVE_ROW_GAP / 2)
        }
    }
}

/// "Approachable: 19 of 26; Trustworthy: 17 of 26."
fn describe(items: &[(&str, u32)], n: u32, illustrative: bool) -> String {
    let mut desc = String::new();
    if illustrative {
        desc.push_str("Illustrative data, not study findings. ");
    }
    if items.is_empty() {
        desc.push_str("No attributes recorded.");
    } else {
        let parts: Vec<String> = items.iter().map(|(name, count)| format!("{name}: {count} of {n}")).collect();
        desc.push_str(&parts.join("; "));
        desc.push('.');
    }
    desc
}

/// Axis ticks: 0, then multiples of a 1-2-5 step (at most about
/// `intervals` intervals), and `max` itself; a multiple too close to `max`
/// to label both is dropped.
fn ticks(max: u32, plot_w: f64, font_px: f64, intervals: u32) -> Vec<u32> {
    if max == 0 {
        return vec![0];
    }
    let raw = f64::from(max) / f64::from(intervals.max(1));
    let mut step: u64 = 1;
    'search: for magnitude in 0..10 {
        for m in [1u64, 2, 5] {
            let candidate = m * 10u64.pow(magnitude);
            if candidate as f64 >= raw {
                step = candidate;
                break 'search;
            }
        }
    }
    let max64 = u64::from(max);
    let mut ticks: Vec<u32> = (0..=max64 / step).map(|k| (k * step) as u32).collect();
    if ticks.last() != Some(&max) {
        let px = |v: u32| f64::from(v) / f64::from(max) * plot_w;
        if let Some(&last) = ticks.last() {
            let room = (text_width(&last.to_string(), font_px) + text_width(&max.to_string(), font_px)) / 2.0 + 6.0;
            if last > 0 && px(max) - px(last) < room {
                ticks.pop();
            }
        }
        ticks.push(max);
    }
    ticks
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        assert_everything_fits, assert_no_text_overlap, attr, boxes_overlap, html_unescape, num, tags, text_box, texts,
        view_box,
    };
    use super::*;

    fn attrs(yaml: &str) -> Attributes {
        serde_saphyr::from_str(yaml).expect("test YAML")
    }

    fn with_items(n: u32, illustrative: bool, items: &[(&str, u32)]) -> Attributes {
        let mut yaml = format!("n: {n}\nsource: interviews\nillustrative: {illustrative}\nitems:\n");
        if items.is_empty() {
            yaml = format!("n: {n}\nsource: interviews\nillustrative: {illustrative}\nitems: []\n");
        }
        for (name, count) in items {
            yaml.push_str(&format!("  - {{name: {}, count: {count}}}\n", serde_json::to_string(name).unwrap()));
        }
        attrs(&yaml)
    }

    /// (data-name, data-count, x, y, width, height) of each bar, in document order.
    fn bars(svg: &str) -> Vec<(String, u32, f64, f64, f64, f64)> {
        tags(svg, "rect")
            .into_iter()
            .filter(|t| attr(t, "data-name").is_some())
            .map(|t| {
                (
                    html_unescape(attr(t, "data-name").unwrap()),
                    attr(t, "data-count").unwrap().parse().unwrap(),
                    num(t, "x"),
                    num(t, "y"),
                    num(t, "width"),
                    num(t, "height"),
                )
            })
            .collect()
    }

    #[test]
    fn bars_are_sorted_by_count_with_lengths_proportional_to_counts() {
        let a = with_items(26, false, &[("Trustworthy", 17), ("Approachable", 19), ("Patient", 4), ("Calm", 26)]);
        let svg = attributes_svg(&a, "Attributes", "t");
        let bars = bars(&svg);
        let names: Vec<&str> = bars.iter().map(|b| b.0.as_str()).collect();
        assert_eq!(names, ["Calm", "Approachable", "Trustworthy", "Patient"]);
        let counts: Vec<u32> = bars.iter().map(|b| b.1).collect();
        assert_eq!(counts, [26, 19, 17, 4]);
        // All bars start at the same x and go down the page.
        assert!(bars.iter().all(|b| b.2 == bars[0].2));
        assert!(bars.windows(2).all(|p| p[0].3 < p[1].3));
        // Lengths proportional to counts, within rounding.
        let unit = bars[0].4 / 26.0;
        for b in &bars {
            assert!((b.4 - f64::from(b.1) * unit).abs() <= 1.0, "bar {} has width {}", b.0, b.4);
        }
        // Each count is written at the end of its bar.
        let count_texts: Vec<(String, String)> =
            texts(&svg).into_iter().filter(|(t, _)| attr(t, "text-anchor") == Some("start")).collect();
        assert_eq!(count_texts.len(), 4);
        for (b, (tag, content)) in bars.iter().zip(&count_texts) {
            assert_eq!(content, &b.1.to_string());
            assert!(num(tag, "x") > b.2 + b.4);
        }
    }

    #[test]
    fn full_length_bar_reaches_the_n_tick() {
        let a = with_items(26, false, &[("Calm", 26), ("Kind", 13)]);
        let svg = attributes_svg(&a, "Attributes", "t");
        let bars = bars(&svg);
        let tick_26 = texts(&svg).into_iter().find(|(t, c)| c == "26" && attr(t, "text-anchor") == Some("middle"));
        let (tag, _) = tick_26.expect("a tick labelled n");
        assert_eq!(num(&tag, "x"), bars[0].2 + bars[0].4);
        assert!((bars[1].4 * 2.0 - bars[0].4).abs() <= 1.0);
    }

    #[test]
    fn equal_counts_keep_record_order() {
        let a = with_items(10, false, &[("Delta", 5), ("Alpha", 5), ("Charlie", 5), ("Bravo", 5)]);
        let svg = attributes_svg(&a, "Attributes", "t");
        let names: Vec<String> = bars(&svg).into_iter().map(|b| b.0).collect();
        assert_eq!(names, ["Delta", "Alpha", "Charlie", "Bravo"]);
        let b = bars(&svg);
        assert!(b.iter().all(|x| x.4 == b[0].4));
    }

    #[test]
    fn illustrative_mark_only_when_the_record_says_so() {
        let items = [("Approachable", 19)];
        let marked = attributes_svg(&with_items(26, true, &items), "Attributes", "t");
        let plain = attributes_svg(&with_items(26, false, &items), "Attributes", "t");
        let mark = texts(&marked).into_iter().find(|(_, c)| c == "Illustrative data").expect("mark");
        assert_eq!(attr(&mark.0, "data-mark"), Some("illustrative"));
        assert_eq!(attr(&mark.0, "text-anchor"), Some("end"));
        assert!(marked.contains("<desc id=\"t-desc\">Illustrative data, not study findings. "));
        assert!(!plain.contains("Illustrative"));
        assert!(!plain.contains("data-mark"));
        assert_everything_fits(&marked);
    }

    #[test]
    fn one_bar_fits_in_the_view_box() {
        let svg = attributes_svg(&with_items(26, true, &[("Approachable", 19)]), "Attributes", "t");
        assert_eq!(bars(&svg).len(), 1);
        assert_everything_fits(&svg);
    }

    #[test]
    fn twenty_bars_fit_without_overlap_and_the_chart_grows() {
        let names: Vec<String> = (1..=20).map(|i| format!("Attribute number {i}")).collect();
        let items: Vec<(&str, u32)> =
            names.iter().enumerate().map(|(i, n)| (n.as_str(), (i as u32 * 7) % 30)).collect();
        let svg = attributes_svg(&with_items(30, true, &items), "Attributes", "t");
        let bars = bars(&svg);
        assert_eq!(bars.len(), 20);
        assert_everything_fits(&svg);
        for pair in bars.windows(2) {
            assert!(pair[0].3 + pair[0].5 < pair[1].3, "bars overlap");
        }
        // Name labels are at least a line apart.
        let label_ys: Vec<f64> = texts(&svg)
            .into_iter()
            .filter(|(t, _)| attr(t, "text-anchor") == Some("end") && attr(t, "data-mark").is_none())
            .map(|(t, _)| num(&t, "y"))
            .collect();
        assert_eq!(label_ys.len(), 20);
        assert!(label_ys.windows(2).all(|p| p[1] - p[0] >= LABEL_FONT * 1.2));
        let one = attributes_svg(&with_items(30, true, &items[..1]), "Attributes", "t");
        assert!(view_box(&svg).1 > view_box(&one).1);
        assert_eq!(view_box(&svg).0, view_box(&one).0);
    }

    /// The name labels (right-aligned texts other than the mark), as
    /// (start tag, content), in document order.
    /// The lines of the names: every text but the counts, the ticks, the
    /// axis title and the illustrative mark.
    fn label_lines(svg: &str) -> Vec<(String, String)> {
        texts(svg)
            .into_iter()
            .filter(|(t, c)| {
                attr(t, "data-mark").is_none()
                    && !c.chars().all(|ch| ch.is_ascii_digit())
                    && !c.starts_with("Number of respondents")
            })
            .collect()
    }

    const LABEL_FONT: f64 = FULL.label_font;

    #[test]
    fn an_eighty_character_name_wraps_then_is_shortened_on_the_second_line() {
        let long = "Able to explain prison rules and processes clearly to people new to the wing, too";
        assert_eq!(long.chars().count(), 81);
        let long = &long[..80];
        let svg = attributes_svg(&with_items(26, false, &[(long, 12), ("Kind", 20)]), "Attributes", "t");
        assert_everything_fits(&svg);
        assert_no_text_overlap(&svg);
        let lines: Vec<(String, String)> = label_lines(&svg).into_iter().filter(|(_, c)| c != "Kind").collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].1.starts_with("Able to") && !lines[0].1.ends_with('…'));
        assert!(lines[1].1.ends_with('…'));
        assert!(long.starts_with(lines[0].1.as_str()));
        // Neither line is wider than 45 % of the chart.
        for (tag, content) in &lines {
            assert!(text_width(content, LABEL_FONT) <= 0.45 * 640.0, "{content}");
            assert!(num(tag, "x") <= bars(&svg)[0].2);
        }
        // The full name is kept as a tooltip on both lines, a data attribute
        // and in the description.
        assert!(svg.contains(&format!("><title>{long}</title>\nAble to")));
        assert_eq!(svg.matches(&format!("<title>{long}</title>")).count(), 2, "on both lines");
        assert!(bars(&svg).iter().any(|b| b.0 == long));
        assert!(svg.contains(&format!("{long}: 12 of 26")));
    }

    #[test]
    fn a_fifty_character_name_wraps_onto_two_lines_in_full() {
        let name = "Able to explain prison rules clearly to newcomers";
        assert_eq!(name.chars().count(), 49);
        let name = format!("{name}s");
        let svg = attributes_svg(&with_items(26, false, &[(&name, 12), ("Kind", 20), ("Calm", 3)]), "A", "t");
        assert_everything_fits(&svg);
        assert_no_text_overlap(&svg);
        let lines: Vec<String> =
            label_lines(&svg).into_iter().map(|(_, c)| c).filter(|c| c != "Kind" && c != "Calm").collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines.join(" "), name);
        assert!(!svg.contains('…'));
        assert!(!svg.contains(&format!("<title>{name}</title>\n")), "nothing cut, so no tooltip on the label");
        // Every row grows to fit two lines; bars get thicker, not closer.
        let b = bars(&svg);
        assert!(b.iter().all(|x| x.5 > 20.0 && x.5 == b[0].5));
        let pitch = b[1].3 - b[0].3;
        assert!(pitch >= 2.0 * LABEL_FONT * 1.2 + 4.0, "row pitch {pitch}");
        // Both lines sit around the middle of their bar, inside its row.
        let wrapped = bars(&svg).into_iter().find(|x| x.0 == name).unwrap();
        for (tag, content) in label_lines(&svg).into_iter().filter(|(_, c)| name.contains(c.as_str())) {
            let (_, top, _, bottom) = text_box(&tag, &content);
            let mid = wrapped.3 + wrapped.5 / 2.0;
            assert!(top >= mid - pitch / 2.0 && bottom <= mid + pitch / 2.0, "{content} leaves its row");
        }
    }

    #[test]
    fn the_label_column_adapts_to_the_longest_name() {
        let short = attributes_svg(&with_items(26, false, &[("Kind", 20), ("Calm", 3)]), "A", "t");
        let medium =
            attributes_svg(&with_items(26, false, &[("Living experience of prison life", 20), ("Calm", 3)]), "A", "t");
        let long = attributes_svg(
            &with_items(26, false, &[("Wants the responsibility of guiding others and more", 20), ("Calm", 3)]),
            "A",
            "t",
        );
        let x0 = |svg: &str| bars(svg)[0].2;
        // The column is as wide as the widest line: a wrapped name's lines
        // may be narrower than a long name that fits on one line.
        assert!(x0(&short) < x0(&medium) && x0(&short) < x0(&long));
        assert_eq!(label_lines(&long).len(), 3);
        // A name that fits stays on one line; the column never passes 45 %.
        assert_eq!(label_lines(&medium).len(), 2);
        assert!(x0(&long) <= 8.0 + 0.45 * 640.0 + 6.0);
        // The short chart keeps single-line rows.
        assert_eq!(bars(&short)[0].5, 20.0);
    }

    #[test]
    fn drake_hall_names_are_shown_in_full() {
        let names = [
            ("Approachable", 19),
            ("Trustworthy", 17),
            ("A good listener", 16),
            ("Living experience of prison life", 14),
            ("In the right headspace to support others", 12),
            ("Wants the responsibility of guiding others", 11),
            ("Emotional, practical and life skills", 10),
            ("An inspiring role model", 9),
            ("Notices when others are struggling", 7),
            ("Able to offer non-confrontational challenge", 5),
        ];
        let svg = attributes_svg(&with_items(26, true, &names), "Attributes", "t");
        assert_everything_fits(&svg);
        assert_no_text_overlap(&svg);
        assert!(!svg.contains('…'));
        let shown = label_lines(&svg).into_iter().map(|(_, c)| c).collect::<Vec<_>>().join(" ");
        let expected = names.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(" ");
        assert_eq!(shown, expected);
        for compact in [false, true] {
            let svg = attributes_svg_styled(
                &with_items(26, true, &names),
                "Attributes",
                "t",
                AttributesStyle { axis_max: 26, compact },
            );
            assert_everything_fits(&svg);
            assert_no_text_overlap(&svg);
        }
    }

    #[test]
    fn twenty_wrapped_bars_fit_without_overlap() {
        let names: Vec<String> =
            (1..=20).map(|i| format!("Attribute number {i} with a name long enough to wrap twice over")).collect();
        let items: Vec<(&str, u32)> =
            names.iter().enumerate().map(|(i, n)| (n.as_str(), (i as u32 * 7) % 30)).collect();
        for compact in [false, true] {
            let svg = attributes_svg_styled(
                &with_items(30, true, &items),
                "Attributes",
                "t",
                AttributesStyle { axis_max: 30, compact },
            );
            let bars = bars(&svg);
            assert_eq!(bars.len(), 20);
            assert_everything_fits(&svg);
            assert_no_text_overlap(&svg);
            for pair in bars.windows(2) {
                assert!(pair[0].3 + pair[0].5 < pair[1].3, "bars overlap");
            }
            assert_eq!(label_lines(&svg).len(), 40);
            for (tag, content) in label_lines(&svg) {
                for bar in &bars {
                    let drawn = (bar.2, bar.3, bar.2 + bar.4, bar.3 + bar.5);
                    assert!(!boxes_overlap(text_box(&tag, &content), drawn), "{content:?} runs into a bar");
                }
            }
        }
    }

    #[test]
    fn wide_characters_are_shortened_by_width() {
        let name = "信頼できる人で話しやすく親切で忍耐強い人です";
        let svg = attributes_svg(&with_items(5, false, &[(name, 3)]), "Attributes", "t");
        assert_everything_fits(&svg);
    }

    #[test]
    fn zero_counts_and_zero_n_do_not_break_the_chart() {
        let svg = attributes_svg(&with_items(26, false, &[("Kind", 0), ("Calm", 3)]), "Attributes", "t");
        let drawn = bars(&svg);
        assert_eq!(drawn[1].0, "Kind");
        assert_eq!(drawn[1].4, 0.0);
        assert!(texts(&svg).iter().any(|(_, c)| c == "0"));
        assert_everything_fits(&svg);

        let svg = attributes_svg(&with_items(0, false, &[("Kind", 0), ("Calm", 0)]), "Attributes", "t");
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        assert!(bars(&svg).iter().all(|b| b.4 == 0.0));
        assert_everything_fits(&svg);
    }

    #[test]
    fn odd_names_never_break_the_chart() {
        // A blank name never reaches a chart: the record refuses it.
        let names = ["tab\there", "e\u{301}clair", "🙂🙂🙂", "'quoted' \"name\"", "a\\b", "x\u{a0}y"];
        let items: Vec<(&str, u32)> = names.iter().map(|n| (*n, 1)).collect();
        let svg = attributes_svg(&with_items(3, true, &items), "", "");
        assert_eq!(bars(&svg).len(), names.len());
        assert!(svg.contains("aria-labelledby=\"chart-title\" aria-describedby=\"chart-desc\""));
        assert_everything_fits(&svg);
    }

    #[test]
    fn counts_above_n_stretch_the_axis() {
        let svg = attributes_svg(&with_items(5, false, &[("Kind", 9)]), "Attributes", "t");
        assert_everything_fits(&svg);
    }

    #[test]
    fn no_items_gives_a_chart_that_says_so() {
        let svg = attributes_svg(&with_items(26, false, &[]), "Attributes", "t");
        assert!(bars(&svg).is_empty());
        assert!(svg.contains(">No attributes recorded</text>"));
        assert!(svg.contains("<desc id=\"t-desc\">No attributes recorded.</desc>"));
        assert_everything_fits(&svg);
    }

    #[test]
    fn root_carries_role_title_and_desc() {
        let a = with_items(26, false, &[("Trustworthy", 17), ("Approachable", 19)]);
        let svg = attributes_svg(&a, "Figure: attributes", "drake-hall-fig-attributes");
        assert!(svg.starts_with("<svg "));
        assert!(!svg.contains("<?xml"));
        let root = &svg[..svg.find('>').unwrap()];
        assert!(root.contains(" role=\"img\""));
        assert!(root.contains(
            " aria-labelledby=\"drake-hall-fig-attributes-title\" aria-describedby=\"drake-hall-fig-attributes-desc\""
        ));
        assert!(root.contains(" viewBox=\"0 0 640 "));
        let after_root = &svg[svg.find('>').unwrap() + 1..];
        assert!(after_root.starts_with(
            "\n<title id=\"drake-hall-fig-attributes-title\">Figure: attributes</title>\n\
             <desc id=\"drake-hall-fig-attributes-desc\">Approachable: 19 of 26; Trustworthy: 17 of 26.</desc>\n"
        ));
        assert!(svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn text_is_escaped_everywhere() {
        let a = with_items(5, false, &[("Fish & Chips <b>", 2)]);
        let svg = attributes_svg(&a, "A & B <i>", "t");
        assert!(!svg.contains("<b>") && !svg.contains("<i>"));
        assert!(svg.contains("<title id=\"t-title\">A &amp; B &lt;i&gt;</title>"));
        assert!(svg.contains("Fish &amp; Chips &lt;b&gt;: 2 of 5."));
        assert!(svg.contains(">Fish &amp; Chips &lt;b&gt;</text>"));
        assert!(svg.contains("data-name=\"Fish &amp; Chips &lt;b&gt;\""));
    }

    #[test]
    fn font_sizes_are_whole_pixels() {
        let svg = attributes_svg(&with_items(26, true, &[("Kind", 3)]), "Attributes", "t");
        for (tag, _) in texts(&svg) {
            let size = attr(&tag, "font-size").unwrap();
            assert!(size.parse::<u32>().is_ok(), "font-size {size}");
        }
    }

    #[test]
    fn output_is_deterministic() {
        let a = with_items(26, true, &[("Trustworthy", 17), ("Approachable", 19), ("Kind", 17)]);
        assert_eq!(attributes_svg(&a, "Attributes", "t"), attributes_svg(&a, "Attributes", "t"));
    }

    #[test]
    fn ticks_stay_readable() {
        assert_eq!(ticks(0, 400.0, 12.0, 5), vec![0]);
        assert_eq!(ticks(26, 400.0, 12.0, 5), vec![0, 10, 20, 26]);
        assert_eq!(ticks(20, 400.0, 12.0, 5), vec![0, 5, 10, 15, 20]);
        assert_eq!(ticks(1, 400.0, 12.0, 5), vec![0, 1]);
        assert_eq!(ticks(21, 400.0, 12.0, 5), vec![0, 5, 10, 15, 21]);
        assert_eq!(*ticks(u32::MAX, 400.0, 12.0, 5).last().unwrap(), u32::MAX);
        // Compact panels: at most three ticks.
        assert_eq!(ticks(26, 260.0, 20.0, 2), vec![0, 20, 26]);
        assert_eq!(ticks(30, 260.0, 20.0, 2), vec![0, 20, 30]);
        assert_eq!(ticks(10, 260.0, 20.0, 2), vec![0, 5, 10]);
        assert_eq!(ticks(0, 260.0, 20.0, 0), vec![0]);
        for max in 1..200 {
            assert!(ticks(max, 260.0, 20.0, 2).len() <= 3, "{max}");
        }
    }

    /// The x of the tick labelled `value`, if drawn.
    fn tick_x(svg: &str, value: u32) -> Option<f64> {
        let value = value.to_string();
        texts(svg)
            .into_iter()
            .find(|(t, c)| *c == value && attr(t, "text-anchor") == Some("middle"))
            .map(|(t, _)| num(&t, "x"))
    }

    #[test]
    fn attributes_svg_is_the_chart_on_its_own_n() {
        let a = with_items(26, true, &[("Trustworthy", 17), ("Approachable", 19)]);
        assert_eq!(attributes_svg(&a, "A", "t"), attributes_svg_on_scale(&a, "A", "t", 26));
        assert_eq!(
            attributes_svg(&a, "A", "t"),
            attributes_svg_styled(&a, "A", "t", AttributesStyle { axis_max: 26, compact: false })
        );
    }

    #[test]
    fn charts_on_one_scale_give_equal_bars_for_equal_counts() {
        let items = [("Approachable", 12), ("Trustworthy", 9), ("Kind", 4)];
        let small = attributes_svg_on_scale(&with_items(12, false, &items), "A", "a", 30);
        let large = attributes_svg_on_scale(&with_items(30, false, &items), "B", "b", 30);
        let (bs, bl) = (bars(&small), bars(&large));
        for (s, l) in bs.iter().zip(&bl) {
            assert_eq!((s.1, s.2, s.4), (l.1, l.2, l.4), "bar {}", s.0);
        }
        // The axis runs to 30 in both; its title gives each chart's own n.
        let end = tick_x(&small, 30).expect("tick 30");
        assert_eq!(Some(end), tick_x(&large, 30));
        assert!((bs[0].4 - (end - bs[0].2) * 12.0 / 30.0).abs() <= 1.0);
        assert!(texts(&small).iter().any(|(_, c)| c == "Number of respondents (n = 12)"));
        assert!(texts(&large).iter().any(|(_, c)| c == "Number of respondents (n = 30)"));
        assert!(tick_x(&small, 12).is_none(), "no tick at n when the axis is shared");
        // On its own scale the first chart's bars would be longer.
        assert!(bars(&attributes_svg(&with_items(12, false, &items), "A", "a"))[0].4 > bs[0].4);
    }

    #[test]
    fn compact_panels_share_their_plot_area_whatever_the_names() {
        let a = with_items(26, true, &[("Approachable", 19), ("Trustworthy", 17), ("Calm", 6)]);
        let b = with_items(
            9,
            false,
            &[("Able to offer non-confrontational challenge to others on the wing", 6), ("Kind", 1)],
        );
        let style = AttributesStyle { axis_max: 26, compact: true };
        let (pa, pb) = (attributes_svg_styled(&a, "A", "a", style), attributes_svg_styled(&b, "B", "b", style));
        let (ba, bb) = (bars(&pa), bars(&pb));
        assert_eq!(ba[0].2, bb[0].2, "plots start at the same x");
        let six_a = ba.iter().find(|x| x.1 == 6).unwrap();
        let six_b = bb.iter().find(|x| x.1 == 6).unwrap();
        assert_eq!(six_a.4, six_b.4);
        assert_eq!(tick_x(&pa, 26), tick_x(&pb, 26));
        for svg in [&pa, &pb] {
            assert!(svg.contains("class=\"wr-chart wr-chart-attributes wr-chart-compact\""));
            assert_everything_fits(svg);
            assert_no_text_overlap(svg);
            // Larger type than the full chart, and at most three ticks.
            for (tag, _) in label_lines(svg) {
                assert!(num(&tag, "font-size") >= 20.0);
            }
            let ticks = texts(svg).into_iter().filter(|(t, _)| attr(t, "text-anchor") == Some("middle")).count();
            assert!(ticks <= 4, "three ticks and the axis title, got {ticks}");
            for (tag, _) in texts(svg) {
                assert!(attr(&tag, "font-size").unwrap().parse::<u32>().is_ok());
            }
        }
        // The long name is shown whole, above its bar, in full width: beside
        // it, in half the width, it was cut short on a phone.
        let long = "Able to offer non-confrontational challenge to others on the wing";
        let lines: Vec<(String, String)> = label_lines(&pb).into_iter().filter(|(_, c)| c != "Kind").collect();
        assert_eq!(lines.iter().map(|(_, c)| c.as_str()).collect::<Vec<_>>().join(" "), long);
        let bar_top = bb.iter().find(|x| x.0 == long).unwrap().3;
        for (tag, content) in &lines {
            assert!(matches!(attr(tag, "text-anchor"), None | Some("start")), "left aligned: {tag}");
            assert!(text_box(tag, content).3 <= bar_top, "{content:?} is above its bar");
        }
    }

    #[test]
    fn compact_edge_cases_fit() {
        let style = |axis_max| AttributesStyle { axis_max, compact: true };
        for (a, axis_max) in [
            (with_items(26, true, &[]), 26),
            (with_items(0, false, &[("Kind", 0)]), 0),
            (with_items(5, true, &[("Kind", 9)]), 3),
            (
                with_items(123_456, true, &[("Kind", 123_456), ("信頼できる人で話しやすく親切で忍耐強い人です", 1)]),
                123_456,
            ),
        ] {
            let svg = attributes_svg_styled(&a, "A", "t", style(axis_max));
            assert_everything_fits(&svg);
            assert_no_text_overlap(&svg);
            assert!(!svg.contains("NaN"));
        }
    }
}
