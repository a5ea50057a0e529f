//! `sitemap.xml` listing every page. With `url` set in wingreport.toml the
//! locations are absolute, as crawlers expect; without it they stay
//! relative, so the output still works at any sub-path.

use crate::markdown::escape_html;
use crate::render::OutputFile;

/// The sitemap of an output holding the files at `paths`; only the paths
/// are read, so the files may already be on disk.
pub fn sitemap<'a>(paths: impl IntoIterator<Item = &'a str>, public_url: Option<&str>) -> OutputFile {
    let base = public_url.map(|u| format!("{}/", u.trim_end_matches('/'))).unwrap_or_default();
    // The "page not found" page is no page of the reports.
    let mut pages: Vec<&str> = paths.into_iter().filter(|p| p.ends_with(".html") && *p != super::NOT_FOUND).collect();
    pages.sort_unstable();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for page in pages {
        xml.push_str(&format!("  <url><loc>{}</loc></url>\n", escape_html(&format!("{base}{page}"))));
    }
    xml.push_str("</urlset>\n");
    OutputFile { path: "sitemap.xml".to_string(), bytes: xml.into_bytes() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_listed_relative_or_under_the_public_url() {
        let files = ["sites/a/index.html", "static/style.css", "index.html"];
        let relative = String::from_utf8(sitemap(files, None).bytes).unwrap();
        assert!(relative.contains("<loc>index.html</loc></url>\n  <url><loc>sites/a/index.html</loc>"));
        assert!(!relative.contains("style.css"));
        let absolute = String::from_utf8(sitemap(files, Some("https://intranet.example/reports")).bytes).unwrap();
        assert!(absolute.contains("<loc>https://intranet.example/reports/sites/a/index.html</loc>"));
    }
}
