"""Whose tumour assessments are analysed: the evaluator, and one reader per subject.

The response source (`ResponseRules.source`) names the evaluator: the investigator for
"derived" and "investigator", the independent review for "independent" (`ResponseRules.evaluator`
gives the `--EVAL` value). Records of that evaluator are those whose `--EVAL` equals it; for the
investigator, records with `--EVAL` empty or absent count too (SDTMIG: --EVAL is Expected, and
an investigator-only delivery often leaves it out).

**One reader per subject** (`choose_readers`). When the evaluator's records of a subject come
from several readers (`--EVALID`, e.g. RADIOLOGIST 1 and RADIOLOGIST 2 of an independent
review), one reader is chosen per subject, the same one for TU, TR and RS, so that ADSL EFFFL,
ADTR and ADRS describe one reading:

1. the reader with the most accepted overall-response records (RS `RSACPTFL` "Y" with
   RSTESTCD OVRLRESP; the adjudicated reading, as pharmaversesdtm and admiralonco use
   RSACPTFL);
2. then the reader with the most accepted TR and TU records (`TRACPTFL`, `TUACPTFL` "Y");
3. then the first reader in sort order of `--EVALID`.

Records of other readers of that subject are not analysed. A record with `--EVALID` empty
belongs to no reader: it is kept for subjects with no reader at all, and in a domain where
none of the subject's records names a reader (e.g. TU without TUEVALID beside TR with it).
"""

from __future__ import annotations

import pandas as pd

from trialflow.columns import upper
from trialflow.config.options import ResponseRules

READER_COLUMNS = ["USUBJID", "READER"]


def evaluator_records(df: pd.DataFrame | None, prefix: str, rules: ResponseRules) -> pd.DataFrame:
    """Records of `df` (domain prefix "TU", "TR" or "RS") from the response source's evaluator."""
    if df is None:
        return pd.DataFrame()
    col = prefix + "EVAL"
    if col not in df.columns:
        return df
    ev = rules.evaluator.strip().upper()
    val = upper(df, col)
    keep = val == ev
    if ev == rules.investigator_eval.strip().upper():
        keep |= val == ""
    return df[keep]


def _scores(df: pd.DataFrame | None, prefix: str, rules: ResponseRules) -> pd.DataFrame:
    """Accepted records per subject and reader of one domain: columns USUBJID, READER, RS
    (accepted RS overall responses) and TRTU (accepted TR/TU records)."""
    cols = ["USUBJID", "READER", "RS", "TRTU"]
    d = evaluator_records(df, prefix, rules)
    idcol = prefix + "EVALID"
    if not len(d) or idcol not in d.columns:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    acc = upper(d, prefix + "ACPTFL") == "Y"
    if prefix == "RS":
        acc &= upper(d, "RSTESTCD") == "OVRLRESP"
    n = acc.astype(int).to_numpy()
    out = pd.DataFrame(
        {
            "USUBJID": d["USUBJID"].astype(str).to_numpy(),
            "READER": upper(d, idcol).to_numpy(),
            "RS": n if prefix == "RS" else 0 * n,
            "TRTU": 0 * n if prefix == "RS" else n,
        }
    )
    return out[out["READER"] != ""]


def choose_readers(
    tu: pd.DataFrame | None,
    tr: pd.DataFrame | None,
    rs: pd.DataFrame | None,
    rules: ResponseRules,
) -> pd.DataFrame:
    """One reader per subject (rule in the module docstring): columns USUBJID, READER.

    Subjects whose evaluator records carry no `--EVALID` are not listed (nothing to choose).
    """
    parts = [
        _scores(rs, "RS", rules),
        _scores(tr, "TR", rules),
        _scores(tu, "TU", rules),
    ]
    s = pd.concat(parts, ignore_index=True)
    if not len(s):
        return pd.DataFrame({c: pd.Series(dtype="object") for c in READER_COLUMNS})
    s = s.groupby(["USUBJID", "READER"], as_index=False)[["RS", "TRTU"]].sum()
    s = s.sort_values(
        ["USUBJID", "RS", "TRTU", "READER"],
        ascending=[True, False, False, True],
        kind="mergesort",
    )
    return s.drop_duplicates("USUBJID")[READER_COLUMNS].reset_index(drop=True)


def reader_records(
    df: pd.DataFrame | None, prefix: str, rules: ResponseRules, readers: pd.DataFrame
) -> pd.DataFrame:
    """Records of the evaluator and, per subject, of its chosen reader (`choose_readers`)."""
    d = evaluator_records(df, prefix, rules)
    idcol = prefix + "EVALID"
    if not len(d) or idcol not in d.columns or not len(readers):
        return d
    subj = d["USUBJID"].astype(str)
    chosen = subj.map(readers.set_index("USUBJID")["READER"])
    rid = upper(d, idcol)
    # a subject whose records in this domain carry no reader id keeps them all
    unnamed = ~(rid != "").groupby(subj).transform("any")
    keep = chosen.isna() | unnamed | (rid == chosen.fillna(""))
    return d[keep.to_numpy()]
