//! Search index: the plain-text search documents the render stage collects
//! from its Markdown events, written as small scripts under `static/search/`
//! that the theme's `search.js` loads on demand, each by a `<script>`
//! element (scripts, not fetched JSON, so search works from `file://`).
//! Every script calls `wingreportSearchShard(name, data)`:
//!
//! - `manifest` (`manifest.js`): `{"docs": N, "pages": [[href, title,
//!   sections], ...], "terms": [shard, ...], "version": V}`; a page's
//!   number is its place in `pages`. `search.js` loads it afresh on each
//!   page, and the shards below with `?v=V`, a digest of their bytes: a
//!   browser or proxy that caches published files cannot mix one build's
//!   shards with another's (a withdrawn report's sections as results).
//! - `t/<shard>` (`t/<shard>.js`): the terms whose first two characters
//!   name the shard (see [`shard_name`]), each with its postings as one
//!   string of numbers (see [`Postings`]): per page holding the term, `page -
//!   previous page, count`, then `count` pairs of `section - previous
//!   section, weight` (both differences start from 0 on each list and each
//!   page).
//! - `p/<page>` (`p/<page>.js`): the page's sections as `[label, anchor,
//!   snippet]`, loaded only for the hits shown.
//!
//! A posting names a page and a section of that page only, so replacing one
//! page's documents rewrites only the shards of the terms whose postings on
//! that page changed, that page's document shard and maybe the manifest.
//! No I/O.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{LazyLock, OnceLock};

use rayon::prelude::*;
use regex::Regex;
use rustc_hash::FxHashMap;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::render::OutputFile;

/// The folder the index is written to, relative to the output root.
pub const DIR: &str = "static/search";

/// Terms (and query words) shorter than this many characters are left out.
pub const MIN_TERM_CHARS: usize = 2;

/// A term in the page's title adds this to its weight in every section, so
/// that `weight >= TITLE_WEIGHT` marks a title hit for `search.js`.
pub const TITLE_WEIGHT: u16 = 100;

/// A term in the section's own heading adds this instead: a section about
/// the word ranks above the other sections of a report whose title has it.
pub const HEADING_WEIGHT: u16 = 2 * TITLE_WEIGHT;

/// Occurrences in the text count up to here, staying below a title hit.
const MAX_TEXT_WEIGHT: u16 = TITLE_WEIGHT - 1;

/// About how much of a section's opening text its result shows: two lines,
/// as search engines show. The snippets are half the index's bytes.
const SNIPPET_CHARS: usize = 160;

/// One searchable piece of a page: a section's own text (before its first
/// subsection) or one `##` subsection.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SearchDoc {
    /// Title of the report (or page) the text is on.
    pub report: String,
    /// Section label as the reader sees it: "2.1 Peer involvement across the programme".
    pub section: String,
    /// Link relative to the output root: "sites/drake-hall/index.html#findings".
    pub href: String,
    /// Plain text, whitespace collapsed.
    pub text: String,
}

/// Ends one block of a search text (a paragraph, a list item, a table
/// cell, a record field) before the next. The words either side are no
/// phrase a page shows, so when the block ends in a word, a ` | ` keeps a
/// first name in one cell and a surname in the next from reading as one
/// name in a result (the page check reads them apart, and so must the
/// reader); otherwise a space. ASCII, so that an ASCII text stays one,
/// which [`fold`] reads at once (a `·` made every text take the Unicode
/// path: the index took 325 ms at 1,000 sites instead of 173).
pub fn end_block(text: &mut String) {
    match text.trim_end().chars().next_back() {
        Some(c) if is_word_char(c) => text.push_str(" | "),
        _ => text.push(' '),
    }
}

/// A Unicode letter or digit: the class of `search.js`'s `[\p{L}\p{N}]+`
/// (`char::is_alphabetic` is wider: it takes in combining marks).
static WORD_CHAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[\p{L}\p{N}]$").expect("valid pattern"));

fn is_word_char(c: char) -> bool {
    // Most text is ASCII: only other characters need the Unicode tables.
    if c.is_ascii() { c.is_ascii_alphanumeric() } else { WORD_CHAR.is_match(c.encode_utf8(&mut [0; 4])) }
}

/// Text as terms compare it, and as `search.js` `fold` makes it: lowercased,
/// accents and other combining marks removed, so "cafe" finds "Café" and
/// "café" finds "cafe"; letters without a decomposition read as the plain
/// letters they are typed with (see [`plain_letters`]), so "soren" finds
/// "Søren", and a list sorts "Østergaard" among the O's.
pub(crate) fn fold(text: &str) -> String {
    let lower = text.to_lowercase();
    if lower.is_ascii() {
        return lower;
    }
    let mut folded = String::with_capacity(lower.len());
    for c in lower.nfd().filter(|&c| !is_combining_mark(c)).nfc() {
        match plain_letters(c) {
            Some(plain) => folded.push_str(plain),
            None => folded.push(c),
        }
    }
    folded
}

/// Letters with no decomposition, as the plain letters such words are
/// often typed with: `Søren` as `soren`, `Michał` as `michal`, `Straße` as
/// `strasse`. `search.js` and `cards-filter.js` keep the same table.
pub(crate) fn plain_letters(lower: char) -> Option<&'static str> {
    Some(match lower {
        'ß' => "ss",
        'ø' => "o",
        'ł' => "l",
        'ı' => "i",
        'đ' | 'ð' => "d",
        'ħ' => "h",
        'ŧ' => "t",
        'æ' => "ae",
        'œ' => "oe",
        'þ' => "th",
        _ => return None,
    })
}

/// The terms of `text` as the index and `search.js` see them: the text
/// folded (see [`fold`]), split at anything that is not a letter or a
/// digit, words of fewer than [`MIN_TERM_CHARS`] characters left out.
pub fn terms(text: &str) -> Vec<String> {
    let lower = fold(text);
    let mut out = Vec::new();
    each_term(&lower, |t| out.push(t.to_string()));
    out
}

