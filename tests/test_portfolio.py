"""Tests of the portfolio writer (`trialflow simulate --portfolio N`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import jsonschema
import pandas as pd
import pytest

from tests.conftest import REPO, run_snakemake
from trialflow import cli
from trialflow.config.loading import check_config, check_trial, parse_yaml
from trialflow.errors import TrialflowError
from trialflow.simulate.portfolio import (
    _month_end,
    _plus_months,
    plan_portfolio,
    trial_file,
    write_portfolio,
)
from trialflow.simulate.presets import PRESETS

SCHEMAS = REPO / "workflow" / "schemas"
SMALL = 30  # subjects per trial in the tests that simulate data


def _schema(name: str) -> dict:
    return parse_yaml((SCHEMAS / name).read_text(), name)


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[Path, list]:
    root = tmp_path_factory.mktemp("portfolio")
    trials = plan_portfolio(4, seed=7, n_subjects=SMALL)
    write_portfolio(trials, root)
    return root, trials


def test_month_arithmetic_by_hand():
    assert _month_end(date(2024, 2, 10)) == date(2024, 2, 29)  # leap year
    assert _month_end(date(2023, 2, 1)) == date(2023, 2, 28)
    assert _month_end(date(2021, 12, 31)) == date(2021, 12, 31)
    assert _plus_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert _plus_months(date(2020, 6, 30), 12) == date(2021, 6, 30)
    assert _plus_months(date(2020, 6, 30), 6) == date(2020, 12, 31)


def test_n_trials_with_two_or_three_cutoffs_each():
    trials = plan_portfolio(40, seed=3)
    assert [t.id for t in trials] == [f"sim{i:03d}" for i in range(1, 41)]
    assert len({t.preset.studyid for t in trials}) == 40
    counts = [len(t.deliveries) for t in trials]
    assert set(counts) == {2, 3}  # both occur among 40 trials (each has probability 1/2)
    assert {t.base for t in trials} == set(PRESETS)
    for t in trials:
        cutoffs = [date.fromisoformat(c) for c, _ in t.deliveries]
        assert cutoffs == sorted(set(cutoffs)), t.id
        for cutoff, ddate in t.deliveries:
            c, d = date.fromisoformat(cutoff), date.fromisoformat(ddate)
            assert c == _month_end(c), t.id  # cutoffs fall on a month end
            assert 14 <= (d - c).days <= 35, t.id
        assert 40 <= t.preset.n_subjects <= 160
        assert date.fromisoformat(t.preset.enrol_start) < cutoffs[0]


def test_a_larger_portfolio_starts_with_the_trials_of_a_smaller_one():
    small, large = plan_portfolio(3, seed=11), plan_portfolio(12, seed=11)
    assert large[:3] == small
    assert plan_portfolio(3, seed=12) != small


def test_every_trial_file_validates_against_the_trial_schema(written):
    root, trials = written
    schema = _schema("trial.schema.yaml")
    for t in trials:
        path = root / "config" / "trials" / f"{t.id}.yaml"
        raw = parse_yaml(path.read_text(), str(path))
        jsonschema.Draft202012Validator(schema).validate(raw)
        resolved = check_trial(raw, schema, source=str(path), root=root)
        assert resolved["id"] == t.id
        assert resolved["studyid"] == t.preset.studyid
        assert [d["cutoff"] for d in resolved["deliveries"]] == [c for c, _ in t.deliveries]
    paths = check_config(
        parse_yaml((root / "config" / "portfolio.yaml").read_text(), "portfolio.yaml"),
        _schema("config.schema.yaml"),
        source="portfolio.yaml",
        root=root,
    )
    assert [str(p) for p in paths] == [f"config/trials/{t.id}.yaml" for t in trials]


def test_deliveries_carry_the_trial_files_studyid_and_grow(written):
    root, trials = written
    for t in trials:
        sizes = []
        for _, ddate in t.deliveries:
            dm = pd.read_csv(root / "resources" / "raw" / t.id / ddate / "dm.csv", dtype=str)
            assert set(dm["STUDYID"].str.strip().str.upper()) == {t.preset.studyid}, t.id
            sizes.append(len(dm))
        assert sizes == sorted(sizes), t.id  # cumulative deliveries
        assert sizes[-1] >= SMALL


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        write_portfolio(plan_portfolio(2, seed=seed, n_subjects=SMALL), tmp_path / name)
    files = sorted(
        p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()
    )
    assert len(files) > 2 * 2 * 7
    for rel in files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    trial = Path("config/trials/sim001.yaml")
    assert (tmp_path / "a" / trial).read_bytes() != (tmp_path / "c" / trial).read_bytes()


def test_trial_options_are_those_of_the_bundled_trial_file_of_its_preset():
    for t in plan_portfolio(6, seed=1):
        bundled = parse_yaml((REPO / "config" / "trials" / f"{t.base}.yaml").read_text(), t.base)
        mine = trial_file(t)
        for key in ("response", "pfs", "rates", "design", "survival", "subgroups", "safety"):
            assert mine[key] == bundled[key], (t.id, key)
        for key in ("planned_dose", "dose_unit", "doses_per_cycle", "cycle_days"):
            assert mine["drug"][key] == bundled["drug"][key], (t.id, key)


def test_cli_writes_a_portfolio_the_workflow_accepts(tmp_path):
    code = cli.main(
        ["simulate", "--portfolio", "2", "--out", str(tmp_path), "--n-subjects", str(SMALL)]
    )
    assert code == 0
    listed = parse_yaml((tmp_path / "config" / "portfolio.yaml").read_text(), "portfolio")
    assert listed == {"trials": ["config/trials/sim001.yaml", "config/trials/sim002.yaml"]}
    result = run_snakemake(
        tmp_path, "--configfile", str(tmp_path / "config" / "portfolio.yaml"), "-n", "--cores", "1"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "results/sim002/" in result.stdout


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--portfolio", "0", "--out", "x"], "at least 1 trial"),
        (["--portfolio", "2"], "needs --out"),
        (["--portfolio", "2", "--out", "x", "--preset", "irinotecan"], "drop --bundled"),
        (["--portfolio", "2", "--out", "x", "--n-subjects", "0"], "at least 1"),
    ],
)
def test_cli_refuses_bad_portfolio_options(argv, message, capsys):
    assert cli.main(["simulate", *argv]) == 2
    assert message in capsys.readouterr().err


def test_plan_rejects_no_trials():
    with pytest.raises(TrialflowError, match="at least 1 trial"):
        plan_portfolio(0)
