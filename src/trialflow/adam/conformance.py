"""ADaM conformance checks of one analysis: one row per check and dataset, passed or failed.

`conformance(specs, datasets, xpt_meta, cutoff=...)` returns a table with the columns
`CONFORMANCE_COLUMNS`. Every check is listed, so the table is the checklist; a failure says how
many records fail and names the first subject. Severities: "error" (the dataset breaks ADaM
IG 1.3 or the SAS transport v5 limits, or a number derived from it would be wrong), "warning"
(submission practice, e.g. the FDA Study Data Technical Conformance Guide) and "note".

The checks (rule cited in each row):
- names, labels and lengths: the spec and the data hold the same variables; names of at most
  8 characters; the XPT file carries the spec's dataset label, variable labels (at most 40
  characters) and display formats; no character value is longer than its spec length (at most
  200 bytes); a variable name means the same label in every dataset; text is ASCII;
- required variables: ADSL (ADaM IG 1.3 §3.2) and BDS (§3.3) identifiers, treatment and
  parameter variables, and CNSR, STARTDT and ADT for a time-to-event dataset;
- PARAMCD of at most 8 characters and a SAS name, PARAM of at most 200, one PARAM per PARAMCD,
  PARAMCD values from the spec's parameters;
- values in their codelists (value-level codelists for the records of each PARAMCD), numbers
  declared integer that are whole;
- keys unique; one record per subject in ADSL and per subject and PARAMCD where the spec says
  so; every subject of a dataset is in ADSL; ADSL variables copied into a dataset equal ADSL;
- time to event: CNSR in {0, 1}, ADT >= STARTDT, AVAL = ADT - STARTDT + 1, an event has EVNTDESC
  and a censored record a CNSDTDSC;
- ADSL: TRTEDT >= TRTSDT, DTHFL "Y" exactly when DTHDT is present, SAFFL "Y" exactly when
  TRTSDT is present, EFFFL "Y" only in the safety population, no death or last-alive date
  after the cutoff; BDS: ABLFL "Y" on at most one record per subject and parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from trialflow.adam.specs import (
    MAX_CHAR_BYTES,
    MAX_LABEL,
    MAX_NAME,
    MAX_PARAM,
    AdamSpecs,
    DatasetSpec,
    extra_columns,
)

CONFORMANCE_COLUMNS = [
    "dataset",
    "check",
    "variable",
    "severity",
    "status",
    "failures",
    "example",
    "rule",
    "message",
]

ADSL_REQUIRED = ("STUDYID", "USUBJID", "SUBJID", "SITEID", "AGE", "AGEU", "SEX", "RACE")
ADSL_TREATMENT = ("ARM", "ACTARM", "TRT01P")
BDS_REQUIRED = ("STUDYID", "USUBJID", "PARAMCD", "PARAM")
BDS_TREATMENT = ("TRTP",)
TTE_REQUIRED = ("CNSR", "STARTDT", "ADT", "AVAL")


class _Rows:
    """Collects check rows."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(
        self,
        dataset: str,
        check: str,
        *,
        failed: pd.Series | int | bool,
        rule: str,
        message: str,
        variable: str = "",
        severity: str = "error",
        frame: pd.DataFrame | None = None,
        example: str = "",
    ) -> None:
        if isinstance(failed, pd.Series):
            n = int(failed.sum())
            if n and not example and frame is not None:
                first = failed[failed].index[0]
                if "USUBJID" in frame.columns:
                    example = f"USUBJID {frame.loc[first, 'USUBJID']}"
                else:
                    example = f"record {int(frame.index.get_loc(first)) + 1}"
        else:
            n = int(failed)
        self.rows.append(
            {
                "dataset": dataset,
                "check": check,
                "variable": variable,
                "severity": severity,
                "status": "fail" if n else "pass",
                "failures": n,
                "example": example,
                "rule": rule,
                "message": message,
            }
        )


def _text(s: pd.Series) -> pd.Series:
    return s.astype("object").where(s.notna(), "").astype(str)