/// Whether each byte is an ASCII letter or digit: one load per byte in the
/// scan below, where `is_ascii_alphanumeric` takes three comparisons.
static ASCII_WORD: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    table
};

fn each_term<'a>(lower: &'a str, mut f: impl FnMut(&'a str)) {
    // Every page's text passes through here, so it goes a word at a time,
    // runs of ASCII letters and digits without decoding: only other
    // characters are decoded.
    let bytes = lower.as_bytes();
    let char_at = |at: usize| -> (bool, usize) {
        match bytes[at] {
            b if b.is_ascii() => (b.is_ascii_alphanumeric(), 1),
            _ => lower[at..].chars().next().map_or((false, 1), |c| (is_word_char(c), c.len_utf8())),
        }
    };
    let mut at = 0;
    while at < bytes.len() {
        let (word, len) = char_at(at);
        if !word {
            at += len;
            continue;
        }
        let from = at;
        let mut chars = 0;
        let mut step = len;
        loop {
            chars += 1;
            at += step;
            while at < bytes.len() && ASCII_WORD[bytes[at] as usize] {
                chars += 1;
                at += 1;
            }
            if at == bytes.len() || bytes[at].is_ascii() {
                break;
            }
            match char_at(at) {
                (true, next) => step = next,
                (false, _) => break,
            }
        }
        if chars >= MIN_TERM_CHARS {
            f(&lower[from..at]);
        }
    }
}

/// The term shard holding `term`, named after its first two characters: a
/// lowercase ASCII letter or digit as itself, anything else as its code
/// point in hex between underscores ("ærø" -> `_e6_r`), so every name is a
/// safe file name on any system and no two prefixes share one.
pub fn shard_name(term: &str) -> String {
    let mut name = String::new();
    for c in term.chars().take(MIN_TERM_CHARS) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            name.push(c);
        } else {
            let _ = write!(name, "_{:x}_", c as u32);
        }
    }
    name
}

fn term_shard_path(name: &str) -> String {
    format!("{DIR}/t/{name}.js")
}

fn doc_shard_path(page: usize) -> String {
    format!("{DIR}/p/{page}.js")
}

const MANIFEST_PATH: &str = "static/search/manifest.js";

/// What a result shows of a section.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct DocEntry {
    label: String,
    anchor: String,
    snippet: String,
}

/// One section of one page holding a term, with the term's weight there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Posting {
    term: u32,
    section: u32,
    weight: u16,
}

#[derive(Debug)]
struct Page {
    href: String,
    title: String,
    docs: Vec<DocEntry>,
    /// Sorted by term, then section: each term's run is contiguous.
    postings: Vec<Posting>,
}

impl Page {
    fn run(&self, term: u32) -> &[Posting] {
        let start = self.postings.partition_point(|p| p.term < term);
        let end = self.postings.partition_point(|p| p.term <= term);
        &self.postings[start..end]
    }
}

#[derive(Debug)]
struct Term {
    text: String,
    /// The pages with postings for the term, ascending.
    pages: Vec<u32>,
    /// The term's entry in its shard, `"text":"..."`, kept once
    /// [`SearchIndex::replace_page`] has rewritten the shard, so that the
    /// next save rewrites a large shard (every page's "the") by copying the
    /// entries of its other terms; emptied when the term's postings change.
    json: OnceLock<String>,
}

/// A page's documents tokenised: the costly part of indexing, done in
/// parallel, and what the build cache keeps of a page whose documents did
/// not change (see [`SearchIndex::from_analysed`]).
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Analysed {
    title: String,
    docs: Vec<DocEntry>,
    /// Each term with its (section, weight) postings in section order,
    /// sorted by term.
    terms: Vec<(String, Vec<(u32, u16)>)>,
}

/// Tokenises the documents of a page of the report `title`.
pub fn analyse(title: String, docs: &[SearchDoc]) -> Analysed {
    let title_lower = fold(&title);
    let mut in_title = Vec::new();
    each_term(&title_lower, |t| in_title.push(t));
    // Folded first, so that one map for the whole page can borrow its terms:
    // each word is then looked up once, not once per section and again per page.
    let folded: Vec<(String, String)> = docs.iter().map(|doc| (fold(&doc.text), fold(&doc.section))).collect();
    let mut terms = PageTerms::default();
    for (section, ((text, label), doc)) in folded.iter().zip(docs).enumerate() {
        let section = u32::try_from(section).unwrap_or(u32::MAX);
        // A reference list names every work's words once more: a work's
        // title there, or the report's, is no sign the section is about them.
        let references = doc.href.ends_with("#references");
        let cap = if references { 1 } else { MAX_TEXT_WEIGHT };
        each_term(text, |t| terms.weigh(t, section, 1, |w| (w + 1).min(cap)));
        // A heading or title hit counts once, however often the term is there;
        // the heading's weight wins over the title's.
        let mut raise = |t, by: u16| {
            let lift = |w: u16| (w % TITLE_WEIGHT) + by.max(w - w % TITLE_WEIGHT);
            terms.weigh(t, section, by, lift)
        };
        each_term(label, |t| raise(t, HEADING_WEIGHT));
        if references {
            // Still a section of a report with that title, found by its
            // words, but with no title hit's rank.
            in_title.iter().for_each(|t| terms.weigh(t, section, 1, |w| w.max(1)));
        } else {
            in_title.iter().for_each(|t| raise(t, TITLE_WEIGHT));
        }
    }
    let mut terms: Vec<(String, Vec<(u32, u16)>)> =
        terms.lists.into_iter().map(|(term, list)| (term.to_string(), list)).collect();
    terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let docs = docs
        .iter()
        .map(|doc| DocEntry {
            label: if doc.section.is_empty() { title.clone() } else { doc.section.clone() },
            anchor: doc.href.split_once('#').map_or(String::new(), |(_, anchor)| anchor.to_string()),
            snippet: opening(&doc.text),
        })
        .collect();
    Analysed { title, docs, terms }
}

