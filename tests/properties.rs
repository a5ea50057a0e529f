//! Property tests: arbitrary Unicode in every place an author writes text
//! (record fields, front matter, paragraphs, headings, table cells,
//! citations, shortcode arguments, raw YAML) never makes the build panic.
//! A build either succeeds or fails with diagnostics that each point at a
//! file of the project and a line in it.
//!
//! Each case writes a small project to a temp folder and runs
//! `build::generate` in memory. The default run is a few hundred cases in
//! all; `PROPTEST_CASES=5000 cargo test --release --test properties` runs that
//! many cases in each property. Every failure found becomes a named
//! regression test at the end of this file.

use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use wingreport::build::{Failure, generate};

// ---------------------------------------------------------------------------
// Text strategies

/// Pieces that have broken or could break hand-written text handling:
/// entities, markup characters, typography pasted from Word, scripts other
/// than Latin, zero-width and direction controls, combining marks, emoji,
/// characters beyond the Basic Multilingual Plane, and our own syntax.
#[rustfmt::skip]
const NASTY: &[&str] = &[
    "&", "&amp;", "&lt;", "&#64;", "&#x1F600;", "&nbsp;", "&bogus;", "&中文字", "<", ">", "<b>", "</p>",
    "<script>", "\"", "'", "“", "”", "‘", "’", "–", "—", "…", "\u{a0}", "\u{200b}", "\u{200d}", "\u{200e}",
    "\u{200f}", "\u{202e}", "\u{2066}", "\u{feff}", "e\u{301}", "\u{301}", "\u{20dd}", "ﬁ", "ß", "İ", "中文字",
    "日本語", "한국어", "עברית", "مرحبا", "हिन्दी", "👩\u{200d}👩\u{200d}👧", "🇬🇧", "😀", "𝕏", "𐍈", "\u{e0001}",
    "\u{10fffd}", "\u{fffd}", "@", "@buck2020", "@nokey", "\\@", "[", "]", "[@", "{{", "}}", "{", "}", "{#",
    "{#sec-x}", "\\", "`", "```", "*", "_", "~", "#", "|", ":", "- ", "> ", "1. ", "[^n]", "\t", "\r", "\u{0}",
    "\u{7}", "\u{85}", "\u{2028}", "%", "$", "?", "=", "(", ")", ",", ";", "a", "Ann", " ",
    // Forms issue 8 found mishandled, and a name on the real-names list.
    "<https://x.example/@nokey>", "[link](https://x.example)", "![alt](pic.png)", "[-@buck2020]",
    "[@{buck2020}]", "@buck2020 [p. 5]", "[*see* @buck2020]", "jo+@example.org", "{{ page.title }}",
    "{{ profile() }}", "<div>", "\n\n", "\n    ", "\n```\n", "[^n]:", "[^none]", "Zebedee Quux",
];

/// One piece of text: a nasty fragment, a run of any characters from any
/// plane, or ordinary words.
fn piece(newlines: bool) -> impl Strategy<Value = String> {
    let any_chars = proptest::collection::vec(any::<char>(), 1..6).prop_map(String::from_iter);
    let words = "[A-Za-z]{1,8}( [A-Za-z]{1,8}){0,2}";
    prop_oneof![
        4 => proptest::sample::select(NASTY).prop_map(str::to_string),
        2 => any_chars,
        2 => words.prop_map(String::from),
    ]
    .prop_map(move |s| if newlines { s } else { s.replace(['\n', '\r', '\u{85}', '\u{2028}'], " ") })
}

/// Text for one field or line: a handful of pieces, never a line break.
fn inline() -> impl Strategy<Value = String> {
    proptest::collection::vec(piece(false), 0..10).prop_map(|v| v.concat())
}

/// Prose that may run over several lines or paragraphs.
fn prose() -> impl Strategy<Value = String> {
    proptest::collection::vec(prop_oneof![8 => piece(true), 1 => Just("\n".to_string())], 0..16)
        .prop_map(|v| v.concat())
}

