r"""Mixed dynamics of shallow linear networks (Tu, Aranguri, Jacot, NeurIPS 2024).

Identities (derived here for the paper's eq. (1); the 33 claims below are numbered in module order).
For ``A = W2 W1`` (``W1`` is ``w x d_in``, ``W2`` is ``d_out x w``), a cost ``C(A)`` with
gradient ``G = grad C(A)``, ``X = W1^T W1``, ``Y = W2 W2^T`` and the conserved
``Lambda = W1 W1^T - W2^T W2``, gradient flow ``dW1/dt = -W2^T G``, ``dW2/dt = -G W1^T`` gives
exactly

* ``dA/dt = -(Y G + G X)``, ``dLambda/dt = 0`` (claims 1, 2);
* ``X^2 = A^T A + W1^T Lambda W1``, ``Y^2 = A A^T - W2 Lambda W2^T`` (claim 3);
* ``dX/dt = -(A^T G + G^T A)``, ``dY/dt = -(G A^T + A G^T)`` (claim 4);
* ``D := W2 Lambda W1 = A X - Y A`` drives the offsets:
  ``d/dt W1^T Lambda W1 = -(G^T D + D^T G)``, ``d/dt(-W2 Lambda W2^T) = G D^T + D G^T`` (claim 5).

When both offsets equal ``c^2 I`` the PSD roots give ``X = (A^T A + c^2 I)^{1/2}``,
``Y = (A A^T + c^2 I)^{1/2}`` and the paper's self-consistent equation (1),

.. math::
    \dot A = -(A A^T + c^2 I)^{1/2} G - G (A^T A + c^2 I)^{1/2},\qquad c = \sigma^2 w,

holds exactly (claims 13, 14: the width-2d construction and lambda-balanced nets with
``c = |lambda|/2``); Gaussian initialisation makes it hold up to ``O(sqrt(d/w))``
(claims 20-23). Aligned solutions decouple into ``ds/dt = 2 sqrt(s^2 + c^2)(s* - s)``,
solved in closed form by ``s = c sinh u``, ``v = e^u`` and a Riccati equation (claims 15-19).

Source: Tu, Aranguri, Jacot, arXiv:2405.17580 (eq. (1) as in the official code
``aranguri/phase-diagram``), cited for eq. (1), Figs. 1-2 and Theorems 1-2; every identity above is
derived here (the project's own derivation extending eq. (1)) and checked here.

Mapping to lazyrich's models. The paper minimises ``C(A) = 1/2 |A - T|_F^2`` (``T = A* + E``,
no ``1/d^2`` in the gradient), so ``G = A - T``. :class:`lazyrich.DeepLinearModel` with
``sigma_yx = T``, ``sigma_xx = I`` and ``tau = 1`` has the loss ``1/2 |A|^2 - tr(T^T A)``
(the same up to the constant ``1/2 |T|^2``) and the flow ``dW1/dt = W2^T (T - W2 W1) = -W2^T G``:
the paper's gradient flow, and :func:`lazyrich.gradient_descent` with ``step = eta`` is the
paper's *simultaneous* GD (the official code updates sequentially; claim 7 covers both).

Symbolic proofs run at general shape with :func:`lazyrich.canonicalize` (``MatrixSymbol``
words, rewrite rules for constraints) and are confirmed on explicit small shapes; numeric
checks compare against an independent route (weight-space simulation against an
integration of eq. (1), mpmath at 30 digits, Monte Carlo with a 5-standard-error tolerance).
Claims 18, 22, 23 and 29-32 are heuristic (not proven): their checks compare against the
tolerance they state.

Corrections found by these checks: claim 17's tail ``s* - s ~ (2R^2/(s*+R))|K0| e^{-2Rt}``
holds only for ``s0 < s*``; in general it is ``-(2R^2/(s*+R)) K0 e^{-2Rt}`` (``K0 > 0`` when
``s0 > s*``). Claim 8's remainders are ``O(c^-5)`` and ``O(c^6)`` (the cruder ``O(c^-4)``,
``O(c^5)`` are true but loose).
"""

from __future__ import annotations

import functools

import mpmath as mp
import numpy as np
import sympy as sp
from scipy.integrate import solve_ivp
from sympy import Identity, MatPow, MatrixSymbol, ZeroMatrix

import lazyrich
from lazyrich import (
    FLOAT64_EPS,
    DeepLinearModel,
    Measurement,
    Proof,
    RewriteRule,
    Source,
    canonicalize,
    claim,
    explicit_residual,
    explicit_time_derivative,
    fit_order,
    gradient_descent,
    gradient_flow,
    matrix_with_singular_values,
    mp_tolerance,
    ode_global_tolerance,
    random_orthogonal,
    time_derivative,
)
from lazyrich import ddt as _ddt
from lazyrich import equation as _eq

PAPER = "mixed_dynamics"
RTOL = 1e-12

# ----------------------------------------------------------------- symbols
t = sp.Symbol("t", real=True)
eta, lam, c = sp.symbols("eta lambda c", positive=True)
s, s0, s_star, u, v = sp.symbols("s s_0 s^* u v", real=True)
R_ = sp.Symbol("R", positive=True)
K0 = sp.Symbol("K_0", real=True)
N_i, N_h, N_o = sp.symbols("d_in w d_out", positive=True, integer=True)
W1 = MatrixSymbol("W_1", N_h, N_i)
W2 = MatrixSymbol("W_2", N_o, N_h)
G = MatrixSymbol("G", N_o, N_i)  # gradient of a generic cost at A, frozen symbol
A = W2 * W1
X = W1.T * W1
Y = W2 * W2.T
LAMBDA = W1 * W1.T - W2.T * W2
D = W2 * LAMBDA * W1
RATES = {W1: -W2.T * G, W2: -G * W1.T}
SMALL = ({N_i: 2, N_h: 3, N_o: 2}, {N_i: 3, N_h: 2, N_o: 1})
TINY = ({N_i: 2, N_h: 2, N_o: 1},)  # for degree-5 words, where 2x3x2 entries take seconds

# display symbols for statements (A as an atom, as in the paper)
A_s = MatrixSymbol("A", N_o, N_i)
I_o, I_i = Identity(N_o), Identity(N_i)


def _sqrtm(M):
    return MatPow(M, sp.Rational(1, 2))


P_A = _sqrtm(A_s * A_s.T + c**2 * I_o)
Q_A = _sqrtm(A_s.T * A_s + c**2 * I_i)
EQ1 = _eq(_ddt(A_s), -P_A * G - G * Q_A)


def _eq1_at(cval):
    """Eq. (1) with the threshold c replaced by ``cval`` (c = 0: the balanced dynamics)."""
    grams = (A_s * A_s.T, A_s.T * A_s)
    if cval != 0:
        grams = (grams[0] + cval**2 * I_o, grams[1] + cval**2 * I_i)
    return _eq(_ddt(A_s), -_sqrtm(grams[0]) * G - G * _sqrtm(grams[1]))


def _explicit_derivative_residuals(expr, rhs, shapes=SMALL) -> list:
    """``d/dt expr - rhs`` entry-wise on the explicit small shapes (independent of time_derivative)."""
    return [explicit_time_derivative(expr, RATES, dims) - explicit_residual(rhs, dims) for dims in shapes]


def _explicit_residuals(expr, shapes=SMALL) -> list:
    return [explicit_residual(expr, dims) for dims in shapes]


# ================================================================ exact algebra (claims 1-5)
dA_dt = claim(
    "mixed_dynamics.dA_dt",
    r"Under gradient flow $\dot A = -(W_2 W_2^T G + G W_1^T W_1)$ for any cost",
    Source(PAPER, "derived here (gradient flow behind eq. (1))", "not stated in the paper"),
    statement=lambda: [_eq(_ddt(A), -(Y * G + G * X))],
)


@dA_dt.symbolic_check
def _():
    d = time_derivative(A, RATES)
    residual = d + (Y * G + G * X)
    steps = [_eq(_ddt(W1), RATES[W1]), _eq(_ddt(W2), RATES[W2]), _eq(_ddt(A), canonicalize(d).as_expr())]
    return Proof(residuals=[residual, *_explicit_derivative_residuals(A, -(Y * G + G * X))], steps=steps)


@dA_dt.numeric_check
def _():
    # DeepLinearModel(T, I, tau=1) is the paper's flow with G = A - T (module docstring)
    rng = np.random.default_rng(11)
    T = rng.standard_normal((3, 4))
    W1v, W2v = rng.standard_normal((5, 4)), rng.standard_normal((3, 5))
    V1, V2 = DeepLinearModel(T).velocity((W1v, W2v))
    Gv = W2v @ W1v - T
    dA = V2 @ W1v + W2v @ V1
    pred = -(W2v @ W2v.T @ Gv + Gv @ W1v.T @ W1v)
    scale = max(1.0, np.abs(W1v).max(), np.abs(W2v).max()) ** 3 * max(1.0, np.abs(Gv).max())
    return Measurement(
        float(np.abs(dA - pred).max()),
        64 * 5 * FLOAT64_EPS * scale,
        "model velocity of A vs -(Y G + G X)",
        "64 w eps |W|^3 |G| (products of 3 matrices)",
    )


conserved_lambda = claim(
    "mixed_dynamics.conserved_lambda",
    r"$\Lambda = W_1 W_1^T - W_2^T W_2$ is conserved by gradient flow for any cost",
    Source(PAPER, "derived here (exact identities behind eq. (1))", "derived"),
    statement=lambda: [_eq(_ddt(LAMBDA), ZeroMatrix(N_h, N_h))],
)


@conserved_lambda.symbolic_check
def _():
    d = time_derivative(LAMBDA, RATES)
    steps = [
        _eq(_ddt(W1 * W1.T), canonicalize(time_derivative(W1 * W1.T, RATES)).as_expr()),
        _eq(_ddt(W2.T * W2), canonicalize(time_derivative(W2.T * W2, RATES)).as_expr()),
    ]
    return Proof(residuals=[d, *_explicit_derivative_residuals(LAMBDA, ZeroMatrix(N_h, N_h))], steps=steps)


@conserved_lambda.numeric_check
def _():
    rng = np.random.default_rng(12)
    T = matrix_with_singular_values((3, 3), [2.0, 1.0, 0.5], rng)
    init = (rng.standard_normal((6, 3)) * 0.5, rng.standard_normal((3, 6)) * 0.5)
    traj = gradient_flow(DeepLinearModel(T), init, np.linspace(0, 2.0, 21), rtol=RTOL)
    lam_of = lambda p: p[0] @ p[0].T - p[1].T @ p[1]  # noqa: E731
    drift = max(float(np.abs(lam_of(traj.at(i)) - lam_of(traj.at(0))).max()) for i in range(len(traj.t)))
    tol = lazyrich.quadratic_invariant_tolerance(traj.n_steps, traj.rtol, traj.atol, traj.scale)
    return Measurement(drift, tol, "max drift of Lambda along DOP853 flow", "2 |W| n_steps (atol + rtol |W|)")


squares = claim(
    "mixed_dynamics.squares",
    r"$X^2 = A^T A + W_1^T \Lambda W_1$ and $Y^2 = A A^T - W_2 \Lambda W_2^T$",
    Source(PAPER, "derived here (exact identities behind eq. (1))", "derived; exact for any weights"),
    statement=lambda: [_eq(X * X, A.T * A + W1.T * LAMBDA * W1), _eq(Y * Y, A * A.T - W2 * LAMBDA * W2.T)],
)


@squares.symbolic_check
def _():
    r1 = X * X - (A.T * A + W1.T * LAMBDA * W1)
    r2 = Y * Y - (A * A.T - W2 * LAMBDA * W2.T)
    steps = [_eq(A.T * A, W1.T * (W2.T * W2) * W1), _eq(W2.T * W2, W1 * W1.T - LAMBDA)]
    return Proof(residuals=[r1, r2, *_explicit_residuals(r1), *_explicit_residuals(r2)], steps=steps)


x_y_rates = claim(
    "mixed_dynamics.x_y_rates",
    r"$\dot X = -(A^T G + G^T A)$ and $\dot Y = -(G A^T + A G^T)$",
    Source(PAPER, "derived here (exact identities behind eq. (1))", "derived"),
    statement=lambda: [_eq(_ddt(X), -(A.T * G + G.T * A)), _eq(_ddt(Y), -(G * A.T + A * G.T))],
)


@x_y_rates.symbolic_check
def _():
    rx, ry = -(A.T * G + G.T * A), -(G * A.T + A * G.T)
    residuals = [time_derivative(X, RATES) - rx, time_derivative(Y, RATES) - ry]
    residuals += _explicit_derivative_residuals(X, rx) + _explicit_derivative_residuals(Y, ry)
    return Proof(residuals=residuals, steps=[_eq(_ddt(W1), RATES[W1]), _eq(_ddt(W2), RATES[W2])])


offset_drift = claim(
    "mixed_dynamics.offset_drift",
    r"$D = W_2 \Lambda W_1 = A X - Y A$ drives the offsets: $\frac{d}{dt} W_1^T \Lambda W_1 = -(G^T D + D^T G)$, $\frac{d}{dt} (-W_2 \Lambda W_2^T) = G D^T + D G^T$",
    Source(PAPER, "derived here (exact identities behind eq. (1))", "derived"),
    statement=lambda: [
        _eq(D, A * X - Y * A),
        _eq(_ddt(W1.T * LAMBDA * W1), -(G.T * D + D.T * G)),
        _eq(_ddt(-W2 * LAMBDA * W2.T), G * D.T + D * G.T),
    ],
)


