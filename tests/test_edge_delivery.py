"""End-to-end: the hand-made scenario delivery (one subject per clinical edge case) through
ingest -> ADaM -> efficacy ARD.

Every expected value below is worked out by hand in tests/data/edge_delivery/README.md from
the rule it names (RECIST 1.1, FDA 2018, admiralonco where docs/validation.md names it, Simon
1989 Table 1); nothing is copied from the workflow's output. The Clopper–Pearson limits and
the binomial tail are computed here with scipy, independently of trialflow.

Three trials read the same delivery: `edge` (tests/data/edge_trial.yaml) and two variants
that change one option each, `edge_unconfirmed` (response.confirmation.required false) and
`edge_irc` (response.source independent).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from scipy.stats import beta, binom

from tests.conftest import make_project, run_snakemake

pytestmark = pytest.mark.slow

DATA = Path(__file__).resolve().parent / "data"
DELIVERY = DATA / "edge_delivery"
TRIAL_FILE = DATA / "edge_trial.yaml"
CUTOFF = "2022-03-31"
DAYS_PER_MONTH = 30.4375


def s(n: int) -> str:
    return f"EDGE-E2E-{n:03d}"


def _variants() -> dict[str, dict]:
    """The trial `edge` and its two one-option variants (README "Trial files")."""
    base = yaml.safe_load(TRIAL_FILE.read_text(encoding="utf-8"))
    response = base["response"]
    unconfirmed = {
        **base,
        "id": "edge_unconfirmed",
        "title": base["title"] + ", confirmation not required",
        "response": {**response, "confirmation": {**response["confirmation"], "required": False}},
    }
    irc = {
        **base,
        "id": "edge_irc",
        "title": base["title"] + ", independent review",
        "response": {**response, "source": "independent"},
    }
    return {t["id"]: t for t in (base, unconfirmed, irc)}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    trials = _variants()
    raw = trials["edge"]["deliveries"][0]["raw"]
    assert trials["edge"]["deliveries"][0]["cutoff"] == CUTOFF
    project = make_project(
        tmp_path_factory.mktemp("edge_delivery"),
        {f"{k}.yaml": yaml.safe_dump(v, sort_keys=False) for k, v in trials.items()},
        {raw: DELIVERY},
    )
    out = {k: f"results/{k}/{CUTOFF}" for k in trials}
    targets = [
        f"{out['edge']}/ard/efficacy.csv",
        f"{out['edge']}/data_issues.csv",
        f"{out['edge']}/adam/adtr.parquet",
        f"{out['edge']}/adam/adex.parquet",
        f"{out['edge_unconfirmed']}/adam/adtte.parquet",
        f"{out['edge_irc']}/adam/adtr.parquet",
    ]
    result = run_snakemake(project, "--cores", "2", *targets)
    assert result.returncode == 0, result.stderr[-4000:]
    return {k: project / v for k, v in out.items()}


@pytest.fixture(scope="module")
def edge(runs) -> Path:
    return runs["edge"]


def _read(run: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(run / "adam" / f"{name}.parquet")


def _param(adam: pd.DataFrame, paramcd: str, column: str) -> dict[str, object]:
    rows = adam[adam["PARAMCD"] == paramcd]
    assert not rows["USUBJID"].duplicated().any()
    return dict(zip(rows["USUBJID"].astype(str), rows[column], strict=True))


def _tte(run: Path, paramcd: str) -> dict[str, tuple[float, int]]:
    adtte = _read(run, "adtte")
    aval, cnsr = _param(adtte, paramcd, "AVAL"), _param(adtte, paramcd, "CNSR")
    return {u: (float(aval[u]), int(cnsr[u])) for u in aval}


def _subject(frame: pd.DataFrame, n: int) -> pd.DataFrame:
    return frame[frame["USUBJID"] == s(n)].sort_values("ADT", kind="mergesort")


def _ovr(run: Path) -> dict[str, list[str]]:
    adrs = _read(run, "adrs")
    ovr = adrs[adrs["PARAMCD"] == "OVR"].sort_values(["USUBJID", "ADT"], kind="mergesort")
    return {u: list(g["AVALC"]) for u, g in ovr.groupby("USUBJID")}


@pytest.fixture(scope="module")
def ard(edge) -> pd.DataFrame:
    return pd.read_csv(edge / "ard" / "efficacy.csv", dtype=str, keep_default_na=False)


def _ard(ard: pd.DataFrame, analysis: str, parameter: str, stat: str, level: str = "") -> str:
    hit = ard[
        (ard["analysis"] == analysis)
        & (ard["parameter"] == parameter)
        & (ard["group_level"] == level)
        & (ard["stat"] == stat)
    ]
    assert len(hit) == 1, (analysis, parameter, stat, level, len(hit))
    return hit["value"].iloc[0]


@pytest.fixture(scope="module")
def issues(edge) -> pd.DataFrame:
    return pd.read_csv(edge / "data_issues.csv", dtype=str, keep_default_na=False)


def _issue(issues: pd.DataFrame, stage: str, n: int, variable: str) -> pd.DataFrame:
    return issues[
        (issues["stage"] == stage) & (issues["usubjid"] == s(n)) & (issues["variable"] == variable)
    ]


# README "Expected results": BOR (unconfirmed) and CBOR (confirmed) per subject.
EXPECTED_BOR = {
    s(1): "MISSING",  # no post-baseline scan yet
    s(2): "PR",  # split lesion: SD d42, PR d84 (10 + 8 + 14 = 32 <= 35)
    s(3): "SD",  # merged lesion counted once: 42, 40, 41
    s(4): "CR",  # CR d42, CR d84, reappearance d126 = PD
    s(5): "SD",  # NOT EVALUABLE / SUSPECTED / ABSENT new-lesion values are not PD
    s(6): "SD",  # SD d42, then PD backdated to the equivocal scan d84
    s(7): "CR",  # PR d42, CR d63, PR d84, PD d126
    s(8): "PD",  # no baseline; new lesion at d42
    s(9): "NON-CR/NON-PD",  # non-target disease only
    s(10): "SD",  # SD d42, PD d130
    s(11): "MISSING",  # no post-baseline scan, death d88
    s(12): "PR",  # PR d42 (unconfirmed), PD d84
    s(13): "SD",  # SD d42, SD d84, death
    s(14): "SD",  # SD d42; the PD on the new-therapy day does not count
    s(15): "PR",  # investigator: PR from d42 on
}
EXPECTED_CBOR = {
    **EXPECTED_BOR,
    s(7): "SD",  # a PR after a CR confirms neither (admiralonco): PR, CR, PR -> SD
    s(12): "SD",  # the PR at d42 is never confirmed -> SD (d42 >= 42)
}

# Per-visit overall responses used by BOR (ADRS OVR): on/after STARTDT, before new therapy,
# up to and including the first PD.
EXPECTED_OVR = {
    s(2): ["SD", "PR", "PR", "PR"],
    s(3): ["SD", "SD", "SD"],
    s(4): ["CR", "CR", "PD"],
    s(5): ["SD", "SD", "SD"],
    s(6): ["SD", "PD"],
    s(7): ["PR", "CR", "PR", "PD"],
    s(8): ["PD"],
    s(9): ["NON-CR/NON-PD", "NON-CR/NON-PD", "PD"],
    s(10): ["SD", "PD"],
    s(12): ["PR", "PD"],
    s(13): ["SD", "SD"],
    s(14): ["SD"],
    s(15): ["PR", "PR", "PR", "PR"],
}

# README "PFS": (AVAL = ADT - STARTDT + 1 days, CNSR).
EXPECTED_PFS = {
    s(1): (1, 1),  # no adequate post-baseline assessment, no event: censored at start
    s(2): (169, 1),  # no PD: last adequate assessment d168
    s(3): (127, 1),  # no PD: d126
    s(4): (127, 0),  # PD (reappearance after CR) d126
    s(5): (127, 1),  # no PD: d126
    s(6): (85, 0),  # PD dated to the equivocal scan d84
    s(7): (127, 0),  # PD d126
    s(8): (1, 1),  # no baseline tumour assessment: censored at start despite the PD
    s(9): (127, 0),  # non-target progression d126
    s(10): (131, 0),  # PD d130, 88 <= 91 days after d42
    s(11): (89, 0),  # death d88 <= 91 days after start, no scan
    s(12): (85, 0),  # PD d84
    s(13): (85, 0),  # death imputed to the scan day d84
    s(14): (43, 1),  # new therapy on the PD day d84: censored at d42
    s(15): (169, 1),  # no PD: d168
}
EXPECTED_PFS_CNSDTDSC = {
    s(1): (
        "No adequate post-baseline assessment and no PD or death within 2 assessment intervals "
        "plus the visit window of start: censored at start"
    ),
    s(8): "No baseline tumour assessment: censored at start",
    s(14): (
        "New anticancer therapy on or before PD or death: censored at last adequate assessment "
        "before the start of new therapy"
    ),
    s(2): "No PD or death: censored at last adequate assessment",
}

# README "OS": death (011 d88, 013 d84) or censored at the last contact.
EXPECTED_OS = {
    s(1): (22, 1),  # dose d21
    s(2): (169, 1),
    s(3): (127, 1),
    s(4): (127, 1),
    s(5): (127, 1),
    s(6): (127, 1),
    s(7): (127, 1),
    s(8): (43, 1),  # scan and dose d42
    s(9): (127, 1),
    s(10): (131, 1),
    s(11): (89, 0),
    s(12): (85, 1),
    s(13): (85, 0),  # partial death date 2021-11 imputed to the scan of 2021-11-22
    s(14): (85, 1),  # scan and new therapy d84
    s(15): (169, 1),
}

# README "DoR and TTR": (DoR AVAL, DoR CNSR, TTR AVAL).
EXPECTED_DOR_TTR = {
    s(2): (85, 1, 85),  # confirmed PR d84 to censoring d168
    s(4): (85, 0, 43),  # CR d42 to PD d126
    s(15): (127, 1, 43),  # PR d42 to censoring d168
}
EXPECTED_DOR_TTR_UNCONFIRMED = {
    **EXPECTED_DOR_TTR,
    s(7): (85, 0, 43),  # first (unconfirmed) PR d42 to PD d126
    s(12): (43, 0, 43),  # unconfirmed PR d42 to PD d84
}

# README "Waterfall": ADTR BESTPCHG.
EXPECTED_BEST_PCHG = {
    s(2): -40.0,
    s(3): -20.0,
    s(4): -100.0,
    s(5): -10.0,
    s(6): -20.0,  # not the -40 after the (backdated) PD
    s(7): -100.0,
    s(10): -10.0,
    s(12): -50.0,
    s(13): -15.0,
    s(14): -10.0,  # not the -36 on the new-therapy day
    s(15): -38.0,
}


# --------------------------------------------------------------- populations and responses


def test_efficacy_population_and_baseline_tumour_flag(edge):
    """EFFFL needs baseline target lesions; TUBLFL any baseline tumour assessment (FDA 2018):
    008 has neither, 009 (non-target disease only) has TUBLFL but not EFFFL."""
    adsl = _read(edge, "adsl").set_index("USUBJID")
    assert sorted(adsl.index) == sorted(EXPECTED_BOR)
    assert sorted(adsl.index[adsl["EFFFL"] == "N"]) == [s(8), s(9)]
    assert sorted(adsl.index[adsl["TUBLFL"] == "N"]) == [s(8)]


def test_unconfirmed_best_overall_response_per_subject(edge):
    assert _param(_read(edge, "adrs"), "BOR", "AVALC") == EXPECTED_BOR


def test_confirmed_best_overall_response_per_subject(edge):
    assert _param(_read(edge, "adrs"), "CBOR", "AVALC") == EXPECTED_CBOR


def test_overall_responses_used_per_subject(edge):
    assert _ovr(edge) == EXPECTED_OVR


# ------------------------------------------------------------- one subject per edge case


def test_split_target_lesion_fragments_add_to_the_parent(edge):
    """002, RECIST 1.1 Appendix I: T01 splits at d84 into 10 + 8 mm; T02 14 -> SLD 32 (PR).
    The fragments, identified at d84, are not baseline lesions: 2 targets throughout."""
    adtr = _subject(_read(edge, "adtr"), 2)
    assert list(adtr["AVAL"]) == [50.0, 40.0, 32.0, 30.0, 30.0]
    assert list(adtr["PCHG"]) == [0.0, -20.0, -36.0, -40.0, -40.0]
    assert list(adtr["NLESBL"]) == [2] * 5
    assert list(adtr["COMPLFL"]) == ["Y"] * 5


def test_merged_target_lesions_count_once(edge):
    """003, RECIST 1.1 Appendix I: T01 and T02 coalesce at d84 (TUMERGE T01/T02, 40 mm):
    SLD 40, then 41, complete, SD; not 80 (PD) and not NE."""
    adtr = _subject(_read(edge, "adtr"), 3)
    assert list(adtr["AVAL"]) == [50.0, 42.0, 40.0, 41.0]
    assert list(adtr["COMPLFL"]) == ["Y"] * 4
    assert _ovr(edge)[s(3)] == ["SD", "SD", "SD"]


def test_lesion_reappearing_after_cr_is_pd_despite_the_5_mm_rule(edge):
    """004, RECIST 1.1 Table 3 note: 20 -> 0 (CR) -> 0 (CR) -> 4 mm: +4 mm over the nadir 0 is
    below 5 mm, yet disease seen after a CR is PD."""
    visits = _subject(_read(edge, "visit_responses"), 4)
    assert list(visits["SLD"]) == [0.0, 0.0, 4.0]
    assert list(visits["OVRLRESP"]) == ["CR", "CR", "PD"]
    assert list(visits["REAPPFL"]) == ["", "", "Y"]
    assert _tte(edge, "PFS")[s(4)] == (127.0, 0)


def test_only_unequivocal_new_lesions_are_progression(edge, issues):
    """005, RECIST 1.1 §4.3.2: NOT EVALUABLE, SUSPECTED (unrecognised) and ABSENT are not PD;
    SUSPECTED is one flagged data issue."""
    visits = _subject(_read(edge, "visit_responses"), 5)
    assert list(visits["NEWLPROG"]) == ["N", "N", "N"]
    assert list(visits["OVRLRESP"]) == ["SD", "SD", "SD"]
    bad = _issue(issues, "adrs", 5, "TRSTRESC")
    assert list(bad["original_value"]) == ["SUSPECTED"]
    assert list(bad["domain"]) == ["TR"] and list(bad["action"]) == ["flagged"]


def test_equivocal_new_lesion_confirmed_later_dates_pd_to_the_first_scan(edge):
    """006, RECIST 1.1 §4.3.2: NEW01 equivocal at d84 (2021-09-20), unequivocal at d126 ->
    PD at d84 for the response timeline and PFS."""
    visits = _subject(_read(edge, "visit_responses"), 6)
    assert list(visits["NEWLCONF"]) == ["N", "Y", "N"]
    assert list(visits["OVRLRESP"]) == ["SD", "PD", "PD"]
    adtte = _read(edge, "adtte")
    pfs = adtte[(adtte["PARAMCD"] == "PFS") & (adtte["USUBJID"] == s(6))].iloc[0]
    assert (pfs["ADT"], pfs["AVAL"], pfs["CNSR"]) == (pd.Timestamp("2021-09-20"), 85.0, 0)


def test_pr_after_cr_confirms_neither_and_is_queried(edge, issues):
    """007, admiralonco `derive_param_confirmed_bor`: PR d42, CR d63 (21 < 28 days), PR d84
    (CR target, non-target not done) -> nothing confirmed: CBOR SD; the PR after the CR is a
    query."""
    visits = _subject(_read(edge, "visit_responses"), 7)
    assert list(visits["TRGRESP"]) == ["PR", "CR", "CR", "CR"]
    assert list(visits["NTRGRESP"]) == ["NON-CR/NON-PD", "CR", "NE", "CR"]
    assert list(visits["OVRLRESP"]) == ["PR", "CR", "PR", "PD"]
    adrs = _read(edge, "adrs")
    assert (_param(adrs, "BOR", "AVALC")[s(7)], _param(adrs, "CBOR", "AVALC")[s(7)]) == (
        "CR",
        "SD",
    )
    assert _param(adrs, "CRSP", "AVALC")[s(7)] == "N"
    query = _issue(issues, "adrs", 7, "AVALC")
    assert list(query["original_value"]) == ["PR on 2021-09-27"]
    assert list(query["action"]) == ["query"]


def test_no_baseline_tumour_assessment_censors_pfs_at_start(edge, issues):
    """008, FDA 2018 Table 5: no baseline tumour assessment -> censored at STARTDT, although a
    new lesion (PD) is seen at d42."""
    assert _ovr(edge)[s(8)] == ["PD"]
    assert _tte(edge, "PFS")[s(8)] == (1.0, 1)
    assert list(_issue(issues, "adtte", 8, "TUBLFL")["action"]) == ["flagged"]


def test_non_target_only_disease_keeps_its_pd_event(edge):
    """009: non-target disease only (EFFFL N, TUBLFL Y): the unequivocal progression at d126
    is a PFS event."""
    assert _tte(edge, "PFS")[s(9)] == (127.0, 0)


def test_late_scan_within_the_visit_window_is_not_a_missed_assessment(edge):
    """010, FDA 2018 Table 5 with a ±7-day window: last adequate d42, PD at d130 (the d126 scan
    4 days late): 88 <= 2 x 42 + 7 = 91 days -> event, not censored at d42."""
    assert _tte(edge, "PFS")[s(10)] == (131.0, 0)


def test_death_without_a_scan_within_the_missed_assessment_limit_is_an_event(edge):
    """011: no post-baseline scan, death at d88 <= 91 days after STARTDT (the same limit as
    the gap rule) -> PFS event."""
    assert _tte(edge, "PFS")[s(11)] == (89.0, 0)
    assert _tte(edge, "OS")[s(11)] == (89.0, 0)


def test_dor_and_ttr_follow_confirmation_required(runs):
    """012: PR d42 (never confirmed), PD d84. Confirmation required: no DoR/TTR row.
    Not required: DoR from the first PR, 84 - 42 + 1 = 43, event; TTR 43."""
    assert s(12) not in _tte(runs["edge"], "DOR")
    assert s(12) not in _tte(runs["edge"], "TTR")
    assert _tte(runs["edge_unconfirmed"], "DOR")[s(12)] == (43.0, 0)
    assert _tte(runs["edge_unconfirmed"], "TTR")[s(12)] == (43.0, 0)


def test_partial_death_date_is_not_imputed_before_a_documented_contact(edge, issues):
    """013: death "2021-11", scan on 2021-11-22 -> death imputed to 2021-11-22 (not
    2021-11-01), logged; OS and PFS 85 days."""
    adsl = _read(edge, "adsl").set_index("USUBJID")
    assert adsl.loc[s(13), "DTHDT"] == pd.Timestamp("2021-11-22")
    assert adsl.loc[s(13), "DTHDTF"] == "D"
    imputed = _issue(issues, "adsl", 13, "DTHDTC")
    assert list(imputed["original_value"]) == ["2021-11"]
    assert list(imputed["new_value"].str[:10]) == ["2021-11-22"]
    assert list(imputed["action"]) == ["imputed"]
    assert _tte(edge, "OS")[s(13)] == (85.0, 0)
    assert _tte(edge, "PFS")[s(13)] == (85.0, 0)


def test_new_therapy_boundary_is_one_rule_for_bor_pfs_and_waterfall(edge):
    """014: new therapy on d84, the day of the PD scan; `before` (ADT < NACTDT): the d84 scan
    counts nowhere: BOR SD, PFS censored at d42 (43), waterfall -10 (not -36)."""
    adsl = _read(edge, "adsl").set_index("USUBJID")
    assert adsl.loc[s(14), "NACTDT"] == pd.Timestamp("2021-11-15")
    assert _ovr(edge)[s(14)] == ["SD"]
    assert _tte(edge, "PFS")[s(14)] == (43.0, 1)
    adtr = _subject(_read(edge, "adtr"), 14)
    assert list(adtr["PCHG"]) == [0.0, -10.0, -36.0]
    assert list(adtr["ANL01FL"]) == ["Y", "Y", ""]
    assert set(adtr["BESTPCHG"]) == {-10.0}


def test_independent_review_uses_one_reader_for_tu_tr_and_rs(runs):
    """015 in `edge_irc`: RADIOLOGIST 2 has the accepted overall responses, so EFFFL, ADTR and
    ADRS all come from RADIOLOGIST 2: SLD 52, 44, 43; OVR SD, SD; BOR and CBOR SD."""
    run = runs["edge_irc"]
    adsl = _read(run, "adsl").set_index("USUBJID")
    assert (adsl.loc[s(15), "EFFFL"], adsl.loc[s(15), "TUBLFL"]) == ("Y", "Y")
    adtr = _subject(_read(run, "adtr"), 15)
    assert list(adtr["AVAL"]) == [52.0, 44.0, 43.0]
    assert list(adtr["PCHG"]) == pytest.approx([0.0, -800 / 52, -900 / 52], abs=1e-9)
    visits = _subject(_read(run, "visit_responses"), 15)
    assert list(visits["SLD"]) == [44.0, 43.0]
    assert list(visits["OVRLRESP"]) == ["SD", "SD"]
    assert _ovr(run)[s(15)] == ["SD", "SD"]
    adrs = _read(run, "adrs")
    assert (_param(adrs, "BOR", "AVALC")[s(15)], _param(adrs, "CBOR", "AVALC")[s(15)]) == (
        "SD",
        "SD",
    )


def test_dose_reduction_tolerance_and_dose_unit(edge, issues):
    """009: 100, 96, 96 mg (96 >= 95: not reduced), RDI 292/3 %; 010: a dose in mg/m2 is a
    query and CUMDOSE/RDI are missing; 011: 80 mg < 95 mg is a reduction, RDI 90 %."""
    adex = _read(edge, "adex").set_index("USUBJID")
    assert adex.loc[s(9), "DOSERDFL"] == "N"
    assert adex.loc[s(9), "CUMDOSE"] == 292.0
    assert adex.loc[s(9), "RDI"] == pytest.approx(292 / 3, abs=1e-9)
    assert adex.loc[s(10), "DOSERDFL"] == "N"
    assert pd.isna(adex.loc[s(10), "CUMDOSE"]) and pd.isna(adex.loc[s(10), "RDI"])
    unit = _issue(issues, "adex", 10, "EXDOSU")
    assert list(unit["original_value"]) == ["mg/m2"] and list(unit["action"]) == ["query"]
    assert adex.loc[s(11), "DOSERDFL"] == "Y"
    assert adex.loc[s(11), "CUMDOSE"] == 360.0
    assert adex.loc[s(11), "RDI"] == pytest.approx(90.0, abs=1e-9)
    others = [s(n) for n in range(1, 16) if n not in (9, 10, 11)]
    assert (adex.loc[others, "DOSERDFL"] == "N").all()


# ------------------------------------------------------------------ every subject at once


def test_pfs_day_count_and_censoring_per_subject(edge):
    assert _tte(edge, "PFS") == {u: (float(a), c) for u, (a, c) in EXPECTED_PFS.items()}
    desc = _param(_read(edge, "adtte"), "PFS", "CNSDTDSC")
    for u, text in EXPECTED_PFS_CNSDTDSC.items():
        assert desc[u] == text, u


def test_os_day_count_and_censoring_per_subject(edge):
    assert _tte(edge, "OS") == {u: (float(a), c) for u, (a, c) in EXPECTED_OS.items()}


def _dor_ttr(run: Path) -> dict[str, tuple[float, int, float]]:
    dor, ttr = _tte(run, "DOR"), _tte(run, "TTR")
    assert sorted(dor) == sorted(ttr)
    assert all(c == 0 for _, c in ttr.values())  # every TTR row is an event
    return {u: (dor[u][0], dor[u][1], ttr[u][0]) for u in dor}


def test_dor_and_ttr_of_confirmed_responders(edge):
    assert _dor_ttr(edge) == {
        u: (float(a), c, float(t)) for u, (a, c, t) in EXPECTED_DOR_TTR.items()
    }


def test_dor_and_ttr_without_confirmation(runs):
    got = _dor_ttr(runs["edge_unconfirmed"])
    want = EXPECTED_DOR_TTR_UNCONFIRMED
    assert got == {u: (float(a), c, float(t)) for u, (a, c, t) in want.items()}


def test_waterfall_best_change_per_subject(edge):
    adtr = _read(edge, "adtr")
    best = adtr.drop_duplicates("USUBJID").set_index("USUBJID")["BESTPCHG"]
    assert {u: float(v) for u, v in best.dropna().items()} == EXPECTED_BEST_PCHG
    assert sorted(best.index[best.isna()]) == [s(1), s(11)]


# ------------------------------------------------------------------------------- the ARD


def test_confirmed_and_unconfirmed_orr(ard):
    """CRSP 3 of 13 EFFFL (002, 004, 015) with Clopper–Pearson limits and the exact p-value
    against p0 = 0.05; RSP 5 of 13 (007 and 012 added)."""
    assert (_ard(ard, "orr", "CRSP", "n"), _ard(ard, "orr", "CRSP", "N")) == ("3", "13")
    lower = float(beta.ppf(0.025, 3, 13 - 3 + 1))
    upper = float(beta.ppf(0.975, 3 + 1, 13 - 3))
    assert float(_ard(ard, "orr", "CRSP", "lower")) == pytest.approx(lower, abs=1e-9)
    assert float(_ard(ard, "orr", "CRSP", "upper")) == pytest.approx(upper, abs=1e-9)
    p_value = float(binom.sf(2, 13, 0.05))  # P(X >= 3 | 13, 0.05)
    assert float(_ard(ard, "orr", "CRSP", "p_value")) == pytest.approx(p_value, abs=1e-9)
    assert (_ard(ard, "orr", "RSP", "n"), _ard(ard, "orr", "RSP", "N")) == ("5", "13")


def test_confirmed_bor_distribution(ard):
    counts = {"CR": "1", "PR": "2", "SD": "8", "NON-CR/NON-PD": "0", "PD": "0", "NE": "0"}
    counts["MISSING"] = "2"
    assert _ard(ard, "bor", "CBOR", "N") == "13"
    assert {k: _ard(ard, "bor", "CBOR", "n", k) for k in counts} == counts


def test_km_pfs_median_and_landmarks(ard):
    """PFS KM (README): S = 3/4 at 85, 2/3 at 89, 5/12 at 127 days: median 127 days; at 3
    months S = 2/3 with 8 at risk; at 6 months nobody is under observation: NE."""
    assert (_ard(ard, "km", "PFS", "events"), _ard(ard, "km", "PFS", "censored")) == ("8", "7")
    median = float(_ard(ard, "km", "PFS", "median"))
    assert median == pytest.approx(127 / DAYS_PER_MONTH, abs=1e-8)
    assert float(_ard(ard, "km", "PFS", "surv_3m")) == pytest.approx(2 / 3, abs=1e-9)
    assert _ard(ard, "km", "PFS", "n_risk_3m") == "8"
    assert _ard(ard, "km", "PFS", "n_risk_6m") == "0"
    for stat in ("surv_6m", "surv_6m_lower", "surv_6m_upper"):
        assert _ard(ard, "km", "PFS", stat) == "", stat


def test_km_os_landmarks(ard):
    """OS KM: S = 12/13 at 85, 54/65 at 89 days; 3 months 54/65 with 9 at risk; 6 months NE."""
    assert (_ard(ard, "km", "OS", "events"), _ard(ard, "km", "OS", "censored")) == ("2", "13")
    assert _ard(ard, "km", "OS", "median") == ""
    assert float(_ard(ard, "km", "OS", "surv_3m")) == pytest.approx(54 / 65, abs=1e-9)
    assert _ard(ard, "km", "OS", "n_risk_3m") == "9"
    assert (_ard(ard, "km", "OS", "surv_6m"), _ard(ard, "km", "OS", "n_risk_6m")) == ("", "0")


def test_simon_stage1_waits_for_all_n1_final(ard):
    """Simon (1989) Table 1 minimax design 0/13, 2/20. Of the 13 stage-1 subjects 11 are
    final (001 has no scan yet, 003 is followed 179 < 196 days); 3 responses already exceed
    r1 = 0, but no decision is given."""
    got = {
        k: _ard(ard, "design", "CRSP", k)
        for k in ("kind", "variant", "r1", "n1", "r", "n", "stage1_status", "stage1_decision")
    }
    assert got == {
        "kind": "simon_two_stage",
        "variant": "minimax",
        "r1": "0",
        "n1": "13",
        "r": "2",
        "n": "20",
        "stage1_status": "incomplete: 11 of 13 final",
        "stage1_decision": "incomplete",
    }
    assert _ard(ard, "design", "CRSP", "stage1_final") == "11"
    assert _ard(ard, "design", "CRSP", "stage1_responses") == "3"
    assert _ard(ard, "design", "CRSP", "final_status") == "incomplete: stage 1 not decided"
    assert _ard(ard, "design", "CRSP", "final_decision") == "incomplete"
    assert _ard(ard, "design", "CRSP", "overrun") == "0"
    assert round(float(_ard(ard, "design", "CRSP", "en0")), 1) == 16.4
    assert round(float(_ard(ard, "design", "CRSP", "pet0")), 2) == 0.51
    assert "stage 1 incomplete: 11 of 13 final, no decision yet" in _ard(
        ard, "design", "CRSP", "sentence"
    )