/// A page's terms, each with its (section, weight) list in section order.
#[derive(Default)]
struct PageTerms<'a> {
    places: FxHashMap<&'a str, usize>,
    lists: Vec<(&'a str, Vec<(u32, u16)>)>,
}

impl<'a> PageTerms<'a> {
    /// Gives `term` the weight `first` in `section` (the latest one), or,
    /// when it has one there already, `more` of it.
    fn weigh(&mut self, term: &'a str, section: u32, first: u16, more: impl FnOnce(u16) -> u16) {
        let place = *self.places.entry(term).or_insert_with(|| {
            self.lists.push((term, Vec::new()));
            self.lists.len() - 1
        });
        let list = &mut self.lists[place].1;
        match list.last_mut() {
            Some((at, weight)) if *at == section => *weight = more(*weight),
            _ => list.push((section, first)),
        }
    }
}

/// The opening of a section's text, cut at a space near `SNIPPET_CHARS`
/// characters with an ellipsis where it was cut.
fn opening(text: &str) -> String {
    let Some((end, _)) = text.char_indices().nth(SNIPPET_CHARS) else {
        return text.to_string();
    };
    let cut = text[..end].rfind(' ').filter(|&at| at > end / 2).unwrap_or(end);
    format!("{}\u{2026}", text[..cut].trim_end())
}

/// The sharded index of every page's search documents, kept per page in
/// memory so that one page's documents can be replaced without reading the
/// others again.
#[derive(Debug, Default)]
pub struct SearchIndex {
    pages: Vec<Page>,
    by_href: FxHashMap<String, usize>,
    terms: Vec<Term>,
    term_ids: FxHashMap<String, u32>,
    /// Shard name -> ids of its terms that have postings, sorted by text.
    shards: BTreeMap<String, Vec<u32>>,
}

impl SearchIndex {
    /// Pages in the order given get their page numbers (index order).
    pub fn new(pages: Vec<(String /* page href */, String /* report title */, Vec<SearchDoc>)>) -> Self {
        Self::from_analysed(pages.into_par_iter().map(|(href, title, docs)| (href, analyse(title, &docs))).collect())
    }

    /// [`SearchIndex::new`] of pages already analysed, each with its href.
    pub fn from_analysed(analysed: Vec<(String, Analysed)>) -> Self {
        let mut index = SearchIndex::default();
        // Only giving terms their ids is done page after page; sorting the
        // postings and filling the shards is not, as it grows with the archive.
        for (number, (href, page)) in analysed.into_iter().enumerate() {
            let mut postings = Vec::with_capacity(page.terms.iter().map(|(_, list)| list.len()).sum());
            for (text, list) in &page.terms {
                let term = index.term_id(text);
                // Pages come in order and a page lists a term once.
                index.terms[term as usize].pages.push(number as u32);
                postings.extend(list.iter().map(|&(section, weight)| Posting { term, section, weight }));
            }
            index.by_href.insert(href.clone(), number);
            index.pages.push(Page { href, title: page.title, docs: page.docs, postings });
        }
        index.pages.par_iter_mut().for_each(|page| page.postings.sort_unstable());
        for (id, term) in index.terms.iter().enumerate() {
            index.shards.entry(shard_name(&term.text)).or_default().push(id as u32);
        }
        let terms = &index.terms;
        index
            .shards
            .par_iter_mut()
            .for_each(|(_, ids)| ids.sort_unstable_by(|&a, &b| terms[a as usize].text.cmp(&terms[b as usize].text)));
        index
    }

    /// Every file of the index (manifest, term shards, doc shards), deterministic bytes.
    pub fn files(&self) -> Vec<OutputFile> {
        let mut files = Vec::new();
        let entries = self.term_entries();
        files.par_extend(
            self.shards.par_iter().map(|(name, ids)| self.term_shard(name, ids, |id| &entries[id as usize])),
        );
        files.par_extend(
            (0..self.pages.len())
                .into_par_iter()
                .filter(|&n| !self.pages[n].docs.is_empty())
                .map(|n| self.doc_shard(n)),
        );
        let mut digest = rustc_hash::FxHasher::default();
        for file in &files {
            std::hash::Hasher::write(&mut digest, file.path.as_bytes());
            std::hash::Hasher::write(&mut digest, &file.bytes);
        }
        files.insert(0, self.manifest(&format!("{:016x}", std::hash::Hasher::finish(&digest))));
        files
    }

