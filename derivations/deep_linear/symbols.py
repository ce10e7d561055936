"""Symbols shared by the deep-linear claims (general shapes: every width is a symbol)."""

from __future__ import annotations

import sympy as sp

from lazyrich import TIME

__all__ = ["TIME", "A", "B", "G", "W_a", "W_b", "layers", "tau"]

#: widths: input r, below-layer k, layer m, above-layer p, output q
r, k, m, p, q = sp.symbols("r k m p q", integer=True, positive=True)
#: an adjacent pair of layers W_l (m x k) and W_{l+1} (p x m)
W_a = sp.MatrixSymbol("W_l", m, k)
W_b = sp.MatrixSymbol("W_{l+1}", p, m)
#: the products of the layers above W_{l+1} (q x p) and below W_l (k x r): any depth
A = sp.MatrixSymbol("A", q, p)
B = sp.MatrixSymbol("B", k, r)
#: the loss gradient at the end-to-end matrix, nabla L(W) = -(Sigma_yx - W Sigma_xx) (q x r)
G = sp.MatrixSymbol(r"\nabla L", q, r)
tau = sp.Symbol("tau", positive=True)


def layers(N: int) -> tuple:
    """``(W_1, ..., W_N)`` of a depth-N network with widths ``n_0 .. n_N`` (symbols)."""
    n = sp.symbols(f"n_0:{N + 1}", integer=True, positive=True)
    return tuple(sp.MatrixSymbol(f"W_{i}", n[i], n[i - 1]) for i in range(1, N + 1))
