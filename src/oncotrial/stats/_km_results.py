"""Small frozen results read off a Kaplan-Meier curve: quantiles, landmarks, restricted mean."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def float_column(values: npt.NDArray[Any]) -> pl.Series:
    """A float column with R's NA/NaN shown as null."""
    return pl.Series(values=np.asarray(values, dtype=np.float64)).fill_nan(None)


def optional_float(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


@dataclass(frozen=True, slots=True)
class SurvivalQuantile:
    """A quantile of a survival curve with its confidence limits (None where not reached).

    Attributes
    ----------
    prob : float
        The probability p: the time by which a fraction p has had the event (0.5: median).
    time : float or None
        The quantile, None if the curve never falls to 1 - p.
    lower, upper : float or None
        The times at which the lower and upper confidence curves reach 1 - p; None where a
        limit never gets there (typically the upper limit of a median with few events).
    """

    prob: float
    time: float | None
    lower: float | None
    upper: float | None


@dataclass(frozen=True, slots=True)
class QuantileTable:
    """Several quantiles of one curve (NaN where not reached); ``to_frame`` shows nulls."""

    prob: FloatArray
    time: FloatArray
    lower: FloatArray
    upper: FloatArray

    def __getitem__(self, i: int) -> SurvivalQuantile:
        return SurvivalQuantile(
            float(self.prob[i]),
            optional_float(self.time[i]),
            optional_float(self.lower[i]),
            optional_float(self.upper[i]),
        )

    def __len__(self) -> int:
        return int(self.prob.size)

    def to_frame(self) -> pl.DataFrame:
        """Columns prob, time, lower, upper."""
        return pl.DataFrame(
            {
                "prob": self.prob,
                "time": float_column(self.time),
                "lower": float_column(self.lower),
                "upper": float_column(self.upper),
            }
        )


@dataclass(frozen=True, slots=True)
class Landmark:
    """Survival at given times, as R ``summary(fit, times = ..., extend = TRUE)``.

    Attributes
    ----------
    time : ndarray
        The landmark times, sorted.
    n_risk : ndarray
        Subjects still followed (time >= t) at each landmark.
    n_event, n_censor : ndarray
        Events and censorings since the previous landmark (in (t_prev, t]).
    surv : ndarray
        S(t).
    std_err : ndarray
        Standard error of S(t) (Greenwood), S(t) times the curve's ``std_err``.
    lower, upper : ndarray
        Confidence limits of S(t) (NaN where R gives NA).
    """

    time: FloatArray
    n_risk: IntArray
    n_event: IntArray
    n_censor: IntArray
    surv: FloatArray
    std_err: FloatArray
    lower: FloatArray
    upper: FloatArray

    def to_frame(self) -> pl.DataFrame:
        """Columns time, n_risk, n_event, n_censor, surv, std_err, lower, upper."""
        return pl.DataFrame(
            {
                "time": self.time,
                "n_risk": self.n_risk,
                "n_event": self.n_event,
                "n_censor": self.n_censor,
                "surv": float_column(self.surv),
                "std_err": float_column(self.std_err),
                "lower": float_column(self.lower),
                "upper": float_column(self.upper),
            }
        )


@dataclass(frozen=True, slots=True)
class RestrictedMean:
    """Restricted mean survival time up to `tau`, with its standard error (R ``rmean``)."""

    tau: float
    rmean: float
    std_err: float
