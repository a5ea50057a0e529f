//! `wingreport new project` and `wingreport new site`: write a minimal
//! project, or a draft site record and narrative, that build and pass
//! `check`, plus `site.schema.json` for editors. `wingreport new theme`
//! writes the built-in theme out for editing. Creates new files only: they
//! never overwrite a project or a site folder, and write nothing when they
//! refuse.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::build::Failure;
use crate::model::Frameworks;
use crate::schema::{SCHEMA_FILE, site_schema_json};

/// What `new_site` created, relative to the project root.
#[derive(Debug)]
pub struct NewSite {
    pub id: String,
    /// `content/sites/<id>`.
    pub folder: PathBuf,
    /// File names inside `folder`, in the order they were written.
    pub files: Vec<&'static str>,
}

impl NewSite {
    /// The success message: what was written and how to preview it.
    pub fn summary(&self, root: &Path) -> String {
        let here = root == Path::new(".");
        let root_arg = if here { String::new() } else { format!(" --root {}", root.display()) };
        format!(
            "Created content/sites/{id}/ (draft): {files}\n\
             Wrote {SCHEMA_FILE} so editors validate and complete site.yaml as you type (see README.md).\n\
             Preview it with `wingreport serve{root_arg}` (drafts are shown, and each save reloads the page); \
             set `status: published` when the report is ready.\n",
            id = self.id,
            files = self.files.join(", "),
        )
    }
}

const RECORD: &str = "site.yaml";
const INTRODUCTION: &str = "01-introduction.md";
const FINDINGS: &str = "02-findings.md";

/// Texts of the files `new` writes that stand for what only the author can
/// say, each too odd for a report to say of its own accord. `load` refuses
/// them in whatever readers will see.
pub const PLACEHOLDERS: &[&str] = &[
    "Author Name",
    "Title of this report",
    "One paragraph summarising this report",
    "One paragraph introducing the study",
    "Replace this placeholder text",
    "Placeholder text.",
    "Subtitle of this report",
    "Name of the publisher",
    "978-1-234567-89-7",
    "10.1234/placeholder",
    UNCONFIRMED_YEAR,
];

/// The comment `new` writes after the year it fills in, which is only the
/// year it ran: a year the machine's clock chose must not reach a
/// published cover, so the line is a placeholder until the author, having
/// written the year of publication, deletes the comment.
pub const UNCONFIRMED_YEAR: &str = "TO CONFIRM: the year `wingreport new` ran";

/// Each placeholder in `text`, as its byte offset, in order. In YAML
/// (`yaml`), comment lines are skipped: they explain, and nobody reads
/// them but the author.
pub fn placeholders_in(text: &str, yaml: bool) -> Vec<(usize, &'static str)> {
    let mut found: Vec<(usize, &'static str)> = PLACEHOLDERS
        .iter()
        .flat_map(|placeholder| {
            memchr::memmem::find_iter(text.as_bytes(), placeholder).map(move |at| (at, *placeholder))
        })
        .filter(|(at, _)| {
            let line_start = text[..*at].rfind('\n').map_or(0, |i| i + 1);
            !(yaml && text[line_start..*at].trim_start().starts_with('#'))
        })
        .collect();
    found.sort_unstable();
    found
}

/// Scaffolds `content/sites/<id>/` under `root` and refreshes `site.schema.json`.
pub fn new_site(root: &Path, id: &str, prison: Option<&str>) -> Result<NewSite, Failure> {
    if !is_slug(id) {
        let hint = match suggest_slug(id) {
            Some(slug) => format!("; try `wingreport new site {slug}`"),
            None => String::new(),
        };
        return Err(Failure::Usage(format!(
            "`{id}` is not a valid site id: use lower-case letters, digits and `-`, such as `drake-hall`{hint}"
        )));
    }
    let prison = match prison.map(str::trim) {
        Some("") => return Err(Failure::Usage("--prison is empty; give the prison's name".to_string())),
        Some(name) if name.chars().any(char::is_control) => {
            return Err(Failure::Usage("--prison must be one line of text".to_string()));
        }
        Some(name) => Some(name.to_string()),
        None => None,
    };
    if !root.join("wingreport.toml").is_file() {
        return Err(Failure::Usage(format!(
            "{} has no wingreport.toml; pass --root with the folder that holds wingreport.toml and content/",
            root.display()
        )));
    }
    let folder = Path::new("content").join("sites").join(id);
    let refused = || {
        Failure::Usage(format!(
            "{} already exists; nothing was changed. Choose another id, or remove or rename that folder first",
            folder.display()
        ))
    };
    let target = root.join(&folder);
    // A folder of sections with no record (made by hand, or its record
    // lost) gets the record it lacks, and nothing of its own is touched.
    let sections = target.is_dir() && !target.join(RECORD).exists();
    if target.exists() && !sections {
        return Err(refused());
    }
    if !sections {
        let sites = target.parent().expect("content/sites/<id> has a parent");
        std::fs::create_dir_all(sites).map_err(|e| io_error(sites, &e))?;
        // create_dir fails when the folder appeared meanwhile, so it is never reused.
        match std::fs::create_dir(&target) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(refused()),
            Err(e) => return Err(io_error(&target, &e)),
        }
    }
    let has_markdown = sections
        && std::fs::read_dir(&target)
            .map_err(|e| io_error(&target, &e))?
            .flatten()
            .any(|entry| entry.path().extension().is_some_and(|e| e == "md"));

    let frameworks = read_frameworks(root);
    let mut files = vec![(RECORD, record(id, prison.as_deref(), &frameworks, current_year()))];
    if !has_markdown {
        files.extend([(INTRODUCTION, introduction()), (FINDINGS, findings())]);
    }
    let mut created = Vec::new();
    let written = files
        .iter()
        .try_for_each(|(name, text)| write_new(&target.join(name), text).map(|()| created.push(target.join(name))))
        .and_then(|()| write_schema(root));
    if let Err(failure) = written {
        // Only what this run created is removed.
        if sections {
            created.iter().for_each(|path| drop(std::fs::remove_file(path)));
        } else {
            let _ = std::fs::remove_dir_all(&target);
        }
        return Err(failure);
    }
    Ok(NewSite { id: id.to_string(), folder, files: files.iter().map(|(name, _)| *name).collect() })
}

