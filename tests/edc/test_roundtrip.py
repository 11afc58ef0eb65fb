"""The round trip that proves nothing is lost: ``sim trial`` SDTM -> ``edc load-sim`` (every
form saved through the service layer by a site user) -> ``edc export --format sdtm`` gives the
same SDTM up to --SEQ order, the same ADaM and the same report tables.

The expected values are the simulator's own SDTM (an independent producer: it never passes
through the EDC). What cannot survive capture is stated here, exactly, and nothing else:

- AEREL<agent>: the simulator's RELATED is entered as DEFINITELY RELATED (the EDC's
  five-level causality scale has no bare RELATED); NOT RELATED stays. ADaM counts both as
  related (``oncotrial.adam.RELATED``), so the analysis is unchanged.
- VS HEIGHT: the baseline form requires a height and the simulator draws none; load-sim enters
  one (170 cm) and the export carries it as an extra VS record, which ADSL HEIGHTBL then holds
  (null from the simulator).
- DM BRTHDTC: captured (AGE is computed from it and the consent date: the same AGE).
"""

from __future__ import annotations

import difflib
from pathlib import Path

import polars as pl
import pytest

from oncotrial import protocol as proto
from oncotrial.adam import derive_adam
from oncotrial.cli._edc_load import RELATIONSHIP, load_simulated
from oncotrial.edc import DERIVED_EVALUATOR, SYSTEM, Edc, export_odm, export_sdtm
from oncotrial.report.tables import csr_tables
from oncotrial.sdtm import Study
from oncotrial.sim import load_scenario, simulate_trial

PASSWORD = "correct horse battery 1"
PATIENTS = 8


@pytest.fixture(scope="module")
def trip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Study, Study, Edc, proto.Protocol]:
    p = proto.load("nct01010126")
    sim = simulate_trial(p, load_scenario("nct01010126", protocol=p), n_patients=PATIENTS,
                         seed=7)  # fmt: skip
    url = f"sqlite:///{tmp_path_factory.mktemp('trip') / 'trial.db'}"
    report = load_simulated(url, p, sim, password=PASSWORD)
    assert report.subjects == PATIENTS
    edc = Edc(url)
    return sim, export_sdtm(edc, SYSTEM).study, edc, p


def _expected(sim: Study) -> dict[str, pl.DataFrame]:
    """The simulator's SDTM with the documented capture differences applied."""
    out = {}
    for name, frame in sim.items():
        rel = [c for c in frame.columns if c.startswith("AEREL")]
        out[name] = frame.with_columns(pl.col(c).replace(RELATIONSHIP) for c in rel)
    return out


