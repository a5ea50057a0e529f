//! `wingreport serve` end to end: a real server on an ephemeral port, the
//! live-reload channel, an edit, a broken record and its fix. The server is
//! killed when the test ends, pass or fail.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::*;

/// Kills the server however the test ends.
struct Server {
    child: Child,
    address: String,
    /// The server's terminal log (stderr), line by line.
    log: mpsc::Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(root: &Path) -> Server {
    spawn(serve().args(["--port", "0", "--root"]).arg(root))
}

fn serve() -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("wingreport"));
    command.arg("serve");
    command
}

fn spawn(command: &mut Command) -> Server {
    let server = launch(command);
    assert!(server.address.starts_with("127.0.0.1:"), "binds loopback by default: {}", server.address);
    server
}

/// The server `command` starts, at the address it prints.
fn launch(command: &mut Command) -> Server {
    let mut child = command.env("NO_COLOR", "1").stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let stdout = lines(child.stdout.take().unwrap());
    let log = lines(child.stderr.take().unwrap());
    // Owned by the guard before anything can fail, so the process never outlives the test.
    let mut server = Server { child, address: String::new(), log };
    let line = stdout.recv_timeout(Duration::from_secs(30)).expect("serve prints its address");
    server.address = line.split("http://").nth(1).unwrap().split('/').next().unwrap().to_string();
    server
}

/// The lines of a pipe, read on a thread so the server never blocks on a full pipe.
fn lines(pipe: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    rx
}

/// The first line of the server's log containing `needle`.
fn log_line(server: &Server, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match server.log.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return line,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    panic!("serve logged no line with {needle:?}");
}

