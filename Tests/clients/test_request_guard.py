"""What every server of `flowline up` answers before any route: only its allowed Host names (DNS
rebinding), no writes from another site's pages (cross-site requests), and the tracking API's
writes only as JSON. Nothing a refused request carried is stored."""
import requests

from conftest import RunningFlowline

SERVICES = ["orchestrator", "tracking", "samples", "serving"]
# A path each answers 200 without a login (the model server's /health waits for a champion).
PROBE = {"orchestrator": "/health", "tracking": "/health", "samples": "/health", "serving": "/version"}


def host_of(url):
    return url.split("://", 1)[1]


def test_foreign_host_names_are_refused_by_every_service(stack):
    for service in SERVICES:
        url = stack.url(service)
        port = host_of(url).split(":")[1]
        probe = url + PROBE[service]
        assert requests.get(probe, timeout=10).status_code == 200, service
        for host in [f"localhost:{port}", f"127.0.0.1:{port}", "localhost"]:
            assert requests.get(probe, headers={"Host": host}, timeout=10).status_code == 200, (service, host)
        for host in ["evil.example", f"evil.example:{port}", f"127.0.0.1.evil.example:{port}", "localhost.evil.example"]:
            answer = requests.get(probe, headers={"Host": host}, timeout=10)
            assert answer.status_code == 403, (service, host, answer.status_code)
            assert "Host" in answer.text and "--allowed-hosts" in answer.text, answer.text
            assert "192.168" not in answer.text, f"the allowed names are the operator's to know: {answer.text}"


def test_cross_site_writes_change_nothing(stack):
    tracking = stack.url("tracking")
    api = tracking + "/api/2.0/mlflow"
    for headers in [{"Origin": "https://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}]:
        answer = requests.post(api + "/experiments/create", json={"name": "cross-site"}, headers=headers, timeout=10)
        assert answer.status_code == 403 and answer.json()["error_code"] == "PERMISSION_DENIED", (headers, answer.text)
    # A form post (what a page can send without asking) is refused as not JSON.
    form = requests.post(api + "/experiments/create", data={"name": "form"}, timeout=10)
    assert form.status_code == 400 and "application/json" in form.json()["message"]
    plain = requests.post(api + "/experiments/create", data='{"name": "plain"}', headers={"Content-Type": "text/plain"}, timeout=10)
    assert plain.status_code == 400
    names = [e["name"] for e in requests.get(api + "/experiments/search", params={"max_results": 100}, timeout=10).json()["experiments"]]
    assert not {"cross-site", "form", "plain"} & set(names), names
    # The same site may write (a page of the tracking server itself), and so may clients that are not browsers.
    same = requests.post(api + "/experiments/create", json={"name": "same-site"}, headers={"Origin": tracking}, timeout=10)
    assert same.status_code == 200, same.text
    # The samples service's line and the orchestrator's login are writes too.
    samples = stack.url("samples")
    moved = requests.put(samples + "/put-line-params", json={"gradient": 5, "intercept": 0, "noise_sigma": 0}, headers={"Origin": "https://evil.example"}, timeout=10)
    assert moved.status_code == 403
    assert requests.get(samples + "/line-params", timeout=10).json()["gradient"] == 1.0
    login = requests.post(stack.url("orchestrator") + "/auth/token", json={"username": "alice", "password": "bob"}, headers={"Sec-Fetch-Site": "cross-site"}, timeout=10)
    assert login.status_code == 403


def test_allowed_hosts_and_trusted_origins_widen_the_rules(workdir):
    running = RunningFlowline(["samples", "serve", "--port", "0", "--log-level", "warning",
                               "--allowed-hosts", "flowline.example,*.lab.example", "--trusted-origins", "https://notebook.example"], workdir)
    try:
        url = running.url("samples")
        assert requests.get(url + "/hello", headers={"Host": "flowline.example"}, timeout=10).status_code == 200
        assert requests.get(url + "/hello", headers={"Host": "gpu.lab.example:6780"}, timeout=10).status_code == 200
        assert requests.get(url + "/hello", headers={"Host": "other.example"}, timeout=10).status_code == 403
        trusted = requests.put(url + "/put-line-params", json={"gradient": 2, "intercept": 0, "noise_sigma": 0}, headers={"Origin": "https://notebook.example"}, timeout=10)
        assert trusted.status_code == 200, trusted.text
    finally:
        running.stop()
