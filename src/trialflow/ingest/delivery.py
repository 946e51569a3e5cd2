"""The ingest stage: raw SDTM domains -> cleaned domains, data issues and a row count summary.

`ingest_delivery` runs, for every domain, the small rule functions below in this order:

1. `check_required_domains`, `check_required_variables` (SDTMIG Required variables),
   `check_studyid` (errors); `absent_expected_variables` (a data issue per Expected
   variable the file lacks)
2. `standardize_ct` (controlled terminology), `strip_text`, `check_text_length` (at most
   200 bytes), `convert_numeric` (types)
3. `standardize_units` (TR results in cm -> mm; a negative or above-`max` measurement: error)
4. `find_duplicates` (exact duplicates excluded; conflicting keys flagged, DM: error)
5. `impute_dates` (`--DT`, `--DTF` beside each `--DTC`)
6. `apply_cutoff` (records after the cutoff excluded; later events capped or cleared)
7. `exclude_unknown_subjects` (records of subjects not in the cleaned DM)
8. `exclude_after_death` (tumour assessments after the subject's death); before that,
   `check_death_dates` (death before birth or consent: error) and `flag_before_consent`
   (tumour assessments before informed consent: query)

Each excluded row gets exactly one `excluded` data issue (the first rule that excludes it, in
the priority duplicate, unknown subject, CT, cutoff, death); the changes and imputations of
kept rows are logged as `changed` / `imputed` / `flagged` / `query` issues. The rules are in
docs/data_contracts.md and the per-domain specs in workflow/schemas/sdtm/ (format in its
README.md). No function here reads or writes files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import numpy as np
import pandas as pd

from trialflow.columns import upper
from trialflow.dates import (
    INVALID,
    NO_DAY,
    NO_MONTH,
    NO_YEAR,
    dt_name,
    dtf_name,
    format_date,
    impute_dtc,
)
from trialflow.errors import InputError
from trialflow.io import SRCROW, number_text
from trialflow.issues import ISSUE_COLUMNS, issues_where
from trialflow.vocab import DOMAINS

DOMAIN_ORDER = DOMAINS
STAGE = "ingest"
SUMMARY_COLUMNS = ["domain", "raw_rows", "kept_rows", "excluded_rows"]


@dataclass
class IngestResult:
    """The outputs of `ingest_delivery`.

    domains: cleaned domain tables keyed by lower-case domain name, in `DOMAIN_ORDER`;
    issues: the data issues (`trialflow.issues.ISSUE_COLUMNS`, all text), sorted;
    summary: `domain, raw_rows, kept_rows, excluded_rows`, one row per domain.
    """

    domains: dict[str, pd.DataFrame]
    issues: pd.DataFrame
    summary: pd.DataFrame


# --------------------------------------------------------------------------- spec helpers


def raw_by_domain(paths: list[str], raw_dir: str) -> dict[str, str]:
    """Map each raw file of a delivery to its domain, by lower-case file stem (dm.csv -> dm).

    Two files for one domain (e.g. dm.csv and dm.xpt) -> `InputError` naming the delivery.
    """
    found: dict[str, str] = {}
    for path in sorted(str(p) for p in paths):
        name = PurePath(path).stem.lower()
        if name in found:
            raise InputError(
                raw_dir,
                f"domain {name.upper()} delivered twice ({PurePath(found[name]).name} and "
                f"{PurePath(path).name})",
                expected="one file per domain",
            )
        found[name] = path
    return found


def spec_variables(spec: Mapping) -> dict[str, dict]:
    """The spec's variable entries, each with its real variable name under `variable`."""
    out = {}
    for key, entry in (spec.get("variables") or {}).items():
        entry = dict(entry or {})
        entry.setdefault("variable", key)
        entry.setdefault("type", "char")
        out[key] = entry
    return out


def _var_types(spec: Mapping) -> dict[str, str]:
    return {e["variable"]: e["type"] for e in spec_variables(spec).values()}


def _date_rule(variable: str, spec: Mapping) -> tuple[str, str]:
    """(imputation side, on_invalid) for a --DTC variable: spec, else end for --ENDTC."""
    for e in spec_variables(spec).values():
        if e["variable"] == variable and "date" in e:
            return e["date"], e.get("on_invalid", "issue")
    return ("end" if variable.endswith("ENDTC") else "start"), "issue"


def _dtc_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if isinstance(c, str) and c.endswith("DTC") and len(c) > 3]


# --------------------------------------------------------------------------- issue helpers


def _text(values: pd.Series | object, index: pd.Index) -> pd.Series:
    """Render values as issue text: missing -> '', numbers without a trailing .0, dates ISO."""
    if not isinstance(values, pd.Series):
        return pd.Series("" if values is None else str(values), index=index, dtype="object")
    if pd.api.types.is_datetime64_any_dtype(values):
        return format_date(values)
    if pd.api.types.is_numeric_dtype(values):
        return number_text(values.astype("float64"))
    v = values.astype("object")
    return v.where(v.notna(), "").astype(str)


def _where(df: pd.DataFrame, pos: int) -> dict[str, object]:
    """The raw row number and USUBJID of the record at position `pos`, for an `InputError`."""
    return {
        "row": int(df[SRCROW].iloc[pos]),
        "usubjid": str(df["USUBJID"].iloc[pos]) if "USUBJID" in df else None,
    }


def make_issues(df: pd.DataFrame, mask: pd.Series, **fields: Any) -> pd.DataFrame:
    """Ingest data-issue rows for the records in `mask` (`trialflow.issues.issues_where`, with
    this stage's name and the raw row number)."""
    return issues_where(df, mask, stage=STAGE, row=SRCROW, **fields)


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=ISSUE_COLUMNS)
    return pd.concat(parts)


