"""Tests of the lazy_to_rich claims (derivations/lazy_to_rich.py).

* every registered claim passes both checks;
* corrupted variants of the key identities are reported false (so a check that
  always passes would be caught);
* the module's independent routes agree with each other on cases generated from
  known solutions (Hypothesis), which is what the claims' numeric checks rely on.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sympy import Identity

import derivations.lazy_to_rich as L
import lazyrich
from derivations.rounding import LIBM_ULPS, gamma
from lazyrich import REGISTRY, Claim, Proof, RewriteRule, Source, canonicalize, run_claim
from lazyrich._exact.scalar_mode import FLOAT64_ULPS

OWN_IDS = sorted(
    c.id
    for c in REGISTRY
    if c.id.startswith("lazy_to_rich.")
    and any(f is not None and f.__module__.startswith(L.__name__ + ".") for f in (c.symbolic, c.numeric))
)


def test_every_claim_is_registered_and_cites_the_paper():
    # 29 claims of the paper plus the conservation laws (conservation_deep, gd_imbalance_step, gd_deep_drift)
    assert len(OWN_IDS) == 32
    for cid in ("lazy_to_rich.conservation_two_layer", "lazy_to_rich.gd_imbalance_step"):
        assert cid in REGISTRY
    for cid in OWN_IDS:
        c = REGISTRY[cid]
        assert c.source.paper == "lazy_to_rich" and c.source.where and "§" not in c.source.where
        assert c.statements(), f"{cid} has no statement"
        assert c.symbolic is not None or c.numeric is not None


def test_no_source_cites_the_digests():
    """Sources are printed by ``lazyrich claims`` and the LaTeX export: the papers' own numbering only."""
    papers = ("lazy_to_rich", "get_rich_quick", "mixed_dynamics")
    bad = [
        c.id for c in REGISTRY if c.paper in papers and ("§" in c.source.cite() or "digest" in c.source.cite().lower())
    ]
    assert not bad, bad


@pytest.mark.parametrize("cid", OWN_IDS)
def test_claim_passes(cid):
    res = run_claim(REGISTRY[cid])
    assert res.passed, f"{cid}: symbolic {res.symbolic.detail} | numeric {res.numeric.detail}"
    assert res.numeric.status == "pass" or REGISTRY[cid].numeric is None


# ------------------------------------------------------------------ corrupted variants are reported false
def _mutated(cid, index, change):
    """The claim's statement with relation ``index`` replaced by ``change(relation)``."""
    st_ = list(REGISTRY[cid].statements())
    st_[index] = change(st_[index])
    return st_


def test_riccati_with_wrong_sign_of_lambda_fails():
    from derivations.lazy_to_rich import symbols as S

    bad_F = sp.BlockMatrix([[S.lam / 2 * Identity(S.N_i), S.Sigma.T], [S.Sigma, S.lam / 2 * Identity(S.N_o)]])
    st_ = _mutated("lazy_to_rich.riccati_closure", 1, lambda r: lazyrich.definition(r.lhs, bad_F))
    assert not run_claim(REGISTRY["lazy_to_rich.riccati_closure"], statement=st_).passed
    # without the balance hypothesis the identity does not close
    no_balance = _mutated(
        "lazy_to_rich.riccati_closure", 2, lambda r: lazyrich.hypothesis(r.lhs, 2 * S.lam * Identity(S.N_h))
    )
    c = REGISTRY["lazy_to_rich.riccati_closure"]
    assert c.symbolic(no_balance).failing()


def test_fukumizu_with_wrong_bracket_rate_fails():
    from derivations.lazy_to_rich import riccati as R

    c = REGISTRY["lazy_to_rich.fukumizu_solution"]
    st_ = _mutated(
        "lazy_to_rich.fukumizu_solution", 2, lambda r: lazyrich.definition(r.lhs, r.rhs + R.Q0.T * R.Finv * R.Q0)
    )
    assert c.symbolic(st_).failing()
    assert not run_claim(c, statement=st_).passed