    /// Whether the index has every page of `hrefs`, in that order.
    pub fn in_order<'h>(&self, hrefs: impl IntoIterator<Item = &'h str>) -> bool {
        let mut previous = None;
        hrefs.into_iter().all(|href| {
            let number = self.by_href.get(href).copied();
            let follows = number.is_some() && previous.is_none_or(|p| number > Some(p));
            previous = number;
            follows
        })
    }

    /// Replaces one existing page's docs; returns the files whose bytes changed and the
    /// paths of shards that no longer exist. Unknown page -> None (caller rebuilds all).
    /// The page keeps its number; its title becomes the docs' `report` (kept
    /// when `docs` is empty).
    pub fn replace_page(&mut self, href: &str, docs: Vec<SearchDoc>) -> Option<(Vec<OutputFile>, Vec<String>)> {
        let number = *self.by_href.get(href)?;
        // What the manifest lists, to tell whether it changed without
        // writing it twice on every save.
        let listed = |index: &Self| {
            let page = &index.pages[number];
            (page.title.clone(), page.docs.len(), index.shards.keys().cloned().collect::<Vec<_>>())
        };
        let old_listing = listed(self);
        let title = docs.first().map_or_else(|| self.pages[number].title.clone(), |d| d.report.clone());
        let page = analyse(title, &docs);
        let new_postings = self.intern(&page.terms);
        let old_postings = std::mem::take(&mut self.pages[number].postings);

        // Terms whose postings on this page differ: only their shards change.
        let runs = |postings: &[Posting]| {
            let mut runs: BTreeMap<u32, Vec<(u32, u16)>> = BTreeMap::new();
            for p in postings {
                runs.entry(p.term).or_default().push((p.section, p.weight));
            }
            runs
        };
        let (old_runs, new_runs) = (runs(&old_postings), runs(&new_postings));
        let mut touched = std::collections::BTreeSet::new();
        for (&term, run) in &old_runs {
            match new_runs.get(&term) {
                Some(new) if new == run => {}
                Some(_) => {
                    self.terms[term as usize].json.take();
                    touched.insert(shard_name(&self.terms[term as usize].text));
                }
                None => touched.extend(self.remove_from_term(term, number)),
            }
        }
        for &term in new_runs.keys().filter(|t| !old_runs.contains_key(t)) {
            touched.insert(self.add_to_term(term, number));
        }

        let old_docs = std::mem::replace(&mut self.pages[number].docs, page.docs);
        let entry = &mut self.pages[number];
        entry.title = page.title;
        entry.postings = new_postings;

        let mut changed = Vec::new();
        let mut removed = Vec::new();
        for name in touched {
            match self.shards.get(&name) {
                Some(ids) => changed.push(
                    self.term_shard(&name, ids, |id| self.terms[id as usize].json.get_or_init(|| self.term_entry(id))),
                ),
                None => removed.push(term_shard_path(&name)),
            }
        }
        if self.pages[number].docs != old_docs {
            if self.pages[number].docs.is_empty() {
                removed.push(doc_shard_path(number));
            } else {
                changed.push(self.doc_shard(number));
            }
        }
        // `serve` sends nothing a browser may cache, so its manifest names no version.
        if listed(self) != old_listing {
            changed.insert(0, self.manifest(""));
        }
        Some((changed, removed))
    }

    /// Postings with interned term ids, sorted by term then section.
    fn intern(&mut self, terms: &[(String, Vec<(u32, u16)>)]) -> Vec<Posting> {
        let mut postings = Vec::with_capacity(terms.iter().map(|(_, list)| list.len()).sum());
        for (text, list) in terms {
            let term = self.term_id(text);
            postings.extend(list.iter().map(|&(section, weight)| Posting { term, section, weight }));
        }
        postings.sort_unstable();
        postings
    }

    /// The id of the term `text`, new if it has none yet.
    fn term_id(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.term_ids.get(text) {
            return id;
        }
        let id = u32::try_from(self.terms.len()).expect("fewer than 2^32 distinct terms");
        self.term_ids.insert(text.to_string(), id);
        self.terms.push(Term { text: text.to_string(), pages: Vec::new(), json: OnceLock::new() });
        id
    }

    /// Notes that `page` holds `term`; returns the term's shard name.
    fn add_to_term(&mut self, term: u32, page: usize) -> String {
        let page = page as u32;
        let entry = &mut self.terms[term as usize];
        let was_empty = entry.pages.is_empty();
        if let Err(at) = entry.pages.binary_search(&page) {
            entry.pages.insert(at, page);
            entry.json.take();
        }
        let name = shard_name(&entry.text);
        if was_empty {
            let terms = &self.terms;
            let ids = self.shards.entry(name.clone()).or_default();
            let at = ids.partition_point(|&id| terms[id as usize].text < terms[term as usize].text);
            ids.insert(at, term);
        }
        name
    }

    /// Notes that `page` no longer holds `term`; returns the term's shard name.
    fn remove_from_term(&mut self, term: u32, page: usize) -> Option<String> {
        let entry = &mut self.terms[term as usize];
        let at = entry.pages.binary_search(&(page as u32)).ok()?;
        entry.pages.remove(at);
        entry.json.take();
        let name = shard_name(&entry.text);
        if entry.pages.is_empty()
            && let Some(ids) = self.shards.get_mut(&name)
        {
            ids.retain(|&id| id != term);
            if ids.is_empty() {
                self.shards.remove(&name);
            }
        }
        Some(name)
    }

    /// The manifest, naming the shards' `version` (empty: none).
    fn manifest(&self, version: &str) -> OutputFile {
        let pages: Vec<(&str, &str, usize)> =
            self.pages.iter().map(|p| (p.href.as_str(), p.title.as_str(), p.docs.len())).collect();
        let docs: usize = self.pages.iter().map(|p| p.docs.len()).sum();
        let terms: Vec<&String> = self.shards.keys().collect();
        let json = serde_json::json!({ "docs": docs, "pages": pages, "terms": terms, "version": version });
        OutputFile { path: MANIFEST_PATH.to_string(), bytes: script("manifest", &json.to_string()) }
    }

    /// The shard of the terms `ids`, each term's entry given by `entry`.
    fn term_shard<'e>(&'e self, name: &str, ids: &[u32], entry: impl Fn(u32) -> &'e str) -> OutputFile {
        let mut json = String::from("{");
        for (i, &id) in ids.iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            json.push_str(entry(id));
        }
        json.push('}');
        let shard = format!("t/{name}");
        OutputFile { path: term_shard_path(name), bytes: script(&shard, &json) }
    }

    /// Every term's entry, as [`Self::term_entry`] writes it, by term id.
    /// Read page after page rather than term after term: a common term's
    /// pages are thousands of postings lists apart in memory, which, read
    /// term by term, costs a cache miss per page and grew faster than the
    /// archive. Terms are split into ranges, each read by one thread.
    fn term_entries(&self) -> Vec<String> {
        let terms = self.terms.len();
        let per_range = terms.div_ceil(rayon::current_num_threads() * 4).max(1);
        (0..terms.div_ceil(per_range))
            .into_par_iter()
            .flat_map_iter(|range| self.term_entries_of(range * per_range..terms.min((range + 1) * per_range)))
            .collect()
    }

    fn term_entries_of(&self, ids: std::ops::Range<usize>) -> Vec<String> {
        let mut entries: Vec<(Postings, u32)> =
            self.terms[ids.clone()].iter().map(|term| (Postings::entry(&term.text), 0)).collect();
        // Term ids fit in u32 (see `term_id`).
        let (first, end) = (ids.start as u32, ids.end as u32);
        for (number, page) in self.pages.iter().enumerate() {
            let number = number as u32;
            let mut rest = &page.postings[page.postings.partition_point(|p| p.term < first)..];
            while let Some(&Posting { term, .. }) = rest.first().filter(|p| p.term < end) {
                let (run, after) = rest.split_at(rest.partition_point(|p| p.term == term));
                let (postings, previous_page) = &mut entries[(term - first) as usize];
                postings.push_page(number - *previous_page, run);
                *previous_page = number;
                rest = after;
            }
        }
        entries.into_iter().map(|(postings, _)| postings.finish()).collect()
    }

    /// `"text":"..."`: the term's postings, page by page, as [`Postings`].
    fn term_entry(&self, id: u32) -> String {
        let term = &self.terms[id as usize];
        let mut postings = Postings::entry(&term.text);
        let mut previous_page = 0;
        for &page in &term.pages {
            postings.push_page(page - previous_page, self.pages[page as usize].run(id));
            previous_page = page;
        }
        postings.finish()
    }

    fn doc_shard(&self, page: usize) -> OutputFile {
        let docs: Vec<[&str; 3]> =
            self.pages[page].docs.iter().map(|d| [d.label.as_str(), d.anchor.as_str(), d.snippet.as_str()]).collect();
        let json = serde_json::to_string(&docs).expect("strings serialise");
        OutputFile { path: doc_shard_path(page), bytes: script(&format!("p/{page}"), &json) }
    }
}

