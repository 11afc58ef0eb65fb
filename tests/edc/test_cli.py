"""`oncotrial edc ...`: each command runs; mistakes exit 2; a broken audit chain exits 1."""

from __future__ import annotations

from sqlalchemy import text
from typer.testing import CliRunner

from oncotrial.cli import app
from oncotrial.edc import SYSTEM, Database, Edc, upgrade

runner = CliRunner()
ENV = {"ONCOTRIAL_ADMIN_PASSWORD": "admin password 1", "ONCOTRIAL_USER_PASSWORD": "user password 1"}


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False, env=ENV)


def test_init_users_sites_and_verify(tmp_path):
    db = f"sqlite:///{tmp_path / 'trial.db'}"
    sites = tmp_path / "sites.yaml"
    sites.write_text("sites:\n  - {code: SITE01, name: Mayo Clinic}\n  - {code: SITE02, name: B}\n")
    res = run("edc", "init", "--protocol", "nct01010126", "--db", db, "--sites", str(sites))
    assert res.exit_code == 0, res.output
    assert "NCT01010126" in res.output and "2 sites" in res.output
    again = run("edc", "init", "--protocol", "nct01010126", "--db", db)
    assert again.exit_code == 2 and "already holds study NCT01010126" in again.output
    assert "Traceback" not in again.output
    res = run(
        "edc",
        "user",
        "add",
        "jsmith",
        "--role",
        "investigator",
        "--site",
        "SITE01",
        "--full-name",
        "Dr Jane Smith",
        "--db",
        db,
    )
    assert res.exit_code == 0, res.output
    bad = run("edc", "user", "add", "kim", "--role", "investigator", "--full-name", "K", "--db", db)
    assert bad.exit_code == 2 and "site: is required for the role investigator" in bad.output
    bad = run("edc", "user", "add", "kim", "--role", "boss", "--full-name", "K", "--db", db)
    assert bad.exit_code == 2 and "is not a role" in bad.output
    assert run("edc", "site", "add", "SITE03", "Third", "--db", db).exit_code == 0
    assert run("edc", "site", "add", "site 4", "Fourth", "--db", db).exit_code == 2
    assert run("edc", "user", "disable", "jsmith", "--db", db).exit_code == 0
    assert run("edc", "user", "disable", "nobody", "--db", db).exit_code == 2
    res = run("edc", "audit", "verify", "--db", db)
    # study created, sites SITE01 and SITE02, user admin, user jsmith, site SITE03, jsmith
    # disabled: 7 records; the refused commands wrote nothing
    assert res.exit_code == 0 and "intact: 7 records" in res.output, res.output
    edc = Edc(db)
    actions = [a["action"] for a in edc.audit_trail(SYSTEM)]
    assert actions == [
        "study created",
        "site added",
        "site added",
        "user added",
        "user added",
        "site added",
        "user disabled",
    ]
    edc.db.dispose()


def test_audit_verify_names_the_first_broken_record(tmp_path):
    db = f"sqlite:///{tmp_path / 'trial.db'}"
    assert run("edc", "init", "--protocol", "nct01010126", "--db", db).exit_code == 0
    for code in ("S1", "S2", "S3"):
        assert run("edc", "site", "add", code, f"Site {code}", "--db", db).exit_code == 0
    engine = Database(db).engine
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_no_update"))
        conn.execute(text("UPDATE audit_records SET new_value = 'Elsewhere' WHERE seq = 4"))
    engine.dispose()
    res = run("edc", "audit", "verify", "--db", db)
    assert res.exit_code == 1
    assert "broken at record 4" in res.output


def test_db_upgrade_brings_an_older_schema_to_current(tmp_path):
    path = tmp_path / "old.db"
    db = Database(f"sqlite:///{path}", create=True)
    upgrade(db, "0001")
    db.dispose()
    res = run("edc", "db", "upgrade", "--db", str(path))
    assert res.exit_code == 0 and "schema 0001 -> 0002" in res.output
    assert "current" in run("edc", "db", "upgrade", "--db", str(path)).output
    Database(str(tmp_path / "empty.db"), create=True).engine.connect().close()
    res = run("edc", "db", "upgrade", "--db", str(tmp_path / "empty.db"))
    assert res.exit_code == 2 and "holds no EDC study" in " ".join(res.output.split())
    res = run("edc", "db", "upgrade", "--db", str(tmp_path / "typo.db"))
    assert res.exit_code == 2 and "does not exist" in " ".join(res.output.split())
    assert not (tmp_path / "typo.db").exists()


def test_serve_refuses_an_old_schema_or_a_bad_url(tmp_path):
    path = tmp_path / "old.db"
    db = Database(f"sqlite:///{path}", create=True)
    upgrade(db, "0001")
    db.dispose()
    res = run("edc", "serve", "--db", str(path))
    assert res.exit_code == 2 and "edc db upgrade" in " ".join(res.output.split())
    res = run("edc", "serve", "--db", "mysql://x@y/z")
    assert res.exit_code == 2 and "neither SQLite nor PostgreSQL" in " ".join(res.output.split())
