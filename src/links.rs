//! Check after render: every internal link and anchor in the generated pages
//! has a target. Works on the rendered files in memory, in three steps:
//! scan each HTML page's start tags as a browser reads them (ids, `<a name>`, `href`,
//! `src`), resolve each link as a browser would against its page, and blame
//! each broken one on the Markdown line that wrote it. Does no I/O and never
//! fetches an external link: those are only listed.

use std::collections::{HashMap, HashSet};

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use url::Url;

use crate::accessibility::{Audit, Barrier, Found};
use crate::diagnostics::{Diagnostic, did_you_mean, one_of};
use crate::render::OutputFile;
use crate::templates::{Place, TemplateTags};

/// A link an author wrote in Markdown, where the render stage found it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuthoredLink {
    /// Output path of the page holding it, e.g. `sites/drake-hall/index.html`.
    pub page: String,
    /// The destination as the Markdown parser gives it (entities resolved).
    pub href: String,
    /// Source file, e.g. `content/sites/drake-hall/02-findings.md`.
    pub path: String,
    pub line: usize,
    pub col: usize,
    /// An image's source, not a link.
    pub image: bool,
}

/// Content that exists but is not in this output, so a link into it gets
/// `why` as its hint instead of a guess at another page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unpublished {
    /// Output folder the content would have had: `sites/x/` or `pages/x/`.
    pub output_prefix: String,
    /// The whole hint shown on a link into it; `None` when a mistake
    /// reported already keeps it out, and a link into it is no mistake.
    pub why: Option<String>,
}

impl Unpublished {
    /// A draft left out of this build, as `sites/<id>/` or `pages/<id>/`.
    pub fn draft(output_prefix: impl Into<String>, name: &str) -> Self {
        Unpublished {
            output_prefix: output_prefix.into(),
            why: Some(format!("`{name}` is a draft; build with --drafts or link elsewhere")),
        }
    }

    /// A site whose record could not be read, as `sites/<folder>/`.
    pub fn unread(output_prefix: impl Into<String>) -> Self {
        Unpublished { output_prefix: output_prefix.into(), why: None }
    }

    fn holds(&self, path: &str) -> bool {
        path.starts_with(&self.output_prefix) || format!("{path}/") == self.output_prefix
    }
}

/// An http(s) link, listed for the reader of the report, never fetched.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExternalLink {
    pub page: String,
    pub href: String,
}

/// What the check found: broken links as diagnostics, external links listed.
#[derive(Debug, Default)]
pub struct LinkReport {
    pub diagnostics: Vec<Diagnostic>,
    pub external: Vec<ExternalLink>,
}

/// Checks every `href` and `src` of every `.html` file in `files` against
/// the files and anchors of the same output.
pub fn check(files: &[OutputFile], authored: &[AuthoredLink], unpublished: &[Unpublished]) -> LinkReport {
    let pages: Vec<PageFacts> =
        files.par_iter().filter(|f| is_html(&f.path)).map(|f| PageFacts::scan(&f.path, &f.bytes)).collect();
    let output = Output::new(&pages, files.iter().map(|f| f.path.as_str()), unpublished);
    let all: Vec<&PageFacts> = pages.iter().collect();
    output.check(&all, None, authored)
}

/// What the link check needs of one generated page, read once when the
/// page is rendered, so that checking never reads its HTML again.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PageFacts {
    /// Output path, e.g. `sites/drake-hall/index.html`.
    pub path: String,
    ids: FxHashSet<String>,
    links: Vec<Link>,
    /// Its accessibility barriers, for [`crate::accessibility::diagnose`].
    /// Not kept by the build cache, which keeps only pages without any.
    #[serde(skip)]
    pub barriers: Vec<Barrier>,
}

impl PageFacts {
    /// Ids, links and accessibility barriers of the page at output path `path`.
    pub fn scan(path: &str, html: &[u8]) -> Self {
        Self::scan_mounted(path, html, "")
    }

    /// [`PageFacts::scan`] of a page whose links to the output start from
    /// the folder a server publishes it at (`/reports/cfo/`), `mount`.
    pub fn scan_mounted(path: &str, html: &[u8], mount: &str) -> Self {
        let Scan { ids, links, barriers } = scan(html);
        let mut line = Line::default();
        let barriers = barriers
            .into_iter()
            .map(|found| Barrier {
                line: line.of(html, found.offset),
                message: found.message,
                hint: found.hint,
                // Offset 0 is the page's: what it lacks is no tag's.
                tag: (found.offset > 0).then(|| tag_at(html, found.offset)),
            })
            .collect();
        let base = Base::new(path);
        let mut line = Line::default();
        let links = links
            .into_iter()
            .filter_map(|link| {
                if links_to_own_anchor(&link.href, &ids) {
                    return None;
                }
                let href = link.href.strip_prefix(mount).unwrap_or(&link.href);
                let target = base.as_ref().map_or(Target::Invalid(Problem::Unparsable), |b| b.resolve(href));
                let target = match target {
                    // Most links of a report go to its own anchors (contents,
                    // notes): those that work are settled here and not kept.
                    Target::Internal { path: to, fragment } if to == path => {
                        if fragment.as_deref().is_none_or(|f| finds_anchor(&ids, f)) {
                            return None;
                        }
                        Target::Internal { path: String::new(), fragment }
                    }
                    other => other,
                };
                Some(Link { line: line.of(html, link.offset), href: link.href, target })
            })
            .collect();
        PageFacts { path: path.to_string(), ids, links, barriers }
    }

    /// Whether the page links to any of `paths`, other than itself.
    pub fn links_into(&self, paths: &FxHashSet<&str>) -> bool {
        self.links.iter().any(|link| link.goes_to(paths))
    }
}

/// A link of a generated page, resolved against it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Link {
    href: String,
    line: usize,
    /// Where it goes; an internal path left empty is a missing anchor of
    /// the page itself.
    target: Target,
}

impl Link {
    fn goes_to(&self, paths: &FxHashSet<&str>) -> bool {
        matches!(&self.target, Target::Internal { path, .. } if !path.is_empty() && paths.contains(path.as_str()))
    }
}

