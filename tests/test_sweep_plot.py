"""plot_sweep: heatmaps of hand-built sweep tables (the DataFrame of the sweep contract).

The tables are built here point by point from the sweep functions (no engine), with ``attrs["function"]`` and
``attrs["fixed"]`` as the engine sets them. The figure is captured when plot_sweep closes it, so the tests
can read what was drawn: the cell values (against a pandas pivot of the table), the boundary lines, the
hatched failed cells.
"""

from __future__ import annotations

import math
import sys

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import QuadMesh
from matplotlib.colors import LogNorm

from derivations.rounding import gamma
from lazyrich import InvalidParameterError, MissingDependencyError, plot_sweep
from lazyrich._tools.sweep.cells import phase_diagram

PNG = b"\x89PNG\r\n\x1a\n"
GS = [-2.5, -1.5, -0.5]
GW = [0.5, 1.5, 2.5]


def sweep_table(rows, function, fixed, grid):
    df = pd.DataFrame(rows)
    df.attrs["function"] = function
    df.attrs["fixed"] = fixed
    return df[[*grid, *[c for c in df.columns if c not in grid]]]


@pytest.fixture(scope="module")
def phase_df():
    """A 3 x 3 x 2-seed phase diagram at d = 12; one cell fails for every seed, one for seed 1 only."""
    rows = []
    for gs in GS:
        for gw in GW:
            for seed in (0, 1):
                point = {"gamma_sigma2": gs, "gamma_w": gw, "seed": seed}
                if (gs, gw) == (-0.5, 0.5) or ((gs, gw, seed) == (-2.5, 2.5, 1)):
                    rows.append({**point, "status": "error", "error": "SimulationDivergedError: demo", "seconds": 0.0})
                else:
                    out = phase_diagram(d=12, k=1, max_steps=40, **point)
                    rows.append({**point, **out, "status": "ok", "error": None, "seconds": 0.01})
    return sweep_table(rows, "phase_diagram", {"d": 12, "k": 1, "max_steps": 40}, ["gamma_sigma2", "gamma_w", "seed"])


def main_axes(fig):
    return fig.axes[0]


