//! The comparison at scale: the summary counts what the records say, and
//! beyond one screen every site's ratings sit on exactly one group page
//! linked from the overview.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::*;
use wingreport::model::{Project, SiteRecord, SocialCapitalFramework};

fn built(root: &Path) -> Project {
    let out = build(root, &["--quiet"]);
    assert!(out.status.success(), "build failed:\n{}", stderr(&out));
    let (project, diags) = wingreport::load::load(root);
    assert!(diags.is_empty(), "{diags:?}");
    project.unwrap()
}

/// Sites per (stage, column) from the records, columns as the table has
/// them: each rating key, then "not-recorded".
fn expected_counts(project: &Project) -> BTreeMap<(u32, String), usize> {
    let framework = project.frameworks.social_capital.as_ref().unwrap();
    let mut counts = BTreeMap::new();
    for site in &project.sites {
        for stage in &framework.stages {
            let column = match &site.record.social_capital {
                None => "not-recorded".to_string(),
                Some(ratings) => ratings.iter().find(|r| r.stage.value == stage.n.value).unwrap().rating.value.clone(),
            };
            *counts.entry((stage.n.value, column)).or_insert(0) += 1;
        }
    }
    counts
}

/// The same counts read from the summary table of `compare/index.html`.
fn counts_in_page(doc: &scraper::Html, framework: &SocialCapitalFramework) -> BTreeMap<(u32, String), usize> {
    let mut columns: Vec<String> = framework.ratings.keys().cloned().collect();
    let headings: Vec<String> = select(doc, "#rating-counts thead th").iter().map(text).collect();
    if headings.iter().any(|h| h == "Not recorded") {
        columns.push("not-recorded".to_string());
    }
    let mut counts = BTreeMap::new();
    for row in select(doc, "#rating-counts tbody tr") {
        let stage: u32 = row.value().attr("data-stage").unwrap().parse().unwrap();
        let cells: Vec<usize> = row
            .select(&scraper::Selector::parse("td").unwrap())
            .map(|td| text(&td).replace(',', "").parse().unwrap())
            .collect();
        assert_eq!(cells.len(), columns.len() + 1, "a count per column and the total");
        assert_eq!(cells.iter().take(columns.len()).sum::<usize>(), cells[columns.len()], "stage {stage} adds up");
        for (column, &n) in columns.iter().zip(&cells) {
            if n > 0 {
                counts.insert((stage, column.clone()), n);
            }
        }
    }
    counts
}

#[test]
fn summary_counts_equal_the_bundled_records_and_the_page_keeps_its_per_site_tables() {
    let dir = bundled_project();
    let project = built(dir.path());
    let doc = html(&dir.path().join("output/compare/index.html"));
    let framework = project.frameworks.social_capital.as_ref().unwrap();
    assert_eq!(counts_in_page(&doc, framework), expected_counts(&project));
    assert!(text(&select(&doc, "#rating-counts figcaption")[0]).starts_with("Figure 1:"));
    assert_eq!(select(&doc, "#rating-counts svg[role=img]").len(), 1);
    // Four sites fit one screen: the per-site tables and charts stay here.
    assert_eq!(select(&doc, "#social-capital-matrix tbody tr").len(), 4);
    // One small multiple; the three sites without attribute data in a line.
    assert_eq!(select(&doc, ".multiple").len(), 1);
    assert_eq!(select(&doc, "#attribute-multiples .not-reported-sites a").len(), 3);
    assert!(select(&doc, "#compare-groups").is_empty());
    assert!(!dir.path().join("output/compare").read_dir().unwrap().any(|e| e.unwrap().path().is_dir()));
}

