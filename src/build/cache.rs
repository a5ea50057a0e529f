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

use super::Failure;
use crate::digest::Digest;
use crate::links::{AuthoredLink, PageFacts};
use crate::load::ParsedStore;
use crate::model::{FrontMatter, SiteRecord};
use crate::render::{self, OutputFile, PageDocs, PartStore, Rendered, SearchPage};
use crate::search::{self, Analysed, SearchDoc, SearchIndex};

/// The cache's folder in the project.
pub const DIR: &str = ".wingreport-cache";

/// Changed whenever what is kept changes shape, so older entries miss.
const FORMAT: &str = "wingreport parts 2";

/// What a kept report holds: a [`Rendered`] without problems, with each
/// search page's href, title and digest. Its search documents follow it in
/// the entry, each page's in a list, read only when a page must be
/// analysed again (see [`PageDocs::Stored`]).
#[derive(Serialize)]
struct Keeping<'a> {
    files: &'a [OutputFile],
    search: Vec<(&'a str, &'a str, u128)>,
    links: &'a [AuthoredLink],
    pages: &'a [PageFacts],
    paths: &'a [String],
}

#[derive(Deserialize)]
struct Kept {
    files: Vec<OutputFile>,
    search: Vec<(String, String, u128)>,
    links: Vec<AuthoredLink>,
    pages: Vec<PageFacts>,
    paths: Vec<String>,
}

/// An entry's bytes, to write to its path.
struct Sealed {
    name: u128,
    path: PathBuf,
    bytes: EntryBytes,
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
        self.read_with(key, |value| postcard::from_bytes(value).ok())
    }

    /// What `read` makes of the value of the entry `key` names.
    fn read_with<T>(&self, key: u128, read: impl FnOnce(&[u8]) -> Option<T>) -> Option<T> {
        let (name, path) = self.entry(key);
        let value = read_entry_with(&path, name, read)?;
        self.mark_used(name);
        Some(value)
    }

    /// The search documents of the `page`th search page of the report kept
    /// as `key`, which [`PartStore::get`] left there.
    fn stored_docs(&self, key: u128, page: usize) -> Option<Vec<SearchDoc>> {
        self.read_with(key, |value| {
            let (_, docs) = postcard::take_from_bytes::<Kept>(value).ok()?;
            postcard::from_bytes::<Vec<Vec<SearchDoc>>>(docs).ok()?.into_iter().nth(page)
        })
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
        if write_whole(&path, bytes.as_slice()).is_ok() {
            self.mark_used(name);
        }
    }

    /// One entry per selection, rewritten with each new index.
    fn analysed_key(&self) -> u128 {
        Digest::new().text("analysed search pages").text(self.selection).finish()
    }

    /// The documents `docs` stands for: as rendered, or read again from
    /// `store`, whose report they were left in.
    fn docs(store: Option<&PartCache>, docs: PageDocs) -> Result<Vec<SearchDoc>, Failure> {
        match docs {
            PageDocs::Rendered(docs) => Ok(docs),
            PageDocs::Stored { key, page } => store.and_then(|store| store.stored_docs(key, page)).ok_or_else(|| {
                let dir = store.map_or(Path::new(DIR), |store| store.parts.parent().unwrap_or(&store.parts));
                Failure::Io(format!(
                    "{} changed while this build read it (is another build of this project running?): build again",
                    dir.display()
                ))
            }),
        }
    }
}

/// The search index files of `parts`, taking their search pages: from
/// `store` when an earlier run indexed the same pages, which only their
/// digests say. When some changed, only their pages are analysed again:
/// the last index's pages are kept analysed, by their digests.
pub fn search_files(store: Option<&PartCache>, parts: &mut [Rendered]) -> Result<Vec<OutputFile>, Failure> {
    let pages = render::search_pages(parts);
    let Some(store) = store else { return index_of(None, pages, |index| index.files()) };
    let mut key = Digest::new();
    key.text("search index");
    pages.iter().for_each(|page| {
        key.value(page.digest);
    });
    let key = key.finish();
    if let Some(files) = store.read(key) {
        // Still the next edit's to read.
        store.mark_used(store.entry(store.analysed_key()).0);
        return Ok(files);
    }
    let files = index_of(Some(store), pages, |index| index.files())?;
    store.keep(key, &files);
    Ok(files)
}

