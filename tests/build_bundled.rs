//! Builds the bundled study series into a temp dir and checks the HTML
//! against the records it came from.

mod common;

use common::*;

/// The bundled project built in this process (the library, not the binary:
/// the tests of this file share one syntax set and one theme load).
fn built() -> (tempfile::TempDir, wingreport::model::Project) {
    let dir = bundled_project();
    wingreport::build::build(dir.path(), None, false).unwrap_or_else(|e| panic!("build failed: {e:?}"));
    let (project, diags) = wingreport::load::load(dir.path());
    assert!(diags.is_empty(), "{diags:?}");
    let project = project.expect("bundled content loads");
    (dir, project)
}

fn site<'p>(project: &'p wingreport::model::Project, id: &str) -> &'p wingreport::model::SiteRecord {
    &project.sites.iter().find(|s| s.folder == id).unwrap().record
}

#[test]
fn series_index_has_one_card_per_site_in_weight_order() {
    let (dir, _) = built();
    let doc = html(&dir.path().join("output/index.html"));
    let titles: Vec<String> = select(&doc, ".card-title a").iter().map(text).collect();
    assert_eq!(
        titles,
        [
            "CFO Discovery wings Peer mentor initiative at HMP Risley",
            "CFO Community Living Units Ambassador initiative at HMP High Down",
            "CFO Hamlet Peer mentor initiative at HMP Drake Hall",
            "CFO Endeavour wings' Peer mentor initiative at HMP Holme House",
        ]
    );
    let hrefs: Vec<&str> = select(&doc, ".card-title a").iter().map(|a| a.value().attr("href").unwrap()).collect();
    for href in hrefs {
        assert!(dir.path().join("output").join(href).is_file(), "card links to missing {href}");
    }
    // index.md's text, after the cards, is headed by its title (found by a
    // publisher's audit: it read as part of "Site reports").
    let narrative = select(&doc, "section.narrative[aria-labelledby=\"narrative-heading\"] > h2#narrative-heading");
    assert_eq!(text(&narrative[0]), "About the study series");
    // One site has attribute data: its share is shown, not a median and a
    // range of one value.
    let compare = html(&dir.path().join("output/compare/index.html"));
    let header: Vec<String> = select(&compare, "#attribute-summary thead th").iter().map(text).collect();
    assert_eq!(header[3..], ["Share"], "{header:?}");
}

/// Found by QA (QA30-A F1): the comparison said only the Drake Hall
/// attribute numbers were illustrative, though the names are placeholders
/// too; and its caption read "at the 1 site".
#[test]
fn the_comparison_says_the_attribute_names_are_illustrative_too() {
    let (dir, _) = built();
    let compare = html(&dir.path().join("output/compare/index.html"));
    let caption = text(&select(&compare, "#attribute-summary figcaption")[0]);
    assert_eq!(caption, "Table 1: Attribute priorities at the one site with attribute data");
    let note = text(&select(&compare, "#attribute-summary .figure-note")[0]);
    assert!(
        note.ends_with(
            "Illustrative data The site's attribute names and numbers are marked illustrative, not study data."
        ),
        "{note}"
    );
}

