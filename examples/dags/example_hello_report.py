# Reads the task context (JSON on standard input) and the samples the http task saved.
import json, os, sys

context = json.load(sys.stdin)
with open(os.path.join(os.environ["FLOWLINE_WORKSPACE"], "samples.json")) as handle:
    samples = json.load(handle)
points = samples.get("samples", [])
print(f"{context['params']['who']}: {len(points)} samples in run {context['run_id']}")
print(json.dumps({"count": len(points), "greeting": context["xcom"].get("say")}))
