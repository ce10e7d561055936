"""Shared pieces of the certified checks (``lazyrich verify --certified``) of every paper package.

A certified check encloses the exact value of a claim's closed form with Arb balls (:mod:`lazyrich.certified`,
python-flint) and measures, for a float64 evaluation (or a simulation), a *certified* upper bound on its
distance to the exact value, ``|x - mid| + rad``, against that value's own error bound (:func:`inside`).
The enclosure radius is a measurement of its own (:func:`radius_measurement`, held to ``2^-BITS``).
Register one with :func:`certified_check`; like the other checks, a certified check may take the statement.
The float64 error bound of a scalar formula is the shared rounding model of :mod:`derivations.rounding`.
"""

from __future__ import annotations

import functools

import mpmath
import numpy as np

from lazyrich import Measurement
from lazyrich.certified import Enclosure, exact_arb, require_flint

__all__ = [
    "BITS",
    "DERIVED_PREC",
    "arb_to_mpf",
    "certainly_wrong",
    "certified_check",
    "certified_eigenvalues",
    "enclosure",
    "inside",
    "lower_distance",
    "radius_measurement",
    "symmetric_eigenvalues",
]

#: Requested relative accuracy of the enclosures (bits); the radius must come out below 2^-BITS * scale.
BITS = 100

#: Working precision (bits) of the Arb arithmetic the checks do on enclosures (python-flint's default is 53):
#: well above BITS, so derived balls keep radii far below 2^-BITS relative.
DERIVED_PREC = 4 * BITS


def certified_check(claim):
    """Register the decorated function as the certified check of ``claim``, run at :data:`DERIVED_PREC`.

    The function takes no argument or the statement (as the symbolic and numeric checks do).
    """

    def register(fn):
        @functools.wraps(fn)
        def run(*statement):
            flint = require_flint()
            saved = flint.ctx.prec
            flint.ctx.prec = DERIVED_PREC
            try:
                return fn(*statement)
            finally:
                flint.ctx.prec = saved

        claim.certified_check(run)
        return fn

    return register


def radius_measurement(enc: Enclosure, scale: float, what: str) -> Measurement:
    """The enclosure's largest radius, held to ``2^-BITS * scale``."""
    return Measurement(
        float(enc.rad.max()),
        2.0**-BITS * scale,
        f"{what}: Arb enclosure radius (prec {enc.prec} bits)",
        f"requested 2^-{BITS} relative",
    )


def inside(enc: Enclosure, x, bound: float, what: str, bound_from: str) -> Measurement:
    """The certified distance ``|x - mid| + rad`` of float64 values ``x`` from the enclosure, held to ``bound``.

    Every float64-vs-exact comparison of the certified checks goes through here (the tests corrupt it).
    """
    return Measurement(float(enc.distance_bound(x).max()), bound, f"{what}: certified |x - exact|", bound_from)


def lower_distance(enc: Enclosure, x) -> float:
    """A certified lower bound on ``max |x - exact|`` (0 when the balls are too wide to tell)."""
    xs = np.asarray(x, dtype=object).reshape(enc.balls.shape)
    return max(max(float(abs(exact_arb(v) - b).lower()), 0.0) for v, b in zip(xs.flat, enc.balls.flat))


def certainly_wrong(enc: Enclosure, x, floor: float, what: str) -> Measurement:
    """Passes when ``x`` is *certainly* at least ``floor`` away from the exact value somewhere."""
    low = lower_distance(enc, x)
    return Measurement(
        floor / max(low, 1e-300),
        1.0,
        f"{what}: floor {floor:g} / certified lower bound on |x - exact| {low:.3g}",
        "the failure must exceed the floor (certified)",
    )


def symmetric_eigenvalues(m) -> list:
    """Sorted enclosures of the eigenvalues of a real symmetric ``arb_mat`` (repeated eigenvalues allowed).

    Arb's ``eig`` cannot isolate repeated eigenvalues, so: V = mpmath eigenvectors of the midpoint (60 digits,
    exact binary numbers), B = V^{-1} M V (rigorous, similar to M), and Gershgorin discs of B. A connected
    union of k discs holds exactly k eigenvalues; each of them gets the union's hull (real: M is symmetric).
    """
    flint = require_flint()
    n = m.nrows()
    with mpmath.workdps(60):
        mid = mpmath.matrix([[arb_to_mpf(m[i, j]) for j in range(n)] for i in range(n)])
        mid = (mid + mid.T) / 2
        _, V = mpmath.eigsy(mid)
        Va = flint.arb_mat([[exact_arb(V[i, j]) for j in range(n)] for i in range(n)])
    B = Va.solve(m * Va)
    discs = []  # exact endpoints (arb balls of radius 0) of the real Gershgorin intervals
    for i in range(n):
        r = (sum((abs(B[i, j]) for j in range(n) if j != i), exact_arb(0.0)) + B[i, i].rad()).upper()
        c = B[i, i].mid()
        discs.append(((c - r).lower(), (c + r).upper()))
    discs.sort(key=lambda d: float(d[0].mid()))
    out, k = [], 0
    while k < n:
        lo, hi, j = discs[k][0], discs[k][1], k + 1
        while j < n and bool(discs[j][0] <= hi):
            hi = discs[j][1] if bool(discs[j][1] > hi) else hi
            j += 1
        half = (hi - lo) / 2
        centre = (lo + hi) / 2
        hull = flint.arb(centre.mid(), (half.upper() + centre.rad()).upper())
        out += [hull] * (j - k)
        k = j
    return out


def arb_to_mpf(b):
    """The midpoint of a ball as an mpmath number (exact conversion through its decimal string at 60 digits)."""
    return mpmath.mpf(b.mid().str(60, radius=False))


def enclosure(balls) -> Enclosure:
    """An :class:`lazyrich.certified.Enclosure` of a list of balls (computed at :data:`DERIVED_PREC`)."""
    out = np.empty(len(balls), dtype=object)
    for i, b in enumerate(balls):
        out[i] = b
    return Enclosure(out, DERIVED_PREC)


def certified_eigenvalues(a: np.ndarray) -> Enclosure:
    """Sorted real enclosures of the eigenvalues of a symmetric float matrix taken as exact."""
    flint = require_flint()
    return enclosure(symmetric_eigenvalues(flint.arb_mat([[exact_arb(v) for v in row] for row in a])))
