"""Parameters of the two bundled simulated trials (every value is an ASSUMPTION, see
resources/README.md): cohorts and their latent tumour-growth parameters, dosing, adverse-event
profiles, follow-up and enrolment.

Times are in days. Latent tumour model (per lesion, Stein et al. 2008 "tumour growth
inhibition" form): size(t) = baseline * (exp(-d t) + exp(g t) - 1), with a subject-level decay
rate d (drug sensitivity) and growth rate g (regrowth), each log-normal.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cohort:
    """One cohort (ARM/ARMCD) and its latent tumour-growth parameters."""

    armcd: str
    arm: str
    share: float  # fraction of the enrolled subjects
    p_sensitive: float  # fraction of subjects whose tumour shrinks on drug
    decay_sensitive: float  # median d (1/day) of sensitive tumours
    decay_resistant: float  # median d (1/day) of resistant tumours
    growth: float  # median g (1/day)
    growth_sd: float = 0.7  # log-SD of g
    pps_median: float = 230.0  # median survival after the end of treatment (days)


@dataclass(frozen=True)
class AEProfile:
    """One adverse event (MedDRA PT, UK spelling) with its incidence and CTCAE grades."""

    decod: str
    soc: str
    verbatims: tuple[str, ...]
    incidence: float  # P(at least one episode) over about four cycles
    grades: tuple[float, float, float, float, float]  # P(grade 1..5)
    p_related: float
    median_days: float = 7.0  # median duration


@dataclass(frozen=True)
class TrialPreset:
    """Everything the simulator needs to write one trial's deliveries."""

    name: str
    studyid: str
    seed: int
    n_subjects: int
    enrol_start: str
    enrol_end: str
    deliveries: tuple[tuple[str, str], ...]  # (cutoff, delivery date = folder name)
    sites: tuple[str, ...]
    country: str
    cohorts: tuple[Cohort, ...]
    # dosing
    drug: str
    doses: tuple[float, ...]  # planned dose, then the reduced levels
    dose_unit: str
    dose_form: str
    dose_freq: str
    route: str
    cycle_days: int
    dose_days: tuple[int, ...]  # 0-based days of the cycle with a dose (or a daily block)
    daily: bool  # True: one EX record per block of daily dosing; False: one per administration
    # safety
    ae_profiles: tuple[AEProfile, ...]
    related_terms: tuple[str, ...]  # AEREL terms: (related..., not related...)
    n_related_terms: int  # how many of related_terms mean "related"
    # population
    age_mean: float
    age_sd: float
    ecog_probs: tuple[float, float, float]
    prior_lines: tuple[int, ...]
    prior_line_probs: tuple[float, ...]
    prior_therapies: tuple[str, ...]
    subsequent_therapies: tuple[str, ...]
    # tumour model and conduct
    assessment_interval_days: int = 42
    p_new_lesion_per_growth: float = 1.0  # new-lesion hazard = this * g
    sensitive_growth_factor: float = 0.5  # regrowth of sensitive tumours relative to others
    p_nontarget_up_per_growth: float = 0.35  # unequivocal non-target progression hazard
    p_disagree: float = 0.05  # investigator's response differs from RECIST on the measurements
    p_missed_visit: float = 0.03
    p_lesion_not_done: float = 0.01
    p_never_dosed: float = 0.015
    withdraw_median: float = 3000.0  # withdrawal by subject (days)
    physician_median: float = 2500.0  # physician decision / clinical deterioration
    death_on_treatment_median: float = 3000.0
    p_lost_to_follow_up: float = 0.04
    p_subsequent_therapy: float = 0.65
    survival_contact_days: int = 84
    follow_up_days: int = 730  # survival follow-up after the end of treatment
    races: tuple[str, ...] = ("ASIAN",)
    race_probs: tuple[float, ...] = (1.0,)


