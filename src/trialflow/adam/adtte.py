"""ADTTE: time-to-event analysis dataset (OS, PFS, DOR, TTR), with FDA-style PFS censoring.

`derive_adtte` builds one row per subject and parameter from ADSL, the overall-response
assessments and ADRS. Each row has STARTDT, ADT, AVAL (days, ADT − STARTDT + 1), AVALM
(months, AVAL / 30.4375), CNSR (0 event, 1 censored), EVNTDESC (what the date is), CNSDTDSC
(the censoring rule, empty for events), SRCDOM/SRCVAR (where the date comes from) and the
ADSL variables used for subgroups and populations.

Each parameter is declared as data: a subject-level dataset of candidate dates and conditions
(`os_dataset`, `progression_dataset`, `response_dataset`) and an ordered tuple of event and
censoring sources (`os_sources`, `pfs_sources`, `dor_sources`, `ttr_sources`), applied by the
one engine `trialflow.adam.tte.derive_param_tte`: the first source whose filter holds decides
a subject's row. The PFS censoring rules follow FDA, *Clinical Trial Endpoints for the
Approval of Cancer Drugs and Biologics* (December 2018), Table 5 ("PFS censoring"); see
`derive_pfs` for the order and the formulas. All dates are compared as calendar days.

Missed assessments (`PfsRules`): with planned interval I (`assessment_interval_days`), visit
window W (`pfs.visit_window_days`) and k allowed misses (`pfs.max_missed_assessments`), the
scheduled assessments after an adequate assessment at day a fall at a + I, a + 2I, ...; the
j-th counts as missed only when no adequate assessment falls within a + jI ± W. PD or death at
day d, with no adequate assessment in between, therefore follows more than k missed
assessments exactly when the (k+1)-th window has closed before d: d − a > (k + 1)·I + W. The
same limit applies from STARTDT when there is no adequate post-baseline assessment at all.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from trialflow.adam.timeline import before_new_therapy
from trialflow.adam.treatment import bds_treatment
from trialflow.adam.tte import TteSource, censor_source, derive_param_tte, event_source
from trialflow.config.options import PfsRules, ResponseRules
from trialflow.errors import InputError
from trialflow.issues import concat_issues, make_issues
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
    "TRTP",
    "TRTA",
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

BASELINE_FLAG = "TUBLFL"
"""ADSL flag: "Y" when the subject has a baseline tumour assessment (`derive_adsl`)."""

# Censoring descriptions (CNSDTDSC), one per rule.
CNS_NO_BASELINE = "No baseline tumour assessment: censored at start"
CNS_NO_POSTBASELINE = (
    "No adequate post-baseline assessment and no PD or death within {k:g} assessment "
    "intervals plus the visit window of start: censored at start"
)
CNS_NEW_THERAPY: dict[str, str] = {
    "before": (
        "New anticancer therapy on or before PD or death: censored at last adequate assessment "
        "before the start of new therapy"
    ),
    "on_or_before": (
        "New anticancer therapy before PD or death: censored at last adequate assessment on or "
        "before the start of new therapy"
    ),
}
"""By `new_therapy_boundary`: which assessments (and events) still count on the NACTDT day."""
CNS_NEW_THERAPY_NONE: dict[str, str] = {
    "before": (
        "New anticancer therapy on or before PD or death, no adequate assessment before it: "
        "censored at start"
    ),
    "on_or_before": (
        "New anticancer therapy before PD or death, no adequate assessment on or before it: "
        "censored at start"
    ),
}
CNS_MISSED = (
    "PD or death after more than {k} missed assessment(s): censored at last adequate assessment"
)
CNS_LAST = "No PD or death: censored at last adequate assessment"
CNS_LAST_NONE = "No PD or death and no adequate assessment after start: censored at start"
CNS_OS_ALIVE = "Alive at last contact: censored at last known alive date"
CNS_OS_NO_LSTALVDT = "No last known alive date: censored at start"

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


def _studyid(adsl: pd.DataFrame) -> pd.Series:
    values = adsl["STUDYID"] if "STUDYID" in adsl.columns else pd.Series("", index=adsl.index)
    return pd.Series(values.astype(str).to_numpy(), index=adsl["USUBJID"].astype(str).to_numpy())


def _finish(frame: pd.DataFrame, adsl: pd.DataFrame, paramcd: str) -> pd.DataFrame:
    """Add PARAMCD/PARAM, AVAL/AVALM, STUDYID and the ADSL keys; order the columns."""
    out = frame.copy()
    out["PARAMCD"] = paramcd
    out["PARAM"] = PARAMS[paramcd]
    out["STUDYID"] = out["USUBJID"].map(_studyid(adsl))
    out["TRTP"], out["TRTA"] = bds_treatment(adsl, out["USUBJID"])
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
    and new therapies after the cutoff removed."""
    _require(adsl, "ADSL", _REQUIRED_ADSL)
    if adsl["USUBJID"].duplicated().any():
        dup = str(adsl.loc[adsl["USUBJID"].duplicated(), "USUBJID"].iloc[0])
        raise InputError("ADSL", "USUBJID occurs more than once", usubjid=dup)
    s = pd.DataFrame({"USUBJID": adsl["USUBJID"].astype(str).to_numpy()})
    for col in ("STARTDT", "DTHDT", "LSTALVDT", "NACTDT"):
        s[col] = _dates(adsl[col]).to_numpy()
    s["CUTOFF"] = _cutoff_series(adsl, cutoff).to_numpy()
    if BASELINE_FLAG in adsl.columns:
        s[BASELINE_FLAG] = adsl[BASELINE_FLAG].astype("object").fillna("").to_numpy()
    s.loc[s["DTHDT"] > s["CUTOFF"], "DTHDT"] = pd.NaT
    s.loc[s["NACTDT"] > s["CUTOFF"], "NACTDT"] = pd.NaT
    s = s[s["STARTDT"].notna()]
    return s.set_index("USUBJID", drop=False)


