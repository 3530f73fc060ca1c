"""Survey models: consistency checks, domains, formulas and errors (no external reference).

Each expected relation is derived in the test: a two-level multinomial logit is the binomial
GLM; ``by=`` equals ``where=`` per domain; ``C(x)`` and ``factor(x)`` and an automatic factor
give the same fit; a gaussian GLM with an intercept only is the design-based mean.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from qonys import estimate as est
from qonys._core import ConvergenceError, DataError, DesignError
from qonys.design import SurveyData, SurveyDesign, as_replicate


@pytest.fixture(scope="module")
def sd() -> SurveyData:
    rng = np.random.default_rng(7)
    n = 600
    st = np.repeat(np.arange(6), n // 6)
    psu = st * 10 + rng.integers(0, 10, n)
    x1 = rng.normal(size=n)
    g = rng.choice(["a", "b", "c"], n)
    eta = -0.3 + 0.8 * x1 + (g == "b") * 0.5
    yb = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    cat3 = np.where(rng.random(n) < 0.3, "lo", np.where(x1 + rng.normal(size=n) > 0, "hi", "mid"))
    df = pd.DataFrame(
        {
            "st": st,
            "psu": psu,
            "w": rng.uniform(1, 5, n),
            "x1": x1,
            "g": g,
            "gnum": pd.Series(g).map({"a": 1, "b": 2, "c": 3}),
            "y": 2 + x1 + rng.normal(size=n),
            "yb": yb,
            "yes": np.where(yb > 0, "yes", "no"),
            "cat3": pd.Categorical(cat3, categories=["lo", "mid", "hi"], ordered=True),
            "count": rng.poisson(np.exp(0.5 + 0.3 * x1)),
        }
    )
    return SurveyData(df, SurveyDesign(weights="w", strata="st", ids="psu", nest=True))


def test_two_level_multinom_is_the_binomial_glm(sd: SurveyData) -> None:
    g = est.glm(sd, "yb ~ x1 + g", "quasibinomial", epsilon=1e-15, maxit=50)
    m = est.multinom(sd, "yes ~ x1 + g")
    np.testing.assert_allclose(m.coef.to_numpy(), g.coef.to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(m.se.to_numpy(), g.se.to_numpy(), rtol=1e-7)
    assert list(m.to_frame()["outcome"].unique()) == ["yes"]


def test_factor_spellings_agree(sd: SurveyData) -> None:
    a = est.glm(sd, "y ~ x1 + g")
    b = est.glm(sd, "y ~ x1 + C(g)")
    c = est.glm(sd, "y ~ x1 + factor(gnum)")
    np.testing.assert_allclose(a.coef.to_numpy(), b.coef.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(a.se.to_numpy(), c.se.to_numpy(), rtol=1e-12)
    assert list(a.coef.index) == ["(Intercept)", "x1", "gb", "gc"]
    assert list(b.coef.index)[2:] == ["C(g)b", "C(g)c"]
    ref = est.glm(sd, 'y ~ x1 + C(g, ref="c")')
    assert list(ref.coef.index)[2:] == ['C(g, ref="c")a', 'C(g, ref="c")b']
    frame = a.to_frame()
    assert frame.loc[2, "variable"] == "g"
    assert frame.loc[2, "level"] == "b"
    assert list(frame.columns[:13]) == [
        "variable", "level", "domain", "estimate", "se", "ci_low", "ci_high", "df", "deff",
        "n", "term", "statistic", "p_value",
    ]  # fmt: skip


def test_tuple_formula_and_intercept_only(sd: SurveyData) -> None:
    a = est.glm(sd, ("y", ["x1", "g"]))
    assert a.formula == "y ~ x1 + g"
    m0 = est.glm(sd, "y ~ 1")
    mean = est.mean(sd, "y")
    assert m0.coef.iloc[0] == pytest.approx(mean.estimate[0], rel=1e-12)
    assert m0.se.iloc[0] == pytest.approx(mean.se[0], rel=1e-10)
    no_int = est.glm(sd, "y ~ g - 1")
    assert list(no_int.coef.index) == ["ga", "gb", "gc"]


def test_by_equals_where(sd: SurveyData) -> None:
    by = est.glm(sd, "yb ~ x1", "quasibinomial", by="g")
    assert [f.domain for f in by.fits] == ["g=a", "g=b", "g=c"]
    one = est.glm(sd, "yb ~ x1", "quasibinomial", where=sd.data["g"] == "b")
    np.testing.assert_allclose(by.fit("g=b").coef, one.fit().coef, rtol=1e-12)
    np.testing.assert_allclose(by.fit("g=b").vcov, one.fit().vcov, rtol=1e-12)
    assert set(by.to_frame()["domain"]) == {"g=a", "g=b", "g=c"}
    t = est.reg_term_test(by, "x1")
    assert len(t.to_frame()) == 3


def test_poisson_and_olr_and_replicates(sd: SurveyData) -> None:
    p = est.glm(sd, "count ~ x1", "poisson")
    assert p.coef["x1"] == pytest.approx(0.3, abs=0.1)
    o = est.olr(sd, "cat3 ~ x1")
    assert list(o.coef.index) == ["x1", "lo|mid", "mid|hi"]
    assert o.df_residual == sd.degf - 1
    rep = as_replicate(sd, "JKn")
    lin = est.glm(rep, "yb ~ x1 + g", "quasibinomial", variance="linearised")
    refit = est.glm(rep, "yb ~ x1 + g", "quasibinomial")
    # a jackknife of a smooth statistic is close to its linearisation
    np.testing.assert_allclose(lin.se.to_numpy(), refit.se.to_numpy(), rtol=0.05)
    assert refit.fit().replicates is not None
    ro = est.olr(rep, "cat3 ~ x1")
    assert np.all(np.isfinite(ro.se.to_numpy()))


def test_z_tests_with_infinite_df(sd: SurveyData) -> None:
    m = est.glm(sd, "y ~ x1", df=math.inf)
    f = m.to_frame()
    assert (f["df"] == math.inf).all()
    t = est.reg_term_test(m, "x1", df=math.inf)
    assert t.statistic == pytest.approx(f.loc[1, "statistic"] ** 2, rel=1e-12)


def test_errors(sd: SurveyData) -> None:
    with pytest.raises(DesignError, match="family"):
        est.glm(sd, "y ~ x1", "gamma")  # type: ignore[arg-type]
    with pytest.raises(DesignError, match="not in the data"):
        est.glm(sd, "y ~ x9")
    with pytest.raises(DesignError, match="'~'"):
        est.glm(sd, "y x1")
    with pytest.raises(DesignError, match="linear combination"):
        est.glm(sd, "y ~ x1 + I(2 * x1)")
    with pytest.raises(DataError, match="between 0 and 1"):
        est.glm(sd, "y ~ x1", "binomial")
    with pytest.raises(DesignError, match="not in the model"):
        est.reg_term_test(est.glm(sd, "y ~ x1"), "g")
    gap = sd.update(data=sd.data.assign(x1=sd.data["x1"].where(sd.data.index % 50 != 0)))
    with pytest.raises(DesignError, match="miss a value"):
        est.glm(gap, "y ~ x1")
    dropped = est.glm(gap, "y ~ x1", missing="drop")
    assert dropped.meta.n_dropped == 12
    sep = sd.update(data=sd.data.assign(s=(sd.data["x1"] > 0).astype(float)))
    with pytest.raises(ConvergenceError, match="separation"):
        est.glm(sep, "s ~ x1", "quasibinomial")
    with pytest.raises(DataError, match="3 or more levels"):
        est.olr(sd, "yes ~ x1")
