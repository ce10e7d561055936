"""Claims of Kunin et al. (derivations/get_rich_quick/): each passes, corrupted statements fail, known solutions hold.

* every claim of the package passes its checks on its own statement and its statement exports to LaTeX;
* corrupted statements (swapped kappa +- delta in eq. (4), (kappa + delta) in eq. (2), (kappa - 3 delta) in the
  potential of Thm 3.1, m = e^{+delta t} S in the closed form, an even parity step in Prop. C.2, the D.1 typo
  delta^2, and a sample of the mutation operators' mutants for every claim) fail through
  ``run_claim(claim, statement=...)``; the Lemma B.8 typo exponent d, the wrong root of the steady state, the
  notebook's kernel-distance normaliser and a flipped basin sign disagree with independent computations;
* Hypothesis cases built from known solutions: fixed points from the steady-state formula, the
  closed form against the flow's right-hand side by mpmath differentiation, the balanced formulas.

Tolerances: mpmath eps**0.8 at the working precision (halved digits where mp.diff differentiates),
the solver-derived ODE bound for float64 trajectories, and a few eps for float64 identities.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st

from derivations import get_rich_quick as grq
from derivations.get_rich_quick.reference import closed_form, init_with_delta, whitened_model
from helpers import seeds
from lazyrich import (
    FLOAT64_EPS,
    Claim,
    Measurement,
    SingleNeuronModel,
    Source,
    gradient_flow,
    mp_tolerance,
    ode_global_tolerance,
    run_claim,
)
from lazyrich._claims.model import takes_statement
from lazyrich._tools.mutate import mutants

OWN_ALL = [getattr(grq, n) for n in grq.__all__ if isinstance(getattr(grq, n), Claim)]
OWN = [c for c in OWN_ALL if c.id != "get_rich_quick.conservation_delta"]


@pytest.mark.parametrize("c", OWN_ALL, ids=[c.id for c in OWN_ALL])
def test_claim_passes_on_its_own_statement_and_exports(c):
    assert all(takes_statement(f) for f in (c.symbolic, c.numeric) if f is not None), "a check ignores the statement"
    result = run_claim(c, statement=list(c.statement()))
    assert result.symbolic.status == "pass", result.symbolic.detail
    assert result.numeric.status == "pass", result.numeric.detail
    st_ = c.statements()
    assert st_ and all(isinstance(sp.latex(x), str) for x in st_)
    assert c.source.paper == "get_rich_quick" and c.id.startswith("get_rich_quick.")


def test_every_paper_typo_is_stated_in_a_source_note():
    notes = {c.id: c.source.note for c in OWN}
    assert "typo" in notes["get_rich_quick.lemma_b8"]
    assert "typo" in notes["get_rich_quick.fig1_parametrization"]
    assert "typo" in notes["get_rich_quick.kernel_distance"]


# ------------------------------------------------------------------ corrupted statements are reported false
def _swap(statement, index, old, new):
    """The statement with ``old`` replaced by ``new`` in relation ``index`` (the mutant must differ)."""
    out = list(statement)
    rel = out[index]
    out[index] = type(rel)(rel.lhs.xreplace({old: new}), rel.rhs.xreplace({old: new}), evaluate=False)
    assert out[index] != rel
    return out


def _fails(c, statement) -> bool:
    return not run_claim(c, statement=statement).passed


def _relation(c, predicate):
    return next(i for i, rel in enumerate(c.statement()) if predicate(rel))


@pytest.mark.parametrize("factor", [3, -1])
def test_theorem_3_1_potential_with_wrong_delta_coefficient_fails(factor):
    kap, dl = sp.Symbol("kappa", positive=True), sp.Symbol("delta", real=True)
    for c in (grq.theorem_3_1, grq.implicit_bias_potential):
        st_ = list(c.statement())
        i = _relation(c, lambda r: r.rhs.has(sp.sqrt(kap + dl)) and type(r).__name__ == "Definition")
        assert _fails(c, _swap(st_, i, kap - 2 * dl, kap - factor * dl)), c.id


def test_eq4_with_swapped_coefficients_fails():
    c = grq.eq4_preconditioner
    kap, dl = sp.Symbol("kappa", positive=True), sp.Symbol("delta", real=True)
    st_ = list(c.statement())
    i = _relation(c, lambda r: type(r) is sp.Equality and r.rhs.has(sp.Identity))
    rel = st_[i]
    st_[i] = sp.Eq(rel.lhs, rel.rhs.xreplace({(kap + dl) / 2: (kap - dl) / 2}), evaluate=False)
    assert st_[i] != rel and _fails(c, st_)


def test_eq2_with_wrong_denominator_fails():
    c = grq.eq2_mu_phi
    kap, dl = sp.Symbol("kappa", positive=True), sp.Symbol("delta", real=True)
    st_ = list(c.statement())
    assert _fails(c, _swap(st_, len(st_) - 1, kap - dl, kap + dl))


def test_closed_form_with_wrong_sign_of_m_fails():
    c = grq.closed_form_flow
    dl, t = sp.Symbol("delta", real=True), sp.Symbol("t", real=True)
    st_ = list(c.statement())
    i = _relation(c, lambda r: str(r.lhs) == "m")
    assert _fails(c, _swap(st_, i, sp.exp(-dl * t), sp.exp(dl * t)))


def test_prop_c2_with_an_even_step_fails():
    c = grq.prop_c2
    st_ = list(c.statement())
    n, n1 = st_[0].lhs, st_[0].rhs
    st_[0] = type(st_[0])(n, n1 + 1, evaluate=False)  # n' = n + 2 - 2 s_k: the parity would not change
    assert _fails(c, st_)


def test_d1_delta_squared_typo_fails():
    c = grq.fig1_parametrization
    st_ = list(c.statement())
    i = _relation(c, lambda r: type(r) is sp.Equality and r.lhs == sp.Symbol("delta", real=True))
    st_[i] = sp.Eq(st_[i].lhs ** 2, st_[i].rhs, evaluate=False)
    assert _fails(c, st_)


def test_a_sample_of_mutants_fails_for_every_claim():
    """One mutant per claim (from the middle of its statement), not listed as equivalent, must fail."""
    for c in OWN_ALL:
        candidates = [m for m in mutants(list(c.statement())) if m.label not in c.equivalent]
        assert candidates, c.id
        m = candidates[len(candidates) // 2]
        assert not run_claim(c, statement=m.statement).passed, (c.id, m.label, m.description)


@pytest.mark.parametrize("L", [1, 2, 3])
def test_lemma_b8_printed_exponent_d_is_wrong(L):
    h = 4  # d = h for the lemma; the printed exponent d differs from L here
    rng = np.random.default_rng(L)
    a = sp.Matrix([sp.Rational(int(v), 7) for v in rng.integers(-9, 10, h)])  # exact rational arithmetic
    dl = sp.Rational(-int(rng.integers(1, 9)), 5)
    n2 = (a.T * a)[0]
    lhs = (a.T * (a * a.T - dl * sp.eye(h)) ** L * a)[0]
    assert lhs - n2 * (n2 - dl) ** L == 0
    assert lhs - n2 * (n2 - dl) ** h != 0


def test_wrong_steady_state_root_fails_against_simulation():
    rng = np.random.default_rng(5)
    bs = rng.standard_normal(3)
    s = float(np.linalg.norm(bs))
    dl = -1.3
    a0, w0 = init_with_delta(0.9, bs + rng.standard_normal(3), dl)
    tr = gradient_flow(whitened_model(bs), (a0, w0), [0.0, 60.0])
    tol = ode_global_tolerance(tr.n_steps, tr.rtol, tr.atol, tr.scale) * 2 * tr.scale
    a_inf2 = float(tr["a"][-1] ** 2)
    assert abs(a_inf2 - (dl + np.hypot(dl, 2 * s)) / 2) <= tol
    assert abs(a_inf2 - (-dl + np.hypot(dl, 2 * s)) / 2) > 100 * tol  # the other root


def test_flipped_basin_sign_disagrees_with_simulation():
    rng = np.random.default_rng(9)
    right = wrong = 0
    for _ in range(8):
        bs = rng.standard_normal(2)
        s = float(np.linalg.norm(bs))
        dl = -rng.uniform(0.5, 4.0)
        # w0 almost orthogonal to beta_*: |w0^T beta_*| < |a0| (delta + D)/2, where the two formulas disagree
        perp = np.array([-bs[1], bs[0]])
        a0, w0 = init_with_delta(
            rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 1.0), perp + 0.05 * rng.standard_normal() * bs, dl
        )
        D = np.hypot(dl, 2 * s)
        good, bad = w0 @ bs + a0 / 2 * (dl + D), w0 @ bs - a0 / 2 * (dl + D)
        sign = np.sign(gradient_flow(whitened_model(bs), (a0, w0), [0.0, 40.0], rtol=1e-9)["a"][-1])
        right += int(sign == np.sign(good))
        wrong += int(sign != np.sign(bad))
    assert right == 8
    assert wrong == 8


def test_notebook_kernel_distance_normaliser_is_wrong():
    # the notebook's |K_t|_F uses a_0^2 instead of a_t^2; the claim's form matches simulated NTKs
    rng = np.random.default_rng(3)
    bs = rng.standard_normal(2)
    a0, w0 = init_with_delta(1.0, np.array([-1.0, 0.2]), -2.0)
    tr = gradient_flow(whitened_model(bs), (a0, w0), [0.0, 2.0])
    a, w = float(tr["a"][-1]), tr["w"][-1]
    M0, Mt = a0**2 * np.eye(2) + np.outer(w0, w0), a**2 * np.eye(2) + np.outer(w, w)
    S_direct = 1 - np.sum(M0 * Mt) / (np.linalg.norm(M0) * np.linalg.norm(Mt))
    d = 2
    tr0t = d * a0**2 * a**2 + a0**2 * w @ w + a**2 * w0 @ w0 + (w0 @ w) ** 2
    n0 = np.sqrt(d * a0**4 + 2 * a0**2 * w0 @ w0 + (w0 @ w0) ** 2)
    nt = np.sqrt(d * a**4 + 2 * a**2 * w @ w + (w @ w) ** 2)
    nt_notebook = np.sqrt(d * a**4 + 2 * a0**2 * w @ w + (w @ w) ** 2)
    assert abs(1 - tr0t / (n0 * nt) - S_direct) <= 64 * FLOAT64_EPS
    assert abs(1 - tr0t / (n0 * nt_notebook) - S_direct) > 1e-3


def test_a_corrupted_numeric_claim_is_reported_false():
    c = Claim(id="get_rich_quick.corrupted", title="t", source=Source("get_rich_quick", "test"))
    c.numeric = lambda: Measurement(1e-3, 1e-10, "corrupted closed form")
    assert run_claim(c).numeric.status == "fail"


# ------------------------------------------------------------------ known solutions (Hypothesis)
deltas = st.one_of(st.just(0.0), st.floats(-5.0, 5.0))
rates = st.floats(0.3, 3.0)


@given(seeds, st.integers(1, 4), deltas, rates, rates)
@example(seed=0, d=1, dl=0.0, ea=1.0, ew=1.0).via("scalar, balanced")
def test_steady_state_points_are_fixed_points(seed, d, dl, ea, ew):
    rng = np.random.default_rng(seed)
    bs = rng.standard_normal(d) + 0.1
    kap = np.sqrt(dl**2 + 4 * ea * ew * bs @ bs)
    # eta_w a^2 = (kappa + delta)/2, written as 2 eta_a eta_w s^2/(kappa - delta) for delta < 0 (no cancellation)
    a_sq = (kap + dl) / (2 * ew) if dl >= 0 else 2 * ea * (bs @ bs) / (kap - dl)
    a_inf = np.sqrt(a_sq) * rng.choice([-1.0, 1.0])
    w_inf = bs / a_inf
    model = SingleNeuronModel(np.eye(d), bs, ea, ew)
    va, vw = model.velocity((a_inf, w_inf))
    scale = max(1.0, abs(a_inf), float(np.abs(w_inf).max())) ** 3 * max(ea, ew)
    assert max(abs(float(va)), float(np.abs(vw).max())) <= 64 * d * FLOAT64_EPS * scale
    # and the point carries the prescribed delta (the steady-state root is the right one)
    assert abs(ew * a_inf**2 - ea * w_inf @ w_inf - dl) <= 64 * FLOAT64_EPS * max(1.0, kap)


@given(seeds, st.integers(1, 4), deltas, rates, rates, st.floats(0.0, 3.0))
@example(seed=1, d=2, dl=0.0, ea=1.0, ew=1.0, t=0.7).via("delta = 0 branch")
@example(seed=2, d=2, dl=-4.0, ea=1.0, ew=1.0, t=2.0).via("downstream")
def test_closed_form_solves_the_flow(seed, d, dl, ea, ew, t):
    rng = np.random.default_rng(seed)
    bs = rng.standard_normal(d) + 0.2
    a0 = rng.uniform(0.3, 1.5) + np.sqrt(max(dl, 0.0) / ew)
    a0, w0 = init_with_delta(a0 * rng.choice([-1.0, 1.0]), rng.standard_normal(d), dl, ea, ew)
    dps = 30
    with mp.workdps(dps):
        a_t, w_t = closed_form(a0, w0, bs, [t], ea, ew, dps=dps)

        def comp(i, digits=dps):
            def f(tt):
                A, W = closed_form(a0, w0, bs, [tt], ea, ew, dps=digits)
                return A[0] if i < 0 else W[0][i]

            return f

        a, w = a_t[0], w_t[0]
        b = [mp.mpf(float(x)) for x in bs]
        p = mp.fsum(x * y for x, y in zip(w, b))
        q = mp.fsum(x * x for x in w)
        rhs_a = ea * (p - a * q)
        rhs_w = [ew * (a * bi - a * a * wi) for bi, wi in zip(b, w)]
        h = mp.mpf(10) ** -8
        size = 1 + abs(a) + max(abs(x) for x in w)
        # central difference: |(f(t+h) - f(t-h))/(2h) - f'(t)| <= h^2/6 max_[t-h, t+h] |f'''| (Taylor) + the
        # round-off eps_30^0.8 size / h of the 30-digit closed form; max |f'''| <= |f'''(t)| + h max |f''''|, taken
        # as 2 (|f'''(t)| + h |f''''(t)|) (f analytic, h = 1e-8 against its time scale ~ 1/kappa); f''', f'''' by
        # mpmath.diff of the 60-digit closed form with step 1e-10 (round-off 1e-60/1e-40, truncation 1e-20 relative)
        for i, rhs in [(-1, rhs_a)] + [(i, rhs_w[i]) for i in range(d)]:
            fd = (comp(i)(t + h) - comp(i)(t - h)) / (2 * h)
            with mp.workdps(60):
                d3, d4 = (abs(mp.diff(comp(i, 60), t, k, h=mp.mpf(10) ** -10)) for k in (3, 4))
            assert abs(fd - rhs) <= h**2 / 3 * (d3 + h * d4) + mp_tolerance(dps) * size / h
        # initial condition, and |w|^2 vs a^2 with rates
        A0, _ = closed_form(a0, w0, bs, [0.0], ea, ew, dps=dps)
        assert abs(A0[0] - mp.mpf(float(a0))) <= mp_tolerance(dps) * size
        assert abs(
            ew * a * a
            - ea * q
            - mp.mpf(float(ew)) * mp.mpf(float(a0)) ** 2
            + mp.mpf(float(ea)) * mp.fsum(mp.mpf(float(x)) ** 2 for x in w0)
        ) <= mp_tolerance(dps) * size**2 * max(ea, ew)


@given(st.floats(-0.95, 0.95), st.floats(0.05, 3.0), st.floats(0.2, 3.0), st.floats(0.0, 4.0))
@example(phi0=0.0, mu0=0.1, s=1.0, t=1.0).via("orthogonal start")
def test_balanced_formulas_solve_the_balanced_odes(phi0, mu0, s, t):
    with mp.workdps(30):
        c = mp.atanh(phi0)

        def mu(tt):
            x = s * tt + c
            return (
                s
                * (1 + mp.cosh(2 * x))
                / (s * (1 + mp.cosh(2 * c)) / mu0 + 2 * x + mp.sinh(2 * x) - 2 * c - mp.sinh(2 * c))
            )

        def phi(tt):
            return mp.tanh(s * tt + c)

        res_mu = mp.diff(mu, t) - 2 * mu(t) * (phi(t) * s - mu(t))
        res_phi = mp.diff(phi, t) - s * (1 - phi(t) ** 2)
        assert abs(res_mu) <= mp_tolerance(15) * (1 + s) ** 3  # mp.diff keeps about half the 30 digits
        assert abs(res_phi) <= mp_tolerance(15) * (1 + s)
        assert abs(mu(0) - mu0) <= mp_tolerance(30) * (1 + mu0)


def test_redundant_neurons_break_the_parity_colouring():
    # two neurons on the same hyperplane: crossing it flips both, so adjacent regions share a parity
    rng = np.random.default_rng(4)
    W = rng.standard_normal((4, 2))
    W[1] = 2.0 * W[0]
    x = np.array([-W[0, 1], W[0, 0]])  # on the shared line
    step = 1e-6 * W[0]
    assert np.sum(W @ (x + step) > 0) % 2 == np.sum(W @ (x - step) > 0) % 2


# ---------------------------------------------------------------- the certified checks' Arb/float64 helpers
def test_rounding_bound_covers_the_notebook_inverse_cancellation_and_is_needed():
    """At alpha = 1e3 the authors' inverse sqrt((sqrt(4 + x^2) - x)/2) loses ~12 digits in float64: a fixed
    few-eps window would fail, the derived rounding-model bound holds (measured against Arb)."""
    import flint

    from derivations.rounding import float64_value, model_bound
    from lazyrich.symbolic import enclose

    x = sp.Symbol("x", real=True)
    inverse = sp.sqrt((sp.sqrt(4 + x**2) - x) / 2)
    xv = 1e6
    exact = enclose(inverse, {x: xv}, bits=200)
    err = float(exact.distance_bound(float64_value(inverse, {x: xv})).max())
    saved, flint.ctx.prec = flint.ctx.prec, 300
    try:
        bound = model_bound(inverse, {x: xv})
    finally:
        flint.ctx.prec = saved
    assert err > 1e4 * FLOAT64_EPS * float(exact.mid)
    assert err <= bound


def test_arb_square_root_contains_a_known_root():
    """sqrt(H diag(4, 9, 16, 25) H^T) = H diag(2, 3, 4, 5) H^T for the orthogonal H = Hadamard/2 (exact in binary)."""
    import flint

    from lazyrich.certified import exact_arb
    from lazyrich.symbolic import evaluate

    H = np.array([[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]]) / 2.0
    S, root = H @ np.diag([4.0, 9, 16, 25]) @ H.T, H @ np.diag([2.0, 3, 4, 5]) @ H.T
    saved, flint.ctx.prec = flint.ctx.prec, 300
    try:
        s_sym = sp.MatrixSymbol("S", 4, 4)
        enc = evaluate(s_sym**sp.S.Half, {s_sym: S}, arithmetic="arb")
        assert all(enc[i, j].contains(exact_arb(root[i, j])) for i in range(4) for j in range(4))
        # tight at the working precision: eps**0.8 of the 300-bit context (90 digits), on the scale of the root
        digits = int(flint.ctx.prec * np.log10(2.0))
        radius = max(float(enc[i, j].rad()) for i in range(4) for j in range(4))
        assert radius <= mp_tolerance(digits) * np.abs(root).max()
    finally:
        flint.ctx.prec = saved
