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
