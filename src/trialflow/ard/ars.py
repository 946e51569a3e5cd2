"""CDISC Analysis Results Standard (ARS v1.0) reporting event from the ARD and the ADaM specs.

`reporting_event(efficacy, baseline, safety, datasets=..., ...)` returns one ARS
`ReportingEvent` (a JSON-ready dict) for one analysis:

- analysis sets: the population flags the ARD uses (ENRLFL, SAFFL, EFFFL), labelled from the
  ADSL spec;
- data subsets: one per ADaM parameter analysed (ADRS PARAMCD CRSP, ..., ADTTE PARAMCD PFS,
  OS, DOR), named by the spec's PARAM, and treatment-emergent AEs (ADAE TRTEMFL);
- a grouping by best overall response category (ADRS AVALC) for the BOR distribution;
- methods with their operations: a response rate with an exact Clopper-Pearson CI and the
  exact binomial test against p0 (the rate operation references n as NUMERATOR and N as
  DENOMINATOR), a Kaplan-Meier summary (events, censored, median and quartiles with
  Brookmeyer-Crowley CIs, landmark rates), counts with percentages;
- analyses with their results, one result per ARD statistic (raw value as the ARD holds it,
  formatted value as the tables print it);
- outputs (the RTF tables and figures of `tlf/`) and the reporting event's list of contents.

`datasets` are the parsed ADaM spec mappings ({name: spec YAML}); this module reads no file.
The ARS JSON Schema validates the result (`validate_ars`). Keys are written sorted by the
caller, so the file is byte-identical across runs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from trialflow.vocab import BOR_CATEGORIES, TLF_DISPLAYS

RATE_OPERATIONS = [
    ("n", "Number of subjects with the response", "n"),
    ("N", "Number of subjects in the analysis set", "N"),
    ("estimate", "Response rate", "XX.X%"),
    ("lower", "Lower limit of the exact confidence interval", "(XX.X%"),
    ("upper", "Upper limit of the exact confidence interval", "XX.X%)"),
    ("p_value", "One-sided exact binomial test of the rate against p0", "X.XXXX"),
]
KM_OPERATIONS = [
    ("n", "Number of subjects", "N"),
    ("events", "Number of events", "n"),
    ("censored", "Number of censored subjects", "n"),
    ("median", "Median time to event (months)", "XX.X"),
    ("median_lower", "Lower confidence limit of the median (Brookmeyer-Crowley)", "(XX.X"),
    ("median_upper", "Upper confidence limit of the median (Brookmeyer-Crowley)", "XX.X)"),
    ("q25", "25th percentile (months)", "XX.X"),
    ("q75", "75th percentile (months)", "XX.X"),
]
COUNT_OPERATIONS = [
    ("n", "Number of subjects in the category", "n"),
    ("pct", "Percentage of the analysis set", "(XX.X%)"),
]

#: ARD analysis -> (method id, ARS method name, producing function).
METHODS = {
    "orr": "RATE_CP",
    "dcr": "RATE_CP",
    "cbr": "RATE_CP",
    "bor": "COUNT_PCT",
    "km": "KM",
    "teae_overview": "COUNT_PCT",
}
FUNCTIONS = {
    "orr": "trialflow.ard.efficacy.response_rates_ard",
    "dcr": "trialflow.ard.efficacy.response_rates_ard",
    "cbr": "trialflow.ard.efficacy.response_rates_ard",
    "bor": "trialflow.ard.efficacy.bor_table_ard",
    "km": "trialflow.ard.efficacy.km_ard",
    "teae_overview": "trialflow.ard.safety.teae_overview",
}
#: ARD analysis -> the display that shows it.
DISPLAY_OF = {
    "orr": "t_response",
    "dcr": "t_response",
    "cbr": "t_response",
    "bor": "t_response",
    "teae_overview": "t_teae_overview",
}


def _finite(value: str) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _formatted(stat: str, value: str, *, kind: str) -> str:
    """The value as the tables print it ("NE" when not estimable)."""
    x = _finite(value)
    if x is None:
        return "NE" if value in ("", "nan", "inf") else value
    if stat in ("n", "N", "events", "censored") or stat.startswith("n_risk"):
        return str(int(round(x)))
    if kind == "rate" and stat in ("estimate", "lower", "upper"):
        return f"{x * 100:.1f}%"
    if stat == "p_value":
        return f"{x:.4f}"
    if kind == "km" and stat.startswith("surv_"):
        return f"{x * 100:.1f}%"
    return f"{x:.1f}"


def _ident(*parts: str) -> str:
    return "_".join(str(p).replace(" ", "").replace("/", "").replace("-", "") for p in parts)


def _variables(spec: Mapping[str, Any]) -> dict[str, str]:
    return {str(v["name"]): str(v.get("label", "")) for v in spec.get("variables") or ()}


def _params(spec: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in (spec.get("parameters") or {}).items()}


def _stats(ard: pd.DataFrame, analysis: str, parameter: str, **group: str) -> pd.DataFrame:
    sel = ard[(ard["analysis"] == analysis) & (ard["parameter"] == parameter)]
    for col in ("group_var", "group_level"):
        sel = sel[sel[col] == group.get(col, "")]
    return sel


def _operations(method: str, stats: Iterable[str]) -> list[dict[str, Any]]:
    base = {"RATE_CP": RATE_OPERATIONS, "KM": KM_OPERATIONS, "COUNT_PCT": COUNT_OPERATIONS}[method]
    ops = []
    for i, (stat, name, pattern) in enumerate(base, start=1):
        op: dict[str, Any] = {
            "id": _ident("Mth", method, stat),
            "name": name,
            "label": stat,
            "order": i,
            "resultPattern": pattern,
        }
        if method == "RATE_CP" and stat == "estimate":
            op["referencedOperationRelationships"] = [
                {
                    "id": _ident("Mth", method, "estimate", "num"),
                    "operationId": _ident("Mth", method, "n"),
                    "referencedOperationRole": {"controlledTerm": "NUMERATOR"},
                },
                {
                    "id": _ident("Mth", method, "estimate", "den"),
                    "operationId": _ident("Mth", method, "N"),
                    "referencedOperationRole": {"controlledTerm": "DENOMINATOR"},
                },
            ]
        if method == "COUNT_PCT" and stat == "pct":
            op["referencedOperationRelationships"] = [
                {
                    "id": _ident("Mth", method, "pct", "num"),
                    "operationId": _ident("Mth", method, "n"),
                    "referencedOperationRole": {"controlledTerm": "NUMERATOR"},
                }
            ]
        ops.append(op)
    if method == "KM":
        landmarks = sorted(
            {s for s in stats if s.startswith("surv_") and s.endswith("m")},
            key=lambda s: float(s[5:-1]),
        )
        for s in landmarks:
            months = s[5:-1]
            for suffix, what, pattern in (
                ("", f"Event-free rate at {months} months (Greenwood)", "XX.X%"),
                ("_lower", f"Lower confidence limit of the {months}-month rate", "(XX.X%"),
                ("_upper", f"Upper confidence limit of the {months}-month rate", "XX.X%)"),
            ):
                ops.append(
                    {
                        "id": _ident("Mth", method, s + suffix),
                        "name": what,
                        "label": s + suffix,
                        "order": len(ops) + 1,
                        "resultPattern": pattern,
                    }
                )
    return ops


def _method(method: str, ops: list[dict[str, Any]], conf_level: str) -> dict[str, Any]:
    level = _finite(conf_level)
    ci = f"{level * 100:g}%" if level is not None else "95%"
    text = {
        "RATE_CP": (
            "Response rate",
            f"Proportion of subjects with the response, with its exact Clopper-Pearson {ci} "
            "confidence interval (Clopper and Pearson 1934) and the one-sided exact binomial "
            "test against the design's p0. Function: trialflow.stats.rates (via "
            "trialflow.ard.efficacy.response_rates_ard).",
        ),
        "KM": (
            "Kaplan-Meier summary",
            f"Kaplan-Meier estimate of the survival function; median and quartiles with "
            f"Brookmeyer-Crowley {ci} confidence intervals (log-log transform unless the trial "
            "file says otherwise); landmark rates with Greenwood standard errors; months are "
            "days / 30.4375. Function: trialflow.stats.survival (via "
            "trialflow.ard.efficacy.km_ard).",
        ),
        "COUNT_PCT": (
            "Count and percentage",
            "Number of subjects in each category and its percentage of the analysis set.",
        ),
    }[method]
    return {
        "id": _ident("Mth", method),
        "name": text[0],
        "description": text[1],
        "operations": ops,
    }


def reporting_event(
    efficacy: pd.DataFrame,
    safety: pd.DataFrame,
    *,
    datasets: Mapping[str, Mapping[str, Any]],
    trial_id: str,
    title: str,
    cutoff: str,
    primary_endpoint: str,
) -> dict[str, Any]:
    """The ARS v1.0 ReportingEvent of one analysis (trial `trial_id`, data cutoff `cutoff`).

    `efficacy` and `safety` are ARD tables (columns analysis, population, parameter, group_var,
    group_level, stat, value, dataset, filter; values as text). `primary_endpoint` is the
    design's endpoint ("ORR" or "PFS"): its analysis is the primary outcome measure.
    """
    specs = {str(k).upper(): v for k, v in datasets.items()}
    adsl_labels = _variables(specs.get("ADSL", {}))
    ard = pd.concat([efficacy, safety], ignore_index=True).astype(str)

    analyses: list[dict[str, Any]] = []
    subsets: dict[str, dict[str, Any]] = {}
    sets: dict[str, dict[str, Any]] = {}
    methods: dict[str, dict[str, Any]] = {}
    by_display: dict[str, list[str]] = {}

    def analysis_set(flag: str) -> str:
        sid = _ident("AnalysisSet", flag)
        if sid not in sets:
            sets[sid] = {
                "id": sid,
                "name": adsl_labels.get(flag, flag).replace(" Flag", ""),
                "label": flag,
                "level": 1,
                "order": len(sets) + 1,
                "condition": {
                    "dataset": "ADSL",
                    "variable": flag,
                    "comparator": "EQ",
                    "value": ["Y"],
                },
            }
        return sid

    def data_subset(dataset: str, variable: str, value: str) -> str:
        did = _ident("DataSubset", dataset, variable, value)
        if did not in subsets:
            name = _params(specs.get(dataset, {})).get(value) if variable == "PARAMCD" else None
            subsets[did] = {
                "id": did,
                "name": name or f"{dataset} records with {variable} = {value}",
                "label": f"{variable} EQ {value}",
                "level": 1,
                "order": len(subsets) + 1,
                "condition": {
                    "dataset": dataset,
                    "variable": variable,
                    "comparator": "EQ",
                    "value": [value],
                },
            }
        return did

    bor_grouping = {
        "id": "AnlsGrouping_BOR",
        "name": "Best overall response category",
        "groupingDataset": "ADRS",
        "groupingVariable": "AVALC",
        "dataDriven": False,
        "groups": [
            {
                "id": _ident("AnlsGrouping_BOR", cat),
                "name": cat,
                "level": 1,
                "order": i,
                "condition": {
                    "dataset": "ADRS",
                    "variable": "AVALC",
                    "comparator": "EQ",
                    "value": [cat],
                },
            }
            for i, cat in enumerate(BOR_CATEGORIES, start=1)
        ],
    }

    keys = ard[["analysis", "parameter", "population", "dataset"]].drop_duplicates()
    for analysis, parameter, population, dataset in keys.itertuples(index=False):
        if analysis not in METHODS:
            continue
        method = METHODS[analysis]
        kind = {"RATE_CP": "rate", "KM": "km"}.get(method, "count")
        rows = ard[(ard["analysis"] == analysis) & (ard["parameter"] == parameter)]
        overall = _stats(ard, analysis, parameter)
        stats = dict(zip(overall["stat"], overall["value"], strict=True))
        if method not in methods:
            ops = _operations(method, stats)
            methods[method] = _method(method, ops, stats.get("conf_level", ""))
        op_ids = {op["label"]: op["id"] for op in methods[method]["operations"]}
        if dataset == "ADAE":
            subset = data_subset("ADAE", "TRTEMFL", "Y")
        else:
            subset = data_subset(dataset, "PARAMCD", parameter)
        aid = _ident("An", analysis, parameter)
        results = []
        grouped = rows[rows["group_var"] == "AVALC"] if analysis == "bor" else rows.iloc[0:0]
        for stat, value in zip(overall["stat"], overall["value"], strict=True):
            if stat in op_ids:
                results.append(
                    {
                        "operationId": op_ids[stat],
                        "rawValue": value,
                        "formattedValue": _formatted(stat, value, kind=kind),
                    }
                )
        for level, stat, value in zip(
            grouped["group_level"], grouped["stat"], grouped["value"], strict=True
        ):
            if stat in op_ids:
                results.append(
                    {
                        "operationId": op_ids[stat],
                        "resultGroups": [
                            {
                                "groupingId": bor_grouping["id"],
                                "groupId": _ident(bor_grouping["id"], level),
                                "groupValue": level,
                            }
                        ],
                        "rawValue": value,
                        "formattedValue": _formatted(stat, value, kind=kind),
                    }
                )
        primary = (primary_endpoint == "ORR" and analysis == "orr" and parameter == "CRSP") or (
            primary_endpoint == parameter and analysis == "km"
        )
        label = stats.get("label") or _params(specs.get(dataset, {})).get(parameter, parameter)
        entry: dict[str, Any] = {
            "id": aid,
            "name": f"{label} ({parameter})" if analysis != "teae_overview" else parameter,
            "description": (
                f"{rows['filter'].iloc[0]} in {dataset}; produced by {FUNCTIONS[analysis]}"
            ),
            "version": 1,
            "reason": {"controlledTerm": "SPECIFIED IN PROTOCOL"},
            "purpose": {
                "controlledTerm": "PRIMARY OUTCOME MEASURE"
                if primary
                else "SECONDARY OUTCOME MEASURE"
            },
            "dataset": dataset,
            "variable": {"ADRS": "AVALC", "ADTTE": "AVAL", "ADAE": "USUBJID"}.get(
                dataset, "USUBJID"
            ),
            "analysisSetId": analysis_set(population),
            "dataSubsetId": subset,
            "methodId": methods[method]["id"],
            "results": results,
        }
        if analysis == "bor":
            entry["orderedGroupings"] = [
                {"order": 1, "groupingId": bor_grouping["id"], "resultsByGroup": True}
            ]
        analyses.append(entry)
        display = DISPLAY_OF.get(analysis) or f"t_km_{parameter.lower()}"
        by_display.setdefault(display, []).append(aid)

    outputs, items = [], []
    for order, (stem, (number, display_title, _pop)) in enumerate(TLF_DISPLAYS.items(), start=1):
        oid = _ident("Out", stem)
        outputs.append(
            {
                "id": oid,
                "name": f"{number} {display_title}",
                "version": 1,
                "fileSpecifications": [
                    {
                        "name": f"{stem}.rtf",
                        "fileType": {"controlledTerm": "rtf"},
                        "location": f"tlf/{stem}.rtf",
                    }
                ],
                "displays": [
                    {
                        "order": 1,
                        "display": {
                            "id": _ident("Disp", stem),
                            "name": number,
                            "version": 1,
                            "displayTitle": f"{number} {display_title}",
                        },
                    }
                ],
            }
        )
        sub = [
            {"name": a, "level": 2, "order": i, "analysisId": a}
            for i, a in enumerate(by_display.get(stem, []), start=1)
        ]
        item: dict[str, Any] = {
            "name": f"{number} {display_title}",
            "level": 1,
            "order": order,
            "outputId": oid,
        }
        if sub:
            item["sublist"] = {"listItems": sub}
        items.append(item)

    return {
        "id": _ident("RE", trial_id, cutoff),
        "name": f"{title}: analysis at data cutoff {cutoff}",
        "description": (
            "Reporting event of one trialflow analysis: efficacy (objective response with "
            "exact Clopper-Pearson CIs, Kaplan-Meier medians) and safety results read from the "
            "analysis results data (ard/*.csv)."
        ),
        "version": 1,
        "mainListOfContents": {
            "name": "Tables and figures of the clinical study report",
            "contentsList": {"listItems": items},
        },
        "analysisSets": list(sets.values()),
        "dataSubsets": list(subsets.values()),
        "analysisGroupings": [bor_grouping],
        "methods": [methods[k] for k in sorted(methods)],
        "analyses": analyses,
        "outputs": outputs,
    }


def validate_ars(document: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    """Problems of `document` against the ARS JSON Schema (empty list: valid)."""
    import jsonschema

    validator = jsonschema.Draft7Validator(schema)
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path)))
    ]
