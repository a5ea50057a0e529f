//! The content contract (SCHEMA.md) as serde types. Parsing only: no I/O and
//! no cross-checks here; `load` reads files into these, `validate` checks them.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

mod spanned;
pub use spanned::{Position, Spanned};

/// `wingreport.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The site's name in the top bar, the footer and each cover's series
    /// line, when it should differ from `series.yaml`'s title.
    #[serde(default, deserialize_with = "site_name")]
    pub title: Option<String>,
    /// Public address of the published output, for absolute sitemap entries
    /// and the folder `404.html`'s links start from.
    #[serde(default, deserialize_with = "public_url")]
    pub url: Option<String>,
    #[serde(default = "default_theme", deserialize_with = "theme_name")]
    pub theme: String,
    /// A BCP 47 language tag, such as `en-GB`: every page's `lang`.
    #[serde(default = "default_language", deserialize_with = "crate::load::language::tag")]
    pub language: String,
    #[serde(default)]
    pub build: BuildConfig,
    #[serde(default)]
    pub privacy: PrivacyConfig,
    #[serde(default)]
    pub charts: ChartsConfig,
    #[serde(default)]
    pub numbering: NumberingConfig,
    #[serde(default)]
    pub compare: CompareConfig,
}

/// A `title` written in wingreport.toml must say something: a blank one
/// was published as an empty top-bar link and a footer starting ". ".
fn site_name<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let title = String::deserialize(deserializer)?;
    if crate::diagnostics::shows_nothing(&title) {
        // The hint follows a line break (see `load::read_config`).
        Err(serde::de::Error::custom(
            "this title is empty\nwrite the site's name, or leave `title` out to show the title of series.yaml",
        ))
    } else {
        Ok(Some(title))
    }
}

/// A `theme` written in wingreport.toml must name one: a blank one built
/// with the built-in theme in silence, where a blank title is an error.
fn theme_name<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let name = String::deserialize(deserializer)?;
    if crate::diagnostics::shows_nothing(&name) {
        // The hint follows a line break (see `load::read_config`).
        Err(serde::de::Error::custom(
            "this theme name is empty\nwrite the name of a folder of themes/ (`theme = \"acme\"` for \
             themes/acme/), or leave `theme` out for the built-in theme",
        ))
    } else {
        Ok(name)
    }
}

fn default_theme() -> String {
    "default".to_string()
}

fn default_language() -> String {
    "en-GB".to_string()
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BuildConfig {
    #[serde(default)]
    pub drafts: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
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

/// Where the real-names list is unless `[privacy] real_names` says otherwise.
pub const DEFAULT_REAL_NAMES: &str = "private/real-names.txt";

fn default_real_names() -> String {
    DEFAULT_REAL_NAMES.to_string()
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
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

/// `[numbering]`: how tables, figures and appendices are numbered.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NumberingConfig {
    #[serde(default)]
    pub tables: NumberingScope,
    #[serde(default)]
    pub figures: NumberingScope,
    /// The word before an appendix's letter or number: "Appendix A", "Annex A".
    #[serde(default = "default_appendix_label", deserialize_with = "appendix_label")]
    pub appendix_label: String,
    #[serde(default)]
    pub appendix_style: AppendixStyle,
}

impl Default for NumberingConfig {
    fn default() -> Self {
        NumberingConfig {
            tables: NumberingScope::default(),
            figures: NumberingScope::default(),
            appendix_label: default_appendix_label(),
            appendix_style: AppendixStyle::default(),
        }
    }
}

fn default_appendix_label() -> String {
    "Appendix".to_string()
}

/// The label is printed before every appendix number, so it may not be blank.
fn appendix_label<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let label = String::deserialize(deserializer)?;
    if crate::diagnostics::shows_nothing(&label) {
        return Err(serde::de::Error::custom(
            "`appendix_label` is empty; write the word printed before each appendix's number, such as \"Appendix\" or \"Annex\"",
        ));
    }
    Ok(label.trim().to_string())
}

/// Where table or figure numbers restart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NumberingScope {
    /// In each section: Table 1.1, 1.2, 2.1, A.1.
    #[default]
    Section,
    /// Once, across the whole report with its appendices: Table 1, 2, 3.
    Report,
}

/// How appendices are counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppendixStyle {
    /// Appendix A, B... Z, AA.
    #[default]
    Letter,
    /// Appendix 1, 2, 3.
    Number,
}

/// `[compare]`: the cross-site comparison page.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CompareConfig {
    /// `false` leaves the page out even when sites have blocks to compare.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// The profile field that groups the per-site tables onto pages of
    /// their own once the comparison is too long for one page; unset means
    /// `region` when a record gives one, else `none`.
    #[serde(default)]
    pub group_by: Option<GroupBy>,
    /// Most sites on one page of the per-site tables; a longer group is
    /// split over several pages.
    #[serde(default = "default_sites_per_page", deserialize_with = "sites_per_page")]
    pub sites_per_page: usize,
}

