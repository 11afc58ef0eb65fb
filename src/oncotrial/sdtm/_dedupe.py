"""Identical duplicate records: the copies a data manager would delete without asking anyone."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

__all__ = ["drop_identical_duplicates"]


def drop_identical_duplicates(
    study: Mapping[str, pl.DataFrame],
) -> tuple[dict[str, pl.DataFrame], dict[str, int]]:
    """Drop each record that repeats an earlier record of its domain in every variable but the
    sequence number (``--SEQ``), keeping the first copy.

    Copies that differ in any result, date or visit are kept: they are conflicts for a person to
    resolve, and the derivations refuse them with the record named. pharmaversesdtm's
    ``tr_onco_recist`` has 13 such copies of investigator TUMSTATE records, which is why
    ``oncotrial analyze --drop-identical-duplicates`` exists.

    Returns
    -------
    (dict of str to DataFrame, dict of str to int)
        The domains, and the number of records dropped from each domain that lost any.

    Examples
    --------
    >>> import polars as pl
    >>> tr = pl.DataFrame({"USUBJID": ["1", "1", "1"], "TRSEQ": [1, 2, 3],
    ...                    "TRSTRESC": ["PRESENT", "PRESENT", "ABSENT"]})
    >>> frames, dropped = drop_identical_duplicates({"tr": tr})
    >>> frames["tr"]["TRSEQ"].to_list(), dropped
    ([1, 3], {'tr': 1})
    """
    out: dict[str, pl.DataFrame] = {}
    dropped: dict[str, int] = {}
    for name, frame in study.items():
        seq = f"{name.upper()}SEQ"
        subset = [c for c in frame.columns if c != seq]
        kept = frame.unique(subset=subset, keep="first", maintain_order=True) if subset else frame
        out[name] = kept
        if kept.height < frame.height:
            dropped[name] = frame.height - kept.height
    return out, dropped
