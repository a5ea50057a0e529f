//! The cross-site comparison: generated from every published record, with
//! the optional narrative of `content/compare.md` above it. A summary of all
//! the sites comes first. While the sites fit one screen the page also
//! holds every per-site table and chart; beyond that the per-site tables
//! move to pages of their own (`compare/<group>/index.html`, grouped by a
//! profile field) linked from the summary, so the page stays light at any
//! number of sites and every site's ratings stay reachable. A block a site
//! does not report shows as "Not reported", never as an error, and never
//! as a default value.

mod aggregate;
mod groups;

use serde::Serialize;

use super::prose::ProseRenderer;
use super::shortcodes::{self, Env, Slots};
use super::thousands;
use super::views::{Link, PageMeta};
use super::{Bibliography, Rendered, Renderer, page_file, render_sections};
use crate::charts::{self, attributes::AttributesStyle};
use crate::diagnostics::Diagnostic;
use crate::links::AuthoredLink;
use crate::model::reading_order;
use crate::model::{Delivery, Project, Prose, Site, SocialCapitalFramework, StageRating, Status};
use aggregate::{AttributeSummary, RatingCountsBlock, sites_phrase};

pub const PATH: &str = "compare/index.html";

/// Most sites whose per-site tables and small multiples stay on the
/// comparison page: about one screen of small multiples, three across.
pub const ONE_SCREEN: usize = 12;

/// The words for a cell whose value the record does not state; the
/// templates' "Not reported" cells say the same.
const NOT_REPORTED: &str = "Not reported";

/// Whether the output gets a comparison page: only when it is not turned
/// off, and at least two of `sites` have a block the page compares or the
/// study wrote its cross-site text (`compare.md`, published here, `with_text`),
/// which is never left out unread. The page shows no profile table, so a
/// profile alone is nothing to compare.
pub(super) fn wanted(project: &Project, sites: &[&Site], with_text: bool) -> bool {
    let comparable = |site: &&&Site| {
        let r = &site.record;
        r.delivery.is_some() || r.attributes.is_some() || r.social_capital.is_some()
    };
    project.config.compare.enabled && (with_text || sites.iter().filter(comparable).count() >= 2)
}

/// Whether the comparison has a row for every one of `sites` (its ratings
/// table, or else its delivery table, on the page or on a group page),
/// which each report links to as `compare/index.html#site-<id>`.
pub(super) fn has_site_rows(project: &Project, sites: &[&Site]) -> bool {
    let rated = project.frameworks.social_capital.is_some() && sites.iter().any(|s| s.record.social_capital.is_some());
    rated || sites.iter().any(|s| s.record.delivery.is_some())
}

/// The anchor of a site's row on the comparison's pages.
pub(super) fn row_anchor(site: &Site) -> String {
    format!("site-{}", site.record.id.value)
}

/// One row of the delivery-model table (Table 1 of the commissioning guidance).
#[derive(Serialize)]
struct DeliveryRow {
    /// The row's anchor, `site-<id>`, used when the page has no ratings table.
    id: String,
    site: String,
    href: String,
    /// The cells of the table's columns; `None` when the record has no `delivery`.
    cells: Option<Vec<Cell>>,
}

/// The delivery table's columns after the site: the labels of the fields
/// that at least one of its sites states, so a study that never recorded
/// (say) accreditation has no column of "Not reported".
pub(super) const DELIVERY_COLUMNS: [&str; 7] =
    ["Role", "Paid", "Training provider", "Training", "Accreditation", "Supervision", "Progression"];

/// A cell of a cross-site table: the record's value as HTML, or "Not
/// reported".
#[derive(Serialize)]
struct Cell {
    html: String,
    reported: bool,
}

impl Cell {
    fn of(html: Option<String>) -> Self {
        match html {
            Some(html) => Cell { html, reported: true },
            None => Cell { html: NOT_REPORTED.to_string(), reported: false },
        }
    }
}

/// The delivery-model table.
#[derive(Serialize)]
struct DeliveryBlock {
    number: String,
    columns: Vec<&'static str>,
    rows: Vec<DeliveryRow>,
}