@offset_drift.symbolic_check
def _():
    off1, off2 = W1.T * LAMBDA * W1, -W2 * LAMBDA * W2.T
    r0 = D - (A * X - Y * A)
    r1 = time_derivative(off1, RATES) + (G.T * D + D.T * G)
    r2 = time_derivative(off2, RATES) - (G * D.T + D * G.T)
    residuals = [r0, r1, r2, *_explicit_residuals(r0, TINY)]
    residuals += _explicit_derivative_residuals(off1, -(G.T * D + D.T * G), TINY)
    residuals += _explicit_derivative_residuals(off2, G * D.T + D * G.T, TINY)
    steps = [_eq(_ddt(LAMBDA), ZeroMatrix(N_h, N_h)), _eq(_ddt(W1), RATES[W1]), _eq(_ddt(W2), RATES[W2])]
    return Proof(residuals=residuals, steps=steps)


# ================================================================ numeric helpers
def psd_sqrt(M: np.ndarray) -> np.ndarray:
    """Square root of a symmetric PSD matrix by eigh (tiny negative eigenvalues clipped)."""
    w_, V_ = np.linalg.eigh((M + M.T) / 2)
    return (V_ * np.sqrt(np.clip(w_, 0.0, None))) @ V_.T


def eq1_velocity(Av: np.ndarray, T: np.ndarray, cv: float) -> np.ndarray:
    """Right-hand side of eq. (1) for the MSE cost (``G = A - T``), square roots by eigh."""
    Gv = Av - T
    P = psd_sqrt(Av @ Av.T + cv**2 * np.eye(Av.shape[0]))
    Q = psd_sqrt(Av.T @ Av + cv**2 * np.eye(Av.shape[1]))
    return -(P @ Gv + Gv @ Q)