/// The search index of `parts` (taking their search pages, as
/// [`render::search_pages`] does), of pages read back analysed when an
/// earlier run analysed the same documents.
pub fn search_index<'a>(
    store: Option<&PartCache>,
    parts: impl IntoIterator<Item = &'a mut Rendered>,
) -> Result<SearchIndex, Failure> {
    index_of(store, render::search_pages(parts), |index| index)
}

/// `made` of the index of `pages`: each page read back from the last
/// index's pages analysed that `store` kept, or analysed afresh, and the
/// pages kept for the next run meanwhile.
fn index_of<T: Send>(
    store: Option<&PartCache>,
    pages: Vec<SearchPage>,
    made: impl FnOnce(SearchIndex) -> T + Send,
) -> Result<T, Failure> {
    let analysed_key = store.map(PartCache::analysed_key);
    // Each page in postcard of its own, so that pages are read in
    // parallel and a page read back is kept again as it was read.
    let kept: Vec<Option<ByteBuf>> = {
        let mut last: FxHashMap<u128, ByteBuf> = store
            .zip(analysed_key)
            .and_then(|(store, key)| store.read::<Vec<(u128, ByteBuf)>>(key))
            .unwrap_or_default()
            .into_iter()
            .collect();
        pages.iter().map(|page| last.remove(&page.digest)).collect()
    };
    let indexed: Vec<Indexed> = pages
        .into_par_iter()
        .zip(kept)
        .map(|(SearchPage { href, title, digest, docs }, kept)| {
            let (page, bytes) = analysed_page(kept, title, || PartCache::docs(store, docs))?;
            Ok(Indexed { href, page, digest, bytes })
        })
        .collect::<Result<_, Failure>>()?;
    let mut analysed = Vec::with_capacity(indexed.len());
    let mut keeping = Vec::with_capacity(indexed.len());
    for Indexed { href, page, digest, bytes } in indexed {
        analysed.push((href, page));
        keeping.extend(bytes.map(|bytes| (digest, bytes)));
    }
    let sealed = store.zip(analysed_key).and_then(|(store, key)| Some((store, store.seal(key, &keeping)?)));
    drop(keeping);
    // Written while the index is made, which takes the pages as it goes.
    let ((), made) = rayon::join(
        || sealed.into_iter().for_each(|(store, sealed)| store.write(sealed)),
        || made(SearchIndex::from_analysed(analysed)),
    );
    Ok(made)
}

/// A page of the index as analysed, with its digest and its postcard to keep.
struct Indexed {
    href: String,
    page: Analysed,
    digest: u128,
    bytes: Option<ByteBuf>,
}

/// A page as analysed for search, with its postcard to keep: read back
/// from `kept`, its postcard in the last index, or else analysed afresh.
fn analysed_page(
    kept: Option<ByteBuf>,
    title: String,
    docs: impl FnOnce() -> Result<Vec<SearchDoc>, Failure>,
) -> Result<(Analysed, Option<ByteBuf>), Failure> {
    if let Some(bytes) = kept
        && let Ok(page) = postcard::from_bytes(&bytes)
    {
        return Ok((page, Some(bytes)));
    }
    let page = search::analyse(title, &docs()?);
    let bytes = postcard::to_allocvec(&page).ok().map(ByteBuf::from);
    Ok((page, bytes))
}

