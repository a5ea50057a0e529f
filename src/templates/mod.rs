//! Stage 4, template: Tera setup and theme lookup. The default theme is
//! compiled into the binary; a project's `themes/<name>/` overrides it file
//! by file. Renders views it is given; builds no data of its own.

use std::collections::BTreeSet;
use std::path::Path;

use include_dir::{Dir, include_dir};
use serde::Serialize;

mod parse_error;
mod writers;

use crate::diagnostics::{Diagnostic, rel_path};
use crate::tags::after_end_tag;
use parse_error::parse_error;
pub use writers::{Place, TemplateTags};

static DEFAULT_THEME: Dir = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// Every file of the built-in theme, by path inside it (`templates/base.html`,
/// `static/style.css`), for `wingreport new theme` to write out.
pub fn builtin_files() -> Vec<(String, &'static [u8])> {
    fn walk(dir: &'static Dir<'static>, out: &mut Vec<(String, &'static [u8])>) {
        for entry in dir.entries() {
            match entry {
                include_dir::DirEntry::Dir(sub) => walk(sub, out),
                include_dir::DirEntry::File(file) => {
                    out.push((file.path().to_string_lossy().replace('\\', "/"), file.contents()))
                }
            }
        }
    }
    let mut files = Vec::new();
    walk(&DEFAULT_THEME, &mut files);
    files.sort();
    files
}

/// Where a template's variables are documented, for hints.
pub const THEME_GUIDE: &str = "the variables each template receives are listed under \"Themes\" in README.md, and \
     `wingreport new theme NAME` writes the built-in templates out to compare with";

/// The templates and static files of the active theme.
pub struct Theme {
    tera: tera::Tera,
    /// Names (without `.html`) of every template under `shortcodes/`.
    pub shortcodes: BTreeSet<String>,
    /// Files to copy to `static/`, by path relative to the theme's `static/`.
    pub static_files: Vec<StaticFile>,
    /// Where each template came from, for error messages.
    origins: std::collections::HashMap<String, String>,
    /// Files of the project theme that no build uses, though it can
    /// still be right without them.
    pub warnings: Vec<Diagnostic>,
    /// The tags of its templates, to report a problem of a page at the
    /// template line that wrote it.
    pub tags: std::sync::Arc<TemplateTags>,
    /// Digest of the project theme's files; the built-in theme's are the
    /// binary's own, which the build cache tells apart by itself.
    pub digest: u128,
}

/// A file of the theme's `static/` folder, copied to the output's.
pub struct StaticFile {
    /// Its path under `static/`, as `fonts/brand.woff2`.
    pub name: String,
    pub bytes: Vec<u8>,
    /// Where it was written, for error messages: `themes/acme/static/brand.css`.
    pub source: String,
}

impl Theme {
    /// The built-in theme with the project's theme files layered over it.
    pub fn load(root: &Path, name: &str) -> Result<Theme, Vec<Diagnostic>> {
        let mut templates: std::collections::BTreeMap<String, (String, String)> = Default::default();
        let mut statics = Statics::default();
        collect_embedded(&mut templates, &mut statics);

        let project_theme = root.join("themes").join(name);
        let mut diags = Vec::new();
        let mut warnings = Vec::new();
        if project_theme.is_dir() {
            collect_project(root, &project_theme, &mut templates, &mut statics)?;
            (diags, warnings) = unused_files(root, &project_theme, &templates);
        } else if name != "default" {
            return Err(vec![theme_not_found(root, name)]);
        }

        let digest = project_files_digest(&templates, &statics);
        let mut tera = tera::Tera::new();
        let mut origins = std::collections::HashMap::new();
        for (tpl_name, (origin, _)) in &templates {
            origins.insert(tpl_name.clone(), origin.clone());
        }
        let raw: Vec<(&str, &str)> = templates.iter().map(|(n, (_, t))| (n.as_str(), t.as_str())).collect();
        register_filters(&mut tera);
        if let Err(err) = tera.add_raw_templates(raw) {
            let origin = if project_theme.is_dir() { rel_path(root, &project_theme) } else { BUILT_IN.to_string() };
            diags.push(parse_error(&err, &origin, &templates));
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        let shortcodes = templates
            .keys()
            .filter_map(|n| n.strip_prefix("shortcodes/")?.strip_suffix(".html"))
            .map(str::to_string)
            .collect();
        let static_files =
            statics.into_iter().map(|(name, (source, bytes))| StaticFile { name, bytes, source }).collect();
        // Without a theme of the project's, no template is the author's to fix.
        let tags = match project_theme.is_dir() {
            true => TemplateTags::new(templates.into_values().map(|(origin, text)| {
                let own = !is_built_in(&origin);
                (origin, text, own)
            })),
            false => TemplateTags::default(),
        };
        Ok(Theme { tera, shortcodes, static_files, origins, warnings, tags: std::sync::Arc::new(tags), digest })
    }

    /// Renders a template with a serialisable view as its context.
    pub fn render(&self, template: &str, view: &impl Serialize) -> Result<String, Diagnostic> {
        self.render_with(template, view, [])
    }

    /// Renders a whole page: `render`, then [`without_indentation`] and
    /// [`without_nul`].
    pub fn render_page(&self, template: &str, view: &impl Serialize) -> Result<String, Diagnostic> {
        self.render(template, view).map(|html| without_nul(without_indentation(&html)))
    }

    /// Like `render`, with extra variables that are already template values.
    pub fn render_with<const N: usize>(
        &self,
        template: &str,
        view: &impl Serialize,
        extra: [(&'static str, tera::Value); N],
    ) -> Result<String, Diagnostic> {
        let mut context = tera::Context::from_serialize(view).map_err(|e| self.error(template, &e))?;
        for (name, value) in extra {
            context.insert_value(name, value);
        }
        self.tera.render(template, &context).map_err(|e| self.error(template, &e))
    }

    /// A template that failed while rendering, at the line and column Tera
    /// names when it does, else at the template.
    fn error(&self, template: &str, err: &tera::Error) -> Diagnostic {
        let hint = THEME_GUIDE;
        let message = with_causes(err, "\n");
        match located(&message) {
            Some(at) => {
                let file = self.origins.get(&at.template).cloned().unwrap_or(at.template);
                Diagnostic::new(file, at.line, at.col, format!("template error: {}", at.what)).with_hint(hint)
            }
            None => {
                let origin = self.origins.get(template).cloned().unwrap_or_else(|| template.to_string());
                Diagnostic::whole_file(origin, format!("template error: {}", message.replace('\n', ": ")))
                    .with_hint(hint)
            }
        }
    }
}

/// Whether the output file at `path` (`static/search.js`) is the built-in
/// theme's own file of that name, unchanged.
pub fn is_built_in_static(path: &str, bytes: &[u8]) -> bool {
    DEFAULT_THEME.get_file(path).is_some_and(|file| file.contents() == bytes)
}

/// One undefined variable in a template that every kind of page shares
/// (`base.html`) fails each kind, with the variables of that kind: one
/// problem, listing the variables all of them have.
pub fn merge_undefined(diags: &mut Vec<Diagnostic>) {
    const LIST: &str = " Available variables: ";
    let mut first: std::collections::HashMap<(String, usize, usize, String), usize> = Default::default();
    let mut repeat = vec![false; diags.len()];
    for i in 0..diags.len() {
        let Some((what, list)) = diags[i].message.split_once(LIST) else { continue };
        let (what, list) = (what.to_string(), list.to_string());
        let key = (diags[i].path.clone(), diags[i].line, diags[i].col, what.clone());
        let Some(&kept) = first.get(&key) else {
            first.insert(key, i);
            continue;
        };
        let here: BTreeSet<&str> = list.split(", ").collect();
        let (_, kept_list) = diags[kept].message.split_once(LIST).unwrap_or_default();
        let common: Vec<&str> = kept_list.split(", ").filter(|v| here.contains(v)).collect();
        diags[kept].message = format!("{what}{LIST}{}", common.join(", "));
        repeat[i] = true;
    }
    let mut repeats = repeat.into_iter();
    diags.retain(|_| !repeats.next().unwrap_or(false));
}

/// `theme = "NAME"` names no folder of themes/: at its line in
/// wingreport.toml, with the nearest theme there when it is a typo.
fn theme_not_found(root: &Path, name: &str) -> Diagnostic {
    let config = std::fs::read_to_string(root.join("wingreport.toml")).unwrap_or_default();
    let at = config.lines().enumerate().find_map(|(i, line)| {
        let value = line.trim_start().strip_prefix("theme")?.trim_start().strip_prefix('=')?;
        let col = line.len() - value.trim_start().len() + 1;
        Some((i + 1, col))
    });
    let themes: Vec<String> = std::fs::read_dir(root.join("themes"))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| entry.path().join("templates").is_dir() || entry.path().join("static").is_dir())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .chain(["default".to_string()])
        .collect();
    // `themes/acme`, as the folder is found on disk.
    let folder = name.trim_end_matches(['/', '\\']).rsplit(['/', '\\']).next().unwrap_or_default();
    let hint = match crate::diagnostics::did_you_mean(name, themes.iter().map(String::as_str)) {
        _ if !folder.is_empty() && folder != name => {
            format!("name the theme by its folder in themes/, without a path: `theme = \"{folder}\"`")
        }
        Some(near) => format!("did you mean `{near}`? Themes are the folders of themes/, and `default`"),
        None => format!("create themes/{name}/templates/, or set `theme = \"default\"`"),
    };
    let message = format!("theme `{name}` not found");
    match at {
        Some((line, col)) => Diagnostic::new("wingreport.toml", line, col, message),
        None => Diagnostic::whole_file("wingreport.toml", message),
    }
    .with_hint(hint)
}

/// A `{{ }}`, `{% %}` or `{# #}` block of a template.
struct Block<'a> {
    /// Byte offset just after its closing delimiter.
    end: usize,
    /// What is between its delimiters, without `-` and spaces around it.
    inner: &'a str,
    /// A `{% %}` tag, whose first word is a keyword.
    tag: bool,
}

impl Block<'_> {
    /// The keyword of a `{% … %}` tag (`if`, `endfor`); "" for any other block.
    fn keyword(&self) -> &str {
        let word = self.inner.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').next();
        if self.tag { word.unwrap_or("") } else { "" }
    }
}

/// The block starting at byte `at` of a template's `text`, if one starts
/// there and is closed.
fn block_at(text: &str, at: usize) -> Option<Block<'_>> {
    let close = match text.get(at..at + 2)? {
        "{{" => "}}",
        "{%" => "%}",
        "{#" => "#}",
        _ => return None,
    };
    let len = text[at + 2..].find(close)?;
    let inner = text[at + 2..at + 2 + len].trim_matches(|c: char| c == '-' || c.is_whitespace());
    Some(Block { end: at + 2 + len + 2, inner, tag: close == "%}" })
}

