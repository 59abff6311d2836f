"""Times `flowline fit` and the scikit-learn route on the same files, REPS runs each (alternating),
and prints one table row per file: median wall time of each, the ratio, and the largest coefficient
difference."""
import json
import os
import statistics
import subprocess
import sys
import time

flowline, python, script, reps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
files = sys.argv[5:]
environment = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}


def run(command):
    started = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, check=True, env=environment).stdout
    return time.perf_counter() - started, json.loads(out.strip().splitlines()[-1])["coefficients"]


print("| samples | flowline fit (s) | json + numpy + scikit-learn (s) | flowline is | largest coefficient difference |")
print("|---|---|---|---|---|")
for path in files:
    ours, theirs = [], []
    for _ in range(reps):
        seconds, a = run([flowline, "fit", "--train", path])
        ours.append(seconds)
        seconds, b = run([python, script, path])
        theirs.append(seconds)
    difference = max(abs(p - q) for p, q in zip(a, b))
    count = os.path.basename(path).split(".")[0]
    mine, reference = statistics.median(ours), statistics.median(theirs)
    print(f"| {int(count):,} | {mine:.3f} | {reference:.3f} | {reference / mine:.1f}x faster | {difference:.1e} |")
