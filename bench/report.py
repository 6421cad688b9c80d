#!/usr/bin/env python3
"""Turns the Google Benchmark JSON of bench.cpp into the Markdown table of
docs/BENCHMARKS.md: per layer, tiled and scalar G binary MAC/s, % of the
ceiling measured in the same run, and the speed-up of the tiles."""
import json
import sys

results = json.load(open(sys.argv[1]))["benchmarks"]
cpu = sys.argv[2] if len(sys.argv) > 2 else "unknown CPU"
rate = {b["name"][3:]: b["GMAC/s"] for b in results}
ceiling = rate.pop("Ceiling")
names = [n[: -len("_tiled")] for n in rate if n.endswith("_tiled")]
print("Machine: %s, one thread. Ceiling (register-resident XOR + popcount + "
      "add, widest vectors): **%.0f G binary MAC/s**.\n" % (cpu, ceiling))
print("| layer | tiled G MAC/s | % of ceiling | scalar G MAC/s | tiled / scalar |")
print("|---|---|---|---|---|")
for n in names:
    t, s = rate[n + "_tiled"], rate[n + "_scalar"]
    print("| %s | %.0f | %.0f%% | %.0f | %.1fx |" % (n, t, 100 * t / ceiling, s,
                                                   t / s))
