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
    coprimary_two_stage_design,
    coprimary_two_stage_search,
    design_for,
    simon_search,
    single_stage_frame,
    single_stage_search,
    two_stage_inference,
)
from oncotrial.errors import InputError
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
    nmax: Annotated[
        int | None,
        typer.Option(
            help="Restrict the search to n <= nmax. Default: search until the optimal "
            "design is proven (no larger n can do better), up to 500."
        ),
    ] = None,
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
                "proven": res.proven,
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
    if not res.proven:
        out.print(
            f"Note: the search was restricted to n <= {res.nmax}; a design with a larger n "
            "may have a smaller EN0 (run without --nmax for the proven optimum)."
        )


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
    epilog="Examples: oncotrial design coprimary --n 54 --orr 0.05 0.2 --pfs 0.4 0.6 "
    "--rule either --alpha 0.1 | two stages: oncotrial design coprimary --orr 0.05 0.2 "
    "--pfs 0.5 0.7 --n1 25 --r1 2 --s1 18 --n 45 --r 4 --s 30 --correlation 0.3 | search: "
    "oncotrial design coprimary --orr 0.05 0.2 --pfs 0.5 0.7 --search --nmin 40 --nmax 50"
)
def coprimary(
    orr: Annotated[tuple[float, float], typer.Option(help="ORR p0 and p1.")],
    pfs: Annotated[tuple[float, float], typer.Option(help="Landmark PFS rate p0 and p1.")],
    n: Annotated[int | None, typer.Option(help="Evaluable patients (in all).")] = None,
    rule: Annotated[str, typer.Option(help="'either' or 'both' (one stage).")] = "either",
    alpha: ALPHA = 0.05,
    landmark: Annotated[float, typer.Option(help="Landmark in months.")] = 6.0,
    n1: Annotated[
        int | None,
        typer.Option(
            help="Two stages: stage-1 size; go on if > r1 respond or > s1 are progression-free."
        ),
    ] = None,
    r1: Annotated[int | None, typer.Option(help="Two stages: stage-1 response bound.")] = None,
    s1: Annotated[int | None, typer.Option(help="Two stages: stage-1 PFS bound.")] = None,
    r: Annotated[int | None, typer.Option(help="Two stages: final response bound.")] = None,
    s: Annotated[int | None, typer.Option(help="Two stages: final PFS bound.")] = None,
    correlation: Annotated[
        float,
        typer.Option(
            help="Two stages: correlation of a patient's response and "
            "progression-free, as a share of the largest possible (0: independent)."
        ),
    ] = 0.0,
    search: Annotated[
        bool, typer.Option("--search", help="Two stages: optimal and minimax designs.")
    ] = False,
    beta: BETA = 0.2,
    nmin: Annotated[int, typer.Option(help="Search: smallest n.")] = 10,
    nmax: Annotated[int, typer.Option(help="Search: largest n (at most 120).")] = 60,
    as_json: JSON = False,
) -> None:
    """Exact operating characteristics of a co-primary ORR + landmark-PFS design: one stage,
    or the modified two-stage design (response OR PFS at each stage), with a search."""
    two_stage = search or any(v is not None for v in (n1, r1, s1, r, s))
    if two_stage:
        _coprimary_two_stage(orr, pfs, n, n1, r1, s1, r, s, correlation, search, alpha, beta,
                             nmin, nmax, as_json)  # fmt: skip
        return
    with user_errors():
        if n is None:
            raise InputError("a one-stage design needs --n", field="n", value=None,
                             hint="give --n, or the two-stage bounds, or --search")  # fmt: skip
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
        "hypothesis",
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


def _coprimary_two_stage(
    orr: tuple[float, float], pfs: tuple[float, float], n: int | None, n1: int | None,
    r1: int | None, s1: int | None, r: int | None, s: int | None, correlation: float,
    search: bool, alpha: float, beta: float, nmin: int, nmax: int, as_json: bool,
) -> None:  # fmt: skip
    """``design coprimary`` with two stages: one design's exact OC, or the search."""
    with user_errors():
        if search:
            res = coprimary_two_stage_search(
                orr, pfs, alpha=alpha, beta=beta, correlation=correlation, nmin=nmin, nmax=nmax
            )
            designs = [("optimal", res.optimal), ("minimax", res.minimax)]
        else:
            given = {"n1": n1, "r1": r1, "s1": s1, "n": n, "r": r, "s": s}
            missing = [k for k, v in given.items() if v is None]
            if missing:
                raise InputError(
                    "a two-stage design needs all of --n1 --r1 --s1 --n --r --s",
                    field=", ".join(missing),
                    value=None,
                    hint="or --search for the optimal and minimax designs",
                )
            assert n1 is not None and r1 is not None and s1 is not None
            assert n is not None and r is not None and s is not None
            designs = [
                (
                    "design",
                    coprimary_two_stage_design(
                        n1, r1, s1, n, r, s, response=orr, pfs=pfs, correlation=correlation
                    ),
                )
            ]
        frames = [(kind, d, d.exact_oc()) for kind, d in designs]
    if as_json:
        _echo_json(
            [
                {
                    "design": kind,
                    "bounds": d.to_frame().to_dicts(),
                    "operating_characteristics": oc.to_dicts(),
                }
                for kind, d, oc in frames
            ]
        )
        return
    for kind, d, oc in frames:
        out.print(
            _table(
                oc.drop("correlation"),
                f"{kind}: {d.label}, correlation "
                f"{d.correlation:g} (type I error at both nulls, power under each "
                "alternative)",
            )
        )
        verdict = "meets" if d.exact_power() >= 1 - beta - 1e-12 else "[red]falls short of[/]"
        out.print(f"Power at the weakest alternative: {d.exact_power():.3f}, which {verdict} "
                  f"{1 - beta:g}; type I error {d.type_i_error():.4f}.")  # fmt: skip


