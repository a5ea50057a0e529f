//! Stage 3, render: turns the validated `Project` into output files in
//! memory: narrative through Markdown, shortcodes through the theme, pages
//! through their templates. Writes nothing to disk.

pub(crate) mod bibliography;
mod compare;
mod downloads;
mod draft_only;
mod figures;
mod prose;
pub mod shortcodes;
mod sitemap;
pub mod views;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::diagnostics::{Diagnostic, Gap, did_you_mean, one_of};
use crate::digest::Digest;
use crate::links::{self, AuthoredLink, Output, PageFacts, Unpublished};
use crate::markdown::citations::Reference;
use crate::markdown::{self, BodyContext, PageState, Resolved, slugify};
use crate::model::{AppendixStyle, FrontMatter, Narrative, NumberingConfig, Project, Site, Status};
use crate::search::SearchDoc;
use crate::templates::Theme;
pub use bibliography::Bibliography;
use prose::ProseRenderer;
use shortcodes::{Env, FigureEntry, Numbering, Planned};
use views::{Doi, FreePageView, IndexView, Link, PageMeta, SampleRow, SectionView, SiteCard, SiteView, TocEntry};

/// A file of the finished site, by `/`-separated path relative to the output root.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OutputFile {
    pub path: String,
    // As one run of bytes in the build cache, not a sequence of numbers.
    #[serde(with = "serde_bytes")]
    pub bytes: Vec<u8>,
}

/// Which content reaches the output.
#[derive(Debug, Clone, Copy)]
pub struct Selection {
    /// Include draft sites, narrative files and pages.
    pub drafts: bool,
}

impl Selection {
    fn site(self, site: &Site) -> bool {
        self.drafts || site.record.status != Status::Draft
    }

    fn narrative(self, narrative: &Narrative) -> bool {
        self.drafts || !narrative.front.draft
    }
}

/// Where rendered files go: read for real names, then written. Called
/// from several threads.
pub trait Sink: Sync {
    /// Reads `file` for real names: whether it holds one.
    fn scan(&self, file: &OutputFile) -> bool;
    fn write(&self, file: OutputFile);
}

/// Reads again the text of a narrative file that the load left on disk
/// (`load::Bodies`), for a report that is rendered: the reason when it
/// cannot, or the file changed since.
pub type ReadBody<'a> = &'a (dyn Fn(&mut Narrative) -> Result<(), Diagnostic> + Sync);

/// Site reports an earlier run rendered, by the digest of everything they
/// were rendered from (`build::cache`).
pub trait PartStore: Sync {
    fn get(&self, key: u128) -> Option<Rendered>;
    /// Keeps `part`, whose files are `files`, for a later run. It is given
    /// only reports with no problem, no accessibility barrier and no real name.
    fn put(&self, key: u128, part: &Rendered, files: &[OutputFile]);
}

/// Renders every page of the project, handing each file to `sink` as soon
/// as its part is rendered, so the output is never all in memory at once.
/// Site reports are independent of each other, so they render in parallel
/// and `sink` is called from several threads; results keep the sites'
/// order, so diagnostics are deterministic. A part with problems writes
/// nothing, since the run fails anyway. A report `store` has from a run
/// on the same inputs is taken from it instead of rendered, and written
/// unread: it was read for real names before it was kept.
/// A report rendered has the text of its narrative read again by
/// `read_body` first, if the load left it on disk.
/// [`Finish::assemble`] completes the output without the project, which
/// goes here.
pub fn render(
    mut project: Project,
    theme: &Theme,
    selection: Selection,
    sink: &dyn Sink,
    store: Option<&dyn PartStore>,
    read_body: ReadBody,
) -> (Vec<Rendered>, Finish) {
    // Whether the output holds drafts, while the narratives are there to say.
    let drafts = selection.drafts && has_drafts(&project);
    // A site's narrative is read by its own report only, so it goes as soon
    // as that is rendered: at 5,000 sites the narratives are a quarter of
    // the memory a build holds.
    let mut narratives: FxHashMap<String, Vec<Narrative>> =
        project.sites.iter_mut().map(|site| (site.folder.clone(), std::mem::take(&mut site.narrative))).collect();
    let mut withheld = Vec::new();
    // By site, what its record lost that way.
    let mut gone_by_site = vec![Vec::new(); project.sites.len()];
    if !selection.drafts {
        for (site, gone) in project.sites.iter_mut().zip(&mut gone_by_site) {
            *gone = draft_only::withhold(&mut site.record, narratives.get(&site.folder).map_or(&[], Vec::as_slice));
            if !gone.is_empty() && selection.site(site) {
                withheld.push(format!("{}: {}", site.record_path, gone.join(", ")));
            }
        }
    }
    // Taken once the narratives are out of the project, which then holds
    // what every report reads besides its own narrative.
    let inputs = store.map(|_| shared_inputs(&project, &gone_by_site, theme, selection));
    let renderer = Renderer::new(&project, theme, selection);
    let reports: Vec<(&Site, Vec<Narrative>)> =
        renderer.sites().iter().map(|&site| (site, narratives.remove(&site.folder).unwrap_or_default())).collect();
    drop(narratives);
    let mut parts: Vec<Rendered> = reports
        .into_par_iter()
        .map(|(site, mut narrative)| {
            let kept = store.zip(inputs).map(|(store, inputs)| (store, report_inputs(inputs, &narrative)));
            if let Some(part) = kept.and_then(|(store, key)| store.get(key)) {
                return part.write(sink);
            }
            if let Err(unread) = narrative.iter_mut().try_for_each(read_body) {
                return Rendered { diags: vec![unread], ..Rendered::default() };
            }
            render_site(site, &narrative, &renderer).with_facts().emit(sink, kept)
        })
        .collect();
    parts.extend(renderer.shared().into_iter().map(|part| part.emit(sink, None)));
    (parts, Finish { withheld, ..renderer.finish(drafts) })
}

/// Digest of what a site report is rendered from besides its own narrative:
/// the project without any site's narrative, the theme and the selection.
/// Every field is named, so a field added to the project is not forgotten.
/// `gone_by_site` is what each record lost to [`draft_only::withhold`].
fn shared_inputs(project: &Project, gone_by_site: &[Vec<String>], theme: &Theme, selection: Selection) -> u128 {
    let Project {
        // Where the project is, or how the command named it, changes nothing
        // rendered: the output and the messages say paths relative to it.
        root: _,
        config,
        series,
        series_path,
        series_text,
        frameworks,
        frameworks_path,
        references,
        references_path,
        references_complete,
        roles,
        roles_path,
        roles_text,
        index,
        compare,
        pages,
        sites,
        unread_sites,
    } = project;
    let sites: Vec<u128> = sites.par_iter().zip(gone_by_site).map(|(site, gone)| site_digest(site, gone)).collect();
    let mut digest = Digest::new();
    digest
        .debug(&(config, series, series_path, series_text, frameworks, frameworks_path))
        .debug(&(references, references_path, references_complete, roles, roles_path, roles_text))
        .debug(&(index, compare, pages, unread_sites, selection.drafts))
        .value(theme.digest);
    sites.into_iter().for_each(|site| {
        digest.value(site);
    });
    digest.finish()
}

/// Digest of a site report's inputs: `shared` ([`shared_inputs`]) and its
/// own narrative.
fn report_inputs(shared: u128, narrative: &[Narrative]) -> u128 {
    let mut digest = Digest::new();
    digest.value(shared);
    for Narrative { path, stem, front, body, body_line } in narrative {
        // Texts as they are: their `Debug` form escapes them a letter at a time.
        digest.text(path).text(stem).value(body.digest()).debug(&(front, body_line));
    }
    digest.finish()
}

