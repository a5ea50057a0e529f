//! `sitemap.xml` listing every page, under `url` of wingreport.toml: the
//! sitemap protocol takes whole addresses only, so without `url` there is
//! none (crawlers reject relative ones).

use crate::markdown::escape_html;
use crate::render::OutputFile;

/// The sitemap of an output holding the files at `paths`, published at
/// `public_url`; only the paths are read, so the files may already be on disk.
pub fn sitemap<'a>(paths: impl IntoIterator<Item = &'a str>, public_url: Option<&str>) -> Option<OutputFile> {
    let base = format!("{}/", public_url?.trim_end_matches('/'));
    // The "page not found" page is no page of the reports.
    let mut pages: Vec<&str> = paths.into_iter().filter(|p| p.ends_with(".html") && *p != super::NOT_FOUND).collect();
    pages.sort_unstable();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for page in pages {
        xml.push_str(&format!("  <url><loc>{}</loc></url>\n", escape_html(&format!("{base}{page}"))));
    }
    xml.push_str("</urlset>\n");
    Some(OutputFile { path: "sitemap.xml".to_string(), bytes: xml.into_bytes() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_listed_under_the_public_url_and_nothing_without_one() {
        let files = ["sites/a/index.html", "static/style.css", "index.html"];
        assert!(sitemap(files, None).is_none(), "a sitemap takes whole addresses only");
        let xml = String::from_utf8(sitemap(files, Some("https://intranet.example/reports")).unwrap().bytes).unwrap();
        assert!(xml.contains(
            "<loc>https://intranet.example/reports/index.html</loc></url>\n  \
             <url><loc>https://intranet.example/reports/sites/a/index.html</loc>"
        ));
        assert!(!xml.contains("style.css"));
    }
}