def eq1_flow(A0: np.ndarray, T: np.ndarray, cv: float, times, rtol: float = RTOL):
    """Integrate eq. (1) with DOP853 (an independent route to lazyrich's self_consistent_flow)."""
    shape = A0.shape
    scale = max(float(np.abs(A0).max()), float(np.abs(T).max()))
    atol = rtol * scale
    sol = solve_ivp(
        lambda _t, y: eq1_velocity(y.reshape(shape), T, cv).ravel(),
        (0.0, float(times[-1])),
        A0.ravel(),
        method="DOP853",
        t_eval=times,
        rtol=rtol,
        atol=atol,
    )
    if sol.status != 0:
        raise RuntimeError(sol.message)
    return sol.y.T.reshape(len(times), *shape), max(sol.nfev // 12, 1), atol, scale


def _weight_flow_vs_eq1(T, w1, w2, cv: float, times, what: str) -> Measurement:
    """Max |W2 W1(t) - A(t)| between the weights' gradient flow and eq. (1) started at A0 = W2 W1(0).

    Tolerance: 2 |W| e_weights + e_eq1, both DOP853 global error bounds.
    """
    traj = gradient_flow(DeepLinearModel(T), (w1, w2), times, rtol=RTOL)
    A_w = np.einsum("kij,kjl->kil", traj["W2"], traj["W1"])
    A_e, n_e, atol_e, sc_e = eq1_flow(w2 @ w1, T, cv, times)
    e_w = ode_global_tolerance(traj.n_steps, traj.rtol, traj.atol, traj.scale)
    tol = 2 * traj.scale * e_w + ode_global_tolerance(n_e, RTOL, atol_e, sc_e)
    return Measurement(float(np.abs(A_w - A_e).max()), tol, what, "2 |W| e_weights + e_eq1 (DOP853 global bounds)")


def bartlett_init(d_in: int, d_out: int, width: int, sigma2: float, rng) -> tuple[np.ndarray, np.ndarray]:
    """Reduced Gaussian init: ``[W1, W2^T] = B R`` with ``R^T R`` Wishart(width, sigma2 I) by Bartlett.

    Independent of lazyrich.gaussian_init (the check's own sampler): the Gram matrix of
    ``n = d_in + d_out`` i.i.d. N(0, sigma2) columns of length ``width`` is ``sigma2 L L^T`` with
    ``L`` lower triangular, ``L_ii^2 ~ chi^2(width - i)``, ``L_ij ~ N(0, 1)`` below the diagonal.
    """
    n = d_in + d_out
    L = np.tril(rng.standard_normal((n, n)), -1)
    L[np.diag_indices(n)] = np.sqrt(rng.chisquare(width - np.arange(n)))
    Rm = np.sqrt(sigma2) * L.T
    return Rm[:, :d_in], Rm[:, d_in:].T


# ================================================================ intertwining (claim 6)
intertwining = claim(
    "mixed_dynamics.intertwining",
    r"$f(A A^T) A = A f(A^T A)$ for $f(x) = \sqrt{x + c^2}$ (and any polynomial $f$)",
    Source(
        PAPER, "derived here (exact invariant manifold of eq. (1))", "derived; basis of the exact invariant manifold"
    ),
    statement=lambda: [_eq(P_A * A_s, A_s * Q_A)],
)


@intertwining.symbolic_check
def _():
    # polynomial f: (A A^T)^k A = A (A^T A)^k, word by word
    residuals = [canonicalize(MatPow(A_s * A_s.T, k) * A_s - A_s * MatPow(A_s.T * A_s, k)).as_expr() for k in (1, 2, 3)]
    # the scalar function on singular values: A = U S V^T gives U f(S^2) S V^T on both sides
    residuals.append(sp.sqrt(s**2 + c**2) * s - s * sp.sqrt(s**2 + c**2))
    return Proof(residuals=residuals, steps=[_eq(A_s * A_s.T * A_s, A_s * (A_s.T * A_s))])


@intertwining.numeric_check
def _():
    out = []
    for seed, (m, n, cv) in enumerate([(3, 5, 0.1), (4, 4, 1.0), (5, 2, 30.0)]):
        rng = np.random.default_rng(60 + seed)
        Av = matrix_with_singular_values((m, n), rng.uniform(0.2, 3.0, min(m, n)), rng)
        lhs = psd_sqrt(Av @ Av.T + cv**2 * np.eye(m)) @ Av
        rhs = Av @ psd_sqrt(Av.T @ Av + cv**2 * np.eye(n))
        scale = np.sqrt(9 + cv**2) * 3
        out.append(
            Measurement(
                float(np.abs(lhs - rhs).max()),
                lazyrich.linalg_tolerance(scale * max(m, n), 16),
                f"{m}x{n}, c={cv}: |P A - A Q|",
                "16 n eps |A| sqrt(|A|^2+c^2) (eigh backward stable)",
            )
        )
    return out


# ================================================================ GD one step (claim 7)
W1_sim = W1 - eta * W2.T * G
W2_sim = W2 - eta * G * W1.T
W1_seq = W1 - eta * W2.T * G
W2_seq = W2 - eta * G * W1_seq.T
W1p = MatrixSymbol("W_1'", N_h, N_i)  # the updated W1 of the sequential rule (display)
STEP_SIM = eta**2 * (W2.T * G * G.T * W2 - W1 * G.T * G * W1.T)
STEP_SEQ = -(eta**2) * (W2.T * G * G.T * W2 + W1_seq * G.T * G * W1_seq.T)


def lambda_of(w1, w2):
    """The conserved matrix ``Lambda = W1 W1^T - W2^T W2`` (SymPy matrices)."""
    return w1 * w1.T - w2.T * w2


gd_step_lambda = claim(
    "mixed_dynamics.gd_step_lambda",
    r"One GD step changes $\Lambda$ by $\eta^2 (W_2^T G G^T W_2 - W_1 G^T G W_1^T)$ (simultaneous) or $-\eta^2 (W_2^T G G^T W_2 + W_1' G^T G W_1'^T)$ (sequential, as coded)",
    Source(
        PAPER,
        "derived here (GD of the official code, Fig. 1)",
        r"derived; $G = \nabla C(A)$ computed once before both updates; $W_1'$ is the updated $W_1$",
    ),
    statement=lambda: [
        _eq(lambda_of(W1_sim, W2_sim) - LAMBDA, STEP_SIM),
        _eq(lambda_of(W1p, W2 - eta * G * W1p.T) - LAMBDA, -(eta**2) * (W2.T * G * G.T * W2 + W1p * G.T * G * W1p.T)),
    ],
)


@gd_step_lambda.symbolic_check
def _():
    r1 = lambda_of(W1_sim, W2_sim) - LAMBDA - STEP_SIM
    r2 = lambda_of(W1_seq, W2_seq) - LAMBDA - STEP_SEQ
    steps = [_eq(W1p, W1_seq), _eq(MatrixSymbol("W_2'", N_o, N_h), W2 - eta * G * W1p.T)]
    return Proof(residuals=[r1, r2, *_explicit_residuals(r1, TINY), *_explicit_residuals(r2, TINY)], steps=steps)


@gd_step_lambda.numeric_check
def _():
    rng = np.random.default_rng(70)
    T = rng.standard_normal((2, 3))
    w1, w2 = rng.standard_normal((4, 3)), rng.standard_normal((2, 4))
    h = 0.05
    Gv = w2 @ w1 - T
    lam0 = w1 @ w1.T - w2.T @ w2
    n1, n2 = gradient_descent(DeepLinearModel(T), (w1, w2), h, [0.0, h]).at(1)
    sim_pred = h**2 * (w2.T @ Gv @ Gv.T @ w2 - w1 @ Gv.T @ Gv @ w1.T)
    q1 = w1 - h * w2.T @ Gv
    q2 = w2 - h * Gv @ q1.T
    seq_pred = -(h**2) * (w2.T @ Gv @ Gv.T @ w2 + q1 @ Gv.T @ Gv @ q1.T)
    scale = max(1.0, np.abs(w1).max(), np.abs(w2).max(), np.abs(Gv).max()) ** 2
    tol = 64 * 4 * FLOAT64_EPS * scale
    out = [
        Measurement(
            float(np.abs((n1 @ n1.T - n2.T @ n2) - lam0 - sim_pred).max()),
            tol,
            "simultaneous step (gradient_descent) vs formula",
            "64 w eps |W|^2",
        ),
        Measurement(
            float(np.abs((q1 @ q1.T - q2.T @ q2) - lam0 - seq_pred).max()),
            tol,
            "sequential step vs formula",
            "64 w eps |W|^2",
        ),
    ]
    # lazyrich.two_layer_descent (the official code's sequential order) against the same formula
    e1, e2 = lazyrich.two_layer_descent(w1, w2, T, h, [0.0, h], update="sequential").at(1)
    out.append(
        Measurement(
            float(np.abs((e1 @ e1.T - e2.T @ e2) - lam0 - seq_pred).max()),
            tol,
            "two_layer_descent sequential step vs formula",
            "64 w eps |W|^2",
        )
    )
    return out


# ================================================================ series (claim 8)
series_limits = claim(
    "mixed_dynamics.series_limits",
    r"$\sqrt{s^2 + c^2} = c + s^2/(2c) - s^4/(8c^3) + O(c^{-5})$ as $c \to \infty$, $= s + c^2/(2s) - c^4/(8s^3) + O(c^6)$ as $c \to 0$ ($s > 0$)",
    Source(
        PAPER,
        "derived here (lazy and balanced reductions of eq. (1))",
        "derived; the remainders are $O(c^{-5})$ and $O(c^6)$, sharper than $O(c^{-4})$, $O(c^5)$",
    ),
    statement=lambda: [
        _eq(sp.sqrt(s**2 + c**2), c + s**2 / (2 * c) - s**4 / (8 * c**3) + sp.O(c**-5, (c, sp.oo))),
        _eq(sp.sqrt(s**2 + c**2), s + c**2 / (2 * s) - c**4 / (8 * s**3) + sp.O(c**6)),
    ],
)


@series_limits.symbolic_check
def _():
    sp_ = sp.Symbol("s", positive=True)
    e = sp.Symbol("epsilon", positive=True)  # c = 1/epsilon
    f = sp.sqrt(sp_**2 + c**2)
    large = sp.series(f.subs(c, 1 / e), e, 0, 5).removeO()
    r1 = sp.expand(large - (1 / e + sp_**2 * e / 2 - sp_**4 * e**3 / 8))
    small = sp.series(f, c, 0, 6).removeO()
    r2 = sp.expand(small - (sp_ + c**2 / (2 * sp_) - c**4 / (8 * sp_**3)))
    # the next terms exist (so the orders are exactly as stated)
    nxt1 = sp.limit((f - c - sp_**2 / (2 * c) + sp_**4 / (8 * c**3)) * c**5, c, sp.oo) - sp_**6 / 16
    nxt2 = sp.limit((f - sp_ - c**2 / (2 * sp_) + c**4 / (8 * sp_**3)) / c**6, c, 0) - 1 / (16 * sp_**5)
    return Proof(residuals=[r1, r2, nxt1, nxt2], steps=[_eq(f, sp.sqrt(1 + sp_**2 * e**2) / e)])


# ================================================================ unified NTK spectrum (claim 9)
U_ = MatrixSymbol("u", N_o, 1)
V_ = MatrixSymbol("v", N_i, 1)
P_sym, Q_sym = MatrixSymbol("P", N_o, N_o), MatrixSymbol("Q", N_i, N_i)
p_i, q_j = sp.symbols("p_i q_j", positive=True)

ntk_spectrum = claim(
    "mixed_dynamics.ntk_spectrum",
    r"The unified NTK $G \mapsto P G + G Q$ has eigenvalues $p_i + q_j$; $\lambda_{\max} = 2 \sqrt{s_{\max}^2 + c^2}$, $\lambda_{\min} \ge 2c$",
    Source(PAPER, "derived here (NTK operator of eq. (1))", "derived"),
    statement=lambda: [_eq(P_sym * (U_ * V_.T) + (U_ * V_.T) * Q_sym, (p_i + q_j) * U_ * V_.T)],
)


@ntk_spectrum.symbolic_check
def _():
    rules = [RewriteRule(P_sym * U_, p_i * U_), RewriteRule(V_.T * Q_sym, q_j * V_.T)]
    r = P_sym * U_ * V_.T + U_ * V_.T * Q_sym - (p_i + q_j) * U_ * V_.T
    steps = [_eq(P_sym * U_, p_i * U_), _eq(Q_sym * V_, q_j * V_)]
    return Proof(residuals=[r], steps=steps, symmetric=(P_sym, Q_sym), rules=rules)


@ntk_spectrum.numeric_check
def _():
    out = []
    for seed, (m, n, cv) in enumerate([(3, 4, 0.5), (4, 2, 2.0)]):
        rng = np.random.default_rng(90 + seed)
        sv = rng.uniform(0.3, 3.0, min(m, n))
        Av = matrix_with_singular_values((m, n), sv, rng)
        P = psd_sqrt(Av @ Av.T + cv**2 * np.eye(m))
        Q = psd_sqrt(Av.T @ Av + cv**2 * np.eye(n))
        # vec (column-major) of P G + G Q is (I kron P + Q^T kron I) vec G
        K = np.kron(np.eye(n), P) + np.kron(Q.T, np.eye(m))
        ev = np.sort(np.linalg.eigvalsh(K))
        p = np.concatenate([np.sqrt(sv**2 + cv**2), np.full(m - len(sv), cv)])
        q = np.concatenate([np.sqrt(sv**2 + cv**2), np.full(n - len(sv), cv)])
        pred = np.sort((p[:, None] + q[None, :]).ravel())
        tol = lazyrich.linalg_tolerance(2 * np.sqrt(9 + cv**2), 16 * m * n)
        out.append(
            Measurement(
                float(np.abs(ev - pred).max()),
                tol,
                f"{m}x{n}, c={cv}: Kronecker-sum eigenvalues vs p_i + q_j",
                "16 mn eps lambda_max",
            )
        )
        out.append(
            Measurement(
                max(0.0, 2 * cv - float(ev[0])), tol, "2c - lambda_min (must be <= round-off)", "16 mn eps lambda_max"
            )
        )
        out.append(
            Measurement(
                abs(float(ev[-1]) - 2 * np.sqrt(sv.max() ** 2 + cv**2)),
                tol,
                "lambda_max vs 2 sqrt(s_max^2+c^2)",
                "16 mn eps lambda_max",
            )
        )
    return out


# ================================================================ eq. (1) (claim 10)
def _code_discrete_eq1(A0, T, cv, step, n_steps):
    """The official code's discretisation of eq. (1): B <- B - eta [P(B) G_B + G_B Q(B)]."""
    B = A0.copy()
    for _ in range(n_steps):
        B = B + step * eq1_velocity(B, T, cv)
    return B


eq1 = claim(
    "mixed_dynamics.eq1",
    r"Eq. (1): $\dot A = -(A A^T + c^2 I)^{1/2} G - G (A^T A + c^2 I)^{1/2}$, $c = \sigma^2 w$, is the continuous limit of the code's update",
    Source(PAPER, "eq. (1)", "form from the official code; the paper's exact LaTeX is unconfirmed"),
    statement=lambda: [EQ1, _eq(c, sp.Symbol("sigma", positive=True) ** 2 * N_h)],
)


@eq1.symbolic_check
def _():
    # with X^2 = A^T A + c^2 I and Y^2 = A A^T + c^2 I (claim 3 with both offsets c^2 I),
    # the exact dA/dt = -(Y G + G X) (claim 1) is eq. (1) once X = Q(A), Y = P(A) (PSD roots)
    Xs, Ys = MatrixSymbol("X", N_i, N_i), MatrixSymbol("Y", N_o, N_o)
    rules = [RewriteRule(Xs, Q_sym), RewriteRule(Ys, P_sym)]
    r = -(Ys * G + G * Xs) - (-(P_sym * G + G * Q_sym))
    offsets = [
        X * X - (A.T * A + c**2 * Identity(N_i)) - (W1.T * LAMBDA * W1 - c**2 * Identity(N_i)),
        Y * Y - (A * A.T + c**2 * Identity(N_o)) - (-W2 * LAMBDA * W2.T - c**2 * Identity(N_o)),
    ]
    steps = [
        _eq(_ddt(A_s), -(Ys * G + G * Xs)),
        _eq(Xs * Xs, A_s.T * A_s + c**2 * I_i),
        _eq(Ys * Ys, A_s * A_s.T + c**2 * I_o),
        EQ1,
    ]
    return Proof(residuals=[r, *offsets], steps=steps, rules=rules)


@eq1.numeric_check
def _():
    # the code's discrete update converges to the DOP853 solution of eq. (1) at order 1
    rng = np.random.default_rng(100)
    T = matrix_with_singular_values((3, 3), [2.0, 1.0, 0.3], rng)
    A0 = 0.05 * rng.standard_normal((3, 3))
    cv, t_end = 0.5, 1.0
    ref = eq1_flow(A0, T, cv, np.array([0.0, t_end]))[0][-1]
    steps = [0.01, 0.005, 0.0025]
    errs = [float(np.abs(_code_discrete_eq1(A0, T, cv, h, round(t_end / h)) - ref).max()) for h in steps]
    order = fit_order(steps, errs)
    return Measurement(
        abs(order - 1.0),
        0.1,
        f"order of the code's update towards eq. (1) (order {order:.3f})",
        "integer orders 1 apart",
    )


# ================================================================ lazy limit (claim 11)
A0_s = MatrixSymbol("A_0", N_o, N_i)
T_s = MatrixSymbol("T", N_o, N_i)
LAZY_SOLUTION = T_s + sp.exp(-2 * c * t) * (A0_s - T_s)

lazy_limit = claim(
    "mixed_dynamics.lazy_limit",
    r"Lazy limit: $(A A^T + c^2)^{1/2} = c I + A A^T/(2c) + O(\|A\|^4/c^3)$, so $dA/d(2ct) = -G + O(\|A\|^2/c^2)$; MSE solution $A = T + e^{-2ct} (A_0 - T)$",
    Source(PAPER, "derived here (lazy regime of eq. (1))", "derived"),
    statement=lambda: [
        _eq(_ddt(LAZY_SOLUTION), -2 * c * (LAZY_SOLUTION - T_s)),
        _eq(P_A, c * I_o + A_s * A_s.T / (2 * c) + MatrixSymbol(r"O(\|A\|^4/c^3)", N_o, N_o)),
    ],
)


@lazy_limit.symbolic_check
def _():
    r_sol = time_derivative(LAZY_SOLUTION, {t: 1}) + 2 * c * (LAZY_SOLUTION - T_s)
    # (cI + AA^T/(2c))^2 = AA^T + c^2 I + (AA^T)^2/(4c^2): the truncation error of the square root
    approx = c * I_o + A_s * A_s.T / (2 * c)
    r_sq = approx * approx - (A_s * A_s.T + c**2 * I_o) - A_s * A_s.T * A_s * A_s.T / (4 * c**2)
    steps = [_eq(approx * approx, A_s * A_s.T + c**2 * I_o + (A_s * A_s.T) ** 2 / (4 * c**2))]
    return Proof(residuals=[r_sol, r_sq, explicit_residual(r_sq, {N_o: 2, N_i: 2})], steps=steps)


@lazy_limit.numeric_check
def _():
    # on singular values: 0 <= sqrt(s^2+c^2) - c <= s^2/(2c) and 0 <= s^2/(2c) - (sqrt(s^2+c^2) - c) <= s^4/(8c^3),
    # hence |(PG+GQ)/(2c) - G| <= |A|^2 |G|/(2c^2) and, after the second-order term, <= |A|^4 |G|/(8c^4)
    out = []
    for seed, ratio in enumerate([0.3, 0.1, 0.03]):
        rng = np.random.default_rng(110 + seed)
        cv = 5.0
        Av = matrix_with_singular_values((3, 4), np.array([1.0, 0.6, 0.2]) * ratio * cv, rng)
        Gv = rng.standard_normal((3, 4))
        a, g = np.linalg.norm(Av, 2), np.linalg.norm(Gv, 2)
        P = psd_sqrt(Av @ Av.T + cv**2 * np.eye(3))
        Q = psd_sqrt(Av.T @ Av + cv**2 * np.eye(4))
        lin = (P @ Gv + Gv @ Q) / (2 * cv)
        first = np.linalg.norm(lin - Gv, 2)
        second = np.linalg.norm(lin - Gv - (Av @ Av.T @ Gv + Gv @ Av.T @ Av) / (4 * cv**2), 2)
        rnd = lazyrich.linalg_tolerance(g * 2 * cv, 64)
        out.append(
            Measurement(
                max(0.0, first - a**2 * g / (2 * cv**2)),
                rnd,
                f"|A|/c={ratio}: first-order excess over |A|^2|G|/(2c^2)",
                "64 eps |G| c (eigh round-off)",
            )
        )
        out.append(
            Measurement(
                max(0.0, second - a**4 * g / (8 * cv**4)),
                rnd,
                f"|A|/c={ratio}: second-order excess over |A|^4|G|/(8c^4)",
                "64 eps |G| c",
            )
        )
    return out


# ================================================================ balanced limit (claim 12)
balanced_limit = claim(
    "mixed_dynamics.balanced_limit",
    r"$c = 0$: $\dot A = -(A A^T)^{1/2} G - G (A^T A)^{1/2}$; exact for balanced weights ($\Lambda = 0$)",
    Source(
        PAPER, "derived here (balanced regime of eq. (1))", "derived (standard balanced dynamics, Arora et al. (2018))"
    ),
    statement=lambda: [_eq1_at(0), _eq(X * X, A.T * A), _eq(Y * Y, A * A.T)],
)


@balanced_limit.symbolic_check
def _():
    # Lambda = 0 means W2^T W2 = W1 W1^T; then X^2 = A^T A and Y^2 = A A^T, whose PSD roots are X, Y
    rules = [RewriteRule(W2.T * W2, W1 * W1.T)]
    residuals = [X * X - A.T * A, Y * Y - A * A.T]
    residuals.append(sp.sqrt(s**2 + c**2).subs(c, 0) - sp.Abs(s))
    steps = [_eq(W2.T * W2, W1 * W1.T), _eq(X * X, A.T * A), _eq(Y * Y, A * A.T)]
    return Proof(residuals=residuals, steps=steps, rules=rules)


@balanced_limit.numeric_check
def _():
    rng = np.random.default_rng(120)
    d = 3
    T = matrix_with_singular_values((d, d), [2.0, 1.2, 0.6], rng)
    A0 = matrix_with_singular_values((d, d), [0.3, 0.2, 0.1], rng)
    Uv, Sv, Vt = np.linalg.svd(A0)
    Rv = random_orthogonal(d, rng)
    init = (Rv @ np.diag(np.sqrt(Sv)) @ Vt, Uv @ np.diag(np.sqrt(Sv)) @ Rv.T)  # balanced: W1 W1^T = W2^T W2
    return _weight_flow_vs_eq1(T, *init, 0.0, np.linspace(0.0, 1.0, 11), "balanced weight flow vs eq. (1) at c = 0")


# ================================================================ exact manifold (claim 13)
def manifold_init(A0: np.ndarray, cv: float) -> tuple[np.ndarray, np.ndarray]:
    """Width-2d weights with both offsets c^2 I and W2 W1 = A0 (derived here: exact invariant manifold of eq. (1))."""
    d = A0.shape[0]
    Uv, Sv, Vt = np.linalg.svd(A0)
    K = Sv / np.sqrt(Sv**2 + cv**2)
    root4 = (Sv**2 + cv**2) ** 0.25  # X^{1/2} = V diag(root4) V^T, Y^{1/2} = U diag(root4) U^T
    X_half = (Vt.T * root4) @ Vt
    Y_half = (Uv * root4) @ Uv.T
    Om1 = np.vstack([np.eye(d), np.zeros((d, d))]) @ Vt
    Om2 = np.vstack([K[:, None] * Uv.T, np.sqrt(1 - K**2)[:, None] * Uv.T])
    return Om1 @ X_half, Y_half @ Om2.T


exact_manifold = claim(
    "mixed_dynamics.exact_manifold",
    r"On $W_1^T \Lambda W_1 = -W_2 \Lambda W_2^T = c^2 I$ (width-$2d$ construction) weight gradient flow follows eq. (1) exactly",
    Source(
        PAPER,
        "derived here (exact invariant manifold of eq. (1))",
        r"derived; construction $W_1 = \Omega_1 X^{1/2}$, $W_2 = Y^{1/2} \Omega_2^T$",
    ),
    statement=lambda: [
        _eq(W1.T * LAMBDA * W1, c**2 * Identity(N_i)),
        _eq(-W2 * LAMBDA * W2.T, c**2 * Identity(N_o)),
        EQ1,
    ],
)


@exact_manifold.symbolic_check
def _():
    # on the manifold D = A X - Y A = 0 (intertwining), so the offsets' rates (claim 5) vanish
    Dm = MatrixSymbol("D", N_o, N_i)
    r1 = time_derivative(W1.T * LAMBDA * W1, RATES) + (G.T * D + D.T * G)
    r2 = (-(G.T * Dm + Dm.T * G)).subs(Dm, ZeroMatrix(N_o, N_i))
    steps = [
        _eq(D, A * X - Y * A),
        _eq(P_A * A_s, A_s * Q_A),
        _eq(D, ZeroMatrix(N_o, N_i)),
        _eq(_ddt(W1.T * LAMBDA * W1), ZeroMatrix(N_i, N_i)),
    ]
    return Proof(residuals=[r1, r2], steps=steps)


@exact_manifold.numeric_check
def _():
    out = []
    for seed, (d, cv) in enumerate([(3, 0.5), (2, 2.0)]):
        rng = np.random.default_rng(130 + seed)
        T = matrix_with_singular_values((d, d), rng.uniform(0.5, 2.0, d), rng)
        A0 = matrix_with_singular_values((d, d), rng.uniform(0.05, 0.5, d), rng)
        w1, w2 = manifold_init(A0, cv)
        lam0 = w1 @ w1.T - w2.T @ w2
        rnd = lazyrich.linalg_tolerance(cv**2 + 1, 64 * d)
        out.append(Measurement(float(np.abs(w2 @ w1 - A0).max()), rnd, f"d={d}: W2 W1 = A0", "64 d eps (|A|^2 + c^2)"))
        out.append(
            Measurement(
                float(np.abs(w1.T @ lam0 @ w1 - cv**2 * np.eye(d)).max()),
                rnd * (cv**2 + 1),
                f"d={d}: W1^T Lambda W1 = c^2 I",
                "64 d eps (|A|^2+c^2)^2",
            )
        )
        out.append(
            Measurement(
                float(np.abs(-w2 @ lam0 @ w2.T - cv**2 * np.eye(d)).max()),
                rnd * (cv**2 + 1),
                f"d={d}: -W2 Lambda W2^T = c^2 I",
                "64 d eps (|A|^2+c^2)^2",
            )
        )
        times = np.linspace(0.0, 2.0, 11)
        out.append(_weight_flow_vs_eq1(T, w1, w2, cv, times, f"d={d}, c={cv}: weight flow (w = 2d) vs eq. (1)"))
    return out


# ================================================================ lambda-balanced (claim 14)
Xs_, Ys_ = MatrixSymbol("X", N_i, N_i), MatrixSymbol("Y", N_o, N_o)


def lambda_balanced_pair(Av: np.ndarray, lv: float, rng) -> tuple[np.ndarray, np.ndarray]:
    """W1 W1^T - W2^T W2 = lam I with h = d_in: W1 = R X^{1/2}, X = lam/2 + (A^T A + lam^2/4)^{1/2}, W2 = A W1^{-1}."""
    d_in = Av.shape[1]
    Xv = lv / 2 * np.eye(d_in) + psd_sqrt(Av.T @ Av + lv**2 / 4 * np.eye(d_in))
    w1 = random_orthogonal(d_in, rng) @ psd_sqrt(Xv)
    return w1, Av @ np.linalg.inv(w1)


lambda_balanced = claim(
    "mixed_dynamics.lambda_balanced",
    r"$\lambda$-balanced nets ($\Lambda = \lambda I$, $h = d_{\mathrm{in}}$, $\lambda > 0$) satisfy eq. (1) exactly with $c = \lambda/2$",
    Source(
        PAPER,
        r"derived here (eq. (1) for $\lambda$-balanced nets; Dominé et al. (2025), Sec. 3)",
        r"derived; the bridge to Dominé et al.'s $\lambda$-balanced solutions ($\sigma^4 w^2 \leftrightarrow \lambda^2/4$)",
    ),
    statement=lambda: [
        _eq(LAMBDA, lam * Identity(N_h)),
        _eq((Xs_ - lam / 2 * I_i) ** 2, A_s.T * A_s + lam**2 / 4 * I_i),
        _eq((Ys_ + lam / 2 * I_o) ** 2, A_s * A_s.T + lam**2 / 4 * I_o),
        _eq1_at(lam / 2),
    ],
)


@lambda_balanced.symbolic_check
def _():
    Ih = Identity(N_h)
    # Tu convention: W1 W1^T - W2^T W2 = lam I, i.e. W2^T W2 -> W1 W1^T - lam I (shortens W2-words)
    tu_rule = [RewriteRule(W2.T * W2, W1 * W1.T - lam * Ih)]
    rx = (X - lam / 2 * I_i) * (X - lam / 2 * I_i) - (A.T * A + lam**2 / 4 * I_i)
    ry = (Y + lam / 2 * I_o) * (Y + lam / 2 * I_o) - (A * A.T + lam**2 / 4 * I_o)
    # Dominé convention: W2^T W2 - W1 W1^T = lam I (h = d_out); then (Y - lam/2)^2 = M M^T + lam^2/4
    dom_rule = [RewriteRule(W2.T * W2, W1 * W1.T + lam * Ih)]
    ry_dom = (Y - lam / 2 * I_o) * (Y - lam / 2 * I_o) - (A * A.T + lam**2 / 4 * I_o)
    rx_dom = (X + lam / 2 * I_i) * (X + lam / 2 * I_i) - (A.T * A + lam**2 / 4 * I_i)
    checks = [canonicalize(e, rules=tu_rule).as_expr() for e in (rx, ry)]
    checks += [canonicalize(e, rules=dom_rule).as_expr() for e in (ry_dom, rx_dom)]
    # independent explicit route, no constraint used: X^2 - lam X - A^T A = W1^T (Lambda - lam I) W1
    unconstrained = [
        X * X - lam * X - A.T * A - W1.T * (LAMBDA - lam * Ih) * W1,
        Y * Y + lam * Y - A * A.T + W2 * (LAMBDA - lam * Ih) * W2.T,
    ]
    w1, w2 = (lazyrich.explicit_matrix(m, {N_i: 2, N_h: 2, N_o: 2}) for m in (W1, W2))
    Xe, Ye, Ae, Le = w1.T * w1, w2 * w2.T, w2 * w1, w1 * w1.T - w2.T * w2 - lam * sp.eye(2)
    explicit = [
        (Xe * Xe - lam * Xe - Ae.T * Ae - w1.T * Le * w1).applyfunc(sp.expand),
        (Ye * Ye + lam * Ye - Ae * Ae.T + w2 * Le * w2.T).applyfunc(sp.expand),
    ]
    # the +-lam/2 shifts cancel: Y = P - lam/2, X = Q + lam/2 give -(YG + GX) = -(PG + GQ)
    shift = -((P_sym - lam / 2 * I_o) * G + G * (Q_sym + lam / 2 * I_i)) + (P_sym * G + G * Q_sym)
    steps = [
        _eq(W2.T * W2, W1 * W1.T - lam * Ih),
        _eq(X * X, A.T * A + lam * X),
        _eq((Xs_ - lam / 2 * I_i) ** 2, A_s.T * A_s + lam**2 / 4 * I_i),
        _eq(Xs_, lam / 2 * I_i + Q_A.subs(c, lam / 2)),
        _eq(Ys_, -lam / 2 * I_o + P_A.subs(c, lam / 2)),
        _eq1_at(lam / 2),
    ]
    return Proof(residuals=[*checks, *unconstrained, *explicit, shift], steps=steps)


@lambda_balanced.numeric_check
def _():
    out = []
    for seed, (d_out, d_in, lv) in enumerate([(3, 3, 1.0), (2, 3, 0.4), (4, 2, 3.0)]):
        rng = np.random.default_rng(140 + seed)
        T = matrix_with_singular_values((d_out, d_in), rng.uniform(0.5, 2.0, min(d_in, d_out)), rng)
        A0 = matrix_with_singular_values((d_out, d_in), rng.uniform(0.05, 0.5, min(d_in, d_out)), rng)
        w1, w2 = lambda_balanced_pair(A0, lv, rng)
        bal_err = float(np.abs(w1 @ w1.T - w2.T @ w2 - lv * np.eye(d_in)).max())
        out.append(
            Measurement(
                bal_err,
                lazyrich.linalg_tolerance(1 + lv, 256),
                f"{d_out}x{d_in}: Lambda = lambda I",
                "256 eps (1 + lambda) (eigh, inverse)",
            )
        )
        times = np.linspace(0.0, 1.5, 7)
        what = f"{d_out}x{d_in}, lambda={lv}: weight flow vs eq. (1) with c = lambda/2"
        out.append(_weight_flow_vs_eq1(T, w1, w2, lv / 2, times, what))
    # Dominé convention W2^T W2 - W1 W1^T = lam I with h = d_out (lazyrich.lambda_balanced_init, issue 3)
    w1, w2 = lazyrich.lambda_balanced_init(3, 2, 2, 0.8, sigma=0.5, seed=143)
    T = matrix_with_singular_values((2, 3), [1.5, 0.7], np.random.default_rng(144))
    times = np.linspace(0.0, 1.5, 7)
    what = "lambda_balanced_init(3, 2, 2, 0.8): weight flow vs eq. (1) with c = 0.4"
    out.append(_weight_flow_vs_eq1(T, w1, w2, 0.4, times, what))
    return out


# ================================================================ aligned case (claims 15-19)
def mp_aligned(tv, s0v, sstar, cv):
    """Closed form of ds/dt = 2 sqrt(s^2+c^2)(s* - s) (derived here from eq. (1)), evaluated in mpmath at the current precision."""
    tv, s0v, sstar, cv = (mp.mpf(x) for x in (tv, s0v, sstar, cv))
    Rv = mp.sqrt(sstar**2 + cv**2)
    vp, vm = (sstar + Rv) / cv, -cv / (sstar + Rv)  # v_- = (s* - R)/c = -c/(s* + R), without cancellation
    r0 = mp.sqrt(s0v**2 + cv**2)
    v0 = (s0v + r0) / cv if s0v >= 0 else cv / (r0 - s0v)  # (s0 + r0)/c without cancellation for s0 < 0
    K = (v0 - vp) / (v0 - vm)
    e = K * mp.exp(-2 * Rv * tv)
    vt = (vp - vm * e) / (1 - e)
    return cv / 2 * (vt - 1 / vt)


aligned_decoupling = claim(
    "mixed_dynamics.aligned_decoupling",
    r"Aligned $A(0) = U \operatorname{diag}(s(0)) V^T$, $T = U \operatorname{diag}(s^*) V^T$: eq. (1) keeps the alignment and $\dot s_i = 2 \sqrt{s_i^2 + c^2} \, (s^*_i - s_i)$",
    Source(PAPER, "derived here (aligned solutions of eq. (1))", "derived"),
    statement=lambda: [_eq(_ddt(s), 2 * sp.sqrt(s**2 + c**2) * (s_star - s))],
)


@aligned_decoupling.symbolic_check
def _():
    # general shape, rank 2: A = sum_i s_i u_i v_i^T with orthonormal u_i (d_out x 1), v_i (d_in x 1);
    # then P = sum_i r_i u_i u_i^T + c (I - sum_i u_i u_i^T), r_i = sqrt(s_i^2 + c^2), and Q likewise
    us = [MatrixSymbol(f"u_{i}", N_o, 1) for i in (1, 2)]
    vs = [MatrixSymbol(f"v_{i}", N_i, 1) for i in (1, 2)]
    sv = sp.symbols("s_1 s_2", real=True)
    tv = sp.symbols("s^*_1 s^*_2", real=True)
    r = [sp.sqrt(x**2 + c**2) for x in sv]
    rules = [
        RewriteRule(x[i].T * x[j], Identity(1) if i == j else ZeroMatrix(1, 1))
        for x in (us, vs)
        for i in (0, 1)
        for j in (0, 1)
    ]

    def rank2(coef, left, right):
        return sum((coef[i] * left[i] * right[i].T for i in (0, 1)), ZeroMatrix(left[0].shape[0], right[0].shape[0]))

    Am, Tm = rank2(sv, us, vs), rank2(tv, us, vs)
    P = rank2(r, us, us) + c * (I_o - rank2((1, 1), us, us))
    Q = rank2(r, vs, vs) + c * (I_i - rank2((1, 1), vs, vs))
    rhs = -(P * (Am - Tm) + (Am - Tm) * Q)
    decoupled = rank2([2 * r[i] * (tv[i] - sv[i]) for i in (0, 1)], us, vs)
    residuals = [P * P - (Am * Am.T + c**2 * I_o), Q * Q - (Am.T * Am + c**2 * I_i), rhs - decoupled]
    steps = [
        _eq(A_s, sp.Symbol(r"\sum_i s_i u_i v_i^T")),
        _eq(P_A, sp.Symbol(r"\sum_i \sqrt{s_i^2+c^2} u_i u_i^T + c (I - \sum_i u_i u_i^T)")),
        _eq(_ddt(s), 2 * sp.sqrt(s**2 + c**2) * (s_star - s)),
    ]
    return Proof(residuals=residuals, steps=steps, rules=rules)


def aligned_decoupling_case():
    """The claim's case (shared with its certified check): ``(U, V, s0, s*, c, times, eq1_flow, closed)``.

    ``eq1_flow`` is :func:`eq1_flow`'s ``(A, n_steps, atol, scale)``; ``closed`` the 20-digit mpmath closed
    form per mode, rounded to float64, shape ``(len(times), d)``.
    """
    rng = np.random.default_rng(150)
    d, cv = 3, 0.4
    Uv, Vv = random_orthogonal(d, rng), random_orthogonal(d, rng)
    sv0, svs = np.array([0.05, -0.2, 1.5]), np.array([2.0, 1.0, 0.5])
    times = np.linspace(0.0, 1.5, 7)
    flow = eq1_flow((Uv * sv0) @ Vv.T, (Uv * svs) @ Vv.T, cv, times)
    with mp.workdps(20):  # per computation, never the global precision
        closed = np.array([[float(mp_aligned(tv, a_, b_, cv)) for a_, b_ in zip(sv0, svs)] for tv in times])
    return Uv, Vv, sv0, svs, cv, times, flow, closed


@aligned_decoupling.numeric_check
def _():
    Uv, Vv, _s0, _ss, _c, _times, (A_e, n_e, atol_e, sc_e), closed = aligned_decoupling_case()
    d = Uv.shape[0]
    A_c = np.einsum("ij,kj,lj->kil", Uv, closed, Vv)
    tol = ode_global_tolerance(n_e, RTOL, atol_e, sc_e) + lazyrich.linalg_tolerance(sc_e, 16 * d)
    return Measurement(
        float(np.abs(A_e - A_c).max()),
        tol,
        "matrix eq. (1) flow vs U diag(closed form) V^T",
        "DOP853 global bound + 16 d eps |A|",
    )


v_plus, v_minus = (s_star + R_) / c, (s_star - R_) / c
V0 = (s0 + sp.sqrt(s0**2 + c**2)) / c
K0_def = (V0 - v_plus) / (V0 - v_minus)
V_T = (v_plus - v_minus * K0 * sp.exp(-2 * R_ * t)) / (1 - K0 * sp.exp(-2 * R_ * t))
S_OF_V = c / 2 * (v - 1 / v)

closed_form = claim(
    "mixed_dynamics.closed_form",
    r"Closed form: $s(t) = (c/2)(v - 1/v)$, $v = (v_+ - v_- K_0 e^{-2Rt})/(1 - K_0 e^{-2Rt})$, $R = \sqrt{s^{*2} + c^2}$, $v_\pm = (s^* \pm R)/c$",
    Source(
        PAPER,
        "derived here (aligned solutions of eq. (1))",
        r"derived: $s = c \sinh u$, $v = e^u$ gives the Riccati equation $\dot v = -c (v - v_+)(v - v_-)$",
    ),
    statement=lambda: [
        _eq(sp.Symbol("s(t)"), S_OF_V.subs(v, V_T)),
        _eq(R_, sp.sqrt(s_star**2 + c**2)),
        _eq(K0, K0_def),
        _eq(_ddt(sp.Function("v")(t)), -c * (sp.Function("v")(t) - v_plus) * (sp.Function("v")(t) - v_minus)),
    ],
)


@closed_form.symbolic_check
def _():
    Rv = sp.sqrt(s_star**2 + c**2)
    # with q = K0 e^{-2Rt}: dq/dt = -2R q, so dv/dt = -2R q dv/dq; holds for any v+, v-, K0 with c (v+ - v-) = 2R
    q = sp.Symbol("q")
    vq = (v_plus - v_minus * q) / (1 - q)
    riccati = sp.cancel(-2 * R_ * q * sp.diff(vq, q) + c * (vq - v_plus) * (vq - v_minus))
    same_exp = sp.simplify(V_T.subs(K0 * sp.exp(-2 * R_ * t), q) - vq)
    vp, vm = v_plus.subs(R_, Rv), v_minus.subs(R_, Rv)
    vdot = -c * (v - vp) * (v - vm)
    root = c / 2 * (v + 1 / v)  # = sqrt(s^2 + c^2) for v > 0
    chain = sp.expand(sp.diff(S_OF_V, v) * vdot - 2 * root * (s_star - S_OF_V))
    pyth = sp.expand(root**2 - S_OF_V**2 - c**2)
    r0 = sp.Symbol("r_0", positive=True)  # sqrt(s0^2 + c^2)
    initial = sp.expand(sp.numer(sp.together(S_OF_V.subs(v, (s0 + r0) / c) - s0))).subs(r0**2, s0**2 + c**2)
    at_zero = sp.expand(vdot.subs(v, 0) - c)  # dv/dt = c > 0 at v = 0: v never leaves (0, oo)
    ks = sp.cancel(vq.subs(q, K0_def) - V0)  # v(0) = v0
    steps = [
        _eq(s, c * sp.sinh(u)),
        _eq(_ddt(u), 2 * (s_star - c * sp.sinh(u))),
        _eq(v, sp.exp(u)),
        _eq(sp.sqrt(s**2 + c**2), root),
        _eq(sp.Symbol(r"\dot v"), vdot),
        _eq(sp.Symbol(r"v_+ v_-"), -1),
    ]
    return Proof(residuals=[riccati, same_exp, chain, pyth, sp.expand(initial), at_zero, ks], steps=steps)


@closed_form.numeric_check
def _():
    out = []
    # (a) the ODE residual by mpmath's numerical differentiation at 30 digits, any sign of s0 - s*
    with mp.workdps(30):
        for s0v, ssv, cv in [("0.1", "2", "0.5"), ("-1", "1", "0.3"), ("3", "1", "2"), ("0", "4", "1e-6")]:
            a_, b_, c_ = mp.mpf(s0v), mp.mpf(ssv), mp.mpf(cv)
            res = []
            for tv in (mp.mpf("0.1"), mp.mpf(1), mp.mpf(3)):
                sv_ = mp_aligned(tv, a_, b_, c_)
                res.append(
                    abs(
                        mp.diff(lambda x, a_=a_, b_=b_, c_=c_: mp_aligned(x, a_, b_, c_), tv)
                        - 2 * mp.sqrt(sv_**2 + c_**2) * (b_ - sv_)
                    )
                )
            res.append(abs(mp_aligned(0, a_, b_, c_) - a_))
            out.append(
                Measurement(
                    float(max(res)),
                    mp_tolerance(30) * float(b_ + abs(a_) + 1) ** 2,
                    f"s0={s0v}, s*={ssv}, c={cv}: ODE residual (mp.diff) and s(0) - s0",
                    "eps^0.8 at 30 digits times the scale of the right-hand side",
                )
            )
    # (b) against mpmath's Taylor-series ODE solver (the initial value problem itself)
    with mp.workdps(20):
        a_, b_, c_ = mp.mpf(-1), mp.mpf(1), mp.mpf("0.3")
        f = mp.odefun(lambda _t, y: 2 * mp.sqrt(y**2 + c_**2) * (b_ - y), 0, a_)
        err = max(abs(f(tv) - mp_aligned(tv, a_, b_, c_)) for tv in (mp.mpf("0.5"), mp.mpf(2)))
        out.append(
            Measurement(
                float(err),
                10 * mp_tolerance(20),
                "s0=-1, s*=1, c=0.3: closed form vs mp.odefun (20 digits)",
                "10 eps^0.8 at 20 digits",
            )
        )
    engine = lazyrich.mixed_aligned_singular_value
    # lazyrich's float64 solution vs the mpmath closed form above
    with mp.workdps(30):
        for s0v, ssv, cv in [(0.1, 2.0, 0.5), (-1.0, 1.0, 0.3), (3.0, 1.0, 2.0), (1e-3, 5.0, 1e-9)]:
            ts = np.array([0.0, 0.3, 1.0, 2.0])
            got = np.asarray(engine(ts, s0v, ssv, cv), dtype=float)
            ref = np.array([float(mp_aligned(tv, s0v, ssv, cv)) for tv in ts])
            out.append(
                Measurement(
                    float(np.abs(got - ref).max()),
                    64 * FLOAT64_EPS * max(abs(s0v), ssv, cv),
                    f"mixed_aligned_singular_value(s0={s0v}, s*={ssv}, c={cv}) vs mpmath",
                    "64 eps max(|s0|, s*, c)",
                )
            )
    return out


def mp_time_to(s_value, s0v, sstar, cv):
    """Exact time at which the aligned solution reaches ``s_value`` (inverting the closed form), mpmath."""
    s_value, s0v, sstar, cv = (mp.mpf(x) for x in (s_value, s0v, sstar, cv))
    Rv = mp.sqrt(sstar**2 + cv**2)
    vp, vm = (sstar + Rv) / cv, -cv / (sstar + Rv)

    def v_of(x):
        r = mp.sqrt(x**2 + cv**2)
        return (x + r) / cv if x >= 0 else cv / (r - x)

    K = (v_of(s0v) - vp) / (v_of(s0v) - vm)
    vt = v_of(s_value)
    return -mp.log((vt - vp) / (K * (vt - vm))) / (2 * Rv)


TAIL_COEFF = 2 * R_**2 / (s_star + R_)

tail_asymptotics = claim(
    "mixed_dynamics.tail_asymptotics",
    r"Tail: $s^* - s(t) \sim -(2R^2/(s^* + R)) K_0 e^{-2Rt}$ ($|K_0|$ in place of $-K_0$ holds only for $s_0 < s^*$); $s_0 = 0$, $c \ll s^*$: $t_\delta \sim \ln(2s^*/(c\delta))/(2s^*)$",
    Source(
        PAPER,
        "derived here (aligned solutions of eq. (1))",
        "derived; CORRECTED: the form with $|K_0|$ has the wrong sign when $s_0 > s^*$ (then $K_0 > 0$ and $s > s^*$)",
    ),
    statement=lambda: [
        _eq(sp.Symbol("s^* - s(t)"), -TAIL_COEFF * K0 * sp.exp(-2 * R_ * t) + sp.O(sp.exp(-4 * R_ * t), (t, sp.oo))),
        _eq(sp.Symbol(r"t_\delta"), sp.log(2 * s_star / (c * sp.Symbol("delta"))) / (2 * s_star)),
    ],
)


@tail_asymptotics.symbolic_check
def _():
    q = sp.Symbol("q")  # q = K0 e^{-2Rt} -> 0
    s_q = S_OF_V.subs(v, (v_plus - v_minus * q) / (1 - q))

    def mod_r(e):  # reduce modulo R^2 = s*^2 + c^2 (exact polynomial remainder in R)
        return sp.rem(sp.expand(sp.numer(sp.together(e))), R_**2 - s_star**2 - c**2, R_)

    at0 = mod_r(s_q.subs(q, 0) - s_star)  # s -> s* (v+ v- = -1)
    slope = mod_r(sp.diff(s_q, q).subs(q, 0) - TAIL_COEFF)  # s - s* = (2R^2/(s*+R)) q + O(q^2)
    # s0 = 0 and c -> 0: v0 = 1, c K0 = c (1 - v+)/(1 - v-) -> -2 s*
    sp0 = sp.Symbol("s^*", positive=True)
    Rv = sp.sqrt(sp0**2 + c**2)
    k0_small_c = sp.limit((c - (sp0 + Rv)) / (1 - (sp0 - Rv) / c), c, 0, "+") + 2 * sp0
    # sign of K0: v- < 0 < v0, so K0 < 0 iff v0 < v+ iff s0 < s*; |K0| = -K0 only then
    steps = [
        _eq(sp.Symbol("s(q)"), s_star + TAIL_COEFF * sp.Symbol("q") + sp.O(sp.Symbol("q") ** 2)),
        _eq(sp.Symbol(r"\lim_{c\to0} c K_0|_{s_0=0}"), -2 * s_star),
    ]
    return Proof(residuals=[at0, slope, k0_small_c], steps=steps)


@tail_asymptotics.numeric_check
def _():
    out = []
    with mp.workdps(40):
        for s0v, ssv, cv in [("0.1", "2", "0.5"), ("3", "1", "2"), ("-1", "1", "0.3")]:
            a_, b_, c_ = mp.mpf(s0v), mp.mpf(ssv), mp.mpf(cv)
            Rv = mp.sqrt(b_**2 + c_**2)
            v0 = (a_ + mp.sqrt(a_**2 + c_**2)) / c_
            K = (v0 - (b_ + Rv) / c_) / (v0 - (b_ - Rv) / c_)
            tv = mp.mpf(12) / Rv  # q ~ e^{-24}: the O(q^2) correction is ~ e^{-24} relative
            ratio = (b_ - mp_aligned(tv, a_, b_, c_)) / (-2 * Rv**2 / (b_ + Rv) * K * mp.exp(-2 * Rv * tv))
            out.append(
                Measurement(
                    float(abs(ratio - 1)),
                    10 * float(abs(K) * mp.exp(-2 * Rv * tv)) + mp_tolerance(40) * 1e12,
                    f"s0={s0v}, s*={ssv}: (s* - s)/(-(2R^2/(s*+R)) K0 e^-2Rt) - 1",
                    "O(q) next term, q = |K0| e^{-2Rt}",
                )
            )
        # t_delta for s0 = 0, c << s*: neglected terms are relative O(delta) in q and O(c/s*) in K0
        b_, c_, delta = mp.mpf(3), mp.mpf("1e-4"), mp.mpf("1e-3")
        t_exact = mp_time_to(b_ * (1 - delta), 0, b_, c_)
        t_approx = mp.log(2 * b_ / (c_ * delta)) / (2 * b_)
        out.append(
            Measurement(
                float(abs(2 * b_ * (t_exact - t_approx))),
                float(2 * (delta + c_ / b_)),
                "2s* |t_delta - ln(2s*/(c delta))/(2s*)|",
                "2 (delta + c/s*): first neglected terms",
            )
        )
    return out


early_phase = claim(
    "mixed_dynamics.early_phase",
    r"Early phase: $s(t) \approx c \sinh(2s^* t + \operatorname{asinh}(s_0/c))$ while $s \ll s^*$; from $s_0 = 0$ the threshold $s = c$ is crossed at $t \approx \operatorname{asinh}(1)/(2s^*)$",
    Source(
        PAPER,
        "derived here (aligned solutions of eq. (1); Fig. 1)",
        r"heuristic, not proven; checked against the rigorous bounds $0 \le u_{\mathrm{approx}} - u \le 2t \max s$ and $\operatorname{asinh}(1)/(2s^*) \le t_c \le \operatorname{asinh}(1)/(2(s^* - c))$",
    ),
    statement=lambda: [
        _eq(sp.Symbol("s(t)"), c * sp.sinh(2 * s_star * t + sp.asinh(s0 / c))),
        _eq(sp.Symbol("t_c"), sp.asinh(1) / (2 * s_star)),
    ],
    heuristic=True,
)


@early_phase.symbolic_check
def _():
    # u = asinh(s/c) obeys du/dt = 2 (s* - s) exactly; dropping s against s* gives u = u0 + 2 s* t,
    # i.e. s = c sinh(U), U = 2 s* t + asinh(s0/c), which solves ds/dt = 2 sqrt(s^2 + c^2) s*
    r1 = sp.simplify(sp.diff(sp.asinh(s / c), s) * 2 * sp.sqrt(s**2 + c**2) * (s_star - s) - 2 * (s_star - s))
    U = sp.Symbol("U", real=True)
    cosh_is_root = sp.expand(((c * sp.cosh(U)) ** 2 - (c * sp.sinh(U)) ** 2 - c**2).rewrite(sp.exp))
    approx = c * sp.sinh(2 * s_star * t + sp.asinh(s0 / c))
    r2 = sp.diff(approx, t) - 2 * s_star * c * sp.cosh(2 * s_star * t + sp.asinh(s0 / c))
    r3 = sp.simplify(approx.subs(t, 0) - s0)
    u_t = sp.Function("u")(t)
    steps = [_eq(sp.Derivative(u_t, t), 2 * (s_star - c * sp.sinh(u_t))), _eq(sp.Derivative(u_t, t), 2 * s_star)]
    return Proof(residuals=[r1, cosh_is_root, r2, r3], steps=steps)


@early_phase.numeric_check
def _():
    out = []
    with mp.workdps(30):
        for s0v, ssv, cv in [("0", "5", "0.01"), ("0.001", "2", "0.05"), ("-0.01", "3", "0.02")]:
            a_, b_, c_ = mp.mpf(s0v), mp.mpf(ssv), mp.mpf(cv)
            t_hi = mp_time_to(b_ / 10, a_, b_, c_)  # the early phase: s up to s*/10
            worst = mp.mpf(0)
            for frac in (mp.mpf("0.25"), mp.mpf("0.5"), mp.mpf(1)):
                tv = frac * t_hi
                du = 2 * b_ * tv + mp.asinh(a_ / c_) - mp.asinh(mp_aligned(tv, a_, b_, c_) / c_)
                bound = 2 * tv * max(abs(a_), abs(mp_aligned(tv, a_, b_, c_)))
                worst = max(worst, du - bound, -du)
            out.append(
                Measurement(
                    float(max(worst, 0)),
                    mp_tolerance(30),
                    f"s0={s0v}, s*={ssv}, c={cv}: u-error outside [0, 2 t max|s|]",
                    "eps^0.8 at 30 digits",
                )
            )
        b_, c_ = mp.mpf(4), mp.mpf("0.01")
        tc = mp_time_to(c_, 0, b_, c_)
        lo, hi = mp.asinh(1) / (2 * b_), mp.asinh(1) / (2 * (b_ - c_))
        out.append(
            Measurement(
                float(max(lo - tc, tc - hi, 0)),
                mp_tolerance(30),
                "threshold crossing time outside [asinh(1)/(2s*), asinh(1)/(2(s*-c))]",
                "eps^0.8 at 30 digits",
            )
        )
        out.append(
            Measurement(
                float(abs(tc / lo - 1)),
                float(c_ / (b_ - c_)),
                "relative error of asinh(1)/(2s*)",
                "c/(s* - c) (from the bracket)",
            )
        )
    return out


LOGISTIC = s_star * s0 * sp.exp(2 * s_star * t) / (s_star + s0 * (sp.exp(2 * s_star * t) - 1))

logistic_limit = claim(
    "mixed_dynamics.logistic_limit",
    r"The $c \to 0$ limit of the closed form is Saxe et al.'s logistic $s(t) = s^* s_0 e^{2s^* t}/(s^* + s_0 (e^{2s^* t} - 1))$, $s_0 > 0$",
    Source(PAPER, "derived here (aligned solutions of eq. (1))", "derived"),
    statement=lambda: [_eq(sp.Limit(sp.Symbol("s_c(t)"), c, 0, "+"), LOGISTIC)],
)


@logistic_limit.symbolic_check
def _():
    # Multiply through by c: with a = c v+ = s* + R, b = c v- = s* - R, a0 = c v0 = s0 + r0 (r0 = sqrt(s0^2 + c^2)),
    # K0 = (a0 - a)/(a0 - b) and c v = (a - b q)/(1 - q), q = K0 E, E = e^{-2Rt}, s = (c v)/2 - c^2/(2 c v).
    # (i) this form equals the closed form for c > 0 (rational identity), (ii) it is continuous at c = 0, where
    # a = 2 s*, b = 0, a0 = 2 s0, R = s*: so the c -> 0 limit is its value at c = 0, the logistic.
    E, r0 = sp.symbols("E r_0", positive=True)
    a, b, a0 = s_star + R_, s_star - R_, s0 + r0
    K_c = (a0 - a) / (a0 - b)
    cv_c = (a - b * K_c * E) / (1 - K_c * E)
    s_c = cv_c / 2 - c**2 / (2 * cv_c)
    vp_, vm_, v0_ = a / c, b / c, a0 / c
    K_orig = (v0_ - vp_) / (v0_ - vm_)
    v_orig = (vp_ - vm_ * K_orig * E) / (1 - K_orig * E)
    same = sp.cancel(sp.together(c * v_orig - cv_c))  # c v agrees, and s = (c v)/2 - c^2/(2 c v):
    s_in_cv = sp.expand(S_OF_V - ((c * v) / 2 - c**2 / (2 * c * v)))
    ssp, s0p = sp.symbols("s^* s_0", positive=True)
    at_zero = s_c.subs({R_: sp.sqrt(ssp**2 + c**2), r0: sp.sqrt(s0p**2 + c**2), s_star: ssp, s0: s0p}).subs(c, 0)
    qv = sp.Symbol("q", positive=True)  # q = e^{2 s* t}
    logi = ssp * s0p * qv / (ssp + s0p * (qv - 1))
    r_lim = sp.cancel(at_zero.subs(E, 1 / qv) - logi)
    ode = sp.cancel(sp.diff(logi, qv) * 2 * ssp * qv - 2 * logi * (ssp - logi))  # d/dt = 2 s* q d/dq
    steps = [
        _eq(sp.Symbol("c v_+"), s_star + R_),
        _eq(sp.Limit(K0, c, 0, "+"), (s0 - s_star) / s0),
        _eq(sp.Limit(sp.Symbol("s_c(t)"), c, 0, "+"), LOGISTIC),
        _eq(_ddt(s), 2 * s * (s_star - s)),
    ]
    return Proof(residuals=[same, s_in_cv, r_lim, ode], steps=steps)


@logistic_limit.numeric_check
def _():
    out = []
    with mp.workdps(50):
        for s0v, ssv in [("0.01", "2"), ("3", "1")]:
            a_, b_ = mp.mpf(s0v), mp.mpf(ssv)
            for tv in (mp.mpf("0.5"), mp.mpf(2)):
                ref = b_ * a_ * mp.exp(2 * b_ * tv) / (b_ + a_ * (mp.exp(2 * b_ * tv) - 1))
                out.append(
                    Measurement(
                        float(abs(mp_aligned(tv, a_, b_, mp.mpf("1e-25")) - ref)),
                        mp_tolerance(50),
                        f"s0={s0v}, s*={ssv}, t={tv}: closed form at c = 1e-25 vs logistic",
                        "eps^0.8 at 50 digits (the O(c^2) gap is 1e-50)",
                    )
                )
    engine = lazyrich.mixed_aligned_singular_value
    # the c -> 0 limit in float64, without loss of accuracy (issue 5)
    ts = np.array([0.0, 0.5, 2.0])
    for cv in (0.0, 1e-300, 1e-12):
        try:
            got = np.asarray(engine(ts, 0.01, 2.0, cv), dtype=float)
        except lazyrich.InvalidParameterError:
            continue  # c = 0 may be refused (the closed form needs c > 0)
        ref = 2.0 * 0.01 * np.exp(4.0 * ts) / (2.0 + 0.01 * np.expm1(4.0 * ts))
        out.append(
            Measurement(
                float(np.max(np.abs(got - ref) / ref)),
                64 * FLOAT64_EPS + cv**2,
                f"mixed_aligned_singular_value at c={cv} vs logistic (relative)",
                "64 eps + c^2",
            )
        )
    return out


# ================================================================ random initialisation (claims 20-23)
def _batched_bartlett(d_in: int, d_out: int, width: int, sigma2: float, n: int, rng):
    """``n`` reduced Gaussian inits at once (Bartlett, as :func:`bartlett_init`), shapes (n, h, d_in), (n, d_out, h)."""
    m = d_in + d_out
    L = np.tril(rng.standard_normal((n, m, m)), -1)
    idx = np.arange(m)
    L[:, idx, idx] = np.sqrt(rng.chisquare(width - idx, size=(n, m)))
    Rm = np.sqrt(sigma2) * np.swapaxes(L, 1, 2)
    return Rm[:, :, :d_in], np.swapaxes(Rm[:, :, d_in:], 1, 2)


def _moments(W1b, W2b, sigma2: float, width: int) -> dict:
    """Per-sample statistics of claims 20-21, each divided by its predicted expectation (so each should average to I or 1)."""
    d_in, d_out = W1b.shape[2], W2b.shape[1]
    Xb = np.swapaxes(W1b, 1, 2) @ W1b
    Ab = W2b @ W1b
    Lb = W1b @ np.swapaxes(W1b, 1, 2) - np.swapaxes(W2b, 1, 2) @ W2b
    s4w = sigma2**2 * width
    return {
        "W1^T W1 / (sigma^2 w)": Xb / (sigma2 * width),
        "(W1^T W1)^2 / (sigma^4 w (w + d_in + 1))": Xb @ Xb / (s4w * (width + d_in + 1)),
        "|A0|_F^2 / (d_in d_out w sigma^4)": np.sum(Ab**2, axis=(1, 2)) / (d_in * d_out * s4w),
        "A0^T A0 / (d_out w sigma^4)": np.swapaxes(Ab, 1, 2) @ Ab / (d_out * s4w),
        "W1^T Lambda W1 / (sigma^4 w (w + d_in + 1 - d_out))": np.swapaxes(W1b, 1, 2)
        @ Lb
        @ W1b
        / (s4w * (width + d_in + 1 - d_out)),
        "-W2 Lambda W2^T / (sigma^4 w (w + d_out + 1 - d_in))": -W2b
        @ Lb
        @ np.swapaxes(W2b, 1, 2)
        / (s4w * (width + d_out + 1 - d_in)),
    }


def _mc_measurements(stats: dict, keys, label: str) -> list[Measurement]:
    out = []
    for key in keys:
        x = stats[key]
        mean = x.mean(axis=0)
        se = x.std(axis=0, ddof=1) / np.sqrt(x.shape[0])
        target = np.eye(mean.shape[0]) if mean.ndim == 2 else 1.0
        z = float(np.max(np.abs(mean - target) / np.maximum(se, 1e-300)))
        out.append(
            Measurement(
                z,
                5.0,
                f"{label}: {key}: max |mean - E| in standard errors",
                "5 standard errors (Monte Carlo, fixed seed)",
            )
        )
    return out


MC_KEYS_20 = [
    "W1^T W1 / (sigma^2 w)",
    "(W1^T W1)^2 / (sigma^4 w (w + d_in + 1))",
    "|A0|_F^2 / (d_in d_out w sigma^4)",
    "A0^T A0 / (d_out w sigma^4)",
]
MC_KEYS_21 = [
    "W1^T Lambda W1 / (sigma^4 w (w + d_in + 1 - d_out))",
    "-W2 Lambda W2^T / (sigma^4 w (w + d_out + 1 - d_in))",
]
sigma2_s, w_s = sp.Symbol("sigma^2", positive=True), N_h


def _mc_checks(keys) -> list[Measurement]:
    out = []
    rng = np.random.default_rng(200)
    d_in, d_out, sig2 = 2, 3, 0.7
    for width in (7, 40):  # full i.i.d. matrices, the definition itself
        W1b = np.sqrt(sig2) * rng.standard_normal((3000, width, d_in))
        W2b = np.sqrt(sig2) * rng.standard_normal((3000, d_out, width))
        out += _mc_measurements(_moments(W1b, W2b, sig2, width), keys, f"full w={width}")
    out += _mc_measurements(
        _moments(*_batched_bartlett(d_in, d_out, 10**6, 1e-6, 3000, rng), 1e-6, 10**6), keys, "Bartlett w=1e6"
    )
    engine = lazyrich.gaussian_init
    # lazyrich.gaussian_init (reduced, any width) against the same moments
    for width in (12, 10**6):
        pairs = [engine(d_in, d_out, width, 1.0 / width, seed=np.random.default_rng([201, i])) for i in range(250)]
        W1b, W2b = np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])
        out += _mc_measurements(_moments(W1b, W2b, 1.0 / width, width), keys, f"gaussian_init w={width}")
    return out


