"""The code is formatted, lint-free and type-checked, as part of every test run."""

import os
import subprocess
import sys

from twisted.trial.unittest import SynchronousTestCase

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )


class LintTests(SynchronousTestCase):
    def assert_clean(self, result: subprocess.CompletedProcess[str]) -> None:
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_formatted(self) -> None:
        """ruff format would change nothing."""
        self.assert_clean(run("ruff", "format", "--check", "."))

    def test_lint_clean(self) -> None:
        """ruff check finds nothing, the domain's no-I/O import ban included."""
        self.assert_clean(run("ruff", "check", "."))

    def test_types_check(self) -> None:
        """mypy --strict (configured in setup.cfg) finds nothing."""
        self.assert_clean(run("mypy"))
