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


def rounds(commands, runs):
    """Runs each command once per round, `runs` rounds after one warm-up, in an order that rotates from round
    to round, so that every command meets the same minutes of the machine's load: a ratio is then taken
    within a round, and drifts of the machine's speed between minutes (20–40% on a shared one) cancel out.
    Each command is (argv, ok exit codes, env); returns each command's list of (wall seconds, peak MiB)."""
    for argv, ok, env in commands:
        run_once(argv, env)  # warm the page cache and the binary
    samples = [[] for _ in commands]
    for r in range(runs):
        for k in range(len(commands)):
            i = (r + k) % len(commands)
            argv, ok, env = commands[i]
            wall, mem, code = run_once(argv, env)
            if code not in ok:
                raise SystemExit(f"{argv[0]} exited with {code}")
            samples[i].append((wall, mem))
    return samples


def median_wall(samples):
    return statistics.median(w for w, _ in samples)


def median_ratio(a, b):
    """The median over rounds of a's time over b's."""
    return statistics.median(x[0] / y[0] for x, y in zip(a, b))


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
        provdiag = ([args.provdiag, "--format", "json", path], (0, 1), None)
        commands = [provdiag, (["rg", "-c", "-i", PATTERN, path], (0, 1), None)]
        if against == "floor":
            commands.append(([args.floor, path], (0,), None))
        samples = rounds(commands, args.runs)
        p, r = samples[0], samples[1]
        f = samples[2] if against == "floor" else None
        ratio = median_ratio(p, f if f else r)
        p64 = rounds([([args.provdiag, "--format", "json", path], (0, 1), many)], max(1, args.runs // 2))[0]
        rows.append((label, os.path.getsize(path) / 2**20, median_wall(p), max(m for _, m in p),
                     max(m for _, m in p64), median_wall(r), median_wall(f) if f else None, against, ratio, goal))
    nd = os.path.join(args.data, "syslog.ndjson")
    jq_rounds = rounds([(["jq", "-r", JQ, nd], (0,), None), ([args.provdiag, "--format", "json", nd], (0, 1), None)],
                       max(1, args.runs // 2))
    j_time, j_mem = median_wall(jq_rounds[0]), max(m for _, m in jq_rounds[0])
    j_ratio = median_ratio(jq_rounds[0], jq_rounds[1])

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
    print(f"\njq filtering the NDJSON for provisioning failures: {j_time:.2f} s, {j_mem:.0f} MiB peak, "
          f"{j_ratio:.1f}x provdiag's time (goal ≥ 10x: {'met' if j_ratio >= 10 else 'not met'})")
    print(f"\n{os.cpu_count()} cores; times are medians of {args.runs} rounds after one warm-up, each round "
          "running every command of a row once (jq: of "
          f"{max(1, args.runs // 2)} rounds with provdiag); a ratio is the median of the ratios within rounds; "
          "peaks are the highest seen (64 workers: of "
          f"{max(1, args.runs // 2)} runs). The floor reads every byte and validates every line with serde_json "
          "on every core (benches/floor.rs); rg's peak memory counts the file it maps.")
    if not same:
        raise SystemExit("provdiag's figures differ between shapes of the same events")


if __name__ == "__main__":
    main()