/// The digits of [`Postings`]: the first 32 end a number, the last 32 go on.
const DIGITS: &[u8; 64] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

/// A term's postings written as a string of base-32 digits, most significant
/// first, each but a number's last one from the upper half of [`DIGITS`]:
/// numbers under 32 take one character, where JSON numbers and their commas
/// took two to four. Postings are about half the index, so this halves it.
///
/// The numbers come in pairs `(a, b)` with `b` usually 1 to 3 (a page's
/// count of sections; a section's weight): the pair is written as one number
/// `4a + b`, or as `4a` followed by `b` when `b` is outside 1 to 3.
struct Postings(String);

impl Postings {
    /// Opens the shard entry of the term `text`: `"text":"`.
    fn entry(text: &str) -> Self {
        let mut json = serde_json::to_string(text).expect("a string serialises");
        json.push_str(":\"");
        Postings(json)
    }

    /// A page holding the term, `page_gap` after the previous one, and the
    /// term's postings there (`run`, sorted by section).
    fn push_page(&mut self, page_gap: u32, run: &[Posting]) {
        self.push_pair(page_gap, run.len() as u32);
        let mut previous_section = 0;
        for posting in run {
            self.push_pair(posting.section - previous_section, u32::from(posting.weight));
            previous_section = posting.section;
        }
    }

    /// Closes the entry.
    fn finish(mut self) -> String {
        self.0.push('"');
        self.0
    }

    fn push_number(&mut self, n: u32) {
        let mut high = n >> 5;
        let mut digits = [0u8; 7];
        let mut start = digits.len() - 1;
        digits[start] = DIGITS[(n & 31) as usize];
        while high > 0 {
            start -= 1;
            digits[start] = DIGITS[32 + (high & 31) as usize];
            high >>= 5;
        }
        self.0.push_str(std::str::from_utf8(&digits[start..]).expect("the digits are ASCII"));
    }

    fn push_pair(&mut self, a: u32, b: u32) {
        if (1..=3).contains(&b) {
            self.push_number(a * 4 + b);
        } else {
            self.push_number(a * 4);
            self.push_number(b);
        }
    }
}