/// `text` as a double-quoted YAML scalar: everything outside YAML's
/// printable set (and `"`, `\`) is escaped, so the generated value reaches
/// the content pipeline as written.
fn yaml(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            ' '..='~' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..='\u{10ffff}'
                if c != '\u{feff}' =>
            {
                out.push(c)
            }
            c if (c as u32) <= 0xffff => write!(out, "\\u{:04X}", c as u32).unwrap(),
            c => write!(out, "\\U{:08X}", c as u32).unwrap(),
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------------------
// The project

/// The text of one project; `T` is the text of every field an author writes.
/// The defaults build cleanly, so a failing case is about the generated text.
struct Project {
    /// Fields of the site record, in the order `site_yaml` uses them.
    record: Vec<String>,
    /// The narrative file of the site.
    narrative: String,
    /// Series, references and free-page text.
    series: Vec<String>,
    /// When set, replaces the site record entirely (raw YAML cases).
    raw_record: Option<String>,
}

const RECORD_FIELDS: usize = 44;
const SERIES_FIELDS: usize = 8;

fn plain(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("Text {i}")).collect()
}

impl Default for Project {
    fn default() -> Self {
        Project {
            record: plain(RECORD_FIELDS),
            narrative: narrative(&Narrative::default()),
            series: plain(SERIES_FIELDS),
            raw_record: None,
        }
    }
}

/// A site record with every text field taken from `f` (quoted).
fn site_yaml(f: &[String]) -> String {
    let q: Vec<String> = f.iter().map(|s| yaml(s)).collect();
    format!(
        r#"id: alpha
title: {t}
prison: {p}
wing: {w}
authors: [{a}]
year: 2024
status: published
summary: {s}
profile:
  category: {c}
  resident_profile: {rp}
  estate: male
  region: {rg}
  population: 300
  extra:
    {xk}: {xv}
delivery:
  role: {dr}
  paid: false
  training_provider: {tp}
  training: {tr}
  accreditation: accredited-l2
  supervision: {su}
  progression: {pg}
phases:
  - {{name: {pn}, weeks: 8, location: {pl}, cohort: {pc}}}
sample:
  {sk}: 12
attributes:
  n: 20
  source: {as_}
  illustrative: true
  items:
    - {{name: {ai1}, count: 12}}
    - {{name: {ai2}, count: 3}}
social_capital:
  - {{stage: 1, rating: green, evidence: {e1}}}
  - {{stage: 2, rating: red, evidence: {e2}}}
ladder:
  current: 0
  target: 1
  note: {ln}
roles:
  - {{title: {rt}, paid: {rpd}, lcr: low, induction: {ri}, single_issue: {rs}, bridging: {rb}, representation: {rr}}}
lists:
  things:
    title: {lt}
    ordered: true
    items:
      - {{text: {li}, detail: {ld}}}
tables:
  t1:
    caption: {tc}
    columns: [{tc1}, {tc2}]
    rows:
      - [{tr1}, {tr2}]
recommendations:
  - heading: {rh}
    items: [{ri1}]
quotes:
  - {{id: q1, speaker: {qs}, role: {qr}, method: interview, text: {qt}}}
"#,
        t = q[0],
        p = q[1],
        w = q[2],
        a = q[3],
        s = q[4],
        c = q[5],
        rp = q[6],
        rg = q[7],
        xk = q[8],
        xv = q[9],
        dr = q[10],
        tp = q[11],
        tr = q[12],
        su = q[13],
        pg = q[14],
        pn = q[15],
        pl = q[16],
        pc = q[17],
        sk = q[18],
        as_ = q[19],
        ai1 = q[20],
        ai2 = q[21],
        e1 = q[22],
        e2 = q[23],
        ln = q[24],
        rt = q[25],
        rpd = q[26],
        ri = q[27],
        rs = q[28],
        rb = q[29],
        rr = q[30],
        lt = q[31],
        li = q[32],
        ld = q[33],
        tc = q[34],
        tc1 = q[35],
        tc2 = q[36],
        tr1 = q[37],
        tr2 = q[38],
        rh = q[39],
        ri1 = q[40],
        qs = q[41],
        qr = q[42],
        qt = q[43],
    )
}

