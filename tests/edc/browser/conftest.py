"""Browser tests: Playwright driving Debian's Chromium against a served EDC on 127.0.0.1.

One browser per test session; each scenario gets a fresh database and its own uvicorn server on
a free port. Where Chromium (``/usr/bin/chromium``) or Playwright is missing the tests skip with
a message, unless ``ONCOTRIAL_REQUIRE_SERVICES=1`` (CI) turns the skip into a failure.
Screenshots go to ``docs/img/edc/`` (1280 and 390 px wide), where the docs use them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from oncotrial import protocol
from oncotrial.edc import SYSTEM, Edc

from ..conftest import ADMIN_PW, PW, free_port

CHROMIUM = Path(os.environ.get("ONCOTRIAL_CHROMIUM", "/usr/bin/chromium"))
ROOT = Path(__file__).resolve().parents[3]
SHOTS = ROOT / "docs" / "img" / "edc"
AXE = Path(__file__).parent / "axe" / "axe.min.js"
WIDTHS = (1280, 390)
#: Long pages are cut at this height (px) in the screenshots.
MAX_SHOT_HEIGHT = 2200
#: Study day 1 of the scenarios' patient, relative to today so visit windows stay current.
DAY_ONE = dt.date.today() - dt.timedelta(days=60)

#: The users of every scenario: user name -> (role, site, full name).
USERS = {
    "crc": ("site_data_entry", "SITEA", "Cora Reyes"),
    "inv": ("investigator", "SITEA", "Dr Ian Vance"),
    "mon": ("monitor", None, "Mona Tran"),
    "dm": ("data_manager", None, "Dana Moss"),
    "crcb": ("site_data_entry", "SITEB", "Ben Ortiz"),
}


def _unavailable(message: str) -> None:
    if os.environ.get("ONCOTRIAL_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message} (ONCOTRIAL_REQUIRE_SERVICES=1 makes this a failure)")
    pytest.skip(message)


def day(n: int) -> str:
    """The date of study day `n` of the scenarios' patient (day 1 = first dose)."""
    return (DAY_ONE + dt.timedelta(days=n - 1)).isoformat()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium for the session (Debian's; Playwright's download cannot work here)."""
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed: pip install playwright")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield b
        b.close()


@dataclass
class Live:
    """A served EDC: its base URL and the service over the same database."""

    url: str
    edc: Edc
    db: str


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    """A fresh study (two sites, the users of :data:`USERS`) served by uvicorn on 127.0.0.1."""
    import uvicorn

    from oncotrial.edc.web import create_app

    db = f"sqlite:///{tmp_path / 'trial.db'}"
    edc = Edc.create(db, protocol.load("nct01010126"), admin_password=ADMIN_PW,
                     sites=[("SITEA", "Mayo Clinic"), ("SITEB", "Dana-Farber")])  # fmt: skip
    for name, (role, site, full) in USERS.items():
        edc.add_user(SYSTEM, name, role=role, password=PW, full_name=full, site=site)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(Edc(db)), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the EDC server did not start")
        time.sleep(0.02)
    yield Live(f"http://127.0.0.1:{port}", edc, db)
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


def login(page: Any, live: Live, user: str, password: str = PW) -> None:
    """Sign in through the login page."""
    page.goto(f"{live.url}/login")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live.url}/")


def logout(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")


def shoot(page: Any, name: str) -> None:
    """Screenshots of the page at 1280 and 390 px wide, into docs/img/edc/."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(50)
        # Usable at 390 px: nothing wider than the screen (a table may scroll inside its box).
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{page.url} is {wide} px wide at a {width} px screen"
        height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_SHOT_HEIGHT)
        page.screenshot(
            path=str(SHOTS / f"{name}-{width}.png"),
            full_page=True,
            clip={"x": 0, "y": 0, "width": width, "height": height},
        )
    page.set_viewport_size(size)


def check_accessible(page: Any) -> None:
    """axe-core (vendored) in the page: no WCAG 2 A/AA violation (labels, contrast ...)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(
            n["target"][0] if isinstance(n["target"][0], str) else json.dumps(n["target"])
            for n in v["nodes"][:3]
        )
        for v in result["violations"]
    ]
    assert not problems, f"{page.url}:\n" + "\n".join(problems)


def page_check(page: Any, name: str | None = None) -> None:
    """Every page a scenario visits: accessibility check, and screenshots when named."""
    check_accessible(page)
    if name:
        shoot(page, name)
