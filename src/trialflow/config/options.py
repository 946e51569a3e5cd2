"""The clinical options of one trial as typed, frozen objects.

They are built once from the validated trial file (`check_trial` has filled every default from
`workflow/schemas/trial.schema.yaml`, the only place a default is written) and passed
explicitly to the library functions, which take them as required arguments. The report's
Methods section renders from the same objects, so it cannot drift from what ran.

No field has a default here: a key missing from the resolved trial mapping is a programming
error (the schema adds every key), reported as a `ConfigError` naming the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from trialflow.errors import ConfigError


def _opt(label: str) -> Any:
    """A required option field with the label the report's Methods shows for it."""
    return field(metadata={"label": label})


def option_label(f: Any) -> str:
    """The Methods label of an option field (its name when it has none)."""
    return str(f.metadata.get("label", f.name))


class _Section(dict):
    """A mapping that remembers its dotted path in the trial file, for error messages."""

    path: tuple[str, ...] = ()


def _get(node: Mapping[str, Any], *path: str) -> Any:
    """The option at `path` under `node`; sub-mappings keep their full path."""
    prefix = getattr(node, "path", ())
    for i, key in enumerate(path):
        if not isinstance(node, Mapping) or key not in node:
            dotted = ".".join((*prefix, *path[: i + 1]))
            raise ConfigError(f"trial option {dotted} is missing (was the schema applied?)")
        node = node[key]
    if isinstance(node, Mapping):
        section = _Section(node)
        section.path = (*prefix, *path)
        return section
    return node


def _values(items: Any) -> tuple[str, ...]:
    """A list of controlled-terminology values, stripped and upper-cased (as they are compared)."""
    return tuple(str(x).strip().upper() for x in items)


@dataclass(frozen=True)
class ResponseRules:
    """Tumour response: RECIST 1.1 (Eisenhauer 2009) thresholds, BOR confirmation and the
    response source. Used by the per-visit response, ADRS, ADTR and the efficacy ARD."""

    source: str = _opt(
        "Response source (derived = RECIST 1.1 from TU/TR; investigator or independent = RS)"
    )
    """derived (RECIST 1.1 from TU/TR), investigator or independent (RS)."""
    confirmation_required: bool = _opt("Confirmation of CR/PR required")
    confirmation_min_days: int = _opt(
        "Confirmation: minimum days between response and confirmation"
    )
    max_ne_between: int = _opt("Confirmation: maximum NE assessments between")
    sd_min_days: int = _opt("SD: minimum days after start")
    cbr_sd_min_days: int = _opt("Clinical benefit: minimum SD duration (days)")
    investigator_eval: str = _opt("Investigator's records (--EVAL)")
    """--EVAL value of the investigator's records."""
    independent_eval: str = _opt("Independent reviewers' records (--EVAL)")
    """--EVAL value of the independent reviewers' records."""
    rscat: tuple[str, ...] = _opt("RS categories read as RECIST 1.1 (RSCAT)")
    """RS RSCAT values accepted as RECIST 1.1 overall responses (an empty RSCAT is accepted)."""
    new_therapy_boundary: str = _opt("Assessments counted once new anticancer therapy starts")
    """before (ADT < NACTDT) or on_or_before (ADT <= NACTDT): the assessments that count once
    new anticancer therapy starts, for BOR and PFS alike."""
    cr_then_pr: str = _opt("PR after CR (unconfirmed = confirms neither, admiralonco)")
    """unconfirmed (admiralonco): a PR after a CR confirms neither; confirms_pr: it confirms a PR."""
    new_lesion_unequivocal: tuple[str, ...] = _opt("New lesion: unequivocal values (PD)")
    """New-lesion results that mean an unequivocal new lesion (PD, RECIST 1.1 §4.3.2)."""
    new_lesion_equivocal: tuple[str, ...] = _opt(
        "New lesion: equivocal values (PD dated to the first such scan once confirmed)"
    )
    """New-lesion results that mean an equivocal new lesion (PD only once confirmed later)."""
    new_lesion_not_progression: tuple[str, ...] = _opt(
        "New lesion: values that are not progression (any other value is a data issue)"
    )
    """New-lesion results that mean no new lesion, or not evaluable (never PD)."""
    pr_pct: float = _opt("PR: decrease of the target sum from baseline (%)")
    pd_pct: float = _opt("PD: increase of the target sum over the nadir (%)")
    pd_min_mm: float = _opt("PD: and an absolute increase of at least (mm)")
    node_cr_mm: float = _opt("CR: every target node short axis below (mm)")

    @classmethod
    def from_trial(cls, trial: Mapping[str, Any]) -> ResponseRules:
        r = _get(trial, "response")
        conf = _get(r, "confirmation")
        recist = _get(r, "recist")
        return cls(
            source=str(_get(r, "source")),
            confirmation_required=bool(_get(conf, "required")),
            confirmation_min_days=int(_get(conf, "min_days")),
            max_ne_between=int(_get(conf, "max_ne_between")),
            sd_min_days=int(_get(r, "sd_min_days")),
            cbr_sd_min_days=int(_get(r, "cbr_sd_min_days")),
            investigator_eval=str(_get(r, "investigator_eval")),
            independent_eval=str(_get(r, "independent_eval")),
            rscat=tuple(str(x) for x in _get(r, "rscat")),
            new_therapy_boundary=str(_get(r, "new_therapy_boundary")),
            cr_then_pr=str(_get(r, "cr_then_pr")),
            new_lesion_unequivocal=_values(_get(r, "new_lesion", "unequivocal")),
            new_lesion_equivocal=_values(_get(r, "new_lesion", "equivocal")),
            new_lesion_not_progression=_values(_get(r, "new_lesion", "not_progression")),
            pr_pct=float(_get(recist, "pr_pct")),
            pd_pct=float(_get(recist, "pd_pct")),
            pd_min_mm=float(_get(recist, "pd_min_mm")),
            node_cr_mm=float(_get(recist, "node_cr_mm")),
        )

    @property
    def evaluator(self) -> str:
        """The --EVAL value whose tumour records are analysed (the response source's reader)."""
        return self.independent_eval if self.source == "independent" else self.investigator_eval


