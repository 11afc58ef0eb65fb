"""``oncotrial design ...`` through typer's CliRunner: tables, JSON, user errors."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from oncotrial.cli import app
from oncotrial.design import simon_search

runner = CliRunner()


def test_simon_table_lists_minimax_admissible_optimal():
    res = runner.invoke(app, ["design", "simon", "--p0", "0.05", "--p1", "0.2"])
    assert res.exit_code == 0, res.output
    for word in ("minimax", "admissible", "optimal", "0/10", "3/29", "0/13", "3/27"):
        assert word in res.output


def test_simon_json_equals_library():
    res = runner.invoke(
        app, ["design", "simon", "--p0", "0.1", "--p1", "0.3", "--nmax", "60", "--json"]
    )
    assert res.exit_code == 0, res.output
    payload = json.loads(res.output)
    lib = simon_search(0.1, 0.3, nmax=60).to_frame().to_dicts()
    assert payload["designs"] == lib
    assert payload["designs"][-1]["design"] == "optimal"


def test_user_error_exits_2_without_traceback():
    res = runner.invoke(app, ["design", "simon", "--p0", "0.3", "--p1", "0.2"])
    assert res.exit_code == 2
    assert "InputError: p1: 0.2 must be greater than p0" in res.output
    assert "Traceback" not in res.output


def test_no_design_is_a_design_error_exit_2():
    res = runner.invoke(app, ["design", "simon", "--p0", "0.05", "--p1", "0.25", "--nmax", "12"])
    assert res.exit_code == 2
    assert "DesignError: no two-stage design with n <= 12" in res.output
    assert "Traceback" not in res.output


def test_single_inference_and_coprimary_commands():
    res = runner.invoke(app, ["design", "single", "--p0", "0.05", "--p1", "0.25", "--json"])
    assert res.exit_code == 0, res.output
    first = json.loads(res.output)[0]
    # n=16, r=2: the minimum-n design checked by brute force in test_design_single
    assert (first["n"], first["r"]) == (16, 2)
    assert first["alpha"] <= 0.05
    assert first["power"] >= 0.8
    res = runner.invoke(
        app, ["design", "inference", "2", "--r1", "1", "--n1", "10", "--n", "29", "--p0", "0.1"]
    )
    assert res.exit_code == 0, res.output
    assert "0.2000" in res.output  # the UMVUE 9/45 worked out in test_design_inference
    res = runner.invoke(
        app,
        [
            "design",
            "coprimary",
            "--n",
            "54",
            "--orr",
            "0.05",
            "0.2",
            "--pfs",
            "0.4",
            "0.6",
            "--rule",
            "any",
        ],
    )
    assert res.exit_code == 2
    assert "rule: 'any' must be 'either' or 'both'" in res.output
