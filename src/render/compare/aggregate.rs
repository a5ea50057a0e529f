//! The comparison's summary of all sites at once: how many sites gave each
//! rating at each stage, and how the sites' attribute priorities line up.
//! Only counts and shares of what records state; a site without a block is
//! counted as "not recorded", never as a zero.

use serde::Serialize;

use crate::charts::comparison::rating_counts::{self, StageCounts};
use crate::model::{Palette, Site, SocialCapitalFramework, StageRating};
use crate::render::figures::illustrative_ratings_caption;
use crate::render::thousands;

/// A rating's column in the counts table.
#[derive(Serialize)]
pub(super) struct RatingColumn {
    key: String,
    label: String,
    symbol: String,
}

#[derive(Serialize)]
pub(super) struct CountRow {
    stage: u32,
    /// The stage's source ("Micro-level: ..."), for the heading's tooltip.
    source: String,
    question: String,
    counts: Vec<u32>,
    not_rated: u32,
    not_recorded: u32,
    total: u32,
}

/// Figure: the stacked bars, with the same numbers as a table.
#[derive(Serialize)]
pub(super) struct RatingCountsBlock {
    number: String,
    caption: String,
    svg: String,
    columns: Vec<RatingColumn>,
    rows: Vec<CountRow>,
    /// Whether the table needs its "Not rated" / "Not recorded" columns.
    any_not_rated: bool,
    any_not_recorded: bool,
    /// Says how many of the ratings counted are marked illustrative.
    illustrative: Option<String>,
}

pub(super) fn rating_counts_block(
    sites: &[&Site],
    framework: &SocialCapitalFramework,
    palette: Palette,
    number: String,
) -> RatingCountsBlock {
    let ratings: Vec<_> = sites.iter().map(|s| s.record.social_capital.as_deref()).collect();
    let counts = rating_counts::rating_counts(&ratings, framework);
    let (marked, counted) = illustrative_ratings(&ratings, framework);
    // The caption and chart are marked only when every rating counted is
    // illustrative; the note after the table gives any other share.
    let all_illustrative = marked > 0 && marked == counted;
    let across = match sites.len() {
        1 => "at the one site".to_string(),
        n => format!("across {}", sites_phrase(n)),
    };
    let caption = format!("{}: ratings at each stage {across}", framework.title);
    let svg = rating_counts::rating_counts_svg(
        &counts,
        framework,
        palette,
        &caption,
        "compare-rating-counts",
        all_illustrative,
    );
    let caption = illustrative_ratings_caption(caption, all_illustrative);
    let columns = framework
        .ratings
        .iter()
        .map(|(key, r)| RatingColumn { key: key.clone(), label: r.label.clone(), symbol: r.symbol.clone() })
        .collect();
    let rows = counts
        .iter()
        .zip(&framework.stages)
        .map(|(c, stage): (&StageCounts, _)| CountRow {
            stage: c.stage,
            source: framework.source_of(c.stage).map(|s| s.label.clone()).unwrap_or_default(),
            question: stage.question.clone(),
            counts: c.ratings.clone(),
            not_rated: c.not_rated,
            not_recorded: c.not_recorded,
            total: c.total(),
        })
        .collect();
    RatingCountsBlock {
        number,
        caption,
        svg,
        columns,
        any_not_rated: counts.iter().any(|c| c.not_rated > 0),
        any_not_recorded: counts.iter().any(|c| c.not_recorded > 0),
        illustrative: illustrative_note(marked, counted),
        rows,
    }
}

/// How many of the ratings counted are marked illustrative, and how many
/// are counted.
fn illustrative_ratings(ratings: &[Option<&[StageRating]>], framework: &SocialCapitalFramework) -> (usize, usize) {
    let counted: Vec<&StageRating> = ratings
        .iter()
        .flatten()
        .flat_map(|r| r.iter())
        .filter(|r| framework.ratings.contains_key(&r.rating.value))
        .collect();
    (counted.iter().filter(|r| r.illustrative).count(), counted.len())
}

/// "2 of the 24 ratings counted are marked illustrative, not study findings."
fn illustrative_note(marked: usize, counted: usize) -> Option<String> {
    match (marked, counted) {
        (0, _) => None,
        (1, 1) => Some("The rating counted is marked illustrative, not a study finding.".to_string()),
        (i, c) if i == c => Some("Every rating counted is marked illustrative, not a study finding.".to_string()),
        (1, c) => {
            Some(format!("1 of the {} ratings counted is marked illustrative, not a study finding.", thousands(c)))
        }
        (i, c) => Some(format!(
            "{} of the {} ratings counted are marked illustrative, not study findings.",
            thousands(i),
            thousands(c)
        )),
    }
}

/// "4 sites", "1 site", "1,000 sites".
pub(super) fn sites_phrase(n: usize) -> String {
    format!("{} {}", thousands(n), if n == 1 { "site" } else { "sites" })
}

/// One attribute across the sites that list it.
#[derive(Serialize)]
pub(super) struct AttributeSummaryRow {
    name: String,
    /// Sites whose records list the attribute.
    #[serde(serialize_with = "written_with_thousands")]
    sites: usize,
    /// Sites where it has the highest count (ties all count).
    #[serde(serialize_with = "written_with_thousands")]
    top: usize,
    /// Median and range of its share of each listing site's respondents,
    /// as whole percentages; `None` when no listing site had respondents.
    median: Option<String>,
    range: Option<String>,
}