/// The keys a [`PartStore`] keeps site reports by, as [`render`] makes
/// them, for a run that renders reports one by one (`serve`) with every
/// draft, so that nothing is withheld.
pub struct ReportKeys(u128);

impl ReportKeys {
    pub fn new(project: &Project, theme: &Theme, selection: Selection) -> ReportKeys {
        debug_assert!(selection.drafts, "a run with every draft withholds nothing");
        ReportKeys(shared_inputs(project, &vec![Vec::new(); project.sites.len()], theme, selection))
    }

    pub fn of(&self, site: &Site) -> u128 {
        report_inputs(self.0, &site.narrative)
    }
}

/// Digest of a site without its narrative, which is its own report's
/// input only (see [`report_inputs`]). Its record is read from
/// `record_text` alone (see `load::load_site`), less what `gone` names, so
/// the two say all the record holds; its `Debug` form, spans and all, took
/// a tenth of a build from the cache.
fn site_digest(site: &Site, gone: &[String]) -> u128 {
    let Site { folder, record: _, record_path, record_text, narrative: _, narrative_complete, record_complete } = site;
    let mut digest = Digest::new();
    digest.text(folder).text(record_path).text(record_text);
    digest.debug(&(gone, narrative_complete, record_complete));
    digest.finish()
}

/// Whether any report, section or page is a draft.
fn has_drafts(project: &Project) -> bool {
    let draft_file = |n: &Narrative| n.front.draft;
    project.sites.iter().any(|s| s.record.status == Status::Draft || s.narrative.iter().any(draft_file))
        || project.pages.iter().chain(&project.index).chain(&project.compare).any(draft_file)
}

/// What completing the output needs once every part is rendered, owned
/// rather than borrowed from the project.
pub struct Finish {
    url: Option<String>,
    unpublished: Vec<Unpublished>,
    static_files: Vec<OutputFile>,
    /// Where each of the theme's stylesheets was written, by output path.
    stylesheets: FxHashMap<String, String>,
    drafts: bool,
    /// What each record held only for draft sections, left out.
    withheld: Vec<String>,
    template_tags: std::sync::Arc<crate::templates::TemplateTags>,
}

impl Finish {
    /// Completes the output of `parts`, whose files were emitted, and whose
    /// `search` files (`build::cache::search_files`) were made: emits them,
    /// the sitemap and static files, and checks every link from the parts'
    /// facts.
    pub fn assemble(
        self,
        parts: Vec<Rendered>,
        search: Vec<OutputFile>,
        sink: &dyn Sink,
    ) -> Result<Assembled, Vec<Diagnostic>> {
        // The files are written, so read for real names, even when a check
        // fails: else a name in a theme's stylesheet came to light only
        // once a broken link beside it was fixed.
        let emit = |file: OutputFile| {
            sink.scan(&file);
            sink.write(file);
        };
        match self.complete(&parts.iter().collect::<Vec<_>>(), search) {
            Ok(mut assembled) => {
                std::mem::take(&mut assembled.extra).into_iter().for_each(emit);
                Ok(assembled)
            }
            Err(Incomplete { diagnostics, extra }) => {
                extra.into_iter().for_each(emit);
                Err(diagnostics)
            }
        }
    }

    /// The output of rendered parts (whose files may already be written)
    /// completed by the sitemap, the `search` index files and the static
    /// files, with every link and accessibility barrier checked from the
    /// parts' facts; or every problem the parts and these checks found.
    fn complete(self, parts: &[&Rendered], search: Vec<OutputFile>) -> Result<Assembled, Incomplete> {
        let mut diags: Vec<Diagnostic> = parts.iter().flat_map(|part| part.diags.iter().cloned()).collect();
        // A part with mistakes is not link-checked (an unknown citation would
        // be reported again as a broken link), but the others still are, so
        // one report's mistake does not hide another's broken link.
        let clean = || parts.iter().filter(|part| part.diags.is_empty());
        let authored: Vec<AuthoredLink> = clean().flat_map(|part| part.links.iter().cloned()).collect();
        let paths = || parts.iter().flat_map(|part| &part.paths).map(String::as_str);
        let mut extra: Vec<OutputFile> = sitemap::sitemap(paths(), self.url.as_deref()).into_iter().collect();
        extra.extend(search);
        extra.extend(self.static_files);
        let pages = parts.iter().flat_map(|part| &part.pages);
        let checked: Vec<&PageFacts> = clean().flat_map(|part| &part.pages).collect();
        let files = paths().chain(extra.iter().map(|f| f.path.as_str()));
        let output = Output::new(pages, files, &self.unpublished).written_by(&self.template_tags);
        let report = output.check(&checked, None, &authored);
        diags.extend(report.diagnostics);
        for sheet in extra.iter().filter(|file| file.path.ends_with(".css")) {
            let source = self.stylesheets.get(&sheet.path).map_or(sheet.path.as_str(), String::as_str);
            diags.extend(output.check_stylesheet(&sheet.path, source, &sheet.bytes));
        }
        diags.extend(output.barriers(checked.iter().copied()));
        crate::templates::merge_undefined(&mut diags);
        crate::diagnostics::dedup(&mut diags);
        if !diags.is_empty() {
            return Err(Incomplete { diagnostics: diags, extra });
        }
        let paths = paths().map(str::to_string).chain(extra.iter().map(|f| f.path.clone())).collect();
        let draft_reports =
            self.unpublished.iter().filter(|u| u.output_prefix.starts_with("sites/") && u.why.is_some()).count();
        Ok(Assembled {
            paths,
            extra,
            external_links: report.external,
            drafts: self.drafts,
            draft_reports,
            withheld: self.withheld,
        })
    }
}

/// An output that failed its checks: every problem found, and the files
/// completing it (sitemap, search index, static files), which are still
/// to be read for real names.
pub struct Incomplete {
    pub diagnostics: Vec<Diagnostic>,
    pub extra: Vec<OutputFile>,
}

/// The search pages of rendered parts, taken out of them, in the parts'
/// order, as the index takes them.
pub fn search_pages<'a>(parts: impl IntoIterator<Item = &'a mut Rendered>) -> Vec<SearchPage> {
    parts.into_iter().flat_map(|part| std::mem::take(&mut part.search)).collect()
}

/// A page of the search index, with its documents or where they were left.
#[derive(Debug)]
pub struct SearchPage {
    /// The page, relative to the output root.
    pub href: String,
    /// Title of its report or page.
    pub title: String,
    /// Of the href, title and documents: the index is kept by its pages'
    /// digests, so a rebuild that reads every report back needs only these.
    pub digest: u128,
    pub docs: PageDocs,
}

/// Where a search page's documents are.
#[derive(Debug)]
pub enum PageDocs {
    /// As this run rendered them.
    Rendered(Vec<SearchDoc>),
    /// Left in the [`PartStore`] the part was read back from: the `page`th
    /// of the part it keeps as `key`. A report's text is most of what a
    /// part read back holds, and an unchanged archive's index is read back
    /// whole, so the text is read again only if its page must be analysed.
    Stored { key: u128, page: usize },
}

impl SearchPage {
    /// `docs` by page, in order; each page's title is its first document's report.
    fn pages_of(docs: Vec<SearchDoc>) -> Vec<SearchPage> {
        let mut pages: Vec<(String, String, Vec<SearchDoc>)> = Vec::new();
        for doc in docs {
            let page = doc.href.split('#').next().unwrap_or_default();
            match pages.last_mut() {
                Some((href, _, docs)) if href == page => docs.push(doc),
                _ => pages.push((page.to_string(), doc.report.clone(), vec![doc])),
            }
        }
        pages.into_iter().map(|(href, title, docs)| SearchPage::new(href, title, docs)).collect()
    }

