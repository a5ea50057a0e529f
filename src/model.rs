//! The content contract (SCHEMA.md) as serde types. Parsing only: no I/O and
//! no cross-checks here; `load` reads files into these, `validate` checks them.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

/// `wingreport.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub title: String,
    /// Public address of the published output, for absolute sitemap entries.
    pub url: Option<String>,
    #[serde(default = "default_theme")]
    pub theme: String,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default)]
    pub build: BuildConfig,
    #[serde(default)]
    pub privacy: PrivacyConfig,
    #[serde(default)]
    pub charts: ChartsConfig,
}

fn default_theme() -> String {
    "default".to_string()
}

fn default_language() -> String {
    "en-GB".to_string()
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BuildConfig {
    #[serde(default)]
    pub drafts: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacyConfig {
    #[serde(default = "default_real_names")]
    pub real_names: String,
}

impl Default for PrivacyConfig {
    fn default() -> Self {
        PrivacyConfig { real_names: default_real_names() }
    }
}

fn default_real_names() -> String {
    "private/real-names.txt".to_string()
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ChartsConfig {
    #[serde(default)]
    pub palette: Palette,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Palette {
    #[default]
    TrafficLight,
    ColourBlind,
}

/// `content/series.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Series {
    pub title: String,
    pub subtitle: Option<String>,
    pub authors: Vec<String>,
    #[serde(deserialize_with = "crate::load::strict::year")]
    pub year: u32,
    pub summary: String,
    #[serde(default)]
    pub funders: Vec<String>,
    pub acknowledgements: Option<String>,
}

/// One entry of `content/references.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    pub key: Spanned<String>,
    pub authors: Vec<String>,
    pub year: String,
    pub title: String,
    pub publisher: Option<String>,
    pub container: Option<String>,
    pub volume: Option<String>,
    pub pages: Option<String>,
    #[serde(default, deserialize_with = "web_address")]
    pub url: Option<String>,
    pub doi: Option<String>,
}

/// Start of the error for a `url` that is not an http(s) address; `load`
/// adds the hint.
pub const NOT_A_WEB_ADDRESS: &str = "is not a web address";

/// A reference's `url` is printed as a link, so only an http(s) address
/// with a host gets through: `javascript:`, `file:` or a bare `www.` never
/// reach a reader.
fn web_address<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let Some(text) = Option::<String>::deserialize(deserializer)? else { return Ok(None) };
    let why = match url::Url::parse(&text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => return Ok(Some(text)),
        Ok(url) if matches!(url.scheme(), "http" | "https") => "it has no host".to_string(),
        Ok(url) => format!("its scheme is `{}:`, and only http and https are published", url.scheme()),
        Err(err) => err.to_string(),
    };
    Err(serde::de::Error::custom(format!("`{text}` {NOT_A_WEB_ADDRESS}: {why}")))
}

/// `content/frameworks.yaml`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Frameworks {
    pub social_capital: Option<SocialCapitalFramework>,
    pub ladder: Option<LadderFramework>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SocialCapitalFramework {
    pub title: String,
    pub sources: Vec<StageSource>,
    pub stages: Vec<Stage>,
    /// Ordered best to worst; keys are the rating names records use.
    pub ratings: IndexMap<String, Rating>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StageSource {
    pub id: String,
    pub label: String,
    pub stages: Vec<Spanned<u32>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    pub n: Spanned<u32>,
    pub question: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    pub label: String,
    pub colour: Spanned<String>,
    pub symbol: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LadderFramework {
    pub levels: Vec<LadderLevel>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LadderLevel {
    pub n: u32,
    pub name: String,
    pub description: String,
}

/// `content/sites/<id>/site.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteRecord {
    /// Slug `[a-z0-9-]+`; must equal the folder name under `content/sites/`.
    #[schemars(with = "String", regex(pattern = r"^[a-z0-9-]+$"))]
    pub id: Spanned<String>,
    /// Report title.
    pub title: String,
    /// Prison name, such as `HMP Drake Hall`.
    pub prison: String,
    /// Wing or unit name.
    pub wing: Option<String>,
    /// Authors' names, in order.
    pub authors: Vec<String>,
    /// Publication year.
    #[serde(deserialize_with = "crate::load::strict::year")]
    pub year: u32,
    /// `draft`, `review` or `published`; a draft never reaches `build` output (unless `--drafts`).
    pub status: Status,
    /// One paragraph for the series index card.
    pub summary: String,
    /// Order on the series index (then by title).
    #[serde(default, deserialize_with = "crate::load::strict::optional")]
    pub weight: Option<i64>,
    /// Rendered as the site profile table (`{{ profile() }}`).
    pub profile: Profile,
    /// One row of the cross-site delivery-model table (`{{ delivery() }}`).
    pub delivery: Delivery,
    /// The activity programme (`{{ phases() }}`).
    pub phases: Option<Vec<Phase>>,
    /// Who took part: `label: count` pairs, shown on the cover.
    #[serde(default, deserialize_with = "crate::load::strict::optional_map")]
    pub sample: Option<IndexMap<String, u64>>,
    /// Drives the attribute-priority chart (`{{ attributes_chart() }}`).
    pub attributes: Option<Attributes>,
    /// Exactly one entry per stage of `frameworks.yaml` (`{{ social_capital() }}`).
    pub social_capital: Option<Vec<StageRating>>,
    /// Service-user involvement ladder levels (`{{ ladder() }}`).
    pub ladder: Option<Ladder>,
    /// The site's peer involvement roles (`{{ roles() }}`).
    pub roles: Option<Vec<Role>>,
    /// Named ordered lists: enablers, barriers, aspirations, lessons... (`{{ list(key="...") }}`).
    pub lists: Option<IndexMap<String, NamedList>>,
    /// Any other table (`{{ table(key="...") }}`).
    pub tables: Option<IndexMap<String, ExtraTable>>,
    /// Recommendations, grouped under headings (`{{ recommendations() }}`).
    pub recommendations: Option<Vec<Recommendation>>,
    /// Pseudonymised quotations, cited from the narrative (`{{ quote(id="...") }}`).
    pub quotes: Option<Vec<Quote>>,
}

/// Publication status of a site report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Draft,
    Review,
    Published,
}

impl Status {
    /// The value as written in records, also used as a CSS class.
    pub fn key(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Review => "review",
            Status::Published => "published",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "Draft",
            Status::Review => "In review",
            Status::Published => "Published",
        }
    }
}

/// The site profile table.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Prison category and function.
    pub category: String,
    /// Who lives there, such as `"Mixed: short and intermediate sentences, and lifers"`.
    pub resident_profile: String,
    /// `male`, `female` or `mixed`.
    pub estate: Estate,
    /// Region, such as `West Midlands`.
    pub region: Option<String>,
    /// Number of residents: a whole number of 0 or more.
    #[serde(default, deserialize_with = "crate::load::strict::optional")]
    pub population: Option<u32>,
    /// More `label: value` rows for the profile table.
    #[schemars(with = "Option<IndexMap<String, crate::schema::Text>>")]
    pub extra: Option<IndexMap<String, String>>,
}