/// Writes the built-in theme to `themes/<name>/` under `root`, for an
/// author to edit: every template and static file, none overwritten.
/// Returns the paths written, relative to the theme folder.
pub fn new_theme(root: &Path, name: &str) -> Result<Vec<String>, Failure> {
    let name_ok = !name.is_empty()
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !name_ok {
        return Err(Failure::Usage(format!(
            "`{name}` is not a theme name: use letters, digits, `-` and `_`, such as `acme`; it becomes the folder \
             themes/{name}/"
        )));
    }
    if name == "default" {
        return Err(Failure::Usage(
            "`default` is the built-in theme's name; choose another, such as `acme`, and select it with \
             `theme = \"acme\"`"
                .to_string(),
        ));
    }
    if !root.join("wingreport.toml").is_file() {
        return Err(Failure::Usage(format!(
            "{} has no wingreport.toml; pass --root with the folder that holds wingreport.toml and content/",
            root.display()
        )));
    }
    let folder = root.join("themes").join(name);
    let files = crate::templates::builtin_files();
    let existing: Vec<&str> =
        files.iter().map(|(path, _)| path.as_str()).filter(|path| folder.join(path).exists()).collect();
    if let Some(first) = existing.first() {
        return Err(Failure::Usage(format!(
            "themes/{name}/{first} already exists{more}; nothing was changed. Choose another name, or move \
             those files aside first",
            more = match existing.len() {
                1 => String::new(),
                n => format!(" (and {} more of the built-in theme's files)", n - 1),
            }
        )));
    }
    let mut created = Vec::new();
    let written = files.iter().try_for_each(|(path, contents)| {
        let target = folder.join(path);
        let parent = target.parent().expect("a theme file is inside the theme folder");
        std::fs::create_dir_all(parent).map_err(|e| io_error(parent, &e))?;
        write_new(&target, contents).map(|()| created.push(target))
    });
    if let Err(failure) = written {
        // Only what this run created is removed; folders it made stay, empty.
        created.iter().for_each(|path| drop(std::fs::remove_file(path)));
        return Err(failure);
    }
    Ok(files.into_iter().map(|(path, _)| path).collect())
}

/// The success message of `new theme`: what was written and how to use it.
pub fn theme_summary(name: &str, files: &[String]) -> String {
    let templates = files.iter().filter(|f| f.starts_with("templates/")).count();
    format!(
        "Created themes/{name}/, a copy of the built-in theme: {templates} templates under templates/ and {statics} \
         static files under static/.\n\
         Select it with `theme = \"{name}\"` in wingreport.toml. A file you delete falls back to the built-in one, \
         so keep only those you change.\n\
         What each template shows and the variables it receives are listed under \"Themes\" in README.md.\n",
        statics = files.len() - templates,
    )
}

