//! A record states only what the study found (issue 9): only six keys are
//! required, the cover and the index show only what a record has, nothing is
//! filled in for a missing value, and the comparison page exists only when
//! there is something to compare.

mod common;

use std::path::Path;

use common::*;

/// The six keys every record needs, and nothing else.
const MINIMAL: &str = "\
id: esw
title: Education, Skills and Work peer mentoring
authors: [A. Researcher, B. Researcher]
year: 2025
status: published
summary: Peer mentoring in education, skills and work across five prisons.
";

/// A project of its own, not a copy of the bundled series, so that nothing
/// CFO-shaped is there unless a test writes it. `sites` are (id, the rest
/// of its record after `id:`), each with one section.
fn project(sites: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("wingreport.toml"), "title = \"A study\"\n").unwrap();
    std::fs::create_dir_all(root.join("content/sites")).unwrap();
    std::fs::write(
        root.join("content/series.yaml"),
        "title: A study\nauthors: [A. Researcher]\nyear: 2025\nsummary: One study.\n",
    )
    .unwrap();
    for (id, rest) in sites {
        let folder = root.join("content/sites").join(id);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("site.yaml"), format!("id: {id}\n{rest}")).unwrap();
        std::fs::write(folder.join("01-findings.md"), "---\ntitle: Findings\n---\n\nWhat the study found.\n").unwrap();
    }
    dir
}

/// A record of `id` with the six required keys and then `more`.
fn record(id: &str, more: &str) -> (String, String) {
    let rest = MINIMAL.strip_prefix("id: esw\n").unwrap();
    (id.to_string(), format!("{rest}{more}"))
}

fn project_of(records: &[(String, String)]) -> tempfile::TempDir {
    let sites: Vec<(&str, &str)> = records.iter().map(|(id, rest)| (id.as_str(), rest.as_str())).collect();
    project(&sites)
}

/// `url` of wingreport.toml: the output's public address.
const PUBLIC: &str = "url = \"https://intranet.example/reports/study\"\n";

fn built_ok(root: &Path) {
    let out = build(root, &["--quiet"]);
    assert!(out.status.success(), "build failed:\n{}", stderr(&out));
}

fn cover_labels(doc: &scraper::Html) -> Vec<String> {
    select(doc, ".cover-meta dt").iter().map(text).collect()
}

fn nav_hrefs(doc: &scraper::Html) -> Vec<String> {
    select(doc, ".topbar-links a").iter().map(|a| a.value().attr("href").unwrap().to_string()).collect()
}

#[test]
fn a_record_with_only_the_required_keys_builds_and_passes_check() {
    let dir = project(&[("esw", MINIMAL.strip_prefix("id: esw\n").unwrap())]);
    let root = dir.path();
    let check = wingreport().arg("check").arg("--root").arg(root).output().unwrap();
    assert_eq!(check.status.code(), Some(0), "check failed:\n{}", stderr(&check));
    built_ok(root);

    let doc = html(&root.join("output/sites/esw/index.html"));
    assert_eq!(cover_labels(&doc), ["Authors", "Year"], "no Prison, Setting or Wing the record does not state");
    assert!(select(&doc, ".status-tag").is_empty(), "a published report carries no status tag");
    assert!(select(&doc, "main table").is_empty(), "no profile or delivery rows");
    assert!(select(&doc, ".cover-subtitle, .cover-disclaimer, .cover-sample").is_empty());
    let main = text(&select(&doc, "main")[0]);
    for word in ["Prison", "Accredit", "Estate", "Not reported", "Who took part"] {
        assert!(!main.contains(word), "`{word}` in a report whose record never says it: {main}");
    }

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("output/sites/esw/site.json")).unwrap()).unwrap();
    // No key of another study's record, not even as `null`.
    for key in [
        "prison",
        "setting",
        "wing",
        "profile",
        "delivery",
        "isbn",
        "doi",
        "disclaimer",
        "weight",
        "phases",
        "sample",
        "attributes",
        "social_capital",
        "ladder",
        "roles",
        "lists",
        "tables",
        "recommendations",
        "quotes",
    ] {
        assert!(json.get(key).is_none(), "site.json has `{key}`: {json}");
    }

    let index = html(&root.join("output/index.html"));
    let meta: Vec<String> = select(&index, ".card-meta").iter().map(text).collect();
    assert_eq!(meta, ["2025"], "the card names no place the record does not, only its year");
    assert!(select(&index, ".card .status-tag").is_empty());
}

