//! Code blocks highlighted by syntect into CSS classes, so the page carries
//! no inline styles and one stylesheet serves every report.

use std::sync::OnceLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
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
    let inner = match syntax {
        Some(syntax) => {
            let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, STYLE);
            let ok = LinesWithEndings::from(code)
                .all(|line| generator.parse_html_for_line_which_includes_newline(line).is_ok());
            if ok { generator.finalize() } else { super::escape_html(code) }
        }
        None => super::escape_html(code),
    };
    format!("{open}{inner}</code></pre>\n")
}

/// The stylesheet for the highlighting classes.
/// Made once per process: it never changes, and `serve` assembles the site
/// on every save.
pub fn stylesheet() -> &'static str {
    static CSS: OnceLock<String> = OnceLock::new();
    CSS.get_or_init(|| {
        let themes = syntect::highlighting::ThemeSet::load_defaults();
        themes
            .themes
            .get("InspiredGitHub")
            .and_then(|theme| css_for_theme_with_class_style(theme, STYLE).ok())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_language_gets_classes() {
        let html = highlight("fn main() {}\n", "rust");
        assert!(html.contains("class=\"language-rust\""));
        assert!(html.contains("hl-"));
    }

    #[test]
    fn unknown_language_is_escaped_text() {
        let html = highlight("<b>\n", "nosuchlang");
        assert!(html.contains("&lt;b&gt;"));
        assert!(!html.contains("hl-"));
    }

    #[test]
    fn stylesheet_is_not_empty() {
        assert!(stylesheet().contains(".hl-"));
    }
}
