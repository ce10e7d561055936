"""Local Sphinx extension: the pages generated from the installed lazyrich at build time.

* ``.. claims-catalogue::`` lists every registered claim (``lazyrich.load_claims()``) by paper: its id,
  title, statement as display math (``lazyrich.expr_latex``), source and the checks it carries. No check
  is run.
* ``.. api-reference:: MODULE`` documents every name of ``MODULE.__all__`` with autodoc (grouped by the
  ``# comment`` lines of the ``__all__`` list, where it has them). A name that is also ``lazyrich.NAME``
  (the same object) is documented without an index entry in the namespaces: cross-references to it
  point to ``lazyrich.NAME``.
* ``.. cli-reference::`` prints ``lazyrich --help`` and ``lazyrich COMMAND --help`` of every subcommand
  (``python -m lazyrich``, run in this process).
* ``.. images-glob:: PATTERN ...`` shows the images of ``docs/`` that match (the rendered LaTeX export).
* A page ``notebooks/NAME.md`` whose text is only ``<!-- notebook -->`` is replaced, when read, by the
  notebook ``notebooks/NAME.ipynb`` of the repository (markdown and code cells, not executed) followed by
  its committed figure ``notebooks/figures/NAME.png``. A notebook without a page is a warning.

Only the public API is used (``lazyrich``, ``lazyrich.symbolic`` and friends, the ``python -m lazyrich``
command line).
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import re
import runpy
import sys
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

import lazyrich

LOGGER = logging.getLogger(__name__)
REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
NOTEBOOK_MARKER = "<!-- notebook -->"
_RST_SPECIAL = re.compile(r"([\\`*_|<>\[\]])")


def rst_text(text: str) -> str:
    r"""Plain text as reST: inline markup characters escaped, ``$...$`` spans as ``:math:`` roles.

    >>> rst_text("W_1 *is* fixed")
    'W\\_1 \\*is\\* fixed'
    >>> rst_text(r"conserves $W_2^T W_2$ for $t>0$")
    'conserves :math:`W_2^T W_2` for :math:`t>0`'
    """
    parts = re.split(r"(?<!\\)\$(.+?)(?<!\\)\$", text)
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(f":math:`{part.replace('`', '')}`")
        else:
            out.append(_RST_SPECIAL.sub(r"\\\1", part))
    return "".join(out)


def _section(title: str, char: str) -> list[str]:
    return [title, char * (len(title) + 4), ""]


def _indent(lines: list[str], n: int = 3) -> list[str]:
    return [(" " * n + line) if line.strip() else "" for line in lines]


def checks_of(c) -> list[str]:
    """The checks a claim carries, in the order ``symbolic, numeric, certified`` (plus ``heuristic``)."""
    out = [name for name in ("symbolic", "numeric", "certified") if getattr(c, name) is not None]
    if c.heuristic:
        out.append("heuristic")
    return out


_CHECK_TEXT = {
    "symbolic": "symbolic proof (SymPy: residuals that simplify to zero)",
    "numeric": "numeric check (error against a derived tolerance)",
    "certified": "certified check (float64 against Arb enclosures)",
    "heuristic": "heuristic (an observed trend, not an identity)",
}


class ClaimsCatalogue(SphinxDirective):
    """``.. claims-catalogue::``: every registered claim, by paper."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        registry = lazyrich.load_claims()
        papers: dict[str, list] = {}
        for c in registry:
            papers.setdefault(c.paper, []).append(c)
        lines = [
            f"{len(registry)} claims from {len(papers)} papers. Run them with ``lazyrich verify PATTERN``;",
            "export them as LaTeX with ``lazyrich latex``.",
            "",
        ]
        for paper, claims in papers.items():
            lines += _section(rst_text(lazyrich.PAPERS.get(paper, paper)), "-")
            lines += [f"Claim ids ``{paper}.*``: {len(claims)} claims.", ""]
            for c in claims:
                lines += self._claim(c)
        self.env.note_dependency(lazyrich.__file__)
        node = nodes.section()
        node.document = self.state.document
        nested_parse_with_titles(self.state, StringList(lines, source="<claims catalogue>"), node)
        return node.children

    def _claim(self, c) -> list[str]:
        lines = [f".. _claim-{c.id}:", "", *_section(f"``{c.id}``", "~"), rst_text(c.title), ""]
        try:
            statement = [lazyrich.expr_latex(s) for s in c.statements()]
        except Exception as exc:  # the catalogue must still list the claim; the build fails on the warning
            LOGGER.warning("claim %s: its statement could not be printed: %s", c.id, exc, location=self.get_location())
            statement = []
        if statement:
            lines += [".. math::", ""]
            for i, tex in enumerate(statement):
                if i:
                    lines.append("")
                lines += _indent(tex.splitlines())
            lines.append("")
        checks = checks_of(c)
        lines += [
            f":Source: {rst_text(c.source.cite())}",
            ":Established by: " + ("; ".join(_CHECK_TEXT[k] for k in checks) if checks else "no check"),
            "",
        ]
        return lines