def _dates(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, errors="coerce").dt.normalize()


def _names_labels_lengths(
    r: _Rows, spec: DatasetSpec, df: pd.DataFrame, meta: Mapping[str, Any] | None
) -> None:
    name = spec.name
    extra = extra_columns(df.columns, spec)
    missing = [v for v in spec.names if v not in df.columns]
    r.add(
        name,
        "variables in the spec",
        variable=", ".join(extra),
        failed=len(extra),
        severity="note" if spec.extra_predecessors else "error",
        rule="ADaM spec (workflow/schemas/adam)",
        example=", ".join(extra[:3]),
        message=(
            f"{len(extra)} variable(s) of the cleaned {spec.extra_predecessors} domain outside "
            "the spec: kept in Parquet, not in the XPT file or define.xml"
            if spec.extra_predecessors and extra
            else "every variable of the data is in the spec"
            if not extra
            else f"not in {spec.source}: {', '.join(extra)}"
        ),
    )
    r.add(
        name,
        "spec variables in the data",
        variable=", ".join(missing),
        failed=len(missing),
        rule="ADaM spec (workflow/schemas/adam)",
        message="every spec variable is in the data"
        if not missing
        else f"missing from the data: {', '.join(missing)}",
    )
    long_names = [c for c in df.columns if len(str(c)) > MAX_NAME or not str(c).isupper()]
    r.add(
        name,
        "variable names",
        failed=len(long_names),
        example=", ".join(map(str, long_names[:3])),
        rule="ADaM IG 1.3 §2.3; SAS transport v5: names of at most 8 characters, upper case",
        message="names of at most 8 upper-case characters",
    )
    r.add(
        name,
        "dataset label",
        failed=len(spec.label) > MAX_LABEL
        or (meta is not None and meta.get("label", "") != spec.label),
        example=str(meta.get("label", "")) if meta else "",
        rule="SAS transport v5: dataset label of at most 40 characters, as specified",
        message=f"dataset label {spec.label!r}",
    )
    if meta is not None:
        labels = meta.get("labels", {})
        wrong = [v.name for v in spec.variables if v.name in labels and labels[v.name] != v.label]
        r.add(
            name,
            "variable labels",
            failed=len(wrong),
            example=", ".join(wrong[:3]),
            rule="SAS transport v5: labels of at most 40 characters, as specified",
            message="every XPT variable label equals the spec's label",
        )
        formats = meta.get("formats", {})
        wrong = [
            v.name
            for v in spec.variables
            if v.format
            and v.name in formats
            and formats[v.name].rstrip(".") != v.format.rstrip(".")
        ]
        r.add(
            name,
            "display formats",
            failed=len(wrong),
            example=", ".join(wrong[:3]),
            rule="ADaM IG 1.3 §3.1.3 (numeric dates with a SAS date format)",
            message="every XPT display format equals the spec's format (DATE9. for dates)",
        )
        widths = meta.get("widths", {})
        wide = [
            v.name
            for v in spec.variables
            if v.is_char and v.name in widths and widths[v.name] > min(v.length, MAX_CHAR_BYTES)
        ]
        r.add(
            name,
            "character lengths",
            failed=len(wide),
            example=", ".join(wide[:3]),
            rule="SAS transport v5: character values of at most 200 bytes, within the spec length",
            message="every XPT character width is within its spec length",
        )
    nonascii = pd.Series(False, index=df.index)
    for v in spec.variables:
        if v.is_char and v.name in df.columns:
            nonascii |= ~_text(df[v.name]).map(str.isascii)
    r.add(
        name,
        "ASCII text",
        failed=nonascii,
        frame=df,
        severity="warning",
        rule="FDA Study Data Technical Conformance Guide §3.3.4 (ASCII in SAS transport files)",
        message="character values are ASCII (other characters take several bytes)",
    )