/// One site's social-capital ratings, in the framework's stage order.
#[derive(Serialize)]
struct MatrixRow {
    /// The row's anchor, `site-<id>` (see [`row_anchor`]).
    id: String,
    site: String,
    href: String,
    /// `None` when the record has no `social_capital`.
    cells: Option<Vec<MatrixCell>>,
}

#[derive(Serialize)]
struct MatrixCell {
    stage: u32,
    rating: String,
    label: String,
    symbol: String,
    /// The record marks the rating illustrative, not a study finding.
    illustrative: bool,
}

#[derive(Serialize)]
struct StageColumn {
    n: u32,
    source: String,
    /// What the stage asks, for the key under the caption.
    question: String,
}

/// The per-site ratings: a figure with the matrix chart above the table
/// while the sites fit one screen, else the table alone.
#[derive(Serialize)]
struct MatrixBlock {
    number: String,
    caption: String,
    svg: Option<String>,
    columns: Vec<StageColumn>,
    rows: Vec<MatrixRow>,
}

/// One small multiple of the attribute graphs.
#[derive(Serialize)]
struct AttributesPanel {
    site: String,
    href: String,
    svg: String,
    illustrative: bool,
    /// The chart's numbers in drawing order, for the table beside it.
    rows: Vec<AttributeRow>,
    n: u32,
}

#[derive(Serialize)]
struct AttributeRow {
    name: String,
    count: u32,
}

#[derive(Serialize)]
struct AttributesBlock {
    number: String,
    caption: String,
    axis_max: u32,
    /// The sites with attribute data, each a small multiple.
    panels: Vec<AttributesPanel>,
    /// The sites without, named together in one line under the caption:
    /// a grid cell each left a mostly empty grid on screen, and in print
    /// the caption on a page of its own, its only chart on the next (QA30-C
    /// F10, F11).
    not_reported: Vec<Link>,
}

/// A group's row in the overview's list of pages.
#[derive(Serialize)]
struct GroupRow {
    name: String,
    sites: String,
    pages: Vec<Link>,
}

/// The overview's table of group pages.
#[derive(Serialize)]
struct GroupsBlock {
    number: String,
    /// "region".
    field: String,
    /// "Region", for the column heading.
    field_title: String,
    /// "12 groups".
    count: String,
    /// What the group pages hold, for the overview to say: the ratings
    /// table (the study has a framework and ratings) and the delivery table.
    ratings: bool,
    delivery: bool,
    rows: Vec<GroupRow>,
    /// Every site, A to Z, linked to its row on its group's page: the place
    /// each report's link to the comparison lands on.
    finder: Vec<FinderEntry>,
}

#[derive(Serialize)]
struct FinderEntry {
    /// `site-<id>`, the anchor reports link to.
    id: String,
    site: String,
    /// Its row on its group page.
    href: String,
    /// "North East, sites 1 to 50".
    place: String,
}

#[derive(Serialize)]
struct CompareView {
    page: PageMeta,
    title: String,
    narrative_html: Option<String>,
    /// `compare.md` is a draft, shown only by a preview or `--drafts`.
    narrative_draft: bool,
    /// "4 sites".
    sites: String,
    rating_counts: Option<RatingCountsBlock>,
    attribute_summary: Option<AttributeSummary>,
    /// The pages of per-site tables; `None` while they fit this page.
    groups: Option<GroupsBlock>,
    delivery: Option<DeliveryBlock>,
    matrix: Option<MatrixBlock>,
    attributes: Option<AttributesBlock>,
    roles_html: Option<String>,
}

/// `compare_group.html`: one page of per-site tables.
#[derive(Serialize)]
struct GroupView {
    page: PageMeta,
    /// The comparison's title, for the way back.
    compare_title: String,
    /// "North East"; "All sites" when not grouped.
    group: String,
    /// "Sites 51 to 100 of 1,000 in North East".
    position: String,
    previous: Option<Link>,
    next: Option<Link>,
    matrix: Option<MatrixBlock>,
    delivery: Option<DeliveryBlock>,
}