#[test]
fn cover_keys_render_when_given() {
    let more = "\
subtitle: Findings from five prisons
setting: Five men's prisons in England
publisher: Ministry of Justice
isbn: 978-0-306-40615-7
doi: 10.1234/moj.esw#2
licence: Open Government Licence v3.0
disclaimer: The views are the *authors' own*, not [the Ministry's](https://www.gov.uk/moj).
";
    let dir = project_of(&[record("esw", more)]);
    let root = dir.path();
    built_ok(root);
    let doc = html(&root.join("output/sites/esw/index.html"));
    assert_eq!(cover_labels(&doc), ["Setting", "Authors", "Year", "Publisher", "ISBN", "DOI", "Licence"]);
    let values: Vec<String> = select(&doc, ".cover-meta dd").iter().map(text).collect();
    assert_eq!(values[0], "Five men's prisons in England");
    assert!(values.contains(&"978-0-306-40615-7".to_string()), "{values:?}");
    assert!(values.contains(&"Open Government Licence v3.0".to_string()), "{values:?}");
    assert_eq!(text(&select(&doc, ".cover-subtitle")[0]), "Findings from five prisons");
    let doi = select(&doc, ".cover-doi a")[0];
    assert_eq!(text(&doi), "10.1234/moj.esw#2");
    assert_eq!(doi.value().attr("href"), Some("https://doi.org/10.1234/moj.esw%232"), "a `#` would end the path");
    let disclaimer = select(&doc, ".cover-disclaimer")[0];
    assert_eq!(text(&select(&doc, ".cover-disclaimer em")[0]), "authors' own");
    assert!(text(&disclaimer).starts_with("The views are the authors' own"), "{}", text(&disclaimer));
    assert_eq!(select(&doc, ".cover-disclaimer a")[0].value().attr("href"), Some("https://www.gov.uk/moj"));

    let index = html(&root.join("output/index.html"));
    // A middle dot never starts a line (QA30-C F18): the space before it does not break.
    let meta: String = select(&index, ".card-meta")[0].text().collect();
    assert_eq!(meta, "Five men's prisons in England\u{a0}· 2025");

    let check = wingreport().arg("check").arg("--root").arg(root).output().unwrap();
    let listed = String::from_utf8_lossy(&check.stdout).into_owned() + &stderr(&check);
    assert!(listed.contains("https://doi.org/10.1234/moj.esw%232"), "check lists the DOI link:\n{listed}");
}

/// The disclaimer's links go through the link check like narrative links,
/// and a broken one is reported at the record.
#[test]
fn a_broken_link_in_the_disclaimer_is_reported_at_the_record() {
    let dir = project_of(&[record("esw", "disclaimer: See [the methods](../../pages/methods/index.html).\n")]);
    let out = build(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("content/sites/esw/site.yaml"), "{err}");
    assert!(err.contains("pages/methods/index.html"), "{err}");
}

#[test]
fn a_bad_isbn_or_doi_is_an_error_at_its_line() {
    let cases = [
        ("isbn: 978-0-306-40615-8\n", "isbn:", "check digit"),
        ("isbn: 0-306-4061\n", "isbn:", "10 or 13"),
        ("doi: https://doi.org/10.1234/x\n", "doi:", "give the DOI alone"),
        ("doi: 11.1234/x\n", "doi:", "starts `10.`"),
    ];
    for (line, key, says) in cases {
        let dir = project_of(&[record("esw", line)]);
        let root = dir.path();
        let out = wingreport().arg("check").arg("--root").arg(root).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{line}");
        let err = stderr(&out);
        let at = line_of(root, "content/sites/esw/site.yaml", key);
        assert!(err.contains(&format!("content/sites/esw/site.yaml:{at}:")), "{line}: want line {at}\n{err}");
        assert!(err.contains(says), "{line}: want {says:?}\n{err}");
    }
    let good = project_of(&[record("esw", "isbn: 0-306-40615-2\ndoi: 10.1000/182\n")]);
    built_ok(good.path());
}

