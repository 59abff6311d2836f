/// The OpenAPI 3.1 document of the samples service, served at `/openapi.json`.
enum SamplesOpenAPI {
    static func document(configuration: SamplesConfiguration, version: String) -> String {
        let maximum = configuration.maximumSamplesPerRequest
        let line = configuration.initialLine
        return #"""
            {
              "openapi": "3.1.0",
              "info": {
                "title": "Flowline line samples",
                "version": "\#(version)",
                "description": "Noisy samples on a line: x is uniform in [0, 1), y = gradient * x + intercept + Normal(0, noise_sigma). Wire-compatible with the original FastAPI service. With a seed, samples come from xoshiro256** seeded through SplitMix64 (x first, then one standard normal by Marsaglia's polar method), so the same seed and line always give the same samples."
              },
              "paths": {
                "/hello": {
                  "get": {
                    "operationId": "hello",
                    "summary": "Say hello",
                    "responses": {
                      "200": {"description": "A greeting", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HelloResponse"}, "example": {"message": "Hello"}}}}
                    }
                  }
                },
                "/get-samples": {
                  "post": {
                    "operationId": "getSamples",
                    "summary": "Draw samples on the current line",
                    "description": "Returns n_samples points (default 1; an empty body or {} gives one). At most \#(maximum) samples per request. With a seed the result is reproducible for the same line.",
                    "requestBody": {
                      "required": false,
                      "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/GetSamplesRequest"},
                        "examples": {
                          "three": {"summary": "Three random samples", "value": {"n_samples": 3}},
                          "seeded": {"summary": "Reproducible samples", "value": {"n_samples": 5, "seed": 42}}
                        }
                      }}
                    },
                    "responses": {
                      "200": {"description": "The samples, as [x, y] pairs", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GetSamplesResponse"}, "example": {"samples": [[0.5488135039273248, 0.6229726780082409]]}}}},
                      "413": {"$ref": "#/components/responses/TooLarge"},
                      "422": {"$ref": "#/components/responses/Invalid"}
                    }
                  }
                },
                "/put-line-params": {
                  "put": {
                    "operationId": "putLineParams",
                    "summary": "Change the line for later requests",
                    "description": "All three fields are required. gradient and intercept must be finite and at most 1e300 in magnitude; noise_sigma must be between 0 and 1e300.",
                    "requestBody": {
                      "required": true,
                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LineParams"}, "example": {"gradient": 2.0, "intercept": -1.0, "noise_sigma": 0.05}}}
                    },
                    "responses": {
                      "200": {"description": "The new line", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LineParams"}, "example": {"gradient": 2.0, "intercept": -1.0, "noise_sigma": 0.05}}}},
                      "413": {"$ref": "#/components/responses/TooLarge"},
                      "422": {"$ref": "#/components/responses/Invalid"}
                    }
                  }
                },
                "/line-params": {
                  "get": {
                    "operationId": "getLineParams",
                    "summary": "The current line",
                    "responses": {
                      "200": {"description": "The line samples are drawn around now", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LineParams"}, "example": {"gradient": \#(line.gradient), "intercept": \#(line.intercept), "noise_sigma": \#(line.noiseSigma)}}}}
                    }
                  }
                },
                "/health": {
                  "get": {
                    "operationId": "health",
                    "summary": "Whether the service is up",
                    "responses": {
                      "200": {"description": "The service answers", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}, "example": {"status": "ok"}}}}
                    }
                  }
                },
                "/metrics": {
                  "get": {
                    "operationId": "metrics",
                    "summary": "Prometheus metrics",
                    "description": "Requests by method, route and status; request latency histogram; samples generated.",
                    "responses": {
                      "200": {"description": "Metrics in Prometheus' text format", "content": {"text/plain": {"schema": {"type": "string"}, "example": "# TYPE http_requests_total counter\nhttp_requests_total{method=\"POST\",route=\"/get-samples\",status=\"200\"} 1\n"}}}
                    }
                  }
                }
              },
              "components": {
                "schemas": {
                  "HelloResponse": {
                    "type": "object",
                    "required": ["message"],
                    "properties": {"message": {"type": "string", "examples": ["Hello"]}}
                  },
                  "GetSamplesRequest": {
                    "type": "object",
                    "description": "Number-like strings such as \"5\" are accepted, as FastAPI does.",
                    "properties": {
                      "n_samples": {"type": "integer", "minimum": 0, "maximum": \#(maximum), "default": 1, "description": "How many samples to draw", "examples": [1000]},
                      "seed": {"type": "integer", "minimum": 0, "maximum": 9223372036854775807, "description": "Makes the samples reproducible: the same seed and line give the same samples", "examples": [42]}
                    },
                    "examples": [{"n_samples": 3}]
                  },
                  "GetSamplesResponse": {
                    "type": "object",
                    "required": ["samples"],
                    "properties": {
                      "samples": {"type": "array", "items": {"$ref": "#/components/schemas/Sample"}}
                    }
                  },
                  "Sample": {
                    "type": "array",
                    "description": "One sample: [x, y]",
                    "prefixItems": [{"type": "number", "description": "x, uniform in [0, 1)"}, {"type": "number", "description": "y on the line, plus noise"}],
                    "minItems": 2,
                    "maxItems": 2,
                    "examples": [[0.5488135039273248, 0.6229726780082409]]
                  },
                  "LineParams": {
                    "type": "object",
                    "required": ["gradient", "intercept", "noise_sigma"],
                    "properties": {
                      "gradient": {"type": "number", "minimum": -1e300, "maximum": 1e300, "description": "Slope of the line; finite, at most 1e300 in magnitude so that every y stays finite", "examples": [1.0]},
                      "intercept": {"type": "number", "minimum": -1e300, "maximum": 1e300, "description": "y at x = 0; finite, at most 1e300 in magnitude", "examples": [0.0]},
                      "noise_sigma": {"type": "number", "minimum": 0, "maximum": 1e300, "description": "Standard deviation of the Gaussian noise added to y; finite, not negative, at most 1e300", "examples": [0.1]}
                    }
                  },
                  "Health": {
                    "type": "object",
                    "required": ["status"],
                    "properties": {"status": {"type": "string", "enum": ["ok"]}}
                  },
                  "ValidationError": {
                    "type": "object",
                    "required": ["loc", "msg", "type"],
                    "properties": {
                      "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}, "description": "Where the problem is, e.g. [\"body\", \"n_samples\"]"},
                      "msg": {"type": "string", "description": "What is wrong"},
                      "type": {"type": "string", "description": "Pydantic's error type, e.g. missing, int_parsing, greater_than_equal, json_invalid"},
                      "input": {"description": "The rejected value"},
                      "ctx": {"type": "object", "description": "Details such as the bound that was broken"}
                    }
                  },
                  "HTTPValidationError": {
                    "type": "object",
                    "required": ["detail"],
                    "properties": {"detail": {"type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}}}
                  },
                  "HTTPError": {
                    "type": "object",
                    "required": ["detail"],
                    "properties": {"detail": {"type": "string"}}
                  }
                },
                "responses": {
                  "Invalid": {
                    "description": "The body is not valid JSON or breaks the schema",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}, "example": {"detail": [{"type": "greater_than_equal", "loc": ["body", "n_samples"], "msg": "Input should be greater than or equal to 0", "input": -1, "ctx": {"ge": 0}}]}}}
                  },
                  "TooLarge": {
                    "description": "The body is larger than the service accepts",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPError"}, "example": {"detail": "Request body is too large: the limit is \#(configuration.maximumBodySize) bytes"}}}
                  }
                }
              }
            }
            """#
    }
}
