//! Figure data for the chart shortcodes: the SVG from `charts` plus the same
//! numbers as rows for the HTML table beside it.

use serde_json::{Value, json};

use super::shortcodes::Slots;
use crate::charts;
use crate::model::{Attributes, Palette, SocialCapitalFramework, StageRating};

/// The attribute-priority chart and its table.
pub fn attributes_figure(attributes: &Attributes, site_id: &str) -> (Value, String) {
    let n = attributes.n.value;
    let caption = match &attributes.source {
        Some(source) => format!("Attribute priorities (n = {n}; source: {source})"),
        None => format!("Attribute priorities (n = {n})"),
    };
    let svg = charts::attributes::attributes_svg(attributes, &caption, &format!("{site_id}-attributes"));
    let caption = if attributes.illustrative { format!("{caption}, illustrative data") } else { caption };
    let rows: Vec<Value> = charts::attributes::sorted_items(attributes)
        .into_iter()
        .map(|(name, count)| json!({"name": name, "count": count}))
        .collect();
    let data = json!({
        "svg": svg, "rows": rows, "n": n, "source": attributes.source, "illustrative": attributes.illustrative,
        "csv": super::downloads::ATTRIBUTES_CSV,
        "csv_name": super::downloads::saved_name(site_id, super::downloads::ATTRIBUTES_CSV),
    });
    (data, caption)
}

/// The social-capital matrix and its evidence table, grouped by source.
pub(super) fn social_capital_figure<'a>(
    ratings: &'a [StageRating],
    framework: &SocialCapitalFramework,
    palette: Palette,
    site_id: &str,
    slots: &mut Slots<'a>,
) -> (Value, String) {
    let caption = framework.title.clone();
    let svg = charts::social_capital::social_capital_svg(
        ratings,
        framework,
        palette,
        &caption,
        &format!("{site_id}-social-capital"),
    );
    let groups: Vec<Value> = framework
        .sources
        .iter()
        .map(|source| {
            let stages: Vec<Value> = source
                .stages
                .iter()
                .map(|n| {
                    let question = framework.stages.iter().find(|s| s.n.value == n.value).map(|s| s.question.as_str());
                    let entry = ratings.iter().find(|r| r.stage.value == n.value);
                    let rating =
                        entry.and_then(|e| framework.ratings.get(&e.rating.value).map(|r| (&e.rating.value, r)));
                    json!({
                        "n": n.value,
                        "question": question,
                        "rating": rating.map(|(key, _)| key),
                        "label": rating.map(|(_, r)| &r.label),
                        "symbol": rating.map(|(_, r)| &r.symbol),
                        "colour": rating.map(|(key, r)| charts::palette_colour(palette, key, &r.colour.value)),
                        "illustrative": rating.is_some() && entry.is_some_and(|e| e.illustrative),
                        "evidence": slots.cell_opt(entry.and_then(|e| e.evidence.as_ref())),
                    })
                })
                .collect();
            json!({"label": source.label, "stages": stages})
        })
        .collect();
    let legend: Vec<Value> = framework
        .ratings
        .iter()
        .map(|(key, r)| json!({"key": key, "label": r.label, "symbol": r.symbol, "colour": charts::palette_colour(palette, key, &r.colour.value)}))
        .collect();
    let illustrative = ratings.iter().any(|r| r.illustrative);
    let caption = illustrative_ratings_caption(caption, illustrative);
    let data = json!({
        "svg": svg, "groups": groups, "legend": legend, "illustrative": illustrative,
        "csv": super::downloads::SOCIAL_CAPITAL_CSV,
        "csv_name": super::downloads::saved_name(site_id, super::downloads::SOCIAL_CAPITAL_CSV),
    });
    (data, caption)
}

/// A ratings figure's caption, which says so when its ratings are
/// illustrative.
pub(super) fn illustrative_ratings_caption(caption: String, illustrative: bool) -> String {
    if illustrative { format!("{caption}, illustrative ratings") } else { caption }
}

/// CSS classes `.rating-<key>` with each rating's colour, so the evidence
/// table shows colours without inline styles (which the CSP forbids).
pub fn ratings_stylesheet(framework: Option<&SocialCapitalFramework>, palette: Palette) -> String {
    let mut css = String::from("/* Generated from content/frameworks.yaml. */\n");
    for (key, rating) in framework.iter().flat_map(|f| f.ratings.iter()) {
        let fill = charts::palette_colour(palette, key, &rating.colour.value);
        let text = charts::text_colour_on(&fill);
        css.push_str(&format!(".rating-{} {{ background: {fill}; color: {text}; }}\n", crate::markdown::slugify(key)));
    }
    css
}
