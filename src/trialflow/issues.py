"""The data-issues log: one row per excluded, imputed, changed or queried record.

Every stage returns its issues as a DataFrame with `ISSUE_COLUMNS`; the `data_issues` rule
combines them into `data_issues.csv`, sorted so that two runs give the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

ISSUE_COLUMNS = [
    "stage",
    "domain",
    "usubjid",
    "seq",
    "row",
    "variable",
    "original_value",
    "new_value",
    "action",
    "reason",
]
ACTIONS = ("excluded", "imputed", "changed", "flagged", "query")
STAGE_ORDER = ("ingest", "adsl", "adtr", "adrs", "adtte", "adae", "adex")


def empty_issues() -> pd.DataFrame:
    """An issues table with no rows."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in ISSUE_COLUMNS})


def as_text(values: pd.Series) -> pd.Series:
    """Render a column as text: missing -> '', dates as YYYY-MM-DD, whole floats without '.0'."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%Y-%m-%d").fillna("").astype("object")
    if pd.api.types.is_float_dtype(values):
        whole = values.notna() & (values == values.round())
        text = values.astype(str).where(~whole, values.round().astype("Int64").astype(str))
        return text.where(values.notna(), "").astype("object")
    return values.astype("object").where(values.notna(), "").astype(str).astype("object")


def make_issues(rows: pd.DataFrame | None = None, **constant: Any) -> pd.DataFrame:
    """Data-issue rows with `ISSUE_COLUMNS` (docs/data_contracts.md, Data issues).

    `rows` may hold any subset of the columns; `constant` fills a column with one value. All
    values are text (missing -> ""), so the issue log is stable byte for byte.
    """
    out = pd.DataFrame(index=range(0 if rows is None else len(rows)))
    for col in ISSUE_COLUMNS:
        if rows is not None and col in rows.columns:
            values = rows[col].reset_index(drop=True)
        elif col in constant:
            values = pd.Series([constant[col]] * len(out), dtype="object")
        else:
            values = pd.Series([""] * len(out), dtype="object")
        out[col] = as_text(values)
    return out


def issues_where(
    frame: pd.DataFrame,
    mask: pd.Series,
    *,
    stage: str,
    domain: str,
    variable: str | pd.Series,
    original: pd.Series | object,
    new: pd.Series | object,
    action: str,
    reason: str | pd.Series,
    seq: str | None = None,
    row: str | None = None,
) -> pd.DataFrame:
    """Data-issue rows with `ISSUE_COLUMNS` for the records of `frame` selected by `mask` (a
    boolean Series aligned with `frame`, row for row).

    `seq` and `row` name the columns holding the record's sequence number and raw row number
    (empty text when None or absent); USUBJID comes from the column of that name. Each of
    `variable`, `original`, `new` and `reason` is one value for every record or a Series
    aligned with `frame`. All values become text as in `make_issues`.
    """
    chosen = mask.to_numpy(dtype=bool)
    if not chosen.any():
        return empty_issues()
    sel = frame.index[chosen]

    def pick(value: pd.Series | object) -> pd.Series:
        if isinstance(value, pd.Series):
            return as_text(value[chosen])
        return pd.Series("" if value is None else str(value), index=sel, dtype="object")

    def column(name: str | None) -> pd.Series:
        return pick(frame[name] if name and name in frame.columns else "")

    out = pd.DataFrame(
        {
            "stage": stage,
            "domain": domain,
            "usubjid": column("USUBJID"),
            "seq": column(seq),
            "row": column(row),
            "variable": pick(variable),
            "original_value": pick(original),
            "new_value": pick(new),
            "action": action,
            "reason": pick(reason),
        },
        index=sel,
    )
    return out[ISSUE_COLUMNS]


def concat_issues(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate issue tables, keeping the contract column order."""
    frames = [p for p in parts if p is not None and len(p)]
    if not frames:
        return make_issues()
    return pd.concat(frames, ignore_index=True)[ISSUE_COLUMNS]


def combine_issues(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate issue tables of all stages in a stable order.

    Rows are ordered by stage (pipeline order), domain, raw row number, USUBJID, SEQ and
    variable; the original order breaks remaining ties.
    """
    frames = [p[ISSUE_COLUMNS] for p in parts if p is not None and len(p)]
    if not frames:
        return empty_issues()
    out = pd.concat(frames, ignore_index=True)
    for col in ISSUE_COLUMNS:
        out[col] = as_text(out[col].astype("object"))
    unknown = sorted(set(out["action"]) - set(ACTIONS))
    if unknown:
        raise ValueError(f"unknown data-issue action(s): {', '.join(unknown)}")
    stage_rank = (
        out["stage"].map({s: i for i, s in enumerate(STAGE_ORDER)}).fillna(len(STAGE_ORDER))
    )
    row_num = pd.to_numeric(out["row"], errors="coerce")
    seq_num = pd.to_numeric(out["seq"], errors="coerce")
    order = pd.DataFrame(
        {
            "stage_rank": stage_rank,
            "stage": out["stage"],
            "domain": out["domain"],
            "row_num": row_num,
            "usubjid": out["usubjid"],
            "seq_num": seq_num,
            "variable": out["variable"],
            "pos": range(len(out)),
        }
    )
    idx = order.sort_values(list(order.columns), na_position="first", kind="mergesort").index
    return out.loc[idx].reset_index(drop=True)
