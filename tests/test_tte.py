"""The time-to-event engine: ordered event and censoring sources over a subject-level dataset."""

from __future__ import annotations

import pandas as pd
import pytest

from trialflow.adam.tte import censor_source, derive_param_tte, event_source

T = pd.Timestamp


def _dataset() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "USUBJID": ["A", "B", "C", "D"],
            "STARTDT": [T("2021-01-01")] * 4,
            "EVTDT": [T("2021-03-01"), T("2021-04-01"), pd.NaT, pd.NaT],
            "LASTDT": [T("2021-02-01"), T("2021-03-15"), T("2021-02-20"), pd.NaT],
            "EVENT": [True, True, False, False],
            "RULE": [True, False, False, False],
            "HASLAST": [True, True, True, False],
            "INPOP": [True, True, True, False],
        }
    )


SOURCES = (
    censor_source(
        "rule_first",
        filter="RULE",
        date="LASTDT",
        evntdesc="Last",
        cnsdtdsc="censored by the rule",
        srcdom="ADRS",
        srcvar="ADT",
    ),
    event_source(
        "event", filter="EVENT", date="EVTDT", evntdesc="Event", srcdom="ADSL", srcvar="X"
    ),
    censor_source(
        "last",
        filter="HASLAST & INPOP",
        date="LASTDT",
        evntdesc="Last",
        cnsdtdsc="no event",
        srcdom="ADRS",
        srcvar="ADT",
    ),
)


def test_first_source_in_order_wins_and_unselected_subjects_get_no_row():
    out = derive_param_tte(_dataset(), SOURCES).set_index("USUBJID")
    # A: the censoring rule is listed before the event, so it wins although A has an event
    assert out.loc["A", ["ADT", "CNSR", "CNSDTDSC"]].tolist() == [
        T("2021-02-01"),
        1,
        "censored by the rule",
    ]
    # B: the event; C: the last censoring; D: no source selects it, so no row
    assert out.loc["B", ["ADT", "CNSR", "EVNTDESC", "CNSDTDSC", "SRCVAR"]].tolist() == [
        T("2021-04-01"),
        0,
        "Event",
        "",
        "X",
    ]
    assert out.loc["C", ["ADT", "CNSR", "CNSDTDSC"]].tolist() == [T("2021-02-20"), 1, "no event"]
    assert list(out.index) == ["A", "B", "C"]


def test_reordering_the_sources_changes_the_winner():
    out = derive_param_tte(_dataset(), (SOURCES[1], SOURCES[0], SOURCES[2])).set_index("USUBJID")
    assert (out.loc["A", "ADT"], out.loc["A", "CNSR"]) == (T("2021-03-01"), 0)


def test_a_selected_subject_without_a_date_is_an_error():
    data = _dataset().assign(HASLAST=True, INPOP=True)  # "last" selects D, which has no LASTDT
    with pytest.raises(ValueError, match="'last' selects D"):
        derive_param_tte(data, SOURCES)


def test_one_row_per_subject_is_required():
    data = pd.concat([_dataset(), _dataset().iloc[:1]], ignore_index=True)
    with pytest.raises(ValueError, match="more than one row"):
        derive_param_tte(data, SOURCES)
