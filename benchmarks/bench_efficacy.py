"""Benchmark: the efficacy stage (ADTTE + efficacy ARD) on a simulated 10,000-subject delivery.

Run from the repository root:

    .venv/bin/python benchmarks/bench_efficacy.py [--n 10000] [--seed 20240601]

Simulated data (numpy, fixed seed), shaped like the stage's inputs: ADSL (one row per subject:
dates, flags, COHORT/AGEGR1/ECOGBL), every overall-response assessment (planned every 42 days,
with jitter, about 8% missed and 5% NE, latent PD and death times, new therapy after PD for
most progressors) and ADRS derived from those assessments by `trialflow.adam.adrs.derive_adrs`
(set-up, timed separately). The timed stage is what the workflow's efficacy rules run:
`adtte.derive_adtte` followed by `efficacy.efficacy_ard` for an ORR-primary Simon design
(subgroups AGEGR1, ECOGBL) and for a PFS-primary one-sample log-rank design (subgroup COHORT).
Prints wall times (first call, cold imports and caches included) and peak memory (tracemalloc
peak of Python/numpy allocations during a second, untimed run of the stage, and the process's
maximum resident set size). Target: < 30 s on the 2-core machine.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

from trialflow.adam.adrs import derive_adrs
from trialflow.adam.adtte import derive_adtte
from trialflow.ard.efficacy import efficacy_ard
from trialflow.config.loading import resolve_sections
from trialflow.config.options import TrialOptions

TARGET_SECONDS = 30.0
INTERVAL = 42
CUTOFF = pd.Timestamp("2024-12-31")

ORR_TRIAL = {
    "rates": {"ci_method": "clopper-pearson", "conf_level": 0.95},
    "survival": {"conf_type": "log-log", "conf_level": 0.95, "landmarks_months": [6, 12]},
    "design": {
        "endpoint": "ORR",
        "kind": "simon_two_stage",
        "variant": "optimal",
        "p0": 0.10,
        "p1": 0.20,
        "alpha": 0.05,
        "power": 0.90,
    },
    "subgroups": ["AGEGR1", "ECOGBL"],
}
PFS_TRIAL = {
    **ORR_TRIAL,
    "design": {
        "endpoint": "PFS",
        "kind": "one_sample_logrank",
        "alpha": 0.05,
        "power": 0.80,
        "historical_median_months": 3.0,
        "landmark_months": 6,
        "historical_landmark_rate": 0.25,
    },
    "subgroups": ["COHORT"],
}


def simulate(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ADSL and all overall-response assessments for `n` subjects."""
    rng = np.random.default_rng(seed)
    day = np.timedelta64(1, "D")
    ids = np.array([f"SIM-{i:06d}" for i in range(1, n + 1)])
    start = np.datetime64("2021-01-01") + rng.integers(0, 900, n) * day
    followup = (CUTOFF.to_datetime64() - start) / day  # days to cutoff
    pd_day = rng.exponential(200.0, n) + 20
    death_day = pd_day + rng.exponential(250.0, n)
    dropout_day = rng.exponential(900.0, n)
    dies = death_day < np.minimum(followup, dropout_day)
    efffl = np.where(rng.random(n) < 0.93, "Y", "N")
    responder = rng.random(n) < 0.25

    max_visits = int(np.ceil(followup.max() / INTERVAL)) + 1
    k = np.arange(1, max_visits + 1)
    vday = k[None, :] * INTERVAL + rng.integers(-5, 6, (n, max_visits))
    last_day = np.minimum.reduce([followup, dropout_day, np.where(dies, death_day, np.inf)])
    keep = (vday <= last_day[:, None]) & (vday <= pd_day[:, None] + INTERVAL)
    keep &= rng.random((n, max_visits)) >= 0.08  # missed visits
    resp = np.where(responder[:, None], np.where(k[None, :] >= 2, "PR", "SD"), "SD")
    resp = np.where(responder[:, None] & (k[None, :] >= 4), "CR", resp)
    resp = np.where(vday >= pd_day[:, None], "PD", resp)
    resp = np.where(rng.random((n, max_visits)) < 0.05, "NE", resp)
    sub, vis = np.nonzero(keep)
    assessments = pd.DataFrame(
        {
            "USUBJID": ids[sub],
            "ADT": (start[sub] + vday[sub, vis] * day).astype("datetime64[ns]"),
            "AVALC": resp[sub, vis],
        }
    )

    first_pd = pd.Series(np.where(resp == "PD", vday, np.inf)[keep], index=sub).groupby(level=0)
    first_pd = first_pd.min().reindex(range(n)).to_numpy()
    nact_day = np.where(
        np.isfinite(first_pd) & (rng.random(n) < 0.7), first_pd + rng.integers(7, 30, n), np.nan
    )
    nact_day = np.where(nact_day < last_day, nact_day, np.nan)
    lstalv_day = np.floor(last_day)
    adsl = pd.DataFrame(
        {
            "STUDYID": "SIM",
            "USUBJID": ids,
            "SUBJID": [i[-6:] for i in ids],
            "COHORT": rng.choice(["HER2 MUT", "EGFR MUT", "AR ACT", "EGFR ACT"], n),
            "AGEGR1": rng.choice(["<65", ">=65"], n, p=[0.7, 0.3]),
            "ECOGBL": rng.choice([0.0, 1.0, 2.0], n, p=[0.45, 0.5, 0.05]),
            "TRTSDT": start.astype("datetime64[ns]"),
            "STARTDT": start.astype("datetime64[ns]"),
            "DTHDT": np.where(dies, start + np.floor(death_day).astype("int64") * day, None),
            "LSTALVDT": start + lstalv_day.astype("int64") * day,
            "NACTDT": np.where(
                np.isnan(nact_day), None, start + np.nan_to_num(nact_day).astype("int64") * day
            ),
            "CUTOFFDT": CUTOFF,
            "ENRLFL": "Y",
            "SAFFL": "Y",
            "EFFFL": efffl,
            "TUBLFL": "Y",
        }
    )
    for col in ("DTHDT", "LSTALVDT", "NACTDT", "CUTOFFDT"):
        adsl[col] = pd.to_datetime(adsl[col]).astype("datetime64[ns]")
    return adsl, assessments