def _required(r: _Rows, spec: DatasetSpec, df: pd.DataFrame) -> None:
    groups: list[tuple[tuple[str, ...], str, str]] = []
    if spec.cls == "ADSL":
        groups += [
            (ADSL_REQUIRED, "ADaM IG 1.3 §3.2 (ADSL identifiers and demographics, Req)", "error"),
            (ADSL_TREATMENT, "ADaM IG 1.3 §3.2 (ADSL treatment variables, Req)", "error"),
        ]
    if spec.cls == "BDS":
        groups += [
            (BDS_REQUIRED, "ADaM IG 1.3 §3.3 (BDS identifiers and parameter, Req)", "error"),
            (BDS_TREATMENT, "ADaM IG 1.3 §3.3 (BDS planned treatment TRTP, Req)", "error"),
        ]
        if not {"AVAL", "AVALC"} & set(df.columns):
            groups.append((("AVAL",), "ADaM IG 1.3 §3.3 (AVAL or AVALC)", "error"))
        if "CNSR" in spec.names or spec.name == "ADTTE":
            groups.append((TTE_REQUIRED, "ADaM BDS for time-to-event analyses (Req)", "error"))
    if spec.cls in ("OCCDS", "OTHER"):
        groups.append((("STUDYID", "USUBJID"), "ADaM IG 1.3 (identifiers)", "error"))
    for names, rule, severity in groups:
        missing = [v for v in names if v not in df.columns]
        r.add(
            spec.name,
            "required variables",
            variable=", ".join(missing) or ", ".join(names),
            failed=len(missing),
            severity=severity,
            rule=rule,
            example=", ".join(missing),
            message=f"missing: {', '.join(missing)}" if missing else f"present: {', '.join(names)}",
        )


def _parameters(r: _Rows, spec: DatasetSpec, df: pd.DataFrame) -> None:
    if not {"PARAMCD", "PARAM"} <= set(df.columns):
        return
    code, param = _text(df["PARAMCD"]), _text(df["PARAM"])
    r.add(
        spec.name,
        "PARAMCD length",
        variable="PARAMCD",
        failed=(code.str.len() > MAX_NAME) | ~code.str.fullmatch(r"[A-Z][A-Z0-9_]*"),
        frame=df,
        rule="ADaM IG 1.3 §3.3.4: PARAMCD of at most 8 characters, a SAS name",
        message="PARAMCD of at most 8 characters",
    )
    r.add(
        spec.name,
        "PARAM length",
        variable="PARAM",
        failed=param.str.encode("utf-8").str.len() > MAX_PARAM,
        frame=df,
        rule="ADaM IG 1.3 §3.3.4: PARAM of at most 200 characters",
        message="PARAM of at most 200 characters",
    )
    pairs = pd.DataFrame({"c": code, "p": param}).drop_duplicates()
    r.add(
        spec.name,
        "PARAMCD to PARAM one to one",
        variable="PARAMCD",
        failed=int(pairs["c"].duplicated().sum() + pairs["p"].duplicated().sum()),
        rule="ADaM IG 1.3 §3.3.4: PARAM and PARAMCD map one to one",
        message="each PARAMCD has one PARAM and each PARAM one PARAMCD",
    )
    known = dict(spec.parameters)
    r.add(
        spec.name,
        "PARAMCD in the spec",
        variable="PARAMCD",
        failed=~code.isin(list(known)) | (param != code.map(known).fillna(param)),
        frame=df,
        rule="ADaM spec parameters (define.xml PARAMCD codelist)",
        message="PARAMCD and PARAM are the spec's",
    )