/// Tera's message, then those of the errors that caused it, joined by `separator`.
fn with_causes(err: &tera::Error, separator: &str) -> String {
    let mut message = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        message.push_str(separator);
        message.push_str(&inner.to_string());
        source = inner.source();
    }
    message
}

/// Where a Tera message places its error (`--> site.html:42:14`), and its
/// words for what went wrong.
struct Located {
    template: String,
    line: usize,
    col: usize,
    what: String,
}

fn located(message: &str) -> Option<Located> {
    static AT: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"-->\s*(\S+?):(\d+):(\d+)").expect("a valid regular expression")
    });
    let at = AT.captures(message)?;
    let what = message
        .lines()
        .map(|l| l.trim().trim_start_matches("error:").trim())
        .find(|l| !l.is_empty() && !l.starts_with("Failed to parse") && !l.starts_with("-->"))
        .unwrap_or("unexpected text");
    Some(Located {
        template: at[1].to_string(),
        line: at[2].parse().unwrap_or(0),
        col: at[3].parse().unwrap_or(0),
        what: what.to_string(),
    })
}

/// Elements whose whitespace is kept as written: preformatted text, form
/// text, and code.
const VERBATIM: [&str; 4] = ["pre", "textarea", "script", "style"];

/// `page` with each NUL as U+FFFD, as an HTML parser reads it. The loader
/// refuses a NUL in content; the text of a page is escaped in several places
/// (templates, Markdown, shortcodes), and none of them changes a NUL, which
/// a page must not hold.
fn without_nul(page: String) -> String {
    if memchr::memchr(0, page.as_bytes()).is_some() { page.replace('\0', "\u{fffd}") } else { page }
}

