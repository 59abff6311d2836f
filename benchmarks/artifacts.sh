#!/usr/bin/env bash
# Benchmark of artifacts in S3-compatible storage: a BIG_MB (1,024) MB artifact and FILES (1,000)
# small files of 4 KiB, uploaded then downloaded, straight to SeaweedFS with boto3 (the store's own
# speed, boto3's default transfer settings), through MLflow 3.17.2's artifact proxy and through
# Flowline's (`tracking serve --artifacts-destination s3://…`), all to the same SeaweedFS in one
# run, with 8 client threads for the small files. Prints MB/s, files/s and the servers' peak
# resident memory during each transfer (all their processes), and Flowline's ratios.
#
#   benchmarks/artifacts.sh                 # BIG_MB=1024 FILES=1000
#   BIG_MB=256 FILES=300 benchmarks/artifacts.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/benchmarks/lib.sh"
big_mb=${BIG_MB:-1024}
files=${FILES:-1000}
work=$(mktemp -d)
pids=()
store_dir=""
finish() {
  stop_groups
  [ -n "$store_dir" ] && "$root/scripts/s3.sh" stop "$store_dir"
}
trap finish EXIT

build_flowline "$root"
venv=$("$root/scripts/venv.sh")
log "starting SeaweedFS"
read -r store_dir store_url < <("$root/scripts/s3.sh" seaweedfs)
read -r key secret endpoint bucket < <(python3 -c '
import sys; from urllib.parse import urlsplit; u = urlsplit(sys.argv[1])
print(u.username, u.password, f"http://{u.hostname}:{u.port}", u.path.strip("/"))' "$store_url")
export AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret AWS_DEFAULT_REGION=us-east-1 MLFLOW_S3_ENDPOINT_URL=$endpoint BENCH_BUCKET=$bucket

log "writing a $big_mb MB file of random bytes"
head -c "$((big_mb << 20))" /dev/urandom >"$work/big.bin"

flowline_port=$(free_port)
setsid "$flowline" tracking serve --port "$flowline_port" --data-dir "$work/flowline" --log-level warning \
  --artifacts-destination "s3://$bucket/flowline" >"$work/flowline.log" 2>&1 &
flowline_pid=$!
pids+=("$flowline_pid")
mlflow_port=$(free_port)
MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false setsid "$venv/bin/mlflow" server --host 127.0.0.1 --port "$mlflow_port" \
  --backend-store-uri "sqlite:///$work/mlflow.db" --artifacts-destination "s3://$bucket/mlflow" >"$work/mlflow.log" 2>&1 &
mlflow_pid=$!
pids+=("$mlflow_pid")
wait_for "http://127.0.0.1:$flowline_port/health"
wait_for "http://127.0.0.1:$mlflow_port/health"

transfer() { "$venv/bin/python" "$root/benchmarks/artifacts/transfer.py" --big "$work/big.bin" --files "$files" "$@"; }
store_pids=$(cat "$store_dir/pid")
log "boto3 straight to SeaweedFS"
direct=$(transfer --label direct --direct --pids "$store_pids")
log "through MLflow's proxy"
mlflow=$(transfer --label mlflow --url "http://127.0.0.1:$mlflow_port" --pids "$mlflow_pid")
log "through Flowline's proxy"
flowline_result=$(transfer --label flowline --url "http://127.0.0.1:$flowline_port" --pids "$flowline_pid")

python3 - "$direct" "$mlflow" "$flowline_result" "$big_mb" "$files" <<'PY'
import json, sys
direct, mlflow, flowline = (json.loads(text) for text in sys.argv[1:4])
big, files = sys.argv[4], sys.argv[5]
rows = [
    (f"{big} MB upload, MB/s", "big_upload_mb_s"), (f"{big} MB download, MB/s", "big_download_mb_s"),
    (f"{files} files upload, files/s", "small_upload_files_s"), (f"{files} files download, files/s", "small_download_files_s"),
]
print(f"{'':34} {'boto3 direct':>13} {'MLflow proxy':>13} {'Flowline':>10} {'vs boto3':>9} {'vs MLflow':>10}")
for title, key in rows:
    print(f"{title:34} {direct[key]:13.1f} {mlflow[key]:13.1f} {flowline[key]:10.1f} {flowline[key] / direct[key]:8.2f}x {flowline[key] / mlflow[key]:9.2f}x")
print("server resident memory, MB (idle / peak during 1 GB up / down / small files up):")
for name, result in (("MLflow (all processes)", mlflow), ("Flowline", flowline)):
    print(f"  {name:24} {result['idle_rss_mb']:7.0f} / {result['big_upload_peak_rss_mb']:5.0f} / {result['big_download_peak_rss_mb']:5.0f}"
          f" / {result['small_upload_peak_rss_mb']:5.0f}")
print(f"Flowline grew by {max(flowline['big_upload_peak_rss_mb'], flowline['big_download_peak_rss_mb']) - flowline['idle_rss_mb']:.0f} MB moving {big} MB")
PY