def test_transition_with_corrupted_coefficient_fails():
    from sympy.polys.domains import QQ

    from derivations.lazy_to_rich import aligned as A

    gamma = lazyrich.substitutions(lazyrich.split_statement(A.transition_function.statements()).definitions)[
        A.gamma_sym
    ]
    g = A.transition_ring(gamma)
    E_, rel = g["E"], g["rel"]
    # lambda^2/2 -> lambda^2/4 in gamma's numerator adds a multiple of E/Dg, a homogeneous solution of
    # tau ds/dt = K (s~ - s) for the given K: the linear residual alone cannot see it, K^2 = l^2 + 4 s^2 and gamma(0) = 0 do
    Ng_bad = g["Ng"] + (g["lam"] ** 2) * E_ * QQ(1, 4)
    Ns_bad = g["Dg"] * g["s0"] + Ng_bad * (g["st"] - g["s0"])
    r_ode = (
        -2 * g["mu"] * E_ * (Ns_bad.diff(E_) * g["Dg"] - Ns_bad * g["Dg"].diff(E_)) * g["Dk"]
        - g["Nk"] * (g["st"] * g["Dg"] - Ns_bad) * g["Dg"]
    )
    r_rate = g["Nk"] ** 2 * g["Dg"] ** 2 - (g["lam"] ** 2 * g["Dg"] ** 2 + 4 * Ns_bad**2) * g["Dk"] ** 2
    assert r_ode.rem([rel]) == 0
    assert r_rate.rem([rel]) != 0
    assert Ng_bad.subs(E_, 1).rem([rel]) != 0
    # the same corruption in the statement is caught by the claim
    bad = gamma.subs(A.lam**2 / 2, A.lam**2 / 4)
    st_ = _mutated("lazy_to_rich.transition_function", 1, lambda r: lazyrich.definition(r.lhs, bad))
    assert not run_claim(A.transition_function, statement=st_).passed


def test_spectrum_with_swapped_eigenvector_fails():
    from derivations.lazy_to_rich import spectrum as R
    from derivations.lazy_to_rich import symbols as S

    F2 = R.mode_matrix(S.lam_u, S.s_u)
    wrong = sp.Matrix([S.b_u, S.a_u])  # a and b swapped
    assert any(sp.cancel(e) != 0 for e in F2 * wrong - S.mu * wrong)
    st_ = _mutated(
        "lazy_to_rich.spectrum_of_F",
        9,
        lambda r: lazyrich.equation(R.mode_matrix(S.lam, S.s_t) * sp.Matrix([R.b_sym, R.a_sym]), r.rhs),
    )
    assert not run_claim(R.spectrum_of_F, statement=st_).passed


def test_a_false_claim_is_reported_as_failing():
    x = sp.Symbol("x")
    c = Claim("lazy_to_rich.corrupt", "wrong", Source("lazy_to_rich", "test"), statement=[sp.Eq(x, x)])
    from derivations.lazy_to_rich import symbols as S

    c.symbolic_check(lambda: Proof(residuals=[S.s_u**2 + S.lam_u**2 / 4 - S.mu**2 + 1]))
    assert run_claim(c).symbolic.status == "fail"


def test_balance_rule_is_needed_for_the_square_root_identity():
    from derivations.lazy_to_rich import aligned as A
    from derivations.lazy_to_rich import symbols as S

    C = A.W2m * A.W2m.T - S.lam / 2 * Identity(S.N_h)
    r = S.mat_sub(C * C, A.W2m * A.W1m * (A.W2m * A.W1m).T + S.lam**2 / 4 * Identity(S.N_h))
    balance = RewriteRule(A.W2m.T * A.W2m, A.W1m * A.W1m.T + S.lam * Identity(S.N_h))
    assert canonicalize(r, rules=(balance,)).is_zero()
    assert not canonicalize(r).is_zero()


