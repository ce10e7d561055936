"""Test helpers shared by every test module: strategies and reference computations.

Inputs are well conditioned by construction: draw singular values and a seed,
build orthogonal factors by QR (:func:`lazyrich.random_orthogonal`), never filter.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from lazyrich import FLOAT64_EPS, fit_order, linalg_tolerance, matrix_with_singular_values

#: A seed for numpy's generator, drawn by Hypothesis (so shrinking works on it).
seeds = st.integers(min_value=0, max_value=2**32 - 1)


@st.composite
def shapes(draw, max_dim: int = 6, n: int = 3):
    """A tuple of ``n`` dimensions in ``1..max_dim``."""
    return tuple(draw(st.integers(1, max_dim)) for _ in range(n))


@st.composite
def well_conditioned(draw, shape: tuple[int, int], smin: float = 0.3, smax: float = 2.0):
    """A ``shape`` matrix with singular values in ``[smin, smax]`` (condition <= smax/smin)."""
    k = min(shape)
    svals = draw(st.lists(st.floats(smin, smax), min_size=k, max_size=k))
    seed = draw(seeds)
    return matrix_with_singular_values(shape, svals, np.random.default_rng(seed))


@st.composite
def spd_matrices(draw, n: int, lo: float = 0.5, hi: float = 1.5):
    """A symmetric positive-definite ``n x n`` matrix with eigenvalues in ``[lo, hi]``."""
    ev = draw(st.lists(st.floats(lo, hi), min_size=n, max_size=n))
    Q = matrix_with_singular_values((n, n), np.ones(n), np.random.default_rng(draw(seeds)))
    return (Q * np.asarray(ev)) @ Q.T


def max_abs(a, b) -> float:
    """``max |a - b|`` over all entries (broadcasting)."""
    return float(np.max(np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float))))


def balanced_problem(
    n_in: int,
    n_hidden: int,
    n_out: int,
    lam: float,
    seed: int,
    sigma: float = 0.5,
    smin: float = 0.5,
    smax: float = 2.0,
):
    """A lambda-balanced init (Algorithm 1) and a task ``Sigma_yx`` with singular values in ``[smin, smax]``.

    Built so that ``q+`` (the paper's B) is invertible: for a square network with
    ``lambda = 0`` the sign of ``det W2 W1`` must match ``det Sigma_yx`` (Dominé et al. (2025), Thm 4.3 needs B invertible),
    so the first row of ``W2`` is negated when they differ (``W2^T W2`` is unchanged).
    """
    from lazyrich import lambda_balanced_init

    rng = np.random.default_rng(seed)
    W1, W2 = lambda_balanced_init(n_in, n_hidden, n_out, lam, sigma=sigma, seed=rng)
    syx = matrix_with_singular_values((n_out, n_in), rng.uniform(smin, smax, min(n_in, n_out)), rng)
    if n_in == n_out == n_hidden and lam == 0 and np.linalg.det(W2 @ W1) * np.linalg.det(syx) < 0:
        W2 = W2.copy()
        W2[0] = -W2[0]
    return W1, W2, syx


def qqt_of(W1, W2) -> np.ndarray:
    """``Q Q^T`` with ``Q = [W1^T; W2]``; batched over a leading axis."""
    Q = np.concatenate([np.swapaxes(W1, -1, -2), W2], axis=-2)
    return Q @ np.swapaxes(Q, -1, -2)


def digits_tolerance(dps: int) -> float:
    """``10**(1 - dps)``: the bound of a ``dps=N`` result relative to the largest entry.

    ``dps=N`` returns ``N`` correct significant digits rounded to ``N`` digits; the rounding alone costs up to
    ``0.5 * 10**(1 - N)``, the certified digits the other half.
    """
    return 10.0 ** (1 - dps)


def qqt_tolerance(net, t):
    """Relative max-norm bound of the float64 ``net.qqt(t)``: ``kappa(t) * N * eps``.

    ``kappa`` = :meth:`lazyrich.TwoLayerExact.float64_condition` and ``N = N_i + N_o`` (the length of the sums
    that accumulate round-off), the forward-error bound the class documents. Array ``t`` gives an array.
    """
    kappa = net.float64_condition(t)
    return (
        np.vectorize(lambda k: linalg_tolerance(k, net.n))(kappa) if np.ndim(kappa) else linalg_tolerance(kappa, net.n)
    )


def factor_tolerance(net, t, R):
    """Bound on ``max |R R^T - QQ^T(t)|`` (per time) for the float64 factor ``R = net.qqt_factor(t)``.

    ``R`` is the same form as ``qqt`` and carries its relative error :func:`qqt_tolerance` (twice in ``R R^T``);
    the product adds the round-off of sums of length ``N_h``; every entry of ``R R^T`` is at most ``N_h |R|^2``.
    """
    m = R.shape[-1]
    return (2 * qqt_tolerance(net, t) + linalg_tolerance(1.0, m)) * m * np.abs(R).max(axis=(-1, -2)) ** 2


def balance_tolerance(net, t, R):
    """Bound on ``max |R_o^T R_o - R_i^T R_i - lambda I|`` (per time) for ``R = net.qqt_factor(t)``.

    Each of the two Grams carries ``R``'s relative error twice (:func:`qqt_tolerance`) and the round-off of sums of
    length ``<= N_i + N_o``; each entry of a Gram is at most ``(N_i + N_o) |R|^2``.
    """
    n = net.n
    return 2 * (2 * qqt_tolerance(net, t) + linalg_tolerance(1.0, n)) * n * np.abs(R).max(axis=(-1, -2)) ** 2


# ---------------------------------------------------------------- convergence orders
def order_window(steps, errors, rel_noise, p):
    r"""Derived windows for the convergence order ``q`` of ``errors = C h^q exp(g(h^p))``, ``g(z) = sum_k b_k z^k``, on a
    geometric grid of three steps (largest first), each error known to a relative ``rel_noise``.

    Returns ``(fit_window, q_extrapolated, extrapolated_window)``: ``|fit_order(steps, errors) - q| <= fit_window``
    and ``|q_extrapolated - q| <= extrapolated_window``.

    With ``H = ln h`` spaced by ``dH``, ``z_i = h_i^p`` (``z_2 = r z_1``, ``z_3 = r^2 z_1``, ``r = (h_2/h_1)^p``) and
    ``L = ln error``, the local slopes are ``s_12 = q + (g_1 - g_2) / dH``, ``s_23 = q + (g_2 - g_3) / dH`` and the
    least-squares slope is their mean. The next term (``k = 1``) gives ``s_12 - q = A (1 - r)``,
    ``s_23 - q = r A (1 - r)``: so ``slope - q = (1 + r) / (2 (1 - r)) (s_12 - s_23)`` (the fit's curvature bounds it)
    and ``q = s_12 - (s_12 - s_23) / (1 - r)`` exactly (Richardson extrapolation of the slope). Each later term
    changes either by at most ``r / ((1 - r) dH) |b_k| z_1^k``; they are bounded by a geometric majorant
    ``|b_k| <= |b_1|^k`` (assumed: the expansion's radius is set by its first coefficient), i.e. by ``x^2 / (1 - x)``
    with ``x = |b_1| z_1 = dH |s_12 - s_23| / (1 - r)^2``. Noise ``e_i`` in ``L_i`` (``|ln(1 + x)| <= x / (1 - x)``)
    moves ``s_12 - s_23`` by ``(e_1 + 2 e_2 + e_3) / dH``, the slope by ``(e_1 + e_3) / (2 dH)`` and the
    extrapolation by ``(e_2 + e_3 + r (e_1 + e_2)) / ((1 - r) dH)``.
    """
    steps, errors, rel_noise = (np.asarray(x, dtype=float) for x in (steps, errors, rel_noise))
    assert steps.size == 3 and steps[0] > steps[1] > steps[2] > 0
    dH = np.log(steps[0] / steps[1])
    assert abs(np.log(steps[1] / steps[2]) - dH) <= 4 * FLOAT64_EPS * np.abs(np.log(steps)).max()  # geometric grid
    e = rel_noise / (1 - rel_noise)
    L = np.log(errors)
    s12, s23 = (L[0] - L[1]) / dH, (L[1] - L[2]) / dH
    curvature = abs(s12 - s23) + (e[0] + 2 * e[1] + e[2]) / dH
    r = (steps[1] / steps[0]) ** p
    x = dH * curvature / (1 - r) ** 2
    assert x < 1, "the steps are outside the asymptotic range"
    later = r / ((1 - r) * dH) * x**2 / (1 - x)
    fit_window = (1 + r) / (2 * (1 - r)) * curvature + later + (e[0] + e[2]) / (2 * dH)
    extrapolated = s12 - (s12 - s23) / (1 - r)
    return fit_window, extrapolated, later + (e[1] + e[2] + r * (e[0] + e[1])) / ((1 - r) * dH)


def assert_order(steps, errors, rel_noise, p, q):
    """The fitted order within its derived window, and the extrapolated order within its own (:func:`order_window`)."""
    fit_window, extrapolated, window = order_window(steps, errors, rel_noise, p)
    assert abs(fit_order(steps, errors) - q) <= fit_window, (fit_order(steps, errors), fit_window)
    assert abs(extrapolated - q) <= window, (extrapolated, window)


# ---------------------------------------------------------------- work, not time
def python_calls(fn) -> int:
    """How many Python-level calls ``fn()`` makes (``sys.setprofile``): a deterministic count of the work done.

    A refusal "before any work" costs the same count whatever the size it refuses; timing it instead would make
    the test depend on the machine's load.
    """
    import sys

    count = 0

    def profile(frame, event, arg):
        nonlocal count
        count += event == "call"

    sys.setprofile(profile)
    try:
        fn()
    except Exception:
        pass
    finally:
        sys.setprofile(None)
    return count