impl Default for CompareConfig {
    fn default() -> Self {
        CompareConfig { enabled: true, group_by: None, sites_per_page: default_sites_per_page() }
    }
}

/// Long enough to scan, short enough that a page of rows stays small (about
/// 50 KB at six stages and a delivery row each).
fn default_sites_per_page() -> usize {
    50
}

fn sites_per_page<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<usize, D::Error> {
    let n = i64::deserialize(deserializer)?;
    if !(1..=10_000).contains(&n) {
        return Err(serde::de::Error::custom(format!(
            "`sites_per_page` is {n}; write a whole number from 1 to 10000, such as 50"
        )));
    }
    Ok(n as usize)
}

/// A profile field of the site records that groups the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GroupBy {
    /// `profile.region`.
    Region,
    /// `profile.estate`.
    Estate,
    /// `profile.category`.
    Category,
    /// No field: pages of `sites_per_page` sites in index order.
    None,
}

/// `content/series.yaml`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Series {
    #[serde(deserialize_with = "crate::load::strict::text")]
    pub title: String,
    pub subtitle: Option<String>,
    #[serde(deserialize_with = "crate::load::strict::names")]
    pub authors: Vec<String>,
    #[serde(deserialize_with = "crate::load::strict::year")]
    pub year: u32,
    #[serde(deserialize_with = "crate::load::strict::prose")]
    pub summary: Prose,
    #[serde(default)]
    pub funders: Vec<String>,
    pub acknowledgements: Option<Prose>,
}

/// One entry of `content/references.yaml`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    pub key: Spanned<String>,
    pub authors: Vec<String>,
    #[serde(deserialize_with = "publication_year")]
    pub year: String,
    /// Left out when the source that cites the work does not give it.
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub container: Option<String>,
    pub volume: Option<String>,
    pub pages: Option<String>,
    #[serde(default, deserialize_with = "web_address")]
    pub url: Option<String>,
    pub doi: Option<String>,
}

/// `wingreport.toml`'s `url`: where readers' browsers open the output, an
/// http(s) address of a folder. A query or fragment would end up inside
/// every sitemap entry, and a bare path gives no sitemap a host.
fn public_url<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let Some(text) = Option::<String>::deserialize(deserializer)? else { return Ok(None) };
    let why = match url::Url::parse(&text) {
        Ok(url) if !matches!(url.scheme(), "http" | "https") => {
            format!("its scheme is `{}:`; readers open the reports over http or https", url.scheme())
        }
        Ok(url) if url.host().is_none() => "it has no host".to_string(),
        Ok(url) if url.query().is_some() || url.fragment().is_some() => {
            "it has a `?` query or a `#` fragment, which would end up inside every address".to_string()
        }
        Ok(_) => return Ok(Some(text)),
        Err(url::ParseError::RelativeUrlWithoutBase) => "it has no `http://` or `https://` and host".to_string(),
        Err(err) => err.to_string(),
    };
    Err(serde::de::Error::custom(format!("`url = \"{text}\"` {NOT_A_PUBLIC_ADDRESS}: {why}")))
}

/// Middle of the error for a `url` that is not one; `load` adds the hint.
pub const NOT_A_PUBLIC_ADDRESS: &str = "is not the reports' public address";

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

/// Start of the error for a `year` that is not one; `load` adds the hint.
pub const NOT_A_YEAR: &str = "is not a year of publication";

/// A reference's `year` is printed and sorted on: four digits, with a
/// letter when the author already tells works of one year apart,
/// `forthcoming`, or `n.d.` for a work that gives no date (a web page):
/// a year is never to be made up.
fn publication_year<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let text = String::deserialize(deserializer)?;
    let digits = text.trim_end_matches(|c: char| c.is_ascii_lowercase());
    let year = digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()) && text.len() <= 5;
    if year || text == "forthcoming" || text == "n.d." {
        return Ok(text);
    }
    Err(serde::de::Error::custom(format!("`{text}` {NOT_A_YEAR}")))
}

/// `content/frameworks.yaml`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Frameworks {
    pub social_capital: Option<SocialCapitalFramework>,
    pub ladder: Option<LadderFramework>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SocialCapitalFramework {
    pub title: String,
    pub sources: Vec<StageSource>,
    pub stages: Vec<Stage>,
    /// Ordered best to worst; keys are the rating names records use.
    pub ratings: IndexMap<String, Rating>,
}

