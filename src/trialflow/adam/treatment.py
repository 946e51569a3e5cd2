"""Treatment variables of a single-arm trial: ADSL ACTARM, TRT01P, TRT01A and the record-level
TRTP and TRTA of the BDS and OCCDS datasets (ADaMIG 1.3 §3.2 and §3.3.2; one treatment
period)."""

from __future__ import annotations

import pandas as pd

from trialflow.columns import upper


def treatment_arms(dm: pd.DataFrame, trtsdt: pd.Series) -> tuple[pd.Series, ...]:
    """ACTARM, TRT01P and TRT01A of each DM subject (ADaMIG 1.3 §3.2, ADSL treatment variables;
    one treatment period in a single-arm trial).

    ACTARM is DM ACTARM when delivered (an SDTM Expected variable), else ARM for a subject with
    a first dose and "Not Treated" otherwise. TRT01P, the planned treatment of period 1, is ARM;
    TRT01A, the actual treatment, is ACTARM for a treated subject and empty otherwise.
    """
    arm = dm["ARM"].astype("object").where(dm["ARM"].notna(), "") if "ARM" in dm else ""
    arm = pd.Series(arm, index=dm.index).astype(str)
    treated = pd.Series(trtsdt.notna().to_numpy(), index=dm.index)
    given = upper(dm, "ACTARM")
    delivered = dm["ACTARM"].astype("object").where(given != "", None) if "ACTARM" in dm else None
    fallback = arm.where(treated, "Not Treated")
    actarm = fallback if delivered is None else delivered.where(delivered.notna(), fallback)
    actarm = actarm.astype(str)
    return actarm, arm, actarm.where(treated, "")


def bds_treatment(adsl: pd.DataFrame, usubjid: pd.Series) -> tuple[pd.Series, pd.Series]:
    """TRTP and TRTA of each record of a BDS or OCCDS dataset: ADSL TRT01P and TRT01A of its
    subject (ADaMIG 1.3 §3.3.2, one treatment period)."""
    keys = adsl.drop_duplicates("USUBJID").set_index(adsl["USUBJID"].drop_duplicates().astype(str))
    subject = usubjid.astype(str)
    trtp = subject.map(keys["TRT01P"]) if "TRT01P" in keys.columns else None
    trta = subject.map(keys["TRT01A"]) if "TRT01A" in keys.columns else None
    blank = pd.Series("", index=usubjid.index, dtype="object")
    return (
        blank if trtp is None else trtp.fillna("").astype(str),
        blank if trta is None else trta.fillna("").astype(str),
    )
