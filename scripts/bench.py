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


def run_once(argv, env=None):
    """Wall seconds and peak RSS (MiB) of one run, its output discarded. The peak comes from GNU time: a
    child's own ru_maxrss would count the memory it shared with this Python process before exec."""
    with open(os.devnull, "wb") as null:
        start = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%x %M", *argv], stdout=null, stderr=subprocess.PIPE,
                              env=env)
        wall = time.perf_counter() - start
    code, kib = proc.stderr.decode().strip().splitlines()[-1].split()
    return wall, int(kib) / 1024, int(code)


def measure(argv, runs, ok_codes=(0, 1), env=None):
    run_once(argv, env)  # warm the page cache and the binary
    samples = [run_once(argv, env) for _ in range(runs)]
    bad = [c for _, _, c in samples if c not in ok_codes]
    if bad:
        raise SystemExit(f"{argv[0]} exited with {bad[0]}")
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--provdiag", required=True)
    ap.add_argument("--floor", required=True, help="the floor program (benches/floor.rs), built")
    args = ap.parse_args()
    # (label, file, what provdiag is held to, goal ratio)
    inputs = [("NDJSON", "syslog.ndjson", "floor", 1.1), ("pretty JSON array", "syslog-pretty.json", "rg", 3.0),
              ("CSV", "syslog.csv", "rg", 2.5)]
    many = dict(os.environ, PROVDIAG_THREADS="64")
    summaries = {}
    rows = []
    for label, name, against, goal in inputs:
        path = os.path.join(args.data, name)
        out = subprocess.run([args.provdiag, "--format", "json", "--fail-on", "none", path],
                             capture_output=True, check=True).stdout
        summaries[label] = json.loads(out)["summary"]
        p_time, p_mem = measure([args.provdiag, "--format", "json", path], args.runs)
        _, p64_mem = measure([args.provdiag, "--format", "json", path], max(1, args.runs // 2), env=many)
        r_time, _ = measure(["rg", "-c", "-i", PATTERN, path], args.runs)
        f_time = measure([args.floor, path], args.runs, ok_codes=(0,))[0] if against == "floor" else None
        base = f_time if against == "floor" else r_time
        rows.append((label, os.path.getsize(path) / 2**20, p_time, p_mem, p64_mem, r_time, f_time, against,
                     p_time / base, goal))
    nd = os.path.join(args.data, "syslog.ndjson")
    j_time, j_mem = measure(["jq", "-r", JQ, nd], max(1, args.runs // 2), ok_codes=(0,))

    first = next(iter(summaries.values()))
    same = all(s == first for s in summaries.values())
    print(f"{first['records']} events, {first['failures']} provisioning failures; "
          f"figures identical across the three shapes: {'yes' if same else 'NO'}\n")
    print("| input | size | provdiag `--format json` | floor | `rg -c -i …` | provdiag against (goal) "
          "| peak memory (goal ≤ 32 MiB) | with 64 workers (goal ≤ 64 MiB) |")
    print("|---|---:|---:|---:|---:|---|---|---|")
    met = {True: "met", False: "not met"}
    for label, size, p_time, p_mem, p64_mem, r_time, f_time, against, ratio, goal in rows:
        floor = f"{f_time:.3f} s" if f_time is not None else "–"
        print(f"| {label} | {size:.0f} MiB | {p_time:.3f} s | {floor} | {r_time:.3f} s | "
              f"{ratio:.2f}x {against} (≤ {goal}x: {met[ratio <= goal]}) | {p_mem:.1f} MiB ({met[p_mem <= 32]}) | "
              f"{p64_mem:.1f} MiB ({met[p64_mem <= 64]}) |")
    nd_time = rows[0][2]
    print(f"\njq filtering the NDJSON for provisioning failures: {j_time:.2f} s, {j_mem:.0f} MiB peak, "
          f"{j_time / nd_time:.1f}x provdiag's time (goal ≥ 10x: {'met' if j_time / nd_time >= 10 else 'not met'})")
    print(f"\n{os.cpu_count()} cores; medians of {args.runs} runs after one warm-up (64 workers: peak of "
          f"{max(1, args.runs // 2)}); the floor reads every byte and validates every line with serde_json on "
          "every core (benches/floor.rs); rg's peak memory counts the file it maps.")
    if not same:
        raise SystemExit("provdiag's figures differ between shapes of the same events")


if __name__ == "__main__":
    main()