@dataclass(frozen=True)
class PfsRules:
    """PFS censoring (FDA 2018 endpoints guidance, Table 5 of its appendix), also used for the
    censoring of DoR."""

    censor_at_new_therapy: bool = _opt("Censor at new anticancer therapy")
    max_missed_assessments: int = _opt("Maximum missed assessments before PD/death")
    assessment_interval_days: int = _opt("Planned interval between tumour assessments (days)")
    visit_window_days: int = _opt(
        "Visit window around each scheduled assessment (\N{PLUS-MINUS SIGN} days)"
    )
    """A scheduled assessment is missed only when no adequate assessment falls within this many
    days either side of it."""
    new_therapy_boundary: str = _opt("Assessments counted once new anticancer therapy starts")
    """The same rule as `ResponseRules.new_therapy_boundary` (one option, response section)."""

    @classmethod
    def from_trial(cls, trial: Mapping[str, Any]) -> PfsRules:
        p = _get(trial, "pfs")
        return cls(
            censor_at_new_therapy=bool(_get(p, "censor_at_new_therapy")),
            max_missed_assessments=int(_get(p, "max_missed_assessments")),
            assessment_interval_days=int(_get(trial, "assessment_interval_days")),
            visit_window_days=int(_get(p, "visit_window_days")),
            new_therapy_boundary=str(_get(trial, "response", "new_therapy_boundary")),
        )

    @property
    def missed_limit_days(self) -> int:
        """(k + 1) × I + W: PD or death more than this many days after the last adequate
        assessment follows more than k missed assessments (see `trialflow.adam.adtte`)."""
        return (
            self.max_missed_assessments + 1
        ) * self.assessment_interval_days + self.visit_window_days


@dataclass(frozen=True)
class RateOptions:
    """Confidence intervals of response rates."""

    ci_method: str = _opt("CI method")
    conf_level: float = _opt("CI level")

    @classmethod
    def from_trial(cls, trial: Mapping[str, Any]) -> RateOptions:
        r = _get(trial, "rates")
        return cls(ci_method=str(_get(r, "ci_method")), conf_level=float(_get(r, "conf_level")))


@dataclass(frozen=True)
class SurvivalOptions:
    """Kaplan–Meier summaries: CI transformation and level, landmark times (months)."""

    conf_type: str = _opt("CI transformation (median: Brookmeyer–Crowley; rates: pointwise)")
    conf_level: float = _opt("CI level")
    landmarks_months: tuple[float, ...] = _opt("Landmarks (months)")

    @classmethod
    def from_trial(cls, trial: Mapping[str, Any]) -> SurvivalOptions:
        s = _get(trial, "survival")
        return cls(
            conf_type=str(_get(s, "conf_type")),
            conf_level=float(_get(s, "conf_level")),
            landmarks_months=tuple(float(x) for x in _get(s, "landmarks_months")),
        )


