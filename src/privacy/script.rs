//! The text a theme's script may show a reader: its string literals, not
//! its code. A lexer of JavaScript as far as that needs: comments, the
//! three kinds of string, and regular-expression literals, which may hold
//! a quote.

/// Where literals read apart are kept apart, so no name runs across two.
pub(super) const APART: &str = "\n|\n";

/// The string literals of `js`, escapes decoded, each apart; literals
/// joined by `+` are run together, as the script shows them. A template's
/// `${...}` parts are code, read as such. A literal of one lower-case word
/// (`'mark'`, `'click'`, `'is-open'`) names a tag, an event or a class,
/// and is left out.
pub(super) fn literals(js: &str) -> String {
    let all = every_literal(js);
    let code_word =
        |s: &&str| s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    all.split(APART).filter(|s| !code_word(s)).collect::<Vec<_>>().join(APART)
}

/// [`literals`], with every literal.
fn every_literal(js: &str) -> String {
    let bytes = js.as_bytes();
    let mut out = String::new();
    // The open `${`s of templates, each with the depth of `{` inside it.
    let mut templates: Vec<usize> = Vec::new();
    // Whether a `/` here starts a regular expression rather than dividing.
    let mut regex_may_start = true;
    // Whether the code since the last literal was only a `+`.
    let mut joined = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = js[i..].find('\n').map_or(js.len(), |end| i + end);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = js[i + 2..].find("*/").map_or(js.len(), |end| i + 2 + end + 2);
                continue;
            }
            b'/' if regex_may_start => {
                i = regex_end(js, i);
                regex_may_start = false;
                joined = false;
                continue;
            }
            b'"' | b'\'' | b'`' => {
                if !joined && !out.is_empty() {
                    out.push_str(APART);
                }
                let (end, substitution) = string(js, i, &mut out);
                if substitution {
                    templates.push(0);
                    regex_may_start = true;
                    joined = false;
                } else {
                    regex_may_start = false;
                    joined = true;
                }
                i = end;
                continue;
            }
            b'}' if templates.last() == Some(&0) => {
                // The end of a `${...}`: the template's text goes on.
                templates.pop();
                out.push_str(APART);
                let (end, substitution) = template_rest(js, i + 1, &mut out);
                if substitution {
                    templates.push(0);
                }
                regex_may_start = substitution;
                joined = !substitution;
                i = end;
                continue;
            }
            b'{' => {
                if let Some(depth) = templates.last_mut() {
                    *depth += 1;
                }
            }
            b'}' => {
                if let Some(depth) = templates.last_mut() {
                    *depth -= 1;
                }
            }
            _ => {}
        }
        let c = js[i..].chars().next().unwrap_or_default();
        let word_char = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
        if word_char(c) {
            let len = js[i..].char_indices().find(|&(_, c)| !word_char(c)).map_or(js.len() - i, |(at, _)| at);
            regex_may_start = KEYWORDS_BEFORE_A_VALUE.contains(&&js[i..i + len]);
            joined = false;
            i += len;
            continue;
        }
        if !b.is_ascii_whitespace() {
            regex_may_start = !matches!(b, b')' | b']');
            joined = joined && b == b'+' && bytes.get(i + 1) != Some(&b'+');
        }
        i += c.len_utf8();
    }
    out
}

/// Words after which a `/` starts a regular expression.
const KEYWORDS_BEFORE_A_VALUE: [&str; 14] = [
    "return",
    "typeof",
    "instanceof",
    "in",
    "of",
    "new",
    "delete",
    "void",
    "throw",
    "case",
    "do",
    "else",
    "yield",
    "await",
];

/// The byte after the regular expression whose `/` is at `start`, and its
/// flags; a line break ends one left open.
fn regex_end(js: &str, start: usize) -> usize {
    let bytes = js.as_bytes();
    let mut class = false;
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'[' => class = true,
            b']' => class = false,
            b'/' if !class => {
                i += 1;
                return i + js[i..].bytes().take_while(u8::is_ascii_alphabetic).count();
            }
            b'\n' => return i,
            _ => {}
        }
        i += 1;
    }
    js.len()
}

