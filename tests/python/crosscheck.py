#!/usr/bin/env python3
"""Independent check of a spotcheck bundle with Rivest's consistent_sampler.

Written from SPEC.md alone: it reads the plan text and the seed from
manifest.json, the enterprise directory from the path recorded there
(relative to the bundle), forms the eligible frame and the strata itself,
and asks consistent_sampler.sampler() for each stratum's k targets. It
then compares them, in order, with targets.csv (and the teams with
assignments.csv when the plan draws teams).

Usage: crosscheck.py BUNDLE_DIR
Exit 0 when everything matches, 1 otherwise.
"""
import csv
import datetime
import importlib.metadata
import io
import json
import os
import sys
import tomllib

import consistent_sampler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import teams  # noqa: E402

ACTIVE = {"存续", "在业", "开业", "在营", "active"}
ALIASES = {
    "uscc": ["统一社会信用代码"],
    "name": ["企业名称", "名称"],
    "credit_class": ["信用风险分类", "信用风险类别"],
    "county": ["所属区县", "区县"],
    "industry": ["行业", "所属行业"],
    "status": ["登记状态", "经营状态"],
    "supervising_area": ["监管片区", "所属片区", "管辖单位"],
    "inspected_on": ["检查日期"],
    "inspector_ids": ["检查人员编号", "执法人员编号"],
    "inspector_id": ["执法人员编号"],
    "department": ["所属部门"],
    "area": ["所属片区", "所属区县"],
    "cert_no": ["执法证号"],
    "cert_expires": ["执法证有效期至"],
    "specialties": ["执法领域"],
    "reason": ["回避原因", "原因"],
}


def read_csv(path, encoding):
    raw = open(path, "rb").read()
    if encoding == "gb18030":
        text = raw.decode("gb18030")
    else:
        text = raw.decode("utf-8-sig")
    # Read as the csv module wants (newline=""), so that quoted fields may
    # hold line breaks; a BOM (UTF-8 or GB18030) is not part of a header.
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = [h.strip().lstrip("\ufeff") for h in rows[0]]
    canon = []
    for h in header:
        name = h.lower()
        for key, alts in ALIASES.items():
            if h in alts:
                name = key
                break
        canon.append(name)
    out = []
    for r in rows[1:]:
        if all(not f.strip() for f in r):
            continue
        out.append({canon[i]: r[i].strip() for i in range(len(canon))})
    return out


def ceil_ratio(n, ratio):
    num = ratio.strip()[:-1]
    whole, _, frac = num.partition(".")
    bp = int(whole) * 100 + int((frac + "00")[:2])
    return (n * bp + 9999) // 10000


def main(bundle):
    manifest = json.load(open(os.path.join(bundle, "manifest.json"), encoding="utf-8"))
    plan = tomllib.loads(manifest["plan"]["text"])
    seed = manifest["seed"]["value"]
    inputs = manifest["inputs"]

    def path_of(role):
        p = inputs[role]["path"]
        return p if os.path.isabs(p) else os.path.join(bundle, p)

    firms = read_csv(path_of("enterprises"), inputs["enterprises"]["encoding"])
    t = plan["targets"]
    start = plan["task"]["start"]
    last = {}
    if "history" in inputs:
        for r in read_csv(path_of("history"), inputs["history"]["encoding"]):
            d = datetime.date.fromisoformat(r["inspected_on"].replace("/", "-"))
            ids = [x.strip() for x in r.get("inspector_ids", "").split(";") if x.strip()]
            prev = last.get(r["uscc"])
            if prev is None or prev[0] < d:
                last[r["uscc"]] = (d, set(ids))
            elif prev[0] == d:
                prev[1].update(ids)

    days = t.get("exclude_inspected_within_days")
    strata = {}
    for f in firms:
        if f["status"].lower() not in ACTIVE:
            continue
        if "counties" in t and f["county"] not in t["counties"]:
            continue
        if "industries" in t and f["industry"] not in t["industries"]:
            continue
        if days is not None and f["uscc"] in last:
            if last[f["uscc"]][0] >= start - datetime.timedelta(days=days):
                continue
        label = "/".join(f[k] for k in t.get("stratify_by", ["credit_class"]))
        strata.setdefault(label, []).append(f)

    expected = []
    for label in sorted(strata, key=lambda s: s.encode("utf-8")):
        members = strata[label]
        cls = members[0]["credit_class"]
        ratio = t["ratio"] if isinstance(t["ratio"], str) else t["ratio"][cls]
        k = ceil_ratio(len(members), ratio)
        by_class = "credit_class" in t.get("stratify_by", ["credit_class"])
        if by_class and cls in t.get("min", {}):
            k = max(k, t["min"][cls])
        if by_class and cls in t.get("max", {}):
            k = min(k, t["max"][cls])
        k = min(k, len(members))
        ids = [m["uscc"] for m in members]
        drawn = list(consistent_sampler.sampler(ids, seed=seed, take=k, output="id"))
        for rank, uscc in enumerate(drawn, 1):
            ticket = consistent_sampler.first_fraction(uscc, seed)
            expected.append((label, str(rank), ticket, uscc))

    with open(os.path.join(bundle, "targets.csv"), encoding="utf-8-sig", newline="") as fh:
        got = [(r["stratum"], r["rank"], r["ticket"], r["uscc"]) for r in csv.DictReader(fh)]

    problems = 0
    if len(got) != len(expected):
        print(f"targets: {len(expected)} expected by consistent_sampler, {len(got)} in targets.csv")
        problems += 1
    for i, (e, g) in enumerate(zip(expected, got)):
        if e != g:
            print(f"targets.csv row {i + 2}: consistent_sampler gives {e}, bundle has {g}")
            problems += 1
            if problems > 5:
                break
    version = importlib.metadata.version("consistent-sampler")
    print(f"targets: {len(expected)} in {len(strata)} strata compared with consistent_sampler "
          f"{version}; {problems} problem(s)")

    if "inspectors" in plan:
        problems += teams.check_teams(
            bundle, plan, seed, firms, last, expected, path_of, read_csv,
            lambda role: inputs[role]["encoding"])
    return 0 if problems == 0 else 1



if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
