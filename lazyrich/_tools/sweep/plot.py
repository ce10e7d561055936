"""Heatmap of a 2-D sweep (``lazyrich sweep ... --plot``): one result column over two grid axes."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from ..._base.errors import InvalidParameterError, LazyrichError, MissingDependencyError
from ..figure_style import check_style, figure_size, label, style_context, value_text
from .registry import ENGINE_COLUMNS, get_sweep_function

__all__ = ["ERROR_WORDS", "log_colour_scale", "plot_sweep"]


def _sweep_function(df: Any):
    name = df.attrs.get("function")
    if not name:
        return None
    try:
        return get_sweep_function(str(name))
    except LazyrichError:  # a plot needs no function: only its defaults and boundaries are lost
        return None


def _grid_axes(df: Any, sf: Any, fixed: dict) -> list[str]:
    """Grid axes in grid order: ``attrs["grid"]`` if given, else the function's parameters that are columns."""
    if df.attrs.get("grid"):
        return [str(a) for a in df.attrs["grid"] if a in df.columns]
    if sf is None:
        return []
    params = set(sf.parameters) | set(sf.defaults)
    return [c for c in df.columns if c in params and c not in fixed]


def _is_number_column(col: Any) -> bool:
    return all(isinstance(v, (int, float, np.integer, np.floating)) for v in col)


def _coordinates(values: list) -> tuple[np.ndarray, list | None, bool]:
    """Plot coordinates of an axis: (centres, tick labels for a categorical axis or None, log scale)."""
    if _is_number_column(values):
        v = np.asarray(values, dtype=float)
        log = bool(len(v) >= 3 and np.all(v > 0) and np.allclose(np.diff(np.log(v)), np.log(v[1] / v[0]), rtol=1e-6))
        return v, None, log
    return np.arange(len(values), dtype=float), [str(v) for v in values], False


#: Substrings of a column name that make it an error (log colour scale when its values are positive).
ERROR_WORDS = ("error", "distance", "bound")


def log_colour_scale(name: str, values: np.ndarray) -> bool:
    """Whether a heatmap of ``values`` (the finite cell values of column ``name``) gets a log colour scale.

    Yes when every value is positive and either the name says it is an error (contains one of
    :data:`ERROR_WORDS`) or the values span more than one decade.

    >>> log_colour_scale("relative_error", np.array([1e-12, 2e-12])), log_colour_scale("v", np.array([1.0, 2.0]))
    (True, False)
    >>> log_colour_scale("v", np.array([0.5, 50.0])), log_colour_scale("max_error", np.array([0.0, 1e-3]))
    (True, False)
    """
    if values.size == 0 or not np.all(values > 0):
        return False
    return any(w in str(name).lower() for w in ERROR_WORDS) or float(values.max()) > 10 * float(values.min())


def _edges(c: np.ndarray, log: bool) -> np.ndarray:
    """Cell edges halfway between centres (in log space for a log axis)."""
    u = np.log(c) if log else c
    if len(u) == 1:
        e = np.array([u[0] - 0.5, u[0] + 0.5])
    else:
        mid = (u[1:] + u[:-1]) / 2
        e = np.concatenate([[2 * u[0] - mid[0]], mid, [2 * u[-1] - mid[-1]]])
    return np.exp(e) if log else e


