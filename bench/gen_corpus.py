#!/usr/bin/env python3
"""Generates the benchmark corpus of DESIGN.md: N sites, each with a full
record (10 attributes, 6 stages, 16 roles, 30 quotes, 4 lists) and about
6,000 words of narrative over 6 files with tables, footnotes, citations,
cross-references and a code block, as DESIGN.md's performance budget says.
Like a real study, it keeps a private list of the participants' real names
(60, none of them in the reports), which every build checks every page for.

usage: gen_corpus.py OUT_DIR N_SITES
"""
import os
import random
import re
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
WORDS = ("peer mentor resident wing programme support staff community trust training "
         "prison role course activity relationship social capital progression supervision "
         "voice council induction listener family employment education change hope").split()


def sentence(rng, n=14):
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def paragraph(rng, sentences=8):
    return " ".join(sentence(rng) for _ in range(sentences))


def record(i, rng):
    sid = f"site-{i:05d}"
    lines = [
        f"id: {sid}",
        f"title: Peer mentor initiative at HMP Bench {i}",
        f"prison: HMP Bench {i}",
        "wing: Bench wing",
        "authors: [Dr A Researcher]",
        "year: 2024",
        "status: published",
        f"summary: {sentence(rng, 40)}",
        f"weight: {i}",
        "profile:",
        "  category: Category C training prison",
        "  resident_profile: Adult men",
        "  estate: male",
        "  region: North East",
        "  population: 900",
        "delivery:",
        "  role: Peer mentor",
        "  paid: false",
        "  training_provider: Education provider",
        "  training: Level 2 Award in Mentoring",
        "  accreditation: accredited-l2",
        "  supervision: Weekly meeting",
        "  progression: Under review",
        "phases:",
        "  - {name: CFO course, weeks: 8, location: Classroom, cohort: '8-10'}",
        "sample: {interviews: 26}",
        "attributes:",
        "  n: 26",
        "  source: interviews",
        "  illustrative: true",
        "  items:",
    ]
    lines += [f"    - {{name: Attribute {a}, count: {rng.randint(0, 26)}}}" for a in range(10)]
    lines.append("social_capital:")
    lines += [f"  - {{stage: {s}, rating: {rng.choice(['green', 'amber', 'red'])}, evidence: {sentence(rng)}}}"
              for s in range(1, 7)]
    lines.append("ladder: {current: 2, target: 4, note: Bench}")
    lines.append("roles:")
    lines += [f"  - {{title: Role {r}, paid: {str(r % 2 == 0).lower()}, lcr: low, induction: 'Yes', "
              f"single_issue: 'No', bridging: 'Yes', representation: 'No'}}" for r in range(16)]
    lines.append("lists:")
    for name in ["enablers", "barriers", "aspirations", "lessons"]:
        lines += [f"  {name}:", f"    title: {name.capitalize()}", "    ordered: true", "    items:"]
        lines += [f"      - {{text: {sentence(rng, 6)}}}" for _ in range(5)]
    lines += ["tables:", "  recruitment:", "    caption: Recruitment", "    columns: [Mentors, Mentees]",
              "    rows: [['Good record', 'Willing']]"]
    lines += ["recommendations:", "  - heading: Do more", "    items: [One, Two]"]
    lines.append("quotes:")
    lines += [f"  - {{id: q{q}, speaker: Speaker{q}, role: Resident, method: interview, text: {sentence(rng, 10)}}}"
              for q in range(30)]
    return sid, "\n".join(lines) + "\n"


def cited(rng, keys):
    """A paragraph whose sentences cite works of references.yaml as the
    reports do: in brackets, in the running text, and several at once."""
    a, b, c = rng.sample(keys, 3)
    return " ".join([
        sentence(rng)[:-1] + f" [@{a}].",
        f"As @{b} argues, " + sentence(rng).lower(),
        paragraph(rng, 5),
        sentence(rng)[:-1] + f" [see @{a}; @{c}, p. {rng.randint(2, 90)}].",
    ])


def narrative(n, rng, keys):
    parts = [f"---\ntitle: Section {n}\nweight: {n}\n---\n"]
    for h in range(3):
        parts.append(f"## Part {h} {{#sec-s{n}-p{h}}}\n")
        parts.append(paragraph(rng) + "\n")
        parts.append(cited(rng, keys) + "\n")
        parts.append(f"### Detail {h}\n")
        # A cross-reference to a part of another section of the report.
        other = n % 6 + 1
        parts.append(paragraph(rng) + f" See @sec-s{other}-p{h}.[^n{h}]\n")
        parts.append(f"[^n{h}]: {sentence(rng)}\n")
    parts.append("| Column A | Column B |\n|---|---|\n| one | two |\n| three | four |\n")
    parts.append('{{ quote(id="q%d") }}\n' % n)
    shortcode = {1: '{{ profile(id="tbl-profile") }}', 2: '{{ attributes_chart(id="fig-attributes") }}',
                 3: '{{ social_capital(id="fig-social-capital") }}', 4: "{{ roles() }}",
                 5: '{{ list(key="enablers") }}', 6: "{{ recommendations() }}"}[n]
    parts.append(shortcode + "\n")
    # Figures and tables are referred to from the text, as in the reports.
    parts.append({1: "The site's profile is in @tbl-profile.", 2: "@fig-attributes shows the priorities.",
                  3: "@fig-social-capital rates each stage.", 4: "Compare @fig-attributes.",
                  5: "See @tbl-profile.", 6: "See @fig-social-capital."}[n] + "\n")
    if n == 6:
        parts.append("```rust\nfn main() { println!(\"bench\"); }\n```\n")
    return "\n".join(parts)


GIVEN = ("Alice Bronwen Carys Declan Eamon Fiona Gareth Hywel Imogen Jasper "
         "Keziah Lorcan Morwenna Niamh Oisin Peregrine Quentin Rhiannon Seren Tobias").split()
FAMILY = ("Abernethy Blackwood Carrington Dunmore Ellingham Fairweather Grimshaw Hollingsworth "
          "Ingleby Jellicoe Kettleborough Lockwood Marchbanks Northcote Oldroyd Pennington "
          "Quarmby Ravenscroft Sowerby Thistlethwaite").split()


def real_names(rng, n=60):
    """The study's private list, one name per line, as `wingreport new` describes it."""
    return "".join(f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}\n" for _ in range(n))


def main():
    out, count = sys.argv[1], int(sys.argv[2])
    rng = random.Random(42)
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(os.path.join(out, "content", "sites"))
    shutil.copy(os.path.join(REPO, "wingreport.toml"), out)
    for name in ["series.yaml", "frameworks.yaml", "references.yaml", "roles.yaml"]:
        shutil.copy(os.path.join(REPO, "content", name), os.path.join(out, "content", name))
    with open(os.path.join(REPO, "content", "references.yaml")) as f:
        keys = re.findall(r"^- key: (\S+)$", f.read(), re.M)
    os.makedirs(os.path.join(out, "private"))
    with open(os.path.join(out, "private", "real-names.txt"), "w") as f:
        f.write(real_names(random.Random(7)))
    for i in range(count):
        sid, text = record(i, rng)
        site_dir = os.path.join(out, "content", "sites", sid)
        os.makedirs(site_dir)
        with open(os.path.join(site_dir, "site.yaml"), "w") as f:
            f.write(text)
        for n in range(1, 7):
            with open(os.path.join(site_dir, f"{n:02d}.md"), "w") as f:
                f.write(narrative(n, rng, keys))


if __name__ == "__main__":
    main()