def efficacy_stage(
    adsl: pd.DataFrame, assessments: pd.DataFrame, adrs: pd.DataFrame, trial: dict
) -> tuple[pd.DataFrame, pd.DataFrame]:
    o = TrialOptions.from_trial(resolve_sections({**trial, "assessment_interval_days": INTERVAL}))
    adtte = derive_adtte(adsl, assessments, adrs, pfs=o.pfs, response=o.response, cutoff=CUTOFF)
    ard = efficacy_ard(
        adsl,
        adrs,
        adtte,
        response=o.response,
        rates=o.rates,
        survival=o.survival,
        design=o.design,
        subgroups=o.subgroups,
    )
    return adtte, ard


def response_rules():
    """The schema's default ResponseRules (the only place a default is written)."""
    from pathlib import Path

    from trialflow.config.loading import apply_defaults, parse_yaml
    from trialflow.config.options import ResponseRules

    path = Path(__file__).resolve().parents[1] / "workflow" / "schemas" / "trial.schema.yaml"
    schema = parse_yaml(path.read_text(encoding="utf-8"), str(path))
    return ResponseRules.from_trial(apply_defaults({"response": {}}, schema))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    adsl, assessments = simulate(args.n, args.seed)
    adrs, _ = derive_adrs(assessments, adsl, response_rules())
    setup = time.perf_counter() - t0
    print(
        f"set-up (simulate + derive_adrs, not part of the stage): {setup:.2f} s; "
        f"{len(adsl):,} subjects, {len(assessments):,} assessments, {len(adrs):,} ADRS rows"
    )

    worst = 0.0
    for label, trial in (("ORR-primary (Simon)", ORR_TRIAL), ("PFS-primary (log-rank)", PFS_TRIAL)):
        t0 = time.perf_counter()
        adtte, ard = efficacy_stage(adsl, assessments, adrs, trial)
        elapsed = time.perf_counter() - t0
        # memory in a second run: tracemalloc slows pandas down, so it is not in the timing
        tracemalloc.start()
        efficacy_stage(adsl, assessments, adrs, trial)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        worst = max(worst, elapsed)
        counts = adtte["PARAMCD"].value_counts().reindex(["OS", "PFS", "DOR", "TTR"]).to_dict()
        print(
            f"efficacy stage, {label}: {elapsed:.2f} s wall, peak traced memory "
            f"{peak / 2**20:.1f} MiB; ADTTE rows {counts}, ARD rows {len(ard):,}"
        )
        design = ard[(ard["analysis"] == "design") & (ard["stat"] == "sentence")]
        print(f"  decision: {design['value'].iloc[0]}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS: {rss:.0f} MiB")
    ok = worst < TARGET_SECONDS
    print(f"target < {TARGET_SECONDS:g} s: {'met' if ok else 'NOT met'} (worst {worst:.2f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