/// Short name of a site for table rows and chart labels: its prison, else
/// its setting, else its title, with the wing when there is one.
fn site_label(site: &Site) -> String {
    let r = &site.record;
    match &r.wing {
        Some(wing) => format!("{} ({wing})", r.place()),
        None => r.place().to_string(),
    }
}

/// A site's report from a page one folder below the output root.
fn site_href(site: &Site) -> String {
    format!("../sites/{}/index.html", site.record.id.value)
}

/// What every comparison page collects while rendering.
#[derive(Default)]
struct Found {
    diags: Vec<Diagnostic>,
    links: Vec<AuthoredLink>,
    /// The narrative's search documents.
    search: Vec<crate::search::SearchDoc>,
}

/// The overview page and, when the sites do not fit it, the group pages.
pub(super) fn render_compare(sites: &[&Site], meta: &Renderer) -> Rendered {
    // Each row is headed by its place, not its report's title: after the
    // weights, rows go by what they show, as the A to Z list does.
    let mut sites = sites.to_vec();
    sites.sort_by_cached_key(|site| site.record.key_by(site.record.place()));
    let sites = &sites[..];
    let (project, theme) = (meta.project, meta.theme);
    let root = "../";
    let env = Env::without_site(project, theme, root, &meta.bibliography);
    let mut found = Found::default();
    let (title, narrative_html) = match meta.compare_narrative() {
        Some(narrative) => {
            let (rendered, diags) = render_sections(&[narrative], &env, false);
            found.diags.extend(diags);
            found.links = rendered.authored_links(PATH);
            found.search = rendered.search_docs(&narrative.front.title, PATH);
            (narrative.front.title.clone(), Some(rendered.into_html()))
        }
        None => (meta.compare_title(), None),
    };
    let framework =
        project.frameworks.social_capital.as_ref().filter(|_| sites.iter().any(|s| s.record.social_capital.is_some()));
    let palette = project.config.charts.palette;
    let long = sites.len() > ONE_SCREEN;

    let mut figures = 0;
    let mut tables = 0;
    let mut next_figure = || {
        figures += 1;
        format!("Figure {figures}")
    };
    let rating_counts = framework.map(|fw| aggregate::rating_counts_block(sites, fw, palette, next_figure()));
    let attribute_summary = aggregate::attribute_summary(sites, format!("Table {}", tables + 1));
    tables += usize::from(attribute_summary.is_some());
    let any_delivery = sites.iter().any(|s| s.record.delivery.is_some());
    let mut files = Vec::new();
    let (groups, delivery, matrix, attributes) = if long {
        // Group pages hold ratings and delivery rows; with neither there is
        // nothing per site to page through.
        let groups = (framework.is_some() || any_delivery).then(|| {
            tables += 1;
            render_groups(sites, meta, &title, framework, format!("Table {tables}"), &mut files, &mut found)
        });
        (groups, None, None, None)
    } else {
        let delivery = any_delivery.then(|| {
            tables += 1;
            delivery_block(sites, format!("Table {tables}"), PATH, "", &meta.bibliography, &mut found)
        });
        let matrix = framework.map(|fw| {
            let number = next_figure();
            let caption = format!("{} across the sites", fw.title);
            let chart_rows: Vec<(String, Option<Vec<StageRating>>)> =
                sites.iter().map(|s| (site_label(s), s.record.social_capital.clone())).collect();
            let svg = charts::comparison::social_capital_comparison_svg(
                &chart_rows,
                fw,
                palette,
                &caption,
                "compare-social-capital",
            );
            matrix_block(sites, fw, number, caption, Some(svg), "")
        });
        let attributes =
            sites.iter().any(|s| s.record.attributes.is_some()).then(|| attributes_block(sites, next_figure()));
        (None, delivery, matrix, attributes)
    };

    let roles_html = (!project.roles.is_empty())
        .then(|| {
            tables += 1;
            let caption = "The peer involvement role continuum across the sites";
            let mut prose =
                ProseRenderer::outside_report((&project.roles_path, &project.roles_text), &meta.bibliography);
            let mut slots = Slots::default();
            let data = shortcodes::roles_data(&project.roles, &mut slots);
            let data = slots.fill(data, &mut prose);
            prose.finish(PATH, &mut found.diags, &mut found.links);
            shortcodes::render_template(
                theme,
                "roles",
                Some(format!("Table {tables}")),
                "role-continuum",
                caption,
                data,
            )
            .map_err(|d| found.diags.push(d))
            .ok()
        })
        .flatten();

    let view = CompareView {
        page: PageMeta {
            current: PATH.to_string(),
            ..meta.meta(&title, root, sites.iter().any(|s| s.record.status == Status::Draft))
        },
        title,
        narrative_html,
        narrative_draft: meta.compare_narrative().is_some_and(|n| n.front.draft),
        sites: sites_phrase(sites.len()),
        rating_counts,
        attribute_summary,
        groups,
        delivery,
        matrix,
        attributes,
        roles_html,
    };
    files.push(page_file(theme, "compare.html", &view, PATH.to_string(), &mut found.diags));
    Rendered {
        files,
        search: super::SearchPage::pages_of(found.search),
        diags: found.diags,
        links: found.links,
        ..Rendered::default()
    }
}

