"""ADRS: best overall response with and without confirmation (RECIST 1.1 §4.4).

Assessment days are counted from STARTDT (day 0 = STARTDT). Defaults: min_days 28,
max_ne_between 1, sd_min_days 42, cbr_sd_min_days 168. Expectations are worked out by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.conftest import trial_options
from trialflow.adam.adrs import derive_adrs
from trialflow.adam.readers import choose_readers
from trialflow.adam.recist import select_ovr_records

START = pd.Timestamp("2020-01-01")
PARAMS = {"OVR", "BOR", "CBOR", "RSP", "CRSP", "CB", "CCB", "DCR", "CDCR"}


def _adsl(subjects: list[str], nact: dict[str, int] | None = None) -> pd.DataFrame:
    nact = nact or {}
    return pd.DataFrame(
        {
            "STUDYID": "ST",
            "USUBJID": subjects,
            "STARTDT": [START] * len(subjects),
            "EFFFL": "Y",
            "COHORT": "A",
            "NACTDT": [
                START + pd.Timedelta(days=nact[s]) if s in nact else pd.NaT for s in subjects
            ],
        }
    )


def _ovr(visits: dict[str, list[tuple[int, str]]]) -> pd.DataFrame:
    rows = [
        {"USUBJID": s, "ADT": START + pd.Timedelta(days=d), "ADTF": "", "AVALC": v}
        for s, vs in visits.items()
        for d, v in vs
    ]
    return pd.DataFrame(rows, columns=["USUBJID", "ADT", "ADTF", "AVALC"])


def _rules(**kw):
    """ResponseRules from the schema's defaults with these options changed (old keyword names:
    confirmation_required, min_days, max_ne_between, sd_min_days, cbr_sd_min_days, and any
    other response option by its name)."""
    conf = {}
    for old, new in (("confirmation_required", "required"), ("min_days", "min_days")):
        if old in kw:
            conf[new] = kw.pop(old)
    if "max_ne_between" in kw:
        conf["max_ne_between"] = kw.pop("max_ne_between")
    response = {**kw, "confirmation": conf} if conf else dict(kw)
    return trial_options(response=response).response


def _run(visits: dict[str, list[tuple[int, str]]], **kw) -> tuple[pd.DataFrame, pd.DataFrame]:
    subjects = sorted(set(visits) | set(kw.pop("extra_subjects", [])))
    adsl = _adsl(subjects, kw.pop("nact", None))
    return derive_adrs(_ovr(visits), adsl, _rules(**kw))


def _val(adrs: pd.DataFrame, subj: str, param: str) -> str:
    return adrs.loc[(adrs["USUBJID"] == subj) & (adrs["PARAMCD"] == param), "AVALC"].item()


def _day(adrs: pd.DataFrame, subj: str, param: str) -> int:
    adt = adrs.loc[(adrs["USUBJID"] == subj) & (adrs["PARAMCD"] == param), "ADT"].item()
    return int((adt - START).days)


def test_pr_then_cr_confirms_pr() -> None:
    # PR d42, CR d84: BOR (unconfirmed best) = CR at d84. CBOR: PR d42 confirmed by CR d84
    # (84-42 = 42 >= 28, nothing between) -> PR, dated d42; the CR at d84 has no later CR.
    adrs, _ = _run({"A": [(42, "PR"), (84, "CR")]})
    assert (_val(adrs, "A", "BOR"), _day(adrs, "A", "BOR")) == ("CR", 84)
    assert (_val(adrs, "A", "CBOR"), _day(adrs, "A", "CBOR")) == ("PR", 42)
    assert _val(adrs, "A", "CRSP") == "Y"


def test_responders_are_dated_by_their_first_response() -> None:
    # PR d42, CR d84, CR d126: CBOR CR (the CR at d84 is confirmed by d126, 42 days later),
    # dated d84; but the response started at d42 (PR, confirmed by the later CR), so CRSP and
    # RSP are dated d42 (RECIST 1.1 §4.4.3: DoR from the first recorded CR or PR).
    adrs, _ = _run({"A": [(42, "PR"), (84, "CR"), (126, "CR")]})
    assert (_val(adrs, "A", "CBOR"), _day(adrs, "A", "CBOR")) == ("CR", 84)
    assert (_val(adrs, "A", "CRSP"), _day(adrs, "A", "CRSP")) == ("Y", 42)
    assert (_val(adrs, "A", "RSP"), _day(adrs, "A", "RSP")) == ("Y", 42)


def test_cr_confirmed_by_cr_and_too_close_confirmation() -> None:
    # B: CR d42, CR d70 -> 28 days apart -> confirmed CR.
    # C: PR d42, PR d56 -> 14 < 28 days: not confirmed; PR at d42 is >= 42 days -> SD.
    adrs, _ = _run({"B": [(42, "CR"), (70, "CR")], "C": [(42, "PR"), (56, "PR")]})
    assert _val(adrs, "B", "CBOR") == "CR"
    assert (_val(adrs, "C", "CBOR"), _day(adrs, "C", "CBOR")) == ("SD", 42)
    assert _val(adrs, "C", "BOR") == "PR"
    assert _val(adrs, "C", "CRSP") == "N"


def test_one_ne_between_confirms_two_do_not() -> None:
    # D: PR d42, NE d84, PR d126 -> 1 NE between (<= 1) and 84 days apart -> confirmed PR.
    # E: PR d42, NE d84, NE d126, PR d168 -> 2 NE between > 1 -> no confirmation; the PR
    #    at d42 / d168 count as SD (>= 42 days) -> CBOR SD dated d42.
    adrs, _ = _run(
        {
            "D": [(42, "PR"), (84, "NE"), (126, "PR")],
            "E": [(42, "PR"), (84, "NE"), (126, "NE"), (168, "PR")],
        }
    )
    assert _val(adrs, "D", "CBOR") == "PR"
    assert (_val(adrs, "E", "CBOR"), _day(adrs, "E", "CBOR")) == ("SD", 42)
    # with max_ne_between=2 the second subject is confirmed as well
    adrs2, _ = _run({"E": [(42, "PR"), (84, "NE"), (126, "NE"), (168, "PR")]}, max_ne_between=2)
    assert _val(adrs2, "E", "CBOR") == "PR"


def test_sd_between_pr_and_confirmation_breaks_it() -> None:
    # PR d42, SD d84, PR d126: SD between -> no confirmed PR; CBOR SD (d42), BOR PR.
    adrs, _ = _run({"F": [(42, "PR"), (84, "SD"), (126, "PR")]})
    assert _val(adrs, "F", "BOR") == "PR"
    assert (_val(adrs, "F", "CBOR"), _day(adrs, "F", "CBOR")) == ("SD", 42)


def test_early_sd_then_pd_and_early_sd_alone() -> None:
    # G: SD d21 (< 42 days: not SD) then PD d63 -> BOR and CBOR PD dated d63.
    # H: SD d21 only -> NE (dated d21).
    adrs, _ = _run({"G": [(21, "SD"), (63, "PD")], "H": [(21, "SD")]})
    assert (_val(adrs, "G", "BOR"), _day(adrs, "G", "BOR")) == ("PD", 63)
    assert _val(adrs, "G", "CBOR") == "PD"
    assert (_val(adrs, "H", "BOR"), _day(adrs, "H", "BOR")) == ("NE", 21)
    assert _val(adrs, "H", "CBOR") == "NE"
    assert _val(adrs, "H", "DCR") == "N"


def test_early_unconfirmed_pr_then_pd() -> None:
    # PR d21, PD d49: unconfirmed BOR PR (RSP Y); confirmed: the PR is unconfirmed and too
    # early for SD (21 < 42) -> NE, and PD follows -> CBOR PD dated d49 (CRSP N).
    adrs, _ = _run({"I": [(21, "PR"), (49, "PD")]})
    assert _val(adrs, "I", "BOR") == "PR"
    assert _val(adrs, "I", "RSP") == "Y"
    assert (_val(adrs, "I", "CBOR"), _day(adrs, "I", "CBOR")) == ("PD", 49)
    assert _val(adrs, "I", "CRSP") == "N"


def test_cr_then_pr_is_a_query_and_kept() -> None:
    """RECIST 1.1 Table 3 note and admiralonco `derive_param_confirmed_bor` (default
    `response.cr_then_pr` "unconfirmed"): a PR after a CR confirms neither.

    CR d42, PR d84: the PR after a CR is kept (BOR CR) and queried once. CBOR: the CR at d42 is
    not confirmed as CR (no later CR), a CR is not a PR that a later PR could confirm, and the
    PR at d84 has nothing after it: the response stays unconfirmed and counts as SD, the SD
    window being met at the first assessment (d42 >= sd_min_days 42) -> CBOR SD dated d42.
    """
    adrs, issues = _run({"J": [(42, "CR"), (84, "PR")]})
    assert _val(adrs, "J", "BOR") == "CR"
    assert (_val(adrs, "J", "CBOR"), _day(adrs, "J", "CBOR")) == ("SD", 42)
    assert _val(adrs, "J", "CRSP") == "N"
    ovr = adrs[(adrs["USUBJID"] == "J") & (adrs["PARAMCD"] == "OVR")]
    assert list(ovr["AVALC"]) == ["CR", "PR"]
    q = issues[issues["action"] == "query"]
    assert len(q) == 1
    assert q.iloc[0]["usubjid"] == "J"
    assert q.iloc[0]["stage"] == "adrs"


def test_cr_then_pr_option_confirms_pr() -> None:
    """`response.cr_then_pr: confirms_pr` (the other reading of the RECIST 1.1 Table 3 note):
    the CR at d42 and the PR at d84 (42 >= 28 days apart, nothing between) confirm a PR dated
    d42; the query stays."""
    adrs, issues = _run({"J": [(42, "CR"), (84, "PR")]}, cr_then_pr="confirms_pr")
    assert (_val(adrs, "J", "CBOR"), _day(adrs, "J", "CBOR")) == ("PR", 42)
    assert len(issues[issues["action"] == "query"]) == 1


def test_pr_cr_pr_is_not_a_confirmed_response() -> None:
    """admiralonco `derive_param_confirmed_bor` (its test subject 6) with the default
    `response.cr_then_pr` "unconfirmed": PR d45, CR d55, PR d100.

    - PR d45: the first CR/PR at least 28 days later is the PR at d100, but between them a CR
      (d55) is followed by a PR (d100): no confirmation. The CR at d55 is only 10 days after
      the PR, too early to confirm it.
    - CR d55: no later CR -> not a confirmed CR; a CR is not a PR to be confirmed.
    - PR d100: nothing after it.
    So nothing is confirmed (CRSP N). Unconfirmed CR/PR count as SD once ADT - STARTDT >= 42:
    d45 is the first such assessment -> CBOR SD dated d45. BOR (unconfirmed) is CR d55.
    """
    adrs, issues = _run({"X": [(45, "PR"), (55, "CR"), (100, "PR")]})
    assert (_val(adrs, "X", "CBOR"), _day(adrs, "X", "CBOR")) == ("SD", 45)
    assert _val(adrs, "X", "CRSP") == "N"
    assert (_val(adrs, "X", "BOR"), _day(adrs, "X", "BOR")) == ("CR", 55)
    assert len(issues[issues["action"] == "query"]) == 1
    # the former rule (any later CR/PR with only CR/PR/NE between confirms a PR) gave PR here
    old, _ = _run({"X": [(45, "PR"), (55, "CR"), (100, "PR")]}, cr_then_pr="confirms_pr")
    assert _val(old, "X", "CBOR") == "PR"


def test_new_therapy_boundary_option() -> None:
    """`response.new_therapy_boundary` (FDA 2018: assessments after new anticancer therapy do
    not count). PR d42, PR d84, new therapy d84: with "before" (ADT < NACTDT, the default) the
    d84 PR is not used -> the d42 PR is unconfirmed -> CBOR SD; with "on_or_before" (ADT <=
    NACTDT) it is used and confirms the PR (84 - 42 = 42 >= 28)."""
    v = {"N": [(42, "PR"), (84, "PR")]}
    assert _val(_run(v, nact={"N": 84})[0], "N", "CBOR") == "SD"
    assert (
        _val(_run(v, nact={"N": 84}, new_therapy_boundary="on_or_before")[0], "N", "CBOR") == "PR"
    )


def test_non_target_only_disease() -> None:
    # K: NON-CR/NON-PD d42 and d84 -> BOR = CBOR = NON-CR/NON-PD, DCR Y, RSP N.
    # L: CR d42 (unconfirmed), NON-CR/NON-PD d84 -> BOR CR; CBOR: the unconfirmed CR of a
    #    non-target-only subject counts as NON-CR/NON-PD (d42 >= 42) -> NON-CR/NON-PD d42.
    adrs, _ = _run(
        {
            "K": [(42, "NON-CR/NON-PD"), (84, "NON-CR/NON-PD")],
            "L": [(42, "CR"), (84, "NON-CR/NON-PD")],
        }
    )
    assert _val(adrs, "K", "BOR") == "NON-CR/NON-PD"
    assert _val(adrs, "K", "CBOR") == "NON-CR/NON-PD"
    assert (_val(adrs, "K", "DCR"), _val(adrs, "K", "RSP")) == ("Y", "N")
    assert _val(adrs, "L", "BOR") == "CR"
    assert (_val(adrs, "L", "CBOR"), _day(adrs, "L", "CBOR")) == ("NON-CR/NON-PD", 42)


def test_no_assessments_is_missing_with_every_parameter() -> None:
    adrs, _ = _run({"M": [(42, "PR"), (84, "PR")]}, extra_subjects=["Z"])
    z = adrs[adrs["USUBJID"] == "Z"]
    assert set(z["PARAMCD"]) == PARAMS - {"OVR"}
    assert _val(adrs, "Z", "BOR") == "MISSING"
    assert _val(adrs, "Z", "CBOR") == "MISSING"
    assert _val(adrs, "Z", "CRSP") == "N"
    assert z.loc[z["PARAMCD"] == "BOR", "ADT"].isna().all()
    # every subject has one record for each summary parameter
    counts = adrs[adrs["PARAMCD"] != "OVR"].groupby(["USUBJID", "PARAMCD"]).size()
    assert (counts == 1).all() and len(counts) == 2 * 8
    # ADSL keys on every row
    assert (adrs["COHORT"] == "A").all() and (adrs["EFFFL"] == "Y").all()


def test_assessments_after_new_therapy_are_ignored() -> None:
    # PR d42, new therapy d60, PR d84: the d84 PR is not used -> PR d42 unconfirmed -> SD.
    adrs, _ = _run({"N": [(42, "PR"), (84, "PR")]}, nact={"N": 60})
    assert _val(adrs, "N", "CBOR") == "SD"
    ovr = adrs[(adrs["USUBJID"] == "N") & (adrs["PARAMCD"] == "OVR")]
    assert len(ovr) == 1
    # without the new therapy the PR is confirmed (84 - 42 = 42 >= 28)
    adrs2, _ = _run({"N": [(42, "PR"), (84, "PR")]})
    assert _val(adrs2, "N", "CBOR") == "PR"


def test_window_start_first_pd_and_worst_per_date() -> None:
    # P: a CR before STARTDT (day -5) is not used; PD d42 then CR d84: only up to first PD.
    # Q: PR and PD on the same date d42 -> worst (PD).
    adrs, _ = _run({"P": [(-5, "CR"), (42, "PD"), (84, "CR")], "Q": [(42, "PR"), (42, "PD")]})
    assert _val(adrs, "P", "BOR") == "PD"
    assert len(adrs[(adrs["USUBJID"] == "P") & (adrs["PARAMCD"] == "OVR")]) == 1
    assert _val(adrs, "Q", "BOR") == "PD"


def test_clinical_benefit_needs_168_days() -> None:
    # R: SD d42, SD d175 -> 175 >= 168 -> CB Y, CCB Y (dated d175). S: SD d42, SD d126 -> CB N,
    # but DCR Y.
    adrs, _ = _run({"R": [(42, "SD"), (175, "SD")], "S": [(42, "SD"), (126, "SD")]})
    assert (_val(adrs, "R", "CB"), _val(adrs, "R", "CCB"), _day(adrs, "R", "CCB")) == (
        "Y",
        "Y",
        175,
    )
    assert (_val(adrs, "S", "CB"), _val(adrs, "S", "DCR")) == ("N", "Y")


def test_min_days_option_changes_confirmation() -> None:
    # PR d42, PR d70 (28 days): confirmed with min_days 28, not with min_days 35.
    v = {"T": [(42, "PR"), (70, "PR")]}
    assert _val(_run(v)[0], "T", "CBOR") == "PR"
    assert _val(_run(v, min_days=35)[0], "T", "CBOR") == "SD"


def test_sd_min_days_option() -> None:
    # SD at d35: with sd_min_days 42 -> NE; with sd_min_days 35 -> SD.
    v = {"U": [(35, "SD")]}
    assert _val(_run(v)[0], "U", "BOR") == "NE"
    assert _val(_run(v, sd_min_days=35)[0], "U", "BOR") == "SD"


def test_primary_flag_follows_confirmation_required() -> None:
    adrs, _ = _run({"A": [(42, "PR")]})
    assert set(adrs.loc[adrs["PRIMFL"] == "Y", "PARAMCD"]) == {"CBOR", "CRSP", "CCB", "CDCR"}
    adrs2, _ = _run({"A": [(42, "PR")]}, confirmation_required=False)
    assert set(adrs2.loc[adrs2["PRIMFL"] == "Y", "PARAMCD"]) == {"BOR", "RSP", "CB", "DCR"}


def test_partial_assessment_date_uses_imputed_date_and_flag() -> None:
    # RSDTC "2020-03" is imputed by ingest to 2020-03-01 (RSDTF "D"): day 60 from STARTDT.
    # PR 2020-03 (d60) and PR 2020-04-15 (d105): 45 days apart -> confirmed PR dated
    # 2020-03-01 with ADTF "D".
    rs = pd.DataFrame(
        {
            "USUBJID": ["V", "V"],
            "RSTESTCD": ["OVRLRESP", "OVRLRESP"],
            "RSSTRESC": ["PR", "PR"],
            "RSEVAL": ["INVESTIGATOR", "INVESTIGATOR"],
            "RSDTC": ["2020-03", "2020-04-15"],
            "RSDT": pd.to_datetime(["2020-03-01", "2020-04-15"]),
            "RSDTF": ["D", ""],
            "SRCROW": [1.0, 2.0],
        }
    )
    rules = _rules(source="investigator")
    ovr = select_ovr_records(rs, None, rules, choose_readers(None, None, rs, rules))
    adrs, _ = derive_adrs(ovr, _adsl(["V"]), rules)
    cbor = adrs[adrs["PARAMCD"] == "CBOR"].iloc[0]
    assert cbor["AVALC"] == "PR"
    assert cbor["ADT"] == pd.Timestamp("2020-03-01")
    assert cbor["ADTF"] == "D"


def test_invalid_response_value_is_excluded_as_issue() -> None:
    adrs, issues = _run({"W": [(42, "CHECK"), (84, "SD")]})
    assert _val(adrs, "W", "BOR") == "SD"
    ex = issues[issues["action"] == "excluded"]
    assert list(ex["original_value"]) == ["CHECK"]
    assert np.all(issues.columns == [
        "stage", "domain", "usubjid", "seq", "row", "variable", "original_value",
        "new_value", "action", "reason",
    ])  # fmt: skip
