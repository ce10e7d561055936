"""Scale: the float64 two-layer solution for N_i + N_o = 2000 (N_h = min) over many time points (issue 6, item 5).

Streams ``iter_qqt(net, t, block, chunk)`` so memory is linear in ``chunk`` (never ``(T, n, n)``);
reports construction seconds, seconds per time point and the peak traced memory (numpy
allocations are visible to tracemalloc).

Run: ``python benchmarks/scale_two_layer.py [--n-in 1000] [--n-out 1000] [--times 100] [--block network] [--chunk 1]``.
"""

from __future__ import annotations

import argparse
import json
import time
import tracemalloc

import numpy as np

from lazyrich import TwoLayerExact, iter_qqt, lambda_balanced_init, matrix_with_singular_values


def run(n_in: int, n_out: int, n_times: int, block: str, chunk: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    m = min(n_in, n_out)
    S = matrix_with_singular_values((n_out, n_in), rng.uniform(0.5, 2.0, m), rng)
    W1, W2 = lambda_balanced_init(n_in, m, n_out, 0.5, sigma=0.1, seed=seed)
    tracemalloc.start()
    t0 = time.perf_counter()
    net = TwoLayerExact(W1, W2, S)
    t_init = time.perf_counter() - t0
    ts = np.logspace(-1, 3, n_times)
    t0 = time.perf_counter()
    checksum = 0.0
    for X in iter_qqt(net, ts, block=block, chunk=chunk):
        checksum += float(X[0, 0])
    t_eval = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "n_in": n_in,
        "n_out": n_out,
        "n_hidden": m,
        "time_points": n_times,
        "block": block,
        "chunk": chunk,
        "init_seconds": t_init,
        "eval_seconds": t_eval,
        "seconds_per_time_point": t_eval / n_times,
        "peak_traced_MB": peak / 2**20,
        "full_T_n_n_array_MB": n_times * (n_in + n_out) ** 2 * 8 / 2**20,
        "condition": net.condition,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-in", type=int, default=1000)
    ap.add_argument("--n-out", type=int, default=1000)
    ap.add_argument("--times", type=int, default=100)
    ap.add_argument("--block", default="network", choices=("full", "W1TW1", "network", "W2W2T"))
    ap.add_argument("--chunk", type=int, default=1)
    args = ap.parse_args()
    print(json.dumps(run(args.n_in, args.n_out, args.times, args.block, args.chunk), indent=2))


if __name__ == "__main__":
    main()