/// What `new_project` created.
#[derive(Debug)]
pub struct NewProject {
    /// The project folder, as given (`.` when it was the current folder).
    pub dir: PathBuf,
    /// The id of the one site report.
    pub site: String,
    /// Paths relative to `dir`, in the order they were written.
    pub files: Vec<String>,
}

impl NewProject {
    /// The success message: what was written and what to do next.
    pub fn summary(&self) -> String {
        let here = self.dir == Path::new(".");
        let cd = if here { String::new() } else { format!("`cd {}`, then ", self.dir.display()) };
        format!(
            "Created a wingreport project in {dir}: {files}\n\
             The report content/sites/{site}/ is a draft. Next: {cd}replace the placeholders \
             (see \"Start your own project\" in README.md) and preview with `wingreport serve`; \
             `wingreport new site ID` adds another report.\n",
            dir = self.dir.display(),
            files = self.files.join(", "),
            site = self.site,
        )
    }
}

/// The site id `new project` uses when none is given.
pub const FIRST_SITE: &str = "first-report";

/// What `new project` writes (besides the site folder), each refused if it exists.
const PROJECT_FILES: [&str; 3] = ["wingreport.toml", "content", SCHEMA_FILE];

/// Scaffolds a project in `dir` (the current folder when `None`, which must
/// then be empty): `wingreport.toml`, `content/series.yaml`, one draft site
/// with one narrative file, one free page, and `site.schema.json`.
pub fn new_project(dir: Option<&Path>, title: &str, site: &str) -> Result<NewProject, Failure> {
    let title = one_line_value(title, "--title", "the study's title")?;
    if !is_slug(site) {
        let hint = suggest_slug(site).map(|slug| format!("; try `--site {slug}`")).unwrap_or_default();
        return Err(Failure::Usage(format!(
            "`{site}` is not a valid site id: use lower-case letters, digits and `-`, such as `drake-hall`{hint}"
        )));
    }
    let root = dir.unwrap_or(Path::new("."));
    let existed = root.exists();
    if existed && !root.is_dir() {
        return Err(Failure::Usage(format!("{} is a file, not a folder; name a new folder instead", root.display())));
    }
    if dir.is_none() && std::fs::read_dir(root).map_err(|e| io_error(root, &e))?.next().is_some() {
        return Err(Failure::Usage(format!(
            "the current folder is not empty; nothing was changed. Name a new folder: \
             `wingreport new project my-study --title {}`",
            shell_quote(&title)
        )));
    }
    if let Some(found) = PROJECT_FILES.iter().find(|name| root.join(name).exists()) {
        return Err(Failure::Usage(format!(
            "{} already exists, so {} already holds a project; nothing was changed. Choose a new folder, \
             or add a report to this one with `wingreport new site ID --root {}`",
            root.join(found).display(),
            root.display(),
            root.display()
        )));
    }

    let files = project_files(&title, site, current_year());
    let written = write_project(root, &files);
    if let Err(failure) = written {
        // Only what this run created is removed.
        if existed {
            for name in PROJECT_FILES {
                let path = root.join(name);
                let _ = if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
            }
        } else {
            let _ = std::fs::remove_dir_all(root);
        }
        return Err(failure);
    }
    let mut written: Vec<String> = files.into_iter().map(|(path, _)| path).collect();
    written.push(SCHEMA_FILE.to_string());
    Ok(NewProject { dir: root.to_path_buf(), site: site.to_string(), files: written })
}

/// `content/` is created first and with `create_dir`, so a project that
/// appeared meanwhile is never written into.
fn write_project(root: &Path, files: &[(String, String)]) -> Result<(), Failure> {
    std::fs::create_dir_all(root).map_err(|e| io_error(root, &e))?;
    let content = root.join("content");
    std::fs::create_dir(&content).map_err(|e| io_error(&content, &e))?;
    for (rel, text) in files {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_error(parent, &e))?;
        }
        write_new(&path, text)?;
    }
    write_schema(root)
}