def _empty_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "USUBJID": pd.Series(dtype=object),
            "STARTDT": pd.Series(dtype="datetime64[ns]"),
            "ADT": pd.Series(dtype="datetime64[ns]"),
            "CNSR": pd.Series(dtype="int64"),
            **{c: pd.Series(dtype=object) for c in ("EVNTDESC", "CNSDTDSC", "SRCDOM", "SRCVAR")},
        }
    )


def subjects_without_start(adsl: pd.DataFrame) -> pd.DataFrame:
    """Data-issue rows (docs/data_contracts.md) for subjects left out of ADTTE because they
    have no STARTDT (for example enrolled but never dosed with `reference_start: first_dose`).
    They cannot have a time to event, so they appear in no ADTTE parameter; this log says so."""
    _require(adsl, "ADSL", ("USUBJID", "STARTDT"))
    miss = adsl.loc[adsl["STARTDT"].isna(), "USUBJID"].astype(str).sort_values()
    return make_issues(
        pd.DataFrame({"usubjid": miss.to_numpy()}),
        stage="adtte",
        domain="ADTTE",
        variable="STARTDT",
        action="flagged",
        reason="no STARTDT: subject has no time-to-event record in ADTTE",
    )


def subjects_without_baseline(adsl: pd.DataFrame) -> pd.DataFrame:
    """Data-issue rows for subjects with a STARTDT but no baseline tumour assessment (ADSL
    TUBLFL not "Y"): their PFS is censored at STARTDT whatever follows (FDA 2018, Table 5), so
    the log names each of them."""
    _require(adsl, "ADSL", ("USUBJID", "STARTDT", BASELINE_FLAG))
    miss = adsl.loc[
        adsl["STARTDT"].notna() & (adsl[BASELINE_FLAG].astype("object") != "Y"), "USUBJID"
    ]
    return make_issues(
        pd.DataFrame({"usubjid": miss.astype(str).sort_values().to_numpy()}),
        stage="adtte",
        domain="ADSL",
        variable=BASELINE_FLAG,
        original_value="N",
        action="flagged",
        reason="no baseline tumour assessment: PFS censored at STARTDT (FDA 2018)",
    )


def adtte_issues(adsl: pd.DataFrame) -> pd.DataFrame:
    """Every data issue of the ADTTE stage: subjects without STARTDT, subjects without a
    baseline tumour assessment."""
    return concat_issues([subjects_without_start(adsl), subjects_without_baseline(adsl)])


# --- OS ------------------------------------------------------------------------------------