/// `html` without the indentation its templates gave each line, nor blank
/// lines: after a line break, spaces, tabs and more line breaks are dropped,
/// except inside the [`VERBATIM`] elements. A browser shows the page the
/// same (a line break is a space already), and a report page is about 1.3%
/// smaller, which counts at 1,000 reports.
pub fn without_indentation(html: &str) -> String {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len());
    let mut copied = 0;
    let mut at = 0;
    // Where the next verbatim element starts, found once per element
    // rather than by stopping at every tag.
    let mut verbatim = next_verbatim(bytes, 0);
    while let Some(found) = memchr::memchr(b'\n', &bytes[at..]) {
        let i = at + found;
        if let Some((start, name)) = verbatim
            && start < i
        {
            at = after_end_tag(bytes, start + 1 + name.len(), name);
            verbatim = next_verbatim(bytes, at);
            continue;
        }
        out.push_str(&html[copied..=i]);
        at = i + 1;
        while bytes.get(at).is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
            at += 1;
        }
        copied = at;
    }
    out.push_str(&html[copied..]);
    out
}

/// The first verbatim element's `<` at or after `from`, and its name.
fn next_verbatim(bytes: &[u8], from: usize) -> Option<(usize, &'static str)> {
    let mut at = from;
    while let Some(found) = memchr::memchr(b'<', &bytes[at..]) {
        let lt = at + found;
        if let Some(name) = verbatim_at(&bytes[lt + 1..]) {
            return Some((lt, name));
        }
        at = lt + 1;
    }
    None
}