impl SocialCapitalFramework {
    /// The source that lists stage `n`, if any does.
    pub fn source_of(&self, n: u32) -> Option<&StageSource> {
        self.sources.iter().find(|s| s.stages.iter().any(|x| x.value == n))
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StageSource {
    pub id: String,
    pub label: String,
    pub stages: Vec<Spanned<u32>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    pub n: Spanned<u32>,
    pub question: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    pub label: String,
    pub colour: Spanned<String>,
    pub symbol: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LadderFramework {
    pub levels: Vec<LadderLevel>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LadderLevel {
    pub n: u32,
    pub name: String,
    pub description: String,
}

/// `content/sites/<id>/site.yaml`. Only `id`, `title`, `authors`, `year`,
/// `status` and `summary` are required: a study states what it found and
/// nothing is filled in for it.
// Keys added after the first contract are left out of `site.json` when
// absent (rather than written as `null`), so existing downloads keep their shape.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteRecord {
    /// Slug `[a-z0-9-]+`; must equal the folder name under `content/sites/`.
    #[schemars(with = "String", regex(pattern = r"^[a-z0-9-]+$"))]
    pub id: Spanned<String>,
    /// Report title.
    #[serde(deserialize_with = "crate::load::strict::text")]
    #[schemars(regex(pattern = r"\S"))]
    pub title: String,
    /// A line under the title on the cover.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// Prison name, such as `HMP Drake Hall`, when the report is about one prison.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prison: Option<String>,
    /// Where the study took place, in words, such as `Five men's prisons in England`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setting: Option<String>,
    /// Wing or unit name.
    pub wing: Option<String>,
    /// Authors' names, in order.
    #[serde(deserialize_with = "crate::load::strict::names")]
    #[schemars(length(min = 1), inner(regex(pattern = r"\S")))]
    pub authors: Vec<String>,
    /// Publication year.
    #[serde(deserialize_with = "crate::load::strict::year")]
    #[schemars(range(min = 1000, max = 9999))]
    pub year: u32,
    /// `draft`, `review` or `published`; a draft never reaches `build` output (unless `--drafts`).
    pub status: Status,
    /// One paragraph for the series index card.
    #[serde(deserialize_with = "crate::load::strict::prose")]
    pub summary: Prose,
    /// Who published the report, such as `Ministry of Justice`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// ISBN-10 or ISBN-13, hyphens or spaces allowed, such as `978-0-306-40615-7`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>", regex(pattern = r"^[0-9Xx -]+$"))]
    pub isbn: Option<Spanned<String>>,
    /// DOI without the address, starting `10.`, such as `10.1234/abcd`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>", regex(pattern = r"^10\."))]
    pub doi: Option<Spanned<String>>,
    /// Licence of the report, such as `Open Government Licence v3.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence: Option<Prose>,
    /// Markdown shown on the cover, such as "The views expressed are the authors' own".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclaimer: Option<Prose>,
    /// Order on the series index (then by title): any number, as a
    /// section's; a report without one comes after those with one.
    #[serde(default, deserialize_with = "site_weight")]
    pub weight: Option<f64>,
    /// Rendered as the site profile table (`{{ profile() }}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Profile>")]
    pub profile: Option<Spanned<Profile>>,
    /// One row of the cross-site delivery-model table (`{{ delivery() }}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Delivery>")]
    pub delivery: Option<Spanned<Delivery>>,
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

impl SiteRecord {
    /// Where the report is, in the record's own words: the prison, else the
    /// setting, else the title, so a caption or label never names a place
    /// the record does not.
    pub fn place(&self) -> &str {
        self.prison.as_deref().or(self.setting.as_deref()).unwrap_or(&self.title)
    }

    /// A report's place on the series index and the comparison: by
    /// `weight`, then title as an A to Z list reads it (see
    /// [`reading_order`]; "Site 2" before "Site 10"), the title as written
    /// telling apart two that read the same. A report without a weight
    /// comes after those with one: counted as 0, a report added later
    /// would jump ahead of the weighted ones.
    pub fn index_key(&self) -> (bool, Weight, Vec<(String, u128)>, String) {
        self.key_by(&self.title)
    }

    /// A report's place in a list whose entries are headed by `shown` (its
    /// title, or on the comparison its place): weight first, as
    /// [`SiteRecord::index_key`] says, then `shown` as an A to Z list reads it.
    pub fn key_by(&self, shown: &str) -> (bool, Weight, Vec<(String, u128)>, String) {
        let (none, weight) = Weight::key(self.weight);
        (none, weight, reading_order(shown), self.title.clone())
    }

    /// Index order (see [`SiteRecord::index_key`]).
    pub fn index_order(&self, other: &SiteRecord) -> std::cmp::Ordering {
        self.index_key().cmp(&other.index_key())
    }
}

/// A name's place in an A to Z list as a reader expects it: letters
/// without regard to case or accents, numbers by value ("Bench 9" before
/// "Bench 10").
pub fn reading_order(name: &str) -> Vec<(String, u128)> {
    let folded = crate::search::fold(name);
    let mut key: Vec<(String, u128)> = Vec::new();
    let mut rest = folded.as_str();
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let (part, after) = if digits > 0 {
            let value = rest[..digits].parse().unwrap_or(u128::MAX);
            ((String::new(), value), &rest[digits..])
        } else {
            let letters = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
            ((rest[..letters].to_string(), 0), &rest[letters..])
        };
        key.push(part);
        rest = after;
    }
    key
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

/// Free text that takes inline Markdown (emphasis, links, citations,
/// cross-references), kept with where it was written so a mistake in it is
/// reported at its YAML line. Templates see the text as written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct Prose(pub Spanned<String>);

impl Prose {
    pub fn as_str(&self) -> &str {
        &self.0.value
    }
}

impl std::ops::Deref for Prose {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0.value
    }
}

impl Serialize for Prose {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl JsonSchema for Prose {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Markdown".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Text with inline Markdown: *emphasis*, [links](https://...), citations [@key] and cross-references @sec-...",
            "type": "string",
        })
    }
}

/// One cell of a named table: a text, or a list of texts shown as a
/// bulleted list in the cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(Prose),
    List(Vec<Prose>),
}

