//! The comparison page and the data downloads, checked against the records.

mod common;

use common::*;
use wingreport::model::Project;

fn built(root: &std::path::Path) -> Project {
    let out = build(root, &["--quiet"]);
    assert!(out.status.success(), "build failed:\n{}", stderr(&out));
    let (project, diags) = wingreport::load::load(root);
    assert!(diags.is_empty(), "{diags:?}");
    project.unwrap()
}

/// Published sites in index order, as the comparison lists them.
fn sites_in_order(project: &Project) -> Vec<&wingreport::model::SiteRecord> {
    let mut sites: Vec<_> = project.sites.iter().map(|s| &s.record).collect();
    sites.sort_by(|a, b| a.index_order(b));
    sites
}

#[test]
fn delivery_table_has_one_row_per_site_matching_its_record() {
    let dir = bundled_project();
    let project = built(dir.path());
    let doc = html(&dir.path().join("output/compare/index.html"));
    assert_eq!(text(&select(&doc, "#delivery-models figcaption")[0]), "Table 2: Delivery model per site");
    let rows = select(&doc, "#delivery-models tbody tr");
    let sites = sites_in_order(&project);
    assert_eq!(rows.len(), sites.len());
    for (row, site) in rows.iter().zip(&sites) {
        let cells: Vec<String> = row.children().filter_map(scraper::ElementRef::wrap).map(|c| text(&c)).collect();
        let d = &site.delivery.as_ref().expect("every bundled site states its delivery").value;
        assert!(cells[0].starts_with(site.prison.as_deref().unwrap()), "{cells:?}");
        let stated = |value: Option<&str>| value.expect("the bundled records state every delivery field").to_string();
        assert_eq!(cells[1], stated(d.role.as_deref()));
        // Only Drake Hall's report says whether the role is paid.
        assert_eq!(cells[2], d.paid.map_or("Not reported", |p| if p { "Yes" } else { "No" }));
        assert_eq!(cells[3], stated(d.training_provider.as_deref()));
        assert_eq!(cells[4], stated(d.training.as_deref()));
        assert_eq!(cells[5], stated(d.accreditation.map(|a| a.label())));
        assert_eq!(cells[6], stated(d.supervision.as_deref()));
        assert_eq!(cells[7], stated(d.progression.as_deref()));
    }
    let link = select(&doc, "#delivery-models tbody tr th a")[0].value().attr("href").unwrap();
    assert!(dir.path().join("output/compare").join(link).is_file());
}

/// Found by QA (QA30-A F21): three reports leave `paid` out, and their
/// delivery tables dropped the row while the comparison showed "Not
/// reported". A report has a row for each field the comparison has a
/// column for; one its record leaves out is a dash read out as "not stated",
/// as in the report's other tables.
#[test]
fn a_report_delivery_table_has_a_row_for_each_comparison_column() {
    let dir = bundled_project();
    // No report states accreditation any more: no column, and no row.
    for (site, level) in [
        ("risley", "accredited-l2"),
        ("high-down", "accredited-l2"),
        ("drake-hall", "accredited-l2"),
        ("holme-house", "unaccredited"),
    ] {
        edit(dir.path(), &format!("content/sites/{site}/site.yaml"), &format!("  accreditation: {level}\n"), "");
    }
    let project = built(dir.path());
    let compare = html(&dir.path().join("output/compare/index.html"));
    let columns: Vec<String> = select(&compare, "#delivery-models thead th").iter().skip(1).map(text).collect();
    assert_eq!(columns, ["Role", "Paid", "Training provider", "Training", "Supervision", "Progression"]);
    for site in sites_in_order(&project) {
        let doc = html(&dir.path().join(format!("output/sites/{}/index.html", site.id.value)));
        let labels: Vec<String> = select(&doc, "#delivery tbody th").iter().map(text).collect();
        assert_eq!(labels, columns, "{}", site.id.value);
        let hidden: Vec<String> = select(&doc, "#delivery td .visually-hidden").iter().map(text).collect();
        let dashes: Vec<String> = select(&doc, "#delivery td [aria-hidden=true]").iter().map(text).collect();
        let paid = text(&select(&doc, "#delivery tbody td")[1]);
        match site.delivery.as_ref().unwrap().value.paid {
            None => {
                assert_eq!(hidden, ["not stated"], "{}", site.id.value);
                assert_eq!(dashes, ["–"], "{}", site.id.value);
            }
            Some(paid_value) => {
                assert!(hidden.is_empty() && dashes.is_empty(), "{}", site.id.value);
                assert_eq!(paid, if paid_value { "Yes" } else { "No" });
            }
        }
    }
}