def test_writes_a_png_with_the_seed_mean_of_each_cell(phase_df, tmp_path, captured):
    out = plot_sweep(phase_df, tmp_path / "pd.png")
    assert out == tmp_path / "pd.png" and out.read_bytes()[:8] == PNG
    ax = main_axes(captured[0])
    (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
    ok = phase_df[phase_df.status == "ok"]
    expected = ok.pivot_table(index="gamma_w", columns="gamma_sigma2", values="min_test_error", aggfunc="mean")
    expected = expected.reindex(index=GW, columns=GS).to_numpy()
    shown = np.ma.filled(mesh.get_array().reshape(3, 3).astype(float), np.nan)
    # both are means of <= 2 positive seed values (pandas groupby in plot_sweep, pivot_table here): each errs by at
    # most gamma_2 relative in any summation order (Higham (2002), Lemma 3.1), so they differ by at most 2 gamma_2
    np.testing.assert_allclose(shown, expected, rtol=2 * gamma(2), atol=0)  # NaN where every seed failed
    assert np.isnan(shown[GW.index(0.5), GS.index(-0.5)])
    assert (ax.get_xlabel(), ax.get_ylabel()) == (r"$\gamma_{\sigma^2}$", r"$\gamma_w$")  # from the name table
    assert captured[0].axes[1].get_ylabel() == "min. test error (mean over 2 seeds)"
    assert "$d = 12$" in ax.get_title() and "$k = 1$" in ax.get_title()


def test_draws_the_phase_boundaries_and_marks_failures(phase_df, tmp_path, captured):
    plot_sweep(phase_df, tmp_path / "pd.png")
    ax = main_axes(captured[0])
    colors = [ln.get_color() for ln in ax.lines]
    assert {"black", "red", "orange", "0.35"} <= set(colors)  # lazy/rich, noise, w = k, theory region
    assert len(ax.get_legend().get_texts()) == 4
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == 1  # the cell where every seed failed
    (cross,) = [ln for ln in ax.lines if ln.get_marker() == "x"]  # seed 1 failed at (-2.5, 2.5)
    assert list(zip(*cross.get_data())) == [(-2.5, 2.5)]
    assert ax.get_xlim() == (-3.0, 0.0) and ax.get_ylim() == (0.0, 3.0)  # the grid edges, set exactly


def test_swapped_axes_and_another_value(phase_df, tmp_path, captured):
    plot_sweep(phase_df, tmp_path / "it.png", value="iterations", x="gamma_w", y="gamma_sigma2")
    ax = main_axes(captured[0])
    assert (ax.get_xlabel(), ax.get_ylabel()) == (r"$\gamma_w$", r"$\gamma_{\sigma^2}$")
    (red,) = [ln for ln in ax.lines if ln.get_color() == "red"]
    gw, gs = red.get_data()
    np.testing.assert_array_equal(gw, -2 * np.asarray(gs))  # w sigma^4 = 1: drawn as gw = -2 gs (exact in binary)
    assert captured[0].axes[1].get_ylabel().startswith("iterations")


def test_categorical_and_log_axes_without_boundaries(tmp_path, captured):
    rows = [
        {"t": t, "backend": b, "correct_digits": 15.0 - i - j, "status": "ok", "error": None, "seconds": 0.0}
        for i, t in enumerate([1.0, 10.0, 100.0, 1000.0])
        for j, b in enumerate(["stable", "mpmath15", "mpmath30"])
    ]
    df = sweep_table(rows, "stress_cell", {"model": "aligned", "case": "lambda=0.5"}, ["t", "backend"])
    plot_sweep(df, tmp_path / "s.png", x="backend", y="t")
    ax = main_axes(captured[0])
    assert ax.get_yscale() == "log" and ax.get_xscale() == "linear"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["stable", "mpmath15", "mpmath30"]
    assert len(ax.lines) == 0  # stress_cell declares no boundaries
    assert "model = aligned" in ax.get_title()


def _error_table(value_name, values):
    rows = [
        {"lam": lam, "t": t, value_name: v, "status": "ok", "error": None, "seconds": 0.0}
        for (lam, t), v in zip([(a, b) for a in (0.5, 1.0, 2.0) for b in (1.0, 10.0, 100.0)], values)
    ]
    df = pd.DataFrame(rows)
    df.attrs.update(function="aligned_agreement", fixed={"s0": 0.1, "s_target": 2.0}, grid=["lam", "t"])
    return df


@pytest.mark.parametrize(
    ("name", "values", "log"),
    [
        ("relative_error", np.linspace(1e-12, 1e-11, 9), True),  # an error spanning one decade (the case)
        ("distance_to_target", np.linspace(0.2, 0.4, 9), True),
        ("cert_bound", np.linspace(1.0, 1.5, 9), True),
        ("v", np.geomspace(1e-3, 1.0, 9), True),  # any positive column spanning more than a decade
        ("v", np.linspace(1.0, 9.0, 9), False),
        ("relative_error", np.linspace(0.0, 1e-11, 9), False),  # a zero: no log scale
        ("v", np.linspace(-1.0, 100.0, 9), False),
    ],
)
def test_log_colour_scale_for_errors(tmp_path, captured, name, values, log):
    plot_sweep(_error_table(name, values), tmp_path / "e.png", value=name, x="lam", y="t")
    (mesh,) = [c for c in main_axes(captured[0]).collections if isinstance(c, QuadMesh)]
    assert isinstance(mesh.norm, LogNorm) is log
    assert mesh.norm.vmin == values.min() and mesh.norm.vmax == values.max()  # the data limits themselves


def test_labels_come_from_the_name_table(tmp_path, captured):
    plot_sweep(_error_table("relative_error", np.geomspace(1e-12, 1e-11, 9)), tmp_path / "e.png", y="lam", x="t")
    ax = main_axes(captured[0])
    assert ax.get_ylabel() == r"$\lambda$" and ax.get_xlabel() == r"time $t$ (units of $\tau$)"
    assert captured[0].axes[1].get_ylabel() == "relative error"
    assert r"$s_0 = 0.1$" in ax.get_title() and r"$\tilde{s} = 2$" in ax.get_title()


@pytest.mark.parametrize(("style", "width", "dpi"), [("default", 6.4, 110), ("paper", 3.3, 300)])
def test_styles_size_the_figure(phase_df, tmp_path, captured, style, width, dpi):
    out = plot_sweep(phase_df, tmp_path / f"{style}.png", style=style)
    fig = captured[0]
    assert fig.get_size_inches()[0] == width  # set from the style, exactly
    assert out.read_bytes()[:8] == PNG
    ax = main_axes(fig)
    assert len(ax.get_legend().get_texts()) == 4  # the phase boundaries, in both styles
    font = ax.xaxis.label.get_fontfamily()
    assert ("STIXGeneral" in font) is (style == "paper")
    # the bounding box is tight (nothing drawn outside the figure), so the PNG is at most the figure width plus
    # savefig's pad on both sides, at the style's resolution (rounded up to whole pixels)
    from PIL import Image

    pad = matplotlib.rcParams["savefig.pad_inches"]
    with Image.open(out) as im:
        assert im.size[0] <= math.ceil((width + 2 * pad) * dpi)


def test_paper_style_writes_a_pdf(phase_df, tmp_path):
    out = plot_sweep(phase_df, tmp_path / "pd.pdf", style="paper")
    assert out.read_bytes()[:5] == b"%PDF-"


def test_unknown_style_is_a_typed_error(phase_df, tmp_path):
    with pytest.raises(InvalidParameterError, match="style must be one of"):
        plot_sweep(phase_df, tmp_path / "x.png", style="poster")


def test_grid_axes_from_attrs_when_the_function_is_unknown(tmp_path):
    df = pd.DataFrame({"a": [0, 0, 1, 1], "b": [1, 2, 1, 2], "v": [1.0, 2.0, 3.0, 4.0]})
    df.attrs.update(function="mypkg.mod:func", grid=["a", "b"])
    assert plot_sweep(df, tmp_path / "v.png", value="v").read_bytes()[:8] == PNG
    df.attrs.pop("grid")
    with pytest.raises(InvalidParameterError, match="give x= and y="):
        plot_sweep(df, tmp_path / "v.png", value="v")
    assert plot_sweep(df, tmp_path / "v2.png", value="v", x="a", y="b").exists()


def test_a_grid_that_is_not_2d_is_refused(phase_df, tmp_path):
    three = pd.concat([phase_df.assign(d=12), phase_df.assign(d=16)], ignore_index=True)
    three.attrs = {"function": "phase_diagram", "fixed": {"k": 1}}
    with pytest.raises(InvalidParameterError, match=r"not 2-D .*\['d'\]"):
        plot_sweep(three, tmp_path / "x.png")
    one = phase_df[phase_df.gamma_w == 1.5].copy()
    one.attrs = dict(phase_df.attrs)
    with pytest.raises(InvalidParameterError, match="two grid axes"):
        plot_sweep(one, tmp_path / "x.png")


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        (dict(value="no_such_column"), "not a column"),
        (dict(value="stop_reason"), "not numeric"),
        (dict(x="nope"), "not a column"),
        (dict(x="gamma_w", y="gamma_w"), "must differ"),
    ],
)
def test_bad_arguments_raise_typed_errors(phase_df, tmp_path, kw, match):
    with pytest.raises(InvalidParameterError, match=match):
        plot_sweep(phase_df, tmp_path / "x.png", **kw)


def test_not_a_dataframe_or_empty(tmp_path):
    with pytest.raises(InvalidParameterError, match="DataFrame"):
        plot_sweep({"a": [1]}, tmp_path / "x.png")
    with pytest.raises(InvalidParameterError, match="empty"):
        plot_sweep(pd.DataFrame(), tmp_path / "x.png")


def test_missing_matplotlib_names_the_plot_extra(phase_df, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingDependencyError, match=r"lazyrich\[plot\]"):
        plot_sweep(phase_df, tmp_path / "x.png")
