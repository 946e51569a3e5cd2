"""The analysis results data (ARD) contract: one statistic a row, formatted stably, and the one
way to look values up in it.

The ARD stage writes these rows; figures, reports and tests read them with `ard_select`,
`ard_stats` and `ard_value`. Every analysis writes tidy rows with the columns of `ARD_COLUMNS`;
`derivation` names the library function that computed the row, so a reader can go from a
number on the page to its function. Values are stored as text
so that two runs give byte-identical CSV files: integers without a decimal point, floats with
`repr`-free fixed rounding (10 significant digits), missing as empty text (shown "NE" in
tables).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

ARD_COLUMNS = [
    "analysis",  # e.g. orr, km, bor, teae_overview
    "population",  # ADSL flag defining the denominator, e.g. EFFFL, SAFFL, ENRLFL
    "parameter",  # e.g. CBOR, PFS, AEDECOD
    "group_var",  # subgroup variable, or "" for overall
    "group_level",  # subgroup level, or ""
    "stat",  # statistic name, e.g. n, N, pct, estimate, lower, upper, median
    "value",  # formatted value (text)
    "dataset",  # source dataset, e.g. ADRS
    "filter",  # filter applied to the dataset, e.g. PARAMCD == 'CBOR' and EFFFL == 'Y'
    "derivation",  # the library function that computed the row, e.g. trialflow.ard.efficacy.km_ard
]


def derivation_name(func: Callable[..., Any]) -> str:
    """The dotted name of a library function, for the ARD `derivation` column."""
    return f"{func.__module__}.{func.__qualname__}"


def format_value(value: Any) -> str:
    """Format a statistic stably: ints as ints, floats to 10 significant digits, NaN as ''."""
    if value is None:
        return ""
    if isinstance(value, bool | np.bool_):
        return "Y" if value else "N"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        x = float(value)
        if math.isnan(x):
            return ""
        if math.isinf(x):
            return "Inf" if x > 0 else "-Inf"
        if x == int(x) and abs(x) < 1e15:
            return str(int(x))
        return f"{x:.10g}"
    return str(value)


def ard_rows(
    stats: Mapping[str, Any],
    *,
    analysis: str,
    population: str,
    parameter: str,
    dataset: str,
    filter: str,
    derivation: Callable[..., Any],
    group_var: str = "",
    group_level: str = "",
) -> pd.DataFrame:
    """Turn a mapping of statistic name -> value into ARD rows sharing the same context;
    `derivation` is the library function that computed them (named in every row)."""
    rows = [
        {
            "analysis": analysis,
            "population": population,
            "parameter": parameter,
            "group_var": group_var,
            "group_level": str(group_level),
            "stat": name,
            "value": format_value(value),
            "dataset": dataset,
            "filter": filter,
            "derivation": derivation_name(derivation),
        }
        for name, value in stats.items()
    ]
    return pd.DataFrame(rows, columns=ARD_COLUMNS)


def concat_ard(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate ARD pieces, keeping their order (the order is part of the output)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=ARD_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    return out[ARD_COLUMNS].astype(str)


def ard_select(ard: pd.DataFrame, **where: Any) -> pd.DataFrame:
    """Rows of `ard` whose columns equal the given values (compared as text), in file order."""
    if ard.empty:
        return ard
    mask = pd.Series(True, index=ard.index)
    for col, val in where.items():
        mask &= ard[col].astype(str) == str(val)
    return ard.loc[mask]


def ard_stats(ard: pd.DataFrame, **where: Any) -> dict[str, str]:
    """stat -> value of the rows matching `where` (empty dict when none match).

    By default only overall rows (no subgroup) are read: pass `group_var` / `group_level`
    to read a subgroup.
    """
    where.setdefault("group_var", "")
    where.setdefault("group_level", "")
    rows = ard_select(ard, **where)
    return dict(zip(rows["stat"], rows["value"], strict=True)) if len(rows) else {}


def ard_value(ard: pd.DataFrame, **where: Any) -> str:
    """Return the single value matching `where` (column=value); error if not exactly one."""
    hits = ard_select(ard, **where)["value"] if len(ard) else ard.get("value", pd.Series())
    if len(hits) != 1:
        raise KeyError(f"ARD lookup {where} matched {len(hits)} rows")
    return str(hits.iloc[0])


#: The curve table (`ard/km_curves.csv`): one row per curve and distinct time; the step
#: columns are those of R's `survfit` (and of `trialflow.stats.survival.km_curve`).
CURVE_KEY_COLUMNS = ["parameter", "population", "group_var", "group_level"]
CURVE_STEP_COLUMNS = [
    "time",
    "n_risk",
    "n_event",
    "n_censor",
    "survival",
    "std_err",
    "lower",
    "upper",
]
CURVE_TABLE_COLUMNS = [*CURVE_KEY_COLUMNS, *CURVE_STEP_COLUMNS, "derivation"]


def curve_rows(
    curves: pd.DataFrame, parameter: str, group_var: str = "", group_level: str = ""
) -> pd.DataFrame:
    """One curve of a curve table (as written, or read back as text): its step columns as
    float, in time order."""
    sel = (
        ard_select(
            curves, parameter=parameter, group_var=group_var, group_level=format_value(group_level)
        )
        if len(curves)
        else curves
    )
    out = pd.DataFrame(
        {c: pd.to_numeric(sel[c], errors="coerce") for c in CURVE_STEP_COLUMNS}
        if len(sel)
        else {c: pd.Series(dtype=float) for c in CURVE_STEP_COLUMNS}
    )
    return out.astype(np.float64).reset_index(drop=True)