@dataclass(frozen=True)
class SafetyOptions:
    """Treatment-emergent adverse events and the AE tables."""

    teae_window_days: int = _opt("TEAE window after last dose (days)")
    aesi: tuple[str, ...] = _opt("AEs of special interest")
    common_ae_threshold: float = _opt("Common TEAE threshold (proportion of subjects)")
    aesev_grades: tuple[tuple[str, int], ...] = _opt("Grade from AESEV when AETOXGR is absent")
    """AESEV -> toxicity grade when a delivery has no AETOXGR, as (AESEV, grade) pairs."""

    @classmethod
    def from_trial(cls, trial: Mapping[str, Any]) -> SafetyOptions:
        s = _get(trial, "safety")
        grades = _get(s, "aesev_grades")
        return cls(
            teae_window_days=int(_get(s, "teae_window_days")),
            aesi=tuple(str(x) for x in _get(s, "aesi")),
            common_ae_threshold=float(_get(s, "common_ae_threshold")),
            aesev_grades=tuple((str(k).upper(), int(v)) for k, v in sorted(grades.items())),
        )

    @property
    def aesev_grade_map(self) -> dict[str, int]:
        return dict(self.aesev_grades)


@dataclass(frozen=True)
class SubjectOptions:
    """Subject-level derivations (ADSL)."""

    reference_start: str = _opt("Reference start date (STARTDT)")
    """first_dose (STARTDT = TRTSDT) or randomization (DS RANDOMIZED)."""
    age_group_cut: float = _opt("Age group cut (years)")
    """AGEGR1 is '<cut' or '>=cut' years."""

    @classmethod
    def from_trial(cls, trial: Mapping[str, Any]) -> SubjectOptions:
        return cls(
            reference_start=str(_get(trial, "reference_start")),
            age_group_cut=float(_get(trial, "baseline", "age_group_cut")),
        )


@dataclass(frozen=True)
class SubgroupOptions:
    """Subgroup analyses: the ADSL variables and the size below which a level is flagged."""

    variables: tuple[str, ...] = _opt("Subgroup variables")
    small_n: int = _opt("Subgroup levels flagged small below (subjects)")

    @classmethod
    def from_trial(cls, trial: Mapping[str, Any]) -> SubgroupOptions:
        return cls(
            variables=tuple(str(x) for x in _get(trial, "subgroups")),
            small_n=int(_get(trial, "baseline", "subgroup_small_n")),
        )


@dataclass(frozen=True)
class DrugOptions:
    """The study drug's planned schedule (ADEX dose intensity)."""

    name: str = _opt("Study drug")
    planned_dose: float = _opt("Planned dose")
    dose_unit: str = _opt("Dose unit")
    doses_per_cycle: int = _opt("Doses per cycle")
    cycle_days: int = _opt("Cycle length (days)")
    schedule: str = _opt("Planned schedule")
    delay_tolerance_days: int = _opt("Cycle delay counted as interruption beyond (days)")
    dose_reduction_tolerance: float = _opt(
        "Dose reduction: tolerance below the planned dose (fraction)"
    )

    @classmethod
    def from_trial(cls, trial: Mapping[str, Any]) -> DrugOptions:
        d = _get(trial, "drug")
        return cls(
            name=str(_get(d, "name")),
            planned_dose=float(_get(d, "planned_dose")),
            dose_unit=str(_get(d, "dose_unit")),
            doses_per_cycle=int(_get(d, "doses_per_cycle")),
            cycle_days=int(_get(d, "cycle_days")),
            schedule=str(_get(d, "schedule")),
            delay_tolerance_days=int(_get(d, "delay_tolerance_days")),
            dose_reduction_tolerance=float(_get(d, "dose_reduction_tolerance")),
        )


