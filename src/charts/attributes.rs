//! The attribute-priority graph: horizontal bars sorted by count.

use std::cmp::Reverse;

use plotters::prelude::RGBColor;
use plotters::style::text_anchor::{HPos, VPos};

use super::{ChartMeta, INK, INK_SECONDARY, TextOpts, render_svg, text_width, truncate_to};
use crate::model::Attributes;

const WIDTH: u32 = 640;
const PAD: i32 = 8;
const LABEL_FONT: f64 = 14.0;
const COUNT_FONT: f64 = 14.0;
const TICK_FONT: f64 = 12.0;
const MARK_FONT: f64 = 14.0;
const ROW_H: i32 = 28;
const BAR_H: i32 = 20;
/// Names longer than this are cut with "…" (the full name is in a tooltip,
/// the description and the HTML table).
const MAX_NAME_CHARS: usize = 28;
/// Gap between a name and its bar, and between a bar and its count.
const GAP: i32 = 6;
/// Height reserved above the bars for the "Illustrative data" mark.
const MARK_BAND: i32 = 24;
/// GOV.UK blue: 5.2:1 on white.
const BAR: RGBColor = RGBColor(0x1d, 0x70, 0xb8);
const AXIS: RGBColor = RGBColor(0x50, 0x5a, 0x5f);
const GRID: RGBColor = RGBColor(0xe5, 0xe6, 0xe7);

/// Name and count of each item in drawing order: by count, descending; the
/// sort is stable, so equal counts keep the record's order.
pub fn sorted_items(attributes: &Attributes) -> Vec<(&str, u32)> {
    let mut items: Vec<(&str, u32)> = attributes.items.iter().map(|i| (i.name.as_str(), i.count.value)).collect();
    items.sort_by_key(|&(_, count)| Reverse(count));
    items
}

