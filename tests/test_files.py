"""The file layer (oncotrial._files): atomic files and folders, modes under the umask.

Expected modes are written out by hand: a new file is 0o666 less the umask (022 -> 0o644,
027 -> 0o640), a new folder 0o777 less the umask (022 -> 0o755, 027 -> 0o750), as POSIX
open(2) and mkdir(2) define them.
"""

from __future__ import annotations

import os
import stat
import sys
import threading
from pathlib import Path

import polars as pl
import pytest

from oncotrial import _files
from oncotrial._files import atomic_path, building_folder, read_umask, swap_folders, write_file


@pytest.fixture(params=[(0o022, 0o644, 0o755), (0o027, 0o640, 0o750)], ids=["022", "027"])
def umask(request):
    """Run the test under a umask; yields (umask, expected file mode, expected folder mode)."""
    mask, fmode, dmode = request.param
    old = os.umask(mask)
    try:
        yield mask, fmode, dmode
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_read_umask_matches_the_process(umask):
    assert read_umask() == umask[0]


def test_write_file_mode_and_content(tmp_path, umask):
    _, fmode, _ = umask
    p = write_file(tmp_path / "a.txt", "é\n")
    assert p.read_bytes() == b"\xc3\xa9\n"
    assert _mode(p) == fmode
    write_file(p, b"\x00\x01")  # over an existing file
    assert p.read_bytes() == b"\x00\x01"
    assert _mode(p) == fmode
    assert [x.name for x in tmp_path.iterdir()] == ["a.txt"]


def test_atomic_path_mode_for_a_writer_that_wants_a_name(tmp_path, umask):
    _, fmode, _ = umask
    target = tmp_path / "f.parquet"
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp != target
        pl.DataFrame({"a": [1, 2]}).write_parquet(tmp)
        assert not target.exists()  # nothing at the target until the block ends
    assert pl.read_parquet(target)["a"].to_list() == [1, 2]
    assert _mode(target) == fmode
    assert [x.name for x in tmp_path.iterdir()] == ["f.parquet"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    p = write_file(tmp_path / "a.txt", "old")

    def crash() -> None:
        with atomic_path(p) as tmp:
            tmp.write_text("half")
            raise RuntimeError("mid-write")

    with pytest.raises(RuntimeError, match="mid-write"):
        crash()
    assert p.read_text() == "old"

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(_files.os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_file(p, "new")
    assert p.read_text() == "old"
    assert [x.name for x in tmp_path.iterdir()] == ["a.txt"]


def test_write_file_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_file(tmp_path / "missing" / "a.txt", "x")
    (tmp_path / "d").mkdir()
    with pytest.raises(IsADirectoryError):
        write_file(tmp_path / "d", "x")
    assert sorted(x.name for x in tmp_path.iterdir()) == ["d"]
    assert list((tmp_path / "d").iterdir()) == []


def _fill(folder: Path, text: str) -> None:
    (folder / "sub").mkdir()
    (folder / "a.txt").write_text(text)
    write_file(folder / "sub" / "b.txt", text)


def test_building_folder_new_and_replaced(tmp_path, umask):
    _, fmode, dmode = umask
    out = tmp_path / "out"
    for text in ("first", "second"):
        with building_folder(out) as tmp:
            assert tmp.parent == tmp_path and tmp.name.startswith(".out.")
            _fill(tmp, text)
        assert (out / "a.txt").read_text() == text
        assert (out / "sub" / "b.txt").read_text() == text
        assert _mode(out) == dmode and _mode(out / "sub") == dmode
        assert _mode(out / "a.txt") == fmode and _mode(out / "sub" / "b.txt") == fmode
        assert [x.name for x in tmp_path.iterdir()] == ["out"]  # nothing beside it


def test_building_folder_failure_keeps_the_old_folder(tmp_path):
    out = tmp_path / "out"
    with building_folder(out) as tmp:
        _fill(tmp, "old")

    def crash() -> None:
        with building_folder(out) as tmp:
            _fill(tmp, "new")
            raise ValueError("half-built")

    with pytest.raises(ValueError, match="half-built"):
        crash()
    assert (out / "a.txt").read_text() == "old"
    assert (out / "sub" / "b.txt").read_text() == "old"
    assert [x.name for x in tmp_path.iterdir()] == ["out"]


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "rename-aside"])
def test_swap_folders_both_ways(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setattr(_files, "_exchange", lambda a, b: False)
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    (old / "x").write_text("old")
    new.mkdir()
    (new / "x").write_text("new")
    swap_folders(new, old)
    assert (old / "x").read_text() == "new"
    assert [x.name for x in tmp_path.iterdir()] == ["old"]


def test_rename_aside_puts_the_old_folder_back_when_the_new_cannot_go_in(tmp_path, monkeypatch):
    monkeypatch.setattr(_files, "_exchange", lambda a, b: False)
    target, new = tmp_path / "out", tmp_path / "new"
    target.mkdir()
    (target / "x").write_text("old")
    new.mkdir()
    real_rename = os.rename

    def rename(src, dst):
        if Path(src) == new:
            raise OSError("cannot rename")
        real_rename(src, dst)

    monkeypatch.setattr(_files.os, "rename", rename)
    with pytest.raises(OSError, match="cannot rename"):
        swap_folders(new, target)
    assert (target / "x").read_text() == "old"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["new", "out"]


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="renameat2(RENAME_EXCHANGE) is Linux only"
)
def test_the_path_never_goes_missing_during_swaps(tmp_path):
    # a reader polls the folder while it is replaced 200 times: with the exchange it must
    # always find the folder and a file in it (with rename-aside it could miss it)
    out = tmp_path / "out"
    with building_folder(out) as tmp:
        (tmp / "marker").write_text("0")
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "x").mkdir()
    if not _files._exchange(probe / "x", out):
        pytest.skip("this file system cannot exchange two paths")
    _files._exchange(probe / "x", out)  # undo
    stop = threading.Event()
    missing: list[int] = []
    polls = [0]

    def watch() -> None:
        while not stop.is_set():
            polls[0] += 1
            if not (out / "marker").exists():
                missing.append(polls[0])

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for i in range(200):
            with building_folder(out) as tmp:
                (tmp / "marker").write_text(str(i))
    finally:
        stop.set()
        watcher.join()
    assert polls[0] > 0
    assert missing == []
    assert (out / "marker").read_text() == "199"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["out", "probe"]


