r"""Gaussian initialisation and how close it puts the network to eq. (1) (Tu, Aranguri, Jacot (2024), Fig. 2).

With ``W_1``, ``W_2`` of i.i.d. ``N(0, sigma^2)`` entries (derived here; the paper's theory assumes ``gamma_w > 1``):

* :data:`init_moments`: ``E[X] = sigma^2 w I``, ``E[X^2] = sigma^4 w (w + d_in + 1) I`` (Wishart: ``X_jj`` is
  ``sigma^2 chi^2_w``, ``E[X_jk^2] = sigma^4 w``), ``E[A_0^T A_0] = d_out sigma^2 E[X] = d_out w sigma^4 I`` and its trace;
* :data:`init_offsets`: ``W_1^T Lambda W_1 = X^2 - A^T A`` (``squares``), so ``E = sigma^4 w (w + d_in + 1 - d_out) I``;
* :data:`concentration`, :data:`approximation_law`: heuristics (random-matrix edge ``2 sqrt(d/w)``; distance to
  eq. (1) ``~ sqrt(d/w)``).

The symbolic checks derive each expectation (moments of Gaussian entries) and compare it with the statement's
right-hand side; the numeric checks compare Monte Carlo means (full i.i.d. matrices, a Bartlett sampler, and
:func:`lazyrich.gaussian_init`) with the statement's right-hand sides, 5 standard errors.
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp
from sympy import MatMul

import lazyrich
from lazyrich import DeepLinearModel, Measurement, Proof, Source, claim, equation, fit_order, gradient_flow

from ..certify import certified_check
from ..rounding import scalar_certified
from .reference import batched_bartlett, eq1_flow, psd_sqrt
from .symbols import I_i, I_o, d_in, d_out, width

__all__ = ["approximation_law", "concentration", "init_moments", "init_offsets"]

PAPER = "mixed_dynamics"
sigma2 = sp.Symbol("sigma^2", positive=True)
d_s = sp.Symbol("d", positive=True)


def _coeff(rhs):
    """The scalar factor of ``c I`` (or the scalar itself)."""
    if isinstance(rhs, MatMul):
        return sp.Mul(*[a for a in rhs.args if not isinstance(a, sp.MatrixExpr)])
    return rhs


# Wishart moments, derived entry-wise: X_jj = sigma^2 chi^2_w, X_jk (j != k) a sum of w products of independent
# Gaussians, E[X_jk^2] = sigma^4 w; (X^2)_jj = sum_k X_jk^2.
E_X = sigma2 * width
E_X2 = sigma2**2 * (width**2 + 2 * width) + (d_in - 1) * sigma2**2 * width
E_Y2 = sigma2**2 * (width**2 + 2 * width) + (d_out - 1) * sigma2**2 * width
E_ATA = d_out * sigma2 * E_X  # E[W_1^T E[W_2^T W_2] W_1], E[W_2^T W_2] = d_out sigma^2 I
E_AAT = d_in * sigma2 * E_X


@functools.cache
def _samples(kind: str, width_: int, d_i: int = 2, d_o: int = 3, n: int = 3000):
    """Monte Carlo batches (plain-value key): full i.i.d., Bartlett-reduced, or lazyrich.gaussian_init."""
    rng = np.random.default_rng([200, width_, len(kind)])
    if kind == "full":
        s2 = 0.7
        return (
            s2,
            np.sqrt(s2) * rng.standard_normal((n, width_, d_i)),
            np.sqrt(s2) * rng.standard_normal((n, d_o, width_)),
        )
    if kind == "bartlett":
        return 1e-6, *batched_bartlett(d_i, d_o, width_, 1e-6, n, rng)
    pairs = [
        lazyrich.gaussian_init(d_i, d_o, width_, 1.0 / width_, seed=np.random.default_rng([201, i])) for i in range(250)
    ]
    return 1.0 / width_, np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])


def _statistics(W1b, W2b) -> list:
    Xb = np.swapaxes(W1b, 1, 2) @ W1b
    Ab = W2b @ W1b
    Lb = W1b @ np.swapaxes(W1b, 1, 2) - np.swapaxes(W2b, 1, 2) @ W2b
    return [
        Xb,
        Xb @ Xb,
        np.sum(Ab**2, axis=(1, 2)),
        np.swapaxes(Ab, 1, 2) @ Ab,
        np.swapaxes(W1b, 1, 2) @ Lb @ W1b,
        -W2b @ Lb @ np.swapaxes(W2b, 1, 2),
    ]


@functools.cache
def _stats(kind: str, width_: int):
    s2, W1b, W2b = _samples(kind, width_)
    return s2, _statistics(W1b, W2b)


CASES = (("full", 7), ("full", 40), ("bartlett", 10**6), ("gaussian_init", 12), ("gaussian_init", 10**6))


def _mc(statement, which: list) -> list:
    """Each relation's right-hand side (evaluated at the case's sigma^2, w, d_in = 2, d_out = 3) against the Monte Carlo
    mean of statistic ``which[i]``, in standard errors."""
    out = []
    for kind, w_ in CASES:
        s2, stats = _stats(kind, w_)
        for rel, k in zip(statement, which):
            x = stats[k]
            pred = float(_coeff(rel.rhs).subs({sigma2: s2, width: w_, d_in: 2, d_out: 3}))
            mean = x.mean(axis=0)
            se = x.std(axis=0, ddof=1) / np.sqrt(x.shape[0])
            target = pred * np.eye(mean.shape[0]) if mean.ndim == 2 else pred
            if mean.ndim == 2 and not isinstance(rel.rhs, sp.MatrixExpr):
                target = np.full_like(mean, np.nan)  # a scalar stated for a matrix expectation: wrong statement
            z = float(np.max(np.abs(mean - target) / np.maximum(se, 1e-300)))
            out.append(
                Measurement(
                    z,
                    5.0,
                    f"{kind} w={w_}: {rel.lhs}: max |mean - stated| in standard errors",
                    "5 standard errors (Monte Carlo, fixed seed)",
                )
            )
    return out


init_moments = claim(
    "mixed_dynamics.init_moments",
    r"Gaussian init: $\mathbb{E}[X] = \sigma^2 w I$, $\mathbb{E}[X^2] = \sigma^4 w (w + d_{\mathrm{in}} + 1) I$, "
    r"$\mathbb{E}\|A_0\|_F^2 = d_{\mathrm{in}} d_{\mathrm{out}} w \sigma^4$, $\mathbb{E}[A_0^T A_0] = d_{\mathrm{out}} w \sigma^4 I$",
    Source(PAPER, "Tu et al. (2024), Sec. 3 (Gaussian init behind eq. (1); derived here)", "derived; Wishart moments"),
    statement=lambda: [
        equation(sp.Symbol(r"\mathbb{E}[W_1^T W_1]"), sigma2 * width * I_i),
        equation(sp.Symbol(r"\mathbb{E}[(W_1^T W_1)^2]"), sigma2**2 * width * (width + d_in + 1) * I_i),
        equation(sp.Symbol(r"\mathbb{E}\|A_0\|_F^2"), d_in * d_out * width * sigma2**2),
        equation(sp.Symbol(r"\mathbb{E}[A_0^T A_0]"), d_out * width * sigma2**2 * I_i),
    ],
)


@init_moments.symbolic_check
def wishart_moments(statement):
    derived = [E_X, E_X2, d_in * E_ATA, E_ATA]
    return Proof(residuals=[sp.expand(x - _coeff(rel.rhs)) for x, rel in zip(derived, statement)])


@init_moments.numeric_check
def moments_by_monte_carlo(statement):
    return _mc(statement, [0, 1, 2, 3])


def _coefficients_certified(statement, label: str) -> list:
    """Each relation's scalar coefficient (float64) within its rounding-model bound of the Arb enclosure.

    At the Monte Carlo case, a wide square net (``w = 1e4``, ``d = 200``, ``sigma^2 = 1/d``) and a very wide
    one (``w = 1e6``, ``d_out >> d_in``, where ``w + d_in + 1 - d_out`` loses digits to nothing: integers).
    """
    out = []
    for s2, w_, di, do in ((0.1, 50, 2, 3), (1 / 200, 10_000, 200, 200), (1e-3, 1_000_000, 10, 1000)):
        env = {sigma2: s2, width: w_, d_in: di, d_out: do}
        for rel in statement:
            what = f"sigma^2={s2!r}, w={w_}, d_in={di}, d_out={do}: {label} {rel.lhs}"
            out += scalar_certified(_coeff(rel.rhs), env, what)
    return out


@certified_check(init_moments)
def moments_certified(statement):
    return _coefficients_certified(statement, "stated moment")


init_offsets = claim(
    "mixed_dynamics.init_offsets",
    r"Gaussian init: $\mathbb{E}[W_1^T \Lambda W_1] = \sigma^4 w (w + d_{\mathrm{in}} + 1 - d_{\mathrm{out}}) I$, "
    r"$\mathbb{E}[-W_2 \Lambda W_2^T] = \sigma^4 w (w + d_{\mathrm{out}} + 1 - d_{\mathrm{in}}) I$",
    Source(
        PAPER,
        "Tu et al. (2024), Sec. 3 (Gaussian init behind eq. (1); derived here)",
        r"derived ($W_1^T \Lambda W_1 = X^2 - A^T A$); $\approx c^2 I$ with $c = \sigma^2 w$ for $w \gg d$",
    ),
    statement=lambda: [
        equation(sp.Symbol(r"\mathbb{E}[W_1^T \Lambda W_1]"), sigma2**2 * width * (width + d_in + 1 - d_out) * I_i),
        equation(sp.Symbol(r"\mathbb{E}[-W_2 \Lambda W_2^T]"), sigma2**2 * width * (width + d_out + 1 - d_in) * I_o),
    ],
)


@init_offsets.symbolic_check
def offsets_from_the_squares(statement):
    derived = [E_X2 - E_ATA, E_Y2 - E_AAT]
    return Proof(residuals=[sp.expand(x - _coeff(rel.rhs)) for x, rel in zip(derived, statement)])


@certified_check(init_offsets)
def offsets_certified(statement):
    return _coefficients_certified(statement, "stated offset")


@init_offsets.numeric_check
def offsets_by_monte_carlo(statement):
    return _mc(statement, [4, 5])


# ---------------------------------------------------------------- heuristics
concentration = claim(
    "mixed_dynamics.concentration",
    r"At Gaussian init $\|X - (A^T A + c^2 I)^{1/2}\|_{\mathrm{op}}/c \approx 2 \sqrt{d/w}$ and "
    r"$\|A_0\|_{\mathrm{op}} \approx 2 \sigma^2 \sqrt{w d}$ (square case)",
    Source(
        PAPER,
        r"Tu et al. (2024), Fig. 2 (Gaussian init approximates eq. (1); theory restricted to $\gamma_w > 1$)",
        r"heuristic, not proven (empirical, random-matrix edge $2 \sqrt{d}$); checked at $d = 20$ within 30%",
    ),
    statement=lambda: [
        equation(sp.Symbol(r"\|X - Q(A)\|_{op}/c"), 2 * sp.sqrt(d_s / width)),
        equation(sp.Symbol(r"\|A_0\|_{op}"), 2 * sigma2 * sp.sqrt(width * d_s)),
    ],
    heuristic=True,
)


@functools.cache
def _concentration_samples(width_: int, d: int = 20) -> tuple:
    dev, norm = [], []
    for seed in range(4):
        w1, w2 = lazyrich.gaussian_init(d, d, width_, 1.0 / width_, seed=np.random.default_rng([220, width_, seed]))
        Av = w2 @ w1
        dev.append(np.linalg.norm(w1.T @ w1 - psd_sqrt(Av.T @ Av + np.eye(d)), 2))
        norm.append(np.linalg.norm(Av, 2))
    return float(np.mean(dev)), float(np.mean(norm))


@concentration.numeric_check
def concentration_at_d20(statement):
    dev_rel, norm_rel = statement
    f_dev = sp.lambdify((d_s, width), dev_rel.rhs)
    f_norm = sp.lambdify((d_s, width, sigma2), norm_rel.rhs)
    out = []
    for w_ in (200, 2000, 20000, 200000):
        dev, norm = _concentration_samples(w_)  # c = sigma^2 w = 1
        out.append(
            Measurement(
                abs(dev / f_dev(20, w_) - 1),
                0.3,
                f"w={w_}: mean |X - Q(A)|/c over the stated, minus 1",
                "heuristic: 30% (finite-d edge of the spectrum)",
            )
        )
        out.append(
            Measurement(
                abs(norm / f_norm(20, w_, 1.0 / w_) - 1),
                0.3,
                f"w={w_}: mean |A0|_op over the stated, minus 1",
                "heuristic: 30%",
            )
        )
    return out


approximation_law = claim(
    "mixed_dynamics.approximation_law",
    r"Distance between the network's dynamics and eq. (1) at fixed $c$ shrinks like $\sqrt{d/w}$",
    Source(
        PAPER,
        "Tu et al. (2024), Fig. 2 BR, Theorems 1-2 (distance GD vs eq. (1))",
        "heuristic, not proven (empirical); measured here on gradient flows, which have no discretisation floor",
    ),
    statement=lambda: [
        equation(sp.Symbol(r"\max_t \|A(t) - B(t)\|_F/\|T\|_F"), sp.O(sp.sqrt(d_s / width), (width, sp.oo)))
    ],
    heuristic=True,
)


@functools.lru_cache(maxsize=1)
def _distances() -> tuple:
    """max_t |A_GF(t) - B(t)|_F / |T|_F at d = 6, c = 1 for w = 10^2 .. 10^6 (weights' flow vs eq. (1))."""
    d, cv = 6, 1.0
    T = lazyrich.matrix_with_singular_values((d, d), [4.0, 2.0, 1.0, 0.5, 0.3, 0.1], np.random.default_rng(231))
    times = np.linspace(0.0, 2.0, 21)
    out = []
    for w_ in (10**2, 10**3, 10**4, 10**5, 10**6):
        w1, w2 = lazyrich.gaussian_init(d, d, w_, cv / w_, seed=np.random.default_rng([230, w_, 0]))
        traj = gradient_flow(DeepLinearModel(T), (w1, w2), times, rtol=1e-8)
        A_w = np.einsum("kij,kjl->kil", traj["W2"], traj["W1"])
        A_e = eq1_flow(w2 @ w1, T, cv, times, rtol=1e-8)[0]
        out.append((w_, float(np.max(np.linalg.norm(A_w - A_e, axis=(1, 2))) / np.linalg.norm(T))))
    return tuple(out)


@approximation_law.numeric_check
def fitted_exponent(statement):
    (rel,) = statement
    order = rel.rhs.getO() if isinstance(rel.rhs, sp.Add) else rel.rhs
    stated = sp.limit(width * sp.diff(sp.log(order.expr), width), width, sp.oo)  # the exponent of w
    widths, dist = zip(*_distances())
    slope = fit_order(widths, dist)
    return Measurement(
        abs(slope - float(stated)),
        0.1,
        f"fitted exponent {slope:.3f} vs stated {stated} (distances {', '.join(f'{x:.2g}' for x in dist)})",
        "heuristic: 0.1",
    )
