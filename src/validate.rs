//! Stage 2, validate: cross-checks the loaded `Project` against the content
//! contract. Pure: reads the model, returns diagnostics, never touches disk.

use std::collections::{HashMap, HashSet};

use crate::model::Spanned;

use crate::diagnostics::{Diagnostic, did_you_mean, one_of, plural};
use crate::markdown::slugify;
use crate::model::{Frameworks, Narrative, Project, Site};

/// Every contract violation the parser could not see, in file order.
pub fn validate(project: &Project) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    check_frameworks(&project.frameworks, &project.frameworks_path, &mut diags);
    check_references(project, &mut diags);
    for site in &project.sites {
        check_site(site, &project.frameworks, &project.frameworks_path, &mut diags);
        check_front_matter(&site.narrative, project, &mut diags);
    }
    // Free pages, the index and the comparison are each a report of their own.
    for page in project.pages.iter().chain(&project.index).chain(&project.compare) {
        check_front_matter(std::slice::from_ref(page), project, &mut diags);
    }
    diags
}

/// The checks of one site alone, for a preview that reloaded only that site.
pub fn validate_site(site: &Site, project: &Project) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    check_site(site, &project.frameworks, &project.frameworks_path, &mut diags);
    check_front_matter(&site.narrative, project, &mut diags);
    diags
}

fn at<T>(path: &str, spanned: &Spanned<T>, message: impl Into<String>) -> Diagnostic {
    let loc = spanned.referenced;
    Diagnostic::new(path, loc.line() as usize, loc.column() as usize, message)
}

fn is_slug(s: &str, allow_underscore: bool) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || (allow_underscore && c == '_'))
}

/// The front matter of the files of one report: section ids that
/// `@sec-...` can name, and `nocite` keys the bibliography holds.
fn check_front_matter(narrative: &[Narrative], project: &Project, diags: &mut Vec<Diagnostic>) {
    let mut ids: HashMap<&str, &str> = HashMap::new();
    let keys: Vec<&str> = project.references.iter().map(|r| r.key.value.as_str()).collect();
    for file in narrative {
        let at = |value: &Spanned<String>, message: String| {
            let (line, col) = file.front_position(value);
            Diagnostic::new(&file.path, line, col, message)
        };
        if let Some(id) = &file.front.id {
            let value = id.value.as_str();
            let slug = slugify(value.strip_prefix("sec-").unwrap_or(value));
            let suggested = format!("sec-{}", if slug.is_empty() { "findings" } else { &slug });
            if !value.starts_with("sec-") {
                diags.push(
                    at(id, format!("section id `{value}` does not start with `sec-`"))
                        .with_hint(format!("write `id: {suggested}`; the text then refers to it as `@{suggested}`")),
                );
            } else if value.len() == 4 || !is_slug(value, true) {
                diags
                    .push(at(id, format!("section id `{value}` has characters that are not allowed")).with_hint(
                        "after `sec-`, use lower-case letters, digits, `-` and `_`, such as `sec-findings`",
                    ));
            } else if let Some(first) = ids.insert(value, &file.path) {
                diags.push(
                    at(id, format!("section id `{value}` is used twice in this report"))
                        .with_hint(format!("{first} has it too; give each section its own id")),
                );
            }
        }
        for key in &file.front.nocite {
            // A mistake in references.yaml, reported already, may have left the work out.
            if project.references_complete && !keys.contains(&key.value.as_str()) {
                let hint = match did_you_mean(&key.value, keys.iter().copied()) {
                    Some(near) => format!("did you mean `{near}`? Keys are defined in {}", project.references_path),
                    None => format!("add the work to {}, or remove it from `nocite`", project.references_path),
                };
                diags.push(
                    at(key, format!("`nocite` lists `{}`, which is not in the bibliography", key.value))
                        .with_hint(hint),
                );
            }
        }
    }
}

fn check_frameworks(frameworks: &Frameworks, path: &str, diags: &mut Vec<Diagnostic>) {
    let Some(sc) = &frameworks.social_capital else { return };
    let known: HashSet<u32> = sc.stages.iter().map(|s| s.n.value).collect();
    let mut grouped = HashSet::new();
    for source in &sc.sources {
        for stage in &source.stages {
            if !known.contains(&stage.value) {
                diags.push(
                    at(
                        path,
                        stage,
                        format!("source `{}` lists stage {}, which is not defined", source.id, stage.value),
                    )
                    .with_hint("every stage number under `sources` must appear under `stages` as `n`"),
                );
            } else if !grouped.insert(stage.value) {
                diags.push(at(path, stage, format!("stage {} belongs to more than one source", stage.value)));
            }
        }
    }
    for (name, rating) in &sc.ratings {
        let c = &rating.colour.value;
        let valid = c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit());
        if !valid {
            diags.push(
                at(path, &rating.colour, format!("colour `{c}` of rating `{name}` is not a colour"))
                    .with_hint("write it as `#rrggbb`, for example `#2e7d32`"),
            );
        }
    }
}

