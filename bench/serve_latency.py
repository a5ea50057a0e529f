#!/usr/bin/env python3
"""Part 2 of bench/run.sh: `wingreport serve` save-to-served latency and
memory on a corpus.

Starts serve on a free port, then 10 times appends a unique word to one
site's first narrative file and polls that site's page until the word is
served; the same for its site.yaml (a new summary). Reads serve's VmRSS
after the first build, after those timed saves and after REBUILDS saves in
all. Measures, asserts
nothing; stops serve and puts every edited file back, also on Ctrl+C.

usage: serve_latency.py WINGREPORT_BIN CORPUS_DIR WORK_DIR

Environment: BENCH_REBUILDS (default 100), BENCH_SERVE_TIMES (default 10).
While it runs, WORK_DIR/serve.pid holds serve's pid and WORK_DIR/restore/
the original files (paths relative to CORPUS_DIR), so run.sh's trap can
finish the clean-up if this script is killed outright.
"""
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

POLL = 0.005  # seconds between polls; the resolution of every figure
SETTLE = 0.5  # pause after each served save, so saves never merge into one rebuild
PATIENCE = 120.0  # seconds to wait for one save to be served before counting it lost
FIRST_BUILD_PATIENCE = 1800.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vm_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024 / 1e6
    return float("nan")


class Page:
    """One kept-alive HTTP connection to serve, reopened when it drops."""

    def __init__(self, port, serve):
        self.port = port
        self.serve = serve
        self.conn = None

    def get(self, path):
        """(status, body) or (None, b"") when serve does not answer."""
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.conn.request("GET", path)
            response = self.conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            if self.conn is not None:
                self.conn.close()
            self.conn = None
            return None, b""


class Edits:
    """Files of the corpus edited by the benchmark, each saved once under
    work/restore before its first edit and put back by restore()."""

    def __init__(self, corpus, work):
        self.corpus = corpus
        self.backup = os.path.join(work, "restore")

    def save(self, path, text):
        rel = os.path.relpath(path, self.corpus)
        kept = os.path.join(self.backup, rel)
        if not os.path.exists(kept):
            os.makedirs(os.path.dirname(kept), exist_ok=True)
            shutil.copy2(path, kept)
        # In place, as an editor that writes over the file does.
        with open(path, "w") as f:
            f.write(text)

    def restore(self):
        if not os.path.isdir(self.backup):
            return
        for folder, _, names in os.walk(self.backup):
            for name in names:
                kept = os.path.join(folder, name)
                shutil.copy2(kept, os.path.join(self.corpus, os.path.relpath(kept, self.backup)))
        shutil.rmtree(self.backup)


def wait_for(page, path, word, patience):
    """Seconds until `word` is in the page at `path`, or None."""
    start = time.monotonic()
    while time.monotonic() - start < patience:
        if page.serve.poll() is not None:
            raise SystemExit(f"wingreport serve exited with {page.serve.returncode}")
        status, body = page.get(path)
        if status == 200 and word in body:
            return time.monotonic() - start
        time.sleep(POLL)
    return None


def unique_word():
    # Letters only, so no Markdown or YAML rule splits or styles it.
    return "wrbench" + "".join(chr(ord("a") + b % 26) for b in secrets.token_bytes(10))


def narrative_edit(edits, path):
    word = unique_word()
    with open(path) as f:
        text = f.read()
    edits.save(path, text.rstrip("\n") + f"\n\nAdded for the benchmark: {word}.\n")
    return word


def record_edit(edits, path):
    word = unique_word()
    with open(path) as f:
        text = f.read()
    new, count = re.subn(r"(?m)^summary:.*$", f"summary: Summary changed by the benchmark, {word}.", text, count=1)
    if count != 1:
        raise SystemExit(f"{path}: no top-level `summary:` line to change")
    edits.save(path, new)
    return word


def timed(page, path, edit):
    """Makes one edit; milliseconds from the save until it is served."""
    word = edit()
    took = wait_for(page, path, word.encode(), PATIENCE)
    time.sleep(SETTLE)
    return None if took is None else took * 1000


def summary(times):
    served = [t for t in times if t is not None]
    if not served:
        return "never served", ""
    lost = len(times) - len(served)
    spread = f"{min(served):,.0f}-{max(served):,.0f}" + (f", {lost} not served in {PATIENCE:.0f} s" if lost else "")
    return f"{statistics.median(served):,.0f}", spread