#[test]
fn drake_hall_sections_are_numbered_from_weight_and_headings() {
    let (dir, _) = built();
    let doc = html(&dir.path().join("output/sites/drake-hall/index.html"));
    let top: Vec<String> = select(&doc, "main section > h2").iter().map(text).collect();
    assert!(top[0].starts_with("1 "), "{top:?}");
    assert!(top[1].starts_with("2 Findings"), "{top:?}");
    assert!(top[2].starts_with("3 Good practice"), "{top:?}");
    assert_eq!(top[3], "References", "the reference list comes before the appendices");
    assert!(top[4].starts_with("Appendix A "), "{top:?}");
    assert!(top[5].starts_with("Appendix B "), "{top:?}");
    assert_eq!(top[6], "Acknowledgements", "unnumbered sections carry no number");

    let sub: Vec<String> = select(&doc, "main h3 .secno").iter().map(text).collect();
    assert_eq!(&sub[..3], ["1.1", "1.2", "1.3"]);
    assert!(sub.contains(&"2.5".to_string()));
    let subsub: Vec<String> = select(&doc, "main h4 .secno").iter().map(text).collect();
    assert_eq!(&subsub[..2], ["1.2.1", "1.2.2"]);

    let toc: Vec<String> = select(&doc, "nav.toc .toc-list > li > a").iter().map(text).collect();
    // One contents list, read after the title: the cover, then the
    // contents, then the sections, in <main>.
    let order: Vec<String> =
        select(&doc, "main > *").iter().map(|e| e.value().classes().collect::<Vec<_>>().join(" ")).collect();
    assert_eq!(order, ["cover", "toc", "report-body"]);
    assert_eq!(select(&doc, "nav").iter().filter(|n| n.value().classes().any(|c| c == "toc")).count(), 1);
    assert_eq!(toc.len(), 7);
    assert!(toc[4].starts_with("Appendix A"));
    for link in select(&doc, ".toc a") {
        let target = link.value().attr("href").unwrap().trim_start_matches('#');
        assert_eq!(select(&doc, &format!("[id=\"{target}\"]")).len(), 1, "contents link #{target} has one target");
    }
}

#[test]
fn drake_hall_tables_are_numbered_and_match_the_record() {
    let (dir, project) = built();
    let record = site(&project, "drake-hall");
    let doc = html(&dir.path().join("output/sites/drake-hall/index.html"));
    let captions: Vec<String> = select(&doc, "figure.table-figure > figcaption").iter().map(text).collect();
    assert_eq!(captions[0], "Table 1.1: Profile of HMP Drake Hall");
    assert!(captions.iter().any(|c| c.starts_with("Table B.1: Peer involvement roles")), "{captions:?}");

    let profile = &select(&doc, "#profile")[0];
    let first = select(&doc, "#profile tbody tr");
    assert_eq!(text(&select(&doc, "#profile tbody tr th")[0]), "Prison");
    assert_eq!(Some(text(&select(&doc, "#profile tbody tr td")[0])), record.prison);
    let extra = record.profile.as_ref().unwrap().value.extra.as_ref().unwrap();
    assert_eq!(
        first.len(),
        6 + extra.len(),
        "prison, wing, category, profile, estate, region + extra rows (the report gives no exact population)"
    );
    assert!(text(profile).contains("Female"));

    let roles = select(&doc, "#roles tbody tr");
    assert_eq!(roles.len(), record.roles.as_ref().unwrap().len());
    assert_eq!(roles.len(), 16, "seed 002 maps 16 roles");
    let first_role = text(&select(&doc, "#roles tbody tr th")[0]);
    assert_eq!(first_role, record.roles.as_ref().unwrap()[0].title);

    let phases = select(&doc, "#phases tbody tr");
    assert_eq!(phases.len(), record.phases.as_ref().unwrap().len());

    let staff = select(&doc, "#tbl-staff-team tbody tr");
    assert_eq!(staff.len(), record.tables.as_ref().unwrap()["staff-team"].rows.len());
}

#[test]
fn quotes_render_with_pseudonym_role_and_method() {
    let (dir, project) = built();
    let record = site(&project, "drake-hall");
    let doc = html(&dir.path().join("output/sites/drake-hall/index.html"));
    let quote = record.quotes.as_ref().unwrap().iter().find(|q| q.id.value == "ida-difficult-to-engage").unwrap();
    let figure = &select(&doc, "figure.quote#ida-difficult-to-engage")[0];
    let said = text(&select(&doc, "figure.quote#ida-difficult-to-engage blockquote")[0]);
    assert_eq!(said, quote.text.as_str());
    let attribution = text(&select(&doc, "figure.quote#ida-difficult-to-engage figcaption")[0]);
    let speaker = quote.speaker.as_deref().expect("Drake Hall names its speakers by pseudonym");
    assert_eq!(attribution, format!("({speaker}, {}, interview)", quote.role.as_deref().unwrap()));
    assert!(text(figure).contains(speaker));
    assert!(select(&doc, "figure.quote").len() >= 5);
}

