//! The inline SVG charts, parsed: bar order and lengths, labels, cell
//! colours and symbols per rating, the palette switch, edge cases, and
//! snapshots of the Drake Hall figures.

mod common;

use common::*;
use scraper::{ElementRef, Html};

fn num(el: &ElementRef, attr: &str) -> f64 {
    el.value().attr(attr).unwrap_or_else(|| panic!("no {attr}")).parse().unwrap()
}

fn drake_hall(root: &std::path::Path) -> Html {
    let out = build(root, &["--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    html(&root.join("output/sites/drake-hall/index.html"))
}

/// (name, count, width) of each bar, in drawing order (top to bottom).
fn bars(doc: &Html, figure: &str) -> Vec<(String, u32, f64)> {
    let mut bars: Vec<(f64, String, u32, f64)> = select(doc, &format!("{figure} svg rect[data-name]"))
        .iter()
        .map(|r| {
            let v = r.value();
            (
                num(r, "y"),
                v.attr("data-name").unwrap().to_string(),
                v.attr("data-count").unwrap().parse().unwrap(),
                num(r, "width"),
            )
        })
        .collect();
    bars.sort_by(|a, b| a.0.total_cmp(&b.0));
    bars.into_iter().map(|(_, n, c, w)| (n, c, w)).collect()
}

#[test]
fn attribute_bars_are_sorted_proportional_and_labelled() {
    let dir = bundled_project();
    let doc = drake_hall(dir.path());
    let (project, _) = wingreport::load::load(dir.path());
    let project = project.unwrap();
    let attributes =
        project.sites.iter().find(|s| s.folder == "drake-hall").unwrap().record.attributes.clone().unwrap();

    let bars = bars(&doc, "#fig-attributes");
    assert_eq!(bars.len(), attributes.items.len());
    let counts: Vec<u32> = bars.iter().map(|b| b.1).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    for item in &attributes.items {
        let bar = bars.iter().find(|b| b.0 == item.name).unwrap_or_else(|| panic!("no bar for {}", item.name));
        assert_eq!(bar.1, item.count.value);
    }
    let per_unit = bars[0].2 / f64::from(bars[0].1);
    for (name, count, width) in &bars {
        assert!((width - per_unit * f64::from(*count)).abs() <= 1.0, "{name}: width {width} for count {count}");
    }

    let svg = select(&doc, "#fig-attributes svg")[0];
    assert_eq!(svg.value().attr("role"), Some("img"));
    for id in svg.value().attr("aria-labelledby").unwrap().split(' ') {
        let target = select(&doc, &format!("#fig-attributes svg [id=\"{id}\"]"));
        assert_eq!(target.len(), 1, "{id} resolves inside the chart");
        assert!(matches!(target[0].value().name(), "title" | "desc"));
        assert!(!text(&target[0]).is_empty());
    }
    assert_eq!(select(&doc, "#fig-attributes svg [data-mark=\"illustrative\"]").len(), 1);
    assert_eq!(select(&doc, "#fig-attributes .illustrative-flag").len(), 1);
    let caption = text(&select(&doc, "#fig-attributes > figcaption")[0]);
    assert!(caption.contains("n = 26") && caption.contains("illustrative"), "{caption}");

    let table: Vec<(String, String)> = select(&doc, "#fig-attributes details tbody tr")
        .iter()
        .map(|tr| {
            let cells: Vec<String> = tr.children().filter_map(ElementRef::wrap).map(|c| text(&c)).collect();
            (cells[0].clone(), cells[1].clone())
        })
        .collect();
    let from_bars: Vec<(String, String)> = bars.iter().map(|b| (b.0.clone(), b.1.to_string())).collect();
    assert_eq!(table, from_bars, "the data table has the chart's numbers in the chart's order");
}

/// A chart's name is its `<title>` alone and its description its `<desc>`:
/// a name that also named the desc had a screen reader read the desc twice,
/// once in the name and once as the description.
#[test]
fn every_chart_is_named_by_its_title_and_described_by_its_desc() {
    let dir = bundled_project();
    let out = build(dir.path(), &["--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut charts = 0;
    for page in walkdir::WalkDir::new(dir.path().join("output")).into_iter().filter_map(Result::ok) {
        if page.path().extension().is_none_or(|x| x != "html") {
            continue;
        }
        let doc = html(page.path());
        for svg in select(&doc, "svg[role=\"img\"]") {
            charts += 1;
            let at = page.path().display();
            let only = |attr: &str| {
                let ids: Vec<&str> = svg.value().attr(attr).unwrap_or_default().split_whitespace().collect();
                assert_eq!(ids.len(), 1, "{at}: {attr} names {ids:?}, not one element");
                let target = select(&doc, &format!("[id=\"{}\"]", ids[0]));
                assert_eq!(target.len(), 1, "{at}: {} is on the page once", ids[0]);
                assert_eq!(target[0].parent().and_then(ElementRef::wrap), Some(svg), "{at}: {} is the chart's", ids[0]);
                assert!(!text(&target[0]).is_empty(), "{at}: {} is empty", ids[0]);
                target[0]
            };
            assert_eq!(only("aria-labelledby").value().name(), "title", "{at}: the name is the title");
            assert_eq!(only("aria-describedby").value().name(), "desc", "{at}: the description is the desc");
        }
    }
    assert!(charts >= 5, "only {charts} charts in the bundled series");
}

fn cells(doc: &Html, figure: &str) -> Vec<(u32, String, String)> {
    select(doc, &format!("{figure} svg rect[data-stage]"))
        .iter()
        .map(|r| {
            let v = r.value();
            (
                v.attr("data-stage").unwrap().parse().unwrap(),
                v.attr("data-rating").unwrap_or("").to_string(),
                v.attr("fill").unwrap().to_lowercase(),
            )
        })
        .collect()
}

#[test]
fn social_capital_cells_carry_colour_and_symbol_of_their_rating() {
    let dir = bundled_project();
    let doc = drake_hall(dir.path());
    let (project, _) = wingreport::load::load(dir.path());
    let project = project.unwrap();
    let framework = project.frameworks.social_capital.clone().unwrap();
    let ratings =
        project.sites.iter().find(|s| s.folder == "drake-hall").unwrap().record.social_capital.clone().unwrap();

    let cells = cells(&doc, "#fig-social-capital");
    assert_eq!(cells.len(), 6);
    for (stage, rating, fill) in &cells {
        let expected = &ratings.iter().find(|r| r.stage.value == *stage).unwrap().rating.value;
        assert_eq!(rating, expected, "stage {stage}");
        assert_eq!(fill, &framework.ratings[expected].colour.value.to_lowercase(), "stage {stage}");
    }
    let svg_text = text(&select(&doc, "#fig-social-capital svg")[0]);
    for (key, rating) in &framework.ratings {
        let used = ratings.iter().filter(|r| &r.rating.value == key).count();
        let shown = svg_text.matches(rating.symbol.as_str()).count();
        assert!(shown > used, "{key}: symbol drawn in each of its {used} cells and in the legend ({shown})");
        assert!(svg_text.contains(&rating.label), "legend names {key}");
    }
}

/// Found by a fact-checker's audit: the Drake Hall colours are only in the
/// source's figure, an image, and were published as the study's findings.
#[test]
fn ratings_marked_illustrative_say_so_in_the_chart_table_download_and_comparison() {
    let dir = bundled_project();
    let site = "content/sites/drake-hall/site.yaml";
    // Stage 1 becomes a stated finding; stages 2 to 6 stay illustrative.
    edit(
        dir.path(),
        site,
        "  - stage: 1\n    rating: green\n    illustrative: true\n",
        "  - stage: 1\n    rating: green\n",
    );
    let doc = drake_hall(dir.path());

    let mark = select(&doc, "#fig-social-capital svg [data-mark=illustrative]");
    assert_eq!(text(&mark[0]), "Illustrative ratings: stages 2, 3, 4, 5, 6");
    let desc = text(&select(&doc, "#fig-social-capital svg desc")[0]);
    assert!(desc.contains("Stage 1: Success identified;"), "{desc}");
    assert!(desc.contains("Stage 2: Success identified (illustrative)"), "{desc}");
    assert_eq!(select(&doc, "#fig-social-capital .illustrative-flag").len(), 1);
    let tagged: Vec<bool> = select(&doc, "#fig-social-capital tbody tr")
        .iter()
        .filter(|row| !select_in(row, "td").is_empty())
        .map(|row| !select_in(row, ".illustrative-tag").is_empty())
        .collect();
    assert_eq!(tagged, [false, true, true, true, true, true]);

    let csv = std::fs::read_to_string(dir.path().join("output/sites/drake-hall/social-capital.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(reader.headers().unwrap().iter().next_back(), Some("illustrative"));
    let marks: Vec<String> = reader.records().map(|r| r.unwrap()[6].to_string()).collect();
    assert_eq!(marks, ["", "true", "true", "true", "true", "true"]);

    let compare = html(&dir.path().join("output/compare/index.html"));
    assert_eq!(select(&compare, "#social-capital-matrix tbody .illustrative-tag").len(), 5);
    let note = select(&compare, "#rating-counts .figure-note");
    assert_eq!(
        text(&note[0]),
        "Illustrative data 5 of the 6 ratings counted are marked illustrative, not study findings."
    );
    // A stated rating among them: the counts are not all placeholders, so
    // Figure 1 itself carries no mark; the note says how many are.
    assert!(!text(&select(&compare, "#rating-counts figcaption")[0]).contains("illustrative"));
    assert!(select(&compare, "#rating-counts svg [data-mark]").is_empty());
}

/// Found by QA (QA30-A F4): every rating the comparison's Figure 1 counts
/// is illustrative, yet only a note after its table said so, while the
/// page's other figures mark their caption and chart.
#[test]
fn comparison_counts_of_illustrative_ratings_only_are_marked_on_the_figure() {
    let dir = bundled_project();
    drake_hall(dir.path());
    let compare = html(&dir.path().join("output/compare/index.html"));
    let caption = text(&select(&compare, "#rating-counts figcaption")[0]);
    assert!(caption.ends_with("ratings at each stage across 4 sites, illustrative ratings"), "{caption}");
    let mark = select(&compare, "#rating-counts svg [data-mark=illustrative]");
    assert_eq!(mark.iter().map(text).collect::<Vec<_>>(), ["Illustrative ratings"]);
    let desc = text(&select(&compare, "#rating-counts svg desc")[0]);
    assert!(desc.starts_with("Illustrative ratings, not study findings. Stage 1: "), "{desc}");
}

/// Found by QA (QA30-A F5): the note said the study did not state the
/// Drake Hall ratings, which it did, in a figure that survives only as an
/// image; the note is true of that study and of one that never rated.
#[test]
fn the_illustrative_ratings_note_calls_them_placeholders() {
    let dir = bundled_project();
    let doc = drake_hall(dir.path());
    let note = text(&select(&doc, "#fig-social-capital .illustrative-flag")[0]);
    assert_eq!(
        note,
        "Illustrative ratings: the ratings marked illustrative are placeholders that show how the matrix works, \
         not ratings from the study."
    );
}

fn select_in<'a>(el: &ElementRef<'a>, css: &str) -> Vec<ElementRef<'a>> {
    el.select(&scraper::Selector::parse(css).unwrap()).collect()
}

#[test]
fn colour_blind_palette_changes_fills_but_not_symbols() {
    let dir = bundled_project();
    let toml = std::fs::read_to_string(dir.path().join("wingreport.toml")).unwrap();
    std::fs::write(dir.path().join("wingreport.toml"), format!("{toml}\n[charts]\npalette = \"colour-blind\"\n"))
        .unwrap();
    let doc = drake_hall(dir.path());
    let fills: Vec<(String, String)> = cells(&doc, "#fig-social-capital").into_iter().map(|(_, r, f)| (r, f)).collect();
    assert!(fills.contains(&("green".to_string(), "#0072b2".to_string())), "{fills:?}");
    assert!(fills.contains(&("amber".to_string(), "#e69f00".to_string())), "{fills:?}");
    let css = std::fs::read_to_string(dir.path().join("output/static/ratings.css")).unwrap();
    assert!(css.to_lowercase().contains(".rating-green { background: #0072b2"), "{css}");
}

/// A one-site project whose record has the given attribute items.
fn project_with_attributes(items: &[(String, u32)], n: u32) -> tempfile::TempDir {
    let dir = bundled_project();
    let root = dir.path();
    let list: String =
        items.iter().map(|(name, count)| format!("    - {{name: \"{name}\", count: {count}}}\n")).collect();
    let path = root.join("content/sites/drake-hall/site.yaml");
    let record = std::fs::read_to_string(&path).unwrap();
    let start = record.find("attributes:\n").unwrap();
    let end = record.find("social_capital:").unwrap();
    let replaced = format!(
        "{}attributes:\n  n: {n}\n  source: interviews\n  items:\n{list}\n{}",
        &record[..start],
        &record[end..]
    );
    std::fs::write(&path, replaced).unwrap();
    dir
}

#[test]
fn edge_cases_of_the_attribute_chart_build_and_keep_every_bar() {
    let long = "An attribute name that goes on and on for eighty characters to test the layout!!".to_string();
    assert_eq!(long.chars().count(), 80);
    let cases: Vec<(&str, Vec<(String, u32)>)> = vec![
        ("one attribute", vec![("Approachable".into(), 3)]),
        ("twenty attributes", (0..20).map(|i| (format!("Attribute number {i}"), 20 - i)).collect()),
        ("all counts equal", (0..5).map(|i| (format!("Equal {i}"), 7)).collect()),
        ("count 0", vec![("Listens".into(), 4), ("Never named".into(), 0)]),
        ("80-character name", vec![(long.clone(), 12), ("Short".into(), 5)]),
    ];
    for (name, items) in cases {
        let dir = project_with_attributes(&items, 26);
        let doc = drake_hall(dir.path());
        let bars = bars(&doc, "#fig-attributes");
        assert_eq!(bars.len(), items.len(), "{name}");
        if name == "all counts equal" {
            let order: Vec<&str> = bars.iter().map(|b| b.0.as_str()).collect();
            assert_eq!(order, ["Equal 0", "Equal 1", "Equal 2", "Equal 3", "Equal 4"], "ties keep the record's order");
        }
        if name == "count 0" {
            assert_eq!(bars[1].2, 0.0, "a zero count draws no length");
        }
        let table = text(&select(&doc, "#fig-attributes details table")[0]);
        for (item, _) in &items {
            assert!(table.contains(item.as_str()), "{name}: the table keeps the full name {item}");
        }
        let svg = select(&doc, "#fig-attributes svg")[0];
        let view: Vec<f64> = svg.value().attr("viewBox").unwrap().split(' ').map(|v| v.parse().unwrap()).collect();
        for rect in select(&doc, "#fig-attributes svg rect") {
            let right = num(&rect, "x") + num(&rect, "width");
            let bottom = num(&rect, "y") + num(&rect, "height");
            assert!(right <= view[2] + 0.5 && bottom <= view[3] + 0.5, "{name}: a shape leaves the chart");
        }
    }
}

#[test]
fn drake_hall_figures_snapshot() {
    let dir = bundled_project();
    build(dir.path(), &["--quiet"]);
    let page = std::fs::read_to_string(dir.path().join("output/sites/drake-hall/index.html")).unwrap();
    let svgs: Vec<&str> =
        page.match_indices("<svg").map(|(i, _)| &page[i..i + page[i..].find("</svg>").unwrap() + 6]).collect();
    assert_eq!(svgs.len(), 2);
    insta::assert_snapshot!("drake_hall_attributes_svg", svgs[0]);
    insta::assert_snapshot!("drake_hall_social_capital_svg", svgs[1]);
    let compare = std::fs::read_to_string(dir.path().join("output/compare/index.html")).unwrap();
    // The matrix, not the summary chart that now comes first.
    let start = compare[..compare.find("id=\"compare-social-capital-title\"").unwrap()].rfind("<svg").unwrap();
    insta::assert_snapshot!(
        "comparison_social_capital_svg",
        &compare[start..start + compare[start..].find("</svg>").unwrap() + 6]
    );
}
