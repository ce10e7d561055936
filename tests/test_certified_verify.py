"""`lazyrich verify --certified`: which claims carry certified checks, that they pass, and that each one
reports a float64 value moved a few ulp beyond its stated bound."""

from __future__ import annotations

import inspect
import json
import sys

import numpy as np
import pytest

import lazyrich
from lazyrich import FLOAT64_EPS, REGISTRY, run_claim
from lazyrich._claims.runner import load_claims
from lazyrich._tools.cli import main
from lazyrich.certified import (
    certified_aligned_singular_value,
    certified_mixed_aligned_singular_value,
    certified_qqt,
    certified_single_neuron,
    stable_qqt_error_bound,
)

load_claims()
certify = sys.modules["derivations.certify"]  # the shared certified-check helpers (``inside``)


def _patch_inside(monkeypatch, replacement) -> None:
    """Replace ``inside`` in the helpers module and in every claim module that imported it by name."""
    original = certify.inside
    for name, module in list(sys.modules.items()):
        if name.startswith("derivations") and getattr(module, "inside", None) is original:
            monkeypatch.setattr(module, "inside", replacement)


PAPERS = ("lazy_to_rich", "get_rich_quick", "mixed_dynamics", "deep_linear")

#: Every claim whose numeric check evaluates a closed form (an exact solution, its limit, a quantity built
#: from it, or a closed-form spectrum). Each must carry a certified check.
CLOSED_FORM_CLAIMS = [
    "deep_linear.aligned_mode",
    "deep_linear.aligned_solution_depth3",
    "get_rich_quick.balanced_closed_form",
    "get_rich_quick.basin",
    "get_rich_quick.closed_form_branches",
    "get_rich_quick.closed_form_flow",
    "get_rich_quick.downstream_limit",
    "get_rich_quick.eq4_preconditioner",
    "get_rich_quick.fig1_parametrization",
    "get_rich_quick.implicit_bias_potential",
    "get_rich_quick.kernel_distance",
    "get_rich_quick.learning_rate_reduction",
    "get_rich_quick.lemma_b8",
    "get_rich_quick.norm_identity",
    "get_rich_quick.one_dim_null_space",
    "get_rich_quick.preconditioner_limits",
    "get_rich_quick.riccati",
    "get_rich_quick.steady_state",
    "get_rich_quick.theorem_3_1",
    "get_rich_quick.theorem_4_2",
    "get_rich_quick.theorem_b10",
    "get_rich_quick.theorem_b6",
    "get_rich_quick.upstream_limit",
    "lazy_to_rich.algorithm_one",
    "lazy_to_rich.b_singularity",
    "lazy_to_rich.delayed_rich_rate",
    "lazy_to_rich.direct_form_instability",
    "lazy_to_rich.forgetting",
    "lazy_to_rich.fukumizu_solution",
    "lazy_to_rich.gaussian_moments",
    "lazy_to_rich.hierarchy_spectrum",
    "lazy_to_rich.lambda_star",
    "lazy_to_rich.lambda_zero_limit",
    "lazy_to_rich.long_time_limit",
    "lazy_to_rich.noise_sensitivity",
    "lazy_to_rich.ntk_formula",
    "lazy_to_rich.ntk_laziness",
    "lazy_to_rich.representation_limits",
    "lazy_to_rich.shallow_equivalence",
    "lazy_to_rich.singular_value_split",
    "lazy_to_rich.spectrum_of_F",
    "lazy_to_rich.stable_closed_form",
    "lazy_to_rich.thesis_aligned_formula",
    "lazy_to_rich.transition_function",
    "mixed_dynamics.aligned_decoupling",
    "mixed_dynamics.closed_form",
    "mixed_dynamics.early_phase",
    "mixed_dynamics.init_moments",
    "mixed_dynamics.init_offsets",
    "mixed_dynamics.lazy_limit",
    "mixed_dynamics.lazy_test_error",
    "mixed_dynamics.logistic_limit",
    "mixed_dynamics.ntk_spectrum",
    "mixed_dynamics.tail_asymptotics",
    "mixed_dynamics.underparameterized_line",
]

