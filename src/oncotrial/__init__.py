"""oncotrial: phase II oncology trials from protocol to report.

Subpackages, each one idea of the field (see ``docs/architecture.md``):

- :mod:`oncotrial.protocol`: the protocol as code (pydantic, YAML), bundled protocols, calendars;
- :mod:`oncotrial.stats`: exact binomial, Kaplan-Meier and friends;
- :mod:`oncotrial.design`: Simon two-stage, single-stage exact, co-primary and monitoring designs;
- :mod:`oncotrial.errors`: the exceptions users see.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("oncotrial")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