/// Lines of increasing byte offsets, counted in one pass over the page.
#[derive(Default)]
struct Line {
    offset: usize,
    line: usize,
}

impl Line {
    fn of(&mut self, bytes: &[u8], offset: usize) -> usize {
        let offset = offset.min(bytes.len());
        if offset < self.offset {
            *self = Line::default();
        }
        self.line += bytes[self.offset..offset].iter().filter(|&&b| b == b'\n').count();
        self.offset = offset;
        self.line + 1
    }
}

/// Every file and anchor of an output, which links are checked against.
pub struct Output<'a> {
    site: Site<'a>,
    /// The theme's tags, to report a generated link at the template that
    /// wrote it.
    templates: Option<&'a TemplateTags>,
}

impl<'a> Output<'a> {
    /// The output of these pages and files (`files` holds the pages' paths too).
    pub fn new(
        pages: impl IntoIterator<Item = &'a PageFacts>,
        files: impl IntoIterator<Item = &'a str>,
        unpublished: &'a [Unpublished],
    ) -> Self {
        let site = Site {
            anchors: pages.into_iter().map(|p| (p.path.as_str(), &p.ids)).collect(),
            files: files.into_iter().collect(),
            unpublished,
        };
        Output { site, templates: None }
    }

    /// The same output, its generated links written by `templates`.
    pub fn written_by(self, templates: &'a TemplateTags) -> Self {
        Output { templates: Some(templates), ..self }
    }

    /// Checks the links of `pages`; with `into`, only the links to those
    /// paths, which is all that can break when only they changed.
    pub fn check(&self, pages: &[&PageFacts], into: Option<&FxHashSet<&str>>, authored: &[AuthoredLink]) -> LinkReport {
        let site = &self.site;
        let found: Vec<(Vec<Broken>, Vec<ExternalLink>)> =
            pages.par_iter().map(|page| site.check_page(page, into)).collect();
        let mut external: Vec<ExternalLink> = Vec::new();
        let mut broken: Vec<Broken> = Vec::new();
        for (b, e) in found {
            broken.extend(b);
            external.extend(e);
        }
        external.sort();
        external.dedup();
        // A generated link broken on many pages is reported on the first of
        // them by path, whatever order the render stage gave.
        broken.sort_by(|a, b| (&a.page, a.line).cmp(&(&b.page, b.line)));
        LinkReport { diagnostics: site.diagnose(broken, authored, self.templates), external }
    }

    /// The accessibility barriers of `pages`, placed as their links are.
    pub fn barriers<'p>(&self, pages: impl IntoIterator<Item = &'p PageFacts>) -> Vec<Diagnostic> {
        crate::accessibility::diagnose(
            pages.into_iter().map(|page| (page.path.as_str(), &page.barriers[..])),
            self.templates,
        )
    }
}

impl Output<'_> {
    /// The files the stylesheet at output path `path`, written at `source`,
    /// loads (`url()`, `@import`), checked as a page's links are: each must
    /// be a file of the output, written relative to the stylesheet, or a
    /// `data:` address. A browser resolves them against the stylesheet, so
    /// `/static/logo.png` works only at the server's root, and nothing may
    /// load from another site.
    pub fn check_stylesheet(&self, path: &str, source: &str, css: &[u8]) -> Vec<Diagnostic> {
        let css = String::from_utf8_lossy(css);
        let Some(base) = Base::new(path) else { return Vec::new() };
        let mut diags = Vec::new();
        for reference in crate::css::read(&css).references {
            let href = reference.href.trim();
            // `url(#id)` names an element of the page, such as an SVG filter.
            let data = href.get(..5).is_some_and(|s| s.eq_ignore_ascii_case("data:"));
            if href.is_empty() || href.starts_with('#') || data {
                continue;
            }
            let problem = match base.resolve(href) {
                Target::Internal { path: to, .. } => match self.site.problem(&to, None) {
                    Some(problem) => problem,
                    None => continue,
                },
                Target::External | Target::Skipped => Problem::Elsewhere,
                Target::Invalid(problem) => problem,
            };
            let what = if reference.import { format!("`@import` of `{href}`") } else { format!("`url({href})`") };
            let message = format!("{what} has no target: {}", self.site.describe(path, &problem));
            let (line, col) = crate::load::line_col(&css, reference.offset);
            let diag = Diagnostic::new(source, line, col, message);
            diags.push(match self.site.hint(path, &problem, Here::Stylesheet) {
                Some(hint) => diag.with_hint(hint),
                None => diag,
            });
        }
        diags
    }
}

fn is_html(path: &str) -> bool {
    path.ends_with(".html") || path.ends_with(".htm")
}

// ---------------------------------------------------------------- scanning

/// What one page offers (anchors) and asks for (links).
#[derive(Debug, Default)]
struct Scan {
    ids: FxHashSet<String>,
    links: Vec<FoundLink>,
    barriers: Vec<Found>,
}

/// A link attribute in the generated HTML, entities already decoded.
#[derive(Debug)]
struct FoundLink {
    href: String,
    /// Byte offset of its tag, turned into a line only if it is broken.
    offset: usize,
}

/// Ids and links of one page: `id` on any element, `name` on `<a>`, and the
/// attributes whose URL the reader's browser follows or loads.
/// The page's accessibility barriers are found in the same walk.
fn scan(html: &[u8]) -> Scan {
    let mut found = Scan::default();
    let mut audit = Audit::default();
    crate::tags::for_each_tag(html, |tag| {
        audit.tag(tag);
        if tag.end {
            return;
        }
        if let Some(id) = tag.get("id") {
            let id = unescape(id);
            if found.ids.contains(&id) {
                audit.duplicate_id(tag.offset, &id);
            } else {
                found.ids.insert(id);
            }
        }
        if tag.is("a")
            && let Some(name) = tag.get("name")
        {
            found.ids.insert(unescape(name));
        }
        let url_attributes: &[&str] = if tag.is("form") {
            &["action"]
        } else if tag.is("object") {
            &["data"]
        } else {
            &["href", "src", "poster"]
        };
        for name in url_attributes {
            if let Some(value) = tag.get(name) {
                found.links.push(FoundLink { href: unescape(value), offset: tag.offset });
            }
        }
    });
    found.barriers = audit.finish(&found.ids);
    found
}

