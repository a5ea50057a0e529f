//! One mistake at a time in records, front matter and shortcodes: each must
//! fail with exit 1, name the file and line, say what to do, and leave the
//! previous output exactly as it was.

mod common;

use common::*;

struct Case {
    name: &'static str,
    file: &'static str,
    from: &'static str,
    to: &'static str,
    /// Text on the line the error must point at (in the edited file).
    line_with: &'static str,
    /// Fragments the message or hint must contain.
    says: &'static [&'static str],
}

const SITE: &str = "content/sites/drake-hall/site.yaml";
const FINDINGS: &str = "content/sites/drake-hall/02-findings.md";
const INTRO: &str = "content/sites/drake-hall/01-introduction.md";

const CASES: &[Case] = &[
    Case {
        name: "unknown key in the record",
        file: SITE,
        from: "  accreditation: accredited-l2",
        to: "  acreditation: accredited-l2",
        line_with: "acreditation:",
        says: &["unknown key `acreditation`", "did you mean `accreditation`?"],
    },
    Case {
        name: "wrong type",
        file: SITE,
        from: "  region: West Midlands",
        to: "  region: West Midlands\n  population: about 330",
        line_with: "population: about",
        says: &["whole number"],
    },
    Case {
        name: "bad enum value",
        file: SITE,
        from: "  estate: female",
        to: "  estate: femail",
        line_with: "estate: femail",
        says: &["`femail` is not an allowed value", "did you mean `female`?"],
    },
    Case {
        name: "id not equal to its folder",
        file: SITE,
        from: "id: drake-hall",
        to: "id: drakehall",
        line_with: "id: drakehall",
        says: &["does not match its folder `drake-hall`"],
    },
    Case {
        name: "duplicate quote id",
        file: SITE,
        from: "  - id: marina-selection",
        to: "  - id: ida-difficult-to-engage",
        line_with: "  - id: ida-difficult-to-engage\n    speaker: Marina",
        says: &["quote id `ida-difficult-to-engage` is used twice"],
    },
    Case {
        name: "social capital stage rated twice",
        file: SITE,
        from: "  - stage: 2",
        to: "  - stage: 1",
        line_with: "\n  - stage: 1\n    rating: green\n    illustrative: true\n    evidence: >-\n      Residents",
        says: &["stage 1 is rated twice"],
    },
    Case {
        name: "a reference's first author left out",
        file: "content/references.yaml",
        from: "- key: buck2020\n  authors: [\"Buck, G.\"]",
        to: "- key: buck2020\n  authors: [\"...\", \"Buck, G.\"]",
        line_with: "- key: buck2020",
        says: &["the first author of `buck2020` is `...`", "name the first author"],
    },
    Case {
        name: "an author's name split by an unquoted comma",
        file: "content/references.yaml",
        from: "- key: buck2020\n  authors: [\"Buck, G.\"]",
        to: "- key: buck2020\n  authors: [Buck, G.]",
        line_with: "- key: buck2020",
        says: &["`G.` is an author of `buck2020` on its own, after `Buck`", "write `\"Buck, G.\"` in double quotes"],
    },
    Case {
        name: "a colon inside braces",
        file: SITE,
        from: "      - text: Ways to stay in constant contact with family",
        to: "      - {text: Ways to stay: in constant contact with family}",
        line_with: "{text: Ways to stay:",
        says: &["a value inside `{ … }` or `[ … ]` ends before its text does", "put a value holding `: `"],
    },
    Case {
        name: "curly quotes inside braces",
        file: SITE,
        from: "      - text: Ways to stay in constant contact with family",
        to: "      - {text: \u{201c}Ways to stay: in constant contact with family\u{201d}}",
        line_with: "{text: \u{201c}Ways",
        says: &["curly quotes (“ ”) are letters to YAML, not quotes"],
    },
    Case {
        name: "a colon in a table cell",
        file: SITE,
        from: "      - [\"Case Managers\", \"3\", \"Prime provider (Shaw Trust/Ixion)\"]",
        to: "      - [Case Managers, 3, Prime provider: Shaw Trust]",
        line_with: "[Case Managers, 3, Prime",
        says: &["found `key: value` pairs", "put the whole text in quotes"],
    },
    Case {
        name: "nothing in a table cell",
        file: SITE,
        from: "\"HMPPS (provided in addition)\"]",
        to: "~]",
        line_with: "\"Governor-level CFO wing pilot sponsor\", \"1\", ~]",
        says: &["found nothing", "a table cell the study did not state is `\"\"`"],
    },
    Case {
        name: "a hash that makes the rest of a value a comment",
        file: SITE,
        from: "      - text: Ways to stay in constant contact with family",
        to: "      - text: Ways to stay in contact with family #1 priority",
        line_with: "#1 priority",
        says: &[
            "`#1 priority` is read as a YAML comment and left out: the value ends at `Ways to stay in contact with family`",
            "\"Ways to stay in contact with family #1 priority\"",
            "write a space after `#`",
        ],
    },
    Case {
        name: "a hash starting the next line of a wrapped text",
        file: SITE,
        from: "      - text: Ways to stay in constant contact with family",
        to: "      - text: Ways to stay in constant contact\n          #1 priority with family",
        line_with: "#1 priority",
        says: &[
            "`#1 priority with family` is read as a YAML comment and left out: the value ends at `Ways to stay in constant contact`",
        ],
    },
    Case {
        name: "a hash in a table row that takes its closing bracket",
        file: SITE,
        from: "      - [\"Case Managers\", \"3\",",
        to: "      - [Case Managers #2, \"3\",",
        line_with: "[Case Managers #2",
        says: &["`#2` is read as a YAML comment", "\"Case Managers #2\""],
    },
    Case {
        name: "a hash in a section title",
        file: FINDINGS,
        from: "title: Findings at the Hamlet",
        to: "title: Findings at #Hamlet",
        line_with: "title: Findings at #Hamlet",
        says: &["`#Hamlet` is read as a YAML comment", "\"Findings at #Hamlet\""],
    },
    Case {
        name: "a first word read as a YAML tag",
        file: SITE,
        from: "    text: \"We actively seek out the difficult to engage.\"",
        to: "    text: !Actively seek out the difficult to engage.",
        line_with: "text: !Actively",
        says: &[
            "`!Actively` is read as a YAML tag and left out: the value is `seek out the difficult to engage.`",
            "\"!Actively seek out the difficult to engage.\"",
        ],
    },
    Case {
        name: "a quotation's text indented too little",
        file: SITE,
        from: "    text: \"We actively seek out the difficult to engage.\"",
        to: "  text: \"We actively seek out the difficult to engage.\"",
        line_with: "  text: \"We actively",
        says: &[
            "`text:` is indented less than the keys of the block above it",
            "indent `text:` by 4 spaces, as far as `id:` on line 278, instead of 2",
        ],
    },
    Case {
        name: "a text that opens with a quotation",
        file: SITE,
        from: "    text: \"We actively seek out the difficult to engage.\"",
        to: "    text: \"We actively\" seek out the difficult to engage.",
        line_with: "text: \"We actively\" seek",
        says: &["the `\"` that ends the quotation also ends the value", "in single quotes"],
    },
    Case {
        name: "recommendations as a bare list",
        file: SITE,
        from: "  - heading: Optimise the peer involvement role continuum\n    items:\n      - Make",
        to: "  - Make",
        line_with: "  - Make peer involvement",
        says: &["expected `key: value` pairs", "each entry of `recommendations` is `key: value` pairs"],
    },
    Case {
        name: "a section's weight in quotes",
        file: INTRO,
        from: "weight: 1",
        to: "weight: \"1\"",
        line_with: "weight: \"1\"",
        says: &["it must be a number", "remove the quotes: write `1`"],
    },
    Case {
        name: "a key indented into the value above it",
        file: SITE,
        from: "\n  peer mentors interviewed: 6",
        to: "\n    peer mentors interviewed: 6",
        line_with: "    peer mentors interviewed: 6",
        says: &[
            "`peer mentors interviewed:` is indented further than `interviews:`",
            "indent `peer mentors interviewed:`",
        ],
    },
    Case {
        name: "unknown rating",
        file: SITE,
        from: "    rating: green",
        to: "    rating: gren",
        line_with: "rating: gren",
        says: &["`gren` is not a rating", "did you mean `green`?"],
    },
    Case {
        name: "count above n",
        file: SITE,
        from: "  n: 26",
        to: "  n: 5",
        line_with: "count: 19",
        says: &["more than n = 5"],
    },
    Case {
        name: "missing required key",
        file: SITE,
        from: "year: 2024\n",
        to: "",
        line_with: "id: drake-hall",
        says: &["missing required key `year`"],
    },
    Case {
        name: "table row with too few cells",
        file: SITE,
        from: "      - [\"Case Managers\", \"3\", \"Prime provider (Shaw Trust/Ixion)\"]",
        to: "      - [\"Case Managers\"]",
        line_with: "[\"Case Managers\"]",
        says: &["row has 1 cell but the table has 3 columns"],
    },
    Case {
        name: "attributes out of no respondents",
        file: SITE,
        from: "  n: 26",
        to: "  n: 0",
        line_with: "  n: 0",
        says: &[
            "`n` is 0, but it is the number of respondents the counts are out of",
            "write how many respondents were asked (1 or more); if the study asked none, leave the `attributes` block out",
        ],
    },
    Case {
        name: "YAML syntax error",
        file: SITE,
        from: "wing: The Hamlet",
        to: "wing: [The Hamlet",
        line_with: "wing: [The Hamlet",
        says: &["site.yaml"],
    },
    Case {
        name: "unknown front-matter key",
        file: FINDINGS,
        from: "weight: 2",
        to: "wieght: 2",
        line_with: "wieght: 2",
        says: &["unknown key `wieght`", "did you mean `weight`?"],
    },
    Case {
        name: "front matter never closed",
        file: FINDINGS,
        from: "weight: 2\n---\n",
        to: "weight: 2\n\n",
        line_with: "---",
        says: &["front matter is never closed"],
    },
    Case {
        name: "front matter with a wrong type",
        file: FINDINGS,
        from: "weight: 2",
        to: "weight: second",
        line_with: "weight: second",
        says: &[
            "02-findings.md",
            "`weight` is `\"second\"`; it must be a number",
            "leave `weight` out to place the file after every file that has one (those without one in order of file name)",
        ],
    },
    Case {
        name: "unknown shortcode",
        file: INTRO,
        from: "{{ profile() }}",
        to: "{{ profiel() }}",
        line_with: "{{ profiel() }}",
        says: &["unknown shortcode `profiel`", "did you mean `profile`?", "`recommendations`"],
    },
    Case {
        name: "unknown shortcode argument",
        file: INTRO,
        from: "{{ list(key=\"aims\") }}",
        to: "{{ list(key=\"aims\", colour=\"red\") }}",
        line_with: "colour=\"red\"",
        says: &["`list` has no argument `colour`", "`key`"],
    },
    Case {
        name: "list key not in the record",
        file: FINDINGS,
        from: "{{ list(key=\"enablers\") }}",
        to: "{{ list(key=\"enabler\") }}",
        line_with: "key=\"enabler\"",
        says: &["no list `enabler`", "did you mean `enablers`?"],
    },
    Case {
        name: "quote id not in the record",
        file: FINDINGS,
        from: "{{ quote(id=\"ida-difficult-to-engage\") }}",
        to: "{{ quote(id=\"ida\") }}",
        line_with: "{{ quote(id=\"ida\") }}",
        says: &["no quote `ida`"],
    },
    Case {
        name: "malformed shortcode",
        file: FINDINGS,
        from: "{{ quote(id=\"ida-difficult-to-engage\") }}",
        to: "{{ quote(id=\"ida-difficult-to-engage) }}",
        line_with: "{{ quote(id=\"ida-difficult-to-engage) }}",
        says: &["no closing `\"`"],
    },
    Case {
        name: "level-one heading in a section",
        file: FINDINGS,
        from: "## Peer involvement across the programme",
        to: "# Peer involvement across the programme",
        line_with: "# Peer involvement across the programme",
        says: &["`#` heading inside a section", "use `##`"],
    },
    Case {
        name: "unknown citation key",
        file: FINDINGS,
        from: "@buck2018 identifies",
        to: "@buck2019 identifies",
        line_with: "@buck2019 identifies",
        says: &["citation `@buck2019` is not in the bibliography", "did you mean `@buck2018`?"],
    },
    Case {
        name: "cross-reference without a target",
        file: FINDINGS,
        from: "(@fig-attributes)",
        to: "(@fig-atributes)",
        line_with: "(@fig-atributes)",
        says: &["cross-reference `@fig-atributes` has no target", "did you mean `@fig-attributes`?"],
    },
    Case {
        name: "figure id used twice",
        file: FINDINGS,
        from: "{{ social_capital(id=\"fig-social-capital\") }}",
        to: "{{ social_capital(id=\"fig-attributes\") }}",
        line_with: "{{ social_capital(id=\"fig-attributes\") }}",
        says: &["id `fig-attributes` is used twice"],
    },
    Case {
        name: "a key indented one space too little",
        file: SITE,
        from: "\n  region:",
        to: "\n region:",
        line_with: " region:",
        says: &[
            "this line's indentation matches no block above it",
            "the key above starts in column 3, this one in column 2",
        ],
    },
    Case {
        name: "unknown key in wingreport.toml",
        file: "wingreport.toml",
        from: "language",
        to: "titel = \"x\"\nlanguage",
        line_with: "titel",
        says: &["unknown field `titel`"],
    },
    Case {
        name: "a blank title in wingreport.toml",
        file: "wingreport.toml",
        from: "language",
        to: "title = \" \"\nlanguage",
        line_with: "title = \" \"",
        says: &["this title is empty", "write the site's name, or leave `title` out to show the title of series.yaml"],
    },
    Case {
        name: "a language name in wingreport.toml",
        file: "wingreport.toml",
        from: "language = \"en-GB\"",
        to: "language = \"English\"",
        line_with: "language = \"English\"",
        says: &[
            "`language = \"English\"` is not a language tag",
            "write the language's tag, not its name: `en-GB` for British English, or `en`",
        ],
    },
    Case {
        name: "a locale with an underscore in wingreport.toml",
        file: "wingreport.toml",
        from: "language = \"en-GB\"",
        to: "title = \"Study\"\nlanguage = \"en_GB\"",
        line_with: "language = \"en_GB\"",
        says: &[
            "`language = \"en_GB\"` is not a language tag",
            "write `language = \"en-GB\"`: the parts of a tag are joined with `-`",
        ],
    },
    // Found by the re-check after: the usual mistake for British English.
    Case {
        name: "the United Kingdom written UK in wingreport.toml",
        file: "wingreport.toml",
        from: "language = \"en-GB\"",
        to: "title = \"Study\"\nlanguage = \"en-UK\"",
        line_with: "language = \"en-UK\"",
        says: &[
            "`language = \"en-UK\"` names no region: the United Kingdom's code is `GB`",
            "write `language = \"en-GB\"`",
        ],
    },
    // Found by the re-check: a region that is a language's code, not a country's.
    Case {
        name: "a language written as its region in wingreport.toml",
        file: "wingreport.toml",
        from: "language = \"en-GB\"",
        to: "title = \"Study\"\nlanguage = \"en-EN\"",
        line_with: "language = \"en-EN\"",
        says: &[
            "`language = \"en-EN\"` names no region: `EN` is no country's code",
            "such as `GB` (United Kingdom), `IE` or `US`; leave it out if none is meant: `language = \"en\"`",
        ],
    },
];

