"""Times fsync of a 4 KiB append in FOLDER, 200 times; prints the median and p99 in ms.

Usage: fsync_probe.py FOLDER
"""
import os
import sys
import time

path = os.path.join(sys.argv[1], "fsync-probe")
times = []
with open(path, "ab") as handle:
    for _ in range(200):
        handle.write(b"x" * 4096)
        handle.flush()
        started = time.perf_counter()
        os.fsync(handle.fileno())
        times.append((time.perf_counter() - started) * 1000)
os.remove(path)
times.sort()
print(times[len(times) // 2], times[int(len(times) * 0.99) - 1])
