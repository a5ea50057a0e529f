//! The browser suite's machinery: finding the tools, building the sites,
//! nginx on a loopback port, Chromium driven through chromedriver, and axe.
//!
//! Every process started here lives in a guard that kills it (and, for
//! chromedriver, the Chromium it started) when the test ends, passed or not.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};

/// Where nginx serves the bundled series: deep, so a page that reaches for
/// the server root or a fixed prefix shows up in the access log.
pub const SUB_PATH: &str = "/intranet/evaluation/reports/";
/// Where nginx serves the fixture build (bundled series plus a wide-names site).
pub const FIXTURE_SUB_PATH: &str = "/intranet/evaluation/fixture/";
/// Where nginx serves the second bundled study, examples/esw.
pub const ESW_SUB_PATH: &str = "/intranet/evaluation/esw/";

/// The WCAG 2.2 A/AA rule tags axe runs.
pub const AXE_TAGS: [&str; 5] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/// How long a page, a script or a process start may take before the test
/// fails with a message (a hang would otherwise stall CI).
const PATIENCE: Duration = Duration::from_secs(60);

/// Writes a line to the test's stderr past libtest's capture (which takes
/// only `eprintln!`), so the CI log shows what was checked even when the
/// test passes.
pub fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// True where a missing tool must fail the test: CI (.ci/run sets
/// WINGREPORT_E2E=1; CI=true is how CI runs it).
pub fn strict() -> bool {
    std::env::var("WINGREPORT_E2E").is_ok_and(|v| v == "1") || std::env::var("CI").is_ok_and(|v| v == "true")
}

/// The programs the suite drives.
pub struct Tools {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
    pub nginx: PathBuf,
    /// axe-core's `axe.min.js`, from WINGREPORT_AXE.
    pub axe: Option<String>,
}

fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    // nginx lives in /usr/sbin, which is not on every user's PATH.
    dirs.extend(["/usr/sbin", "/usr/bin"].map(PathBuf::from));
    names.iter().find_map(|name| dirs.iter().map(|d| d.join(name)).find(|p| p.is_file()))
}

/// The tools, or `None` after printing why the test is skipped; under
/// [`strict`] a missing tool fails the test instead.
pub fn tools(test: &str) -> Option<Tools> {
    // WINGREPORT_CHROMIUM, as for `wingreport pdf`, else Debian's chromium.
    let chromium = match std::env::var_os("WINGREPORT_CHROMIUM") {
        Some(path) => Some(PathBuf::from(path)).filter(|p| p.is_file()),
        None => on_path(&["chromium"]),
    };
    let chromedriver = on_path(&["chromedriver"]);
    let nginx = on_path(&["nginx"]);
    let axe = std::env::var_os("WINGREPORT_AXE").map(PathBuf::from);
    let mut missing = Vec::new();
    if chromium.is_none() {
        missing.push("chromium (Debian: apt-get install chromium)");
    }
    if chromedriver.is_none() {
        missing.push("chromedriver (Debian: apt-get install chromium-driver)");
    }
    if nginx.is_none() {
        missing.push("nginx (Debian: apt-get install nginx)");
    }
    let axe = match axe {
        Some(path) => match std::fs::read_to_string(&path) {
            Ok(source) => Some(source),
            Err(err) => panic!("WINGREPORT_AXE={}: {err}", path.display()),
        },
        None => {
            if strict() {
                missing.push("axe-core (npm install axe-core@4, then set WINGREPORT_AXE to its axe.min.js)");
            }
            None
        }
    };
    if !missing.is_empty() {
        let message = format!("{test}: the browser suite needs {}", missing.join(", "));
        assert!(!strict(), "{message} (required under WINGREPORT_E2E=1 or CI=true; .ci/run installs them)");
        say(&format!("skipped: {message}"));
        return None;
    }
    if axe.is_none() {
        say(&format!(
            "{test}: accessibility checks skipped: set WINGREPORT_AXE to axe-core's axe.min.js (.ci/run does)"
        ));
    }
    Some(Tools { chromium: chromium?, chromedriver: chromedriver?, nginx: nginx?, axe })
}