#[test]
fn social_capital_matrix_rows_follow_the_records_and_say_not_reported() {
    let dir = bundled_project();
    let project = built(dir.path());
    let framework = project.frameworks.social_capital.as_ref().unwrap();
    let doc = html(&dir.path().join("output/compare/index.html"));
    let rows = select(&doc, "#social-capital-matrix tbody tr");
    for (row, site) in rows.iter().zip(sites_in_order(&project)) {
        let row_text = text(row);
        match &site.social_capital {
            None => assert!(row_text.ends_with("Not reported"), "{row_text}"),
            Some(ratings) => {
                let symbols: Vec<String> =
                    row.select(&scraper::Selector::parse(".rating-swatch").unwrap()).map(|s| text(&s)).collect();
                let expected: Vec<String> = framework
                    .stages
                    .iter()
                    .map(|stage| {
                        let key = &ratings.iter().find(|r| r.stage.value == stage.n.value).unwrap().rating.value;
                        framework.ratings[key].symbol.clone()
                    })
                    .collect();
                assert_eq!(symbols, expected, "{}", site.title);
            }
        }
    }
    assert!(rows.iter().any(|r| text(r).ends_with("Not reported")), "the bundled series has sites without ratings");
}

#[test]
fn role_continuum_comes_from_roles_yaml() {
    let dir = bundled_project();
    let project = built(dir.path());
    let doc = html(&dir.path().join("output/compare/index.html"));
    let titles: Vec<String> = select(&doc, "#role-continuum tbody tr th").iter().map(text).collect();
    let expected: Vec<&str> = project.roles.iter().map(|r| r.title.as_str()).collect();
    assert_eq!(titles, expected);
    assert!(text(&select(&doc, "#role-continuum figcaption")[0]).starts_with("Table 3:"));
}

#[test]
fn comparison_narrative_sits_above_the_tables_and_the_top_bar_links_it() {
    let dir = bundled_project();
    built(dir.path());
    let doc = html(&dir.path().join("output/compare/index.html"));
    assert!(!select(&doc, "main > .narrative p").is_empty());
    let index = html(&dir.path().join("output/index.html"));
    let nav: Vec<&str> = select(&index, ".topbar-links a").iter().map(|a| a.value().attr("href").unwrap()).collect();
    assert!(nav.contains(&"compare/index.html"), "{nav:?}");
    // The top bar says which of its pages is open.
    let current: Vec<String> = select(&doc, ".topbar-links a[aria-current=page]").iter().map(text).collect();
    assert_eq!(current, ["Comparing the four pilot sites"]);
    assert_eq!(select(&index, ".topbar-links a[aria-current=page]").len(), 1);
}