/// Renders a page per group (or part of one) into `files` and returns the
/// overview's table of them.
fn render_groups(
    sites: &[&Site],
    meta: &Renderer,
    compare_title: &str,
    framework: Option<&SocialCapitalFramework>,
    number: String,
    files: &mut Vec<super::OutputFile>,
    found: &mut Found,
) -> GroupsBlock {
    let config = &meta.project.config.compare;
    let by = groups::resolve(config, sites);
    let groups = groups::group(sites, by, config.sites_per_page);
    let pages: Vec<(&groups::Group, &groups::GroupPage)> =
        groups.iter().flat_map(|g| g.pages.iter().map(move |p| (g, p))).collect();
    let link = |(group, page): (&groups::Group, &groups::GroupPage)| Link {
        title: if group.pages.len() > 1 { format!("{}: {}", group.name, page.range()) } else { group.name.clone() },
        href: format!("../{}", page.href()),
    };
    for (i, &(group, page)) in pages.iter().enumerate() {
        let path = format!("compare/{}", page.href());
        let in_group = if group.pages.len() > 1 {
            format!("{} of {} in {}", page.range(), thousands(group.size), group.name)
        } else {
            format!("{} in {}", sites_phrase(group.size), group.name)
        };
        let matrix = framework.map(|fw| {
            let caption = format!("{}: ratings per site, {}{}", fw.title, in_group[..1].to_lowercase(), &in_group[1..]);
            matrix_block(&page.sites, fw, "Table 1".to_string(), caption, None, "../")
        });
        let delivery = page.sites.iter().any(|s| s.record.delivery.is_some()).then(|| {
            let number = format!("Table {}", 1 + usize::from(matrix.is_some()));
            delivery_block(&page.sites, number, &path, "../", &meta.bibliography, found)
        });
        let title = format!("{compare_title}: {}", link((group, page)).title);
        let view = GroupView {
            page: meta.meta(&title, "../../", page.sites.iter().any(|s| s.record.status == Status::Draft)),
            compare_title: compare_title.to_string(),
            group: group.name.clone(),
            position: in_group,
            previous: i.checked_sub(1).map(|j| link(pages[j])),
            next: pages.get(i + 1).map(|&p| link(p)),
            matrix,
            delivery,
        };
        files.push(page_file(meta.theme, "compare_group.html", &view, path, &mut found.diags));
    }
    let mut finder: Vec<FinderEntry> = pages
        .iter()
        .flat_map(|&(group, page)| {
            let place = if group.pages.len() > 1 {
                format!("{}, {}", group.name, page.range().to_lowercase())
            } else {
                group.name.clone()
            };
            page.sites.iter().map(move |site| FinderEntry {
                id: row_anchor(site),
                site: site_label(site),
                href: format!("{}#{}", page.href(), row_anchor(site)),
                place: place.clone(),
            })
        })
        .collect();
    finder.sort_by_cached_key(|entry| (reading_order(&entry.site), entry.id.clone()));
    GroupsBlock {
        finder,
        number,
        field: groups::field_name(by).to_string(),
        field_title: groups::capitalised(groups::field_name(by)),
        count: format!("{} {}", thousands(groups.len()), if groups.len() == 1 { "group" } else { "groups" }),
        ratings: framework.is_some(),
        delivery: sites.iter().any(|s| s.record.delivery.is_some()),
        rows: groups
            .iter()
            .map(|g| GroupRow {
                name: g.name.clone(),
                sites: sites_phrase(g.size),
                pages: g.pages.iter().map(|p| Link { title: p.range(), href: p.href() }).collect(),
            })
            .collect(),
    }
}