#: Every other claim, with the one-line reason it has no closed form to certify (e.g. a differential identity or
#: an algebraic identity proven exactly at general shape: there is no float64 value with an error bound).
NOT_CLOSED_FORM = {
    # get_rich_quick
    "get_rich_quick.conservation_delta": "conservation law: d/dt delta = 0, a differential identity at general shape",
    "get_rich_quick.gd_delta_step": "algebraic identity of one GD step (exact drift of delta), proven at general shape",
    "get_rich_quick.eq2_mu_phi": "differential identity: the (mu, phi) rates by the chain rule from the flow",
    "get_rich_quick.eq3_function_space": "differential identity: beta' by the product rule, general shape",
    "get_rich_quick.saddle_set": "set statement: the rates vanish on {a = 0, w^T X^T y = 0}, general shape",
    "get_rich_quick.null_space_conservation": "conservation law: d/dt (P w) = 0, general shape",
    "get_rich_quick.theorem_4_1": "algebraic identity: beta' and its per-neuron Kronecker terms, general shape",
    "get_rich_quick.conservation_relu": "conservation law per ReLU neuron, general shape",
    "get_rich_quick.gd_relu_drift": "algebraic identity of one GD step per ReLU neuron, general shape",
    "get_rich_quick.eq10_relu": "differential identity: eq. (10) from the per-neuron flow by the chain rule",
    "get_rich_quick.prop_c2": "integer parity identity on activation counts (no real value to enclose)",
    # lazy_to_rich
    "lazy_to_rich.gradient_flow_form": "definition of the loss and its gradient flow: a derivative identity",
    "lazy_to_rich.conservation_two_layer": "conservation law: a time derivative vanishing identically (general shape)",
    "lazy_to_rich.conservation_deep": "conservation laws: time derivatives vanishing identically (general shape)",
    "lazy_to_rich.gd_imbalance_step": "algebraic identity of one GD step (general shape) and an O(eta) order",
    "lazy_to_rich.gd_deep_drift": "an order statement O(eta) on the drift of the imbalances: no value",
    "lazy_to_rich.riccati_closure": "the Riccati equation: a differential identity proven at general shape",
    "lazy_to_rich.square_case_identities": "matrix identities and a derivative identity proven at general shape",
    "lazy_to_rich.aligned_scalar_ode": "the scalar ODE of an aligned mode; its solution is transition_function",
    "lazy_to_rich.loss_identities": "algebraic and derivative identities of the whitened loss (general shape)",
    "lazy_to_rich.scaled_whitening": "rescaling identity of the flow, proven at general shape",
    "lazy_to_rich.dimension_sign_constraint": "identities sandwiched with kernel vectors and the sign they force",
    # mixed_dynamics
    "mixed_dynamics.dA_dt": "derivative identity of A = W_2 W_1, proven at general shape",
    "mixed_dynamics.conserved_lambda": "conservation law: a time derivative vanishing identically (general shape)",
    "mixed_dynamics.squares": "algebraic identities of the Gram matrices, proven at general shape",
    "mixed_dynamics.x_y_rates": "derivative identities of the Gram matrices, proven at general shape",
    "mixed_dynamics.offset_drift": "derivative identities of the offsets, proven at general shape",
    "mixed_dynamics.intertwining": "algebraic identity P A = A Q of square roots, proven at general shape",
    "mixed_dynamics.gd_step_lambda": "algebraic identities of one GD step, proven at general shape",
    "mixed_dynamics.eq1": "eq. (1) as a derivative identity on the offsets manifold (general shape)",
    "mixed_dynamics.exact_manifold": "invariance of a manifold: derivative identities (general shape)",
    "mixed_dynamics.lambda_balanced": "eq. (1) under lambda-balance: square and derivative identities (general shape)",
    "mixed_dynamics.balanced_limit": "eq. (1) at c = 0 as a derivative identity (general shape)",
    "mixed_dynamics.series_limits": "asymptotic expansions with sharp O-terms: limits, no value",
    "mixed_dynamics.concentration": "probabilistic concentration at initialisation: a Monte Carlo law",
    "mixed_dynamics.approximation_law": "an O(1/sqrt(w)) law fitted from simulations",
    "mixed_dynamics.lazy_line": "an equivalence of inequalities (a region boundary), proven symbolically",
    "mixed_dynamics.noise_line": "a scaling identity in the exponents and the line where it is d^0: a region",
    "mixed_dynamics.theory_region": "a region (inequalities) and the rational intersection (-1, 2), exact",
    "mixed_dynamics.init_threshold": "an equivalence of inequalities (w > 4d), proven by squaring",
    "mixed_dynamics.active_regime": "heuristic: a limit of measured test errors",
    "mixed_dynamics.stable_rank": "heuristic: approximate equality of measured stable ranks",
    "mixed_dynamics.fig1_setting": "measured values of the paper's Fig. 1 (heuristic)",
    "mixed_dynamics.fig2_setting": "the step-size rule of the official code: a definition, no computed value",
    # deep_linear
    "deep_linear.imbalance_conservation": "conservation law: a time derivative vanishing identically (general shape)",
    "deep_linear.balanced_manifold": "invariance of the balanced manifold: an identity (general shape)",
    "deep_linear.end_to_end_depth3": "end-to-end dynamics (Arora et al. (2018), Thm 1): a derivative identity",
    "deep_linear.end_to_end_depth4": "end-to-end dynamics (Arora et al. (2018), Thm 1): a derivative identity",
    "deep_linear.end_to_end_depth5": "end-to-end dynamics (Arora et al. (2018), Thm 1): a derivative identity",
}

