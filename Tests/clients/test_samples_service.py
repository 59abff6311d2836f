"""The line-samples service as its clients see it: the documented generator, the OpenAPI
document, and wire compatibility with the original FastAPI app."""
import json
import math
import sys
from pathlib import Path

import pytest
import requests
from openapi_spec_validator import validate

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks" / "reference"))

MASK = (1 << 64) - 1


class DocumentedSampler:
    """The generator as the OpenAPI document describes it, written from that description alone:
    xoshiro256** seeded by SplitMix64; per sample x = (next >> 11) * 2**-53, then one standard
    normal by Marsaglia's polar method (the spare variate kept for the next call)."""

    def __init__(self, seed, gradient=1.0, intercept=0.0, noise_sigma=0.1):
        state, words = seed, []
        for _ in range(4):
            state = (state + 0x9E3779B97F4A7C15) & MASK
            z = state
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            words.append(z ^ (z >> 31))
        self.s = words
        self.spare = None
        self.line = (gradient, intercept, noise_sigma)

    @staticmethod
    def _rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & MASK

    def _next(self):
        s = self.s
        result = (self._rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
        s[3] = self._rotl(s[3], 45)
        return result

    def _uniform(self):
        return (self._next() >> 11) * 2.0 ** -53

    def _normal(self):
        if self.spare is not None:
            value, self.spare = self.spare, None
            return value
        while True:
            u, v = 2 * self._uniform() - 1, 2 * self._uniform() - 1
            s = u * u + v * v
            if 0 < s < 1:
                factor = math.sqrt(-2 * math.log(s) / s)
                self.spare = v * factor
                return u * factor

    def sample(self):
        gradient, intercept, sigma = self.line
        x = self._uniform()
        return x, gradient * x + intercept + sigma * self._normal()


def test_seeded_samples_follow_the_documented_generator(samples_url):
    requests.put(f"{samples_url}/put-line-params", json={"gradient": 2.0, "intercept": -1.0, "noise_sigma": 0.5}).raise_for_status()
    response = requests.post(f"{samples_url}/get-samples", json={"n_samples": 5000, "seed": 20261125})
    response.raise_for_status()
    expected = DocumentedSampler(20261125, 2.0, -1.0, 0.5)
    for x, y in response.json()["samples"]:
        ex, ey = expected.sample()
        assert x == ex
        assert y == pytest.approx(ey, rel=1e-12, abs=1e-12)


def test_openapi_document_is_valid_openapi_3_1(samples_url):
    document = requests.get(f"{samples_url}/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    validate(document)
    for path in ["/hello", "/get-samples", "/put-line-params", "/line-params", "/health", "/metrics"]:
        assert path in document["paths"]
    body = document["paths"]["/get-samples"]["post"]["requestBody"]["content"]["application/json"]
    assert body["examples"]


def test_the_original_services_client_code_works_unchanged(samples_url):
    # What the original DAG's data_ingestion task did.
    assert requests.get(f"{samples_url}/hello").json() == {"message": "Hello"}
    train = requests.post(f"{samples_url}/get-samples", json={"n_samples": 1000}).json()["samples"]
    test = requests.post(f"{samples_url}/get-samples", json={"n_samples": 200}).json()["samples"]
    assert len(train) == 1000 and len(test) == 200
    assert all(len(s) == 2 and all(isinstance(v, float) for v in s) for s in train + test)
    assert requests.put(f"{samples_url}/put-line-params", json={"gradient": -1.0, "intercept": 100.0, "noise_sigma": 0.0}).status_code == 200
    [[x, y]] = requests.post(f"{samples_url}/get-samples", json={}).json()["samples"]
    assert y == pytest.approx(100.0 - x)


# Bodies on which Flowline must answer exactly as FastAPI does (status, and each error's type and loc).
SHARED_CASES = [
    ("POST", "/get-samples", {"n_samples": "ten"}),
    ("POST", "/get-samples", {"n_samples": 2.5}),
    ("POST", "/get-samples", {"n_samples": None}),
    ("POST", "/get-samples", {"n_samples": [3]}),
    ("POST", "/get-samples", {"n_samples": {"a": 1}}),
    ("POST", "/get-samples", [1, 2]),
    ("POST", "/get-samples", '{"n_samples": '),
    ("POST", "/get-samples", '{"n_samples": 1}x'),
    ("PUT", "/put-line-params", {"gradient": 1}),
    ("PUT", "/put-line-params", {}),
    ("PUT", "/put-line-params", {"gradient": "steep", "intercept": None, "noise_sigma": []}),
    ("PUT", "/put-line-params", '{"gradient": 1,'),
    ("GET", "/get-samples", None),
    ("DELETE", "/hello", None),
    ("GET", "/no-such-route", None),
]


@pytest.fixture(scope="module")
def fastapi_client():
    from fastapi.testclient import TestClient
    from samples_fastapi import original

    return TestClient(original)


def send(call, method, path, body):
    headers = {"Content-Type": "application/json"}
    data = body if isinstance(body, str) or body is None else json.dumps(body)
    return call(method, path, data=data, headers=headers)


@pytest.mark.parametrize("method,path,body", SHARED_CASES)
def test_errors_match_fastapi(samples_url, fastapi_client, method, path, body):
    ours = send(lambda m, p, **kw: requests.request(m, samples_url + p, **kw), method, path, body)
    theirs = send(lambda m, p, **kw: fastapi_client.request(m, p, content=kw["data"], headers=kw["headers"]), method, path, body)
    assert ours.status_code == theirs.status_code
    assert ours.headers["content-type"].startswith("application/json")
    ours_detail, theirs_detail = ours.json()["detail"], theirs.json()["detail"]
    if isinstance(theirs_detail, str):
        assert ours_detail == theirs_detail
    else:
        assert [(e["type"], e["loc"], e["msg"]) for e in ours_detail] == [(e["type"], e["loc"], e["msg"]) for e in theirs_detail]
        assert [e.get("input") for e in ours_detail] == [e.get("input") for e in theirs_detail]


def test_flowline_up_serves_the_samples_api(stack):
    url = stack.url("samples")
    assert requests.get(f"{url}/health").json() == {"status": "ok"}
    assert "http_requests_total" in requests.get(f"{url}/metrics").text
