//! End to end in a real browser and a real web server (issue 8): Debian's
//! Chromium driven through chromedriver, nginx serving the built series
//! under a sub-path, the same pages from file://, axe-core's WCAG 2.2 A/AA
//! rules on every page, and every chart label's real box measured against
//! the space the chart code gave it.
//!
//! Without chromium, chromedriver or nginx each test prints why it skipped
//! and passes, except under WINGREPORT_E2E=1 or CI=true (.ci/run), where a
//! missing tool fails it. WINGREPORT_AXE names axe-core's `axe.min.js`.

mod common;
#[path = "browser/harness.rs"]
mod harness;

use std::path::Path;

use fantoccini::key::Key;
use harness::{Browser, ESW_SUB_PATH, FIXTURE_SUB_PATH, Nginx, SUB_PATH, Serve};
use serde_json::{Value, json};

/// What one page load looked like, for the log and the assertions.
#[derive(Default)]
struct PageReport {
    console: Vec<String>,
    charts: Vec<String>,
    links: Vec<String>,
    axe_passes: usize,
    axe_violations: Vec<String>,
}

/// Loads `url` and gathers its console errors, its charts' drawn sizes, its
/// links to the same server or to files (without fragments; links to other
/// sites are references, never fetched) and, given axe, its results.
async fn visit(browser: &Browser, url: &str, axe: Option<&str>) -> PageReport {
    browser.goto(url).await;
    let facts = browser
        .js(
            "const local = h => location.protocol === 'file:' ? h.startsWith('file:') : h.startsWith(location.origin + '/');\
             return {\
               charts: [...document.querySelectorAll('svg[role=img]')].map(svg => {\
                 const r = svg.getBoundingClientRect();\
                 return r.width > 0 && r.height > 0 ? '' : `${svg.getAttribute('aria-labelledby')}: ${r.width}x${r.height}`;\
               }),\
               links: [...document.querySelectorAll('a[href]')].map(a => a.href.replace(/#.*$/, '')).filter(local) };",
            vec![],
        )
        .await;
    let mut report = PageReport {
        console: browser.console_errors().await,
        charts: strings(&facts["charts"]).into_iter().filter(|c| !c.is_empty()).collect(),
        links: strings(&facts["links"]),
        ..PageReport::default()
    };
    report.links.sort();
    report.links.dedup();
    if let Some(source) = axe {
        (report.axe_passes, report.axe_violations) = browser.axe(source).await;
    }
    report
}