#: Names whose use in a numeric check (directly or through the claim module's own helpers) means it evaluates
#: an exact solution: the engines, or the claim modules' own closed forms.
CLOSED_FORM_MARKERS = {
    "TwoLayerExact",
    "SingleNeuronExact",
    "aligned_singular_value",
    "mixed_aligned_singular_value",
    "self_consistent_flow",
    "closed_form",
    "limit_qqt",
    "qqt_limit",
    "mp_aligned",
    "mp_time_to",
    "fukumizu_mp",
    "fukumizu_direct",
    "braun_zero_balanced",
    "thesis_s",
    "beta_mp",
}


def _names_used(fn, seen=None) -> set[str]:
    """Global and attribute names a function uses, following the helpers of its own module (no source parsing)."""
    seen = set() if seen is None else seen
    if fn in seen:
        return set()
    seen.add(fn)
    names, codes = set(), [fn.__code__]
    while codes:
        code = codes.pop()
        names.update(code.co_names)
        codes.extend(c for c in code.co_consts if inspect.iscode(c))
    for name in list(names):
        helper = fn.__globals__.get(name)
        if inspect.isfunction(helper) and helper.__module__ == fn.__module__:
            names |= _names_used(helper, seen)
    return names


def test_every_closed_form_claim_has_a_certified_check():
    missing = [cid for cid in CLOSED_FORM_CLAIMS if REGISTRY[cid].certified is None]
    assert not missing, f"closed-form claims without a certified check: {missing}"


def test_a_new_closed_form_claim_without_certified_check_is_caught():
    """A numeric check that calls an exact-solution evaluator must be in CLOSED_FORM_CLAIMS (and so certified)."""
    detected = {
        c.id
        for c in REGISTRY
        if c.paper in PAPERS and c.numeric is not None and _names_used(c.numeric) & CLOSED_FORM_MARKERS
    }
    assert detected, "the marker scan found nothing: the markers no longer match the claim modules"
    assert detected <= set(CLOSED_FORM_CLAIMS), sorted(detected - set(CLOSED_FORM_CLAIMS))


