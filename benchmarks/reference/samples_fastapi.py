"""The references for the samples benchmark, both FastAPI + numpy with `async def` handlers.

`original`: the original line-samples service's code, with pydantic request *and response* models
(on pydantic 2, the response is validated and serialized in Rust).
`minimal`: the same endpoints without response models, so FastAPI encodes the numpy pairs itself;
this is the "minimal FastAPI app" whose speed the benchmark's targets were set against.
"""
from typing import List, Tuple

import numpy as np
from fastapi import FastAPI
from pydantic import BaseModel


class HelloWorldResponse(BaseModel):
    message: str


class GetSamplesRequest(BaseModel):
    n_samples: int = 1


class GetSamplesResponse(BaseModel):
    samples: List[Tuple[float, float]]


class PutLineParamsRequest(BaseModel):
    gradient: float
    intercept: float
    noise_sigma: float


def create_app(with_response_models: bool) -> FastAPI:
    app = FastAPI(title="Samples on a line generator")
    line = {"gradient": 1.0, "intercept": 0.0, "noise_sigma": 0.1}

    @app.get("/hello", response_model=HelloWorldResponse if with_response_models else None)
    async def hello_world():
        return {"message": "Hello"}

    @app.post("/get-samples", response_model=GetSamplesResponse if with_response_models else None)
    async def get_samples(r: GetSamplesRequest):
        x_vals = np.random.rand(r.n_samples)
        y_vals = np.random.randn(r.n_samples) * line["noise_sigma"] + line["gradient"] * x_vals + line["intercept"]
        return {"samples": list(zip(x_vals, y_vals))}

    @app.put("/put-line-params")
    async def put_line_params(r: PutLineParamsRequest):
        line.update(gradient=r.gradient, intercept=r.intercept, noise_sigma=r.noise_sigma)

    return app


original = create_app(with_response_models=True)
minimal = create_app(with_response_models=False)
