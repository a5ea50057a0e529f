#!/usr/bin/env python3
"""Part 3 of bench/run.sh: the series index, its first search and the
comparison page in headless Chromium from file://, driven through
chromedriver's WebDriver HTTP API with the standard library only.

Each run starts a fresh browser (nothing cached), opens OUTPUT/index.html,
types QUERY into #wr-search-input and times from the box getting focus to
the results list showing a link; then opens OUTPUT/compare/index.html. Bytes
loaded are the sizes on disk of every file:// URL the browser received: the
DevTools network events chromedriver logs, with the page's resource timing
entries (Chromium lists no file:// resources there, and their transferSize
would be 0), so whatever files the search or the page loads are counted,
whatever their names.

usage: browser_load.py OUTPUT_DIR QUERY
Environment: BENCH_BROWSER_RUNS (default 3), CHROMIUM, CHROMEDRIVER.
"""
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

PATIENCE = 120.0
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"

# Installed on the index page before typing: the first focus, keydown or
# input on the search box starts the clock; the first change to the page
# after which the list the box controls is visible and holds a link stops it.
WATCH = """
const input = document.getElementById('wr-search-input');
if (!input) { return false; }
performance.setResourceTimingBufferSize(100000);
const w = window.__wrBench = {start: null, done: null};
const begin = () => { if (w.start === null) { w.start = performance.now(); } };
['focus', 'keydown', 'input'].forEach(t => input.addEventListener(t, begin, true));
const shown = () => {
  const panel = document.getElementById(input.getAttribute('aria-controls') || '')
    || document.querySelector('.search-results');
  return !!panel && !panel.closest('[hidden]') && panel.getClientRects().length > 0
    && !!panel.querySelector('a[href]');
};
const watcher = new MutationObserver(() => {
  if (w.done === null && w.start !== null && shown()) { w.done = performance.now(); watcher.disconnect(); }
});
watcher.observe(document.documentElement, {subtree: true, childList: true, attributes: true});
return true;
"""
LOADED = """
const nav = performance.getEntriesByType('navigation')[0];
const panel = document.getElementById((document.getElementById('wr-search-input') || document.body)
  .getAttribute('aria-controls') || '');
return {
  page: location.href,
  load: nav ? nav.loadEventEnd : null,
  resources: performance.getEntriesByType('resource').map(e => e.name),
  heap: performance.memory ? performance.memory.usedJSHeapSize : null,
  results: panel ? panel.querySelectorAll('a[href]').length : 0,
};
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """A chromedriver and one headless Chromium session with a fresh profile."""

    def __init__(self, chromedriver, chromium):
        self.profile = tempfile.mkdtemp(prefix="wr-bench-chromium-")
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.driver = subprocess.Popen([chromedriver, f"--port={port}"], stdin=subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.session = None
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if self.driver.poll() is not None or time.monotonic() > deadline:
                    self.quit()
                    raise SystemExit(f"chromedriver did not start on port {port}")
                time.sleep(0.05)
        args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--enable-precise-memory-info", "--window-size=1280,900",
                f"--user-data-dir={os.path.join(self.profile, 'profile')}"]
        capabilities = {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium, "args": args,
                                   "perfLoggingPrefs": {"enableNetwork": True, "enablePage": False}},
            "goog:loggingPrefs": {"performance": "ALL"},
        }
        try:
            self.session = self.call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})["sessionId"]
            self.command("POST", "/timeouts", {"pageLoad": int(PATIENCE * 1000), "script": int(PATIENCE * 1000)})
        except BaseException:
            self.quit()
            raise

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=PATIENCE + 30) as response:
                return json.load(response)["value"]
        except urllib.error.HTTPError as e:
            raise SystemExit(f"WebDriver {method} {path}: {e.read().decode(errors='replace')[:500]}") from None

    def command(self, method, path, body=None):
        return self.call(method, f"/session/{self.session}{path}", body)

    def goto(self, url):
        self.command("POST", "/url", {"url": url})

    def js(self, script, args=()):
        return self.command("POST", "/execute/sync", {"script": script, "args": list(args)})

    def type_into(self, css, text):
        element = self.command("POST", "/element", {"using": "css selector", "value": css})[ELEMENT]
        self.command("POST", f"/element/{element}/value", {"text": text})

    def requested(self):
        """The URLs the browser received a response for since the last call
        (chromedriver's performance log, which it empties on each read)."""
        urls = set()
        for entry in self.command("POST", "/se/log", {"type": "performance"}):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.responseReceived":
                urls.add(message["params"]["response"]["url"])
        return urls

    def quit(self):
        if self.session is not None:
            try:
                self.call("DELETE", f"/session/{self.session}")
            except (OSError, SystemExit):
                pass
            self.session = None
        if self.driver.poll() is None:
            self.driver.terminate()
            try:
                self.driver.wait(10)
            except subprocess.TimeoutExpired:
                self.driver.kill()
                self.driver.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def file_url(path):
    return "file://" + urllib.parse.quote(os.path.abspath(path))


def on_disk(urls):
    """(bytes, files): the sizes on disk of the file:// URLs, each once."""
    paths = set()
    for url in urls:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme == "file":
            path = urllib.parse.unquote(parts.path)
            if os.path.isfile(path):
                paths.add(path)
    return sum(os.path.getsize(p) for p in paths), len(paths)


def one_run(browser, output, query):
    """The figures of one fresh browser: index, its first search, compare."""
    run = {}
    browser.requested()
    browser.goto(file_url(os.path.join(output, "index.html")))
    facts = browser.js(LOADED)
    seen = browser.requested() | {facts["page"], *facts["resources"]}
    run["index_load"] = facts["load"]
    run["index_bytes"], run["index_files"] = on_disk(seen)
    if browser.js(WATCH):
        browser.type_into("#wr-search-input", query)
        deadline = time.monotonic() + PATIENCE
        while browser.js("return window.__wrBench.done;") is None and time.monotonic() < deadline:
            time.sleep(0.02)
        timing = browser.js("return window.__wrBench;")
        facts = browser.js(LOADED)
        seen |= browser.requested() | set(facts["resources"])
        run["search_ms"] = None if timing["done"] is None else timing["done"] - timing["start"]
        run["search_bytes"], run["search_files"] = on_disk(seen)
        run["results"] = facts["results"]
        run["heap"] = facts["heap"]
    compare = os.path.join(output, "compare", "index.html")
    if os.path.isfile(compare):
        browser.requested()
        browser.goto(file_url(compare))
        facts = browser.js(LOADED)
        run["compare_load"] = facts["load"]
        run["compare_bytes"], run["compare_files"] = on_disk(browser.requested() | {facts["page"], *facts["resources"]})
    return run


def main():
    output, query = os.path.abspath(sys.argv[1]), sys.argv[2]
    runs = int(os.environ.get("BENCH_BROWSER_RUNS", "3"))
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    chromedriver = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver")

    def stop(signum, _frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    # Also SIGINT: a shell without job control starts background commands
    # with it ignored, and Python then never turns it into KeyboardInterrupt.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)

    results = []
    for _ in range(runs):
        browser = Browser(chromedriver, chromium)
        try:
            results.append(one_run(browser, output, query))
        finally:
            browser.quit()

    def median(key, scale=1.0, digits=0):
        values = [r[key] * scale for r in results if r.get(key) is not None]
        if not values:
            return "n/a", ""
        spread = f"{min(values):,.{digits}f}-{max(values):,.{digits}f}" if len(values) > 1 else ""
        return f"{statistics.median(values):,.{digits}f}", spread

    rows = [("series index load (loadEventEnd), ms", "index_load", 1, 0),
            ("series index bytes loaded, MB", "index_bytes", 1e-6, 3),
            ("series index files loaded", "index_files", 1, 0),
            (f"first search {query!r}: focus to results shown, ms", "search_ms", 1, 0),
            ("first search: results listed", "results", 1, 0),
            ("index + first search bytes loaded, MB", "search_bytes", 1e-6, 3),
            ("index + first search files loaded", "search_files", 1, 0),
            ("JS heap used after the search, MB", "heap", 1e-6, 1),
            ("comparison page load (loadEventEnd), ms", "compare_load", 1, 0),
            ("comparison page bytes loaded, MB", "compare_bytes", 1e-6, 3),
            ("comparison page files loaded", "compare_files", 1, 0)]
    print(f"== Part 3: Chromium from file:// ({output}; median of {runs} fresh browsers; "
          "bytes = sizes on disk of every file:// response)")
    print("| measure | median | range |")
    print("|---|---:|---:|")
    for label, key, scale, digits in rows:
        value, spread = median(key, scale, digits)
        print(f"| {label} | {value} | {spread} |")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt as stopped:
        sys.exit(f"{os.path.basename(__file__)}: stopped by {stopped or 'SIGINT'}")
