"""``oncotrial design ...``: exact phase II designs, a few lines per command."""

from __future__ import annotations

import json
from typing import Annotated, Literal, cast

import polars as pl
import typer
from rich import box
from rich.table import Table

from oncotrial.cli._common import out, user_errors
from oncotrial.design import (
    ProtocolDesign,
    coprimary_oc_table,
    design_for,
    simon_search,
    single_stage_frame,
    single_stage_search,
    two_stage_inference,
)
from oncotrial.protocol import load

app = typer.Typer(
    help="Exact single-arm phase II designs and their operating characteristics.",
    rich_markup_mode="rich",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

P0 = Annotated[float, typer.Option("--p0", help="Uninteresting response rate (H0: p <= p0).")]
P1 = Annotated[float, typer.Option("--p1", help="Desirable response rate.")]
ALPHA = Annotated[float, typer.Option(help="Largest type I error (one-sided).")]
BETA = Annotated[float, typer.Option(help="Largest type II error (1 - power).")]
JSON = Annotated[bool, typer.Option("--json", help="Print JSON for machines instead of a table.")]


def _table(frame: pl.DataFrame, title: str, digits: int = 4) -> Table:
    """A rich table of a frame: floats with ``digits`` decimals, strings left-aligned."""
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left",
                  min_width=min(len(title), 78))  # fmt: skip
    for name in frame.columns:
        table.add_column(
            name, justify="left" if frame[name].dtype == pl.String else "right", no_wrap=True
        )
    for row in frame.iter_rows():
        table.add_row(
            *[
                f"{v:.{digits}f}" if isinstance(v, float) else ("" if v is None else str(v))
                for v in row
            ]
        )
    return table


def _echo_json(payload: object) -> None:
    typer.echo(json.dumps(payload, indent=2, sort_keys=False))


@app.command(epilog="Example: oncotrial design simon --p0 0.05 --p1 0.2 --alpha 0.05 --beta 0.2")
def simon(
    p0: P0,
    p1: P1,
    alpha: ALPHA = 0.05,
    beta: BETA = 0.2,
    nmax: Annotated[int, typer.Option(help="Largest total sample size searched.")] = 100,
    as_json: JSON = False,
) -> None:
    """Simon two-stage designs: minimax, admissible (Jung et al. 2004) and optimal."""
    with user_errors():
        res = simon_search(p0, p1, alpha=alpha, beta=beta, nmax=nmax)
    frame = res.to_frame()
    if as_json:
        _echo_json(
            {
                "p0": res.p0,
                "p1": res.p1,
                "alpha": res.alpha_nominal,
                "beta": res.beta_nominal,
                "nmax": res.nmax,
                "designs": frame.to_dicts(),
            }
        )
        return

    def fmt(col: str, digits: int) -> pl.Expr:
        return pl.col(col).round(digits).cast(pl.String)

    def ratio(a: str, b: str) -> pl.Expr:
        return pl.col(a).cast(pl.String) + "/" + pl.col(b).cast(pl.String)

    shown = frame.select(
        "design",
        ratio("r1", "n1").alias("r1/n1"),
        ratio("r", "n").alias("r/n"),
        fmt("en0", 1).alias("EN0"),
        fmt("pet0", 3).alias("PET0"),
        fmt("en1", 1).alias("EN1"),
        fmt("alpha", 3).alias("alpha"),
        fmt("power", 3).alias("power"),
        (fmt("q_low", 3) + "-" + fmt("q_high", 3)).alias("q"),
    )
    title = f"Simon two-stage designs, p0={p0:g}, p1={p1:g}, alpha={alpha:g}, beta={beta:g}"
    out.print(_table(shown, title))


