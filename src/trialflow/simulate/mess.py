"""Realistic mess, later corrections, and the cumulative delivery snapshot.

`add_corrections` marks a few records whose values are wrong in every delivery but the last
(hidden `_err_<VAR>` columns hold the earlier, wrong value). `add_mess` changes the truth
tables the way site data entry does (partial dates, case and white-space variants, results in
cm, exact duplicates, records of a subject not in DM). `snapshot` cuts the tables at a
delivery date: a record is present once its `_avail` day has passed; end dates, deaths and
discontinuations not yet known are blank.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trialflow.simulate.engine import iso

COLUMNS: dict[str, list[str]] = {
    "dm": [
        "STUDYID",
        "DOMAIN",
        "USUBJID",
        "SUBJID",
        "RFSTDTC",
        "RFENDTC",
        "RFXSTDTC",
        "RFXENDTC",
        "RFICDTC",
        "DTHDTC",
        "DTHFL",
        "SITEID",
        "BRTHDTC",
        "AGE",
        "AGEU",
        "SEX",
        "RACE",
        "ETHNIC",
        "ARMCD",
        "ARM",
        "ACTARMCD",
        "ACTARM",
        "COUNTRY",
    ],
    "suppdm": [
        "STUDYID",
        "RDOMAIN",
        "USUBJID",
        "IDVAR",
        "IDVARVAL",
        "QNAM",
        "QLABEL",
        "QVAL",
        "QORIG",
        "QEVAL",
    ],
    "ex": [
        "STUDYID",
        "DOMAIN",
        "USUBJID",
        "EXSEQ",
        "EXTRT",
        "EXDOSE",
        "EXDOSU",
        "EXDOSFRM",
        "EXDOSFRQ",
        "EXROUTE",
        "EXADJ",
        "VISIT",
        "EXSTDTC",
        "EXENDTC",
    ],
    "ae": [
        "STUDYID",
        "DOMAIN",
        "USUBJID",
        "AESEQ",
        "AETERM",
        "AEDECOD",
        "AEBODSYS",
        "AESOC",
        "AESEV",
        "AESER",
        "AEACN",
        "AEREL",
        "AEOUT",
        "AESDTH",
        "AETOXGR",
        "AESTDTC",
        "AEENDTC",
    ],
    "ds": [
        "STUDYID",
        "DOMAIN",
        "USUBJID",
        "DSSEQ",
        "DSTERM",
        "DSDECOD",
        "DSCAT",
        "DSSCAT",
        "DSSTDTC",
    ],
    "tu": [
        "STUDYID",
        "DOMAIN",
        "USUBJID",
        "TUSEQ",
        "TULNKID",
        "TUTESTCD",
        "TUTEST",
        "TUORRES",
        "TUSTRESC",
        "TULOC",
        "TUMETHOD",
        "TUEVAL",
        "VISITNUM",
        "VISIT",
        "TUDTC",
    ],
    "tr": [
        "STUDYID",
        "DOMAIN",
        "USUBJID",
        "TRSEQ",
        "TRGRPID",
        "TRLNKID",
        "TRTESTCD",
        "TRTEST",
        "TRORRES",
        "TRORRESU",
        "TRSTRESC",
        "TRSTRESN",
        "TRSTRESU",
        "TRSTAT",
        "TRREASND",
        "TRMETHOD",
        "TREVAL",
        "VISITNUM",
        "VISIT",
        "TRDTC",
    ],
    "rs": [
        "STUDYID",
        "DOMAIN",
        "USUBJID",
        "RSSEQ",
        "RSTESTCD",
        "RSTEST",
        "RSCAT",
        "RSORRES",
        "RSSTRESC",
        "RSEVAL",
        "VISITNUM",
        "VISIT",
        "RSDTC",
    ],
    "cm": [
        "STUDYID",
        "DOMAIN",
        "USUBJID",
        "CMSEQ",
        "CMTRT",
        "CMDECOD",
        "CMCAT",
        "CMSTDTC",
        "CMENDTC",
    ],
}
DOMAINS: tuple[str, ...] = tuple(COLUMNS)


def _pick(rng: np.random.Generator, mask: np.ndarray, k: int) -> np.ndarray:
    """Up to k row positions where mask is true, in row order."""
    pos = np.flatnonzero(mask)
    return np.sort(rng.permutation(pos)[: min(k, pos.size)])


def _set(df: pd.DataFrame, rows: np.ndarray, col: str, values) -> None:
    df.iloc[rows, df.columns.get_loc(col)] = values


def _err(df: pd.DataFrame, rows: np.ndarray, col: str, values) -> None:
    name = f"_err_{col}"
    if name not in df:
        df[name] = pd.Series([None] * len(df), index=df.index, dtype=object)
    df.iloc[rows, df.columns.get_loc(name)] = values
    df.iloc[rows, df.columns.get_loc("_fixed")] = True


def add_corrections(tables: dict, rng: np.random.Generator, first_delivery: int) -> None:
    """Wrong in earlier deliveries, corrected in the last: 3 target diameters (typed 10 mm too
    large), 2 AE grades (one grade too high), 3 AE start dates (only year and month known)."""
    for df in tables.values():
        if isinstance(df, pd.DataFrame):
            df["_fixed"] = False
    tr = tables["tr"]
    ok = (
        (tr["_avail"] <= first_delivery)
        & (tr["TRGRPID"] == "TARGET")
        & (tr["TRSTRESN"] >= 5)
        & (tr["VISITNUM"] > 1)
        & ~tr["_after_death"]
    ).to_numpy()
    rows = _pick(rng, ok, 3)
    wrong = tr["TRSTRESN"].to_numpy()[rows] + 10
    _err(tr, rows, "TRSTRESN", wrong)
    _err(tr, rows, "TRORRES", np.char.mod("%d", wrong.astype(int)).astype(object))
    _err(tr, rows, "TRSTRESC", np.char.mod("%d", wrong.astype(int)).astype(object))

    ae = tables["ae"]
    in_first = (ae["_avail"] <= first_delivery).to_numpy()
    g = ae["AETOXGR"].astype(int).to_numpy()
    rows = _pick(rng, in_first & (g <= 3), 2)
    _err(ae, rows, "AETOXGR", (g[rows] + 1).astype(str).astype(object))
    _err(ae, rows, "AESEV", np.where(g[rows] + 1 >= 3, "SEVERE", "MODERATE").astype(object))
    rows = _pick(rng, in_first & ~ae["_fixed"].to_numpy(), 3)
    _err(ae, rows, "AESTDTC", ae["AESTDTC"].str[:7].to_numpy()[rows])


def _variant(values: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Case and white-space variants of coded values: ' pr', 'Pd ', 'sd', 'Non-cr/non-pd'."""
    v = values.astype(str)
    low = np.char.lower(v)
    title = np.char.capitalize(v)
    out = np.where(u < 0.3, low, np.where(u < 0.55, np.char.add(" ", low), title))
    out = np.where((u >= 0.8), np.char.add(title, " "), out)
    return out.astype(object)


