"""Cross-check between papers: a single neuron is a two-layer linear network with N_h = 1.

With unit learning rates, W1 = w^T (1 x d), W2 = a (1 x 1) and sigma_yx = beta_*^T, the two-layer
flow of Dominé et al. is the single-neuron flow of Kunin et al., and W2^T W2 - W1 W1^T = a^2 - |w|^2
= delta is lambda-balanced with lambda = delta. The two closed forms were derived independently
(Riccati solution of QQ^T vs the linearisation A'' + delta A' - s^2 A = 0), so they must agree on
beta(t) = W2 W1, a(t)^2 = W2 W2^T and w w^T = W1^T W1.
"""

from __future__ import annotations

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpers import seeds
from lazyrich import FLOAT64_EPS, SingleNeuronExact, TwoLayerExact, random_orthogonal


def to_float(mats) -> np.ndarray:
    """A list of mpmath matrices (TwoLayerExact's dps= output) as a float array (T, rows, cols)."""
    return np.array([np.array(m.tolist(), dtype=float) for m in mats])


def max_abs(x, ref) -> float:
    return float(np.max(np.abs(np.asarray(x, dtype=float) - ref)))


@settings(deadline=None)
@given(
    d=st.integers(1, 6),
    delta=st.floats(-20.0, 20.0),
    beta0_norm=st.floats(0.05, 3.0),
    s=st.floats(0.2, 3.0),
    sign=st.sampled_from([-1.0, 1.0]),
    seed=seeds,
)
@example(d=2, delta=0.0, beta0_norm=1.0, s=1.0, sign=1.0, seed=0)
@example(d=1, delta=-5.0, beta0_norm=0.3, s=2.0, sign=-1.0, seed=1)
def test_single_neuron_equals_two_layer_with_one_hidden_unit(d, delta, beta0_norm, s, sign, seed):
    rng = np.random.default_rng(seed)
    beta0 = beta0_norm * random_orthogonal(d, rng)[0]
    bs = s * random_orthogonal(d, rng)[0]
    b2 = float(beta0 @ beta0)
    k = np.hypot(delta, 2 * np.sqrt(b2))
    a0 = sign * np.sqrt((k + delta) / 2 if delta >= 0 else 2 * b2 / (k - delta))
    w0 = beta0 / a0
    sn = SingleNeuronExact(a0, w0, bs)
    net = TwoLayerExact(w0[None, :], np.array([[a0]]), bs[None, :])
    # lambda-balanced with lambda = delta (up to the round-off of forming a0^2 - |w0|^2)
    assert abs(net.lam - sn.delta) <= 4 * (d + 1) * FLOAT64_EPS * (a0 * a0 + w0 @ w0)
    t = np.array([0.0, 0.05, 0.5, 2.0, 10.0, 100.0])
    beta, a, w = sn.beta(t), sn.a(t), sn.w(t)
    # Both closed forms are accurate to ~ condition * eps, where TwoLayerExact's condition |Q0| / sigma_min(q+)
    # measures closeness to the basin boundary (c_+ = 0 here): there the trajectory itself is that sensitive to
    # the inputs (e.g. TwoLayerExact rounds lambda = tr(W2^T W2 - W1 W1^T) while SingleNeuronExact takes delta
    # exactly from a0, w0), so no comparison can be tighter. TwoLayerExact documents ~0.1 condition eps.
    tol = 10 * max(net.condition, 10.0) * FLOAT64_EPS + 1e-13
    if net.condition <= 1e5:
        network, out_gram, in_gram = net.network(t), net.output_gram(t), net.input_gram(t)
    else:  # the two-layer float64 form refuses ill-conditioned q+; its dps path does not
        network, out_gram, in_gram = (to_float(f(t, dps=30)) for f in (net.network, net.output_gram, net.input_gram))
    # errors are relative to the largest entry of QQ^T, a^2 + |w|^2 (beta passes near 0 on some paths)
    for i in range(t.size):
        scale = a[i] ** 2 + w[i] @ w[i]
        assert max_abs(network[i][0], beta[i]) <= tol * scale, (t[i], network[i][0], beta[i])
        assert max_abs(out_gram[i][0, 0], a[i] ** 2) <= tol * scale
        assert max_abs(in_gram[i], np.outer(w[i], w[i])) <= tol * scale