fn check_references(project: &Project, diags: &mut Vec<Diagnostic>) {
    let path = &project.references_path;
    let mut seen = HashSet::new();
    for reference in &project.references {
        let key = &reference.key.value;
        if !is_slug(key, true) {
            diags.push(
                at(path, &reference.key, format!("reference key `{key}` has characters that are not allowed"))
                    .with_hint("use lower-case letters, digits, `-` and `_`, such as `buck2020`"),
            );
        }
        if reference.authors.first().is_some_and(|a| crate::render::bibliography::is_omission(a)) {
            diags.push(
                at(path, &reference.key, format!("the first author of `{key}` is `...`, authors left out"))
                    .with_hint("name the first author as the source gives it; `...` may stand after it"),
            );
        }
        // `[Buck, G.]` is two authors to YAML, "Buck" and "G.".
        if let Some(pair) = reference.authors.windows(2).find(|pair| is_initials(&pair[1]) && !pair[0].contains(',')) {
            let (family, initials) = (&pair[0], &pair[1]);
            diags.push(
                at(path, &reference.key, format!("`{initials}` is an author of `{key}` on its own, after `{family}`"))
                    .with_hint(format!(
                        "in `[ ]` a comma separates authors: write `\"{family}, {initials}\"` in double quotes, one \
                         author per pair of quotes"
                    )),
            );
        }
        if !seen.insert(key.as_str()) {
            diags.push(
                at(path, &reference.key, format!("reference key `{key}` is used twice"))
                    .with_hint("add a letter to one of them, such as `albertson2024a`"),
            );
        }
    }
}

/// Initials alone, as `G.` or `A. B.` or `AB`: no author's whole name.
fn is_initials(name: &str) -> bool {
    let letters: Vec<&str> = name.split(['.', ' ']).filter(|part| !part.is_empty()).collect();
    !letters.is_empty()
        && letters.iter().all(|part| part.chars().all(|c| c.is_uppercase()) && part.chars().count() <= 2)
}

