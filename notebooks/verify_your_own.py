# %% [markdown]
# # Verify your own closed form: the aligned mode of a deep linear network
#
# A balanced depth-N linear network whose weights are aligned with the task `Sigma_yx = U diag(s) V^T`
# learns each mode with `tau du/dt = N u^(2 - 2/N) (s - u)` (Saxe et al. 2014; Arora, Cohen, Hazan 2018).
# Suppose you derived its solution yourself. Partial fractions in `x = (u/s)^(1/N)` give the implicit form
#
# `s^(2-2/N) t / tau = F(x) - F(x0)`, with
# `F(x) = x^(2-N)/(2-N) - ln(1 - x^N)/N + (2/N) sum_k [sin^2(th_k) ln(x^2 - 2x cos th_k + 1) + sin(2 th_k) atan((x - cos th_k)/sin th_k)]`
# over `th_k = 2 pi k / N` in `(0, pi)`.
#
# Here you check it with `lazyrich.check_solution`: symbolically (does `dt/du` equal the ODE's `1/u'`?),
# at the initial value, numerically against mpmath's Taylor integration of the ODE, and for float64
# stability. Then a wrong candidate (the arctan terms forgotten) fails and says where, the LaTeX of the
# checked statement is exported, and `lazyrich.deep_aligned_singular_value` (the same solution, inverted
# with a certified root and stable at every t) shows how the plateau grows with depth.

# %%
import os
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import sympy as sp

import lazyrich

# a test run sets LAZYRICH_FIGURES to a temporary folder; by hand, figures go next to the notebook
FIG = Path(os.environ.get("LAZYRICH_FIGURES") or ("notebooks/figures" if Path("notebooks").is_dir() else "figures"))
FIG.mkdir(parents=True, exist_ok=True)
start = time.perf_counter()

# %% [markdown]
# ## Your candidate, in SymPy
#
# `check_solution` integrates from "time" 0, so the independent variable is the displacement
# `v = u - u0` and the state is the time `T(v)` at which `u = u0 + v` is reached:
# `dT/dv = tau / (N u^(2-2/N) (s - u))`, `T(0) = 0`.

# %%
N = 3
s, tau, u0 = sp.symbols("s tau u_0", positive=True)
v = sp.Symbol("v", nonnegative=True)
T = sp.Symbol("T")


def F(x, depth, with_atan=True):
    out = x ** (2 - depth) / (2 - depth) - sp.log(1 - x**depth) / depth
    for k in range(1, depth):
        if 0 < 2 * k < depth:
            th = 2 * sp.pi * k / depth
            out += 2 * sp.sin(th) ** 2 * sp.log(x**2 - 2 * x * sp.cos(th) + 1) / depth
            if with_atan:
                out += 2 * sp.sin(2 * th) * sp.atan((x - sp.cos(th)) / sp.sin(th)) / depth
    return out


u = u0 + v
x, x0 = (u / s) ** sp.Rational(1, N), (u0 / s) ** sp.Rational(1, N)
ode = {T: tau / (N * u ** sp.Rational(2 * N - 2, N) * (s - u))}
candidate = tau * (F(x, N) - F(x0, N)) / s ** sp.Rational(2 * N - 2, N)
# instances: u0 = 1/4, s = 1 and tau drawn in [0.5, 1.5]; v <= 0.7 keeps u below s
sample = {"values": {u0: sp.Rational(1, 4), s: 1}, "t_max": 0.5, "stability_t_max": 0.7, "instances": 1}
report = lazyrich.check_solution(ode, {T: candidate}, {T: 0}, v, sample=sample)
print(report)
assert report.passed

# %% [markdown]
# ## A wrong candidate fails, and says where
#
# Forget the arctan terms: the symbolic check keeps a residual, and the numeric check reports the
# instance and the time of its largest error against the integrated ODE.

# %%
wrong = tau * (F(x, N, with_atan=False) - F(x0, N, with_atan=False)) / s ** sp.Rational(2 * N - 2, N)
bad = lazyrich.check_solution(ode, {T: wrong}, {T: 0}, v, sample=sample, checks=("symbolic", "initial", "numeric"))
print(bad)
assert not bad.passed and bad.symbolic.status == "fail" and bad.numeric.status == "fail"
print("residual of d(candidate)/dv - ode:", bad.symbolic.residuals[0])
print("largest numeric error", f"{bad.numeric.max_error:.3g}", "at", bad.numeric.where)

# %% [markdown]
# ## Export the checked statement as LaTeX
#
# `report.latex()` gives the statement (ODE, candidate, initial value) and the derivation that was
# checked, ready for `\input` in a paper; a claim written with `lazyrich.solution_claim` gets a
# `\label{lazyrich:<id>}` and runs under `lazyrich verify` and `lazyrich mutate`
# (the `deep_linear.aligned_solution_depth3` claim of this project is exactly this check).

# %%
tex = report.latex()
print(tex[:1500])
(FIG / "verify_your_own.tex").write_text(tex)

# %% [markdown]
# ## The solution at work: deeper networks wait longer
#
# `lazyrich.deep_aligned_singular_value(t, u0, s, depth)` inverts the same implicit solution with a
# safeguarded root-find (float64 to about 1e-14 at every t; `dps=N` for N digits). From a small `u0`
# the plateau (time to reach `s/2`, `lazyrich.deep_aligned_time`) grows like `tau / ((N-2) s u0^(1-2/N))`
# for `N >= 3`, against `log(s/u0)/(2s)` for `N = 2` and `ln 2` for `N = 1`.

# %%
s_val, u_init = 1.0, 1e-3
t = np.logspace(-2, 3.5, 400)
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for depth in range(1, 7):
    axes[0].semilogx(t, lazyrich.deep_aligned_singular_value(t, u_init, s_val, depth), label=f"N = {depth}")
axes[0].set_xlabel("t")
axes[0].set_ylabel("u(t) / s")
axes[0].legend(fontsize=8)
axes[0].set_title(f"aligned mode, u0 = {u_init:g}")

u0s = np.logspace(-8, -1, 15)
for depth in range(3, 7):
    half = [lazyrich.deep_aligned_time(s_val / 2, x, s_val, depth) for x in u0s]
    (line,) = axes[1].loglog(u0s, half, "o", ms=3, label=f"N = {depth}")
    axes[1].loglog(u0s, 1 / ((depth - 2) * s_val * u0s ** (1 - 2 / depth)), "-", lw=0.8, color=line.get_color())
axes[1].set_xlabel("u0")
axes[1].set_ylabel("plateau t(s/2)")
axes[1].set_title("plateau (dots) and 1/((N-2) s u0^(1-2/N))")
axes[1].legend(fontsize=8)
fig.tight_layout()
fig.savefig(FIG / "verify_your_own.png", dpi=120)

# %%
# the exact solution agrees with its own 30-digit evaluation far beyond the plateau
ts = np.array([1.0, 1e2, 1e4, 1e6])
for depth in (3, 6):
    f64 = lazyrich.deep_aligned_singular_value(ts, u_init, s_val, depth)
    hi = lazyrich.deep_aligned_singular_value(ts, u_init, s_val, depth, dps=30)
    err = max(abs(a - float(b)) / abs(float(b)) for a, b in zip(f64, hi))
    print(f"N = {depth}: largest relative float64 error on t in [1, 1e6]: {err:.1e}")
    assert err < 1e-13
print(f"notebook ran in {time.perf_counter() - start:.1f} s")