init_moments = claim(
    "mixed_dynamics.init_moments",
    r"Gaussian init: $\mathbb{E}[X] = \sigma^2 w I$, $\mathbb{E}[X^2] = \sigma^4 w (w + d_{\mathrm{in}} + 1) I$, $\mathbb{E}\|A_0\|_F^2 = d_{\mathrm{in}} d_{\mathrm{out}} w \sigma^4$, $\mathbb{E}[A_0^T A_0] = d_{\mathrm{out}} w \sigma^4 I$",
    Source(PAPER, "derived here (Gaussian init behind eq. (1))", "derived; Wishart moments"),
    statement=lambda: [
        _eq(sp.Symbol(r"\mathbb{E}[W_1^T W_1]"), sigma2_s * w_s * I_i),
        _eq(sp.Symbol(r"\mathbb{E}[(W_1^T W_1)^2]"), sigma2_s**2 * w_s * (w_s + N_i + 1) * I_i),
        _eq(sp.Symbol(r"\mathbb{E}\|A_0\|_F^2"), N_i * N_o * w_s * sigma2_s**2),
        _eq(sp.Symbol(r"\mathbb{E}[A_0^T A_0]"), N_o * w_s * sigma2_s**2 * I_i),
    ],
)


@init_moments.symbolic_check
def _():
    # entry-wise Isserlis: E[(X^2)_jj] = sum_k E[X_jk^2] = E[X_jj^2] + (d_in - 1) sigma^4 w, with X_jj ~ sigma^2 chi^2_w
    chi_second = sigma2_s**2 * (w_s**2 + 2 * w_s)  # E[(sigma^2 chi^2_w)^2]
    off = sigma2_s**2 * w_s  # E[X_jk^2], j != k
    r1 = sp.expand(chi_second + (N_i - 1) * off - sigma2_s**2 * w_s * (w_s + N_i + 1))
    # E[A^T A] = E[W1^T E[W2^T W2] W1] = d_out sigma^2 E[W1^T W1] = d_out sigma^4 w I; trace gives the Frobenius norm
    r2 = sp.expand(N_o * sigma2_s * (sigma2_s * w_s) * N_i - N_i * N_o * w_s * sigma2_s**2)
    steps = [_eq(sp.Symbol(r"\mathbb{E}[W_2^T W_2]"), N_o * sigma2_s * Identity(N_h))]
    return Proof(residuals=[r1, r2], steps=steps)


