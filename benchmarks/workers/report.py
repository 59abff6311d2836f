"""Prints the workers benchmark's Markdown table from its results file.

Usage: report.py RESULTS FANOUT CONCURRENCY CELERY_WORKERS
Lines of RESULTS: `SYSTEM WORKERS key=value …` (a measurement), `SYSTEM WORKERS failed=STATUS`,
`flowline - unavailable=1`, `postgres - key=value …` (the commit cost).
"""
import sys

path, fanout, concurrency, celery_workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rows, postgres, notes = [], {}, []
for line in open(path):
    system, workers, *pairs = line.split()
    values = {}
    for pair in pairs:
        key, value = pair.split("=", 1)
        try:
            values[key] = float(value)
        except ValueError:
            values[key] = value
    if system == "postgres":
        postgres = values
    else:
        rows.append((system, workers, values))

reference = next((v for s, _, v in rows if s == "celery" and "fanout_tasks_per_s" in v), None)
columns = [  # label, key, higher is better, format
    ("fan-out tasks/s", "fanout_tasks_per_s", True, "{:.1f}"),
    ("chain s", "chain_s", False, "{:.2f}"),
    ("gap p50 ms", "gap_p50_ms", False, "{:.0f}"),
    ("gap p99 ms", "gap_p99_ms", False, "{:.0f}"),
    ("CPU ms/task", "cpu_ms_per_task", False, "{:.1f}"),
    ("worker idle RSS MB", "worker_rss_idle_mb", False, "{:.1f}"),
]
ratio_columns = [("tasks/s", 0), ("chain", 1), ("gap p50", 2), ("gap p99", 3), ("CPU", 4), ("RSS", 5)]

print(f"\nWorkers benchmark: 1 -> {fanout} -> 1 fan-out and a 10-task chain of `true`, one PostgreSQL for both, same run.")
print(f"Concurrency: every worker has {concurrency} slots; the reference is Airflow 3.3.2 + CeleryExecutor with "
      f"{celery_workers} workers x {concurrency} (core.parallelism {celery_workers * concurrency}), so the Flowline row with "
      f"{celery_workers} workers has the same slots; max_active_tasks lets every slot be used.")
print("Ratios (x ref): how many times better than the Celery reference (higher is better).\n")
header = ["system", "workers x slots"] + [c[0] for c in columns] + [f"{name} x ref" for name, _ in ratio_columns]
print("| " + " | ".join(header) + " |")
print("|" + "|".join(["---"] * 2 + ["---:"] * (len(header) - 2)) + "|")
for system, workers, values in rows:
    name = {"celery": "Airflow 3.3.2 + Celery", "flowline": "Flowline"}.get(system, system)
    if "unavailable" in values:
        print(f"| {name} | - | flowline worker not available in this build |" + " |" * (len(header) - 3))
        continue
    if "failed" in values:
        print(f"| {name} | {workers} x {concurrency} | failed (exit {values['failed']:.0f}; its logs are printed above) |" + " |" * (len(header) - 3))
        continue
    cells = [name, f"{workers} x {concurrency}"]
    for _, key, _, shape in columns:
        cells.append(shape.format(values[key]) if key in values else "-")
    for _, index in ratio_columns:
        _, key, higher, _ = columns[index]
        ours, theirs = values.get(key), (reference or {}).get(key)
        if not ours or not theirs:
            cells.append("-")
        else:
            cells.append(f"{(ours / theirs if higher else theirs / ours):.1f}")
    print("| " + " | ".join(cells) + " |")
    finished = values.get("fanout_tasks_finished")
    who = f"{name}, {workers} worker{'' if workers == '1' else 's'}"
    if values.get("runs_unfinished_at_timeout"):
        notes.append(f"{who}: a run was unfinished at RUN_TIMEOUT; the fan-out is measured on "
                     f"the {finished:.0f} of {fanout + 2} tasks finished by then")
    if values.get("tasks_not_successful") or values.get("server_errors_while_polling"):
        notes.append(f"{who}: {values.get('tasks_not_successful', 0):.0f} tasks failed, "
                     f"{values.get('server_errors_while_polling', 0):.0f} 5xx answers while polling")
    if "worker_pss_idle_mb" in values:
        notes.append(f"{who}: one idle worker's process tree is {values['worker_rss_idle_mb']:.1f} MB RSS, "
                     f"{values['worker_pss_idle_mb']:.1f} MB PSS")

print()
print("Gaps: upstream end -> downstream start over the chain's 9 edges in each timed run, from the servers' own "
      "task-instance dates; CPU: all processes of the system (servers, workers and their tasks, broker, PostgreSQL) "
      "during the fan-out, per task finished.")
if postgres:
    line = (f"PostgreSQL commit cost here: {postgres.get('commit_ms', 0):.2f} ms per single-row INSERT + COMMIT through psql "
            f"({postgres.get('commits', 0):.0f} in a row, fsync on, synchronous_commit on; "
            f"{postgres.get('async_commit_ms', 0):.2f} ms with synchronous_commit off)")
    if "fdatasync_us" in postgres:
        line += f"; pg_test_fsync: one 8 kB write + fdatasync {postgres['fdatasync_us'] / 1000:.2f} ms"
    print(line + f"; wal_sync_method {postgres.get('wal_sync_method', '?')}.")
for note in notes:
    print(f"- {note}")
