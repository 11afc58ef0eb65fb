"""Monte Carlo runs: chunks of trials, local processes or a Dask cluster, polars results.

Trials are cut into chunks of ``chunk_size`` (the last one shorter); chunk ``i`` draws from the
``i``-th child of ``SeedSequence(seed).spawn(n_chunks)``. The layout depends on the number of
trials and the chunk size only, never on the workers, so 1 process, 16 or a cluster give the
same bytes. A chunk is also the unit of memory (a few arrays of chunk_size x patients), of the
progress bar and of what survives an interruption: Ctrl-C stops the run and keeps the chunks
already finished.
"""

from __future__ import annotations

import math
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_all_start_methods, get_context
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import polars as pl
from numpy.typing import NDArray

from oncotrial._checks import check_int
from oncotrial._files import atomic_path
from oncotrial.errors import InputError
from oncotrial.protocol import Protocol
from oncotrial.sim._scenario import DAYS_PER_MONTH, Scenario
from oncotrial.sim.montecarlo._decide import DecisionRule, decide, decision_rule, estimate
from oncotrial.sim.montecarlo._fast import Overrides, simulate_outcomes
from oncotrial.sim.montecarlo._full import simulate_full
from oncotrial.sim.montecarlo._outcomes import Outcomes

if TYPE_CHECKING:
    from distributed import Client

__all__ = [
    "DEFAULT_CHUNK_SIZE", "DEFAULT_FULL_CHUNK_SIZE", "MonteCarloResult", "exact_note", "run_oc",
    "summarise", "write_trials",
]  # fmt: skip

#: Trials per chunk: about 20 MB per (chunk x 59 patients) float array set.
DEFAULT_CHUNK_SIZE = 5000
#: Trials per chunk on the full path (about half a second each).
DEFAULT_FULL_CHUNK_SIZE = 10

Path_ = Literal["fast", "full"]

Chunk = dict[str, NDArray[Any]]


def _chunk(protocol: Protocol, scenario: Scenario, rule: DecisionRule, overrides: Overrides,
           first: int, trials: int, seed: np.random.SeedSequence, path: Path_ = "fast",
           base_seed: int = 0) -> Chunk:  # fmt: skip
    """Estimates and decisions of trials ``first .. first + trials - 1`` (one chunk).

    Fast path: the chunk's own stream `seed`. Full path: trial ``i`` is
    ``simulate_trial(seed=base_seed + i)``, so ``oncotrial sim trial --seed`` gives its SDTM.
    """
    if path == "full":
        rows = [simulate_full(protocol, scenario, seed=base_seed + i)
                for i in range(first, first + trials)]  # fmt: skip
        outcomes = Outcomes(*(_stack([getattr(o, f) for o in rows])
                              for f in ("evaluable", "responder", "pfs_days", "pfs_event",
                                        "toxicity")))  # fmt: skip
    else:
        outcomes = simulate_outcomes(protocol, scenario, trials=trials, seed=seed,
                                     overrides=overrides)  # fmt: skip
    est = estimate(outcomes, rule)
    dec = decide(rule, est)
    with np.errstate(invalid="ignore", divide="ignore"):
        cols: Chunk = {
            "trial": np.arange(first, first + trials, dtype=np.int64),
            "n_enrolled": dec.pop("n_enrolled"),
            "evaluable": est.evaluable,
            "analysed": est.analysed,
            "responders": est.responders,
            "orr": est.responders / est.analysed,
            "pfs_successes": est.pfs_successes,
            "pfs_rate_binomial": est.pfs_successes / est.analysed,
            "pfs_rate_km": est.km_landmark,
            "median_pfs_months": est.median_pfs_days / DAYS_PER_MONTH,
            "toxicities": est.toxicities,
            "toxicity_stop_at": est.toxicity_stop_at,
        }
    cols.update(dec)
    return cols


def _stack(parts: list[NDArray[Any]]) -> NDArray[Any]:
    out = np.concatenate(parts, axis=0)
    out.flags.writeable = False
    return out


