"""``oncotrial monitor``: the screen, --json (the same facts, with the trace), user errors."""

import json

from typer.testing import CliRunner

from oncotrial import protocol as proto
from oncotrial.cli import app
from oncotrial.sdtm import write_study
from oncotrial.sim import load_scenario, simulate_trial

runner = CliRunner()


def _sdtm(tmp_path):
    p = proto.load("nct01010126")
    study = simulate_trial(p, load_scenario("nct01010126", protocol=p), n_patients=20, seed=3)
    folder = tmp_path / "sdtm"
    write_study(study, folder)
    return folder


def test_monitor_screen_and_json(tmp_path):
    folder = _sdtm(tmp_path)
    args = ["monitor", "--sdtm", str(folder), "--protocol", "nct01010126",
            "--cutoff", "2011-01-31"]  # fmt: skip
    screen = runner.invoke(app, args)
    assert screen.exit_code == 0, screen.output
    assert "data cut-off 2011-01-31" in screen.output
    assert "Toxicity rules" in screen.output
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    facts = json.loads(res.output)
    assert facts["cutoff"] == "2011-01-31"
    assert facts["enrolment"]["enrolled"] == len(facts["subjects"])
    assert all(s["ENRLDT"] <= "2011-01-31" for s in facts["subjects"])
    items = {e["item"] for e in facts["trace"]}
    assert {"enrolled", "ORR successes", "PFS6 pending", "toxicity events (bowel perforation)",
            "toxicity events (bleeding)"} <= items  # fmt: skip
    assert [t["rule"] for t in facts["toxicity"]] == ["bowel perforation", "bleeding"]
    assert f"{facts['enrolment']['enrolled']} / 59" in screen.output


def test_monitor_bad_cutoff_exits_2(tmp_path):
    folder = _sdtm(tmp_path)
    res = runner.invoke(app, ["monitor", "--sdtm", str(folder), "--protocol", "nct01010126",
                              "--cutoff", "31/01/2011"])  # fmt: skip
    assert res.exit_code == 2
    assert "YYYY-MM-DD" in res.output
    assert "Traceback" not in res.output
