#!/usr/bin/env python3
"""Independent check of a spotcheck batch bundle (`spotcheck-batch/1`)
with Rivest's consistent_sampler.

Written from SPEC.md (§1-4 and §10) alone. It reads the batch plan text
and the seed from manifest.json, the inputs from the paths recorded there
(relative to the bundle), and recomputes:

1. each task's eligible frame (with `leave_out_visited` and
   `max_visits_per_firm`, §10.3), strata, N and k, and its targets with
   consistent_sampler.sampler(ids, seed=S_t, take=k, output='id'); compared
   with the manifest's per-task seed, strata, excluded counts and totals,
   and with tasks/<id>/targets.csv row by row;
2. the visits (§10.4), compared with visits.csv row by row;
3. the teams (§10.5), staffed in the order of
   consistent_sampler.sampler(visit_ids, seed=S + ':visits', output='id'),
   compared with assignments.csv and load.csv row by row.

Usage: batch.py BUNDLE_DIR
Exit 0 when everything matches; 1 at the first difference, which is
named by file and line; 2 when the bundle cannot be read.
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
from crosscheck import ceil_ratio  # noqa: E402


# Column names per input (SPEC §1.1-1.4, §10.1). English names match
# without regard to ASCII case, Chinese ones exactly.
COLUMNS = {
    "enterprises": {
        "uscc": ["统一社会信用代码"],
        "name": ["企业名称", "名称"],
        "credit_class": ["信用风险分类", "信用风险类别"],
        "county": ["所属区县", "区县"],
        "industry": ["行业", "所属行业"],
        "status": ["登记状态", "经营状态"],
        "supervising_area": ["监管片区", "所属片区", "管辖单位"],
    },
    "history": {
        "uscc": ["统一社会信用代码"],
        "inspected_on": ["检查日期"],
        "inspector_ids": ["检查人员编号", "执法人员编号"],
    },
    "inspectors": {
        "inspector_id": ["执法人员编号", "人员编号"],
        "name": ["姓名"],
        "department": ["所属部门", "部门"],
        "area": ["所属片区", "所属区县"],
        "cert_no": ["执法证号"],
        "cert_expires": ["执法证有效期至", "有效期至"],
        "specialties": ["执法领域"],
        "status": ["状态", "在岗状态"],
    },
    "conflicts": {
        "inspector_id": ["执法人员编号", "人员编号"],
        "uscc": ["统一社会信用代码"],
        "reason": ["回避原因"],
    },
    "items": {
        "code": ["事项编码", "抽查事项编码"],
        "name": ["事项名称", "抽查事项"],
        "department": ["部门", "实施部门"],
        "category": ["抽查类别"],
        "legal_basis": ["检查依据", "法律依据"],
        "method": ["检查方式"],
        "specialty": ["执法领域"],
    },
}

# Firm status (§1.1): active, or the reason an inactive firm is left out.
FIRM_ACTIVE = {"存续", "在业", "开业", "在营", "active"}
FIRM_INACTIVE = {
    "注销": "deregistered", "deregistered": "deregistered",
    "吊销": "revoked", "吊销，未注销": "revoked", "吊销,未注销": "revoked", "revoked": "revoked",
    "撤销": "cancelled", "cancelled": "cancelled", "canceled": "cancelled",
    "迁出": "moved-out", "moved-out": "moved-out", "moved out": "moved-out",
}
INSPECTOR_ACTIVE = {"在岗", "active"}
KEY_ITEM = {"重点", "重点检查事项", "key"}
GENERAL_ITEM = {"一般", "一般检查事项", "general"}


class Lazy:
    """A generator's items, read as far as needed and kept."""

    def __init__(self, gen):
        self.gen, self.seen = gen, []

    def __iter__(self):
        i = 0
        while True:
            if i == len(self.seen):
                nxt = next(self.gen, None)
                if nxt is None:
                    return
                self.seen.append(nxt)
            yield self.seen[i]
            i += 1


class Unreadable(Exception):
    pass


class Difference(Exception):
    """The first difference: file, line, what was expected, what is there."""

    def __init__(self, file, line, message):
        super().__init__(f"{file}, line {line}: {message}")


def byte_key(s):
    return s.encode("utf-8")


ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def folded(s):
    """English words compare without regard to ASCII case."""
    return s.translate(ASCII_LOWER)