/// A cell as the build cache keeps it, saying which kind it is: in YAML
/// and templates, the shape of the value says it.
#[derive(Deserialize)]
enum KeptCell {
    Text(Prose),
    List(Vec<Prose>),
}

impl Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match (self, serializer.is_human_readable()) {
            (Cell::Text(text), true) => text.serialize(serializer),
            (Cell::List(items), true) => items.serialize(serializer),
            (Cell::Text(text), false) => serializer.serialize_newtype_variant("KeptCell", 0, "Text", text),
            (Cell::List(items), false) => serializer.serialize_newtype_variant("KeptCell", 1, "List", items),
        }
    }
}

impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if !deserializer.is_human_readable() {
            return Ok(match KeptCell::deserialize(deserializer)? {
                KeptCell::Text(text) => Cell::Text(text),
                KeptCell::List(items) => Cell::List(items),
            });
        }
        let spanned = Spanned::<CellShape>::deserialize(deserializer)?;
        Ok(match spanned.value {
            CellShape::Text(text) => Cell::Text(Prose(Spanned { value: text, referenced: spanned.referenced })),
            CellShape::List(items) => Cell::List(items),
        })
    }
}

impl JsonSchema for Cell {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Cell".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let text = generator.subschema_for::<Prose>();
        schemars::json_schema!({
            "description": "A text with inline Markdown, or a list of texts shown as a bulleted list in the cell.",
            "anyOf": [text, {"type": "array", "items": text}],
        })
    }
}

/// A cell as written, before its text is given the cell's position. Not
/// `#[serde(untagged)]`: that buffers the value, losing the positions of
/// list items and the reading of a bare `39` as the text "39".
enum CellShape {
    Text(String),
    List(Vec<Prose>),
}

impl<'de> Deserialize<'de> for CellShape {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CellVisitor)
    }
}

struct CellVisitor;

impl<'de> serde::de::Visitor<'de> for CellVisitor {
    type Value = CellShape;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a text, or a list of texts")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<CellShape, E> {
        Ok(CellShape::Text(v.to_string()))
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<CellShape, E> {
        Ok(CellShape::Text(v.to_string()))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<CellShape, E> {
        Ok(CellShape::Text(v.to_string()))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<CellShape, E> {
        Ok(CellShape::Text(v.to_string()))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<CellShape, E> {
        Ok(CellShape::Text(v.to_string()))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<CellShape, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Prose>()? {
            items.push(item);
        }
        Ok(CellShape::List(items))
    }
}

/// The site profile table: every field optional, and a table shows only
/// the rows the record states.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Prison category and function.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Prose>,
    /// Who lives there, such as `"Mixed: short and intermediate sentences, and lifers"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resident_profile: Option<Prose>,
    /// `male`, `female` or `mixed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estate: Option<Estate>,
    /// Region, such as `West Midlands`.
    pub region: Option<Prose>,
    /// Number of residents: a whole number of 0 or more.
    #[serde(default, deserialize_with = "crate::load::strict::optional")]
    pub population: Option<u32>,
    /// More `label: value` rows for the profile table.
    pub extra: Option<IndexMap<String, Prose>>,
}

impl Profile {
    /// True when the block states no value at all.
    pub fn is_empty(&self) -> bool {
        self.category.is_none()
            && self.resident_profile.is_none()
            && self.estate.is_none()
            && self.region.is_none()
            && self.population.is_none()
            && self.extra.as_ref().is_none_or(IndexMap::is_empty)
    }
}

/// The estate a prison belongs to.
#[derive(Debug, Clone, PartialEq, Copy, Deserialize, Serialize, JsonSchema)]
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

/// One row of the cross-site delivery-model table: every field optional;
/// the comparison shows "Not reported" for what a record leaves out.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    /// Name of the peer role, such as `Peer mentor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Prose>,
    /// Whether the role is paid: `true` or `false`.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::load::strict::optional")]
    pub paid: Option<bool>,
    /// Who delivers the training.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training_provider: Option<Prose>,
    /// The training or qualification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training: Option<Prose>,
    /// `accredited-l1`, `accredited-l2`, `accredited-l3`, `unaccredited`, or
    /// `mixed` when the roles a study covers differ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accreditation: Option<Accreditation>,
    /// How peers are supervised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervision: Option<Prose>,
    /// Progression routes for peers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progression: Option<Prose>,
}

impl Delivery {
    /// True when the block states no value at all.
    pub fn is_empty(&self) -> bool {
        !self.stated().contains(&true)
    }

