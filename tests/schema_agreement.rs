//! The README promises that `wingreport schema` and the loader agree: the
//! same records, valid and not, go through both the loader (`site.yaml` read
//! into the record type) and a JSON Schema 2020-12 validator of the generated
//! schema, and both must give the same verdict. YAML is read as an editor's
//! YAML language server reads it (YAML 1.2: `yes` is text, `"12"` is text).
//! Cross-file checks (`id` equal to its folder, ratings from frameworks.yaml)
//! are `wingreport check`'s, not the schema's, and are not tried here.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;
use wingreport::model::SiteRecord;

fn validator() -> jsonschema::Validator {
    jsonschema::draft202012::new(&wingreport::schema::site_schema()).expect("a valid draft 2020-12 schema")
}

/// wingreport's verdict on a record: written as `content/sites/FOLDER/site.yaml`
/// of a copy of the bundled project, then loaded and validated as `check`
/// does; any problem in that file refuses it.
fn loader_accepts(root: &Path, folder: &str, yaml: &str) -> Result<(), String> {
    let file = format!("content/sites/{folder}/site.yaml");
    let path = root.join(&file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let before = std::fs::read_to_string(&path).ok();
    std::fs::write(&path, yaml).unwrap();
    let (project, mut diags) = wingreport::load::load(root);
    diags.extend(project.iter().flat_map(wingreport::validate::validate));
    match before {
        Some(text) => std::fs::write(&path, text).unwrap(),
        None => std::fs::remove_dir_all(path.parent().unwrap()).unwrap(),
    }
    let found: Vec<String> =
        diags.iter().filter(|d| d.path == file).map(|d| format!("{}: {}", d.location(), d.message)).collect();
    if found.is_empty() { Ok(()) } else { Err(found.join("; ")) }
}

/// The schema's verdict on the same text.
fn schema_accepts(validator: &jsonschema::Validator, yaml: &str) -> Result<(), String> {
    let value: Value = serde_saphyr::from_str_with_options(yaml, wingreport::load::yaml_options())
        .map_err(|e| format!("not YAML: {e}"))?;
    let errors: Vec<String> = validator.iter_errors(&value).map(|e| format!("{}: {e}", e.instance_path())).collect();
    if errors.is_empty() { Ok(()) } else { Err(errors.join("; ")) }
}

fn drake_hall() -> String {
    std::fs::read_to_string(repo().join("content/sites/drake-hall/site.yaml")).unwrap()
}

/// The bundled record with its first `from` replaced by `to`.
fn edited(from: &str, to: &str) -> String {
    let text = drake_hall();
    assert!(text.contains(from), "the bundled record has no {from:?}");
    text.replacen(from, to, 1)
}

struct Case {
    name: &'static str,
    /// The site folder the record is written to.
    folder: &'static str,
    yaml: String,
    /// The verdict both must give.
    valid: bool,
}

fn case(name: &'static str, yaml: String, valid: bool) -> Case {
    Case { name, folder: "drake-hall", yaml, valid }
}

fn cases() -> Vec<Case> {
    let mut cases = vec![
        case("the bundled record", drake_hall(), true),
        // 2025.0 is the whole number 2025 for JSON Schema's `integer`, and
        // the loader accepts it too; 2025.5 neither does.
        case("a year written 2025.0", edited("year: 2024", "year: 2025.0"), true),
        case("a year written 2025.5", edited("year: 2024", "year: 2025.5"), false),
        case("a negative weight", edited("weight: 3", "weight: -2"), true),
        case(
            "an empty optional number",
            edited("  region: West Midlands", "  region: West Midlands\n  population: ~"),
            true,
        ),
        case(
            "a bare number in a free-text role cell",
            edited("induction: \"Yes\", single_issue", "induction: 3, single_issue"),
            true,
        ),
        case("a bare number in a table cell", edited("\"Case Managers\", \"3\"", "\"Case Managers\", 3"), true),
        // A bare scalar where text belongs is that text, in both.
        // A title or author that says nothing is refused by both.
        case(
            "a blank title",
            edited("title: CFO Hamlet Peer mentor initiative at HMP Drake Hall", "title: \"  \""),
            false,
        ),
        case("a five-digit year", edited("year: 2024", "year: 20244"), false),
        case("a table with no columns", edited("columns: [Role, Number, Employer]", "columns: []"), false),
        case("no authors", edited("authors: [Dr Katherine Albertson]", "authors: []"), false),
        case(
            "a blank author",
            edited("authors: [Dr Katherine Albertson]", "authors: [Dr Katherine Albertson, \"\"]"),
            false,
        ),
        case(
            "a bare number as the title",
            edited("title: CFO Hamlet Peer mentor initiative at HMP Drake Hall", "title: 2024"),
            true,
        ),
        case("a bare number as the wing", edited("wing: The Hamlet", "wing: 3"), true),
        case("true as a list item's text", edited("      - text: Welcoming newcomers", "      - text: true"), true),
        case(
            "a number as a Markdown quote",
            edited("text: \"We actively seek out the difficult to engage.\"", "text: 42"),
            true,
        ),
        case("a number as a role's paid", edited("title: Listener, paid: false", "title: Listener, paid: 3"), false),
        case("a role paid with a text", edited("title: Listener, paid: false", "title: Listener, paid: \"no\""), true),
        // Quoted text where a number or flag belongs: the loader used to
        // read it as the number or flag, which the schema refuses.
        case("delivery paid: \"no\"", edited("  paid: false", "  paid: \"no\""), false),
        case("delivery paid: no (text in YAML 1.2)", edited("  paid: false", "  paid: no"), false),
        case("ordered: \"yes\"", edited("    ordered: true", "    ordered: \"yes\""), false),
        case("year: \"2025\"", edited("year: 2024", "year: \"2025\""), false),
        case("weight: \"3\"", edited("weight: 3", "weight: \"3\""), false),
        case("a sample count in quotes", edited("  interviews: 26", "  interviews: \"26\""), false),
        case(
            "sample: {x: \"12\"}",
            edited("sample:\n  interviews: 26\n", "sample: {x: \"12\"}\n  interviews: 26\n"),
            false,
        ),
        case("attributes n in quotes", edited("  n: 26", "  n: \"26\""), false),
        case("attributes out of no respondents", edited("  n: 26", "  n: 0"), false),
        case("illustrative: \"true\"", edited("  illustrative: true", "  illustrative: \"true\""), false),
        case("weeks in quotes", edited("weeks: 8,", "weeks: \"8\","), false),
        case(
            "a rating not marked illustrative",
            edited("    rating: amber\n    illustrative: true\n", "    rating: amber\n"),
            true,
        ),
        case(
            "a rating's illustrative in words",
            edited("    rating: amber\n    illustrative: true\n", "    rating: amber\n    illustrative: yes\n"),
            false,
        ),
        case("a ladder level in quotes", edited("ladder:\n", "ladder:\n  current: '2'\n"), false),
        case(
            "a negative population",
            edited("  region: West Midlands", "  region: West Midlands\n  population: -1"),
            false,
        ),
        case(
            "a population beyond a whole number's range",
            edited("  region: West Midlands", "  region: West Midlands\n  population: 4294967296"),
            false,
        ),
        case("an unknown key", edited("  accreditation: accredited-l2", "  acreditation: accredited-l2"), false),
        case("a misspelt value", edited("  estate: female", "  estate: femail"), false),
        case("a status in capitals", edited("status: published", "status: Published"), false),
        case("an id that is not a slug", edited("id: drake-hall", "id: Drake Hall"), false),
        case("a missing required key", edited("title: CFO Hamlet", "titel: CFO Hamlet"), false),
    ];
    // The six keys every record needs are enough, for both.
    cases.push(Case {
        name: "only id, title, authors, year, status and summary",
        folder: "minimal",
        yaml: "id: minimal\ntitle: A study\nauthors: [A. Author]\nyear: 2025\nstatus: draft\nsummary: One paragraph.\n"
            .to_string(),
        valid: true,
    });
    cases
}

#[test]
fn loader_and_schema_give_the_same_verdict() {
    let validator = validator();
    let project = bundled_project();
    let cases = cases();
    assert!(cases.len() >= 20);
    let mut failures = Vec::new();
    for case in &cases {
        let loader = loader_accepts(project.path(), case.folder, &case.yaml);
        let schema = schema_accepts(&validator, &case.yaml);
        if loader.is_ok() != schema.is_ok() {
            failures.push(format!("{}: loader {loader:?}, schema {schema:?}", case.name));
        } else if loader.is_ok() != case.valid {
            failures.push(format!("{}: both say {loader:?}, want valid = {}", case.name, case.valid));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases disagree:\n\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}

/// Every bundled record, as its own case.
#[test]
fn every_bundled_record_is_valid_for_both() {
    let validator = validator();
    let project = bundled_project();
    let mut checked = 0;
    for entry in std::fs::read_dir(project.path().join("content/sites")).unwrap() {
        let folder = entry.unwrap().file_name().into_string().unwrap();
        let Ok(yaml) = std::fs::read_to_string(project.path().join("content/sites").join(&folder).join("site.yaml"))
        else {
            continue;
        };
        assert_eq!(loader_accepts(project.path(), &folder, &yaml), Ok(()), "{folder}");
        assert_eq!(schema_accepts(&validator, &yaml), Ok(()), "{folder}");
        checked += 1;
    }
    assert!(checked >= 4, "checked {checked} records");
}

/// A quoted number is refused with the fix, at the quoted value.
#[test]
fn a_quoted_number_says_to_remove_the_quotes() {
    let diags = wingreport::load::parse_yaml::<SiteRecord>(&edited("weight: 3", "weight: \"3\""), "site.yaml", 0)
        .expect_err("a quoted weight is refused");
    assert_eq!(diags.len(), 1, "{diags:?}");
    let line = drake_hall().lines().position(|l| l == "weight: 3").unwrap() + 1;
    assert_eq!((diags[0].line, diags[0].col), (line, 9));
    assert_eq!(diags[0].hint.as_deref(), Some("remove the quotes: write `3`"));
}