    pub fn new(href: String, title: String, docs: Vec<SearchDoc>) -> SearchPage {
        let mut digest = Digest::new();
        digest.text(&href).text(&title);
        for SearchDoc { report, section, href, text } in &docs {
            digest.text(report).text(section).text(href).text(text);
        }
        SearchPage { href, title, digest: digest.finish(), docs: PageDocs::Rendered(docs) }
    }
}

/// Renders a project page by page, so that a preview can re-render only
/// what an edit touched and reuse the rest.
pub struct Renderer<'a> {
    project: &'a Project,
    theme: &'a Theme,
    selection: Selection,
    nav_pages: Vec<Link>,
    /// Whether the output has a comparison page, which every page links.
    has_compare: bool,
    /// Whether the comparison has a row for every site, which each report links.
    compare_rows: bool,
    many_reports: bool,
    /// The delivery fields some report of the output states, which each
    /// report's delivery table shows.
    delivery_stated: [bool; 7],
    bibliography: Bibliography<'a>,
    /// What [`Renderer::sites`] says, sorted once: `serve` makes a
    /// renderer for each save, and sorting 1,000 titles by their reading
    /// order took a tenth of it.
    sites: Vec<&'a Site>,
}

impl<'a> Renderer<'a> {
    pub fn new(project: &'a Project, theme: &'a Theme, selection: Selection) -> Self {
        let mut renderer = Renderer {
            project,
            theme,
            selection,
            nav_pages: Vec::new(),
            has_compare: false,
            compare_rows: false,
            many_reports: false,
            delivery_stated: [false; 7],
            bibliography: Bibliography::new(&project.references).incomplete(!project.references_complete),
            sites: project.sites.iter().filter(|s| selection.site(s)).collect(),
        };
        renderer.sites.sort_by_cached_key(|site| site.record.index_key());
        let sites = &renderer.sites;
        renderer.has_compare = compare::wanted(project, sites, renderer.compare_narrative().is_some());
        renderer.compare_rows = renderer.has_compare && compare::has_site_rows(project, sites);
        renderer.many_reports = sites.len() > 1;
        renderer.delivery_stated =
            sites.iter().filter_map(|s| s.record.delivery.as_ref()).fold([false; 7], |any, d| {
                let stated = d.value.stated();
                std::array::from_fn(|i| any[i] || stated[i])
            });
        let compare_link = Link { title: renderer.compare_title(), href: compare::PATH.to_string() };
        renderer.nav_pages = renderer
            .has_compare
            .then_some(compare_link)
            .into_iter()
            .chain(
                project
                    .pages
                    .iter()
                    .filter(|p| selection.narrative(p))
                    .map(|p| Link { title: p.front.title.clone(), href: page_href(p) }),
            )
            .collect();
        renderer
    }

    /// `content/compare.md`, unless it is a draft this output leaves out.
    fn compare_narrative(&self) -> Option<&'a Narrative> {
        self.project.compare.as_ref().filter(|n| self.selection.narrative(n))
    }

    fn compare_title(&self) -> String {
        self.compare_narrative().map_or_else(|| "Cross-site comparison".to_string(), |n| n.front.title.clone())
    }

    /// Whether the output has a comparison page, and so a link to it on
    /// every page; and whether it has a row for every site, which each
    /// report links to.
    pub fn compare_links(&self) -> (bool, bool) {
        (self.has_compare, self.compare_rows)
    }

    /// The link from `site`'s report (at `root`) to its row in the comparison.
    fn compare_link(&self, site: &Site, root: &str) -> Option<Link> {
        self.has_compare.then(|| {
            if self.compare_rows {
                Link {
                    title: format!("This site beside the others: {}", self.compare_title()),
                    href: format!("{root}{}#{}", compare::PATH, compare::row_anchor(site)),
                }
            } else {
                Link { title: self.compare_title(), href: format!("{root}{}", compare::PATH) }
            }
        })
    }

    /// The sites this selection publishes, in index order (see [`crate::model::SiteRecord::index_key`]).
    pub fn sites(&self) -> &[&'a Site] {
        &self.sites
    }

    /// What every page's `base.html` needs.
    fn meta(&self, title: &str, root: &str, draft: bool) -> PageMeta {
        PageMeta {
            title: title.to_string(),
            root: root.to_string(),
            language: self.project.config.language.clone(),
            series_title: self.project.config.title.clone().unwrap_or_else(|| self.project.series.title.clone()),
            draft,
            nav_pages: self.nav_pages.clone(),
            many_reports: self.many_reports,
            current: String::new(),
        }
    }

    /// One site's report and downloads.
    pub fn site(&self, site: &Site) -> Rendered {
        render_site(site, &site.narrative, self).with_facts()
    }

    /// The pages that read every record or none: free pages, the series
    /// index and the comparison.
    pub fn shared(&self) -> Vec<Rendered> {
        let mut parts = self.free_pages();
        parts.extend(self.cross_site(self.sites()));
        parts
    }

    /// The free pages, which read no record.
    pub fn free_pages(&self) -> Vec<Rendered> {
        let pages = self.project.pages.iter().filter(|p| self.selection.narrative(p));
        pages.map(|page| render_free_page(page, self).with_facts()).collect()
    }

    /// The pages that read every record: the series index and the comparison.
    pub fn cross_site(&self, sites: &[&Site]) -> Vec<Rendered> {
        let mut parts = vec![render_index(sites, self).with_facts()];
        if self.has_compare {
            parts.push(compare::render_compare(sites, self).with_facts());
        }
        parts.extend(render_not_found(self));
        parts
    }

    /// The output of rendered parts completed by the sitemap, the `search`
    /// index files and the static files, with every link checked; or every
    /// problem the parts and the link check found.
    pub fn assemble(&self, parts: &[&Rendered], search: Vec<OutputFile>) -> Result<Assembled, Incomplete> {
        self.finish(self.selection.drafts && has_drafts(self.project)).complete(parts, search)
    }

    /// `drafts`: the output holds drafts.
    fn finish(&self, drafts: bool) -> Finish {
        Finish {
            url: self.project.config.url.clone(),
            unpublished: self.unpublished(),
            static_files: self.static_files(),
            stylesheets: self
                .theme
                .static_files
                .iter()
                .filter(|file| file.name.ends_with(".css"))
                .map(|file| (format!("static/{}", file.name), file.source.clone()))
                .collect(),
            drafts,
            withheld: Vec::new(),
            template_tags: self.theme.tags.clone(),
        }
    }

    /// The tags of the theme's templates, to place a page's problem.
    pub fn template_tags(&self) -> &crate::templates::TemplateTags {
        &self.theme.tags
    }

    /// The sitemap of an output holding the files at `paths`, when `url` is set.
    pub fn sitemap<'p>(&self, paths: impl IntoIterator<Item = &'p str>) -> Option<OutputFile> {
        sitemap::sitemap(paths, self.project.config.url.as_deref())
    }

    /// The theme's static files and the stylesheets made from the config,
    /// which no edit of a report changes.
    fn static_files(&self) -> Vec<OutputFile> {
        let mut files: Vec<OutputFile> = self
            .theme
            .static_files
            .iter()
            .map(|file| OutputFile { path: format!("static/{}", file.name), bytes: file.bytes.clone() })
            .collect();
        files.push(OutputFile {
            path: format!("static/{SYNTAX_CSS}"),
            bytes: markdown::highlight::stylesheet().as_bytes().to_vec(),
        });
        let project = self.project;
        let ratings =
            figures::ratings_stylesheet(project.frameworks.social_capital.as_ref(), project.config.charts.palette);
        files.push(OutputFile { path: format!("static/{RATINGS_CSS}"), bytes: ratings.into_bytes() });
        files
    }

    /// Reports and pages this selection leaves out, so that a link to one
    /// says why it has no target.
    pub fn unpublished(&self) -> Vec<Unpublished> {
        let sites = self
            .project
            .sites
            .iter()
            .filter(|s| !self.selection.site(s))
            .map(|s| Unpublished::draft(format!("sites/{}/", s.record.id.value), &s.record.id.value));
        let pages = self
            .project
            .pages
            .iter()
            .filter(|p| !self.selection.narrative(p))
            .map(|p| Unpublished::draft(format!("pages/{}/", slugify(&p.stem)), &p.stem));
        let unread = self.project.unread_sites.iter().map(|folder| Unpublished::unread(format!("sites/{folder}/")));
        sites.chain(pages).chain(unread).collect()
    }
}

