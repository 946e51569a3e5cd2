"""Prepare an analysis dataset for SAS transport (XPT version 5) with its full metadata.

XPT v5 (SAS TS-140) allows variable names of at most 8 characters, labels of at most 40,
character values of at most 200 bytes and only numeric or character variables. ADaM (ADaMIG
1.3 §2.3) holds datasets to the same limits, so a breach is refused rather than silently
truncated: the error names the dataset, the variable and the subject. Lengths are counted in
bytes of UTF-8, not in characters ("é" is 2 bytes).

`xpt_dataset(df, spec)` returns the frame to write, with the dataset label, each variable's
label and display format from the ADaM spec (`trialflow.adam.specs`). Dates become SAS dates
(numeric days since 1960-01-01, DATE9.). Character variables are stored as wide as their longest
value (at least 1 byte) and never wider than the spec's length.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from trialflow.adam.specs import (
    MAX_CHAR_BYTES,
    MAX_LABEL,
    MAX_NAME,
    DatasetSpec,
    extra_columns,
    spec_mismatch_message,
)
from trialflow.errors import TrialflowError

SAS_EPOCH = pd.Timestamp("1960-01-01")
"""Day 0 of SAS dates."""


@dataclass(frozen=True)
class XptDataset:
    """A frame ready for `trialflow.io.write_xpt` and its metadata from the spec."""

    frame: pd.DataFrame
    name: str
    label: str
    column_labels: list[str]
    formats: dict[str, str]
    dropped: list[str]
    """Columns outside the spec that were left out (`extra_predecessors` datasets only)."""


def _who(df: pd.DataFrame, index: object) -> str:
    if "USUBJID" in df.columns:
        return f"USUBJID {df.loc[index, 'USUBJID']}"
    return f"row {int(df.index.get_loc(index)) + 1}"


def _check_names(df: pd.DataFrame, name: str) -> None:
    long = [str(c) for c in df.columns if len(str(c)) > MAX_NAME]
    if long:
        raise TrialflowError(
            f"{name}: variable name(s) {', '.join(long)} longer than {MAX_NAME} characters "
            "(expected ADaM/XPT v5 names)"
        )


def _text(df: pd.DataFrame, col: str, *, name: str, limit: int) -> pd.Series:
    # each distinct value is converted and measured once (ADaM text repeats few values)
    codes, uniques = pd.factorize(df[col], use_na_sentinel=True)
    distinct = np.append(np.asarray(pd.Index(uniques, dtype=object).astype(str), dtype=object), "")
    size = np.fromiter(
        (len(v.encode("utf-8")) for v in distinct), dtype=np.int64, count=len(distinct)
    )
    sizes = size[codes]
    if len(codes) and (sizes > limit).any():
        pos = int(np.argmax(sizes > limit))
        raise TrialflowError(
            f"{name}: variable {col}, {_who(df, df.index[pos])}: value of {int(sizes[pos])} "
            f"bytes is longer than {limit} bytes (expected XPT v5 / spec length)"
        )
    return pd.Series(distinct[codes], index=df.index, dtype="object")


def _number(df: pd.DataFrame, col: str, *, name: str, is_date: bool) -> pd.Series:
    values = df[col]
    if is_date:
        if not pd.api.types.is_datetime64_any_dtype(values):
            parsed = pd.to_datetime(values, errors="coerce")
            bad = parsed.isna() & values.notna() & values.astype(str).str.strip().ne("")
            if bad.any():
                first = bad.idxmax()
                raise TrialflowError(
                    f"{name}: variable {col}, {_who(df, first)}: {values[first]!r} is not a "
                    "date (expected a date variable)"
                )
            values = parsed
        # SAS dates: numeric days since 1960-01-01 (DATE9.); a column with no date at all
        # stays numeric, so readers still see a date variable
        days = (values.astype("datetime64[ns]") - SAS_EPOCH).dt.days
        return days.astype("float64")
    if pd.api.types.is_bool_dtype(values):
        raise TrialflowError(f"{name}: variable {col} is boolean (expected a number or Y/N text)")
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna() & values.notna() & values.astype(str).str.strip().ne("")
    if bad.any():
        first = bad.idxmax()
        raise TrialflowError(
            f"{name}: variable {col}, {_who(df, first)}: {values[first]!r} is not a number "
            "(expected a numeric variable)"
        )
    return numbers.astype("float64")


def xpt_dataset(df: pd.DataFrame, spec: DatasetSpec) -> XptDataset:
    """`df` as an XPT v5 dataset with the metadata of `spec`.

    - a variable missing from either side is an error naming it and the spec file (for a
      dataset with `extra_predecessors`, columns outside the spec are left out and listed in
      `dropped`);
    - names longer than 8 characters, labels longer than 40 -> error;
    - text values longer than the spec's length (at most 200 bytes) -> error naming the
      dataset, variable and USUBJID;
    - text columns: missing -> ""; numeric and date columns: numbers / SAS dates.
    Columns keep the order of `df`.
    """
    name = spec.name
    message = spec_mismatch_message(df.columns, spec)
    if message:
        raise TrialflowError(message)
    dropped = extra_columns(df.columns, spec) if spec.extra_predecessors else []
    df = df.drop(columns=dropped)
    _check_names(df, name)
    out = pd.DataFrame(index=df.index)
    labels: list[str] = []
    formats: dict[str, str] = {}
    for col in df.columns:
        var = spec.variable(str(col))
        if len(var.label) > MAX_LABEL:
            raise TrialflowError(f"{name}: variable {col}: label longer than {MAX_LABEL}")
        if var.is_char:
            out[col] = _text(df, col, name=name, limit=min(var.length, MAX_CHAR_BYTES))
        else:
            out[col] = _number(df, col, name=name, is_date=var.type == "date")
        labels.append(var.label)
        if var.format:
            formats[str(col)] = var.format
    return XptDataset(
        frame=out.reset_index(drop=True),
        name=name,
        label=spec.label,
        column_labels=labels,
        formats=formats,
        dropped=dropped,
    )


def xpt_metadata(x: XptDataset) -> dict:
    """The metadata `trialflow.io.read_xpt_dataset` reads back from the file `x` is written to:
    dataset name and label, each variable's label, display format (without its final period),
    storage width (character: its longest value in bytes, at least 1; numeric: 8) and type.
    The conformance checks run on it before the file is written; the submission job checks
    that the written file reads back the same."""
    frame = x.frame
    labels = dict(zip(frame.columns, x.column_labels, strict=True))
    widths, types = {}, {}
    for col in frame.columns:
        if pd.api.types.is_object_dtype(frame[col]):
            size = frame[col].map(lambda v: len(str(v).encode("utf-8"))) if len(frame) else []
            widths[col] = max(1, int(max(size, default=0)))
            types[col] = "string"
        else:
            widths[col] = 8
            types[col] = "double"
    return {
        "name": x.name,
        "label": x.label,
        "labels": labels,
        "formats": {k: v.rstrip(".") for k, v in x.formats.items()},
        "widths": widths,
        "types": types,
    }
