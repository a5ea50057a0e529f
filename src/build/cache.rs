//! The build cache: each site report a build rendered, kept by the digest of
//! everything it was rendered from, so that the next build of an archive
//! renders only the reports whose inputs changed and reads the rest back.
//!
//! The search index is kept too, by the digest of the documents it indexes,
//! and each page as analysed for it, so an edit analyses only its page.
//! So are the site records and front matter as parsed ([`ParsedCache`]),
//! as every run loads every file and the YAML parser is most of that time.
//!
//! A report's key mixes the render stage's digest of its inputs (see
//! `render::render`) with this binary's identity and the real-names list,
//! so a new wingreport, a changed theme, config, record or names list all
//! miss. Only reports without problems, barriers or real names are kept,
//! and a kept report is written as it was rendered, so a build from the
//! cache is byte-identical to one without (tests/build_cache.rs checks it).
//!
//! It lives in the project (`.wingreport-cache/`, which ignores itself in
//! git), never in the output, which is published. Anything wrong with it
//! (unreadable, corrupt, from another version) is a miss, never an error.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

use crate::digest::Digest;
use crate::links::{AuthoredLink, PageFacts};
use crate::load::ParsedStore;
use crate::model::{FrontMatter, SiteRecord};
use crate::render::{self, OutputFile, PartStore, Rendered};
use crate::search::{self, Analysed, SearchDoc, SearchIndex};

/// The cache's folder in the project.
pub const DIR: &str = ".wingreport-cache";

/// Changed whenever what is kept changes shape, so older entries miss.
const FORMAT: &str = "wingreport parts 1";

/// What a kept report holds: a [`Rendered`] without problems.
#[derive(Serialize)]
struct Keeping<'a> {
    files: &'a [OutputFile],
    search: &'a [SearchDoc],
    links: &'a [AuthoredLink],
    pages: &'a [PageFacts],
    paths: &'a [String],
}

#[derive(Deserialize)]
struct Kept {
    files: Vec<OutputFile>,
    search: Vec<SearchDoc>,
    links: Vec<AuthoredLink>,
    pages: Vec<PageFacts>,
    paths: Vec<String>,
}

/// An entry's bytes, to write to its path.
struct Sealed {
    name: u128,
    path: PathBuf,
    bytes: Vec<u8>,
}

/// A file of the cache: its own name and a checksum of what it holds,
/// which is a kept value in postcard.
#[derive(Serialize, Deserialize)]
struct Entry<'a> {
    name: u128,
    sum: u64,
    #[serde(borrow, with = "serde_bytes")]
    value: &'a [u8],
}

/// Catches a damaged entry; fast, as every build reads the whole cache.
fn checksum(bytes: &[u8]) -> u64 {
    let mut hasher = rustc_hash::FxHasher::default();
    std::hash::Hasher::write(&mut hasher, bytes);
    std::hash::Hasher::finish(&hasher)
}

/// What a run does with the cache.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// Reads kept reports and keeps the ones it renders (`build`).
    ReadAndKeep,
    /// Reads kept reports only, as `check` writes nothing.
    Read,
}

/// The reports kept in a project, for one build.
pub struct PartCache {
    parts: PathBuf,
    /// This binary and the real-names list, mixed into every key.
    salt: u128,
    /// The entries this build read or wrote, which [`PartCache::finish`] keeps.
    used: Mutex<FxHashSet<u128>>,
    /// Which of the two last builds' lists this one replaces.
    selection: &'static str,
    keeps: bool,
    /// Site reports read back.
    reused: AtomicUsize,
}

impl PartCache {
    /// The cache of the project at `root`, for a run that reads `names`
    /// as the real-names list; `None` when there is none to read or it
    /// cannot be made (a read-only project builds without it).
    pub fn open(root: &Path, names: &[String], drafts: bool, used_as: Use) -> Option<PartCache> {
        let keeps = used_as == Use::ReadAndKeep;
        let parts = folder(root, "parts", keeps)?;
        let mut salt = program()?;
        names.iter().for_each(|name| {
            salt.text(name);
        });
        let selection = if drafts { "drafts" } else { "published" };
        let reused = AtomicUsize::new(0);
        Some(PartCache { parts, salt: salt.finish(), used: Mutex::default(), selection, keeps, reused })
    }

