r"""Symbols shared by the ``lazy_to_rich.*`` claims (Dominé et al. (2025), Sec. 3 notation).

Widths :math:`N_i, N_h, N_o` are symbols (general shapes); :math:`W_1` is :math:`N_h\times N_i`,
:math:`W_2` is :math:`N_o\times N_h`, :math:`\Sigma_{yx}` is :math:`N_o\times N_i` (whitened inputs,
:math:`\Sigma_{xx} = I`, assumption A1). ``RATES`` is the gradient flow of Sec. 3,
``BALANCE`` the lambda-balance of assumption A2 as a rewrite rule, ``F_blocks`` / ``QQT_blocks`` the block
matrices of the Riccati equation (Sec. 4). A mode of a task-aligned network is parametrised rationally
(``u``, ``mu``): :math:`a = (1-u^2)/(1+u^2)`, :math:`b = 2u/(1+u^2)`, :math:`\lambda = 2\mu(b^2 - a^2)`,
:math:`\tilde s = 2\mu a b`, which removes the square root :math:`\mu = \sqrt{\tilde s^2 + \lambda^2/4}`.
"""

from __future__ import annotations

import random

import sympy as sp
from sympy import BlockMatrix, Identity, MatrixSymbol

from lazyrich import TIME, RewriteRule, explicit_residual, time_derivative

#: relative tolerance of every DOP853 simulation of the package
RTOL = 1e-12
PAPER = "lazy_to_rich"

t = TIME  # sp.Symbol("t", real=True): the time of lazyrich.ddt
tau = sp.Symbol("tau", positive=True)
lam = sp.Symbol("lambda", real=True)
N_i, N_h, N_o, P_ = sp.symbols("N_i N_h N_o P", positive=True, integer=True)
m_ = sp.Symbol("m", positive=True, integer=True)
n_q = sp.Symbol("n", positive=True, integer=True)
W1 = MatrixSymbol("W_1", N_h, N_i)
W2 = MatrixSymbol("W_2", N_o, N_h)
Sigma = MatrixSymbol("Sigma_yx", N_o, N_i)
I_h = Identity(N_h)
E_res = Sigma - W2 * W1  # whitened residual Sigma_yx - W2 W1
RATES = {W1: W2.T * E_res / tau, W2: E_res * W1.T / tau}
BALANCE = RewriteRule(W2.T * W2, W1 * W1.T + lam * Identity(N_h))
IMBALANCE = W2.T * W2 - W1 * W1.T - lam * Identity(N_h)
F_blocks = BlockMatrix([[-lam / 2 * Identity(N_i), Sigma.T], [Sigma, lam / 2 * Identity(N_o)]])
QQT_blocks = BlockMatrix([[W1.T * W1, W1.T * W2.T], [W2 * W1, W2 * W2.T]])
n_ = N_i + N_o
F_sym = MatrixSymbol("F", n_, n_)
QQT_sym = MatrixSymbol("QQ^T", n_, n_)
s_t = sp.Symbol(r"\tilde{s}", positive=True)  # task singular value
s_ = sp.Symbol("s", real=True)
s0_s = sp.Symbol("s_0", positive=True)
mu = sp.Symbol("mu", positive=True)
mu_def = sp.sqrt(s_t**2 + lam**2 / 4)
L_sym = sp.Symbol(r"\mathcal{L}")
ell = sp.Symbol(r"\ell_\perp", real=True)

# rational parametrisation of a mode: a = cos, b = sin of a half-angle
u_ = sp.Symbol("u", positive=True)
a_u = (1 - u_**2) / (1 + u_**2)
b_u = 2 * u_ / (1 + u_**2)
lam_u = 2 * mu * (b_u**2 - a_u**2)  # every (s~ >= 0, lambda) has such (mu, u), u in (0, 1]
s_u = 2 * mu * a_u * b_u

# square / singular-value symbols shared with claims 15-29
R_s = MatrixSymbol("R", N_h, N_h)
S_sym = sp.Symbol("S", positive=True)
M_s = MatrixSymbol("M", N_h, N_h)
Sq = MatrixSymbol("Sigma_yx", N_h, N_h)


def mat_sub(a, b, *more):
    """``a - b + sum(more)`` as an unevaluated MatAdd (SymPy's ``-`` runs slow simplification strategies)."""
    return sp.MatAdd(a, sp.MatMul(-1, b), *more)


__all__ = [
    "BALANCE",
    "IMBALANCE",
    "PAPER",
    "P_",
    "RATES",
    "RTOL",
    "W1",
    "W2",
    "E_res",
    "F_blocks",
    "F_sym",
    "I_h",
    "L_sym",
    "M_s",
    "N_h",
    "N_i",
    "N_o",
    "QQT_blocks",
    "QQT_sym",
    "R_s",
    "S_sym",
    "Sigma",
    "Sq",
    "a_u",
    "b_u",
    "blocks_of",
    "d_dt",
    "derivative_target",
    "ell",
    "exact_screen",
    "expand_definitions",
    "lam",
    "lam_u",
    "m_",
    "mat_sub",
    "mu",
    "mu_def",
    "n_",
    "n_q",
    "replace_derivatives",
    "s0_s",
    "s_",
    "s_t",
    "s_u",
    "statement_rates",
    "t",
    "tau",
    "u_",
]


