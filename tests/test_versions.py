"""What produced a result: `oncotrial --version`, `oncotrial info`, the report's metadata, and
the locks (requirements/*.txt) that `make test` and `make demo` install.

Expected versions come from importlib.metadata and platform directly, not from oncotrial.
"""

from __future__ import annotations

import io
import platform
import re
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from typer.testing import CliRunner

import oncotrial
from oncotrial.cli import app

ROOT = Path(__file__).resolve().parents[1]
LOCKS = ROOT / "requirements"
runner = CliRunner()


def _installed(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def test_version_option():
    res = runner.invoke(app, ["--version"], catch_exceptions=False)
    assert res.exit_code == 0
    assert res.output == f"oncotrial {_installed('oncotrial')}\n"


def test_info_lists_oncotrial_python_and_the_key_libraries():
    res = runner.invoke(app, ["info"], catch_exceptions=False)
    assert res.exit_code == 0
    rows = [line.split() for line in res.output.splitlines()]
    assert rows[0] == ["oncotrial", _installed("oncotrial")]
    assert rows[1] == ["python", platform.python_version()]
    names = [r[0] for r in rows[2:]]
    assert {"numpy", "scipy", "polars", "pydantic", "matplotlib", "weasyprint"} <= set(names)
    for name, *ver in rows[2:]:
        assert " ".join(ver) == _installed(name), name


def test_versions_line_is_info_on_one_line():
    parts = oncotrial.versions_line().split("; ")
    assert parts[:2] == [f"oncotrial {_installed('oncotrial')}", f"python {sys.version.split()[0]}"]
    assert len(parts) == 2 + len(oncotrial.KEY_DEPENDENCIES)


def test_report_html_and_pdf_name_the_versions(tmp_path):
    from pypdf import PdfReader

    from oncotrial.report.render import write_html, write_pdf

    html = write_html(tmp_path / "r.html", title="T", tables=[], figures=[])
    head = html.read_text(encoding="utf-8").split("</head>")[0]
    numpy_version = _installed("numpy")
    match = re.search(r'<meta name="generator" content="([^"]*)">', head)
    assert match is not None
    generator = match.group(1)
    assert generator.startswith(f"oncotrial {_installed('oncotrial')}; python ")
    assert f"; numpy {numpy_version};" in generator
    pdf = write_pdf(html, tmp_path / "r.pdf")
    meta = PdfReader(io.BytesIO(pdf.read_bytes())).metadata
    assert meta is not None and meta.creator == generator


# --- the locks ---------------------------------------------------------------------------


def _pins(lock: Path) -> dict[str, str]:
    """name -> version of the lines that apply on this Python and platform."""
    pins = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        if not line or line[0] in " #":
            continue
        req, _, marker = line.partition(";")
        if marker.strip() and not Marker(marker.strip()).evaluate():
            continue
        name, _, ver = req.strip().partition("==")
        pins[canonicalize_name(name)] = ver.strip()
    return pins


def _project() -> dict[str, list[str]]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {"run": data["dependencies"], **data["optional-dependencies"]}


@pytest.mark.parametrize(
    ("lock", "groups"), [("run", ["run"]), ("test", ["run", "test"]),
                         ("bench", ["run", "test", "bench"])]
)  # fmt: skip
def test_each_lock_pins_what_pyproject_asks_within_its_range(lock, groups):
    pins = _pins(LOCKS / f"{lock}.txt")
    asked = [Requirement(r) for g in groups for r in _project()[g]]
    asked += [Requirement(r) for r in (LOCKS / "tools.in").read_text().splitlines()
              if r and not r.startswith("#")]  # fmt: skip
    for req in asked:
        if req.marker is not None and not req.marker.evaluate():
            continue
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not in requirements/{lock}.txt: run make lock"
        assert req.specifier.contains(pins[name], prereleases=True), (req, pins[name])


def test_the_locks_agree_with_each_other():
    run, test, bench = (_pins(LOCKS / f"{n}.txt") for n in ("run", "test", "bench"))
    assert {k: test[k] for k in run} == run
    assert {k: bench[k] for k in test} == test


def test_the_make_venv_holds_the_locked_versions():
    # `make test` syncs .venv to requirements/test.txt (bench.txt after `make bench`) and
    # copies the lock it synced beside the venv: every package of it is installed at its version
    synced = Path(sys.prefix) / "synced-lock.txt"
    if not synced.exists():
        pytest.skip("not a venv that make built")
    text = synced.read_text(encoding="utf-8")
    locks = {p.name: p.read_text(encoding="utf-8") for p in LOCKS.glob("*.txt")}
    assert text in locks.values(), "the venv was synced to an older lock: run make test"
    pins = _pins(synced)
    assert {name: _installed(name) for name in pins} == pins