    /// Which fields the block states: role, paid, training provider,
    /// training, accreditation, supervision, progression.
    pub fn stated(&self) -> [bool; 7] {
        [
            self.role.is_some(),
            self.paid.is_some(),
            self.training_provider.is_some(),
            self.training.is_some(),
            self.accreditation.is_some(),
            self.supervision.is_some(),
            self.progression.is_some(),
        ]
    }

    /// `paid` as a reader sees it.
    pub fn paid_label(paid: bool) -> &'static str {
        if paid { "Yes" } else { "No" }
    }
}

/// Accreditation level of the peer training.
#[derive(Debug, Clone, PartialEq, Copy, Deserialize, Serialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// Name of the phase.
    #[serde(deserialize_with = "crate::load::strict::text")]
    #[schemars(regex(pattern = r"\S"))]
    pub name: String,
    /// Length in weeks.
    #[serde(default, deserialize_with = "crate::load::strict::optional")]
    pub weeks: Option<u32>,
    /// Where it takes place.
    pub location: Option<Prose>,
    /// Cohort size, as text such as `"8-10"`.
    pub cohort: Option<Prose>,
}

/// Numbers behind the attribute-priority graph.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Attributes {
    /// Number of respondents, 1 or more; every count must be at most `n`.
    #[schemars(with = "u32", range(min = 1))]
    #[serde(deserialize_with = "crate::load::strict::spanned")]
    pub n: Spanned<u32>,
    /// Where the numbers come from, such as `interviews`.
    pub source: Option<String>,
    /// `true` when the numbers are not study data: the page and the chart say so visibly.
    #[serde(default, deserialize_with = "crate::load::strict::value", skip_serializing_if = "is_false")]
    pub illustrative: bool,
    /// In any order; the chart sorts by count, descending, ties keeping the author's order.
    pub items: Vec<AttributeItem>,
}

/// One attribute and how many respondents named it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributeItem {
    /// The attribute, such as `Approachable`.
    #[serde(deserialize_with = "crate::load::strict::text")]
    #[schemars(regex(pattern = r"\S"))]
    pub name: String,
    /// Respondents naming it: at most `n`.
    #[schemars(with = "u32")]
    #[serde(deserialize_with = "crate::load::strict::spanned")]
    pub count: Spanned<u32>,
}

/// The rating of one stage of the social capital framework.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StageRating {
    /// Stage number, as defined in `frameworks.yaml`.
    #[schemars(with = "u32")]
    #[serde(deserialize_with = "crate::load::strict::spanned")]
    pub stage: Spanned<u32>,
    /// A key of `social_capital.ratings` in `frameworks.yaml`, such as `green`, `amber` or `red`.
    #[schemars(with = "String")]
    pub rating: Spanned<String>,
    /// `true` when the study did not state this rating (it is shown to
    /// demonstrate the matrix): the chart, the table and the downloads say so.
    #[serde(default, deserialize_with = "crate::load::strict::value", skip_serializing_if = "is_false")]
    pub illustrative: bool,
    /// The evidence for the rating.
    pub evidence: Option<Prose>,
}

/// Service-user involvement ladder levels.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ladder {
    /// Current level, as defined under `ladder: levels` in `frameworks.yaml`;
    /// left out when the study placed the site on no level.
    #[schemars(with = "Option<u32>")]
    #[serde(
        default,
        deserialize_with = "crate::load::strict::optional_spanned",
        skip_serializing_if = "Option::is_none"
    )]
    pub current: Option<Spanned<u32>>,
    /// Target level, as defined under `ladder: levels` in `frameworks.yaml`;
    /// left out when the site set none.
    #[schemars(with = "Option<u32>")]
    #[serde(
        default,
        deserialize_with = "crate::load::strict::optional_spanned",
        skip_serializing_if = "Option::is_none"
    )]
    pub target: Option<Spanned<u32>>,
    /// A note shown with the ladder.
    pub note: Option<Prose>,
}

/// A flag left unset reads `false`; `site.json` holds it only when set,
/// so a download states nothing the record did not.
fn is_false(flag: &bool) -> bool {
    !flag
}

