"""Writes the workers benchmark's DAGs for Flowline (YAML) and Airflow (Python), the same shapes:
chain_10 (10 tasks of `true` in a row) and fanout (1 -> N -> 1 tasks of `true`). Both allow as many
running tasks per DAG as the fan-out has (max_active_tasks), so that only the workers' slots limit
them; every task goes to the default queue.

Usage: make_dags.py FLOWLINE_FOLDER AIRFLOW_FOLDER N
"""
import os
import sys

flowline, airflow, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(flowline, exist_ok=True)
os.makedirs(airflow, exist_ok=True)
chain = [f"t{i}" for i in range(1, 11)]

with open(os.path.join(flowline, "chain_10.yaml"), "w") as f:
    f.write("max_active_tasks: 16\ntasks:\n")
    for i, task in enumerate(chain):
        upstream = f", upstream: [{chain[i - 1]}]" if i else ""
        f.write(f"  - {{id: {task}, operator: bash, command: 'true'{upstream}}}\n")
with open(os.path.join(flowline, "fanout.yaml"), "w") as f:
    f.write(f"max_active_tasks: {n + 2}\ntasks:\n  - {{id: start, operator: bash, command: 'true'}}\n")
    for i in range(n):
        f.write(f"  - {{id: t{i}, operator: bash, command: 'true', upstream: [start]}}\n")
    f.write("  - {id: end, operator: bash, command: 'true', upstream: [" + ", ".join(f"t{i}" for i in range(n)) + "]}\n")

header = """from datetime import datetime
from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator
"""
with open(os.path.join(airflow, "bench_chain_10.py"), "w") as f:
    f.write(header + """
with DAG("chain_10", schedule=None, start_date=datetime(2026, 1, 1), catchup=False, max_active_tasks=16):
    previous = None
    for i in range(1, 11):
        task = BashOperator(task_id=f"t{i}", bash_command="true")
        if previous is not None:
            previous >> task
        previous = task
""")
with open(os.path.join(airflow, "bench_fanout.py"), "w") as f:
    f.write(header + f"""
with DAG("fanout", schedule=None, start_date=datetime(2026, 1, 1), catchup=False, max_active_tasks={n + 2}):
    start = BashOperator(task_id="start", bash_command="true")
    end = BashOperator(task_id="end", bash_command="true")
    for i in range({n}):
        start >> BashOperator(task_id=f"t{{i}}", bash_command="true") >> end
""")
