"""Concordance of the derived RECIST 1.1 responses with the evaluator's RS responses."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from trialflow.adam.adrs import derive_adrs
from trialflow.adam.recist import select_ovr_records

SUMMARY_COLUMNS = ["level", "stat", "derived", "reported", "value"]


def _agreement(level: str, a: pd.Series, b: pd.Series) -> pd.DataFrame:
    """Tidy agreement rows for two aligned response columns (missing = not reported)."""
    both = a.notna() & b.notna()
    n = int(both.sum())
    agree = int((a[both] == b[both]).sum())
    rows = [
        (level, "n_compared", "", "", float(n)),
        (level, "n_agree", "", "", float(agree)),
        (level, "pct_agree", "", "", 100.0 * agree / n if n else np.nan),
        (level, "n_derived_only", "", "", float((a.notna() & b.isna()).sum())),
        (level, "n_reported_only", "", "", float((a.isna() & b.notna()).sum())),
    ]
    conf = (
        pd.DataFrame({"derived": a[both], "reported": b[both]})
        .groupby(["derived", "reported"])
        .size()
        .reset_index(name="value")
        .sort_values(["derived", "reported"], kind="mergesort")
    )
    out = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    conf.insert(0, "stat", "confusion")
    conf.insert(0, "level", level)
    conf["value"] = conf["value"].astype(float)
    return pd.concat([out, conf[SUMMARY_COLUMNS]], ignore_index=True)


def concordance(
    derived_visits: pd.DataFrame,
    rs: pd.DataFrame,
    *,
    evaluator: str = "INVESTIGATOR",
    adsl: pd.DataFrame | None = None,
    adrs_options: dict[str, Any] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Derived per-visit OVRLRESP beside the evaluator's RS OVRLRESP, and their agreement.

    Visits are matched on USUBJID and assessment date (derived ADT = RS RSDT); the reported
    records are chosen by `select_ovr_records` (source "investigator" for `evaluator`
    INVESTIGATOR, "independent" for INDEPENDENT). Returns `(visits, summary)`:

    - visits: USUBJID, ADT, AVISIT, DERIVED, REPORTED, AGREE ("Y"/"N", "" unless both exist);
    - summary (tidy): level ("visit", and with `adsl` also "BOR" and "CBOR", computed by
      `derive_adrs` with `adrs_options` on each source), stat (n_compared, n_agree,
      pct_agree, n_derived_only, n_reported_only, confusion), derived, reported (the two
      values for confusion rows), value.
    """
    source = "investigator" if evaluator.strip().upper() == "INVESTIGATOR" else "independent"
    rep = select_ovr_records(rs, None, source=source)
    rep = rep[rep["ADT"].notna()].drop_duplicates(["USUBJID", "ADT"])
    der = select_ovr_records(None, derived_visits, source="derived")
    der = der[der["ADT"].notna()].drop_duplicates(["USUBJID", "ADT"])
    m = der[["USUBJID", "ADT", "AVISIT", "AVALC"]].merge(
        rep[["USUBJID", "ADT", "AVISIT", "AVALC"]],
        on=["USUBJID", "ADT"],
        how="outer",
        suffixes=("_D", "_R"),
    )
    visits = pd.DataFrame(
        {
            "USUBJID": m["USUBJID"],
            "ADT": m["ADT"],
            "AVISIT": m["AVISIT_D"].fillna(m["AVISIT_R"]).fillna(""),
            "DERIVED": m["AVALC_D"],
            "REPORTED": m["AVALC_R"],
        }
    )
    both = visits["DERIVED"].notna() & visits["REPORTED"].notna()
    visits["AGREE"] = np.where(
        both, np.where(visits["DERIVED"] == visits["REPORTED"], "Y", "N"), ""
    )
    visits = visits.sort_values(["USUBJID", "ADT"], kind="mergesort").reset_index(drop=True)
    parts = [_agreement("visit", visits["DERIVED"], visits["REPORTED"])]
    if adsl is not None:
        opts = dict(adrs_options or {})
        a_der, _ = derive_adrs(der, adsl, **opts)
        a_rep, _ = derive_adrs(rep, adsl, **opts)
        for p in ("BOR", "CBOR"):
            x = a_der[a_der["PARAMCD"] == p].set_index("USUBJID")["AVALC"]
            y = a_rep[a_rep["PARAMCD"] == p].set_index("USUBJID")["AVALC"].reindex(x.index)
            parts.append(_agreement(p, x, y))
    summary = pd.concat(parts, ignore_index=True)
    return visits, summary
