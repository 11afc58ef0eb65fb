"""What every command shares: the consoles and the translation of user errors to exit code 2."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from oncotrial._files import atomic_path
from oncotrial.errors import OncotrialError

#: Results go to stdout; messages, errors and progress bars to stderr.
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

#: Exit status for a user's mistake (as click uses for a bad option).
EXIT_USER_ERROR = 2


@contextmanager
def user_errors() -> Iterator[None]:
    """Print an :class:`OncotrialError` in red on stderr and exit with status 2, no traceback.

    Any other exception passes through: it is a bug in oncotrial and keeps its traceback.
    """
    try:
        yield
    except OncotrialError as exc:
        lines = str(exc).splitlines()
        err.print(f"[bold red]{type(exc).__name__}:[/] {escape(lines[0])}")
        for line in lines[1:]:
            style = "yellow" if line.startswith("hint:") else "red"
            err.print(f"[{style}]{escape(line)}[/]")
        raise typer.Exit(code=EXIT_USER_ERROR) from None


def frame_table(frame: pl.DataFrame, *, title: str | None = None, floats: str = "{:.2f}") -> Table:
    """A polars frame as a rich table: nulls blank, floats with `floats`, dates ISO."""
    table = Table(title=title, title_justify="left", header_style="bold", show_lines=False)
    for name, dtype in frame.schema.items():
        table.add_column(name, justify="right" if dtype.is_numeric() else "left")
    for row in frame.iter_rows():
        table.add_row(*(_cell(v, floats) for v in row))
    return table


def _cell(value: object, floats: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else floats.format(value)
    return escape(str(value))


def summary_table(summary: pl.DataFrame, *, title: str) -> Table:
    """The (section, item, value) rows of ``summarise_adam`` as a rich table."""
    table = Table(title=title, title_justify="left", header_style="bold")
    for col in ("", "", ""):
        table.add_column(col)
    last = None
    for section, item, value in summary.rows():
        table.add_row(section if section != last else "", escape(item), escape(value))
        last = section
    return table


def write_frames(frames: dict[str, pl.DataFrame], out_dir: Path) -> list[Path]:
    """Write frames as CSV into `out_dir`, each atomically (:mod:`oncotrial._files`).

    Every frame is computed before this is called, so a failure cannot leave a mix of old and
    new files for one run; a file is either the old one or the whole new one.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in frames.items():
        target = out_dir / f"{name}.csv"
        with atomic_path(target) as tmp:
            frame.write_csv(tmp)
        written.append(target)
    return written