/// The verbatim element whose start tag's name begins `tag` (just after `<`).
fn verbatim_at(tag: &[u8]) -> Option<&'static str> {
    VERBATIM.into_iter().find(|name| {
        tag.len() > name.len()
            && tag[..name.len()].eq_ignore_ascii_case(name.as_bytes())
            && matches!(tag[name.len()], b'>' | b' ' | b'\t' | b'\n' | b'/')
    })
}

/// What a project theme holds that no build will use, each at its file:
/// an error when its name is close to one that would be used (the author
/// meant that), else a warning. `theme_dir` is `themes/<name>/`.
fn unused_files(root: &Path, theme_dir: &Path, templates: &Templates) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let (mut errors, mut warnings) = (Vec::new(), Vec::new());
    let theme = rel_path(root, theme_dir);
    let folders = std::fs::read_dir(theme_dir).into_iter().flatten().flatten();
    for folder in folders.filter(|e| e.path().is_dir() && !crate::load::is_editor_noise(&e.path())) {
        let name = folder.file_name().to_string_lossy().into_owned();
        if name == "templates" || name == "static" {
            continue;
        }
        let at = Diagnostic::whole_file(format!("{theme}/{name}/"), format!("folder `{name}/` is not read"));
        match crate::diagnostics::did_you_mean(&name, ["templates", "static"]) {
            Some(near) => errors.push(at.with_hint(format!(
                "did you mean `{near}/`? A theme has templates/ and static/: rename the folder to {theme}/{near}/"
            ))),
            None => warnings.push(at.with_hint(format!(
                "a theme has only templates/ and static/: move what is in it to {theme}/static/{name}/ to publish it, \
                 or delete it"
            ))),
        }
    }

    let builtin: BTreeSet<String> = builtin_files()
        .into_iter()
        .filter_map(|(path, _)| Some(path.strip_prefix("templates/")?.to_string()))
        .collect();
    let used = used_names(templates);
    let own = templates.iter().filter(|(_, (origin, _))| !is_built_in(origin));
    for (name, (origin, _)) in own {
        if let Some(shortcode) = name.strip_prefix("shortcodes/") {
            let stem = shortcode.strip_suffix(".html").unwrap_or(shortcode);
            if !crate::markdown::shortcodes::is_shortcode_name(stem) || !shortcode.ends_with(".html") {
                let callable: String = stem.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
                errors.push(
                    Diagnostic::whole_file(origin, format!("shortcode template `{shortcode}` can never be called"))
                        .with_hint(format!(
                            "shortcode names use letters, digits and `_`, and the template ends in .html: rename it \
                             to shortcodes/{callable}.html and call it as `{{{{ {callable}() }}}}`"
                        )),
                );
            }
            continue;
        }
        if builtin.contains(name) || used.contains(name.as_str()) {
            continue;
        }
        // A built-in template this theme does not replace itself, whose
        // name this one's is close to: `partials/captions.html`, `Site.html`.
        let near = near_builtin(name, builtin.iter().filter(|b| !templates_own(templates, b)).map(String::as_str));
        let message = format!(
            "template `{name}` is not used: it replaces no built-in template, and no template \
                               includes or extends it"
        );
        match near {
            Some(near) => errors.push(Diagnostic::whole_file(origin, message).with_hint(format!(
                "did you mean `{near}`? A theme's template replaces the built-in one of the same name"
            ))),
            None => warnings.push(Diagnostic::whole_file(origin, message).with_hint(format!(
                "include it from a template that is used (`{{% include \"{name}\" %}}`), or delete it; the built-in \
                 templates are listed under \"Themes\" in README.md"
            ))),
        }
    }
    (errors, warnings)
}