/// A study that attributes quotations by role only leaves `speaker` out,
/// and nothing is printed in its place.
#[test]
fn a_quote_without_a_speaker_is_attributed_by_role_only() {
    let dir = bundled_project();
    edit(dir.path(), "content/sites/drake-hall/site.yaml", "    speaker: Megan\n", "");
    let files = wingreport::build::generate(dir.path(), false).unwrap_or_else(|e| panic!("{e:?}"));
    let page = files.iter().find(|f| f.path == "sites/drake-hall/index.html").unwrap();
    let doc = scraper::Html::parse_document(std::str::from_utf8(&page.bytes).unwrap());
    let attribution = text(&select(&doc, "figure.quote#megan-second-chance figcaption")[0]);
    assert_eq!(attribution, "(Peer mentor, interview)");
}

/// A researcher's audit: a survey-based study had no `method` for its
/// free-text answers but to leave it out or mislabel them.
#[test]
fn a_quote_from_a_survey_says_so() {
    let dir = bundled_project();
    let site = "content/sites/drake-hall/site.yaml";
    let record = std::fs::read_to_string(dir.path().join(site)).unwrap();
    let megan = record.find("    speaker: Megan\n").unwrap();
    let method = megan + record[megan..].find("    method: interview\n").unwrap();
    let edited =
        format!("{}    method: survey\n{}", &record[..method], &record[method + "    method: interview\n".len()..]);
    std::fs::write(dir.path().join(site), edited).unwrap();
    let files = wingreport::build::generate(dir.path(), false).unwrap_or_else(|e| panic!("{e:?}"));
    let page = files.iter().find(|f| f.path == "sites/drake-hall/index.html").unwrap();
    let doc = scraper::Html::parse_document(std::str::from_utf8(&page.bytes).unwrap());
    let attribution = text(&select(&doc, "figure.quote#megan-second-chance figcaption")[0]);
    assert_eq!(attribution, "(Megan, Peer mentor, survey)");
}

#[test]
fn lists_and_recommendations_keep_the_records_order() {
    let (dir, project) = built();
    let record = site(&project, "drake-hall");
    let doc = html(&dir.path().join("output/sites/drake-hall/index.html"));
    let recs: Vec<String> = select(&doc, ".recommendation-heading").iter().map(text).collect();
    let expected: Vec<&str> =
        record.recommendations.as_ref().unwrap().iter().filter_map(|r| r.heading.as_deref()).collect();
    assert_eq!(recs, expected);
    let enablers = &record.lists.as_ref().unwrap()["enablers"];
    let items: Vec<String> = select(&doc, "#list-enablers li").iter().map(text).collect();
    assert_eq!(items.len(), enablers.items.len());
    assert!(items[0].starts_with(enablers.items[0].text.as_str()));
    assert_eq!(select(&doc, "#list-enablers ol").len(), usize::from(enablers.ordered));
}

#[test]
fn every_site_and_the_free_page_are_built() {
    let (dir, project) = built();
    for site in &project.sites {
        let doc = html(&dir.path().join("output/sites").join(&site.folder).join("index.html"));
        assert_eq!(text(&select(&doc, "h1")[0]), site.record.title);
        // A published report carries no status tag; only drafts and reviews do.
        assert!(select(&doc, ".status-tag").is_empty(), "{}", site.folder);
    }
    let page = html(&dir.path().join("output/pages/commissioning-guidance/index.html"));
    assert!(!select(&page, "main table").is_empty(), "the guidance page carries Table 1");
}

