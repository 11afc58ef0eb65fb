"""``oncotrial edc``: create, serve and administer an EDC database."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from oncotrial import protocol as proto
from oncotrial.cli._common import err, out, user_errors
from oncotrial.edc import (
    ROLE_HELP,
    ROLES,
    SYSTEM,
    Database,
    Edc,
    EdcInputError,
    current_revision,
    head_revision,
    upgrade,
)
from oncotrial.errors import InputError

app = typer.Typer(
    help="Capture: a multi-site EDC built from the protocol (SQLite or PostgreSQL).",
    rich_markup_mode="rich",
    no_args_is_help=True,
)
user_app = typer.Typer(help="Add or disable users.", no_args_is_help=True)
site_app = typer.Typer(help="Add sites.", no_args_is_help=True)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(site_app, name="site")
app.add_typer(db_app, name="db")
app.add_typer(audit_app, name="audit")

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        help="sqlite:///trial.db (or a path) or postgresql+psycopg://host/db.",
    ),
]
#: Environment variables read instead of prompting (for scripts and tests).
ADMIN_PASSWORD_ENV = "ONCOTRIAL_ADMIN_PASSWORD"
USER_PASSWORD_ENV = "ONCOTRIAL_USER_PASSWORD"


def _password(env: str, prompt: str) -> str:
    value = os.environ.get(env)
    if value:
        return value
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=True))


def read_sites(path: Path) -> list[tuple[str, str]]:
    """Sites from a YAML file: a list of ``{code, name}``, or a mapping code -> name."""
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError("cannot be read", file=path, hint=str(exc.strerror)) from None
    except yaml.YAMLError as exc:
        raise InputError(f"is not valid YAML ({exc})", file=path) from None
    if isinstance(data, dict) and "sites" in data:
        data = data["sites"]
    if isinstance(data, dict):
        return [(str(k), str(v)) for k, v in data.items()]
    if isinstance(data, list):
        sites = []
        for n, entry in enumerate(data, 1):
            if not isinstance(entry, dict) or "code" not in entry or "name" not in entry:
                raise InputError("must have a code and a name", file=path, row=n,
                                 hint="- {code: SITE01, name: Mayo Clinic}")  # fmt: skip
            sites.append((str(entry["code"]), str(entry["name"])))
        return sites
    raise InputError("lists no sites", file=path,
                     hint="sites: [{code: SITE01, name: Mayo Clinic}]")  # fmt: skip


@app.command(
    epilog="Example: ONCOTRIAL_ADMIN_PASSWORD=... oncotrial edc init --protocol nct01010126 "
    "--db sqlite:///trial.db --sites sites.yaml"
)
def init(
    protocol: Annotated[str, typer.Option(help="Bundled protocol id or YAML file.")],
    db: DbOption,
    sites: Annotated[
        Path | None, typer.Option(help="YAML list of sites: - {code: SITE01, name: ...}.")
    ] = None,
    admin: Annotated[str, typer.Option(help="User name of the administrator.")] = "admin",
    cycles: Annotated[
        int | None, typer.Option(min=1, help="Cycles the schedule lays out (default 26).")
    ] = None,
) -> None:
    """Create the study from the protocol, with an administrator.

    The administrator's password is prompted, or read from ONCOTRIAL_ADMIN_PASSWORD.
    """
    with user_errors():
        p = proto.load(protocol)
        site_list = read_sites(sites) if sites is not None else []
        password = _password(ADMIN_PASSWORD_ENV, f"Password for {admin}")
        edc = Edc.create(db, p, admin_password=password, admin=admin, sites=site_list,
                         cycles=cycles)  # fmt: skip
        definition = edc.definition()
    out.print(
        f"{p.study.id}: {len(definition.events)} events, {len(definition.forms)} forms, "
        f"{len(site_list)} sites; administrator {admin}. Serve it with: "
        f"oncotrial edc serve --db {db}"
    )


@app.command(epilog="Example: oncotrial edc serve --db sqlite:///trial.db --port 8000")
def serve(
    db: DbOption,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve the JSON API (OpenAPI at /docs) with uvicorn."""
    import uvicorn

    with user_errors():
        database = Database(db)
        _check_schema(database)
        Edc(database).study_id()
        database.dispose()
    os.environ["ONCOTRIAL_EDC_DB"] = database.url
    err.print(f"EDC of {db} on http://{host}:{port} (API docs at /docs)")
    uvicorn.run("oncotrial.edc.web:app_from_env", factory=True, host=host, port=port,
                workers=workers, log_level="warning")  # fmt: skip


