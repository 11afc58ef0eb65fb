"""CSR tables on a five-patient, two-arm ADaM built by hand, with every expected cell worked
out by hand in the comments (the counting rules of tern/chevron: once per patient, highest
grade, percentages of the column's N, categories adding up to N).

Patients (safety population: P1-P4; P5 enrolled, never dosed):

- arm A: P1 fatigue grade 1 then grade 3; P2 fatigue grade 2 and hypertension grade 3.
- arm B: P3 colonic perforation grade 5 (fatal, serious), died 10 days after the last dose;
  P4 no adverse event.
"""

import datetime as dt

import polars as pl
import pytest

from oncotrial.errors import InputError
from oncotrial.protocol import load
from oncotrial.report.tables import (
    ae_by_grade,
    ae_by_soc_pt,
    ae_summary,
    ae_term_groups,
    deaths,
    demographics,
    response,
    tabulate_csr,
    time_to_event,
)

D = dt.date(2024, 1, 1)


@pytest.fixture(scope="module")
def protocol():
    return load("example_docetaxel_simon")  # one agent (docetaxel), no reported term groups


@pytest.fixture(scope="module")
def adam():
    adsl = pl.DataFrame(
        {
            "USUBJID": ["P1", "P2", "P3", "P4", "P5"],
            "ARM": ["A", "A", "B", "B", "B"],
            "ACTARM": ["A", "A", "B", "B", None],
            "AGE": [50.0, 61.0, 70.0, 45.0, 66.0],
            "SEX": ["F", "M", "F", "F", "M"],
            "SAFFL": ["Y", "Y", "Y", "Y", "N"],
            "EFFFL": ["Y", "Y", "Y", "Y", "N"],
            "TRTEDT": [D, D, D, D, None],
            "DTHDT": [None, None, D + dt.timedelta(days=10), None, None],
            "DTHCAUS": [None, None, "Colonic perforation", None, None],
            "DTHDOM": [None, None, "AE", None, None],
        }
    )
    adae = pl.DataFrame(
        {
            "USUBJID": ["P1", "P1", "P2", "P2", "P3"],
            "AEDECOD": ["Fatigue", "Fatigue", "Fatigue", "Hypertension", "Colonic perforation"],
            "ATOXGRN": [1, 3, 2, 3, 5],
            "TRTEMFL": ["Y"] * 5,
            "AESERFL": [None, None, None, None, "Y"],
            "AEFATFL": [None, None, None, None, "Y"],
        }
    )
    adrs = pl.DataFrame(
        {
            "USUBJID": ["P1", "P2", "P3"],  # P4: no record -> Missing
            "PARAMCD": ["CBOR"] * 3,
            "AVALC": ["PR", "SD", "PD"],
        }
    )
    # PFS in days: P1 event at 60.875 (2 months), P2 censored at 121.75 (4 months),
    # P3 event at 30.4375 (1 month), P4 event at 91.3125 (3 months)
    adtte = pl.DataFrame(
        {
            "USUBJID": ["P1", "P2", "P3", "P4"],
            "PARAMCD": ["PFS"] * 4,
            "PARAM": ["Progression-free survival"] * 4,
            "AVAL": [60.875, 121.75, 30.4375, 91.3125],
            "CNSR": [0, 1, 0, 0],
            "EVNTDESC": ["Disease Progression", "Last Tumor Assessment", "Death", "Death"],
        }
    )
    return {"adsl": adsl, "adae": adae, "adrs": adrs, "adtte": adtte}


def rows(table, label, group=None):
    return [
        r.values for r in table.rows if r.label == label and (group is None or r.group == group)
    ]


def test_columns_per_arm_with_big_n(adam, protocol):
    # safety population by ACTARM: A = P1, P2; B = P3, P4; All = 4
    assert demographics(adam, protocol).columns == ("A\n(N=2)", "B\n(N=2)", "All patients\n(N=4)")


def test_aet02_counts_once_per_patient(adam, protocol):
    table = ae_by_soc_pt(adam, protocol)
    # columns: A any, A 3-4, A 5, B any, B 3-4, B 5, All any, All 3-4, All 5
    # fatigue: P1 (grades 1, 3) and P2 (grade 2) -> A any 2/2, A 3-4 P1 1/2; All 2/4, 1/4
    assert rows(table, "Fatigue") == [
        ("2 (100%)", "1 (50.0%)", "0", "0", "0", "0", "2 (50.0%)", "1 (25.0%)", "0")
    ]
    # events: 5 records; grade 3-4: P1's fatigue 3 and P2's hypertension 3; grade 5: P3's
    assert rows(table, "Overall total number of events") == [
        ("4", "2", "0", "1", "0", "1", "5", "2", "1")
    ]
    # SOC from CTCAE v5.0 (no AEBODSYS): colonic perforation is gastrointestinal
    assert rows(table, "Colonic perforation", "Gastrointestinal disorders") == [
        ("0", "0", "0", "1 (50.0%)", "0", "1 (50.0%)", "1 (25.0%)", "0", "1 (25.0%)")
    ]