def read_table(path, encoding, role):
    if encoding == "xlsx" or path.lower().endswith(".xlsx") or ".xlsx#" in path.lower():
        raise Unreadable(f"{path}: workbooks are not read by this check")
    raw = open(path, "rb").read()
    if encoding == "gb18030":
        if raw.startswith(b"\x84\x31\x95\x33"):
            raw = raw[4:]
        text = raw.decode("gb18030")
    else:
        text = raw.decode("utf-8-sig")
    rows = [r for r in csv.reader(io.StringIO(text, newline=""))]
    rows = [r for r in rows if r]
    header = [h.strip().lstrip("\ufeff").strip() for h in rows[0]]
    canon = []
    for h in header:
        name = h
        for key, alts in COLUMNS[role].items():
            if folded(h) == key or h in alts:
                name = key
                break
        canon.append(name)
    out = []
    for r in rows[1:]:
        if all(not f.strip() for f in r):
            continue
        out.append({canon[i]: r[i].strip() for i in range(len(canon))})
    return out


def parse_date(text):
    y, sep, rest = text[:4], text[4:5], text[5:]
    m, _, d = rest.partition(sep)
    return datetime.date(int(y), int(m), int(d))


def ticket(seed, ident):
    return consistent_sampler.first_fraction(ident, seed)


def k_of(n, targets, cls):
    """§3.3."""
    ratio = targets["ratio"] if isinstance(targets["ratio"], str) else targets["ratio"][cls]
    k = ceil_ratio(n, ratio)
    by_class = "credit_class" in targets.get("stratify_by", ["credit_class"])
    if by_class and cls in targets.get("min", {}):
        k = max(k, targets["min"][cls])
    if by_class and cls in targets.get("max", {}):
        k = min(k, targets["max"][cls])
    return min(k, n)


def visits_of(targets_in_order):
    """§10.4 for one firm: [(task, start, end)] in batch order -> visits,
    each [start, end, [task, ...]]."""
    visits = []
    for task, s, e in targets_in_order:
        if visits and s <= visits[-1][1]:
            v = visits[-1]
            v[0], v[1] = s, min(v[1], e)
            v[2].append(task)
        else:
            visits.append([s, e, [task]])
    return visits