def sort_issues(issues: pd.DataFrame) -> pd.DataFrame:
    """Sort data issues by stage, domain, row, variable, action, reason (stable bytes)."""
    if issues.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in ISSUE_COLUMNS})
    out = issues[ISSUE_COLUMNS].astype(str).reset_index(drop=True)
    order = pd.DataFrame(
        {
            "domain": out["domain"].map({d.upper(): i for i, d in enumerate(DOMAIN_ORDER)}),
            "row": pd.to_numeric(out["row"], errors="coerce"),
            "variable": out["variable"],
            "action": out["action"],
            "reason": out["reason"],
            "original_value": out["original_value"],
            "new_value": out["new_value"],
        }
    )
    idx = order.sort_values(list(order.columns), kind="mergesort", na_position="first").index
    return out.loc[idx].reset_index(drop=True)


# --------------------------------------------------------------------------- checks (errors)


def check_required_domains(
    present: set[str] | list[str], specs: Mapping[str, Mapping], *, raw_dir: str
) -> None:
    """Required domains (docs/data_contracts.md "Raw delivery": DM, EX, AE, DS, TU, TR, RS) must be present."""
    for name in DOMAIN_ORDER:
        spec = specs.get(name)
        if spec is not None and spec.get("required_domain", False) and name not in present:
            raise InputError(
                raw_dir,
                f"required domain {name.upper()} missing (expected {name}.csv or {name}.xpt)",
            )


def core_designations(spec: Mapping) -> dict[str, str]:
    """Each spec variable's SDTMIG v3.4 core designation (`Req`, `Exp` or `Perm`), by name.

    A second entry for one variable (`variable:` set) takes the designation of the first.
    """
    out: dict[str, str] = {}
    for e in spec_variables(spec).values():
        if e.get("core") is not None:
            out.setdefault(e["variable"], str(e["core"]))
    return out


def check_required_variables(df: pd.DataFrame, spec: Mapping, *, file: str) -> None:
    """Every Required variable (spec `core: Req`) must be a column of the file.

    Rule (SDTMIG v3.4 §4.1.5, core designations): a Required variable identifies the record
    or carries its topic (STUDYID, DOMAIN, USUBJID, --SEQ, --TESTCD, --TERM, ...); without
    it the domain cannot be read. Its absence is an InputError naming the file and variable.
    Expected and Permissible variables may be absent (`absent_expected_variables`).
    """
    for var, core in core_designations(spec).items():
        if core == "Req" and var not in df.columns:
            raise InputError(file, "required variable missing", variable=var)


def absent_expected_variables(
    columns: pd.Index | list[str], spec: Mapping, *, domain: str, file: str
) -> pd.DataFrame:
    """One `query` data issue per Expected variable (spec `core: Exp`) the file lacks.

    Rule (SDTMIG v3.4 §4.1.5): an Expected variable is included in a dataset even when it
    has no values, so a file without the column deviates from the standard; the delivery is
    still valid input. The variable is added all-missing (`finish_domain`) and a derivation
    that needs it derives it downstream from related records or leaves it missing. A
    Permissible variable may be absent without any issue.
    """
    absent = [
        v for v, core in core_designations(spec).items() if core == "Exp" and v not in columns
    ]
    if not absent:
        return _concat([])
    return pd.DataFrame(
        {
            "stage": STAGE,
            "domain": domain,
            "usubjid": "",
            "seq": "",
            "row": "",
            "variable": absent,
            "original_value": "",
            "new_value": "",
            "action": "query",
            "reason": f"Expected variable (SDTMIG v3.4) absent from {PurePath(file).name}; "
            "added as all-missing",
        }
    )[ISSUE_COLUMNS]


def check_studyid(df: pd.DataFrame, *, studyid: str, file: str) -> None:
    """STUDYID must equal the trial file's `studyid` on every row (after stripping blanks)."""
    if "STUDYID" not in df.columns:
        raise InputError(file, "required variable missing", variable="STUDYID")
    got = df["STUDYID"].astype(str).str.strip()
    bad = got != studyid
    if bad.any():
        i = bad.to_numpy().argmax()
        raise InputError(
            file,
            f"STUDYID is {df['STUDYID'].iloc[i]!r}, not the trial's",
            row=int(df[SRCROW].iloc[i]),
            variable="STUDYID",
            expected=studyid,
        )


# --------------------------------------------------------------------------- standardization


