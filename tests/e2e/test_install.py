"""A plain (not editable) install carries the plugin and nothing of Twisted's own."""

import os
import site
import subprocess
import sys

from twisted.trial.unittest import SynchronousTestCase

from tests.helpers import new_folder

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PIP_OFFLINE = [
    sys.executable,
    "-m",
    "pip",
    "install",
    "--quiet",
    "--no-deps",
    "--no-index",
    "--no-build-isolation",
]


class PlainInstallTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.target = new_folder(self)
        # Offline and without build isolation: tests send nothing beyond
        # loopback, so the build uses the setuptools and wheel installed
        # by the test extras.
        subprocess.run(
            [*PIP_OFFLINE, "--target", self.target, ROOT],
            check=True,
            capture_output=True,
            timeout=300,
        )

    def installed_python(self, code: str) -> str:
        """Run ``code`` seeing the installed copy and Twisted, but not this checkout."""
        path = [self.target, *site.getsitepackages()]
        prelude = f"import sys; sys.path[:0] = {path!r}; "
        result = subprocess.run(
            [sys.executable, "-I", "-S", "-c", prelude + code],
            cwd=self.target,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return result.stdout

    def test_wheel_holds_plugin_without_package_markers(self) -> None:
        """The plugin lands in twisted/plugins with no __init__.py that would shadow Twisted's."""
        self.assertTrue(os.path.isfile(os.path.join(self.target, "twisted", "plugins", "chatd_plugin.py")))
        self.assertFalse(os.path.exists(os.path.join(self.target, "twisted", "__init__.py")))
        self.assertFalse(os.path.exists(os.path.join(self.target, "twisted", "plugins", "__init__.py")))

    def test_twistd_finds_installed_plugin(self) -> None:
        """twistd lists chatd from the installed copy, not from this checkout."""
        shown = self.installed_python(
            "import chatd; print(chatd.__file__); "
            "from twisted.plugin import getPlugins; from twisted.application.service import IServiceMaker; "
            "print([p.tapname for p in getPlugins(IServiceMaker)])"
        )
        where, plugins = shown.splitlines()
        self.assertTrue(where.startswith(self.target), where)
        self.assertIn("'chatd'", plugins)

    def test_install_carries_every_file_of_the_page(self) -> None:
        """The browser page's files are in the installed package, as the checkout has them."""
        shipped = os.path.join(ROOT, "chatd", "web", "static")
        installed = os.path.join(self.target, "chatd", "web", "static")
        for folder, _, names in os.walk(shipped):
            for name in names:
                relative = os.path.relpath(os.path.join(folder, name), shipped)
                with (
                    open(os.path.join(shipped, relative), "rb") as ours,
                    open(os.path.join(installed, relative), "rb") as theirs,
                ):
                    self.assertEqual(theirs.read(), ours.read(), relative)