fn strings(value: &Value) -> Vec<String> {
    value.as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

/// The boxes of the page that scroll sideways at the current width but
/// take no keyboard focus or have no name.
const UNREACHABLE_SCROLL_BOXES: &str = "return [...document.querySelectorAll('main *')]
    .filter(e => e.scrollWidth > e.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
    .filter(e => e.tabIndex < 0 || !(e.getAttribute('aria-label') || e.getAttribute('aria-labelledby')))
    .map(e => e.tagName.toLowerCase() + '.' + e.className);";

/// True when the page at the current window width scrolls sideways.
async fn scrolls_sideways(browser: &Browser) -> bool {
    browser.js("const d = document.documentElement; return d.scrollWidth > d.clientWidth;", vec![]).await
        == Value::Bool(true)
}

/// Loads `url`, Tabs from the top of the page to the search box, types
/// `query` and waits for results.
async fn type_query(browser: &Browser, url: &str, query: &str) {
    browser.goto(url).await;
    let mut tabs = 0;
    while browser.js("return document.activeElement.id === 'wr-search-input';", vec![]).await != Value::Bool(true) {
        tabs += 1;
        assert!(tabs <= 40, "{url}: 40 presses of Tab never reached the search box");
        browser.press(&char::from(Key::Tab).to_string()).await;
    }
    browser.press(query).await;
    browser
        .wait_until(
            "return document.querySelectorAll('#wr-search-panel:not([hidden]) .search-results a').length > 0;",
            &format!("search results for {query:?} on {url}"),
        )
        .await;
}

/// A word most sections hold: ten results, then a "more results" button
/// that ArrowDown from the last result reaches and Enter presses, listing
/// the next ones with the focus on the first of them.
async fn assert_more_results_by_keyboard(browser: &Browser, url: &str) {
    type_query(browser, url, "peer ").await;
    let listed = async || browser.js("return document.querySelectorAll('.search-results a').length;", vec![]).await;
    assert_eq!(listed().await, json!(10), "{url}: the best ten are listed first");
    let down = char::from(Key::Down).to_string();
    for _ in 0..11 {
        browser.press(&down).await;
    }
    let on_more = "const b = document.activeElement; return b.matches('.search-more') && !b.hidden;";
    assert_eq!(browser.js(on_more, vec![]).await, Value::Bool(true), "{url}: ArrowDown from the tenth result");
    browser.press(&char::from(Key::Enter).to_string()).await;
    browser.wait_until("return document.querySelectorAll('.search-results a').length > 10;", "more results").await;
    let focused = "return document.activeElement === document.querySelectorAll('.search-results a')[10];";
    assert_eq!(browser.js(focused, vec![]).await, Value::Bool(true), "{url}: the focus is on the eleventh result");
    assert!(browser.console_errors().await.is_empty(), "{url}: console errors after more results");

    // One Escape from a result closes the list and puts the focus back in
    // the box (found by an audit: the box's focus opened the list again).
    browser.press(&char::from(Key::Escape).to_string()).await;
    let state =
        "return [document.activeElement.matches('.search-input'), document.querySelector('.search-panel').hidden];";
    assert_eq!(browser.js(state, vec![]).await, json!([true, true]), "{url}: Escape closes the results");

    // A query with nothing to look for says so, rather than closing.
    browser.js("document.querySelector('.search-input').value = '';", vec![]).await;
    browser.press("a").await;
    browser.wait_until("return !document.querySelector('.search-panel').hidden;", "the panel").await;
    let said = browser.js("return document.querySelector('.search-summary').textContent;", vec![]).await;
    assert_eq!(said, json!("Type a word of two or more letters or digits"), "{url}");

    // A one-letter word is left out, and the summary says so (an audit's
    // "HMP Bench 7" listed every report with no word of why).
    browser.press(" peer").await;
    let summary = "document.querySelector('.search-summary').textContent";
    browser.wait_until(&format!("return {summary}.includes('not searched');"), "the summary naming the letter").await;
    let said = browser.js(&format!("return {summary};"), vec![]).await;
    let said = said.as_str().unwrap_or_default();
    assert!(said.ends_with("; \u{201c}a\u{201d} is not searched (one letter)"), "{url}: {said}");
}

/// Keyboard only: Tab from the top of the page to the search box, type
/// `query`, wait for results, ArrowDown onto the first and Enter on it.
/// Returns the result links' hrefs and the URL the Enter led to.
async fn search_by_keyboard(browser: &Browser, url: &str, query: &str) -> (Vec<String>, String) {
    type_query(browser, url, query).await;
    let hrefs = strings(
        &browser.js("return [...document.querySelectorAll('.search-results a')].map(a => a.href);", vec![]).await,
    );
    browser.press(&char::from(Key::Down).to_string()).await;
    let focused = browser
        .js("const a = document.activeElement; return a.matches('.search-results a') ? a.href : '';", vec![])
        .await;
    assert_eq!(
        focused.as_str(),
        hrefs.first().map(String::as_str),
        "{url}: ArrowDown from the search box moves to the first result"
    );
    browser.press(&char::from(Key::Enter).to_string()).await;
    browser
        .wait_until(
            &format!("return location.href !== {} && document.readyState === 'complete';", json!(url)),
            "the page the result leads to",
        )
        .await;
    let landed = browser.js("return location.href;", vec![]).await.as_str().unwrap_or_default().to_string();
    (hrefs, landed)
}

/// Search for a word only the Drake Hall report uses: a result leads, by
/// keyboard alone, to a section of that report that exists.
async fn assert_search_works(browser: &Browser, index_url: &str) {
    let (hrefs, landed) = search_by_keyboard(browser, index_url, "Hamlet").await;
    assert!(hrefs.first().is_some_and(|h| h.contains("/sites/drake-hall/")), "{index_url}: results {hrefs:?}");
    assert!(landed.contains("/sites/drake-hall/index.html#"), "{index_url}: Enter on the first result opened {landed}");
    let target =
        browser.js("return !!document.getElementById(decodeURIComponent(location.hash.slice(1)));", vec![]).await;
    assert_eq!(target, Value::Bool(true), "{landed}: the result's section is on the page");
    assert!(browser.console_errors().await.is_empty(), "{landed}: console errors after a search");
}

fn built(with_fixture: bool) -> (tempfile::TempDir, std::path::PathBuf) {
    let project = harness::project(with_fixture);
    let out = project.path().join("site");
    harness::build(project.path(), &out);
    (project, out)
}

#[tokio::test]
async fn the_series_served_by_nginx_under_a_sub_path_loads_cleanly_and_passes_axe() {
    let Some(tools) = harness::tools("nginx sub-path") else { return };
    let (_project, out) = built(false);
    let nginx = Nginx::start(&tools, &[(SUB_PATH, &out)]);
    let browser = Browser::start(&tools).await;
    let pages = harness::pages(&out);
    let mut problems = Vec::new();
    for page in &pages {
        let url = nginx.url(&format!("{SUB_PATH}{page}"));
        let report = visit(&browser, &url, tools.axe.as_deref()).await;
        if tools.axe.is_some() {
            harness::say(&format!(
                "axe {page}: {} rules passed, {} violations",
                report.axe_passes,
                report.axe_violations.len()
            ));
        }
        problems.extend(report.console.iter().map(|c| format!("{page}: console error: {c}")));
        problems.extend(report.charts.iter().map(|c| format!("{page}: chart not visible: {c}")));
        problems.extend(report.axe_violations.iter().map(|v| format!("{page}: axe: {v}")));
        for link in &report.links {
            let path = link.strip_prefix(&nginx.url("")).unwrap_or(link);
            if !path.starts_with(SUB_PATH) {
                problems.push(format!("{page}: link outside {SUB_PATH}: {link}"));
            } else if nginx.status(path) != 200 {
                problems.push(format!("{page}: link target is {}: {link}", nginx.status(path)));
            }
        }
    }
    browser.client.set_window_size(390, 844).await.unwrap();
    for page in &pages {
        browser.goto(&nginx.url(&format!("{SUB_PATH}{page}"))).await;
        if scrolls_sideways(&browser).await {
            problems.push(format!("{page}: scrolls sideways at 390 px"));
        }
        // A box that scrolls on a phone (a chart kept legible, a wide table)
        // must be reachable by keyboard, and named for a screen reader.
        let unreachable = browser.js(UNREACHABLE_SCROLL_BOXES, vec![]).await;
        problems.extend(
            strings(&unreachable).iter().map(|b| format!("{page}: at 390 px, {b} scrolls but no keyboard reaches it")),
        );
    }
    browser.close().await;

    let requests = nginx.requests();
    for (status, method, path) in &requests {
        if !(200..400).contains(status) {
            problems.push(format!("nginx answered {status} to {method} {path}"));
        }
        if !path.starts_with(SUB_PATH) {
            problems.push(format!("request outside {SUB_PATH}: {method} {path}"));
        }
    }
    harness::say(&format!(
        "nginx {SUB_PATH}: {} pages checked, {} requests seen, {} problems",
        pages.len(),
        requests.len(),
        problems.len()
    ));
    assert!(pages.iter().any(|p| p.starts_with("sites/")) && pages.contains(&"compare/index.html".to_string()));
    assert!(requests.iter().any(|(_, _, p)| p.ends_with("static/style.css")), "the stylesheet was requested");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// With `url` set, the output's 404.html is what the server shows at any
/// address it lacks, at any depth under the sub-path: styled, with its top
/// bar, search and links working (found by an intranet publishing audit:
/// there was no such page, and a free page used as one broke at depth). The
/// intranet may be reached by another host name than `url` gives (found by
/// a later audit: the page's `<base>` sent its styles to that host, which
/// its own security policy refused), and the skip link stays on the page.
#[tokio::test]
async fn the_not_found_page_works_at_any_depth_under_a_sub_path() {
    let Some(tools) = harness::tools("nginx 404") else { return };
    let project = harness::project(false);
    let out = project.path().join("site");
    let port = harness::free_port();
    let server = format!("    error_page 404 {SUB_PATH}404.html;");
    let nginx = Nginx::start_on(&tools, &[(SUB_PATH, &out)], port, &server);
    let config = project.path().join("wingreport.toml");
    let toml = std::fs::read_to_string(&config).unwrap();
    let other_host = nginx.url(SUB_PATH).replace("127.0.0.1", "localhost");
    std::fs::write(&config, format!("url = \"{other_host}\"\n{toml}")).unwrap();
    harness::build(project.path(), &out);

    let browser = Browser::start(&tools).await;
    let missing = nginx.url(&format!("{SUB_PATH}sites/nope/deeper/x"));
    let report = visit(&browser, &missing, tools.axe.as_deref()).await;
    let title = browser.js("return document.title;", vec![]).await;
    assert!(title.as_str().unwrap_or_default().starts_with("Page not found"), "{title}");
    let styled = browser.js("return getComputedStyle(document.querySelector('.topbar')).display;", vec![]).await;
    assert_ne!(styled, json!("inline"), "the stylesheet applies");
    // The one error: the 404 status of the address asked for.
    let others: Vec<&String> = report.console.iter().filter(|c| !c.starts_with(&format!("{missing} "))).collect();
    assert!(others.is_empty(), "{others:?}");
    assert!(report.axe_violations.is_empty(), "{:?}", report.axe_violations);
    browser.close().await;
    assert!(report.links.contains(&nginx.url(&format!("{SUB_PATH}index.html"))), "{:?}", report.links);
    // Links are listed without their fragment: the skip link is the page itself.
    assert!(report.links.contains(&missing), "the skip link stays on the page: {:?}", report.links);
    for link in report.links.iter().filter(|l| !l.starts_with(&missing)) {
        let path = link.strip_prefix(&nginx.url("")).unwrap_or(link);
        assert_eq!(nginx.status(path), 200, "{link}");
    }
}

#[tokio::test]
async fn search_under_nginx_finds_a_report_section_by_keyboard() {
    let Some(tools) = harness::tools("nginx search") else { return };
    let (_project, out) = built(false);
    let nginx = Nginx::start(&tools, &[(SUB_PATH, &out)]);
    let browser = Browser::start(&tools).await;
    assert_search_works(&browser, &nginx.url(&format!("{SUB_PATH}index.html"))).await;
    browser.close().await;
    let errors: Vec<_> =
        nginx.requests().into_iter().filter(|(s, _, p)| *s >= 400 || !p.starts_with(SUB_PATH)).collect();
    assert!(errors.is_empty(), "{errors:?}");
    // The manifest, the shard of "ha" and document shards: nothing more.
    // The manifest is asked for afresh, and the shards by the version it
    // names, so no cache can answer with an earlier build's (found by an
    // intranet publishing audit: a withdrawn report's sections were results).
    let loaded: Vec<(String, String)> = nginx
        .requests()
        .into_iter()
        .filter(|(_, _, p)| p.contains("static/search/"))
        .map(|(_, _, p)| {
            let file = p.rsplit("static/search/").next().unwrap_or_default();
            let (file, query) = file.split_once('?').unwrap_or((file, ""));
            (file.to_string(), query.to_string())
        })
        .collect();
    let manifest = std::fs::read_to_string(out.join("static/search/manifest.js")).unwrap();
    let version = manifest.split("\"version\":\"").nth(1).and_then(|v| v.split('"').next()).unwrap();
    assert_eq!(version.len(), 16, "{manifest:.200}");
    let files: Vec<&str> = loaded.iter().map(|(f, _)| f.as_str()).collect();
    assert!(files.contains(&"manifest.js") && files.contains(&"t/ha.js"), "{loaded:?}");
    for (file, query) in &loaded {
        match file.as_str() {
            "manifest.js" => assert!(query.starts_with("t="), "{loaded:?}"),
            _ => {
                assert!((file == "t/ha.js" || file.starts_with("p/")) && *query == format!("v={version}"), "{loaded:?}")
            }
        }
    }
}

#[tokio::test]
async fn pages_opened_from_file_urls_have_their_styles_and_search() {
    let Some(tools) = harness::tools("file://") else { return };
    let (_project, out) = built(false);
    let browser = Browser::start(&tools).await;
    let pages = harness::pages(&out);
    let mut problems = Vec::new();
    for page in &pages {
        let url = file_url(&out.join(page));
        let report = visit(&browser, &url, None).await;
        problems.extend(report.console.iter().map(|c| format!("{page}: console error: {c}")));
        problems.extend(report.charts.iter().map(|c| format!("{page}: chart not visible: {c}")));
        for link in &report.links {
            let file = link.strip_prefix("file://").map(url_decode);
            if !file.as_deref().is_some_and(|f| Path::new(f).is_file()) {
                problems.push(format!("{page}: link to a missing file: {link}"));
            }
        }
        // The skip link is moved off-screen by style.css: styles applied.
        let styled = browser
            .js("const s = document.querySelector('.skip-link'); return !!s && getComputedStyle(s).position === 'absolute';", vec![])
            .await;
        if styled != Value::Bool(true) {
            problems.push(format!("{page}: style.css not applied"));
        }
    }
    harness::say(&format!("file://: {} pages checked, {} problems", pages.len(), problems.len()));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_search_works(&browser, &file_url(&out.join("index.html"))).await;
    assert_more_results_by_keyboard(&browser, &file_url(&out.join("sites/drake-hall/index.html"))).await;
    browser.close().await;
}

/// Found by a theme author's audit: the pages' Content-Security-Policy
/// had no `font-src`, so `default-src 'none'` blocked every font of a
/// theme's `static/`, on screen and in `wingreport pdf`, with no error.
#[tokio::test]
async fn a_theme_font_loads_from_file_urls() {
    let Some(tools) = harness::tools("theme font") else { return };
    use resvg::usvg::fontdb::Source;
    let font = wingreport::fonts::system()
        .faces()
        .find_map(|face| match &face.source {
            Source::File(path) if path.extension().is_some_and(|e| e == "ttf") => Some(path.clone()),
            _ => None,
        })
        .expect("a TrueType font on this machine (Debian: fonts-dejavu-core)");
    let css = "@font-face { font-family: \"Brand\"; src: url(\"fonts/brand.ttf\") format(\"truetype\"); }\n\
               h1 { font-family: \"Brand\", sans-serif; }\n";
    let project = common::themed_project(css);
    let fonts = project.path().join("themes/acme/static/fonts");
    std::fs::create_dir_all(&fonts).unwrap();
    std::fs::copy(&font, fonts.join("brand.ttf")).unwrap();
    let out = project.path().join("site");
    harness::build(project.path(), &out);
    let browser = Browser::start(&tools).await;
    browser.goto(&file_url(&out.join("sites/drake-hall/index.html"))).await;
    let status = browser
        .js(
            "return document.fonts.load('1em Brand').catch(() => []).then(() => document.fonts.ready).then(() =>\
               [...document.fonts].filter(f => f.family.replace(/\"/g, '') === 'Brand').map(f => f.status));",
            vec![],
        )
        .await;
    let console = browser.console_errors().await;
    browser.close().await;
    assert_eq!(status, json!(["loaded"]), "{console:?}");
    assert!(console.is_empty(), "{console:?}");
}

/// At 400 % zoom (a window of 320 by 256 CSS px) each search result that
/// ArrowDown moves to is seen whole, inside both the results panel and the
/// window: an audit found a result taller than the panel.
#[tokio::test]
async fn each_search_result_is_seen_whole_at_400_percent_zoom() {
    let Some(tools) = harness::tools("search at 400% zoom") else { return };
    let (_project, out) = built(false);
    let browser = Browser::start(&tools).await;
    let zoomed = json!({ "width": 320, "height": 256, "deviceScaleFactor": 1, "mobile": false });
    browser.cdp("Emulation.setDeviceMetricsOverride", zoomed).await;
    let url = file_url(&out.join("sites/drake-hall/index.html"));
    type_query(&browser, &url, "peer ").await;
    assert_eq!(browser.js("return [innerWidth, innerHeight];", vec![]).await, json!([320, 256]));
    let listed = browser.js("return document.querySelectorAll('.search-results a').length;", vec![]).await;
    let listed = listed.as_u64().unwrap();
    let mut problems = Vec::new();
    for result in 1..=listed {
        browser.press(&char::from(Key::Down).to_string()).await;
        let seen = browser
            .js(
                "const a = document.activeElement, panel = a.closest('.search-panel');\
                 if (!a.matches('.search-results a') || !panel) { return 'the focus is not on a result'; }\
                 const r = a.getBoundingClientRect(), p = panel.getBoundingClientRect();\
                 const top = Math.max(0, p.top + panel.clientTop);\
                 const bottom = Math.min(innerHeight, p.top + panel.clientTop + panel.clientHeight);\
                 return r.top >= top - 0.5 && r.bottom <= bottom + 0.5 ? '' :\
                   `drawn from ${Math.round(r.top)} to ${Math.round(r.bottom)} px, seen from ${Math.round(top)} to ${Math.round(bottom)}`;",
                vec![],
            )
            .await;
        let seen = seen.as_str().unwrap_or("no answer");
        if !seen.is_empty() {
            problems.push(format!("result {result}: {seen}"));
        }
    }
    browser.close().await;
    harness::say(&format!("search at 400% zoom: {listed} results, {} not seen whole", problems.len()));
    assert!(listed >= 5, "only {listed} results for \"peer\"");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn file_url(path: &Path) -> String {
    let path = path.canonicalize().unwrap();
    let mut url = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => url.push(byte as char),
            _ => url.push_str(&format!("%{byte:02X}")),
        }
    }
    url
}

fn url_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = (bytes[i] == b'%')
            .then(|| std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok().and_then(|h| u8::from_str_radix(h, 16).ok()))
            .flatten();
        match hex {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The fixture (the series plus a site with a task list, an image and wide
/// names) passes axe on every page, and its image loads: task-list
/// checkboxes need an accessible name.
#[tokio::test]
async fn the_fixture_with_a_task_list_and_an_image_passes_axe() {
    let Some(tools) = harness::tools("fixture axe") else { return };
    let (_project, out) = built(true);
    let nginx = Nginx::start(&tools, &[(FIXTURE_SUB_PATH, &out)]);
    let browser = Browser::start(&tools).await;
    let mut problems = Vec::new();
    for page in harness::pages(&out).iter().filter(|p| *p != "sites/wide-names/index.html") {
        let report = visit(&browser, &nginx.url(&format!("{FIXTURE_SUB_PATH}{page}")), tools.axe.as_deref()).await;
        problems.extend(report.axe_violations.iter().map(|v| format!("{page}: axe: {v}")));
        problems.extend(report.console.iter().map(|c| format!("{page}: console error: {c}")));
    }
    let url = nginx.url(&format!("{FIXTURE_SUB_PATH}sites/wide-names/index.html"));
    let report = visit(&browser, &url, tools.axe.as_deref()).await;
    let facts = browser
        .js(
            "const img = document.querySelector('main img');\
             return { img: img ? [img.alt, img.complete && img.naturalWidth > 0] : null,\
                      tasks: [...document.querySelectorAll('main li')].map(li => li.textContent.trim())\
                        .filter(t => t.startsWith('Why do you need it?')).length };",
            vec![],
        )
        .await;
    browser.close().await;
    if tools.axe.is_some() {
        harness::say(&format!(
            "axe fixture: wide-names {} rules passed, {} violations; {} problems on the other pages",
            report.axe_passes,
            report.axe_violations.len(),
            problems.len()
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(report.console.is_empty(), "{:?}", report.console);
    assert_eq!(facts["tasks"], 1, "the task list is on the page");
    assert_eq!(facts["img"], json!(["Plan of the wing: two landings around a central association area", true]));
    let failed: Vec<_> = nginx.requests().into_iter().filter(|(s, _, _)| *s >= 400).collect();
    assert!(failed.is_empty(), "{failed:?}");
    // Last, as it waits on the Markdown work of issue 8: the task list's
    // checkboxes are unlabelled until then (axe: critical `label`).
    assert!(report.axe_violations.is_empty(), "{}", report.axe_violations.join("\n"));
}

/// The second bundled study (examples/esw: a cover of publisher, ISBN and
/// licence, list cells, annexes, role-only quotes) passes axe on every page
/// and loads cleanly under a sub-path of its own.
#[tokio::test]
async fn the_esw_example_passes_axe() {
    let Some(tools) = harness::tools("esw axe") else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("esw");
    harness::build(&common::repo().join("examples/esw"), &out);
    let nginx = Nginx::start(&tools, &[(ESW_SUB_PATH, &out)]);
    let browser = Browser::start(&tools).await;
    let mut problems = Vec::new();
    for page in harness::pages(&out) {
        let report = visit(&browser, &nginx.url(&format!("{ESW_SUB_PATH}{page}")), tools.axe.as_deref()).await;
        if tools.axe.is_some() {
            harness::say(&format!(
                "axe esw {page}: {} rules passed, {} violations",
                report.axe_passes,
                report.axe_violations.len()
            ));
        }
        problems.extend(report.axe_violations.iter().map(|v| format!("{page}: axe: {v}")));
        problems.extend(report.console.iter().map(|c| format!("{page}: console error: {c}")));
    }
    // The study's one report card is as wide as the summary above it, not
    // 18rem beside empty columns (QA30-C F18).
    browser.goto(&nginx.url(&format!("{ESW_SUB_PATH}index.html"))).await;
    // Measured once the theme's stylesheet and fonts apply: on a busy
    // machine the card was once 1224 px beside 1264, the 40 px a list is
    // indented by before the theme's `.cards { padding: 0 }`.
    let styled = "return document.readyState === 'complete' && document.fonts.status === 'loaded' \
        && getComputedStyle(document.querySelector('.card').parentElement).paddingLeft === '0px';";
    browser.wait_until(styled, "the theme's stylesheet").await;
    let widths = browser
        .js(
            "return ['.card', '.cover-summary'].map(s => document.querySelector(s).getBoundingClientRect().width);",
            vec![],
        )
        .await;
    let (card, summary) = (widths[0].as_f64().unwrap(), widths[1].as_f64().unwrap());
    if card < summary - 1.0 {
        problems.push(format!("index.html: the lone card is {card:.0} px wide beside a summary of {summary:.0} px"));
    }
    browser.close().await;
    let failed: Vec<_> = nginx.requests().into_iter().filter(|(s, _, _)| *s >= 400).collect();
    assert!(failed.is_empty(), "{failed:?}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// An image with no alt text is a build error at its source line (issue 8);
/// `alt=""` is not asked for here, as decoration is allowed.
#[test]
fn an_image_without_alt_text_is_refused_at_its_source_line() {
    let project = harness::project(true);
    let file = project.path().join("content/sites/wide-names/01-checklist.md");
    let text = std::fs::read_to_string(&file).unwrap();
    let line = text.lines().position(|l| l.starts_with("![Plan of the wing")).expect("the fixture's image") + 1;
    std::fs::write(&file, text.replace("![Plan of the wing: two landings around a central association area]", "![]"))
        .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wingreport"))
        .args(["build", "--quiet", "--root"])
        .arg(project.path())
        .arg("--output")
        .arg(project.path().join("site"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("content/sites/wide-names/01-checklist.md:{line}:")), "{err}");
    assert!(err.contains("alt"), "{err}");
}

/// A box: (left, top, right, bottom) in the chart's viewBox units.
type Rect = [f64; 4];

fn rect(value: &Value, from: usize) -> Rect {
    std::array::from_fn(|k| value[from + k].as_f64().unwrap_or(f64::NAN))
}

/// How far `a` overlaps `b` on each axis (negative: apart).
fn overlap(a: &Rect, b: &Rect) -> (f64, f64) {
    (a[2].min(b[2]) - a[0].max(b[0]), a[3].min(b[3]) - a[1].max(b[1]))
}

fn inside(a: &Rect, b: &Rect, slack: f64) -> bool {
    a[0] >= b[0] - slack && a[1] >= b[1] - slack && a[2] <= b[2] + slack && a[3] <= b[3] + slack
}

/// The problems with one chart's labels, measured by the browser: a label
/// outside the viewBox, two labels on top of each other, or a label that
/// runs over the edge of a bar or cell (each label is drawn either on a
/// shape, wholly inside it, or off every shape, as axis labels and counts are).
fn label_problems(chart: &Value) -> Vec<String> {
    // Glyph boxes run from the font's ascent to its descent, taller than the
    // ink: adjacent lines may touch by a pixel or two without anything
    // overlapping on screen, so overlaps count from SLACK on.
    const SLACK: f64 = 2.0;
    let name = chart["name"].as_str().unwrap_or_default();
    let view = rect(&chart["view"], 0);
    let texts: Vec<(String, Rect)> = chart["texts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t[0].as_str().unwrap_or_default().to_string(), rect(t, 1)))
        .collect();
    let shapes: Vec<Rect> = chart["rects"].as_array().unwrap().iter().map(|r| rect(r, 0)).collect();
    let mut problems = Vec::new();
    for (i, (text, b)) in texts.iter().enumerate() {
        if !inside(b, &view, 0.5) {
            problems.push(format!("{name}: {text:?} at {b:?} leaves the viewBox {view:?}"));
        }
        for (other, c) in &texts[i + 1..] {
            let (w, h) = overlap(b, c);
            if w > SLACK && h > SLACK {
                problems.push(format!("{name}: {text:?} at {b:?} overlaps {other:?} at {c:?}"));
            }
        }
        // The background fills the viewBox: every label is on it.
        let touched: Vec<&Rect> = shapes
            .iter()
            .filter(|s| !inside(&view, s, 0.5))
            .filter(|s| {
                let (w, h) = overlap(b, s);
                w > SLACK && h > SLACK
            })
            .collect();
        if !touched.is_empty() && !touched.iter().any(|s| inside(b, s, SLACK)) {
            problems.push(format!("{name}: {text:?} at {b:?} runs over the edge of the shapes at {touched:?}"));
        }
    }
    problems
}

/// Every chart label's real box (SVG getBBox in Chromium, with the fonts
/// it really has) against the space the chart code reserved for it, on the
/// fixture whose names are long and wide (capitals, W and M, CJK,
/// full-width forms).
#[tokio::test]
async fn every_chart_label_fits_the_space_its_chart_gave_it() {
    let Some(tools) = harness::tools("chart labels") else { return };
    let (_project, out) = built(true);
    let browser = Browser::start(&tools).await;
    let mut problems = Vec::new();
    let (mut charts, mut labels) = (0, 0);
    for page in harness::pages(&out) {
        browser.goto(&file_url(&out.join(&page))).await;
        let measured = browser
            .js(
                "const box = e => { const b = e.getBBox(); return [b.x, b.y, b.x + b.width, b.y + b.height]; };\
                 const own = t => [...t.childNodes].filter(n => n.nodeType === 3).map(n => n.data).join('').trim();\
                 return [...document.querySelectorAll('svg[role=img]')].map(svg => {\
                   const v = svg.viewBox.baseVal;\
                   return { name: svg.getAttribute('aria-labelledby').split(' ')[0],\
                     view: [v.x, v.y, v.x + v.width, v.y + v.height],\
                     texts: [...svg.querySelectorAll('text')].filter(own).map(t => [own(t), ...box(t)]),\
                     rects: [...svg.querySelectorAll('rect')].map(box) };\
                 });",
                vec![],
            )
            .await;
        for chart in measured.as_array().unwrap() {
            charts += 1;
            labels += chart["texts"].as_array().map_or(0, Vec::len);
            problems.extend(label_problems(chart).into_iter().map(|p| format!("{page}: {p}")));
        }
    }
    // Without a CJK font Chromium draws empty boxes narrower than real
    // glyphs, and the CJK names would be measured short.
    let cjk = browser
        .js(
            "const c = document.createElement('canvas').getContext('2d'); c.font = '100px sans-serif';\
             return c.measureText('中').width / 100;",
            vec![],
        )
        .await
        .as_f64()
        .unwrap_or_default();
    browser.close().await;
    harness::say(&format!(
        "chart labels: {labels} labels in {charts} charts measured, {} problems; a CJK character is {cjk:.2} em here",
        problems.len()
    ));
    assert!(cjk >= 0.95 || !harness::strict(), "no CJK font: install fonts-wqy-microhei (.ci/run does)");
    assert!(charts > 0 && labels > 0, "no chart was measured");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Chromium's accessibility tree names each chart by its `<title>` alone
/// and describes it by its `<desc>`: named by both, a chart had its
/// description read twice by a screen reader.
#[tokio::test]
async fn chromium_names_each_chart_by_its_title_and_describes_it_by_its_desc() {
    let Some(tools) = harness::tools("chart names") else { return };
    let (_project, out) = built(false);
    let browser = Browser::start(&tools).await;
    let mut problems = Vec::new();
    let mut charts = 0;
    for page in ["sites/drake-hall/index.html", "compare/index.html"] {
        browser.goto(&file_url(&out.join(page))).await;
        let drawn = browser
            .js(
                "const said = e => e ? e.textContent.trim().replace(/\\s+/g, ' ') : '';\
                 return [...document.querySelectorAll('svg[role=img]')]\
                   .map(svg => [said(svg.querySelector('title')), said(svg.querySelector('desc'))]);",
                vec![],
            )
            .await;
        let drawn: Vec<(String, String)> = serde_json::from_value(drawn).unwrap();
        let named = browser.accessible_names("svg[role=img]").await;
        assert_eq!(named.len(), drawn.len(), "{page}: every chart is in the accessibility tree");
        for ((name, description), (title, desc)) in named.iter().zip(&drawn) {
            charts += 1;
            if (name, description) != (title, desc) {
                problems
                    .push(format!("{page}: named {name:?} and described {description:?}, not {title:?} and {desc:?}"));
            }
        }
    }
    browser.close().await;
    harness::say(&format!("chart names: {charts} charts, {} problems", problems.len()));
    assert!(charts >= 4, "only {charts} charts");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The label checker itself, on boxes made up for it: each kind of problem
/// is found, and labels placed as the charts place them pass.
#[test]
fn the_label_checker_finds_each_kind_of_problem() {
    let chart = |texts: Value| json!({ "name": "t", "view": [0, 0, 100, 50], "rects": [[0, 0, 100, 50], [40, 10, 80, 30]], "texts": texts });
    // A label left of a bar, a count right of it, a symbol inside it.
    let fine = chart(json!([["label", 2, 12, 38, 28], ["19", 82, 12, 95, 28], ["✓", 50, 12, 60, 28]]));
    assert_eq!(label_problems(&fine), Vec::<String>::new());
    let outside = label_problems(&chart(json!([["WWWW", -30, 12, 38, 28]])));
    assert!(outside.len() == 1 && outside[0].contains("leaves the viewBox"), "{outside:?}");
    let over = label_problems(&chart(json!([["label", 20, 12, 60, 28]])));
    assert!(over.len() == 1 && over[0].contains("runs over the edge"), "{over:?}");
    let apart = label_problems(&chart(json!([["a", 2, 32, 30, 48], ["b", 20, 34, 60, 48]])));
    assert!(apart.len() == 1 && apart[0].contains("overlaps"), "{apart:?}");
    // Lines whose glyph boxes touch by less than SLACK do not count.
    assert!(label_problems(&chart(json!([["a", 2, 32, 30, 41], ["b", 2, 40, 30, 49]]))).is_empty());
}

/// How the overlay looks (each element's colours, font, spacing, layout
/// and generated content) before and after a theme's stylesheet of global
/// rules is added: the pairs that differ. Found by a QA audit (QA30-C
/// F15): a theme's `h1, h2 { color: #5b2a86 }` set the overlay's heading
/// purple on its near-black panel.
const THEME_OVER_THE_PANEL: &str = "
    const panel = document.getElementById('wingreport-errors');
    const looks = () => [panel, ...panel.querySelectorAll('*')].map(e => { const s = getComputedStyle(e);
      return [e.tagName, s.color, s.backgroundColor, s.fontFamily, s.fontSize, s.fontWeight, s.textTransform,
        s.letterSpacing, s.display, s.position, s.marginTop, s.paddingLeft, getComputedStyle(e, '::before').content].join(' | '); });
    const before = looks();
    const theme = document.createElement('style');
    theme.textContent = `body { font: 20px Georgia, serif; text-transform: uppercase; letter-spacing: 2px; }
      h1, h2 { font-family: Georgia, serif; color: #5b2a86; } h1::before { content: '# '; }
      div, details, summary, ol, li, p, strong, span { color: purple; background: #fff; margin: 2em; padding: 1em; }
      li::marker { color: purple; } .wingreport-hint { color: #000; }`;
    document.head.append(theme);
    const after = looks();
    theme.remove();
    return before.map((b, i) => [b, after[i]]).filter(([b, a]) => b !== a).map(([b, a]) => `${b} became ${a}`);";

/// The preview as a researcher uses it: an open tab reloads on a save, a
/// broken record shows the problems over the page, and the fix clears them.
#[tokio::test]
async fn serve_reloads_an_open_tab_and_shows_then_clears_mistakes() {
    let Some(tools) = harness::tools("serve") else { return };
    let project = harness::project(false);
    let root = project.path();
    let serve = Serve::start(root);
    let browser = Browser::start(&tools).await;
    browser.goto(&serve.url("sites/drake-hall/index.html")).await;
    browser.wait_until("return document.readyState === 'complete';", "the report to load").await;

    let findings = root.join("content/sites/drake-hall/02-findings.md");
    let mut text = std::fs::read_to_string(&findings).unwrap();
    text.push_str("\nA sentence saved while the tab was open.\n");
    std::fs::write(&findings, &text).unwrap();
    browser
        .wait_until(
            "return document.body.innerText.includes('A sentence saved while the tab was open.');",
            "the open tab to reload with the edit",
        )
        .await;

    let record = root.join("content/sites/drake-hall/site.yaml");
    let good = std::fs::read_to_string(&record).unwrap();
    std::fs::write(&record, good.replacen("estate: female", "estate: femail", 1)).unwrap();
    browser
        .wait_until(
            "const o = document.getElementById('wingreport-errors'); return !!o && o.innerText.includes('site.yaml');",
            "the overlay to name the broken record",
        )
        .await;
    if let Some(source) = &tools.axe {
        let (passes, violations) = browser.axe(source).await;
        harness::say(&format!("axe serve overlay: {passes} rules passed, {} violations", violations.len()));
        assert!(violations.is_empty(), "the overlay: {violations:#?}");
    }
    let restyled = browser.js(THEME_OVER_THE_PANEL, vec![]).await;
    assert_eq!(restyled, json!([]), "a theme's stylesheet restyled the overlay");

    std::fs::write(&record, &good).unwrap();
    browser
        .wait_until(
            "return !document.getElementById('wingreport-errors') && document.readyState === 'complete';",
            "the fix to clear the overlay",
        )
        .await;
    let errors = browser.console_errors().await;
    browser.close().await;
    harness::say("serve: edit reloaded the tab; the overlay showed the mistake and the fix cleared it");
    assert!(errors.is_empty(), "console errors: {errors:?}");
}

/// What a phone 390 px wide makes of a comparison page's summary chart and
/// small multiples: for each, whether its box scrolls sideways, the
/// smallest type drawn (in CSS px, after the viewBox's scaling) and the
/// labels cut short with "…"; then whether the page scrolls sideways.
const CHARTS_AT_PHONE_WIDTH: &str = "
    const own = t => [...t.childNodes].filter(n => n.nodeType === 3).map(n => n.data).join('').trim();
    const charts = [...document.querySelectorAll('#rating-counts svg[role=img], #attribute-multiples svg[role=img]')];
    return { charts: charts.map(svg => {
        const box = svg.closest('.chart-svg'), scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        const texts = [...svg.querySelectorAll('text')].filter(own);
        return { name: svg.getAttribute('aria-labelledby'), scrolls: box.scrollWidth > box.clientWidth + 1,
          smallest: Math.min(...texts.map(t => parseFloat(getComputedStyle(t).fontSize) * scale)),
          cut: texts.map(own).filter(t => t.endsWith('…')) };
      }), page_scrolls: document.documentElement.scrollWidth > document.documentElement.clientWidth };";

/// At 390 px wide the comparison's summary chart and its small multiples
/// are read without scrolling sideways, in type of 11 px or more, with no
/// attribute name cut short: for the bundled series with the wide-names
/// fixture, and for 50 generated sites. An audit found the summary in a
/// box to scroll and the multiples' longer names cut.
#[tokio::test]
async fn the_comparison_charts_read_at_phone_width() {
    let Some(tools) = harness::tools("comparison at 390 px") else { return };
    let (_project, fixture) = built(true);
    let corpus = harness::generated(50);
    let fifty = corpus.path().join("site");
    harness::build(corpus.path(), &fifty);
    let browser = Browser::start(&tools).await;
    let phone = json!({ "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": false });
    browser.cdp("Emulation.setDeviceMetricsOverride", phone).await;
    let mut problems = Vec::new();
    let mut charts = 0;
    for (what, out) in [("bundled and fixture", &fixture), ("50 sites", &fifty)] {
        browser.goto(&file_url(&out.join("compare/index.html"))).await;
        // Once a loaded machine has laid it out with its stylesheet: a CI
        // run measured the 50-site page scrolling, which no rerun did.
        let styled = "return document.readyState === 'complete' && document.styleSheets.length > 0;";
        browser.wait_until(styled, "the comparison page and its stylesheet").await;
        let seen = browser.js(CHARTS_AT_PHONE_WIDTH, vec![]).await;
        if seen["page_scrolls"] != Value::Bool(false) {
            problems.push(format!("{what}: the page scrolls sideways"));
        }
        for chart in seen["charts"].as_array().unwrap() {
            charts += 1;
            let name = format!("{what}: {}", chart["name"].as_str().unwrap_or_default());
            if chart["scrolls"] != Value::Bool(false) {
                problems.push(format!("{name} scrolls sideways"));
            }
            let smallest = chart["smallest"].as_f64().unwrap_or_default();
            if smallest < 11.0 {
                problems.push(format!("{name} has type of {smallest:.1} px"));
            }
            for cut in strings(&chart["cut"]) {
                problems.push(format!("{name} cuts a label short: {cut}"));
            }
        }
    }
    browser.close().await;
    harness::say(&format!("comparison at 390 px: {charts} charts, {} problems", problems.len()));
    assert!(charts >= 4, "only {charts} charts: the summary of each series and the fixture's multiples");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The boxes of the page that scroll sideways, each with whether it shows
/// it: a background with a layer that scrolls with the content (the cover)
/// and one that stays at the box's edge (the shadow), and no opaque chart
/// painted over them.
const SCROLL_CUES: &str = "return [...document.querySelectorAll('main *')]
    .filter(e => e.scrollWidth > e.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
    .map(e => { const s = getComputedStyle(e), attached = s.backgroundAttachment.split(',').map(a => a.trim());
      const hidden = [...e.querySelectorAll(':scope > svg')].some(svg => getComputedStyle(svg).mixBlendMode !== 'multiply');
      return { name: e.tagName.toLowerCase() + '.' + e.className + ' ' + (e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || ''),
        cue: s.backgroundImage.includes('gradient') && attached.includes('local') && attached.includes('scroll') && !hidden }; });";

/// Found by a QA audit (QA30-C F9): at 390 px a report's charts and wide
/// tables, and the comparison's, scrolled inside their boxes cut mid-word
/// at the right edge, with nothing to say there was more. Each box that
/// scrolls sideways on a phone carries a scroll shadow, and none is
/// printed.
#[tokio::test]
async fn a_box_that_scrolls_sideways_on_a_phone_shows_that_it_does() {
    let Some(tools) = harness::tools("scroll cues at 390 px") else { return };
    let (_project, out) = built(true);
    let browser = Browser::start(&tools).await;
    let phone = json!({ "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": true });
    browser.cdp("Emulation.setDeviceMetricsOverride", phone).await;
    let mut problems = Vec::new();
    let mut boxes = 0;
    let pages = harness::pages(&out);
    for page in pages.iter().filter(|p| p.starts_with("sites/") || p.starts_with("compare/")) {
        browser.goto(&file_url(&out.join(page))).await;
        let styled = "return document.readyState === 'complete' && document.styleSheets.length > 0;";
        browser.wait_until(styled, "the page and its stylesheet").await;
        browser.cdp("Emulation.setEmulatedMedia", json!({ "media": "screen" })).await;
        for seen in browser.js(SCROLL_CUES, vec![]).await.as_array().unwrap() {
            boxes += 1;
            if seen["cue"] != Value::Bool(true) {
                problems.push(format!("{page}: {} scrolls with no cue", seen["name"]));
            }
        }
        browser.cdp("Emulation.setEmulatedMedia", json!({ "media": "print" })).await;
        let printed = "return [...document.querySelectorAll('.table-wrap, .chart-svg, pre.code')]
            .filter(e => getComputedStyle(e).backgroundImage !== 'none').map(e => e.className);";
        for shaded in strings(&browser.js(printed, vec![]).await) {
            problems.push(format!("{page}: {shaded} prints a scroll shadow"));
        }
    }
    browser.cdp("Emulation.setEmulatedMedia", json!({ "media": "" })).await;
    browser.close().await;
    harness::say(&format!("scroll cues at 390 px: {boxes} boxes scroll, {} problems", problems.len()));
    assert!(boxes >= 6, "only {boxes} boxes scroll: a report's charts and the comparison's tables should");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Found by a QA audit: a long web address in running text (written as
/// `<https://...>`, or as a link whose text is the address) made a report
/// scroll sideways on a phone: 435 px wide at 390. At 390 px, such an
/// address in a paragraph, a list, a quotation and a footnote breaks
/// inside the page.
#[tokio::test]
async fn a_long_web_address_in_the_text_wraps_at_phone_width() {
    let Some(tools) = harness::tools("long address at 390 px") else { return };
    let project = harness::project(false);
    let address = "https://www.gov.uk/government/publications/prison-education-peer-mentoring-guidance-for-wing-staff";
    std::fs::write(
        project.path().join("content/sites/risley/04-sources.md"),
        format!(
            "---\ntitle: Sources\nweight: 40\n---\n\nThe guidance is published at <{address}>.\n\n\
             - See [{address}]({address}) for the list.\n\n> As the guidance says (<{address}>).\n\n\
             A note.[^src]\n\n[^src]: Published at <{address}>.\n"
        ),
    )
    .unwrap();
    let out = project.path().join("site");
    harness::build(project.path(), &out);
    let browser = Browser::start(&tools).await;
    let phone = json!({ "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": true });
    browser.cdp("Emulation.setDeviceMetricsOverride", phone).await;
    browser.goto(&file_url(&out.join("sites/risley/index.html"))).await;
    let styled = "return document.readyState === 'complete' && document.styleSheets.length > 0;";
    browser.wait_until(styled, "the report and its stylesheet").await;
    // A phone's layout widens to what it holds, so the widths are those of the page.
    let seen = browser
        .js(
            "const d = document.documentElement, links = [...document.querySelectorAll(`main a[href='${arguments[0]}']`)];\
             return { scroll_width: d.scrollWidth, inner_width: innerWidth, links: links.length,\
                      past_the_edge: links.filter(a => a.getBoundingClientRect().right > 390).length };",
            vec![json!(address)],
        )
        .await;
    browser.close().await;
    harness::say(&format!("long address at 390 px: {seen}"));
    assert_eq!(seen["links"], json!(4), "the address is on the page four times: {seen}");
    assert_eq!(seen["past_the_edge"], json!(0), "an address runs past the page's edge: {seen}");
    assert_eq!((&seen["scroll_width"], &seen["inner_width"]), (&json!(390), &json!(390)), "the page is wider: {seen}");
}

/// Beyond one screen of sites the comparison moves its per-site tables to
/// group pages (issue 10): the summary and those pages, served by nginx,
/// pass axe with no console error, every chart drawn and every request
/// answered.
#[tokio::test]
async fn the_comparison_summary_and_its_group_pages_pass_axe() {
    let Some(tools) = harness::tools("compare groups axe") else { return };
    let dir = harness::generated(14);
    // Two regions, so there is more than one group page.
    common::edit(dir.path(), "content/sites/site-00000/site.yaml", "region: North East", "region: Wales");
    let out = dir.path().join("site");
    harness::build(dir.path(), &out);
    let pages: Vec<String> = harness::pages(&out).into_iter().filter(|p| p.starts_with("compare/")).collect();
    assert_eq!(pages, ["compare/index.html", "compare/north-east/index.html", "compare/wales/index.html"]);
    let sub_path = "/intranet/evaluation/compare-groups/";
    let nginx = Nginx::start(&tools, &[(sub_path, &out)]);
    let browser = Browser::start(&tools).await;
    let mut problems = Vec::new();
    for page in &pages {
        let report = visit(&browser, &nginx.url(&format!("{sub_path}{page}")), tools.axe.as_deref()).await;
        if tools.axe.is_some() {
            harness::say(&format!(
                "axe {page}: {} rules passed, {} violations",
                report.axe_passes,
                report.axe_violations.len()
            ));
        }
        problems.extend(report.axe_violations.iter().map(|v| format!("{page}: axe: {v}")));
        problems.extend(report.console.iter().map(|c| format!("{page}: console error: {c}")));
        problems.extend(report.charts.iter().map(|c| format!("{page}: chart not visible: {c}")));
    }
    browser.close().await;
    let failed: Vec<_> = nginx.requests().into_iter().filter(|(s, _, _)| *s >= 400).collect();
    assert!(failed.is_empty(), "{failed:?}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Found by an archive reader's audit: a long series index had no way to
/// narrow its cards. Past one screen of reports a filter keeps the cards
/// that have a word starting with each word typed, and says how many.
#[tokio::test]
async fn the_index_of_a_long_series_filters_its_cards_as_one_types() {
    let Some(tools) = harness::tools("index filter") else { return };
    let dir = harness::generated(14);
    common::edit(dir.path(), "content/sites/site-00003/site.yaml", "region: North East", "region: Wales");
    common::edit(dir.path(), "content/sites/site-00005/site.yaml", "region: North East", "region: Østfold");
    let out = dir.path().join("site");
    harness::build(dir.path(), &out);
    let browser = Browser::start(&tools).await;
    let report = visit(&browser, &file_url(&out.join("index.html")), tools.axe.as_deref()).await;
    assert!(report.console.is_empty() && report.axe_violations.is_empty(), "{:?}", report.axe_violations);
    let shown = "return [...document.querySelectorAll('.cards > .card')].filter(c => c.offsetParent !== null) \
                 .map(c => c.querySelector('.card-title').textContent.trim());";
    let status = "return document.getElementById('wr-cards-shown').textContent;";
    let typed = |query: &'static str| {
        let browser = &browser;
        async move {
            browser.js("const f = document.getElementById('wr-cards-filter'); f.value = ''; f.focus();", vec![]).await;
            browser.press(query).await;
            let settled = format!(
                "return document.getElementById('wr-cards-shown').textContent !== '' && document.getElementById('wr-cards-filter').value === {query:?};"
            );
            browser.wait_until(&settled, &format!("the filter's count for {query:?}")).await;
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            (browser.js(shown, vec![]).await, browser.js(status, vec![]).await)
        }
    };
    let (cards, said) = typed("bench 1").await;
    let titles: Vec<String> = strings(&cards);
    let bench = |n: u32| format!("Peer mentor initiative at HMP Bench {n}");
    assert_eq!(titles, [1, 10, 11, 12, 13].map(bench), "word starts, not substrings: 2024 holds no \"1\" start");
    assert_eq!(said, "Showing 5 of 14 reports.");
    let (cards, said) = typed("WALES").await;
    assert_eq!(strings(&cards), [bench(3)], "any case, by region");
    assert_eq!(said, "Showing 1 of 14 reports.");
    let (cards, _) = typed("ostf").await;
    assert_eq!(strings(&cards), [bench(5)], "ø typed as o, as search reads it");
    let (cards, said) = typed("zzz").await;
    assert_eq!(strings(&cards), Vec::<String>::new());
    assert_eq!(said, "No report's title, prison, wing, region or year holds “zzz”.");
    browser.close().await;
}
