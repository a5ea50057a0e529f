//! Code blocks highlighted by syntect into CSS classes, so the page carries
//! no inline styles (its CSP forbids them) and one stylesheet serves every
//! report.
//!
//! A class names what the theme gives a token, not the token's grammar
//! scopes: `hl-a71d5d hl-b` is bold in #a71d5d. syntect's scope classes
//! ("hl-punctuation hl-section hl-parameters hl-begin hl-rust", nested for
//! every enclosing scope) took about 50 bytes of markup per byte of code.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::rc::Rc;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;
use syntect::highlighting::{Color, FontStyle, Highlighter, Style, Theme, ThemeSet};
use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// The syntect theme the classes and the stylesheet come from.
const THEME_NAME: &str = "InspiredGitHub";

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

fn theme() -> &'static Theme {
    static THEME: OnceLock<Theme> = OnceLock::new();
    THEME.get_or_init(|| ThemeSet::load_defaults().themes.remove(THEME_NAME).unwrap_or_default())
}

/// A `<pre>` block for `code`; unknown or missing languages are escaped plain text.
pub fn highlight(code: &str, lang: &str) -> String {
    // As CommonMark: the info string's first word, whatever its characters.
    let lang = lang.split_whitespace().next().unwrap_or("");
    let escaped_lang = super::escape_html(lang);
    let open = if lang.is_empty() {
        "<pre class=\"code\"><code>".to_string()
    } else {
        format!("<pre class=\"code\"><code class=\"language-{escaped_lang}\">")
    };
    let set = syntaxes();
    let token = lang.split(',').next().unwrap_or(lang);
    let syntax = (!token.is_empty()).then(|| set.find_syntax_by_token(token)).flatten();
    let inner = syntax.and_then(|syntax| classed(code, syntax, set)).unwrap_or_else(|| super::escape_html(code));
    format!("{open}{inner}</code></pre>\n")
}

fn highlighter() -> &'static Highlighter<'static> {
    static HIGHLIGHTER: OnceLock<Highlighter<'static>> = OnceLock::new();
    HIGHLIGHTER.get_or_init(|| Highlighter::new(theme()))
}

thread_local! {
    /// The classes of each scope stack met so far: matching a stack against
    /// the theme's selectors is most of the cost of highlighting, and a
    /// language's code keeps meeting the same stacks.
    static CLASSES: RefCell<FxHashMap<Vec<Scope>, Rc<str>>> = RefCell::new(FxHashMap::default());
}

fn classes_for(stack: &ScopeStack) -> Rc<str> {
    CLASSES.with_borrow_mut(|classes| {
        if let Some(known) = classes.get(stack.as_slice()) {
            return known.clone();
        }
        let class: Rc<str> = class_of(highlighter().style_for_stack(stack.as_slice()), theme()).into();
        classes.insert(stack.as_slice().to_vec(), class.clone());
        class
    })
}

/// `code` as escaped text with a span around each run of tokens the theme
/// styles alike, where that style is not the block's plain text; `None`
/// when syntect fails on it.
fn classed(code: &str, syntax: &SyntaxReference, set: &SyntaxSet) -> Option<String> {
    let mut parse = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut out = String::with_capacity(code.len() * 2);
    // The run being gathered: its classes and its text.
    let mut run: (Rc<str>, String) = (Rc::from(""), String::new());
    let mut token = |class: Rc<str>, text: &str, out: &mut String| {
        // Whitespace shows no colour: it joins whichever run it is in.
        let joins_run = class == run.0 || (text.trim().is_empty() && !run.1.is_empty());
        if !joins_run {
            flush(&run, out);
            run = (class, String::new());
        }
        run.1.push_str(text);
    };
    for line in LinesWithEndings::from(code) {
        let mut from = 0;
        for (at, op) in parse.parse_line(line, set).ok()? {
            if at > from {
                token(classes_for(&stack), &line[from..at], &mut out);
                from = at;
            }
            stack.apply(&op).ok()?;
        }
        if from < line.len() {
            token(classes_for(&stack), &line[from..], &mut out);
        }
    }
    flush(&run, &mut out);
    Some(out)
}

/// Writes a run: escaped text, in a span when it has classes.
fn flush((class, text): &(Rc<str>, String), out: &mut String) {
    let escaped = super::escape_html(text);
    if class.is_empty() {
        out.push_str(&escaped);
    } else if !text.is_empty() {
        let _ = write!(out, "<span class=\"{class}\">{escaped}</span>");
    }
}

/// The classes of a token's style: its colour, background and font style
/// where they differ from the theme's plain text.
fn class_of(style: Style, theme: &Theme) -> String {
    let mut classes = Vec::new();
    if Some(style.foreground) != theme.settings.foreground {
        classes.push(format!("hl-{}", hex(style.foreground)));
    }
    if Some(style.background) != theme.settings.background {
        classes.push(format!("hl-bg-{}", hex(style.background)));
    }
    for (flag, class) in FONT_CLASSES {
        if style.font_style.contains(flag) {
            classes.push(class.to_string());
        }
    }
    classes.join(" ")
}

const FONT_CLASSES: [(FontStyle, &str); 3] =
    [(FontStyle::BOLD, "hl-b"), (FontStyle::ITALIC, "hl-i"), (FontStyle::UNDERLINE, "hl-u")];