#[test]
fn attribute_summary_counts_the_sites_listing_each_attribute_and_the_unrecorded() {
    let dir = bundled_project();
    edit(
        dir.path(),
        "content/sites/risley/site.yaml",
        "lists:",
        "attributes:\n  n: 10\n  items:\n    - {name: Approachable, count: 9}\n    - {name: Calm, count: 3}\nlists:",
    );
    let project = built(dir.path());
    let doc = html(&dir.path().join("output/compare/index.html"));
    let rows: BTreeMap<String, Vec<String>> = select(&doc, "#attribute-summary tbody tr")
        .iter()
        .map(|r| {
            let cells: Vec<String> = r.children().filter_map(scraper::ElementRef::wrap).map(|c| text(&c)).collect();
            (cells[0].clone(), cells[1..].to_vec())
        })
        .collect();
    let recorded: Vec<&SiteRecord> =
        project.sites.iter().map(|s| &s.record).filter(|r| r.attributes.is_some()).collect();
    assert_eq!(recorded.len(), 2);
    for (name, cells) in &rows {
        let listing = recorded.iter().filter(|r| r.attributes.as_ref().unwrap().items.iter().any(|i| &i.name == name));
        assert_eq!(cells[0], listing.count().to_string(), "{name}");
    }
    // Drake Hall has Approachable at 19 of 26 (73%), Risley at 9 of 10: median 82%.
    assert_eq!(rows["Approachable"], ["2", "2", "82%", "73% to 90%"]);
    assert!(select(&doc, "#attribute-summary .figure-note").iter().all(|n| !text(n).contains("tied first")));
    assert_eq!(rows["Calm"], ["1", "0", "30%", "30% to 30%"]);
    let note = text(&select(&doc, "#attribute-summary .figure-note")[0]);
    assert!(note.contains("Not recorded: 2 of the 4 sites compared have no attribute data."), "{note}");
    // Drake Hall's names are placeholders as well as its counts (QA30-A F1).
    assert!(
        note.ends_with("1 of these 2 sites marks its attribute names and numbers as illustrative, not study data.")
    );
}

/// Found by QA: "1 of the 3 sites compared have no attribute data".
#[test]
fn one_site_without_attribute_data_is_counted_in_the_singular() {
    let dir = bundled_project();
    let attributes = |n: usize| format!("attributes:\n  n: {n}\n  items:\n    - {{name: Calm, count: 3}}\nlists:");
    edit(dir.path(), "content/sites/risley/site.yaml", "lists:", &attributes(10));
    edit(dir.path(), "content/sites/high-down/site.yaml", "lists:", &attributes(12));
    built(dir.path());
    let doc = html(&dir.path().join("output/compare/index.html"));
    let note = text(&select(&doc, "#attribute-summary .figure-note")[0]);
    assert!(note.contains("Not recorded: 1 of the 4 sites compared has no attribute data."), "{note}");
}

/// A generated corpus of 50 sites: 10 in Wales, 5 without a region, the
/// rest in the North East; 20 sites to a page.
fn corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("python3")
        .arg(repo().join("bench/gen_corpus.py"))
        .arg(dir.path())
        .arg("50")
        .output()
        .expect("python3 runs bench/gen_corpus.py");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for i in 0..15 {
        let file = format!("content/sites/site-{i:05}/site.yaml");
        let to = if i < 10 { "  region: Wales\n" } else { "" };
        edit(dir.path(), &file, "  region: North East\n", to);
    }
    let config = std::fs::read_to_string(dir.path().join("wingreport.toml")).unwrap();
    std::fs::write(dir.path().join("wingreport.toml"), format!("{config}\n[compare]\nsites_per_page = 20\n")).unwrap();
    dir
}