/// Trims `value` and refuses an empty or multi-line one.
fn one_line_value(value: &str, flag: &str, what: &str) -> Result<String, Failure> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Failure::Usage(format!("{flag} is empty; give {what}")));
    }
    if value.chars().any(char::is_control) {
        return Err(Failure::Usage(format!("{flag} must be one line of text")));
    }
    Ok(value.to_string())
}

/// `s` as one shell word, for a command in a hint.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The project's files (paths relative to the project) and their text.
fn project_files(title: &str, site: &str, year: i64) -> Vec<(String, String)> {
    // The title lives in series.yaml alone, which every page shows.
    let config = "# Site configuration (see \"wingreport.toml\" in README.md).\n\
                  language = \"en-GB\"\n"
        .to_string();
    let series = format!(
        "# The study series, shown on the front page (see \"content/series.yaml\" in README.md).\n\
         # Replace the placeholders below with what your study states.\n\
         title: {title}\n\
         authors: [Author Name]\n\
         {year_line}\n\
         summary: >-\n  \
         One paragraph introducing the study for the front page.\n",
        title = scalar(title),
        year_line = year_line(year).trim_end(),
    );
    let page = "---\n\
                title: About this study\n\
                weight: 1\n\
                ---\n\
                \n\
                Replace this placeholder text with what readers should know about the study as a\n\
                whole: who carried it out, why, and how. Each file in `content/pages/` becomes\n\
                a page linked from the top bar.\n";
    let folder = format!("content/sites/{site}");
    vec![
        ("wingreport.toml".to_string(), config),
        ("content/series.yaml".to_string(), series),
        (format!("{folder}/{RECORD}"), project_record(site, title, year)),
        (format!("{folder}/{INTRODUCTION}"), project_introduction()),
        ("content/pages/about.md".to_string(), page.to_string()),
    ]
}

/// The site record of a new project: the six keys every study knows, and
/// nothing it has not found yet.
fn project_record(id: &str, title: &str, year: i64) -> String {
    let mut y = String::new();
    let _ = writeln!(y, "# yaml-language-server: $schema=../../../{SCHEMA_FILE}");
    y.push_str(
        "# The record of one report (see \"A site record\" in README.md). It holds only what\n\
         # a new study knows: add the optional blocks your report uses (lists, tables,\n\
         # quotes...) and run `wingreport check --drafts`. Unknown keys are errors.\n\n",
    );
    commented(&mut y, &format!("id: {id}"), "Slug [a-z0-9-]+; must equal the folder name");
    let _ = writeln!(y, "title: {}", scalar(title));
    authors_to_summary(&mut y, year);
    y
}

/// The required keys after the title, with placeholders: the same in every
/// scaffolded record.
fn authors_to_summary(y: &mut String, year: i64) {
    commented(y, "authors: [Author Name]", "List of names, in order");
    y.push_str(&year_line(year));
    commented(y, "status: draft", "draft | review | published; a draft never reaches `build` output");
    commented(y, "summary: >-", "One paragraph for the series index card");
    y.push_str("  One paragraph summarising this report for its card on the series index.\n");
}

/// The `year` line: a year is a number, so no text can stand in for it;
/// the comment after it is the placeholder (see [`UNCONFIRMED_YEAR`]).
fn year_line(year: i64) -> String {
    let mut line = String::new();
    commented(
        &mut line,
        &format!("year: {year}"),
        &format!("{UNCONFIRMED_YEAR}; write the year of publication, then delete this comment"),
    );
    line
}

fn project_introduction() -> String {
    "---\n\
     title: Introduction\n\
     weight: 1\n\
     ---\n\
     \n\
     Replace this placeholder text with the first section of the report. Each\n\
     `##` heading below becomes a numbered subsection; add more sections as more\n\
     `.md` files in this folder, ordered by their `weight`. The content guide in\n\
     README.md explains citations, cross-references and the shortcodes that pull\n\
     the record into the text.\n\
     \n\
     ## Background\n\
     \n\
     Placeholder text.\n"
        .to_string()
}

/// Writes `site.schema.json` at the project root, replacing it atomically.
pub fn write_schema(root: &Path) -> Result<(), Failure> {
    let path = root.join(SCHEMA_FILE);
    let mut builder = tempfile::Builder::new();
    // A temporary file is made readable by its owner alone; the schema is
    // for everyone sharing the project, as the files `new` writes beside it
    // are (0666 less the umask).
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut file = builder.tempfile_in(root).map_err(|e| io_error(&path, &e))?;
    file.write_all(site_schema_json().as_bytes()).map_err(|e| io_error(&path, &e))?;
    file.persist(&path).map_err(|e| io_error(&path, &e.error))?;
    Ok(())
}

