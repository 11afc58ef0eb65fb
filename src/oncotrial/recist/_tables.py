"""RECIST 1.1 Tables 1 and 2: the overall response of a time point from its three parts."""

from __future__ import annotations

import polars as pl

__all__ = ["compute_overall_response"]

_NON_PD = ("CR", "NON-CR/NON-PD", "NE", "NA")


def _as_expr(column: str | pl.Expr) -> pl.Expr:
    return pl.col(column) if isinstance(column, str) else column


def compute_overall_response(
    target: str | pl.Expr = "TRGRESP",
    non_target: str | pl.Expr = "NTRGRESP",
    new_lesion: str | pl.Expr = "NEWLPROG",
) -> pl.Expr:
    """Time-point overall response from its three parts (RECIST 1.1 Tables 1 and 2).

    Parameters
    ----------
    target : str or Expr, default "TRGRESP"
        Target response: CR, PR, SD, PD, NE, or NA when the subject has no target lesions
        (then Table 2, non-target disease only, applies).
    non_target : str or Expr, default "NTRGRESP"
        Non-target response: CR, NON-CR/NON-PD, PD, NE ("not all evaluated"), or NA when the
        subject has no non-target lesions.
    new_lesion : str or Expr, default "NEWLPROG"
        "Y" if an unequivocal new lesion is seen, else "N".

    Returns
    -------
    Expr
        String expression named ``OVRLRESP``; null for a combination the tables do not cover
        (no target and no non-target disease without a new lesion, or an unknown value).

    Notes
    -----
    Table 1 (target disease): any new lesion, target PD or non-target PD -> PD; target CR with
    non-target CR (or none) -> CR; target CR with non-target NON-CR/NON-PD or not evaluated ->
    PR; target PR with non-target non-PD or not all evaluated -> PR; target SD likewise -> SD;
    target not all evaluated with non-target non-PD -> NE.
    Table 2 (non-target disease only): CR -> CR; NON-CR/NON-PD -> NON-CR/NON-PD (RECIST prefers
    it to "SD" there); not all evaluated -> NE; unequivocal PD or a new lesion -> PD.

    References
    ----------
    .. [1] Eisenhauer EA, Therasse P, Bogaerts J, et al. New response evaluation criteria in
       solid tumours: revised RECIST guideline (version 1.1). Eur J Cancer 2009;45:228-247,
       Tables 1 and 2.

    Examples
    --------
    >>> parts = pl.DataFrame({"TRGRESP": ["CR", "CR", "PR", "NA", "SD"],
    ...                       "NTRGRESP": ["CR", "NE", "NON-CR/NON-PD", "NON-CR/NON-PD", "NE"],
    ...                       "NEWLPROG": ["N", "N", "N", "N", "Y"]})
    >>> parts.select(compute_overall_response())["OVRLRESP"].to_list()
    ['CR', 'PR', 'PR', 'NON-CR/NON-PD', 'PD']
    """
    t, n, new = _as_expr(target), _as_expr(non_target), _as_expr(new_lesion)
    return (
        pl.when(new == "Y")
        .then(pl.lit("PD"))
        .when((t == "PD") | (n == "PD"))
        .then(pl.lit("PD"))
        .when(t == "NA")  # Table 2: non-target disease only
        .then(pl.when(n.is_in(["CR", "NON-CR/NON-PD", "NE"])).then(n).otherwise(pl.lit(None)))
        .when(t == "CR")
        .then(
            pl.when(n.is_in(["CR", "NA"]))
            .then(pl.lit("CR"))
            .when(n.is_in(["NON-CR/NON-PD", "NE"]))
            .then(pl.lit("PR"))
            .otherwise(pl.lit(None))
        )
        .when(t.is_in(["PR", "SD", "NE"]) & n.is_in(_NON_PD))
        .then(t)
        .otherwise(pl.lit(None))
        .cast(pl.String)
        .alias("OVRLRESP")
    )
