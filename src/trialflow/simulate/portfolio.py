"""A portfolio of simulated trials (`trialflow simulate --portfolio N`).

A sponsor runs many single-arm trials, each with several data cutoffs. `plan_portfolio` draws N
trials from the bundled presets: each gets its own id, STUDYID, seed, sample size, calendar
(the preset's enrolment window moved by up to five years) and 2 or 3 data cutoffs (the preset's
interim and primary cutoffs, moved the same way and set to a month end, plus in about half of
the trials a follow-up update 6 to 12 months after the primary one). Each delivery arrives 14 to
35 days after its cutoff. `write_portfolio` writes, under a project root:

    resources/raw/<id>/<delivery date>/<domain>.csv   the simulated deliveries
    config/trials/<id>.yaml                           one trial file each
    config/portfolio.yaml                             the list of trial files

so that `snakemake --configfile config/portfolio.yaml` runs them all. Trial i is drawn from its
own random stream (seed, i), so a larger portfolio starts with the trials of a smaller one, and
the same seed gives the same bytes.

The clinical options of each trial file are those of the bundled trial file of its preset
(config/trials/<preset>.yaml); the design, response and safety rules are not varied.
"""

from __future__ import annotations

import calendar
import copy
import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import yaml

from trialflow.config.loading import parse_yaml
from trialflow.errors import TrialflowError
from trialflow.simulate.presets import PRESETS, TrialPreset

DEFAULT_SEED = 20240601
MAX_SHIFT_DAYS = 5 * 365
SUBJECTS = (40, 160)  # sample size drawn uniformly in this range (inclusive) per trial

#: The clinical sections copied from the bundled trial file of each trial's preset.
CLINICAL_SECTIONS = (
    "response",
    "assessment_interval_days",
    "pfs",
    "rates",
    "design",
    "survival",
    "subgroups",
    "safety",
    "baseline",
)

BUNDLED_TRIALS = Path(__file__).resolve().parents[3] / "config" / "trials"
"""The bundled trial files (config/trials/<preset>.yaml): one source of the presets' options."""


def bundled_options(preset: str) -> dict:
    """The clinical options of the bundled trial file of `preset` (values it does not set take
    their schema default when the portfolio's trial file is validated)."""
    path = BUNDLED_TRIALS / f"{preset}.yaml"
    data = parse_yaml(path.read_text(encoding="utf-8"), str(path))
    return {k: copy.deepcopy(data[k]) for k in CLINICAL_SECTIONS if k in data}


@dataclass(frozen=True)
class PortfolioTrial:
    """One simulated trial of a portfolio: its id, the preset it is drawn from (with the
    trial's own STUDYID, seed, size and calendar) and its deliveries (cutoff, delivery date)."""

    id: str
    base: str
    preset: TrialPreset

    @property
    def deliveries(self) -> tuple[tuple[str, str], ...]:
        return self.preset.deliveries


def _month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _plus_months(d: date, months: int) -> date:
    month = d.month - 1 + months
    year, month = d.year + month // 12, month % 12 + 1
    return _month_end(date(year, month, 1))


def _draw_trial(index: int, width: int, seed: int, n_subjects: int | None) -> PortfolioTrial:
    rng = np.random.default_rng([seed, index])
    names = sorted(PRESETS)
    base = names[int(rng.integers(len(names)))]
    p = PRESETS[base]
    shift = timedelta(days=int(rng.integers(0, MAX_SHIFT_DAYS + 1)))
    cutoffs = [_month_end(date.fromisoformat(c) + shift) for c, _ in p.deliveries]
    if rng.random() < 0.5:
        cutoffs.append(_plus_months(cutoffs[-1], int(rng.integers(6, 13))))
    deliveries = tuple(
        (c.isoformat(), (c + timedelta(days=int(rng.integers(14, 36)))).isoformat())
        for c in cutoffs
    )
    n = int(rng.integers(SUBJECTS[0], SUBJECTS[1] + 1)) if n_subjects is None else n_subjects
    number = f"{index:0{width}d}"
    preset = dataclasses.replace(
        p,
        name=f"sim{number}",
        studyid=f"SIM-{number}",
        seed=int(rng.integers(1, 2**31 - 1)),
        n_subjects=n,
        enrol_start=(date.fromisoformat(p.enrol_start) + shift).isoformat(),
        enrol_end=(date.fromisoformat(p.enrol_end) + shift).isoformat(),
        deliveries=deliveries,
    )
    return PortfolioTrial(id=f"sim{number}", base=base, preset=preset)


