"""The README's code blocks run as written.

Python blocks are executed, each in a fresh namespace. Shell lines that call ``oncotrial`` are
run through the CLI when they are quick (protocol, design); the others (a whole analysis, a
simulation, 1e5 Monte Carlo trials, the demo, which other tests run) are parsed by the real
command line, so a renamed command or option, a missing required option or a wrong value
fails here too.
"""

import contextlib
import os
import re
import shlex
from pathlib import Path

import click
import pytest
import typer
from typer.testing import CliRunner

from oncotrial.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)
#: commands whose README lines are run for real (each takes well under a second)
RUN = {("protocol", "show"), ("protocol", "calendar"), ("protocol", "validate"),
       ("protocol", "schema"), ("design", "simon"), ("design", "protocol")}  # fmt: skip


def blocks(lang: str) -> list[str]:
    return [code for kind, code in BLOCK.findall(README.read_text()) if kind == lang]


def oncotrial_lines() -> list[str]:
    return [
        line.strip()
        for code in blocks("bash")
        for line in code.splitlines()
        if line.strip().startswith("oncotrial ")
    ]


def test_readme_has_code_to_check():
    assert len(blocks("python")) >= 2
    assert len(oncotrial_lines()) >= 10


@pytest.mark.parametrize("index", range(len(blocks("python"))))
def test_python_block_runs(index):
    code = blocks("python")[index]
    exec(compile(code, f"README.md python block {index + 1}", "exec"), {})


@contextlib.contextmanager
def cwd(path: Path):
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def _command(args: list[str]) -> tuple[click.Command, list[str], list[str]]:
    """The click command a line names, its path and the arguments left for it."""
    cmd: click.Command = typer.main.get_command(app)
    path: list[str] = []
    while isinstance(cmd, click.Group) and args and args[0] in cmd.commands:
        path.append(args[0])
        cmd = cmd.commands[args.pop(0)]
    return cmd, path, args


def test_shell_lines_run_or_parse(tmp_path):
    runner = CliRunner()
    with cwd(tmp_path):
        for line in oncotrial_lines():
            words = shlex.split(line, comments=True)[1:]
            out = None
            if ">" in words:  # `... > my_trial.yaml`
                at = words.index(">")
                words, out = words[:at], words[at + 1]
            cmd, path, args = _command(list(words))
            assert not isinstance(cmd, click.Group), f"{line}: no such command"
            if tuple(path) in RUN:
                res = runner.invoke(app, words, catch_exceptions=False)
                assert res.exit_code == 0, f"{line}\n{res.output}"
                if out is not None:
                    Path(out).write_text(res.stdout)
            else:
                cmd.make_context(" ".join(["oncotrial", *path]), list(args))