def _codelists(r: _Rows, specs: AdamSpecs, spec: DatasetSpec, df: pd.DataFrame) -> None:
    bad = pd.Series(False, index=df.index)
    wrong: list[str] = []
    for v in spec.variables:
        if v.name not in df.columns:
            continue
        checks: list[tuple[pd.Series, str]] = []
        if v.codelist and v.codelist not in ("PARAMCD", "PARAM"):
            checks.append((pd.Series(True, index=df.index), v.codelist))
        for vl in v.value_level:
            if vl.codelist and "PARAMCD" in df.columns:
                checks.append((df["PARAMCD"].isin(vl.paramcd), vl.codelist))
        for rows, cl_id in checks:
            values = df[v.name]
            if pd.api.types.is_numeric_dtype(values):
                text = values.map(lambda x: "" if pd.isna(x) else f"{x:g}")
            else:
                text = _text(values)
            out = rows & text.ne("") & ~text.isin(specs.codelists[cl_id].values)
            if out.any():
                wrong.append(v.name)
            bad |= out
    r.add(
        spec.name,
        "codelist values",
        variable=", ".join(dict.fromkeys(wrong)),
        failed=bad,
        frame=df,
        rule="define.xml codelists (ADaM spec)",
        message="every non-missing value is a term of its codelist",
    )
    notint = pd.Series(False, index=df.index)
    for v in spec.variables:
        if v.type == "integer" and v.name in df.columns:
            x = pd.to_numeric(df[v.name], errors="coerce")
            notint |= x.notna() & (x != np.floor(x))
    r.add(
        spec.name,
        "integer values",
        failed=notint,
        frame=df,
        rule="define.xml DataType integer",
        message="variables declared integer hold whole numbers",
    )


def _records(r: _Rows, spec: DatasetSpec, df: pd.DataFrame, adsl: pd.DataFrame | None) -> None:
    keys = [k for k in spec.keys if k in df.columns]
    dup = df.duplicated(keys, keep="first") if keys else pd.Series(False, index=df.index)
    r.add(
        spec.name,
        "unique keys",
        variable=", ".join(keys),
        failed=dup,
        frame=df,
        rule="ADaM IG 1.3 §2.3 (dataset keys, define.xml KeySequence)",
        message=f"no two records share {', '.join(keys)}",
    )
    if spec.cls == "ADSL" and "USUBJID" in df.columns:
        r.add(
            spec.name,
            "one record per subject",
            variable="USUBJID",
            failed=df["USUBJID"].duplicated(),
            frame=df,
            rule="ADaM IG 1.3 §3.2 (ADSL: one record per subject)",
            message="one record per USUBJID",
        )
    if spec.one_per_subject and {"USUBJID", "PARAMCD"} <= set(df.columns):
        sel = df["PARAMCD"].isin(spec.one_per_subject)
        r.add(
            spec.name,
            "one record per subject and PARAMCD",
            variable="PARAMCD",
            failed=sel & df.duplicated(["USUBJID", "PARAMCD"]),
            frame=df,
            rule="ADaM IG 1.3 §3.3 (subject-level parameters: one record per subject)",
            message=f"one record per subject for {', '.join(spec.one_per_subject)}",
        )
    if "USUBJID" in df.columns:
        empty = _text(df["USUBJID"]).str.strip().eq("")
        r.add(
            spec.name,
            "USUBJID present",
            variable="USUBJID",
            failed=empty,
            frame=df,
            rule="ADaM IG 1.3 (USUBJID Req)",
            message="every record has a USUBJID",
        )
    if adsl is None or spec.cls == "ADSL" or "USUBJID" not in df.columns:
        return
    r.add(
        spec.name,
        "subjects in ADSL",
        variable="USUBJID",
        failed=~df["USUBJID"].isin(adsl["USUBJID"]),
        frame=df,
        rule="ADaM IG 1.3 §3.2 (every analysed subject is in ADSL)",
        message="every USUBJID is in ADSL",
    )
    sl = adsl.drop_duplicates("USUBJID").set_index("USUBJID")
    differ = pd.Series(False, index=df.index)
    names: list[str] = []
    for v in spec.variables:
        if (
            v.origin != "Predecessor"
            or not v.source.startswith("ADSL.")
            or v.name not in df.columns
            or v.name not in sl.columns
        ):
            continue
        want = df["USUBJID"].map(sl[v.name])
        have = df[v.name]
        both_missing = want.isna() & have.isna()
        if pd.api.types.is_datetime64_any_dtype(have) or pd.api.types.is_datetime64_any_dtype(want):
            same = _dates(want).eq(_dates(have))
        elif pd.api.types.is_numeric_dtype(have):
            same = pd.to_numeric(want, errors="coerce").eq(have)
        else:
            same = _text(want).eq(_text(have))
        out = df["USUBJID"].isin(sl.index) & ~(same | both_missing)
        if out.any():
            names.append(v.name)
        differ |= out
    r.add(
        spec.name,
        "ADSL variables copied unchanged",
        variable=", ".join(names),
        failed=differ,
        frame=df,
        rule="ADaM IG 1.3 §3.2 (ADSL variables keep their ADSL values)",
        message="ADSL variables carried into the dataset equal ADSL",
    )


