"""Readers and deterministic writers used by every stage (the only file I/O of the library).

- `read_domain(path)`: one raw SDTM domain (CSV or SAS XPT) as text, with `SRCROW`.
- `read_specs(paths)`: the per-domain YAML specs of `workflow/schemas/sdtm/`.
- `write_parquet`, `write_csv`, `write_xpt`: outputs that are byte-identical across runs
  (no timestamps, no absolute paths, stable float formatting and dtypes).
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from trialflow.errors import InputError

SRCROW = "SRCROW"
_DELIMITERS = (";", "\t", "|")
#: Fixed creation/modification stamp written into XPT headers (SAS datetime text).
XPT_TIMESTAMP = b"01JAN70:00:00:00"
_XPT_STAMP = re.compile(rb"\d{2}[A-Z]{3}\d{2}:\d{2}:\d{2}:\d{2}")
_XPT_OBS = b"HEADER RECORD*******OBS     HEADER RECORD"
_NUMBER = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# The safe loader, in C when PyYAML was built with libyaml (the same documents and errors,
# several times faster on the specs every ADaM job reads).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# --------------------------------------------------------------------------- readers


def read_domain(path: str | os.PathLike[str], *, name: str | None = None) -> pd.DataFrame:
    """Read one raw domain file (`.csv` or `.xpt`) with every value as text.

    Variable names are stripped and upper-cased; values are kept exactly as delivered (XPT
    numbers are written as their shortest round-trip text, integers without `.0`, missing
    as empty text). A column `SRCROW` gives the 1-based data-row number (header not counted).
    `name` is the file name used in error messages (default: `path` as given).

    Raises `InputError` (one line, naming the file) for an empty file, a file that is not
    UTF-8 text or not a CSV/XPT at all, a wrong delimiter, duplicate or empty variable names,
    or a row with the wrong number of fields.
    """
    path = Path(path)
    label = name or str(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError(label, "file not found")
    if path.stat().st_size == 0:
        raise InputError(label, "the file is empty")
    if suffix == ".csv":
        df = _read_csv(path, label)
    elif suffix == ".xpt":
        df = _read_xpt(path, label)
    else:
        raise InputError(label, "not a domain file", expected=".csv or .xpt")
    df.columns = [str(c).strip().upper() for c in df.columns]
    _check_names(df.columns, label)
    if SRCROW in df.columns:
        raise InputError(label, f"reserved variable name {SRCROW}", variable=SRCROW)
    df = df.reset_index(drop=True)
    df[SRCROW] = np.arange(1, len(df) + 1, dtype="int64")
    return df


def _read_csv(path: Path, label: str) -> pd.DataFrame:
    data = path.read_bytes()
    if b"\x00" in data[:65536]:
        raise InputError(label, "not a text file (binary content)", expected="a UTF-8 CSV file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            label,
            f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x} on line {line})",
            expected="UTF-8 encoded CSV",
        ) from None
    if not text.strip():
        raise InputError(label, "the file is empty (no header)")
    header = next(csv.reader(io.StringIO(text)))
    if len(header) == 1 and any(d in header[0] for d in _DELIMITERS):
        found = next(d for d in _DELIMITERS if d in header[0])
        raise InputError(
            label,
            f"wrong delimiter: the header is one column containing {found!r}",
            expected="comma-separated values",
        )
    _check_names([h.strip().upper() for h in header], label)
    try:
        df = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        msg = str(exc).strip().splitlines()[-1]
        m = re.search(r"line (\d+), saw (\d+)", msg)
        if m:
            raise InputError(
                label,
                f"line {m.group(1)} has {m.group(2)} fields but the header has {len(header)}",
            ) from None
        raise InputError(label, f"cannot be read as CSV ({msg})") from None
    if len(df.columns) != len(header):
        raise InputError(label, "cannot be read as CSV (inconsistent header)")
    return df


def _read_xpt(path: Path, label: str) -> pd.DataFrame:
    import pyreadstat

    try:
        df, _meta = pyreadstat.read_xport(str(path))
    except Exception as exc:  # pyreadstat raises its own error types for any bad file
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise InputError(label, f"cannot be read as SAS XPT ({reason})") from None
    out = {}
    for col in df.columns:
        values = df[col]
        if pd.api.types.is_numeric_dtype(values):
            out[col] = number_text(values.astype("float64"))
        elif pd.api.types.is_datetime64_any_dtype(values):
            out[col] = values.dt.strftime("%Y-%m-%d").where(values.notna(), "").astype(object)
        else:
            out[col] = values.astype("object").where(values.notna(), "").astype(str)
    return pd.DataFrame(out, columns=list(df.columns))


def number_text(values: pd.Series) -> pd.Series:
    """Floats as shortest round-trip text; whole numbers without `.0`; missing -> ''."""
    arr = values.to_numpy(dtype="float64")
    finite = np.isfinite(arr)
    whole = finite & (np.abs(arr) < 2**53) & (np.floor(arr) == arr)
    text = arr.astype(str).astype(object)
    if whole.any():
        text[whole] = arr[whole].astype("int64").astype(str)
    text[~finite & ~np.isnan(arr)] = arr[~finite & ~np.isnan(arr)].astype(str)
    text[np.isnan(arr)] = ""
    return pd.Series(text, index=values.index, dtype="object")


def _check_names(names: Sequence[str], label: str) -> None:
    seen: set[str] = set()
    for i, n in enumerate(names, start=1):
        if not n:
            raise InputError(label, f"column {i} has no variable name")
        if n in seen:
            raise InputError(label, "variable appears twice in the header", variable=n)
        seen.add(n)


def read_csv_text(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a CSV written by `write_csv` with every cell as text (missing -> empty text)."""
    path = Path(path)
    if path.stat().st_size == 0:
        return pd.DataFrame()
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8")


