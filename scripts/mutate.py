#!/usr/bin/env python3
"""Single-byte mutations of spotcheck's outputs: every change must be caught.

Makes four targets from the repository's demo data (the first --firms
firms of data/enterprises.csv, with the history and conflicts of those
firms, and all the inspectors):

  trial      a bundle drawn with --seed             checked by `verify DIR`
  ceremony   a bundle drawn from a commitment, the  checked by `verify DIR`
             drand beacon of tests/data and dice
  public     the ceremony bundle published          checked by `verify PUB`
  proof      two proofs of the ceremony draw (a     checked by `check-proof
             drawn firm and one not drawn)          PROOF PUB`

Then, N times per target, changes one byte of one of its files (a file
chosen at random, then a place in it: 8 in 10 a byte replaced by another,
1 in 10 a byte inserted, 1 in 10 a byte deleted), runs the check, and
puts the byte back. Every file of a bundle or of a public bundle has its
SHA-256 recorded (manifest.json is rendered again and compared byte for
byte; public.json is checked field by field against the other files),
so every change should be refused:

  caught     exit 3 (NOT VERIFIED / proof rejected)
  refused    exit 1 (an error: the file no longer parses, for one)
  same       exit 0, but the changed file is JSON that parses to the same
             value as before (a change of white space between tokens), or
             the change is the case of a hex digit: the check saw the same
             content, and this is not a hole
  known      exit 0 after a change of a part listed in KNOWN below (parts
             that the checks take as written), each shown with its path
  holes      exit 0 after any other change of content
  panics     exit 101, a "panicked" message, a signal or a time-out

The script exits 1 when there is a hole or a panic. It prints each
known, hole and panic with its file, byte and change (and, for JSON, the
paths of the values changed); --keep keeps the work folder. The same
seed and counts give the same mutations (file, place, change); the
ceremony's secret is new in every run (commit draws it), so the
ceremony, public and proof files, and the counts, vary a little.

    python3 scripts/mutate.py --per-target 2500 --seed 1 --bin target/release/spotcheck
"""

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEACON = os.path.join(REPO, "tests", "data", "beacon-657413.json")
BEACON_ROUND = "657413"
COMMIT_TIME = "2023-09-15T10:00:00Z"  # before round 657413
DICE = "1.3.5./2.4.6./"
TARGETS = ["trial", "ceremony", "public", "proof"]

PLAN = """[task]
id = "MUT-2025-001"
name = "变异测试抽查"
department = "黔东南州市场监督管理局"
start = 2025-03-01
end = 2025-11-30
items = ["企业公示信息"]

[frame]
enterprises = "enterprises.csv"
history = "history.csv"

[targets]
stratify_by = ["credit_class"]
ratio = { A = "1%", B = "3%", C = "10%", D = "30%" }
min = { D = 20 }
exclude_inspected_within_days = 365

[inspectors]
directory = "inspectors.csv"
conflicts = "conflicts.csv"
team = { "市场监管局" = 2 }
max_assignments = 25
cross_area = true
avoid_last_inspectors = true
required_specialties = ["企业公示信息"]

[publish]
credit_classes = false
inspector_names = true
"""