#[test]
fn a_one_site_series_has_no_comparison_page() {
    let dir = project_of(&[record(
        "esw",
        "delivery: {role: Peer mentor}\nattributes: {n: 3, source: interviews, items: [{name: Calm, count: 2}]}\n",
    )]);
    let root = dir.path();
    std::fs::write(root.join("wingreport.toml"), PUBLIC).unwrap();
    built_ok(root);
    assert!(!root.join("output/compare").exists());
    let index = html(&root.join("output/index.html"));
    assert!(!nav_hrefs(&index).iter().any(|h| h.contains("compare")), "{:?}", nav_hrefs(&index));
    let sitemap = std::fs::read_to_string(root.join("output/sitemap.xml")).unwrap();
    assert!(!sitemap.contains("compare"), "{sitemap}");
}

/// Found by a new-study audit: a survey-and-interview study, with nothing
/// the comparison tables, lost its `compare.md` synthesis without a word,
/// and the mistakes in it went unchecked.
#[test]
fn a_written_synthesis_is_published_when_there_is_nothing_to_table() {
    let dir = project_of(&[record("alder", ""), record("birch", "")]);
    let root = dir.path();
    let synthesis = "---\ntitle: Across the sites\n---\n\nMentors were valued at both sites.\n";
    std::fs::write(root.join("content/compare.md"), synthesis).unwrap();
    built_ok(root);
    let doc = html(&root.join("output/compare/index.html"));
    assert_eq!(text(&select(&doc, "h1")[0]), "Across the sites");
    assert!(text(&select(&doc, "main")[0]).contains("Mentors were valued at both sites."));
    assert!(select(&doc, "table, figure").is_empty(), "no table stands in for data no record has");
    let index = html(&root.join("output/index.html"));
    assert!(nav_hrefs(&index).iter().any(|h| h.ends_with("compare/index.html")), "{:?}", nav_hrefs(&index));

    std::fs::write(root.join("content/compare.md"), format!("{synthesis}\nAs argued [@nokey].\n")).unwrap();
    let err = failed_check(root);
    assert!(err.contains("content/compare.md") && err.contains("nokey"), "{err}");
}

#[test]
fn compare_enabled_false_leaves_the_page_out() {
    let dir = bundled_project();
    let root = dir.path();
    let config = std::fs::read_to_string(root.join("wingreport.toml")).unwrap();
    std::fs::write(root.join("wingreport.toml"), format!("{PUBLIC}{config}\n[compare]\nenabled = false\n")).unwrap();
    built_ok(root);
    assert!(!root.join("output/compare").exists());
    for page in ["output/index.html", "output/sites/drake-hall/index.html"] {
        let doc = html(&root.join(page));
        assert!(!nav_hrefs(&doc).iter().any(|h| h.contains("compare")), "{page}: {:?}", nav_hrefs(&doc));
    }
    let sitemap = std::fs::read_to_string(root.join("output/sitemap.xml")).unwrap();
    assert!(!sitemap.contains("compare"), "{sitemap}");
    // Every page the search index lists is in its manifest.
    let search = std::fs::read_to_string(root.join("output/static/search/manifest.js")).unwrap();
    assert!(!search.contains("compare/"), "{search}");
}

#[test]
fn comparison_says_not_reported_for_what_a_record_leaves_out() {
    let dir = project_of(&[
        record(
            "full",
            "weight: 1\nprison: HMP One\ndelivery:\n  role: Peer mentor\n  paid: false\n  training_provider: Shannon Trust\n  \
             training: Turning Pages\n  accreditation: mixed\n  supervision: Weekly\n  progression: Lead mentor\n",
        ),
        record("partial", "weight: 2\nprison: HMP Two\ndelivery:\n  role: Orderly\n  paid: true\n"),
        record(
            "none",
            "weight: 3\nsetting: Three prisons in Wales\nattributes: {n: 3, source: interviews, items: [{name: Calm, count: 2}]}\n",
        ),
    ]);
    let root = dir.path();
    built_ok(root);
    let doc = html(&root.join("output/compare/index.html"));
    let rows: Vec<Vec<String>> = select(&doc, "#delivery-models tbody tr")
        .iter()
        .map(|row| row.children().filter_map(scraper::ElementRef::wrap).map(|c| text(&c)).collect())
        .collect();
    assert_eq!(
        rows,
        [
            vec![
                "HMP One",
                "Peer mentor",
                "No",
                "Shannon Trust",
                "Turning Pages",
                "Mixed: some roles accredited, some not",
                "Weekly",
                "Lead mentor"
            ],
            vec![
                "HMP Two",
                "Orderly",
                "Yes",
                "Not reported",
                "Not reported",
                "Not reported",
                "Not reported",
                "Not reported"
            ],
            vec!["Three prisons in Wales", "Not reported"],
        ]
    );
    let marked = select(&doc, "#delivery-models td.not-reported").len();
    assert_eq!(marked, 5 + 1, "every Not reported cell is marked as such");
    assert_eq!(select(&doc, "#delivery-models td[colspan=\"7\"]").len(), 1);
}

