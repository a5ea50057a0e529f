//! Charts: pure functions from record data to inline SVG strings; no I/O.
//!
//! Each chart is drawn with plotters' SVG backend straight onto a drawing
//! area (rectangles, lines and text placed by hand: without the `ttf` feature
//! plotters cannot measure text, so labels are laid out with [`text_width`]).
//! The only string work afterwards is [`Canvas::finish`]: it adds the
//! accessibility wrapper (`role`, `<title>`, `<desc>`) and the data attributes
//! and tooltips that plotters has no API for.
//!
//! Plotters already XML-escapes the text and attribute values it writes;
//! [`escape_xml`] is for what this module writes itself.

pub mod attributes;
pub mod comparison;
pub mod social_capital;
mod stages;

use std::collections::BTreeMap;

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, IntoDrawingArea, PathElement, RGBColor, Rectangle, SVGBackend, Text};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, FontDesc, FontFamily, FontStyle, TextStyle};

use crate::model::Palette;

/// A system font stack: no web fonts, the page's own sans-serif if CSS sets one.
const FONT_STACK: &str = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif";

/// Near-black text (GOV.UK text colour).
pub(crate) const INK: RGBColor = RGBColor(0x0b, 0x0c, 0x0c);
/// Secondary text (GOV.UK secondary text colour, 7:1 on white).
pub(crate) const INK_SECONDARY: RGBColor = RGBColor(0x50, 0x5a, 0x5f);
pub(crate) const WHITE: RGBColor = RGBColor(0xff, 0xff, 0xff);
/// Fill for "no data" cells and swatches.
pub(crate) const MISSING_GREY: RGBColor = RGBColor(0xb1, 0xb4, 0xb6);

/// Advance of each printable ASCII character (U+0020 to U+007E), in
/// thousandths of an em, in DejaVu Sans, as Chromium measures it: the font
/// `system-ui` and `sans-serif` resolve to on most Linux desktops, and wider
/// than Segoe UI, San Francisco, Roboto, Helvetica and Arial, so a label laid
/// out with these widths fits in any of them. A flat 0.6 em per character
/// let labels of capitals, W and M run far past their space.
const ASCII_EM: [u16; 95] = [
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636, 636, 636,
    636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863,
    748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635,
    615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636,
    337, 636, 838,
];

/// The same for the bold face.
const ASCII_EM_BOLD: [u16; 95] = [
    348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696, 696, 696, 696, 696,
    696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683, 683, 821, 837, 372, 372, 775, 637, 995,
    837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771, 724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593, 716,
    678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712,
    365, 712, 838,
];

/// Colour of a rating under the configured palette, as a CSS colour string.
///
/// `traffic-light` keeps the framework's own colour. `colour-blind` maps the
/// keys `green`, `amber` and `red` to Okabe-Ito blue, orange and vermillion,
/// which stay distinct under deuteranopia and protanopia; other keys keep the
/// framework's colour.
pub fn palette_colour(palette: Palette, rating_key: &str, framework_colour: &str) -> String {
    match palette {
        Palette::TrafficLight => framework_colour.to_string(),
        Palette::ColourBlind => match rating_key {
            "green" => "#0072B2".to_string(),
            "amber" => "#E69F00".to_string(),
            "red" => "#D55E00".to_string(),
            _ => framework_colour.to_string(),
        },
    }
}

/// Escapes text for XML/HTML content and attribute values. Control
/// characters that XML 1.0 forbids (and line breaks) become spaces.
pub(crate) fn escape_xml(text: &str) -> String {
    crate::markdown::escape_html(&one_line(text))
}

/// Replaces control characters (line breaks included) by spaces, so that a
/// label stays on one line of the SVG.
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// Estimated advance of one character, in em: measured widths for ASCII,
/// and for other characters an upper bound by class, since labels may be in
/// any script.
fn char_em(c: char, bold: bool) -> f64 {
    let code = c as u32;
    if (0x20..=0x7e).contains(&code) {
        let table = if bold { &ASCII_EM_BOLD } else { &ASCII_EM };
        return f64::from(table[(code - 0x20) as usize]) / 1000.0;
    }
    let em = match code {
        // Combining marks and zero-width characters take no room of their own.
        0x0300..=0x036f | 0x200b..=0x200f | 0xfe00..=0xfe0f => return 0.0,
        // East Asian wide and full-width characters, emoji.
        0x1100..=0x115f
        | 0x2e80..=0xa4cf
        | 0xac00..=0xd7a3
        | 0xf900..=0xfaff
        | 0xfe30..=0xfe4f
        | 0xff00..=0xff60
        | 0xffe0..=0xffe6
        | 0x1f300..=0x1faff
        | 0x20000..=0x3fffd => return 1.0,
        // Hyphens, dashes short of an em, curly quotes: Word's punctuation.
        0x2010..=0x2013 | 0x2018..=0x201f => 0.52,
        // Accented and other-script letters: as wide as the widest of
        // their case in ASCII, less W and M.
        _ if c.is_uppercase() => 0.87,
        _ if c.is_alphabetic() => 0.70,
        // Symbols (the ratings' check and cross), the em dash, the ellipsis.
        _ => 1.0,
    };
    if bold { em * 1.12 } else { em }
}

