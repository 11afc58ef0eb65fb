"""CTCAE v5.0 lookups against the bundled data.

Sources of truth: the CSVs in shared/data/ctcae/ (made from NCI's CTCAE v5.0 workbook; its README
gives the measured counts quoted below) and the CTCAE v5.0 document itself for individual terms.
"""

import hashlib
import re
from importlib.resources import files

import polars as pl
import pytest

from oncotrial.errors import InputError
from oncotrial.terminology import (
    allowed_grades,
    check_grade,
    ctcae_socs,
    ctcae_terms,
    format_grades,
    grade_problems,
    lookup_term,
)

DATA = files("oncotrial.terminology").joinpath("data")


def test_bundled_files_match_the_readme_checksums():
    # The data README lists each file's sha256; a silently edited CSV fails here.
    readme = DATA.joinpath("README.md").read_text()
    listed = dict(re.findall(r"\| `([\w.]+\.csv)` \|[^|]*\| `([0-9a-f]{64})` \|", readme))
    assert set(listed) == {"ctcae_v5_terms.csv", "ctcae_v5_soc.csv", "seed_trial_term_groups.csv"}
    for name, digest in listed.items():
        assert hashlib.sha256(DATA.joinpath(name).read_bytes()).hexdigest() == digest


def test_row_counts_match_the_source_readme():
    # shared/data/ctcae/README.md: 837 terms, 26 SOCs, 837 unique codes, no duplicate names.
    terms = ctcae_terms()
    assert terms.height == 837
    assert terms["meddra_code"].n_unique() == 837
    assert terms["ctcae_term"].n_unique() == 837
    assert ctcae_socs().height == 26
    # the SOC file's counts add up to the terms file, SOC by SOC
    counted = terms.group_by("meddra_soc").len()
    joined = ctcae_socs().join(counted, on="meddra_soc", how="full", coalesce=True)
    assert (joined["n_terms"] == joined["len"]).all()


def test_allowed_grade_patterns_match_the_source_readme():
    # shared/data/ctcae/README.md, "Allowed-grade patterns": 1-5: 330; 1-3: 196; 2-5: 100;
    # 494 terms allow grade 5; max grade is 3 for 211 terms.
    terms = ctcae_terms()
    patterns = terms["allowed_grades"].list.eval(pl.element().cast(pl.String)).list.join(",")
    counts = dict(patterns.value_counts().iter_rows())
    assert counts["1,2,3,4,5"] == 330
    assert counts["1,2,3"] == 196
    assert counts["2,3,4,5"] == 100
    assert terms.filter(pl.col("allowed_grades").list.contains(5)).height == 494
    assert terms.filter(pl.col("max_grade") == 3).height == 211
    # a grade is allowed exactly when its description is not the workbook's "-"
    for g in range(1, 6):
        has_text = terms[f"grade_{g}"].is_not_null()
        assert (has_text == terms["allowed_grades"].list.contains(g)).all()


@pytest.mark.parametrize(
    ("term", "grades", "code"),
    [
        # CTCAE v5.0 document (General disorders): Fatigue has no grade 4 or 5.
        ("Fatigue", (1, 2, 3), 10016256),
        # CTCAE v5.0 (Vascular disorders): Hypertension grades 1-5.
        ("Hypertension", (1, 2, 3, 4, 5), 10020772),
        # CTCAE v5.0: Death NOS is grade 5 only.
        ("Death NOS", (5,), None),
        # CTCAE v5.0 (Gastrointestinal): perforations start at grade 2.
        ("Colonic perforation", (2, 3, 4, 5), 10010001),
    ],
)
def test_known_terms(term, grades, code):
    found = lookup_term(term.upper())
    assert found.term == term
    assert found.grades == grades
    assert allowed_grades(term) == grades
    if code is not None:
        assert found.meddra_code == code


def test_lookup_ignores_case_and_blanks():
    assert lookup_term("  fatigue ").term == "Fatigue"
    assert lookup_term("alanine  aminotransferase increased").soc == "Investigations"


def test_unknown_term_hints_the_closest():
    with pytest.raises(InputError) as info:
        lookup_term("Fatige", row=7, file="ae.csv")
    assert str(info.value) == (
        "ae.csv:7: AEDECOD: 'Fatige' is not a CTCAE v5.0 term\nhint: did you mean 'Fatigue'?"
    )


def test_unknown_term_without_close_match_has_no_hint():
    with pytest.raises(InputError) as info:
        lookup_term("zzzzzz")
    assert info.value.hint is None


def test_check_grade_accepts_sdtm_text_grades():
    assert check_grade("Hypertension", "5") == 5
    assert check_grade("Fatigue", 1) == 1


def test_fatigue_grade_4_is_refused_with_the_allowed_range():
    with pytest.raises(InputError) as info:
        check_grade("Fatigue", "4", row=12, file="ae.csv")
    assert str(info.value) == (
        "ae.csv:12: AETOXGR: '4' is not a grade Fatigue allows\n"
        "hint: Fatigue allows grades 1-3 (CTCAE v5.0)"
    )


@pytest.mark.parametrize("grade", ["0", "6", "2.5", "", "three", 0, 6, True])
def test_grades_outside_1_to_5_are_refused(grade):
    with pytest.raises(InputError, match="is not a CTCAE grade") as info:
        check_grade("Hypertension", grade)
    assert "Hypertension allows grades 1-5" in str(info.value)


def test_single_grade_term_hint_is_singular():
    with pytest.raises(InputError) as info:
        check_grade("Death NOS", 3)
    assert info.value.hint == "Death NOS allows grade 5 (CTCAE v5.0)"


def test_format_grades_by_hand():
    # e.g. a "1,3,4,5" term (README: 4 such terms) prints as 1, 3-5
    assert format_grades((1, 3, 4, 5)) == "1, 3-5"
    assert format_grades((1, 2, 3, 5)) == "1-3, 5"
    assert format_grades((2,)) == "2"


def test_grade_problems_on_a_domain():
    ae = pl.DataFrame(
        {
            "AEDECOD": ["Fatigue", "Fatigue", "Nausea", None, "Fatigue", "Anemia"],
            "AETOXGR": ["3", "4", "4", "2", None, "9"],
        }
    )
    problems = grade_problems(ae)
    # By hand: row 2 fatigue grade 4 (not allowed); Nausea allows 1-3 in CTCAE v5.0 -> row 3;
    # row 4 has no term; row 5 is ungraded (not checked); row 6 grade 9 is no CTCAE grade.
    assert problems["row"].to_list() == [2, 3, 4, 6]
    assert problems["field"].to_list() == ["AETOXGR", "AETOXGR", "AEDECOD", "AETOXGR"]
    assert problems["hint"][1] == "Nausea allows grades 1-3 (CTCAE v5.0)"


def test_grade_problems_missing_column():
    with pytest.raises(InputError, match="column is missing"):
        grade_problems(pl.DataFrame({"AETERM": ["x"]}))
