"""ADaM specifications as data: `workflow/schemas/adam/<dataset>.yaml` and `codelists.yaml`.

Each dataset spec names the dataset, its label, class (ADSL, BDS, OCCDS or OTHER), structure,
keys and the function that derives it; each variable its name, label, type, length, display
format, codelist, origin and derivation (the format is described in
`workflow/schemas/adam/README.md`). `parse_specs` checks every entry against the limits of
ADaM IG 1.3 §2.3 and SAS transport v5 (SAS TS-140): names of at most 8 characters, labels of
at most 40 ASCII characters, character lengths of at most 200 bytes; a breach is a
`ConfigError` naming the spec file and the variable.

`spec_problems` compares a written dataset with its spec (variables missing from either side).
Parsing takes mappings already read from YAML, so this module does no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from trialflow.errors import ConfigError

MAX_NAME = 8
MAX_LABEL = 40
MAX_CHAR_BYTES = 200
MAX_PARAM = 200

TYPES = ("text", "integer", "float", "date")
CLASSES = {
    "ADSL": "SUBJECT LEVEL ANALYSIS DATASET",
    "BDS": "BASIC DATA STRUCTURE",
    "OCCDS": "OCCURRENCE DATA STRUCTURE",
    "OTHER": "ADAM OTHER",
}
"""Spec class -> Define-XML 2.1 / ADaM class name."""
ORIGINS = ("Derived", "Predecessor", "Assigned")
DATE_FORMAT = "DATE9."

_NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,7}$")
_FUNCTION = re.compile(r"^trialflow(\.[a-z_][a-z0-9_]*)+$")
_FORMAT = re.compile(r"^[A-Z$]*[0-9]*\.[0-9]*$")


@dataclass(frozen=True)
class Codelist:
    """A codelist: id, name, data type and its terms as (coded value, decode or "")."""

    id: str
    name: str
    type: str
    terms: tuple[tuple[str, str], ...]

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(v for v, _ in self.terms)


@dataclass(frozen=True)
class ValueLevel:
    """Metadata of one variable for the records whose PARAMCD is in `paramcd`."""

    paramcd: tuple[str, ...]
    type: str
    length: int | None
    format: str
    codelist: str
    derivation: str
    function: str
    rule: str


@dataclass(frozen=True)
class VariableSpec:
    """One ADaM variable. `length` is the maximum in bytes (8 for numeric variables)."""

    name: str
    label: str
    type: str
    length: int
    format: str
    codelist: str
    origin: str
    source: str
    derivation: str
    function: str
    rule: str
    value_level: tuple[ValueLevel, ...] = ()

    @property
    def is_char(self) -> bool:
        return self.type == "text"

    @property
    def method(self) -> str:
        """The derivation as define.xml shows it: what, the rule and the function."""
        what = self.derivation or f"Copied from {self.source}."
        rule = f" Rule: {self.rule}." if self.rule else ""
        return f"{what}{rule} Function: {self.function}."


@dataclass(frozen=True)
class DatasetSpec:
    """One ADaM dataset: label, class, structure, keys, parameters and variables in order."""

    name: str
    label: str
    cls: str
    structure: str
    keys: tuple[str, ...]
    function: str
    rule: str
    variables: tuple[VariableSpec, ...]
    parameters: tuple[tuple[str, str], ...] = ()
    one_per_subject: tuple[str, ...] = ()
    extra_predecessors: str = ""
    source: str = ""

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.variables]

    def variable(self, name: str) -> VariableSpec:
        for v in self.variables:
            if v.name == name:
                return v
        raise KeyError(f"{self.name} has no variable {name}")

    @property
    def class_name(self) -> str:
        """The ADaM class as Define-XML 2.1 names it."""
        return CLASSES[self.cls]


@dataclass(frozen=True)
class AdamSpecs:
    """Every dataset spec (by upper-case name, in the order given) and the codelists."""

    datasets: dict[str, DatasetSpec]
    codelists: dict[str, Codelist] = field(default_factory=dict)

    def __getitem__(self, name: str) -> DatasetSpec:
        try:
            return self.datasets[name.upper()]
        except KeyError:
            raise ConfigError(
                f"ADaM spec for {name.upper()} not found (expected "
                f"workflow/schemas/adam/{name.lower()}.yaml)"
            ) from None


# --------------------------------------------------------------------------- parsing


def _text(entry: Mapping[str, Any], key: str) -> str:
    value = entry.get(key, "")
    return "" if value is None else str(value).strip()


def _check_label(label: str, where: str) -> None:
    if not label:
        raise ConfigError(f"{where}: label missing")
    if len(label) > MAX_LABEL:
        raise ConfigError(
            f"{where}: label {label!r} has {len(label)} characters (at most {MAX_LABEL})"
        )
    if not label.isascii():
        raise ConfigError(f"{where}: label {label!r} is not ASCII (SAS transport v5)")


def _check_type(entry: Mapping[str, Any], where: str) -> tuple[str, int | None, str]:
    vtype = _text(entry, "type")
    if vtype not in TYPES:
        raise ConfigError(f"{where}: type {vtype!r} is not one of {', '.join(TYPES)}")
    fmt = _text(entry, "format")
    length = entry.get("length")
    if vtype == "text":
        if not isinstance(length, int) or not 1 <= length <= MAX_CHAR_BYTES:
            raise ConfigError(
                f"{where}: text length {length!r} must be a whole number of bytes from 1 to "
                f"{MAX_CHAR_BYTES}"
            )
    elif length not in (None, 8):
        raise ConfigError(f"{where}: numeric variables have length 8, not {length!r}")
    if vtype == "date" and fmt != DATE_FORMAT:
        raise ConfigError(f"{where}: a date needs format {DATE_FORMAT}, not {fmt!r}")
    if fmt and not _FORMAT.match(fmt):
        raise ConfigError(f"{where}: display format {fmt!r} is not a SAS format")
    return vtype, (length if vtype == "text" else 8), fmt


def _check_function(name: str, where: str) -> str:
    if not _FUNCTION.match(name):
        raise ConfigError(f"{where}: function {name!r} is not a trialflow dotted name")
    return name


def _check_codelist(cl: str, codelists: Mapping[str, Codelist], where: str) -> str:
    if cl and cl not in codelists and cl not in ("PARAMCD", "PARAM"):
        raise ConfigError(f"{where}: codelist {cl!r} is not in codelists.yaml")
    return cl


def parse_codelists(raw: Mapping[str, Any], *, source: str = "codelists.yaml") -> dict:
    """`{id: Codelist}` from the parsed codelists file."""
    out: dict[str, Codelist] = {}
    for cid, entry in (raw or {}).items():
        where = f"{source}, codelist {cid}"
        if not isinstance(entry, Mapping) or not entry.get("terms"):
            raise ConfigError(f"{where}: expected a mapping with name, type and terms")
        ctype = _text(entry, "type")
        if ctype not in ("text", "integer", "float"):
            raise ConfigError(f"{where}: type {ctype!r} is not text, integer or float")
        terms = []
        for term in entry["terms"]:
            value = _text(term, "value")
            if value == "":
                raise ConfigError(f"{where}: a term has no value")
            terms.append((value, _text(term, "decode")))
        if len({v for v, _ in terms}) != len(terms):
            raise ConfigError(f"{where}: repeated term")
        out[str(cid)] = Codelist(str(cid), _text(entry, "name") or str(cid), ctype, tuple(terms))
    return out


def _value_level(
    entries: Sequence[Mapping[str, Any]],
    *,
    variable: str,
    parameters: Sequence[str],
    codelists: Mapping[str, Codelist],
    function: str,
    rule: str,
    where: str,
) -> tuple[ValueLevel, ...]:
    out = []
    seen: set[str] = set()
    for i, entry in enumerate(entries, start=1):
        w = f"{where}, value level {i}"
        codes = tuple(str(c) for c in entry.get("paramcd") or ())
        unknown = [c for c in codes if c not in parameters]
        if not codes or unknown:
            raise ConfigError(f"{w}: PARAMCD {', '.join(unknown) or '(none)'} not in parameters")
        again = seen.intersection(codes)
        if again:
            raise ConfigError(f"{w}: PARAMCD {', '.join(sorted(again))} has two value levels")
        seen.update(codes)
        vtype, length, fmt = _check_type(entry, w)
        derivation = _text(entry, "derivation")
        if not derivation:
            raise ConfigError(f"{w}: derivation missing")
        out.append(
            ValueLevel(
                paramcd=codes,
                type=vtype,
                length=length,
                format=fmt,
                codelist=_check_codelist(_text(entry, "codelist"), codelists, w),
                derivation=derivation,
                function=_check_function(_text(entry, "function") or function, w),
                rule=_text(entry, "rule") or rule,
            )
        )
    return tuple(out)


def parse_dataset(
    raw: Mapping[str, Any], codelists: Mapping[str, Codelist], *, source: str
) -> DatasetSpec:
    """One `DatasetSpec` from a parsed `<dataset>.yaml`; `source` names the file in errors."""
    name = _text(raw, "name").upper()
    if not _NAME.match(name):
        raise ConfigError(f"{source}: dataset name {name!r} is not a SAS name of 1-8 characters")
    _check_label(_text(raw, "label"), f"{source}, dataset {name}")
    cls = _text(raw, "class")
    if cls not in CLASSES:
        raise ConfigError(f"{source}: class {cls!r} is not one of {', '.join(CLASSES)}")
    function = _check_function(_text(raw, "function"), source)
    rule = _text(raw, "rule")
    parameters = tuple((str(k), str(v)) for k, v in (raw.get("parameters") or {}).items())
    for code, param in parameters:
        if len(code) > MAX_NAME or not _NAME.match(code):
            raise ConfigError(f"{source}: PARAMCD {code!r} is not a name of at most 8 characters")
        if not param or len(param.encode("utf-8")) > MAX_PARAM:
            raise ConfigError(f"{source}: PARAM of {code} must have 1 to {MAX_PARAM} bytes")
    codes = [c for c, _ in parameters]
    if cls == "BDS" and not parameters:
        raise ConfigError(f"{source}: a BDS dataset needs parameters (PARAMCD: PARAM)")

    value_levels = raw.get("value_level") or {}
    variables: list[VariableSpec] = []
    for entry in raw.get("variables") or ():
        var = _text(entry, "name")
        where = f"{source}, variable {var or '?'}"
        if not _NAME.match(var):
            raise ConfigError(f"{where}: not an upper-case SAS name of 1-8 characters")
        if var in (v.name for v in variables):
            raise ConfigError(f"{where}: listed twice")
        label = _text(entry, "label")
        _check_label(label, where)
        vtype, length, fmt = _check_type(entry, where)
        origin = _text(entry, "origin")
        if origin not in ORIGINS:
            raise ConfigError(f"{where}: origin {origin!r} is not one of {', '.join(ORIGINS)}")
        src, derivation = _text(entry, "source"), _text(entry, "derivation")
        if origin == "Predecessor" and not src:
            raise ConfigError(f"{where}: a Predecessor needs its source (DATASET.VARIABLE)")
        if origin != "Predecessor" and not derivation:
            raise ConfigError(f"{where}: a {origin} variable needs its derivation text")
        var_function = _check_function(_text(entry, "function") or function, where)
        var_rule = _text(entry, "rule")
        levels = _value_level(
            value_levels.get(var) or (),
            variable=var,
            parameters=codes,
            codelists=codelists,
            function=var_function,
            rule=var_rule or rule,
            where=where,
        )
        variables.append(
            VariableSpec(
                name=var,
                label=label,
                type=vtype,
                length=int(length or 8),
                format=fmt,
                codelist=_check_codelist(_text(entry, "codelist"), codelists, where),
                origin=origin,
                source=src,
                derivation=derivation,
                function=var_function,
                rule=var_rule,
                value_level=levels,
            )
        )
    if not variables:
        raise ConfigError(f"{source}: no variables")
    names = [v.name for v in variables]
    unknown_vl = sorted(set(value_levels) - set(names))
    if unknown_vl:
        raise ConfigError(f"{source}: value_level for unknown variable {unknown_vl[0]}")
    keys = tuple(str(k) for k in raw.get("keys") or ())
    missing_keys = [k for k in keys if k not in names]
    if not keys or missing_keys:
        raise ConfigError(f"{source}: keys {missing_keys or '(none)'} are not variables")
    one = tuple(str(c) for c in raw.get("one_per_subject") or ())
    if set(one) - set(codes):
        raise ConfigError(f"{source}: one_per_subject names a PARAMCD not in parameters")
    return DatasetSpec(
        name=name,
        label=_text(raw, "label"),
        cls=cls,
        structure=_text(raw, "structure") or "One record per subject",
        keys=keys,
        function=function,
        rule=rule,
        variables=tuple(variables),
        parameters=parameters,
        one_per_subject=one,
        extra_predecessors=_text(raw, "extra_predecessors").upper(),
        source=source,
    )


def parse_specs(
    datasets: Mapping[str, Mapping[str, Any]],
    codelists: Mapping[str, Any],
) -> AdamSpecs:
    """`AdamSpecs` from `{file name: parsed dataset YAML}` and the parsed codelists file."""
    cls = parse_codelists(codelists)
    out: dict[str, DatasetSpec] = {}
    for source, raw in datasets.items():
        spec = parse_dataset(raw, cls, source=source)
        if spec.name in out:
            raise ConfigError(f"{source}: dataset {spec.name} is specified twice")
        out[spec.name] = spec
    for spec in out.values():
        if spec.cls == "BDS" and not {"AVAL", "AVALC"} & set(spec.names):
            raise ConfigError(f"{spec.source}: a BDS dataset needs AVAL or AVALC")
    return AdamSpecs(out, cls)


# --------------------------------------------------------------------------- spec vs data


def spec_problems(columns: Iterable[str], spec: DatasetSpec) -> tuple[list[str], list[str]]:
    """(variables in the data but not in the spec, spec variables missing from the data).

    For a dataset with `extra_predecessors` (ADAE carries the cleaned AE domain), variables
    outside the spec are not returned here: `extra_columns` lists them.
    """
    cols = [str(c) for c in columns]
    spec_names = spec.names
    extra = [c for c in cols if c not in spec_names]
    missing = [v for v in spec_names if v not in cols]
    if spec.extra_predecessors:
        extra = []
    return extra, missing


def extra_columns(columns: Iterable[str], spec: DatasetSpec) -> list[str]:
    """Columns outside the spec (kept in Parquet, left out of the XPT file and define.xml)."""
    names = set(spec.names)
    return [str(c) for c in columns if str(c) not in names]


def spec_mismatch_message(columns: Iterable[str], spec: DatasetSpec) -> str:
    """One line saying how the data and the spec differ ("" when they agree)."""
    extra, missing = spec_problems(columns, spec)
    parts = []
    if extra:
        parts.append(
            f"variable(s) {', '.join(extra)} are not in {spec.source}: add each with name, "
            "label, type, length, origin and derivation"
        )
    if missing:
        parts.append(f"variable(s) {', '.join(missing)} of {spec.source} are not in the data")
    return f"{spec.name}: " + "; ".join(parts) if parts else ""