def _tte(r: _Rows, spec: DatasetSpec, df: pd.DataFrame) -> None:
    if "CNSR" not in df.columns:
        return
    cnsr = pd.to_numeric(df["CNSR"], errors="coerce")
    r.add(
        spec.name,
        "CNSR in {0, 1}",
        variable="CNSR",
        failed=~cnsr.isin([0, 1]),
        frame=df,
        rule="ADaM BDS for time-to-event analyses: CNSR 0 event, 1 censored",
        message="CNSR is 0 or 1 on every record",
    )
    if {"ADT", "STARTDT"} <= set(df.columns):
        adt, start = _dates(df["ADT"]), _dates(df["STARTDT"])
        r.add(
            spec.name,
            "ADT >= STARTDT",
            variable="ADT",
            failed=adt.isna() | start.isna() | (adt < start),
            frame=df,
            rule="ADaM BDS for time-to-event analyses (time from STARTDT to ADT)",
            message="ADT and STARTDT present and ADT on or after STARTDT",
        )
        if "AVAL" in df.columns:
            days = (adt - start).dt.days + 1
            aval = pd.to_numeric(df["AVAL"], errors="coerce")
            r.add(
                spec.name,
                "AVAL = ADT - STARTDT + 1",
                variable="AVAL",
                failed=~aval.eq(days),
                frame=df,
                rule="ADaM spec derivation of AVAL (days)",
                message="AVAL equals ADT - STARTDT + 1",
            )
    if "EVNTDESC" in df.columns:
        r.add(
            spec.name,
            "event described",
            variable="EVNTDESC",
            failed=_text(df["EVNTDESC"]).str.strip().eq(""),
            frame=df,
            severity="warning",
            rule="ADaM BDS for time-to-event analyses (EVNTDESC)",
            message="every record says what ADT is",
        )
    if "CNSDTDSC" in df.columns:
        r.add(
            spec.name,
            "censoring described",
            variable="CNSDTDSC",
            failed=cnsr.eq(1) & _text(df["CNSDTDSC"]).str.strip().eq(""),
            frame=df,
            severity="warning",
            rule="ADaM BDS for time-to-event analyses (CNSDTDSC)",
            message="every censored record names its censoring rule",
        )


def _adsl(r: _Rows, df: pd.DataFrame, cutoff: Any) -> None:
    def has(*cols: str) -> bool:
        return set(cols) <= set(df.columns)

    checks: list[tuple[str, str, Callable[[], pd.Series]]] = []
    if has("TRTSDT", "TRTEDT"):
        checks.append(("TRTEDT >= TRTSDT", "TRTEDT", lambda: _dates(df.TRTEDT) < _dates(df.TRTSDT)))
    if has("DTHFL", "DTHDT"):
        checks.append(
            (
                "DTHFL and DTHDT agree",
                "DTHFL",
                lambda: _text(df.DTHFL).eq("Y") != _dates(df.DTHDT).notna(),
            )
        )
    if has("SAFFL", "TRTSDT"):
        checks.append(
            (
                "SAFFL and TRTSDT agree",
                "SAFFL",
                lambda: _text(df.SAFFL).eq("Y") != _dates(df.TRTSDT).notna(),
            )
        )
    if has("EFFFL", "SAFFL"):
        checks.append(
            (
                "EFFFL within SAFFL",
                "EFFFL",
                lambda: _text(df.EFFFL).eq("Y") & ~_text(df.SAFFL).eq("Y"),
            )
        )
    if cutoff is not None:
        cut = pd.Timestamp(cutoff).normalize()
        for col in ("DTHDT", "LSTALVDT", "TRTSDT", "TRTEDT"):
            if col in df.columns:
                checks.append(
                    (f"{col} on or before the cutoff", col, lambda c=col: _dates(df[c]) > cut)
                )
    if has("DTHDT", "LSTALVDT"):
        checks.append(
            (
                "LSTALVDT not after DTHDT",
                "LSTALVDT",
                lambda: _dates(df.LSTALVDT) > _dates(df.DTHDT),
            )
        )
    for check, var, fn in checks:
        r.add(
            "ADSL",
            check,
            variable=var,
            failed=fn().fillna(False).astype(bool),
            frame=df,
            rule="ADaM IG 1.3 §3.2 (ADSL dates and flags)",
            message=check,
        )