_SOC = {
    "GI": "GASTROINTESTINAL DISORDERS",
    "BLOOD": "BLOOD AND LYMPHATIC SYSTEM DISORDERS",
    "GEN": "GENERAL DISORDERS AND ADMINISTRATION SITE CONDITIONS",
    "SKIN": "SKIN AND SUBCUTANEOUS TISSUE DISORDERS",
    "METAB": "METABOLISM AND NUTRITION DISORDERS",
    "INF": "INFECTIONS AND INFESTATIONS",
    "INV": "INVESTIGATIONS",
    "NERV": "NERVOUS SYSTEM DISORDERS",
    "RESP": "RESPIRATORY, THORACIC AND MEDIASTINAL DISORDERS",
    "MSK": "MUSCULOSKELETAL AND CONNECTIVE TISSUE DISORDERS",
    "PSY": "PSYCHIATRIC DISORDERS",
}

_BACKGROUND = (
    AEProfile("PYREXIA", _SOC["GEN"], ("Fever", "Pyrexia"), 0.10, (0.7, 0.25, 0.05, 0, 0), 0.3),
    AEProfile("COUGH", _SOC["RESP"], ("Cough",), 0.08, (0.8, 0.2, 0, 0, 0), 0.1, 14),
    AEProfile(
        "DYSPNOEA",
        _SOC["RESP"],
        ("Dyspnea", "Shortness of breath"),
        0.07,
        (0.5, 0.35, 0.13, 0.02, 0),
        0.1,
        14,
    ),
    AEProfile("BACK PAIN", _SOC["MSK"], ("Back pain",), 0.07, (0.6, 0.35, 0.05, 0, 0), 0.05, 14),
    AEProfile("INSOMNIA", _SOC["PSY"], ("Insomnia",), 0.06, (0.8, 0.2, 0, 0, 0), 0.1, 21),
    AEProfile("HEADACHE", _SOC["NERV"], ("Headache",), 0.06, (0.8, 0.2, 0, 0, 0), 0.2, 3),
    AEProfile("CONSTIPATION", _SOC["GI"], ("Constipation",), 0.08, (0.8, 0.2, 0, 0, 0), 0.3, 7),
    AEProfile(
        "ALANINE AMINOTRANSFERASE INCREASED",
        _SOC["INV"],
        ("ALT increased", "Elevated ALT"),
        0.09,
        (0.7, 0.2, 0.1, 0, 0),
        0.5,
        14,
    ),
    AEProfile(
        "HYPOKALAEMIA",
        _SOC["METAB"],
        ("Hypokalemia", "Low potassium"),
        0.06,
        (0.6, 0.2, 0.18, 0.02, 0),
        0.5,
        7,
    ),
)