/// A response read to the end of a `Connection: close` exchange.
struct Reply {
    status: u16,
    head: String,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

fn request(server: &Server, method: &str, path: &str) -> Reply {
    let mut stream = TcpStream::connect(&server.address).unwrap();
    // Long enough for any queue the test builds up; a hang fails instead of blocking.
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(stream, "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("no status in {head}"));
    let body =
        if head.to_ascii_lowercase().contains("transfer-encoding: chunked") { dechunk(body) } else { body.to_string() };
    Reply { status, head: head.to_string(), body }
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
    out
}

/// The body of a GET that must succeed.
fn get(server: &Server, path: &str) -> String {
    let reply = request(server, "GET", path);
    assert_eq!(reply.status, 200, "GET {path}: {}", reply.head);
    reply.body
}

/// The page served in place of `path` while a real name is found: 503.
fn withheld(server: &Server, path: &str) -> String {
    let reply = request(server, "GET", path);
    assert_eq!(reply.status, 503, "GET {path}: {}", reply.head);
    reply.body
}

fn has_overlay(html: &str) -> bool {
    !select(&scraper::Html::parse_document(html), "#wingreport-errors").is_empty()
}

/// A live-reload subscription: connected and past its `init` event.
fn subscribe(server: &Server) -> BufReader<TcpStream> {
    let mut stream = TcpStream::connect(&server.address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    write!(stream, "GET /_tower-livereload/event-stream HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let mut reader = BufReader::new(stream);
    wait_for(&mut reader, "event: init");
    reader
}

fn wait_for(reader: &mut BufReader<TcpStream>, event: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut line = String::new();
    while Instant::now() < deadline {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) => panic!("the reload channel closed before {event:?}"),
            Ok(_) if line.trim() == event => return,
            Ok(_) => {}
            Err(e) => panic!("no {event:?} from the reload channel: {e}"),
        }
    }
    panic!("no {event:?} within 15 s");
}

#[test]
fn edits_reload_the_page_and_mistakes_show_over_it_until_fixed() {
    let dir = bundled_project();
    let root = dir.path();
    let server = start(root);

    let page = get(&server, "/sites/drake-hall/");
    assert!(page.contains("CFO Hamlet Peer mentor initiative at HMP Drake Hall"));
    assert!(page.contains("_tower-livereload"), "the reload script is injected");
    assert!(!page.contains("wingreport-errors"));

    let mut channel = subscribe(&server);
    let findings = root.join("content/sites/drake-hall/02-findings.md");
    let mut text = std::fs::read_to_string(&findings).unwrap();
    text.push_str("\nA sentence written while the preview was open.\n");
    std::fs::write(&findings, &text).unwrap();
    wait_for(&mut channel, "event: reload");
    assert!(get(&server, "/sites/drake-hall/index.html").contains("A sentence written while the preview was open."));

    // Many editors save by writing a hidden temporary file and renaming it over the original.
    let mut channel = subscribe(&server);
    text.push_str("\nA second sentence, saved the way editors save.\n");
    let temporary = root.join("content/sites/drake-hall/.02-findings.md.tmp");
    std::fs::write(&temporary, &text).unwrap();
    std::fs::rename(&temporary, &findings).unwrap();
    wait_for(&mut channel, "event: reload");
    assert!(get(&server, "/sites/drake-hall/").contains("A second sentence, saved the way editors save."));

    save_and_reload(&server, root, "content/sites/drake-hall/site.yaml", "  estate: female", "  estate: femail");
    let broken = get(&server, "/sites/drake-hall/");
    let line = line_of(root, "content/sites/drake-hall/site.yaml", "estate: femail");
    assert!(broken.contains(&format!("content/sites/drake-hall/site.yaml:{line}:11")), "overlay names file and line");
    assert!(broken.contains("did you mean `female`?"));
    assert!(broken.contains("A sentence written while the preview was open."), "the last good page stays underneath");

    save_and_reload(&server, root, "content/sites/drake-hall/site.yaml", "  estate: femail", "  estate: female");
    assert!(!get(&server, "/sites/drake-hall/").contains("wingreport-errors"), "fixing the file clears the overlay");
    assert!(!root.join("output").exists(), "serve never writes output/");
}

#[test]
fn a_broken_first_build_still_serves_the_problems() {
    let dir = bundled_project();
    edit(dir.path(), "content/sites/drake-hall/site.yaml", "  estate: female", "  estate: femail");
    let server = start(dir.path());
    // Nothing was ever built: each page says so (503, not "not part of the
    // site", which a researcher's audit found misleading) and shows why.
    for path in ["/", "/sites/drake-hall/"] {
        let page = request(&server, "GET", path);
        assert_eq!(page.status, 503, "{path}");
        assert!(has_overlay(&page.body), "{}", page.body);
        assert!(page.body.contains("content/sites/drake-hall/site.yaml"));
        assert!(page.body.contains("The site is not built yet") && !page.body.contains("not part of the site"));
    }
}

#[test]
fn drafts_are_previewed_with_their_mark() {
    let dir = bundled_project();
    edit(dir.path(), "content/sites/risley/site.yaml", "status: published", "status: draft");
    let server = start(dir.path());
    let page = get(&server, "/sites/risley/");
    assert!(page.contains("class=\"draft-mark\""), "draft reports are shown, marked");
    let missing = request(&server, "GET", "/no/such/page.html");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("not part of the site"));
    assert!(!has_overlay(&missing.body));
}

#[test]
fn unknown_paths_are_404_while_the_content_is_broken_too() {
    let dir = bundled_project();
    let root = dir.path();
    let server = start(root);
    save_and_reload(&server, root, "content/sites/drake-hall/site.yaml", "  estate: female", "  estate: femail");

    let missing = request(&server, "GET", "/no/such/page.html");
    assert_eq!(missing.status, 404, "{}", missing.head);
    assert!(has_overlay(&missing.body), "a missing page still shows the problems");
    assert!(missing.body.contains("_tower-livereload"), "and reloads when they are fixed");
    assert_eq!(request(&server, "GET", "/no/such/style.css").status, 404);
    let known = request(&server, "GET", "/sites/drake-hall/");
    assert_eq!(known.status, 200);
    assert!(has_overlay(&known.body));
}

#[test]
fn encoded_addresses_are_decoded_and_a_folder_without_its_slash_is_redirected() {
    let dir = bundled_project();
    let root = dir.path();
    std::fs::write(root.join("content/pages/café.md"), "---\ntitle: Café notes\n---\n\nNotes.\n").unwrap();
    let server = start(root);
    let page = get(&server, "/pages/caf%C3%A9/");
    assert!(page.contains("Café notes"), "{page}");
    let folder = request(&server, "GET", "/sites/drake-hall?from=index");
    assert_eq!(folder.status, 301, "{}", folder.head);
    assert_eq!(folder.header("location"), Some("/sites/drake-hall/?from=index"));
    // Found by a preview audit: `//sites/x` was sent on to `//sites/x/`, a
    // browser's address for the host `sites`.
    assert_eq!(request(&server, "GET", "//sites/drake-hall").header("location"), Some("/sites/drake-hall/"));
    // Found by a preview audit: a mistyped page address had a plain-text
    // 404, without the page that reloads once the address exists.
    let missing = request(&server, "GET", "/sites/no-such-site");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(missing.body.contains("data-generation"), "{}", missing.body);
    assert_eq!(
        request(&server, "GET", "/static/no-such.css").header("content-type"),
        Some("text/plain; charset=utf-8")
    );
}

#[test]
fn methods_other_than_get_and_head_are_refused_with_405() {
    let dir = bundled_project();
    let server = start(dir.path());
    for (method, path) in [("POST", "/"), ("PUT", "/sites/drake-hall/"), ("DELETE", "/_tower-livereload/event-stream")]
    {
        let reply = request(&server, method, path);
        assert_eq!(reply.status, 405, "{method} {path}");
        assert_eq!(reply.header("allow"), Some("GET, HEAD"), "{method} {path}");
    }
    let head = request(&server, "HEAD", "/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty(), "HEAD has no body");
}

#[test]
fn a_busy_explicit_port_is_refused_before_building() {
    let dir = bundled_project();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let output = wingreport()
        .args(["serve", "--port", &port.to_string(), "--root"])
        .arg(dir.path())
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let message =
        format!("error: port {port} is in use; pick another with --port or leave --port out to take the next free one");
    assert!(stderr(&output).contains(&message), "{}", stderr(&output));
    assert!(!stderr(&output).contains("rebuilt"), "the port is checked before the build: {}", stderr(&output));
}

#[test]
fn without_port_the_next_free_port_after_1111_is_taken() {
    let dir = bundled_project();
    // Held here, or by someone else when this fails: either way 1111 is busy.
    let _held = TcpListener::bind("127.0.0.1:1111");
    let server = spawn(serve().arg("--root").arg(dir.path()));
    let port: u16 = server.address.rsplit(':').next().unwrap().parse().unwrap();
    assert!((1112..=1130).contains(&port), "took {port}");
}

/// Sockets the process holds open, from /proc.
#[cfg(target_os = "linux")]
fn sockets(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|fd| std::fs::read_link(fd.path()).is_ok_and(|target| target.to_string_lossy().starts_with("socket:")))
        .count()
}

/// 20,000 idle connections used to stop serve answering (issue 8): each held
/// a file descriptor for ever.
#[cfg(target_os = "linux")]
#[test]
fn idle_and_half_open_connections_are_capped_and_closed_while_requests_are_answered() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    const CAP: usize = 32;
    let dir = bundled_project();
    let limits = ["--max-connections", &CAP.to_string(), "--idle-timeout-ms", "300"];
    let server = spawn(serve().args(["--port", "0"]).args(limits).arg("--root").arg(dir.path()));
    let pid = server.child.id();
    let at_rest = sockets(pid);

