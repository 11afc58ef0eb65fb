"""The full path: one simulated trial through SDTM and ADaM, read back as :class:`Outcomes`.

Slow (a fraction of a second a trial) but exact to the whole pipeline: the RECIST engine, the
ADaM derivations (ADSL EFFFL, ADRS CBOR, ADTTE PFS, ADAE grades) and the same estimates and
decisions as the fast path (:func:`estimate`, :func:`decide`). It checks the fast path and gives
what the fast path lacks (any ADaM quantity of a trial).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from oncotrial.adam import derive_adam
from oncotrial.protocol import Protocol
from oncotrial.sim._scenario import Scenario
from oncotrial.sim._trial import simulate_trial
from oncotrial.sim.montecarlo._outcomes import Outcomes, monitored_terms

__all__ = ["outcomes_from_adam", "simulate_full"]


def outcomes_from_adam(
    adam: dict[str, pl.DataFrame], protocol: Protocol, scenario: Scenario
) -> Outcomes:
    """The decision layer's outcomes of one trial, read from its ADaM datasets.

    Patients in USUBJID order (the simulator numbers them in enrolment order). Evaluable:
    ADSL.EFFFL = "Y"; responder: ADRS PARAMCD CBOR in CR, PR; PFS: ADTTE PARAMCD PFS AVAL
    (days) and CNSR; monitored toxicity, per toxicity rule: a treatment-emergent ADAE record
    of the rule's ``min_grade`` or worse whose AEDECOD is one of the rule's
    :func:`monitored_terms`.
    """
    adsl = adam["adsl"].sort("USUBJID")
    ids = adsl["USUBJID"]
    n = ids.len()
    base = pl.DataFrame({"USUBJID": ids})
    cbor = (
        adam["adrs"]
        .filter(pl.col("PARAMCD") == "CBOR")
        .select("USUBJID", RESP=pl.col("AVALC").is_in(["CR", "PR"]))
    )
    pfs = adam["adtte"].filter(pl.col("PARAMCD") == "PFS").select("USUBJID", "AVAL", "CNSR")
    rules = protocol.statistics.toxicity_rules
    adae = adam.get("adae")
    tox_cols = [f"TOX{j}" for j in range(max(len(rules), 1))]
    tox = base.with_columns(*(pl.lit(False).alias(c) for c in tox_cols))
    if adae is not None and adae.height:
        for j, rule in enumerate(rules):
            terms = sorted(monitored_terms(protocol, scenario, rule))
            hit = (adae.filter((pl.col("TRTEMFL") == "Y") & (pl.col("ATOXGRN") >= rule.min_grade)
                               & pl.col("AEDECOD").str.to_lowercase().is_in(terms))
                   .select("USUBJID").unique())  # fmt: skip
            hit_ids = hit["USUBJID"].implode()
            tox = tox.with_columns(pl.col("USUBJID").is_in(hit_ids).alias(tox_cols[j]))
    frame = (
        base.join(adsl.select("USUBJID", EV=pl.col("EFFFL") == "Y"), on="USUBJID", how="left")
        .join(cbor, on="USUBJID", how="left")
        .join(pfs, on="USUBJID", how="left")
        .join(tox, on="USUBJID", how="left")
    )

    def col(name: str, fill: object) -> NDArray[Any]:
        out: NDArray[Any] = frame[name].fill_null(fill).to_numpy().reshape(1, n)
        return out

    def flag(a: NDArray[Any]) -> NDArray[np.bool_]:
        out = np.asarray(a, dtype=np.bool_)
        out.flags.writeable = False
        return out

    per_rule = np.stack([np.asarray(col(c, False), dtype=np.bool_) for c in tox_cols], axis=2)
    toxicity = per_rule[:, :, 0] if per_rule.shape[2] == 1 else per_rule
    days = np.asarray(col("AVAL", 1.0), dtype=np.float64)
    days.flags.writeable = False
    return Outcomes(
        evaluable=flag(col("EV", False)), responder=flag(col("RESP", False)),
        pfs_days=days, pfs_event=flag(col("CNSR", 1) == 0), toxicity=flag(toxicity),
    )  # fmt: skip


def simulate_full(protocol: Protocol, scenario: Scenario, *, seed: int) -> Outcomes:
    """Simulate one trial (SDTM), derive its ADaM and read its outcomes (the full path)."""
    sdtm = simulate_trial(protocol, scenario, seed=seed)
    adam = derive_adam(sdtm, protocol=protocol)
    return outcomes_from_adam(adam, protocol, scenario)
