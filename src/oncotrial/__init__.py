"""oncotrial: phase II oncology trials from protocol to report.

Subpackages, each one idea of the field (see ``docs/architecture.md``):

- :mod:`oncotrial.protocol`: the protocol as code (pydantic, YAML), bundled protocols, calendars;
- :mod:`oncotrial.stats`: exact binomial, Kaplan-Meier and friends;
- :mod:`oncotrial.design`: Simon two-stage, single-stage exact, co-primary and monitoring designs;
- :mod:`oncotrial.errors`: the exceptions users see.

:func:`versions` names what produced a result (oncotrial, Python and the libraries whose
versions change numbers or files); ``oncotrial info`` prints it and every report carries it.
"""

import platform
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("oncotrial")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

#: The libraries whose versions can change oncotrial's numbers or files, as pip names them.
KEY_DEPENDENCIES: tuple[str, ...] = (
    "numpy", "scipy", "polars", "pydantic", "pyyaml", "pyreadstat", "matplotlib",
    "great-tables", "rtflite", "weasyprint", "dask",
)  # fmt: skip


def versions() -> dict[str, str]:
    """The versions of oncotrial, Python and :data:`KEY_DEPENDENCIES`, in that order.

    A library that is not installed shows as ``"not installed"``.

    Examples
    --------
    >>> v = versions()
    >>> list(v)[:3]
    ['oncotrial', 'python', 'numpy']
    >>> v["python"] == platform.python_version()
    True
    """
    out = {"oncotrial": __version__, "python": platform.python_version()}
    for name in KEY_DEPENDENCIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def versions_line() -> str:
    """:func:`versions` on one line: ``oncotrial 0.1.0; python 3.11.7; numpy 2.4.6; ...``."""
    return "; ".join(f"{name} {ver}" for name, ver in versions().items())


__all__ = ["KEY_DEPENDENCIES", "__version__", "versions", "versions_line"]
