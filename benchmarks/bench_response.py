"""Benchmark ADSL + ADTR + per-visit RECIST 1.1 responses + ADRS on a simulated delivery.

Usage: python benchmarks/bench_response.py [N_SUBJECTS]
Simulates the irinotecan preset with N subjects (default 10,000), cleans its final delivery
with the ingest stage and writes the cleaned domains as parquet to a temporary folder. Then a
fresh Python process reads them and times derive_adsl, derive_adtr, derive_visit_responses,
select_ovr_records and derive_adrs, printing the wall time and its own peak resident memory
(so simulation and ingest do not count). Target: < 30 s, < 2 GB.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOMAINS = ("dm", "suppdm", "ex", "ds", "tu", "tr", "rs", "cm")
CUTOFF = "2021-12-31"


def peak_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 if sys.platform != "darwin" else rss / 1024 / 1024


def prepare(n_subjects: int, folder: Path) -> None:
    from trialflow import io
    from trialflow.ingest.delivery import ingest_delivery
    from trialflow.simulate.runner import simulate_trial, write_delivery

    t0 = time.perf_counter()
    deliveries = simulate_trial("irinotecan", n_subjects=n_subjects)
    last = sorted(deliveries)[-1]
    raw_dir = folder / "raw"
    write_delivery(deliveries[last], raw_dir)
    del deliveries
    specs = io.read_specs(sorted((REPO / "workflow" / "schemas" / "sdtm").glob("*.yaml")))
    raw = {p.stem: io.read_domain(p, name=p.name) for p in sorted(raw_dir.glob("*.csv"))}
    result = ingest_delivery(raw, specs, studyid="IRI-MBC-3L", cutoff=CUTOFF)
    for name in DOMAINS:
        result.domains[name].to_parquet(folder / f"{name}.parquet")
    rows = {k: len(result.domains[k]) for k in DOMAINS}
    print(f"simulated and cleaned {n_subjects} subjects in {time.perf_counter() - t0:.1f} s")
    print("  cleaned rows: " + ", ".join(f"{k} {v}" for k, v in rows.items()))


def response_rules():
    """The schema's default ResponseRules (the only place a default is written)."""
    from pathlib import Path

    from trialflow.config.loading import apply_defaults, parse_yaml
    from trialflow.config.options import ResponseRules

    path = Path(__file__).resolve().parents[1] / "workflow" / "schemas" / "trial.schema.yaml"
    schema = parse_yaml(path.read_text(encoding="utf-8"), str(path))
    return ResponseRules.from_trial(apply_defaults({"response": {}}, schema))


def derive(folder: Path) -> None:
    import pandas as pd

    from trialflow.adam.adrs import derive_adrs
    from trialflow.adam.adsl import derive_adsl
    from trialflow.adam.adtr import derive_adtr
    from trialflow.adam.readers import choose_readers
    from trialflow.adam.recist import derive_visit_responses, select_ovr_records

    d = {name: pd.read_parquet(folder / f"{name}.parquet") for name in DOMAINS}
    base = peak_rss_mb()
    t0 = time.perf_counter()
    rules = response_rules()
    adsl, _ = derive_adsl(
        d["dm"],
        d["suppdm"],
        d["ex"],
        d["ds"],
        d["tu"],
        d["tr"],
        d["rs"],
        d["cm"],
        cutoff=CUTOFF,
        response=rules,
        reference_start="first_dose",
        studyid=None,
        age_cut=65,
    )
    t1 = time.perf_counter()
    visits, _ = derive_visit_responses(d["tu"], d["tr"], d["rs"], adsl, rules)
    t2 = time.perf_counter()
    readers = choose_readers(d["tu"], d["tr"], d["rs"], rules)
    adrs, issues = derive_adrs(select_ovr_records(d["rs"], visits, rules, readers), adsl, rules)
    t3 = time.perf_counter()
    adtr = derive_adtr(d["tu"], d["tr"], d["rs"], adsl, adrs, rules)
    t4 = time.perf_counter()
    print(f"ADSL {len(adsl)} rows, ADTR {len(adtr)}, visits {len(visits)}, ADRS {len(adrs)}")
    print(
        f"wall time: total {t4 - t0:.1f} s (adsl {t1 - t0:.1f}, visit responses {t2 - t1:.1f}, "
        f"adrs {t3 - t2:.1f}, adtr {t4 - t3:.1f})"
    )
    print(
        f"peak memory (max RSS of this process): {peak_rss_mb():.0f} MB (after reading {base:.0f} MB)"
    )
    cbor = adrs[adrs["PARAMCD"] == "CBOR"]["AVALC"].value_counts().sort_index()
    print("CBOR: " + ", ".join(f"{k} {v}" for k, v in cbor.items()))


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--derive":
        derive(Path(sys.argv[2]))
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        prepare(n, Path(tmp))
        subprocess.run([sys.executable, __file__, "--derive", tmp], check=True)


if __name__ == "__main__":
    main()
