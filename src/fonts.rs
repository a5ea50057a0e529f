//! The machine's fonts, which `pdf` prints with and `docx` draws charts
//! with: loaded once per run, and asked which characters of a report none
//! of them has, since those print as empty boxes. Finding some is a warning,
//! never a reason to fail: the fix is on the machine, not in the content.

use std::borrow::Borrow;
use std::collections::BTreeSet;

use resvg::usvg::fontdb::Database;
use skrifa::MetadataProvider;

/// The fonts installed on the machine, from the folders fontconfig lists
/// on Linux, where Chromium finds its fonts too.
pub fn system() -> Database {
    let mut fonts = Database::new();
    fonts.load_system_fonts();
    fonts
}

/// Adds to `into` the characters of `text` that need a glyph: not ASCII,
/// which every font has, nor whitespace, control characters or those drawn
/// as nothing (zero-width and direction marks, variation selectors, tags).
pub fn add_drawn(text: &str, into: &mut BTreeSet<char>) {
    let drawn_as_nothing = |c: char| {
        crate::diagnostics::has_no_mark(c)
            || matches!(c, '\u{fe00}'..='\u{fe0f}' | '\u{e0000}'..='\u{e007f}' | '\u{e0100}'..='\u{e01ef}')
    };
    into.extend(text.chars().filter(|&c| !c.is_ascii() && !c.is_control() && !drawn_as_nothing(c)));
}

/// The characters needing a glyph that the page `html` shows: its text
/// outside tags, scripts and styles, entities decoded.
pub fn shown_in_page(html: &str) -> BTreeSet<char> {
    let mut shown = BTreeSet::new();
    crate::tags::for_each_text(html.as_bytes(), |text| {
        add_drawn(&htmlize::unescape(String::from_utf8_lossy(text)), &mut shown);
    });
    shown
}

/// The characters of `wanted` that no font of `fonts` has a glyph for.
/// Each font is read once, and none once every character is found.
pub fn missing(fonts: &Database, wanted: &BTreeSet<char>) -> BTreeSet<char> {
    let mut left = wanted.clone();
    for face in fonts.faces() {
        if left.is_empty() {
            break;
        }
        fonts.with_face_data(face.id, |data, index| {
            // A font file that cannot be read has no glyph to offer.
            if let Ok(font) = skrifa::FontRef::from_index(data, index) {
                let charmap = font.charmap();
                left.retain(|&c| charmap.map(c).is_none());
            }
        });
    }
    left
}

/// A report showing characters that no font of the machine has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unprintable {
    /// The site id of the report.
    pub id: String,
    pub characters: Vec<char>,
}

/// Characters named in a warning at most; the rest are counted.
const LISTED: usize = 10;

impl Unprintable {
    /// The warning for this report, whose characters print as empty boxes
    /// `place` ("in its PDF").
    pub fn warning(&self, place: &str) -> String {
        let count = self.characters.len();
        let mut list: Vec<String> =
            self.characters.iter().take(LISTED).map(|&c| format!("{c} (U+{:04X})", c as u32)).collect();
        if count > LISTED {
            list.push(format!("and {} more", count - LISTED));
        }
        let (print, them) =
            if count == 1 { ("prints as an empty box", "it") } else { ("print as empty boxes", "them") };
        format!(
            "site {}: no font on this machine has {}, which {print} {place}; install a font that has {them} (on \
             Debian, `fonts-noto-color-emoji` for emoji, `fonts-noto-core` or `fonts-noto-cjk` for other scripts) \
             and run again, or take {them} out of the text",
            self.id,
            list.join(", ")
        )
    }
}