# ------------------------------------------------------------------ independent routes agree on generated cases
lams = st.floats(-4.0, 4.0).map(lambda v: round(v, 3))


@settings(deadline=None)
@given(s0=st.floats(0.01, 2.0), st_=st.floats(0.2, 3.0), lm=lams, x=st.floats(0.0, 8.0))
@example(s0=0.05, st_=1.7, lm=0.0, x=3.0)
def test_transition_closed_form_matches_fukumizu_mp(s0, st_, lm, x):
    # engine gamma form vs 2x2 Fukumizu form at 40 digits: the two formulas share nothing but the ODE
    got = lazyrich.aligned_singular_value(x, s0, st_, lm)
    ref = L.aligned_fukumizu_mp(x, s0, st_, lm)
    # the engine's derived float64 bound (FLOAT64_ULPS ulp relative, lazyrich._exact.scalar_mode), the reference's
    # rounding to float64 (u) and its 40-digit accuracy (eps**0.8 at 40 digits, no cancellation for s0, s~ > 0)
    scale = max(abs(got), abs(ref))
    tol = FLOAT64_ULPS * lazyrich.FLOAT64_EPS * scale + lazyrich.FLOAT64_EPS / 2 * abs(ref)
    assert abs(got - ref) <= tol + lazyrich.mp_tolerance(40) * max(st_, s0)


@settings(deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    dims=st.sampled_from([(3, 2, 2), (2, 2, 3), (3, 3, 3), (2, 3, 4), (4, 3, 2)]),
    lm=lams,
)
@example(seed=0, dims=(3, 3, 3), lm=0.0)
def test_fukumizu_direct_matches_mp_at_moderate_t(seed, dims, lm):
    ni, nh, no = dims
    if nh > min(ni, no) and lm * (no - ni) < 0:
        lm = -lm  # N_h > m forces sgn(lambda) = sgn(N_o - N_i) (claim 21): build a valid case, no filtering
    rng = np.random.default_rng(seed)
    syx = L.random_task(rng, ni, no)
    W1v, W2v = L.balanced_pair(rng, ni, nh, no, lm)
    # Operation count (one eps per rounding of an inner product of length k: k; every |.| product below is bounded
    # entrywise by the 2-norms, Cauchy-Schwarz on rows of orthogonal factors): W1 = (R S1) V^T: 1 + N_i, its Gram
    # N_i, the defect of V^T V = I (Householder QR, N_i); W2 = (U S2) R^T: 1 + N_h, Gram N_o, the defect of U (N_o);
    # s2^2 - s1^2 = lambda from sqrt(lambda^2 + 4 s^2) -+ lambda: 10 roundings (lambda^2, s^2, +, sqrt, -+, sqrt,
    # squared twice) on root + |lambda|; R lambda R^T against lambda I: the defect of R (N_h)
    scale = np.linalg.norm(W1v, 2) ** 2 + np.linalg.norm(W2v, 2) ** 2 + abs(lm)
    balance = np.abs(W2v.T @ W2v - W1v @ W1v.T - lm * np.eye(nh)).max()
    n_ops = (1 + 3 * ni) + (1 + nh + 2 * no) + 10 + nh
    assert balance <= lazyrich.linalg_tolerance(1.0, n_ops) * scale
    ev = np.linalg.eigvalsh(L.f_matrix(syx, lm))
    n_fk = ni + no
    t = 1.0
    kappa = math.exp(2 * (ev[-1] - ev[0]) * t)
    ref = L.fukumizu_mp(syx, W1v, W2v, lm, t, dps=30 + int(2 * (ev[-1] - ev[0]) * t / math.log(10)))
    got = L.fukumizu_direct(syx, W1v, W2v, lm, t)
    # kappa: the growth of the intermediates e^{F t} (Y twice, M ~ e^{2 ev_max t}) over the result. Operation count,
    # n = N_i + N_o: eigh (backward error and the defect of O O^T = I: 2n) seen by e^{ev t} (the exponent moves by
    # t |ev|_max n eps: t |ev|_max n); Y = O e^{ev t} O^T Q0: exp (2 LIBM_ULPS), scaling (1), two products (2n),
    # twice in Y M^-1 Y^T; M = I + Q0^T O g O^T Q0 / 2: g = expm1(2 ev t) / ev (2 LIBM_ULPS + 2), three products
    # (3n), + I (1); the solve (LU, Higham (2002), Thm 9.4: 3 N_h) and the last product (N_h)
    ev_t = t * np.abs(ev).max()
    y_ops = 2 * n_fk + ev_t * n_fk + 2 * LIBM_ULPS + 1 + 2 * n_fk
    m_ops = 2 * n_fk + ev_t * n_fk + 2 * LIBM_ULPS + 2 + 3 * n_fk + 1
    n_ops = 2 * y_ops + m_ops + 4 * nh
    assert np.abs(got - ref).max() <= lazyrich.linalg_tolerance(kappa, n_ops) * np.abs(ref).max()