class Batch:
    def __init__(self, bundle):
        self.bundle = bundle
        self.manifest = json.load(open(os.path.join(bundle, "manifest.json"), encoding="utf-8"))
        m = self.manifest
        if m.get("format") != "spotcheck-batch/1":
            raise Unreadable(f"manifest.json: format is {m.get('format')!r}, not spotcheck-batch/1")
        self.plan = tomllib.loads(m["plan"]["text"])
        self.seed = m["seed"]["value"]
        self.inputs = m["inputs"]
        b = self.plan["batch"]
        self.start, self.end = b["start"], b["end"]
        self.leave_out_visited = b.get("leave_out_visited", False)
        self.cap = b.get("max_visits_per_firm")

        self.firms = self.read("enterprises")
        self.by_code = {f["uscc"]: f for f in self.firms}
        # None when active, else the reason (§3.1).
        self.status = [None if folded(f["status"]) in FIRM_ACTIVE
                       else "inactive:" + FIRM_INACTIVE[folded(f["status"])] for f in self.firms]
        self.items = {r["code"]: r for r in self.read("items")}
        self.last = {}
        if "history" in self.inputs:
            for r in self.read("history"):
                d = parse_date(r["inspected_on"])
                ids = [x.strip() for x in r.get("inspector_ids", "").split(";") if x.strip()]
                prev = self.last.get(r["uscc"])
                if prev is None or prev[0] < d:
                    self.last[r["uscc"]] = (d, set(ids))
                elif prev[0] == d:
                    prev[1].update(ids)
        self.tasks = sorted(
            self.plan["task"], key=lambda t: (t["start"], t["end"], byte_key(t["id"])))

    def path_of(self, role):
        p = self.inputs[role]["path"]
        return p if os.path.isabs(p) else os.path.join(self.bundle, p)

    def read(self, role):
        return read_table(self.path_of(role), self.inputs[role].get("encoding", "utf-8"), role)

    # -- §10.3 ------------------------------------------------------------

    def draw_targets(self):
        """Every task's strata, excluded counts and targets, in batch order."""
        self.drawn = []  # per task: dict
        per_firm = {}  # uscc -> [(task id, start, end)] of earlier tasks, batch order
        for task in self.tasks:
            tid = task["id"]
            seed = f"{self.seed}:task:{tid}"
            t = task.get("targets", {})
            stratify_by = t.get("stratify_by", ["credit_class"])
            general = all(
                folded(self.items[c]["category"]) in GENERAL_ITEM for c in task["items"])
            days = t.get("exclude_inspected_within_days")
            if self.leave_out_visited and general:
                d = (task["start"] - self.start).days
                days = d if days is None else max(days, d)
            excluded = {}
            strata = {}
            for f, status in zip(self.firms, self.status):
                code = f["uscc"]
                if status is not None:
                    reason = status
                elif "counties" in t and f["county"] not in t["counties"]:
                    reason = "outside-counties"
                elif "industries" in t and f["industry"] not in t["industries"]:
                    reason = "outside-industries"
                elif (days is not None and code in self.last
                      and self.last[code][0] >= task["start"] - datetime.timedelta(days=days)):
                    reason = "recently-inspected"
                elif self.cap is not None and self.capped(per_firm.get(code), task):
                    reason = "visit-cap"
                else:
                    reason = None
                if reason is not None:
                    excluded[reason] = excluded.get(reason, 0) + 1
                    continue
                label = "/".join(f[k] for k in stratify_by)
                strata.setdefault(label, []).append(f)
            rows, summary = [], []
            for label in sorted(strata, key=byte_key):
                members = strata[label]
                cls = members[0]["credit_class"]
                n = len(members)
                k = k_of(n, t, cls)
                ids = [m["uscc"] for m in members]
                picked = list(consistent_sampler.sampler(ids, seed=seed, take=k, output="id"))
                summary.append((label, n, k))
                for rank, code in enumerate(picked, 1):
                    f = self.by_code[code]
                    rows.append([label, str(rank), ticket(seed, code), code, f["name"],
                                 f["credit_class"], f["county"], f["industry"]])
                    per_firm.setdefault(code, []).append((tid, task["start"], task["end"]))
            self.drawn.append({"task": task, "seed": seed, "rows": rows, "strata": summary,
                               "excluded": excluded,
                               "eligible": sum(len(v) for v in strata.values()),
                               "class_of": {lb: strata[lb][0]["credit_class"] for lb in strata}})
        self.per_firm = per_firm

    def capped(self, earlier, task):
        if not earlier:
            return False
        visits = visits_of(earlier)
        return len(visits) >= self.cap and visits[-1][1] < task["start"]

    # -- §10.4 ------------------------------------------------------------

    def form_visits(self):
        task_by_id = {t["id"]: t for t in self.tasks}
        self.visits = []
        for code, earlier in self.per_firm.items():
            for s, e, tids in visits_of(earlier):
                items = []
                for tid in tids:
                    for c in task_by_id[tid]["items"]:
                        if c not in items:
                            items.append(c)
                team = {}
                if "inspectors" in self.plan:
                    for tid in tids:
                        for dept, count in task_by_id[tid]["team"].items():
                            team[dept] = max(team.get(dept, 0), count)
                slots = []
                for dept in sorted(team, key=byte_key):
                    slots += [dept] * team[dept]
                self.visits.append({"id": f"{code}:{tids[0]}", "uscc": code, "start": s,
                                    "end": e, "tasks": tids, "items": items, "slots": slots})
        self.visits.sort(key=lambda v: byte_key(v["id"]))

    # -- §10.5 ------------------------------------------------------------

    def staff(self):
        rules = self.plan["inspectors"]
        inspectors = self.read("inspectors")
        self.inspectors = inspectors
        info = {p["inspector_id"]: p for p in inspectors}
        conflicts = set()
        if "conflicts" in self.inputs:
            for r in self.read("conflicts"):
                conflicts.add((r["inspector_id"], r["uscc"]))
        cap = rules.get("max_assignments")
        cross_area = rules.get("cross_area", True)
        avoid_last = rules.get("avoid_last_inspectors", True)

        def specialties(p):
            return {s.strip() for s in p.get("specialties", "").replace("；", ";").split(";")
                    if s.strip()}

        spec_of = {i: specialties(p) for i, p in info.items()}
        expires = {i: parse_date(p["cert_expires"]) for i, p in info.items()}
        active = {i for i, p in info.items() if folded(p["status"]) in INSPECTOR_ACTIVE}
        self.load = {i: 0 for i in info}
        by_id = {v["id"]: v for v in self.visits}
        ids = [v["id"] for v in self.visits]
        self.order = list(consistent_sampler.sampler(ids, seed=f"{self.seed}:visits", output="id"))
        for vid in self.order:
            v = by_id[vid]
            firm = self.by_code[v["uscc"]]
            area = firm.get("supervising_area") or firm["county"]
            departments = set(v["slots"])
            need = {}
            for c in v["items"]:
                item = self.items[c]
                if item.get("specialty"):
                    need.setdefault(item["department"], set()).add(item["specialty"])
            # Ranking only the inspectors who pass the rules that do not
            # change during the draw (department, active, certificate,
            # specialties) gives the same order among them as ranking
            # everyone (consistent sampling); the ranking is read lazily.
            pool = [i for i in info
                    if info[i]["department"] in departments and i in active
                    and expires[i] >= v["end"]
                    and need.get(info[i]["department"], set()) <= spec_of[i]]
            ranking = Lazy(consistent_sampler.sampler(
                pool, seed=f"{self.seed}:team:{vid}", output="id"))
            members = []
            for slot, dept in enumerate(v["slots"], 1):
                for i in ranking:
                    if info[i]["department"] != dept:
                        continue
                    if expires[i] < v["end"]:
                        continue
                    if not need.get(dept, set()) <= spec_of[i]:
                        continue
                    if (i, v["uscc"]) in conflicts:
                        continue
                    if cross_area and info[i]["area"] == area:
                        continue
                    if avoid_last and v["uscc"] in self.last and i in self.last[v["uscc"]][1]:
                        continue
                    if cap is not None and self.load[i] >= cap:
                        continue
                    if i in [m[1] for m in members]:
                        continue
                    members.append((slot, i, dept))
                    break
                else:
                    raise Difference("manifest.json", 1,
                                     f"visit {vid} slot {slot} ({dept}) has no inspector: "
                                     f"the batch should have failed")
            for _, i, _ in members:
                self.load[i] += 1
            v["team"] = members
        self.info = info


