"""Concordance of the derived RECIST 1.1 responses with the evaluator's RS responses."""

from __future__ import annotations

import numpy as np
import pandas as pd

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
    derived_visits: pd.DataFrame, reported_ovr: pd.DataFrame, best: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Derived per-visit OVRLRESP beside the evaluator's RS OVRLRESP, and their agreement.

    Inputs are outputs of the ADRS rule (nothing is re-derived here): `derived_visits` (the
    per-visit RECIST 1.1 responses, USUBJID, ADT, AVISIT, OVRLRESP), `reported_ovr` (the RS
    overall responses of the same evaluator and reader, USUBJID, ADT, AVISIT, AVALC) and
    `best` (USUBJID, PARAMCD BOR/CBOR, DERIVED, REPORTED: the best overall responses computed
    by ADRS from each source). Visits are matched on USUBJID and assessment date (derived ADT
    = RS RSDT). Returns `(visits, summary)`:

    - visits: USUBJID, ADT, AVISIT, DERIVED, REPORTED, AGREE ("Y"/"N", "" unless both exist);
    - summary (tidy): level ("visit", and "BOR" and "CBOR" when `best` has them), stat
      (n_compared, n_agree, pct_agree, n_derived_only, n_reported_only, confusion), derived,
      reported (the two values for confusion rows), value.
    """
    rep = reported_ovr[reported_ovr["ADT"].notna()].drop_duplicates(["USUBJID", "ADT"])
    der = derived_visits.rename(columns={"OVRLRESP": "AVALC"})
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
    for p in ("BOR", "CBOR"):
        b = best[best["PARAMCD"] == p].sort_values("USUBJID", kind="mergesort")
        if len(b):
            parts.append(
                _agreement(
                    p, b["DERIVED"].reset_index(drop=True), b["REPORTED"].reset_index(drop=True)
                )
            )
    summary = pd.concat(parts, ignore_index=True)
    return visits, summary
