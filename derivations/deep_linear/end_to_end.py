r"""End-to-end dynamics of a balanced deep linear network (Arora, Cohen, Hazan (2018), Thm 1).

On the balanced manifold :math:`W_{l+1}^TW_{l+1} = W_lW_l^T`, the product :math:`W = W_N\cdots W_1` obeys

.. math::
    \tau\dot W = -\sum_{j=1}^N (WW^T)^{\frac{j-1}N}\,\nabla L(W)\,(W^TW)^{\frac{N-j}N}.

Proof, checked here with the calculus at depths 3, 4 and 5 and general shape: the product rule with the
layer rates :math:`\tau\dot W_l = -A_l^T\nabla L B_l^T` gives :math:`-\sum_l A_lA_l^T\nabla L B_l^TB_l`; the
balance relations, oriented as the rewrite :math:`W_lW_l^T \to W_{l+1}^TW_{l+1}`, reduce
:math:`A_lA_l^T` to :math:`(W_NW_N^T)^{N-l}` and :math:`B_l^TB_l` to :math:`(W_1^TW_1)^{l-1}` (both sides to one
normal form). The lemmas :math:`(W_NW_N^T)^N = WW^T` and :math:`(W_1^TW_1)^N = W^TW` reduce to zero the same
way; with the uniqueness of the positive semi-definite ``N``-th root they identify the statement's fractional
powers, :math:`(WW^T)^{k/N} = (W_NW_N^T)^k` (that uniqueness is the one step taken from linear algebra, not
from the calculus). The calculus has no symbolic depth, so general ``N`` is not proven here; each depth is
its own claim, and the numeric check evaluates the statement's fractional powers by eigendecomposition.
"""

from __future__ import annotations

import itertools

import numpy as np
import sympy as sp
from sympy.matrices.expressions import MatPow, MatrixSymbol

from lazyrich import (
    FLOAT64_EPS,
    Measurement,
    Proof,
    RewriteRule,
    Source,
    claim,
    ddt,
    equation,
    linalg_tolerance,
    quadratic_invariant_tolerance,
)
from lazyrich.symbolic import canonicalize, evaluate, time_derivative

from .reference import balanced_instance, chain, end_to_end_velocity, simulate
from .symbols import layers, tau

__all__ = ["DEPTHS", "END_TO_END"]

DEPTHS = (3, 4, 5)
RTOL = 1e-12


def _product(factors, n):
    factors = list(factors)
    if not factors:
        return sp.Identity(n)
    return factors[0] if len(factors) == 1 else sp.MatMul(*factors)


def _statement(N: int):
    Ws = layers(N)
    n_out, n_in = Ws[-1].shape[0], Ws[0].shape[1]
    grad = MatrixSymbol(r"\nabla L", n_out, n_in)
    rels = []
    for i, Wl in enumerate(Ws):
        above = _product(reversed(Ws[i + 1 :]), Wl.shape[0])  # A_l = W_N ... W_{l+1}
        below = _product(reversed(Ws[:i]), n_in)  # B_l = W_{l-1} ... W_1
        rels.append(equation(ddt(Wl), -(above.T * grad * below.T) / tau))
    for lo, hi in itertools.pairwise(Ws):
        rels.append(equation(hi.T * hi, lo * lo.T))
    W = sp.MatMul(*reversed(Ws))
    terms = [
        MatPow(W * W.T, sp.Rational(j - 1, N)) * grad * MatPow(W.T * W, sp.Rational(N - j, N)) for j in range(1, N + 1)
    ]
    rels.append(equation(ddt(W), -sp.MatAdd(*terms) / tau))
    return rels


def _parts(statement):
    """``(rates, balance relations, main relation)`` read from the statement."""
    rates, balance, main = {}, [], None
    for rel in statement:
        if isinstance(rel.lhs, sp.Derivative) and isinstance(rel.lhs.expr, MatrixSymbol):
            rates[rel.lhs.expr] = rel.rhs
        elif isinstance(rel.lhs, sp.Derivative):
            main = rel
        else:
            balance.append(rel)
    return rates, balance, main


def _power(M, k: int):
    return sp.Identity(M.shape[0]) if k == 0 else (M if k == 1 else sp.MatMul(*([M] * k)))


def _integer_powers(expr, W, N: int):
    """Replace ``(W W^T)^{k/N}`` by ``(W_N W_N^T)^k`` and ``(W^T W)^{k/N}`` by ``(W_1^T W_1)^k``.

    Justified by the lemmas ``(W_N W_N^T)^N = W W^T``, ``(W_1^T W_1)^N = W^T W`` and the uniqueness of
    positive semi-definite roots; any other power (another base, a non-integer ``k``) is refused.
    """
    top, bottom = W.args[0], W.args[-1]

    def repl(e):
        base, exp = e.args
        k = exp * N
        if not (k.is_Integer and k >= 0):
            raise ValueError(f"the power {e} is not (W W^T)^(k/N) or (W^T W)^(k/N) with an integer k >= 0")
        if base == W * W.T:
            return _power(top * top.T, int(k))
        if base == W.T * W:
            return _power(bottom.T * bottom, int(k))
        raise ValueError(f"the power {e} has a base other than W W^T or W^T W")

    return expr.replace(lambda e: isinstance(e, MatPow), repl)


