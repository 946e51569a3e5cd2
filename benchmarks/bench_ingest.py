"""Benchmark the ingest stage on a simulated 10,000-subject delivery.

Usage: python benchmarks/bench_ingest.py [N_SUBJECTS]
Simulates the irinotecan preset with N subjects (default 10,000), writes its final delivery as
CSV to a temporary folder, then times read + clean + write (parquet, issues, summary) and
prints the wall time and the peak resident memory of the process. Target: < 30 s, < 2 GB.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from trialflow import io
from trialflow.ingest.delivery import DOMAIN_ORDER, ingest_delivery
from trialflow.simulate.runner import simulate_trial, write_delivery

REPO = Path(__file__).resolve().parents[1]


def peak_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 if sys.platform != "darwin" else rss / 1024 / 1024


def main(n_subjects: int = 10_000) -> None:
    t0 = time.perf_counter()
    deliveries = simulate_trial("irinotecan", n_subjects=n_subjects)
    last = sorted(deliveries)[-1]
    cutoff = "2021-12-31"
    specs = io.read_specs(sorted((REPO / "workflow" / "schemas" / "sdtm").glob("*.yaml")))
    with tempfile.TemporaryDirectory() as tmp:
        raw_dir = Path(tmp) / "raw"
        write_delivery(deliveries[last], raw_dir)
        del deliveries
        t_sim = time.perf_counter() - t0
        rows = {p.stem: sum(1 for _ in p.open()) - 1 for p in sorted(raw_dir.glob("*.csv"))}
        print(f"simulated {n_subjects} subjects in {t_sim:.1f} s: {sum(rows.values())} raw rows")
        print("  " + ", ".join(f"{k} {v}" for k, v in rows.items()))

        t1 = time.perf_counter()
        raw = {p.stem: io.read_domain(p, name=p.name) for p in sorted(raw_dir.glob("*.csv"))}
        t_read = time.perf_counter() - t1
        result = ingest_delivery(
            raw, specs, studyid="IRI-MBC-3L", cutoff=cutoff, source_names={k: k for k in raw}
        )
        t_clean = time.perf_counter() - t1 - t_read
        out = Path(tmp) / "out"
        for name in DOMAIN_ORDER:
            io.write_parquet(result.domains[name], out / "sdtm" / f"{name}.parquet")
        io.write_csv(result.issues, out / "issues" / "ingest.csv")
        io.write_csv(result.summary, out / "ingest_summary.csv")
        t_total = time.perf_counter() - t1
    print(result.summary.to_string(index=False))
    print(f"data issues: {len(result.issues)}")
    print(
        f"ingest wall time: {t_total:.1f} s (read {t_read:.1f} s, clean {t_clean:.1f} s, "
        f"write {t_total - t_read - t_clean:.1f} s)"
    )
    print(f"peak memory (max RSS, whole process incl. simulation): {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
