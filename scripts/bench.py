#!/usr/bin/env python3
"""Times provdiag, ripgrep and jq on the benchmark data; prints a Markdown table. Run by scripts/bench."""

import argparse
import json
import os
import statistics
import subprocess
import time

PATTERN = "license limit exceeded|matching user not found|credentials used to connect to the api were invalid"
JQ = 'select(.outcome.result=="FAILURE" and (.eventType|startswith("application.provision"))) | .outcome.reason'


def run_once(argv):
    """Wall seconds and peak RSS (MiB) of one run, its output discarded. The peak comes from GNU time: a
    child's own ru_maxrss would count the memory it shared with this Python process before exec."""
    with open(os.devnull, "wb") as null:
        start = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%x %M", *argv], stdout=null, stderr=subprocess.PIPE)
        wall = time.perf_counter() - start
    code, kib = proc.stderr.decode().strip().splitlines()[-1].split()
    return wall, int(kib) / 1024, int(code)


def measure(argv, runs, ok_codes=(0, 1)):
    run_once(argv)  # warm the page cache and the binary
    samples = [run_once(argv) for _ in range(runs)]
    bad = [c for _, _, c in samples if c not in ok_codes]
    if bad:
        raise SystemExit(f"{argv[0]} exited with {bad[0]}")
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--provdiag", required=True)
    args = ap.parse_args()
    inputs = [("NDJSON", "syslog.ndjson", 1.0), ("pretty JSON array", "syslog-pretty.json", 1.5),
              ("CSV", "syslog.csv", 1.5)]
    summaries = {}
    rows = []
    for label, name, goal in inputs:
        path = os.path.join(args.data, name)
        out = subprocess.run([args.provdiag, "--format", "json", "--fail-on", "none", path],
                             capture_output=True, check=True).stdout
        summaries[label] = json.loads(out)["summary"]
        p_time, p_mem = measure([args.provdiag, "--format", "json", path], args.runs)
        r_time, r_mem = measure(["rg", "-c", "-i", PATTERN, path], args.runs)
        ratio = p_time / r_time
        rows.append((label, os.path.getsize(path) / 2**20, p_time, p_mem, r_time, r_mem, ratio, goal))
    nd = os.path.join(args.data, "syslog.ndjson")
    j_time, j_mem = measure(["jq", "-r", JQ, nd], max(1, args.runs // 2), ok_codes=(0,))

    first = next(iter(summaries.values()))
    same = all(s == first for s in summaries.values())
    print(f"{first['records']} events, {first['failures']} provisioning failures; "
          f"figures identical across the three shapes: {'yes' if same else 'NO'}\n")
    print("| input | size | provdiag `--format json` | `rg -c -i …` | provdiag / rg (goal) | provdiag peak memory (goal ≤ 32 MiB) |")
    print("|---|---:|---:|---:|---|---|")
    met = {True: "met", False: "not met"}
    for label, size, p_time, p_mem, r_time, r_mem, ratio, goal in rows:
        print(f"| {label} | {size:.0f} MiB | {p_time:.3f} s | {r_time:.3f} s | "
              f"{ratio:.2f}x (≤ {goal}x: {met[ratio <= goal]}) | {p_mem:.1f} MiB ({met[p_mem <= 32]}) |")
    nd_time = rows[0][2]
    print(f"\njq filtering the NDJSON for provisioning failures: {j_time:.2f} s, {j_mem:.0f} MiB peak, "
          f"{j_time / nd_time:.1f}x provdiag's time (goal ≥ 20x: {'met' if j_time / nd_time >= 20 else 'not met'})")
    print(f"\n{os.cpu_count()} cores; medians of {args.runs} runs after one warm-up; "
          "rg's peak memory counts the file it maps.")
    if not same:
        raise SystemExit("provdiag's figures differ between shapes of the same events")


if __name__ == "__main__":
    main()
