"""Time-to-event parameters from declared event and censoring sources (admiral style).

A parameter (PFS, OS, DOR, TTR) is declared as an ordered tuple of `TteSource`s, the way
admiral's `derive_param_tte` takes `event_source` and `censor_source` objects: each source has
a name, the filter that selects the subjects it applies to, the date it takes, CNSR, EVNTDESC
(what the date is), CNSDTDSC (the censoring rule; empty for events) and SRCDOM/SRCVAR (where
the date comes from). `derive_param_tte` is the one engine that applies them.

The sources read one subject-level dataset per parameter (one row per subject: USUBJID,
STARTDT, the candidate dates and the boolean conditions the filters name), built by the
parameter's derivation in `trialflow.adam.adtte`. Filters are boolean expressions over that
dataset's columns (`&`, `|`, `~` and parentheses, evaluated by `pandas.DataFrame.eval`).

Order decides, unlike admiral's "earliest event, else latest censoring": for each subject the
first source whose filter holds gives the row. The order is the priority of the statistical
analysis plan (for PFS the FDA 2018 censoring table, where a censoring rule such as "no
baseline tumour assessment" overrides a later progression). A subject that no source selects
gets no row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

TTE_SOURCE_COLUMNS: list[str] = [
    "USUBJID",
    "STARTDT",
    "ADT",
    "CNSR",
    "EVNTDESC",
    "CNSDTDSC",
    "SRCDOM",
    "SRCVAR",
]
"""The columns `derive_param_tte` returns, one row per subject."""


@dataclass(frozen=True)
class TteSource:
    """One event or censoring source of a time-to-event parameter."""

    name: str
    """Short name of the rule (used in error messages and in the validation matrix)."""
    cnsr: int
    """0 for an event, 1 for a censoring."""
    filter: str
    """Boolean expression over the subject-level dataset: the subjects this source applies to."""
    date: str
    """Column of the subject-level dataset holding ADT."""
    evntdesc: str
    """EVNTDESC: what the date is."""
    cnsdtdsc: str
    """CNSDTDSC: the censoring rule ("" for events)."""
    srcdom: str
    """SRCDOM: the dataset the date comes from."""
    srcvar: str
    """SRCVAR: the variable the date comes from."""


def event_source(
    name: str, *, filter: str, date: str, evntdesc: str, srcdom: str, srcvar: str
) -> TteSource:
    """An event (CNSR 0) source, as admiral's `event_source`."""
    return TteSource(name, 0, filter, date, evntdesc, "", srcdom, srcvar)


def censor_source(
    name: str,
    *,
    filter: str,
    date: str,
    evntdesc: str,
    cnsdtdsc: str,
    srcdom: str,
    srcvar: str,
) -> TteSource:
    """A censoring (CNSR 1) source, as admiral's `censor_source`."""
    return TteSource(name, 1, filter, date, evntdesc, cnsdtdsc, srcdom, srcvar)


def _selected(dataset: pd.DataFrame, source: TteSource) -> pd.Series:
    hit = dataset.eval(source.filter, engine="python")
    if np.ndim(hit) == 0:
        hit = pd.Series(bool(hit), index=dataset.index)
    if not pd.api.types.is_bool_dtype(hit):
        raise ValueError(f"source {source.name!r}: filter {source.filter!r} is not boolean")
    return hit.astype(bool)


def derive_param_tte(dataset: pd.DataFrame, sources: Sequence[TteSource]) -> pd.DataFrame:
    """Apply ordered event and censoring sources to a subject-level dataset.

    `dataset` has one row per subject with USUBJID, STARTDT and every column the sources name.
    For each subject the first source (in `sources` order) whose filter holds gives ADT (its
    date column), CNSR, EVNTDESC, CNSDTDSC, SRCDOM and SRCVAR; subjects no source selects get
    no row. A selected subject whose date is missing is a programming error (the dataset and
    the sources disagree) and raises `ValueError`.

    Returns `TTE_SOURCE_COLUMNS` in the order of `dataset`.
    """
    if dataset["USUBJID"].duplicated().any():
        raise ValueError("the subject-level dataset has more than one row per USUBJID")
    data = dataset.reset_index(drop=True)
    rule = pd.Series(-1, index=data.index, dtype="int64")
    for i, source in enumerate(sources):
        take = _selected(data, source) & (rule < 0)
        if take.any() and data.loc[take, source.date].isna().any():
            bad = str(data.loc[take & data[source.date].isna(), "USUBJID"].iloc[0])
            raise ValueError(f"source {source.name!r} selects {bad} but its {source.date} is empty")
        rule[take] = i
    keep = (rule >= 0).to_numpy()
    data, rule = data[keep].reset_index(drop=True), rule[keep].to_numpy()

    def pick(field: str) -> np.ndarray:
        values = np.array([getattr(s, field) for s in sources], dtype=object)
        return values[rule] if len(rule) else np.array([], dtype=object)

    adt = pd.Series(pd.NaT, index=data.index, dtype="datetime64[ns]")
    for i, source in enumerate(sources):
        mask = rule == i
        if mask.any():
            adt[mask] = data.loc[mask, source.date].astype("datetime64[ns]").to_numpy()
    return pd.DataFrame(
        {
            "USUBJID": data["USUBJID"].astype(str).to_numpy(dtype=object),
            "STARTDT": data["STARTDT"].astype("datetime64[ns]").to_numpy(),
            "ADT": adt.to_numpy(),
            "CNSR": np.array([sources[i].cnsr for i in rule], dtype="int64"),
            "EVNTDESC": pick("evntdesc"),
            "CNSDTDSC": pick("cnsdtdsc"),
            "SRCDOM": pick("srcdom"),
            "SRCVAR": pick("srcvar"),
        }
    )[TTE_SOURCE_COLUMNS]
