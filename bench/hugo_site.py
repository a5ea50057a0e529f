#!/usr/bin/env python3
"""Turns a wingreport corpus into a Hugo site of the same words as plain
pages: one page per site report, its narrative files (front matter removed)
one after the other, with the smallest layouts Hugo accepts. site.yaml is
left out: Hugo has no charts or records to draw, so it gets the prose only.

usage: hugo_site.py CORPUS_DIR OUT_DIR
"""
import os
import shutil
import sys

CONFIG = """baseURL = "/"
title = "bench"
disableKinds = ["taxonomy", "term", "rss", "sitemap"]
"""
SINGLE = "<html><body>{{ .Content }}</body></html>\n"
LIST = "<html><body>{{ range .Pages }}{{ .Title }}{{ end }}</body></html>\n"


def without_front_matter(text):
    """The Markdown after a leading `---` ... `---` block."""
    if text.startswith("---\n"):
        end = text.find("\n---\n", 3)
        if end >= 0:
            return text[end + 5:]
    return text


def main():
    corpus, out = sys.argv[1], sys.argv[2]
    sites = os.path.join(corpus, "content", "sites")
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(os.path.join(out, "layouts"))
    with open(os.path.join(out, "hugo.toml"), "w") as f:
        f.write(CONFIG)
    # Hugo 0.146 and later look for layouts/single.html and layouts/list.html.
    with open(os.path.join(out, "layouts", "single.html"), "w") as f:
        f.write(SINGLE)
    with open(os.path.join(out, "layouts", "list.html"), "w") as f:
        f.write(LIST)
    for sid in sorted(os.listdir(sites)):
        folder = os.path.join(sites, sid)
        parts = [f"---\ntitle: {sid}\n---\n"]
        for name in sorted(os.listdir(folder)):
            if name.endswith(".md"):
                with open(os.path.join(folder, name)) as f:
                    parts.append(without_front_matter(f.read()))
        os.makedirs(os.path.join(out, "content", sid))
        with open(os.path.join(out, "content", sid, "index.md"), "w") as f:
            f.write("\n".join(parts))


if __name__ == "__main__":
    main()