@init_moments.numeric_check
def _():
    return _mc_checks(MC_KEYS_20)


init_offsets = claim(
    "mixed_dynamics.init_offsets",
    r"Gaussian init: $\mathbb{E}[W_1^T \Lambda W_1] = \sigma^4 w (w + d_{\mathrm{in}} + 1 - d_{\mathrm{out}}) I$, $\mathbb{E}[-W_2 \Lambda W_2^T] = \sigma^4 w (w + d_{\mathrm{out}} + 1 - d_{\mathrm{in}}) I$",
    Source(
        PAPER,
        "derived here (Gaussian init behind eq. (1))",
        r"derived; $\approx c^2 I$ with $c = \sigma^2 w$ for $w \gg d$",
    ),
    statement=lambda: [
        _eq(sp.Symbol(r"\mathbb{E}[W_1^T \Lambda W_1]"), sigma2_s**2 * w_s * (w_s + N_i + 1 - N_o) * I_i),
        _eq(sp.Symbol(r"\mathbb{E}[-W_2 \Lambda W_2^T]"), sigma2_s**2 * w_s * (w_s + N_o + 1 - N_i) * I_o),
    ],
)


@init_offsets.symbolic_check
def _():
    # claim 3: W1^T Lambda W1 = X^2 - A^T A, so E = sigma^4 w (w + d_in + 1) - d_out w sigma^4 (claim 20); W2 side by symmetry
    r = sp.expand(
        sigma2_s**2 * w_s * (w_s + N_i + 1) - N_o * w_s * sigma2_s**2 - sigma2_s**2 * w_s * (w_s + N_i + 1 - N_o)
    )
    r_alg = X * X - A.T * A - W1.T * LAMBDA * W1
    return Proof(residuals=[r, r_alg], steps=[_eq(W1.T * LAMBDA * W1, X * X - A.T * A)])