#[test]
fn links_are_relative_and_resolve() {
    let (dir, _) = built();
    let out = dir.path().join("output");
    let pages: Vec<(std::path::PathBuf, scraper::Html)> = snapshot(&out)
        .into_keys()
        .filter(|p| p.ends_with(".html"))
        .map(|p| {
            let file = out.join(&p);
            let doc = html(&file);
            (file, doc)
        })
        .collect();
    // Each page's ids, parsed once.
    let ids: std::collections::HashMap<std::path::PathBuf, std::collections::HashSet<String>> = pages
        .iter()
        .map(|(file, doc)| {
            let ids = select(doc, "[id]").iter().filter_map(|e| e.value().attr("id")).map(String::from).collect();
            (file.canonicalize().unwrap(), ids)
        })
        .collect();
    for (file, doc) in &pages {
        let path = file.strip_prefix(&out).unwrap().display();
        for el in select(doc, "[href], [src]") {
            let link = el.value().attr("href").or(el.value().attr("src")).unwrap();
            if link.starts_with("http://") || link.starts_with("https://") || link.starts_with("mailto:") {
                assert!(el.value().name() == "a", "{path}: external resource {link}");
                continue;
            }
            assert!(!link.starts_with('/'), "{path}: absolute link {link}");
            let (target, anchor) = link.split_once('#').unwrap_or((link, ""));
            let target_file = if target.is_empty() { file.clone() } else { file.parent().unwrap().join(target) };
            assert!(target_file.is_file(), "{path}: broken link {link}");
            if !anchor.is_empty() && target_file.extension().is_some_and(|e| e == "html") {
                let target_ids = &ids[&target_file.canonicalize().unwrap()];
                assert!(target_ids.contains(anchor), "{path}: missing anchor {link}");
            }
        }
        let csp = select(doc, "meta[http-equiv=\"Content-Security-Policy\"]");
        assert_eq!(csp.len(), 1, "{path} declares its CSP");
    }
}

