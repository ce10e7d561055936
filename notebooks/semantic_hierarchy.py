# %% [markdown]
# # Semantic hierarchy: rich, semi-structured lazy and lazy representations
#
# Reproduces Dominé et al. (arXiv:2409.14623) Fig. 4B-D on the 8-item hierarchy of Saxe et al.
# (`lazyrich.semantic_hierarchy_task`, with Braun's tie-break so the task singular values are distinct).
# With the 1/P convention `Sigma_xx = I/8`, so `lazyrich.whitened_sigma_yx` gives the whitened target and
# `tau = 8`. We show the representational similarity matrices (RSMs) at convergence of the input side,
# `X^T W1^T W1 X`, and the output side, `W2 W2^T`, for:
#
# * lambda ~ 0 (rich): both RSMs are task-specific (`V S V^T` and `U S U^T`, the hierarchy is visible);
# * lambda = +10 (semi-structured lazy): output side ~ lambda I (task-agnostic), input side structured but small;
# * lambda = -10 (semi-structured lazy, mirrored): input side ~ |lambda| I, output side structured but small;
# * a large i.i.d. Gaussian init (lazy, simulated, not lambda-balanced): both RSMs unstructured.
#
# The lambda-balanced panels are the exact limits `TwoLayerExact.qqt_limit()`; the notebook checks them
# against long gradient-descent runs.

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
X, Y = lazyrich.semantic_hierarchy_task(tie_break=True)
sigma_yx, tau = lazyrich.whitened_sigma_yx(X, Y)  # (Y X^T / 8) / (1/8) = Y, tau = 8
model = lazyrich.DeepLinearModel(sigma_yx, tau=tau)
n = 8
h, T = 0.05, 150.0  # T: the slowest mode (s ~ 1.4) leaves its plateau by t ~ 40 and then decays at rate 2 s / tau
lams = {"rich, lambda = 1e-3": 1e-3, "semi-lazy, lambda = +10": 10.0, "semi-lazy, lambda = -10": -10.0}


def rsms(W1, W2):
    return X.T @ W1.T @ W1 @ X, W2 @ W2.T


def gd_final(init, step):
    gd = lazyrich.gradient_descent(model, init, step, [0.0, T])
    return gd["W1"][-1], gd["W2"][-1]


panels, errors = {}, {}
for name, lam in lams.items():
    init = lazyrich.lambda_balanced_init(n, n, n, lam=lam, sigma=0.1, seed=1)
    limit = lazyrich.TwoLayerExact(*init, sigma_yx, tau=tau).qqt_limit()
    panels[name] = (X.T @ limit[:n, :n] @ X, limit[n:, n:])
    W1, W2 = gd_final(init, h)
    errors[name] = (limit, np.abs(np.block([[W1.T @ W1, W1.T @ W2.T], [W2 @ W1, W2 @ W2.T]]) - limit).max(), init)
rng = np.random.default_rng(2)
gaussian_init = (rng.standard_normal((n, n)), rng.standard_normal((n, n)))  # N(0, 1) entries: large scale
W1g, W2g = gd_final(gaussian_init, h)
panels["lazy, large Gaussian init (GD)"] = rsms(W1g, W2g)

# %%
fig, axes = plt.subplots(2, 4, figsize=(15, 7.5))
for j, (name, (rsm_in, rsm_out)) in enumerate(panels.items()):
    for i, (rsm, side) in enumerate(((rsm_in, "input X^T W1^T W1 X"), (rsm_out, "output W2 W2^T"))):
        im = axes[i, j].imshow(rsm, cmap="RdBu_r", vmin=-np.abs(rsm).max(), vmax=np.abs(rsm).max())
        axes[i, j].set_title(f"{name}\n{side}", fontsize=9)
        fig.colorbar(im, ax=axes[i, j], fraction=0.046)
fig.tight_layout()
path = FIG / "semantic_hierarchy.png"
fig.savefig(path, dpi=80)
print(path)

# %% [markdown]
# ## Checks
# 1. Exact limit vs long gradient descent: GD does not conserve `W2^T W2 - W1 W1^T` exactly (it drifts by
#    O(h) over the run), so the point it converges to differs from the flow's limit by C h. A run at h/2
#    halves the error (order 1); we assert error <= C h with C = 1 (measured constants are printed).
# 2. The rich input RSM is task-specific: with `Sigma_yx = U S V^T`, the limit is `V (S_lam - lam/2) V^T` and
#    `S_lam - lam/2 = S - lam/2 + O(lam^2)`, so its cosine similarity to `V S V^T` is at least
#    `1 - lam / (2 s_min)` to first order; we assert `>= 1 - lam / s_min` (a factor 2 margin).
#    For contrast the Gaussian-init input RSM is printed (far from 1).

# %%
C = 1.0
for name, (limit, err, init) in errors.items():
    W1, W2 = gd_final(init, h / 2)
    err_half = np.abs(np.block([[W1.T @ W1, W1.T @ W2.T], [W2 @ W1, W2 @ W2.T]]) - limit).max()
    print(f"{name}: max|QQ^T(inf) - GD(T)| = {err:.2e} (h), {err_half:.2e} (h/2), C = {err / h:.3f}")
    assert err <= C * h, (name, err)
    assert 1.6 < err / err_half < 2.4, "the GD error should halve with the step (order 1)"


def cosine(A, B):
    return float(np.sum(A * B) / (np.linalg.norm(A) * np.linalg.norm(B)))


_, s, Vt = np.linalg.svd(sigma_yx)
task_rsm = Vt.T @ np.diag(s) @ Vt
cos_rich = cosine(panels["rich, lambda = 1e-3"][0], task_rsm)
cos_gauss = cosine(panels["lazy, large Gaussian init (GD)"][0], task_rsm)
print(f"cosine(input RSM, V S V^T): rich {cos_rich:.6f}, Gaussian init {cos_gauss:.3f}")
assert cos_rich >= 1 - 1e-3 / s.min()
