"""The JSON API: site isolation on every endpoint, authentication, and bad input."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from oncotrial.edc.web import MAX_BODY_BYTES, create_app

from .conftest import ADMIN_PW, PW
from .forms import TA_BASE, VS


@pytest.fixture
def api(trial):
    app = create_app(trial.edc)
    with TestClient(app) as client:
        tokens = {}

        def as_user(name: str) -> dict[str, str]:
            if name not in tokens:
                pw = ADMIN_PW if name == "admin" else PW
                r = client.post("/api/login", json={"username": name, "password": pw})
                assert r.status_code == 200, r.text
                tokens[name] = r.json()["token"]
            return {"Authorization": f"Bearer {tokens[name]}"}

        client.as_user = as_user
        yield client


def _seed(api):
    """A subject of site A with a form, an AE and a query; returns (subject, query id)."""
    h = api.as_user("inv_a")
    sid = api.post("/api/subjects", json={}, headers=h).json()["subject_id"]
    r = api.put(f"/api/subjects/{sid}/forms/SCREENING/VS", json={"data": VS}, headers=h)
    assert r.status_code == 200, r.text
    r = api.put(f"/api/subjects/{sid}/forms/SCREENING/TA", json={"data": TA_BASE}, headers=h)
    assert r.status_code == 200, r.text
    r = api.post(
        f"/api/subjects/{sid}/queries",
        headers=api.as_user("mon_a"),
        json={"text": "check weight", "event": "SCREENING", "form": "VS"},
    )
    assert r.status_code == 201, r.text
    return sid, r.json()["id"]


# Every endpoint that names a subject or a query, as a user of site B would call it about site
# A's records. The test below fails when an endpoint is added without a line here.
ISOLATION_CALLS = {
    ("GET", "/api/subjects/{subject_id}"): {},
    ("GET", "/api/subjects/{subject_id}/recist"): {},
    ("GET", "/api/subjects/{subject_id}/audit"): {},
    ("GET", "/api/subjects/{subject_id}/forms/{event}/{form}"): {},
    ("PUT", "/api/subjects/{subject_id}/forms/{event}/{form}"): {
        "data": VS,
        "version": 1,
        "reason": "x",
    },
    ("POST", "/api/subjects/{subject_id}/forms/{event}/{form}"): {"data": VS},
    ("POST", "/api/subjects/{subject_id}/forms/{event}/{form}/sdv"): {},
    ("POST", "/api/subjects/{subject_id}/forms/{event}/{form}/lock"): {"locked": True},
    ("POST", "/api/subjects/{subject_id}/lock"): {"locked": True},
    ("POST", "/api/subjects/{subject_id}/sign"): {"password": PW},
    ("POST", "/api/subjects/{subject_id}/queries"): {"text": "x"},
    ("GET", "/api/queries/{query_id}"): {},
    ("POST", "/api/queries/{query_id}/{action}"): {"text": "x"},
}
# Endpoints that list records: a site-B user sees none of site A's.
LIST_CALLS = {("GET", "/api/subjects"), ("GET", "/api/queries"), ("GET", "/api/audit")}
# Endpoints about no subject, query or site data (study definition, auth, administration).
OTHER_CALLS = {
    ("POST", "/api/login"),
    ("POST", "/api/logout"),
    ("GET", "/api/me"),
    ("GET", "/api/study"),
    ("GET", "/api/study/versions"),
    ("POST", "/api/study/lock"),
    ("GET", "/api/sites"),
    ("POST", "/api/sites"),
    ("GET", "/api/users"),
    ("POST", "/api/users"),
    ("POST", "/api/users/{username}/disable"),
    ("GET", "/api/audit/verify"),
    ("POST", "/api/subjects"),
}


def _routes(app):
    return {(m, r.path) for r in app.routes if isinstance(r, APIRoute) for m in r.methods}


def test_every_endpoint_is_classified(trial):
    routes = _routes(create_app(trial.edc))
    assert routes == set(ISOLATION_CALLS) | LIST_CALLS | OTHER_CALLS


@pytest.mark.parametrize("user", ["inv_b", "crc_b"])
def test_site_isolation_on_every_endpoint(api, user):
    sid, qid = _seed(api)
    h = api.as_user(user)
    for (method, path), body in ISOLATION_CALLS.items():
        for subject, query in ((sid, qid), ("SITEA-999", 99999)):
            url = path.format(
                subject_id=subject, event="SCREENING", form="VS", query_id=query, action="answer"
            )
            r = api.request(method, url, json=body, headers=h)
            assert r.status_code == 404, (method, url, r.status_code, r.text)
            # the answer for a real subject of site A and for an ID that does not exist differ
            # only by the ID: nothing tells that site A's subject exists
            assert r.json()["error"] == "NotFoundError"
            assert r.json()["message"] in (f"no subject {subject}", f"no query {query}")
    assert api.get("/api/subjects", headers=h).json() == []
    assert api.get("/api/queries", headers=h).json() == []
    audit = api.get("/api/audit", headers=h)
    if user == "crc_b":  # site data entry may not read the audit listing at all (role: 403)
        assert audit.status_code == 403
    else:
        assert all(a["site"] == "SITEB" for a in audit.json())
        assert sid not in audit.text
    # and site A's own user sees everything of site A
    ha = api.as_user("crc_a")
    assert [s["subject_id"] for s in api.get("/api/subjects", headers=ha).json()] == [sid]
    assert api.get(f"/api/queries/{qid}", headers=ha).status_code == 200


def test_study_wide_roles_read_every_site_but_cannot_write(api):
    sid, _ = _seed(api)
    for user in ("stat", "dm", "mon"):
        h = api.as_user(user)
        assert api.get(f"/api/subjects/{sid}", headers=h).status_code == 200
        r = api.put(
            f"/api/subjects/{sid}/forms/SCREENING/VS",
            headers=h,
            json={"data": VS, "version": 1, "reason": "x"},
        )
        assert r.status_code == 403, r.text
    h = api.as_user("stat")
    assert api.post("/api/subjects", json={}, headers=h).status_code == 403


def test_authentication_required_and_tokens(api):
    assert api.get("/api/subjects").status_code == 401
    assert api.get("/api/subjects", headers={"Authorization": "Bearer nope"}).status_code == 401
    r = api.post("/api/login", json={"username": "inv_a", "password": "wrong password"})
    assert r.status_code == 401 and "wrong user name or password" in r.json()["message"]
    h = api.as_user("inv_a")
    assert api.get("/api/me", headers=h).json()["site"] == "SITEA"
    assert api.post("/api/logout", headers=h).status_code == 200
    assert api.get("/api/me", headers=h).status_code == 401


def test_lost_update_over_the_api_returns_409_with_current_value(api):
    sid, _ = _seed(api)
    url = f"/api/subjects/{sid}/forms/SCREENING/VS"
    a, b = api.as_user("inv_a"), api.as_user("crc_a")
    ra = api.put(
        url,
        headers=a,
        json={
            "data": {"VS": {**VS["VS"], "WEIGHT": 71}},
            "version": 1,
            "reason": "scale recalibrated",
        },
    )
    assert ra.status_code == 200
    rb = api.put(
        url,
        headers=b,
        json={"data": {"VS": {**VS["VS"], "WEIGHT": 69}}, "version": 1, "reason": "typo"},
    )
    assert rb.status_code == 409
    assert rb.json()["current"]["data"]["VS"]["WEIGHT"] == 71.0
    assert rb.json()["current"]["version"] == 2


def test_bad_input_gets_a_4xx_naming_the_item_and_saves_nothing(api):
    sid, _ = _seed(api)
    h = api.as_user("inv_a")
    url = f"/api/subjects/{sid}/forms/SCREENING/DM"
    good = {"RFICDTC": "2024-01-01", "BRTHDTC": "1960-05-17", "SEX": "F"}
    cases = [
        (b'{"data": {"DM": ', 422, "body", "not valid JSON"),
        (b"[1, 2]", 422, "body", "must be a JSON object"),
        ({"data": {"DM": {**good, "SEX": 1}}}, 422, "DM.SEX", "must be a term"),
        ({"data": {"DM": {**good, "BRTHDTC": "2024-02-30"}}}, 422, "DM.BRTHDTC", "calendar"),
        ({"data": {"DM": {**good, "SHOE": "42"}}}, 422, "DM.SHOE", "not an item"),
        (
            {"data": {"DM": {**good, "SEX": "'; DROP TABLE subjects; --"}}},
            422,
            "DM.SEX",
            "codelist",
        ),
        ({"data": {"DM": good}, "version": "one"}, 422, "version", "whole number"),
        ({"data": "DM"}, 422, "data", "must be an object"),
    ]
    for body, status, field, message in cases:
        kw = {"content": body} if isinstance(body, bytes) else {"json": body}
        r = api.put(url, headers={**h, "Content-Type": "application/json"}, **kw)
        assert r.status_code == status, (body, r.text)
        assert r.json()["field"] == field and message in r.json()["message"], r.json()
    big = {"data": {"DM": {**good, "RACE": "x" * (MAX_BODY_BYTES + 1)}}}
    r = api.put(url, headers=h, json=big)
    assert r.status_code == 413
    assert api.get(url, headers=h).status_code == 404  # nothing half-saved
    r = api.put(
        f"/api/subjects/{sid}/forms/SCREENING/VS?event_repeat=abc", headers=h, json={"data": VS}
    )
    assert r.status_code == 422 and r.json()["field"] == "event_repeat"


def test_html_and_sql_in_free_text_are_stored_as_text(api):
    sid, _ = _seed(api)
    h = api.as_user("inv_a")
    nasty = "<script>alert('x')</script> Robert'); DROP TABLE audit_records;--"
    r = api.post(
        f"/api/subjects/{sid}/forms/LOG/DD",
        headers=h,
        json={"data": {"DD": {"DTHDTC": "2024-06-01", "DDORRES": nasty[:200]}}},
    )
    assert r.status_code == 201, r.text
    got = api.get(f"/api/subjects/{sid}/forms/LOG/DD", headers=h)
    assert got.json()["data"]["DD"]["DDORRES"] == nasty[:200]
    assert got.headers["content-type"].startswith("application/json")
    admin = api.as_user("admin")
    assert api.get("/api/audit/verify", headers=admin).json()["ok"] is True


def test_query_workflow_over_the_api(api):
    _sid, qid = _seed(api)
    r = api.post(
        f"/api/queries/{qid}/answer",
        headers=api.as_user("crc_a"),
        json={"text": "weight is 70 kg in the source"},
    )
    assert r.status_code == 200 and r.json()["status"] == "answered"
    r = api.post(f"/api/queries/{qid}/close", headers=api.as_user("mon_a"), json={"text": "ok"})
    assert r.json()["status"] == "closed"
    r = api.post(f"/api/queries/{qid}/bogus", headers=api.as_user("mon_a"), json={"text": "ok"})
    assert r.status_code == 422 and r.json()["field"] == "action"


def test_openapi_docs_are_served(api):
    assert api.get("/docs").status_code == 200
    spec = api.get("/openapi.json").json()
    assert "/api/subjects/{subject_id}/forms/{event}/{form}" in spec["paths"]


def test_overlong_text_is_a_clear_4xx_on_both_databases(api):
    sid, _ = _seed(api)
    r = api.post("/api/login", json={"username": "u" * 1000, "password": "x" * 20})
    assert r.status_code == 401
    r = api.post(f"/api/subjects/{sid}/queries", headers=api.as_user("mon_a"),
                 json={"text": "check", "item": "I" * 500})  # fmt: skip
    assert r.status_code == 422 and r.json()["field"] == "item"
    r = api.post(
        "/api/users",
        headers=api.as_user("admin"),
        json={"username": "newbie", "role": "statistician", "password": PW, "full_name": "N" * 300},
    )
    assert r.status_code == 422 and r.json()["field"] == "full name"
    r = api.post(f"/api/subjects/{sid}/sign", headers=api.as_user("inv_a"),
                 json={"password": PW, "meaning": "M" * 300})  # fmt: skip
    assert r.status_code == 422 and r.json()["field"] == "meaning"
