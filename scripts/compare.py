#!/usr/bin/env python3
"""Times two or more spotcheck binaries by turns on the demo plans.

    python3 scripts/compare.py OLD_BINARY NEW_BINARY [MORE…] [--runs 30]

Each round runs every binary once on each command, in an order that
changes from round to round, so that whatever else the machine is doing
falls on all of them alike. Prints, per command and binary, the mean,
median and minimum wall time and the median processor time (user and
system) in milliseconds. Not a test: it only
measures. scripts/bench.sh gives the figures of one binary.
"""
import argparse
import resource
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

SEED = "01382438112797316654"
COMMANDS = {
    "draw, targets only": ["draw", "--plan", "plans/demo-targets.toml", "--seed", SEED, "--out"],
    "draw with teams": ["draw", "--plan", "plans/demo.toml", "--seed", SEED, "--out"],
    "verify": ["verify"],
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binaries", nargs="+")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    a = ap.parse_args()
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    work = tempfile.mkdtemp(prefix="spotcheck-compare-")
    bundles = {}
    for i, b in enumerate(a.binaries):
        bundles[b] = os.path.join(work, f"bundle-{i}")
        subprocess.run([b] + COMMANDS["draw with teams"] + [bundles[b]], check=True, capture_output=True)
    times = {(c, b): [] for c in COMMANDS for b in a.binaries}
    cpu = {(c, b): [] for c in COMMANDS for b in a.binaries}
    for r in range(a.warmup + a.runs):
        order = a.binaries[r % len(a.binaries):] + a.binaries[: r % len(a.binaries)]
        for c, args in COMMANDS.items():
            for b in order:
                out = os.path.join(work, "out")
                shutil.rmtree(out, ignore_errors=True)
                cmd = [b] + args + ([out] if c != "verify" else [bundles[b]])
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                t = time.perf_counter()
                subprocess.run(cmd, check=True, capture_output=True)
                wall = (time.perf_counter() - t) * 1000
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                used = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000
                if r >= a.warmup:
                    times[(c, b)].append(wall)
                    cpu[(c, b)].append(used)
    shutil.rmtree(work, ignore_errors=True)
    print(f"{'command':<22} {'binary':<40} {'mean':>7} {'median':>7} {'min':>7} {'cpu':>7}")
    for c in COMMANDS:
        for b in a.binaries:
            t = times[(c, b)]
            u = statistics.median(cpu[(c, b)])
            print(f"{c:<22} {b:<40} {statistics.mean(t):7.1f} {statistics.median(t):7.1f} {min(t):7.1f} {u:7.1f}")
    print(f"(wall time in ms over {a.runs} runs by turns; cpu: median processor time, user + system, in ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
