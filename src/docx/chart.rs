//! Chart SVGs, and the report's own pictures, to PNG for Word, which shows
//! SVG only in recent versions (and LibreOffice converts it with its own
//! renderer), and the only picture format docx-rs writes: resvg draws them
//! the same way on every run, with the machine's fonts.

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use resvg::tiny_skia;
use resvg::usvg;

/// How many pixels per SVG unit: charts are 640 units wide and print about
/// 16 cm wide, so twice that is close to 200 dpi on paper.
pub const SCALE: f32 = 2.0;

/// Families tried, in this order, for the charts' generic `sans-serif`
/// (their own first choices, system-ui and Segoe UI, are rarely installed
/// on Linux): the first one the machine has wins.
const SANS: &[&str] = &["Arial", "Helvetica", "Liberation Sans", "Arimo", "Noto Sans", "DejaVu Sans"];
const SERIF: &[&str] = &["Times New Roman", "Liberation Serif", "Tinos", "Noto Serif", "DejaVu Serif"];

/// One font database for every chart of a run: loading the system fonts
/// is the slow part, so it is done on the first chart, if there is one.
#[derive(Default)]
pub struct Rasteriser {
    options: OnceLock<usvg::Options<'static>>,
}

/// A chart or picture as PNG, with its size in pixels.
pub struct Png {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// Pixels per CSS pixel of its size on the page.
    pub scale: f32,
    /// The characters its text draws that need a glyph (see
    /// [`crate::fonts::add_drawn`]), for the check that a font has them.
    pub characters: BTreeSet<char>,
}

impl Rasteriser {
    pub fn new() -> Self {
        Self::default()
    }

    fn options(&self) -> &usvg::Options<'static> {
        self.options.get_or_init(Self::load)
    }

    /// The fonts the pictures are drawn with, loaded on the first call.
    pub fn fonts(&self) -> &usvg::fontdb::Database {
        &self.options().fontdb
    }

    fn load() -> usvg::Options<'static> {
        let mut db = crate::fonts::system();
        let families: Vec<String> = db.faces().flat_map(|f| f.families.iter().map(|(name, _)| name.clone())).collect();
        let installed = |wanted: &[&'static str]| {
            wanted.iter().copied().find(|want| families.iter().any(|have| have.eq_ignore_ascii_case(want)))
        };
        let sans = installed(SANS);
        if let Some(sans) = sans {
            db.set_sans_serif_family(sans);
        }
        // Text in a font the machine lacks (or in none: usvg's default is
        // Times New Roman) falls back to the serif family; without one
        // installed, it was silently left out of the picture.
        if let Some(serif) = installed(SERIF).or(sans) {
            db.set_serif_family(serif);
        }
        usvg::Options { fontdb: Arc::new(db), ..usvg::Options::default() }
    }

    /// Draws a chart's `svg` at [`SCALE`] on white (Word shows
    /// transparency as the page colour, which need not be white).
    pub fn png(&self, svg: &str) -> Result<Png, String> {
        self.draw(svg, SCALE, true)
    }

    /// A picture file of the report as PNG: a PNG as it is; SVG drawn like
    /// a chart; JPEG, GIF and WebP drawn at their own size.
    pub fn picture(&self, bytes: &[u8]) -> Result<Png, String> {
        let kind = imagesize::image_type(bytes).ok();
        let size = imagesize::blob_size(bytes).ok();
        let mime = match kind {
            Some(imagesize::ImageType::Png) => {
                let size = size.ok_or("a PNG without a size")?;
                let (width, height) = (size.width as u32, size.height as u32);
                return Ok(Png { bytes: bytes.to_vec(), width, height, scale: 1.0, characters: BTreeSet::new() });
            }
            Some(imagesize::ImageType::Jpeg) => "image/jpeg",
            Some(imagesize::ImageType::Gif) => "image/gif",
            Some(imagesize::ImageType::Webp) => "image/webp",
            _ => {
                let text = std::str::from_utf8(bytes).map_err(|_| "not a picture Word can show")?;
                return self.draw(text, SCALE, false);
            }
        };
        let size = size.ok_or("a picture without a size")?;
        let (width, height) = (size.width, size.height);
        let data = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes);
        let svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"><image width="{width}" height="{height}" href="data:{mime};base64,{data}"/></svg>"#
        );
        self.draw(&svg, 1.0, false)
    }

    fn draw(&self, svg: &str, scale: f32, on_white: bool) -> Result<Png, String> {
        let tree = usvg::Tree::from_str(svg, self.options()).map_err(|e| format!("cannot read the SVG: {e}"))?;
        let size = tree.size().to_int_size().scale_by(scale).ok_or("the SVG has no size")?;
        let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).ok_or("the SVG is too large")?;
        if on_white {
            pixmap.fill(tiny_skia::Color::WHITE);
        }
        resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
        let bytes = pixmap.encode_png().map_err(|e| format!("cannot encode the picture as PNG: {e}"))?;
        let mut characters = BTreeSet::new();
        add_text(tree.root(), &mut characters);
        Ok(Png { bytes, width: size.width(), height: size.height(), scale, characters })
    }
}

