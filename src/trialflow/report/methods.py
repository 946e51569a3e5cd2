"""The report's Methods table, rendered from the typed options the analysis ran with
(`trialflow.config.options.TrialOptions`), so it cannot drift from what ran.

Every field of every option object is a row (its label from the option's metadata); a few
rows state the conventions that follow from the options and the standards they apply.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pandas as pd

from trialflow.config.options import TrialOptions, option_label
from trialflow.report.format import conf_text, fmt_pct, text_table, yes_no
from trialflow.vocab import DAYS_PER_MONTH

#: Option section of `TrialOptions` -> the Methods area it is shown under, in table order.
AREAS: dict[str, str] = {
    "subjects": "Analysis start",
    "response": "Response (RECIST 1.1)",
    "pfs": "PFS",
    "rates": "Rates",
    "survival": "Kaplan\N{EN DASH}Meier",
    "subgroups": "Subgroups",
    "safety": "Safety",
    "drug": "Drug",
    "design": "Design",
}

_PROPORTIONS = {"common_ae_threshold"}
_LEVELS = {"conf_level"}


def option_text(name: str, value: Any) -> str:
    """An option value as the Methods table shows it."""
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return yes_no(value)
    if name in _LEVELS:
        return conf_text(value)
    if name in _PROPORTIONS:
        return fmt_pct(value, 0, proportion=True)
    if isinstance(value, tuple):
        if value and all(isinstance(v, tuple) and len(v) == 2 for v in value):
            return ", ".join(f"{k} = {v}" for k, v in value)
        return ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value) or "none"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value) if str(value) != "" else "none"


def _conventions(o: TrialOptions) -> list[tuple[str, str, str]]:
    """Rules that follow from the options, stated in words."""
    r, p = o.response, o.pfs
    boundary = "before" if r.new_therapy_boundary == "before" else "on or before"
    return [
        (
            AREAS["response"],
            "Overall response per visit",
            "RECIST 1.1 Tables 1 and 2 (Eisenhauer 2009 \N{SECTION SIGN}4.3.4): target, "
            "non-target and new-lesion responses combined",
        ),
        (
            AREAS["response"],
            "Assessments used for best overall response",
            f"on or after the start date, up to and including the first PD, {boundary} the "
            "start of new anticancer therapy",
        ),
        (
            AREAS["response"],
            "Best % change in the target sum (waterfall)",
            "over the same assessments as best overall response (ADTR ANL01FL)",
        ),
        (
            AREAS["response"],
            "Reader of each subject's tumour assessments",
            "one reader per subject for TU, TR and RS alike: the one with the most accepted "
            "overall responses (RSACPTFL), then the most accepted TR/TU records, then the "
            "first evaluator id",
        ),
        (
            AREAS["response"],
            "Split and merged target lesions; reappearance after CR; equivocal new lesions",
            "fragments add to the parent lesion, a coalesced lesion counts once (RECIST 1.1 "
            "Appendix I); disease seen after a CR is PD (Table 3 note); an equivocal new "
            "lesion confirmed later dates PD to its first scan (\N{SECTION SIGN}4.3.2)",
        ),
        (
            AREAS["pfs"],
            "Censoring rules (FDA 2018)",
            "censored at start without a baseline tumour assessment; at the last adequate "
            f"assessment {boundary} the start of new anticancer therapy; at the last adequate "
            "assessment (at start without one) when PD or death follows more than "
            f"{p.max_missed_assessments} missed assessment(s), i.e. more than "
            f"({p.max_missed_assessments} + 1) \N{MULTIPLICATION SIGN} "
            f"{p.assessment_interval_days} + {p.visit_window_days} = {p.missed_limit_days} days "
            "after it (a scheduled assessment is missed only when none falls within its window)",
        ),
        (
            AREAS["survival"],
            "Time unit",
            f"months = days / {DAYS_PER_MONTH:g}; median follow-up by reverse Kaplan\N{EN DASH}Meier",
        ),
    ]


def methods_table(options: TrialOptions) -> pd.DataFrame:
    """Every option the analysis ran with (Area, Rule, Value), then the conventions."""
    rows: list[tuple[str, str, str]] = []
    for section, area in AREAS.items():
        obj = getattr(options, section)
        for f in fields(obj):
            if section == "pfs" and f.name == "new_therapy_boundary":
                continue  # one option, shown under Response
            if getattr(obj, f.name) is None:
                continue  # an option the design kind does not use
            if section == "design" and not obj.applies(f.name):
                continue
            if section == "design" and f.name == "cohorts":
                for level, override in obj.cohorts.items():
                    text = ", ".join(
                        f"{k}: {option_text(k, v)}" for k, v in sorted(override.items())
                    )
                    rows.append((area, f"Cohort {level}", text or "the design above"))
                continue
            rows.append((area, option_label(f), option_text(f.name, getattr(obj, f.name))))
    rows += _conventions(options)
    return text_table(
        [{"Area": a, "Rule": b, "Value": c} for a, b, c in rows], ["Area", "Rule", "Value"]
    )
