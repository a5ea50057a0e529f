//! Author-year citations and the reference list, from `references.yaml`.
//! Labels ("Buck, 2020", "Albertson and Albertson, 2022", "Crewe et al.,
//! 2017", "Albertson, 2024a") are computed once for the whole bibliography,
//! so a work has the same label in every report.

use crate::markdown::citations::CiteItem;
use crate::markdown::{Resolved, escape_html};
use crate::model::Reference;
use rustc_hash::FxHashMap;

pub struct Bibliography<'a> {
    works: FxHashMap<&'a str, Work<'a>>,
    /// False when references.yaml had mistakes (see [`Bibliography::lacks`]).
    complete: bool,
}

struct Work<'a> {
    reference: &'a Reference,
    /// "Buck", "Albertson and Albertson", "Crewe et al."
    authors: String,
    /// "2020", "2024a"
    year: String,
}

/// The family name of "Family, I."; an organisation is kept whole.
fn family(author: &str) -> &str {
    author.split(',').next().unwrap_or(author).trim()
}

/// An `authors` entry `...` (or `…`): authors the source leaves out there,
/// as "Meaden, C., ... Emigh-Guy, M." in a reference list.
pub fn is_omission(author: &str) -> bool {
    matches!(author.trim(), "..." | "\u{2026}")
}

fn author_label(authors: &[String]) -> String {
    match authors {
        [] => "Anon.".to_string(),
        [first, ..] if authors.iter().any(|a| is_omission(a)) => format!("{} et al.", family(first)),
        [one] => family(one).to_string(),
        [a, b] => format!("{} and {}", family(a), family(b)),
        [first, ..] => format!("{} et al.", family(first)),
    }
}

/// "Albertson, K.", "Crewe, B., Hulley, S. and Wright, S."; with authors
/// left out, "Sells, D., Curtis, A., \u{2026} Emigh-Guy, M.", and no "and".
fn full_authors(authors: &[String]) -> String {
    let omits = authors.iter().any(|a| is_omission(a));
    let mut out = String::new();
    for (i, author) in authors.iter().enumerate() {
        if i > 0 {
            out.push_str(if is_omission(&authors[i - 1]) {
                " "
            } else if i + 1 == authors.len() && !omits {
                " and "
            } else {
                ", "
            });
        }
        out.push_str(if is_omission(author) { "\u{2026}" } else { author });
    }
    if out.is_empty() { "Anon.".to_string() } else { out }
}

impl<'a> Bibliography<'a> {
    pub fn new(references: &'a [Reference]) -> Self {
        // Works sharing an author label and year get letters a, b... by title,
        // unless the author already wrote one ("2024a").
        let mut groups: FxHashMap<(String, String), Vec<&Reference>> = FxHashMap::default();
        for r in references {
            groups.entry((author_label(&r.authors), r.year.clone())).or_default().push(r);
        }
        let mut works = FxHashMap::default();
        for ((authors, year), mut group) in groups {
            group.sort_by(|a, b| a.title.cmp(&b.title).then(a.key.value.cmp(&b.key.value)));
            let needs_letters = group.len() > 1 && year.chars().all(|c| c.is_ascii_digit());
            for (i, reference) in group.into_iter().enumerate() {
                let year =
                    if needs_letters { format!("{year}{}", (b'a' + (i % 26) as u8) as char) } else { year.clone() };
                works.insert(reference.key.value.as_str(), Work { reference, authors: authors.clone(), year });
            }
        }
        Bibliography { works, complete: true }
    }

    /// The same, knowing that references.yaml had mistakes when `incomplete`.
    pub fn incomplete(mut self, incomplete: bool) -> Self {
        self.complete = !incomplete;
        self
    }

    /// Whether `key` not being here is a mistake of its own: not while
    /// references.yaml has mistakes, which may have left the work out.
    pub fn lacks(&self, key: &str) -> bool {
        self.complete && !self.contains(key)
    }

    pub fn contains(&self, key: &str) -> bool {
        self.works.contains_key(key)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.works.keys().copied()
    }

    fn link(&self, key: &str, text: &str) -> String {
        format!("<a class=\"citation\" href=\"#ref-{}\">{}</a>", escape_html(key), escape_html(text))
    }

    /// "(Buck, 2020, p. 12; Crewe, 2012)" or, narrative, "Buck (2020)"; with
    /// `[-@key]`, "(2020)". Every key must be known (checked by the caller).
    pub fn cite(&self, items: &[CiteItem], narrative: bool) -> Resolved {
        let mut html = Vec::new();
        let mut text = Vec::new();
        for item in items {
            let Some(work) = self.works.get(item.key.as_str()) else { continue };
            let mut year = work.year.clone();
            if !item.locator.is_empty() {
                year = format!("{year}, {}", item.locator);
            }
            if narrative {
                html.push(format!("{} ({})", escape_html(&work.authors), self.link(&item.key, &year)));
                text.push(format!("{} ({year})", work.authors));
                continue;
            }
            let cited = if item.suppress_author { year } else { format!("{}, {year}", work.authors) };
            let prefix = if item.prefix.is_empty() { String::new() } else { format!("{} ", item.prefix) };
            html.push(format!("{}{}", escape_html(&prefix), self.link(&item.key, &cited)));
            text.push(format!("{prefix}{cited}"));
        }
        if narrative {
            Resolved { html: html.join("; "), text: text.join("; ") }
        } else {
            Resolved { html: format!("({})", html.join("; ")), text: format!("({})", text.join("; ")) }
        }
    }

