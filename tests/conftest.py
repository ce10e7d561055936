"""Shared pytest configuration: Hypothesis profiles, and the slowest test first.

``ci`` (selected when ``CI`` is set) is derandomized so a CI run is
reproducible; ``dev`` explores new examples each run.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

# --doctest-modules would import this file as a module named `conftest`, clashing with notebooks/conftest.py
collect_ignore = ["conftest.py"]

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=25,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture
def captured(monkeypatch):
    """The figures a plotting function closes, kept open so a test can read what was drawn."""
    import matplotlib.pyplot as plt

    figs = []
    real_close = plt.close
    monkeypatch.setattr(plt, "close", lambda fig=None: figs.append(fig))
    yield figs
    for fig in figs:
        real_close(fig)


def pytest_collection_modifyitems(session, config, items):
    """The whole mutation run (tests/test_mutation_ci.py, minutes long) first: with the test workers of
    ``-n auto`` it then overlaps the rest of the suite instead of trailing it."""
    items.sort(key=lambda item: not item.nodeid.startswith("tests/test_mutation_ci.py"))