    fn entry(&self, key: u128) -> (u128, PathBuf) {
        let name = Digest::new().value(self.salt).value(key).finish();
        (name, self.parts.join(format!("{name:032x}")))
    }

    /// How many site reports this run read back.
    pub fn reused(&self) -> usize {
        self.reused.load(Ordering::Relaxed)
    }

    fn mark_used(&self, name: u128) {
        self.used.lock().unwrap_or_else(|e| e.into_inner()).insert(name);
    }

    /// After a build that succeeded: keeps the entries it used and those
    /// of the last build of the other selection (drafts or published, so
    /// switching between them does not render everything again), and
    /// removes the rest.
    pub fn finish(self) {
        if !self.keeps {
            return;
        }
        let dir = self.parts.parent().unwrap_or(&self.parts).to_path_buf();
        let used = self.used.into_inner().unwrap_or_else(|e| e.into_inner());
        let list: String = used.iter().map(|name| format!("{name:032x}\n")).collect();
        let other = if self.selection == "drafts" { "published" } else { "drafts" };
        let other = std::fs::read_to_string(dir.join(format!("last-{other}.txt"))).unwrap_or_default();
        let keep: FxHashSet<&str> = list.lines().chain(other.lines()).collect();
        if write_whole(&dir.join(format!("last-{}.txt", self.selection)), list.as_bytes()).is_err() {
            return;
        }
        for entry in std::fs::read_dir(&self.parts).into_iter().flatten().flatten() {
            let name = entry.file_name();
            if !keep.contains(name.to_string_lossy().as_ref()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// The entry `key` names, if it is there and whole.
    fn read<T: DeserializeOwned>(&self, key: u128) -> Option<T> {
        let (name, path) = self.entry(key);
        let value = read_entry(&path, name)?;
        self.mark_used(name);
        Some(value)
    }

    fn keep(&self, key: u128, value: &impl Serialize) {
        if let Some(sealed) = self.seal(key, value) {
            self.write(sealed);
        }
    }

    /// `value` as the bytes of the entry `key` names, when this run keeps.
    fn seal(&self, key: u128, value: &impl Serialize) -> Option<Sealed> {
        if !self.keeps {
            return None;
        }
        let (name, path) = self.entry(key);
        Some(Sealed { name, path, bytes: seal_entry(name, value)? })
    }

    fn write(&self, Sealed { name, path, bytes }: Sealed) {
        if write_whole(&path, &bytes).is_ok() {
            self.mark_used(name);
        }
    }

    /// The search index files of `parts` ([`render::search_files`]), from
    /// the cache when an earlier run indexed the same documents. When some
    /// changed, only their pages are analysed again: the last index's
    /// pages are kept analysed, by the digest of their documents.
    pub fn search_files(&self, parts: &mut [Rendered]) -> Vec<OutputFile> {
        let pages = render::search_pages(parts);
        let digests: Vec<u128> =
            pages.par_iter().map(|(href, title, docs)| search_page_digest(href, title, docs)).collect();
        let mut key = Digest::new();
        key.text("search index");
        digests.iter().for_each(|page| {
            key.value(*page);
        });
        let key = key.finish();
        if let Some(files) = self.read(key) {
            // Still the next edit's to read.
            self.mark_used(self.entry(self.analysed_key()).0);
            return files;
        }
        let files = self.index_of(pages, digests, |index| index.files());
        self.keep(key, &files);
        files
    }

    /// The search index of `parts` (taking their documents, as
    /// [`render::search_pages`] does), of pages read back analysed when an
    /// earlier run analysed the same documents.
    pub fn search_index<'a>(&self, parts: impl IntoIterator<Item = &'a mut Rendered>) -> SearchIndex {
        let pages = render::search_pages(parts);
        let digests = pages.par_iter().map(|(href, title, docs)| search_page_digest(href, title, docs)).collect();
        self.index_of(pages, digests, |index| index)
    }

    /// One entry per selection, rewritten with each new index.
    fn analysed_key(&self) -> u128 {
        Digest::new().text("analysed search pages").text(self.selection).finish()
    }

    /// `made` of the index of `pages`, whose documents have `digests`:
    /// each page read back from the last index's pages analysed, or
    /// analysed afresh, and the pages kept for the next run meanwhile.
    fn index_of<T: Send>(
        &self,
        pages: Vec<(String, String, Vec<SearchDoc>)>,
        digests: Vec<u128>,
        made: impl FnOnce(SearchIndex) -> T + Send,
    ) -> T {
        let analysed_key = self.analysed_key();
        // Each page in postcard of its own, so that pages are read in
        // parallel and a page read back is kept again as it was read.
        let kept: Vec<Option<ByteBuf>> = {
            let mut last: FxHashMap<u128, ByteBuf> =
                self.read::<Vec<(u128, ByteBuf)>>(analysed_key).unwrap_or_default().into_iter().collect();
            digests.iter().map(|digest| last.remove(digest)).collect()
        };
        let (analysed, keeping): (Vec<(String, Analysed)>, Vec<Option<ByteBuf>>) = pages
            .into_par_iter()
            .zip(kept)
            .map(|((href, title, docs), kept)| {
                let (page, bytes) = analysed_page(kept, title, &docs);
                ((href, page), bytes)
            })
            .unzip();
        let keeping: Vec<(u128, ByteBuf)> =
            digests.into_iter().zip(keeping).filter_map(|(digest, bytes)| Some((digest, bytes?))).collect();
        let sealed = self.seal(analysed_key, &keeping);
        drop(keeping);
        // Written while the index is made, which takes the pages as it goes.
        let ((), made) = rayon::join(
            || sealed.into_iter().for_each(|sealed| self.write(sealed)),
            || made(SearchIndex::from_analysed(analysed)),
        );
        made
    }
}

/// A page as analysed for search, with its postcard to keep: read back
/// from `kept`, its postcard in the last index, or else analysed afresh.
fn analysed_page(kept: Option<ByteBuf>, title: String, docs: &[SearchDoc]) -> (Analysed, Option<ByteBuf>) {
    if let Some(bytes) = kept
        && let Ok(page) = postcard::from_bytes(&bytes)
    {
        return (page, Some(bytes));
    }
    let page = search::analyse(title, docs);
    let bytes = postcard::to_allocvec(&page).ok().map(ByteBuf::from);
    (page, bytes)
}

fn search_page_digest(href: &str, title: &str, docs: &[SearchDoc]) -> u128 {
    let mut digest = Digest::new();
    digest.text(href).text(title);
    for SearchDoc { report, section, href, text } in docs {
        digest.text(report).text(section).text(href).text(text);
    }
    digest.finish()
}

impl PartStore for PartCache {
    fn get(&self, key: u128) -> Option<Rendered> {
        let Kept { files, search, links, pages, paths } = self.read(key)?;
        self.reused.fetch_add(1, Ordering::Relaxed);
        Some(Rendered { files, search, diags: Vec::new(), links, pages, paths })
    }

    fn put(&self, key: u128, part: &Rendered, files: &[OutputFile]) {
        let keeping =
            Keeping { files, search: &part.search, links: &part.links, pages: &part.pages, paths: &part.paths };
        self.keep(key, &keeping);
    }
}

/// The site records and front matter of a project as earlier runs parsed
/// them, in one entry beside the reports' (every run reads every file),
/// each in MessagePack: unlike postcard, it reads the model's own
/// deserializers, and keeps where each value was written
/// (`model::Spanned`), so that what is read back is reported on as if it
/// had been parsed.
pub struct ParsedCache {
    path: PathBuf,
    /// This binary, which is the entry's name: another parses differently,
    /// so it misses them all.
    name: u128,
    keeps: bool,
    /// The entry's values, by [`load::parsed_key`].
    last: FxHashMap<u128, ByteBuf>,
    /// The keys of those this run read back.
    read: Mutex<FxHashSet<u128>>,
    /// The values this run parsed, to keep.
    parsed: Mutex<Vec<(u128, ByteBuf)>>,
}

impl ParsedCache {
    /// What the project at `root` keeps parsed; `None` when there is no
    /// cache to read or it cannot be made.
    pub fn open(root: &Path, used_as: Use) -> Option<ParsedCache> {
        let keeps = used_as == Use::ReadAndKeep;
        let path = folder(root, "parsed", keeps)?.join("yaml");
        let name = program()?.finish();
        let last = read_entry::<Vec<(u128, ByteBuf)>>(&path, name).unwrap_or_default().into_iter().collect();
        Some(ParsedCache { path, name, keeps, last, read: Mutex::default(), parsed: Mutex::default() })
    }

    /// Keeps what this run read back or parsed, and nothing else:
    /// rewritten only when it parsed something or left something unread.
    pub fn finish(self) {
        let read = self.read.into_inner().unwrap_or_else(|e| e.into_inner());
        let parsed = self.parsed.into_inner().unwrap_or_else(|e| e.into_inner());
        if !self.keeps || (parsed.is_empty() && read.len() == self.last.len()) {
            return;
        }
        let mut last = self.last;
        let kept: Vec<(u128, ByteBuf)> =
            read.into_iter().filter_map(|key| Some((key, last.remove(&key)?))).chain(parsed).collect();
        if let Some(bytes) = seal_entry(self.name, &kept) {
            let _ = write_whole(&self.path, &bytes);
        }
    }

    fn get<T: DeserializeOwned>(&self, key: u128) -> Option<T> {
        let value = rmp_serde::from_slice(self.last.get(&key)?).ok()?;
        self.read.lock().unwrap_or_else(|e| e.into_inner()).insert(key);
        Some(value)
    }

    fn put<T: Serialize + DeserializeOwned + std::fmt::Debug>(&self, key: u128, value: &T) {
        if !self.keeps {
            return;
        }
        let Ok(bytes) = rmp_serde::to_vec_named(value) else { return };
        // Kept only when it reads back as parsed: a field written one way
        // and read another would otherwise change reports without a word.
        let back = rmp_serde::from_slice::<T>(&bytes);
        if back.is_ok_and(|back| format!("{back:?}") == format!("{value:?}")) {
            self.parsed.lock().unwrap_or_else(|e| e.into_inner()).push((key, ByteBuf::from(bytes)));
        }
    }
}

impl ParsedStore for ParsedCache {
    fn record(&self, key: u128) -> Option<SiteRecord> {
        self.get(key)
    }

    fn keep_record(&self, key: u128, record: &SiteRecord) {
        self.put(key, record);
    }

    fn front_matter(&self, key: u128) -> Option<FrontMatter> {
        self.get(key)
    }

    fn keep_front_matter(&self, key: u128, front: &FrontMatter) {
        self.put(key, front);
    }
}

/// The folder `sub` of the project's cache, made when the run `keeps`.
fn folder(root: &Path, sub: &str, keeps: bool) -> Option<PathBuf> {
    let dir = root.join(DIR);
    let sub = dir.join(sub);
    if keeps {
        std::fs::create_dir_all(&sub).ok()?;
        // Ignored by git wherever the project is kept, as `target/` is not.
        let ignore = dir.join(".gitignore");
        if !ignore.is_file() {
            std::fs::write(&ignore, "# wingreport's build cache: safe to delete\n*\n").ok()?;
        }
    } else if !sub.is_dir() {
        return None;
    }
    Some(sub)
}

/// The value of the entry at `path`, if it is there, whole and `name`d.
fn read_entry<T: DeserializeOwned>(path: &Path, name: u128) -> Option<T> {
    let bytes = std::fs::read(path).ok()?;
    let Entry { name: stored_name, sum, value } = postcard::from_bytes(&bytes).ok()?;
    // A file renamed, copied over or damaged on disk is not this entry.
    if stored_name != name || sum != checksum(value) {
        return None;
    }
    postcard::from_bytes(value).ok()
}

/// The bytes of an entry `name` holding `value`.
fn seal_entry(name: u128, value: &impl Serialize) -> Option<Vec<u8>> {
    let value = postcard::to_allocvec(value).ok()?;
    postcard::to_allocvec(&Entry { name, sum: checksum(&value), value: &value }).ok()
}

/// Writes `bytes` to `path` under another name first, so that a build
/// reading it meanwhile, or killed halfway, never sees part of it.
fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut file, bytes)?;
    file.persist(path).map(drop).map_err(|e| e.error)
}

