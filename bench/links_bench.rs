//! Times `links::check` on a synthetic output: N report pages of about
//! 300 KB each, linking to sections, figures, tables, footnotes and other
//! reports. Run with `cargo run --release --example links_bench [N] [KB]` (file: bench/links_bench.rs).
//! or give it a built output folder to check that instead.

use std::time::Instant;

use wingreport::links::{self, AuthoredLink};
use wingreport::render::OutputFile;

/// One report page of about `size` bytes, shaped like a real one.
fn report(i: usize, pages: usize, size: usize) -> String {
    let next = (i + 1) % pages;
    let mut html = String::with_capacity(size + 4_000);
    html.push_str(
        r##"<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Report</title>
<link rel="stylesheet" href="../../static/style.css"><script src="../../static/search.js" defer></script></head>
<body><a class="skip" href="#main">Skip to content</a><nav><a href="../../index.html">Index</a>
<a href="../../compare/">Comparison</a></nav><main id="main">
"##,
    );
    let mut n = 0;
    while html.len() < size {
        n += 1;
        html.push_str(&format!("<section id=\"sec-{n}\"><h2 id=\"heading-{n}\">{n} Staff &amp; residents</h2>\n"));
        for p in 0..4 {
            html.push_str(&format!(
                "<p>Staff &amp; residents – “a second chance”, said the peer mentors on wing {i}. The evaluation \
                 found that relational practice improved the social climate (see <a href=\"#fig-{n}\">Figure {n}</a>, \
                 <a href=\"#tbl-{n}\">Table {n}</a> and <a href=\"../site-{next}/#heading-1\">site {next}</a>; \
                 <a href=\"#ref-buck2020\">Buck, 2020</a>)<sup><a href=\"#fn-{n}-{p}\" id=\"fnref-{n}-{p}\">{p}</a></sup>.</p>\n"
            ));
        }
        html.push_str(&format!(
            "<figure id=\"fig-{n}\"><svg role=\"img\" viewBox=\"0 0 600 300\" aria-labelledby=\"fig-{n}-t\">\
             <title id=\"fig-{n}-t\">Chart</title>{}</svg><figcaption>Figure {n}</figcaption></figure>\n",
            "<rect x=\"1\" y=\"2\" width=\"30\" height=\"40\" fill=\"#1d70b8\"/><text x=\"5\" y=\"10\">Label</text>"
                .repeat(6)
        ));
        html.push_str(&format!(
            "<table id=\"tbl-{n}\"><caption>Table {n}</caption><tr><th>Stage</th><th>Rating</th></tr>\
             <tr><td>1</td><td>Green</td></tr><tr><td>2</td><td>Amber</td></tr></table>\n<ol>"
        ));
        for p in 0..4 {
            html.push_str(&format!("<li id=\"fn-{n}-{p}\">A note. <a href=\"#fnref-{n}-{p}\">↩</a></li>"));
        }
        html.push_str("</ol></section>\n");
    }
    html.push_str(
        "<ul><li id=\"ref-buck2020\">Buck, G. (2020) <a href=\"https://doi.org/10.1000/x\">doi</a></li></ul>\
         </main></body></html>\n",
    );
    html
}

/// Every file of an output folder already built, as the render stage made it.
fn read_output(dir: &std::path::Path) -> Vec<OutputFile> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let path = e.path().strip_prefix(dir).ok()?.to_string_lossy().replace('\\', "/");
            Some(OutputFile { path, bytes: std::fs::read(e.path()).ok()? })
        })
        .collect()
}

fn main() {
    if let Some(dir) = std::env::args().nth(1).map(std::path::PathBuf::from).filter(|d| d.is_dir()) {
        let files = read_output(&dir);
        let started = Instant::now();
        let report = links::check(&files, &[], &[]);
        println!("{} files checked in {:.3} s", files.len(), started.elapsed().as_secs_f64());
        for diag in &report.diagnostics {
            println!("{}: {} [{}]", diag.location(), diag.message, diag.hint.as_deref().unwrap_or(""));
        }
        for link in &report.external {
            println!("external: {} on {}", link.href, link.page);
        }
        return;
    }
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>());
    let pages = args.next().and_then(Result::ok).unwrap_or(1_000);
    let kb = args.next().and_then(Result::ok).unwrap_or(300);
    let mut files: Vec<OutputFile> = (0..pages)
        .map(|i| OutputFile {
            path: format!("sites/site-{i}/index.html"),
            bytes: report(i, pages, kb * 1024).into_bytes(),
        })
        .collect();
    for path in ["index.html", "compare/index.html"] {
        files.push(OutputFile { path: path.to_string(), bytes: b"<!doctype html><h1 id=\"top\">x</h1>".to_vec() });
    }
    for path in ["static/style.css", "static/search.js"] {
        files.push(OutputFile { path: path.to_string(), bytes: Vec::new() });
    }
    // One broken authored link, so the report path is exercised too.
    files[0].bytes.extend_from_slice(b"<a href=\"../site-1/#heading-0\">x</a>");
    let authored = [AuthoredLink {
        page: "sites/site-0/index.html".to_string(),
        href: "../site-1/#heading-0".to_string(),
        path: "content/sites/site-0/01.md".to_string(),
        line: 1,
        col: 1,
        image: false,
    }];
    let bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
    let started = Instant::now();
    let report = links::check(&files, &authored, &[]);
    let elapsed = started.elapsed();
    println!(
        "{pages} pages, {:.0} MB: {} broken, {} external, checked in {:.2} s ({:.0} MB/s) on {} threads",
        bytes as f64 / 1e6,
        report.diagnostics.len(),
        report.external.len(),
        elapsed.as_secs_f64(),
        bytes as f64 / 1e6 / elapsed.as_secs_f64(),
        rayon::current_num_threads()
    );
    for diag in &report.diagnostics {
        println!("{}: {}", diag.location(), diag.message);
    }
}