def _psd_power(X: np.ndarray, e: float) -> np.ndarray:
    lam, V = np.linalg.eigh((X + X.T) / 2)
    return (V * np.clip(lam, 0.0, None) ** e) @ V.T


def _numeric_rhs(expr, values: dict, dims: dict):
    """The statement's right-hand side in float64, each fractional power by eigendecomposition."""
    subs, vals = {}, dict(values)
    for i, e in enumerate(sorted(expr.atoms(MatPow), key=sp.default_sort_key)):
        base, exp = e.args
        S = MatrixSymbol(f"P_{i}", *base.shape)
        subs[e] = S
        vals[S] = _psd_power(evaluate(base, values, dims=dims, arithmetic="float64"), float(exp))
    return evaluate(expr.xreplace(subs), vals, dims=dims, arithmetic="float64")


def _end_to_end_claim(N: int):
    c = claim(
        f"deep_linear.end_to_end_depth{N}",
        f"On the balanced manifold, the depth-{N} product W obeys the end-to-end dynamics",
        Source(
            "deep_linear",
            "Arora, Cohen, Hazan (2018), Thm 1",
            f"proven here at depth {N} and general shape by the calculus; the fractional powers are identified "
            "through the uniqueness of PSD roots; general N is not covered by the calculus",
        ),
        statement=lambda: _statement(N),
    )

    def end_to_end_by_balance(statement):
        rates, balance, main = _parts(statement)
        W = main.lhs.expr
        top, bottom = W.args[0], W.args[-1]
        rules = [RewriteRule(rel.rhs, rel.lhs) for rel in balance]  # W_l W_l^T -> W_{l+1}^T W_{l+1}
        lemmas = [_power(top * top.T, N) - W * W.T, _power(bottom.T * bottom, N) - W.T * W]
        rhs = _integer_powers(main.rhs, W, N)
        lhs = time_derivative(W, rates)
        residual = canonicalize(lhs - rhs, rules=rules).as_expr()
        steps = [
            equation(_power(top * top.T, N), W * W.T),
            equation(_power(bottom.T * bottom, N), W.T * W),
            equation(main.lhs, lhs),  # the product rule; lhs = rhs is the residual (too wide to display)
        ]
        return Proof(residuals=[*lemmas, residual], steps=steps, rules=rules, rates=rates)

    def end_to_end_on_balanced_flow(statement):
        """Square balanced depth-N network (full rank: fractional powers are well conditioned), at t = 0 and 1."""
        rates, balance, main = _parts(statement)
        Ws = list(reversed(main.lhs.expr.args))
        widths = (3,) * (N + 1)
        model, params = balanced_instance(widths, seed=N)
        traj = simulate(model, params, np.array([0.0, 1.0]), rtol=RTOL)
        out = []
        dims = {d: 3 for W in Ws for d in W.shape if isinstance(d, sp.Symbol)}
        grad_sym = next(iter(main.rhs.atoms(MatrixSymbol) - set(Ws)))
        for j, t in enumerate(traj.t):
            ps = tuple(traj[n][j] for n in traj.names)
            values = {W: P for W, P in zip(Ws, ps)}
            values.update({grad_sym: -model.residual(ps), tau: model.tau})
            scale = max(float(np.abs(P).max()) for P in ps)
            # balance: the construction's rounding plus the drift of a quadratic invariant along the flow
            tol = quadratic_invariant_tolerance(traj.n_steps, RTOL, traj.atol, scale) + 16 * FLOAT64_EPS * scale**2
            for rel in balance:
                gap = evaluate(rel.lhs - rel.rhs, values, dims=dims, arithmetic="float64")
                out.append(Measurement(float(np.abs(gap).max()), tol, f"t = {t}: {rel}", "2 |W| e + e^2"))
            vel = model.velocity(ps)
            for i, W in enumerate(Ws):
                got = evaluate(rates[W], values, dims=dims, arithmetic="float64")
                tol = linalg_tolerance(1.0, 4 * N * 3) * max(1.0, float(np.abs(vel[i]).max()))
                out.append(Measurement(float(np.abs(got - vel[i]).max()), tol, f"t = {t}: rate of {W}", "4 N n eps"))
            lhs = end_to_end_velocity(model, ps)
            rhs = _numeric_rhs(main.rhs, values, dims)
            WWt = chain(ps, 3) @ chain(ps, 3).T
            kappa = np.linalg.cond(WWt)
            tol = linalg_tolerance(kappa, 8 * N * 3) * max(1.0, float(np.abs(lhs).max()))
            out.append(
                Measurement(float(np.abs(lhs - rhs).max()), tol, f"t = {t}: end-to-end dW/dt", "kappa(WW^T) 8 N n eps")
            )
        return out

    c.symbolic_check(end_to_end_by_balance)
    c.numeric_check(end_to_end_on_balanced_flow)
    return c


#: the claims, by depth
END_TO_END = {N: _end_to_end_claim(N) for N in DEPTHS}