/// Of `reports` (each a site id and the characters it shows), those
/// showing characters that no font has. The fonts (`load`, called only
/// when a report shows a character that needs a glyph) are asked once
/// about every character of every report.
pub fn unprintable<F: Borrow<Database>>(
    reports: Vec<(String, BTreeSet<char>)>,
    load: impl FnOnce() -> F,
) -> Vec<Unprintable> {
    let shown: BTreeSet<char> = reports.iter().flat_map(|(_, characters)| characters.iter().copied()).collect();
    if shown.is_empty() {
        return Vec::new();
    }
    let missing = missing(load().borrow(), &shown);
    reports
        .into_iter()
        .map(|(id, characters)| Unprintable { id, characters: characters.intersection(&missing).copied().collect() })
        .filter(|report| !report.characters.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A font file of the machine, for the test to read, never to depend on
    /// which fonts are installed: `WINGREPORT_TEST_FONT`, else DejaVu Sans
    /// where Debian, Fedora and Arch put it, else the CJK font `.ci/run`
    /// installs.
    fn test_font() -> Option<std::path::PathBuf> {
        let named = std::env::var_os("WINGREPORT_TEST_FONT").map(std::path::PathBuf::from);
        let known = [
            "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
            "/usr/share/fonts/dejavu/DejaVuSans.ttf",
            "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
            "/usr/share/fonts/TTF/DejaVuSans.ttf",
            "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        ];
        named.into_iter().chain(known.iter().map(std::path::PathBuf::from)).find(|path| path.is_file())
    }

    #[test]
    fn a_font_has_its_letters_and_not_an_emoji() {
        let Some(path) = test_font() else {
            let strict = std::env::var("WINGREPORT_E2E").is_ok_and(|v| v == "1")
                || std::env::var("CI").is_ok_and(|v| v == "true");
            assert!(!strict, "no font file found (required under WINGREPORT_E2E=1 or CI=true)");
            eprintln!("skipped: no DejaVuSans.ttf or wqy-microhei.ttc found; set WINGREPORT_TEST_FONT to a font file");
            return;
        };
        let mut fonts = Database::new();
        fonts.load_font_file(&path).unwrap();
        let wanted: BTreeSet<char> = ['A', '\u{1f680}'].into();
        assert_eq!(missing(&fonts, &wanted), ['\u{1f680}'].into(), "{}", path.display());
        assert_eq!(missing(&Database::new(), &wanted), wanted, "no fonts, no glyphs");
    }

    #[test]
    fn only_characters_that_need_a_glyph_are_checked() {
        let page = "<html><head><title>\u{1f4c4}</title><style>a::after { content: '\u{2192}' }</style></head>\
                    <body><h1>Launch \u{1f680}\u{fe0f}&#x2728;</h1><p>plain\u{a0}text\u{200b} \u{2014} ok &amp; \
                    caf&eacute;</p><script>let x = '\u{2603}';</script></body></html>";
        let shown: Vec<char> = shown_in_page(page).into_iter().collect();
        assert_eq!(shown, ['é', '\u{2014}', '\u{2728}', '\u{1f680}']);
    }

    #[test]
    fn each_report_is_told_of_its_own_missing_characters() {
        let reports = vec![
            ("a".to_string(), BTreeSet::from(['é', '\u{1f680}'])),
            ("b".to_string(), BTreeSet::from(['é'])),
            ("c".to_string(), BTreeSet::new()),
        ];
        // A stand-in for the machine's fonts: none, so no character is found.
        let found = unprintable(reports, Database::new);
        assert_eq!(
            found,
            [
                Unprintable { id: "a".into(), characters: vec!['é', '\u{1f680}'] },
                Unprintable { id: "b".into(), characters: vec!['é'] },
            ]
        );
        let none = unprintable(vec![("c".to_string(), BTreeSet::new())], || -> Database {
            panic!("fonts are not loaded for reports of ASCII alone")
        });
        assert!(none.is_empty());
    }

    #[test]
    fn the_warning_names_each_character_with_its_code_point_up_to_ten() {
        let one = Unprintable { id: "risley".into(), characters: vec!['\u{1f680}'] };
        assert_eq!(
            one.warning("in its PDF"),
            "site risley: no font on this machine has \u{1f680} (U+1F680), which prints as an empty box in its PDF; \
             install a font that has it (on Debian, `fonts-noto-color-emoji` for emoji, `fonts-noto-core` or \
             `fonts-noto-cjk` for other scripts) and run again, or take it out of the text"
        );
        let many = Unprintable { id: "x".into(), characters: ('\u{1f600}'..='\u{1f60b}').collect() };
        let warning = many.warning("in its PDF");
        assert!(warning.contains("\u{1f609} (U+1F609), and 2 more, which print as empty boxes in"), "{warning}");
        assert!(!warning.contains("U+1F60A"), "{warning}");
    }
}
