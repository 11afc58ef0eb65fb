"""A new design is one module: a class answering ``Design`` and a builder registered for its
method. This file is that module (a spec, a design and a builder) and checks that the design
flows through ``design_for``, the Monte Carlo decisions and the abstract with no other change.

The design: enrol n patients and stop for futility as soon as the responders among the first
``look`` evaluable patients are 0; at the end, promising with at least ``k`` responders.
Its exact operating characteristics are written out below from the binomial by hand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl
import pytest

from adam.seed_study import seed_study  # tests/ is on sys.path (rootdir-relative packages)
from oncotrial.adam import derive_adam
from oncotrial.design import (
    Built,
    Design,
    FinalRule,
    FinalTest,
    Observed,
    OperatingCharacteristics,
    Verdict,
    _interface,
    design_for,
    oc_table,
    register_design,
    registered_methods,
)
from oncotrial.errors import DesignError
from oncotrial.protocol import DesignSpec, Protocol, load
from oncotrial.report.abstract import abstract
from oncotrial.sim.montecarlo import Outcomes, decide, decision_rule, estimate
from oncotrial.sim.montecarlo._run import exact_note


def pmf(x: int, n: int, p: float) -> float:
    return math.comb(n, x) * p**x * (1 - p) ** (n - x)


class ZeroStopSpec(DesignSpec):
    """The protocol's side: what the YAML would say."""

    method: Literal["zero_stop"]
    endpoint: str
    look: int
    n: int
    k: int
    p0: float
    p1: float
    beta: float = 0.2

    @property
    def tested_endpoints(self) -> tuple[str, ...]:
        return (self.endpoint,)

    def describe(self) -> str:
        return f"Design: zero-stop on {self.endpoint}, n = {self.n}"


@dataclass(frozen=True, slots=True)
class ZeroStopDesign:
    look: int
    n: int
    k: int
    p0: float
    p1: float

    @property
    def label(self) -> str:
        return f"zero-stop 0/{self.look}, {self.k}/{self.n}"

    @property
    def stages(self) -> tuple[int, ...]:
        return (self.look, self.n)

    def oc(self, p: float) -> OperatingCharacteristics:
        # P(stop) = (1 - p)^look; P(promising) = sum over x1 >= 1 responders of the first
        # look and x2 of the rest with x1 + x2 >= k
        pet = (1 - p) ** self.look
        m = self.n - self.look
        reject = sum(pmf(x1, self.look, p) * pmf(x2, m, p)
                     for x1 in range(1, self.look + 1) for x2 in range(m + 1)
                     if x1 + x2 >= self.k)  # fmt: skip
        return OperatingCharacteristics(self.label, p, reject, pet, self.look + (1 - pet) * m)

    def decide(self, observed: Observed) -> Verdict:
        futility = observed.cum_responders[:, self.look - 1] == 0
        success = ~futility & (observed.responders >= self.k)
        stopped_at = np.where(futility, self.look, 0).astype(np.int64)
        return Verdict({"response": success}, success, futility, stopped_at)

    def exact_power(self) -> float:
        return self.oc(self.p1).prob_reject

    def exact_oc(self) -> pl.DataFrame:
        return oc_table(self, [self.p0, self.p1])

    def to_frame(self) -> pl.DataFrame:
        return pl.DataFrame([{"look": self.look, "n": self.n, "k": self.k}])

    def describe(self) -> str:
        return f"exact: P(promising) {self.oc(self.p0).prob_reject:.4f} at p0={self.p0:g}"

    def final_rule(self, evaluable: int) -> FinalRule:
        return FinalRule((FinalTest(self.k - 1, "zero-stop", f"k = {self.k}, n = {self.n}"),))


def build(spec: ZeroStopSpec, protocol: Protocol) -> Built:
    return Built(ZeroStopDesign(spec.look, spec.n, spec.k, spec.p0, spec.p1), 1 - spec.beta)


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    # register for this test only: the registry is restored afterwards
    monkeypatch.setattr(_interface, "_BUILDERS", dict(_interface._BUILDERS))
    register_design("zero_stop")(build)


def with_design(protocol: Protocol, spec: DesignSpec) -> Protocol:
    stats = protocol.statistics.model_copy(update={"design": spec, "toxicity_monitoring": None})
    return protocol.model_copy(update={"statistics": stats})


SEED = load("nct01010126")
SPEC = ZeroStopSpec(method="zero_stop", endpoint="ORR", look=2, n=3, k=2, p0=0.1, p1=0.4)


def test_design_for_builds_it(registered: None) -> None:
    assert registered_methods()[-1] == "zero_stop"
    pd_ = design_for(with_design(SEED, SPEC))
    d = pd_.design
    assert isinstance(d, ZeroStopDesign) and isinstance(d, Design)
    assert pd_.target_power == pytest.approx(0.8)
    # by hand, n = 3, look = 2, k = 2 at p = 0.4: promising = P(X1 = 1) P(X2 = 1)
    # + P(X1 = 2) = 2 (0.4)(0.6)(0.4) + 0.16 = 0.352
    assert pd_.power == pytest.approx(0.352, abs=1e-12)
    oc = pd_.oc_frame()
    assert oc["pet"].to_list() == pytest.approx([0.81, 0.36])
    assert pd_.design_frame().to_dicts() == [{"look": 2, "n": 3, "k": 2}]


def test_unregistered_method_is_a_design_error() -> None:
    with pytest.raises(DesignError, match="no design is registered for method 'zero_stop'"):
        design_for(with_design(SEED, SPEC))


def test_monte_carlo_decisions_follow_its_rule(registered: None) -> None:
    rng = np.random.default_rng(11)
    trials, patients = 400, 5
    out = Outcomes(
        evaluable=rng.random((trials, patients)) < 0.8,
        responder=rng.random((trials, patients)) < 0.3,
        pfs_days=np.full((trials, patients), 100.0),
        pfs_event=np.ones((trials, patients), dtype=bool),
        toxicity=np.zeros((trials, patients), dtype=bool),
    )
    rule = decision_rule(with_design(SEED, SPEC))
    assert rule.n == 3 and rule.label == "zero-stop 0/2, 2/3"
    dec = decide(rule, estimate(out, rule))
    for t in range(trials):
        # by hand: the first 3 evaluable patients in enrolment order
        idx = [i for i in range(patients) if out.evaluable[t, i]][:3]
        resp = [bool(out.responder[t, i]) for i in idx]
        # (fewer than 2 evaluable: judged on those there are, as every design is)
        stop = not any(resp[:2])
        assert bool(dec["stopped_futility"][t]) == stop
        assert bool(dec["promising"][t]) == (not stop and sum(resp) >= 2)
        enrolled = idx[1] + 1 if stop and len(idx) >= 2 else patients
        assert int(dec["n_enrolled"][t]) == enrolled
    assert exact_note(rule) == "exact: P(promising) 0.0280 at p0=0.1"  # 2(.1)(.9)(.1) + .01


def test_abstract_states_its_final_rule(registered: None) -> None:
    protocol = with_design(SEED, SPEC)
    adam = derive_adam(seed_study(), protocol=SEED)
    a = abstract(adam, protocol)
    # 1 of the 3 evaluable patients of the seed study responded; the rule needs 2
    assert a.met is False
    assert a.text.endswith("did not meet its primary endpoint: 1 of 3 patients responded "
                           "(more than 1 needed).")  # fmt: skip
    assert a.trace[-1]["filter"] == "zero-stop design, ORR: k = 2, n = 3"