def _all_groups(module) -> list[tuple[str, list[str]]]:
    """``module.__all__`` split at its ``# comment`` lines (one group without a title if it has none)."""
    names = list(module.__all__)
    source = Path(module.__file__).read_text(encoding="utf-8")
    m = re.search(r"^__all__\s*=\s*\[(.*?)^\]", source, re.M | re.S)
    if not m:
        return [("", names)]
    groups: list[tuple[str, list[str]]] = [("", [])]
    for line in m.group(1).splitlines():
        line = line.strip()
        if line.startswith("#"):
            groups.append((line.lstrip("# ").strip(), []))
        else:
            groups[-1][1].extend(re.findall(r"[\"'](\w+)[\"']", line))
    listed = {n for _, g in groups for n in g}
    groups[-1][1].extend(n for n in names if n not in listed)
    return [(t, [n for n in g if n in names]) for t, g in groups if g]


class ApiReference(SphinxDirective):
    """``.. api-reference:: MODULE``: autodoc of every name in ``MODULE.__all__``."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        modname = self.arguments[0]
        module = importlib.import_module(modname)
        lines = [f".. automodule:: {modname}", "   :no-members:", ""]
        for title, names in _all_groups(module):
            if title:
                lines += _section(rst_text(title[0].upper() + title[1:]), "-")
            for name in names:
                lines += self._entry(modname, module, name)
        self.env.note_dependency(module.__file__)
        node = nodes.section()
        node.document = self.state.document
        nested_parse_with_titles(self.state, StringList(lines, source=f"<api {modname}>"), node)
        return node.children

    @staticmethod
    def _entry(modname: str, module, name: str) -> list[str]:
        obj = getattr(module, name)
        target = f"{modname}.{name}"
        if isinstance(obj, type(lazyrich)):
            return [f"* :mod:`{obj.__name__}`: see its page.", ""]
        options = []
        if modname != "lazyrich" and name in lazyrich.__all__ and getattr(lazyrich, name) is obj:
            options.append(":no-index:")  # documented (and indexed) as lazyrich.NAME
        if isinstance(obj, type) and issubclass(obj, BaseException):
            kind = "autoexception"
        elif isinstance(obj, type):
            kind = "autoclass"
            options.append(":members:")
        elif callable(obj) and hasattr(obj, "__name__"):
            kind = "autofunction"
        else:  # data: its ``#:`` comment where it is defined (autodata would show its type's docstring)
            return [f".. py:data:: {name}", *(f"   {o}" for o in options), "", *_indent(data_doc(name)), ""]
        return [f".. {kind}:: {target}", *(f"   {o}" for o in options), ""]


def data_doc(name: str) -> list[str]:
    """The ``#:`` comment lines above the module-level assignment of ``name`` in the lazyrich sources."""
    pattern = re.compile(rf"((?:^#:.*\n)+)^{re.escape(name)}\b\s*[:=]", re.M)
    for path in sorted(Path(lazyrich.__file__).parent.rglob("*.py")):
        m = pattern.search(path.read_text(encoding="utf-8"))
        if m:
            return [line[2:].strip() for line in m.group(1).splitlines()]
    return []


def cli_help(*args: str) -> str:
    """The text ``lazyrich ARGS --help`` prints (at 100 columns)."""
    out = io.StringIO()
    argv, columns = sys.argv, os.environ.get("COLUMNS")
    sys.argv, os.environ["COLUMNS"] = ["lazyrich", *args, "--help"], "100"
    try:
        with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
            runpy.run_module("lazyrich", run_name="__main__", alter_sys=False)
    finally:
        sys.argv = argv
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns
    return out.getvalue().replace("python -m lazyrich", "lazyrich").rstrip()


def cli_commands() -> list[str]:
    """The subcommands, as ``lazyrich --help`` lists them (``{verify,stress,...}``, or one per line)."""
    text = cli_help()
    m = re.search(r"\{([\w,-]+)\}", text)
    if m:
        return m.group(1).split(",")
    positional = text.split("positional arguments:", 1)[-1].split("\n\n", 1)[0]
    return re.findall(r"^ {4}([a-z][\w-]*)(?: {2,}|$)", positional, re.M)