@app.command(epilog="Example: oncotrial design single --p0 0.05 --p1 0.25")
def single(
    p0: P0,
    p1: P1,
    alpha: ALPHA = 0.05,
    beta: BETA = 0.2,
    nsoln: Annotated[int, typer.Option(help="How many sample sizes to list.")] = 5,
    as_json: JSON = False,
) -> None:
    """Single-stage exact binomial designs, smallest n first (as clinfun ph2single)."""
    with user_errors():
        designs = single_stage_search(p0, p1, alpha=alpha, beta=beta, nsoln=nsoln)
    frame = single_stage_frame(designs).select("n", "r", "alpha", "power")
    if as_json:
        _echo_json(frame.to_dicts())
        return
    out.print(_table(frame, f"Single-stage exact designs, p0={p0:g}, p1={p1:g}"))


@app.command(epilog="Example: oncotrial design inference 6 --r1 1 --n1 10 --n 29 --p0 0.1")
def inference(
    x: Annotated[int, typer.Argument(help="Total responses (<= r1: stopped after stage 1).")],
    r1: Annotated[int, typer.Option(help="Stage-1 futility bound.")],
    n1: Annotated[int, typer.Option(help="Stage-1 sample size.")],
    n: Annotated[int, typer.Option(help="Total sample size.")],
    p0: P0,
    alpha: Annotated[float, typer.Option(help="Level of each confidence limit.")] = 0.05,
    as_json: JSON = False,
) -> None:
    """UMVUE, stage-wise p-value and exact CI after a two-stage trial (Koyama and Chen 2008)."""
    with user_errors():
        res = two_stage_inference(x, r1=r1, n1=n1, n=n, p0=p0, alpha=alpha)
    frame = res.to_frame()
    if as_json:
        _echo_json(frame.to_dicts()[0])
        return
    out.print(_table(frame, "Inference after a two-stage trial"))


@app.command(
    epilog="Example: oncotrial design coprimary --n 54 --orr 0.05 0.2 --pfs 0.4 0.6 "
    "--rule either --alpha 0.1"
)
def coprimary(
    n: Annotated[int, typer.Option(help="Evaluable patients.")],
    orr: Annotated[tuple[float, float], typer.Option(help="ORR p0 and p1.")],
    pfs: Annotated[tuple[float, float], typer.Option(help="Landmark PFS rate p0 and p1.")],
    rule: Annotated[str, typer.Option(help="'either' or 'both'.")] = "either",
    alpha: ALPHA = 0.05,
    landmark: Annotated[float, typer.Option(help="Landmark in months.")] = 6.0,
    as_json: JSON = False,
) -> None:
    """Exact operating characteristics of a co-primary ORR + landmark-PFS design."""
    with user_errors():
        # coprimary_design checks the rule and names it in an InputError
        chosen = cast(Literal["either", "both"], rule)
        frame = coprimary_oc_table(
            p0_response=orr[0],
            p1_response=orr[1],
            p0_pfs=pfs[0],
            p1_pfs=pfs[1],
            n=n,
            rule=chosen,
            alpha=alpha,
            landmark_months=landmark,
        )
    if as_json:
        _echo_json(frame.to_dicts())
        return
    e0, e1 = frame.columns[:2]
    shown = frame.select(
        e0,
        e1,
        pl.col(f"success_{e0}").alias(f"P({e0})"),
        pl.col(f"success_{e1}").alias(f"P({e1})"),
        pl.col("success").alias("P(success)"),
        pl.col("success_low").alias("any dep. low"),
        pl.col("success_high").alias("high"),
    )
    title = (
        f"Co-primary design, n={n}, rule={rule}, alpha={alpha:g}: ORR {orr[0]:g} vs {orr[1]:g}, "
        f"{e1} {pfs[0]:g} vs {pfs[1]:g} (P(success) assumes independent endpoints)"
    )
    out.print(_table(shown, title))


@app.command("protocol", epilog="Example: oncotrial design protocol nct01010126")
def protocol_design(
    source: Annotated[
        str, typer.Argument(help="A bundled protocol id (e.g. nct01010126) or a YAML file.")
    ],
    as_json: JSON = False,
) -> None:
    """The design a protocol declares, with its exact operating characteristics."""
    with user_errors():
        pd_ = design_for(load(source))
    if as_json:
        payload: dict[str, object] = {
            "protocol": pd_.protocol_id,
            "design": pd_.design_frame().to_dicts(),
            "operating_characteristics": pd_.oc_frame().to_dicts(),
            "power": pd_.power,
            "target_power": pd_.target_power,
        }
        if pd_.toxicity is not None:
            payload["toxicity_boundary"] = pd_.toxicity.to_frame().to_dicts()
        _echo_json(payload)
        return
    for renderable in protocol_design_tables(pd_):
        out.print(renderable)


