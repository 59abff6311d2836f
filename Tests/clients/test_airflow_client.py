"""The official Airflow 3 REST client (apache-airflow-client) against Flowline's orchestrator,
unchanged: log in, list DAGs, pause and unpause, trigger with conf, wait, read task instances and
logs, clear a task and see it run again, variables, errors."""
import time

import airflow_client.client as airflow
import pytest
import requests
from airflow_client.client.exceptions import ApiException
from airflow_client.client.models import (
    ClearTaskInstancesBody,
    ClearTaskInstancesBodyTaskIdsInner,
    DAGPatchBody,
    TriggerDAGRunPostBody,
    VariableBody,
)


@pytest.fixture
def api(stack):
    url = stack.url("orchestrator")
    answer = requests.post(f"{url}/auth/token", json={"username": "alice", "password": "bob"}, timeout=10)
    assert answer.status_code == 201, answer.text
    configuration = airflow.Configuration(host=url, access_token=answer.json()["access_token"])
    with airflow.ApiClient(configuration) as client:
        yield client


def wait_for(dag_runs, dag_id, run_id, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        run = dag_runs.get_dag_run(dag_id, run_id)
        if run.state.value in ("success", "failed"):
            return run
        time.sleep(0.2)
    raise AssertionError(f"{run_id} did not finish")


def test_the_airflow_client_drives_a_run_end_to_end(api):
    dags = airflow.DAGApi(api)
    dag_runs = airflow.DagRunApi(api)
    task_instances = airflow.TaskInstanceApi(api)

    listed = dags.get_dags(limit=100)
    assert "example_hello" in [dag.dag_id for dag in listed.dags]
    assert listed.total_entries >= 1
    dag = dags.get_dag("example_hello")
    assert dag.fileloc == "example_hello.yaml" and "example" in [tag.name for tag in dag.tags]

    assert dags.patch_dag("example_hello", DAGPatchBody(is_paused=True)).is_paused is True
    assert dags.patch_dag("example_hello", DAGPatchBody(is_paused=False)).is_paused is False

    run = dag_runs.trigger_dag_run("example_hello", TriggerDAGRunPostBody(logical_date=None, conf={"who": "Ada", "n": 4}))
    assert run.state.value in ("queued", "running") and run.conf == {"who": "Ada", "n": 4}
    finished = wait_for(dag_runs, "example_hello", run.dag_run_id)
    assert finished.state.value == "success"
    assert run.dag_run_id in [r.dag_run_id for r in dag_runs.get_dag_runs("example_hello", limit=10).dag_runs]

    tis = task_instances.get_task_instances("example_hello", run.dag_run_id)
    assert {ti.task_id: ti.state.value for ti in tis.task_instances} == {"say": "success", "fetch": "success", "wait": "success", "report": "success"}
    log = task_instances.get_log("example_hello", run.dag_run_id, "say", 1)
    assert "hello Ada" in str(log.content)

    cleared = task_instances.post_clear_task_instances(
        "example_hello", ClearTaskInstancesBody(dry_run=False, dag_run_id=run.dag_run_id, task_ids=[ClearTaskInstancesBodyTaskIdsInner(actual_instance="report")], only_failed=False)
    )
    assert [ti.task_id for ti in cleared.task_instances] == ["report"]
    rerun = wait_for(dag_runs, "example_hello", run.dag_run_id)
    assert rerun.state.value == "success"
    assert task_instances.get_task_instance("example_hello", run.dag_run_id, "report").try_number == 2


def test_errors_and_variables_through_the_client(api):
    dag_runs = airflow.DagRunApi(api)
    with pytest.raises(ApiException) as invalid:
        dag_runs.trigger_dag_run("example_hello", TriggerDAGRunPostBody(logical_date=None, conf={"n": 1000}))
    assert invalid.value.status == 400
    with pytest.raises(ApiException) as missing:
        airflow.DAGApi(api).get_dag("no_such_dag")
    assert missing.value.status == 404

    variables = airflow.VariableApi(api)
    variables.post_variable(VariableBody(key="bucket", value="s3://models", description="where models go"))
    assert variables.get_variable("bucket").value == "s3://models"
    assert "bucket" in [v.key for v in variables.get_variables().variables]


def test_no_token_no_data(stack):
    url = stack.url("orchestrator")
    for path in ["/api/v2/dags", "/api/v2/dags/example_hello", "/api/v2/variables", "/api/v2/importErrors", "/api/v2/dags/~/dagRuns"]:
        answer = requests.get(url + path, timeout=10)
        assert answer.status_code == 401, path
        assert "example_hello" not in answer.text
    bad = requests.get(url + "/api/v2/dags", headers={"Authorization": "Bearer not-a-token"}, timeout=10)
    assert bad.status_code == 401