#[test]
fn downloads_hold_the_record_and_the_chart_numbers() {
    let dir = bundled_project();
    let project = built(dir.path());
    let record = &project.sites.iter().find(|s| s.folder == "drake-hall").unwrap().record;
    let site_dir = dir.path().join("output/sites/drake-hall");

    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(site_dir.join("site.json")).unwrap()).unwrap();
    assert_eq!(json["id"], "drake-hall");
    assert_eq!(json["attributes"]["n"], 26);
    assert_eq!(json["quotes"].as_array().unwrap().len(), record.quotes.as_ref().unwrap().len());

    let mut reader = csv::Reader::from_path(site_dir.join("attributes.csv")).unwrap();
    // The numbers are illustrative, and the download says so on every row.
    assert_eq!(reader.headers().unwrap(), vec!["attribute", "count", "n", "illustrative"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let attributes = record.attributes.as_ref().unwrap();
    assert_eq!(rows.len(), attributes.items.len());
    let counts: Vec<u32> = rows.iter().map(|r| r[1].parse().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "sorted like the chart: {counts:?}");
    for row in &rows {
        assert_eq!(&row[3], "true");
        let item = attributes.items.iter().find(|i| i.name == row[0]).unwrap();
        assert_eq!(item.count.value.to_string(), row[1]);
    }

    let csv = std::fs::read_to_string(site_dir.join("social-capital.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 6);

    let doc = html(&site_dir.join("index.html"));
    let links: Vec<(&str, &str)> = select(&doc, ".downloads a, .cover-data a[download]")
        .iter()
        .map(|a| (a.value().attr("href").unwrap(), a.value().attr("download").unwrap()))
        .collect();
    // Saved under names that say whose they are (an audit's two downloads overwrote each other).
    assert_eq!(
        links,
        [
            ("site.json", "drake-hall-site.json"),
            ("attributes.csv", "drake-hall-attributes.csv"),
            ("social-capital.csv", "drake-hall-social-capital.csv")
        ]
    );
    assert!(!dir.path().join("output/sites/risley/attributes.csv").exists(), "no chart, no CSV");
    assert!(dir.path().join("output/sites/risley/site.json").exists());
}

#[test]
fn comparison_matrix_svg_has_a_row_per_site_and_marks_missing_ones() {
    let dir = bundled_project();
    let project = built(dir.path());
    let doc = html(&dir.path().join("output/compare/index.html"));
    let svg = select(&doc, "#social-capital-matrix svg")[0];
    assert_eq!(svg.value().attr("role"), Some("img"));
    let cells = select(&doc, "#social-capital-matrix svg rect[data-site]");
    let sites = sites_in_order(&project);
    assert_eq!(cells.len(), sites.len() * 6);
    let drake: Vec<&str> = cells
        .iter()
        .filter(|c| c.value().attr("data-site").unwrap().starts_with("HMP Drake Hall"))
        .map(|c| c.value().attr("data-rating").unwrap())
        .collect();
    let record = sites.iter().find(|s| s.prison.as_deref() == Some("HMP Drake Hall")).unwrap();
    let expected: Vec<&str> = record.social_capital.as_ref().unwrap().iter().map(|r| r.rating.value.as_str()).collect();
    assert_eq!(drake, expected);
    let missing = cells.iter().filter(|c| c.value().attr("data-status") == Some("not-reported")).count();
    assert_eq!(missing, 6 * sites.iter().filter(|s| s.social_capital.is_none()).count());
    assert!(text(&svg).contains("not reported"));
}

#[test]
fn small_multiples_share_one_scale() {
    let dir = bundled_project();
    edit(
        dir.path(),
        "content/sites/risley/site.yaml",
        "lists:",
        "attributes:\n  n: 12\n  source: interviews\n  items:\n    - {name: Calm, count: 10}\n    - {name: Patient, count: 3}\nlists:",
    );
    built(dir.path());
    let doc = html(&dir.path().join("output/compare/index.html"));
    let width = |site: &str, name: &str| -> f64 {
        let selector = format!(
            "#attribute-multiples svg[aria-labelledby^=\"compare-attributes-{site}\"] rect[data-name=\"{name}\"]"
        );
        select(&doc, &selector)[0].value().attr("width").unwrap().parse().unwrap()
    };
    let risley = width("risley", "Calm");
    let drake = width("drake-hall", "Emotional, practical and life skills");
    assert!((risley - drake).abs() < 0.5, "count 10 draws {risley} and {drake}");
    assert!(text(&select(&doc, "#attribute-multiples figcaption")[0]).contains("0 to 26"));
    // Only the sites with attribute data take a cell of the grid; the others
    // are named in one line, each linked to its report as its cell was: a
    // cell each left the grid mostly empty, and in print the caption on a
    // page of its own (QA30-C F10, F11).
    let panels: Vec<String> = select(&doc, ".multiple-title a").iter().map(text).collect();
    assert_eq!(panels, ["HMP Risley (Discovery wing)", "HMP Drake Hall (The Hamlet)"]);
    let lines = select(&doc, "#attribute-multiples .not-reported-sites");
    assert_eq!(lines.len(), 1);
    assert!(text(&lines[0]).starts_with("Not reported: "), "{}", text(&lines[0]));
    let named: Vec<(String, &str)> = lines[0]
        .select(&scraper::Selector::parse("a").unwrap())
        .map(|a| (text(&a), a.value().attr("href").unwrap()))
        .collect();
    assert_eq!(
        named,
        [
            ("HMP High Down (Community Living Unit (CLU))".to_string(), "../sites/high-down/index.html"),
            ("HMP Holme House (Endeavour wing)".to_string(), "../sites/holme-house/index.html"),
        ]
    );
    assert!(select(&doc, "#attribute-multiples .multiples .not-reported").is_empty());
}