/// The estate a prison belongs to.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Estate {
    Male,
    Female,
    Mixed,
}

impl Estate {
    pub fn label(self) -> &'static str {
        match self {
            Estate::Male => "Male",
            Estate::Female => "Female",
            Estate::Mixed => "Mixed",
        }
    }
}

/// One row of the cross-site delivery-model table.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    /// Name of the peer role, such as `Peer mentor`.
    pub role: String,
    /// Whether the role is paid: `true` or `false`.
    #[serde(deserialize_with = "crate::load::strict::value")]
    pub paid: bool,
    /// Who delivers the training.
    pub training_provider: String,
    /// The training or qualification.
    pub training: String,
    /// `accredited-l1`, `accredited-l2`, `accredited-l3`, `unaccredited`, or
    /// `mixed` when the roles a study covers differ.
    pub accreditation: Accreditation,
    /// How peers are supervised.
    pub supervision: String,
    /// Progression routes for peers.
    pub progression: String,
}

/// Accreditation level of the peer training.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Accreditation {
    AccreditedL1,
    AccreditedL2,
    AccreditedL3,
    Unaccredited,
    // Some of the roles covered are accredited and some are not (a plain
    // comment: a doc comment would turn the schema's `enum` into `oneOf`).
    Mixed,
}

impl Accreditation {
    pub fn label(self) -> &'static str {
        match self {
            Accreditation::AccreditedL1 => "Accredited, Level 1",
            Accreditation::AccreditedL2 => "Accredited, Level 2",
            Accreditation::AccreditedL3 => "Accredited, Level 3",
            Accreditation::Unaccredited => "Not accredited",
            Accreditation::Mixed => "Mixed: some roles accredited, some not",
        }
    }
}