@init_offsets.numeric_check
def _():
    return _mc_checks(MC_KEYS_21)


concentration = claim(
    "mixed_dynamics.concentration",
    r"At Gaussian init $\|X - (A^T A + c^2 I)^{1/2}\|_{\mathrm{op}}/c \approx 2 \sqrt{d/w}$ and $\|A_0\|_{\mathrm{op}} \approx 2 \sigma^2 \sqrt{w d}$ (square case)",
    Source(
        PAPER,
        r"derived here (Gaussian init approximates eq. (1); theory restricted to $\gamma_w > 1$, Fig. 2)",
        r"heuristic, not proven (empirical, random-matrix edge $2 \sqrt{d}$); checked at $d = 20$ within 30%",
    ),
    statement=lambda: [
        _eq(sp.Symbol(r"\|X - Q(A)\|_{op}/c"), 2 * sp.sqrt(sp.Symbol("d") / w_s)),
        _eq(sp.Symbol(r"\|A_0\|_{op}"), 2 * sigma2_s * sp.sqrt(w_s * sp.Symbol("d"))),
    ],
    heuristic=True,
)


@concentration.numeric_check
def _():
    out = []
    d, sig2w = 20, 1.0
    for width in (200, 2000, 20000, 200000):
        dev, norm = [], []
        for seed in range(4):
            w1, w2 = lazyrich.gaussian_init(d, d, width, sig2w / width, seed=np.random.default_rng([220, width, seed]))
            Av = w2 @ w1
            dev.append(np.linalg.norm(w1.T @ w1 - psd_sqrt(Av.T @ Av + sig2w**2 * np.eye(d)), 2) / sig2w)
            norm.append(np.linalg.norm(Av, 2) / (2 * sig2w / width * np.sqrt(width * d)))
        out.append(
            Measurement(
                abs(np.mean(dev) / (2 * np.sqrt(d / width)) - 1),
                0.3,
                f"w={width}: mean |X - Q(A)|/c over 2 sqrt(d/w), minus 1",
                "heuristic: 30% (finite-d edge of the GOE spectrum)",
            )
        )
        out.append(
            Measurement(
                abs(np.mean(norm) - 1), 0.3, f"w={width}: mean |A0|_op / (2 sigma^2 sqrt(w d)) - 1", "heuristic: 30%"
            )
        )
    return out