def os_dataset(adsl: pd.DataFrame, *, cutoff: object = None) -> pd.DataFrame:
    """Subject-level dataset of OS: STARTDT, DTHDT (death on or before the cutoff, from ADSL
    DTHDT; DTHFL is not used, so a death without a date cannot count), LSTALVDT (capped at the
    cutoff and never before STARTDT) and the conditions DEAD and ALIVE_DATE."""
    s = _subjects(adsl, cutoff)
    lst = s["LSTALVDT"].where(s["LSTALVDT"] <= s["CUTOFF"], s["CUTOFF"])
    lst = lst.where(s["LSTALVDT"].notna())
    lst = lst.where(~(lst < s["STARTDT"]), s["STARTDT"])
    return pd.DataFrame(
        {
            "USUBJID": s["USUBJID"],
            "STARTDT": s["STARTDT"],
            "DTHDT": s["DTHDT"],
            "LSTALVDT": lst.astype("datetime64[ns]"),
            "DEAD": s["DTHDT"].notna(),
            "ALIVE_DATE": lst.notna(),
        }
    ).reset_index(drop=True)


def os_sources() -> tuple[TteSource, ...]:
    """OS: death is the event; otherwise censored at the last date known alive, or at STARTDT
    without one (ADaMIG ADTTE conventions)."""
    return (
        event_source(
            "death", filter="DEAD", date="DTHDT", evntdesc="Death", srcdom="ADSL", srcvar="DTHDT"
        ),
        censor_source(
            "last_known_alive",
            filter="ALIVE_DATE",
            date="LSTALVDT",
            evntdesc="Last known alive",
            cnsdtdsc=CNS_OS_ALIVE,
            srcdom="ADSL",
            srcvar="LSTALVDT",
        ),
        censor_source(
            "no_last_known_alive",
            filter="~ALIVE_DATE",
            date="STARTDT",
            evntdesc="Start date (no last known alive date)",
            cnsdtdsc=CNS_OS_NO_LSTALVDT,
            srcdom="ADSL",
            srcvar="STARTDT",
        ),
    )


def derive_os(adsl: pd.DataFrame, *, cutoff: object = None) -> pd.DataFrame:
    """OS: time from STARTDT to death from any cause.

    Rule (`os_sources`, in order): the event is a death dated on or before the cutoff (ADSL
    DTHDT). Otherwise the subject is censored at the last date known alive, LSTALVDT, capped at
    the cutoff and never before STARTDT; without an LSTALVDT the subject is censored at STARTDT
    (AVAL 1 day), with its own CNSDTDSC.
    """
    rows = derive_param_tte(os_dataset(adsl, cutoff=cutoff), os_sources())
    return _finish(rows, adsl, "OS")


# --- PFS and DOR ---------------------------------------------------------------------------


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


def _last(a: pd.DataFrame, idx: pd.Index, keep: pd.Series) -> pd.Series:
    """Per subject (indexed like `idx`): the last ADT of the assessments `keep` selects."""
    return a.loc[keep].groupby("USUBJID")["ADT"].max().reindex(idx).astype("datetime64[ns]")