def _svd_defects(syx):
    """``(e_A, e_U, e_V)``: Frobenius norms of ``U s V^T - Sigma_yx``, ``U^T U - I`` and ``V^T V - I`` for the float64
    SVD that :func:`derivations.lazy_to_rich.reference.limit_qqt` takes (the same call, so the same factors),
    evaluated at 40 digits from the float64 factors: LAPACK's backward error and orthogonality, measured rather
    than assumed (its constants are unspecified, LAPACK Users' Guide, Sec. 4.9)."""
    import mpmath

    U, s, Vt = np.linalg.svd(syx, full_matrices=False)
    with mpmath.workdps(40):
        Um, Vm, Am = (mpmath.matrix(x.tolist()) for x in (U, Vt.T, syx))
        Sm = mpmath.diag([mpmath.mpf(float(x)) for x in s])
        eye = mpmath.eye(len(s))
        return tuple(float(mpmath.mnorm(x, "f")) for x in (Um * Sm * Vm.T - Am, Um.T * Um - eye, Vm.T * Vm - eye))


@settings(deadline=None)
@given(seed=st.integers(0, 2**32 - 1), dims=st.sampled_from([(3, 3), (4, 2), (2, 5), (1, 3)]), lm=lams)
def test_limit_is_a_stationary_point_with_the_task_as_network(seed, dims, lm):
    ni, no = dims
    rng = np.random.default_rng(seed)
    syx = L.random_task(rng, ni, no)
    P = L.limit_qqt(syx, lm)
    F = L.f_matrix(syx, lm)
    n, m = ni + no, min(ni, no)
    e_a, e_u, e_v = _svd_defects(syx)
    e = max(e_u, e_v)
    s = np.linalg.svd(syx, full_matrices=False)[1]  # the same call as limit_qqt: the same s
    sl = float(np.sqrt(s[0] ** 2 + lm**2 / 4))
    # Derived here: P = Q M Q^T with Q = diag(V, U) (Q^T Q = I + E, |E| <= e) and M = [[a, s], [s, c]] per mode,
    # a, c = sl -+ lam/2, |M|_2 = a + c = 2 sl (det = 0). With Sigma_yx = U s V^T + dA: F Q = Q G + D, G = [[-lam/2,
    # s], [s, lam/2]] (|G|_2 = sl), |D| <= s_max (|U| e_V + |V| e_U) + e_A (|U| + |V|), |U|, |V| <= sqrt(1 + e); so
    # FP + PF - PP = Q (G M + M G - M^2) Q^T + D M Q^T + Q M D^T - Q M E M Q^T, where G M + M G - M^2 = 0 for the
    # exact a, c and the computed ones are off by delta <= gamma_5 (sl + |lam|/2) (s^2, lam^2/4, +, sqrt, -+),
    # which moves it by <= (2 |G| + 2 |M| + delta) delta = (6 sl + delta) delta.
    # Float64 formation of P: gamma_{m+1} per entry of |Q| |M| |Q|^T <= |M| (1 + e) (Cauchy-Schwarz), n of them
    # in a 2-norm, seen through F - P; the residual's own products FP, PF, PP (n each) and two sums
    delta = gamma(5) * (sl + abs(lm) / 2)
    q2, norm_m = 1 + e, 2 * sl
    d = s[0] * np.sqrt(q2) * (e_u + e_v) + 2 * e_a * np.sqrt(q2)
    exact_part = q2 * (6 * sl + delta) * delta + 2 * d * norm_m * np.sqrt(q2) + q2 * norm_m**2 * e
    dp = n * gamma(m + 1) * norm_m * q2
    norm_f, norm_p = np.linalg.norm(F, 2), np.linalg.norm(P, 2)
    formation = 2 * (norm_f + norm_p) * dp + dp**2
    products = gamma(n + 2) * (2 * norm_f * norm_p + norm_p**2)
    tol = exact_part + formation + products
    # (1 + gamma_32): the float64 evaluation of tol itself (<= 32 roundings, all terms positive)
    assert np.abs(F @ P + P @ F - P @ P).max() <= tol * (1 + gamma(32))
    # the block is (U * s) @ V^T: the SVD's backward error e_A and the product's rounding gamma_{m+1} |U| s |V|^T
    # <= gamma_{m+1} s_max (1 + e) (Cauchy-Schwarz on rows of U and V)
    assert np.abs(P[ni:, :ni] - syx).max() <= (e_a + gamma(m + 1) * s[0] * q2) * (1 + gamma(4))


