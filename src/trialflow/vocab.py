"""The shared vocabulary of trialflow: response categories, parameter codes, units and domains.

Every stage names these values from here, so that one spelling holds from ingest to the report.
"""

from __future__ import annotations

#: RECIST 1.1 overall-response categories (Eisenhauer 2009, Tables 1 and 2), best first.
RESPONSES: tuple[str, ...] = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE")

#: Best-overall-response categories in table order: the RECIST 1.1 categories plus MISSING
#: (no assessment at all).
BOR_CATEGORIES: tuple[str, ...] = (*RESPONSES, "MISSING")

#: An assessment is adequate (FDA 2018 endpoints guidance) when its overall response is one of
#: these: not NE, not missing.
ADEQUATE_RESPONSES: tuple[str, ...] = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD")

#: Objective response: CR or PR.
RESPONDER_CATEGORIES: tuple[str, ...] = ("CR", "PR")

#: Disease control: CR, PR, SD or NON-CR/NON-PD.
DISEASE_CONTROL_CATEGORIES: tuple[str, ...] = ("CR", "PR", "SD", "NON-CR/NON-PD")

#: ADTTE time-to-event parameters (PARAMCD -> PARAM), in dataset order.
TTE_PARAMS: dict[str, str] = {
    "OS": "Overall Survival",
    "PFS": "Progression-Free Survival",
    "DOR": "Duration of Response",
    "TTR": "Time to Response",
}

#: The time-to-event parameters summarised by Kaplan–Meier (PARAMCD -> display name), in report
#: order. TTR is summarised descriptively, not by Kaplan–Meier.
KM_PARAMS: dict[str, str] = {
    "PFS": "Progression-free survival",
    "OS": "Overall survival",
    "DOR": "Duration of response",
}

#: Days per month: months are days / 30.4375 (365.25 / 12) everywhere in trialflow.
DAYS_PER_MONTH = 30.4375

#: SDTM domains of a delivery, in processing order (dm, ex, ae, ds, tu, tr, rs required;
#: suppdm and cm optional).
DOMAINS: tuple[str, ...] = ("dm", "suppdm", "ex", "ae", "ds", "tu", "tr", "rs", "cm")

#: The study-report tables and figures (`tlf/<stem>.rtf`), in report order:
#: stem -> (number, title, population flag). The RTF files and the CDISC ARS reporting event
#: (`ard/ars.json`) both list them from here.
TLF_DISPLAYS: dict[str, tuple[str, str, str]] = {
    "t_disposition": ("Table 14.1.1", "Subject Disposition", "ENRLFL"),
    "t_demographics": ("Table 14.1.2", "Demographics and Baseline Characteristics", "SAFFL"),
    "t_exposure": ("Table 14.1.3", "Exposure to Study Drug", "SAFFL"),
    "t_response": ("Table 14.2.1", "Best Overall Response and Response Rates", "EFFFL"),
    "t_km_pfs": ("Table 14.2.2", "Progression-Free Survival: Kaplan-Meier Summary", ""),
    "t_km_os": ("Table 14.2.3", "Overall Survival: Kaplan-Meier Summary", ""),
    "t_km_dor": ("Table 14.2.4", "Duration of Response: Kaplan-Meier Summary", ""),
    "t_design": ("Table 14.2.5", "Design Decision", "EFFFL"),
    "t_teae_overview": ("Table 14.3.1", "Overview of Treatment-Emergent Adverse Events", "SAFFL"),
    "t_teae_soc_pt": (
        "Table 14.3.2",
        "TEAEs by System Organ Class and Preferred Term (Worst Grade)",
        "SAFFL",
    ),
    "t_teae_grade3": (
        "Table 14.3.3",
        "Grade 3 or Higher TEAEs by System Organ Class and Preferred Term",
        "SAFFL",
    ),
    "f_km_pfs": ("Figure 14.2.1", "Kaplan-Meier Plot of Progression-Free Survival", ""),
    "f_km_os": ("Figure 14.2.2", "Kaplan-Meier Plot of Overall Survival", ""),
    "f_km_dor": ("Figure 14.2.3", "Kaplan-Meier Plot of Duration of Response", ""),
    "f_waterfall": (
        "Figure 14.2.4",
        "Best Percentage Change from Baseline in Sum of Target Lesion Diameters",
        "EFFFL",
    ),
}

#: The ADaM datasets of an analysis (adam/<name>.parquet|xpt), in define.xml order.
ADAM_DATASETS: tuple[str, ...] = ("ADSL", "ADTR", "ADRS", "ADTTE", "ADAE", "ADEX")

#: Intermediate response tables written beside the datasets (adam/<name>.parquet).
RESPONSE_TABLES: tuple[str, ...] = ("visit_responses", "ovr_source", "ovr_reported", "bor_sources")

#: The derivation stages whose data issues are logged (issues/<stage>.csv), in pipeline order.
ISSUE_STAGES: tuple[str, ...] = ("ingest", "adsl", "adrs", "adtte", "adae", "adex")

#: The ARD files of an analysis (ard/<name>.csv), in the order they are written.
ARD_TABLES: tuple[str, ...] = (
    "efficacy",
    "km_curves",
    "concordance",
    "concordance_visits",
    "safety",
    "baseline",
)
