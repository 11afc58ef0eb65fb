"""ADRS from TU/TR when the study has no RS, and the investigator-vs-derived concordance.

Expected values by hand from the seed study (tests/adam/seed_study.py): P1 target sum 50 -> 40
(week 8: -20%, SD) -> 50 (week 16: +25% and +10 mm over the nadir 40: PD); P2 50 -> 30 (-40%:
PR) -> 28 (PR, confirmed 56 days later). That is also what the seed's investigator RS says.
"""

import polars as pl
from typer.testing import CliRunner

from oncotrial.adam import derive_adam
from oncotrial.cli import app
from oncotrial.protocol import load
from oncotrial.report.tables import response_concordance
from oncotrial.sdtm import write_study

from .seed_study import seed_study

P = load("nct01010126")
INVESTIGATOR = ("OVR", "BOR", "CBOR", "PD", "RSP", "CB", "CRSP", "CCB", "BCP", "CBCP", "LSTA")


def values(adrs: pl.DataFrame, codes) -> list[tuple]:
    return (
        adrs.filter(pl.col("PARAMCD").is_in(list(codes)))
        .sort("USUBJID", "PARAMCD", "ADT", nulls_last=True)
        .select("USUBJID", "PARAMCD", "AVALC", "ADT")
        .rows()
    )


def test_without_rs_adrs_is_derived_from_tu_tr():
    study = seed_study()
    no_rs = {k: v for k, v in study.items() if k != "rs"}
    derived = derive_adam(no_rs, protocol=P)
    assert "adrs" in derived and "adtte" in derived  # before: no ADRS, no ADTTE at all
    ovr = derived["adrs"].filter(pl.col("PARAMCD") == "OVR").sort("USUBJID", "ADT")
    assert ovr.select("USUBJID", "AVISIT", "AVALC").rows() == [
        ("P1", "WEEK 8", "SD"), ("P1", "WEEK 16", "PD"),
        ("P2", "WEEK 8", "PR"), ("P2", "WEEK 16", "PR"),
    ]  # fmt: skip
    # the same ADRS and PFS as from the investigator's RS, which agrees with the measurements
    given = derive_adam(study, protocol=P)
    assert values(derived["adrs"], INVESTIGATOR) == values(given["adrs"], INVESTIGATOR)
    pfs = [a.filter(pl.col("PARAMCD") == "PFS").sort("USUBJID").select("AVAL", "CNSR").rows()
           for a in (derived["adtte"], given["adtte"])]  # fmt: skip
    assert pfs[0] == pfs[1] == [(113.0, 0), (113.0, 1), (20.0, 0)]
    assert not derived["adrs"]["PARAMCD"].is_in(["DOVR", "DBOR", "DCBOR"]).any()


def test_analyze_without_rs_writes_adrs(tmp_path):
    study = {k: v for k, v in seed_study().items() if k != "rs"}
    write_study(study, tmp_path / "sdtm", format="parquet")
    res = CliRunner().invoke(app, ["analyze", "--sdtm", str(tmp_path / "sdtm"), "--protocol",
                                   "nct01010126", "--out", str(tmp_path / "out"),
                                   "--no-report"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out" / "adam" / "adrs.parquet").exists()


def test_with_rs_and_tu_tr_the_derived_responses_sit_beside_the_investigators():
    study = seed_study()
    # the investigator calls P2's week 16 CR; the measurements (28 mm of 50) say PR
    p2_week16 = (pl.col("USUBJID") == "P2") & (pl.col("VISITNUM") == 3.0)
    study["rs"] = study["rs"].with_columns(
        pl.when(p2_week16).then(pl.lit("CR")).otherwise(pl.col("RSSTRESC")).alias("RSSTRESC")
    )
    adrs = derive_adam(study, protocol=P)["adrs"]
    dovr = adrs.filter(pl.col("PARAMCD") == "DOVR").sort("USUBJID", "ADT")
    assert dovr["AVALC"].to_list() == ["SD", "PD", "PR", "PR"]
    ovr = adrs.filter(pl.col("PARAMCD") == "OVR").sort("USUBJID", "ADT")
    assert ovr["AVALC"].to_list() == ["SD", "PD", "PR", "CR"]
    # CBOR: P2's PR at week 8 is confirmed by the week-16 CR (investigator) or PR (derived)
    assert values(adrs, ["CBOR", "DCBOR"])[:4] == [
        ("P1", "CBOR", "SD", values(adrs, ["CBOR"])[0][3]),
        ("P1", "DCBOR", "SD", values(adrs, ["CBOR"])[0][3]),
        ("P2", "CBOR", "PR", values(adrs, ["CBOR"])[1][3]),
        ("P2", "DCBOR", "PR", values(adrs, ["CBOR"])[1][3]),
    ]
    # the existing records keep their ASEQ; the derived ones come after, unique per subject
    assert adrs.group_by("USUBJID").agg(pl.col("ASEQ").n_unique() == pl.len())["ASEQ"].all()


def test_concordance_table_by_hand():
    study = seed_study()
    p2_week16 = (pl.col("USUBJID") == "P2") & (pl.col("VISITNUM") == 3.0)
    study["rs"] = study["rs"].with_columns(
        pl.when(p2_week16).then(pl.lit("CR")).otherwise(pl.col("RSSTRESC")).alias("RSSTRESC")
    )
    table = response_concordance(derive_adam(study, protocol=P), P)
    rows = {(r.group, r.label): r.values for r in table.rows}
    labels = [r.label for r in table.rows]
    # per visit: SD/SD, PD/PD, PR/PR agree; CR (investigator) vs PR (derived) does not: 3 of 4
    assert labels[0] == "Time-point overall response (4 visits)"
    cr_row = table.rows[labels.index("CR")]
    assert cr_row.values[table.columns.index("PR")] == "1"
    assert cr_row.values[table.columns.index("Total")] == "1"
    agreement = [r.values[0] for r in table.rows if r.label.startswith("Agreement")]
    assert agreement == ["3/4 (75.0%)", "2/2 (100.0%)"]  # BOR: P1 SD = SD, P2 PR = PR
    assert rows  # every row has one value per column (ReportTable checks it)