#[test]
fn profile_and_delivery_show_only_stated_rows() {
    let more =
        "setting: Five men's prisons in England\nprofile: {region: North West}\ndelivery: {accreditation: mixed}\n";
    let dir = project_of(&[record("esw", more)]);
    let root = dir.path();
    std::fs::write(
        root.join("content/sites/esw/01-findings.md"),
        "---\ntitle: Findings\n---\n\n{{ profile() }}\n\n{{ delivery() }}\n",
    )
    .unwrap();
    built_ok(root);
    let doc = html(&root.join("output/sites/esw/index.html"));
    let rows = |id: &str| -> Vec<(String, String)> {
        let cells =
            |css: &str| -> Vec<String> { select(&doc, &format!("#{id} tbody tr {css}")).iter().map(text).collect() };
        cells("th").into_iter().zip(cells("td")).collect()
    };
    assert_eq!(rows("profile"), [("Region".to_string(), "North West".to_string())]);
    let accreditation = ("Accreditation".to_string(), "Mixed: some roles accredited, some not".to_string());
    assert_eq!(rows("delivery"), [accreditation]);
    let caption = text(&select(&doc, "#profile figcaption")[0]);
    assert_eq!(caption, "Table 1.1: Profile: Five men's prisons in England", "the caption names no invented prison");
}