def _canon(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    cols = [c for c in columns if not c.endswith("SEQ")]
    return frame.select(cols).sort(cols, nulls_last=True)


@pytest.mark.xfail(
    strict=True,
    reason="the simulator's SDTM gained issue 12's conformance (SUPPAE, TS/TA/TE/TV/TI, DM "
    "RFENDTC/RACE/ARMNRS, AE MedDRA codes and seriousness criteria) which the EDC export does "
    "not write yet: an open gap of issue 13",
)
def test_sdtm_round_trip(trip: tuple[Study, Study, Edc, proto.Protocol]) -> None:
    sim, exported, _, _ = trip
    expected = _expected(sim)
    assert set(expected) <= set(exported)
    for name, want in expected.items():
        got = exported[name]
        if name == "rs":
            got = got.filter(pl.col("RSEVAL") == "INVESTIGATOR")
        if name == "vs":
            assert got.filter(pl.col("VSTESTCD") == "HEIGHT")["VSSTRESN"].unique().to_list() == [
                170.0
            ]
            got = got.filter(pl.col("VSTESTCD") != "HEIGHT")
        extra = set(got.columns) - set(want.columns)
        assert extra <= {"BRTHDTC"}, (name, extra)
        assert set(want.columns) <= set(got.columns), (name, set(want.columns) - set(got.columns))
        cols = want.columns
        a, b = _canon(want, cols), _canon(got.select(cols).cast(want.schema), cols)  # type: ignore[arg-type]
        assert a.equals(b), (name, a.join(b, on=a.columns, how="anti"))


def test_derived_response_is_recist_of_the_entered_measurements(
    trip: tuple[Study, Study, Edc, proto.Protocol],
) -> None:
    # the simulator's RS is itself RECIST 1.1 of its TU/TR, and the investigator's response was
    # entered as it: the derived responses (computed from what was captured) agree with it
    sim, exported, _, _ = trip
    rs = exported["rs"]
    derived = rs.filter(pl.col("RSEVAL") == DERIVED_EVALUATOR).drop("RSEVAL")
    inv = sim["rs"].drop("RSEVAL")
    cols = [c for c in inv.columns if c in derived.columns]
    assert _canon(derived, cols).equals(_canon(inv, cols))


@pytest.mark.xfail(
    strict=True,
    reason="the simulator's SDTM gained issue 12's conformance (SUPPAE, TS/TA/TE/TV/TI, DM "
    "RFENDTC/RACE/ARMNRS, AE MedDRA codes and seriousness criteria) which the EDC export does "
    "not write yet: an open gap of issue 13",
)
def test_adam_and_report_tables_round_trip(trip: tuple[Study, Study, Edc, proto.Protocol]) -> None:
    sim, exported, _, p = trip
    want = derive_adam(sim, protocol=p)
    got = derive_adam(exported, protocol=p)
    assert set(want) == set(got)
    for name in want:
        w, g = want[name], got[name]
        cols = [c for c in w.columns if not c.startswith("AEREL") and c != "HEIGHTBL"]
        assert set(cols) <= set(g.columns), name
        assert _canon(w, cols).equals(_canon(g.select(cols), cols)), name
    # the entered height reaches ADSL HEIGHTBL (the simulator has none)
    assert want["adsl"]["HEIGHTBL"].null_count() == want["adsl"].height
    assert got["adsl"]["HEIGHTBL"].drop_nulls().unique().to_list() == [170.0]
    tw = {t.id: t.to_text() for t in csr_tables(want, p)}
    tg = {t.id: t.to_text() for t in csr_tables(got, p)}
    assert tw.keys() == tg.keys()
    for tid in tw:
        if tid == "dmt01":  # the demographics table shows the entered height, and only that
            changed = [
                line
                for line in difflib.ndiff(tw[tid].splitlines(), tg[tid].splitlines())
                if line[:1] in "+-" and line[1:].strip()
            ]
            # one block added (nothing removed): the height of the subjects weighed
            weighed = got["adsl"]["HEIGHTBL"].drop_nulls().len()
            assert [line.split()[:3] for line in changed] == [
                ["+", "Height", "at"], ["+", "n", str(weighed)], ["+", "Mean", "(SD)"],
                ["+", "Median", "170.0"], ["+", "Min", "-"],
            ], changed  # fmt: skip
        else:
            assert tw[tid] == tg[tid], tid


def test_odm_export(trip: tuple[Study, Study, Edc, proto.Protocol]) -> None:
    import xml.etree.ElementTree as ET

    _, exported, edc, _ = trip
    xml = export_odm(edc, SYSTEM)
    # valid against the ODM 1.3.2 schema (CDISC's XSD files, as odmlib 0.2.1 ships them)
    xmlschema = pytest.importorskip("xmlschema", reason="xmlschema is in the test lock")
    schema = xmlschema.XMLSchema(str(Path(__file__).parent / "data/odm1.3.2/ODM1-3-2.xsd"))
    errors = [f"{e.path}: {e.reason}" for e in schema.iter_errors(xml.decode("utf-8"))]
    assert errors == []
    ns = {"odm": "http://www.cdisc.org/ns/odm/v1.3"}
    root = ET.fromstring(xml)
    assert root.get("ODMVersion") == "1.3.2"
    subjects = root.findall("odm:ClinicalData/odm:SubjectData", ns)
    assert len(subjects) == PATIENTS
    # every ItemData has its AuditRecord, pointing at an audit record of that value
    trail = {r["seq"]: r for r in edc.audit_trail(SYSTEM)}
    items = root.findall(".//odm:ItemData", ns)
    assert items
    for item in items:
        source = item.find("odm:AuditRecord/odm:SourceID", ns)
        assert source is not None and source.text is not None
        rec = trail[int(source.text.removeprefix("audit:"))]
        assert rec["new"] == item.get("Value") or float(rec["new"]) == float(item.get("Value"))
    # one weight per subject weighed, as in the SDTM export
    weights = [i for i in items if i.get("ItemOID") == "I.VS.VS.WEIGHT"]
    assert len(weights) == exported["vs"].filter(pl.col("VSTESTCD") == "WEIGHT").height