def _check_schema(database: Database) -> None:
    have, want = current_revision(database), head_revision()
    if have is None:
        raise EdcInputError("holds no EDC study", field="--db", value=database.url,
                            hint="create one with `oncotrial edc init`")  # fmt: skip
    if have != want:
        raise EdcInputError(f"has schema {have}; this oncotrial needs {want}", field="--db",
                            hint="run `oncotrial edc db upgrade --db ...` first")  # fmt: skip


@user_app.command(
    "add",
    epilog="Example: oncotrial edc user add jsmith --role investigator "
    "--site SITE01 --full-name 'Dr Jane Smith' --db sqlite:///trial.db",
)
def user_add(
    username: Annotated[str, typer.Argument(help="Login name (lower case).")],
    role: Annotated[str, typer.Option(help="One of: " + ", ".join(ROLES) + ".")],
    full_name: Annotated[str, typer.Option(help="Printed name (shown on signatures).")],
    db: DbOption,
    site: Annotated[str | None, typer.Option(help="Site code (site roles).")] = None,
) -> None:
    """Add a user (password prompted, or ONCOTRIAL_USER_PASSWORD)."""
    with user_errors():
        edc = Edc(db)
        if role not in ROLES:
            raise EdcInputError(
                "is not a role",
                field="--role",
                value=role,
                hint="; ".join(f"{r}: {h}" for r, h in ROLE_HELP.items()),
            )
        password = _password(USER_PASSWORD_ENV, f"Password for {username}")
        edc.add_user(SYSTEM, username, role=role, password=password, full_name=full_name,
                     site=site)  # fmt: skip
    out.print(f"user {username} added: {role}" + (f" at {site}" if site else ""))


@user_app.command("disable", epilog="Example: oncotrial edc user disable jsmith --db trial.db")
def user_disable(
    username: Annotated[str, typer.Argument(help="Login name.")], db: DbOption
) -> None:
    """Disable a user: no more logins, tokens revoked (users are never deleted)."""
    with user_errors():
        Edc(db).disable_user(SYSTEM, username)
    out.print(f"user {username} disabled")


@site_app.command(
    "add", epilog="Example: oncotrial edc site add SITE03 'Mayo Clinic' --db trial.db"
)
def site_add(
    code: Annotated[str, typer.Argument(help="Site code, e.g. SITE03.")],
    name: Annotated[str, typer.Argument(help="Site name.")],
    db: DbOption,
) -> None:
    """Add a site."""
    with user_errors():
        Edc(db).add_site(SYSTEM, code, name)
    out.print(f"site {code} added")


@db_app.command("upgrade", epilog="Example: oncotrial edc db upgrade --db sqlite:///trial.db")
def db_upgrade(db: DbOption) -> None:
    """Bring an older database to the current schema."""
    with user_errors():
        database = Database(db)
        before = current_revision(database)
        if before is None:
            raise EdcInputError("holds no EDC study", field="--db", value=db,
                                hint="create one with `oncotrial edc init`")  # fmt: skip
        upgrade(database)
        after = current_revision(database)
    out.print(f"schema {before} -> {after}" if before != after else f"schema {after}: current")


@audit_app.command("verify", epilog="Example: oncotrial edc audit verify --db sqlite:///trial.db")
def audit_verify(db: DbOption) -> None:
    """Recompute the audit hash chain: exit 0 when intact, 1 naming the first broken record."""
    with user_errors():
        report = Edc(db).verify_audit()
    if report.ok:
        out.print(f"audit trail intact: {report.records} records")
        return
    err.print(f"[bold red]audit trail broken at record {report.broken_seq}:[/] {report.problem}")
    raise typer.Exit(code=1)