#[test]
fn profile_or_delivery_shortcode_without_the_block_is_an_error() {
    for name in ["profile", "delivery"] {
        let dir = project_of(&[record("esw", "")]);
        let root = dir.path();
        let section = "content/sites/esw/01-findings.md";
        std::fs::write(root.join(section), format!("---\ntitle: Findings\n---\n\nText.\n\n{{{{ {name}() }}}}\n"))
            .unwrap();
        let out = build(root, &[]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        let err = stderr(&out);
        assert!(err.contains(&format!("{section}:7:")), "{name}: {err}");
        assert!(err.contains(&format!("needs `{name}`")), "{name}: {err}");
    }
}

#[test]
fn an_empty_block_is_an_error_at_its_key() {
    let dir = project_of(&[record("esw", "profile: {}\n")]);
    let root = dir.path();
    let out = build(root, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let at = line_of(root, "content/sites/esw/site.yaml", "profile:");
    assert!(err.contains(&format!("content/sites/esw/site.yaml:{at}:")), "{err}");
    assert!(err.contains("states nothing"), "{err}");
}

#[test]
fn quotes_lists_ratings_and_attributes_need_only_what_the_study_recorded() {
    let (id, rest) = record(
        "esw",
        "quotes:\n  - {id: bare, text: Said without attribution.}\n  - {id: role-only, role: Mentor, text: Said by a mentor.}\n\
         lists:\n  untitled:\n    items: [{text: An entry}]\n\
         attributes:\n  n: 4\n  items: [{name: Patient, count: 3}]\n",
    );
    let dir = project_of(&[(id, rest)]);
    let root = dir.path();
    std::fs::write(
        root.join("content/sites/esw/01-findings.md"),
        "---\ntitle: Findings\n---\n\n{{ quote(id=\"bare\") }}\n\n{{ quote(id=\"role-only\") }}\n\n\
         {{ list(key=\"untitled\") }}\n\n{{ attributes_chart() }}\n",
    )
    .unwrap();
    built_ok(root);
    let doc = html(&root.join("output/sites/esw/index.html"));
    assert!(select(&doc, "#bare figcaption").is_empty(), "no attribution the record does not give");
    assert_eq!(text(&select(&doc, "#role-only figcaption")[0]), "(Mentor)");
    assert!(select(&doc, ".named-list .list-title").is_empty(), "no heading for an untitled list");
    let captions: Vec<String> = select(&doc, "figure figcaption").iter().map(text).collect();
    assert!(captions.iter().any(|c| c.ends_with("Attribute priorities (n = 4)")), "{captions:?}");
}

/// Found by a new-study audit: a study with recommendations but no
/// headings had to write `heading: ""`, which showed a number with nothing
/// after it. Without any heading the items are one numbered list; a group
/// without one among groups with one shows no empty heading.
#[test]
fn recommendations_need_no_heading() {
    let flat = "recommendations:\n  - items: [Offer after-school visit slots., Train visits staff.]\n";
    let mixed = "recommendations:\n  - heading: Visits\n    items: [Offer more slots.]\n  - items: [Train staff.]\n";
    let dir = project_of(&[record("flat", flat), record("mixed", mixed)]);
    let root = dir.path();
    for id in ["flat", "mixed"] {
        std::fs::write(
            root.join(format!("content/sites/{id}/01-findings.md")),
            "---\ntitle: Findings\n---\n\n{{ recommendations() }}\n",
        )
        .unwrap();
    }
    built_ok(root);
    let flat = html(&root.join("output/sites/flat/index.html"));
    let items: Vec<String> = select(&flat, "ol.recommendations > li").iter().map(text).collect();
    assert_eq!(items, ["Offer after-school visit slots.", "Train visits staff."]);
    assert!(select(&flat, ".recommendation-heading, strong").is_empty());
    let mixed = html(&root.join("output/sites/mixed/index.html"));
    let headings: Vec<String> = select(&mixed, ".recommendation-heading").iter().map(text).collect();
    assert_eq!(headings, ["Visits"]);
    assert_eq!(select(&mixed, "ol.recommendations > li.recommendation").len(), 2);
}

/// Found by a new-study audit: the comparison's delivery table had a
/// column of "Not reported" for every field no site of the study records.
#[test]
fn the_delivery_table_has_only_the_columns_some_site_states() {
    let ashgrove = "delivery:\n  role: Family contact officer\n  supervision: Weekly\n";
    let brackenmoor = "delivery:\n  role: Family engagement worker\n";
    let dir =
        project_of(&[record("ashgrove", ashgrove), record("brackenmoor", brackenmoor), record("copperfield", "")]);
    let root = dir.path();
    built_ok(root);
    let doc = html(&root.join("output/compare/index.html"));
    let header: Vec<String> = select(&doc, "#delivery-models thead th").iter().map(text).collect();
    assert_eq!(header, ["Site", "Role", "Supervision"]);
    let rows: Vec<Vec<String>> = select(&doc, "#delivery-models tbody tr")
        .iter()
        .map(|row| row.children().filter_map(scraper::ElementRef::wrap).map(|c| text(&c)).collect())
        .collect();
    assert_eq!(rows[1][1..], ["Family engagement worker", "Not reported"]);
    assert_eq!(rows[2][1..], ["Not reported"], "a site without the block: one cell across the table");
    assert_eq!(select(&doc, "#delivery-models td[colspan=\"2\"]").len(), 1);
}

/// Found by a new-study audit: a report with no sections (fieldwork
/// cancelled, say) showed a "Contents" box with nothing in it.
#[test]
fn a_report_without_sections_has_no_contents() {
    let dir = project_of(&[record("copperfield", "")]);
    let root = dir.path();
    std::fs::remove_file(root.join("content/sites/copperfield/01-findings.md")).unwrap();
    built_ok(root);
    let doc = html(&root.join("output/sites/copperfield/index.html"));
    assert!(select(&doc, ".toc").is_empty(), "no empty contents");
    assert_eq!(text(&select(&doc, "h1")[0]), "Education, Skills and Work peer mentoring");
}

/// Found by a new-study audit: the series title lived in two files, and a
/// change to `series.yaml` alone left the top bar and covers as they were.
/// `series.yaml` is now the one source; `wingreport.toml` may rename the site.
#[test]
fn the_series_title_comes_from_series_yaml_unless_the_config_renames_the_site() {
    let dir = project_of(&[record("esw", "")]);
    let root = dir.path();
    std::fs::write(root.join("wingreport.toml"), "language = \"en-GB\"\n").unwrap();
    edit(root, "content/series.yaml", "title: A study", "title: Family contact study");
    built_ok(root);
    let index = html(&root.join("output/index.html"));
    assert_eq!(text(&select(&index, ".topbar-title")[0]), "Family contact study");
    assert_eq!(text(&select(&index, "h1")[0]), "Family contact study");

    std::fs::write(root.join("wingreport.toml"), "title = \"Reports library\"\n").unwrap();
    built_ok(root);
    let report = html(&root.join("output/sites/esw/index.html"));
    assert_eq!(text(&select(&report, ".topbar-title")[0]), "Reports library");
}

/// Found by a new-study audit: a list item that is a sentence, with a
/// detail, read "of the programme.: Mentioned by". A population reads
/// with a thousands separator.
#[test]
fn a_detail_follows_a_sentence_as_a_sentence_and_numbers_read_as_written() {
    let lists = "lists:\n  findings:\n    items:\n      - {text: Visits were valued., detail: Said by most families.}\n      - {text: Phone credit, detail: a common request}\nprofile:\n  population: 1050\n";
    let dir = project_of(&[record("ashgrove", lists)]);
    let root = dir.path();
    std::fs::write(
        root.join("content/sites/ashgrove/01-findings.md"),
        "---\ntitle: Findings\n---\n\n{{ list(key=\"findings\") }}\n\n{{ profile() }}\n",
    )
    .unwrap();
    built_ok(root);
    let doc = html(&root.join("output/sites/ashgrove/index.html"));
    let items: Vec<String> = select(&doc, ".named-list li").iter().map(text).collect();
    assert_eq!(items, ["Visits were valued. Said by most families.", "Phone credit: a common request"]);
    let cells: Vec<String> = select(&doc, "main table td").iter().map(text).collect();
    assert_eq!(cells, ["1,050"]);
}

/// With `url` set, the output has a `404.html` whose links start from the
/// address's path, so it works at any address below it, by any host name
/// or scheme the intranet answers to, and its skip link stays on it; it is
/// no page of the sitemap. Without `url` there is neither: the 404 page's
/// links could only work at the top folder, and a sitemap takes whole
/// addresses only.
#[test]
fn a_not_found_page_and_a_sitemap_come_with_the_public_address() {
    let dir = project_of(&[record("esw", "")]);
    let root = dir.path();
    built_ok(root);
    assert!(!root.join("output/404.html").exists());
    assert!(!root.join("output/sitemap.xml").exists());
    std::fs::write(root.join("wingreport.toml"), PUBLIC).unwrap();
    built_ok(root);
    let page = html(&root.join("output/404.html"));
    assert!(select(&page, "base").is_empty());
    assert_eq!(text(&select(&page, "h1")[0]), "Page not found");
    assert_eq!(select(&page, ".skip-link")[0].value().attr("href"), Some("#main"));
    let stylesheets: Vec<&str> =
        select(&page, "link[rel=stylesheet]").iter().filter_map(|l| l.value().attr("href")).collect();
    assert!(stylesheets.contains(&"/reports/study/static/style.css"), "{stylesheets:?}");
    assert_eq!(select(&page, "script[src]")[0].value().attr("src"), Some("/reports/study/static/search.js"));
    let sitemap = std::fs::read_to_string(root.join("output/sitemap.xml")).unwrap();
    assert!(!sitemap.contains("404") && sitemap.contains("https://intranet.example/reports/study/index.html"));
}

/// Found by a publisher's audit: `url = "/reports/cfo/"` failed with a
/// broken link "to report as a bug", and a query in `url` ended up inside
/// every sitemap entry.
#[test]
fn a_public_address_that_is_no_whole_http_address_is_an_error_at_its_line() {
    let dir = project_of(&[record("esw", "")]);
    let root = dir.path();
    for (url, why) in [
        ("/reports/cfo/", "it has no `http://` or `https://` and host"),
        ("intranet.example/reports/", "it has no `http://` or `https://` and host"),
        ("https://intranet.example/reports/?x=1", "it has a `?` query or a `#` fragment"),
        ("ftp://intranet.example/reports/", "its scheme is `ftp:`"),
    ] {
        std::fs::write(root.join("wingreport.toml"), format!("language = \"en-GB\"\nurl = \"{url}\"\n")).unwrap();
        let err = failed_check(root);
        assert!(
            err.contains(&format!("wingreport.toml:2:7: `url = \"{url}\"` is not the reports' public address: {why}")),
            "{err}"
        );
        assert!(err.contains("https://intranet.example/reports/cfo/"), "the message shows a whole address: {err}");
    }
}

/// Found by a researcher's audit: phases with only a name showed a row of
/// dashes under Weeks, Location and Cohort, a role table had four columns
/// of dashes, a ladder needed a target the site never set, and site.json
/// said `illustrative: false` and `ordered: false` for flags never written.
#[test]
fn phases_roles_and_the_ladder_show_only_what_the_record_states() {
    let more = "phases:\n  - {name: Course, weeks: 6}\n  - {name: Placement}\n\
                roles:\n  - {title: Listener}\n  - {title: Orderly, paid: true}\n\
                ladder: {current: 1}\n\
                lists:\n  aims: {items: [{text: An aim}]}\n\
                attributes: {n: 4, items: [{name: Patient, count: 3}]}\n";
    let dir = project_of(&[record("esw", more)]);
    let root = dir.path();
    std::fs::write(
        root.join("content/frameworks.yaml"),
        "ladder:\n  levels:\n    - {n: 0, name: None, description: No part.}\n    - {n: 1, name: Told, description: Kept informed.}\n",
    )
    .unwrap();
    std::fs::write(
        root.join("content/sites/esw/01-findings.md"),
        "---\ntitle: Findings\n---\n\n{{ phases() }}\n\n{{ roles() }}\n\n{{ ladder() }}\n",
    )
    .unwrap();
    built_ok(root);
    let doc = html(&root.join("output/sites/esw/index.html"));
    let header = |id: &str| -> Vec<String> { select(&doc, &format!("#{id} thead th")).iter().map(text).collect() };
    let cells = |id: &str| -> Vec<String> { select(&doc, &format!("#{id} tbody td")).iter().map(text).collect() };
    assert_eq!(header("phases"), ["Phase", "Weeks"]);
    assert_eq!(cells("phases"), ["6", "–not stated"], "a dash, read out as not stated");
    assert_eq!(header("roles"), ["Role", "Paid"]);
    assert_eq!(cells("roles"), ["–not stated", "Paid"]);
    assert_eq!(select(&doc, "#ladder .ladder-tag").iter().map(text).collect::<Vec<_>>(), ["Current level"]);
    assert!(text(&select(&doc, "#ladder figcaption")[0]).ends_with("current level"));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("output/sites/esw/site.json")).unwrap()).unwrap();
    assert_eq!(json["ladder"], serde_json::json!({"current": 1}));
    assert!(json["attributes"].get("illustrative").is_none() && json["lists"]["aims"].get("ordered").is_none());
    assert!(json["roles"][0].get("paid").is_none());
}

