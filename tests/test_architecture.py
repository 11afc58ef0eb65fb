"""The package layers of docs/architecture.md, checked on the import graph of src/oncotrial.

The graph is read with :mod:`ast` from the source (nothing is imported), counting every import:
at module level, inside functions (where circles used to hide) and under ``TYPE_CHECKING``.
Three rules:

1. A package imports only the packages its row of :data:`MAY_IMPORT` names, and the foundation:
   ``oncotrial`` itself, ``errors`` and the private modules beside it (the file layer
   ``_files``, ``_yaml``, ``_base``, and any ``oncotrial._x`` added later); the foundation
   imports only the foundation.
2. No module imports a private name (``_x``, module or attribute) of another package:
   ``oncotrial.sim`` may not import ``oncotrial.protocol._yaml``. The root package's private
   modules are the foundation, shared by every package below ``oncotrial``.
3. No import circle between modules, counting imports inside functions; an import under
   ``if TYPE_CHECKING:`` (annotations only, never run) does not close a circle.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"


def is_foundation(package: str) -> bool:
    """The root package, ``errors`` and the private modules beside it (``_files``, ``_yaml``)."""
    return package in ("oncotrial", "errors") or (
        package.startswith("_") and not package.startswith("__")
    )


#: The "may import" column of docs/architecture.md's package table (and, for the packages not
#: built yet, conduct and edc, of the design it follows). Besides its row, a package may import
#: the foundation. Rows name only packages higher in the table: dependencies point one way.
MAY_IMPORT: dict[str, frozenset[str]] = {
    "protocol": frozenset(),
    "stats": frozenset(),
    "design": frozenset({"stats", "protocol"}),
    "terminology": frozenset(),
    "sdtm": frozenset({"terminology"}),
    "recist": frozenset({"terminology", "sdtm"}),
    "adam": frozenset({"sdtm", "recist", "terminology", "protocol", "stats"}),
    "sim": frozenset({"protocol", "design", "stats", "terminology", "sdtm", "recist", "adam"}),
    "report": frozenset({"adam", "stats", "protocol", "design", "terminology"}),
    "conduct": frozenset({"protocol", "design", "stats", "sdtm", "recist", "terminology"}),
    "edc": frozenset(
        {"conduct", "protocol", "design", "terminology", "sdtm", "recist", "stats"}
    ),  # never adam, report or sim: `edc load-sim` lives in cli
    "cli": frozenset(
        {"protocol", "stats", "design", "terminology", "sdtm", "recist", "adam", "sim"}
        | {"report", "conduct", "edc"}
    ),
    "__main__": frozenset({"cli"}),
}

#: The order of the table, top (imported by the rest) to bottom.
ORDER = list(MAY_IMPORT)


@dataclass(frozen=True)
class Import:
    """One import: the importing module, the imported dotted name, where, and how."""

    module: str
    target: str  # a module, or module.name for ``from module import name``
    line: int
    type_checking: bool


def _modules(src: Path) -> dict[str, Path]:
    out = {}
    for path in sorted(src.rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.attr if isinstance(test, ast.Attribute) else getattr(test, "id", None)
            if name == "TYPE_CHECKING":
                for child in node.body:
                    ids.update(id(n) for n in ast.walk(child))
    return ids


def import_graph(src: Path, root: str = "oncotrial") -> tuple[dict[str, Path], list[Import]]:
    """Every import of `root` modules by `root` modules under `src`, resolved to dotted names."""
    modules = _modules(src)
    found: list[Import] = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        hidden = _type_checking_nodes(tree)
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    source = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    source = node.module or ""
                targets = [f"{source}.{alias.name}" for alias in node.names]
            for target in targets:
                if target == root or target.startswith(root + "."):
                    found.append(Import(name, target, node.lineno, id(node) in hidden))
    return modules, found


def _package(module: str) -> str:
    """``oncotrial.sdtm._io`` -> ``sdtm``; ``oncotrial`` (the root's ``__init__``) -> itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _module_of(target: str, modules: dict[str, Path]) -> str:
    """The module an import loads: ``a.b.name`` -> ``a.b`` unless ``a.b.name`` is a module."""
    return target if target in modules else target.rpartition(".")[0]


def layer_violations(modules: dict[str, Path], imports: list[Import]) -> list[str]:
    out = []
    for imp in imports:
        src, dst = _package(imp.module), _package(_module_of(imp.target, modules))
        if src == dst:
            continue
        if src not in MAY_IMPORT and not is_foundation(src):
            out.append(f"{imp.module}: package {src!r} has no row in the layer table")
            continue
        if not is_foundation(dst) and (is_foundation(src) or dst not in MAY_IMPORT[src]):
            out.append(f"{imp.module}:{imp.line} imports {imp.target} ({src} may not import {dst})")
    return out


def private_violations(imports: list[Import]) -> list[str]:
    """Imports of a private name (``_x``) from outside the package that owns it.

    The owner of ``a.b._c.d`` is ``a.b``; of ``oncotrial._files``, ``oncotrial`` (so every
    package may use the foundation). Within a package of the table (``oncotrial.report``) the
    modules share their private names: ``report.abstract`` may use ``report.render._files``.
    """
    out = []
    for imp in imports:
        parts = imp.target.split(".")
        for i, part in enumerate(parts):
            if part.startswith("_") and not part.startswith("__"):
                owner = ".".join(parts[:i])
                if owner != "oncotrial":  # a package of the table owns it
                    owner = ".".join(parts[:2])
                if not (imp.module == owner or imp.module.startswith(owner + ".")):
                    out.append(f"{imp.module}:{imp.line} imports {imp.target}, private to {owner}")
                break
    return out


def circles(modules: dict[str, Path], imports: list[Import]) -> list[list[str]]:
    """Strongly connected groups of modules (more than one), ignoring TYPE_CHECKING imports."""
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for imp in imports:
        target = _module_of(imp.target, modules)
        if not imp.type_checking and target in modules and target != imp.module:
            edges[imp.module].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's algorithm
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(modules):
        if v not in index:
            visit(v)
    return groups


@pytest.fixture(scope="module")
def graph() -> tuple[dict[str, Path], list[Import]]:
    return import_graph(SRC)


def test_the_table_points_one_way():
    for i, package in enumerate(ORDER):
        assert MAY_IMPORT[package] <= set(ORDER[:i]), package


def test_every_package_has_a_row(graph):
    modules, _ = graph
    packages = {_package(m) for m in modules}
    assert {p for p in packages if not is_foundation(p)} - MAY_IMPORT.keys() == set()


def test_no_upward_import(graph):
    modules, imports = graph
    assert layer_violations(modules, imports) == []


def test_no_private_name_of_another_package(graph):
    _, imports = graph
    assert private_violations(imports) == []


def test_no_import_circle(graph):
    modules, imports = graph
    assert circles(modules, imports) == []


def test_the_checks_catch_what_they_should(tmp_path):
    # a small tree with one fault of each kind, found by hand
    files = {
        "oncotrial/__init__.py": "def versions(): ...\n",
        "oncotrial/errors.py": "",
        "oncotrial/_yaml.py": "from oncotrial.errors import E\nfrom oncotrial._files import w\n",
        "oncotrial/_files.py": "from oncotrial.sdtm import write_study\n",  # up: layer
        "oncotrial/sdtm/__init__.py": "from oncotrial.sdtm._a import f\n",
        "oncotrial/sdtm/_a.py": (
            "from oncotrial.errors import InputError\n"
            "def g():\n    from oncotrial.sdtm._b import h\n"  # circle a -> b -> a
        ),
        "oncotrial/sdtm/_b.py": "from ._a import f\n",
        "oncotrial/sdtm/_c.py": (
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from oncotrial.sdtm._d import X\n"  # no circle: type only
        ),
        "oncotrial/sdtm/_d.py": "from oncotrial.sdtm._c import Y\n",
        "oncotrial/sdtm/dates.py": "from oncotrial.sdtm import _c\n",  # same package: fine
        "oncotrial/adam/__init__.py": (
            "from oncotrial import sdtm\n"
            "from oncotrial.sdtm._a import f\n"  # private of sdtm
            "import oncotrial.sim.montecarlo\n"  # up: adam may not import sim
        ),
        "oncotrial/adam/x.py": (  # the foundation: fine
            "from oncotrial._files import write_file\nfrom oncotrial import versions\n"
        ),
        "oncotrial/sim/__init__.py": "from oncotrial.sdtm.dates import _parse\n",  # private
        "oncotrial/sim/montecarlo.py": "",
        "oncotrial/newpkg/__init__.py": "",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    modules, imports = import_graph(tmp_path)
    assert layer_violations(modules, imports) == [
        "oncotrial._files:1 imports oncotrial.sdtm.write_study (_files may not import sdtm)",
        "oncotrial.adam:3 imports oncotrial.sim.montecarlo (adam may not import sim)",
    ]
    assert private_violations(imports) == [
        "oncotrial.adam:2 imports oncotrial.sdtm._a.f, private to oncotrial.sdtm",
        "oncotrial.sim:1 imports oncotrial.sdtm.dates._parse, private to oncotrial.sdtm",
    ]
    assert circles(modules, imports) == [["oncotrial.sdtm._a", "oncotrial.sdtm._b"]]
    packages = {_package(m) for m in modules}
    assert {p for p in packages if not is_foundation(p)} - MAY_IMPORT.keys() == {"newpkg"}


def doc_table(path: Path) -> dict[str, frozenset[str]]:
    """The "may import" column of the package table in docs/architecture.md, as written."""
    rows: dict[str, frozenset[str]] = {}
    text = path.read_text(encoding="utf-8")
    section = text.split("## Packages", 1)[1].split("\n## ", 1)[0]
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or "`" not in cells[0]:
            continue
        names = [n.strip().split(" ")[0].strip("`") for n in cells[0].split(":")[-1].split(",")]
        allowed = cells[2].split("(")[0]  # a parenthesis explains, it does not allow
        words = {w.strip(" `") for w in allowed.split(",")} - {"", "foundation", "only each other"}
        for name in names:
            rows[name] = frozenset(words)
    return rows


def test_the_docs_table_is_the_checked_table():
    """docs/architecture.md states the same rules this test checks, row for row."""
    rows = doc_table(SRC.parent / "docs" / "architecture.md")
    everything = frozenset(ORDER) - {"cli", "__main__"}
    for package, allowed in MAY_IMPORT.items():
        if package == "__main__":
            continue
        assert package in rows, f"docs/architecture.md has no row for {package}"
        documented = everything if rows[package] == {"everything"} else rows[package]
        assert documented == allowed, (package, sorted(documented), sorted(allowed))
    foundation = {n for n in rows if is_foundation(n)}
    assert foundation == {"errors", "_files", "_yaml", "_base", "_units", "_checks"}
    assert {p.stem for p in (SRC / "oncotrial").glob("_*.py") if p.stem != "__init__"} | {
        "errors"
    } <= foundation | {"__main__"}, "a foundation module is missing from the docs' table"
