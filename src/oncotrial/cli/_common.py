"""What every command shares: the consoles and the translation of user errors to exit code 2."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer.core import TyperGroup

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
        # fold a long value onto the next line rather than cut it ("Administrati…")
        table.add_column(name, justify="right" if dtype.is_numeric() else "left", overflow="fold")
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


#: The placeholder each kind of value shows in --help, by typer's own label of its type
#: (``<str>``, ``<int range>``, ``<list[str]>``: Python types, not what to type).
_METAVARS = {
    "str": "TEXT",
    "int": "N",
    "int range": "N",
    "float": "NUMBER",
    "float range": "NUMBER",
    "path": "PATH",
    "file": "PATH",
    "directory": "PATH",
}


def tidy_help(command: Any, ctx: Any) -> None:
    """Give every option of `command` (and of its subcommands) a plain placeholder in --help:
    none for a flag, PATH, N, NUMBER or TEXT for a value; an option that names its own keeps
    it."""
    params = list(command.params)
    help_option = command.get_help_option(ctx)
    if help_option is not None:
        params.append(help_option)
    for param in params:
        kind = getattr(param, "param_type_name", None)
        if param.metavar is not None or kind not in ("option", "argument"):
            continue
        if kind == "argument":  # "SOURCE  A bundled protocol id ...", not "source <str>"
            param.metavar = str(param.name).upper()
            param.display_type_rich = lambda ctx: None
            continue
        if param.is_flag:
            param.metavar = ""
        else:
            shown = str(param.display_type(ctx)).strip("<>")
            if shown.startswith("list[") and shown.endswith("]"):  # a repeatable option
                shown = shown[5:-1]
            param.metavar = _METAVARS.get(shown, shown)
    for sub in getattr(command, "commands", {}).values():
        tidy_help(sub, ctx)


class TidyGroup(TyperGroup):
    """The root command group: its commands show plain placeholders in --help."""

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            tidy_help(command, ctx)
        return command

    def format_help(self, ctx: Any, formatter: Any) -> None:
        tidy_help(self, ctx)
        super().format_help(ctx, formatter)
