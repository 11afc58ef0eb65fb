"""What every command shares: the consoles and the translation of user errors to exit code 2."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape

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