def _approx_distance(d: int, width: int, cv: float, T: np.ndarray, times, seed: int) -> float:
    """max_t |A_GF(t) - B(t)|_F / |T|_F: weight gradient flow (reduced width) vs eq. (1) from the same A0."""
    w1, w2 = lazyrich.gaussian_init(d, d, width, cv / width, seed=np.random.default_rng([230, width, seed]))
    traj = gradient_flow(DeepLinearModel(T), (w1, w2), times, rtol=1e-8)
    A_w = np.einsum("kij,kjl->kil", traj["W2"], traj["W1"])
    A_e = eq1_flow(w2 @ w1, T, cv, times, rtol=1e-8)[0]
    return float(np.max(np.linalg.norm(A_w - A_e, axis=(1, 2))) / np.linalg.norm(T))


approximation_law = claim(
    "mixed_dynamics.approximation_law",
    r"Distance between the network's dynamics and eq. (1) at fixed $c$ shrinks like $\sqrt{d/w}$",
    Source(
        PAPER,
        "derived here (distance GD vs eq. (1), Fig. 2 BR; Theorems 1-2)",
        "heuristic, not proven (empirical); measured here on gradient flows, which have no discretisation floor",
    ),
    statement=lambda: [
        _eq(sp.Symbol(r"\max_t \|A(t) - B(t)\|_F/\|T\|_F"), sp.O(sp.sqrt(sp.Symbol("d") / w_s), (w_s, sp.oo)))
    ],
    heuristic=True,
)


@approximation_law.numeric_check
def _():
    d, cv = 6, 1.0
    T = matrix_with_singular_values((d, d), [4.0, 2.0, 1.0, 0.5, 0.3, 0.1], np.random.default_rng(231))
    times = np.linspace(0.0, 2.0, 21)
    widths = [10**2, 10**3, 10**4, 10**5, 10**6]
    dist = [_approx_distance(d, w_, cv, T, times, seed=0) for w_ in widths]
    slope = fit_order(widths, dist)
    return Measurement(
        abs(slope + 0.5),
        0.1,
        f"fitted exponent of the distance in w: {slope:.3f} (distances {', '.join(f'{x:.2g}' for x in dist)})",
        "heuristic: 0.1 around -1/2",
    )


# ================================================================ phase diagram (claims 24-33)
gs, gw = sp.symbols("gamma_sigma2 gamma_w", real=True)
d_s, k_s = sp.symbols("d k", positive=True)
SIGMA2_OF, W_OF = d_s**gs, d_s**gw
GRID = [(x, y) for x in np.linspace(-3.0, 0.0, 13) for y in np.linspace(0.0, 2.8, 15)]


def _predicate_agreement(engine_fn, direct_fn, label: str, margin_fn) -> Measurement:
    """Count grid points where lazyrich's predicate disagrees with the direct computation (away from the line)."""
    bad = sum(1 for x, y in GRID if abs(margin_fn(x, y)) > 1e-9 and bool(engine_fn(x, y)) != bool(direct_fn(x, y)))
    return Measurement(
        float(bad), 0.0, f"{label}: grid points (of {len(GRID)}) where the predicate disagrees", "exact (boolean)"
    )


def _log_d(expr):
    return sp.expand(sp.expand_log(sp.log(expr), force=True) / sp.log(d_s))


lazy_line = claim(
    "mixed_dynamics.lazy_line",
    r"Black line: lazy iff $\gamma_{\sigma^2} + \gamma_w > 1$ ($c = \sigma^2 w > d$), active/mixed iff $\gamma_{\sigma^2} + \gamma_w < 1$",
    Source(
        PAPER, "Fig. 2 (active vs lazy threshold)", "official code (line and learning-rate switch) and Fig. 2 caption"
    ),
    statement=lambda: [sp.Equivalent(sp.StrictGreaterThan(SIGMA2_OF * W_OF, d_s), sp.StrictGreaterThan(gs + gw, 1))],
)


@lazy_line.symbolic_check
def _():
    return Proof(
        residuals=[_log_d(SIGMA2_OF * W_OF / d_s) - (gs + gw - 1)],
        steps=[_eq(sp.log(sp.Symbol("c")) / sp.log(d_s), gs + gw)],
    )


@lazy_line.numeric_check
def _():
    d = 200
    return _predicate_agreement(
        lazyrich.is_lazy, lambda x, y: (d**x) * (d**y) > d, "is_lazy vs sigma^2 w > d", lambda x, y: x + y - 1
    )


noise_line = claim(
    "mixed_dynamics.noise_line",
    r"Red line: $\gamma_w + 2 \gamma_{\sigma^2} = 0 \Leftrightarrow w \sigma^4 = 1 \Leftrightarrow \mathbb{E}\|A_0\|_F^2/d^2 = 1$",
    Source(
        PAPER, "Fig. 2 (infinite noise threshold)", "line from the official code; interpretation derived (claim 20)"
    ),
    statement=lambda: [_eq(sp.Symbol(r"\mathbb{E}\|A_0\|_F^2/d^2"), W_OF * SIGMA2_OF**2), _eq(gw + 2 * gs, 0)],
)


@noise_line.symbolic_check
def _():
    r1 = _log_d(W_OF * SIGMA2_OF**2) - (gw + 2 * gs)
    r2 = sp.simplify(d_s * d_s * W_OF * SIGMA2_OF**2 / d_s**2 - W_OF * SIGMA2_OF**2)  # claim 20 with d_in = d_out = d
    return Proof(residuals=[r1, r2])


@noise_line.numeric_check
def _():
    d = 200
    return _predicate_agreement(
        lazyrich.below_noise_line,
        lambda x, y: (d**y) * (d**x) ** 2 < 1,
        "below_noise_line vs w sigma^4 < 1",
        lambda x, y: y + 2 * x,
    )