/// Whether the project theme has its own `name`.
fn templates_own(templates: &Templates, name: &str) -> bool {
    templates.get(name).is_some_and(|(origin, _)| !is_built_in(origin))
}

/// The templates some template includes, extends or imports by name.
fn used_names(templates: &Templates) -> BTreeSet<&str> {
    static USE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"\{%-?\s*(?:include|extends|import)\s+["'`]([^"'`]+)["'`]"#)
            .expect("a valid regular expression")
    });
    templates
        .values()
        .flat_map(|(_, text)| USE.captures_iter(text).filter_map(|c| c.get(1)).map(|m| m.as_str()))
        .collect()
}

/// The built-in template (of `free`, those the theme does not replace)
/// that `name` looks like a misspelling of: the same file name in another
/// folder, or a close one in the same folder.
fn near_builtin<'a>(name: &str, free: impl Iterator<Item = &'a str> + Clone) -> Option<&'a str> {
    let split = |n: &'a str| n.rsplit_once('/').unwrap_or(("", n));
    let (folder, file) = name.rsplit_once('/').unwrap_or(("", name));
    if let Some(same) = free.clone().find(|b| split(b).1.eq_ignore_ascii_case(file)) {
        return Some(same);
    }
    let in_folder: Vec<&'a str> = free.filter(|b| split(b).0 == folder).collect();
    let found = crate::diagnostics::did_you_mean(file, in_folder.iter().map(|b| split(b).1))?;
    in_folder.into_iter().find(|b| split(b).1 == found)
}

type Templates = std::collections::BTreeMap<String, (String, String)>;
/// Static files by name, each with where it was written and its bytes.
type Statics = std::collections::BTreeMap<String, (String, Vec<u8>)>;

/// How a built-in template or static file is named where it was written.
const BUILT_IN: &str = "(built-in theme)";

/// Whether a template or static file written at `origin` is the built-in theme's.
fn is_built_in(origin: &str) -> bool {
    origin.starts_with(BUILT_IN)
}

