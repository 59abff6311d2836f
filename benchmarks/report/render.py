"""Renders docs/benchmarks.md from the outputs benchmarks/all.sh keeps in docs/benchmarks/.

Usage: render.py RESULTS_FOLDER PAGE

RESULTS_FOLDER holds machine.json (the machine, versions, fsync time) and NAME.txt, the printed
output of benchmarks/NAME.sh; notes.md, written by hand (where the time goes, per target), is
appended. Every Markdown table of an output is shown as printed, followed by an
SVG chart (NAME-K.svg, written beside the outputs) of Flowline against its reference on a log
scale, so the figures read without the numbers.
"""
import html
import json
import math
import os
import re
import sys

ORDER = ["samples", "tracking", "orchestrator", "orchestrator-postgresql", "workers", "artifacts", "pipeline", "training", "webui"]
TITLES = {
    "samples": "Line-samples service vs FastAPI and a bare Hummingbird server",
    "tracking": "Tracking server vs MLflow",
    "orchestrator": "Orchestrator vs Apache Airflow, on SQLite",
    "orchestrator-postgresql": "Orchestrator vs Apache Airflow, on PostgreSQL",
    "workers": "Remote workers vs Airflow + CeleryExecutor",
    "artifacts": "Artifacts through the tracking server vs MLflow's proxy and boto3",
    "pipeline": "The example pipeline vs Airflow + MLflow + FastAPI",
    "training": "flowline fit vs json + numpy + scikit-learn",
    "webui": "Tracking UI pages with many runs",
}
COMMANDS = {name: f"benchmarks/{name}.sh" for name in ORDER}
COMMANDS["orchestrator-postgresql"] = "DATABASE=postgresql benchmarks/orchestrator.sh"
FLOWLINE, REFERENCE = "#1f6feb", "#9a6700"


def number(cell):
    """The first number of a table cell (commas and units dropped), or None."""
    match = re.search(r"-?\d[\d,]*\.?\d*(?:e[-+]?\d+)?", cell.replace("\u2009", ""))
    if not match or cell.strip() in ("-", ""):
        return None
    try:
        return float(match.group(0).replace(",", ""))
    except ValueError:
        return None


def tables(text):
    """The Markdown tables of `text`: (start line, end line, header cells, rows of cells)."""
    lines = text.splitlines()
    found, index = [], 0
    while index < len(lines):
        if lines[index].startswith("|") and index + 1 < len(lines) and re.match(r"^\|[\s:|-]+\|$", lines[index + 1].strip()):
            start = index
            header = [c.strip() for c in lines[index].strip().strip("|").split("|")]
            index += 2
            rows = []
            while index < len(lines) and lines[index].startswith("|"):
                cells = lines[index].strip().strip("|").split("|")
                # The first cell keeps its indent: an indented row belongs to the row above it.
                rows.append([cells[0].rstrip().removeprefix(" ")] + [c.strip() for c in cells[1:]])
                index += 1
            found.append((start, index, header, rows))
        else:
            index += 1
    return found


def pairs(header, rows):
    """(label, flowline value, reference value, reference name, higher is better) per chartable row.

    A table either has a Flowline column and a reference column (one measure per row), or one row
    per system (a `server`/`system` column) whose first numeric column is the measure."""
    lowered = [h.lower() for h in header]
    system_column = next((i for i, h in enumerate(lowered) if h in ("server", "system")), None)
    if system_column is not None:
        measure = next(i for i in range(len(header)) if i != system_column and i > system_column)
        group_column = 0 if system_column != 0 else None
        groups = {}
        for row in rows:
            key = row[group_column] if group_column is not None else ""
            groups.setdefault(key, []).append(row)
        result = []
        for key, members in groups.items():
            ours = next((r for r in members if "flowline" in r[system_column].lower()), None)
            if ours is None:
                continue
            for other in members:
                if other is ours or "flowline" in other[system_column].lower():
                    continue
                mine, theirs = number(ours[measure]), number(other[measure])
                if mine and theirs:
                    label = f"{header[group_column]} {key}: {header[measure]}" if group_column is not None else header[measure]
                    result.append((label, mine, theirs, other[system_column], True))
        return result
    ours = next((i for i, h in enumerate(lowered) if "flowline" in h and "is" not in h.split()), None)
    if ours is None:
        return []
    theirs = next((i for i in range(len(header)) if i != ours and i > 0 and "flowline" not in lowered[i]
                   and not lowered[i].startswith(("vs ", "largest"))), None)
    if theirs is None:
        return []
    result = []
    parent = ""
    for row in rows:
        if not row[0].startswith(" "):
            parent = row[0].split("(")[0].strip()
        if len(row) <= max(ours, theirs):
            continue
        mine, other = number(row[ours]), number(row[theirs])
        if not mine or not other or mine <= 0 or other <= 0:
            continue
        label = row[0].strip() if not row[0].startswith(" ") else f"{parent}: {row[0].strip()}"
        higher = any(word in label.lower() for word in ("req/s", "tasks/s", "mb/s", "per second", "rate", "finished"))
        result.append((label, mine, other, header[theirs], higher))
    return result