def test_every_claim_is_accounted_for():
    """Each claim of the papers is either certified or listed with the reason it has no closed form."""
    ids = {c.id for c in REGISTRY if c.paper in PAPERS}
    assert not set(CLOSED_FORM_CLAIMS) & set(NOT_CLOSED_FORM)
    assert ids == set(CLOSED_FORM_CLAIMS) | set(NOT_CLOSED_FORM), sorted(
        ids ^ (set(CLOSED_FORM_CLAIMS) | set(NOT_CLOSED_FORM))
    )
    assert all(isinstance(r, str) and r.strip() for r in NOT_CLOSED_FORM.values())


def test_certified_checks_are_exactly_the_listed_claims():
    with_check = {c.id for c in REGISTRY if c.paper in PAPERS and c.certified is not None}
    assert with_check == set(CLOSED_FORM_CLAIMS)


@pytest.mark.parametrize("cid", CLOSED_FORM_CLAIMS)
def test_certified_check_passes_and_a_value_moved_beyond_its_bound_is_reported(cid, monkeypatch):
    """One run per claim: the first value the certified check compares is replaced by the exact value moved
    4 ulp beyond its stated bound; that comparison, and only it, must fail (so every other measurement,
    the enclosure radius included, passes), while the same comparison with the true value passes.

    mid is within 0.5 ulp of the exact value and the sum rounds by <= 0.5 ulp (the ball radius is
    < 2^-100 relative), so the corrupted value is certainly more than ``bound`` away.
    """
    original = certify.inside
    calls, honest = [], []

    def corrupting(enc, x, bound, what, bound_from):
        if not calls:
            honest.append(original(enc, x, bound, what, bound_from))
            mid = enc.mid
            vals = np.array(np.asarray(x, dtype=float).reshape(mid.shape))
            k = np.unravel_index(np.argmax(np.abs(mid)), mid.shape)
            vals[k] = mid[k] + bound + 4 * np.spacing(abs(mid[k]) + bound)
            x = vals
        calls.append(what)
        return original(enc, x, bound, what, bound_from)

    _patch_inside(monkeypatch, corrupting)
    r = run_claim(REGISTRY[cid], certified=True)
    assert calls, f"{cid}: the certified check compares no float64 value with an enclosure"
    assert honest[0].passed, honest[0]
    assert r.certified.status == "fail" and not r.passed
    assert r.certified.detail.startswith("1 of "), r.certified.detail  # everything else passed
    assert "certified |x - exact|" in r.certified.detail
    assert calls[0] in r.certified.detail  # the corrupted comparison is the one reported


def test_without_flag_the_certified_check_is_not_run():
    r = run_claim(REGISTRY["mixed_dynamics.closed_form"])
    assert r.certified is None
    assert "certified" not in r.as_dict()


def test_claim_without_certified_check_is_na():
    r = run_claim(REGISTRY["mixed_dynamics.dA_dt"], certified=True)
    assert r.certified.status == "n/a" and r.passed


# ---------------------------------------------------------------- engines corrupted at the source
def test_mixed_engine_one_ulp_beyond_the_bound_is_reported(monkeypatch):
    """Replace the float64 engine by the exact value moved 2 ulp(scale) beyond its stated bound 64 eps scale."""

    def corrupted(t, s0, s_target, c, dps=None):
        enc = certified_mixed_aligned_singular_value(t, s0, s_target, c)
        scale = max(abs(s0), abs(s_target), c)
        return enc.mid + (64 * FLOAT64_EPS * scale + 2 * np.spacing(scale))

    assert run_claim(REGISTRY["mixed_dynamics.closed_form"], certified=True).certified.status == "pass"
    monkeypatch.setattr(lazyrich, "mixed_aligned_singular_value", corrupted)
    r = run_claim(REGISTRY["mixed_dynamics.closed_form"], certified=True)
    assert r.certified.status == "fail"
    assert "mixed_aligned_singular_value (float64)" in r.certified.detail