# ----------------------------------------------------------------- reading a statement (shared by the section modules)
def expand_definitions(expr, subs: dict, depth: int = 6):
    """``expr`` with the statement's definitions substituted until none is left (at most ``depth`` rounds)."""
    for _ in range(depth):
        new = expr.xreplace(subs)
        if new == expr:
            return new
        expr = new
    return expr


def derivative_target(lhs):
    """``(X, c)`` when ``lhs`` is ``c * d/dt X`` (``c`` a scalar), else ``None``."""
    coeff = sp.S.One
    if isinstance(lhs, (sp.MatMul, sp.Mul)):
        ders = [a for a in lhs.args if isinstance(a, sp.Derivative)]
        if len(ders) != 1:
            return None
        coeff = sp.Mul(*[a for a in lhs.args if a is not ders[0]])
        lhs = ders[0]
    if isinstance(lhs, sp.Derivative) and lhs.variables == (t,):
        return lhs.expr, coeff
    return None


def statement_rates(relations, defined=()) -> dict:
    """The declared rates ``{X: dX/dt}`` of a statement: its relations ``c * d/dt X = R`` with ``X`` not defined."""
    rates = {}
    for rel in relations:
        target = derivative_target(rel.lhs)
        if target is not None and isinstance(target[0], (MatrixSymbol, sp.Symbol)) and target[0] not in defined:
            rates[target[0]] = rel.rhs / target[1]
    return rates


def d_dt(expr, rates: dict):
    """:func:`lazyrich.time_derivative`, block by block for a ``BlockMatrix``."""
    if isinstance(expr, BlockMatrix):
        return BlockMatrix([[d_dt(b, rates) for b in row] for row in expr.blocks.tolist()])
    return time_derivative(expr, rates)


def replace_derivatives(expr, rates: dict, subs: dict):
    """Every ``d/dt X`` of ``expr`` replaced by the derivative of ``X``'s definition (or ``X``) under ``rates``."""
    target = derivative_target(expr)
    if target is not None:  # c * d/dt X: rebuilt with ``*`` so that a matrix stays a MatMul
        return target[1] * d_dt(expand_definitions(target[0], subs), rates)
    reps = {}
    for der in expr.atoms(sp.Derivative):
        if der.variables == (t,):
            reps[der] = d_dt(expand_definitions(der.expr, subs), rates)
    return expr.xreplace(reps)


def _block_grid(expr):
    """``expr`` as a grid (list of rows) of unevaluated block expressions, or ``None`` when it has no blocks."""
    if isinstance(expr, BlockMatrix):
        return [list(row) for row in expr.blocks.tolist()]
    if isinstance(expr, sp.Transpose):
        g = _block_grid(expr.arg)
        return None if g is None else [[sp.Transpose(g[j][i]) for j in range(len(g))] for i in range(len(g[0]))]
    if isinstance(expr, sp.MatAdd):
        grids = [_block_grid(a) for a in expr.args]
        if all(g is None for g in grids):
            return None
        first = next(g for g in grids if g is not None)
        return [[sp.MatAdd(*[g[i][j] for g in grids]) for j in range(len(first[0]))] for i in range(len(first))]
    if isinstance(expr, sp.MatPow) and expr.exp.is_Integer and expr.exp > 1:
        return _block_grid(sp.MatMul(*([expr.base] * int(expr.exp))))
    if isinstance(expr, sp.MatMul):
        coeff = sp.Mul(*[a for a in expr.args if not getattr(a, "is_Matrix", False)])
        mats = [a for a in expr.args if getattr(a, "is_Matrix", False)]
        grids = [_block_grid(a) for a in mats]
        if all(g is None for g in grids):
            return None
        acc = grids[0]
        for g in grids[1:]:
            acc = [
                [sp.MatAdd(*[sp.MatMul(acc[i][k], g[k][j]) for k in range(len(g))]) for j in range(len(g[0]))]
                for i in range(len(acc))
            ]
        return [[sp.MatMul(coeff, b) if coeff != 1 else b for b in row] for row in acc]
    return None


def blocks_of(expr) -> list:
    """The blocks of ``expr`` multiplied out block by block (unevaluated), or ``[expr]`` when it has no blocks."""
    grid = _block_grid(expr)
    return [expr] if grid is None else [b for row in grid for b in row]


def exact_screen(residuals, dims: dict, seed: int = 0) -> list:
    """The residuals that are *certainly* not identically zero: each evaluated exactly (rational arithmetic) at one
    random integer point of the explicit shapes ``dims``; a nonzero value disproves the identity.

    A quick exact disproof before the general-shape reduction (which is slow to say "not zero"); valid only for
    residuals that must vanish for all values of their symbols (no hypotheses used).
    """
    rng = random.Random(seed)
    out = []
    for r in residuals:
        scalars = {s: sp.Integer(rng.randint(2, 9)) for s in r.free_symbols if not isinstance(s, MatrixSymbol)}
        scalars = {s: v for s, v in scalars.items() if s not in dims}
        mats = {
            m: sp.Matrix(*[sp.sympify(d).subs(dims) for d in m.shape], lambda i, j: rng.randint(-3, 3))
            for m in r.atoms(MatrixSymbol)
        }
        try:
            if mats or getattr(r, "is_Matrix", False):
                value = explicit_residual(r.xreplace(scalars), dims, values=mats)
            else:
                value = sp.Matrix([[r.xreplace(scalars)]])
        except Exception:  # an expression the explicit route cannot evaluate: no screen
            continue
        if any(sp.nsimplify(sp.expand(e)) != 0 for e in value):
            out.append(value)
    return out