fn check_site(site: &Site, frameworks: &Frameworks, frameworks_path: &str, diags: &mut Vec<Diagnostic>) {
    let record = &site.record;
    let path = site.record_path.as_str();
    let id = &record.id.value;
    if !is_slug(id, false) {
        diags.push(
            at(path, &record.id, format!("site id `{id}` has characters that are not allowed"))
                .with_hint("use lower-case letters, digits and `-`, such as `drake-hall`"),
        );
    }
    if *id != site.folder {
        // A copy made by a file manager ("drake-hall copy", "DH8") cannot be an id.
        let hint = if is_slug(&site.folder, false) {
            format!("write `id: {}` or rename the folder to `{id}`", site.folder)
        } else if is_slug(id, false) {
            format!(
                "rename the folder to `{id}` (a folder name is the report's address, so it takes lower-case \
                 letters, digits and `-` only)"
            )
        } else {
            format!(
                "rename the folder to lower-case letters, digits and `-` only, such as `{}`, and write that as the id",
                crate::markdown::slugify(&site.folder)
            )
        };
        diags.push(
            at(path, &record.id, format!("site id `{id}` does not match its folder `{}`", site.folder)).with_hint(hint),
        );
    }

    if let Some(isbn) = &record.isbn
        && let Err(why) = check_isbn(&isbn.value)
    {
        diags.push(at(path, isbn, format!("`isbn: {}` is not an ISBN: {why}", isbn.value)).with_hint(
            "copy the ISBN from the publisher, 10 or 13 digits with or without hyphens, such as `978-0-306-40615-7`",
        ));
    }
    if let Some(doi) = &record.doi
        && let Err(why) = check_doi(&doi.value)
    {
        diags.push(at(path, doi, format!("`doi: {}` is not a DOI: {why}", doi.value)).with_hint(
            "write the DOI alone, starting `10.`, such as `doi: 10.1234/abcd`; the cover links it to https://doi.org/",
        ));
    }
    // An empty block would print an empty table, or a comparison row that
    // claims a report where there is none.
    let empty_profile = record.profile.as_ref().filter(|p| p.value.is_empty()).map(|p| ("profile", p.referenced));
    let empty_delivery = record.delivery.as_ref().filter(|d| d.value.is_empty()).map(|d| ("delivery", d.referenced));
    for (key, loc) in empty_profile.into_iter().chain(empty_delivery) {
        diags.push(
            Diagnostic::new(
                path,
                loc.line() as usize,
                loc.column() as usize,
                format!("`{key}` is there but states nothing"),
            )
            .with_hint(format!("add the values the study found under `{key}:`, or remove the block")),
        );
    }

    if let Some(attributes) = &record.attributes {
        let n = attributes.n.value;
        // A share of no respondents is no share: the comparison's median and
        // range would leave the site out while counting it as listing each name.
        if n == 0 {
            diags.push(
                at(path, &attributes.n, "`n` is 0, but it is the number of respondents the counts are out of".to_string())
                    .with_hint("write how many respondents were asked (1 or more); if the study asked none, leave the `attributes` block out"),
            );
        }
        for item in &attributes.items {
            if item.count.value > n {
                diags.push(
                    at(path, &item.count, format!("`{}` has count {}, more than n = {n}", item.name, item.count.value))
                        .with_hint("a count is the number of respondents naming it, so at most `n`"),
                );
            }
        }
    }

    if let Some(ratings) = &record.social_capital {
        check_social_capital(site, ratings, frameworks, frameworks_path, diags);
    }

    if let Some(ladder) = &record.ladder {
        let levels: Vec<u32> = frameworks.ladder.iter().flat_map(|l| l.levels.iter().map(|lv| lv.n)).collect();
        for (label, level) in [("current", ladder.current.as_ref()), ("target", ladder.target.as_ref())] {
            let Some(level) = level else { continue };
            if !levels.contains(&level.value) {
                let hint = if levels.is_empty() {
                    format!("define `ladder: levels:` in {frameworks_path}")
                } else {
                    format!(
                        "levels defined in {frameworks_path}: {}",
                        one_of(&levels.iter().map(u32::to_string).collect::<Vec<_>>())
                    )
                };
                diags.push(
                    at(path, level, format!("ladder {label} level {} is not a defined level", level.value))
                        .with_hint(hint),
                );
            }
        }
    }

    for table in record.tables.iter().flat_map(|t| t.values()) {
        for row in &table.rows {
            if row.value.len() != table.columns.len() {
                diags.push(
                    at(
                        path,
                        row,
                        format!(
                            "row has {} but the table has {}",
                            plural(row.value.len(), "cell"),
                            plural(table.columns.len(), "column")
                        ),
                    )
                    .with_hint(format!(
                        "give one cell per column ({}), in that order; write `\"\"` for an empty cell",
                        table.columns.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
                    )),
                );
            }
        }
    }

    let mut quote_ids: HashMap<&str, usize> = HashMap::new();
    for quote in record.quotes.iter().flatten() {
        let qid = quote.id.value.as_str();
        if let Some(first_line) = quote_ids.insert(qid, quote.id.referenced.line() as usize) {
            diags.push(
                at(path, &quote.id, format!("quote id `{qid}` is used twice")).with_hint(format!(
                    "it is first used on line {first_line}; quote ids must be unique within a site"
                )),
            );
        }
    }
}

/// Why `text` is not an ISBN-10 or ISBN-13, hyphens and spaces aside.
fn check_isbn(text: &str) -> Result<(), String> {
    let chars: Vec<char> = text.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    if let Some(bad) = chars.iter().enumerate().find(|&(i, c)| {
        let check_x = i + 1 == chars.len() && chars.len() == 10 && matches!(c, 'X' | 'x');
        !c.is_ascii_digit() && !check_x
    }) {
        return Err(format!("`{}` is not a digit", bad.1));
    }
    let digit = |c: &char| c.to_digit(10).unwrap_or(10);
    let sum: u32 = match chars.len() {
        10 => chars.iter().enumerate().map(|(i, c)| (10 - i as u32) * digit(c)).sum::<u32>() % 11,
        13 => chars.iter().enumerate().map(|(i, c)| if i % 2 == 0 { 1 } else { 3 } * digit(c)).sum::<u32>() % 10,
        n => return Err(format!("it has {n} digits, and an ISBN has 10 or 13")),
    };
    if sum == 0 {
        Ok(())
    } else {
        Err("its check digit (the last) does not match the others, so a digit is mistyped or two are swapped"
            .to_string())
    }
}

/// Why `text` is not a DOI name (`10.<registrant>/<suffix>`).
fn check_doi(text: &str) -> Result<(), String> {
    if text.starts_with("http") || text.starts_with("doi:") || text.starts_with("doi.org") {
        return Err("it is written as an address; give the DOI alone".to_string());
    }
    if !text.starts_with("10.") {
        return Err("a DOI starts `10.`".to_string());
    }
    match text.split_once('/') {
        None => return Err("it has no `/` between the prefix (`10.` and digits) and the suffix".to_string()),
        Some((prefix, _)) if prefix.len() <= 3 => return Err("it has nothing between `10.` and the `/`".to_string()),
        Some((_, suffix)) if suffix.trim().is_empty() => return Err("it has nothing after the `/`".to_string()),
        Some(_) => {}
    }
    if text.chars().any(char::is_whitespace) {
        return Err("it has a space".to_string());
    }
    Ok(())
}