/// A digest begun with what every entry's name mixes in: the cache's
/// format and this program ([`binary_identity`]).
fn program() -> Option<Digest> {
    let mut digest = Digest::new();
    digest.text(FORMAT).text(env!("CARGO_PKG_VERSION")).value(binary_identity()?);
    Some(digest)
}

/// This executable's size and modification time: a rebuilt or upgraded
/// wingreport renders differently, so it must miss every entry.
fn binary_identity() -> Option<u128> {
    let meta = std::env::current_exe().and_then(std::fs::metadata).ok()?;
    let modified = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some(Digest::new().value(u128::from(meta.len())).value(modified.as_nanos()).finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The files of the repository's projects: the bundled series, the
    /// examples and the browser tests' fixture, by path from the repository.
    fn files(named: fn(&str) -> bool) -> Vec<(String, String)> {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let files = ["content", "examples", "tests/browser/fixture"]
            .into_iter()
            .flat_map(|dir| walkdir::WalkDir::new(repo.join(dir)).sort_by_file_name())
            .map(Result::unwrap)
            .filter(|entry| named(&entry.file_name().to_string_lossy()));
        let read = |entry: walkdir::DirEntry| {
            let path = entry.path().strip_prefix(repo).unwrap().to_string_lossy().into_owned();
            (path, std::fs::read_to_string(entry.path()).unwrap())
        };
        files.map(read).collect()
    }

    fn records() -> Vec<(u128, SiteRecord)> {
        let records = files(|name| name == "site.yaml").into_iter().map(|(path, text)| {
            let record = crate::load::parse_yaml(&text, &path, 0).unwrap_or_else(|e| panic!("{path}: {e:?}"));
            (crate::load::parsed_key("site record", &path, &text), record)
        });
        records.collect()
    }

    #[test]
    fn every_record_and_front_matter_of_the_repository_is_read_back_as_parsed_places_and_all() {
        let records = records();
        let fronts: Vec<(u128, FrontMatter)> = files(|name| name.ends_with(".md"))
            .into_iter()
            .filter(|(_, text)| text.starts_with("---"))
            .map(|(path, text)| {
                let (narrative, found) = crate::load::read_narrative(&path, "", &text);
                let front = narrative.unwrap_or_else(|| panic!("{path}: {found:?}")).front;
                (crate::load::parsed_key("front matter", &path, &text), front)
            })
            .collect();
        assert!(records.len() >= 6 && fronts.len() >= 30, "{} records, {} front matter", records.len(), fronts.len());
        assert!(fronts.iter().any(|(_, front)| front.id.is_some()), "a section id among them");
        assert!(fronts.iter().any(|(_, front)| !front.nocite.is_empty()), "a `nocite` list among them");
        let project = tempfile::tempdir().unwrap();
        let cache = ParsedCache::open(project.path(), Use::ReadAndKeep).unwrap();
        records.iter().for_each(|(key, record)| cache.keep_record(*key, record));
        fronts.iter().for_each(|(key, front)| cache.keep_front_matter(*key, front));
        cache.finish();
        let cache = ParsedCache::open(project.path(), Use::Read).unwrap();
        // `Debug` shows every field, and every place a value was written.
        for (key, record) in &records {
            let back = cache.record(*key).unwrap_or_else(|| panic!("{} was not kept", record.id.value));
            assert_eq!(format!("{back:?}"), format!("{record:?}"));
        }
        for (key, front) in &fronts {
            let back = cache.front_matter(*key).unwrap_or_else(|| panic!("{} was not kept", front.title));
            assert_eq!(format!("{back:?}"), format!("{front:?}"));
        }
        assert!(cache.record(0).is_none(), "a text never parsed is a miss");
    }

    #[test]
    fn a_run_keeps_only_what_it_read_back_or_parsed() {
        let records = records();
        let project = tempfile::tempdir().unwrap();
        let cache = ParsedCache::open(project.path(), Use::ReadAndKeep).unwrap();
        records.iter().for_each(|(key, record)| cache.keep_record(*key, record));
        cache.finish();
        // A run that reads the first record only, as after the others were deleted.
        let cache = ParsedCache::open(project.path(), Use::ReadAndKeep).unwrap();
        assert!(cache.record(records[0].0).is_some());
        cache.finish();
        let cache = ParsedCache::open(project.path(), Use::Read).unwrap();
        assert_eq!(cache.last.len(), 1);
        assert!(cache.record(records[0].0).is_some() && cache.record(records[1].0).is_none());
    }
}