impl PartStore for PartCache {
    fn get(&self, key: u128) -> Option<Rendered> {
        // Its search documents stay in the entry, unread.
        let Kept { files, search, links, pages, paths } =
            self.read_with(key, |value| Some(postcard::take_from_bytes(value).ok()?.0))?;
        self.reused.fetch_add(1, Ordering::Relaxed);
        let search = search.into_iter().enumerate();
        let search = search
            .map(|(page, (href, title, digest))| SearchPage {
                href,
                title,
                digest,
                docs: PageDocs::Stored { key, page },
            })
            .collect();
        Some(Rendered { files, search, diags: Vec::new(), links, pages, paths })
    }

    fn put(&self, key: u128, part: &Rendered, files: &[OutputFile]) {
        let mut search = Vec::new();
        let mut docs = Vec::new();
        for page in &part.search {
            // A page whose documents are elsewhere cannot be kept whole.
            let PageDocs::Rendered(page_docs) = &page.docs else { return };
            search.push((page.href.as_str(), page.title.as_str(), page.digest));
            docs.push(page_docs);
        }
        let keeping = Keeping { files, search, links: &part.links, pages: &part.pages, paths: &part.paths };
        self.keep(key, &(keeping, docs));
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
            let _ = write_whole(&self.path, bytes.as_slice());
        }
    }

    fn get<T: DeserializeOwned>(&self, key: u128) -> Option<T> {
        let value = rmp_serde::from_slice(self.last.get(&key)?).ok()?;
        self.read.lock().unwrap_or_else(|e| e.into_inner()).insert(key);
        Some(value)
    }

    fn put<T: Serialize + DeserializeOwned + PartialEq>(&self, key: u128, value: &T) {
        if !self.keeps {
            return;
        }
        let Ok(bytes) = rmp_serde::to_vec_named(value) else { return };
        // Kept only when it reads back as parsed: a field written one way
        // and read another would otherwise change reports without a word.
        let back = rmp_serde::from_slice::<T>(&bytes);
        if back.is_ok_and(|back| back == *value) {
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
    read_entry_with(path, name, |value| postcard::from_bytes(value).ok())
}

/// What `read` makes of the value of the entry at `path`, if it is there,
/// whole and `name`d.
fn read_entry_with<T>(path: &Path, name: u128, read: impl FnOnce(&[u8]) -> Option<T>) -> Option<T> {
    let bytes = std::fs::read(path).ok()?;
    let Entry { name: stored_name, sum, value } = postcard::from_bytes(&bytes).ok()?;
    // A file renamed, copied over or damaged on disk is not this entry.
    if stored_name != name || sum != checksum(value) {
        return None;
    }
    read(value)
}

/// The bytes of an entry: an [`Entry`] in postcard, made by serializing
/// its value once, behind room left for the fields before it (a report's
/// entry is hundreds of kilobytes: a second copy was a tenth of keeping it).
struct EntryBytes {
    bytes: Vec<u8>,
    start: usize,
}

impl EntryBytes {
    /// Room for the widest `name`, `sum` and length as postcard's varints.
    const ROOM: usize = 19 + 10 + 10;

    fn as_slice(&self) -> &[u8] {
        &self.bytes[self.start..]
    }
}

/// The bytes of an entry `name` holding `value`.
fn seal_entry(name: u128, value: &impl Serialize) -> Option<EntryBytes> {
    let room = EntryBytes::ROOM;
    let mut bytes = postcard::to_extend(value, vec![0; room]).ok()?;
    let sum = checksum(&bytes[room..]);
    // How postcard writes an `Entry`'s fields, its byte slice included.
    let mut header = [0; EntryBytes::ROOM];
    let header = postcard::to_slice(&(name, sum, bytes.len() - room), &mut header).ok()?;
    let start = room - header.len();
    bytes[start..room].copy_from_slice(header);
    Some(EntryBytes { bytes, start })
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

    #[test]
    fn an_entry_sealed_in_one_pass_is_the_entry_postcard_writes_and_reads() {
        let long = "x".repeat(300);
        for (name, value) in [(0, ""), (u128::MAX, "a"), (7 << 100, long.as_str())] {
            let sealed = seal_entry(name, &value).unwrap();
            let value_bytes = postcard::to_allocvec(&value).unwrap();
            let entry = Entry { name, sum: checksum(&value_bytes), value: &value_bytes };
            assert_eq!(sealed.as_slice(), postcard::to_allocvec(&entry).unwrap());
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("entry");
            write_whole(&path, sealed.as_slice()).unwrap();
            assert_eq!(read_entry::<String>(&path, name).as_deref(), Some(value));
            assert_eq!(read_entry::<String>(&path, name ^ 1), None, "another name misses");
        }
    }

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
        // Equal compares every field, and every place a value was written.
        for (key, record) in &records {
            let back = cache.record(*key).unwrap_or_else(|| panic!("{} was not kept", record.id.value));
            assert_eq!(&back, record);
        }
        for (key, front) in &fronts {
            let back = cache.front_matter(*key).unwrap_or_else(|| panic!("{} was not kept", front.title));
            assert_eq!(&back, front);
        }
        assert!(cache.record(0).is_none(), "a text never parsed is a miss");
    }

    /// A site report as rendered: one page whose documents say `words`.
    fn part(words: &str) -> Rendered {
        let href = "sites/a/index.html";
        let doc = |section: &str, anchor: &str| SearchDoc {
            report: "Site A".into(),
            section: section.into(),
            href: format!("{href}{anchor}"),
            text: format!("{section} {words}"),
        };
        let docs = vec![doc("Summary", ""), doc("Findings", "#findings")];
        let files = vec![OutputFile { path: href.into(), bytes: b"<html></html>".to_vec() }];
        Rendered { files, search: vec![SearchPage::new(href.into(), "Site A".into(), docs)], ..Rendered::default() }
    }

    #[test]
    fn a_report_read_back_leaves_its_text_in_the_cache_until_its_page_must_be_indexed() {
        let project = tempfile::tempdir().unwrap();
        let store = PartCache::open(project.path(), &[], false, Use::ReadAndKeep).unwrap();
        let mut rendered = part("mentors listen");
        store.put(7, &rendered, &rendered.files);
        let mut read_back = store.get(7).expect("kept");
        assert_eq!(read_back.files, rendered.files);
        let page = &read_back.search[0];
        assert_eq!((page.href.as_str(), page.digest), ("sites/a/index.html", rendered.search[0].digest));
        assert!(matches!(page.docs, PageDocs::Stored { key: 7, page: 0 }), "{:?}", page.docs);
        // No index kept yet: the page is analysed from the text read again.
        let from_cache = search_files(Some(&store), std::slice::from_mut(&mut read_back)).unwrap();
        let fresh = search_files(None, std::slice::from_mut(&mut rendered)).unwrap();
        assert_eq!(from_cache, fresh);
        assert!(fresh.iter().any(|file| String::from_utf8_lossy(&file.bytes).contains("mentors")));
    }

    #[test]
    fn a_report_gone_from_the_cache_before_its_text_was_read_fails_the_build_with_a_reason() {
        let project = tempfile::tempdir().unwrap();
        let store = PartCache::open(project.path(), &[], false, Use::ReadAndKeep).unwrap();
        let rendered = part("peers");
        store.put(7, &rendered, &rendered.files);
        let mut read_back = store.get(7).expect("kept");
        // As another build of the project might between the two reads.
        std::fs::remove_file(store.entry(7).1).unwrap();
        match search_files(Some(&store), std::slice::from_mut(&mut read_back)) {
            Err(Failure::Io(reason)) => {
                assert!(reason.contains(DIR) && reason.contains("build again"), "{reason}")
            }
            other => panic!("expected the cache's failure, got {:?}", other.map(|files| files.len())),
        }
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