def plan_portfolio(
    n_trials: int, *, seed: int = DEFAULT_SEED, n_subjects: int | None = None
) -> list[PortfolioTrial]:
    """Draw `n_trials` trials (ids sim001, sim002, ...); see the module docstring."""
    if n_trials < 1:
        raise TrialflowError(f"simulate: --portfolio needs at least 1 trial, got {n_trials}")
    if n_subjects is not None and n_subjects < 1:
        raise TrialflowError(f"simulate: n_subjects must be at least 1, got {n_subjects}")
    width = max(3, len(str(n_trials)))
    return [_draw_trial(i, width, int(seed), n_subjects) for i in range(1, n_trials + 1)]


def trial_file(trial: PortfolioTrial) -> dict:
    """The trial file (config/trials/<id>.yaml) of one portfolio trial, as a mapping."""
    p = trial.preset
    options = bundled_options(trial.base)
    drug = p.drug.capitalize()
    return {
        "id": trial.id,
        "title": f"Simulated trial {trial.id}: {drug} in metastatic breast cancer",
        "registry_id": None,
        "studyid": p.studyid,
        "drug": {
            "name": drug,
            "planned_dose": p.doses[0],
            "dose_unit": p.dose_unit,
            # a daily block [first, last) is last - first doses; otherwise one per dosing day
            "doses_per_cycle": p.dose_days[1] - p.dose_days[0] if p.daily else len(p.dose_days),
            "cycle_days": p.cycle_days,
            "schedule": f"as in the {trial.base} preset",
        },
        "reference_start": "first_dose",
        "deliveries": [
            {"cutoff": cutoff, "raw": f"resources/raw/{trial.id}/{ddate}"}
            for cutoff, ddate in trial.deliveries
        ],
        **options,
    }


def trial_file_text(trial: PortfolioTrial) -> str:
    header = (
        f"# Simulated trial of a portfolio (trialflow simulate --portfolio), drawn from the\n"
        f"# {trial.base} preset: {trial.preset.n_subjects} subjects, seed {trial.preset.seed}.\n"
        "# Its patient data are SIMULATED.\n"
    )
    return header + yaml.safe_dump(trial_file(trial), sort_keys=False, width=100)


def portfolio_config_text(trials: list[PortfolioTrial]) -> str:
    """config/portfolio.yaml: the workflow configuration listing every trial file."""
    listing = "".join(f"  - config/trials/{t.id}.yaml\n" for t in trials)
    return (
        "# Every trial of the simulated portfolio. Run it with\n"
        "#   snakemake --configfile config/portfolio.yaml\n"
        f"trials:\n{listing}"
    )


def write_portfolio(trials: list[PortfolioTrial], root: Path) -> list[Path]:
    """Simulate every trial and write its deliveries, its trial file and the portfolio config
    under the project root `root`; returns the files written, in order."""
    from trialflow.simulate.runner import simulate_trial, write_delivery

    root = Path(root)
    written = []
    for trial in trials:
        for ddate, frames in simulate_trial(trial.preset).items():
            folder = root / "resources" / "raw" / trial.id / ddate
            write_delivery(frames, folder)
            written += [folder / f"{name}.csv" for name in sorted(frames)]
        path = root / "config" / "trials" / f"{trial.id}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(trial_file_text(trial), encoding="utf-8", newline="\n")
        written.append(path)
    config = root / "config" / "portfolio.yaml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(portfolio_config_text(trials), encoding="utf-8", newline="\n")
    written.append(config)
    return written


def run_portfolio_cli(args) -> int:
    """`trialflow simulate --portfolio N --out ROOT [--seed S] [--n-subjects M]`."""
    if args.bundled or args.preset or args.delivery:
        raise TrialflowError(
            "simulate: --portfolio draws its own presets and deliveries; drop --bundled, "
            "--preset and --delivery"
        )
    if args.out is None:
        raise TrialflowError("simulate: --portfolio needs --out (the project root to write into)")
    seed = DEFAULT_SEED if args.seed is None else args.seed
    trials = plan_portfolio(args.portfolio, seed=seed, n_subjects=args.n_subjects)
    write_portfolio(trials, args.out)
    cutoffs = sum(len(t.deliveries) for t in trials)
    print(
        f"wrote {len(trials)} trials ({cutoffs} cutoffs) under {args.out}: "
        f"run them with snakemake --configfile config/portfolio.yaml"
    )
    return 0