def progression_dataset(
    subjects: pd.DataFrame, assessments: pd.DataFrame, start: pd.Series, rules: PfsRules
) -> pd.DataFrame:
    """Subject-level dataset of PFS and DOR: the candidate dates and conditions their sources
    name, for the subjects of `start` (a date per USUBJID: STARTDT for PFS, the response date
    for DOR).

    Assessments used: dated, after `start` and on or before the cutoff; *adequate* when AVALC
    is CR, PR, SD, NON-CR/NON-PD or PD (FDA 2018: not NE, not missing). The PD date is the
    first OVR record with AVALC PD, as given (so a PD dated back to an earlier equivocal scan
    by the response derivation is taken at that scan). Deaths before `start` or after the
    cutoff do not count.

    Dates: PDDT (first PD), DTHDT, EVTDT (the earlier of the two: the candidate event),
    LAST_BEFORE_EVENT (last adequate assessment before EVTDT; all of them without an event),
    LAST_BEFORE_NACT (last adequate assessment that counts before new therapy: ADT < NACTDT
    for `new_therapy_boundary` "before", ADT <= NACTDT for "on_or_before") and LAST (last
    adequate assessment).

    Conditions: EVENT, PD_FIRST (PD on or before death), DEATH_FIRST, ADEQ_BEFORE_EVENT,
    ADEQ_BEFORE_NACT, ADEQ; LATE: EVTDT − (LAST_BEFORE_EVENT, else `start`) >
    (k + 1)·I + W days (`PfsRules.missed_limit_days`: more than k scheduled assessments missed,
    each outside its ± W window); NEW_THERAPY_FIRST: `censor_at_new_therapy`, a NACTDT on or
    before the cutoff, and no event that counts before it (the same boundary: an event on the
    NACTDT day counts only for "on_or_before"); START_BEFORE_NACT: `start` itself counts
    before new therapy (DOR: the response assessment); BASELINE: ADSL TUBLFL "Y" (when ADSL
    has it).
    """
    idx = start.index
    start = start.astype("datetime64[ns]")
    s = subjects.loc[idx]
    dth = s["DTHDT"].where(s["DTHDT"] >= start)
    nact = s["NACTDT"]

    a = assessments[assessments["USUBJID"].isin(idx)]
    a = a[(a["ADT"] > a["USUBJID"].map(start)) & (a["ADT"] <= a["USUBJID"].map(s["CUTOFF"]))]
    pd_dt = a.loc[a["ISPD"]].groupby("USUBJID")["ADT"].min().reindex(idx)
    pd_dt = pd_dt.astype("datetime64[ns]")

    evt = pd.concat([pd_dt, dth], axis=1).min(axis=1).astype("datetime64[ns]")
    has_evt = evt.notna()
    pd_first = pd_dt.notna() & (dth.isna() | (pd_dt <= dth))

    a_evt = a["USUBJID"].map(evt)
    a_nact = a["USUBJID"].map(nact)
    last_evt = _last(a, idx, a["ADEQ"] & (a_evt.isna() | (a["ADT"] < a_evt)))
    last_nact = _last(
        a, idx, a["ADEQ"] & before_new_therapy(a["ADT"], a_nact, rules.new_therapy_boundary)
    )
    last_any = _last(a, idx, a["ADEQ"])

    gap = (evt - last_evt.fillna(start)).dt.days
    late = has_evt & (gap > rules.missed_limit_days)
    evt_counts = has_evt & before_new_therapy(evt, nact, rules.new_therapy_boundary)
    new_first = rules.censor_at_new_therapy & nact.notna() & ~evt_counts

    out = pd.DataFrame(
        {
            "USUBJID": idx.astype(str),
            "STARTDT": start.to_numpy(),
            "PDDT": pd_dt.to_numpy(),
            "DTHDT": dth.to_numpy(),
            "EVTDT": evt.to_numpy(),
            "NACTDT": nact.to_numpy(),
            "LAST_BEFORE_EVENT": last_evt.to_numpy(),
            "LAST_BEFORE_NACT": last_nact.to_numpy(),
            "LAST": last_any.to_numpy(),
            "EVENT": has_evt.to_numpy(),
            "PD_FIRST": pd_first.to_numpy(),
            "DEATH_FIRST": (has_evt & ~pd_first).to_numpy(),
            "ADEQ_BEFORE_EVENT": last_evt.notna().to_numpy(),
            "ADEQ_BEFORE_NACT": last_nact.notna().to_numpy(),
            "ADEQ": last_any.notna().to_numpy(),
            "LATE": late.to_numpy(),
            "NEW_THERAPY_FIRST": new_first.to_numpy(),
            "START_BEFORE_NACT": (
                nact.notna() & before_new_therapy(start, nact, rules.new_therapy_boundary)
            ).to_numpy(),
        }
    )
    if BASELINE_FLAG in s.columns:
        out["BASELINE"] = (s[BASELINE_FLAG] == "Y").to_numpy()
    return out


PROGRESSION_EVENTS: tuple[TteSource, ...] = (
    event_source(
        "progression",
        filter="PD_FIRST",
        date="PDDT",
        evntdesc="Disease progression",
        srcdom="ADRS",
        srcvar="ADT",
    ),
    event_source(
        "death", filter="DEATH_FIRST", date="DTHDT", evntdesc="Death", srcdom="ADSL", srcvar="DTHDT"
    ),
)
"""The events of PFS and DOR: the first PD (OVR record, ADRS ADT) or death (ADSL DTHDT)."""


def _censor_at_start(
    name: str, filter: str, cnsdtdsc: str, *, srcdom: str = "ADSL", srcvar: str = "STARTDT"
) -> TteSource:
    """A censoring at the start of the time to event: STARTDT, i.e. the treatment start for
    PFS (ADSL STARTDT) and the response date for DOR (ADRS ADT)."""
    return censor_source(
        name,
        filter=filter,
        date="STARTDT",
        evntdesc="Start date",
        cnsdtdsc=cnsdtdsc,
        srcdom=srcdom,
        srcvar=srcvar,
    )