/// Found by a fact-checker's audit: the Drake Hall report places the Hamlet
/// on no rung of the ladder, but `current` was required, so one was made up.
#[test]
fn a_ladder_with_no_level_set_shows_the_levels_alone() {
    let dir = project_of(&[record("esw", "ladder: {note: The study placed the site on no level.}\n")]);
    let root = dir.path();
    std::fs::write(
        root.join("content/frameworks.yaml"),
        "ladder:\n  levels:\n    - {n: 0, name: None, description: No part.}\n    - {n: 1, name: Told, description: Kept informed.}\n",
    )
    .unwrap();
    std::fs::write(root.join("content/sites/esw/01-findings.md"), "---\ntitle: Findings\n---\n\n{{ ladder() }}\n")
        .unwrap();
    built_ok(root);
    let doc = html(&root.join("output/sites/esw/index.html"));
    assert_eq!(select(&doc, "#ladder .ladder-level").len(), 2);
    assert!(select(&doc, "#ladder .ladder-tag, #ladder .is-current, #ladder .is-target").is_empty());
    assert_eq!(text(&select(&doc, "#ladder figcaption")[0]), "Figure 1.1: Service-user involvement ladder");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("output/sites/esw/site.json")).unwrap()).unwrap();
    assert_eq!(json["ladder"], serde_json::json!({"note": "The study placed the site on no level."}));
}

/// Found by a researcher's audit: ratings in a study with no framework were
/// an error with no line, so an editor could not jump to them.
#[test]
fn ratings_without_a_framework_are_an_error_at_the_block() {
    let more = "social_capital:\n  - {stage: 1, rating: green}\n";
    let dir = project_of(&[record("esw", more)]);
    let out = wingreport().arg("check").arg("--root").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let line = line_of(dir.path(), "content/sites/esw/site.yaml", "social_capital:");
    let expected = format!(
        "content/sites/esw/site.yaml:{line}:1: this record has `social_capital` ratings but no framework defines the stages"
    );
    assert!(stderr(&out).contains(&expected), "{}", stderr(&out));
}
