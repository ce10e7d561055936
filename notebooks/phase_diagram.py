# %% [markdown]
# # Phase diagram of the two-layer linear network (Tu, Aranguri & Jacot, Fig. 2, top-left panel)
#
# Minimum test error $\min_i \|A_i - A^*\|_F^2/d^2$ of gradient descent over the plane
# $(\gamma_{\sigma^2}, \gamma_w)$, with variance $\sigma^2 = d^{\gamma_{\sigma^2}}$ and width $w = d^{\gamma_w}$,
# at a reduced size: $d = 25$, rank $k = 2$, a $6 \times 6$ grid, one seed (the paper: $d = 200$, $k = 5$, a
# $30 \times 30$ grid). The grid runs through `lazyrich.sweep.run` with the built-in sweep function `"phase_diagram"`
# (one `lazyrich.phase_diagram_point` per grid point: the official sweep's step rule and early stops,
# width-independent simulation), here on threads; the same SPEC as a TOML file runs with
# `lazyrich sweep SPEC --plot PNG` on a local Dask cluster or any `--scheduler tcp://HOST:PORT`, and
# `lazyrich.plot_sweep` draws the heatmap with the boundary lines.
#
# The three lines: black $\gamma_{\sigma^2} + \gamma_w = 1$ (`is_lazy` above it: $\sigma^2 w > d$), red
# $\gamma_w + 2\gamma_{\sigma^2} = 0$ (`below_noise_line` under it: the initial product is smaller than the
# signal), orange $\gamma_w = \log_d k$ (`is_overparameterized` above it). The paper's theorems cover
# $\gamma_w > 1$ below the red line (`in_theory_region`; the dashed grey line $\gamma_w = 1$ is its lower edge).
#
# What to look at: low error (dark) in the active region left of the black line and above the orange one; high
# error in the lazy wedge between the black and red lines, where the value is the heuristic lazy early-stopped
# error `lazyrich.lazy_min_test_error`.

# %%
import os
from pathlib import Path

import numpy as np
from IPython.display import Image, display

import lazyrich

d, k, seed = 25, 2, 0
spec = {
    "function": "phase_diagram",
    "fixed": {"d": d, "k": k},
    "grid": {"gamma_sigma2": {"linspace": [-3.0, 0.0, 6]}, "gamma_w": {"linspace": [0.0, 2.8, 6]}, "seed": [seed]},
}
df = lazyrich.sweep.run(spec, scheduler="threads")
print(df.attrs["summary"]["computed"], "points,", int((df.status != "ok").sum()), "failed")
A_star, E = lazyrich.phase_task(d, k, seed)
a, b = np.sum(A_star**2) / d**2, np.sum(E**2) / d**2
points = {(r.gamma_sigma2, r.gamma_w): r for r in df.itertuples()}

# %%
# a test run sets LAZYRICH_FIGURES to a temporary folder; by hand, figures go next to the notebook
figdir = Path(os.environ.get("LAZYRICH_FIGURES") or ("notebooks/figures" if Path("notebooks").is_dir() else "figures"))
figdir.mkdir(parents=True, exist_ok=True)
png = lazyrich.plot_sweep(df, figdir / "phase_diagram.png")
display(Image(filename=str(png)))

# %% [markdown]
# ## Checks
# - Theory region, well inside the active side ($\sigma^2 w \le \sqrt d$, i.e. $\gamma_{\sigma^2} + \gamma_w \le 1/2$):
#   min test error $\le 0.4$ (measured 0.12-0.36; it rises toward the black line at this small $d$).
# - Lazy wedge (lazy and above the red line): min test error $\ge 0.75$ (measured 0.80-1.00).
# - Each row of the sweep equals a direct `lazyrich.phase_diagram_point` call (checked at one point).
# - Every lazy point: within 0.1 of `lazy_min_test_error(a, b, n0)` (claim 29 of the digest, a heuristic; measured
#   gap at most 0.08) with $a = \|A^*\|^2/d^2$, $b = \|E\|^2/d^2$, $n_0 = \|A(0)\|^2/d^2$.

# %%
assert (df.status == "ok").all() and len(points) == 36
theory = [p for (gs, gw), p in points.items() if lazyrich.in_theory_region(gs, gw) and gs + gw <= 0.5]
lazy = {(gs, gw): p for (gs, gw), p in points.items() if lazyrich.is_lazy(gs, gw)}
wedge = [p for (gs, gw), p in lazy.items() if not lazyrich.below_noise_line(gs, gw)]
gaps = [abs(p.min_test_error - lazyrich.lazy_min_test_error(a, b, p.init_norm)) for p in lazy.values()]
print(f"theory max {max(p.min_test_error for p in theory):.2f} ({len(theory)} points);", end=" ")
print(f"wedge min {min(p.min_test_error for p in wedge):.2f} ({len(wedge)}); lazy gap max {max(gaps):.3f}")
assert len(theory) >= 5 and len(wedge) >= 3
assert all(p.min_test_error <= 0.4 for p in theory)
assert all(p.min_test_error >= 0.75 for p in wedge)
assert max(gaps) <= 0.1, gaps
row = df.iloc[7]
direct = lazyrich.phase_diagram_point(d, k, row.gamma_sigma2, row.gamma_w, seed)
assert (direct.min_test_error, direct.iterations) == (row.min_test_error, row.iterations)
gw_grid = sorted(df.gamma_w.unique())
assert lazyrich.is_overparameterized(gw_grid[1], d, k) and not lazyrich.is_overparameterized(gw_grid[0], d, k)
