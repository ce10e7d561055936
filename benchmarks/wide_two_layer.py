"""Wide hidden layers in float64 (N_h > min(N_i, N_o)): TwoLayerExact vs scipy solve_ivp DOP853, side by side.

TwoLayerExact evaluates these nets with the graded QR form of the Fukumizu solution (no inverse of q+;
``lazyrich._exact.two_layer_wide``). The baseline (:func:`dop853_qqt`, kept in ``benchmarks/weight_flow_baseline.py``) integrates the
weight flow with DOP853 (rtol 1e-10, atol 1e-10 max|y0|, ``t_eval`` = the grid) and forms QQ^T in one batched
product. Both are timed in the same run (CPU seconds, best of several; construction is inside our timing).
Errors are max-norm relative to the largest entry, against DOP853 at rtol 3e-14 (so our error is an upper
bound, limited by that reference; the tests check the graded form against mpmath to ``kappa n eps``), and
``kappa`` is the largest :meth:`TwoLayerExact.float64_condition` on the grid.

Shapes: N_h > N_i (lambda > 0), N_h > N_o (lambda < 0), lambda = 0 with N_h > min; 200 points on [0, 50] and
[0, 500]. BLAS runs single-threaded: the variables are set (not defaulted) before numpy is imported, and the
row reports the threads the process actually has after a BLAS call.

Run: ``python benchmarks/wide_two_layer.py [--json] [--horizons 50 500] [--times 200]``.
"""

from __future__ import annotations

import os

# before numpy loads (BLAS reads these once, at import): one thread for both contestants
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from weight_flow_baseline import dop853_qqt  # noqa: E402  (the shared baseline, next to this file)

from lazyrich import TwoLayerExact, lambda_balanced_init, matrix_with_singular_values  # noqa: E402

#: (N_i, N_h, N_o, lambda): N_h > N_i needs lambda >= 0, N_h > N_o needs lambda <= 0.
SHAPES = ((10, 20, 20, 0.5), (20, 20, 10, -0.5), (10, 15, 20, 0.0), (5, 40, 40, 0.5))


def blas_threads() -> int:
    """Threads of this process after a BLAS call (Linux ``/proc``; -1 elsewhere): 1 means single-threaded BLAS."""
    a = np.ones((256, 256))
    _ = a @ a
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:  # pragma: no cover - not Linux
        return -1


def _best(fn, repeat: int):
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.process_time()
        out = fn()
        best = min(best, time.process_time() - t0)
    return best, out


def run(ni: int, nh: int, no: int, lam: float, t_end: float, n_times: int = 200, repeat: int = 5, seed: int = 0):
    """One row: our float64 wide form and DOP853 on the same problem and grid, errors vs DOP853 at rtol 3e-14."""
    rng = np.random.default_rng(seed)
    syx = matrix_with_singular_values((no, ni), rng.uniform(0.5, 2.0, min(ni, no)), rng)
    W1, W2 = lambda_balanced_init(ni, nh, no, lam, sigma=0.3, seed=rng)
    grid = np.linspace(0.0, t_end, n_times)
    ours_s, ours = _best(lambda: TwoLayerExact(W1, W2, syx).qqt(grid), repeat)
    base_s, (base, nfev) = _best(lambda: dop853_qqt(syx, W1, W2, grid, 1e-10, 1e-10), max(1, repeat // 2))
    ref = dop853_qqt(syx, W1, W2, grid, 3e-14, 3e-14)[0]
    scale = np.abs(ref).max()
    kappa = float(TwoLayerExact(W1, W2, syx).float64_condition(grid).max())
    return {
        "shape": f"{ni}-{nh}-{no}",
        "lambda": lam,
        "t_end": t_end,
        "time_points": n_times,
        "ours_seconds": ours_s,
        "dop853_seconds": base_s,
        "ratio": base_s / ours_s,
        "ours_max_rel_error": float(np.abs(ours - ref).max() / scale),
        "dop853_max_rel_error": float(np.abs(base - ref).max() / scale),
        "kappa_max": kappa,
        "dop853_rhs_evaluations": int(nfev),
        "blas_threads": blas_threads(),
        "reference": "DOP853 rtol 3e-14 (our error is an upper bound)",
    }


def table(horizons=(50.0, 500.0), n_times: int = 200) -> list[dict]:
    return [run(*shape, t_end=t, n_times=n_times) for shape in SHAPES for t in horizons]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--horizons", type=float, nargs="+", default=[50.0, 500.0])
    ap.add_argument("--times", type=int, default=200)
    args = ap.parse_args()
    rows = table(args.horizons, args.times)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"float64 wide two-layer (graded form) vs DOP853 rtol 1e-10, {args.times} points, CPU s, BLAS threads 1")
    head = ("shape", "lambda", "t_end", "ours s", "DOP853 s", "ratio", "our err", "DOP853 err", "kappa")
    print("".join(f"{h:>12s}" for h in head))
    for r in rows:
        vals = (
            r["shape"],
            f"{r['lambda']:g}",
            f"{r['t_end']:g}",
            f"{r['ours_seconds']:.4g}",
            f"{r['dop853_seconds']:.4g}",
            f"{r['ratio']:.1f}x",
            f"{r['ours_max_rel_error']:.2g}",
            f"{r['dop853_max_rel_error']:.2g}",
            f"{r['kappa_max']:.3g}",
        )
        print("".join(f"{v:>12s}" for v in vals))


if __name__ == "__main__":
    main()
