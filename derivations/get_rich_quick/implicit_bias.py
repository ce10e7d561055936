r"""Kunin et al. (2024), Sec. 3, Thm 3.1: the implicit bias of the single neuron, eq. (5).

With unit rates (general rates: ``delta / sqrt(eta_a eta_w)``, claim ``learning_rate_reduction``),
``kappa = sqrt(delta^2 + 4 |beta|^2)`` and ``r = |beta|``:

* the potential ``Psi_delta(beta) = (kappa - 2 delta) sqrt(kappa + delta) / 3`` is radial with
  ``Psi' = sqrt(kappa - delta)`` (so ``grad Psi = sqrt(kappa - delta) beta_hat``) and
  ``Psi'' = 2 r / (kappa sqrt(kappa - delta)) > 0``: strictly convex;
* along the flow ``kappa - delta = 2 |w|^2``, so ``grad Psi(beta(t)) = sqrt(2) sgn(a) w(t)``; the projection
  ``P w`` onto ``ker X`` is conserved (``P X^T = 0`` kills the rate of ``w``), hence
  ``P (grad Psi(beta_inf) - grad Psi(beta_0)) = 0``: with ``X beta_inf = y`` this is the KKT system of the
  strictly convex problem (5), whose unique solution is ``beta_inf`` (Thm 3.1);
* ``M^{-1} = gamma Hess Psi``, ``gamma = 2 r / ((kappa + delta) sqrt(kappa - delta))``: the flow is a
  time-warped mirror flow (derived here; Kunin et al. (2024), App. A.4);
* a one-dimensional null space has the closed form ``beta_inf = beta_mn + alpha n_hat`` (re-derived here from
  the authors' notebook; App. A.4).

Proofs reduce the statement's relations in the hyperbolic coordinates ``delta = (u^2 - v^2)/2``,
``r = u v / 2`` (``u, v > 0``; a bijection onto ``delta`` real, ``r > 0``) where ``kappa = (u^2 + v^2)/2`` and
every root is rational; the conservation of ``P w`` is proven at general shape by the matrix calculus.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import sympy as sp
from scipy.optimize import root
from sympy import Identity, MatrixSymbol, ZeroMatrix

import lazyrich
from lazyrich import (
    FLOAT64_EPS,
    Measurement,
    SingleNeuronModel,
    Source,
    claim,
    ddt,
    definition,
    equation,
    gradient_flow,
    hypothesis,
    implicit_bias_limit_1d,
    mp_tolerance,
)
from lazyrich.certified import exact_arb, require_flint

from ..certify import certified_check, enclosure, inside, radius_measurement
from .arb import exact_ball, relation_measurements
from .checking import evaluate_with_velocity, rates_against_model, resolve, statement_proof
from .reference import DPS, ODE_TOL_FROM, RTOL, beta0_init, ode_tol, rng
from .symbols import PAPER, X, a, a_s, d, delta, kappa, n, neuron_rate_hypotheses, one_by_one, q_s, r_s, u_s, v_s, w

__all__ = ["implicit_bias_potential", "null_space_conservation", "one_dim_null_space", "theorem_3_1"]

PSI = sp.Function(r"\Psi_\delta")(r_s)  # the potential, a function of r = |beta| at fixed delta
PSI0 = sp.Symbol(r"\psi_\delta")
GAMMA = sp.Symbol("gamma", positive=True)
R0 = sp.Symbol("r_0", positive=True)
K0 = sp.Symbol("kappa_0", positive=True)
#: hyperbolic coordinates: delta = (u^2 - v^2)/2, |beta| = u v/2 (also for |beta_0| = r_0)
HYPERBOLIC = {delta: (u_s**2 - v_s**2) / 2, r_s: u_s * v_s / 2, R0: u_s * v_s / 2}

B_HAT = MatrixSymbol(r"\hat\beta", d, 1)
M_SYM, H_SYM = MatrixSymbol("M", d, d), MatrixSymbol(r"\nabla^2\Psi_\delta", d, d)
P_KER = MatrixSymbol("P", d, d)  # the orthogonal projector onto ker X


def _potential_definitions():
    return [
        definition(kappa, sp.sqrt(delta**2 + 4 * r_s**2)),
        definition(PSI, (kappa - 2 * delta) * sp.sqrt(kappa + delta) / 3),
    ]


def _d(expr, order=1):
    return sp.Derivative(expr, (r_s, order))


# ================================================================ the potential
def _potential_statement():
    return [
        *_potential_definitions(),
        hypothesis(B_HAT.T * B_HAT, Identity(1)),
        definition(K0, sp.sqrt(delta**2 + 4 * R0**2)),
        definition(PSI0, sp.sqrt(K0 - delta)),
        definition(GAMMA, 2 * r_s / ((kappa + delta) * sp.sqrt(kappa - delta))),
        # Hess of a radial function: Psi'' bb^T + Psi'/r (I - bb^T); M of eq. (4)
        definition(H_SYM, _d(PSI, 2) * B_HAT * B_HAT.T + _d(PSI) / r_s * (Identity(d) - B_HAT * B_HAT.T)),
        definition(M_SYM, (kappa + delta) / 2 * Identity(d) + (kappa - delta) / 2 * B_HAT * B_HAT.T),
        equation(_d(PSI), sp.sqrt(kappa - delta)),
        equation(sp.Subs(_d(PSI), r_s, R0), PSI0),
        equation(GAMMA * M_SYM * H_SYM, Identity(d)),
    ]


implicit_bias_potential = claim(
    f"{PAPER}.implicit_bias_potential",
    r"Thm 3.1 support: $\nabla \Psi_\delta = \sqrt{\kappa - \delta} \, \hat\beta$, $\psi_\delta \hat\beta_0 = \nabla \Psi_\delta(\beta_0)$ (Bregman form), $M^{-1} = \gamma \nabla^2 \Psi_\delta$",
    Source(
        PAPER,
        "Sec. 3, Thm 3.1, eq. (5) (time-warped mirror flow derived here; App. A.4)",
        r"$\gamma = 2 \|\beta\|/((\kappa + \delta) \sqrt{\kappa - \delta})$; unit rates; general shape "
        r"(the Hessian of a radial function is written with $\hat\beta$, $\hat\beta^T \hat\beta = 1$)",
    ),
    statement=_potential_statement,
    equivalent={
        "s10.transpose.0.1": "M is symmetric (its definition is)",
        "s10.transpose.0.2": "the Hessian is symmetric (its definition is)",
    },
)


@implicit_bias_potential.symbolic_check
def potential_gradient_and_hessian(statement):
    """``Psi'``, ``Psi'(r_0)`` and ``gamma M Hess Psi`` from the statement's definitions, in hyperbolic coordinates."""
    return statement_proof(statement, coordinates=HYPERBOLIC)