/// One peer involvement role.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Name of the role, such as `Induction orderly`.
    #[serde(deserialize_with = "crate::load::strict::text")]
    #[schemars(regex(pattern = r"\S"))]
    pub title: String,
    /// `true`, `false` or a text such as `"Unpaid (part of Purple band role)"`;
    /// left out when the study did not find out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid: Option<Paid>,
    /// Levels of confidentiality and responsibility: `low`, `medium`, `high` or `low-high`.
    pub lcr: Option<Lcr>,
    /// Free text cell: induction.
    pub induction: Option<Prose>,
    /// Free text cell: single issue.
    pub single_issue: Option<Prose>,
    /// Free text cell: bridging.
    pub bridging: Option<Prose>,
    /// Free text cell: representation.
    pub representation: Option<Prose>,
}

/// `paid: true | false | "Unpaid (part of Purple band role)"`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Copy, Deserialize, Serialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NamedList {
    /// Heading of the list.
    pub title: Option<String>,
    /// `true` = numbered in priority order.
    #[serde(default, deserialize_with = "crate::load::strict::value", skip_serializing_if = "is_false")]
    pub ordered: bool,
    /// The entries, in order.
    pub items: Vec<ListItem>,
}

/// One entry of a named list.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListItem {
    /// The entry.
    #[serde(deserialize_with = "crate::load::strict::prose")]
    pub text: Prose,
    /// More detail, shown after the entry.
    pub detail: Option<Prose>,
}

/// A named table.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtraTable {
    /// Caption, after "Table N:".
    #[serde(deserialize_with = "crate::load::strict::text")]
    #[schemars(regex(pattern = r"\S"))]
    pub caption: String,
    /// Column headings, one at least.
    #[serde(deserialize_with = "crate::load::strict::columns")]
    #[schemars(length(min = 1))]
    pub columns: Vec<String>,
    /// Rows of cells; every row has one cell per column. A cell is text, or
    /// a list of texts shown as a bulleted list.
    #[schemars(with = "Vec<Vec<Cell>>")]
    pub rows: Vec<Spanned<Vec<Cell>>>,
}

/// A group of recommendations.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Recommendation {
    /// Heading of the group; without one, the items stand alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    /// The recommendations, in order.
    pub items: Vec<Prose>,
}

/// A pseudonymised quotation.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
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
    pub role: Option<String>,
    /// `interview`, `focus-group`, `workshop`, `observation`, `survey` or `written`.
    pub method: Option<Method>,
    /// The quotation.
    #[serde(deserialize_with = "crate::load::strict::prose")]
    pub text: Prose,
}

/// How a quotation was collected.
#[derive(Debug, Clone, PartialEq, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    Interview,
    FocusGroup,
    Workshop,
    Observation,
    /// A free-text answer to a survey or questionnaire.
    Survey,
    Written,
}

impl Method {
    pub fn label(self) -> &'static str {
        match self {
            Method::Interview => "interview",
            Method::FocusGroup => "focus group",
            Method::Workshop => "workshop",
            Method::Observation => "observation",
            Method::Survey => "survey",
            Method::Written => "written response",
        }
    }
}

/// Front matter of a narrative Markdown file.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    #[serde(deserialize_with = "crate::load::strict::text")]
    pub title: String,
    /// `sec-...`: the section's anchor and the target of `@sec-...`.
    pub id: Option<Spanned<String>>,
    /// Reading order; any number, ties broken by file name. A file without
    /// one comes after every file with one.
    #[serde(default, deserialize_with = "weight")]
    pub weight: Option<f64>,
    #[serde(default = "yes")]
    pub numbered: bool,
    #[serde(default)]
    pub appendix: bool,
    #[serde(default)]
    pub draft: bool,
    /// Works listed in the references without being cited.
    #[serde(default)]
    pub nocite: Vec<Spanned<String>>,
}

fn yes() -> bool {
    true
}

/// A weight in a sort key, ordered by value: never NaN (see [`weight`]).
#[derive(Debug, Clone, Copy)]
pub struct Weight(f64);

impl Weight {
    /// Where a file or report goes by its `weight`: those without one
    /// after those with one, so that one added later does not jump ahead.
    pub fn key(weight: Option<f64>) -> (bool, Weight) {
        (weight.is_none(), Weight(weight.unwrap_or_default()))
    }
}