/// The stylesheets the build writes into `static/`: code colours, and the
/// rating colours of `frameworks.yaml`.
const SYNTAX_CSS: &str = "syntax.css";
const RATINGS_CSS: &str = "ratings.css";

/// Whether a theme's file at `name` under `static/` would take the place of
/// a file the build writes there, in any case of its letters (the output
/// may be copied to a disk that does not tell them apart): the one would
/// silently lose the other.
pub fn is_generated_static(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let search = crate::search::DIR.strip_prefix("static/").unwrap_or(crate::search::DIR);
    name == SYNTAX_CSS
        || name == RATINGS_CSS
        || name == search
        || name.strip_prefix(search).is_some_and(|rest| rest.starts_with('/'))
}

/// What completing the output found: every path it has, the files
/// assembling added, and the external links its pages hold (listed by
/// `check`, never fetched).
#[derive(Debug)]
pub struct Assembled {
    pub paths: Vec<String>,
    /// The sitemap, search index and static files.
    pub extra: Vec<OutputFile>,
    pub external_links: Vec<links::ExternalLink>,
    /// Whether drafts are among the files.
    pub drafts: bool,
    /// Draft reports this selection left out.
    pub draft_reports: usize,
    /// Per record, the entries only draft sections show, left out
    /// (`content/sites/x/site.yaml: quote \`q1\`, \`attributes\``).
    pub withheld: Vec<String>,
}

/// What rendering one page produced: its files (with its downloads), its
/// text for the search index, the problems found, and what the checks
/// across pages need of it, which stays once the files are written.
#[derive(Debug, Default)]
pub struct Rendered {
    pub files: Vec<OutputFile>,
    /// Its pages' text for the search index.
    pub search: Vec<SearchPage>,
    pub diags: Vec<Diagnostic>,
    /// Links the authors wrote on these pages, for the link check.
    pub links: Vec<AuthoredLink>,
    /// Ids and links of its HTML pages, read once as they are rendered.
    pub pages: Vec<PageFacts>,
    /// Paths of its files.
    pub paths: Vec<String>,
}

impl Rendered {
    /// Reads the facts of its files.
    fn with_facts(mut self) -> Self {
        self.pages = self
            .files
            .iter()
            .filter(|f| f.path.ends_with(".html"))
            .map(|f| PageFacts::scan(&f.path, &f.bytes))
            .collect();
        self.paths = self.files.iter().map(|f| f.path.clone()).collect();
        self
    }

    /// Hands its files to `sink`, keeping only their facts; a part with
    /// problems drops them unwritten. A clean one goes to `kept`'s store too.
    fn emit(mut self, sink: &dyn Sink, kept: Option<(&dyn PartStore, u128)>) -> Self {
        let files = std::mem::take(&mut self.files);
        if !self.diags.is_empty() {
            return self;
        }
        // Every file is read, so that every leak is reported.
        let named = files.iter().fold(false, |named, file| sink.scan(file) | named);
        let barriers = self.pages.iter().any(|page| !page.barriers.is_empty());
        if let Some((store, key)) = kept.filter(|_| !named && !barriers) {
            store.put(key, &self, &files);
        }
        files.into_iter().for_each(|file| sink.write(file));
        self
    }

    /// Its search documents, taken out of it; `None` when some were left
    /// in the store it was read back from.
    pub fn take_search_docs(&mut self) -> Option<Vec<SearchDoc>> {
        let pages = std::mem::take(&mut self.search).into_iter();
        let docs = pages.map(|page| match page.docs {
            PageDocs::Rendered(docs) => Some(docs),
            PageDocs::Stored { .. } => None,
        });
        Some(docs.collect::<Option<Vec<_>>>()?.into_iter().flatten().collect())
    }

    /// Writes the files of a part taken from a [`PartStore`].
    fn write(mut self, sink: &dyn Sink) -> Self {
        std::mem::take(&mut self.files).into_iter().for_each(|file| sink.write(file));
        self
    }
}

/// A site's report from its record and `narrative` (its narrative files,
/// which a build has taken out of the site).
fn render_site(site: &Site, narrative: &[Narrative], meta: &Renderer) -> Rendered {
    let root = "../../";
    let (project, theme, selection) = (meta.project, meta.theme, meta.selection);
    let mut env = Env::for_site(project, site, theme, root, &meta.bibliography);
    let (narrative, left_out): (Vec<&Narrative>, Vec<&Narrative>) =
        narrative.iter().partition(|n| selection.narrative(n));
    env.left_out = left_out;
    env.delivery_stated = meta.delivery_stated;
    let href = format!("sites/{}/index.html", site.record.id.value);
    let (rendered, mut diags) = render_sections(&narrative, &env, true);
    diags.retain(|d| match d.follows {
        Some(Gap::Narrative) => site.narrative_complete,
        Some(Gap::Record) => site.record_complete,
        None => true,
    });
    let mut search = rendered.search_docs(&site.record.title, &href);
    let mut links = rendered.authored_links(&href);
    let (sections, toc, figures) = with_reference_list(rendered);
    let r = &site.record;
    // Cover fields cite as text: the cover sits before the reference list.
    let mut cover = ProseRenderer::outside_report((&site.record_path, &site.record_text), env.bibliography);
    let disclaimer_html = r.disclaimer.as_ref().map(|text| cover.render_block(text).0);
    let licence_html = r.licence.as_ref().map(|text| cover.render_inline(text));
    let (summary_html, summary_words) = cover.render_inline_and_words(&r.summary);
    cover.finish(&href, &mut diags, &mut links);
    // The summary is what a reader remembers a report by: it is found too, on the cover.
    let summary =
        SearchDoc { report: r.title.clone(), section: "Summary".to_string(), href: href.clone(), text: summary_words };
    search.insert(0, summary);
    let view = SiteView {
        // A published report holding a draft section (`--drafts`) is marked
        // DRAFT as a whole: a printed page or a Word file shows no section marks.
        page: meta.meta(&r.title, root, r.status == Status::Draft || narrative.iter().any(|n| n.front.draft)),
        id: r.id.value.clone(),
        title: r.title.clone(),
        subtitle: r.subtitle.clone(),
        prison: r.prison.clone(),
        setting: r.setting.clone(),
        wing: r.wing.clone(),
        authors: r.authors.clone(),
        year: r.year,
        publisher: r.publisher.clone(),
        isbn: r.isbn.as_ref().map(|isbn| isbn.value.clone()),
        doi: r.doi.as_ref().map(|doi| Doi { name: doi.value.clone(), href: doi_href(&doi.value) }),
        licence_html,
        disclaimer_html,
        status: r.status.key().to_string(),
        status_label: r.status.label().to_string(),
        summary_html,
        data_href: downloads::RECORD_JSON.to_string(),
        compare: meta.compare_link(site, root),
        sample: r.sample.iter().flatten().map(|(label, &count)| SampleRow { label: label.clone(), count }).collect(),
        toc,
        figures,
        sections,
    };
    let mut files = downloads::site_downloads(site, &project.frameworks);
    files.push(page_file(theme, "site.html", &view, href, &mut diags));
    Rendered { files, search: SearchPage::pages_of(search), diags, links, ..Rendered::default() }
}