/// The tag of `html` starting at byte `offset`, to its `>`.
fn tag_at(html: &[u8], offset: usize) -> String {
    let end = memchr::memchr(b'>', &html[offset..]).map_or(html.len(), |i| offset + i + 1);
    String::from_utf8_lossy(&html[offset..end]).into_owned()
}

/// An attribute value as the browser reads it, entities decoded.
fn unescape(value: &[u8]) -> String {
    let value = String::from_utf8_lossy(value);
    if value.contains('&') { htmlize::unescape_attribute(value).into_owned() } else { value.into_owned() }
}

// --------------------------------------------------------------- resolving

/// The host of the base URL pages are resolved against: any host of a
/// resolved link that is not this one was written as `//host/...`.
const HOST: &str = "output.invalid";

/// Characters a browser percent-encodes in a fragment (WHATWG URL standard).
const FRAGMENT: &AsciiSet = &CONTROLS.add(b' ').add(b'"').add(b'<').add(b'>').add(b'`');

/// Where a link goes, once resolved against its page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
enum Target {
    /// A file of the output (`index.html` added to folders) and a fragment
    /// as a browser would encode it.
    Internal {
        path: String,
        fragment: Option<String>,
    },
    External,
    /// `mailto:`, `tel:` and other schemes this check has no say on.
    Skipped,
    Invalid(Problem),
}

/// Why a link has no target.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
enum Problem {
    /// The path resolves to no file of the output.
    NoFile { path: String },
    /// The page exists but has no element with this id.
    NoAnchor { path: String, fragment: String },
    /// More `../` than the page is deep: works only at the server's root.
    AboveRoot,
    /// `/x`: the server's root, not the report's folder on an intranet.
    RootRelative { path: String },
    /// Not a URL a browser can follow.
    Unparsable,
    /// On another site, or not a file at all, where a stylesheet loads a
    /// file: the pages' security policy blocks it.
    Elsewhere,
}

/// A page's URL, under the output root and one folder deeper: resolving a
/// link against both tells one that climbs above the root, where a browser
/// silently stops, because only then do the results differ by more than
/// that folder.
struct Base<'a> {
    page: &'a str,
    plain: Url,
    padded: Url,
}

impl<'a> Base<'a> {
    fn new(page: &'a str) -> Option<Self> {
        let at = |root: &str| Url::parse(root).ok()?.join(page).ok();
        Some(Base { page, plain: at(&format!("http://{HOST}/"))?, padded: at(&format!("http://{HOST}/r/"))? })
    }

    /// Where `href`, written on this page, goes.
    fn resolve(&self, href: &str) -> Target {
        // Browsers strip these before parsing any URL.
        let href: String =
            href.trim_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
        if let Some(fragment) = href.strip_prefix('#') {
            return Target::Internal { path: self.page.to_string(), fragment: Some(encode_fragment(fragment)) };
        }
        match Url::parse(&href) {
            Ok(url) => {
                return match url.scheme() {
                    "http" | "https" => Target::External,
                    _ => Target::Skipped,
                };
            }
            Err(url::ParseError::RelativeUrlWithoutBase) => {}
            Err(_) => return Target::Invalid(Problem::Unparsable),
        }
        let (Ok(plain), Ok(padded)) = (self.plain.join(&href), self.padded.join(&href)) else {
            return Target::Invalid(Problem::Unparsable);
        };
        if plain.host_str() != Some(HOST) {
            return Target::External;
        }
        let path = decode(plain.path().trim_start_matches('/'));
        let path = if path.is_empty() || path.ends_with('/') { format!("{path}index.html") } else { path };
        if href.starts_with(['/', '\\']) {
            return Target::Invalid(Problem::RootRelative { path });
        }
        if padded.path() != format!("/r{}", plain.path()) {
            return Target::Invalid(Problem::AboveRoot);
        }
        Target::Internal { path, fragment: plain.fragment().map(str::to_string) }
    }
}

/// Where `href`, written on the page at output path `page`, goes.
fn resolve(page: &str, href: &str) -> Target {
    Base::new(page).map_or(Target::Invalid(Problem::Unparsable), |base| base.resolve(href))
}

fn encode_fragment(raw: &str) -> String {
    utf8_percent_encode(raw, FRAGMENT).to_string()
}

fn decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// Whether `href` is a plain `#id` of this page's own ids: most links of a
/// report are, and they need no URL parsing. Anything a browser would trim
/// or encode takes the full path through [`Base::resolve`].
fn links_to_own_anchor(href: &str, ids: &FxHashSet<String>) -> bool {
    href.strip_prefix('#').is_some_and(|id| {
        id.bytes().all(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b'<' | b'>' | b'`' | b'%')) && ids.contains(id)
    })
}

/// Whether a fragment (as the browser encoded it) names an anchor: the
/// HTML standard tries it as is, then percent-decoded; empty and `top` mean
/// the top of the page.
fn finds_anchor(ids: &FxHashSet<String>, fragment: &str) -> bool {
    let decoded = decode(fragment);
    fragment.is_empty() || ids.contains(fragment) || ids.contains(&decoded) || decoded.eq_ignore_ascii_case("top")
}

/// Picture files, whose missing target gets a hint on where pictures go.
const IMAGE_EXTENSIONS: [&str; 6] = ["png", "jpg", "jpeg", "gif", "svg", "webp"];

/// Where a link was written, which a hint's addresses follow.
#[derive(Debug, Clone, Copy)]
enum Here {
    /// In a page, relative to it.
    Page,
    /// In a theme stylesheet, relative to it.
    Stylesheet,
    /// In a template, from `{{ page.root }}`.
    Template,
}

impl Here {
    fn name(self) -> &'static str {
        match self {
            Here::Page => "page",
            Here::Stylesheet => "stylesheet",
            Here::Template => "template",
        }
    }
}

