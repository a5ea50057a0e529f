//! The content contract (SCHEMA.md) as serde types. Parsing only: no I/O and
//! no cross-checks here; `load` reads files into these, `validate` checks them.

use indexmap::IndexMap;
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
    pub url: Option<String>,
    pub doi: Option<String>,
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
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiteRecord {
    pub id: Spanned<String>,
    pub title: String,
    pub prison: String,
    pub wing: Option<String>,
    pub authors: Vec<String>,
    pub year: u32,
    pub status: Status,
    pub summary: String,
    pub weight: Option<i64>,
    pub profile: Profile,
    pub delivery: Delivery,
    pub phases: Option<Vec<Phase>>,
    pub sample: Option<IndexMap<String, u64>>,
    pub attributes: Option<Attributes>,
    pub social_capital: Option<Vec<StageRating>>,
    pub ladder: Option<Ladder>,
    pub roles: Option<Vec<Role>>,
    pub lists: Option<IndexMap<String, NamedList>>,
    pub tables: Option<IndexMap<String, ExtraTable>>,
    pub recommendations: Option<Vec<Recommendation>>,
    pub quotes: Option<Vec<Quote>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Draft,
    Review,
    Published,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "Draft",
            Status::Review => "In review",
            Status::Published => "Published",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub category: String,
    pub resident_profile: String,
    pub estate: Estate,
    pub region: Option<String>,
    pub population: Option<u32>,
    pub extra: Option<IndexMap<String, String>>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
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

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    pub role: String,
    pub paid: bool,
    pub training_provider: String,
    pub training: String,
    pub accreditation: Accreditation,
    pub supervision: String,
    pub progression: String,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Accreditation {
    AccreditedL1,
    AccreditedL2,
    AccreditedL3,
    Unaccredited,
}

impl Accreditation {
    pub fn label(self) -> &'static str {
        match self {
            Accreditation::AccreditedL1 => "Accredited, Level 1",
            Accreditation::AccreditedL2 => "Accredited, Level 2",
            Accreditation::AccreditedL3 => "Accredited, Level 3",
            Accreditation::Unaccredited => "Not accredited",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    pub name: String,
    pub weeks: Option<u32>,
    pub location: Option<String>,
    pub cohort: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Attributes {
    pub n: Spanned<u32>,
    pub source: String,
    #[serde(default)]
    pub illustrative: bool,
    pub items: Vec<AttributeItem>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeItem {
    pub name: String,
    pub count: Spanned<u32>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StageRating {
    pub stage: Spanned<u32>,
    pub rating: Spanned<String>,
    pub evidence: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Ladder {
    pub current: Spanned<u32>,
    pub target: Spanned<u32>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub title: String,
    pub paid: Paid,
    pub lcr: Option<Lcr>,
    pub induction: Option<String>,
    pub single_issue: Option<String>,
    pub bridging: Option<String>,
    pub representation: Option<String>,
}

/// `paid: true | false | "Unpaid (part of Purple band role)"`.
#[derive(Debug, Clone, Deserialize, Serialize)]
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

#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
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

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NamedList {
    pub title: String,
    #[serde(default)]
    pub ordered: bool,
    pub items: Vec<ListItem>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ListItem {
    pub text: String,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraTable {
    pub caption: String,
    pub columns: Vec<String>,
    pub rows: Vec<Spanned<Vec<String>>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Recommendation {
    pub heading: String,
    pub items: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Quote {
    pub id: Spanned<String>,
    pub speaker: String,
    pub role: String,
    pub method: Method,
    pub text: String,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
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
