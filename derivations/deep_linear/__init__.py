"""Deep linear networks, proven with lazyrich's public workflow only (as a user's claim package would be).

Importing this package registers the paper key ``deep_linear`` and the claims ``deep_linear.*``:

* :mod:`.conservation`: every adjacent imbalance ``W_{l+1}^T W_{l+1} - W_l W_l^T`` is conserved at
  general depth and shape, and the balanced manifold is invariant;
* :mod:`.end_to_end`: on the balanced manifold, the end-to-end dynamics of ``W = W_N ... W_1``
  (Arora, Cohen, Hazan (2018), Thm 1) at depths 3, 4 and 5;
* :mod:`.aligned`: the aligned mode ``tau du/dt = N u^{2-2/N} (s - u)`` (Saxe et al. (2014)): its
  reduction from the layers, its implicit solution ``t(u)`` as a :func:`lazyrich.check_solution` claim,
  and :func:`lazyrich.deep_aligned_singular_value` against :func:`lazyrich.gradient_flow` on
  :class:`lazyrich.DeepLinearModel` at depths 3, 4 and 5.
"""

from lazyrich import register_paper

register_paper(
    "deep_linear",
    "Saxe, McClelland, Ganguli, Exact solutions to the nonlinear dynamics of learning in deep linear neural "
    "networks (ICLR 2014), arXiv:1312.6120; Arora, Cohen, Hazan, On the optimization of deep networks: implicit "
    "acceleration by overparameterization (ICML 2018), arXiv:1802.06509",
)

from . import aligned, conservation, end_to_end  # noqa: E402  (the paper key first: the claims cite it)

__all__ = ["aligned", "conservation", "end_to_end"]
