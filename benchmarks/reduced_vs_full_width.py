"""Width-independent (reduced) vs full-width simulation of one phase-diagram point (issue 5).

1. d = 100, gamma_w = 2.5 (w = 10^5), gamma_sigma2 = -2 (active side), 200 sequential GD
   steps of the paper's task: the full w x d weights in float64 vs the reduced
   (d_in + d_out) network obtained from the *same* full initialisation by
   ``reduce_width``; both times, their ratio, and the max difference of A = W2 W1.
   Timed: the gradient-descent loop with the per-step errors (eq. (1) is not run,
   it costs the same in both). The one-off reduction cost (Gram matrix + Cholesky) is reported too.
2. The reduced time of the paper's Fig. 1 setting: d = 500, k = 5, gamma_sigma2 = -1.85,
   gamma_w = 2.25 (w ~ 1.18e6), 100 steps with the Fig. 1 learning rate 1/(5 ||A*||_op),
   initialised by ``gaussian_init`` (Bartlett), with and without eq. (1) alongside (the latter through
   ``phase_diagram_point(..., lr_factor=5)``, initialisation included).

Run: ``python benchmarks/reduced_vs_full_width.py [--json] [--steps N]``.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from lazyrich import gaussian_init, phase_diagram_point, phase_task, reduce_width


def gd_errors(W1, W2, A_star, T, step, n_steps):
    """Sequential GD as in the official sweep, recording train/test errors; returns the final A and the errors."""
    d2 = A_star.size
    errs = []
    for _ in range(n_steps):
        A = W2 @ W1
        errs.append((np.sum((A - T) ** 2) / d2, np.sum((A - A_star) ** 2) / d2))
        G = A - T
        W1 = W1 - step * (W2.T @ G)
        W2 = W2 - step * (G @ W1.T)
    return W2 @ W1, np.array(errs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--steps", type=int, default=200)
    args = ap.parse_args()

    d, k, gs, gw, seed = 100, 5, -2.0, 2.5, 0
    width = int(d**gw)
    sigma2 = d**gs
    A_star, E = phase_task(d, k, seed)
    T = A_star + E
    step = 1.0 / (50 * np.linalg.norm(A_star, 2))
    W1, W2 = gaussian_init(d, d, width, sigma2, seed=np.random.default_rng([seed, 1]), reduced=False)

    t0 = time.perf_counter()
    A_full, err_full = gd_errors(W1, W2, A_star, T, step, args.steps)
    t_full = time.perf_counter() - t0
    t0 = time.perf_counter()
    V1, V2 = reduce_width(W1, W2)
    t_qr = time.perf_counter() - t0
    t0 = time.perf_counter()
    A_red, err_red = gd_errors(V1, V2, A_star, T, step, args.steps)
    t_red = time.perf_counter() - t0
    diff = float(np.max(np.abs(A_full - A_red)))
    rel = diff / float(np.max(np.abs(A_full)))
    err_diff = float(np.max(np.abs(err_full - err_red)))

    # the full phase-diagram point through the public function (reduced, with eq. (1) alongside)
    t0 = time.perf_counter()
    p = phase_diagram_point(d, k, gs, gw, seed, max_steps=args.steps)
    t_point = time.perf_counter() - t0

    # Fig. 1 setting, reduced
    d1, k1, gs1, gw1 = 500, 5, -1.85, 2.25
    w1 = int(d1**gw1)
    s1 = d1**gs1
    A1, E1 = phase_task(d1, k1, seed)
    step1 = 1.0 / (5 * np.linalg.norm(A1, 2))
    t0 = time.perf_counter()
    U1, U2 = gaussian_init(d1, d1, w1, s1, seed=np.random.default_rng([seed, 1]))
    t_init1 = time.perf_counter() - t0
    t0 = time.perf_counter()
    gd_errors(U1, U2, A1, A1 + E1, step1, 100)
    t_fig1 = time.perf_counter() - t0
    t0 = time.perf_counter()  # the same task, initialisation stream and step through the public function
    fig1 = phase_diagram_point(d1, k1, gs1, gw1, seed, max_steps=100, lr_factor=5.0)
    t_fig1_cmp = time.perf_counter() - t0

    res = {
        "point": {"d": d, "k": k, "gamma_sigma2": gs, "gamma_w": gw, "width": width, "steps": args.steps},
        "full_seconds": t_full,
        "reduced_seconds": t_red,
        "reduction_seconds": t_qr,
        "ratio": t_full / t_red,
        "ratio_including_reduction": t_full / (t_red + t_qr),
        "max_abs_diff_A": diff,
        "max_rel_diff_A": rel,
        "max_abs_diff_errors": err_diff,
        "phase_point_seconds_with_eq1": t_point,
        "phase_point": {
            "min_test": p.min_test_error,
            "stable_rank": p.stable_rank,
            "iterations": p.iterations,
            "max_distance": p.max_distance,
            "stop": p.stop_reason,
        },
        "fig1": {
            "d": d1,
            "width": w1,
            "steps": 100,
            "init_seconds": t_init1,
            "gd_seconds": t_fig1,
            "point_with_eq1_seconds": t_fig1_cmp,
            "point_records": fig1.n_records,
            "min_test": fig1.min_test_error,
            "iteration": fig1.iterations,
            "max_distance": fig1.max_distance,
            "stop": fig1.stop_reason,
        },
    }
    if args.json:
        print(json.dumps(res, indent=2))
        return
    print(
        f"phase-diagram point d={d}, k={k}, gamma_sigma2={gs}, gamma_w={gw} (w={width}), {args.steps} sequential GD steps"
    )
    print(f"{'simulation':<34}{'seconds':>12}")
    print(f"{'full width (float64)':<34}{t_full:>12.3f}")
    print(f"{'reduced (hidden 2d)':<34}{t_red:>12.4f}")
    print(f"{'  one-off reduction (Gram+Cholesky)':<34}{t_qr:>12.4f}")
    print(f"ratio full/reduced: {res['ratio']:.0f} (including the reduction: {res['ratio_including_reduction']:.0f})")
    print(f"max |A_full - A_reduced| = {diff:.2e} (relative {rel:.2e}); max error-curve difference {err_diff:.2e}")
    print(
        f"phase_diagram_point (reduced, with eq. (1)): {t_point:.3f} s; min test {p.min_test_error:.4f} at "
        f"iteration {p.iterations}, stable rank {p.stable_rank:.2f}, max distance {p.max_distance:.2e} ({p.stop_reason})"
    )
    print(
        f"Fig. 1 setting d={d1}, w={w1}: Bartlett init {t_init1:.3f} s, 100 reduced GD steps {t_fig1:.3f} s, "
        f"phase point with eq. (1) alongside (incl. init) {t_fig1_cmp:.3f} s ({fig1.n_records} iterations, {fig1.stop_reason}); min test {fig1.min_test_error:.3f} at iteration "
        f"{fig1.iterations}, max distance {fig1.max_distance:.3f}"
    )


if __name__ == "__main__":
    main()