/// Table: the attribute priorities across the sites.
#[derive(Serialize)]
pub(super) struct AttributeSummary {
    number: String,
    caption: String,
    /// Sites with an `attributes` block.
    recorded: usize,
    /// "Not recorded: 3 of the 4 sites compared have no attribute data."
    not_recorded: Option<String>,
    /// `recorded` as the page writes numbers: "1,000".
    recorded_text: String,
    /// Says how many of the sites' numbers are marked illustrative.
    illustrative: Option<String>,
    /// Says how many sites have attributes tied first, each counted in
    /// "ranks first", so that column adds up to more than the sites.
    tied: Option<String>,
    rows: Vec<AttributeSummaryRow>,
}

/// The attribute table, or `None` when no site records attributes. Names
/// are matched exactly as written. A site that does not list an attribute
/// says nothing about it, so shares are taken only over the sites that
/// list it.
pub(super) fn attribute_summary(sites: &[&Site], number: String) -> Option<AttributeSummary> {
    let recorded: Vec<_> = sites.iter().filter_map(|s| s.record.attributes.as_ref()).collect();
    if recorded.is_empty() {
        return None;
    }
    // name -> (first seen, sites listing, sites ranking it top, shares)
    let mut seen: indexmap::IndexMap<&str, (usize, usize, Vec<f64>)> = indexmap::IndexMap::new();
    let mut tied = 0;
    for attributes in &recorded {
        let top = attributes.items.iter().map(|i| i.count.value).max().unwrap_or(0);
        let firsts: std::collections::HashSet<&str> =
            attributes.items.iter().filter(|i| top > 0 && i.count.value == top).map(|i| i.name.as_str()).collect();
        tied += usize::from(firsts.len() > 1);
        let mut listed = std::collections::HashSet::new();
        for item in &attributes.items {
            // A name listed twice in one record counts once for that site.
            if !listed.insert(item.name.as_str()) {
                continue;
            }
            let entry = seen.entry(item.name.as_str()).or_default();
            entry.0 += 1;
            if top > 0 && item.count.value == top {
                entry.1 += 1;
            }
            if attributes.n.value > 0 {
                entry.2.push(f64::from(item.count.value) / f64::from(attributes.n.value));
            }
        }
    }
    let mut rows: Vec<(AttributeSummaryRow, f64)> = seen
        .into_iter()
        .map(|(name, (listing, top, mut shares))| {
            shares.sort_by(f64::total_cmp);
            let median = median(&shares);
            let row = AttributeSummaryRow {
                name: name.to_string(),
                sites: listing,
                top,
                median: median.map(percent),
                range: shares
                    .first()
                    .zip(shares.last())
                    .map(|(lo, hi)| format!("{} to {}", percent(*lo), percent(*hi))),
            };
            (row, median.unwrap_or(-1.0))
        })
        .collect();
    // Most widely listed first, then the larger median share; the sort is
    // stable, so ties keep the order the records first named them in.
    rows.sort_by(|(a, am), (b, bm)| b.sites.cmp(&a.sites).then(bm.total_cmp(am)));
    let missing = sites.len() - recorded.len();
    let illustrative = recorded.iter().filter(|a| a.illustrative).count();
    Some(AttributeSummary {
        number,
        caption: match recorded.len() {
            1 => "Attribute priorities at the one site with attribute data".to_string(),
            n => format!("Attribute priorities at the {} with attribute data", sites_phrase(n)),
        },
        recorded: recorded.len(),
        recorded_text: thousands(recorded.len()),
        tied: (tied > 0).then(|| {
            let (have, its) = if tied == 1 { ("site has", "its") } else { ("sites have", "their") };
            format!(
                "{} {have} two or more attributes tied first; each of {its} tied attributes counts as ranking first \
                 there, so \u{201c}Sites where it ranks first\u{201d} adds up to more than the sites.",
                thousands(tied)
            )
        }),
        not_recorded: (missing > 0).then(|| {
            format!(
                "Not recorded: {} of the {} compared {} no attribute data.",
                thousands(missing),
                sites_phrase(sites.len()),
                if missing == 1 { "has" } else { "have" }
            )
        }),
        // `illustrative` covers the attribute names as well as the counts.
        illustrative: match (illustrative, recorded.len()) {
            (0, _) => None,
            (1, 1) => {
                Some("The site's attribute names and numbers are marked illustrative, not study data.".to_string())
            }
            (i, r) if i == r => {
                Some("Every site's attribute names and numbers are marked illustrative, not study data.".to_string())
            }
            (1, r) => Some(format!(
                "1 of these {} marks its attribute names and numbers as illustrative, not study data.",
                sites_phrase(r)
            )),
            (i, r) => Some(format!(
                "{} of these {} mark their attribute names and numbers as illustrative, not study data.",
                thousands(i),
                sites_phrase(r)
            )),
        },
        rows: rows.into_iter().map(|(row, _)| row).collect(),
    })
}

/// A count as the page writes numbers: "1,000".
fn written_with_thousands<S: serde::Serializer>(n: &usize, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&thousands(*n))
}

/// Median of sorted values.
fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if !n.is_multiple_of(2) => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

fn percent(share: f64) -> String {
    format!("{}%", (share * 100.0).round())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_are_counted_in_words() {
        assert_eq!(sites_phrase(1), "1 site");
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[0.1, 0.2, 0.9]), Some(0.2));
        assert_eq!(median(&[0.2, 0.4]), Some(0.30000000000000004));
        assert_eq!(percent(0.305), "31%");
    }
}