def _baseline(r: _Rows, spec: DatasetSpec, df: pd.DataFrame) -> None:
    if not {"ABLFL", "USUBJID", "PARAMCD"} <= set(df.columns):
        return
    y = df[_text(df["ABLFL"]).eq("Y")]
    r.add(
        spec.name,
        "one baseline record",
        variable="ABLFL",
        failed=y.duplicated(["USUBJID", "PARAMCD"]).reindex(df.index, fill_value=False),
        frame=df,
        rule="ADaM IG 1.3 §3.3.3 (ABLFL: at most one baseline per subject and parameter)",
        message="at most one ABLFL 'Y' per subject and PARAMCD",
    )


def _same_labels(r: _Rows, specs: AdamSpecs, names: list[str]) -> None:
    labels: dict[str, set[str]] = {}
    for n in names:
        for v in specs[n].variables:
            labels.setdefault(v.name, set()).add(v.label)
    differ = sorted(k for k, v in labels.items() if len(v) > 1)
    r.add(
        "ALL",
        "same label across datasets",
        variable=", ".join(differ),
        failed=len(differ),
        severity="warning",
        example=", ".join(differ[:3]),
        rule="ADaM IG 1.3 §2.3 (a variable name has one meaning across datasets)",
        message="a variable has the same label in every dataset",
    )


def conformance(
    specs: AdamSpecs,
    datasets: Mapping[str, pd.DataFrame],
    xpt_meta: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    cutoff: Any = None,
) -> pd.DataFrame:
    """Every conformance check of `datasets` ({name: the analysis dataset as derived}).

    `xpt_meta` ({name: {"label", "labels", "formats", "widths"}}) is what the written XPT
    files carry; without it the file-level checks are skipped. Rows are in dataset order,
    then check order.
    """
    r = _Rows()
    frames = {k.upper(): v for k, v in datasets.items()}
    adsl = frames.get("ADSL")
    for name, df in frames.items():
        spec = specs[name]
        meta = (xpt_meta or {}).get(name) or (xpt_meta or {}).get(name.lower())
        _names_labels_lengths(r, spec, df, meta)
        _required(r, spec, df)
        _parameters(r, spec, df)
        _codelists(r, specs, spec, df)
        _records(r, spec, df, adsl)
        _tte(r, spec, df)
        _baseline(r, spec, df)
        if spec.cls == "ADSL":
            _adsl(r, df, cutoff)
    _same_labels(r, specs, list(frames))
    return pd.DataFrame(r.rows, columns=CONFORMANCE_COLUMNS)


def conformance_summary(table: pd.DataFrame) -> str:
    """One line: checks run, failed errors and warnings."""
    if table.empty:
        return "no conformance checks were run"
    failed = table[table["status"] == "fail"]
    counts = failed.groupby("severity").size().to_dict()
    return (
        f"{len(table)} checks: {len(table) - len(failed)} passed, "
        f"{counts.get('error', 0)} error(s), {counts.get('warning', 0)} warning(s), "
        f"{counts.get('note', 0)} note(s) failed"
    )