    /// The reference list of the cited keys, sorted by author then year, as
    /// `<li>` entries in APA-like style, each with its plain text; each
    /// entry has the id citations link to.
    pub fn entries(&self, cited: &[String]) -> Vec<Resolved> {
        self.sorted(cited).into_iter().map(|work| entry(work, true)).collect()
    }

    /// The entries of `keys` as [`Bibliography::entries`] gives them, but
    /// without ids: a reading list repeats works of the reference list, and
    /// citations link there.
    pub fn reading_list(&self, keys: &[String]) -> Vec<Resolved> {
        self.sorted(keys).into_iter().map(|work| entry(work, false)).collect()
    }

    /// The works of `keys` known here, sorted by author then year, once each.
    fn sorted(&self, cited: &[String]) -> Vec<&Work<'a>> {
        let mut works: Vec<&Work> = cited.iter().filter_map(|k| self.works.get(k.as_str())).collect();
        works.sort_by(|a, b| {
            let first = |w: &Work| w.reference.authors.first().map(|s| family(s).to_lowercase()).unwrap_or_default();
            (first(a), &a.authors, &a.year, &a.reference.title).cmp(&(
                first(b),
                &b.authors,
                &b.year,
                &b.reference.title,
            ))
        });
        works.dedup_by(|a, b| a.reference.key.value == b.reference.key.value);
        works
    }
}

/// A reference-list entry as HTML and as plain text, built side by side.
#[derive(Default)]
struct Entry {
    html: String,
    text: String,
}

impl Entry {
    fn push(&mut self, text: &str) {
        self.html.push_str(&escape_html(text));
        self.text.push_str(text);
    }

    fn push_em(&mut self, text: &str) {
        self.html.push_str("<em>");
        self.push(text);
        self.html.push_str("</em>");
    }
}

