"""The command line read in a pipe or a log, 80 columns wide: nothing cut, nothing raw.

An outside review found drug names cut ("temsirol..."), option names cut in --help, Python
types as placeholders (<bool>, <list[str]>), `sim oc` cells of unlabelled numbers in
parentheses under a column "base", and `design protocol` printing field names (pet0, #1).
"""

import re

import pytest
import typer
from typer.testing import CliRunner

from oncotrial.cli import app

runner = CliRunner()
ENV = {"COLUMNS": "80", "TERM": "dumb", "NO_COLOR": "1"}


def run(*args: str) -> str:
    res = runner.invoke(app, list(args), env=ENV, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.output


def commands() -> list[list[str]]:
    root = typer.main.get_command(app)
    out = []
    for name, cmd in root.commands.items():  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", None)
        out += [[name, sub] for sub in subs] if subs else [[name]]
    return out


@pytest.mark.parametrize("path", commands(), ids=" ".join)
def test_help_has_plain_placeholders_and_whole_option_names(path):
    text = run(*path, "--help")
    assert not re.search(r"<(str|bool|int|float|path|list\[)", text), text
    assert all(len(line) <= 80 for line in text.splitlines())
    root = typer.main.get_command(app)
    cmd = root
    for part in path:
        cmd = cmd.commands[part]  # type: ignore[attr-defined]
    for param in cmd.params:
        for opt in getattr(param, "opts", []):
            if opt.startswith("--"):
                assert opt in text, f"{' '.join(path)}: {opt} cut or missing"


def test_protocol_show_keeps_drug_names_whole():
    text = run("protocol", "show", "nct01010126")
    assert "temsirolimus" in text and "bevacizumab" in text
    assert "…" not in text


def test_design_protocol_labels_its_quantities():
    text = run("design", "protocol", "example_docetaxel_simon")
    for raw in (" pet0 ", " en1 ", "#1", "prob_reject"):
        assert raw not in text, raw
    assert "P(stop after stage 1) at p0" in text
    assert "promising if responses > r" in text
    assert "EXAMPLE-DOCETAXEL-SIMON: design" in text  # the title on one line
    assert "P(early stop)" in text and "…" not in text
    assert "…" not in run("design", "simon", "--p0", "0.05", "--p1", "0.2")


def test_sim_oc_says_what_its_cells_hold():
    text = run("sim", "oc", "--protocol", "nct01010126", "--scenario", "nct01010126",
               "--trials", "50", "--workers", "1")  # fmt: skip
    assert "estimate (MC SE)" in text
    assert not re.search(r"\bbase\b", text)
    assert "each cell: estimate (Monte Carlo standard error) over 50 trials" in text
