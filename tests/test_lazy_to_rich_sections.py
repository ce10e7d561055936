"""The statement-driven claims of Dominé et al. (2025), Secs. 3-5 (derivations/lazy_to_rich/{setup, conservation,
riccati, solution, aligned}.py): each passes on its own statement and fails on mutants of it."""

from __future__ import annotations

import pytest
import sympy as sp

from derivations.lazy_to_rich import aligned, conservation, limits, riccati, setup, solution, spectrum
from derivations.lazy_to_rich.symbols import exact_screen
from lazyrich import Claim, run_claim
from lazyrich._tools.mutate import mutants

MODULES = (setup, conservation, riccati, spectrum, solution, limits, aligned)
CLAIMS = [getattr(m, n) for m in MODULES for n in m.__all__ if isinstance(getattr(m, n), Claim)]


def test_the_sections_hold_claims_1_to_14_and_the_conservation_laws():
    assert len(CLAIMS) == 17  # claims 1, 3-14 and four conservation laws
    for c in CLAIMS:
        for fn in (c.symbolic, c.numeric):
            assert fn is None or (fn.__name__ != "_" and fn.__code__.co_argcount == 1), (
                f"{c.id}: a named check of the statement"
            )


@pytest.mark.parametrize("c", CLAIMS, ids=lambda c: c.id)
def test_claim_passes_on_its_own_statement(c):
    res = run_claim(c)
    assert res.passed, f"{c.id}: symbolic {res.symbolic.detail} | numeric {res.numeric.detail}"


def _sample(c, k=2):
    """``k`` mutants spread over the statement, none listed as equivalent."""
    ms = [m for m in mutants(c.statements()) if m.label not in c.equivalent]
    if len(ms) <= k:
        return ms
    return [ms[round(i * (len(ms) - 1) / (k - 1))] for i in range(k)]


@pytest.mark.parametrize("c", [c for c in CLAIMS if _sample(c)], ids=lambda c: c.id)
def test_mutated_statements_fail(c):
    for m in _sample(c):
        assert not run_claim(c, statement=list(m.statement)).passed, (
            f"{c.id}: mutant {m.label} ({m.description}) passed"
        )


def test_exact_screen_disproves_and_spares():
    A = sp.MatrixSymbol("A", sp.Symbol("n", integer=True, positive=True), sp.Symbol("n", integer=True, positive=True))
    n = A.shape[0]
    assert exact_screen([(A * A).T - A.T * A.T], {n: 2}) == []
    assert len(exact_screen([A * A.T - A.T * A], {n: 2})) == 1
