"""Sphinx configuration of simsample's documentation site.

Build: ``sphinx-build -W --keep-going -b html docs docs/_build/html`` (warnings are
errors: a broken link, image or cross-reference, a docstring that breaks numpydoc's
rules, or a failing code cell stops the build). Pages are MyST Markdown; pages and
notebooks with code cells are executed by myst-nb at every build, so no example can rot.
"""

import simsample

project = "simsample"
author = "the simsample developers"
copyright = "2026, the simsample developers"
release = simsample.__version__
version = release

extensions = [
    "myst_nb",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
]

# .rst first: autosummary writes its generated API stubs with the first suffix, and
# they hold reStructuredText directives.
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "figures/README.md", "**.ipynb_checkpoints"]
templates_path = ["_templates"]

# MyST: $...$ maths, ::: fences, heading anchors so that page#section links are checked.
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# Execute every page and notebook with code cells at each build; a failing cell is an error.
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_timeout = 300
nb_execution_show_tb = True
nb_merge_streams = True
# Progress bars (tqdm on stderr) are for terminals; the pages show results only.
nb_output_stderr = "remove"

# API reference: one page per public name, generated from the docstrings (numpydoc).
autosummary_generate = True
autosummary_imported_members = True
# Members inherited from the package's own classes and mixins are shown (Population's
# census values, Design.draw on every design); those of Python's exceptions are not.
autodoc_default_options = {"members": True, "inherited-members": "BaseException",
                           "show-inheritance": True}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
numpydoc_validation_checks = {"GL08", "PR01", "RT01", "EX01", "SS01"}
# Not validated: constants (their ``#:`` comment is their documentation), a dataclass's
# fields (documented under the class's Parameters), and the extension hooks a design
# overrides (documented, with examples, on :class:`simsample.Design`, whose docstrings the
# overrides inherit). tests/docs/test_docstrings.py checks the rest of the contract.
numpydoc_validation_exclude = {
    r"\.__init__$", r"\.__repr__$",
    r"\.[A-Z][A-Z0-9_]+$",
    r"^simsample\.(effects\.)?Method\.(name|kernel|estimand|target|estimator|interval|needs_rng"
    r"|level|reports_singular|builtin_row)$",
    r"^simsample\.(SRS|TwoStage|ClusterSample|Stratified|PPS|ThreeStage)\.(check|sampler"
    r"|expected_size|moments|frame_columns|estimate_layout|estimator_names|sample_fields"
    r"|select_rows)$",
    r"^simsample\.sizes\.\w+\.draw$",
}

html_theme = "pydata_sphinx_theme"
html_title = "simsample"
html_static_path = []
html_theme_options = {
    "navigation_depth": 3,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
suppress_warnings = ["mystnb.unknown_mime_type"]