underparameterized_line = claim(
    "mixed_dynamics.underparameterized_line",
    r"Orange line: $\gamma_w = \log_d \operatorname{Rank} A^*$ ($= 0.3038$ for $d = 200$, $k = 5$; the code draws $0.304$)",
    Source(PAPER, "Fig. 2 (underparameterized threshold)", "line from the official code; value derived"),
    statement=lambda: [_eq(gw, sp.log(k_s) / sp.log(d_s))],
)


@underparameterized_line.symbolic_check
def _():
    return Proof(residuals=[_log_d(W_OF) - gw, sp.simplify(d_s ** (sp.log(k_s) / sp.log(d_s)) - k_s)])


@underparameterized_line.numeric_check
def _():
    val = float(mp.log(5) / mp.log(200))
    out = [
        Measurement(abs(val - 0.3038), 5e-5, f"log 5 / log 200 = {val:.6f} vs 0.3038", "half a unit in the 4th decimal")
    ]
    bad = sum(
        1
        for y in np.linspace(0.0, 1.0, 41)
        if abs(y - val) > 1e-9 and lazyrich.is_overparameterized(y, 200, 5) != (200.0**y >= 5)
    )
    out.append(Measurement(float(bad), 0.0, "is_overparameterized vs d^gamma_w >= k", "exact (boolean)"))
    return out


theory_region = claim(
    "mixed_dynamics.theory_region",
    r"Theory region $\gamma_w > 1$, $\gamma_w + 2 \gamma_{\sigma^2} < 0$; the black and red lines meet at $(-1, 2)$",
    Source(
        PAPER, "Fig. 2 caption (region covered by the theory)", "region from the Fig. 2 caption; intersection derived"
    ),
    statement=lambda: [sp.And(gw > 1, gw + 2 * gs < 0), _eq(sp.Tuple(gs, gw), sp.Tuple(-1, 2))],
)


@theory_region.symbolic_check
def _():
    sol = sp.solve([gs + gw - 1, gw + 2 * gs], [gs, gw], dict=True)
    return Proof(residuals=[len(sol) - 1, sol[0][gs] + 1, sol[0][gw] - 2])


@theory_region.numeric_check
def _():
    return _predicate_agreement(
        lazyrich.in_theory_region,
        lambda x, y: y > 1 and y + 2 * x < 0,
        "in_theory_region",
        lambda x, y: min(abs(y - 1), abs(y + 2 * x)),
    )


init_threshold = claim(
    "mixed_dynamics.init_threshold",
    r"Init singular values below the threshold: $2 \sigma^2 \sqrt{w d} < \sigma^2 w \Leftrightarrow w > 4d$ (asymptotically $\gamma_w > 1$)",
    Source(PAPER, r"derived here (Fig. 2: why $\gamma_w > 1$)", "derived"),
    statement=lambda: [sp.Equivalent(2 * sigma2_s * sp.sqrt(w_s * d_s) < sigma2_s * w_s, w_s > 4 * d_s)],
)


@init_threshold.symbolic_check
def _():
    wp = sp.Symbol("w", positive=True)
    # both sides positive: square, divide by sigma^4 w
    r1 = sp.expand((sigma2_s * wp) ** 2 - (2 * sigma2_s * sp.sqrt(wp * d_s)) ** 2 - sigma2_s**2 * wp * (wp - 4 * d_s))
    r2 = sp.limit(sp.log(4 * d_s) / sp.log(d_s), d_s, sp.oo) - 1  # log_d(4d) -> 1
    return Proof(residuals=[r1, r2], steps=[_eq(sp.log(4 * d_s) / sp.log(d_s), 1 + sp.log(4) / sp.log(d_s))])


@init_threshold.numeric_check
def _():
    bad = sum(
        1
        for d in (5, 20, 200)
        for w_ in range(1, 12 * d)
        if w_ != 4 * d and lazyrich.init_below_threshold(w_, d) != (2 * np.sqrt(w_ * d) < w_)
    )
    return Measurement(float(bad), 0.0, "init_below_threshold vs 2 sqrt(w d) < w", "exact (boolean)")


a_s, b_s, n0_s, x_s = sp.symbols("a b n_0 x", positive=True)
LAZY_TEST = x_s**2 * (a_s + n0_s) + (1 - x_s) ** 2 * b_s
LAZY_MIN = (a_s + n0_s) * b_s / (a_s + n0_s + b_s)

lazy_test_error = claim(
    "mixed_dynamics.lazy_test_error",
    r"Lazy early-stopped test error $\approx (a + n_0) b/(a + n_0 + b)$: $1/2$ at $n_0 \to 0$, $\to 1$ as $n_0 \to \infty$ ($a = b = 1$)",
    Source(
        PAPER,
        "Fig. 2 TL (lazy region; derived here)",
        r"heuristic, not proven; the minimisation is exact, the model $E_{\mathrm{test}} = x^2 (a + n_0) + (1 - x)^2 b$ is not; checked within $0.1$ at $d = 30$",
    ),
    statement=lambda: [_eq(sp.Symbol(r"\min_t \mathrm{test}"), LAZY_MIN)],
    heuristic=True,
)


@lazy_test_error.symbolic_check
def _():
    xstar = sp.solve(sp.diff(LAZY_TEST, x_s), x_s)
    r = [
        len(xstar) - 1,
        sp.simplify(xstar[0] - b_s / (a_s + n0_s + b_s)),
        sp.simplify(LAZY_TEST.subs(x_s, xstar[0]) - LAZY_MIN),
    ]
    r += [
        LAZY_MIN.subs({a_s: 1, b_s: 1, n0_s: 0}) - sp.Rational(1, 2),
        sp.limit(LAZY_MIN.subs({a_s: 1, b_s: 1}), n0_s, sp.oo) - 1,
    ]
    steps = [_eq(sp.Symbol("A(t) - A^*"), sp.Symbol("-x A^* + (1 - x) E + x A_0")), _eq(x_s, b_s / (a_s + n0_s + b_s))]
    return Proof(residuals=r, steps=steps)


@lazy_test_error.numeric_check
def _():
    out = []
    d, k = 30, 2
    for x, y in [(-1.3, 2.7), (-1.15, 2.2), (-0.8, 2.0)]:  # lazy points, both sides of the red line
        pt = lazyrich.phase_diagram_point(d, k, x, y, seed=1, compare=False)
        A_star, E = lazyrich.phase_task(d, k, 1)
        pred = (
            (np.sum(A_star**2) / d**2 + pt.init_norm)
            * (np.sum(E**2) / d**2)
            / ((np.sum(A_star**2) + np.sum(E**2)) / d**2 + pt.init_norm)
        )
        out.append(
            Measurement(
                abs(pt.min_test_error - pred),
                0.1,
                f"({x}, {y}): simulated min test {pt.min_test_error:.3f} vs (a+n0)b/(a+n0+b) = {pred:.3f}",
                "heuristic: 0.1 (issue 5)",
            )
        )
    return out


@functools.cache
def _active_points() -> tuple:
    """Min test error and stable rank at an active theory-region point for growing d (k = 2)."""
    return tuple(lazyrich.phase_diagram_point(d, 2, -2.0, 1.5, seed=3, compare=False) for d in (15, 30, 45))


active_regime = claim(
    "mixed_dynamics.active_regime",
    r"Active regime ($\gamma_{\sigma^2} + \gamma_w < 1$, $\gamma_w > 1$, below the red line): min test error $\to 0$ as $d \to \infty$",
    Source(
        PAPER,
        "Fig. 2 TL-BL (active region), Theorems 1-2",
        "heuristic, not proven; the paper's theorem statement is unconfirmed",
    ),
    statement=lambda: [_eq(sp.Limit(sp.Symbol(r"\min_t \mathrm{test}"), d_s, sp.oo), 0)],
    heuristic=True,
)


@active_regime.numeric_check
def _():
    pts = _active_points()
    errs = [p.min_test_error for p in pts]
    out = [
        Measurement(
            float(max(0.0, max(np.diff(errs)))),
            0.0,
            f"min test error at d = 15, 30, 45: {', '.join(f'{e:.3f}' for e in errs)} (must decrease)",
            "heuristic: strict decrease",
        )
    ]
    lazy = lazyrich.phase_diagram_point(45, 2, -1.3, 2.7, seed=3, compare=False).min_test_error
    out.append(
        Measurement(
            errs[-1] / lazy,
            0.5,
            f"active/lazy min test error at d = 45 ({errs[-1]:.3f} / {lazy:.3f})",
            "heuristic: active at most half the lazy value",
        )
    )
    return out


stable_rank = claim(
    "mixed_dynamics.stable_rank",
    "Stable rank at the min test error: close to the rank-$k$ target's in the active regime, larger in the lazy regime",
    Source(PAPER, "Fig. 2 TR", "heuristic, not proven: caption (qualitative), numbers read off the figure"),
    statement=lambda: [sp.Symbol(r"\mathrm{srank}(A_{t^*}) \approx \mathrm{srank}(A^*)\ \text{(active)}")],
    heuristic=True,
)


@stable_rank.numeric_check
def _():
    d, k = 45, 2
    A_star, _ = lazyrich.phase_task(d, k, 3)
    target = float(np.sum(A_star**2) / np.linalg.norm(A_star, 2) ** 2)
    active = _active_points()[-1].stable_rank
    lazy = lazyrich.phase_diagram_point(d, k, -1.3, 2.7, seed=3, compare=False).stable_rank
    return [
        Measurement(
            abs(active / target - 1), 0.3, f"active stable rank {active:.2f} vs target's {target:.2f}", "heuristic: 30%"
        ),
        Measurement(
            max(0.0, active + 1 - lazy), 0.0, f"lazy stable rank {lazy:.2f} exceeds the active one by > 1", "heuristic"
        ),
    ]


fig1_setting = claim(
    "mixed_dynamics.fig1_setting",
    r"Fig. 1 setting ($\gamma_{\sigma^2} = -1.85$, $\gamma_w = 2.25$, $\eta = 1/(5 \|A^*\|_{\mathrm{op}})$): min test error well below the lazy value, reached early, GD close to eq. (1)",
    Source(
        PAPER,
        "Fig. 1",
        r"heuristic, not proven: reduced-scale ($d = 40, 60$) reproduction of the $d = 500$ figure; thresholds from the figure (min $\approx 0.1$ at step $\approx 13$)",
    ),
    statement=lambda: [sp.Symbol(r"\min_t \mathrm{test} \approx 0.1,\ t^* \approx 13")],
    heuristic=True,
)


@fig1_setting.numeric_check
def _():
    # reduced scale: the min test error falls with d (measured 0.41, 0.33, 0.27, 0.19 at d = 40, 60, 100, 200),
    # the lazy value at the same point is about 1/2 (claim 29)
    pt = lazyrich.phase_diagram_point(60, 5, -1.85, 2.25, seed=0, lr_factor=5.0, max_steps=100, compare=False)
    small = lazyrich.phase_diagram_point(40, 5, -1.85, 2.25, seed=0, lr_factor=5.0, max_steps=100, compare=True)
    return [
        Measurement(
            pt.min_test_error,
            0.4,
            f"d = 60: min test error {pt.min_test_error:.3f} at iteration {pt.iterations}",
            "heuristic: < 0.4, below the lazy 1/2",
        ),
        Measurement(float(pt.iterations), 30.0, "d = 60: iterations to the minimum", "heuristic: <= 30 (figure: 13)"),
        Measurement(
            small.max_distance, 0.15, "d = 40: max |A_GD - B|_F / |A*+E|_F", "heuristic: 0.15 (0.063 at d = 200)"
        ),
    ]


fig2_setting = claim(
    "mixed_dynamics.fig2_setting",
    r"Fig. 2 setting: $\eta = 1/(50 w \sigma^2)$ if $\gamma_{\sigma^2} + \gamma_w > 1$ else $1/(50 \|A^*\|_{\mathrm{op}})$, $\le 750$ steps, early stops",
    Source(PAPER, "Fig. 2 (main.ipynb of the official code)", "official code"),
    statement=lambda: [
        _eq(
            eta, sp.Piecewise((1 / (50 * W_OF * SIGMA2_OF), gs + gw > 1), (1 / (50 * sp.Symbol(r"\|A^*\|_{op}")), True))
        ),
    ],
)


@fig2_setting.numeric_check
def _():
    out = []
    d, k = 20, 2
    A_star, E = lazyrich.phase_task(d, k, 5)
    for x, y in [(-1.2, 2.5), (-2.0, 1.5)]:
        pt = lazyrich.phase_diagram_point(d, k, x, y, seed=5, compare=False)
        w_, s2 = int(d**y), d**x
        expected = 1 / (50 * w_ * s2) if x + y > 1 else 1 / (50 * np.linalg.norm(A_star, 2))
        out.append(
            Measurement(abs(pt.step / expected - 1), 4 * FLOAT64_EPS, f"({x}, {y}): step rule", "4 eps (one division)")
        )
        out.append(
            Measurement(
                float(max(0, pt.n_records - 751)),
                0.0,
                f"({x}, {y}): at most 750 steps ({pt.n_records} records, stop: {pt.stop_reason})",
                "exact",
            )
        )
        # the step keeps GD on eq. (1) stable (claim 9): eta * lambda_max(NTK at T) < 2
        sT = np.linalg.norm(A_star + E, 2)
        out.append(
            Measurement(
                pt.step * 2 * np.sqrt(sT**2 + (w_ * s2) ** 2),
                2.0,
                f"({x}, {y}): eta * lambda_max of the unified NTK at the target",
                "stability of GD: < 2",
            )
        )
    return out
