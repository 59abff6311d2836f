#!/usr/bin/env bash
# Checks that every target of Package.swift declares exactly the modules its sources import:
# nothing imported that is only reachable through another target, nothing declared and unused.
# The system's own modules (Foundation, Glibc, Testing, …) are not declared and not checked.
set -euo pipefail
cd "$(dirname "$0")/.."
swift package dump-package | python3 -c '
import json, os, re, sys
system = {"Foundation", "FoundationEssentials", "FoundationNetworking", "Glibc", "Darwin", "Dispatch", "Synchronization",
          "Testing", "XCTest", "_Concurrency", "Observation", "os"}
# Modules a package builds but does not offer as a product, imported on purpose: VaporCSQLite is
# the SQLite that SQLiteNIO compiles, which Storage calls directly (docs/ARCHITECTURE.md).
reached = {"Storage": {"VaporCSQLite"}}
manifest = json.load(sys.stdin)
problems = []
for target in manifest["targets"]:
    name = target["name"]
    path = target.get("path") or ("Tests/" if target["type"] == "test" else "Sources/") + name
    declared = set()
    for dependency in target["dependencies"]:
        kind, value = next(iter(dependency.items()))
        declared.add(value[0])
    imported = set()
    for folder, _, files in os.walk(path):
        if "/.build" in folder:
            continue
        for file in files:
            if not file.endswith(".swift"):
                continue
            text = open(os.path.join(folder, file), encoding="utf-8").read()
            imported |= set(re.findall(r"^(?:@testable |public |package |internal |@_exported )*import (?:struct |enum |class |func )?([A-Za-z_][A-Za-z0-9_]*)", text, re.M))
    if target["type"] == "system-target" or not os.path.isdir(path):
        continue
    missing = sorted(imported - declared - system - reached.get(name, set()))
    executables = {t["name"] for t in manifest["targets"] if t["type"] == "executable"}
    # A test target may depend on an executable to have it built (the end-to-end tests run it).
    unused = sorted(declared - imported - executables)
    for module in missing:
        problems.append(f"{name}: imports {module} but does not declare it")
    for module in unused:
        problems.append(f"{name}: declares {module} but never imports it")
if problems:
    print("Package.swift does not match the imports:", *problems, sep="\n  ")
    sys.exit(1)
print("Package.swift declares exactly what each target imports.")
'

# No module's folders use each other in a loop: a folder may use the types of the folders below
# it, never of one that uses it (types are matched by name; comments and strings are ignored).
python3 - <<'PY'
import collections, glob, os, re, sys
problems = []
for module in sorted(os.listdir("Sources")):
    base = os.path.join("Sources", module)
    files = glob.glob(base + "/**/*.swift", recursive=True)
    defined = {}
    for file in files:
        folder = os.path.dirname(os.path.relpath(file, base)) or "."
        text = open(file, encoding="utf-8").read()
        for match in re.finditer(r"^(?:public |package |final |indirect )*(?:struct|enum|class|actor|protocol|typealias)\s+([A-Z]\w*)", text, re.M):
            defined.setdefault(match.group(1), set()).add(folder)
    uses = collections.defaultdict(set)
    for file in files:
        folder = os.path.dirname(os.path.relpath(file, base)) or "."
        text = re.sub(r'"[^"\n]*"', "", re.sub(r"//.*", "", open(file, encoding="utf-8").read()))
        for name in set(re.findall(r"\b[A-Z]\w*\b", text)):
            for other in defined.get(name, ()):
                if other != folder:
                    uses[folder].add(other)
    # A loop is a folder that reaches itself through the folders it uses.
    def reaches(start):
        seen, stack = set(), list(uses.get(start, ()))
        while stack:
            folder = stack.pop()
            if folder not in seen:
                seen.add(folder)
                stack.extend(uses.get(folder, ()))
        return seen
    loops = sorted({" → ".join(sorted(f for f in uses if start in reaches(f) and f in reaches(start))) for start in uses if start in reaches(start)})
    problems += [f"{module}: {loop}" for loop in loops]
if problems:
    print("Folders that use each other in a loop:", *problems, sep="\n  ")
    sys.exit(1)
print("No module's folders use each other in a loop.")
PY