fn collect_embedded(templates: &mut Templates, statics: &mut Statics) {
    for (path, contents) in builtin_files() {
        if let Some(name) = path.strip_prefix("templates/") {
            let text = String::from_utf8_lossy(contents).into_owned();
            templates.insert(name.to_string(), (format!("{BUILT_IN} templates/{name}"), text));
        } else if let Some(name) = path.strip_prefix("static/") {
            statics.insert(name.to_string(), (format!("{BUILT_IN} static/{name}"), contents.to_vec()));
        }
    }
}

/// Digest of the templates and static files the project's theme gives.
fn project_files_digest(templates: &Templates, statics: &Statics) -> u128 {
    let mut digest = crate::digest::Digest::new();
    for (name, (origin, text)) in templates.iter().filter(|(_, (origin, _))| !is_built_in(origin)) {
        digest.text(name).text(origin).text(text);
    }
    for (name, (source, bytes)) in statics.iter().filter(|(_, (source, _))| !is_built_in(source)) {
        digest.text(name).text(source).bytes(bytes);
    }
    digest.finish()
}

fn collect_project(
    root: &Path,
    theme_dir: &Path,
    templates: &mut Templates,
    statics: &mut Statics,
) -> Result<(), Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let entries = walkdir::WalkDir::new(theme_dir).sort_by_file_name().into_iter();
    // `.DS_Store`, swap and backup files are no part of the theme.
    let kept = entries.filter_entry(|e| e.depth() == 0 || !crate::load::is_editor_noise(e.path()));
    for entry in kept.filter_map(Result::ok) {
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = rel_path(theme_dir, entry.path());
        let read = std::fs::read(entry.path());
        let bytes = match read {
            Ok(b) => b,
            Err(err) => {
                diags.push(Diagnostic::whole_file(rel_path(root, entry.path()), format!("cannot read: {err}")));
                continue;
            }
        };
        if let Some(name) = rel.strip_prefix("templates/") {
            match String::from_utf8(bytes) {
                Ok(text) => {
                    templates.insert(name.to_string(), (rel_path(root, entry.path()), text));
                }
                Err(_) => {
                    diags.push(Diagnostic::whole_file(rel_path(root, entry.path()), "template is not UTF-8 text"))
                }
            }
        } else if let Some(name) = rel.strip_prefix("static/") {
            if crate::render::is_generated_static(name) {
                diags.push(generated_clash(root, theme_dir, entry.path(), name));
                continue;
            }
            statics.insert(name.to_string(), (rel_path(root, entry.path()), bytes));
        }
    }
    if diags.is_empty() { Ok(()) } else { Err(diags) }
}

/// A theme's static file at `name`, which has the path of a file the build
/// writes (see [`crate::render::is_generated_static`]).
fn generated_clash(root: &Path, theme_dir: &Path, file: &Path, name: &str) -> Diagnostic {
    let theme = theme_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let path = rel_path(root, file);
    if !name.to_ascii_lowercase().ends_with(".css") || name.contains('/') {
        Diagnostic::whole_file(
            path,
            format!("`static/{name}` is in the search index's folder, which wingreport writes at every build"),
        )
        .with_hint(format!(
            "move it to a folder of its own, such as `static/{theme}/`, and link it from there: \
             here it would replace a part of the index, or be replaced"
        ))
    } else {
        Diagnostic::whole_file(
            path,
            format!(
                "`static/{name}` has the name of a stylesheet wingreport writes at every build, which would replace it"
            ),
        )
        .with_hint(format!(
            "rename it, say to `{theme}-{name}`, and link it from the theme's base.html after the built-in stylesheets"
        ))
    }
}

