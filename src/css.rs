//! What the checks after render need of a stylesheet: the texts it may
//! show a reader (`content: "..."`), which the real-names check reads, and
//! the files it loads (`url(...)`, `@import`), which the link check
//! resolves. A lexer after CSS Syntax Level 3 as far as those need:
//! comments, strings and their escapes, `url(...)` quoted or not, and the
//! function or attribute selector a string stands in.

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

/// Reads `css` for its texts and the files it loads.
pub fn read(css: &str) -> Sheet {
    let bytes = css.as_bytes();
    let mut sheet = Sheet::default();
    // Open functions, innermost last, with the offset of each name.
    let mut functions: Vec<(String, usize)> = Vec::new();
    let mut brackets = 0usize;
    // Just after `@import`, whose first string or `url()` is a file to load.
    let mut importing = false;
    let mut text = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = css[i + 2..].find("*/").map_or(css.len(), |end| i + 2 + end + 2);
                continue;
            }
            b'"' | b'\'' => {
                let (value, end) = string(css, i);
                let loading = functions.last().filter(|(name, _)| LOADING.contains(&name.as_str()));
                if importing || loading.is_some() {
                    let offset = loading.filter(|(name, _)| name == "url" || name == "src").map_or(i, |&(_, at)| at);
                    sheet.references.push(Reference { href: value, offset, import: importing });
                } else if brackets == 0 {
                    text.push_str(&value);
                }
                importing = false;
                i = end;
                continue;
            }
            b'@' => {
                let name = ident(css, i + 1);
                importing = name.eq_ignore_ascii_case("import");
                i += 1 + name.len();
                continue;
            }
            b'\\' => {
                i += 1 + css[i + 1..].chars().next().map_or(0, char::len_utf8);
                continue;
            }
            _ if starts_ident(&css[i..]) => {
                let name = ident(css, i);
                let after = i + name.len();
                if bytes.get(after) != Some(&b'(') {
                    importing = false;
                    i = after.max(i + 1);
                    continue;
                }
                let name = name.to_ascii_lowercase();
                let inside = after + 1 + css[after + 1..].len()
                    - css[after + 1..].trim_start_matches([' ', '\t', '\n', '\r', '\x0c']).len();
                if name == "url" && !matches!(bytes.get(inside), Some(b'"' | b'\'')) {
                    let (href, end) = unquoted_url(css, inside);
                    sheet.references.push(Reference { href, offset: i, import: importing });
                    importing = false;
                    i = end;
                } else {
                    functions.push((name, i));
                    i = after + 1;
                }
                continue;
            }
            b'(' => functions.push((String::new(), i)),
            b')' => {
                functions.pop();
            }
            b'[' => brackets += 1,
            b']' => brackets = brackets.saturating_sub(1),
            b';' | b'{' | b'}' => {
                if !text.is_empty() {
                    sheet.texts.push(std::mem::take(&mut text));
                }
                if b != b';' {
                    functions.clear();
                    brackets = 0;
                }
            }
            _ => {}
        }
        if !b.is_ascii_whitespace() {
            importing = false;
        }
        i += css[i..].chars().next().map_or(1, char::len_utf8);
    }
    if !text.is_empty() {
        sheet.texts.push(text);
    }
    sheet
}

/// Whether an identifier starts `rest`: a letter, `_`, any non-ASCII
/// character, or `-` before one of those or another `-`.
fn starts_ident(rest: &str) -> bool {
    let name_start = |c: char| c.is_ascii_alphabetic() || c == '_' || !c.is_ascii();
    let mut chars = rest.chars();
    match chars.next() {
        Some('-') => chars.next().is_some_and(|c| name_start(c) || c == '-'),
        Some(c) => name_start(c),
        None => false,
    }
}

/// The identifier at byte `start` (empty when none is there).
fn ident(css: &str, start: usize) -> &str {
    let len = css[start..]
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || !c.is_ascii()))
        .map_or(css.len() - start, |(at, _)| at);
    &css[start..start + len]
}

/// The string whose quote is at byte `start`, escapes decoded, and the byte
/// after it. A line break ends a string left open, as it does in a browser.
fn string(css: &str, start: usize) -> (String, usize) {
    let quote = css.as_bytes()[start];
    let mut value = String::new();
    let mut i = start + 1;
    while let Some(c) = css[i..].chars().next() {
        match c {
            _ if c as u32 == u32::from(quote) => return (value, i + 1),
            '\n' => return (value, i),
            '\\' => i = escape(css, i, &mut value),
            _ => {
                value.push(c);
                i += c.len_utf8();
            }
        }
    }
    (value, i)
}

/// An unquoted `url(...)`'s address, which starts at byte `start`, and the
/// byte after its `)`.
fn unquoted_url(css: &str, start: usize) -> (String, usize) {
    let mut href = String::new();
    let mut i = start;
    while let Some(c) = css[i..].chars().next() {
        match c {
            ')' => return (href.trim_end().to_string(), i + 1),
            '\\' => i = escape(css, i, &mut href),
            _ => {
                href.push(c);
                i += c.len_utf8();
            }
        }
    }
    (href.trim_end().to_string(), i)
}

/// Decodes the escape whose `\` is at byte `at` into `out`; returns the
/// byte after it. `\` and a line break is nothing, `\` and up to six hex
/// digits (and one space after them) a character, `\` and any other
/// character that character.
fn escape(css: &str, at: usize, out: &mut String) -> usize {
    let rest = &css[at + 1..];
    let hex = rest.bytes().take(6).take_while(u8::is_ascii_hexdigit).count();
    if hex > 0 {
        let code = u32::from_str_radix(&rest[..hex], 16).unwrap_or(0);
        out.push(char::from_u32(code).filter(|&c| c != '\0').unwrap_or(char::REPLACEMENT_CHARACTER));
        let space = if rest[hex..].starts_with("\r\n") {
            2
        } else {
            usize::from(rest[hex..].starts_with([' ', '\t', '\n', '\r', '\x0c']))
        };
        return at + 1 + hex + space;
    }
    match rest.chars().next() {
        None => css.len(),
        Some('\r') if rest.starts_with("\r\n") => at + 3,
        Some(c @ ('\n' | '\r' | '\x0c')) => at + 1 + c.len_utf8(),
        Some(c) => {
            out.push(c);
            at + 1 + c.len_utf8()
        }
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
    }
}
