"""Sphinx configuration of the lazyrich reference documentation.

Build: ``pip install -e '.[docs]' && sphinx-build -W docs docs/_build/html``. Nothing is fetched from the
network (no intersphinx) and no claim check runs: the claims catalogue, the API reference, the command-line
reference and the notebook pages are generated from the installed package by the local extension in ``_ext``.
"""

import sys
from pathlib import Path

import lazyrich

sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))

project = "lazyrich"
author = "the lazyrich developers"
copyright = "2026, the lazyrich developers"
version = release = lazyrich.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "lazyrich_docs",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]
templates_path: list[str] = []
html_static_path: list[str] = []
html_theme = "alabaster"
html_title = f"lazyrich {release}"

# autodoc + numpydoc: members in source order, signatures without type hints (the docstrings say the types)
autodoc_member_order = "bysource"
autodoc_typehints = "none"
autodoc_preserve_defaults = True
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# MyST (the notebook pages): $...$ and $$...$$ math as in Jupyter
myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 3
