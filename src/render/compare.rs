//! The cross-site comparison page: generated from every published record,
//! with the optional narrative of `content/compare.md` above it. A block a
//! site does not report shows as "Not reported", never as an error, and
//! never as a default value.

use serde::Serialize;

use super::prose::ProseRenderer;
use super::shortcodes::{self, Env, Slots};
use super::views::PageMeta;
use super::{Bibliography, Rendered, Renderer, page_file, render_sections};
use crate::charts::{self, attributes::AttributesStyle};
use crate::diagnostics::Diagnostic;
use crate::links::AuthoredLink;
use crate::model::{Delivery, Project, Prose, Site, StageRating, Status};

pub const PATH: &str = "compare/index.html";

/// The words for a cell whose value the record does not state; the
/// templates' "Not reported" cells say the same.
const NOT_REPORTED: &str = "Not reported";

/// Whether the output gets a comparison page: only when it is not turned
/// off and at least two of `sites` have a block the page compares. The
/// page shows no profile table, so a profile alone is nothing to compare.
pub(super) fn wanted(project: &Project, sites: &[&Site]) -> bool {
    let comparable = |site: &&&Site| {
        let r = &site.record;
        r.delivery.is_some() || r.attributes.is_some() || r.social_capital.is_some()
    };
    project.config.compare.enabled && sites.iter().filter(comparable).count() >= 2
}

/// One row of the delivery-model table (Table 1 of the commissioning guidance).
#[derive(Serialize)]
struct DeliveryRow {
    site: String,
    href: String,
    /// The cells in column order; `None` when the record has no `delivery`.
    cells: Option<Vec<Cell>>,
}

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

/// One site's social-capital ratings, in the framework's stage order.
#[derive(Serialize)]
struct MatrixRow {
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
}

#[derive(Serialize)]
struct StageColumn {
    n: u32,
    source: String,
}

#[derive(Serialize)]
struct MatrixBlock {
    number: String,
    caption: String,
    svg: String,
    columns: Vec<StageColumn>,
    rows: Vec<MatrixRow>,
}

/// One small multiple of the attribute graphs.
#[derive(Serialize)]
struct AttributesPanel {
    site: String,
    href: String,
    /// `None` when the record has no `attributes`.
    svg: Option<String>,
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
    panels: Vec<AttributesPanel>,
}

