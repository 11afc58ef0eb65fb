"""The pages over HTTP (no browser): sessions, CSRF, escaping, site isolation, plain-form posts.

The browser scenarios (tests/edc/browser) drive the same pages in Chromium; these run
everywhere and check what a browser test cannot see well: cookie flags, refused posts,
escaped user text, redirects.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from oncotrial.edc import _views as views
from oncotrial.edc.web import create_app

from .conftest import PW, Trial, make_trial
from .forms import VS

YES_NO = {"INCL": {f"IN{i:02d}": "Y" for i in range(1, 5)},
          "EXCL": {f"EX{i:02d}": "N" for i in range(1, 4)}}  # fmt: skip
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture(scope="module")
def trial(tmp_path_factory: pytest.TempPathFactory) -> Trial:
    t = make_trial(f"sqlite:///{Path(tmp_path_factory.mktemp('pages')) / 't.db'}")
    views.enrol_eligible(t.edc, t.users["crc_a"], YES_NO, subject_id="SITEA-001")
    t.edc.save_form(t.users["crc_a"], "SITEA-001", "SCREENING", "VS", VS)
    return t


def signed_in(trial: Trial, user: str) -> tuple[TestClient, str]:
    """A client signed in through the login page, and its CSRF token."""
    client = TestClient(create_app(trial.edc))
    pre = _CSRF.search(client.get("/login").text)
    assert pre is not None
    r = client.post("/login", data={"username": user, "password": PW, "csrf": pre.group(1),
                                    "next": "/subjects"}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/subjects"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    token = _CSRF.search(client.get("/subjects").text)
    assert token is not None
    return client, token.group(1)


def test_pages_need_a_session(trial: Trial) -> None:
    client = TestClient(create_app(trial.edc))
    r = client.get("/subjects/SITEA-001", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/subjects/SITEA-001"
    assert client.get("/static/htmx.min.js").status_code == 200


def test_login_refuses_a_stale_form_and_a_wrong_password(trial: Trial) -> None:
    client = TestClient(create_app(trial.edc))
    r = client.post("/login", data={"username": "crc_a", "password": PW, "csrf": "forged"})
    assert r.status_code == 403 and "stale" in r.text
    pre = _CSRF.search(client.get("/login").text)
    assert pre is not None
    r = client.post("/login", data={"username": "crc_a", "password": "nope nope nope",
                                    "csrf": pre.group(1)})  # fmt: skip
    assert r.status_code == 401 and "wrong user name or password" in r.text


def test_next_is_never_another_site(trial: Trial) -> None:
    client = TestClient(create_app(trial.edc))
    pre = _CSRF.search(client.get("/login").text)
    assert pre is not None
    r = client.post("/login", data={"username": "crc_a", "password": PW, "csrf": pre.group(1),
                                    "next": "//evil.example/x"}, follow_redirects=False)  # fmt: skip
    assert r.headers["location"] == "/"


def test_every_post_needs_the_csrf_token(trial: Trial) -> None:
    client, token = signed_in(trial, "crc_a")
    url = "/subjects/SITEA-001/forms/SCREENING/1/DM/1"
    data = {"DM.RFICDTC": "2024-01-01", "DM.BRTHDTC": "1960-01-01", "DM.SEX": "F", "version": "0"}
    assert client.post(url, data=data).status_code == 403
    assert client.post(url, data=data | {"csrf": "0" * 64}).status_code == 403
    assert client.post("/logout").status_code == 403
    # A plain form post (no JavaScript) saves and redirects to the saved form.
    r = client.post(url, data=data | {"csrf": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("/DM/1?saved=1")
    # htmx sends the token as a header.
    r = client.post("/check/VS?field=VS.WEIGHT", data={"VS.WEIGHT": "900"},
                    headers={"X-CSRF-Token": token})  # fmt: skip
    assert "above the range" in r.text


def test_user_text_is_escaped(trial: Trial) -> None:
    client, token = signed_in(trial, "mon")
    text = '<script>alert("x")</script> & <b>bold</b>'
    r = client.post("/subjects/SITEA-001/queries", data={"text": text, "csrf": token})
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "&lt;script&gt;alert(" in r.text
    assert "&lt;b&gt;bold&lt;/b&gt;" in r.text


def test_another_site_is_not_found(trial: Trial) -> None:
    client, token = signed_in(trial, "crc_b")
    for path in ("/subjects/SITEA-001", "/subjects/SITEA-001/forms/SCREENING/1/VS/1",
                 "/subjects/SITEA-001/sign",
                 "/subjects/SITEA-001/forms/SCREENING/1/VS/1/history?item=VS.WEIGHT"):  # fmt: skip
        r = client.get(path)
        assert r.status_code == 404 and "no subject SITEA-001" in r.text, path
    r = client.post("/subjects/SITEA-001/forms/SCREENING/1/VS/1",
                    data={"VS.WEIGHT": "80", "csrf": token, "version": "1"})  # fmt: skip
    assert r.status_code == 404
    assert "SITEA-001" not in client.get("/subjects").text


def test_save_errors_are_tied_to_their_input(trial: Trial) -> None:
    client, token = signed_in(trial, "crc_a")
    url = "/subjects/SITEA-001/forms/SCREENING/1/VS/1"
    form = trial.edc.get_form(trial.users["crc_a"], "SITEA-001", "SCREENING", "VS")
    data = {"VS.VSDTC": "2024-01-02", "VS.WEIGHT": "75", "VS.HEIGHT": "170",
            "version": str(form["version"]), "csrf": token}  # fmt: skip
    r = client.post(url, data=data)  # a change without a reason
    assert r.status_code == 422 and "needs a reason for change" in r.text
    assert 'aria-describedby="f-reason-err"' in r.text
    r = client.post(url, data=data | {"VS.WEIGHT": "900", "reason": "typo"})
    assert r.status_code == 422
    assert re.search(r'id="f-VS-WEIGHT"[^>]*aria-describedby="f-VS-WEIGHT-err"[^>]*'
                     r'aria-invalid="true"', r.text.replace("\n", " "))  # fmt: skip
    assert re.search(r'id="f-VS-WEIGHT-err"[^>]*>[^<]*above the range', r.text)


def test_every_page_renders_for_every_role(trial: Trial) -> None:
    pages = ["/", "/subjects", "/queries", "/password", "/admin", "/enrol",
             "/subjects/SITEA-001", "/subjects/SITEA-001/forms/SCREENING/1/VS/1",
             "/subjects/SITEA-001/forms/SCREENING/1/TA/1",
             "/subjects/SITEA-001/forms/CYCLE_1_DAY_1/1/EX_BEVACIZUMAB/1",
             "/subjects/SITEA-001/forms/LOG/1/AE/new", "/subjects/SITEA-001/sign"]  # fmt: skip
    for user in ("crc_a", "inv_a", "mon", "dm", "stat"):
        client, _ = signed_in(trial, user)
        for path in pages:
            r = client.get(path)
            assert r.status_code == 200, (user, path, r.text[:500])


def test_queries_per_site(trial: Trial) -> None:
    client, token = signed_in(trial, "dm")
    r = client.post("/subjects/SITEA-001/queries", data={"text": "site A query", "csrf": token})
    assert r.status_code == 200
    assert "site A query" in client.get("/queries?site=SITEA").text
    assert "site A query" not in client.get("/queries?site=SITEB").text
