# %% [markdown]
# # How far the NTK moves, as a function of lambda, for funnel, square and inverted-funnel networks
#
# Reproduces Dominé et al. (arXiv:2409.14623) Fig. 5: the kernel distance
# `1 - <K(0), K(inf)>_F / (|K(0)|_F |K(inf)|_F)` between the NTK at initialization and at convergence,
# from a small lambda-balanced initialization (`sigma = 0.05`, `N_h = min(N_i, N_o)`, so every sign of
# lambda is allowed: `lambda > 0` needs `N_h <= N_o`, `lambda < 0` needs `N_h <= N_i`). `K(inf)` comes from
# the exact limit `TwoLayerExact.qqt_limit()`.
#
# What to look at: near lambda = 0 the NTK moves by O(1) (rich) for every shape. The square network becomes
# lazy (distance -> 0, ~ |lambda|^-4) for both signs. The funnel (N_i > N_o) is lazy only for lambda -> +inf and
# stays non-lazy for lambda -> -inf ("delayed rich", digest §6); the inverted funnel is the mirror image.

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import lazyrich

# a test run sets LAZYRICH_FIGURES to a temporary folder; by hand, figures go next to the notebook
FIG = Path(os.environ.get("LAZYRICH_FIGURES") or ("notebooks/figures" if Path("notebooks").is_dir() else "figures"))
FIG.mkdir(parents=True, exist_ok=True)

# %%
shapes = {"funnel 4-2-2": (4, 2), "square 3-3-3": (3, 3), "inverted funnel 2-2-4": (2, 4)}
mags = np.logspace(-3, 2, 11)
lams = np.concatenate([-mags[::-1], mags])
P, sigma = 10, 0.05


def ntk_from_qqt(G, X, n_in, n_out):  # I (x) X^T W1^T W1 X + W2 W2^T (x) X^T X, ordering (output, sample)
    return np.kron(np.eye(n_out), X.T @ G[:n_in, :n_in] @ X) + np.kron(G[n_in:, n_in:], X.T @ X)


def distance(K0, K1):
    return 1 - np.sum(K0 * K1) / (np.linalg.norm(K0) * np.linalg.norm(K1))


tasks, dist = {}, {}
for name, (n_in, n_out) in shapes.items():
    X, Y = lazyrich.random_regression_task(n_in, n_out, P, seed=4)
    sigma_yx, tau = lazyrich.whitened_sigma_yx(X, Y)
    tasks[name] = (X, sigma_yx, tau)
    d = []
    for lam in lams:
        W1, W2 = lazyrich.lambda_balanced_init(n_in, min(n_in, n_out), n_out, lam=lam, sigma=sigma, seed=5)
        net = lazyrich.TwoLayerExact(W1, W2, sigma_yx, tau=tau)
        d.append(distance(net.ntk(0.0, X), ntk_from_qqt(net.qqt_limit(), X, n_in, n_out)))
    dist[name] = np.array(d)

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for name in shapes:
    for ax, side in zip(axes, (lams < 0, lams > 0)):
        ax.loglog(np.abs(lams[side]), dist[name][side], "o-", label=name)
axes[0].set_title("lambda < 0")
axes[1].set_title("lambda > 0")
for ax in axes:
    ax.set_xlabel("|lambda|")
axes[0].set_ylabel("kernel distance NTK(0) vs NTK(inf)")
axes[1].legend()
fig.tight_layout()
path = FIG / "ntk_movement_vs_lambda.png"
fig.savefig(path, dpi=80)
print(path)

# %% [markdown]
# ## Checks
# 1. For lambda = 1 on each shape, the exact kernel distance matches a gradient-descent run to convergence
#    (T = 80). GD drifts off the balance `W2^T W2 - W1 W1^T = lambda I` by O(h) over a run, so its limit and
#    the distance differ by C h; a run at h/2 halves the difference (order 1) and we assert <= C h, C = 1.
# 2. Lazy side monotone: the distance strictly decreases in |lambda| for |lambda| >= 1 on lambda > 0 (funnel,
#    square) and lambda < 0 (square, inverted funnel); the delayed-rich side (funnel, lambda = -100; inverted
#    funnel, lambda = +100) stays at least 100 times above the lazy square network at |lambda| = 100.

# %%
C, T = 1.0, 80.0
for name, (n_in, n_out) in shapes.items():
    X, sigma_yx, tau = tasks[name]
    init = lazyrich.lambda_balanced_init(n_in, min(n_in, n_out), n_out, lam=1.0, sigma=sigma, seed=5)
    exact = dist[name][np.argmin(np.abs(lams - 1.0))]
    errs = []
    for step in (0.02, 0.01):
        gd = lazyrich.gradient_descent(lazyrich.DeepLinearModel(sigma_yx, tau=tau), init, step, [0.0, T])
        Q = np.concatenate([gd["W1"][-1].T, gd["W2"][-1]])
        errs.append(
            abs(
                distance(
                    ntk_from_qqt(Q @ Q.T, X, n_in, n_out), lazyrich.TwoLayerExact(*init, sigma_yx, tau=tau).ntk(0.0, X)
                )
                - exact
            )
        )
    print(f"{name}, lambda = 1: exact {exact:.4f}, |GD - exact| = {errs[0]:.2e} (h = 0.02), {errs[1]:.2e} (h = 0.01)")
    assert errs[0] <= C * 0.02 and 1.6 < errs[0] / errs[1] < 2.4, (name, errs)

big = np.abs(lams) >= 1
for name, lazy_sides in {"funnel 4-2-2": [1], "square 3-3-3": [-1, 1], "inverted funnel 2-2-4": [-1]}.items():
    for sign in lazy_sides:
        d = dist[name][big & (np.sign(lams) == sign)]
        d = d[np.argsort(np.abs(lams[big & (np.sign(lams) == sign)]))]
        assert np.all(np.diff(d) < 0), (name, sign, d)
lazy_square = dist["square 3-3-3"][np.abs(lams) == 100].max()
print(
    "at |lambda| = 100: funnel (lambda<0)",
    dist["funnel 4-2-2"][0],
    "inverted (lambda>0)",
    dist["inverted funnel 2-2-4"][-1],
    "square",
    lazy_square,
)
assert dist["funnel 4-2-2"][0] > 100 * lazy_square and dist["inverted funnel 2-2-4"][-1] > 100 * lazy_square