/// One phase of the activity programme.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// Name of the phase.
    pub name: String,
    /// Length in weeks.
    #[serde(default, deserialize_with = "crate::load::strict::optional")]
    pub weeks: Option<u32>,
    /// Where it takes place.
    pub location: Option<String>,
    /// Cohort size, as text such as `"8-10"`.
    #[schemars(with = "Option<crate::schema::Text>")]
    pub cohort: Option<String>,
}

/// Numbers behind the attribute-priority graph.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Attributes {
    /// Number of respondents; every count must be at most `n`.
    #[schemars(with = "u32")]
    #[serde(deserialize_with = "crate::load::strict::spanned")]
    pub n: Spanned<u32>,
    /// Where the numbers come from, such as `interviews`.
    pub source: String,
    /// `true` when the numbers are not study data: the page and the chart say so visibly.
    #[serde(default, deserialize_with = "crate::load::strict::value")]
    pub illustrative: bool,
    /// In any order; the chart sorts by count, descending, ties keeping the author's order.
    pub items: Vec<AttributeItem>,
}

/// One attribute and how many respondents named it.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributeItem {
    /// The attribute, such as `Approachable`.
    pub name: String,
    /// Respondents naming it: at most `n`.
    #[schemars(with = "u32")]
    #[serde(deserialize_with = "crate::load::strict::spanned")]
    pub count: Spanned<u32>,
}

/// The rating of one stage of the social capital framework.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StageRating {
    /// Stage number, as defined in `frameworks.yaml`.
    #[schemars(with = "u32")]
    #[serde(deserialize_with = "crate::load::strict::spanned")]
    pub stage: Spanned<u32>,
    /// A key of `social_capital.ratings` in `frameworks.yaml`, such as `green`, `amber` or `red`.
    #[schemars(with = "String")]
    pub rating: Spanned<String>,
    /// The evidence for the rating.
    pub evidence: String,
}

/// Service-user involvement ladder levels.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ladder {
    /// Current level, as defined under `ladder: levels` in `frameworks.yaml`.
    #[schemars(with = "u32")]
    #[serde(deserialize_with = "crate::load::strict::spanned")]
    pub current: Spanned<u32>,
    /// Target level, as defined under `ladder: levels` in `frameworks.yaml`.
    #[schemars(with = "u32")]
    #[serde(deserialize_with = "crate::load::strict::spanned")]
    pub target: Spanned<u32>,
    /// A note shown with the ladder.
    pub note: Option<String>,
}

/// One peer involvement role.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Name of the role, such as `Induction orderly`.
    pub title: String,
    /// `true`, `false` or a text such as `"Unpaid (part of Purple band role)"`.
    pub paid: Paid,
    /// Levels of confidentiality and responsibility: `low`, `medium`, `high` or `low-high`.
    pub lcr: Option<Lcr>,
    /// Free text cell: induction.
    #[schemars(with = "Option<crate::schema::Text>")]
    pub induction: Option<String>,
    /// Free text cell: single issue.
    #[schemars(with = "Option<crate::schema::Text>")]
    pub single_issue: Option<String>,
    /// Free text cell: bridging.
    #[schemars(with = "Option<crate::schema::Text>")]
    pub bridging: Option<String>,
    /// Free text cell: representation.
    #[schemars(with = "Option<crate::schema::Text>")]
    pub representation: Option<String>,
}

