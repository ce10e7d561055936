# %% [markdown]
# # Phase diagram of the two-layer linear network (Tu, Aranguri & Jacot, Fig. 2, top-left panel)
#
# Minimum test error $\min_i \|A_i - A^*\|_F^2/d^2$ of gradient descent over the plane
# $(\gamma_{\sigma^2}, \gamma_w)$, with variance $\sigma^2 = d^{\gamma_{\sigma^2}}$ and width $w = d^{\gamma_w}$,
# at a reduced size: $d = 25$, rank $k = 2$, a $6 \times 6$ grid, one seed (the paper: $d = 200$, $k = 5$, a
# $30 \times 30$ grid). Each point is `lazyrich.phase_diagram_point` (the official sweep's step rule and early stops,
# width-independent simulation). There is no sweep entry point yet: the loop below will be replaced by
# `lazyrich sweep` when it exists.
#
# The three lines: black $\gamma_{\sigma^2} + \gamma_w = 1$ (`is_lazy` above it: $\sigma^2 w > d$), red
# $\gamma_w + 2\gamma_{\sigma^2} = 0$ (`below_noise_line` under it: the initial product is smaller than the
# signal), orange $\gamma_w = \log_d k$ (`is_overparameterized` above it). The paper's theorems cover
# $\gamma_w > 1$ below the red line (`in_theory_region`).
#
# What to look at: low error (dark) in the active region left of the black line and above the orange one; high
# error in the lazy wedge between the black and red lines, where the value is the heuristic lazy early-stopped
# error `lazyrich.lazy_min_test_error`.

# %%
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import lazyrich

d, k, seed = 25, 2, 0
gs_grid, gw_grid = np.linspace(-3.0, 0.0, 6), np.linspace(0.0, 2.8, 6)
A_star, E = lazyrich.phase_task(d, k, seed)
a, b = np.sum(A_star**2) / d**2, np.sum(E**2) / d**2
points = {(gs, gw): lazyrich.phase_diagram_point(d, k, gs, gw, seed) for gw in gw_grid for gs in gs_grid}
err = np.array([[points[gs, gw].min_test_error for gs in gs_grid] for gw in gw_grid])

# %%
fig, ax = plt.subplots(figsize=(6, 5))
mesh = ax.pcolormesh(gs_grid, gw_grid, err, shading="nearest", cmap="viridis", vmin=0, vmax=1)
fig.colorbar(mesh, label="min test error")
x = np.linspace(-3.3, 0.3, 2)
ax.plot(x, 1 - x, "k", lw=2, label="σ²w = d (lazy above)")
ax.plot(x, -2 * x, "r", lw=2, label="wσ⁴ = 1 (noise line)")
ax.axhline(np.log(k) / np.log(d), color="orange", lw=2, label="w = k")
ax.set(xlim=(-3.3, 0.3), ylim=(-0.28, 3.08), xlabel="γ_σ²", ylabel="γ_w", title=f"d = {d}, k = {k}")
ax.legend(fontsize=7, loc="lower left")
figdir = Path("notebooks/figures") if Path("notebooks").is_dir() else Path("figures")
figdir.mkdir(parents=True, exist_ok=True)
fig.savefig(figdir / "phase_diagram.png", dpi=110, bbox_inches="tight")
print(figdir / "phase_diagram.png")

# %% [markdown]
# ## Checks
# - Theory region, well inside the active side ($\sigma^2 w \le \sqrt d$, i.e. $\gamma_{\sigma^2} + \gamma_w \le 1/2$):
#   min test error $\le 0.4$ (measured 0.12-0.36; it rises toward the black line at this small $d$).
# - Lazy wedge (lazy and above the red line): min test error $\ge 0.75$ (measured 0.80-1.00).
# - Every lazy point: within 0.1 of `lazy_min_test_error(a, b, n0)` (claim 29 of the digest, a heuristic; measured
#   gap at most 0.08) with $a = \|A^*\|^2/d^2$, $b = \|E\|^2/d^2$, $n_0 = \|A(0)\|^2/d^2$.

# %%
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
assert lazyrich.is_overparameterized(gw_grid[1], d, k) and not lazyrich.is_overparameterized(gw_grid[0], d, k)
