"""Writes the benchmark's DAGs for Flowline (YAML) and Airflow (Python), the same shapes:
chain (3 tasks of `true`), fanout_<N> for each N (1 -> N -> 1 tasks of `true`).

Usage: make_dags.py FLOWLINE_FOLDER AIRFLOW_FOLDER N [N ...]
"""
import os
import sys

flowline, airflow, sizes = sys.argv[1], sys.argv[2], [int(n) for n in sys.argv[3:]]
os.makedirs(flowline, exist_ok=True)
os.makedirs(airflow, exist_ok=True)

with open(os.path.join(flowline, "chain.yaml"), "w") as f:
    f.write("tasks:\n  - {id: a, operator: bash, command: 'true'}\n"
            "  - {id: b, operator: bash, command: 'true', upstream: [a]}\n"
            "  - {id: c, operator: bash, command: 'true', upstream: [b]}\n")
for n in sizes:
    with open(os.path.join(flowline, f"fanout_{n}.yaml"), "w") as f:
        f.write("tasks:\n  - {id: start, operator: bash, command: 'true'}\n")
        for i in range(n):
            f.write(f"  - {{id: t{i}, operator: bash, command: 'true', upstream: [start]}}\n")
        f.write("  - {id: end, operator: bash, command: 'true', upstream: [" + ", ".join(f"t{i}" for i in range(n)) + "]}\n")

header = """from datetime import datetime
from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator
"""
with open(os.path.join(airflow, "bench_chain.py"), "w") as f:
    f.write(header + """
with DAG("chain", schedule=None, start_date=datetime(2026, 1, 1), catchup=False):
    a = BashOperator(task_id="a", bash_command="true")
    b = BashOperator(task_id="b", bash_command="true")
    c = BashOperator(task_id="c", bash_command="true")
    a >> b >> c
""")
for n in sizes:
    with open(os.path.join(airflow, f"bench_fanout_{n}.py"), "w") as f:
        f.write(header + f"""
with DAG("fanout_{n}", schedule=None, start_date=datetime(2026, 1, 1), catchup=False):
    start = BashOperator(task_id="start", bash_command="true")
    end = BashOperator(task_id="end", bash_command="true")
    for i in range({n}):
        start >> BashOperator(task_id=f"t{{i}}", bash_command="true") >> end
""")
