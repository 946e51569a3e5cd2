"""Tests for the `trialflow design` command line: the forms and JSON keys of the contract, run
through the real entry point (`trialflow.cli.main`) and once as a new process. Expected values
come from the published examples cited in the other tests of this folder, or from
tests/stats/exact.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.stats import exact
from trialflow.cli import main


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["design", *args, "--json"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1  # one JSON object on one line
    obj = json.loads(out)
    assert list(obj) == sorted(obj)  # sorted keys
    return obj


def test_simon_json(capsys) -> None:
    # Simon (1989) Table 1: p0 = 0.10, p1 = 0.30, alpha = 0.05, beta = 0.20, optimal 1/10, 5/29
    obj = run_json(
        capsys, "simon", "--p0", "0.1", "--p1", "0.3", "--alpha", "0.05", "--power", "0.8",
        "--kind", "optimal",
    )  # fmt: skip
    assert sorted(obj) == ["alpha", "en0", "n", "n1", "pet0", "power", "r", "r1"]
    assert (obj["r1"], obj["n1"], obj["r"], obj["n"]) == (1, 10, 5, 29)
    assert round(obj["en0"], 1) == 15.0 and round(obj["pet0"], 2) == 0.74
    assert obj["alpha"] == pytest.approx(exact.simon_reject(1, 10, 5, 29, 0.1), abs=1e-12)
    assert obj["power"] == pytest.approx(exact.simon_reject(1, 10, 5, 29, 0.3), abs=1e-12)


@pytest.mark.parametrize(("kind", "design"), [("minimax", (1, 15, 5, 25))])
def test_simon_kinds(capsys, kind, design) -> None:
    # Simon (1989) Table 1, same row, minimax 1/15, 5/25
    obj = run_json(
        capsys, "simon", "--p0", "0.1", "--p1", "0.3", "--alpha", "0.05", "--power", "0.8",
        "--kind", kind,
    )  # fmt: skip
    assert (obj["r1"], obj["n1"], obj["r"], obj["n"]) == design


def test_simon_admissible_json_and_table(capsys) -> None:
    obj = run_json(
        capsys, "simon", "--p0", "0.1", "--p1", "0.3", "--alpha", "0.05", "--power", "0.8",
        "--kind", "admissible",
    )  # fmt: skip
    assert sorted(obj) == ["alpha", "en0", "n", "n1", "pet0", "power", "r", "r1"]
    assert 25 <= obj["n"] <= 29  # between the minimax and the optimal n
    assert exact.simon_reject(obj["r1"], obj["n1"], obj["r"], obj["n"], 0.1) <= 0.05
    assert main(["design", "simon", "--p0", "0.1", "--p1", "0.3", "--alpha", "0.05",
                 "--power", "0.8", "--kind", "admissible"]) == 0  # fmt: skip
    text = capsys.readouterr().out
    assert "admissible designs" in text and "1/15, 5/25" in text and "1/10, 5/29" in text


def test_simon_inference_json(capsys) -> None:
    # design 1/10, 5/29 with 6 responses in total: the p-value is the attained alpha
    obj = run_json(
        capsys, "simon-inference", "--r1", "1", "--n1", "10", "--r", "5", "--n", "29",
        "--p0", "0.1", "--responses", "6",
    )  # fmt: skip
    assert sorted(obj) == ["ci_lower", "ci_upper", "p_value", "umvue"]
    assert obj["p_value"] == pytest.approx(exact.simon_reject(1, 10, 5, 29, 0.1), abs=1e-12)
    assert obj["ci_lower"] < obj["umvue"] < obj["ci_upper"]
    # stage 1: stopped with 1 of 10, p = 1 - 0.9^10, UMVUE = 1/10
    obj = run_json(
        capsys, "simon-inference", "--r1", "1", "--n1", "10", "--r", "5", "--n", "29",
        "--p0", "0.1", "--responses", "1", "--stage", "1",
    )  # fmt: skip
    assert obj["p_value"] == pytest.approx(1 - 0.9**10, abs=1e-12)
    assert obj["umvue"] == pytest.approx(0.1, abs=1e-15)


def test_predprob_json(capsys) -> None:
    # Lee & Liu (2008) Table 1: PP = 0.5656
    obj = run_json(
        capsys, "predprob", "--p0", "0.6", "--theta-t", "0.9", "--prior", "0.6,0.4",
        "--nmax", "40", "--n", "23", "--responses", "16",
    )  # fmt: skip
    assert sorted(obj) == ["posterior_probability", "predictive_probability"]
    assert round(obj["predictive_probability"], 4) == 0.5656
    assert obj["posterior_probability"] == pytest.approx(
        exact.posterior_gt(0.6, 16.6, 7.4), abs=1e-12
    )


def test_predictive_json(capsys) -> None:
    obj = run_json(
        capsys, "predictive", "--p0", "0.2", "--p1", "0.4", "--prior", "0.2,0.8",
        "--nmax", "30", "--theta-t", "0.9", "--theta-l", "0.05", "--theta-u", "1",
        "--first", "10",
    )  # fmt: skip
    assert sorted(obj) == ["alpha", "boundaries", "en0", "pet0", "power"]
    assert [b["n"] for b in obj["boundaries"]] == list(range(10, 31))
    assert all(sorted(b) == ["n", "stop_if_responses_at_most"] for b in obj["boundaries"])
    looks = [b["n"] for b in obj["boundaries"]]
    low = [-1 if b["stop_if_responses_at_most"] is None else b["stop_if_responses_at_most"]
           for b in obj["boundaries"]]  # fmt: skip
    oc0 = exact.multi_look(looks, low, 0.2)
    assert obj["alpha"] == pytest.approx(oc0["reject"], abs=1e-12)
    assert obj["pet0"] == pytest.approx(oc0["pet"], abs=1e-12)
    assert obj["en0"] == pytest.approx(oc0["en"], abs=1e-9)
    assert obj["power"] == pytest.approx(exact.multi_look(looks, low, 0.4)["reject"], abs=1e-12)


def test_bop2_json(capsys) -> None:
    obj = run_json(
        capsys, "bop2", "--p0", "0.2", "--p1", "0.4", "--nmax", "40",
        "--interims", "10,20,30", "--alpha", "0.1",
    )  # fmt: skip
    assert sorted(obj) == ["alpha", "boundaries", "en0", "gamma", "lambda", "pet0", "power"]
    looks = [b["n"] for b in obj["boundaries"]]
    assert looks == [10, 20, 30, 40]
    low = [-1 if b["stop_if_responses_at_most"] is None else b["stop_if_responses_at_most"]
           for b in obj["boundaries"]]  # fmt: skip
    for n, r in zip(looks, low, strict=True):  # the cutoff rule with the reported λ, γ
        cut = obj["lambda"] * (n / 40) ** obj["gamma"]
        assert r == -1 or exact.posterior_gt(0.2, 0.2 + r, 0.8 + n - r) < cut
        assert exact.posterior_gt(0.2, 0.2 + r + 1, 0.8 + n - r - 1) >= cut
    oc0 = exact.multi_look(looks, low, 0.2)
    assert obj["alpha"] == pytest.approx(oc0["reject"], abs=1e-12) and obj["alpha"] <= 0.1
    assert obj["en0"] == pytest.approx(oc0["en"], abs=1e-9)


def test_logrank_json(capsys) -> None:
    obj = run_json(
        capsys, "logrank", "--median0", "6", "--median1", "9", "--accrual-months", "24",
        "--followup-months", "12", "--alpha", "0.05", "--power", "0.8", "--variance", "wu",
    )  # fmt: skip
    assert sorted(obj) == ["events", "n"]
    std = run_json(
        capsys, "logrank", "--median0", "6", "--median1", "9", "--accrual-months", "24",
        "--followup-months", "12", "--alpha", "0.05", "--power", "0.8",
    )  # fmt: skip
    # Wu's modified variance needs fewer subjects than the standard one (Wu 2015, §3)
    assert obj["n"] < std["n"] and obj["events"] <= obj["n"]


def test_bad_arguments_give_one_line(capsys) -> None:
    assert main(["design", "simon", "--p0", "0.3", "--p1", "0.2", "--alpha", "0.05",
                 "--power", "0.8"]) == 2  # fmt: skip
    err = capsys.readouterr().err.strip()
    assert err == "trialflow: error: design simon: p1 must exceed p0, got p0=0.3, p1=0.2"


def test_readable_table_and_new_process() -> None:
    done = subprocess.run(
        [str(Path(sys.executable).parent / "trialflow"), "design", "simon", "--p0", "0.05", "--p1",
         "0.25", "--alpha", "0.05", "--power", "0.8", "--kind", "minimax"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    # Simon (1989) Table 1: minimax 0/12, 2/16
    assert "stop if responses <= 0 of 12" in done.stdout
    assert "promising if responses > 2 of 16" in done.stdout


def test_design_loads_neither_pandas_nor_the_other_commands() -> None:
    # `trialflow design` imports only what its sub-command needs: the simulator, the auditor
    # and pandas load only when their own commands run.
    code = (
        "import sys; from trialflow.cli import main; "
        "main(['design', 'simon', '--p0', '0.1', '--p1', '0.3', '--alpha', '0.05', "
        "'--power', '0.8', '--json']); "
        "print(sorted(m for m in ('pandas', 'trialflow.simulate.runner', "
        "'trialflow.audit.verify', 'jsonschema') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "[]"