/// The generated parts of a narrative file.
#[derive(Debug, Clone)]
struct Narrative {
    title: String,
    paragraphs: [String; 3],
    headings: [String; 2],
    cells: [String; 4],
    /// Prefix and locator of a bracketed citation, and the text after a
    /// bare one.
    citation: [String; 3],
    /// Values of shortcode arguments.
    args: [String; 2],
}

impl Default for Narrative {
    fn default() -> Self {
        let s = |t: &str| t.to_string();
        Narrative {
            title: s("Introduction"),
            paragraphs: [s("First."), s("Second."), s("A note.")],
            headings: [s("The site"), s("Details")],
            cells: [s("a"), s("b"), s("c"), s("d")],
            citation: [s("see"), s("p. 12"), s("argues")],
            args: [s("A caption"), s("Another caption")],
        }
    }
}

fn narrative(n: &Narrative) -> String {
    let [p0, p1, p2] = &n.paragraphs;
    let [h0, h1] = &n.headings;
    let [c0, c1, c2, c3] = &n.cells;
    let [prefix, locator, after] = &n.citation;
    let [a0, a1] = &n.args;
    format!(
        r#"---
title: {title}
weight: 1
---

{p0}

## {h0}

{{{{ profile(caption="{a0}") }}}}

{p1} [{prefix} @buck2020, {locator}] and @buck2020 {after}; see @sec-details and @tbl-t1.

| {c0} | {c1} |
|---|---|
| {c2} | {c3} |

{{{{ table(key="t1", id="tbl-t1") }}}}

{{{{ quote(id="q1") }}}}

### {h1} {{#sec-details}}

{{{{ attributes_chart(id="fig-a", caption="{a1}") }}}}

{{{{ social_capital() }}}}

{{{{ delivery() }}}}

{{{{ phases() }}}}

{{{{ ladder() }}}}

{{{{ roles() }}}}

{{{{ list(key="things") }}}}

{{{{ recommendations() }}}}

A note[^n].

[^n]: {p2}
"#,
        title = yaml(&n.title),
    )
}

/// Writes the project under `root`.
fn write_project(root: &Path, p: &Project) {
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    let s: Vec<String> = p.series.iter().map(|t| yaml(t)).collect();
    write("wingreport.toml", "title = \"Property series\"\n");
    write(
        "content/series.yaml",
        &format!(
            "title: {}\nauthors: [{}]\nyear: 2024\nsummary: {}\nfunders: [{}]\nacknowledgements: {}\n",
            s[0], s[1], s[2], s[3], s[4]
        ),
    );
    write(
        "content/references.yaml",
        &format!("- key: buck2020\n  authors: [{}]\n  year: 2020\n  title: {}\n  publisher: Routledge\n", s[5], s[6]),
    );
    write(
        "content/frameworks.yaml",
        r##"social_capital:
  title: Two stages
  sources:
    - {id: micro, label: "A: Micro", stages: [1, 2]}
  stages:
    - {n: 1, question: "Associate?"}
    - {n: 2, question: "Reflect?"}
  ratings:
    green: {label: Success, colour: "#2e7d32", symbol: "✓"}
    red: {label: None, colour: "#c62828", symbol: "✗"}
ladder:
  levels:
    - {n: 0, name: Non-engagement, description: "Take it or leave it."}
    - {n: 1, name: Information, description: "Told what is on offer."}
"##,
    );
    write("content/index.md", &format!("---\ntitle: About\n---\n\n{}\n", p.series[7]));
    write("content/pages/guide.md", &format!("---\ntitle: {}\n---\n\n{}\n", s[7], p.series[7]));
    write("private/real-names.txt", "Zebedee Quux\n");
    let record = p.raw_record.clone().unwrap_or_else(|| site_yaml(&p.record));
    write("content/sites/alpha/site.yaml", &record);
    write("content/sites/alpha/01-introduction.md", &p.narrative);
}

