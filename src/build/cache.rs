//! The build cache: each site report a build rendered, kept by the digest of
//! everything it was rendered from, so that the next build of an archive
//! renders only the reports whose inputs changed and reads the rest back.
//!
//! The search index is kept too, by the digest of the documents it indexes,
//! and each page as analysed for it, so an edit analyses only its page.
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
        let dir = root.join(DIR);
        let parts = dir.join("parts");
        let keeps = used_as == Use::ReadAndKeep;
        if keeps {
            std::fs::create_dir_all(&parts).ok()?;
            // Ignored by git wherever the project is kept, as `target/` is not.
            let ignore = dir.join(".gitignore");
            if !ignore.is_file() {
                std::fs::write(&ignore, "# wingreport's build cache: safe to delete\n*\n").ok()?;
            }
        } else if !parts.is_dir() {
            return None;
        }
        let mut salt = Digest::new();
        salt.text(FORMAT).text(env!("CARGO_PKG_VERSION")).value(binary_identity()?);
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
        let bytes = std::fs::read(path).ok()?;
        let Entry { name: stored_name, sum, value } = postcard::from_bytes(&bytes).ok()?;
        // A file renamed, copied over or damaged on disk is not this entry.
        if stored_name != name || sum != checksum(value) {
            return None;
        }
        let value = postcard::from_bytes(value).ok()?;
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
        let value = postcard::to_allocvec(value).ok()?;
        let bytes = postcard::to_allocvec(&Entry { name, sum: checksum(&value), value: &value }).ok()?;
        Some(Sealed { name, path, bytes })
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
        // One entry per selection, rewritten with each new index: a kept
        // index needs it no more, but the next edit will.
        let analysed_key = Digest::new().text("analysed search pages").text(self.selection).finish();
        self.mark_used(self.entry(analysed_key).0);
        if let Some(files) = self.read(key) {
            return files;
        }
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
        let ((), files) = rayon::join(
            || sealed.into_iter().for_each(|sealed| self.write(sealed)),
            || SearchIndex::from_analysed(analysed).files(),
        );
        self.keep(key, &files);
        files
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

/// Writes `bytes` to `path` under another name first, so that a build
/// reading it meanwhile, or killed halfway, never sees part of it.
fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut file, bytes)?;
    file.persist(path).map(drop).map_err(|e| e.error)
}

/// This executable's size and modification time: a rebuilt or upgraded
/// wingreport renders differently, so it must miss every entry.
fn binary_identity() -> Option<u128> {
    let meta = std::env::current_exe().and_then(std::fs::metadata).ok()?;
    let modified = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some(Digest::new().value(u128::from(meta.len())).value(modified.as_nanos()).finish())
}