def _censor_at_last_adequate(name: str, filter: str, date: str, cnsdtdsc: str) -> TteSource:
    """A censoring at a last adequate assessment (ADRS ADT): the one in column `date`."""
    return censor_source(
        name,
        filter=filter,
        date=date,
        evntdesc="Last adequate assessment",
        cnsdtdsc=cnsdtdsc,
        srcdom="ADRS",
        srcvar="ADT",
    )


AT_RESPONSE = {"srcdom": "ADRS", "srcvar": "ADT"}
"""DOR starts at the response date, an ADRS record."""


def _censor_at_new_therapy(boundary: str) -> TteSource:
    """PFS 3 and DOR: new anticancer therapy first, censored at the last adequate assessment
    that counts before NACTDT (FDA 2018 Table 5, "New anticancer treatment started")."""
    return _censor_at_last_adequate(
        "new_therapy",
        "NEW_THERAPY_FIRST & ADEQ_BEFORE_NACT",
        "LAST_BEFORE_NACT",
        CNS_NEW_THERAPY[boundary],
    )


def _censor_after_missed_assessments(k: int) -> TteSource:
    """PFS 5 and DOR: PD or death after more than `k` missed assessments, censored at the last
    adequate assessment before it (FDA 2018 Table 5)."""
    return _censor_at_last_adequate(
        "missed_assessments",
        "EVENT & LATE & ADEQ_BEFORE_EVENT",
        "LAST_BEFORE_EVENT",
        CNS_MISSED.format(k=k),
    )


CENSOR_AT_LAST_ASSESSMENT: TteSource = _censor_at_last_adequate(
    "last_assessment", "ADEQ", "LAST", CNS_LAST
)
"""PFS 7 and DOR: no PD or death, censored at the last adequate assessment (FDA 2018 Table 5,
"No progression")."""


def pfs_sources(rules: PfsRules) -> tuple[TteSource, ...]:
    """PFS events and censoring, in the order of FDA 2018 Table 5 (first that applies wins)."""
    b, k = rules.new_therapy_boundary, rules.max_missed_assessments
    return (
        _censor_at_start("no_baseline", "~BASELINE", CNS_NO_BASELINE),
        _censor_at_start(
            "no_post_baseline",
            "~ADEQ_BEFORE_EVENT & (~EVENT | LATE)",
            CNS_NO_POSTBASELINE.format(k=k + 1),
        ),
        _censor_at_new_therapy(b),
        _censor_at_start("new_therapy_no_assessment", "NEW_THERAPY_FIRST", CNS_NEW_THERAPY_NONE[b]),
        _censor_after_missed_assessments(k),
        *PROGRESSION_EVENTS,
        CENSOR_AT_LAST_ASSESSMENT,
        _censor_at_start("no_assessment", "~ADEQ", CNS_LAST_NONE),
    )


def derive_pfs(
    adsl: pd.DataFrame,
    assessments: pd.DataFrame,
    *,
    pfs: PfsRules,
    cutoff: object = None,
) -> pd.DataFrame:
    """PFS: time from STARTDT to the first PD or death, censored per FDA 2018 (Table 5).

    Inputs: ADSL (STARTDT, DTHDT, NACTDT, TUBLFL, CUTOFFDT or `cutoff`) and `assessments`
    (USUBJID, ADT, AVALC): every dated overall-response (OVR) assessment, not truncated at PD
    or new therapy. See `progression_dataset` for the dates and conditions. Rules
    (`pfs_sources`), in this order; the first that applies wins and each has its own CNSDTDSC:

    1. No baseline tumour assessment (ADSL TUBLFL not "Y") -> censored at STARTDT, even when
       PD or death follows (FDA 2018 Table 5: "no baseline tumor assessments"). Measurable
       disease is not needed: subjects with non-target disease only, or outside EFFFL, keep
       their PD and death events.
    2. No adequate post-baseline assessment before the event (or at all, without an event),
       and no PD or death within (k + 1)·I + W days of STARTDT -> censored at STARTDT. A death
       (or PD) within that limit is an event. The limit is the one of rule 5, counted from
       STARTDT.
    3. `censor_at_new_therapy` and new anticancer therapy (NACTDT) before the event, or
       without one -> censored at the last adequate assessment that counts before NACTDT.
       `new_therapy_boundary` decides, as for ADRS: "before" counts assessments and events
       with ADT < NACTDT, "on_or_before" with ADT <= NACTDT.
    4. Rule 3 without such an assessment -> censored at STARTDT.
    5. Missed assessments: with L the last adequate assessment before the event, if
       event date − L > (k + 1)·I + W days -> censored at L (k = `max_missed_assessments`,
       I = `assessment_interval_days`, W = `visit_window_days`: each scheduled assessment at
       L + jI is missed only when none falls within ± W days of it). With I 42, k 1, W 7:
       PD 91 days after L is an event, 92 days after L is censored.
    6. Otherwise a PD (on or before death) or a death is an event at its date.
    7. No event -> censored at the last adequate post-baseline assessment (STARTDT if none).
    """
    _require(adsl, "ADSL", (BASELINE_FLAG,))
    s = _subjects(adsl, cutoff)
    a = _clean_assessments(assessments, "assessments")
    data = progression_dataset(s, a, s["STARTDT"], pfs)
    return _finish(derive_param_tte(data, pfs_sources(pfs)), adsl, "PFS")