#[derive(Serialize)]
struct CompareView {
    page: PageMeta,
    title: String,
    narrative_html: Option<String>,
    delivery_number: String,
    /// `None` when no site has a `delivery` block.
    delivery: Option<Vec<DeliveryRow>>,
    social_capital: Option<MatrixBlock>,
    attributes: Option<AttributesBlock>,
    roles_html: Option<String>,
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

fn site_href(site: &Site) -> String {
    format!("../sites/{}/index.html", site.record.id.value)
}

pub(super) fn render_compare(sites: &[&Site], meta: &Renderer) -> Rendered {
    let (project, theme) = (meta.project, meta.theme);
    let root = "../";
    let env = Env::without_site(project, theme, root, &meta.bibliography);
    let mut diags = Vec::new();
    let mut links = Vec::new();
    let (title, narrative_html) = match &project.compare {
        Some(narrative) => {
            let (rendered, found) = render_sections(&[narrative], &env, false);
            diags.extend(found);
            links = rendered.authored_links(PATH);
            (narrative.front.title.clone(), Some(rendered.into_html()))
        }
        None => (super::compare_title(project), None),
    };

    let mut figures = 0;
    let mut tables = 0;
    let delivery = sites.iter().any(|s| s.record.delivery.is_some()).then(|| {
        tables += 1;
        sites.iter().map(|s| delivery_row(s, &meta.bibliography, &mut diags, &mut links)).collect()
    });
    let delivery_number = format!("Table {tables}");

    let social_capital = project
        .frameworks
        .social_capital
        .as_ref()
        .filter(|_| sites.iter().any(|s| s.record.social_capital.is_some()))
        .map(|framework| {
            figures += 1;
            let columns = framework
                .stages
                .iter()
                .map(|stage| StageColumn {
                    n: stage.n.value,
                    source: framework
                        .sources
                        .iter()
                        .find(|s| s.stages.iter().any(|x| x.value == stage.n.value))
                        .map(|s| s.label.clone())
                        .unwrap_or_default(),
                })
                .collect();
            let rows = sites
                .iter()
                .map(|site| MatrixRow {
                    site: site_label(site),
                    href: site_href(site),
                    cells: site.record.social_capital.as_ref().map(|ratings| {
                        framework
                            .stages
                            .iter()
                            .map(|stage| {
                                let key = ratings
                                    .iter()
                                    .find(|r| r.stage.value == stage.n.value)
                                    .map(|r| r.rating.value.clone())
                                    .unwrap_or_default();
                                let rating = framework.ratings.get(&key);
                                MatrixCell {
                                    stage: stage.n.value,
                                    label: rating.map(|r| r.label.clone()).unwrap_or_default(),
                                    symbol: rating.map(|r| r.symbol.clone()).unwrap_or_default(),
                                    rating: key,
                                }
                            })
                            .collect()
                    }),
                })
                .collect();
            let caption = format!("{} across the sites", framework.title);
            let chart_rows: Vec<(String, Option<Vec<StageRating>>)> =
                sites.iter().map(|s| (site_label(s), s.record.social_capital.clone())).collect();
            let palette = project.config.charts.palette;
            let svg = charts::comparison::social_capital_comparison_svg(
                &chart_rows,
                framework,
                palette,
                &caption,
                "compare-social-capital",
            );
            MatrixBlock { number: format!("Figure {figures}"), caption, svg, columns, rows }
        });

    let attributes = sites.iter().any(|s| s.record.attributes.is_some()).then(|| {
        figures += 1;
        let axis_max = sites.iter().filter_map(|s| s.record.attributes.as_ref()).map(|a| a.n.value).max().unwrap_or(0);
        // One scale for every panel, so equal counts draw equal bars.
        let style = AttributesStyle { axis_max, compact: true };
        let panels = sites
            .iter()
            .map(|site| {
                let attributes = site.record.attributes.as_ref();
                let label = site_label(site);
                let svg = attributes.map(|a| {
                    let title = format!("Attribute priorities at {label} (n = {})", a.n.value);
                    let id = format!("compare-attributes-{}", site.record.id.value);
                    charts::attributes::attributes_svg_styled(a, &title, &id, style)
                });
                let rows = attributes
                    .map(charts::attributes::sorted_items)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(name, count)| AttributeRow { name: name.to_string(), count })
                    .collect();
                AttributesPanel {
                    site: label,
                    href: site_href(site),
                    svg,
                    illustrative: attributes.is_some_and(|a| a.illustrative),
                    rows,
                    n: attributes.map_or(0, |a| a.n.value),
                }
            })
            .collect();
        AttributesBlock {
            number: format!("Figure {figures}"),
            caption: format!("Attribute priorities by site, on one scale (0 to {axis_max} respondents)"),
            axis_max,
            panels,
        }
    });

    let roles_html = (!project.roles.is_empty())
        .then(|| {
            tables += 1;
            let caption = "The peer involvement role continuum across the sites";
            let mut prose = ProseRenderer::outside_report(&project.roles_path, &meta.bibliography);
            let mut slots = Slots::default();
            let data = shortcodes::roles_data(&project.roles, &mut slots);
            let data = slots.fill(data, &mut prose);
            prose.finish(PATH, &mut diags, &mut links);
            shortcodes::render_template(
                theme,
                "roles",
                Some(format!("Table {tables}")),
                "role-continuum",
                caption,
                data,
            )
            .map_err(|d| diags.push(d))
            .ok()
        })
        .flatten();

    let view = CompareView {
        page: meta.meta(&title, root, sites.iter().any(|s| s.record.status == Status::Draft)),
        title,
        narrative_html,
        delivery_number,
        delivery,
        social_capital,
        attributes,
        roles_html,
    };
    let file = page_file(theme, "compare.html", &view, PATH.to_string(), &mut diags);
    Rendered { files: file.into_iter().collect(), diags, links, ..Rendered::default() }
}

/// A site's row of the delivery table, its Markdown fields rendered with
/// citations as text (the page lists no references).
fn delivery_row(
    site: &Site,
    bibliography: &Bibliography,
    diags: &mut Vec<Diagnostic>,
    links: &mut Vec<AuthoredLink>,
) -> DeliveryRow {
    let mut prose = ProseRenderer::outside_report(&site.record_path, bibliography);
    let cells = site.record.delivery.as_ref().map(|d| {
        let d = &d.value;
        let mut field = |value: &Option<Prose>| value.as_ref().map(|v| prose.render_inline(v));
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
    prose.finish(PATH, diags, links);
    DeliveryRow { site: site_label(site), href: site_href(site), cells }
}