def _psi_of(statement):
    """``Psi_delta(|beta|)`` from the statement's definition, for mpmath."""
    return sp.lambdify((r_s, delta), resolve(PSI, statement), "mpmath")


@implicit_bias_potential.numeric_check
def potential_by_finite_differences(statement):
    """mpmath finite differences of the statement's ``Psi_delta`` (independent of the symbolic derivative)
    against its ``grad Psi`` and ``M gamma Hess Psi = I``; the engine's :func:`lazyrich.implicit_bias_potential`
    against the statement's ``Psi``."""
    out = []
    r = rng(150)
    psi_r = _psi_of(statement)
    d1 = sp.lambdify((r_s, delta), resolve(sp.sqrt(kappa - delta), statement), "mpmath")
    gam = sp.lambdify((r_s, delta), resolve(GAMMA, statement), "mpmath")
    Mc = [
        sp.lambdify((r_s, delta), resolve(x, statement), "mpmath") for x in ((kappa + delta) / 2, (kappa - delta) / 2)
    ]
    with mp.workdps(DPS):
        for dl in (-2.0, 0.0, 1.5):
            b = [mp.mpf(float(x)) for x in r.standard_normal(3)]
            dm = mp.mpf(dl)
            rr = mp.sqrt(mp.fsum(x * x for x in b))

            def psi(*beta, dm=dm):
                return psi_r(mp.sqrt(mp.fsum(x * x for x in beta)), dm)

            grad = [mp.diff(psi, b, tuple(int(m_ == i) for m_ in range(3))) for i in range(3)]
            err_g = max(abs(gi - d1(rr, dm) * bi / rr) for gi, bi in zip(grad, b))
            hess = mp.matrix(3, 3)
            Mm = mp.matrix(3, 3)
            for i in range(3):
                for j in range(3):
                    hess[i, j] = mp.diff(psi, b, tuple(int(m_ == i) + int(m_ == j) for m_ in range(3)))
                    Mm[i, j] = Mc[0](rr, dm) * (1 if i == j else 0) + Mc[1](rr, dm) * b[i] * b[j] / rr**2
            err_h = mp.mnorm(Mm * (gam(rr, dm) * hess) - mp.eye(3), 1)
            tol = mp_tolerance(DPS // 2)  # mp.diff loses about half the digits
            how = "eps**0.8 at 15 digits (mp.diff at 30)"
            out.append(
                Measurement(float(err_g), tol, f"delta={dl}: finite-difference grad Psi vs the statement's", how)
            )
            out.append(Measurement(float(err_h), tol, f"delta={dl}: M gamma Hess Psi vs I", how))
            eng = lazyrich.implicit_bias_potential(np.array([float(x) for x in b]), dl)
            ref = float(psi(*b))
            out.append(
                Measurement(abs(eng - ref), 64 * 2.0**-52 * (1 + abs(ref)), f"delta={dl}: engine Psi", "64 eps |Psi|")
            )
    return out


@certified_check(implicit_bias_potential)
def certified_potential(statement):
    """The engine :func:`lazyrich.implicit_bias_potential` (float64) against the Arb enclosure of the statement's
    ``Psi_delta(|beta|)`` (``|beta|`` exact), within the engine's bound; ``Psi'`` and ``Psi'(r_0)``: the float64
    right sides within their derived rounding bounds of the Arb Taylor coefficients of ``Psi_delta``.

    Engine bound: it forms the scalars in 120-bit mpmath from exact squares, every step free of cancellation except
    ``kappa - 2 delta`` (its docstring), then rounds once to float64: ``|error| <= u |Psi| +
    16 2^-120 (kappa + 2|delta|) sqrt(kappa + delta) / 3`` (16 roundings of 2^-120, generously). Hard cases:
    ``|delta| = 1e6`` and ``Psi = 0`` exactly (``beta = (1, 1, 1)``, ``delta = 2``: ``kappa = 2 delta``).
    ``M^{-1} = gamma Hess Psi`` is an identity proven at general shape (no value to certify).
    """
    flint = require_flint()
    out = []
    for beta, dl in (
        ((1.0, 1.0, 1.0), 2.0),
        ((0.3, -1.2, 0.5), 1e6),
        ((0.3, -1.2, 0.5), -1e6),
        ((2.0, 0.5, -0.7), 0.0),
        ((1e-8, 0.0, 2e-8), -1.5),
    ):
        r_ball = sum((exact_arb(b) * exact_arb(b) for b in beta), flint.arb(0)).sqrt()
        env = {r_s: r_ball, delta: exact_arb(dl)}
        psi = exact_ball(PSI, statement, env)
        kap = float((exact_arb(dl) ** 2 + 4 * r_ball**2).sqrt().upper())
        terms = (kap + 2 * abs(dl)) * math.sqrt(kap + dl) / 3  # the size of the terms that cancel in kappa - 2 delta
        bound = FLOAT64_EPS / 2 * abs(float(psi.mid())) + 16 * 2.0**-120 * terms
        enc, label = enclosure([psi]), f"beta={beta}, delta={dl:g}"
        out.append(
            inside(
                enc,
                lazyrich.implicit_bias_potential(np.array(beta), dl),
                bound,
                f"{label}: engine implicit_bias_potential (float64)",
                "u |Psi| + 16 2^-120 (kappa + 2|delta|) sqrt(kappa + delta)/3 (the engine's 120-bit construction)",
            )
        )
        out.append(radius_measurement(enc, max(abs(float(psi.mid())), terms), label))
    for rv, dl in ((0.9, 1e6), (0.9, -1e6), (1.7, 0.0), (0.4, 2.5)):
        for rel in statement:  # Psi' = sqrt(kappa - delta) and Psi'(r_0) = psi_delta (the matrix relation: above)
            if type(rel) is sp.Equality and not isinstance(rel.lhs, sp.MatrixExpr):
                out += relation_measurements(rel, statement, {r_s: rv, R0: rv, delta: dl}, f"r={rv}, delta={dl:g}")
    return out


# ================================================================ P_ker w is conserved
def _null_space_statement():
    return [
        *neuron_rate_hypotheses(),
        hypothesis(P_KER * X.T, ZeroMatrix(d, n)),
        equation(ddt(P_KER * w), ZeroMatrix(d, 1)),
    ]


null_space_conservation = claim(
    f"{PAPER}.null_space_conservation",
    r"$P_{\ker X} w(t) = P_{\ker X} w_0$ for any $X$ ($\dot w$ lies in $\operatorname{range} X^T$)",
    Source(PAPER, "derived here (Sec. 3, Thm 3.1)", "general shape; equivalent to the optimality condition of Thm 3.1"),
    statement=_null_space_statement,
    equivalent=one_by_one("s0.transpose.1.3.1.2", "s1.transpose.1.2.1.2", "s1.transpose.1.3"),
)


@null_space_conservation.symbolic_check
def projected_rate_vanishes(statement):
    """``d/dt (P w)`` under the statement's layer rates, with ``P X^T = 0`` as a rewrite rule."""
    return statement_proof(statement)


def _kernel_instances():
    for seed, nn in ((140, 1), (141, 2)):
        r = rng(seed)
        Xd, yd = r.standard_normal((nn, 4)), r.standard_normal(nn)
        P = np.eye(4) - np.linalg.pinv(Xd) @ Xd
        yield r, Xd, yd, P, SingleNeuronModel(Xd, yd, *r.uniform(0.5, 2, 2))


@null_space_conservation.numeric_check
def projected_rate_along_flow(statement):
    """Along :func:`lazyrich.gradient_flow`: the statement's rates against the model, ``d/dt (P w)`` evaluated
    with the model's velocity, and the drift of ``P w``."""
    out = []
    rel = statement[-1]
    for r, Xd, yd, P, model in _kernel_instances():
        tr = gradient_flow(model, (r.standard_normal(), r.standard_normal(4)), np.linspace(0, 5, 6), rtol=RTOL)
        for av, wv in zip(tr["a"], tr["w"]):
            out += rates_against_model(statement, model, float(av), wv)
            va, vw = model.velocity((float(av), wv))
            vals = {X: Xd, P_KER: P, a: np.array([[av]]), w: wv[:, None]}
            got = evaluate_with_velocity(
                rel.lhs, statement, vals, {a: np.array([[va]]), w: vw[:, None]}, {n: len(yd), d: 4}
            )
            out.append(
                Measurement(
                    float(np.abs(got).max()),
                    64 * 2.0**-52 * (1 + float(np.abs(vw).max())),
                    "d/dt (P w) - rhs",
                    "64 eps |w'|",
                )
            )
        drift = float(np.abs(tr["w"] @ P.T - P @ tr["w"][0]).max())
        out.append(
            Measurement(drift, ode_tol(tr), f"n={len(yd)}, d=4: drift of P_ker w", ODE_TOL_FROM + " 1 (|P| = 1)")
        )
    return out


# ================================================================ Theorem 3.1
def _theorem_statement():
    return [
        *neuron_rate_hypotheses(unit=True),
        hypothesis(P_KER * X.T, ZeroMatrix(d, n)),
        definition(delta, a_s**2 - q_s),  # unit rates, a and q = |w|^2 the state
        definition(r_s, sp.sqrt(a_s**2 * q_s)),  # |beta| = |a| |w|
        *_potential_definitions(),
        # along the flow Psi'(|beta|) = sqrt(2) |w|: grad Psi(beta) = sqrt(2) sgn(a) w
        equation(_d(PSI), sp.sqrt(2 * q_s)),
        # Psi'' > 0 and Psi' > 0: Psi is strictly convex, so (5) has one minimiser, fixed by its KKT system
        equation(_d(PSI, 2), 2 * r_s / (kappa * sp.sqrt(kappa - delta))),
        # P grad Psi(beta(t)) = sqrt(2) sgn(a) P w is conserved (a keeps its sign): the KKT system of (5)
        equation(ddt(P_KER * w), ZeroMatrix(d, 1)),
    ]


theorem_3_1 = claim(
    f"{PAPER}.theorem_3_1",
    r"Thm 3.1: the gradient-flow limit is $\arg\min_\beta \Psi_\delta(\beta) - \psi_\delta \hat\beta_0^T \beta$ subject to $X \beta = y$",
    Source(
        PAPER,
        "Sec. 3, Thm 3.1, eq. (5) (p. 6)",
        r"unit rates ($\delta/\sqrt{\eta_a \eta_w}$ with rates); $a$ keeps its sign (the theorem's hypothesis). Proven: "
        r"$\nabla\Psi_\delta(\beta) = \sqrt2\,\mathrm{sgn}(a)\,w$ along the flow, $\Psi_\delta$ strictly convex, "
        r"$P_{\ker X} w$ conserved (general shape); with $X\beta_\infty = y$ these are the KKT conditions of (5). "
        "Convergence of the flow is assumed (checked numerically)",
    ),
    statement=_theorem_statement,
    equivalent=one_by_one("s0.transpose.1.3.1.2", "s1.transpose.1.2.1.2", "s1.transpose.1.3"),
)


@theorem_3_1.symbolic_check
def kkt_conditions_of_eq5(statement):
    """The gradient of the statement's potential along the flow, its convexity, and the conserved ``P grad Psi``."""
    return statement_proof(statement)


def _grad_psi(statement):
    """``grad Psi_delta(beta) = Psi'(|beta|) beta_hat`` from the statement's potential (a function of ``(r, delta)``)."""
    d1 = sp.lambdify((r_s, delta), sp.diff(resolve(PSI, statement, keep=(r_s, delta)), r_s))

    def grad(beta, dl):
        rr = float(np.linalg.norm(beta))
        return d1(rr, dl) * beta / rr

    return grad


def _root_error(statement, z, N, b_mn, beta0, dl) -> float:
    """A posteriori bound on ``|z - z*|`` for the root ``z*`` of ``N^T (grad Psi(b_mn + N z) - grad Psi(beta0))``.

    Newton's first-order estimate ``|z - z*| <= |J^-1|_2 |F(z)|`` (``F`` smooth, ``|F(z)| ~ eps``: the second-order
    term is ``O(|F|^2)``), with the residual ``F`` evaluated in mpmath at ``DPS`` digits (no float64 rounding) and
    ``J = N^T Hess(Psi) N``, ``Hess = Psi'' b_hat b_hat^T + Psi'/|b| (I - b_hat b_hat^T)``, from the statement.
    """
    pot = resolve(PSI, statement, keep=(r_s, delta))
    d1 = sp.lambdify((r_s, delta), sp.diff(pot, r_s), "mpmath")
    d2 = sp.lambdify((r_s, delta), sp.diff(pot, r_s, 2), "mpmath")
    with mp.workdps(DPS):
        Nm = mp.matrix(N.tolist())

        def grad(beta):
            rr = mp.norm(beta)
            return d1(rr, mp.mpf(dl)) * beta / rr

        b = mp.matrix(b_mn.tolist()) + Nm * mp.matrix(z.tolist())
        F = Nm.T * (grad(b) - grad(mp.matrix(beta0.tolist())))
        rr = mp.norm(b)
        bh = b / rr
        p1, p2 = d1(rr, mp.mpf(dl)), d2(rr, mp.mpf(dl))
        H = p2 * bh * bh.T + p1 / rr * (mp.eye(len(b)) - bh * bh.T)
        J = np.array((Nm.T * H * Nm).tolist(), dtype=float)
        res = float(mp.norm(F))
    return res / float(np.linalg.svd(J, compute_uv=False).min())


@theorem_3_1.numeric_check
def flow_limit_solves_eq5(statement):
    """The gradient-flow limit (:func:`lazyrich.gradient_flow`, ``X`` of rank 1 in ``d = 3``) against the solution of
    the KKT system of (5) built from the statement's potential (scipy ``root``); the statement's rates and
    ``d/dt P grad Psi`` against the model's velocity along the flow."""
    out = []
    r = rng(160)
    Xd = r.standard_normal((1, 3))
    yd = np.array([1.1])
    b_mn = np.linalg.pinv(Xd) @ yd
    N = np.linalg.svd(Xd)[2][1:].T  # orthonormal basis of ker X
    P = N @ N.T
    beta0 = 0.4 * b_mn + 0.5 * N @ r.standard_normal(2)
    grad = _grad_psi(statement)
    model = SingleNeuronModel(Xd, yd)
    rel = statement[-1]
    # the statement's rates against the model first: a wrong flow fails here, before any simulation
    out += rates_against_model(statement, model, 0.8, r.standard_normal(3))
    if any(m.error > m.tolerance for m in out):
        return out
    for dl in (-1.0, 0.0, 0.5, 2.0):
        a0v, w0v = beta0_init(beta0, dl)
        tr = gradient_flow(model, (a0v, w0v), [0.0, 30.0, 60.0], rtol=RTOL)
        if np.any(tr["a"] <= 0):
            raise AssertionError("a crossed zero: beta(t) = 0 somewhere, outside Thm 3.1's hypothesis")
        out += rates_against_model(statement, model, float(tr["a"][1]), tr["w"][1])
        va, vw = model.velocity((float(tr["a"][1]), tr["w"][1]))
        vals = {X: Xd, P_KER: P, a: np.array([[tr["a"][1]]]), w: tr["w"][1][:, None]}
        got = evaluate_with_velocity(rel.lhs, statement, vals, {a: np.array([[va]]), w: vw[:, None]}, {n: 1, d: 3})
        out.append(
            Measurement(
                float(np.abs(got).max()),
                64 * 2.0**-52 * (1 + float(np.abs(vw).max())),
                f"delta={dl}: d/dt P grad Psi",
                "64 eps |w'|",
            )
        )
        b_gf = tr["a"][-1] * tr["w"][-1]
        g0 = grad(beta0, dl)

        def stationarity(z, dl=dl, g0=g0):
            return N.T @ (grad(b_mn + N @ z, dl) - g0)

        sol = root(stationarity, N.T @ beta0, method="hybr", options={"xtol": 1e-14})
        b_opt = b_mn + N @ sol.x
        moved = float(np.abs(tr["a"][-1] * tr["w"][-1] - tr["a"][-2] * tr["w"][-2]).max())
        # the root's a posteriori error (|N dz| = |dz|), and the rounding of b_mn + N z (2 flops a component)
        root_err = _root_error(statement, sol.x, N, b_mn, beta0, dl)
        root_err += 2 * FLOAT64_EPS * float(np.abs(b_mn).max() + np.abs(N).sum(axis=1).max() * np.abs(sol.x).max())
        tol = ode_tol(tr, 2 * tr.scale) + moved + root_err
        out.append(
            Measurement(
                float(np.abs(b_gf - b_opt).max()),
                tol,
                f"delta={dl}: GF limit vs argmin of (5) (KKT of the statement's Psi)",
                ODE_TOL_FROM + " 2|theta|, + |beta(60) - beta(30)|, + |J^-1| |F(z)| (mpmath residual)",
            )
        )
    return out


@certified_check(theorem_3_1)
def certified_potential_along_the_flow(statement):
    """At states ``(a, q = |w|^2)``: the float64 right sides ``sqrt(2 q)`` and ``2 r / (kappa sqrt(kappa - delta))``
    within their derived rounding bounds of the Arb Taylor coefficients ``Psi'``, ``Psi''`` of the statement's
    potential at ``r = |a| sqrt(q)``, ``delta = a^2 - q``. Hard case: ``a = 1e3, q = 1e-4`` (``delta ~ 1e6``:
    ``kappa - delta`` cancels in float64, the bound says by how much). The conservation of ``P w`` is a differential
    identity (proven at general shape); the argmin's closed form for a one-dimensional null space is certified by
    ``one_dim_null_space``."""
    out = []
    for av, qv in ((0.8, 1.3), (1e3, 1e-4), (1e-3, 50.0), (2.0, 4.0)):
        for rel in statement:
            if type(rel) is sp.Equality and isinstance(rel.lhs, sp.Derivative) and set(rel.lhs.variables) == {r_s}:
                out += relation_measurements(rel, statement, {a_s: av, q_s: qv}, f"a={av:g}, q={qv:g}")
    return out


# ================================================================ 1-D null space closed form and endpoints
K_S = sp.Symbol("k", real=True)  # |w0| beta_hat0^T n_hat (sgn a0 included)
C_S = sp.Symbol("c", positive=True)  # |beta_mn|
VK, XI, ALPHA = sp.Symbol("varkappa", real=True), sp.Symbol("x", positive=True), sp.Symbol("alpha", real=True)
U_S, RHO, COS, SIN = sp.symbols("U rho C S_0", positive=True)  # a0^2, |beta0|, cos and sin of beta0 to n_hat
V_C, S_C = sp.Symbol("V", real=True), sp.Symbol("S", positive=True)
#: coordinates in which the roots are rational: delta = 2V - k^2, c = sqrt(S^2 - V^2) (S = sqrt(varkappa^2 + c^2))
ONE_DIM_COORDINATES = {delta: 2 * V_C - K_S**2, C_S: sp.sqrt(S_C**2 - V_C**2)}
#: the endpoints' parametrisation: a0^2 = U, |w0| = rho / sqrt(U), delta = U - rho^2/U
ENDPOINT = ((K_S, delta), (RHO * COS / sp.sqrt(U_S), U_S - RHO**2 * (COS**2 + SIN**2) / U_S))


def _one_dim_statement():
    return [
        definition(VK, (K_S**2 + delta) / 2),
        definition(XI, VK + sp.sqrt(VK**2 + C_S**2)),  # a_inf^2
        definition(ALPHA, K_S * sp.sqrt(XI)),
        # the steady state a_inf^2 = (delta + sqrt(delta^2 + 4 |beta_inf|^2))/2 with |beta_inf|^2 = c^2 + alpha^2
        equation(XI, (delta + sp.sqrt(delta**2 + 4 * (C_S**2 + ALPHA**2))) / 2),
        # delta -> +inf: the projection of beta0 onto X beta = y (alpha -> n_hat^T beta0 = rho C)
        equation(sp.Limit(sp.Subs(ALPHA, *ENDPOINT), U_S, sp.oo), RHO * COS),
        # delta -> -inf: the point of the ray of beta0 on X beta = y (alpha -> c C / S)
        equation(sp.Limit(sp.Subs(ALPHA, *ENDPOINT), U_S, 0), C_S * COS / SIN),
    ]


one_dim_null_space = claim(
    f"{PAPER}.one_dim_null_space",
    r"$\dim \ker X = 1$: $\beta_\infty = \beta_{\mathrm{mn}} + \alpha \hat n$, $\alpha = k \sqrt{\varkappa + \sqrt{\varkappa^2 + c^2}}$, $\varkappa = (k^2 + \delta)/2$; endpoints at $\delta \to \pm\infty$",
    Source(
        PAPER,
        r"Sec. 3, App. A.4 (1-D null space closed form, re-derived here) and $\delta \to \pm\infty$ endpoints (Fig. 4b)",
        r"unit rates; $a$ does not change sign; $\alpha = \hat n^T \beta_\infty = |a_\infty| k$ ($P_{\ker X} w$ "
        r"conserved); endpoints with $a_0^2 = U$, $\delta = U - \rho^2/U$, $\rho = \|\beta_0\|$, $(C, S_0)$ the cosine and sine of the angle of $\beta_0$ to $\hat n$",
    ),
    statement=_one_dim_statement,
)


@one_dim_null_space.symbolic_check
def steady_state_and_endpoints(statement):
    """The steady-state relation in coordinates where its roots are rational; the endpoint limits by SymPy."""
    return statement_proof(statement, coordinates=ONE_DIM_COORDINATES)


@one_dim_null_space.numeric_check
def closed_form_vs_flow_limit(statement):
    """The statement's ``alpha`` against the gradient-flow limit (Fig. 4b data) and against the engine's
    :func:`lazyrich.implicit_bias_limit_1d`; the endpoints at ``|delta| = 1e6`` (mpmath)."""
    out = []
    alpha_of = sp.lambdify((K_S, C_S, delta), resolve(ALPHA, statement), "mpmath")
    Xd, yd = np.array([[0.5, 1.0]]), np.array([1.1])
    x = Xd[0]
    beta0 = 0.5 * (0.6 * np.array([1.0, -0.5]) + 0.4 * x)
    b_mn = x * yd[0] / (x @ x)
    c = float(np.linalg.norm(b_mn))
    nh = np.array([1.0, -0.5]) / np.linalg.norm([1.0, -0.5])  # x^T n_hat = 0
    for dl in (-2.0, 0.0, 2.0):
        a0v, w0v = beta0_init(beta0, dl)
        k = float(np.sign(a0v) * (w0v @ nh))
        pred = b_mn + float(alpha_of(k, c, dl)) * nh
        tr = gradient_flow(SingleNeuronModel(Xd, yd), (a0v, w0v), [0.0, 40.0, 80.0], rtol=RTOL)
        b_gf = tr["a"][-1] * tr["w"][-1]
        moved = float(np.abs(b_gf - tr["a"][-2] * tr["w"][-2]).max())
        out.append(
            Measurement(
                float(np.abs(b_gf - pred).max()),
                ode_tol(tr, 2 * tr.scale) + moved,
                f"delta={dl}: GF limit vs the statement's 1-D closed form",
                ODE_TOL_FROM + " 2|theta|, + |beta(80) - beta(40)|",
            )
        )
        eng = implicit_bias_limit_1d(Xd, yd, beta0, dl)
        out.append(
            Measurement(
                float(np.abs(eng - pred).max()),
                64 * 2.0**-52 * (1 + float(np.abs(pred).max())),
                f"delta={dl}: engine implicit_bias_limit_1d",
                "64 eps |beta|",
            )
        )
    with mp.workdps(DPS):
        for dl, target in ((1e6, b_mn + beta0 - (beta0 @ b_mn) / c**2 * b_mn), (-1e6, c**2 / (b_mn @ beta0) * beta0)):
            a0v, w0v = beta0_init(beta0, dl)
            alpha = alpha_of(mp.mpf(float(w0v @ nh)), mp.mpf(c), mp.mpf(dl))
            err = max(abs(mp.mpf(b_mn[i]) + alpha * nh[i] - target[i]) for i in range(2))
            out.append(
                Measurement(
                    float(err),
                    10.0 / abs(dl),
                    f"delta={dl:g}: closed form vs the delta = {'+' if dl > 0 else '-'}inf endpoint",
                    "O(1/|delta|) with constant 10 (|beta0|, c <= 1)",
                )
            )
    return out