fn write_new(path: &Path, contents: impl AsRef<[u8]>) -> Result<(), Failure> {
    let mut file =
        std::fs::OpenOptions::new().write(true).create_new(true).open(path).map_err(|e| io_error(path, &e))?;
    file.write_all(contents.as_ref()).map_err(|e| io_error(path, &e))
}

fn io_error(path: &Path, err: &std::io::Error) -> Failure {
    Failure::Io(format!("cannot write {}: {err}", path.display()))
}

/// Same rule as `validate` applies to a record's `id`.
fn is_slug(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// `Drake Hall` -> `drake-hall`, for the hint of a bad id.
fn suggest_slug(s: &str) -> Option<String> {
    let lowered: String =
        s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let slug = lowered.split('-').filter(|part| !part.is_empty()).collect::<Vec<_>>().join("-");
    (!slug.is_empty()).then_some(slug)
}

/// The project's frameworks, for commented-out `social_capital` and `ladder`
/// examples that fit them; the defaults when the file is missing or broken
/// (`check` reports that on its own).
fn read_frameworks(root: &Path) -> Frameworks {
    let path = root.join("content").join("frameworks.yaml");
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| crate::load::parse_yaml::<Frameworks>(&text, "content/frameworks.yaml", 0).ok())
        .unwrap_or_default()
}

fn current_year() -> i64 {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    year_of_day((secs / 86_400) as i64)
}

/// Gregorian year of a day counted from 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn year_of_day(days: i64) -> i64 {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    yoe + era * 400 + i64::from(month <= 2)
}

/// A YAML scalar for `s`: plain when that reads back as the same text,
/// otherwise double-quoted (a JSON string is a valid YAML one).
fn scalar(s: &str) -> String {
    let plain_chars = s.chars().all(|c| c.is_ascii_alphanumeric() || " ,.'&()/-".contains(c));
    let starts_well = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    let special = ["true", "false", "yes", "no", "on", "off", "null", "y", "n"].contains(&s.to_lowercase().as_str());
    if plain_chars && starts_well && !special && s.trim_end() == s {
        s.to_string()
    } else {
        serde_json::to_string(s).expect("a string always serialises")
    }
}

/// Appends `line` with its comment starting at column 32 (or after one space).
fn commented(out: &mut String, line: &str, comment: &str) {
    let _ = writeln!(out, "{line:<30} # {comment}");
}