def test_aligned_engine_beyond_the_bound_is_reported(monkeypatch):
    def corrupted(t, s0, s_target, lam, tau=1.0, dps=None):
        enc = certified_aligned_singular_value(t, s0, s_target, lam)
        bound = 64 * FLOAT64_EPS * s_target  # the transition_function check's stated bound
        return enc.mid + bound + 4 * np.spacing(s_target + bound)

    monkeypatch.setattr(lazyrich, "aligned_singular_value", corrupted)
    r = run_claim(REGISTRY["lazy_to_rich.transition_function"], certified=True)
    assert r.certified.status == "fail"
    assert "aligned_singular_value (float64)" in r.certified.detail


def test_stable_two_layer_engine_beyond_the_bound_is_reported(monkeypatch):
    real_qqt = lazyrich.TwoLayerExact.qqt

    def corrupted(self, t, dps=None, method="stable"):
        if dps is not None or method != "stable":
            return real_qqt(self, t, dps=dps, method=method)
        enc = certified_qqt(self, t)
        scale = float(np.abs(enc.mid).max())
        bound = stable_qqt_error_bound(self, scale)
        return enc.mid + bound + 4 * np.spacing(np.abs(enc.mid) + bound)

    monkeypatch.setattr(lazyrich.TwoLayerExact, "qqt", corrupted)
    r = run_claim(REGISTRY["lazy_to_rich.stable_closed_form"], certified=True)
    assert r.certified.status == "fail"
    assert "stable qqt (float64)" in r.certified.detail


def test_single_neuron_engine_beyond_the_bound_is_reported(monkeypatch):
    def corrupted(self, t, dps=None):
        a, w, beta = certified_single_neuron(self, np.atleast_1d(np.asarray(t, dtype=float)))
        scale = max(1.0, float(np.abs(beta.mid).max()), float(np.abs(a.mid).max()), float(np.abs(w.mid).max()))
        bound = 16 * FLOAT64_EPS * scale  # the closed_form_branches check's stated bound
        return beta.mid + bound + 4 * np.spacing(np.abs(beta.mid) + bound)

    monkeypatch.setattr(lazyrich.SingleNeuronExact, "beta", corrupted)
    r = run_claim(REGISTRY["get_rich_quick.closed_form_branches"], certified=True)
    assert r.certified.status == "fail"
    assert "SingleNeuronExact.beta (float64)" in r.certified.detail


# ---------------------------------------------------------------- command line
def test_cli_certified_column_and_json(capsys):
    assert main(["verify", "mixed_dynamics.closed_form", "--certified", "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "certified" in out.splitlines()[0]
    assert "1 of 1 claims carry a certified" in out
    assert main(["verify", "mixed_dynamics.closed_form", "--certified", "--jobs", "1", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["certified"] == "pass" and rows[0]["certified_check"] is True
    assert "radius" in rows[0]["certified_detail"] or "certified" in rows[0]["certified_detail"]
    assert main(["verify", "mixed_dynamics.closed_form", "--jobs", "1", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    assert "certified" not in row and "certified_check" not in row


def test_cli_json_says_which_claims_have_no_certified_check(capsys):
    assert main(["verify", "mixed_dynamics.d*", "--certified", "--jobs", "1", "--json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["mixed_dynamics.dA_dt"]["certified_check"] is False
    assert rows["mixed_dynamics.dA_dt"]["certified"] == "n/a"


def test_certified_verify_without_python_flint_stops_early_and_names_the_extra(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "flint", None)  # import flint now raises ImportError
    assert main(["verify", "stable_closed_form", "--certified"]) == 2
    assert "pip install python-flint" in capsys.readouterr().err
