"""Shared pytest configuration: Hypothesis profiles.

``ci`` (selected when ``CI`` is set) is derandomized so a CI run is
reproducible; ``dev`` explores new examples each run.
"""

import os

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