/// `site.yaml`: required keys with placeholders, optional blocks commented
/// out, in the order of the content contract. Commented-out YAML lines start
/// with `# ` followed by valid YAML; explanations start with a capital letter
/// or sit after the YAML on the same line.
fn record(id: &str, prison: Option<&str>, frameworks: &Frameworks, year: i64) -> String {
    let mut y = String::new();
    let _ = writeln!(y, "# yaml-language-server: $schema=../../../{SCHEMA_FILE}");
    y.push_str(
        "# The record of one site report (see \"A site record\" in README.md). Replace the\n\
         # placeholders, uncomment the optional blocks you need (remove the leading \"# \"),\n\
         # and run `wingreport check --drafts`. Unknown keys are errors.\n\n",
    );
    commented(&mut y, &format!("id: {id}"), "Slug [a-z0-9-]+; must equal the folder name");
    // Only what the author gave: a prison is never guessed from the id.
    match prison {
        Some(prison) => {
            // The prison's name alone: what the report is about is the author's to say.
            let _ = writeln!(y, "title: {}", scalar(prison));
            commented(&mut y, &format!("prison: {}", scalar(prison)), "The prison's name");
        }
        None => {
            commented(&mut y, "title: Title of this report", "The report's title");
            commented(&mut y, "# prison: HMP Example", "Optional: the prison's name, when the report is about one");
        }
    }
    commented(&mut y, "# subtitle: Subtitle of this report", "Optional: one line under the title on the cover");
    commented(&mut y, "# setting: Five men's prisons in England", "Optional: where the study took place, in words");
    commented(&mut y, "# wing: The wing or unit name", "Optional");
    authors_to_summary(&mut y, year);
    cover_lines(&mut y);
    commented(&mut y, "# weight: 1", "Optional: order on the series index (then by title)");

    y.push_str("\n# Optional blocks: remove the leading \"# \" from a block's lines to use it.\n");
    profile_block(&mut y);
    delivery_block(&mut y);
    y.push('\n');
    commented(&mut y, "# phases:", "The activity programme, {{ phases() }}; only `name` is required");
    y.push_str("#   - {name: Wing course, weeks: 8, location: Education building classroom, cohort: \"8-10\"}\n\n");

    commented(&mut y, "# sample:", "Who took part, `label: whole number`; shown on the cover");
    y.push_str("#   interviews: 20\n#   focus groups: 2\n\n");

    commented(&mut y, "# attributes:", "The attribute-priority chart, {{ attributes_chart(id=\"fig-attributes\") }}");
    commented(&mut y, "#   n: 20", "Respondents; every count must be at most n");
    y.push_str("#   source: interviews\n");
    commented(&mut y, "#   illustrative: false", "true = the numbers are not study data; page and chart say so");
    commented(&mut y, "#   items:", "Any order; the chart sorts by count, descending");
    y.push_str("#     - {name: Approachable, count: 15}\n#     - {name: Trustworthy, count: 12}\n\n");

    social_capital_example(&mut y, frameworks);
    ladder_example(&mut y, frameworks);

    commented(&mut y, "# roles:", "The site's peer involvement roles, {{ roles() }}");
    y.push_str("#   - title: Induction orderly\n");
    commented(&mut y, "#     paid: true", "true | false | a text such as \"Unpaid (part of Purple band role)\"");
    commented(&mut y, "#     lcr: low", "Optional: low | medium | high | low-high");
    commented(&mut y, "#     induction: \"Yes\"", "Free text cells");
    y.push_str("#     single_issue: \"Yes\"\n#     bridging: \"No\"\n#     representation: \"No\"\n\n");

    commented(&mut y, "# lists:", "Named lists, {{ list(key=\"enablers\") }}");
    y.push_str("#   enablers:\n#     title: Enablers to a more fulfilling life in prison\n");
    commented(&mut y, "#     ordered: true", "true = numbered in priority order");
    y.push_str("#     items:\n#       - {text: Ways to keep in contact with family, detail: Optional detail}\n\n");

    commented(&mut y, "# tables:", "Any other table, {{ table(key=\"recruitment\", id=\"tbl-recruitment\") }}");
    y.push_str(
        "#   recruitment:\n#     caption: Example recruitment requirements\n#     columns: [Mentors, Mentees]\n",
    );
    commented(&mut y, "#     rows: [[Good behaviour record, Willing to engage]]", "One cell per column");
    y.push('\n');

    commented(&mut y, "# recommendations:", "Recommendations under headings, {{ recommendations() }}");
    y.push_str(
        "#   - heading: A recommendation heading\n#     items: [First recommendation, Second recommendation]\n\n",
    );

    commented(&mut y, "# quotes:", "Pseudonymised quotations, {{ quote(id=\"sam-trust\") }}");
    commented(&mut y, "#   - id: sam-trust", "Unique within the site");
    commented(&mut y, "#     speaker: Sam", "A pseudonym; checked against the real-names deny-list");
    y.push_str("#     role: Resident\n");
    commented(&mut y, "#     method: interview", "interview | focus-group | workshop | observation | survey | written");
    y.push_str("#     text: They listen.\n");
    y
}

/// The cover's optional lines, commented out. The subtitle, publisher,
/// ISBN and DOI are placeholders, refused once the report is not a draft:
/// a made-up identifier must not reach a published cover.
fn cover_lines(y: &mut String) {
    commented(y, "# publisher: Name of the publisher", "Optional: who published the report; on the cover");
    commented(y, "# isbn: 978-1-234567-89-7", "Optional: ISBN-10 or ISBN-13; its check digit is verified");
    commented(y, "# doi: 10.1234/placeholder", "Optional: the DOI alone; the cover links it to https://doi.org/");
    commented(
        y,
        "# licence: \"[Open Government Licence v3.0](https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/)\"",
        "Optional: Markdown; on the cover",
    );
    commented(
        y,
        "# disclaimer: The views expressed are the authors' own.",
        "Optional: Markdown; at the foot of the cover",
    );
}

