#!/usr/bin/env bash
# Benchmark of DESIGN.md's performance budget: builds a generated corpus of
# N sites (default 1000) with wingreport, and the same Markdown as plain
# pages with Hugo when it is installed (apt-get install hugo hyperfine).
# Measures; asserts nothing. Usage: bench/run.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
work=${BENCH_DIR:-/tmp/wingreport-bench}
mkdir -p "$work"

cargo build --release --quiet
bin=$PWD/target/release/wingreport
python3 bench/gen_corpus.py "$work/corpus-$n" "$n"
echo "corpus: $n sites, $(cat "$work/corpus-$n"/content/sites/*/*.md | wc -w) words of narrative"

echo "== wingreport build (wall time)"
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 1 --runs 5 "$bin build --quiet --root $work/corpus-$n"
else
  for _ in 1 2 3; do /usr/bin/time -f "%e s" "$bin" build --quiet --root "$work/corpus-$n"; done
fi
echo "== wingreport build (peak memory, CPU use)"
/usr/bin/time -f "%M KB peak, %P CPU, %e s" "$bin" build --quiet --root "$work/corpus-$n"
echo "== wingreport check (no writing)"
/usr/bin/time -f "%M KB peak, %P CPU, %e s" "$bin" check --root "$work/corpus-$n" 2>&1 | tail -1

if command -v hugo >/dev/null; then
  site="$work/hugo-$n"
  rm -rf "$site" && mkdir -p "$site/content" "$site/layouts/_default"
  printf 'baseURL = "/"\ntitle = "bench"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n' > "$site/hugo.toml"
  printf '<html><body>{{ .Content }}</body></html>\n' > "$site/layouts/_default/single.html"
  printf '<html><body>{{ range .Pages }}{{ .Title }}{{ end }}</body></html>\n' > "$site/layouts/_default/list.html"
  for dir in "$work/corpus-$n"/content/sites/*/; do
    id=$(basename "$dir")
    mkdir -p "$site/content/$id"
    { printf -- '---\ntitle: %s\n---\n' "$id"
      awk 'FNR == 1 { fence = 0 } /^---$/ && fence < 2 { fence++; next } fence >= 2' "$dir"*.md
    } > "$site/content/$id/index.md"
  done
  echo "== hugo $(hugo version | cut -d' ' -f2) on the same Markdown as plain pages"
  if command -v hyperfine >/dev/null; then
    hyperfine --warmup 1 --runs 5 "hugo --quiet --source $site --destination $work/hugo-out"
  fi
  /usr/bin/time -f "%M KB peak, %P CPU, %e s" hugo --quiet --source "$site" --destination "$work/hugo-out"
fi