IRINOTECAN = TrialPreset(
    name="irinotecan",
    studyid="IRI-MBC-3L",
    seed=3562396,
    n_subjects=124,
    enrol_start="2018-09-01",
    enrol_end="2021-03-31",
    deliveries=(("2020-06-30", "2020-07-20"), ("2021-12-31", "2022-01-25")),
    sites=("101", "102", "103", "104", "105", "106"),
    country="CHN",
    cohorts=(
        Cohort(
            "IRI125",
            "Irinotecan 125 mg/m2 D1, D8 Q3W",
            1.0,
            p_sensitive=0.25,
            decay_sensitive=0.02,
            decay_resistant=0.0015,
            growth=0.0045,
            pps_median=210.0,
        ),
    ),
    drug="IRINOTECAN",
    doses=(125.0, 100.0, 75.0),
    dose_unit="mg/m2",
    dose_form="SOLUTION",
    dose_freq="ONCE",
    route="INTRAVENOUS",
    cycle_days=21,
    dose_days=(0, 7),
    daily=False,
    ae_profiles=(
        AEProfile(
            "DIARRHOEA",
            _SOC["GI"],
            ("Diarrhea", "Diarrhoea", "Loose stools"),
            0.55,
            (0.45, 0.33, 0.19, 0.03, 0),
            0.95,
            5,
        ),
        AEProfile(
            "NEUTROPENIA",
            _SOC["BLOOD"],
            ("Neutropenia", "Neutrophil count decreased"),
            0.50,
            (0.15, 0.35, 0.35, 0.15, 0),
            0.95,
            7,
        ),
        AEProfile(
            "FEBRILE NEUTROPENIA",
            _SOC["BLOOD"],
            ("Febrile neutropenia",),
            0.06,
            (0, 0, 0.8, 0.17, 0.03),
            0.95,
            6,
        ),
        AEProfile(
            "NAUSEA",
            _SOC["GI"],
            ("Nausea",),
            0.45,
            (0.6, 0.33, 0.07, 0, 0),
            0.9,
            4,
        ),
        AEProfile(
            "VOMITING",
            _SOC["GI"],
            ("Vomiting",),
            0.30,
            (0.6, 0.3, 0.1, 0, 0),
            0.9,
            2,
        ),
        AEProfile(
            "ALOPECIA",
            _SOC["SKIN"],
            ("Alopecia", "Hair loss"),
            0.30,
            (0.7, 0.3, 0, 0, 0),
            0.95,
            60,
        ),
        AEProfile(
            "FATIGUE",
            _SOC["GEN"],
            ("Fatigue", "Tiredness"),
            0.35,
            (0.55, 0.37, 0.08, 0, 0),
            0.7,
            14,
        ),
        AEProfile(
            "ANAEMIA",
            _SOC["BLOOD"],
            ("Anemia", "Anaemia"),
            0.30,
            (0.45, 0.4, 0.14, 0.01, 0),
            0.8,
            21,
        ),
        AEProfile(
            "DECREASED APPETITE",
            _SOC["METAB"],
            ("Decreased appetite", "Anorexia"),
            0.25,
            (0.65, 0.3, 0.05, 0, 0),
            0.8,
            14,
        ),
        AEProfile(
            "CHOLINERGIC SYNDROME",
            _SOC["NERV"],
            ("Cholinergic syndrome",),
            0.10,
            (0.7, 0.28, 0.02, 0, 0),
            1.0,
            1,
        ),
        *_BACKGROUND,
    ),
    related_terms=("RELATED", "NOT RELATED"),
    n_related_terms=1,
    age_mean=51.0,
    age_sd=9.0,
    ecog_probs=(0.35, 0.58, 0.07),
    prior_lines=(2, 3, 4, 5),
    prior_line_probs=(0.45, 0.3, 0.17, 0.08),
    prior_therapies=(
        "EPIRUBICIN",
        "DOXORUBICIN",
        "DOCETAXEL",
        "PACLITAXEL",
        "CAPECITABINE",
        "VINORELBINE",
        "GEMCITABINE",
    ),
    subsequent_therapies=(
        "CAPECITABINE",
        "ERIBULIN",
        "VINORELBINE",
        "GEMCITABINE",
        "UTIDELONE",
        "CISPLATIN",
    ),
)