def read_rows(path):
    """A CSV file's header, then its records, each with its first line."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        out = []
        line = 1
        for rec in reader:
            out.append((line, rec))
            line = reader.line_num + 1
    return out


def compare_csv(bundle, rel, header, expected):
    path = os.path.join(bundle, rel)
    if not os.path.exists(path):
        raise Difference(rel, 0, "missing")
    got = read_rows(path)
    if not got or got[0][1] != header:
        raise Difference(rel, 1, f"header {got[0][1] if got else None}, expected {header}")
    body = got[1:]
    for i, row in enumerate(expected):
        if i >= len(body):
            last = body[-1][0] + 1 if body else 2
            raise Difference(rel, last, f"ends here; expected {len(expected)} rows, "
                                        f"next expected {row}")
        line, rec = body[i]
        if rec != row:
            raise Difference(rel, line, f"expected {row}, bundle has {rec}")
    if len(body) > len(expected):
        raise Difference(rel, body[len(expected)][0],
                         f"extra row {body[len(expected)][1]}; expected {len(expected)} rows")
    return len(expected)


TARGETS_HEADER = ["stratum", "rank", "ticket", "uscc", "name", "credit_class", "county", "industry"]
VISITS_HEADER = ["visit", "uscc", "name", "county", "start", "end", "tasks", "items",
                 "departments", "inspector_ids"]
ASSIGN_HEADER = ["visit", "uscc", "name", "slot", "department", "inspector_id", "inspector_name"]
LOAD_HEADER = ["inspector_id", "name", "department", "visits"]

def check_manifest_task(b, index, d, entry):
    """The manifest's record of one task against the recomputed draw."""
    where = f"manifest.json tasks[{index}] ({d['task']['id']})"
    task = d["task"]
    for key in ("id", "name", "department"):
        if entry.get(key) != task[key]:
            raise Difference(where, "-", f"{key} {entry.get(key)!r}, plan has {task[key]!r}")
    for key in ("start", "end"):
        if entry.get(key) != task[key].isoformat():
            raise Difference(where, "-", f"{key} {entry.get(key)!r}, plan has {task[key]}")
    if entry.get("items") != task["items"]:
        raise Difference(where, "-", f"items {entry.get('items')}, plan has {task['items']}")
    if entry.get("seed") != d["seed"]:
        raise Difference(where, "-", f"seed {entry.get('seed')!r}, expected {d['seed']!r}")
    strata = entry.get("strata", [])
    if len(strata) != len(d["strata"]):
        raise Difference(where, "-", f"{len(strata)} strata, expected {len(d['strata'])}")
    for j, ((label, n, k), s) in enumerate(zip(d["strata"], strata)):
        if (s.get("label"), s.get("n"), s.get("k")) != (label, n, k):
            raise Difference(where, "-", f"stratum {j}: {(s.get('label'), s.get('n'), s.get('k'))}"
                                         f", expected {(label, n, k)}")
    # Excluded counts by reason (§3.1, §10.3).
    want_inactive = {r.split(":", 1)[1]: c for r, c in d["excluded"].items()
                     if r.startswith("inactive:")}
    excluded = entry.get("excluded", {})
    got_inactive = {r: c for r, c in excluded.get("inactive", {}).items() if c}
    if got_inactive != want_inactive:
        raise Difference(where, "-", f"excluded inactive {got_inactive}, expected {want_inactive}")
    for reason in ("outside-counties", "outside-industries", "recently-inspected", "visit-cap"):
        key = reason.replace("-", "_")
        want = d["excluded"].get(reason, 0)
        if excluded.get(key, 0) != want:
            raise Difference(where, "-", f"excluded {key} {excluded.get(key)}, expected {want}")
    total = sum(d["excluded"].values())
    if excluded.get("total") != total:
        raise Difference(where, "-", f"excluded total {excluded.get('total')}, expected {total}")
    totals = entry.get("totals", {})
    want = {"directory_rows": len(b.firms), "eligible": d["eligible"],
            "strata": len(d["strata"]), "targets": len(d["rows"])}
    got = {key: totals.get(key) for key in want}
    if got != want:
        raise Difference(where, "-", f"totals {got}, expected {want}")