/// The `profile` block, commented out like every optional block: its
/// example values are not findings, so none is written live.
fn profile_block(y: &mut String) {
    y.push('\n');
    commented(y, "# profile:", "The site profile table, {{ profile() }}; every field optional");
    y.push_str("#   category: Category C training and resettlement prison\n");
    y.push_str("#   resident_profile: Adult men serving short and intermediate sentences\n");
    commented(y, "#   estate: male", "male | female | mixed");
    y.push_str("#   region: West Midlands\n");
    commented(y, "#   population: 600", "A whole number of 0 or more");
    commented(y, "#   extra:", "More `label: value` rows");
    y.push_str("#     Location: The county or city\n");
}

/// The `delivery` block, commented out (see `profile_block`).
fn delivery_block(y: &mut String) {
    y.push('\n');
    commented(y, "# delivery:", "The delivery-model table, {{ delivery() }}; every field optional");
    y.push_str("#   role: Peer mentor\n");
    commented(y, "#   paid: false", "true | false");
    y.push_str("#   training_provider: The prison's learning and skills provider\n");
    y.push_str("#   training: Level 2 Award in Mentoring\n");
    commented(
        y,
        "#   accreditation: accredited-l2",
        "accredited-l1 | accredited-l2 | accredited-l3 | unaccredited | mixed",
    );
    y.push_str("#   supervision: Weekly meeting with the wing team\n");
    y.push_str("#   progression: To be confirmed\n");
}

/// One commented-out rating per stage of the project's framework, so the
/// block is complete once uncommented.
fn social_capital_example(y: &mut String, frameworks: &Frameworks) {
    let (stages, ratings): (Vec<(u32, String)>, Vec<String>) = match &frameworks.social_capital {
        Some(sc) if !sc.stages.is_empty() && !sc.ratings.is_empty() => (
            sc.stages.iter().map(|s| (s.n.value, one_line(&s.question))).collect(),
            sc.ratings.keys().cloned().collect(),
        ),
        _ => (vec![(1, String::new()), (2, String::new())], vec!["green".to_string(), "amber".to_string()]),
    };
    commented(y, "# social_capital:", "One entry per stage of content/frameworks.yaml, {{ social_capital() }}");
    let _ = writeln!(y, "#   # Ratings (keys of social_capital.ratings in frameworks.yaml): {}", ratings.join(" | "));
    for (n, question) in stages {
        if !question.is_empty() {
            let _ = writeln!(y, "#   # Stage {n}: {question}");
        }
        let _ = writeln!(y, "#   - {{stage: {n}, rating: {}, evidence: Evidence for this rating}}", ratings[0]);
    }
    y.push('\n');
}

