"""End-to-end: a hand-made 8-subject raw delivery through ingest -> ADaM -> efficacy ARD.

Every expected value below is worked out by hand in tests/data/small_delivery/README.md
(RECIST 1.1, the conventions in docs/validation.md and the trial defaults); nothing is copied from the
workflow's output. The Clopper–Pearson limits are computed here with scipy's beta quantiles,
independently of trialflow.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import beta

from tests.conftest import make_project, run_snakemake

pytestmark = pytest.mark.slow

DATA = Path(__file__).resolve().parent / "data" / "small_delivery"
TRIAL = "small"
CUTOFF = "2021-12-31"
RAW = "resources/raw/small/2022-01-10"
OUT = f"results/{TRIAL}/{CUTOFF}"
DAYS_PER_MONTH = 30.4375  # months are days / 30.4375

TRIAL_YAML = f"""\
id: {TRIAL}
title: Hand-made 8-subject delivery (end-to-end test)
studyid: SMALL-E2E
reference_start: first_dose
deliveries:
  - {{cutoff: "{CUTOFF}", raw: {RAW}}}
response:
  source: derived
  confirmation: {{required: true, min_days: 28, max_ne_between: 1}}
  sd_min_days: 42
  cbr_sd_min_days: 168
assessment_interval_days: 42
pfs: {{censor_at_new_therapy: true, max_missed_assessments: 1}}
rates: {{ci_method: clopper-pearson, conf_level: 0.95}}
survival: {{conf_type: log-log, conf_level: 0.95, landmarks_months: [6]}}
"""


def subject(n: int) -> str:
    return f"SMALL-E2E-{n:03d}"


# README "Expected results": confirmed BOR (CBOR) and unconfirmed BOR per subject.
EXPECTED_CBOR = {
    subject(1): "CR",  # PR d42, CR d84 confirmed by CR d126 (node 8 mm < 10 mm counts as CR)
    subject(2): "PR",  # PR d42 confirmed by PR d84 (42 days), PD d126
    subject(3): "SD",  # PR d42, PR d69 only 27 days later (< 28): unconfirmed -> SD (d42 >= 42)
    subject(4): "PR",  # PR d42 confirmed by PR d70, exactly 28 days later (>= 28)
    subject(5): "SD",  # SD d42, SD d84, death d100
    subject(6): "PD",  # SD d35 too early (< 42 days) -> NE, then PD d77
    subject(7): "SD",  # SD d42, d84; new therapy d100; the PD at d126 comes after it
    subject(8): "SD",  # SD d42, PD d140
}
EXPECTED_BOR = {**EXPECTED_CBOR, subject(3): "PR"}

# README "PFS": (AVAL = ADT - STARTDT + 1 in days, CNSR).
EXPECTED_PFS = {
    subject(1): (169, 1),  # no PD: censored at last adequate assessment d168
    subject(2): (127, 0),  # PD d126
    subject(3): (112, 0),  # PD d111
    subject(4): (211, 0),  # PD (new lesion) d210
    subject(5): (101, 0),  # death d100, 16 days after the last assessment
    subject(6): (78, 0),  # PD d77
    subject(7): (85, 1),  # new therapy d100: censored at last adequate assessment d84
    subject(8): (43, 1),  # PD d140 is 98 > 84 days after d42: censored at d42
}

# README "OS": death (subject 5, d100) or censored at the last date in the data (all dates are
# complete, so LSTALVDT is the latest scan, dose, DS or CM date).
EXPECTED_OS = {
    subject(1): (169, 1),  # last scan d168
    subject(2): (127, 1),  # last scan d126
    subject(3): (112, 1),  # last scan d111
    subject(4): (211, 1),  # last scan d210
    subject(5): (101, 0),  # death d100
    subject(6): (78, 1),  # last scan d77
    subject(7): (127, 1),  # last scan d126 (after the new therapy started at d100)
    subject(8): (141, 1),  # last scan d140
}

# README "DOR and TTR", confirmed responders only: DOR from the first date the CR/PR criteria
# were met (RECIST 1.1 §4.4.3) to PD or death, censored like PFS; TTR from STARTDT to that
# date. (DOR AVAL, DOR CNSR, TTR AVAL).
EXPECTED_DOR_TTR = {
    subject(1): (127, 1, 43),  # first PR d42 (confirmed, then CR d84); no PD: d168 - d42 + 1
    subject(2): (85, 0, 43),  # PR d42 to PD d126: 126 - 42 + 1
    subject(4): (169, 0, 43),  # PR d42 to PD d210: 210 - 42 + 1
}

# Confirmed ORR: CR/PR in CBOR = subjects 1, 2, 4 -> 3 of 8 (all 8 have baseline targets).
ORR_N, ORR_DENOM = 3, 8
# Clopper–Pearson 95%: lower = Beta(0.025; x, n - x + 1), upper = Beta(0.975; x + 1, n - x).
ORR_LOWER = float(beta.ppf(0.025, ORR_N, ORR_DENOM - ORR_N + 1))
ORR_UPPER = float(beta.ppf(0.975, ORR_N + 1, ORR_DENOM - ORR_N))

# KM of PFS (README): S = 6/7 after t=78, 24/35 after 101, 18/35 = 0.514 after 112,
# 12/35 = 0.343 after 127: the first time S < 0.5 is 127 days (S never equals 0.5).
PFS_MEDIAN_MONTHS = 127 / DAYS_PER_MONTH
PFS_EVENTS = 5


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    project = make_project(
        tmp_path_factory.mktemp("small_delivery"), {f"{TRIAL}.yaml": TRIAL_YAML}, {RAW: DATA}
    )
    result = run_snakemake(project, "--cores", "2", f"{OUT}/ard/efficacy.csv")
    assert result.returncode == 0, result.stderr[-4000:]
    return project / OUT


def _param(adam: pd.DataFrame, paramcd: str, column: str) -> dict[str, object]:
    rows = adam[adam["PARAMCD"] == paramcd]
    assert not rows["USUBJID"].duplicated().any()
    return dict(zip(rows["USUBJID"].astype(str), rows[column], strict=True))


def _ard_value(ard: pd.DataFrame, analysis: str, parameter: str, stat: str) -> str:
    hit = ard[
        (ard["analysis"] == analysis)
        & (ard["parameter"] == parameter)
        & (ard["group_var"] == "")
        & (ard["stat"] == stat)
    ]
    assert len(hit) == 1, (analysis, parameter, stat, len(hit))
    return hit["value"].iloc[0]


@pytest.fixture(scope="module")
def ard(run: Path) -> pd.DataFrame:
    return pd.read_csv(run / "ard" / "efficacy.csv", dtype=str, keep_default_na=False)


def test_every_subject_is_in_the_efficacy_population(run):
    adsl = pd.read_parquet(run / "adam" / "adsl.parquet")
    assert sorted(adsl["USUBJID"]) == sorted(EXPECTED_CBOR)
    assert (adsl["EFFFL"] == "Y").all() and (adsl["ENRLFL"] == "Y").all()


def test_confirmed_best_overall_response_per_subject(run):
    adrs = pd.read_parquet(run / "adam" / "adrs.parquet")
    assert _param(adrs, "CBOR", "AVALC") == EXPECTED_CBOR


def test_unconfirmed_best_overall_response_per_subject(run):
    adrs = pd.read_parquet(run / "adam" / "adrs.parquet")
    assert _param(adrs, "BOR", "AVALC") == EXPECTED_BOR


def test_pfs_day_count_and_censoring_per_subject(run):
    adtte = pd.read_parquet(run / "adam" / "adtte.parquet")
    aval = _param(adtte, "PFS", "AVAL")
    cnsr = _param(adtte, "PFS", "CNSR")
    got = {u: (float(aval[u]), int(cnsr[u])) for u in aval}
    assert got == {u: (float(a), c) for u, (a, c) in EXPECTED_PFS.items()}


def test_os_day_count_and_censoring_per_subject(run):
    adtte = pd.read_parquet(run / "adam" / "adtte.parquet")
    aval = _param(adtte, "OS", "AVAL")
    cnsr = _param(adtte, "OS", "CNSR")
    got = {u: (float(aval[u]), int(cnsr[u])) for u in aval}
    assert got == {u: (float(a), c) for u, (a, c) in EXPECTED_OS.items()}


def _dor_ttr(run: Path) -> dict[str, tuple[float, int, float]]:
    adtte = pd.read_parquet(run / "adam" / "adtte.parquet")
    dor_aval = _param(adtte, "DOR", "AVAL")
    dor_cnsr = _param(adtte, "DOR", "CNSR")
    ttr = _param(adtte, "TTR", "AVAL")
    assert sorted(dor_aval) == sorted(ttr) == sorted(EXPECTED_DOR_TTR)
    return {u: (float(dor_aval[u]), int(dor_cnsr[u]), float(ttr[u])) for u in dor_aval}


def test_dor_and_ttr_of_responders_whose_first_response_is_the_best(run):
    got = _dor_ttr(run)
    for u in (subject(2), subject(4)):
        assert got[u] == EXPECTED_DOR_TTR[u]


def test_dor_and_ttr_start_at_a_confirmed_pr_that_precedes_the_cr(run):
    assert _dor_ttr(run)[subject(1)] == EXPECTED_DOR_TTR[subject(1)]


def test_confirmed_orr_in_the_ard(ard):
    assert _ard_value(ard, "orr", "CRSP", "n") == str(ORR_N)
    assert _ard_value(ard, "orr", "CRSP", "N") == str(ORR_DENOM)
    assert float(_ard_value(ard, "orr", "CRSP", "estimate")) == pytest.approx(3 / 8, abs=1e-9)
    assert float(_ard_value(ard, "orr", "CRSP", "lower")) == pytest.approx(ORR_LOWER, abs=1e-9)
    assert float(_ard_value(ard, "orr", "CRSP", "upper")) == pytest.approx(ORR_UPPER, abs=1e-9)


def test_unconfirmed_orr_in_the_ard(ard):
    # subject 3's unconfirmed PR counts here: 4 of 8
    assert _ard_value(ard, "orr", "RSP", "n") == "4"
    assert _ard_value(ard, "orr", "RSP", "N") == "8"


def test_km_median_pfs_in_the_ard(ard):
    assert _ard_value(ard, "km", "PFS", "n") == "8"
    assert _ard_value(ard, "km", "PFS", "events") == str(PFS_EVENTS)
    assert _ard_value(ard, "km", "PFS", "censored") == "3"
    median = float(_ard_value(ard, "km", "PFS", "median"))
    assert median == pytest.approx(PFS_MEDIAN_MONTHS, abs=1e-9)
