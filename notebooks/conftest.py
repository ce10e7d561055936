"""The notebooks run only through nbmake (their paired ``.ipynb``), never at collection.

``--doctest-modules`` would otherwise import every ``notebooks/*.py`` (and so run it) in each
xdist worker. Figures of a test run go to a temporary folder, never into the tracked
``notebooks/figures``: the kernels nbmake starts inherit ``LAZYRICH_FIGURES``.
"""

import os
import tempfile

collect_ignore_glob = ["*.py"]


def pytest_configure(config):
    if not os.environ.get("LAZYRICH_FIGURES"):
        os.environ["LAZYRICH_FIGURES"] = tempfile.mkdtemp(prefix="lazyrich-figures-")
