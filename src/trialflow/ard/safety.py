"""Treatment-emergent adverse-event tables as ARD rows.

All tables count **subjects**, not events, over treatment-emergent AEs (ADAE TRTEMFL 'Y') of
subjects in the safety population (ADSL SAFFL 'Y'; ADSL, not ADAE, decides the population).
Each row carries `n` (subjects), `N` (safety population) and `pct` = 100 x n / N. Grades are
ADAE AETOXGRN; a subject counted once per term is counted at the worst (highest) grade of that
term, and a subject whose records of the term have no grade is counted under
`n_grade_missing`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from trialflow.ard.baseline import count_stats, pct, population
from trialflow.ard_table import ard_rows, concat_ard
from trialflow.errors import InputError

#: Parameter for the "any term" row of a table or of a system organ class.
ANY_TERM = "ANY TEAE"
#: Term used for a missing AEBODSYS or AEDECOD.
UNCODED = "UNCODED"

_TEAE_FILTER = "TRTEMFL == 'Y' and SAFFL == 'Y'"


def _teae(adae: pd.DataFrame, adsl: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """TEAE records of safety-population subjects, with SOC/PT filled, and N."""
    for col in ("USUBJID", "TRTEMFL", "AETOXGRN"):
        if col not in adae.columns:
            raise InputError("ADAE", "required column missing", variable=col)
    pop = population(adsl, "SAFFL")
    te = adae.loc[(adae["TRTEMFL"] == "Y") & adae["USUBJID"].isin(pop["USUBJID"])].copy()
    for col in ("AEBODSYS", "AEDECOD"):
        text = (
            te[col].where(te[col].notna(), "").astype(str).str.strip()
            if col in te.columns
            else pd.Series("", index=te.index)
        )
        te[col] = text.where(text != "", UNCODED)
    te["AETOXGRN"] = pd.to_numeric(te["AETOXGRN"], errors="coerce")
    return te, len(pop)


def _subjects(te: pd.DataFrame, mask: pd.Series | None = None) -> int:
    rows = te if mask is None else te.loc[mask]
    return int(rows["USUBJID"].nunique())


def _worst_grade_stats(worst: pd.Series, big_n: int) -> dict[str, float | int]:
    """Counting at the worst grade: `worst` holds one worst grade per subject (NaN = unknown)."""
    n = len(worst)
    ge3 = int((worst >= 3).sum())
    stats: dict[str, float | int] = {
        **count_stats(n, big_n),
        "n_ge3": ge3,
        "pct_ge3": pct(ge3, big_n),
    }
    for g in range(1, 6):
        stats[f"n_grade{g}"] = int((worst == g).sum())
    stats["n_grade_missing"] = int(worst.isna().sum())
    return stats


# --------------------------------------------------------------------------------------------
# overview
# --------------------------------------------------------------------------------------------


def teae_overview(adae: pd.DataFrame, adsl: pd.DataFrame) -> pd.DataFrame:
    """Overview of TEAEs (ICH E3 §12.2.2): subjects with at least one TEAE of each category.

    Categories (parameter): ANY TEAE; GRADE >= 3 (AETOXGRN >= 3); GRADE MISSING; SERIOUS
    (AESERFL); RELATED (AERELFL); RELATED GRADE >= 3; SERIOUS RELATED; LEADING TO
    DISCONTINUATION (AEDISCFL); LEADING TO DOSE REDUCTION (AEREDFL); LEADING TO INTERRUPTION
    (AEINTFL); FATAL (AEFATLFL). Stats: n, N, pct and `events` (number of TEAE records).
    """
    te, big_n = _teae(adae, adsl)

    def flag(col: str) -> pd.Series:
        if col not in te.columns:
            raise InputError("ADAE", "required column missing", variable=col)
        return te[col] == "Y"

    grade = te["AETOXGRN"]
    categories: list[tuple[str, pd.Series, str]] = [
        (ANY_TERM, pd.Series(True, index=te.index), ""),
        ("GRADE >= 3", grade >= 3, "AETOXGRN >= 3"),
        ("GRADE MISSING", grade.isna(), "AETOXGRN is missing"),
        ("SERIOUS", flag("AESERFL"), "AESERFL == 'Y'"),
        ("RELATED", flag("AERELFL"), "AERELFL == 'Y'"),
        ("RELATED GRADE >= 3", flag("AERELFL") & (grade >= 3), "AERELFL == 'Y' and AETOXGRN >= 3"),
        ("SERIOUS RELATED", flag("AESERFL") & flag("AERELFL"), "AESERFL == 'Y' and AERELFL == 'Y'"),
        ("LEADING TO DISCONTINUATION", flag("AEDISCFL"), "AEDISCFL == 'Y'"),
        ("LEADING TO DOSE REDUCTION", flag("AEREDFL"), "AEREDFL == 'Y'"),
        ("LEADING TO INTERRUPTION", flag("AEINTFL"), "AEINTFL == 'Y'"),
        ("FATAL", flag("AEFATLFL"), "AEFATLFL == 'Y'"),
    ]
    parts = []
    for name, mask, cond in categories:
        stats = {**count_stats(_subjects(te, mask), big_n), "events": int(mask.sum())}
        parts.append(
            ard_rows(
                stats,
                analysis="teae_overview",
                population="SAFFL",
                parameter=name,
                dataset="ADAE",
                filter=_TEAE_FILTER + (f" and {cond}" if cond else ""),
                derivation=teae_overview,
            )
        )
    return concat_ard(parts)


# --------------------------------------------------------------------------------------------
# by system organ class and preferred term
# --------------------------------------------------------------------------------------------


def _quote(value: str) -> str:
    return "'" + str(value).replace("'", "\\'") + "'"


def teae_by_soc_pt(adae: pd.DataFrame, adsl: pd.DataFrame) -> pd.DataFrame:
    """TEAEs by system organ class (AEBODSYS) and preferred term (AEDECOD).

    Each subject is counted once per term at the worst grade (n, pct; n_ge3, pct_ge3 for a
    worst grade >= 3; n_grade1..n_grade5, n_grade_missing). Rows: the ANY TEAE row, then each
    SOC (parameter ANY TEAE, group_var AEBODSYS, group_level the SOC) followed by its PTs
    (parameter the PT, same group). SOCs are sorted by descending subject count, PTs within
    their SOC by descending subject count, ties alphabetically; stat `sort_order` (1, 2, ...)
    records the order, which the rows also keep. A missing SOC or PT is 'UNCODED'.
    """
    te, big_n = _teae(adae, adsl)
    overall = te.groupby("USUBJID")["AETOXGRN"].max()
    soc_worst = te.groupby(["AEBODSYS", "USUBJID"])["AETOXGRN"].max()
    pt_worst = te.groupby(["AEBODSYS", "AEDECOD", "USUBJID"])["AETOXGRN"].max()

    soc_n = soc_worst.groupby(level="AEBODSYS").size()
    pt_n = pt_worst.groupby(level=["AEBODSYS", "AEDECOD"]).size()
    soc_order = sorted(soc_n.index, key=lambda s: (-int(soc_n[s]), s))

    common = {"analysis": "teae_soc_pt", "population": "SAFFL", "dataset": "ADAE"}
    order = 1
    parts = [
        ard_rows(
            {"sort_order": order, **_worst_grade_stats(overall, big_n)},
            parameter=ANY_TERM,
            filter=_TEAE_FILTER,
            **common,
            derivation=teae_by_soc_pt,
        )
    ]
    for soc in soc_order:
        order += 1
        soc_filter = f"{_TEAE_FILTER} and AEBODSYS == {_quote(soc)}"
        parts.append(
            ard_rows(
                {"sort_order": order, **_worst_grade_stats(soc_worst.loc[soc], big_n)},
                parameter=ANY_TERM,
                group_var="AEBODSYS",
                group_level=soc,
                filter=soc_filter,
                **common,
                derivation=teae_by_soc_pt,
            )
        )
        pts = pt_n.loc[soc]
        for pt in sorted(pts.index, key=lambda p: (-int(pts[p]), p)):
            order += 1
            parts.append(
                ard_rows(
                    {"sort_order": order, **_worst_grade_stats(pt_worst.loc[(soc, pt)], big_n)},
                    parameter=pt,
                    group_var="AEBODSYS",
                    group_level=soc,
                    filter=f"{soc_filter} and AEDECOD == {_quote(pt)}",
                    **common,
                    derivation=teae_by_soc_pt,
                )
            )
    return concat_ard(parts)


def common_teae(adae: pd.DataFrame, adsl: pd.DataFrame, *, threshold: float) -> pd.DataFrame:
    """Most common TEAEs: preferred terms reported by at least `threshold` of the safety
    population (n >= threshold x N, compared with a 1e-9 tolerance so that 3 of 30 is 10%).

    Each subject is counted once per PT (across SOCs) at the worst grade; stats as in
    `teae_by_soc_pt` (sort_order, n, N, pct, n_ge3, pct_ge3, n_grade1..5, n_grade_missing).
    Sorted by descending n, ties alphabetically.
    """
    if not 0 <= threshold <= 1:
        raise InputError(
            "trial file",
            "invalid threshold",
            variable="safety.common_ae_threshold",
            expected="0..1",
        )
    te, big_n = _teae(adae, adsl)
    worst = te.groupby(["AEDECOD", "USUBJID"])["AETOXGRN"].max()
    n = worst.groupby(level="AEDECOD").size()
    keep = [pt for pt in n.index if n[pt] >= threshold * big_n - 1e-9 and big_n > 0]
    parts = []
    for i, pt in enumerate(sorted(keep, key=lambda p: (-int(n[p]), p)), start=1):
        parts.append(
            ard_rows(
                {"sort_order": i, **_worst_grade_stats(worst.loc[pt], big_n)},
                analysis="teae_common",
                population="SAFFL",
                parameter=pt,
                dataset="ADAE",
                filter=f"{_TEAE_FILTER} and AEDECOD == {_quote(pt)} and n/N >= {threshold:g}",
                derivation=common_teae,
            )
        )
    return concat_ard(parts)


# --------------------------------------------------------------------------------------------
# adverse events of special interest
# --------------------------------------------------------------------------------------------


def aesi_table(adae: pd.DataFrame, adsl: pd.DataFrame, *, aesi: Sequence[str]) -> pd.DataFrame:
    """Treatment-emergent AEs of special interest (ADAE AESIFL 'Y') by worst grade, with the
    time to first onset.

    Rows: ANY AESI, then each term: first the `aesi` list (upper-cased, in the given order, shown
    with zero counts when not reported), then any other AESIFL term alphabetically. Stats as in
    `teae_by_soc_pt` plus the time to first onset in days, ASTDY of the subject's earliest
    TEAE of the term (ASTDT - TRTSDT + 1): `onset_n`, `onset_median`, `onset_min`,
    `onset_max` over subjects.
    """
    te, big_n = _teae(adae, adsl)
    if "AESIFL" not in te.columns:
        raise InputError("ADAE", "required column missing", variable="AESIFL")
    if "ASTDY" in te.columns:
        onset = pd.to_numeric(te["ASTDY"], errors="coerce")
    else:
        sl = population(adsl, "SAFFL").set_index("USUBJID")["TRTSDT"]
        onset = (te["ASTDT"] - te["USUBJID"].map(pd.to_datetime(sl))).dt.days + 1
    te = te.assign(_ONSET=onset, _TERM=te["AEDECOD"].str.upper())
    si = te.loc[te["AESIFL"] == "Y"]

    listed = list(dict.fromkeys(str(t).strip().upper() for t in aesi))
    others = sorted(set(si["_TERM"]) - set(listed))
    parts = []
    for i, term in enumerate([None, *listed, *others], start=1):
        rows = si if term is None else si.loc[si["_TERM"] == term]
        worst = rows.groupby("USUBJID")["AETOXGRN"].max()
        first = rows.groupby("USUBJID")["_ONSET"].min().dropna()
        stats = {
            "sort_order": i,
            **_worst_grade_stats(worst, big_n),
            "onset_n": len(first),
            "onset_median": float(np.median(first)) if len(first) else float("nan"),
            "onset_min": float(first.min()) if len(first) else float("nan"),
            "onset_max": float(first.max()) if len(first) else float("nan"),
        }
        cond = "" if term is None else f" and upper(AEDECOD) == {_quote(term)}"
        parts.append(
            ard_rows(
                stats,
                analysis="aesi",
                population="SAFFL",
                parameter="ANY AESI" if term is None else term,
                dataset="ADAE",
                filter=f"{_TEAE_FILTER} and AESIFL == 'Y'{cond}",
                derivation=aesi_table,
            )
        )
    return concat_ard(parts)