POZIOTINIB = TrialPreset(
    name="poziotinib",
    studyid="POZ-MBC-2",
    seed=20170128,
    n_subjects=70,
    enrol_start="2017-01-16",
    enrol_end="2018-09-14",
    deliveries=(("2018-03-31", "2018-04-23"), ("2019-06-30", "2019-07-22")),
    sites=("201", "202", "203", "204"),
    country="KOR",
    cohorts=(
        Cohort(
            "HER2MUT",
            "HER2 mutation",
            0.30,
            p_sensitive=0.40,
            decay_sensitive=0.014,
            decay_resistant=0.0025,
            growth=0.0032,
            pps_median=270.0,
        ),
        Cohort(
            "EGFRMUT",
            "EGFR mutation",
            0.2286,
            p_sensitive=0.10,
            decay_sensitive=0.012,
            decay_resistant=0.002,
            growth=0.0038,
            pps_median=240.0,
        ),
        Cohort(
            "ARACT",
            "AR activated",
            0.2286,
            p_sensitive=0.07,
            decay_sensitive=0.012,
            decay_resistant=0.002,
            growth=0.0038,
            pps_median=270.0,
        ),
        Cohort(
            "EGFRPATH",
            "EGFR pathway activated",
            0.2428,
            p_sensitive=0.09,
            decay_sensitive=0.012,
            decay_resistant=0.002,
            growth=0.0038,
            pps_median=240.0,
        ),
    ),
    drug="POZIOTINIB",
    doses=(12.0, 8.0, 6.0),
    dose_unit="mg",
    dose_form="TABLET",
    dose_freq="QD",
    route="ORAL",
    cycle_days=21,
    dose_days=(0, 14),  # daily on days 1-14 (0-based [0, 14))
    daily=True,
    ae_profiles=(
        AEProfile(
            "DIARRHOEA",
            _SOC["GI"],
            ("Diarrhea", "Diarrhoea", "Loose stools"),
            0.80,
            (0.35, 0.35, 0.28, 0.02, 0),
            0.95,
            6,
        ),
        AEProfile(
            "STOMATITIS",
            _SOC["GI"],
            ("Stomatitis", "Mucositis oral", "Mouth ulcers"),
            0.65,
            (0.35, 0.4, 0.25, 0, 0),
            0.95,
            10,
        ),
        AEProfile(
            "RASH",
            _SOC["SKIN"],
            ("Rash", "Skin rash"),
            0.50,
            (0.35, 0.4, 0.25, 0, 0),
            0.95,
            14,
        ),
        AEProfile(
            "DERMATITIS ACNEIFORM",
            _SOC["SKIN"],
            ("Acneiform dermatitis", "Acneiform rash"),
            0.35,
            (0.4, 0.4, 0.2, 0, 0),
            0.95,
            21,
        ),
        AEProfile(
            "PARONYCHIA",
            _SOC["INF"],
            ("Paronychia", "Nail infection"),
            0.35,
            (0.4, 0.45, 0.15, 0, 0),
            0.9,
            21,
        ),
        AEProfile(
            "PRURITUS",
            _SOC["SKIN"],
            ("Pruritus", "Itching"),
            0.30,
            (0.7, 0.28, 0.02, 0, 0),
            0.85,
            14,
        ),
        AEProfile(
            "DRY SKIN",
            _SOC["SKIN"],
            ("Dry skin", "Xerosis"),
            0.30,
            (0.8, 0.2, 0, 0, 0),
            0.85,
            30,
        ),
        AEProfile(
            "DECREASED APPETITE",
            _SOC["METAB"],
            ("Decreased appetite", "Anorexia"),
            0.35,
            (0.6, 0.32, 0.08, 0, 0),
            0.8,
            14,
        ),
        AEProfile(
            "FATIGUE",
            _SOC["GEN"],
            ("Fatigue", "Asthenia"),
            0.30,
            (0.6, 0.32, 0.08, 0, 0),
            0.7,
            14,
        ),
        AEProfile("NAUSEA", _SOC["GI"], ("Nausea",), 0.25, (0.7, 0.27, 0.03, 0, 0), 0.8, 4),
        *_BACKGROUND,
    ),
    related_terms=("PROBABLE", "POSSIBLE", "UNLIKELY", "NOT RELATED"),
    n_related_terms=2,
    age_mean=53.0,
    age_sd=10.0,
    ecog_probs=(0.4, 0.55, 0.05),
    prior_lines=(1, 2, 3, 4, 5),
    prior_line_probs=(0.15, 0.3, 0.3, 0.15, 0.1),
    prior_therapies=(
        "DOXORUBICIN",
        "EPIRUBICIN",
        "PACLITAXEL",
        "DOCETAXEL",
        "CAPECITABINE",
        "TRASTUZUMAB",
        "LAPATINIB",
        "LETROZOLE",
    ),
    subsequent_therapies=("CAPECITABINE", "ERIBULIN", "VINORELBINE", "GEMCITABINE"),
)

PRESETS: dict[str, TrialPreset] = {p.name: p for p in (IRINOTECAN, POZIOTINIB)}
