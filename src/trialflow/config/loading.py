"""Trial configuration: parse, check and resolve trial files.

A trial file is YAML, checked against `workflow/schemas/trial.schema.yaml`. This module turns
schema violations and semantic problems (a cutoff that is not a date, a raw path that does not
exist or leaves the project) into one-line `ConfigError`s that name the file, the key and what
was expected, and fills every option's documented default.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from trialflow.errors import ConfigError


class _TextDateLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The safe loader (in C when PyYAML has libyaml), except that dates stay text:
    `2020-13-45` is then reported by the schema check with its key instead of failing inside
    the YAML parser."""


_TextDateLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_yaml(text: str, source: str) -> Any:
    """Parse YAML with the safe loader only: tags that construct objects are refused."""
    try:
        return yaml.load(text, Loader=_TextDateLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{source}{where}: not valid YAML ({problem})") from None


def _dates_to_text(value: Any) -> Any:
    """YAML reads 2020-06-30 as a date; the schema and paths want the ISO text."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _dates_to_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_to_text(v) for v in value]
    return value


def _key_path(path: Iterable[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _describe(error: jsonschema.ValidationError) -> tuple[str, str]:
    """Return (key path, what was expected) for one schema violation."""
    path = list(error.absolute_path)
    validator = error.validator
    if validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        key = _key_path([*path, extra[0]]) if extra else _key_path(path)
        return key, f"unknown key; allowed keys here are {', '.join(allowed)}"
    if validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return _key_path([*path, missing]), "a value (the key is required)"
    if validator == "type":
        expected = error.validator_value
        if isinstance(expected, list):
            expected = " or ".join(expected)
        return _key_path(path), f"a value of type {expected}, got {error.instance!r}"
    if validator == "enum":
        options = ", ".join(repr(v) for v in error.validator_value)
        return _key_path(path), f"one of {options}, got {error.instance!r}"
    if validator == "pattern":
        return _key_path(path), f"text matching {error.validator_value}, got {error.instance!r}"
    if validator in {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}:
        return _key_path(path), f"{validator} {error.validator_value}, got {error.instance!r}"
    return _key_path(path), error.message


def schema_problems(data: Any, schema: Mapping[str, Any]) -> list[tuple[str, str]]:
    """All schema violations of `data`, as (key path, expected) pairs, in a stable order."""
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(
        validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message)
    )
    return [_describe(e) for e in errors]


def apply_defaults(data: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    """Return a copy of `data` with every missing option set to the schema's default."""
    out = copy.deepcopy(dict(data))
    for key, sub in schema.get("properties", {}).items():
        if key not in out and "default" in sub:
            out[key] = copy.deepcopy(sub["default"])
        if isinstance(out.get(key), dict) and sub.get("type") == "object":
            out[key] = apply_defaults(out[key], sub)
    return out


TRIAL_SCHEMA = Path(__file__).resolve().parents[3] / "workflow" / "schemas" / "trial.schema.yaml"
"""The trial-file schema of this checkout: the one place every option's default is written."""


def resolve_sections(sections: Mapping[str, Any], schema_path: Path = TRIAL_SCHEMA) -> dict:
    """A trial mapping built from `sections` (e.g. ``{"design": {...}}``) with every other
    option set to the schema's default, for code that runs outside the workflow (tests,
    benchmarks, the command line). The identity keys get placeholder values."""
    schema = parse_yaml(schema_path.read_text(encoding="utf-8"), str(schema_path))
    data = {
        "id": "trial",
        "title": "Trial",
        "studyid": "TRIAL",
        "deliveries": [{"cutoff": "2000-01-01", "raw": "resources/raw/trial"}],
        **sections,
    }
    return apply_defaults(data, schema)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def check_path(value: str, *, root: Path, source: str, key: str, must_exist: bool) -> Path:
    """Resolve a project-relative path; refuse absolute paths and paths that leave the root."""
    path = Path(value)
    if path.is_absolute() or not _inside(root / path, root):
        raise ConfigError(
            f"{source}: key '{key}': expected a path inside the project, got {value!r}"
        )
    if must_exist and not (root / path).exists():
        raise ConfigError(f"{source}: key '{key}': path {value!r} does not exist")
    return path


def check_trial(data: Any, schema: Mapping[str, Any], *, source: str, root: Path) -> dict[str, Any]:
    """Validate one parsed trial file and return it resolved with defaults.

    Raises `ConfigError` naming `source`, the key and what was expected on the first problem:
    schema violations (unknown key, wrong type, bad id), a cutoff that is not a real date,
    duplicated cutoffs, and a raw path that is missing or leaves the project.
    """
    if not isinstance(data, dict):
        raise ConfigError(
            f"{source}: expected a mapping of trial options, got {type(data).__name__}"
        )
    data = _dates_to_text(data)
    problems = schema_problems(data, schema)
    if problems:
        key, expected = problems[0]
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise ConfigError(f"{source}: key '{key}': expected {expected}{more}")
    seen: set[str] = set()
    for i, delivery in enumerate(data["deliveries"]):
        key = f"deliveries[{i}]"
        try:
            dt.date.fromisoformat(delivery["cutoff"])
        except ValueError:
            raise ConfigError(
                f"{source}: key '{key}.cutoff': expected a real date YYYY-MM-DD, got {delivery['cutoff']!r}"
            ) from None
        if delivery["cutoff"] in seen:
            raise ConfigError(
                f"{source}: key '{key}.cutoff': cutoff {delivery['cutoff']} appears twice"
            )
        seen.add(delivery["cutoff"])
        check_path(delivery["raw"], root=root, source=source, key=f"{key}.raw", must_exist=True)
    return apply_defaults(data, schema)


def check_config(config: Any, schema: Mapping[str, Any], *, source: str, root: Path) -> list[Path]:
    """Validate the workflow config and return the trial-file paths it lists."""
    if not isinstance(config, dict):
        raise ConfigError(f"{source}: expected a mapping with the key 'trials'")
    problems = schema_problems(config, schema)
    if problems:
        key, expected = problems[0]
        raise ConfigError(f"{source}: key '{key}': expected {expected}")
    return [
        check_path(p, root=root, source=source, key=f"trials[{i}]", must_exist=True)
        for i, p in enumerate(config["trials"])
    ]


def check_unique_ids(trials: Iterable[tuple[str, Mapping[str, Any]]]) -> None:
    """Two trial files may not share an id: their outputs would collide."""
    seen: dict[str, str] = {}
    for source, trial in trials:
        if trial["id"] in seen:
            raise ConfigError(
                f"{source}: key 'id': trial id {trial['id']!r} is already used by {seen[trial['id']]}"
            )
        seen[trial["id"]] = source