def main():
    binary, corpus, work = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
    repeats = int(os.environ.get("BENCH_SERVE_TIMES", "10"))
    rebuilds = int(os.environ.get("BENCH_REBUILDS", "100"))
    sites = sorted(os.listdir(os.path.join(corpus, "content", "sites")))
    folders = [os.path.join(corpus, "content", "sites", s) for s in sites]
    narratives = [os.path.join(f, sorted(n for n in os.listdir(f) if n.endswith(".md"))[0]) for f in folders]
    records = [os.path.join(f, "site.yaml") for f in folders]
    middle = len(sites) // 2
    page_of = [f"/sites/{s}/index.html" for s in sites]

    # Signals end the script through the same finally as Ctrl+C.
    def stop(signum, _frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    # Also SIGINT: a shell without job control starts background commands
    # with it ignored, and Python then never turns it into KeyboardInterrupt.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)

    edits = Edits(corpus, work)
    port = free_port()
    log_path = os.path.join(work, "serve.log")
    pid_path = os.path.join(work, "serve.pid")
    with open(log_path, "w") as log:
        serve = subprocess.Popen([binary, "serve", "--root", corpus, "--port", str(port)],
                                 stdin=subprocess.DEVNULL, stdout=log, stderr=log, env={**os.environ, "NO_COLOR": "1"})
    try:
        with open(pid_path, "w") as f:
            f.write(str(serve.pid))
        page = Page(port, serve)
        started = time.monotonic()
        while page.get("/")[0] != 200:
            if serve.poll() is not None:
                raise SystemExit(f"wingreport serve exited with {serve.returncode}; see {log_path}")
            if time.monotonic() - started > FIRST_BUILD_PATIENCE:
                raise SystemExit(f"wingreport serve did not answer in {FIRST_BUILD_PATIENCE:.0f} s; see {log_path}")
            time.sleep(0.1)
        first_build = time.monotonic() - started
        rss_first = vm_rss_mb(serve.pid)

        site = page_of[middle]
        narrative = [timed(page, site, lambda: narrative_edit(edits, narratives[middle])) for _ in range(repeats)]
        record = [timed(page, site, lambda: record_edit(edits, records[middle])) for _ in range(repeats)]
        rss_timed = vm_rss_mb(serve.pid)
        # The rest of the rebuilds: other sites, narrative and record in turn.
        done, lost = 2 * repeats, 0
        for i in range(max(0, rebuilds - done)):
            n = (middle + 1 + i) % len(sites)
            edit = narrative_edit if i % 2 == 0 else record_edit
            if timed(page, page_of[n], lambda: edit(edits, (narratives if i % 2 == 0 else records)[n])) is None:
                lost += 1
        done = max(done, rebuilds)
        rss_after = vm_rss_mb(serve.pid)
    finally:
        if serve.poll() is None:
            serve.send_signal(signal.SIGINT)
            try:
                serve.wait(10)
            except subprocess.TimeoutExpired:
                serve.kill()
                serve.wait()
        if os.path.exists(pid_path):
            os.remove(pid_path)
        edits.restore()

    n_mid, s_mid = summary(narrative)
    r_mid, r_spread = summary(record)
    print(f"== Part 2: serve on {len(sites):,} sites ({sites[middle]}; save = file written, served = the word "
          f"in that report's page over HTTP; {repeats} saves each, polled every {POLL * 1000:.0f} ms)")
    print("| measure | median | range |")
    print("|---|---:|---:|")
    print(f"| narrative .md save to served, ms | {n_mid} | {s_mid} |")
    print(f"| site.yaml summary save to served, ms | {r_mid} | {r_spread} |")
    print(f"| first build until / answers, s | {first_build:.1f} | |")
    print(f"| serve VmRSS after the first build, MB | {rss_first:.0f} | |")
    print(f"| serve VmRSS after {2 * repeats} rebuilds (the saves above), MB | {rss_timed:.0f} | |")
    print(f"| serve VmRSS after {done} rebuilds, MB | {rss_after:.0f} | "
          f"{'' if not lost else f'{lost} saves not served in {PATIENCE:.0f} s'} |")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt as stopped:
        sys.exit(f"{os.path.basename(__file__)}: stopped by {stopped or 'SIGINT'}")