def run(binary, args, cwd=None, timeout=120):
    """Runs the binary: (exit code, stdout, stderr); a time-out is code -1000."""
    try:
        p = subprocess.run(
            [binary] + args, cwd=cwd, capture_output=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return -1000, "", "timed out"
    return (
        p.returncode,
        p.stdout.decode("utf-8", "replace"),
        p.stderr.decode("utf-8", "replace"),
    )


def must(binary, args, cwd=None):
    code, out, err = run(binary, args, cwd)
    if code != 0:
        sys.exit(f"spotcheck {' '.join(args)} failed ({code}):\n{out}\n{err}")
    return out


def write_inputs(work, firms):
    """The first `firms` firms of the demo directory, their history and
    conflicts, and the inspectors."""
    data = os.path.join(REPO, "data")
    codes = set()
    with open(os.path.join(data, "enterprises.csv"), encoding="utf-8") as src, open(
        os.path.join(work, "enterprises.csv"), "w", encoding="utf-8", newline=""
    ) as dst:
        dst.write(src.readline())
        for _ in range(firms):
            line = src.readline()
            if not line:
                break
            codes.add(line.split(",", 1)[0])
            dst.write(line)

    def filtered(name, column):
        with open(os.path.join(data, name), encoding="utf-8") as src, open(
            os.path.join(work, name), "w", encoding="utf-8", newline=""
        ) as dst:
            dst.write(src.readline())
            for line in src:
                if line.split(",")[column] in codes:
                    dst.write(line)

    filtered("history.csv", 0)
    filtered("conflicts.csv", 1)
    shutil.copy(os.path.join(data, "inspectors.csv"), work)
    with open(os.path.join(work, "plan.toml"), "w", encoding="utf-8") as f:
        f.write(PLAN)


def make_targets(binary, work, firms):
    """Draws, commits, publishes and proves in `work`; gives the target
    folders."""
    write_inputs(work, firms)
    must(binary, ["draw", "--plan", "plan.toml", "--seed", "mutate-trial", "--out", "trial"], work)
    must(
        binary,
        ["commit", "--plan", "plan.toml", "--out", "commitment.json",
         "--beacon-round", BEACON_ROUND, "--time", COMMIT_TIME,
         "--dice-event", "公开摇号会", "--dice-sources", "2"],
        work,
    )
    must(
        binary,
        ["draw", "--commitment", "commitment.json", "--reveal", "commitment.secret",
         "--beacon", BEACON, "--dice", DICE, "--out", "ceremony"],
        work,
    )
    must(binary, ["publish", "ceremony", "--out", "public"], work)
    # A drawn firm (the first target) and an eligible firm not drawn.
    with open(os.path.join(work, "ceremony", "targets.csv"), encoding="utf-8") as f:
        f.readline()
        drawn = f.readline().split(",")[3]
    with open(os.path.join(work, "ceremony", "targets.csv"), encoding="utf-8") as f:
        listed = {line.split(",")[3] for line in f if line.count(",") >= 3}
    os.mkdir(os.path.join(work, "proof"))
    must(binary, ["prove", "ceremony", drawn, "--out", "proof/drawn.json"], work)
    for uscc in sorted(c for c in read_codes(work) if c not in listed):
        must(binary, ["prove", "ceremony", uscc, "--out", "proof/not-drawn.json"], work)
        with open(os.path.join(work, "proof", "not-drawn.json"), encoding="utf-8") as f:
            if json.load(f).get("leaf", {}).get("eligibility") == "eligible":
                break
        os.remove(os.path.join(work, "proof", "not-drawn.json"))
    else:
        sys.exit("no eligible firm left undrawn")


def read_codes(work):
    with open(os.path.join(work, "enterprises.csv"), encoding="utf-8") as f:
        f.readline()
        return [line.split(",", 1)[0] for line in f]


def files_of(folder):
    out = []
    for root, _, names in os.walk(folder):
        for n in names:
            out.append(os.path.relpath(os.path.join(root, n), folder))
    return sorted(out)


def check_command(target, copy, file):
    """The check of a mutated copy (paths relative to the work folder)."""
    if target == "proof":
        return ["check-proof", os.path.join(copy, file), "public"]
    return ["verify", copy]


def plan_mutations(rng, work, n):
    """Every mutation, decided before any is run: (target, file, kind,
    offset, byte)."""
    plans = []
    for target in TARGETS:
        folder = os.path.join(work, target)
        names = files_of(folder)
        sizes = {f: os.path.getsize(os.path.join(folder, f)) for f in names}
        for _ in range(n):
            f = rng.choice(names)
            kind = rng.choices(["replace", "insert", "delete"], [8, 1, 1])[0]
            size = sizes[f]
            offset = rng.randrange(size + 1 if kind == "insert" else size)
            plans.append((target, f, kind, offset, rng.randrange(255 if kind == "replace" else 256)))
    return plans


def mutated(data, kind, offset, byte):
    if kind == "replace":
        # `byte` is drawn from 0..255: each of the 255 other values alike.
        new = byte if byte < data[offset] else byte + 1
        return data[:offset] + bytes([new]) + data[offset + 1:], new
    if kind == "insert":
        return data[:offset] + bytes([byte]) + data[offset:], byte
    return data[:offset] + data[offset + 1:], None


def load_json(data):
    """The JSON value of `data`, objects as lists of (key, value) pairs in
    their order; None when it is not JSON."""
    try:
        return json.loads(data.decode("utf-8"), object_pairs_hook=lambda p: p)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def changed_paths(a, b, path=""):
    """Where two JSON values differ: the paths of the smallest differing
    parts ("seed.note", "withheld[0]")."""
    if isinstance(a, list) and isinstance(b, list):
        pairs = lambda v: all(isinstance(x, tuple) for x in v)
        if pairs(a) and pairs(b) and a and b:
            if [k for k, _ in a] != [k for k, _ in b]:
                return [path or "."]
            out = []
            for (k, x), (_, y) in zip(a, b):
                out += changed_paths(x, y, f"{path}.{k}" if path else k)
            return out
        if len(a) != len(b):
            return [path or "."]
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out += changed_paths(x, y, f"{path}[{i}]")
        return out
    return [] if a == b and type(a) is type(b) else [path or "."]


def json_changes(before, after, file):
    """The paths that a change of a JSON file changed ([] for white space
    only); None when the file is not JSON before and after."""
    if not file.endswith(".json"):
        return None
    a, b = load_json(before), load_json(after)
    if a is None or b is None:
        return None
    return changed_paths(a, b)


# Parts of a file that a check takes as written: exit 0 after a change
# there is counted as "known", not as a hole. Each is a finding to be
# decided in the checker; the list says why each passes today.
KNOWN = [
    # verify replays a bundle with the provenance its manifest records: the
    # tool that drew it (an older version's bundle still verifies) and the
    # plan file's name as given. Both are echoed, not checked.
    ("manifest.json", r"tool"),
    ("manifest.json", r"plan\.path"),
    # The public manifest repeats the tool that drew, from the private one.
    ("public.json", r"tool"),
    # An opaque stratum's label commitment needs every leaf hash, which the
    # public bundle does not have: verify PUB checks its form (64 hex
    # digits); a firm's proof opens its own stratum's.
    ("public.json", r"strata\[\d+\]\.label_commitment"),
]


def hex_case_only(before, after):
    """Whether the change turned one hex letter into the same letter in the
    other case (hex strings decode to the same bytes)."""
    if len(before) != len(after):
        return False
    diff = [i for i in range(len(before)) if before[i] != after[i]]
    if len(diff) != 1:
        return False
    a, b = chr(before[diff[0]]), chr(after[diff[0]])
    return a.lower() == b.lower() and a.lower() in "abcdef"


def classify(code, out, err, changes, file, hex_case):
    if code == 101 or "panicked" in out or "panicked" in err or code < 0:
        return "panics"
    if code == 3:
        return "caught"
    if code == 1:
        return "refused"
    if code == 0:
        if changes == [] or hex_case:
            return "same"
        name = os.path.basename(file)
        if changes and all(
            any(f == name and re.fullmatch(p, c) for f, p in KNOWN) for c in changes
        ):
            return "known"
        return "holes"
    return "panics"  # any other code is as unexpected as a panic


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--per-target", type=int, default=100, help="mutations per target")
    ap.add_argument("--seed", type=int, default=1, help="seed of the mutations")
    ap.add_argument("--bin", default=os.path.join(REPO, "target", "release", "spotcheck"),
                    help="the spotcheck binary")
    ap.add_argument("--firms", type=int, default=2000, help="firms in the directory")
    ap.add_argument("--jobs", type=int, default=2, help="checks run at once")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    a = ap.parse_args()
    binary = os.path.abspath(a.bin)
    started = time.time()
    work = tempfile.mkdtemp(prefix="spotcheck-mutate-")
    try:
        make_targets(binary, work, a.firms)
        plans = plan_mutations(random.Random(a.seed), work, a.per_target)
        # Each job mutates its own copies, which sit beside the originals
        # (a bundle names its inputs by relative path).
        for j in range(a.jobs):
            for t in TARGETS:
                shutil.copytree(os.path.join(work, t), os.path.join(work, f"{t}-m{j}"))
        for t in TARGETS:
            cmd = check_command(t, f"{t}-m0", files_of(os.path.join(work, t))[0])
            code, out, err = run(binary, cmd, work)
            if code != 0:
                sys.exit(f"the unchanged {t} does not check ({code}):\n{out}\n{err}")

        counts = {t: dict.fromkeys(["mutations", "caught", "refused", "same", "known", "holes", "panics"], 0)
                  for t in TARGETS}
        failures = []
        samples = {}

        def one(job, plan):
            target, file, kind, offset, byte = plan
            copy = f"{target}-m{job}"
            path = os.path.join(work, copy, file)
            with open(path, "rb") as f:
                before = f.read()
            after, new = mutated(before, kind, offset, byte)
            with open(path, "wb") as f:
                f.write(after)
            try:
                code, out, err = run(binary, check_command(target, copy, file), work)
            finally:
                with open(path, "wb") as f:
                    f.write(before)
            changes = json_changes(before, after, file) if code == 0 else None
            hex_case = code == 0 and hex_case_only(before, after)
            verdict = classify(code, out, err, changes, file, hex_case)
            return plan, new, code, out, err, changes, verdict

        queues = [plans[j::a.jobs] for j in range(a.jobs)]

        def worker(job):
            return [one(job, p) for p in queues[job]]

        with ThreadPoolExecutor(max_workers=a.jobs) as pool:
            results = [r for rs in pool.map(worker, range(a.jobs)) for r in rs]
        for plan, new, code, out, err, changes, verdict in results:
            target, file, kind, offset, _ = plan
            counts[target]["mutations"] += 1
            counts[target][verdict] += 1
            if verdict == "same":
                samples.setdefault(target, (file, kind, offset))
            if verdict in ("known", "holes", "panics"):
                failures.append((plan, new, code, out, err, changes, verdict))

        elapsed = time.time() - started
        cols = ["mutations", "caught", "refused", "same", "known", "holes", "panics"]
        print(f"{'target':<10}" + "".join(f"{c:>11}" for c in cols))
        for t in TARGETS:
            print(f"{t:<10}" + "".join(f"{counts[t][c]:>11}" for c in cols))
        total = {c: sum(counts[t][c] for t in TARGETS) for c in cols}
        print(f"{'total':<10}" + "".join(f"{total[c]:>11}" for c in cols))
        print(f"seed {a.seed}, {a.per_target} per target, {a.firms} firms, {elapsed:.0f} s")
        for t, (file, kind, offset) in sorted(samples.items()):
            print(f"same: e.g. {t}/{file}, {kind} at byte {offset}")
        for plan, new, code, out, err, changes, verdict in failures:
            target, file, kind, offset, _ = plan
            what = f"{kind} at byte {offset}" + (f" (now 0x{new:02x})" if new is not None else "")
            where = f"; changes {', '.join(changes)}" if changes else ""
            print(f"{verdict.upper()}: {target}/{file}: {what}: exit {code}{where}")
            if verdict == "panics":
                print("  " + (out + err).strip().replace("\n", "\n  ")[:2000])
        if a.keep:
            print(f"work folder kept: {work}")
        return 1 if any(f[-1] != "known" for f in failures) else 0
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