fn render_free_page(page: &Narrative, meta: &Renderer) -> Rendered {
    let root = "../../";
    let theme = meta.theme;
    let env = Env::without_site(meta.project, theme, root, &meta.bibliography);
    let href = page_href(page);
    let (rendered, mut diags) = render_sections(&[page], &env, false);
    let search = rendered.search_docs(&page.front.title, &href);
    let links = rendered.authored_links(&href);
    let toc = rendered.toc.iter().flat_map(|t| t.children.clone()).collect();
    let view = FreePageView {
        page: PageMeta { current: href.clone(), ..meta.meta(&page.front.title, root, page.front.draft) },
        title: page.front.title.clone(),
        toc,
        html: rendered.into_html(),
    };
    let files = vec![page_file(theme, "page.html", &view, href, &mut diags)];
    Rendered { files, search: SearchPage::pages_of(search), diags, links, ..Rendered::default() }
}

/// `404.html`, for a web server to show at any address the output lacks:
/// only with `url` set, whose path its links and styles start from. Not
/// the whole address (`<base>`): readers reach an intranet by more than
/// one host name or scheme, and the page's own `#main` must stay on it.
fn render_not_found(meta: &Renderer) -> Option<Rendered> {
    let url = url::Url::parse(meta.project.config.url.as_deref()?).ok()?;
    let mount = format!("{}/", url.path().trim_end_matches('/'));
    let page = meta.meta("Page not found", &mount, false);
    let view = FreePageView { page, title: "Page not found".to_string(), toc: Vec::new(), html: String::new() };
    let mut diags = Vec::new();
    let files = vec![page_file(meta.theme, "404.html", &view, NOT_FOUND.to_string(), &mut diags)];
    let pages = files.iter().map(|f| PageFacts::scan_mounted(&f.path, &f.bytes, &mount)).collect();
    let paths = files.iter().map(|f| f.path.clone()).collect();
    Some(Rendered { files, diags, pages, paths, ..Rendered::default() })
}

/// Where the output's "page not found" page is.
pub const NOT_FOUND: &str = "404.html";

fn render_index(sites: &[&Site], meta: &Renderer) -> Rendered {
    let (project, theme) = (meta.project, meta.theme);
    let env = Env::without_site(project, theme, "", &meta.bibliography);
    let mut diags = Vec::new();
    let mut links = Vec::new();
    let series = &project.series;
    let mut search = Vec::new();
    let narrative_html = project.index.as_ref().filter(|n| meta.selection.narrative(n)).map(|n| {
        let (rendered, found) = render_sections(&[n], &env, false);
        diags.extend(found);
        links.extend(rendered.authored_links("index.html"));
        // Its opening text sits below every report's card: link to its heading.
        search = rendered.search_docs(&series.title, "index.html");
        for doc in search.iter_mut().filter(|doc| doc.href == "index.html") {
            doc.href.push_str("#narrative-heading");
        }
        rendered.into_html()
    });
    // The index has no reference list, so its fields cite as text.
    let mut fields = ProseRenderer::outside_report((&project.series_path, &project.series_text), env.bibliography);
    let summary_html = fields.render_inline(&series.summary);
    let acknowledgements_html = series.acknowledgements.as_ref().map(|text| fields.render_block(text).0);
    fields.finish("index.html", &mut diags, &mut links);
    let cards: Vec<SiteCard> = sites
        .iter()
        .map(|site| {
            let mut fields = ProseRenderer::outside_report((&site.record_path, &site.record_text), env.bibliography);
            let card = card(site, fields.render_inline(&site.record.summary));
            fields.finish("index.html", &mut diags, &mut links);
            card
        })
        .collect();
    let view = IndexView {
        page: PageMeta { current: "index.html".to_string(), ..meta.meta(&series.title, "", false) },
        title: series.title.clone(),
        subtitle: series.subtitle.clone(),
        authors: series.authors.clone(),
        year: series.year,
        summary_html,
        funders: series.funders.clone(),
        acknowledgements_html,
        narrative_html,
        narrative_title: project.index.as_ref().map(|n| n.front.title.clone()),
        narrative_draft: project.index.as_ref().is_some_and(|n| n.front.draft && meta.selection.narrative(n)),
        long_list: (cards.len() > compare::ONE_SCREEN).then(|| thousands(cards.len())),
        sites: cards,
        pages: meta.nav_pages.clone(),
    };
    let files = vec![page_file(theme, "index.html", &view, "index.html".to_string(), &mut diags)];
    Rendered { files, search: SearchPage::pages_of(search), diags, links, ..Rendered::default() }
}

fn page_href(page: &Narrative) -> String {
    format!("pages/{}/index.html", slugify(&page.stem))
}

/// Characters a DOI may hold that would end or change the path of its
/// doi.org address (the DOI handbook's list for URL encoding).
const DOI_ESCAPED: &percent_encoding::AsciiSet =
    &percent_encoding::CONTROLS.add(b' ').add(b'"').add(b'#').add(b'%').add(b'<').add(b'>').add(b'?').add(b'`');

fn doi_href(doi: &str) -> String {
    format!("https://doi.org/{}", percent_encoding::utf8_percent_encode(doi, DOI_ESCAPED))
}

fn card(site: &Site, summary_html: String) -> SiteCard {
    let r = &site.record;
    SiteCard {
        id: r.id.value.clone(),
        title: r.title.clone(),
        place: r.prison.clone().or_else(|| r.setting.clone()),
        wing: r.wing.clone(),
        region: r.profile.as_ref().and_then(|p| p.value.region.as_deref()).map(crate::markdown::collapse_whitespace),
        year: r.year,
        summary_html,
        status: r.status.key().to_string(),
        status_label: r.status.label().to_string(),
        href: format!("sites/{}/index.html", r.id.value),
    }
}

fn page_file(
    theme: &Theme,
    template: &str,
    view: &impl serde::Serialize,
    path: String,
    diags: &mut Vec<Diagnostic>,
) -> OutputFile {
    // A page its template fails on stays in the output, empty, so that the
    // links of every other page into it are not reported as broken on top
    // of the template's error; that error fails the run, so the empty page
    // is never published.
    let bytes = theme.render_page(template, view).map(String::into_bytes).unwrap_or_else(|d| {
        diags.push(d);
        Vec::new()
    });
    OutputFile { path, bytes }
}