#: What a reader calls the design frames' columns (the CLI prints these, not field names).
LABELS = {
    "endpoint": "endpoint",
    "kind": "kind of endpoint",
    "landmark_months": "landmark, months",
    "r1": "stage 1: stop if responses <= r1",
    "n1": "stage 1: patients n1",
    "r": "promising if responses > r",
    "n": "patients n",
    "p0": "p0, uninteresting rate",
    "p1": "p1, promising rate",
    "level": "alpha allotted",
    "pet0": "P(stop after stage 1) at p0",
    "pet1": "P(stop after stage 1) at p1",
    "en0": "expected patients at p0",
    "en1": "expected patients at p1",
    "alpha": "type I error (exact)",
    "power": "power (exact)",
    "criterion": "criterion",
}


def label(name: str) -> str:
    """The reader's name of a design quantity (the field name when it has none)."""
    return LABELS.get(name, name.replace("_", " "))


def _transposed(frame: pl.DataFrame, title: str) -> Table:
    """A frame of one or two rows shown as one line per column: quantity, then the values."""
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left",
                  min_width=min(len(title), 78))  # fmt: skip
    table.add_column("quantity", justify="left")
    labels = (
        [str(v) for v in frame[frame.columns[0]]]
        if frame[frame.columns[0]].dtype == pl.String
        else ["value"]
        if frame.height == 1
        else [f"design {i + 1}" for i in range(frame.height)]
    )
    for text in labels:
        table.add_column(text, justify="right")
    for name in frame.columns:
        values = frame[name].to_list()
        table.add_row(label(name), *[
            f"{v:.4f}" if isinstance(v, float) else ("" if v is None else str(v)) for v in values
        ])  # fmt: skip
    return table


def protocol_design_tables(pd_: ProtocolDesign) -> list[Table | str]:
    """Rich renderables for a protocol's design (also shown by ``oncotrial demo``)."""
    shown: list[Table | str] = [_transposed(pd_.design_frame(), f"{pd_.protocol_id}: design")]
    oc = pd_.oc_frame()
    if "success" in oc.columns:
        e0, e1 = oc.columns[:2]
        oc = oc.select(
            e0, e1,
            pl.col(f"success_{e0}").alias(f"P({e0})"),
            pl.col(f"success_{e1}").alias(f"P({e1})"),
            pl.col("success").alias("P(success)"),
            pl.col("success_low").alias("any dependence: low"),
            pl.col("success_high").alias("high"),
        )  # fmt: skip
        title = "Exact operating characteristics (P(success) assumes independent endpoints)"
    else:
        title = "Exact operating characteristics"
        short = {"p": "true p", "prob_reject": "P(promising)", "pet": "P(early stop)",
                 "en": "E(patients)"}  # fmt: skip
        oc = oc.rename({name: short.get(name, name) for name in oc.columns})
    shown.append(_table(oc, title))
    verdict = "meets" if pd_.power >= pd_.target_power - 1e-12 else "[red]falls short of[/]"
    shown.append(
        f"Power at the alternative: {pd_.power:.3f}, which {verdict} the protocol's "
        f"{pd_.target_power:.2f}."
    )
    tox = pd_.toxicity
    if tox is not None:
        shown.append(
            _table(
                tox.to_frame().rename(
                    {"toxicities": "stop at toxicities", "from": "patients from", "to": "to"}
                ),
                f"Toxicity stopping boundary (p {tox.p_lo:g} acceptable, {tox.p_hi:g} not; "
                f"P(stop) {tox.cross_lo:.3f} and {tox.cross_hi:.3f})",
            )
        )
    return shown