def response_dataset(
    adrs: pd.DataFrame, subjects: pd.DataFrame, response: ResponseRules
) -> pd.DataFrame:
    """The responders of the primary response definition, with their response date RSPDT.

    `response.confirmation_required` true: ADRS CRSP "Y", dated by the first confirmed CR or
    PR; false: RSP "Y", dated by the first (unconfirmed) CR or PR, as for the ORR. RECIST 1.1
    §4.4.3: duration of response runs from the time the criteria for CR or PR are first met.
    Returns USUBJID, STARTDT (the subject's STARTDT), RSPDT and RESPONDER (true), sorted by
    USUBJID.
    """
    paramcd = "CRSP" if response.confirmation_required else "RSP"
    _require(adrs, "ADRS", ("USUBJID", "PARAMCD", "AVALC", "ADT"))
    par = adrs[adrs["PARAMCD"] == paramcd]
    if par["USUBJID"].duplicated().any():
        dup = str(par.loc[par["USUBJID"].duplicated(), "USUBJID"].iloc[0])
        raise InputError("ADRS", f"more than one {paramcd} record", usubjid=dup, variable="PARAMCD")
    resp = par[par["AVALC"] == "Y"]
    dates = pd.Series(_dates(resp["ADT"]).to_numpy(), index=resp["USUBJID"].astype(str).to_numpy())
    if dates.isna().any():
        bad = str(dates.index[dates.isna()][0])
        raise InputError(
            "ADRS", f"responder ({paramcd} Y) without a date", usubjid=bad, variable="ADT"
        )
    dates = dates[dates.index.isin(subjects.index)].sort_index()
    return pd.DataFrame(
        {
            "USUBJID": dates.index.to_numpy(dtype=object),
            "STARTDT": subjects.loc[dates.index, "STARTDT"].to_numpy(),
            "RSPDT": dates.to_numpy(),
            "RESPONDER": True,
        }
    )


def dor_sources(rules: PfsRules) -> tuple[TteSource, ...]:
    """DOR events and censoring: the PFS rules 3 and after, from the response date (the
    response is itself an adequate assessment, so rules 1 and 2 do not apply and a censoring
    with no adequate assessment after the response falls on the response date)."""
    b, k = rules.new_therapy_boundary, rules.max_missed_assessments
    return (
        _censor_at_new_therapy(b),
        _censor_at_start(
            "new_therapy_at_response",
            "NEW_THERAPY_FIRST & START_BEFORE_NACT",
            CNS_NEW_THERAPY[b],
            **AT_RESPONSE,
        ),
        _censor_at_start(
            "new_therapy_no_assessment", "NEW_THERAPY_FIRST", CNS_NEW_THERAPY_NONE[b], **AT_RESPONSE
        ),
        _censor_after_missed_assessments(k),
        _censor_at_start(
            "missed_assessments_at_response", "EVENT & LATE", CNS_MISSED.format(k=k), **AT_RESPONSE
        ),
        *PROGRESSION_EVENTS,
        CENSOR_AT_LAST_ASSESSMENT,
        _censor_at_start("last_assessment_at_response", "~ADEQ", CNS_LAST, **AT_RESPONSE),
    )