/// A free loopback port (a race with other programs is possible but
/// harmless: the server then fails to start and says so).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_for_port(port: u16, child: &mut Child, what: &str, log: &Path) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited with {status}: {}", std::fs::read_to_string(log).unwrap_or_default());
        }
        assert!(start.elapsed() < PATIENCE, "{what} did not listen on port {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A process killed with its whole process group when dropped.
pub struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        // chromedriver starts Chromium in its own process group: killing the
        // group ends the browser too if the session was not closed.
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", self.0.id())]).status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(command: &mut Command) -> Guard {
    use std::os::unix::process::CommandExt;
    Guard(command.process_group(0).stdin(Stdio::null()).spawn().unwrap_or_else(|e| panic!("{command:?}: {e}")))
}

/// One build of a project into `out`; panics with the build's stderr.
pub fn build(root: &Path, out: &Path) {
    let built = Command::new(env!("CARGO_BIN_EXE_wingreport"))
        .args(["build", "--quiet", "--root"])
        .arg(root)
        .arg("--output")
        .arg(out)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(built.status.success(), "build of {} failed: {}", root.display(), String::from_utf8_lossy(&built.stderr));
}

/// The bundled project, and the same with the fixture (a site with wide
/// names, a task list and an image) laid over it.
pub fn project(with_fixture: bool) -> tempfile::TempDir {
    let dir = crate::common::bundled_project();
    if with_fixture {
        crate::common::copy_tree(&crate::common::repo().join("tests/browser/fixture"), dir.path());
    }
    dir
}

/// A generated project of `sites` reports (bench/gen_corpus.py), unbuilt.
pub fn generated(sites: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let made = std::process::Command::new("python3")
        .arg(crate::common::repo().join("bench/gen_corpus.py"))
        .arg(dir.path())
        .arg(sites.to_string())
        .output()
        .expect("python3 runs bench/gen_corpus.py");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    dir
}

/// Every HTML page of a build, as paths relative to its root, sorted.
pub fn pages(out: &Path) -> Vec<String> {
    let mut pages: Vec<String> = walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| e.path().strip_prefix(out).unwrap().to_string_lossy().replace('\\', "/"))
        .collect();
    pages.sort();
    pages
}

/// nginx on a loopback port serving each (sub-path, folder), with its own
/// config, logs and temp folders, not the system service.
pub struct Nginx {
    pub port: u16,
    dir: tempfile::TempDir,
    _process: Guard,
}

impl Nginx {
    pub fn start(tools: &Tools, sites: &[(&str, &Path)]) -> Nginx {
        Self::start_on(tools, sites, free_port(), "")
    }

