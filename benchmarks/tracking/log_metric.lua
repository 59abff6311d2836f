-- wrk script: POST runs/log-metric with a new step on every request, so no two rows are equal.
-- RUN_ID comes from the environment; each wrk thread numbers its own steps.
local run_id = os.getenv("RUN_ID")
local counter = 0
local thread_offset = 0
local threads = 0

function setup(thread)
  thread:set("offset", threads * 100000000)
  threads = threads + 1
end

function init(args)
  thread_offset = tonumber(offset) or 0
end

function request()
  counter = counter + 1
  local step = thread_offset + counter
  local body = string.format('{"run_id":"%s","key":"loss","value":%f,"timestamp":%d,"step":%d}', run_id, 1 / step, 1700000000000 + step, step)
  return wrk.format("POST", "/api/2.0/mlflow/runs/log-metric", {["Content-Type"] = "application/json"}, body)
end