/// 1000 as "1,000", as GOV.UK writes numbers.
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn appendix_letter(index: usize) -> String {
    let mut n = index;
    let mut letters = Vec::new();
    loop {
        letters.push((b'A' + (n % 26) as u8) as char);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    letters.iter().rev().collect()
}

/// Narrative rendered as the consecutive sections of one page.
#[derive(Default)]
struct Sections {
    sections: Vec<SectionView>,
    toc: Vec<TocEntry>,
    /// Numbered tables and figures in reading order.
    figures: Vec<FigureEntry>,
    /// Reference-list entries of the works the page cites, in list order.
    references: Vec<Resolved>,
    /// Search text by part: (label as the reader sees it, anchor or "", text).
    search: Vec<(String, String, String)>,
    /// Links the authors wrote, with their source files.
    links: Vec<(String, markdown::LinkUse)>,
}

impl Sections {
    /// The bodies one after another, then the reference list: for pages
    /// that are a single text (free pages, the index, the comparison).
    fn into_html(self) -> String {
        let mut html: String = self.sections.into_iter().map(|s| s.html).collect();
        if !self.references.is_empty() {
            html.push_str(&format!("<h2 id=\"references\">References</h2>\n{}", reference_list(&self.references)));
        }
        html
    }

    /// The page's search documents: one per section's opening text and
    /// one per `##` part, linked to their anchors on `href`.
    fn search_docs(&self, report: &str, href: &str) -> Vec<SearchDoc> {
        let references = self.references.iter().map(|r| r.text.as_str()).collect::<Vec<_>>().join(" ");
        let references =
            (!references.is_empty()).then(|| ("References".to_string(), "references".to_string(), references));
        self.search
            .iter()
            .chain(references.as_ref())
            .map(|(section, id, text)| SearchDoc {
                report: report.to_string(),
                section: section.clone(),
                href: if id.is_empty() { href.to_string() } else { format!("{href}#{id}") },
                text: text.clone(),
            })
            .collect()
    }

    fn authored_links(&self, page: &str) -> Vec<AuthoredLink> {
        self.links.iter().map(|(path, link)| authored_link(page, path, link)).collect()
    }
}

/// A link written at `link` in source file `path` that ended up on `page`.
fn authored_link(page: &str, path: &str, link: &markdown::LinkUse) -> AuthoredLink {
    AuthoredLink {
        page: page.to_string(),
        href: link.href.clone(),
        path: path.to_string(),
        line: link.line,
        col: link.col,
        image: link.image,
    }
}

fn reference_list(entries: &[Resolved]) -> String {
    let items: Vec<&str> = entries.iter().map(|e| e.html.as_str()).collect();
    format!("<ul class=\"references\">\n{}\n</ul>\n", items.join("\n"))
}

/// A report's sections and contents, with "References" (when it cites
/// anything) placed after the main sections and before the appendices.
fn with_reference_list(rendered: Sections) -> (Vec<SectionView>, Vec<TocEntry>, Vec<FigureEntry>) {
    let Sections { mut sections, mut toc, references, figures, .. } = rendered;
    if !references.is_empty() {
        let at = sections.iter().position(|s| s.appendix).unwrap_or(sections.len());
        let id = "references".to_string();
        toc.insert(
            at,
            TocEntry { number: None, title: "References".to_string(), id: id.clone(), children: Vec::new() },
        );
        let html = reference_list(&references);
        let references = "References".to_string();
        sections.insert(at, SectionView { number: None, title: references, id, appendix: false, draft: false, html });
    }
    (sections, toc, figures)
}

/// Renders narrative files as consecutive sections of one page. With
/// `numbered`, files are sections 1, 2... and appendices A, B... Bodies are
/// parsed first, then their shortcodes rendered in reading order (which
/// numbers tables and figures), then citations and cross-references
/// resolved, once every label of the page is known, and only then is any
/// HTML written.
fn render_sections(narrative: &[&Narrative], env: &Env, numbered: bool) -> (Sections, Vec<Diagnostic>) {
    let mut page = PageState::default();
    let mut diags = Vec::new();
    let mut out = Sections::default();
    let mut labels: FxHashMap<String, String> = FxHashMap::default();
    // Ids of shortcodes refused for a mistake of their own: not reported again as missing targets.
    let mut mistaken_ids: FxHashSet<String> = FxHashSet::default();
    let mut parsed = Vec::with_capacity(narrative.len());
    let mut counter = SectionCounter::new(&env.project.config.numbering, numbered);
    let mut numbering = Numbering::new(&env.project.config.numbering);
    // Sections named in front matter claim their ids after every heading
    // and table has its own, so a clash is reported at the front matter;
    // until then, anchors made from titles keep clear of them.
    let named: FxHashSet<&str> =
        narrative.iter().filter_map(|f| f.front.id.as_ref()).map(|id| id.value.as_str()).collect();
    for file in narrative {
        let front = &file.front;
        let (label, display) = counter.next(front);
        if let Some(d) = title_attribute(file) {
            diags.push(d);
        }
        let id = match &front.id {
            Some(id) => id.value.clone(),
            None => std::iter::repeat_with(|| page.unique_id(&slugify(&front.title)))
                .find(|id| !named.contains(id.as_str()))
                .unwrap_or_default(),
        };
        let title_level = if numbered { 2 } else { 1 };
        let ctx = BodyContext {
            path: &file.path,
            body_line: file.body_line,
            label: label.as_deref(),
            title_level,
            table_cell: false,
        };
        // Read again before rendering (see `render`): a text missing here
        // fails the build rather than publish a blank section.
        let Some(text) = file.body.text() else {
            let lost = "wingreport did not read this file's text again before rendering it";
            diags.push(
                Diagnostic::whole_file(&file.path, lost).with_hint("build again; if it happens again, report it"),
            );
            continue;
        };
        let mut body = markdown::parse(text, &ctx, &mut page);
        diags.append(&mut body.diagnostics);
        numbering.section(label.as_deref());
        let calls: Vec<Option<Planned>> = body
            .calls
            .iter()
            .map(|call| match shortcodes::plan_call(call, env, &mut numbering, &mut page, &file.path) {
                Ok((planned, figure)) => {
                    if let Some(figure) = figure {
                        labels.insert(figure.id.clone(), figure.number.clone());
                        out.figures.push(figure);
                    }
                    Some(planned)
                }
                Err(d) => {
                    diags.push(d);
                    // Its id is no target, for a reason already reported.
                    if let Some(id) = call.args.get("id").and_then(markdown::shortcodes::ArgValue::as_str) {
                        mistaken_ids.insert(id.to_string());
                    }
                    None
                }
            })
            .collect();
        mistaken_ids.extend(body.refused_ids.iter().cloned());
        for heading in &body.headings {
            let label = heading.number.as_ref().map_or_else(|| heading.text.clone(), |n| format!("Section {n}"));
            labels.insert(heading.id.clone(), label);
        }
        if front.id.is_some() {
            let label = match &display {
                Some(number) if front.appendix => number.clone(),
                Some(number) => format!("Section {number}"),
                None => front.title.clone(),
            };
            labels.insert(id.clone(), label);
        }
        out.toc.push(TocEntry {
            number: display.clone(),
            title: front.title.clone(),
            id: id.clone(),
            children: toc_children(&body.headings),
        });
        out.links.extend(body.links.drain(..).map(|link| (file.path.clone(), link)));
        parsed.push((file, display, id, body, calls));
    }
    claim_section_ids(narrative, &mut page, &mut diags);
    // Every work the page cites or lists, so that a list placed before the
    // last citation is already complete.
    let mut cited: Vec<String> = Vec::new();
    let record = env.site.map_or(("", ""), |site| (site.record_path.as_str(), &*site.record_text));
    // The record's Markdown fields a call shows cite and cross-refer like
    // the narrative, so they render once every label is known.
    let mut prose = ProseRenderer::in_report(record, &labels, env.bibliography, &mut cited);
    // A placed reference list waits for every work cited, the fields' too.
    let mut placed_list = Vec::new();
    let mut parsed: Vec<_> = parsed
        .into_iter()
        .enumerate()
        .map(|(f, (file, display, id, body, calls))| {
            let calls: Vec<Resolved> = calls
                .into_iter()
                .enumerate()
                .map(|(n, planned)| match planned {
                    Some(p) if p.is_reference_list() => {
                        placed_list.push((f, n, p));
                        Resolved::default()
                    }
                    Some(p) => shortcodes::render_planned(p, env, &mut prose).map_or_else(
                        |d| {
                            diags.push(d);
                            Resolved::default()
                        },
                        |output| Resolved { html: output.html, text: output.text },
                    ),
                    None => Resolved::default(),
                })
                .collect();
            (file, display, id, body, calls)
        })
        .collect();
    diags.append(&mut prose.diagnostics);
    out.links.extend(prose.links.drain(..).map(|link| (record.0.to_string(), link)));
    // A work a mistake in references.yaml (reported already) left out.
    let mut maybe_cited = false;
    for (file, _, _, body, _) in &parsed {
        let keys = body.refs.iter().flat_map(|used| match &used.reference {
            Reference::Cite { items, .. } => items.iter().map(|item| item.key.as_str()).collect(),
            Reference::Xref { .. } => Vec::new(),
        });
        for key in keys.chain(file.front.nocite.iter().map(|key| key.value.as_str())) {
            if env.bibliography.contains(key) && !cited.iter().any(|c| c == key) {
                cited.push(key.to_string());
            }
            maybe_cited |= !env.bibliography.contains(key) && !env.bibliography.lacks(key);
        }
    }
    let placed = !placed_list.is_empty();
    let mut placed_list = placed_list.into_iter();
    if let Some((first, slot, planned)) = placed_list.next() {
        let (file, _, _, body, calls) = &mut parsed[first];
        let call = &body.calls[slot];
        let first_at = format!("{}:{}", file.path, call.line);
        if cited.is_empty() && !maybe_cited {
            diags.push(
                Diagnostic::new(
                    &file.path,
                    call.line,
                    call.col,
                    "`{{ references() }}` places the reference list, but this report cites no works",
                )
                .with_hint(
                    "cite a work with `[@key]`, list it under `nocite:` in the front matter, or remove the shortcode",
                ),
            );
        } else {
            match shortcodes::render_reference_list(planned, env, &env.bibliography.entries(&cited)) {
                Ok(output) => calls[slot] = Resolved { html: output.html, text: output.text },
                Err(d) => diags.push(d),
            }
        }
        for (other, n, _) in placed_list {
            let (file, _, _, body, _) = &parsed[other];
            let call = &body.calls[n];
            diags.push(
                Diagnostic::new(&file.path, call.line, call.col, "the reference list is placed twice")
                    .with_hint(format!("`{{{{ references() }}}}` is already at {first_at}; keep one of the two")),
            );
        }
    }
    // A target in a draft section this build leaves out: a reference to it says so.
    let drafted = |id: &str| -> Option<String> {
        env.left_out
            .iter()
            .filter(|f| {
                f.front.id.as_ref().is_some_and(|i| i.value == id)
                    || f.body.text().is_some_and(|text| text.contains(&format!("{{#{id}}}")))
                    || f.body.text().is_some_and(|text| text.contains(&format!("{{#{id} ")))
            })
            .map(|f| f.path.clone())
            .next()
    };
    for (file, display, id, body, calls) in parsed {
        let refs: Vec<Resolved> = body
            .refs
            .iter()
            .map(|used| {
                // A reference to a shortcode refused for a mistake reported already.
                if matches!(&used.reference, Reference::Xref { id } if mistaken_ids.contains(id) && !labels.contains_key(id)) {
                    return Resolved::default();
                }
                resolve(used, &file.path, (&labels, &drafted), env.bibliography, &mut cited).unwrap_or_else(|d| {
                    diags.push(d);
                    Resolved::default()
                })
            })
            .collect();
        let rendered = body.content.into_html(&body.headings, &calls, &refs);
        let section_label = match &display {
            Some(n) => format!("{n} {}", file.front.title),
            None => file.front.title.clone(),
        };
        let anchor = if numbered { id.clone() } else { String::new() };
        for part in rendered.search {
            let (label, anchor) = match part.heading.map(|h| &body.headings[h]) {
                Some(h) => {
                    (h.number.as_ref().map_or_else(|| h.text.clone(), |n| format!("{n} {}", h.text)), h.id.clone())
                }
                None => (section_label.clone(), anchor.clone()),
            };
            out.search.push((label, anchor, part.text));
        }
        out.sections.push(SectionView {
            number: display,
            title: file.front.title.clone(),
            id,
            appendix: file.front.appendix,
            draft: file.front.draft,
            html: rendered.html,
        });
    }
    if !placed {
        out.references = env.bibliography.entries(&cited);
    }
    (out, diags)
}

/// Claims each front-matter `id` as its section's anchor, once headings and
/// tables hold theirs; two sections with one id are `validate`'s to report.
fn claim_section_ids(narrative: &[&Narrative], page: &mut PageState, diags: &mut Vec<Diagnostic>) {
    let mut sections = FxHashSet::default();
    for file in narrative {
        let Some(id) = &file.front.id else { continue };
        if sections.insert(id.value.as_str()) && !page.claim(&id.value) {
            let (line, col) = file.front_position(id);
            diags.push(
                Diagnostic::new(&file.path, line, col, format!("section id `{}` is also the id of a heading or table in this report", id.value))
                    .with_hint("ids name one place each: rename the section's `id`, or the heading's `{#...}` or the table's `id=\"...\"`"),
            );
        }
    }
}

/// Numbers sections 1, 2... and appendices A, B... (or 1, 2... under
/// `appendix_style = "number"`), labelled as `[numbering]` says.
struct SectionCounter<'a> {
    config: &'a NumberingConfig,
    numbered: bool,
    sections: usize,
    appendices: usize,
}

