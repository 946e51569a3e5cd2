"""The response timeline's boundaries shared by ADRS, ADTR and PFS: new anticancer therapy
(`response.new_therapy_boundary`) and the first progression."""

from __future__ import annotations

import pandas as pd

from trialflow.columns import dates, upper


def first_pd_dates(adrs: pd.DataFrame) -> pd.Series:
    """Date of each subject's first PD in the response timeline: ADRS PARAMCD "OVR" with AVALC
    "PD" (already limited to assessments before new anticancer therapy). Index USUBJID."""
    if adrs is None or not len(adrs):
        return pd.Series(dtype="datetime64[ns]")
    o = adrs[(upper(adrs, "PARAMCD") == "OVR") & (upper(adrs, "AVALC") == "PD")]
    d = pd.Series(dates(o, "ADT").to_numpy(), index=o["USUBJID"].astype(str).to_numpy())
    return d.groupby(level=0).min().astype("datetime64[ns]")


def before_new_therapy(adt: pd.Series, nactdt: pd.Series, boundary: str) -> pd.Series:
    """True where an assessment date counts with respect to new anticancer therapy
    (`response.new_therapy_boundary`): "before" ADT < NACTDT, "on_or_before" ADT <= NACTDT;
    always True without NACTDT. The one rule used by ADRS, ADTR and PFS."""
    if boundary == "before":
        ok = adt < nactdt
    elif boundary == "on_or_before":
        ok = adt <= nactdt
    else:
        raise ValueError(f"unknown new_therapy_boundary {boundary!r} (before, on_or_before)")
    return (nactdt.isna() | ok).astype(bool)