/// `paid: true | false | "Unpaid (part of Purple band role)"`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Paid {
    Flag(bool),
    Text(String),
}

impl Paid {
    pub fn label(&self) -> String {
        match self {
            Paid::Flag(true) => "Paid".to_string(),
            Paid::Flag(false) => "Unpaid".to_string(),
            Paid::Text(t) => t.clone(),
        }
    }
}

/// Levels of confidentiality and responsibility of a role.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Lcr {
    Low,
    Medium,
    High,
    LowHigh,
}

impl Lcr {
    pub fn label(self) -> &'static str {
        match self {
            Lcr::Low => "Low",
            Lcr::Medium => "Medium",
            Lcr::High => "High",
            Lcr::LowHigh => "Low to high",
        }
    }
}

/// A named list.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NamedList {
    /// Heading of the list.
    pub title: String,
    /// `true` = numbered in priority order.
    #[serde(default, deserialize_with = "crate::load::strict::value")]
    pub ordered: bool,
    /// The entries, in order.
    pub items: Vec<ListItem>,
}

/// One entry of a named list.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListItem {
    /// The entry.
    pub text: String,
    /// More detail, shown after the entry.
    pub detail: Option<String>,
}

/// A named table.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtraTable {
    /// Caption, after "Table N:".
    pub caption: String,
    /// Column headings.
    #[schemars(with = "Vec<crate::schema::Text>")]
    pub columns: Vec<String>,
    /// Rows of cells; every row has one cell per column.
    #[schemars(with = "Vec<Vec<crate::schema::Text>>")]
    pub rows: Vec<Spanned<Vec<String>>>,
}

/// A group of recommendations.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Recommendation {
    /// Heading of the group.
    pub heading: String,
    /// The recommendations, in order.
    pub items: Vec<String>,
}

/// A pseudonymised quotation.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Quote {
    /// Unique within the site; cited as `{{ quote(id="...") }}`.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// A pseudonym, checked against the real-names deny-list; left out when
    /// a study attributes quotations by role only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    /// The speaker's role, such as `Custody case manager`.
    pub role: String,
    /// `interview`, `focus-group`, `workshop`, `observation` or `written`.
    pub method: Method,
    /// The quotation.
    pub text: String,
}

/// How a quotation was collected.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    Interview,
    FocusGroup,
    Workshop,
    Observation,
    Written,
}

impl Method {
    pub fn label(self) -> &'static str {
        match self {
            Method::Interview => "interview",
            Method::FocusGroup => "focus group",
            Method::Workshop => "workshop",
            Method::Observation => "observation",
            Method::Written => "written response",
        }
    }
}

/// Front matter of a narrative Markdown file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: String,
    #[serde(default)]
    pub weight: i64,
    #[serde(default = "yes")]
    pub numbered: bool,
    #[serde(default)]
    pub appendix: bool,
    #[serde(default)]
    pub draft: bool,
}

fn yes() -> bool {
    true
}

/// A Markdown file with its front matter split off.
#[derive(Debug, Clone)]
pub struct Narrative {
    /// Path relative to the project root, for diagnostics.
    pub path: String,
    /// File stem, used for ordering ties and page slugs.
    pub stem: String,
    pub front: FrontMatter,
    pub body: String,
    /// 1-based line of the file on which `body` starts.
    pub body_line: usize,
}

/// A site folder: its record and its narrative files in reading order.
#[derive(Debug, Clone)]
pub struct Site {
    /// Name of the folder under `content/sites/`, which `id` must equal.
    pub folder: String,
    pub record: SiteRecord,
    pub record_path: String,
    pub narrative: Vec<Narrative>,
}

/// Everything `load` read: the typed model the later stages work from.
#[derive(Debug, Clone)]
pub struct Project {
    pub root: std::path::PathBuf,
    pub config: Config,
    pub series: Series,
    pub frameworks: Frameworks,
    pub frameworks_path: String,
    pub references: Vec<Reference>,
    pub references_path: String,
    pub roles: Vec<Role>,
    pub index: Option<Narrative>,
    pub compare: Option<Narrative>,
    pub pages: Vec<Narrative>,
    pub sites: Vec<Site>,
}