impl<'a> SectionCounter<'a> {
    fn new(config: &'a NumberingConfig, numbered: bool) -> Self {
        SectionCounter { config, numbered, sections: 0, appendices: 0 }
    }

    /// The label a file's headings and tables are numbered under ("2",
    /// "A", "A1") and the number shown before its title ("2", "Annex B").
    fn next(&mut self, front: &FrontMatter) -> (Option<String>, Option<String>) {
        if !self.numbered {
            (None, None)
        } else if front.appendix {
            self.appendices += 1;
            let label = &self.config.appendix_label;
            match self.config.appendix_style {
                AppendixStyle::Letter => {
                    let letter = appendix_letter(self.appendices - 1);
                    (Some(letter.clone()), Some(format!("{label} {letter}")))
                }
                // "Annex 1" numbers its tables A1.1, apart from section 1's 1.1.
                AppendixStyle::Number => {
                    let initial: String = label.chars().take(1).flat_map(char::to_uppercase).collect();
                    (Some(format!("{initial}{}", self.appendices)), Some(format!("{label} {}", self.appendices)))
                }
            }
        } else if front.numbered {
            self.sections += 1;
            (Some(self.sections.to_string()), Some(self.sections.to_string()))
        } else {
            (None, None)
        }
    }
}

/// `{#id}` in a front-matter title is not read as an id: say so rather than
/// print it as part of the heading.
fn title_attribute(file: &Narrative) -> Option<Diagnostic> {
    let title = &file.front.title;
    let open = title.find("{#")?;
    title[open..].contains('}').then(|| {
        Diagnostic::new(&file.path, 1, 1, format!("`{}` in the title would be printed as part of it", &title[open..]))
            .with_hint("a title takes no `{#id}`; name the section with `id: sec-...` in the front matter, and `##` headings inside may carry `{#id}`")
    })
}

