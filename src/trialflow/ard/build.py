"""The analysis-results stage of one analysis: every ARD table from its ADaM datasets.

`derive_ard` runs the efficacy, Kaplan–Meier curve, concordance, safety and baseline analyses,
each by its own function with the trial's options. Pure: DataFrames in, DataFrames out.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from trialflow.ard.baseline import demographics_table, disposition_table, exposure_table
from trialflow.ard.concordance import concordance
from trialflow.ard.curves import km_curves_ard
from trialflow.ard.efficacy import efficacy_ard
from trialflow.ard.safety import aesi_table, common_teae, teae_by_soc_pt, teae_overview
from trialflow.ard_table import concat_ard
from trialflow.config.options import (
    DesignSpec,
    RateOptions,
    ResponseRules,
    SafetyOptions,
    SubgroupOptions,
    SurvivalOptions,
)


def derive_ard(
    adam: Mapping[str, pd.DataFrame],
    *,
    response: ResponseRules,
    rates: RateOptions,
    survival: SurvivalOptions,
    design: DesignSpec,
    subgroups: SubgroupOptions,
    safety: SafetyOptions,
) -> dict[str, pd.DataFrame]:
    """Every ARD table of one analysis (`trialflow.vocab.ARD_TABLES`) from its ADaM datasets and response
    tables (`adam`: ADSL, ADRS, ADTTE, ADAE, ADEX, visit_responses, ovr_reported,
    bor_sources):

    - efficacy: response rates, BOR, Kaplan–Meier, TTR, subgroups, design (`efficacy_ard`);
    - km_curves: the Kaplan–Meier step functions the figures draw (`km_curves_ard`);
    - concordance, concordance_visits: derived versus reported responses (`concordance`);
    - safety: TEAE overview, SOC/PT at worst grade, common TEAEs, AESIs;
    - baseline: disposition, demographics, exposure.
    """
    adsl, adtte = adam["ADSL"], adam["ADTTE"]
    adae = adam["ADAE"]
    visits, summary = concordance(
        adam["visit_responses"], adam["ovr_reported"], adam["bor_sources"]
    )
    return {
        "efficacy": efficacy_ard(
            adsl,
            adam["ADRS"],
            adtte,
            response=response,
            rates=rates,
            survival=survival,
            design=design,
            subgroups=subgroups,
        ),
        "km_curves": km_curves_ard(
            adtte,
            adsl,
            conf_level=survival.conf_level,
            conf_type=survival.conf_type,
            subgroups=subgroups.variables,
        ),
        "concordance": summary,
        "concordance_visits": visits,
        "safety": concat_ard(
            [
                teae_overview(adae, adsl),
                teae_by_soc_pt(adae, adsl),
                common_teae(adae, adsl, threshold=safety.common_ae_threshold),
                aesi_table(adae, adsl, aesi=safety.aesi),
            ]
        ),
        "baseline": concat_ard(
            [
                disposition_table(adsl, adae=adae),
                demographics_table(adsl),
                exposure_table(adam["ADEX"], adsl),
            ]
        ),
    }
