"""The look shared by every CSR figure: Okabe-Ito colours, matplotlib settings, saving.

Figures are built on :class:`matplotlib.figure.Figure` objects directly (never ``pyplot``), and
both building and saving run inside :func:`figure_style`, a context that starts from
matplotlib's defaults and sets our few overrides, then restores whatever the caller had: a
user's ``matplotlibrc`` changes neither our pixels nor our bytes, and we change nothing of
theirs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import matplotlib.style
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from oncotrial._files import atomic_path
from oncotrial._units import DAYS_PER_MONTH
from oncotrial.terminology import RESPONSE_LABELS

__all__ = [
    "AGENT_COLOURS",
    "ARM_COLOURS",
    "BOR_COLOURS",
    "BOR_LABELS",
    "BOR_ORDER",
    "DAYS_PER_MONTH",
    "OKABE_ITO",
    "figure_style",
    "save_figure",
    "set_titles",
]

OKABE_ITO: Mapping[str, str] = MappingProxyType(
    {
        "black": "#000000",
        "orange": "#E69F00",
        "sky blue": "#56B4E9",
        "bluish green": "#009E73",
        "yellow": "#F0E442",
        "blue": "#0072B2",
        "vermillion": "#D55E00",
        "reddish purple": "#CC79A7",
        "grey": "#999999",
    }
)
"""The colour-blind-safe palette of Okabe and Ito (2008), as R ``palette.colors("Okabe-Ito")``
(the eight colours and its grey). Every colour in the figures comes from here."""

BOR_ORDER: tuple[str, ...] = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "MISSING")
"""Best overall response categories in ADRS order (AVAL 1-7)."""

BOR_COLOURS: Mapping[str, str] = MappingProxyType(
    {
        "CR": OKABE_ITO["blue"],
        "PR": OKABE_ITO["sky blue"],
        "SD": OKABE_ITO["bluish green"],
        "NON-CR/NON-PD": OKABE_ITO["yellow"],
        "PD": OKABE_ITO["vermillion"],
        "NE": OKABE_ITO["grey"],
        "MISSING": OKABE_ITO["black"],
    }
)
"""One colour per response category, the same in the waterfall, spider and swimmer plots:
blues for response, green for stable disease, vermillion for progression."""

BOR_LABELS: Mapping[str, str] = RESPONSE_LABELS

ARM_COLOURS: tuple[str, ...] = tuple(
    OKABE_ITO[c]
    for c in ("blue", "vermillion", "bluish green", "orange", "reddish purple", "sky blue")
)
"""Kaplan-Meier curves, one colour per arm in this order."""

AGENT_COLOURS: tuple[str, ...] = tuple(
    OKABE_ITO[c] for c in ("orange", "reddish purple", "grey", "yellow")
)
"""Swimmer bars, one colour per agent (none of them a response colour used for markers)."""

_RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",  # ships with matplotlib: the same glyphs on every machine
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.labelsize": 9.0,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "legend.fontsize": 8.0,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "path",  # text as paths: no font needed to view the SVG
    "svg.hashsalt": "oncotrial",  # clip-path and glyph ids from a fixed salt, not a random uuid
    "path.simplify": True,
    "figure.dpi": 100.0,
    "savefig.facecolor": "white",
}


@contextlib.contextmanager
def figure_style() -> Iterator[None]:
    """matplotlib's default settings plus ours, for the duration of the block.

    Used around building and around saving (some settings, such as ``svg.hashsalt``, are read
    at draw time). The caller's settings come back afterwards.
    """
    with matplotlib.style.context(["default", _RC]):
        yield


def set_titles(fig: Figure, ax: Axes, title: str, subtitle: str) -> None:
    """A bold title at the top left of the figure and a grey subtitle (study, population)
    over the axes: two short lines instead of one long line that the page would clip."""
    fig.suptitle(title, x=0.01, ha="left", fontsize=10.5, fontweight="bold")
    ax.set_title(subtitle, loc="left", fontsize=8.5, color="#444444")


def _atomic_write(path: Path, fig: Figure, fmt: str, **kwargs: Any) -> None:
    """Save `fig` to a temporary file beside `path`, then rename it over `path`.

    A reader never sees a half-written file, and a failed save leaves the old file in place.
    """
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        fig.savefig(handle, format=fmt, **kwargs)


def save_figure(fig: Figure, stem: Path, *, dpi: float = 150.0) -> tuple[Path, Path]:
    """Write `fig` as ``<stem>.png`` and ``<stem>.svg``, byte-identical on every rerun.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (from :func:`km_figure` and the others).
    stem : Path
        Path without extension; its directory is created if missing. ``".png"`` and ``".svg"``
        are appended to the name (``km.pfs`` gives ``km.pfs.png``).
    dpi : float, default=150
        Resolution of the PNG.

    Returns
    -------
    (Path, Path)
        The PNG and the SVG.

    Notes
    -----
    Determinism: the PNG is written without the ``Software`` text chunk (matplotlib writes no
    date in a PNG); the SVG without ``dc:date`` and ``dc:creator`` and with a fixed
    ``svg.hashsalt``, so its ids are the same on each run. Each file is written to a temporary
    file in the same directory and renamed over the target (atomic on POSIX).
    """
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    png = stem.with_name(stem.name + ".png")
    svg = stem.with_name(stem.name + ".svg")
    with figure_style():
        _atomic_write(png, fig, "png", dpi=dpi, metadata={"Software": None})
        _atomic_write(svg, fig, "svg", metadata={"Date": None, "Creator": None})
    return png, svg