/// A broken link as found in the generated HTML.
#[derive(Debug)]
struct Broken {
    page: String,
    href: String,
    line: usize,
    problem: Problem,
}

struct Site<'a> {
    // Fx: serve builds these for every save, over every path of the output.
    anchors: FxHashMap<&'a str, &'a FxHashSet<String>>,
    files: FxHashSet<&'a str>,
    unpublished: &'a [Unpublished],
}

impl Site<'_> {
    fn check_page(&self, facts: &PageFacts, into: Option<&FxHashSet<&str>>) -> (Vec<Broken>, Vec<ExternalLink>) {
        let page = facts.path.as_str();
        let mut broken = Vec::new();
        let mut external = Vec::new();
        for link in &facts.links {
            if into.is_some_and(|paths| !link.goes_to(paths)) {
                continue;
            }
            let problem = match &link.target {
                Target::External => {
                    external.push(ExternalLink { page: page.to_string(), href: link.href.clone() });
                    None
                }
                Target::Skipped => None,
                Target::Invalid(problem) => Some(problem.clone()),
                Target::Internal { path, fragment } => {
                    let path = if path.is_empty() { page } else { path.as_str() };
                    self.problem(path, fragment.as_deref())
                }
            };
            if let Some(problem) = problem {
                broken.push(Broken { page: page.to_string(), href: link.href.clone(), line: link.line, problem });
            }
        }
        (broken, external)
    }

    fn problem(&self, path: &str, fragment: Option<&str>) -> Option<Problem> {
        if !self.files.contains(path) {
            let unread = self.unpublished.iter().any(|u| u.why.is_none() && u.holds(path));
            return (!unread).then(|| Problem::NoFile { path: path.to_string() });
        }
        // Other files (CSV, JSON, CSS) have no anchors to check.
        let ids = self.anchors.get(path)?;
        let fragment = fragment?;
        (!finds_anchor(ids, fragment)).then(|| Problem::NoAnchor { path: path.to_string(), fragment: decode(fragment) })
    }

    // ------------------------------------------------------------ reporting

    /// One diagnostic per authored link that is broken, at its Markdown
    /// source; one per generated broken link, grouped over the pages where
    /// the same link is broken the same way: at the template line that
    /// wrote it when a project template did, else at its first page.
    fn diagnose(
        &self,
        broken: Vec<Broken>,
        authored: &[AuthoredLink],
        templates: Option<&TemplateTags>,
    ) -> Vec<Diagnostic> {
        let mut by_key: HashMap<(&str, String), Vec<usize>> = HashMap::new();
        for (i, link) in authored.iter().enumerate() {
            by_key.entry((link.page.as_str(), link_key(&link.page, &link.href))).or_default().push(i);
        }
        let mut diags = Vec::new();
        let mut blamed: HashSet<usize> = HashSet::new();
        // Each with the template place that wrote it, and how many other pages have it.
        let mut generated: Vec<(Broken, Option<&Place>, usize)> = Vec::new();
        let mut seen: HashSet<(String, String)> = HashSet::new();
        for b in broken {
            if !seen.insert((b.page.clone(), b.href.clone())) {
                continue;
            }
            match by_key.get(&(b.page.as_str(), link_key(&b.page, &b.href))) {
                Some(indices) => {
                    for &i in indices {
                        if blamed.insert(i) {
                            diags.push(self.authored_diagnostic(&authored[i], &b));
                        }
                    }
                }
                None => {
                    let place = templates.and_then(|t| t.writer_of_url(&b.href));
                    // One template line writes `static/x`, `../static/x` and `../../static/x`.
                    let same = |g: &Broken| match place {
                        Some(_) => self.describe(&g.page, &g.problem) == self.describe(&b.page, &b.problem),
                        None => g.href == b.href && g.problem == b.problem,
                    };
                    match generated.iter_mut().find(|(g, p, _)| *p == place && same(g)) {
                        Some((_, _, more)) => *more += 1,
                        None => generated.push((b, place, 0)),
                    }
                }
            }
        }
        for (b, place, more) in generated {
            let also = match more {
                0 => String::new(),
                1 => " (and 1 other page)".to_string(),
                n => format!(" (and {n} other pages)"),
            };
            let message = format!(
                "generated link `{}` on `{}`{also} has no target: {}",
                b.href,
                b.page,
                self.describe(&b.page, &b.problem)
            );
            diags.push(match place {
                Some(place) => {
                    let diag = place.diagnostic(message);
                    match self.hint(&b.page, &b.problem, Here::Template) {
                        Some(fix) => diag.with_hint(fix),
                        None => diag,
                    }
                }
                None => {
                    let origin = "no Markdown wrote this link: it comes from the theme's templates or from \
                                  wingreport itself; fix the template, or report it as a bug";
                    let hint = match self.hint(&b.page, &b.problem, Here::Page) {
                        Some(fix) => format!("{fix} ({origin})"),
                        None => origin.to_string(),
                    };
                    Diagnostic::new(&b.page, b.line, 0, message).with_hint(hint)
                }
            });
        }
        diags.sort_by(|a, b| (&a.path, a.line, a.col, &a.message).cmp(&(&b.path, b.line, b.col, &b.message)));
        diags
    }

    fn authored_diagnostic(&self, link: &AuthoredLink, b: &Broken) -> Diagnostic {
        let kind = if link.image { "image" } else { "link" };
        let message = format!("{kind} `{}` has no target: {}", link.href, self.describe(&b.page, &b.problem));
        let diag = Diagnostic::new(&link.path, link.line, link.col, message);
        match self.hint(&b.page, &b.problem, Here::Page) {
            Some(hint) => diag.with_hint(hint),
            None => diag,
        }
    }

    fn describe(&self, page: &str, problem: &Problem) -> String {
        match problem {
            Problem::NoFile { path } => format!("`{path}` is not in the output"),
            Problem::NoAnchor { path, fragment } if path == page => format!("this page has no anchor `{fragment}`"),
            Problem::NoAnchor { path, fragment } => format!("`{}` has no anchor `{fragment}`", page_name(path)),
            Problem::AboveRoot => "it climbs above the output folder with one `../` too many".to_string(),
            Problem::RootRelative { .. } => {
                "it starts with `/`, the web server's root, not the reports' folder".to_string()
            }
            Problem::Unparsable => "it is not a valid URL".to_string(),
            Problem::Elsewhere => {
                "it is not a file of this site, and the pages load nothing from elsewhere".to_string()
            }
        }
    }

    /// How to fix `problem` of a link of `page`, written `here`.
    fn hint(&self, page: &str, problem: &Problem, here: Here) -> Option<String> {
        // An output path as the place the link was written writes it.
        let address = |to: &str| match here {
            Here::Template => format!("{{{{ page.root }}}}{to}"),
            Here::Page | Here::Stylesheet => relative(page, to),
        };
        match problem {
            Problem::NoFile { path } => {
                if let Some(why) = self.unpublished.iter().find(|u| u.holds(path)).and_then(|u| u.why.clone()) {
                    return Some(why);
                }
                let folder = format!("{}/index.html", path.trim_end_matches("/index.html"));
                let extension = |p: &str| p.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
                let nearest = if self.files.contains(folder.as_str()) {
                    Some(folder.as_str())
                } else {
                    // Only a file of the same kind: a missing picture is never a data file.
                    did_you_mean(path, self.files.iter().copied().filter(|f| extension(f) == extension(path)))
                };
                let picture = extension(path).is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.as_str()));
                let markdown = extension(path).is_some_and(|e| e == "md");
                // A free page's source file, linked as in a Markdown editor.
                let built = markdown.then(|| {
                    let stem = path.rsplit('/').next().unwrap_or(path).trim_end_matches(".md");
                    format!("pages/{}/index.html", crate::markdown::slugify(stem))
                });
                match nearest {
                    Some(p) => Some(format!("did you mean `{}`?", address(p))),
                    None if built.as_deref().is_some_and(|b| self.files.contains(b)) => Some(format!(
                        "link to the page built from it, not to the Markdown file: `{}`",
                        address(built.as_deref().unwrap_or_default())
                    )),
                    None if markdown => Some(
                        "link to the page built from a Markdown file, not to the file: a free page is \
                         `pages/<name>/index.html` from the output folder, a section of a report `#sec-...`"
                            .to_string(),
                    ),
                    None if picture => Some(format!(
                        "save the picture in the theme's `static/` folder, which is copied to `output/static/`, \
                         and link it from here as `{}`",
                        address(&format!("static/{}", path.rsplit('/').next().unwrap_or(path)))
                    )),
                    None => None,
                }
            }
            Problem::NoAnchor { path, fragment } => {
                let ids = self.anchors.get(path.as_str())?;
                if let Some(near) = did_you_mean(fragment, ids.iter().map(String::as_str)) {
                    return Some(format!("did you mean `#{near}`?"));
                }
                let mut ids: Vec<&String> = ids.iter().collect();
                ids.sort();
                Some(if ids.len() <= 8 {
                    format!("its anchors are {}", one_of(&ids))
                } else {
                    "anchors come from headings (their text, or `{#id}`), figures, tables, footnotes and \
                     references; open the page to find the one you mean"
                        .to_string()
                })
            }
            Problem::AboveRoot => Some(format!("the output folder is `{}` from this {}", address(""), here.name())),
            Problem::RootRelative { path } => {
                // `/logo.png` for the theme's `static/logo.png`, as a site at
                // the server's root might have it.
                let at = [path.clone(), format!("static/{path}")].into_iter().find(|p| self.files.contains(p.as_str()));
                match at {
                    Some(at) => Some(match here {
                        Here::Template => format!("write it from the page's root: `{}`", address(&at)),
                        _ => format!("write it relative to this {}: `{}`", here.name(), address(&at)),
                    }),
                    None => self.hint(page, &Problem::NoFile { path: path.clone() }, here),
                }
            }
            Problem::Unparsable => None,
            Problem::Elsewhere => Some(format!(
                "save the file in the theme's `static/` folder and write its address {}: no request may leave the \
                 site, which is to work from any folder and from file://",
                match here {
                    Here::Template => "from `{{ page.root }}`".to_string(),
                    _ => format!("relative to this {}", here.name()),
                }
            )),
        }
    }
}