#[test]
fn fifty_sites_each_appear_on_exactly_one_linked_group_page_with_their_six_ratings() {
    let dir = corpus();
    let project = built(dir.path());
    let out = dir.path().join("output");
    let overview = html(&out.join("compare/index.html"));
    let framework = project.frameworks.social_capital.as_ref().unwrap();
    assert_eq!(counts_in_page(&overview, framework), expected_counts(&project));

    // What each stage asks is written out on the overview too (an accessibility audit).
    let key: Vec<String> = select(&overview, "#rating-counts .stage-key dd").iter().map(text).collect();
    assert!(framework.stages.iter().zip(&key).all(|(stage, dd)| dd.ends_with(&stage.question)), "{key:?}");
    assert_eq!(key.len(), framework.stages.len());

    // No per-site rows, charts or multiples on the overview.
    assert!(select(&overview, "#social-capital-matrix, #delivery-models, .multiple").is_empty());

    let groups: Vec<(String, Vec<String>)> = select(&overview, "#compare-groups tbody tr")
        .iter()
        .map(|row| {
            let name = text(&select_in(row, "th")[0]);
            let hrefs = select_in(row, "a").iter().map(|a| a.value().attr("href").unwrap().to_string()).collect();
            (name, hrefs)
        })
        .collect();
    assert_eq!(
        groups,
        [
            (
                "North East".to_string(),
                vec!["north-east-1/index.html".to_string(), "north-east-2/index.html".to_string()]
            ),
            ("Wales".to_string(), vec!["wales/index.html".to_string()]),
            ("Region not recorded".to_string(), vec!["region-not-recorded/index.html".to_string()]),
        ]
    );

    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (group, hrefs) in &groups {
        for href in hrefs {
            let doc = html(&out.join("compare").join(href));
            assert_eq!(text(&select(&doc, "h1")[0]), *group);
            assert_eq!(select(&doc, ".compare-back a")[0].value().attr("href"), Some("../index.html"));
            // What each stage asks is written out, not only in a hover title (an audit).
            let key: Vec<String> = select(&doc, ".stage-key dd").iter().map(text).collect();
            assert_eq!(key.len(), framework.stages.len(), "{href}");
            assert!(framework.stages.iter().zip(&key).all(|(stage, dd)| dd.ends_with(&stage.question)), "{key:?}");
            let rows = select(&doc, "#social-capital-matrix tbody tr");
            assert!(!rows.is_empty() && rows.len() <= 20, "{href}: {} rows", rows.len());
            for row in &rows {
                let id = row.value().attr("id").unwrap().strip_prefix("site-").unwrap().to_string();
                let record = &project.sites.iter().find(|s| s.record.id.value == id).unwrap().record;
                let region = record.profile.as_ref().and_then(|p| p.value.region.as_deref().map(str::to_string));
                let expected_group = region.unwrap_or_else(|| "Region not recorded".to_string());
                assert_eq!(&expected_group, group, "{id} is on its region's page");
                let shown: Vec<String> = select_in(row, "td").iter().map(text).collect();
                let expected: Vec<String> = record
                    .social_capital
                    .as_ref()
                    .unwrap()
                    .iter()
                    .map(|r| {
                        let rating = &framework.ratings[&r.rating.value];
                        format!("{} {}", rating.symbol, rating.label)
                    })
                    .collect();
                assert_eq!(shown.len(), 6);
                assert_eq!(shown, expected, "{id}");
                let report = select_in(row, "th a")[0].value().attr("href").unwrap();
                assert!(out.join("compare").join(href).parent().unwrap().join(report).is_file(), "{report}");
                *seen.entry(id).or_insert(0) += 1;
            }
            // The delivery rows are the same sites.
            assert_eq!(select(&doc, "#delivery-models tbody tr").len(), rows.len());
        }
    }
    let all: BTreeSet<&str> = project.sites.iter().map(|s| s.record.id.value.as_str()).collect();
    assert_eq!(seen.keys().map(String::as_str).collect::<BTreeSet<_>>(), all);
    assert!(seen.values().all(|&n| n == 1), "each site once: {seen:?}");

    // The two North East pages lead to each other.
    let first = html(&out.join("compare/north-east-1/index.html"));
    let next: Vec<&str> =
        select(&first, ".compare-pager a[rel=next]").iter().map(|a| a.value().attr("href").unwrap()).collect();
    // Before the tables and after them (an audit found none after 9,000 px of rows).
    assert_eq!(next, ["../north-east-2/index.html", "../north-east-2/index.html"]);
    assert!(select(&first, ".compare-pager a[rel=prev]").is_empty());
}

