"""EDC fixtures: a throwaway PostgreSQL cluster per session, and a fresh study per test.

The cluster is started by the tests themselves (``initdb``/``pg_ctl`` as the ``postgres`` user
when running as root, since initdb refuses root) on 127.0.0.1 and a free port, with fsync off.
Where no PostgreSQL binaries exist the PostgreSQL cases skip with a message, unless
``ONCOTRIAL_REQUIRE_SERVICES=1`` (CI) turns that skip into a failure; binaries that exist but
fail to start a cluster are always a failure.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from oncotrial import protocol
from oncotrial.edc import SYSTEM, Actor, Edc

ADMIN_PW = "admin password 1"
PW = "user password 1"
BACKENDS = ("sqlite", "postgresql")


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgCluster:
    """A running throwaway cluster: make a database with :meth:`new_url`."""

    port: int
    counter: itertools.count[int]

    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def new_url(self) -> str:
        import psycopg

        name = f"edc_{os.getpid()}_{next(self.counter)}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"


def _unavailable(message: str) -> None:
    if os.environ.get("ONCOTRIAL_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message} (ONCOTRIAL_REQUIRE_SERVICES=1 makes this a failure)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """A PostgreSQL cluster for this test session (one per xdist worker)."""
    bindir = _pg_bin()
    if bindir is None:
        _unavailable("no PostgreSQL server binaries (initdb) on this machine")
    assert bindir is not None
    root = Path(tempfile.mkdtemp(prefix="oncotrial-pg-"))
    data = root / "data"
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(root, "postgres")
        root.chmod(0o700)
    env = {**os.environ, "LC_ALL": "C"}
    try:
        subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-A", "trust",
                        "-U", "postgres", "--no-sync", "-E", "UTF8"],
                       check=True, capture_output=True, env=env)  # fmt: skip
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"initdb failed: {exc.stderr.decode(errors='replace')[-500:]}")
    for attempt in range(3):  # another process may take the free port before the server does
        port = free_port()
        started = subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l",
                                  str(root / "log"), "start", "-o",
                                  f"-c listen_addresses=127.0.0.1 -p {port} -k {root} "
                                  "-c fsync=off -c max_connections=200"],
                                 capture_output=True, env=env)  # fmt: skip
        if started.returncode == 0:
            break
        if attempt == 2:
            log = (root / "log").read_text(errors="replace")[-1000:]
            shutil.rmtree(root, ignore_errors=True)
            pytest.fail(f"PostgreSQL did not start: {log}")
    try:
        yield PgCluster(port, itertools.count(1))
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, env=env)  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'trial.db'}"
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    return cluster.new_url()


@dataclass
class Trial:
    """A study with two sites and one user per role."""

    edc: Edc
    url: str
    users: dict[str, Actor]

    def login(self, username: str) -> Actor:
        return self.edc.login(username, PW)[1]


ROLE_USERS = {
    # username: (role, site)
    "inv_a": ("investigator", "SITEA"),
    "crc_a": ("site_data_entry", "SITEA"),
    "inv_b": ("investigator", "SITEB"),
    "crc_b": ("site_data_entry", "SITEB"),
    "mon_a": ("monitor", "SITEA"),
    "mon": ("monitor", None),
    "dm": ("data_manager", None),
    "stat": ("statistician", None),
}


def make_trial(url: str) -> Trial:
    """Create the NCT01010126 study with sites SITEA and SITEB and one user per role."""
    edc = Edc.create(url, protocol.load("nct01010126"), admin_password=ADMIN_PW,
                     sites=[("SITEA", "Site A"), ("SITEB", "Site B")], cycles=4)  # fmt: skip
    users = {"admin": edc.login("admin", ADMIN_PW)[1]}
    for name, (role, site) in ROLE_USERS.items():
        edc.add_user(SYSTEM, name, role=role, password=PW, full_name=f"Dr {name.upper()}",
                     site=site)  # fmt: skip
        users[name] = edc.login(name, PW)[1]
    return Trial(edc, url, users)


@pytest.fixture(scope="session")
def _templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, dict[str, Actor]]]:
    """Built once per backend and session: the study each test copies (argon2 is slow)."""
    return {}


def _template(backend: str, request: pytest.FixtureRequest,
              cache: dict[str, tuple[str, dict[str, Actor]]], folder: Path) -> tuple[str, dict[str, Actor]]:  # fmt: skip
    if backend not in cache:
        if backend == "sqlite":
            url = f"sqlite:///{folder / 'template.db'}"
        else:
            url = request.getfixturevalue("pg_cluster").new_url()
        t = make_trial(url)
        t.edc.db.dispose()
        cache[backend] = (url, t.users)
    return cache[backend]


@pytest.fixture(params=BACKENDS)
def trial(
    request: pytest.FixtureRequest, tmp_path: Path, _templates, tmp_path_factory
) -> Iterator[Trial]:
    """A fresh copy of the template study on each backend (same users, same actors)."""
    backend = request.param
    url, users = _template(backend, request, _templates, tmp_path_factory.getbasetemp())
    if backend == "sqlite":
        src = Path(url.removeprefix("sqlite:///"))
        dst = tmp_path / "trial.db"
        shutil.copyfile(src, dst)
        new = f"sqlite:///{dst}"
    else:
        import psycopg

        cluster: PgCluster = request.getfixturevalue("pg_cluster")
        name = f"edc_{os.getpid()}_{next(cluster.counter)}"
        with psycopg.connect(
            f"host=127.0.0.1 port={cluster.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{url.rsplit("/", 1)[1]}"')
        new = f"postgresql+psycopg://postgres@127.0.0.1:{cluster.port}/{name}"
    t = Trial(Edc(new), new, dict(users))
    yield t
    t.edc.db.dispose()