def plot_sweep(
    df: Any,
    path: str | Path,
    *,
    value: str | None = None,
    x: str | None = None,
    y: str | None = None,
    style: str = "default",
) -> Path:
    """Write a heatmap PNG of one result column of a sweep over two grid axes, averaged over ``seed``.

    The table is the one :func:`lazyrich.sweep.run` returns (``df.attrs["function"]``, ``df.attrs["fixed"]``;
    ``df.attrs["grid"]``, the axis names in grid order, is used when present). ``x`` and ``y``
    default to the first two grid axes other than ``seed`` that take more than one value, and
    ``value`` to the function's declared value column (``phase_diagram``: ``min_test_error``).
    Cells whose points all failed (``status != "ok"``) are left blank and hatched; cells where
    some seeds failed are averaged over the others and marked with a cross. The function's
    ``boundaries`` (the phase diagram: the region lines of Tu et al. (2024), Fig. 2) are drawn on top.
    Numeric axes in geometric progression get a log scale; string axes are categorical; the
    colour scale is logarithmic for errors (:func:`log_colour_scale`: positive values of a column
    named like an error, or spanning more than a decade). Axes, colour bar and title name the
    parameters by their symbols (``lam`` -> :math:`\\lambda`, ``gamma_sigma2`` -> :math:`\\gamma_{\\sigma^2}`).

    Parameters
    ----------
    df : pandas.DataFrame
        A sweep table.
    path : str or Path
        The file to write (PNG; matplotlib picks the format from the suffix, e.g. ``.pdf``).
    value, x, y : str, optional
        Column to show and the two axes.
    style : {"default", "paper"}
        ``"paper"``: one column of a two-column paper (3.3 in wide), 8 pt serif text, 300 dpi.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    MissingDependencyError
        matplotlib is not installed (``pip install 'lazyrich[plot]'``).
    InvalidParameterError
        Unknown columns or ``style``, a non-numeric value, or a grid that is not 2-D after averaging
        over ``seed`` (name the axes with ``x=``/``y=`` and filter the others out of ``df``).

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> df = pd.DataFrame({"a": [0.0, 0.0, 1.0, 1.0], "b": [1, 2, 1, 2], "v": [0.1, 0.2, 0.3, 0.4],
    ...                    "status": ["ok"] * 4, "error": [None] * 4, "seconds": [0.0] * 4})
    >>> df.attrs["grid"] = ["a", "b"]
    >>> out = plot_sweep(df, os.path.join(tempfile.mkdtemp(), "v.png"), value="v")
    >>> out.read_bytes()[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    style = check_style(style)
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot  # fail here, naming the extra to install
    except ImportError:
        raise MissingDependencyError("plot_sweep needs matplotlib: pip install 'lazyrich[plot]'") from None
    try:
        import pandas as pd
    except ImportError:
        raise MissingDependencyError("plot_sweep needs pandas: pip install 'lazyrich[dist]'") from None
    if not isinstance(df, pd.DataFrame):
        raise InvalidParameterError(f"plot_sweep needs the pandas DataFrame of a sweep; got {type(df).__name__}")
    if len(df) == 0:
        raise InvalidParameterError("the sweep table is empty: nothing to plot")

    sf = _sweep_function(df)
    fixed = dict(df.attrs.get("fixed") or {})
    axes = _grid_axes(df, sf, fixed)
    varying = [a for a in axes if a != "seed" and df[a].nunique(dropna=False) > 1]
    for name, given in (("x", x), ("y", y)):
        if given is not None and given not in df.columns:
            raise InvalidParameterError(f"{name} = {given!r} is not a column of the sweep; columns: {list(df.columns)}")
    free = [a for a in varying if a not in (x, y)]
    if x is None:
        x = free.pop(0) if free else None
    if y is None:
        y = free.pop(0) if free else None
    if x is None or y is None:
        raise InvalidParameterError(
            f"a heatmap needs two grid axes besides 'seed'; this sweep varies only {varying or 'nothing'}"
            + ("" if axes else " (the table names no grid axes: give x= and y=)")
        )
    if x == y:
        raise InvalidParameterError(f"x and y must differ; both are {x!r}")
    if free:
        raise InvalidParameterError(
            f"the grid is not 2-D after averaging over seed: it also varies over {free}; "
            f"choose x and y and filter the DataFrame to one value of the others (e.g. df[df[{free[0]!r}] == v])"
        )

    value = value or (sf.value if sf is not None else None)
    if value is None:
        raise InvalidParameterError("no value column given and the sweep function declares none: pass value=")
    if value not in df.columns:
        numeric = [c for c in df.columns if c not in (*axes, *ENGINE_COLUMNS) and _is_number_column(df[c].dropna())]
        raise InvalidParameterError(f"value {value!r} is not a column of the sweep; numeric columns: {numeric}")

    ok = df["status"].eq("ok") if "status" in df.columns else pd.Series(True, index=df.index)
    vals = pd.to_numeric(df[value].where(ok), errors="coerce").astype(float)
    if not _is_number_column(df.loc[ok, value].dropna()):
        raise InvalidParameterError(f"column {value!r} is not numeric; pick a numeric value column")
    vals = vals.where(np.isfinite(vals))
    xs, ys = list(pd.unique(df[x])), list(pd.unique(df[y]))
    if _is_number_column(xs):
        xs = sorted(xs)
    if _is_number_column(ys):
        ys = sorted(ys)
    table = pd.DataFrame({"x": df[x].to_numpy(), "y": df[y].to_numpy(), "v": vals.to_numpy(), "ok": ok.to_numpy()})
    grouped = table.groupby(["y", "x"], sort=False)
    mean = grouped["v"].mean()
    n_ok = grouped["ok"].sum()
    n_all = grouped["ok"].size()
    Z = np.full((len(ys), len(xs)), np.nan)
    partial = []
    failed = []
    for i, yv in enumerate(ys):
        for j, xv in enumerate(xs):
            key = (yv, xv)
            if key not in n_all.index:
                continue
            if n_ok[key] == 0 or not math.isfinite(mean[key]):
                failed.append((i, j))
            else:
                Z[i, j] = mean[key]
                if n_ok[key] < n_all[key]:
                    partial.append((i, j))

    with style_context(style):
        return _draw(df, Path(path), Z, xs, ys, failed, partial, x, y, value, axes, fixed, sf, style)


def _draw(df, path, Z, xs, ys, failed, partial, x, y, value, axes, fixed, sf, style) -> Path:
    """Draw and write the heatmap (inside the style's rc settings)."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm
    from matplotlib.patches import Rectangle

    xc, xlabels, xlog = _coordinates(xs)
    yc, ylabels, ylog = _coordinates(ys)
    xe, ye = _edges(xc, xlog), _edges(yc, ylog)
    paper = style == "paper"
    fig, ax = plt.subplots(figsize=figure_size("paper", 1, 1, aspect=0.8) if paper else (6.4, 5.2))
    finite = Z[np.isfinite(Z)]
    log_colors = log_colour_scale(value, finite)
    norm = LogNorm(finite.min(), finite.max()) if log_colors else None
    mesh = ax.pcolormesh(xe, ye, np.ma.masked_invalid(Z), cmap="viridis", shading="flat", norm=norm)
    n_seeds = int(df["seed"].nunique()) if "seed" in axes else 1
    cbar_label = label(value) + (f" (mean over {n_seeds} seeds)" if n_seeds > 1 else "")
    cbar = fig.colorbar(mesh, ax=ax, label=cbar_label, format=None if log_colors else "%.3g")  # no offset text
    if log_colors and finite.max() < 100 * finite.min():  # under two decades: label the minor ticks too
        from matplotlib.ticker import LogFormatterSciNotation

        cbar.ax.yaxis.set_minor_formatter(LogFormatterSciNotation(labelOnlyBase=False, minor_thresholds=(2, 2)))
    for i, j in failed:
        ax.add_patch(
            Rectangle((xe[j], ye[i]), xe[j + 1] - xe[j], ye[i + 1] - ye[i], fill=False, hatch="///", ec="0.5", lw=0)
        )
    if partial:
        ax.plot([xc[j] for _, j in partial], [yc[i] for i, _ in partial], "wx", ms=5, ls="none")
    if xlog:
        ax.set_xscale("log")
    if ylog:
        ax.set_yscale("log")
    tick = 6 if paper else 7
    if xlabels is not None:
        ax.set_xticks(xc, xlabels, rotation=30, ha="right", fontsize=tick)
    if ylabels is not None:
        ax.set_yticks(yc, ylabels, fontsize=tick)
    ax.set_xlim(xe[0], xe[-1])
    ax.set_ylim(ye[0], ye[-1])
    ax.set_xlabel(label(x))
    ax.set_ylabel(label(y))
    single = {c: df[c].iloc[0] for c in axes if c not in (x, y, "seed") and df[c].nunique(dropna=False) == 1}
    params = {**single, **fixed}
    title = str(df.attrs.get("function") or "sweep")
    shown = ", ".join(value_text(k, v) for k, v in params.items())
    ax.set_title(
        title + (f" ({shown})" if shown else "") + (f"; failed cells (hatched): {len(failed)}" if failed else ""),
        fontsize=7 if paper else 9,
        wrap=True,
    )
    if sf is not None and sf.boundaries is not None and xlabels is None and ylabels is None:
        sf.boundaries(ax, x, y, params)
        if paper and ax.get_legend() is not None:  # one column, clear of the x label of the short paper axes
            ax.legend(fontsize=6, loc="upper center", bbox_to_anchor=(0.5, -0.19), ncol=1, frameon=False)
    fig.savefig(path, dpi=300 if paper else 110, bbox_inches="tight")
    plt.close(fig)
    return path