def test_writers_of_the_package_give_ordinary_modes(tmp_path, umask):
    # the writers that differed before: each now gives 0o666/0o777 less the umask
    from matplotlib.figure import Figure

    from oncotrial import protocol, sdtm
    from oncotrial.cli._common import write_frames
    from oncotrial.report.figures import save_figure
    from oncotrial.report.render import write_html
    from oncotrial.sim.montecarlo import write_trials

    _, fmode, dmode = umask
    proto_file = tmp_path / "p.yaml"
    protocol.dump(protocol.load("nct01010126"), proto_file)
    html = write_html(tmp_path / "r.html", title="T", tables=[], figures=[])
    (csv,) = write_frames({"t": pl.DataFrame({"a": [1]})}, tmp_path / "csv")
    folder = tmp_path / "sdtm"
    files = sdtm.write_study({"DM": pl.DataFrame({"STUDYID": ["S"], "USUBJID": ["S-1"]})}, folder)
    figs = save_figure(Figure(), tmp_path / "fig")
    trials = write_trials(pl.DataFrame({"trial": [1]}), tmp_path / "trials.parquet")
    for p in (proto_file, html, csv, *files, *figs, trials):
        assert _mode(p) == fmode, p
    assert _mode(folder) == dmode
    assert sorted(x.name for x in tmp_path.iterdir() if x.name.startswith(".")) == []


@pytest.mark.slow
def test_a_failed_report_rebuild_keeps_the_old_report(tmp_path, monkeypatch):
    # build_report builds beside --out and swaps: a failure at the HTML step leaves the old
    # report whole, byte for byte, and no temporary folder beside it
    from adam.seed_study import seed_study  # tests/ is on sys.path
    from oncotrial.adam import derive_adam
    from oncotrial.protocol import load
    from oncotrial.report import build_report, render

    proto = load("nct01010126")
    adam = derive_adam(seed_study(), protocol=proto)
    out = tmp_path / "report"
    build_report(adam, proto, out, pdf=False, rtf=False)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert Path("report.html") in before

    def boom(*args, **kwargs):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(render, "write_html", boom)
    with pytest.raises(RuntimeError, match="renderer crashed"):
        build_report(adam, proto, out, pdf=False, rtf=False, overwrite=True)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert [x.name for x in tmp_path.iterdir()] == ["report"]
