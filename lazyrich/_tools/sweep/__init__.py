"""Sweep engine: SPEC parsing, the result store, the function registry, built-in cells and heatmaps."""

# The built-in sweep functions register themselves when their module is imported.
from . import cells as cells
