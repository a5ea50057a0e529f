//! Chart SVGs to PNG for Word, which shows SVG only in recent versions
//! (and LibreOffice converts it with its own renderer): resvg draws them
//! the same way on every run, with the machine's fonts.

use std::sync::{Arc, OnceLock};

use resvg::tiny_skia;
use resvg::usvg;

/// How many pixels per SVG unit: charts are 640 units wide and print about
/// 16 cm wide, so twice that is close to 200 dpi on paper.
pub const SCALE: f32 = 2.0;

/// Families tried, in this order, for the charts' generic `sans-serif`
/// (their own first choices, system-ui and Segoe UI, are rarely installed
/// on Linux): the first one the machine has wins.
const SANS: [&str; 6] = ["Arial", "Helvetica", "Liberation Sans", "Arimo", "Noto Sans", "DejaVu Sans"];

/// One font database for every chart of a run: loading the system fonts
/// is the slow part, so it is done on the first chart, if there is one.
#[derive(Default)]
pub struct Rasteriser {
    options: OnceLock<usvg::Options<'static>>,
}

/// A chart drawn to PNG, with its size in pixels.
pub struct Png {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

impl Rasteriser {
    pub fn new() -> Self {
        Self::default()
    }

    fn options(&self) -> &usvg::Options<'static> {
        self.options.get_or_init(Self::load)
    }

    fn load() -> usvg::Options<'static> {
        let mut db = usvg::fontdb::Database::new();
        db.load_system_fonts();
        let families: Vec<String> = db.faces().flat_map(|f| f.families.iter().map(|(name, _)| name.clone())).collect();
        if let Some(sans) = SANS.iter().find(|want| families.iter().any(|have| have.eq_ignore_ascii_case(want))) {
            db.set_sans_serif_family(*sans);
        }
        usvg::Options { fontdb: Arc::new(db), ..usvg::Options::default() }
    }

    /// Draws `svg` at [`SCALE`] on white (Word shows transparency as the
    /// page colour, which need not be white).
    pub fn png(&self, svg: &str) -> Result<Png, String> {
        let tree = usvg::Tree::from_str(svg, self.options()).map_err(|e| format!("cannot read the chart SVG: {e}"))?;
        let size = tree.size().to_int_size().scale_by(SCALE).ok_or("the chart SVG has no size")?;
        let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).ok_or("the chart SVG is too large")?;
        pixmap.fill(tiny_skia::Color::WHITE);
        resvg::render(&tree, tiny_skia::Transform::from_scale(SCALE, SCALE), &mut pixmap.as_mut());
        let bytes = pixmap.encode_png().map_err(|e| format!("cannot encode the chart as PNG: {e}"))?;
        Ok(Png { bytes, width: size.width(), height: size.height() })
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
    fn broken_svg_is_an_error_not_a_panic() {
        assert!(Rasteriser::new().png("<svg").is_err());
        assert!(Rasteriser::new().png(r#"<svg xmlns="http://www.w3.org/2000/svg" width="0" height="0"/>"#).is_err());
    }
}