fn check_social_capital(
    site: &Site,
    ratings: &[crate::model::StageRating],
    frameworks: &Frameworks,
    frameworks_path: &str,
    diags: &mut Vec<Diagnostic>,
) {
    let path = site.record_path.as_str();
    // The `social_capital:` key: the line above its first rating.
    let block = ratings.first().map_or(0, |r| (r.stage.referenced.line() as usize).saturating_sub(1));
    let Some(framework) = &frameworks.social_capital else {
        diags.push(
            Diagnostic::new(
                path,
                block,
                usize::from(block > 0),
                "this record has `social_capital` ratings but no framework defines the stages",
            )
            .with_hint(format!("add `social_capital:` with its stages and ratings to {frameworks_path}")),
        );
        return;
    };
    let stages: Vec<u32> = framework.stages.iter().map(|s| s.n.value).collect();
    let rating_names: Vec<&str> = framework.ratings.keys().map(String::as_str).collect();
    let mut seen: HashMap<u32, usize> = HashMap::new();
    for entry in ratings {
        let stage = entry.stage.value;
        if !stages.contains(&stage) {
            diags.push(
                at(path, &entry.stage, format!("stage {stage} is not a stage of the framework")).with_hint(format!(
                    "stages are {}",
                    one_of(&stages.iter().map(u32::to_string).collect::<Vec<_>>())
                )),
            );
        } else if let Some(first_line) = seen.insert(stage, entry.stage.referenced.line() as usize) {
            diags.push(
                at(path, &entry.stage, format!("stage {stage} is rated twice"))
                    .with_hint(format!("it is first rated on line {first_line}; rate each stage exactly once")),
            );
        }
        let rating = entry.rating.value.as_str();
        if !framework.ratings.contains_key(rating) {
            let hint = match did_you_mean(rating, rating_names.iter().copied()) {
                Some(near) => format!("did you mean `{near}`? Ratings: {}", one_of(&rating_names)),
                None => format!("ratings defined in {frameworks_path}: {}", one_of(&rating_names)),
            };
            diags.push(at(path, &entry.rating, format!("`{rating}` is not a rating")).with_hint(hint));
        }
    }
    let missing: Vec<String> = stages.iter().filter(|s| !seen.contains_key(s)).map(u32::to_string).collect();
    if !missing.is_empty() {
        diags.push(
            Diagnostic::new(path, block, 1, format!("`social_capital` has no rating for stage {}", missing.join(", ")))
                .with_hint("add one `- {stage: N, rating: ..., evidence: ...}` entry per missing stage"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_allow_only_lower_case_digits_and_dashes() {
        assert!(is_slug("drake-hall", false));
        assert!(!is_slug("Drake Hall", false));
        assert!(!is_slug("a_b", false));
        assert!(is_slug("a_b", true));
        assert!(!is_slug("", true));
    }

    #[test]
    fn isbns_pass_their_checksum_with_or_without_hyphens() {
        for good in ["978-0-306-40615-7", "9780306406157", "0-306-40615-2", "0 8044 2957 X", "080442957x"] {
            assert_eq!(check_isbn(good), Ok(()), "{good}");
        }
        assert!(check_isbn("978-0-306-40615-8").unwrap_err().contains("check digit"));
        assert!(check_isbn("0-306-40615-3").unwrap_err().contains("check digit"));
        assert!(check_isbn("978-0-306").unwrap_err().contains("10 or 13"));
        assert!(check_isbn("97X-0-306-40615-7").unwrap_err().contains("`X` is not a digit"));
        assert!(check_isbn("").unwrap_err().contains("0 digits"));
    }

    #[test]
    fn dois_are_names_not_addresses() {
        assert_eq!(check_doi("10.1000/182"), Ok(()));
        assert_eq!(check_doi("10.1234/moj.esw#2"), Ok(()));
        assert!(check_doi("https://doi.org/10.1000/182").unwrap_err().contains("address"));
        assert!(check_doi("doi:10.1000/182").unwrap_err().contains("address"));
        assert!(check_doi("11.1000/182").unwrap_err().contains("starts `10.`"));
        assert!(check_doi("10.1000").unwrap_err().contains("no `/`"));
        assert!(check_doi("10./182").unwrap_err().contains("between `10.` and"));
        assert!(check_doi("10.1000/").unwrap_err().contains("after the `/`"));
        assert!(check_doi("10.1000/a b").unwrap_err().contains("space"));
    }
}