@app.command("protocol", epilog="Example: oncotrial design protocol nct01010126")
def protocol_design(
    source: Annotated[
        str, typer.Argument(help="A bundled protocol id (e.g. nct01010126) or a YAML file.")
    ],
    as_json: JSON = False,
) -> None:
    """The design a protocol declares, with its exact operating characteristics."""
    with user_errors():
        protocol = load(source)
        pd_ = design_for(protocol)
        cohorts = [(c.name, design_for(protocol.cohort(c.name))) for c in protocol.cohorts]
    if cohorts:
        _cohort_designs(protocol.study.id, cohorts, as_json)
        return
    if as_json:
        payload: dict[str, object] = {
            "protocol": pd_.protocol_id,
            "design": pd_.design_frame().to_dicts(),
            "operating_characteristics": pd_.oc_frame().to_dicts(),
            "power": pd_.power,
            "target_power": pd_.target_power,
            "meets_power": pd_.meets_power,
        }
        if pd_.toxicity is not None:
            payload["toxicity_boundary"] = pd_.toxicity.to_frame().to_dicts()
            payload["toxicity_rules"] = [
                {"rule": name, "boundary": b.to_frame().to_dicts(), "p_acceptable": b.p_lo,
                 "p_unacceptable": b.p_hi}
                for name, b in pd_.toxicity_rules
            ]  # fmt: skip
            payload["toxicity_stopping"] = pd_.toxicity_oc().to_dicts()
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


def _payload(pd_: ProtocolDesign) -> dict[str, object]:
    """The JSON of one design: parameters, exact OC, power and toxicity rules."""
    out_: dict[str, object] = {
        "protocol": pd_.protocol_id,
        "design": pd_.design_frame().to_dicts(),
        "operating_characteristics": pd_.oc_frame().to_dicts(),
        "power": pd_.power,
        "target_power": pd_.target_power,
        "meets_power": pd_.meets_power,
        "toxicity_stopping": pd_.toxicity_oc().to_dicts(),
    }
    return out_


def _cohort_designs(study: str, cohorts: list[tuple[str, ProtocolDesign]], as_json: bool) -> None:
    """``design protocol`` of a protocol with cohorts: each cohort's design, then the trial."""
    summary = pl.DataFrame(
        [{"cohort": name, "n": pd_.design.n, "power": pd_.power, "target": pd_.target_power,
          "met": "yes" if pd_.meets_power else "NO", "stages": str(pd_.design.stages)}
         for name, pd_ in cohorts]
    )  # fmt: skip
    if as_json:
        _echo_json({"protocol": study,
                    "cohorts": {name: _payload(pd_) for name, pd_ in cohorts},
                    "trial": summary.to_dicts()})  # fmt: skip
        return
    for name, pd_ in cohorts:
        out.rule(f"cohort {name}: {pd_.design.label}")
        for renderable in protocol_design_tables(pd_):
            out.print(renderable)
    out.rule("the trial")
    out.print(_table(summary, f"{study}: one design per cohort (power at the weakest "
                              "alternative each names)", 3))  # fmt: skip


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
            "hypothesis",
            pl.col(f"success_{e0}").alias(f"P({e0})"),
            pl.col(f"success_{e1}").alias(f"P({e1})"),
            pl.col("success").alias("P(success)"),
            pl.col("success_low").alias("any dependence: low"),
            pl.col("success_high").alias("high"),
        )  # fmt: skip
        title = (
            "Exact operating characteristics: type I error (both null) and power under each "
            "alternative (P(success) assumes independent endpoints)"
        )
    else:
        title = "Exact operating characteristics"
        short = {"p": "true p", "prob_reject": "P(promising)", "pet": "P(early stop)",
                 "en": "E(patients)"}  # fmt: skip
        oc = oc.rename({name: short.get(name, name) for name in oc.columns})
    shown.append(_table(oc, title))
    verdict = "meets" if pd_.meets_power else "[red]falls short of[/]"
    shown.append(
        f"Power at the weakest alternative: {pd_.power:.3f}, which {verdict} the protocol's "
        f"{pd_.target_power:.2f}. {pd_.design.describe()}"
    )
    for name, tox in pd_.toxicity_rules:
        shown.append(
            _table(
                tox.to_frame().rename(
                    {"toxicities": "stop at toxicities", "from": "patients from", "to": "to"}
                ),
                f"Toxicity stopping boundary, {name} (p {tox.p_lo:g} acceptable, {tox.p_hi:g} "
                f"not; P(stop) {tox.cross_lo:.3f} and {tox.cross_hi:.3f})",
            )
        )
    if pd_.toxicity_rules:
        stops = pd_.toxicity_oc().pivot("p", index="rule", values="prob_stop")
        stops = stops.rename({c: f"{float(c):.0%}" for c in stops.columns[1:]})
        shown.append(_table(stops, "P(stop) of each toxicity rule at a true event rate of", 3))
    return shown
