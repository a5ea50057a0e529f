//! Citations, cross-references and the reference list in the built reports.

mod common;

use common::*;

fn built() -> tempfile::TempDir {
    let dir = bundled_project();
    let out = build(dir.path(), &["--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    dir
}

#[test]
fn each_citation_form_renders_author_year_and_links_to_the_list() {
    let dir = built();
    let doc = html(&dir.path().join("output/sites/drake-hall/index.html"));
    let body = text(&select(&doc, "main")[0]);
    for expected in [
        "Buck (2020) and Nixon (2019)",
        "(Crewe, 2012, pp. 411-429)",
        "(Walker and Worrall, 2000; Crewe et al., 2017)",
        "(for example Brown and Ross, 2010)",
    ] {
        assert!(body.contains(expected), "missing {expected:?}");
    }
    for link in select(&doc, "a.citation") {
        let target = link.value().attr("href").unwrap();
        assert_eq!(select(&doc, &format!("ul.references li{target}")).len(), 1, "{target} is in the list");
    }
}

#[test]
fn reference_list_holds_the_cited_works_sorted_before_the_appendices() {
    let dir = built();
    let doc = html(&dir.path().join("output/sites/drake-hall/index.html"));
    let ids: Vec<String> =
        select(&doc, "ul.references li").iter().map(|li| li.value().attr("id").unwrap().to_string()).collect();
    let mut cited: Vec<String> =
        select(&doc, "a.citation").iter().map(|a| a.value().attr("href").unwrap()[1..].to_string()).collect();
    cited.sort();
    cited.dedup();
    let mut listed = ids.clone();
    listed.sort();
    assert_eq!(listed, cited, "exactly the cited works");
    let entries: Vec<String> = select(&doc, "ul.references li").iter().map(text).collect();
    // The family name ends at the comma before the initials, or at the year
    // when a work names its author as the report's text does ("Buck (2018)").
    let families: Vec<String> =
        entries.iter().map(|e| e.split([',', '(']).next().unwrap().trim().to_lowercase()).collect();
    let mut sorted = families.clone();
    sorted.sort();
    assert_eq!(families, sorted, "sorted by author");
    let buck = entries.iter().find(|e| e.starts_with("Buck, G. (2020)")).unwrap();
    assert_eq!(buck, "Buck, G. (2020). Peer mentoring in criminal justice. Routledge.");

    let toc: Vec<String> = select(&doc, "nav.toc .toc-list > li > a").iter().map(text).collect();
    let refs = toc.iter().position(|t| t == "References").unwrap();
    let appendix = toc.iter().position(|t| t.starts_with("Appendix A")).unwrap();
    assert!(refs < appendix, "{toc:?}");
}

#[test]
fn cross_references_name_and_link_their_targets() {
    let dir = built();
    let doc = html(&dir.path().join("output/sites/drake-hall/index.html"));
    let xrefs: Vec<(String, String)> =
        select(&doc, "a.xref").iter().map(|a| (a.value().attr("href").unwrap().to_string(), text(a))).collect();
    for (href, label) in [
        ("#fig-attributes", "Figure 2.1"),
        ("#fig-social-capital", "Figure 2.2"),
        ("#tbl-staff-team", "Table 1.2"),
        ("#sec-staff-team", "Section 1.2.1"),
    ] {
        assert!(xrefs.contains(&(href.to_string(), label.to_string())), "{href} -> {label} in {xrefs:?}");
        assert_eq!(select(&doc, &format!("[id=\"{}\"]", &href[1..])).len(), 1);
    }
    let figure_caption = text(&select(&doc, "#fig-attributes > figcaption")[0]);
    assert!(figure_caption.starts_with("Figure 2.1:"));
}

#[test]
fn letters_and_et_al_on_the_guidance_page() {
    let dir = built();
    let doc = html(&dir.path().join("output/pages/commissioning-guidance/index.html"));
    let body = text(&select(&doc, "main")[0]);
    assert!(body.contains("(Albertson, 2024a; Albertson, 2024b; Albertson, 2024c; Albertson, 2024d)"), "{body}");
    assert!(body.contains("(Bona et al., 1995)"));
    assert!(body.contains("(HM Prison & Probation Service, 2021, pp. 62-68)"), "an organisation is cited whole");
    assert!(body.contains("(Albertson, forthcoming)"));
    assert!(!select(&doc, "ul.references li").is_empty(), "free pages list their references too");
}

#[test]
fn figures_and_tables_list_links_every_numbered_item() {
    let dir = built();
    let doc = html(&dir.path().join("output/sites/drake-hall/index.html"));
    let captions: Vec<String> = select(&doc, "main figure > figcaption .caption-number")
        .iter()
        .map(|c| text(c).trim_end_matches(':').to_string())
        .collect();
    for (list, kind) in [(".toc-figures a", "Figure "), (".toc-tables a", "Table ")] {
        let items: Vec<String> = select(&doc, list).iter().map(text).collect();
        let numbers: Vec<String> =
            items.iter().map(|i| i.split_whitespace().take(2).collect::<Vec<_>>().join(" ")).collect();
        let expected: Vec<&String> = captions.iter().filter(|c| c.starts_with(kind)).collect();
        assert!(!expected.is_empty(), "Drake Hall has a {kind}");
        assert_eq!(numbers.iter().collect::<Vec<_>>(), expected, "{list}");
    }
    let tables: Vec<String> = select(&doc, ".toc-tables a").iter().map(text).collect();
    assert!(tables[0].starts_with("Table 1.1 Profile of HMP Drake Hall"), "{tables:?}");
}

#[test]
fn a_reading_list_names_works_of_the_bibliography_and_a_misspelt_one_is_an_error() {
    let dir = bundled_project();
    let file = "content/pages/commissioning-guidance.md";
    let path = dir.path().join(file);
    let mut body = std::fs::read_to_string(&path).unwrap();
    body.push_str("\n## Further reading\n\n{{ reading_list(works=\"hmps2020, buck2018\") }}\n");
    std::fs::write(&path, &body).unwrap();
    let out = build(dir.path(), &["--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = html(&dir.path().join("output/pages/commissioning-guidance/index.html"));
    let listed: Vec<String> = select(&doc, "ul.reading-list > li").iter().map(text).collect();
    assert_eq!(listed.len(), 2, "{listed:#?}");
    assert!(listed[0].starts_with("Buck (2018)") && listed[1].starts_with("HM Prison Service"), "{listed:#?}");

    std::fs::write(&path, body.replace("buck2018\") }}", "bukc2018\") }}")).unwrap();
    let err = failed_check(dir.path());
    let line = line_of(dir.path(), file, "reading_list");
    assert!(err.contains(&format!("{file}:{line}:1")), "{err}");
    assert!(err.contains("no work `bukc2018` in references.yaml") && err.contains("did you mean `buck2018`?"), "{err}");
}

/// Found by a new-study audit: with references.yaml unreadable, a page
/// placing `{{ references() }}` was also told it cites no works.
#[test]
fn a_mistake_in_references_yaml_does_not_also_say_a_placed_list_has_nothing_to_list() {
    let dir = bundled_project();
    std::fs::write(
        dir.path().join("content/pages/methods.md"),
        "---\ntitle: Methods\n---\n\nAs [@buck2018] found.\n\n{{ references() }}\n",
    )
    .unwrap();
    edit(dir.path(), "content/references.yaml", "  year: 2020\n  title: Peer mentoring", "  title: Peer mentoring");
    let err = failed_check(dir.path());
    let at = format!("content/references.yaml:{}:3: missing required key `year`", first_work_line(dir.path()));
    assert!(err.contains(&at), "{err}");
    assert_eq!(err.matches('×').count(), 1, "no follow-on error: {err}");
}

#[test]
fn a_mistake_in_references_yaml_is_reported_without_every_citation_after_it() {
    let dir = bundled_project();
    // The first work loses its year: references.yaml cannot be read at all,
    // and every citation of the series would have been reported too (19).
    edit(dir.path(), "content/references.yaml", "  year: 2020\n  title: Peer mentoring", "  title: Peer mentoring");
    let err = failed_check(dir.path());
    let at = format!("content/references.yaml:{}:3: missing required key `year`", first_work_line(dir.path()));
    assert!(err.contains(&at), "{err}");
    assert!(!err.contains("is not in the bibliography"), "no follow-on citation errors: {err}");
    assert_eq!(err.matches('×').count(), 1, "{err}");
}

/// The line of the first work in the bundled references.yaml.
fn first_work_line(root: &std::path::Path) -> usize {
    let text = std::fs::read_to_string(root.join("content/references.yaml")).unwrap();
    text.lines().position(|l| l.starts_with("- key:")).unwrap() + 1
}

/// Found by a new-study audit: a web page with no date could be cited only
/// with a made-up year or a false `forthcoming`.
#[test]
fn a_work_without_a_date_is_cited_as_no_date() {
    let dir = bundled_project();
    let references = dir.path().join("content/references.yaml");
    let listed = std::fs::read_to_string(&references).unwrap();
    std::fs::write(
        &references,
        format!(
            "{listed}- key: pet-web\n  authors: [\"Prisoners' Education Trust\"]\n  year: n.d.\n  title: Peer learning\n  url: https://example.org/peer\n"
        ),
    )
    .unwrap();
    let section = dir.path().join("content/sites/risley/01-initiative.md");
    let body = std::fs::read_to_string(&section).unwrap();
    std::fs::write(&section, format!("{body}\nPeer learning is described elsewhere [@pet-web].\n")).unwrap();
    let out = build(dir.path(), &["--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = html(&dir.path().join("output/sites/risley/index.html"));
    let body = text(&select(&doc, "main")[0]);
    assert!(body.contains("(Prisoners' Education Trust, n.d.)"), "{body}");
    let listed: Vec<String> = select(&doc, "ul.references li").iter().map(text).collect();
    assert!(listed.iter().any(|l| l.starts_with("Prisoners' Education Trust (n.d.). Peer learning")), "{listed:?}");
}
