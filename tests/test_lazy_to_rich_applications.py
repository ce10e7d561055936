"""Tests of the lazy_to_rich claims of Secs. 3 (A1-A3, Algorithm 1), 5 (regimes, NTK) and 6 (applications).

Modules: derivations/lazy_to_rich/{whitening, initialization, regimes, delayed_rich, ntk, applications}.py.

* every claim passes on its own statement;
* mutated statements (``lazyrich._tools.mutate.mutants``) are reported false through
  ``run_claim(claim, statement=mutant)``: a sample per claim;
* hand-made corruptions of the key identities fail (the thesis' printed constant, the factor 4 of the
  Gaussian diagonal variance, a wrong Kronecker factor of the NTK);
* independent routes agree: the corrected thesis formula against the 2x2 Fukumizu form (mpmath), Algorithm 1
  against the reference split of singular values, the Kronecker-vec rule behind the NTK proof.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import derivations  # noqa: F401  (registers the claims)
import lazyrich
from derivations.lazy_to_rich import (
    applications,
    delayed_rich,
    initialization,
    ntk,
    reference,
    regimes,
    statement_tools,
    whitening,
)
from derivations.rounding import gamma
from lazyrich import REGISTRY, run_claim
from lazyrich._tools.mutate import mutants
from lazyrich.certified import exact_arb, require_flint

MODULES = (whitening, initialization, regimes, delayed_rich, ntk, applications)
IDS = sorted(
    c.id for c in REGISTRY if c.symbolic is not None and c.symbolic.__module__ in {m.__name__ for m in MODULES}
)
#: claims whose mutants run the expensive exact reduction (only a few of them are sampled)
SLOW = {"lazy_to_rich.thesis_aligned_formula", "lazy_to_rich.ntk_laziness", "lazy_to_rich.delayed_rich_rate"}


def test_the_fifteen_claims_live_in_the_section_modules():
    assert len(IDS) == 15, IDS
    for cid in IDS:
        c = REGISTRY[cid]
        assert c.source.paper == "lazy_to_rich" and "§" not in c.source.cite()
        for fn in (c.symbolic, c.numeric):
            assert fn is not None and fn.__name__ != "_"  # named checks
        assert lazyrich.symbolic.split_statement(c.statements()).relations, cid


@pytest.mark.parametrize("cid", IDS)
def test_claim_passes_on_its_own_statement(cid):
    res = run_claim(REGISTRY[cid])
    assert res.passed, f"{cid}: symbolic {res.symbolic.detail} | numeric {res.numeric.detail}"


@pytest.mark.parametrize("cid", IDS)
def test_mutated_statements_fail(cid):
    c = REGISTRY[cid]
    ms = [m for m in mutants(c.statements()) if m.label not in c.equivalent]
    assert ms, f"{cid} has no mutants"
    sample = ms[:: max(1, len(ms) // (2 if cid in SLOW else 4))][: 2 if cid in SLOW else 4]
    for m in sample:
        assert not run_claim(c, statement=list(m.statement)).passed, f"{cid}: mutant {m.label} survived"


# ------------------------------------------------------------------ hand-made corruptions
def test_printed_thesis_constant_fails_only_for_negative_lambda():
    ts = np.linspace(0, 5, 11)
    for lm in (-2.0, -0.5):
        ode, tol = reference.scalar_ode(0.1, 1.5, lm, ts)
        # a failure: farther from the ODE than its global error bound plus the float64 rounding of the corrected
        # form (its derived ball: a right formula in float64 could be that far off, no farther)
        rounding = np.array([2 * float(_thesis_s_rounding_ball(t, 0.1, 1.5, lm).rad()) for t in ts])
        assert np.any(np.abs(regimes.thesis_s(ts, 0.1, 1.5, lm, printed=True) - ode) > tol + rounding)
    # for lambda > 0 the printed and corrected constants coincide: sgn = 1.0 and |lambda| = lambda make the two
    # float64 evaluations the same operations on the same numbers (2 s0 * 1.0 is exact), so the values are equal
    assert np.array_equal(regimes.thesis_s(ts, 0.1, 1.5, 0.7, printed=True), regimes.thesis_s(ts, 0.1, 1.5, 0.7))


def test_printed_thesis_constant_in_the_statement_is_rejected():
    c = REGISTRY["lazy_to_rich.thesis_aligned_formula"]
    st_ = c.statements()
    T0 = st_[1]
    printed = lazyrich.definition(
        T0.lhs, 2 * regimes.s0_s / (sp.sqrt(regimes.lam**2 + 4 * regimes.s0_s**2) + regimes.lam)
    )
    assert not run_claim(c, statement=[*st_[:1], printed, *st_[2:]]).passed


def test_gaussian_diagonal_factor_four_fails():
    c = REGISTRY["lazy_to_rich.gaussian_moments"]
    st_ = c.statements()
    wrong = lazyrich.equation(st_[3].lhs, 2 * st_[3].rhs)  # the thesis' 4 (N_o s2^4 + N_i s1^4)
    assert not run_claim(c, statement=[*st_[:3], wrong, *st_[4:]]).passed


def test_ntk_with_a_wrong_kronecker_factor_fails():
    c = REGISTRY["lazy_to_rich.ntk_formula"]
    st_ = c.statements()
    W1, W2, X = ntk.W1, ntk.W2, ntk.X_s
    # X^T W_1^T W_1 X in place of X^T X in the second term
    wrong_rhs = sp.kronecker_product(sp.Identity(ntk.N_o), X.T * W1.T * W1 * X) + sp.kronecker_product(
        W2 * W2.T, X.T * W1.T * W1 * X
    )
    wrong = lazyrich.definition(st_[0].lhs, wrong_rhs)
    assert not run_claim(c, statement=[wrong, *st_[1:]]).passed


# ------------------------------------------------------------------ independent routes
def _rounded(ball, ulps: float = 0.5):
    """``ball`` widened by the float64 error of one operation: ``ulps = 1/2`` correctly rounded (+ - * / sqrt),
    4 for a libm call (``pow``, ``exp``); plus gradual underflow (the rounding model of derivations/rounding.py)."""
    flint = require_flint()
    err = exact_arb(2 * ulps * 2.0**-53) * abs(ball).upper() + exact_arb(max(ulps, 1.0) * 2.0**-1074)
    return ball + flint.arb(0, err.upper())


def _thesis_s_rounding_ball(t_, s0, st_, lm):
    """Arb ball (200 bits) holding the exact thesis ``s`` and every float64 value of ``regimes.thesis_s``: its code
    mirrored operation by operation, each widened by its float64 error (Higham (2002), Sec. 3.3, in intervals)."""
    flint = require_flint()
    saved, flint.ctx.prec = flint.ctx.prec, 200
    try:
        r = _rounded
        lm_, st, s0_, tt = (exact_arb(float(v)) for v in (lm, st_, s0, t_))
        sg = 1 if lm >= 0 else -1
        K = r(r(r(lm_**2, 4) + r(4 * r(st**2, 4))).sqrt())
        root = r(r(r(lm_**2, 4) + r(4 * r(s0_**2, 4))).sqrt())
        T0 = r(2 * s0_ * sg / r(root + abs(lm_)))
        c = r(2 * st * T0)
        C0 = r(r(r(K + lm_) + c) / r(r(K - lm_) - c))
        e = r(C0 * r(r(sg * K * tt).exp(), 4))
        x = r(r(r(K * r(e - 1)) - r(lm_ * r(e + 1))) / r(2 * st * r(1 + e)))
        return r(r(lm_ * x) / r(1 - r(x**2, 4)))
    finally:
        flint.ctx.prec = saved


@settings(deadline=None, max_examples=25)
@given(
    ratio=st.floats(0.05, 0.9) | st.floats(1.1, 3.0),
    st_=st.floats(0.2, 3.0),
    lm=st.floats(0.05, 4.0) | st.floats(-4.0, -0.05),
    x=st.floats(0.0, 4.0),
)
def test_corrected_thesis_form_matches_fukumizu_mp(ratio, st_, lm, x):
    # s0 = s~ is the fixed point, where the thesis' Moebius constant C0 is infinite (0/0 form): draw s0 away from it
    s0 = ratio * st_
    got = float(regimes.thesis_s(x, s0, st_, lm))
    ref = reference.aligned_fukumizu_mp(x, s0, st_, lm)  # 40 digits, rounded to float64
    # derived bound: the ball holds the exact s and every float64 value of thesis_s's code, so
    # |got - exact| <= 2 rad; the reference adds its rounding u |ref| and mpmath's eps_40^0.8
    ball = _thesis_s_rounding_ball(x, s0, st_, lm)
    assert abs(got - ref) <= 2 * float(ball.rad()) + (2.0**-53 + lazyrich.mp_tolerance(40)) * abs(ref)


@settings(deadline=None, max_examples=25)
@given(seed=st.integers(0, 2**32 - 1), dims=st.sampled_from([(3, 3, 3), (4, 2, 2), (2, 2, 5), (2, 4, 5), (5, 3, 2)]))
def test_algorithm_one_splits_the_product_like_the_reference(seed, dims):
    ni, nh, no = dims
    rng = np.random.default_rng(seed)
    lm = float(rng.uniform(0.1, 2.0)) * (1 if no >= ni else -1)
    W1g, W2g = rng.standard_normal((nh, ni)), rng.standard_normal((no, nh))
    R, S1, S2, U, V, s = initialization.get_lambda_balanced(W1g, W2g, lm, lazyrich.random_orthogonal(nh, rng))
    A, B = R @ S1 @ V.T, U @ S2 @ R.T
    # Operation count (eps per rounding; an inner product of length k: k): A = (R S1) V^T: 1 + N_i (S1 has one
    # nonzero per column), its Gram N_i and the defect of V^T V = I (from the SVD, N_i); B = (U S2) R^T: 1 + N_h,
    # Gram N_o, defect of U (N_o); S2^T S2 - S1 S1^T = lambda I up to the split sqrt(lambda^2 + 4 s^2) -+ lambda
    # (10 roundings: lambda^2, s^2, +, sqrt, -+, sqrt, squared twice, on root + |lambda|) and R lambda R^T against
    # lambda I (the defect of R: N_h). Every |.| product is bounded entrywise by 2-norms (Cauchy-Schwarz on the rows
    # of the orthogonal factors), so the scale is |A|_2^2 + |B|_2^2 + |lambda|
    n_ops = (1 + 3 * ni) + (1 + nh + 2 * no) + 10 + nh
    scale = np.linalg.norm(A, 2) ** 2 + np.linalg.norm(B, 2) ** 2 + abs(lm)
    assert np.abs(B.T @ B - A @ A.T - lm * np.eye(nh)).max() <= lazyrich.linalg_tolerance(1.0, n_ops) * scale
    m = min(ni, no)
    # Algorithm 1 puts reference.split_singular_values(s, lambda) on the diagonals: the same float operations on
    # the same s, so the values are equal
    c1, c2 = reference.split_singular_values(s[:m], lm)
    assert np.array_equal(np.diag(S1)[:m], c1) and np.array_equal(np.diag(S2)[:m], c2)


@settings(deadline=None, max_examples=25)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 4), p=st.integers(1, 4))
def test_kronecker_vec_rule_used_by_the_ntk_proof(seed, n, p):
    rng = np.random.default_rng(seed)
    A, B, G = rng.standard_normal((n, n)), rng.standard_normal((p, p)), rng.standard_normal((n, p))
    # each entry is a sum of n p products A_ik G_kl B_jl: kron(A, B) rounds each product (1) and sums them (n p),
    # A G B^T sums in two stages (n + p, with its two products): gamma_{np+2} + gamma_{n+p} of n p max|A||G||B|
    # (Higham (2002), Lemma 3.1 and eq. (3.13))
    terms = n * p * np.abs(A).max() * np.abs(B).max() * np.abs(G).max()
    tol = (gamma(n * p + 2) + gamma(n + p)) * terms
    assert np.abs(np.kron(A, B) @ G.ravel() - (A @ G @ B.T).ravel()).max() <= tol


def test_ntk_proof_is_at_general_shape():
    res = run_claim(REGISTRY["lazy_to_rich.ntk_formula"])
    assert res.symbolic.established == "general shape"


def test_screen_fails_false_residuals_and_keeps_true_ones():
    n = sp.Symbol("n", integer=True, positive=True)
    A = sp.MatrixSymbol("A", n, n)
    assert lazyrich.Proof(residuals=statement_tools.fast_fail([A - A.T])).failing()
    assert not lazyrich.Proof(residuals=statement_tools.fast_fail([(A * A).T - A.T * A.T])).failing()