class CliReference(SphinxDirective):
    """``.. cli-reference::``: the help of ``lazyrich`` and of each subcommand."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        lines = [".. code-block:: text", "", *_indent(cli_help().splitlines()), ""]
        for cmd in cli_commands():
            lines += [f".. _cli-{cmd}:", "", *_section(f"``lazyrich {cmd}``", "-")]
            lines += [".. code-block:: text", "", *_indent(cli_help(cmd).splitlines()), ""]
        node = nodes.section()
        node.document = self.state.document
        nested_parse_with_titles(self.state, StringList(lines, source="<lazyrich --help>"), node)
        return node.children


class ImagesGlob(SphinxDirective):
    """``.. images-glob:: PATTERN ...``: the images of ``docs/`` that match, sorted per pattern (none: nothing).

    For the pictures other tools render into ``docs/`` (the LaTeX export's pages), which may or may not
    be there.
    """

    required_arguments = 1
    optional_arguments = 9
    has_content = False

    def run(self) -> list[nodes.Node]:
        srcdir = Path(self.env.srcdir)
        paths = [p for pattern in self.arguments for p in sorted(srcdir.glob(pattern))]
        lines = []
        for path in dict.fromkeys(paths):  # in the order of the patterns, each once
            rel = path.relative_to(srcdir).as_posix()
            lines += [f".. image:: /{rel}", f"   :alt: {path.stem}", "   :width: 100%", ""]
        node = nodes.container()
        self.state.nested_parse(StringList(lines, source="<images-glob>"), self.content_offset, node)
        return node.children


def notebook_markdown(path: Path, figure: str | None) -> str:
    """A notebook as MyST markdown: its markdown cells as they are, its code cells as ``python`` blocks.

    The figure (a path relative to the page) follows the first code cell that saves it, or the last cell.
    """
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    placed = figure is None
    for cell in nb["cells"]:
        src = "".join(cell["source"]).strip("\n")
        if cell["cell_type"] == "markdown":
            out.append(src)
        elif cell["cell_type"] == "code" and src:
            out.append(f"```python\n{src}\n```")
            if not placed and ("savefig" in src or f"{path.stem}.png" in src):
                out.append(f"```{{image}} {figure}\n:alt: the figure of {path.stem}\n```")
                placed = True
    if not placed:
        out.append(f"```{{image}} {figure}\n:alt: the figure of {path.stem}\n```")
    note = f"The notebook `notebooks/{path.name}` (its jupytext source is `notebooks/{path.stem}.py`), shown"
    note += " without running it" + ("; the figure is the committed one." if figure else ".")
    out.insert(1, f"*{note}*")
    return "\n\n".join(out) + "\n"


def _read_notebook_page(app, docname: str, source: list[str]) -> None:
    if not docname.startswith("notebooks/") or source[0].strip() != NOTEBOOK_MARKER:
        return
    stem = docname.split("/", 1)[1]
    path = NOTEBOOKS / f"{stem}.ipynb"
    if not path.is_file():
        LOGGER.warning("no notebook %s for the page %s", path, docname)
        return
    figure = NOTEBOOKS / "figures" / f"{stem}.png"
    app.env.note_dependency(str(path))
    rel = os.path.relpath(figure, Path(app.srcdir) / "notebooks") if figure.is_file() else None
    source[0] = notebook_markdown(path, rel)


def _check_notebook_pages(app) -> None:
    for nb in sorted(NOTEBOOKS.glob("*.ipynb")):
        if not (Path(app.srcdir) / "notebooks" / f"{nb.stem}.md").is_file():
            LOGGER.warning(
                "notebook %s has no page: add docs/notebooks/%s.md containing the line %s",
                nb.name,
                nb.stem,
                NOTEBOOK_MARKER,
            )


def _always_reread(app, env, added, changed, removed) -> list[str]:
    """The generated pages are read again at every build: the package they show may have changed."""
    return [d for d in env.found_docs if d in ("claims", "cli") or d.startswith("api/")]


def setup(app):
    app.add_directive("claims-catalogue", ClaimsCatalogue)
    app.add_directive("api-reference", ApiReference)
    app.add_directive("cli-reference", CliReference)
    app.add_directive("images-glob", ImagesGlob)
    app.connect("builder-inited", _check_notebook_pages)
    app.connect("source-read", _read_notebook_page)
    app.connect("env-get-outdated", _always_reread)
    return {"version": lazyrich.__version__, "parallel_read_safe": True, "parallel_write_safe": True}
