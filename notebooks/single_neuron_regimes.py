# %% [markdown]
# # Single neuron: lazy, rich and delayed-rich regimes (Kunin et al., Fig. 2-4)
#
# A single hidden neuron $f(x) = a\,w^\top x$ trained on whitened data ($X = I_2$, $y = \beta_* = (0, 1)$)
# with the exact solution `lazyrich.SingleNeuronExact` (dashed) over gradient descent
# `lazyrich.gradient_descent` on `lazyrich.SingleNeuronModel` (solid).
# The set-up $a_0 = 1$, $w_0 = (-1, 0)$ has $\delta = a_0^2 - |w_0|^2 = 0$ only, so, as in the digest
# (get_rich_quick §1, "Initialization in the toy figures"), we fix $\beta_0 = a_0 w_0 = (-1, 0)$ and vary the
# conserved $\delta \in \{-4, \dots, 4\}$ via $a_0 = \sqrt{(\delta + \sqrt{\delta^2 + 4|\beta_0|^2})/2}$,
# $w_0 = \beta_0 / a_0$.
#
# What to look at: $\delta > 0$ (large readout $a_0$) is lazy: $\beta$ travels in a straight line to $\beta_*$,
# $\mu$ barely dips and the kernel distance $S(0, t)$ stays near 0; $\delta < 0$ (large first layer $|w_0|$) is rich:
# $\beta$ curves through small norms, $\mu$ first shrinks while $w$ rotates to align ($\phi \to 1$), and $S(0,t)$ is
# large; the more negative $\delta$, the longer the delay ($\delta = -4$ has not converged by $t = 12$).
# $\delta = 0$ is in between. The last cell asserts exact-vs-GD agreement at order $h$.

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import lazyrich

beta_star, beta0 = np.array([0.0, 1.0]), np.array([-1.0, 0.0])
deltas = [-4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0]
model = lazyrich.SingleNeuronModel(np.eye(2), beta_star)  # X = I_2 is whitened, so the exact solution applies
T, h = 12.0, 1e-3
t = np.linspace(0.0, T, 241)


def init(delta):
    a0 = np.sqrt((delta + np.sqrt(delta**2 + 4 * beta0 @ beta0)) / 2)
    return a0, beta0 / a0


def observables(a, w):
    """mu, phi, S(0, t) from (a_t, w_t): same definitions as SingleNeuronExact (eta_a = eta_w = 1)."""
    nw = np.linalg.norm(w, axis=1)
    M = a[:, None, None] ** 2 * np.eye(2) + w[:, :, None] * w[:, None, :]
    M /= np.linalg.norm(M, axis=(1, 2))[:, None, None]
    return a * nw, w @ beta_star / nw, 0.5 * np.sum((M - M[0]) ** 2, axis=(1, 2))


def run(delta, step):
    a0, w0 = init(delta)
    ex = lazyrich.SingleNeuronExact(a0, w0, beta_star)
    tr = lazyrich.gradient_descent(model, (np.asarray(a0), w0), step, t)
    gd = observables(tr["a"], tr["w"])
    exact = (ex.mu(t), ex.phi(t), ex.kernel_distance(t))
    err = max(np.max(np.abs(e - g)) for e, g in zip(exact, gd))
    return exact, gd, ex.beta(t), tr["a"][:, None] * tr["w"], err


# %%
fig, axes = plt.subplots(1, 4, figsize=(18, 4))
colors = plt.cm.coolwarm(np.linspace(0, 1, len(deltas)))
errors = {}
for delta, c in zip(deltas, colors):
    exact, gd, beta_ex, beta_gd, errors[delta] = run(delta, h)
    for ax, e, g in zip(axes[:3], exact, gd):
        ax.plot(t, g, color=c, lw=2, label=f"δ = {delta:g}")
        ax.plot(t, e, "k--", lw=0.8)
    axes[3].plot(beta_gd[:, 0], beta_gd[:, 1], color=c, lw=2)
    axes[3].plot(beta_ex[:, 0], beta_ex[:, 1], "k--", lw=0.8)
for ax, name in zip(axes, ["μ(t) = a|w|", "φ(t) = cos(w, β*)", "kernel distance S(0, t)", "β trajectory"]):
    ax.set_title(name)
axes[0].legend(fontsize=7)
axes[3].plot(*beta_star, "k*", ms=12)
axes[3].set_aspect("equal")
for ax in axes[:3]:
    ax.set_xlabel("t")
# a test run sets LAZYRICH_FIGURES to a temporary folder; by hand, figures go next to the notebook
figdir = Path(os.environ.get("LAZYRICH_FIGURES") or ("notebooks/figures" if Path("notebooks").is_dir() else "figures"))
figdir.mkdir(parents=True, exist_ok=True)
fig.savefig(figdir / "single_neuron_regimes.png", dpi=110, bbox_inches="tight")
print(figdir / "single_neuron_regimes.png")

# %% [markdown]
# ## Agreement check
# GD with step $h$ tracks gradient flow with a global error $O(h)$. We measure the constant: a rerun at $h/2$ must
# halve the error (ratio near 2 confirms first order), and the error at $h$ must be below $C h$ with $C = 3$
# (the observed constant is at most about 1, at δ = 4; the margin covers platform differences, not a different order).

# %%
half = {d: run(d, h / 2)[-1] for d in deltas}
for d in deltas:
    print(f"delta={d:+g}: max|exact-GD| = {errors[d]:.2e} (h), {half[d]:.2e} (h/2), ratio {errors[d] / half[d]:.2f}")
C = 3.0
assert all(errors[d] <= C * h for d in deltas), errors
assert all(1.6 < errors[d] / half[d] < 2.4 for d in deltas), "GD error is not first order in h"
