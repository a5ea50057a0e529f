//! `wingreport serve` end to end: a real server on an ephemeral port, the
//! live-reload channel, an edit, a broken record and its fix. The server is
//! killed when the test ends, pass or fail.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::*;

/// Kills the server however the test ends.
struct Server {
    child: Child,
    address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(root: &std::path::Path) -> Server {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("wingreport"))
        .args(["serve", "--port", "0", "--root"])
        .arg(root)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // Owned by the guard before anything can fail, so the process never outlives the test.
    let mut server = Server { child, address: String::new() };
    let line = rx.recv_timeout(Duration::from_secs(30)).expect("serve prints its address");
    server.address = line.split("http://").nth(1).unwrap().split('/').next().unwrap().to_string();
    assert!(server.address.starts_with("127.0.0.1:"), "binds loopback by default: {line}");
    server
}

/// The body of a GET, de-chunked.
fn get(server: &Server, path: &str) -> String {
    let mut stream = TcpStream::connect(&server.address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    if !head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        return body.to_string();
    }
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

    let mut channel = subscribe(&server);
    edit(root, "content/sites/drake-hall/site.yaml", "  estate: female", "  estate: femail");
    wait_for(&mut channel, "event: reload");
    let broken = get(&server, "/sites/drake-hall/");
    let line = line_of(root, "content/sites/drake-hall/site.yaml", "estate: femail");
    assert!(broken.contains(&format!("content/sites/drake-hall/site.yaml:{line}:11")), "overlay names file and line");
    assert!(broken.contains("did you mean `female`?"));
    assert!(broken.contains("A sentence written while the preview was open."), "the last good page stays underneath");

    let mut channel = subscribe(&server);
    edit(root, "content/sites/drake-hall/site.yaml", "  estate: femail", "  estate: female");
    wait_for(&mut channel, "event: reload");
    assert!(!get(&server, "/sites/drake-hall/").contains("wingreport-errors"), "fixing the file clears the overlay");
    assert!(!root.join("output").exists(), "serve never writes output/");
}

#[test]
fn a_broken_first_build_still_serves_the_problems() {
    let dir = bundled_project();
    edit(dir.path(), "content/sites/drake-hall/site.yaml", "  estate: female", "  estate: femail");
    let server = start(dir.path());
    let page = get(&server, "/");
    assert!(page.contains("wingreport-errors"), "{page}");
    assert!(page.contains("content/sites/drake-hall/site.yaml"));
}

#[test]
fn drafts_are_previewed_with_their_mark() {
    let dir = bundled_project();
    edit(dir.path(), "content/sites/risley/site.yaml", "status: published", "status: draft");
    let server = start(dir.path());
    let page = get(&server, "/sites/risley/");
    assert!(page.contains("class=\"draft-mark\""), "draft reports are shown, marked");
    assert!(get(&server, "/no/such/page.html").contains("not part of the site"));
}