impl Ord for Weight {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl PartialOrd for Weight {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Weight {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Weight {}

/// A section's or free page's weight (see [`weight_placing`]).
fn weight<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    weight_placing(deserializer, "the file after every file that has one (those without one in order of file name)")
}

/// A report's weight (see [`weight_placing`]).
fn site_weight<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    weight_placing(deserializer, "the report after every report that has one (those without one in order of title)")
}

/// Any finite number: whole (`3`, `-1`) or not (`2.5`). Read through a
/// generic value so that text, `true` or a list get one message saying what
/// a weight is, instead of serde's type names; `placed` says where leaving
/// it out puts what it orders.
fn weight_placing<'de, D: serde::Deserializer<'de>>(deserializer: D, placed: &str) -> Result<Option<f64>, D::Error> {
    // The build cache keeps a weight as it was read, or none.
    if !deserializer.is_human_readable() {
        return Option::<f64>::deserialize(deserializer);
    }
    let value = serde_json::Value::deserialize(deserializer)?;
    match value.as_f64() {
        Some(n) if n.is_finite() => Ok(Some(n)),
        _ => {
            let written = match &value {
                serde_json::Value::String(s) => format!("`\"{s}\"`"),
                serde_json::Value::Null => "empty".to_string(),
                other => format!("`{other}`"),
            };
            // The hint follows a line break (see `load::explain`).
            let hint = match &value {
                serde_json::Value::String(s) if s.trim().parse::<f64>().is_ok() => {
                    format!("remove the quotes: write `{}`", s.trim())
                }
                _ => format!("write a number, or leave `weight` out to place {placed}"),
            };
            Err(serde::de::Error::custom(format!(
                "`weight` is {written}; it must be a number, such as `3`, `-1` or `2.5`, without quotes\n{hint}"
            )))
        }
    }
}

impl Narrative {
    /// Reading order: by `weight`, then file name. A file without a weight
    /// comes after those with one, so that a section added with only a title
    /// lands last rather than renumbering the report from the front.
    pub fn reading_order(&self, other: &Narrative) -> std::cmp::Ordering {
        Weight::key(self.front.weight).cmp(&Weight::key(other.front.weight)).then_with(|| self.stem.cmp(&other.stem))
    }

    /// File line and column of a front-matter value: the front matter is
    /// parsed on its own, starting on the line after the opening `---`.
    pub fn front_position<T>(&self, value: &Spanned<T>) -> (usize, usize) {
        (value.referenced.line() as usize + 1, value.referenced.column() as usize)
    }
}

/// A Markdown file with its front matter split off.
#[derive(Debug, Clone)]
pub struct Narrative {
    /// Path relative to the project root, for diagnostics.
    pub path: String,
    /// File stem, used for ordering ties and page slugs.
    pub stem: String,
    pub front: FrontMatter,
    pub body: Body,
    /// 1-based line of the file on which `body` starts.
    pub body_line: usize,
}

/// The Markdown of a narrative file after its front matter, or only its
/// digest, which is all a report read back from the build cache needs of
/// it. A build leaves the text of site reports on disk once it is checked
/// (see `load::Bodies`), and reads it again for a report it renders: the
/// narratives are most of what an archive's build held at once.
#[derive(Debug, Clone)]
pub enum Body {
    Text(String),
    /// Left on disk.
    Left {
        digest: u128,
    },
}

impl Body {
    /// The text, unless it was left on disk.
    pub fn text(&self) -> Option<&str> {
        match self {
            Body::Text(text) => Some(text),
            Body::Left { .. } => None,
        }
    }

    pub fn digest(&self) -> u128 {
        match self {
            Body::Text(text) => crate::digest::Digest::new().text(text).finish(),
            Body::Left { digest } => *digest,
        }
    }