/// The attribute-priority bar chart as an inline SVG string.
///
/// One bar per item, longest first (ties keep the record's order), each
/// labelled with its count, on an axis from 0 to `n`. Names over 28
/// characters are shortened with "…" and carry the full name as a tooltip.
///
/// Each bar `<rect>` has `data-name` and `data-count`. When the record is
/// illustrative, an "Illustrative data" mark sits top right. The `<title>`
/// is `title`; the `<desc>` lists every attribute with its count. Ids are
/// `<id_prefix>-title` and `<id_prefix>-desc`.
pub fn attributes_svg(attributes: &Attributes, title: &str, id_prefix: &str) -> String {
    let n = attributes.n.value;
    let items = sorted_items(attributes);

    let desc = describe(&items, n, attributes.illustrative);
    let meta = ChartMeta { title, desc: &desc, id_prefix, class: "wr-chart wr-chart-attributes" };

    let labels: Vec<(String, bool)> = items
        .iter()
        .map(|(name, _)| {
            truncate_to(name, MAX_NAME_CHARS, MAX_NAME_CHARS as f64 * super::EM_PER_CHAR * LABEL_FONT, LABEL_FONT)
        })
        .collect();
    let label_w = labels.iter().map(|(l, _)| text_width(l, LABEL_FONT)).fold(0.0, f64::max).ceil() as i32;

    // The axis runs to n; should a count exceed n (validation reports it),
    // the axis stretches so the bar still fits.
    let scale = items.iter().map(|(_, c)| *c).fold(n, u32::max);
    let count_w = items.iter().map(|(_, c)| text_width(&c.to_string(), COUNT_FONT)).fold(0.0, f64::max);
    let end_tick_w = text_width(&scale.to_string(), TICK_FONT);
    let right_reserve = (f64::from(GAP) + count_w).max(end_tick_w / 2.0).ceil() as i32 + PAD;

    let x0 = PAD + label_w + GAP;
    let x_full = WIDTH as i32 - right_reserve;
    let plot_w = f64::from((x_full - x0).max(1));
    let bar_len = |count: u32| -> i32 {
        if scale == 0 { 0 } else { (f64::from(count) / f64::from(scale) * plot_w).round() as i32 }
    };

    let top = PAD + if attributes.illustrative { MARK_BAND } else { 0 };
    let rows = items.len().max(1) as i32;
    let plot_bottom = top + rows * ROW_H;
    let tick_label_y = plot_bottom + 7;
    let axis_title_y = tick_label_y + 18;
    let height = axis_title_y + 16 + PAD;

    let ticks = ticks(scale, plot_w, TICK_FONT);

    render_svg(WIDTH, height as u32, &meta, |canvas| {
        for &t in &ticks {
            let x = x0 + bar_len(t);
            if t > 0 {
                canvas.line((x, top), (x, plot_bottom), GRID, 1);
            }
        }

        for (i, ((name, count), (label, cut))) in items.iter().zip(&labels).enumerate() {
            let y = top + i as i32 * ROW_H + (ROW_H - BAR_H) / 2;
            let mid = y + BAR_H / 2;
            let len = bar_len(*count);
            let bar = canvas.rect(x0, y, x0 + len, y + BAR_H, BAR);
            canvas.annotate(
                bar,
                vec![("data-name", name.to_string()), ("data-count", count.to_string())],
                Some(&format!("{name}: {count} of {n}")),
            );
            let text = canvas.text(label, x0 - GAP, mid, TextOpts::new(LABEL_FONT, INK, HPos::Right, VPos::Center));
            if *cut {
                canvas.annotate(text, Vec::new(), Some(name));
            }
            canvas.text(
                &count.to_string(),
                x0 + len + GAP,
                mid,
                TextOpts::new(COUNT_FONT, INK, HPos::Left, VPos::Center),
            );
        }
        if items.is_empty() {
            canvas.text(
                "No attributes recorded",
                (x0 + x_full) / 2,
                top + ROW_H / 2,
                TextOpts::new(LABEL_FONT, INK_SECONDARY, HPos::Center, VPos::Center),
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
                TextOpts::new(TICK_FONT, INK_SECONDARY, HPos::Center, VPos::Top),
            );
        }
        canvas.text(
            &format!("Number of respondents (n = {n})"),
            (x0 + x_full) / 2,
            axis_title_y,
            TextOpts::new(TICK_FONT, INK_SECONDARY, HPos::Center, VPos::Top),
        );

        if attributes.illustrative {
            let mark = canvas.text(
                "Illustrative data",
                WIDTH as i32 - PAD,
                PAD,
                TextOpts::new(MARK_FONT, INK_SECONDARY, HPos::Right, VPos::Top).bold(),
            );
            canvas.annotate(mark, vec![("data-mark", "illustrative".to_string())], None);
        }
    })
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

/// Axis ticks: 0, then multiples of a 1-2-5 step (at most about five
/// intervals), and `max` itself; a multiple too close to `max` to label
/// both is dropped.
fn ticks(max: u32, plot_w: f64, font_px: f64) -> Vec<u32> {
    if max == 0 {
        return vec![0];
    }
    let raw = f64::from(max) / 5.0;
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
    use super::super::test_support::{attr, html_unescape, num, tags, text_fits, texts, view_box};
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

    fn assert_everything_fits(svg: &str) {
        let (w, h) = view_box(svg);
        for t in tags(svg, "rect") {
            assert!(num(t, "x") >= 0.0 && num(t, "x") + num(t, "width") <= w, "rect overflows: {t}");
            assert!(num(t, "y") >= 0.0 && num(t, "y") + num(t, "height") <= h, "rect overflows: {t}");
        }
        for (tag, content) in texts(svg) {
            assert!(text_fits(&tag, &content, w, h), "text overflows: {tag}{content}");
        }
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

    #[test]
    fn an_eighty_character_name_is_shortened_and_does_not_overflow() {
        let long = "Able to explain prison rules and processes clearly to people new to the wing, too";
        assert_eq!(long.chars().count(), 81);
        let long = &long[..80];
        let svg = attributes_svg(&with_items(26, false, &[(long, 12), ("Kind", 20)]), "Attributes", "t");
        assert_everything_fits(&svg);
        let label = texts(&svg).into_iter().find(|(_, c)| c.starts_with("Able to")).expect("label");
        assert!(label.1.ends_with('…'));
        assert!(label.1.chars().count() <= MAX_NAME_CHARS);
        // The full name is kept as a tooltip, a data attribute and in the description.
        assert!(svg.contains(&format!("><title>{long}</title>\nAble to")));
        assert!(bars(&svg).iter().any(|b| b.0 == long));
        assert!(svg.contains(&format!("{long}: 12 of 26")));
        // The label ends before the bars start.
        let bar_x = bars(&svg)[0].2;
        assert!(num(&label.0, "x") <= bar_x);
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
        let names = ["", "   ", "tab\there", "e\u{301}clair", "🙂🙂🙂", "'quoted' \"name\"", "a\\b"];
        let items: Vec<(&str, u32)> = names.iter().map(|n| (*n, 1)).collect();
        let svg = attributes_svg(&with_items(3, true, &items), "", "");
        assert_eq!(bars(&svg).len(), names.len());
        assert!(svg.contains("aria-labelledby=\"chart-title chart-desc\""));
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
        assert!(svg.contains(">\nNo attributes recorded\n</text>"));
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
        assert!(root.contains(" aria-labelledby=\"drake-hall-fig-attributes-title drake-hall-fig-attributes-desc\""));
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
        assert!(svg.contains(">\nFish &amp; Chips &lt;b&gt;\n</text>"));
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
        assert_eq!(ticks(0, 400.0, 12.0), vec![0]);
        assert_eq!(ticks(26, 400.0, 12.0), vec![0, 10, 20, 26]);
        assert_eq!(ticks(20, 400.0, 12.0), vec![0, 5, 10, 15, 20]);
        assert_eq!(ticks(1, 400.0, 12.0), vec![0, 1]);
        assert_eq!(ticks(21, 400.0, 12.0), vec![0, 5, 10, 15, 21]);
        assert_eq!(*ticks(u32::MAX, 400.0, 12.0).last().unwrap(), u32::MAX);
    }
}