def derive_dor(
    adsl: pd.DataFrame,
    assessments: pd.DataFrame,
    adrs: pd.DataFrame,
    *,
    pfs: PfsRules,
    response: ResponseRules,
    cutoff: object = None,
) -> pd.DataFrame:
    """DOR: responders only (`response_dataset`: confirmed CR/PR when
    `response.confirmation_required`, else the first unconfirmed CR/PR), from the response date
    (this parameter's STARTDT) to the first PD or death.

    Censored like PFS (`derive_pfs` rules 3–7, `dor_sources`): the response assessment is the
    first adequate assessment, so rules 1–2 do not apply; PD counts after the response date,
    death on or after it.
    """
    s = _subjects(adsl, cutoff)
    responders = response_dataset(adrs, s, response)
    if len(responders) == 0:
        return _finish(_empty_rows(), adsl, "DOR")
    a = _clean_assessments(assessments, "assessments")
    start = pd.Series(
        responders["RSPDT"].to_numpy(), index=pd.Index(responders["USUBJID"], name="USUBJID")
    )
    data = progression_dataset(s, a, start, pfs)
    return _finish(derive_param_tte(data, dor_sources(pfs)), adsl, "DOR")


# --- TTR -----------------------------------------------------------------------------------


def ttr_sources(response: ResponseRules) -> tuple[TteSource, ...]:
    """TTR: the response date of each responder is the event."""
    what = (
        "Confirmed response (CR or PR)" if response.confirmation_required else "Response (CR or PR)"
    )
    return (
        event_source(
            "response", filter="RESPONDER", date="RSPDT", evntdesc=what, srcdom="ADRS", srcvar="ADT"
        ),
    )


def derive_ttr(
    adsl: pd.DataFrame, adrs: pd.DataFrame, *, response: ResponseRules, cutoff: object = None
) -> pd.DataFrame:
    """TTR: time from STARTDT to the response date (`response_dataset`: the first confirmed CR
    or PR when `response.confirmation_required`, else the first CR or PR), among responders
    only. Every row is an event (CNSR 0): non-responders have no TTR row, so TTR describes how
    soon responders respond (summarize it descriptively, not by KM over all subjects)."""
    s = _subjects(adsl, cutoff)
    data = response_dataset(adrs, s, response)
    if len(data) == 0:
        return _finish(_empty_rows(), adsl, "TTR")
    return _finish(derive_param_tte(data, ttr_sources(response)), adsl, "TTR")


# --- ADTTE ---------------------------------------------------------------------------------


def derive_adtte(
    adsl: pd.DataFrame,
    assessments: pd.DataFrame | None,
    adrs: pd.DataFrame,
    *,
    pfs: PfsRules,
    response: ResponseRules,
    cutoff: object = None,
) -> pd.DataFrame:
    """ADTTE with PARAMCD OS, PFS, DOR and TTR, as the analysis plan lists them:

    - OS: death from any cause (`derive_os`);
    - PFS: PD or death, censored per FDA 2018 Table 5 (`derive_pfs`, `pfs`);
    - DOR: responders, from response to PD or death, censored like PFS (`derive_dor`);
    - TTR: responders, from STARTDT to response (`derive_ttr`); responders are the confirmed
      ones when `response.confirmation_required`, else the unconfirmed ones.

    `assessments` (USUBJID, ADT, AVALC) are all dated overall-response assessments. With
    `None` the ADRS PARAMCD "OVR" rows are used; they are truncated at PD and new therapy, which
    loses nothing for PFS/DOR when `pfs.censor_at_new_therapy` is true (nothing after the first
    PD or new therapy is used then), but with it false pass the untruncated assessments.
    `cutoff` defaults to ADSL CUTOFFDT. Subjects without STARTDT get no rows
    (`subjects_without_start` logs them). Rows are sorted by PARAMCD (OS, PFS, DOR, TTR) and
    USUBJID.
    """
    if assessments is None:
        _require(adrs, "ADRS", ("PARAMCD",))
        assessments = adrs[adrs["PARAMCD"] == "OVR"]
    parts = [
        derive_os(adsl, cutoff=cutoff),
        derive_pfs(adsl, assessments, pfs=pfs, cutoff=cutoff),
        derive_dor(adsl, assessments, adrs, pfs=pfs, response=response, cutoff=cutoff),
        derive_ttr(adsl, adrs, response=response, cutoff=cutoff),
    ]
    out = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
    order = {k: i for i, k in enumerate(PARAMS)}
    out = out.sort_values(
        ["PARAMCD", "USUBJID"], key=lambda c: c.map(order) if c.name == "PARAMCD" else c
    )
    return out.reset_index(drop=True)
