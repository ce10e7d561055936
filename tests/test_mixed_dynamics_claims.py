"""Claims of Tu, Aranguri, Jacot (``derivations/mixed_dynamics/``): each passes on its own statement, mutated
statements fail, and the identities hold on cases generated from known solutions (aligned SVDs, lambda-balanced
pairs, the width-2d manifold)."""

import dataclasses

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sympy import Identity, MatrixSymbol

from derivations.mixed_dynamics import reference as ref
from derivations.mixed_dynamics import self_consistent, symbols
from helpers import seeds
from lazyrich import (
    FLOAT64_EPS,
    REGISTRY,
    DeepLinearModel,
    gradient_flow,
    matrix_with_singular_values,
    mixed_aligned_singular_value,
    mp_tolerance,
    ode_global_tolerance,
    random_orthogonal,
    run_claim,
)
from lazyrich._tools.mutate import mutants

CLAIMS = [c for c in REGISTRY if c.paper == "mixed_dynamics"]
HEURISTIC = {
    "early_phase",
    "concentration",
    "approximation_law",
    "lazy_test_error",
    "active_regime",
    "stable_rank",
    "fig1_setting",
}


def test_every_claim_is_registered_and_cites_the_paper():
    assert len(CLAIMS) == len({c.id for c in CLAIMS}) == 33
    for c in CLAIMS:
        assert c.source.where and "§" not in c.source.where, c.id
        assert "digest" not in (c.source.where + c.source.note).lower(), c.id
    assert {c.id.split(".")[1] for c in CLAIMS if c.heuristic} == HEURISTIC
    for c in CLAIMS:
        if c.heuristic:
            assert "heuristic, not proven" in c.source.note


@pytest.mark.parametrize("c", CLAIMS, ids=lambda c: c.id)
def test_claim_passes_on_its_own_statement(c):
    result = run_claim(c)
    assert result.passed, (result.symbolic.detail, result.numeric.detail)
    assert result.symbolic.status == "pass" or result.numeric.status == "pass"
    assert c.statements() and all(sp.latex(x) for x in c.statements())
    assert not any(isinstance(x, sp.logic.boolalg.BooleanAtom) for x in c.statements())
    if not c.heuristic and result.symbolic.status == "pass":
        assert result.established == "symbolic, general shape", c.id


def _killed(c, statement) -> bool:
    """The claim fails on ``statement``: its symbolic check alone first (cheap), then all its checks."""
    if c.symbolic is not None and not run_claim(dataclasses.replace(c, numeric=None), statement=statement).passed:
        return True
    return not run_claim(c, statement=statement).passed


