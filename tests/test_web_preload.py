"""index.html preloads exactly the modules app.js imports, however deep: no more, no fewer, nothing loaded lazily."""

import posixpath
import re
from html.parser import HTMLParser

from twisted.trial.unittest import SynchronousTestCase

from tests.test_web_site import read_shipped, shipped_files

STATIC_IMPORT = re.compile(
    r'^[ \t]*(?:import|export)\b[^;"]*?\bfrom\s*"([^"]+)"|^[ \t]*import\s*"([^"]+)"', re.M
)
"""A module's static import (or re-export) of another, by its specifier: ``import { el } from "./dom.js";``, one line
or several. A dynamic ``import("./x.js")``, loaded on purpose only when needed, is not one."""


def imported(name: str) -> set[str]:
    """The page's modules (paths under its folder) that the module ``name`` imports statically, directly or not."""
    found: set[str] = set()
    waiting = [name]
    while waiting:
        module = waiting.pop()
        source = read_shipped(module).decode("utf-8")
        for relative, bare in STATIC_IMPORT.findall(source):
            path = posixpath.join(posixpath.dirname(module), relative or bare)
            target = posixpath.normpath(path).lstrip("/")
            if target not in found:
                found.add(target)
                waiting.append(target)
    return found


class _Preloads(HTMLParser):
    """The ``href`` of each ``<link rel="modulepreload">`` of a page, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        fields = dict(attrs)
        if tag == "link" and fields.get("rel") == "modulepreload":
            self.hrefs.append(fields.get("href") or "")


def preloaded() -> list[str]:
    """What index.html preloads, as it names them."""
    page = _Preloads()
    page.feed(read_shipped("index.html").decode("utf-8"))
    return page.hrefs


class PreloadTests(SynchronousTestCase):
    def test_index_preloads_every_module_app_imports_and_nothing_else(self) -> None:
        """The page preloads, by their paths on its own origin (the CSP's ``script-src 'self'``), in order of name,
        each module app.js imports however deep, so a browser asks for them all at once: a module added, or no
        longer imported, fails here until index.html follows."""
        self.assertEqual(preloaded(), [f"/{name}" for name in sorted(imported("app.js"))])

    def test_imports_are_followed_through_other_modules_but_not_into_libsodium(self) -> None:
        """Modules app.js imports only through others are followed (filecard.js, three imports down; e2e.js, which
        encryption.js imports); vendor/'s libsodium, which e2e.js loads as classic scripts when first needed, is
        neither followed nor preloaded."""
        found = imported("app.js")
        self.assertIn("filecard.js", found)
        self.assertIn("e2e.js", found)
        self.assertIn("vendor/libsodium.js", shipped_files())
        self.assertEqual([name for name in found if name.startswith("vendor/")], [])
        self.assertEqual([href for href in preloaded() if href.startswith("/vendor/")], [])

    def test_imports_are_found_across_lines_and_not_in_dynamic_imports(self) -> None:
        """An import split over lines and a re-export are followed; ``import("./x.js")`` is not."""
        source = (
            'import {\n  a,\n  b,\n} from "./one.js";\nexport { c } from "./two.js";\nimport "./three.js";\n'
        )
        source += 'const later = () => import("./lazy.js");\n// see "./four.js"\n'
        self.assertEqual(
            [relative or bare for relative, bare in STATIC_IMPORT.findall(source)],
            ["./one.js", "./two.js", "./three.js"],
        )
