"""Analysis results data (ARD): one statistic a row, formatted stably.

Every analysis writes tidy rows with the columns of `ARD_COLUMNS`. Values are stored as text
so that two runs give byte-identical CSV files: integers without a decimal point, floats with
`repr`-free fixed rounding (10 significant digits), missing as empty text (shown "NE" in
tables).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
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
]


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
    group_var: str = "",
    group_level: str = "",
) -> pd.DataFrame:
    """Turn a mapping of statistic name -> value into ARD rows sharing the same context."""
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


def ard_value(ard: pd.DataFrame, **where: str) -> str:
    """Return the single value matching `where` (column=value); error if not exactly one."""
    mask = pd.Series(True, index=ard.index)
    for col, val in where.items():
        mask &= ard[col].astype(str) == str(val)
    hits = ard.loc[mask, "value"]
    if len(hits) != 1:
        raise KeyError(f"ARD lookup {where} matched {len(hits)} rows")
    return str(hits.iloc[0])
