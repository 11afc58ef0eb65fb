"""Packaging: the licence the package declares, and Dask as an optional extra."""

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_license_file_is_the_apache_2_text():
    # pyproject declares Apache-2.0; the full licence text must ship with the source
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert meta["project"]["license"] == "Apache-2.0"
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text
    assert "Version 2.0, January 2004" in text
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text
    assert "END OF TERMS AND CONDITIONS" in text


def test_dask_is_an_optional_extra():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = [d.split(">")[0].split("[")[0].strip() for d in meta["dependencies"]]
    assert "dask" not in names
    assert "distributed" not in names
    extra = [d.split(">")[0] for d in meta["optional-dependencies"]["dask"]]
    assert extra == ["dask", "distributed"]


def test_no_module_imports_dask_when_loaded():
    # only a function body (run with --scheduler) or a TYPE_CHECKING block may import Dask
    for path in (ROOT / "src" / "oncotrial").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                )
                assert not any(n.split(".")[0] in ("dask", "distributed") for n in names), path


def test_the_run_lock_has_no_dask_and_the_test_lock_has_it():
    # `make demo` installs requirements/run.txt (no Dask); `make test` requirements/test.txt
    def names(lock: str) -> set[str]:
        text = (ROOT / "requirements" / lock).read_text()
        return {line.split("==")[0] for line in text.splitlines() if "==" in line}

    assert not {"dask", "distributed"} & names("run.txt")
    assert {"dask", "distributed"} <= names("test.txt")