/// `rrggbb`, or `rrggbbaa` when not opaque.
fn hex(c: Color) -> String {
    if c.a == 0xff {
        format!("{:02x}{:02x}{:02x}", c.r, c.g, c.b)
    } else {
        format!("{:02x}{:02x}{:02x}{:02x}", c.r, c.g, c.b, c.a)
    }
}

/// The stylesheet for the highlighting classes: a rule for every colour and
/// background the theme can give a token, and the font styles.
/// Made once per process: it never changes, and `serve` assembles the site
/// on every save.
pub fn stylesheet() -> &'static str {
    static CSS: OnceLock<String> = OnceLock::new();
    CSS.get_or_init(|| {
        let theme = theme();
        let styles = theme.scopes.iter().map(|item| item.style);
        let colours: BTreeSet<String> = styles.clone().filter_map(|s| s.foreground).map(hex).collect();
        let backgrounds: BTreeSet<String> = styles.filter_map(|s| s.background).map(hex).collect();
        let mut css = format!("/* Code highlighting: the colours of syntect's {THEME_NAME} theme. */\n");
        for colour in colours {
            let _ = writeln!(css, ".hl-{colour} {{ color: #{colour}; }}");
        }
        for colour in backgrounds {
            let _ = writeln!(css, ".hl-bg-{colour} {{ background-color: #{colour}; }}");
        }
        css.push_str(
            ".hl-b { font-weight: bold; }\n.hl-i { font-style: italic; }\n.hl-u { text-decoration: underline; }\n",
        );
        css
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_language_gets_a_class_per_style_run() {
        let html = highlight("fn main() { println!(\"hi\"); }\n", "rust");
        assert!(html.starts_with("<pre class=\"code\"><code class=\"language-rust\">"), "{html}");
        // `fn` is a keyword: bold, in the theme's keyword colour, one span (with the
        // space after it), no nesting.
        assert!(html.contains("<span class=\"hl-a71d5d hl-b\">fn </span>"), "{html}");
        assert!(html.contains("&quot;hi&quot;"), "{html}");
        assert!(!html.contains("<span class=\"\">") && !html.contains("<span class=\"hl-rust"), "{html}");
        // The text reads back unchanged once the markup goes.
        let text = regex::Regex::new("<[^>]*>").unwrap().replace_all(&html, "");
        assert_eq!(
            htmlize::unescape(text.as_ref()),
            "fn main() { println!(\"hi\"); }\n\n",
            "the code and the block's newline"
        );
    }

    #[test]
    fn every_class_a_block_uses_has_a_rule() {
        let css = stylesheet();
        let code = "// note\nfn main() {\n    let x: u32 = 0x1f; /* c */\n    println!(\"{x} {}\", r\"raw\");\n}\n<b class=\"a\">t</b>\n";
        let classes = regex::Regex::new(r#"class="([^"]*)""#).unwrap();
        for lang in ["rust", "html", "python", "json", "yaml", "sh"] {
            let html = highlight(code, lang);
            for class in classes.captures_iter(&html) {
                for name in class[1].split(' ').filter(|c| c.starts_with("hl-")) {
                    assert!(css.contains(&format!(".{name} {{")), "{lang}: no rule for {name}");
                }
            }
        }
    }

    /// Each non-space character's classes, read back from `html`.
    fn classes_by_char(html: &str) -> Vec<(char, String)> {
        let code = &html[html.find("<code").unwrap()..];
        let inner = &code[code.find('>').unwrap() + 1..code.rfind("</code>").unwrap()];
        let spans = regex::Regex::new(r#"<span class="([^"]*)">([^<]*)</span>|([^<]+)"#).unwrap();
        let mut out = Vec::new();
        for piece in spans.captures_iter(inner) {
            let (class, text) = match piece.get(3) {
                Some(plain) => (String::new(), plain.as_str()),
                None => (piece[1].to_string(), piece.get(2).unwrap().as_str()),
            };
            out.extend(htmlize::unescape(text).chars().filter(|c| !c.is_whitespace()).map(|c| (c, class.clone())));
        }
        out
    }

    #[test]
    fn classes_are_the_styles_syntect_highlights_with() {
        let code = "// note\nfn main() {\n    let x: u32 = 0x1f; /* c */\n    println!(\"{x} {}\", r\"raw\");\n}\n<b class=\"a\">t</b>\n";
        for lang in ["rust", "html", "python", "json", "yaml", "sh", "js"] {
            let syntax = syntaxes().find_syntax_by_token(lang).unwrap();
            let mut lines = syntect::easy::HighlightLines::new(syntax, theme());
            let mut expected = Vec::new();
            for line in LinesWithEndings::from(code) {
                for (style, text) in lines.highlight_line(line, syntaxes()).unwrap() {
                    expected.extend(text.chars().filter(|c| !c.is_whitespace()).map(|c| (c, class_of(style, theme()))));
                }
            }
            assert_eq!(classes_by_char(&highlight(code, lang)), expected, "{lang}");
        }
    }

    #[test]
    fn unknown_language_is_escaped_text() {
        let html = highlight("<b>\n", "nosuchlang");
        assert!(html.contains("&lt;b&gt;"));
        assert!(!html.contains("hl-"));
    }

    #[test]
    fn stylesheet_has_the_colours_and_font_styles() {
        assert!(stylesheet().contains(".hl-a71d5d { color: #a71d5d; }"));
        assert!(stylesheet().contains(".hl-b { font-weight: bold; }"));
    }
}
