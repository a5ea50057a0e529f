//! Data downloads beside each report: the record as loaded (`site.json`) and
//! one CSV per chart, so readers can check or reuse the numbers behind a
//! figure. File names are fixed so figures can link to them.

use crate::model::{Frameworks, Site};
use crate::render::OutputFile;

pub const RECORD_JSON: &str = "site.json";
pub const ATTRIBUTES_CSV: &str = "attributes.csv";
pub const SOCIAL_CAPITAL_CSV: &str = "social-capital.csv";

/// The downloads of one site, under `sites/<id>/`.
/// The name a browser saves a site's download under: `drake-hall-attributes.csv`,
/// so that the files of several reports do not overwrite or look like each other.
pub fn saved_name(site_id: &str, file: &str) -> String {
    format!("{site_id}-{file}")
}

pub fn site_downloads(site: &Site, frameworks: &Frameworks) -> Vec<OutputFile> {
    let record = &site.record;
    let dir = format!("sites/{}", record.id.value);
    let mut files = Vec::new();
    // Compact: a third smaller than pretty-printed, and every JSON viewer
    // indents it for a reader.
    if let Ok(json) = serde_json::to_value(record).map(without_nulls).and_then(|v| serde_json::to_string(&v)) {
        files.push(OutputFile { path: format!("{dir}/{RECORD_JSON}"), bytes: format!("{json}\n").into_bytes() });
    }
    if let Some(attributes) = &record.attributes {
        let rows = crate::charts::attributes::sorted_items(attributes).into_iter().map(|(name, count)| {
            let mut row = vec![name.to_string(), count.to_string(), attributes.n.value.to_string()];
            if attributes.illustrative {
                row.push("true".to_string());
            }
            row
        });
        // The column is there only when the record marks the numbers, as
        // `site.json` holds the flag only when it is set.
        let header: &[&str] = if attributes.illustrative {
            &["attribute", "count", "n", "illustrative"]
        } else {
            &["attribute", "count", "n"]
        };
        files.push(csv_file(format!("{dir}/{ATTRIBUTES_CSV}"), header, rows));
    }
    if let (Some(ratings), Some(framework)) = (&record.social_capital, &frameworks.social_capital) {
        let marked = ratings.iter().any(|r| r.illustrative);
        let rows = framework.stages.iter().map(|stage| {
            let n = stage.n.value;
            let source = framework.source_of(n);
            let entry = ratings.iter().find(|r| r.stage.value == n);
            let rating = entry.map(|e| e.rating.value.clone()).unwrap_or_default();
            let label = framework.ratings.get(&rating).map(|r| r.label.clone()).unwrap_or_default();
            let mut row = vec![
                n.to_string(),
                source.map(|s| s.label.clone()).unwrap_or_default(),
                stage.question.clone(),
                rating,
                label,
                entry.and_then(|e| e.evidence.as_deref()).unwrap_or_default().to_string(),
            ];
            if marked {
                row.push(if entry.is_some_and(|e| e.illustrative) { "true" } else { "" }.to_string());
            }
            row
        });
        let mut header = vec!["stage", "source", "question", "rating", "rating_label", "evidence"];
        if marked {
            header.push("illustrative");
        }
        files.push(csv_file(format!("{dir}/{SOCIAL_CAPITAL_CSV}"), &header, rows));
    }
    files
}

/// The record with only the keys it states: a key the record leaves out
/// (a block another study has) is left out, not published as `null`.
/// Nulls in lists keep their places.
fn without_nulls(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, without_nulls(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

fn csv_file(path: String, header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> OutputFile {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail; a record error would only drop that row.
    let _ = writer.write_record(header);
    for row in rows {
        let _ = writer.write_record(&row);
    }
    OutputFile { path, bytes: writer.into_inner().unwrap_or_default() }
}