fn ladder_example(y: &mut String, frameworks: &Frameworks) {
    let levels: Vec<u32> = frameworks.ladder.iter().flat_map(|l| l.levels.iter().map(|lv| lv.n)).collect();
    let (current, target) = match (levels.first(), levels.last()) {
        (Some(first), Some(last)) => (levels.get(1).unwrap_or(first), last),
        _ => (&1, &4),
    };
    commented(
        y,
        &format!("# ladder: {{current: {current}, target: {target}, note: A note on the ladder}}"),
        "Levels of content/frameworks.yaml, {{ ladder() }}",
    );
    y.push('\n');
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn introduction() -> String {
    "---\n\
     title: Introduction\n\
     weight: 1\n\
     ---\n\
     \n\
     Replace this placeholder text with an introduction to the report: where the\n\
     study took place, who took part, and how the work was set up. Each\n\
     `##` heading below becomes a numbered subsection.\n\
     \n\
     ## The site\n\
     \n\
     Placeholder text. Once the record has a `profile:` block, a line holding only\n\
     `{{ profile() }}` shows it as a table here, and `{{ delivery() }}` the\n\
     `delivery:` block.\n"
        .to_string()
}

fn findings() -> String {
    "---\n\
     title: Findings\n\
     weight: 2\n\
     ---\n\
     \n\
     Replace this placeholder text with what the study found at this site. The\n\
     content guide in README.md lists the shortcodes that pull the record into\n\
     the text (charts, the social capital matrix, roles, lists, quotations) and\n\
     explains citations and cross-references.\n\
     \n\
     ## What worked well\n\
     \n\
     Placeholder text.\n\
     \n\
     ## What could be improved\n\
     \n\
     Placeholder text.\n"
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_in_text_but_not_in_yaml_comments() {
        let yaml = "# Replace this placeholder text\nauthors: [Author Name]\n";
        assert_eq!(placeholders_in(yaml, true), vec![(42, "Author Name")]);
        assert_eq!(placeholders_in(yaml, false), vec![(2, "Replace this placeholder text"), (42, "Author Name")]);
        assert!(placeholders_in("Placeholder text, and an author name", false).is_empty());
    }

    /// Found by QA: a published report carried the year `new` ran in,
    /// which the author never wrote.
    #[test]
    fn the_year_new_writes_is_a_placeholder_in_both_files_it_writes() {
        let files = project_files("A study", "first-report", 2031);
        for text in [&files[1].1, &files[2].1] {
            let line = text.lines().find(|l| l.starts_with("year: 2031")).unwrap();
            let at = text.find(line).unwrap() + line.find(UNCONFIRMED_YEAR).unwrap();
            assert!(placeholders_in(text, true).contains(&(at, UNCONFIRMED_YEAR)), "{text}");
        }
        let series: crate::model::Series = serde_saphyr::from_str(&files[1].1).unwrap();
        assert_eq!(series.year, 2031, "a draft still builds with it");
        let text = record("a-site", None, &Frameworks::default(), 2031);
        assert_eq!(placeholders_in(&text, true).iter().filter(|(_, p)| *p == UNCONFIRMED_YEAR).count(), 1);
    }

    #[test]
    fn bad_ids_get_a_slug_suggestion() {
        assert_eq!(suggest_slug("Drake Hall").as_deref(), Some("drake-hall"));
        assert_eq!(suggest_slug("--HMP_Risley!").as_deref(), Some("hmp-risley"));
        assert_eq!(suggest_slug("!!"), None);
    }

    #[test]
    fn scalars_are_quoted_only_when_plain_would_change_them() {
        assert_eq!(scalar("HMP Drake Hall"), "HMP Drake Hall");
        assert_eq!(scalar("HMP Styal: women's estate"), "\"HMP Styal: women's estate\"");
        assert_eq!(scalar("No"), "\"No\"");
        assert_eq!(scalar("2024"), "\"2024\"");
        assert_eq!(scalar("# hash"), "\"# hash\"");
    }

    #[test]
    fn year_of_day_handles_leap_years_and_year_ends() {
        assert_eq!(year_of_day(0), 1970);
        assert_eq!(year_of_day(19_722), 2023); // 2023-12-31
        assert_eq!(year_of_day(19_723), 2024); // 2024-01-01
        assert_eq!(year_of_day(20_088), 2024); // 2024-12-31, a leap year
    }

    #[test]
    fn project_record_parses_and_holds_only_the_six_required_keys() {
        let text = project_record("first-report", "A study: of mentoring", 2025);
        let parsed: crate::model::SiteRecord = crate::load::parse_yaml(&text, "site.yaml", 0).unwrap();
        assert_eq!(parsed.title, "A study: of mentoring");
        assert_eq!(parsed.status, crate::model::Status::Draft);

        let six: Vec<String> =
            ["id", "title", "authors", "year", "status", "summary"].iter().map(|k| k.to_string()).collect();
        let keys: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with([' ', '#']) && !l.is_empty())
            .filter_map(|l| l.split(':').next())
            .collect();
        assert_eq!(keys, six, "{text}");
    }

    #[test]
    fn project_title_is_in_series_yaml_alone() {
        let files = project_files("A \"quoted\" title", "first-report", 2025);
        let config: crate::model::Config = toml::from_str(&files[0].1).unwrap();
        assert_eq!(config.title, None);
        let series: crate::model::Series = serde_saphyr::from_str(&files[1].1).unwrap();
        assert_eq!(series.title, "A \"quoted\" title");
    }

    #[test]
    fn record_with_no_frameworks_parses() {
        for prison in [Some("HMP A"), None] {
            let text = record("a-site", prison, &Frameworks::default(), 2025);
            let parsed: crate::model::SiteRecord = crate::load::parse_yaml(&text, "site.yaml", 0).unwrap();
            assert_eq!(parsed.prison.as_deref(), prison);
            assert!(parsed.profile.is_none() && parsed.delivery.is_none(), "example blocks stay commented out");
        }
        let text = record("a-site", None, &Frameworks::default(), 2025);
        let parsed: crate::model::SiteRecord = crate::load::parse_yaml(&text, "site.yaml", 0).unwrap();
        assert_eq!(parsed.id.value, "a-site");
        assert_eq!(parsed.status, crate::model::Status::Draft);
        assert!(text.starts_with("# yaml-language-server: $schema=../../../site.schema.json\n"));
    }
}
