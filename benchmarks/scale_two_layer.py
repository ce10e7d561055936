"""Scale: the float64 two-layer solution for N_i + N_o = 2000 (N_h = min) over 100 time points (issue 6, item 5).

For each shape (default 1000/1000 and 1900/100) it times, with BLAS on 2 threads (override with
OPENBLAS_NUM_THREADS):

* construction (one SVD of Sigma_yx, projections, one m x m solve);
* ``net.network(ts)``: all 100 network blocks ``W2 W1(t)`` as one ``(T, N_o, N_i)`` array;
* ``iter_qqt(net, ts, "network", chunk=1)``: the same, streamed one time point at a time;

with the peak traced memory (tracemalloc sees numpy's allocations) of each, the process peak RSS
(``resource.getrusage``), and the size the ``(T, n, n)`` array would have had. The result is checked by
structural routes that need no reference solution at this size (tolerances derived in ``_accuracy``):
``W2W1(0) = W2 @ W1``, ``W2W1(1e6) = Sigma_yx`` (claim 9, full-rank task), the balance
``R_o^T R_o - R_i^T R_i = lambda I`` of the factor ``R`` (``QQ^T = R R^T``), and the gradient-flow ODE
``d/dt W2W1 = W2W2^T E + E W1^TW1`` (``E = Sigma_yx - W2W1``) against a fourth-order central difference.

Run: ``python benchmarks/scale_two_layer.py [--shapes 1000x1000 1900x100] [--times 100] [--json]``.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "2")

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

import numpy as np  # noqa: E402

from lazyrich import (  # noqa: E402
    FLOAT64_EPS,
    TwoLayerExact,
    iter_qqt,
    lambda_balanced_init,
    matrix_with_singular_values,
)


def _timed_traced(fn):
    """``(wall seconds, CPU seconds, peak traced MiB, result)`` of ``fn()``."""
    tracemalloc.start()
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return wall, cpu, peak / 2**20, out


def _accuracy(net: TwoLayerExact, W1: np.ndarray, W2: np.ndarray, probe_times) -> dict:
    """Structural checks; each returns (error, tolerance), both relative to the scale of the checked quantity.

    ``delta = kappa * n * eps`` is the float64 forward-error bound (``linalg_tolerance(kappa, n)``; measured
    errors are ~100x below it), ``kappa`` the larger of ``net.condition`` (the narrow stable form's) and
    :meth:`TwoLayerExact.float64_condition` at the probe times (the graded form's, used above condition 10).
    """
    ni, n = net.n_in, net.n
    delta = (
        max(net.condition, float(np.max(net.float64_condition(np.asarray(probe_times, dtype=float))))) * n * FLOAT64_EPS
    )
    out = {}
    N0 = net.network(0.0)
    ref0 = W2 @ W1
    out["initial"] = (float(np.abs(N0 - ref0).max() / np.abs(ref0).max()), delta)
    Ninf = net.network(1e6)
    S = net.sigma_yx
    out["limit_t_1e6"] = (float(np.abs(Ninf - S).max() / np.abs(S).max()), delta)
    bal, ode = 0.0, 0.0
    bal_tol, ode_tol = 0.0, 0.0
    h = 1e-3  # truncation ~ h^4 |N^(5)|, round-off ~ 1.5 delta / h: both ~1e-10 relative here
    for t in probe_times:
        R = net.qqt_factor(t)
        Ri, Ro = R[:ni], R[ni:]
        gram_i, gram_o = Ri.T @ Ri, Ro.T @ Ro
        scale = max(np.abs(gram_i).max(), np.abs(gram_o).max(), abs(net.lam))
        bal = max(bal, float(np.abs(gram_o - gram_i - net.lam * np.eye(net.n_hidden)).max() / scale))
        bal_tol = max(bal_tol, 4 * delta)  # two Grams of R, each with relative error <= 2 delta
        N = Ro @ Ri.T
        E = S - N
        rhs = Ro @ (Ro.T @ E) + (E @ Ri) @ Ri.T
        Ns = net.network(t + h * np.array([-4.0, -2.0, -1.0, 1.0, 2.0, 4.0]))
        d_h = (Ns[1] - 8 * Ns[2] + 8 * Ns[3] - Ns[4]) / (12 * h)
        d_2h = (Ns[0] - 8 * Ns[1] + 8 * Ns[4] - Ns[5]) / (24 * h)
        rscale = max(np.abs(rhs).max(), np.abs(S).max() * np.abs(R).max() ** 2)
        ode = max(ode, float(np.abs(d_h - rhs).max() / rscale))
        # |D_h - D_2h| = 15x the h^4 truncation of D_h (a conservative estimate of it); 1.5 / h amplifies the
        # error delta |N| of each N(t +- k h); rhs carries 3 delta (three factor products)
        trunc = float(np.abs(d_h - d_2h).max() / rscale)
        ode_tol = max(ode_tol, trunc + 1.5 * delta * np.abs(N).max() / h / rscale + 3 * delta)
    out["balance"] = (bal, bal_tol)
    out["gradient_flow_ode"] = (ode, ode_tol)
    return {k: {"error": e, "tolerance": tol, "ok": bool(e <= tol)} for k, (e, tol) in out.items()}


def run(n_in: int, n_out: int, n_times: int = 100, seed: int = 0, stream: bool = True) -> dict:
    rng = np.random.default_rng(seed)
    m = min(n_in, n_out)
    S = matrix_with_singular_values((n_out, n_in), rng.uniform(0.5, 2.0, m), rng)
    W1, W2 = lambda_balanced_init(n_in, m, n_out, 0.5, sigma=0.1, seed=seed)
    ts = np.logspace(-1, 3, n_times)
    w_init, c_init, mem_init, net = _timed_traced(lambda: TwoLayerExact(W1, W2, S))
    w_net, c_net, mem_net, blocks = _timed_traced(lambda: net.network(ts))
    res = {
        "n_in": n_in,
        "n_out": n_out,
        "n_hidden": m,
        "time_points": n_times,
        "blas_threads": os.environ["OPENBLAS_NUM_THREADS"],
        "condition": net.condition,
        "init_wall_s": w_init,
        "init_cpu_s": c_init,
        "network_wall_s": w_net,
        "network_cpu_s": c_net,
        "network_wall_s_per_time": w_net / n_times,
        "network_peak_traced_MiB": mem_net,
        "network_output_MiB": blocks.nbytes / 2**20,
        "init_peak_traced_MiB": mem_init,
        "full_T_n_n_array_MiB": n_times * (n_in + n_out) ** 2 * 8 / 2**20,
    }
    del blocks
    if stream:

        def streamed():
            total = 0.0
            for X in iter_qqt(net, ts, block="network", chunk=1):
                total += float(X[0, 0])
            return total

        w_s, c_s, mem_s, _ = _timed_traced(streamed)
        res.update({"stream_wall_s": w_s, "stream_cpu_s": c_s, "stream_peak_traced_MiB": mem_s})
    res["accuracy"] = _accuracy(net, W1, W2, probe_times=[1.0, 10.0])
    res["peak_rss_MiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    res["load_average_1min"] = os.getloadavg()[0]
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shapes", nargs="+", default=["1000x1000", "1900x100"], help="N_ixN_o pairs")
    ap.add_argument("--times", type=int, default=100)
    ap.add_argument("--no-stream", action="store_true", help="skip the streamed (iter_qqt) timing")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    results = []
    for shape in args.shapes:
        ni, no = (int(x) for x in shape.split("x"))
        results.append(run(ni, no, args.times, stream=not args.no_stream))
        if not args.json:
            r = results[-1]
            print(
                f"{ni}/{no} (N_h {r['n_hidden']}, {r['time_points']} t, {r['blas_threads']} BLAS threads, load "
                f"{r['load_average_1min']:.1f}): init {r['init_wall_s']:.2f} s, "
                f"network {r['network_wall_s']:.2f} s wall "
                f"({r['network_cpu_s']:.2f} s CPU), streamed {r.get('stream_wall_s', float('nan')):.2f} s; peak traced "
                f"{r['network_peak_traced_MiB']:.0f} MiB (output {r['network_output_MiB']:.0f} MiB; streamed "
                f"{r.get('stream_peak_traced_MiB', float('nan')):.0f} MiB; a (T, n, n) array: "
                f"{r['full_T_n_n_array_MiB']:.0f} MiB), peak RSS {r['peak_rss_MiB']:.0f} MiB"
            )
            for k, v in r["accuracy"].items():
                print(
                    f"    {k:20s} error {v['error']:.2e}  tolerance {v['tolerance']:.2e}  {'ok' if v['ok'] else 'FAIL'}"
                )
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
