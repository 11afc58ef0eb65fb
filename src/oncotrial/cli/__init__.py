"""The ``oncotrial`` command line: a few lines per command, each calling the library."""

from __future__ import annotations

import typer

from oncotrial import __version__, versions
from oncotrial.cli import _analyze, _demo, _design, _edc, _monitor, _protocol, _report, _sdtm, _sim
from oncotrial.cli._common import TidyGroup, out

app = typer.Typer(
    name="oncotrial",
    cls=TidyGroup,  # plain placeholders (TEXT, N, PATH) in every command's --help
    help="Phase II oncology trials from protocol to report.\n\n"
    "Example: oncotrial protocol calendar nct01010126 --cycles 3 --weight 70",
    rich_markup_mode=None,  # plain click help: at 80 columns (pipes, logs) nothing is cut
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold patient data
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        out.print(f"oncotrial {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Phase II oncology trials from protocol to report."""


@app.command(epilog="Example: oncotrial info")
def info() -> None:
    """Print the versions of oncotrial, Python and the libraries that shape its results.

    The same versions are in every report (the HTML's generator, the PDF's creator), so that
    a report can say what produced it.
    """
    for name, ver in versions().items():
        out.print(f"{name:<14} {ver}", highlight=False)


app.add_typer(_protocol.app, name="protocol")
app.add_typer(_design.app, name="design")
app.add_typer(_sdtm.app, name="sdtm")
app.add_typer(_sim.app, name="sim")
app.add_typer(_edc.app, name="edc")
app.command(
    epilog="Example: oncotrial demo --out oncotrial-demo",
)(_demo.demo)
app.command(
    epilog="Example: oncotrial analyze --sdtm sdtm/ --protocol nct01010126 --out results/",
)(_analyze.analyze)
app.command(
    epilog="Example: oncotrial report --adam results/adam --protocol nct01010126 --out report/",
)(_report.report)
app.command(
    "monitor",
    epilog="Example: oncotrial monitor --sdtm sdtm/ --protocol nct01010126 --cutoff 2011-06-30",
)(_monitor.monitor_command)


def main() -> None:
    """Entry point of the ``oncotrial`` script."""
    app()


__all__ = ["app", "main"]
