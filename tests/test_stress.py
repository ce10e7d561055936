"""`lazyrich stress`: the direct form fails early on the stated case while the stable form stays flat to 1e6.

The errors come from the report itself (each a certified bound against an Arb enclosure, or against the
confirmed mpmath form at 80 digits for the two-layer net beyond ARB_MAX_BITS), so these tests read the
JSON the CLI prints. Bounds on the stable form's rows are derived from the unit round-off (2^-53 in float64, at
most 10^-N in N-digit arithmetic) times the condition of B and an operation count (``_stable_bound``).
"""

from __future__ import annotations

import contextlib
import io
import json
import math

import numpy as np
import pytest

from lazyrich import FLOAT64_EPS, InvalidParameterError, stress
from lazyrich._exact.scalar_mode import FLOAT64_ULPS
from lazyrich._exact.single_neuron_accuracy import float64_error_bound
from lazyrich._tools.cli import main
from lazyrich._tools.stress import BACKENDS, DIGITS, REFERENCE_BITS, REFERENCE_DPS, case_names, hard_case

STATED_CASE = "3-3-3 lambda=2 (stated case)"
NEARLY_SINGULAR_B = "nearly singular B (reversal, lambda=1e-4)"
#: Largest N_i + N_o among the two-layer stress cases (the 5-2-2 and 2-2-5 networks; the others are 3-3-3).
N_MAX = 7


def _cli_json(*args: str) -> dict:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["stress", *args, "--json"]) == 0
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def two_layer_rows():
    rep = _cli_json("two_layer", "--n-times", "14")  # default t_max = 1e6; a coarser grid than the default 36
    assert rep["t_max"] == 1e6
    return rep["rows"]


def _row(rows, case, backend):
    (row,) = [r for r in rows if r["case"] == case and r["backend"] == backend]
    return row


def _condition(row) -> float:
    return float(row["note"].rsplit(" ", 1)[1])


def test_direct_form_fails_below_t_100_on_the_stated_case(two_layer_rows):
    row = _row(two_layer_rows, STATED_CASE, "direct")
    early = [e for t, e in zip(row["t"], row["error"]) if t < 100]
    assert any(e is None or e > 1e-3 for e in early)
    assert row["failure_time"] is not None and row["failure_time"] < 100


def test_direct_form_returns_a_finite_wrong_value_before_it_overflows():
    # Not only an exception: on a grid that samples 10 < t < 100 finely, the stated case's direct form returns
    # finite values with certified error above 1e-3 (the 14-point grid above can step from 14 straight to overflow).
    rows = _cli_json("two_layer", "--t-max", "100", "--n-times", "16")["rows"]
    row = _row(rows, STATED_CASE, "direct")
    assert any(e is not None and e > 1e-3 for t, e in zip(row["t"], row["error"]) if t < 100)


def _stable_bound(row, unit_roundoff: float) -> float:
    """Relative error bound of the two-layer stable form at unit roundoff ``u``: ``2 gamma_{4n}(u) kappa(B)``.

    The form solves with ``B = q+`` (condition kappa, the row's note): normwise forward error <= 2 gamma_{3n} kappa
    for a backward error gamma_{3n} of the LU solve (Higham (2002), Thm 7.2 and Thm 9.4), then forms ``Q Q^T``
    (gamma_n); ``n = N_i + N_o`` bounds every dimension involved (``N_MAX`` over the cases). First order in u
    (u kappa n << 1 here).
    """
    return 2 * 4 * N_MAX * unit_roundoff * max(_condition(row), 1.0)


def test_stable_form_stays_below_its_rounding_bound_up_to_1e6(two_layer_rows):
    for row in two_layer_rows:
        if row["backend"] == "stable":
            assert max(row["t"]) == 1e6  # 10.0 ** 6.0 is exact
            assert not row["raised"], row["case"]
            assert row["max_error"] <= _stable_bound(row, FLOAT64_EPS / 2), row["case"]


def test_direct_failure_time_moves_with_the_digits_while_the_stable_form_stays_flat(two_layer_rows):
    fails = [_row(two_layer_rows, STATED_CASE, f"direct@{d}")["failure_time"] for d in DIGITS]
    assert None not in fails and fails == sorted(fails) and fails[0] < fails[-1]
    for row in two_layer_rows:
        form, _, digits = row["backend"].partition("@")
        if form == "stable" and digits:
            # N-digit arithmetic: mpmath's dps = N is round((N + 1) log2 10) bits, unit round-off <= 10^-N
            bound = _stable_bound(row, 10.0 ** -int(digits))
            assert row["failure_time"] is None and row["max_error"] < bound, (row["case"], row["backend"])


def test_nearly_singular_b_case_reports_its_condition(two_layer_rows):
    row = _row(two_layer_rows, NEARLY_SINGULAR_B, "stable")
    assert _condition(row) > 1e4  # B = q+ has singular values |lambda| / sqrt(2 mu): nearly singular on purpose
    assert _row(two_layer_rows, NEARLY_SINGULAR_B, "direct")["failure_time"] < 100