/// A page's cross-reference targets by id, and where a target left out of
/// this build (in a draft section) is.
type Targets<'t> = (&'t FxHashMap<String, String>, &'t dyn Fn(&str) -> Option<String>);

/// One citation or cross-reference as HTML, or why it cannot be resolved.
fn resolve(
    used: &markdown::RefUse,
    path: &str,
    (labels, drafted): Targets,
    bibliography: &Bibliography,
    cited: &mut Vec<String>,
) -> Result<Resolved, Diagnostic> {
    let error = |(line, col): (usize, usize), message: String, hint: String| {
        Diagnostic::new(path, line, col, message).with_hint(hint)
    };
    match &used.reference {
        Reference::Xref { id } => match labels.get(id) {
            Some(label) => Ok(Resolved {
                html: format!("<a class=\"xref\" href=\"#{id}\">{}</a>", markdown::escape_html(label)),
                text: label.clone(),
            }),
            None => {
                let prefix = &id[..4];
                let mut known: Vec<&str> =
                    labels.keys().map(String::as_str).filter(|k| k.starts_with(prefix)).collect();
                known.sort_unstable();
                let hint = match (drafted(id), did_you_mean(id, known.iter().copied())) {
                    (Some(file), _) => format!(
                        "its target is in {file}, a draft (`draft: true`) this build leaves out: publish that \
                         section, or name it in words until then"
                    ),
                    (None, Some(near)) => format!("did you mean `@{near}`? Targets here: {}", one_of(&known)),
                    (None, None) if known.is_empty() && prefix == "sec-" => "no `sec-` targets in this report: give a section `id: sec-...` in its front matter, or a heading `{#sec-...}`".to_string(),
                    (None, None) if known.is_empty() => format!(
                        "no `{prefix}` targets in this report: give a table or figure `id=\"{prefix}...\"` or a heading `{{#{prefix}...}}`"
                    ),
                    (None, None) => format!("targets here: {}", one_of(&known)),
                };
                let message = format!("cross-reference `@{id}` has no target");
                Err(error((used.line, used.col), message, hint).following(Gap::Narrative))
            }
        },
        Reference::Cite { items, narrative } => {
            for (i, item) in items.iter().enumerate() {
                if !bibliography.contains(&item.key) {
                    if !bibliography.lacks(&item.key) {
                        // references.yaml has a mistake, reported already, which may have left the work out.
                        let html = markdown::escape_html(&format!("@{}", item.key));
                        return Ok(Resolved { html, text: String::new() });
                    }
                    let mut known: Vec<&str> = bibliography.keys().collect();
                    known.sort_unstable();
                    let hint = match did_you_mean(&item.key, known.iter().copied()) {
                        Some(near) => format!("did you mean `@{near}`? Keys are defined in content/references.yaml"),
                        None => "add the work to content/references.yaml, or write `\\@` for a literal @".to_string(),
                    };
                    let at = used.keys.get(i).copied().unwrap_or((used.line, used.col));
                    return Err(error(at, format!("citation `@{}` is not in the bibliography", item.key), hint));
                }
                if !cited.contains(&item.key) {
                    cited.push(item.key.clone());
                }
            }
            Ok(bibliography.cite(items, *narrative))
        }
    }
}

/// Nests `##` and `###` headings under their section; deeper ones stay out of the contents.
fn toc_children(headings: &[markdown::Heading]) -> Vec<TocEntry> {
    let mut entries: Vec<TocEntry> = Vec::new();
    for h in headings.iter().filter(|h| h.depth <= 2) {
        let entry =
            TocEntry { number: h.number.clone(), title: h.text.clone(), id: h.id.clone(), children: Vec::new() };
        match (h.depth, entries.last_mut()) {
            (2, Some(parent)) => parent.children.push(entry),
            _ => entries.push(entry),
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(1050), "1,050");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    fn doc(href: &str, text: &str) -> SearchDoc {
        SearchDoc { report: "R".into(), section: "S".into(), href: href.into(), text: text.into() }
    }

    #[test]
    fn search_docs_are_taken_out_of_the_parts_by_page_in_order() {
        let a_docs = vec![doc("sites/a/index.html#x", "1"), doc("sites/a/index.html", "2")];
        let mut a = Rendered { search: SearchPage::pages_of(a_docs.clone()), ..Rendered::default() };
        let mut b =
            Rendered { search: SearchPage::pages_of(vec![doc("pages/b/index.html#y", "3")]), ..Rendered::default() };
        let pages = search_pages([&mut a, &mut b]);
        let grouped: Vec<(&str, usize)> = pages
            .iter()
            .map(|page| match &page.docs {
                PageDocs::Rendered(docs) => (page.href.as_str(), docs.len()),
                PageDocs::Stored { .. } => panic!("{} was rendered", page.href),
            })
            .collect();
        assert_eq!(grouped, [("sites/a/index.html", 2), ("pages/b/index.html", 1)]);
        assert!(a.search.is_empty() && b.search.is_empty(), "no second copy stays behind");
        let again = SearchPage::pages_of(a_docs);
        assert_eq!(again[0].digest, pages[0].digest, "a page's digest is of what it holds");
        assert_ne!(pages[0].digest, pages[1].digest);
    }

    #[test]
    fn a_part_whose_text_was_left_in_its_store_gives_no_documents() {
        let mut rendered =
            Rendered { search: SearchPage::pages_of(vec![doc("sites/a/index.html", "1")]), ..Rendered::default() };
        assert_eq!(rendered.take_search_docs().map(|docs| docs.len()), Some(1));
        let stored = SearchPage {
            href: "sites/a/index.html".into(),
            title: "A".into(),
            digest: 1,
            docs: PageDocs::Stored { key: 7, page: 0 },
        };
        let mut read_back = Rendered { search: vec![stored], ..Rendered::default() };
        assert!(read_back.take_search_docs().is_none());
    }

    #[test]
    fn appendix_letters_run_past_z() {
        assert_eq!(appendix_letter(0), "A");
        assert_eq!(appendix_letter(25), "Z");
        assert_eq!(appendix_letter(26), "AA");
    }

    fn front(appendix: bool, numbered: bool) -> FrontMatter {
        let yaml = format!("title: T\nappendix: {appendix}\nnumbered: {numbered}\n");
        serde_saphyr::from_str(&yaml).unwrap()
    }

    fn counted(config: &NumberingConfig) -> Vec<(Option<String>, Option<String>)> {
        let mut counter = SectionCounter::new(config, true);
        [front(false, true), front(false, false), front(false, true), front(true, true), front(true, true)]
            .iter()
            .map(|f| counter.next(f))
            .collect()
    }

    #[test]
    fn sections_count_apart_from_appendices_which_take_their_label_and_style() {
        let some = |s: &str| Some(s.to_string());
        assert_eq!(
            counted(&NumberingConfig::default()),
            [
                (some("1"), some("1")),
                (None, None),
                (some("2"), some("2")),
                (some("A"), some("Appendix A")),
                (some("B"), some("Appendix B"))
            ]
        );
        let annex = NumberingConfig {
            appendix_label: "annexe".to_string(),
            appendix_style: AppendixStyle::Number,
            ..NumberingConfig::default()
        };
        let annexes: Vec<_> = counted(&annex).into_iter().skip(3).collect();
        assert_eq!(annexes, [(some("A1"), some("annexe 1")), (some("A2"), some("annexe 2"))]);
        let unnumbered = SectionCounter::new(&annex, false).next(&front(true, true));
        assert_eq!(unnumbered, (None, None), "free pages number nothing");
    }
}