/// Reads the string whose quote is at `start` into `out`; returns the
/// byte after it and whether a template stopped at a `${`.
fn string(js: &str, start: usize, out: &mut String) -> (usize, bool) {
    let quote = js.as_bytes()[start];
    if quote == b'`' {
        return template_rest(js, start + 1, out);
    }
    let mut i = start + 1;
    while let Some(c) = js[i..].chars().next() {
        match c {
            '\n' => return (i, false),
            '\\' => i = escape(js, i, out),
            _ if c as u32 == u32::from(quote) => return (i + 1, false),
            _ => {
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    (i, false)
}

/// Reads a template's text from byte `from` into `out`, up to its closing
/// `` ` `` or a `${`; returns the byte after that and whether it was a `${`.
fn template_rest(js: &str, from: usize, out: &mut String) -> (usize, bool) {
    let mut i = from;
    while let Some(c) = js[i..].chars().next() {
        match c {
            '`' => return (i + 1, false),
            '$' if js[i + 1..].starts_with('{') => return (i + 2, true),
            '\\' => i = escape(js, i, out),
            _ => {
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    (i, false)
}

/// Decodes the escape whose `\` is at byte `at` into `out`; returns the
/// byte after it. `\n`, `\t` and the like read as a space, `\x41`,
/// `\u0041` and `\u{41}` as the letter, a line continuation as nothing.
fn escape(js: &str, at: usize, out: &mut String) -> usize {
    let rest = &js[at + 1..];
    let hex = |digits: &str| u32::from_str_radix(digits, 16).ok().and_then(char::from_u32);
    let coded = if let Some(digits) = rest.strip_prefix('x').and_then(|r| r.get(..2)) {
        hex(digits).map(|c| (c, 3))
    } else if let Some(braced) = rest.strip_prefix("u{") {
        braced.find('}').and_then(|end| hex(&braced[..end]).map(|c| (c, end + 3)))
    } else if let Some(digits) = rest.strip_prefix('u').and_then(|r| r.get(..4)) {
        hex(digits).map(|c| (c, 5))
    } else {
        None
    };
    if let Some((c, len)) = coded {
        out.push(c);
        return at + 1 + len;
    }
    match rest.chars().next() {
        None => js.len(),
        Some('\r') if rest.starts_with("\r\n") => at + 3,
        Some(c @ ('\n' | '\r' | '\u{2028}' | '\u{2029}')) => at + 1 + c.len_utf8(),
        Some(c @ ('n' | 'r' | 't' | 'v' | 'f' | 'b')) => {
            out.push(' ');
            at + 1 + c.len_utf8()
        }
        Some('0') => at + 2,
        Some(c) => {
            out.push(c);
            at + 1 + c.len_utf8()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(js: &str) -> Vec<String> {
        literals(js).split(APART).map(str::to_string).collect()
    }

    #[test]
    fn string_literals_are_read_and_code_is_not() {
        let js = "// Ida Smith wrote this\nconst mark = document.createElement('mark'); /* \"Jo\" */\n\
                  el.textContent = \"Report design: \" + 'Ida Smith';\n\
                  const re = /['\"]/g, half = a / 2, n = 'it\\'s';\n\
                  const t = `Hello ${user.name + \"!\"} and \\u{49}da`;\n\
                  if (x) { return /\"/.test(y) ? \"\\x49da\\u0020Smith\" : `${ {a: 1}.a }`; }";
        assert_eq!(read(js), ["Report design: Ida Smith", "it's", "Hello ", "!", " and Ida", "Ida Smith"]);
    }

    #[test]
    fn broken_scripts_are_no_trouble() {
        for broken in ["'", "`${", "`${}", "/", "/[", "\"\\", "'\\u{110000}'", "`\\x4", "}}}`"] {
            let _ = literals(broken);
        }
    }
}
