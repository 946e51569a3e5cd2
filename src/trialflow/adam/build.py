"""The ADaM stage of one analysis, in the order of the statistical analysis plan.

`derive_adam` runs every dataset derivation of the stage on the cleaned SDTM of one delivery:
ADSL, the per-visit RECIST 1.1 responses and ADRS, ADTR, ADTTE, ADAE and ADEX, each by its own
function with the trial's options. It returns the datasets, the intermediate response tables
the later stages read, and each derivation's data issues. Pure: DataFrames in, DataFrames out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from trialflow.adam.adae import derive_adae
from trialflow.adam.adex import derive_adex
from trialflow.adam.adrs import derive_adrs, derive_source_comparison
from trialflow.adam.adsl import derive_adsl
from trialflow.adam.adtr import derive_adtr, tumour_records
from trialflow.adam.adtte import adtte_issues, derive_adtte
from trialflow.adam.readers import choose_readers
from trialflow.adam.recist import derive_visit_responses, select_ovr_records
from trialflow.config.options import (
    DrugOptions,
    PfsRules,
    ResponseRules,
    SafetyOptions,
    SubjectOptions,
)
from trialflow.issues import concat_issues


@dataclass(frozen=True)
class AdamStage:
    """What the ADaM stage of one analysis produces."""

    datasets: dict[str, pd.DataFrame]
    """`trialflow.vocab.ADAM_DATASETS`, keyed by dataset name."""
    tables: dict[str, pd.DataFrame]
    """`trialflow.vocab.RESPONSE_TABLES`: per-visit derived responses, the OVR records used, and the
    responses of the other source for concordance."""
    issues: dict[str, pd.DataFrame]
    """Data issues of each derivation, keyed by stage (`trialflow.vocab.ISSUE_STAGES` after
    ingest)."""


def derive_adam(
    sdtm: Mapping[str, pd.DataFrame],
    *,
    cutoff: Any,
    studyid: str | None,
    subjects: SubjectOptions,
    response: ResponseRules,
    pfs: PfsRules,
    safety: SafetyOptions,
    drug: DrugOptions,
) -> AdamStage:
    """Every ADaM dataset of one analysis from its cleaned SDTM domains (keyed by lower-case
    domain name), in dependency order:

    1. ADSL (`derive_adsl`): subjects, populations, dates, death, last known alive;
    2. per-visit RECIST 1.1 responses (`derive_visit_responses`) and the OVR records of the
       response source (`select_ovr_records`), then ADRS (`derive_adrs`), and the other
       source's responses for concordance (`derive_source_comparison`);
    3. ADTR (`derive_adtr`), which flags assessments up to the first PD of ADRS;
    4. ADTTE (`derive_adtte`): OS, PFS, DoR and TTR;
    5. ADAE (`derive_adae`) and ADEX (`derive_adex`).
    """
    dm, tu, tr, rs = sdtm["dm"], sdtm["tu"], sdtm["tr"], sdtm["rs"]
    adsl, adsl_issues = derive_adsl(
        dm,
        sdtm["suppdm"],
        sdtm["ex"],
        sdtm["ds"],
        tu,
        tr,
        rs,
        sdtm["cm"],
        cutoff=cutoff,
        reference_start=subjects.reference_start,
        studyid=studyid,
        response=response,
        age_cut=subjects.age_group_cut,
    )
    readers = choose_readers(tu, tr, rs, response)
    tumour = tumour_records(tu, tr, rs, adsl, response)  # read once, used by both
    visits, visit_issues = derive_visit_responses(tu, tr, rs, adsl, response, tumour)
    ovr = select_ovr_records(rs, visits, response, readers)
    adrs, adrs_issues = derive_adrs(ovr, adsl, response)
    reported, best = derive_source_comparison(visits, rs, adsl, response, readers)
    adtr = derive_adtr(tu, tr, rs, adsl, adrs, response, tumour)
    adtte = derive_adtte(adsl, ovr, adrs, pfs=pfs, response=response, cutoff=cutoff)
    adae, adae_issues = derive_adae(
        sdtm["ae"],
        adsl,
        teae_window_days=safety.teae_window_days,
        aesi=safety.aesi,
        aesev_grades=safety.aesev_grade_map,
        cutoff=cutoff,
    )
    adex, adex_issues = derive_adex(sdtm["ex"], adsl, drug, cutoff=cutoff, adae=adae)
    return AdamStage(
        datasets={
            "ADSL": adsl,
            "ADRS": adrs,
            "ADTR": adtr,
            "ADTTE": adtte,
            "ADAE": adae,
            "ADEX": adex,
        },
        tables={
            "visit_responses": visits,
            "ovr_source": ovr,
            "ovr_reported": reported,
            "bor_sources": best,
        },
        issues={
            "adsl": adsl_issues,
            "adrs": concat_issues([visit_issues, adrs_issues]),
            "adtte": adtte_issues(adsl),
            "adae": adae_issues,
            "adex": adex_issues,
        },
    )