    // Watches the server's sockets while the idle connections come and go.
    let done = std::sync::Arc::new(AtomicBool::new(false));
    let most = std::sync::Arc::new(AtomicUsize::new(0));
    let watcher = {
        let (done, most) = (done.clone(), most.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                most.fetch_max(sockets(pid), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let mut idle: Vec<TcpStream> = (0..300).map(|_| TcpStream::connect(&server.address).unwrap()).collect();
    // Half-open: a request head that never ends.
    for stream in idle.iter_mut().step_by(10) {
        stream.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n").unwrap();
    }

    assert!(get(&server, "/sites/drake-hall/").contains("HMP Drake Hall"), "a real request is still answered");
    for (i, stream) in idle.iter_mut().enumerate() {
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut rest = Vec::new();
        match stream.read_to_end(&mut rest) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
            Err(e) => panic!("idle connection {i} was not closed: {e}"),
        }
    }
    done.store(true, Ordering::Relaxed);
    watcher.join().unwrap();
    let most = most.load(Ordering::Relaxed).saturating_sub(at_rest);
    assert!(most > 0, "the watcher saw the server accept connections");
    assert!(most <= CAP, "at most {CAP} connections at once, saw {most}");
}

/// Issue 10: from inside the project with the default root, the watcher's
/// absolute paths never matched the relative root, and every save rebuilt
/// everything.
#[test]
fn serve_from_inside_the_project_without_root_rebuilds_only_the_edited_report() {
    let dir = bundled_project();
    let root = dir.path();
    let server = spawn(serve().args(["--port", "0"]).current_dir(root));

    let mut channel = subscribe(&server);
    let findings = root.join("content/sites/drake-hall/02-findings.md");
    let mut text = std::fs::read_to_string(&findings).unwrap();
    text.push_str("\nA sentence saved from a relative root.\n");
    std::fs::write(&findings, &text).unwrap();
    wait_for(&mut channel, "event: reload");
    assert!(get(&server, "/sites/drake-hall/").contains("A sentence saved from a relative root."));

    let changed = log_line(&server, " changed: ");
    assert!(
        changed.starts_with("content/sites/drake-hall/02-findings.md changed: re-rendered drake-hall and search in "),
        "{changed}"
    );
}

#[test]
fn a_second_serve_reads_the_reports_back_from_the_build_cache_and_serves_the_same_pages() {
    let dir = bundled_project();
    let root = dir.path();
    let paths = ["/sites/risley/", "/sites/drake-hall/", "/static/search/manifest.js", "/static/search/t/pe.js"];
    let first = start(root);
    let line = log_line(&first, "rebuilt everything");
    assert!(line.starts_with("rebuilt everything in "), "nothing to read back yet: {line}");
    let served: Vec<String> = paths.iter().map(|path| get(&first, path)).collect();
    drop(first);

    let second = start(root);
    let line = log_line(&second, "rebuilt everything");
    assert!(line.starts_with("rebuilt everything (4 reports read back from the build cache) in "), "{line}");
    for (path, page) in paths.iter().zip(&served) {
        assert_eq!(&get(&second, path), page, "{path} as the first serve rendered it");
    }
    // A report read back is re-rendered on a save like one rendered.
    save_and_reload(&second, root, "content/sites/risley/01-initiative.md", "\n## Who", "\nA line saved.\n\n## Who");
    assert!(get(&second, "/sites/risley/").contains("A line saved."));
    assert!(log_line(&second, " changed: ").contains("re-rendered risley and search"));
}

/// Replaces `old` with `new` in the file at `path` under `root` and waits
/// for the page to be told to reload.
fn save_and_reload(server: &Server, root: &Path, path: &str, old: &str, new: &str) {
    change_and_reload(server, || edit(root, path, old, new));
}

/// Makes a change to the project and waits for the page to be told to reload.
fn change_and_reload(server: &Server, change: impl FnOnce()) {
    let mut channel = subscribe(server);
    change();
    wait_for(&mut channel, "event: reload");
}

/// Saves a heading of the Risley report and checks that the page served
/// has it: the content folder is watched. The watch of a folder made while
/// serve runs is added by another thread, so it is given a moment first.
/// A copied folder reaches the watcher as many events, so the reload the
/// save waits for can be a late one of the copy's: the page is asked for
/// until it has the heading, and a save never seen still fails.
fn assert_a_save_is_served(server: &Server, root: &Path) {
    std::thread::sleep(Duration::from_millis(200));
    let risley = "content/sites/risley/01-initiative.md";
    save_and_reload(server, root, risley, "## Who the wing is for", "## Who it serves");
    let deadline = Instant::now() + Duration::from_secs(15);
    while !get(server, "/sites/risley/").contains("Who it serves") {
        assert!(Instant::now() < deadline, "the saved heading was never served");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The problems shown over a page, as their text.
fn overlay(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    select(&doc, "#wingreport-errors").iter().map(text).collect()
}

/// A save re-renders one report only, so the links of other reports into
/// it are checked again from what was kept of them: renaming a heading
/// another report links to is caught at that link's Markdown line.
#[test]
fn a_narrative_save_rechecks_the_links_of_other_reports_into_it() {
    let dir = bundled_project();
    let root = dir.path();
    let linking = "content/sites/risley/03-recommendations.md";
    let mut text = std::fs::read_to_string(root.join(linking)).unwrap();
    text.push_str("\nDrake Hall's [recruitment](../drake-hall/#recruitment) was similar.\n");
    std::fs::write(root.join(linking), &text).unwrap();
    let server = start(root);
    assert!(!has_overlay(&get(&server, "/sites/risley/")));

    save_and_reload(&server, root, "content/sites/drake-hall/01-introduction.md", "### Recruitment", "### Recruiting");
    let changed = log_line(&server, " changed: ");
    assert!(changed.contains(": 1 problem found in "), "{changed}");
    assert!(changed.ends_with("; the last good pages are served, with a list of them"), "{changed}");
    let problems = overlay(&get(&server, "/sites/risley/"));
    let line = line_of(root, linking, "../drake-hall/#recruitment");
    assert!(problems.contains(&format!("{linking}:{line}:")), "{problems}");
    assert!(problems.contains("`drake-hall` has no anchor `recruitment`"), "{problems}");

    save_and_reload(&server, root, "content/sites/drake-hall/01-introduction.md", "### Recruiting", "### Recruitment");
    assert!(!has_overlay(&get(&server, "/sites/risley/")), "restoring the heading clears the problem");
}

/// Found by a preview audit: after any mistake every save rebuilt
/// everything, the fix included (2.6 s at 1,000 sites against 35 ms). A
/// refused edit keeps the last good build; its report is built again with
/// each save until fixed, so its mistake stays shown meanwhile.
#[test]
fn a_mistake_and_its_fix_are_re_rendered_not_rebuilt() {
    let dir = bundled_project();
    let root = dir.path();
    let server = start(root);
    let findings = "content/sites/drake-hall/02-findings.md";
    save_and_reload(&server, root, findings, "@buck2018 identifies", "@buck2019 identifies");
    let changed = log_line(&server, " changed: ");
    assert!(changed.contains(": 1 problem found in "), "{changed}");
    assert!(changed.ends_with("; the last good pages are served, with a list of them"), "{changed}");

    let other = "content/sites/risley/01-initiative.md";
    save_and_reload(&server, root, other, "## Who the wing is for", "## Who the wing serves");
    let changed = log_line(&server, " changed: ");
    assert!(changed.contains(": 1 problem found in "), "{changed}");
    assert!(overlay(&get(&server, "/sites/risley/")).contains("@buck2019"), "the mistake is still shown");

    save_and_reload(&server, root, findings, "@buck2019 identifies", "@buck2018 identifies");
    let changed = log_line(&server, " changed: ");
    assert!(changed.contains("re-rendered drake-hall, risley and search in "), "{changed}");
    assert!(!has_overlay(&get(&server, "/sites/drake-hall/")));
    assert!(get(&server, "/sites/risley/").contains("Who the wing serves"), "the other save is served");
}

/// A record save re-renders its report and the pages that read every
/// record, here the index card, without rebuilding everything.
#[test]
fn a_record_save_updates_the_report_and_the_index_card() {
    let dir = bundled_project();
    let root = dir.path();
    let config = std::fs::read_to_string(root.join("wingreport.toml")).unwrap();
    std::fs::write(root.join("wingreport.toml"), format!("url = \"https://intranet.example/cfo/\"\n{config}")).unwrap();
    let server = start(root);
    let (old, new) = ("title: CFO Discovery wings", "title: Renamed Discovery wings");
    save_and_reload(&server, root, "content/sites/risley/site.yaml", old, new);
    let changed = log_line(&server, " changed: ");
    assert!(changed.contains("re-rendered risley, the index, the comparison and search in "), "{changed}");
    let index = scraper::Html::parse_document(&get(&server, "/"));
    let cards: Vec<String> = select(&index, "a").iter().map(text).collect();
    assert!(cards.iter().any(|t| t.contains("Renamed Discovery wings")), "{cards:?}");
    assert!(get(&server, "/sites/risley/").contains("Renamed Discovery wings"));
    assert!(get(&server, "/sitemap.xml").contains("sites/risley/index.html"), "the sitemap is still served");
}

/// The search index numbers pages in the reports' order, so a weight that
/// reorders them renumbers every page: that save rebuilds everything, and
/// the index lists the pages as a build does.
#[test]
fn a_weight_that_reorders_the_reports_rebuilds_the_search_index_in_the_new_order() {
    let dir = bundled_project();
    let root = dir.path();
    let server = start(root);
    save_and_reload(&server, root, "content/sites/risley/site.yaml", "weight: 1", "weight: 9");
    let changed = log_line(&server, " changed: ");
    assert!(changed.contains("changed: rebuilt everything"), "{changed}");
    let served = get(&server, "/static/search/manifest.js");
    let out = tempfile::tempdir().unwrap();
    wingreport::build::build(root, Some(out.path()), true).unwrap();
    let built = std::fs::read_to_string(out.path().join("static/search/manifest.js")).unwrap();
    assert_eq!(served, built);
    let risley = served.find("sites/risley/").expect("risley is listed");
    assert!(served.find("sites/holme-house/").is_some_and(|holme| holme < risley), "{served}");
}

/// Only the saved report's files are scanned for real names, so a name
/// written into it is caught; saving the list alone scans every file again,
/// and a name taken off it clears the problem.
#[test]
fn a_real_name_saved_into_a_report_or_added_to_the_list_is_caught() {
    let dir = bundled_project();
    let root = dir.path();
    std::fs::create_dir_all(root.join("private")).unwrap();
    std::fs::write(root.join("private/real-names.txt"), "Zebedee Quux\n").unwrap();
    let server = start(root);
    assert!(!has_overlay(&get(&server, "/")));

    let mut channel = subscribe(&server);
    let findings = "content/sites/drake-hall/02-findings.md";
    let mut text = std::fs::read_to_string(root.join(findings)).unwrap();
    text.push_str("\nZebedee Quux said so.\n");
    std::fs::write(root.join(findings), &text).unwrap();
    wait_for(&mut channel, "event: reload");
    let problems = overlay(&withheld(&server, "/"));
    assert!(problems.contains("real name `Zebedee Quux` would be published"), "{problems}");
    // Found by QA: the terminal said the last good pages were served.
    let changed = log_line(&server, " changed: ");
    assert!(changed.contains(": 1 problem found in "), "{changed}");
    assert!(
        changed.ends_with("; no page is served until the real name is replaced, only a list of the problems"),
        "{changed}"
    );

    // Fixed, and then a name of the unchanged Risley report is listed.
    let mut channel = subscribe(&server);
    std::fs::write(root.join(findings), text.replace("Zebedee Quux", "A mentor")).unwrap();
    wait_for(&mut channel, "event: reload");
    assert!(!has_overlay(&get(&server, "/")));
    let mut channel = subscribe(&server);
    std::fs::write(root.join("private/real-names.txt"), "Zebedee Quux\nRisley\n").unwrap();
    wait_for(&mut channel, "event: reload");
    let problems = overlay(&withheld(&server, "/sites/drake-hall/"));
    assert!(problems.contains("real name `Risley` would be published"), "{problems}");
    let changed = log_line(&server, "private/real-names.txt changed");
    assert!(
        changed.ends_with("no page is served until the real name is replaced, only a list of the problems"),
        "{changed}"
    );
    // Found by a privacy audit: the last good pages, which hold the name,
    // were still served under the problems. Every page is withheld now.
    let page = request(&server, "GET", "/sites/risley/");
    assert_eq!(page.status, 503);
    let doc = scraper::Html::parse_document(&page.body);
    let main = doc.select(&scraper::Selector::parse("main").unwrap()).next().unwrap();
    let words: String = main.text().collect();
    assert!(words.starts_with("Withheld") && !words.contains("HMP Risley"), "{words}");
    assert_eq!(request(&server, "GET", "/sites/risley/site.json").status, 503);

    let mut channel = subscribe(&server);
    std::fs::write(root.join("private/real-names.txt"), "Zebedee Quux\n").unwrap();
    wait_for(&mut channel, "event: reload");
    assert!(!has_overlay(&get(&server, "/sites/drake-hall/")));
}

/// Found by a re-check: with another mistake pending (an unknown citation
/// in one report, a broken link in the file saved), a name saved into a
/// report was not reported at all and the last good pages stayed served;
/// `check` listed both.
#[test]
fn a_real_name_is_reported_beside_another_pending_mistake() {
    let dir = bundled_project();
    let root = dir.path();
    std::fs::create_dir_all(root.join("private")).unwrap();
    std::fs::write(root.join("private/real-names.txt"), "Zebedee Quux\n").unwrap();
    let server = start(root);
    let risley = "content/sites/risley/01-initiative.md";
    let citation = "\nSee [@nosuchwork].\n";
    let cited = format!("{}{citation}", std::fs::read_to_string(root.join(risley)).unwrap());
    change_and_reload(&server, || std::fs::write(root.join(risley), &cited).unwrap());
    assert!(overlay(&get(&server, "/")).contains("nosuchwork"), "the last good pages, with the problem");

    // A name in another report, rebuilt alone.
    let findings = "content/sites/drake-hall/02-findings.md";
    let text = format!("{}\nZebedee Quux said so.\n", std::fs::read_to_string(root.join(findings)).unwrap());
    change_and_reload(&server, || std::fs::write(root.join(findings), &text).unwrap());
    let problems = overlay(&withheld(&server, "/"));
    assert!(problems.contains("real name `Zebedee Quux` would be published"), "{problems}");
    assert!(problems.contains("nosuchwork"), "{problems}");
    let changed = log_line(&server, "02-findings.md changed: ");
    assert!(changed.contains(": 2 problems found in "), "{changed}");
    assert!(
        changed.ends_with("no page is served until the real name is replaced, only a list of the problems"),
        "{changed}"
    );

    // Both fixed; then a name beside a broken link in the same file.
    save_and_reload(&server, root, risley, citation, "\n");
    save_and_reload(&server, root, findings, "Zebedee Quux", "A mentor");
    assert!(!has_overlay(&get(&server, "/")));
    let linked = format!("{text}\nA [link](../nowhere/index.html).\n");
    change_and_reload(&server, || std::fs::write(root.join(findings), &linked).unwrap());
    let problems = overlay(&withheld(&server, "/"));
    assert!(problems.contains("real name `Zebedee Quux` would be published"), "{problems}");
    assert!(problems.contains("../nowhere/index.html"), "{problems}");
}

/// Found by a re-check: with an unknown citation pending in one report, a
/// broken link saved into another was not reported (the log said "1
/// problem"), where `check` lists both.
#[test]
fn a_broken_link_is_reported_beside_another_reports_pending_mistake() {
    let dir = bundled_project();
    let root = dir.path();
    let server = start(root);
    let risley = "content/sites/risley/01-initiative.md";
    let cited = format!("{}\nSee [@nosuchwork].\n", std::fs::read_to_string(root.join(risley)).unwrap());
    change_and_reload(&server, || std::fs::write(root.join(risley), &cited).unwrap());
    assert!(overlay(&get(&server, "/")).contains("nosuchwork"), "the last good pages, with the problem");

    let findings = "content/sites/drake-hall/02-findings.md";
    let linked =
        format!("{}\nA [link](../nowhere/index.html).\n", std::fs::read_to_string(root.join(findings)).unwrap());
    change_and_reload(&server, || std::fs::write(root.join(findings), &linked).unwrap());
    let problems = overlay(&get(&server, "/"));
    assert!(problems.contains("nosuchwork"), "{problems}");
    assert!(problems.contains("../nowhere/index.html"), "{problems}");
    let changed = log_line(&server, "02-findings.md changed: ");
    assert!(changed.contains(": 2 problems found in "), "{changed}");
}

/// Everything a page holds, its text and its attributes' values, lowercased.
fn all_words(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let words = doc.root_element().descendants().map(|node| match node.value() {
        scraper::Node::Text(text) => text.to_string(),
        scraper::Node::Element(element) => element.attrs().map(|(_, value)| value).collect::<Vec<_>>().join(" "),
        _ => String::new(),
    });
    words.collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Found by a privacy review: with `--bind 0.0.0.0`, anyone who could
/// connect read the real name in the withheld page's problems. The pages
/// say where it is, and only the terminal what it is, unless serve listens
/// on this machine alone.
#[test]
fn a_real_name_found_is_left_out_of_pages_other_machines_can_reach() {
    let dir = bundled_project();
    let root = dir.path();
    std::fs::create_dir_all(root.join("private")).unwrap();
    // Risley is in file and folder names too, which are left out with it.
    std::fs::write(root.join("private/real-names.txt"), "Zebedee Quux\nRisley\n").unwrap();
    let findings = "content/sites/drake-hall/02-findings.md";
    let mut text = std::fs::read_to_string(root.join(findings)).unwrap();
    text.push_str("\nZebedee Quux said so.\n");
    std::fs::write(root.join(findings), &text).unwrap();
    let place = format!("{findings}:{}:", line_of(root, findings, "Zebedee Quux"));

    let mut server = launch(serve().args(["--bind", "0.0.0.0", "--port", "0", "--root"]).arg(root));
    let port = server.address.strip_prefix("0.0.0.0:").expect("listens on every address").to_string();
    server.address = format!("127.0.0.1:{port}");
    for path in ["/", "/sites/drake-hall/", "/no-such-page/"] {
        let page = withheld(&server, path);
        let words = all_words(&page);
        for name in ["zebedee", "quux", "risley"] {
            assert!(!words.contains(name), "{name} in {path}: {words}");
        }
        let problems = overlay(&page);
        assert!(problems.contains(&place), "{path}: {problems}");
        assert!(problems.contains("the terminal running serve shows it"), "{path}: {problems}");
    }
    log_line(&server, "real name `Zebedee Quux` would be published");
    log_line(&server, "a real name found is left out of the pages and shown in this terminal only");

    // Found by a re-check: a problem that is no leak quoted the name to
    // every machine: here a missing picture's path.
    let picture = format!("{text}\n![A ride](zebedee-quux-bikes.jpg)\n");
    change_and_reload(&server, || std::fs::write(root.join(findings), &picture).unwrap());
    let place = format!("{findings}:{}:", line_of(root, findings, "zebedee-quux-bikes"));
    for path in ["/", "/sites/drake-hall/"] {
        let page = withheld(&server, path);
        let words = all_words(&page);
        assert!(!words.contains("zebedee") && !words.contains("quux"), "{path}: {words}");
        let problems = overlay(&page);
        assert!(problems.contains(&place) && problems.contains("quotes a real name"), "{path}: {problems}");
    }
    drop(server);

    std::fs::write(root.join(findings), &text).unwrap();
    let place = format!("{findings}:{}:", line_of(root, findings, "Zebedee Quux"));
    let server = start(root);
    let problems = overlay(&withheld(&server, "/"));
    assert!(problems.contains("real name `Zebedee Quux` would be published"), "{problems}");
    assert!(problems.contains(&place), "{problems}");
}

/// Found by a preview audit: a real-names list made after serve started,
/// in a folder that did not exist then, was never watched, and the name
/// stayed served with no error until an unrelated save.
#[test]
fn a_real_names_list_made_after_the_start_is_watched() {
    let dir = bundled_project();
    let root = dir.path();
    let server = start(root);
    change_and_reload(&server, || std::fs::create_dir_all(root.join("private")).unwrap());
    // The folder is watched from its first rebuild: the list written into it now is seen.
    std::thread::sleep(Duration::from_millis(200));
    change_and_reload(&server, || std::fs::write(root.join("private/real-names.txt"), "Risley\n").unwrap());
    let problems = overlay(&withheld(&server, "/sites/drake-hall/"));
    assert!(problems.contains("real name `Risley` would be published"), "{problems}");
}

/// Found by a preview audit: a project-level mistake (wingreport.toml
/// deleted) reached the terminal only, and the browser kept showing an
/// older problem that was no longer true.
#[test]
fn a_project_level_mistake_is_shown_in_the_browser_too() {
    let dir = bundled_project();
    let root = dir.path();
    let server = start(root);
    let config = std::fs::read_to_string(root.join("wingreport.toml")).unwrap();
    change_and_reload(&server, || std::fs::remove_file(root.join("wingreport.toml")).unwrap());
    let problems = overlay(&get(&server, "/"));
    assert!(problems.contains("no wingreport.toml"), "{problems}");

    change_and_reload(&server, || std::fs::write(root.join("wingreport.toml"), config).unwrap());
    assert!(!has_overlay(&get(&server, "/")));
}

/// Found by a preview audit: after content/ was moved away and back (or
/// replaced by a copy), every later save was ignored: the watch had gone
/// with the old folder.
#[test]
fn content_moved_away_and_back_is_watched_again() {
    let dir = bundled_project();
    let root = dir.path();
    let server = start(root);
    change_and_reload(&server, || std::fs::rename(root.join("content"), root.join("content-away")).unwrap());
    change_and_reload(&server, || copy_tree(&root.join("content-away"), &root.join("content")));
    assert_a_save_is_served(&server, root);
}

/// A report kept elsewhere and linked into the project while serve runs:
/// its later saves were not seen, as a link is no folder made.
#[cfg(unix)]
#[test]
fn a_site_folder_linked_in_while_serving_is_watched() {
    let dir = bundled_project();
    let root = dir.path();
    let elsewhere = tempfile::tempdir().unwrap();
    let risley = root.join("content/sites/risley");
    std::fs::rename(&risley, elsewhere.path().join("risley")).unwrap();
    let server = start(root);
    change_and_reload(&server, || std::os::unix::fs::symlink(elsewhere.path().join("risley"), &risley).unwrap());
    assert_a_save_is_served(&server, root);
}

/// Found by a preview audit: every open tab held a reload stream, so with
/// six tabs open a seventh never loaded (a browser opens six connections to
/// a server). Only a tab on screen holds one now; a tab coming back asks
/// for the build's generation and reloads if it missed a rebuild.
#[test]
fn a_page_knows_its_build_and_can_ask_for_the_current_one() {
    let dir = bundled_project();
    let root = dir.path();
    let server = start(root);
    let generation = || get(&server, "/_wingreport/generation").trim().parse::<u64>().unwrap();
    let page = scraper::Html::parse_document(&get(&server, "/sites/drake-hall/"));
    let scripts = select(&page, "script[data-generation]");
    assert_eq!(scripts.len(), 1, "one reload script, ours");
    assert!(text(&scripts[0]).contains("visibilitychange"));
    assert!(select(&page, "script[data-event-stream]").is_empty(), "tower-livereload's own script is not added");
    let served = scripts[0].value().attr("data-generation").unwrap().parse::<u64>().unwrap();
    assert_eq!(served, generation());

    assert_a_save_is_served(&server, root);
    assert!(generation() > served, "a page from before the save would reload when shown again");
}

/// Found by a preview audit: in a project with no content/ yet, serve
/// failed with "cannot watch the project: No path was found". It now
/// shows the problem and builds once content/ is made.
#[test]
fn a_project_without_content_is_served_once_content_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::copy(repo().join("wingreport.toml"), root.join("wingreport.toml")).unwrap();
    let server = start(root);
    let first = request(&server, "GET", "/");
    assert_eq!(first.status, 503, "nothing built yet");
    assert!(overlay(&first.body).contains("content/series.yaml"), "{}", first.body);
    change_and_reload(&server, || copy_tree(&repo().join("content"), &root.join("content")));
    assert_a_save_is_served(&server, root);
}

/// As `check` does, serve reports a broken record together with the other
/// reports' mistakes, and a record mistake it could set aside together with
/// its own narrative's.
#[test]
fn a_broken_record_does_not_hide_the_other_mistakes_of_the_run() {
    let dir = bundled_project();
    let root = dir.path();
    let server = start(root);
    let mut channel = subscribe(&server);
    edit(
        root,
        "content/sites/risley/site.yaml",
        "authors: [Dr Katherine Albertson]",
        "authors: [Dr Katherine Albertson",
    );
    wait_for(&mut channel, "event: reload");
    let mut text = std::fs::read_to_string(root.join("content/sites/drake-hall/02-findings.md")).unwrap();
    text.push_str("\nAs [@nokey] found.\n");
    let mut channel = subscribe(&server);
    std::fs::write(root.join("content/sites/drake-hall/02-findings.md"), &text).unwrap();
    wait_for(&mut channel, "event: reload");
    let shown = overlay(&get(&server, "/"));
    assert!(shown.contains("content/sites/risley/site.yaml"), "{shown}");
    assert!(shown.contains("`@nokey`"), "{shown}");

    // The record fixed, a mistake set aside in drake-hall's record is shown
    // with its narrative's unknown citation after one save.
    let mut channel = subscribe(&server);
    edit(
        root,
        "content/sites/risley/site.yaml",
        "authors: [Dr Katherine Albertson",
        "authors: [Dr Katherine Albertson]",
    );
    wait_for(&mut channel, "event: reload");
    save_and_reload(&server, root, "content/sites/drake-hall/site.yaml", "  estate: female", "  estate: femail");
    let shown = overlay(&get(&server, "/sites/drake-hall/"));
    assert!(shown.contains("`femail`") && shown.contains("`@nokey`"), "{shown}");
}
