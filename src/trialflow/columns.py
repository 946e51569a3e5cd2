"""Column access shared by every stage: a column as upper-cased text, as numbers or as dates,
with an absent column read as all-missing. Pure helpers at the bottom of the library."""

from __future__ import annotations

import numpy as np
import pandas as pd


def upper(df: pd.DataFrame, col: str) -> pd.Series:
    """Upper-cased stripped text of a column ('' when absent or missing).

    The distinct values are converted once (columns of categories, test codes and subject ids
    repeat few values over many rows)."""
    if col not in df.columns:
        return pd.Series("", index=df.index, dtype="object")
    codes, uniques = pd.factorize(df[col], use_na_sentinel=True)
    text = pd.Index(uniques, dtype=object).astype(str).str.strip().str.upper()
    values = np.append(np.asarray(text, dtype=object), "")  # code -1 (missing) -> ""
    return pd.Series(values[codes], index=df.index, dtype="object")


def numeric(df: pd.DataFrame, col: str) -> pd.Series:
    """A column as float (non-numbers and an absent column -> NaN)."""
    if col not in df.columns:
        return pd.Series(np.nan, index=df.index, dtype="float64")
    return pd.to_numeric(df[col], errors="coerce").astype("float64")


def dates(df: pd.DataFrame, col: str) -> pd.Series:
    """A column as datetime64[ns] (an absent column -> NaT)."""
    if col not in df.columns:
        return pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    return pd.to_datetime(df[col]).astype("datetime64[ns]")