/// The per-site ratings table of `sites`; `up` leads from the page to the
/// folder the site links start from ("" on the overview, "../" below it).
fn matrix_block(
    sites: &[&Site],
    framework: &SocialCapitalFramework,
    number: String,
    caption: String,
    svg: Option<String>,
    up: &str,
) -> MatrixBlock {
    let columns = framework
        .stages
        .iter()
        .map(|stage| StageColumn {
            n: stage.n.value,
            source: framework.source_of(stage.n.value).map(|s| s.label.clone()).unwrap_or_default(),
            question: stage.question.clone(),
        })
        .collect();
    let rows = sites
        .iter()
        .map(|site| MatrixRow {
            id: row_anchor(site),
            site: site_label(site),
            href: format!("{up}{}", site_href(site)),
            cells: site.record.social_capital.as_ref().map(|ratings| {
                framework
                    .stages
                    .iter()
                    .map(|stage| {
                        let entry = ratings.iter().find(|r| r.stage.value == stage.n.value);
                        let key = entry.map(|r| r.rating.value.clone()).unwrap_or_default();
                        let rating = framework.ratings.get(&key);
                        MatrixCell {
                            stage: stage.n.value,
                            label: rating.map(|r| r.label.clone()).unwrap_or_default(),
                            symbol: rating.map(|r| r.symbol.clone()).unwrap_or_default(),
                            illustrative: rating.is_some() && entry.is_some_and(|r| r.illustrative),
                            // A key the framework lacks reads "Not rated", as in the charts.
                            rating: if rating.is_some() { key } else { String::new() },
                        }
                    })
                    .collect()
            }),
        })
        .collect();
    MatrixBlock { number, caption, svg, columns, rows }
}

/// Small multiples of the attribute graphs on one scale.
fn attributes_block(sites: &[&Site], number: String) -> AttributesBlock {
    let axis_max = sites.iter().filter_map(|s| s.record.attributes.as_ref()).map(|a| a.n.value).max().unwrap_or(0);
    // One scale for every panel, so equal counts draw equal bars.
    let style = AttributesStyle { axis_max, compact: true };
    let mut panels = Vec::new();
    let mut not_reported = Vec::new();
    for site in sites {
        let label = site_label(site);
        let Some(attributes) = site.record.attributes.as_ref() else {
            not_reported.push(Link { title: label, href: site_href(site) });
            continue;
        };
        let title = format!("Attribute priorities at {label} (n = {})", attributes.n.value);
        let id = format!("compare-attributes-{}", site.record.id.value);
        let svg = charts::attributes::attributes_svg_styled(attributes, &title, &id, style);
        let rows = charts::attributes::sorted_items(attributes)
            .into_iter()
            .map(|(name, count)| AttributeRow { name: name.to_string(), count })
            .collect();
        panels.push(AttributesPanel {
            site: label,
            href: site_href(site),
            svg,
            illustrative: attributes.illustrative,
            rows,
            n: attributes.n.value,
        });
    }
    AttributesBlock {
        number,
        caption: format!("Attribute priorities by site, on one scale (0 to {axis_max} respondents)"),
        axis_max,
        panels,
        not_reported,
    }
}