def standardize_ct(
    df: pd.DataFrame, spec: Mapping, *, domain: str, file: str
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Controlled terminology: strip, upper-case and map synonyms to the standard term.

    Rule (docs/data_contracts.md): CT values are upper-cased and mapped to the standard term
    (`pr ` -> `PR`), a `changed` issue per changed record. A value outside the list is, by
    the spec's `on_unknown`: `flag` (kept unchanged, a `query` issue), `exclude` (returned as
    an exclusion) or `error` (InputError naming file, row, USUBJID and variable). Empty values
    are missing, not unknown. Returns (df, issues, exclusions).
    """
    df = df.copy()
    seq = spec.get("seq")
    issues, excl = [], []
    for entry in spec_variables(spec).values():
        ct = entry.get("ct")
        var = entry["variable"]
        if not ct or var not in df.columns:
            continue
        applies = pd.Series(True, index=df.index)
        for wvar, wvals in (ct.get("when") or {}).items():
            if wvar not in df.columns:
                applies &= False
                continue
            applies &= upper(df, wvar).isin([str(v).upper() for v in wvals])
        # each distinct value is standardized once, then spread back to the rows
        codes, uniques = pd.factorize(df[var], use_na_sentinel=True)
        text = np.append(np.asarray(pd.Index(uniques, dtype=object).astype(str)), "")
        stripped_u = pd.Series(text, dtype="object").str.strip()
        key_u = stripped_u.str.upper()
        values = [str(v) for v in ct.get("values") or []]
        if values:
            lookup = {v.upper(): v for v in values}
            lookup.update(
                {str(k).strip().upper(): str(v) for k, v in (ct.get("synonyms") or {}).items()}
            )
            mapped_u = key_u.map(lookup)
            known_u = (mapped_u.notna() | (stripped_u == "")).to_numpy()
            new_u = mapped_u.where(mapped_u.notna(), stripped_u)
        else:
            known_u = np.ones(len(text), dtype=bool)
            new_u = key_u
        new_u = np.asarray(new_u, dtype=object)
        orig = pd.Series(text[codes], index=df.index, dtype="object")
        stripped = pd.Series(np.asarray(stripped_u, dtype=object)[codes], index=df.index)
        known = pd.Series(known_u[codes], index=df.index)
        new = pd.Series(new_u[codes], index=df.index, dtype="object").where(applies, orig)
        changed = applies & known & pd.Series((new_u != text)[codes], index=df.index)
        issues.append(
            make_issues(
                df,
                changed,
                domain=domain,
                seq=seq,
                variable=var,
                original=orig,
                new=new,
                action="changed",
                reason="standardized to controlled terminology",
            )
        )
        unknown = applies & ~known
        if unknown.any():
            how = ct.get("on_unknown", "flag")
            allowed = ", ".join(values)
            if how == "error":
                i = unknown.to_numpy().argmax()
                raise InputError(
                    file,
                    f"value {orig.iloc[i]!r} is not in the controlled terminology",
                    **_where(df, i),
                    variable=var,
                    expected=f"one of {allowed}",
                )
            if how == "exclude":
                excl.append(
                    make_issues(
                        df,
                        unknown,
                        domain=domain,
                        seq=seq,
                        variable=var,
                        original=orig,
                        new="",
                        action="excluded",
                        reason=f"{var} not in controlled terminology ({allowed})",
                    )
                )
            else:
                issues.append(
                    make_issues(
                        df,
                        unknown,
                        domain=domain,
                        seq=seq,
                        variable=var,
                        original=orig,
                        new=stripped,
                        action="query",
                        reason=f"{var} not in controlled terminology ({allowed}); kept",
                    )
                )
        df[var] = new.where(new != "", None)
    return df, _concat(issues), _concat(excl)


def strip_text(
    df: pd.DataFrame, spec: Mapping, *, domain: str, skip: set[str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Character values: surrounding white space removed (a `changed` issue), empty -> missing.

    Rule (docs/data_contracts.md): character variables are `str` or missing, stripped of
    surrounding white space. Numeric variables (spec `type: num`) are left to
    `convert_numeric`; `skip` lists variables already standardized.
    """
    df = df.copy()
    types = _var_types(spec)
    skip = skip or set()
    seq = spec.get("seq")
    issues = []
    for var in df.columns:
        if var == SRCROW or types.get(var) == "num" or var in skip:
            continue
        # each distinct value is stripped once, then spread back to the rows
        codes, uniques = pd.factorize(df[var], use_na_sentinel=True)
        text = np.append(np.asarray(pd.Index(uniques, dtype=object).astype(str)), "")
        stripped = np.asarray(pd.Series(text, dtype="object").str.strip(), dtype=object)
        changed_value = (stripped != text) & (stripped != "")
        if changed_value[codes].any():
            changed = pd.Series(changed_value[codes], index=df.index)
            issues.append(
                make_issues(
                    df,
                    changed,
                    domain=domain,
                    seq=seq,
                    variable=var,
                    original=pd.Series(text[codes], index=df.index, dtype="object"),
                    new=pd.Series(stripped[codes], index=df.index, dtype="object"),
                    action="changed",
                    reason="surrounding white space removed",
                )
            )
        result = np.where(stripped == "", None, stripped)
        df[var] = pd.Series(result[codes], index=df.index, dtype="object")
    return df, _concat(issues)


def _strip(text: pd.Series) -> pd.Series:
    """`str.strip` of each distinct value, spread back to the rows (fast on repeated values)."""
    codes, uniques = pd.factorize(text)
    stripped = pd.Series(uniques, dtype="object").str.strip().to_numpy()
    return pd.Series(stripped[codes], index=text.index, dtype="object")


def check_text_length(df: pd.DataFrame, *, file: str, max_bytes: int = 200) -> None:
    """Character values must fit SAS XPT v5 / SDTM: at most `max_bytes` (200) bytes in UTF-8.

    Rule (SAS TS-140; SDTMIG 3.x §4.5.3: longer text goes to SUPP-- records): a longer value
    is an InputError naming the file, row, USUBJID, variable and the value's size. It is not
    truncated: cutting clinical text would change the record, and a multi-megabyte cell is
    not a delivery to analyse.
    """
    for var in df.columns:
        if var == SRCROW or not (
            pd.api.types.is_object_dtype(df[var]) or pd.api.types.is_string_dtype(df[var])
        ):
            continue
        codes, uniques = pd.factorize(df[var])
        if not len(uniques):
            continue
        sizes = pd.Series(uniques, dtype="object").astype(str).str.encode("utf-8").str.len()
        long = sizes.to_numpy()[codes] > max_bytes
        long &= codes >= 0
        if long.any():
            i = int(long.argmax())
            raise InputError(
                file,
                f"text of {int(sizes.iloc[codes[i]])} bytes",
                **_where(df, i),
                variable=str(var),
                expected=f"at most {max_bytes} bytes, the SAS XPT v5 limit for character values",
            )