/// Found by a privacy audit: a draft section was left out, but the quotes,
/// table and chart it shows, which live in the published record, went out
/// in `site.json`, a CSV download and the comparison.
#[test]
fn what_only_a_draft_section_shows_is_left_out_of_the_record_too() {
    let dir = bundled_project();
    let root = dir.path();
    let record = root.join("content/sites/risley/site.yaml");
    let mut yaml = std::fs::read_to_string(&record).unwrap();
    yaml.push_str(
        "\nquotes:\n  - {id: shared, speaker: Mo, role: Resident, method: interview, text: SHOWN QUOTE}\n  \
         - {id: drafted, speaker: Lu, role: Resident, method: interview, text: DRAFT QUOTE}\n\
         tables:\n  drafted:\n    caption: DRAFT TABLE\n    columns: [Date]\n    rows: [[May]]\n\
         attributes:\n  n: 5\n  items:\n    - {name: DRAFTATTRIBUTE, count: 4}\n",
    );
    std::fs::write(&record, yaml).unwrap();
    std::fs::write(
        root.join("content/sites/risley/04-draft.md"),
        "---\ntitle: Draft findings\nweight: 4\ndraft: true\n---\n\n{{ quote(id=\"shared\") }}\n\n\
         {{ quote(id=\"drafted\") }}\n\n{{ table(key=\"drafted\", id=\"tbl-drafted\") }}\n\n\
         {{ attributes_chart(id=\"fig-drafted\") }}\n",
    )
    .unwrap();
    edit(
        root,
        "content/sites/risley/03-recommendations.md",
        "{{ recommendations() }}",
        "{{ recommendations() }}\n\n{{ quote(id=\"shared\") }}",
    );

    let out = build(root, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "note: content/sites/risley/site.yaml: `attributes`, table `drafted`, quote `drafted`: left out, as only \
             draft sections show them"
        ),
        "{}",
        stderr(&out)
    );
    let output = root.join("output");
    for (path, bytes) in snapshot(&output) {
        let text = String::from_utf8_lossy(&bytes);
        for drafted in ["DRAFT QUOTE", "DRAFT TABLE", "DRAFTATTRIBUTE"] {
            assert!(!text.contains(drafted), "{path} holds {drafted}");
        }
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(output.join("sites/risley/site.json")).unwrap()).unwrap();
    assert_eq!(json["quotes"].as_array().map(Vec::len), Some(1), "the quote a published section shows stays");
    assert!(json.get("tables").is_none() && json.get("attributes").is_none(), "{json}");
    assert!(!output.join("sites/risley/attributes.csv").exists());

    let out = build(root, &["--drafts"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("note:"), "a build with drafts leaves nothing out");
    let json = std::fs::read_to_string(output.join("sites/risley/site.json")).unwrap();
    assert!(json.contains("DRAFT QUOTE") && json.contains("DRAFT TABLE") && json.contains("DRAFTATTRIBUTE"));
    assert!(output.join("sites/risley/attributes.csv").exists());
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let dir = bundled_project();
    let root = dir.path();
    edit(root, "content/sites/risley/site.yaml", "status: published", "status: draft");
    std::fs::write(
        root.join("content/sites/drake-hall/07-draft-notes.md"),
        "---\ntitle: Unfinished notes\nweight: 9\ndraft: true\n---\n\nSECRET DRAFT PARAGRAPH\n",
    )
    .unwrap();
    // The series index's and the comparison's own texts may be drafts too.
    for file in ["content/index.md", "content/compare.md"] {
        edit(root, file, "---\ntitle:", "---\ndraft: true\ntitle:");
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        std::fs::write(root.join(file), format!("{text}\nSECRET DRAFT PARAGRAPH\n")).unwrap();
    }
    let out = build(root, &["--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "", "no warning: nothing of a draft is in the output");
    let output = root.join("output");
    assert!(!output.join("sites/risley").exists(), "draft site is not published");
    for (path, bytes) in snapshot(&output) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("SECRET DRAFT PARAGRAPH"), "{path} leaks the draft file");
        assert!(!text.contains("sites/risley/"), "{path} links the draft site");
    }
    let index = html(&output.join("index.html"));
    assert_eq!(select(&index, ".card").len(), 3);
    assert_eq!(text(&select(&html(&output.join("compare/index.html")), "h1")[0]), "Cross-site comparison");

    let out = build(root, &["--quiet", "--drafts"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("holds drafts (--drafts or `[build] drafts = true`), each marked DRAFT: do not publish it")
    );
    for page in ["index.html", "compare/index.html"] {
        let doc = html(&output.join(page));
        let narrative = text(&select(&doc, ".narrative")[0]);
        let tag = text(&select(&doc, ".narrative > .status-tag")[0]);
        assert_eq!(tag, "Draft text: left out of a published build", "{page}");
        assert!(narrative.contains("SECRET DRAFT PARAGRAPH"), "{page}");
    }
    let out = build(root, &["--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!root.join(".output.spare").exists(), "an output with drafts is never kept as the spare");
    let out = build(root, &["--quiet", "--drafts"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let risley = html(&output.join("sites/risley/index.html"));
    assert_eq!(select(&risley, ".draft-mark").len(), 1, "draft reports carry the DRAFT mark");
    assert_eq!(text(&select(&risley, ".status-tag")[0]), "Status: Draft");
    let drake = html(&output.join("sites/drake-hall/index.html"));
    assert!(select(&drake, "main").iter().map(text).any(|t| t.contains("SECRET DRAFT PARAGRAPH")));
    // Only the draft file's section is marked as one the published report leaves out.
    let marked: Vec<String> = select(&drake, "section.section")
        .iter()
        .filter(|s| !s.select(&scraper::Selector::parse(".status-draft").unwrap()).collect::<Vec<_>>().is_empty())
        .map(|s| text(&s.select(&scraper::Selector::parse("h2").unwrap()).next().unwrap()))
        .collect();
    assert_eq!(marked.len(), 1, "{marked:?}");
    assert!(marked[0].ends_with("Unfinished notes"), "{marked:?}");

    // A draft free page says so in words, not only in the aria-hidden
    // DRAFT mark (an accessibility audit).
    let page_file = root.join("content/pages/peer-support.md");
    edit(root, "content/pages/peer-support.md", "---\ntitle:", "---\ndraft: true\ntitle:");
    assert!(page_file.exists());
    let out = build(root, &["--quiet", "--drafts"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = html(&output.join("pages/peer-support/index.html"));
    assert_eq!(text(&select(&page, "main .status-tag")[0]), "Draft page: left out of a published build");
}

#[test]
fn two_builds_are_byte_identical() {
    let dir = bundled_project();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    for out in [&a, &b] {
        let result = build(dir.path(), &["--quiet", "--output", out.to_str().unwrap()]);
        assert!(result.status.success(), "{}", stderr(&result));
    }
    let (sa, sb) = (snapshot(&a), snapshot(&b));
    assert_eq!(sa.keys().collect::<Vec<_>>(), sb.keys().collect::<Vec<_>>());
    for (path, bytes) in &sa {
        assert!(bytes == &sb[path], "{path} differs between builds");
    }
}

#[test]
fn project_theme_overrides_and_adds_shortcodes() {
    let dir = bundled_project();
    let root = dir.path();
    let shortcodes = root.join("themes/default/templates/shortcodes");
    std::fs::create_dir_all(&shortcodes).unwrap();
    std::fs::write(shortcodes.join("quote.html"), "<p class=\"my-quote\">{{ data.speaker }} said: {{ data.text }}</p>")
        .unwrap();
    std::fs::write(shortcodes.join("callout.html"), "<aside class=\"callout\">{{ args.text }}</aside>").unwrap();
    edit(
        root,
        "content/sites/drake-hall/02-findings.md",
        "## Peer involvement across the programme\n",
        "## Peer involvement across the programme\n\n{{ callout(text=\"Read this first\") }}\n",
    );
    let out = build(root, &["--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = html(&root.join("output/sites/drake-hall/index.html"));
    assert!(select(&doc, "figure.quote").is_empty(), "built-in quote template replaced");
    assert!(!select(&doc, "p.my-quote").is_empty());
    assert_eq!(text(&select(&doc, "aside.callout")[0]), "Read this first");
}

#[test]
fn check_validates_without_writing() {
    let dir = bundled_project();
    let out = wingreport().arg("check").arg("--root").arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("no problems found"));
    assert!(!dir.path().join("output").exists());
}

#[test]
fn every_chart_has_a_text_alternative_and_a_data_table() {
    let (dir, _) = built();
    let out = dir.path().join("output");
    let mut charts = 0;
    for (path, _) in snapshot(&out).into_iter().filter(|(p, _)| p.ends_with(".html")) {
        let doc = html(&out.join(&path));
        for figure in select(&doc, "figure, li.multiple") {
            let svgs = figure.select(&scraper::Selector::parse("svg").unwrap()).count();
            if svgs == 0 {
                continue;
            }
            charts += svgs;
            let svg = figure.select(&scraper::Selector::parse("svg").unwrap()).next().unwrap();
            assert_eq!(svg.value().attr("role"), Some("img"), "{path}");
            for part in ["title", "desc"] {
                let found = svg.select(&scraper::Selector::parse(part).unwrap()).next();
                assert!(found.is_some_and(|t| !text(&t).is_empty()), "{path}: chart without <{part}>");
            }
            assert!(
                figure.select(&scraper::Selector::parse("table").unwrap()).next().is_some(),
                "{path}: chart without a data table"
            );
        }
    }
    assert!(charts >= 4, "Drake Hall's two charts and the comparison's charts were seen ({charts})");
}

/// A study across several prisons with mixed accreditation can say so,
/// rather than pick one level and publish something untrue.
#[test]
fn mixed_accreditation_is_shown_as_mixed() {
    let dir = bundled_project();
    edit(dir.path(), "content/sites/drake-hall/site.yaml", "accreditation: accredited-l2", "accreditation: mixed");
    let files = wingreport::build::generate(dir.path(), false).unwrap_or_else(|e| panic!("{e:?}"));
    for path in ["sites/drake-hall/index.html", "compare/index.html"] {
        let page = files.iter().find(|f| f.path == path).unwrap();
        let doc = scraper::Html::parse_document(std::str::from_utf8(&page.bytes).unwrap());
        let cells: Vec<String> = select(&doc, "td").iter().map(text).collect();
        assert!(cells.contains(&"Mixed: some roles accredited, some not".to_string()), "{path}: {cells:?}");
    }
}

/// Found by QA: a token, a hash or a share link in a table cell that a
/// template fills from the record (a role's title, a column heading, a
/// profile value, the comparison's rows) was not marked `long-word`, as
/// one in a Markdown table is, so print could not break it inside its cell
/// and a wide table shrank the whole printed page.
#[test]
fn a_long_word_in_a_record_table_cell_is_marked_to_break_and_a_short_one_is_not() {
    let hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b";
    let dir = bundled_project();
    let yaml = "content/sites/drake-hall/site.yaml";
    for (from, to) in [
        ("{title: Listener,", format!("{{title: Listener {hash},")),
        ("columns: [Role, Number, Employer]", format!("columns: [Role, Number, Employer {hash}]")),
        ("\"Case Managers\"", format!("\"Case Managers {hash}\"")),
        ("wing: The Hamlet", format!("wing: The Hamlet {hash}")),
        ("Location: Staffordshire", format!("Location: Staffordshire {hash}")),
        ("training: NCFE Accredited Level 2 Award in Mentoring", format!("training: NCFE *Accredited* {hash}")),
        ("{name: CFO course,", format!("{{name: CFO course {hash},")),
        ("{name: Approachable,", format!("{{name: Approachable {hash},")),
    ] {
        edit(dir.path(), yaml, from, &to);
    }
    let files = wingreport::build::generate(dir.path(), false).unwrap_or_else(|e| panic!("{e:?}"));
    let page = |path: &str| {
        let page = files.iter().find(|f| f.path == path).unwrap();
        scraper::Html::parse_document(std::str::from_utf8(&page.bytes).unwrap())
    };
    let long_words = scraper::Selector::parse(".long-word").unwrap();
    for (path, cells) in [
        (
            "sites/drake-hall/index.html",
            &[
                ("#roles th", "Listener"),
                ("#tbl-staff-team thead th", "Employer"),
                ("#tbl-staff-team td", "Case Managers"),
                ("#profile td", "The Hamlet"),
                ("#profile td", "Staffordshire"),
                ("#delivery td", "NCFE Accredited"),
                ("#phases th", "CFO course"),
                ("#fig-attributes table th", "Approachable"),
            ][..],
        ),
        (
            "compare/index.html",
            &[
                ("#delivery-models td", "NCFE Accredited"),
                ("#delivery-models th", "HMP Drake Hall (The Hamlet"),
                ("#attribute-summary th", "Approachable"),
            ],
        ),
    ] {
        let doc = page(path);
        for (css, words) in cells {
            let cell = select(&doc, css).into_iter().find(|c| text(c).starts_with(&format!("{words} {hash}")));
            let cell = cell.unwrap_or_else(|| panic!("{path}: no {css} reads {words:?} and the hash"));
            let marked: Vec<String> = cell.select(&long_words).map(|span| text(&span)).collect();
            // A bracket after the word is part of it, as a reader sees it.
            assert_eq!(marked, [text(&cell).split_whitespace().last().unwrap()], "{path}: {css}: {}", cell.html());
        }
        // The short words beside it, and every other cell, are left alone.
        let every: Vec<String> = doc.select(&long_words).map(|span| text(&span)).collect();
        assert!(every.iter().all(|word| word.starts_with(hash)), "{path}: {every:?}");
    }
}