def _context(fork: bool) -> BaseContext:
    """Fork where the platform has it (Linux) and the chunks never use polars, else spawn.

    A forked child does not have the parent's polars thread pool: the fast path's chunks
    (numpy only) may be forked, the full path's (SDTM and ADaM are polars frames) are spawned.
    """
    return get_context("fork" if fork and "fork" in get_all_start_methods() else "spawn")


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C to the parent, which stops the run and keeps finished chunks."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@dataclass(frozen=True)
class MonteCarloResult:
    """A Monte Carlo run: one row per trial, the operating characteristics, what was done.

    Attributes
    ----------
    trials : polars.DataFrame
        One row per finished trial, sorted by ``trial``: estimates (evaluable, responders, orr,
        pfs_rate_binomial, pfs_rate_km, median_pfs_months, toxicities) and decisions
        (success per endpoint, stopped_futility, stopped_toxicity, promising, n_enrolled).
    summary : polars.DataFrame
        The operating characteristics (:func:`summarise`).
    requested : int
        Trials asked for.
    seed, chunk_size : int
        The seed and the chunk layout (both part of the random streams).
    design : str
        Label of the design that decided the trials.
    path : {'fast', 'full'}
        Which path simulated them.
    """

    trials: pl.DataFrame
    summary: pl.DataFrame
    requested: int
    seed: int
    chunk_size: int
    design: str = ""
    path: str = "fast"

    @property
    def completed(self) -> int:
        """Trials finished (fewer than requested after an interruption)."""
        return self.trials.height

    @property
    def complete(self) -> bool:
        """Whether every requested trial finished."""
        return self.completed == self.requested

    def write_parquet(self, path: str | Path) -> Path:
        """Write the per-trial frame to `path` (via a temporary file, then renamed)."""
        return _write_parquet(self.trials, Path(path))


def write_trials(frame: pl.DataFrame, path: str | Path) -> Path:
    """Write a per-trial frame as parquet, through a temporary file renamed into place."""
    return _write_parquet(frame, Path(path))


def exact_note(rule: DecisionRule) -> str:
    """The design's exact operating characteristics in one line, to read beside a Monte Carlo
    table (they assume exactly n evaluable patients, a binomial landmark and, for a co-primary
    design, independent endpoints)."""
    text = rule.design.describe()
    t = rule.toxicity
    if t is not None:
        text += (f"; toxicity boundary: P(stop) {t.cross_lo:.4f} at {t.p_lo:g}, "
                 f"{t.cross_hi:.4f} at {t.p_hi:g}")  # fmt: skip
    return text