def convert_numeric(df: pd.DataFrame, spec: Mapping, *, file: str) -> pd.DataFrame:
    """Numeric variables (spec `type: num`) become float64; empty text is missing.

    Rule: anything else that is not a finite number (`12a`, `NA`, `inf`) is an InputError
    naming the file, row, USUBJID and variable: a wrong number must not come out silently.
    """
    df = df.copy()
    for var, typ in _var_types(spec).items():
        if typ != "num" or var not in df.columns:
            continue
        if pd.api.types.is_float_dtype(df[var]):
            continue
        text = df[var].astype("object").where(df[var].notna(), "").astype(str).str.strip()
        num = pd.to_numeric(text.where(text != ""), errors="coerce")
        bad = (text != "") & ~np.isfinite(num.fillna(np.inf)) | ((text != "") & num.isna())
        if bad.any():
            i = bad.to_numpy().argmax()
            raise InputError(
                file,
                f"non-numeric value {text.iloc[i]!r} in a numeric variable",
                **_where(df, i),
                variable=var,
                expected="a number or empty",
            )
        df[var] = num.astype("float64")
    return df


def standardize_units(
    df: pd.DataFrame, spec: Mapping, *, domain: str, file: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Convert results to the standard unit (TR: cm -> mm, TRSTRESN x 10).

    Rule (docs/data_contracts.md, TR): `TRSTRESN` is in millimetres and `TRSTRESU` is `mm`;
    a result in cm is multiplied by 10, its `TRSTRESC` rewritten and its unit set to mm, a
    `changed` issue per record. A number with a unit outside `factors` (or none) is an
    InputError (`on_unknown: error`) or a `query` issue (`flag`).
    """
    df = df.copy()
    seq = spec.get("seq")
    issues = []
    for var, rule in (spec.get("units") or {}).items():
        unit_var, text_var = rule["unit"], rule.get("text")
        if var not in df.columns:
            continue
        target = str(rule["target"])
        factors = {str(k).upper(): float(v) for k, v in rule["factors"].items()}
        unit = (
            df[unit_var].astype("object").where(df[unit_var].notna(), "").astype(str).str.strip()
            if unit_var in df.columns
            else pd.Series("", index=df.index)
        )
        factor = unit.str.upper().map(factors)
        value = df[var]
        has_value = value.notna()
        unknown = has_value & factor.isna()
        if unknown.any():
            i = unknown.to_numpy().argmax()
            if rule.get("on_unknown", "error") == "error":
                raise InputError(
                    file,
                    f"unit {unit.iloc[i]!r} cannot be converted to {target}",
                    **_where(df, i),
                    variable=unit_var,
                    expected=" or ".join(rule["factors"]),
                )
            issues.append(
                make_issues(
                    df,
                    unknown,
                    domain=domain,
                    seq=seq,
                    variable=unit_var,
                    original=unit,
                    new=unit,
                    action="query",
                    reason=f"unit cannot be converted to {target}",
                )
            )
        convert = has_value & factor.notna() & (factor != 1.0)
        if convert.any():
            newval = (value * factor).round(6)
            before = _text(value, df.index) + " " + unit
            after = _text(newval, df.index) + " " + target
            issues.append(
                make_issues(
                    df,
                    convert,
                    domain=domain,
                    seq=seq,
                    variable=var,
                    original=before,
                    new=after,
                    action="changed",
                    reason=f"converted to {target}",
                )
            )
            df[var] = value.where(~convert, newval)
            if text_var and text_var in df.columns:
                df[text_var] = df[text_var].where(~convert, _text(newval, df.index))
        # the unit of every convertible record becomes the target spelling
        respell = factor.notna() & (unit != target) & ~convert
        if respell.any():
            issues.append(
                make_issues(
                    df,
                    respell,
                    domain=domain,
                    seq=seq,
                    variable=unit_var,
                    original=unit,
                    new=target,
                    action="changed",
                    reason=f"unit standardized to {target}",
                )
            )
        if unit_var in df.columns:
            df[unit_var] = df[unit_var].where(factor.isna(), target)
        _check_range(df, var, rule, file=file, unit=target)
    return df, _concat(issues)


def _check_range(df: pd.DataFrame, var: str, rule: Mapping, *, file: str, unit: str) -> None:
    """A measurement in the target unit must lie in [`min`, `max`] of its units rule.

    `min` defaults to 0: a length (a diameter in mm) cannot be negative. `max` (optional) is
    the largest plausible value; an absurd measurement would silently drive the SLD.
    """
    low = float(rule.get("min", 0))
    high = rule.get("max")
    value = df[var]
    bad = value.notna() & ((value < low) | (value > float(high) if high is not None else False))
    if bad.any():
        i = bad.to_numpy().argmax()
        bound = f"at least {low:g} {unit}" + (
            f" and at most {float(high):g} {unit}" if high is not None else ""
        )
        raise InputError(
            file,
            f"value {number_text(value.iloc[[i]]).iloc[0]} {unit} is out of range",
            **_where(df, i),
            variable=var,
            expected=bound,
        )


# --------------------------------------------------------------------------- duplicates


def find_duplicates(
    df: pd.DataFrame, spec: Mapping, *, domain: str, file: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Exact duplicates are excluded; records sharing the spec's keys but differing are flagged.

    Rule: a record identical to an earlier one in every variable (after standardization;
    `SRCROW` aside) is excluded, citing the first row. Records with the same `keys` but other
    values are kept and `flagged`; in DM (keys USUBJID) they are an InputError, since one
    subject cannot have two conflicting demographics records. Returns (issues, exclusions).
    """
    seq = spec.get("seq")
    cols = [c for c in df.columns if c != SRCROW]
    if df.empty or not cols:
        return _concat([]), _concat([])
    hashed = pd.util.hash_pandas_object(df[cols].astype("object"), index=False)
    candidates = hashed.duplicated(keep=False)
    excl = []
    exact = pd.Series(False, index=df.index)
    if candidates.any():
        sub = df.loc[candidates]
        sub_cols = sub[cols].astype("object").where(sub[cols].notna(), "\x00NA")
        dup = sub_cols.duplicated(keep="first")
        first = sub[SRCROW].groupby([sub_cols[c] for c in cols], sort=False).transform("min")
        exact.loc[dup.index] = dup
        reason = "exact duplicate of row " + first.astype("int64").astype(str)
        excl.append(
            make_issues(
                df,
                exact,
                domain=domain,
                seq=seq,
                variable="",
                original="",
                new="",
                action="excluded",
                reason=reason.reindex(df.index),
            )
        )
    issues = []
    keys = [k for k in spec.get("keys") or [] if k in df.columns]
    if keys:
        rest = df.loc[~exact]
        conflict = rest.duplicated(keys, keep=False) & rest[keys].notna().all(axis=1)
        if conflict.any():
            if domain == "DM":
                dup_rows = rest.loc[conflict]
                i = dup_rows.index[1]
                first_row = int(dup_rows[SRCROW].iloc[0])
                raise InputError(
                    file,
                    f"subject has conflicting DM records (also row {first_row})",
                    row=int(df.loc[i, SRCROW]),
                    usubjid=str(df.loc[i, "USUBJID"]),
                    variable="USUBJID",
                    expected="one DM record per subject",
                )
            mask = pd.Series(False, index=df.index)
            mask.loc[conflict.index] = conflict
            issues.append(
                make_issues(
                    df,
                    mask,
                    domain=domain,
                    seq=seq,
                    variable=", ".join(keys),
                    original="",
                    new="",
                    action="flagged",
                    reason="records share the key variables but differ; all kept",
                )
            )
    return _concat(issues), _concat(excl)


# --------------------------------------------------------------------------- dates


def impute_dates(
    df: pd.DataFrame, spec: Mapping, *, domain: str, file: str, cutoff: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add `--DT` and `--DTF` beside every `--DTC` variable (docs/data_contracts.md).

    Rule: start and event dates impute to the earliest possible day, end dates (`--ENDTC`,
    or spec `date: end`) to the latest, capped at the cutoff; flag D (day) or M (month and
    day); an `imputed` issue per imputed date. A date without a year is missing and a
    `query` issue. An unparseable date (`2020-13-45`, `yesterday`) is an InputError naming
    file, row, USUBJID and variable when the spec says `on_invalid: error` (the dates the
    cutoff needs), otherwise missing with a `query` issue.
    """
    df = df.copy()
    seq = spec.get("seq")
    issues = []
    cap = pd.Timestamp(cutoff)
    for var in _dtc_columns(df):
        side, on_invalid = _date_rule(var, spec)
        res = impute_dtc(df[var], rule=side, cap=cap if side == "end" else None)
        status = res["status"]
        text = df[var].astype("object").where(df[var].notna(), "")
        invalid = status == INVALID
        if invalid.any() and on_invalid == "error":
            i = invalid.to_numpy().argmax()
            raise InputError(
                file,
                f"date {str(text.iloc[i])!r} cannot be parsed",
                **_where(df, i),
                variable=var,
                expected="ISO 8601 YYYY-MM-DD, YYYY-MM or YYYY",
            )
        name, flag = dt_name(var), dtf_name(var)
        issues.append(
            make_issues(
                df,
                invalid | (status == NO_YEAR),
                domain=domain,
                seq=seq,
                variable=var,
                original=text,
                new="",
                action="query",
                reason="date cannot be parsed or has no year; " + name + " left missing",
            )
        )
        imputed = status.isin([NO_DAY, NO_MONTH])
        side_text = "earliest" if side == "start" else "latest (capped at the cutoff)"
        issues.append(
            make_issues(
                df,
                imputed,
                domain=domain,
                seq=seq,
                variable=name,
                original=text,
                new=res["dt"],
                action="imputed",
                reason=f"partial date imputed to the {side_text} possible day",
            )
        )
        pos = list(df.columns).index(var) + 1
        for col in (name, flag):
            if col in df.columns:
                df = df.drop(columns=col)
        df.insert(pos, name, res["dt"].to_numpy())
        df.insert(pos + 1, flag, res["dtf"].to_numpy())
    return df, _concat(issues)


def _earliest(df: pd.DataFrame, variables: list[str]) -> pd.Series:
    """The record's date: first non-missing of `variables`, imputed to the earliest day."""
    out = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    for var in variables:
        if var in df.columns:
            d = impute_dtc(df[var], rule="start")["dt"]
            out = out.where(out.notna(), d)
    return out


# --------------------------------------------------------------------------- cutoff


def apply_cutoff(
    df: pd.DataFrame, spec: Mapping, *, domain: str, cutoff: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Apply the data cutoff (docs/data_contracts.md, "Data cutoff").

    Rules: a record whose date (spec `cutoff.date`, earliest possible day) is after the cutoff
    is excluded; a record without that date is kept. An end date (`cutoff.cap`) whose earliest
    possible day is after the cutoff is set to the cutoff (text and `--DT`); a date in
    `cutoff.clear` (DTHDTC) after the cutoff is cleared with its flags (DTHFL): the event did
    not happen by the cutoff. Each is a data issue. Returns (df, issues, exclusions).
    """
    df = df.copy()
    cut = pd.Timestamp(cutoff)
    cut_text = cut.strftime("%Y-%m-%d")
    seq = spec.get("seq")
    rules = spec.get("cutoff") or {}
    date_vars = [v for v in rules.get("date") or [] if v in df.columns]
    issues, excl = [], []
    if date_vars:
        when = _earliest(df, date_vars)
        after = when > cut
        source = pd.Series("", index=df.index, dtype="object")
        for var in reversed(date_vars):
            has = df[var].notna() & (df[var].astype(str).str.strip() != "")
            source = source.where(~has, var)
        original = pd.Series("", index=df.index, dtype="object")
        for var in date_vars:
            original = original.where(source != var, df[var].astype("object"))
        excl.append(
            make_issues(
                df,
                after,
                domain=domain,
                seq=seq,
                variable=source,
                original=original,
                new="",
                action="excluded",
                reason=f"dated after the data cutoff {cut_text}",
            )
        )
    for var in rules.get("cap") or []:
        if var not in df.columns:
            continue
        late = _earliest(df, [var]) > cut
        issues.append(
            make_issues(
                df,
                late,
                domain=domain,
                seq=seq,
                variable=var,
                original=df[var],
                new=cut_text,
                action="changed",
                reason=f"end date after the data cutoff set to {cut_text}",
            )
        )
        df.loc[late, var] = cut_text
        if dt_name(var) in df.columns:
            df.loc[late, dt_name(var)] = cut
            df.loc[late, dtf_name(var)] = None
    for var, flags in (rules.get("clear") or {}).items():
        if var not in df.columns:
            continue
        late = _earliest(df, [var]) > cut
        issues.append(
            make_issues(
                df,
                late,
                domain=domain,
                seq=seq,
                variable=var,
                original=df[var],
                new="",
                action="changed",
                reason=f"event after the data cutoff {cut_text} cleared",
            )
        )
        cleared = [var, *(f for f in flags or [] if f in df.columns)]
        for f in cleared[1:]:
            issues.append(
                make_issues(
                    df,
                    late & df[f].notna(),
                    domain=domain,
                    seq=seq,
                    variable=f,
                    original=df[f],
                    new="",
                    action="changed",
                    reason=f"{var} after the data cutoff {cut_text} cleared",
                )
            )
        for f in cleared:
            df.loc[late, f] = None
        if dt_name(var) in df.columns:
            df.loc[late, dt_name(var)] = pd.NaT
            df.loc[late, dtf_name(var)] = None
    return df, _concat(issues), _concat(excl)


# --------------------------------------------------------------------------- subjects


def exclude_unknown_subjects(
    df: pd.DataFrame,
    spec: Mapping,
    *,
    domain: str,
    subjects: set[str] | pd.Index,
    dropped_subjects: set[str] | pd.Index = frozenset(),
) -> pd.DataFrame:
    """Records of a USUBJID that is not in the cleaned DM are excluded.

    Rule (docs/data_contracts.md): records of subjects not in DM are excluded as data issues.
    `dropped_subjects` are in the raw DM but were excluded there (enrolled after the cutoff);
    their records say so. Returns the exclusions.
    """
    usubjid = df["USUBJID"] if "USUBJID" in df else pd.Series(None, index=df.index)
    known = usubjid.isin(list(subjects))
    dropped = usubjid.isin(list(dropped_subjects))
    reason = pd.Series("USUBJID not in DM", index=df.index, dtype="object")
    reason = reason.where(~dropped, "subject excluded from DM (enrolled after the data cutoff)")
    reason = reason.where(usubjid.notna(), "USUBJID missing")
    return make_issues(
        df,
        ~known,
        domain=domain,
        seq=spec.get("seq"),
        variable="USUBJID",
        original=usubjid,
        new="",
        action="excluded",
        reason=reason,
    )


def death_dates(dm: pd.DataFrame) -> pd.Series:
    """Each subject's latest possible death date (DM DTHDTC imputed to the last day), by USUBJID.

    Used to exclude assessments after death: only a record certainly after death (its
    earliest possible date after the latest possible death date) is excluded.
    """
    if dm.empty or "DTHDTC" not in dm.columns:
        return pd.Series(dtype="datetime64[ns]")
    latest = impute_dtc(dm["DTHDTC"], rule="end")["dt"]
    out = pd.Series(latest.to_numpy(), index=dm["USUBJID"].to_numpy())
    return out[out.notna()]


def exclude_after_death(
    df: pd.DataFrame, spec: Mapping, *, domain: str, deaths: pd.Series
) -> pd.DataFrame:
    """Tumour assessments (TU/TR/RS, spec `after_death: true`) dated after death are excluded.

    Rule (docs/data_contracts.md): assessments after death are excluded as data issues. The
    record's date is its cutoff date variable at the earliest possible day; the death date is
    the latest possible day of DTHDTC. Returns the exclusions.
    """
    date_vars = [v for v in (spec.get("cutoff") or {}).get("date") or [] if v in df.columns]
    if not spec.get("after_death") or not date_vars or deaths.empty or "USUBJID" not in df:
        return _concat([])
    when = _earliest(df, date_vars)
    death = df["USUBJID"].map(deaths)
    after = death.notna() & (when > death)
    reason = "assessment dated after the subject's death (" + format_date(death) + ")"
    return make_issues(
        df,
        after,
        domain=domain,
        seq=spec.get("seq"),
        variable=date_vars[0],
        original=df[date_vars[0]],
        new="",
        action="excluded",
        reason=reason,
    )


def check_death_dates(dm: pd.DataFrame, *, file: str) -> None:
    """A death date cannot precede the subject's birth or informed consent.

    Rule: DTHDTC at its latest possible day earlier than BRTHDTC or RFICDTC at their earliest
    possible day is impossible; it is an InputError naming the file, row, USUBJID and DTHDTC
    (which of the dates is wrong cannot be known, and OS would be negative or wrong).
    """
    if dm.empty or "DTHDTC" not in dm.columns:
        return
    death = impute_dtc(dm["DTHDTC"], rule="end")["dt"]
    for var, what in (("BRTHDTC", "birth"), ("RFICDTC", "informed consent")):
        if var not in dm.columns:
            continue
        other = impute_dtc(dm[var], rule="start")["dt"]
        bad = death.notna() & other.notna() & (death < other)
        if bad.any():
            i = bad.to_numpy().argmax()
            raise InputError(
                file,
                f"death date {dm['DTHDTC'].iloc[i]!r} is before {what} ({var} {dm[var].iloc[i]!r})",
                row=int(dm[SRCROW].iloc[i]),
                usubjid=str(dm["USUBJID"].iloc[i]),
                variable="DTHDTC",
                expected=f"a death date on or after {var}",
            )


def flag_before_consent(
    df: pd.DataFrame, spec: Mapping, *, domain: str, consent: pd.Series
) -> pd.DataFrame:
    """Tumour assessments (spec `after_death: true`) dated before informed consent: queries.

    Rule (ICH E6 4.8.8: no trial procedure before consent): a record whose latest possible date
    is before the earliest possible RFICDTC is kept (a screening scan may predate consent in
    practice, and response derivations use only assessments from STARTDT on) but logged as a
    `query` data issue. `consent` maps USUBJID to the consent date.
    """
    date_vars = [v for v in (spec.get("cutoff") or {}).get("date") or [] if v in df.columns]
    if not spec.get("after_death") or not date_vars or consent.empty or "USUBJID" not in df:
        return _concat([])
    when = impute_dtc(df[date_vars[0]], rule="end")["dt"]
    start = df["USUBJID"].map(consent)
    before = start.notna() & when.notna() & (when < start)
    return make_issues(
        df,
        before,
        domain=domain,
        seq=spec.get("seq"),
        variable=date_vars[0],
        original=df[date_vars[0]],
        new=df[date_vars[0]],
        action="query",
        reason="assessment dated before informed consent (RFICDTC "
        + format_date(start)
        + "); kept",
    )


# --------------------------------------------------------------------------- assembly


def empty_domain(spec: Mapping) -> pd.DataFrame:
    """A table with the spec's columns and no rows (an absent optional domain)."""
    cols: dict[str, pd.Series] = {}
    for e in spec_variables(spec).values():
        var = e["variable"]
        if var in cols:
            continue
        cols[var] = pd.Series(dtype="float64" if e["type"] == "num" else "object")
        if var.endswith("DTC"):
            cols[dt_name(var)] = pd.Series(dtype="datetime64[ns]")
            cols[dtf_name(var)] = pd.Series(dtype="object")
    cols[SRCROW] = pd.Series(dtype="int64")
    return pd.DataFrame(cols)


def _add_spec_columns(df: pd.DataFrame, spec: Mapping) -> pd.DataFrame:
    """Spec variables absent from the file are added as all-missing columns."""
    template = empty_domain(spec)
    for col in template.columns:
        if col not in df.columns:
            df[col] = pd.Series(index=df.index, dtype=template[col].dtype)
    return df


def _sort_domain(df: pd.DataFrame, spec: Mapping) -> pd.DataFrame:
    keys = [k for k in spec.get("keys") or [] if k in df.columns and k != SRCROW]
    by = [*keys, SRCROW]
    return df.sort_values(by, kind="mergesort", na_position="first").reset_index(drop=True)


def prepare_domain(
    raw: pd.DataFrame,
    spec: Mapping,
    *,
    studyid: str,
    cutoff: dt.date,
    file: str,
    max_text_bytes: int = 200,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, pd.DataFrame]]:
    """Check, standardize, deduplicate, impute and cut off one domain (steps 1-6).

    Returns (df with all raw rows, issues for changes, exclusions by rule: `duplicate`, `ct`,
    `cutoff`), not yet filtered.
    """
    domain = str(spec["domain"]).upper()
    if SRCROW not in raw.columns:
        raw = raw.assign(**{SRCROW: np.arange(1, len(raw) + 1, dtype="int64")})
    df = raw.reset_index(drop=True)
    check_required_variables(df, spec, file=file)
    check_studyid(df, studyid=studyid, file=file)
    df, ct_issues, ct_excl = standardize_ct(df, spec, domain=domain, file=file)
    ct_vars = {e["variable"] for e in spec_variables(spec).values() if e.get("ct")}
    df, ws_issues = strip_text(df, spec, domain=domain, skip=ct_vars)
    check_text_length(df, file=file, max_bytes=max_text_bytes)
    df = convert_numeric(df, spec, file=file)
    df, unit_issues = standardize_units(df, spec, domain=domain, file=file)
    dup_issues, dup_excl = find_duplicates(df, spec, domain=domain, file=file)
    df, date_issues = impute_dates(df, spec, domain=domain, file=file, cutoff=cutoff)
    df, cut_issues, cut_excl = apply_cutoff(df, spec, domain=domain, cutoff=cutoff)
    issues = _concat([ct_issues, ws_issues, unit_issues, dup_issues, date_issues, cut_issues])
    return df, issues, {"duplicate": dup_excl, "ct": ct_excl, "cutoff": cut_excl}


def finish_domain(
    df: pd.DataFrame, spec: Mapping, issues: pd.DataFrame, exclusions: list[pd.DataFrame]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep one exclusion per row (first in priority), drop excluded rows and their other issues."""
    excl = _concat(exclusions)
    if len(excl):
        excl = excl[~excl.index.duplicated(keep="first")]
    excluded = df.index.isin(excl.index)
    issues = issues[~issues.index.isin(excl.index)] if len(issues) else issues
    kept = _sort_domain(_add_spec_columns(df.loc[~excluded].copy(), spec), spec)
    return kept, _concat([issues, excl])


def ingest_delivery(
    raw: Mapping[str, pd.DataFrame],
    specs: Mapping[str, Mapping],
    *,
    studyid: str,
    cutoff: str | dt.date,
    source_names: Mapping[str, str] | None = None,
    raw_dir: str = "delivery",
    max_text_bytes: int = 200,
) -> IngestResult:
    """Clean one raw SDTM delivery for one data cutoff (issue 2, item 5).

    `raw` maps lower-case domain names to the raw text tables of `trialflow.io.read_domain`
    (with `SRCROW`); `specs` maps them to the domain specs (workflow/schemas/sdtm/);
    `source_names` gives each domain's file name for error messages; `raw_dir` names the
    delivery in the "required domain missing" error; `max_text_bytes` is the longest
    character value accepted (`check_text_length`). Domains without a spec are ignored.
    Returns the cleaned domains (absent optional ones empty with the spec's columns), the
    sorted data issues and the summary, where raw_rows = kept_rows + excluded_rows.
    """
    cut = pd.Timestamp(cutoff).date()
    names = dict(source_names or {})
    check_required_domains(set(raw), specs, raw_dir=raw_dir)
    order = [d for d in DOMAIN_ORDER if d in specs] + sorted(set(specs) - set(DOMAIN_ORDER))
    if "dm" not in order:
        raise InputError(raw_dir, "no spec for DM", expected="workflow/schemas/sdtm/dm.yaml")

    prepared = {}
    for name in order:
        if name in raw:
            file = names.get(name, name)
            prepared[name] = prepare_domain(
                raw[name],
                specs[name],
                studyid=studyid,
                cutoff=cut,
                file=file,
                max_text_bytes=max_text_bytes,
            )

    dm_df, dm_issues, dm_excl = prepared["dm"]
    dm_kept, dm_all_issues = finish_domain(
        dm_df, specs["dm"], dm_issues, [dm_excl["duplicate"], dm_excl["ct"], dm_excl["cutoff"]]
    )
    subjects = pd.Index(dm_kept["USUBJID"].dropna().unique())
    dropped = pd.Index(dm_df["USUBJID"].dropna().unique()).difference(subjects)
    check_death_dates(dm_kept, file=names.get("dm", "dm"))
    deaths = death_dates(dm_kept)
    consent = (
        pd.Series(
            impute_dtc(dm_kept["RFICDTC"], rule="start")["dt"].to_numpy(),
            index=dm_kept["USUBJID"].to_numpy(),
        ).dropna()
        if "RFICDTC" in dm_kept.columns and len(dm_kept)
        else pd.Series(dtype="datetime64[ns]")
    )

    domains: dict[str, pd.DataFrame] = {"dm": dm_kept}
    all_issues = [dm_all_issues]
    for name in prepared:
        all_issues.append(
            absent_expected_variables(
                raw[name].columns,
                specs[name],
                domain=str(specs[name]["domain"]).upper(),
                file=names.get(name, name),
            )
        )
    rows = [("DM", len(dm_df), len(dm_kept))]
    for name in order:
        if name == "dm":
            continue
        spec = specs[name]
        domain = str(spec["domain"]).upper()
        if name not in prepared:
            domains[name] = empty_domain(spec)
            rows.append((domain, 0, 0))
            continue
        df, issues, excl = prepared[name]
        unknown = exclude_unknown_subjects(
            df, spec, domain=domain, subjects=subjects, dropped_subjects=dropped
        )
        death = exclude_after_death(df, spec, domain=domain, deaths=deaths)
        early = flag_before_consent(df, spec, domain=domain, consent=consent)
        kept, dom_issues = finish_domain(
            df,
            spec,
            _concat([issues, early]),
            [excl["duplicate"], unknown, excl["ct"], excl["cutoff"], death],
        )
        domains[name] = kept
        all_issues.append(dom_issues)
        rows.append((domain, len(df), len(kept)))

    summary = pd.DataFrame(rows, columns=["domain", "raw_rows", "kept_rows"])
    summary["excluded_rows"] = summary["raw_rows"] - summary["kept_rows"]
    summary = summary[SUMMARY_COLUMNS].astype({c: "int64" for c in SUMMARY_COLUMNS[1:]})
    return IngestResult(domains=domains, issues=sort_issues(_concat(all_issues)), summary=summary)
