"""ADTTE: time-to-event analysis dataset (OS, PFS, DOR, TTR), with FDA-style PFS censoring.

`derive_adtte` builds one row per subject and parameter from ADSL, the overall-response
assessments and ADRS. Each row has STARTDT, ADT, AVAL (days, ADT − STARTDT + 1), AVALM
(months, AVAL / 30.4375), CNSR (0 event, 1 censored), EVNTDESC (what the date is), CNSDTDSC
(the censoring rule, empty for events), SRCDOM/SRCVAR (where the date comes from) and the
ADSL variables used for subgroups and populations.

The PFS censoring rules follow FDA, *Clinical Trial Endpoints for the Approval of Cancer
Drugs and Biologics* (December 2018), Table 5 ("PFS censoring"); see `derive_pfs` for the
exact order and formulas. All dates are compared as calendar days.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from trialflow.errors import InputError
from trialflow.vocab import (
    ADEQUATE_RESPONSES,
    DAYS_PER_MONTH,
    TTE_PARAMS,
)

PARAMS = TTE_PARAMS

ADSL_KEYS: tuple[str, ...] = (
    "COHORT",
    "AGEGR1",
    "ECOGBL",
    "SAFFL",
    "EFFFL",
    "ENRLFL",
)
"""ADSL variables carried onto every ADTTE row (those present in ADSL)."""

ADTTE_COLUMNS: list[str] = [
    "STUDYID",
    "USUBJID",
    "PARAMCD",
    "PARAM",
    "STARTDT",
    "ADT",
    "AVAL",
    "AVALM",
    "CNSR",
    "EVNTDESC",
    "CNSDTDSC",
    "SRCDOM",
    "SRCVAR",
]

# Censoring descriptions (CNSDTDSC), one per rule.
CNS_NO_BASELINE = "No adequate baseline assessment: censored at start"
CNS_NO_POSTBASELINE = (
    "No adequate post-baseline assessment and no PD or death within {k:g} assessment "
    "intervals of start: censored at start"
)
CNS_NEW_THERAPY = (
    "New anticancer therapy before PD or death: censored at last adequate assessment on or "
    "before the start of new therapy"
)
CNS_NEW_THERAPY_NONE = (
    "New anticancer therapy before PD or death, no adequate assessment before it: censored at start"
)
CNS_MISSED = (
    "PD or death after more than {k} missed assessment(s): censored at last adequate assessment"
)
CNS_LAST = "No PD or death: censored at last adequate assessment"
CNS_LAST_NONE = "No PD or death and no adequate assessment after start: censored at start"

_REQUIRED_ADSL = ("USUBJID", "STARTDT", "DTHDT", "LSTALVDT", "NACTDT")


def _require(df: pd.DataFrame, name: str, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(name, f"missing column {missing[0]}", variable=missing[0])


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).astype("datetime64[ns]")


def _cutoff_series(adsl: pd.DataFrame, cutoff: object) -> pd.Series:
    """Per-subject cutoff date: `cutoff` if given, else ADSL CUTOFFDT."""
    if cutoff is not None:
        return pd.Series(pd.Timestamp(cutoff).normalize(), index=adsl.index)
    if "CUTOFFDT" not in adsl.columns:
        raise InputError("ADSL", "no cutoff given and no CUTOFFDT column", variable="CUTOFFDT")
    return _dates(adsl["CUTOFFDT"])


def _finish(
    frame: pd.DataFrame, adsl: pd.DataFrame, paramcd: str, studyid: pd.Series
) -> pd.DataFrame:
    """Add PARAMCD/PARAM, AVAL/AVALM, STUDYID and the ADSL keys; order the columns."""
    out = frame.copy()
    out["PARAMCD"] = paramcd
    out["PARAM"] = PARAMS[paramcd]
    out["STUDYID"] = out["USUBJID"].map(studyid)
    days = (out["ADT"] - out["STARTDT"]).dt.days.astype(float) + 1.0
    out["AVAL"] = days
    out["AVALM"] = days / DAYS_PER_MONTH
    out["CNSR"] = out["CNSR"].astype("int64")
    keys = [k for k in ADSL_KEYS if k in adsl.columns]
    kv = adsl.set_index("USUBJID")[keys]
    for k in keys:
        out[k] = out["USUBJID"].map(kv[k])
    return out[ADTTE_COLUMNS + keys].reset_index(drop=True)


def _subjects(adsl: pd.DataFrame, cutoff: object) -> pd.DataFrame:
    """ADSL subjects with a STARTDT, indexed by USUBJID, with dates as datetime64 and deaths
    after the cutoff removed."""
    _require(adsl, "ADSL", _REQUIRED_ADSL)
    if adsl["USUBJID"].duplicated().any():
        dup = str(adsl.loc[adsl["USUBJID"].duplicated(), "USUBJID"].iloc[0])
        raise InputError("ADSL", "USUBJID occurs more than once", usubjid=dup)
    s = pd.DataFrame({"USUBJID": adsl["USUBJID"].astype(str).to_numpy()})
    for col in ("STARTDT", "DTHDT", "LSTALVDT", "NACTDT"):
        s[col] = _dates(adsl[col]).to_numpy()
    s["CUTOFF"] = _cutoff_series(adsl, cutoff).to_numpy()
    s.loc[s["DTHDT"] > s["CUTOFF"], "DTHDT"] = pd.NaT
    s.loc[s["NACTDT"] > s["CUTOFF"], "NACTDT"] = pd.NaT
    s = s[s["STARTDT"].notna()]
    return s.set_index("USUBJID", drop=False)


def subjects_without_start(adsl: pd.DataFrame) -> pd.DataFrame:
    """Data-issue rows (docs/data_contracts.md) for subjects left out of ADTTE because they
    have no STARTDT (for example enrolled but never dosed with `reference_start: first_dose`).
    They cannot have a time to event, so they appear in no ADTTE parameter; this log says so."""
    _require(adsl, "ADSL", ("USUBJID", "STARTDT"))
    miss = adsl.loc[adsl["STARTDT"].isna(), "USUBJID"].astype(str).sort_values()
    n = len(miss)
    return pd.DataFrame(
        {
            "stage": ["adtte"] * n,
            "domain": ["ADTTE"] * n,
            "usubjid": miss.to_list(),
            "seq": [""] * n,
            "row": [""] * n,
            "variable": ["STARTDT"] * n,
            "original_value": [""] * n,
            "new_value": [""] * n,
            "action": ["flagged"] * n,
            "reason": ["no STARTDT: subject has no time-to-event record in ADTTE"] * n,
        }
    )


def derive_os(adsl: pd.DataFrame, *, cutoff: object = None) -> pd.DataFrame:
    """OS: time from STARTDT to death from any cause.

    Rule: the event is a death dated on or before the cutoff (ADSL DTHDT; DTHFL is not used, so
    a death without a date cannot count). Otherwise the subject is censored at the last date
    known alive, LSTALVDT, capped at the cutoff and never before STARTDT; without an LSTALVDT
    the subject is censored at STARTDT (AVAL 1 day), with its own CNSDTDSC.
    """
    s = _subjects(adsl, cutoff)
    dead = s["DTHDT"].notna()
    lst = s["LSTALVDT"].where(s["LSTALVDT"] <= s["CUTOFF"], s["CUTOFF"])
    lst = lst.where(s["LSTALVDT"].notna())
    no_lst = ~dead & lst.isna()
    lst = lst.where(~(lst < s["STARTDT"]), s["STARTDT"])
    out = pd.DataFrame({"USUBJID": s["USUBJID"], "STARTDT": s["STARTDT"]})
    out["ADT"] = np.where(dead, s["DTHDT"], np.where(no_lst, s["STARTDT"], lst))
    out["ADT"] = _dates(out["ADT"])
    out["CNSR"] = np.where(dead, 0, 1)
    out["EVNTDESC"] = np.where(
        dead, "Death", np.where(no_lst, "Start date (no last known alive date)", "Last known alive")
    )
    out["CNSDTDSC"] = np.where(
        dead,
        "",
        np.where(
            no_lst,
            "No last known alive date: censored at start",
            "Alive at last contact: censored at last known alive date",
        ),
    )
    out["SRCDOM"] = "ADSL"
    out["SRCVAR"] = np.where(dead, "DTHDT", np.where(no_lst, "STARTDT", "LSTALVDT"))
    studyid = _studyid(adsl)
    return _finish(out, adsl, "OS", studyid)


def _studyid(adsl: pd.DataFrame) -> pd.Series:
    values = adsl["STUDYID"] if "STUDYID" in adsl.columns else pd.Series("", index=adsl.index)
    return pd.Series(values.astype(str).to_numpy(), index=adsl["USUBJID"].astype(str).to_numpy())


def _clean_assessments(assessments: pd.DataFrame, name: str) -> pd.DataFrame:
    _require(assessments, name, ("USUBJID", "ADT", "AVALC"))
    a = pd.DataFrame(
        {
            "USUBJID": assessments["USUBJID"].astype(str).to_numpy(),
            "ADT": _dates(assessments["ADT"]).to_numpy(),
            "AVALC": assessments["AVALC"].astype("object").to_numpy(),
        }
    )
    a = a[a["ADT"].notna()]
    a["ADEQ"] = a["AVALC"].isin(ADEQUATE_RESPONSES).to_numpy()
    a["ISPD"] = (a["AVALC"] == "PD").to_numpy()
    return a


def _last_adequate(a: pd.DataFrame, limit: pd.Series, *, inclusive: bool) -> pd.Series:
    """Per subject: the last adequate assessment date before (or on, `inclusive`) `limit`
    (a per-subject date; NaT means no limit)."""
    lim = a["USUBJID"].map(limit)
    keep = a["ADEQ"] & (lim.isna() | ((a["ADT"] <= lim) if inclusive else (a["ADT"] < lim)))
    return a.loc[keep].groupby("USUBJID")["ADT"].max()


def _progression_censoring(
    s: pd.DataFrame,
    a: pd.DataFrame,
    start: pd.Series,
    *,
    assessment_interval_days: float,
    max_missed_assessments: int,
    censor_at_new_therapy: bool,
    baseline_adequate: pd.Series | None,
    no_assessment_window_intervals: float,
    start_is_assessment: bool,
    start_src: tuple[str, str],
) -> pd.DataFrame:
    """The PFS rules, shared by PFS (start = STARTDT) and DOR (start = response date).

    `s`: subjects (index USUBJID) with DTHDT, NACTDT, CUTOFF. `a`: assessments. With
    `start_is_assessment` (DOR) the start is itself an adequate assessment, assessments on the
    start date count as adequate references, and the baseline / no-post-baseline rules do not
    apply.
    """
    idx = start.index
    start = start.astype("datetime64[ns]")
    dth = s.loc[idx, "DTHDT"]
    dth = dth.where(dth >= start)
    nact = s.loc[idx, "NACTDT"]
    cut = s.loc[idx, "CUTOFF"]

    a = a[a["USUBJID"].isin(idx)]
    a_start = a["USUBJID"].map(start)
    a_cut = a["USUBJID"].map(cut)
    a = a[
        (a["ADT"] >= a_start if start_is_assessment else a["ADT"] > a_start) & (a["ADT"] <= a_cut)
    ]
    pd_dt = a.loc[a["ISPD"] & (a["ADT"] > a["USUBJID"].map(start))].groupby("USUBJID")["ADT"].min()
    pd_dt = pd_dt.reindex(idx)

    evt = pd.concat([pd_dt, dth], axis=1).min(axis=1).astype("datetime64[ns]")
    evt_is_pd = pd_dt.notna() & (pd_dt <= dth.fillna(pd.Timestamp.max))
    has_evt = evt.notna()

    laa_before_evt = _last_adequate(a, evt, inclusive=False).reindex(idx)
    laa_before_nact = _last_adequate(a, nact, inclusive=True).reindex(idx)
    laa_any = _last_adequate(a, pd.Series(pd.NaT, index=idx), inclusive=True).reindex(idx)
    if start_is_assessment:
        laa_before_evt = laa_before_evt.fillna(start)
        laa_before_nact = laa_before_nact.where(~(nact >= start), laa_before_nact.fillna(start))
        laa_any = laa_any.fillna(start)

    interval = float(assessment_interval_days)
    missed_limit = (int(max_missed_assessments) + 1) * interval
    window = float(no_assessment_window_intervals) * interval

    if baseline_adequate is None or start_is_assessment:
        no_base = pd.Series(False, index=idx)
    else:
        no_base = ~baseline_adequate.reindex(idx).fillna(False).astype(bool)
    gap_start = (evt - start).dt.days
    no_post = (
        pd.Series(False, index=idx)
        if start_is_assessment
        else laa_before_evt.isna() & (~has_evt | (gap_start > window))
    )
    new_tx = pd.Series(censor_at_new_therapy, index=idx) & nact.notna() & (~has_evt | (nact < evt))
    gap_evt = (evt - laa_before_evt).dt.days
    missed = has_evt & laa_before_evt.notna() & (gap_evt > missed_limit)

    rule = np.select(
        [no_base, no_post, new_tx, missed, has_evt],
        ["no_base", "no_post", "new_tx", "missed", "event"],
        default="last",
    )
    rule = pd.Series(rule, index=idx)
    new_tx_none = (rule == "new_tx") & laa_before_nact.isna()
    last_none = (rule == "last") & laa_any.isna()

    adt = pd.Series(pd.NaT, index=idx, dtype="datetime64[ns]")
    adt = adt.mask(rule.isin(["no_base", "no_post"]) | new_tx_none | last_none, start)
    adt = adt.mask((rule == "new_tx") & ~new_tx_none, laa_before_nact)
    adt = adt.mask(rule == "missed", laa_before_evt)
    adt = adt.mask(rule == "event", evt)
    adt = adt.mask((rule == "last") & ~last_none, laa_any)

    at_start_text = "Start date"
    event_text = np.where(evt_is_pd, "Disease progression", "Death")
    evntdesc = np.select(
        [rule == "event", adt == start],
        [event_text, at_start_text],
        default="Last adequate assessment",
    )
    cns = np.select(
        [
            rule == "no_base",
            rule == "no_post",
            new_tx_none,
            rule == "new_tx",
            rule == "missed",
            last_none,
            rule == "last",
        ],
        [
            CNS_NO_BASELINE,
            CNS_NO_POSTBASELINE.format(k=float(no_assessment_window_intervals)),
            CNS_NEW_THERAPY_NONE,
            CNS_NEW_THERAPY,
            CNS_MISSED.format(k=int(max_missed_assessments)),
            CNS_LAST_NONE,
            CNS_LAST,
        ],
        default="",
    )
    srcdom = np.select(
        [rule == "event", adt == start],
        [np.where(evt_is_pd, "ADRS", "ADSL"), start_src[0]],
        default="ADRS",
    )
    srcvar = np.select(
        [rule == "event", adt == start],
        [np.where(evt_is_pd, "ADT", "DTHDT"), start_src[1]],
        default="ADT",
    )
    return pd.DataFrame(
        {
            "USUBJID": idx,
            "STARTDT": start.to_numpy(),
            "ADT": adt.to_numpy(),
            "CNSR": np.where(rule == "event", 0, 1),
            "EVNTDESC": evntdesc,
            "CNSDTDSC": cns,
            "SRCDOM": srcdom,
            "SRCVAR": srcvar,
        }
    )


def _baseline_flags(adsl: pd.DataFrame, baseline_adequate: pd.Series | None) -> pd.Series:
    if baseline_adequate is None:
        _require(adsl, "ADSL", ("EFFFL",))
        return pd.Series(
            (adsl["EFFFL"] == "Y").to_numpy(), index=adsl["USUBJID"].astype(str).to_numpy()
        )
    flags = baseline_adequate.copy()
    flags.index = flags.index.astype(str)
    if flags.dtype == object:
        flags = flags.isin(["Y", True])
    return flags.astype(bool)


def derive_pfs(
    adsl: pd.DataFrame,
    assessments: pd.DataFrame,
    *,
    assessment_interval_days: float,
    max_missed_assessments: int,
    censor_at_new_therapy: bool,
    cutoff: object = None,
    baseline_adequate: pd.Series | None = None,
    no_assessment_window_intervals: float = 2,
) -> pd.DataFrame:
    """PFS: time from STARTDT to the first PD or death, censored per FDA 2018 (Table 5).

    Inputs: ADSL (STARTDT, DTHDT, NACTDT, CUTOFFDT or `cutoff`) and `assessments` (USUBJID,
    ADT, AVALC): every dated overall-response assessment, not truncated at PD or new therapy.
    Post-baseline assessments are those after STARTDT and on or before the cutoff; an
    assessment is *adequate* when AVALC is CR, PR, SD, NON-CR/NON-PD or PD (not NE, not
    missing). Deaths after the cutoff, or before STARTDT, do not count.

    The candidate event is the earlier of the first post-baseline PD and death. Rules, in this
    order (the first that applies wins; each has its own CNSDTDSC):

    1. No adequate baseline assessment -> censored at STARTDT. Baseline adequacy is
       `baseline_adequate` (boolean or "Y"/"N" Series indexed by USUBJID) when given,
       otherwise ADSL EFFFL == "Y" (measurable disease at baseline).
    2. No adequate post-baseline assessment before the event (or at all, without an event) and
       no PD or death within `no_assessment_window_intervals` (default 2) ×
       `assessment_interval_days` days of STARTDT (event date − STARTDT > window) ->
       censored at STARTDT. A death (or PD) within the window is an event.
    3. `censor_at_new_therapy` and NACTDT before the event (NACTDT < event date, or no event)
       -> censored at the last adequate assessment on or before NACTDT (STARTDT if none).
       An event on the day new therapy starts is still an event.
    4. Missed assessments: with L the last adequate assessment before the event, if
       event date − L > (`max_missed_assessments` + 1) × `assessment_interval_days` days ->
       censored at L. (With interval 42 and 1 allowed miss, PD 84 days after L is an event,
       85 days after L is censored.)
    5. Otherwise a PD or death is an event at its date.
    6. No event -> censored at the last adequate post-baseline assessment (STARTDT if none).
    """
    s = _subjects(adsl, cutoff)
    a = _clean_assessments(assessments, "assessments")
    base = _baseline_flags(adsl, baseline_adequate)
    out = _progression_censoring(
        s,
        a,
        s["STARTDT"],
        assessment_interval_days=assessment_interval_days,
        max_missed_assessments=max_missed_assessments,
        censor_at_new_therapy=censor_at_new_therapy,
        baseline_adequate=base,
        no_assessment_window_intervals=no_assessment_window_intervals,
        start_is_assessment=False,
        start_src=("ADSL", "STARTDT"),
    )
    return _finish(out, adsl, "PFS", _studyid(adsl))


def _confirmed_responders(adrs: pd.DataFrame, subjects: pd.Index) -> pd.Series:
    """Per confirmed responder (CRSP "Y"): the first date of a confirmed CR or PR (CRSP ADT).

    RECIST 1.1 §4.4.3: duration of response runs from the time the criteria for CR or PR are
    first met, whichever is first recorded; `derive_adrs` dates CRSP that way.
    """
    _require(adrs, "ADRS", ("USUBJID", "PARAMCD", "AVALC", "ADT"))
    crsp = adrs[adrs["PARAMCD"] == "CRSP"]
    if crsp["USUBJID"].duplicated().any():
        dup = str(crsp.loc[crsp["USUBJID"].duplicated(), "USUBJID"].iloc[0])
        raise InputError("ADRS", "more than one CRSP record", usubjid=dup, variable="PARAMCD")
    resp = crsp[crsp["AVALC"] == "Y"]
    dates = pd.Series(_dates(resp["ADT"]).to_numpy(), index=resp["USUBJID"].astype(str).to_numpy())
    if dates.isna().any():
        bad = str(dates.index[dates.isna()][0])
        raise InputError(
            "ADRS", "confirmed response (CRSP Y) without a date", usubjid=bad, variable="ADT"
        )
    return dates[dates.index.isin(subjects)].sort_index()


def derive_dor(
    adsl: pd.DataFrame,
    assessments: pd.DataFrame,
    adrs: pd.DataFrame,
    *,
    assessment_interval_days: float,
    max_missed_assessments: int,
    censor_at_new_therapy: bool,
    cutoff: object = None,
) -> pd.DataFrame:
    """DOR: confirmed responders only (ADRS CRSP "Y"), from the first date of a confirmed CR or
    PR (CRSP ADT, which is this parameter's STARTDT) to the first PD or death.

    Censored like PFS (`derive_pfs` rules 3–6): the response assessment is the first adequate
    assessment, so rules 1–2 do not apply; PD counts after the response date, death on or
    after it.
    """
    s = _subjects(adsl, cutoff)
    a = _clean_assessments(assessments, "assessments")
    start = _confirmed_responders(adrs, s.index)
    if len(start) == 0:
        return _finish(
            pd.DataFrame(
                {
                    "USUBJID": pd.Series(dtype=object),
                    "STARTDT": pd.Series(dtype="datetime64[ns]"),
                    "ADT": pd.Series(dtype="datetime64[ns]"),
                    "CNSR": pd.Series(dtype="int64"),
                    **{c: pd.Series(dtype=object) for c in ("EVNTDESC", "CNSDTDSC")},
                    **{c: pd.Series(dtype=object) for c in ("SRCDOM", "SRCVAR")},
                }
            ),
            adsl,
            "DOR",
            _studyid(adsl),
        )
    out = _progression_censoring(
        s,
        a,
        start,
        assessment_interval_days=assessment_interval_days,
        max_missed_assessments=max_missed_assessments,
        censor_at_new_therapy=censor_at_new_therapy,
        baseline_adequate=None,
        no_assessment_window_intervals=0,
        start_is_assessment=True,
        start_src=("ADRS", "ADT"),
    )
    return _finish(out, adsl, "DOR", _studyid(adsl))


def derive_ttr(adsl: pd.DataFrame, adrs: pd.DataFrame, *, cutoff: object = None) -> pd.DataFrame:
    """TTR: time from STARTDT to the first date of confirmed response (ADRS CRSP ADT), among
    confirmed responders only. Every row is an event (CNSR 0): non-responders have no TTR row,
    so TTR describes how soon responders respond (summarize it descriptively, not by KM over
    all subjects)."""
    s = _subjects(adsl, cutoff)
    resp = _confirmed_responders(adrs, s.index)
    out = pd.DataFrame(
        {
            "USUBJID": resp.index.to_numpy(dtype=object),
            "STARTDT": s.loc[resp.index, "STARTDT"].to_numpy(),
            "ADT": resp.to_numpy(),
        }
    )
    out["ADT"] = _dates(out["ADT"])
    out["STARTDT"] = _dates(out["STARTDT"])
    out["CNSR"] = 0
    out["EVNTDESC"] = "Confirmed response (CR or PR)"
    out["CNSDTDSC"] = ""
    out["SRCDOM"] = "ADRS"
    out["SRCVAR"] = "ADT"
    return _finish(out, adsl, "TTR", _studyid(adsl))


def derive_adtte(
    adsl: pd.DataFrame,
    assessments: pd.DataFrame | None,
    adrs: pd.DataFrame,
    *,
    assessment_interval_days: float,
    max_missed_assessments: int,
    censor_at_new_therapy: bool,
    cutoff: object = None,
    baseline_adequate: pd.Series | None = None,
    no_assessment_window_intervals: float = 2,
) -> pd.DataFrame:
    """ADTTE with PARAMCD OS, PFS, DOR and TTR (see `derive_os`, `derive_pfs`, `derive_dor`,
    `derive_ttr` for each rule).

    `assessments` (USUBJID, ADT, AVALC) are all dated overall-response assessments. With
    `None` the ADRS PARAMCD "OVR" rows are used; they are truncated at PD and new therapy, which
    loses nothing for PFS/DOR when `censor_at_new_therapy` is true (nothing after the first PD
    or new therapy is used then), but with `censor_at_new_therapy` false pass the untruncated
    assessments. `cutoff` defaults to ADSL CUTOFFDT. Subjects without STARTDT get no rows
    (`subjects_without_start` logs them). Rows are sorted by PARAMCD (OS, PFS, DOR, TTR) and
    USUBJID.
    """
    if assessments is None:
        _require(adrs, "ADRS", ("PARAMCD",))
        assessments = adrs[adrs["PARAMCD"] == "OVR"]
    opts = {
        "assessment_interval_days": assessment_interval_days,
        "max_missed_assessments": max_missed_assessments,
        "censor_at_new_therapy": censor_at_new_therapy,
        "cutoff": cutoff,
    }
    parts = [
        derive_os(adsl, cutoff=cutoff),
        derive_pfs(
            adsl,
            assessments,
            baseline_adequate=baseline_adequate,
            no_assessment_window_intervals=no_assessment_window_intervals,
            **opts,
        ),
        derive_dor(adsl, assessments, adrs, **opts),
        derive_ttr(adsl, adrs, cutoff=cutoff),
    ]
    out = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
    order = {k: i for i, k in enumerate(PARAMS)}
    out = out.sort_values(
        ["PARAMCD", "USUBJID"], key=lambda c: c.map(order) if c.name == "PARAMCD" else c
    )
    return out.reset_index(drop=True)
