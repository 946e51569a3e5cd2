"""What changed between two data deliveries of a trial (the cutoff-comparison report).

Deliveries are cumulative: a later delivery holds every earlier record plus new ones, and
sometimes a record whose values were corrected or updated (a filled-in end date, a recoded
term). The comparison works on the cleaned SDTM of two consecutive cutoffs
(`results/<trial>/<cutoff>/sdtm/*.parquet`), record by record, on the domain key:

- DM: USUBJID; SUPPDM: USUBJID + QNAM; every other domain: USUBJID + --SEQ.
- A record whose key is only in the later delivery is **added** (legitimately new, not a
  change); a key only in the earlier delivery is **removed**; a key in both whose delivered
  values differ is **changed** (a correction or an update).
- Compared values are the delivered variables common to both deliveries, as text. Left out:
  ``SRCROW`` (the row number in the file), the numeric dates derived during cleaning
  (datetime columns) and their imputation flags (``*DTF``): these depend on the cutoff
  (imputation is capped at it), not on what was delivered.

Duplicate keys (should not survive cleaning) are compared by their order of occurrence.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

_OCC = "_OCCURRENCE"
_MISSING = "\x00<missing>"


def domain_keys(domain: str, columns: pd.Index | list[str]) -> list[str]:
    """The record key of a cleaned SDTM domain (lower- or upper-case name)."""
    d = domain.upper()
    if d == "DM":
        return ["USUBJID"]
    if d.startswith("SUPP"):
        return [c for c in ("USUBJID", "IDVAR", "IDVARVAL", "QNAM") if c in columns]
    seq = f"{d}SEQ"
    return ["USUBJID", seq] if seq in columns else ["USUBJID"]


def compared_columns(previous: pd.DataFrame, current: pd.DataFrame, keys: list[str]) -> list[str]:
    """Delivered variables present in both frames, minus keys, SRCROW, datetimes and *DTF."""
    cols = []
    for c in previous.columns:
        if c in keys or c == "SRCROW" or c not in current.columns or c.endswith("DTF"):
            continue
        if pd.api.types.is_datetime64_any_dtype(
            previous[c]
        ) or pd.api.types.is_datetime64_any_dtype(current[c]):
            continue
        cols.append(c)
    return cols


def _as_text(s: pd.Series) -> pd.Series:
    """Values as comparable text; missing (None, NaN, NaT, "") is one sentinel."""
    out = s.astype(object).where(s.notna(), _MISSING).astype(str)
    return out.mask(out == "", _MISSING)


def _keyed(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = df.copy()
    for k in keys:
        out[k] = _as_text(out[k])
    out[_OCC] = out.groupby(keys, sort=False).cumcount()
    return out


def changed_records(
    previous: pd.DataFrame, current: pd.DataFrame, *, keys: list[str]
) -> pd.DataFrame:
    """One row per (record, variable) whose value differs between two deliveries.

    Columns: the keys, ``variable``, ``previous``, ``current`` (text; missing shown as "").
    Records present in only one delivery are not listed (see `delivery_changes`).
    """
    cols = compared_columns(previous, current, keys)
    out_cols = [*keys, "variable", "previous", "current"]
    if previous.empty or current.empty or not cols:
        return pd.DataFrame(columns=out_cols)
    merged = _keyed(previous, keys).merge(
        _keyed(current, keys), on=[*keys, _OCC], how="inner", suffixes=("_prev", "_cur")
    )
    parts = []
    for c in cols:
        before, after = _as_text(merged[f"{c}_prev"]), _as_text(merged[f"{c}_cur"])
        diff = before != after
        if diff.any():
            part = merged.loc[diff, keys].copy()
            part["variable"] = c
            part["previous"] = before[diff].replace(_MISSING, "")
            part["current"] = after[diff].replace(_MISSING, "")
            parts.append(part)
    if not parts:
        return pd.DataFrame(columns=out_cols)
    out = pd.concat(parts, ignore_index=True)[out_cols]
    return out.sort_values([*keys, "variable"], kind="stable").reset_index(drop=True)


def record_counts(
    previous: pd.DataFrame, current: pd.DataFrame, *, keys: list[str]
) -> dict[str, int]:
    """Records before and after, and how many keys were added, removed or kept."""
    p = (
        _keyed(previous, keys)[[*keys, _OCC]]
        if len(previous)
        else pd.DataFrame(columns=[*keys, _OCC])
    )
    c = (
        _keyed(current, keys)[[*keys, _OCC]]
        if len(current)
        else pd.DataFrame(columns=[*keys, _OCC])
    )
    both = p.merge(c, on=[*keys, _OCC], how="outer", indicator=True)
    side = both["_merge"].value_counts()
    return {
        "previous_records": len(previous),
        "current_records": len(current),
        "added": int(side.get("right_only", 0)),
        "removed": int(side.get("left_only", 0)),
        "in_both": int(side.get("both", 0)),
    }


def subjects_added(previous_dm: pd.DataFrame, current_dm: pd.DataFrame) -> list[str]:
    """USUBJIDs in the later DM but not in the earlier one, sorted."""
    return sorted(set(current_dm["USUBJID"].astype(str)) - set(previous_dm["USUBJID"].astype(str)))


def subjects_removed(previous_dm: pd.DataFrame, current_dm: pd.DataFrame) -> list[str]:
    """USUBJIDs in the earlier DM that are missing from the later one, sorted."""
    return sorted(set(previous_dm["USUBJID"].astype(str)) - set(current_dm["USUBJID"].astype(str)))


CHANGE_KINDS = ("corrected", "filled_in", "cleared")
DETAIL_COLUMNS = ["domain", "variable", "records", *CHANGE_KINDS]


def subject_changes(previous_dm: pd.DataFrame, current_dm: pd.DataFrame) -> pd.DataFrame:
    """Subjects added to or removed from DM between two deliveries: columns ``change``
    ("added" / "removed") and ``USUBJID``, added first, each sorted."""
    rows = [("added", s) for s in subjects_added(previous_dm, current_dm)]
    rows += [("removed", s) for s in subjects_removed(previous_dm, current_dm)]
    return pd.DataFrame(rows, columns=["change", "USUBJID"])


def change_kind(previous: pd.Series, current: pd.Series) -> pd.Series:
    """Kind of each changed value: "filled_in" (was empty), "cleared" (now empty) or
    "corrected" (one delivered value replaced by another)."""
    was_empty, now_empty = previous.eq(""), current.eq("")
    kind = pd.Series("corrected", index=previous.index)
    kind[was_empty & ~now_empty] = "filled_in"
    kind[~was_empty & now_empty] = "cleared"
    return kind.rename("kind")


def delivery_changes(
    previous: Mapping[str, pd.DataFrame], current: Mapping[str, pd.DataFrame]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-domain summary and per-variable detail of the changes between two deliveries.

    `previous` and `current` map a domain name (e.g. "ae") to its cleaned SDTM frame.
    Returns (summary, changes):

    - summary: ``domain, previous_records, current_records, added, removed, changed_records,
      changed_values`` for every domain in either delivery (sorted by domain);
    - changes: ``domain, variable, records, corrected, filled_in, cleared`` — changed records
      per variable, split by kind: a value replaced by another (a correction), a value given
      where there was none (an update, such as an end date or a death recorded later), or a
      value removed.
    """
    rows, detail = [], []
    for domain in sorted(set(previous) | set(current)):
        prev = previous.get(domain, pd.DataFrame())
        cur = current.get(domain, pd.DataFrame())
        ref = cur if len(cur.columns) else prev
        keys = domain_keys(domain, ref.columns)
        if len(prev.columns) == 0:
            prev = pd.DataFrame(columns=cur.columns)
        if len(cur.columns) == 0:
            cur = pd.DataFrame(columns=prev.columns)
        counts = record_counts(prev, cur, keys=keys)
        changed = changed_records(prev, cur, keys=keys)
        n_changed = len(changed.drop_duplicates(keys)) if len(changed) else 0
        rows.append(
            {
                "domain": domain.upper(),
                "previous_records": counts["previous_records"],
                "current_records": counts["current_records"],
                "added": counts["added"],
                "removed": counts["removed"],
                "changed_records": n_changed,
                "changed_values": len(changed),
            }
        )
        if len(changed):
            kind = change_kind(changed["previous"], changed["current"])
            per_var = (
                pd.crosstab(changed["variable"], kind)
                .reindex(columns=list(CHANGE_KINDS), fill_value=0)
                .reset_index()
            )
            per_var.insert(1, "records", per_var[list(CHANGE_KINDS)].sum(axis=1))
            per_var.insert(0, "domain", domain.upper())
            detail.append(per_var[DETAIL_COLUMNS])
    summary = pd.DataFrame(
        rows,
        columns=[
            "domain",
            "previous_records",
            "current_records",
            "added",
            "removed",
            "changed_records",
            "changed_values",
        ],
    )
    changes = (
        pd.concat(detail, ignore_index=True) if detail else pd.DataFrame(columns=DETAIL_COLUMNS)
    )
    return summary, changes
