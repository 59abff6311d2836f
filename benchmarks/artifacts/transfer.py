"""One side of the artifact benchmark: a 1 GB file and 1,000 small files up and down, either
through a tracking server's artifact proxy (`--url`) or straight to the S3 store with boto3
(`--direct`), sampling the resident memory of the server's processes (`--pids`) meanwhile.
Prints one JSON line."""
import argparse
import concurrent.futures
import json
import os
import threading
import time

import requests


def rss_kib(pids):
    """Resident memory of the processes and their descendants, in KiB."""
    total, seen, pending = 0, set(), list(pids)
    while pending:
        pid = pending.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/status") as status:
                total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
            with open(f"/proc/{pid}/task/{pid}/children") as children:
                pending += [int(child) for child in children.read().split()]
        except (OSError, StopIteration):
            pass
    return total


class Sampler:
    """The peak resident memory while a block runs, sampled every 50 ms."""

    def __init__(self, pids):
        self.pids, self.peak, self.running = pids, 0, False

    def __enter__(self):
        self.running, self.peak = True, rss_kib(self.pids)
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()
        return self

    def loop(self):
        while self.running:
            self.peak = max(self.peak, rss_kib(self.pids))
            time.sleep(0.05)

    def __exit__(self, *_):
        self.running = False
        self.thread.join()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--label", required=True)
    parser.add_argument("--url", help="a tracking server: through its artifact proxy")
    parser.add_argument("--direct", action="store_true", help="straight to the store with boto3")
    parser.add_argument("--pids", default="", help="the server's processes, comma-separated")
    parser.add_argument("--big", required=True, help="the large file")
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--file-size", type=int, default=4096)
    parser.add_argument("--threads", type=int, default=8)
    arguments = parser.parse_args()
    pids = [int(pid) for pid in arguments.pids.split(",") if pid]
    size = os.path.getsize(arguments.big)
    prefix = f"bench-{arguments.label}-{os.urandom(4).hex()}"
    small = os.urandom(arguments.file_size)
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=arguments.threads, pool_maxsize=arguments.threads)
    session.mount("http://", adapter)

    if arguments.direct:
        import boto3
        import botocore.config

        bucket = os.environ["BENCH_BUCKET"]
        s3 = boto3.client("s3", endpoint_url=os.environ["MLFLOW_S3_ENDPOINT_URL"],
                          config=botocore.config.Config(max_pool_connections=max(arguments.threads, 10)))

        def upload_big():
            s3.upload_file(arguments.big, bucket, f"{prefix}/big.bin")

        def download_big():
            class Discard:
                def write(self, data):
                    return len(data)
            s3.download_fileobj(bucket, f"{prefix}/big.bin", Discard())

        def put_small(index):
            s3.put_object(Bucket=bucket, Key=f"{prefix}/small/{index}.bin", Body=small)

        def get_small(index):
            assert len(s3.get_object(Bucket=bucket, Key=f"{prefix}/small/{index}.bin")["Body"].read()) == len(small)
    else:
        base = f"{arguments.url}/api/2.0/mlflow-artifacts/artifacts/{prefix}"

        def upload_big():
            with open(arguments.big, "rb") as file:
                session.put(f"{base}/big.bin", data=file, timeout=600).raise_for_status()

        def download_big():
            with session.get(f"{base}/big.bin", stream=True, timeout=600) as answer:
                answer.raise_for_status()
                received = sum(len(chunk) for chunk in answer.iter_content(1 << 20))
            assert received == size, received

        def put_small(index):
            session.put(f"{base}/small/{index}.bin", data=small, timeout=60).raise_for_status()

        def get_small(index):
            answer = session.get(f"{base}/small/{index}.bin", timeout=60)
            answer.raise_for_status()
            assert len(answer.content) == len(small)

    result = {"label": arguments.label, "idle_rss_mb": rss_kib(pids) / 1024}
    for name, action in (("upload", upload_big), ("download", download_big)):
        with Sampler(pids) as sampler:
            started = time.monotonic()
            action()
            elapsed = time.monotonic() - started
        result[f"big_{name}_mb_s"] = size / elapsed / 1e6
        result[f"big_{name}_peak_rss_mb"] = sampler.peak / 1024
    for name, action in (("upload", put_small), ("download", get_small)):
        with Sampler(pids) as sampler, concurrent.futures.ThreadPoolExecutor(arguments.threads) as pool:
            started = time.monotonic()
            list(pool.map(action, range(arguments.files)))
            elapsed = time.monotonic() - started
        result[f"small_{name}_files_s"] = arguments.files / elapsed
        result[f"small_{name}_peak_rss_mb"] = sampler.peak / 1024
    print(json.dumps(result))


if __name__ == "__main__":
    main()