/// The delivery table of `sites` on the page at `path`; `up` as for
/// [`matrix_block`].
fn delivery_block(
    sites: &[&Site],
    number: String,
    path: &str,
    up: &str,
    bibliography: &Bibliography,
    found: &mut Found,
) -> DeliveryBlock {
    let mut rows: Vec<DeliveryRow> = sites.iter().map(|s| delivery_row(s, path, up, bibliography, found)).collect();
    let stated: Vec<bool> = (0..DELIVERY_COLUMNS.len())
        .map(|i| rows.iter().filter_map(|row| row.cells.as_ref()).any(|cells| cells[i].reported))
        .collect();
    for cells in rows.iter_mut().filter_map(|row| row.cells.as_mut()) {
        let mut column = stated.iter();
        cells.retain(|_| column.next().copied().unwrap_or(false));
    }
    let columns =
        DELIVERY_COLUMNS.iter().zip(&stated).filter(|(_, stated)| **stated).map(|(label, _)| *label).collect();
    DeliveryBlock { number, columns, rows }
}

/// A site's row of the delivery table, its Markdown fields rendered with
/// citations as text (the page lists no references).
fn delivery_row(site: &Site, path: &str, up: &str, bibliography: &Bibliography, found: &mut Found) -> DeliveryRow {
    let mut prose = ProseRenderer::outside_report((&site.record_path, &site.record_text), bibliography);
    let cells = site.record.delivery.as_ref().map(|d| {
        let d = &d.value;
        let mut field = |value: &Option<Prose>| value.as_ref().map(|v| prose.render_inline_cell(v));
        let label = |text: &str| Some(crate::markdown::escape_html(text));
        vec![
            Cell::of(field(&d.role)),
            Cell::of(d.paid.and_then(|paid| label(Delivery::paid_label(paid)))),
            Cell::of(field(&d.training_provider)),
            Cell::of(field(&d.training)),
            Cell::of(d.accreditation.and_then(|a| label(a.label()))),
            Cell::of(field(&d.supervision)),
            Cell::of(field(&d.progression)),
        ]
    });
    prose.finish(path, &mut found.diags, &mut found.links);
    DeliveryRow { id: row_anchor(site), site: site_label(site), href: format!("{up}{}", site_href(site)), cells }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::templates::Theme;

    /// The overview's heading and sentence about its group pages, as the
    /// built-in theme writes them for a study with `ratings` and `delivery`.
    fn groups_said(ratings: bool, delivery: bool) -> String {
        let dir = tempfile::tempdir().unwrap();
        let theme = Theme::load(dir.path(), "default").unwrap();
        let page = PageMeta {
            title: "Comparison".to_string(),
            root: "../".to_string(),
            language: "en-GB".to_string(),
            series_title: "A study".to_string(),
            draft: false,
            nav_pages: Vec::new(),
            many_reports: true,
            current: PATH.to_string(),
        };
        let groups = GroupsBlock {
            number: "Table 1".to_string(),
            field: "region".to_string(),
            field_title: "Region".to_string(),
            count: "2 groups".to_string(),
            ratings,
            delivery,
            rows: Vec::new(),
            finder: Vec::new(),
        };
        let view = CompareView {
            page,
            title: "Comparison".to_string(),
            narrative_html: None,
            narrative_draft: false,
            sites: "15 sites".to_string(),
            rating_counts: None,
            attribute_summary: None,
            groups: Some(groups),
            delivery: None,
            matrix: None,
            attributes: None,
            roles_html: None,
        };
        let html = scraper::Html::parse_document(&theme.render_page("compare.html", &view).unwrap());
        let said = scraper::Selector::parse("#groups-heading, #groups-heading + p").unwrap();
        html.select(&said).map(|el| el.text().collect::<String>()).collect::<Vec<_>>().join(" / ")
    }

    /// Found by QA: a study without ratings was promised each site's
    /// ratings on group pages that hold its delivery models alone.
    #[test]
    fn the_overview_names_only_the_tables_its_group_pages_hold() {
        assert_eq!(
            groups_said(false, true),
            "Each site's delivery model, by region / Every site's delivery model is on the pages below: 2 groups by region."
        );
        assert_eq!(
            groups_said(true, false),
            "Each site's ratings, by region / Every site's rating at each stage is on the pages below: 2 groups by region."
        );
        assert_eq!(
            groups_said(true, true),
            "Each site's ratings and delivery model, by region / Every site's rating at each stage, and its delivery \
             model, are on the pages below: 2 groups by region."
        );
    }
}
