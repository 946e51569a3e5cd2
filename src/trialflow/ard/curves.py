"""Kaplan–Meier curves as analysis results: the step functions the figures draw.

The figures stage draws curves and never estimates them; this module computes them (by
`trialflow.stats.survival.km_curve`, R `survfit` rules) and writes them as a tidy table,
`ard/km_curves.csv`, one row per curve and distinct time.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from trialflow.ard.efficacy import subgroup_levels, tte_rows
from trialflow.ard_table import CURVE_KEY_COLUMNS, CURVE_TABLE_COLUMNS, derivation_name
from trialflow.stats.survival import km_curve

#: PARAMCD -> population flag of each Kaplan–Meier curve (the populations of the efficacy ARD).
CURVE_POPULATIONS: dict[str, str] = {"PFS": "ENRLFL", "OS": "ENRLFL", "DOR": "EFFFL"}

#: The time-to-event parameter drawn by subgroup.
SUBGROUP_PARAM = "PFS"


def _curve(rows: pd.DataFrame, key: dict[str, str], conf_level: float, conf_type: str):
    curve = km_curve(
        rows["AVALM"].to_numpy(dtype=float),
        (rows["CNSR"] == 0).to_numpy(dtype=int),
        conf_level=conf_level,
        conf_type=conf_type,
    )
    for col, value in reversed(key.items()):
        curve.insert(0, col, value)
    return curve


def km_curves_ard(
    adtte: pd.DataFrame,
    adsl: pd.DataFrame,
    *,
    conf_level: float,
    conf_type: str,
    subgroups: Sequence[str],
) -> pd.DataFrame:
    """Kaplan–Meier curves (months, AVALM; event = CNSR 0) of PFS, OS (ENRLFL) and DOR
    (EFFFL), and of PFS by each level of every subgroup variable (levels as in the subgroup
    ARD: from ADSL, missing shown as "Missing"). Columns `CURVE_TABLE_COLUMNS`; a curve with
    no subjects has no rows. Times and estimates are kept at full precision."""
    parts = []
    for paramcd, population in CURVE_POPULATIONS.items():
        rows = tte_rows(adtte, paramcd, population)
        key = {"parameter": paramcd, "population": population, "group_var": "", "group_level": ""}
        parts.append(_curve(rows, key, conf_level, conf_type))
    population = CURVE_POPULATIONS[SUBGROUP_PARAM]
    rows = tte_rows(adtte, SUBGROUP_PARAM, population)
    by_id = adsl.assign(USUBJID=adsl["USUBJID"].astype(str)).set_index("USUBJID")
    for var in subgroups:
        text, levels = subgroup_levels(by_id[var])
        level_of = rows["USUBJID"].astype(str).map(text)
        for level in levels:
            key = {
                "parameter": SUBGROUP_PARAM,
                "population": population,
                "group_var": var,
                "group_level": level,
            }
            parts.append(_curve(rows[level_of == level], key, conf_level, conf_type))
    out = pd.concat([p for p in parts if len(p)] or [pd.DataFrame(columns=CURVE_KEY_COLUMNS)])
    out["derivation"] = derivation_name(km_curves_ard)
    return out.reindex(columns=CURVE_TABLE_COLUMNS).reset_index(drop=True)