    /// Drops the text, keeping what it digests to.
    pub fn leave(&mut self) {
        *self = Body::Left { digest: self.digest() };
    }
}

/// A site folder: its record and its narrative files in reading order.
#[derive(Debug, Clone)]
pub struct Site {
    /// Name of the folder under `content/sites/`, which `id` must equal.
    pub folder: String,
    pub record: SiteRecord,
    pub record_path: String,
    /// site.yaml as written, to place a mistake inside a folded, block or
    /// quoted field at its own line and column.
    pub record_text: Arc<str>,
    pub narrative: Vec<Narrative>,
    /// False when a narrative file could not be read: its sections and
    /// headings are missing, so a cross-reference to them is not reported.
    pub narrative_complete: bool,
    /// False when site.yaml had mistakes, set aside to read the rest: a
    /// block left out that way is not reported again by a shortcode.
    pub record_complete: bool,
}

/// Everything `load` read: the typed model the later stages work from.
#[derive(Debug, Clone)]
pub struct Project {
    pub root: std::path::PathBuf,
    pub config: Config,
    pub series: Series,
    pub series_path: String,
    /// series.yaml as written (see [`Site::record_text`]).
    pub series_text: Arc<str>,
    pub frameworks: Frameworks,
    pub frameworks_path: String,
    pub references: Vec<Reference>,
    pub references_path: String,
    /// False when references.yaml had mistakes: a work may be missing from
    /// `references`, so a key not found there is not reported again.
    pub references_complete: bool,
    pub roles: Vec<Role>,
    pub roles_path: String,
    /// roles.yaml as written, empty when there is none.
    pub roles_text: Arc<str>,
    pub index: Option<Narrative>,
    pub compare: Option<Narrative>,
    pub pages: Vec<Narrative>,
    pub sites: Vec<Site>,
    /// Folders under `content/sites/` whose record could not be read
    /// (reported already): a link into one is not reported again.
    pub unread_sites: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weight_of(value: &str) -> Result<Option<f64>, String> {
        serde_saphyr::from_str::<FrontMatter>(&format!("title: T\nweight: {value}\n"))
            .map(|f| f.weight)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn weight_takes_any_finite_number_and_nothing_else() {
        assert_eq!(weight_of("3"), Ok(Some(3.0)));
        assert_eq!(weight_of("-1"), Ok(Some(-1.0)));
        assert_eq!(weight_of("2.5"), Ok(Some(2.5)));
        for (bad, shown) in [("\"3\"", "`\"3\"`"), ("true", "`true`"), ("~", "empty"), ("[1]", "`[1]`")] {
            let err = weight_of(bad).unwrap_err();
            assert!(err.contains(&format!("`weight` is {shown}; it must be a number")), "{bad}: {err}");
        }
    }

    #[test]
    fn a_reports_weight_is_any_number_as_a_sections_is_and_its_hint_says_where_none_goes() {
        let weight_of = |value: &str| {
            let yaml =
                format!("id: a\ntitle: T\nauthors: [A]\nyear: 2024\nstatus: draft\nsummary: S.\nweight: {value}\n");
            serde_saphyr::from_str::<SiteRecord>(&yaml).map(|r| r.weight).map_err(|e| e.to_string())
        };
        assert_eq!(weight_of("2.5"), Ok(Some(2.5)));
        assert_eq!(weight_of("-1"), Ok(Some(-1.0)));
        let err = weight_of("x").unwrap_err();
        assert!(err.contains("`weight` is `\"x\"`; it must be a number"), "{err}");
        assert!(err.contains("to place the report after every report that has one"), "{err}");
    }

    #[test]
    fn a_blank_site_name_is_refused_and_a_missing_one_is_none() {
        assert_eq!(toml::from_str::<Config>("").unwrap().title, None);
        assert_eq!(toml::from_str::<Config>("title = \"CFO\"").unwrap().title.as_deref(), Some("CFO"));
        for blank in ["\"\"", "\"  \"", "\"\u{200b}\"", "\" \u{feff} \""] {
            let err = toml::from_str::<Config>(&format!("title = {blank}")).unwrap_err();
            assert!(err.message().starts_with("this title is empty\n"), "{blank}: {err}");
        }
    }

    #[test]
    fn a_report_without_weight_comes_after_the_weighted_ones_by_title() {
        let record = |title: &str, weight: &str| {
            let yaml = format!("id: a\ntitle: {title}\nauthors: [A]\nyear: 2024\nstatus: draft\nsummary: S.\n{weight}");
            serde_saphyr::from_str::<SiteRecord>(&yaml).unwrap()
        };
        let mut records = [
            record("Zeta", ""),
            record("Alpha", ""),
            record("Second", "weight: 2\n"),
            record("Between", "weight: 1.5\n"),
            record("First", "weight: 1\n"),
            record("Before", "weight: -3\n"),
        ];
        records.sort_by(SiteRecord::index_order);
        let order: Vec<&str> = records.iter().map(|r| r.title.as_str()).collect();
        assert_eq!(order, ["Before", "First", "Between", "Second", "Alpha", "Zeta"]);
        // Found by QA: the series index and the comparison listed "Site 1,
        // Site 10, Site 11, Site 2" while the A to Z list read numbers by value.
        let mut records = [
            record("Site 10", "weight: 2\n"),
            record("site 2", "weight: 2\n"),
            record("Site 1", "weight: 2\n"),
            record("Site 30", "weight: 1\n"),
            record("Site 2", "weight: 2\n"),
            record("Site 11", "weight: 2\n"),
            record("Site 3", ""),
        ];
        records.sort_by_cached_key(SiteRecord::index_key);
        let order: Vec<&str> = records.iter().map(|r| r.title.as_str()).collect();
        assert_eq!(order, ["Site 30", "Site 1", "Site 2", "site 2", "Site 10", "Site 11", "Site 3"]);
    }

    #[test]
    fn an_a_to_z_list_reads_numbers_by_value_and_letters_without_case_or_accents() {
        let mut names = vec![
            "HMP Bench 10",
            "hmp bench 9",
            "HMP Bench 100",
            "HMP Frankland",
            "HMP Bench 9a",
            "HMP Éire 2",
            "HMP Østergaard",
            "HMP Oxford",
            "HMP Nottingham",
        ];
        names.sort_by_cached_key(|name| reading_order(name));
        assert_eq!(
            names,
            [
                "hmp bench 9",
                "HMP Bench 9a",
                "HMP Bench 10",
                "HMP Bench 100",
                "HMP Éire 2",
                "HMP Frankland",
                "HMP Nottingham",
                "HMP Østergaard",
                "HMP Oxford",
            ]
        );
    }
}