/// Found by an archive reader's audit: at 1,000 sites nothing led from a
/// site to its ratings. Each report links to its entry in the overview's
/// A to Z list, which links to its row on its group page.
#[test]
fn each_report_leads_to_its_row_through_the_overviews_a_to_z_list() {
    let dir = corpus();
    let project = built(dir.path());
    let out = dir.path().join("output");
    let overview = html(&out.join("compare/index.html"));
    let finder = select(&overview, ".site-finder li");
    assert_eq!(finder.len(), 50);
    let names: Vec<String> = finder.iter().map(|li| text(&select_in(li, "a")[0])).collect();
    let number = |name: &str| name.split_whitespace().nth(2).and_then(|n| n.parse::<u32>().ok()).unwrap();
    assert!(names.windows(2).all(|w| number(&w[0]) < number(&w[1])), "A to Z, numbers by value: {names:?}");
    for site in &project.sites {
        let id = &site.record.id.value;
        let report = html(&out.join(format!("sites/{id}/index.html")));
        let link = select(&report, ".cover-data a[href*='compare/']");
        assert_eq!(link.len(), 1, "{id}: one link to the comparison");
        assert_eq!(link[0].value().attr("href"), Some(format!("../../compare/index.html#site-{id}").as_str()));
        let entry = select(&overview, &format!("li#site-{id}"));
        assert_eq!(entry.len(), 1, "{id} in the A to Z list");
        let row_href = select_in(&entry[0], "a")[0].value().attr("href").unwrap().to_string();
        let (page, anchor) = row_href.split_once('#').unwrap();
        let group_page = html(&out.join("compare").join(page));
        let row = select(&group_page, &format!("#social-capital-matrix tr#{anchor}"));
        assert_eq!(row.len(), 1, "{id}: {row_href} is its row");
        let place = text(&select_in(&entry[0], ".finder-place")[0]);
        assert!(place.starts_with(&text(&select(&group_page, "h1")[0])), "{id}: {place}");
    }
}

/// Found by an archive reader's audit: past one screen of cards, a
/// keyboard reader had every card to tab through to reach the text below,
/// and the cards told sites apart by name alone.
#[test]
fn a_long_index_says_how_many_reports_it_lists_and_can_be_skipped() {
    let dir = corpus();
    let project = built(dir.path());
    let index = html(&dir.path().join("output/index.html"));
    let count = select(&index, ".cards-count");
    assert_eq!(count.len(), 1);
    assert!(text(&count[0]).starts_with("50 reports"), "{}", text(&count[0]));
    let skip = select(&index, ".cards-count a");
    assert_eq!(skip[0].value().attr("href"), Some("#after-reports"));
    assert_eq!(select(&index, "#after-reports").len(), 1);
    let wales = project.sites.iter().find(|s| s.record.id.value == "site-00003").unwrap();
    let card = select(&index, ".card").into_iter().find(|c| text(c).contains(&wales.record.title)).unwrap();
    // As written, not as `text` collapses it: the space before each dot does not break.
    let meta: String = select_in(&card, ".card-meta")[0].text().collect();
    assert!(meta.ends_with(&format!("\u{a0}· Wales\u{a0}· {}", wales.record.year)), "{meta}");
    // A filter, hidden until its script shows it (tests/browser.rs types in it).
    let filter = select(&index, "[data-wr-filter]");
    assert_eq!(filter.len(), 1);
    assert!(filter[0].value().attr("hidden").is_some(), "without JavaScript every card is listed");
    let input = select(&index, "label[for=wr-cards-filter] + input#wr-cards-filter");
    assert_eq!(input[0].value().attr("aria-describedby"), Some("wr-cards-shown"));
    let scripts: Vec<_> = select(&index, "script[src]").iter().filter_map(|s| s.value().attr("src")).collect();
    assert!(scripts.contains(&"static/cards-filter.js"), "{scripts:?}");
    assert!(dir.path().join("output/static/cards-filter.js").is_file());
    // One screen of reports needs no filter, nor its script.
    let bundled = bundled_project();
    assert!(build(bundled.path(), &["--quiet"]).status.success());
    let short = html(&bundled.path().join("output/index.html"));
    assert!(select(&short, "[data-wr-filter], script[src$='cards-filter.js']").is_empty());
}