def main(bundle):
    try:
        b = Batch(bundle)
    except (OSError, KeyError, ValueError, Unreadable) as e:
        print(f"cannot read the bundle: {e!r}")
        return 2
    version = importlib.metadata.version("consistent-sampler")
    try:
        b.draw_targets()
        tasks = b.manifest.get("tasks", [])
        if [t.get("id") for t in tasks] != [d["task"]["id"] for d in b.drawn]:
            raise Difference("manifest.json", "-",
                             f"tasks {[t.get('id') for t in tasks]}, expected batch order "
                             f"{[d['task']['id'] for d in b.drawn]}")
        n_targets = n_strata = 0
        caps = 0
        for i, d in enumerate(b.drawn):
            check_manifest_task(b, i, d, tasks[i])
            n_targets += compare_csv(bundle, f"tasks/{d['task']['id']}/targets.csv",
                                     TARGETS_HEADER, d["rows"])
            n_strata += len(d["strata"])
            caps += d["excluded"].get("visit-cap", 0)
        print(f"targets: {n_targets} in {n_strata} strata of {len(b.drawn)} tasks compared with "
              f"consistent_sampler {version} ({caps} left out by visit-cap)")

        b.form_visits()
        teams = "inspectors" in b.plan
        if teams:
            b.staff()
        vrows, arows = [], []
        for v in b.visits:
            firm = b.by_code[v["uscc"]]
            team = v.get("team", [])
            vrows.append([v["id"], v["uscc"], firm["name"], firm["county"],
                          v["start"].isoformat(), v["end"].isoformat(), ";".join(v["tasks"]),
                          ";".join(v["items"]), ";".join(v["slots"]),
                          ";".join(i for _, i, _ in team)])
            for slot, i, dept in team:
                arows.append([v["id"], v["uscc"], firm["name"], str(slot), dept, i,
                              b.info[i]["name"]])
        n_visits = compare_csv(bundle, "visits.csv", VISITS_HEADER, vrows)
        joint = sum(1 for v in b.visits if len(v["tasks"]) > 1)
        print(f"visits: {n_visits} compared ({joint} for more than one task)")
        if teams:
            n_assign = compare_csv(bundle, "assignments.csv", ASSIGN_HEADER, arows)
            lrows = [[i, b.info[i]["name"], b.info[i]["department"], str(b.load[i])]
                     for i in sorted(b.info, key=byte_key)]
            n_load = compare_csv(bundle, "load.csv", LOAD_HEADER, lrows)
            print(f"teams: {n_assign} assignments for {n_visits} visits and {n_load} inspectors' "
                  f"load compared")
    except Difference as e:
        print(f"DIFFERENCE: {e}")
        return 1
    print("0 problem(s)")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