    /// On `port`, with `server` directives (such as `error_page`) added.
    pub fn start_on(tools: &Tools, sites: &[(&str, &Path)], port: u16, server: &str) -> Nginx {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display();
        let locations: String = sites
            .iter()
            .map(|(prefix, folder)| format!("    location {prefix} {{ alias {}/; }}\n", folder.display()))
            .collect();
        let config = format!(
            "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{ worker_connections 256; }}\n\
             http {{\n  types {{ text/html html; text/css css; text/javascript js; image/svg+xml svg; image/png png; \
             application/json json; text/csv csv; application/xml xml; text/plain txt; }}\n  \
             default_type application/octet-stream;\n  log_format wr '$status $request_method $request_uri';\n  \
             access_log {d}/access.log wr;\n  client_body_temp_path {d}/tmp; proxy_temp_path {d}/tmp; \
             fastcgi_temp_path {d}/tmp; uwsgi_temp_path {d}/tmp; scgi_temp_path {d}/tmp;\n  \
             server {{\n    listen 127.0.0.1:{port};\n{server}\n{locations}  }}\n}}\n"
        );
        std::fs::write(dir.path().join("nginx.conf"), config).unwrap();
        let mut process = spawn(
            Command::new(&tools.nginx)
                .arg("-p")
                .arg(dir.path())
                .arg("-c")
                .arg(dir.path().join("nginx.conf"))
                .arg("-e")
                .arg(dir.path().join("error.log"))
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        );
        wait_for_port(port, &mut process.0, "nginx", &dir.path().join("error.log"));
        Nginx { port, dir, _process: process }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// (status, method, path) of every request served so far.
    pub fn requests(&self) -> Vec<(u16, String, String)> {
        let log = std::fs::read_to_string(self.dir.path().join("access.log")).unwrap_or_default();
        log.lines()
            .map(|line| {
                let mut parts = line.splitn(3, ' ');
                let status = parts.next().unwrap_or_default().parse().unwrap_or(0);
                let method = parts.next().unwrap_or_default().to_string();
                (status, method, parts.next().unwrap_or_default().to_string())
            })
            .collect()
    }

    /// The status of a GET of `path`, asked over a plain HTTP/1.0 socket.
    pub fn status(&self, path: &str) -> u16 {
        use std::io::{Read, Write};
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
        let mut head = [0u8; 12];
        stream.read_exact(&mut head).unwrap();
        String::from_utf8_lossy(&head[9..12]).parse().unwrap_or(0)
    }
}

/// Chromium driven through chromedriver, with a fresh profile.
pub struct Browser {
    pub client: Client,
    _profile: tempfile::TempDir,
    _driver: Guard,
}

impl Browser {
    pub async fn start(tools: &Tools) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let port = free_port();
        let log = profile.path().join("chromedriver.log");
        let mut driver = spawn(
            Command::new(&tools.chromedriver)
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log.display()))
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        );
        wait_for_port(port, &mut driver.0, "chromedriver", &log);
        let user_data = profile.path().join("profile");
        let mut args: Vec<String> = wingreport::pdf::HEADLESS_FLAGS.iter().map(|f| f.to_string()).collect();
        args.push(format!("--user-data-dir={}", user_data.display()));
        args.push("--window-size=1280,900".into());
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": tools.chromium, "args": args },
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let serde_json::Value::Object(capabilities) = capabilities else { unreachable!() };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}/"))
            .await
            .unwrap_or_else(|e| panic!("cannot start Chromium through chromedriver: {e}"));
        let patience = Some(PATIENCE);
        client
            .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(patience, patience, Some(Duration::ZERO)))
            .await
            .unwrap();
        Browser { client, _profile: profile, _driver: driver }
    }

    /// Ends the session (Chromium quits); the guard then stops chromedriver.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap_or_else(|e| panic!("cannot load {url}: {e}"));
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and returns its value.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client.execute(script, args).await.unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Console messages at level SEVERE (errors, failed loads, CSP
    /// violations) since the last call.
    pub async fn console_errors(&self) -> Vec<String> {
        let entries =
            self.client.issue_cmd(BrowserLog).await.unwrap_or_else(|e| panic!("cannot read the console: {e}"));
        entries
            .as_array()
            .map(|list| {
                list.iter()
                    .filter(|e| e["level"] == "SEVERE")
                    .map(|e| e["message"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Polls `script` (returning a boolean) until it is true; a script
    /// that fails because a navigation is under way counts as not yet.
    pub async fn wait_until(&self, script: &str, what: &str) {
        let start = Instant::now();
        while !self.client.execute(script, vec![]).await.is_ok_and(|v| v == Value::Bool(true)) {
            assert!(start.elapsed() < PATIENCE, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Presses one key (a WebDriver key code such as [`fantoccini::key::Key::Tab`]
    /// or plain text) on whatever has the focus, as a keyboard would.
    pub async fn press(&self, keys: &str) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut actions = KeyActions::new("keyboard".to_string());
        for key in keys.chars() {
            actions = actions.then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key });
        }
        self.client.perform_actions(actions).await.unwrap();
    }

    /// Sends a DevTools command to the page through chromedriver and
    /// returns its result: what WebDriver has no command for, such as the
    /// accessibility tree or a viewport smaller than a window can be.
    pub async fn cdp(&self, command: &str, params: Value) -> Value {
        let sent = Cdp(json!({ "cmd": command, "params": params }).to_string());
        self.client.issue_cmd(sent).await.unwrap_or_else(|e| panic!("DevTools {command} failed: {e}"))
    }

    /// The accessible name and description Chromium computed for each
    /// element `css` matches, in document order.
    /// DevTools can answer from the document before the last navigation on
    /// a loaded machine (CI saw the previous page's 2 charts for the
    /// comparison page's 3), so it is asked until it sees as many elements
    /// as the page's own script does.
    pub async fn accessible_names(&self, css: &str) -> Vec<(String, String)> {
        let count = self.js("return document.querySelectorAll(arguments[0]).length;", vec![json!(css)]).await;
        let deadline = Instant::now() + PATIENCE;
        let nodes = loop {
            let root = self.cdp("DOM.getDocument", json!({ "depth": 0 })).await["root"]["nodeId"].clone();
            let found = self.cdp("DOM.querySelectorAll", json!({ "nodeId": root, "selector": css })).await;
            let nodes = found["nodeIds"].as_array().cloned().unwrap_or_default();
            if json!(nodes.len()) == count || Instant::now() > deadline {
                break nodes;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let mut named = Vec::new();
        for node in nodes {
            let tree =
                self.cdp("Accessibility.getPartialAXTree", json!({ "nodeId": node, "fetchRelatives": false })).await;
            let ax = &tree["nodes"][0];
            let text = |property: &str| ax[property]["value"].as_str().unwrap_or_default().to_string();
            named.push((text("name"), text("description")));
        }
        named
    }

    /// Runs axe-core on the page: (passes, violations as one line each).
    pub async fn axe(&self, source: &str) -> (usize, Vec<String>) {
        let installed = self.js("return typeof window.axe === 'object';", vec![]).await;
        if installed != Value::Bool(true) {
            self.js(&format!("{source}\n;return true;"), vec![]).await;
        }
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 axe.run(document, { runOnly: { type: 'tag', values: arguments[0] }, resultTypes: ['violations'] })\
                   .then(r => done({ passes: r.passes.length, violations: r.violations.map(v =>\
                     `${v.impact} ${v.id}: ${v.help} (${v.nodes.length} node(s): ${v.nodes.slice(0, 3)\
                       .map(n => n.target.join(' ') + ' ' + n.html.slice(0, 120)).join(' | ')})`) }))\
                   .catch(e => done({ error: String(e) }));",
                vec![json!(AXE_TAGS)],
            )
            .await
            .unwrap_or_else(|e| panic!("axe did not run: {e}"));
        assert!(result["error"].is_null(), "axe failed: {}", result["error"]);
        let violations =
            result["violations"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
        (result["passes"].as_u64().unwrap() as usize, violations)
    }
}

/// chromedriver's log endpoint (not in W3C WebDriver, which has no console
/// API): the browser's console since the last read.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/se/log", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.to_string()))
    }
}

/// chromedriver's DevTools endpoint (not in W3C WebDriver): one command
/// for the page, given as `{"cmd": ..., "params": ...}`.
#[derive(Debug)]
struct Cdp(String);

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/goog/cdp/execute", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.0.clone()))
    }
}

/// `wingreport serve` on a free port, killed when dropped.
pub struct Serve {
    _process: Guard,
    port: u16,
}

impl Serve {
    pub fn start(root: &Path) -> Serve {
        let port = free_port();
        let log = root.join("serve.log");
        let mut command = Command::new(env!("CARGO_BIN_EXE_wingreport"));
        command
            .args(["serve", "--port", &port.to_string(), "--root"])
            .arg(root)
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        let mut process = spawn(&mut command);
        wait_for_port(port, &mut process.0, "wingreport serve", &log);
        Serve { _process: process, port }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }
}