/// A rating at each stage of the bundled framework.
const RATINGS: &str = "social_capital: [{stage: 1, rating: green}, {stage: 2, rating: green}, \
    {stage: 3, rating: amber}, {stage: 4, rating: amber}, {stage: 5, rating: red}, {stage: 6, rating: red}]\n";

/// Every record's delivery row.
const DELIVERY: &str = "delivery:\n  role: Peer mentor\n  paid: true\n";

/// An anonymised study of `n` sites in the shape QA tried: `HMP Bench 7`,
/// `HMP Bench 14`... (every seventh number), each in one of five regions,
/// with attributes and the record lines `blocks`, and the bundled framework.
/// Folder names, like the titles read as plain text, put Bench 105 first.
fn numbered_study(n: usize, blocks: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("wingreport.toml"), "language = \"en-GB\"\n").unwrap();
    std::fs::create_dir_all(root.join("content/sites")).unwrap();
    std::fs::copy(repo().join("content/frameworks.yaml"), root.join("content/frameworks.yaml")).unwrap();
    std::fs::write(
        root.join("content/series.yaml"),
        "title: Large study\nauthors: [A. Researcher]\nyear: 2025\nsummary: Many sites.\n",
    )
    .unwrap();
    let regions = ["North West", "Wales", "London", "North East", "Yorkshire"];
    for i in 1..=n {
        let number = 7 * i;
        let folder = root.join(format!("content/sites/bench-{number}"));
        std::fs::create_dir_all(&folder).unwrap();
        let record = format!(
            "id: bench-{number}\ntitle: Peer learning at HMP Bench {number}\nprison: HMP Bench {number}\n\
             authors: [A. Researcher]\nyear: 2025\nstatus: published\nsummary: Site {i}.\n\
             profile:\n  region: {}\nattributes:\n  n: 17\n  items:\n    - {{name: Patient, count: {i}}}\n{blocks}",
            regions[i % regions.len()]
        );
        std::fs::write(folder.join("site.yaml"), record).unwrap();
        std::fs::write(folder.join("01-introduction.md"), "---\ntitle: Introduction\n---\n\nWhat we found.\n").unwrap();
    }
    dir
}

/// `HMP Bench 7`, `HMP Bench 14`... of the sites numbered `numbers`, in that order.
fn benches(numbers: impl IntoIterator<Item = usize>) -> Vec<String> {
    numbers.into_iter().map(|i| format!("HMP Bench {}", 7 * i)).collect()
}

/// Found by QA: the series index and the comparison's tables listed
/// "Bench 105, 14, 21 ... 7", titles read as plain text, while the A to Z
/// list on the same comparison page read numbers by value.
#[test]
fn sites_are_listed_by_title_with_numbers_by_value() {
    let dir = numbered_study(12, DELIVERY);
    built(dir.path());
    let out = dir.path().join("output");
    let index = html(&out.join("index.html"));
    let cards: Vec<String> = select(&index, ".card-title a").iter().map(text).collect();
    let titles: Vec<String> = benches(1..=12).iter().map(|prison| format!("Peer learning at {prison}")).collect();
    assert_eq!(cards, titles);
    let compare = html(&out.join("compare/index.html"));
    let rows: Vec<String> = select(&compare, "#delivery-models tbody th").iter().map(text).collect();
    assert_eq!(rows, benches(1..=12));
    let panels: Vec<String> = select(&compare, ".multiple-title a").iter().map(text).collect();
    assert_eq!(panels, benches(1..=12));

    // Past 12 sites, each group page keeps that order.
    let dir = numbered_study(15, DELIVERY);
    built(dir.path());
    let out = dir.path().join("output");
    let cards: Vec<String> = select(&html(&out.join("index.html")), ".card-title a").iter().map(text).collect();
    assert_eq!(cards.len(), 15);
    assert!(cards.iter().zip(benches(1..=15)).all(|(card, prison)| card.ends_with(&prison)), "{cards:?}");
    let north_west = html(&out.join("compare/north-west/index.html"));
    let rows: Vec<String> = select(&north_west, "#delivery-models tbody th").iter().map(text).collect();
    assert_eq!(rows, benches([5, 10, 15]));

    // Found by the re-check after: the comparison's rows, headed by their
    // prisons, went by titles they do not show.
    let dir = numbered_study(15, DELIVERY);
    for i in 1..=15 {
        let record = dir.path().join(format!("content/sites/bench-{}/site.yaml", 7 * i));
        let text = std::fs::read_to_string(&record).unwrap();
        let title = format!("title: Report {}", 16 - i);
        std::fs::write(&record, text.replace(&format!("title: Peer learning at HMP Bench {}", 7 * i), &title)).unwrap();
    }
    built(dir.path());
    let out = dir.path().join("output");
    let north_west = html(&out.join("compare/north-west/index.html"));
    let rows: Vec<String> = select(&north_west, "#delivery-models tbody th").iter().map(text).collect();
    assert_eq!(rows, benches([5, 10, 15]));
}

