"""The exit-code table of every ``lazyrich`` subcommand, ``--version`` and the ``--help`` of each subcommand.

0 success, 1 a check failed, 2 usage error / no claim matches / bad file (``lazyrich._tools.cli.EXIT_CODES``).
Every case is small: demo claims written here, one cheap registered claim, a two-point sweep on threads,
``stress`` on one model at three times.
"""

import re
import textwrap
from importlib.metadata import version

import pytest

import lazyrich._tools.stress as stress_module
from lazyrich._tools.cli import EXIT_CODES, main

SUBCOMMANDS = ("verify", "claims", "latex", "stress", "sweep", "check", "mutate")

# (x + 1)^2 = x^2 + 2x + 1 with a check that reads the statement (every mutant is killed), a false
# expansion, and a Monte Carlo measurement held to 5 standard errors
CLAIMS = textwrap.dedent(
    """
    import sympy as sp
    from lazyrich import Measurement, Proof, Source, claim

    x = sp.Symbol("x")
    good = claim("exitdemo.square", "a true expansion", Source("exitdemo", "test"),
                 statement=lambda: [sp.Eq((x + 1) ** 2, x**2 + 2 * x + 1, evaluate=False)])
    good.symbolic_check(lambda st: Proof(residuals=[sp.expand(r.lhs - r.rhs) for r in st]))
    mc = claim("exitdemo.monte_carlo", "a sample mean", Source("exitdemo", "test"))
    mc.numeric_check(lambda: Measurement(1.83, 5.0, "mean vs E, in standard errors", "5 standard errors (CLT)"))
    bad = claim("exitdemo.wrong", "a false expansion", Source("exitdemo", "test"),
                statement=lambda: [sp.Eq((x + 1) ** 2, x**2 + 1, evaluate=False)])
    bad.symbolic_check(lambda st: Proof(residuals=[sp.expand(r.lhs - r.rhs) for r in st]))
    """
)
CHEAP = "get_rich_quick.conservation_delta"  # a registered claim whose checks take well under a second


@pytest.fixture(scope="module")
def claims_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("exit_claims")
    (d / "exitdemo_claims.py").write_text(CLAIMS)  # imported by --module
    (d / "exitcheck_good.py").write_text(CLAIMS.split("bad = claim")[0].replace("exitdemo", "exitgood"))
    (d / "exitcheck_bad.py").write_text(CLAIMS.replace("exitdemo", "exitbad"))  # own ids: imported as a file
    (d / "exitcheck_none.py").write_text("X = 1\n")
    return d


@pytest.fixture
def demo(claims_dir, monkeypatch):
    monkeypatch.syspath_prepend(str(claims_dir))
    return claims_dir


def _code(argv) -> int:
    """The exit status of ``lazyrich argv``: main's return value, or argparse's SystemExit code."""
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code


def _sweep_spec(tmp_path, xs) -> str:
    spec = tmp_path / f"s{len(xs)}_{abs(hash(tuple(xs)))}.toml"
    spec.write_text(f'function = "sweep_support:raising"\n[grid]\nx = {list(xs)}\n')
    return str(spec)


M = ["--module", "exitdemo_claims"]
TABLE = [
    # verify
    (["verify", "exitdemo.square", *M, "-j", "1"], 0),
    (["verify", "exitdemo.", *M, "-j", "1"], 1),
    (["verify", "no_such_claim_xyz"], 2),
    (["verify", "--jobs", "many"], 2),
    (["verify", "--module", "no_such_module_xyz"], 2),
    # claims
    (["claims", "exitdemo.", *M], 0),
    (["claims", "no_such_claim_xyz"], 2),
    (["claims", "--no-such-option"], 2),
    # latex
    (["latex", CHEAP, "--fragment"], 0),
    (["latex", "no_such_claim_xyz"], 2),
    (["latex", CHEAP, "--notation", "/no/such/notation.toml"], 2),
    # stress
    (["stress", "aligned", "--t-max", "100", "--n-times", "3", "-q"], 0),
    (["stress", "aligned", "--t-max", "0.05"], 2),
    (["stress", "no_such_model"], 2),
    # check
    (["check", "{dir}/exitcheck_good.py"], 0),
    (["check", "{dir}/exitcheck_bad.py"], 1),
    (["check", "{dir}/no_such_file.py"], 2),
    (["check", "{dir}/exitcheck_none.py"], 2),
    # mutate
    (["mutate", "exitdemo.square", *M, "-j", "1"], 0),
    (["mutate", "exitdemo.wrong", *M, "-j", "1"], 1),  # the claim fails on its own statement
    (["mutate", "no_such_claim_xyz"], 2),
]


@pytest.mark.parametrize(("argv", "expected"), TABLE, ids=[" ".join(a[:2]) + f" -> {e}" for a, e in TABLE])
def test_exit_code_table(demo, argv, expected, capsys):
    argv = [a.replace("{dir}", str(demo)) for a in argv]
    assert _code(argv) == expected, capsys.readouterr().err
    assert expected in EXIT_CODES


def test_sweep_exit_codes(tmp_path, capsys):
    assert _code(["sweep", _sweep_spec(tmp_path, [4.0, 9.0]), "--scheduler", "threads", "-q"]) == 0
    assert _code(["sweep", _sweep_spec(tmp_path, [4.0, -1.0]), "--scheduler", "threads", "-q"]) == 1
    assert _code(["sweep", str(tmp_path / "no_such_spec.toml"), "--scheduler", "threads"]) == 2
    assert _code(["sweep"]) == 2  # no SPEC
    assert _code(["sweep", _sweep_spec(tmp_path, [1.0]), "--scheduler", "nowhere"]) == 2
    capsys.readouterr()


def test_stress_exits_1_when_a_stable_form_fails(monkeypatch, capsys):
    real = stress_module.stress

    def broken(*args, **kw):  # as if the stable float64 form overflowed at the last time
        rep = real(*args, **kw)
        for row in rep.rows:
            if row.backend == "stable":
                row.error[-1] = None
        return rep

    monkeypatch.setattr(stress_module, "stress", broken)
    assert _code(["stress", "aligned", "--t-max", "100", "--n-times", "3", "-q"]) == 1
    assert "FAILED aligned/" in capsys.readouterr().err


def test_version_prints_the_installed_version(capsys):
    assert _code(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"lazyrich {version('lazyrich')}"


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_documents_every_option_with_examples(command, capsys):
    assert _code([command, "--help"]) == 0
    text = capsys.readouterr().out
    assert "examples:" in text and f"lazyrich {command}" in text.split("examples:")[1]
    assert "exit status" in text
    lines = text.splitlines()
    options = lines[lines.index("options:") + 1 : lines.index("examples:")]
    for i, line in enumerate(options):
        if re.match(r"^  -", line):  # "  --opt ARG   help" or the help on the next, deeper-indented line
            documented = re.match(r"^  -\S.*?\s{2,}\S", line) or (
                i + 1 < len(options) and re.match(r"^ {8,}\S", options[i + 1])
            )
            assert documented, f"{command}: {line.strip()} has no help"


def test_top_level_help_lists_the_subcommands_and_exit_codes(capsys):
    assert _code(["--help"]) == 0
    text = capsys.readouterr().out
    assert all(c in text for c in SUBCOMMANDS) and "--version" in text and "130" in text
