"""What the CLI says: one clean line for a table left out, a browser that cannot be opened."""

import warnings
import webbrowser

from typer.testing import CliRunner

from oncotrial import protocol as proto
from oncotrial.adam import derive_adam, write_adam
from oncotrial.cli import app
from oncotrial.cli._demo import open_in_browser

from .seed_study import seed_study

runner = CliRunner()


def test_a_table_left_out_is_one_clean_line(tmp_path):
    # A protocol without reported term groups has no AESI01: `oncotrial report` (and analyze,
    # which shares the code) says so in one line, not as "_build.py:105: SkippedTableWarning"
    p = proto.load("nct01010126").model_copy(update={"reported_term_groups": ()})
    path = tmp_path / "protocol.yaml"
    proto.dump(p, path)
    write_adam(derive_adam(seed_study(), protocol=p), tmp_path / "adam")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = runner.invoke(app, ["report", "--adam", str(tmp_path / "adam"), "--protocol",
                                  str(path), "--out", str(tmp_path / "report"), "--no-pdf",
                                  "--no-rtf"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert not [w for w in caught if "SkippedTable" in w.category.__name__]
    assert "SkippedTableWarning" not in res.output
    assert "_build.py" not in res.output
    lines = [line for line in res.output.splitlines() if "aesi01" in line]
    assert lines == [
        "note: aesi01 left out of the report: reported_term_groups: table aesi01: the protocol"
        " reports no term group; hint: name groups in the protocol's reported_term_groups"
    ], res.output


def test_open_in_browser_says_when_there_is_none(tmp_path, monkeypatch, capsys):
    page = tmp_path / "report.html"
    page.write_text("<html></html>")
    monkeypatch.setattr(webbrowser, "open", lambda uri: False)  # no browser (e.g. a server)
    assert open_in_browser(page) is False

    def broken(uri):
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr(webbrowser, "open", broken)
    assert open_in_browser(page) is False
    monkeypatch.setattr(webbrowser, "open", lambda uri: True)
    assert open_in_browser(page) is True


def test_demo_open_without_a_browser_says_so(monkeypatch):
    # the command's own output: patch the browser, run only the last step's helper through
    # the CLI's console (demo --open calls open_in_browser with the report's path)
    from oncotrial.cli import _common

    monkeypatch.setattr(webbrowser, "open", lambda uri: False)
    with _common.err.capture() as captured:
        open_in_browser(__import__("pathlib").Path("report.html"))
    assert "no browser could be opened here; open file://" in captured.get()