@settings(deadline=None)
@given(seed=st.integers(0, 2**32 - 1), dims=st.sampled_from([(3, 3), (5, 2), (2, 5)]), t=st.floats(0.1, 3.0))
def test_braun_form_matches_mp_fukumizu_at_lambda_zero(seed, dims, t):
    ni, no = dims
    m = min(ni, no)
    rng = np.random.default_rng(seed)
    syx = L.random_task(rng, ni, no)
    W1v, W2v = L.balanced_pair(rng, ni, m, no, 0.0)
    if ni == no and np.linalg.det(W2v @ W1v) * np.linalg.det(syx) < 0:
        syx[0] *= -1  # q+ invertible needs matching signs (claim 10): construct the valid case
    q = L.q_plus(syx, W1v, W2v, 0.0)
    kappa = np.linalg.cond(q) ** 2
    ev = np.linalg.eigvalsh(L.f_matrix(syx, 0.0))
    ref = L.fukumizu_mp(syx, W1v, W2v, 0.0, t, dps=30 + int(2 * (ev[-1] - ev[0]) * t / math.log(10)))
    got = L.braun_zero_balanced(syx, W1v, W2v, t)
    # kappa = cond(q+)^2: B = U^T Um + V^T Vm is inverted and enters twice. Operation count, n = N_i + N_o: the two
    # SVDs (Sigma_yx and W2 W1: 3n each, with W2 W1's product m), B and C (n + 1), inv(B) (LU: 3m), E = exp(-s t)
    # (2 LIBM_ULPS + 1); the centre's longest chain E B^-1 C (E^2 - I) S^-1 C^T B^-T E (8 products of m, 3 more
    # roundings) and its 4 x-term (V^T Vp Vp^T V: 2n more) summed (3); Z (4m + 2n + 2); the solve (3m) and Z (m)
    n = ni + no
    n_ops = 6 * n + m + (n + 1) + 3 * m + 2 * LIBM_ULPS + 1 + (8 * m + 3 + 2 * n + 3) + (4 * m + 2 * n + 2) + 4 * m
    assert np.abs(got - ref).max() <= lazyrich.linalg_tolerance(kappa, n_ops) * np.abs(ref).max()
