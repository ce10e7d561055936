"""iter_qqt: the streamed blocks equal the batched qqt (same stable form, so round-off identical up to BLAS
blocking: compared at 64 eps relative), in time order, and bad arguments raise."""

from __future__ import annotations

import numpy as np
import pytest

from lazyrich import FLOAT64_EPS, InvalidParameterError, TwoLayerExact, lambda_balanced_init
from lazyrich._exact.two_layer_stream import iter_qqt


@pytest.mark.parametrize("shape", [(4, 2, 2), (2, 2, 5), (3, 3, 3)])
@pytest.mark.parametrize("chunk", [1, 3, 10])
def test_blocks_match_batched_qqt(shape, chunk):
    ni, nh, no = shape
    W1, W2 = lambda_balanced_init(ni, nh, no, lam=0.6, sigma=0.4, seed=4)
    net = TwoLayerExact(W1, W2, np.random.default_rng(4).standard_normal((no, ni)))
    ts = np.array([0.0, 0.3, 2.0, 7.0, 50.0, 1e6])
    full = net.qqt(ts)
    tol = 64 * FLOAT64_EPS * np.abs(full).max()
    got = np.array(list(iter_qqt(net, ts, chunk=chunk)))
    assert got.shape == full.shape and np.abs(got - full).max() <= tol
    for block, ref in [
        ("W1TW1", full[:, :ni, :ni]),
        ("network", full[:, ni:, :ni]),
        ("W2W2T", full[:, ni:, ni:]),
    ]:
        got = np.array(list(iter_qqt(net, ts, block=block, chunk=chunk)))
        assert got.shape == ref.shape and np.abs(got - ref).max() <= tol
    R = np.array(list(iter_qqt(net, ts, block="factor", chunk=chunk)))
    assert R.shape == (len(ts), ni + no, nh) and np.abs(R @ np.swapaxes(R, 1, 2) - full).max() <= tol


def test_bad_arguments():
    W1, W2 = lambda_balanced_init(2, 2, 2, lam=0.6, sigma=0.4, seed=4)
    net = TwoLayerExact(W1, W2, np.eye(2))
    with pytest.raises(InvalidParameterError):
        next(iter_qqt(net, [1.0], block="W1"))
    with pytest.raises(InvalidParameterError):
        next(iter_qqt(net, [1.0], chunk=0))
