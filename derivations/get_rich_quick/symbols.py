r"""Symbols shared by the claims of Kunin et al. (2024).

The single neuron ``f(x) = a w^T x`` (Kunin et al. (2024), Sec. 3) at general shape: ``a`` is a 1x1 matrix
(a commuting scalar for :func:`lazyrich.canonicalize`), ``w`` a ``d``-vector, data ``X`` (``n x d``),
targets ``y``. For whitened data (``X^T X = I``, ``X^T y = beta_*``) the flow closes on the scalars
``a``, ``q = |w|^2`` and ``p = w^T beta_*`` (:data:`WHITENED_RATES`), ``s = |beta_*|``.
"""

from __future__ import annotations

import sympy as sp
from sympy import MatrixSymbol

from lazyrich import TIME, ddt, hypothesis

__all__ = [
    "NEURON_RATES",
    "PAPER",
    "TIME",
    "WHITENED_RATES",
    "X",
    "a",
    "a_s",
    "d",
    "delta",
    "eta_a",
    "eta_w",
    "g",
    "kappa",
    "mu",
    "n",
    "neuron_rate_hypotheses",
    "nu",
    "one_by_one",
    "p_s",
    "phi",
    "q_s",
    "r_s",
    "s",
    "t",
    "u_s",
    "v_s",
    "w",
    "whitened_rate_hypotheses",
    "y",
]

PAPER = "get_rich_quick"

t = TIME
eta_a, eta_w = sp.symbols("eta_a eta_w", positive=True)
n, d = sp.symbols("n d", positive=True, integer=True)
g = sp.sqrt(eta_a * eta_w)

# ----------------------------------------------------------------- the neuron at general shape
a = MatrixSymbol("a", 1, 1)
w = MatrixSymbol("w", d, 1)
X = MatrixSymbol("X", n, d)
y = MatrixSymbol("y", n, 1)
#: gradient flow of L = |X w a - y|^2 / 2 with layer rates eta_a, eta_w (Kunin et al. (2024), Sec. 3)
NEURON_RATES = {a: -eta_a * w.T * X.T * (X * w * a - y), w: -eta_w * X.T * (X * w * a - y) * a}

# ----------------------------------------------------------------- scalars
delta = sp.Symbol("delta", real=True)
s = sp.Symbol("s", positive=True)  # |beta_*|
mu, phi, nu = sp.symbols("mu phi nu", real=True)
kappa = sp.Symbol("kappa", positive=True)
a_s = sp.Symbol("a", real=True, nonzero=True)  # the scalar a (nonzero off the saddle)
q_s = sp.Symbol("q", positive=True)  # |w|^2
p_s = sp.Symbol("p", real=True)  # w^T beta_*
r_s = sp.Symbol("r", positive=True)  # |beta|
u_s, v_s = sp.symbols("u v", positive=True)  # hyperbolic coordinates sqrt(kappa + delta), sqrt(kappa - delta)

#: the whitened flow in (a, q = |w|^2, p = w^T beta_*) (Kunin et al. (2024), Sec. 3, X^T X = I)
WHITENED_RATES = {
    a_s: eta_a * (p_s - a_s * q_s),
    q_s: 2 * eta_w * (a_s * p_s - a_s**2 * q_s),
    p_s: eta_w * (a_s * s**2 - a_s**2 * p_s),
}


def whitened_rate_hypotheses(unit: bool = False) -> list:
    """The whitened flow as hypotheses ``d/dt a = ...``, ``d/dt q = ...``, ``d/dt p = ...`` of a statement."""
    sub = {eta_a: 1, eta_w: 1} if unit else {}
    return [hypothesis(ddt(k), v.subs(sub)) for k, v in WHITENED_RATES.items()]


def neuron_rate_hypotheses(unit: bool = False) -> list:
    """The general-data flow ``d/dt a``, ``d/dt w`` (any ``X``, ``y``) as hypotheses of a statement."""
    sub = {eta_a: 1, eta_w: 1} if unit else {}
    return [hypothesis(ddt(k), v.subs(sub)) for k, v in NEURON_RATES.items()]


def one_by_one(*labels: str) -> dict:
    """``equivalent`` entries for mutants that transpose a 1x1 matrix (``a``, ``a_k``): the same statement."""
    return {lab: "a 1x1 matrix is its own transpose" for lab in labels}
