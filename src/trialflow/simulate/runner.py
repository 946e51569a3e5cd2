"""Simulated SDTM deliveries for single-arm Phase II trials (`trialflow simulate`).

Neither bundled trial's patient data are public, so trialflow ships simulated raw deliveries.
`simulate_trial` draws one latent trial (subjects, a tumour-growth model per lesion, dosing,
adverse events, disposition, survival follow-up and subsequent therapy) and cuts it into
cumulative deliveries: each delivery holds what was in the database on its delivery date, so
it carries records dated after its cutoff, and a later delivery adds subjects and follow-up and
corrects a few earlier values. Site data-entry mess is added on purpose (see
resources/README.md). Responses, progressions and new lesions are not drawn directly: they
emerge from the simulated measurements (RECIST 1.1, Eisenhauer 2009), and the investigator's
RS response mostly agrees with them.

The same preset, seed and deliveries give byte-identical files.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np
import pandas as pd

from trialflow.errors import TrialflowError
from trialflow.simulate.engine import build_truth, day
from trialflow.simulate.mess import COLUMNS, DOMAINS, add_corrections, add_mess, snapshot
from trialflow.simulate.presets import PRESETS, AEProfile, Cohort, TrialPreset

__all__ = [
    "COLUMNS",
    "DOMAINS",
    "PRESETS",
    "AEProfile",
    "Cohort",
    "TrialPreset",
    "run_cli",
    "simulate_trial",
    "write_delivery",
]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _check_deliveries(deliveries: list[tuple[str, str]]) -> list[tuple[str, str]]:
    if not deliveries:
        raise TrialflowError("simulate: at least one delivery (CUTOFF:DELIVERYDATE) is needed")
    for cutoff, ddate in deliveries:
        for what, text in (("cutoff", cutoff), ("delivery date", ddate)):
            if not _DATE.match(str(text)):
                raise TrialflowError(
                    f"simulate: {what} {text!r} is not a date (expected YYYY-MM-DD)"
                )
            try:
                day(text)
            except ValueError:
                raise TrialflowError(
                    f"simulate: {what} {text!r} is not a date (expected YYYY-MM-DD)"
                ) from None
        if day(ddate) < day(cutoff):
            raise TrialflowError(
                f"simulate: delivery date {ddate} is before its cutoff {cutoff} "
                "(expected a delivery on or after the cutoff)"
            )
    names = [d for _, d in deliveries]
    if len(set(names)) != len(names):
        raise TrialflowError("simulate: two deliveries share a delivery date (folder name)")
    return sorted(deliveries, key=lambda x: x[1])


def simulate_trial(
    preset: str | TrialPreset,
    *,
    seed: int | None = None,
    n_subjects: int | None = None,
    deliveries: list[tuple[str, str]] | None = None,
) -> dict[str, dict[str, pd.DataFrame]]:
    """Simulate one trial and return its cumulative deliveries.

    Returns `{delivery_date: {domain: DataFrame}}` (delivery date = folder name), domains
    `dm, suppdm, ex, ae, ds, tu, tr, rs, cm` with CDISC SDTM IG variable names. `seed` defaults
    to the preset's seed, `n_subjects` to the preset's sample size, `deliveries` (pairs of
    cutoff and delivery date, ISO text) to the preset's two. `preset` is a preset's name or a
    `TrialPreset` (a portfolio trial, see `trialflow.simulate.portfolio`).
    """
    if isinstance(preset, TrialPreset):
        p = preset
    elif preset not in PRESETS:
        raise TrialflowError(
            f"simulate: unknown preset {preset!r} (expected one of {', '.join(sorted(PRESETS))})"
        )
    else:
        p = PRESETS[preset]
    seed = p.seed if seed is None else int(seed)
    n = p.n_subjects if n_subjects is None else int(n_subjects)
    if n < 1:
        raise TrialflowError(f"simulate: n_subjects must be at least 1, got {n}")
    dels = _check_deliveries(list(deliveries) if deliveries is not None else list(p.deliveries))
    horizon = max(day(d) for _, d in dels)
    first_cutoff = min(day(c) for c, _ in dels)
    tables = build_truth(p, seed=seed, n=n, horizon=horizon, first_cutoff=first_cutoff)
    tables.pop("_meta")
    rng = np.random.default_rng([seed, 7])
    add_corrections(tables, rng, first_delivery=day(dels[0][1]))
    add_mess(tables, rng, p.studyid, first_delivery=day(dels[0][1]))
    return {
        ddate: snapshot(tables, day(ddate), last=i == len(dels) - 1)
        for i, (_, ddate) in enumerate(dels)
    }


def write_delivery(frames: dict[str, pd.DataFrame], folder: Path) -> None:
    """Write one delivery as `<folder>/<domain>.csv`: fixed column order, `\\n` line ends,
    UTF-8, floats as `%.10g`, no index, so the same frames give the same bytes."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name in sorted(frames):
        frames[name].to_csv(
            folder / f"{name}.csv",
            index=False,
            lineterminator="\n",
            float_format="%.10g",
            encoding="utf-8",
        )


def run_cli(args: argparse.Namespace) -> int:
    """Run `trialflow simulate` (its arguments: `trialflow.cli.simulate`); returns the exit
    code."""
    if args.bundled:
        if args.preset or args.seed is not None or args.n_subjects or args.delivery:
            raise TrialflowError(
                "simulate: --bundled uses each preset's defaults; drop --preset, --seed, "
                "--n-subjects and --delivery"
            )
        out = args.out if args.out is not None else Path("resources/raw")
        for name in sorted(PRESETS):
            for ddate, frames in simulate_trial(name).items():
                write_delivery(frames, out / name / ddate)
                print(f"wrote {out / name / ddate}")
        return 0
    if not args.preset or args.out is None:
        raise TrialflowError("simulate: --preset and --out are required (or use --bundled)")
    result = simulate_trial(
        args.preset, seed=args.seed, n_subjects=args.n_subjects, deliveries=args.delivery
    )
    for ddate, frames in result.items():
        write_delivery(frames, args.out / ddate)
        print(f"wrote {args.out / ddate}")
    return 0