def test_aet04_counts_the_highest_grade_only(adam, protocol):
    table = ae_by_grade(adam, protocol)
    fatigue = [
        r for r in table.rows if r.group == "General disorders and administration site conditions"
    ]
    start = next(i for i, r in enumerate(fatigue) if r.label == "Fatigue")
    block = {r.label: r.values for r in fatigue[start + 1 :]}
    # P1's highest fatigue grade is 3 (not 1), P2's is 2: grade 1 row pruned (nobody)
    assert block["- Any Grade -"] == ("2 (100%)", "0", "2 (50.0%)")
    assert block["Grade 1-2"] == ("1 (50.0%)", "0", "1 (25.0%)")
    assert block["2"] == ("1 (50.0%)", "0", "1 (25.0%)")
    assert block["3"] == ("1 (50.0%)", "0", "1 (25.0%)")
    assert "1" not in block and "4" not in block and "Grade 5" not in block
    # any AE, highest grade per patient: P1 3, P2 3, P3 5 -> grade 3-4 2/4, grade 5 1/4
    first = {r.label: r.values for r in table.rows if r.group == "- Any adverse event -"}
    assert first["Grade 3-4"] == ("2 (100%)", "0", "2 (50.0%)")
    assert first["Grade 5"] == ("0", "1 (50.0%)", "1 (25.0%)")


def test_aet01_and_deaths(adam, protocol):
    table = ae_summary(adam, protocol)
    # any AE: P1, P2 (A), P3 (B) -> 2/2, 1/2, 3/4
    assert rows(table, "Total number of patients with at least one adverse event") == [
        ("2 (100%)", "1 (50.0%)", "3 (75.0%)")
    ]
    assert rows(table, "Serious adverse event") == [("0", "1 (50.0%)", "1 (25.0%)")]
    dth = deaths(adam, protocol)
    # P3 died 10 days after the last dose: on study (<= 28 days, this protocol's window)
    assert rows(dth, "On study (<= 28 days after the last dose)") == [
        ("0", "1 (50.0%)", "1 (25.0%)")
    ]
    assert rows(dth, "Colonic perforation") == [("0", "1 (50.0%)", "1 (25.0%)")]


def test_response_and_pfs_by_hand(adam, protocol):
    rsp = response(adam, protocol)
    # efficacy columns by ARM on EFFFL: A = P1 (PR), P2 (SD); B = P3 (PD), P4 (no record)
    assert rows(rsp, "Responders (CR + PR)") == [("1 (50.0%)", "0", "1 (25.0%)")]
    assert rows(rsp, "Missing") == [("0", "1 (50.0%)", "1 (25.0%)")]
    tte = time_to_event(adam, protocol)
    group = "Progression-free survival (PFS)"
    # quantile.survfit's rule: where S is exactly 1/2 over an interval, its midpoint.
    # A: event at 2, censored at 4: S = 1/2 from 2 to the last time 4 -> midpoint 3.0.
    # B: events at 1 and 3: S = 1/2 on [1, 3) -> 2.0.
    # All: events at 1, 2, 3, censored at 4: S = 3/4, 1/2 (on [2, 3)), 1/4 -> 2.5
    assert rows(tte, "Median", group) == [("3.0", "2.0", "2.5")]
    assert rows(tte, "Range", group)[0][2] == "1.0 to 4.0+"
    # landmark at 3 months (PFS3 of this protocol): S(3) = 1/4, at risk at 3 months: P4, P2
    assert rows(tte, "Event-free rate (%)", group)[0][2] == "25.0"
    assert rows(tte, "Patients remaining at risk", group)[0][2] == "2"


def test_protocol_without_term_groups_and_missing_adex(adam, protocol):
    with pytest.raises(InputError, match="the protocol reports no term group"):
        ae_term_groups(adam, protocol)
    skipped = {s.id for s in tabulate_csr(adam, protocol).skipped}
    assert skipped == {"ext01", "aesi01", "rsct01"}  # rsct01: no responses derived from TU/TR


def test_duplicate_subject_in_adsl_is_refused(adam, protocol):
    adsl = pl.concat([adam["adsl"], adam["adsl"].head(1)])
    with pytest.raises(InputError, match=r"ADSL\.USUBJID: 'P1' is in ADSL more than once"):
        demographics({**adam, "adsl": adsl}, protocol)
