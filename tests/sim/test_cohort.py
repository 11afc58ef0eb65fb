"""Virtual patients: reproducible, independent streams, and distributions as specified.

Monte Carlo checks use a fixed seed and a tolerance of 4 standard errors computed in the test.
"""

import math

import numpy as np
import pytest

from oncotrial.errors import InputError
from oncotrial.sim import DAYS_PER_MONTH, draw_cohort, load_scenario, tgi_diameters

SCENARIO = load_scenario("nct01010126")


def test_same_seed_same_cohort_and_read_only():
    a = draw_cohort(SCENARIO, trials=3, patients=59, seed=11)
    b = draw_cohort(SCENARIO, trials=3, patients=59, seed=11)
    c = draw_cohort(SCENARIO, trials=3, patients=59, seed=12)
    np.testing.assert_array_equal(a.d0_mm, b.d0_mm)
    np.testing.assert_array_equal(a.enrol_day, b.enrol_day)
    assert not np.array_equal(a.enrol_day, c.enrol_day)
    with pytest.raises(ValueError, match="read-only"):
        a.age_years[0, 0] = 1.0


def test_changing_one_parameter_leaves_other_streams_alone():
    faster = SCENARIO.model_copy(
        update={"tumour": SCENARIO.tumour.model_copy(
            update={"kg": SCENARIO.tumour.kg.model_copy(update={"median_per_year": 2.0})})}
    )  # fmt: skip
    a = draw_cohort(SCENARIO, trials=2, patients=30, seed=5)
    b = draw_cohort(faster, trials=2, patients=30, seed=5)
    np.testing.assert_array_equal(a.d0_mm, b.d0_mm)
    np.testing.assert_array_equal(a.kd_per_year, b.kd_per_year)
    np.testing.assert_array_equal(a.death_before_progression_day, b.death_before_progression_day)
    # kg scales exactly with its median: the same z draws underneath
    np.testing.assert_allclose(
        b.kg_per_year, a.kg_per_year * 2.0 / SCENARIO.tumour.kg.median_per_year
    )


def test_lesions_padded_beyond_n_targets():
    c = draw_cohort(SCENARIO, trials=50, patients=59, seed=1)
    counted = np.isfinite(c.d0_mm).sum(axis=-1)
    np.testing.assert_array_equal(counted, c.n_targets)
    assert np.nanmin(c.d0_mm) >= 10.0  # measurable: truncated at min 10 mm
    assert np.nanmax(c.d0_mm) <= 150.0
    assert set(np.unique(c.n_targets)) <= {1, 2, 3, 4, 5}


def test_not_evaluable_share():
    # expected share: the scenario's reasons, 0.055 + 0.045 + 0.03 = 0.13; SE = sqrt(p(1-p)/N)
    p = sum(r.probability for r in SCENARIO.evaluability.not_evaluable)
    assert p == pytest.approx(0.13)
    c = draw_cohort(SCENARIO, trials=200, patients=59, seed=2)
    n = c.not_evaluable.size
    share = float((c.not_evaluable >= 0).mean())
    se = math.sqrt(p * (1 - p) / n)
    assert abs(share - p) < 4 * se


def test_accrual_follows_the_ramped_poisson_intensity():
    # Rate r = 2 / 30.4375 a day after a ramp of R = 4 months: the expected number enrolled by
    # day t is L(t) = r t^2 / (2R) for t <= R and r (t - R/2) after. The count is Poisson, so
    # its variance is L(t) too. Check at t = R / 2 (in the ramp) and t = 3R.
    r, ramp = 2.0 / DAYS_PER_MONTH, 4.0 * DAYS_PER_MONTH
    c = draw_cohort(SCENARIO, trials=3000, patients=59, seed=3)
    for t, expected in ((ramp / 2, r * (ramp / 2) ** 2 / (2 * ramp)), (3 * ramp, r * 2.5 * ramp)):
        counts = (c.enrol_day <= t).sum(axis=1)
        se = math.sqrt(expected / counts.size)
        assert abs(counts.mean() - expected) < 4 * se, (t, counts.mean(), expected)


def test_death_hazard_gives_exponential_mean():
    # hazard h per month -> exponential times with mean 1 / h months; SE of the mean =
    # mean / sqrt(N) (the standard deviation of an exponential equals its mean)
    mean = 1 / SCENARIO.survival.death_before_progression_per_month
    c = draw_cohort(SCENARIO, trials=100, patients=59, seed=4)
    x = c.death_before_progression_day / DAYS_PER_MONTH
    assert abs(x.mean() - mean) < 4 * mean / math.sqrt(x.size)


def test_non_target_progression_only_with_non_target_disease():
    c = draw_cohort(SCENARIO, trials=20, patients=59, seed=6)
    assert np.isinf(c.non_target_progression_day[~c.non_target]).all()
    assert np.isfinite(c.non_target_progression_day[c.non_target]).all()


def test_tgi_by_hand():
    # D0 = 40, kd = 1/yr, kg = 0: D(1 yr) = 40 e^-1 = 14.715178
    assert tgi_diameters(np.array(40.0), np.array(1.0), np.array(0.0), np.array(365.25)) == (
        pytest.approx(40 * math.exp(-1))
    )
    # D0 = 20, kd = 0.5, kg = 0.5 at t = 2 yr: 20 (e^-1 + e^1 - 1) = 20 * 2.086161 = 41.72322
    assert tgi_diameters(np.array(20.0), np.array(0.5), np.array(0.5), np.array(730.5)) == (
        pytest.approx(41.72322, abs=1e-5)
    )


def test_tgi_broadcasts_lesions_against_visits():
    c = draw_cohort(SCENARIO, trials=2, patients=4, seed=8)
    visits = np.array([0.0, 56.0, 112.0])[:, None]  # (visits, 1) against (..., 5)
    d = tgi_diameters(c.d0_mm[:, :, None, :], c.kd_per_year[:, :, None, :],
                      c.kg_per_year[:, :, None, :], visits)  # fmt: skip
    assert d.shape == (2, 4, 3, 5)
    np.testing.assert_allclose(d[:, :, 0, :], c.d0_mm)  # at t = 0 the baseline


@pytest.mark.parametrize(("trials", "patients"), [(0, 10), (5, -1), (2.5, 10)])
def test_bad_sizes(trials, patients):
    with pytest.raises(InputError, match=">= 1"):
        draw_cohort(SCENARIO, trials=trials, patients=patients, seed=1)
