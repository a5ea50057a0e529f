#!/usr/bin/env python3
"""Prints part 1 of bench/run.sh: one Markdown table of the build of each
corpus size by wingreport and Hugo, the ratios wingreport/Hugo, and the
growth from 1,000 to 5,000 sites.

usage: build_table.py RESULTS_DIR SIZE...

RESULTS_DIR holds, for each SIZE, what run.sh measured:
  build-SIZE.json         hyperfine --export-json of the commands named
                          `wingreport` and `hugo` (rebuilds),
                          `wingreport-edit` (a rebuild after one narrative
                          file changed) and `wingreport-first` and
                          `hugo-first` (no output, nor wingreport's build
                          cache, beside them)
  mem-SIZE-TOOL.txt       one peak RSS in KiB per run (/usr/bin/time -f %M)
  size-SIZE-TOOL.txt      the output folder's apparent size in bytes (du -sb)
  stages-SIZE.txt         stderr of one `wingreport build --timings`
"""
import json
import os
import statistics
import sys

TOOLS = [("wingreport", "wingreport"), ("hugo", "Hugo 0.168"),
         ("wingreport-edit", "wingreport, one report edited"),
         ("wingreport-first", "wingreport, first build"), ("hugo-first", "Hugo 0.168, first build")]
GROWTH_GOAL = 5.25


def measure(results, size, tool, runs):
    """Median wall (s), mean CPU user+sys (s), median peak (MB), output (MB)."""
    run = runs.get(tool)
    if run is None:
        return None
    with open(os.path.join(results, f"mem-{size}-{tool}.txt")) as f:
        peaks = [int(line) for line in f if line.strip().isdigit()]
    with open(os.path.join(results, f"size-{size}-{tool}.txt")) as f:
        output = int(f.read().split()[0])
    return {
        "wall": run["median"],
        "cpu": run["user"] + run["system"],
        "peak": statistics.median(peaks) * 1024 / 1e6 if peaks else float("nan"),
        "output": output / 1e6,
        "runs": len(run["times"]),
    }


def stages(results, size):
    """Stage -> milliseconds of one `build --timings`, in the run's order."""
    path = os.path.join(results, f"stages-{size}.txt")
    if not os.path.exists(path):
        return {}
    found = {}
    with open(path) as f:
        for line in f:
            # "  search index      311 ms   14%"
            words = line.split()
            if line.startswith("  ") and len(words) >= 3 and words[-2] == "ms":
                found[" ".join(words[:-3])] = int(words[-3])
    return found


def print_table(header, rows, labels=1):
    """A Markdown table whose first `labels` columns are left-aligned, the rest numbers."""
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
    print("|" + "|".join("-" * (w + 1) + ":" if i >= labels else "-" * (w + 2) for i, w in enumerate(widths)) + "|")
    for r in rows:
        print("| " + " | ".join(c.rjust(w) if i >= labels else c.ljust(w)
                                for i, (c, w) in enumerate(zip(r, widths))) + " |")


def main():
    results, sizes = sys.argv[1], [int(s) for s in sys.argv[2:]]
    rows, measured = [], {}
    for size in sizes:
        with open(os.path.join(results, f"build-{size}.json")) as f:
            runs = {r["command"]: r for r in json.load(f)["results"]}
        found = {tool: measure(results, size, tool, runs) for tool, _ in TOOLS}
        measured[size] = found
        for tool, label in TOOLS:
            m = found[tool]
            if m:
                rows.append([f"{size:,}", label, f"{m['wall']:.2f}", f"{m['cpu']:.2f}", f"{m['peak']:.0f}",
                             f"{m['output']:.1f}"])
        for w, h, label in (("wingreport", "hugo", "ratio wingreport/Hugo"),
                            ("wingreport-edit", "hugo", "ratio one report edited/Hugo"),
                            ("wingreport-first", "hugo-first", "ratio first builds")):
            w, h = found[w], found[h]
            if w and h:
                rows.append([f"{size:,}", label] + [f"{w[k] / h[k]:.2f}x" for k in ("wall", "cpu", "peak", "output")])
    runs = {m["runs"] for found in measured.values() for m in found.values() if m}
    print(f"== Part 1: build (hyperfine, {'/'.join(map(str, sorted(runs)))} runs after a warm-up; "
          "wall = median, CPU = mean user+sys, peak = median of /usr/bin/time %M, "
          "output = du --apparent-size; MB = 10^6 bytes)")
    print_table(["sites", "tool", "wall s", "CPU s", "peak MB", "output MB"], rows, labels=2)
    by_size = {size: stages(results, size) for size in sizes}
    names = list(dict.fromkeys(name for found in by_size.values() for name in found))
    if names:
        print()
        print("wingreport by stage, wall ms of one `build --timings` per size (render includes writing the pages)")
        print_table(["stage"] + [f"{size:,} sites" for size in sizes],
                    [[name] + [f"{by_size[size][name]:,}" if name in by_size[size] else "" for size in sizes]
                     for name in names])
    if 1000 in measured and 5000 in measured:
        small, big = measured[1000]["wingreport"], measured[5000]["wingreport"]
        print(f"growth 5,000 vs 1,000 sites, wingreport: wall {big['wall'] / small['wall']:.2f}x, "
              f"CPU {big['cpu'] / small['cpu']:.2f}x, peak memory {big['peak'] / small['peak']:.2f}x "
              f"(goal at most {GROWTH_GOAL}x)")


if __name__ == "__main__":
    main()