@pytest.mark.parametrize("c", [c for c in CLAIMS if mutants(c.statements())], ids=lambda c: c.id)
def test_mutated_statements_fail(c):
    # a deterministic sample: the first, the middle and the last mutant that is not listed as equivalent
    ms = [m for m in mutants(c.statements()) if m.label not in c.equivalent]
    sample = {ms[0].label: ms[0], ms[len(ms) // 2].label: ms[len(ms) // 2], ms[-1].label: ms[-1]}
    for m in sample.values():
        assert _killed(c, list(m.statement)), (c.id, m.label, m.description)


# ----------------------------------------------------------------- the named mutants
def _replace_in(statement, i, old, new):
    out = list(statement)
    out[i] = out[i].xreplace({old: new})
    return out


def test_two_c_squared_is_refuted_in_eq1_and_the_manifold():
    c = symbols.c
    for cid in ("mixed_dynamics.eq1", "mixed_dynamics.exact_manifold"):
        claim = REGISTRY[cid]
        st_ = claim.statements()
        hyp = next(i for i, r in enumerate(st_) if r.rhs == c**2 * symbols.I_i)
        root = next(i for i, r in enumerate(st_) if r.lhs == symbols.P)
        assert _killed(claim, _replace_in(st_, hyp, c**2, 2 * c**2)), cid
        assert _killed(claim, _replace_in(st_, root, c**2, 2 * c**2)), cid


def test_c_equal_lambda_is_refuted_in_lambda_balanced():
    claim = REGISTRY["mixed_dynamics.lambda_balanced"]
    st_ = claim.statements()
    lam = symbols.lam
    roots = [i for i, r in enumerate(st_) if r.lhs in (symbols.P, symbols.Q)]
    mutated = list(st_)
    for i in roots:  # eq. (1) with c = lambda instead of lambda/2
        mutated[i] = mutated[i].xreplace({lam**2 / 4: lam**2})
    assert mutated != st_
    assert _killed(claim, mutated)


def test_central_statement_is_eq1():
    st_ = REGISTRY["mixed_dynamics.eq1"].statements()
    (eq,) = [x for x in st_ if isinstance(x.lhs, sp.Derivative) and x.lhs.expr == symbols.A]
    assert {"P", "Q", "G"} <= {m.name for m in eq.atoms(MatrixSymbol)}
    roots = [x for x in st_ if x.lhs in (symbols.P, symbols.Q)]
    assert all(symbols.c in r.free_symbols and r.rhs.has(Identity) for r in roots)


# ----------------------------------------------------------------- independent routes
@pytest.mark.parametrize(
    "s0, st_, c, t",
    [(0.3, 2.0, 0.5, 1.5), (-1.0, 2.0, 0.5, 0.7), (3.0, 1.0, 0.1, 2.0), (-2.0, -1.0, 0.7, 1.0), (0.0, 5.0, 1e-3, 0.6)],
)
def test_float64_closed_form_matches_the_taylor_ode_solver(s0, st_, c, t):
    """float64 mixed_aligned_singular_value against mp.odefun (a Taylor-series ODE solver at 30 digits, independent
    of the closed form). Bound: the exponent 2Rt carries a relative error eps 2Rt, the rearranged form O(10)
    roundings of size eps max(|s0|, |s*|, c): 16 eps (1 + 2Rt) max(...), plus the solver's eps_30^0.8."""
    with mp.workdps(30):
        f = mp.odefun(lambda _t, y: 2 * mp.sqrt(y * y + mp.mpf(c) ** 2) * (mp.mpf(st_) - y), 0, mp.mpf(s0))
        exact = float(f(mp.mpf(t)))
    R = np.hypot(st_, c)
    tol = 16 * FLOAT64_EPS * (1 + 2 * R * t) * max(abs(s0), abs(st_), c) + mp_tolerance(30)
    assert abs(float(mixed_aligned_singular_value(t, s0, st_, c)) - exact) <= tol


def test_gaussian_offsets_are_not_exact_but_close():
    """The offset W1^T Lambda W1 at Gaussian init has the mean sigma^4 w (w + d_in + 1 - d_out) I (init_offsets), so
    over c^2 = (sigma^2 w)^2 it is I + (d_in + 1 - d_out)/w I: close to the manifold (O(1/w)) but not on it. Both
    held by Monte Carlo (Bartlett sampler) to 5 standard errors (CLT), no hand-set window."""
    rng = np.random.default_rng(3)
    d_in, d_out, w, n = 4, 2, 100, 4000
    W1b, W2b = ref.batched_bartlett(d_in, d_out, w, 1.0 / w, n, rng)
    Lb = W1b @ np.swapaxes(W1b, 1, 2) - np.swapaxes(W2b, 1, 2) @ W2b
    off = np.swapaxes(W1b, 1, 2) @ Lb @ W1b  # c = sigma^2 w = 1
    tr = np.einsum("kii->k", off) / d_in  # the mean of the diagonal, per sample
    mean, se = tr.mean(), tr.std(ddof=1) / np.sqrt(n)
    predicted = 1 + (d_in + 1 - d_out) / w
    assert abs(mean - predicted) <= 5 * se  # close: the derived mean
    assert abs(mean - 1) > 5 * se  # not exact: c^2 I is off by 3/w, resolved


def test_tail_with_abs_k0_has_wrong_sign_above_target():
    with mp.workdps(40):
        s0, ss, c = mp.mpf(3), mp.mpf(1), mp.mpf(2)
        R = mp.sqrt(ss**2 + c**2)
        v0 = (s0 + mp.sqrt(s0**2 + c**2)) / c
        K = (v0 - (ss + R) / c) / (v0 - (ss - R) / c)
        t = 12 / R
        gap = ss - ref.mp_aligned(t, s0, ss, c)
        lead = 2 * R**2 / (ss + R) * mp.exp(-2 * R * t)
        assert K > 0
        assert abs(gap / (lead * abs(K)) + 1) < 10 * abs(K) * mp.exp(-2 * R * t)  # |K0| form: ratio -1
        assert abs(gap / (-lead * K) - 1) < 10 * abs(K) * mp.exp(-2 * R * t)  # corrected form: ratio 1


def test_corrupted_eq1_misses_the_manifold_flow():
    # c instead of c^2 under the square root: the weight flow on the width-2d manifold no longer matches
    rng = np.random.default_rng(5)
    d, cv = 2, 2.0
    T = matrix_with_singular_values((d, d), [1.5, 0.6], rng)
    A0 = matrix_with_singular_values((d, d), [0.3, 0.1], rng)
    times = np.linspace(0.0, 1.0, 5)
    traj = gradient_flow(DeepLinearModel(T), ref.manifold_init(A0, cv), times)
    A_w = np.einsum("kij,kjl->kil", traj["W2"], traj["W1"])
    good, n_e, atol_e, sc_e = ref.eq1_flow(A0, T, cv, times)
    bad = ref.eq1_flow(A0, T, np.sqrt(cv), times)[0]
    tol = 2 * traj.scale * ode_global_tolerance(traj.n_steps, traj.rtol, traj.atol, traj.scale)
    tol += ode_global_tolerance(n_e, ref.RTOL, atol_e, sc_e)
    assert np.abs(A_w - good).max() <= tol
    assert np.abs(A_w - bad).max() > 1e3 * tol


# ----------------------------------------------------------------- cases generated from known solutions
dims = st.integers(1, 5)


@given(dims, dims, seeds, st.floats(1e-3, 1e2))
@example(1, 1, 0, 1e-3).via("scalar, tiny threshold")
@settings(deadline=None)
def test_aligned_eq1_velocity_is_diagonal_in_the_target_basis(m, n, seed, cv):
    rng = np.random.default_rng(seed)
    k = min(m, n)
    U, V = random_orthogonal(m, rng), random_orthogonal(n, rng)
    s, st_ = rng.uniform(-2, 2, k), rng.uniform(0, 3, k)
    S, St = np.zeros((m, n)), np.zeros((m, n))
    S[range(k), range(k)], St[range(k), range(k)] = s, st_
    vel = ref.eq1_velocity(U @ S @ V.T, U @ St @ V.T, cv)
    D = np.zeros((m, n))
    D[range(k), range(k)] = 2 * np.sqrt(s**2 + cv**2) * (st_ - s)
    scale = (np.sqrt(4 + cv**2)) * 5
    assert np.abs(vel - U @ D @ V.T).max() <= 64 * max(m, n) * FLOAT64_EPS * scale


@given(st.floats(-3, 3), st.floats(0, 3), st.floats(1e-3, 10), st.floats(0.01, 2))
@example(0.0, 1.0, 1e-3, 1.0).via("start at zero")
@example(2.0, 1.0, 5.0, 0.5).via("above the target, lazy")
@settings(deadline=None)
def test_closed_form_solves_the_aligned_ode(s0, ss, cv, tv):
    with mp.workdps(30):
        a, b, c, t = (mp.mpf(x) for x in (s0, ss, cv, tv))
        s = ref.mp_aligned(t, a, b, c)
        lhs = mp.diff(lambda x: ref.mp_aligned(x, a, b, c), t)
        rhs = 2 * mp.sqrt(s**2 + c**2) * (b - s)
        assert abs(lhs - rhs) <= mp.mpf(10) ** -20 * (1 + abs(a) + b + c) ** 2
        assert abs(ref.mp_aligned(0, a, b, c) - a) <= mp.mpf(10) ** -25 * (1 + abs(a))


@given(dims, dims, seeds, st.floats(0.05, 5.0))
@example(1, 1, 0, 0.05).via("scalar")
@settings(deadline=None)
def test_lambda_balanced_pairs_have_the_shifted_roots(d_out, d_in, seed, lam):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((d_out, d_in))
    w1, w2 = ref.lambda_balanced_pair(A, lam, rng)
    X, Y = w1.T @ w1, w2 @ w2.T
    tol = 1e-10 * (1 + lam + np.abs(A).max() ** 2)  # one inverse and two eigh of condition <= |A|^2/lam + 1
    assert np.abs(w1 @ w1.T - w2.T @ w2 - lam * np.eye(d_in)).max() <= tol
    assert np.abs(X - lam / 2 * np.eye(d_in) - ref.psd_sqrt(A.T @ A + lam**2 / 4 * np.eye(d_in))).max() <= tol
    assert np.abs(Y + lam / 2 * np.eye(d_out) - ref.psd_sqrt(A @ A.T + lam**2 / 4 * np.eye(d_out))).max() <= tol


@given(st.integers(1, 4), seeds, st.floats(0.1, 5.0))
@settings(deadline=None)
def test_manifold_construction_sits_on_the_manifold(d, seed, cv):
    rng = np.random.default_rng(seed)
    A0 = matrix_with_singular_values((d, d), rng.uniform(0.05, 2.0, d), rng)
    w1, w2 = ref.manifold_init(A0, cv)
    lam = w1 @ w1.T - w2.T @ w2
    scale = (cv**2 + 4) * 64 * d * FLOAT64_EPS
    assert w1.shape == (2 * d, d) and w2.shape == (d, 2 * d)
    assert np.abs(w2 @ w1 - A0).max() <= scale
    assert np.abs(w1.T @ lam @ w1 - cv**2 * np.eye(d)).max() <= scale * (cv**2 + 4)
    assert np.abs(-w2 @ lam @ w2.T - cv**2 * np.eye(d)).max() <= scale * (cv**2 + 4)


def test_lambda_balanced_weight_flow_follows_the_statement_rectangular():
    # w = d_in = 2 < d_out = 4: the statement's eq. (1) with c = lambda/2 along the weights' flow
    rng = np.random.default_rng(9)
    A0 = 0.2 * rng.standard_normal((4, 2))
    T = matrix_with_singular_values((4, 2), [2.0, 0.8], rng)
    w1, w2 = ref.lambda_balanced_pair(A0, 1.2, rng)
    r = symbols.read(REGISTRY["mixed_dynamics.lambda_balanced"].statements())
    delta = 2 * float(np.abs(w1 @ w1.T - w2.T @ w2 - 1.2 * np.eye(2)).max())
    ms = self_consistent.flow_follows_statement(r, T, w1, w2, 0.6, np.linspace(0.0, 1.0, 4), "4x2", delta)
    assert all(m.passed for m in ms), [m for m in ms if not m.passed]
