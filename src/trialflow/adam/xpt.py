"""Prepare an analysis dataset for SAS transport (XPT version 5).

XPT v5 (SAS TS-140) allows variable names of at most 8 characters, character values of at
most 200 bytes and only numeric or character variables. ADaM (ADaMIG 1.3 §2.3) holds
datasets to the same limits, so a longer name is a programming error and is refused rather
than silently truncated. Dates become SAS dates (numeric, DATE9.) via `datetime.date`.
"""

from __future__ import annotations

import pandas as pd

from trialflow.errors import TrialflowError

MAX_NAME = 8
MAX_CHAR_BYTES = 200


def xpt_frame(df: pd.DataFrame, *, name: str) -> pd.DataFrame:
    """Return a copy of `df` ready for `trialflow.io.write_xpt`.

    - names longer than 8 characters -> error naming them;
    - datetime columns -> `datetime.date` objects (SAS dates), missing stays missing;
    - booleans -> "Y"/"N"; other non-numeric columns -> text (missing as "");
    - text longer than 200 bytes (UTF-8) -> error naming the variable and USUBJID.
    """
    long = [c for c in df.columns if len(str(c)) > MAX_NAME]
    if long:
        raise TrialflowError(
            f"{name}: variable name(s) {', '.join(long)} longer than {MAX_NAME} characters "
            "(expected ADaM/XPT v5 names)"
        )
    out = pd.DataFrame(index=df.index)
    for col in df.columns:
        values = df[col]
        if pd.api.types.is_datetime64_any_dtype(values):
            out[col] = values.dt.date.astype("object").where(values.notna(), None)
        elif pd.api.types.is_bool_dtype(values):
            out[col] = values.map({True: "Y", False: "N"})
        elif pd.api.types.is_numeric_dtype(values):
            out[col] = values.astype("float64")
        else:
            text = values.astype("object").where(values.notna(), "").astype(str)
            too_long = text.str.encode("utf-8").str.len() > MAX_CHAR_BYTES
            if too_long.any():
                first = too_long.idxmax()
                who = df.loc[first, "USUBJID"] if "USUBJID" in df.columns else first
                raise TrialflowError(
                    f"{name}: variable {col}, USUBJID {who}: text longer than "
                    f"{MAX_CHAR_BYTES} bytes (expected XPT v5 character values)"
                )
            out[col] = text
    return out.reset_index(drop=True)