/// Builds `p` in memory: no panic, and either success or diagnostics that
/// each name a file of the project and a line in it.
fn builds_or_explains(p: &Project) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    write_project(dir.path(), p);
    let result = catch_unwind(AssertUnwindSafe(|| generate(dir.path(), true)));
    match result {
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            Err(TestCaseError::fail(format!("build panicked: {message}")))
        }
        Ok(Ok(_)) => Ok(()),
        Ok(Err(Failure::Content(diags))) => {
            prop_assert!(!diags.is_empty(), "a failed build must say why");
            for d in &diags {
                prop_assert!(
                    !d.path.is_empty() && dir.path().join(&d.path).is_file() && d.line >= 1,
                    "diagnostic without a file and line: {d:?}"
                );
            }
            Ok(())
        }
        // The project folder is always a project, so nothing here is usage.
        Ok(Err(Failure::Usage(m))) => Err(TestCaseError::fail(format!("usage error for content: {m}"))),
        Ok(Err(Failure::Io(m))) => Err(TestCaseError::fail(format!("I/O error for content: {m}"))),
    }
}

/// `PROPTEST_CASES` when set (a long run), else `default` for this property.
fn config(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    // Failures become named regression tests below, not files in tests/.
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

fn narrative_strategy() -> impl Strategy<Value = Narrative> {
    (
        inline(),
        [prose(), prose(), prose()],
        [inline(), inline()],
        [inline(), inline(), inline(), inline()],
        [inline(), inline(), inline()],
        [inline(), inline()],
    )
        .prop_map(|(title, paragraphs, headings, cells, citation, args)| Narrative {
            title,
            paragraphs,
            headings,
            cells,
            citation,
            args,
        })
}

/// A site record with one line changed to arbitrary raw text: the value
/// after `key: ` when the line has one (unquoted), else the whole line.
fn raw_record_strategy() -> impl Strategy<Value = String> {
    let base = site_yaml(&plain(RECORD_FIELDS));
    let lines = base.lines().count();
    (0..lines, inline()).prop_map(move |(at, raw)| {
        base.lines()
            .enumerate()
            .map(|(i, line)| match (i == at, line.split_once(": ")) {
                (false, _) => line.to_string(),
                (true, Some((key, _))) => format!("{key}: {raw}"),
                (true, None) => raw.clone(),
            })
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    })
}

proptest! {
    #![proptest_config(config(96))]

    #[test]
    fn any_text_in_record_fields_builds_or_explains(
        record in proptest::collection::vec(inline(), RECORD_FIELDS),
        series in proptest::collection::vec(inline(), SERIES_FIELDS),
    ) {
        builds_or_explains(&Project { record, series, ..Project::default() })?;
    }
}

proptest! {
    #![proptest_config(config(96))]

    #[test]
    fn any_text_in_narrative_builds_or_explains(n in narrative_strategy()) {
        builds_or_explains(&Project { narrative: narrative(&n), ..Project::default() })?;
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn raw_text_in_record_front_matter_or_shortcode_builds_or_explains(
        record in raw_record_strategy(),
        front_matter in inline(),
        shortcode in inline(),
    ) {
        builds_or_explains(&Project { raw_record: Some(record), ..Project::default() })?;
        let base = narrative(&Narrative::default());
        let with_front_matter = base.replacen("weight: 1", &front_matter, 1);
        builds_or_explains(&Project { narrative: with_front_matter, ..Project::default() })?;
        let with_shortcode = base.replacen("{{ ladder() }}", &format!("{{{{ {shortcode} }}}}"), 1);
        builds_or_explains(&Project { narrative: with_shortcode, ..Project::default() })?;
    }
}

// ---------------------------------------------------------------------------
// The fixture itself, and regression tests for failures the properties found

fn build_narrative(n: Narrative) {
    let result = builds_or_explains(&Project { narrative: narrative(&n), ..Project::default() });
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn the_base_project_builds_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    write_project(dir.path(), &Project::default());
    let files = generate(dir.path(), true).unwrap_or_else(|e| panic!("{e:?}"));
    let page = files.iter().find(|f| f.path == "sites/alpha/index.html").expect("the site report");
    let doc = scraper::Html::parse_document(std::str::from_utf8(&page.bytes).unwrap());
    let text: String = doc.root_element().text().collect();
    // Fields from the record, the narrative and shortcodes all reach the
    // page, so generated text in them is really rendered.
    for expected in ["Text 0", "Second.", "Text 9", "Text 38", "Text 43", "Text 32", "A caption"] {
        assert!(text.contains(expected), "`{expected}` is missing from the report");
    }
}

#[test]
fn yaml_quoting_round_trips_every_kind_of_character() {
    let text: String = NASTY.concat();
    let parsed: String = serde_saphyr::from_str(&yaml(&text)).unwrap();
    assert_eq!(parsed, text);
}

/// Issue 8: ordinary British typography in a paragraph made the build panic
/// (src/search.rs sliced a non-char boundary).
#[test]
fn typography_in_narrative_does_not_panic() {
    build_narrative(Narrative {
        paragraphs: ["Ann & – “x”".into(), "&中文字".into(), "A note.".into()],
        ..Narrative::default()
    });
}

fn build_project(p: Project) {
    let result = builds_or_explains(&p);
    assert!(result.is_ok(), "{result:?}");
}

/// `fields` with the one at `index` replaced by `text`.
fn with(fields: Vec<String>, index: usize, text: &str) -> Vec<String> {
    let mut fields = fields;
    fields[index] = text.to_string();
    fields
}

/// Found by the narrative property: the same slicing panic reached through
/// a footnote (an escaped `&`, a zero-width space, then a 4-byte character).
#[test]
fn ampersand_before_wide_characters_in_a_footnote_does_not_panic() {
    build_narrative(Narrative {
        paragraphs: ["First.".into(), "Second.".into(), "&\u{200b}0𐀀".into()],
        ..Narrative::default()
    });
}

/// Found by the record property: a quotation's text from site.yaml, not
/// Markdown, reaches the same panic.
#[test]
fn ampersand_before_wide_characters_in_a_record_quote_does_not_panic() {
    build_project(Project { record: with(plain(RECORD_FIELDS), 43, "&&ࠀ"), ..Project::default() });
}

/// Found by the record property: a reference author with a quote mark
/// (escaped to `&quot;`) before wide characters, through a citation label.
#[test]
fn quote_mark_in_a_reference_author_does_not_panic() {
    build_project(Project { series: with(plain(SERIES_FIELDS), 5, "\"ࠀ𐀀"), ..Project::default() });
}

/// Found by the record property: the series index's narrative (index.md).
#[test]
fn ampersand_in_the_series_index_does_not_panic() {
    build_project(Project { series: with(plain(SERIES_FIELDS), 7, "& ¡““"), ..Project::default() });
}

/// The build fails for the listed name, reported at a source line (not
/// only for another mistake, which would pass [`build_project`] too).
fn build_reporting_the_name(p: Project) {
    let dir = tempfile::tempdir().unwrap();
    write_project(dir.path(), &p);
    let Err(Failure::Content(diags)) = generate(dir.path(), true) else { panic!("the build must fail") };
    let named: Vec<_> = diags.iter().filter(|d| d.message.contains("real name")).collect();
    assert!(!named.is_empty() && named.iter().all(|d| d.line >= 1), "{diags:?}");
}

/// Found by the record property (PROPTEST_CASES=2000): a real name that the
/// source spells differently from the output (then after a YAML `\0`
/// escape, `\u0000Zebedee Quux`; a control character is now a mistake of
/// its own, so here `\t`) was reported at the output file with no line,
/// because the source scan looks for the name as the page shows it.
#[test]
fn real_name_after_an_escaped_character_is_reported_at_its_source() {
    build_reporting_the_name(Project {
        record: with(plain(RECORD_FIELDS), 27, "\tZebedee Quux"),
        ..Project::default()
    });
}

/// The everyday form of the failure above: a name wrapped over two lines
/// of a folded YAML scalar.
#[test]
fn real_name_wrapped_over_two_lines_is_reported_at_its_source() {
    let record = site_yaml(&plain(RECORD_FIELDS)).replacen(
        "summary: \"Text 4\"",
        "summary: >-\n  We spoke to Zebedee\n  Quux on the wing.",
        1,
    );
    assert!(record.contains("Zebedee\n"), "the fixture's summary line has changed");
    build_project(Project { raw_record: Some(record), ..Project::default() });
}

/// Found by the narrative property (PROPTEST_CASES=5000): the same through
/// a front-matter title.
#[test]
fn real_name_after_an_escaped_character_in_a_title_is_reported_at_its_source() {
    let n = Narrative { title: "\tZebedee Quux".into(), ..Narrative::default() };
    build_reporting_the_name(Project { narrative: narrative(&n), ..Project::default() });
}

/// Found by the record property (PROPTEST_CASES=1500, release): a longer
/// word ("Quuxa") in an attribute name, cut short on the comparison chart,
/// printed the real name "Zebedee Quux" that no source spelled whole.
#[test]
fn real_name_made_by_a_shortened_chart_label_is_reported_at_its_source() {
    build_project(Project {
        record: with(vec![String::new(); RECORD_FIELDS], 21, "&kmAaA kAaA\u{abeb}!\u{2d68}{Zebedee Quuxa A"),
        ..Project::default()
    });
}

/// Found by the narrative property (PROPTEST_CASES=20000, release): a raw
/// HTML block ending inside a tag (`<c`) took the heading after it as the
/// tag's attributes, so the contents linked to an anchor that was gone.
#[test]
fn an_unfinished_tag_before_a_heading_is_reported_at_its_source() {
    build_narrative(Narrative { paragraphs: ["</p><c".into(), "&".into(), String::new()], ..Narrative::default() });
}

/// Found by the narrative property once pages were checked for duplicate
/// ids: a note referred to twice (in a table cell and in the text) gave
/// both references the id `fnref-1`.
#[test]
fn a_note_referred_to_twice_gives_no_duplicate_id() {
    build_narrative(Narrative { cells: ["a", "b", "c", "[^n]"].map(String::from), ..Narrative::default() });
}

/// Found by the narrative property: a second note of one label (a
/// paragraph that is only `[^n]:`) gave two notes the id `fn-1`.
#[test]
fn a_second_note_of_one_label_is_explained() {
    build_narrative(Narrative { paragraphs: ["", "[^n]:", ""].map(String::from), ..Narrative::default() });
}

/// Found by the narrative property once names were read as a reader reads
/// them: a heading `<A` and a later paragraph `>` were read as one tag in
/// the source, so a name in a citation's locator between them had no line.
#[test]
fn a_real_name_between_a_lone_lt_and_gt_is_reported_at_its_source() {
    let s = |t: &str| t.to_string();
    build_narrative(Narrative {
        paragraphs: [s(""), s(""), s(">")],
        headings: [s("<A"), s("")],
        citation: [s(""), s("Zebedee Quux"), s("")],
        title: String::new(),
        cells: Default::default(),
        args: Default::default(),
    });
}

/// Found by the record property (PROPTEST_CASES=1500, release) once names
/// were read as a reader reads them: a field `<Zebedee Quux` and a `>`
/// fields later were read as one tag in site.yaml, which the page shows as
/// text, so the name had no source line.
#[test]
fn a_real_name_after_a_lone_lt_in_a_record_field_is_reported_at_its_source() {
    let mut record = vec![String::new(); RECORD_FIELDS];
    record[2] = "<Zebedee Quux".to_string();
    record[4] = "&".to_string();
    record[39] = ">".to_string();
    build_project(Project { record, ..Project::default() });
}
