"""Number and text formatting for report tables: missing or non-finite values read "NE" (not
estimable)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

NE = "NE"


def to_float(value: Any) -> float | None:
    if value is None:
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def fmt_num(value: Any, digits: int = 1) -> str:
    """`value` with `digits` decimals; "NE" when missing, empty, non-numeric or infinite."""
    x = to_float(value)
    return NE if x is None else f"{x:.{digits}f}"


def fmt_int(value: Any) -> str:
    """A count as an integer ("NE" when missing)."""
    x = to_float(value)
    return NE if x is None else str(int(round(x)))


def fmt_pct(value: Any, digits: int = 1, *, proportion: bool = False) -> str:
    """A percentage "12.3%"; `proportion=True` when `value` is in [0, 1]."""
    x = to_float(value)
    if x is None:
        return NE
    return f"{x * 100 if proportion else x:.{digits}f}%"


def fmt_ci(
    lower: Any, upper: Any, digits: int = 1, *, proportion: bool = False, pct: bool = False
) -> str:
    """A confidence interval "(lower–upper)", as percentages when `pct` or `proportion`."""
    if pct or proportion:
        lo, hi = (
            fmt_pct(lower, digits, proportion=proportion),
            fmt_pct(upper, digits, proportion=proportion),
        )
    else:
        lo, hi = fmt_num(lower, digits), fmt_num(upper, digits)
    return f"({lo}\N{EN DASH}{hi})"


def fmt_estimate_ci(
    estimate: Any, lower: Any, upper: Any, digits: int = 1, *, proportion: bool = False
) -> str:
    """ "est (lower–upper)", e.g. "8.3 (5.1–NE)"; percentages when `proportion`."""
    est = fmt_pct(estimate, digits, proportion=True) if proportion else fmt_num(estimate, digits)
    return f"{est} {fmt_ci(lower, upper, digits, proportion=proportion)}"


def fmt_n_pct(n: Any, pct: Any, digits: int = 1) -> str:
    """ "n (pct%)" with `pct` already in percent."""
    return f"{fmt_int(n)} ({fmt_num(pct, digits)}%)"


def conf_text(conf_level: Any) -> str:
    """ "95% CI" from a level such as 0.95."""
    x = to_float(conf_level)
    return "CI" if x is None else f"{x * 100:g}% CI"


def text_table(rows: list[dict[str, str]], columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns)).astype(str)


def yes_no(value: Any) -> str:
    return "yes" if value else "no"


def stat_text(value: str) -> str:
    """An ARD value for display: numbers to 4 significant digits, text as is, "" -> NE."""
    if value == "":
        return NE
    x = to_float(value)
    if x is None:
        return value
    return str(int(x)) if x == int(x) and abs(x) < 1e15 else f"{x:.4g}"