/// What a link points at, so that the href the Markdown parser saw and the
/// one the HTML carries (escaped, or with `index.html` added) still match.
fn link_key(page: &str, href: &str) -> String {
    match resolve(page, href) {
        Target::Internal { path, fragment } => format!("{path}#{}", decode(fragment.as_deref().unwrap_or(""))),
        _ => format!("as written:{}", decode(href.trim())),
    }
}

/// How a reader knows a page: a report by its folder, anything else by path.
fn page_name(path: &str) -> &str {
    match path.strip_suffix("/index.html") {
        Some(folder) => folder.rsplit('/').next().unwrap_or(folder),
        None => path,
    }
}

/// The relative href from the page at `from` to the output path `to`
/// (`""` for the output folder itself).
fn relative(from: &str, to: &str) -> String {
    let from_dirs: Vec<&str> = from.split('/').collect::<Vec<_>>().split_last().map_or(Vec::new(), |(_, d)| d.to_vec());
    let to_parts: Vec<&str> = to.split('/').filter(|s| !s.is_empty()).collect();
    let common = from_dirs.iter().zip(&to_parts).take_while(|(a, b)| a == b).count();
    let up = "../".repeat(from_dirs.len() - common);
    let down = to_parts[common.min(to_parts.len())..].join("/");
    match (up.is_empty(), down.is_empty()) {
        (true, true) => "./".to_string(),
        _ => format!("{up}{down}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ids and URL attributes of every bundled page (drafts and the
    /// examples' pages too), as a full HTML parser (html5ever) reads them,
    /// equal the start-tag scan's.
    #[test]
    fn the_tag_scan_reads_every_bundled_page_as_a_full_html_parser_does() {
        use scraper::{Html, Selector};
        let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let selector = Selector::parse("[id], a[name], [href], [src], [poster], form[action], object[data]").unwrap();
        let mut pages = 0;
        for project in [manifest.to_path_buf(), manifest.join("examples/esw")] {
            let out = tempfile::tempdir().unwrap();
            crate::build::build(&project, Some(out.path()), true).unwrap();
            for entry in walkdir::WalkDir::new(out.path()) {
                let entry = entry.unwrap();
                if !is_html(&entry.path().to_string_lossy()) {
                    continue;
                }
                let html = std::fs::read(entry.path()).unwrap();
                let found = scan(&html);
                let mut hrefs: Vec<String> = found.links.into_iter().map(|l| l.href).collect();
                let document = Html::parse_document(&String::from_utf8(html).unwrap());
                let (mut ids, mut parsed_hrefs) = (FxHashSet::default(), Vec::new());
                for el in document.select(&selector) {
                    let el = el.value();
                    ids.extend(el.attr("id").map(str::to_string));
                    if el.name() == "a" {
                        ids.extend(el.attr("name").map(str::to_string));
                    }
                    let names: &[&str] = match el.name() {
                        "form" => &["action"],
                        "object" => &["data"],
                        _ => &["href", "src", "poster"],
                    };
                    parsed_hrefs.extend(names.iter().filter_map(|n| el.attr(n)).map(str::to_string));
                }
                hrefs.sort();
                parsed_hrefs.sort();
                assert_eq!(found.ids, ids, "ids of {}", entry.path().display());
                assert_eq!(hrefs, parsed_hrefs, "links of {}", entry.path().display());
                assert!(!hrefs.is_empty(), "{} has links", entry.path().display());
                pages += 1;
            }
        }
        assert!(pages >= 10, "only {pages} pages read");
    }

    fn page(path: &str, body: &str) -> OutputFile {
        OutputFile {
            path: path.to_string(),
            bytes: format!("<!doctype html><html><body>{body}</body></html>").into_bytes(),
        }
    }

    fn authored(page: &str, href: &str, line: usize) -> AuthoredLink {
        AuthoredLink {
            page: page.to_string(),
            href: href.to_string(),
            path: "content/sites/drake-hall/02-findings.md".to_string(),
            line,
            col: 5,
            image: false,
        }
    }

    /// Two reports and the series index, each with a few anchors.
    fn series() -> Vec<OutputFile> {
        vec![
            page("index.html", r#"<h1 id="top-of-series">Series</h1><a href="sites/risley/index.html">Risley</a>"#),
            page(
                "sites/risley/index.html",
                r##"<h2 id="findings">Findings</h2><p id="fn-1">Note</p><a href="#findings">up</a>"##,
            ),
            page("sites/drake-hall/index.html", r#"<h2 id="profile">Profile</h2>"#),
            OutputFile { path: "sites/drake-hall/site.json".to_string(), bytes: b"{}".to_vec() },
        ]
    }

    /// The series with one more paragraph on Drake Hall's report.
    fn with_link(body: &str) -> Vec<OutputFile> {
        let mut files = series();
        files[2] = page("sites/drake-hall/index.html", &format!(r#"<h2 id="profile">Profile</h2>{body}"#));
        files
    }

    fn check_one(href: &str) -> LinkReport {
        let files = with_link(&format!(r#"<p><a href="{href}">x</a></p>"#));
        check(&files, &[authored("sites/drake-hall/index.html", href, 12)], &[])
    }

    fn messages(report: &LinkReport) -> Vec<String> {
        report
            .diagnostics
            .iter()
            .map(|d| format!("{}: {} [{}]", d.location(), d.message, d.hint.as_deref().unwrap_or("")))
            .collect()
    }

    #[test]
    fn a_link_to_an_anchor_of_another_report_is_fine() {
        let report = check_one("../risley/index.html#findings");
        assert_eq!(messages(&report), Vec::<String>::new());
    }

    #[test]
    fn a_link_to_a_missing_report_is_an_error_at_its_markdown_line_with_the_nearest_page() {
        let report = check_one("../risly/index.html");
        assert_eq!(
            messages(&report),
            ["content/sites/drake-hall/02-findings.md:12:5: link `../risly/index.html` has no target: \
              `sites/risly/index.html` is not in the output [did you mean `../risley/index.html`?]"]
        );
    }

    /// Found by a new-study audit: `[methods](methods.md)`, as a Markdown
    /// editor links files, had no hint.
    #[test]
    fn a_link_to_a_markdown_file_points_to_the_page_built_from_it() {
        let mut files = with_link(r#"<p><a href="../../pages/methods.md">x</a><a href="notes.md">y</a></p>"#);
        files.push(page("pages/methods/index.html", "<h1>Methods</h1>"));
        let authored = [
            authored("sites/drake-hall/index.html", "../../pages/methods.md", 3),
            authored("sites/drake-hall/index.html", "notes.md", 4),
        ];
        let hints: Vec<String> =
            check(&files, &authored, &[]).diagnostics.iter().filter_map(|d| d.hint.clone()).collect();
        assert_eq!(
            hints[0],
            "link to the page built from it, not to the Markdown file: `../../pages/methods/index.html`"
        );
        assert!(hints[1].starts_with("link to the page built from a Markdown file, not to the file"), "{hints:?}");
    }

    #[test]
    fn a_missing_anchor_suggests_the_nearest_one() {
        let report = check_one("../risley/index.html#finding");
        assert_eq!(
            messages(&report),
            ["content/sites/drake-hall/02-findings.md:12:5: link `../risley/index.html#finding` has no target: \
              `risley` has no anchor `finding` [did you mean `#findings`?]"]
        );
    }

    #[test]
    fn a_missing_anchor_on_the_same_page_says_so() {
        let report = check_one("#profil");
        assert_eq!(
            messages(&report),
            ["content/sites/drake-hall/02-findings.md:12:5: link `#profil` has no target: \
              this page has no anchor `profil` [did you mean `#profile`?]"]
        );
    }

    #[test]
    fn a_link_to_a_draft_report_says_it_is_a_draft() {
        let href = "../high-down/index.html#delivery";
        let files = with_link(&format!(r#"<a href="{href}">x</a>"#));
        let drafts = [Unpublished::draft("sites/high-down/", "high-down")];
        let report = check(&files, &[authored("sites/drake-hall/index.html", href, 3)], &drafts);
        assert_eq!(
            messages(&report),
            ["content/sites/drake-hall/02-findings.md:3:5: link `../high-down/index.html#delivery` has no target: \
              `sites/high-down/index.html` is not in the output \
              [`high-down` is a draft; build with --drafts or link elsewhere]"]
        );
    }

    #[test]
    fn footnote_and_reference_anchors_are_targets() {
        let body = r##"<p>Text<sup><a href="#fn-1" id="fnref-1">1</a></sup> (<a href="#ref-buck2020">Buck, 2020</a>)</p>
            <ol><li id="fn-1">Note <a href="#fnref-1">↩</a></li></ol>
            <ul><li id="ref-buck2020">Buck, G. (2020)</li></ul>
            <a href="#fn-2">2</a>"##;
        let report = check(&with_link(body), &[authored("sites/drake-hall/index.html", "#fn-2", 7)], &[]);
        assert_eq!(
            messages(&report),
            ["content/sites/drake-hall/02-findings.md:7:5: link `#fn-2` has no target: \
              this page has no anchor `fn-2` [did you mean `#fn-1`?]"]
        );
    }

    #[test]
    fn folder_links_mean_their_index_page() {
        for href in ["../risley/", "../risley/#findings", "./", "../../", "../../#top-of-series", "."] {
            assert_eq!(messages(&check_one(href)), Vec::<String>::new(), "{href}");
        }
    }

    #[test]
    fn a_folder_link_without_its_slash_suggests_the_index_page() {
        let report = check_one("../risley");
        assert_eq!(report.diagnostics.len(), 1);
        assert_eq!(report.diagnostics[0].hint.as_deref(), Some("did you mean `../risley/index.html`?"));
    }

    #[test]
    fn climbing_above_the_output_root_is_broken_even_where_a_browser_would_stop_at_a_real_page() {
        // From sites/drake-hall/, `../../../index.html` lands on index.html
        // only when the reports sit at the server's root.
        let report = check_one("../../../index.html");
        assert_eq!(
            messages(&report),
            ["content/sites/drake-hall/02-findings.md:12:5: link `../../../index.html` has no target: \
              it climbs above the output folder with one `../` too many [the output folder is `../../` from this page]"]
        );
        assert_eq!(check_one("../../../r/index.html").diagnostics.len(), 1);
    }

    #[test]
    fn a_link_from_the_server_root_is_refused_with_its_relative_form() {
        let report = check_one("/sites/risley/index.html");
        assert_eq!(report.diagnostics.len(), 1);
        assert_eq!(
            report.diagnostics[0].hint.as_deref(),
            Some("write it relative to this page: `../risley/index.html`")
        );
    }

    #[test]
    fn percent_encoded_fragments_and_paths_match_the_decoded_names() {
        let mut files = with_link(r#"<h3 id="über-uns">Über uns</h3><h3 id="a b">spaced</h3>"#);
        files.push(page("pages/guidance notes/index.html", r#"<h2 id="x">x</h2>"#));
        let hrefs = [
            "index.html#%C3%BCber-uns",
            "index.html#über-uns",
            "index.html#a%20b",
            "index.html#a b",
            "../../pages/guidance%20notes/index.html#x",
            "../../pages/guidance notes/index.html#x",
        ];
        for href in hrefs {
            let mut linked = files.clone();
            linked.push(page("sites/drake-hall/extra.html", &format!(r#"<a href="{href}">x</a>"#)));
            assert_eq!(messages(&check(&linked, &[], &[])), Vec::<String>::new(), "{href}");
        }
        let report = check_one("#%C3%BCber-unz");
        assert_eq!(report.diagnostics.len(), 1);
        assert!(report.diagnostics[0].message.ends_with("this page has no anchor `über-unz`"));
    }

    #[test]
    fn query_strings_and_entities_do_not_hide_the_target() {
        let files = with_link(r#"<a href="../risley/index.html?print=1&amp;a=2#findings">x</a>"#);
        assert_eq!(messages(&check(&files, &[], &[])), Vec::<String>::new());
    }

    #[test]
    fn downloads_and_named_anchors_are_targets() {
        let files = with_link(
            r##"<a name="old-anchor"></a><a href="site.json">data</a><a href="#old-anchor">x</a><a href="#top">top</a>"##,
        );
        assert_eq!(messages(&check(&files, &[], &[])), Vec::<String>::new());
    }

    #[test]
    fn url_attributes_count_only_on_the_elements_that_follow_them() {
        let files = with_link(
            r#"<div id="d" data="not-a-url" action="nor-this"></div><form action="missing.html"></form>
               <video poster="still.png"></video><object data="chart.svg"></object>"#,
        );
        let mut targets: Vec<String> = check(&files, &[], &[])
            .diagnostics
            .iter()
            .map(|d| d.message.split('`').nth(1).unwrap_or("").to_string())
            .collect();
        targets.sort();
        assert_eq!(targets, ["chart.svg", "missing.html", "still.png"]);
    }

    #[test]
    fn external_links_are_listed_once_and_never_checked() {
        let files = with_link(
            r#"<a href="https://example.org/a">a</a><a href="https://example.org/a">again</a>
               <a href="http://example.org/b">b</a><img src="//cdn.example.org/c.png" alt="c">"#,
        );
        let report = check(&files, &[], &[]);
        assert_eq!(report.diagnostics, []);
        let hrefs: Vec<&str> = report.external.iter().map(|e| e.href.as_str()).collect();
        assert_eq!(hrefs, ["//cdn.example.org/c.png", "http://example.org/b", "https://example.org/a"]);
        assert!(report.external.iter().all(|e| e.page == "sites/drake-hall/index.html"));
    }

    #[test]
    fn mailto_and_tel_links_are_skipped() {
        let files = with_link(r#"<a href="mailto:jo@example.org">mail</a><a href="tel:+441234">call</a>"#);
        let report = check(&files, &[], &[]);
        assert_eq!(report.diagnostics, []);
        assert_eq!(report.external, []);
    }

    #[test]
    fn a_broken_generated_link_names_its_page_and_is_reported_once_for_all_pages() {
        let mut files = series();
        for name in ["risley", "drake-hall"] {
            let path = format!("sites/{name}/index.html");
            files.retain(|f| f.path != path);
            files.push(page(&path, "<h2 id=\"a\">A</h2>\n<link rel=\"stylesheet\" href=\"../../static/styles.css\">"));
        }
        files.push(OutputFile { path: "static/style.css".to_string(), bytes: Vec::new() });
        let report = check(&files, &[], &[]);
        assert_eq!(
            messages(&report),
            [
                "sites/drake-hall/index.html:2: generated link `../../static/styles.css` on `sites/drake-hall/index.html` \
              (and 1 other page) has no target: `static/styles.css` is not in the output \
              [did you mean `../../static/style.css`? (no Markdown wrote this link: it comes from the theme's \
              templates or from wingreport itself; fix the template, or report it as a bug)]"
            ]
        );
    }

    #[test]
    fn markup_inside_scripts_and_comments_is_not_a_link() {
        let files = with_link(r#"<script>let s = "<a href='missing.html'>";</script><!-- <a href="gone.html"> -->"#);
        assert_eq!(messages(&check(&files, &[], &[])), Vec::<String>::new());
    }

    #[test]
    fn an_authored_link_matches_its_html_form() {
        // The Markdown said `../risley/#Finding`; the page carries the
        // same link escaped and with the index page spelt out.
        let files = with_link(r##"<a href="../risley/index.html#%C3%9Cber">x</a>"##);
        let report = check(&files, &[authored("sites/drake-hall/index.html", "../risley/#Über", 4)], &[]);
        assert_eq!(report.diagnostics.len(), 1);
        assert_eq!(report.diagnostics[0].location(), "content/sites/drake-hall/02-findings.md:4:5");
    }

    #[test]
    fn checking_only_the_links_into_changed_paths_leaves_the_others_alone() {
        let files = with_link(
            r#"<a href="missing.html">y</a>
<a href="../risley/index.html#gone">x</a>"#,
        );
        let pages: Vec<PageFacts> =
            files.iter().filter(|f| is_html(&f.path)).map(|f| PageFacts::scan(&f.path, &f.bytes)).collect();
        let output = Output::new(&pages, files.iter().map(|f| f.path.as_str()), &[]);
        let drake: Vec<&PageFacts> = pages.iter().filter(|p| p.path == "sites/drake-hall/index.html").collect();
        let risley = FxHashSet::from_iter(["sites/risley/index.html"]);
        assert!(drake[0].links_into(&risley));
        assert!(!pages[0].links_into(&FxHashSet::from_iter(["index.html"])), "a page's own anchors do not count");
        let into = output.check(&drake, Some(&risley), &[]);
        let hrefs: Vec<&str> = into.diagnostics.iter().map(|d| d.message.split('`').nth(1).unwrap()).collect();
        assert_eq!(hrefs, ["../risley/index.html#gone"]);
        assert_eq!(into.diagnostics[0].line, 2, "the line was counted when the page was read");
        assert_eq!(output.check(&drake, None, &[]).diagnostics.len(), 2);
    }

    /// QA30-C F3: a theme stylesheet's `url(/static/logo.png)` broke at an
    /// intranet sub-path, and a missing file passed.
    #[test]
    fn a_stylesheet_loads_only_files_of_the_output_written_relative_to_it() {
        let mut files = series();
        for path in ["static/logo.png", "static/fonts/brand.woff2", "static/brand.css"] {
            files.push(OutputFile { path: path.to_string(), bytes: Vec::new() });
        }
        let pages: Vec<PageFacts> = files.iter().map(|f| PageFacts::scan(&f.path, &f.bytes)).collect();
        let output = Output::new(&pages, files.iter().map(|f| f.path.as_str()), &[]);
        let css = "@font-face { src: url(fonts/brand.woff2) format(\"woff2\"); }\n\
                   .a { background: url(\"/static/logo.png\"), url(data:image/png;base64,AA), url(#f); }\n\
                   .b { background: url(texture.png) }\n\
                   @import \"https://fonts.example.org/x.css\";\n\
                   .c { background: url(../../logo.png) url( 'logo.png' ) }\n";
        let found: Vec<String> = output
            .check_stylesheet("static/brand.css", "themes/acme/static/brand.css", css.as_bytes())
            .iter()
            .map(|d| format!("{}: {} [{}]", d.location(), d.message, d.hint.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(
            found,
            [
                "themes/acme/static/brand.css:2:18: `url(/static/logo.png)` has no target: it starts with `/`, \
                 the web server's root, not the reports' folder [write it relative to this stylesheet: `logo.png`]",
                "themes/acme/static/brand.css:3:18: `url(texture.png)` has no target: `static/texture.png` is not in \
                 the output [did you mean `logo.png`?]",
                "themes/acme/static/brand.css:4:9: `@import` of `https://fonts.example.org/x.css` has no target: it \
                 is not a file of this site, and the pages load nothing from elsewhere [save the file in the theme's \
                 `static/` folder and write its address relative to this stylesheet: no request may leave the site, \
                 which is to work from any folder and from file://]",
                "themes/acme/static/brand.css:5:18: `url(../../logo.png)` has no target: it climbs above the output \
                 folder with one `../` too many [the output folder is `../` from this stylesheet]",
            ]
        );
    }

    #[test]
    fn relative_paths_climb_to_the_common_folder() {
        assert_eq!(relative("sites/a/index.html", "sites/b/index.html"), "../b/index.html");
        assert_eq!(relative("sites/a/index.html", "index.html"), "../../index.html");
        assert_eq!(relative("index.html", "pages/x/index.html"), "pages/x/index.html");
        assert_eq!(relative("sites/a/index.html", ""), "../../");
        assert_eq!(relative("index.html", ""), "./");
    }
}