def test_cli_json_and_plot(tmp_path, capsys):
    png = tmp_path / "stress.png"
    assert main(["stress", "aligned", "--t-max", "1000", "--n-times", "10", "--json", "--plot", str(png)]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["t_max"] == 1000.0
    assert {r["backend"] for r in rep["rows"]} == set(BACKENDS)
    for r in rep["rows"]:
        form, _, digits = r["backend"].partition("@")
        # the aligned stable form's derived bound, FLOAT64_ULPS ulp (<= 2 u) relative (lazyrich._exact.scalar_mode);
        # at N digits the same linear forms, whose e^{-x} carries its exponent's error only as x e^{-x} u <= u / e
        if form == "stable":
            u = 10.0 ** -int(digits) if digits else FLOAT64_EPS / 2  # mpmath dps = N: unit round-off <= 10^-N
            assert r["max_error"] <= FLOAT64_ULPS * 2 * u, (r["case"], r["backend"])
    # the 2x2 Fukumizu form overflows float64 once 2 mu t > 709 (mu = 2.02 here): before t = 1000
    assert _row(rep["rows"], "lambda=0.5", "direct")["failure_time"] < 1000
    assert png.stat().st_size > 1000
    assert main(["stress", "mixed", "--t-max", "100", "--n-times", "4"]) == 0
    assert "mixed/" in capsys.readouterr().out


def test_bad_arguments():
    with pytest.raises(InvalidParameterError):
        stress("nope")
    with pytest.raises(InvalidParameterError):
        stress(t_max=-1.0)
    with pytest.raises(InvalidParameterError):
        stress(n_times=1)
    with pytest.raises(InvalidParameterError):
        stress("aligned", case="no such case", backend="stable", times=[1.0])
    with pytest.raises(InvalidParameterError):
        stress("aligned", case="lambda=0.5", backend="float128", times=[1.0])
    with pytest.raises(InvalidParameterError):
        stress("aligned", case="lambda=0.5", backend="stable", times=[-1.0])
    with pytest.raises(InvalidParameterError):
        stress(case="lambda=0.5")  # a case needs its model


def test_one_cell_equals_its_entry_in_the_report():
    rep = stress("mixed", t_max=100.0, n_times=3)
    for row in rep.rows[:4]:
        t, err = row.t[-1], row.error[-1]
        (cell,) = stress(row.model, case=row.case, backend=row.backend, times=[t]).rows
        assert cell.error == [err]


def test_single_neuron_rows():
    rows = stress("single_neuron", t_max=1e6, n_times=6).rows
    assert set(case_names("single_neuron")) == {r.case for r in rows}
    # the reference's own radius (<= 2^-230 of the scale for Arb, 10^-78 relative for mpmath at 80 digits) counts
    # twice in |x - mid| + rad
    ref = 2 * max(2.0**-REFERENCE_BITS, 10.0 ** (2 - REFERENCE_DPS))
    for r in rows:
        form, _, digits = r.backend.partition("@")
        if form != "stable":
            continue
        sn = hard_case("single_neuron", r.case)
        assert r.note == f"delta {sn.delta:.3g}"
        ts = np.array(r.t, dtype=float)
        # float64: the derived running bound (lazyrich._exact.single_neuron_accuracy), absolute per entry, over the
        # row's scale max(|beta_*|, max |beta(t)|) (the float64 values stand in for the exact ones: first order)
        values = sn.beta(ts)
        scale = np.maximum(np.linalg.norm(sn.beta_star), np.abs(values).max(axis=1))
        rel = float64_error_bound(sn, ts).beta.max(axis=1) / scale
        if not digits:
            assert all(e <= b + ref for e, b in zip(r.error, rel)), (r.case, r.error, rel)
        else:
            # mpmath at N digits (unit roundoff <= 10^-N) runs the same stable operations (ratios): the float64 count
            # of unit roundoffs, rel / u, scaled to 10^-N. Not a derived bound: the constants formed at N digits
            # (not rounded from 40) and mpmath.quad for D tau < 0.25 are outside that count (measured <= 0.4 10^-N)
            ulps = rel / (FLOAT64_EPS / 2)
            assert all(e <= b * 10.0 ** -int(digits) + ref for e, b in zip(r.error, ulps)), (r.case, r.backend)
    # the direct form overflows float64 once |delta| t >~ 700: at |delta| = 225 well before t = 10
    (lazy,) = [r for r in rows if r.case == "delta=+225 (lazy)" and r.backend == "direct"]
    assert lazy.failure_time is not None and lazy.failure_time < 10
    assert math.isinf(lazy.max_error)


# ---------------------------------------------------------------------------------------------- the plot
@pytest.fixture(scope="module")
def two_model_report():
    """aligned and mixed on a short grid: the float64 direct form overflows (aligned) before t = 1e4."""
    rep = stress("aligned", t_max=1e4, n_times=6)
    rep.rows += stress("mixed", t_max=1e4, n_times=6).rows
    return rep


def _panels(fig):
    return [ax for ax in fig.axes if ax.get_visible()]


def _backend_lines(ax):
    return {ln.get_label(): ln for ln in ax.lines if ln.get_label() in BACKENDS}


def test_plot_one_panel_per_model_with_a_shared_legend(two_model_report, tmp_path, captured):
    out = two_model_report.plot(tmp_path / "s.png")
    assert out == tmp_path / "s.png" and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    (fig,) = captured
    panels = _panels(fig)
    assert [ax.get_title() for ax in panels] == [
        "aligned mode: worst of 6 cases",
        "mixed aligned mode: worst of 5 cases",
    ]
    (legend,) = fig.legends  # one legend for the figure, none in the panels
    assert all(ax.get_legend() is None for ax in panels)
    assert [t.get_text() for t in legend.get_texts()] == [
        "float64", "15 digits", "30 digits", "60 digits", "direct form (paper)", "stable form"
    ]  # fmt: skip
    for ax in panels:
        lines = _backend_lines(ax)
        assert set(lines) == set(BACKENDS)
        # every backend distinguishable: its own (colour, marker, dash)
        looks = {(ln.get_color(), ln.get_marker(), ln.get_linestyle()) for ln in lines.values()}
        assert len(looks) == len(BACKENDS)
        # float64 is drawn wider and underneath, so the 15-digit curve on top of it leaves it visible
        for form in ("direct", "stable"):
            f64, d15 = lines[form], lines[f"{form}@15"]
            assert f64.get_linewidth() > d15.get_linewidth() and f64.get_zorder() < d15.get_zorder()
            assert f64.get_marker() != d15.get_marker()
        assert ax.get_xscale() == ax.get_yscale() == "log"
        assert ax.get_xlim()[1] >= 1e4
        texts = [t.get_text() for t in ax.texts]
        assert r"failure threshold $10^{-3}$" in texts and "raised / overflow" in texts
        assert any(ln.get_ydata()[0] == 1e-3 and ln.get_linestyle() == ":" for ln in ax.lines)  # the threshold
    assert panels[0].get_ylabel() == "relative error (max-norm)"
    assert all(ax.get_xlabel() == r"time $t$ (units of $\tau$)" for ax in panels)


def test_plot_by_model_draws_the_worst_case_and_raises_in_the_band(two_model_report, tmp_path, captured):
    two_model_report.plot(tmp_path / "s.png")
    ax = _panels(captured[0])[0]
    rows = [r for r in two_model_report.rows if r.model == "aligned" and r.backend == "stable@30"]
    worst = [max(r.error[i] for r in rows) for i in range(1, len(rows[0].t))]  # t = 0 is off the log axis
    shown = _backend_lines(ax)["stable@30"].get_ydata()
    # drawn clipped to [1e-70, 10]: the clipped floats themselves (no arithmetic), so equal
    assert list(shown) == [min(max(w, 1e-70), 10.0) for w in worst]
    # the 2x2 Fukumizu form overflows float64 before t = 1e4: drawn in the grey band above 1e2
    direct = _backend_lines(ax)["direct"]
    assert direct.get_ydata()[-1] > 1e2 > 10.0 >= max(_backend_lines(ax)["stable"].get_ydata())


def test_plot_by_case_titles_are_mathtext(two_model_report, tmp_path, captured):
    two_model_report.plot(tmp_path / "c.png", by="case")
    titles = [ax.get_title() for ax in _panels(captured[0])]
    assert len(titles) == len(case_names("aligned")) + len(case_names("mixed"))
    assert "aligned mode: $\\lambda = 0.5$" in titles and "aligned mode: $\\lambda = 10^{-9}$" in titles
    assert "mixed aligned mode: $c = 10^{3}$ (lazy)" in titles
    assert not any("lambda=" in t or "c=" in t for t in titles)
    assert len(captured[0].legends) == 1


@pytest.mark.parametrize(("style", "widths"), [("default", (4.8, 9.6)), ("paper", (3.3, 6.9))])
def test_plot_styles_size_the_figure(two_model_report, tmp_path, captured, style, widths):
    one = stress("aligned", case="lambda=0.5", t_max=100.0, n_times=3)
    one.plot(tmp_path / "one.png", style=style)
    two_model_report.plot(tmp_path / "two.pdf", style=style)
    assert (tmp_path / "two.pdf").read_bytes()[:5] == b"%PDF-"
    assert tuple(fig.get_size_inches()[0] for fig in captured) == widths  # set from the style, exactly
    assert len(_panels(captured[0])) == 1 and len(_panels(captured[1])) == 2
    assert _panels(captured[0])[0].get_title() == "aligned mode: $\\lambda = 0.5$"
    font = _panels(captured[1])[0].title.get_fontfamily()
    assert ("STIXGeneral" in font) is (style == "paper")


def test_plot_bad_arguments(two_model_report, tmp_path):
    with pytest.raises(InvalidParameterError, match="style must be one of"):
        two_model_report.plot(tmp_path / "x.png", style="poster")
    with pytest.raises(InvalidParameterError, match="by must be"):
        two_model_report.plot(tmp_path / "x.png", by="backend")
    empty = stress("aligned", case="lambda=0.5", t_max=100.0, n_times=2)
    empty.rows = []
    with pytest.raises(InvalidParameterError, match="no rows"):
        empty.plot(tmp_path / "x.png")
