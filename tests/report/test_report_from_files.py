"""`oncotrial report --adam DIR` gives the same tables from parquet, CSV, XPT and Dataset-JSON:
each equal to the golden file of the in-memory ADaM (seed 7), and the same abstract."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from oncotrial.adam import derive_adam, write_adam
from oncotrial.cli import app
from oncotrial.protocol import load
from oncotrial.sdtm import FileFormat
from oncotrial.sim import load_scenario, simulate_trial

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module")
def adam():
    protocol = load("nct01010126")
    scenario = load_scenario("nct01010126", protocol=protocol)
    return derive_adam(simulate_trial(protocol, scenario, seed=7), protocol=protocol)


@pytest.mark.slow
def test_report_from_each_format_gives_the_golden_tables(adam, tmp_path):
    abstracts = set()
    for fmt in FileFormat:
        (tmp_path / fmt).mkdir()
        write_adam(adam, tmp_path / fmt / "adam", format=fmt)
        res = CliRunner().invoke(app, ["report", "--adam", str(tmp_path / fmt / "adam"),
                                       "--protocol", "nct01010126", "--format", fmt,
                                       "--out", str(tmp_path / fmt / "report"),
                                       "--no-pdf", "--no-rtf"])  # fmt: skip
        assert res.exit_code == 0, res.output
        tables = sorted((tmp_path / fmt / "report" / "tables").glob("*.txt"))
        assert [t.name for t in tables] == sorted(p.name for p in GOLDEN.glob("*.txt"))
        for table in tables:
            assert table.read_text() == (GOLDEN / table.name).read_text(), (fmt, table.name)
        abstracts.add((tmp_path / fmt / "report" / "abstract.json").read_text())
    assert len(abstracts) == 1