#: SDTMIG v3.4 core designations a spec variable may carry (§4.1.5): Required, Expected,
#: Permissible.
CORE_DESIGNATIONS = ("Req", "Exp", "Perm")


def read_specs(paths: Iterable[str | os.PathLike[str]]) -> dict[str, dict]:
    """Read the per-domain SDTM specs: `{domain (lower case): spec}`, keyed by the file stem.

    Every variable entry must carry its SDTMIG core designation (`core: Req|Exp|Perm`), except a
    second entry for the same variable (`variable:` set); otherwise an InputError names the
    spec file and the variable.
    """
    specs: dict[str, dict] = {}
    for p in sorted(Path(x) for x in paths):
        try:
            spec = yaml.load(p.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506
        except yaml.YAMLError as exc:
            raise InputError(str(p), f"invalid YAML ({' '.join(str(exc).split())})") from None
        if not isinstance(spec, dict) or "domain" not in spec:
            raise InputError(str(p), "not a domain spec", expected="a mapping with 'domain'")
        for key, entry in (spec.get("variables") or {}).items():
            entry = entry or {}
            if "variable" in entry:  # a second entry for one variable: the first has the core
                continue
            if entry.get("core") not in CORE_DESIGNATIONS:
                raise InputError(
                    str(p),
                    "variable without an SDTMIG core designation",
                    variable=str(key),
                    expected="core: Req, Exp or Perm",
                )
        specs[p.stem.lower()] = spec
    return specs


def read_xpt_dataset(path: str | os.PathLike[str]) -> tuple[pd.DataFrame, dict]:
    """Read an analysis dataset written by `write_xpt` with its metadata:
    `{"name", "label", "labels": {var: label}, "formats": {var: format}, "widths": {var: bytes}}`.
    Dates stay SAS day numbers (an all-missing date column cannot be converted).
    """
    import pyreadstat

    df, meta = pyreadstat.read_xport(str(path), disable_datetime_conversion=True)
    info = {
        "name": meta.table_name or "",
        "label": meta.file_label or "",
        "labels": {k: v or "" for k, v in meta.column_names_to_labels.items()},
        "formats": {k: v for k, v in meta.original_variable_types.items() if v},
        "widths": dict(meta.variable_storage_width),
        "types": dict(meta.readstat_variable_types),
    }
    return df, info


def read_yaml(path: str | os.PathLike[str]) -> object:
    """Parse one YAML file; invalid YAML is an `InputError` naming the file."""
    p = Path(path)
    try:
        return yaml.load(p.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506
    except yaml.YAMLError as exc:
        raise InputError(str(p), f"invalid YAML ({' '.join(str(exc).split())})") from None


# --------------------------------------------------------------------------- writers


def _arrow_table(df: pd.DataFrame) -> pa.Table:
    fields = []
    arrays = []
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            arr = pa.array(s.astype("datetime64[ns]"), type=pa.timestamp("ns"))
        elif pd.api.types.is_bool_dtype(s):
            arr = pa.array(s, type=pa.bool_())
        elif pd.api.types.is_integer_dtype(s) and not isinstance(s.dtype, pd.Int64Dtype):
            arr = pa.array(s, type=pa.int64())
        elif pd.api.types.is_numeric_dtype(s):
            arr = pa.array(s.astype("float64"), type=pa.float64(), from_pandas=True)
        else:
            vals = s.astype("object")
            vals = vals.where(vals.notna(), None)
            try:
                arr = pa.array(vals.to_numpy(), type=pa.string(), from_pandas=True)
            except (pa.ArrowTypeError, pa.ArrowInvalid):
                arr = pa.array([None if v is None else str(v) for v in vals], type=pa.string())
        fields.append(pa.field(str(col), arr.type))
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def write_parquet(df: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a DataFrame to Parquet deterministically.

    No index; text and object columns as `string`, numbers as `float64` (integers as
    `int64`), dates as `timestamp[ns]`; no pandas metadata, fixed writer options.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    table = _arrow_table(df.reset_index(drop=True))
    pq.write_table(
        table,
        str(path),
        compression="zstd",
        compression_level=3,
        use_dictionary=True,
        write_statistics=True,
        store_schema=False,
    )


def read_parquet(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a Parquet file written by `write_parquet` (text as object, missing as None)."""
    table = pq.read_table(str(path))
    df = table.to_pandas()
    for f in table.schema:
        if pa.types.is_string(f.type) or pa.types.is_large_string(f.type):
            col = df[f.name].astype("object")
            df[f.name] = col.where(col.notna(), None)
    return df


def neutralize_formulas(values: pd.Series) -> pd.Series:
    """Prefix `'` to text cells that a spreadsheet would run as a formula (CSV injection).

    Text starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading single quote,
    except text that is a plain number (`-5`, `+1.5e3`), which stays a number.
    """
    text = values.astype("object")
    is_str = text.map(lambda v: isinstance(v, str))
    s = text.where(is_str, "").astype(str)
    risky = is_str & s.str.startswith(_FORMULA_START) & ~s.str.match(_NUMBER.pattern)
    return text.where(~risky, "'" + s)


def _format_column(s: pd.Series, float_format: str) -> pd.Series:
    if pd.api.types.is_bool_dtype(s):
        return s.map({True: "true", False: "false"}).astype(object)
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.dt.strftime("%Y-%m-%d").where(s.notna(), "").astype(object)
    if pd.api.types.is_integer_dtype(s):
        return s.astype("object").where(s.notna(), "").astype(str)
    if pd.api.types.is_float_dtype(s):
        arr = s.to_numpy(dtype="float64")
        out = np.array([float_format % v for v in arr], dtype=object) if len(arr) else arr
        out = pd.Series(out, index=s.index, dtype="object")
        out[np.isnan(arr)] = ""
        return out.str.replace(r"^-0$", "0", regex=True)
    s = s.astype("object")
    return neutralize_formulas(s.where(s.notna(), ""))


def write_csv(
    df: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    sort_by: Sequence[str] | None = None,
    float_format: str = "%.15g",
) -> None:
    """Write a table as CSV deterministically.

    Rows are sorted by `sort_by` when given (stable sort, missing first); floats use
    `float_format` (default `%.15g`, so 0.1 + 0.2 prints as 0.3 and 3.0 as 3); dates are ISO;
    missing values are empty; text cells that look like spreadsheet formulas are neutralized
    with a leading `'` (numbers stay numbers). UTF-8, `\\n` line ends, no index.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = df.reset_index(drop=True)
    if sort_by:
        out = out.sort_values(list(sort_by), kind="mergesort", na_position="first")
    text = pd.DataFrame({c: _format_column(out[c], float_format) for c in out.columns})
    text.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def write_xpt(
    df: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    name: str,
    label: str = "",
    column_labels: Sequence[str] | None = None,
    variable_format: Mapping[str, str] | None = None,
) -> None:
    """Write a SAS transport (XPT v5) file that is byte-identical across runs.

    `column_labels` (one per column) and `variable_format` ({variable: SAS display format})
    are written into the variable descriptors.

    pyreadstat writes the creation and modification datetimes into the library and member
    headers; they are replaced by the fixed `XPT_TIMESTAMP` (01JAN70:00:00:00). Only the
    header records before the first observation header are touched, never the data.
    """
    import pyreadstat

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pyreadstat.write_xport(
        df.reset_index(drop=True),
        str(path),
        file_label=label,
        column_labels=list(column_labels) if column_labels is not None else None,
        table_name=name,
        file_format_version=5,
        variable_format=dict(variable_format) if variable_format else None,
    )
    data = path.read_bytes()
    end = data.find(_XPT_OBS)
    head = data if end < 0 else data[:end]
    head = _XPT_STAMP.sub(XPT_TIMESTAMP, head)
    path.write_bytes(head + (b"" if end < 0 else data[end:]))
