"""Checks a plan's or a batch's results log (SPEC.md §11) from the spec alone:
the hash chain from manifest.json, the canonical form of every line, the
rules of §11.4 for results and corrections, and every substitution
recomputed (§11.5) with consistent_sampler and the rules of §4.4.

Usage: results.py BUNDLE_DIR. Prints one line per problem and a summary
ending in "N problem(s)"; exits 1 when there is any problem.
"""
import datetime
import hashlib
import json
import os
import sys
import tomllib

import consistent_sampler

sys.path.insert(0, os.path.dirname(__file__))
from crosscheck import read_csv  # noqa: E402

ACTIVE = {"在岗", "active"}


def sha(b):
    return hashlib.sha256(b).hexdigest()


def load_draw(bundle, manifest):
    """What the bundle drew, as §11.3 sees it: the visits (window, team,
    the specialties each department needs), the inspections (task, uscc)
    with their visit, each task's items and window, and the loads."""
    plan = tomllib.loads(manifest["plan"]["text"])
    batch = "batch" in manifest

    def path_of(role):
        return os.path.join(bundle, manifest["inputs"][role]["path"])

    def encoding_of(role):
        return manifest["inputs"][role]["encoding"]

    def day(s):
        return datetime.date.fromisoformat(s)

    visits, inspections, items = {}, {}, {}
    if batch:
        item_list = {r["code"]: r for r in read_csv(path_of("items"), encoding_of("items"))}
        for t in manifest["tasks"]:
            items[t["id"]] = t["items"]
        for v in read_csv(os.path.join(bundle, "visits.csv"), "utf-8"):
            need = {}
            for c in v["items"].split(";"):
                it = item_list[c]
                if it.get("specialty"):
                    need.setdefault(it["department"], set()).add(it["specialty"])
            team = [[n + 1, d, i] for n, (d, i) in
                    enumerate(zip(v["departments"].split(";"), v["inspector_ids"].split(";")))] \
                if v["inspector_ids"] else []
            visits[v["visit"]] = {"uscc": v["uscc"], "start": day(v["start"]), "end": day(v["end"]),
                                  "team": team, "need": need}
            for t in v["tasks"].split(";"):
                inspections[(t, v["uscc"])] = v["visit"]
        load = {r["inspector_id"]: int(r["visits"])
                for r in read_csv(os.path.join(bundle, "load.csv"), "utf-8")} \
            if os.path.exists(os.path.join(bundle, "load.csv")) else {}
    else:
        task = plan["task"]
        items[task["id"]] = task.get("items", [])
        teams = {}
        if os.path.exists(os.path.join(bundle, "assignments.csv")):
            for r in read_csv(os.path.join(bundle, "assignments.csv"), "utf-8"):
                teams.setdefault(r["uscc"], []).append([int(r["slot"]), r["department"], r["inspector_id"]])
        required = set(plan.get("inspectors", {}).get("required_specialties", []))
        for r in read_csv(os.path.join(bundle, "targets.csv"), "utf-8"):
            team = teams.get(r["uscc"], [])
            visits[r["uscc"]] = {"uscc": r["uscc"], "start": task["start"], "end": task["end"],
                                 "team": team, "need": {d: required for _, d, _ in team}}
            inspections[(task["id"], r["uscc"])] = r["uscc"]
        load = {}
        for v in visits.values():
            for _, _, i in v["team"]:
                load[i] = load.get(i, 0) + 1
    drawn = {v["uscc"] for v in visits.values()}
    return plan, visits, inspections, items, load, drawn, path_of, encoding_of


