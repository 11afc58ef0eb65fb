"""Term groups (bundled and user-defined) and the CDISC constants.

Source of truth: shared/data/ctcae/seed_trial_term_groups.csv (54 rows: bleeding 44,
bowel_perforation 8, hypertension 1, fatigue 1, counted with `cut -d, -f1 | sort | uniq -c`).
"""

import polars as pl
import pytest

from oncotrial.errors import InputError
from oncotrial.terminology import (
    RECIST_RESPONSES,
    RESPONSE_AVAL,
    TermGroup,
    ctcae_terms,
    define_term_groups,
    term_groups,
)


def test_bundled_groups_and_sizes():
    groups = term_groups()
    assert {k: len(v.terms) for k, v in groups.items()} == {
        "bleeding": 44,
        "bowel_perforation": 8,
        "hypertension": 1,
        "fatigue": 1,
    }
    assert all(isinstance(g, TermGroup) and g.match == "ctcae_term" for g in groups.values())


def test_every_bundled_term_is_a_ctcae_term():
    known = set(ctcae_terms()["ctcae_term"])
    for group in term_groups().values():
        assert set(group.terms) <= known


def test_borderline_notes_are_kept():
    notes = dict(term_groups()["bleeding"].notes)
    assert notes["Purpura"].startswith("borderline")
    assert "Epistaxis" not in notes


def test_group_expression_matches_exact_terms_only():
    ae = pl.DataFrame({"AEDECOD": ["Epistaxis", "EPISTAXIS", "Epistaxis NOS", "Hematuria"]})
    flags = ae.select(term_groups()["bleeding"].expr())["AEDECOD"].to_list()
    assert flags == [True, True, False, True]


def test_user_groups_replace_and_extend():
    groups = term_groups({"bleeding": ["Epistaxis"], "rash": ["Rash maculo-papular"]})
    assert groups["bleeding"].terms == ("Epistaxis",)
    assert list(groups)[-1] == "rash"


def test_user_group_unknown_term_names_the_position():
    with pytest.raises(InputError) as info:
        define_term_groups({"rash": ["Rash maculo-papular", "Rash acneform"]})
    # CTCAE v5.0 spells it "Rash acneiform"
    assert str(info.value).startswith("term_groups.rash[1]: 'Rash acneform' is not a CTCAE")
    assert "'Rash acneiform'" in info.value.hint


def test_user_group_empty_or_repeated():
    with pytest.raises(InputError, match="non-empty list"):
        define_term_groups({"x": []})
    with pytest.raises(InputError, match="non-empty list"):
        define_term_groups({"x": "Fatigue"})
    with pytest.raises(InputError, match="listed twice"):
        define_term_groups({"x": ["Fatigue", "fatigue"]})


def test_recist_constants():
    # RECIST 1.1 responses as SDTM RS carries them; admiralonco aval_resp coding
    # (domain doc admiralonco_derivations.md, section 1 step 3).
    assert RECIST_RESPONSES == ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "NA")
    assert [RESPONSE_AVAL[r] for r in ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE")] == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]
    with pytest.raises(TypeError):
        RESPONSE_AVAL["CR"] = 9  # type: ignore[index]