def _write_parquet(frame: pl.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        frame.write_parquet(tmp, statistics=False)
    return path


def _check_count(value: object, name: str) -> int:
    return check_int(value, name, minimum=1)


def run_oc(
    protocol: Protocol,
    scenario: Scenario,
    *,
    trials: int,
    seed: int = 0,
    chunk_size: int | None = None,
    workers: int = 1,
    scheduler: str | Client | None = None,
    overrides: Overrides | None = None,
    rule: DecisionRule | None = None,
    progress: Callable[[int], None] | None = None,
    path: Path_ = "fast",
) -> MonteCarloResult:
    """Operating characteristics of the protocol's design under a scenario (fast path).

    Parameters
    ----------
    protocol : Protocol
        The protocol: its design (:func:`oncotrial.design.design_for`), imaging, cycles.
    scenario : Scenario
        The virtual patients and their world.
    trials : int
        Virtual trials of the protocol's planned enrolment.
    seed : int, default=0
        With `chunk_size`, fixes every draw.
    chunk_size : int, optional
        Trials per chunk (memory, parallelism and progress unit; part of the fast path's random
        layout). Default 5,000 on the fast path, 10 on the full path.
    workers : int, default=1
        Local processes (1: in this process). Ignored with `scheduler`.
    scheduler : str, optional
        Address of a Dask ``distributed`` scheduler (``tcp://host:8786``), or a connected
        ``distributed.Client``: chunks run on its cluster.
    overrides : Overrides, optional
        Direct draws replacing modelled outcomes (response, PFS, toxicity probabilities).
    rule : DecisionRule, optional
        Decide by this rule instead of the protocol's (e.g. a predictive design).
    progress : callable, optional
        Called with the number of trials of each finished chunk (a progress bar's advance).
    path : {'fast', 'full'}, default='fast'
        ``"full"``: each trial through SDTM, the RECIST engine and ADaM
        (:func:`simulate_full`), trial ``i`` with ``simulate_trial(seed=seed + i)``; about half
        a second a trial. `overrides` apply to the fast path only.

    Returns
    -------
    MonteCarloResult
        After Ctrl-C, the chunks finished so far (``complete`` is False).

    Examples
    --------
    >>> from oncotrial.protocol import load
    >>> from oncotrial.sim import load_scenario
    >>> p = load("nct01010126")
    >>> res = run_oc(p, load_scenario("nct01010126", protocol=p), trials=200, seed=1)
    >>> res.trials.height, res.complete
    (200, True)
    """
    trials = _check_count(trials, "trials")
    if path not in ("fast", "full"):
        raise InputError("must be 'fast' or 'full'", field="path", value=path)
    if chunk_size is None:
        chunk_size = DEFAULT_CHUNK_SIZE if path == "fast" else DEFAULT_FULL_CHUNK_SIZE
    chunk_size = _check_count(chunk_size, "chunk_size")
    if path == "full" and overrides is not None and overrides != Overrides():
        raise InputError("apply to the fast path only", field="overrides", value=overrides,
                         hint="the full path models every outcome; use path='fast'")  # fmt: skip
    workers = _check_count(workers, "workers")
    rule = decision_rule(protocol) if rule is None else rule
    ov = overrides or Overrides()
    n_chunks = math.ceil(trials / chunk_size)
    seeds = np.random.SeedSequence(seed).spawn(n_chunks)
    tasks = [(protocol, scenario, rule, ov, i * chunk_size,
              min(chunk_size, trials - i * chunk_size), seeds[i], path, seed)
             for i in range(n_chunks)]  # fmt: skip
    done: list[Chunk] = []
    try:
        for chunk in _execute(tasks, workers, scheduler, fork=path == "fast"):
            done.append(chunk)
            if progress is not None:
                progress(int(chunk["trial"].size))
    except KeyboardInterrupt:
        pass  # keep the finished chunks; the caller sees complete == False
    frame = _frame(done)
    return MonteCarloResult(frame, summarise(frame, rule), trials, seed, chunk_size, rule.label,
                            path)  # fmt: skip


def _execute(tasks: list[tuple[Any, ...]], workers: int, scheduler: str | Client | None, *,
             fork: bool) -> Iterator[Chunk]:  # fmt: skip
    if scheduler is not None:
        yield from _execute_dask(tasks, scheduler)
        return
    if workers == 1 or len(tasks) == 1:
        for t in tasks:
            yield _chunk(*t)
        return
    # forked workers start with oncotrial imported, in milliseconds instead of seconds
    pool = ProcessPoolExecutor(max_workers=min(workers, len(tasks)),
                               mp_context=_context(fork), initializer=_ignore_sigint)  # fmt: skip
    futures: list[Future[Chunk]] = []
    try:
        futures = [pool.submit(_chunk, *t) for t in tasks]
        for f in as_completed(futures):
            yield f.result()
    finally:
        for f in futures:
            f.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def _execute_dask(tasks: list[tuple[Any, ...]], scheduler: str | Client) -> Iterator[Chunk]:
    """Run the chunks on a Dask cluster (an address, or a ``distributed.Client``)."""
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise InputError(
            "needs Dask, which is not installed",
            field="--scheduler",
            value=scheduler,
            hint="install the extra: pip install 'oncotrial[dask]' "
            "(or leave --scheduler out to use local processes)",
        ) from None

    client: Client
    if isinstance(scheduler, Client):
        client, own = scheduler, False
    else:
        try:
            client = Client(scheduler)  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(
                f"cannot reach the Dask scheduler ({exc})",
                field="--scheduler",
                value=scheduler,
                hint="start one ('dask scheduler', then 'dask worker tcp://host:8786'), "
                "or leave --scheduler out to use local processes",
            ) from None
        own = True
    futures = [client.submit(_chunk, *t, pure=False) for t in tasks]
    try:
        for f in dask_completed(futures):  # type: ignore[no-untyped-call]
            yield f.result()
    finally:
        client.cancel(futures)  # type: ignore[no-untyped-call]
        if own:
            client.close()  # type: ignore[no-untyped-call]


_COLUMNS_INT = ("trial", "n_enrolled", "evaluable", "analysed", "responders", "pfs_successes",
                "toxicities", "toxicity_stop_at")  # fmt: skip


def _frame(chunks: list[Chunk]) -> pl.DataFrame:
    if not chunks:
        return pl.DataFrame(schema={"trial": pl.Int64})
    names = list(chunks[0])
    cols = {k: np.concatenate([c[k] for c in chunks]) for k in names}
    frame = pl.DataFrame(cols).sort("trial")
    return frame.with_columns(pl.col(c).cast(pl.Int64) for c in _COLUMNS_INT if c in names)


def summarise(frame: pl.DataFrame, rule: DecisionRule) -> pl.DataFrame:
    """Operating characteristics from the per-trial frame, with Monte Carlo standard errors.

    Rows: probability of declaring the treatment promising, of each endpoint's success, of a
    stop for futility and for toxicity (binomial SE ``sqrt(p (1 - p) / trials)``); mean
    patients enrolled, evaluable, ORR, landmark PFS rate (binomial and Kaplan-Meier), median PFS
    (mean of the trials' medians, over trials where it is reached) and monitored toxicities (SE
    ``sd / sqrt(trials)``).
    """
    n = frame.height
    rows: list[dict[str, object]] = []
    if n == 0:
        return pl.DataFrame(schema={"quantity": pl.String, "value": pl.Float64,
                                    "mc_se": pl.Float64, "trials": pl.Int64})  # fmt: skip

    def prob(name: str, label: str) -> None:
        p = float(frame[name].cast(pl.Float64).mean())  # type: ignore[arg-type]
        rows.append({"quantity": label, "value": p, "mc_se": math.sqrt(p * (1 - p) / n),
                     "trials": n})  # fmt: skip

    def mean(name: str, label: str) -> None:
        col = frame[name].cast(pl.Float64).fill_nan(None).drop_nulls()
        m = col.len()
        value = float(col.mean()) if m else math.nan  # type: ignore[arg-type]
        sd = float(col.std()) if m > 1 else math.nan  # type: ignore[arg-type]
        rows.append({"quantity": label, "value": value, "mc_se": sd / math.sqrt(m) if m else
                     math.nan, "trials": m})  # fmt: skip

    prob("promising", "P(declared promising)")
    for c in frame.columns:
        if c.startswith("success_"):
            prob(c, f"P({c.removeprefix('success_')} succeeds)")
    prob("stopped_futility", "P(stop for futility)")
    prob("stopped_toxicity", "P(stop for toxicity)")
    mean("n_enrolled", "patients enrolled when the trial ended (stops included)")
    mean("evaluable", "evaluable patients, had it run to the end")
    mean("orr", "ORR")
    months = rule.landmark_days / DAYS_PER_MONTH
    mean("pfs_rate_binomial", f"PFS at {months:g} months (binomial)")
    mean("pfs_rate_km", f"PFS at {months:g} months (Kaplan-Meier)")
    mean("median_pfs_months", "median PFS, months")
    mean("toxicities", "monitored toxicities")
    return pl.DataFrame(rows)