def main(bundle):
    problems = []
    manifest_bytes = open(os.path.join(bundle, "manifest.json"), "rb").read()
    manifest = json.loads(manifest_bytes)
    seed = manifest["seed"]["value"]
    plan, visits, inspections, items, load, drawn, path_of, encoding_of = load_draw(bundle, manifest)

    rules = plan.get("inspectors", {})
    inspectors = read_csv(path_of("inspectors"), encoding_of("inspectors")) if rules else []
    info = {p["inspector_id"]: p for p in inspectors}
    ids = [p["inspector_id"] for p in inspectors]
    firms = {f["uscc"]: f for f in read_csv(path_of("enterprises"), encoding_of("enterprises")) if f["uscc"] in drawn}
    conflicts = set()
    if "conflicts" in manifest["inputs"]:
        for r in read_csv(path_of("conflicts"), encoding_of("conflicts")):
            conflicts.add((r["inspector_id"], r["uscc"]))
    last = {}
    if "history" in manifest["inputs"]:
        for r in read_csv(path_of("history"), encoding_of("history")):
            if r["uscc"] not in drawn:
                continue
            y, m, d = (int(x) for x in r["inspected_on"].replace("/", "-").split("-"))
            on = datetime.date(y, m, d)
            got = r.get("inspector_ids", "")
            ids_here = {x for x in got.split(";") if x}
            if r["uscc"] not in last or on > last[r["uscc"]][0]:
                last[r["uscc"]] = (on, ids_here)
            elif on == last[r["uscc"]][0]:
                last[r["uscc"]][1].update(ids_here)
    cap = rules.get("max_assignments")

    def specialties(p):
        return [s.strip() for s in p.get("specialties", "").replace("；", ";").split(";") if s.strip()]

    def passes(i, dept, visit):
        p = info[i]
        uscc = visit["uscc"]
        firm = firms[uscc]
        expires = datetime.date.fromisoformat(p["cert_expires"].replace("/", "-"))
        area = firm.get("supervising_area") or firm["county"]
        return (p["department"] == dept and p["status"].lower() in ACTIVE and expires >= visit["end"]
                and all(s in specialties(p) for s in visit["need"].get(dept, ()))
                and (i, uscc) not in conflicts
                and not (rules.get("cross_area", True) and p["area"] == area)
                and not (rules.get("avoid_last_inspectors", True) and uscc in last and i in last[uscc][1])
                and not (cap is not None and load.get(i, 0) >= cap)
                and i not in [m[2] for m in visit["team"]])

    head = sha(manifest_bytes)
    text = open(os.path.join(bundle, "results.jsonl"), "rb").read()
    lines = text.split(b"\n")
    if lines[-1] != b"":
        problems.append(f"line {len(lines)}: no line feed at the end")
    in_force = {}
    replaced = {}
    substitutions = results = corrections = 0
    for n, raw in enumerate(lines[:-1], start=1):
        e = json.loads(raw)
        if json.dumps(e, ensure_ascii=False, separators=(",", ":")).encode() != raw:
            problems.append(f"line {n}: not in canonical form")
        if e["line"] != n:
            problems.append(f"line {n}: numbered {e['line']}")
        if e["prev"] != head:
            problems.append(f"line {n}: prev {e['prev']} is not {head}")
        head = sha(raw)
        if e["kind"] in ("result", "correction"):
            key = (e["task"], e["uscc"])
            if key not in inspections:
                problems.append(f"line {n}: {key} was not drawn")
                continue
            visit = visits[inspections[key]]
            on = datetime.date.fromisoformat(e["inspected_on"])
            if not visit["start"] <= on <= visit["end"]:
                problems.append(f"line {n}: {on} outside the window")
            team = [m[2] for m in visit["team"]]
            if len(set(e["inspectors"])) != len(e["inspectors"]) or len(e["inspectors"]) < 2:
                problems.append(f"line {n}: inspectors {e['inspectors']}")
            if team and any(i not in team for i in e["inspectors"]):
                problems.append(f"line {n}: {e['inspectors']} not all on the team {team}")
            if sorted(i["item"] for i in e["items"]) != sorted(items[e["task"]]):
                problems.append(f"line {n}: items {[i['item'] for i in e['items']]}, task has {items[e['task']]}")
            if e["kind"] == "result":
                results += 1
                if key in in_force:
                    problems.append(f"line {n}: a second result for {key}")
            else:
                corrections += 1
                if in_force.get(key) != e["corrects"]:
                    problems.append(f"line {n}: corrects {e['corrects']}, in force {in_force.get(key)}")
            in_force[key] = n
        elif e["kind"] == "substitution":
            substitutions += 1
            visit = visits[e["visit"]]
            slot = [m for m in visit["team"] if m[0] == e["slot"]][0]
            if slot[2] != e["replaced"]:
                problems.append(f"line {n}: slot {e['slot']} is held by {slot[2]}")
            gone = replaced.setdefault(e["visit"], set())
            gone.add(e["replaced"])
            ranking = list(consistent_sampler.sampler(ids, seed=f"{seed}:team:{e['visit']}", output="id"))
            pick = next(((r + 1, i) for r, i in enumerate(ranking)
                         if i not in gone and passes(i, slot[1], visit)), None)
            if pick != (e["rank"], e["substitute"]):
                problems.append(f"line {n}: substitute {e['substitute']} rank {e['rank']}; the ranking gives {pick}")
            load[e["replaced"]] -= 1
            load[e["substitute"]] = load.get(e["substitute"], 0) + 1
            slot[2] = e["substitute"]
        else:
            problems.append(f"line {n}: unknown kind {e['kind']}")
    for p in problems:
        print(p)
    print(f"results: {len(lines) - 1} lines, {results} results, {corrections} corrections, "
          f"{substitutions} substitutions, {len(in_force)} of {len(inspections)} in force; head {head}; "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