def chart(points, title):
    """An SVG of grouped horizontal bars on a log axis: Flowline and the reference per measure."""
    row_height, left, width, right = 46, 330, 420, 130
    height = 40 + row_height * len(points) + 30
    low = min(min(p[1], p[2]) for p in points)
    high = max(max(p[1], p[2]) for p in points)
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    if last == first:
        last += 1

    def x(value):
        return left + width * (math.log10(value) - first) / (last - first)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + right}" height="{height}" '
             f'font-family="sans-serif" font-size="12" role="img" aria-label="{html.escape(title)}">',
             f'<rect width="100%" height="100%" fill="#ffffff"/>',
             f'<text x="8" y="18" font-size="14" font-weight="bold">{html.escape(title)}</text>',
             f'<rect x="{left}" y="26" width="10" height="10" fill="{FLOWLINE}"/><text x="{left + 14}" y="35">Flowline</text>',
             f'<rect x="{left + 90}" y="26" width="10" height="10" fill="{REFERENCE}"/>'
             f'<text x="{left + 104}" y="35">reference (log scale; each row names its reference)</text>']
    for power in range(first, last + 1):
        position = x(10 ** power)
        parts.append(f'<line x1="{position:.1f}" y1="40" x2="{position:.1f}" y2="{height - 26}" stroke="#d0d7de"/>')
        parts.append(f'<text x="{position:.1f}" y="{height - 10}" text-anchor="middle" fill="#57606a">1e{power}</text>')
    for index, (label, mine, theirs, reference, higher) in enumerate(points):
        top = 44 + index * row_height
        better = mine / theirs if higher else theirs / mine
        shown = label if len(label) <= 52 else label[:51] + "…"
        parts.append(f'<text x="{left - 8}" y="{top + 14}" text-anchor="end">{html.escape(shown)}</text>')
        parts.append(f'<text x="{left - 8}" y="{top + 30}" text-anchor="end" fill="#57606a" font-size="11">'
                     f'vs {html.escape(reference[:40])}: {better:.1f}× {"better" if better >= 1 else "worse"}</text>')
        for offset, value, color in ((0, mine, FLOWLINE), (18, theirs, REFERENCE)):
            end = max(x(value), left + 1)
            parts.append(f'<rect x="{left}" y="{top + offset}" width="{end - left:.1f}" height="16" fill="{color}"/>')
            parts.append(f'<text x="{end + 4:.1f}" y="{top + offset + 12}">{value:g}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main():
    folder, page = sys.argv[1], sys.argv[2]
    machine = {}
    if os.path.exists(os.path.join(folder, "machine.json")):
        machine = json.load(open(os.path.join(folder, "machine.json")))
    relative = os.path.relpath(folder, os.path.dirname(os.path.abspath(page)))
    out = ["# Benchmarks", "",
           "Every figure below comes from `benchmarks/all.sh`, which runs each benchmark of `benchmarks/` with "
           "its reference system in the same run on the same machine and writes this page. The machines here are "
           "shared and noisy (the same binary varies 2–3× between days), so read the ratios, not the absolute "
           "figures. Charts use a log scale; each row names its reference.", ""]
    if machine:
        out += ["## Machine", "", "| | |", "|---|---|"]
        for key, value in machine.items():
            out.append(f"| {key} | {value} |")
        out.append("")
    for name in ORDER:
        path = os.path.join(folder, f"{name}.txt")
        if not os.path.exists(path):
            continue
        text = open(path).read().strip("\n")
        out += [f"## {TITLES[name]}", "", f"`{COMMANDS[name]}`, last run {machine.get('date', 'unknown')}." , ""]
        lines = text.splitlines()
        found = tables(text)
        cursor = 0
        for number_, (start, end, header, rows) in enumerate(found):
            prose = "\n".join(lines[cursor:start]).strip()
            if prose:
                out += ["```", prose, "```", ""]
            out += lines[start:end] + [""]
            points = pairs(header, rows)
            if points:
                svg = f"{name}-{number_ + 1}.svg"
                with open(os.path.join(folder, svg), "w") as handle:
                    handle.write(chart(points, TITLES[name]))
                out += [f"![{TITLES[name]}: Flowline vs reference, log scale]({relative}/{svg})", ""]
            cursor = end
        prose = "\n".join(lines[cursor:]).strip()
        if prose:
            out += ["```", prose, "```", ""]
    notes = os.path.join(folder, "notes.md")
    if os.path.exists(notes):
        out += [open(notes).read().strip(), ""]
    with open(page, "w") as handle:
        handle.write("\n".join(out).rstrip() + "\n")


if __name__ == "__main__":
    main()
