"""The second random (teams), written from SPEC.md alone, checked with
consistent_sampler. Used by crosscheck.py."""
import csv
import datetime
import os

import consistent_sampler

ACTIVE = {"在岗", "active"}


def check_teams(bundle, plan, seed, firms, last, expected_targets, path_of, read_csv, encoding_of):
    rules = plan["inspectors"]
    end = plan["task"]["end"]
    inspectors = read_csv(path_of("inspectors"), encoding_of("inspectors"))
    conflicts = set()
    if "conflicts" in rules:
        for r in read_csv(path_of("conflicts"), encoding_of("conflicts")):
            conflicts.add((r["inspector_id"], r["uscc"]))
    by_code = {f["uscc"]: f for f in firms}
    required = rules.get("required_specialties", [])
    cap = rules.get("max_assignments")
    cross_area = rules.get("cross_area", True)
    avoid_last = rules.get("avoid_last_inspectors", True)
    team = sorted(rules["team"].items(), key=lambda kv: kv[0].encode("utf-8"))
    ids = [p["inspector_id"] for p in inspectors]
    info = {p["inspector_id"]: p for p in inspectors}

    def specialties(p):
        return [s.strip() for s in p.get("specialties", "").replace("；", ";").split(";") if s.strip()]

    def static_ok(p):
        expires = datetime.date.fromisoformat(p["cert_expires"].replace("/", "-"))
        return (p["status"].lower() in ACTIVE and expires >= end
                and all(s in specialties(p) for s in required))

    load = {i: 0 for i in ids}
    departments = {d for d, _ in team}
    pool = [i for i in ids if info[i]["department"] in departments and static_ok(info[i])]
    # Staffing order: ascending ticket over all targets, ties by code.
    order = sorted(expected_targets, key=lambda t: (t[2], t[3]))
    teams = {}
    for (_label, _rank, _ticket, uscc) in order:
        firm = by_code[uscc]
        area = firm.get("supervising_area") or firm["county"]
        # Ranking only the officers who can ever serve gives the same order
        # among them as ranking everyone (consistent sampling).
        ranking = list(consistent_sampler.sampler(pool, seed=f"{seed}:team:{uscc}", output="id"))
        members = []
        slot = 0
        for dept, count in team:
            for _ in range(count):
                slot += 1
                for i in ranking:
                    p = info[i]
                    if p["department"] != dept or not static_ok(p):
                        continue
                    if (i, uscc) in conflicts:
                        continue
                    if cross_area and p["area"] == area:
                        continue
                    if avoid_last and uscc in last and i in last[uscc][1]:
                        continue
                    if cap is not None and load[i] >= cap:
                        continue
                    if i in [m[1] for m in members]:
                        continue
                    members.append((slot, i, dept))
                    break
                else:
                    raise SystemExit(f"no inspector for {uscc} slot {slot}: the bundle should not exist")
        for _, i, _ in members:
            load[i] += 1
        teams[uscc] = members

    expected = []
    for (_label, _rank, _ticket, uscc) in expected_targets:
        for slot, i, dept in teams[uscc]:
            expected.append((uscc, str(slot), dept, i))
    with open(os.path.join(bundle, "assignments.csv"), encoding="utf-8-sig", newline="") as fh:
        got = [(r["uscc"], r["slot"], r["department"], r["inspector_id"]) for r in csv.DictReader(fh)]
    problems = 0
    if len(got) != len(expected):
        print(f"assignments: {len(expected)} expected, {len(got)} in assignments.csv")
        problems += 1
    for n, (e, g) in enumerate(zip(expected, got)):
        if e != g:
            print(f"assignments.csv row {n + 2}: expected {e}, bundle has {g}")
            problems += 1
            if problems > 5:
                break
    print(f"teams: {len(expected)} assignments for {len(teams)} targets compared; {problems} problem(s)")
    return problems