fn width_in(text: &str, font_px: f64, bold: bool) -> f64 {
    text.chars().map(|c| char_em(c, bold)).sum::<f64>() * font_px
}

/// Estimated width in pixels of `text` set at `font_px` in the regular
/// face: the sum of [`char_em`] over its characters (not bytes).
pub fn text_width(text: &str, font_px: f64) -> f64 {
    width_in(text, font_px, false)
}

/// Shortens `text` to at most `max_chars` characters and `max_width` pixels,
/// ending it with "…" when anything was cut. Returns the text and whether it
/// was cut.
pub(crate) fn truncate_to(text: &str, max_chars: usize, max_width: f64, font_px: f64) -> (String, bool) {
    truncate_in(text, max_chars, max_width, font_px, false)
}

/// [`truncate_to`] for text set in bold.
pub(crate) fn truncate_bold_to(text: &str, max_width: f64, font_px: f64) -> (String, bool) {
    truncate_in(text, usize::MAX, max_width, font_px, true)
}

fn truncate_in(text: &str, max_chars: usize, max_width: f64, font_px: f64, bold: bool) -> (String, bool) {
    let text = one_line(text);
    if text.chars().count() <= max_chars && width_in(&text, font_px, bold) <= max_width {
        return (text, false);
    }
    let budget = max_width - width_in("…", font_px, bold);
    let mut out = String::new();
    let mut width = 0.0;
    for (i, c) in text.chars().enumerate() {
        let w = char_em(c, bold) * font_px;
        if i + 1 >= max_chars || width + w > budget {
            break;
        }
        width += w;
        out.push(c);
    }
    let mut out = out.trim_end().to_string();
    out.push('…');
    (out, true)
}

/// Splits a word after each `/` or `-` that stands between two letters
/// ("relational/bonding", "non-confrontational"): places where a line may
/// break without a space.
fn word_pieces(word: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    let mut pieces = Vec::new();
    let mut start = 0;
    for k in 1..chars.len().saturating_sub(1) {
        let (i, c) = chars[k];
        if (c == '/' || c == '-') && chars[k - 1].1.is_alphabetic() && chars[k + 1].1.is_alphabetic() {
            let end = i + c.len_utf8();
            pieces.push(&word[start..end]);
            start = end;
        }
    }
    pieces.push(&word[start..]);
    pieces
}

/// Greedy word wrap into at most `max_lines` lines of at most `max_width`
/// pixels. Lines break at spaces, or after a `/` or `-` between letters; a
/// word longer than a line is broken. The last line ends with "…" when text
/// was left over. Returns the lines and whether anything was cut.
pub(crate) fn wrap_text(text: &str, max_width: f64, font_px: f64, max_lines: usize) -> (Vec<String>, bool) {
    let max_lines = max_lines.max(1);
    let text = one_line(text);
    // Each line, and whether it continues the previous line's word (so
    // joins it without a space).
    let mut lines: Vec<(String, bool)> = Vec::new();
    let mut current = String::new();
    let mut current_glued = false;
    for word in text.split_whitespace() {
        for (j, piece) in word_pieces(word).into_iter().enumerate() {
            let glued = j > 0;
            let candidate = match (current.is_empty(), glued) {
                (true, _) => piece.to_string(),
                (false, true) => format!("{current}{piece}"),
                (false, false) => format!("{current} {piece}"),
            };
            if text_width(&candidate, font_px) <= max_width {
                current = candidate;
                continue;
            }
            let mut next_glued = glued;
            if !current.is_empty() {
                lines.push((std::mem::take(&mut current), current_glued));
            } else if lines.is_empty() {
                next_glued = false;
            }
            // Break a piece that is longer than a whole line.
            let mut rest = piece;
            while !rest.is_empty() && text_width(rest, font_px) > max_width {
                let mut width = 0.0;
                let mut split = 0;
                for (i, c) in rest.char_indices() {
                    width += char_em(c, false) * font_px;
                    if width > max_width && i > 0 {
                        break;
                    }
                    split = i + c.len_utf8();
                }
                lines.push((rest[..split].to_string(), next_glued));
                next_glued = true;
                rest = &rest[split..];
            }
            current = rest.to_string();
            current_glued = next_glued;
        }
    }
    if !current.is_empty() {
        lines.push((current, current_glued));
    }
    if lines.len() <= max_lines {
        return (lines.into_iter().map(|(l, _)| l).collect(), false);
    }
    let tail = lines.split_off(max_lines - 1);
    let mut rest = String::new();
    for (k, (line, glued)) in tail.into_iter().enumerate() {
        if k > 0 && !glued {
            rest.push(' ');
        }
        rest.push_str(&line);
    }
    let (last, _) = truncate_to(&rest, usize::MAX, max_width, font_px);
    let last = if last.ends_with('…') { last } else { format!("{last}…") };
    let mut lines: Vec<String> = lines.into_iter().map(|(l, _)| l).collect();
    lines.push(last);
    (lines, true)
}

