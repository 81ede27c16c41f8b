#!/usr/bin/env python3
"""Acceptance report: runs an @every 1s job should have made, per phase.

  report.py <logs.json> <phases> <jobs> <budget> <report.json>

<logs.json> is the receiver's GET /logs ({"token": [RFC 3339 stamps]}).
<phases> has one line per phase: "<name> <start> <end>" (Unix times). Each
of the <jobs> tokens ("acc-0" ...) runs every second, so a phase expects
floor(end - start) runs per token. For each phase it prints, over all
tokens: expected, received, missed (expected - received, at least 0), the
longest gap between two runs of one token (from the phase's start to its
end), and duplicates (two runs of one token within 0.5 s). The table goes
to stdout and the same figures to <report.json>. Exits 1 when the missed
runs of all phases exceed <budget>, else 0."""
import datetime
import json
import sys


def parse(stamp):
    # 2021-03-27T18:59:30.072822641+01:00: Python wants microseconds
    head, frac_off = stamp[:19], stamp[20:]
    frac, off = frac_off[:9], frac_off[9:]
    t = datetime.datetime.fromisoformat(head + off).timestamp()
    return t + int(frac) / 1e9


def main():
    logs_path, phases_path, jobs, budget, out_path = sys.argv[1:6]
    jobs, budget = int(jobs), int(budget)
    logs = json.load(open(logs_path))
    times = {t: sorted(parse(s) for s in logs.get(t, [])) for t in ("acc-%d" % i for i in range(jobs))}
    phases = []
    for line in open(phases_path):
        name, start, end = line.split()
        start, end = float(start), float(end)
        expected = received = duplicates = 0
        gap = 0.0
        for ts in times.values():
            inside = [t for t in ts if start <= t < end]
            expected += int(end - start)
            received += len(inside)
            edges = [start] + inside + [end]
            gap = max(gap, max(b - a for a, b in zip(edges, edges[1:])))
            duplicates += sum(1 for a, b in zip(inside, inside[1:]) if b - a < 0.5)
        phases.append({"phase": name, "seconds": round(end - start, 1), "expected": expected,
                       "received": received, "missed": max(0, expected - received),
                       "longest_gap_s": round(gap, 2), "duplicates": duplicates})
    missed = sum(p["missed"] for p in phases)
    print("%-18s %8s %9s %9s %7s %15s %11s" % ("phase", "seconds", "expected", "received", "missed",
                                               "longest gap s", "duplicates"))
    for p in phases:
        print("%-18s %8.1f %9d %9d %7d %15.2f %11d" % (p["phase"], p["seconds"], p["expected"],
                                                     p["received"], p["missed"], p["longest_gap_s"],
                                                     p["duplicates"]))
    verdict = "pass" if missed <= budget else "FAIL"
    print("missed runs in all: %d (budget %d): %s" % (missed, budget, verdict))
    json.dump({"jobs": jobs, "budget": budget, "missed": missed, "verdict": verdict, "phases": phases},
              open(out_path, "w"), indent=2)
    sys.exit(0 if missed <= budget else 1)


if __name__ == "__main__":
    main()