/// Found by QA: past 12 sites, a study with no ratings was promised "each
/// site's ratings" on group pages that hold only delivery models.
#[test]
fn the_overview_says_only_what_the_group_pages_hold() {
    let said = |blocks: &str| {
        let dir = numbered_study(15, blocks);
        built(dir.path());
        let out = dir.path().join("output");
        let overview = html(&out.join("compare/index.html"));
        let heading = text(&select(&overview, "#groups-heading")[0]);
        let intro = text(&select(&overview, "#groups-heading + p")[0]);
        let wales = html(&out.join("compare/wales/index.html"));
        let tables = ["#social-capital-matrix", "#delivery-models"].map(|table| select(&wales, table).len());
        (heading, intro, tables)
    };
    let (heading, intro, tables) = said(DELIVERY);
    assert_eq!(heading, "Each site's delivery model, by region");
    assert_eq!(intro, "Every site's delivery model is on the pages below: 5 groups by region.");
    assert_eq!(tables, [0, 1]);

    let (heading, intro, tables) = said(RATINGS);
    assert_eq!(heading, "Each site's ratings, by region");
    assert_eq!(intro, "Every site's rating at each stage is on the pages below: 5 groups by region.");
    assert_eq!(tables, [1, 0]);

    let (heading, intro, tables) = said(&format!("{DELIVERY}{RATINGS}"));
    assert_eq!(heading, "Each site's ratings and delivery model, by region");
    assert_eq!(
        intro,
        "Every site's rating at each stage, and its delivery model, are on the pages below: 5 groups by region."
    );
    assert_eq!(tables, [1, 1]);
}

#[test]
fn group_by_an_unknown_field_is_a_config_error_at_its_line() {
    let dir = bundled_project();
    let config = std::fs::read_to_string(dir.path().join("wingreport.toml")).unwrap();
    std::fs::write(dir.path().join("wingreport.toml"), format!("{config}\n[compare]\ngroup_by = \"regoin\"\n"))
        .unwrap();
    let out = build(dir.path(), &["--quiet"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    let line = line_of(dir.path(), "wingreport.toml", "group_by");
    assert!(err.contains(&format!("wingreport.toml:{line}:12")), "{err}");
    assert!(err.contains("`regoin` is not an allowed value here"), "{err}");
    assert!(err.contains("did you mean `region`?"), "{err}");
    assert!(err.contains("`region`, `estate`, `category`"), "{err}");

    std::fs::write(dir.path().join("wingreport.toml"), format!("{config}\n[compare]\nsites_per_page = 0\n")).unwrap();
    let err = stderr(&build(dir.path(), &["--quiet"]));
    let line = line_of(dir.path(), "wingreport.toml", "sites_per_page");
    assert!(err.contains(&format!("wingreport.toml:{line}:18")), "{err}");
    assert!(err.contains("write a whole number from 1 to 10000"), "{err}");
}

fn select_in<'a>(el: &scraper::ElementRef<'a>, css: &str) -> Vec<scraper::ElementRef<'a>> {
    el.select(&scraper::Selector::parse(css).unwrap()).collect()
}