/// Parses `#rgb` or `#rrggbb` (case-insensitive, surrounding space allowed).
pub(crate) fn parse_hex_colour(colour: &str) -> Option<RGBColor> {
    let hex = colour.trim().strip_prefix('#')?;
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let digit = |i: usize| u8::from_str_radix(&hex[i..i + 1], 16).ok();
    match hex.len() {
        3 => Some(RGBColor(digit(0)? * 17, digit(1)? * 17, digit(2)? * 17)),
        6 => {
            let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
            Some(RGBColor(byte(0)?, byte(2)?, byte(4)?))
        }
        _ => None,
    }
}

/// WCAG relative luminance of an sRGB colour.
pub(crate) fn relative_luminance(colour: RGBColor) -> f64 {
    let channel = |v: u8| {
        let c = f64::from(v) / 255.0;
        if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * channel(colour.0) + 0.7152 * channel(colour.1) + 0.0722 * channel(colour.2)
}

/// WCAG contrast ratio between two colours (1 to 21).
pub(crate) fn contrast_ratio(a: RGBColor, b: RGBColor) -> f64 {
    let (la, lb) = (relative_luminance(a), relative_luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// White or near-black, whichever contrasts more with `fill`.
pub(crate) fn text_on(fill: RGBColor) -> RGBColor {
    if contrast_ratio(WHITE, fill) > contrast_ratio(INK, fill) { WHITE } else { INK }
}

/// CSS colour for text on a `fill` given as a CSS colour string: `#FFFFFF`
/// or `#0B0C0C`, whichever contrasts more; near-black when `fill` is not a
/// `#rgb`/`#rrggbb` colour.
pub fn text_colour_on(fill: &str) -> &'static str {
    match parse_hex_colour(fill).map(text_on) {
        Some(WHITE) => "#FFFFFF",
        _ => "#0B0C0C",
    }
}

/// Turns a caller's id prefix into something safe inside `id` and the
/// id lists of `aria-labelledby` and `aria-describedby`.
fn sanitise_id(prefix: &str) -> String {
    let id: String =
        prefix.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    if id.is_empty() { "chart".to_string() } else { id }
}

/// How a text is set and anchored on its (x, y) point.
#[derive(Clone, Copy)]
pub(crate) struct TextOpts {
    pub size: f64,
    pub colour: RGBColor,
    pub h: HPos,
    pub v: VPos,
    pub bold: bool,
}

impl TextOpts {
    pub fn new(size: f64, colour: RGBColor, h: HPos, v: VPos) -> Self {
        TextOpts { size, colour, h, v, bold: false }
    }

    pub fn bold(self) -> Self {
        TextOpts { bold: true, ..self }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tag {
    Rect,
    Text,
}

impl Tag {
    fn open(self) -> &'static str {
        match self {
            Tag::Rect => "<rect ",
            Tag::Text => "<text ",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Tag::Rect => "rect",
            Tag::Text => "text",
        }
    }
}

/// Extra markup for one element plotters drew: attributes and a `<title>`.
#[derive(Debug)]
struct Decoration {
    tag: Tag,
    index: usize,
    attrs: Vec<(&'static str, String)>,
    title: Option<String>,
}

/// A handle on an element drawn on a [`Canvas`], for [`Canvas::annotate`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Drawn {
    tag: Tag,
    index: usize,
}

/// A plotters SVG drawing area that remembers which `<rect>` and `<text>`
/// element each call produced, so they can carry data attributes and
/// tooltips afterwards. Coordinates are pixels in the viewBox.
pub(crate) struct Canvas<'a> {
    area: DrawingArea<SVGBackend<'a>, Shift>,
    rects: usize,
    texts: usize,
    decorations: Vec<Decoration>,
}

impl<'a> Canvas<'a> {
    /// A white canvas of `width` x `height` writing into `buf`.
    pub fn new(buf: &'a mut String, width: u32, height: u32) -> Self {
        let area = SVGBackend::with_string(buf, (width.max(1), height.max(1))).into_drawing_area();
        let mut canvas = Canvas { area, rects: 0, texts: 0, decorations: Vec::new() };
        // The SVG backend writes into a String: drawing cannot fail, and a
        // failure would only lose an element, never panic.
        let _ = canvas.area.fill(&WHITE);
        canvas.rects += 1;
        canvas
    }

    /// A filled rectangle from (x0, y0) to (x1, y1).
    pub fn rect(&mut self, x0: i32, y0: i32, x1: i32, y1: i32, fill: RGBColor) -> Drawn {
        let _ = self.area.draw(&Rectangle::new([(x0, y0), (x1, y1)], fill.filled()));
        self.rects += 1;
        Drawn { tag: Tag::Rect, index: self.rects - 1 }
    }

    /// A straight line.
    pub fn line(&mut self, from: (i32, i32), to: (i32, i32), colour: RGBColor, width: u32) {
        let _ = self.area.draw(&PathElement::new(vec![from, to], colour.stroke_width(width)));
    }

    /// One line of text anchored at (x, y); plotters escapes it.
    pub fn text(&mut self, text: &str, x: i32, y: i32, opts: TextOpts) -> Drawn {
        let style = if opts.bold { FontStyle::Bold } else { FontStyle::Normal };
        // plotters writes `font-size` as size / 1.24; sizes used here
        // (11, 12, 14, 16, 18, 20, 24 px) come back as whole numbers.
        let font = FontDesc::new(FontFamily::Name(FONT_STACK), opts.size * 1.24, style);
        let colour = opts.colour;
        let text_style = TextStyle::from(font).color(&colour).pos(Pos::new(opts.h, opts.v));
        let _ = self.area.draw(&Text::new(one_line(text), (x, y), text_style));
        self.texts += 1;
        Drawn { tag: Tag::Text, index: self.texts - 1 }
    }

    /// The mark of a chart whose data its record marks illustrative
    /// ("Illustrative data"), bold in secondary ink with its top-right
    /// corner at (`right`, `top`), carrying `data-mark="illustrative"`.
    pub fn illustrative_mark(&mut self, text: &str, right: i32, top: i32, font_px: f64) {
        let drawn = self.text(text, right, top, TextOpts::new(font_px, INK_SECONDARY, HPos::Right, VPos::Top).bold());
        self.annotate(drawn, vec![("data-mark", "illustrative".to_string())], None);
    }

    /// Adds attributes (values escaped here) and an optional `<title>`
    /// tooltip child to an element drawn earlier.
    pub fn annotate(&mut self, drawn: Drawn, attrs: Vec<(&'static str, String)>, title: Option<&str>) {
        self.decorations.push(Decoration {
            tag: drawn.tag,
            index: drawn.index,
            attrs,
            title: title.map(str::to_string),
        });
    }

    /// Closes the drawing (plotters closes its open tags) and hands back
    /// the decorations to apply.
    fn close(self) -> Vec<Decoration> {
        let _ = self.area.present();
        self.decorations
    }
}

/// What goes into the accessibility wrapper of a chart.
pub(crate) struct ChartMeta<'m> {
    pub title: &'m str,
    pub desc: &'m str,
    pub id_prefix: &'m str,
    pub class: &'m str,
}

/// Draws a `width` x `height` chart with `draw` and returns the SVG for
/// inlining in HTML: no XML declaration; the root carries `role="img"`,
/// `class`, `aria-labelledby` naming the `<title>` (id `<prefix>-title`)
/// and `aria-describedby` naming the `<desc>` (id `<prefix>-desc`), both
/// inserted as its first children.
pub(crate) fn render_svg(width: u32, height: u32, meta: &ChartMeta<'_>, draw: impl FnOnce(&mut Canvas<'_>)) -> String {
    let mut buf = String::new();
    let decorations = {
        let mut canvas = Canvas::new(&mut buf, width, height);
        draw(&mut canvas);
        canvas.close()
    };
    finish_svg(&decorate(&buf, &decorations), meta.title, meta.desc, meta.id_prefix, meta.class)
}

/// Applies the decorations to plotters' output. plotters escapes `<` and `>`
/// in attribute values and text, so every `<rect ` / `<text ` in its output
/// starts an element and the first `>` after it closes the start tag.
fn decorate(svg: &str, decorations: &[Decoration]) -> String {
    if decorations.is_empty() {
        return svg.to_string();
    }
    let mut by_element: BTreeMap<(Tag, usize), Vec<&Decoration>> = BTreeMap::new();
    for d in decorations {
        by_element.entry((d.tag, d.index)).or_default().push(d);
    }
    let mut out = String::with_capacity(svg.len() + decorations.len() * 64);
    let (mut rects, mut texts) = (0usize, 0usize);
    let mut copied = 0;
    let mut from = 0;
    while let Some(offset) = svg[from..].find('<') {
        let start = from + offset;
        from = start + 1;
        let tail = &svg[start..];
        let (tag, index) = if tail.starts_with(Tag::Rect.open()) {
            rects += 1;
            (Tag::Rect, rects - 1)
        } else if tail.starts_with(Tag::Text.open()) {
            texts += 1;
            (Tag::Text, texts - 1)
        } else {
            continue;
        };
        let Some(found) = by_element.get(&(tag, index)) else {
            continue;
        };
        let Some(end) = tail.find('>').map(|e| start + e) else {
            break;
        };
        let self_closing = svg.as_bytes()[end - 1] == b'/';
        let tag_end = if self_closing { end - 1 } else { end };
        out.push_str(&svg[copied..tag_end]);
        let mut child = String::new();
        for d in found {
            for (name, value) in &d.attrs {
                out.push_str(&format!(" {name}=\"{}\"", escape_xml(value)));
            }
            if let Some(title) = &d.title {
                child.push_str(&format!("<title>{}</title>", escape_xml(title)));
            }
        }
        if self_closing && !child.is_empty() {
            out.push('>');
            out.push_str(&child);
            out.push_str(&format!("</{}>", tag.name()));
        } else {
            out.push_str(&svg[tag_end..=end]);
            out.push_str(&child);
        }
        copied = end + 1;
        from = end + 1;
    }
    out.push_str(&svg[copied..]);
    out
}

/// Presentation attributes the root sets for every element, so that no
/// element repeats them: the font, and the most common text size and colour.
/// plotters writes all three on every text, which at 1,000 reports is
/// megabytes of output.
const ROOT_PRESENTATION: [(&str, &str); 3] = [("font-family", FONT_STACK), ("font-size", "14"), ("fill", "#0B0C0C")];

/// Attributes plotters writes whose values are what SVG assumes anyway.
const SVG_INITIAL_VALUES: [&str; 4] =
    [" opacity=\"1\"", " stroke=\"none\"", " stroke-width=\"1\"", " text-anchor=\"start\""];

/// Drops anything before the root `<svg` (an XML declaration, should a
/// plotters version write one), adds the accessibility wrapper and moves
/// [`ROOT_PRESENTATION`] to the root.
fn finish_svg(svg: &str, title: &str, desc: &str, id_prefix: &str, class: &str) -> String {
    let svg = svg.find("<svg").map_or(svg, |i| &svg[i..]);
    let Some(end) = svg.find('>') else {
        return svg.to_string();
    };
    let id = sanitise_id(id_prefix);
    let mut out = String::with_capacity(svg.len() + title.len() + desc.len() + 200);
    out.push_str(svg[..end].trim_end_matches('/'));
    // The title alone is the name and the desc the description: a name
    // made of both had a screen reader read the desc twice.
    out.push_str(&format!(
        " role=\"img\" aria-labelledby=\"{id}-title\" aria-describedby=\"{id}-desc\" class=\"{}\"",
        escape_xml(class)
    ));
    let inherited: Vec<String> = ROOT_PRESENTATION.iter().map(|(name, value)| format!(" {name}=\"{value}\"")).collect();
    out.push_str(&inherited.concat());
    out.push_str(">\n");
    out.push_str(&format!("<title id=\"{id}-title\">{}</title>\n", escape_xml(title)));
    out.push_str(&format!("<desc id=\"{id}-desc\">{}</desc>\n", escape_xml(desc)));
    let body = svg[end + 1..].trim_start_matches('\n');
    let mut needless: Vec<&str> = inherited.iter().map(String::as_str).collect();
    needless.extend(SVG_INITIAL_VALUES);
    out.push_str(&text_on_one_line(&remove_all(body, &needless)));
    out
}

/// plotters puts each text's content on a line of its own, between newlines
/// that SVG drops when it draws the text; they go here.
fn text_on_one_line(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(start) = memchr::memmem::find(rest.as_bytes(), b"<text ") {
        let Some(open_end) = rest[start..].find('>').map(|e| start + e + 1) else { break };
        let Some(close) = memchr::memmem::find(&rest.as_bytes()[open_end..], b"</text>").map(|c| open_end + c) else {
            break;
        };
        out.push_str(&rest[..open_end]);
        let content = &rest[open_end..close];
        let content = content.strip_prefix('\n').unwrap_or(content);
        out.push_str(content.strip_suffix('\n').unwrap_or(content));
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

/// `text` without any of `needles` wherever they occur, as repeated
/// `replace(needle, "")` would leave it, in one pass: every needle starts
/// with a space, which memchr finds. Every chart's markup passes through here.
fn remove_all(text: &str, needles: &[&str]) -> String {
    debug_assert!(needles.iter().all(|n| n.starts_with(' ')));
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    let mut at = 0;
    while let Some(offset) = memchr::memchr(b' ', &text.as_bytes()[at..]) {
        let space = at + offset;
        match needles.iter().find(|n| text[space..].starts_with(**n)) {
            Some(needle) => {
                out.push_str(&text[from..space]);
                from = space + needle.len();
                at = from;
            }
            None => at = space + 1,
        }
    }
    out.push_str(&text[from..]);
    out
}

#[cfg(test)]
pub(crate) mod test_support {
    use regex::Regex;

    /// (width, height) from the root's viewBox.
    pub fn view_box(svg: &str) -> (f64, f64) {
        let re = Regex::new(r#"viewBox="0 0 ([0-9.]+) ([0-9.]+)""#).unwrap();
        let caps = re.captures(svg).expect("viewBox");
        (caps[1].parse().unwrap(), caps[2].parse().unwrap())
    }

    /// The value of attribute `name` in a start tag, or else the one the
    /// chart's root gives every element or SVG's initial value, as drawn.
    pub fn attr<'s>(tag: &'s str, name: &str) -> Option<&'s str> {
        let needle = format!(" {name}=\"");
        let Some(start) = tag.find(&needle).map(|i| i + needle.len()) else {
            let initial = super::SVG_INITIAL_VALUES
                .iter()
                .find_map(|a| a.strip_prefix(' ')?.strip_prefix(name)?.strip_prefix("=\"")?.strip_suffix('"'));
            return super::ROOT_PRESENTATION.iter().find(|(n, _)| *n == name).map(|(_, v)| *v).or(initial);
        };
        let len = tag[start..].find('"')?;
        Some(&tag[start..start + len])
    }

    /// Numeric attribute, 0 when absent.
    pub fn num(tag: &str, name: &str) -> f64 {
        attr(tag, name).and_then(|v| v.parse().ok()).unwrap_or(0.0)
    }

    /// Every start tag of `<name ...>`.
    pub fn tags<'s>(svg: &'s str, name: &str) -> Vec<&'s str> {
        let open = format!("<{name} ");
        let mut out = Vec::new();
        let mut rest = svg;
        while let Some(i) = rest.find(&open) {
            let end = rest[i..].find('>').map_or(rest.len(), |e| i + e + 1);
            out.push(&rest[i..end]);
            rest = &rest[end..];
        }
        out
    }

    /// The six-stage framework of the study (content/frameworks.yaml), for
    /// the tests of the charts drawn from it.
    pub const SIX_STAGE_FRAMEWORK: &str = r##"
title: Six-stage social capital building process
sources:
  - {id: micro, label: "A: Micro-level: relational/bonding social capital", stages: [1, 2]}
  - {id: meso, label: "B: Meso-level: cognitive/bridging social capital", stages: [3, 4]}
  - {id: macro, label: "C: Macro-level: structural/linking social capital", stages: [5, 6]}
stages:
  - {n: 1, question: "One?"}
  - {n: 2, question: "Two?"}
  - {n: 3, question: "Three?"}
  - {n: 4, question: "Four?"}
  - {n: 5, question: "Five?"}
  - {n: 6, question: "Six?"}
ratings:
  green: {label: Success identified, colour: "#2e7d32", symbol: "✓"}
  amber: {label: Realistic future potential, colour: "#f9a825", symbol: "~"}
  red: {label: Little or no opportunity identified, colour: "#c62828", symbol: "✗"}
"##;

    /// Asserts that every `<rect>` and every text's estimated extent lie
    /// inside the viewBox.
    pub fn assert_everything_fits(svg: &str) {
        let (w, h) = view_box(svg);
        for t in tags(svg, "rect") {
            assert!(num(t, "x") >= 0.0 && num(t, "x") + num(t, "width") <= w, "rect overflows: {t}");
            assert!(num(t, "y") >= 0.0 && num(t, "y") + num(t, "height") <= h, "rect overflows: {t}");
        }
        for (tag, content) in texts(svg) {
            assert!(text_fits(&tag, &content, w, h), "text overflows: {tag}{content}");
        }
    }

    /// Every `<text>` element as (start tag, content without the `<title>` child).
    pub fn texts(svg: &str) -> Vec<(String, String)> {
        let re = Regex::new(r"(?s)(<text [^>]*>)(.*?)</text>").unwrap();
        let title = Regex::new(r"(?s)<title>.*?</title>").unwrap();
        re.captures_iter(svg).map(|c| (c[1].to_string(), title.replace_all(&c[2], "").trim().to_string())).collect()
    }

    /// Estimated extent (left, top, right, bottom) of a text element.
    pub fn text_box(tag: &str, content: &str) -> (f64, f64, f64, f64) {
        let x = num(tag, "x");
        let y = num(tag, "y");
        let size = num(tag, "font-size");
        let w = super::text_width(&html_unescape(content), size);
        let (left, right) = match attr(tag, "text-anchor") {
            Some("end") => (x - w, x),
            Some("middle") => (x - w / 2.0, x + w / 2.0),
            _ => (x, x + w),
        };
        let (top, bottom) = match attr(tag, "dy") {
            Some("0.76em") => (y, y + size * 1.2),
            Some("-0.5ex") => (y - size * 1.2, y),
            _ => (y - size * 0.6, y + size * 0.6),
        };
        (left, top, right, bottom)
    }

    /// Checks that a text element's estimated extent lies inside the viewBox.
    pub fn text_fits(tag: &str, content: &str, width: f64, height: f64) -> bool {
        let (left, top, right, bottom) = text_box(tag, content);
        left >= 0.0 && right <= width && top >= 0.0 && bottom <= height
    }

    /// Whether two boxes (left, top, right, bottom) share any area.
    pub fn boxes_overlap(a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)) -> bool {
        a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
    }

    /// Asserts that no two non-empty texts of the SVG overlap.
    pub fn assert_no_text_overlap(svg: &str) {
        let boxes: Vec<(String, (f64, f64, f64, f64))> = texts(svg)
            .into_iter()
            .filter(|(_, c)| !c.is_empty())
            .map(|(t, c)| {
                let b = text_box(&t, &c);
                (c, b)
            })
            .collect();
        for (i, (a, ab)) in boxes.iter().enumerate() {
            for (b, bb) in &boxes[i + 1..] {
                assert!(!boxes_overlap(*ab, *bb), "texts overlap: {a:?} {ab:?} and {b:?} {bb:?}");
            }
        }
    }

    pub fn html_unescape(s: &str) -> String {
        s.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traffic_light_palette_keeps_framework_colour() {
        assert_eq!(palette_colour(Palette::TrafficLight, "green", "#2e7d32"), "#2e7d32");
        assert_eq!(palette_colour(Palette::TrafficLight, "red", "#c62828"), "#c62828");
    }

    #[test]
    fn colour_blind_palette_maps_green_amber_red_only() {
        assert_eq!(palette_colour(Palette::ColourBlind, "green", "#2e7d32"), "#0072B2");
        assert_eq!(palette_colour(Palette::ColourBlind, "amber", "#f9a825"), "#E69F00");
        assert_eq!(palette_colour(Palette::ColourBlind, "red", "#c62828"), "#D55E00");
        assert_eq!(palette_colour(Palette::ColourBlind, "purple", "#6f4a9e"), "#6f4a9e");
    }

    #[test]
    fn escape_xml_escapes_markup_and_drops_controls() {
        assert_eq!(escape_xml("Fish & <chips> \"a\" 'b'\n"), "Fish &amp; &lt;chips&gt; &quot;a&quot; &#39;b&#39; ");
    }

    #[test]
    fn text_width_uses_measured_ascii_widths() {
        // DejaVu Sans: a 0.613, b 0.635, c 0.550, d 0.635 em.
        assert!((text_width("abcd", 10.0) - 24.33).abs() < 1e-9);
        // A flat 0.6 em let "WWW" overflow by two thirds.
        assert!((text_width("WWW", 10.0) - 29.67).abs() < 1e-9);
        assert!(text_width("WM", 10.0) > 3.0 * text_width("il", 10.0));
        assert!(width_in("Illustrative data", 10.0, true) > text_width("Illustrative data", 10.0));
    }

    #[test]
    fn text_width_counts_characters_by_class_not_bytes() {
        assert_eq!(text_width("é", 10.0), text_width("ж", 10.0));
        assert!(text_width("É", 10.0) > text_width("é", 10.0));
        assert_eq!(text_width("中文", 10.0), 20.0);
        assert_eq!(text_width("ＷＭ", 10.0), 20.0);
        assert_eq!(text_width("e\u{301}\u{200b}", 10.0), text_width("e", 10.0));
        assert_eq!(text_width("…", 10.0), 10.0);
    }

    #[test]
    fn truncate_to_cuts_long_text_with_ellipsis() {
        let (short, cut) = truncate_to("Approachable", 28, 1000.0, 14.0);
        assert_eq!((short.as_str(), cut), ("Approachable", false));
        let long = "x".repeat(80);
        let (t, cut) = truncate_to(&long, 28, 1000.0, 14.0);
        assert!(cut);
        assert_eq!(t.chars().count(), 28);
        assert!(t.ends_with('…'));
        let (t, cut) = truncate_to("ééééééééééééééééééééééééééééééé", 28, 1000.0, 14.0);
        assert!(cut && t.chars().count() == 28);
    }

    #[test]
    fn wrap_text_wraps_and_truncates() {
        let (lines, cut) = wrap_text("A: Micro-level: relational/bonding social capital", 200.0, 14.0, 4);
        assert!(!cut);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| text_width(l, 14.0) <= 200.0));
        assert_eq!(lines.join(" ").replace("/ ", "/"), "A: Micro-level: relational/bonding social capital");
        let (lines, cut) = wrap_text(&"word ".repeat(100), 100.0, 14.0, 2);
        assert!(cut);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with('…'));
        assert!(lines.iter().all(|l| text_width(l, 14.0) <= 100.0));
        let (lines, _) = wrap_text(&"y".repeat(60), 100.0, 14.0, 10);
        assert!(lines.iter().all(|l| text_width(l, 14.0) <= 100.0));
        assert_eq!(lines.concat(), "y".repeat(60));
    }

    #[test]
    fn wrap_text_breaks_after_slashes_and_hyphens_between_letters() {
        let (lines, cut) = wrap_text("relational/bonding social capital", 85.0, 14.0, 4);
        assert!(!cut);
        assert_eq!(lines, ["relational/", "bonding", "social", "capital"]);
        let (lines, cut) = wrap_text("Able to offer non-confrontational challenge", 160.0, 14.0, 3);
        assert!(!cut);
        assert_eq!(lines, ["Able to offer non-", "confrontational", "challenge"]);
        // No break around digits or at the ends of a word.
        assert_eq!(word_pieces("24/7"), ["24/7"]);
        assert_eq!(word_pieces("-x-"), ["-x-"]);
        assert_eq!(word_pieces("a-b/c"), ["a-", "b/", "c"]);
        // The cut tail keeps words whole: no space after a broken hyphen.
        let (lines, cut) = wrap_text("aaaa bbbbbbbbbb-ccccccccc dddd eeee", 120.0, 14.0, 2);
        assert!(cut);
        assert_eq!(lines[0], "aaaa");
        assert!(lines[1].starts_with("bbbbbbbbbb-c") && lines[1].ends_with('…'), "{lines:?}");
        assert!(!lines[1].contains("- "));
        assert!(lines.iter().all(|l| text_width(l, 14.0) <= 120.0));
    }

    #[test]
    fn wrap_text_terminates_on_zero_or_negative_width() {
        for width in [0.0, -10.0] {
            let (lines, cut) = wrap_text("e\u{301}e\u{301} long words here", width, 14.0, 3);
            assert!(lines.len() <= 3);
            assert!(cut);
        }
    }

    #[test]
    fn parse_hex_colour_accepts_short_and_long_forms() {
        assert_eq!(parse_hex_colour("#2e7d32"), Some(RGBColor(0x2e, 0x7d, 0x32)));
        assert_eq!(parse_hex_colour("#FFF"), Some(RGBColor(255, 255, 255)));
        assert_eq!(parse_hex_colour("green"), None);
        assert_eq!(parse_hex_colour("#12345"), None);
        assert_eq!(parse_hex_colour("#ééé"), None);
    }

    #[test]
    fn text_on_picks_the_more_contrasting_ink() {
        assert_eq!(text_on(RGBColor(0x2e, 0x7d, 0x32)), WHITE);
        assert_eq!(text_on(RGBColor(0xf9, 0xa8, 0x25)), INK);
        assert_eq!(text_on(RGBColor(0xc6, 0x28, 0x28)), WHITE);
        assert_eq!(text_on(RGBColor(0x00, 0x72, 0xb2)), WHITE);
        assert_eq!(text_on(RGBColor(0xe6, 0x9f, 0x00)), INK);
    }

    #[test]
    fn text_colour_on_names_a_css_colour() {
        assert_eq!(text_colour_on("#2e7d32"), "#FFFFFF");
        assert_eq!(text_colour_on("#f9a825"), "#0B0C0C");
        assert_eq!(text_colour_on("#D55E00"), "#0B0C0C");
        assert_eq!(text_colour_on("green"), "#0B0C0C");
    }

    #[test]
    fn remove_all_drops_every_occurrence_as_replace_does() {
        let cases: [(&str, &[&str]); 6] = [
            ("a -x-b -x", &[" -x"]),
            ("x y x z", &[" y", " z"]),
            ("none", &[" x"]),
            ("", &[" x"]),
            ("é opacity=\"1\"é stroke=\"none\" fill=\"red\"", &[" opacity=\"1\"", " stroke=\"none\""]),
            (" a b a", &[" a", " a b"]),
        ];
        for (text, needles) in cases {
            let replaced = needles.iter().fold(text.to_string(), |t, n| t.replace(n, ""));
            assert_eq!(remove_all(text, needles), replaced, "{text:?} without {needles:?}");
        }
    }

    #[test]
    fn text_content_loses_the_newlines_around_it() {
        let svg =
            "<rect/>\n<text x=\"1\">\nA &amp; B\n</text>\n<text y=\"2\"><title>T</title>\nC\n</text>\n<text>D</text>";
        assert_eq!(
            text_on_one_line(svg),
            "<rect/>\n<text x=\"1\">A &amp; B</text>\n<text y=\"2\"><title>T</title>\nC</text>\n<text>D</text>"
        );
        assert_eq!(text_on_one_line("<text a>\nno end"), "<text a>\nno end");
    }

    #[test]
    fn the_root_gives_what_the_elements_no_longer_repeat() {
        let svg =
            render_svg(100, 40, &ChartMeta { title: "T", desc: "D", id_prefix: "c", class: "wr-chart" }, |canvas| {
                canvas.rect(0, 0, 10, 10, INK);
                canvas.text("Ink", 10, 10, TextOpts::new(14.0, INK, HPos::Left, VPos::Center));
                canvas.text("Small", 10, 30, TextOpts::new(12.0, WHITE, HPos::Right, VPos::Center));
            });
        let root = &svg[..svg.find('>').unwrap()];
        assert!(root.contains(r##" font-size="14" fill="#0B0C0C""##), "{root}");
        let body = &svg[svg.find("</desc>").unwrap()..];
        for repeated in [
            " font-family=",
            " opacity=\"1\"",
            " stroke=\"none\"",
            " text-anchor=\"start\"",
            " font-size=\"14\"",
            "#0B0C0C",
        ] {
            assert!(!body.contains(repeated), "{repeated} in {body}");
        }
        // What differs from the root stays on the element.
        let texts = test_support::texts(&svg);
        assert!(texts[1].0.contains(r#"font-size="12""#), "{:?}", texts[1]);
        assert!(texts[1].0.contains(r##"fill="#FFFFFF""##) && texts[1].0.contains(r#"text-anchor="end""#));
    }

    #[test]
    fn finish_svg_inserts_title_and_desc_first() {
        let svg = "<?xml version=\"1.0\"?>\n<svg width=\"10\" height=\"10\" viewBox=\"0 0 10 10\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect x=\"0\"/>\n</svg>\n";
        let out = finish_svg(svg, "A & B", "C < D", "fig 1", "wr-chart");
        assert!(out.starts_with("<svg "));
        assert!(out.contains("role=\"img\" aria-labelledby=\"fig-1-title\" aria-describedby=\"fig-1-desc\""));
        assert!(out.contains(
            " font-family=\"system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif\" font-size=\"14\" fill=\"#0B0C0C\">\n<title id=\"fig-1-title\">A &amp; B</title>\n<desc id=\"fig-1-desc\">C &lt; D</desc>\n<rect"
        ));
    }
}