def add_mess(
    tables: dict, rng: np.random.Generator, studyid: str, first_delivery: int
) -> dict[str, int]:
    """Site data-entry mess; returns how many records of each kind were touched."""
    n: dict[str, int] = {}
    ae, dm, cm, rs, tr, tu = (tables[k] for k in ("ae", "dm", "cm", "rs", "tr", "tu"))
    free = ~ae["_fixed"].to_numpy()
    # partial dates
    rows = _pick(
        rng, free & (rng.random(len(ae)) < 0.015) & (ae["AESDTH"] != "Y").to_numpy(), 10**9
    )
    _set(ae, rows, "AESTDTC", ae["AESTDTC"].str[:7].to_numpy()[rows])
    n["partial AESTDTC"] = rows.size
    rows = _pick(
        rng, free & (ae["AEENDTC"] != "").to_numpy() & (rng.random(len(ae)) < 0.015), 10**9
    )
    _set(ae, rows, "AEENDTC", ae["AEENDTC"].str[:7].to_numpy()[rows])
    n["partial AEENDTC"] = rows.size
    rows = _pick(rng, (dm["DTHDTC"] != "").to_numpy(), 3)
    _set(dm, rows, "DTHDTC", dm["DTHDTC"].str[:7].to_numpy()[rows])
    n["partial DTHDTC"] = rows.size
    sub = (cm["CMCAT"] == "SUBSEQUENT ANTICANCER THERAPY").to_numpy()
    rows = _pick(rng, sub & (rng.random(len(cm)) < 0.10), 10**9)
    _set(cm, rows, "CMSTDTC", cm["CMSTDTC"].str[:7].to_numpy()[rows])
    n["partial CMSTDTC (subsequent)"] = rows.size
    rows = _pick(rng, sub & (cm["CMSTDTC"].str.len() == 10).to_numpy(), 1)
    _set(cm, rows, "CMSTDTC", cm["CMSTDTC"].str[:4].to_numpy()[rows])
    n["year-only CMSTDTC"] = rows.size

    # case and white-space variants of coded values
    rows = _pick(rng, rng.random(len(rs)) < 0.02, 10**9)
    var = _variant(rs["RSSTRESC"].to_numpy()[rows], rng.random(rows.size))
    _set(rs, rows, "RSSTRESC", var)
    _set(rs, rows, "RSORRES", var)
    n["RS result case/space variant"] = rows.size
    for col, share in (("AESER", 0.01), ("AEREL", 0.01)):
        rows = _pick(rng, rng.random(len(ae)) < share, 10**9)
        _set(ae, rows, col, _variant(ae[col].to_numpy()[rows], rng.random(rows.size)))
        n[f"{col} case/space variant"] = rows.size
    rows = _pick(rng, rng.random(len(tu)) < 0.01, 10**9)
    _set(tu, rows, "TUSTRESC", _variant(tu["TUSTRESC"].to_numpy()[rows], rng.random(rows.size)))
    n["TUSTRESC case/space variant"] = rows.size

    # some sites reported target diameters in cm at a visit (all lesions of that visit)
    tfix = tr["_fixed"].to_numpy()
    meas = ((tr["TRGRPID"] == "TARGET") & tr["TRSTRESN"].notna()).to_numpy() & ~tfix
    visit_key = tr["USUBJID"].astype(str) + "|" + tr["VISITNUM"].astype(str)
    keys = np.unique(visit_key.to_numpy()[meas])
    chosen = keys[rng.random(keys.size) < 0.02]
    rows = np.flatnonzero(meas & visit_key.isin(chosen).to_numpy())
    cmv = tr["TRSTRESN"].to_numpy()[rows] / 10.0
    txt = np.char.mod("%.1f", cmv).astype(object)
    _set(tr, rows, "TRSTRESN", cmv)
    for col in ("TRORRES", "TRSTRESC"):
        _set(tr, rows, col, txt)
    for col in ("TRORRESU", "TRSTRESU"):
        _set(tr, rows, col, "cm")
    n["TR results in cm"] = rows.size
    in_cm = np.zeros(len(tr), dtype=bool)
    in_cm[rows] = True
    rows = _pick(rng, meas & ~in_cm & (rng.random(len(tr)) < 0.005), 10**9)
    _set(tr, rows, "TRSTRESU", np.where(rng.random(rows.size) < 0.5, "MM", "mm ").astype(object))
    n["TRSTRESU case/space variant"] = rows.size
    n["TOO SMALL TO MEASURE"] = int((tr["TRORRES"] == "TOO SMALL TO MEASURE").sum())
    n["TR lesion NOT DONE"] = int((tr["TRSTAT"] == "NOT DONE").sum())
    n["assessment after death (TR+RS records)"] = int(
        tr["_after_death"].sum() + rs["_after_death"].sum()
    )

    # records of a subject who is not in DM (typed subject number)
    ghost = f"{studyid}-999-0001"
    for name, k in (("ae", 2), ("tr", 3)):
        df = tables[name]
        early = np.flatnonzero((df["_avail"] <= df["_avail"].min() + 300).to_numpy())[:k]
        add = df.iloc[early].copy()
        add["USUBJID"] = ghost
        add["_subj"] = -1
        add["_fixed"] = True
        tables[name] = pd.concat([df, add], ignore_index=True)
        n[f"{name.upper()} records of unknown subject"] = add.shape[0]

    # exact duplicate rows (double data entry), next to the original
    for name, share in (("ae", 0.01), ("ex", 0.005), ("tr", 0.003), ("rs", 0.003), ("cm", 0.01)):
        df = tables[name]
        early = _pick(rng, (df["_avail"] <= first_delivery).to_numpy(), 1)  # one in every delivery
        rows = np.union1d(_pick(rng, rng.random(len(df)) < share, 10**9), early)
        rows = rows[(df["USUBJID"].to_numpy()[rows] != ghost)]
        dup = df.iloc[rows]
        tables[name] = (
            pd.concat([df, dup], ignore_index=True)
            .sort_values(["USUBJID", f"{name.upper()}SEQ"], kind="mergesort")
            .reset_index(drop=True)
        )
        n[f"{name.upper()} exact duplicates"] = rows.size
    return n