/// `wingreportSearchShard("name", json);`. `</` is written `<\/` and
/// U+2028/U+2029 as `\u2028`/`\u2029`, so text can neither end a
/// `<script>` nor break an older JS parser.
fn script(name: &str, json: &str) -> Vec<u8> {
    // `<`, U+2028 and U+2029 only occur inside JSON strings, where `\/` and
    // `\uXXXX` are valid escapes meaning the same characters.
    let mut json = std::borrow::Cow::Borrowed(json);
    if json.contains("</") {
        json = json.replace("</", "<\\/").into();
    }
    if json.contains(['\u{2028}', '\u{2029}']) {
        json = json.replace('\u{2028}', "\\u2028").replace('\u{2029}', "\\u2029").into();
    }
    format!("wingreportSearchShard({},{json});\n", serde_json::to_string(name).expect("a string serialises"))
        .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(page: &str, section: &str, anchor: &str, text: &str) -> SearchDoc {
        SearchDoc {
            report: format!("Report {page}"),
            section: section.into(),
            href: format!("sites/{page}/index.html#{anchor}"),
            text: text.into(),
        }
    }

    fn page(name: &str, docs: Vec<SearchDoc>) -> (String, String, Vec<SearchDoc>) {
        (format!("sites/{name}/index.html"), format!("Report {name}"), docs)
    }

    /// Found by a search audit: at 100 sites, the ten best results for
    /// "mentor" were ten reference lists, full of works' titles.
    #[test]
    fn a_reference_list_counts_a_term_once() {
        let docs = [doc("a", "References", "references", "Mentoring works. Mentor roles. Peer mentor schemes.")];
        let analysed = analyse("Mentor report".into(), &docs);
        let mentor = analysed.terms.iter().find(|(text, _)| text == "mentor").map(|(_, list)| list.clone());
        assert_eq!(mentor, Some(vec![(0, 1)]), "no title hit's rank either");
        let report = analysed.terms.iter().find(|(text, _)| text == "report").map(|(_, list)| list.clone());
        assert_eq!(report, Some(vec![(0, 1)]), "but found by the title's words, as every section is");
    }

    #[test]
    fn weights_count_the_text_up_to_a_cap_and_add_a_heading_hit_once() {
        let many = "listener ".repeat(150);
        let docs = [
            doc("alpha", "1 Peer support", "peer", &format!("Peer peer {many}")),
            doc("alpha", "2 Staff", "staff", "Staff and peer listener."),
        ];
        let analysed = analyse("Alpha peer report".into(), &docs);
        let weights = |term: &str| {
            analysed.terms.iter().find(|(text, _)| text == term).map(|(_, list)| list.clone()).unwrap_or_default()
        };
        // In the text twice, the label and the title: one heading hit,
        // which wins over the title's.
        assert_eq!(weights("peer"), [(0, 2 + HEADING_WEIGHT), (1, 1 + TITLE_WEIGHT)]);
        assert_eq!(weights("listener"), [(0, MAX_TEXT_WEIGHT), (1, 1)]);
        assert_eq!(weights("alpha"), [(0, TITLE_WEIGHT), (1, TITLE_WEIGHT)], "a title term is in every section");
        assert_eq!(weights("staff"), [(1, 1 + HEADING_WEIGHT)]);
        assert_eq!(weights("support"), [(0, HEADING_WEIGHT)]);
        let texts: Vec<&str> = analysed.terms.iter().map(|(text, _)| text.as_str()).collect();
        assert!(texts.is_sorted(), "{texts:?}");
    }

    fn sample() -> Vec<(String, String, Vec<SearchDoc>)> {
        vec![
            page(
                "alpha",
                vec![
                    doc("alpha", "1 Peer mentors", "peer", "Peer mentors welcome newcomers. Peer support."),
                    doc("alpha", "2 Staff", "staff", "Staff and residents; école été."),
                ],
            ),
            page("beta", vec![doc("beta", "1 Hope", "hope", "Hope and trust on the wing.")]),
        ]
    }

    /// The JSON a shard script registers, and its name.
    fn parse(file: &OutputFile) -> (String, serde_json::Value) {
        let js = std::str::from_utf8(&file.bytes).unwrap();
        let body = js.strip_prefix("wingreportSearchShard(").unwrap().strip_suffix(");\n").unwrap();
        let (name, json) = body.split_once(',').unwrap();
        (serde_json::from_str(name).unwrap(), serde_json::from_str(json).unwrap())
    }

    /// The numbers of a term's postings string, as `search.js` reads them.
    fn numbers(postings: &serde_json::Value) -> Vec<u32> {
        let mut out = Vec::new();
        let mut digits = postings.as_str().expect("postings are a string").bytes();
        let mut next = || {
            let mut n = 0;
            loop {
                let c = digits.next()?;
                let d = DIGITS.iter().position(|&x| x == c).expect("a postings digit") as u32;
                n = n * 32 + (d & 31);
                if d < 32 {
                    return Some(n);
                }
            }
        };
        // Each pair is `4a + b`, or `4a` then `b`.
        while let Some(code) = next() {
            out.push(code / 4);
            out.push(if code % 4 == 0 { next().expect("b follows 4a") } else { code % 4 });
        }
        out
    }

    fn file<'a>(files: &'a [OutputFile], path: &str) -> &'a OutputFile {
        files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("no {path}"))
    }

    #[test]
    fn terms_are_folded_runs_of_letters_and_digits_of_two_or_more() {
        assert_eq!(terms("Peer-mentors' WORK, 2025: a 1 x É Été"), ["peer", "mentors", "work", "2025", "ete"]);
        assert_eq!(terms("中文字 ΣΟΦΙΑ naïve_x Άλφα"), ["中文字", "σοφια", "naive", "αλφα"]);
        // Accents go whether the text has them composed or combining.
        assert_eq!(terms("Café cafe\u{301}s ZOË"), ["cafe", "cafes", "zoe"]);
        // Letters that are not a base and a mark read as they are typed plain.
        assert_eq!(terms("Ærø straße łódź Søren"), ["aero", "strasse", "lodz", "soren"]);
        assert!(terms("— … 1 2 3").is_empty());
    }

    #[test]
    fn terms_split_as_the_unicode_pattern_does() {
        let pattern = Regex::new(r"[\p{L}\p{N}]+").unwrap();
        let text = "Ünïcode: ΣΟΦΙΑ’s 中文字；cafe\u{301} x²³ Ⅻ ٣٤ naïve—x ǅemal İstanbul ﬁx 🙂ok 12 a";
        let lower = fold(text);
        let expected: Vec<&str> =
            pattern.find_iter(&lower).map(|m| m.as_str()).filter(|w| w.chars().count() >= MIN_TERM_CHARS).collect();
        assert_eq!(terms(text), expected);
    }

    proptest::proptest! {
        #[test]
        fn terms_split_as_the_unicode_pattern_does_for_any_text(text in "[a-zA-Z0-9 ,.’é\u{301}Σ中²🙂_-]{0,40}") {
            let pattern = Regex::new(r"[\p{L}\p{N}]+").unwrap();
            let lower = fold(&text);
            let expected: Vec<&str> =
                pattern.find_iter(&lower).map(|m| m.as_str()).filter(|w| w.chars().count() >= MIN_TERM_CHARS).collect();
            proptest::prop_assert_eq!(terms(&text), expected);
        }
    }

    #[test]
    fn shard_names_are_safe_and_distinct() {
        assert_eq!(shard_name("peer"), "pe");
        assert_eq!(shard_name("2025"), "20");
        assert_eq!(shard_name("été"), "_e9_t");
        assert_eq!(shard_name("中文字"), "_4e2d__6587_");
        assert_eq!(shard_name("e\u{e9}"), "e_e9_");
        let names: rustc_hash::FxHashSet<String> = ["ab", "\u{ab}", "_a", "a_"].iter().map(|t| shard_name(t)).collect();
        assert_eq!(names.len(), 4, "different prefixes, different shards: {names:?}");
        assert!(
            ["peer", "été", "中文字", "ﬁx"]
                .iter()
                .all(|t| { shard_name(t).chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') })
        );
    }

    #[test]
    fn layout_manifest_postings_and_documents() {
        let files = SearchIndex::new(sample()).files();
        let (name, manifest) = parse(file(&files, "static/search/manifest.js"));
        assert_eq!(name, "manifest");
        assert_eq!(manifest["docs"], 3);
        assert_eq!(
            manifest["pages"],
            serde_json::json!([
                ["sites/alpha/index.html", "Report alpha", 2],
                ["sites/beta/index.html", "Report beta", 1]
            ])
        );
        let shards: Vec<&str> = manifest["terms"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
        // "école été" is indexed folded, as "ecole ete".
        assert!(shards.contains(&"pe") && shards.contains(&"et") && shards.contains(&"ho"), "{shards:?}");
        assert!(!shards.iter().any(|s| s.starts_with('_')), "{shards:?}");
        assert_eq!(files.len(), 1 + shards.len() + 2);

        let (name, pe) = parse(file(&files, "static/search/t/pe.js"));
        assert_eq!(name, "t/pe");
        // Page 0, one section: section 0, twice in the text plus the label.
        assert_eq!(numbers(&pe["peer"]), [0, 1, 0, 202]);
        // "report" is in every page title: a title hit in every section.
        let (_, re) = parse(file(&files, "static/search/t/re.js"));
        assert_eq!(numbers(&re["report"]), [0, 2, 0, 100, 1, 100, 1, 1, 0, 100]);
        assert_eq!(numbers(&re["residents"]), [0, 1, 1, 1]);
        let (_, et) = parse(file(&files, "static/search/t/et.js"));
        assert_eq!(numbers(&et["ete"]), [0, 1, 1, 1]);
        let (_, ho) = parse(file(&files, "static/search/t/ho.js"));
        assert_eq!(numbers(&ho["hope"]), [1, 1, 0, 201]);

        let (name, docs) = parse(file(&files, "static/search/p/0.js"));
        assert_eq!(name, "p/0");
        assert_eq!(docs[1], serde_json::json!(["2 Staff", "staff", "Staff and residents; école été."]));
    }

    #[test]
    fn postings_are_short_numbers_and_pairs() {
        let written = |pairs: &[(u32, u32)]| {
            let mut postings = Postings(String::new());
            pairs.iter().for_each(|&(a, b)| postings.push_pair(a, b));
            postings.0
        };
        // 4a + b under 32: one character; 32 and over: more; b = 0 or over 3: after 4a.
        assert_eq!(written(&[(0, 1), (1, 3), (7, 3)]), "17v");
        assert_eq!(written(&[(8, 1), (0, 101)]), "x10z5");
        assert_eq!(written(&[(2, 0), (0, 4)]), "8004");
        assert_eq!(numbers(&serde_json::json!(written(&[(u32::MAX / 4, 1), (3, 100)]))), [u32::MAX / 4, 1, 3, 100]);
    }

    proptest::proptest! {
        #[test]
        fn postings_read_back_as_written(pairs in proptest::collection::vec((0u32..100_000, 0u32..1_000), 0..50)) {
            let mut postings = Postings(String::new());
            pairs.iter().for_each(|&(a, b)| postings.push_pair(a, b));
            let flat: Vec<u32> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
            proptest::prop_assert_eq!(numbers(&serde_json::json!(postings.0)), flat);
        }
    }

    #[test]
    fn snippets_are_the_opening_cut_at_a_space() {
        let long = "word ".repeat(100);
        let snippet = opening(long.trim());
        assert!(snippet.ends_with("word\u{2026}"), "{snippet}");
        assert!((SNIPPET_CHARS / 2..=SNIPPET_CHARS + 1).contains(&snippet.chars().count()));
        assert_eq!(opening("short text"), "short text");
        let unbroken = "é".repeat(400);
        assert_eq!(opening(&unbroken).chars().count(), SNIPPET_CHARS + 1);
    }

    #[test]
    fn shards_cannot_end_a_script_element() {
        let nasty = "a </script><script>alert(1)</script> b </SCRIPT> \u{2028} \"quoted\" \\ <!-- c";
        let files = SearchIndex::new(vec![page("x", vec![doc("x", "</script>", "a", nasty)])]).files();
        for f in &files {
            let js = std::str::from_utf8(&f.bytes).unwrap();
            assert!(!js.contains("</") && !js.contains('\u{2028}'), "{}: {js}", f.path);
        }
        // The escapes mean the same text.
        let (_, docs) = parse(file(&files, "static/search/p/0.js"));
        assert_eq!(docs[0], serde_json::json!(["</script>", "a", nasty]));
    }

    #[test]
    fn files_are_deterministic() {
        let one = SearchIndex::new(sample()).files();
        let two = SearchIndex::new(sample()).files();
        assert_eq!(one, two);
        let mut paths: Vec<&str> = one.iter().map(|f| f.path.as_str()).collect();
        paths.dedup();
        assert_eq!(paths.len(), one.len(), "no path twice");
    }

    /// The build cache keeps pages analysed in postcard and indexes them
    /// with pages analysed afresh: the index must not tell them apart.
    #[test]
    fn pages_analysed_and_read_back_index_as_pages_analysed_afresh() {
        let analysed: Vec<(String, Analysed)> =
            sample().into_iter().map(|(href, title, docs)| (href, analyse(title, &docs))).collect();
        let bytes = postcard::to_allocvec(&analysed).unwrap();
        let read_back: Vec<(String, Analysed)> = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(read_back, analysed);
        assert!(read_back.iter().all(|(_, page)| !page.terms.is_empty() && !page.docs.is_empty()));
        assert_eq!(SearchIndex::from_analysed(read_back).files(), SearchIndex::new(sample()).files());
    }

    #[test]
    fn the_manifest_names_a_version_that_changes_with_any_shard() {
        let version = |pages| {
            let files = SearchIndex::new(pages).files();
            let (name, manifest) = parse(file(&files, MANIFEST_PATH));
            assert_eq!(name, "manifest");
            manifest["version"].as_str().unwrap().to_string()
        };
        let first = version(sample());
        assert!(first.len() == 16 && first.chars().all(|c| c.is_ascii_hexdigit()), "{first}");
        assert_eq!(version(sample()), first);
        let mut edited = sample();
        edited[1].2[0].text.push_str(" Faith.");
        assert_ne!(version(edited), first, "a term shard changed");
        let mut edited = sample();
        edited[0].2[0].href.push_str("-moved");
        assert_ne!(version(edited), first, "a document shard changed");
    }

    #[test]
    fn replace_page_returns_only_the_changed_shards() {
        let mut index = SearchIndex::new(sample());
        let before = index.files();
        let mut edited = sample();
        // "trust" becomes "faith": the shards of both change; "hope" and "wing" keep their postings.
        edited[1].2[0].text = "Hope and faith on the wing.".into();
        let (changed, removed) = index.replace_page("sites/beta/index.html", edited[1].2.clone()).unwrap();
        let mut paths: Vec<&str> = changed.iter().map(|f| f.path.as_str()).collect();
        paths.sort();
        // "trust" was the only "tr" term: its shard is gone, so the manifest lists one shard fewer.
        assert_eq!(paths, ["static/search/manifest.js", "static/search/p/1.js", "static/search/t/fa.js"]);
        assert_eq!(removed, ["static/search/t/tr.js"]);
        // The same files as a fresh index of the edited pages, and every file
        // not returned kept its bytes.
        let after = index.files();
        assert_eq!(after, SearchIndex::new(edited).files());
        for f in &after {
            if !paths.contains(&f.path.as_str()) {
                assert_eq!(Some(f), before.iter().find(|b| b.path == f.path), "{}", f.path);
            }
        }
    }

    #[test]
    fn kept_entries_give_the_shards_a_fresh_index_writes_after_every_replacement() {
        let mut index = SearchIndex::new(sample());
        let mut edited = sample();
        for (round, text) in
            ["Hope and faith on the wing.", "Trust, hope and trust again.", "Wing wing hope."].iter().enumerate()
        {
            edited[1].2[0].text = (*text).into();
            edited[0].2[1].text.push_str(" Hope.");
            for page in [0, 1] {
                index.replace_page(&edited[page].0, edited[page].2.clone()).unwrap();
            }
            assert_eq!(index.files(), SearchIndex::new(edited.clone()).files(), "round {round}");
        }
    }

    #[test]
    fn entries_read_page_after_page_are_those_read_term_after_term() {
        // Enough pages and terms for several ranges, with terms on some pages only.
        let words = ["hope", "trust", "wing", "peer", "mentor", "staff", "course", "voice", "role", "family"];
        let pages: Vec<_> = (0..40)
            .map(|n| {
                let text =
                    |k: usize| words.iter().skip(n % 7 + k).step_by(n % 3 + 1).copied().collect::<Vec<_>>().join(" ");
                page(&format!("p{n}"), vec![doc("x", "1 One", "one", &text(0)), doc("x", "2 Two", "two", &text(n % 4))])
            })
            .collect();
        let mut index = SearchIndex::new(pages.clone());
        let check = |index: &SearchIndex| {
            let read_by_term: Vec<String> = (0..index.terms.len() as u32).map(|id| index.term_entry(id)).collect();
            assert_eq!(index.term_entries(), read_by_term);
        };
        check(&index);
        let mut edited = pages[3].2.clone();
        edited[0].text = "Faith alone.".into();
        index.replace_page(&pages[3].0, edited).unwrap();
        check(&index);
    }

    #[test]
    fn replace_page_with_the_same_docs_changes_nothing() {
        let mut index = SearchIndex::new(sample());
        let (changed, removed) = index.replace_page("sites/alpha/index.html", sample()[0].2.clone()).unwrap();
        assert!(changed.is_empty() && removed.is_empty(), "{changed:?} {removed:?}");
    }

    #[test]
    fn replace_page_of_a_shared_term_rewrites_its_shard_only() {
        let mut index = SearchIndex::new(sample());
        let mut docs = sample()[0].2.clone();
        docs[1].text.push_str(" Hope.");
        let (changed, removed) = index.replace_page("sites/alpha/index.html", docs.clone()).unwrap();
        let paths: Vec<&str> = changed.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["static/search/t/ho.js", "static/search/p/0.js"]);
        assert!(removed.is_empty());
        let (_, ho) = parse(&changed[0]);
        assert_eq!(numbers(&ho["hope"]), [0, 1, 1, 1, 1, 1, 0, 201]);
        // Emptying a page removes its document shard and its only terms.
        let (changed, removed) = index.replace_page("sites/alpha/index.html", Vec::new()).unwrap();
        assert!(removed.contains(&"static/search/p/0.js".to_string()), "{removed:?}");
        assert!(removed.contains(&"static/search/t/pe.js".to_string()), "{removed:?}");
        assert!(changed.iter().any(|f| f.path == MANIFEST_PATH));
        let mut edited = sample();
        edited[0].2.clear();
        assert_eq!(index.files(), SearchIndex::new(edited).files());
    }

    #[test]
    fn pages_are_in_order_only_when_all_are_known_and_numbered_in_that_order() {
        let index = SearchIndex::new(sample());
        let (alpha, beta) = ("sites/alpha/index.html", "sites/beta/index.html");
        assert!(index.in_order([alpha, beta]));
        assert!(index.in_order([beta]));
        assert!(!index.in_order([beta, alpha]), "reordered");
        assert!(!index.in_order([alpha, "sites/gamma/index.html"]), "a page the index never had");
    }

    #[test]
    fn replace_page_of_an_unknown_page_is_none() {
        let mut index = SearchIndex::new(sample());
        assert!(index.replace_page("sites/gamma/index.html", Vec::new()).is_none());
    }
}
