"""The documentation site builds with warnings as errors, and everything it links to exists.

The build executes every page with code cells and every lecture notebook (myst-nb), so
an example that no longer runs fails here; numpydoc validates the docstrings of the API
reference. After the build, every internal link, anchor and image of the HTML is resolved
against the files written.
"""

from __future__ import annotations

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

import simsample

DOCS = Path(__file__).resolve().parents[2] / "docs"


class _Links(HTMLParser):
    """The ids, links and image sources of one HTML page."""

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "img" and attrs.get("src"):
            self.images.append(attrs["src"])


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    run = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(out / "doctrees"), str(DOCS), str(out / "html")],
        capture_output=True, text=True, env=env, timeout=1200)
    warnings = [line for line in run.stderr.splitlines() if "IPKernelApp" not in line]
    assert run.returncode == 0, "the site failed to build:\n" + "\n".join(warnings[-80:])
    return out / "html"


def test_every_internal_link_anchor_and_image_resolves(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    parsed = {page: _parse(page) for page in pages}
    broken = []
    for page, links in parsed.items():
        for href in links.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.exists():
                broken.append(f"{page.relative_to(site)}: link {href}")
            elif parts.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else _parse(target).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{page.relative_to(site)}: anchor {href}")
        for src in links.images:
            if urlsplit(src).scheme == "data":
                continue
            if not (page.parent / unquote(urlsplit(src).path)).exists():
                broken.append(f"{page.relative_to(site)}: image {src}")
    assert not broken, "\n".join(broken)


def test_every_public_name_has_an_api_page(site):
    generated = site / "api" / "generated"
    missing = [name for name in simsample.__all__
               if not (generated / f"simsample.{name}.html").exists()]
    assert not missing


def test_executed_pages_show_their_outputs(site):
    """The first study's table and figure are on the page: the cells ran at build time."""
    page = (site / "getting-started.html").read_text(encoding="utf-8")
    assert "cluster_t" in page and "coverage_mcse" in page and "<table" in page
    assert any(src.endswith(".png") for src in _parse(site / "getting-started.html").images)


def test_readme_links_and_image_resolve_and_it_stays_short():
    """The README is one or two screens, and every page it links to is in the repository."""
    import re

    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode()) < 6.5 * 1024
    targets = [t for t in re.findall(r"\]\(([^)]+)\)", readme) if "://" not in t]
    assert len(targets) > 10
    missing = [t for t in targets if not (DOCS.parent / t.split("#")[0]).exists()]
    assert not missing