/// Adds the characters needing a glyph of the text `group` draws, as usvg
/// laid it out (a title or description is not drawn).
fn add_text(group: &usvg::Group, into: &mut BTreeSet<char>) {
    for node in group.children() {
        match node {
            usvg::Node::Group(group) => add_text(group, into),
            usvg::Node::Text(text) => {
                text.chunks().iter().for_each(|chunk| crate::fonts::add_drawn(chunk.text(), into))
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_at_twice_the_size_the_same_every_time() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" viewBox="0 0 40 20"><rect x="0" y="0" width="20" height="20" fill="#1D70B8"/><text x="22" y="15" font-size="12" font-family="sans-serif">A</text></svg>"##;
        let raster = Rasteriser::new();
        let one = raster.png(svg).unwrap();
        assert_eq!((one.width, one.height), (80, 40));
        assert!(one.bytes.starts_with(b"\x89PNG"));
        assert_eq!(one.bytes, raster.png(svg).unwrap().bytes);
    }

    #[test]
    fn pictures_become_png_at_their_own_size() {
        let raster = Rasteriser::new();
        let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="30" height="10"><rect width="30" height="10" fill="#000"/></svg>"##;
        let drawn = raster.picture(svg).unwrap();
        assert_eq!((drawn.width, drawn.height, drawn.scale), (60, 20, SCALE));
        let png = raster.picture(&drawn.bytes).unwrap();
        assert_eq!((png.width, png.height, png.scale), (60, 20, 1.0));
        assert_eq!(png.bytes, drawn.bytes, "a PNG is kept as it is");
        // A 1x1 GIF, drawn to PNG.
        let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
        let from_gif = raster.picture(gif).unwrap();
        assert_eq!((from_gif.width, from_gif.height), (1, 1));
        assert!(from_gif.bytes.starts_with(b"\x89PNG"));
        assert!(raster.picture(b"not a picture").is_err());
    }

    /// Found by a commissioner's audit: a picture's text in no font, or in
    /// one the machine lacks, was left out of the Word picture.
    #[test]
    fn text_in_a_font_not_installed_is_still_drawn() {
        let raster = Rasteriser::new();
        let svg = |text: &str| {
            format!(
                r##"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="20"><rect width="120" height="20" fill="#fff"/>{text}</svg>"##
            )
        };
        let blank = raster.picture(svg("").as_bytes()).unwrap().bytes;
        for family in ["", r#" font-family="No Such Font""#] {
            let text = format!(r#"<text x="2" y="15" font-size="14"{family}>QA PICTURE</text>"#);
            let drawn = raster.picture(svg(&text).as_bytes()).unwrap().bytes;
            assert_ne!(drawn, blank, "text with{family} is drawn");
        }
    }

    #[test]
    fn a_picture_tells_the_characters_its_text_draws() {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"60\" height=\"20\"><title>T\u{e9}</title>\
                   <text x=\"2\" y=\"15\" font-size=\"12\">Go <tspan>\u{1f680}\u{fe0f}</tspan> \u{2014}</text></svg>";
        let drawn = Rasteriser::new().png(svg).unwrap();
        assert_eq!(drawn.characters, BTreeSet::from(['\u{2014}', '\u{1f680}']));
    }

    #[test]
    fn broken_svg_is_an_error_not_a_panic() {
        assert!(Rasteriser::new().png("<svg").is_err());
        assert!(Rasteriser::new().png(r#"<svg xmlns="http://www.w3.org/2000/svg" width="0" height="0"/>"#).is_err());
    }
}