def snapshot(tables: dict, delivery: int, *, last: bool) -> dict[str, pd.DataFrame]:
    """The cumulative delivery of `delivery` (a day number): records entered by then, with
    values not yet known left blank; earlier deliveries carry the values corrected later."""
    out: dict[str, pd.DataFrame] = {}
    for name in DOMAINS:
        df = tables[name]
        df = df[(df["_avail"] <= delivery).to_numpy()].copy()
        if name == "dm":
            for col, avail in (
                ("DTHDTC", "_dth_avail"),
                ("DTHFL", "_dth_avail"),
                ("RFXENDTC", "_rfxend_avail"),
                ("RFENDTC", "_rfend_avail"),
            ):
                df.loc[(df[avail] > delivery).to_numpy(), col] = ""
        if name == "ex":
            df.loc[(df["_end_avail"] > delivery).to_numpy(), "EXENDTC"] = ""
        if name == "ae":
            df.loc[(df["_end_avail"] > delivery).to_numpy(), "AEENDTC"] = ""
            open_ = (df["AEENDTC"] == "") & (df["AEOUT"] != "FATAL")
            df.loc[open_.to_numpy(), "AEOUT"] = "NOT RECOVERED/NOT RESOLVED"
        if not last:
            for col in [c for c in df.columns if c.startswith("_err_")]:
                wrong = df[col].notna().to_numpy()
                var = col[len("_err_") :]
                new = df.loc[wrong, col]
                df.loc[wrong, var] = new.astype(float) if var == "TRSTRESN" else new
        out[name] = df[COLUMNS[name]].reset_index(drop=True)
    return out


__all__ = ["COLUMNS", "DOMAINS", "add_corrections", "add_mess", "iso", "snapshot"]
