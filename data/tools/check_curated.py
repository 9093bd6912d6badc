#!/usr/bin/env python3
"""Check data/sotkanet/snapshot_indicators_curated.csv against the snapshot.

Run from anywhere:  python3 data/tools/check_curated.py
Exit status 0 = all checks passed, 1 = problems found (listed on stderr).

Checks:
  * header is exactly the agreed column list;
  * every indicator id of sotkanet_snapshot_2013_indicators.csv appears exactly once,
    and no other id appears;
  * unit, polarity, denominator, kind, producer and population_group are from the
    allowed sets; decimals is a small non-negative integer; titles are non-empty;
  * denominator=population only for PROS / PER1000 / PER10000 / PER100000;
  * if the gzipped values file is present: the values of each indicator have no more
    decimals than declared, and percentages (other than finance ratios) stay within 0..100.
"""
import csv
import gzip
import os
import sys
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.dirname(HERE)
CURATED = os.path.join(DATA, "sotkanet", "snapshot_indicators_curated.csv")
SNAPSHOT = os.path.join(DATA, "sotkanet", "sotkanet_snapshot_2013_indicators.csv")
VALUES = os.path.join(DATA, "sotkanet", "sotkanet_snapshot_2013_values.csv.gz")

COLUMNS = ["indicator", "title_fi", "title_sv", "title_en", "unit", "decimals",
           "polarity", "denominator", "kind", "producer", "theme", "population_group"]
UNITS = {"PROS", "PER1000", "PER10000", "PER100000", "LKM", "EUROA", "INDEKSI"}
POLARITIES = {"high_is_good", "low_is_good", "no_judgement"}
DENOMINATORS = {"population", "none"}
KINDS = {"register", "survey", "projection", "finance", "other"}
PRODUCERS = {"THL", "Tilastokeskus", "Kela", "Oikeusministeriö", "other"}
GROUPS = {"children_families", "young_people", "working_age", "older_people",
          "whole_population"}
RATE_UNITS = {"PROS", "PER1000", "PER10000", "PER100000"}


def main():
    errors = []
    with open(SNAPSHOT, encoding="utf-8", newline="") as f:
        snapshot_ids = [r["indicator"] for r in csv.DictReader(f)]
    with open(CURATED, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != COLUMNS:
            errors.append(f"header is {reader.fieldnames}, expected {COLUMNS}")
        rows = list(reader)

    counts = Counter(r["indicator"] for r in rows)
    for i in snapshot_ids:
        if counts[i] != 1:
            errors.append(f"indicator {i}: appears {counts[i]} times (expected 1)")
    for i in counts:
        if i not in snapshot_ids:
            errors.append(f"indicator {i}: not in the snapshot")

    allowed = {"unit": UNITS, "polarity": POLARITIES, "denominator": DENOMINATORS,
               "kind": KINDS, "producer": PRODUCERS, "population_group": GROUPS}
    by_id = {}
    for n, r in enumerate(rows, start=2):
        where = f"line {n} (indicator {r.get('indicator')})"
        if None in r or any(v is None for v in r.values()):
            errors.append(f"{where}: wrong number of fields")
            continue
        by_id[r["indicator"]] = r
        for col, ok in allowed.items():
            if r[col] not in ok:
                errors.append(f"{where}: {col}={r[col]!r} not in {sorted(ok)}")
        if not r["decimals"].isdigit() or int(r["decimals"]) > 4:
            errors.append(f"{where}: decimals={r['decimals']!r} is not 0..4")
        for col in ("title_fi", "title_sv", "title_en", "theme"):
            if not r[col].strip() or r[col] != r[col].strip():
                errors.append(f"{where}: {col} empty or has surrounding spaces")
        if r["denominator"] == "population" and r["unit"] not in RATE_UNITS:
            errors.append(f"{where}: denominator=population needs a rate unit, got {r['unit']}")
        if r["kind"] == "survey" and r["denominator"] != "none":
            errors.append(f"{where}: survey indicators must have denominator=none")

    if os.path.exists(VALUES) and not errors:
        maxdec = defaultdict(int)
        lo, hi = {}, {}
        with gzip.open(VALUES, "rt", encoding="utf-8", newline="") as f:
            for v in csv.DictReader(f):
                if v["value"] == "":
                    continue
                i, x = v["indicator"], float(v["value"])
                lo[i] = min(lo.get(i, x), x)
                hi[i] = max(hi.get(i, x), x)
                # values are written with a trailing ".0"; count significant decimals
                s = v["value"].rstrip("0").rstrip(".") if "." in v["value"] else v["value"]
                d = len(s.split(".")[1]) if "." in s else 0
                maxdec[i] = max(maxdec[i], d)
        for i, r in by_id.items():
            if maxdec[i] > int(r["decimals"]):
                errors.append(f"indicator {i}: data has {maxdec[i]} decimals, declared {r['decimals']}")
            # shares stay within 0..100; finance ratios in % (e.g. relative
            # indebtedness = liabilities / operating revenue) may exceed 100
            if (r["unit"] == "PROS" and r["kind"] != "finance" and i in lo
                    and (lo[i] < 0 or hi[i] > 100)):
                errors.append(f"indicator {i}: PROS values outside 0..100 ({lo[i]}..{hi[i]})")

    if errors:
        for e in errors:
            print("ERROR:", e, file=sys.stderr)
        print(f"{len(errors)} problem(s) in {CURATED}", file=sys.stderr)
        return 1
    pol = Counter(r["polarity"] for r in rows)
    den = Counter(r["denominator"] for r in rows)
    print(f"OK: {len(rows)} indicators; polarity {dict(pol)}; denominator {dict(den)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
