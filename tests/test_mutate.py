"""``lazyrich mutate`` and ``lazyrich check``: mutants of a statement, kills, survivors, exit codes."""

import json
import textwrap

import pytest
import sympy as sp
from sympy import MatrixSymbol

from lazyrich import Claim, Proof, Source, ddt, equation
from lazyrich._tools.cli import main
from lazyrich._tools.mutate import mutants, mutate_claim
from lazyrich.symbolic import time_derivative

n = sp.Symbol("n", integer=True, positive=True)
A, W, G = (MatrixSymbol(s, n, n) for s in ("A", "W", "G"))


def test_every_operator_generates_mutants_with_unique_labels():
    st = [equation(ddt(W.T * W), -2 * W.T * G + sp.Rational(1, 2) * sp.Trace(A) * A**3)]
    ms = mutants(st)
    labels = [m.label for m in ms]
    assert len(labels) == len(set(labels))
    ops = {lb.split(".")[1] for lb in labels}
    assert ops == {"negate", "drop", "scale", "transpose", "exponent"}
    assert all(m.statement[0] != st[0] for m in ms)
    assert mutants(st) == ms  # deterministic: labels are what Claim.equivalent lists


def test_transposes_that_change_nothing_are_not_mutants():
    assert mutants([equation(sp.Trace(A), sp.Trace(W.T))]) == []  # tr(X^T) = tr(X)
    ms = mutants([equation(A, W.T)])
    assert sorted(m.description for m in ms) == ["relation 0: A -> A^T", "relation 0: W.T -> W"]  # not (W^T)^T


def test_a_sum_with_an_order_term_is_mutated_structurally():
    # SymPy absorbs c e^{-4t} into O(e^{-4t}) or not depending on a random Dummy index (a limit decides), which
    # made the mutant count differ between processes; such sums are rebuilt unevaluated
    x, t = sp.symbols("x t", real=True)
    st = [sp.Eq(x, 3 * sp.exp(-2 * t) + sp.O(sp.exp(-4 * t), (t, sp.oo)), evaluate=False)]
    rates = [m.statement[0].rhs for m in mutants(st) if ".scale." in m.label]
    assert sp.Add(3 * sp.exp(-4 * t), sp.O(sp.exp(-4 * t), (t, sp.oo)), evaluate=False) in rates  # not "drop term"


def _conservation_claim(reads: bool, equivalent=None) -> Claim:
    rates = {W: -G * W, A: -A * G.T}  # d/dt (W^T A^T ... ) not used: a self-contained demo
    c = Claim(
        "demo.conserved",
        "d/dt (A W) = -A (G^T + G) W",
        Source("demo", "eq. (1)"),
        [equation(ddt(A * W), -A * G.T * W - A * G * W)],
        equivalent=equivalent or {},
    )
    if reads:
        c.symbolic = lambda st: Proof(residuals=[time_derivative(st[0].lhs.expr, rates) - st[0].rhs])
    else:
        c.symbolic = lambda: Proof(residuals=[time_derivative(A * W, rates) + A * G.T * W + A * G * W])
    return c


def test_a_check_that_reads_its_statement_kills_every_mutant():
    rep = mutate_claim(_conservation_claim(reads=True))
    assert rep.reads_statement and rep.baseline
    assert rep.mutants > 5 and rep.killed == rep.mutants and not rep.survivors


def test_a_check_that_ignores_its_statement_lets_every_mutant_survive():
    rep = mutate_claim(_conservation_claim(reads=False))
    assert not rep.reads_statement and rep.killed == 0
    assert len(rep.unexplained) == rep.mutants > 0


def test_equivalent_mutants_are_explained_survivors():
    labels = [m.label for m in mutants(_conservation_claim(True).statements())]
    c = _conservation_claim(False, equivalent={lb: "demo: the check ignores the statement" for lb in labels})
    rep = mutate_claim(c)
    assert rep.survivors and not rep.unexplained


CLAIMS_FILE = """
import sympy as sp
from sympy import MatrixSymbol
import lazyrich
from lazyrich import Proof, Source, claim, ddt, equation, solution_claim
from lazyrich.symbolic import time_derivative

lazyrich.register_paper("{paper}", "K1 test claims")
t = sp.Symbol("t", real=True)
n = sp.Symbol("n", integer=True, positive=True)
W, G = MatrixSymbol("W", n, n), MatrixSymbol("G", n, n)
RATES = {{W: -G * W}}
c = claim("{paper}.gram", "d/dt W^T W", Source("{paper}", "eq. (1)"),
          statement=lambda: [equation(ddt(W.T * W), {rhs})])

@c.symbolic_check
def gram_rate(statement):
    (rel,) = statement
    return Proof(residuals=[time_derivative(rel.lhs.expr, RATES) - rel.rhs])

a = sp.Symbol("a", positive=True)
x = sp.Symbol("x")
solution_claim("{paper}.decay", "x = e^{{-a t}}", Source("{paper}", "eq. (2)"), {{x: -a * x}}, {{x: sp.exp(-a * t)}},
               {{x: 1}}, t, sample={{"instances": 1}})
"""


def _write(tmp_path, paper, rhs):
    f = tmp_path / f"{paper}_claims.py"
    f.write_text(textwrap.dedent(CLAIMS_FILE.format(paper=paper, rhs=rhs)))
    return f


def test_cli_check_runs_the_claims_of_a_file(tmp_path, capsys):
    good = _write(tmp_path, "k1_check_good", "-W.T * G * W - W.T * G.T * W")
    assert main(["check", str(good), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in rows} == {"k1_check_good.gram", "k1_check_good.decay"}
    bad = _write(tmp_path, "k1_check_bad", "-W.T * G * W")
    assert main(["check", str(bad)]) == 1
    assert "FAILED k1_check_bad.gram [symbolic]" in capsys.readouterr().err


def test_cli_mutate_exit_codes(tmp_path, capsys, monkeypatch):
    _write(tmp_path, "k1_mutate", "-W.T * G * W - W.T * G.T * W")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert main(["mutate", "k1_mutate.*", "--module", "k1_mutate_claims", "--jobs", "1", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert all(r["killed"] == r["mutants"] > 0 for r in rows)
    assert main(["mutate", "no_such_claim_xyz", "--module", "k1_mutate_claims"]) == 2


@pytest.mark.parametrize("pattern", ["lazy_to_rich.conservation_*"])
def test_cli_mutate_reports_claims_that_ignore_their_statement(pattern, capsys):
    code = main(["mutate", pattern, "--jobs", "1"])
    out = capsys.readouterr().out
    assert "killed" in out and "unexplained survivors" in out
    assert code in (0, 1)  # 1 while the claim's checks ignore its statement (issue 14)


def test_a_mutant_whose_checks_hang_is_stopped_and_counts_as_killed(monkeypatch):
    import time as _time

    import lazyrich._tools.mutate as mutate_module

    x = sp.Symbol("x")

    def slow_unless_original(st):
        if st[0].rhs != x + 1:
            _time.sleep(30)  # a mutant that makes the check hang
        return Proof(residuals=[st[0].lhs - st[0].rhs])

    c = Claim("demo.slow", "x + 1", Source("demo", "none"), [equation(x + 1, x + 1)])
    c.symbolic = slow_unless_original
    monkeypatch.setattr(mutate_module, "MUTANT_SECONDS", 0.5)
    rep = mutate_claim(c)  # each mutant is stopped after 0.5 s, not 30 s
    assert rep.mutants >= 1 and rep.killed == rep.mutants