fn register_filters(tera: &mut tera::Tera) {
    // Makes content-defined keys (rating names) safe as CSS class names.
    tera.register_filter("slug", |value: &str, _: tera::Kwargs, _: &tera::State| crate::markdown::slugify(value));
    // A table cell's text with its long words marked, as a Markdown
    // table's are, so that print may break them inside the cell.
    tera.register_filter("long_words", |value: &str, _: tera::Kwargs, _: &tera::State| {
        crate::markdown::long_words_marked(value)
            .map_or_else(|| tera::Value::from(value), |html| tera::Value::safe_string(&html))
    });
    // Joins a list of names as people write them: "A, B and C".
    tera.register_filter("and_list", |value: Vec<String>, _: tera::Kwargs, _: &tera::State| match value.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_theme_is_reported_at_its_line_with_the_nearest_one() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("themes/mine/templates")).unwrap();
        std::fs::write(dir.path().join("wingreport.toml"), "language = \"en-GB\"\ntheme = \"mne\"\n").unwrap();
        let diags = Theme::load(dir.path(), "mne").err().unwrap();
        assert_eq!((diags[0].line, diags[0].col), (2, 9));
        assert_eq!(diags[0].message, "theme `mne` not found");
        assert!(diags[0].hint.as_deref().unwrap().starts_with("did you mean `mine`?"), "{:?}", diags[0].hint);
    }

    /// The theme `mine` of a project whose one template `name` is `text`.
    fn theme_with(name: &str, text: &str) -> Theme {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("themes/mine/templates").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        Theme::load(dir.path(), "mine").unwrap()
    }

    #[test]
    fn a_template_failing_while_rendering_is_reported_at_its_line_and_column() {
        let theme = theme_with("shortcodes/callout.html", "<p>\n{{ args.txt | upper }}</p>\n");
        let diag = theme.render("shortcodes/callout.html", &serde_json::json!({"args": {}})).unwrap_err();
        assert_eq!(diag.path, "themes/mine/templates/shortcodes/callout.html");
        assert_eq!((diag.line, diag.col), (2, 4));
        assert!(diag.message.starts_with("template error: Invalid type"), "{}", diag.message);
    }

    #[test]
    fn indentation_and_blank_lines_go_outside_verbatim_elements() {
        let page = "<ul>\n  <li>a</li>\n\n\t  <li>b\n    c</li>\n</ul>\n";
        assert_eq!(without_indentation(page), "<ul>\n<li>a</li>\n<li>b\nc</li>\n</ul>\n");
    }

    #[test]
    fn verbatim_elements_keep_every_space() {
        let page = "<div>\n  <pre class=\"code\">fn main() {\n    x\n\n}</pre>\n  <TEXTAREA>\n  a</TEXTAREA>\n  \
                    <script>\n  if (a\n    < b) {}\n</script>\n  <style>\n  p { }\n</style>\n  <prefix>\n  x</prefix>\n</div>";
        assert_eq!(
            without_indentation(page),
            "<div>\n<pre class=\"code\">fn main() {\n    x\n\n}</pre>\n<TEXTAREA>\n  a</TEXTAREA>\n\
             <script>\n  if (a\n    < b) {}\n</script>\n<style>\n  p { }\n</style>\n<prefix>\nx</prefix>\n</div>"
        );
    }

    #[test]
    fn a_nul_never_reaches_a_page() {
        let theme = theme_with("nul-check.html", "<h1>{{ title }}</h1>\n  <p>{{ text | safe }}</p>\n");
        let page =
            theme.render_page("nul-check.html", &serde_json::json!({"title": "Not\u{0}found", "text": "a\u{0}b"}));
        assert_eq!(page.unwrap(), "<h1>Not\u{fffd}found</h1>\n<p>a\u{fffd}b</p>\n");
    }

    #[test]
    fn a_long_word_in_a_value_is_marked_and_the_rest_escaped_as_before() {
        let theme = theme_with("cell.html", "<td>{{ value | long_words }}</td>");
        let cell = |value: &str| theme.render("cell.html", &serde_json::json!({ "value": value })).unwrap();
        let hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b";
        assert_eq!(cell(&format!("a<b {hash}")), format!("<td>a&lt;b <span class=\"long-word\">{hash}</span></td>"));
        assert_eq!(cell("Tom & \"Jerry\""), "<td>Tom &amp; &quot;Jerry&quot;</td>");
    }

    #[test]
    fn an_unclosed_verbatim_element_keeps_the_rest_as_it_is() {
        assert_eq!(without_indentation("<p>\n  a</p><pre>\n  b"), "<p>\na</p><pre>\n  b");
    }
}