_COMMON_DESIGN = ("endpoint", "kind", "cohort_variable", "pooled", "cohorts")
DESIGN_FIELDS: dict[str, tuple[str, ...]] = {
    "simon_two_stage": (
        *_COMMON_DESIGN,
        *("variant", "q", "p0", "p1", "alpha", "power", "response_window_days"),
    ),
    "single_stage_binomial": (
        *_COMMON_DESIGN,
        *("p0", "p1", "alpha", "power", "response_window_days"),
    ),
    "predictive": (
        *_COMMON_DESIGN,
        *("p0", "p1", "prior", "nmax", "theta_t", "theta_l", "theta_u", "first"),
        "response_window_days",
    ),
    "bop2": (
        *_COMMON_DESIGN,
        *("p0", "p1", "prior", "nmax", "interims", "alpha", "response_window_days"),
    ),
    "one_sample_logrank": (
        *_COMMON_DESIGN,
        *("alpha", "power", "historical_median_months", "target_median_months"),
        *("accrual_months", "followup_months", "variance", "landmark_months"),
        "historical_landmark_rate",
    ),
}
"""The design options each design kind uses (the report's Methods lists only these)."""


@dataclass(frozen=True)
class DesignSpec:
    """The trial's statistical design (decision rule for the primary endpoint), per cohort
    when ``cohort_variable`` is set (``cohorts``: level -> options overriding these)."""

    endpoint: str = _opt("Primary endpoint")
    kind: str = _opt("Design")
    variant: str = _opt("Simon variant")
    q: float = _opt("Admissible design: weight q on n in q*n + (1 - q)*EN0")
    p0: float = _opt("Uninteresting response rate p0")
    p1: float = _opt("Target response rate p1")
    alpha: float = _opt("Type I error (one-sided)")
    power: float = _opt("Power")
    response_window_days: int = _opt(
        "Response window for the decision (days from start; final status after it plus the "
        "confirmation window)"
    )
    prior: tuple[float, ...] | None = _opt("Beta prior (a, b)")
    nmax: int | None = _opt("Maximum sample size Nmax")
    theta_t: float = _opt("Predictive design: posterior threshold theta_T")
    theta_l: float = _opt("Predictive design: futility threshold theta_L")
    theta_u: float = _opt("Predictive design: efficacy threshold theta_U")
    first: int = _opt("Predictive design: first look (subjects)")
    interims: tuple[int, ...] = _opt("BOP2 interim looks (subjects)")
    historical_median_months: float | None = _opt("Historical median (months)")
    target_median_months: float | None = _opt("Target median (months)")
    accrual_months: float | None = _opt("Accrual (months)")
    followup_months: float | None = _opt("Follow-up after the last enrolment (months)")
    variance: str = _opt("One-sample log-rank variance (standard or Wu 2015)")
    landmark_months: float | None = _opt("Landmark (months)")
    historical_landmark_rate: float | None = _opt("Historical landmark rate")
    cohort_variable: str | None = _opt("Cohort variable (one design per level)")
    cohorts: dict = _opt("Per-cohort design options")
    pooled: bool = _opt("Pooled analysis of all cohorts")

    @classmethod
    def from_trial(cls, trial: Mapping[str, Any]) -> DesignSpec:
        d = _get(trial, "design")
        values = {f.name: _get(d, f.name) for f in fields(cls)}
        if values["prior"] is not None:
            values["prior"] = tuple(float(v) for v in values["prior"])
        values["interims"] = tuple(int(v) for v in values["interims"])
        values["cohorts"] = {str(k): dict(v or {}) for k, v in dict(values["cohorts"]).items()}
        return cls(**values)

    def applies(self, name: str) -> bool:
        """Whether the option `name` is used by this design's kind (or by one of its
        cohorts' kinds)."""
        kinds = {self.kind} | {c.get("kind", self.kind) for c in self.cohorts.values()}
        return any(name in DESIGN_FIELDS.get(k, ()) for k in kinds)


@dataclass(frozen=True)
class TrialOptions:
    """Every clinical option of one trial, built once from its resolved trial file."""

    response: ResponseRules
    pfs: PfsRules
    rates: RateOptions
    survival: SurvivalOptions
    safety: SafetyOptions
    subjects: SubjectOptions
    subgroups: SubgroupOptions
    drug: DrugOptions
    design: DesignSpec

    @classmethod
    def from_trial(cls, trial: Mapping[str, Any]) -> TrialOptions:
        return cls(
            response=ResponseRules.from_trial(trial),
            pfs=PfsRules.from_trial(trial),
            rates=RateOptions.from_trial(trial),
            survival=SurvivalOptions.from_trial(trial),
            safety=SafetyOptions.from_trial(trial),
            subjects=SubjectOptions.from_trial(trial),
            subgroups=SubgroupOptions.from_trial(trial),
            drug=DrugOptions.from_trial(trial),
            design=DesignSpec.from_trial(trial),
        )