/// Line of the first occurrence of `line_with` in the edited file, or 0
/// when the mistake is the whole file's.
fn expected_line(root: &std::path::Path, case: &Case) -> usize {
    if case.line_with.is_empty() {
        return 0;
    }
    let text = std::fs::read_to_string(root.join(case.file)).unwrap();
    let at =
        text.find(case.line_with).unwrap_or_else(|| panic!("{}: edited file lacks {:?}", case.name, case.line_with));
    let skip = case.line_with.len() - case.line_with.trim_start_matches('\n').len();
    text[..at + skip].matches('\n').count() + 1
}

/// Each mistake, checked in memory: the stages report it at its file and
/// line with the words a researcher needs.
#[test]
fn each_mistake_is_reported_at_its_location() {
    assert!(CASES.len() >= 12);
    let mut failures = Vec::new();
    for case in CASES {
        let dir = bundled_project();
        let root = dir.path();
        edit(root, case.file, case.from, case.to);
        let diags = match wingreport::build::generate(root, false) {
            Err(wingreport::build::Failure::Content(diags)) => diags,
            other => {
                failures.push(format!("{}: want content problems, got {other:?}", case.name));
                continue;
            }
        };
        let line = expected_line(root, case);
        let at_place = diags.iter().filter(|d| d.path == case.file && (line == 0 || d.line == line));
        let words: Vec<String> =
            at_place.map(|d| format!("{} {} {}", d.path, d.message, d.hint.as_deref().unwrap_or(""))).collect();
        if words.is_empty() {
            failures.push(format!("{}: nothing at {}:{line}\n{diags:#?}", case.name, case.file));
            continue;
        }
        for fragment in case.says {
            if !words.iter().any(|w| w.contains(fragment)) {
                failures.push(format!("{}: want {fragment:?} in {words:#?}", case.name));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n\n{}", failures.len(), CASES.len(), failures.join("\n\n"));
}

/// End to end through the binary, for a record, a narrative and a config
/// mistake: exit 1, the location, and the previous output byte for byte.
#[test]
fn a_failed_build_exits_1_and_keeps_the_previous_output() {
    for case in [&CASES[0], &CASES[CASES.len() / 2], &CASES[CASES.len() - 1]] {
        let dir = bundled_project();
        let root = dir.path();
        let first = build(root, &["--quiet"]);
        assert!(first.status.success(), "{}: clean build failed: {}", case.name, stderr(&first));
        let before = snapshot(&root.join("output"));
        edit(root, case.file, case.from, case.to);
        let out = build(root, &[]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{}: {err}", case.name);
        let line = expected_line(root, case);
        let location = if line == 0 { case.file.to_string() } else { format!("{}:{line}:", case.file) };
        assert!(err.contains(&location), "{}: want {location}\n{err}", case.name);
        assert!(err.contains("the previous output was left as it was"), "{}: {err}", case.name);
        assert_eq!(snapshot(&root.join("output")), before, "{}: the previous output changed", case.name);
    }
}

#[test]
fn all_mistakes_of_a_run_are_reported_together() {
    let dir = bundled_project();
    let root = dir.path();
    edit(root, SITE, "  estate: female", "  estate: femail");
    edit(root, "content/sites/risley/site.yaml", "id: risley", "id: risly");
    edit(root, FINDINGS, "weight: 2", "wieght: 2");
    let out = build(root, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("drake-hall/site.yaml:"), "{err}");
    assert!(err.contains("risley/site.yaml:"), "{err}");
    assert!(err.contains("02-findings.md:"), "{err}");
    assert!(err.contains("build failed: 3 problems"), "{err}");
}

#[test]
fn check_reports_json_for_machines() {
    let dir = bundled_project();
    edit(dir.path(), SITE, "  estate: female", "  estate: femail");
    let out = wingreport().args(["check", "--format", "json", "--root"]).arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let diags: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &diags[0];
    assert_eq!(first["path"], SITE);
    assert_eq!(first["line"], line_of(dir.path(), SITE, "estate: femail"));
    assert!(first["hint"].as_str().unwrap().contains("female"));
}

#[test]
fn unreadable_utf8_record_is_an_error_not_a_panic() {
    let dir = bundled_project();
    std::fs::write(dir.path().join(SITE), [0xff, 0xfe, 0x00, 0x41]).unwrap();
    let out = build(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("site.yaml"));
}

#[test]
fn a_latin_1_byte_is_reported_at_its_line_and_column_with_the_encoding_to_save_in() {
    let dir = bundled_project();
    let path = dir.path().join(SITE);
    let text = std::fs::read_to_string(&path).unwrap();
    let line = line_of(dir.path(), SITE, "  region: West Midlands");
    let mut bytes = text.replacen("  region: West Midlands", "  region: West Midl\u{1}nds", 1).into_bytes();
    let at = bytes.iter().position(|&b| b == 1).unwrap();
    bytes[at] = 0xe9; // `é` in Latin-1
    std::fs::write(&path, bytes).unwrap();
    let err = failed_check(dir.path());
    assert!(err.contains(&format!("{SITE}:{line}:20: the file is not UTF-8 text from here on")), "{err}");
    assert!(err.contains("save it as UTF-8"), "{err}");
}

/// Found by QA: a section saved as UTF-16 without a byte-order mark was
/// "missing front matter" beside a snippet showing its `---`, and a record
/// got "unexpected character" with no hint.
#[test]
fn a_section_and_a_record_saved_as_utf16_without_a_byte_order_mark_say_to_save_as_utf8() {
    let dir = bundled_project();
    for file in [INTRO, SITE] {
        let path = dir.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>()).unwrap();
    }
    let out = wingreport().arg("check").arg("--root").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for file in [INTRO, SITE] {
        assert!(err.contains(&format!("{file}:1:1: the file is not UTF-8 text: it is saved as UTF-16")), "{err}");
    }
    assert_eq!(err.matches("help: save it as UTF-8").count(), 2, "{err}");
    assert!(!err.contains("front matter") && !err.contains('\0'), "{err}");
}

#[test]
fn an_empty_record_and_a_site_folder_without_one_say_what_to_write() {
    let dir = bundled_project();
    std::fs::write(dir.path().join(SITE), "\n").unwrap();
    std::fs::create_dir(dir.path().join("content/sites/new-site")).unwrap();
    std::fs::write(dir.path().join("content/sites/new-site/01-notes.md"), "---\ntitle: Notes\n---\n\nText.\n").unwrap();
    let err = failed_check(dir.path());
    assert!(err.contains(&format!("{SITE}:1:1: the file is empty")), "{err}");
    assert!(err.contains("content/sites/new-site/site.yaml: file not found"), "{err}");
    assert!(err.contains("wingreport new site <id>"), "{err}");
}

#[test]
fn a_narrative_file_that_cannot_be_read_does_not_also_break_cross_references_into_it() {
    let dir = bundled_project();
    // The closing fence typed as a dash: 01-introduction.md, which holds
    // `{#sec-staff-team}`, cannot be read; 03-recommendations.md refers to it.
    edit(dir.path(), INTRO, "weight: 1\n---\n", "weight: 1\n—\n");
    let err = failed_check(dir.path());
    assert!(err.contains(INTRO), "{err}");
    assert!(!err.contains("@sec-staff-team"), "no follow-on cross-reference error: {err}");
    assert_eq!(err.matches('×').count(), 1, "{err}");
}

/// Found by a new-study audit: a record that cannot be read also made
/// every link to its report an error, with a hint naming another report.
#[test]
fn a_record_that_cannot_be_read_does_not_also_break_links_to_its_report() {
    let dir = bundled_project();
    let text = std::fs::read_to_string(dir.path().join(INTRO)).unwrap();
    std::fs::write(dir.path().join(INTRO), format!("{text}\nSee [Risley](../risley/index.html#sec-introduction).\n"))
        .unwrap();
    edit(dir.path(), "content/sites/risley/site.yaml", "\nyear: 2024\n", "\n");
    let err = failed_check(dir.path());
    assert!(err.contains("content/sites/risley/site.yaml:1:1: missing required key `year`"), "{err}");
    assert_eq!(err.matches('×').count(), 1, "no follow-on link error: {err}");
}

#[test]
fn a_record_mistake_set_aside_does_not_also_make_a_shortcode_say_its_block_is_missing() {
    let dir = bundled_project();
    edit(dir.path(), SITE, "{name: CFO course, weeks: 8,", "{name: CFO course, weeks: 8–10,");
    let err = failed_check(dir.path());
    let line = line_of(dir.path(), SITE, "weeks: 8–10");
    assert!(err.contains(&format!("{SITE}:{line}:")), "{err}");
    assert!(!err.contains("which has none"), "no follow-on shortcode error: {err}");
    assert_eq!(err.matches('×').count(), 1, "{err}");
}

#[test]
fn a_narrative_file_saved_one_folder_too_high_is_an_error_not_left_out() {
    let dir = bundled_project();
    std::fs::copy(dir.path().join(INTRO), dir.path().join("content/sites/01-introduction.md")).unwrap();
    std::fs::write(dir.path().join("content/sites/.notes.md"), "hidden files are left alone\n").unwrap();
    let err = failed_check(dir.path());
    assert!(err.contains("content/sites/01-introduction.md: this file is in no site's folder"), "{err}");
    assert_eq!(err.matches('×').count(), 1, "{err}");
}

fn write_real_names(root: &std::path::Path, names: &str) {
    std::fs::create_dir_all(root.join("private")).unwrap();
    std::fs::write(root.join("private/real-names.txt"), names).unwrap();
}

/// Found by a publisher's audit: a real name in a free page's file name was
/// reported against the comparison page, naming no file of the content.
#[test]
fn a_real_name_in_a_file_name_is_reported_at_that_file() {
    let dir = bundled_project();
    write_real_names(dir.path(), "Bethany Cartwright\n");
    std::fs::write(dir.path().join("content/pages/bethany-cartwright.md"), "---\ntitle: About\n---\n\nText.\n")
        .unwrap();
    let err = failed_check(dir.path());
    assert!(
        err.contains("content/pages/bethany-cartwright.md: real name `bethany cartwright` would be published"),
        "{err}"
    );
    assert!(err.contains("rename the file: its name is the address of its page"), "{err}");
}

/// Found by a privacy re-check: a link to a file named in camel case
/// (`IdaSmithInterview.pdf`) published the name unread.
#[test]
fn a_real_name_in_a_linked_file_name_is_reported_at_the_link() {
    let dir = bundled_project();
    write_real_names(dir.path(), "Bethany Cartwright\n");
    let narrative = dir.path().join("content/sites/risley/01-initiative.md");
    let mut text = std::fs::read_to_string(&narrative).unwrap();
    let line = text.lines().count() + 2;
    text.push_str("\nSee [the interview](https://example.org/share/BethanyCartwrightInterview.pdf).\n");
    std::fs::write(&narrative, text).unwrap();
    let err = failed_check(dir.path());
    let at =
        format!("content/sites/risley/01-initiative.md:{line}:47: real name `BethanyCartwright` would be published");
    assert!(err.contains(&at), "{err}");
}

/// The bundled project built once, with the output it has then, and
/// `names` as its real-names list from now on.
fn built_with_real_names(names: &str) -> (tempfile::TempDir, std::collections::BTreeMap<String, Vec<u8>>) {
    let dir = bundled_project();
    let first = build(dir.path(), &["--quiet"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = snapshot(&dir.path().join("output"));
    write_real_names(dir.path(), names);
    (dir, before)
}

#[test]
fn real_name_in_the_output_fails_the_build_and_points_at_its_source() {
    let (dir, before) = built_with_real_names("# interviewees\nMarina\n");
    let root = dir.path();
    let out = build(root, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let line = line_of(root, SITE, "speaker: Marina");
    assert!(err.contains(&format!("{SITE}:{line}:")), "{err}");
    assert!(err.contains("real name `Marina` would be published"), "{err}");
    assert_eq!(snapshot(&root.join("output")), before, "nothing published");
    // Found by a privacy audit: built before the list named her, the kept output may hold her too.
    assert!(err.contains("may hold the same real name: do not publish it again until a build passes"), "{err}");

    let out = wingreport().arg("check").arg("--root").arg(root).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "check catches it too");

    write_real_names(root, "Marinade\n");
    let out = build(root, &["--quiet"]);
    assert!(out.status.success(), "only whole words match: {}", stderr(&out));
    for path in snapshot(&root.join("output")).keys() {
        assert!(!path.contains("real-names"), "the list itself is never copied");
    }
}

/// A list exported from Excel for Mac (lines ending in CR) or saved by
/// Notepad as "Unicode" (UTF-16 without a mark) is read name by name; one
/// saved under a near-miss name beside the default is an error, not an
/// unchecked build.
#[test]
fn real_names_saved_by_a_spreadsheet_or_under_another_name_are_still_checked() {
    let (dir, before) = built_with_real_names("");
    let root = dir.path();
    let utf16: Vec<u8> = "Anna Cole\r\nMarina\r\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
    for list in [b"Anna Cole\rMarina\r".to_vec(), utf16] {
        std::fs::write(root.join("private/real-names.txt"), list).unwrap();
        let out = build(root, &[]);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains("real name `Marina` would be published"), "{}", stderr(&out));
    }
    std::fs::rename(root.join("private/real-names.txt"), root.join("private/real_names.txt")).unwrap();
    let out = build(root, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("private/real_names.txt: this looks like the real-names list"), "{err}");
    // Found by a later re-check: a list kept as a spreadsheet was not read, in silence.
    std::fs::remove_file(root.join("private/real_names.txt")).unwrap();
    std::fs::write(root.join("private/Participant names.xlsx"), b"PK\x03\x04 a workbook").unwrap();
    let out = build(root, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("private/Participant names.xlsx: this looks like the real-names list"), "{err}");
    assert!(err.contains("save it as text, one name a line"), "{err}");
    assert_eq!(snapshot(&root.join("output")), before, "nothing published");
}

/// A two-word name is still a name when the Markdown wraps it over two
/// lines, emphasises one word or writes its apostrophe, which a template
/// escapes: each is refused at its own line, and nothing is published.
#[test]
fn real_name_wrapped_or_marked_up_in_the_narrative_is_still_refused() {
    let (dir, before) = built_with_real_names("Ida Smith\nSiobhan O'Brien\n");
    let root = dir.path();
    let text = std::fs::read_to_string(root.join(INTRO)).unwrap();
    let added = "\nWe thank Ida\nSmith and *Ida* **Smith**.\n";
    std::fs::write(root.join(INTRO), format!("{text}{added}")).unwrap();
    edit(root, SITE, "speaker: Marina", "speaker: Siobhan O'Brien");

    let out = build(root, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let wrapped = text.lines().count() + 2;
    assert!(err.contains(&format!("{INTRO}:{wrapped}:10: real name `Ida Smith` would be published")), "{err}");
    let emphasised = format!("{INTRO}:{}:12: real name `Ida Smith` would be published", wrapped + 1);
    assert!(err.contains(&emphasised), "the emphasised one too: {err}");
    let speaker = line_of(root, SITE, "speaker: Siobhan");
    assert!(err.contains(&format!("{SITE}:{speaker}:")), "escaped by the template as &#x27;: {err}");
    assert_eq!(snapshot(&root.join("output")), before, "nothing published");
}

/// Found by a privacy audit, each published before: a list of 32 or more
/// two-word names (which switched the check off), a byte-order mark before
/// the first name, emphasis inside a word, an accent written as two
/// characters, and a name only in a heading's id.
#[test]
fn real_names_are_read_as_a_reader_reads_them_from_a_list_of_any_length() {
    // Letters, not digits: no name has a digit, and a list line with one is refused.
    let tag = |i: u8| format!("{}{}", char::from(b'a' + i / 26), char::from(b'a' + i % 26));
    let fillers: String = (0..40).map(|i| format!("Given{} Family{}\n", tag(i), tag(i))).collect();
    let (dir, before) = built_with_real_names(&format!(
        "\u{feff}Alice Plain\n{fillers}Kate Emphused\nJos\u{e9} Nunez\nXena Anchor\nSe\u{e1}n O'Bree\nM\u{e1}ire \u{d3} Daly\nIda Smyth-Jones\n"
    ));
    let root = dir.path();
    let text = std::fs::read_to_string(root.join(INTRO)).unwrap();
    let added = "\nAlice Plain spoke.\n\nTold by Ka**te** Emphused.\n\nAnd by Jose\u{301} Nunez.\n\n## Interviews {#sec-xena-anchor}\n\nText.\n\nSEAN O-BREE and Maire O'Daly.\n\nSmyth-Jones, Ida.\n";
    std::fs::write(root.join(INTRO), format!("{text}{added}")).unwrap();

    let out = build(root, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let first = text.lines().count() + 2;
    for (line, col, name) in [
        (first, 1, "Alice Plain"),
        (first + 2, 9, "Kate Emphused"),
        (first + 4, 8, "Jose\u{301} Nunez"),
        (first + 6, 21, "xena-anchor"),
        // Found by a later re-check: an apostrophe written as a hyphen, and one
        // added to a name listed with a space.
        (first + 10, 1, "SEAN O-BREE"),
        (first + 10, 17, "Maire O'Daly"),
        // And by the one after: a surname of two words written first.
        (first + 12, 1, "Smyth-Jones, Ida"),
    ] {
        assert!(err.contains(&format!("{INTRO}:{line}:{col}: real name `{name}` would be published")), "{name}: {err}");
    }
    assert_eq!(snapshot(&root.join("output")), before, "nothing published");
}

/// One report's mistake hides nothing: a broken link in another report,
/// and a real name anywhere, are reported in the same run.
#[test]
fn a_mistake_in_one_report_does_not_hide_a_broken_link_or_a_real_name_in_another() {
    let dir = bundled_project();
    let root = dir.path();
    let other = "content/sites/high-down/01-initiative.md";
    let append = |file: &str, text: &str| {
        let before = std::fs::read_to_string(root.join(file)).unwrap();
        std::fs::write(root.join(file), format!("{before}\n{text}\n")).unwrap();
        before.lines().count() + 2
    };
    let xref = append(other, "See @sec-nonexistent for more.");
    let link = append(INTRO, "A [broken link](../nowhere/index.html).");
    write_real_names(root, "Marina\n");

    let out = wingreport().arg("check").arg("--root").arg(root).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains(&format!("{other}:{xref}:5: cross-reference `@sec-nonexistent` has no target")), "{err}");
    assert!(err.contains(&format!("{INTRO}:{link}:3: link `../nowhere/index.html` has no target")), "{err}");
    let speaker = line_of(root, SITE, "speaker: Marina");
    assert!(err.contains(&format!("{SITE}:{speaker}:14: real name `Marina` would be published")), "{err}");
}

/// One of the messages issue 9 found weak: what the diagnostic must say,
/// exactly where.
struct Exact {
    name: &'static str,
    file: &'static str,
    from: &'static str,
    to: &'static str,
    /// Text at the reported place: its line, and its column (the first
    /// character of `at`).
    at: &'static str,
    message: &'static str,
    hint: &'static str,
}

const EXACT: &[Exact] = &[
    Exact {
        name: "a full-width colon typed by an input method, at the colon",
        file: SITE,
        from: "wing: The Hamlet",
        to: "wing\u{ff1a} The Hamlet",
        at: "\u{ff1a}",
        message: "the colon after `wing` is a full-width colon",
        hint: "type the ASCII colon `:` in its place, followed by a space: `wing: The Hamlet`",
    },
    Exact {
        name: "an escape for half of an emoji, at the escape",
        file: SITE,
        from: "wing: The Hamlet",
        to: "wing: \"The Hamlet \\ud83d\"",
        at: "\\ud83d",
        message: "`\\ud83d` stands for half of a character (such as half of an emoji)",
        hint: "or the whole character as `\\U0001F600`",
    },
    Exact {
        name: "curly quotes used as quotes in `{ … }`, at the text",
        file: SITE,
        from: "  - {title: Listener, paid: false,",
        to: "  - {title: \u{201c}Listener,\u{201d} she said, paid: false,",
        at: "\u{201c}Listener",
        message: "YAML does not take curly quotes (“ ”) as quotes, so the text ends early and `” she said` is read as a key",
        hint: "put the whole text in straight double quotes, keeping the curly ones inside it: \
               `title: \"“Listener,” she said\"`",
    },
    Exact {
        name: "a tab used for indentation, at the tab",
        file: SITE,
        from: "  estate: female",
        to: "\testate: female",
        at: "\testate",
        message: "a tab is used for indentation",
        hint: "YAML indents with spaces, not tabs: replace the tab with spaces",
    },
    Exact {
        name: "a stray colon in a text",
        file: SITE,
        from: "      - text: A community wing environment",
        to: "      - text: He said: no",
        at: ": no",
        message: "this text contains `: `",
        hint: "put the whole text in quotes: `text: \"He said: no\"`",
    },
    Exact {
        name: "a front-matter mistake, with one line number, the .md file's",
        file: FINDINGS,
        from: "title: Findings at the Hamlet",
        to: "title: Findings: at the Hamlet",
        at: ": at",
        message: "this text contains `: `",
        hint: "put the whole text in quotes: `title: \"Findings: at the Hamlet\"`",
    },
    Exact {
        name: "a front-matter flag, in words",
        file: FINDINGS,
        from: "weight: 2",
        to: "weight: 2\nnumbered: maybe",
        at: "maybe",
        message: "expected `true` or `false`; found `maybe`",
        hint: "write `true` or `false`",
    },
    Exact {
        name: "a count, in words",
        file: SITE,
        from: "  region: West Midlands",
        to: "  region: West Midlands\n  population: about 330",
        at: "about 330",
        message: "expected a whole number of 0 or more, such as 26; found `about 330`",
        hint: "write the number alone",
    },
    Exact {
        name: "a year, in words",
        file: SITE,
        from: "year: 2024",
        to: "year: 2024-25",
        at: "2024-25",
        message: "expected a year such as 2024; found `2024-25`",
        hint: "write the year as four digits",
    },
    Exact {
        name: "a section's blank title",
        file: FINDINGS,
        from: "title: Findings at the Hamlet",
        to: "title: \"\"",
        at: "\"\"",
        message: "this text is empty",
        hint: "write what it says",
    },
    Exact {
        name: "a flag, in words",
        file: SITE,
        from: "  paid: false",
        to: "  paid: sometimes",
        at: "sometimes",
        message: "expected `true` or `false`; found `sometimes`",
        hint: "write `true` or `false`",
    },
    Exact {
        name: "a text given a list, in words",
        file: SITE,
        from: "  supervision: Weekly CFO Community meeting",
        to: "  supervision: [Weekly, Monthly]",
        at: "[Weekly",
        message: "expected a single value, such as a text; found a list",
        hint: "put the text in quotes",
    },
    Exact {
        name: "a quoted number",
        file: SITE,
        from: "  n: 26",
        to: "  n: \"26\"",
        at: "\"26\"",
        message: "`\"26\"` is text in quotes, where a whole number of 0 or more, such as 26 belongs",
        hint: "remove the quotes: write `26`",
    },
    Exact {
        name: "a missing key, at the start of its block",
        file: SITE,
        from: "    method: interview\n    text: \"We actively seek out the difficult to engage.\"\n",
        to: "    method: interview\n",
        at: "id: ida-difficult-to-engage",
        message: "missing required key `text`",
        hint: "add a line `text: ...` to the block that starts here",
    },
    Exact {
        name: "a missing key of the whole record, at its first key",
        file: SITE,
        from: "year: 2024\n",
        to: "",
        at: "id: drake-hall",
        message: "missing required key `year`",
        hint: "add a line `year: ...` to the block that starts here",
    },
];

/// The weak messages made exact: the line and column of the mistake itself,
/// no Rust type name, no second line number, and the fix.
#[test]
fn weak_messages_are_exact() {
    let jargon = regex::Regex::new(r"\b([ui](8|16|32|64)|f64|line \d)").unwrap();
    let mut failures = Vec::new();
    for case in EXACT {
        let dir = bundled_project();
        let root = dir.path();
        edit(root, case.file, case.from, case.to);
        let text = std::fs::read_to_string(root.join(case.file)).unwrap();
        let offset = text.find(case.at).unwrap_or_else(|| panic!("{}: no {:?}", case.name, case.at));
        let line = text[..offset].matches('\n').count() + 1;
        let col = text[..offset].rsplit('\n').next().unwrap().chars().count() + 1;
        let diags = match wingreport::build::generate(root, false) {
            Err(wingreport::build::Failure::Content(diags)) => diags,
            Ok(_) => panic!("{}: want content problems, got a clean build", case.name),
            Err(other) => panic!("{}: want content problems, got {other:?}", case.name),
        };
        let Some(diag) = diags.iter().find(|d| d.path == case.file && d.message.contains(case.message)) else {
            failures.push(format!("{}: no {:?} in {diags:#?}", case.name, case.message));
            continue;
        };
        if (diag.line, diag.col) != (line, col) {
            failures.push(format!("{}: at {}:{}, want {line}:{col}", case.name, diag.line, diag.col));
        }
        let hint = diag.hint.as_deref().unwrap_or("");
        if !hint.contains(case.hint) || (!case.hint.is_empty() && hint.is_empty()) {
            failures.push(format!("{}: hint {hint:?}, want {:?}", case.name, case.hint));
        }
        let words = format!("{} {hint}", diag.message);
        if jargon.is_match(&words) {
            failures.push(format!("{}: jargon or a second position in {words:?}", case.name));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n\n{}", failures.len(), EXACT.len(), failures.join("\n\n"));
}

/// A key typo, a bad value and a quoted number in one record, and an unknown
/// citation in its narrative: one run reports all four, each at its place,
/// and writes nothing.
#[test]
fn one_record_reports_every_mistake_and_its_narrative_is_still_checked() {
    let dir = bundled_project();
    let root = dir.path();
    edit(root, SITE, "  accreditation: accredited-l2", "  acreditation: accredited-l2");
    edit(root, SITE, "  region: West Midlands", "  region: West Midlands\n  population: about 330");
    edit(root, SITE, "  interviews: 26", "  interviews: \"26\"");
    edit(root, FINDINGS, "@buck2018 identifies", "@buck2019 identifies");
    let out = wingreport().args(["check", "--format", "json", "--root"]).arg(root).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let diags: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(String, u64, String)> = diags
        .iter()
        .map(|d| (d["path"].as_str().unwrap().to_string(), d["line"].as_u64().unwrap(), d["message"].to_string()))
        .collect();
    let want = [
        (SITE, line_of(root, SITE, "acreditation:"), "unknown key `acreditation`"),
        (SITE, line_of(root, SITE, "population: about"), "found `about 330`"),
        (SITE, line_of(root, SITE, "interviews: \"26\""), "is text in quotes"),
        (FINDINGS, line_of(root, FINDINGS, "@buck2019"), "citation `@buck2019` is not in the bibliography"),
    ];
    for (path, line, words) in want {
        assert!(
            found.iter().any(|(p, l, m)| p == path && *l == line as u64 && m.contains(words)),
            "want {words:?} at {path}:{line} in {found:#?}"
        );
    }
    assert_eq!(found.len(), 4, "one diagnostic per mistake, nothing caused by setting one aside: {found:#?}");

    let out = build(root, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("build failed: 4 problems"), "{}", stderr(&out));
    assert!(!root.join("output").exists(), "nothing is written");
}

/// Mistakes that cannot be set aside end the search in that file only, and
/// a file that is not YAML at all gives one error, not one per line.
#[test]
fn a_broken_record_stops_its_own_search_only() {
    let dir = bundled_project();
    let root = dir.path();
    edit(root, SITE, "wing: The Hamlet", "wing: [The Hamlet");
    edit(root, "content/sites/risley/site.yaml", "id: risley", "id: risley\nprisn: x");
    let out = wingreport().args(["check", "--format", "json", "--root"]).arg(root).output().unwrap();
    let diags: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let in_file = |path: &str| diags.iter().filter(|d| d["path"] == path).count();
    assert_eq!(in_file(SITE), 1, "{diags:#?}");
    assert!(in_file("content/sites/risley/site.yaml") >= 1, "{diags:#?}");
}

/// Found by a researcher's audit: `title: ""`, `authors: []` and an empty
/// quotation passed `check` and published an empty `<h1>`, an empty author
/// row and an empty blockquote; `summary:` with nothing after it was a
/// Rust message that hid every mistake after it. Each is now an error at
/// its place, all in one run, and nothing is published.
#[test]
fn a_blank_title_author_list_summary_or_quotation_is_an_error_at_its_place() {
    let dir = bundled_project();
    let root = dir.path();
    let first = build(root, &["--quiet"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = snapshot(&root.join("output"));
    edit(root, SITE, "title: CFO Hamlet Peer mentor initiative at HMP Drake Hall", "title: \"\"");
    edit(root, SITE, "authors: [Dr Katherine Albertson]", "authors: []");
    edit(root, SITE, "text: \"We actively seek out the difficult to engage.\"", "text: \"  \"");
    let text = std::fs::read_to_string(root.join(SITE)).unwrap();
    let summary = text.find("summary:").unwrap();
    let end = summary + text[summary..].find("\n\n").unwrap();
    std::fs::write(root.join(SITE), format!("{}summary:{}", &text[..summary], &text[end..])).unwrap();
    let out = build(root, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for (written, col, message) in [
        ("title: \"\"", 8, "this text is empty"),
        ("authors: []", 10, "this list is empty"),
        ("text: \"  \"", 11, "this text is empty"),
        ("summary:", 8, "nothing is written after this key, where a text belongs"),
    ] {
        let line = line_of(root, SITE, written);
        assert!(err.contains(&format!("{SITE}:{line}:{col}: {message}")), "{written}: {err}");
    }
    assert_eq!(snapshot(&root.join("output")), before, "nothing published");
}

/// Found by a preview audit: a hidden `.notes.md` was published in its
/// report while `serve` ignored its saves, and the files editors and macOS
/// leave beside a section (`._01-introduction.md`, an Emacs lock link
/// `.#02-findings.md`, a `.vscode` folder) failed the build.
#[test]
fn hidden_and_editor_files_are_no_part_of_a_report() {
    let dir = bundled_project();
    let root = dir.path();
    let site = root.join("content/sites/drake-hall");
    std::fs::write(site.join(".notes.md"), "---\ntitle: Private notes\n---\n\nZanzibar-private-draft.\n").unwrap();
    std::fs::write(site.join("._01-introduction.md"), [0u8, 5, 22, 7, 0, 2]).unwrap();
    std::fs::write(site.join("02-findings.md~"), "a backup").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("someone@host.1234", site.join(".#02-findings.md")).unwrap();
    std::fs::create_dir_all(root.join("content/sites/.vscode")).unwrap();
    std::fs::write(root.join("content/sites/.vscode/settings.json"), "{}").unwrap();
    copy_tree(&repo().join("themes"), &root.join("themes"));
    std::fs::write(root.join("themes/default/static/.DS_Store"), [0u8, 0, 0, 1]).unwrap();
    let out = build(root, &["--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::read_to_string(root.join("output/sites/drake-hall/index.html")).unwrap();
    assert!(!page.contains("Zanzibar") && !page.contains("Private notes"));
    assert!(!root.join("output/sites/.vscode").exists());
    assert!(!root.join("output/static/.DS_Store").exists());
}

/// Found by a researcher's audit: a section renamed `.md.txt`, `.MD` or
/// `.markdown` (an editor's choice, or a system that hides extensions) was
/// left out of the published report without a word.
#[test]
fn a_section_whose_name_does_not_end_in_md_is_an_error_not_left_out() {
    let dir = bundled_project();
    let root = dir.path();
    let sites = root.join("content/sites");
    for (from, to) in [
        ("risley/03-recommendations.md", "risley/03-recommendations.md.txt"),
        ("high-down/01-initiative.md", "high-down/01-initiative.MD"),
        ("holme-house/01-initiative.md", "holme-house/01-initiative.markdown"),
    ] {
        std::fs::rename(sites.join(from), sites.join(to)).unwrap();
    }
    std::fs::write(sites.join("risley/interview-schedule.docx"), b"PK").unwrap();
    std::fs::write(sites.join("risley/.notes.txt"), "hidden files are left alone\n").unwrap();
    // A researcher's own notes are no section: renaming them would publish them.
    std::fs::write(sites.join("risley/notes.txt"), "Interview 4 to follow up\n").unwrap();
    std::fs::rename(sites.join("risley/02-peer-role.md"), sites.join("risley/02-peer-role.txt")).unwrap();
    let err = failed_check(root);
    for (file, fix) in [
        ("risley/03-recommendations.md.txt", "03-recommendations.md"),
        ("risley/02-peer-role.txt", "02-peer-role.md"),
        ("high-down/01-initiative.MD", "01-initiative.md"),
        ("holme-house/01-initiative.markdown", "01-initiative.md"),
    ] {
        assert!(err.contains(&format!("content/sites/{file}: this file is not read")), "{file}: {err}");
        assert!(err.contains(&format!("rename it to `{fix}`")), "{file}: {err}");
    }
    assert_eq!(err.matches("this file is not read").count(), 4, "other files are not sections: {err}");

    // Found by a researcher's audit: a backup beside its section, and a
    // second record beside the record, are not to be renamed onto them.
    std::fs::copy(sites.join("drake-hall/02-findings.md"), sites.join("drake-hall/02-findings.md.txt")).unwrap();
    std::fs::copy(sites.join("drake-hall/site.yaml"), sites.join("drake-hall/site.yml")).unwrap();
    let err = failed_check(root);
    assert!(err.contains("content/sites/drake-hall/02-findings.md.txt: this file is not read"), "{err}");
    assert!(err.contains("`02-findings.md` is beside it and is read: if this is an old copy"), "{err}");
    assert!(
        err.contains(
            "content/sites/drake-hall/site.yml: this file is not read: the report's record is the `site.yaml`"
        ),
        "{err}"
    );
    assert!(!err.contains("rename it to `02-findings.md`") && !err.contains("rename it to `site.yaml`"), "{err}");
}

/// Found by a researcher's audit: while the record had a mistake that
/// loses nothing when set aside (a year in quotes), a narrative's unknown
/// quote id went unreported until it was fixed.
#[test]
fn a_corrected_record_mistake_does_not_hide_the_narratives_mistakes() {
    let dir = bundled_project();
    let root = dir.path();
    edit(root, SITE, "year: 2024", "year: \"2024\"");
    edit(root, FINDINGS, "quote(id=\"ida-difficult-to-engage\")", "quote(id=\"ida-difficult\")");
    let err = failed_check(root);
    assert!(err.contains("site.yaml:6:7: `\"2024\"` is text in quotes"), "{err}");
    assert!(err.contains("02-findings.md:12:10: no quote `ida-difficult` in this site's record"), "{err}");
    // A mistake set aside by leaving its quote out still keeps quiet about
    // that quote's uses: the id may be right.
    edit(root, SITE, "  - id: ida-difficult-to-engage\n", "  - id: [ida-difficult-to-engage]\n");
    let err = failed_check(root);
    assert!(!err.contains("no quote `"), "{err}");
}

/// Found by a researcher's audit: a shortcode with no blank line before it
/// was refused, rightly, and a cross-reference to its table was then also
/// reported, with the hint to give the table the id it had.
#[test]
fn a_refused_shortcode_is_not_reported_again_as_a_missing_target() {
    let dir = bundled_project();
    edit(dir.path(), INTRO, "lists the posts.\n\n{{ table(", "lists the posts.\n{{ table(");
    let err = failed_check(dir.path());
    assert!(err.contains("is inside a paragraph, list, table or quote"), "{err}");
    assert!(!err.contains("has no target"), "{err}");
    assert_eq!(err.matches('×').count(), 1, "{err}");
    // So with a shortcode that fails on its own: an unknown table key.
    edit(
        dir.path(),
        INTRO,
        "lists the posts.\n{{ table(key=\"staff-team\"",
        "lists the posts.\n\n{{ table(key=\"staf-team\"",
    );
    let err = failed_check(dir.path());
    assert!(!err.contains("has no target"), "{err}");
    assert_eq!(err.matches('×').count(), 1, "{err}");
}

/// Found by a researcher's audit: a cross-reference into a section marked
/// `draft: true` said the report had no such targets at all.
#[test]
fn a_cross_reference_into_a_draft_section_says_the_section_is_a_draft() {
    let dir = bundled_project();
    let root = dir.path();
    let intro = "content/sites/drake-hall/01-introduction.md";
    edit(
        root,
        intro,
        "title: HMP Drake Hall's CFO Hamlet house block model\n",
        "title: HMP Drake Hall's CFO Hamlet house block model\ndraft: true\n",
    );
    let err = failed_check(root);
    assert!(err.contains("cross-reference `@sec-staff-team` has no target"), "{err}");
    assert!(err.contains(&format!("its target is in {intro}, a draft (`draft: true`) this build leaves out")), "{err}");
    let drafts = wingreport().arg("check").arg("--drafts").arg("--root").arg(root).output().unwrap();
    assert!(drafts.status.success(), "with the drafts it resolves: {}", stderr(&drafts));
}

/// Found by a preview audit: a template mistake came with one false "report
/// it as a bug" broken link for every link into the page it failed on, and
/// a template that did not parse was placed at the theme folder only.
#[test]
fn a_template_mistake_is_one_error_at_its_place() {
    let dir = bundled_project();
    let root = dir.path();
    copy_tree(&repo().join("themes"), &root.join("themes"));
    let site = "themes/default/templates/site.html";
    let text = std::fs::read_to_string(root.join(site)).unwrap();
    let at = text.find("</main>").expect("site.html has a main element");

    std::fs::write(root.join(site), format!("{}{{{{ nosuch.x }}}}{}", &text[..at], &text[at..])).unwrap();
    let err = failed_check(root);
    assert_eq!(err.matches('×').count(), 1, "{err}");
    // At its line and column, as a template that does not parse is.
    let line = text[..at].matches('\n').count() + 1;
    let col = text[..at].rsplit('\n').next().unwrap().chars().count() + 4; // at `nosuch` after `{{ `
    assert!(err.contains(&format!("{site}:{line}:{col}: template error: Variable `nosuch` is not defined")), "{err}");

    std::fs::write(root.join(site), format!("{}{{{{ nosuch( }}}}{}", &text[..at], &text[at..])).unwrap();
    let err = failed_check(root);
    let col = text[..at].rsplit('\n').next().unwrap().chars().count() + 12; // at the `}}` after `{{ nosuch( `
    assert!(err.contains(&format!("{site}:{line}:{col}: the template does not parse")), "{err}");
    assert_eq!(err.matches('×').count(), 1, "{err}");
}

/// A file manager's copy of a site folder ("drake-hall copy") or a folder
/// renamed in capitals: the hint must not say to write the folder's name as
/// the id, which is then refused for its characters (a researcher's audit).
#[test]
fn a_folder_name_that_cannot_be_an_id_is_only_to_be_renamed() {
    let dir = bundled_project();
    let sites = dir.path().join("content/sites");
    std::fs::rename(sites.join("drake-hall"), sites.join("Drake-Hall copy")).unwrap();
    let diags = match wingreport::build::generate(dir.path(), false) {
        Err(wingreport::build::Failure::Content(diags)) => diags,
        other => panic!("want content problems, got {other:?}"),
    };
    let mismatch: Vec<_> = diags.iter().filter(|d| d.message.contains("does not match its folder")).collect();
    assert_eq!(mismatch.len(), 1, "{diags:#?}");
    assert_eq!(mismatch[0].path, "content/sites/Drake-Hall copy/site.yaml");
    let hint = mismatch[0].hint.as_deref().unwrap();
    assert!(hint.starts_with("rename the folder to `drake-hall`"), "{hint}");
    assert!(!hint.contains("write `id:"), "{hint}");
}

/// Found by QA: `language = "English"` or `"en_GB"` passed `check`, and every
/// page was published with `<html lang="English">`, which no screen reader
/// or browser reads as a language.
#[test]
fn a_language_that_is_not_a_tag_is_an_error_at_its_value_with_the_tag_meant() {
    let dir = bundled_project();
    std::fs::write(dir.path().join("wingreport.toml"), "title = \"Study\"\nlanguage = \"en_GB\"\n").unwrap();
    let err = failed_check(dir.path());
    assert!(err.contains("wingreport.toml:2:12: `language = \"en_GB\"` is not a language tag"), "{err}");
    assert!(err.contains("help: write `language = \"en-GB\"`: the parts of a tag are joined with `-`"), "{err}");
}

/// Found by QA: `title = ""` passed, and every page had an empty top-bar
/// link and a footer reading ". Generated by wingreport.".
#[test]
fn a_blank_title_in_wingreport_toml_is_an_error_at_its_value() {
    let dir = bundled_project();
    std::fs::write(dir.path().join("wingreport.toml"), "language = \"en-GB\"\ntitle = \"\"\n").unwrap();
    let err = failed_check(dir.path());
    assert!(err.contains("wingreport.toml:2:9: this title is empty"), "{err}");
    assert!(
        err.contains("help: write the site's name, or leave `title` out to show the title of series.yaml"),
        "{err}"
    );
}

/// Found by QA: a record with every line commented out gave "unexpected end
/// of input" with no hint, where a blank one says what to do.
#[test]
fn a_record_of_comments_only_is_reported_like_an_empty_one() {
    let dir = bundled_project();
    std::fs::write(dir.path().join(SITE), "# id: drake-hall\n#title: x\n\n").unwrap();
    let err = failed_check(dir.path());
    assert!(err.contains(&format!("{SITE}:1:1: the file holds only comments")), "{err}");
    assert!(err.contains("help: write its keys (see the content guide in README.md)"), "{err}");
    // Found by the re-check after: with a document marker before the comments.
    for (record, said) in [("---\n# id: drake-hall\n# title: x\n", "holds only comments"), ("...\n", "is empty")] {
        std::fs::write(dir.path().join(SITE), record).unwrap();
        let err = failed_check(dir.path());
        assert!(err.contains(&format!("{SITE}:1:1: the file {said}")), "{record}: {err}");
    }
}

/// Found by QA: a section saved with classic Mac line ends (`\r` alone) was
/// "missing front matter" at line 0; its lines are read as lines.
#[test]
fn a_section_with_cr_line_ends_is_read_line_by_line() {
    let dir = bundled_project();
    std::fs::write(dir.path().join(FINDINGS), "---\rtitle: Findings\rweight: second\r---\r\rText.\r").unwrap();
    let err = failed_check(dir.path());
    assert!(err.contains(&format!("{FINDINGS}:3:")), "{err}");
    assert!(err.contains("`weight` is `\"second\"`; it must be a number"), "{err}");
    assert!(!err.contains("missing front matter"), "{err}");
}

/// Found by QA: a vertical tab (Word's manual line break, Shift+Enter)
/// pasted into a section, or written as `\v` in a record, passed `check`
/// and made a Word document that would not open. It is an error at its
/// own column, for every command that reads the content; so is one
/// written as a Markdown character reference or a TOML escape.
#[test]
fn a_control_character_pasted_from_word_is_an_error_at_its_column() {
    let dir = bundled_project();
    let root = dir.path();
    let first = build(root, &["--quiet"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = snapshot(&root.join("output"));
    let intro = root.join(INTRO);
    let mut text = std::fs::read_to_string(&intro).unwrap();
    text.push_str("\nA line pasted from Word\u{b}with a manual line break.\n");
    let pasted = text.lines().count();
    text.push_str("\nOne converted to HTML first, as&#11;a reference.\n");
    let referenced = text.lines().count();
    std::fs::write(&intro, text).unwrap();
    edit(root, SITE, "  region: West Midlands", "  region: \"West\\vMidlands\"");
    let region = line_of(root, SITE, "region:");
    let config = root.join("wingreport.toml");
    let mut toml = std::fs::read_to_string(&config).unwrap();
    toml.insert_str(0, "title = \"Peer\\u000bmentoring\"\n");
    std::fs::write(&config, toml).unwrap();

    let err = failed_check(root);
    // The rest of the name ("which Word writes for a manual line break")
    // may be wrapped onto the next line of the terminal.
    let vertical_tab = "cannot hold: a vertical tab (U+000B)";
    assert!(err.contains(&format!("{INTRO}:{pasted}:24: the text holds a control character")), "{err}");
    assert!(err.contains(&format!("{SITE}:{region}:16: `\\v` is a control character")), "{err}");
    assert!(err.contains(&format!("{INTRO}:{referenced}:32: the character reference `&#11;` is a control")), "{err}");
    assert!(err.contains("wingreport.toml:1:14: `\\u000b` is a control character"), "{err}");
    assert_eq!(err.matches(vertical_tab).count(), 4, "{err}");
    assert!(err.contains("help: replace it with a space, or start a new line there"), "{err}");
    assert!(err.contains("help: replace `\\v` with a space"), "{err}");
    assert!(err.contains("help: replace `\\u000b` with a space"), "{err}");
    assert!(err.contains("help: replace `&#11;` with a space, or start a new line there"), "{err}");

    let out = build(root, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("the previous output was left as it was"), "{}", stderr(&out));
    assert_eq!(snapshot(&root.join("output")), before, "the previous output changed");

    let out = wingreport().args(["docx", "--root"]).arg(root).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("{INTRO}:{pasted}:24:")), "{}", stderr(&out));
    assert!(!root.join("docx").exists(), "no Word document is written");
}