/// One entry; `anchored` gives it the id `ref-<key>` that citations link to.
fn entry(work: &Work, anchored: bool) -> Resolved {
    let r = work.reference;
    let mut e = Entry::default();
    e.push(&format!("{} ({}). ", full_authors(&r.authors), work.year));
    // A title that ends in its own stop ("Why peer support?") takes no full stop after it.
    let title = r.title.as_deref().map(|title| title.trim_end_matches('.'));
    let stop = if title.is_some_and(|t| t.ends_with(['?', '!'])) { "" } else { "." };
    match (&r.container, title) {
        (Some(container), _) => {
            if let Some(title) = title {
                e.push(&format!("{title}{stop} "));
            }
            e.push_em(container);
            if let Some(volume) = &r.volume {
                e.push(&format!(", {volume}"));
            }
            if let Some(pages) = &r.pages {
                e.push(&format!(", {pages}"));
            }
            e.push(".");
        }
        (None, Some(title)) => {
            e.push_em(title);
            e.push(stop);
            if let Some(pages) = &r.pages {
                e.push(&format!(" {pages}."));
            }
        }
        // Only what the citing source gives: no title stands in for the one it leaves out.
        (None, None) => {
            if let Some(pages) = &r.pages {
                e.push(&format!("pp. {pages}."));
            }
        }
    }
    if let Some(publisher) = &r.publisher {
        e.push(&format!(" {}.", publisher.trim_end_matches('.')));
    }
    let link = match (&r.doi, &r.url) {
        (Some(doi), _) => Some(format!("https://doi.org/{doi}")),
        (None, Some(url)) => Some(url.clone()),
        _ => None,
    };
    if let Some(link) = link {
        let escaped = escape_html(&link);
        e.html.push_str(&format!(" <a href=\"{escaped}\">{escaped}</a>"));
        e.text.push_str(&format!(" {link}"));
    }
    let id = if anchored { format!(" id=\"ref-{}\"", escape_html(&r.key.value)) } else { String::new() };
    // A work known only by author and year ends after its "(2006). ".
    Resolved { html: format!("<li{id}>{}</li>", e.html.trim_end()), text: e.text.trim_end().to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(yaml: &str) -> Vec<Reference> {
        serde_saphyr::from_str(yaml).unwrap()
    }

    fn item(key: &str, locator: &str) -> CiteItem {
        CiteItem { locator: locator.into(), ..CiteItem::new(key) }
    }

    const WORKS: &str = r#"
- {key: buck2020, authors: ["Buck, G."], year: "2020", title: Peer mentoring in criminal justice, publisher: Routledge}
- {key: aa2022, authors: ["Albertson, K.", "Albertson, K."], year: "2022", title: Shared work, container: Journal X, volume: "3", pages: 1-9, doi: 10.1/x}
- {key: crewe2017, authors: ["Crewe, B.", "Hulley, S.", "Wright, S."], year: "2017", title: Gendered pains}
- {key: alb-b, authors: ["Albertson, K."], year: "2024", title: "Second report"}
- {key: alb-a, authors: ["Albertson, K."], year: "2024", title: "First report"}
"#;

    #[test]
    fn author_year_forms() {
        let works = refs(WORKS);
        let bib = Bibliography::new(&works);
        assert!(bib.cite(&[item("buck2020", "")], false).html.contains(">Buck, 2020</a>)"));
        assert!(bib.cite(&[item("aa2022", "")], false).html.contains("Albertson and Albertson, 2022"));
        assert!(bib.cite(&[item("crewe2017", "")], false).html.contains("Crewe et al., 2017"));
        assert!(bib.cite(&[item("buck2020", "p. 12")], false).html.contains("Buck, 2020, p. 12"));
        assert_eq!(
            bib.cite(&[item("buck2020", "")], true).html,
            "Buck (<a class=\"citation\" href=\"#ref-buck2020\">2020</a>)"
        );
        assert_eq!(bib.cite(&[item("buck2020", "p. 5")], true).text, "Buck (2020, p. 5)");
        let suppressed = CiteItem { suppress_author: true, ..item("buck2020", "") };
        assert_eq!(bib.cite(&[suppressed], false).text, "(2020)");
    }

    #[test]
    fn authors_a_source_leaves_out_are_shown_left_out() {
        let works = refs(concat!(
            "- {key: s, authors: [\"Sells, D.\", \"Curtis, A.\", \"...\", \"Emigh-Guy, M.\"], year: \"2020\"}\n",
            "- {key: t, authors: [\"Taylor, J.\", \"\u{2026}\"], year: \"2017\"}\n",
        ));
        let bib = Bibliography::new(&works);
        let texts: Vec<String> = bib.entries(&["s".into(), "t".into()]).into_iter().map(|e| e.text).collect();
        assert_eq!(texts, ["Sells, D., Curtis, A., \u{2026} Emigh-Guy, M. (2020).", "Taylor, J., \u{2026} (2017)."]);
        assert_eq!(bib.cite(&[item("t", "")], false).text, "(Taylor et al., 2017)");
        assert_eq!(bib.cite(&[item("s", "")], false).text, "(Sells et al., 2020)");
    }

    #[test]
    fn several_works_are_separated_by_semicolons() {
        let works = refs(WORKS);
        let cite = Bibliography::new(&works).cite(&[item("buck2020", ""), item("crewe2017", "")], false).html;
        assert!(cite.starts_with('(') && cite.ends_with(')'));
        assert!(cite.contains("</a>; <a"), "{cite}");
    }

    #[test]
    fn a_title_ending_in_a_question_mark_gets_no_full_stop() {
        let works = refs(concat!(
            "- {key: q, authors: [\"Buck, G.\"], year: \"2020\", title: \"Why peer support?\", publisher: Routledge}\n",
            "- {key: j, authors: [\"Buck, G.\"], year: \"2021\", title: \"Mentors now!\", container: Journal X}\n",
        ));
        let bib = Bibliography::new(&works);
        let texts: Vec<String> = bib.entries(&["q".into(), "j".into()]).into_iter().map(|e| e.text).collect();
        assert_eq!(
            texts,
            ["Buck, G. (2020). Why peer support? Routledge.", "Buck, G. (2021). Mentors now! Journal X."]
        );
    }

    #[test]
    fn same_author_and_year_get_letters_by_title() {
        let works = refs(WORKS);
        let bib = Bibliography::new(&works);
        assert!(bib.cite(&[item("alb-a", "")], false).html.contains("Albertson, 2024a"));
        assert!(bib.cite(&[item("alb-b", "")], false).html.contains("Albertson, 2024b"));
    }

    #[test]
    fn reference_list_is_sorted_by_author_then_year_and_apa_like() {
        let works = refs(WORKS);
        let bib = Bibliography::new(&works);
        let cited: Vec<String> = ["crewe2017", "buck2020", "alb-b", "aa2022", "alb-a"].map(String::from).to_vec();
        let entries = bib.entries(&cited);
        let entries: Vec<String> = entries.into_iter().map(|e| e.html).collect();
        let ids: Vec<&str> = entries.iter().map(|e| e.split('"').nth(1).unwrap()).collect();
        // A sole author's works come before those written with others (APA).
        assert_eq!(ids, ["ref-alb-a", "ref-alb-b", "ref-aa2022", "ref-buck2020", "ref-crewe2017"]);
        assert_eq!(
            entries[3],
            "<li id=\"ref-buck2020\">Buck, G. (2020). <em>Peer mentoring in criminal justice</em>. Routledge.</li>"
        );
        assert!(
            entries[2].contains("Albertson, K. and Albertson, K. (2022). Shared work. <em>Journal X</em>, 3, 1-9.")
        );
        assert!(entries[2].contains("https://doi.org/10.1/x"));
        assert!(entries[4].starts_with("<li id=\"ref-crewe2017\">Crewe, B., Hulley, S. and Wright, S. (2017)."));
    }
}
