//! What the checks after render need of a stylesheet: the texts it may
//! show a reader (`content: "..."`), which the real-names check reads, and
//! the files it loads (`url(...)`, `@import`), which the link check
//! resolves. The tokens, strings and escapes are cssparser's (Servo's
//! reading of CSS Syntax Level 3); this module says which of them count.

use cssparser::{ParseError, Parser, Token};

/// A file a stylesheet loads, as written there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The address as a browser reads it, escapes decoded.
    pub href: String,
    /// Byte offset of its `url(`, or of its string.
    pub offset: usize,
    /// Loaded by `@import`, not `url()`.
    pub import: bool,
}

/// The parts of a stylesheet the checks read.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Sheet {
    /// The strings of each declaration, run together as `content` shows
    /// them, one entry per declaration. Strings in an attribute selector
    /// (`[lang="cy"]`) or a `url()` are code, not text, and not here.
    pub texts: Vec<String>,
    pub references: Vec<Reference>,
}

/// Functions whose strings are addresses of files to load.
const LOADING: [&str; 4] = ["url", "src", "image-set", "-webkit-image-set"];

/// Blocks read inside blocks, at most: a stylesheet nests a handful, and
/// reading goes one call deeper for each.
const MAX_DEPTH: usize = 64;

/// Reads `css` for its texts and the files it loads.
pub fn read(css: &str) -> Sheet {
    let mut reader = Reader::default();
    reader.block(&mut Parser::new(css), Strings::Text, 0);
    reader.end_declaration();
    reader.sheet
}

/// What the strings of a block are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strings {
    /// Text a page may show, as a declaration's are.
    Text,
    /// Addresses of files: a loading function's, placed at its name when
    /// `at` says so (`url(` and `src(`), else at the string.
    Addresses { at: Option<usize> },
    /// An attribute selector's, which no reader sees.
    Code,
}

#[derive(Default)]
struct Reader {
    sheet: Sheet,
    /// The strings of the declaration read so far.
    text: String,
    /// Just after `@import`, whose first string or `url()` is a file to load.
    importing: bool,
}

impl Reader {
    fn block(&mut self, parser: &mut Parser<'_>, strings: Strings, depth: usize) {
        loop {
            let at = parser.position().byte_index();
            let Ok(token) = parser.next_including_whitespace_and_comments().cloned() else { return };
            match token {
                Token::WhiteSpace(_) | Token::Comment(_) => continue,
                Token::AtKeyword(name) => {
                    self.importing = name.eq_ignore_ascii_case("import");
                    continue;
                }
                // A line break ends a string left open, as it does in a browser.
                Token::QuotedString(value) | Token::BadString(value) => match strings {
                    Strings::Addresses { at: name } => self.refer(&value, name.unwrap_or(at)),
                    _ if self.importing => self.refer(&value, at),
                    Strings::Text => self.text.push_str(&value),
                    Strings::Code => {}
                },
                Token::UnquotedUrl(href) => self.refer(&href, at),
                Token::Function(name) => {
                    let named = |names: &[&str]| names.iter().any(|n| name.eq_ignore_ascii_case(n));
                    let inside = if named(&LOADING) {
                        Strings::Addresses { at: named(&["url", "src"]).then_some(at) }
                    } else {
                        strings.within()
                    };
                    self.descend(parser, inside, depth);
                }
                Token::ParenthesisBlock => self.descend(parser, strings.within(), depth),
                Token::SquareBracketBlock => self.descend(parser, Strings::Code, depth),
                Token::CurlyBracketBlock => {
                    self.end_declaration();
                    self.descend(parser, Strings::Text, depth);
                    self.end_declaration();
                }
                Token::Semicolon => self.end_declaration(),
                _ => {}
            }
            self.importing = false;
        }
    }

    /// Reads the block just opened, which the parser skips past when it is
    /// not read.
    fn descend(&mut self, parser: &mut Parser<'_>, strings: Strings, depth: usize) {
        if depth >= MAX_DEPTH {
            return;
        }
        let _ = parser.parse_nested_block(|nested| {
            self.block(nested, strings, depth + 1);
            Ok::<(), ParseError<()>>(())
        });
    }

    fn refer(&mut self, href: &str, offset: usize) {
        self.sheet.references.push(Reference { href: href.to_string(), offset, import: self.importing });
    }

    fn end_declaration(&mut self) {
        if !self.text.is_empty() {
            self.sheet.texts.push(std::mem::take(&mut self.text));
        }
    }
}

impl Strings {
    /// What the strings of a function or parentheses inside this block are:
    /// text, unless they are in an attribute selector.
    fn within(self) -> Strings {
        if self == Strings::Code { Strings::Code } else { Strings::Text }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hrefs(css: &str) -> Vec<(String, usize, bool)> {
        read(css).references.into_iter().map(|r| (r.href, r.offset, r.import)).collect()
    }

    #[test]
    fn the_files_a_stylesheet_loads_are_read_however_written() {
        let css = "@import \"print.css\";\n@import url(fonts.css) screen;\n\
                   .a { background: url( \"bg.png\" ) no-repeat, URL(  'dots.svg#d'  ); }\n\
                   .b { background-image: url(logo\\ 2.png ); mask: url(#m); }\n\
                   @font-face { src: url(data:font/woff2;base64,AAAA) format(\"woff2\"), local(\"Brand\"); }\n\
                   .c { background: image-set(\"x1.png\" 1x, \"x2.png\" 2x); }\n\
                   /* url(commented.png) */ .d { content: \"url(not-loaded.png)\"; }";
        let found: Vec<String> = hrefs(css).into_iter().map(|(href, _, _)| href).collect();
        assert_eq!(
            found,
            [
                "print.css",
                "fonts.css",
                "bg.png",
                "dots.svg#d",
                "logo 2.png",
                "#m",
                "data:font/woff2;base64,AAAA",
                "x1.png",
                "x2.png"
            ]
        );
        let found = hrefs(css);
        assert_eq!((found[0].1, found[0].2), (8, true), "at the @import's string");
        assert_eq!((found[1].1, found[1].2), (css.find("url(fonts").unwrap(), true), "at its url(");
        assert_eq!(found[2].1, css.find("url( \"bg").unwrap(), "a quoted url() at its url( too");
        assert!(!found[3].2, "a url() is no @import");
    }

    #[test]
    fn texts_are_the_strings_of_each_declaration_as_content_shows_them() {
        let css = "[lang=\"cy\"] q::before { content: \"Cynllun \" 'gan ' \"Ida Smith\"; font-family: \"Brand Sans\"; }\n\
                   .x::after { content: \"Ida \\53 mith\\\nson\" }\n\
                   a[title='Jo Brown'] { color: red } .y { content: \"open";
        assert_eq!(read(css).texts, ["Cynllun gan Ida Smith", "Brand Sans", "Ida Smithson", "open"]);
    }

    #[test]
    fn comments_quotes_in_comments_and_broken_stylesheets_are_no_trouble() {
        assert_eq!(read("/* a site's style */ p { color: red }"), Sheet::default());
        assert_eq!(read("p { content: \"a\\"), Sheet { texts: vec!["a".to_string()], references: vec![] });
        for broken in ["url(", "@import", "\"", "a(b[c", "\\", "/*", "-", "--x: \"é\\", "url(a\\"] {
            let _ = read(broken);
        }
        // Nested deeper than any stylesheet: what is that deep is not read,
        // what comes after it is.
        let deep = format!("{}\"deep\"{} p {{ content: \"after\" }}", "(".repeat(100_000), ")".repeat(100_000));
        assert_eq!(read(&deep).texts, ["after"]);
    }
}
